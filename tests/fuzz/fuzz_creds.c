/*
 * fuzz_creds.c - libFuzzer target for every credential JSON reader
 * (credential_process, container, IMDS, SSO token cache, SSO portal), the
 * credential_process splitter, the ISO 8601 reader and the container
 * host rule. The first byte picks the reader; the rest is its input.
 *
 *   clang -fsanitize=fuzzer,address,undefined -std=c11 -D_DEFAULT_SOURCE \
 *     -D_XOPEN_SOURCE=700 -DENVSSM_VERSION='"fuzz"' -Isrc tests/fuzz/fuzz_creds.c \
 *     SRCS -lcjson -lcurl -lcrypto -pthread    (SRCS: every src file but main.c)
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "creds.h"
#include "creds_container.h"
#include "creds_json.h"
#include "creds_process.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* one_line tells whether a message is a non-empty single printable line. */
static int one_line(const char *s, size_t size)
{
	size_t n = strnlen(s, size);

	if (n == 0 || n == size)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	}
	return 1;
}

/* whole tells whether a buffer holds a C string of exactly its length. */
static int whole(const struct buf *b)
{
	return strlen(buf_cstr(b)) == b->len;
}

/* check_creds: success fills both keys with whole strings; failure leaves
 * nothing behind and says why on one line. */
static void check_creds(bool ok, const struct creds *c, const struct err *e)
{
	if (ok) {
		if (c->access_key_id.len == 0 || c->secret_access_key.len == 0 ||
		    !whole(&c->access_key_id) || !whole(&c->secret_access_key) ||
		    !whole(&c->session_token))
			abort();
		return;
	}
	if (c->access_key_id.data != NULL || c->secret_access_key.data != NULL ||
	    c->session_token.data != NULL)
		abort();
	if (e != NULL && (e->kind == ERR_NONE || !one_line(e->msg, sizeof(e->msg))))
		abort();
}

static void json(uint8_t which, const char *p, size_t n)
{
	struct creds c;
	struct buf why = BUF_INIT, tok = BUF_INIT;
	struct err e = { ERR_NONE, "" };
	time_t t = 0;
	int rc;

	creds_init(&c);
	switch (which % 5) {
	case 0:
		rc = creds_json_process(p, n, &c, &e);
		check_creds(rc == 0, &c, &e);
		break;
	case 1:
		rc = creds_json_container(p, n, &c, &e);
		check_creds(rc == 0, &c, &e);
		break;
	case 2:
		rc = creds_json_imds(p, n, NULL, &c, &why, &e);
		check_creds(rc > 0, &c, rc < 0 ? &e : NULL);
		if (rc == 0 && !one_line(buf_cstr(&why), why.len + 1))
			abort();
		break;
	case 3:
		rc = creds_json_sso_token(p, n, &tok, &t, &e);
		if (rc == 0 && (tok.len == 0 || !whole(&tok)))
			abort();
		if (rc < 0 && (tok.data != NULL || !one_line(e.msg, sizeof(e.msg))))
			abort();
		break;
	default:
		rc = creds_json_sso_role(p, n, &c, &e);
		check_creds(rc == 0, &c, &e);
		break;
	}
	creds_release(&c);
	buf_release(&why);
	buf_release(&tok);
}

static void text(uint8_t which, const char *s)
{
	struct creds_argv av;
	struct err e = { ERR_NONE, "" };
	time_t t;

	switch (which % 3) {
	case 0:
		if (creds_process_split(s, &av, &e) == 0) {
			if (av.argc > 0 && av.argv[av.argc] != NULL)
				abort();
		} else if (!one_line(e.msg, sizeof(e.msg))) {
			abort();
		}
		creds_argv_release(&av);
		break;
	case 1:
		if (creds_parse_time(s, &t) == 0 && t < 0)
			abort();
		break;
	default:
		if (creds_container_host_allowed(s, &e) < 0 && e.kind != ERR_CONFIG)
			abort();
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;

	if (size < 1)
		return 0;
	json(data[0], (const char *)data + 1, size - 1);
	s = malloc(size);
	if (s == NULL)
		return 0;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	text(data[0], s);
	free(s);
	return 0;
}
