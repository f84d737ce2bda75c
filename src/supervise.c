/*
 * supervise.c - start the program as a child, forward signals, reap.
 */
#include "supervise.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"

/* Signals never forwarded: the uncatchable two, the child's own SIGCHLD,
 * the synchronous faults (raised by the faulting thread itself), and the
 * terminal stops envssm must obey for its own process group (as tini). */
bool supervise_forwards(int sig)
{
	switch (sig) {
	case SIGKILL:
	case SIGSTOP:
	case SIGCHLD:
	case SIGSEGV:
	case SIGBUS:
	case SIGFPE:
	case SIGILL:
	case SIGTRAP:
	case SIGSYS:
	case SIGABRT:
	case SIGTTIN:
	case SIGTTOU:
		return false;
	default:
		break;
	}
	/* glibc keeps 32 and 33 for its threads */
	return sig > 0 && sig < EXEC_MAX_SIG && (sig < 32 || (sig >= SIGRTMIN && sig <= SIGRTMAX));
}

int supervise_status(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return 125;
}

/* A handler, not SIG_DFL: a PID 1 only gets the signals it handles, and a
 * blocked signal whose default is to be ignored could be dropped. The
 * signals stay blocked and are taken by sigwaitinfo, so it never runs. */
static void on_signal(int sig)
{
	(void)sig;
}

void supervise_init(struct supervisor *s, const struct exec_state *st, bool to_group)
{
	struct sigaction sa;
	sigset_t all, mask;

	/* everything held while the dispositions change, so that no signal
	 * meets the empty handler before it is blocked for sigwaitinfo */
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &mask);
	memset(s, 0, sizeof(*s));
	s->st = st;
	s->to_group = to_group;
	s->pid1 = getpid() == 1;
	sigemptyset(&s->fwd);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigfillset(&sa.sa_mask);
	for (int sig = 1; sig < EXEC_MAX_SIG; sig++) {
		bool was_ignored = st->saved[sig] && st->actions[sig].sa_handler == SIG_IGN;

		if (sigaction(sig, NULL, &s->before[sig]) < 0)
			continue;
		if (st->saved[sig])
			s->before[sig] = st->actions[sig];
		if (!supervise_forwards(sig) || was_ignored)
			continue;
		/* a signal the runtime keeps for itself (a debugger's, say) cannot
		 * be caught, so it is not waited for either */
		if (sigaction(sig, &sa, NULL) == 0)
			sigaddset(&s->fwd, sig);
	}
	s->waited = s->fwd;
	sigaddset(&s->waited, SIGCHLD);
	/* SIGCHLD must not be ignored, or the kernel reaps for us */
	sa.sa_flags = SA_NOCLDSTOP;
	sigaction(SIGCHLD, &sa, NULL);
	for (int sig = 1; sig < EXEC_MAX_SIG; sig++) {
		if (sigismember(&s->waited, sig) == 1)
			sigaddset(&mask, sig);
	}
	sigprocmask(SIG_SETMASK, &mask, NULL);
	if (!s->pid1)
		prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
}

/* own_fds lists the descriptors envssm opened (not inherited) that are
 * still open, to close in the child; the list is made before fork so the
 * child only calls close(2). */
static size_t own_fds(const struct exec_state *st, int keep, int *out, size_t max)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *ent;
	size_t n = 0;

	if (d == NULL)
		return 0;
	while ((ent = readdir(d)) != NULL && n < max) {
		char *end;
		long fd = strtol(ent->d_name, &end, 10);

		if (*end != '\0' || end == ent->d_name || fd == dirfd(d) || fd == keep ||
		    fd > 0x7fffffff || exec_inherited_fd(st, (int)fd))
			continue;
		out[n++] = (int)fd;
	}
	closedir(d);
	return n;
}

static void child(struct supervisor *s, char *const argv[], char *const envp[], int report,
                  const int *fds, size_t nfds)
{
	int err = 0, status;

	sigset_t ttou;

	/* in a terminal's foreground, hand it to the child's group, so that
	 * ^C reaches the program once and not through envssm again */
	if (isatty(STDIN_FILENO) && tcgetpgrp(STDIN_FILENO) == getpgid(0)) {
		setpgid(0, 0);
		sigemptyset(&ttou);
		sigaddset(&ttou, SIGTTOU);
		sigprocmask(SIG_BLOCK, &ttou, NULL);
		tcsetpgrp(STDIN_FILENO, getpid());
	} else {
		setpgid(0, 0);
	}
	for (size_t i = 0; i < nfds; i++)
		close(fds[i]);
	for (int sig = 1; sig < EXEC_MAX_SIG; sig++) {
		if (sigismember(&s->waited, sig) == 1)
			sigaction(sig, &s->before[sig], NULL);
	}
	status = exec_program(s->st, argv, envp, &err);
	/* async-signal-safe from here: report errno to the parent, exit */
	if (write(report, &err, sizeof(err)) < 0)
		status = 126;
	_exit(status);
}

int supervise_start(struct supervisor *s, char *const argv[], char *const envp[], int *errno_out)
{
	int pipefd[2], fds[256], err = 0, wstatus;
	size_t nfds;
	ssize_t got;

	*errno_out = 0;
	/* one thread here: no other fork can race the flags */
	if (pipe(pipefd) < 0) {
		*errno_out = errno;
		return 126;
	}
	fcntl(pipefd[0], F_SETFD, FD_CLOEXEC);
	fcntl(pipefd[1], F_SETFD, FD_CLOEXEC);
	nfds = own_fds(s->st, pipefd[1], fds, sizeof(fds) / sizeof(fds[0]));
	s->child = fork();
	if (s->child < 0) {
		*errno_out = errno;
		close(pipefd[0]);
		close(pipefd[1]);
		return 126;
	}
	if (s->child == 0) {
		close(pipefd[0]);
		child(s, argv, envp, pipefd[1], fds, nfds);
	}
	/* the parent sets the group too, so a signal forwarded right away
	 * cannot miss it */
	setpgid(s->child, s->child);
	close(pipefd[1]);
	do
		got = read(pipefd[0], &err, sizeof(err));
	while (got < 0 && errno == EINTR);
	close(pipefd[0]);
	if (got == (ssize_t)sizeof(err)) {
		/* exec failed: the child exits with 126 or 127 */
		*errno_out = err;
		while (waitpid(s->child, &wstatus, 0) < 0 && errno == EINTR)
			;
		s->child = 0;
		return supervise_status(wstatus);
	}
	return 0;
}

/* reap collects every exited child; returns true when the program is
 * among them, with its status. */
static bool reap(struct supervisor *s, int *status)
{
	bool done = false;
	int wstatus;
	pid_t pid;

	while ((pid = waitpid(-1, &wstatus, WNOHANG)) > 0) {
		if (pid == s->child) {
			*status = supervise_status(wstatus);
			done = true;
		} else {
			log_debug("reaped orphan %d", (int)pid);
		}
	}
	return done;
}

void supervise_forward(const struct supervisor *s, int sig)
{
	if (sigismember(&s->fwd, sig) != 1)
		return; /* not one of ours: a runtime's own, as under valgrind */
	if (kill(s->to_group ? -s->child : s->child, sig) < 0 && errno != ESRCH)
		log_notice("unable to forward signal %d: %s", sig, strerror(errno));
}

int supervise_wait(struct supervisor *s)
{
	int status = 125;

	for (;;) {
		siginfo_t info;
		int sig = sigwaitinfo(&s->waited, &info);

		if (sig < 0)
			continue; /* EINTR: a stop and continue */
		if (sig == SIGCHLD) {
			if (reap(s, &status))
				return status;
			continue;
		}
		supervise_forward(s, sig);
	}
}
