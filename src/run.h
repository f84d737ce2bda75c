/*
 * run.h - one run of envssm: what it holds, and the phases every mode
 * shares up to a complete environment (run.c).
 *
 * The modes (modes.h) start from a run that run_prepare filled: the
 * environment in env, the secret files to place in secrets. Everything a
 * run holds is released by run_release, secrets wiped on the way.
 */
#ifndef ENVSSM_RUN_H
#define ENVSSM_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aws.h"
#include "buf.h"
#include "cli.h"
#include "creds.h"
#include "envp.h"
#include "err.h"
#include "http.h"
#include "profile.h"
#include "refs.h"
#include "secretfiles.h"
#include "settings.h"
#include "ssm.h"
#include "vars.h"

#define RUN_DEFAULT_TIMEOUT_MS 60000L

/* run_timeout_ms is --timeout, or the default when it is not set. */
static inline long run_timeout_ms(const struct cli *c)
{
	return c->timeout_ms ? c->timeout_ms : RUN_DEFAULT_TIMEOUT_MS;
}

/* Everything one run holds; released in one place. */
struct run {
	struct cli cli;
	struct settings settings;
	struct profile_files files;
	bool files_loaded;
	struct creds creds;
	struct http_share *share; /* one connection pool for every client */
	struct aws_client aws;
	struct buf *paths; /* normalised, one per PATH operand */
	size_t *path_end;  /* params index where each PATH's results end */
	struct ssm_params params;
	struct refs refs;
	char **base;       /* the inherited environment envssm starts from */
	char **base_owned; /* entries of base this run allocated (references) */
	struct vars vars;
	struct envp_result env;
	int64_t deadline_ms; /* one overall deadline for every phase */
	/* --secret-files: the values that go to files (borrowed), and the
	 * NAME_FILE variables naming them (owned strings) */
	struct buf sdir_path;
	struct secret_file *secrets;
	struct envp_var *file_vars;
	size_t nfiles;
	struct secret_dir sdir;
	bool sdir_open;
};

/* run_now_ms is the monotonic clock in milliseconds. */
int64_t run_now_ms(void);

/* run_write_all writes all of b to fd; -1 with "unable to write the output". */
int run_write_all(int fd, const struct buf *b, struct err *e);

/* The phases, in order; each returns 0 or -1 with e set. */
int run_load_settings(struct run *r, char *const *envp, struct err *e);
int run_load_creds(struct run *r, char *const *envp, struct err *e);
int run_connect_ssm(struct run *r, char *const *envp, struct err *e);
int run_normalise_paths(struct run *r, struct err *e);
int run_choose_base(struct run *r, char *const *envp, struct err *e);

/* run_prepare runs every phase up to a complete environment. */
int run_prepare(struct run *r, char *const *envp, struct err *e);

/* run_place_files writes r's secret files (--secret-files) into dir's
 * directory, opened and checked the first time. */
int run_place_files(struct run *r, struct run *dir, struct err *e);

/* run_place_first_files places r's files before the program starts, with
 * the stop signals held; from then until the program has them (execve, or
 * a supervisor taking the signals over, which then calls
 * exec_on_fatal(NULL, NULL)) a stop signal removes them as it ends envssm;
 * run_release ends that too. */
int run_place_first_files(struct run *r, struct err *e);

/* run_file_var is the NAME_FILE variable of name when name went to a file. */
const struct envp_var *run_file_var(const struct run *r, const char *name);

/* run_files_release drops the secret files' list (not the files). */
void run_files_release(struct run *r);

/* run_drop_values wipes and frees every value, key and variable r holds,
 * once a child has its environment: a supervisor keeps no secret while it
 * waits. */
void run_drop_values(struct run *r);

/* run_release gives back everything (removing the secret files of a run
 * that placed them); run_release_keep_cli the same for a run whose cli
 * is borrowed, leaving it zeroed for reuse. */
void run_release(struct run *r);
void run_release_keep_cli(struct run *r);

#endif
