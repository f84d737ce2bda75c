/*
 * test_creds.c - the credential chain driven through a fake world: a
 * scripted http interface (STS, the SSO portal, the container endpoint,
 * IMDS), files in memory, a fake credential_process and a fake clock.
 *
 * The table in test_chain_order states which provider wins for each
 * combination of configured sources, and how many requests it takes.
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
#include "creds_container.h"
#include "creds_imds.h"
#include "creds_providers.h"
#include "creds_sso.h"
#include "explain.h"
#include "settings.h"
#include "ini.h"

#define NOW        1700000000 /* 2023-11-14T22:13:20Z */
#define FUTURE     "2099-01-01T00:00:00Z"
#define PAST       "2023-11-14T21:00:00Z"
#define STS_URL    "https://sts.us-east-1.amazonaws.com"
#define SSO_URL    "https://portal.sso.us-east-1.amazonaws.com/federation/credentials"
#define FULL_URI   "http://127.0.0.1:9911/creds"
#define ECS_URL    "http://169.254.170.2/v2/creds"
#define IMDS       "http://169.254.169.254"
#define SSO_CACHE  "/h/.aws/sso/cache/86cf8dc1fdb23defcb92aac62c6d6bc0e149bb39.json"

/* ---- answers ----------------------------------------------------------- */

#define STS_CREDS(result, akid, exp)                                                          \
	"<" result "Response><" result "><AssumedRoleUser><Arn>arn:aws:sts::1:assumed-role/r/s"  \
	"</Arn></AssumedRoleUser><Credentials><AccessKeyId>" akid "</AccessKeyId>"              \
	"<SecretAccessKey>secret-" akid "</SecretAccessKey><SessionToken>token-" akid            \
	"</SessionToken><Expiration>" exp "</Expiration></Credentials></" result "></" result  \
	"Response>"

#define JSON_CREDS(akid, exp)                                                                 \
	"{\"AccessKeyId\":\"" akid "\",\"SecretAccessKey\":\"s\",\"Token\":\"t\",\"Expiration\":\"" \
	exp "\"}"

#define IMDS_CREDS(akid, exp)                                                                 \
	"{\"Code\":\"Success\",\"Type\":\"AWS-HMAC\",\"AccessKeyId\":\"" akid                   \
	"\",\"SecretAccessKey\":\"s\",\"Token\":\"t\",\"Expiration\":\"" exp "\"}"

/* ---- the fake world ------------------------------------------------------ */

struct route {
	const char *method;
	const char *url;      /* prefix of the request URL */
	const char *body_has; /* the request body must contain it, or NULL */
	long status;
	const char *body;
	enum http_failure fail;
	int times; /* 0: every time; n: the first n matching requests only */
	int hits;
};

struct logged {
	char method[8];
	char url[512];
	char body[2048];
	char auth[512];  /* Authorization header */
	char token[128]; /* X-aws-ec2-metadata-token / x-amz-sso_bearer_token */
	bool direct;
	long timeout_ms;
};

struct file {
	const char *path;
	const char *text;
};

struct world {
	struct route routes[32];
	size_t nroutes;
	struct logged log[64];
	size_t nlog;
	struct file files[8];
	size_t nfiles;
	int file_reads;
	const char *process_out; /* credential_process stdout */
	enum creds_run_failure process_fail;
	int process_status;
	int runs;
	long slept_ms;
	int64_t mono;
	int clients;
};

struct client_impl {
	struct world *w;
	bool direct;
};

/* R makes a route that answers every time. */
#define R(method, url, body_has, status, body)                                                 \
	((struct route){ method, url, body_has, status, body, HTTP_OK, 0, 0 })

static void world_route(struct world *w, struct route r)
{
	assert_true(w->nroutes < 32);
	w->routes[w->nroutes++] = r;
}

static const char *header(const struct http_request *req, const char *name)
{
	for (size_t i = 0; i < req->nheaders; i++) {
		if (strcasecmp(req->headers[i].name, name) == 0)
			return req->headers[i].value;
	}
	return NULL;
}

static void note(struct world *w, const struct http_request *req, bool direct)
{
	struct logged *l;
	const char *v;

	if (w->nlog >= 64)
		return;
	l = &w->log[w->nlog++];
	snprintf(l->method, sizeof(l->method), "%s", req->method);
	snprintf(l->url, sizeof(l->url), "%s", req->url);
	snprintf(l->body, sizeof(l->body), "%.*s", (int)req->body_len,
		 req->body ? (const char *)req->body : "");
	l->direct = direct;
	l->timeout_ms = req->timeout_ms;
	if ((v = header(req, "Authorization")) != NULL)
		snprintf(l->auth, sizeof(l->auth), "%s", v);
	if ((v = header(req, "X-aws-ec2-metadata-token")) != NULL ||
	    (v = header(req, "x-amz-sso_bearer_token")) != NULL)
		snprintf(l->token, sizeof(l->token), "%s", v);
}

static int fake_perform(void *impl, const struct http_request *req, struct http_response *resp,
			struct err *e)
{
	struct client_impl *ci = impl;
	struct world *w = ci->w;

	note(w, req, ci->direct);
	for (size_t i = 0; i < w->nroutes; i++) {
		struct route *r = &w->routes[i];

		if (strcmp(r->method, req->method) != 0 || strncmp(req->url, r->url, strlen(r->url)) != 0)
			continue;
		if (r->body_has != NULL &&
		    (req->body == NULL || strstr((const char *)req->body, r->body_has) == NULL))
			continue;
		if (r->times > 0 && r->hits >= r->times)
			continue;
		r->hits++;
		if (r->fail != HTTP_OK) {
			resp->failure = r->fail;
			return err_set(e, ERR_NETWORK, "%s (fake)", http_failure_name(r->fail));
		}
		resp->status = r->status;
		return buf_puts(&resp->body, r->body ? r->body : "", e);
	}
	resp->failure = HTTP_FAIL_CONNECT;
	return err_set(e, ERR_NETWORK, "unable to connect (fake: nothing at %s)", req->url);
}

static long fake_connections(void *impl)
{
	(void)impl;
	return 1;
}

static void fake_free(void *impl)
{
	free(impl);
}

static const struct http_vtable fake_vt = { fake_perform, fake_connections, fake_free };

static int fake_http_new(void *arg, const struct http_options *o, struct http_client *out,
			 struct err *e)
{
	struct client_impl *ci = calloc(1, sizeof(*ci));

	if (ci == NULL)
		return err_nomem(e);
	ci->w = arg;
	ci->direct = o->direct;
	ci->w->clients++;
	out->vt = &fake_vt;
	out->impl = ci;
	return 0;
}

static int fake_read_file(void *arg, const char *path, size_t max, struct buf *out, struct err *e)
{
	struct world *w = arg;

	w->file_reads++;
	for (size_t i = 0; i < w->nfiles; i++) {
		if (strcmp(w->files[i].path, path) == 0) {
			if (strlen(w->files[i].text) > max)
				return err_set(e, ERR_LIMIT, "'%s' is over %zu bytes", path, max);
			return buf_set(out, w->files[i].text, strlen(w->files[i].text), e) < 0 ? -1 : 1;
		}
	}
	return 0;
}

static int fake_run(void *arg, const struct creds_run *r, struct buf *out,
		    enum creds_run_failure *fail, int *status, struct err *e)
{
	struct world *w = arg;

	(void)r;
	w->runs++;
	*fail = w->process_fail;
	*status = w->process_status;
	return buf_set(out, w->process_out ? w->process_out : "", strlen(w->process_out ? w->process_out : ""), e);
}

static void fake_sleep(void *arg, long ms)
{
	struct world *w = arg;

	w->slept_ms += ms;
	w->mono += ms;
}

static int64_t fake_mono(void *arg)
{
	return ((struct world *)arg)->mono;
}

/* Everything a test runs the chain with. */
struct rig {
	struct world w;
	struct creds_sys sys;
	struct profile_files pf;
	struct creds_ctx ctx;
	struct creds_trail trail;
	struct creds c;
	struct err e;
};

/* the default world: every source answers, if configured */
static void world_defaults(struct world *w)
{
	world_route(w, R("POST", STS_URL, "Action=AssumeRoleWithWebIdentity&", 200,
				       STS_CREDS("AssumeRoleWithWebIdentityResult", "ASIAWEB", FUTURE)));
	world_route(w, R("POST", STS_URL, "Action=AssumeRole&", 200,
				       STS_CREDS("AssumeRoleResult", "ASIAROLE", FUTURE)));
	world_route(w, R("GET", SSO_URL, NULL, 200,
				       "{\"roleCredentials\":{\"accessKeyId\":\"ASIASSO\",\"secretAccessKey\":\"s\","
				       "\"sessionToken\":\"t\",\"expiration\":4070908800000}}"));
	world_route(w, R("GET", FULL_URI, NULL, 200, JSON_CREDS("ASIACONTAINER", FUTURE)));
	world_route(w, R("GET", ECS_URL, NULL, 200, JSON_CREDS("ASIAECS", FUTURE)));
	world_route(w, R("PUT", IMDS "/latest/api/token", NULL, 200, "imds-token-1"));
	world_route(w, R("GET", IMDS "/latest/meta-data/iam/security-credentials/role", NULL,
				       200, IMDS_CREDS("ASIAIMDS", FUTURE)));
	world_route(w, R("GET", IMDS "/latest/meta-data/iam/security-credentials/", NULL,
				       200, "role\n"));
	world_route(w, R("GET", IMDS "/latest/meta-data/placement/region", NULL, 200,
				       "eu-central-1"));
	w->files[w->nfiles++] = (struct file){ "/t/token", "eyJhbGciOiJSUzI1NiJ9.payload.sig\n" };
	w->files[w->nfiles++] = (struct file){ SSO_CACHE, "{\"accessToken\":\"aoaSSO\",\"expiresAt\":\"" FUTURE "\"}" };
	w->process_out = "{\"Version\":1,\"AccessKeyId\":\"AKIDPROCESS\",\"SecretAccessKey\":\"s\"}";
}

static void pf_make(struct profile_files *pf, const char *config, const char *credentials)
{
	struct err e = { ERR_NONE, "" };

	memset(pf, 0, sizeof(*pf));
	ini_init(&pf->config);
	ini_init(&pf->credentials);
	pf->config_path = strdup("/h/.aws/config");
	pf->credentials_path = strdup("/h/.aws/credentials");
	pf->config_missing = config == NULL;
	pf->credentials_missing = credentials == NULL;
	if (config != NULL && ini_parse(config, strlen(config), &pf->config, &e) < 0)
		fail_msg("config: %s", e.msg);
	if (credentials != NULL && ini_parse(credentials, strlen(credentials), &pf->credentials, &e) < 0)
		fail_msg("credentials: %s", e.msg);
}

static struct rig *rig_new(const char *const *env, const char *profile, bool explicit_profile,
			   const char *config, const char *credentials)
{
	struct rig *r = calloc(1, sizeof(*r));

	assert_non_null(r);
	world_defaults(&r->w);
	r->sys = (struct creds_sys){ fake_http_new, fake_read_file, fake_run, fake_sleep, fake_mono, &r->w };
	pf_make(&r->pf, config, credentials);
	creds_ctx_init(&r->ctx, (char *const *)env, profile, explicit_profile, &r->pf, NOW);
	r->ctx.region = "us-east-1";
	r->ctx.sys = &r->sys;
	r->ctx.trail = &r->trail;
	creds_init(&r->c);
	r->e = (struct err){ ERR_NONE, "" };
	return r;
}

static void rig_free(struct rig *r)
{
	creds_release(&r->c);
	creds_ctx_release(&r->ctx);
	profile_files_release(&r->pf);
	free(r);
}

/* winner is the trail's step that supplied credentials, or NULL. */
static const char *winner(const struct rig *r)
{
	for (size_t i = 0; i < r->trail.len; i++) {
		if (r->trail.steps[i].outcome > 0)
			return r->trail.steps[i].name;
	}
	return NULL;
}

static size_t requests_to(const struct world *w, const char *prefix)
{
	size_t n = 0;

	for (size_t i = 0; i < w->nlog; i++)
		n += strncmp(w->log[i].url, prefix, strlen(prefix)) == 0;
	return n;
}

/* ---- the order ------------------------------------------------------- */

#define ENV_KEYS "AWS_ACCESS_KEY_ID=AKIDENV", "AWS_SECRET_ACCESS_KEY=secret"
#define WEB_ENV  "AWS_WEB_IDENTITY_TOKEN_FILE=/t/token", "AWS_ROLE_ARN=arn:aws:iam::1:role/web"
#define FULL_ENV "AWS_CONTAINER_CREDENTIALS_FULL_URI=" FULL_URI
#define NO_IMDS  "AWS_EC2_METADATA_DISABLED=true"

#define CRED_KEYS(p) "[" p "]\naws_access_key_id = AKIDCREDFILE\naws_secret_access_key = s\n"
#define CFG_KEYS     "aws_access_key_id = AKIDCONFIG\naws_secret_access_key = s\n"
#define CFG_PROCESS  "credential_process = helper --json\n"
#define CFG_SSO      "sso_session = sess\nsso_account_id = 111122223333\nsso_role_name = Dev\n"
#define SSO_SESSION  "[sso-session sess]\nsso_start_url = https://d-1.awsapps.com/start\nsso_region = us-east-1\n"
#define CFG_ROLE     "role_arn = arn:aws:iam::1:role/r\nsource_profile = base\n"
#define BASE_KEYS    "[profile base]\n" CFG_KEYS

struct chain_case {
	const char *name;
	const char *env[8];
	const char *profile;
	bool explicit_profile;
	const char *config;
	const char *credentials;
	const char *winner; /* NULL: an error */
	const char *akid;   /* or a part of the error */
	int requests;       /* HTTP requests made; -1 to skip */
};

/* clang-format off */
static const struct chain_case chain_cases[] = {
	{ "environment first", { ENV_KEYS, WEB_ENV, FULL_ENV }, "default", false,
	  "[default]\n" CFG_ROLE CFG_SSO CFG_PROCESS CFG_KEYS BASE_KEYS SSO_SESSION, CRED_KEYS("default"),
	  "environment", "AKIDENV", 0 },
	{ "AWS_PROFILE does not skip the environment", { ENV_KEYS, "AWS_PROFILE=p" }, "p", false,
	  NULL, CRED_KEYS("p"), "environment", "AKIDENV", 0 },
	{ "--profile skips the environment", { ENV_KEYS }, "p", true, NULL, CRED_KEYS("p"),
	  "shared credentials file", "AKIDCREDFILE", 0 },
	{ "assume role before web identity", { WEB_ENV }, "default", false,
	  "[default]\n" CFG_ROLE BASE_KEYS, NULL, "assume role", "ASIAROLE", 1 },
	{ "web identity before the shared files", { WEB_ENV, FULL_ENV, "HOME=/h" }, "default", false,
	  "[default]\n" CFG_SSO CFG_PROCESS CFG_KEYS SSO_SESSION, CRED_KEYS("default"),
	  "web identity", "ASIAWEB", 1 },
	{ "role_arn with web_identity_token_file is web identity", { NO_IMDS }, "default", false,
	  "[default]\nrole_arn = arn:aws:iam::1:role/web\nweb_identity_token_file = /t/token\n", NULL,
	  "web identity", "ASIAWEB", 1 },
	{ "--profile skips web identity variables", { WEB_ENV }, "p", true,
	  "[profile p]\n" CFG_KEYS, NULL, "config file", "AKIDCONFIG", 0 },
	{ "sso before static keys", { NO_IMDS, "HOME=/h" }, "default", false,
	  "[default]\n" CFG_SSO CFG_PROCESS SSO_SESSION, CRED_KEYS("default"), "sso", "ASIASSO", 1 },
	{ "assume role before sso", { NO_IMDS, "HOME=/h" }, "default", false,
	  "[default]\n" CFG_ROLE CFG_SSO SSO_SESSION BASE_KEYS, NULL, "assume role", "ASIAROLE", 1 },
	{ "credentials file before credential_process", { NO_IMDS }, "default", false,
	  "[default]\n" CFG_PROCESS CFG_KEYS, CRED_KEYS("default"), "shared credentials file",
	  "AKIDCREDFILE", 0 },
	{ "credential_process before config file keys", { FULL_ENV }, "default", false,
	  "[default]\n" CFG_PROCESS CFG_KEYS, NULL, "credential_process", "AKIDPROCESS", 0 },
	{ "config file keys before the container", { FULL_ENV }, "default", false,
	  "[default]\n" CFG_KEYS, NULL, "config file", "AKIDCONFIG", 0 },
	{ "container before IMDS", { FULL_ENV }, "default", false, NULL, NULL, "container",
	  "ASIACONTAINER", 1 },
	{ "relative URI wins over full URI", { FULL_ENV, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI=/v2/creds" },
	  "default", false, NULL, NULL, "container", "ASIAECS", 1 },
	{ "IMDS last", { NULL }, "default", false, "[default]\nregion = us-east-1\n", NULL, "IMDS",
	  "ASIAIMDS", 3 },
	{ "nothing anywhere", { NO_IMDS }, "default", false, NULL, NULL, NULL,
	  "no credentials found: environment: AWS_ACCESS_KEY_ID is not set; assume role, sso, shared "
	  "credentials file, credential_process, config file: no profile 'default': /h/.aws/config and "
	  "/h/.aws/credentials are missing; web identity: AWS_WEB_IDENTITY_TOKEN_FILE is not set; "
	  "container: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and _FULL_URI are not set; IMDS: disabled "
	  "by AWS_EC2_METADATA_DISABLED", 0 },
	{ "a broken provider stops the chain", { "AWS_SECRET_ACCESS_KEY=s", FULL_ENV }, "default", false,
	  NULL, NULL, NULL, "partial credentials in the environment", 0 },
	{ "partial keys in the credentials file stop the chain", { FULL_ENV }, "default", false, NULL,
	  "[default]\naws_access_key_id = AKID\n", NULL,
	  "partial credentials in profile 'default' in /h/.aws/credentials: aws_secret_access_key is missing", 0 },
	{ "credential_source Environment works with --profile", { ENV_KEYS }, "p", true,
	  "[profile p]\nrole_arn = arn:aws:iam::1:role/r\ncredential_source = Environment\n", NULL,
	  "assume role", "ASIAROLE", 1 },
	{ "credential_source EcsContainer", { FULL_ENV }, "default", false,
	  "[default]\nrole_arn = arn:aws:iam::1:role/r\ncredential_source = ecscontainer\n", NULL,
	  "assume role", "ASIAROLE", 2 },
	{ "credential_source Ec2InstanceMetadata", { NULL }, "default", false,
	  "[default]\nrole_arn = arn:aws:iam::1:role/r\ncredential_source = Ec2InstanceMetadata\n", NULL,
	  "assume role", "ASIAROLE", 4 },
	{ "IMDS gives nothing: the chain ends", { NULL }, "default", false, NULL, NULL, NULL,
	  "IMDS: " IMDS ": no instance role", -1 },
};
/* clang-format on */

static void test_chain_order(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(chain_cases) / sizeof(chain_cases[0]); i++) {
		const struct chain_case *c = &chain_cases[i];
		struct rig *r = rig_new(c->env, c->profile, c->explicit_profile, c->config, c->credentials);
		int rc;

		if (strcmp(c->name, "IMDS gives nothing: the chain ends") == 0)
			r->w.routes[7].status = 404; /* the role listing */
		rc = creds_resolve(&r->ctx, &r->c, &r->e);
		if (c->winner == NULL) {
			if (rc != -1 || strstr(r->e.msg, c->akid) == NULL)
				fail_msg("'%s': rc %d, '%s'", c->name, rc, r->e.msg);
			assert_null(r->c.access_key_id.data);
		} else {
			if (rc != 0)
				fail_msg("'%s': %s", c->name, r->e.msg);
			if (winner(r) == NULL || strcmp(winner(r), c->winner) != 0)
				fail_msg("'%s': won by %s (%s)", c->name, winner(r) ? winner(r) : "none",
					 r->c.provider);
			if (strcmp(buf_cstr(&r->c.access_key_id), c->akid) != 0)
				fail_msg("'%s': key %s", c->name, buf_cstr(&r->c.access_key_id));
		}
		if (c->requests >= 0 && r->w.nlog != (size_t)c->requests)
			fail_msg("'%s': %zu requests, want %d (first %s)", c->name, r->w.nlog, c->requests,
				 r->w.nlog ? r->w.log[0].url : "-");
		/* metadata endpoints are reached directly, STS and SSO may use a proxy */
		for (size_t k = 0; k < r->w.nlog; k++) {
			bool meta = strncmp(r->w.log[k].url, "http://169.254.", 15) == 0 ||
				    strncmp(r->w.log[k].url, FULL_URI, strlen(FULL_URI)) == 0;

			if (r->w.log[k].direct != meta)
				fail_msg("'%s': %s sent %s", c->name, r->w.log[k].url,
					 meta ? "through the proxy-capable client" : "direct");
		}
		rig_free(r);
	}
}

/* an answering environment reads no file, makes no client, runs nothing */
static void test_lean_start(void **state)
{
	const char *env[] = { ENV_KEYS, NULL };
	struct rig *r = rig_new(env, "default", false, "[default]\n" CFG_PROCESS, NULL);

	(void)state;
	assert_int_equal(creds_resolve(&r->ctx, &r->c, &r->e), 0);
	assert_int_equal(r->w.file_reads, 0);
	assert_int_equal(r->w.clients, 0);
	assert_int_equal(r->w.runs, 0);
	assert_int_equal(r->trail.len, 1);
	rig_free(r);
}

/* static keys in a profile with no role reach no STS */
static void test_no_sts_without_role(void **state)
{
	const char *env[] = { NO_IMDS, NULL };
	struct rig *r = rig_new(env, "default", false, NULL, CRED_KEYS("default"));

	(void)state;
	assert_int_equal(creds_resolve(&r->ctx, &r->c, &r->e), 0);
	assert_int_equal(r->w.clients, 0);
	assert_null(creds_sts_endpoint(&r->ctx));
	rig_free(r);
}

/* ---- roles -------------------------------------------------------------- */

struct role_case {
	const char *name;
	const char *config;
	const char *credentials;
	const char *want; /* NULL: success */
	int sts_calls;
};

/* clang-format off */
static const struct role_case role_cases[] = {
	{ "source with static keys", "[default]\n" CFG_ROLE BASE_KEYS, NULL, NULL, 1 },
	{ "source with keys and its own role uses the keys",
	  "[default]\n" CFG_ROLE "[profile base]\nrole_arn = arn:aws:iam::1:role/other\nsource_profile = nowhere\n" CFG_KEYS,
	  NULL, NULL, 1 },
	{ "two roles chained", "[default]\n" CFG_ROLE
	  "[profile base]\nrole_arn = arn:aws:iam::1:role/base\nsource_profile = root\n"
	  "[profile root]\n" CFG_KEYS, NULL, NULL, 2 },
	{ "self reference with static keys",
	  "[default]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = default\n" CFG_KEYS, NULL, NULL, 1 },
	{ "self reference without keys",
	  "[default]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = default\n", NULL,
	  "source_profile loop: default -> default", 0 },
	{ "loop of two",
	  "[default]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = b\n"
	  "[profile b]\nrole_arn = arn:aws:iam::1:role/b\nsource_profile = default\n", NULL,
	  "source_profile loop: default -> b -> default", 0 },
	{ "loop of three",
	  "[default]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = b\n"
	  "[profile b]\nrole_arn = arn:aws:iam::1:role/b\nsource_profile = c\n"
	  "[profile c]\nrole_arn = arn:aws:iam::1:role/c\nsource_profile = b\n", NULL,
	  "source_profile loop: default -> b -> c -> b", 0 },
	{ "missing source profile", "[default]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = ghost\n",
	  NULL, "source_profile 'ghost' of profile 'default' is in neither shared file", 0 },
	{ "both sources",
	  "[default]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = base\ncredential_source = Environment\n" BASE_KEYS,
	  NULL, "profile 'default' sets both source_profile and credential_source: keep one", 0 },
	{ "no source", "[default]\nrole_arn = arn:aws:iam::1:role/r\n", NULL,
	  "profile 'default' sets role_arn but neither source_profile nor credential_source", 0 },
	{ "mfa_serial", "[default]\n" CFG_ROLE "mfa_serial = arn:aws:iam::1:mfa/u\n" BASE_KEYS, NULL,
	  "profile 'default' sets mfa_serial: envssm cannot prompt for an MFA code", 0 },
	{ "duration too short", "[default]\n" CFG_ROLE "duration_seconds = 60\n" BASE_KEYS, NULL,
	  "invalid duration_seconds '60' in profile 'default': use 900 to 43200 seconds", 0 },
	{ "duration not a number", "[default]\n" CFG_ROLE "duration_seconds = 1h\n" BASE_KEYS, NULL,
	  "invalid duration_seconds '1h'", 0 },
	{ "bad session name", "[default]\n" CFG_ROLE "role_session_name = has space\n" BASE_KEYS, NULL,
	  "profile 'default': invalid role session name 'has space' from role_session_name", 0 },
	{ "bad credential_source",
	  "[default]\nrole_arn = arn:aws:iam::1:role/r\ncredential_source = Laptop\n", NULL,
	  "invalid credential_source 'Laptop' in profile 'default': use Environment, EcsContainer or Ec2InstanceMetadata", 0 },
	{ "credential_source with nothing there",
	  "[default]\nrole_arn = arn:aws:iam::1:role/r\ncredential_source = Environment\n", NULL,
	  "no credentials from credential_source Environment of profile 'default': AWS_ACCESS_KEY_ID is not set", 0 },
	{ "source profile with no credentials",
	  "[default]\n" CFG_ROLE "[profile base]\nregion = us-east-1\n", NULL,
	  "source_profile 'base' has no credentials: no web_identity_token_file in profile 'base'; no sso_account_id", 0 },
	{ "source profile via credential_process",
	  "[default]\n" CFG_ROLE "[profile base]\n" CFG_PROCESS, NULL, NULL, 1 },
	{ "source profile keys in the credentials file", "[default]\n" CFG_ROLE, CRED_KEYS("base"), NULL, 1 },
	{ "chain too long",
	  "[default]\nrole_arn = a\nsource_profile = p1\n[profile p1]\nrole_arn = a\nsource_profile = p2\n"
	  "[profile p2]\nrole_arn = a\nsource_profile = p3\n[profile p3]\nrole_arn = a\nsource_profile = p4\n"
	  "[profile p4]\nrole_arn = a\nsource_profile = p5\n[profile p5]\nrole_arn = a\nsource_profile = p6\n"
	  "[profile p6]\nrole_arn = a\nsource_profile = p7\n[profile p7]\nrole_arn = a\nsource_profile = p8\n"
	  "[profile p8]\nrole_arn = a\nsource_profile = p9\n[profile p9]\nrole_arn = a\nsource_profile = p10\n"
	  "[profile p10]\n" CFG_KEYS, NULL, "source_profile chain longer than 8 profiles", 0 },
};
/* clang-format on */

static void test_role_chains(void **state)
{
	const char *env[] = { NO_IMDS, NULL };

	(void)state;
	for (size_t i = 0; i < sizeof(role_cases) / sizeof(role_cases[0]); i++) {
		const struct role_case *c = &role_cases[i];
		struct rig *r = rig_new(env, "default", false, c->config, c->credentials);
		int rc = creds_resolve(&r->ctx, &r->c, &r->e);

		if (c->want == NULL && rc != 0)
			fail_msg("'%s': %s", c->name, r->e.msg);
		if (c->want != NULL && (rc != -1 || strstr(r->e.msg, c->want) == NULL))
			fail_msg("'%s': rc %d '%s'", c->name, rc, r->e.msg);
		if (requests_to(&r->w, STS_URL) != (size_t)c->sts_calls)
			fail_msg("'%s': %zu STS calls", c->name, requests_to(&r->w, STS_URL));
		rig_free(r);
	}
}

/* the second AssumeRole of a chain is signed with the first one's keys,
 * and carries the profile's settings */
static void test_role_chain_signing(void **state)
{
	const char *env[] = { NO_IMDS, NULL };
	struct rig *r = rig_new(env, "default", false,
				"[default]\nrole_arn = arn:aws:iam::1:role/top\nsource_profile = base\n"
				"external_id = ext-123\nrole_session_name = my-session\nduration_seconds = 900\n"
				"[profile base]\nrole_arn = arn:aws:iam::1:role/base\nsource_profile = root\n"
				"[profile root]\n" CFG_KEYS,
				NULL);

	(void)state;
	assert_int_equal(creds_resolve(&r->ctx, &r->c, &r->e), 0);
	assert_int_equal(r->w.nlog, 2);
	assert_non_null(strstr(r->w.log[0].auth, "Credential=AKIDCONFIG/"));
	assert_non_null(strstr(r->w.log[0].auth, "/us-east-1/sts/aws4_request"));
	assert_non_null(strstr(r->w.log[0].body, "RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fbase"));
	assert_non_null(strstr(r->w.log[0].body, "RoleSessionName=envssm-1700000000"));
	assert_null(strstr(r->w.log[0].body, "ExternalId"));
	assert_non_null(strstr(r->w.log[1].auth, "Credential=ASIAROLE/"));
	assert_non_null(strstr(r->w.log[1].body, "RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Ftop"));
	assert_non_null(strstr(r->w.log[1].body, "ExternalId=ext-123"));
	assert_non_null(strstr(r->w.log[1].body, "RoleSessionName=my-session"));
	assert_non_null(strstr(r->w.log[1].body, "DurationSeconds=900"));
	assert_non_null(strstr(r->c.provider, "role 'arn:aws:iam::1:role/top' of profile 'default', from role"));
	rig_free(r);
}

static void test_role_sts_errors(void **state)
{
	const char *env[] = { NO_IMDS, NULL };
	struct rig *r = rig_new(env, "default", false, "[default]\n" CFG_ROLE BASE_KEYS, NULL);

	(void)state;
	r->w.routes[1].status = 403;
	r->w.routes[1].body = "<ErrorResponse><Errors><Error><Code>AccessDenied</Code><Message>User: "
			      "arn:aws:iam::1:user/u is not authorized to perform: sts:AssumeRole</Message>"
			      "</Error></Errors></ErrorResponse>";
	assert_int_equal(creds_resolve(&r->ctx, &r->c, &r->e), -1);
	assert_string_equal(r->e.msg, "unable to assume role 'arn:aws:iam::1:role/r' of profile 'default' at "
				      STS_URL ": AccessDenied: User: arn:aws:iam::1:user/u is not authorized to "
				      "perform: sts:AssumeRole (HTTP 403)");
	assert_int_equal(r->e.kind, ERR_AWS);
	rig_free(r);

	/* the answer's credentials are already expired */
	r = rig_new(env, "default", false, "[default]\n" CFG_ROLE BASE_KEYS, NULL);
	r->w.routes[1].body = STS_CREDS("AssumeRoleResult", "ASIAOLD", PAST);
	assert_int_equal(creds_resolve(&r->ctx, &r->c, &r->e), -1);
	assert_non_null(strstr(r->e.msg, "expired at 2023-11-14T21:00:00Z"));
	rig_free(r);
}

/* the STS endpoint follows AWS_ENDPOINT_URL_STS and the region */
static void test_role_sts_endpoint(void **state)
{
	const char *env[] = { NO_IMDS, "AWS_ENDPOINT_URL_STS=http://127.0.0.1:7777", NULL };
	struct rig *r = rig_new(env, "default", false, "[default]\n" CFG_ROLE BASE_KEYS, NULL);

	(void)state;
	world_route(&r->w, R("POST", "http://127.0.0.1:7777", NULL, 200,
					   STS_CREDS("AssumeRoleResult", "ASIALOCAL", FUTURE)));
	r->ctx.region = "eu-west-1";
	assert_int_equal(creds_resolve(&r->ctx, &r->c, &r->e), 0);
	assert_string_equal(buf_cstr(&r->c.access_key_id), "ASIALOCAL");
	assert_non_null(strstr(r->w.log[0].auth, "/eu-west-1/sts/aws4_request"));
	rig_free(r);
}

/* ---- web identity ------------------------------------------------------ */

static void test_web_identity(void **state)
{
	const char *env[] = { WEB_ENV, "AWS_ROLE_SESSION_NAME=pod-1", NO_IMDS, NULL };
	const char *env_noarn[] = { "AWS_WEB_IDENTITY_TOKEN_FILE=/t/token", NO_IMDS, NULL };
	const char *env_nofile[] = { "AWS_WEB_IDENTITY_TOKEN_FILE=/t/gone", "AWS_ROLE_ARN=arn:aws:iam::1:role/web", NULL };
	struct rig *r = rig_new(env, "default", false, NULL, NULL);
	struct creds again;

	(void)state;
	assert_int_equal(creds_resolve(&r->ctx, &r->c, &r->e), 0);
	assert_string_equal(r->w.log[0].auth, ""); /* unsigned */
	assert_non_null(strstr(r->w.log[0].body, "RoleSessionName=pod-1"));
	/* the trailing newline of the file is not sent */
	assert_non_null(strstr(r->w.log[0].body, "WebIdentityToken=eyJhbGciOiJSUzI1NiJ9.payload.sig"));
	assert_null(strstr(r->w.log[0].body, "%0A"));
	/* the file is read again on the next call: EKS rotates it */
	r->w.files[0].text = "eyJrotated.token.sig";
	creds_init(&again);
	assert_int_equal(creds_resolve(&r->ctx, &again, &r->e), 0);
	assert_non_null(strstr(r->w.log[1].body, "WebIdentityToken=eyJrotated.token.sig"));
	assert_int_equal(r->w.file_reads, 2);
	creds_release(&again);
	rig_free(r);

	r = rig_new(env_noarn, "default", false, NULL, NULL);
	assert_int_equal(creds_resolve(&r->ctx, &r->c, &r->e), -1);
	assert_string_equal(r->e.msg, "web identity token file from AWS_WEB_IDENTITY_TOKEN_FILE but no role ARN: set AWS_ROLE_ARN or role_arn in profile 'default'");
	rig_free(r);

	r = rig_new(env_nofile, "default", false, NULL, NULL);
	assert_int_equal(creds_resolve(&r->ctx, &r->c, &r->e), -1);
	assert_string_equal(r->e.msg, "web identity token file '/t/gone' (from AWS_WEB_IDENTITY_TOKEN_FILE) does not exist");
	assert_int_equal(r->w.nlog, 0);
	rig_free(r);

	/* an STS error names the code */
	r = rig_new(env, "default", false, NULL, NULL);
	r->w.routes[0].status = 400;
	r->w.routes[0].body = "<ErrorResponse><Error><Code>InvalidIdentityToken</Code><Message>bad</Message></Error></ErrorResponse>";
	assert_int_equal(creds_resolve(&r->ctx, &r->c, &r->e), -1);
	assert_non_null(strstr(r->e.msg, "with the web identity token from AWS_WEB_IDENTITY_TOKEN_FILE at " STS_URL ": InvalidIdentityToken: bad (HTTP 400)"));
	rig_free(r);

	/* an STS error that quotes the token back shows none of it */
	r = rig_new(env, "default", false, NULL, NULL);
	r->w.routes[0].status = 400;
	r->w.routes[0].body = "<ErrorResponse><Error><Code>InvalidIdentityToken</Code><Message>token "
			      "eyJhbGciOiJSUzI1NiJ9.payload.sig is not valid</Message></Error></ErrorResponse>";
	assert_int_equal(creds_resolve(&r->ctx, &r->c, &r->e), -1);
	assert_non_null(strstr(r->e.msg, ": InvalidIdentityToken: token [redacted] is not valid (HTTP 400)"));
	assert_null(strstr(r->e.msg, "payload"));
	rig_free(r);
}

/* ---- SSO ---------------------------------------------------------------- */

static void test_sso_cache_names(void **state)
{
	struct buf p = BUF_INIT;
	struct err e = { ERR_NONE, "" };

	(void)state;
	/* sso_session: the hash of the session name */
	assert_int_equal(creds_sso_cache_path("/home/u", "my-sso", &p, &e), 0);
	assert_string_equal(buf_cstr(&p), "/home/u/.aws/sso/cache/0ad374308c5a4e22f723adf10145eafad7c4031c.json");
	/* legacy: the hash of the start URL */
	assert_int_equal(creds_sso_cache_path("/home/u/", "https://d-abc123.awsapps.com/start", &p, &e), 0);
	assert_string_equal(buf_cstr(&p), "/home/u/.aws/sso/cache/40a89917e3175433e361b710a9d43528d7f1890a.json");
	buf_release(&p);
}

static void test_sso(void **state)
{
	const char *env[] = { NO_IMDS, "HOME=/h", NULL };
	static const char legacy[] = "[default]\nsso_start_url = https://d-abc123.awsapps.com/start\n"
				     "sso_region = us-east-1\nsso_account_id = 111122223333\nsso_role_name = Dev Ops\n";
	struct rig *r = rig_new(env, "default", false, "[default]\n" CFG_SSO SSO_SESSION, NULL);

	(void)state;
	assert_int_equal(creds_resolve(&r->ctx, &r->c, &r->e), 0);
	assert_string_equal(r->w.log[0].url, SSO_URL "?role_name=Dev&account_id=111122223333");
	assert_string_equal(r->w.log[0].token, "aoaSSO");
	assert_string_equal(r->w.log[0].auth, "");
	rig_free(r);

	/* legacy form: cached under the start URL; the role name is encoded */
	r = rig_new(env, "default", false, legacy, NULL);
	r->w.files[1].path = "/h/.aws/sso/cache/40a89917e3175433e361b710a9d43528d7f1890a.json";
	assert_int_equal(creds_resolve(&r->ctx, &r->c, &r->e), 0);
	assert_string_equal(r->w.log[0].url, SSO_URL "?role_name=Dev%20Ops&account_id=111122223333");
	rig_free(r);

	/* no cached token */
	r = rig_new(env, "default", false, legacy, NULL);
	assert_int_equal(creds_resolve(&r->ctx, &r->c, &r->e), -1);
	assert_string_equal(r->e.msg, "no cached SSO token for start URL 'https://d-abc123.awsapps.com/start' "
				      "(/h/.aws/sso/cache/40a89917e3175433e361b710a9d43528d7f1890a.json is missing): "
				      "run 'aws sso login --profile default'");
	assert_int_equal(r->w.nlog, 0);
	rig_free(r);

	/* an expired token */
	r = rig_new(env, "default", false, "[default]\n" CFG_SSO SSO_SESSION, NULL);
	r->w.files[1].text = "{\"accessToken\":\"aoaSSO\",\"expiresAt\":\"" PAST "\"}";
	assert_int_equal(creds_resolve(&r->ctx, &r->c, &r->e), -1);
	assert_string_equal(r->e.msg, "the cached SSO token for session 'sess' expired at 2023-11-14T21:00:00Z: "
				      "run 'aws sso login --profile default'");
	assert_int_equal(r->w.nlog, 0);
	rig_free(r);

	/* the portal refuses the token */
	r = rig_new(env, "default", false, "[default]\n" CFG_SSO SSO_SESSION, NULL);
	r->w.routes[2].status = 401;
	r->w.routes[2].body = "{\"message\":\"Session token not found or invalid\",\"__type\":\"UnauthorizedException\"}";
	assert_int_equal(creds_resolve(&r->ctx, &r->c, &r->e), -1);
	assert_string_equal(r->e.msg, "the SSO portal refused the cached token of profile 'default' "
				      "(UnauthorizedException, HTTP 401): run 'aws sso login --profile default'");
	rig_free(r);

	/* a portal error that quotes the bearer token back shows none of it */
	r = rig_new(env, "default", false, "[default]\n" CFG_SSO SSO_SESSION, NULL);
	r->w.files[1].text = "{\"accessToken\":\"aoaSSOtokenXYZ\",\"expiresAt\":\"" FUTURE "\"}";
	r->w.routes[2].status = 400;
	r->w.routes[2].body = "{\"message\":\"bad aoaSSOtokenXYZ; x-amz-sso_bearer_token: aoaSSOtokenXYZ\","
			      "\"__type\":\"InvalidRequestException\"}";
	assert_int_equal(creds_resolve(&r->ctx, &r->c, &r->e), -1);
	assert_non_null(strstr(r->e.msg, "InvalidRequestException: bad [redacted]; "
					 "x-amz-sso_bearer_token: [redacted] (HTTP 400)"));
	assert_null(strstr(r->e.msg, "aoaSSO"));
	rig_free(r);
}

static void test_sso_config_errors(void **state)
{
	static const struct {
		const char *config;
		const char *want;
	} cases[] = {
		{ "[default]\nsso_account_id = 1\n", "profile 'default' is set up for SSO but lacks: sso_role_name sso_start_url sso_region" },
		{ "[default]\n" CFG_SSO, "[sso-session sess] named by profile 'default' is not in /h/.aws/config" },
		{ "[default]\n" CFG_SSO "sso_region = eu-west-1\n" SSO_SESSION,
		  "sso_region differs between profile 'default' and [sso-session sess] in /h/.aws/config" },
		{ "[default]\n" CFG_SSO "[sso-session sess]\nsso_region = us-east-1\n",
		  "profile 'default' is set up for SSO but lacks: sso_start_url" },
		/* sso_region goes into the portal's host name: only a region's shape,
		 * else the bearer token would go to another host */
		{ "[default]\n" CFG_SSO "[sso-session sess]\nsso_start_url = https://d-1.awsapps.com/start\n"
		  "sso_region = evil.test/x#\n",
		  "invalid sso_region 'evil.test/x#' in [sso-session sess] in /h/.aws/config: "
		  "must be 1 to 64 of a-z, 0-9 and '-'" },
		{ "[default]\nsso_start_url = https://d-1.awsapps.com/start\nsso_region = evil.test/\n"
		  "sso_account_id = 1\nsso_role_name = r\n",
		  "invalid sso_region 'evil.test/' in profile 'default' in /h/.aws/config: "
		  "must be 1 to 64 of a-z, 0-9 and '-'" },
		{ "[default]\nsso_start_url = https://d-1.awsapps.com/start\nsso_region = US-EAST-1\n"
		  "sso_account_id = 1\nsso_role_name = r\n",
		  "invalid sso_region 'US-EAST-1' in profile 'default' in /h/.aws/config: "
		  "must be 1 to 64 of a-z, 0-9 and '-'" },
		{ "[default]\n" CFG_SSO "[sso-session sess]\nsso_start_url = https://d-1.awsapps.com/start\n"
		  "sso_region = \x01\n",
		  "invalid sso_region in [sso-session sess] in /h/.aws/config: "
		  "must be 1 to 64 of a-z, 0-9 and '-'" },
	};
	const char *env[] = { NO_IMDS, "HOME=/h", NULL };

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct rig *r = rig_new(env, "default", false, cases[i].config, NULL);

		assert_int_equal(creds_resolve(&r->ctx, &r->c, &r->e), -1);
		if (strcmp(r->e.msg, cases[i].want) != 0)
			fail_msg("case %zu: got '%s'", i, r->e.msg);
		assert_int_equal(r->w.nlog, 0); /* no request made */
		rig_free(r);
	}
}

/* ---- container --------------------------------------------------------- */

static void test_container_host_rules(void **state)
{
	static const struct {
		const char *url;
		bool ok;
	} cases[] = {
		{ "http://127.0.0.1:8080/creds", true },
		{ "http://127.1.2.3/creds", true },
		{ "http://localhost/creds", true },
		{ "http://LOCALHOST:1/creds", true },
		{ "http://[::1]:80/creds", true },
		{ "http://169.254.170.2/v2/credentials", true },
		{ "http://169.254.170.23/v1/credentials", true },
		{ "http://[fd00:ec2::23]/v1/credentials", true },
		{ "http://[fd00:ec2:0:0::23]/v1/credentials", true },
		{ "https://creds.example.com/x", true },
		{ "HTTPS://creds.example.com", true },
		{ "http://169.254.169.254/latest", false },
		{ "http://10.0.0.1/creds", false },
		{ "http://example.com/creds", false },
		{ "http://127.0.0.1.evil.com/creds", false },
		{ "http://localhost.evil.com/", false },
		{ "http://[::ffff:127.0.0.1]/creds", false },
		{ "http://127.1/creds", false },
		{ "http://user:pw@127.0.0.1/creds", false },
		{ "ftp://127.0.0.1/creds", false },
		{ "http://127.0.0.1/cr eds", false },
		{ "http:///creds", false },
		{ "", false },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct err e = { ERR_NONE, "" };
		int rc = creds_container_host_allowed(cases[i].url, &e);

		if ((rc == 0) != cases[i].ok)
			fail_msg("'%s': rc %d (%s)", cases[i].url, rc, e.msg);
		if (rc < 0)
			assert_int_equal(e.kind, ERR_CONFIG);
	}
}

static void test_container_urls(void **state)
{
	const char *rel[] = { "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI=/v2/credentials/abc?x=1",
			      "AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1/ignored", NULL };
	const char *bad_rel[] = { "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI=v2/credentials", NULL };
	const char *bad_full[] = { "AWS_CONTAINER_CREDENTIALS_FULL_URI=http://10.1.2.3/creds", NULL };
	struct buf url = BUF_INIT;
	struct err e = { ERR_NONE, "" };
	const char *source = NULL;

	(void)state;
	assert_int_equal(creds_container_url((char *const *)rel, &url, &source, &e), 1);
	assert_string_equal(buf_cstr(&url), "http://169.254.170.2/v2/credentials/abc?x=1");
	assert_string_equal(source, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
	assert_int_equal(creds_container_url((char *const *)bad_rel, &url, &source, &e), -1);
	assert_int_equal(creds_container_url((char *const *)bad_full, &url, &source, &e), -1);
	assert_string_equal(e.msg, "unsupported host '10.1.2.3' in AWS_CONTAINER_CREDENTIALS_FULL_URI: plain http may only reach a loopback address, localhost, 169.254.170.2, 169.254.170.23 or [fd00:ec2::23]; use https");
	assert_int_equal(creds_container_url(NULL, &url, &source, &e), 0);
	buf_release(&url);
}

static void test_container_flows(void **state)
{
	const char *env_tok[] = { FULL_ENV, "AWS_CONTAINER_AUTHORIZATION_TOKEN=tok-var",
				  "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=/t/auth", NULL };
	const char *env_var[] = { FULL_ENV, "AWS_CONTAINER_AUTHORIZATION_TOKEN=tok-var", NULL };
	const char *env_crlf[] = { FULL_ENV, "AWS_CONTAINER_AUTHORIZATION_TOKEN=tok\r\nX-Evil: 1", NULL };
	const char *env_nofile[] = { FULL_ENV, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=/t/none", NULL };
	const char *env[] = { FULL_ENV, NULL };
	struct rig *r;

	(void)state;
	/* the file wins over the variable and is read on every attempt */
	r = rig_new(env_tok, "default", false, NULL, NULL);
	r->w.files[r->w.nfiles++] = (struct file){ "/t/auth", "tok-file" };
	r->w.routes[3].status = 500;
	r->w.routes[3].times = 2;
	world_route(&r->w, R("GET", FULL_URI, NULL, 200, JSON_CREDS("ASIACONTAINER", FUTURE)));
	assert_int_equal(creds_resolve(&r->ctx, &r->c, &r->e), 0);
	assert_int_equal(r->w.nlog, 3);
	assert_string_equal(r->w.log[2].auth, "tok-file");
	assert_int_equal(r->w.file_reads, 3);
	assert_int_equal(r->w.slept_ms, 2000);
	assert_int_equal(r->w.log[0].timeout_ms, 2000);
	rig_free(r);

	r = rig_new(env_var, "default", false, NULL, NULL);
	assert_int_equal(creds_resolve(&r->ctx, &r->c, &r->e), 0);
	assert_string_equal(r->w.log[0].auth, "tok-var");
	rig_free(r);

	r = rig_new(env_crlf, "default", false, NULL, NULL);
	assert_int_equal(creds_resolve(&r->ctx, &r->c, &r->e), -1);
	assert_string_equal(r->e.msg, "invalid AWS_CONTAINER_AUTHORIZATION_TOKEN: the token holds a CR, LF or NUL character");
	assert_int_equal(r->w.nlog, 0);
	rig_free(r);

	/* a missing token file */
	r = rig_new(env_nofile, "default", false, NULL, NULL);
	assert_int_equal(creds_resolve(&r->ctx, &r->c, &r->e), -1);
	assert_string_equal(r->e.msg, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE names '/t/none', which does not exist");
	assert_int_equal(r->w.nlog, 0);
	rig_free(r);

	/* a token file with a trailing newline is refused, as botocore does */
	r = rig_new(env_nofile, "default", false, NULL, NULL);
	r->w.files[r->w.nfiles++] = (struct file){ "/t/none", "tok-file\n" };
	assert_int_equal(creds_resolve(&r->ctx, &r->c, &r->e), -1);
	assert_string_equal(r->e.msg, "invalid AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: the token holds a CR, LF or NUL character");
	assert_int_equal(r->w.nlog, 0);
	rig_free(r);

	/* 404 every time: three attempts a second apart, then an error */
	r = rig_new(env, "default", false, NULL, NULL);
	r->w.routes[3].status = 404;
	r->w.routes[3].body = "{\"code\":\"NotFound\"}";
	assert_int_equal(creds_resolve(&r->ctx, &r->c, &r->e), -1);
	assert_string_equal(r->e.msg, "unable to get credentials from the container endpoint " FULL_URI
				      " (from AWS_CONTAINER_CREDENTIALS_FULL_URI) after 3 attempts: HTTP 404");
	assert_int_equal(r->w.nlog, 3);
	/* a configured but broken container endpoint does not fall through to IMDS */
	assert_int_equal(requests_to(&r->w, IMDS), 0);
	rig_free(r);

	/* timeouts */
	r = rig_new(env, "default", false, NULL, NULL);
	r->w.routes[3].fail = HTTP_FAIL_TIMEOUT;
	assert_int_equal(creds_resolve(&r->ctx, &r->c, &r->e), -1);
	assert_non_null(strstr(r->e.msg, "after 3 attempts: timed out"));
	rig_free(r);

	/* garbage */
	r = rig_new(env, "default", false, NULL, NULL);
	r->w.routes[3].body = "<html>not json";
	assert_int_equal(creds_resolve(&r->ctx, &r->c, &r->e), -1);
	assert_non_null(strstr(r->e.msg, "the container endpoint's answer is not valid JSON"));
	rig_free(r);

	/* expired credentials */
	r = rig_new(env, "default", false, NULL, NULL);
	r->w.routes[3].body = JSON_CREDS("ASIAOLD", PAST);
	assert_int_equal(creds_resolve(&r->ctx, &r->c, &r->e), -1);
	assert_string_equal(r->e.msg, "credentials from container endpoint " FULL_URI
				      " (from AWS_CONTAINER_CREDENTIALS_FULL_URI) expired at 2023-11-14T21:00:00Z (4400 s ago)");
	rig_free(r);
}

/* ---- IMDS ---------------------------------------------------------------- */

struct imds_case {
	const char *name;
	const char *env[4];
	long token_status;        /* 0: a network failure */
	enum http_failure token_fail;
	long role_status;
	const char *creds_body;
	int rc;
	const char *want; /* key id, or part of why / the error */
	bool v1;          /* the credential GET carried no token */
};

/* clang-format off */
static const struct imds_case imds_cases[] = {
	{ "v2", { NULL }, 200, HTTP_OK, 200, IMDS_CREDS("ASIAIMDS", FUTURE), 0, "ASIAIMDS", false },
	{ "403 falls back to v1", { NULL }, 403, HTTP_OK, 200, IMDS_CREDS("ASIAV1", FUTURE), 0, "ASIAV1", true },
	{ "404 falls back to v1", { NULL }, 404, HTTP_OK, 200, IMDS_CREDS("ASIAV1", FUTURE), 0, "ASIAV1", true },
	{ "405 falls back to v1", { NULL }, 405, HTTP_OK, 200, IMDS_CREDS("ASIAV1", FUTURE), 0, "ASIAV1", true },
	{ "a token timeout falls back to v1", { NULL }, 0, HTTP_FAIL_TIMEOUT, 200, IMDS_CREDS("ASIAV1", FUTURE), 0, "ASIAV1", true },
	{ "400 gives up", { NULL }, 400, HTTP_OK, 200, IMDS_CREDS("ASIAV1", FUTURE), -1, "IMDS: " IMDS ": the token PUT got HTTP 400", false },
	{ "v1 disabled", { "AWS_EC2_METADATA_V1_DISABLED=true" }, 403, HTTP_OK, 200, IMDS_CREDS("ASIAV1", FUTURE), -1,
	  "IMDS: " IMDS ": no IMDSv2 token (the token PUT got HTTP 403) and IMDSv1 is disabled", false },
	{ "no role", { NULL }, 200, HTTP_OK, 404, NULL, -1,
	  "IMDS: " IMDS ": no instance role (/latest/meta-data/iam/security-credentials/ got HTTP 404)", false },
	{ "error document", { NULL }, 200, HTTP_OK, 200,
	  "{\"Code\":\"AssumeRoleUnauthorizedAccess\",\"Message\":\"EC2 cannot assume the role role.\"}", -1,
	  "IMDS: " IMDS ": IMDS answered AssumeRoleUnauthorizedAccess: EC2 cannot assume the role role.", false },
	{ "error document quoting the token", { NULL }, 200, HTTP_OK, 200,
	  "{\"Code\":\"InvalidToken\",\"Message\":\"imds-token-1 is not valid\"}", -1,
	  "IMDS: " IMDS ": IMDS answered InvalidToken: [redacted] is not valid", false },
	{ "garbage", { NULL }, 200, HTTP_OK, 200, "<html>", -1, "unreadable credentials for role 'role'", false },
	{ "expired", { NULL }, 200, HTTP_OK, 200, IMDS_CREDS("ASIAOLD", PAST), -1,
	  "credentials from IMDS role 'role' at " IMDS " (IMDSv2) expired at 2023-11-14T21:00:00Z", false },
	{ "nearly expired", { NULL }, 200, HTTP_OK, 200, IMDS_CREDS("ASIAOLD", "2023-11-14T22:15:00Z"), -1,
	  "expire at 2023-11-14T22:15:00Z, in 100 s: envssm needs at least 300 s", false },
	{ "unreachable", { NULL }, 0, HTTP_FAIL_CONNECT, 0, NULL, -1, "IMDS: " IMDS ": no instance role", false },
};
/* clang-format on */

static void test_imds_flows(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(imds_cases) / sizeof(imds_cases[0]); i++) {
		const struct imds_case *c = &imds_cases[i];
		struct rig *r = rig_new(c->env, "default", false, NULL, NULL);
		int rc;

		r->w.routes[5].status = c->token_status;
		r->w.routes[5].fail = c->token_fail;
		r->w.routes[7].status = c->role_status;
		r->w.routes[7].fail = c->role_status == 0 ? HTTP_FAIL_CONNECT : HTTP_OK;
		r->w.routes[6].body = c->creds_body;
		rc = creds_resolve(&r->ctx, &r->c, &r->e);
		if (rc != c->rc)
			fail_msg("'%s': rc %d (%s)", c->name, rc, r->e.msg);
		if (rc == 0 && strcmp(buf_cstr(&r->c.access_key_id), c->want) != 0)
			fail_msg("'%s': key %s", c->name, buf_cstr(&r->c.access_key_id));
		if (rc < 0 && strstr(r->e.msg, c->want) == NULL)
			fail_msg("'%s': got '%s'", c->name, r->e.msg);
		if (rc == 0) {
			const struct logged *last = &r->w.log[r->w.nlog - 1];

			assert_string_equal(last->token, c->v1 ? "" : "imds-token-1");
		}
		for (size_t k = 0; k < r->w.nlog; k++) {
			assert_true(r->w.log[k].direct);
			assert_int_equal(r->w.log[k].timeout_ms, 1000);
		}
		rig_free(r);
	}
}

static void test_imds_settings(void **state)
{
	const char *env_v6[] = { "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE=IPv6",
				 "AWS_METADATA_SERVICE_TIMEOUT=2.5", "AWS_METADATA_SERVICE_NUM_ATTEMPTS=3", NULL };
	const char *env_ep[] = { "AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:8111/",
				 "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE=IPv6", NULL };
	const char *env_bad[] = { "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE=IPv5", NULL };
	const char *env_badt[] = { "AWS_METADATA_SERVICE_TIMEOUT=soon", NULL };
	const char *env_off[] = { "AWS_EC2_METADATA_DISABLED=TRUE", NULL };
	struct creds_imds_config cfg;
	struct buf why = BUF_INIT;
	struct rig *r;

	(void)state;
	r = rig_new(env_v6, "default", false, "[default]\nec2_metadata_v1_disabled = true\n", NULL);
	assert_int_equal(creds_imds_config(&r->ctx, &cfg, &why, &r->e), 1);
	assert_string_equal(cfg.base, "http://[fd00:ec2::254]");
	assert_int_equal(cfg.timeout_ms, 2500);
	assert_int_equal(cfg.attempts, 3);
	assert_true(cfg.v1_disabled);
	rig_free(r);
	/* the endpoint wins over the mode */
	r = rig_new(env_ep, "default", false, NULL, NULL);
	assert_int_equal(creds_imds_config(&r->ctx, &cfg, &why, &r->e), 1);
	assert_string_equal(cfg.base, "http://127.0.0.1:8111");
	rig_free(r);
	/* from the profile */
	r = rig_new(NULL, "default", false,
		    "[default]\nec2_metadata_service_endpoint = http://127.0.0.1:8222\nmetadata_service_num_attempts = 2\n", NULL);
	assert_int_equal(creds_imds_config(&r->ctx, &cfg, &why, &r->e), 1);
	assert_string_equal(cfg.base, "http://127.0.0.1:8222");
	assert_int_equal(cfg.attempts, 2);
	assert_false(cfg.v1_disabled);
	rig_free(r);
	r = rig_new(env_bad, "default", false, NULL, NULL);
	assert_int_equal(creds_imds_config(&r->ctx, &cfg, &why, &r->e), -1);
	assert_string_equal(r->e.msg, "invalid AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE 'IPv5': use IPv4 or IPv6");
	rig_free(r);
	r = rig_new(env_badt, "default", false, NULL, NULL);
	assert_int_equal(creds_imds_config(&r->ctx, &cfg, &why, &r->e), -1);
	rig_free(r);
	r = rig_new(env_off, "default", false, NULL, NULL);
	assert_int_equal(creds_imds_config(&r->ctx, &cfg, &why, &r->e), 0);
	assert_string_equal(buf_cstr(&why), "disabled by AWS_EC2_METADATA_DISABLED");
	rig_free(r);
	buf_release(&why);
}

/* attempts: a GET is retried on a non-200 */
static void test_imds_attempts(void **state)
{
	const char *env[] = { "AWS_METADATA_SERVICE_NUM_ATTEMPTS=2", NULL };
	struct rig *r = rig_new(env, "default", false, NULL, NULL);

	(void)state;
	r->w.routes[7].status = 500;
	r->w.routes[7].times = 1;
	world_route(&r->w, R("GET", IMDS "/latest/meta-data/iam/security-credentials/", NULL, 200, "role"));
	assert_int_equal(creds_resolve(&r->ctx, &r->c, &r->e), 0);
	assert_int_equal(r->w.nlog, 4);
	rig_free(r);
}

static void test_imds_region(void **state)
{
	const char *env[] = { NULL };
	const char *off[] = { NO_IMDS, NULL };
	struct buf region = BUF_INIT, why = BUF_INIT;
	struct rig *r = rig_new(env, "default", false, NULL, NULL);

	(void)state;
	assert_int_equal(creds_region_from_imds(&r->ctx, &region, &why, &r->e), 1);
	assert_string_equal(buf_cstr(&region), "eu-central-1");
	assert_int_equal(r->w.nlog, 2);
	rig_free(r);
	r = rig_new(off, "default", false, NULL, NULL);
	assert_int_equal(creds_region_from_imds(&r->ctx, &region, &why, &r->e), 0);
	assert_string_equal(buf_cstr(&why), "disabled by AWS_EC2_METADATA_DISABLED");
	assert_int_equal(r->w.nlog, 0);
	rig_free(r);
	buf_release(&region);
	buf_release(&why);
}

/* ---- the environment ------------------------------------------------------ */

static void test_env_provider(void **state)
{
	const char *sec[] = { ENV_KEYS, "AWS_SECURITY_TOKEN=legacy", "AWS_SESSION_TOKEN=modern",
			      "AWS_CREDENTIAL_EXPIRATION=" FUTURE, NULL };
	const char *bad_exp[] = { ENV_KEYS, "AWS_CREDENTIAL_EXPIRATION=tomorrow", NULL };
	const char *old[] = { ENV_KEYS, "AWS_CREDENTIAL_EXPIRATION=" PAST, NULL };
	const char *ctrl[] = { "AWS_ACCESS_KEY_ID=AKID\nX", "AWS_SECRET_ACCESS_KEY=s", NULL };
	struct rig *r;

	(void)state;
	r = rig_new(sec, "default", false, NULL, NULL);
	assert_int_equal(creds_resolve(&r->ctx, &r->c, &r->e), 0);
	assert_string_equal(buf_cstr(&r->c.session_token), "legacy");
	assert_int_equal(r->c.expiration, 4070908800);
	rig_free(r);
	r = rig_new(bad_exp, "default", false, NULL, NULL);
	assert_int_equal(creds_resolve(&r->ctx, &r->c, &r->e), -1);
	assert_string_equal(r->e.msg, "invalid AWS_CREDENTIAL_EXPIRATION 'tomorrow': use ISO 8601 such as 2024-01-15T12:00:00Z");
	rig_free(r);
	r = rig_new(old, "default", false, NULL, NULL);
	assert_int_equal(creds_resolve(&r->ctx, &r->c, &r->e), -1);
	assert_string_equal(r->e.msg, "credentials from environment expired at 2023-11-14T21:00:00Z (4400 s ago)");
	rig_free(r);
	r = rig_new(ctrl, "default", false, NULL, NULL);
	assert_int_equal(creds_resolve(&r->ctx, &r->c, &r->e), -1);
	assert_string_equal(r->e.msg, "invalid credentials from environment: the access key id holds a control character");
	rig_free(r);
}

/* the trail lists every provider tried, with why */
static void test_trail(void **state)
{
	const char *env[] = { FULL_ENV, NULL };
	struct rig *r = rig_new(env, "p", true, "[profile p]\nregion = us-east-1\n", NULL);

	(void)state;
	assert_int_equal(creds_resolve(&r->ctx, &r->c, &r->e), 0);
	assert_int_equal(r->trail.len, 8);
	assert_string_equal(r->trail.steps[0].what, "skipped because --profile was given");
	assert_string_equal(r->trail.steps[1].what, "no role_arn in profile 'p'");
	assert_string_equal(r->trail.steps[4].what, "/h/.aws/credentials is missing");
	assert_string_equal(r->trail.steps[6].what, "no aws_access_key_id for profile 'p' in /h/.aws/config");
	assert_int_equal(r->trail.steps[7].outcome, 1);
	assert_string_equal(r->trail.steps[7].what, "container endpoint " FULL_URI " (from AWS_CONTAINER_CREDENTIALS_FULL_URI)");
	rig_free(r);
}

/* ---- --explain ---------------------------------------------------------- */

static void explain_with(const char *const *env, const char *config, int want_rc, const char *must,
			 const char *must_not)
{
	struct rig *r = rig_new(env, "default", false, config, NULL);
	struct settings_flags f = { NULL, NULL, NULL };
	struct settings s;
	char *paths[] = { "app", NULL };
	char *cmd[] = { "gunicorn", NULL };
	struct explain_input in = { (char *const *)env, &s, &r->pf, "production", paths, 1, cmd, 0, &r->sys };
	struct buf out = BUF_INIT;
	int rc;

	world_route(&r->w, R("POST", STS_URL, "Action=GetCallerIdentity&", 200,
			     "<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/alice</Arn>"
			     "<UserId>AIDAEXAMPLE</UserId><Account>123456789012</Account></GetCallerIdentityResult>"
			     "</GetCallerIdentityResponse>"));
	assert_int_equal(settings_profile(&f, (char *const *)env, &s, &r->e), 0);
	assert_int_equal(settings_resolve(&f, (char *const *)env, &r->pf, &s, &r->e), 0);
	rc = explain_run(&in, &out, &r->e);
	if (rc != want_rc)
		fail_msg("rc %d: %s\n%s", rc, r->e.msg, buf_cstr(&out));
	if (strstr(buf_cstr(&out), must) == NULL)
		fail_msg("'%s' not in:\n%s", must, buf_cstr(&out));
	if (must_not != NULL && strstr(buf_cstr(&out), must_not) != NULL)
		fail_msg("'%s' in:\n%s", must_not, buf_cstr(&out));
	/* never a secret */
	assert_null(strstr(buf_cstr(&out), "secretvalue"));
	assert_null(strstr(buf_cstr(&out), "AKIDENVIRONMENT"));
	assert_null(strstr(buf_cstr(&out), "sessiontokenvalue"));
	buf_release(&out);
	settings_release(&s);
	rig_free(r);
}

static void test_explain(void **state)
{
	const char *env[] = { "AWS_ACCESS_KEY_ID=AKIDENVIRONMENT", "AWS_SECRET_ACCESS_KEY=secretvalue",
			      "AWS_SESSION_TOKEN=sessiontokenvalue", "AWS_REGION=us-east-1", NULL };
	const char *none[] = { "AWS_REGION=eu-west-1", NO_IMDS, NULL };

	(void)state;
	explain_with(env, NULL, 0, "access key id                  ...MENT (temporary: with a session token)", NULL);
	explain_with(env, NULL, 0, "  1. environment               used: environment\n"
				   "  2. assume role               not tried\n", NULL);
	explain_with(env, NULL, 0, "arn                            arn:aws:iam::123456789012:user/alice\n", NULL);
	explain_with(env, NULL, 0, "paths                          /production/app (not fetched)\n"
				   "command                        'gunicorn' (not run: --explain)\n", NULL);
	explain_with(env, NULL, 0, "sts endpoint                   " STS_URL " (from default), signed for us-east-1\n", NULL);
	explain_with(env, NULL, 0, "region                         us-east-1 (from AWS_REGION)\n", NULL);
	/* no credentials: the trail is still written, and the call fails */
	explain_with(none, "[default]\n", -1, "  9. IMDS                      disabled by AWS_EC2_METADATA_DISABLED\n", "caller");
}

/* ---- the region's last source ------------------------------------------ */

static int fallback_region(void *arg, struct buf *region, struct buf *why, struct err *e)
{
	const char *what = arg;

	if (strncmp(what, "why:", 4) == 0)
		return buf_puts(why, what + 4, e) < 0 ? -1 : 0;
	return buf_puts(region, what, e) < 0 ? -1 : 1;
}

static void test_region_fallback(void **state)
{
	static const struct {
		const char *answer;
		const char *env[2];
		const char *region; /* NULL: an error */
		const char *msg;    /* the source, or the error */
	} cases[] = {
		{ "eu-north-1", { NULL }, "eu-north-1", "IMDS" },
		{ "eu-north-1", { "AWS_REGION=us-west-2" }, "us-west-2", "AWS_REGION" },
		{ "why:disabled by AWS_EC2_METADATA_DISABLED", { NULL }, NULL,
		  "no region: set --region, AWS_REGION or a profile region (IMDS: disabled by AWS_EC2_METADATA_DISABLED)" },
		{ "EU WEST", { NULL }, NULL, "invalid region 'EU WEST' from IMDS: must be 1 to 64 of a-z, 0-9 and '-'" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct settings_flags f = { NULL, NULL, NULL };
		struct settings_fallback fb = { fallback_region, (void *)cases[i].answer, "IMDS" };
		struct settings s;
		struct err e = { ERR_NONE, "" };
		int rc;

		assert_int_equal(settings_profile(&f, (char *const *)cases[i].env, &s, &e), 0);
		rc = settings_resolve_fallback(&f, &fb, (char *const *)cases[i].env, NULL, &s, &e);
		if (cases[i].region == NULL) {
			if (rc != -1 || strcmp(e.msg, cases[i].msg) != 0)
				fail_msg("case %zu: rc %d '%s'", i, rc, e.msg);
		} else {
			if (rc != 0)
				fail_msg("case %zu: %s", i, e.msg);
			assert_string_equal(s.region, cases[i].region);
			assert_string_equal(s.region_source, cases[i].msg);
			/* the SSM endpoint follows the region wherever it came from */
			assert_non_null(strstr(s.ssm.url, cases[i].region));
		}
		settings_release(&s);
	}
	/* settings_need_profile_files never asks the fallback: it is a dry run */
	assert_true(settings_need_profile_files(NULL, NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chain_order),
		cmocka_unit_test(test_lean_start),
		cmocka_unit_test(test_no_sts_without_role),
		cmocka_unit_test(test_role_chains),
		cmocka_unit_test(test_role_chain_signing),
		cmocka_unit_test(test_role_sts_errors),
		cmocka_unit_test(test_role_sts_endpoint),
		cmocka_unit_test(test_web_identity),
		cmocka_unit_test(test_sso_cache_names),
		cmocka_unit_test(test_sso),
		cmocka_unit_test(test_sso_config_errors),
		cmocka_unit_test(test_container_host_rules),
		cmocka_unit_test(test_container_urls),
		cmocka_unit_test(test_container_flows),
		cmocka_unit_test(test_imds_flows),
		cmocka_unit_test(test_imds_settings),
		cmocka_unit_test(test_imds_attempts),
		cmocka_unit_test(test_imds_region),
		cmocka_unit_test(test_env_provider),
		cmocka_unit_test(test_trail),
		cmocka_unit_test(test_explain),
		cmocka_unit_test(test_region_fallback),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
