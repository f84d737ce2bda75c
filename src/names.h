/*
 * names.h - SSM paths and the variable names parameters become. Pure.
 */
#ifndef ENVSSM_NAMES_H
#define ENVSSM_NAMES_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "err.h"

/* Bounds from the SSM service: 15 hierarchy levels, 2048 bytes a name. */
#define NAMES_MAX_DEPTH 15
#define NAMES_MAX_PATH  2048

/* The longest variable name envssm sets, prints or checks, in every mode
 * and in --require, --keep and --allow-name: more than any parameter name
 * can map to (NAMES_MAX_PATH plus a --prefix). */
#define NAMES_MAX_VAR 4096

/* names_path_normalize builds the SSM path prefix for a PATH operand:
 * env_name (or NULL) goes in front, a leading '/' is implied, repeated and
 * trailing slashes are dropped ("/" stays "/"). Only [A-Za-z0-9_.-] and
 * '/' are allowed. Writes into out (replacing it); -1 with ERR_USAGE on a
 * bad byte, an empty segment count past NAMES_MAX_DEPTH or a path too
 * long. */
int names_path_normalize(const char *env_name, const char *path, struct buf *out, struct err *e);

/* names_under tells whether parameter `name` lies strictly below `prefix`
 * in whole segments: "/app/x" is under "/app", "/app2/x" is not. */
bool names_under(const char *name, const char *prefix);

/* names_map turns parameter `name` found under `prefix` into a variable
 * name in out (replacing it): the path relative to prefix, '/' and every
 * byte outside [A-Za-z0-9_] as '_', upper-cased, '_' before a leading
 * digit. With last_segment, only the final segment is used. `add_prefix`
 * (may be NULL) is put in front as given. -1 with ERR_NAMES when nothing
 * is left to name, or the name is longer than NAMES_MAX_VAR. */
int names_map(const char *name, const char *prefix, const char *add_prefix, bool last_segment,
              struct buf *out, struct err *e);

/* names_map_byte is the byte names_map puts for c: c upper-cased when it
 * is a letter or a digit, else '_'. */
char names_map_byte(unsigned char c);

/* A rule reserving names that let whoever writes a parameter take over
 * the program or envssm (PATH, LD_*, ...), and why. */
struct names_rule {
	const char *names;  /* space-separated; a name ending in '*' is a prefix */
	const char *reason; /* a short phrase for messages */
	bool fixed;         /* not even --allow-name allows these */
};

/* names_reserved returns the rule that reserves var, or NULL when a
 * parameter may set it. The rule is static. */
const struct names_rule *names_reserved(const char *var);

/* names_valid_var tells whether var is a portable variable name:
 * [A-Za-z_][A-Za-z0-9_]*, at most NAMES_MAX_VAR bytes. */
bool names_valid_var(const char *var);

/* names_in_list tells whether var is in a comma-separated list (list may
 * be NULL); names_in_list_n is the same for the n bytes at var. */
bool names_in_list(const char *var, const char *list);
bool names_in_list_n(const char *var, size_t n, const char *list);

/* names_list_next returns the next name of a comma-separated list, *n
 * bytes with the blanks around it dropped (0 for an empty item), and moves
 * *list past it; NULL at the end (or when *list is NULL). */
const char *names_list_next(const char **list, size_t *n);

#endif
