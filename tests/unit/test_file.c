/*
 * test_file.c - bounded reads of regular files, and nothing else.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file.h"

/* temp_dir makes a fresh directory; path has room for 64 bytes. */
static void temp_dir(char *path)
{
	snprintf(path, 64, "%s", "/tmp/envssm-test-file-XXXXXX");
	assert_non_null(mkdtemp(path));
}

static void write_file(const char *path, const char *data, size_t n)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
}

static void test_regular(void **state)
{
	char dir[64], path[96];
	struct buf b = BUF_INIT;
	struct err e = {0};

	(void)state;
	temp_dir(dir);
	snprintf(path, sizeof(path), "%s/f", dir);
	write_file(path, "ab\0c", 4);
	assert_int_equal(file_read(path, 4, &b, &e), 1);
	assert_int_equal(b.len, 4);
	assert_memory_equal(b.data, "ab\0c", 4);
	/* one byte over the bound */
	assert_int_equal(file_read(path, 3, &b, &e), -1);
	assert_int_equal(e.kind, ERR_LIMIT);
	assert_non_null(strstr(e.msg, "/f': file too large (over 3 bytes)"));
	assert_null(b.data);
	/* empty: read, with a string to hand */
	write_file(path, "", 0);
	assert_int_equal(file_read(path, 4, &b, &e), 1);
	assert_int_equal(b.len, 0);
	assert_non_null(b.data);
	buf_release(&b);
	unlink(path);
	/* missing */
	assert_int_equal(file_read(path, 4, &b, &e), 0);
	assert_int_equal(b.len, 0);
	buf_release(&b);
	rmdir(dir);
}

static void test_not_regular(void **state)
{
	char dir[64], fifo[96], want[160];
	struct buf b = BUF_INIT;
	struct err e = {0};

	(void)state;
	temp_dir(dir);
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	/* no writer: a blocking open would wait forever */
	assert_int_equal(file_read(fifo, 64, &b, &e), -1);
	assert_int_equal(e.kind, ERR_CONFIG);
	snprintf(want, sizeof(want), "unable to read '%s': not a regular file", fifo);
	assert_string_equal(e.msg, want);
	assert_int_equal(file_read("/dev/null", 64, &b, &e), -1);
	assert_string_equal(e.msg, "unable to read '/dev/null': not a regular file");
	assert_int_equal(file_read(dir, 64, &b, &e), -1);
	assert_non_null(strstr(e.msg, "': Is a directory"));
	assert_null(b.data);
	unlink(fifo);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_regular),
	        cmocka_unit_test(test_not_regular),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
