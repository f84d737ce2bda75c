/*
 * test_aws.c - AWS errors, retry classes, backoff, and the retry loop
 * driven through a scripted http interface (no sockets, no sleeping).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "aws.h"
#include "creds.h"
#include "settings.h"

/* ---- a scripted server ------------------------------------------------ */

struct reply {
	long status;
	const char *body;
	const char *date;
	const char *error_type;
	enum http_failure fail;
};

/* a reply body that stands for an AccessDenied quoting the request back */
static const char echo_body[] = "(echo)";

struct fake {
	const struct reply *script;
	size_t nscript;
	size_t calls;
	char amz_date[8][32];
	bool had_token[8];
	bool had_auth[8];
	char host[8][64];
	char signature[65]; /* of the last signed request */
};

static void note_request(struct fake *f, const struct http_request *req)
{
	size_t k = f->calls < 8 ? f->calls : 7;

	for (size_t i = 0; i < req->nheaders; i++) {
		const struct http_header *h = &req->headers[i];

		if (!strcmp(h->name, "X-Amz-Date"))
			snprintf(f->amz_date[k], sizeof(f->amz_date[k]), "%s", h->value);
		if (!strcmp(h->name, "X-Amz-Security-Token"))
			f->had_token[k] = true;
		if (!strcmp(h->name, "Authorization") && !strncmp(h->value, "AWS4-HMAC-SHA256 ", 17))
			f->had_auth[k] = true;
		if (!strcmp(h->name, "Authorization") && strstr(h->value, "Signature=") != NULL)
			snprintf(f->signature, sizeof(f->signature), "%s",
				 strstr(h->value, "Signature=") + 10);
		if (!strcmp(h->name, "Host"))
			snprintf(f->host[k], sizeof(f->host[k]), "%s", h->value);
	}
}

/* put_json appends n bytes of s as the inside of a JSON string. */
static void put_json(struct buf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"' || s[i] == '\\')
			buf_putc(b, '\\', NULL);
		buf_putc(b, s[i], NULL);
	}
}

/* echo answers as a server that quotes the request in its error: every
 * header, the signature alone, and the body. */
static int echo(struct fake *f, const struct http_request *req, struct http_response *resp,
		struct err *e)
{
	resp->status = 400;
	buf_puts(&resp->body, "{\"__type\":\"AccessDeniedException\",\"message\":\"request: ", e);
	for (size_t i = 0; i < req->nheaders; i++) {
		put_json(&resp->body, req->headers[i].name, strlen(req->headers[i].name));
		put_json(&resp->body, ": ", 2);
		put_json(&resp->body, req->headers[i].value, strlen(req->headers[i].value));
		buf_puts(&resp->body, "\\n", NULL); /* a JSON newline */
	}
	put_json(&resp->body, "signature ", 10);
	put_json(&resp->body, f->signature, strlen(f->signature));
	put_json(&resp->body, "; body ", 7);
	put_json(&resp->body, (const char *)req->body, req->body_len);
	return buf_puts(&resp->body, "\"}", e);
}

static int fake_perform(void *impl, const struct http_request *req, struct http_response *resp,
			struct err *e)
{
	struct fake *f = impl;
	const struct reply *r = &f->script[f->calls < f->nscript ? f->calls : f->nscript - 1];

	memset(f->signature, 0, sizeof(f->signature));
	note_request(f, req);
	f->calls++;
	if (r->fail != HTTP_OK) {
		resp->failure = r->fail;
		return err_set(e, ERR_NETWORK, "%s", http_failure_name(r->fail));
	}
	if (r->body == echo_body)
		return echo(f, req, resp, e);
	resp->status = r->status;
	snprintf(resp->request_id, sizeof(resp->request_id), "req-%zu", f->calls);
	if (r->date)
		snprintf(resp->date, sizeof(resp->date), "%s", r->date);
	if (r->error_type)
		snprintf(resp->error_type, sizeof(resp->error_type), "%s", r->error_type);
	return buf_puts(&resp->body, r->body ? r->body : "", e);
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

static const struct http_vtable fake_vt = { fake_perform, fake_connections, fake_free };

/* a fake clock: sleeping advances it */
static int64_t fake_now_ms;
static long slept[16];
static size_t nslept;
static time_t fake_wall = 1700000000; /* 2023-11-14T22:13:20Z */

static int64_t fake_mono(void)
{
	return fake_now_ms;
}

static void fake_sleep(long ms)
{
	if (nslept < 16)
		slept[nslept++] = ms;
	fake_now_ms += ms;
}

static time_t fake_wall_clock(void)
{
	return fake_wall;
}

struct rig {
	struct fake fake;
	struct http_client http;
	struct endpoint ep;
	struct creds creds;
	struct aws_client c;
};

static void rig_init(struct rig *r, const struct reply *script, size_t n, const char *token)
{
	memset(r, 0, sizeof(*r));
	r->fake.script = script;
	r->fake.nscript = n;
	r->http.vt = &fake_vt;
	r->http.impl = &r->fake;
	r->ep.url = "https://ssm.us-east-1.amazonaws.com";
	r->ep.host_header = "ssm.us-east-1.amazonaws.com";
	r->ep.path = "/";
	creds_init(&r->creds);
	buf_puts(&r->creds.access_key_id, "AKIDEXAMPLE", NULL);
	buf_puts(&r->creds.secret_access_key, "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", NULL);
	if (token)
		buf_puts(&r->creds.session_token, token, NULL);
	aws_client_init(&r->c);
	r->c.http = &r->http;
	r->c.endpoint = &r->ep;
	r->c.region = "us-east-1";
	r->c.creds = &r->creds;
	r->c.mono_ms = fake_mono;
	r->c.sleep_ms = fake_sleep;
	r->c.wall_clock = fake_wall_clock;
	r->c.rng = 0x9e3779b97f4a7c15ULL; /* fixed jitter: the same delays every run */
	fake_now_ms = 1000;
	nslept = 0;
}

static int rig_call(struct rig *r, struct aws_error *ae, struct err *e)
{
	struct buf body = BUF_INIT;
	struct http_response resp;
	int rc;

	http_response_init(&resp);
	buf_puts(&body, "{\"Path\":\"/app\"}", NULL);
	rc = aws_json_call(&r->c, "AmazonSSM.GetParametersByPath", &body, &resp, ae, e);
	http_response_release(&resp);
	buf_release(&body);
	return rc;
}

static void rig_release(struct rig *r)
{
	creds_release(&r->creds);
}

/* ---- error parsing ---------------------------------------------------- */

static void parse(long status, const char *body, const char *etype, struct aws_error *out)
{
	struct http_response resp;

	http_response_init(&resp);
	resp.status = status;
	snprintf(resp.request_id, sizeof(resp.request_id), "rid-1");
	if (etype)
		snprintf(resp.error_type, sizeof(resp.error_type), "%s", etype);
	snprintf(resp.content_type, sizeof(resp.content_type), "text/html");
	buf_puts(&resp.body, body, NULL);
	aws_error_parse(&resp, NULL, out);
	http_response_release(&resp);
}

static void test_error_json_namespaced(void **state)
{
	struct aws_error ae;

	(void)state;
	parse(400, "{\"__type\":\"com.amazonaws.ssm#ParameterNotFound\",\"message\":\"nope\"}", NULL, &ae);
	assert_string_equal(ae.code, "ParameterNotFound");
	assert_string_equal(ae.message, "nope");
	assert_string_equal(ae.request_id, "rid-1");
	assert_int_equal(ae.status, 400);
}

static void test_error_json_capital_message(void **state)
{
	struct aws_error ae;

	(void)state;
	parse(400, "{\"__type\":\"ValidationException\",\"Message\":\"bad\\nthing\"}", NULL, &ae);
	assert_string_equal(ae.code, "ValidationException");
	/* control bytes never reach the one-line message */
	assert_string_equal(ae.message, "bad thing");
}

static void test_error_header_fallback(void **state)
{
	struct aws_error ae;

	(void)state;
	parse(400, "{}", "ThrottlingException:http://internal.amazon.com/coral/", &ae);
	assert_string_equal(ae.code, "ThrottlingException");
}

static void test_error_moto_xml(void **state)
{
	struct aws_error ae;

	(void)state;
	parse(403,
	      "<ErrorResponse><Errors><Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match</Message><Type>Sender</Type></Error></Errors></ErrorResponse>",
	      NULL, &ae);
	assert_string_equal(ae.code, "SignatureDoesNotMatch");
	assert_non_null(strstr(ae.message, "does not match"));
}

static void test_error_html_and_bare(void **state)
{
	struct aws_error ae;

	(void)state;
	parse(502, "<html><body>Bad Gateway</body></html>", NULL, &ae);
	assert_string_equal(ae.code, "HTTP502");
	assert_non_null(strstr(ae.message, "Bad Gateway"));
	parse(503, "", NULL, &ae);
	assert_string_equal(ae.code, "HTTP503");
	assert_string_equal(ae.message, "");
}

/* ---- classes and backoff ---------------------------------------------- */

static enum aws_retry_class cls_of(long status, const char *code, const char *msg,
				   enum http_failure f)
{
	struct aws_error ae;

	memset(&ae, 0, sizeof(ae));
	ae.status = status;
	ae.failure = f;
	snprintf(ae.code, sizeof(ae.code), "%s", code);
	snprintf(ae.message, sizeof(ae.message), "%s", msg);
	return aws_retry_classify(&ae);
}

static void test_classify(void **state)
{
	(void)state;
	assert_int_equal(cls_of(400, "ThrottlingException", "Rate exceeded", HTTP_OK), AWS_RETRY_THROTTLE);
	assert_int_equal(cls_of(429, "HTTP429", "", HTTP_OK), AWS_RETRY_THROTTLE);
	assert_int_equal(cls_of(500, "InternalServerError", "", HTTP_OK), AWS_RETRY_TRANSIENT);
	assert_int_equal(cls_of(503, "HTTP503", "", HTTP_OK), AWS_RETRY_TRANSIENT);
	assert_int_equal(cls_of(504, "HTTP504", "", HTTP_OK), AWS_RETRY_TRANSIENT);
	assert_int_equal(cls_of(0, "", "", HTTP_FAIL_RESET), AWS_RETRY_TRANSIENT);
	assert_int_equal(cls_of(0, "", "", HTTP_FAIL_CONNECT), AWS_RETRY_TRANSIENT);
	assert_int_equal(cls_of(0, "", "", HTTP_FAIL_TIMEOUT), AWS_RETRY_TIMEOUT);
	assert_int_equal(cls_of(0, "", "", HTTP_FAIL_TLS), AWS_RETRY_NEVER);
	assert_int_equal(cls_of(400, "AccessDeniedException", "", HTTP_OK), AWS_RETRY_NEVER);
	assert_int_equal(cls_of(400, "ValidationException", "", HTTP_OK), AWS_RETRY_NEVER);
	assert_int_equal(cls_of(403, "SignatureDoesNotMatch", "does not match", HTTP_OK), AWS_RETRY_NEVER);
	assert_int_equal(cls_of(400, "InvalidSignatureException",
				"Signature expired: 20240101T000000Z is now earlier than ...", HTTP_OK),
			 AWS_RETRY_SKEW);
	assert_int_equal(cls_of(400, "InvalidSignatureException", "Signature not yet current: x", HTTP_OK),
			 AWS_RETRY_SKEW);
}

static void test_backoff_full_jitter_capped(void **state)
{
	struct aws_retry_policy p = { 3, true, 1000, 20000, 500, 3000 };
	long prev = 0;

	(void)state;
	assert_int_equal(aws_backoff_ms(&p, AWS_RETRY_TRANSIENT, 1, &prev, 0.999), 999);
	assert_int_equal(aws_backoff_ms(&p, AWS_RETRY_TRANSIENT, 2, &prev, 0.5), 1000);
	assert_int_equal(aws_backoff_ms(&p, AWS_RETRY_TRANSIENT, 3, &prev, 0.5), 2000);
	assert_int_equal(aws_backoff_ms(&p, AWS_RETRY_TRANSIENT, 10, &prev, 0.5), 10000);
	assert_int_equal(aws_backoff_ms(&p, AWS_RETRY_TRANSIENT, 40, &prev, 0.999), 19980);
	assert_int_equal(aws_backoff_ms(&p, AWS_RETRY_TRANSIENT, 1, &prev, 0.0), 0);
	assert_int_equal(aws_backoff_ms(&p, AWS_RETRY_SKEW, 1, &prev, 0.7), 0);
	/* transient backoff leaves the throttling memory alone */
	assert_int_equal(prev, 0);
}

static void test_backoff_throttle_decorrelated(void **state)
{
	struct aws_retry_policy p = { 3, true, 50, 20000, 500, 3000 };
	long prev = 0;

	(void)state;
	/* first: uniform in [base, 3 * base) */
	assert_int_equal(aws_backoff_ms(&p, AWS_RETRY_THROTTLE, 1, &prev, 0.0), 500);
	assert_int_equal(prev, 500);
	assert_int_equal(aws_backoff_ms(&p, AWS_RETRY_THROTTLE, 2, &prev, 0.5), 1000);
	/* then from the previous delay: [base, 3 * prev), capped */
	assert_int_equal(aws_backoff_ms(&p, AWS_RETRY_THROTTLE, 3, &prev, 0.999), 2997);
	assert_int_equal(aws_backoff_ms(&p, AWS_RETRY_THROTTLE, 4, &prev, 0.999), 2997);
	assert_int_equal(aws_backoff_ms(&p, AWS_RETRY_THROTTLE, 5, &prev, 0.0), 500);
	for (int i = 0; i < 100; i++) {
		long d = aws_backoff_ms(&p, AWS_RETRY_THROTTLE, 6, &prev, (double)i / 100.0);

		assert_true(d >= 500 && d <= 3000);
	}
}

static void test_http_date(void **state)
{
	(void)state;
	assert_int_equal(aws_parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), 784111777);
	assert_int_equal(aws_parse_http_date("garbage"), -1);
	assert_int_equal(aws_parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT trailing"), -1);
}

static void test_json_nul(void **state)
{
	static const char a[] = "{\"Value\":\"a\\u0000b\"}";
	static const char b[] = "{\"Value\":\"a\\\\u0000b\"}";
	static const char c[] = "{\"Value\":\"\\\\\\u0000\"}";

	(void)state;
	assert_true(aws_json_has_nul(a, sizeof(a) - 1));
	assert_false(aws_json_has_nul(b, sizeof(b) - 1));
	assert_true(aws_json_has_nul(c, sizeof(c) - 1));
}

static void test_retry_env(void **state)
{
	char *env1[] = { "AWS_MAX_ATTEMPTS=7", NULL };
	char *env2[] = { "AWS_RETRY_MODE=legacy", NULL };
	char *env3[] = { "AWS_MAX_ATTEMPTS=0", NULL };
	char *env4[] = { "AWS_RETRY_MODE=turbo", NULL };
	struct aws_client c;
	struct err e;

	(void)state;
	aws_client_init(&c);
	assert_int_equal(c.retry.max_attempts, 3);
	assert_int_equal(aws_retry_from_env(&c, env1, &e), 0);
	assert_int_equal(c.retry.max_attempts, 7);
	/* the user's number bounds throttling too */
	assert_false(c.retry.throttle_until_deadline);
	aws_client_init(&c);
	assert_true(c.retry.throttle_until_deadline);
	assert_int_equal(aws_retry_from_env(&c, env2, &e), 0);
	assert_int_equal(c.retry.max_attempts, 5);
	assert_int_equal(aws_retry_from_env(&c, env3, &e), -1);
	assert_non_null(strstr(e.msg, "AWS_MAX_ATTEMPTS"));
	assert_int_equal(aws_retry_from_env(&c, env4, &e), -1);
	assert_non_null(strstr(e.msg, "AWS_RETRY_MODE"));
}

/* ---- the retry loop ----------------------------------------------------- */

static const char throttle[] = "{\"__type\":\"ThrottlingException\",\"message\":\"Rate exceeded\"}";

static void test_retry_then_success(void **state)
{
	static const struct reply script[] = {
		{ 400, throttle, NULL, NULL, HTTP_OK },
		{ 0, NULL, NULL, NULL, HTTP_FAIL_RESET },
		{ 200, "{\"Parameters\":[]}", NULL, NULL, HTTP_OK },
	};
	struct rig r;
	struct aws_error ae;
	struct err e;

	(void)state;
	rig_init(&r, script, 3, NULL);
	assert_int_equal(rig_call(&r, &ae, &e), 0);
	assert_int_equal(r.fake.calls, 3);
	assert_int_equal(r.c.requests, 3);
	assert_int_equal(r.c.retries, 2);
	assert_int_equal(nslept, 2);
	assert_true(slept[0] >= 500 && slept[0] < 1500); /* throttled: decorrelated */
	assert_true(slept[1] < 100);                     /* reset: full jitter, 50 ms scale */
	for (int i = 0; i < 3; i++) {
		assert_true(r.fake.had_auth[i]);
		assert_false(r.fake.had_token[i]);
		assert_string_equal(r.fake.host[i], "ssm.us-east-1.amazonaws.com");
	}
	rig_release(&r);
}

#define ECHO_TOKEN "IQoJb3JpZ2luX2VjEAKE//session+token=="
#define ECHO_JWT   "eyJhbGciOiJSUzI1NiJ9.web-identity.sig"

/* what the server says may quote the request: the message keeps the error,
 * never the session token, the secret key or the signature */
static void test_error_quoting_the_request(void **state)
{
	static const struct reply script[] = {
		{ 400, echo_body, NULL, NULL, HTTP_OK },
	};
	struct rig r;
	struct aws_error ae;
	struct err e;

	(void)state;
	rig_init(&r, script, 1, ECHO_TOKEN);
	assert_int_equal(rig_call(&r, &ae, &e), -1);
	assert_int_equal(strlen(r.fake.signature), 64);
	assert_non_null(strstr(e.msg, "AccessDeniedException: request: "));
	assert_non_null(strstr(e.msg, "X-Amz-Security-Token: [redacted] "));
	assert_non_null(strstr(e.msg, "Authorization: [redacted] "));
	assert_non_null(strstr(e.msg, "signature [redacted]; body {\"Path\":\"/app\"}"));
	assert_null(strstr(e.msg, "session+token"));
	assert_null(strstr(e.msg, r.fake.signature));
	assert_null(strstr(ae.message, r.fake.signature));
	assert_null(strstr(e.msg, "Credential="));
	rig_release(&r);
}

/* an unsigned call's own secret (STS's web identity token) too */
static void test_error_quoting_an_unsigned_request(void **state)
{
	static const struct reply script[] = {
		{ 400, echo_body, NULL, NULL, HTTP_OK },
	};
	struct rig r;
	struct aws_error ae;
	struct http_response resp;
	struct buf body = BUF_INIT;
	struct aws_op op = { "application/x-www-form-urlencoded", NULL, &body, true, 0, ECHO_JWT };
	struct err e;

	(void)state;
	rig_init(&r, script, 1, NULL);
	http_response_init(&resp);
	buf_puts(&body, "Action=AssumeRoleWithWebIdentity&Jwt=" ECHO_JWT, NULL);
	assert_int_equal(aws_call(&r.c, &op, &resp, &ae, &e), -1);
	assert_non_null(strstr(e.msg, "body Action=AssumeRoleWithWebIdentity&Jwt=[redacted]"));
	assert_null(strstr(e.msg, "web-identity"));
	http_response_release(&resp);
	buf_release(&body);
	rig_release(&r);
}

static void test_no_retry_on_access_denied(void **state)
{
	static const struct reply script[] = {
		{ 400, "{\"__type\":\"AccessDeniedException\",\"message\":\"no\"}", NULL, NULL, HTTP_OK },
		{ 200, "{}", NULL, NULL, HTTP_OK },
	};
	struct rig r;
	struct aws_error ae;
	struct err e;

	(void)state;
	rig_init(&r, script, 2, "TOKEN");
	assert_int_equal(rig_call(&r, &ae, &e), -1);
	assert_int_equal(r.fake.calls, 1);
	assert_true(r.fake.had_token[0]);
	assert_string_equal(ae.code, "AccessDeniedException");
	assert_non_null(strstr(e.msg, "AccessDeniedException: no (HTTP 400, request req-1)"));
	rig_release(&r);
}

static void test_attempts_exhausted(void **state)
{
	static const struct reply script[] = { { 500, "", NULL, NULL, HTTP_OK } };
	struct rig r;
	struct aws_error ae;
	struct err e;

	(void)state;
	rig_init(&r, script, 1, NULL);
	r.c.retry.max_attempts = 4;
	assert_int_equal(rig_call(&r, &ae, &e), -1);
	assert_int_equal(r.fake.calls, 4);
	assert_int_equal(e.kind, ERR_AWS);
	assert_non_null(strstr(e.msg, "HTTP500"));
	rig_release(&r);
}

static void test_network_failure_reported(void **state)
{
	static const struct reply script[] = { { 0, NULL, NULL, NULL, HTTP_FAIL_CONNECT } };
	struct rig r;
	struct aws_error ae;
	struct err e;

	(void)state;
	rig_init(&r, script, 1, NULL);
	assert_int_equal(rig_call(&r, &ae, &e), -1);
	assert_int_equal(r.fake.calls, 3);
	assert_int_equal(e.kind, ERR_NETWORK);
	assert_non_null(strstr(e.msg, "unable to connect"));
	rig_release(&r);
}

static void test_throttling_retried_until_deadline(void **state)
{
	static const struct reply script[] = {
		{ 400, throttle, NULL, NULL, HTTP_OK }, { 400, throttle, NULL, NULL, HTTP_OK },
		{ 400, throttle, NULL, NULL, HTTP_OK }, { 400, throttle, NULL, NULL, HTTP_OK },
		{ 400, throttle, NULL, NULL, HTTP_OK }, { 200, "{}", NULL, NULL, HTTP_OK },
	};
	struct rig r;
	struct aws_error ae;
	struct err e;

	(void)state;
	rig_init(&r, script, 6, NULL);
	r.c.deadline_ms = fake_now_ms + 60000;
	/* five throttles, more than max_attempts, and still it comes up */
	assert_int_equal(rig_call(&r, &ae, &e), 0);
	assert_int_equal(r.fake.calls, 6);
	rig_release(&r);
}

static void test_throttling_bounded_by_user_attempts(void **state)
{
	static const struct reply script[] = { { 400, throttle, NULL, NULL, HTTP_OK } };
	char *env[] = { "AWS_MAX_ATTEMPTS=2", NULL };
	struct rig r;
	struct aws_error ae;
	struct err e;

	(void)state;
	rig_init(&r, script, 1, NULL);
	r.c.deadline_ms = fake_now_ms + 60000;
	assert_int_equal(aws_retry_from_env(&r.c, env, &e), 0);
	assert_int_equal(rig_call(&r, &ae, &e), -1);
	assert_int_equal(r.fake.calls, 2);
	rig_release(&r);
}

static void test_deadline_stops_retries(void **state)
{
	static const struct reply script[] = { { 400, throttle, NULL, NULL, HTTP_OK } };
	struct rig r;
	struct aws_error ae;
	struct err e;

	(void)state;
	rig_init(&r, script, 1, NULL);
	r.c.retry.max_attempts = 50;
	r.c.deadline_ms = fake_now_ms + 5000;
	assert_int_equal(rig_call(&r, &ae, &e), -1);
	assert_true(fake_now_ms < r.c.deadline_ms);
	assert_true(r.fake.calls < 50);
	assert_non_null(strstr(e.msg, "ThrottlingException"));
	rig_release(&r);
}

static void test_clock_skew_resigns_once(void **state)
{
	/* the server is one hour ahead of us */
	static const struct reply script[] = {
		{ 400, "{\"__type\":\"InvalidSignatureException\",\"message\":\"Signature expired: 20231114T221320Z is now earlier than 20231114T231820Z (20231114T232320Z - 5 min.)\"}",
		  "Tue, 14 Nov 2023 23:13:20 GMT", NULL, HTTP_OK },
		{ 200, "{}", NULL, NULL, HTTP_OK },
	};
	struct rig r;
	struct aws_error ae;
	struct err e;

	(void)state;
	rig_init(&r, script, 2, NULL);
	assert_int_equal(rig_call(&r, &ae, &e), 0);
	assert_int_equal(r.fake.calls, 2);
	assert_string_equal(r.fake.amz_date[0], "20231114T221320Z");
	assert_string_equal(r.fake.amz_date[1], "20231114T231320Z");
	assert_int_equal(r.c.skew_s, 3600);
	assert_int_equal(nslept, 0);
	rig_release(&r);
}

static void test_clock_skew_only_once(void **state)
{
	static const struct reply script[] = {
		{ 400, "{\"__type\":\"InvalidSignatureException\",\"message\":\"Signature expired: x\"}",
		  "Tue, 14 Nov 2023 23:13:20 GMT", NULL, HTTP_OK },
		{ 400, "{\"__type\":\"InvalidSignatureException\",\"message\":\"Signature expired: x\"}",
		  "Wed, 15 Nov 2023 23:13:20 GMT", NULL, HTTP_OK },
		{ 200, "{}", NULL, NULL, HTTP_OK },
	};
	struct rig r;
	struct aws_error ae;
	struct err e;

	(void)state;
	rig_init(&r, script, 3, NULL);
	assert_int_equal(rig_call(&r, &ae, &e), -1);
	assert_int_equal(r.fake.calls, 2);
	assert_non_null(strstr(e.msg, "InvalidSignatureException"));
	rig_release(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_error_json_namespaced),
		cmocka_unit_test(test_error_json_capital_message),
		cmocka_unit_test(test_error_header_fallback),
		cmocka_unit_test(test_error_moto_xml),
		cmocka_unit_test(test_error_html_and_bare),
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_backoff_full_jitter_capped),
		cmocka_unit_test(test_backoff_throttle_decorrelated),
		cmocka_unit_test(test_http_date),
		cmocka_unit_test(test_json_nul),
		cmocka_unit_test(test_retry_env),
		cmocka_unit_test(test_retry_then_success),
		cmocka_unit_test(test_error_quoting_the_request),
		cmocka_unit_test(test_error_quoting_an_unsigned_request),
		cmocka_unit_test(test_no_retry_on_access_denied),
		cmocka_unit_test(test_attempts_exhausted),
		cmocka_unit_test(test_network_failure_reported),
		cmocka_unit_test(test_throttling_retried_until_deadline),
		cmocka_unit_test(test_throttling_bounded_by_user_attempts),
		cmocka_unit_test(test_deadline_stops_retries),
		cmocka_unit_test(test_clock_skew_resigns_once),
		cmocka_unit_test(test_clock_skew_only_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
