/*
 * fuzz_format.c - libFuzzer target for the print formats: fuzzed values
 * rendered in every format, then read back by a reader written from the
 * consumer's rules (POSIX single quotes, python-dotenv's regexes and
 * expansion, JSON, the Actions runner's $GITHUB_ENV reader and its mask
 * commands, docker's env-file lines), and compared byte for byte. A format
 * must refuse exactly the values it cannot carry.
 *
 *   clang -fsanitize=fuzzer,address,undefined -Isrc src/format.c src/names.c \
 *       src/buf.c src/err.c tests/fuzz/fuzz_format.c -lcrypto
 *
 * Input: the first byte is a separator; the rest, split at it, are the
 * values of V0, V1, ...
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"

#define MAX_VARS 16

#define CHECK(c)                                                                                   \
	do {                                                                                       \
		if (!(c))                                                                          \
			__builtin_trap();                                                          \
	} while (0)

struct input {
	struct format_var vars[MAX_VARS];
	char names[MAX_VARS][8];
	size_t n;
};

struct cursor {
	const char *p, *end;
};

/* --- what each format must refuse, worked out independently --- */

static bool valid_utf8(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		uint32_t cp;
		size_t len;

		if (s[i] < 0x80) {
			i++;
			continue;
		}
		len = (s[i] & 0xe0) == 0xc0   ? 2
		      : (s[i] & 0xf0) == 0xe0 ? 3
		      : (s[i] & 0xf8) == 0xf0 ? 4
		                              : 0;
		if (len == 0 || i + len > n)
			return false;
		cp = s[i] & (0x7f >> len);
		for (size_t k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
		    (len == 4 && cp < 0x10000) || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += len;
	}
	return true;
}

static bool has_byte(const struct format_var *v, char c)
{
	return v->value_len > 0 && memchr(v->value, c, v->value_len) != NULL;
}

static bool should_accept(enum format_kind k, const struct input *in)
{
	for (size_t i = 0; i < in->n; i++) {
		const struct format_var *v = &in->vars[i];
		bool utf8 = valid_utf8((const unsigned char *)v->value, v->value_len);

		if (k != FORMAT_JSON && has_byte(v, '\0'))
			return false;
		if (k != FORMAT_SHELL && !utf8)
			return false;
		if (k == FORMAT_DOCKER && (has_byte(v, '\n') || has_byte(v, '\r') ||
		                           strlen(v->name) + 1 + v->value_len > 65535))
			return false;
	}
	return true;
}

/* --- readers --- */

static bool eat(struct cursor *c, const char *s)
{
	size_t n = strlen(s);

	if ((size_t)(c->end - c->p) < n || memcmp(c->p, s, n) != 0)
		return false;
	c->p += n;
	return true;
}

static void check_shell(const struct input *in, const struct buf *out)
{
	struct cursor c = {out->data, out->data + out->len};

	for (size_t i = 0; i < in->n; i++) {
		const struct format_var *v = &in->vars[i];
		size_t got = 0;

		CHECK(eat(&c, "export ") && eat(&c, v->name) && eat(&c, "='"));
		for (;;) {
			const char *q = memchr(c.p, '\'', (size_t)(c.end - c.p));

			CHECK(q != NULL);
			CHECK(got + (size_t)(q - c.p) <= v->value_len);
			CHECK(memcmp(v->value + got, c.p, (size_t)(q - c.p)) == 0);
			got += (size_t)(q - c.p);
			c.p = q;
			if (eat(&c, "'\\''")) {
				CHECK(got < v->value_len && v->value[got] == '\'');
				got++;
				continue;
			}
			CHECK(eat(&c, "'\n"));
			break;
		}
		CHECK(got == v->value_len);
	}
	CHECK(c.p == c.end);
}

/* dotenv_scan finds the closing quote as python-dotenv's value regex
 * '((?:\\'|[^'])*)' does: a backslash before the quote character pairs
 * with it. Running off the end would mean the regex backtracks to another
 * quote: a bug in the rendering. */
static const char *dotenv_scan(const char *p, const char *end, char q)
{
	while (p < end) {
		if (*p == '\\' && p + 1 < end && p[1] == q)
			p += 2;
		else if (*p == q)
			return p;
		else
			p++;
	}
	return NULL;
}

static char dotenv_unescape(char c, bool dq)
{
	static const char from[] = "\\'\"abfnrtv", to[] = "\\'\"\a\b\f\n\r\t\v";
	const char *f = c != '\0' ? strchr(from, c) : NULL;

	if (f == NULL || (!dq && c != '\\' && c != '\''))
		return '\0';
	return to[f - from];
}

/* dotenv_expand applies python-dotenv's ${NAME} / ${NAME:-default}
 * expansion (finditer, left to right) to s, appending to out. Only the
 * name "=" may appear: any other would depend on the reader's environment. */
static void dotenv_expand(const char *s, size_t n, struct buf *out)
{
	struct err e;
	size_t i = 0;

	while (i < n) {
		size_t j = i + 2, name_end, def = 0, def_end = 0;

		if (!(s[i] == '$' && i + 1 < n && s[i + 1] == '{')) {
			CHECK(buf_putc(out, s[i++], &e) == 0);
			continue;
		}
		while (j < n && s[j] != '}' && s[j] != ':')
			j++;
		name_end = j;
		if (j < n && s[j] == ':' && j + 1 < n && s[j + 1] == '-') {
			def = j + 2;
			for (j = def; j < n && s[j] != '}'; j++)
				;
			def_end = j;
		}
		if (j >= n || s[j] != '}') {
			CHECK(buf_putc(out, s[i++], &e) == 0);
			continue;
		}
		CHECK(name_end - (i + 2) == 1 && s[i + 2] == '=');
		CHECK(buf_append(out, s + def, def_end - def, &e) == 0);
		i = j + 1;
	}
}

static void check_dotenv(const struct input *in, const struct buf *out)
{
	struct cursor c = {out->data, out->data + out->len};
	struct buf raw = BUF_INIT, val = BUF_INIT;
	struct err e;

	CHECK(out->len == 0 || memchr(out->data, '\r', out->len) == NULL);
	for (size_t i = 0; i < in->n; i++) {
		const struct format_var *v = &in->vars[i];
		bool dq;
		const char *close;

		CHECK(eat(&c, v->name) && eat(&c, "="));
		dq = eat(&c, "\"");
		CHECK(dq || eat(&c, "'"));
		close = dotenv_scan(c.p, c.end, dq ? '"' : '\'');
		CHECK(close != NULL);
		buf_truncate(&raw, 0);
		buf_truncate(&val, 0);
		for (const char *p = c.p; p < close; p++) {
			char u = p + 1 < close && *p == '\\' ? dotenv_unescape(p[1], dq) : '\0';

			CHECK(buf_putc(&raw, u != '\0' ? u : *p, &e) == 0);
			p += u != '\0';
		}
		dotenv_expand(buf_cstr(&raw), raw.len, &val);
		CHECK(val.len == v->value_len);
		CHECK(val.len == 0 || memcmp(val.data, v->value, val.len) == 0);
		c.p = close + 1;
		CHECK(eat(&c, "\n"));
	}
	CHECK(c.p == c.end);
	buf_release(&raw);
	buf_release(&val);
}

static int hex_value(char h)
{
	return h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10 : -1;
}

static void json_read_string(struct cursor *c, struct buf *s)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	struct err e;

	buf_truncate(s, 0);
	CHECK(eat(c, "\""));
	while (c->p < c->end && *c->p != '"') {
		char ch = *c->p++;

		CHECK((unsigned char)ch >= 0x20);
		if (ch == '\\') {
			const char *f;

			CHECK(c->p < c->end);
			if (*c->p == 'u') {
				CHECK(c->end - c->p >= 5 && eat(c, "u00"));
				CHECK(hex_value(c->p[0]) >= 0 && hex_value(c->p[1]) >= 0);
				ch = (char)(hex_value(c->p[0]) << 4 | hex_value(c->p[1]));
				c->p += 2;
			} else {
				f = strchr(from, *c->p);
				CHECK(*c->p != '\0' && f != NULL);
				ch = to[f - from];
				c->p++;
			}
		}
		CHECK(buf_putc(s, ch, &e) == 0);
	}
	CHECK(eat(c, "\""));
}

static void check_json(const struct input *in, const struct buf *out)
{
	struct cursor c = {out->data, out->data + out->len};
	struct buf s = BUF_INIT;

	CHECK(eat(&c, "{"));
	for (size_t i = 0; i < in->n; i++) {
		CHECK(i == 0 || eat(&c, ","));
		json_read_string(&c, &s);
		CHECK(strcmp(buf_cstr(&s), in->vars[i].name) == 0);
		CHECK(eat(&c, ":"));
		json_read_string(&c, &s);
		CHECK(s.len == in->vars[i].value_len);
		CHECK(s.len == 0 || memcmp(s.data, in->vars[i].value, s.len) == 0);
	}
	CHECK(eat(&c, "}\n") && c.p == c.end);
	buf_release(&s);
}

/* github_line reads one line (split at LF only, as the runner on Linux). */
static bool github_line(struct cursor *c, const char **line, size_t *len)
{
	const char *nl;

	if (c->p >= c->end)
		return false;
	nl = memchr(c->p, '\n', (size_t)(c->end - c->p));
	CHECK(nl != NULL); /* "EOF marker missing new line" */
	*line = c->p;
	*len = (size_t)(nl - c->p);
	c->p = nl + 1;
	return true;
}

/* dotnet_blank: every code point is one .NET's Char.IsWhiteSpace accepts
 * (the runner refuses such a mask). s is valid UTF-8. */
static bool dotnet_blank(const unsigned char *s, size_t n)
{
	static const uint32_t spaces[] = {0x20,   0x85,   0xa0,   0x1680, 0x2028,
	                                  0x2029, 0x202f, 0x205f, 0x3000};

	for (size_t i = 0; i < n;) {
		uint32_t cp = s[i];
		size_t len = cp < 0x80 ? 1 : cp < 0xe0 ? 2 : cp < 0xf0 ? 3 : 4;
		bool space = (cp >= 0x09 && cp <= 0x0d);

		for (size_t k = 1; k < len; k++)
			cp = (k == 1 ? cp & (0x7f >> len) : cp) << 6 | (s[i + k] & 0x3f);
		space = space || (cp >= 0x2000 && cp <= 0x200a);
		for (size_t k = 0; k < sizeof(spaces) / sizeof(spaces[0]); k++)
			space = space || cp == spaces[k];
		if (!space)
			return false;
		i += len;
	}
	return true;
}

static bool mask_present(const struct buf *masks, const char *s, size_t n)
{
	struct buf want = BUF_INIT;
	struct err e;
	bool found = false;

	if (dotnet_blank((const unsigned char *)s, n))
		return true;
	CHECK(buf_puts(&want, "::add-mask::", &e) == 0);
	for (size_t i = 0; i < n; i++) {
		const char *rep = s[i] == '%' ? "%25" : s[i] == '\r' ? "%0D" : NULL;

		CHECK(rep != NULL ? buf_puts(&want, rep, &e) == 0 : buf_putc(&want, s[i], &e) == 0);
	}
	CHECK(buf_putc(&want, '\n', &e) == 0);
	for (size_t at = 0; at + want.len <= masks->len && !found; at++) {
		found = (at == 0 || masks->data[at - 1] == '\n') &&
		        memcmp(masks->data + at, want.data, want.len) == 0;
	}
	buf_release(&want);
	return found;
}

static void check_github_masks(const struct format_var *v, const struct buf *masks)
{
	const char *p = v->value, *end = v->value + v->value_len;

	while (p <= end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl != NULL ? nl : end;

		CHECK(mask_present(masks, p, (size_t)(eol - p)));
		for (const char *q = p; q <= eol;) {
			const char *cr = memchr(q, '\r', (size_t)(eol - q));
			const char *stop = cr != NULL ? cr : eol;

			CHECK(mask_present(masks, q, (size_t)(stop - q)));
			q = stop + 1;
		}
		if (nl == NULL)
			break;
		p = nl + 1;
	}
}

static void check_github(const struct input *in, const struct buf *out, const struct buf *masks)
{
	struct cursor c = {out->data, out->data + out->len};

	CHECK(masks->len == 0 || memchr(masks->data, '\r', masks->len) == NULL);
	for (size_t i = 0; i < in->n; i++) {
		const struct format_var *v = &in->vars[i];
		const char *line, *delim, *start;
		size_t len, delim_len, name_len = strlen(v->name);

		CHECK(github_line(&c, &line, &len));
		CHECK(len > name_len + 2 && memcmp(line, v->name, name_len) == 0);
		CHECK(memcmp(line + name_len, "<<", 2) == 0);
		delim = line + name_len + 2;
		delim_len = len - name_len - 2;
		CHECK(memchr(line, '=', len) == NULL);
		start = c.p;
		for (const char *end = start;;) {
			CHECK(github_line(&c, &line, &len));
			if (len == delim_len && memcmp(line, delim, len) == 0) {
				size_t got = end > start ? (size_t)(end - start) : 0;

				CHECK(got == v->value_len);
				CHECK(got == 0 || memcmp(start, v->value, got) == 0);
				break;
			}
			end = line + len;
		}
		check_github_masks(v, masks);
	}
	CHECK(c.p == c.end);
}

static void check_docker(const struct input *in, const struct buf *out)
{
	struct cursor c = {out->data, out->data + out->len};

	for (size_t i = 0; i < in->n; i++) {
		const struct format_var *v = &in->vars[i];

		CHECK(eat(&c, v->name) && eat(&c, "="));
		CHECK((size_t)(c.end - c.p) > v->value_len);
		CHECK(v->value_len == 0 || memcmp(c.p, v->value, v->value_len) == 0);
		c.p += v->value_len;
		CHECK(eat(&c, "\n"));
	}
	CHECK(c.p == c.end);
}

static void split(const uint8_t *data, size_t size, struct input *in)
{
	const char *p = (const char *)data + 1, *end = (const char *)data + size;
	char sep = (char)data[0];

	in->n = 0;
	while (in->n < MAX_VARS) {
		const char *q = memchr(p, sep, (size_t)(end - p));
		const char *stop = q != NULL ? q : end;

		snprintf(in->names[in->n], sizeof(in->names[0]), "V%zu", in->n);
		in->vars[in->n].name = in->names[in->n];
		in->vars[in->n].value = p;
		in->vars[in->n].value_len = (size_t)(stop - p);
		in->n++;
		if (q == NULL)
			break;
		p = q + 1;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum format_kind kinds[] = {FORMAT_SHELL, FORMAT_DOTENV, FORMAT_JSON,
	                                         FORMAT_GITHUB, FORMAT_DOCKER};
	struct input in;

	if (size < 1 || size > 1 << 17)
		return 0;
	split(data, size, &in);
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		struct buf out = BUF_INIT, masks = BUF_INIT;
		struct err e;
		int rc = format_render(kinds[k], in.vars, in.n, "fuzz", &out, &masks, &e);

		CHECK((rc == 0) == should_accept(kinds[k], &in));
		if (rc < 0) {
			CHECK(out.len == 0 && masks.len == 0);
			CHECK(strncmp(e.msg, "cannot print 'V", 15) == 0);
		} else if (kinds[k] == FORMAT_SHELL) {
			check_shell(&in, &out);
		} else if (kinds[k] == FORMAT_DOTENV) {
			check_dotenv(&in, &out);
		} else if (kinds[k] == FORMAT_JSON) {
			check_json(&in, &out);
		} else if (kinds[k] == FORMAT_GITHUB) {
			check_github(&in, &out, &masks);
		} else {
			check_docker(&in, &out);
		}
		buf_release(&out);
		buf_release(&masks);
	}
	return 0;
}
