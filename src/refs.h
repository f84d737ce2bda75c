/*
 * refs.h - inherited variables whose value names a parameter.
 *
 *   DB_PASSWORD=ssm:///production/db/password
 *   DB_PASSWORD=ssm:///production/db/password:3        (version)
 *   DB_PASSWORD=ssm:///production/db/password:current  (label)
 *   API_KEY=ssm:///aws/reference/secretsmanager/prod/api-key
 *
 * Each is resolved with batched GetParameters calls (ten names a call) and
 * its value replaced. Every bad or unresolvable reference is reported in
 * one error.
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
 * "ssm://". Pure. A malformed reference is ERR_USAGE listing all of them
 * by variable name (a reference is a pointer, not a secret, but it is
 * never echoed past 200 bytes). Only a name's first entry counts, as in the
 * environment envp_build makes. */
int refs_scan(char *const *envp, struct refs *out, struct err *e);

/* refs_resolve resolves every reference, ten names a call. A reference
 * the service does not know is ERR_AWS listing each such variable and the
 * name it points at. */
int refs_resolve(struct aws_client *c, struct refs *r, struct err *e);

/* refs_find returns the resolved reference for variable var, or NULL. */
const struct ref *refs_find(const struct refs *r, const char *var, size_t var_len);

#endif
