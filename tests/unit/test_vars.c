/*
 * test_vars.c - from fetched parameters to variables: mapping per PATH,
 * collisions, reserved names, overlaying several PATHs.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vars.h"

#define SECRET "s3cr3t-Value-9f2c"

/* --- helpers: parameter lists built by hand (vars only borrows them) --- */

/* params_of fills p with one parameter per name, each valued SECRET plus
 * its index. */
static void params_of(struct ssm_params *p, const char *const *names, size_t n)
{
	memset(p, 0, sizeof(*p));
	p->items = calloc(n + 1, sizeof(*p->items));
	assert_non_null(p->items);
	p->cap = n + 1;
	for (size_t i = 0; i < n; i++) {
		struct ssm_param *it = &p->items[i];
		char value[64];

		it->name = strdup(names[i]);
		assert_non_null(it->name);
		snprintf(it->type, sizeof(it->type), "SecureString");
		it->version = 1;
		snprintf(value, sizeof(value), "%s%zu", SECRET, i);
		buf_init(&it->value);
		assert_int_equal(buf_puts(&it->value, value, NULL), 0);
	}
	p->len = n;
}

static void params_free(struct ssm_params *p)
{
	for (size_t i = 0; i < p->len; i++) {
		free(p->items[i].name);
		buf_release(&p->items[i].value);
	}
	free(p->items);
	memset(p, 0, sizeof(*p));
}

static const struct vars_opts plain = {NULL, NULL, false};

/* add_ok adds params[from, to) under path and fails the test on error. */
static void add_ok(struct vars *v, const char *path, const struct ssm_params *p, size_t from,
                   size_t to, const struct vars_opts *o)
{
	struct err e = {ERR_NONE, ""};

	if (vars_add_path(v, path, p, from, to, o, &e) != 0)
		fail_msg("vars_add_path('%s') failed: %s", path, e.msg);
}

/* add_bad expects ERR_NAMES and returns the message in e. */
static void add_bad(struct vars *v, const char *path, const struct ssm_params *p,
                    const struct vars_opts *o, struct err *e)
{
	memset(e, 0, sizeof(*e));
	assert_int_equal(vars_add_path(v, path, p, 0, p->len, o, e), -1);
	assert_int_equal(e->kind, ERR_NAMES);
	assert_null(strstr(e->msg, SECRET));
}

/* found returns the name of the parameter behind variable name. */
static const char *found(const struct vars *v, const char *name)
{
	const struct var *var = vars_find(v, name);

	if (var == NULL)
		fail_msg("no variable '%s'", name);
	return var->param->name;
}

/* --- tests --- */

static void test_map_one_path(void **state)
{
	static const char *const names[] = {
	        "/production/app/django/secret-key",
	        "/production/app/db.host",
	        "/production/app2/x",
	        "/production/app",
	        "/other/app/y",
	        "/production/app/1st",
	};
	struct ssm_params p;
	struct vars v;

	(void)state;
	params_of(&p, names, 6);
	vars_init(&v);
	add_ok(&v, "/production/app", &p, 0, p.len, &plain);
	vars_finish(&v);
	assert_int_equal(v.len, 3);
	/* sorted by name */
	assert_string_equal(v.items[0].name, "DB_HOST");
	assert_string_equal(v.items[1].name, "DJANGO_SECRET_KEY");
	assert_string_equal(v.items[2].name, "_1ST");
	assert_string_equal(found(&v, "DJANGO_SECRET_KEY"), "/production/app/django/secret-key");
	assert_string_equal(found(&v, "DB_HOST"), "/production/app/db.host");
	assert_ptr_equal(vars_find(&v, "DB_HOST")->param, &p.items[1]);
	assert_string_equal(vars_find(&v, "DB_HOST")->path, "/production/app");
	assert_null(vars_find(&v, "X"));
	assert_null(vars_find(&v, "Y"));
	assert_null(vars_find(&v, "DB"));
	vars_release(&v);
	assert_int_equal(v.len, 0);
	assert_null(v.items);
	params_free(&p);
}

static void test_range_is_honoured(void **state)
{
	static const char *const names[] = {"/a/x", "/a/y", "/a/z"};
	struct ssm_params p;
	struct vars v;

	(void)state;
	params_of(&p, names, 3);
	vars_init(&v);
	add_ok(&v, "/a", &p, 1, 2, &plain);
	vars_finish(&v);
	assert_int_equal(v.len, 1);
	assert_string_equal(v.items[0].name, "Y");
	vars_release(&v);
	params_free(&p);
}

static void test_nothing_found(void **state)
{
	static const char *const names[] = {"/b/x", "/ab/x", "/a"};
	struct ssm_params p;
	struct vars v;

	(void)state;
	params_of(&p, names, 3);
	vars_init(&v);
	add_ok(&v, "/a", &p, 0, 0, &plain);
	add_ok(&v, "/a", &p, 0, p.len, &plain);
	vars_finish(&v);
	assert_int_equal(v.len, 0);
	assert_null(vars_find(&v, "X"));
	vars_release(&v);
	vars_init(&v);
	vars_finish(&v); /* on a never-used list */
	assert_int_equal(v.len, 0);
	vars_release(&v);
	params_free(&p);
}

static void test_root_path(void **state)
{
	static const char *const names[] = {"/app/db/host", "/x"};
	struct ssm_params p;
	struct vars v;

	(void)state;
	params_of(&p, names, 2);
	vars_init(&v);
	add_ok(&v, "/", &p, 0, p.len, &plain);
	vars_finish(&v);
	assert_int_equal(v.len, 2);
	assert_string_equal(found(&v, "APP_DB_HOST"), "/app/db/host");
	assert_string_equal(found(&v, "X"), "/x");
	vars_release(&v);
	params_free(&p);
}

static void test_collision_in_one_path(void **state)
{
	static const char *const names[] = {"/app/a", "/app/db-host", "/app/b", "/app/db.host"};
	struct ssm_params p;
	struct vars v;
	struct err e;

	(void)state;
	params_of(&p, names, 4);
	vars_init(&v);
	add_bad(&v, "/app", &p, &plain, &e);
	assert_non_null(strstr(e.msg, "'/app/db-host'"));
	assert_non_null(strstr(e.msg, "'/app/db.host'"));
	assert_non_null(strstr(e.msg, "DB_HOST"));
	vars_release(&v);
	params_free(&p);
}

static void test_collision_case(void **state)
{
	static const char *const names[] = {"/app/Token", "/app/TOKEN"};
	struct ssm_params p;
	struct vars v;
	struct err e;

	(void)state;
	params_of(&p, names, 2);
	vars_init(&v);
	add_bad(&v, "/app", &p, &plain, &e);
	assert_non_null(strstr(e.msg, "/app/Token"));
	assert_non_null(strstr(e.msg, "/app/TOKEN"));
	vars_release(&v);
	params_free(&p);
}

static void test_collision_last_segment(void **state)
{
	static const char *const names[] = {"/app/web/port", "/app/db/port"};
	struct vars_opts o = {NULL, NULL, true};
	struct ssm_params p;
	struct vars v;
	struct err e;

	(void)state;
	params_of(&p, names, 2);
	vars_init(&v);
	add_bad(&v, "/app", &p, &o, &e);
	assert_non_null(strstr(e.msg, "/app/web/port"));
	assert_non_null(strstr(e.msg, "/app/db/port"));
	assert_non_null(strstr(e.msg, "PORT"));
	vars_release(&v);
	/* without the option the two are distinct */
	vars_init(&v);
	add_ok(&v, "/app", &p, 0, p.len, &plain);
	vars_finish(&v);
	assert_int_equal(v.len, 2);
	vars_release(&v);
	params_free(&p);
}

static void test_later_path_wins(void **state)
{
	static const char *const names[] = {
	        "/common/db_host",    "/common/log-level", "/common/only_common", /* PATH 1 */
	        "/app/db_host",       "/app/only_app",                            /* PATH 2 */
	        "/app/web/log-level",                                             /* PATH 3 */
	};
	struct ssm_params p;
	struct vars v;

	(void)state;
	params_of(&p, names, 6);
	vars_init(&v);
	add_ok(&v, "/common", &p, 0, 3, &plain);
	add_ok(&v, "/app", &p, 3, 5, &plain);
	add_ok(&v, "/app/web", &p, 5, 6, &plain);
	vars_finish(&v);
	assert_int_equal(v.len, 4);
	assert_string_equal(found(&v, "DB_HOST"), "/app/db_host");
	assert_string_equal(found(&v, "LOG_LEVEL"), "/app/web/log-level");
	assert_string_equal(found(&v, "ONLY_COMMON"), "/common/only_common");
	assert_string_equal(found(&v, "ONLY_APP"), "/app/only_app");
	assert_string_equal(vars_find(&v, "DB_HOST")->path, "/app");
	for (size_t i = 1; i < v.len; i++)
		assert_true(strcmp(v.items[i - 1].name, v.items[i].name) < 0);
	vars_release(&v);
	params_free(&p);
}

static void test_later_path_wins_reversed(void **state)
{
	static const char *const names[] = {"/app/db_host", "/common/db_host"};
	struct ssm_params p;
	struct vars v;

	(void)state;
	params_of(&p, names, 2);
	vars_init(&v);
	add_ok(&v, "/app", &p, 0, 1, &plain);
	add_ok(&v, "/common", &p, 1, 2, &plain);
	vars_finish(&v);
	assert_int_equal(v.len, 1);
	assert_string_equal(found(&v, "DB_HOST"), "/common/db_host");
	vars_release(&v);
	params_free(&p);
}

/* Many names per PATH, so that the sort inside each PATH reorders them: the
 * later PATH must still win for every name. */
static void test_later_path_wins_many(void **state)
{
	enum { N = 40 };
	static char store[2 * N][32];
	const char *names[2 * N];
	struct ssm_params p;
	struct vars v;

	(void)state;
	for (int i = 0; i < N; i++) {
		snprintf(store[i], sizeof(store[i]), "/one/k%02d", (i * 7) % N);
		snprintf(store[N + i], sizeof(store[N + i]), "/two/k%02d", (i * 11) % N);
		names[i] = store[i];
		names[N + i] = store[N + i];
	}
	params_of(&p, names, 2 * N);
	vars_init(&v);
	add_ok(&v, "/one", &p, 0, N, &plain);
	add_ok(&v, "/two", &p, N, 2 * N, &plain);
	vars_finish(&v);
	assert_int_equal(v.len, N);
	for (size_t i = 0; i < v.len; i++)
		assert_true(strncmp(v.items[i].param->name, "/two/", 5) == 0);
	vars_release(&v);
	params_free(&p);
}

static void test_same_path_twice(void **state)
{
	static const char *const names[] = {"/app/x", "/app/x"};
	struct ssm_params p;
	struct vars v;

	(void)state;
	params_of(&p, names, 2);
	vars_init(&v);
	add_ok(&v, "/app", &p, 0, 1, &plain);
	add_ok(&v, "/app", &p, 1, 2, &plain);
	vars_finish(&v);
	assert_int_equal(v.len, 1);
	assert_ptr_equal(vars_find(&v, "X")->param, &p.items[1]);
	vars_release(&v);
	params_free(&p);
}

static void test_reserved_refused(void **state)
{
	static const char *const cases[][2] = {
	        {"/app/path", "PATH"},
	        {"/app/ld-preload", "LD_PRELOAD"},
	        {"/app/ld_library_path", "LD_LIBRARY_PATH"},
	        {"/app/aws/access_key_id", "AWS_ACCESS_KEY_ID"},
	        {"/app/aws-container-credentials-full-uri", "AWS_CONTAINER_CREDENTIALS_FULL_URI"},
	        {"/app/node.options", "NODE_OPTIONS"},
	        {"/app/Home", "HOME"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *const one[] = {"/app/ok", cases[i][0]};
		struct ssm_params p;
		struct vars v;
		struct err e;

		params_of(&p, one, 2);
		vars_init(&v);
		add_bad(&v, "/app", &p, &plain, &e);
		if (strstr(e.msg, cases[i][0]) == NULL || strstr(e.msg, cases[i][1]) == NULL ||
		    strstr(e.msg, "--allow-name") == NULL)
			fail_msg("message '%s' should name '%s', '%s' and --allow-name", e.msg,
			         cases[i][0], cases[i][1]);
		vars_release(&v);
		params_free(&p);
	}
}

static void test_reserved_allowed(void **state)
{
	static const char *const names[] = {"/app/path", "/app/home", "/app/ld_preload"};
	struct vars_opts partly = {"PATH,HOME", NULL, false};
	struct vars_opts all = {"HOME,LD_PRELOAD,PATH", NULL, false};
	struct vars_opts near = {"PATHS,LD_*,HOM", NULL, false};
	struct ssm_params p;
	struct vars v;
	struct err e;

	(void)state;
	params_of(&p, names, 3);
	vars_init(&v);
	add_bad(&v, "/app", &p, &partly, &e);
	assert_non_null(strstr(e.msg, "LD_PRELOAD"));
	vars_release(&v);
	vars_init(&v);
	add_bad(&v, "/app", &p, &near, &e);
	vars_release(&v);
	vars_init(&v);
	add_ok(&v, "/app", &p, 0, p.len, &all);
	vars_finish(&v);
	assert_int_equal(v.len, 3);
	assert_string_equal(found(&v, "PATH"), "/app/path");
	vars_release(&v);
	params_free(&p);
}

/* The message says why a name is reserved; envssm's own settings cannot
 * be allowed at all, so a parameter can never steer a nested envssm. */
static void test_reserved_reason_and_fixed(void **state)
{
	static const char *const conf[] = {"/app/openssl-conf"};
	static const char *const own[] = {"/app/envssm-allow-names"};
	struct vars_opts allow_all = {"OPENSSL_CONF,ENVSSM_ALLOW_NAMES", NULL, false};
	struct ssm_params p;
	struct vars v;
	struct err e;

	(void)state;
	params_of(&p, conf, 1);
	vars_init(&v);
	add_bad(&v, "/app", &p, &plain, &e);
	assert_string_equal(e.msg, "parameter '/app/openssl-conf' maps to the reserved name "
	                           "'OPENSSL_CONF' (OpenSSL loads configuration, providers and "
	                           "engines from here): allow it with --allow-name OPENSSL_CONF");
	vars_release(&v);
	vars_init(&v);
	add_ok(&v, "/app", &p, 0, p.len, &allow_all);
	vars_release(&v);
	params_free(&p);

	params_of(&p, own, 1);
	vars_init(&v);
	add_bad(&v, "/app", &p, &allow_all, &e);
	assert_string_equal(e.msg, "parameter '/app/envssm-allow-names' maps to the reserved name "
	                           "'ENVSSM_ALLOW_NAMES' (envssm's own settings, which a nested "
	                           "envssm would obey): it cannot be allowed");
	vars_release(&v);
	params_free(&p);
}

/* Print mode looks names up straight from "NAME=value" entries. */
static void test_find_by_length(void **state)
{
	static const char *const names[] = {"/app/db", "/app/db-host", "/app/d"};
	struct ssm_params p;
	struct vars v;

	(void)state;
	params_of(&p, names, 3);
	vars_init(&v);
	add_ok(&v, "/app", &p, 0, p.len, &plain);
	vars_finish(&v);
	assert_ptr_equal(vars_find_n(&v, "DB=x", 2)->param, &p.items[0]);
	assert_ptr_equal(vars_find_n(&v, "DB_HOST=x", 7)->param, &p.items[1]);
	assert_ptr_equal(vars_find_n(&v, "D=x", 1)->param, &p.items[2]);
	assert_null(vars_find_n(&v, "DB_=x", 3));
	assert_null(vars_find_n(&v, "DB_HOSTS=x", 8));
	assert_null(vars_find_n(&v, "=x", 0));
	vars_release(&v);
	params_free(&p);
}

static void test_name_prefix(void **state)
{
	static const char *const names[] = {"/app/db/host", "/app/1x"};
	struct vars_opts o = {NULL, "APP_", false};
	struct vars_opts ld = {NULL, "LD_", false};
	struct ssm_params p;
	struct vars v;
	struct err e;

	(void)state;
	params_of(&p, names, 2);
	vars_init(&v);
	add_ok(&v, "/app", &p, 0, p.len, &o);
	vars_finish(&v);
	assert_int_equal(v.len, 2);
	assert_string_equal(found(&v, "APP_DB_HOST"), "/app/db/host");
	assert_string_equal(found(&v, "APP_1X"), "/app/1x");
	vars_release(&v);
	/* a prefix that makes a reserved name is refused too */
	vars_init(&v);
	add_bad(&v, "/app", &p, &ld, &e);
	assert_non_null(strstr(e.msg, "LD_"));
	vars_release(&v);
	params_free(&p);
}

static void test_messages_never_hold_values(void **state)
{
	static const char *const names[] = {("/app/" SECRET), "/app/x", "/app/X"};
	struct ssm_params p;
	struct vars v;
	struct err e;

	(void)state;
	/* a parameter's name may be printed; its value never */
	params_of(&p, names, 3);
	for (size_t i = 0; i < p.len; i++) {
		buf_truncate(&p.items[i].value, 0);
		assert_int_equal(buf_puts(&p.items[i].value, "VALUE-must-not-leak", NULL), 0);
	}
	vars_init(&v);
	memset(&e, 0, sizeof(e));
	assert_int_equal(vars_add_path(&v, "/app", &p, 0, p.len, &plain, &e), -1);
	assert_null(strstr(e.msg, "VALUE-must-not-leak"));
	vars_release(&v);
	params_free(&p);
}

/* Expanded JSON fields (jsonfield_expand names them NAME#FIELD) obey every
 * name rule: they collide with a parameter and with each other, and a
 * reserved name is refused. */
static void test_expanded_fields_follow_name_rules(void **state)
{
	static const char *const clash[] = {"/app/db#password", "/app/db/password"};
	static const char *const twins[] = {"/app/db#user-name", "/app/db#user_name"};
	static const char *const reserved[] = {"/app/ld#preload"};
	static const char *const fine[] = {"/app/db#password", "/app/rds/main#port"};
	struct vars_opts last = {NULL, NULL, true};
	struct ssm_params p;
	struct vars v;
	struct err e;

	(void)state;
	params_of(&p, clash, 2);
	vars_init(&v);
	add_bad(&v, "/app", &p, &plain, &e);
	assert_non_null(strstr(e.msg, "'/app/db#password' and '/app/db/password' both map to 'DB_PASSWORD'"));
	vars_release(&v);
	params_free(&p);

	params_of(&p, twins, 2);
	vars_init(&v);
	add_bad(&v, "/app", &p, &plain, &e);
	assert_non_null(strstr(e.msg, "'/app/db#user-name' and '/app/db#user_name'"));
	vars_release(&v);
	params_free(&p);

	params_of(&p, reserved, 1);
	vars_init(&v);
	add_bad(&v, "/app", &p, &plain, &e);
	assert_non_null(strstr(e.msg, "'/app/ld#preload' maps to the reserved name 'LD_PRELOAD'"));
	vars_release(&v);
	params_free(&p);

	params_of(&p, fine, 2);
	vars_init(&v);
	add_ok(&v, "/app", &p, 0, 2, &last);
	vars_finish(&v);
	assert_non_null(vars_find(&v, "DB_PASSWORD"));
	assert_non_null(vars_find(&v, "MAIN_PORT"));
	assert_string_equal(vars_find(&v, "MAIN_PORT")->param->name, "/app/rds/main#port");
	vars_release(&v);
	params_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_map_one_path),
	        cmocka_unit_test(test_range_is_honoured),
	        cmocka_unit_test(test_nothing_found),
	        cmocka_unit_test(test_root_path),
	        cmocka_unit_test(test_collision_in_one_path),
	        cmocka_unit_test(test_collision_case),
	        cmocka_unit_test(test_collision_last_segment),
	        cmocka_unit_test(test_later_path_wins),
	        cmocka_unit_test(test_later_path_wins_reversed),
	        cmocka_unit_test(test_later_path_wins_many),
	        cmocka_unit_test(test_same_path_twice),
	        cmocka_unit_test(test_reserved_refused),
	        cmocka_unit_test(test_reserved_allowed),
	        cmocka_unit_test(test_reserved_reason_and_fixed),
	        cmocka_unit_test(test_find_by_length),
	        cmocka_unit_test(test_name_prefix),
	        cmocka_unit_test(test_messages_never_hold_values),
	        cmocka_unit_test(test_expanded_fields_follow_name_rules),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
