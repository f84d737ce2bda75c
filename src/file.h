/*
 * file.h - read a small regular file whole, never waiting on one that is
 * not: every file envssm reads (the shared config and credentials files,
 * token files, the SSO token cache) comes through here.
 */
#ifndef ENVSSM_FILE_H
#define ENVSSM_FILE_H

#include <stddef.h>

#include "buf.h"
#include "err.h"

/* file_read replaces out's contents with the regular file at path, at most
 * max_bytes of it. The open cannot block (O_NONBLOCK: a FIFO without a
 * writer or a device would hold envssm past its deadline) and anything but
 * a regular file is refused unread. Returns 1 with out filled (never NULL
 * data), 0 when path does not exist (ENOENT; out empty), or -1 with out
 * released and e set: ERR_CONFIG "unable to open 'PATH': CAUSE" or
 * "unable to read 'PATH': CAUSE" ("not a regular file" for a FIFO, a
 * device or a socket), ERR_LIMIT "unable to read 'PATH': file too large
 * (over N bytes)". */
int file_read(const char *path, size_t max_bytes, struct buf *out, struct err *e);

#endif
