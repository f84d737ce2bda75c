/*
 * ssm.c - GetParametersByPath: request bodies, pages, responses.
 */
#include "ssm.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "log.h"

void ssm_params_init(struct ssm_params *p)
{
	memset(p, 0, sizeof(*p));
}

void ssm_params_release(struct ssm_params *p)
{
	for (size_t i = 0; i < p->len; i++) {
		free(p->items[i].name);
		buf_release(&p->items[i].value);
	}
	free(p->items);
	ssm_params_init(p);
}

int ssm_params_take(struct ssm_params *to, struct ssm_params *from, struct err *e)
{
	if (from->len == 0)
		return 0;
	if (to->len + from->len > SSM_MAX_PARAMS)
		return err_set(e, ERR_LIMIT, "more than %d parameters", SSM_MAX_PARAMS);
	if (to->len + from->len > to->cap) {
		size_t cap = to->len + from->len;
		struct ssm_param *items = realloc(to->items, cap * sizeof(*items));

		if (items == NULL)
			return err_nomem(e);
		to->items = items;
		to->cap = cap;
	}
	memcpy(to->items + to->len, from->items, from->len * sizeof(from->items[0]));
	to->len += from->len;
	free(from->items);
	ssm_params_init(from);
	return 0;
}

struct ssm_param *ssm_params_push(struct ssm_params *p, struct err *e)
{
	if (p->len >= SSM_MAX_PARAMS) {
		err_set(e, ERR_LIMIT, "more than %d parameters", SSM_MAX_PARAMS);
		return NULL;
	}
	if (p->len == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 16;
		struct ssm_param *items = realloc(p->items, cap * sizeof(*items));

		if (items == NULL) {
			err_nomem(e);
			return NULL;
		}
		p->items = items;
		p->cap = cap;
	}
	memset(&p->items[p->len], 0, sizeof(p->items[0]));
	return &p->items[p->len++];
}

/* take_param copies one Parameters[] item into out. */
static int take_param(const cJSON *item, struct ssm_params *out, struct err *e)
{
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(item, "Name");
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(item, "Type");
	const cJSON *value = cJSON_GetObjectItemCaseSensitive(item, "Value");
	const cJSON *version = cJSON_GetObjectItemCaseSensitive(item, "Version");
	struct ssm_param *p;

	if (!cJSON_IsObject(item) || !cJSON_IsString(name) || !cJSON_IsString(value))
		return err_set(e, ERR_PARSE,
		               "malformed response: a parameter without Name or Value");
	if (strlen(name->valuestring) == 0 || strlen(name->valuestring) > 2048)
		return err_set(e, ERR_PARSE, "malformed response: a parameter name of bad length");
	if ((p = ssm_params_push(out, e)) == NULL)
		return -1;
	if ((p->name = mem_strdup(name->valuestring, e)) == NULL)
		return -1;
	if (cJSON_IsString(type))
		snprintf(p->type, sizeof(p->type), "%s", type->valuestring);
	/* out of range, the conversion would be undefined */
	if (cJSON_IsNumber(version) && version->valuedouble >= 0 && version->valuedouble < 9e18)
		p->version = (long long)version->valuedouble;
	return buf_puts(&p->value, value->valuestring, e);
}

static int take_token(const cJSON *root, struct buf *next_token, struct err *e)
{
	const cJSON *tok = cJSON_GetObjectItemCaseSensitive(root, "NextToken");

	buf_truncate(next_token, 0);
	if (tok == NULL || cJSON_IsNull(tok))
		return 0;
	if (!cJSON_IsString(tok))
		return err_set(e, ERR_PARSE, "malformed response: NextToken is not a string");
	if (strlen(tok->valuestring) > 8192)
		return err_set(e, ERR_LIMIT,
		               "malformed response: NextToken longer than 8192 bytes");
	return buf_puts(next_token, tok->valuestring, e);
}

/* only_space tells whether n bytes at p are JSON whitespace. */
static bool only_space(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\n' && p[i] != '\r')
			return false;
	}
	return true;
}

/* parse_root checks and parses a response body into *root. */
static int parse_root(const char *body, size_t len, cJSON **root, struct err *e)
{
	const char *end = NULL;

	aws_json_hooks();
	*root = NULL;
	/* cJSON would silently cut a string at a raw NUL */
	if (memchr(body, '\0', len) != NULL)
		return err_set(e, ERR_PARSE,
		               "malformed response: a NUL byte in the body (%zu bytes)", len);
	if (aws_json_has_nul(body, len))
		return err_set(
		        e, ERR_NAMES,
		        "a parameter holds a NUL byte (\\u0000), which no environment variable can carry");
	*root = cJSON_ParseWithLengthOpts(body, len, &end, false);
	if (!cJSON_IsObject(*root) || !only_space(end, (size_t)(body + len - end)))
		return err_set(e, ERR_PARSE, "malformed response: not a JSON object (%zu bytes)",
		               len);
	return 0;
}

static int take_params(const cJSON *root, struct ssm_params *out, struct err *e)
{
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(root, "Parameters");
	const cJSON *item;

	if (!cJSON_IsArray(list))
		return err_set(e, ERR_PARSE,
		               "malformed response: Parameters is missing or not a list");
	cJSON_ArrayForEach(item, list)
	{
		if (take_param(item, out, e) < 0)
			return -1;
	}
	return 0;
}

int ssm_parse_page(const char *body, size_t len, struct ssm_params *out, struct buf *next_token,
                   struct err *e)
{
	cJSON *root = NULL;
	int rc = -1;

	if (parse_root(body, len, &root, e) == 0 && take_params(root, out, e) == 0)
		rc = take_token(root, next_token, e);
	cJSON_Delete(root);
	return rc;
}

static int take_invalid(const cJSON *root, struct buf *invalid, struct err *e)
{
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(root, "InvalidParameters");
	const cJSON *item;

	if (list == NULL)
		return 0;
	if (!cJSON_IsArray(list))
		return err_set(e, ERR_PARSE, "malformed response: InvalidParameters is not a list");
	cJSON_ArrayForEach(item, list)
	{
		if (!cJSON_IsString(item))
			return err_set(e, ERR_PARSE,
			               "malformed response: an invalid parameter is not a string");
		if (buf_puts(invalid, item->valuestring, e) < 0 || buf_putc(invalid, '\n', e) < 0)
			return -1;
	}
	return 0;
}

int ssm_parse_get_parameters(const char *body, size_t len, struct ssm_params *out,
                             struct buf *invalid, struct err *e)
{
	cJSON *root = NULL;
	int rc = -1;

	if (parse_root(body, len, &root, e) == 0 && take_params(root, out, e) == 0)
		rc = take_invalid(root, invalid, e);
	cJSON_Delete(root);
	return rc;
}

static int names_body(const char *const *names, size_t n, bool decrypt, struct buf *out,
                      struct err *e)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *list = cJSON_AddArrayToObject(o, "Names");
	char *text = NULL;
	int rc = -1;

	if (o == NULL || list == NULL || !cJSON_AddBoolToObject(o, "WithDecryption", decrypt))
		goto nomem;
	for (size_t i = 0; i < n; i++) {
		cJSON *str = cJSON_CreateString(names[i]);

		if (str == NULL || !cJSON_AddItemToArray(list, str))
			goto nomem;
	}
	if ((text = cJSON_PrintUnformatted(o)) == NULL)
		goto nomem;
	rc = buf_set(out, text, strlen(text), e);
	goto done;
nomem:
	err_nomem(e);
done:
	mem_free_secure(text);
	cJSON_Delete(o);
	return rc;
}

int ssm_get_parameters(struct aws_client *c, const char *const *names, size_t n, bool decrypt,
                       struct ssm_params *out, struct buf *invalid, struct err *e)
{
	struct buf body = BUF_INIT;
	struct http_response resp;
	struct aws_error ae;
	int rc = -1;

	if (n == 0 || n > SSM_GET_PARAMETERS_MAX)
		return err_set(e, ERR_LIMIT, "GetParameters takes 1 to %d names, not %zu",
		               SSM_GET_PARAMETERS_MAX, n);
	http_response_init(&resp);
	if (names_body(names, n, decrypt, &body, e) == 0 &&
	    aws_json_call(c, "AmazonSSM.GetParameters", &body, &resp, &ae, e) == 0)
		rc = ssm_parse_get_parameters(buf_cstr(&resp.body), resp.body.len, out, invalid, e);
	http_response_release(&resp);
	buf_release(&body);
	return rc;
}

/* request_body builds the page request; the same inputs on every page. */
static int request_body(const char *path, bool recursive, bool decrypt, const char *token,
                        struct buf *out, struct err *e)
{
	cJSON *o = cJSON_CreateObject();
	char *text = NULL;
	int rc = -1;

	if (o == NULL || !cJSON_AddStringToObject(o, "Path", path) ||
	    !cJSON_AddBoolToObject(o, "Recursive", recursive) ||
	    !cJSON_AddBoolToObject(o, "WithDecryption", decrypt) ||
	    !cJSON_AddNumberToObject(o, "MaxResults", 10) ||
	    (*token && !cJSON_AddStringToObject(o, "NextToken", token))) {
		err_nomem(e);
		goto done;
	}
	if ((text = cJSON_PrintUnformatted(o)) == NULL) {
		err_nomem(e);
		goto done;
	}
	rc = buf_set(out, text, strlen(text), e);
done:
	mem_free_secure(text);
	cJSON_Delete(o);
	return rc;
}

static int fetch_page(struct aws_client *c, const struct buf *body, struct ssm_params *out,
                      struct buf *next, struct err *e)
{
	struct http_response resp;
	struct aws_error ae;
	int rc;

	http_response_init(&resp);
	rc = aws_json_call(c, "AmazonSSM.GetParametersByPath", body, &resp, &ae, e);
	if (rc == 0)
		rc = ssm_parse_page(buf_cstr(&resp.body), resp.body.len, out, next, e);
	http_response_release(&resp);
	return rc;
}

static uint64_t token_hash(const struct buf *t)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */

	for (size_t i = 0; i < t->len; i++)
		h = (h ^ (unsigned char)t->data[i]) * 1099511628211ULL;
	return h;
}

/* token_seen remembers every token of one walk; true on a repeat, which
 * would make pagination go round for ever (A, B, A, ...). */
static int token_seen(uint64_t **seen, size_t n, const struct buf *t, bool *repeat, struct err *e)
{
	uint64_t h = token_hash(t);
	uint64_t *grown;

	*repeat = false;
	for (size_t i = 0; *seen != NULL && i < n; i++) {
		if ((*seen)[i] == h) {
			*repeat = true;
			return 0;
		}
	}
	if ((n & (n - 1)) == 0) { /* grow at powers of two */
		grown = realloc(*seen, (n ? n * 2 : 1) * sizeof(**seen));
		if (grown == NULL)
			return err_nomem(e);
		*seen = grown;
	}
	(*seen)[n] = h;
	return 0;
}

int ssm_get_parameters_by_path(struct aws_client *c, const char *path, bool recursive, bool decrypt,
                               struct ssm_params *out, struct ssm_fetch_stats *stats, struct err *e)
{
	struct buf body = BUF_INIT, token = BUF_INIT;
	uint64_t *seen = NULL;
	bool repeat = false;
	unsigned empty_run = 0;
	int rc = -1;

	for (stats->pages = 0;; stats->pages++) {
		size_t before = out->len;

		if (stats->pages >= SSM_MAX_PAGES) {
			err_set(e, ERR_LIMIT, "more than %d pages: NextToken never ends",
			        SSM_MAX_PAGES);
			goto done;
		}
		if (request_body(path, recursive, decrypt, buf_cstr(&token), &body, e) < 0 ||
		    fetch_page(c, &body, out, &token, e) < 0)
			goto done;
		log_debug("'%s': page %u, %zu parameters", path, stats->pages + 1,
		          out->len - before);
		if (token.len == 0)
			break;
		empty_run = out->len == before ? empty_run + 1 : 0;
		if (empty_run >= SSM_MAX_EMPTY_PAGES) {
			err_set(e, ERR_LIMIT,
			        "pagination is not progressing: %u pages in a row without a parameter, each with a new NextToken",
			        empty_run);
			goto done;
		}
		if (token_seen(&seen, stats->pages, &token, &repeat, e) < 0)
			goto done;
		if (repeat) {
			err_set(e, ERR_LIMIT,
			        "the service repeated a NextToken: pagination would never end");
			goto done;
		}
	}
	stats->pages++;
	rc = 0;
done:
	free(seen);
	buf_release(&body);
	buf_release(&token);
	return rc;
}
