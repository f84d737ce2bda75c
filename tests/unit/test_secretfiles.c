/*
 * test_secretfiles.c - the secret files directory: made private, refused
 * when it is not, files written whole and never through a link.
 *
 * Runs in /dev/shm (tmpfs); the disk rule against the working directory.
 * Ownership is checked as root (another user's directory needs chown).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "secretfiles.h"

static bool is_memory(const char *path)
{
	struct statfs fs;

	return statfs(path, &fs) == 0 && ((unsigned long)fs.f_type == TMPFS_MAGIC ||
	                                  (unsigned long)fs.f_type == RAMFS_MAGIC);
}

/* a fresh private parent in /dev/shm; path has room for 64 bytes */
static void shm_dir(char *path)
{
	if (!is_memory("/dev/shm"))
		skip();
	snprintf(path, 64, "%s", "/dev/shm/envssm-test-sf-XXXXXX");
	assert_non_null(mkdtemp(path));
}

static void slurp(const char *path, char *out, size_t n)
{
	FILE *f = fopen(path, "rb");
	size_t got;

	assert_non_null(f);
	got = fread(out, 1, n - 1, f);
	out[got] = '\0';
	fclose(f);
}

static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *ent;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((ent = readdir(d)) != NULL) {
		if (strcmp(ent->d_name, ".") != 0 && strcmp(ent->d_name, "..") != 0)
			n++;
	}
	closedir(d);
	return n;
}

static void rm_tree(const char *dir)
{
	char cmd[256];
	int rc;

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	rc = system(cmd);
	(void)rc;
}

static void test_created_private_and_removed(void **state)
{
	char parent[64], dir[96], path[128], got[64];
	struct secret_dir d;
	struct secret_file one[] = {{"A", "alpha", 5}, {"B", "b\0ta", 4}};
	struct secret_file two[] = {{"A", "alpha-2", 7}, {"C", "gamma", 5}};
	struct err e = {0};
	struct stat st;
	mode_t old = umask(0777); /* the umask cannot widen nor narrow what is made */

	(void)state;
	shm_dir(parent);
	snprintf(dir, sizeof(dir), "%s/app/", parent); /* a trailing slash is fine */
	assert_int_equal(secret_dir_open(&d, dir, false, &e), 0);
	assert_true(d.created);
	snprintf(dir, sizeof(dir), "%s/app", parent);
	assert_string_equal(d.path, dir);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	assert_int_equal(st.st_uid, geteuid());

	assert_int_equal(secret_dir_place(&d, one, 2, &e), 0);
	snprintf(path, sizeof(path), "%s/A", dir);
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0400);
	slurp(path, got, sizeof(got));
	assert_string_equal(got, "alpha");
	snprintf(path, sizeof(path), "%s/B", dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 4); /* binary values whole */
	assert_int_equal(count_entries(dir), 2);

	/* the next set: A replaced, B gone, C new; no temporary left */
	assert_int_equal(secret_dir_place(&d, two, 2, &e), 0);
	snprintf(path, sizeof(path), "%s/A", dir);
	slurp(path, got, sizeof(got));
	assert_string_equal(got, "alpha-2");
	snprintf(path, sizeof(path), "%s/B", dir);
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(count_entries(dir), 2);

	secret_dir_remove(&d);
	secret_dir_close(&d);
	assert_int_equal(access(dir, F_OK), -1); /* made by envssm: gone with the files */
	umask(old);
	rm_tree(parent);
}

static void test_existing_dir_kept_and_narrowed(void **state)
{
	char parent[64], dir[96], other[128];
	struct secret_dir d;
	struct secret_file one[] = {{"TOKEN", "t", 1}};
	struct err e = {0};
	struct stat st;

	(void)state;
	shm_dir(parent);
	snprintf(dir, sizeof(dir), "%s/app", parent);
	assert_int_equal(mkdir(dir, 0755), 0);
	assert_int_equal(chmod(dir, 0755), 0);
	snprintf(other, sizeof(other), "%s/not-ours", dir);
	assert_int_equal(close(open(other, O_CREAT | O_WRONLY, 0600)), 0);
	assert_int_equal(secret_dir_open(&d, dir, false, &e), 0);
	assert_false(d.created);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	assert_int_equal(secret_dir_place(&d, one, 1, &e), 0);
	secret_dir_remove(&d);
	secret_dir_close(&d);
	/* only envssm's own files go; the directory and the rest stay */
	assert_int_equal(access(dir, F_OK), 0);
	assert_int_equal(access(other, F_OK), 0);
	assert_int_equal(count_entries(dir), 1);
	rm_tree(parent);
}

static void test_symlink_refused(void **state)
{
	char parent[64], dir[96], target[96];
	struct secret_dir d;
	struct err e = {0};

	(void)state;
	shm_dir(parent);
	snprintf(target, sizeof(target), "%s/real", parent);
	snprintf(dir, sizeof(dir), "%s/app", parent);
	assert_int_equal(mkdir(target, 0700), 0);
	assert_int_equal(symlink(target, dir), 0);
	assert_int_equal(secret_dir_open(&d, dir, false, &e), -1);
	assert_int_equal(e.kind, ERR_CONFIG);
	assert_non_null(strstr(e.msg, "is a symbolic link"));
	assert_null(strchr(e.msg, '\n'));
	assert_int_equal(count_entries(target), 0);
	/* the link itself is left as it was */
	assert_int_equal(access(dir, F_OK), 0);
	rm_tree(parent);
}

static void test_writable_by_others_refused(void **state)
{
	char parent[64], dir[96];
	struct secret_dir d;
	struct err e = {0};
	struct stat st;

	(void)state;
	shm_dir(parent);
	snprintf(dir, sizeof(dir), "%s/app", parent);
	assert_int_equal(mkdir(dir, 0700), 0);
	for (int i = 0; i < 2; i++) {
		mode_t mode = i == 0 ? 0777 : 0770;

		assert_int_equal(chmod(dir, mode), 0);
		assert_int_equal(secret_dir_open(&d, dir, false, &e), -1);
		assert_non_null(strstr(e.msg, "writable by others"));
		/* refused as it is: not narrowed, not removed */
		assert_int_equal(stat(dir, &st), 0);
		assert_int_equal(st.st_mode & 07777, mode);
	}
	rm_tree(parent);
}

static void test_someone_elses_refused(void **state)
{
	char parent[64], dir[96];
	struct secret_dir d;
	struct err e = {0};

	(void)state;
	if (geteuid() != 0)
		skip();
	shm_dir(parent);
	snprintf(dir, sizeof(dir), "%s/app", parent);
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_int_equal(chown(dir, 65534, 65534), 0);
	assert_int_equal(secret_dir_open(&d, dir, false, &e), -1);
	assert_non_null(strstr(e.msg, "belongs to uid 65534, not to uid 0"));
	assert_int_equal(access(dir, F_OK), 0);
	rm_tree(parent);
}

static void test_not_a_directory_refused(void **state)
{
	char parent[64], dir[96];
	struct secret_dir d;
	struct err e = {0};

	(void)state;
	shm_dir(parent);
	snprintf(dir, sizeof(dir), "%s/app", parent);
	assert_int_equal(close(open(dir, O_CREAT | O_WRONLY, 0600)), 0);
	assert_int_equal(secret_dir_open(&d, dir, false, &e), -1);
	assert_non_null(strstr(e.msg, "is not a directory"));
	/* and a parent that is not there */
	snprintf(dir, sizeof(dir), "%s/missing/app", parent);
	assert_int_equal(secret_dir_open(&d, dir, false, &e), -1);
	assert_non_null(strstr(e.msg, "/missing': No such file or directory"));
	assert_int_equal(secret_dir_open(&d, "/", false, &e), -1);
	assert_int_equal(e.kind, ERR_USAGE);
	rm_tree(parent);
}

static void test_disk_refused_unless_allowed(void **state)
{
	char parent[64] = "envssm-test-sf-disk-XXXXXX", dir[96];
	struct secret_dir d;
	struct err e = {0};

	(void)state;
	/* the working directory (the source tree) is on a disk */
	if (is_memory("."))
		skip();
	assert_non_null(mkdtemp(parent));
	snprintf(dir, sizeof(dir), "%s/app", parent);
	assert_int_equal(secret_dir_open(&d, dir, false, &e), -1);
	assert_non_null(strstr(e.msg, "not tmpfs or ramfs"));
	assert_non_null(strstr(e.msg, "--secret-files-on-disk"));
	assert_int_equal(access(dir, F_OK), -1); /* refused before anything was made */
	/* a relative DIR is made absolute for NAME_FILE */
	assert_int_equal(secret_dir_open(&d, dir, true, &e), 0);
	assert_int_equal(d.path[0], '/');
	assert_false(d.memory);
	secret_dir_remove(&d);
	secret_dir_close(&d);
	assert_int_equal(access(dir, F_OK), -1);
	rm_tree(parent);
}

static void test_no_write_follows_a_link(void **state)
{
	char parent[64], dir[96], outside[96], link[128], tmp[160], got[64];
	struct secret_dir d;
	struct secret_file one[] = {{"KEY", "new", 3}};
	struct err e = {0};
	struct stat st;

	(void)state;
	shm_dir(parent);
	snprintf(dir, sizeof(dir), "%s/app", parent);
	snprintf(outside, sizeof(outside), "%s/outside", parent);
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_int_equal(close(open(outside, O_CREAT | O_WRONLY, 0600)), 0);
	/* the file's name and its temporary name are both links outward */
	snprintf(link, sizeof(link), "%s/KEY", dir);
	assert_int_equal(symlink(outside, link), 0);
	snprintf(tmp, sizeof(tmp), "%s/.envssm-%ld-0", dir, (long)getpid());
	assert_int_equal(symlink(outside, tmp), 0);
	assert_int_equal(secret_dir_open(&d, dir, false, &e), 0);
	assert_int_equal(secret_dir_place(&d, one, 1, &e), 0);
	assert_int_equal(lstat(link, &st), 0);
	assert_true(S_ISREG(st.st_mode)); /* the link replaced, not written through */
	slurp(link, got, sizeof(got));
	assert_string_equal(got, "new");
	assert_int_equal(stat(outside, &st), 0);
	assert_int_equal(st.st_size, 0);
	assert_int_equal(count_entries(dir), 1);
	secret_dir_close(&d);
	rm_tree(parent);
}

static void test_failed_set_leaves_the_last(void **state)
{
	char parent[64], dir[96], path[128], got[64];
	struct secret_dir d;
	struct secret_file one[] = {{"A", "a1", 2}, {"B", "b1", 2}};
	struct secret_file two[] = {{"A", "a2", 2}, {"SUB", "s", 1}};
	struct secret_file bad[] = {{"A", "a3", 2}, {".hidden", "h", 1}};
	struct err e = {0};

	(void)state;
	shm_dir(parent);
	snprintf(dir, sizeof(dir), "%s/app", parent);
	assert_int_equal(secret_dir_open(&d, dir, false, &e), 0);
	assert_int_equal(secret_dir_place(&d, one, 2, &e), 0);
	snprintf(path, sizeof(path), "%s/SUB", dir);
	assert_int_equal(mkdir(path, 0700), 0); /* a name that cannot become a file */
	assert_int_equal(secret_dir_place(&d, two, 2, &e), -1);
	assert_non_null(strstr(e.msg, "/SUB'"));
	assert_null(strstr(e.msg, "a2"));
	assert_int_equal(secret_dir_place(&d, bad, 2, &e), -1);
	assert_non_null(strstr(e.msg, "'.hidden' cannot be a file name"));
	/* the previous set untouched, no temporary left */
	snprintf(path, sizeof(path), "%s/A", dir);
	slurp(path, got, sizeof(got));
	assert_string_equal(got, "a1");
	assert_int_equal(count_entries(dir), 3);
	secret_dir_close(&d);
	rm_tree(parent);
}

static void test_longest_name_placed(void **state)
{
	char parent[64], dir[96], name[256], path[400], got[64];
	struct secret_dir d;
	struct secret_file one[] = {{name, "v", 1}};
	struct err e = {0};

	(void)state;
	memset(name, 'N', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0'; /* 255 bytes: as long as a file name may be */
	shm_dir(parent);
	snprintf(dir, sizeof(dir), "%s/app", parent);
	assert_int_equal(secret_dir_open(&d, dir, false, &e), 0);
	assert_int_equal(secret_dir_place(&d, one, 1, &e), 0);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	slurp(path, got, sizeof(got));
	assert_string_equal(got, "v");
	assert_int_equal(count_entries(dir), 1); /* no temporary left */
	secret_dir_remove(&d);
	secret_dir_close(&d);
	rm_tree(parent);
}

static void test_names(void **state)
{
	char longname[257];

	(void)state;
	memset(longname, 'A', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_true(secret_file_name_ok("DB_PASSWORD"));
	assert_false(secret_file_name_ok(""));
	assert_false(secret_file_name_ok(".env"));
	assert_false(secret_file_name_ok("a/b"));
	assert_false(secret_file_name_ok(".."));
	assert_false(secret_file_name_ok(longname));
	longname[255] = '\0';
	assert_true(secret_file_name_ok(longname));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_created_private_and_removed),
	        cmocka_unit_test(test_existing_dir_kept_and_narrowed),
	        cmocka_unit_test(test_symlink_refused),
	        cmocka_unit_test(test_writable_by_others_refused),
	        cmocka_unit_test(test_someone_elses_refused),
	        cmocka_unit_test(test_not_a_directory_refused),
	        cmocka_unit_test(test_disk_refused_unless_allowed),
	        cmocka_unit_test(test_no_write_follows_a_link),
	        cmocka_unit_test(test_failed_set_leaves_the_last),
	        cmocka_unit_test(test_longest_name_placed),
	        cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
