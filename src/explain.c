/*
 * explain.c - the --explain report: settings with their sources, the
 * credential chain step by step, and the caller identity.
 */
#include "explain.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "creds_providers.h"
#include "names.h"
#include "sts.h"

#define COL "%-30s"

/* line appends "label  text\n". */
static int line(struct buf *out, struct err *e, const char *label, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));

static int line(struct buf *out, struct err *e, const char *label, const char *fmt, ...)
{
	char text[1200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	/* one line each, whatever a hostile file or answer held */
	for (char *p = text; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	}
	return buf_printf(out, e, COL " %s\n", label, text);
}

static const char *file_state(const char *path, bool missing)
{
	if (path == NULL)
		return "none (HOME is not set)";
	return missing ? "(missing)" : "(read)";
}

static int explain_settings(const struct explain_input *in, struct buf *out, struct err *e)
{
	const struct settings *s = in->settings;
	const struct profile_files *pf = in->files;

	if (line(out, e, "profile", "%s (%s)", creds_q(s->profile), s->profile_source) < 0)
		return -1;
	if (pf != NULL &&
	    (line(out, e, "config file", "%s %s", pf->config_path ? creds_q(pf->config_path) : "",
	          file_state(pf->config_path, pf->config_missing)) < 0 ||
	     line(out, e, "credentials file", "%s %s",
	          pf->credentials_path ? creds_q(pf->credentials_path) : "",
	          file_state(pf->credentials_path, pf->credentials_missing)) < 0))
		return -1;
	if (line(out, e, "region", "%s (from %s)", creds_q(s->region), creds_q(s->region_source)) <
	            0 ||
	    line(out, e, "ssm endpoint", "%s (from %s)", creds_q(s->ssm.url),
	         creds_q(s->endpoint_source)) < 0)
		return -1;
	if (s->ca_bundle != NULL && line(out, e, "ca bundle", "%s (from %s)", creds_q(s->ca_bundle),
	                                 creds_q(s->ca_bundle_source)) < 0)
		return -1;
	if (s->ca_dir != NULL && line(out, e, "ca directory", "%s (from %s)", creds_q(s->ca_dir),
	                              creds_q(s->ca_dir_source)) < 0)
		return -1;
	if (s->ca_missing != NULL && line(out, e, "ca certificates", "%s", s->ca_missing) < 0)
		return -1;
	return 0;
}

static int explain_sts(const struct explain_input *in, struct buf *out, struct err *e)
{
	struct settings_service svc;
	struct err se = {ERR_NONE, ""};
	int rc;

	if (settings_sts_endpoint(in->envp, in->files, in->settings->profile, in->settings->region,
	                          &svc, &se) < 0)
		return line(out, e, "sts endpoint", "unusable: %s", se.msg);
	rc = line(out, e, "sts endpoint", "%s (from %s), signed for %s", creds_q(svc.ep.url),
	          creds_q(svc.source), svc.signing_region);
	settings_service_release(&svc);
	return rc;
}

static int explain_trail(const struct creds_trail *t, struct buf *out, struct err *e)
{
	size_t i;

	if (buf_puts(out, "credential providers, in order:\n", e) < 0)
		return -1;
	for (i = 0; i < t->len; i++) {
		const struct creds_step *s = &t->steps[i];
		const char *tag = s->outcome > 0 ? "used: " : s->outcome < 0 ? "FAILED: " : "";
		char label[48];

		snprintf(label, sizeof(label), "  %zu. %s", i + 1, s->name);
		if (line(out, e, label, "%s%s", tag, s->what) < 0)
			return -1;
	}
	for (; i < creds_chain_len; i++) {
		char label[48];

		snprintf(label, sizeof(label), "  %zu. %s", i + 1, creds_chain[i].name);
		if (line(out, e, label, "not tried") < 0)
			return -1;
	}
	return 0;
}

static int explain_creds(const struct creds *c, time_t now, struct buf *out, struct err *e)
{
	char hint[16], when[21];

	creds_key_hint(c, hint);
	if (line(out, e, "credentials", "%s", c->provider) < 0 ||
	    line(out, e, "access key id", "%s (%s)", hint,
	         c->session_token.len ? "temporary: with a session token"
	                              : "long-term: no session token") < 0)
		return -1;
	if (c->expiration == 0)
		return line(out, e, "expires", "never");
	creds_format_time(c->expiration, when);
	return line(out, e, "expires", "%s (in %lld min)", when,
	            (long long)(c->expiration - now) / 60);
}

static int explain_paths(const struct explain_input *in, struct buf *out, struct err *e)
{
	struct buf norm = BUF_INIT;
	int rc = 0;

	for (size_t i = 0; i < in->npaths && rc == 0; i++) {
		struct err pe = {ERR_NONE, ""};

		if (names_path_normalize(in->env_name, in->paths[i], &norm, &pe) < 0)
			rc = line(out, e, i ? "" : "paths", "invalid: %s", pe.msg);
		else
			rc = line(out, e, i ? "" : "paths", "%s (not fetched)", buf_cstr(&norm));
	}
	if (rc == 0 && in->command != NULL && in->command[0] != NULL)
		rc = line(out, e, "command", "'%s' (not run: --explain)", creds_q(in->command[0]));
	buf_release(&norm);
	return rc;
}

static int explain_caller(struct creds_ctx *ctx, const struct creds *c, struct buf *out,
                          struct err *e)
{
	struct sts_identity id;
	struct aws_client *sts;

	if (creds_sts(ctx, &sts, e) < 0 || sts_get_caller_identity(sts, c, &id, e) < 0) {
		err_prefix(e, "unable to call STS GetCallerIdentity");
		line(out, NULL, "caller", "unknown: %s", e->msg);
		return -1;
	}
	if (line(out, e, "account", "%s", creds_q(id.account)) < 0 ||
	    line(out, e, "arn", "%s", creds_q(id.arn)) < 0 ||
	    line(out, e, "user id", "%s", creds_q(id.user_id)) < 0)
		return -1;
	return 0;
}

int explain_run(const struct explain_input *in, struct buf *out, struct err *e)
{
	struct creds_trail trail;
	struct creds_ctx ctx;
	struct creds c;
	int rc = -1;

	memset(&trail, 0, sizeof(trail));
	creds_init(&c);
	creds_ctx_init(&ctx, in->envp, in->settings->profile, in->settings->profile_explicit,
	               in->files, time(NULL));
	ctx.region = in->settings->region;
	ctx.ca_bundle = in->settings->ca_bundle;
	ctx.ca_dir = in->settings->ca_dir;
	ctx.ca_missing = in->settings->ca_missing;
	ctx.deadline_ms = in->deadline_ms;
	ctx.sys = in->sys;
	ctx.trail = &trail;
	if (buf_printf(out, e, "envssm %s --explain (no secret is shown)\n", ENVSSM_VERSION) < 0 ||
	    explain_settings(in, out, e) < 0 || explain_sts(in, out, e) < 0 ||
	    explain_paths(in, out, e) < 0)
		goto done;
	rc = creds_resolve(&ctx, &c, e);
	if (explain_trail(&trail, out, e) < 0)
		rc = -1;
	if (rc == 0)
		rc = explain_creds(&c, ctx.now, out, e) < 0 ? -1 : explain_caller(&ctx, &c, out, e);
done:
	creds_release(&c);
	creds_ctx_release(&ctx);
	return rc;
}
