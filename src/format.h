/*
 * format.h - print mode: the variables written for a consumer instead of
 * exec'ing. Rendering is pure apart from the random GitHub delimiter; the
 * two file writers are the only I/O.
 *
 * Every format round-trips every value it accepts byte for byte through its
 * real consumer, and refuses (naming the variable, never showing the value)
 * a value it cannot carry:
 *
 *   shell   export NAME='...' for eval in sh, dash and bash; ' as '\''.
 *           Refuses NUL.
 *   dotenv  NAME='...' for python-dotenv's dotenv_values() with its
 *           defaults; double quotes with \r \n \" \\ escapes when the value
 *           has a CR (text mode would turn it into LF). python-dotenv
 *           expands ${...} in every kind of value, single-quoted included,
 *           and has no escape for '$', so a value holding "${" or ending
 *           in a backslash has each '$' written as ${=:-$} (and a final
 *           ${=:-}): expansions of a name no environment can hold, whose
 *           defaults give the bytes back. Refuses NUL and invalid UTF-8.
 *   json    {"NAME":"value",...} and a newline; control bytes escaped,
 *           UTF-8 passed through. Refuses invalid UTF-8.
 *   github  NAME<<DELIM, the value, DELIM for $GITHUB_ENV, DELIM being
 *           "ghadelimiter_" and 32 random hex digits, drawn again while it
 *           occurs anywhere in the value. Masks: "::add-mask::LINE" for every
 *           line of every value (split at LF, and again at CR, as the runner
 *           splits a step's output), '%' and CR escaped; white-space-only
 *           lines are left out, as the runner refuses them. Refuses NUL,
 *           invalid UTF-8 and NODE_OPTIONS (the runner will not set it).
 *   docker  NAME=value for docker run --env-file, taken literally. Refuses
 *           LF, CR, NUL, invalid UTF-8 and lines over 65535 bytes.
 */
#ifndef ENVSSM_FORMAT_H
#define ENVSSM_FORMAT_H

#include <stddef.h>

#include "buf.h"
#include "err.h"

enum format_kind { FORMAT_SHELL, FORMAT_DOTENV, FORMAT_JSON, FORMAT_GITHUB, FORMAT_DOCKER };

/* One variable to print. Borrowed: format never keeps or frees it. The
 * value may hold any bytes (the format decides what it can carry). */
struct format_var {
	const char *name; /* [A-Za-z_][A-Za-z0-9_]*, at most 255 bytes */
	const char *value;
	size_t value_len;
};

/* "ghadelimiter_" + 32 hex digits + NUL */
#define FORMAT_DELIM_SIZE 46

/* format_parse maps "shell", "dotenv", "json", "github" or "docker" to a
 * kind; -1 with ERR_USAGE naming the choices otherwise. */
int format_parse(const char *s, enum format_kind *out, struct err *e);

/* format_name is the inverse of format_parse. */
const char *format_name(enum format_kind k);

/* format_render appends all n variables, in the order given, to out in
 * format k. For FORMAT_GITHUB the ::add-mask:: lines go to github_masks,
 * which main must print on stdout before appending out to $GITHUB_ENV; for
 * the other formats github_masks may be NULL and is left alone.
 * github_delimiter_seed is NULL in envssm (delimiters from getrandom); a
 * test passes a string to make them format_github_delimiter(seed, 0),
 * (seed, 1), ... in turn.
 * The caller owns out and github_masks and releases them with buf_release
 * (which wipes). On failure both are truncated back (wiped) to the length
 * they had, and -1 comes back with ERR_NAMES naming the variable that cannot
 * be carried (never its value), or ERR_NOMEM. */
int format_render(enum format_kind k, const struct format_var *vars, size_t n,
                  const char *github_delimiter_seed, struct buf *out, struct buf *github_masks,
                  struct err *e);

/* format_github_delimiter writes the attempt'th delimiter into out: from
 * SHA-256(seed, attempt) when seed is given, from getrandom otherwise.
 * -1 with ERR_CONFIG when no random bytes can be had. */
int format_github_delimiter(const char *seed, unsigned attempt, char out[FORMAT_DELIM_SIZE],
                            struct err *e);

/* format_write_file writes data to path. A regular file (or nothing) is
 * replaced atomically: a temporary file beside it (O_EXCL|O_CLOEXEC|
 * O_NOFOLLOW, mode 0600 whatever the umask), every byte written, fsync'd,
 * renamed over path; the directory is fsync'd after. What is not a regular
 * file (a terminal, /dev/null, the pipe behind /dev/stdout, a FIFO), or a
 * symlink to one, is never replaced but written in place, its open not
 * waiting for a FIFO's reader. A symlink to the file standard output
 * writes to (/dev/stdout sent to a file) is written through standard
 * output; one to any other file, or to nothing, is refused: neither
 * followed nor replaced. On failure the temporary file is
 * removed, path is untouched and -1 comes back with ERR_CONFIG naming path
 * and the cause. */
int format_write_file(const char *path, const struct buf *data, struct err *e);

/* format_append_file appends data to path (as $GITHUB_ENV wants:
 * O_APPEND|O_CLOEXEC, created 0600 when missing), retrying short writes.
 * path must be a regular file and not a symlink (file_open); the open
 * never blocks on a FIFO or a device. -1 with ERR_CONFIG on failure; bytes
 * already written stay written. */
int format_append_file(const char *path, const struct buf *data, struct err *e);

#endif
