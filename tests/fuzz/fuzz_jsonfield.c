/*
 * fuzz_jsonfield.c - libFuzzer target for the JSON field reader, the
 * selector and the expander. The input is a field name, a NUL byte, then a
 * value (which may hold NUL bytes: the reader must refuse them). Every
 * result is checked against the contracts in jsonfield.h.
 *
 *   clang -fsanitize=fuzzer,address,undefined -Isrc tests/fuzz/fuzz_jsonfield.c \
 *     src/jsonfield.c src/names.c src/ssm.c src/buf.c src/err.c ... -lcjson -lcrypto
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jsonfield.h"
#include "names.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NAME "/fuzz/param"

/* utf8_ok tells whether n bytes at s are well-formed UTF-8 with no NUL. */
static bool utf8_ok(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned c = s[i], need, cp;

		if (c == 0)
			return false;
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF)
			need = 1, cp = c & 0x1F;
		else if (c >= 0xE0 && c <= 0xEF)
			need = 2, cp = c & 0x0F;
		else if (c >= 0xF0 && c <= 0xF4)
			need = 3, cp = c & 0x07;
		else
			return false;
		for (unsigned k = 1; k <= need; k++) {
			if (i + k >= n || (s[i + k] & 0xC0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + k] & 0x3F);
		}
		if ((need == 2 && cp < 0x800) || (need == 3 && cp < 0x10000) || cp > 0x10FFFF ||
		    (cp >= 0xD800 && cp <= 0xDFFF))
			return false;
		i += need + 1;
	}
	return true;
}

/* number_ok checks RFC 8259's number grammar over the whole of s. */
static bool number_ok(const char *s)
{
	if (*s == '-')
		s++;
	if (*s == '0')
		s++;
	else if (*s >= '1' && *s <= '9')
		s += strspn(s, "0123456789");
	else
		return false;
	if (*s == '.') {
		s++;
		if (strspn(s, "0123456789") == 0)
			return false;
		s += strspn(s, "0123456789");
	}
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		if (strspn(s, "0123456789") == 0)
			return false;
		s += strspn(s, "0123456789");
	}
	return *s == '\0';
}

static void check_error(const struct err *e)
{
	if (e->msg[0] == '\0' || strchr(e->msg, '\n') != NULL || strchr(e->msg, '\r') != NULL)
		abort();
	if (e->kind != ERR_PARSE && e->kind != ERR_LIMIT && e->kind != ERR_NAMES &&
	    e->kind != ERR_NOMEM)
		abort();
}

/* check_object holds a parsed object to jsonfield_parse's contract. */
static void check_object(const struct jsonfield_object *o)
{
	if (o->len > JSONFIELD_MAX_FIELDS)
		abort();
	for (size_t i = 0; i < o->len; i++) {
		const struct jsonfield *f = &o->items[i];
		const char *v = buf_cstr(&f->value);

		if (f->key.len > JSONFIELD_MAX_KEY_BYTES ||
		    !utf8_ok((const unsigned char *)buf_cstr(&f->key), f->key.len))
			abort();
		for (size_t k = 0; k < i; k++) {
			if (o->items[k].key.len == f->key.len &&
			    memcmp(buf_cstr(&o->items[k].key), buf_cstr(&f->key), f->key.len) == 0)
				abort(); /* a duplicate got through */
		}
		switch (f->kind) {
		case JSONFIELD_STRING:
			if (!utf8_ok((const unsigned char *)v, f->value.len))
				abort();
			break;
		case JSONFIELD_NUMBER:
			if (!number_ok(v))
				abort();
			break;
		case JSONFIELD_BOOL:
			if (strcmp(v, "true") != 0 && strcmp(v, "false") != 0)
				abort();
			break;
		default:
			if (f->value.len != 0)
				abort();
		}
	}
}

/* check_select selects field and compares with the parsed object. */
static void check_select(const char *text, size_t len, const char *field, int parsed,
                         const struct jsonfield_object *o)
{
	struct buf out = BUF_INIT;
	struct err e = {ERR_NONE, ""};
	const struct jsonfield *f = NULL;
	int rc = jsonfield_select(text, len, field, &out, &e);

	for (size_t i = 0; parsed == 0 && i < o->len && f == NULL; i++) {
		if (o->items[i].key.len == strlen(field) &&
		    memcmp(buf_cstr(&o->items[i].key), field, strlen(field)) == 0)
			f = &o->items[i];
	}
	if (rc == 0) {
		if (f == NULL || f->kind >= JSONFIELD_NULL || out.len != f->value.len ||
		    memcmp(buf_cstr(&out), buf_cstr(&f->value), out.len) != 0)
			abort();
	} else {
		check_error(&e);
		if (f != NULL && f->kind < JSONFIELD_NULL)
			abort();
	}
	buf_release(&out);
}

/* check_expand expands one parameter holding text (cut at a NUL, as a
 * parameter value is) and checks every name and value. */
static void check_expand(const char *text)
{
	struct ssm_params p;
	struct ssm_param *it;
	struct err e = {ERR_NONE, ""};
	struct buf var = BUF_INIT;

	ssm_params_init(&p);
	if ((it = ssm_params_push(&p, NULL)) == NULL || (it->name = strdup(NAME)) == NULL ||
	    buf_puts(&it->value, text, NULL) < 0)
		abort();
	memcpy(it->type, "SecureString", 13);
	it->version = 3;
	if (jsonfield_expand(&p, &e) < 0) {
		check_error(&e);
		if (e.kind != ERR_NOMEM && strstr(e.msg, "unable to expand '" NAME "'") == NULL)
			abort();
		ssm_params_release(&p);
		return;
	}
	for (size_t i = 0; i < p.len; i++) {
		const char *name = p.items[i].name;

		if (strcmp(p.items[i].type, "SecureString") != 0 || p.items[i].version != 3)
			abort();
		if (strcmp(name, NAME) == 0) {
			/* kept: only a value that is not an object */
			if (p.len != 1 || jsonfield_is_object(text, strlen(text)) ||
			    strcmp(buf_cstr(&p.items[i].value), text) != 0)
				abort();
			continue;
		}
		if (strncmp(name, NAME "#", strlen(NAME) + 1) != 0 || name[strlen(NAME) + 1] == '\0')
			abort();
		if (jsonfield_map_name(name, "/fuzz", NULL, i & 1, &var, &e) < 0)
			abort();
		if (strspn(buf_cstr(&var), "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") != var.len)
			abort();
		if (strncmp(buf_cstr(&var), "PARAM_", 6) != 0)
			abort();
	}
	buf_release(&var);
	ssm_params_release(&p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', size);
	size_t flen = nul ? (size_t)(nul - data) : 0;
	char *field = malloc(flen + 1), *text;
	size_t len = nul ? size - flen - 1 : size;
	struct jsonfield_object o;
	struct err e = {ERR_NONE, ""};
	int parsed;

	text = malloc(len + 1);
	if (field == NULL || text == NULL)
		abort();
	memcpy(field, data, flen);
	field[flen] = '\0';
	memcpy(text, nul ? nul + 1 : data, len);
	text[len] = '\0';
	parsed = jsonfield_parse(text, len, &o, &e);
	/* a raw NUL is never part of a JSON text */
	if (parsed == 0 && memchr(text, '\0', len) != NULL)
		abort();
	if (parsed == 0)
		check_object(&o);
	else
		check_error(&e);
	/* the selector: the given field, else the first one the object has */
	if (flen == 0 && parsed == 0 && o.len > 0) {
		free(field);
		field = strdup(buf_cstr(&o.items[0].key));
		if (field == NULL)
			abort();
	}
	check_select(text, len, field, parsed, &o);
	jsonfield_object_release(&o);
	check_expand(text);
	free(field);
	free(text);
	return 0;
}
