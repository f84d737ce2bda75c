/*
 * fuzz_scrub.c - libFuzzer target for scrub_copy: the input is up to two
 * secrets, one a line, then the server text; the first byte picks the
 * size of the copy.
 *
 *   clang -fsanitize=fuzzer,address,undefined -Isrc src/scrub.c \
 *       tests/fuzz/fuzz_scrub.c
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scrub.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* checkable tells whether s is looked for (long enough) and no output
 * could hold it but by showing it: the mark cannot make it up (no bracket,
 * not a piece of the mark) and turning control bytes into spaces cannot
 * either. */
static int checkable(const char *s)
{
	if (strlen(s) < SCRUB_MIN_SECRET || strstr(SCRUB_MARK, s) != NULL)
		return 0;
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s <= ' ' || *s == 0x7f || *s == '[' || *s == ']')
			return 0;
	}
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy, *text, *secrets[3] = {NULL, NULL, NULL}, out[600];
	size_t outsize, n;

	if (size < 1)
		return 0;
	outsize = data[0] % sizeof(out) + 1;
	copy = malloc(size);
	if (copy == NULL)
		return 0;
	memcpy(copy, data + 1, size - 1);
	copy[size - 1] = '\0';
	text = copy;
	for (int i = 0; i < 2; i++) {
		char *nl = strchr(text, '\n');

		if (nl == NULL)
			break;
		*nl = '\0';
		secrets[i] = text;
		text = nl + 1;
	}
	n = size - 1 - (size_t)(text - copy);
	memset(out, 'X', sizeof(out));
	scrub_copy(out, outsize, text, n, (const char *const *)secrets);
	if (strnlen(out, outsize) == outsize)
		abort();
	for (const char *p = out; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			abort();
	}
	for (int i = 0; i < 2; i++) {
		if (secrets[i] != NULL && checkable(secrets[i]) && strstr(out, secrets[i]) != NULL)
			abort();
	}
	free(copy);
	return 0;
}
