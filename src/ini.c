/*
 * ini.c - parse the AWS shared config and credentials files.
 *
 * The grammar is the one botocore gets from Python's RawConfigParser plus
 * its own nesting rule: full-line comments only (a '#' or ';' after a value
 * is part of the value, as secret keys may hold them), keys split at the
 * first '=', and a line indented deeper than the key before it continues
 * that key: as a sub-property when the key's value is empty, else as one
 * more line of the value.
 */
#include "ini.h"

#include <errno.h>
#include <search.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "file.h"

#define INI_MAX_FILE_BYTES (1024 * 1024)
#define INI_MAX_LINE_BYTES (64 * 1024)
#define INI_NO_KEY         SIZE_MAX

/* Where the parser stands: the section and the key that an indented line
 * would belong to. Every step costs what its own line costs, so that a
 * hostile file of many short lines still parses in linear time. */
struct ini_state {
	char *section;     /* borrowed from ini->sections; NULL before any */
	size_t key;        /* index of the last top-level property, or INI_NO_KEY */
	size_t key_indent; /* leading blanks of that property's line */
	bool sub;          /* the key's value was empty: indented lines are sub-properties */
	size_t value_len;  /* length of the key's value, continuations included */
	size_t value_cap;  /* bytes allocated for it: continuations grow it by doubling */
	void *names;       /* tsearch tree of ini->sections, to find a name again */
	unsigned line;
};

static bool ini_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* ini_trim narrows [*p, *p + *n) to drop surrounding whitespace. */
static void ini_trim(const char **p, size_t *n)
{
	while (*n > 0 && ini_is_space(**p)) {
		(*p)++;
		(*n)--;
	}
	while (*n > 0 && ini_is_space((*p)[*n - 1]))
		(*n)--;
}

static char *ini_strndup(const char *p, size_t n, struct err *e)
{
	char *s = malloc(n + 1);

	if (s == NULL) {
		err_nomem(e);
		return NULL;
	}
	if (n > 0)
		memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

void ini_init(struct ini *ini)
{
	ini->props = NULL;
	ini->len = 0;
	ini->cap = 0;
	ini->sections = NULL;
	ini->nsections = 0;
	ini->cap_sections = 0;
}

static int ini_name_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* ini_names_index puts the sections already held in the tree, so that a
 * header naming one of them again finds it in logarithmic time. */
static int ini_names_index(const struct ini *ini, struct ini_state *st, struct err *e)
{
	for (size_t i = 0; i < ini->nsections; i++) {
		if (tsearch(ini->sections[i], &st->names, ini_name_cmp) == NULL)
			return err_nomem(e);
	}
	return 0;
}

/* ini_names_drop frees the tree, not the names it points to. */
static void ini_names_drop(struct ini_state *st)
{
	while (st->names != NULL) {
		const char *name = *(char *const *)st->names;

		tdelete(name, &st->names, ini_name_cmp);
	}
}

/* ini_section_add returns the stored copy of section name [p, p + n),
 * adding it when it is new. Props borrow these copies. */
static char *ini_section_add(struct ini *ini, struct ini_state *st, const char *p, size_t n,
                             struct err *e)
{
	char *s, **found;

	if (ini->nsections == ini->cap_sections) {
		size_t cap = ini->cap_sections ? ini->cap_sections * 2 : 8;
		char **grown;

		if (cap > SIZE_MAX / sizeof(*grown) ||
		    (grown = realloc(ini->sections, cap * sizeof(*grown))) == NULL) {
			err_nomem(e);
			return NULL;
		}
		ini->sections = grown;
		ini->cap_sections = cap;
	}
	s = ini_strndup(p, n, e);
	if (s == NULL)
		return NULL;
	found = tsearch(s, &st->names, ini_name_cmp);
	if (found == NULL) {
		free(s);
		err_nomem(e);
		return NULL;
	}
	if (*found != s) {
		free(s);
		return *found;
	}
	ini->sections[ini->nsections++] = s;
	return s;
}

static int ini_props_reserve(struct ini *ini, struct err *e)
{
	struct ini_prop *grown;
	size_t cap;

	if (ini->len < ini->cap)
		return 0;
	cap = ini->cap ? ini->cap * 2 : 16;
	if (cap > SIZE_MAX / sizeof(*grown))
		return err_nomem(e);
	grown = realloc(ini->props, cap * sizeof(*grown));
	if (grown == NULL)
		return err_nomem(e);
	ini->props = grown;
	ini->cap = cap;
	return 0;
}

/* ini_prop_add appends a property; subkey may be NULL. The strings are
 * copied; section is borrowed from ini->sections. */
static int ini_prop_add(struct ini *ini, const struct ini_state *st, const char *key, size_t nkey,
                        const char *subkey, size_t nsubkey, const char *value, size_t nvalue,
                        struct err *e)
{
	struct ini_prop prop = {(char *)st->section, NULL, NULL, NULL, st->line};

	if (ini_props_reserve(ini, e) < 0)
		return -1;
	prop.key = ini_strndup(key, nkey, e);
	if (prop.key == NULL)
		goto fail;
	if (subkey != NULL) {
		prop.subkey = ini_strndup(subkey, nsubkey, e);
		if (prop.subkey == NULL)
			goto fail;
	}
	prop.value = ini_strndup(value, nvalue, e);
	if (prop.value == NULL)
		goto fail;
	ini->props[ini->len++] = prop;
	return 0;
fail:
	mem_free_secure(prop.key);
	mem_free_secure(prop.subkey);
	return -1;
}

static void ini_prop_release(struct ini_prop *prop)
{
	mem_free_secure(prop->key);
	mem_free_secure(prop->subkey);
	mem_free_secure(prop->value);
}

/* ini_truncate drops the properties and sections added after the first
 * len and nsections, wiping them. */
static void ini_truncate(struct ini *ini, size_t len, size_t nsections)
{
	while (ini->len > len)
		ini_prop_release(&ini->props[--ini->len]);
	while (ini->nsections > nsections)
		mem_free_secure(ini->sections[--ini->nsections]);
}

/* ini_parse_header handles "[name]", allowing a comment after it. */
static int ini_parse_header(struct ini *ini, struct ini_state *st, const char *p, size_t n,
                            struct err *e)
{
	const char *close = memchr(p, ']', n);
	const char *rest, *name = p + 1;
	size_t nrest, nname;

	if (close == NULL)
		return err_set(e, ERR_CONFIG, "line %u: missing ']' after section name", st->line);
	nname = (size_t)(close - name);
	ini_trim(&name, &nname);
	if (nname == 0)
		return err_set(e, ERR_CONFIG, "line %u: empty section name", st->line);
	rest = close + 1;
	nrest = n - (size_t)(rest - p);
	ini_trim(&rest, &nrest);
	if (nrest > 0 && *rest != '#' && *rest != ';')
		return err_set(e, ERR_CONFIG, "line %u: unexpected text after section header",
		               st->line);
	st->section = ini_section_add(ini, st, name, nname, e);
	if (st->section == NULL)
		return -1;
	st->key = INI_NO_KEY;
	return 0;
}

/* ini_split splits "key = value" at the first '=' and trims both sides.
 * Returns false when there is no '=' or the key is empty. */
static bool ini_split(const char *p, size_t n, const char **key, size_t *nkey, const char **value,
                      size_t *nvalue)
{
	const char *eq = memchr(p, '=', n);

	if (eq == NULL)
		return false;
	*key = p;
	*nkey = (size_t)(eq - p);
	*value = eq + 1;
	*nvalue = n - *nkey - 1;
	ini_trim(key, nkey);
	ini_trim(value, nvalue);
	return *nkey > 0;
}

static int ini_parse_property(struct ini *ini, struct ini_state *st, const char *p, size_t n,
                              size_t indent, struct err *e)
{
	const char *key, *value;
	size_t nkey, nvalue;

	if (!ini_split(p, n, &key, &nkey, &value, &nvalue))
		return err_set(e, ERR_CONFIG, "line %u: expected '[section]' or 'key = value'",
		               st->line);
	if (st->section == NULL)
		return err_set(e, ERR_CONFIG, "line %u: property before any [section]", st->line);
	if (ini_prop_add(ini, st, key, nkey, NULL, 0, value, nvalue, e) < 0)
		return -1;
	st->key = ini->len - 1;
	st->key_indent = indent;
	st->sub = nvalue == 0;
	st->value_len = nvalue;
	st->value_cap = nvalue + 1;
	return 0;
}

/* ini_parse_sub adds "subkey = value" under the current key. */
static int ini_parse_sub(struct ini *ini, struct ini_state *st, const char *p, size_t n,
                         struct err *e)
{
	const char *key, *value;
	size_t nkey, nvalue;
	const char *parent = ini->props[st->key].key;

	if (!ini_split(p, n, &key, &nkey, &value, &nvalue))
		return err_set(e, ERR_CONFIG, "line %u: expected 'key = value' in sub-property",
		               st->line);
	return ini_prop_add(ini, st, parent, strlen(parent), key, nkey, value, nvalue, e);
}

/* ini_parse_continuation appends "\n" and the line to the current value,
 * doubling its room when it runs out (the old room is wiped). */
static int ini_parse_continuation(struct ini *ini, struct ini_state *st, const char *p, size_t n,
                                  struct err *e)
{
	struct ini_prop *prop = &ini->props[st->key];
	size_t need = st->value_len + n + 2; /* bounded by the text's length */

	if (need > st->value_cap) {
		size_t cap = st->value_cap * 2 > need ? st->value_cap * 2 : need;
		char *grown = malloc(cap);

		if (grown == NULL)
			return err_nomem(e);
		memcpy(grown, prop->value, st->value_len + 1);
		mem_free_secure(prop->value);
		prop->value = grown;
		st->value_cap = cap;
	}
	prop->value[st->value_len] = '\n';
	memcpy(prop->value + st->value_len + 1, p, n);
	st->value_len += n + 1;
	prop->value[st->value_len] = '\0';
	return 0;
}

/* ini_parse_line handles one line, without its '\n'. */
static int ini_parse_line(struct ini *ini, struct ini_state *st, const char *p, size_t n,
                          struct err *e)
{
	size_t indent = 0;

	if (memchr(p, '\0', n) != NULL)
		return err_set(e, ERR_CONFIG, "line %u: NUL byte", st->line);
	if (n > INI_MAX_LINE_BYTES)
		return err_set(e, ERR_CONFIG, "line %u: longer than %d bytes", st->line,
		               INI_MAX_LINE_BYTES);
	while (indent < n && (p[indent] == ' ' || p[indent] == '\t'))
		indent++;
	ini_trim(&p, &n);
	if (n == 0 || *p == '#' || *p == ';')
		return 0;
	if (st->key != INI_NO_KEY && indent > st->key_indent) {
		if (st->sub)
			return ini_parse_sub(ini, st, p, n, e);
		return ini_parse_continuation(ini, st, p, n, e);
	}
	if (*p == '[')
		return ini_parse_header(ini, st, p, n, e);
	return ini_parse_property(ini, st, p, n, indent, e);
}

int ini_parse(const char *text, size_t len, struct ini *out, struct err *e)
{
	struct ini_state st = {NULL, INI_NO_KEY, 0, false, 0, 0, NULL, 0};
	size_t old_len = out->len, old_nsections = out->nsections;
	const char *end, *nl;

	if (len == 0)
		return 0;
	end = text + len;
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		text += 3;
	if (ini_names_index(out, &st, e) < 0)
		goto fail;
	while (text < end) {
		st.line++;
		nl = memchr(text, '\n', (size_t)(end - text));
		if (nl == NULL)
			nl = end;
		if (ini_parse_line(out, &st, text, (size_t)(nl - text), e) < 0)
			goto fail;
		text = nl < end ? nl + 1 : end;
	}
	ini_names_drop(&st);
	return 0;
fail:
	ini_names_drop(&st);
	ini_truncate(out, old_len, old_nsections);
	return -1;
}

int ini_load(const char *path, struct ini *out, bool *missing, struct err *e)
{
	struct buf text = BUF_INIT;
	int rc = file_read(path, INI_MAX_FILE_BYTES, &text, e);

	if (missing != NULL)
		*missing = rc == 0;
	if (rc == 0 && missing == NULL)
		return err_set(e, ERR_CONFIG, "unable to open '%s': %s", path, strerror(ENOENT));
	if (rc <= 0)
		return rc;
	rc = ini_parse(text.data, text.len, out, e);
	if (rc < 0)
		err_prefix(e, "unable to parse '%s'", path);
	buf_release(&text);
	return rc;
}

/* ini_find returns the index of the last top-level key in section, or
 * INI_NO_KEY: a later duplicate replaces an earlier one. */
static size_t ini_find(const struct ini *ini, const char *section, const char *key)
{
	size_t i = ini->len;

	while (i-- > 0) {
		const struct ini_prop *p = &ini->props[i];

		if (p->subkey == NULL && strcmp(p->key, key) == 0 &&
		    strcmp(p->section, section) == 0)
			return i;
	}
	return INI_NO_KEY;
}

const char *ini_get(const struct ini *ini, const char *section, const char *key)
{
	size_t i = ini_find(ini, section, key);

	return i == INI_NO_KEY ? NULL : ini->props[i].value;
}

const char *ini_get_sub(const struct ini *ini, const char *section, const char *key,
                        const char *subkey)
{
	size_t i = ini_find(ini, section, key);
	const char *value = NULL;

	if (i == INI_NO_KEY)
		return NULL;
	/* a key's sub-properties directly follow it */
	for (i++; i < ini->len && ini->props[i].subkey != NULL; i++) {
		if (strcmp(ini->props[i].subkey, subkey) == 0)
			value = ini->props[i].value;
	}
	return value;
}

bool ini_has_section(const struct ini *ini, const char *section)
{
	size_t i;

	for (i = 0; i < ini->nsections; i++) {
		if (strcmp(ini->sections[i], section) == 0)
			return true;
	}
	return false;
}

void ini_release(struct ini *ini)
{
	ini_truncate(ini, 0, 0);
	free(ini->props);
	free(ini->sections);
	ini_init(ini);
}
