/*
 * sts.c - AssumeRole, AssumeRoleWithWebIdentity and GetCallerIdentity:
 * form bodies, XML answers, and the calls through aws_call.
 */
#include "sts.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define STS_CONTENT_TYPE "application/x-www-form-urlencoded; charset=utf-8"
#define STS_VERSION      "2011-06-15"
#define STS_MAX_TAG      64

/* ---- form bodies ------------------------------------------------------- */

/* form_add appends "&key=value" (RFC 3986 percent-encoding, as botocore's
 * query serializer does) to body. */
static int form_add(struct buf *body, const char *key, const char *value, size_t n, struct err *e)
{
	static const char hex[] = "0123456789ABCDEF";

	if (buf_printf(body, e, "%s%s=", body->len ? "&" : "", key) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)value[i];
		char enc[3] = {'%', hex[ch >> 4], hex[ch & 15]};

		if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
		    (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '.' || ch == '~') {
			if (buf_putc(body, (char)ch, e) < 0)
				return -1;
		} else if (buf_append(body, enc, 3, e) < 0) {
			return -1;
		}
	}
	return 0;
}

static int form_str(struct buf *body, const char *key, const char *value, struct err *e)
{
	return form_add(body, key, value, strlen(value), e);
}

int sts_form_body(struct buf *body, const char *action, const struct sts_role_args *a,
                  struct err *e)
{
	char dur[24];

	buf_truncate(body, 0);
	if (form_str(body, "Action", action, e) < 0 ||
	    form_str(body, "Version", STS_VERSION, e) < 0)
		return -1;
	if (a == NULL)
		return 0;
	if (form_str(body, "RoleArn", a->role_arn, e) < 0 ||
	    form_str(body, "RoleSessionName", a->session_name, e) < 0)
		return -1;
	if (a->duration_s > 0) {
		snprintf(dur, sizeof(dur), "%ld", a->duration_s);
		if (form_str(body, "DurationSeconds", dur, e) < 0)
			return -1;
	}
	if (a->external_id != NULL && form_str(body, "ExternalId", a->external_id, e) < 0)
		return -1;
	if (a->web_identity_token != NULL &&
	    form_add(body, "WebIdentityToken", buf_cstr(a->web_identity_token),
	             a->web_identity_token->len, e) < 0)
		return -1;
	return 0;
}

/* ---- XML --------------------------------------------------------------- */

/* find is memmem: the first n bytes of needle in [p, end), or NULL. */
static const char *find(const char *p, const char *end, const char *needle, size_t n)
{
	for (; p != NULL && (size_t)(end - p) >= n; p++) {
		p = memchr(p, needle[0], (size_t)(end - p) - n + 1);
		if (p == NULL || memcmp(p, needle, n) == 0)
			return p;
	}
	return NULL;
}

/* xml_element finds <tag ...>inner</tag> (or <tag/>) in [s, s + len). */
static bool xml_element(const char *s, size_t len, const char *tag, const char **inner,
                        size_t *ninner)
{
	char open[STS_MAX_TAG + 2], close[STS_MAX_TAG + 3];
	size_t nopen, nclose;
	const char *end = s + len, *p = s;

	nopen = (size_t)snprintf(open, sizeof(open), "<%s", tag);
	nclose = (size_t)snprintf(close, sizeof(close), "</%s", tag);
	if (nopen >= sizeof(open) || nclose >= sizeof(close))
		return false;
	while ((p = find(p, end, open, nopen)) != NULL) {
		const char *q = p + nopen, *gt, *c;

		p = q;
		if (q >= end ||
		    (*q != '>' && *q != '/' && *q != ' ' && *q != '\t' && *q != '\r' && *q != '\n'))
			continue; /* a longer name: <ArnX> */
		if ((gt = memchr(q, '>', (size_t)(end - q))) == NULL)
			return false;
		if (gt[-1] == '/') { /* <tag/> */
			*inner = gt + 1;
			*ninner = 0;
			return true;
		}
		for (c = gt + 1; (c = find(c, end, close, nclose)) != NULL; c++) {
			const char *t = c + nclose;

			while (t < end && (*t == ' ' || *t == '\t' || *t == '\r' || *t == '\n'))
				t++;
			if (t < end && *t == '>') {
				*inner = gt + 1;
				*ninner = (size_t)(c - *inner);
				return true;
			}
		}
		return false;
	}
	return false;
}

/* put_utf8 appends code point cp. */
static int put_utf8(struct buf *out, unsigned long cp, struct err *e)
{
	char u[4];
	size_t n;

	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (char)(0xf0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	return buf_append(out, u, n, e);
}

/* char_ref reads "#123" or "#x1F" (without '&' and ';'). */
static bool char_ref(const char *p, size_t n, unsigned long *cp)
{
	unsigned long v = 0;
	bool hexa = n > 1 && (p[1] == 'x' || p[1] == 'X');
	size_t i = hexa ? 2 : 1;

	if (n <= i || n > i + 8)
		return false;
	for (; i < n; i++) {
		char ch = p[i];
		unsigned d;

		if (ch >= '0' && ch <= '9')
			d = (unsigned)(ch - '0');
		else if (hexa && ch >= 'a' && ch <= 'f')
			d = (unsigned)(ch - 'a' + 10);
		else if (hexa && ch >= 'A' && ch <= 'F')
			d = (unsigned)(ch - 'A' + 10);
		else
			return false;
		v = v * (hexa ? 16 : 10) + d;
	}
	if (v == 0 || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return false;
	*cp = v;
	return true;
}

/* entity decodes the reference at p ("&amp;") and returns its length. */
static size_t entity(const char *p, size_t n, struct buf *out, struct err *e)
{
	static const struct {
		const char *name;
		char ch;
	} named[] = {{.name = "amp", .ch = '&'},
	             {.name = "lt", .ch = '<'},
	             {.name = "gt", .ch = '>'},
	             {.name = "quot", .ch = '"'},
	             {.name = "apos", .ch = '\''}};
	const char *semi = memchr(p, ';', n < 12 ? n : 12);
	size_t k;
	unsigned long cp;

	if (semi == NULL)
		return 0;
	k = (size_t)(semi - p - 1);
	for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++) {
		if (strlen(named[i].name) == k && memcmp(p + 1, named[i].name, k) == 0)
			return buf_putc(out, named[i].ch, e) < 0 ? (size_t)-1 : k + 2;
	}
	if (p[1] == '#' && char_ref(p + 1, k, &cp))
		return put_utf8(out, cp, e) < 0 ? (size_t)-1 : k + 2;
	return 0;
}

/* xml_decode appends the text [p, p + n) to out, references decoded. */
static int xml_decode(const char *p, size_t n, const char *tag, struct buf *out, struct err *e)
{
	for (size_t i = 0; i < n;) {
		size_t used;

		if (p[i] == '<')
			return err_set(e, ERR_PARSE, "unexpected markup inside <%s>", tag);
		if (p[i] == '\0')
			return err_set(e, ERR_PARSE, "NUL byte inside <%s>", tag);
		if (p[i] != '&') {
			size_t run = i;

			while (run < n && p[run] != '&' && p[run] != '<' && p[run] != '\0')
				run++;
			if (buf_append(out, p + i, run - i, e) < 0)
				return -1;
			i = run;
			continue;
		}
		used = entity(p + i, n - i, out, e);
		if (used == (size_t)-1)
			return -1;
		if (used == 0)
			return err_set(e, ERR_PARSE, "invalid character reference inside <%s>",
			               tag);
		i += used;
	}
	return 0;
}

int sts_xml_text(const char *xml, size_t len, const char *tag, struct buf *out, struct err *e)
{
	const char *inner;
	size_t n;

	if (!xml_element(xml, len, tag, &inner, &n))
		return 0;
	return xml_decode(inner, n, tag, out, e) < 0 ? -1 : 1;
}

/* need_text reads a required, non-empty leaf into out. */
static int need_text(const char *xml, size_t len, const char *tag, const char *where,
                     struct buf *out, struct err *e)
{
	int rc = sts_xml_text(xml, len, tag, out, e);

	if (rc < 0)
		return -1;
	if (rc == 0 || out->len == 0)
		return err_set(e, ERR_PARSE, "STS answer has no %s in <%s>", tag, where);
	return 0;
}

/* copy_text copies an optional leaf into a fixed field, dropping control
 * bytes. */
static int copy_text(const char *xml, size_t len, const char *tag, char *dst, size_t size,
                     struct err *e)
{
	struct buf b = BUF_INIT;
	size_t o = 0;
	int rc = sts_xml_text(xml, len, tag, &b, e);

	for (size_t i = 0; rc > 0 && i < b.len && o + 1 < size; i++) {
		unsigned char ch = (unsigned char)b.data[i];

		dst[o++] = (ch < 0x20 || ch == 0x7f) ? ' ' : (char)ch;
	}
	dst[o] = '\0';
	buf_release(&b);
	return rc < 0 ? -1 : 0;
}

static int check_size(size_t len, struct err *e)
{
	if (len > STS_MAX_BODY_BYTES)
		return err_set(e, ERR_LIMIT, "STS answer is over %u bytes", STS_MAX_BODY_BYTES);
	return 0;
}

int sts_parse_credentials(const char *xml, size_t len, const char *result, struct creds *out,
                          struct sts_identity *who, struct err *e)
{
	const char *res, *cr;
	size_t nres, ncr;
	struct buf exp = BUF_INIT;
	int rc = -1;

	creds_release(out);
	if (check_size(len, e) < 0)
		return -1;
	if (!xml_element(xml, len, result, &res, &nres))
		return err_set(e, ERR_PARSE, "STS answer has no <%s>", result);
	if (!xml_element(res, nres, "Credentials", &cr, &ncr))
		return err_set(e, ERR_PARSE, "STS answer has no <Credentials> in <%s>", result);
	if (need_text(cr, ncr, "AccessKeyId", "Credentials", &out->access_key_id, e) < 0 ||
	    need_text(cr, ncr, "SecretAccessKey", "Credentials", &out->secret_access_key, e) < 0 ||
	    need_text(cr, ncr, "SessionToken", "Credentials", &out->session_token, e) < 0 ||
	    need_text(cr, ncr, "Expiration", "Credentials", &exp, e) < 0)
		goto done;
	if (creds_parse_time(buf_cstr(&exp), &out->expiration) < 0) {
		err_set(e, ERR_PARSE, "STS answer has an unreadable <Expiration>");
		goto done;
	}
	if (who != NULL) {
		const char *user;
		size_t nuser;

		memset(who, 0, sizeof(*who));
		if (xml_element(res, nres, "AssumedRoleUser", &user, &nuser) &&
		    (copy_text(user, nuser, "Arn", who->arn, sizeof(who->arn), e) < 0 ||
		     copy_text(user, nuser, "AssumedRoleId", who->user_id, sizeof(who->user_id),
		               e) < 0))
			goto done;
	}
	rc = 0;
done:
	buf_release(&exp);
	if (rc < 0)
		creds_release(out);
	return rc;
}

int sts_parse_identity(const char *xml, size_t len, struct sts_identity *out, struct err *e)
{
	const char *res;
	size_t nres;

	memset(out, 0, sizeof(*out));
	if (check_size(len, e) < 0)
		return -1;
	if (!xml_element(xml, len, "GetCallerIdentityResult", &res, &nres))
		return err_set(e, ERR_PARSE, "STS answer has no <GetCallerIdentityResult>");
	if (copy_text(res, nres, "Account", out->account, sizeof(out->account), e) < 0 ||
	    copy_text(res, nres, "Arn", out->arn, sizeof(out->arn), e) < 0 ||
	    copy_text(res, nres, "UserId", out->user_id, sizeof(out->user_id), e) < 0)
		return -1;
	if (out->arn[0] == '\0')
		return err_set(e, ERR_PARSE, "STS answer has no Arn in <GetCallerIdentityResult>");
	return 0;
}

/* ---- calls ------------------------------------------------------------- */

static int sts_call(struct aws_client *c, const struct creds *signer, const char *action,
                    const struct sts_role_args *a, bool unsigned_request,
                    struct http_response *resp, struct err *e)
{
	struct buf body = BUF_INIT;
	struct aws_error ae;
	struct aws_op op = {.content_type = STS_CONTENT_TYPE,
	                    .body = &body,
	                    .unsigned_request = unsigned_request,
	                    .max_body_bytes = STS_MAX_BODY_BYTES};
	const struct creds *saved = c->creds;
	const char *service = c->service;
	int rc;

	if (sts_form_body(&body, action, a, e) < 0) {
		buf_release(&body);
		return -1;
	}
	if (a != NULL && a->web_identity_token != NULL)
		op.secret = buf_cstr(a->web_identity_token);
	c->creds = signer;
	c->service = "sts";
	rc = aws_call(c, &op, resp, &ae, e);
	c->creds = saved;
	c->service = service;
	buf_release(&body);
	return rc;
}

int sts_assume_role(struct aws_client *c, const struct creds *source, const struct sts_role_args *a,
                    struct creds *out, struct sts_identity *who, struct err *e)
{
	struct http_response resp;
	int rc;

	http_response_init(&resp);
	rc = sts_call(c, source, "AssumeRole", a, false, &resp, e);
	if (rc == 0)
		rc = sts_parse_credentials(buf_cstr(&resp.body), resp.body.len, "AssumeRoleResult",
		                           out, who, e);
	http_response_release(&resp);
	return rc;
}

int sts_assume_role_with_web_identity(struct aws_client *c, const struct sts_role_args *a,
                                      struct creds *out, struct sts_identity *who, struct err *e)
{
	struct http_response resp;
	struct creds none;
	int rc;

	creds_init(&none);
	http_response_init(&resp);
	rc = sts_call(c, &none, "AssumeRoleWithWebIdentity", a, true, &resp, e);
	if (rc == 0)
		rc = sts_parse_credentials(buf_cstr(&resp.body), resp.body.len,
		                           "AssumeRoleWithWebIdentityResult", out, who, e);
	http_response_release(&resp);
	return rc;
}

int sts_get_caller_identity(struct aws_client *c, const struct creds *creds,
                            struct sts_identity *out, struct err *e)
{
	struct http_response resp;
	int rc;

	http_response_init(&resp);
	rc = sts_call(c, creds, "GetCallerIdentity", NULL, false, &resp, e);
	if (rc == 0)
		rc = sts_parse_identity(buf_cstr(&resp.body), resp.body.len, out, e);
	http_response_release(&resp);
	return rc;
}
