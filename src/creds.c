/*
 * creds.c - credentials: the environment and shared-file providers, and
 * the chain that orders them.
 */
#include "creds.h"

#include <stdio.h>
#include <string.h>

#include "envp.h"

void creds_init(struct creds *c)
{
	buf_init(&c->access_key_id);
	buf_init(&c->secret_access_key);
	buf_init(&c->session_token);
	c->expiration = 0;
	c->provider[0] = '\0';
}

void creds_release(struct creds *c)
{
	buf_release(&c->access_key_id);
	buf_release(&c->secret_access_key);
	buf_release(&c->session_token);
	creds_init(c);
}

bool creds_env_present(char *const *envp)
{
	return env_get_nonempty(envp, "AWS_ACCESS_KEY_ID") != NULL ||
	       env_get_nonempty(envp, "AWS_SECRET_ACCESS_KEY") != NULL;
}

/* creds_fill copies a key pair and optional token into out. */
static int creds_fill(struct creds *out, const char *akid, const char *secret,
		      const char *token, struct err *e)
{
	if (buf_puts(&out->access_key_id, akid, e) < 0 ||
	    buf_puts(&out->secret_access_key, secret, e) < 0)
		return -1;
	if (token != NULL && buf_puts(&out->session_token, token, e) < 0)
		return -1;
	return 0;
}

/* Environment variables (botocore EnvProvider). */
static int provider_env(const struct creds_ctx *ctx, struct creds *out, struct buf *why,
			struct err *e)
{
	const char *akid = env_get_nonempty(ctx->envp, "AWS_ACCESS_KEY_ID");
	const char *secret = env_get_nonempty(ctx->envp, "AWS_SECRET_ACCESS_KEY");
	const char *token = env_get_nonempty(ctx->envp, "AWS_SECURITY_TOKEN");

	if (ctx->profile_explicit)
		return buf_puts(why, "skipped because --profile was given", e) < 0 ? -1 : 0;
	if (akid == NULL && secret == NULL)
		return buf_puts(why, "AWS_ACCESS_KEY_ID is not set", e) < 0 ? -1 : 0;
	if (akid == NULL)
		return err_set(e, ERR_CREDS, "partial credentials in the environment: AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not");
	if (secret == NULL)
		return err_set(e, ERR_CREDS, "partial credentials in the environment: AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not");
	if (token == NULL)
		token = env_get_nonempty(ctx->envp, "AWS_SESSION_TOKEN");
	if (creds_fill(out, akid, secret, token, e) < 0)
		return -1;
	snprintf(out->provider, sizeof(out->provider), "environment");
	return 1;
}

/* Static keys from the shared credentials and config files
 * (botocore SharedCredentialProvider and ConfigProvider, merged: the
 * credentials file wins key by key). */
static int provider_profile(const struct creds_ctx *ctx, struct creds *out, struct buf *why,
			    struct err *e)
{
	const struct profile_files *pf = ctx->files;
	const char *akid, *secret, *token;

	if (pf == NULL)
		return buf_puts(why, "shared files not read", e) < 0 ? -1 : 0;
	if (!profile_exists(pf, ctx->profile))
		return buf_printf(why, e, "profile '%s' not found in %s or %s", ctx->profile,
				  pf->credentials_path ? pf->credentials_path : "credentials file",
				  pf->config_path ? pf->config_path : "config file") < 0 ? -1 : 0;
	akid = profile_get(pf, ctx->profile, "aws_access_key_id");
	secret = profile_get(pf, ctx->profile, "aws_secret_access_key");
	if (akid == NULL && secret == NULL)
		return buf_printf(why, e, "profile '%s' has no aws_access_key_id", ctx->profile) < 0 ? -1 : 0;
	if (akid == NULL || secret == NULL || !*akid || !*secret)
		return err_set(e, ERR_CREDS, "partial credentials in profile '%s': %s is missing",
			       ctx->profile, akid == NULL || !*akid ? "aws_access_key_id" : "aws_secret_access_key");
	token = profile_get(pf, ctx->profile, "aws_security_token");
	if (token == NULL || !*token)
		token = profile_get(pf, ctx->profile, "aws_session_token");
	if (creds_fill(out, akid, secret, token && *token ? token : NULL, e) < 0)
		return -1;
	snprintf(out->provider, sizeof(out->provider), "profile '%s'", ctx->profile);
	return 1;
}

static const struct creds_provider chain[] = {
	{ "environment", provider_env },
	{ "shared files", provider_profile },
};

int creds_resolve(const struct creds_ctx *ctx, struct creds *out, struct err *e)
{
	struct buf tried = BUF_INIT, why = BUF_INIT;
	int rc = -1;

	for (size_t i = 0; i < sizeof(chain) / sizeof(chain[0]); i++) {
		int found;

		buf_truncate(&why, 0);
		found = chain[i].resolve(ctx, out, &why, e);
		if (found != 0) {
			if (found < 0)
				creds_release(out);
			rc = found > 0 ? 0 : -1;
			goto done;
		}
		if (buf_printf(&tried, e, "%s%s: %s", tried.len ? "; " : "", chain[i].name,
			       buf_cstr(&why)) < 0)
			goto done;
	}
	err_set(e, ERR_CREDS, "no credentials found (%s)", buf_cstr(&tried));
done:
	buf_release(&tried);
	buf_release(&why);
	return rc;
}
