/*
 * exec.h - keep the process state envssm started with, then become the
 * program with it.
 */
#ifndef ENVSSM_EXEC_H
#define ENVSSM_EXEC_H

#include <signal.h>
#include <stdbool.h>

/* The signal mask and the dispositions envssm may change, as it found
 * them. */
struct exec_state {
	sigset_t mask;
	struct sigaction actions[65];
	bool saved[65];
};

/* exec_snapshot records the signal mask and the dispositions of the
 * signals envssm handles (SIGTERM, SIGINT, SIGHUP, SIGPIPE). Call it first
 * thing in main, before anything (libcurl, OpenSSL) may change them. */
void exec_snapshot(struct exec_state *st);

/* exec_restore puts back exactly what exec_snapshot recorded. */
void exec_restore(const struct exec_state *st);

/* exec_guard_signals makes SIGTERM, SIGINT and SIGHUP end envssm at once
 * with status 128+n (and a one-line message) while it fetches, so the
 * program never starts with a partial environment. Signals that were
 * ignored when envssm started stay ignored. exec_restore undoes it. */
void exec_guard_signals(const struct exec_state *st);

/* exec_program looks `argv[0]` up in PATH from envp like env(1) (a name with
 * a '/' is used as is), restores the snapshot and execve's it. It returns
 * only on failure, with 127 (not found) or 126 (found but not executable)
 * and errno_out set; the caller reports and exits. */
int exec_program(const struct exec_state *st, char *const argv[], char *const envp[],
                 int *errno_out);

#endif
