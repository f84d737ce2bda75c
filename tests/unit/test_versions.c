/*
 * test_versions.c - fingerprints of names and versions, the watch's
 * option parsers and its health and backoff.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <signal.h>
#include <string.h>

#include "versions.h"
#include "watch.h"

static void parse(const char *json, struct buf *lines, struct buf *token, int want)
{
	struct err e = {ERR_NONE, ""};

	assert_int_equal(versions_parse_describe(json, strlen(json), lines, token, &e), want);
}

static void test_parse_pages(void **state)
{
	struct buf lines = BUF_INIT, token = BUF_INIT;
	struct err e = {ERR_NONE, ""};

	(void)state;
	parse("{\"Parameters\":[{\"Name\":\"/app/b\",\"Type\":\"SecureString\",\"Version\":12},"
	      "{\"Name\":\"/app/a\",\"Version\":1}],\"NextToken\":\"abc\"}",
	      &lines, &token, 0);
	assert_string_equal(buf_cstr(&token), "abc");
	parse("{\"Parameters\":[{\"Name\":\"/app/c\",\"Version\":3}]}", &lines, &token, 0);
	assert_int_equal(token.len, 0);
	assert_int_equal(versions_sort(&lines, &e), 0);
	assert_string_equal(buf_cstr(&lines), "/app/a\t1\n/app/b\t12\n/app/c\t3\n");
	buf_release(&lines);
	buf_release(&token);
}

static void test_parse_refuses(void **state)
{
	static const char *const bad[] = {
	        "[]",
	        "{\"Parameters\":{}}",
	        "{\"Parameters\":[{\"Name\":\"/a\"}]}",
	        "{\"Parameters\":[{\"Name\":\"/a\",\"Version\":0}]}",
	        "{\"Parameters\":[{\"Name\":\"/a\\n/b\",\"Version\":1}]}",
	        "{\"Parameters\":[{\"Name\":\"\",\"Version\":1}]}",
	        "{\"Parameters\":[{\"Name\":7,\"Version\":1}]}",
	        "not json",
	};
	struct buf lines = BUF_INIT, token = BUF_INIT;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		parse(bad[i], &lines, &token, -1);
	buf_release(&lines);
	buf_release(&token);
}

static void test_sort_dedups_and_diff(void **state)
{
	struct buf a = BUF_INIT, b = BUF_INIT, d = BUF_INIT;
	struct err e = {ERR_NONE, ""};

	(void)state;
	assert_int_equal(buf_puts(&a, "/x\t1\n/a\t2\n/a\t2\n/gone\t4\n", &e), 0);
	assert_int_equal(versions_sort(&a, &e), 0);
	assert_string_equal(buf_cstr(&a), "/a\t2\n/gone\t4\n/x\t1\n");
	assert_int_equal(buf_puts(&b, "/a\t3\n/new\t1\n/x\t1\n", &e), 0);
	assert_int_equal(versions_diff(&a, &b, &d, 10, &e), 0);
	assert_string_equal(buf_cstr(&d),
	                    "/a (version 2 -> 3), /gone (removed), /new (new, version 1)");
	buf_truncate(&d, 0);
	assert_int_equal(versions_diff(&a, &b, &d, 1, &e), 0);
	assert_string_equal(buf_cstr(&d), "/a (version 2 -> 3), ...");
	buf_truncate(&d, 0);
	assert_int_equal(versions_diff(&b, &b, &d, 10, &e), 0);
	assert_int_equal(d.len, 0);
	/* a secret's digest changes, or one appears: named, the digest never shown */
	buf_truncate(&a, 0);
	buf_truncate(&b, 0);
	assert_int_equal(buf_puts(&a, "prod/db\tvalue:0123abcd\n", &e), 0);
	assert_int_equal(buf_puts(&b, "prod/api\tvalue:77aa\nprod/db\tvalue:9999ffff\n", &e), 0);
	assert_int_equal(versions_diff(&a, &b, &d, 10, &e), 0);
	assert_string_equal(buf_cstr(&d), "prod/api (new), prod/db (new value)");
	buf_release(&a);
	buf_release(&b);
	buf_release(&d);
}

static void test_interval(void **state)
{
	static const struct {
		const char *in;
		long ms;
	} good[] = {{"30", 30000}, {"30s", 30000}, {"5m", 300000}, {"1h", 3600000},
	            {"1", 1000},   {"24h", 86400000}};
	static const char *const bad[] = {"0", "-5", "", "5d", "1.5", "25h", "1441m", "s", "5 m"};
	struct err e = {ERR_NONE, ""};
	long ms;

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_int_equal(watch_parse_interval(good[i].in, "--watch", &ms, &e), 0);
		assert_int_equal(ms, good[i].ms);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(watch_parse_interval(bad[i], "--watch", &ms, &e), -1);
		assert_int_equal(e.kind, ERR_USAGE);
		assert_non_null(strstr(e.msg, "--watch"));
	}
}

static void test_signal_names(void **state)
{
	struct err e = {ERR_NONE, ""};
	int sig;

	(void)state;
	assert_int_equal(watch_parse_signal("TERM", "--stop-signal", &sig, &e), 0);
	assert_int_equal(sig, SIGTERM);
	assert_int_equal(watch_parse_signal("sigquit", "--stop-signal", &sig, &e), 0);
	assert_int_equal(sig, SIGQUIT);
	assert_int_equal(watch_parse_signal("10", "--stop-signal", &sig, &e), 0);
	assert_int_equal(sig, 10);
	assert_int_equal(watch_parse_signal("STOP", "--stop-signal", &sig, &e), -1);
	assert_int_equal(watch_parse_signal("19", "--stop-signal", &sig, &e), -1);
	assert_int_equal(watch_parse_signal("0", "--stop-signal", &sig, &e), -1);
}

static void test_jitter_bounds(void **state)
{
	unsigned long long seed = 0x9e3779b97f4a7c15ULL;
	long lo = 1000000, hi = 0;

	(void)state;
	for (int i = 0; i < 10000; i++) {
		long j = watch_jitter(10000, &seed);

		lo = j < lo ? j : lo;
		hi = j > hi ? j : hi;
	}
	assert_true(lo >= 9000 && lo < 9100);
	assert_true(hi < 11000 && hi > 10900);
}

/* An outage, a recovery with a change whose builds fail, then one that
 * builds: each change of health noted once, the wait backing off to four
 * intervals and back. */
static void test_health_and_backoff(void **state)
{
	struct watch_state st = {WATCH_OK, 0};
	const long iv = 30000;

	(void)state;
	assert_int_equal(watch_wait_ms(&st, iv), iv);
	assert_int_equal(watch_polled(&st, false), WATCH_NOTE_NONE);
	assert_int_equal(watch_poll_failed(&st), WATCH_NOTE_POLL_FAILING);
	assert_int_equal(watch_wait_ms(&st, iv), 2 * iv);
	assert_int_equal(watch_poll_failed(&st), WATCH_NOTE_NONE);
	assert_int_equal(watch_wait_ms(&st, iv), 4 * iv);
	for (int i = 0; i < 40; i++)
		assert_int_equal(watch_poll_failed(&st), WATCH_NOTE_NONE);
	assert_int_equal(watch_wait_ms(&st, iv), 4 * iv); /* capped */
	/* back, with a change: the outage is over */
	assert_int_equal(watch_polled(&st, true), WATCH_NOTE_POLL_BACK);
	assert_int_equal(watch_wait_ms(&st, iv), iv);
	assert_int_equal(watch_build_failed(&st), WATCH_NOTE_BUILD_FAILING);
	assert_int_equal(watch_wait_ms(&st, iv), 2 * iv);
	/* still changed, still incomplete: no new note, the backoff goes on */
	assert_int_equal(watch_polled(&st, true), WATCH_NOTE_NONE);
	assert_int_equal(watch_build_failed(&st), WATCH_NOTE_NONE);
	assert_int_equal(watch_wait_ms(&st, iv), 4 * iv);
	/* the versions went back to the running ones */
	assert_int_equal(watch_polled(&st, false), WATCH_NOTE_VERSIONS_BACK);
	assert_int_equal(watch_wait_ms(&st, iv), iv);
	assert_int_equal(watch_polled(&st, false), WATCH_NOTE_NONE);
	/* a failing build, then an outage: that is news too */
	assert_int_equal(watch_polled(&st, true), WATCH_NOTE_NONE);
	assert_int_equal(watch_build_failed(&st), WATCH_NOTE_BUILD_FAILING);
	assert_int_equal(watch_poll_failed(&st), WATCH_NOTE_POLL_FAILING);
	assert_int_equal(watch_wait_ms(&st, iv), 4 * iv);
	assert_int_equal(watch_polled(&st, true), WATCH_NOTE_POLL_BACK);
	watch_built(&st);
	assert_int_equal(st.health, WATCH_OK);
	assert_int_equal(watch_wait_ms(&st, iv), iv);
	/* the longest interval backs off without overflow */
	for (int i = 0; i < 3; i++)
		watch_poll_failed(&st);
	assert_int_equal(watch_wait_ms(&st, 86400000L), 4 * 86400000L);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_parse_pages),     cmocka_unit_test(test_parse_refuses),
	        cmocka_unit_test(test_sort_dedups_and_diff), cmocka_unit_test(test_interval),
	        cmocka_unit_test(test_signal_names),    cmocka_unit_test(test_jitter_bounds),
	        cmocka_unit_test(test_health_and_backoff),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
