/*
 * refs.c - find, batch and resolve ssm:// references.
 */
#include "refs.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jsonfield.h"
#include "log.h"
#include "names.h"

#define SECRETS_PREFIX "/aws/reference/secretsmanager/"
#define SECRET_MAX     512 /* bytes of a Secrets Manager name */
#define FIELD_MAX      256

void refs_init(struct refs *r)
{
	memset(r, 0, sizeof(*r));
	ssm_params_init(&r->store);
}

void refs_release(struct refs *r)
{
	for (size_t i = 0; i < r->len; i++) {
		free(r->items[i].var);
		free(r->items[i].request);
		free(r->items[i].field);
		buf_release(&r->items[i].value);
	}
	free(r->items);
	ssm_params_release(&r->store);
	refs_init(r);
}

static bool name_byte(unsigned char c, bool secret)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	    c == '_' || c == '.' || c == '-' || c == '/')
		return true;
	/* Secrets Manager names also allow + = @, and '!' in the names RDS
	 * gives the secrets it manages (rds!db-...) */
	return secret && (c == '+' || c == '=' || c == '@' || c == '!');
}

static bool selector_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 100)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!name_byte((unsigned char)s[i], false) || s[i] == '/')
			return false;
	}
	return true;
}

/* check_secret validates the Secrets Manager name of a reference: 1 to
 * 512 bytes of its own alphabet, '/' anywhere. */
static const char *check_secret(const char *id, size_t n)
{
	if (n < 1 || n > SECRET_MAX)
		return "a Secrets Manager name is 1 to 512 bytes";
	for (size_t i = 0; i < n; i++) {
		if (!name_byte((unsigned char)id[i], true))
			return "a byte Secrets Manager names cannot hold";
	}
	return NULL;
}

/* check_name validates a Parameter Store name. */
static const char *check_name(const char *p, size_t n)
{
	if (n < 2 || n > 2048 || p[n - 1] == '/' || strstr(p, "//") != NULL)
		return "not a full parameter name";
	for (size_t i = 0; i < n; i++) {
		if (!name_byte((unsigned char)p[i], false))
			return "a byte SSM names cannot hold";
	}
	return NULL;
}

/* check_ref validates "/name[:selector]"; returns why not, or NULL. */
static const char *check_ref(const char *p, size_t *base_len)
{
	size_t plen = strlen(SECRETS_PREFIX);
	const char *colon = strchr(p, ':');
	size_t n = colon ? (size_t)(colon - p) : strlen(p);
	const char *why;

	*base_len = n;
	if (p[0] != '/')
		return "use ssm:///full/name (three slashes)";
	if (strncmp(p, SECRETS_PREFIX, plen) == 0)
		why = check_secret(p + plen, n - plen);
	else
		why = check_name(p, n);
	if (why != NULL)
		return why;
	if (colon != NULL && !selector_ok(colon + 1))
		return "a bad :VERSION or :LABEL";
	return NULL;
}

/* check_field validates what follows '#': 1 to 256 printable ASCII bytes. */
static const char *check_field(const char *f)
{
	size_t n = strlen(f);

	if (n < 1 || n > FIELD_MAX)
		return "a #FIELD is 1 to 256 bytes";
	for (size_t i = 0; i < n; i++) {
		if (f[i] < 0x20 || f[i] > 0x7e)
			return "a #FIELD is printable ASCII";
	}
	return NULL;
}

static int push_ref(struct refs *out, const char *entry, size_t name_len, const char *request,
                    const char *field, size_t base_len, struct err *e)
{
	struct ref *r;

	if (out->len == out->cap) {
		size_t cap = out->cap ? out->cap * 2 : 8;
		struct ref *items = realloc(out->items, cap * sizeof(*items));

		if (items == NULL)
			return err_nomem(e);
		out->items = items;
		out->cap = cap;
	}
	r = &out->items[out->len];
	memset(r, 0, sizeof(*r));
	r->var = strndup(entry, name_len);
	r->request = strdup(request);
	r->field = field != NULL ? strdup(field) : NULL;
	r->base_len = base_len;
	out->len++;
	if (r->var == NULL || r->request == NULL || (field != NULL && r->field == NULL))
		return err_nomem(e);
	return 0;
}

/* earlier_entry tells whether envp[0..i) already defines the name. */
static bool earlier_entry(char *const *envp, size_t i, const char *name, size_t n)
{
	for (size_t k = 0; k < i; k++) {
		if (!strncmp(envp[k], name, n) && envp[k][n] == '=')
			return true;
	}
	return false;
}

int refs_scan(char *const *envp, struct refs *out, struct err *e)
{
	struct buf bad = BUF_INIT;
	int rc = -1;

	for (size_t i = 0; envp != NULL && envp[i] != NULL; i++) {
		const char *eq = strchr(envp[i], '='), *hash, *why;
		size_t base_len, n;
		char *request;
		int pushed;

		if (eq == NULL || strncmp(eq + 1, REFS_SCHEME, strlen(REFS_SCHEME)) != 0)
			continue;
		n = (size_t)(eq - envp[i]);
		/* the environment built later keeps a name's first entry only */
		if (earlier_entry(envp, i, envp[i], n))
			continue;
		if (n > NAMES_MAX_VAR) {
			if (buf_printf(&bad, e, "%s%.40s... (a name longer than %d bytes)",
			               bad.len ? ", " : "", envp[i], NAMES_MAX_VAR) < 0)
				goto done;
			continue;
		}
		/* no parameter or secret name holds '#': what follows is a field */
		hash = strchr(eq + 1, '#');
		request = strndup(eq + 1 + strlen(REFS_SCHEME),
		                  hash ? (size_t)(hash - eq - 1) - strlen(REFS_SCHEME) : SIZE_MAX);
		if (request == NULL) {
			err_nomem(e);
			goto done;
		}
		why = check_ref(request, &base_len);
		if (why == NULL && hash != NULL)
			why = check_field(hash + 1);
		if (why != NULL) {
			free(request);
			if (buf_printf(&bad, e, "%s%.*s ('%.200s': %s)", bad.len ? ", " : "",
			               (int)n, envp[i], eq + 1, why) < 0)
				goto done;
			continue;
		}
		pushed = push_ref(out, envp[i], n, request, hash ? hash + 1 : NULL, base_len, e);
		free(request);
		if (pushed < 0)
			goto done;
	}
	if (bad.len > 0) {
		err_set(e, ERR_USAGE, "invalid references: %s", bad.data);
		goto done;
	}
	rc = 0;
done:
	buf_release(&bad);
	return rc;
}

const struct buf *refs_value(const struct ref *ref)
{
	return ref->field != NULL ? &ref->value : &ref->param->value;
}

const struct ref *refs_find(const struct refs *r, const char *var, size_t var_len)
{
	for (size_t i = 0; i < r->len; i++) {
		if (strlen(r->items[i].var) == var_len && !memcmp(r->items[i].var, var, var_len))
			return &r->items[i];
	}
	return NULL;
}

/* same_base tells whether two references name the same parameter. */
static bool same_base(const struct ref *a, const struct ref *b)
{
	return a->base_len == b->base_len && !memcmp(a->request, b->request, a->base_len);
}

/* pick_batch chooses up to ten unresolved references whose parameters
 * differ, so each answer maps back to exactly one request. */
static size_t pick_batch(struct refs *r, bool *done, size_t *idx)
{
	size_t n = 0;

	for (size_t i = 0; i < r->len && n < SSM_GET_PARAMETERS_MAX; i++) {
		bool clash = false;

		if (done[i])
			continue;
		for (size_t k = 0; k < n; k++)
			clash = clash || same_base(&r->items[idx[k]], &r->items[i]);
		/* the same request twice is one name: share its answer */
		for (size_t k = 0; k < n && clash; k++) {
			if (!strcmp(r->items[idx[k]].request, r->items[i].request))
				clash = false;
		}
		if (!clash)
			idx[n++] = i;
	}
	for (size_t k = 0; k < n; k++)
		done[idx[k]] = true;
	return n;
}

bool refs_is_secret(const struct ref *ref)
{
	size_t plen = strlen(SECRETS_PREFIX);

	return ref->base_len > plen && !strncmp(ref->request, SECRETS_PREFIX, plen);
}

/* answers tells whether a returned parameter name answers ref. A Secrets
 * Manager reference comes back under its full reference name on AWS and
 * under the bare secret id on moto and LocalStack; both count. */
static bool answers(const char *name, const struct ref *ref)
{
	size_t plen = strlen(SECRETS_PREFIX);

	if (strlen(name) == ref->base_len && !memcmp(name, ref->request, ref->base_len))
		return true;
	return refs_is_secret(ref) && strlen(name) == ref->base_len - plen &&
	       !memcmp(name, ref->request + plen, ref->base_len - plen);
}

/* find_param returns the store index answering ref, or (size_t)-1. */
static size_t find_param(const struct ssm_params *p, size_t from, const struct ref *ref)
{
	for (size_t i = from; i < p->len; i++) {
		if (answers(p->items[i].name, ref))
			return i;
	}
	return (size_t)-1;
}

int refs_plan(struct refs *r, struct refs_batch **out, size_t *nout, struct err *e)
{
	bool *done = calloc(r->len + 1, sizeof(*done));
	struct refs_batch *b = calloc(r->len + 1, sizeof(*b));
	size_t n = 0;

	if (done == NULL || b == NULL) {
		free(done);
		free(b);
		return err_nomem(e);
	}
	while ((b[n].n = pick_batch(r, done, b[n].idx)) > 0) {
		ssm_params_init(&b[n].store);
		buf_init(&b[n].invalid);
		b[n].refs = r;
		n++;
	}
	free(done);
	*out = b;
	*nout = n;
	return 0;
}

int refs_resolve_batch(struct aws_client *c, void *arg, struct err *e)
{
	struct refs_batch *b = arg;
	const char *names[SSM_GET_PARAMETERS_MAX];
	size_t k = 0;

	for (size_t i = 0; i < b->n; i++) {
		const char *req = b->refs->items[b->idx[i]].request;
		bool dup = false;

		/* the same request twice is asked once */
		for (size_t j = 0; j < k; j++)
			dup = dup || !strcmp(names[j], req);
		if (!dup)
			names[k++] = req;
	}
	return ssm_get_parameters(c, names, k, true, &b->store, &b->invalid, e);
}

void refs_batches_release(struct refs_batch *b, size_t n)
{
	for (size_t i = 0; b != NULL && i < n; i++) {
		ssm_params_release(&b[i].store);
		buf_release(&b[i].invalid);
	}
	free(b);
}

/* take_batch moves one batch's answers into the store and maps each of its
 * references to its answer; the unanswered are listed in missing. */
static int take_batch(struct refs *r, struct refs_batch *b, struct buf *missing, struct err *e)
{
	size_t from = r->store.len;

	if (ssm_params_take(&r->store, &b->store, e) < 0)
		return -1;
	for (size_t i = 0; i < b->n; i++) {
		struct ref *ref = &r->items[b->idx[i]];

		ref->index = find_param(&r->store, from, ref);
		if (ref->index == (size_t)-1 &&
		    buf_printf(missing, e, "%s%s -> %.300s", missing->len ? ", " : "", ref->var,
		               ref->request) < 0)
			return -1;
	}
	return 0;
}

/* select_fields puts each "#FIELD" reference's field in its value; every
 * reference whose field cannot be had is listed in one error. */
static int select_fields(struct refs *r, struct err *e)
{
	struct buf bad = BUF_INIT;
	int rc = -1;

	for (size_t i = 0; i < r->len; i++) {
		struct ref *ref = &r->items[i];
		const struct buf *v = &ref->param->value;
		struct err why = {ERR_NONE, ""};

		if (ref->field == NULL ||
		    jsonfield_select(buf_cstr(v), v->len, ref->field, &ref->value, &why) == 0)
			continue;
		if (why.kind == ERR_NOMEM) {
			*e = why;
			goto out;
		}
		if (buf_printf(&bad, e, "%s%s -> %.300s#%s: %s", bad.len ? "; " : "", ref->var,
		               ref->request, ref->field, why.msg) < 0)
			goto out;
	}
	if (bad.len > 0) {
		err_set(e, ERR_NAMES, "unable to select JSON fields: %s", bad.data);
		goto out;
	}
	rc = 0;
out:
	buf_release(&bad);
	return rc;
}

int refs_finish(struct refs *r, struct refs_batch *b, size_t n, struct err *e)
{
	struct buf missing = BUF_INIT;
	int rc = -1;

	r->calls = (unsigned)n;
	for (size_t i = 0; i < n; i++) {
		if (take_batch(r, &b[i], &missing, e) < 0)
			goto out;
	}
	if (missing.len > 0) {
		err_set(e, ERR_AWS,
		        "unresolved references (no such parameter, version or label): %s",
		        missing.data);
		goto out;
	}
	/* the store stopped growing: pointers into it are stable now */
	for (size_t i = 0; i < r->len; i++)
		r->items[i].param = &r->store.items[r->items[i].index];
	if (select_fields(r, e) < 0)
		goto out;
	log_info("resolved %zu references in %u calls", r->len, r->calls);
	rc = 0;
out:
	buf_release(&missing);
	return rc;
}

int refs_resolve(struct aws_client *c, struct refs *r, struct err *e)
{
	struct refs_batch *b = NULL;
	size_t n = 0;
	int rc = -1;

	if (refs_plan(r, &b, &n, e) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (refs_resolve_batch(c, &b[i], e) < 0) {
			err_prefix(e, "unable to resolve references");
			goto out;
		}
	}
	rc = refs_finish(r, b, n, e);
out:
	refs_batches_release(b, n);
	return rc;
}
