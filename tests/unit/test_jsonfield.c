/*
 * test_jsonfield.c - reading JSON objects strictly, selecting a field,
 * expanding parameters into one per field, and the names they get.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "jsonfield.h"

#define SECRET "s3cr3t-Value-7d1e"

/* parse_fails parses text, which must fail with kind, and returns the
 * message (static) for the caller to inspect. */
static const char *parse_fails(const char *text, size_t len, enum err_kind kind)
{
	static struct err e;
	struct jsonfield_object o;

	e = (struct err){ERR_NONE, ""};
	assert_int_equal(jsonfield_parse(text, len, &o, &e), -1);
	assert_int_equal(e.kind, kind);
	assert_null(strchr(e.msg, '\n'));
	jsonfield_object_release(&o);
	return e.msg;
}

static const char *fails(const char *text, enum err_kind kind)
{
	return parse_fails(text, strlen(text), kind);
}

/* select_ok selects field from text and compares the result. */
static void select_ok(const char *text, const char *field, const char *want, size_t want_len)
{
	struct buf out = BUF_INIT;
	struct err e = {ERR_NONE, ""};

	assert_int_equal(jsonfield_select(text, strlen(text), field, &out, &e), 0);
	assert_int_equal(out.len, want_len);
	assert_memory_equal(buf_cstr(&out), want, want_len);
	buf_release(&out);
}

static const char *select_fails(const char *text, const char *field)
{
	static struct err e;
	struct buf out = BUF_INIT;

	e = (struct err){ERR_NONE, ""};
	assert_int_equal(jsonfield_select(text, strlen(text), field, &out, &e), -1);
	assert_null(strstr(e.msg, SECRET));
	buf_release(&out);
	return e.msg;
}

/* ---- reading ------------------------------------------------------------ */

static void test_parse_keeps_order_and_text(void **state)
{
	const char *text = " \t\r\n{ \"s\" : \"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\" , \"n\":-0.50e+02,"
	                   "\"i\":5432,\"t\":true,\"f\":false,\"z\":null,\"o\":{\"k\":[1,{}]},"
	                   "\"a\":[],\"u\":\"\\u00e9\\u20ac\\ud83d\\ude80\xc3\xa9\"}\n";
	struct jsonfield_object o;
	struct err e = {ERR_NONE, ""};
	static const char *const keys[] = {"s", "n", "i", "t", "f", "z", "o", "a", "u"};
	static const enum jsonfield_kind kinds[] = {
	        JSONFIELD_STRING, JSONFIELD_NUMBER, JSONFIELD_NUMBER, JSONFIELD_BOOL,  JSONFIELD_BOOL,
	        JSONFIELD_NULL,   JSONFIELD_OBJECT, JSONFIELD_ARRAY,  JSONFIELD_STRING};

	(void)state;
	assert_int_equal(jsonfield_parse(text, strlen(text), &o, &e), 0);
	assert_int_equal(o.len, 9);
	for (size_t i = 0; i < o.len; i++) {
		assert_string_equal(buf_cstr(&o.items[i].key), keys[i]);
		assert_int_equal(o.items[i].kind, kinds[i]);
	}
	assert_string_equal(buf_cstr(&o.items[0].value), "a\"b\\c/d\b\f\n\r\t");
	assert_string_equal(buf_cstr(&o.items[1].value), "-0.50e+02");
	assert_string_equal(buf_cstr(&o.items[2].value), "5432");
	assert_string_equal(buf_cstr(&o.items[3].value), "true");
	assert_string_equal(buf_cstr(&o.items[4].value), "false");
	assert_int_equal(o.items[5].value.len, 0);
	assert_string_equal(buf_cstr(&o.items[8].value),
	                    "\xc3\xa9\xe2\x82\xac\xf0\x9f\x9a\x80\xc3\xa9");
	jsonfield_object_release(&o);

	assert_int_equal(jsonfield_parse("{}", 2, &o, &e), 0);
	assert_int_equal(o.len, 0);
	jsonfield_object_release(&o);
}

static void test_is_object(void **state)
{
	(void)state;
	assert_true(jsonfield_is_object(" \n{", 3));
	assert_true(jsonfield_is_object("{broken", 7));
	assert_false(jsonfield_is_object("", 0));
	assert_false(jsonfield_is_object("  ", 2));
	assert_false(jsonfield_is_object("[1]", 3));
	assert_false(jsonfield_is_object("\"{\"", 3));
	assert_false(jsonfield_is_object("x{", 2));
}

static void test_parse_refuses_malformed(void **state)
{
	static const char *const bad[] = {
	        "",          "[]",          "\"x\"",       "{",          "{\"a\"}",
	        "{\"a\":}",  "{\"a\":1,}",  "{,}",         "{\"a\":1 \"b\":2}",
	        "{a:1}",     "{'a':1}",     "{\"a\":01}",  "{\"a\":1.}", "{\"a\":.5}",
	        "{\"a\":1e}", "{\"a\":+1}", "{\"a\":-}",   "{\"a\":tru}", "{\"a\":nul}",
	        "{\"a\":True}", "{\"a\":\"x}", "{\"a\":\"\\x\"}", "{\"a\":\"\\u12\"}",
	        "{\"a\":\"\\u12g4\"}", "{\"a\":[1,]}", "{\"a\":[1 2]}", "{\"a\":{\"b\"}}",
	        "{\"a\":1}x", "{\"a\":1}{}", "{\"a\":\"tab\there\"}", "{\"a\":NaN}",
	        "{\"a\":Infinity}", "{\"a\":1}}",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *msg = fails(bad[i], ERR_PARSE);

		assert_non_null(strstr(msg, "at byte "));
	}
	/* a raw NUL byte is no JSON either */
	parse_fails("{\"a\":\"x\0y\"}", 11, ERR_PARSE);
}

static void test_parse_refuses_duplicates(void **state)
{
	const char *msg;

	(void)state;
	msg = fails("{\"user\":\"" SECRET "\",\"pass\":1,\"user\":\"other\"}", ERR_PARSE);
	assert_string_equal(msg, "field 'user' appears twice");
	/* the same name written with an escape is the same name */
	msg = fails("{\"k\\u00e9\":1,\"k\xc3\xa9\":2}", ERR_PARSE);
	assert_non_null(strstr(msg, "appears twice"));
	/* case differs: two names (their variable names collide later) */
	{
		struct jsonfield_object o;
		struct err e = {ERR_NONE, ""};

		assert_int_equal(jsonfield_parse("{\"a\":1,\"A\":2}", 13, &o, &e), 0);
		jsonfield_object_release(&o);
	}
	/* duplicates inside a nested object are no top-level field */
	{
		struct jsonfield_object o;
		struct err e = {ERR_NONE, ""};
		const char *t = "{\"o\":{\"x\":1,\"x\":2},\"p\":1}";

		assert_int_equal(jsonfield_parse(t, strlen(t), &o, &e), 0);
		jsonfield_object_release(&o);
	}
}

/* nested builds {"a": [[[...1...]]]} with depth levels in all. */
static char *nested(int depth)
{
	size_t n = (size_t)depth * 2 + 16;
	char *s = malloc(n), *p = s;

	assert_non_null(s);
	p += sprintf(p, "{\"a\":");
	for (int i = 1; i < depth; i++)
		*p++ = '[';
	*p++ = '1';
	for (int i = 1; i < depth; i++)
		*p++ = ']';
	*p++ = '}';
	*p = '\0';
	return s;
}

static void test_parse_bounds_depth(void **state)
{
	char *ok = nested(JSONFIELD_MAX_DEPTH), *deep = nested(JSONFIELD_MAX_DEPTH + 1);
	char *very = nested(100000 / 2);
	struct jsonfield_object o;
	struct err e = {ERR_NONE, ""};

	(void)state;
	assert_int_equal(jsonfield_parse(ok, strlen(ok), &o, &e), 0);
	assert_int_equal(o.items[0].kind, JSONFIELD_ARRAY);
	jsonfield_object_release(&o);
	assert_non_null(strstr(fails(deep, ERR_LIMIT), "field 'a': nesting deeper than 64 levels"));
	/* far past the bound: refused as fast, no deep recursion */
	assert_int_equal(jsonfield_parse(very, 65536, &o, &e), -1);
	assert_int_equal(e.kind, ERR_LIMIT);
	jsonfield_object_release(&o);
	free(ok);
	free(deep);
	free(very);
}

static void test_parse_bounds_size_fields_and_names(void **state)
{
	struct buf b = BUF_INIT;
	struct jsonfield_object o;
	struct err e = {ERR_NONE, ""};

	(void)state;
	/* fields: JSONFIELD_MAX_FIELDS fit, one more does not */
	assert_int_equal(buf_putc(&b, '{', NULL), 0);
	for (int i = 0; i < JSONFIELD_MAX_FIELDS; i++)
		assert_int_equal(buf_printf(&b, NULL, "%s\"k%d\":%d", i ? "," : "", i, i), 0);
	assert_int_equal(buf_putc(&b, '}', NULL), 0);
	assert_int_equal(jsonfield_parse(b.data, b.len, &o, &e), 0);
	assert_int_equal(o.len, JSONFIELD_MAX_FIELDS);
	jsonfield_object_release(&o);
	buf_truncate(&b, b.len - 1);
	assert_int_equal(buf_puts(&b, ",\"one-more\":1}", NULL), 0);
	assert_non_null(strstr(parse_fails(b.data, b.len, ERR_LIMIT), "more than 1000 fields"));

	/* size: a value past JSONFIELD_MAX_BYTES is refused before reading */
	buf_truncate(&b, 0);
	assert_int_equal(buf_puts(&b, "{\"a\":\"", NULL), 0);
	while (b.len < JSONFIELD_MAX_BYTES)
		assert_int_equal(buf_putc(&b, 'x', NULL), 0);
	assert_int_equal(buf_puts(&b, "\"}", NULL), 0);
	assert_non_null(strstr(parse_fails(b.data, b.len, ERR_LIMIT), "larger than 65536 bytes"));

	/* names: 256 bytes fit, 257 do not */
	buf_truncate(&b, 0);
	assert_int_equal(buf_printf(&b, NULL, "{\"%0256d\":1}", 0), 0);
	assert_int_equal(jsonfield_parse(b.data, b.len, &o, &e), 0);
	jsonfield_object_release(&o);
	buf_truncate(&b, 0);
	assert_int_equal(buf_printf(&b, NULL, "{\"%0257d\":1}", 0), 0);
	assert_non_null(
	        strstr(parse_fails(b.data, b.len, ERR_LIMIT), "a field name longer than 256 bytes"));
	buf_release(&b);
}

static void test_parse_refuses_invalid_utf8(void **state)
{
	static const char *const bad[] = {
	        "{\"a\":\"\x80\"}",                 /* a lone continuation byte */
	        "{\"a\":\"\xc3\"}",                 /* cut short */
	        "{\"a\":\"\xc0\xaf\"}",             /* overlong '/' */
	        "{\"a\":\"\xe0\x80\xaf\"}",         /* overlong, three bytes */
	        "{\"a\":\"\xed\xa0\x80\"}",         /* an encoded surrogate */
	        "{\"a\":\"\xf4\x90\x80\x80\"}",     /* past U+10FFFF */
	        "{\"a\":\"\xf5\x80\x80\x80\"}",     /* no such lead byte */
	        "{\"a\":\"\xff\"}",                 /* no such byte */
	        "{\"\xc3\x28\":1}",                 /* in a name */
	        "{\"a\":[\"ok\",\"\xe2\x82\"]}",    /* in a nested string */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_non_null(strstr(fails(bad[i], ERR_PARSE), "not valid UTF-8"));
	/* the longest and the edges of each form are fine */
	select_ok("{\"a\":\"\xf4\x8f\xbf\xbf\xef\xbf\xbf\xed\x9f\xbf\xc2\x80\"}", "a",
	          "\xf4\x8f\xbf\xbf\xef\xbf\xbf\xed\x9f\xbf\xc2\x80", 12);
}

static void test_parse_refuses_nul_and_lone_surrogates(void **state)
{
	const char *msg;

	(void)state;
	msg = fails("{\"user\":\"a\",\"password\":\"" SECRET "\\u0000x\"}", ERR_NAMES);
	assert_non_null(strstr(msg, "field 'password': a NUL"));
	assert_null(strstr(msg, SECRET));
	assert_non_null(strstr(fails("{\"a\\u0000\":1}", ERR_NAMES), "a NUL"));
	assert_non_null(strstr(fails("{\"a\":[\"\\u0000\"]}", ERR_NAMES), "a NUL"));
	assert_non_null(strstr(fails("{\"a\":\"\\ud800\"}", ERR_PARSE), "lone high surrogate"));
	assert_non_null(strstr(fails("{\"a\":\"\\ud800\\u0041\"}", ERR_PARSE), "lone high"));
	assert_non_null(strstr(fails("{\"a\":\"\\udc00\"}", ERR_PARSE), "lone low surrogate"));
	/* an escaped backslash before u0000 is text, not a NUL */
	select_ok("{\"a\":\"\\\\u0000\"}", "a", "\\u0000", 6);
}

static void test_messages_quote_names_safely(void **state)
{
	const char *msg;

	(void)state;
	msg = fails("{\"bad\\nname\\u001b[31m\":\"\\u0000\"}", ERR_NAMES);
	assert_non_null(strstr(msg, "field 'bad\\x0aname\\x1b[31m'"));
	msg = fails("{\"it's\":1,\"it's\":2}", ERR_PARSE);
	assert_non_null(strstr(msg, "field 'it\\x27s'"));
}

/* ---- selecting ---------------------------------------------------------- */

static void test_select(void **state)
{
	const char *rds = "{\"username\":\"app\",\"password\":\"" SECRET "\",\"engine\":\"postgres\","
	                  "\"host\":\"127.0.0.1\",\"port\":5432,\"ratio\":1.50,\"big\":1e400,"
	                  "\"ssl\":false,\"empty\":\"\",\"dbname\":\"app\"}";

	(void)state;
	select_ok(rds, "username", "app", 3);
	select_ok(rds, "password", SECRET, strlen(SECRET));
	select_ok(rds, "port", "5432", 4);
	select_ok(rds, "ratio", "1.50", 4);
	select_ok(rds, "big", "1e400", 5);
	select_ok(rds, "ssl", "false", 5);
	select_ok(rds, "empty", "", 0);
	select_ok("{\"a b#c\":\"x\"}", "a b#c", "x", 1);

	assert_string_equal(select_fails(rds, "user"), "no such field");
	assert_string_equal(select_fails(rds, "Username"), "no such field");
	assert_string_equal(select_fails("{\"o\":{\"p\":\"" SECRET "\"}}", "o"),
	                    "the field is an object, not a string, number or boolean");
	assert_string_equal(select_fails("{\"o\":[\"" SECRET "\"]}", "o"),
	                    "the field is an array, not a string, number or boolean");
	assert_string_equal(select_fails("{\"o\":null}", "o"),
	                    "the field is null, not a string, number or boolean");
	assert_string_equal(select_fails(SECRET, "o"), "the value is not a JSON object");
	assert_string_equal(select_fails("[\"" SECRET "\"]", "o"), "the value is not a JSON object");
	assert_string_equal(select_fails("", "o"), "the value is not a JSON object");
	/* a broken object is refused even when the field comes first */
	assert_non_null(strstr(select_fails("{\"a\":\"x\",\"b\":\"" SECRET "}", "a"),
	                       "field 'b': a string without its closing quote"));
}

/* ---- expanding ---------------------------------------------------------- */

static void push(struct ssm_params *p, const char *name, const char *type, const char *value)
{
	struct ssm_param *it = ssm_params_push(p, NULL);

	assert_non_null(it);
	it->name = strdup(name);
	assert_non_null(it->name);
	snprintf(it->type, sizeof(it->type), "%s", type);
	it->version = 7;
	assert_int_equal(buf_puts(&it->value, value, NULL), 0);
}

static void expect_param(const struct ssm_params *p, size_t i, const char *name, const char *type,
                         const char *value)
{
	assert_true(i < p->len);
	assert_string_equal(p->items[i].name, name);
	assert_string_equal(p->items[i].type, type);
	assert_int_equal(p->items[i].version, 7);
	assert_string_equal(buf_cstr(&p->items[i].value), value);
}

static void test_expand(void **state)
{
	struct ssm_params p;
	struct err e = {ERR_NONE, ""};

	(void)state;
	ssm_params_init(&p);
	push(&p, "/prod/app/debug", "String", "false");
	push(&p, "/prod/app/db", "SecureString",
	     " {\"user\":\"app\",\"password\":\"" SECRET "\",\"port\":5432,\"tls\":true}");
	push(&p, "/prod/app/list", "String", "[1,2]");
	push(&p, "/prod/app/empty", "String", "{}");
	push(&p, "/prod/app/text", "String", "");
	assert_int_equal(jsonfield_expand(&p, &e), 0);
	assert_int_equal(p.len, 7);
	expect_param(&p, 0, "/prod/app/debug", "String", "false");
	expect_param(&p, 1, "/prod/app/db#user", "SecureString", "app");
	expect_param(&p, 2, "/prod/app/db#password", "SecureString", SECRET);
	expect_param(&p, 3, "/prod/app/db#port", "SecureString", "5432");
	expect_param(&p, 4, "/prod/app/db#tls", "SecureString", "true");
	expect_param(&p, 5, "/prod/app/list", "String", "[1,2]");
	expect_param(&p, 6, "/prod/app/text", "String", "");
	ssm_params_release(&p);
}

static const char *expand_fails(const char *value)
{
	static struct err e;
	struct ssm_params p;

	e = (struct err){ERR_NONE, ""};
	ssm_params_init(&p);
	push(&p, "/prod/app/before", "String", "plain");
	push(&p, "/prod/app/db", "SecureString", value);
	assert_int_equal(jsonfield_expand(&p, &e), -1);
	assert_null(strstr(e.msg, SECRET));
	assert_null(strchr(e.msg, '\n'));
	assert_non_null(strstr(e.msg, "unable to expand '/prod/app/db' (--expand-json): "));
	ssm_params_release(&p);
	return e.msg;
}

static void test_expand_refuses(void **state)
{
	(void)state;
	assert_non_null(strstr(expand_fails("{\"a\":\"" SECRET "\",\"o\":{}}"),
	                       "field 'o' is an object, not a string, number or boolean"));
	assert_non_null(strstr(expand_fails("{\"a\":[\"" SECRET "\"]}"), "field 'a' is an array"));
	assert_non_null(strstr(expand_fails("{\"a\":null}"), "field 'a' is null"));
	assert_non_null(strstr(expand_fails("{\"\":\"" SECRET "\"}"),
	                       "an empty field name cannot name a variable"));
	assert_non_null(strstr(expand_fails("{\"a\\nb\":\"" SECRET "\"}"),
	                       "field 'a\\x0ab': a control character in its name"));
	assert_non_null(strstr(expand_fails("{\"a\":\"" SECRET "\",\"a\":\"x\"}"),
	                       "field 'a' appears twice"));
	assert_non_null(strstr(expand_fails("{\"a\":\"" SECRET "\\u0000\"}"), "field 'a': a NUL"));
	assert_non_null(strstr(expand_fails("{not json " SECRET "}"), "a field name expected"));
}

/* ---- names -------------------------------------------------------------- */

static void map_ok(const char *name, const char *prefix, const char *add, bool last,
                   const char *want)
{
	struct buf out = BUF_INIT;
	struct err e = {ERR_NONE, ""};

	assert_int_equal(jsonfield_map_name(name, prefix, add, last, &out, &e), 0);
	assert_string_equal(buf_cstr(&out), want);
	buf_release(&out);
}

static void test_map_name(void **state)
{
	struct buf out = BUF_INIT;
	struct err e = {ERR_NONE, ""};

	(void)state;
	map_ok("/prod/app/db/host", "/prod/app", NULL, false, "DB_HOST");
	map_ok("/prod/app/db#password", "/prod/app", NULL, false, "DB_PASSWORD");
	map_ok("/prod/app/rds/main#user-name", "/prod/app", "APP_", false, "APP_RDS_MAIN_USER_NAME");
	/* the field's '/' is no segment: --last-segment keeps it whole */
	map_ok("/prod/app/rds/main#a/b", "/prod/app", NULL, true, "MAIN_A_B");
	map_ok("/prod/app/9db#1st", "/prod/app", NULL, false, "_9DB_1ST");
	map_ok("/prod/app/db#na\xc3\xafve", "/prod/app", NULL, false, "DB_NA__VE");
	map_ok("/prod/app/db#x#y", "/prod/app", NULL, false, "DB_X_Y");
	assert_int_equal(jsonfield_map_name("/prod/app#x", "/prod/app", NULL, false, &out, &e), -1);
	assert_int_equal(e.kind, ERR_NAMES);
	buf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_parse_keeps_order_and_text),
	        cmocka_unit_test(test_is_object),
	        cmocka_unit_test(test_parse_refuses_malformed),
	        cmocka_unit_test(test_parse_refuses_duplicates),
	        cmocka_unit_test(test_parse_bounds_depth),
	        cmocka_unit_test(test_parse_bounds_size_fields_and_names),
	        cmocka_unit_test(test_parse_refuses_invalid_utf8),
	        cmocka_unit_test(test_parse_refuses_nul_and_lone_surrogates),
	        cmocka_unit_test(test_messages_quote_names_safely),
	        cmocka_unit_test(test_select),
	        cmocka_unit_test(test_expand),
	        cmocka_unit_test(test_expand_refuses),
	        cmocka_unit_test(test_map_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
