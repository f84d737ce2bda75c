/*
 * http.h - the one small interface to the network.
 *
 * Every request goes through a struct http_client's vtable, so tests and
 * fuzzers can drive the modules above without sockets. The libcurl
 * implementation keeps one handle, so one connection (and one TLS
 * handshake) serves every request to the same host.
 */
#ifndef ENVSSM_HTTP_H
#define ENVSSM_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "err.h"

struct http_header {
	const char *name;
	const char *value;
};

struct http_request {
	const char *method; /* "GET", "POST", "PUT" */
	const char *url;
	const struct http_header *headers; /* sent exactly as given */
	size_t nheaders;
	const void *body;
	size_t body_len;
	size_t max_body_bytes; /* a longer response body is a failure */
	long timeout_ms;       /* whole request; 0 for the client's default */
};

/* Why a request got no complete response. */
enum http_failure {
	HTTP_OK = 0,
	HTTP_FAIL_CONNECT, /* refused, unreachable, DNS */
	HTTP_FAIL_TIMEOUT,
	HTTP_FAIL_RESET, /* reset, closed early, short body */
	HTTP_FAIL_TLS,   /* handshake or certificate */
	HTTP_FAIL_TOO_LARGE,
	HTTP_FAIL_OTHER,
};

struct http_response {
	long status;
	struct buf body;      /* may hold secrets: wiped on release */
	char request_id[128]; /* x-amzn-RequestId / x-amz-request-id */
	char error_type[256]; /* x-amzn-ErrorType */
	char date[64];        /* Date */
	char content_type[128];
	enum http_failure failure;
};

struct http_vtable {
	/* perform sends req and fills resp. Returns 0 when a whole response
	 * arrived (any status), or -1 with resp->failure and e set. */
	int (*perform)(void *impl, const struct http_request *req, struct http_response *resp,
	               struct err *e);
	/* connections reports how many connections were opened so far. */
	long (*connections)(void *impl);
	void (*free)(void *impl);
};

struct http_client {
	const struct http_vtable *vt;
	void *impl;
};

/* Shared between the clients of concurrent fetches: DNS answers, TLS
 * sessions (so a second connection resumes instead of a full handshake)
 * and idle connections. Thread-safe. */
struct http_share;

/* http_share_new makes a share; free it with http_share_free after every
 * client using it is freed. */
int http_share_new(struct http_share **out, struct err *e);
void http_share_free(struct http_share *s);

struct http_options {
	struct http_share *share; /* or NULL */
	const char *ca_bundle;    /* PEM file to trust instead of the system's */
	long connect_timeout_ms;  /* 0 for the default */
	long timeout_ms;          /* default per-request timeout */
	bool direct;              /* never use a proxy (metadata endpoints) */
	const char *ca_dir;       /* hashed directory (or list) to trust, or NULL */
	/* set when no certificates were found: a TLS request fails with it */
	const char *ca_missing;
};

void http_response_init(struct http_response *r);
void http_response_release(struct http_response *r);

/* http_perform calls the client's perform after resetting resp. */
int http_perform(struct http_client *c, const struct http_request *req, struct http_response *resp,
                 struct err *e);

/* http_client_free frees the implementation; c may be empty. */
void http_client_free(struct http_client *c);

/* http_curl_new makes a libcurl client. TLS peers are always verified.
 * A ca_bundle that exists but is not a regular file is refused (-1 with
 * ERR_CONFIG, as file_open says). Call http_curl_global_init once first. */
int http_curl_new(struct http_client *c, const struct http_options *opts, struct err *e);

/* http_curl_global_init initialises libcurl once per process. */
int http_curl_global_init(struct err *e);

/* http_failure_name is a short text for a failure ("connection reset"). */
const char *http_failure_name(enum http_failure f);

#endif
