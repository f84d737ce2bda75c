/*
 * test_ssm.c - GetParametersByPath responses and pagination: real-shaped
 * pages, JSON escapes decoded exactly, hostile and malformed bodies, and
 * the rule that no error message ever carries a value. Pagination runs
 * against a fake http client (no sockets).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "ssm.h"

#define SECRET "s3cr3t-Value-7c1e"

/* --- helpers --- */

struct page {
	struct ssm_params params;
	struct buf token;
	struct err e;
	int rc;
};

static void page_init(struct page *pg)
{
	ssm_params_init(&pg->params);
	buf_init(&pg->token);
	memset(&pg->e, 0, sizeof(pg->e));
	pg->rc = 0;
}

static void page_release(struct page *pg)
{
	ssm_params_release(&pg->params);
	buf_release(&pg->token);
}

/* parse_len parses len bytes of body into pg (appending). */
static int parse_len(struct page *pg, const char *body, size_t len)
{
	/* a private copy, so ASan sees any read past len */
	char *copy = malloc(len ? len : 1);

	assert_non_null(copy);
	memcpy(copy, body, len);
	memset(&pg->e, 0, sizeof(pg->e));
	pg->rc = ssm_parse_page(copy, len, &pg->params, &pg->token, &pg->e);
	free(copy);
	return pg->rc;
}

static int parse(struct page *pg, const char *body)
{
	return parse_len(pg, body, strlen(body));
}

static void parse_ok(struct page *pg, const char *body)
{
	if (parse(pg, body) != 0)
		fail_msg("ssm_parse_page failed: %s", pg->e.msg);
}

/* parse_bad_len expects kind, a message, and no value in that message. */
static void parse_bad_len(const char *body, size_t len, enum err_kind kind)
{
	struct page pg;

	page_init(&pg);
	if (parse_len(&pg, body, len) != -1)
		fail_msg("accepted: %.*s", (int)len, body);
	if (pg.e.kind != kind)
		fail_msg("kind %d, want %d (%s) for: %.*s", pg.e.kind, kind, pg.e.msg, (int)len,
		         body);
	assert_true(pg.e.msg[0] != '\0');
	if (strstr(pg.e.msg, SECRET) != NULL)
		fail_msg("the message leaks the value: %s", pg.e.msg);
	page_release(&pg);
}

static void parse_bad(const char *body, enum err_kind kind)
{
	parse_bad_len(body, strlen(body), kind);
}

/* one_value parses a one-parameter page whose Value is the JSON text
 * value_json (quotes included) and returns a copy of the decoded value
 * and its length. */
static char *one_value(const char *value_json, size_t *len)
{
	struct page pg;
	char body[1024];
	char *copy;

	snprintf(body, sizeof(body), "{\"Parameters\":[{\"Name\":\"/a/x\",\"Value\":%s}]}",
	         value_json);
	page_init(&pg);
	parse_ok(&pg, body);
	assert_int_equal(pg.params.len, 1);
	*len = pg.params.items[0].value.len;
	copy = malloc(*len + 1);
	assert_non_null(copy);
	memcpy(copy, pg.params.items[0].value.data, *len + 1);
	page_release(&pg);
	return copy;
}

static void value_is(const char *value_json, const char *want, size_t want_len)
{
	size_t len;
	char *got = one_value(value_json, &len);

	assert_int_equal(len, want_len);
	assert_memory_equal(got, want, want_len);
	assert_int_equal(got[len], '\0');
	free(got);
}

/* VALUE_IS compares with a literal, NUL bytes and all. */
#define VALUE_IS(json, want) value_is(json, want, sizeof(want) - 1)

/* --- ssm_parse_page: good pages --- */

#define REAL_PAGE                                                                                     \
	"{\"NextToken\":\"AAEAAb4LtlbZKzx0c1uR7HiuHG6Vw==\",\"Parameters\":["                         \
	"{\"ARN\":\"arn:aws:ssm:eu-west-1:123456789012:parameter/production/app/django/secret-key\"," \
	"\"DataType\":\"text\",\"LastModifiedDate\":1.704067200123E9,"                                \
	"\"Name\":\"/production/app/django/secret-key\",\"Type\":\"SecureString\","                   \
	"\"Value\":\"" SECRET "\",\"Version\":7},"                                                    \
	"{\"ARN\":\"arn:aws:ssm:eu-west-1:123456789012:parameter/production/app/db/host\","           \
	"\"DataType\":\"text\",\"LastModifiedDate\":1704067200,"                                      \
	"\"Name\":\"/production/app/db/host\",\"Type\":\"String\","                                   \
	"\"Value\":\"db.internal\",\"Version\":1,\"Selector\":\":1\",\"SourceResult\":null},"         \
	"{\"Name\":\"/production/app/hosts\",\"Type\":\"StringList\",\"Value\":\"a,b,c\","            \
	"\"Version\":12,\"LastModifiedDate\":1704067200.5,\"DataType\":\"text\"}"                     \
	"]}"

static void test_real_page(void **state)
{
	struct page pg;

	(void)state;
	page_init(&pg);
	parse_ok(&pg, REAL_PAGE);
	assert_int_equal(pg.params.len, 3);
	assert_string_equal(pg.params.items[0].name, "/production/app/django/secret-key");
	assert_string_equal(pg.params.items[0].type, "SecureString");
	assert_int_equal(pg.params.items[0].version, 7);
	assert_string_equal(buf_cstr(&pg.params.items[0].value), SECRET);
	assert_int_equal(pg.params.items[0].value.len, strlen(SECRET));
	assert_string_equal(pg.params.items[1].name, "/production/app/db/host");
	assert_string_equal(pg.params.items[1].type, "String");
	assert_int_equal(pg.params.items[1].version, 1);
	assert_string_equal(buf_cstr(&pg.params.items[1].value), "db.internal");
	assert_string_equal(pg.params.items[2].type, "StringList");
	assert_int_equal(pg.params.items[2].version, 12);
	assert_string_equal(buf_cstr(&pg.params.items[2].value), "a,b,c");
	assert_string_equal(buf_cstr(&pg.token), "AAEAAb4LtlbZKzx0c1uR7HiuHG6Vw==");
	page_release(&pg);
	assert_int_equal(pg.params.len, 0);
	assert_null(pg.params.items);
	ssm_params_release(&pg.params); /* twice is harmless */
}

static void test_next_token(void **state)
{
	struct page pg;

	(void)state;
	page_init(&pg);
	parse_ok(&pg, "{\"Parameters\":[],\"NextToken\":\"tok-1\"}");
	assert_string_equal(buf_cstr(&pg.token), "tok-1");
	assert_int_equal(pg.params.len, 0);
	/* absent: the token is emptied, not kept from the last page */
	parse_ok(&pg, "{\"Parameters\":[{\"Name\":\"/a/b\",\"Value\":\"v\"}]}");
	assert_int_equal(pg.token.len, 0);
	assert_string_equal(buf_cstr(&pg.token), "");
	parse_ok(&pg, "{\"Parameters\":[],\"NextToken\":\"tok-2\"}");
	parse_ok(&pg, "{\"Parameters\":[],\"NextToken\":null}");
	assert_int_equal(pg.token.len, 0);
	parse_ok(&pg, "{\"Parameters\":[],\"NextToken\":\"tok-3\"}");
	parse_ok(&pg, "{\"Parameters\":[],\"NextToken\":\"\"}");
	assert_int_equal(pg.token.len, 0);
	assert_int_equal(pg.params.len, 1);
	page_release(&pg);
}

static void test_pages_append(void **state)
{
	struct page pg;

	(void)state;
	page_init(&pg);
	parse_ok(&pg,
	         "{\"Parameters\":[{\"Name\":\"/a/1\",\"Value\":\"one\"}],\"NextToken\":\"t\"}");
	parse_ok(&pg, "{\"Parameters\":[],\"NextToken\":\"u\"}");
	parse_ok(&pg, "{\"Parameters\":[{\"Name\":\"/a/2\",\"Value\":\"two\"},"
	              "{\"Name\":\"/a/3\",\"Value\":\"\"}]}");
	assert_int_equal(pg.params.len, 3);
	assert_string_equal(pg.params.items[0].name, "/a/1");
	assert_string_equal(pg.params.items[1].name, "/a/2");
	assert_string_equal(pg.params.items[2].name, "/a/3");
	assert_string_equal(buf_cstr(&pg.params.items[0].value), "one");
	assert_int_equal(pg.params.items[2].value.len, 0);
	assert_string_equal(buf_cstr(&pg.params.items[2].value), "");
	page_release(&pg);
}

static void test_whitespace_and_order(void **state)
{
	struct page pg;

	(void)state;
	page_init(&pg);
	parse_ok(&pg, " \r\n\t{ \"NextToken\" : \"n\" ,\n \"Parameters\" : [ {\n\"Value\":\"v\" , "
	              "\"Name\" : \"/a/b\" } ] }\n ");
	assert_int_equal(pg.params.len, 1);
	assert_string_equal(buf_cstr(&pg.token), "n");
	page_release(&pg);
}

static void test_optional_fields(void **state)
{
	struct page pg;

	(void)state;
	page_init(&pg);
	parse_ok(&pg,
	         "{\"Parameters\":[{\"Name\":\"/a/b\",\"Value\":\"v\",\"Type\":null,"
	         "\"Version\":\"3\"},"
	         "{\"Name\":\"/a/c\",\"Value\":\"w\",\"Type\":\"AVeryLongTypeNameThatDoesNotFit\","
	         "\"Version\":1e999},"
	         "{\"Name\":\"/a/d\",\"Value\":\"x\",\"Version\":-1e999},"
	         "{\"Name\":\"/a/e\",\"Value\":\"y\",\"Version\":9.3e18}]}");
	assert_int_equal(pg.params.len, 4);
	assert_string_equal(pg.params.items[0].type, "");
	assert_int_equal(pg.params.items[0].version, 0);
	assert_true(strlen(pg.params.items[1].type) < sizeof(pg.params.items[1].type));
	assert_true(strncmp(pg.params.items[1].type, "AVeryLong", 9) == 0);
	/* out-of-range versions are not converted (that would be undefined) */
	assert_true(pg.params.items[1].version >= 0);
	assert_true(pg.params.items[3].version >= 0);
	page_release(&pg);
}

/* --- values decoded exactly --- */

static void test_value_escapes(void **state)
{
	(void)state;
	VALUE_IS("\"line1\\nline2\"", "line1\nline2");
	VALUE_IS("\"a\\\"b\"", "a\"b");
	VALUE_IS("\"a\\\\b\"", "a\\b");
	VALUE_IS("\"\\/\\b\\f\\r\\t\"", "/\b\f\r\t");
	VALUE_IS("\"caf\\u00e9\"", "caf\xc3\xa9");
	VALUE_IS("\"\\u20ac\"", "\xe2\x82\xac");
	VALUE_IS("\"\\ud83d\\udd11\"", "\xf0\x9f\x94\x91");
	VALUE_IS("\"\\uD83D\\uDD11\"", "\xf0\x9f\x94\x91");
	VALUE_IS("\"\\u0041\\u007f\\u0001\"", "A\x7f\x01");
	VALUE_IS("\"raw caf\xc3\xa9 \xf0\x9f\x94\x91\"", "raw caf\xc3\xa9 \xf0\x9f\x94\x91");
	VALUE_IS("\"k=v; $HOME `x` 'q'\"", "k=v; $HOME `x` 'q'");
	VALUE_IS("\"\"", "");
}

static void test_value_escaped_backslash_then_u0000(void **state)
{
	(void)state;
	/* JSON text \\u0000 is a backslash followed by "u0000": no NUL */
	VALUE_IS("\"\\\\u0000\"", "\\u0000");
	VALUE_IS("\"a\\\\\\\\u0000b\"", "a\\\\u0000b");
}

static void test_value_nul_rejected(void **state)
{
	(void)state;
	parse_bad("{\"Parameters\":[{\"Name\":\"/a/x\",\"Value\":\"" SECRET "\\u0000" SECRET
	          "\"}]}",
	          ERR_NAMES);
	parse_bad("{\"Parameters\":[{\"Name\":\"/a/x\",\"Value\":\"\\u0000\"}]}", ERR_NAMES);
	/* an escaped backslash, then a real \u0000 */
	parse_bad("{\"Parameters\":[{\"Name\":\"/a/x\",\"Value\":\"" SECRET "\\\\\\u0000\"}]}",
	          ERR_NAMES);
	parse_bad("{\"Parameters\":[{\"Name\":\"/a/\\u0000x\",\"Value\":\"" SECRET "\"}]}",
	          ERR_NAMES);
}

static void test_raw_nul_rejected(void **state)
{
	static const char body[] =
	        "{\"Parameters\":[{\"Name\":\"/a/x\",\"Value\":\"" SECRET "\0" SECRET "\"}]}";
	static const char tail[] = "{\"Parameters\":[]}\0{\"Parameters\":[{\"Name\":\"/a\"}]}";

	(void)state;
	/* cJSON would cut the value at the NUL: a silently truncated secret */
	parse_bad_len(body, sizeof(body) - 1, ERR_PARSE);
	parse_bad_len(tail, sizeof(tail) - 1, ERR_PARSE);
}

/* --- malformed bodies --- */

static void test_malformed(void **state)
{
	static const char *const bodies[] = {
	        "",
	        " ",
	        "null",
	        "[]",
	        "42",
	        "\"" SECRET "\"",
	        "{",
	        "{\"Parameters\":[{\"Name\":\"/a/x\",\"Value\":\"" SECRET "\"}",
	        "{\"Parameters\":[{\"Name\":\"/a/x\",\"Value\":\"" SECRET,
	        "{\"Parameters\":[{\"Name\":\"/a/x\",\"Value\":\"" SECRET "\"}]}}",
	        "{\"Parameters\":[{\"Name\":\"/a/x\",\"Value\":\"" SECRET "\"}]} trailing",
	        "{\"Parameters\":[]}{\"Parameters\":[{\"Name\":\"/a/x\",\"Value\":\"" SECRET
	        "\"}]}",
	        "{\"Parameters\":{}}",
	        "{\"Parameters\":\"" SECRET "\"}",
	        "{\"Parameters\":null}",
	        "{\"Parameters\":[\"" SECRET "\"]}",
	        "{\"Parameters\":[null]}",
	        "{\"Parameters\":[[]]}",
	        "{\"Parameters\":[{\"Name\":\"/a/x\"}]}",
	        "{\"Parameters\":[{\"Value\":\"" SECRET "\"}]}",
	        "{\"Parameters\":[{\"Name\":\"/a/x\",\"Value\":null}]}",
	        "{\"Parameters\":[{\"Name\":\"/a/x\",\"Value\":42}]}",
	        "{\"Parameters\":[{\"Name\":42,\"Value\":\"" SECRET "\"}]}",
	        "{\"Parameters\":[{\"Name\":\"\",\"Value\":\"" SECRET "\"}]}",
	        "{\"Parameters\":[{\"Name\":\"/a/x\",\"Value\":\"" SECRET "\\x\"}]}",
	        "{\"Parameters\":[{\"Name\":\"/a/x\",\"Value\":\"" SECRET "\\ud800\"}]}",
	        "{\"Parameters\":[{\"Name\":\"/a/x\",\"Value\":\"" SECRET "\\udc00\"}]}",
	        "{\"Parameters\":[{\"Name\":\"/a/x\",\"Value\":\"" SECRET "\\u12\"}]}",
	        "{\"Parameters\":[{\"Name\":\"/a/x\",\"Value\":\'" SECRET "\'}]}",
	        "{\"Parameters\":[],\"NextToken\":5}",
	        "{\"Parameters\":[],\"NextToken\":[\"" SECRET "\"]}",
	        /* a 200 without the list is not an empty page */
	        "{}",
	        "{\"NextToken\":\"t\"}",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++)
		parse_bad(bodies[i], ERR_PARSE);
}

static void test_long_name_rejected(void **state)
{
	char *body = malloc(4096);
	int n;

	(void)state;
	assert_non_null(body);
	n = snprintf(body, 4096, "{\"Parameters\":[{\"Name\":\"/%02049d\",\"Value\":\"v\"}]}", 0);
	assert_true(n > 0 && n < 4096);
	parse_bad(body, ERR_PARSE);
	/* 2048 bytes is still a name */
	n = snprintf(body, 4096, "{\"Parameters\":[{\"Name\":\"/%02047d\",\"Value\":\"v\"}]}", 0);
	assert_true(n > 0 && n < 4096);
	{
		struct page pg;

		page_init(&pg);
		parse_ok(&pg, body);
		assert_int_equal(strlen(pg.params.items[0].name), 2048);
		page_release(&pg);
	}
	free(body);
}

static void test_long_token_rejected(void **state)
{
	char *body = malloc(10000);
	int n;

	(void)state;
	assert_non_null(body);
	n = snprintf(body, 10000, "{\"Parameters\":[],\"NextToken\":\"%08193d\"}", 0);
	assert_true(n > 0 && n < 10000);
	parse_bad(body, ERR_LIMIT);
	free(body);
}

static void test_max_params(void **state)
{
	const char *item = "{\"Name\":\"/a\",\"Value\":\"\"},";
	size_t item_len = strlen(item);
	size_t size = 32 + SSM_MAX_PARAMS * item_len;
	char *body = malloc(size);
	size_t o;
	struct page pg;

	(void)state;
	assert_non_null(body);
	o = strlen("{\"Parameters\":[");
	memcpy(body, "{\"Parameters\":[", o);
	for (size_t i = 0; i < SSM_MAX_PARAMS; i++) {
		memcpy(body + o, item, item_len);
		o += item_len;
	}
	memcpy(body + o - 1, "]}", 3);
	page_init(&pg);
	parse_ok(&pg, body);
	assert_int_equal(pg.params.len, SSM_MAX_PARAMS);
	assert_int_equal(
	        parse(&pg, "{\"Parameters\":[{\"Name\":\"/b\",\"Value\":\"" SECRET "\"}]}"), -1);
	assert_int_equal(pg.e.kind, ERR_LIMIT);
	assert_null(strstr(pg.e.msg, SECRET));
	/* an empty page is still fine at the limit */
	parse_ok(&pg, "{\"Parameters\":[]}");
	page_release(&pg);
	free(body);
}

/* --- pagination through a fake http client --- */

#define MAX_PAGES 8

struct fake_reply {
	long status;
	const char *body;
	const char *request_id;
};

struct fake_http {
	const struct fake_reply *replies;
	size_t nreplies;
	size_t calls;
	char bodies[MAX_PAGES][512]; /* request bodies seen */
	char target[MAX_PAGES][64];
	bool signed_ok[MAX_PAGES];
};

static int fake_perform(void *impl, const struct http_request *req, struct http_response *resp,
                        struct err *e)
{
	struct fake_http *f = impl;
	const struct fake_reply *r;
	size_t i = f->calls++;

	assert_true(i < f->nreplies && i < MAX_PAGES);
	assert_string_equal(req->method, "POST");
	assert_true(req->body_len < sizeof(f->bodies[i]));
	memcpy(f->bodies[i], req->body, req->body_len);
	f->bodies[i][req->body_len] = '\0';
	for (size_t h = 0; h < req->nheaders; h++) {
		if (strcmp(req->headers[h].name, "X-Amz-Target") == 0)
			snprintf(f->target[i], sizeof(f->target[i]), "%s", req->headers[h].value);
		if (strcmp(req->headers[h].name, "Authorization") == 0)
			f->signed_ok[i] = strncmp(req->headers[h].value,
			                          "AWS4-HMAC-SHA256 Credential=AKID", 32) == 0;
	}
	r = &f->replies[i];
	resp->status = r->status;
	resp->failure = HTTP_OK;
	if (r->request_id != NULL)
		snprintf(resp->request_id, sizeof(resp->request_id), "%s", r->request_id);
	return buf_puts(&resp->body, r->body, e);
}

static long fake_connections(void *impl)
{
	(void)impl;
	return 1;
}

static void fake_free(void *impl)
{
	(void)impl;
}

static const struct http_vtable fake_vt = {fake_perform, fake_connections, fake_free};

static time_t fixed_clock(void)
{
	return 1704067200; /* 2024-01-01 */
}

static int64_t fake_now;

static int64_t fake_mono(void)
{
	return fake_now;
}

static void fake_sleep(long ms)
{
	fake_now += ms;
}

struct rig {
	struct fake_http fake;
	struct http_client http;
	struct endpoint ep;
	struct creds creds;
	struct aws_client aws;
	struct ssm_params out;
	struct ssm_fetch_stats stats;
	struct err e;
};

static void rig_init(struct rig *r, const struct fake_reply *replies, size_t n)
{
	memset(r, 0, sizeof(*r));
	r->fake.replies = replies;
	r->fake.nreplies = n;
	r->http.vt = &fake_vt;
	r->http.impl = &r->fake;
	r->ep.url = (char *)"https://ssm.eu-west-1.amazonaws.com";
	r->ep.scheme = (char *)"https";
	r->ep.host = (char *)"ssm.eu-west-1.amazonaws.com";
	r->ep.host_header = (char *)"ssm.eu-west-1.amazonaws.com";
	r->ep.path = (char *)"/";
	r->ep.port = 443;
	assert_int_equal(buf_puts(&r->creds.access_key_id, "AKIDEXAMPLE", NULL), 0);
	assert_int_equal(buf_puts(&r->creds.secret_access_key,
	                          "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", NULL),
	                 0);
	aws_client_init(&r->aws);
	r->aws.http = &r->http;
	r->aws.endpoint = &r->ep;
	r->aws.region = "eu-west-1";
	r->aws.creds = &r->creds;
	r->aws.wall_clock = fixed_clock;
	r->aws.mono_ms = fake_mono;
	r->aws.sleep_ms = fake_sleep;
	fake_now = 1000;
	ssm_params_init(&r->out);
}

static void rig_release(struct rig *r)
{
	ssm_params_release(&r->out);
	buf_release(&r->creds.access_key_id);
	buf_release(&r->creds.secret_access_key);
	buf_release(&r->creds.session_token);
}

/* request_is checks one request body field by field. */
static void request_is(const char *body, const char *path, bool recursive, bool decrypt,
                       const char *token)
{
	cJSON *o = cJSON_Parse(body);
	const cJSON *t;

	assert_non_null(o);
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(o, "Path")->valuestring, path);
	assert_true(cJSON_IsBool(cJSON_GetObjectItemCaseSensitive(o, "Recursive")));
	assert_int_equal(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "Recursive")), recursive);
	assert_int_equal(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "WithDecryption")),
	                 decrypt);
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(o, "MaxResults")->valueint, 10);
	t = cJSON_GetObjectItemCaseSensitive(o, "NextToken");
	if (token == NULL)
		assert_null(t);
	else
		assert_string_equal(t->valuestring, token);
	cJSON_Delete(o);
}

static void test_fetch_follows_tokens(void **state)
{
	static const struct fake_reply replies[] = {
	        {200,
	         "{\"Parameters\":[{\"Name\":\"/app/a\",\"Value\":\"1\"}],\"NextToken\":\"t1\"}",
	         "r1"},
	        {200, "{\"Parameters\":[],\"NextToken\":\"t2\"}", "r2"},
	        {200,
	         "{\"Parameters\":[{\"Name\":\"/app/b\",\"Value\":\"2\"},"
	         "{\"Name\":\"/app/c\",\"Value\":\"3\"}]}",
	         "r3"},
	};
	struct rig r;

	(void)state;
	rig_init(&r, replies, 3);
	if (ssm_get_parameters_by_path(&r.aws, "/app", true, true, &r.out, &r.stats, &r.e) != 0)
		fail_msg("fetch failed: %s", r.e.msg);
	assert_int_equal(r.fake.calls, 3);
	assert_int_equal(r.stats.pages, 3);
	assert_int_equal(r.out.len, 3);
	assert_string_equal(r.out.items[2].name, "/app/c");
	request_is(r.fake.bodies[0], "/app", true, true, NULL);
	request_is(r.fake.bodies[1], "/app", true, true, "t1");
	request_is(r.fake.bodies[2], "/app", true, true, "t2");
	for (size_t i = 0; i < 3; i++) {
		assert_string_equal(r.fake.target[i], "AmazonSSM.GetParametersByPath");
		assert_true(r.fake.signed_ok[i]);
	}
	rig_release(&r);
}

static void test_fetch_flags(void **state)
{
	static const struct fake_reply replies[] = {
	        {200, "{\"Parameters\":[]}", NULL},
	};
	struct rig r;

	(void)state;
	rig_init(&r, replies, 1);
	assert_int_equal(
	        ssm_get_parameters_by_path(&r.aws, "/a/b", false, false, &r.out, &r.stats, &r.e),
	        0);
	assert_int_equal(r.stats.pages, 1);
	assert_int_equal(r.out.len, 0);
	request_is(r.fake.bodies[0], "/a/b", false, false, NULL);
	rig_release(&r);
}

static void test_fetch_repeated_token(void **state)
{
	static const struct fake_reply replies[] = {
	        {200, "{\"Parameters\":[],\"NextToken\":\"same\"}", NULL},
	        {200, "{\"Parameters\":[],\"NextToken\":\"same\"}", NULL},
	        {200, "{\"Parameters\":[]}", NULL},
	};
	struct rig r;

	(void)state;
	rig_init(&r, replies, 3);
	assert_int_equal(
	        ssm_get_parameters_by_path(&r.aws, "/app", true, true, &r.out, &r.stats, &r.e), -1);
	assert_int_equal(r.e.kind, ERR_LIMIT);
	assert_non_null(strstr(r.e.msg, "NextToken"));
	assert_int_equal(r.fake.calls, 2);
	rig_release(&r);
}

static void test_fetch_token_cycle(void **state)
{
	/* A, B, A: not the same twice in a row, but round for ever */
	static const struct fake_reply replies[] = {
	        {200, "{\"Parameters\":[],\"NextToken\":\"A\"}", NULL},
	        {200, "{\"Parameters\":[],\"NextToken\":\"B\"}", NULL},
	        {200, "{\"Parameters\":[],\"NextToken\":\"A\"}", NULL},
	        {200, "{\"Parameters\":[]}", NULL},
	};
	struct rig r;

	(void)state;
	rig_init(&r, replies, 4);
	assert_int_equal(
	        ssm_get_parameters_by_path(&r.aws, "/app", true, true, &r.out, &r.stats, &r.e), -1);
	assert_int_equal(r.e.kind, ERR_LIMIT);
	assert_int_equal(r.fake.calls, 3);
	rig_release(&r);
}

static void test_fetch_access_denied(void **state)
{
	static const struct fake_reply replies[] = {
	        {400,
	         "{\"__type\":\"com.amazonaws.ssm#AccessDeniedException\",\"message\":\"User: "
	         "arn:aws:iam::123456789012:user/ci is not authorized to perform: "
	         "ssm:GetParametersByPath\"}",
	         "1f2e3d4c-aaaa-bbbb-cccc-123456789012"},
	};
	struct rig r;

	(void)state;
	rig_init(&r, replies, 1);
	assert_int_equal(
	        ssm_get_parameters_by_path(&r.aws, "/app", true, true, &r.out, &r.stats, &r.e), -1);
	assert_int_equal(r.e.kind, ERR_AWS);
	assert_non_null(strstr(r.e.msg, "AccessDeniedException"));
	assert_null(strstr(r.e.msg, "com.amazonaws"));
	assert_non_null(strstr(r.e.msg, "1f2e3d4c-aaaa-bbbb-cccc-123456789012"));
	assert_non_null(strstr(r.e.msg, "400"));
	assert_int_equal(r.fake.calls, 1); /* never retried */
	rig_release(&r);
}

static void test_fetch_throttled_then_ok(void **state)
{
	static const struct fake_reply replies[] = {
	        {400, "{\"__type\":\"ThrottlingException\",\"message\":\"Rate exceeded\"}", "t1"},
	        {200, "{\"Parameters\":[{\"Name\":\"/app/a\",\"Value\":\"v\"}]}", "ok"},
	};
	struct rig r;

	(void)state;
	rig_init(&r, replies, 2);
	if (ssm_get_parameters_by_path(&r.aws, "/app", true, true, &r.out, &r.stats, &r.e) != 0)
		fail_msg("fetch failed: %s", r.e.msg);
	assert_int_equal(r.fake.calls, 2);
	assert_int_equal(r.out.len, 1);
	assert_int_equal(r.stats.pages, 1);
	/* the retried request is the same page */
	request_is(r.fake.bodies[1], "/app", true, true, NULL);
	rig_release(&r);
}

static void test_fetch_bad_second_page(void **state)
{
	static const struct fake_reply replies[] = {
	        {200,
	         "{\"Parameters\":[{\"Name\":\"/app/a\",\"Value\":\"" SECRET "\"}],"
	         "\"NextToken\":\"t1\"}",
	         NULL},
	        {200, "{\"Parameters\":[{\"Name\":\"/app/b\",\"Value\":\"" SECRET "\"", NULL},
	};
	struct rig r;

	(void)state;
	rig_init(&r, replies, 2);
	assert_int_equal(
	        ssm_get_parameters_by_path(&r.aws, "/app", true, true, &r.out, &r.stats, &r.e), -1);
	assert_int_equal(r.e.kind, ERR_PARSE);
	assert_null(strstr(r.e.msg, SECRET));
	rig_release(&r);
}

/* --- aws_error_parse on responses shaped like SSM's --- */

static void test_error_parse(void **state)
{
	struct http_response resp;
	struct aws_error ae;

	(void)state;
	http_response_init(&resp);
	resp.status = 400;
	snprintf(resp.request_id, sizeof(resp.request_id), "req-1");
	assert_int_equal(buf_puts(&resp.body,
	                          "{\"__type\":\"ParameterNotFound:http://internal\","
	                          "\"message\":\"line1\nline2\"}",
	                          NULL),
	                 0);
	aws_error_parse(&resp, NULL, &ae);
	assert_string_equal(ae.code, "ParameterNotFound");
	assert_string_equal(ae.message, "line1 line2");
	assert_string_equal(ae.request_id, "req-1");
	assert_int_equal(ae.status, 400);
	http_response_release(&resp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_real_page),
	        cmocka_unit_test(test_next_token),
	        cmocka_unit_test(test_pages_append),
	        cmocka_unit_test(test_whitespace_and_order),
	        cmocka_unit_test(test_optional_fields),
	        cmocka_unit_test(test_value_escapes),
	        cmocka_unit_test(test_value_escaped_backslash_then_u0000),
	        cmocka_unit_test(test_value_nul_rejected),
	        cmocka_unit_test(test_raw_nul_rejected),
	        cmocka_unit_test(test_malformed),
	        cmocka_unit_test(test_long_name_rejected),
	        cmocka_unit_test(test_long_token_rejected),
	        cmocka_unit_test(test_max_params),
	        cmocka_unit_test(test_fetch_follows_tokens),
	        cmocka_unit_test(test_fetch_flags),
	        cmocka_unit_test(test_fetch_repeated_token),
	        cmocka_unit_test(test_fetch_token_cycle),
	        cmocka_unit_test(test_fetch_access_denied),
	        cmocka_unit_test(test_fetch_throttled_then_ok),
	        cmocka_unit_test(test_fetch_bad_second_page),
	        cmocka_unit_test(test_error_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
