/*
 * creds_providers.h - the providers of the credential chain; what they
 * share is in creds_kit.h. Internal to the creds_*.c files (and explain.c,
 * which asks the chain's STS client who the credentials belong to);
 * everything else uses creds.h.
 *
 * Every provider follows creds.h's contract: 1 with *out filled, 0 with
 * `why` saying (without any secret) why it has nothing, -1 with e when it
 * is configured but broken. The profile providers take the profile to
 * read, so that a source_profile runs the same code. A provider calls no
 * other provider and never the chain: what one needs of another, the
 * chain hands it (struct creds_role_sources).
 */
#ifndef ENVSSM_CREDS_PROVIDERS_H
#define ENVSSM_CREDS_PROVIDERS_H

#include <stdbool.h>

#include "aws.h"
#include "buf.h"
#include "creds_kit.h"
#include "err.h"
#include "settings.h"

/* Response and file bounds. */
#define CREDS_MAX_JSON_BYTES  (64u * 1024)
#define CREDS_MAX_TOKEN_BYTES (64u * 1024)
#define CREDS_MAX_DEPTH       8 /* source_profile links followed */

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

/* Environment variables (creds_env.c). */
int creds_provider_env(struct creds_ctx *ctx, struct creds *out, struct buf *why, struct err *e);

/* What the assume role provider takes its source credentials from,
 * filled by the chain (creds.c). The role provider owns the names and
 * the messages; these only answer. */
struct creds_role_sources {
	/* credential_source Environment, EcsContainer, Ec2InstanceMetadata */
	int (*env)(struct creds_ctx *ctx, struct creds *out, struct buf *why, struct err *e);
	int (*container)(struct creds_ctx *ctx, struct creds *out, struct buf *why, struct err *e);
	int (*imds)(struct creds_ctx *ctx, struct creds *out, struct buf *why, struct err *e);
	/* the chain of a source_profile that has static keys or no role */
	int (*profile)(struct creds_ctx *ctx, const char *profile, struct creds *out,
	               struct buf *why, struct err *e);
};

/* role_arn with source_profile or credential_source, drawing on src
 * (creds_role.c). */
int creds_profile_assume_role(struct creds_ctx *ctx, const struct creds_role_sources *src,
                              const char *profile, struct creds *out, struct buf *why,
                              struct err *e);

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
