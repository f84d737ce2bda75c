/*
 * test_names.c - SSM path normalisation, whole-segment prefixes, the
 * parameter-name to variable-name mapping, reserved names and allow lists.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"

/* --- helpers --- */

/* norm_ok normalises and compares with want. */
static void norm_ok(const char *env, const char *path, const char *want)
{
	struct buf out = BUF_INIT;
	struct err e = {ERR_NONE, ""};

	if (names_path_normalize(env, path, &out, &e) != 0)
		fail_msg("names_path_normalize('%s', '%s') failed: %s", env ? env : "(null)", path,
		         e.msg);
	assert_string_equal(buf_cstr(&out), want);
	assert_int_equal(out.len, strlen(want));
	buf_release(&out);
}

/* norm_bad expects ERR_USAGE with a message and returns nothing else. */
static void norm_bad(const char *env, const char *path)
{
	struct buf out = BUF_INIT;
	struct err e = {ERR_NONE, ""};

	if (names_path_normalize(env, path, &out, &e) != -1)
		fail_msg("names_path_normalize('%s', '%.80s') accepted '%s'", env ? env : "(null)",
		         path, buf_cstr(&out));
	assert_int_equal(e.kind, ERR_USAGE);
	assert_true(e.msg[0] != '\0');
	assert_true(strncmp(e.msg, "invalid ", 8) == 0);
	buf_release(&out);
}

/* map_ok maps name under prefix and compares with want. */
static void map_ok(const char *name, const char *prefix, const char *add, bool last,
                   const char *want)
{
	struct buf out = BUF_INIT;
	struct err e = {ERR_NONE, ""};

	if (names_map(name, prefix, add, last, &out, &e) != 0)
		fail_msg("names_map('%s', '%s') failed: %s", name, prefix, e.msg);
	assert_string_equal(buf_cstr(&out), want);
	buf_release(&out);
}

static void map_bad(const char *name, const char *prefix, bool last)
{
	struct buf out = BUF_INIT;
	struct err e = {ERR_NONE, ""};

	assert_int_equal(names_map(name, prefix, NULL, last, &out, &e), -1);
	assert_int_equal(e.kind, ERR_NAMES);
	assert_non_null(strstr(e.msg, name));
	buf_release(&out);
}

/* levels builds "/l1/l2/.../ln" into dst. */
static void levels(char *dst, size_t size, int n)
{
	size_t o = 0;

	dst[0] = '\0';
	for (int i = 1; i <= n; i++) {
		int w = snprintf(dst + o, size - o, "/l%d", i);

		assert_true(w > 0 && (size_t)w < size - o);
		o += (size_t)w;
	}
}

/* --- names_path_normalize --- */

static void test_normalize_env_name(void **state)
{
	(void)state;
	norm_ok("production", "/app", "/production/app");
	norm_ok("production", "app", "/production/app");
	norm_ok("production", "//app//", "/production/app");
	norm_ok("/production/", "/app", "/production/app");
	norm_ok("eu/production", "app/web", "/eu/production/app/web");
	norm_ok("production", "/", "/production");
	norm_ok(NULL, "/production/app", "/production/app");
	norm_ok(NULL, "production/app", "/production/app");
}

static void test_normalize_slashes(void **state)
{
	(void)state;
	norm_ok(NULL, "//a///b/", "/a/b");
	norm_ok(NULL, "/", "/");
	norm_ok(NULL, "///", "/");
	norm_ok(NULL, "a", "/a");
	norm_ok(NULL, "/a/", "/a");
}

static void test_normalize_allowed_bytes(void **state)
{
	(void)state;
	norm_ok(NULL, "/App_1/v2.0/my-service", "/App_1/v2.0/my-service");
	/* '.' is a legal SSM name byte, so ".." is just a name, not a parent */
	norm_ok(NULL, "/a/../b", "/a/../b");
	norm_ok("..", "x", "/../x");
}

static void test_normalize_bad_bytes(void **state)
{
	(void)state;
	norm_bad(NULL, "/my app");
	norm_bad(NULL, " /app");
	norm_bad(NULL, "/app*");
	norm_bad(NULL, "/app?");
	norm_bad(NULL, "/caf\xc3\xa9");
	norm_bad(NULL, "/app\n");
	norm_bad(NULL, "/app\t");
	norm_bad(NULL, "/a:b");
	norm_bad(NULL, "/a\\b");
	norm_bad(NULL, "/a=b");
	norm_bad("prod uction", "/app");
	norm_bad("prod*", "/app");
	norm_bad("caf\xc3\xa9", "/app");
}

static void test_normalize_empty(void **state)
{
	(void)state;
	/* an empty environment name, or an empty PATH (an unset shell
	 * variable), must not silently widen the fetch to a parent */
	norm_bad("", "/app");
	norm_bad("/", "/app");
	norm_bad("//", "/app");
	norm_bad(NULL, "");
	norm_bad("production", "");
}

static void test_normalize_depth(void **state)
{
	char p[256];

	(void)state;
	levels(p, sizeof(p), 15);
	norm_ok(NULL, p, p);
	levels(p, sizeof(p), 16);
	norm_bad(NULL, p);
	/* the environment name's levels count too */
	levels(p, sizeof(p), 14);
	{
		char want[300];

		snprintf(want, sizeof(want), "/production%s", p);
		norm_ok("production", p, want);
	}
	levels(p, sizeof(p), 15);
	norm_bad("production", p);
	norm_bad("a/b", "/c/d/e/f/g/h/i/j/k/l/m/n/o/p");
	/* empty segments are not levels */
	norm_ok(NULL, "//l1//l2//l3//l4//l5//l6//l7//l8//l9//l10//l11//l12//l13//l14//l15//",
	        "/l1/l2/l3/l4/l5/l6/l7/l8/l9/l10/l11/l12/l13/l14/l15");
}

static void test_normalize_length(void **state)
{
	char *p = malloc(NAMES_MAX_PATH + 2);

	(void)state;
	assert_non_null(p);
	p[0] = '/';
	memset(p + 1, 'a', NAMES_MAX_PATH - 1);
	p[NAMES_MAX_PATH] = '\0';
	norm_ok(NULL, p, p); /* exactly 2048 bytes */
	p[NAMES_MAX_PATH] = 'a';
	p[NAMES_MAX_PATH + 1] = '\0';
	norm_bad(NULL, p); /* 2049 */
	/* short operands whose join is too long */
	p[NAMES_MAX_PATH - 5] = '\0';
	norm_bad("production", p);
	free(p);
}

static void test_normalize_replaces_output(void **state)
{
	struct buf out = BUF_INIT;
	struct err e = {ERR_NONE, ""};

	(void)state;
	assert_int_equal(names_path_normalize(NULL, "/first/path", &out, &e), 0);
	assert_int_equal(names_path_normalize("prod", "app", &out, &e), 0);
	assert_string_equal(buf_cstr(&out), "/prod/app");
	assert_int_equal(out.len, 9);
	buf_release(&out);
}

/* --- names_under --- */

static void test_under(void **state)
{
	(void)state;
	assert_true(names_under("/app/x", "/app"));
	assert_true(names_under("/app/x/y/z", "/app"));
	assert_true(names_under("/production/app/django/secret-key", "/production/app"));
	assert_false(names_under("/app2/x", "/app"));
	assert_false(names_under("/app", "/app"));
	assert_false(names_under("/app/", "/app"));
	assert_false(names_under("/ap", "/app"));
	assert_false(names_under("/other/app/x", "/app"));
	assert_false(names_under("app/x", "/app"));
	assert_false(names_under("/App/x", "/app"));
	assert_true(names_under("/x", "/"));
	assert_true(names_under("/a/b/c", "/"));
	assert_false(names_under("/", "/"));
	assert_false(names_under("x", "/"));
	assert_false(names_under("", "/"));
}

/* --- names_map --- */

static void test_map_basic(void **state)
{
	(void)state;
	map_ok("/production/app/django/secret-key", "/production/app", NULL, false,
	       "DJANGO_SECRET_KEY");
	map_ok("/app/db_host", "/app", NULL, false, "DB_HOST");
	map_ok("/app/DbHost", "/app", NULL, false, "DBHOST");
	map_ok("/app/db.host", "/app", NULL, false, "DB_HOST");
	map_ok("/app/db-host", "/app", NULL, false, "DB_HOST");
	map_ok("/app/a.b-c_d/e", "/app", NULL, false, "A_B_C_D_E");
	map_ok("/app/x", "/", NULL, false, "APP_X");
	map_ok("/x", "/", NULL, false, "X");
}

static void test_map_leading_digit(void **state)
{
	(void)state;
	map_ok("/app/1password", "/app", NULL, false, "_1PASSWORD");
	map_ok("/app/9/x", "/app", NULL, false, "_9_X");
	map_ok("/app/v1", "/app", NULL, false, "V1");
	map_ok("/app/a/2fa", "/app", NULL, true, "_2FA");
	/* with a prefix in front the digit is no longer leading */
	map_ok("/app/1password", "/app", "APP_", false, "APP_1PASSWORD");
	map_ok("/app/1password", "/app", "", false, "_1PASSWORD");
}

static void test_map_last_segment(void **state)
{
	(void)state;
	map_ok("/production/app/django/secret-key", "/production/app", NULL, true, "SECRET_KEY");
	map_ok("/app/x", "/app", NULL, true, "X");
	map_ok("/app/a/b/c.d", "/app", NULL, true, "C_D");
}

static void test_map_prefix(void **state)
{
	(void)state;
	map_ok("/app/db/host", "/app", "APP_", false, "APP_DB_HOST");
	map_ok("/app/db/host", "/app", "APP_", true, "APP_HOST");
	/* given as is, not mapped */
	map_ok("/app/x", "/app", "My_", false, "My_X");
}

static void test_map_nothing_left(void **state)
{
	(void)state;
	map_bad("/app", "/app", false);
	map_bad("/app/", "/app", false);
	map_bad("/app/x/", "/app", true);
	map_bad("/", "/", false);
}

static void test_map_replaces_output(void **state)
{
	struct buf out = BUF_INIT;
	struct err e = {ERR_NONE, ""};

	(void)state;
	assert_int_equal(names_map("/app/first", "/app", NULL, false, &out, &e), 0);
	assert_int_equal(names_map("/app/b", "/app", NULL, false, &out, &e), 0);
	assert_string_equal(buf_cstr(&out), "B");
	buf_release(&out);
}

static void test_map_output_is_portable(void **state)
{
	const char *names[] = {"/app/caf\xc3\xa9", "/app/a b", "/app/$(x)",
	                       "/app/0",           "/app/-",   "/app/~/.."};
	struct buf out = BUF_INIT;
	struct err e = {ERR_NONE, ""};

	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		assert_int_equal(names_map(names[i], "/app", NULL, false, &out, &e), 0);
		assert_true(names_valid_var(buf_cstr(&out)));
	}
	assert_int_equal(names_map("/app/caf\xc3\xa9", "/app", NULL, false, &out, &e), 0);
	assert_string_equal(buf_cstr(&out), "CAF__");
	buf_release(&out);
}

/* --- names_reserved, names_valid_var, names_in_list --- */

static void test_reserved(void **state)
{
	const char *yes[] = {"PATH",
	                     "HOME",
	                     "SHELL",
	                     "IFS",
	                     "ENV",
	                     "BASH_ENV",
	                     "LD_PRELOAD",
	                     "LD_LIBRARY_PATH",
	                     "LD_AUDIT",
	                     "LD_ANYTHING",
	                     "LD_",
	                     "NODE_OPTIONS",
	                     "PYTHONPATH",
	                     "PYTHONSTARTUP",
	                     "PERL5OPT",
	                     "RUBYOPT",
	                     "JAVA_TOOL_OPTIONS",
	                     "AWS_ACCESS_KEY_ID",
	                     "AWS_SECRET_ACCESS_KEY",
	                     "AWS_SESSION_TOKEN",
	                     "AWS_PROFILE",
	                     "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
	                     "AWS_CONTAINER_CREDENTIALS_FULL_URI",
	                     "AWS_CONTAINER_AUTHORIZATION_TOKEN",
	                     "AWS_WEB_IDENTITY_TOKEN_FILE",
	                     "AWS_ROLE_ARN",
	                     "AWS_ENDPOINT_URL",
	                     "AWS_ENDPOINT_URL_SSM",
	                     "AWS_EC2_METADATA_SERVICE_ENDPOINT",
	                     "BASH_FUNC_x",
	                     "BASH_FUNC_ls%%",
	                     "GLIBC_TUNABLES"};
	const char *no[] = {"DB_HOST",
	                    "PATHX",
	                    "MY_PATH",
	                    "XPATH",
	                    "HOMEDIR",
	                    "path",
	                    "Path",
	                    "LD",
	                    "OLD_PRELOAD",
	                    "AWS_REGION",
	                    "AWS_DEFAULT_REGION",
	                    "DJANGO_SECRET_KEY",
	                    "NODE_ENV",
	                    "SHELLS",
	                    "ENVIRONMENT",
	                    ""};

	(void)state;
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (!names_reserved(yes[i]))
			fail_msg("'%s' should be reserved", yes[i]);
	}
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		if (names_reserved(no[i]))
			fail_msg("'%s' should not be reserved", no[i]);
	}
}

static void test_valid_var(void **state)
{
	static char long_name[NAMES_MAX_VAR + 2];

	(void)state;
	assert_true(names_valid_var("A"));
	assert_true(names_valid_var("_"));
	assert_true(names_valid_var("_1"));
	assert_true(names_valid_var("db_Host9"));
	assert_false(names_valid_var(""));
	assert_false(names_valid_var("1A"));
	assert_false(names_valid_var("A-B"));
	assert_false(names_valid_var("A=B"));
	assert_false(names_valid_var("A B"));
	assert_false(names_valid_var("caf\xc3\xa9"));
	memset(long_name, 'A', 255);
	long_name[255] = '\0';
	assert_true(names_valid_var(long_name));
	long_name[255] = 'A';
	long_name[256] = '\0';
	assert_true(names_valid_var(long_name));
	/* the one limit every mode shares */
	memset(long_name, 'A', NAMES_MAX_VAR + 1);
	long_name[NAMES_MAX_VAR] = '\0';
	assert_true(names_valid_var(long_name));
	long_name[NAMES_MAX_VAR] = 'A';
	long_name[NAMES_MAX_VAR + 1] = '\0';
	assert_false(names_valid_var(long_name));
}

/* A parameter name no longer than NAMES_MAX_PATH always maps, even behind
 * the longest --prefix; past NAMES_MAX_VAR bytes mapping is an error. */
static void test_map_length_limit(void **state)
{
	static char name[NAMES_MAX_VAR + 16], prefix[129];
	struct buf out = BUF_INIT;
	struct err e = {ERR_NONE, ""};

	(void)state;
	memset(prefix, 'P', 128);
	memcpy(name, "/a/", 3);
	memset(name + 3, 'x', NAMES_MAX_PATH - 3);
	name[NAMES_MAX_PATH] = '\0';
	assert_int_equal(names_map(name, "/a", prefix, false, &out, &e), 0);
	assert_int_equal(out.len, 128 + NAMES_MAX_PATH - 3);
	memset(name + 3, 'x', NAMES_MAX_VAR);
	name[3 + NAMES_MAX_VAR] = '\0';
	assert_int_equal(names_map(name, "/a", NULL, false, &out, &e), 0);
	assert_int_equal(out.len, NAMES_MAX_VAR);
	assert_int_equal(names_map(name, "/a", "P", false, &out, &e), -1);
	assert_int_equal(e.kind, ERR_NAMES);
	assert_non_null(strstr(e.msg, "maps to a name longer than 4096 bytes"));
	buf_release(&out);
}

static void test_reserved_traffic_and_trust(void **state)
{
	(void)state;
	assert_true(names_reserved("HTTPS_PROXY"));
	assert_true(names_reserved("SSL_CERT_FILE"));
	assert_true(names_reserved("NODE_EXTRA_CA_CERTS"));
	assert_true(names_reserved("GIT_SSH_COMMAND"));
	assert_true(names_reserved("PROMPT_COMMAND"));
	assert_true(names_reserved("AWS_STS_REGIONAL_ENDPOINTS"));
	assert_true(names_reserved("AWS_METADATA_SERVICE_TIMEOUT"));
	assert_true(names_reserved("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"));
	assert_false(names_reserved("HTTPS_PORT"));
	assert_false(names_reserved("GITHUB_TOKEN"));
}

/* Each class of name added after a hostile review: one name from every
 * rule that was new, with a word its reason must hold. */
static void test_reserved_runtimes(void **state)
{
	static const struct {
		const char *name;
		const char *why;
	} yes[] = {
	        {"ENVSSM_ALLOW_NAMES", "envssm"},
	        {"ENVSSM_ENV", "envssm"},
	        {"ENVSSM_", "envssm"},
	        {"OPENSSL_CONF", "OpenSSL"},
	        {"OPENSSL_MODULES", "OpenSSL"},
	        {"OPENSSL_ENGINES", "OpenSSL"},
	        {"NODE_TLS_REJECT_UNAUTHORIZED", "TLS"},
	        {"PYTHONHTTPSVERIFY", "TLS"},
	        {"SSLKEYLOGFILE", "keys"},
	        {"http_proxy", "traffic"},
	        {"https_proxy", "traffic"},
	        {"all_proxy", "traffic"},
	        {"no_proxy", "traffic"},
	        {"CURL_HOME", "TLS"},
	        {"WGETRC", "TLS"},
	        {"LUA_INIT", "Lua"},
	        {"LUA_INIT_5_4", "Lua"},
	        {"LUA_PATH_5_3", "Lua"},
	        {"LUA_CPATH", "Lua"},
	        {"DOTNET_STARTUP_HOOKS", ".NET"},
	        {"DOTNET_ADDITIONAL_DEPS", ".NET"},
	        {"COMPlus_EnableDiagnostics", ".NET"},
	        {"CORECLR_PROFILER_PATH", ".NET"},
	        {"CORECLR_ENABLE_PROFILING", ".NET"},
	        {"ASPNETCORE_HOSTINGSTARTUPASSEMBLIES", ".NET"},
	        {"PHP_INI_SCAN_DIR", "PHP"},
	        {"XDG_CONFIG_HOME", "configuration"},
	        {"XDG_CONFIG_DIRS", "configuration"},
	        {"ZDOTDIR", "startup"},
	        {"FPATH", "functions"},
	        {"PS1", "bash"},
	        {"PS0", "bash"},
	        {"PYTHONUSERBASE", "Python"},
	        {"PYTHONPLATLIBDIR", "Python"},
	        {"PYTHONPYCACHEPREFIX", "Python"},
	        {"NODE_REPL_EXTERNAL_MODULE", "Node.js"},
	        {"NPM_CONFIG_SCRIPT_SHELL", "npm"},
	        {"BUNDLE_GEMFILE", "Bundler"},
	        {"DOCKER_HOST", "docker"},
	        {"DOCKER_CONFIG", "docker"},
	        {"KUBECONFIG", "kubectl"},
	        {"SSH_ASKPASS", "ssh"},
	        {"GIT_CONFIG_COUNT", "git"},
	        {"GIT_SSL_NO_VERIFY", "git"},
	        {"GODEBUG", "Go"},
	        {"GOFLAGS", "go command"},
	        {"GOPROXY", "go command"},
	        {"GOINSECURE", "go command"},
	        {"GOTOOLCHAIN", "go command"},
	        {"NLSPATH", "glibc"},
	        {"LOCALDOMAIN", "resolves"},
	        {"RES_OPTIONS", "resolves"},
	};
	/* near misses and everyday settings a parameter may still set */
	static const char *const no[] = {
	        "NODE_ENV",      "PYTHONUNBUFFERED", "PYTHONDONTWRITEBYTECODE",
	        "GOMAXPROCS",    "GOGC",             "GOMEMLIMIT",
	        "OPENSSL",       "LUA",              "DOTNET",
	        "DOCKER",        "HTTP_PROXY_PORT",  "XHTTP_PROXY",
	        "NO_PROXYS",     "XDG_DATA_HOME",    "PS3",
	        "ENVSSM",        "MY_ENVSSM_ENV",    "LUAROCKS_CONFIG_X",
	        "JAVA_OPTS_X",   "Http_proxy",       "envssm_env",
	        "GO",            "GOPATHS",          "KUBECONFIGS",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		const struct names_rule *r = names_reserved(yes[i].name);

		if (r == NULL)
			fail_msg("'%s' should be reserved", yes[i].name);
		if (strstr(r->reason, yes[i].why) == NULL)
			fail_msg("the reason for '%s' ('%s') should mention '%s'", yes[i].name,
			         r->reason, yes[i].why);
	}
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		if (names_reserved(no[i]) != NULL)
			fail_msg("'%s' should not be reserved", no[i]);
	}
}

/* Only envssm's own settings are beyond --allow-name. */
static void test_reserved_fixed(void **state)
{
	(void)state;
	assert_true(names_reserved("ENVSSM_ALLOW_NAMES")->fixed);
	assert_true(names_reserved("ENVSSM_ENV")->fixed);
	assert_false(names_reserved("PATH")->fixed);
	assert_false(names_reserved("LD_PRELOAD")->fixed);
	assert_false(names_reserved("OPENSSL_CONF")->fixed);
	assert_false(names_reserved("AWS_SECRET_ACCESS_KEY")->fixed);
}

static void test_in_list(void **state)
{
	(void)state;
	assert_true(names_in_list("PATH", "PATH"));
	assert_true(names_in_list("PATH", "HOME,PATH"));
	assert_true(names_in_list("HOME", "HOME,PATH"));
	assert_true(names_in_list("PATH", ",PATH,"));
	assert_true(names_in_list("LD_PRELOAD", "A,,LD_PRELOAD"));
	assert_false(names_in_list("PATH", "PATHX"));
	assert_false(names_in_list("PATH", "PAT"));
	assert_false(names_in_list("PATH", "XPATH,HOME"));
	assert_false(names_in_list("PATH", "path"));
	assert_false(names_in_list("PATH", ""));
	assert_false(names_in_list("PATH", NULL));
	assert_false(names_in_list("LD_PRELOAD", "LD_*"));
	/* blanks around list items are not part of a name */
	assert_true(names_in_list("HOME", "PATH, HOME"));
	assert_true(names_in_list("PATH", " PATH ,HOME"));
	assert_false(names_in_list("PATH", "PA TH"));
	/* a name given by length, as in an "NAME=value" entry */
	assert_true(names_in_list_n("HOME=/root", 4, "PATH, HOME"));
	assert_false(names_in_list_n("HOME=/root", 3, "PATH, HOME"));
	assert_false(names_in_list_n("HOMEDIR=/", 7, "PATH,HOME"));
}

static void test_list_next(void **state)
{
	const char *list = " A ,,\tBB\t, C", *item;
	size_t n;

	(void)state;
	item = names_list_next(&list, &n);
	assert_int_equal(n, 1);
	assert_memory_equal(item, "A", 1);
	assert_non_null(names_list_next(&list, &n));
	assert_int_equal(n, 0);
	item = names_list_next(&list, &n);
	assert_int_equal(n, 2);
	assert_memory_equal(item, "BB", 2);
	item = names_list_next(&list, &n);
	assert_int_equal(n, 1);
	assert_memory_equal(item, "C", 1);
	assert_null(names_list_next(&list, &n));
	list = NULL;
	assert_null(names_list_next(&list, &n));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_normalize_env_name),
	        cmocka_unit_test(test_normalize_slashes),
	        cmocka_unit_test(test_normalize_allowed_bytes),
	        cmocka_unit_test(test_normalize_bad_bytes),
	        cmocka_unit_test(test_normalize_empty),
	        cmocka_unit_test(test_normalize_depth),
	        cmocka_unit_test(test_normalize_length),
	        cmocka_unit_test(test_normalize_replaces_output),
	        cmocka_unit_test(test_under),
	        cmocka_unit_test(test_map_basic),
	        cmocka_unit_test(test_map_leading_digit),
	        cmocka_unit_test(test_map_last_segment),
	        cmocka_unit_test(test_map_prefix),
	        cmocka_unit_test(test_map_nothing_left),
	        cmocka_unit_test(test_map_replaces_output),
	        cmocka_unit_test(test_map_output_is_portable),
	        cmocka_unit_test(test_reserved),
	        cmocka_unit_test(test_valid_var),
	        cmocka_unit_test(test_reserved_traffic_and_trust),
	        cmocka_unit_test(test_reserved_runtimes),
	        cmocka_unit_test(test_reserved_fixed),
	        cmocka_unit_test(test_in_list),
	        cmocka_unit_test(test_list_next),
	        cmocka_unit_test(test_map_length_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
