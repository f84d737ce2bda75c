/*
 * supervise.h - stay as the program's parent: an init for it.
 *
 * Instead of becoming the program, envssm starts it as a child with the
 * environment built and the process state envssm inherited, forwards every
 * catchable signal to it, reaps every zombie (as PID 1, or as a child
 * subreaper otherwise) and exits with the child's status, 128+N when
 * signal N killed it. tini is the model.
 */
#ifndef ENVSSM_SUPERVISE_H
#define ENVSSM_SUPERVISE_H

#include <stdbool.h>
#include <sys/types.h>

#include "exec.h"

struct supervisor {
	const struct exec_state *st;
	bool to_group;   /* forward to the child's process group */
	sigset_t fwd;    /* the signals forwarded */
	sigset_t waited; /* fwd and SIGCHLD: blocked, taken with sigwaitinfo */
	struct sigaction before[EXEC_MAX_SIG]; /* dispositions to give the child */
	pid_t child;
	bool pid1;
};

/* supervise_init takes over the signals (blocked and waited for from now
 * on, so none is lost before the child exists) and, unless envssm is PID 1,
 * makes it a child subreaper. Signals that were ignored when envssm
 * started stay ignored and are not forwarded. */
void supervise_init(struct supervisor *s, const struct exec_state *st, bool to_group);

/* supervise_start starts argv with envp in a process group of its own,
 * with the inherited mask and dispositions and none of envssm's own
 * descriptors. Returns 0, or 126/127 (as exec mode) with *errno_out set
 * when the program could not be executed. */
int supervise_start(struct supervisor *s, char *const argv[], char *const envp[], int *errno_out);

/* supervise_forward passes sig on to the child (or its group): only the
 * signals supervise_init took over, quietly when the child is gone. */
void supervise_forward(const struct supervisor *s, int sig);

/* supervise_wait forwards signals and reaps until the child exits;
 * returns its status, 128+N when signal N killed it. */
int supervise_wait(struct supervisor *s);

/* supervise_status is the exit status for a wait(2) status. */
int supervise_status(int wstatus);

/* supervise_forwards tells whether sig is one the supervisor forwards
 * (before ignored signals are taken out). */
bool supervise_forwards(int sig);

#endif
