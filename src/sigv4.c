/*
 * sigv4.c - AWS Signature Version 4 for request headers, pure.
 *
 * The three steps of the spec, in order: "Create a canonical request",
 * "Create a string to sign", "Calculate the signature" (aws-reference.md
 * §2.1-2.3). No clock, no I/O, no output. The chained HMAC keys live in
 * stack arrays or a struct buf and are wiped on every path.
 */
#include "sigv4.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#define SIGV4_ALGORITHM        "AWS4-HMAC-SHA256"
#define SIGV4_TERMINATOR       "aws4_request"
#define TERMINATOR_LEN         (sizeof(SIGV4_TERMINATOR) - 1)
#define SIGV4_KEY_BYTES        32
#define SIGV4_MAX_HEADERS      128
#define SIGV4_MAX_QUERY_PARAMS 512
#define SIGV4_MAX_FIELD_BYTES  ((size_t)64 * 1024) /* one path, query, header value */
#define SIGV4_MAX_SECRET_BYTES 1024

/* One header to sign; pos keeps the sort stable for repeated names. */
struct sigv4_hdr {
	const char *name;
	size_t name_len;
	const char *value;
	size_t pos;
};

/* One query parameter, encoded; offsets into the scratch buffer first,
 * pointers once the buffer has stopped moving. */
struct sigv4_qparam {
	size_t key_off, key_len, value_off, value_len;
	const char *key, *value;
};

static const char hex_lower[] = "0123456789abcdef";
static const char hex_upper[] = "0123456789ABCDEF";

static bool is_unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_' || c == '.' || c == '~';
}

/* RFC 9110 token characters: what a header name or a method may hold. */
static bool is_tchar(unsigned char c)
{
	return is_unreserved(c) || (c != '\0' && strchr("!#$%&'*+^`|", c) != NULL);
}

static bool is_ows(char c)
{
	return c == ' ' || c == '\t';
}

static unsigned char to_lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

static int hex_value(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static void hex_encode(const unsigned char *p, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hex_lower[p[i] >> 4];
		out[2 * i + 1] = hex_lower[p[i] & 0x0f];
	}
	out[2 * n] = '\0';
}

/* sigv4_sha256_hex: lower-case hex SHA-256 of p[0..n); p may be NULL when n is 0. */
void sigv4_sha256_hex(const void *p, size_t n, char out[65])
{
	unsigned char md[SHA256_DIGEST_LENGTH];

	SHA256(n > 0 ? p : (const void *)"", n, md);
	hex_encode(md, sizeof(md), out);
}

/* sigv4_amz_date: t as "YYYYMMDDTHHMMSSZ" in UTC; "" when t does not fit. */
void sigv4_amz_date(time_t t, char out[17])
{
	struct tm tm;

	/* A year past 9999 does not fit: leave "" so sigv4_sign refuses it. */
	if (gmtime_r(&t, &tm) == NULL || strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm) != 16)
		out[0] = '\0';
}

/* sigv4_result_init: an empty result that owns nothing yet. */
void sigv4_result_init(struct sigv4_result *r)
{
	buf_init(&r->canonical_request);
	buf_init(&r->string_to_sign);
	buf_init(&r->authorization);
	memset(r->signature, 0, sizeof(r->signature));
}

/* sigv4_result_release: wipe and free everything r holds; r stays usable. */
void sigv4_result_release(struct sigv4_result *r)
{
	buf_release(&r->canonical_request);
	buf_release(&r->string_to_sign);
	buf_release(&r->authorization);
	mem_wipe(r->signature, sizeof(r->signature));
}

/* --- input checks --- */

/* digits_in checks that p[0..n) are digits forming a number in [lo, hi]. */
static bool digits_in(const char *p, size_t n, int lo, int hi)
{
	int v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return false;
		v = v * 10 + (p[i] - '0');
	}
	return v >= lo && v <= hi;
}

/* valid_amz_date accepts exactly "YYYYMMDDTHHMMSSZ" (§2.1 step 1). */
static bool valid_amz_date(const char *d)
{
	if (d == NULL || strlen(d) != 16 || d[8] != 'T' || d[15] != 'Z')
		return false;
	return digits_in(d, 4, 1, 9999) && digits_in(d + 4, 2, 1, 12) &&
	       digits_in(d + 6, 2, 1, 31) && digits_in(d + 9, 2, 0, 23) &&
	       digits_in(d + 11, 2, 0, 59) && digits_in(d + 13, 2, 0, 60);
}

/* scope_part accepts a non-empty printable string without '/' or spaces:
 * it goes into the credential scope and the Authorization header. */
static bool scope_part(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (p == NULL || *p == '\0')
		return false;
	for (; *p != '\0'; p++)
		if (*p <= ' ' || *p >= 0x7f || *p == '/')
			return false;
	return true;
}

static bool token(const char *s, size_t max)
{
	size_t i;

	if (s == NULL || s[0] == '\0')
		return false;
	for (i = 0; s[i] != '\0'; i++)
		if (i >= max || !is_tchar((unsigned char)s[i]))
			return false;
	return true;
}

static int check_signer(const struct sigv4_signer *s, struct err *e)
{
	if (!scope_part(s->access_key_id))
		return err_set(e, ERR_CREDS, "unable to sign: invalid access key id");
	if (s->secret_access_key == NULL || s->secret_access_key[0] == '\0')
		return err_set(e, ERR_CREDS, "unable to sign: empty secret access key");
	if (strlen(s->secret_access_key) > SIGV4_MAX_SECRET_BYTES)
		return err_set(e, ERR_LIMIT, "unable to sign: secret access key too long");
	if (!scope_part(s->region))
		return err_set(e, ERR_CONFIG, "unable to sign: invalid region");
	if (!scope_part(s->service))
		return err_set(e, ERR_CONFIG, "unable to sign: invalid service name");
	if (!valid_amz_date(s->amz_date))
		return err_set(e, ERR_CONFIG, "unable to sign: malformed amz_date '%.32s'",
		               s->amz_date != NULL ? s->amz_date : "");
	return 0;
}

/* check_value refuses control characters other than tab (no CR/LF may
 * reach the wire through a signed header) and overlong values. */
static int check_value(const struct sigv4_header *h, struct err *e)
{
	const unsigned char *p = (const unsigned char *)h->value;
	size_t i;

	if (p == NULL)
		return err_set(e, ERR_CONFIG, "unable to sign: no value for header '%s'", h->name);
	for (i = 0; p[i] != '\0'; i++) {
		if (i >= SIGV4_MAX_FIELD_BYTES)
			return err_set(e, ERR_LIMIT, "unable to sign: header '%s' too long",
			               h->name);
		if ((p[i] < ' ' && p[i] != '\t') || p[i] == 0x7f)
			return err_set(e, ERR_CONFIG,
			               "unable to sign: control character in header '%s'", h->name);
	}
	return 0;
}

static int check_request(const struct sigv4_request *req, struct err *e)
{
	size_t i;

	if (!token(req->method, 32))
		return err_set(e, ERR_CONFIG, "unable to sign: invalid method");
	if (req->body == NULL && req->body_len > 0)
		return err_set(e, ERR_CONFIG, "unable to sign: body length without a body");
	if (req->nheaders > SIGV4_MAX_HEADERS)
		return err_set(e, ERR_LIMIT, "unable to sign: more than %d headers",
		               SIGV4_MAX_HEADERS);
	if (req->nheaders > 0 && req->headers == NULL)
		return err_set(e, ERR_CONFIG, "unable to sign: no header array");
	for (i = 0; i < req->nheaders; i++) {
		if (!token(req->headers[i].name, 256))
			return err_set(e, ERR_CONFIG, "unable to sign: invalid header name");
		if (check_value(&req->headers[i], e) < 0)
			return -1;
	}
	return 0;
}

/* --- step 1: canonical request --- */

/* uri_encode appends p[0..n) with every byte but the unreserved ones (and
 * '/' when keep_slash) as upper-case %XX (§2.3, RFC 3986 §2.3). */
static int uri_encode(struct buf *b, const char *p, size_t n, bool keep_slash, struct err *e)
{
	char pct[3] = {'%', 0, 0};
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if (is_unreserved(c) || (keep_slash && c == '/')) {
			if (buf_putc(b, (char)c, e) < 0)
				return -1;
			continue;
		}
		pct[1] = hex_upper[c >> 4];
		pct[2] = hex_upper[c & 0x0f];
		if (buf_append(b, pct, 3, e) < 0)
			return -1;
	}
	return 0;
}

/* drop_segment removes the last "/segment" of a normalized path. */
static void drop_segment(struct buf *b)
{
	size_t n = b->len;

	while (n > 0 && b->data[n - 1] != '/')
		n--;
	buf_truncate(b, n > 0 ? n - 1 : 0);
}

/* normalize_path removes dot segments (RFC 3986 §5.2.4) and empty ones
 * ("//"), always starts with '/' and keeps a trailing slash. */
static int normalize_path(struct buf *out, const char *path, struct err *e)
{
	size_t len = strlen(path), i = 0;

	while (i < len) {
		size_t n = strcspn(path + i, "/");
		if (n == 2 && path[i] == '.' && path[i + 1] == '.') {
			drop_segment(out);
		} else if (n > 0 && !(n == 1 && path[i] == '.')) {
			if (buf_putc(out, '/', e) < 0 || buf_append(out, path + i, n, e) < 0)
				return -1;
		}
		i += n + 1;
	}
	if (out->len == 0 || (len > 0 && path[len - 1] == '/'))
		return buf_putc(out, '/', e);
	return 0;
}

/* put_path appends CanonicalURI (§2.3): the path, normalized unless the
 * caller asked not to, then encoded byte by byte. An input '%' becomes
 * "%25": the path is encoded again, as botocore and the vectors do. */
static int put_path(struct buf *cr, const struct sigv4_request *req, struct err *e)
{
	const char *path = req->path != NULL && req->path[0] != '\0' ? req->path : "/";
	struct buf norm = BUF_INIT;
	int rc = -1;

	if (strlen(path) > SIGV4_MAX_FIELD_BYTES)
		return err_set(e, ERR_LIMIT, "unable to sign: path too long");
	if (!req->normalize_path)
		return uri_encode(cr, path, strlen(path), true, e);
	if (normalize_path(&norm, path, e) == 0)
		rc = uri_encode(cr, norm.data, norm.len, true, e);
	buf_release(&norm);
	return rc;
}

/* put_query_part appends p[0..n) decoded from %XX and encoded afresh, so
 * raw and already-encoded input give the same text (the vectors want
 * both); a '%' not followed by two hex digits is a literal '%'. */
static int put_query_part(struct buf *b, const char *p, size_t n, struct err *e)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char c = p[i];

		if (c == '%' && i + 2 < n) {
			int hi = hex_value((unsigned char)p[i + 1]);
			int lo = hex_value((unsigned char)p[i + 2]);
			if (hi >= 0 && lo >= 0) {
				c = (char)(hi << 4 | lo);
				i += 2;
			}
		}
		if (uri_encode(b, &c, 1, false, e) < 0)
			return -1;
	}
	return 0;
}

/* encode_query splits q on '&' and '=', encodes each key and value into
 * enc and records where they are; "k" becomes key "k", value "". */
static int encode_query(struct buf *enc, const char *q, struct sigv4_qparam *qp, size_t *np,
                        struct err *e)
{
	size_t i = 0, len = strlen(q);

	*np = 0;
	while (i < len) {
		size_t n = strcspn(q + i, "&"), k = strcspn(q + i, "=");

		if (n > 0) {
			k = k < n ? k : n;
			qp[*np].key_off = enc->len;
			if (put_query_part(enc, q + i, k, e) < 0)
				return -1;
			qp[*np].key_len = enc->len - qp[*np].key_off;
			qp[*np].value_off = enc->len;
			if (k < n && put_query_part(enc, q + i + k + 1, n - k - 1, e) < 0)
				return -1;
			qp[*np].value_len = enc->len - qp[*np].value_off;
			(*np)++;
		}
		i += n + 1;
	}
	return 0;
}

static int cmp_bytes(const char *a, size_t an, const char *b, size_t bn)
{
	int c = memcmp(a, b, an < bn ? an : bn);

	if (c != 0)
		return c;
	return an < bn ? -1 : an > bn;
}

/* Sort by encoded key, then by encoded value (§2.3). */
static int cmp_qparam(const void *a, const void *b)
{
	const struct sigv4_qparam *x = a, *y = b;
	int c = cmp_bytes(x->key, x->key_len, y->key, y->key_len);

	return c != 0 ? c : cmp_bytes(x->value, x->value_len, y->value, y->value_len);
}

static size_t count_pieces(const char *q)
{
	size_t n = 1;

	for (; *q != '\0'; q++)
		n += *q == '&';
	return n;
}

/* put_query appends CanonicalQueryString: "k=v" pairs joined by '&'. */
static int put_query(struct buf *cr, const char *query, struct err *e)
{
	struct buf enc = BUF_INIT;
	struct sigv4_qparam *qp = NULL;
	size_t n = 0, i;
	int rc = -1;

	if (query == NULL || query[0] == '\0')
		return 0;
	if (strlen(query) > SIGV4_MAX_FIELD_BYTES || count_pieces(query) > SIGV4_MAX_QUERY_PARAMS)
		return err_set(e, ERR_LIMIT, "unable to sign: query string too long");
	qp = calloc(count_pieces(query), sizeof(*qp));
	if (qp == NULL)
		return err_nomem(e);
	if (encode_query(&enc, query, qp, &n, e) < 0)
		goto cleanup;
	for (i = 0; i < n; i++) {
		qp[i].key = enc.data + qp[i].key_off;
		qp[i].value = enc.data + qp[i].value_off;
	}
	qsort(qp, n, sizeof(*qp), cmp_qparam);
	for (i = 0, rc = 0; i < n && rc == 0; i++)
		if ((i > 0 && buf_putc(cr, '&', e) < 0) ||
		    buf_append(cr, qp[i].key, qp[i].key_len, e) < 0 || buf_putc(cr, '=', e) < 0 ||
		    buf_append(cr, qp[i].value, qp[i].value_len, e) < 0)
			rc = -1;
cleanup:
	free(qp);
	buf_release(&enc);
	return rc;
}

/* Sort by lower-case name; equal names keep their given order (§2.2). */
static int cmp_hdr(const void *a, const void *b)
{
	const struct sigv4_hdr *x = a, *y = b;
	size_t n = x->name_len < y->name_len ? x->name_len : y->name_len, i;

	for (i = 0; i < n; i++) {
		unsigned char cx = to_lower((unsigned char)x->name[i]);
		unsigned char cy = to_lower((unsigned char)y->name[i]);
		if (cx != cy)
			return cx < cy ? -1 : 1;
	}
	if (x->name_len != y->name_len)
		return x->name_len < y->name_len ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* sort_headers returns a sorted, caller-freed copy of req's headers. */
static struct sigv4_hdr *sort_headers(const struct sigv4_request *req, struct err *e)
{
	struct sigv4_hdr *h = calloc(req->nheaders + 1, sizeof(*h));
	size_t i;

	if (h == NULL) {
		err_nomem(e);
		return NULL;
	}
	for (i = 0; i < req->nheaders; i++) {
		h[i].name = req->headers[i].name;
		h[i].name_len = strlen(h[i].name);
		h[i].value = req->headers[i].value;
		h[i].pos = i;
	}
	qsort(h, req->nheaders, sizeof(*h), cmp_hdr);
	return h;
}

static bool same_name(const struct sigv4_hdr *x, const struct sigv4_hdr *y)
{
	size_t i;

	if (x->name_len != y->name_len)
		return false;
	for (i = 0; i < x->name_len; i++)
		if (to_lower((unsigned char)x->name[i]) != to_lower((unsigned char)y->name[i]))
			return false;
	return true;
}

static bool name_is(const struct sigv4_hdr *h, const char *lower)
{
	size_t i;

	if (h->name_len != strlen(lower))
		return false;
	for (i = 0; i < h->name_len; i++)
		if (to_lower((unsigned char)h->name[i]) != (unsigned char)lower[i])
			return false;
	return true;
}

/* trim returns the start of v without surrounding blanks, length in *n. */
static const char *trim(const char *v, size_t *n)
{
	size_t len;

	while (is_ows(*v))
		v++;
	len = strlen(v);
	while (len > 0 && is_ows(v[len - 1]))
		len--;
	*n = len;
	return v;
}

/* find_header returns the first header called lower (trimmed value
 * length in *n), or NULL. */
static const char *find_header(const struct sigv4_hdr *h, size_t nh, const char *lower, size_t *n)
{
	size_t i;

	for (i = 0; i < nh; i++)
		if (name_is(&h[i], lower))
			return trim(h[i].value, n);
	return NULL;
}

/* check_required: host and x-amz-date are signed, and the date header
 * says the same time as the scope (§2.2). */
static int check_required(const struct sigv4_hdr *h, size_t nh, const char *amz_date, struct err *e)
{
	const char *v;
	size_t n = 0;

	v = find_header(h, nh, "host", &n);
	if (v == NULL || n == 0)
		return err_set(e, ERR_CONFIG, "unable to sign: no host header");
	v = find_header(h, nh, "x-amz-date", &n);
	if (v == NULL)
		return err_set(e, ERR_CONFIG, "unable to sign: no x-amz-date header");
	if (n != strlen(amz_date) || memcmp(v, amz_date, n) != 0)
		return err_set(e, ERR_CONFIG,
		               "unable to sign: x-amz-date header differs from the signing time");
	return 0;
}

/* put_value appends a header value trimmed, with each inner run of blanks
 * folded to one space (§2.2 "Trimall"). */
static int put_value(struct buf *b, const char *v, struct err *e)
{
	size_t n, i = 0;

	v = trim(v, &n);
	while (i < n) {
		size_t run = 0;
		while (i + run < n && !is_ows(v[i + run]))
			run++;
		if (buf_append(b, v + i, run, e) < 0)
			return -1;
		i += run;
		if (i < n && buf_putc(b, ' ', e) < 0)
			return -1;
		while (i < n && is_ows(v[i]))
			i++;
	}
	return 0;
}

static int put_lower(struct buf *b, const char *p, size_t n, struct err *e)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (buf_putc(b, (char)to_lower((unsigned char)p[i]), e) < 0)
			return -1;
	return 0;
}

/* put_headers appends CanonicalHeaders ("name:v1,v2\n" per name) to cr
 * and SignedHeaders ("a;b;c") to sh (§2.1 step 2, §2.2). */
static int put_headers(struct buf *cr, struct buf *sh, const struct sigv4_hdr *h, size_t nh,
                       struct err *e)
{
	size_t i;

	for (i = 0; i < nh; i++) {
		if (i > 0 && same_name(&h[i - 1], &h[i])) {
			if (buf_putc(cr, ',', e) < 0)
				return -1;
		} else {
			if ((i > 0 && (buf_putc(cr, '\n', e) < 0 || buf_putc(sh, ';', e) < 0)) ||
			    put_lower(cr, h[i].name, h[i].name_len, e) < 0 ||
			    put_lower(sh, h[i].name, h[i].name_len, e) < 0 ||
			    buf_putc(cr, ':', e) < 0)
				return -1;
		}
		if (put_value(cr, h[i].value, e) < 0)
			return -1;
	}
	return nh > 0 ? buf_putc(cr, '\n', e) : 0;
}

/* put_payload_hash appends hex(SHA256(body)), or the x-amz-content-sha256
 * value when the caller signs one: it replaces the hash (§2.2). */
static int put_payload_hash(struct buf *cr, const struct sigv4_request *req,
                            const struct sigv4_hdr *h, struct err *e)
{
	char hex[65];
	const char *v;
	size_t n = 0;

	v = find_header(h, req->nheaders, "x-amz-content-sha256", &n);
	if (v != NULL)
		return buf_append(cr, v, n, e);
	sigv4_sha256_hex(req->body, req->body_len, hex);
	return buf_puts(cr, hex, e);
}

/* canonical_request builds METHOD\nURI\nQUERY\nHEADERS\nSIGNED\nHASH
 * (§2.1 step 2) into cr, and the signed header list into sh. */
static int canonical_request(const struct sigv4_request *req, const struct sigv4_hdr *h,
                             struct buf *cr, struct buf *sh, struct err *e)
{
	if (buf_puts(cr, req->method, e) < 0 || buf_putc(cr, '\n', e) < 0)
		return -1;
	if (put_path(cr, req, e) < 0 || buf_putc(cr, '\n', e) < 0)
		return -1;
	if (put_query(cr, req->query, e) < 0 || buf_putc(cr, '\n', e) < 0)
		return -1;
	if (put_headers(cr, sh, h, req->nheaders, e) < 0 || buf_putc(cr, '\n', e) < 0)
		return -1;
	if (buf_append(cr, sh->data, sh->len, e) < 0 || buf_putc(cr, '\n', e) < 0)
		return -1;
	return put_payload_hash(cr, req, h, e);
}

/* --- step 2: string to sign --- */

/* put_scope appends "<date>/<region>/<service>/aws4_request" (§2.1 step 3). */
static int put_scope(struct buf *b, const struct sigv4_signer *s, struct err *e)
{
	if (buf_append(b, s->amz_date, 8, e) < 0 || buf_putc(b, '/', e) < 0 ||
	    buf_puts(b, s->region, e) < 0 || buf_putc(b, '/', e) < 0 ||
	    buf_puts(b, s->service, e) < 0 || buf_putc(b, '/', e) < 0)
		return -1;
	return buf_puts(b, SIGV4_TERMINATOR, e);
}

/* string_to_sign: algorithm, date, scope, hex(SHA256(cr)) (§2.1 step 4). */
static int string_to_sign(struct buf *sts, const struct sigv4_signer *s, const struct buf *cr,
                          struct err *e)
{
	char hex[65];

	sigv4_sha256_hex(cr->data, cr->len, hex);
	if (buf_puts(sts, SIGV4_ALGORITHM "\n", e) < 0 || buf_puts(sts, s->amz_date, e) < 0 ||
	    buf_putc(sts, '\n', e) < 0 || put_scope(sts, s, e) < 0 || buf_putc(sts, '\n', e) < 0)
		return -1;
	return buf_puts(sts, hex, e);
}

/* --- step 3: signing key and signature --- */

static int hmac_sha256(const void *key, size_t key_len, const void *msg, size_t msg_len,
                       unsigned char out[SIGV4_KEY_BYTES], struct err *e)
{
	unsigned int len = 0;

	if (key_len > INT_MAX)
		return err_set(e, ERR_LIMIT, "unable to sign: key too long");
	if (HMAC(EVP_sha256(), key, (int)key_len, msg, msg_len, out, &len) == NULL ||
	    len != SIGV4_KEY_BYTES)
		return err_set(e, ERR_NOMEM, "unable to sign: hmac-sha256 failed");
	return 0;
}

/* derive_key computes kSigning from "AWS4"+secret through kDate, kRegion
 * and kService (§2.1 step 5). Every intermediate is wiped; so is ksigning
 * on failure. */
static int derive_key(const struct sigv4_signer *s, unsigned char ksigning[SIGV4_KEY_BYTES],
                      struct err *e)
{
	struct buf secret = BUF_INIT;
	unsigned char ka[SIGV4_KEY_BYTES], kb[SIGV4_KEY_BYTES];
	int rc = -1;

	if (buf_puts(&secret, "AWS4", e) < 0 || buf_puts(&secret, s->secret_access_key, e) < 0)
		goto cleanup;
	if (hmac_sha256(secret.data, secret.len, s->amz_date, 8, ka, e) < 0 ||
	    hmac_sha256(ka, sizeof(ka), s->region, strlen(s->region), kb, e) < 0 ||
	    hmac_sha256(kb, sizeof(kb), s->service, strlen(s->service), ka, e) < 0 ||
	    hmac_sha256(ka, sizeof(ka), SIGV4_TERMINATOR, TERMINATOR_LEN, ksigning, e) < 0)
		goto cleanup;
	rc = 0;
cleanup:
	mem_wipe(ka, sizeof(ka));
	mem_wipe(kb, sizeof(kb));
	buf_release(&secret);
	if (rc < 0)
		mem_wipe(ksigning, SIGV4_KEY_BYTES);
	return rc;
}

/* signature writes hex(HMAC(kSigning, sts)) into out (§2.1 step 6). */
static int signature(const struct sigv4_signer *s, const struct buf *sts, char out[65],
                     struct err *e)
{
	unsigned char ksigning[SIGV4_KEY_BYTES], sig[SIGV4_KEY_BYTES];
	int rc = -1;

	if (derive_key(s, ksigning, e) < 0)
		goto cleanup;
	if (hmac_sha256(ksigning, sizeof(ksigning), sts->data, sts->len, sig, e) < 0)
		goto cleanup;
	hex_encode(sig, sizeof(sig), out);
	rc = 0;
cleanup:
	mem_wipe(ksigning, sizeof(ksigning));
	mem_wipe(sig, sizeof(sig));
	return rc;
}

/* authorization: "AWS4-HMAC-SHA256 Credential=<akid>/<scope>,
 * SignedHeaders=<sh>, Signature=<sig>" (§2.1 step 7). */
static int authorization(struct buf *a, const struct sigv4_signer *s, const struct buf *sh,
                         const char *sig, struct err *e)
{
	if (buf_puts(a, SIGV4_ALGORITHM " Credential=", e) < 0 ||
	    buf_puts(a, s->access_key_id, e) < 0 || buf_putc(a, '/', e) < 0 ||
	    put_scope(a, s, e) < 0 || buf_puts(a, ", SignedHeaders=", e) < 0 ||
	    buf_append(a, sh->data, sh->len, e) < 0 || buf_puts(a, ", Signature=", e) < 0)
		return -1;
	return buf_puts(a, sig, e);
}

/* sigv4_sign: canonical request, string to sign, signature, Authorization value
 * into out (initialised by the caller; old contents are dropped). On failure out
 * is left empty and e says why; the signing keys are wiped either way. */
int sigv4_sign(const struct sigv4_request *req, const struct sigv4_signer *s,
               struct sigv4_result *out, struct err *e)
{
	struct sigv4_hdr *h = NULL;
	struct buf sh = BUF_INIT;
	int rc = -1;

	sigv4_result_release(out);
	if (check_signer(s, e) < 0 || check_request(req, e) < 0)
		goto cleanup;
	h = sort_headers(req, e);
	if (h == NULL || check_required(h, req->nheaders, s->amz_date, e) < 0)
		goto cleanup;
	if (canonical_request(req, h, &out->canonical_request, &sh, e) < 0 ||
	    string_to_sign(&out->string_to_sign, s, &out->canonical_request, e) < 0 ||
	    signature(s, &out->string_to_sign, out->signature, e) < 0 ||
	    authorization(&out->authorization, s, &sh, out->signature, e) < 0)
		goto cleanup;
	rc = 0;
cleanup:
	free(h);
	buf_release(&sh);
	if (rc < 0)
		sigv4_result_release(out);
	return rc;
}
