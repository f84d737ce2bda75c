/*
 * ssm.h - SSM Parameter Store operations and their responses.
 */
#ifndef ENVSSM_SSM_H
#define ENVSSM_SSM_H

#include <stdbool.h>
#include <stddef.h>

#include "aws.h"
#include "buf.h"
#include "err.h"

/* Bounds on what one run holds: beyond them the response is hostile or the
 * path is wrong. */
#define SSM_MAX_PAGES  20000
#define SSM_MAX_PARAMS 100000
/* AWS may send a few empty pages with a NextToken; hundreds in a row is
 * a server that never ends, eating the account's shared rate. */
#define SSM_MAX_EMPTY_PAGES 200

struct ssm_param {
	char *name;    /* full parameter name */
	char type[16]; /* String, StringList, SecureString */
	long long version;
	struct buf value; /* secret: wiped on release */
};

struct ssm_params {
	struct ssm_param *items;
	size_t len;
	size_t cap;
};

void ssm_params_init(struct ssm_params *p);

/* ssm_params_release wipes every value and frees everything. */
void ssm_params_release(struct ssm_params *p);

/* ssm_params_take moves every item of from to the end of to, leaving from
 * empty. */
int ssm_params_take(struct ssm_params *to, struct ssm_params *from, struct err *e);

/* ssm_params_push appends a zeroed parameter for the caller to fill; NULL
 * with ERR_LIMIT past SSM_MAX_PARAMS, or ERR_NOMEM. */
struct ssm_param *ssm_params_push(struct ssm_params *p, struct err *e);

/* ssm_parse_page reads one GetParametersByPath (or GetParameters) response
 * body, appending its Parameters to out and putting NextToken (empty when
 * absent) into next_token. Pure. -1 with ERR_PARSE when the body is not the
 * expected JSON, ERR_NAMES for a value with an embedded NUL, ERR_LIMIT past
 * SSM_MAX_PARAMS. The error never quotes the body. */
int ssm_parse_page(const char *body, size_t len, struct ssm_params *out, struct buf *next_token,
                   struct err *e);

#define SSM_GET_PARAMETERS_MAX 10

/* ssm_parse_get_parameters reads a GetParameters response: Parameters are
 * appended to out, and each InvalidParameters entry to invalid followed by
 * '\n'. Pure; errors as ssm_parse_page. */
int ssm_parse_get_parameters(const char *body, size_t len, struct ssm_params *out,
                             struct buf *invalid, struct err *e);

/* ssm_get_parameters fetches 1..SSM_GET_PARAMETERS_MAX names (each may
 * carry a ":version" or ":label" selector) in one call. Names the service
 * does not know land in invalid, one a line; that is not an error here. */
int ssm_get_parameters(struct aws_client *c, const char *const *names, size_t n, bool decrypt,
                       struct ssm_params *out, struct buf *invalid, struct err *e);

struct ssm_fetch_stats {
	unsigned pages;
	unsigned long long elapsed_ms;
};

/* ssm_get_parameters_by_path fetches every parameter under path (already
 * normalised), following NextToken until it is absent, appending to out.
 * The same inputs are sent on every page. A repeated token or more than
 * SSM_MAX_PAGES pages is ERR_LIMIT. */
int ssm_get_parameters_by_path(struct aws_client *c, const char *path, bool recursive, bool decrypt,
                               struct ssm_params *out, struct ssm_fetch_stats *stats,
                               struct err *e);

#endif
