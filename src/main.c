/*
 * main.c - envssm: load SSM parameters into the environment, then become
 * the program (or print them, or list their names).
 *
 * The man page's dispatch: parse the command line, then one mode
 * (modes.h); the phases up to a complete environment are run.c's. Every
 * failure is reported here, once, and ends with status 125.
 */
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>

#include "log.h"
#include "modes.h"
#include "version.h"

#define EXIT_FAILURE_ENVSSM 125

extern char **environ;

int main(int argc, char **argv)
{
	struct exec_state st;
	struct run r;
	struct err e = {ERR_NONE, ""};
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
		struct buf text;

		buf_init(&text);
		if (r.cli.version && version_text(&text, &e) < 0)
			goto fail;
		fputs(r.cli.help ? cli_usage : buf_cstr(&text), stdout);
		buf_release(&text);
		cli_release(&r.cli);
		return fflush(stdout) == 0 ? 0 : EXIT_FAILURE_ENVSSM;
	}
	log_init(r.cli.verbosity, r.cli.log_format);
	exec_guard_signals(&st);
	r.deadline_ms = run_now_ms() + run_timeout_ms(&r.cli);
	if (r.cli.explain)
		status = mode_explain(&r, envp, &e) < 0 ? -1 : 0;
	else if (r.cli.watch_ms > 0)
		status = mode_watch(&r, envp, &st, &e);
	else if (run_prepare(&r, envp, &e) < 0)
		goto fail;
	else if (r.cli.dry_run)
		status = mode_dry_run(&r, &e) < 0 ? -1 : 0;
	else if (r.cli.format != NULL)
		status = mode_print(&r, envp, &e) < 0 ? -1 : 0;
	else if (r.cli.supervise)
		status = mode_supervise(&r, &st, &e);
	else
		status = mode_exec(&r, &st, &e);
	if (status < 0)
		goto fail;
	run_release(&r);
	return status;
fail:
	log_error("%s", e.msg);
	run_release(&r);
	return EXIT_FAILURE_ENVSSM;
}
