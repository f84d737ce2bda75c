/*
 * creds_imds.c - the EC2 instance metadata provider (botocore
 * InstanceMetadataFetcher): PUT a session token (IMDSv2); on 403, 404, 405
 * or a timeout fall back to IMDSv1 unless it is disabled; 400 gives up.
 * Then the role name, then its credentials. Short timeouts, never through
 * a proxy. IMDS is the chain's last resort: when it has nothing, the
 * chain reports why.
 */
#include "creds_imds.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "creds_json.h"
#include "creds_kit.h"
#include "creds_providers.h"
#include "envp.h"
#include "settings.h"

#define IMDS_TOKEN_PATH  "/latest/api/token"
#define IMDS_ROLE_PATH   "/latest/meta-data/iam/security-credentials/"
#define IMDS_REGION_PATH "/latest/meta-data/placement/region"
#define IMDS_MAX_BODY    CREDS_JSON_MAX_BYTES

/* setting returns variable var, else profile key, naming where. */
static const char *setting(struct creds_ctx *ctx, const char *var, const char *key,
                           const char **from)
{
	const char *v = env_get_nonempty(ctx->envp, var);

	*from = var;
	if (v == NULL) {
		v = creds_value(ctx, ctx->profile, key);
		*from = key;
	}
	return v;
}

static int parse_timeout(const char *v, const char *from, long *ms, struct err *e)
{
	char *end;
	double s;

	errno = 0;
	s = strtod(v, &end);
	if (errno || end == v || *end != '\0' || !(s > 0) || s > 3600)
		return err_set(e, ERR_CONFIG, "invalid %s '%s': use seconds from 0.001 to 3600",
		               from, creds_q(v));
	*ms = (long)(s * 1000.0);
	if (*ms < 1)
		*ms = 1;
	return 0;
}

static int parse_attempts(const char *v, const char *from, int *n, struct err *e)
{
	char *end;
	long k = strtol(v, &end, 10);

	if (end == v || *end != '\0' || k < 1 || k > 10)
		return err_set(e, ERR_CONFIG, "invalid %s '%s': use 1 to 10", from, creds_q(v));
	*n = (int)k;
	return 0;
}

/* config_base picks the endpoint: the configured one, else by mode. */
static int config_base(struct creds_ctx *ctx, struct creds_imds_config *cfg, struct err *e)
{
	const char *from, *url = setting(ctx, "AWS_EC2_METADATA_SERVICE_ENDPOINT",
	                                 "ec2_metadata_service_endpoint", &from);
	const char *mfrom, *mode = setting(ctx, "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE",
	                                   "ec2_metadata_service_endpoint_mode", &mfrom);
	struct endpoint ep;

	if (mode != NULL && strcasecmp(mode, "IPv6") != 0 && strcasecmp(mode, "IPv4") != 0)
		return err_set(e, ERR_CONFIG, "invalid %s '%s': use IPv4 or IPv6", mfrom,
		               creds_q(mode));
	if (url == NULL) {
		bool v6 = mode != NULL && strcasecmp(mode, "IPv6") == 0;

		snprintf(cfg->base, sizeof(cfg->base), "%s",
		         v6 ? CREDS_IMDS_IPV6 : CREDS_IMDS_DEFAULT);
		cfg->base_source = v6 ? mfrom : "default";
		return 0;
	}
	if (endpoint_parse(url, &ep, e) < 0)
		return err_prefix(e, "invalid %s", from);
	snprintf(cfg->base, sizeof(cfg->base), "%s", ep.url);
	cfg->base_source = from;
	endpoint_release(&ep);
	return 0;
}

int creds_imds_config(struct creds_ctx *ctx, struct creds_imds_config *cfg, struct buf *why,
                      struct err *e)
{
	const char *v, *from;

	memset(cfg, 0, sizeof(*cfg));
	cfg->timeout_ms = 1000;
	cfg->attempts = 1;
	v = env_get_nonempty(ctx->envp, "AWS_EC2_METADATA_DISABLED");
	if (v != NULL && strcasecmp(v, "true") == 0)
		return creds_why(why, e, "disabled by AWS_EC2_METADATA_DISABLED");
	if (config_base(ctx, cfg, e) < 0)
		return -1;
	if ((v = setting(ctx, "AWS_METADATA_SERVICE_TIMEOUT", "metadata_service_timeout", &from)) &&
	    parse_timeout(v, from, &cfg->timeout_ms, e) < 0)
		return -1;
	if ((v = setting(ctx, "AWS_METADATA_SERVICE_NUM_ATTEMPTS", "metadata_service_num_attempts",
	                 &from)) &&
	    parse_attempts(v, from, &cfg->attempts, e) < 0)
		return -1;
	cfg->v1_disabled =
	        creds_setting_true(ctx, "AWS_EC2_METADATA_V1_DISABLED", "ec2_metadata_v1_disabled");
	return 1;
}

/* One IMDS conversation. */
struct imds {
	struct creds_ctx *ctx;
	struct creds_imds_config cfg;
	struct http_client *http;
	struct buf token; /* empty: IMDSv1 */
	char last[160];   /* what the last failed request got, for messages */
};

/* note records why a request failed. */
static void note(struct imds *m, const char *path, int rc, const struct http_response *resp)
{
	if (rc < 0)
		snprintf(m->last, sizeof(m->last), "%s %s", path, http_failure_name(resp->failure));
	else
		snprintf(m->last, sizeof(m->last), "%s got HTTP %ld", path, resp->status);
}

enum token_outcome { TOKEN_OK, TOKEN_NONE, TOKEN_GIVE_UP };

/* get_token PUTs for a session token (botocore _fetch_metadata_token). */
static enum token_outcome get_token(struct imds *m, struct err *e)
{
	struct http_header h = {"X-aws-ec2-metadata-token-ttl-seconds", "21600"};
	struct http_response resp;
	struct buf url = BUF_INIT;
	enum token_outcome out = TOKEN_NONE;

	http_response_init(&resp);
	if (buf_printf(&url, e, "%s%s", m->cfg.base, IMDS_TOKEN_PATH) < 0) {
		out = TOKEN_GIVE_UP;
		goto done;
	}
	for (int i = 0; i < m->cfg.attempts; i++) {
		struct http_request req = {"PUT", buf_cstr(&url),
		                           &h,    1,
		                           NULL,  0,
		                           4096,  creds_time_left_ms(m->ctx, m->cfg.timeout_ms)};
		int rc = http_perform(m->http, &req, &resp, NULL);

		note(m, "the token PUT", rc, &resp);
		if (rc < 0 && resp.failure == HTTP_FAIL_TIMEOUT)
			break; /* a hop limit of 1 in a container: try IMDSv1 */
		if (rc < 0)
			continue;
		if (resp.status == 200 && resp.body.len > 0 &&
		    creds_quotable(buf_cstr(&resp.body))) {
			out = buf_set(&m->token, resp.body.data, resp.body.len, e) < 0
			              ? TOKEN_GIVE_UP
			              : TOKEN_OK;
			break;
		}
		if (resp.status == 403 || resp.status == 404 || resp.status == 405)
			break;
		if (resp.status == 400) {
			out = TOKEN_GIVE_UP;
			break;
		}
	}
done:
	http_response_release(&resp);
	buf_release(&url);
	return out;
}

/* get retries a GET until it is a 200 with a body (botocore
 * _get_request); 1 with body filled, 0 when attempts run out. */
static int get(struct imds *m, const char *path, struct buf *body, struct err *e)
{
	struct http_header h = {"X-aws-ec2-metadata-token", buf_cstr(&m->token)};
	struct http_response resp;
	struct buf url = BUF_INIT;
	int found = 0;

	http_response_init(&resp);
	if (buf_printf(&url, e, "%s%s", m->cfg.base, path) < 0) {
		found = -1;
		goto done;
	}
	for (int i = 0; i < m->cfg.attempts && found == 0; i++) {
		struct http_request req = {"GET",
		                           buf_cstr(&url),
		                           &h,
		                           m->token.len ? 1 : 0,
		                           NULL,
		                           0,
		                           IMDS_MAX_BODY,
		                           creds_time_left_ms(m->ctx, m->cfg.timeout_ms)};
		int rc = http_perform(m->http, &req, &resp, NULL);

		note(m, path, rc, &resp);
		if (rc == 0 && resp.status == 200 && resp.body.len > 0)
			found = buf_set(body, resp.body.data, resp.body.len, e) < 0 ? -1 : 1;
	}
done:
	http_response_release(&resp);
	buf_release(&url);
	return found;
}

/* imds_open reads the settings and gets a token (or settles for IMDSv1).
 * 1 ready, 0 with why, -1 with e. */
static int imds_open(struct creds_ctx *ctx, struct imds *m, struct buf *why, struct err *e)
{
	int rc;

	memset(m, 0, sizeof(*m));
	m->ctx = ctx;
	buf_init(&m->token);
	rc = creds_imds_config(ctx, &m->cfg, why, e);
	if (rc <= 0)
		return rc;
	if (creds_http(ctx, true, &m->http, e) < 0)
		return -1;
	switch (get_token(m, e)) {
	case TOKEN_OK:
		return 1;
	case TOKEN_GIVE_UP:
		return creds_why(why, e, "%s: %s", m->cfg.base, m->last);
	case TOKEN_NONE:
		break;
	}
	if (m->cfg.v1_disabled)
		return creds_why(why, e, "%s: no IMDSv2 token (%s) and IMDSv1 is disabled",
		                 m->cfg.base, m->last);
	return 1;
}

/* first_line keeps body's first line, trimmed. */
static void first_line(struct buf *b)
{
	size_t n = strcspn(buf_cstr(b), "\r\n");

	buf_truncate(b, n);
	while (b->len > 0 && (b->data[b->len - 1] == ' ' || b->data[b->len - 1] == '\t'))
		buf_truncate(b, b->len - 1);
}

/* role_name_ok accepts an IAM role name: 1 to 64 of [\w+=,.@-]. */
static bool role_name_ok(const struct buf *b)
{
	if (b->len == 0 || b->len > 64)
		return false;
	for (size_t i = 0; i < b->len; i++) {
		char c = b->data[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      strchr("_+=,.@-", c) != NULL))
			return false;
	}
	return true;
}

/* fetch_creds gets the role and its credentials: 1, 0 with why, -1. */
static int fetch_creds(struct imds *m, struct creds *out, struct buf *why, struct err *e)
{
	struct buf role = BUF_INIT, path = BUF_INIT, body = BUF_INIT;
	int rc = get(m, IMDS_ROLE_PATH, &role, e);

	if (rc == 0)
		rc = creds_why(why, e, "%s: no instance role (%s)", m->cfg.base, m->last);
	if (rc <= 0)
		goto done;
	first_line(&role);
	if (!role_name_ok(&role)) {
		rc = creds_why(why, e, "%s: the role listing holds no valid role name",
		               m->cfg.base);
		goto done;
	}
	if (buf_printf(&path, e, "%s%s", IMDS_ROLE_PATH, buf_cstr(&role)) < 0 ||
	    (rc = get(m, buf_cstr(&path), &body, e)) < 0)
		goto done;
	if (rc == 0) {
		rc = creds_why(why, e, "%s: no credentials for role '%s' (%s)", m->cfg.base,
		               buf_cstr(&role), m->last);
		goto done;
	}
	rc = creds_json_imds(buf_cstr(&body), body.len,
	                     (const char *const[]){buf_cstr(&m->token), NULL}, out, &path, e);
	if (rc < 0) /* botocore: unreadable credentials are no credentials */
		rc = creds_why(why, e, "%s: unreadable credentials for role '%s' (%s)", m->cfg.base,
		               buf_cstr(&role), e != NULL ? e->msg : "?");
	else if (rc == 0)
		rc = creds_why(why, e, "%s: %s", m->cfg.base, buf_cstr(&path));
	if (rc > 0)
		snprintf(out->provider, sizeof(out->provider), "IMDS role '%s' at %.120s (IMDSv%d)",
		         buf_cstr(&role), m->cfg.base, m->token.len ? 2 : 1);
done:
	buf_release(&role);
	buf_release(&path);
	buf_release(&body);
	return rc;
}

int creds_provider_imds(struct creds_ctx *ctx, struct creds *out, struct buf *why, struct err *e)
{
	struct imds m;
	int rc = imds_open(ctx, &m, why, e);

	if (rc > 0)
		rc = fetch_creds(&m, out, why, e);
	buf_release(&m.token);
	return rc;
}

int creds_region_from_imds(void *arg, struct buf *region, struct buf *why, struct err *e)
{
	struct creds_ctx *ctx = arg;
	struct imds m;
	int rc = imds_open(ctx, &m, why, e);

	if (rc > 0) {
		rc = get(&m, IMDS_REGION_PATH, region, e);
		if (rc == 0)
			rc = creds_why(why, e, "%s: %s", m.cfg.base, m.last);
		if (rc > 0)
			first_line(region);
	}
	buf_release(&m.token);
	return rc;
}
