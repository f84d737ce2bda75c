/*
 * jsonfield.h - the fields of a JSON object held in a parameter value. Pure.
 *
 *   DB_PASSWORD=ssm:///aws/reference/secretsmanager/prod/db#password
 *   envssm --expand-json /prod/app -- ...     (/prod/app/db = {"port":5432})
 *
 * A value whose first non-blank byte is '{' is read as a JSON object,
 * strictly (RFC 8259, UTF-8 only) and within the bounds below; anything
 * else is not an object. Duplicate names, nesting past JSONFIELD_MAX_DEPTH,
 * invalid UTF-8 and \u0000 are refused. A field becomes a variable's value
 * when it is a string (its text), a number or a boolean (its JSON text as
 * written: 5432, 1.50, true); null, objects and arrays have no such value.
 * Messages name fields and byte offsets, never values.
 */
#ifndef ENVSSM_JSONFIELD_H
#define ENVSSM_JSONFIELD_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "err.h"
#include "ssm.h"

#define JSONFIELD_MAX_BYTES     65536 /* Secrets Manager's limit for a secret */
#define JSONFIELD_MAX_DEPTH     64
#define JSONFIELD_MAX_FIELDS    1000 /* top-level fields of one object */
#define JSONFIELD_MAX_KEY_BYTES 256

enum jsonfield_kind {
	JSONFIELD_STRING,
	JSONFIELD_NUMBER,
	JSONFIELD_BOOL,
	JSONFIELD_NULL,
	JSONFIELD_OBJECT,
	JSONFIELD_ARRAY,
};

/* One top-level field. */
struct jsonfield {
	struct buf key;   /* decoded: valid UTF-8, no NUL */
	struct buf value; /* string: decoded; number, boolean: as written; else empty */
	enum jsonfield_kind kind;
};

struct jsonfield_object {
	struct jsonfield *items;
	size_t len;
	size_t cap;
};

/* jsonfield_is_object tells whether text's first non-blank byte is '{'. */
bool jsonfield_is_object(const char *text, size_t len);

/* jsonfield_parse reads the JSON object in text (len bytes) into out, in
 * order. -1 when text is not a well-formed object within the bounds:
 * ERR_PARSE, ERR_LIMIT, or ERR_NAMES for a NUL; the message names the field
 * and the byte, never a value. Release out with jsonfield_object_release
 * (also after a failure): it wipes every key and value. */
int jsonfield_parse(const char *text, size_t len, struct jsonfield_object *out, struct err *e);

void jsonfield_object_release(struct jsonfield_object *o);

/* jsonfield_select puts the text of field `field` of the JSON object in
 * text into out (replacing it). -1 with ERR_NAMES when text is not an
 * object, has no such field, or the field is null, an object or an array;
 * or with jsonfield_parse's errors. */
int jsonfield_select(const char *text, size_t len, const char *field, struct buf *out,
                     struct err *e);

/* jsonfield_expand replaces, in place and in order, every parameter of p
 * whose value is a JSON object with one parameter per field, named
 * "NAME#FIELD", with the original's type and version and the field's text
 * as value; other parameters stay as they are. The originals' values are
 * wiped. -1 (p unchanged in meaning, still to be released by the caller)
 * naming the parameter and the field when an object is malformed, a field
 * is null, an object or an array, or a field name is empty or holds a
 * control character. */
int jsonfield_expand(struct ssm_params *p, struct err *e);

/* jsonfield_map_name is names_map for a parameter name that may end in
 * "#FIELD" (from jsonfield_expand): the name is mapped as names_map does,
 * then '_' and the field, byte by byte as names_map maps them. */
int jsonfield_map_name(const char *name, const char *prefix, const char *add_prefix,
                       bool last_segment, struct buf *out, struct err *e);

#endif
