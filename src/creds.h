/*
 * creds.h - AWS credentials and the chain of providers that finds them.
 *
 * The chain runs in botocore's order (credentials.py,
 * create_credential_resolver); the first provider that finds credentials
 * wins:
 *
 *   1 environment            AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (skipped with --profile)
 *   2 assume role            profile role_arn (+ source_profile or credential_source)
 *   3 web identity           AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN, or the profile's
 *   4 sso                    profile sso_account_id/sso_role_name, cached token
 *   5 shared credentials file  static keys in ~/.aws/credentials
 *   6 credential_process     profile credential_process
 *   7 config file            static keys in ~/.aws/config
 *   8 container              AWS_CONTAINER_CREDENTIALS_RELATIVE_URI / _FULL_URI
 *   9 IMDS                   EC2 instance metadata, IMDSv2 first
 *
 * A provider that is configured but broken (one key without the other, a
 * failing credential_process, an STS error, a container endpoint that
 * answers 500) is an error: the chain does not move on past a broken
 * configuration. Credentials that expire within five minutes are an error.
 *
 * Every effect (HTTP, files, processes, sleeping) goes through struct
 * creds_sys so tests drive the whole chain without sockets or files.
 */
#ifndef ENVSSM_CREDS_H
#define ENVSSM_CREDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "buf.h"
#include "err.h"
#include "http.h"
#include "profile.h"

/* Credentials closer than this to their expiration are refused. */
#define CREDS_MIN_LIFETIME_S 300

struct creds {
	struct buf access_key_id;
	struct buf secret_access_key;
	struct buf session_token; /* empty for long-term keys */
	time_t expiration;        /* 0 when they do not expire */
	char provider[256];       /* which provider supplied them, no secret */
};

void creds_init(struct creds *c);

/* creds_release wipes and frees the key material and empties c. */
void creds_release(struct creds *c);

/* creds_move hands src's contents to dst (released first); src is left
 * empty. */
void creds_move(struct creds *dst, struct creds *src);

/* One process to run for credential_process. */
struct creds_run {
	char *const *argv;    /* argv[0] looked up in PATH */
	char *const *envp;    /* its environment */
	size_t max_out_bytes; /* more on stdout is an error */
	long timeout_ms;      /* then it is killed */
};

/* Why a run gave no usable output. */
enum creds_run_failure {
	CREDS_RUN_OK = 0,
	CREDS_RUN_NOT_FOUND, /* cannot be executed */
	CREDS_RUN_TIMEOUT,   /* killed after timeout_ms */
	CREDS_RUN_TOO_LARGE, /* stdout over max_out_bytes */
	CREDS_RUN_SIGNALLED, /* died of a signal */
	CREDS_RUN_EXIT,      /* non-zero exit status */
};

/* What the chain may do to the world. NULL members mean the real thing
 * (creds_sys.c); tests replace them. Each gets `arg`. */
struct creds_sys {
	/* http_new makes a client with opts (opts->direct for the metadata
	 * endpoints: never through a proxy). */
	int (*http_new)(void *arg, const struct http_options *opts, struct http_client *out,
	                struct err *e);
	/* read_file reads the whole file into out (wiped on release): 1, 0
	 * when it does not exist, -1 with e (also when over max_bytes or not
	 * a regular file); the real one is file_read. */
	int (*read_file)(void *arg, const char *path, size_t max_bytes, struct buf *out,
	                 struct err *e);
	/* run runs a process, its stdout into out, its stderr passed through:
	 * 0 with *fail and *status (exit status or signal) set, -1 with e
	 * when it could not be started for want of resources. */
	int (*run)(void *arg, const struct creds_run *r, struct buf *out,
	           enum creds_run_failure *fail, int *status, struct err *e);
	void (*sleep_ms)(void *arg, long ms);
	int64_t (*mono_ms)(void *arg);
	void *arg;
};

/* The real system (creds_sys.c): libcurl, open(2), posix_spawn,
 * nanosleep, CLOCK_MONOTONIC. */
extern const struct creds_sys creds_sys_real;

/* One provider tried, for errors and --explain. */
struct creds_step {
	char name[32];  /* "environment", "IMDS" */
	char what[480]; /* why it gave nothing, or what it found; no secret */
	int outcome;    /* 0 nothing, 1 credentials, -1 broken */
};

#define CREDS_MAX_STEPS 16

struct creds_trail {
	struct creds_step steps[CREDS_MAX_STEPS];
	size_t len;
};

/* What the chain looks at. Fill with creds_ctx_init, then set what
 * applies; release with creds_ctx_release (which frees the HTTP clients
 * the chain made on the way). Nothing here reads the process environment
 * or the clock by itself. */
struct creds_ctx {
	char *const *envp;
	const char *profile;               /* selected profile name */
	bool profile_explicit;             /* --profile given: environment keys are skipped */
	const struct profile_files *files; /* NULL when not read */
	time_t now;
	const char *region;     /* for STS; NULL: the global endpoint, us-east-1 */
	const char *ca_bundle;  /* for STS and SSO over TLS, or NULL */
	const char *ca_dir;     /* likewise, a hashed directory, or NULL */
	const char *ca_missing; /* no certificates found: why TLS fails */
	int64_t deadline_ms;    /* monotonic; 0 for none */
	const struct creds_sys *sys;
	struct creds_trail *trail; /* filled when not NULL */

	/* private: made on first use */
	struct http_client web;    /* STS, SSO */
	struct http_client direct; /* container, IMDS */
	struct creds_sts *sts;
	unsigned depth; /* source_profile recursion */
};

void creds_ctx_init(struct creds_ctx *ctx, char *const *envp, const char *profile,
                    bool profile_explicit, const struct profile_files *files, time_t now);

void creds_ctx_release(struct creds_ctx *ctx);

/* A provider returns 1 with *out filled, 0 when it is not configured
 * (writing why into `why`, no secret), or -1 with e filled when it is
 * configured but broken. */
struct creds_provider {
	const char *name;
	int (*resolve)(struct creds_ctx *ctx, struct creds *out, struct buf *why, struct err *e);
};

/* creds_chain is the chain in order; creds_chain_len its length. */
extern const struct creds_provider creds_chain[];
extern const size_t creds_chain_len;

/* creds_env_present tells whether AWS_ACCESS_KEY_ID or AWS_SECRET_ACCESS_KEY
 * is set (non-empty) in envp, i.e. whether the environment provider will
 * answer without any file being read. */
bool creds_env_present(char *const *envp);

/* creds_resolve runs the chain. Returns 0 with out filled, or -1 with e
 * filled: ERR_CREDS "no credentials found: ..." listing every provider
 * tried and why it gave nothing, or the broken provider's own error. */
int creds_resolve(struct creds_ctx *ctx, struct creds *out, struct err *e);

/* creds_region_from_imds asks IMDS for the region (after the token
 * dance); arg is a struct creds_ctx. The shape of a settings_fallback:
 * 1 with region, 0 with why (disabled, unreachable), -1 with e. */
int creds_region_from_imds(void *arg, struct buf *region, struct buf *why, struct err *e);

/* creds_check_fresh fails with ERR_CREDS when c expires within
 * CREDS_MIN_LIFETIME_S of now, naming `what`. */
int creds_check_fresh(const struct creds *c, time_t now, const char *what, struct err *e);

/* creds_parse_time reads an ISO 8601 UTC time ("2024-01-15T12:00:00Z",
 * fractions and "+HH:MM" offsets allowed); -1 when it cannot. Pure. */
int creds_parse_time(const char *s, time_t *out);

/* creds_format_time writes t as "2024-01-15T12:00:00Z". */
void creds_format_time(time_t t, char out[21]);

/* creds_key_hint writes "...WXYZ": the access key id's last four
 * characters, never more. */
void creds_key_hint(const struct creds *c, char out[16]);

#endif
