/*
 * test_format.c - print-mode formats and the files they are written to.
 * The round trips through the real consumers are in tests/test_formats.py.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "format.h"

/* VAR(name, "value") is a format_var whose length counts embedded NULs. */
#define VAR(n, v) ((struct format_var){(n), (v), sizeof(v) - 1})

/* render_ok renders vars and fails the test on error; out is released by
 * the caller. */
static void render_ok(enum format_kind k, const struct format_var *vars, size_t n, const char *seed,
                      struct buf *out, struct buf *masks)
{
	struct err e = {ERR_NONE, ""};

	buf_init(out);
	buf_init(masks);
	if (format_render(k, vars, n, seed, out, masks, &e) != 0)
		fail_msg("unexpected render error: %s", e.msg);
}

static void expect_output(enum format_kind k, const struct format_var *vars, size_t n,
                          const char *want)
{
	struct buf out, masks;

	render_ok(k, vars, n, "seed", &out, &masks);
	assert_int_equal(out.len, strlen(want));
	assert_memory_equal(out.data, want, out.len);
	buf_release(&out);
	buf_release(&masks);
}

/* holds tells whether the n bytes at v occur in s. */
static bool holds(const char *s, const char *v, size_t n)
{
	for (size_t len = strlen(s); n > 0 && len >= n; s++, len--) {
		if (memcmp(s, v, n) == 0)
			return true;
	}
	return false;
}

/* expect_refused checks that var (after a good one) is refused with msg,
 * that the message does not hold the value and that out and masks are
 * back to what they held. */
static void expect_refused(enum format_kind k, struct format_var var, const char *msg)
{
	struct format_var vars[2] = {VAR("GOOD", "fine"), var};
	struct buf out = BUF_INIT, masks = BUF_INIT;
	struct err e = {ERR_NONE, ""};

	assert_int_equal(buf_puts(&out, "before", &e), 0);
	assert_int_equal(buf_puts(&masks, "masks", &e), 0);
	assert_int_equal(format_render(k, vars, 2, "seed", &out, &masks, &e), -1);
	assert_string_equal(e.msg, msg);
	assert_false(holds(e.msg, var.value, var.value_len));
	assert_string_equal(buf_cstr(&out), "before");
	assert_string_equal(buf_cstr(&masks), "masks");
	buf_release(&out);
	buf_release(&masks);
}

static void test_parse(void **state)
{
	static const char *const names[] = {"shell", "dotenv", "json", "github", "docker"};
	enum format_kind k;
	struct err e = {ERR_NONE, ""};

	(void)state;
	for (size_t i = 0; i < 5; i++) {
		assert_int_equal(format_parse(names[i], &k, &e), 0);
		assert_string_equal(format_name(k), names[i]);
	}
	assert_int_equal(format_parse("Shell", &k, &e), -1);
	assert_int_equal(e.kind, ERR_USAGE);
	assert_string_equal(e.msg,
	                    "invalid format 'Shell': use shell, dotenv, json, github or docker");
	assert_int_equal(format_parse("", &k, &e), -1);
}

static void test_shell(void **state)
{
	struct format_var vars[] = {VAR("A", "it's"), VAR("B", ""), VAR("C", "$x `y`\n\\"),
	                            VAR("D", "''")};

	(void)state;
	expect_output(FORMAT_SHELL, vars, 4,
	              "export A='it'\\''s'\n"
	              "export B=''\n"
	              "export C='$x `y`\n\\'\n"
	              "export D=''\\'''\\'''\n");
	expect_refused(FORMAT_SHELL, VAR("NUL", "s3cr3t\0value"),
	               "cannot print 'NUL' as shell: its value holds a NUL byte, which no "
	               "environment variable can hold");
}

static void test_shell_carries_any_byte(void **state)
{
	struct format_var v = VAR("BYTES", "\xff\xfe\x01\x7f");

	(void)state;
	expect_output(FORMAT_SHELL, &v, 1, "export BYTES='\xff\xfe\x01\x7f'\n");
}

static void test_dotenv(void **state)
{
	struct format_var vars[] = {
	        VAR("A", "it's"),     VAR("B", "a\\b"),       VAR("C", "\\\\"),
	        VAR("D", "\\'"),      VAR("E", "x${HOME}$y"), VAR("F", "$HOME"),
	        VAR("G", "dir\\"),    VAR("H", "a\nb\t"),     VAR("I", "a\r\n\"b\"\\"),
	        VAR("J", "\r${X}'$"), VAR("K", ""),           VAR("L", "\"q\" # c"),
	};

	(void)state;
	expect_output(FORMAT_DOTENV, vars, sizeof(vars) / sizeof(vars[0]),
	              "A='it\\'s'\n"
	              "B='a\\b'\n"
	              "C='\\\\\\${=:-}'\n"
	              "D='\\\\\\''\n"
	              "E='x${=:-$}{HOME}${=:-$}y'\n"
	              "F='$HOME'\n"
	              "G='dir\\${=:-}'\n"
	              "H='a\nb\t'\n"
	              "I=\"a\\r\\n\\\"b\\\"\\\\${=:-}\"\n"
	              "J=\"\\r${=:-$}{X}'${=:-$}\"\n"
	              "K=''\n"
	              "L='\"q\" # c'\n");
}

static void test_dotenv_refused(void **state)
{
	(void)state;
	expect_refused(FORMAT_DOTENV, VAR("LATIN1", "caf\xe9!"),
	               "cannot print 'LATIN1' as dotenv: its value is not valid UTF-8");
	expect_refused(FORMAT_DOTENV, VAR("SURROGATE", "\xed\xa0\x80"),
	               "cannot print 'SURROGATE' as dotenv: its value is not valid UTF-8");
	expect_refused(FORMAT_DOTENV, VAR("CUT", "abc\xe6\x97"),
	               "cannot print 'CUT' as dotenv: its value is not valid UTF-8");
	expect_refused(FORMAT_DOTENV, VAR("NUL", "abc\0def"),
	               "cannot print 'NUL' as dotenv: its value holds a NUL byte, which no "
	               "environment variable can hold");
}

static void test_json(void **state)
{
	struct format_var vars[] = {VAR("A", "\"\\/\b\f\n\r\t\x01\x1f\x7f"),
	                            VAR("B", "\xc3\xa9\xf0\x9f\x9a\x80"), VAR("C", "a\0b")};

	(void)state;
	expect_output(FORMAT_JSON, vars, 3,
	              "{\"A\":\"\\\"\\\\/\\b\\f\\n\\r\\t\\u0001\\u001f\x7f\","
	              "\"B\":\"\xc3\xa9\xf0\x9f\x9a\x80\",\"C\":\"a\\u0000b\"}\n");
	expect_output(FORMAT_JSON, vars, 0, "{}\n");
	expect_refused(FORMAT_JSON, VAR("OVERLONG", "\xc0\xaf"),
	               "cannot print 'OVERLONG' as json: its value is not valid UTF-8");
	expect_refused(FORMAT_JSON, VAR("TOO_HIGH", "\xf4\x90\x80\x80"),
	               "cannot print 'TOO_HIGH' as json: its value is not valid UTF-8");
}

static void delimiter(const char *seed, unsigned attempt, char out[FORMAT_DELIM_SIZE])
{
	struct err e = {ERR_NONE, ""};

	assert_int_equal(format_github_delimiter(seed, attempt, out, &e), 0);
	assert_int_equal(strlen(out), FORMAT_DELIM_SIZE - 1);
	assert_int_equal(strncmp(out, "ghadelimiter_", 13), 0);
	assert_int_equal(strspn(out + 13, "0123456789abcdef"), 32);
}

static void test_github(void **state)
{
	struct format_var vars[] = {VAR("A", "x\r\ny%"), VAR("B", ""), VAR("C", " \n\t\n")};
	char d0[FORMAT_DELIM_SIZE], d1[FORMAT_DELIM_SIZE], d2[FORMAT_DELIM_SIZE];
	char want[512];
	struct buf out, masks;

	(void)state;
	delimiter("seed", 0, d0);
	delimiter("seed", 1, d1);
	delimiter("seed", 2, d2);
	snprintf(want, sizeof(want), "A<<%s\nx\r\ny%%\n%s\nB<<%s\n\n%s\nC<<%s\n \n\t\n\n%s\n", d0,
	         d0, d1, d1, d2, d2);
	render_ok(FORMAT_GITHUB, vars, 3, "seed", &out, &masks);
	assert_string_equal(buf_cstr(&out), want);
	/* every line, CR pieces too; blank lines are not masks */
	assert_string_equal(buf_cstr(&masks),
	                    "::add-mask::x%0D\n::add-mask::x\n::add-mask::y%25\n");
	buf_release(&out);
	buf_release(&masks);
}

/* The value holds the first two delimiters the seed gives, as a line and
 * inside a line: the third is the one used. */
static void test_github_delimiter_collision(void **state)
{
	char d0[FORMAT_DELIM_SIZE], d1[FORMAT_DELIM_SIZE], d2[FORMAT_DELIM_SIZE];
	char value[256], head[64];
	struct format_var v = {"VICTIM", value, 0};
	struct buf out, masks;

	(void)state;
	delimiter("collide", 0, d0);
	delimiter("collide", 1, d1);
	delimiter("collide", 2, d2);
	snprintf(value, sizeof(value), "a\n%s\nNODE_OPTIONS=--require=/x\nzz%szz", d0, d1);
	v.value_len = strlen(value);
	render_ok(FORMAT_GITHUB, &v, 1, "collide", &out, &masks);
	snprintf(head, sizeof(head), "VICTIM<<%s\n", d2);
	assert_int_equal(strncmp(buf_cstr(&out), head, strlen(head)), 0);
	assert_int_equal(out.len, 2 * strlen(head) - strlen("VICTIM<<") + v.value_len + 1);
	assert_memory_equal(out.data + strlen(head), value, v.value_len);
	buf_release(&out);
	buf_release(&masks);
}

static void test_github_random_delimiter(void **state)
{
	char a[FORMAT_DELIM_SIZE], b[FORMAT_DELIM_SIZE], c[FORMAT_DELIM_SIZE];

	(void)state;
	delimiter(NULL, 0, a);
	delimiter(NULL, 0, b);
	assert_string_not_equal(a, b);
	delimiter("s", 7, a);
	delimiter("s", 7, b);
	delimiter("s", 8, c);
	assert_string_equal(a, b);
	assert_string_not_equal(a, c);
}

static void test_github_refused(void **state)
{
	struct format_var v = VAR("A", "x");
	struct buf out = BUF_INIT;
	struct err e = {ERR_NONE, ""};

	(void)state;
	expect_refused(FORMAT_GITHUB, VAR("NODE_OPTIONS", "--require /x"),
	               "cannot print 'NODE_OPTIONS' as github: the Actions runner refuses to set "
	               "it from $GITHUB_ENV");
	expect_refused(FORMAT_GITHUB, VAR("Node_Options", "--require /x"),
	               "cannot print 'Node_Options' as github: the Actions runner refuses to set "
	               "it from $GITHUB_ENV");
	expect_refused(FORMAT_GITHUB, VAR("BAD", "\xff\xff\xff"),
	               "cannot print 'BAD' as github: its value is not valid UTF-8");
	assert_int_equal(format_render(FORMAT_GITHUB, &v, 1, NULL, &out, NULL, &e), -1);
	assert_int_equal(e.kind, ERR_USAGE);
	assert_int_equal(out.len, 0);
}

static void test_docker(void **state)
{
	struct format_var vars[] = {VAR("A", " 'q' \"x\" # $y\\ "), VAR("B", ""), VAR("C", "=")};

	(void)state;
	expect_output(FORMAT_DOCKER, vars, 3, "A= 'q' \"x\" # $y\\ \nB=\nC==\n");
}

static void test_docker_refused(void **state)
{
	static char big[65536];
	struct format_var v = {"LONG", big, 0};
	struct buf out, masks;

	(void)state;
	expect_refused(
	        FORMAT_DOCKER, VAR("MULTI", "secret\nline"),
	        "cannot print 'MULTI' as docker: its value has a newline, which --env-file cannot carry");
	expect_refused(
	        FORMAT_DOCKER, VAR("CR", "secret\r"),
	        "cannot print 'CR' as docker: its value has a carriage return, which --env-file "
	        "cannot carry");
	expect_refused(FORMAT_DOCKER, VAR("NUL", "sec\0ret"),
	               "cannot print 'NUL' as docker: its value holds a NUL byte, which no "
	               "environment variable can hold");
	memset(big, 'v', sizeof(big));
	v.value_len = 65535 - strlen("LONG=");
	render_ok(FORMAT_DOCKER, &v, 1, NULL, &out, &masks);
	assert_int_equal(out.len, 65536);
	buf_release(&out);
	buf_release(&masks);
	v.value_len++;
	expect_refused(
	        FORMAT_DOCKER, v,
	        "cannot print 'LONG' as docker: its line would pass --env-file's 65535-byte limit");
}

static void test_bad_names(void **state)
{
	struct format_var vars[] = {VAR("OK", "1"), VAR("1BAD", "2")};
	struct format_var none = {"X", NULL, 0};
	struct buf out = BUF_INIT, masks = BUF_INIT;
	struct err e = {ERR_NONE, ""};

	(void)state;
	assert_int_equal(format_render(FORMAT_SHELL, vars, 2, NULL, &out, &masks, &e), -1);
	assert_string_equal(e.msg, "cannot print variable 2 as shell: invalid name");
	vars[1].name = "A=B";
	assert_int_equal(format_render(FORMAT_JSON, vars, 2, NULL, &out, &masks, &e), -1);
	assert_int_equal(format_render(FORMAT_JSON, &none, 1, NULL, &out, &masks, &e), -1);
	assert_int_equal(format_render((enum format_kind)99, vars, 1, NULL, &out, &masks, &e), -1);
	assert_int_equal(out.len, 0);
	assert_int_equal(masks.len, 0);
}

/* --- files --- */

struct tmpdir {
	char path[64];
};

static void tmpdir_make(struct tmpdir *t)
{
	memset(t, 0, sizeof(*t));
	snprintf(t->path, sizeof(t->path), "/tmp/test_format.XXXXXX");
	assert_non_null(mkdtemp(t->path));
}

static void tmpdir_file(const struct tmpdir *t, const char *name, char *out, size_t n)
{
	snprintf(out, n, "%s/%s", t->path, name);
}

/* tmpdir_names lists the entries (without . and ..), sorted, joined by ' '. */
static void tmpdir_names(const struct tmpdir *t, char *out, size_t n)
{
	struct dirent **list;
	int count = scandir(t->path, &list, NULL, alphasort);

	assert_true(count >= 0);
	out[0] = '\0';
	for (int i = 0; i < count; i++) {
		if (strcmp(list[i]->d_name, ".") != 0 && strcmp(list[i]->d_name, "..") != 0) {
			if (out[0] != '\0')
				strncat(out, " ", n - strlen(out) - 1);
			strncat(out, list[i]->d_name, n - strlen(out) - 1);
		}
		free(list[i]);
	}
	free(list);
}

static void tmpdir_remove(struct tmpdir *t)
{
	struct dirent **list;
	int count = scandir(t->path, &list, NULL, alphasort);
	char p[512];

	chmod(t->path, 0700);
	for (int i = 0; i < count; i++) {
		if (strcmp(list[i]->d_name, ".") != 0 && strcmp(list[i]->d_name, "..") != 0) {
			tmpdir_file(t, list[i]->d_name, p, sizeof(p));
			unlink(p);
		}
		free(list[i]);
	}
	free(list);
	assert_int_equal(rmdir(t->path), 0);
}

static void write_text(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
}

static void expect_file(const char *path, const char *text, mode_t mode)
{
	char got[256] = "";
	struct stat st;
	FILE *f = fopen(path, "r");
	size_t n;

	assert_non_null(f);
	n = fread(got, 1, sizeof(got) - 1, f);
	got[n] = '\0';
	fclose(f);
	assert_string_equal(got, text);
	assert_int_equal(lstat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, mode);
}

static void set_buf(struct buf *b, const char *s)
{
	struct err e = {ERR_NONE, ""};

	buf_init(b);
	assert_int_equal(buf_puts(b, s, &e), 0);
}

static void test_write_file_mode(void **state)
{
	static const mode_t umasks[] = {0, 022, 0277};
	struct tmpdir t;
	struct buf data;
	struct err e = {ERR_NONE, ""};
	char path[256], names[256];

	(void)state;
	tmpdir_make(&t);
	tmpdir_file(&t, "out.env", path, sizeof(path));
	set_buf(&data, "A='1'\n");
	for (size_t i = 0; i < sizeof(umasks) / sizeof(umasks[0]); i++) {
		mode_t old = umask(umasks[i]);

		write_text(path, "old\n", 0644);
		assert_int_equal(format_write_file(path, &data, &e), 0);
		umask(old);
		expect_file(path, "A='1'\n", 0600);
		tmpdir_names(&t, names, sizeof(names));
		assert_string_equal(names, "out.env");
	}
	buf_release(&data);
	tmpdir_remove(&t);
}

/* A write that fails part way (the file size limit) leaves the old file
 * as it was and no temporary file behind. */
static void test_write_file_fails_atomically(void **state)
{
	struct tmpdir t;
	struct buf data = BUF_INIT;
	struct err e = {ERR_NONE, ""};
	struct rlimit old, small;
	void (*old_handler)(int);
	char path[256], names[256], want[512];
	int rc;

	(void)state;
	tmpdir_make(&t);
	tmpdir_file(&t, "out.env", path, sizeof(path));
	write_text(path, "old\n", 0640);
	for (int i = 0; i < 100; i++)
		assert_int_equal(buf_puts(&data, "SECRET='value'\n", &e), 0);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	small = old;
	small.rlim_cur = 64;
	old_handler = signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
	rc = format_write_file(path, &data, &e);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, old_handler);
	assert_int_equal(rc, -1);
	assert_int_equal(e.kind, ERR_CONFIG);
	snprintf(want, sizeof(want), "unable to write '%s': File too large", path);
	assert_string_equal(e.msg, want);
	expect_file(path, "old\n", 0640);
	tmpdir_names(&t, names, sizeof(names));
	assert_string_equal(names, "out.env");
	buf_release(&data);
	tmpdir_remove(&t);
}

static void test_write_file_rename_fails(void **state)
{
	struct tmpdir t;
	struct buf data;
	struct err e = {ERR_NONE, ""};
	char path[256], inside[256], names[256];

	(void)state;
	tmpdir_make(&t);
	tmpdir_file(&t, "taken", path, sizeof(path));
	assert_int_equal(mkdir(path, 0700), 0);
	tmpdir_file(&t, "taken/x", inside, sizeof(inside));
	write_text(inside, "x", 0600);
	set_buf(&data, "A='1'\n");
	assert_int_equal(format_write_file(path, &data, &e), -1);
	assert_non_null(strstr(e.msg, "unable to write '"));
	tmpdir_names(&t, names, sizeof(names));
	assert_string_equal(names, "taken");
	unlink(inside);
	rmdir(path);
	buf_release(&data);
	tmpdir_remove(&t);
}

static void test_write_file_unwritable_dir(void **state)
{
	struct tmpdir t;
	struct buf data;
	struct err e = {ERR_NONE, ""};
	char path[256], names[256];

	(void)state;
	tmpdir_make(&t);
	tmpdir_file(&t, "out.env", path, sizeof(path));
	write_text(path, "old\n", 0600);
	assert_int_equal(chmod(t.path, 0500), 0);
	if (access(t.path, W_OK) == 0) { /* root: permissions do not stop it */
		tmpdir_remove(&t);
		skip();
	}
	set_buf(&data, "A='1'\n");
	assert_int_equal(format_write_file(path, &data, &e), -1);
	assert_non_null(strstr(e.msg, "Permission denied"));
	expect_file(path, "old\n", 0600);
	tmpdir_names(&t, names, sizeof(names));
	assert_string_equal(names, "out.env");
	buf_release(&data);
	tmpdir_remove(&t);
}

static void test_append_file(void **state)
{
	struct tmpdir t;
	struct buf a, b;
	struct err e = {ERR_NONE, ""};
	char path[256], missing[256];
	mode_t old;

	(void)state;
	tmpdir_make(&t);
	tmpdir_file(&t, "github_env", path, sizeof(path));
	write_text(path, "OLD=1\n", 0644);
	set_buf(&a, "A<<D\nx\nD\n");
	set_buf(&b, "B<<D\ny\nD\n");
	assert_int_equal(format_append_file(path, &a, &e), 0);
	assert_int_equal(format_append_file(path, &b, &e), 0);
	expect_file(path, "OLD=1\nA<<D\nx\nD\nB<<D\ny\nD\n", 0644);
	tmpdir_file(&t, "new_env", missing, sizeof(missing));
	old = umask(0);
	assert_int_equal(format_append_file(missing, &a, &e), 0);
	umask(old);
	expect_file(missing, "A<<D\nx\nD\n", 0600);
	tmpdir_file(&t, "no/such", missing, sizeof(missing));
	assert_int_equal(format_append_file(missing, &a, &e), -1);
	assert_non_null(strstr(e.msg, "No such file or directory"));
	buf_release(&a);
	buf_release(&b);
	tmpdir_remove(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_parse),
	        cmocka_unit_test(test_shell),
	        cmocka_unit_test(test_shell_carries_any_byte),
	        cmocka_unit_test(test_dotenv),
	        cmocka_unit_test(test_dotenv_refused),
	        cmocka_unit_test(test_json),
	        cmocka_unit_test(test_github),
	        cmocka_unit_test(test_github_delimiter_collision),
	        cmocka_unit_test(test_github_random_delimiter),
	        cmocka_unit_test(test_github_refused),
	        cmocka_unit_test(test_docker),
	        cmocka_unit_test(test_docker_refused),
	        cmocka_unit_test(test_bad_names),
	        cmocka_unit_test(test_write_file_mode),
	        cmocka_unit_test(test_write_file_fails_atomically),
	        cmocka_unit_test(test_write_file_rename_fails),
	        cmocka_unit_test(test_write_file_unwritable_dir),
	        cmocka_unit_test(test_append_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
