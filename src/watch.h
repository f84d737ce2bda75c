/*
 * watch.h - follow configuration changes: poll versions, and when they
 * change, replace the program with one started on the new environment.
 *
 * The loop runs in the supervisor (supervise.h): it forwards signals and
 * reaps between polls. A poll asks for names and versions only; only a
 * change builds a new environment (decrypting), with every check of a
 * start, before the running program is touched. Failures never touch the
 * program: envssm logs once per change of state, backs off (capped at
 * WATCH_BACKOFF_INTERVALS intervals) and tries again.
 */
#ifndef ENVSSM_WATCH_H
#define ENVSSM_WATCH_H

#include <stdbool.h>

#include "buf.h"
#include "err.h"
#include "supervise.h"

#define WATCH_BACKOFF_INTERVALS 4
#define WATCH_SETTLE_ROUNDS     5

struct watch_opts {
	long interval_ms;     /* between polls, before the ±10% jitter */
	int stop_signal;      /* sent to the running program on a change */
	long stop_timeout_ms; /* then SIGKILL */
	int on_change;        /* when only files changed, send this instead of
	                       * restarting; 0: always restart */
};

struct watch_ops {
	/* poll fills fingerprint (versions.h) for what a start would load */
	int (*poll)(void *arg, struct buf *fingerprint, struct err *e);
	/* build makes a complete new environment (and puts its files in
	 * place); *envp stays valid until settle. *files_only tells that the
	 * environment is the running one's and only files changed. */
	int (*build)(void *arg, char ***envp, bool *files_only, struct err *e);
	/* settle: the built environment was started (used) or dropped; the
	 * one not in use any more is wiped */
	void (*settle)(void *arg, bool used);
	void *arg;
};

/* watch_parse_interval reads "30", "30s", "5m", "1h" (1 s to 24 h) into
 * milliseconds; -1 with ERR_USAGE naming from otherwise. */
int watch_parse_interval(const char *v, const char *from, long *ms, struct err *e);

/* watch_parse_signal reads a signal name ("TERM", "SIGTERM") or number. */
int watch_parse_signal(const char *v, const char *from, int *sig, struct err *e);

/* watch_jitter is ms scaled by a factor in [0.9, 1.1) from *seed. */
long watch_jitter(long ms, unsigned long long *seed);

/* The loop's health, and what it decides from it without its clock and
 * signals: the wait before the next poll and which change of health to
 * log. A failure in a row doubles the wait, up to WATCH_BACKOFF_INTERVALS
 * intervals; each change of health is logged once. */
enum watch_health {
	WATCH_OK,            /* polls answer; the program runs the latest build */
	WATCH_POLL_FAILING,  /* Parameter Store does not answer */
	WATCH_BUILD_FAILING, /* it answers, but the new environment is incomplete */
};

struct watch_state {
	enum watch_health health;
	unsigned failures; /* in a row, for the backoff */
};

/* What a step asks the loop to log. */
enum watch_note {
	WATCH_NOTE_NONE,
	WATCH_NOTE_POLL_FAILING,  /* "...; the program keeps its environment" */
	WATCH_NOTE_POLL_BACK,     /* "Parameter Store answers again" */
	WATCH_NOTE_BUILD_FAILING, /* "the new environment is not complete" */
	WATCH_NOTE_VERSIONS_BACK, /* "back to the running environment's versions" */
};

/* watch_wait_ms is the wait before the next poll, before jitter. */
long watch_wait_ms(const struct watch_state *st, long interval_ms);

/* watch_poll_failed, watch_polled (changed: the versions differ from the
 * running environment's), watch_build_failed and watch_built move st on
 * after each step. */
enum watch_note watch_poll_failed(struct watch_state *st);
enum watch_note watch_polled(struct watch_state *st, bool changed);
enum watch_note watch_build_failed(struct watch_state *st);
void watch_built(struct watch_state *st);

/* watch_run polls every interval until the program exits; first is the
 * fingerprint taken before the first start. Returns the status to exit
 * with. */
int watch_run(struct supervisor *s, const struct watch_opts *o, const struct watch_ops *ops,
              char *const argv[], const struct buf *first);

#endif
