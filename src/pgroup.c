/*
 * pgroup.c - lend the terminal to a helper's process group, take it back,
 * and end the group when envssm itself is ended by a signal.
 */
#include "pgroup.h"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

/* the group to end with envssm; 0 when none is running */
static volatile sig_atomic_t current;

void pgroup_start(struct pgroup *g, pid_t pid)
{
	g->pgid = pid;
	g->tty = -1;
	current = (sig_atomic_t)pid;
	for (int fd = STDIN_FILENO; fd <= STDERR_FILENO; fd++) {
		/* tcgetpgrp fails unless fd is envssm's controlling terminal */
		if (tcgetpgrp(fd) != getpgrp())
			continue;
		if (tcsetpgrp(fd, pid) == 0) {
			g->tty = fd;
			/* a read before the terminal was lent stopped it: go on */
			kill(-pid, SIGCONT);
		}
		return;
	}
}

void pgroup_finish(struct pgroup *g)
{
	sigset_t ttou, old;

	current = 0;
	if (g->tty < 0)
		return;
	/* envssm is in the background now: without SIGTTOU blocked, taking
	 * the terminal back would stop it */
	sigemptyset(&ttou);
	sigaddset(&ttou, SIGTTOU);
	pthread_sigmask(SIG_BLOCK, &ttou, &old);
	tcsetpgrp(g->tty, getpgrp());
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	g->tty = -1;
}

void pgroup_kill_current(void)
{
	pid_t pgid = (pid_t)current;

	if (pgid > 0)
		kill(-pgid, SIGKILL);
}
