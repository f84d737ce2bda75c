/*
 * test_sts.c - STS: form bodies, XML answers (success, AWS's and moto's
 * error shapes, missing fields, entities, huge bodies), the calls through
 * a scripted http interface, and the STS and SSO endpoint rules.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ini.h"
#include "settings.h"
#include "sts.h"

#define AR_OK                                                                                  \
	"<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n"           \
	"  <AssumeRoleResult>\n"                                                               \
	"    <SourceIdentity>Alice</SourceIdentity>\n"                                         \
	"    <AssumedRoleUser>\n"                                                              \
	"      <Arn>arn:aws:sts::123456789012:assumed-role/demo/TestAR</Arn>\n"                \
	"      <AssumedRoleId>ARO123EXAMPLE123:TestAR</AssumedRoleId>\n"                      \
	"    </AssumedRoleUser>\n"                                                             \
	"    <Credentials>\n"                                                                  \
	"      <AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId>\n"                              \
	"      <SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey>\n"  \
	"      <SessionToken>AQoDYXdzEPT//////////wEXAMPLEtc764+bNr&amp;Q=</SessionToken>\n"   \
	"      <Expiration>2019-11-09T13:34:41.123Z</Expiration>\n"                           \
	"    </Credentials>\n"                                                                 \
	"    <PackedPolicySize>6</PackedPolicySize>\n"                                         \
	"  </AssumeRoleResult>\n"                                                              \
	"  <ResponseMetadata><RequestId>c6104cbe-af31</RequestId></ResponseMetadata>\n"        \
	"</AssumeRoleResponse>\n"

static void test_parse_assume_role(void **state)
{
	struct creds c;
	struct sts_identity who;
	struct err e = { ERR_NONE, "" };

	(void)state;
	creds_init(&c);
	assert_int_equal(sts_parse_credentials(AR_OK, strlen(AR_OK), "AssumeRoleResult", &c, &who, &e),
			 0);
	assert_string_equal(buf_cstr(&c.access_key_id), "ASIAIOSFODNN7EXAMPLE");
	assert_string_equal(buf_cstr(&c.secret_access_key), "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY");
	/* the entity is decoded */
	assert_string_equal(buf_cstr(&c.session_token), "AQoDYXdzEPT//////////wEXAMPLEtc764+bNr&Q=");
	assert_int_equal(c.expiration, 1573306481); /* 2019-11-09T13:34:41Z */
	assert_string_equal(who.arn, "arn:aws:sts::123456789012:assumed-role/demo/TestAR");
	assert_string_equal(who.user_id, "ARO123EXAMPLE123:TestAR");
	creds_release(&c);
}

static void test_parse_web_identity_result_name(void **state)
{
	struct creds c;
	struct err e = { ERR_NONE, "" };
	char *web = NULL;
	const char *p;

	(void)state;
	creds_init(&c);
	/* the same body under AssumeRoleResult is not a web identity answer */
	assert_int_equal(sts_parse_credentials(AR_OK, strlen(AR_OK), "AssumeRoleWithWebIdentityResult",
					       &c, NULL, &e),
			 -1);
	assert_int_equal(e.kind, ERR_PARSE);
	assert_string_equal(e.msg, "STS answer has no <AssumeRoleWithWebIdentityResult>");
	/* rename the result element */
	web = malloc(strlen(AR_OK) * 2);
	assert_non_null(web);
	p = strstr(AR_OK, "<AssumeRoleResult>");
	snprintf(web, strlen(AR_OK) * 2, "%.*s<AssumeRoleWithWebIdentityResult><Provider>x</Provider>%.*s</AssumeRoleWithWebIdentityResult>",
		 (int)(p - AR_OK), AR_OK, (int)(strstr(AR_OK, "</AssumeRoleResult>") - p - 18), p + 18);
	assert_int_equal(sts_parse_credentials(web, strlen(web), "AssumeRoleWithWebIdentityResult", &c,
					       NULL, &e),
			 0);
	assert_string_equal(buf_cstr(&c.access_key_id), "ASIAIOSFODNN7EXAMPLE");
	free(web);
	creds_release(&c);
}

/* one field removed, one at a time, names the field */
static void test_parse_missing_fields(void **state)
{
	static const char *const fields[] = { "AccessKeyId", "SecretAccessKey", "SessionToken",
					      "Expiration" };
	char body[4096], open[64], close[64], want[128];

	(void)state;
	for (size_t i = 0; i < 4; i++) {
		struct creds c;
		struct err e = { ERR_NONE, "" };
		const char *a, *b;

		creds_init(&c);
		snprintf(open, sizeof(open), "<%s>", fields[i]);
		snprintf(close, sizeof(close), "</%s>", fields[i]);
		a = strstr(AR_OK, open);
		b = strstr(AR_OK, close) + strlen(close);
		snprintf(body, sizeof(body), "%.*s%s", (int)(a - AR_OK), AR_OK, b);
		assert_int_equal(sts_parse_credentials(body, strlen(body), "AssumeRoleResult", &c, NULL,
						       &e),
				 -1);
		snprintf(want, sizeof(want), "STS answer has no %s in <Credentials>", fields[i]);
		assert_string_equal(e.msg, want);
		/* nothing half-filled is left behind */
		assert_int_equal(c.access_key_id.len, 0);
		assert_null(c.access_key_id.data);
		creds_release(&c);
	}
}

static void test_parse_malformed(void **state)
{
	static const struct {
		const char *body;
		const char *msg;
	} cases[] = {
		{ "", "STS answer has no <AssumeRoleResult>" },
		{ "<html>502 Bad Gateway</html>", "STS answer has no <AssumeRoleResult>" },
		{ "<AssumeRoleResult></AssumeRoleResult>", "STS answer has no <Credentials> in <AssumeRoleResult>" },
		{ "<AssumeRoleResult><Credentials></AssumeRoleResult>", "STS answer has no <Credentials> in <AssumeRoleResult>" },
		{ "<AssumeRoleResult><Credentials>", "STS answer has no <AssumeRoleResult>" },
		{ "<AssumeRoleResult><Credentials><AccessKeyId>A<b>c</b></AccessKeyId></Credentials></AssumeRoleResult>",
		  "unexpected markup inside <AccessKeyId>" },
		{ "<AssumeRoleResult><Credentials><AccessKeyId>A&bogus;</AccessKeyId></Credentials></AssumeRoleResult>",
		  "invalid character reference inside <AccessKeyId>" },
		{ "<AssumeRoleResult><Credentials><AccessKeyId>A&#0;</AccessKeyId></Credentials></AssumeRoleResult>",
		  "invalid character reference inside <AccessKeyId>" },
		{ "<AssumeRoleResult><Credentials><AccessKeyId/><SecretAccessKey>s</SecretAccessKey></Credentials></AssumeRoleResult>",
		  "STS answer has no AccessKeyId in <Credentials>" },
		{ "<AssumeRoleResult><Credentials><AccessKeyIdX>a</AccessKeyIdX></Credentials></AssumeRoleResult>",
		  "STS answer has no AccessKeyId in <Credentials>" },
		{ "<AssumeRoleResult><Credentials><AccessKeyId>a</AccessKeyId><SecretAccessKey>s</SecretAccessKey>"
		  "<SessionToken>t</SessionToken><Expiration>tomorrow</Expiration></Credentials></AssumeRoleResult>",
		  "STS answer has an unreadable <Expiration>" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct creds c;
		struct err e = { ERR_NONE, "" };

		creds_init(&c);
		assert_int_equal(sts_parse_credentials(cases[i].body, strlen(cases[i].body),
						       "AssumeRoleResult", &c, NULL, &e),
				 -1);
		if (strcmp(e.msg, cases[i].msg) != 0)
			fail_msg("case %zu: got '%s'", i, e.msg);
		creds_release(&c);
	}
}

static void test_parse_huge_body(void **state)
{
	size_t n = STS_MAX_BODY_BYTES + 1;
	char *big = malloc(n + 1);
	struct creds c;
	struct err e = { ERR_NONE, "" };

	(void)state;
	assert_non_null(big);
	memset(big, ' ', n);
	memcpy(big, AR_OK, strlen(AR_OK));
	big[n] = '\0';
	creds_init(&c);
	assert_int_equal(sts_parse_credentials(big, n, "AssumeRoleResult", &c, NULL, &e), -1);
	assert_int_equal(e.kind, ERR_LIMIT);
	/* exactly at the bound is fine */
	assert_int_equal(sts_parse_credentials(big, n - 1, "AssumeRoleResult", &c, NULL, &e), 0);
	creds_release(&c);
	free(big);
}

static void test_xml_entities_and_attributes(void **state)
{
	static const char xml[] = "<a><Tag attr=\"1\">x&lt;&gt;&quot;&apos;&#65;&#x42;&#x20AC;</Tag >"
				  "<Empty/><Other>o</Other></a>";
	struct buf out = BUF_INIT;
	struct err e = { ERR_NONE, "" };

	(void)state;
	assert_int_equal(sts_xml_text(xml, strlen(xml), "Tag", &out, &e), 1);
	assert_string_equal(buf_cstr(&out), "x<>\"'AB\xe2\x82\xac");
	buf_truncate(&out, 0);
	assert_int_equal(sts_xml_text(xml, strlen(xml), "Empty", &out, &e), 1);
	assert_int_equal(out.len, 0);
	assert_int_equal(sts_xml_text(xml, strlen(xml), "Missing", &out, &e), 0);
	/* the search is bounded by len: "Other" lies past it */
	assert_int_equal(sts_xml_text(xml, strlen(xml) - 20, "Other", &out, &e), 0);
	buf_release(&out);
}

static void test_parse_identity(void **state)
{
	static const char ok[] =
		"<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
		"<GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/Alice</Arn>"
		"<UserId>AIDACKCEVSQ6C2EXAMPLE</UserId><Account>123456789012</Account>"
		"</GetCallerIdentityResult></GetCallerIdentityResponse>";
	static const char noarn[] = "<GetCallerIdentityResult><Account>1</Account></GetCallerIdentityResult>";
	struct sts_identity id;
	struct err e = { ERR_NONE, "" };

	(void)state;
	assert_int_equal(sts_parse_identity(ok, strlen(ok), &id, &e), 0);
	assert_string_equal(id.account, "123456789012");
	assert_string_equal(id.arn, "arn:aws:iam::123456789012:user/Alice");
	assert_string_equal(id.user_id, "AIDACKCEVSQ6C2EXAMPLE");
	assert_int_equal(sts_parse_identity(noarn, strlen(noarn), &id, &e), -1);
	assert_int_equal(sts_parse_identity("nope", 4, &id, &e), -1);
	assert_string_equal(e.msg, "STS answer has no <GetCallerIdentityResult>");
}

static void test_form_body(void **state)
{
	struct buf body = BUF_INIT, tok = BUF_INIT;
	struct sts_role_args a = { "arn:aws:iam::123456789012:role/my role", "envssm-1700000000", "ext/1+2",
				   3600, NULL };
	struct err e = { ERR_NONE, "" };

	(void)state;
	assert_int_equal(sts_form_body(&body, "AssumeRole", &a, &e), 0);
	assert_string_equal(buf_cstr(&body),
			    "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fmy%20role"
			    "&RoleSessionName=envssm-1700000000&DurationSeconds=3600&ExternalId=ext%2F1%2B2");
	buf_puts(&tok, "eyJ.a-b_c~d=", NULL);
	a = (struct sts_role_args){ "arn:aws:iam::1:role/r", "s1", NULL, 0, &tok };
	assert_int_equal(sts_form_body(&body, "AssumeRoleWithWebIdentity", &a, &e), 0);
	assert_string_equal(buf_cstr(&body),
			    "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fr"
			    "&RoleSessionName=s1&WebIdentityToken=eyJ.a-b_c~d%3D");
	assert_int_equal(sts_form_body(&body, "GetCallerIdentity", NULL, &e), 0);
	assert_string_equal(buf_cstr(&body), "Action=GetCallerIdentity&Version=2011-06-15");
	buf_release(&body);
	buf_release(&tok);
}

/* ---- calls through a scripted http interface ---------------------------- */

struct script {
	long status;
	const char *body;
	char seen_body[2048];
	char seen_ct[128];
	bool seen_auth;
	bool seen_token;
	int calls;
};

static int fake_perform(void *impl, const struct http_request *req, struct http_response *resp,
			struct err *e)
{
	struct script *s = impl;

	s->calls++;
	snprintf(s->seen_body, sizeof(s->seen_body), "%.*s", (int)req->body_len, (const char *)req->body);
	s->seen_auth = s->seen_token = false;
	for (size_t i = 0; i < req->nheaders; i++) {
		if (strcmp(req->headers[i].name, "Authorization") == 0)
			s->seen_auth = true;
		if (strcmp(req->headers[i].name, "X-Amz-Security-Token") == 0)
			s->seen_token = true;
		if (strcmp(req->headers[i].name, "Content-Type") == 0)
			snprintf(s->seen_ct, sizeof(s->seen_ct), "%s", req->headers[i].value);
	}
	resp->status = s->status;
	snprintf(resp->content_type, sizeof(resp->content_type), "text/xml");
	return buf_puts(&resp->body, s->body, e);
}

static long fake_connections(void *impl)
{
	(void)impl;
	return 1;
}

static void fake_free(void *impl)
{
	(void)impl;
}

static const struct http_vtable fake_vt = { fake_perform, fake_connections, fake_free };

static void client(struct aws_client *c, struct http_client *http, struct endpoint *ep,
		   struct script *s)
{
	http->vt = &fake_vt;
	http->impl = s;
	memset(ep, 0, sizeof(*ep));
	ep->url = "https://sts.us-east-1.amazonaws.com";
	ep->host_header = "sts.us-east-1.amazonaws.com";
	ep->path = "/";
	aws_client_init(c);
	c->http = http;
	c->endpoint = ep;
	c->region = "us-east-1";
	c->retry.max_attempts = 1;
}

static void test_call_assume_role_signed(void **state)
{
	struct script s = { 200, AR_OK, "", "", false, false, 0 };
	struct http_client http;
	struct endpoint ep;
	struct aws_client c;
	struct creds src, out;
	struct sts_role_args a = { "arn:aws:iam::1:role/r", "sess", NULL, 0, NULL };
	struct err e = { ERR_NONE, "" };

	(void)state;
	client(&c, &http, &ep, &s);
	creds_init(&src);
	creds_init(&out);
	buf_puts(&src.access_key_id, "AKIDEXAMPLE", NULL);
	buf_puts(&src.secret_access_key, "secret", NULL);
	buf_puts(&src.session_token, "tok", NULL);
	assert_int_equal(sts_assume_role(&c, &src, &a, &out, NULL, &e), 0);
	assert_true(s.seen_auth);
	assert_true(s.seen_token);
	assert_string_equal(s.seen_ct, "application/x-www-form-urlencoded; charset=utf-8");
	assert_string_equal(buf_cstr(&out.access_key_id), "ASIAIOSFODNN7EXAMPLE");
	/* the client is left as it was found */
	assert_string_equal(c.service, "ssm");
	creds_release(&src);
	creds_release(&out);
}

static void test_call_web_identity_unsigned(void **state)
{
	struct script s = { 200, NULL, "", "", false, false, 0 };
	struct http_client http;
	struct endpoint ep;
	struct aws_client c;
	struct creds out;
	struct buf tok = BUF_INIT;
	struct sts_role_args a = { "arn:aws:iam::1:role/r", "sess", NULL, 0, &tok };
	struct err e = { ERR_NONE, "" };
	char body[4096];
	const char *p = strstr(AR_OK, "<AssumeRoleResult>");

	(void)state;
	snprintf(body, sizeof(body), "<AssumeRoleWithWebIdentityResult>%.*s</AssumeRoleWithWebIdentityResult>",
		 (int)(strstr(AR_OK, "</AssumeRoleResult>") - p - 18), p + 18);
	s.body = body;
	buf_puts(&tok, "eyJhbGciOi.jwt.sig", NULL);
	client(&c, &http, &ep, &s);
	creds_init(&out);
	assert_int_equal(sts_assume_role_with_web_identity(&c, &a, &out, NULL, &e), 0);
	assert_false(s.seen_auth);
	assert_false(s.seen_token);
	assert_non_null(strstr(s.seen_body, "WebIdentityToken=eyJhbGciOi.jwt.sig"));
	creds_release(&out);
	buf_release(&tok);
}

/* both error shapes come out as CODE: message */
static void test_call_errors(void **state)
{
	static const struct {
		long status;
		const char *body;
		const char *want;
	} cases[] = {
		/* AWS */
		{ 403,
		  "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type>"
		  "<Code>AccessDenied</Code><Message>User: arn:aws:iam::1:user/u is not authorized to perform: "
		  "sts:AssumeRole</Message></Error><RequestId>r-1</RequestId></ErrorResponse>",
		  "AccessDenied: User: arn:aws:iam::1:user/u is not authorized to perform: sts:AssumeRole (HTTP 403, request r-1)" },
		/* moto */
		{ 403,
		  "<ErrorResponse><Errors><Error><Code>InvalidClientTokenId</Code><Message>The security token "
		  "included in the request is invalid.</Message><Type>Sender</Type></Error></Errors></ErrorResponse>",
		  "InvalidClientTokenId: The security token included in the request is invalid. (HTTP 403)" },
		{ 400,
		  "<ErrorResponse><Error><Code>InvalidIdentityToken</Code><Message>No OpenIDConnect provider"
		  "</Message></Error></ErrorResponse>",
		  "InvalidIdentityToken: No OpenIDConnect provider (HTTP 400)" },
		{ 404, "", "HTTP404 (HTTP 404)" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct script s = { cases[i].status, cases[i].body, "", "", false, false, 0 };
		struct http_client http;
		struct endpoint ep;
		struct aws_client c;
		struct creds src, out;
		struct sts_role_args a = { "arn:aws:iam::1:role/r", "sess", NULL, 0, NULL };
		struct err e = { ERR_NONE, "" };

		client(&c, &http, &ep, &s);
		creds_init(&src);
		creds_init(&out);
		buf_puts(&src.access_key_id, "AKID", NULL);
		buf_puts(&src.secret_access_key, "secret", NULL);
		assert_int_equal(sts_assume_role(&c, &src, &a, &out, NULL, &e), -1);
		if (strcmp(e.msg, cases[i].want) != 0)
			fail_msg("case %zu: got '%s'", i, e.msg);
		assert_int_equal(out.access_key_id.len, 0);
		creds_release(&src);
	}
}

/* a 200 that is an error document is not credentials */
static void test_call_200_without_result(void **state)
{
	struct script s = { 200, "<ErrorResponse><Error><Code>X</Code></Error></ErrorResponse>", "", "",
			    false, false, 0 };
	struct http_client http;
	struct endpoint ep;
	struct aws_client c;
	struct sts_identity id;
	struct creds cr;
	struct err e = { ERR_NONE, "" };

	(void)state;
	client(&c, &http, &ep, &s);
	creds_init(&cr);
	buf_puts(&cr.access_key_id, "AKID", NULL);
	buf_puts(&cr.secret_access_key, "secret", NULL);
	assert_int_equal(sts_get_caller_identity(&c, &cr, &id, &e), -1);
	assert_int_equal(e.kind, ERR_PARSE);
	creds_release(&cr);
}

/* ---- endpoints ------------------------------------------------------- */

struct ep_case {
	const char *profile;
	const char *region;
	const char *env[4];
	const char *url;      /* NULL: an error */
	const char *signing;  /* or the error message */
	const char *source;
};

static void pf_make(struct profile_files *pf, const char *config)
{
	struct err e = { ERR_NONE, "" };

	memset(pf, 0, sizeof(*pf));
	ini_init(&pf->config);
	ini_init(&pf->credentials);
	assert_int_equal(ini_parse(config, strlen(config), &pf->config, &e), 0);
	pf->config_path = strdup("/h/.aws/config");
	pf->credentials_path = strdup("/h/.aws/credentials");
	pf->credentials_missing = true;
}

static void test_sts_endpoints(void **state)
{
	static const char config[] = "[default]\nregion = eu-west-1\n"
				     "[profile legacy]\nsts_regional_endpoints = legacy\n"
				     "[profile svc]\nservices = local\nendpoint_url = http://all:1\n"
				     "[services local]\nsts =\n  endpoint_url = http://sts-local:4566\n"
				     "[profile global]\nendpoint_url = http://all:1\n"
				     "[profile fips]\nuse_fips_endpoint = true\n"
				     "[profile badmode]\nsts_regional_endpoints = sometimes\n";
	/* clang-format off */
	static const struct ep_case cases[] = {
		{ "default", "eu-west-1", { NULL }, "https://sts.eu-west-1.amazonaws.com", "eu-west-1", "default" },
		{ "default", "cn-north-1", { NULL }, "https://sts.cn-north-1.amazonaws.com.cn", "cn-north-1", "default" },
		{ "default", NULL, { NULL }, "https://sts.amazonaws.com", "us-east-1", "default (no region: the global endpoint)" },
		{ "legacy", "eu-west-1", { NULL }, "https://sts.amazonaws.com", "us-east-1", "default (sts_regional_endpoints legacy: the global endpoint)" },
		{ "legacy", "af-south-1", { NULL }, "https://sts.af-south-1.amazonaws.com", "af-south-1", "default" },
		{ "legacy", "cn-north-1", { NULL }, "https://sts.cn-north-1.amazonaws.com.cn", "cn-north-1", "default" },
		{ "default", "us-east-2", { "AWS_STS_REGIONAL_ENDPOINTS=legacy" }, "https://sts.amazonaws.com", "us-east-1", NULL },
		{ "legacy", "us-east-2", { "AWS_STS_REGIONAL_ENDPOINTS=regional" }, "https://sts.us-east-2.amazonaws.com", "us-east-2", "default" },
		{ "default", "eu-west-1", { "AWS_ENDPOINT_URL=http://127.0.0.1:5000" }, "http://127.0.0.1:5000", "eu-west-1", "AWS_ENDPOINT_URL" },
		{ "default", "eu-west-1", { "AWS_ENDPOINT_URL=http://a:1", "AWS_ENDPOINT_URL_STS=http://b:2" }, "http://b:2", "eu-west-1", "AWS_ENDPOINT_URL_STS" },
		{ "default", NULL, { "AWS_ENDPOINT_URL_STS=http://b:2" }, "http://b:2", "us-east-1", "AWS_ENDPOINT_URL_STS" },
		{ "svc", "eu-west-1", { NULL }, "http://sts-local:4566", "eu-west-1", "services 'local' in /h/.aws/config" },
		{ "global", "eu-west-1", { NULL }, "http://all:1", "eu-west-1", "profile 'global' in /h/.aws/config" },
		{ "global", "eu-west-1", { "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true", "AWS_ENDPOINT_URL=http://x:1" }, "https://sts.eu-west-1.amazonaws.com", "eu-west-1", "default" },
		{ "fips", "us-east-1", { NULL }, "https://sts-fips.us-east-1.amazonaws.com", "us-east-1", "default" },
		{ "fips", "us-gov-west-1", { NULL }, "https://sts.us-gov-west-1.amazonaws.com", "us-gov-west-1", "default" },
		{ "default", "us-east-1", { "AWS_USE_DUALSTACK_ENDPOINT=true" }, "https://sts.us-east-1.api.aws", "us-east-1", "default" },
		{ "fips", "us-east-1", { "AWS_ENDPOINT_URL=http://x:1" }, NULL, "invalid endpoint URL from AWS_ENDPOINT_URL: FIPS endpoints and a custom endpoint are not supported together", NULL },
		{ "badmode", "us-east-1", { NULL }, NULL, "invalid sts_regional_endpoints 'sometimes': must be legacy or regional", NULL },
		{ "default", "us-east-1", { "AWS_ENDPOINT_URL_STS=ftp://x" }, NULL, "invalid endpoint URL 'ftp://x' from AWS_ENDPOINT_URL_STS: scheme must be http or https", NULL },
	};
	/* clang-format on */
	struct profile_files pf;

	(void)state;
	pf_make(&pf, config);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct ep_case *c = &cases[i];
		struct settings_service svc;
		struct err e = { ERR_NONE, "" };
		int rc = settings_sts_endpoint((char *const *)c->env, &pf, c->profile, c->region, &svc, &e);

		if (c->url == NULL) {
			if (rc != -1 || strcmp(e.msg, c->signing) != 0)
				fail_msg("case %zu: rc %d, '%s'", i, rc, e.msg);
			continue;
		}
		if (rc != 0)
			fail_msg("case %zu: %s", i, e.msg);
		assert_string_equal(svc.ep.url, c->url);
		assert_string_equal(svc.signing_region, c->signing);
		if (c->source != NULL)
			assert_string_equal(svc.source, c->source);
		settings_service_release(&svc);
	}
	profile_files_release(&pf);
}

static void test_sso_endpoints(void **state)
{
	struct profile_files pf;
	struct settings_service svc;
	struct err e = { ERR_NONE, "" };
	const char *env[] = { "AWS_ENDPOINT_URL_SSO=http://127.0.0.1:9/portal", NULL };

	(void)state;
	pf_make(&pf, "[default]\n");
	assert_int_equal(settings_sso_endpoint(NULL, &pf, "default", "eu-west-1", &svc, &e), 0);
	assert_string_equal(svc.ep.url, "https://portal.sso.eu-west-1.amazonaws.com");
	settings_service_release(&svc);
	assert_int_equal(settings_sso_endpoint(NULL, &pf, "default", "cn-north-1", &svc, &e), 0);
	assert_string_equal(svc.ep.url, "https://portal.sso.cn-north-1.amazonaws.com.cn");
	settings_service_release(&svc);
	assert_int_equal(settings_sso_endpoint((char *const *)env, &pf, "default", "eu-west-1", &svc, &e), 0);
	assert_string_equal(svc.ep.url, "http://127.0.0.1:9/portal");
	assert_string_equal(svc.source, "AWS_ENDPOINT_URL_SSO");
	settings_service_release(&svc);
	profile_files_release(&pf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_assume_role),
		cmocka_unit_test(test_parse_web_identity_result_name),
		cmocka_unit_test(test_parse_missing_fields),
		cmocka_unit_test(test_parse_malformed),
		cmocka_unit_test(test_parse_huge_body),
		cmocka_unit_test(test_xml_entities_and_attributes),
		cmocka_unit_test(test_parse_identity),
		cmocka_unit_test(test_form_body),
		cmocka_unit_test(test_call_assume_role_signed),
		cmocka_unit_test(test_call_web_identity_unsigned),
		cmocka_unit_test(test_call_errors),
		cmocka_unit_test(test_call_200_without_result),
		cmocka_unit_test(test_sts_endpoints),
		cmocka_unit_test(test_sso_endpoints),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
