/*
 * fuzz_refs.c - libFuzzer target for refs_scan: NUL-separated environment
 * entries, some of them ssm:// references, some selecting a #FIELD.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "refs.h"

#define MAX_ENTRIES 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* check holds refs_scan to its contract for one accepted environment. */
static void check(const struct refs *r, char *const *envp)
{
	for (size_t i = 0; i < r->len; i++) {
		const struct ref *ref = &r->items[i];
		const char *v;

		/* every reference names a variable whose value is ssm:// + request */
		if (ref->request[0] != '/' || ref->base_len < 2 || ref->base_len > strlen(ref->request))
			abort();
		/* the name's first entry, which is what the program would see */
		v = NULL;
		for (char *const *p = envp; *p != NULL && v == NULL; p++) {
			size_t n = strlen(ref->var);

			if (!strncmp(*p, ref->var, n) && (*p)[n] == '=')
				v = *p + n + 1;
		}
		if (v == NULL || strncmp(v, REFS_SCHEME, strlen(REFS_SCHEME)) != 0)
			abort();
		v += strlen(REFS_SCHEME);
		/* ssm:// + request, then #field when the reference selects one */
		if (strncmp(v, ref->request, strlen(ref->request)) != 0)
			abort();
		v += strlen(ref->request);
		if (ref->field == NULL ? *v != '\0'
		                       : *v != '#' || strcmp(v + 1, ref->field) != 0 ||
		                                 strchr(ref->request, '#') != NULL)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size + 1);
	char *envp[MAX_ENTRIES + 1];
	size_t n = 0, start = 0;
	struct refs r;
	struct err e = { ERR_NONE, "" };

	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	for (size_t i = 0; i <= size && n < MAX_ENTRIES; i++) {
		if (copy[i] != '\0')
			continue;
		envp[n++] = copy + start;
		start = i + 1;
	}
	envp[n] = NULL;
	refs_init(&r);
	if (refs_scan(envp, &r, &e) == 0)
		check(&r, envp);
	else if (e.kind != ERR_USAGE || e.msg[0] == '\0')
		abort();
	refs_release(&r);
	free(copy);
	return 0;
}
