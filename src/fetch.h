/*
 * fetch.h - fetch several PATHs at once.
 *
 * Each PATH gets its own thread, http client and aws client (so counters,
 * retries and jitter are its own), all sharing one http_share: DNS, TLS
 * sessions and idle connections. One PATH is fetched on the calling
 * thread with no thread started at all.
 */
#ifndef ENVSSM_FETCH_H
#define ENVSSM_FETCH_H

#include <stdbool.h>
#include <stddef.h>

#include "aws.h"
#include "err.h"
#include "http.h"
#include "ssm.h"

struct fetch_job {
	const char *path; /* normalised */
	bool recursive;
	bool decrypt;
	/* results */
	struct ssm_params params;
	struct ssm_fetch_stats stats;
	unsigned long requests;
	unsigned long retries;
	long connections;
	long long elapsed_ms;
	struct err err;
	int rc;
};

/* One unit of concurrent work: work runs with its own aws client (and http
 * client from the shared pool) and returns 0 or -1 with e filled. */
struct fetch_task {
	int (*work)(struct aws_client *c, void *arg, struct err *e);
	void *arg;
	/* results */
	int rc;
	struct err err;
	unsigned long requests;
	unsigned long retries;
	long connections;
	long long elapsed_ms;
};

/* fetch_each runs every task, concurrently when there are several, each
 * with a copy of template (its http field ignored) and its own client made
 * from opts. Returns -1 only when it cannot start; each task's outcome is in
 * its rc and err. */
int fetch_each(const struct aws_client *template, const struct http_options *opts,
               struct fetch_task *tasks, size_t n, struct err *e);

/* fetch_paths runs every job. template supplies endpoint, region,
 * credentials, retry policy and deadline (its http field is ignored); opts
 * the http settings. Returns 0 when every job succeeded, else -1 with e
 * holding the first failed job's error (in PATH order), prefixed with its
 * path. The caller releases each job's params. */
int fetch_paths(const struct aws_client *template, const struct http_options *opts,
                struct fetch_job *jobs, size_t n, struct err *e);

/* fetch_job_release wipes a job's parameters. */
void fetch_job_release(struct fetch_job *job);

#endif
