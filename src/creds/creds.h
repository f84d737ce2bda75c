/*
 * creds.h - AWS credentials and the chain of providers that finds them.
 *
 * The chain runs in botocore's order (credentials.py,
 * create_credential_resolver); the first provider that finds credentials
 * wins:
 *
 *   1 environment            AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (skipped with --profile)
 *   2 assume role            profile role_arn (+ source_profile or credential_source)
 *   3 web identity           AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN, or the profile's
 *   4 sso                    profile sso_account_id/sso_role_name, cached token
 *   5 shared credentials file  static keys in ~/.aws/credentials
 *   6 credential_process     profile credential_process
 *   7 config file            static keys in ~/.aws/config
 *   8 container              AWS_CONTAINER_CREDENTIALS_RELATIVE_URI / _FULL_URI
 *   9 IMDS                   EC2 instance metadata, IMDSv2 first
 *
 * A provider that is configured but broken (one key without the other, a
 * failing credential_process, an STS error, a container endpoint that
 * answers 500) is an error: the chain does not move on past a broken
 * configuration. Credentials that expire within five minutes are an error.
 *
 * Every effect (HTTP, files, processes, sleeping) goes through struct
 * creds_sys so tests drive the whole chain without sockets or files.
 */
#ifndef ENVSSM_CREDS_H
#define ENVSSM_CREDS_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "buf.h"
#include "creds_imds.h"
#include "creds_kit.h"
#include "err.h"
#include "profile.h"

/* One provider tried, for errors and --explain. */
struct creds_step {
	char name[32];  /* "environment", "IMDS" */
	char what[480]; /* why it gave nothing, or what it found; no secret */
	int outcome;    /* 0 nothing, 1 credentials, -1 broken */
};

#define CREDS_MAX_STEPS 16

struct creds_trail {
	struct creds_step steps[CREDS_MAX_STEPS];
	size_t len;
};

/* creds_ctx_init and creds_ctx_release begin and end a struct creds_ctx
 * (creds_kit.h) as its comment says. */
void creds_ctx_init(struct creds_ctx *ctx, char *const *envp, const char *profile,
                    bool profile_explicit, const struct profile_files *files, time_t now);

void creds_ctx_release(struct creds_ctx *ctx);

/* A provider returns 1 with *out filled, 0 when it is not configured
 * (writing why into `why`, no secret), or -1 with e filled when it is
 * configured but broken. */
struct creds_provider {
	const char *name;
	int (*resolve)(struct creds_ctx *ctx, struct creds *out, struct buf *why, struct err *e);
};

/* creds_chain is the chain in order; creds_chain_len its length. */
extern const struct creds_provider creds_chain[];
extern const size_t creds_chain_len;

/* creds_env_present tells whether AWS_ACCESS_KEY_ID or AWS_SECRET_ACCESS_KEY
 * is set (non-empty) in envp, i.e. whether the environment provider will
 * answer without any file being read. */
bool creds_env_present(char *const *envp);

/* creds_resolve runs the chain. Returns 0 with out filled, or -1 with e
 * filled: ERR_CREDS "no credentials found: ..." listing every provider
 * tried and why it gave nothing, or the broken provider's own error. */
int creds_resolve(struct creds_ctx *ctx, struct creds *out, struct err *e);

#endif
