/*
 * main.c - envssm: load SSM parameters into the environment, then become
 * the program.
 *
 * One call per phase, in the order of the man page: parse the command
 * line, pick profile, region and endpoint, find credentials, fetch every
 * PATH, map names, build the environment, exec. Every failure is reported
 * here, once, and ends with status 125.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "aws.h"
#include "cli.h"
#include "creds.h"
#include "envp.h"
#include "exec.h"
#include "http.h"
#include "log.h"
#include "names.h"
#include "profile.h"
#include "settings.h"
#include "ssm.h"
#include "vars.h"

#define EXIT_FAILURE_ENVSSM 125

extern char **environ;

/* Everything one run holds; released in one place. */
struct run {
	struct cli cli;
	struct settings settings;
	struct profile_files files;
	bool files_loaded;
	struct creds creds;
	struct http_client http;
	struct aws_client aws;
	struct buf *paths; /* normalised, one per PATH operand */
	size_t *path_end;  /* params index where each PATH's results end */
	struct ssm_params params;
	struct vars vars;
	struct envp_result env;
};

static int64_t now_ms(void)
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

static int load_settings(struct run *r, char *const *envp, struct err *e)
{
	struct settings_flags f = { r->cli.profile, r->cli.region, r->cli.endpoint_url };

	if (settings_profile(&f, envp, &r->settings, e) < 0)
		return -1;
	if (!env_decides(&r->cli, &f, envp)) {
		if (profile_files_load(envp, &r->files, e) < 0)
			return -1;
		r->files_loaded = true;
		if (check_profile(r, e) < 0)
			return -1;
	}
	if (settings_resolve(&f, envp, r->files_loaded ? &r->files : NULL, &r->settings, e) < 0)
		return -1;
	log_info("region %s (from %s), endpoint %s (from %s)", r->settings.region,
		 r->settings.region_source, r->settings.ssm.url, r->settings.endpoint_source);
	return 0;
}

static int load_creds(struct run *r, char *const *envp, struct err *e)
{
	struct creds_ctx ctx = { envp, r->settings.profile, r->settings.profile_explicit,
				 r->files_loaded ? &r->files : NULL, time(NULL) };

	if (creds_resolve(&ctx, &r->creds, e) < 0)
		return -1;
	log_info("credentials from %s", r->creds.provider);
	return 0;
}

static int connect_ssm(struct run *r, char *const *envp, struct err *e)
{
	struct http_options ho = { r->settings.ca_bundle, 5000, 30000, false };

	if (http_curl_global_init(e) < 0 || http_curl_new(&r->http, &ho, e) < 0)
		return -1;
	aws_client_init(&r->aws);
	r->aws.http = &r->http;
	r->aws.endpoint = &r->settings.ssm;
	r->aws.region = r->settings.region;
	r->aws.creds = &r->creds;
	return aws_retry_from_env(&r->aws, envp, e);
}

static int normalise_paths(struct run *r, struct err *e)
{
	r->paths = calloc(r->cli.npaths, sizeof(*r->paths));
	r->path_end = calloc(r->cli.npaths, sizeof(*r->path_end));
	if (r->paths == NULL || r->path_end == NULL)
		return err_nomem(e);
	for (size_t i = 0; i < r->cli.npaths; i++) {
		if (names_path_normalize(r->cli.env_name, r->cli.paths[i], &r->paths[i], e) < 0)
			return -1;
	}
	return 0;
}

static int fetch_all(struct run *r, struct err *e)
{
	for (size_t i = 0; i < r->cli.npaths; i++) {
		const char *path = buf_cstr(&r->paths[i]);
		struct ssm_fetch_stats st = { 0, 0 };
		size_t before = r->params.len;
		int64_t t0 = now_ms();

		if (ssm_get_parameters_by_path(&r->aws, path, r->cli.recursive, r->cli.decrypt,
					       &r->params, &st, e) < 0)
			return err_prefix(e, "unable to fetch '%s'", path);
		r->path_end[i] = r->params.len;
		log_info("'%s': %zu parameters in %u pages, %lld ms", path,
			 r->params.len - before, st.pages, (long long)(now_ms() - t0));
	}
	return 0;
}

static int map_names(struct run *r, struct err *e)
{
	struct vars_opts vo = { r->cli.allow_names, NULL, false };

	for (size_t i = 0; i < r->cli.npaths; i++) {
		size_t from = i ? r->path_end[i - 1] : 0, before = r->vars.len;
		const char *path = buf_cstr(&r->paths[i]);

		if (vars_add_path(&r->vars, path, &r->params, from, r->path_end[i], &vo, e) < 0)
			return -1;
		/* an empty PATH nearly always means a wrong path or --env */
		if (r->vars.len == before && !r->cli.allow_empty)
			return err_set(e, ERR_NAMES,
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

static int build_env(struct run *r, char *const *envp, struct err *e)
{
	struct envp_var *vars = calloc(r->vars.len + 1, sizeof(*vars));
	struct envp_opts o = { r->cli.no_override, on_conflict, NULL };
	int rc;

	if (vars == NULL)
		return err_nomem(e);
	for (size_t i = 0; i < r->vars.len; i++) {
		const struct ssm_param *p = r->vars.items[i].param;

		vars[i] = (struct envp_var){ r->vars.items[i].name, buf_cstr(&p->value), p->value.len };
	}
	rc = envp_build(envp, vars, r->vars.len, &o, &r->env, e);
	free(vars);
	return rc;
}

/* run_release gives back everything; secrets are wiped on the way. */
static void run_release(struct run *r)
{
	envp_release(&r->env);
	vars_release(&r->vars);
	ssm_params_release(&r->params);
	for (size_t i = 0; r->paths != NULL && i < r->cli.npaths; i++)
		buf_release(&r->paths[i]);
	free(r->paths);
	free(r->path_end);
	http_client_free(&r->http);
	creds_release(&r->creds);
	if (r->files_loaded)
		profile_files_release(&r->files);
	settings_release(&r->settings);
	cli_release(&r->cli);
}

/* prepare runs every phase up to a complete environment. */
static int prepare(struct run *r, char *const *envp, struct err *e)
{
	if (normalise_paths(r, e) < 0 || load_settings(r, envp, e) < 0 ||
	    load_creds(r, envp, e) < 0 || connect_ssm(r, envp, e) < 0 ||
	    fetch_all(r, e) < 0 || map_names(r, e) < 0)
		return -1;
	/* nothing below needs the network or the keys any more */
	http_client_free(&r->http);
	creds_release(&r->creds);
	return build_env(r, envp, e);
}

static int become(struct run *r, const struct exec_state *st)
{
	int err = 0, status;

	log_info("exec '%s' with %zu variables from SSM", r->cli.command[0], r->vars.len);
	status = exec_program(st, r->cli.command, r->env.envp, &err);
	log_error("unable to exec '%s': %s", r->cli.command[0], strerror(err));
	return status;
}

int main(int argc, char **argv)
{
	struct exec_state st;
	struct run r;
	struct err e = { ERR_NONE, "" };
	char **envp = environ;
	int status = EXIT_FAILURE_ENVSSM;

	exec_snapshot(&st);
	memset(&r, 0, sizeof(r));
	/* secrets are about to be held: no core dump may carry them (exec
	 * restores the flag for the program) */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	if (cli_parse(argc, argv, envp, &r.cli, &e) < 0)
		goto fail;
	if (r.cli.help || r.cli.version) {
		fputs(r.cli.help ? cli_usage : "envssm " ENVSSM_VERSION "\n", stdout);
		cli_release(&r.cli);
		return fflush(stdout) == 0 ? 0 : EXIT_FAILURE_ENVSSM;
	}
	log_init(r.cli.verbosity, r.cli.log_format);
	exec_guard_signals(&st);
	if (prepare(&r, envp, &e) < 0)
		goto fail;
	status = become(&r, &st);
	run_release(&r);
	return status;
fail:
	log_error("%s", e.msg);
	run_release(&r);
	return EXIT_FAILURE_ENVSSM;
}
