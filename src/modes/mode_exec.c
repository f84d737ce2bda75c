/*
 * mode_exec.c - the default mode: become the program (execve).
 */
#include "modes.h"

#include <pthread.h>
#include <signal.h>
#include <string.h>

#include "file.h"
#include "log.h"

/* remove_files is the cleanup a stop signal runs before the program has
 * started: the files are for it alone. Async-signal-safe. */
static void remove_files(void *arg)
{
	struct run *r = arg;

	if (r->sdir_open)
		secret_dir_remove(&r->sdir);
}

/* place_files writes the secret files with the stop signals held, and has a
 * stop signal from then until execve remove them before it ends envssm. */
static int place_files(struct run *r, struct err *e)
{
	sigset_t old;
	int rc;

	if (r->cli.secret_files == NULL)
		return 0;
	file_hold_stop_signals(&old);
	rc = run_place_files(r, r, e);
	exec_on_fatal(remove_files, r);
	pthread_sigmask(SIG_SETMASK, &old, NULL); /* one held ends envssm here */
	if (rc < 0)
		exec_on_fatal(NULL, NULL); /* run_release removes them */
	return rc;
}

int mode_exec(struct run *r, const struct exec_state *st, struct err *e)
{
	int err = 0, status;

	if (place_files(r, e) < 0)
		return -1;
	log_info("exec '%s' with %zu variables from SSM and %zu references", r->cli.command[0],
	         r->vars.len, r->refs.len);
	status = exec_program(st, r->cli.command, r->env.envp, &err);
	exec_on_fatal(NULL, NULL); /* no program: run_release removes the files */
	log_error("unable to exec '%s': %s", r->cli.command[0], strerror(err));
	return status;
}
