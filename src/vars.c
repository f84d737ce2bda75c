/*
 * vars.c - map, check and overlay the parameters of every PATH.
 */
#include "vars.h"

#include <stdlib.h>
#include <string.h>

#include "jsonfield.h"
#include "names.h"

void vars_init(struct vars *v)
{
	memset(v, 0, sizeof(*v));
}

void vars_release(struct vars *v)
{
	for (size_t i = 0; i < v->len; i++)
		free(v->items[i].name);
	free(v->items);
	vars_init(v);
}

static struct var *vars_push(struct vars *v, struct err *e)
{
	if (v->len == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 16;
		struct var *items = realloc(v->items, cap * sizeof(*items));

		if (items == NULL) {
			err_nomem(e);
			return NULL;
		}
		v->items = items;
		v->cap = cap;
	}
	memset(&v->items[v->len], 0, sizeof(v->items[0]));
	v->items[v->len].seq = v->len;
	return &v->items[v->len++];
}

static int cmp_name_seq(const void *a, const void *b)
{
	const struct var *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c != 0)
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* check_collisions finds two parameters of one PATH with one name. */
static int check_collisions(struct var *items, size_t n, struct err *e)
{
	qsort(items, n, sizeof(items[0]), cmp_name_seq);
	for (size_t i = 1; i < n; i++) {
		if (strcmp(items[i - 1].name, items[i].name) == 0)
			return err_set(e, ERR_NAMES,
			               "parameters '%.400s' and '%.400s' both map to '%.150s'",
			               items[i - 1].param->name, items[i].param->name,
			               items[i].name);
	}
	return 0;
}

static int add_one(struct vars *v, const char *path, const struct ssm_param *p,
                   const struct vars_opts *o, struct err *e)
{
	struct buf name = BUF_INIT;
	const struct names_rule *rule;
	struct var *var;

	if (jsonfield_map_name(p->name, path, o->name_prefix, o->last_segment, &name, e) < 0)
		goto fail;
	rule = names_reserved(name.data);
	if (rule != NULL && rule->fixed) {
		err_set(e, ERR_NAMES,
		        "parameter '%.400s' maps to the reserved name '%.150s' (%s): it cannot be allowed",
		        p->name, name.data, rule->reason);
		goto fail;
	}
	if (rule != NULL && !names_in_list(name.data, o->allow_names)) {
		err_set(e, ERR_NAMES,
		        "parameter '%.400s' maps to the reserved name '%.150s' (%s): allow it with --allow-name %.150s",
		        p->name, name.data, rule->reason, name.data);
		goto fail;
	}
	if ((var = vars_push(v, e)) == NULL)
		goto fail;
	var->name = buf_detach(&name, e);
	var->param = p;
	var->path = path;
	if (var->name == NULL) {
		v->len--;
		goto fail;
	}
	return 0;
fail:
	buf_release(&name);
	return -1;
}

int vars_add_path(struct vars *v, const char *path, const struct ssm_params *params, size_t from,
                  size_t to, const struct vars_opts *o, struct err *e)
{
	size_t start = v->len;

	for (size_t i = from; i < to; i++) {
		if (!names_under(params->items[i].name, path))
			continue;
		if (add_one(v, path, &params->items[i], o, e) < 0)
			return -1;
	}
	if (v->len == start)
		return 0; /* nothing found: items may still be NULL */
	if (check_collisions(v->items + start, v->len - start, e) < 0)
		return -1;
	/* sorting reordered this path's entries: give them fresh sequence
	 * numbers that still come after every earlier path's */
	for (size_t i = start; i < v->len; i++)
		v->items[i].seq = i;
	return 0;
}

void vars_finish(struct vars *v)
{
	size_t out = 0;

	if (v->len == 0)
		return; /* qsort must not be given NULL */
	qsort(v->items, v->len, sizeof(v->items[0]), cmp_name_seq);
	for (size_t i = 0; i < v->len; i++) {
		bool last = i + 1 == v->len || strcmp(v->items[i].name, v->items[i + 1].name) != 0;

		if (!last) {
			free(v->items[i].name);
			continue;
		}
		v->items[out++] = v->items[i];
	}
	v->len = out;
}

/* A name to look up: n bytes, not necessarily NUL-terminated. */
struct key {
	const char *name;
	size_t n;
};

/* cmp_key orders as strcmp would with the key's n bytes as a string. */
static int cmp_key(const void *key, const void *elem)
{
	const struct key *k = key;
	const char *name = ((const struct var *)elem)->name;
	int c = strncmp(k->name, name, k->n);

	if (c != 0)
		return c;
	return name[k->n] == '\0' ? 0 : -1;
}

const struct var *vars_find(const struct vars *v, const char *name)
{
	return vars_find_n(v, name, strlen(name));
}

const struct var *vars_find_n(const struct vars *v, const char *name, size_t n)
{
	struct key k = {name, n};

	if (v->len == 0)
		return NULL;
	return bsearch(&k, v->items, v->len, sizeof(v->items[0]), cmp_key);
}
