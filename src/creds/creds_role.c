/*
 * creds_role.c - the profile providers: static keys from each shared file
 * (botocore SharedCredentialProvider, ConfigProvider) and role_arn with
 * source_profile or credential_source (AssumeRoleProvider). The providers
 * a role draws its source credentials from come from the chain.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "creds_kit.h"
#include "creds_providers.h"
#include "sts.h"

#define DURATION_MIN_S 900
#define DURATION_MAX_S 43200

/* ---- static keys --------------------------------------------------------- */

int creds_profile_static(struct creds_ctx *ctx, const char *profile, bool config, struct creds *out,
                         struct buf *why, struct err *e)
{
	const struct profile_files *pf = ctx->files;
	const char *(*get)(const struct creds_ctx *, const char *, const char *) =
	        config ? creds_config_value : creds_credentials_value;
	const char *path, *akid, *secret, *token;

	if (pf == NULL)
		return creds_why(why, e, "shared files not read");
	path = config ? pf->config_path : pf->credentials_path;
	if (path == NULL)
		return creds_why(why, e, "no file (HOME is not set)");
	if (config ? pf->config_missing : pf->credentials_missing)
		return creds_why(why, e, "%s is missing", path);
	akid = get(ctx, profile, "aws_access_key_id");
	secret = get(ctx, profile, "aws_secret_access_key");
	if (akid == NULL && secret == NULL)
		return creds_why(why, e, "no aws_access_key_id for profile '%s' in %s",
		                 creds_q(profile), path);
	if (akid == NULL || secret == NULL)
		return err_set(e, ERR_CREDS,
		               "partial credentials in profile '%s' in %s: %s is missing",
		               creds_q(profile), path,
		               akid == NULL ? "aws_access_key_id" : "aws_secret_access_key");
	token = get(ctx, profile, "aws_security_token");
	if (token == NULL)
		token = get(ctx, profile, "aws_session_token");
	if (creds_fill(out, akid, secret, token, e) < 0)
		return -1;
	snprintf(out->provider, sizeof(out->provider), "static keys of profile '%s' in %s",
	         creds_q(profile), path);
	return 1;
}

/* ---- assume role ------------------------------------------------------- */

/* The profiles visited on the way down a source_profile chain. */
struct visit {
	const char *names[CREDS_MAX_DEPTH + 2];
	size_t n;
};

struct role_config {
	const char *role_arn;
	const char *source_profile;
	const char *credential_source;
	const char *external_id;
	const char *session_name;
	long duration_s;
};

static bool has_static(struct creds_ctx *ctx, const char *profile)
{
	return creds_value(ctx, profile, "aws_access_key_id") != NULL ||
	       creds_value(ctx, profile, "aws_secret_access_key") != NULL;
}

/* has_role tells whether the assume role provider handles profile:
 * role_arn without web_identity_token_file (botocore
 * _has_assume_role_config_vars). */
static bool has_role(struct creds_ctx *ctx, const char *profile)
{
	return creds_value(ctx, profile, "role_arn") != NULL &&
	       creds_value(ctx, profile, "web_identity_token_file") == NULL;
}

static int parse_duration(const char *v, const char *profile, long *out, struct err *e)
{
	char *end;
	long n;

	*out = 0;
	if (v == NULL)
		return 0;
	n = strtol(v, &end, 10);
	if (end == v || *end != '\0' || n < DURATION_MIN_S || n > DURATION_MAX_S)
		return err_set(
		        e, ERR_CONFIG,
		        "invalid duration_seconds '%s' in profile '%s': use %d to %d seconds",
		        creds_q(v), creds_q(profile), DURATION_MIN_S, DURATION_MAX_S);
	*out = n;
	return 0;
}

/* role_config_read reads and checks profile's role settings. */
static int role_config_read(struct creds_ctx *ctx, const char *profile, struct role_config *rc,
                            struct err *e)
{
	const char *p = creds_q(profile);

	memset(rc, 0, sizeof(*rc));
	rc->role_arn = creds_value(ctx, profile, "role_arn");
	rc->source_profile = creds_value(ctx, profile, "source_profile");
	rc->credential_source = creds_value(ctx, profile, "credential_source");
	rc->external_id = creds_value(ctx, profile, "external_id");
	rc->session_name = creds_value(ctx, profile, "role_session_name");
	if (rc->source_profile != NULL && rc->credential_source != NULL)
		return err_set(
		        e, ERR_CONFIG,
		        "profile '%s' sets both source_profile and credential_source: keep one", p);
	if (rc->source_profile == NULL && rc->credential_source == NULL)
		return err_set(
		        e, ERR_CONFIG,
		        "profile '%s' sets role_arn but neither source_profile nor credential_source",
		        p);
	if (creds_value(ctx, profile, "mfa_serial") != NULL)
		return err_set(
		        e, ERR_CONFIG,
		        "profile '%s' sets mfa_serial: envssm cannot prompt for an MFA code; assume the role before starting envssm or use a role without MFA",
		        p);
	if (rc->session_name != NULL &&
	    creds_check_session_name(rc->session_name, "role_session_name", e) < 0)
		return err_prefix(e, "profile '%s'", p);
	return parse_duration(creds_value(ctx, profile, "duration_seconds"), profile,
	                      &rc->duration_s, e);
}

/* credential_source names one of three providers (any case). */
static int from_credential_source(struct creds_ctx *ctx, const struct creds_role_sources *src,
                                  const char *profile, const char *source, struct creds *out,
                                  struct err *e)
{
	struct buf why = BUF_INIT;
	int rc;

	if (strcasecmp(source, "Environment") == 0)
		rc = src->env(ctx, out, &why, e);
	else if (strcasecmp(source, "EcsContainer") == 0)
		rc = src->container(ctx, out, &why, e);
	else if (strcasecmp(source, "Ec2InstanceMetadata") == 0)
		rc = src->imds(ctx, out, &why, e);
	else
		rc = err_set(
		        e, ERR_CONFIG,
		        "invalid credential_source '%s' in profile '%s': use Environment, EcsContainer or Ec2InstanceMetadata",
		        creds_q(source), creds_q(profile));
	if (rc == 0)
		rc = err_set(e, ERR_CREDS,
		             "no credentials from credential_source %s of profile '%s': %s",
		             creds_q(source), creds_q(profile), buf_cstr(&why));
	buf_release(&why);
	return rc < 0 ? -1 : 0;
}

/* check_source checks source_profile (botocore _validate_source_profile):
 * it must exist, and revisiting a profile is a loop unless a profile
 * names itself and holds static keys. */
static int check_source(struct creds_ctx *ctx, const char *profile, const char *source,
                        const struct visit *v, struct err *e)
{
	char path[512] = "";
	bool seen = false;

	if (!profile_exists(ctx->files, source))
		return err_set(e, ERR_CONFIG,
		               "source_profile '%s' of profile '%s' is in neither shared file",
		               creds_q(source), creds_q(profile));
	for (size_t i = 0; i < v->n; i++) {
		seen = seen || strcmp(v->names[i], source) == 0;
		snprintf(path + strlen(path), sizeof(path) - strlen(path), "%s -> ",
		         creds_q(v->names[i]));
	}
	if (seen && (strcmp(source, profile) != 0 || !has_static(ctx, source)))
		return err_set(e, ERR_CONFIG, "source_profile loop: %s%s", path, creds_q(source));
	if (v->n > CREDS_MAX_DEPTH)
		return err_set(e, ERR_CONFIG, "source_profile chain longer than %d profiles: %s%s",
		               CREDS_MAX_DEPTH, path, creds_q(source));
	return 0;
}

static int assume(struct creds_ctx *ctx, const struct creds_role_sources *src, const char *profile,
                  struct visit *v, struct creds *out, struct err *e);

/* from_source_profile gets the source profile's credentials: its own
 * chain when it has static keys or no role, else its role. */
static int from_source_profile(struct creds_ctx *ctx, const struct creds_role_sources *src,
                               const char *source, struct visit *v, struct creds *out,
                               struct err *e)
{
	struct buf why = BUF_INIT;
	int rc;

	if (!has_static(ctx, source) && has_role(ctx, source))
		return assume(ctx, src, source, v, out, e);
	rc = src->profile(ctx, source, out, &why, e);
	if (rc == 0)
		err_set(e, ERR_CREDS, "source_profile '%s' has no credentials: %s", creds_q(source),
		        buf_cstr(&why));
	buf_release(&why);
	return rc > 0 ? 0 : -1;
}

/* call_sts assumes rc's role with source. */
static int call_sts(struct creds_ctx *ctx, const char *profile, const struct role_config *rc,
                    const struct creds *source, struct creds *out, struct err *e)
{
	struct sts_role_args a = {rc->role_arn, rc->session_name, rc->external_id, rc->duration_s,
	                          NULL};
	struct sts_identity who;
	struct aws_client *sts;
	char session[32];

	if (a.session_name == NULL) {
		creds_session_name(ctx, session);
		a.session_name = session;
	}
	if (creds_sts(ctx, &sts, e) < 0)
		return -1;
	if (sts_assume_role(sts, source, &a, out, &who, e) < 0)
		return err_prefix(e, "unable to assume role '%s' of profile '%s' at %s",
		                  creds_q(rc->role_arn), creds_q(profile),
		                  creds_sts_endpoint(ctx)->ep.url);
	snprintf(out->provider, sizeof(out->provider),
	         "role '%.100s' of profile '%.40s', from %.80s", creds_q(rc->role_arn),
	         creds_q(profile), source->provider);
	return 0;
}

static int assume(struct creds_ctx *ctx, const struct creds_role_sources *src, const char *profile,
                  struct visit *v, struct creds *out, struct err *e)
{
	struct role_config rc;
	struct creds source;
	int ret = -1;

	creds_init(&source);
	if (role_config_read(ctx, profile, &rc, e) < 0)
		return -1;
	if (rc.credential_source != NULL) {
		if (from_credential_source(ctx, src, profile, rc.credential_source, &source, e) < 0)
			goto done;
	} else {
		if (check_source(ctx, profile, rc.source_profile, v, e) < 0)
			goto done;
		v->names[v->n++] = rc.source_profile;
		if (from_source_profile(ctx, src, rc.source_profile, v, &source, e) < 0)
			goto done;
	}
	if (source.provider[0] == '\0')
		snprintf(source.provider, sizeof(source.provider), "credential_source %s",
		         creds_q(rc.credential_source));
	if (creds_check_fields(&source, source.provider, e) < 0 ||
	    creds_check_fresh(&source, ctx->now, source.provider, e) < 0 ||
	    call_sts(ctx, profile, &rc, &source, out, e) < 0)
		goto done;
	ret = 0;
done:
	creds_release(&source);
	return ret;
}

int creds_profile_assume_role(struct creds_ctx *ctx, const struct creds_role_sources *src,
                              const char *profile, struct creds *out, struct buf *why,
                              struct err *e)
{
	struct visit v = {{profile}, 1};

	if (creds_value(ctx, profile, "role_arn") == NULL)
		return creds_why(why, e, "no role_arn in profile '%s'", creds_q(profile));
	if (!has_role(ctx, profile))
		return creds_why(why, e, "profile '%s' has web_identity_token_file (web identity)",
		                 creds_q(profile));
	return assume(ctx, src, profile, &v, out, e) < 0 ? -1 : 1;
}
