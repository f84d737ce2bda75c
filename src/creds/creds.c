/*
 * creds.c - the credential chain: its order, the checks every answer
 * passes, and the report of what was tried; and the providers it hands
 * the assume role provider, with the shorter chain a source_profile runs.
 */
#include "creds.h"

#include <stdio.h>
#include <string.h>

#include "creds_kit.h"
#include "creds_providers.h"
#include "envp.h"

void creds_ctx_init(struct creds_ctx *ctx, char *const *envp, const char *profile,
                    bool profile_explicit, const struct profile_files *files, time_t now)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->envp = envp;
	ctx->profile = profile != NULL ? profile : "default";
	ctx->profile_explicit = profile_explicit;
	ctx->files = files;
	ctx->now = now;
}

void creds_ctx_release(struct creds_ctx *ctx)
{
	creds_sts_free(ctx->sts);
	ctx->sts = NULL;
	http_client_free(&ctx->web);
	http_client_free(&ctx->direct);
}

bool creds_env_present(char *const *envp)
{
	return env_get_nonempty(envp, "AWS_ACCESS_KEY_ID") != NULL ||
	       env_get_nonempty(envp, "AWS_SECRET_ACCESS_KEY") != NULL;
}

/* ---- the chain (botocore create_credential_resolver) ------------------- */

static int chain_env(struct creds_ctx *ctx, struct creds *out, struct buf *why, struct err *e)
{
	if (ctx->profile_explicit)
		return creds_why(why, e, "skipped because --profile was given");
	return creds_provider_env(ctx, out, why, e);
}

/* files_why says why a profile provider has nothing when the profile is
 * in neither file; 1 when it is there. */
static int files_why(struct creds_ctx *ctx, struct buf *why, struct err *e)
{
	const struct profile_files *pf = ctx->files;
	const char *config = pf != NULL && pf->config_path ? pf->config_path : "the config file";
	const char *creds =
	        pf != NULL && pf->credentials_path ? pf->credentials_path : "the credentials file";

	if (pf == NULL)
		return creds_why(why, e, "shared files not read") < 0 ? -1 : 0;
	if (profile_exists(pf, ctx->profile))
		return 1;
	if (pf->config_missing && pf->credentials_missing)
		return creds_why(why, e, "no profile '%s': %s and %s are missing",
		                 creds_q(ctx->profile), config, creds) < 0
		               ? -1
		               : 0;
	return creds_why(why, e, "no profile '%s' in %s%s or %s%s", creds_q(ctx->profile), config,
	                 pf->config_missing ? " (missing)" : "", creds,
	                 pf->credentials_missing ? " (missing)" : "") < 0
	               ? -1
	               : 0;
}

/* source_chain is the chain of a source profile (botocore's
 * profile_provider_builder): web identity, SSO, credentials file,
 * credential_process, config file. */
static int source_chain(struct creds_ctx *ctx, const char *profile, struct creds *out,
                        struct buf *why, struct err *e)
{
	struct buf one = BUF_INIT;
	int rc = 0;

	buf_truncate(why, 0);
	for (int step = 0; step < 5 && rc == 0; step++) {
		buf_truncate(&one, 0);
		switch (step) {
		case 0: /* environment variables are off for a source profile */
			rc = creds_profile_web_identity(ctx, profile, false, out, &one, e);
			break;
		case 1:
			rc = creds_profile_sso(ctx, profile, out, &one, e);
			break;
		case 2:
			rc = creds_profile_static(ctx, profile, false, out, &one, e);
			break;
		case 3:
			rc = creds_profile_process(ctx, profile, out, &one, e);
			break;
		default:
			rc = creds_profile_static(ctx, profile, true, out, &one, e);
			break;
		}
		if (rc == 0 && buf_printf(why, e, "%s%s", why->len ? "; " : "", buf_cstr(&one)) < 0)
			rc = -1;
	}
	buf_release(&one);
	return rc;
}

/* What the assume role provider draws on. Environment is the environment
 * provider itself: the --profile skip is the chain's, and a profile that
 * names the environment as its credential_source asks for it. */
static const struct creds_role_sources role_sources = {
        .env = creds_provider_env,
        .container = creds_provider_container,
        .imds = creds_provider_imds,
        .profile = source_chain,
};

static int chain_role(struct creds_ctx *ctx, struct creds *out, struct buf *why, struct err *e)
{
	int rc = files_why(ctx, why, e);

	return rc <= 0 ? rc
	               : creds_profile_assume_role(ctx, &role_sources, ctx->profile, out, why, e);
}

static int chain_web(struct creds_ctx *ctx, struct creds *out, struct buf *why, struct err *e)
{
	return creds_profile_web_identity(ctx, ctx->profile, !ctx->profile_explicit, out, why, e);
}

static int chain_sso(struct creds_ctx *ctx, struct creds *out, struct buf *why, struct err *e)
{
	int rc = files_why(ctx, why, e);

	return rc <= 0 ? rc : creds_profile_sso(ctx, ctx->profile, out, why, e);
}

static int chain_credentials_file(struct creds_ctx *ctx, struct creds *out, struct buf *why,
                                  struct err *e)
{
	int rc = files_why(ctx, why, e);

	return rc <= 0 ? rc : creds_profile_static(ctx, ctx->profile, false, out, why, e);
}

static int chain_process(struct creds_ctx *ctx, struct creds *out, struct buf *why, struct err *e)
{
	int rc = files_why(ctx, why, e);

	return rc <= 0 ? rc : creds_profile_process(ctx, ctx->profile, out, why, e);
}

static int chain_config_file(struct creds_ctx *ctx, struct creds *out, struct buf *why,
                             struct err *e)
{
	int rc = files_why(ctx, why, e);

	return rc <= 0 ? rc : creds_profile_static(ctx, ctx->profile, true, out, why, e);
}

const struct creds_provider creds_chain[] = {
        {.name = "environment", .resolve = chain_env},
        {.name = "assume role", .resolve = chain_role},
        {.name = "web identity", .resolve = chain_web},
        {.name = "sso", .resolve = chain_sso},
        {.name = "shared credentials file", .resolve = chain_credentials_file},
        {.name = "credential_process", .resolve = chain_process},
        {.name = "config file", .resolve = chain_config_file},
        {.name = "container", .resolve = creds_provider_container},
        {.name = "IMDS", .resolve = creds_provider_imds},
};

const size_t creds_chain_len = sizeof(creds_chain) / sizeof(creds_chain[0]);

static void trail_add(struct creds_ctx *ctx, const char *name, const char *what, int outcome)
{
	struct creds_step *s;

	if (ctx->trail == NULL || ctx->trail->len >= CREDS_MAX_STEPS)
		return;
	s = &ctx->trail->steps[ctx->trail->len++];
	snprintf(s->name, sizeof(s->name), "%s", name);
	snprintf(s->what, sizeof(s->what), "%s", what);
	s->outcome = outcome;
}

/* The providers that had nothing, grouped by what they said, in the order
 * each reason first appeared. */
struct tried {
	struct buf names[CREDS_MAX_STEPS];
	struct buf whys[CREDS_MAX_STEPS];
	size_t n;
};

static int tried_add(struct tried *t, const char *name, const struct buf *why, struct err *e)
{
	size_t i;

	for (i = 0; i < t->n && strcmp(buf_cstr(&t->whys[i]), buf_cstr(why)) != 0; i++)
		;
	if (i == CREDS_MAX_STEPS)
		return 0;
	if (i == t->n) {
		t->n++;
		if (buf_set(&t->whys[i], buf_cstr(why), why->len, e) < 0)
			return -1;
	}
	return buf_printf(&t->names[i], e, "%s%s", t->names[i].len ? ", " : "", name);
}

/* tried_report writes "name, name: why; name: why". */
static int tried_report(struct tried *t, struct err *e)
{
	struct buf all = BUF_INIT;
	int rc = 0;

	for (size_t i = 0; i < t->n && rc == 0; i++)
		rc = buf_printf(&all, e, "%s%s: %s", i ? "; " : "", buf_cstr(&t->names[i]),
		                buf_cstr(&t->whys[i]));
	if (rc == 0)
		err_set(e, ERR_CREDS, "no credentials found: %s", buf_cstr(&all));
	buf_release(&all);
	return -1;
}

static void tried_release(struct tried *t)
{
	for (size_t i = 0; i < CREDS_MAX_STEPS; i++) {
		buf_release(&t->names[i]);
		buf_release(&t->whys[i]);
	}
}

/* finish checks what a provider returned: present, printable, fresh. */
static int finish(struct creds_ctx *ctx, const char *name, struct creds *out, struct err *e)
{
	if (out->provider[0] == '\0')
		snprintf(out->provider, sizeof(out->provider), "%s", name);
	if (creds_check_fields(out, out->provider, e) < 0 ||
	    creds_check_fresh(out, ctx->now, out->provider, e) < 0)
		return -1;
	return 0;
}

int creds_resolve(struct creds_ctx *ctx, struct creds *out, struct err *e)
{
	struct buf why = BUF_INIT;
	struct tried tried;
	int rc = -1;

	memset(&tried, 0, sizeof(tried));
	for (size_t i = 0; i < creds_chain_len; i++) {
		int found;

		buf_truncate(&why, 0);
		found = creds_chain[i].resolve(ctx, out, &why, e);
		if (found > 0 && finish(ctx, creds_chain[i].name, out, e) < 0)
			found = -1;
		if (found != 0) {
			trail_add(ctx, creds_chain[i].name, found > 0 ? out->provider : e->msg,
			          found);
			if (found < 0)
				creds_release(out);
			rc = found > 0 ? 0 : -1;
			goto done;
		}
		if (why.len == 0 && buf_puts(&why, "not configured", e) < 0)
			goto done;
		trail_add(ctx, creds_chain[i].name, buf_cstr(&why), 0);
		if (tried_add(&tried, creds_chain[i].name, &why, e) < 0)
			goto done;
	}
	tried_report(&tried, e);
done:
	tried_release(&tried);
	buf_release(&why);
	return rc;
}
