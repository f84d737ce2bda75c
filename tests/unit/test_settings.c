/*
 * test_settings.c - profile choice, region, endpoint and the profile files.
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

#include "profile.h"
#include "settings.h"

#define CONFIG_PATH "/home/u/.aws/config"
#define CREDS_PATH  "/home/u/.aws/credentials"
#define IN_CONFIG   " in " CONFIG_PATH

/* The config file most tables run against. */
static const char config_text[] = "[default]\n"
                                  "region = eu-central-1\n"
                                  "\n"
                                  "[profile dev]\n"
                                  "region = ap-south-1\n"
                                  "endpoint_url = http://profile-endpoint:4566\n"
                                  "services = local\n"
                                  "\n"
                                  "[profile plain]\n"
                                  "region = eu-west-3\n"
                                  "endpoint_url = http://plain:1234/\n"
                                  "\n"
                                  "[profile nossm]\n"
                                  "region = eu-west-3\n"
                                  "services = stsonly\n"
                                  "endpoint_url = http://fallback:1\n"
                                  "\n"
                                  "[profile nosection]\n"
                                  "region = us-east-2\n"
                                  "services = missing\n"
                                  "\n"
                                  "[profile cn]\n"
                                  "region = cn-northwest-1\n"
                                  "\n"
                                  "[profile ignore]\n"
                                  "region = eu-west-1\n"
                                  "endpoint_url = http://ignored:1\n"
                                  "ignore_configured_endpoint_urls = TRUE\n"
                                  "\n"
                                  "[profile fips]\n"
                                  "region = us-east-1\n"
                                  "use_fips_endpoint = true\n"
                                  "\n"
                                  "[profile dual]\n"
                                  "region = us-east-1\n"
                                  "use_dualstack_endpoint = true\n"
                                  "\n"
                                  "[profile badbool]\n"
                                  "region = us-east-1\n"
                                  "use_dualstack_endpoint = yes\n"
                                  "\n"
                                  "[profile ca]\n"
                                  "region = us-east-1\n"
                                  "ca_bundle = /etc/profile-ca.pem\n"
                                  "\n"
                                  "[profile badregion]\n"
                                  "region = EU-WEST-1\n"
                                  "\n"
                                  "[profile noregion]\n"
                                  "output = json\n"
                                  "\n"
                                  "[profile emptyregion]\n"
                                  "region =\n"
                                  "\n"
                                  "[services local]\n"
                                  "ssm =\n"
                                  "  endpoint_url = http://localstack:4566\n"
                                  "sts =\n"
                                  "  endpoint_url = http://sts:4566\n"
                                  "\n"
                                  "[services stsonly]\n"
                                  "sts =\n"
                                  "  endpoint_url = http://sts:4566\n";

/* pf_make builds profile files from texts (NULL: missing), as if read from
 * CONFIG_PATH and CREDS_PATH. */
static void pf_make(struct profile_files *pf, const char *config, const char *creds)
{
	struct err e = {0};

	memset(pf, 0, sizeof(*pf));
	ini_init(&pf->config);
	ini_init(&pf->credentials);
	pf->config_path = strdup(CONFIG_PATH);
	pf->credentials_path = strdup(CREDS_PATH);
	pf->config_missing = config == NULL;
	pf->credentials_missing = creds == NULL;
	if (config != NULL && ini_parse(config, strlen(config), &pf->config, &e) != 0)
		fail_msg("config: %s", e.msg);
	if (creds != NULL && ini_parse(creds, strlen(creds), &pf->credentials, &e) != 0)
		fail_msg("credentials: %s", e.msg);
}

/* resolve runs settings_profile then settings_resolve. */
static int resolve(const struct settings_flags *f, const char *const *env,
                   const struct profile_files *pf, struct settings *s, struct err *e)
{
	if (settings_profile(f, (char *const *)env, s, e) < 0)
		return -1;
	return settings_resolve(f, (char *const *)env, pf, s, e);
}

struct profile_case {
	const char *flag;
	const char *env[3];
	const char *want;
	const char *source;
	bool explicit;
};

static void test_profile_choice(void **state)
{
	/* clang-format off */
	static const struct profile_case cases[] = {
		{ NULL, { NULL }, "default", "default", false },
		{ NULL, { "AWS_PROFILE=dev", NULL }, "dev", "AWS_PROFILE", false },
		{ NULL, { "AWS_PROFILE=", NULL }, "default", "default", false },
		{ "cli", { "AWS_PROFILE=dev", NULL }, "cli", "--profile", true },
		{ "default", { "AWS_PROFILE=dev", NULL }, "default", "--profile", true },
		{ NULL, { "AWS_DEFAULT_PROFILE=legacy", NULL }, "default", "default", false },
	};
	/* clang-format on */
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct settings_flags f = {cases[i].flag, NULL, NULL};
		struct settings s;
		struct err e = {0};

		assert_int_equal(settings_profile(&f, (char *const *)cases[i].env, &s, &e), 0);
		assert_string_equal(s.profile, cases[i].want);
		assert_string_equal(s.profile_source, cases[i].source);
		assert_int_equal(s.profile_explicit, cases[i].explicit);
		settings_release(&s);
	}
}

static void test_profile_invalid(void **state)
{
	const char *env[] = {"AWS_PROFILE=dev\nenvssm: forged", NULL};
	struct settings_flags f = {"", NULL, NULL};
	struct settings s;
	struct err e = {0};

	(void)state;
	assert_int_equal(settings_profile(&f, NULL, &s, &e), -1);
	assert_int_equal(e.kind, ERR_CONFIG);
	assert_string_equal(e.msg, "invalid profile name from --profile: empty");
	settings_release(&s);
	assert_int_equal(settings_profile(NULL, (char *const *)env, &s, &e), -1);
	assert_string_equal(e.msg, "invalid profile name from AWS_PROFILE: control character or "
	                           "longer than 256 bytes");
	settings_release(&s);
}

struct region_case {
	const char *profile;
	const char *flag;
	const char *env[4];
	bool files;
	const char *want;   /* NULL: an error */
	const char *source; /* or the error message */
};

static void test_region_precedence(void **state)
{
	/* clang-format off */
	static const struct region_case cases[] = {
		{ NULL, "us-west-1", { "AWS_REGION=eu-west-1", "AWS_DEFAULT_REGION=eu-west-2" },
		  true, "us-west-1", "--region" },
		{ NULL, NULL, { "AWS_REGION=eu-west-1", "AWS_DEFAULT_REGION=eu-west-2" }, true,
		  "eu-west-1", "AWS_REGION" },
		{ NULL, NULL, { "AWS_REGION=", "AWS_DEFAULT_REGION=eu-west-2" }, true, "eu-west-2",
		  "AWS_DEFAULT_REGION" },
		{ NULL, NULL, { "AWS_DEFAULT_REGION=" }, true, "eu-central-1",
		  "profile 'default'" IN_CONFIG },
		{ "dev", NULL, { NULL }, true, "ap-south-1", "profile 'dev'" IN_CONFIG },
		{ "dev", NULL, { "AWS_DEFAULT_REGION=sa-east-1" }, true, "sa-east-1",
		  "AWS_DEFAULT_REGION" },
		{ "dev", NULL, { NULL }, false, NULL,
		  "no region: set --region, AWS_REGION or a profile region" },
		{ "noregion", NULL, { NULL }, true, NULL,
		  "no region: set --region, AWS_REGION or a profile region" },
		{ "emptyregion", NULL, { NULL }, true, NULL,
		  "no region: set --region, AWS_REGION or a profile region" },
		{ "nobody", NULL, { NULL }, true, NULL,
		  "no region: set --region, AWS_REGION or a profile region" },
	};
	/* clang-format on */
	struct profile_files pf;
	size_t i;

	(void)state;
	pf_make(&pf, config_text, NULL);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct region_case *c = &cases[i];
		struct settings_flags f = {c->profile, c->flag, NULL};
		struct settings s;
		struct err e = {0};
		int rc = resolve(&f, c->env, c->files ? &pf : NULL, &s, &e);

		if (c->want == NULL) {
			assert_int_equal(rc, -1);
			assert_int_equal(e.kind, ERR_CONFIG);
			assert_string_equal(e.msg, c->source);
		} else {
			if (rc != 0)
				fail_msg("case %zu: %s", i, e.msg);
			assert_string_equal(s.region, c->want);
			assert_string_equal(s.region_source, c->source);
		}
		settings_release(&s);
	}
	profile_files_release(&pf);
}

static void test_region_invalid(void **state)
{
	/* clang-format off */
	static const struct region_case cases[] = {
		{ NULL, "US-EAST-1", { NULL }, false, NULL,
		  "invalid region 'US-EAST-1' from --region: must be 1 to 64 of a-z, 0-9 and '-'" },
		{ NULL, "", { NULL }, false, NULL,
		  "invalid region '' from --region: must be 1 to 64 of a-z, 0-9 and '-'" },
		{ NULL, NULL, { "AWS_REGION=us_east_1" }, false, NULL,
		  "invalid region 'us_east_1' from AWS_REGION: must be 1 to 64 of a-z, 0-9 and "
		  "'-'" },
		{ NULL, NULL, { "AWS_DEFAULT_REGION=us-east-1 " }, false, NULL,
		  "invalid region 'us-east-1 ' from AWS_DEFAULT_REGION: must be 1 to 64 of a-z, "
		  "0-9 and '-'" },
		{ NULL, NULL, { "AWS_REGION=us-east-1\nenvssm: forged" }, false, NULL,
		  "invalid region from AWS_REGION: must be 1 to 64 of a-z, 0-9 and '-'" },
		{ NULL, NULL,
		  { "AWS_REGION=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" },
		  false, NULL,
		  "invalid region 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' "
		  "from AWS_REGION: must be 1 to 64 of a-z, 0-9 and '-'" },
		{ "badregion", NULL, { NULL }, true, NULL,
		  "invalid region 'EU-WEST-1' from profile 'badregion'" IN_CONFIG
		  ": must be 1 to 64 of a-z, 0-9 and '-'" },
		/* 64 bytes is the most allowed */
		{ NULL, NULL,
		  { "AWS_REGION=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" },
		  false, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		  "AWS_REGION" },
		{ NULL, "0-9", { NULL }, false, "0-9", "--region" },
	};
	/* clang-format on */
	struct profile_files pf;
	size_t i;

	(void)state;
	pf_make(&pf, config_text, NULL);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct region_case *c = &cases[i];
		struct settings_flags f = {c->profile, c->flag, NULL};
		struct settings s;
		struct err e = {0};
		int rc = resolve(&f, c->env, c->files ? &pf : NULL, &s, &e);

		if (c->want == NULL) {
			assert_int_equal(rc, -1);
			assert_int_equal(e.kind, ERR_CONFIG);
			assert_string_equal(e.msg, c->source);
		} else {
			assert_int_equal(rc, 0);
			assert_string_equal(s.region, c->want);
			assert_string_equal(s.region_source, c->source);
		}
		settings_release(&s);
	}
	profile_files_release(&pf);
}

struct endpoint_case {
	const char *profile;
	const char *flag;
	const char *env[5];
	bool files;
	const char *url;    /* NULL: an error */
	const char *source; /* or the error message */
};

static void check_endpoint_cases(const struct endpoint_case *cases, size_t n)
{
	struct profile_files pf;
	size_t i;

	pf_make(&pf, config_text, NULL);
	for (i = 0; i < n; i++) {
		const struct endpoint_case *c = &cases[i];
		struct settings_flags f = {c->profile, NULL, c->flag};
		struct settings s;
		struct err e = {0};
		int rc = resolve(&f, c->env, c->files ? &pf : NULL, &s, &e);

		if (c->url == NULL) {
			if (rc != -1)
				fail_msg("case %zu: resolved to %s", i, s.ssm.url);
			assert_int_equal(e.kind, ERR_CONFIG);
			assert_string_equal(e.msg, c->source);
		} else {
			if (rc != 0)
				fail_msg("case %zu: %s", i, e.msg);
			assert_string_equal(s.ssm.url, c->url);
			assert_string_equal(s.endpoint_source, c->source);
		}
		settings_release(&s);
	}
	profile_files_release(&pf);
}

#define REGION_ENV "AWS_REGION=us-east-1"

static void test_endpoint_precedence(void **state)
{
	/* clang-format off */
	static const struct endpoint_case cases[] = {
		{ "dev", "http://flag:1",
		  { "AWS_ENDPOINT_URL_SSM=http://ssm-env:2", "AWS_ENDPOINT_URL=http://all-env:3" },
		  true, "http://flag:1", "--endpoint-url" },
		{ "dev", NULL,
		  { "AWS_ENDPOINT_URL_SSM=http://ssm-env:2", "AWS_ENDPOINT_URL=http://all-env:3" },
		  true, "http://ssm-env:2", "AWS_ENDPOINT_URL_SSM" },
		{ "dev", NULL,
		  { "AWS_ENDPOINT_URL_SSM=", "AWS_ENDPOINT_URL=http://all-env:3" },
		  true, "http://all-env:3", "AWS_ENDPOINT_URL" },
		{ "dev", NULL, { NULL }, true, "http://localstack:4566",
		  "services 'local'" IN_CONFIG },
		{ "nossm", NULL, { NULL }, true, "http://fallback:1", "profile 'nossm'" IN_CONFIG },
		{ "plain", NULL, { NULL }, true, "http://plain:1234", "profile 'plain'" IN_CONFIG },
		{ "default", NULL, { NULL }, true, "https://ssm.eu-central-1.amazonaws.com",
		  "default" },
		{ "dev", NULL, { NULL }, false, NULL,
		  "no region: set --region, AWS_REGION or a profile region" },
		{ "dev", NULL, { REGION_ENV }, false, "https://ssm.us-east-1.amazonaws.com",
		  "default" },
		{ "cn", NULL, { NULL }, true, "https://ssm.cn-northwest-1.amazonaws.com.cn",
		  "default" },
		{ NULL, NULL, { "AWS_REGION=cn-north-1" }, false,
		  "https://ssm.cn-north-1.amazonaws.com.cn", "default" },
		{ "nosection", NULL, { NULL }, true, NULL,
		  "unable to find section [services missing] named by profile 'nosection'" IN_CONFIG },
		{ "nosection", NULL, { "AWS_ENDPOINT_URL=http://env:1" }, true, "http://env:1",
		  "AWS_ENDPOINT_URL" },
		{ "nosection", "http://flag:1", { NULL }, true, "http://flag:1", "--endpoint-url" },
	};
	/* clang-format on */

	(void)state;
	check_endpoint_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_endpoint_ignore_configured(void **state)
{
	/* clang-format off */
	static const struct endpoint_case cases[] = {
		{ "dev", NULL,
		  { "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true", "AWS_ENDPOINT_URL_SSM=http://e:2",
		    "AWS_ENDPOINT_URL=http://e:3" },
		  true, "https://ssm.ap-south-1.amazonaws.com", "default" },
		{ "dev", "http://flag:1", { "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=True" }, true,
		  "http://flag:1", "--endpoint-url" },
		{ "ignore", NULL, { "AWS_ENDPOINT_URL=http://e:3" }, true,
		  "https://ssm.eu-west-1.amazonaws.com", "default" },
		{ "ignore", NULL,
		  { "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=false", "AWS_ENDPOINT_URL=http://e:3" }, true,
		  "http://e:3", "AWS_ENDPOINT_URL" },
		{ "ignore", NULL, { "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=FALSE" }, true,
		  "http://ignored:1", "profile 'ignore'" IN_CONFIG },
		/* ignoring skips the services lookup, so its missing section too */
		{ "nosection", NULL, { "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true" }, true,
		  "https://ssm.us-east-2.amazonaws.com", "default" },
		{ "dev", NULL, { "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=1" }, true, NULL,
		  "invalid AWS_IGNORE_CONFIGURED_ENDPOINT_URLS '1': must be true or false" },
	};
	/* clang-format on */

	(void)state;
	check_endpoint_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_endpoint_variants(void **state)
{
	/* clang-format off */
	static const struct endpoint_case cases[] = {
		{ "fips", NULL, { NULL }, true, "https://ssm-fips.us-east-1.amazonaws.com",
		  "default" },
		{ "dual", NULL, { NULL }, true, "https://ssm.us-east-1.api.aws", "default" },
		{ NULL, NULL,
		  { "AWS_REGION=us-gov-west-1", "AWS_USE_FIPS_ENDPOINT=true" }, false,
		  "https://ssm.us-gov-west-1.amazonaws.com", "default" },
		{ NULL, NULL,
		  { "AWS_REGION=us-gov-west-1", "AWS_USE_FIPS_ENDPOINT=true",
		    "AWS_USE_DUALSTACK_ENDPOINT=true" },
		  false, "https://ssm-fips.us-gov-west-1.api.aws", "default" },
		{ NULL, NULL, { "AWS_REGION=cn-north-1", "AWS_USE_DUALSTACK_ENDPOINT=true" }, false,
		  "https://ssm.cn-north-1.api.amazonwebservices.com.cn", "default" },
		{ "fips", NULL, { "AWS_USE_FIPS_ENDPOINT=false" }, true,
		  "https://ssm.us-east-1.amazonaws.com", "default" },
		{ "fips", "http://localhost:4566", { NULL }, true, NULL,
		  "invalid endpoint URL from --endpoint-url: FIPS endpoints and a custom endpoint "
		  "are not supported together" },
		{ NULL, NULL,
		  { REGION_ENV, "AWS_USE_DUALSTACK_ENDPOINT=true", "AWS_ENDPOINT_URL=http://x" },
		  false, NULL,
		  "invalid endpoint URL from AWS_ENDPOINT_URL: dual-stack endpoints and a custom "
		  "endpoint are not supported together" },
		{ "badbool", NULL, { NULL }, true, NULL,
		  "invalid use_dualstack_endpoint 'yes' in profile 'badbool'" IN_CONFIG
		  ": must be true or false" },
	};
	/* clang-format on */

	(void)state;
	check_endpoint_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_endpoint_bad_source(void **state)
{
	/* clang-format off */
	static const struct endpoint_case cases[] = {
		{ NULL, "ftp://x", { REGION_ENV }, false, NULL,
		  "invalid endpoint URL 'ftp://x' from --endpoint-url: scheme must be http or https" },
		{ NULL, NULL, { REGION_ENV, "AWS_ENDPOINT_URL=ftp://x" }, false, NULL,
		  "invalid endpoint URL 'ftp://x' from AWS_ENDPOINT_URL: scheme must be http or "
		  "https" },
		{ NULL, NULL, { REGION_ENV, "AWS_ENDPOINT_URL_SSM=http://k:s3cr3t@x" }, false, NULL,
		  "invalid endpoint URL from AWS_ENDPOINT_URL_SSM: user information is not "
		  "allowed" },
		{ NULL, "", { REGION_ENV }, false, NULL,
		  "invalid endpoint URL '' from --endpoint-url: missing scheme (http:// or "
		  "https://)" },
	};
	/* clang-format on */
	struct profile_files pf;
	struct settings_flags f = {"bad", NULL, NULL};
	const char *env[] = {NULL};
	struct settings s;
	struct err e = {0};

	(void)state;
	check_endpoint_cases(cases, sizeof(cases) / sizeof(cases[0]));
	pf_make(&pf,
	        "[profile bad]\nregion = us-east-1\nservices = s\n"
	        "[services s]\nssm =\n  endpoint_url = localhost:4566\n",
	        NULL);
	assert_int_equal(resolve(&f, env, &pf, &s, &e), -1);
	assert_string_equal(e.msg,
	                    "invalid endpoint URL 'localhost:4566' from services 's'" IN_CONFIG
	                    ": missing scheme (http:// or https://)");
	settings_release(&s);
	profile_files_release(&pf);
}

static void test_ca_bundle(void **state)
{
	struct profile_files pf;
	struct settings_flags f = {"ca", NULL, NULL};
	const char *env[] = {"AWS_CA_BUNDLE=/etc/env-ca.pem", NULL};
	const char *noenv[] = {NULL};
	struct settings s;
	struct err e = {0};

	(void)state;
	pf_make(&pf, config_text, NULL);
	assert_int_equal(resolve(&f, env, &pf, &s, &e), 0);
	assert_string_equal(s.ca_bundle, "/etc/env-ca.pem");
	assert_string_equal(s.ca_bundle_source, "AWS_CA_BUNDLE");
	settings_release(&s);
	assert_int_equal(resolve(&f, noenv, &pf, &s, &e), 0);
	assert_string_equal(s.ca_bundle, "/etc/profile-ca.pem");
	assert_string_equal(s.ca_bundle_source, "profile 'ca'" IN_CONFIG);
	settings_release(&s);
	/* nothing configured: SSL_CERT_FILE and SSL_CERT_DIR, as OpenSSL reads them */
	f.profile = "dev";
	env[0] = "SSL_CERT_FILE=/dev/null/none";
	assert_int_equal(resolve(&f, env, &pf, &s, &e), -1);
	assert_int_equal(e.kind, ERR_CONFIG);
	assert_non_null(strstr(e.msg, "SSL_CERT_FILE=/dev/null/none"));
	settings_release(&s);
	env[0] = "SSL_CERT_DIR=/";
	assert_int_equal(resolve(&f, env, &pf, &s, &e), 0);
	assert_null(s.ca_bundle);
	assert_string_equal(s.ca_dir, "/");
	assert_string_equal(s.ca_dir_source, "SSL_CERT_DIR");
	settings_release(&s);
	/* then the system's own (trust.c, tested with a fake root) */
	assert_int_equal(resolve(&f, noenv, &pf, &s, &e), 0);
	assert_true(s.ca_missing != NULL || !strcmp(s.ca_dir_source, "system"));
	settings_release(&s);
	profile_files_release(&pf);
}

struct parse_good {
	const char *in;
	const char *url;
	const char *scheme;
	const char *host;
	unsigned port;
	const char *host_header;
	const char *path;
};

static void test_endpoint_parse_good(void **state)
{
	/* clang-format off */
	static const struct parse_good cases[] = {
		{ "https://ssm.us-east-1.amazonaws.com", "https://ssm.us-east-1.amazonaws.com",
		  "https", "ssm.us-east-1.amazonaws.com", 443, "ssm.us-east-1.amazonaws.com", "/" },
		{ "HTTP://LocalHost:4566/", "http://localhost:4566", "http", "localhost", 4566,
		  "localhost:4566", "/" },
		{ "HtTpS://X/", "https://x", "https", "x", 443, "x", "/" },
		{ "http://localhost:80", "http://localhost", "http", "localhost", 80, "localhost",
		  "/" },
		{ "https://h:443/", "https://h", "https", "h", 443, "h", "/" },
		{ "http://h:443", "http://h:443", "http", "h", 443, "h:443", "/" },
		{ "https://h:80", "https://h:80", "https", "h", 80, "h:80", "/" },
		{ "http://h:00080", "http://h", "http", "h", 80, "h", "/" },
		{ "http://h:1", "http://h:1", "http", "h", 1, "h:1", "/" },
		{ "http://my_service.local:65535", "http://my_service.local:65535", "http",
		  "my_service.local", 65535, "my_service.local:65535", "/" },
		{ "http://[::1]:4566", "http://[::1]:4566", "http", "[::1]", 4566, "[::1]:4566",
		  "/" },
		{ "https://[2001:DB8::1]/", "https://[2001:db8::1]", "https", "[2001:db8::1]", 443,
		  "[2001:db8::1]", "/" },
		{ "http://[::ffff:127.0.0.1]", "http://[::ffff:127.0.0.1]", "http",
		  "[::ffff:127.0.0.1]", 80, "[::ffff:127.0.0.1]", "/" },
		{ "http://moto:5000/base/Path/", "http://moto:5000/base/Path", "http", "moto", 5000,
		  "moto:5000", "/base/Path" },
		{ "http://h//", "http://h", "http", "h", 80, "h", "/" },
		{ "http://h/a%20b", "http://h/a%20b", "http", "h", 80, "h", "/a%20b" },
		{ "http://127.0.0.1:4566", "http://127.0.0.1:4566", "http", "127.0.0.1", 4566,
		  "127.0.0.1:4566", "/" },
	};
	/* clang-format on */
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct parse_good *c = &cases[i];
		struct endpoint ep;
		struct err e = {0};

		if (endpoint_parse(c->in, &ep, &e) != 0)
			fail_msg("%s: %s", c->in, e.msg);
		assert_string_equal(ep.url, c->url);
		assert_string_equal(ep.scheme, c->scheme);
		assert_string_equal(ep.host, c->host);
		assert_int_equal(ep.port, c->port);
		assert_string_equal(ep.host_header, c->host_header);
		assert_string_equal(ep.path, c->path);
		endpoint_release(&ep);
		assert_null(ep.url);
	}
}

#define PORT_RANGE "port must be a number from 1 to 65535"
#define BAD_BYTE   "whitespace, control or non-ASCII byte"

struct parse_bad {
	const char *in;
	const char *msg;
};

static void test_endpoint_parse_bad(void **state)
{
	/* clang-format off */
	static const struct parse_bad cases[] = {
		{ "ftp://x", "invalid endpoint URL 'ftp://x': scheme must be http or https" },
		{ "httpx://x", "invalid endpoint URL 'httpx://x': scheme must be http or https" },
		{ "://x", "invalid endpoint URL '://x': scheme must be http or https" },
		{ "localhost:4566",
		  "invalid endpoint URL 'localhost:4566': missing scheme (http:// or https://)" },
		{ "http:/x", "invalid endpoint URL 'http:/x': missing scheme (http:// or https://)" },
		{ "http://", "invalid endpoint URL 'http://': missing host" },
		{ "http://:80", "invalid endpoint URL 'http://:80': missing host" },
		{ "http:///path", "invalid endpoint URL 'http:///path': missing host" },
		{ "http://::1", "invalid endpoint URL 'http://::1': missing host" },
		{ "http://x:", "invalid endpoint URL 'http://x:': " PORT_RANGE },
		{ "http://x:0", "invalid endpoint URL 'http://x:0': " PORT_RANGE },
		{ "http://x:65536", "invalid endpoint URL 'http://x:65536': " PORT_RANGE },
		{ "http://x:123456", "invalid endpoint URL 'http://x:123456': " PORT_RANGE },
		{ "http://x:-1", "invalid endpoint URL 'http://x:-1': " PORT_RANGE },
		{ "http://x:+80", "invalid endpoint URL 'http://x:+80': " PORT_RANGE },
		{ "http://x:80:80", "invalid endpoint URL 'http://x:80:80': " PORT_RANGE },
		{ "http://u:p4ss@x", "invalid endpoint URL: user information is not allowed" },
		{ "http://@x", "invalid endpoint URL: user information is not allowed" },
		{ "http://x/?token=abc", "invalid endpoint URL: query is not allowed" },
		{ "http://x?", "invalid endpoint URL: query is not allowed" },
		{ "http://x/#frag", "invalid endpoint URL: fragment is not allowed" },
		{ "http://x y", "invalid endpoint URL 'http://x y': " BAD_BYTE },
		{ " http://x", "invalid endpoint URL ' http://x': " BAD_BYTE },
		{ "http://x\n", "invalid endpoint URL: " BAD_BYTE },
		{ "http://x/\x7f", "invalid endpoint URL: " BAD_BYTE },
		{ "http://h\xc3\xa9", "invalid endpoint URL: " BAD_BYTE },
		{ "http://[::1", "invalid endpoint URL 'http://[::1': missing ']' after IPv6 address" },
		{ "http://[]", "invalid endpoint URL 'http://[]': invalid IPv6 address" },
		{ "http://[1]", "invalid endpoint URL 'http://[1]': invalid IPv6 address" },
		{ "http://[g::1]", "invalid endpoint URL 'http://[g::1]': invalid IPv6 address" },
		{ "http://[fe80::1%25eth0]",
		  "invalid endpoint URL 'http://[fe80::1%25eth0]': invalid IPv6 address" },
		{ "http://[::1]x",
		  "invalid endpoint URL 'http://[::1]x': unexpected text after IPv6 address" },
		{ "http://[::1]:0", "invalid endpoint URL 'http://[::1]:0': " PORT_RANGE },
		{ "http://ex%41mple", "invalid endpoint URL 'http://ex%41mple': invalid character in host" },
		{ "http://a\\b", "invalid endpoint URL 'http://a\\b': invalid character in host" },
	};
	/* clang-format on */
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct endpoint ep;
		struct err e = {0};

		if (endpoint_parse(cases[i].in, &ep, &e) != -1)
			fail_msg("%s: accepted as %s", cases[i].in, ep.url);
		assert_int_equal(e.kind, ERR_CONFIG);
		assert_string_equal(e.msg, cases[i].msg);
		assert_null(ep.url);
		assert_null(ep.host);
		endpoint_release(&ep);
	}
}

static void test_endpoint_parse_long(void **state)
{
	char url[2100];
	struct endpoint ep;
	struct err e = {0};

	(void)state;
	memcpy(url, "http://h/", 9);
	memset(url + 9, 'p', sizeof(url) - 10);
	url[2048] = '\0';
	assert_int_equal(endpoint_parse(url, &ep, &e), 0);
	assert_int_equal(strlen(ep.path), 2048 - 8);
	endpoint_release(&ep);
	url[2048] = 'p';
	url[2049] = '\0';
	assert_int_equal(endpoint_parse(url, &ep, &e), -1);
	assert_string_equal(e.msg, "invalid endpoint URL: longer than 2048 bytes");
}

/* The profile files and their merge. */

static void test_profile_merge(void **state)
{
	struct profile_files pf;
	const char *from = NULL;

	(void)state;
	pf_make(&pf,
	        "[profile dev]\nregion = us-east-1\naws_access_key_id = CONFIGKEY\n"
	        "output = json\nregion = us-east-2\n"
	        "[bare]\nregion = eu-west-1\n"
	        "[profile   spaced]\nregion = ap-east-1\n",
	        "[dev]\naws_access_key_id = CREDKEY\nregion =\n"
	        "[profile other]\nregion = x\n");
	assert_string_equal(profile_get_from(&pf, "dev", "aws_access_key_id", &from), "CREDKEY");
	assert_string_equal(from, CREDS_PATH);
	assert_string_equal(profile_get_from(&pf, "dev", "output", &from), "json");
	assert_string_equal(from, CONFIG_PATH);
	/* set in both, even to empty: the credentials file wins */
	assert_string_equal(profile_get(&pf, "dev", "region"), "");
	assert_null(profile_get(&pf, "dev", "nope"));
	assert_true(profile_exists(&pf, "dev"));
	/* a bare [NAME] in config is not a profile */
	assert_false(profile_exists(&pf, "bare"));
	assert_null(profile_get(&pf, "bare", "region"));
	/* [profile NAME] in credentials is the profile "profile NAME" */
	assert_false(profile_exists(&pf, "other"));
	assert_true(profile_exists(&pf, "profile other"));
	assert_string_equal(profile_get(&pf, "spaced", "region"), "ap-east-1");
	assert_null(profile_get(NULL, "dev", "region"));
	assert_false(profile_exists(NULL, "dev"));
	profile_files_release(&pf);
	assert_null(pf.config_path);
}

static void test_profile_default_sections(void **state)
{
	struct profile_files pf;

	(void)state;
	pf_make(&pf, "[default]\nregion = a\nonly_bare = 1\n[profile default]\nregion = b\n", NULL);
	assert_string_equal(profile_get(&pf, "default", "region"), "b");
	/* the two are not merged: [profile default] wins as a whole */
	assert_null(profile_get(&pf, "default", "only_bare"));
	profile_files_release(&pf);
	pf_make(&pf, "[profile default]\nregion = b\n[default]\nregion = a\n", NULL);
	assert_string_equal(profile_get(&pf, "default", "region"), "b");
	profile_files_release(&pf);
	pf_make(&pf, "[default]\nregion = a\n", "[default]\nregion = c\n");
	assert_string_equal(profile_get(&pf, "default", "region"), "c");
	assert_true(profile_exists(&pf, "default"));
	profile_files_release(&pf);
	pf_make(&pf, "[default]\nregion = a\n", NULL);
	assert_string_equal(profile_get(&pf, "default", "region"), "a");
	profile_files_release(&pf);
	pf_make(&pf, "[profile default]\nregion = b\n", NULL);
	assert_string_equal(profile_get(&pf, "default", "region"), "b");
	assert_false(profile_exists(&pf, "profile default"));
	profile_files_release(&pf);
	pf_make(&pf, NULL, NULL);
	assert_false(profile_exists(&pf, "default"));
	profile_files_release(&pf);
}

static void test_profile_services(void **state)
{
	struct profile_files pf;

	(void)state;
	pf_make(&pf, config_text, "[services local]\nssm =\n  endpoint_url = http://creds\n");
	assert_true(profile_services_exists(&pf, "local"));
	assert_false(profile_services_exists(&pf, "missing"));
	assert_false(profile_services_exists(NULL, "local"));
	/* services sections live in the config file only */
	assert_string_equal(profile_services_get(&pf, "local", "ssm", "endpoint_url"),
	                    "http://localstack:4566");
	assert_string_equal(profile_services_get(&pf, "local", "sts", "endpoint_url"),
	                    "http://sts:4566");
	assert_null(profile_services_get(&pf, "stsonly", "ssm", "endpoint_url"));
	assert_null(profile_services_get(&pf, "missing", "ssm", "endpoint_url"));
	assert_null(profile_services_get(NULL, "local", "ssm", "endpoint_url"));
	profile_files_release(&pf);
}

/* A scratch HOME with files in it. */
struct scratch {
	char dir[64];
	char paths[6][160];
	size_t npaths;
};

static const char *scratch_file(struct scratch *t, const char *name, const char *text)
{
	char *path = t->paths[t->npaths++];
	char dir[sizeof(t->dir)];
	FILE *fp;

	memcpy(dir, t->dir, sizeof(dir));
	snprintf(path, sizeof(t->paths[0]), "%s/%s", dir, name);
	fp = fopen(path, "w");
	assert_non_null(fp);
	assert_int_equal(fputs(text, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
	return path;
}

static void scratch_init(struct scratch *t)
{
	char aws[128];

	snprintf(t->dir, sizeof(t->dir), "%s", "/tmp/envssm-test-home-XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	snprintf(aws, sizeof(aws), "%s/.aws", t->dir);
	assert_int_equal(mkdir(aws, 0700), 0);
	t->npaths = 0;
}

static void scratch_release(struct scratch *t)
{
	char aws[128];

	while (t->npaths > 0)
		unlink(t->paths[--t->npaths]);
	snprintf(aws, sizeof(aws), "%s/.aws", t->dir);
	rmdir(aws);
	rmdir(t->dir);
}

static void test_files_from_variables(void **state)
{
	struct scratch t;
	char home[96], cfg_var[200], creds_var[200];
	const char *env[4] = {home, cfg_var, creds_var, NULL};
	struct profile_files pf;
	struct err e = {0};
	const char *cfg, *creds;

	(void)state;
	scratch_init(&t);
	cfg = scratch_file(&t, "my-config", "[profile dev]\nregion = us-east-1\n");
	creds = scratch_file(&t, "my-creds", "[dev]\naws_access_key_id = AKID\n");
	scratch_file(&t, ".aws/config", "[profile dev]\nregion = wrong-file\n");
	snprintf(home, sizeof(home), "HOME=%s", t.dir);
	snprintf(cfg_var, sizeof(cfg_var), "AWS_CONFIG_FILE=%s", cfg);
	snprintf(creds_var, sizeof(creds_var), "AWS_SHARED_CREDENTIALS_FILE=%s", creds);
	assert_int_equal(profile_files_load((char *const *)env, &pf, &e), 0);
	assert_string_equal(pf.config_path, cfg);
	assert_string_equal(pf.credentials_path, creds);
	assert_false(pf.config_missing);
	assert_false(pf.credentials_missing);
	assert_string_equal(profile_get(&pf, "dev", "region"), "us-east-1");
	assert_string_equal(profile_get(&pf, "dev", "aws_access_key_id"), "AKID");
	profile_files_release(&pf);
	/* "~/" expands to HOME */
	snprintf(cfg_var, sizeof(cfg_var), "AWS_CONFIG_FILE=~/my-config");
	snprintf(creds_var, sizeof(creds_var), "AWS_SHARED_CREDENTIALS_FILE=~/nonexistent");
	assert_int_equal(profile_files_load((char *const *)env, &pf, &e), 0);
	assert_string_equal(pf.config_path, cfg);
	assert_true(pf.credentials_missing);
	assert_false(pf.config_missing);
	assert_string_equal(profile_get(&pf, "dev", "region"), "us-east-1");
	profile_files_release(&pf);
	scratch_release(&t);
}

static void test_files_default_locations(void **state)
{
	struct scratch t;
	char home[96], want[200];
	const char *env[3] = {home, "AWS_CONFIG_FILE=", NULL};
	struct profile_files pf;
	struct err e = {0};

	(void)state;
	scratch_init(&t);
	scratch_file(&t, ".aws/config", "[default]\nregion = eu-north-1\n");
	/* a trailing slash on HOME does not double */
	snprintf(home, sizeof(home), "HOME=%s/", t.dir);
	assert_int_equal(profile_files_load((char *const *)env, &pf, &e), 0);
	snprintf(want, sizeof(want), "%s/.aws/config", t.dir);
	assert_string_equal(pf.config_path, want);
	snprintf(want, sizeof(want), "%s/.aws/credentials", t.dir);
	assert_string_equal(pf.credentials_path, want);
	assert_false(pf.config_missing);
	assert_true(pf.credentials_missing);
	assert_string_equal(profile_get(&pf, "default", "region"), "eu-north-1");
	profile_files_release(&pf);
	scratch_release(&t);
}

static void test_files_without_home(void **state)
{
	const char *none[] = {"HOME=", NULL};
	const char *tilde[] = {"AWS_SHARED_CREDENTIALS_FILE=~/creds", NULL};
	struct profile_files pf;
	struct err e = {0};

	(void)state;
	assert_int_equal(profile_files_load((char *const *)none, &pf, &e), 0);
	assert_true(pf.config_missing);
	assert_true(pf.credentials_missing);
	assert_null(pf.config_path);
	assert_null(pf.credentials_path);
	assert_null(profile_get(&pf, "default", "region"));
	profile_files_release(&pf);
	assert_int_equal(profile_files_load((char *const *)tilde, &pf, &e), -1);
	assert_int_equal(e.kind, ERR_CONFIG);
	assert_string_equal(e.msg,
	                    "unable to expand '~' in AWS_SHARED_CREDENTIALS_FILE: HOME is not set");
	assert_null(pf.config_path);
	profile_files_release(&pf);
}

static void test_files_malformed(void **state)
{
	struct scratch t;
	char home[96], want[256];
	const char *env[2] = {home, NULL};
	struct profile_files pf;
	struct err e = {0};

	(void)state;
	scratch_init(&t);
	scratch_file(&t, ".aws/config", "[default]\nregion = eu-north-1\n");
	scratch_file(&t, ".aws/credentials", "[default]\naws_secret_access_key\n");
	snprintf(home, sizeof(home), "HOME=%s", t.dir);
	assert_int_equal(profile_files_load((char *const *)env, &pf, &e), -1);
	assert_int_equal(e.kind, ERR_CONFIG);
	snprintf(want, sizeof(want),
	         "unable to parse '%s/.aws/credentials': line 2: expected '[section]' or "
	         "'key = value'",
	         t.dir);
	assert_string_equal(e.msg, want);
	assert_null(pf.config_path);
	assert_int_equal(pf.config.len, 0);
	profile_files_release(&pf);
	scratch_release(&t);
}

static void test_files_end_to_end(void **state)
{
	struct scratch t;
	char home[96];
	const char *env[3] = {home, "AWS_PROFILE=dev", NULL};
	struct profile_files pf;
	struct settings s;
	struct err e = {0};
	char want[200];

	(void)state;
	scratch_init(&t);
	scratch_file(&t, ".aws/config", config_text);
	scratch_file(&t, ".aws/credentials", "[dev]\nregion = us-west-2\n");
	snprintf(home, sizeof(home), "HOME=%s", t.dir);
	assert_int_equal(profile_files_load((char *const *)env, &pf, &e), 0);
	assert_int_equal(resolve(NULL, env, &pf, &s, &e), 0);
	assert_string_equal(s.profile, "dev");
	assert_string_equal(s.region, "us-west-2");
	snprintf(want, sizeof(want), "profile 'dev' in %s/.aws/credentials", t.dir);
	assert_string_equal(s.region_source, want);
	assert_string_equal(s.ssm.url, "http://localstack:4566");
	snprintf(want, sizeof(want), "services 'local' in %s/.aws/config", t.dir);
	assert_string_equal(s.endpoint_source, want);
	settings_release(&s);
	profile_files_release(&pf);
	scratch_release(&t);
}

struct need_case {
	const char *region;
	const char *endpoint;
	const char *env[7];
	bool need;
};

/* clang-format off */
#define ENV_DECIDED \
	"AWS_USE_FIPS_ENDPOINT=false", "AWS_USE_DUALSTACK_ENDPOINT=false", "AWS_CA_BUNDLE=/ca.pem"
#define IGNORE_FALSE "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=false"
/* clang-format on */

static void test_need_profile_files(void **state)
{
	/* clang-format off */
	static const struct need_case cases[] = {
		{ NULL, NULL, { NULL }, true },
		{ "us-east-1", "http://x", { ENV_DECIDED }, false },
		{ "us-east-1", "http://x", { NULL }, true },
		{ "us-east-1", "http://x", { "AWS_USE_FIPS_ENDPOINT=false", "AWS_CA_BUNDLE=/c" }, true },
		{ NULL, "http://x", { ENV_DECIDED }, true },
		{ NULL, "http://x", { ENV_DECIDED, "AWS_DEFAULT_REGION=eu-west-1" }, false },
		{ NULL, NULL, { ENV_DECIDED, "AWS_REGION=eu-west-1" }, true },
		{ NULL, NULL, { ENV_DECIDED, REGION_ENV, "AWS_ENDPOINT_URL=http://e" }, true },
		{ NULL, NULL, { ENV_DECIDED, REGION_ENV, "AWS_ENDPOINT_URL=http://e", IGNORE_FALSE },
		  false },
		{ NULL, NULL, { ENV_DECIDED, REGION_ENV, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true" },
		  false },
		{ NULL, NULL, { ENV_DECIDED, REGION_ENV, IGNORE_FALSE }, true },
	};
	/* clang-format on */
	struct profile_files pf;
	size_t i;

	(void)state;
	/* a profile that would change every setting, were it read */
	pf_make(&pf,
	        "[default]\nregion = ap-east-1\nendpoint_url = http://profile\n"
	        "ignore_configured_endpoint_urls = true\nca_bundle = /profile-ca.pem\n"
	        "use_fips_endpoint = true\nuse_dualstack_endpoint = true\n",
	        NULL);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct need_case *c = &cases[i];
		struct settings_flags f = {NULL, c->region, c->endpoint};
		struct settings with, without;
		struct err e1 = {0}, e2 = {0};
		int rc1, rc2;

		if (settings_need_profile_files(&f, (char *const *)c->env) != c->need)
			fail_msg("case %zu: need should be %d", i, c->need);
		if (c->need)
			continue;
		/* not needed means: reading them would change nothing */
		rc1 = resolve(&f, c->env, &pf, &with, &e1);
		rc2 = resolve(&f, c->env, NULL, &without, &e2);
		assert_int_equal(rc1, 0);
		assert_int_equal(rc2, 0);
		assert_string_equal(with.region, without.region);
		assert_string_equal(with.ssm.url, without.ssm.url);
		assert_string_equal(with.ca_bundle, without.ca_bundle);
		settings_release(&with);
		settings_release(&without);
	}
	profile_files_release(&pf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_profile_choice),
	        cmocka_unit_test(test_profile_invalid),
	        cmocka_unit_test(test_region_precedence),
	        cmocka_unit_test(test_region_invalid),
	        cmocka_unit_test(test_endpoint_precedence),
	        cmocka_unit_test(test_endpoint_ignore_configured),
	        cmocka_unit_test(test_endpoint_variants),
	        cmocka_unit_test(test_endpoint_bad_source),
	        cmocka_unit_test(test_ca_bundle),
	        cmocka_unit_test(test_endpoint_parse_good),
	        cmocka_unit_test(test_endpoint_parse_bad),
	        cmocka_unit_test(test_endpoint_parse_long),
	        cmocka_unit_test(test_profile_merge),
	        cmocka_unit_test(test_profile_default_sections),
	        cmocka_unit_test(test_profile_services),
	        cmocka_unit_test(test_files_from_variables),
	        cmocka_unit_test(test_files_default_locations),
	        cmocka_unit_test(test_files_without_home),
	        cmocka_unit_test(test_files_malformed),
	        cmocka_unit_test(test_files_end_to_end),
	        cmocka_unit_test(test_need_profile_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
