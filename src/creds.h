/*
 * creds.h - AWS credentials and the chain of providers that finds them.
 *
 * The chain runs in the SDKs' order (botocore's credentials.py); the first
 * provider that finds credentials wins. A provider that is configured but
 * broken (one key without the other, a profile without a secret) is an
 * error: the chain does not move on past a broken configuration.
 */
#ifndef ENVSSM_CREDS_H
#define ENVSSM_CREDS_H

#include <stdbool.h>
#include <time.h>

#include "buf.h"
#include "err.h"
#include "profile.h"

struct creds {
	struct buf access_key_id;
	struct buf secret_access_key;
	struct buf session_token; /* empty for long-term keys */
	time_t expiration;        /* 0 when they do not expire */
	char provider[128];       /* which provider supplied them, no secret */
};

void creds_init(struct creds *c);

/* creds_release wipes and frees the key material. */
void creds_release(struct creds *c);

/* What every provider may look at. Pure inputs: nothing here reads the
 * process environment or the clock by itself. */
struct creds_ctx {
	char *const *envp;
	const char *profile;   /* selected profile name */
	bool profile_explicit; /* --profile given: environment keys are skipped */
	const struct profile_files *files; /* NULL when not read */
	time_t now;
};

/* A provider returns 1 with *out filled, 0 when it is not configured
 * (writing why into `why`, no secret), or -1 with e filled when it is
 * configured but broken. */
struct creds_provider {
	const char *name;
	int (*resolve)(const struct creds_ctx *ctx, struct creds *out, struct buf *why,
		       struct err *e);
};

/* creds_env_present tells whether AWS_ACCESS_KEY_ID or AWS_SECRET_ACCESS_KEY
 * is set (non-empty) in envp, i.e. whether the environment provider will
 * answer without any file being read. */
bool creds_env_present(char *const *envp);

/* creds_resolve runs the chain. Returns 0 with out filled, or -1 with e
 * filled: ERR_CREDS listing every provider tried and why it gave nothing,
 * or the broken provider's own error. */
int creds_resolve(const struct creds_ctx *ctx, struct creds *out, struct err *e);

#endif
