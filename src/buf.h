/*
 * buf.h - the one growable byte buffer, secret-aware by construction.
 *
 * Every struct buf is wiped before its memory is given back: on growth the
 * old block is cleansed before it is freed, and buf_release cleanses the
 * whole capacity. Credentials, signing keys, response bodies and parameter
 * values all live in a struct buf, so no code path can forget to wipe them.
 * The contents are always NUL-terminated (data[len] == 0) once anything has
 * been appended; data may hold NUL bytes before len.
 */
#ifndef ENVSSM_BUF_H
#define ENVSSM_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "err.h"

struct buf {
	char *data;
	size_t len;
	size_t cap;
};

#define BUF_INIT                                                                                   \
	{                                                                                          \
		NULL, 0, 0                                                                         \
	}

/* buf_init makes b empty without allocating. */
void buf_init(struct buf *b);

/* buf_reserve makes room for `extra` more bytes plus the terminator.
 * Returns 0, or -1 with ERR_NOMEM (b unchanged). */
int buf_reserve(struct buf *b, size_t extra, struct err *e);

/* buf_append copies n bytes from p to the end of b. */
int buf_append(struct buf *b, const void *p, size_t n, struct err *e);

/* buf_puts appends a NUL-terminated string. */
int buf_puts(struct buf *b, const char *s, struct err *e);

/* buf_putc appends one byte. */
int buf_putc(struct buf *b, char c, struct err *e);

/* buf_printf appends formatted text. Never pass secret material through
 * the format machinery's own buffers: use buf_append for those. */
int buf_printf(struct buf *b, struct err *e, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* buf_set replaces the contents of b with n bytes from p. */
int buf_set(struct buf *b, const void *p, size_t n, struct err *e);

/* buf_truncate drops everything after the first n bytes (wiping them). */
void buf_truncate(struct buf *b, size_t n);

/* buf_cstr returns the contents as a string; "" when nothing was ever
 * appended. Borrowed: valid until the next change to b. */
const char *buf_cstr(const struct buf *b);

/* buf_release wipes and frees b's memory and leaves it empty. */
void buf_release(struct buf *b);

/* buf_detach hands the caller the NUL-terminated block (which it must free
 * with mem_free_secure) and leaves b empty; returns NULL when b was empty and
 * allocation fails. */
char *buf_detach(struct buf *b, struct err *e);

/* mem_wipe cleanses n bytes so the compiler cannot skip it. */
void mem_wipe(void *p, size_t n);

/* mem_free_secure wipes a malloc'd block of any size and frees it. */
void mem_free_secure(void *p);

/* mem_strdup duplicates s; free the copy with mem_free_secure.
 * Returns NULL (with ERR_NOMEM) when memory runs out. */
char *mem_strdup(const char *s, struct err *e);

#endif
