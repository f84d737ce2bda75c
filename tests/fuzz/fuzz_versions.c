/*
 * fuzz_versions.c - libFuzzer target for what a watch reads between starts:
 * the DescribeParameters answer, and the fingerprints built from it.
 *
 * The input is split at its first NUL: the first part is an answer parsed
 * into a fingerprint, the second another; both are sorted and compared.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "versions.h"

static void fingerprint(const char *data, size_t len, struct buf *fp)
{
	struct buf token = BUF_INIT;
	struct err e = {ERR_NONE, ""};

	if (versions_parse_describe(data, len, fp, &token, &e) == 0 && token.len > 8192)
		__builtin_trap();
	if (versions_sort(fp, &e) < 0 && e.kind != ERR_NOMEM)
		__builtin_trap();
	buf_release(&token);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	const char *nul = memchr(text, '\0', size);
	size_t first = nul ? (size_t)(nul - text) : size;
	struct buf a = BUF_INIT, b = BUF_INIT, again = BUF_INIT, diff = BUF_INIT;
	struct err e = {ERR_NONE, ""};

	fingerprint(text, first, &a);
	if (nul != NULL)
		fingerprint(nul + 1, size - first - 1, &b);
	/* sorting is idempotent, and a fingerprint equals itself */
	if (buf_append(&again, a.data, a.len, &e) == 0 && versions_sort(&again, &e) == 0 &&
	    (again.len != a.len || (a.len && memcmp(again.data, a.data, a.len) != 0)))
		__builtin_trap();
	if (versions_diff(&a, &a, &diff, 50, &e) == 0 && diff.len != 0)
		__builtin_trap();
	buf_truncate(&diff, 0);
	versions_diff(&a, &b, &diff, 50, &e);
	buf_release(&a);
	buf_release(&b);
	buf_release(&again);
	buf_release(&diff);
	return 0;
}
