/*
 * fuzz_creds_sts.c - libFuzzer target for the STS XML readers: the
 * AssumeRole and AssumeRoleWithWebIdentity results, GetCallerIdentity,
 * and the element reader under them.
 *
 *   clang -fsanitize=fuzzer,address,undefined -std=c11 -D_DEFAULT_SOURCE \
 *     -D_XOPEN_SOURCE=700 -DENVSSM_VERSION='"fuzz"' -Isrc tests/fuzz/fuzz_creds_sts.c \
 *     SRCS -lcjson -lcurl -lcrypto -pthread    (SRCS: every src file but main.c)
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int clean(const char *s, size_t size)
{
	size_t n = strnlen(s, size);

	if (n == size)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	}
	return 1;
}

static int whole(const struct buf *b)
{
	return strlen(buf_cstr(b)) == b->len;
}

static void credentials(const char *xml, size_t n, const char *result)
{
	struct creds c;
	struct sts_identity who;
	struct err e = { ERR_NONE, "" };

	creds_init(&c);
	if (sts_parse_credentials(xml, n, result, &c, &who, &e) == 0) {
		if (c.access_key_id.len == 0 || c.secret_access_key.len == 0 ||
		    c.session_token.len == 0 || c.expiration == 0 || !whole(&c.access_key_id) ||
		    !whole(&c.secret_access_key) || !whole(&c.session_token) ||
		    !clean(who.arn, sizeof(who.arn)) || !clean(who.user_id, sizeof(who.user_id)))
			abort();
	} else if (c.access_key_id.data != NULL || e.kind == ERR_NONE || !clean(e.msg, sizeof(e.msg)) ||
		   e.msg[0] == '\0') {
		abort();
	}
	creds_release(&c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *xml = (const char *)data;
	struct sts_identity id;
	struct buf b = BUF_INIT;
	struct err e = { ERR_NONE, "" };

	credentials(xml, size, "AssumeRoleResult");
	credentials(xml, size, "AssumeRoleWithWebIdentityResult");
	if (sts_parse_identity(xml, size, &id, &e) == 0 &&
	    (!clean(id.arn, sizeof(id.arn)) || !clean(id.account, sizeof(id.account)) ||
	     !clean(id.user_id, sizeof(id.user_id)) || id.arn[0] == '\0'))
		abort();
	if (sts_xml_text(xml, size, "Code", &b, &e) > 0 && b.data == NULL && b.len != 0)
		abort();
	buf_release(&b);
	return 0;
}
