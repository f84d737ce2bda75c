/*
 * err.h - the error report every module fills and only main prints.
 *
 * Modules return 0 on success and -1 on failure after filling a caller's
 * struct err. They never print and never exit. The message follows git's
 * grammar: lower case, no final period, failure first, cause last. It never
 * holds a parameter value, a key, a token or an Authorization header.
 */
#ifndef ENVSSM_ERR_H
#define ENVSSM_ERR_H

#include <stddef.h>

enum err_kind {
	ERR_NONE = 0,
	ERR_USAGE,   /* bad command line */
	ERR_CONFIG,  /* bad settings, profile files, region, endpoint */
	ERR_CREDS,   /* no or broken credentials */
	ERR_NETWORK, /* transport failed (connect, TLS, reset, timeout) */
	ERR_AWS,     /* the service answered with an error */
	ERR_PARSE,   /* a response we cannot read */
	ERR_NAMES,   /* a parameter that cannot become a variable */
	ERR_LIMIT,   /* an input past one of our bounds */
	ERR_NOMEM,
	ERR_SIGNAL, /* interrupted by SIGTERM/SIGINT */
};

struct err {
	enum err_kind kind;
	char msg[1024];
};

/* err_set fills e (which may be NULL) and returns -1 so callers can write
 * `return err_set(e, ...)`. The message is truncated to fit. */
int err_set(struct err *e, enum err_kind kind, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* err_prefix puts "prefix: " in front of the existing message, keeping the
 * kind; returns -1. */
int err_prefix(struct err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* err_nomem is err_set(e, ERR_NOMEM, "out of memory"). */
int err_nomem(struct err *e);

#endif
