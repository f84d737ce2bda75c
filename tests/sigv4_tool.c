/*
 * sigv4_tool.c - test tool: sign requests described in JSON, one object per
 * line on stdin, and print one line per request: the Authorization value, or
 * "error: <message>". Exits 1 when any request failed. Used by
 * tests/sigv4_botocore.py; not part of envssm.
 *
 * {"method": "POST", "path": "/", "query": "a=b" (optional),
 *  "headers": [["Host", "..."], ...], "body_b64": "..." or "body": "...",
 *  "access_key": "...", "secret_key": "...", "region": "...",
 *  "service": "...", "amz_date": "YYYYMMDDTHHMMSSZ",
 *  "normalize": true (optional, the default)}
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <openssl/evp.h>

#include "sigv4.h"

#define TOOL_MAX_LINE    (16 * 1024 * 1024)
#define TOOL_MAX_HEADERS 128

struct tool_req {
	struct sigv4_request req;
	struct sigv4_signer signer;
	struct sigv4_header headers[TOOL_MAX_HEADERS];
	unsigned char *body; /* decoded body_b64, owned */
};

static const char *str_field(const cJSON *o, const char *k)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(it) ? it->valuestring : NULL;
}

/* decode_b64 decodes s into a malloc'd block; -1 when s is not base64. */
static int decode_b64(const char *s, unsigned char **out, size_t *n)
{
	size_t len = strlen(s), pad = 0;
	int got;

	if (len % 4 != 0 || len > (size_t)INT_MAX)
		return -1;
	*out = malloc(len / 4 * 3 + 1);
	if (*out == NULL)
		return -1;
	got = EVP_DecodeBlock(*out, (const unsigned char *)s, (int)len);
	if (got < 0)
		return -1;
	while (pad < 2 && len > pad && s[len - 1 - pad] == '=')
		pad++;
	*n = (size_t)got - pad;
	return 0;
}

static int get_body(const cJSON *o, struct tool_req *t)
{
	const char *b64 = str_field(o, "body_b64"), *text = str_field(o, "body");

	if (b64 != NULL)
		return decode_b64(b64, &t->body, &t->req.body_len) < 0 ? -1 : 0;
	if (text != NULL) {
		t->req.body = text;
		t->req.body_len = strlen(text);
	}
	return 0;
}

static int get_headers(const cJSON *o, struct tool_req *t)
{
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(o, "headers"), *pair;
	size_t n = 0;

	if (!cJSON_IsArray(list))
		return -1;
	cJSON_ArrayForEach(pair, list)
	{
		const cJSON *name = cJSON_GetArrayItem(pair, 0),
		            *value = cJSON_GetArrayItem(pair, 1);

		if (n >= TOOL_MAX_HEADERS || !cJSON_IsString(name) || !cJSON_IsString(value))
			return -1;
		t->headers[n].name = name->valuestring;
		t->headers[n].value = value->valuestring;
		n++;
	}
	t->req.headers = t->headers;
	t->req.nheaders = n;
	return 0;
}

/* parse_req fills t from o; its strings stay owned by o. */
static int parse_req(const cJSON *o, struct tool_req *t)
{
	const cJSON *norm = cJSON_GetObjectItemCaseSensitive(o, "normalize");

	t->req.method = str_field(o, "method");
	t->req.path = str_field(o, "path");
	t->req.query = str_field(o, "query");
	t->req.normalize_path = !cJSON_IsFalse(norm);
	t->signer.access_key_id = str_field(o, "access_key");
	t->signer.secret_access_key = str_field(o, "secret_key");
	t->signer.region = str_field(o, "region");
	t->signer.service = str_field(o, "service");
	t->signer.amz_date = str_field(o, "amz_date");
	if (get_headers(o, t) < 0 || get_body(o, t) < 0)
		return -1;
	if (t->body != NULL)
		t->req.body = t->body;
	return 0;
}

/* sign_line handles one input line; returns 0 or -1 (line printed). */
static int sign_line(const char *line)
{
	struct tool_req t;
	struct sigv4_result out;
	struct err e = {0};
	cJSON *o = cJSON_Parse(line);
	int rc = -1;

	memset(&t, 0, sizeof(t));
	sigv4_result_init(&out);
	if (o == NULL || parse_req(o, &t) < 0)
		printf("error: malformed request line\n");
	else if (sigv4_sign(&t.req, &t.signer, &out, &e) < 0)
		printf("error: %s\n", e.msg);
	else
		rc = printf("%s\n", buf_cstr(&out.authorization)) < 0 ? -1 : 0;
	sigv4_result_release(&out);
	free(t.body);
	cJSON_Delete(o);
	return rc;
}

int main(void)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int status = 0;

	while ((n = getline(&line, &cap, stdin)) > 0) {
		if (line[n - 1] == '\n')
			line[--n] = '\0';
		if (n == 0)
			continue;
		if (n > TOOL_MAX_LINE) {
			printf("error: request line too long\n");
			status = 1;
			continue;
		}
		if (sign_line(line) < 0)
			status = 1;
	}
	free(line);
	if (fflush(stdout) != 0 || ferror(stdin))
		status = 1;
	return status;
}
