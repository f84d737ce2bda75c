/*
 * file.c - open regular files without waiting, read them bounded.
 */
#include "file.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FILE_READ_CHUNK (16 * 1024)

int file_open(const char *path, int flags, struct err *e)
{
	const bool reading = (flags & O_ACCMODE) == O_RDONLY;
	const char *verb = reading ? "read" : "write to";
	/* a write never follows a symlink (reads do: mounted secrets are links) */
	const int how =
	        (flags & ~O_CREAT) | O_NONBLOCK | O_NOCTTY | O_CLOEXEC | (reading ? 0 : O_NOFOLLOW);
	const char *why = NULL;
	struct stat st;
	int fd = open(path, how);

	if (fd < 0 && errno == ENOENT && !(flags & O_CREAT))
		return FILE_MISSING;
	if (fd < 0 && errno == ENOENT)
		fd = open(path, how | O_CREAT | O_EXCL, 0600);
	if (fd < 0 && (errno == ELOOP || errno == EEXIST) && lstat(path, &st) == 0 &&
	    S_ISLNK(st.st_mode))
		return err_set(e, ERR_CONFIG, "unable to %s '%s': a symbolic link", verb, path);
	if (fd < 0 && errno == ENXIO) /* a FIFO with no reader, a socket */
		return err_set(e, ERR_CONFIG, "unable to %s '%s': not a regular file", verb, path);
	if (fd < 0)
		return err_set(e, ERR_CONFIG, "unable to open '%s': %s", path, strerror(errno));
	if (fstat(fd, &st) < 0)
		why = strerror(errno);
	else if (S_ISDIR(st.st_mode))
		why = strerror(EISDIR);
	else if (!S_ISREG(st.st_mode))
		why = "not a regular file";
	else if (fcntl(fd, F_SETFL, how & O_APPEND) < 0) /* O_NONBLOCK off */
		why = strerror(errno);
	if (why == NULL)
		return fd;
	close(fd);
	return err_set(e, ERR_CONFIG, "unable to %s '%s': %s", verb, path, why);
}

static int read_all(int fd, const char *path, size_t max_bytes, struct buf *out, struct err *e)
{
	for (;;) {
		ssize_t n;

		if (buf_reserve(out, FILE_READ_CHUNK, e) < 0)
			return -1;
		n = read(fd, out->data + out->len, out->cap - out->len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return err_set(e, ERR_CONFIG, "unable to read '%s': %s", path,
			               strerror(errno));
		if (n == 0)
			return 0;
		out->len += (size_t)n;
		out->data[out->len] = '\0';
		if (out->len > max_bytes)
			return err_set(e, ERR_LIMIT,
			               "unable to read '%s': file too large (over %zu bytes)", path,
			               max_bytes);
	}
}

int file_read(const char *path, size_t max_bytes, struct buf *out, struct err *e)
{
	int fd, rc;

	buf_truncate(out, 0);
	fd = file_open(path, O_RDONLY, e);
	if (fd == FILE_MISSING)
		return 0;
	if (fd < 0) {
		buf_release(out);
		return -1;
	}
	rc = read_all(fd, path, max_bytes, out, e);
	close(fd);
	if (rc < 0) {
		buf_release(out);
		return -1;
	}
	return 1;
}

/* The signals that end envssm (file.h). */
static const int stop_signals[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT};

void file_hold_stop_signals(sigset_t *old)
{
	sigset_t held;

	sigemptyset(&held);
	for (size_t i = 0; i < sizeof(stop_signals) / sizeof(stop_signals[0]); i++)
		sigaddset(&held, stop_signals[i]);
	pthread_sigmask(SIG_BLOCK, &held, old);
}

/* file_stop_signal_waits tells whether a stop signal arrived while held that
 * will end envssm as soon as the mask old is back. */
bool file_stop_signal_waits(const sigset_t *old)
{
	sigset_t pending;

	if (sigpending(&pending) < 0)
		return false;
	for (size_t i = 0; i < sizeof(stop_signals) / sizeof(stop_signals[0]); i++) {
		if (sigismember(&pending, stop_signals[i]) == 1 &&
		    sigismember(old, stop_signals[i]) == 0)
			return true;
	}
	return false;
}
