/*
 * creds_sts.c - the chain's one STS client: the endpoint settings resolve
 * for the selected profile and region, made on first use only, so a run
 * without a role never resolves nor reaches STS.
 */
#include <stdlib.h>

#include "creds_kit.h"
#include "creds_providers.h"

struct creds_sts {
	struct aws_client aws;
	struct settings_service svc;
};

int creds_sts(struct creds_ctx *ctx, struct aws_client **out, struct err *e)
{
	struct http_client *http;
	struct creds_sts *s;

	if (ctx->sts != NULL) {
		*out = &ctx->sts->aws;
		return 0;
	}
	if (creds_http(ctx, false, &http, e) < 0)
		return -1;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return err_nomem(e);
	if (settings_sts_endpoint(ctx->envp, ctx->files, ctx->profile, ctx->region, &s->svc, e) <
	    0) {
		free(s);
		return err_prefix(e, "unable to find the STS endpoint");
	}
	aws_client_init(&s->aws);
	s->aws.http = http;
	s->aws.endpoint = &s->svc.ep;
	s->aws.region = s->svc.signing_region;
	s->aws.service = "sts";
	s->aws.deadline_ms = ctx->deadline_ms;
	ctx->sts = s;
	if (aws_retry_from_env(&s->aws, ctx->envp, e) < 0)
		return -1;
	*out = &s->aws;
	return 0;
}

void creds_sts_free(struct creds_sts *s)
{
	if (s == NULL)
		return;
	settings_service_release(&s->svc);
	free(s);
}

const struct settings_service *creds_sts_endpoint(const struct creds_ctx *ctx)
{
	return ctx->sts != NULL ? &ctx->sts->svc : NULL;
}
