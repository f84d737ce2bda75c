/*
 * aws.h - one signed AWS request, its errors, and its retries.
 *
 * Builds the SigV4-signed request, sends it through the http interface,
 * reads AWS errors (JSON 1.1 bodies, XML bodies, bare statuses) and retries
 * the retryable ones with capped exponential backoff and full jitter, under
 * an overall deadline. The clock, the sleep and the random source are
 * function pointers so tests can drive every path without waiting.
 */
#ifndef ENVSSM_AWS_H
#define ENVSSM_AWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "buf.h"
#include "creds_kit.h"
#include "err.h"
#include "http.h"
#include "settings.h"

/* What an AWS error response said. Never holds a value or a secret. */
struct aws_error {
	long status; /* 0 when no response arrived */
	enum http_failure failure;
	char code[128];
	char message[512];
	char request_id[128];
};

enum aws_retry_class {
	AWS_RETRY_NEVER = 0,
	AWS_RETRY_TRANSIENT, /* 5xx, resets, connect failures */
	AWS_RETRY_TIMEOUT,   /* connect or read timeouts */
	AWS_RETRY_THROTTLE,  /* ThrottlingException and friends, 429 */
	AWS_RETRY_SKEW,      /* signature expired / not yet current */
};

/*
 * Retries. Transient errors (5xx, resets, timeouts) back off with full
 * jitter: rand * min(base * 2^(n-1), cap), as the SDKs' standard mode
 * does. Throttling backs off with decorrelated jitter: min(cap,
 * rand(throttle_base, 3 * previous)), which lets a fleet of processes
 * starting at once share the account's rate with fewer wasted requests and
 * a shorter tail than full jitter (see bench/). Unless AWS_MAX_ATTEMPTS is
 * set, throttling is retried until the deadline: a herd must come up.
 */
struct aws_retry_policy {
	int max_attempts;             /* total attempts, first included */
	bool throttle_until_deadline; /* throttling ignores max_attempts */
	long base_ms;                 /* full-jitter scale for transient errors */
	long cap_ms;                  /* ceiling of one transient backoff */
	long throttle_base_ms;        /* least throttling backoff */
	long throttle_cap_ms;         /* ceiling of one throttling backoff */
};

struct aws_client {
	struct http_client *http;
	const struct endpoint *endpoint;
	const char *region;
	const char *service; /* signing name, "ssm" */
	const struct creds *creds;
	struct aws_retry_policy retry;
	int64_t deadline_ms;   /* monotonic ms at which to give up; 0 = none */
	long skew_s;           /* server time minus ours, learnt from Date */
	long throttle_prev_ms; /* last throttling delay: contention is remembered */
	/* injectable for tests; NULL means the real one */
	time_t (*wall_clock)(void);
	int64_t (*mono_ms)(void);
	void (*sleep_ms)(long ms);
	uint64_t rng;
	/* counters, for -v and the benchmark */
	unsigned long requests;
	unsigned long retries;
};

/* aws_client_init fills c with defaults (standard mode, 3 attempts). */
void aws_client_init(struct aws_client *c);

/* aws_retry_from_env applies AWS_MAX_ATTEMPTS and AWS_RETRY_MODE
 * (legacy|standard|adaptive) from envp; -1 with ERR_CONFIG when invalid. */
int aws_retry_from_env(struct aws_client *c, char *const *envp, struct err *e);

/* One operation to send. */
struct aws_op {
	const char *content_type; /* "application/x-amz-json-1.1", form-urlencoded */
	const char *target;       /* X-Amz-Target, or NULL (query protocol) */
	const struct buf *body;
	bool unsigned_request; /* STS AssumeRoleWithWebIdentity: no Authorization */
	size_t max_body_bytes; /* 0 for the default (8 MiB) */
	const char *secret;    /* in the body (a web identity token), or NULL */
};

/* aws_call POSTs op to c->endpoint, SigV4-signed for c->service and
 * c->region (unless op->unsigned_request), retrying what the SDKs retry.
 * Returns 0 with an HTTP 200 response in resp, or -1 with aerr filled (when
 * the service or the network said why) and e holding "CODE: message (HTTP
 * n, request id)". */
int aws_call(struct aws_client *c, const struct aws_op *op, struct http_response *resp,
             struct aws_error *aerr, struct err *e);

/* aws_json_call is aws_call for an AWS JSON 1.1 operation such as
 * "AmazonSSM.GetParametersByPath". */
int aws_json_call(struct aws_client *c, const char *target, const struct buf *body,
                  struct http_response *resp, struct aws_error *aerr, struct err *e);

/* aws_error_parse reads an error response: JSON __type/message (botocore's
 * rules), XML <Code>/<Message>, else the status and the start of a non-2xx
 * body. Everything kept from the response goes through scrub_copy with
 * secrets (the request's session token, secret key, signature, bearer
 * token...: a NULL-ended list, or NULL), so that a server quoting the
 * request back shows none of them. Pure. */
void aws_error_parse(const struct http_response *resp, const char *const *secrets,
                     struct aws_error *out);

/* aws_retry_classify tells whether and how an error may be retried. Pure. */
enum aws_retry_class aws_retry_classify(const struct aws_error *ae);

/* aws_backoff_ms is the delay before attempt n+1 after attempt n (from 1)
 * failed with class cls: full jitter for transient errors, decorrelated
 * jitter from *prev_ms (the last throttling delay, 0 at first; updated) for
 * throttling, 0 for clock skew. rand01 is in [0, 1). Pure. */
long aws_backoff_ms(const struct aws_retry_policy *p, enum aws_retry_class cls, int n,
                    long *prev_ms, double rand01);

/* aws_parse_http_date reads an RFC 1123 date ("Sun, 06 Nov 1994 08:49:37
 * GMT"); returns -1 when it cannot. */
time_t aws_parse_http_date(const char *s);

/* aws_json_hooks makes cJSON wipe every block it frees (idempotent). */
void aws_json_hooks(void);

/* aws_json_has_nul tells whether a JSON text holds a \u0000 escape inside
 * a string (which a C string cannot carry). */
bool aws_json_has_nul(const char *text, size_t len);

#endif
