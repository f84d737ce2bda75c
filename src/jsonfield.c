/*
 * jsonfield.c - read a JSON object strictly and within bounds; select one
 * field, or expand every field into a parameter of its own.
 *
 * cJSON is not used here: it keeps numbers only as doubles (1.50 would
 * come back as 1.5), silently accepts duplicate names and passes invalid
 * UTF-8 through. The reader below checks all of it in one pass and keeps
 * each scalar's text as written.
 */
#include "jsonfield.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"

#define QUOTE_MAX_BYTES 64

struct parser {
	const unsigned char *start;
	const unsigned char *p;
	const unsigned char *end;
	const struct buf *key; /* the top-level field being read, for messages */
	struct err *e;
};

/* quote_key writes a field name fit for a one-line message into q (at
 * least 4 * QUOTE_MAX_BYTES + 8 bytes): printable ASCII as is, every other
 * byte as \xNN, cut after QUOTE_MAX_BYTES bytes. */
static void quote_key(const char *s, size_t n, char *q)
{
	static const char hex[] = "0123456789abcdef";
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (i == QUOTE_MAX_BYTES) {
			memcpy(q + k, "...", 3);
			k += 3;
			break;
		}
		if (c >= 0x20 && c < 0x7f && c != '\\' && c != '\'') {
			q[k++] = (char)c;
			continue;
		}
		q[k++] = '\\';
		q[k++] = 'x';
		q[k++] = hex[c >> 4];
		q[k++] = hex[c & 15];
	}
	q[k] = '\0';
}

static int fail(struct parser *ps, enum err_kind kind, const char *what)
{
	size_t at = (size_t)(ps->p - ps->start);
	char q[4 * QUOTE_MAX_BYTES + 8];

	if (ps->key == NULL)
		return err_set(ps->e, kind, "%s at byte %zu", what, at);
	quote_key(buf_cstr(ps->key), ps->key->len, q);
	return err_set(ps->e, kind, "field '%s': %s at byte %zu", q, what, at);
}

static bool more(const struct parser *ps, unsigned char c)
{
	return ps->p < ps->end && *ps->p == c;
}

static void skip_blanks(struct parser *ps)
{
	while (ps->p < ps->end &&
	       (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
		ps->p++;
}

/* expect consumes byte c, with blanks before and after it. */
static int expect(struct parser *ps, unsigned char c, const char *what)
{
	skip_blanks(ps);
	if (!more(ps, c))
		return fail(ps, ERR_PARSE, what);
	ps->p++;
	skip_blanks(ps);
	return 0;
}

static int hex4(struct parser *ps, unsigned *out)
{
	unsigned v = 0;

	if (ps->end - ps->p < 4)
		return fail(ps, ERR_PARSE, "a \\u escape cut short");
	for (int i = 0; i < 4; i++) {
		unsigned char c = ps->p[i], l = (unsigned char)(c | 0x20);

		if (c >= '0' && c <= '9')
			v = v << 4 | (unsigned)(c - '0');
		else if (l >= 'a' && l <= 'f')
			v = v << 4 | (unsigned)(l - 'a' + 10);
		else
			return fail(ps, ERR_PARSE, "a bad \\u escape");
	}
	ps->p += 4;
	*out = v;
	return 0;
}

static int put_utf8(struct buf *out, unsigned cp, struct err *e)
{
	unsigned char u[4];
	size_t n;

	if (out == NULL)
		return 0;
	if (cp < 0x80) {
		u[0] = (unsigned char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (unsigned char)(0xC0 | cp >> 6);
		u[1] = (unsigned char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (unsigned char)(0xE0 | cp >> 12);
		u[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
		u[2] = (unsigned char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		u[0] = (unsigned char)(0xF0 | cp >> 18);
		u[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3F));
		u[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
		u[3] = (unsigned char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	return buf_append(out, u, n, e);
}

/* read_unicode reads the XXXX of \uXXXX (and a low surrogate's escape
 * after a high one), refusing NUL and lone surrogates. */
static int read_unicode(struct parser *ps, struct buf *out)
{
	unsigned cp = 0, lo = 0;

	if (hex4(ps, &cp) < 0)
		return -1;
	if (cp == 0)
		return fail(ps, ERR_NAMES,
		            "a NUL (\\u0000), which no environment variable can hold");
	if (cp >= 0xDC00 && cp <= 0xDFFF)
		return fail(ps, ERR_PARSE, "a lone low surrogate escape");
	if (cp >= 0xD800 && cp <= 0xDBFF) {
		if (ps->end - ps->p < 2 || ps->p[0] != '\\' || ps->p[1] != 'u')
			return fail(ps, ERR_PARSE, "a lone high surrogate escape");
		ps->p += 2;
		if (hex4(ps, &lo) < 0)
			return -1;
		if (lo < 0xDC00 || lo > 0xDFFF)
			return fail(ps, ERR_PARSE, "a lone high surrogate escape");
		cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
	}
	return put_utf8(out, cp, ps->e);
}

/* read_escape reads what follows a backslash in a string. */
static int read_escape(struct parser *ps, struct buf *out)
{
	static const char names[] = "\"\\/bfnrt", chars[] = "\"\\/\b\f\n\r\t";
	const char *s;

	if (ps->p >= ps->end)
		return fail(ps, ERR_PARSE, "a string cut short");
	if (*ps->p == 'u') {
		ps->p++;
		return read_unicode(ps, out);
	}
	s = *ps->p != '\0' ? strchr(names, *ps->p) : NULL;
	if (s == NULL)
		return fail(ps, ERR_PARSE, "a bad escape");
	ps->p++;
	return out != NULL ? buf_putc(out, chars[s - names], ps->e) : 0;
}

/* utf8_len returns the length of the well-formed UTF-8 sequence (no
 * overlong form, no surrogate, nothing past U+10FFFF) that starts a
 * non-ASCII byte at p, with n bytes left; 0 when there is none. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
	unsigned char lo = 0x80, hi = 0xBF;
	size_t len;

	if (p[0] >= 0xC2 && p[0] <= 0xDF)
		len = 2;
	else if (p[0] >= 0xE0 && p[0] <= 0xEF)
		len = 3;
	else if (p[0] >= 0xF0 && p[0] <= 0xF4)
		len = 4;
	else
		return 0;
	if (p[0] == 0xE0)
		lo = 0xA0;
	else if (p[0] == 0xED)
		hi = 0x9F;
	else if (p[0] == 0xF0)
		lo = 0x90;
	else if (p[0] == 0xF4)
		hi = 0x8F;
	if (n < len || p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++) {
		if (p[i] < 0x80 || p[i] > 0xBF)
			return 0;
	}
	return len;
}

/* read_string reads the string at ps->p (its opening quote), decoded into
 * out when out is not NULL. */
static int read_string(struct parser *ps, struct buf *out)
{
	ps->p++;
	for (;;) {
		const unsigned char *run = ps->p;
		size_t n;

		while (ps->p < ps->end && *ps->p >= 0x20 && *ps->p < 0x80 && *ps->p != '"' &&
		       *ps->p != '\\')
			ps->p++;
		if (out != NULL && ps->p > run &&
		    buf_append(out, run, (size_t)(ps->p - run), ps->e) < 0)
			return -1;
		if (ps->p >= ps->end)
			return fail(ps, ERR_PARSE, "a string without its closing quote");
		if (*ps->p == '"') {
			ps->p++;
			return 0;
		}
		if (*ps->p == '\\') {
			ps->p++;
			if (read_escape(ps, out) < 0)
				return -1;
			continue;
		}
		if (*ps->p < 0x20)
			return fail(ps, ERR_PARSE, "a control byte in a string");
		n = utf8_len(ps->p, (size_t)(ps->end - ps->p));
		if (n == 0)
			return fail(ps, ERR_PARSE, "a string that is not valid UTF-8");
		if (out != NULL && buf_append(out, ps->p, n, ps->e) < 0)
			return -1;
		ps->p += n;
	}
}

static bool digit(const struct parser *ps)
{
	return ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9';
}

static void digits(struct parser *ps)
{
	while (digit(ps))
		ps->p++;
}

/* read_number checks the number at ps->p against RFC 8259's grammar. */
static int read_number(struct parser *ps)
{
	if (more(ps, '-'))
		ps->p++;
	if (more(ps, '0'))
		ps->p++;
	else if (digit(ps))
		digits(ps);
	else
		return fail(ps, ERR_PARSE, "an unexpected byte");
	if (more(ps, '.')) {
		ps->p++;
		if (!digit(ps))
			return fail(ps, ERR_PARSE, "a number without digits after '.'");
		digits(ps);
	}
	if (more(ps, 'e') || more(ps, 'E')) {
		ps->p++;
		if (more(ps, '+') || more(ps, '-'))
			ps->p++;
		if (!digit(ps))
			return fail(ps, ERR_PARSE, "a number without digits in its exponent");
		digits(ps);
	}
	return 0;
}

static int read_word(struct parser *ps, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
		return fail(ps, ERR_PARSE, "an unexpected byte");
	ps->p += n;
	return 0;
}

static int read_value(struct parser *ps, int depth, enum jsonfield_kind *kind, struct buf *out);

/* skip_container checks the object or array at ps->p, at nesting depth. */
static int skip_container(struct parser *ps, int depth, bool object)
{
	unsigned char close = object ? '}' : ']';
	enum jsonfield_kind kind;

	if (depth > JSONFIELD_MAX_DEPTH)
		return fail(ps, ERR_LIMIT, "nesting deeper than 64 levels");
	ps->p++;
	skip_blanks(ps);
	if (more(ps, close)) {
		ps->p++;
		return 0;
	}
	for (;;) {
		if (object && !more(ps, '"'))
			return fail(ps, ERR_PARSE, "a field name expected");
		if (object && (read_string(ps, NULL) < 0 || expect(ps, ':', "':' expected") < 0))
			return -1;
		if (read_value(ps, depth, &kind, NULL) < 0)
			return -1;
		skip_blanks(ps);
		if (more(ps, close)) {
			ps->p++;
			return 0;
		}
		if (expect(ps, ',', object ? "',' or '}' expected" : "',' or ']' expected") < 0)
			return -1;
	}
}

/* read_value reads any value; a string's decoded text or a number's or
 * boolean's text as written goes to out when out is not NULL. */
static int read_value(struct parser *ps, int depth, enum jsonfield_kind *kind, struct buf *out)
{
	const unsigned char *at = ps->p;
	int rc;

	if (ps->p >= ps->end)
		return fail(ps, ERR_PARSE, "a value expected");
	switch (*ps->p) {
	case '"':
		*kind = JSONFIELD_STRING;
		return read_string(ps, out);
	case '{':
		*kind = JSONFIELD_OBJECT;
		return skip_container(ps, depth + 1, true);
	case '[':
		*kind = JSONFIELD_ARRAY;
		return skip_container(ps, depth + 1, false);
	case 'n':
		*kind = JSONFIELD_NULL;
		return read_word(ps, "null");
	case 't':
	case 'f':
		*kind = JSONFIELD_BOOL;
		rc = read_word(ps, *ps->p == 't' ? "true" : "false");
		break;
	default:
		*kind = JSONFIELD_NUMBER;
		rc = read_number(ps);
		break;
	}
	if (rc < 0 || out == NULL)
		return rc;
	return buf_append(out, at, (size_t)(ps->p - at), ps->e);
}

static struct jsonfield *push_field(struct jsonfield_object *o, struct err *e)
{
	if (o->len == o->cap) {
		size_t cap = o->cap ? o->cap * 2 : 8;
		struct jsonfield *items = realloc(o->items, cap * sizeof(*items));

		if (items == NULL) {
			err_nomem(e);
			return NULL;
		}
		o->items = items;
		o->cap = cap;
	}
	memset(&o->items[o->len], 0, sizeof(o->items[0]));
	return &o->items[o->len++];
}

/* read_member reads one top-level "name": value. */
static int read_member(struct parser *ps, struct jsonfield_object *o)
{
	struct jsonfield *f;

	ps->key = NULL;
	if (o->len == JSONFIELD_MAX_FIELDS)
		return fail(ps, ERR_LIMIT, "more than 1000 fields");
	if (!more(ps, '"'))
		return fail(ps, ERR_PARSE, "a field name expected");
	if ((f = push_field(o, ps->e)) == NULL || read_string(ps, &f->key) < 0)
		return -1;
	if (f->key.len > JSONFIELD_MAX_KEY_BYTES)
		return fail(ps, ERR_LIMIT, "a field name longer than 256 bytes");
	ps->key = &f->key;
	if (expect(ps, ':', "':' expected") < 0)
		return -1;
	return read_value(ps, 1, &f->kind, &f->value);
}

/* One name to sort, so that equal names end up side by side. */
struct name_ref {
	const struct buf *key;
};

static int cmp_key(const void *a, const void *b)
{
	const struct buf *x = ((const struct name_ref *)a)->key;
	const struct buf *y = ((const struct name_ref *)b)->key;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = n > 0 ? memcmp(x->data, y->data, n) : 0;

	if (c != 0)
		return c;
	return (x->len > y->len) - (x->len < y->len);
}

/* check_unique refuses a name that appears twice: which of the two a
 * consumer takes differs from parser to parser. */
static int check_unique(const struct jsonfield_object *o, struct err *e)
{
	struct name_ref *v;
	char q[4 * QUOTE_MAX_BYTES + 8];
	int rc = 0;

	if (o->len < 2)
		return 0;
	if ((v = calloc(o->len, sizeof(struct name_ref))) == NULL)
		return err_nomem(e);
	for (size_t i = 0; i < o->len; i++)
		v[i].key = &o->items[i].key;
	qsort(v, o->len, sizeof(struct name_ref), cmp_key);
	for (size_t i = 1; i < o->len && rc == 0; i++) {
		if (cmp_key(&v[i - 1], &v[i]) != 0)
			continue;
		quote_key(buf_cstr(v[i].key), v[i].key->len, q);
		rc = err_set(e, ERR_PARSE, "field '%s' appears twice", q);
	}
	free(v);
	return rc;
}

bool jsonfield_is_object(const char *text, size_t len)
{
	size_t i = 0;

	while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r'))
		i++;
	return i < len && text[i] == '{';
}

int jsonfield_parse(const char *text, size_t len, struct jsonfield_object *out, struct err *e)
{
	struct parser ps = {(const unsigned char *)text, (const unsigned char *)text,
	                    (const unsigned char *)text + len, NULL, e};

	memset(out, 0, sizeof(*out));
	if (len > JSONFIELD_MAX_BYTES)
		return err_set(e, ERR_LIMIT, "a JSON value larger than %d bytes",
		               JSONFIELD_MAX_BYTES);
	skip_blanks(&ps);
	if (!more(&ps, '{'))
		return fail(&ps, ERR_PARSE, "not a JSON object");
	ps.p++;
	skip_blanks(&ps);
	while (!more(&ps, '}')) {
		if (out->len > 0 && expect(&ps, ',', "',' or '}' expected") < 0)
			return -1;
		if (read_member(&ps, out) < 0)
			return -1;
		skip_blanks(&ps);
	}
	ps.p++;
	ps.key = NULL;
	skip_blanks(&ps);
	if (ps.p != ps.end)
		return fail(&ps, ERR_PARSE, "bytes after the object");
	return check_unique(out, e);
}

void jsonfield_object_release(struct jsonfield_object *o)
{
	for (size_t i = 0; i < o->len; i++) {
		buf_release(&o->items[i].key);
		buf_release(&o->items[i].value);
	}
	free(o->items);
	memset(o, 0, sizeof(*o));
}

/* no_value names what a field holds when it cannot be a variable's value,
 * or returns NULL when it can. */
static const char *no_value(enum jsonfield_kind kind)
{
	switch (kind) {
	case JSONFIELD_NULL:
		return "null";
	case JSONFIELD_OBJECT:
		return "an object";
	case JSONFIELD_ARRAY:
		return "an array";
	default:
		return NULL;
	}
}

int jsonfield_select(const char *text, size_t len, const char *field, struct buf *out,
                     struct err *e)
{
	struct jsonfield_object o;
	const struct jsonfield *f = NULL;
	size_t n = strlen(field);
	int rc = -1;

	memset(&o, 0, sizeof(o));
	if (!jsonfield_is_object(text, len))
		return err_set(e, ERR_NAMES, "the value is not a JSON object");
	if (jsonfield_parse(text, len, &o, e) < 0)
		goto out;
	for (size_t i = 0; i < o.len && f == NULL; i++) {
		if (o.items[i].key.len == n && memcmp(buf_cstr(&o.items[i].key), field, n) == 0)
			f = &o.items[i];
	}
	if (f == NULL)
		err_set(e, ERR_NAMES, "no such field");
	else if (no_value(f->kind) != NULL)
		err_set(e, ERR_NAMES, "the field is %s, not a string, number or boolean",
		        no_value(f->kind));
	else
		rc = buf_set(out, buf_cstr(&f->value), f->value.len, e);
out:
	jsonfield_object_release(&o);
	return rc;
}

static bool has_control(const struct buf *b)
{
	for (size_t i = 0; i < b->len; i++) {
		if ((unsigned char)b->data[i] < 0x20 || b->data[i] == 0x7f)
			return true;
	}
	return false;
}

/* add_field appends field f of parameter src to out as "NAME#FIELD",
 * taking f's value. */
static int add_field(const struct ssm_param *src, struct jsonfield *f, struct ssm_params *out,
                     struct err *e)
{
	char q[4 * QUOTE_MAX_BYTES + 8];
	struct buf name = BUF_INIT;
	struct ssm_param *p = NULL;

	quote_key(buf_cstr(&f->key), f->key.len, q);
	if (f->key.len == 0)
		return err_set(e, ERR_NAMES, "an empty field name cannot name a variable");
	if (has_control(&f->key))
		return err_set(e, ERR_NAMES, "field '%s': a control character in its name", q);
	if (no_value(f->kind) != NULL)
		return err_set(e, ERR_NAMES, "field '%s' is %s, not a string, number or boolean", q,
		               no_value(f->kind));
	if (buf_printf(&name, e, "%s#", src->name) < 0 ||
	    buf_append(&name, f->key.data, f->key.len, e) < 0 ||
	    (p = ssm_params_push(out, e)) == NULL) {
		buf_release(&name);
		return -1;
	}
	if ((p->name = buf_detach(&name, e)) == NULL) {
		out->len--;
		return -1;
	}
	memcpy(p->type, src->type, sizeof(p->type));
	p->version = src->version;
	p->value = f->value;
	buf_init(&f->value);
	return 0;
}

/* expand_one appends one parameter a field of the object src holds. */
static int expand_one(const struct ssm_param *src, struct ssm_params *out, struct err *e)
{
	struct jsonfield_object o;
	int rc = -1;

	if (jsonfield_parse(buf_cstr(&src->value), src->value.len, &o, e) < 0)
		goto out;
	for (size_t i = 0; i < o.len; i++) {
		if (add_field(src, &o.items[i], out, e) < 0)
			goto out;
	}
	rc = 0;
out:
	jsonfield_object_release(&o);
	if (rc < 0)
		err_prefix(e, "unable to expand '%.400s' (--expand-json)", src->name);
	return rc;
}

int jsonfield_expand(struct ssm_params *p, struct err *e)
{
	struct ssm_params out;

	ssm_params_init(&out);
	for (size_t i = 0; i < p->len; i++) {
		struct ssm_param *src = &p->items[i], *dst;

		if (jsonfield_is_object(buf_cstr(&src->value), src->value.len)) {
			if (expand_one(src, &out, e) < 0)
				goto fail;
			continue;
		}
		if ((dst = ssm_params_push(&out, e)) == NULL)
			goto fail;
		*dst = *src;
		memset(src, 0, sizeof(*src)); /* moved: p no longer owns it */
	}
	ssm_params_release(p); /* wipes the objects that were expanded */
	*p = out;
	return 0;
fail:
	ssm_params_release(&out);
	return -1;
}

int jsonfield_map_name(const char *name, const char *prefix, const char *add_prefix,
                       bool last_segment, struct buf *out, struct err *e)
{
	const char *hash = strchr(name, '#');
	char *base;
	int rc;

	if (hash == NULL)
		return names_map(name, prefix, add_prefix, last_segment, out, e);
	if ((base = strndup(name, (size_t)(hash - name))) == NULL)
		return err_nomem(e);
	rc = names_map(base, prefix, add_prefix, last_segment, out, e);
	free(base);
	if (rc < 0 || buf_putc(out, '_', e) < 0)
		return -1;
	for (const char *f = hash + 1; *f != '\0'; f++) {
		if (buf_putc(out, names_map_byte((unsigned char)*f), e) < 0)
			return -1;
	}
	return 0;
}
