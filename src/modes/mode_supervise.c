/*
 * mode_supervise.c - --supervise: start the program as a child and stay.
 */
#include "modes.h"

#include <string.h>

#include "log.h"
#include "supervise.h"

/* mode_supervise runs the command as a child (supervise.c). envssm keeps no
 * secret while it waits: the environment is wiped once the child has it,
 * and the connections are closed before the fork. */
int mode_supervise(struct run *r, const struct exec_state *st, struct err *e)
{
	struct supervisor s;
	int err = 0, status;

	if (run_place_first_files(r, e) < 0)
		return -1;
	log_info("start '%s' with %zu variables from SSM and %zu references", r->cli.command[0],
	         r->vars.len, r->refs.len);
	http_share_free(r->share);
	r->share = NULL;
	supervise_init(&s, st, r->cli.signal_group);
	exec_on_fatal(NULL, NULL); /* the supervisor has the signals, and the files */
	status = supervise_start(&s, r->cli.command, r->env.envp, &err);
	if (status != 0) {
		log_error("unable to exec '%s': %s", r->cli.command[0], strerror(err));
		return status;
	}
	run_drop_values(r);
	return supervise_wait(&s);
}
