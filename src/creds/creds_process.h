/*
 * creds_process.h - credential_process: split its command line the way
 * botocore does (Python's shlex.split, POSIX mode, no shell), run it, and
 * read its JSON.
 */
#ifndef ENVSSM_CREDS_PROCESS_H
#define ENVSSM_CREDS_PROCESS_H

#include <stddef.h>

#include "err.h"

#define CREDS_PROCESS_MAX_ARGS       256
#define CREDS_PROCESS_MAX_LINE_BYTES (8u * 1024)
#define CREDS_PROCESS_TIMEOUT_MS     60000L

/* A split command line; argv is NULL-terminated. */
struct creds_argv {
	char **argv;
	size_t argc;
};

/* creds_process_split splits cmd into words as shlex.split(cmd) does:
 * blanks (space, tab, CR, LF) separate words; '...' is literal; inside
 * "..." a backslash escapes only '"' and '\'; outside quotes a backslash
 * escapes any character; '' makes an empty word. No variable, glob or
 * tilde expansion, no comments. ERR_CONFIG on an unclosed quote or a
 * trailing backslash; ERR_LIMIT past the bounds above. Release out with
 * creds_argv_release (also after a failure). Pure. */
int creds_process_split(const char *cmd, struct creds_argv *out, struct err *e);

/* creds_argv_release wipes and frees the words. */
void creds_argv_release(struct creds_argv *a);

#endif
