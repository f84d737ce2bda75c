/*
 * file.c - bounded reads of regular files.
 */
#include "file.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FILE_READ_CHUNK (16 * 1024)

/* open_regular opens path for reading: fd, -2 when it does not exist, or
 * -1 with e. */
static int open_regular(const char *path, struct err *e)
{
	const char *why = NULL;
	struct stat st;
	int fd, flags;

	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return -2;
	if (fd < 0)
		return err_set(e, ERR_CONFIG, "unable to open '%s': %s", path, strerror(errno));
	if (fstat(fd, &st) < 0)
		why = strerror(errno);
	else if (S_ISDIR(st.st_mode))
		why = strerror(EISDIR);
	else if (!S_ISREG(st.st_mode))
		why = "not a regular file";
	else if ((flags = fcntl(fd, F_GETFL)) < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0)
		why = strerror(errno);
	if (why == NULL)
		return fd;
	close(fd);
	return err_set(e, ERR_CONFIG, "unable to read '%s': %s", path, why);
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
	fd = open_regular(path, e);
	if (fd == -2)
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
