/*
 * refs.h - inherited variables whose value names a parameter.
 *
 *   DB_PASSWORD=ssm:///production/db/password
 *   DB_PASSWORD=ssm:///production/db/password:3        (version)
 *   DB_PASSWORD=ssm:///production/db/password:current  (label)
 *   API_KEY=ssm:///aws/reference/secretsmanager/prod/api-key
 *   DB_USER=ssm:///aws/reference/secretsmanager/rds!db-1234#username  (a JSON field)
 *
 * Each is resolved with batched GetParameters calls (ten names a call) and
 * its value replaced, or with "#FIELD" by that field of the JSON object the
 * value holds (jsonfield.h). Every bad or unresolvable reference is
 * reported in one error.
 */
#ifndef ENVSSM_REFS_H
#define ENVSSM_REFS_H

#include <stddef.h>

#include "aws.h"
#include "buf.h"
#include "err.h"
#include "ssm.h"

#define REFS_SCHEME "ssm://"

struct ref {
	char *var;                     /* the variable's name */
	char *request;                 /* what GetParameters is asked for: "/name" or "/name:sel" */
	size_t base_len;               /* length of the name without its selector */
	char *field;                   /* the JSON field after '#', or NULL */
	struct buf value;              /* that field's text, once resolved */
	const struct ssm_param *param; /* resolved; borrowed from the store */
	size_t index;                  /* of the answer in the store, while batches still grow it */
};

struct refs {
	struct ref *items;
	size_t len;
	size_t cap;
	struct ssm_params store; /* owns the resolved values */
	unsigned calls;          /* GetParameters calls made */
};

void refs_init(struct refs *r);

/* refs_release wipes the resolved values and frees everything. */
void refs_release(struct refs *r);

/* refs_scan collects every variable of envp whose value starts with
 * "ssm://". Pure. A malformed reference, or one in a variable whose name
 * is longer than NAMES_MAX_VAR, is ERR_USAGE listing all of them
 * by variable name (a reference is a pointer, not a secret, but it is
 * never echoed past 200 bytes). Only a name's first entry counts, as in the
 * environment envp_build makes. */
int refs_scan(char *const *envp, struct refs *out, struct err *e);

/* One GetParameters call's worth of references: up to ten, never two
 * selectors of one parameter. */
struct refs_batch {
	size_t idx[SSM_GET_PARAMETERS_MAX]; /* into refs->items */
	size_t n;
	const struct refs *refs;
	struct ssm_params store; /* its answers, until refs_finish takes them */
	struct buf invalid;
};

/* refs_is_secret tells whether ref names a Secrets Manager secret
 * (/aws/reference/secretsmanager/ID). */
bool refs_is_secret(const struct ref *ref);

/* refs_plan splits the references into batches (caller frees them with
 * refs_batches_release). Pure. */
int refs_plan(struct refs *r, struct refs_batch **out, size_t *nout, struct err *e);

/* refs_resolve_batch makes one batch's GetParameters call (arg is a struct
 * refs_batch). It reads the references and writes only its batch, so the
 * batches of one plan may run concurrently (fetch_each). */
int refs_resolve_batch(struct aws_client *c, void *arg, struct err *e);

/* refs_finish takes every batch's answers, in plan order, and points each
 * reference at its value; an unanswered reference is ERR_AWS naming every
 * such variable and the name it points at. Then it selects the JSON fields:
 * a value that is no JSON object, a missing field or one that is null, an
 * object or an array is ERR_NAMES naming every such variable and field. */
int refs_finish(struct refs *r, struct refs_batch *b, size_t n, struct err *e);

void refs_batches_release(struct refs_batch *b, size_t n);

/* refs_resolve resolves every reference, ten names a call, one call after
 * another: refs_plan, refs_resolve_batch each, refs_finish. A reference
 * the service does not know is ERR_AWS listing each such variable and the
 * name it points at. */
int refs_resolve(struct aws_client *c, struct refs *r, struct err *e);

/* refs_value is what a resolved reference puts in its variable: the
 * selected field, or the parameter's whole value. Borrowed from r. */
const struct buf *refs_value(const struct ref *ref);

/* refs_find returns the resolved reference for variable var, or NULL. */
const struct ref *refs_find(const struct refs *r, const char *var, size_t var_len);

#endif
