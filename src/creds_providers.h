/*
 * creds_providers.h - the providers of the credential chain and what
 * they share. Internal to the creds_*.c files (and explain.c, which asks
 * the chain's STS client who the credentials belong to); everything else
 * uses creds.h.
 *
 * Every provider follows creds.h's contract: 1 with *out filled, 0 with
 * `why` saying (without any secret) why it has nothing, -1 with e when it
 * is configured but broken. The profile providers take the profile to
 * read, so that a source_profile runs the same code.
 */
#ifndef ENVSSM_CREDS_PROVIDERS_H
#define ENVSSM_CREDS_PROVIDERS_H

#include <stdbool.h>

#include "aws.h"
#include "buf.h"
#include "creds.h"
#include "err.h"
#include "settings.h"

/* Response and file bounds. */
#define CREDS_MAX_JSON_BYTES  (64u * 1024)
#define CREDS_MAX_TOKEN_BYTES (64u * 1024)
#define CREDS_MAX_DEPTH       8 /* source_profile links followed */

/* ---- shared helpers (creds.c) ------------------------------------------ */

/* creds_why replaces why with formatted text; returns 0, or -1 with e. */
int creds_why(struct buf *why, struct err *e, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* creds_quotable tells whether s may be echoed in a message: short
 * printable ASCII. */
bool creds_quotable(const char *s);

/* creds_q returns s when quotable, else "?". */
const char *creds_q(const char *s);

/* creds_fill copies a key pair and an optional token into out. */
int creds_fill(struct creds *out, const char *akid, const char *secret, const char *token,
               struct err *e);

/* creds_check_fields fails with ERR_CREDS naming `what` unless both keys
 * are present and no field holds a control byte or is too long. */
int creds_check_fields(const struct creds *c, const char *what, struct err *e);

/* creds_value returns profile's non-empty value for key (the credentials
 * file winning over the config file, as botocore's full_config), or NULL. */
const char *creds_value(const struct creds_ctx *ctx, const char *profile, const char *key);

/* creds_config_value is the same from the config file only, and
 * creds_credentials_value from the credentials file only. */
const char *creds_config_value(const struct creds_ctx *ctx, const char *profile, const char *key);
const char *creds_credentials_value(const struct creds_ctx *ctx, const char *profile,
                                    const char *key);

/* creds_config_section returns the config file's "[WORD NAME]" header
 * (e.g. WORD "sso-session"), or NULL. */
const char *creds_config_section(const struct creds_ctx *ctx, const char *word, const char *name);

/* creds_env_true tells whether variable var is "true" (any case), else
 * the profile's key. */
bool creds_setting_true(const struct creds_ctx *ctx, const char *var, const char *key);

/* creds_http returns the chain's web (STS, SSO) or direct (metadata)
 * client, making it on first use. */
int creds_http(struct creds_ctx *ctx, bool direct, struct http_client **out, struct err *e);

/* creds_read_file, creds_sleep_ms, creds_mono_ms and creds_run go through
 * ctx->sys (the real system for a missing hook). */
int creds_read_file(struct creds_ctx *ctx, const char *path, size_t max_bytes, struct buf *out,
                    struct err *e);
void creds_sleep_ms(struct creds_ctx *ctx, long ms);
int64_t creds_mono_ms(struct creds_ctx *ctx);
int creds_run(struct creds_ctx *ctx, const struct creds_run *r, struct buf *out,
              enum creds_run_failure *fail, int *status, struct err *e);

/* creds_time_left_ms is what is left before ctx's deadline, at most cap
 * (cap when there is no deadline), at least 1. */
long creds_time_left_ms(struct creds_ctx *ctx, long cap);

/* creds_session_name writes "envssm-<epoch>", the default session name. */
void creds_session_name(const struct creds_ctx *ctx, char out[32]);

/* creds_check_session_name fails unless name is 2..64 of [\w+=,.@-]. */
int creds_check_session_name(const char *name, const char *where, struct err *e);

/* ---- STS (creds_sts.c) ------------------------------------------------- */

/* creds_sts returns the chain's STS client, resolving the endpoint and
 * making the client on first use. */
int creds_sts(struct creds_ctx *ctx, struct aws_client **out, struct err *e);

/* creds_sts_free frees what creds_sts made. */
void creds_sts_free(struct creds_sts *s);

/* creds_sts_endpoint returns the resolved STS endpoint (for messages), or
 * NULL before creds_sts. */
const struct settings_service *creds_sts_endpoint(const struct creds_ctx *ctx);

/* ---- providers ------------------------------------------------------- */

/* Environment variables (creds.c). */
int creds_provider_env(struct creds_ctx *ctx, struct creds *out, struct buf *why, struct err *e);

/* role_arn with source_profile or credential_source (creds_role.c). */
int creds_profile_assume_role(struct creds_ctx *ctx, const char *profile, struct creds *out,
                              struct buf *why, struct err *e);

/* The profile chain of a source profile: web identity, SSO, credentials
 * file, credential_process, config file (creds_role.c). */
int creds_profile_chain(struct creds_ctx *ctx, const char *profile, struct creds *out,
                        struct buf *why, struct err *e);

/* Static keys from one file: the credentials file (config false) or the
 * config file (creds_role.c). */
int creds_profile_static(struct creds_ctx *ctx, const char *profile, bool config, struct creds *out,
                         struct buf *why, struct err *e);

/* Web identity: the environment (unless use_env is false) key by key over
 * the profile (creds_web.c). */
int creds_profile_web_identity(struct creds_ctx *ctx, const char *profile, bool use_env,
                               struct creds *out, struct buf *why, struct err *e);

/* SSO (creds_sso.c). */
int creds_profile_sso(struct creds_ctx *ctx, const char *profile, struct creds *out,
                      struct buf *why, struct err *e);

/* credential_process (creds_process.c). */
int creds_profile_process(struct creds_ctx *ctx, const char *profile, struct creds *out,
                          struct buf *why, struct err *e);

/* The container endpoint (creds_container.c). */
int creds_provider_container(struct creds_ctx *ctx, struct creds *out, struct buf *why,
                             struct err *e);

/* EC2 instance metadata (creds_imds.c). */
int creds_provider_imds(struct creds_ctx *ctx, struct creds *out, struct buf *why, struct err *e);

#endif
