/*
 * secretfiles.c - a private directory of secret files, written whole.
 */
#include "secretfiles.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "buf.h"
#include "file.h"

/* a temporary name: ".envssm-PID-INDEX", never a variable name (those
 * cannot start with a dot) and short whatever the file's own name */
#define TEMP_NAME_MAX 48

/* fs_name names the common file systems in a refusal. */
static const char *fs_name(long type, char *tmp, size_t n)
{
	switch ((unsigned long)type) {
	case EXT4_SUPER_MAGIC:
		return "ext4";
	case XFS_SUPER_MAGIC:
		return "xfs";
	case BTRFS_SUPER_MAGIC:
		return "btrfs";
	case OVERLAYFS_SUPER_MAGIC:
		return "overlay";
	case NFS_SUPER_MAGIC:
		return "nfs";
	default:
		snprintf(tmp, n, "file system 0x%lx", (unsigned long)type);
		return tmp;
	}
}

static bool on_memory(int fd, long *type)
{
	struct statfs fs;

	if (fstatfs(fd, &fs) < 0)
		return false;
	*type = (long)fs.f_type;
	return (unsigned long)fs.f_type == TMPFS_MAGIC || (unsigned long)fs.f_type == RAMFS_MAGIC;
}

static int refuse_disk(const struct secret_dir *d, long type, struct err *e)
{
	char tmp[40];

	return err_set(e, ERR_CONFIG,
	               "secret files directory '%s' is on %s, not tmpfs or ramfs: use a memory "
	               "file system (such as /dev/shm or /run) or pass --secret-files-on-disk",
	               d->path, fs_name(type, tmp, sizeof(tmp)));
}

int secret_dir_abspath(const char *path, struct buf *out, struct err *e)
{
	const char *slash;

	buf_truncate(out, 0);
	if (path[0] != '/') {
		char cwd[4096];

		if (getcwd(cwd, sizeof(cwd)) == NULL)
			return err_set(e, ERR_CONFIG,
			               "unable to use secret files directory '%s': %s", path,
			               strerror(errno));
		if (buf_printf(out, e, "%s/", cwd) < 0)
			return -1;
	}
	if (buf_puts(out, path, e) < 0)
		return -1;
	while (out->len > 1 && out->data[out->len - 1] == '/')
		buf_truncate(out, out->len - 1);
	slash = strrchr(out->data, '/');
	if (slash == NULL || slash[1] == '\0' || strcmp(slash + 1, ".") == 0 ||
	    strcmp(slash + 1, "..") == 0)
		return err_set(
		        e, ERR_USAGE,
		        "invalid --secret-files '%.64s': name a directory, such as /dev/shm/app",
		        path);
	return 0;
}

/* split sets d->path and d->base, and parent to what comes before base. */
static int split(struct secret_dir *d, const char *path, struct buf *parent, struct err *e)
{
	struct buf abs = BUF_INIT;
	const char *slash;
	int rc = -1;

	if (secret_dir_abspath(path, &abs, e) < 0)
		goto done;
	slash = strrchr(abs.data, '/');
	if (buf_set(parent, abs.data, slash == abs.data ? 1 : (size_t)(slash - abs.data), e) < 0)
		goto done;
	d->base = strdup(slash + 1);
	d->path = buf_detach(&abs, e);
	if (d->base == NULL || d->path == NULL) {
		err_nomem(e);
		goto done;
	}
	rc = 0;
done:
	buf_release(&abs);
	return rc;
}

/* check_dir applies the ownership and mode rules to the open DIR. */
static int check_dir(struct secret_dir *d, struct err *e)
{
	struct stat st;

	if (fstat(d->fd, &st) < 0)
		return err_set(e, ERR_CONFIG, "unable to use secret files directory '%s': %s",
		               d->path, strerror(errno));
	if (st.st_uid != geteuid())
		return err_set(e, ERR_CONFIG,
		               "secret files directory '%s' belongs to uid %u, not to uid %u that "
		               "envssm runs as: name a directory of your own",
		               d->path, (unsigned)st.st_uid, (unsigned)geteuid());
	if (st.st_mode & (S_IWGRP | S_IWOTH))
		return err_set(e, ERR_CONFIG,
		               "secret files directory '%s' is writable by others (mode %04o): use "
		               "a directory only you can write to, or one envssm creates",
		               d->path, (unsigned)(st.st_mode & 07777));
	/* one's own directory, narrowed to 0700 */
	if ((st.st_mode & 07777) != 0700 && fchmod(d->fd, 0700) < 0)
		return err_set(e, ERR_CONFIG, "unable to make secret files directory '%s' 0700: %s",
		               d->path, strerror(errno));
	return 0;
}

/* open_existing opens DIR when it is there; 0 when it is not. */
static int open_existing(struct secret_dir *d, struct err *e)
{
	struct stat st;

	d->fd = openat(d->parent_fd, d->base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (d->fd >= 0)
		return 1;
	if (errno == ENOENT)
		return 0;
	if ((errno == ELOOP || errno == ENOTDIR) &&
	    fstatat(d->parent_fd, d->base, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return err_set(e, ERR_CONFIG, "secret files directory '%s' is %s", d->path,
		               S_ISLNK(st.st_mode) ? "a symbolic link: name the directory itself"
		                                   : "not a directory");
	return err_set(e, ERR_CONFIG, "unable to open secret files directory '%s': %s", d->path,
	               strerror(errno));
}

int secret_dir_open(struct secret_dir *d, const char *path, bool allow_disk, struct err *e)
{
	struct buf parent = BUF_INIT;
	long type = 0;
	int rc;

	memset(d, 0, sizeof(*d));
	d->fd = d->parent_fd = -1;
	if (split(d, path, &parent, e) < 0)
		goto fail;
	d->parent_fd = open(parent.data, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (d->parent_fd < 0) {
		err_set(e, ERR_CONFIG, "unable to use secret files directory '%s': '%s': %s",
		        d->path, parent.data, strerror(errno));
		goto fail;
	}
	if ((rc = open_existing(d, e)) < 0)
		goto fail;
	if (rc == 0) {
		/* refused before anything is made: nothing to leave behind */
		if (!on_memory(d->parent_fd, &type) && !allow_disk) {
			refuse_disk(d, type, e);
			goto fail;
		}
		if (mkdirat(d->parent_fd, d->base, 0700) < 0) {
			err_set(e, ERR_CONFIG, "unable to create secret files directory '%s': %s",
			        d->path, strerror(errno));
			goto fail;
		}
		d->created = true;
		if ((rc = open_existing(d, e)) <= 0) {
			if (rc == 0)
				err_set(e, ERR_CONFIG, "secret files directory '%s' went away",
				        d->path);
			goto fail;
		}
	}
	if (check_dir(d, e) < 0)
		goto fail;
	d->memory = on_memory(d->fd, &type);
	if (!d->memory && !allow_disk) {
		refuse_disk(d, type, e);
		goto fail;
	}
	buf_release(&parent);
	return 0;
fail:
	buf_release(&parent);
	secret_dir_remove(d);
	secret_dir_close(d);
	return -1;
}

bool secret_file_name_ok(const char *name)
{
	size_t n = strlen(name);

	return n > 0 && n <= NAME_MAX && name[0] != '.' && strchr(name, '/') == NULL;
}

static int temp_name(size_t index, char *out, size_t n)
{
	int w = snprintf(out, n, ".envssm-%ld-%zu", (long)getpid(), index);

	return w > 0 && (size_t)w < n ? 0 : -1;
}

static int write_whole(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* write_temp writes one file under its temporary name; errno on failure. */
static int write_temp(const struct secret_dir *d, const struct secret_file *f, const char *tmp)
{
	int fd, saved = 0;

	fd = openat(d->fd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0400);
	if (fd < 0 && errno == EEXIST) { /* left by a run that was killed */
		unlinkat(d->fd, tmp, 0);
		fd = openat(d->fd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0400);
	}
	if (fd < 0)
		return errno;
	/* the umask may have narrowed 0400 to less; make it exact */
	if (fchmod(fd, 0400) < 0 || write_whole(fd, f->value, f->len) < 0 ||
	    (!d->memory && fsync(fd) < 0))
		saved = errno;
	if (close(fd) < 0 && saved == 0)
		saved = errno;
	if (saved != 0)
		unlinkat(d->fd, tmp, 0);
	return saved;
}

/* in_set tells whether name is among files[0..n). */
static bool in_set(const char *name, const struct secret_file *files, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(files[i].name, name) == 0)
			return true;
	}
	return false;
}

/* check_names refuses a set envssm could not place whole. */
static int check_names(const struct secret_dir *d, const struct secret_file *files, size_t n,
                       struct err *e)
{
	for (size_t i = 0; i < n; i++) {
		struct stat st;

		if (!secret_file_name_ok(files[i].name))
			return err_set(e, ERR_CONFIG, "'%.64s' cannot be a file name in '%s'",
			               files[i].name, d->path);
		if (fstatat(d->fd, files[i].name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISDIR(st.st_mode))
			return err_set(e, ERR_CONFIG, "unable to write secret file '%s/%s': %s",
			               d->path, files[i].name, strerror(EISDIR));
	}
	return 0;
}

/* remember replaces d->names with the names of files[0..n). */
static int remember(struct secret_dir *d, const struct secret_file *files, size_t n, struct err *e)
{
	char **names = calloc(n + 1, sizeof(*names));

	if (names == NULL)
		return err_nomem(e);
	for (size_t i = 0; i < n; i++) {
		if ((names[i] = strdup(files[i].name)) == NULL) {
			for (size_t j = 0; j < i; j++)
				free(names[j]);
			free(names);
			return err_nomem(e);
		}
	}
	for (size_t i = 0; i < d->len; i++)
		free(d->names[i]);
	free(d->names);
	d->names = names;
	d->len = n;
	return 0;
}

/* unlink_temps removes the temporary files of the set's entries [from..to). */
static void unlink_temps(const struct secret_dir *d, size_t from, size_t to)
{
	char tmp[TEMP_NAME_MAX];

	for (size_t i = from; i < to; i++) {
		if (temp_name(i, tmp, sizeof(tmp)) == 0)
			unlinkat(d->fd, tmp, 0);
	}
}

int secret_dir_place(struct secret_dir *d, const struct secret_file *files, size_t n, struct err *e)
{
	char tmp[TEMP_NAME_MAX];
	size_t i = 0;
	int saved = 0, rc = -1;
	sigset_t old;

	if (check_names(d, files, n, e) < 0)
		return -1;
	file_hold_stop_signals(&old);
	/* every file under its temporary name first: a failure here leaves
	 * the previous set exactly as it was */
	for (; i < n; i++) {
		saved = temp_name(i, tmp, sizeof(tmp)) < 0 ? ENAMETOOLONG
		                                           : write_temp(d, &files[i], tmp);
		if (saved != 0)
			break;
	}
	if (saved == 0 && n > 0 && file_stop_signal_waits(&old))
		saved = EINTR, i = 0;
	if (saved != 0) {
		unlink_temps(d, 0, i);
		goto fail;
	}
	for (i = 0; i < n; i++) {
		temp_name(i, tmp, sizeof(tmp));
		if (renameat(d->fd, tmp, d->fd, files[i].name) < 0) {
			saved = errno;
			unlink_temps(d, i, n);
			/* the first set of a run is never left half there */
			for (size_t j = 0; d->len == 0 && j < i; j++)
				unlinkat(d->fd, files[j].name, 0);
			goto fail;
		}
	}
	for (size_t k = 0; k < d->len; k++) {
		if (!in_set(d->names[k], files, n))
			unlinkat(d->fd, d->names[k], 0);
	}
	if (!d->memory)
		fsync(d->fd);
	rc = remember(d, files, n, e);
	goto done;
fail:
	err_set(e, ERR_CONFIG, "unable to write secret file '%s/%s': %s", d->path,
	        files[i < n ? i : 0].name, strerror(saved));
done:
	pthread_sigmask(SIG_SETMASK, &old, NULL); /* a waiting stop signal ends envssm here */
	return rc;
}

void secret_dir_remove(struct secret_dir *d)
{
	for (size_t i = 0; d->fd >= 0 && i < d->len; i++)
		unlinkat(d->fd, d->names[i], 0);
	if (d->created && d->parent_fd >= 0)
		unlinkat(d->parent_fd, d->base, AT_REMOVEDIR);
	d->created = false;
}

void secret_dir_close(struct secret_dir *d)
{
	if (d->fd >= 0)
		close(d->fd);
	if (d->parent_fd >= 0)
		close(d->parent_fd);
	for (size_t i = 0; i < d->len; i++)
		free(d->names[i]);
	free(d->names);
	free(d->path);
	free(d->base);
	memset(d, 0, sizeof(*d));
	d->fd = d->parent_fd = -1;
}
