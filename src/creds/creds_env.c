/*
 * creds_env.c - the environment provider (botocore EnvProvider): the keys,
 * the token and the expiration from AWS_* variables.
 */
#include <stdio.h>

#include "creds_kit.h"
#include "creds_providers.h"
#include "envp.h"

int creds_provider_env(struct creds_ctx *ctx, struct creds *out, struct buf *why, struct err *e)
{
	const char *akid = env_get_nonempty(ctx->envp, "AWS_ACCESS_KEY_ID");
	const char *secret = env_get_nonempty(ctx->envp, "AWS_SECRET_ACCESS_KEY");
	const char *token = env_get_nonempty(ctx->envp, "AWS_SECURITY_TOKEN");
	const char *expiry = env_get_nonempty(ctx->envp, "AWS_CREDENTIAL_EXPIRATION");

	if (akid == NULL && secret == NULL)
		return creds_why(why, e, "AWS_ACCESS_KEY_ID is not set");
	if (akid == NULL)
		return err_set(
		        e, ERR_CREDS,
		        "partial credentials in the environment: AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not");
	if (secret == NULL)
		return err_set(
		        e, ERR_CREDS,
		        "partial credentials in the environment: AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not");
	if (token == NULL)
		token = env_get_nonempty(ctx->envp, "AWS_SESSION_TOKEN");
	if (creds_fill(out, akid, secret, token, e) < 0)
		return -1;
	if (expiry != NULL && creds_parse_time(expiry, &out->expiration) < 0)
		return err_set(
		        e, ERR_CREDS,
		        "invalid AWS_CREDENTIAL_EXPIRATION '%s': use ISO 8601 such as 2024-01-15T12:00:00Z",
		        creds_q(expiry));
	snprintf(out->provider, sizeof(out->provider), "environment");
	return 1;
}
