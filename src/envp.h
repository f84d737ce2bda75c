/*
 * envp.h - reading the inherited environment and building the new one.
 *
 * Pure: the inherited environment is an argument, never `environ`.
 */
#ifndef ENVSSM_ENVP_H
#define ENVSSM_ENVP_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "err.h"

/* env_get returns the value of name in envp (the first occurrence), or
 * NULL. Borrowed from envp. */
const char *env_get(char *const *envp, const char *name);

/* env_get_nonempty is env_get, but an empty value counts as unset. */
const char *env_get_nonempty(char *const *envp, const char *name);

/* One variable to put in the new environment. Borrowed pointers. */
struct envp_var {
	const char *name;
	const char *value;
	size_t value_len;
};

struct envp_opts {
	bool no_override; /* inherited values win over fetched ones */
	/* called once per fetched name that replaced (or, with no_override,
	 * kept) an inherited value; never given the value */
	void (*on_conflict)(const char *name, bool overridden, void *arg);
	void *arg;
};

/* The environment handed to execve: entries point either into the
 * inherited environment (borrowed) or into blocks this module owns. */
struct envp_result {
	char **envp; /* NULL-terminated */
	size_t len;
	bool *owned;
};

/* envp_build merges vars (names unique and sorted by strcmp, as vars_finish
 * leaves them) into
 * the inherited environment: each name appears exactly once; an inherited
 * entry without '=' or repeating an earlier name is dropped. Release with
 * envp_release (which wipes what it owns). */
int envp_build(char *const *inherited, const struct envp_var *vars, size_t nvars,
               const struct envp_opts *o, struct envp_result *out, struct err *e);

void envp_release(struct envp_result *r);

/* envp_digest is the SHA-256 of envp's entries in order: what tells two
 * environments apart without keeping either. */
#define ENVP_DIGEST_LEN 32
int envp_digest(char *const *envp, unsigned char out[ENVP_DIGEST_LEN], struct err *e);
#endif
