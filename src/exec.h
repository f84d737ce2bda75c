/*
 * exec.h - keep the process state envssm started with, then become the
 * program with it.
 */
#ifndef ENVSSM_EXEC_H
#define ENVSSM_EXEC_H

#include <signal.h>
#include <stdbool.h>

#define EXEC_MAX_SIG 65
#define EXEC_MAX_FD  1024

/* The signal mask, the dispositions and the descriptors envssm started
 * with. */
struct exec_state {
	sigset_t mask;
	struct sigaction actions[EXEC_MAX_SIG];
	bool saved[EXEC_MAX_SIG];
	unsigned char fds[EXEC_MAX_FD / 8]; /* bit set: inherited, open at start */
	bool fds_known;                     /* false: /proc was not readable */
};

/* exec_snapshot records the signal mask, every disposition and the open
 * descriptors. Call it first thing in main, before anything (libcurl,
 * OpenSSL) may change them. */
void exec_snapshot(struct exec_state *st);

/* exec_restore puts back exactly the mask and dispositions exec_snapshot
 * recorded. */
void exec_restore(const struct exec_state *st);

/* exec_inherited_fd tells whether fd was open when envssm started (true
 * for every fd when that is unknown, and for 0, 1 and 2). */
bool exec_inherited_fd(const struct exec_state *st, int fd);

/* exec_guard_signals makes SIGTERM, SIGINT, SIGHUP and SIGQUIT end envssm at once
 * with status 128+n (and a one-line message) while it fetches, so the
 * program never starts with a partial environment. Signals that were
 * ignored when envssm started stay ignored. exec_restore undoes it. */
void exec_guard_signals(const struct exec_state *st);

/* exec_on_fatal sets what the guard of exec_guard_signals undoes before it
 * ends envssm (NULL: nothing): cleanup(arg), which must be
 * async-signal-safe, in this process only. While one is set, exec_program
 * keeps the guard of a signal that was at its default up to execve itself,
 * which gives the program the default back. */
void exec_on_fatal(void (*cleanup)(void *), void *arg);

/* exec_program looks `argv[0]` up in PATH from envp like env(1) (a name with
 * a '/' is used as is), restores the snapshot and execve's it. It returns
 * only on failure, with 127 (not found) or 126 (found but not executable)
 * and errno_out set; the caller reports and exits. */
int exec_program(const struct exec_state *st, char *const argv[], char *const envp[],
                 int *errno_out);

#endif
