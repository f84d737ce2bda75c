/*
 * creds_sys.c - the real world behind struct creds_sys: libcurl clients,
 * bounded file reads, credential_process children, the clock.
 */
#define _GNU_SOURCE /* pipe2 */
#include "creds_kit.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "envp.h"
#include "file.h"
#include "pgroup.h"

#define CHILD_POLL_MS 20

static int real_http_new(void *arg, const struct http_options *opts, struct http_client *out,
                         struct err *e)
{
	(void)arg;
	if (http_curl_global_init(e) < 0)
		return -1;
	return http_curl_new(out, opts, e);
}

static int real_read_file(void *arg, const char *path, size_t max_bytes, struct buf *out,
                          struct err *e)
{
	(void)arg;
	return file_read(path, max_bytes, out, e);
}

static int64_t real_mono_ms(void *arg)
{
	struct timespec ts;

	(void)arg;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void real_sleep_ms(void *arg, long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	(void)arg;
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* executable tells whether path is a regular file we may execute; 0 or
 * an errno. */
static int executable(const char *path)
{
	struct stat st;

	if (access(path, X_OK) < 0)
		return errno;
	if (stat(path, &st) < 0)
		return errno;
	return S_ISREG(st.st_mode) ? 0 : EACCES;
}

/* find_program looks name up like execvp, in the PATH of the child's
 * environment (the one envssm inherited), so that a missing program is
 * told apart from one that exits 127. 0 with out set, or an errno. */
static int find_program(const char *name, char *const *envp, char out[PATH_MAX])
{
	const char *path = env_get(envp, "PATH"), *p;
	char defpath[PATH_MAX];
	int err = ENOENT;

	if (name[0] == '\0')
		return ENOENT;
	if (strchr(name, '/') != NULL) {
		snprintf(out, PATH_MAX, "%s", name);
		return executable(name);
	}
	if (path == NULL) {
		size_t n = confstr(_CS_PATH, defpath, sizeof(defpath));

		path = n > 0 && n <= sizeof(defpath) ? defpath : "/usr/bin:/bin";
	}
	for (p = path;; p += strcspn(p, ":") + 1) {
		size_t dlen = strcspn(p, ":");
		int rc;

		if ((size_t)snprintf(out, PATH_MAX, "%.*s/%s", (int)(dlen ? dlen : 1),
		                     dlen ? p : ".", name) < PATH_MAX) {
			rc = executable(out);
			if (rc == 0)
				return 0;
			if (rc != ENOENT && rc != ENOTDIR)
				err = rc;
		}
		if (p[dlen] == '\0')
			return err;
	}
}

/* spawn starts r's process with stdout on a new pipe; its stdin and
 * stderr are envssm's own. SIGPIPE and the signals envssm catches start
 * at their defaults, as Python's subprocess leaves them. */
static int spawn(const struct creds_run *r, pid_t *pid, int *out_fd, int *spawn_errno,
                 struct err *e)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t defaults;
	char prog[PATH_MAX];
	int p[2], rc;

	if ((rc = find_program(r->argv[0], r->envp, prog)) != 0) {
		*spawn_errno = rc;
		return 1;
	}
	if (pipe2(p, O_CLOEXEC) < 0)
		return err_set(e, ERR_CREDS, "unable to create a pipe: %s", strerror(errno));
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);
	sigemptyset(&defaults);
	sigaddset(&defaults, SIGPIPE);
	sigaddset(&defaults, SIGTERM);
	sigaddset(&defaults, SIGINT);
	sigaddset(&defaults, SIGHUP);
	posix_spawnattr_setsigdefault(&attr, &defaults);
	/* a group of its own, so that its children can be killed with it */
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
	posix_spawn_file_actions_adddup2(&fa, p[1], STDOUT_FILENO);
	rc = posix_spawn(pid, prog, &fa, &attr, r->argv, r->envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	close(p[1]);
	if (rc != 0) {
		close(p[0]);
		*spawn_errno = rc;
		return 1;
	}
	*out_fd = p[0];
	return 0;
}

/* collect reads the child's stdout until EOF, the size limit or the
 * deadline; returns the failure seen (CREDS_RUN_OK at EOF). */
static enum creds_run_failure collect(int fd, const struct creds_run *r, int64_t deadline,
                                      struct buf *out, struct err *e)
{
	char chunk[4096];
	enum creds_run_failure f = CREDS_RUN_OK;

	for (;;) {
		struct pollfd pfd = {fd, POLLIN, 0};
		int64_t left = deadline - real_mono_ms(NULL);
		ssize_t n;
		int pr;

		if (left <= 0) {
			f = CREDS_RUN_TIMEOUT;
			break;
		}
		pr = poll(&pfd, 1, left > 1000 ? 1000 : (int)left);
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr <= 0)
			continue;
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (out->len + (size_t)n > r->max_out_bytes) {
			f = CREDS_RUN_TOO_LARGE;
			break;
		}
		if (buf_append(out, chunk, (size_t)n, e) < 0) {
			f = CREDS_RUN_TOO_LARGE;
			break;
		}
	}
	mem_wipe(chunk, sizeof(chunk));
	return f;
}

/* reap waits for the child until the deadline, then kills its group. */
static enum creds_run_failure reap(pid_t pid, int64_t deadline, enum creds_run_failure f,
                                   int *status)
{
	int ws = 0;

	if (f != CREDS_RUN_OK)
		kill(-pid, SIGKILL);
	for (;;) {
		pid_t w = waitpid(pid, &ws, f != CREDS_RUN_OK ? 0 : WNOHANG);

		if (w < 0 && errno == EINTR)
			continue;
		if (w == pid || w < 0)
			break;
		if (real_mono_ms(NULL) >= deadline) {
			f = CREDS_RUN_TIMEOUT;
			kill(-pid, SIGKILL);
			continue;
		}
		real_sleep_ms(NULL, CHILD_POLL_MS);
	}
	if (f != CREDS_RUN_OK)
		return f;
	if (WIFSIGNALED(ws)) {
		*status = WTERMSIG(ws);
		return CREDS_RUN_SIGNALLED;
	}
	*status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 0;
	return *status != 0 ? CREDS_RUN_EXIT : CREDS_RUN_OK;
}

static int real_run(void *arg, const struct creds_run *r, struct buf *out,
                    enum creds_run_failure *fail, int *status, struct err *e)
{
	int64_t deadline = real_mono_ms(NULL) + r->timeout_ms;
	int fd = -1, spawn_errno = 0, rc;
	struct pgroup g;
	pid_t pid = -1;

	(void)arg;
	*status = 0;
	*fail = CREDS_RUN_OK;
	buf_truncate(out, 0);
	rc = spawn(r, &pid, &fd, &spawn_errno, e);
	if (rc < 0)
		return -1;
	if (rc > 0) {
		*fail = CREDS_RUN_NOT_FOUND;
		*status = spawn_errno;
		return 0;
	}
	pgroup_start(&g, pid);
	*fail = collect(fd, r, deadline, out, e);
	close(fd);
	*fail = reap(pid, deadline, *fail, status);
	pgroup_finish(&g);
	return 0;
}

const struct creds_sys creds_sys_real = {
        real_http_new, real_read_file, real_run, real_sleep_ms, real_mono_ms, NULL,
};
