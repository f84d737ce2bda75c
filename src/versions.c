/*
 * versions.c - versions of the watched parameters, at the least cost.
 */
#include "versions.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "sigv4.h"
#include "ssm.h"

#define VERSIONS_NAME_MAX 2048

static int add_line(struct buf *lines, const char *name, long long version, struct err *e)
{
	return buf_printf(lines, e, "%s\t%lld\n", name, version);
}

static bool clean_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > VERSIONS_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	}
	return true;
}

int versions_parse_describe(const char *body, size_t len, struct buf *lines, struct buf *next_token,
                            struct err *e)
{
	cJSON *root = cJSON_ParseWithLength(body, len);
	const cJSON *list, *item, *tok;
	int rc = -1;

	buf_truncate(next_token, 0);
	if (root == NULL || !cJSON_IsObject(root)) {
		err_set(e, ERR_PARSE, "DescribeParameters answer is not a JSON object");
		goto done;
	}
	list = cJSON_GetObjectItemCaseSensitive(root, "Parameters");
	if (list != NULL && !cJSON_IsArray(list)) {
		err_set(e, ERR_PARSE, "DescribeParameters answer: 'Parameters' is not a list");
		goto done;
	}
	cJSON_ArrayForEach(item, list)
	{
		const cJSON *name = cJSON_GetObjectItemCaseSensitive(item, "Name");
		const cJSON *ver = cJSON_GetObjectItemCaseSensitive(item, "Version");

		if (!cJSON_IsString(name) || !clean_name(name->valuestring) ||
		    !cJSON_IsNumber(ver) || ver->valuedouble < 1 || ver->valuedouble > 9.0e15) {
			err_set(e, ERR_PARSE,
			        "DescribeParameters answer: a parameter without a "
			        "valid Name and Version");
			goto done;
		}
		if (add_line(lines, name->valuestring, (long long)ver->valuedouble, e) < 0)
			goto done;
	}
	tok = cJSON_GetObjectItemCaseSensitive(root, "NextToken");
	if (cJSON_IsString(tok) && tok->valuestring[0] != '\0') {
		if (strlen(tok->valuestring) > 8192) {
			err_set(e, ERR_LIMIT,
			        "DescribeParameters answer: NextToken over 8192 bytes");
			goto done;
		}
		if (buf_puts(next_token, tok->valuestring, e) < 0)
			goto done;
	}
	rc = 0;
done:
	cJSON_Delete(root);
	return rc;
}

static int describe_body(const char *path, bool recursive, const char *token, struct buf *out,
                         struct err *e)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *filters = cJSON_AddArrayToObject(o, "ParameterFilters");
	cJSON *f = cJSON_CreateObject(), *values = cJSON_AddArrayToObject(f, "Values");
	char *text = NULL;
	int rc = -1;

	if (o == NULL || filters == NULL || f == NULL || values == NULL ||
	    !cJSON_AddStringToObject(f, "Key", "Path") ||
	    !cJSON_AddStringToObject(f, "Option", recursive ? "Recursive" : "OneLevel") ||
	    !cJSON_AddItemToArray(values, cJSON_CreateString(path)) ||
	    !cJSON_AddItemToArray(filters, f) ||
	    !cJSON_AddNumberToObject(o, "MaxResults", VERSIONS_PAGE_MAX) ||
	    (*token && !cJSON_AddStringToObject(o, "NextToken", token))) {
		if (f != NULL && (filters == NULL || f->prev == NULL))
			cJSON_Delete(f);
		err_nomem(e);
		goto done;
	}
	if ((text = cJSON_PrintUnformatted(o)) == NULL) {
		err_nomem(e);
		goto done;
	}
	rc = buf_set(out, text, strlen(text), e);
done:
	free(text);
	cJSON_Delete(o);
	return rc;
}

int versions_path(struct aws_client *c, const char *path, bool recursive, struct buf *lines,
                  unsigned *requests, struct err *e)
{
	struct buf body = BUF_INIT, token = BUF_INIT;
	int rc = -1;

	for (unsigned pages = 0;; pages++) {
		struct http_response resp;
		struct aws_error ae;

		if (pages >= 10000) {
			err_set(e, ERR_LIMIT, "'%s': over 10000 DescribeParameters pages", path);
			break;
		}
		if (describe_body(path, recursive, buf_cstr(&token), &body, e) < 0)
			break;
		http_response_init(&resp);
		(*requests)++;
		rc = aws_json_call(c, "AmazonSSM.DescribeParameters", &body, &resp, &ae, e);
		if (rc == 0)
			rc = versions_parse_describe(buf_cstr(&resp.body), resp.body.len, lines,
			                             &token, e);
		http_response_release(&resp);
		if (rc < 0 || token.len == 0)
			break;
		rc = -1;
	}
	buf_release(&body);
	buf_release(&token);
	return rc;
}

/* value_line is a secret's fingerprint line: its name and the SHA-256 of
 * its value, cut to 128 bits, behind VERSIONS_VALUE_MARK. */
static int value_line(struct buf *lines, const char *name, const struct buf *value, struct err *e)
{
	char hex[65];

	sigv4_sha256_hex(value->data ? value->data : "", value->len, hex);
	return buf_printf(lines, e, "%s\t%s%.32s\n", name, VERSIONS_VALUE_MARK, hex);
}

static int get_lines(struct aws_client *c, const char *const *names, size_t n, bool secrets,
                     struct buf *lines, unsigned *requests, struct err *e)
{
	for (size_t i = 0; i < n; i += SSM_GET_PARAMETERS_MAX) {
		size_t k = n - i < SSM_GET_PARAMETERS_MAX ? n - i : SSM_GET_PARAMETERS_MAX;
		struct ssm_params got;
		struct buf invalid = BUF_INIT;
		int rc;

		ssm_params_init(&got);
		(*requests)++;
		rc = ssm_get_parameters(c, names + i, k, secrets, &got, &invalid, e);
		for (size_t j = 0; rc == 0 && j < got.len; j++)
			rc = secrets ? value_line(lines, got.items[j].name, &got.items[j].value, e)
			             : add_line(lines, got.items[j].name, got.items[j].version, e);
		/* a name that is gone is a change like any other */
		if (rc == 0 && invalid.len > 0)
			rc = buf_printf(lines, e, "missing:%s\t0\n", buf_cstr(&invalid));
		ssm_params_release(&got);
		buf_release(&invalid);
		if (rc < 0)
			return -1;
	}
	return 0;
}

int versions_names(struct aws_client *c, const char *const *names, size_t n, struct buf *lines,
                   unsigned *requests, struct err *e)
{
	return get_lines(c, names, n, false, lines, requests, e);
}

int versions_secrets(struct aws_client *c, const char *const *names, size_t n, struct buf *lines,
                     unsigned *requests, struct err *e)
{
	return get_lines(c, names, n, true, lines, requests, e);
}

static int cmp_lines(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int versions_sort(struct buf *lines, struct err *e)
{
	size_t n = 0, k = 0;
	char **v;
	struct buf out = BUF_INIT;
	char *p;
	int rc = 0;

	if (lines->len == 0)
		return 0;
	for (size_t i = 0; i < lines->len; i++)
		n += lines->data[i] == '\n';
	if ((v = calloc(n + 1, sizeof(*v))) == NULL)
		return err_nomem(e);
	for (p = lines->data; k < n && (size_t)(p - lines->data) < lines->len; k++) {
		char *nl = strchr(p, '\n');

		if (nl == NULL)
			break;
		*nl = '\0';
		v[k] = p;
		p = nl + 1;
	}
	qsort(v, k, sizeof(*v), cmp_lines);
	for (size_t i = 0; rc == 0 && i < k; i++) {
		/* the same parameter named twice (a PATH and a reference) */
		if (i > 0 && strcmp(v[i], v[i - 1]) == 0)
			continue;
		rc = buf_printf(&out, e, "%s\n", v[i]);
	}
	free(v);
	if (rc == 0) {
		buf_release(lines);
		*lines = out;
	} else {
		buf_release(&out);
	}
	return rc;
}

/* split_line gives the name and version of the line at *p, advancing. */
static bool next_line(const char **p, const char *end, const char **name, size_t *nlen,
                      const char **ver, size_t *vlen)
{
	const char *nl, *tab;

	if (*p >= end)
		return false;
	nl = memchr(*p, '\n', (size_t)(end - *p));
	if (nl == NULL)
		nl = end;
	tab = memchr(*p, '\t', (size_t)(nl - *p));
	if (tab == NULL)
		tab = nl;
	*name = *p;
	*nlen = (size_t)(tab - *p);
	*ver = tab < nl ? tab + 1 : nl;
	*vlen = (size_t)(nl - *ver);
	*p = nl < end ? nl + 1 : end;
	return true;
}

static bool is_value(const char *v, size_t n)
{
	size_t m = sizeof(VERSIONS_VALUE_MARK) - 1;

	return n >= m && memcmp(v, VERSIONS_VALUE_MARK, m) == 0;
}

int versions_diff(const struct buf *before, const struct buf *after, struct buf *out,
                  size_t max_items, struct err *e)
{
	const char *a = before->data ? before->data : "", *ae = a + before->len;
	const char *b = after->data ? after->data : "", *be = b + after->len;
	const char *an = NULL, *av = NULL, *bn = NULL, *bv = NULL;
	size_t anl = 0, avl = 0, bnl = 0, bvl = 0, items = 0;
	bool ha = next_line(&a, ae, &an, &anl, &av, &avl);
	bool hb = next_line(&b, be, &bn, &bnl, &bv, &bvl);

	while ((ha || hb) && items < max_items) {
		int c;

		if (!ha)
			c = 1;
		else if (!hb)
			c = -1;
		else {
			size_t m = anl < bnl ? anl : bnl;

			c = memcmp(an, bn, m);
			if (c == 0)
				c = anl < bnl ? -1 : anl > bnl;
		}
		if (c == 0 && (avl != bvl || memcmp(av, bv, avl) != 0)) {
			/* a secret's digest is not shown */
			if ((is_value(av, avl) ? buf_printf(out, e, "%s%.*s (new value)",
			                                    items ? ", " : "", (int)anl, an)
			                       : buf_printf(out, e, "%s%.*s (version %.*s -> %.*s)",
			                                    items ? ", " : "", (int)anl, an,
			                                    (int)avl, av, (int)bvl, bv)) < 0)
				return -1;
			items++;
		} else if (c < 0) {
			if (buf_printf(out, e, "%s%.*s (removed)", items ? ", " : "", (int)anl,
			               an) < 0)
				return -1;
			items++;
		} else if (c > 0) {
			if ((is_value(bv, bvl) ? buf_printf(out, e, "%s%.*s (new)",
			                                    items ? ", " : "", (int)bnl, bn)
			                       : buf_printf(out, e, "%s%.*s (new, version %.*s)",
			                                    items ? ", " : "", (int)bnl, bn,
			                                    (int)bvl, bv)) < 0)
				return -1;
			items++;
		}
		if (c <= 0)
			ha = next_line(&a, ae, &an, &anl, &av, &avl);
		if (c >= 0)
			hb = next_line(&b, be, &bn, &bnl, &bv, &bvl);
	}
	if ((ha || hb) && buf_puts(out, ", ...", e) < 0)
		return -1;
	return 0;
}
