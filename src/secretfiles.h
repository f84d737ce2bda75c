/*
 * secretfiles.h - hand secrets to the program as files (--secret-files DIR)
 * instead of variables.
 *
 * DIR is a private directory: 0700, owned by the user envssm runs as, not a
 * symbolic link, not writable by anyone else, and on a memory file system
 * (tmpfs, ramfs) unless a disk is explicitly allowed. Every file is 0400 and
 * appears whole: each set of files is first written under temporary names,
 * then renamed into place, so a failure leaves the previous set as it was.
 * Everything is done relative to the directory's descriptor and nothing
 * follows a symbolic link.
 */
#ifndef ENVSSM_SECRETFILES_H
#define ENVSSM_SECRETFILES_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "err.h"

/* One file to place: DIR/name holding value. Borrowed pointers. */
struct secret_file {
	const char *name;
	const char *value;
	size_t len;
};

struct secret_dir {
	int fd;        /* DIR itself, opened without following a link; -1 when closed */
	int parent_fd; /* its parent, to remove DIR when envssm made it */
	char *path;    /* absolute, without a trailing '/': for messages and NAME_FILE */
	char *base;    /* DIR's last component */
	bool created;  /* envssm made DIR: removed again with the files */
	bool memory;   /* on tmpfs or ramfs: nothing to sync */
	char **names;  /* the files in place now, as envssm last wrote them */
	size_t len;
};

/* secret_dir_abspath puts path made absolute (against the working
 * directory), without trailing slashes, in out: the DIR that NAME_FILE
 * values name. -1 with ERR_USAGE when it names no directory ("/", ".."). */
int secret_dir_abspath(const char *path, struct buf *out, struct err *e);

/* secret_dir_open opens (creating when missing) the directory at path and
 * checks it as above; allow_disk lifts the memory file system rule. Returns
 * 0, or -1 with ERR_CONFIG and one line naming the directory and the rule
 * it breaks; a directory it created is removed again. */
int secret_dir_open(struct secret_dir *d, const char *path, bool allow_disk, struct err *e);

/* secret_file_name_ok tells whether name can be a file in DIR: not empty,
 * no '/', not starting with '.' (temporary names do), at most NAME_MAX
 * (255) bytes. */
bool secret_file_name_ok(const char *name);

/* secret_dir_place makes files[0..n) the set of files in DIR: every one is
 * written under a temporary name first (0400, synced off memory file
 * systems), then all are renamed into place, then the files of the previous
 * set that are not in this one are removed. On failure nothing of the new
 * set is left and the previous set stays; -1 with ERR_CONFIG naming the
 * file, never a value. Stop signals are held meanwhile. */
int secret_dir_place(struct secret_dir *d, const struct secret_file *files, size_t n,
                     struct err *e);

/* secret_dir_remove removes every file envssm placed, and DIR when envssm
 * created it (and it is empty). */
void secret_dir_remove(struct secret_dir *d);

/* secret_dir_close closes the descriptors and frees; files stay. */
void secret_dir_close(struct secret_dir *d);

#endif
