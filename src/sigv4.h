/*
 * sigv4.h - AWS Signature Version 4 for request headers, pure.
 *
 * Everything comes in as arguments (the time included); nothing touches the
 * network or the clock. Every intermediate key is wiped before return.
 */
#ifndef ENVSSM_SIGV4_H
#define ENVSSM_SIGV4_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "buf.h"
#include "err.h"

struct sigv4_header {
	const char *name;  /* any case; canonicalised to lower case */
	const char *value; /* trimmed, inner whitespace runs folded */
};

struct sigv4_request {
	const char *method; /* "POST" */
	const char *path;   /* raw path as sent, e.g. "/" */
	const char *query;  /* raw query without '?', or NULL */
	/* Headers to sign. They must include host and x-amz-date (and
	 * x-amz-security-token when the credentials carry one); every header
	 * given is signed. Repeated names are joined with ','. */
	const struct sigv4_header *headers;
	size_t nheaders;
	const void *body; /* exact bytes sent; NULL with body_len 0 */
	size_t body_len;
	bool normalize_path; /* remove dot segments and "//" (all but S3) */
};

struct sigv4_signer {
	const char *access_key_id;
	const char *secret_access_key;
	const char *region;
	const char *service;
	const char *amz_date; /* "YYYYMMDDTHHMMSSZ", as in x-amz-date */
};

/* The results of signing. canonical_request and string_to_sign are kept for
 * tests and debugging (they hold no secret); authorization is the full
 * Authorization header value. Caller-owned: release with
 * sigv4_result_release. */
struct sigv4_result {
	struct buf canonical_request;
	struct buf string_to_sign;
	char signature[65]; /* lower-case hex */
	struct buf authorization;
};

void sigv4_result_init(struct sigv4_result *r);
void sigv4_result_release(struct sigv4_result *r);

/* sigv4_sign signs req per the SigV4 spec ("Create a canonical request",
 * "Create a string to sign", "Calculate the signature"). out must have been
 * through sigv4_result_init; whatever it held is freed, and on failure it is
 * left empty. A caller-supplied x-amz-content-sha256 header replaces the
 * payload hash (as botocore does). Returns 0, or -1 with e filled:
 * ERR_CREDS for an unprintable access key or an over-long secret;
 * ERR_CONFIG for a missing host or x-amz-date header, an x-amz-date that
 * differs from amz_date, a header name that is not an RFC 9110 token,
 * a value with control bytes other than tab, or a region or service with
 * '/'; ERR_LIMIT past 128 headers, 64 KiB of path, query or value, or 512
 * query parameters; ERR_NOMEM. */
int sigv4_sign(const struct sigv4_request *req, const struct sigv4_signer *s,
               struct sigv4_result *out, struct err *e);

/* sigv4_amz_date formats t as "YYYYMMDDTHHMMSSZ" (UTC) into out, or writes
 * "" when t is outside the years 1000..9999 (which sigv4_sign refuses). */
void sigv4_amz_date(time_t t, char out[17]);

/* sigv4_sha256_hex writes the lower-case hex SHA-256 of p into out. */
void sigv4_sha256_hex(const void *p, size_t n, char out[65]);

#endif
