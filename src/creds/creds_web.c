/*
 * creds_web.c - web identity (botocore AssumeRoleWithWebIdentityProvider):
 * a token file and a role ARN from the environment or the profile, key by
 * key, exchanged with STS AssumeRoleWithWebIdentity (unsigned). The file
 * is read again on every call: EKS rotates it.
 */
#include <stdio.h>
#include <string.h>

#include "creds_kit.h"
#include "creds_providers.h"
#include "envp.h"
#include "sts.h"

#define TOKEN_MIN_CHARS 4
#define TOKEN_MAX_CHARS 20000

/* One setting: the variable wins over the profile key. */
struct web_setting {
	const char *value;
	char from[320]; /* "AWS_ROLE_ARN" or "role_arn in profile 'p'" */
};

static void web_get(struct creds_ctx *ctx, const char *profile, bool use_env, const char *var,
                    const char *key, struct web_setting *s)
{
	s->value = use_env ? env_get_nonempty(ctx->envp, var) : NULL;
	if (s->value != NULL) {
		snprintf(s->from, sizeof(s->from), "%s", var);
		return;
	}
	s->value = creds_value(ctx, profile, key);
	snprintf(s->from, sizeof(s->from), "%s in profile '%s'", key, creds_q(profile));
}

/* read_token reads the token file, dropping trailing blanks and newlines
 * (a JWT holds none). */
static int read_token(struct creds_ctx *ctx, const struct web_setting *file, struct buf *token,
                      struct err *e)
{
	int rc = creds_read_file(ctx, file->value, TOKEN_MAX_CHARS + 1024, token, e);

	if (rc < 0)
		return err_prefix(e, "unable to read the web identity token file (from %s)",
		                  file->from);
	if (rc == 0)
		return err_set(e, ERR_CREDS,
		               "web identity token file '%s' (from %s) does not exist",
		               creds_q(file->value), file->from);
	while (token->len > 0 && strchr(" \t\r\n", token->data[token->len - 1]) != NULL)
		buf_truncate(token, token->len - 1);
	if (token->len < TOKEN_MIN_CHARS || token->len > TOKEN_MAX_CHARS ||
	    strlen(buf_cstr(token)) != token->len)
		return err_set(
		        e, ERR_CREDS,
		        "web identity token file '%s' (from %s) does not hold a token of %d to %d characters",
		        creds_q(file->value), file->from, TOKEN_MIN_CHARS, TOKEN_MAX_CHARS);
	return 0;
}

int creds_profile_web_identity(struct creds_ctx *ctx, const char *profile, bool use_env,
                               struct creds *out, struct buf *why, struct err *e)
{
	struct web_setting file, arn, name;
	struct sts_role_args a = {NULL, NULL, NULL, 0, NULL};
	struct buf token = BUF_INIT;
	struct aws_client *sts;
	char session[32];
	int rc = -1;

	web_get(ctx, profile, use_env, "AWS_WEB_IDENTITY_TOKEN_FILE", "web_identity_token_file",
	        &file);
	if (file.value == NULL && !profile_exists(ctx->files, profile))
		return creds_why(why, e, "%s",
		                 use_env ? "AWS_WEB_IDENTITY_TOKEN_FILE is not set"
		                         : "AWS_WEB_IDENTITY_TOKEN_FILE skipped (--profile)");
	if (file.value == NULL)
		return creds_why(why, e, "%sno web_identity_token_file in profile '%s'",
		                 use_env ? "AWS_WEB_IDENTITY_TOKEN_FILE is not set and " : "",
		                 creds_q(profile));
	web_get(ctx, profile, use_env, "AWS_ROLE_ARN", "role_arn", &arn);
	web_get(ctx, profile, use_env, "AWS_ROLE_SESSION_NAME", "role_session_name", &name);
	if (arn.value == NULL)
		return err_set(
		        e, ERR_CONFIG,
		        "web identity token file from %s but no role ARN: set %srole_arn in profile '%s'",
		        file.from, use_env ? "AWS_ROLE_ARN or " : "", creds_q(profile));
	if (name.value != NULL && creds_check_session_name(name.value, name.from, e) < 0)
		return -1;
	creds_session_name(ctx, session);
	a = (struct sts_role_args){arn.value, name.value ? name.value : session, NULL, 0, &token};
	if (read_token(ctx, &file, &token, e) < 0 || creds_sts(ctx, &sts, e) < 0)
		goto done;
	if (sts_assume_role_with_web_identity(sts, &a, out, NULL, e) < 0) {
		err_prefix(e,
		           "unable to assume role '%s' with the web identity token from %s at %s",
		           creds_q(arn.value), file.from, creds_sts_endpoint(ctx)->ep.url);
		goto done;
	}
	snprintf(out->provider, sizeof(out->provider),
	         "web identity role '%.110s' (token file from %.100s)", creds_q(arn.value),
	         file.from);
	rc = 1;
done:
	buf_release(&token);
	return rc;
}
