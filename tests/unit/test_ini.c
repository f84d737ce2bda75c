/*
 * test_ini.c - the shared config file parser.
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

#include "ini.h"

/* Every allocation the parser makes passes through here (the test is
 * linked with --wrap=malloc,realloc,calloc): the bytes asked for measure
 * its work without a clock. */
void *__real_malloc(size_t n);
void *__real_realloc(void *p, size_t n);
void *__real_calloc(size_t n, size_t size);
void *__wrap_malloc(size_t n);
void *__wrap_realloc(void *p, size_t n);
void *__wrap_calloc(size_t n, size_t size);

static size_t allocated;

void *__wrap_malloc(size_t n)
{
	allocated += n;
	return __real_malloc(n);
}

void *__wrap_realloc(void *p, size_t n)
{
	allocated += n;
	return __real_realloc(p, n);
}

void *__wrap_calloc(size_t n, size_t size)
{
	allocated += n * size;
	return __real_calloc(n, size);
}

/* parse_ok parses text (a C string) into ini and fails the test on error. */
static void parse_ok(struct ini *ini, const char *text)
{
	struct err e = {0};

	ini_init(ini);
	if (ini_parse(text, strlen(text), ini, &e) != 0)
		fail_msg("unexpected parse error: %s", e.msg);
}

/* parse_fails expects text (len bytes) to be refused with message msg. */
static void parse_fails(const char *text, size_t len, const char *msg)
{
	struct ini ini;
	struct err e = {0};

	ini_init(&ini);
	assert_int_equal(ini_parse(text, len, &ini, &e), -1);
	assert_int_equal(e.kind, ERR_CONFIG);
	assert_string_equal(e.msg, msg);
	assert_int_equal(ini.len, 0);
	assert_int_equal(ini.nsections, 0);
	ini_release(&ini);
}

static void test_sections(void **state)
{
	struct ini ini;

	(void)state;
	parse_ok(&ini, "[default]\nregion = eu-west-1\n"
	               "[ profile dev ]\nregion=us-east-1\n"
	               "[default]\noutput = json\n");
	assert_int_equal(ini.nsections, 2);
	assert_string_equal(ini.sections[0], "default");
	assert_string_equal(ini.sections[1], "profile dev");
	assert_true(ini_has_section(&ini, "profile dev"));
	assert_false(ini_has_section(&ini, "dev"));
	assert_string_equal(ini_get(&ini, "default", "region"), "eu-west-1");
	assert_string_equal(ini_get(&ini, "default", "output"), "json");
	assert_string_equal(ini_get(&ini, "profile dev", "region"), "us-east-1");
	assert_null(ini_get(&ini, "profile dev", "output"));
	assert_null(ini_get(&ini, "nope", "region"));
	assert_null(ini_get(&ini, "default", "Region"));
	assert_int_equal(ini.props[1].line, 4);
	assert_int_equal(ini.props[2].line, 6);
	ini_release(&ini);
	assert_null(ini.props);
	assert_int_equal(ini.len, 0);
}

static void test_comments(void **state)
{
	struct ini ini;

	(void)state;
	parse_ok(&ini, "# top\n; top\n[a] # header comment\n"
	               "  # indented comment\n"
	               "secret = ab#cd ;ef # not a comment\n"
	               "hash = #\n"
	               "[b] ; other\n");
	assert_string_equal(ini_get(&ini, "a", "secret"), "ab#cd ;ef # not a comment");
	assert_string_equal(ini_get(&ini, "a", "hash"), "#");
	assert_true(ini_has_section(&ini, "b"));
	assert_int_equal(ini.len, 2);
	ini_release(&ini);
}

static void test_trimming(void **state)
{
	struct ini ini;

	(void)state;
	parse_ok(&ini, "  [a]  \n\t key \t=\t value with  inner  space \t\n"
	               "empty =\n"
	               "eq = a=b==\n"
	               "spaced key = v\n");
	assert_string_equal(ini_get(&ini, "a", "key"), "value with  inner  space");
	assert_string_equal(ini_get(&ini, "a", "empty"), "");
	assert_string_equal(ini_get(&ini, "a", "eq"), "a=b==");
	assert_string_equal(ini_get(&ini, "a", "spaced key"), "v");
	ini_release(&ini);
}

static void test_crlf_and_bom(void **state)
{
	struct ini ini;

	(void)state;
	parse_ok(&ini, "\xef\xbb\xbf[a]\r\nk = v\r\n\r\nsvc =\r\n  url = x\r\n[b]\r\nlast = 1");
	assert_true(ini_has_section(&ini, "a"));
	assert_string_equal(ini_get(&ini, "a", "k"), "v");
	assert_string_equal(ini_get_sub(&ini, "a", "svc", "url"), "x");
	assert_string_equal(ini_get(&ini, "b", "last"), "1");
	ini_release(&ini);
	/* a BOM anywhere but the start is part of the text */
	parse_ok(&ini, "[a]\n\xef\xbb\xbfk = v\n");
	assert_null(ini_get(&ini, "a", "k"));
	assert_string_equal(ini_get(&ini, "a", "\xef\xbb\xbfk"), "v");
	ini_release(&ini);
}

static void test_subproperties(void **state)
{
	struct ini ini;

	(void)state;
	parse_ok(&ini, "[services local]\n"
	               "ssm =\n"
	               "  endpoint_url = http://localhost:4566\n"
	               "\n"
	               "  # comment inside\n"
	               "\tsigning = x = y\n"
	               "sts =\n"
	               "    endpoint_url = http://sts\n"
	               "region = eu-west-1\n"
	               "  more = text\n"
	               "   and more\n");
	assert_string_equal(ini_get(&ini, "services local", "ssm"), "");
	assert_string_equal(ini_get_sub(&ini, "services local", "ssm", "endpoint_url"),
	                    "http://localhost:4566");
	assert_string_equal(ini_get_sub(&ini, "services local", "ssm", "signing"), "x = y");
	assert_null(ini_get_sub(&ini, "services local", "ssm", "nope"));
	assert_string_equal(ini_get_sub(&ini, "services local", "sts", "endpoint_url"),
	                    "http://sts");
	assert_null(ini_get(&ini, "services local", "endpoint_url"));
	assert_null(ini_get_sub(&ini, "services local", "missing", "endpoint_url"));
	/* an indented line under a non-empty value continues it */
	assert_string_equal(ini_get(&ini, "services local", "region"),
	                    "eu-west-1\nmore = text\nand more");
	assert_null(ini_get_sub(&ini, "services local", "region", "more"));
	ini_release(&ini);
}

static void test_indent_relative(void **state)
{
	struct ini ini;

	(void)state;
	/* continuation is relative to the key's own indentation */
	parse_ok(&ini, "[a]\n  k = v\n  j = w\n    deeper\n");
	assert_string_equal(ini_get(&ini, "a", "k"), "v");
	assert_string_equal(ini_get(&ini, "a", "j"), "w\ndeeper");
	ini_release(&ini);
	/* a header ends the key: the indented line after it is a key */
	parse_ok(&ini, "[a]\nk =\n[b]\n  j = 1\n");
	assert_string_equal(ini_get(&ini, "b", "j"), "1");
	assert_null(ini_get_sub(&ini, "a", "k", "j"));
	ini_release(&ini);
}

static void test_duplicates(void **state)
{
	struct ini ini;

	(void)state;
	parse_ok(&ini, "[a]\nk = 1\nk = 2\n"
	               "s =\n  x = old\n  y = kept?\n  y = last\n"
	               "[b]\nk = b\n"
	               "[a]\nk = 3\ns =\n  x = new\n");
	assert_int_equal(ini.nsections, 2);
	assert_string_equal(ini_get(&ini, "a", "k"), "3");
	assert_string_equal(ini_get(&ini, "b", "k"), "b");
	assert_string_equal(ini_get_sub(&ini, "a", "s", "x"), "new");
	/* a redefined key drops the old sub-properties */
	assert_null(ini_get_sub(&ini, "a", "s", "y"));
	ini_release(&ini);
	parse_ok(&ini, "[a]\ns =\n  y = 1\n  y = 2\n");
	assert_string_equal(ini_get_sub(&ini, "a", "s", "y"), "2");
	ini_release(&ini);
}

struct bad_case {
	const char *text;
	const char *msg;
};

static void test_malformed(void **state)
{
	static const struct bad_case cases[] = {
	        {"[a\n", "line 1: missing ']' after section name"},
	        {"# c\n\n[]\n", "line 3: empty section name"},
	        {"[  \t ]\n", "line 1: empty section name"},
	        {"[a] b\n", "line 1: unexpected text after section header"},
	        {"k = v\n", "line 1: property before any [section]"},
	        {"[a]\nk = v\nno equals here\n", "line 3: expected '[section]' or 'key = value'"},
	        {"[a]\n= v\n", "line 2: expected '[section]' or 'key = value'"},
	        {"[a]\n  = v\n", "line 2: expected '[section]' or 'key = value'"},
	        {"[a]\r\nk =\r\n  nokey\r\n", "line 3: expected 'key = value' in sub-property"},
	        {"[a]\nk =\n  = v\n", "line 3: expected 'key = value' in sub-property"},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		parse_fails(cases[i].text, strlen(cases[i].text), cases[i].msg);
}

static void test_nul_byte(void **state)
{
	static const char text[] = "[a]\nk = v\nsecret = ab\0cd\n";

	(void)state;
	parse_fails(text, sizeof(text) - 1, "line 3: NUL byte");
	parse_fails("\0", 1, "line 1: NUL byte");
}

static void test_long_line(void **state)
{
	size_t max = 64 * 1024;
	char *text = malloc(max + 32);
	struct ini ini;
	struct err e = {0};
	size_t n;

	(void)state;
	assert_non_null(text);
	/* exactly 64 KiB is accepted */
	memcpy(text, "[a]\nk = ", 8);
	memset(text + 8, 'x', max - 4);
	n = 4 + max;
	text[n] = '\n';
	ini_init(&ini);
	assert_int_equal(ini_parse(text, n + 1, &ini, &e), 0);
	assert_int_equal(strlen(ini_get(&ini, "a", "k")), max - 4);
	ini_release(&ini);
	/* one more byte is not */
	memset(text + 8, 'x', max - 3);
	n = 4 + max + 1;
	text[n] = '\n';
	parse_fails(text, n + 1, "line 2: longer than 65536 bytes");
	free(text);
}

static void test_failure_keeps_out(void **state)
{
	struct ini ini;
	struct err e = {0};
	const char *bad = "[b]\nk = new\n[c]\nbroken\n";

	(void)state;
	parse_ok(&ini, "[a]\nk = old\n");
	assert_int_equal(ini_parse(bad, strlen(bad), &ini, &e), -1);
	assert_string_equal(e.msg, "line 4: expected '[section]' or 'key = value'");
	assert_int_equal(ini.len, 1);
	assert_int_equal(ini.nsections, 1);
	assert_false(ini_has_section(&ini, "b"));
	assert_string_equal(ini_get(&ini, "a", "k"), "old");
	/* appending a second text works and later keys win */
	assert_int_equal(ini_parse("[a]\nk = new\n", 12, &ini, &e), 0);
	assert_string_equal(ini_get(&ini, "a", "k"), "new");
	ini_release(&ini);
}

static void test_empty(void **state)
{
	struct ini ini;
	struct err e = {0};

	(void)state;
	ini_init(&ini);
	assert_int_equal(ini_parse(NULL, 0, &ini, &e), 0);
	assert_int_equal(ini_parse("\xef\xbb\xbf", 3, &ini, &e), 0);
	assert_int_equal(ini_parse("\n\n  \n# x", 8, &ini, &e), 0);
	assert_int_equal(ini.len, 0);
	assert_null(ini_get(&ini, "a", "b"));
	assert_null(ini_get_sub(&ini, "a", "b", "c"));
	assert_false(ini_has_section(&ini, "a"));
	ini_release(&ini);
}

/* temp_write makes a temporary file holding n bytes; path has room for
 * 64 bytes. */
static void temp_write(char *path, const char *data, size_t n)
{
	int fd;

	snprintf(path, 64, "%s", "/tmp/envssm-test-ini-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, n), (ssize_t)n);
	assert_int_equal(close(fd), 0);
}

static void test_load_missing(void **state)
{
	struct ini ini;
	struct err e = {0};
	bool missing = false;

	(void)state;
	ini_init(&ini);
	assert_int_equal(ini_load("/tmp/envssm-no-such-dir/config", &ini, &missing, &e), 0);
	assert_true(missing);
	assert_int_equal(ini.len, 0);
	/* without a missing flag, absence is an error */
	assert_int_equal(ini_load("/tmp/envssm-no-such-dir/config", &ini, NULL, &e), -1);
	assert_int_equal(e.kind, ERR_CONFIG);
	assert_string_equal(
	        e.msg,
	        "unable to open '/tmp/envssm-no-such-dir/config': No such file or directory");
	ini_release(&ini);
}

static void test_load_directory(void **state)
{
	struct ini ini;
	struct err e = {0};
	bool missing = true;

	(void)state;
	ini_init(&ini);
	assert_int_equal(ini_load("/tmp", &ini, &missing, &e), -1);
	assert_false(missing);
	assert_int_equal(e.kind, ERR_CONFIG);
	assert_string_equal(e.msg, "unable to read '/tmp': Is a directory");
	ini_release(&ini);
}

static void test_load_open_error(void **state)
{
	char path[64], below[96], want[160];
	struct ini ini;
	struct err e = {0};
	bool missing = true;

	(void)state;
	/* only a file that does not exist is missing: other errors are loud */
	temp_write(path, "[a]\n", 4);
	snprintf(below, sizeof(below), "%s/config", path);
	ini_init(&ini);
	assert_int_equal(ini_load(below, &ini, &missing, &e), -1);
	assert_false(missing);
	assert_int_equal(e.kind, ERR_CONFIG);
	snprintf(want, sizeof(want), "unable to open '%s': Not a directory", below);
	assert_string_equal(e.msg, want);
	ini_release(&ini);
	unlink(path);
}

static void test_load_too_large(void **state)
{
	size_t max = 1024 * 1024;
	char *data = malloc(max + 1);
	char path[64];
	struct ini ini;
	struct err e = {0};
	bool missing = true;

	(void)state;
	assert_non_null(data);
	memset(data, '\n', max + 1);
	memcpy(data, "[a]\nk = v\n", 10);
	/* exactly 1 MiB loads */
	temp_write(path, data, max);
	ini_init(&ini);
	assert_int_equal(ini_load(path, &ini, &missing, &e), 0);
	assert_false(missing);
	assert_string_equal(ini_get(&ini, "a", "k"), "v");
	ini_release(&ini);
	unlink(path);
	/* one byte more does not */
	temp_write(path, data, max + 1);
	assert_int_equal(ini_load(path, &ini, &missing, &e), -1);
	assert_int_equal(e.kind, ERR_LIMIT);
	assert_non_null(strstr(e.msg, "': file too large (over 1048576 bytes)"));
	assert_int_equal(strncmp(e.msg, "unable to read '/tmp/envssm-test-ini-", 37), 0);
	assert_int_equal(ini.len, 0);
	ini_release(&ini);
	unlink(path);
	free(data);
}

static void test_load_round_trip(void **state)
{
	static const char text[] = "\xef\xbb\xbf# credentials\r\n"
	                           "[default]\r\n"
	                           "aws_access_key_id = AKIDEXAMPLE\r\n"
	                           "aws_secret_access_key = wJalr/K7MDENG+bPxRfi#CY;EXAMPLEKEY\r\n"
	                           "[profile dev]\n"
	                           "services = local\n"
	                           "[services local]\n"
	                           "ssm =\n"
	                           "  endpoint_url = http://localhost:4566\n";
	char path[64];
	struct ini ini;
	struct err e = {0};
	bool missing = true;

	(void)state;
	temp_write(path, text, sizeof(text) - 1);
	ini_init(&ini);
	assert_int_equal(ini_load(path, &ini, &missing, &e), 0);
	assert_false(missing);
	assert_string_equal(ini_get(&ini, "default", "aws_access_key_id"), "AKIDEXAMPLE");
	assert_string_equal(ini_get(&ini, "default", "aws_secret_access_key"),
	                    "wJalr/K7MDENG+bPxRfi#CY;EXAMPLEKEY");
	assert_string_equal(ini_get(&ini, "profile dev", "services"), "local");
	assert_string_equal(ini_get_sub(&ini, "services local", "ssm", "endpoint_url"),
	                    "http://localhost:4566");
	assert_int_equal(ini.nsections, 3);
	ini_release(&ini);
	unlink(path);
}

static void test_load_names_file_and_line(void **state)
{
	static const char text[] = "[default]\nregion = eu-west-1\nsecret-without-equals\n";
	char path[64], want[160];
	struct ini ini;
	struct err e = {0};
	bool missing = true;

	(void)state;
	temp_write(path, text, sizeof(text) - 1);
	ini_init(&ini);
	assert_int_equal(ini_load(path, &ini, &missing, &e), -1);
	assert_int_equal(e.kind, ERR_CONFIG);
	snprintf(want, sizeof(want),
	         "unable to parse '%s': line 3: expected '[section]' or 'key = value'", path);
	assert_string_equal(e.msg, want);
	/* the offending text is never echoed: it may be a secret */
	assert_null(strstr(e.msg, "secret-without-equals"));
	assert_int_equal(ini.len, 0);
	ini_release(&ini);
	unlink(path);
}

#define BIG_TEXT (1024 * 1024)

/* big_parse parses len bytes of text, counting what the parser allocates;
 * a linear parser asks for a small multiple of the text. */
static void big_parse(struct ini *ini, const char *text, size_t len)
{
	struct err e = {0};
	size_t before;

	ini_init(ini);
	before = allocated;
	if (ini_parse(text, len, ini, &e) != 0)
		fail_msg("unexpected parse error: %s", e.msg);
	assert_true(allocated - before <= 64 * len);
}

static void test_many_continuation_lines(void **state)
{
	static const char head[] = "[a]\nk = v\n";
	size_t lines = (BIG_TEXT - (sizeof(head) - 1)) / 3;
	size_t len = sizeof(head) - 1 + 3 * lines;
	char *text = malloc(len), *want = malloc(2 * lines + 2);
	struct ini ini;

	(void)state;
	assert_non_null(text);
	assert_non_null(want);
	memcpy(text, head, sizeof(head) - 1);
	want[0] = 'v';
	for (size_t i = 0; i < lines; i++) {
		memcpy(text + sizeof(head) - 1 + 3 * i, " x\n", 3);
		memcpy(want + 1 + 2 * i, "\nx", 2);
	}
	want[1 + 2 * lines] = '\0';
	big_parse(&ini, text, len);
	assert_int_equal(ini.len, 1);
	assert_int_equal(strlen(ini_get(&ini, "a", "k")), 1 + 2 * lines);
	assert_string_equal(ini_get(&ini, "a", "k"), want);
	ini_release(&ini);
	free(text);
	free(want);
}

static void test_many_sections(void **state)
{
	size_t n = BIG_TEXT / 20, len = 0, size = 2 * 10 * n + 32;
	char *text = malloc(size);
	struct ini ini;

	(void)state;
	assert_non_null(text);
	/* every name twice: new ones at first, then all of them again */
	for (size_t round = 0; round < 2; round++) {
		for (size_t i = 0; i < n; i++)
			len += (size_t)snprintf(text + len, size - len, "[s%06zu]\n",
			                        round ? n - 1 - i : i);
	}
	len += (size_t)snprintf(text + len, size - len, "k = v\n");
	big_parse(&ini, text, len);
	assert_int_equal(ini.nsections, n);
	assert_string_equal(ini.sections[0], "s000000");
	assert_string_equal(ini.sections[n - 1], "s052427");
	/* the last header named the first section again: no new copy */
	assert_ptr_equal(ini.props[0].section, ini.sections[0]);
	assert_string_equal(ini_get(&ini, "s000000", "k"), "v");
	assert_true(ini_has_section(&ini, "s000001"));
	ini_release(&ini);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_sections),
	        cmocka_unit_test(test_comments),
	        cmocka_unit_test(test_trimming),
	        cmocka_unit_test(test_crlf_and_bom),
	        cmocka_unit_test(test_subproperties),
	        cmocka_unit_test(test_indent_relative),
	        cmocka_unit_test(test_duplicates),
	        cmocka_unit_test(test_malformed),
	        cmocka_unit_test(test_nul_byte),
	        cmocka_unit_test(test_long_line),
	        cmocka_unit_test(test_failure_keeps_out),
	        cmocka_unit_test(test_empty),
	        cmocka_unit_test(test_load_missing),
	        cmocka_unit_test(test_load_directory),
	        cmocka_unit_test(test_load_open_error),
	        cmocka_unit_test(test_load_too_large),
	        cmocka_unit_test(test_load_round_trip),
	        cmocka_unit_test(test_load_names_file_and_line),
	        cmocka_unit_test(test_many_continuation_lines),
	        cmocka_unit_test(test_many_sections),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
