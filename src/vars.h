/*
 * vars.h - from fetched parameters to the variables the program gets. Pure.
 *
 * Each PATH's parameters are mapped to names (names.h); two parameters of
 * one PATH with the same name are an error naming both; a reserved name is
 * refused unless allowed; a later PATH wins over an earlier one.
 */
#ifndef ENVSSM_VARS_H
#define ENVSSM_VARS_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "ssm.h"

struct var {
	char *name;
	const struct ssm_param *param; /* borrowed: the value lives there */
	const char *path;              /* borrowed: the PATH that found it */
	size_t seq;                    /* order added, for overlaying */
};

struct vars {
	struct var *items;
	size_t len;
	size_t cap;
};

struct vars_opts {
	const char *allow_names; /* comma-separated reserved names allowed */
	const char *name_prefix; /* put in front of every name, or NULL */
	bool last_segment;       /* name from the last path segment only */
};

void vars_init(struct vars *v);
void vars_release(struct vars *v);

/* vars_add_path maps params->items[from..to) found under path and appends
 * them. Parameters not under path in whole segments are skipped. The
 * params and path must outlive v. */
int vars_add_path(struct vars *v, const char *path, const struct ssm_params *params, size_t from,
                  size_t to, const struct vars_opts *o, struct err *e);

/* vars_finish sorts by name and keeps, for each name, the one added last
 * (the later PATH). Call once after every vars_add_path. */
void vars_finish(struct vars *v);

/* vars_find returns the variable named name after vars_finish, or NULL;
 * vars_find_n is the same for the n bytes at name (an "NAME=value" entry,
 * say). */
const struct var *vars_find(const struct vars *v, const char *name);
const struct var *vars_find_n(const struct vars *v, const char *name, size_t n);

#endif
