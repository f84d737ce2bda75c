/*
 * fetch.c - run one GetParametersByPath walk per PATH, concurrently.
 */
#include "fetch.h"

#include <pthread.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "log.h"

#define FETCH_MAX_THREADS 16

struct worker {
	const struct aws_client *template;
	struct http_options opts;
	struct fetch_task *task;
};

static long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void run_task(struct worker *w)
{
	struct fetch_task *task = w->task;
	struct http_client http = {NULL, NULL};
	struct aws_client aws = *w->template;
	long long t0 = mono_ms();

	task->rc = -1;
	if (http_curl_new(&http, &w->opts, &task->err) < 0)
		return;
	aws.http = &http;
	aws.requests = aws.retries = 0;
	aws.rng ^= (uint64_t)(uintptr_t)task * 0x9e3779b97f4a7c15ULL; /* its own jitter */
	task->rc = task->work(&aws, task->arg, &task->err);
	task->requests = aws.requests;
	task->retries = aws.retries;
	task->connections = http.vt->connections(http.impl);
	task->elapsed_ms = mono_ms() - t0;
	http_client_free(&http);
}

static void *thread_main(void *arg)
{
	run_task(arg);
	return NULL;
}

/* run_threads starts a thread a task (at most FETCH_MAX_THREADS at once). */
static void run_threads(struct worker *w, size_t n)
{
	for (size_t base = 0; base < n; base += FETCH_MAX_THREADS) {
		pthread_t tid[FETCH_MAX_THREADS];
		bool started[FETCH_MAX_THREADS] = {false};
		size_t m = n - base < FETCH_MAX_THREADS ? n - base : FETCH_MAX_THREADS;

		for (size_t i = 0; i < m; i++)
			started[i] = pthread_create(&tid[i], NULL, thread_main, &w[base + i]) == 0;
		for (size_t i = 0; i < m; i++) {
			if (started[i])
				pthread_join(tid[i], NULL);
			else
				run_task(&w[base + i]); /* no thread to be had: do it here */
		}
	}
}

int fetch_each(const struct aws_client *template, const struct http_options *opts,
               struct fetch_task *tasks, size_t n, struct err *e)
{
	struct worker *w = calloc(n + 1, sizeof(*w));
	struct http_share *own = NULL;

	if (w == NULL)
		return err_nomem(e);
	for (size_t i = 0; i < n; i++)
		w[i] = (struct worker){template, *opts, &tasks[i]};
	if (n > 1 && opts->share == NULL) {
		/* concurrent clients must share TLS sessions and connections */
		if (http_share_new(&own, e) < 0) {
			free(w);
			return -1;
		}
		for (size_t i = 0; i < n; i++)
			w[i].opts.share = own;
	}
	if (n == 1)
		run_task(&w[0]);
	else
		run_threads(w, n);
	http_share_free(own);
	free(w);
	return 0;
}

static int path_work(struct aws_client *c, void *arg, struct err *e)
{
	struct fetch_job *job = arg;

	return ssm_get_parameters_by_path(c, job->path, job->recursive, job->decrypt, &job->params,
	                                  &job->stats, e);
}

int fetch_paths(const struct aws_client *template, const struct http_options *opts,
                struct fetch_job *jobs, size_t n, struct err *e)
{
	struct fetch_task *tasks = calloc(n + 1, sizeof(*tasks));
	int rc = 0;

	if (tasks == NULL)
		return err_nomem(e);
	for (size_t i = 0; i < n; i++) {
		ssm_params_init(&jobs[i].params);
		tasks[i] = (struct fetch_task){.work = path_work, .arg = &jobs[i]};
	}
	if (fetch_each(template, opts, tasks, n, e) < 0) {
		free(tasks);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		jobs[i].rc = tasks[i].rc;
		jobs[i].err = tasks[i].err;
		jobs[i].requests = tasks[i].requests;
		jobs[i].retries = tasks[i].retries;
		jobs[i].connections = tasks[i].connections;
		jobs[i].elapsed_ms = tasks[i].elapsed_ms;
	}
	free(tasks);
	for (size_t i = 0; i < n && rc == 0; i++) {
		if (jobs[i].rc < 0) {
			*e = jobs[i].err;
			rc = err_prefix(e, "unable to fetch '%s'", jobs[i].path);
		}
	}
	return rc;
}

void fetch_job_release(struct fetch_job *job)
{
	ssm_params_release(&job->params);
}
