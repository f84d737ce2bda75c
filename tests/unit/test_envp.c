/*
 * test_envp.c - reading the inherited environment and building the one the
 * program gets: override rules, one notice per name, each name exactly
 * once, values copied byte for byte.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "envp.h"

#define MAX_CALLS 64

#define MAX_ENTRIES 32

/* ENV(...) is a NULL-terminated environment of string literals. */
#define ENV(...) env_of((const char *const[]){__VA_ARGS__, NULL})

/* env_of copies a word list into one of a few static arrays (envp_build
 * takes char *const *; the literals themselves are never written). */
static char *const *env_of(const char *const *words)
{
	static char *ring[4][MAX_ENTRIES + 1];
	static unsigned next;
	char **env = ring[next++ % 4];
	size_t n = 0;

	for (; words[n] != NULL; n++) {
		assert_true(n < MAX_ENTRIES);
		env[n] = (char *)words[n];
	}
	env[n] = NULL;
	return env;
}

/* What the conflict callback saw. */
struct calls {
	size_t n;
	char name[MAX_CALLS][64];
	bool overridden[MAX_CALLS];
};

static void on_conflict(const char *name, bool overridden, void *arg)
{
	struct calls *c = arg;

	assert_true(c->n < MAX_CALLS);
	snprintf(c->name[c->n], sizeof(c->name[c->n]), "%s", name);
	c->overridden[c->n] = overridden;
	c->n++;
}

/* calls_of counts the callbacks that named name. */
static size_t calls_of(const struct calls *c, const char *name)
{
	size_t k = 0;

	for (size_t i = 0; i < c->n; i++)
		k += strcmp(c->name[i], name) == 0;
	return k;
}

/* count_name counts the entries of r named name. */
static size_t count_name(const struct envp_result *r, const char *name)
{
	size_t n = strlen(name), k = 0;

	for (size_t i = 0; i < r->len; i++)
		k += strncmp(r->envp[i], name, n) == 0 && r->envp[i][n] == '=';
	return k;
}

/* expect_env compares r with want entry by entry, in order. */
static void expect_env(const struct envp_result *r, const char *const *want)
{
	size_t n = 0;

	for (; want[n] != NULL; n++) {
		if (n >= r->len)
			fail_msg("missing entry %zu '%s'", n, want[n]);
		assert_string_equal(r->envp[n], want[n]);
	}
	assert_int_equal(r->len, n);
	assert_null(r->envp[n]);
}

static struct envp_var var(const char *name, const char *value)
{
	struct envp_var v = {name, value, strlen(value)};

	return v;
}

static void build_ok(char *const *inh, const struct envp_var *vars, size_t n, bool no_override,
                     struct calls *calls, struct envp_result *r)
{
	struct envp_opts o = {no_override, on_conflict, calls};
	struct err e = {ERR_NONE, ""};

	memset(calls, 0, sizeof(*calls));
	if (envp_build(inh, vars, n, &o, r, &e) != 0)
		fail_msg("envp_build failed: %s", e.msg);
}

/* --- env_get --- */

static void test_env_get(void **state)
{
	char *const *env = ENV("PATHX=wrong", "PATH", "PATH=/bin", "PATH=/usr/bin",
	                       "EMPTY=", "A=b=c", "=novalue");

	(void)state;
	assert_string_equal(env_get(env, "PATH"), "/bin");
	assert_string_equal(env_get(env, "PATHX"), "wrong");
	assert_null(env_get(env, "PAT"));
	assert_null(env_get(env, "PATHXY"));
	assert_null(env_get(env, "MISSING"));
	assert_string_equal(env_get(env, "EMPTY"), "");
	assert_string_equal(env_get(env, "A"), "b=c");
	assert_null(env_get(NULL, "PATH"));
	assert_null(env_get(ENV(NULL), "PATH"));
}

static void test_env_get_nonempty(void **state)
{
	char *const *env = ENV("EMPTY=", "EMPTY=later", "SET=x");

	(void)state;
	assert_null(env_get_nonempty(env, "EMPTY"));
	assert_string_equal(env_get_nonempty(env, "SET"), "x");
	assert_null(env_get_nonempty(env, "MISSING"));
	assert_null(env_get_nonempty(NULL, "SET"));
}

/* --- envp_build --- */

static void test_override(void **state)
{
	char *const *inh = ENV("A=1", "DB_HOST=old", "B=2");
	struct envp_var vars[] = {var("DB_HOST", "new"), var("NEW", "v")};
	struct envp_result r;
	struct calls calls;

	(void)state;
	build_ok(inh, vars, 2, false, &calls, &r);
	expect_env(&r, (const char *const[]){"A=1", "B=2", "DB_HOST=new", "NEW=v", NULL});
	assert_int_equal(calls.n, 1);
	assert_string_equal(calls.name[0], "DB_HOST");
	assert_true(calls.overridden[0]);
	/* inherited entries are borrowed, fetched ones owned */
	assert_ptr_equal(r.envp[0], inh[0]);
	assert_false(r.owned[0]);
	assert_ptr_equal(r.envp[1], inh[2]);
	assert_true(r.owned[2]);
	assert_true(r.owned[3]);
	envp_release(&r);
	assert_null(r.envp);
	assert_int_equal(r.len, 0);
}

static void test_no_override(void **state)
{
	char *const *inh = ENV("A=1", "DB_HOST=old", "B=2");
	struct envp_var vars[] = {var("DB_HOST", "new"), var("NEW", "v")};
	struct envp_result r;
	struct calls calls;

	(void)state;
	build_ok(inh, vars, 2, true, &calls, &r);
	expect_env(&r, (const char *const[]){"A=1", "DB_HOST=old", "B=2", "NEW=v", NULL});
	assert_int_equal(calls.n, 1);
	assert_string_equal(calls.name[0], "DB_HOST");
	assert_false(calls.overridden[0]);
	envp_release(&r);
}

static void test_duplicates_override(void **state)
{
	char *const *inh = ENV("X=1", "Y=y1", "X=2", "Y=y2", "X=3");
	struct envp_var vars[] = {var("X", "fetched")};
	struct envp_result r;
	struct calls calls;

	(void)state;
	build_ok(inh, vars, 1, false, &calls, &r);
	expect_env(&r, (const char *const[]){"Y=y1", "X=fetched", NULL});
	/* one notice per overridden name, however often it was inherited */
	assert_int_equal(calls.n, 1);
	assert_int_equal(calls_of(&calls, "X"), 1);
	assert_true(calls.overridden[0]);
	envp_release(&r);
}

static void test_duplicates_no_override(void **state)
{
	char *const *inh = ENV("X=1", "Y=y1", "X=2", "Y=y2", "X=3");
	struct envp_var vars[] = {var("X", "fetched")};
	struct envp_result r;
	struct calls calls;

	(void)state;
	build_ok(inh, vars, 1, true, &calls, &r);
	expect_env(&r, (const char *const[]){"X=1", "Y=y1", NULL});
	assert_int_equal(calls.n, 1);
	assert_false(calls.overridden[0]);
	envp_release(&r);
}

static void test_malformed_inherited(void **state)
{
	char *const *inh = ENV("A=1", "NOEQ", "=bad", "A=2", "B=", "NOEQ", "C=x=y", "=");
	struct envp_result r;
	struct calls calls;

	(void)state;
	build_ok(inh, NULL, 0, false, &calls, &r);
	expect_env(&r, (const char *const[]){"A=1", "B=", "C=x=y", NULL});
	assert_int_equal(calls.n, 0);
	envp_release(&r);
}

static void test_inherited_without_equals_named_like_var(void **state)
{
	char *const *inh = ENV("X", "Z=1");
	struct envp_var vars[] = {var("X", "v")};
	struct envp_result r;
	struct calls calls;

	(void)state;
	build_ok(inh, vars, 1, true, &calls, &r);
	/* "X" without '=' is no value to keep: the fetched one goes in */
	expect_env(&r, (const char *const[]){"Z=1", "X=v", NULL});
	assert_int_equal(calls.n, 0);
	envp_release(&r);
}

static void test_name_prefixes_do_not_match(void **state)
{
	char *const *inh = ENV("PATHX=1", "PATH=/bin", "PAT=2");
	struct envp_var vars[] = {var("PATHXY", "a"), var("PATH_", "b")};
	struct envp_result r;
	struct calls calls;

	(void)state;
	build_ok(inh, vars, 2, false, &calls, &r);
	expect_env(&r, (const char *const[]){"PATHX=1", "PATH=/bin", "PAT=2", "PATHXY=a", "PATH_=b",
	                                     NULL});
	assert_int_equal(calls.n, 0);
	envp_release(&r);
}

static void test_values_byte_exact(void **state)
{
	static const char raw[] = "line1\nline2\r\n=x=\"'$`\\ caf\xc3\xa9 \xf0\x9f\x94\x91";
	struct envp_var vars[] = {
	        {"A", raw, sizeof(raw) - 1},
	        {"B", "", 0},
	        {"C", "truncated-here-not-copied", 9},
	};
	char want[sizeof(raw) + 2];
	struct envp_result r;
	struct calls calls;

	(void)state;
	build_ok(ENV(NULL), vars, 3, false, &calls, &r);
	assert_int_equal(r.len, 3);
	want[0] = 'A';
	want[1] = '=';
	memcpy(want + 2, raw, sizeof(raw));
	assert_int_equal(strlen(r.envp[0]), sizeof(raw) + 1);
	assert_memory_equal(r.envp[0], want, sizeof(want));
	assert_string_equal(r.envp[1], "B=");
	assert_string_equal(r.envp[2], "C=truncated");
	envp_release(&r);
}

static void test_no_inherited(void **state)
{
	struct envp_var vars[] = {var("A", "1"), var("B", "2")};
	struct envp_result r;
	struct calls calls;

	(void)state;
	build_ok(NULL, vars, 2, false, &calls, &r);
	expect_env(&r, (const char *const[]){"A=1", "B=2", NULL});
	envp_release(&r);
	build_ok(NULL, NULL, 0, false, &calls, &r);
	assert_int_equal(r.len, 0);
	assert_non_null(r.envp);
	assert_null(r.envp[0]);
	envp_release(&r);
}

static void test_no_callback(void **state)
{
	struct envp_var vars[] = {var("A", "new")};
	struct envp_opts o = {false, NULL, NULL};
	struct envp_result r;
	struct err e = {ERR_NONE, ""};

	(void)state;
	assert_int_equal(envp_build(ENV("A=old", "A=older"), vars, 1, &o, &r, &e), 0);
	expect_env(&r, (const char *const[]){"A=new", NULL});
	envp_release(&r);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Many sorted vars against an environment holding every one of them, in
 * another order, twice: the sorted lookup must find each. */
static void test_many_sorted_vars(void **state)
{
	enum { N = 200 };
	static char names[N][16], entries[2 * N][32];
	const char *sorted[N];
	struct envp_var vars[N];
	char *inh[2 * N + 1];
	struct envp_result r;
	struct envp_opts o = {false, NULL, NULL};
	struct err e = {ERR_NONE, ""};

	(void)state;
	for (int i = 0; i < N; i++) {
		snprintf(names[i], sizeof(names[i]), "V%d", (i * 37) % N);
		sorted[i] = names[i];
	}
	qsort(sorted, N, sizeof(sorted[0]), cmp_str);
	for (int i = 0; i < N; i++)
		vars[i] = var(sorted[i], "f");
	for (int i = 0; i < 2 * N; i++) {
		snprintf(entries[i], sizeof(entries[i]), "%s=i%d", names[i % N], i);
		inh[i] = entries[i];
	}
	inh[2 * N] = NULL;
	{
		size_t hits = 0;

		assert_int_equal(envp_build(inh, vars, N, &o, &r, &e), 0);
		assert_int_equal(r.len, N);
		for (int i = 0; i < N; i++) {
			assert_int_equal(count_name(&r, sorted[i]), 1);
			hits += r.owned[i];
		}
		assert_int_equal(hits, N);
		envp_release(&r);
	}
	o.no_override = true;
	assert_int_equal(envp_build(inh, vars, N, &o, &r, &e), 0);
	assert_int_equal(r.len, N);
	for (int i = 0; i < N; i++) {
		assert_false(r.owned[i]);
		assert_ptr_equal(r.envp[i], inh[i]);
	}
	envp_release(&r);
}

static void test_many_conflicts_counted_once(void **state)
{
	char *const *inh = ENV("B=1", "A=1", "C=1", "B=2", "A=2", "C=2", "D=1");
	struct envp_var vars[] = {var("A", "x"), var("B", "x"), var("C", "x")};
	struct envp_result r;
	struct calls calls;

	(void)state;
	for (int mode = 0; mode < 2; mode++) {
		build_ok(inh, vars, 3, mode == 1, &calls, &r);
		assert_int_equal(r.len, 4);
		assert_int_equal(calls.n, 3);
		assert_int_equal(calls_of(&calls, "A"), 1);
		assert_int_equal(calls_of(&calls, "B"), 1);
		assert_int_equal(calls_of(&calls, "C"), 1);
		assert_int_equal(count_name(&r, "A"), 1);
		assert_int_equal(count_name(&r, "B"), 1);
		assert_int_equal(count_name(&r, "C"), 1);
		assert_int_equal(count_name(&r, "D"), 1);
		envp_release(&r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_env_get),
	        cmocka_unit_test(test_env_get_nonempty),
	        cmocka_unit_test(test_override),
	        cmocka_unit_test(test_no_override),
	        cmocka_unit_test(test_duplicates_override),
	        cmocka_unit_test(test_duplicates_no_override),
	        cmocka_unit_test(test_malformed_inherited),
	        cmocka_unit_test(test_inherited_without_equals_named_like_var),
	        cmocka_unit_test(test_name_prefixes_do_not_match),
	        cmocka_unit_test(test_values_byte_exact),
	        cmocka_unit_test(test_no_inherited),
	        cmocka_unit_test(test_no_callback),
	        cmocka_unit_test(test_many_sorted_vars),
	        cmocka_unit_test(test_many_conflicts_counted_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
