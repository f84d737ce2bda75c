/*
 * mode_exec.c - the default mode: become the program (execve).
 */
#include "modes.h"

#include <string.h>

#include "log.h"

int mode_exec(struct run *r, const struct exec_state *st, struct err *e)
{
	int err = 0, status;

	if (run_place_first_files(r, e) < 0)
		return -1;
	log_info("exec '%s' with %zu variables from SSM and %zu references", r->cli.command[0],
	         r->vars.len, r->refs.len);
	status = exec_program(st, r->cli.command, r->env.envp, &err);
	log_error("unable to exec '%s': %s", r->cli.command[0], strerror(err));
	return status;
}
