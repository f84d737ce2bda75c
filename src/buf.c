/*
 * buf.c - growable buffers that wipe what they held.
 */
#include "buf.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

void buf_init(struct buf *b)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

int buf_reserve(struct buf *b, size_t extra, struct err *e)
{
	size_t need, cap;
	char *p;

	if (extra > (size_t)-1 / 2 - b->len)
		return err_nomem(e);
	need = b->len + extra + 1;
	if (need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap *= 2;
	/* no realloc: the old block must be wiped before it is freed */
	p = malloc(cap);
	if (p == NULL)
		return err_nomem(e);
	if (b->data != NULL) {
		memcpy(p, b->data, b->len + 1);
		mem_wipe(b->data, b->cap);
		free(b->data);
	} else {
		p[0] = '\0';
	}
	b->data = p;
	b->cap = cap;
	return 0;
}

int buf_append(struct buf *b, const void *p, size_t n, struct err *e)
{
	if (buf_reserve(b, n, e) < 0)
		return -1;
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int buf_puts(struct buf *b, const char *s, struct err *e)
{
	return buf_append(b, s, strlen(s), e);
}

int buf_putc(struct buf *b, char c, struct err *e)
{
	return buf_append(b, &c, 1, e);
}

int buf_printf(struct buf *b, struct err *e, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return err_set(e, ERR_NOMEM, "unable to format text");
	if (buf_reserve(b, (size_t)n, e) < 0)
		return -1;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

int buf_set(struct buf *b, const void *p, size_t n, struct err *e)
{
	buf_truncate(b, 0);
	return buf_append(b, p, n, e);
}

void buf_truncate(struct buf *b, size_t n)
{
	if (b->data == NULL || n >= b->len)
		return;
	mem_wipe(b->data + n, b->len - n);
	b->len = n;
	b->data[n] = '\0';
}

const char *buf_cstr(const struct buf *b)
{
	return b->data != NULL ? b->data : "";
}

void buf_release(struct buf *b)
{
	if (b->data != NULL) {
		mem_wipe(b->data, b->cap);
		free(b->data);
	}
	buf_init(b);
}

char *buf_detach(struct buf *b, struct err *e)
{
	char *p;

	if (b->data == NULL && buf_reserve(b, 0, e) < 0)
		return NULL;
	p = b->data;
	buf_init(b);
	return p;
}

void mem_wipe(void *p, size_t n)
{
	if (p != NULL && n > 0)
		OPENSSL_cleanse(p, n);
}

void mem_free_secure(void *p)
{
	if (p == NULL)
		return;
	mem_wipe(p, malloc_usable_size(p));
	free(p);
}

char *mem_strdup(const char *s, struct err *e)
{
	size_t n = strlen(s) + 1;
	char *p = malloc(n);

	if (p == NULL) {
		err_nomem(e);
		return NULL;
	}
	memcpy(p, s, n);
	return p;
}
