/*
 * creds_json.h - the JSON answers of the credential providers, parsed
 * purely: credential_process output, the container endpoint, IMDS, the
 * SSO token cache and the SSO portal.
 *
 * Every parser takes the raw bytes (at most CREDS_JSON_MAX_BYTES; a
 * \u0000 escape or trailing garbage is refused), fills a struct creds
 * whose fields it wipes on failure, and says what was wrong without
 * quoting any value.
 */
#ifndef ENVSSM_CREDS_JSON_H
#define ENVSSM_CREDS_JSON_H

#include <stddef.h>
#include <time.h>

#include "buf.h"
#include "creds_kit.h"
#include "err.h"

#define CREDS_JSON_MAX_BYTES (64u * 1024)

/* creds_json_process reads credential_process output: Version (must be
 * 1), AccessKeyId, SecretAccessKey, optional SessionToken and Expiration
 * (ISO 8601; absent means the keys never expire). ERR_PARSE naming the
 * problem. */
int creds_json_process(const char *text, size_t len, struct creds *out, struct err *e);

/* creds_json_container reads the container endpoint's answer:
 * AccessKeyId, SecretAccessKey, Token and Expiration, all required. */
int creds_json_container(const char *text, size_t len, struct creds *out, struct err *e);

/* creds_json_imds reads .../security-credentials/ROLE: 1 with out filled,
 * 0 with why set when IMDS answered an error document ({"Code":...}) or
 * lacks a field (botocore treats both as "no credentials"), -1 with e
 * when it is not JSON. The document's Code and Message reach why through
 * scrub_copy with secrets (the IMDS session token: a NULL-ended list, or
 * NULL). */
int creds_json_imds(const char *text, size_t len, const char *const *secrets, struct creds *out,
                    struct buf *why, struct err *e);

/* creds_json_sso_token reads a cached SSO token (accessToken, expiresAt)
 * into token and *expires. */
int creds_json_sso_token(const char *text, size_t len, struct buf *token, time_t *expires,
                         struct err *e);

/* creds_json_sso_role reads GetRoleCredentials' answer: roleCredentials
 * {accessKeyId, secretAccessKey, sessionToken, expiration (epoch ms)}. */
int creds_json_sso_role(const char *text, size_t len, struct creds *out, struct err *e);

#endif
