/*
 * file.h - open a regular file, never waiting on one that is not, and read
 * a small one whole: every file envssm reads (the shared config and
 * credentials files, token files, the SSO token cache) or appends to
 * ($GITHUB_ENV) comes through here.
 */
#ifndef ENVSSM_FILE_H
#define ENVSSM_FILE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "err.h"

/* What file_open returns for a path that does not exist. */
#define FILE_MISSING (-2)

/* file_open opens path with flags (O_RDONLY, or O_WRONLY | O_APPEND) when
 * it is a regular file. A read follows symlinks; a write never does, and
 * with O_CREAT it creates a missing file (mode 0600). The open cannot
 * block (O_NONBLOCK, cleared after: a FIFO without a writer or a reader
 * would hold envssm past its deadline) and anything but a regular file is
 * refused. Returns the descriptor (O_CLOEXEC), FILE_MISSING when path does
 * not exist and O_CREAT was not given, or -1 with ERR_CONFIG: "unable to
 * open 'PATH': CAUSE", or "unable to read 'PATH': CAUSE" ("unable to write
 * to" when writing) for "not a regular file", "Is a directory" and "a
 * symbolic link". */
int file_open(const char *path, int flags, struct err *e);

/* file_read replaces out's contents with the regular file at path (opened
 * by file_open), at most max_bytes of it. Returns 1 with out filled (never
 * NULL data), 0 when path does not exist (out empty), or -1 with out
 * released and e set: file_open's errors, ERR_CONFIG "unable to read
 * 'PATH': CAUSE", ERR_LIMIT "unable to read 'PATH': file too large (over
 * N bytes)". */
int file_read(const char *path, size_t max_bytes, struct buf *out, struct err *e);

/* file_hold_stop_signals blocks the signals that end envssm (TERM, INT,
 * HUP, QUIT) while a temporary file holds values, so that none can end it
 * with the file left behind; the mask before goes to *old, to be put back
 * with pthread_sigmask once the file is in place or removed. */
void file_hold_stop_signals(sigset_t *old);

/* file_stop_signal_waits tells whether a stop signal arrived while held
 * that will end envssm as soon as the mask old is back. */
bool file_stop_signal_waits(const sigset_t *old);

#endif
