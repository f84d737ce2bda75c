/*
 * creds_sso.c - the SSO provider (botocore SSOProvider): a profile with
 * sso_account_id and sso_role_name, its start URL and region from an
 * [sso-session NAME] section or (legacy) the profile itself, the token
 * `aws sso login` cached, and the portal's GetRoleCredentials. envssm does
 * not refresh tokens: an expired or missing one tells the user to log in.
 */
#include "creds_sso.h"

#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "creds_json.h"
#include "creds_kit.h"
#include "creds_providers.h"
#include "envp.h"

#define SSO_ATTEMPTS   3
#define SSO_TIMEOUT_MS 10000L

int creds_sso_cache_path(const char *home, const char *key, struct buf *out, struct err *e)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	size_t nhome = strlen(home);

	buf_truncate(out, 0);
	if (EVP_Digest(key, strlen(key), md, &n, EVP_sha1(), NULL) != 1 || n != 20)
		return err_set(e, ERR_CREDS, "unable to compute SHA-1");
	while (nhome > 1 && home[nhome - 1] == '/')
		nhome--;
	if (buf_append(out, home, nhome, e) < 0 || buf_puts(out, "/.aws/sso/cache/", e) < 0)
		return -1;
	for (unsigned int i = 0; i < n; i++) {
		if (buf_printf(out, e, "%02x", md[i]) < 0)
			return -1;
	}
	return buf_puts(out, ".json", e);
}

/* What a profile says about SSO, merged with its sso-session. */
struct sso_config {
	const char *account;
	const char *role;
	const char *session; /* NULL in the legacy form */
	const char *start_url;
	const char *region;
};

/* session_value merges key from the sso-session section and the profile;
 * both set and different is an error (botocore). */
static int session_value(struct creds_ctx *ctx, const char *profile, const char *section,
                         const char *key, const char **out, struct err *e)
{
	const char *pv = creds_value(ctx, profile, key);
	const char *sv = ini_get(&ctx->files->config, section, key);

	if (sv != NULL && *sv == '\0')
		sv = NULL;
	if (pv != NULL && sv != NULL && strcmp(pv, sv) != 0)
		return err_set(e, ERR_CONFIG, "%s differs between profile '%s' and [%s] in %s", key,
		               creds_q(profile), creds_q(section), ctx->files->config_path);
	*out = sv != NULL ? sv : pv;
	return 0;
}

/* check_region refuses an sso_region that is not shaped like a region: it
 * becomes part of the portal's host name, where the bearer token goes. */
static int check_region(struct creds_ctx *ctx, const char *profile, const struct sso_config *c,
                        struct err *e)
{
	const char *section = NULL, *file = NULL, *v;
	char where[1024] = "in the config file";

	if (c->session != NULL)
		section = creds_config_section(ctx, "sso-session", c->session);
	v = section != NULL ? ini_get(&ctx->files->config, section, "sso_region") : NULL;
	if (v != NULL && *v != '\0')
		snprintf(where, sizeof(where), "in [sso-session %s] in %s", creds_q(c->session),
		         ctx->files->config_path ? ctx->files->config_path : "the config file");
	else if (profile_get_from(ctx->files, profile, "sso_region", &file) != NULL)
		snprintf(where, sizeof(where), "in profile '%s' in %s", creds_q(profile), file);
	return settings_region_check(c->region, "sso_region", where, e);
}

static int sso_config_read(struct creds_ctx *ctx, const char *profile, struct sso_config *c,
                           struct err *e)
{
	char missing[160] = "";

	c->session = creds_value(ctx, profile, "sso_session");
	c->start_url = creds_value(ctx, profile, "sso_start_url");
	c->region = creds_value(ctx, profile, "sso_region");
	if (c->session != NULL) {
		const char *section = creds_config_section(ctx, "sso-session", c->session);

		if (section == NULL)
			return err_set(e, ERR_CONFIG,
			               "[sso-session %s] named by profile '%s' is not in %s",
			               creds_q(c->session), creds_q(profile),
			               ctx->files->config_path ? ctx->files->config_path
			                                       : "the config file");
		if (session_value(ctx, profile, section, "sso_start_url", &c->start_url, e) < 0 ||
		    session_value(ctx, profile, section, "sso_region", &c->region, e) < 0)
			return -1;
	}
	const char *const have[] = {c->account, c->role, c->start_url, c->region};
	static const char *const names[] = {"sso_account_id", "sso_role_name", "sso_start_url",
	                                    "sso_region"};

	for (size_t i = 0; i < 4; i++) {
		size_t n = strlen(missing);

		if (have[i] == NULL)
			snprintf(missing + n, sizeof(missing) - n, " %s", names[i]);
	}
	if (missing[0] != '\0')
		return err_set(e, ERR_CONFIG, "profile '%s' is set up for SSO but lacks:%s",
		               creds_q(profile), missing);
	return check_region(ctx, profile, c, e);
}

/* load_token reads the cached token; an absent or expired one is an error
 * that says to log in. */
static int load_token(struct creds_ctx *ctx, const char *profile, const struct sso_config *c,
                      struct buf *token, struct err *e)
{
	const char *home = env_get_nonempty(ctx->envp, "HOME");
	const char *key = c->session != NULL ? c->session : c->start_url;
	const char *kind = c->session != NULL ? "session" : "start URL";
	struct buf path = BUF_INIT, text = BUF_INIT;
	time_t expires = 0;
	char when[21];
	int rc = -1, found;

	if (home == NULL)
		return err_set(e, ERR_CREDS, "unable to find the SSO token cache: HOME is not set");
	if (creds_sso_cache_path(home, key, &path, e) < 0)
		goto done;
	found = creds_read_file(ctx, buf_cstr(&path), CREDS_JSON_MAX_BYTES, &text, e);
	if (found == 0)
		err_set(e, ERR_CREDS,
		        "no cached SSO token for %s '%s' (%s is missing): run 'aws sso login --profile %s'",
		        kind, creds_q(key), buf_cstr(&path), creds_q(profile));
	if (found <= 0)
		goto done;
	if (creds_json_sso_token(buf_cstr(&text), text.len, token, &expires, e) < 0) {
		err_prefix(e, "unable to use %s", buf_cstr(&path));
		goto done;
	}
	if (expires <= ctx->now) {
		creds_format_time(expires, when);
		err_set(e, ERR_CREDS,
		        "the cached SSO token for %s '%s' expired at %s: run 'aws sso login --profile %s'",
		        kind, creds_q(key), when, creds_q(profile));
		goto done;
	}
	rc = 0;
done:
	buf_release(&path);
	buf_release(&text);
	return rc;
}

/* query_add appends "name=value" percent-encoded. */
static int query_add(struct buf *b, const char *name, const char *v, struct err *e)
{
	if (v == NULL)
		return err_set(e, ERR_CONFIG, "no %s for SSO", name);
	if (buf_printf(b, e, "%s%s=", strchr(buf_cstr(b), '?') ? "&" : "?", name) < 0)
		return -1;
	for (; *v != '\0'; v++) {
		unsigned char ch = (unsigned char)*v;

		if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
		    (ch >= '0' && ch <= '9') || strchr("-_.~", ch) != NULL) {
			if (buf_putc(b, (char)ch, e) < 0)
				return -1;
		} else if (buf_printf(b, e, "%%%02X", ch) < 0) {
			return -1;
		}
	}
	return 0;
}

static bool retryable(int rc, const struct http_response *resp)
{
	if (rc < 0)
		return resp->failure == HTTP_FAIL_CONNECT || resp->failure == HTTP_FAIL_TIMEOUT ||
		       resp->failure == HTTP_FAIL_RESET;
	return resp->status == 429 || resp->status >= 500;
}

/* portal asks the SSO portal for the role's credentials. */
static int portal(struct creds_ctx *ctx, const char *profile, const struct sso_config *c,
                  const struct buf *token, struct creds *out, struct err *e)
{
	struct settings_service svc;
	struct http_response resp;
	struct http_client *http;
	struct buf url = BUF_INIT, auth = BUF_INIT;
	struct aws_error ae;
	int rc = -1, got = -1;

	http_response_init(&resp);
	if (settings_sso_endpoint(ctx->envp, ctx->files, ctx->profile, c->region, &svc, e) < 0)
		return err_prefix(e, "unable to find the SSO portal");
	if (creds_http(ctx, false, &http, e) < 0 ||
	    buf_printf(&url, e, "%s/federation/credentials", svc.ep.url) < 0 ||
	    query_add(&url, "role_name", c->role, e) < 0 ||
	    query_add(&url, "account_id", c->account, e) < 0 ||
	    buf_set(&auth, token->data, token->len, e) < 0)
		goto done;
	for (int attempt = 1; attempt <= SSO_ATTEMPTS; attempt++) {
		struct http_header h[2] = {{"x-amz-sso_bearer_token", buf_cstr(&auth)},
		                           {"Accept", "application/json"}};
		struct http_request req = {"GET",
		                           buf_cstr(&url),
		                           h,
		                           2,
		                           NULL,
		                           0,
		                           CREDS_JSON_MAX_BYTES,
		                           creds_time_left_ms(ctx, SSO_TIMEOUT_MS)};

		got = http_perform(http, &req, &resp, e);
		if (got == 0 && resp.status == 200)
			break;
		if (attempt == SSO_ATTEMPTS || !retryable(got, &resp))
			break;
		creds_sleep_ms(ctx, 200L * attempt);
	}
	if (got < 0) {
		err_prefix(e, "unable to reach the SSO portal %s", svc.ep.url);
		goto done;
	}
	if (resp.status == 401 || resp.status == 403) {
		aws_error_parse(&resp, (const char *const[]){buf_cstr(token), NULL}, &ae);
		err_set(e, ERR_CREDS,
		        "the SSO portal refused the cached token of profile '%s' (%s, HTTP %ld): run 'aws sso login --profile %s'",
		        creds_q(profile), ae.code, resp.status, creds_q(profile));
		goto done;
	}
	if (resp.status != 200) {
		aws_error_parse(&resp, (const char *const[]){buf_cstr(token), NULL}, &ae);
		err_set(e, ERR_AWS,
		        "unable to get SSO role credentials for profile '%s' from %s: %s%s%s (HTTP %ld)",
		        creds_q(profile), svc.ep.url, ae.code, ae.message[0] ? ": " : "",
		        ae.message, resp.status);
		goto done;
	}
	if (creds_json_sso_role(buf_cstr(&resp.body), resp.body.len, out, e) < 0) {
		err_prefix(e, "unable to use SSO role credentials for profile '%s'",
		           creds_q(profile));
		goto done;
	}
	rc = 0;
done:
	http_response_release(&resp);
	buf_release(&url);
	buf_release(&auth);
	settings_service_release(&svc);
	return rc;
}

int creds_profile_sso(struct creds_ctx *ctx, const char *profile, struct creds *out,
                      struct buf *why, struct err *e)
{
	struct sso_config c;
	struct buf token = BUF_INIT;
	int rc = -1;

	memset(&c, 0, sizeof(c));
	c.account = creds_value(ctx, profile, "sso_account_id");
	c.role = creds_value(ctx, profile, "sso_role_name");
	if (c.account == NULL && c.role == NULL)
		return creds_why(why, e, "no sso_account_id or sso_role_name in profile '%s'",
		                 creds_q(profile));
	if (sso_config_read(ctx, profile, &c, e) < 0 ||
	    load_token(ctx, profile, &c, &token, e) < 0 ||
	    portal(ctx, profile, &c, &token, out, e) < 0)
		goto done;
	snprintf(out->provider, sizeof(out->provider),
	         "sso role '%s' in account %s of profile '%s'", creds_q(c.role), creds_q(c.account),
	         creds_q(profile));
	rc = 1;
done:
	buf_release(&token);
	return rc;
}
