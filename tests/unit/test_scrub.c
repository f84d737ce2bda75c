/*
 * test_scrub.c - server text loses the request's secrets before it is
 * quoted.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "scrub.h"

#define TOKEN  "IQoJb3JpZ2luX2VjEFAKE+session/token=="
#define SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define SIG    "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"

static const char *const secrets[] = {TOKEN, SECRET, NULL};

static void check(const char *in, const char *want)
{
	char out[512];

	scrub_copy(out, sizeof(out), in, strlen(in), secrets);
	assert_string_equal(out, want);
}

static void test_known_secrets(void **state)
{
	(void)state;
	check("token " TOKEN " and key " SECRET ".", "token [redacted] and key [redacted].");
	check(TOKEN TOKEN, "[redacted][redacted]");
	check("nothing secret here", "nothing secret here");
	/* strings too short to be credentials are not looked for */
	{
		const char *const short_ones[] = {"", "s", "1234567", NULL};
		char out[32];

		scrub_copy(out, sizeof(out), "s is 1234567", 12, short_ones);
		assert_string_equal(out, "s is 1234567");
		scrub_copy(out, sizeof(out), "abc", 3, NULL);
		assert_string_equal(out, "abc");
	}
}

static void test_fields(void **state)
{
	(void)state;
	/* the headers as a server may list them */
	check("X-Amz-Security-Token: abc/def+gh== next",
	      "X-Amz-Security-Token: [redacted] next");
	check("x-amz-security-token:abc\nx-amz-target:AmazonSSM.GetParametersByPath",
	      "x-amz-security-token:[redacted] x-amz-target:AmazonSSM.GetParametersByPath");
	check("Authorization: AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/ssm/aws4_request, "
	      "SignedHeaders=host;x-amz-date, Signature=" SIG "\r\nHost: ssm",
	      "Authorization: [redacted]  Host: ssm");
	check("Authorization: Bearer eyJhbGciOi.x.y", "Authorization: [redacted]");
	/* JSON, Python's repr, a query, XML */
	check("{\"Authorization\": \"AWS4-HMAC-SHA256 Credential=A, Signature=" SIG
	      "\", \"X-Amz-Date\": \"20240101T000000Z\"}",
	      "{\"Authorization\": \"[redacted]\", \"X-Amz-Date\": \"20240101T000000Z\"}");
	check("{'x-amz-sso_bearer_token': 'aoa123'}", "{'x-amz-sso_bearer_token': '[redacted]'}");
	check("GET /?X-Amz-Signature=" SIG "&X-Amz-Security-Token=t%2Bo HTTP/1.1",
	      "GET /?X-Amz-Signature=[redacted]&X-Amz-Security-Token=[redacted] HTTP/1.1");
	check("<SessionToken>abc</SessionToken>", "<SessionToken>[redacted]</SessionToken>");
	check("WebIdentityToken=eyJ.a.b&RoleArn=x", "WebIdentityToken=[redacted]&RoleArn=x");
	check("{\\\"X-aws-ec2-metadata-token\\\": \\\"AQAE==\\\"}",
	      "{\\\"X-aws-ec2-metadata-token\\\": \\\"[redacted]\\\"}");
	check("Signature=" SIG ",", "Signature=[redacted],");
}

static void test_prose_is_kept(void **state)
{
	(void)state;
	/* names in prose, and the messages envssm reads (clock skew) */
	check("The request signature we calculated does not match the signature you provided.",
	      "The request signature we calculated does not match the signature you provided.");
	check("Signature expired: 20240101T000000Z is now earlier than 20240101T000500Z",
	      "Signature expired: 20240101T000000Z is now earlier than 20240101T000500Z");
	check("SignatureDoesNotMatch", "SignatureDoesNotMatch");
	check("the Authorization header is missing", "the Authorization header is missing");
	check("SignedHeaders=host;x-amz-security-token;x-amz-target",
	      "SignedHeaders=host;x-amz-security-token;x-amz-target");
	check("Signature=", "Signature=");
}

static void test_cut_never_shows_part_of_a_secret(void **state)
{
	char in[600], out[64];

	(void)state;
	/* the token starts before the cut and ends after it */
	memset(in, 'a', 60);
	memcpy(in + 60, TOKEN, sizeof(TOKEN));
	scrub_copy(out, sizeof(out), in, strlen(in), secrets);
	assert_int_equal(strlen(out), 63);
	assert_memory_equal(out, in, 60);
	assert_memory_equal(out + 60, "[re", 3);
	/* no room */
	scrub_copy(out, 1, "abc", 3, secrets);
	assert_string_equal(out, "");
	scrub_copy(out, 0, "abc", 3, secrets);
}

static void test_one_line(void **state)
{
	(void)state;
	check("a\nb\rc\td\x7f" "e\x01", "a b c d e ");
	check("stops\0at NUL", "stops");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_known_secrets),
	        cmocka_unit_test(test_fields),
	        cmocka_unit_test(test_prose_is_kept),
	        cmocka_unit_test(test_cut_never_shows_part_of_a_secret),
	        cmocka_unit_test(test_one_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
