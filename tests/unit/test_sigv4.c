/*
 * test_sigv4.c - the SigV4 signer against the worked example of
 * aws-reference.md §2.4, the official aws-c-auth test suite (read from
 * $SIGV4_SUITE_DIR, default ../shared/sigv4-test-suite) and edge cases.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "sigv4.h"

#define MAX_FILE_BYTES  (1024 * 1024)
#define MAX_REQ_HEADERS 64
#define MAX_CASES       256
#define DEFAULT_SUITE   "../shared/sigv4-test-suite"

#define EX_AKID   "AKIDEXAMPLE"
#define EX_SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define EX_DATE   "20240115T120000Z"
#define EX_BODY                                                                                    \
	"{\"Path\":\"/app/prod\",\"Recursive\":true,\"WithDecryption\":true,\"MaxResults\":10}"
#define EX_BODY_SHA "41567bf824fc3853439d1765a7161b17ccddba1c16c07467da624ea73705381c"
#define EMPTY_SHA   "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

/* --- helpers --- */

static struct sigv4_signer signer(const char *date)
{
	struct sigv4_signer s = {EX_AKID, EX_SECRET, "us-east-1", "ssm", date};

	return s;
}

static struct sigv4_request request(const struct sigv4_header *h, size_t n)
{
	struct sigv4_request r = {"POST", "/", NULL, h, n, NULL, 0, true};

	return r;
}

/* sign_ok signs and fails the test when signing fails. */
static void sign_ok(const struct sigv4_request *req, const struct sigv4_signer *s,
                    struct sigv4_result *out)
{
	struct err e = {0};

	if (sigv4_sign(req, s, out, &e) != 0)
		fail_msg("sigv4_sign failed: %s", e.msg);
}

/* sign_fails expects an error of the given kind and an emptied result. */
static void sign_fails(const struct sigv4_request *req, const struct sigv4_signer *s,
                       enum err_kind kind)
{
	struct sigv4_result out;
	struct err e = {0};

	sigv4_result_init(&out);
	assert_int_equal(sigv4_sign(req, s, &out, &e), -1);
	assert_int_equal(e.kind, kind);
	assert_true(e.msg[0] != '\0');
	assert_int_equal(out.canonical_request.len, 0);
	assert_int_equal(out.authorization.len, 0);
	assert_string_equal(out.signature, "");
	sigv4_result_release(&out);
}

/* canonical_of signs and returns a copy of the canonical request. */
static char *canonical_of(const struct sigv4_request *req)
{
	struct sigv4_signer s = signer(EX_DATE);
	struct sigv4_result out;
	char *copy;

	sigv4_result_init(&out);
	sign_ok(req, &s, &out);
	copy = strdup(buf_cstr(&out.canonical_request));
	assert_non_null(copy);
	sigv4_result_release(&out);
	return copy;
}

/* line_of returns a copy of line n (0-based) of text. */
static char *line_of(const char *text, int n)
{
	const char *end;
	char *copy;

	for (; n > 0; n--) {
		text = strchr(text, '\n');
		assert_non_null(text);
		text++;
	}
	end = strchr(text, '\n');
	copy = strndup(text, end != NULL ? (size_t)(end - text) : strlen(text));
	assert_non_null(copy);
	return copy;
}

/* --- the worked example, aws-reference.md §2.4 --- */

static void sign_example(const char *token, struct sigv4_result *out)
{
	struct sigv4_header h[5] = {
	        {"Content-Type", "application/x-amz-json-1.1"},
	        {"Host", "ssm.us-east-1.amazonaws.com"},
	        {"X-Amz-Date", EX_DATE},
	        {"X-Amz-Target", "AmazonSSM.GetParametersByPath"},
	        {"X-Amz-Security-Token", token},
	};
	struct sigv4_request req = request(h, token != NULL ? 5 : 4);
	struct sigv4_signer s = signer(EX_DATE);

	req.body = EX_BODY;
	req.body_len = strlen(EX_BODY);
	sign_ok(&req, &s, out);
}

static void test_example_no_token(void **state)
{
	const char *creq = "POST\n/\n\n"
	                   "content-type:application/x-amz-json-1.1\n"
	                   "host:ssm.us-east-1.amazonaws.com\n"
	                   "x-amz-date:20240115T120000Z\n"
	                   "x-amz-target:AmazonSSM.GetParametersByPath\n\n"
	                   "content-type;host;x-amz-date;x-amz-target\n" EX_BODY_SHA;
	const char *creq_sha = "11bcab055e4b0311f7ac163126c0a252b196ffd264a133ff358ab5cfdfb451de";
	const char *sig = "0a8b838c55bb16797801ea46c8e7fa5df87179bb66557680ad6d4ea7dfb4307e";
	struct sigv4_result out;
	char hex[65];

	(void)state;
	sigv4_result_init(&out);
	sign_example(NULL, &out);
	assert_string_equal(buf_cstr(&out.canonical_request), creq);
	sigv4_sha256_hex(out.canonical_request.data, out.canonical_request.len, hex);
	assert_string_equal(hex, creq_sha);
	assert_string_equal(buf_cstr(&out.string_to_sign),
	                    "AWS4-HMAC-SHA256\n" EX_DATE "\n20240115/us-east-1/ssm/aws4_request\n"
	                    "11bcab055e4b0311f7ac163126c0a252b196ffd264a133ff358ab5cfdfb451de");
	assert_string_equal(out.signature, sig);
	assert_string_equal(
	        buf_cstr(&out.authorization),
	        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240115/us-east-1/ssm/"
	        "aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
	        "Signature=0a8b838c55bb16797801ea46c8e7fa5df87179bb66557680ad6d4ea7dfb4307e");
	sigv4_result_release(&out);
}

static void test_example_with_token(void **state)
{
	const char *creq =
	        "POST\n/\n\n"
	        "content-type:application/x-amz-json-1.1\n"
	        "host:ssm.us-east-1.amazonaws.com\n"
	        "x-amz-date:20240115T120000Z\n"
	        "x-amz-security-token:FQoGZXIvYXdzEXAMPLETOKEN\n"
	        "x-amz-target:AmazonSSM.GetParametersByPath\n\n"
	        "content-type;host;x-amz-date;x-amz-security-token;x-amz-target\n" EX_BODY_SHA;
	struct sigv4_result out;
	char hex[65];

	(void)state;
	sigv4_result_init(&out);
	sign_example("FQoGZXIvYXdzEXAMPLETOKEN", &out);
	assert_string_equal(buf_cstr(&out.canonical_request), creq);
	sigv4_sha256_hex(out.canonical_request.data, out.canonical_request.len, hex);
	assert_string_equal(hex,
	                    "2b5c42f84b0aff243066bc4b6f84c3646799b5a7c10ed7d5a918901836c283d0");
	assert_string_equal(out.signature,
	                    "4c046a9701cfc0433462754a1263b0ca3c85014d75aa87752011b7bda478909a");
	assert_non_null(strstr(buf_cstr(&out.authorization),
	                       ", SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;"
	                       "x-amz-target, Signature=4c046a97"));
	sigv4_result_release(&out);
}

/* --- the official test suite --- */

struct vreq {
	char *text;                        /* the file, carved in place */
	const char *method, *path, *query; /* into text */
	struct sigv4_header h[MAX_REQ_HEADERS];
	char *values[MAX_REQ_HEADERS]; /* owned copies of the values */
	size_t nh;
	const char *body;
	size_t body_len;
	char date[17], body_sha[65];
};

/* read_text reads a whole file (bounded) into a malloc'd string. */
static char *read_text(const char *dir, const char *name, size_t *len)
{
	char path[PATH_MAX];
	char *p = NULL;
	size_t n = 0;
	FILE *f;
	int w = snprintf(path, sizeof(path), "%s/%s", dir, name);

	if (w < 0 || (size_t)w >= sizeof(path) || (f = fopen(path, "rb")) == NULL)
		return NULL;
	p = malloc(MAX_FILE_BYTES + 1);
	if (p != NULL) {
		n = fread(p, 1, MAX_FILE_BYTES + 1, f);
		if (ferror(f) || n > MAX_FILE_BYTES) {
			free(p);
			p = NULL;
		} else {
			p[n] = '\0';
		}
	}
	fclose(f);
	if (len != NULL)
		*len = n;
	return p;
}

/* read_expected reads an expectation without its trailing newlines. */
static char *read_expected(const char *dir, const char *name)
{
	size_t n = 0;
	char *p = read_text(dir, name, &n);

	while (p != NULL && n > 0 && (p[n - 1] == '\n' || p[n - 1] == '\r'))
		p[--n] = '\0';
	return p;
}

static void vreq_free(struct vreq *v)
{
	size_t i;

	for (i = 0; i < v->nh; i++)
		free(v->values[i]);
	free(v->text);
	memset(v, 0, sizeof(*v));
}

/* add_header appends a header with an owned copy of value. */
static int add_header(struct vreq *v, const char *name, const char *value)
{
	if (v->nh >= MAX_REQ_HEADERS || (v->values[v->nh] = strdup(value)) == NULL)
		return -1;
	v->h[v->nh].name = name;
	v->h[v->nh].value = v->values[v->nh];
	v->nh++;
	return 0;
}

/* unfold appends an obs-fold continuation line to the last header as one
 * space plus the line (RFC 9112 §5.2), as get-header-value-multiline wants. */
static int unfold(struct vreq *v, const char *line)
{
	char *old, *p;
	size_t a, b;

	if (v->nh == 0)
		return -1;
	old = v->values[v->nh - 1];
	a = strlen(old);
	b = strlen(line);
	p = realloc(old, a + b + 2);
	if (p == NULL)
		return -1;
	p[a] = ' ';
	memcpy(p + a + 1, line, b + 1);
	v->values[v->nh - 1] = p;
	v->h[v->nh - 1].value = p;
	return 0;
}

/* next_line cuts the line at *pos (dropping "\r\n" or "\n"), or NULL. */
static char *next_line(char **pos)
{
	char *line = *pos, *nl;

	if (line == NULL)
		return NULL;
	nl = strchr(line, '\n');
	if (nl == NULL) {
		*pos = NULL;
	} else {
		*nl = '\0';
		*pos = nl + 1;
	}
	if (nl != NULL && nl > line && nl[-1] == '\r')
		nl[-1] = '\0';
	return line;
}

/* parse_request_line: "METHOD SP target SP HTTP/1.1"; the target may hold
 * spaces (get-space-*), so the version is found from the end. */
static int parse_request_line(struct vreq *v, char *line)
{
	char *sp1 = strchr(line, ' '), *sp2 = strrchr(line, ' '), *q;

	if (sp1 == NULL || sp2 == sp1)
		return -1;
	*sp1 = '\0';
	*sp2 = '\0';
	v->method = line;
	v->path = sp1 + 1;
	q = strchr(sp1 + 1, '?');
	if (q != NULL) {
		*q = '\0';
		v->query = q + 1;
	}
	return 0;
}

static int parse_request(struct vreq *v, char *text, size_t len)
{
	char *pos = text, *line, *colon;

	v->text = text;
	line = next_line(&pos);
	if (line == NULL || parse_request_line(v, line) < 0)
		return -1;
	while ((line = next_line(&pos)) != NULL && line[0] != '\0') {
		if (line[0] == ' ' || line[0] == '\t') {
			if (unfold(v, line) < 0)
				return -1;
			continue;
		}
		colon = strchr(line, ':');
		if (colon == NULL)
			return -1;
		*colon = '\0';
		if (add_header(v, line, colon + 1) < 0)
			return -1;
	}
	v->body = pos != NULL ? pos : "";
	v->body_len = pos != NULL ? len - (size_t)(pos - text) : 0;
	return 0;
}

/* num reads n digits of s into *v. */
static bool num(const char *s, size_t n, int *v)
{
	size_t i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		*v = *v * 10 + (s[i] - '0');
	}
	return true;
}

/* iso_to_amz turns "2015-08-30T12:36:00Z" into "20150830T123600Z" through
 * timegm and sigv4_amz_date, so the formatter is exercised too. */
static int iso_to_amz(const char *iso, char out[17])
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (strlen(iso) != 20 || iso[4] != '-' || iso[7] != '-' || iso[10] != 'T' ||
	    iso[13] != ':' || iso[16] != ':' || iso[19] != 'Z')
		return -1;
	if (!num(iso, 4, &tm.tm_year) || !num(iso + 5, 2, &tm.tm_mon) ||
	    !num(iso + 8, 2, &tm.tm_mday) || !num(iso + 11, 2, &tm.tm_hour) ||
	    !num(iso + 14, 2, &tm.tm_min) || !num(iso + 17, 2, &tm.tm_sec))
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	sigv4_amz_date(timegm(&tm), out);
	return out[0] != '\0' ? 0 : -1;
}

static const char *json_str(const cJSON *o, const char *k)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(it) ? it->valuestring : NULL;
}

static bool json_true(const cJSON *o, const char *k)
{
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, k));
}

/* add_context_headers adds what the signer is told to sign: X-Amz-Date,
 * the token unless omit_session_token, x-amz-content-sha256 for sign_body. */
static int add_context_headers(struct vreq *v, const cJSON *ctx, const char *token)
{
	if (iso_to_amz(json_str(ctx, "timestamp") ? json_str(ctx, "timestamp") : "", v->date) < 0)
		return -1;
	if (add_header(v, "X-Amz-Date", v->date) < 0)
		return -1;
	if (token != NULL && !json_true(ctx, "omit_session_token") &&
	    add_header(v, "X-Amz-Security-Token", token) < 0)
		return -1;
	if (json_true(ctx, "sign_body")) {
		sigv4_sha256_hex(v->body, v->body_len, v->body_sha);
		if (add_header(v, "X-Amz-Content-SHA256", v->body_sha) < 0)
			return -1;
	}
	return 0;
}

/* authz_line finds the Authorization value in a signed request, or NULL. */
static const char *authz_line(char *signed_req)
{
	char *pos = signed_req, *line;

	while ((line = next_line(&pos)) != NULL && line[0] != '\0')
		if (strncmp(line, "Authorization:", 14) == 0)
			return line + 14;
	return NULL;
}

static int expect_eq(const char *name, const char *what, const char *want, const char *got)
{
	if (want != NULL && got != NULL && strcmp(want, got) == 0)
		return 0;
	print_error("sigv4 vector %s: %s differs\n--- expected\n%s\n--- got\n%s\n", name, what,
	            want != NULL ? want : "(missing file)", got != NULL ? got : "(none)");
	return -1;
}

/* compare checks the four results of one case against its files. */
static int compare(const char *dir, const char *name, const struct sigv4_result *out)
{
	char *creq = read_expected(dir, "header-canonical-request.txt");
	char *sts = read_expected(dir, "header-string-to-sign.txt");
	char *sig = read_expected(dir, "header-signature.txt");
	char *sreq = read_expected(dir, "header-signed-request.txt");
	int bad = 0;

	bad |= expect_eq(name, "canonical request", creq, buf_cstr(&out->canonical_request));
	bad |= expect_eq(name, "string to sign", sts, buf_cstr(&out->string_to_sign));
	bad |= expect_eq(name, "signature", sig, out->signature);
	bad |= expect_eq(name, "authorization", sreq != NULL ? authz_line(sreq) : NULL,
	                 buf_cstr(&out->authorization));
	free(creq);
	free(sts);
	free(sig);
	free(sreq);
	return bad ? -1 : 0;
}

/* sign_case signs the request of one parsed case and compares. */
static int sign_case(const char *dir, const char *name, const cJSON *ctx, struct vreq *v)
{
	const cJSON *cred = cJSON_GetObjectItemCaseSensitive(ctx, "credentials");
	struct sigv4_signer s = {json_str(cred, "access_key_id"),
	                         json_str(cred, "secret_access_key"), json_str(ctx, "region"),
	                         json_str(ctx, "service"), v->date};
	struct sigv4_request req;
	struct sigv4_result out;
	struct err e = {0};
	int rc;

	if (add_context_headers(v, ctx, json_str(cred, "token")) < 0) {
		print_error("sigv4 vector %s: bad context.json\n", name);
		return -1;
	}
	req = (struct sigv4_request){.method = v->method,
	                             .path = v->path,
	                             .query = v->query,
	                             .headers = v->h,
	                             .nheaders = v->nh,
	                             .body = v->body,
	                             .body_len = v->body_len,
	                             .normalize_path = json_true(ctx, "normalize")};
	sigv4_result_init(&out);
	rc = sigv4_sign(&req, &s, &out, &e);
	if (rc < 0)
		print_error("sigv4 vector %s: sign failed: %s\n", name, e.msg);
	else
		rc = compare(dir, name, &out);
	sigv4_result_release(&out);
	return rc;
}

/* run_case returns 0 passed, -1 failed, 1 skipped (with the reason). */
static int run_case(const char *suite, const char *name)
{
	char dir[PATH_MAX], *ctx_text, *req_text;
	struct vreq v;
	size_t req_len = 0;
	cJSON *ctx = NULL;
	int rc = -1, w = snprintf(dir, sizeof(dir), "%s/%s", suite, name);

	memset(&v, 0, sizeof(v));
	if (w < 0 || (size_t)w >= sizeof(dir))
		return -1;
	ctx_text = read_text(dir, "context.json", NULL);
	req_text = read_text(dir, "request.txt", &req_len);
	if (ctx_text == NULL || req_text == NULL) {
		print_message("sigv4 vector %s: skipped: no context.json or request.txt, "
		              "not a signing case\n",
		              name);
		free(ctx_text);
		free(req_text);
		return 1;
	}
	ctx = cJSON_Parse(ctx_text);
	if (ctx == NULL || parse_request(&v, req_text, req_len) < 0)
		print_error("sigv4 vector %s: unable to parse the case\n", name);
	else
		rc = sign_case(dir, name, ctx, &v);
	if (v.text == NULL)
		free(req_text);
	vreq_free(&v);
	cJSON_Delete(ctx);
	free(ctx_text);
	return rc;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* list_cases collects the case folders of suite, sorted; -1 if absent. */
static int list_cases(const char *suite, char **names, size_t *n)
{
	DIR *d = opendir(suite);
	struct dirent *ent;
	struct stat st;
	char path[PATH_MAX];
	int w;

	*n = 0;
	if (d == NULL)
		return -1;
	while ((ent = readdir(d)) != NULL && *n < MAX_CASES) {
		if (ent->d_name[0] == '.')
			continue;
		w = snprintf(path, sizeof(path), "%s/%s", suite, ent->d_name);
		if (w < 0 || (size_t)w >= sizeof(path) || stat(path, &st) != 0 ||
		    !S_ISDIR(st.st_mode))
			continue;
		names[*n] = strdup(ent->d_name);
		assert_non_null(names[*n]);
		(*n)++;
	}
	closedir(d);
	qsort(names, *n, sizeof(*names), cmp_names);
	return 0;
}

static void test_official_vectors(void **state)
{
	const char *suite = getenv("SIGV4_SUITE_DIR");
	char *names[MAX_CASES];
	size_t n = 0, i, passed = 0, failed = 0, skipped = 0;
	int rc;

	(void)state;
	if (suite == NULL || suite[0] == '\0')
		suite = DEFAULT_SUITE;
	if (list_cases(suite, names, &n) < 0) {
		print_message("sigv4 vectors: '%s' not found, skipping\n", suite);
		skip();
	}
	for (i = 0; i < n; i++) {
		rc = run_case(suite, names[i]);
		passed += rc == 0;
		failed += rc < 0;
		skipped += rc > 0;
		free(names[i]);
	}
	print_message("sigv4 vectors: %zu checked, %zu passed, %zu failed, %zu skipped (%s)\n",
	              passed + failed, passed, failed, skipped, suite);
	if (passed + failed == 0)
		fail_msg("no SigV4 vector found in '%s'", suite);
	if (failed > 0)
		fail_msg("%zu SigV4 vector(s) failed", failed);
}

/* --- edge cases --- */

static void test_missing_host(void **state)
{
	struct sigv4_header h[] = {{"X-Amz-Date", EX_DATE}, {"X-Amz-Target", "t"}};
	struct sigv4_header empty[] = {{"Host", "  "}, {"X-Amz-Date", EX_DATE}};
	struct sigv4_request req = request(h, 2);
	struct sigv4_signer s = signer(EX_DATE);

	(void)state;
	sign_fails(&req, &s, ERR_CONFIG);
	req = request(empty, 2);
	sign_fails(&req, &s, ERR_CONFIG);
}

static void test_missing_or_wrong_date_header(void **state)
{
	struct sigv4_header none[] = {{"Host", "h"}};
	struct sigv4_header other[] = {{"Host", "h"}, {"X-Amz-Date", "20240115T120001Z"}};
	struct sigv4_request req = request(none, 1);
	struct sigv4_signer s = signer(EX_DATE);

	(void)state;
	sign_fails(&req, &s, ERR_CONFIG);
	req = request(other, 2);
	sign_fails(&req, &s, ERR_CONFIG);
}

static void test_bad_amz_date(void **state)
{
	static const char *bad[] = {"",
	                            "20240115T120000",
	                            "20240115T120000ZZ",
	                            "2024-01-15T12:00:00Z",
	                            "20240115 120000Z",
	                            "20241315T120000Z",
	                            "20240100T120000Z",
	                            "20240115T250000Z",
	                            "20240115T126000Z",
	                            "2024011xT120000Z",
	                            "20240115t120000z",
	                            "+0240115T120000Z"};
	struct sigv4_header h[] = {{"Host", "h"}, {"X-Amz-Date", ""}};
	struct sigv4_request req = request(h, 2);
	struct sigv4_signer s;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		h[1].value = bad[i];
		s = signer(bad[i]);
		sign_fails(&req, &s, ERR_CONFIG);
	}
	s = signer(NULL);
	sign_fails(&req, &s, ERR_CONFIG);
}

static void test_bad_signer_and_request(void **state)
{
	struct sigv4_header h[] = {{"Host", "h"}, {"X-Amz-Date", EX_DATE}};
	struct sigv4_header crlf[] = {{"Host", "h"}, {"X-Amz-Date", EX_DATE}, {"X-A", "a\r\nB: c"}};
	struct sigv4_header badname[] = {{"Host", "h"}, {"X-Amz-Date", EX_DATE}, {"X A", "v"}};
	struct sigv4_header many[129];
	struct sigv4_request req = request(h, 2);
	struct sigv4_signer s = signer(EX_DATE);
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(many) / sizeof(many[0]); i++)
		many[i] = i == 0 ? h[0] : h[1];
	s.region = "us-east-1/x";
	sign_fails(&req, &s, ERR_CONFIG);
	s = signer(EX_DATE);
	s.secret_access_key = "";
	sign_fails(&req, &s, ERR_CREDS);
	s = signer(EX_DATE);
	s.access_key_id = NULL;
	sign_fails(&req, &s, ERR_CREDS);
	s = signer(EX_DATE);
	req.method = "";
	sign_fails(&req, &s, ERR_CONFIG);
	req = request(h, 2);
	req.body_len = 3;
	sign_fails(&req, &s, ERR_CONFIG);
	req = request(many, sizeof(many) / sizeof(many[0]));
	sign_fails(&req, &s, ERR_LIMIT);
	req = request(crlf, 3);
	sign_fails(&req, &s, ERR_CONFIG);
	req = request(badname, 3);
	sign_fails(&req, &s, ERR_CONFIG);
}

static void test_repeated_headers_joined(void **state)
{
	struct sigv4_header h[] = {{"My-Header1", "value4"},   {"X-Amz-Date", EX_DATE},
	                           {"my-header1", " value1 "}, {"Host", "h"},
	                           {"MY-HEADER1", "value3"},   {"A", ""},
	                           {"My-Header1", "value2"}};
	struct sigv4_request req = request(h, 7);
	char *creq = canonical_of(&req);

	(void)state;
	assert_string_equal(creq, "POST\n/\n\n"
	                          "a:\n"
	                          "host:h\n"
	                          "my-header1:value4,value1,value3,value2\n"
	                          "x-amz-date:" EX_DATE "\n\n"
	                          "a;host;my-header1;x-amz-date\n" EMPTY_SHA);
	free(creq);
}

static void test_whitespace_folding(void **state)
{
	struct sigv4_header h[] = {{"Host", "\t h \t"},
	                           {"X-Amz-Date", " " EX_DATE "\t"},
	                           {"My-Header2", "  \"a   b \t\t c\"  "},
	                           {"My-Header3", "a\tb"},
	                           {"My-Header4", " \t "}};
	struct sigv4_request req = request(h, 5);
	char *creq = canonical_of(&req);
	char *line3 = line_of(creq, 3), *line4 = line_of(creq, 4), *line5 = line_of(creq, 5);
	char *line6 = line_of(creq, 6);

	(void)state;
	assert_string_equal(line3, "host:h");
	assert_string_equal(line4, "my-header2:\"a b c\"");
	assert_string_equal(line5, "my-header3:a b");
	assert_string_equal(line6, "my-header4:");
	free(line3);
	free(line4);
	free(line5);
	free(line6);
	free(creq);
}

/* path_of returns the CanonicalURI line for path. */
static char *path_of(const char *path, bool normalize)
{
	struct sigv4_header h[] = {{"Host", "h"}, {"X-Amz-Date", EX_DATE}};
	struct sigv4_request req = request(h, 2);
	char *creq, *line;

	req.path = path;
	req.normalize_path = normalize;
	creq = canonical_of(&req);
	line = line_of(creq, 1);
	free(creq);
	return line;
}

static void check_path(const char *path, bool normalize, const char *want)
{
	char *got = path_of(path, normalize);
	bool same = strcmp(got, want) == 0;

	if (!same)
		print_error("path '%s' (normalize %d): want '%s', got '%s'\n", path, normalize,
		            want, got);
	free(got);
	assert_true(same);
}

static void test_paths(void **state)
{
	(void)state;
	check_path("", true, "/");
	check_path(NULL, true, "/");
	check_path("/", true, "/");
	check_path("/a/./b/../c//d/", true, "/a/c/d/");
	check_path("/a/b/..", true, "/a");
	check_path("/a/b/.", true, "/a/b");
	check_path("/../..", true, "/");
	check_path("/..a/.b/...", true, "/..a/.b/...");
	check_path("/%2F x/\xc3\xa9", true, "/%252F%20x/%C3%A9");
	check_path("/a+b=c:d@e!f$g'h(i)j*k,l;m", true,
	           "/a%2Bb%3Dc%3Ad%40e%21f%24g%27h%28i%29j%2Ak%2Cl%3Bm");
	check_path("//a/../", false, "//a/../");
	check_path("/a b/", false, "/a%20b/");
}

static char *query_of(const char *query)
{
	struct sigv4_header h[] = {{"Host", "h"}, {"X-Amz-Date", EX_DATE}};
	struct sigv4_request req = request(h, 2);
	char *creq, *line;

	req.query = query;
	creq = canonical_of(&req);
	line = line_of(creq, 2);
	free(creq);
	return line;
}

static void check_query(const char *query, const char *want)
{
	char *got = query_of(query);
	bool same = strcmp(got, want) == 0;

	if (!same)
		print_error("query '%s': want '%s', got '%s'\n", query, want, got);
	free(got);
	assert_true(same);
}

static void test_queries(void **state)
{
	(void)state;
	check_query("", "");
	check_query("b=2&a=x y&a=1&c", "a=1&a=x%20y&b=2&c=");
	check_query("%E1%88%B4=v&\xe1\x88\xb4=u", "%E1%88%B4=u&%E1%88%B4=v");
	check_query("k=%zz&j=%2f&i=%4", "i=%254&j=%2F&k=%25zz");
	check_query("Param-3=Value3&Param=Value2", "Param=Value2&Param-3=Value3");
	check_query("&&a=b=c&", "a=b%3Dc");
	check_query("=v", "=v");
	check_query("a+b=c/d:e", "a%2Bb=c%2Fd%3Ae");
}

static void test_content_sha256_replaces_hash(void **state)
{
	struct sigv4_header h[] = {{"Host", "h"},
	                           {"X-Amz-Date", EX_DATE},
	                           {"X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD"}};
	struct sigv4_request req = request(h, 3);
	char *creq, *last;

	(void)state;
	req.body = "x";
	req.body_len = 1;
	creq = canonical_of(&req);
	last = strrchr(creq, '\n');
	assert_non_null(last);
	assert_string_equal(last + 1, "UNSIGNED-PAYLOAD");
	free(creq);
}

static void test_result_reused(void **state)
{
	struct sigv4_result out;
	char first[65];

	(void)state;
	sigv4_result_init(&out);
	sign_example(NULL, &out);
	memcpy(first, out.signature, sizeof(first));
	sign_example("FQoGZXIvYXdzEXAMPLETOKEN", &out);
	sign_example(NULL, &out);
	assert_string_equal(out.signature, first);
	assert_int_equal(out.canonical_request.len, strlen(buf_cstr(&out.canonical_request)));
	assert_null(strstr(buf_cstr(&out.canonical_request), "security-token"));
	sigv4_result_release(&out);
	assert_null(out.authorization.data);
}

static void test_amz_date_and_sha256(void **state)
{
	char d[17], hex[65];

	(void)state;
	sigv4_amz_date(0, d);
	assert_string_equal(d, "19700101T000000Z");
	sigv4_amz_date(1705320000, d);
	assert_string_equal(d, EX_DATE);
	sigv4_amz_date(1440938160, d);
	assert_string_equal(d, "20150830T123600Z");
	if (sizeof(time_t) > 4) {
		sigv4_amz_date((time_t)300000000000LL, d); /* year ~11476 */
		assert_string_equal(d, "");
	}
	sigv4_sha256_hex(NULL, 0, hex);
	assert_string_equal(hex, EMPTY_SHA);
	sigv4_sha256_hex("abc", 3, hex);
	assert_string_equal(hex,
	                    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	sigv4_sha256_hex(EX_BODY, strlen(EX_BODY), hex);
	assert_string_equal(hex, EX_BODY_SHA);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_example_no_token),
	        cmocka_unit_test(test_example_with_token),
	        cmocka_unit_test(test_official_vectors),
	        cmocka_unit_test(test_missing_host),
	        cmocka_unit_test(test_missing_or_wrong_date_header),
	        cmocka_unit_test(test_bad_amz_date),
	        cmocka_unit_test(test_bad_signer_and_request),
	        cmocka_unit_test(test_repeated_headers_joined),
	        cmocka_unit_test(test_whitespace_folding),
	        cmocka_unit_test(test_paths),
	        cmocka_unit_test(test_queries),
	        cmocka_unit_test(test_content_sha256_replaces_hash),
	        cmocka_unit_test(test_result_reused),
	        cmocka_unit_test(test_amz_date_and_sha256),
	};

	return cmocka_run_group_tests_name("sigv4", tests, NULL, NULL);
}
