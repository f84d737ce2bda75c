/*
 * fuzz_ssm.c - libFuzzer target for the response readers: the input is a
 * GetParametersByPath body for ssm_parse_page, a GetParameters body for
 * ssm_parse_get_parameters and, through a fake http response, an error
 * body for aws_error_parse.
 *
 *   clang -fsanitize=fuzzer,address,undefined -Isrc tests/fuzz/fuzz_ssm.c \
 *     src/ssm.c src/aws.c src/http.c src/sigv4.c src/log.c src/envp.c \
 *     src/buf.c src/err.c -lcjson -lcurl -lcrypto
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ssm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* clean tells whether a fixed field is terminated and free of control
 * bytes, as aws_error_parse promises for one-line messages. */
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

/* check_params aborts on a parameter read wrong: every one named, its
 * value never cut short (no NUL inside it), its type ended. */
static void check_params(const struct ssm_params *out)
{
	for (size_t i = 0; i < out->len; i++) {
		const struct ssm_param *p = &out->items[i];

		if (p->name == NULL || p->name[0] == '\0' ||
		    strlen(buf_cstr(&p->value)) != p->value.len ||
		    memchr(p->type, '\0', sizeof(p->type)) == NULL)
			abort();
	}
}

static void parse_page(const uint8_t *data, size_t size)
{
	struct ssm_params out;
	struct buf token = BUF_INIT;
	struct err e = {ERR_NONE, ""};

	ssm_params_init(&out);
	if (ssm_parse_page((const char *)data, size, &out, &token, &e) == 0) {
		check_params(&out);
		if (strlen(buf_cstr(&token)) != token.len || token.len > 8192)
			abort();
	} else if (e.kind == ERR_NONE || e.msg[0] == '\0') {
		abort();
	}
	ssm_params_release(&out);
	buf_release(&token);
}

/* parse_get reads the body as a GetParameters answer: the references'
 * fetch and a --watch-parameter poll. */
static void parse_get(const uint8_t *data, size_t size)
{
	struct ssm_params out;
	struct buf invalid = BUF_INIT;
	struct err e = {ERR_NONE, ""};

	ssm_params_init(&out);
	if (ssm_parse_get_parameters((const char *)data, size, &out, &invalid, &e) == 0) {
		check_params(&out);
		/* one invalid name a line, each ended */
		if (strlen(buf_cstr(&invalid)) != invalid.len ||
		    (invalid.len > 0 && invalid.data[invalid.len - 1] != '\n'))
			abort();
	} else if (e.kind == ERR_NONE || e.msg[0] == '\0') {
		abort();
	}
	ssm_params_release(&out);
	buf_release(&invalid);
}

static void parse_error(const uint8_t *data, size_t size)
{
	static const char *const secrets[] = {"IQoJb3JpZ2luX2VjSESSIONtoken", NULL};
	struct http_response resp;
	struct aws_error ae;
	size_t head = size < 64 ? size : 64;

	http_response_init(&resp);
	/* the first bytes feed the header fields the http layer fills */
	resp.status = size > 0 ? 300 + data[0] % 300 : 400;
	memcpy(resp.request_id, data, head);
	memcpy(resp.error_type, data, head);
	memcpy(resp.content_type, data, head); /* quoted, so scrubbed and one line */
	if (buf_append(&resp.body, data, size, NULL) < 0)
		abort();
	aws_error_parse(&resp, secrets, &ae);
	if (!clean(ae.code, sizeof(ae.code)) || !clean(ae.message, sizeof(ae.message)) ||
	    !clean(ae.request_id, sizeof(ae.request_id)) || ae.code[0] == '\0')
		abort();
	/* a server quoting the request back never gets its secret shown */
	if (strstr(ae.code, secrets[0]) != NULL || strstr(ae.message, secrets[0]) != NULL ||
	    strstr(ae.request_id, secrets[0]) != NULL)
		abort();
	(void)aws_retry_classify(&ae);
	http_response_release(&resp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	parse_page(data, size);
	parse_get(data, size);
	parse_error(data, size);
	return 0;
}
