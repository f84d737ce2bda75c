/*
 * test_creds_process.c - credential_process: shell-like splitting (checked
 * against Python's shlex.split), and real children through creds_sys_real:
 * success, failure, garbage, a hang past the timeout (and what the helper
 * started), too much output.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "creds.h"
#include "creds_process.h"
#include "creds_providers.h"
#include "ini.h"

/* Expected words joined by '|'; NULL: an error. From shlex.split. */
static const struct {
	const char *cmd;
	const char *words;
	const char *err;
} split_cases[] = {
	{ "aws-vault exec prod --json", "aws-vault|exec|prod|--json", NULL },
	{ "  lead   and trail  ", "lead|and|trail", NULL },
	{ "'/path with space/bin' --flag='a b'", "/path with space/bin|--flag=a b", NULL },
	{ "\"double \\\"quoted\\\" and \\\\ back \\n kept\"", "double \"quoted\" and \\ back \\n kept", NULL },
	{ "esc\\ aped\\\\ x\\y", "esc aped\\|xy", NULL },
	{ "''", "", NULL },
	{ "\"\"", "", NULL },
	{ "a '' b", "a||b", NULL },
	{ "mi'x'\"ed\"word", "mixedword", NULL },
	{ "tab\tsep\nnewline", "tab|sep|newline", NULL },
	{ "no#comment here", "no#comment|here", NULL },
	{ "'single \\ keeps \\' ", "single \\ keeps \\", NULL },
	{ "$HOME ~/x *.json", "$HOME|~/x|*.json", NULL },
	{ "\"unterminated", NULL, "no closing quotation" },
	{ "'unterminated", NULL, "no closing quotation" },
	{ "trailing\\", NULL, "a backslash ends the line" },
	{ "\"a\\", NULL, "a backslash ends the line" },
	{ "", "(none)", NULL },
	{ "   ", "(none)", NULL },
};

static void test_split(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(split_cases) / sizeof(split_cases[0]); i++) {
		struct creds_argv av;
		struct err e = { ERR_NONE, "" };
		char joined[512] = "";
		int rc = creds_process_split(split_cases[i].cmd, &av, &e);

		if (split_cases[i].words == NULL) {
			if (rc != -1 || strcmp(e.msg, split_cases[i].err) != 0)
				fail_msg("case %zu: rc %d '%s'", i, rc, e.msg);
			creds_argv_release(&av);
			continue;
		}
		if (rc != 0)
			fail_msg("case %zu: %s", i, e.msg);
		if (av.argc == 0)
			snprintf(joined, sizeof(joined), "(none)");
		for (size_t k = 0; k < av.argc; k++)
			snprintf(joined + strlen(joined), sizeof(joined) - strlen(joined), "%s%s",
				 k ? "|" : "", av.argv[k]);
		if (strcmp(joined, split_cases[i].words) != 0)
			fail_msg("case %zu: got '%s'", i, joined);
		if (av.argc > 0)
			assert_null(av.argv[av.argc]);
		creds_argv_release(&av);
	}
}

static void test_split_bounds(void **state)
{
	char *many = malloc(CREDS_PROCESS_MAX_ARGS * 2 + 1);
	char *long_line = malloc(CREDS_PROCESS_MAX_LINE_BYTES + 2);
	struct creds_argv av;
	struct err e = { ERR_NONE, "" };

	(void)state;
	for (size_t i = 0; i < CREDS_PROCESS_MAX_ARGS; i++) {
		many[2 * i] = 'a';
		many[2 * i + 1] = ' ';
	}
	many[CREDS_PROCESS_MAX_ARGS * 2] = '\0';
	assert_int_equal(creds_process_split(many, &av, &e), -1);
	assert_int_equal(e.kind, ERR_LIMIT);
	creds_argv_release(&av);
	memset(long_line, 'x', CREDS_PROCESS_MAX_LINE_BYTES + 1);
	long_line[CREDS_PROCESS_MAX_LINE_BYTES + 1] = '\0';
	assert_int_equal(creds_process_split(long_line, &av, &e), -1);
	assert_int_equal(e.kind, ERR_LIMIT);
	creds_argv_release(&av);
	free(many);
	free(long_line);
}

/* ---- real children ------------------------------------------------------ */

static char tmpdir[] = "/tmp/envssm-test-process-XXXXXX";

static int setup(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* script writes an executable sh script and returns its path. */
static const char *script(const char *name, const char *body)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "#!/bin/sh\n%s\n", body);
	fclose(f);
	chmod(path, 0700);
	return path;
}

struct run_case {
	const char *name;
	const char *body;
	long timeout_ms;
	enum creds_run_failure fail;
	int status;
	const char *out;
};

static void test_run_real(void **state)
{
	static const struct run_case cases[] = {
		{ "ok", "printf '{\"Version\": 1}'", 5000, CREDS_RUN_OK, 0, "{\"Version\": 1}" },
		{ "fails", "echo 'credential helper: no session' >&2; exit 3", 5000, CREDS_RUN_EXIT, 3, NULL },
		{ "killed", "kill -USR1 $$", 5000, CREDS_RUN_SIGNALLED, 10, NULL },
		{ "hangs", "exec sleep 30", 300, CREDS_RUN_TIMEOUT, 0, NULL },
		{ "closes-then-hangs", "exec >&-; exec sleep 30", 300, CREDS_RUN_TIMEOUT, 0, NULL },
		{ "chatty", "head -c 200000 /dev/zero | tr '\\0' x", 5000, CREDS_RUN_TOO_LARGE, 0, NULL },
		{ "args", "printf '%s,' \"$@\"", 5000, CREDS_RUN_OK, 0, "a b,c," },
	};
	char *env[] = { "PATH=/usr/bin:/bin", NULL };

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *path = script(cases[i].name, cases[i].body);
		char *argv[] = { (char *)path, "a b", "c", NULL };
		struct creds_run r = { argv, env, CREDS_PROCESS_MAX_LINE_BYTES * 8, cases[i].timeout_ms };
		struct buf out = BUF_INIT;
		enum creds_run_failure fail;
		struct err e = { ERR_NONE, "" };
		struct timespec t0, t1;
		int status = -1;
		long ms;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		assert_int_equal(creds_sys_real.run(NULL, &r, &out, &fail, &status, &e), 0);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
		if (fail != cases[i].fail)
			fail_msg("case %s: failure %d, status %d", cases[i].name, fail, status);
		if (cases[i].fail == CREDS_RUN_EXIT || cases[i].fail == CREDS_RUN_SIGNALLED)
			assert_int_equal(status, cases[i].status);
		if (cases[i].out != NULL)
			assert_string_equal(buf_cstr(&out), cases[i].out);
		/* the timeout holds, with a little slack */
		if (cases[i].fail == CREDS_RUN_TIMEOUT && ms > cases[i].timeout_ms + 1500)
			fail_msg("case %s took %ld ms", cases[i].name, ms);
		buf_release(&out);
	}
}

/* gone tells whether pid has ended (a zombie no one reaped has ended),
 * waiting up to 2 s; SIGKILL reaches a process group at once, but its
 * members take a moment to die. */
static bool gone(pid_t pid)
{
	char path[64], text[512];

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	for (int i = 0; i < 100; i++) {
		FILE *f = fopen(path, "r");
		size_t n;
		char *paren;

		if (f == NULL)
			return true;
		n = fread(text, 1, sizeof(text) - 1, f);
		fclose(f);
		text[n] = '\0';
		paren = strrchr(text, ')');
		if (paren == NULL || paren[1] == '\0' || paren[2] == 'Z' || paren[2] == 'X')
			return true;
		nanosleep(&(struct timespec){0, 20000000}, NULL);
	}
	return false;
}

/* At the deadline the whole process group dies: a child of the helper
 * left in the background, whether the helper hangs or has exited while
 * that child keeps its stdout open, which must not hold envssm either. */
static void test_run_kills_the_group(void **state)
{
	static const struct {
		const char *name, *then;
	} cases[] = {
		{ "group-hangs", "exec sleep 30" },
		{ "group-exits", "printf '{\"Version\": 1}'; exit 0" },
	};
	char *env[] = { "PATH=/usr/bin:/bin", NULL };

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char body[512], pidfile[300], *argv[2];
		struct creds_run r = { argv, env, 1024, 500 };
		struct buf out = BUF_INIT;
		enum creds_run_failure fail;
		struct err e = { ERR_NONE, "" };
		struct timespec t0, t1;
		int status = -1, pid = 0;
		long ms;
		FILE *f;

		snprintf(pidfile, sizeof(pidfile), "%s/%s.pid", tmpdir, cases[i].name);
		snprintf(body, sizeof(body), "sleep 30 2>/dev/null &\necho $! > '%s'\n%s", pidfile,
		         cases[i].then);
		argv[0] = (char *)script(cases[i].name, body);
		argv[1] = NULL;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		assert_int_equal(creds_sys_real.run(NULL, &r, &out, &fail, &status, &e), 0);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
		if (fail != CREDS_RUN_TIMEOUT)
			fail_msg("case %s: failure %d, status %d", cases[i].name, fail, status);
		if (ms > 2000)
			fail_msg("case %s took %ld ms", cases[i].name, ms);
		f = fopen(pidfile, "r");
		assert_non_null(f);
		assert_int_equal(fscanf(f, "%d", &pid), 1);
		fclose(f);
		assert_true(pid > 1);
		if (!gone(pid)) {
			kill(pid, SIGKILL); /* this test started it */
			fail_msg("case %s: the helper's child %d outlived it", cases[i].name, pid);
		}
		buf_release(&out);
	}
}

static void test_run_not_found(void **state)
{
	char *argv[] = { "/nonexistent/envssm-helper", NULL };
	char *env[] = { NULL };
	struct creds_run r = { argv, env, 1024, 1000 };
	struct buf out = BUF_INIT;
	enum creds_run_failure fail;
	struct err e = { ERR_NONE, "" };
	int status = 0;

	(void)state;
	assert_int_equal(creds_sys_real.run(NULL, &r, &out, &fail, &status, &e), 0);
	assert_int_equal(fail, CREDS_RUN_NOT_FOUND);
	assert_int_not_equal(status, 0);
	buf_release(&out);
}

/* the provider end to end, with a profile in memory */
static void provider(const char *cmd, int want, const char *msg)
{
	struct profile_files pf;
	struct creds_ctx ctx;
	struct creds c;
	struct buf why = BUF_INIT, text = BUF_INIT;
	struct err e = { ERR_NONE, "" };
	char *env[] = { "PATH=/usr/bin:/bin", NULL };
	int rc;

	memset(&pf, 0, sizeof(pf));
	ini_init(&pf.config);
	ini_init(&pf.credentials);
	buf_printf(&text, NULL, "[profile p]\ncredential_process = %s\n", cmd);
	assert_int_equal(ini_parse(text.data, text.len, &pf.config, &e), 0);
	creds_ctx_init(&ctx, env, "p", false, &pf, 1700000000);
	creds_init(&c);
	rc = creds_profile_process(&ctx, "p", &c, &why, &e);
	if (rc != want)
		fail_msg("'%s': rc %d (%s)", cmd, rc, e.msg);
	if (rc < 0 && strstr(e.msg, msg) == NULL)
		fail_msg("'%s': got '%s'", cmd, e.msg);
	if (rc > 0)
		assert_string_equal(buf_cstr(&c.access_key_id), msg);
	creds_release(&c);
	creds_ctx_release(&ctx);
	buf_release(&why);
	buf_release(&text);
	ini_release(&pf.config);
	ini_release(&pf.credentials);
}

static void test_provider(void **state)
{
	char cmd[512];
	const char *ok = script("helper", "printf '{\"Version\":1,\"AccessKeyId\":\"AKID%s\",\"SecretAccessKey\":\"s\"}' \"$1\"");

	(void)state;
	snprintf(cmd, sizeof(cmd), "'%s' X", ok);
	provider(cmd, 1, "AKIDX");
	snprintf(cmd, sizeof(cmd), "%s", script("v2", "echo '{\"Version\":2,\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"s\"}'"));
	provider(cmd, -1, "has Version 2: only 1 is supported");
	snprintf(cmd, sizeof(cmd), "%s", script("garbage", "echo 'Enter MFA code:'"));
	provider(cmd, -1, "credential_process output is not valid JSON");
	snprintf(cmd, sizeof(cmd), "%s", script("exit7", "exit 7"));
	provider(cmd, -1, "failed with exit status 7 (its stderr is above)");
	provider("/nonexistent/helper --secret-arg", -1, "unable to run credential_process '/nonexistent/helper' of profile 'p': No such file or directory");
	provider("'unclosed", -1, "invalid credential_process in profile 'p': no closing quotation");
	provider("''", 1 - 2, "unable to run credential_process '' of profile 'p'");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_split_bounds),
		cmocka_unit_test(test_run_real),
		cmocka_unit_test(test_run_kills_the_group),
		cmocka_unit_test(test_run_not_found),
		cmocka_unit_test(test_provider),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
