/*
 * pgroup.h - a helper program (credential_process) in a process group of
 * its own, so that envssm can end it whole, children included.
 *
 * A process outside the terminal's foreground group is stopped when it
 * reads the terminal or changes its modes, so a helper that prompts (an
 * MFA code) gets the terminal for as long as it runs, when envssm has it.
 * While a group is running, envssm's fatal-signal handler ends it too.
 */
#ifndef ENVSSM_PGROUP_H
#define ENVSSM_PGROUP_H

#include <sys/types.h>

struct pgroup {
	pid_t pgid; /* the helper's pid: it leads its own group */
	int tty;    /* the descriptor the terminal was lent on, or -1 */
};

/* pgroup_start takes over the group that pid (spawned with its own group)
 * leads: lends it the terminal when envssm's group holds the foreground
 * on stdin, stdout or stderr, and marks it for pgroup_kill_current. */
void pgroup_start(struct pgroup *g, pid_t pid);

/* pgroup_finish takes the terminal back, if it was lent, and unmarks the
 * group. Call once the helper has been reaped. */
void pgroup_finish(struct pgroup *g);

/* pgroup_kill_current sends SIGKILL to the group started last and not
 * yet finished, if any. Async-signal-safe: for envssm's fatal-signal
 * handler. */
void pgroup_kill_current(void);

#endif
