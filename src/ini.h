/*
 * ini.h - the AWS shared config/credentials file format, parsed purely.
 *
 * Full-line comments start with '#' or ';'; keys and values are trimmed; a
 * line indented under "key =" (with an empty value) is a sub-property of
 * that key, as the config file's [services NAME] sections use:
 *
 *     [services local]
 *     ssm =
 *       endpoint_url = http://localhost:4566
 *
 * Values may be secrets: every string an ini holds is wiped on release.
 */
#ifndef ENVSSM_INI_H
#define ENVSSM_INI_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

struct ini_prop {
	char *section; /* as written between the brackets, trimmed */
	char *key;     /* as written (keys are case-sensitive) */
	char *subkey;  /* NULL for a top-level property */
	char *value;
	unsigned line;
};

struct ini {
	struct ini_prop *props;
	size_t len;
	size_t cap;
	char **sections; /* every section header seen, in order */
	size_t nsections;
	size_t cap_sections;
};

/* ini_init makes an empty ini. */
void ini_init(struct ini *ini);

/* ini_parse parses len bytes of text (NUL bytes are an error) and appends
 * to out, in time and memory linear in len whatever the text holds. A
 * later duplicate key in the same section replaces the earlier one.
 * Returns -1 with ERR_CONFIG and "line N: ..." for a line that is neither
 * a section, a property, a comment nor blank. The name of the file is the
 * caller's to add. */
int ini_parse(const char *text, size_t len, struct ini *out, struct err *e);

/* ini_load reads the file at path (a regular file of at most 1 MiB,
 * through file_read) and parses it into out. A file that does not exist
 * sets *missing and returns 0 with out empty. */
int ini_load(const char *path, struct ini *out, bool *missing, struct err *e);

/* ini_get returns the value of key in section, or NULL. Borrowed. */
const char *ini_get(const struct ini *ini, const char *section, const char *key);

/* ini_get_sub returns the sub-property subkey under key in section, or NULL. */
const char *ini_get_sub(const struct ini *ini, const char *section, const char *key,
                        const char *subkey);

/* ini_has_section tells whether a [section] header was seen. */
bool ini_has_section(const struct ini *ini, const char *section);

/* ini_release wipes and frees everything ini holds. */
void ini_release(struct ini *ini);

#endif
