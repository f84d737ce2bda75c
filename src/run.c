/*
 * run.c - the phases every mode shares, up to a complete environment:
 * settings, credentials, fetching every PATH and reference, names, the
 * merge, secret files; and the one place a run is released.
 */
#include "run.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "exec.h"
#include "fetch.h"
#include "file.h"
#include "jsonfield.h"
#include "log.h"
#include "names.h"

int64_t run_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* env_decides tells whether flags and environment settle credentials,
 * region and endpoint, so no shared file need be opened at all. */
static bool env_decides(const struct cli *c, const struct settings_flags *f, char *const *envp)
{
	return c->profile == NULL && creds_env_present(envp) &&
	       !settings_need_profile_files(f, envp);
}

/* check_profile makes a profile named by --profile or AWS_PROFILE that
 * neither file defines an error, as the SDKs do. */
static int check_profile(const struct run *r, struct err *e)
{
	if (!r->files_loaded || strcmp(r->settings.profile_source, "default") == 0 ||
	    profile_exists(&r->files, r->settings.profile))
		return 0;
	return err_set(e, ERR_CONFIG, "profile '%s' (from %s) is not in %s or %s",
	               r->settings.profile, r->settings.profile_source,
	               r->files.config_path ? r->files.config_path : "the config file",
	               r->files.credentials_path ? r->files.credentials_path
	                                         : "the credentials file");
}

int run_load_settings(struct run *r, char *const *envp, struct err *e)
{
	struct settings_flags f = {r->cli.profile, r->cli.region, r->cli.endpoint_url};
	struct creds_ctx imds; /* asked for the region only when nothing else gives one */
	struct settings_fallback fb = {creds_region_from_imds, &imds, "IMDS"};
	int rc;

	if (settings_profile(&f, envp, &r->settings, e) < 0)
		return -1;
	if (r->cli.explain || !env_decides(&r->cli, &f, envp)) {
		if (profile_files_load(envp, &r->files, e) < 0)
			return -1;
		r->files_loaded = true;
		if (check_profile(r, e) < 0)
			return -1;
	}
	creds_ctx_init(&imds, envp, r->settings.profile, r->settings.profile_explicit,
	               r->files_loaded ? &r->files : NULL, time(NULL));
	imds.deadline_ms = r->deadline_ms;
	rc = settings_resolve_fallback(&f, &fb, envp, r->files_loaded ? &r->files : NULL,
	                               &r->settings, e);
	creds_ctx_release(&imds);
	if (rc < 0)
		return -1;
	log_info("region %s (from %s), endpoint %s (from %s)", r->settings.region,
	         r->settings.region_source, r->settings.ssm.url, r->settings.endpoint_source);
	return 0;
}

int run_load_creds(struct run *r, char *const *envp, struct err *e)
{
	struct creds_ctx ctx;
	int rc;

	creds_ctx_init(&ctx, envp, r->settings.profile, r->settings.profile_explicit,
	               r->files_loaded ? &r->files : NULL, time(NULL));
	ctx.region = r->settings.region;
	ctx.ca_bundle = r->settings.ca_bundle;
	ctx.ca_dir = r->settings.ca_dir;
	ctx.ca_missing = r->settings.ca_missing;
	ctx.deadline_ms = r->deadline_ms;
	rc = creds_resolve(&ctx, &r->creds, e);
	creds_ctx_release(&ctx);
	if (rc < 0)
		return -1;
	log_info("credentials from %s", r->creds.provider);
	return 0;
}

/* connect_ssm prepares what every fetch shares: libcurl, one connection
 * pool, and the aws client each fetch copies. No connection is opened yet. */
int run_connect_ssm(struct run *r, char *const *envp, struct err *e)
{
	if (http_curl_global_init(e) < 0 || http_share_new(&r->share, e) < 0)
		return -1;
	aws_client_init(&r->aws); /* the template every fetch copies */
	r->aws.endpoint = &r->settings.ssm;
	r->aws.region = r->settings.region;
	r->aws.creds = &r->creds;
	r->aws.deadline_ms = r->deadline_ms;
	return aws_retry_from_env(&r->aws, envp, e);
}

int run_normalise_paths(struct run *r, struct err *e)
{
	r->paths = calloc(r->cli.npaths + 1, sizeof(*r->paths));
	r->path_end = calloc(r->cli.npaths + 1, sizeof(*r->path_end));
	if (r->paths == NULL || r->path_end == NULL)
		return err_nomem(e);
	for (size_t i = 0; i < r->cli.npaths; i++) {
		if (names_path_normalize(r->cli.env_name, r->cli.paths[i], &r->paths[i], e) < 0)
			return -1;
	}
	return 0;
}

/* choose_base picks the inherited variables envssm starts from: all of
 * them, or with --pristine only the --keep ones. */
int run_choose_base(struct run *r, char *const *envp, struct err *e)
{
	size_t n = 0, k = 0;

	while (envp[n] != NULL)
		n++;
	r->base = calloc(n + 1, sizeof(*r->base));
	r->base_owned = calloc(n + 1, sizeof(*r->base_owned));
	if (r->base == NULL || r->base_owned == NULL)
		return err_nomem(e);
	for (size_t i = 0; i < n; i++) {
		const char *eq = strchr(envp[i], '=');

		if (r->cli.pristine &&
		    (eq == NULL ||
		     !names_in_list_n(envp[i], (size_t)(eq - envp[i]), r->cli.keep.items)))
			continue;
		r->base[k++] = envp[i];
	}
	return 0;
}

/* fetch_all fetches every PATH, concurrently when there are several, and
 * appends the results in PATH order. */
static int fetch_all(struct run *r, struct err *e)
{
	struct fetch_job *jobs = calloc(r->cli.npaths + 1, sizeof(*jobs));
	long timeout = run_timeout_ms(&r->cli);
	struct http_options ho = {r->share,           r->settings.ca_bundle, 5000, timeout, false,
	                          r->settings.ca_dir, r->settings.ca_missing};
	int rc = -1;

	if (jobs == NULL)
		return err_nomem(e);
	for (size_t i = 0; i < r->cli.npaths; i++)
		jobs[i] = (struct fetch_job){.path = buf_cstr(&r->paths[i]),
		                             .recursive = r->cli.recursive,
		                             .decrypt = r->cli.decrypt};
	if (fetch_paths(&r->aws, &ho, jobs, r->cli.npaths, e) < 0)
		goto done;
	for (size_t i = 0; i < r->cli.npaths; i++) {
		struct fetch_job *j = &jobs[i];

		log_info("'%s': %zu parameters in %u pages, %lu requests, %ld connections, %lld ms",
		         j->path, j->params.len, j->stats.pages, j->requests, j->connections,
		         j->elapsed_ms);
		if (r->cli.expand_json && jsonfield_expand(&j->params, e) < 0)
			goto done;
		if (ssm_params_take(&r->params, &j->params, e) < 0)
			goto done;
		r->path_end[i] = r->params.len;
	}
	rc = 0;
done:
	for (size_t i = 0; i < r->cli.npaths; i++)
		fetch_job_release(&jobs[i]);
	free(jobs);
	return rc;
}

/* to_file tells whether a value of this type goes to a file. */
static bool to_file(const struct run *r, const char *type)
{
	return r->cli.secret_files != NULL &&
	       (r->cli.secret_files_all || strcmp(type, "SecureString") == 0);
}

/* add_file puts name's value in the files to write and NAME_FILE=DIR/NAME
 * in the variables to set. */
static int add_file(struct run *r, const char *name, const struct buf *value, struct err *e)
{
	struct buf var = BUF_INIT, path = BUF_INIT;
	void *grown;

	if (!secret_file_name_ok(name))
		return err_set(e, ERR_NAMES, "'%.64s' cannot be a secret file name", name);
	if (r->sdir_path.len == 0 && secret_dir_abspath(r->cli.secret_files, &r->sdir_path, e) < 0)
		return -1;
	if ((grown = realloc(r->secrets, (r->nfiles + 1) * sizeof(*r->secrets))) == NULL)
		return err_nomem(e);
	r->secrets = grown;
	if ((grown = realloc(r->file_vars, (r->nfiles + 1) * sizeof(*r->file_vars))) == NULL)
		return err_nomem(e);
	r->file_vars = grown;
	if (buf_printf(&var, e, "%s_FILE", name) < 0 ||
	    buf_printf(&path, e, "%s/%s", buf_cstr(&r->sdir_path), name) < 0) {
		buf_release(&var);
		buf_release(&path);
		return -1;
	}
	r->file_vars[r->nfiles] = (struct envp_var){buf_detach(&var, e), NULL, path.len};
	r->file_vars[r->nfiles].value = buf_detach(&path, e);
	/* the file is named like the variable */
	r->secrets[r->nfiles] = (struct secret_file){strdup(name), value->data, value->len};
	if (r->secrets[r->nfiles++].name == NULL)
		return err_nomem(e);
	return 0;
}

/* run_file_var is the NAME_FILE variable of name when name went to a file. */
const struct envp_var *run_file_var(const struct run *r, const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; i < r->nfiles; i++) {
		if (strncmp(r->file_vars[i].name, name, n) == 0 &&
		    strcmp(r->file_vars[i].name + n, "_FILE") == 0)
			return &r->file_vars[i];
	}
	return NULL;
}

void run_files_release(struct run *r)
{
	for (size_t i = 0; i < r->nfiles; i++) {
		free((char *)r->file_vars[i].name);
		free((char *)r->file_vars[i].value);
		free((char *)r->secrets[i].name);
	}
	free(r->file_vars);
	free(r->secrets);
	r->file_vars = NULL;
	r->secrets = NULL;
	r->nfiles = 0;
	buf_release(&r->sdir_path);
}

/* drop_inherited removes the inherited entries named name (n bytes). */
static void drop_inherited(struct run *r, const char *name, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; r->base[i] != NULL; i++) {
		if (strncmp(r->base[i], name, n) != 0 || r->base[i][n] != '=')
			r->base[k++] = r->base[i];
	}
	r->base[k] = NULL;
}

/* substitute_refs puts each resolved value in place of its reference,
 * or with --secret-files NAME_FILE for a secret one. */
static int substitute_refs(struct run *r, struct err *e)
{
	size_t owned = 0;

	for (size_t i = 0; r->base[i] != NULL; i++) {
		const char *eq = strchr(r->base[i], '=');
		const struct ref *ref;
		struct buf b = BUF_INIT;

		if (eq == NULL ||
		    (ref = refs_find(&r->refs, r->base[i], (size_t)(eq - r->base[i]))) == NULL)
			continue;
		/* a parameter of the same name wins over the reference anyway */
		if (to_file(r, ref->param->type) && vars_find(&r->vars, ref->var) == NULL) {
			if (add_file(r, ref->var, refs_value(ref), e) < 0)
				return -1;
			drop_inherited(r, ref->var, strlen(ref->var));
			i--;
			continue;
		}
		if (buf_printf(&b, e, "%s=", ref->var) < 0 ||
		    buf_append(&b, refs_value(ref)->data, refs_value(ref)->len, e) < 0) {
			buf_release(&b);
			return -1;
		}
		r->base[i] = r->base_owned[owned++] = buf_detach(&b, e);
	}
	return 0;
}

static int map_names(struct run *r, struct err *e)
{
	struct vars_opts vo = {r->cli.allow_names, r->cli.name_prefix, r->cli.last_segment};

	for (size_t i = 0; i < r->cli.npaths; i++) {
		size_t from = i ? r->path_end[i - 1] : 0, before = r->vars.len;
		const char *path = buf_cstr(&r->paths[i]);

		if (vars_add_path(&r->vars, path, &r->params, from, r->path_end[i], &vo, e) < 0)
			return -1;
		/* an empty PATH nearly always means a wrong path or --env */
		if (r->vars.len == before && !r->cli.allow_empty)
			return err_set(
			        e, ERR_NAMES,
			        "no parameters found under '%s' in %s: check the path, --env and the region, or pass --allow-empty",
			        path, r->settings.region);
	}
	vars_finish(&r->vars);
	return 0;
}

static void on_conflict(const char *name, bool overridden, void *arg)
{
	(void)arg;
	if (overridden)
		log_notice("'%s' from SSM overrides the inherited value", name);
	else
		log_info("'%s': keeping the inherited value (--no-override)", name);
}

static int cmp_envp_var(const void *a, const void *b)
{
	return strcmp(((const struct envp_var *)a)->name, ((const struct envp_var *)b)->name);
}

/* inherited_kept tells whether --no-override keeps an inherited name (or
 * its NAME_FILE), so a parameter's file is not written at all. */
static bool inherited_kept(const struct run *r, const char *name)
{
	struct buf f = BUF_INIT;
	bool kept;

	if (!r->cli.no_override)
		return false;
	if (env_get(r->base, name) != NULL)
		return true;
	kept = buf_printf(&f, NULL, "%s_FILE", name) == 0 && env_get(r->base, buf_cstr(&f)) != NULL;
	buf_release(&f);
	return kept;
}

/* build_env merges the parameters' variables into the inherited ones;
 * with --secret-files a secret parameter gives NAME_FILE instead. */
static int build_env(struct run *r, struct err *e)
{
	struct envp_var *vars = calloc(r->vars.len + r->nfiles + 1, sizeof(*vars));
	struct envp_opts o = {r->cli.no_override, on_conflict, NULL};
	size_t n = 0;
	int rc = -1;

	if (vars == NULL)
		return err_nomem(e);
	for (size_t i = 0; i < r->vars.len; i++) {
		const struct var *v = &r->vars.items[i];

		if (to_file(r, v->param->type)) {
			if (inherited_kept(r, v->name)) {
				log_info("'%s': keeping the inherited value (--no-override)",
				         v->name);
				continue;
			}
			if (env_get(r->base, v->name) != NULL) {
				on_conflict(v->name, true, NULL);
				drop_inherited(r, v->name, strlen(v->name));
			}
			if (add_file(r, v->name, &v->param->value, e) < 0)
				goto done;
			continue;
		}
		vars[n++] =
		        (struct envp_var){v->name, buf_cstr(&v->param->value), v->param->value.len};
	}
	for (size_t i = 0; i < r->nfiles; i++)
		vars[n++] = r->file_vars[i];
	qsort(vars, n, sizeof(*vars), cmp_envp_var);
	for (size_t i = 1; i < n; i++) {
		if (strcmp(vars[i - 1].name, vars[i].name) == 0) {
			err_set(e, ERR_NAMES,
			        "'%s' would be set twice: by a parameter and as the file variable of "
			        "a secret",
			        vars[i].name);
			goto done;
		}
	}
	rc = envp_build(r->base, vars, n, &o, &r->env, e);
done:
	free(vars);
	return rc;
}

/* check_required fails unless every --require name is in the result. */
static int check_required(const struct run *r, struct err *e)
{
	const char *p = r->cli.require.items, *item;
	struct buf missing = BUF_INIT, name = BUF_INIT;
	size_t n;
	int rc = 0;

	while (rc == 0 && (item = names_list_next(&p, &n)) != NULL) {
		if (n > 0 && buf_set(&name, item, n, e) < 0)
			rc = -1;
		else if (n > 0 && env_get(r->env.envp, buf_cstr(&name)) == NULL &&
		         run_file_var(r, buf_cstr(&name)) == NULL)
			rc = buf_printf(&missing, e, "%s%s", missing.len ? ", " : "",
			                buf_cstr(&name));
	}
	if (rc == 0 && missing.len > 0)
		rc = err_set(e, ERR_NAMES, "required variables are not set: %s", missing.data);
	buf_release(&missing);
	buf_release(&name);
	return rc;
}

/* run_release gives back everything; secrets are wiped on the way. */
void run_release(struct run *r)
{
	/* the files outlive envssm only when it became the program */
	exec_on_fatal(NULL, NULL);
	if (r->sdir_open) {
		secret_dir_remove(&r->sdir);
		secret_dir_close(&r->sdir);
		r->sdir_open = false;
	}
	envp_release(&r->env);
	run_files_release(r);
	vars_release(&r->vars);
	for (size_t i = 0; r->base_owned != NULL && r->base_owned[i] != NULL; i++)
		mem_free_secure(r->base_owned[i]);
	free(r->base_owned);
	free(r->base);
	refs_release(&r->refs);
	ssm_params_release(&r->params);
	for (size_t i = 0; r->paths != NULL && i < r->cli.npaths; i++)
		buf_release(&r->paths[i]);
	free(r->paths);
	free(r->path_end);
	http_share_free(r->share);
	r->share = NULL;
	creds_release(&r->creds);
	if (r->files_loaded)
		profile_files_release(&r->files);
	settings_release(&r->settings);
	cli_release(&r->cli);
}

/* run_release_keep_cli releases a run whose cli is borrowed. */
void run_drop_values(struct run *r)
{
	envp_release(&r->env);
	run_files_release(r);
	vars_release(&r->vars);
	refs_release(&r->refs);
	ssm_params_release(&r->params);
	creds_release(&r->creds);
}

void run_release_keep_cli(struct run *r)
{
	size_t npaths = r->cli.npaths;

	memset(&r->cli, 0, sizeof(r->cli));
	r->cli.npaths = npaths; /* run_release frees one normalised path per PATH */
	run_release(r);
	memset(r, 0, sizeof(*r));
}

/* resolve_refs resolves the references, their GetParameters batches
 * concurrently when there are several, over the PATHs' connection pool. */
static int resolve_refs(struct run *r, struct err *e)
{
	long timeout = run_timeout_ms(&r->cli);
	struct http_options ho = {r->share,           r->settings.ca_bundle, 5000, timeout, false,
	                          r->settings.ca_dir, r->settings.ca_missing};
	struct refs_batch *b = NULL;
	struct fetch_task *tasks = NULL;
	size_t n = 0;
	int rc = -1;

	if (refs_plan(&r->refs, &b, &n, e) < 0)
		return -1;
	if ((tasks = calloc(n + 1, sizeof(*tasks))) == NULL) {
		err_nomem(e);
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		tasks[i] = (struct fetch_task){.work = refs_resolve_batch, .arg = &b[i]};
	if (fetch_each(&r->aws, &ho, tasks, n, e) < 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		if (tasks[i].rc < 0) {
			*e = tasks[i].err;
			err_prefix(e, "unable to resolve references");
			goto out;
		}
	}
	rc = refs_finish(&r->refs, b, n, e);
out:
	free(tasks);
	refs_batches_release(b, n);
	return rc;
}

/* fetch runs every network phase: settings, credentials, paths, refs. */
static int fetch(struct run *r, char *const *envp, struct err *e)
{
	if (run_load_settings(r, envp, e) < 0 || run_load_creds(r, envp, e) < 0 ||
	    run_connect_ssm(r, envp, e) < 0 || fetch_all(r, e) < 0)
		return -1;
	if (r->refs.len > 0 && resolve_refs(r, e) < 0)
		return -1;
	/* nothing below needs the network or the keys any more */
	http_share_free(r->share);
	r->share = NULL;
	creds_release(&r->creds);
	return 0;
}

/* run_prepare runs every phase up to a complete environment. */
int run_prepare(struct run *r, char *const *envp, struct err *e)
{
	refs_init(&r->refs);
	if (run_normalise_paths(r, e) < 0 || run_choose_base(r, envp, e) < 0)
		return -1;
	if (r->cli.references && refs_scan(r->base, &r->refs, e) < 0)
		return -1;
	if (r->cli.npaths == 0 && r->refs.len == 0 && !r->cli.allow_empty)
		return err_set(
		        e, ERR_USAGE,
		        "nothing to load: no PATH given and no ssm:// references in the environment");
	if ((r->cli.npaths > 0 || r->refs.len > 0) && fetch(r, envp, e) < 0)
		return -1;
	if (map_names(r, e) < 0 || substitute_refs(r, e) < 0 || build_env(r, e) < 0)
		return -1;
	return check_required(r, e);
}

/* run_place_files writes the secret files (--secret-files) into dir, opened
 * (and checked) the first time. */
int run_place_files(struct run *r, struct run *dir, struct err *e)
{
	if (r->cli.secret_files == NULL)
		return 0;
	if (!dir->sdir_open) {
		if (secret_dir_open(&dir->sdir, r->cli.secret_files, r->cli.secret_files_on_disk,
		                    e) < 0)
			return -1;
		dir->sdir_open = true;
	}
	if (secret_dir_place(&dir->sdir, r->secrets, r->nfiles, e) < 0)
		return -1;
	log_info("wrote %zu secret files to '%s'", r->nfiles, dir->sdir.path);
	return 0;
}

/* remove_files is what a stop signal runs before the program has its
 * files: they are for it alone. Async-signal-safe. */
static void remove_files(void *arg)
{
	struct run *r = arg;

	if (r->sdir_open)
		secret_dir_remove(&r->sdir);
}

int run_place_first_files(struct run *r, struct err *e)
{
	sigset_t old;
	int rc;

	if (r->cli.secret_files == NULL)
		return 0;
	file_hold_stop_signals(&old);
	rc = run_place_files(r, r, e);
	exec_on_fatal(remove_files, r);
	pthread_sigmask(SIG_SETMASK, &old, NULL); /* one held ends envssm here */
	return rc;
}

int run_write_all(int fd, const struct buf *b, struct err *e)
{
	size_t off = 0;

	while (off < b->len) {
		ssize_t w = write(fd, b->data + off, b->len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return err_set(e, ERR_CONFIG, "unable to write the output: %s",
			               strerror(errno));
		off += (size_t)w;
	}
	return 0;
}
