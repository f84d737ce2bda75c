/*
 * exec.c - restore the inherited process state and execve the program.
 */
#include "exec.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "envp.h"
#include "pgroup.h"

/* The dispositions envssm changes: exec_guard_signals' four and SIGPIPE
 * in every mode; the supervisor (supervise.c) changes every catchable
 * one. libcurl runs with CURLOPT_NOSIGNAL and OpenSSL installs no handler. */
static const int guarded[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGPIPE};

static void snapshot_fds(struct exec_state *st)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *ent;
	int self;

	if (d == NULL)
		return;
	self = dirfd(d);
	while ((ent = readdir(d)) != NULL) {
		char *end;
		long fd = strtol(ent->d_name, &end, 10);

		if (*end != '\0' || end == ent->d_name || fd == self || fd < 0 || fd >= EXEC_MAX_FD)
			continue;
		st->fds[fd / 8] |= (unsigned char)(1u << (fd % 8));
	}
	closedir(d);
	st->fds_known = true;
}

void exec_snapshot(struct exec_state *st)
{
	memset(st, 0, sizeof(*st));
	sigprocmask(SIG_SETMASK, NULL, &st->mask);
	for (int sig = 1; sig < EXEC_MAX_SIG; sig++)
		st->saved[sig] = sigaction(sig, NULL, &st->actions[sig]) == 0;
	snapshot_fds(st);
}

/* What the fatal-signal handler undoes before it ends envssm: the files
 * placed for a program that has not started yet. Only in the process that
 * set it, never in a child forked after. */
static void (*volatile fatal_cleanup)(void *);
static void *volatile fatal_cleanup_arg;
static volatile pid_t fatal_cleanup_pid;

static void on_fatal_signal(int sig);

static bool cleanup_is_ours(void)
{
	return fatal_cleanup != NULL && fatal_cleanup_pid == getpid();
}

/* kept_until_exec tells whether sig's guard may stay on up to execve: with a
 * cleanup set, for a signal whose disposition was the default, which execve
 * gives back to a caught signal by itself. */
static bool kept_until_exec(const struct exec_state *st, int sig)
{
	struct sigaction now;

	return sig != SIGPIPE && (st->actions[sig].sa_flags & SA_SIGINFO) == 0 &&
	       st->actions[sig].sa_handler == SIG_DFL && sigaction(sig, NULL, &now) == 0 &&
	       (now.sa_flags & SA_SIGINFO) == 0 && now.sa_handler == on_fatal_signal;
}

static void restore(const struct exec_state *st, bool keep_guard)
{
	for (size_t i = 0; i < sizeof(guarded) / sizeof(guarded[0]); i++) {
		int sig = guarded[i];

		if (st->saved[sig] && !(keep_guard && kept_until_exec(st, sig)))
			sigaction(sig, &st->actions[sig], NULL);
	}
	sigprocmask(SIG_SETMASK, &st->mask, NULL);
}

void exec_restore(const struct exec_state *st)
{
	restore(st, false);
}

void exec_on_fatal(void (*cleanup)(void *), void *arg)
{
	sigset_t held, old;

	sigemptyset(&held);
	sigaddset(&held, SIGTERM);
	sigaddset(&held, SIGINT);
	sigaddset(&held, SIGHUP);
	sigaddset(&held, SIGQUIT);
	pthread_sigmask(SIG_BLOCK, &held, &old);
	fatal_cleanup = NULL;
	fatal_cleanup_arg = arg;
	fatal_cleanup_pid = getpid();
	fatal_cleanup = cleanup;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

bool exec_inherited_fd(const struct exec_state *st, int fd)
{
	if (fd <= 2 || !st->fds_known || fd >= EXEC_MAX_FD)
		return true;
	return (st->fds[fd / 8] >> (fd % 8)) & 1u;
}

static void on_fatal_signal(int sig)
{
	static const char term[] = "envssm: interrupted by SIGTERM before the program started\n";
	static const char intr[] = "envssm: interrupted by SIGINT before the program started\n";
	static const char hup[] = "envssm: interrupted by SIGHUP before the program started\n";
	static const char quit[] = "envssm: interrupted by SIGQUIT before the program started\n";
	const char *msg = sig == SIGTERM ? term : sig == SIGINT ? intr : sig == SIGHUP ? hup : quit;
	size_t n = 0;
	ssize_t w;

	/* async-signal-safe: unlinks, one write, then _exit; no secret is on
	 * the way, and no credential_process outlives envssm */
	if (cleanup_is_ours())
		fatal_cleanup(fatal_cleanup_arg);
	pgroup_kill_current();
	while (msg[n] != '\0')
		n++;
	w = write(STDERR_FILENO, msg, n);
	(void)w;
	_exit(128 + sig);
}

void exec_guard_signals(const struct exec_state *st)
{
	static const int sigs[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT};
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_fatal_signal;
	sigfillset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		int sig = sigs[i];

		if (st->saved[sig] && st->actions[sig].sa_handler == SIG_IGN)
			continue;
		sigaction(sig, &sa, NULL);
	}
	/* a peer closing a socket must be an error, not a silent death */
	signal(SIGPIPE, SIG_IGN);
}

/* try_exec runs execve(path) and, like execvp, hands a file without a
 * recognised format (ENOEXEC) to /bin/sh. */
static char sh_name[] = "sh";

static void try_exec(const char *path, char *const argv[], char *const envp[])
{
	size_t argc = 0;
	char **shargv;

	execve(path, argv, envp);
	if (errno != ENOEXEC)
		return;
	while (argv[argc] != NULL)
		argc++;
	shargv = calloc(argc + 2, sizeof(*shargv));
	if (shargv == NULL) {
		errno = ENOMEM;
		return;
	}
	shargv[0] = sh_name;
	shargv[1] = (char *)path;
	for (size_t i = 1; i <= argc; i++)
		shargv[i + 1] = argv[i];
	execve("/bin/sh", shargv, envp);
	free(shargv);
	errno = ENOEXEC;
}

/* exec_search tries each directory of search_path in turn; returns the
 * errno to report (ENOENT when nothing was found). */
static int exec_search(const char *search_path, char *const argv[], char *const envp[])
{
	const char *file = argv[0];
	size_t flen = strlen(file);
	int found_err = ENOENT;
	const char *p = search_path;

	for (;;) {
		size_t dlen = strcspn(p, ":");
		char full[PATH_MAX];

		if (dlen + 1 + flen < sizeof(full)) {
			/* an empty entry means the current directory */
			memcpy(full, dlen ? p : ".", dlen ? dlen : 1);
			full[dlen ? dlen : 1] = '/';
			memcpy(full + (dlen ? dlen : 1) + 1, file, flen + 1);
			try_exec(full, argv, envp);
			if (errno != ENOENT && errno != ENOTDIR)
				found_err = errno;
		}
		if (p[dlen] == '\0')
			break;
		p += dlen + 1;
	}
	return found_err;
}

int exec_program(const struct exec_state *st, char *const argv[], char *const envp[],
                 int *errno_out)
{
	const char *search = env_get(envp, "PATH");
	char defpath[PATH_MAX];
	int err;

	restore(st, cleanup_is_ours());
	if (argv[0][0] == '\0') {
		err = ENOENT;
	} else if (strchr(argv[0], '/') != NULL) {
		try_exec(argv[0], argv, envp);
		err = errno;
	} else {
		if (search == NULL) {
			size_t n = confstr(_CS_PATH, defpath, sizeof(defpath));

			search = (n > 0 && n <= sizeof(defpath)) ? defpath : "/usr/bin:/bin";
		}
		err = exec_search(search, argv, envp);
	}
	*errno_out = err;
	return (err == ENOENT || err == ENOTDIR) ? 127 : 126;
}
