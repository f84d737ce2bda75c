/*
 * test_cli.c - options, operands and ENVSSM_* variables: the command line
 * is an API, so the error texts are checked too.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "names.h"

#define MAX_WORDS 32

/* W(...) is a NULL-terminated word list; NOENV is an empty environment. */
#define W(...) ((const char *const[]){__VA_ARGS__, NULL})
#define NOENV  ((const char *const[]){NULL})

/* argv and envp live here for the duration of one test: cli borrows them. */
static char *test_argv[MAX_WORDS + 1];
static char *test_envp[MAX_WORDS + 1];

static int fill(char **dst, const char *const *words)
{
	int n = 0;

	for (; words[n] != NULL; n++) {
		assert_true(n < MAX_WORDS);
		dst[n] = (char *)words[n];
	}
	dst[n] = NULL;
	return n;
}

/* parse runs cli_parse on words (argv[0] included) and env. */
static int parse(const char *const *words, const char *const *env, struct cli *c, struct err *e)
{
	int argc = fill(test_argv, words);

	fill(test_envp, env);
	memset(e, 0, sizeof(*e));
	return cli_parse(argc, test_argv, test_envp, c, e);
}

static void parse_ok(const char *const *words, const char *const *env, struct cli *c)
{
	struct err e;

	if (parse(words, env, c, &e) != 0)
		fail_msg("cli_parse failed: %s", e.msg);
}

/* parse_bad expects ERR_USAGE with a message containing want. */
static void parse_bad(const char *const *words, const char *const *env, const char *want)
{
	struct cli c;
	struct err e;
	int rc = parse(words, env, &c, &e);

	cli_release(&c);
	if (rc != -1)
		fail_msg("cli_parse accepted the words (want an error with '%s')", want);
	assert_int_equal(e.kind, ERR_USAGE);
	if (strstr(e.msg, want) == NULL)
		fail_msg("error '%s' does not contain '%s'", e.msg, want);
}

/* --- operands --- */

static void test_minimal(void **state)
{
	struct cli c;

	(void)state;
	parse_ok(W("envssm", "/app", "--", "gunicorn", "config.wsgi"), NOENV, &c);
	assert_int_equal(c.npaths, 1);
	assert_string_equal(c.paths[0], "/app");
	assert_ptr_equal(c.paths, &test_argv[1]);
	assert_ptr_equal(c.command, &test_argv[3]);
	assert_string_equal(c.command[0], "gunicorn");
	assert_string_equal(c.command[1], "config.wsgi");
	assert_null(c.command[2]);
	assert_null(c.env_name);
	assert_null(c.region);
	assert_null(c.endpoint_url);
	assert_null(c.profile);
	assert_null(c.allow_names);
	assert_false(c.no_override);
	assert_false(c.allow_empty);
	assert_true(c.recursive);
	assert_true(c.decrypt);
	assert_int_equal(c.verbosity, 0);
	assert_int_equal(c.log_format, LOG_TEXT);
	assert_false(c.help);
	assert_false(c.version);
	cli_release(&c);
}

static void test_several_paths(void **state)
{
	struct cli c;

	(void)state;
	parse_ok(W("envssm", "/common", "app", "/app/web", "--", "cmd"), NOENV, &c);
	assert_int_equal(c.npaths, 3);
	assert_string_equal(c.paths[0], "/common");
	assert_string_equal(c.paths[1], "app");
	assert_string_equal(c.paths[2], "/app/web");
	assert_string_equal(c.command[0], "cmd");
	assert_null(c.command[1]);
	cli_release(&c);
}

static void test_command_keeps_its_options(void **state)
{
	struct cli c;

	(void)state;
	parse_ok(W("envssm", "/app", "--", "cmd", "-v", "--env", "x", "--", "/p"), NOENV, &c);
	assert_int_equal(c.npaths, 1);
	assert_int_equal(c.verbosity, 0);
	assert_null(c.env_name);
	assert_string_equal(c.command[1], "-v");
	assert_string_equal(c.command[2], "--env");
	assert_string_equal(c.command[4], "--");
	assert_string_equal(c.command[5], "/p");
	assert_null(c.command[6]);
	cli_release(&c);
}

static void test_operand_errors(void **state)
{
	(void)state;
	parse_bad(W("envssm", "/app", "cmd"), NOENV, "missing '--'");
	parse_bad(W("envssm", "/app"), NOENV, "missing '--'");
	parse_bad(W("envssm", "/app", "--"), NOENV, "no command after '--'");
	parse_bad(W("envssm"), NOENV, "no PATH given");
	parse_bad(W("envssm", "-v"), NOENV, "no PATH given");
}

static void test_option_after_path(void **state)
{
	(void)state;
	parse_bad(W("envssm", "/app", "-v", "--", "cmd"), NOENV, "option '-v' after a path");
	parse_bad(W("envssm", "/app", "--env", "prod", "--", "cmd"), NOENV,
	          "option '--env' after a path");
	parse_bad(W("envssm", "/a", "/b", "--no-override", "--", "cmd"), NOENV, "after a path");
}

/* --- options --- */

static void test_env_forms(void **state)
{
	const char *const *forms[] = {
	        W("envssm", "-e", "prod", "/app", "--", "cmd"),
	        W("envssm", "-eprod", "/app", "--", "cmd"),
	        W("envssm", "--env=prod", "/app", "--", "cmd"),
	        W("envssm", "--env", "prod", "/app", "--", "cmd"),
	        W("envssm", "-ve", "prod", "/app", "--", "cmd"),
	        W("envssm", "-veprod", "/app", "--", "cmd"),
	};

	(void)state;
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		struct cli c;

		parse_ok(forms[i], NOENV, &c);
		assert_non_null(c.env_name);
		assert_string_equal(c.env_name, "prod");
		assert_int_equal(c.npaths, 1);
		assert_string_equal(c.paths[0], "/app");
		assert_string_equal(c.command[0], "cmd");
		cli_release(&c);
	}
}

static void test_value_with_equals(void **state)
{
	struct cli c;

	(void)state;
	parse_ok(W("envssm", "--endpoint-url=http://h:4566/?a=b", "--region", "eu-west-1",
	           "--profile=dev", "/app", "--", "cmd"),
	         NOENV, &c);
	assert_string_equal(c.endpoint_url, "http://h:4566/?a=b");
	assert_string_equal(c.region, "eu-west-1");
	assert_string_equal(c.profile, "dev");
	cli_release(&c);
}

static void test_last_flag_wins(void **state)
{
	struct cli c;

	(void)state;
	parse_ok(W("envssm", "-e", "a", "--env", "b", "/app", "--", "cmd"), NOENV, &c);
	assert_string_equal(c.env_name, "b");
	cli_release(&c);
}

static void test_switches(void **state)
{
	struct cli c;

	(void)state;
	parse_ok(W("envssm", "--no-override", "--allow-empty", "--no-recursive", "--no-decrypt",
	           "/app", "--", "cmd"),
	         NOENV, &c);
	assert_true(c.no_override);
	assert_true(c.allow_empty);
	assert_false(c.recursive);
	assert_false(c.decrypt);
	cli_release(&c);
}

static void test_verbose(void **state)
{
	struct cli c;

	(void)state;
	parse_ok(W("envssm", "-v", "/app", "--", "cmd"), NOENV, &c);
	assert_int_equal(c.verbosity, 1);
	cli_release(&c);
	parse_ok(W("envssm", "-vv", "/app", "--", "cmd"), NOENV, &c);
	assert_int_equal(c.verbosity, 2);
	cli_release(&c);
	parse_ok(W("envssm", "-v", "--verbose", "-v", "/app", "--", "cmd"), NOENV, &c);
	assert_int_equal(c.verbosity, 3);
	cli_release(&c);
	parse_ok(W("envssm", "-vvvvvvvvvvvvvvvvvvvv", "/app", "--", "cmd"), NOENV, &c);
	assert_int_equal(c.verbosity, 8);
	cli_release(&c);
}

static void test_unknown_option(void **state)
{
	(void)state;
	parse_bad(W("envssm", "--bogus", "/app", "--", "cmd"), NOENV, "unknown option '--bogus'");
	parse_bad(W("envssm", "-x", "/app", "--", "cmd"), NOENV, "unknown option '-x'");
	parse_bad(W("envssm", "-vx", "/app", "--", "cmd"), NOENV, "unknown option '-x'");
	/* a value given to an unknown option is not echoed */
	parse_bad(W("envssm", "--bogus=s3cret", "/app", "--", "cmd"), NOENV,
	          "unknown option '--bogus'");
	parse_bad(W("envssm", "--en", "prod", "/app", "--", "cmd"), NOENV, "unknown option '--en'");
	parse_bad(W("envssm", "--ENV", "prod", "/app", "--", "cmd"), NOENV, "unknown option");
	parse_bad(W("envssm", "--no-override=1", "/app", "--", "cmd"), NOENV,
	          "option '--no-override' takes no value");
}

static void test_unknown_option_value_not_echoed(void **state)
{
	struct cli c;
	struct err e;

	(void)state;
	assert_int_equal(parse(W("envssm", "--bogus=s3cret", "/app", "--", "cmd"), NOENV, &c, &e),
	                 -1);
	assert_null(strstr(e.msg, "s3cret"));
	cli_release(&c);
}

static void test_missing_value(void **state)
{
	(void)state;
	parse_bad(W("envssm", "--env"), NOENV, "option '--env' needs a value");
	parse_bad(W("envssm", "-e"), NOENV, "option '-e' needs a value");
	parse_bad(W("envssm", "-ve"), NOENV, "option '-e' needs a value");
	parse_bad(W("envssm", "--region"), NOENV, "option '--region' needs a value");
	parse_bad(W("envssm", "--log-format"), NOENV, "option '--log-format' needs a value");
	parse_bad(W("envssm", "--allow-name"), NOENV, "option '--allow-name' needs a value");
}

static void test_help_version(void **state)
{
	const char *const *helps[] = {W("envssm", "--help"), W("envssm", "-h"),
	                              W("envssm", "-v", "--help"), W("envssm", "--help", "/app")};
	struct cli c;

	(void)state;
	for (size_t i = 0; i < sizeof(helps) / sizeof(helps[0]); i++) {
		parse_ok(helps[i], NOENV, &c);
		assert_true(c.help);
		assert_false(c.version);
		cli_release(&c);
	}
	parse_ok(W("envssm", "--version"), NOENV, &c);
	assert_true(c.version);
	assert_false(c.help);
	cli_release(&c);
	parse_ok(W("envssm", "-V"), NOENV, &c);
	assert_true(c.version);
	cli_release(&c);
	assert_non_null(strstr(cli_usage, "usage: envssm"));
	assert_non_null(strstr(cli_usage, "--allow-name"));
}

static void test_help_ignores_bad_variables(void **state)
{
	struct cli c;

	(void)state;
	/* --help and --version must work whatever the deployment set */
	parse_ok(W("envssm", "--help"), W("ENVSSM_NO_OVERRIDE=maybe"), &c);
	assert_true(c.help);
	cli_release(&c);
	parse_ok(W("envssm", "--version"), W("ENVSSM_VERBOSE=lots", "ENVSSM_LOG_FORMAT=xml"), &c);
	assert_true(c.version);
	cli_release(&c);
	/* without them the bad variable is still an error */
	parse_bad(W("envssm", "/app", "--", "cmd"), W("ENVSSM_NO_OVERRIDE=maybe"),
	          "ENVSSM_NO_OVERRIDE");
}

static void test_log_format(void **state)
{
	struct cli c;

	(void)state;
	parse_ok(W("envssm", "--log-format", "json", "/app", "--", "cmd"), NOENV, &c);
	assert_int_equal(c.log_format, LOG_JSON);
	cli_release(&c);
	parse_ok(W("envssm", "--log-format=text", "/app", "--", "cmd"), NOENV, &c);
	assert_int_equal(c.log_format, LOG_TEXT);
	cli_release(&c);
	parse_ok(W("envssm", "/app", "--", "cmd"), W("ENVSSM_LOG_FORMAT=json"), &c);
	assert_int_equal(c.log_format, LOG_JSON);
	cli_release(&c);
	parse_ok(W("envssm", "--log-format", "text", "/app", "--", "cmd"),
	         W("ENVSSM_LOG_FORMAT=json"), &c);
	assert_int_equal(c.log_format, LOG_TEXT);
	cli_release(&c);
	parse_bad(W("envssm", "--log-format", "xml", "/app", "--", "cmd"), NOENV,
	          "invalid --log-format 'xml'");
	parse_bad(W("envssm", "--log-format=JSON", "/app", "--", "cmd"), NOENV,
	          "invalid --log-format");
	parse_bad(W("envssm", "/app", "--", "cmd"), W("ENVSSM_LOG_FORMAT=xml"),
	          "invalid ENVSSM_LOG_FORMAT 'xml'");
}

/* --- ENVSSM_* variables --- */

static void test_env_variable(void **state)
{
	struct cli c;

	(void)state;
	parse_ok(W("envssm", "/app", "--", "cmd"), W("HOME=/root", "ENVSSM_ENV=staging"), &c);
	assert_string_equal(c.env_name, "staging");
	cli_release(&c);
	/* the flag beats the variable, in every spelling */
	parse_ok(W("envssm", "--env", "production", "/app", "--", "cmd"), W("ENVSSM_ENV=staging"),
	         &c);
	assert_string_equal(c.env_name, "production");
	cli_release(&c);
	parse_ok(W("envssm", "-eproduction", "/app", "--", "cmd"), W("ENVSSM_ENV=staging"), &c);
	assert_string_equal(c.env_name, "production");
	cli_release(&c);
	/* empty is unset; a longer name is another variable */
	parse_ok(W("envssm", "/app", "--", "cmd"), W("ENVSSM_ENV=", "ENVSSM_ENVX=x"), &c);
	assert_null(c.env_name);
	cli_release(&c);
	/* the first occurrence counts */
	parse_ok(W("envssm", "/app", "--", "cmd"), W("ENVSSM_ENV=one", "ENVSSM_ENV=two"), &c);
	assert_string_equal(c.env_name, "one");
	cli_release(&c);
}

struct bool_case {
	const char *text;
	int want; /* 1, 0, or -1 for an error */
};

static void check_bool_variable(const char *var, size_t field)
{
	static const struct bool_case cases[] = {
	        {"1", 1},      {"true", 1},   {"TRUE", 1},   {"True", 1},  {"yes", 1},
	        {"YES", 1},    {"0", 0},      {"false", 0},  {"FALSE", 0}, {"no", 0},
	        {"No", 0},     {"", 0},       {"maybe", -1}, {"2", -1},    {"on", -1},
	        {" true", -1}, {"true ", -1}, {"yes!", -1},  {"10", -1},   {"-1", -1},
	};
	char entry[128];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cli c;
		struct err e;
		int rc;

		snprintf(entry, sizeof(entry), "%s=%s", var, cases[i].text);
		rc = parse(W("envssm", "/app", "--", "cmd"), W(entry), &c, &e);
		if (cases[i].want < 0) {
			if (rc != -1)
				fail_msg("%s accepted", entry);
			assert_int_equal(e.kind, ERR_USAGE);
			assert_non_null(strstr(e.msg, var));
		} else {
			if (rc != 0)
				fail_msg("%s refused: %s", entry, e.msg);
			assert_int_equal(*(bool *)((char *)&c + field), cases[i].want == 1);
		}
		cli_release(&c);
	}
}

static void test_bool_variables(void **state)
{
	(void)state;
	check_bool_variable("ENVSSM_NO_OVERRIDE", offsetof(struct cli, no_override));
	check_bool_variable("ENVSSM_ALLOW_EMPTY", offsetof(struct cli, allow_empty));
}

static void test_bool_flag_beats_variable(void **state)
{
	struct cli c;

	(void)state;
	parse_ok(W("envssm", "--no-override", "--allow-empty", "/app", "--", "cmd"),
	         W("ENVSSM_NO_OVERRIDE=false", "ENVSSM_ALLOW_EMPTY=0"), &c);
	assert_true(c.no_override);
	assert_true(c.allow_empty);
	cli_release(&c);
	parse_ok(W("envssm", "/app", "--", "cmd"),
	         W("ENVSSM_NO_OVERRIDE=yes", "ENVSSM_ALLOW_EMPTY=true"), &c);
	assert_true(c.no_override);
	assert_true(c.allow_empty);
	cli_release(&c);
}

static void test_references_only(void **state)
{
	struct cli c;

	(void)state;
	/* no PATH: only ssm:// references in the environment are resolved */
	parse_ok(W("envssm", "--", "cmd", "-x"), NOENV, &c);
	assert_int_equal(c.npaths, 0);
	assert_string_equal(c.command[0], "cmd");
	assert_true(c.references);
	cli_release(&c);
	parse_ok(W("envssm", "--no-references", "/app", "--", "cmd"), NOENV, &c);
	assert_false(c.references);
	cli_release(&c);
	parse_ok(W("envssm", "/app", "--", "cmd"), W("ENVSSM_NO_REFERENCES=true"), &c);
	assert_false(c.references);
	cli_release(&c);
}

static void test_print_and_dry_run_modes(void **state)
{
	struct cli c;

	(void)state;
	parse_ok(W("envssm", "--format", "json", "/app", "/b"), NOENV, &c);
	assert_string_equal(c.format, "json");
	assert_int_equal(c.npaths, 2);
	assert_null(c.command);
	cli_release(&c);
	parse_ok(W("envssm", "--format=shell", "--output", "/tmp/x.env", "/app"), NOENV, &c);
	assert_string_equal(c.output, "/tmp/x.env");
	cli_release(&c);
	parse_ok(W("envssm", "/app"), W("ENVSSM_FORMAT=dotenv"), &c);
	assert_string_equal(c.format, "dotenv");
	cli_release(&c);
	parse_ok(W("envssm", "--dry-run", "/app"), NOENV, &c);
	assert_true(c.dry_run);
	assert_null(c.command);
	cli_release(&c);
	parse_ok(W("envssm", "--dry-run", "/app", "--", "cmd"), NOENV, &c);
	assert_string_equal(c.command[0], "cmd");
	cli_release(&c);
	parse_bad(W("envssm", "--format", "json", "/app", "--", "cmd"), NOENV,
		  "--format prints the variables instead of running a command");
	parse_bad(W("envssm", "--output", "f", "/app", "--", "cmd"), NOENV, "--output needs --format");
}

static void test_everyday_options(void **state)
{
	struct cli c;

	(void)state;
	parse_ok(W("envssm", "--require", "A,B", "--require=C", "--pristine", "--keep", "HOME",
		   "--prefix", "APP_", "--last-segment", "--timeout", "2.5", "/app", "--", "cmd"),
		 W("ENVSSM_REQUIRE=Z", "ENVSSM_KEEP=TERM"), &c);
	assert_string_equal(c.require.items, "Z,A,B,C");
	assert_string_equal(c.keep.items, "TERM,HOME");
	assert_true(c.pristine);
	assert_string_equal(c.name_prefix, "APP_");
	assert_true(c.last_segment);
	assert_int_equal(c.timeout_ms, 2500);
	cli_release(&c);
	parse_ok(W("envssm", "/app", "--", "cmd"),
		 W("ENVSSM_TIMEOUT=30", "ENVSSM_PRISTINE=1", "ENVSSM_LAST_SEGMENT=yes",
		   "ENVSSM_NO_DECRYPT=true", "ENVSSM_NO_RECURSIVE=1", "ENVSSM_DRY_RUN=0"),
		 &c);
	assert_int_equal(c.timeout_ms, 30000);
	assert_true(c.pristine);
	assert_true(c.last_segment);
	assert_false(c.decrypt);
	assert_false(c.recursive);
	assert_false(c.dry_run);
	cli_release(&c);
	/* the flag beats the variable */
	parse_ok(W("envssm", "--timeout", "5", "/app", "--", "cmd"), W("ENVSSM_TIMEOUT=30"), &c);
	assert_int_equal(c.timeout_ms, 5000);
	cli_release(&c);
	parse_bad(W("envssm", "--keep", "HOME", "/app", "--", "cmd"), NOENV, "--keep needs --pristine");
	/* --expand-json and its variable; off by default */
	parse_ok(W("envssm", "/app", "--", "cmd"), NOENV, &c);
	assert_false(c.expand_json);
	cli_release(&c);
	parse_ok(W("envssm", "--expand-json", "/app", "--", "cmd"), NOENV, &c);
	assert_true(c.expand_json);
	cli_release(&c);
	parse_ok(W("envssm", "/app", "--", "cmd"), W("ENVSSM_EXPAND_JSON=true"), &c);
	assert_true(c.expand_json);
	cli_release(&c);
	parse_bad(W("envssm", "/app", "--", "cmd"), W("ENVSSM_EXPAND_JSON=sometimes"),
		  "invalid ENVSSM_EXPAND_JSON");
	parse_bad(W("envssm", "--expand-json=1", "/app", "--", "cmd"), NOENV,
		  "option '--expand-json' takes no value");
	/* a prefix must keep every name a variable name: no '=', no blanks */
	parse_bad(W("envssm", "--prefix", "DEBUG=1;", "/app", "--", "cmd"), NOENV, "invalid --prefix");
	parse_bad(W("envssm", "--prefix", "1APP_", "/app", "--", "cmd"), NOENV, "invalid --prefix");
	parse_bad(W("envssm", "/app", "--", "cmd"), W("ENVSSM_PREFIX=A B"), "invalid --prefix");
	parse_ok(W("envssm", "--dry-run"), NOENV, &c);
	assert_int_equal(c.npaths, 0);
	cli_release(&c);
	parse_bad(W("envssm", "--timeout", "0", "/app", "--", "cmd"), NOENV, "invalid --timeout '0'");
	parse_bad(W("envssm", "--timeout", "5s", "/app", "--", "cmd"), NOENV, "invalid --timeout");
	parse_bad(W("envssm", "/app", "--", "cmd"), W("ENVSSM_TIMEOUT=-1"), "invalid ENVSSM_TIMEOUT");
	parse_bad(W("envssm", "/app", "--", "cmd"), W("ENVSSM_PRISTINE=maybe"),
		  "invalid ENVSSM_PRISTINE");
}

static void test_allow_names(void **state)
{
	struct cli c;

	(void)state;
	parse_ok(W("envssm", "--allow-name", "PATH", "/app", "--", "cmd"), NOENV, &c);
	assert_string_equal(c.allow_names, "PATH");
	cli_release(&c);
	assert_null(c.allow_names);
	assert_null(c.allow.items);
	parse_ok(W("envssm", "--allow-name", "PATH", "--allow-name=HOME,LD_PRELOAD", "/app", "--",
	           "cmd"),
	         NOENV, &c);
	assert_string_equal(c.allow_names, "PATH,HOME,LD_PRELOAD");
	cli_release(&c);
	parse_ok(W("envssm", "--allow-name", "PATH", "/app", "--", "cmd"),
	         W("ENVSSM_ALLOW_NAMES=SHELL,IFS"), &c);
	assert_string_equal(c.allow_names, "SHELL,IFS,PATH");
	cli_release(&c);
	parse_ok(W("envssm", "/app", "--", "cmd"), W("ENVSSM_ALLOW_NAMES=SHELL"), &c);
	assert_string_equal(c.allow_names, "SHELL");
	cli_release(&c);
	parse_ok(W("envssm", "/app", "--", "cmd"), W("ENVSSM_ALLOW_NAMES="), &c);
	assert_null(c.allow_names);
	cli_release(&c);
}

static void test_allow_names_many(void **state)
{
	struct cli c;
	const char *words[MAX_WORDS + 1];
	const char *name = "NAME_WITH_A_LONGISH_SPELLING_TO_MAKE_THE_BUFFER_GROW";
	int n = 0;

	(void)state;
	words[n++] = "envssm";
	for (int i = 0; i < 12; i++) {
		words[n++] = "--allow-name";
		words[n++] = name;
	}
	words[n++] = "/app";
	words[n++] = "--";
	words[n++] = "cmd";
	words[n] = NULL;
	parse_ok(words, NOENV, &c);
	assert_int_equal(strlen(c.allow_names), 12 * strlen(name) + 11);
	assert_int_equal(strncmp(c.allow_names, name, strlen(name)), 0);
	assert_int_equal(c.allow_names[strlen(name)], ',');
	cli_release(&c);
	cli_release(&c); /* twice is harmless */
}

/* A --require, --keep or --allow-name name longer than any name envssm
 * sets is an error, never silently ignored; one at the limit is kept. */
static void test_list_name_lengths(void **state)
{
	static const char *const opts[] = {"--require", "--keep", "--allow-name"};
	static char ok[NAMES_MAX_VAR + 1], over[NAMES_MAX_VAR + 2], var[NAMES_MAX_VAR + 40];
	struct cli c;

	(void)state;
	memset(ok, 'A', NAMES_MAX_VAR);
	memset(over, 'B', NAMES_MAX_VAR + 1);
	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
		char want[64];

		parse_ok(W("envssm", "--pristine", opts[i], ok, "/app", "--", "true"), NOENV, &c);
		assert_non_null(strstr(i == 0 ? c.require.items : i == 1 ? c.keep.items : c.allow.items,
		                       ok));
		cli_release(&c);
		snprintf(want, sizeof(want), "invalid %s name 'BBBB", opts[i]);
		parse_bad(W("envssm", "--pristine", opts[i], over, "/app", "--", "true"), NOENV, want);
		parse_bad(W("envssm", "--pristine", opts[i], " X, Y ,", "--require", over, "/app",
		            "--", "true"),
		          NOENV, "longer than 4096 bytes");
	}
	snprintf(var, sizeof(var), "ENVSSM_REQUIRE=X, %s ", ok);
	parse_ok(W("envssm", "/app", "--", "true"), W(var), &c);
	cli_release(&c);
	snprintf(var, sizeof(var), "ENVSSM_REQUIRE=%s", over);
	parse_bad(W("envssm", "/app", "--", "true"), W(var), "invalid ENVSSM_REQUIRE name 'BBBB");
}

static void test_verbose_variable(void **state)
{
	static const char *const good[] = {"0", "1", "2", "8"};
	static const char *const bad[] = {
	        "9", "-1", "x", "3x", "2.0", "99999999999999999999", "-99999999999999999999"};
	char entry[64];

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct cli c;

		snprintf(entry, sizeof(entry), "ENVSSM_VERBOSE=%s", good[i]);
		parse_ok(W("envssm", "/app", "--", "cmd"), W(entry), &c);
		assert_int_equal(c.verbosity, atoi(good[i]));
		cli_release(&c);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(entry, sizeof(entry), "ENVSSM_VERBOSE=%s", bad[i]);
		parse_bad(W("envssm", "/app", "--", "cmd"), W(entry), "invalid ENVSSM_VERBOSE");
	}
	{
		struct cli c;

		parse_ok(W("envssm", "/app", "--", "cmd"), W("ENVSSM_VERBOSE="), &c);
		assert_int_equal(c.verbosity, 0);
		cli_release(&c);
	}
}

static void test_no_envp(void **state)
{
	struct cli c;
	struct err e = {ERR_NONE, ""};
	int argc = fill(test_argv, W("envssm", "/app", "--", "cmd"));

	(void)state;
	assert_int_equal(cli_parse(argc, test_argv, NULL, &c, &e), 0);
	assert_int_equal(c.npaths, 1);
	cli_release(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_minimal),
	        cmocka_unit_test(test_several_paths),
	        cmocka_unit_test(test_command_keeps_its_options),
	        cmocka_unit_test(test_operand_errors),
	        cmocka_unit_test(test_option_after_path),
	        cmocka_unit_test(test_env_forms),
	        cmocka_unit_test(test_value_with_equals),
	        cmocka_unit_test(test_last_flag_wins),
	        cmocka_unit_test(test_switches),
	        cmocka_unit_test(test_verbose),
	        cmocka_unit_test(test_unknown_option),
	        cmocka_unit_test(test_unknown_option_value_not_echoed),
	        cmocka_unit_test(test_missing_value),
	        cmocka_unit_test(test_help_version),
	        cmocka_unit_test(test_help_ignores_bad_variables),
	        cmocka_unit_test(test_log_format),
	        cmocka_unit_test(test_env_variable),
	        cmocka_unit_test(test_list_name_lengths),
	        cmocka_unit_test(test_bool_variables),
	        cmocka_unit_test(test_bool_flag_beats_variable),
	        cmocka_unit_test(test_references_only),
	        cmocka_unit_test(test_print_and_dry_run_modes),
	        cmocka_unit_test(test_everyday_options),
	        cmocka_unit_test(test_allow_names),
	        cmocka_unit_test(test_allow_names_many),
	        cmocka_unit_test(test_verbose_variable),
	        cmocka_unit_test(test_no_envp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
