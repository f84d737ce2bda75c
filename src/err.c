/*
 * err.c - fill and prefix error reports.
 */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int err_set(struct err *e, enum err_kind kind, const char *fmt, ...)
{
	va_list ap;

	if (e == NULL)
		return -1;
	e->kind = kind;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return -1;
}

int err_prefix(struct err *e, const char *fmt, ...)
{
	char head[512];
	size_t h, t, room = sizeof(e->msg) - 1;
	va_list ap;

	if (e == NULL)
		return -1;
	va_start(ap, fmt);
	vsnprintf(head, sizeof(head), fmt, ap);
	va_end(ap);
	h = strlen(head);
	t = strnlen(e->msg, room);
	if (h + 2 + t > room)
		t = room - h - 2;
	memmove(e->msg + h + 2, e->msg, t);
	memcpy(e->msg, head, h);
	e->msg[h] = ':';
	e->msg[h + 1] = ' ';
	e->msg[h + 2 + t] = '\0';
	return -1;
}

int err_nomem(struct err *e)
{
	return err_set(e, ERR_NOMEM, "out of memory");
}
