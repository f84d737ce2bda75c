/*
 * mode_watch.c - --watch: supervise, poll versions, and replace the
 * program when they change (the loop itself is watch.c).
 */
#include "modes.h"

#include <string.h>
#include <time.h>

#include "log.h"
#include "refs.h"
#include "ssm.h"
#include "supervise.h"
#include "versions.h"
#include "watch.h"

/* What a watch keeps between polls: settings, credentials (refreshed
 * before they expire) and one connection, and no value. */
struct watch_ctx {
	struct run *r;
	char *const *envp;
	struct run poll;
	struct http_client http;
	bool ready, have_creds;
	struct run next; /* the environment being started */
	/* the running environment's digest, and the next one's: with
	 * --on-change, equal ones mean only files changed */
	unsigned char digest[ENVP_DIGEST_LEN], next_digest[ENVP_DIGEST_LEN];
};

/* SDKs refresh credentials this long before they expire. */
#define WATCH_CREDS_REFRESH_S (15 * 60)

static int watch_ready(struct watch_ctx *w, struct err *e)
{
	struct run *p = &w->poll;
	long timeout = run_timeout_ms(&p->cli);
	struct http_options ho = {NULL, NULL, 5000, timeout, false, NULL, NULL};

	refs_init(&p->refs);
	if (run_load_settings(p, w->envp, e) < 0 || run_connect_ssm(p, w->envp, e) < 0 ||
	    run_normalise_paths(p, e) < 0 || run_choose_base(p, w->envp, e) < 0 ||
	    (p->cli.references && refs_scan(p->base, &p->refs, e) < 0))
		return -1;
	ho.share = p->share;
	ho.ca_bundle = p->settings.ca_bundle;
	ho.ca_dir = p->settings.ca_dir;
	ho.ca_missing = p->settings.ca_missing;
	if (http_curl_new(&w->http, &ho, e) < 0)
		return -1;
	p->aws.http = &w->http;
	w->ready = true;
	return 0;
}

/* poll_refs asks for the references' versions in the batches a start
 * uses (refs_plan): each batch's parameters, then its Secrets Manager
 * references apart, which only answer with their values. */
static int poll_refs(struct run *p, struct buf *fp, unsigned *requests, struct err *e)
{
	struct refs_batch *b = NULL;
	size_t nb = 0;
	int rc = 0;

	if (p->refs.len == 0)
		return 0;
	if (refs_plan(&p->refs, &b, &nb, e) < 0)
		return -1;
	for (size_t i = 0; rc == 0 && i < nb; i++) {
		const char *plain[SSM_GET_PARAMETERS_MAX], *secret[SSM_GET_PARAMETERS_MAX];
		size_t np = 0, ns = 0;

		for (size_t k = 0; k < b[i].n; k++) {
			const struct ref *ref = &p->refs.items[b[i].idx[k]];

			if (refs_is_secret(ref))
				secret[ns++] = ref->request;
			else
				plain[np++] = ref->request;
		}
		if (np > 0)
			rc = versions_names(&p->aws, plain, np, fp, requests, e);
		if (rc == 0 && ns > 0)
			rc = versions_secrets(&p->aws, secret, ns, fp, requests, e);
	}
	refs_batches_release(b, nb);
	return rc;
}

/* watch_poll fills the fingerprint of what a start would load: versions
 * from DescribeParameters under each PATH and GetParameters for the
 * references (digests for Secrets Manager's), or of the one
 * --watch-parameter. */
static int watch_poll(void *arg, struct buf *fp, struct err *e)
{
	struct watch_ctx *w = arg;
	struct run *p = &w->poll;
	unsigned requests = 0;
	int rc = 0;

	if (!w->ready) { /* a fresh start, after a failed one */
		run_release_keep_cli(p);
		http_client_free(&w->http);
		p->cli = w->r->cli;
	}
	p->deadline_ms = run_now_ms() + run_timeout_ms(&w->r->cli);
	if (!w->ready && watch_ready(w, e) < 0)
		return -1;
	p->aws.deadline_ms = p->deadline_ms;
	if (!w->have_creds || (p->creds.expiration != 0 &&
	                       p->creds.expiration - time(NULL) < WATCH_CREDS_REFRESH_S)) {
		creds_release(&p->creds);
		w->have_creds = false;
		if (run_load_creds(p, w->envp, e) < 0)
			return -1;
		w->have_creds = true;
	}
	if (p->cli.watch_parameter != NULL) {
		const char *name = p->cli.watch_parameter;

		rc = versions_names(&p->aws, &name, 1, fp, &requests, e);
	}
	for (size_t i = 0; rc == 0 && p->cli.watch_parameter == NULL && i < p->cli.npaths; i++)
		rc = versions_path(&p->aws, buf_cstr(&p->paths[i]), p->cli.recursive, fp, &requests,
		                   e);
	if (rc == 0 && p->cli.watch_parameter == NULL)
		rc = poll_refs(p, fp, &requests, e);
	if (rc == 0)
		rc = versions_sort(fp, e);
	log_debug("watch: polled with %u requests", requests);
	return rc;
}

/* watch_build makes the next environment and puts its files (into the
 * directory the running program has) before anything is stopped. */
static int watch_build(void *arg, char ***envp, bool *files_only, struct err *e)
{
	struct watch_ctx *w = arg;

	run_release_keep_cli(&w->next);
	w->next.cli = w->r->cli;
	w->next.deadline_ms = run_now_ms() + run_timeout_ms(&w->r->cli);
	if (run_prepare(&w->next, w->envp, e) < 0 || run_place_files(&w->next, w->r, e) < 0 ||
	    envp_digest(w->next.env.envp, w->next_digest, e) < 0) {
		run_release_keep_cli(&w->next);
		return -1;
	}
	*files_only = memcmp(w->digest, w->next_digest, sizeof(w->digest)) == 0;
	*envp = w->next.env.envp;
	return 0;
}

/* watch_settle: the child has the environment or it was dropped; either
 * way envssm keeps no value. */
static void watch_settle(void *arg, bool used)
{
	struct watch_ctx *w = arg;

	if (used)
		memcpy(w->digest, w->next_digest, sizeof(w->digest));
	run_release_keep_cli(&w->next);
}

/* mode_watch polls first, then starts: a change between the two restarts the
 * program once rather than going unnoticed. */
int mode_watch(struct run *r, char *const *envp, const struct exec_state *st, struct err *e)
{
	struct watch_ctx w;
	struct watch_ops ops = {watch_poll, watch_build, watch_settle, &w};
	struct watch_opts o = {r->cli.watch_ms, r->cli.stop_signal, r->cli.stop_timeout_ms,
	                       r->cli.on_change};
	struct buf first = BUF_INIT;
	struct supervisor s;
	int err = 0, status = -1;

	memset(&w, 0, sizeof(w));
	w.r = r;
	w.envp = envp;
	if (watch_poll(&w, &first, e) < 0 || run_prepare(r, envp, e) < 0 ||
	    run_place_first_files(r, e) < 0 || envp_digest(r->env.envp, w.digest, e) < 0)
		goto done;
	log_info("start '%s' with %zu variables from SSM and %zu references; watching every %ld ms",
	         r->cli.command[0], r->vars.len, r->refs.len, r->cli.watch_ms);
	supervise_init(&s, st, r->cli.signal_group);
	exec_on_fatal(NULL, NULL); /* the supervisor has the signals, and the files */
	status = supervise_start(&s, r->cli.command, r->env.envp, &err);
	if (status != 0) {
		log_error("unable to exec '%s': %s", r->cli.command[0], strerror(err));
		goto done;
	}
	run_drop_values(r);
	status = watch_run(&s, &o, &ops, r->cli.command, &first);
done:
	buf_release(&first);
	http_client_free(&w.http);
	run_release_keep_cli(&w.poll);
	run_release_keep_cli(&w.next);
	return status;
}
