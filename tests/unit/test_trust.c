/*
 * test_trust.c - where envssm finds CA certificates, on fake file systems
 * laid out like each distribution's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "trust.h"

static char root[64];

static void mkpath(const char *rel, bool dir)
{
	char path[512], *p;
	int fd;

	snprintf(path, sizeof(path), "%s%s", root, rel);
	for (p = path + strlen(root) + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		mkdir(path, 0755);
		*p = '/';
	}
	if (dir) {
		mkdir(path, 0755);
		return;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "PEM\n", 4), 4);
	close(fd);
}

static int fresh_root(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "/tmp/envssm-trust-XXXXXX");
	assert_non_null(mkdtemp(root));
	return 0;
}

static int remove_root(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

static void locate(char *const *envp, struct trust *t)
{
	struct err e = {0};

	assert_int_equal(trust_locate_in(root, envp, t, &e), 0);
}

static void test_nothing(void **state)
{
	char *env[] = {NULL};
	struct trust t;

	(void)state;
	mkpath("/etc/ssl/certs", true); /* a directory without hashed links */
	locate(env, &t);
	assert_null(t.file);
	assert_null(t.dir);
	assert_non_null(t.missing);
	assert_non_null(strstr(t.missing, "/etc/ssl/cert.pem"));
	assert_non_null(strstr(t.missing, "AWS_CA_BUNDLE"));
}

static void test_debian_hashed_first(void **state)
{
	char *env[] = {NULL};
	struct trust t;

	(void)state;
	mkpath("/etc/ssl/certs/ca-certificates.crt", false);
	locate(env, &t);
	assert_string_equal(t.file, "/etc/ssl/certs/ca-certificates.crt");
	assert_null(t.dir);
	mkpath("/etc/ssl/certs/1a2b3c4d.0", false);
	locate(env, &t);
	assert_null(t.file);
	assert_string_equal(t.dir, "/etc/ssl/certs");
	assert_string_equal(t.dir_source, "system");
	assert_null(t.missing);
}

static void test_each_distribution(void **state)
{
	static const char *const files[] = {
	        "/etc/pki/tls/certs/ca-bundle.crt",
	        "/etc/ssl/ca-bundle.pem",
	        "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
	        "/etc/ssl/cert.pem",
	};
	char *env[] = {NULL};
	struct trust t;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		remove_root(NULL);
		fresh_root(NULL);
		mkpath(files[i], false);
		locate(env, &t);
		assert_non_null(t.file);
		assert_string_equal(t.file, files[i]);
		assert_string_equal(t.source, "system");
	}
}

static void test_empty_bundle_skipped(void **state)
{
	char path[512];
	char *env[] = {NULL};
	struct trust t;
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "%s/etc/pki/tls/certs", root);
	mkpath("/etc/pki/tls/certs", true);
	snprintf(path, sizeof(path), "%s/etc/pki/tls/certs/ca-bundle.crt", root);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	close(fd);
	mkpath("/etc/ssl/cert.pem", false);
	locate(env, &t);
	assert_string_equal(t.file, "/etc/ssl/cert.pem");
}

static void test_openssl_variables_win(void **state)
{
	char file[512], var_file[600], var_dir[600];
	char *env[] = {var_file, var_dir, NULL};
	char *bad[] = {"SSL_CERT_FILE=/nonexistent/ca.pem", NULL};
	char *baddir[] = {"SSL_CERT_DIR=/nonexistent:/also/not", NULL};
	struct trust t;
	struct err e = {0};

	(void)state;
	mkpath("/etc/ssl/certs/1a2b3c4d.0", false);
	mkpath("/custom/ca.pem", false);
	snprintf(file, sizeof(file), "%s/custom/ca.pem", root);
	snprintf(var_file, sizeof(var_file), "SSL_CERT_FILE=%s", file);
	snprintf(var_dir, sizeof(var_dir), "SSL_CERT_DIR=/nonexistent:%s/custom", root);
	locate(env, &t);
	assert_string_equal(t.file, file);
	assert_string_equal(t.source, "SSL_CERT_FILE");
	assert_non_null(strstr(t.dir, "/custom"));
	assert_string_equal(t.dir_source, "SSL_CERT_DIR");

	assert_int_equal(trust_locate_in(root, bad, &t, &e), -1);
	assert_int_equal(e.kind, ERR_CONFIG);
	assert_non_null(strstr(e.msg, "SSL_CERT_FILE=/nonexistent/ca.pem"));
	assert_int_equal(trust_locate_in(root, baddir, &t, &e), -1);
	assert_non_null(strstr(e.msg, "SSL_CERT_DIR"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_nothing, fresh_root, remove_root),
	        cmocka_unit_test_setup_teardown(test_debian_hashed_first, fresh_root, remove_root),
	        cmocka_unit_test_setup_teardown(test_each_distribution, fresh_root, remove_root),
	        cmocka_unit_test_setup_teardown(test_empty_bundle_skipped, fresh_root, remove_root),
	        cmocka_unit_test_setup_teardown(test_openssl_variables_win, fresh_root, remove_root),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
