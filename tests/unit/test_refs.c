/*
 * test_refs.c - finding, batching and resolving ssm:// references, with a
 * scripted GetParameters server behind the http interface.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "names.h"
#include "refs.h"

/* ---- scanning ----------------------------------------------------------- */

static void test_scan_finds_references(void **state)
{
	char *env[] = { "PATH=/bin", "DB=ssm:///prod/db/password", "OLD=ssm:///prod/db/password:3",
			"CUR=ssm:///prod/db/password:current",
			"API=ssm:///aws/reference/secretsmanager/prod/api+key@x",
			"URL=https://example.com", "NOT=ssm:/x", NULL };
	struct refs r;
	struct err e;

	(void)state;
	refs_init(&r);
	assert_int_equal(refs_scan(env, &r, &e), 0);
	assert_int_equal(r.len, 4);
	assert_string_equal(r.items[0].var, "DB");
	assert_string_equal(r.items[0].request, "/prod/db/password");
	assert_int_equal(r.items[0].base_len, strlen("/prod/db/password"));
	assert_string_equal(r.items[1].request, "/prod/db/password:3");
	assert_int_equal(r.items[1].base_len, strlen("/prod/db/password"));
	assert_string_equal(r.items[2].request, "/prod/db/password:current");
	assert_string_equal(r.items[3].var, "API");
	assert_non_null(refs_find(&r, "CUR", 3));
	assert_null(refs_find(&r, "CU", 2));
	refs_release(&r);
}

static void test_scan_reports_every_bad_reference(void **state)
{
	char *env[] = { "A=ssm://two-slashes", "B=ssm:///a//b", "C=ssm:///a:", "D=ssm:///ok",
			"E=ssm:///sp ace", "F=ssm:///x:bad/label", "G=ssm:///a+b", NULL };
	struct refs r;
	struct err e;

	(void)state;
	refs_init(&r);
	assert_int_equal(refs_scan(env, &r, &e), -1);
	assert_int_equal(e.kind, ERR_USAGE);
	for (const char *v = "ABCEFG"; *v; v++) {
		char needle[4] = { *v, ' ', '(', '\0' };

		assert_non_null(strstr(e.msg, needle));
	}
	assert_null(strstr(e.msg, "D ("));
	assert_non_null(strstr(e.msg, "three slashes"));
	refs_release(&r);
}

/* A reference sets its variable like a parameter does, so the same name
 * limit holds: at the limit it is resolved, past it it is an error. */
static void test_scan_name_length(void **state)
{
	static char ok[NAMES_MAX_VAR + 32], over[NAMES_MAX_VAR + 32];
	char *env[] = { ok, NULL };
	struct refs r;
	struct err e;

	(void)state;
	memset(ok, 'A', NAMES_MAX_VAR);
	memcpy(ok + NAMES_MAX_VAR, "=ssm:///x", sizeof("=ssm:///x"));
	memset(over, 'B', NAMES_MAX_VAR + 1);
	memcpy(over + NAMES_MAX_VAR + 1, "=ssm:///x", sizeof("=ssm:///x"));
	refs_init(&r);
	assert_int_equal(refs_scan(env, &r, &e), 0);
	assert_int_equal(r.len, 1);
	assert_int_equal(strlen(r.items[0].var), NAMES_MAX_VAR);
	refs_release(&r);
	env[0] = over;
	refs_init(&r);
	assert_int_equal(refs_scan(env, &r, &e), -1);
	assert_int_equal(e.kind, ERR_USAGE);
	assert_non_null(strstr(e.msg, "BBBB... (a name longer than 4096 bytes)"));
	refs_release(&r);
}

static void test_scan_first_entry_wins(void **state)
{
	/* the program sees a name's first entry, so only that one counts */
	char *env[] = { "A=plain", "A=ssm:///x", "B=ssm:///y", "B=ssm:///z", NULL };
	struct refs r;
	struct err e;

	(void)state;
	refs_init(&r);
	assert_int_equal(refs_scan(env, &r, &e), 0);
	assert_int_equal(r.len, 1);
	assert_string_equal(r.items[0].var, "B");
	assert_string_equal(r.items[0].request, "/y");
	refs_release(&r);
}

static void test_scan_secrets_manager_names(void **state)
{
	/* Secrets Manager's own alphabet, '!' of the secrets RDS manages
	 * among it, 1 to 512 bytes; '/' anywhere */
	char long_ok[600], long_bad[600];
	char *env[] = { "A=ssm:///aws/reference/secretsmanager/rds!db-3f2a9c1e-7b4d-4e8a-9c1f-2d5e6a7b8c9d",
			"B=ssm:///aws/reference/secretsmanager/rds!cluster-42:AWSPREVIOUS#password",
			"C=ssm:///aws/reference/secretsmanager/a_b+c=d.e@f-g!h/i",
			"D=ssm:///aws/reference/secretsmanager/prod//db/", long_ok, NULL };
	struct refs r;
	struct err e;

	(void)state;
	snprintf(long_ok, sizeof(long_ok), "E=ssm:///aws/reference/secretsmanager/%0512d", 0);
	refs_init(&r);
	assert_int_equal(refs_scan(env, &r, &e), 0);
	assert_int_equal(r.len, 5);
	assert_string_equal(r.items[0].request,
			    "/aws/reference/secretsmanager/rds!db-3f2a9c1e-7b4d-4e8a-9c1f-2d5e6a7b8c9d");
	assert_null(r.items[0].field);
	assert_string_equal(r.items[1].request,
			    "/aws/reference/secretsmanager/rds!cluster-42:AWSPREVIOUS");
	assert_int_equal(r.items[1].base_len, strlen("/aws/reference/secretsmanager/rds!cluster-42"));
	assert_string_equal(r.items[1].field, "password");
	refs_release(&r);

	/* a byte neither alphabet holds, a name too long, an empty name, and
	 * '!' outside Secrets Manager */
	snprintf(long_bad, sizeof(long_bad), "E=ssm:///aws/reference/secretsmanager/%0513d", 0);
	{
		char *bad[] = { "A=ssm:///aws/reference/secretsmanager/a,b",
				"B=ssm:///aws/reference/secretsmanager/a b",
				"C=ssm:///aws/reference/secretsmanager/", "D=ssm:///prod/rds!db-1",
				long_bad, NULL };

		refs_init(&r);
		assert_int_equal(refs_scan(bad, &r, &e), -1);
		assert_int_equal(e.kind, ERR_USAGE);
		for (const char *v = "ABCDE"; *v; v++) {
			char needle[4] = { *v, ' ', '(', '\0' };

			assert_non_null(strstr(e.msg, needle));
		}
		assert_non_null(strstr(e.msg, "a byte Secrets Manager names cannot hold"));
		assert_non_null(strstr(e.msg, "1 to 512 bytes"));
		assert_non_null(strstr(e.msg, "D ('ssm:///prod/rds!db-1': a byte SSM names cannot hold)"));
		refs_release(&r);
	}
}

static void test_scan_fields(void **state)
{
	char long_field[300];
	char *env[] = { "A=ssm:///prod/app/config:3#region", "B=ssm:///prod/app/config:live#region",
			"C=ssm:///prod/app/config#db host#2", "D=ssm:///prod/app/config", NULL };
	char *bad[] = { "E=ssm:///prod/app/config#", "F=ssm:///prod/app/config#a\tb",
			"G=ssm:///prod/app/config:#x", "H=ssm:///prod/app/con fig#x", long_field,
			NULL };
	struct refs r;
	struct err e;

	(void)state;
	refs_init(&r);
	assert_int_equal(refs_scan(env, &r, &e), 0);
	assert_int_equal(r.len, 4);
	assert_string_equal(r.items[0].request, "/prod/app/config:3");
	assert_int_equal(r.items[0].base_len, strlen("/prod/app/config"));
	assert_string_equal(r.items[0].field, "region");
	assert_string_equal(r.items[1].request, "/prod/app/config:live");
	assert_string_equal(r.items[1].field, "region");
	/* everything after the first '#' is the field */
	assert_string_equal(r.items[2].request, "/prod/app/config");
	assert_string_equal(r.items[2].field, "db host#2");
	assert_null(r.items[3].field);
	refs_release(&r);

	snprintf(long_field, sizeof(long_field), "I=ssm:///prod/app/config#%0257d", 0);
	refs_init(&r);
	assert_int_equal(refs_scan(bad, &r, &e), -1);
	for (const char *v = "EFGHI"; *v; v++) {
		char needle[4] = { *v, ' ', '(', '\0' };

		assert_non_null(strstr(e.msg, needle));
	}
	assert_non_null(strstr(e.msg, "a #FIELD is 1 to 256 bytes"));
	assert_non_null(strstr(e.msg, "a #FIELD is printable ASCII"));
	refs_release(&r);
}

/* ---- resolving against a scripted server ------------------------------- */

struct fake {
	size_t calls;
	size_t max_names;
	bool bare_secret_names; /* answer Secrets Manager refs under the bare id, as moto */
	const char *value;      /* every answer's value, instead of "value of NAME" */
	char seen[32][128];
	size_t nseen;
};

static bool is_missing(const char *name)
{
	return strstr(name, "missing") != NULL || strstr(name, ":9") != NULL;
}

static void answer(struct fake *f, const cJSON *names, cJSON *params, cJSON *invalid)
{
	const cJSON *n;

	cJSON_ArrayForEach(n, names) {
		const char *req = n->valuestring;
		char base[128], value[400];
		cJSON *p;

		if (f->nseen < 32)
			snprintf(f->seen[f->nseen++], sizeof(f->seen[0]), "%s", req);
		if (is_missing(req)) {
			cJSON_AddItemToArray(invalid, cJSON_CreateString(req));
			continue;
		}
		snprintf(base, sizeof(base), "%.*s", (int)strcspn(req, ":"), req);
		snprintf(value, sizeof(value), "value of %s", req);
		if (f->value != NULL)
			snprintf(value, sizeof(value), "%s", f->value);
		p = cJSON_CreateObject();
		if (f->bare_secret_names && !strncmp(base, "/aws/reference/secretsmanager/", 30))
			cJSON_AddStringToObject(p, "Name", base + 30);
		else
			cJSON_AddStringToObject(p, "Name", base);
		cJSON_AddStringToObject(p, "Type", "SecureString");
		cJSON_AddStringToObject(p, "Value", value);
		cJSON_AddNumberToObject(p, "Version", 1);
		cJSON_AddItemToArray(params, p);
	}
}

static int fake_perform(void *impl, const struct http_request *req, struct http_response *resp,
			struct err *e)
{
	struct fake *f = impl;
	cJSON *in = cJSON_ParseWithLength(req->body, req->body_len);
	cJSON *out = cJSON_CreateObject();
	cJSON *params = cJSON_AddArrayToObject(out, "Parameters");
	cJSON *invalid = cJSON_AddArrayToObject(out, "InvalidParameters");
	const cJSON *names = cJSON_GetObjectItemCaseSensitive(in, "Names");
	char *text;
	int rc;

	f->calls++;
	if ((size_t)cJSON_GetArraySize(names) > f->max_names)
		f->max_names = (size_t)cJSON_GetArraySize(names);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(in, "WithDecryption")));
	answer(f, names, params, invalid);
	text = cJSON_PrintUnformatted(out);
	resp->status = 200;
	rc = buf_puts(&resp->body, text, e);
	cJSON_free(text);
	cJSON_Delete(in);
	cJSON_Delete(out);
	return rc;
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

struct rig {
	struct fake fake;
	struct http_client http;
	struct endpoint ep;
	struct creds creds;
	struct aws_client c;
	struct refs refs;
};

static void rig_init(struct rig *r)
{
	memset(r, 0, sizeof(*r));
	r->http.vt = &fake_vt;
	r->http.impl = &r->fake;
	r->ep.url = "https://ssm.us-east-1.amazonaws.com";
	r->ep.host_header = "ssm.us-east-1.amazonaws.com";
	r->ep.path = "/";
	creds_init(&r->creds);
	buf_puts(&r->creds.access_key_id, "AKIDEXAMPLE", NULL);
	buf_puts(&r->creds.secret_access_key, "secret", NULL);
	aws_client_init(&r->c);
	r->c.http = &r->http;
	r->c.endpoint = &r->ep;
	r->c.region = "us-east-1";
	r->c.creds = &r->creds;
	refs_init(&r->refs);
}

static void rig_release(struct rig *r)
{
	refs_release(&r->refs);
	creds_release(&r->creds);
}

static void test_resolve_batches_of_ten(void **state)
{
	char *env[26];
	char storage[25][48];
	struct rig r;
	struct err e;

	(void)state;
	for (int i = 0; i < 25; i++) {
		snprintf(storage[i], sizeof(storage[i]), "V%02d=ssm:///app/p%02d", i, i);
		env[i] = storage[i];
	}
	env[25] = NULL;
	rig_init(&r);
	assert_int_equal(refs_scan(env, &r.refs, &e), 0);
	assert_int_equal(refs_resolve(&r.c, &r.refs, &e), 0);
	assert_int_equal(r.fake.calls, 3);
	assert_int_equal(r.fake.max_names, 10);
	for (size_t i = 0; i < r.refs.len; i++) {
		char want[64];

		snprintf(want, sizeof(want), "value of /app/p%02zu", i);
		assert_non_null(r.refs.items[i].param);
		assert_string_equal(buf_cstr(&r.refs.items[i].param->value), want);
	}
	rig_release(&r);
}

static void test_resolve_selectors_never_share_a_batch(void **state)
{
	char *env[] = { "A=ssm:///db", "B=ssm:///db:1", "C=ssm:///db:old", "D=ssm:///db",
			"E=ssm:///other", NULL };
	struct rig r;
	struct err e;

	(void)state;
	rig_init(&r);
	assert_int_equal(refs_scan(env, &r.refs, &e), 0);
	assert_int_equal(refs_resolve(&r.c, &r.refs, &e), 0);
	/* /db, /db:1 and /db:old name one parameter: three calls, each answer
	 * maps back to exactly one request */
	assert_int_equal(r.fake.calls, 3);
	assert_string_equal(buf_cstr(&r.refs.items[0].param->value), "value of /db");
	assert_string_equal(buf_cstr(&r.refs.items[1].param->value), "value of /db:1");
	assert_string_equal(buf_cstr(&r.refs.items[2].param->value), "value of /db:old");
	assert_string_equal(buf_cstr(&r.refs.items[3].param->value), "value of /db");
	assert_string_equal(buf_cstr(&r.refs.items[4].param->value), "value of /other");
	/* the same request twice is asked once */
	{
		size_t db = 0;

		for (size_t i = 0; i < r.fake.nseen; i++)
			db += strcmp(r.fake.seen[i], "/db") == 0;
		assert_int_equal(db, 1);
	}
	rig_release(&r);
}

static void test_resolve_reports_all_missing(void **state)
{
	char *env[] = { "A=ssm:///missing/one", "B=ssm:///ok", "C=ssm:///ok:9",
			"D=ssm:///missing/two", NULL };
	struct rig r;
	struct err e;

	(void)state;
	rig_init(&r);
	assert_int_equal(refs_scan(env, &r.refs, &e), 0);
	assert_int_equal(refs_resolve(&r.c, &r.refs, &e), -1);
	assert_int_equal(e.kind, ERR_AWS);
	assert_non_null(strstr(e.msg, "A -> /missing/one"));
	assert_non_null(strstr(e.msg, "C -> /ok:9"));
	assert_non_null(strstr(e.msg, "D -> /missing/two"));
	assert_null(strstr(e.msg, "B ->"));
	assert_null(strstr(e.msg, "value of"));
	rig_release(&r);
}

static void test_resolve_secrets_manager_bare_name(void **state)
{
	char *env[] = { "API=ssm:///aws/reference/secretsmanager/prod/api", NULL };
	struct rig r;
	struct err e;

	(void)state;
	rig_init(&r);
	r.fake.bare_secret_names = true;
	assert_int_equal(refs_scan(env, &r.refs, &e), 0);
	assert_int_equal(refs_resolve(&r.c, &r.refs, &e), 0);
	assert_string_equal(buf_cstr(&r.refs.items[0].param->value),
			    "value of /aws/reference/secretsmanager/prod/api");
	rig_release(&r);
}

#define RDS_SECRET                                                                          \
	"{\"username\":\"app\",\"password\":\"pw-\\\"quoted\\\"\",\"port\":5432,"                \
	"\"ratio\":1.50,\"tls\":true,\"host\":\"127.0.0.1\",\"options\":{\"a\":1},"          \
	"\"replicas\":[1,2],\"proxy\":null}"

static void test_resolve_selects_fields(void **state)
{
	char *env[] = { "U=ssm:///aws/reference/secretsmanager/rds!db-1#username",
			"P=ssm:///aws/reference/secretsmanager/rds!db-1#password",
			"N=ssm:///aws/reference/secretsmanager/rds!db-1#port",
			"R=ssm:///aws/reference/secretsmanager/rds!db-1#ratio",
			"T=ssm:///aws/reference/secretsmanager/rds!db-1#tls",
			"W=ssm:///aws/reference/secretsmanager/rds!db-1", NULL };
	struct rig r;
	struct err e;

	(void)state;
	rig_init(&r);
	r.fake.bare_secret_names = true;
	r.fake.value = RDS_SECRET;
	assert_int_equal(refs_scan(env, &r.refs, &e), 0);
	assert_int_equal(refs_resolve(&r.c, &r.refs, &e), 0);
	/* one secret, one name asked for, however many fields */
	assert_int_equal(r.fake.calls, 1);
	assert_int_equal(r.fake.nseen, 1);
	assert_string_equal(buf_cstr(refs_value(&r.refs.items[0])), "app");
	assert_string_equal(buf_cstr(refs_value(&r.refs.items[1])), "pw-\"quoted\"");
	assert_string_equal(buf_cstr(refs_value(&r.refs.items[2])), "5432");
	assert_string_equal(buf_cstr(refs_value(&r.refs.items[3])), "1.50");
	assert_string_equal(buf_cstr(refs_value(&r.refs.items[4])), "true");
	assert_string_equal(buf_cstr(refs_value(&r.refs.items[5])), RDS_SECRET);
	rig_release(&r);
}

static void test_resolve_field_errors_in_one_line(void **state)
{
	char *env[] = { "A=ssm:///db#missing", "B=ssm:///db#options", "C=ssm:///db#replicas",
			"D=ssm:///db#proxy", "E=ssm:///db#password", NULL };
	char *plain[] = { "F=ssm:///plain#x", NULL };
	struct rig r;
	struct err e;

	(void)state;
	rig_init(&r);
	r.fake.value = RDS_SECRET;
	assert_int_equal(refs_scan(env, &r.refs, &e), 0);
	assert_int_equal(refs_resolve(&r.c, &r.refs, &e), -1);
	assert_int_equal(e.kind, ERR_NAMES);
	assert_null(strchr(e.msg, '\n'));
	assert_non_null(strstr(e.msg, "A -> /db#missing: no such field"));
	assert_non_null(strstr(e.msg, "B -> /db#options: the field is an object"));
	assert_non_null(strstr(e.msg, "C -> /db#replicas: the field is an array"));
	assert_non_null(strstr(e.msg, "D -> /db#proxy: the field is null"));
	assert_null(strstr(e.msg, "E ->"));
	assert_null(strstr(e.msg, "quoted"));
	assert_null(strstr(e.msg, "app"));
	rig_release(&r);

	rig_init(&r);
	assert_int_equal(refs_scan(plain, &r.refs, &e), 0);
	assert_int_equal(refs_resolve(&r.c, &r.refs, &e), -1);
	assert_non_null(strstr(e.msg, "F -> /plain#x: the value is not a JSON object"));
	assert_null(strstr(e.msg, "value of"));
	rig_release(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scan_finds_references),
		cmocka_unit_test(test_scan_reports_every_bad_reference),
		cmocka_unit_test(test_scan_first_entry_wins),
		cmocka_unit_test(test_scan_secrets_manager_names),
		cmocka_unit_test(test_scan_fields),
		cmocka_unit_test(test_scan_name_length),
		cmocka_unit_test(test_resolve_batches_of_ten),
		cmocka_unit_test(test_resolve_selectors_never_share_a_batch),
		cmocka_unit_test(test_resolve_reports_all_missing),
		cmocka_unit_test(test_resolve_secrets_manager_bare_name),
		cmocka_unit_test(test_resolve_selects_fields),
		cmocka_unit_test(test_resolve_field_errors_in_one_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
