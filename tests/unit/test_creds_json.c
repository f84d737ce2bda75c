/*
 * test_creds_json.c - the providers' JSON answers (credential_process,
 * container, IMDS, SSO cache and portal), ISO 8601 times, freshness.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "creds.h"
#include "creds_json.h"

struct json_case {
	const char *text;
	int rc;
	const char *msg; /* error message, or the expected access key id */
	time_t expiration;
};

static void run_cases(int (*parse)(const char *, size_t, struct creds *, struct err *),
		      const struct json_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct creds c;
		struct err e = { ERR_NONE, "" };
		int rc;

		creds_init(&c);
		rc = parse(cases[i].text, strlen(cases[i].text), &c, &e);
		if (rc != cases[i].rc)
			fail_msg("case %zu: rc %d, '%s'", i, rc, e.msg);
		if (rc < 0) {
			if (strcmp(e.msg, cases[i].msg) != 0)
				fail_msg("case %zu: got '%s'", i, e.msg);
			/* a failure leaves nothing behind */
			assert_null(c.access_key_id.data);
			assert_null(c.secret_access_key.data);
		} else {
			assert_string_equal(buf_cstr(&c.access_key_id), cases[i].msg);
			assert_int_equal(c.expiration, cases[i].expiration);
		}
		creds_release(&c);
	}
}

#define PFX "credential_process output"

static void test_process_json(void **state)
{
	/* clang-format off */
	static const struct json_case cases[] = {
		{ "{\"Version\":1,\"AccessKeyId\":\"AKID\",\"SecretAccessKey\":\"s\"}", 0, "AKID", 0 },
		{ "{\"Version\":1,\"AccessKeyId\":\"AKID\",\"SecretAccessKey\":\"s\",\"SessionToken\":\"t\","
		  "\"Expiration\":\"2030-01-01T00:00:00Z\"}\n", 0, "AKID", 1893456000 },
		{ "{\"Version\":1.0,\"AccessKeyId\":\"AKID\",\"SecretAccessKey\":\"s\",\"Expiration\":\"2030-01-01T01:00:00+01:00\"}", 0, "AKID", 1893456000 },
		{ "{\"Version\":1,\"AccessKeyId\":\"AKID\",\"SecretAccessKey\":\"s\",\"Expiration\":null,\"SessionToken\":null}", 0, "AKID", 0 },
		{ "{\"Version\":2,\"AccessKeyId\":\"AKID\",\"SecretAccessKey\":\"s\"}", -1, PFX " has Version 2: only 1 is supported", 0 },
		{ "{\"Version\":\"1\",\"AccessKeyId\":\"AKID\",\"SecretAccessKey\":\"s\"}", -1, PFX " has a Version that is not the number 1", 0 },
		{ "{\"AccessKeyId\":\"AKID\",\"SecretAccessKey\":\"s\"}", -1, PFX " has no Version (must be 1)", 0 },
		{ "{\"Version\":1,\"SecretAccessKey\":\"s\"}", -1, PFX " has no AccessKeyId", 0 },
		{ "{\"Version\":1,\"AccessKeyId\":\"AKID\"}", -1, PFX " has no SecretAccessKey", 0 },
		{ "{\"Version\":1,\"AccessKeyId\":\"\",\"SecretAccessKey\":\"s\"}", -1, PFX " has an empty AccessKeyId", 0 },
		{ "{\"Version\":1,\"AccessKeyId\":7,\"SecretAccessKey\":\"s\"}", -1, PFX " has a AccessKeyId that is not a string", 0 },
		{ "{\"Version\":1,\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"s\",\"Expiration\":\"soon\"}", -1, PFX " has an unreadable Expiration (want ISO 8601 UTC)", 0 },
		{ "{\"Version\":1,\"AccessKeyId\":\"A\\u0000B\",\"SecretAccessKey\":\"s\"}", -1, PFX " holds a NUL character", 0 },
		{ "{\"Version\":1,\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"s\"} trailing", -1, PFX " is not valid JSON", 0 },
		{ "Password: ", -1, PFX " is not valid JSON", 0 },
		{ "[1]", -1, PFX " is not a JSON object", 0 },
		{ "", -1, PFX " is empty", 0 },
		{ "{\"Version\":1,\"AccessKeyId\":\"A\",", -1, PFX " is not valid JSON", 0 },
	};
	/* clang-format on */

	(void)state;
	run_cases(creds_json_process, cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_container_json(void **state)
{
	/* clang-format off */
	static const struct json_case cases[] = {
		{ "{\"AccessKeyId\":\"ASIA\",\"SecretAccessKey\":\"s\",\"Token\":\"t\",\"Expiration\":\"2030-01-01T00:00:00Z\","
		  "\"RoleArn\":\"arn:aws:iam::1:role/r\",\"AccountId\":\"1\"}", 0, "ASIA", 1893456000 },
		{ "{\"AccessKeyId\":\"ASIA\",\"SecretAccessKey\":\"s\",\"Expiration\":\"2030-01-01T00:00:00Z\"}", -1,
		  "the container endpoint's answer has no Token", 0 },
		{ "{\"AccessKeyId\":\"ASIA\",\"SecretAccessKey\":\"s\",\"Token\":\"t\"}", -1,
		  "the container endpoint's answer has no Expiration", 0 },
		{ "\xff<html>this is not JSON{{{", -1, "the container endpoint's answer is not valid JSON", 0 },
		{ "{\"code\":\"NotFound\"}", -1, "the container endpoint's answer has no AccessKeyId", 0 },
	};
	/* clang-format on */

	(void)state;
	run_cases(creds_json_container, cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_container_json_oversize(void **state)
{
	size_t n = CREDS_JSON_MAX_BYTES + 1;
	char *big = malloc(n + 1);
	struct creds c;
	struct err e = { ERR_NONE, "" };

	(void)state;
	assert_non_null(big);
	memset(big, ' ', n);
	big[0] = '{';
	big[n - 1] = '}';
	big[n] = '\0';
	creds_init(&c);
	assert_int_equal(creds_json_container(big, n, &c, &e), -1);
	assert_int_equal(e.kind, ERR_LIMIT);
	/* what fakessm's "garbage" fault sends: a NUL byte first */
	assert_int_equal(creds_json_container("\x00\xff<html>{{{", 10, &c, &e), -1);
	assert_string_equal(e.msg, "the container endpoint's answer holds a NUL character");
	free(big);
}

static void test_imds_json(void **state)
{
	static const struct {
		const char *text;
		int rc;
		const char *what;
	} cases[] = {
		{ "{\"Code\":\"Success\",\"LastUpdated\":\"2024-01-01T00:00:00Z\",\"Type\":\"AWS-HMAC\","
		  "\"AccessKeyId\":\"ASIAIMDS\",\"SecretAccessKey\":\"s\",\"Token\":\"t\",\"Expiration\":\"2030-01-01T00:00:00Z\"}",
		  1, "ASIAIMDS" },
		{ "{\"Code\":\"AssumeRoleUnauthorizedAccess\",\"Message\":\"EC2 cannot assume the role r.\"}", 0,
		  "IMDS answered AssumeRoleUnauthorizedAccess: EC2 cannot assume the role r." },
		{ "{\"Code\":\"Success\",\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"s\",\"Expiration\":\"2030-01-01T00:00:00Z\"}",
		  0, "the IMDS answer has no Token" },
		{ "<html>not json", -1, "the IMDS answer is not valid JSON" },
		{ "{\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"s\",\"Token\":\"t\",\"Expiration\":\"x\"}", -1,
		  "the IMDS answer has an unreadable Expiration (want ISO 8601 UTC)" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct creds c;
		struct buf why = BUF_INIT;
		struct err e = { ERR_NONE, "" };
		int rc;

		creds_init(&c);
		rc = creds_json_imds(cases[i].text, strlen(cases[i].text), NULL, &c, &why, &e);
		if (rc != cases[i].rc)
			fail_msg("case %zu: rc %d (%s)", i, rc, e.msg);
		if (rc > 0)
			assert_string_equal(buf_cstr(&c.access_key_id), cases[i].what);
		else if (rc == 0)
			assert_string_equal(buf_cstr(&why), cases[i].what);
		else
			assert_string_equal(e.msg, cases[i].what);
		if (rc <= 0)
			assert_null(c.access_key_id.data);
		creds_release(&c);
		buf_release(&why);
	}
}

static void test_sso_json(void **state)
{
	static const char token[] = "{\"startUrl\":\"https://d-1.awsapps.com/start\",\"region\":\"eu-west-1\","
				    "\"accessToken\":\"aoaTOKEN\",\"expiresAt\":\"2030-01-01T00:00:00Z\"}";
	static const char role[] = "{\"roleCredentials\":{\"accessKeyId\":\"ASIASSO\",\"secretAccessKey\":\"s\","
				   "\"sessionToken\":\"t\",\"expiration\":1893456000000}}";
	struct buf tok = BUF_INIT;
	struct creds c;
	struct err e = { ERR_NONE, "" };
	time_t exp = 0;

	(void)state;
	creds_init(&c);
	assert_int_equal(creds_json_sso_token(token, strlen(token), &tok, &exp, &e), 0);
	assert_string_equal(buf_cstr(&tok), "aoaTOKEN");
	assert_int_equal(exp, 1893456000);
	assert_int_equal(creds_json_sso_token("{\"accessToken\":\"x\"}", 19, &tok, &exp, &e), -1);
	assert_string_equal(e.msg, "the cached SSO token has no expiresAt");
	assert_null(tok.data);
	assert_int_equal(creds_json_sso_role(role, strlen(role), &c, &e), 0);
	assert_string_equal(buf_cstr(&c.access_key_id), "ASIASSO");
	assert_int_equal(c.expiration, 1893456000);
	assert_int_equal(creds_json_sso_role("{\"roleCredentials\":{}}", 22, &c, &e), -1);
	assert_string_equal(e.msg, "the SSO portal's answer has no accessKeyId");
	assert_int_equal(creds_json_sso_role("{}", 2, &c, &e), -1);
	assert_string_equal(e.msg, "the SSO portal's answer has no roleCredentials object");
	creds_release(&c);
	buf_release(&tok);
}

static void test_parse_time(void **state)
{
	static const struct {
		const char *s;
		time_t t; /* -1: refused */
	} cases[] = {
		{ "2030-01-01T00:00:00Z", 1893456000 },
		{ "2030-01-01T00:00:00.123456Z", 1893456000 },
		{ "2030-01-01t00:00:00z", 1893456000 },
		{ "2030-01-01 00:00:00Z", 1893456000 },
		{ "2030-01-01T02:00:00+02:00", 1893456000 },
		{ "2029-12-31T23:00:00-0100", 1893456000 },
		{ "2030-01-01T00:00:00", -1 },
		{ "2030-01-01", -1 },
		{ "2030-13-01T00:00:00Z", -1 },
		{ "2030-01-01T24:00:00Z", -1 },
		{ "2030-01-01T00:00:00Zjunk", -1 },
		{ "2030-01-01T00:00:00.Z", -1 },
		{ "", -1 },
		{ "1893456000", -1 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		time_t t = 0;
		int rc = creds_parse_time(cases[i].s, &t);

		if (cases[i].t == -1 && rc != -1)
			fail_msg("case %zu '%s' accepted", i, cases[i].s);
		if (cases[i].t != -1 && (rc != 0 || t != cases[i].t))
			fail_msg("case %zu '%s': rc %d t %lld", i, cases[i].s, rc, (long long)t);
	}
}

static void test_fresh(void **state)
{
	struct creds c;
	struct err e = { ERR_NONE, "" };
	time_t now = 1700000000;
	char hint[16];

	(void)state;
	creds_init(&c);
	assert_int_equal(creds_check_fresh(&c, now, "x", &e), 0); /* never expires */
	c.expiration = now + CREDS_MIN_LIFETIME_S;
	assert_int_equal(creds_check_fresh(&c, now, "x", &e), 0);
	c.expiration = now + CREDS_MIN_LIFETIME_S - 1;
	assert_int_equal(creds_check_fresh(&c, now, "IMDS", &e), -1);
	assert_string_equal(e.msg, "credentials from IMDS expire at 2023-11-14T22:18:19Z, in 299 s: envssm needs at least 300 s");
	c.expiration = now - 3600;
	assert_int_equal(creds_check_fresh(&c, now, "IMDS", &e), -1);
	assert_string_equal(e.msg, "credentials from IMDS expired at 2023-11-14T21:13:20Z (3600 s ago)");
	buf_puts(&c.access_key_id, "AKIAIOSFODNN7EXAMPLE", NULL);
	creds_key_hint(&c, hint);
	assert_string_equal(hint, "...MPLE");
	buf_set(&c.access_key_id, "AKIA", 4, NULL);
	creds_key_hint(&c, hint);
	assert_string_equal(hint, "(4 characters)");
	creds_release(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_process_json),
		cmocka_unit_test(test_container_json),
		cmocka_unit_test(test_container_json_oversize),
		cmocka_unit_test(test_imds_json),
		cmocka_unit_test(test_sso_json),
		cmocka_unit_test(test_parse_time),
		cmocka_unit_test(test_fresh),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
