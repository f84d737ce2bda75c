/*
 * explain.h - envssm --explain: where the profile, region, endpoints and
 * credentials come from, why each earlier credential provider was
 * skipped, and who the credentials belong to (STS GetCallerIdentity).
 *
 * What users run when "it works on my machine". The report never holds a
 * secret: of the access key id only the last four characters appear.
 */
#ifndef ENVSSM_EXPLAIN_H
#define ENVSSM_EXPLAIN_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "creds.h"
#include "err.h"
#include "profile.h"
#include "settings.h"

struct explain_input {
	char *const *envp;
	const struct settings *settings;   /* resolved: profile, region, SSM endpoint */
	const struct profile_files *files; /* or NULL */
	const char *env_name;              /* --env, or NULL */
	char *const *paths;                /* PATH operands, shown normalised; not fetched */
	size_t npaths;
	char *const *command;        /* shown, never run; or NULL */
	int64_t deadline_ms;         /* monotonic, for the credential chain and STS */
	const struct creds_sys *sys; /* NULL: the real system */
};

/* explain_run resolves the credentials, calls GetCallerIdentity and
 * appends the report to out (written even when a step fails, up to that
 * step). Returns 0 when credentials resolve and GetCallerIdentity works,
 * else -1 with e holding the usual one-line error. */
int explain_run(const struct explain_input *in, struct buf *out, struct err *e);

#endif
