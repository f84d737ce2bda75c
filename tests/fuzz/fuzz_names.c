/*
 * fuzz_names.c - libFuzzer target for path normalisation and the name
 * mapping. The input is split on NUL bytes into: flags, environment name,
 * PATH operand, parameter name (relative to the normalised PATH unless it
 * starts with '/'), name prefix. Every result is checked against the
 * contracts in names.h.
 *
 *   clang -fsanitize=fuzzer,address,undefined -Isrc tests/fuzz/fuzz_names.c \
 *     src/names.c src/buf.c src/err.c -lcrypto
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NFIELDS 5

static bool path_ok(const char *p, size_t len)
{
	if (len == 0 || len > NAMES_MAX_PATH || p[0] != '/' || strlen(p) != len)
		return false;
	if (len > 1 && p[len - 1] == '/')
		return false;
	if (strstr(p, "//") != NULL)
		return false;
	return strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-/") ==
	       len;
}

static size_t depth(const char *p)
{
	size_t n = 0;

	for (; *p != '\0'; p++)
		n += *p == '/' && p[1] != '\0';
	return n;
}

static void check_map(const char *name, const char *prefix, const char *add, bool last)
{
	struct buf out = BUF_INIT;
	struct err e = {ERR_NONE, ""};
	const char *v;

	if (names_map(name, prefix, add, last, &out, &e) < 0) {
		if (e.kind != ERR_NAMES)
			abort();
		buf_release(&out);
		return;
	}
	v = buf_cstr(&out);
	if (add != NULL) {
		if (strncmp(v, add, strlen(add)) != 0)
			abort();
		v += strlen(add);
	}
	if (*v == '\0')
		abort();
	/* mapped bytes are [A-Z0-9_], and never start with a digit */
	if (strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") != strlen(v))
		abort();
	if (add == NULL && !names_valid_var(buf_cstr(&out)) && out.len <= NAMES_MAX_VAR)
		abort();
	(void)names_reserved(buf_cstr(&out));
	(void)names_in_list(buf_cstr(&out), add);
	buf_release(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size + NFIELDS + 1);
	const char *f[NFIELDS] = {"", "", "", "", ""};
	struct buf path = BUF_INIT, full = BUF_INIT;
	struct err e = {ERR_NONE, ""};
	size_t k = 0, start = 0;
	unsigned flags;

	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	for (size_t i = 0; i <= size && k < NFIELDS; i++) {
		if (copy[i] == '\0') {
			f[k++] = copy + start;
			start = i + 1;
		}
	}
	flags = (unsigned char)f[0][0];
	if (names_path_normalize((flags & 1) ? f[1] : NULL, f[2], &path, &e) == 0) {
		if (!path_ok(buf_cstr(&path), path.len) || depth(buf_cstr(&path)) > NAMES_MAX_DEPTH)
			abort();
		/* normalising is idempotent */
		if (names_path_normalize(NULL, buf_cstr(&path), &full, &e) != 0 ||
		    strcmp(buf_cstr(&full), buf_cstr(&path)) != 0)
			abort();
		buf_truncate(&full, 0);
		if (f[3][0] == '/') {
			if (buf_puts(&full, f[3], NULL) < 0)
				abort();
		} else if (buf_puts(&full, buf_cstr(&path), NULL) < 0 ||
		           (path.len > 1 && buf_putc(&full, '/', NULL) < 0) ||
		           buf_puts(&full, f[3], NULL) < 0) {
			abort();
		}
		if (names_under(buf_cstr(&full), buf_cstr(&path)))
			check_map(buf_cstr(&full), buf_cstr(&path), (flags & 2) ? f[4] : NULL,
			          (flags & 4) != 0);
	} else if (e.kind != ERR_USAGE || e.msg[0] == '\0') {
		abort();
	}
	(void)names_under(f[3], f[2]);
	(void)names_valid_var(f[3]);
	(void)names_in_list(f[3], f[4]);
	(void)names_reserved(f[3]);
	buf_release(&path);
	buf_release(&full);
	free(copy);
	return 0;
}
