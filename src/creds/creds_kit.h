/*
 * creds_kit.h - what the credential providers share: the credentials
 * themselves, the context every provider reads, the effects it may have
 * (struct creds_sys), and the helpers for settings, messages, times and
 * checks. Below the chain (creds.h) and the providers
 * (creds_providers.h); includes neither.
 */
#ifndef ENVSSM_CREDS_KIT_H
#define ENVSSM_CREDS_KIT_H

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
};

/* ---- helpers (creds_kit.c) --------------------------------------------- */

/* creds_why replaces why with formatted text; returns 0, or -1 with e. */
int creds_why(struct buf *why, struct err *e, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* creds_quotable tells whether s may be echoed in a message: short
 * printable ASCII. */
bool creds_quotable(const char *s);

/* creds_q returns s when quotable, else "?". */
const char *creds_q(const char *s);

/* creds_fill copies a key pair and an optional token into out. */
int creds_fill(struct creds *out, const char *akid, const char *secret, const char *token,
               struct err *e);

/* creds_check_fields fails with ERR_CREDS naming `what` unless both keys
 * are present and no field holds a control byte or is too long. */
int creds_check_fields(const struct creds *c, const char *what, struct err *e);

/* creds_value returns profile's non-empty value for key (the credentials
 * file winning over the config file, as botocore's full_config), or NULL. */
const char *creds_value(const struct creds_ctx *ctx, const char *profile, const char *key);

/* creds_config_value is the same from the config file only, and
 * creds_credentials_value from the credentials file only. */
const char *creds_config_value(const struct creds_ctx *ctx, const char *profile, const char *key);
const char *creds_credentials_value(const struct creds_ctx *ctx, const char *profile,
                                    const char *key);

/* creds_config_section returns the config file's "[WORD NAME]" header
 * (e.g. WORD "sso-session"), or NULL. */
const char *creds_config_section(const struct creds_ctx *ctx, const char *word, const char *name);

/* creds_setting_true tells whether variable var is "true" (any case), else
 * the profile's key. */
bool creds_setting_true(const struct creds_ctx *ctx, const char *var, const char *key);

/* creds_http returns the chain's web (STS, SSO) or direct (metadata)
 * client, making it on first use. */
int creds_http(struct creds_ctx *ctx, bool direct, struct http_client **out, struct err *e);

/* creds_read_file, creds_sleep_ms, creds_mono_ms and creds_run go through
 * ctx->sys (the real system for a missing hook). */
int creds_read_file(struct creds_ctx *ctx, const char *path, size_t max_bytes, struct buf *out,
                    struct err *e);
void creds_sleep_ms(struct creds_ctx *ctx, long ms);
int64_t creds_mono_ms(struct creds_ctx *ctx);
int creds_run(struct creds_ctx *ctx, const struct creds_run *r, struct buf *out,
              enum creds_run_failure *fail, int *status, struct err *e);

/* creds_time_left_ms is what is left before ctx's deadline, at most cap
 * (cap when there is no deadline), at least 1. */
long creds_time_left_ms(struct creds_ctx *ctx, long cap);

/* creds_session_name writes "envssm-<epoch>", the default session name. */
void creds_session_name(const struct creds_ctx *ctx, char out[32]);

/* creds_check_session_name fails unless name is 2..64 of [\w+=,.@-]. */
int creds_check_session_name(const char *name, const char *where, struct err *e);

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
