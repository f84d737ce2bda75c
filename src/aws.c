/*
 * aws.c - sign, send and retry one AWS JSON 1.1 request; read AWS errors.
 */
#include "aws.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "envp.h"
#include "log.h"
#include "scrub.h"
#include "sigv4.h"

#define AWS_MAX_BODY_BYTES (8u << 20)

static time_t real_wall_clock(void)
{
	return time(NULL);
}

static int64_t real_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void real_sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

void aws_client_init(struct aws_client *c)
{
	uint64_t seed = 0;

	memset(c, 0, sizeof(*c));
	c->service = "ssm";
	c->retry.max_attempts = 3;
	c->retry.throttle_until_deadline = true;
	c->retry.base_ms = 50; /* the SDKs' 2026 scale for non-throttling errors */
	c->retry.cap_ms = 20000;
	c->retry.throttle_base_ms = 500;
	c->retry.throttle_cap_ms = 3000;
	if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) != (ssize_t)sizeof(seed))
		seed = (uint64_t)real_mono_ms() ^ ((uint64_t)getpid() << 32);
	c->rng = seed | 1;
}

int aws_retry_from_env(struct aws_client *c, char *const *envp, struct err *e)
{
	const char *mode = env_get_nonempty(envp, "AWS_RETRY_MODE");
	const char *max = env_get_nonempty(envp, "AWS_MAX_ATTEMPTS");

	if (mode != NULL && strcmp(mode, "standard") && strcmp(mode, "adaptive")) {
		if (strcmp(mode, "legacy"))
			return err_set(
			        e, ERR_CONFIG,
			        "invalid AWS_RETRY_MODE '%.32s': use standard, adaptive or legacy",
			        mode);
		c->retry.max_attempts = 5; /* botocore's legacy default */
	}
	if (max != NULL) {
		char *end;
		long n;

		errno = 0;
		n = strtol(max, &end, 10);
		if (errno || *end != '\0' || n < 1 || n > 100)
			return err_set(e, ERR_CONFIG,
			               "invalid AWS_MAX_ATTEMPTS '%.32s': use 1 to 100", max);
		c->retry.max_attempts = (int)n;
		c->retry.throttle_until_deadline = false; /* the user's number is the limit */
	}
	return 0;
}

/* ---- errors ------------------------------------------------------------ */

/* set_code applies botocore's rule: cut at ':', keep what follows '#'. */
static void set_code(struct aws_error *out, const char *code, size_t n, const char *const *secrets)
{
	const char *colon = memchr(code, ':', n);
	const char *hash;

	if (colon != NULL)
		n = (size_t)(colon - code);
	for (hash = code + n; hash > code && hash[-1] != '#'; hash--)
		;
	n -= (size_t)(hash - code);
	scrub_copy(out->code, sizeof(out->code), hash, n, secrets);
}

static bool parse_json_error(const struct http_response *resp, const char *const *secrets,
                             struct aws_error *out)
{
	cJSON *root, *type, *msg;

	aws_json_hooks();
	root = cJSON_ParseWithLength(buf_cstr(&resp->body), resp->body.len);
	if (!cJSON_IsObject(root)) {
		cJSON_Delete(root);
		return false;
	}
	type = cJSON_GetObjectItemCaseSensitive(root, "__type");
	msg = cJSON_GetObjectItemCaseSensitive(root, "message");
	if (!cJSON_IsString(msg))
		msg = cJSON_GetObjectItemCaseSensitive(root, "Message");
	if (cJSON_IsString(type))
		set_code(out, type->valuestring, strlen(type->valuestring), secrets);
	if (cJSON_IsString(msg))
		scrub_copy(out->message, sizeof(out->message), msg->valuestring,
		           strlen(msg->valuestring), secrets);
	cJSON_Delete(root);
	return true;
}

/* xml_text finds <tag>text</tag> in s and copies the text. */
static bool xml_text(const char *s, const char *tag, char *dst, size_t size,
                     const char *const *secrets)
{
	char open[32], close[32];
	const char *a, *b;

	snprintf(open, sizeof(open), "<%s>", tag);
	snprintf(close, sizeof(close), "</%s>", tag);
	if ((a = strstr(s, open)) == NULL)
		return false;
	a += strlen(open);
	if ((b = strstr(a, close)) == NULL)
		return false;
	scrub_copy(dst, size, a, (size_t)(b - a), secrets);
	return true;
}

void aws_error_parse(const struct http_response *resp, const char *const *secrets,
                     struct aws_error *out)
{
	const char *body = buf_cstr(&resp->body);

	memset(out, 0, sizeof(*out));
	out->status = resp->status;
	out->failure = resp->failure;
	scrub_copy(out->request_id, sizeof(out->request_id), resp->request_id,
	           sizeof(resp->request_id), secrets);
	if (resp->failure != HTTP_OK)
		return;
	if (!parse_json_error(resp, secrets, out) &&
	    xml_text(body, "Code", out->code, sizeof(out->code), secrets)) {
		xml_text(body, "Message", out->message, sizeof(out->message), secrets);
		if (!out->request_id[0])
			xml_text(body, "RequestId", out->request_id, sizeof(out->request_id),
			         secrets);
	}
	if (!out->code[0] && resp->error_type[0])
		set_code(out, resp->error_type, strlen(resp->error_type), secrets);
	if (!out->code[0])
		snprintf(out->code, sizeof(out->code), "HTTP%ld", resp->status);
	if (!out->message[0] && resp->status >= 300 && resp->body.len > 0) {
		/* not JSON and not XML: a proxy page or a server crash page */
		char type[64];
		size_t used;

		scrub_copy(type, sizeof(type),
		           resp->content_type[0] ? resp->content_type : "untyped",
		           sizeof(resp->content_type), secrets);
		snprintf(out->message, sizeof(out->message), "unexpected %s body: ", type);
		used = strlen(out->message);
		/* 120 bytes of it, cut after the secrets are out */
		scrub_copy(out->message + used,
		           sizeof(out->message) - used < 121 ? sizeof(out->message) - used : 121,
		           body, resp->body.len, secrets);
	}
}

static const char *const throttle_codes[] = {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottledException",
        "TooManyRequestsException",
        "ProvisionedThroughputExceededException",
        "TransactionInProgressException",
        "RequestLimitExceeded",
        "BandwidthLimitExceeded",
        "LimitExceededException",
        "RequestThrottled",
        "SlowDown",
        "PriorRequestNotComplete",
        "EC2ThrottledException",
};

static const char *const transient_codes[] = {
        "UnexpectedContentType", "RequestTimeout",  "RequestTimeoutException",
        "InternalServerError",   "InternalFailure", "ServiceUnavailable",
        "IDPCommunicationError",
};

static bool code_in(const char *code, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(code, list[i]) == 0)
			return true;
	}
	return false;
}

#define IN(code, list) code_in((code), (list), sizeof(list) / sizeof((list)[0]))

static bool is_skew(const struct aws_error *ae)
{
	if (!strcmp(ae->code, "RequestTimeTooSkewed") || !strcmp(ae->code, "RequestExpired") ||
	    !strcmp(ae->code, "RequestInTheFuture"))
		return true;
	if (strcmp(ae->code, "InvalidSignatureException") &&
	    strcmp(ae->code, "SignatureDoesNotMatch") && strcmp(ae->code, "AuthFailure"))
		return false;
	return strstr(ae->message, "Signature expired") != NULL ||
	       strstr(ae->message, "Signature not yet current") != NULL;
}

enum aws_retry_class aws_retry_classify(const struct aws_error *ae)
{
	switch (ae->failure) {
	case HTTP_OK:
		break;
	case HTTP_FAIL_TIMEOUT:
		return AWS_RETRY_TIMEOUT;
	case HTTP_FAIL_CONNECT:
	case HTTP_FAIL_RESET:
		return AWS_RETRY_TRANSIENT;
	default:
		return AWS_RETRY_NEVER;
	}
	if (IN(ae->code, throttle_codes) || ae->status == 429)
		return AWS_RETRY_THROTTLE;
	if (is_skew(ae))
		return AWS_RETRY_SKEW;
	if (IN(ae->code, transient_codes) || ae->status == 500 || ae->status == 502 ||
	    ae->status == 503 || ae->status == 504)
		return AWS_RETRY_TRANSIENT;
	return AWS_RETRY_NEVER;
}

long aws_backoff_ms(const struct aws_retry_policy *p, enum aws_retry_class cls, int n,
                    long *prev_ms, double rand01)
{
	long ceiling = p->base_ms, lo, hi;

	if (cls == AWS_RETRY_SKEW)
		return 0;
	if (cls == AWS_RETRY_THROTTLE) {
		lo = p->throttle_base_ms;
		hi = *prev_ms > 0 ? *prev_ms * 3 : lo * 3;
		if (hi > p->throttle_cap_ms)
			hi = p->throttle_cap_ms;
		*prev_ms = hi <= lo ? hi : lo + (long)(rand01 * (double)(hi - lo));
		return *prev_ms;
	}
	for (int i = 1; i < n && ceiling < p->cap_ms; i++)
		ceiling *= 2;
	if (ceiling > p->cap_ms)
		ceiling = p->cap_ms;
	return (long)(rand01 * (double)ceiling);
}

time_t aws_parse_http_date(const char *s)
{
	struct tm tm;
	const char *end;

	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%a, %d %b %Y %H:%M:%S GMT", &tm);
	if (end == NULL || *end != '\0')
		return (time_t)-1;
	return timegm(&tm);
}

/* ---- JSON hygiene ------------------------------------------------------ */

static void *json_malloc(size_t n)
{
	return malloc(n);
}

void aws_json_hooks(void)
{
	static bool done;
	cJSON_Hooks hooks = {json_malloc, mem_free_secure};

	if (done)
		return;
	cJSON_InitHooks(&hooks);
	done = true;
}

bool aws_json_has_nul(const char *text, size_t len)
{
	size_t i = 0;

	while (i + 1 < len) {
		const char *bs = memchr(text + i, '\\', len - i - 1);

		if (bs == NULL)
			return false;
		i = (size_t)(bs - text);
		if (text[i + 1] == 'u' && i + 5 < len && !memcmp(text + i + 2, "0000", 4))
			return true;
		i += 2; /* the backslash and the byte it escapes */
	}
	return false;
}

/* ---- one request ------------------------------------------------------- */

struct signed_req {
	char amz_date[17];
	struct sigv4_result sig;
	struct http_header headers[8];
	size_t nheaders;
};

static int sign_request(struct aws_client *c, const struct aws_op *op, struct signed_req *sr,
                        struct err *e)
{
	const char *token = buf_cstr(&c->creds->session_token);
	struct sigv4_header h[5];
	size_t n = 0;
	struct sigv4_request req;
	struct sigv4_signer s = {buf_cstr(&c->creds->access_key_id),
	                         buf_cstr(&c->creds->secret_access_key), c->region, c->service,
	                         sr->amz_date};

	sigv4_amz_date(c->wall_clock() + c->skew_s, sr->amz_date);
	h[n++] = (struct sigv4_header){"Content-Type", op->content_type};
	h[n++] = (struct sigv4_header){"Host", c->endpoint->host_header};
	h[n++] = (struct sigv4_header){"X-Amz-Date", sr->amz_date};
	if (*token)
		h[n++] = (struct sigv4_header){"X-Amz-Security-Token", token};
	if (op->target != NULL)
		h[n++] = (struct sigv4_header){"X-Amz-Target", op->target};
	req = (struct sigv4_request){"POST", c->endpoint->path, NULL,          h,
	                             n,      op->body->data,    op->body->len, true};
	if (sigv4_sign(&req, &s, &sr->sig, e) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		sr->headers[i] = (struct http_header){h[i].name, h[i].value};
	sr->headers[n++] = (struct http_header){"Authorization", buf_cstr(&sr->sig.authorization)};
	sr->nheaders = n;
	return 0;
}

/* plain_request fills the headers of an unsigned request. */
static void plain_request(struct aws_client *c, const struct aws_op *op, struct signed_req *sr)
{
	size_t n = 0;

	sr->headers[n++] = (struct http_header){"Content-Type", op->content_type};
	sr->headers[n++] = (struct http_header){"Host", c->endpoint->host_header};
	if (op->target != NULL)
		sr->headers[n++] = (struct http_header){"X-Amz-Target", op->target};
	sr->nheaders = n;
}

/* remaining_ms is what is left of the deadline for one request (0 when
 * there is no deadline: the client's own timeout applies). */
static long remaining_ms(struct aws_client *c)
{
	int64_t left;

	if (c->deadline_ms <= 0)
		return 0;
	left = c->deadline_ms - c->mono_ms();
	return left > 1 ? (long)left : 1;
}

/* foreign_body tells whether a 200 answer to a JSON operation carries
 * something else (an HTML page from a proxy or captive portal): SSM never
 * sends that, so it is a transient fault, not a malformed response. */
static bool foreign_body(const struct aws_op *op, const struct http_response *resp)
{
	return strstr(op->content_type, "json") != NULL && resp->content_type[0] != '\0' &&
	       strstr(resp->content_type, "json") == NULL;
}

static void foreign_error(const struct http_response *resp, const char *const *secrets,
                          struct aws_error *ae)
{
	char type[64];

	scrub_copy(type, sizeof(type), resp->content_type, sizeof(resp->content_type), secrets);
	snprintf(ae->code, sizeof(ae->code), "UnexpectedContentType");
	snprintf(ae->message, sizeof(ae->message),
	         "HTTP 200 with a %s body, not AWS JSON: a proxy or captive portal in the way?",
	         type);
}

/* attempt sends one request; 0 on HTTP 200, -1 with ae on an AWS or
 * network error, -2 on our own failure (never retried). */
static int attempt(struct aws_client *c, const struct aws_op *op, struct http_response *resp,
                   struct aws_error *ae, struct err *e)
{
	struct signed_req sr;
	struct http_request req;
	int rc;

	memset(&sr, 0, sizeof(sr));
	sigv4_result_init(&sr.sig);
	if (op->unsigned_request) {
		plain_request(c, op, &sr);
	} else if (sign_request(c, op, &sr, e) < 0) {
		sigv4_result_release(&sr.sig);
		memset(ae, 0, sizeof(*ae));
		return -2;
	}
	req = (struct http_request){"POST",
	                            c->endpoint->url,
	                            sr.headers,
	                            sr.nheaders,
	                            op->body->data,
	                            op->body->len,
	                            op->max_body_bytes ? op->max_body_bytes : AWS_MAX_BODY_BYTES,
	                            remaining_ms(c)};
	c->requests++;
	rc = http_perform(c->http, &req, resp, e);
	if (rc < 0 && e != NULL && e->kind == ERR_CONFIG) {
		memset(ae, 0, sizeof(*ae));
		rc = -2; /* nothing to trust: no retry helps */
	} else if (rc == 0 && resp->status == 200 && !foreign_body(op, resp)) {
		rc = 0;
	} else {
		/* what the server says may quote the request back */
		const char *const secrets[] = {buf_cstr(&c->creds->session_token),
		                               buf_cstr(&c->creds->secret_access_key),
		                               sr.sig.signature, op->secret, NULL};

		aws_error_parse(resp, secrets, ae);
		if (rc == 0 && resp->status == 200)
			foreign_error(resp, secrets, ae);
		rc = -1;
	}
	sigv4_result_release(&sr.sig);
	return rc;
}

static double next_rand01(struct aws_client *c)
{
	/* xorshift64*: jitter only, never security */
	c->rng ^= c->rng >> 12;
	c->rng ^= c->rng << 25;
	c->rng ^= c->rng >> 27;
	return (double)((c->rng * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

/* learn_skew sets the clock offset from the response's Date header;
 * returns true when that changes the signing time enough to retry. */
static bool learn_skew(struct aws_client *c, const struct http_response *resp)
{
	time_t server = aws_parse_http_date(resp->date);
	long skew;

	if (server == (time_t)-1)
		return false;
	skew = (long)(server - c->wall_clock());
	if (labs(skew - c->skew_s) < 60)
		return false;
	c->skew_s = skew;
	log_info("clock differs from the server's by %ld s; signing with the server's time", skew);
	return true;
}

static int report(struct aws_client *c, const struct aws_error *ae, bool deadline, struct err *e)
{
	if (ae->status == 0)
		err_prefix(e, "%s", "network");
	else
		err_set(e, ERR_AWS, "%s%s%s (HTTP %ld%s%s)", ae->code, ae->message[0] ? ": " : "",
		        ae->message, ae->status, ae->request_id[0] ? ", request " : "",
		        ae->request_id);
	if (deadline || (c->deadline_ms > 0 && c->mono_ms() >= c->deadline_ms - 50))
		err_prefix(e, "gave up at the deadline (--timeout) after %lu requests; last error",
		           c->requests);
	return -1;
}

/* wait_before_retry sleeps the backoff; false when the deadline forbids. */
static bool wait_before_retry(struct aws_client *c, enum aws_retry_class cls, int n)
{
	long delay = aws_backoff_ms(&c->retry, cls, n, &c->throttle_prev_ms, next_rand01(c));

	if (c->deadline_ms > 0 && c->mono_ms() + delay >= c->deadline_ms)
		return false;
	if (delay > 0)
		c->sleep_ms(delay);
	return true;
}

/* out_of_attempts tells whether the failures so far forbid another try:
 * throttling is bounded by the deadline alone when the policy says so. */
static bool out_of_attempts(const struct aws_client *c, enum aws_retry_class cls, int counted)
{
	if (cls == AWS_RETRY_THROTTLE && c->retry.throttle_until_deadline && c->deadline_ms > 0)
		return false;
	return counted >= c->retry.max_attempts;
}

int aws_call(struct aws_client *c, const struct aws_op *op, struct http_response *resp,
             struct aws_error *aerr, struct err *e)
{
	bool skew_retried = false;
	int counted = 0; /* failures that count against max_attempts */

	if (c->wall_clock == NULL)
		c->wall_clock = real_wall_clock;
	if (c->mono_ms == NULL)
		c->mono_ms = real_mono_ms;
	if (c->sleep_ms == NULL)
		c->sleep_ms = real_sleep_ms;
	for (int n = 1;; n++) {
		int rc = attempt(c, op, resp, aerr, e);
		enum aws_retry_class cls;

		if (rc == 0)
			return 0;
		if (rc == -2)
			return -1;
		cls = aws_retry_classify(aerr);
		if (cls == AWS_RETRY_SKEW && !skew_retried && learn_skew(c, resp)) {
			skew_retried = true;
			n--; /* the SDKs do not count the skew correction */
			continue;
		}
		if (!(cls == AWS_RETRY_THROTTLE && c->retry.throttle_until_deadline))
			counted++;
		else if (c->deadline_ms <= 0)
			counted++;
		if (cls == AWS_RETRY_NEVER || cls == AWS_RETRY_SKEW ||
		    out_of_attempts(c, cls, counted))
			return report(c, aerr, false, e);
		if (!wait_before_retry(c, cls, counted))
			return report(c, aerr, true, e);
		c->retries++;
		log_info("retrying %s after %s (attempt %d)", op->target ? op->target : c->service,
		         aerr->status ? aerr->code : http_failure_name(aerr->failure), n + 1);
	}
}

int aws_json_call(struct aws_client *c, const char *target, const struct buf *body,
                  struct http_response *resp, struct aws_error *aerr, struct err *e)
{
	struct aws_op op = {"application/x-amz-json-1.1", target, body, false, 0, NULL};

	return aws_call(c, &op, resp, aerr, e);
}
