/*
 * envp.c - read the inherited environment, build the program's one.
 */
#include "envp.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

const char *env_get(char *const *envp, const char *name)
{
	size_t n = strlen(name);

	if (envp == NULL)
		return NULL;
	for (; *envp != NULL; envp++) {
		if (strncmp(*envp, name, n) == 0 && (*envp)[n] == '=')
			return *envp + n + 1;
	}
	return NULL;
}

const char *env_get_nonempty(char *const *envp, const char *name)
{
	const char *v = env_get(envp, name);

	return v != NULL && *v != '\0' ? v : NULL;
}

static size_t name_len(const char *entry)
{
	const char *eq = entry != NULL ? strchr(entry, '=') : NULL;

	return eq ? (size_t)(eq - entry) : 0;
}

/* find_var returns the index of the var named like entry's first n bytes
 * (vars are sorted by name), or nvars. */
static size_t find_var(const char *entry, size_t n, const struct envp_var *vars, size_t nvars)
{
	size_t lo = 0, hi = nvars;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strncmp(vars[mid].name, entry, n);

		if (c == 0 && vars[mid].name[n] != '\0')
			c = 1;
		if (c == 0)
			return mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return nvars;
}

/* seen_before tells whether an earlier kept entry has the same name. */
static bool seen_before(const struct envp_result *r, const char *entry, size_t n)
{
	for (size_t i = 0; i < r->len; i++) {
		if (name_len(r->envp[i]) == n && memcmp(r->envp[i], entry, n) == 0)
			return true;
	}
	return false;
}

static int push_var(struct envp_result *r, const struct envp_var *v, struct err *e)
{
	struct buf b = BUF_INIT;

	if (buf_puts(&b, v->name, e) < 0 || buf_putc(&b, '=', e) < 0 ||
	    buf_append(&b, v->value, v->value_len, e) < 0) {
		buf_release(&b);
		return -1;
	}
	r->owned[r->len] = true;
	r->envp[r->len++] = buf_detach(&b, e);
	return 0;
}

int envp_build(char *const *inherited, const struct envp_var *vars, size_t nvars,
               const struct envp_opts *o, struct envp_result *out, struct err *e)
{
	size_t ninh = 0;
	bool *used = calloc(nvars + 1, sizeof(*used));
	/* an overridden name inherited twice is still one notice */
	bool *reported = calloc(nvars + 1, sizeof(*reported));

	memset(out, 0, sizeof(*out));
	while (inherited != NULL && inherited[ninh] != NULL)
		ninh++;
	out->envp = calloc(ninh + nvars + 1, sizeof(*out->envp));
	out->owned = calloc(ninh + nvars + 1, sizeof(*out->owned));
	if (used == NULL || reported == NULL || out->envp == NULL || out->owned == NULL)
		goto nomem;
	for (size_t i = 0; i < ninh; i++) {
		const char *entry = inherited[i];
		size_t n = name_len(entry);
		size_t k;

		if (n == 0 || seen_before(out, entry, n))
			continue;
		k = find_var(entry, n, vars, nvars);
		if (k < nvars) {
			if (o->on_conflict && !reported[k])
				o->on_conflict(vars[k].name, !o->no_override, o->arg);
			reported[k] = true;
			if (!o->no_override)
				continue; /* the fetched value goes in below */
			used[k] = true;
		}
		out->envp[out->len++] = (char *)entry;
	}
	for (size_t k = 0; k < nvars; k++) {
		if (!used[k] && push_var(out, &vars[k], e) < 0)
			goto fail;
	}
	free(used);
	free(reported);
	return 0;
nomem:
	err_nomem(e);
fail:
	free(used);
	free(reported);
	envp_release(out);
	return -1;
}

void envp_release(struct envp_result *r)
{
	for (size_t i = 0; r->envp != NULL && r->owned != NULL && i < r->len; i++) {
		if (r->owned[i])
			mem_free_secure(r->envp[i]);
	}
	free(r->envp);
	free(r->owned);
	memset(r, 0, sizeof(*r));
}

int envp_digest(char *const *envp, unsigned char out[ENVP_DIGEST_LEN], struct err *e)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok = ctx != NULL && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1;

	/* each entry with its NUL, so that entries cannot run together */
	for (; ok && envp != NULL && *envp != NULL; envp++)
		ok = EVP_DigestUpdate(ctx, *envp, strlen(*envp) + 1) == 1;
	ok = ok && EVP_DigestFinal_ex(ctx, out, NULL) == 1;
	EVP_MD_CTX_free(ctx);
	return ok ? 0 : err_set(e, ERR_NOMEM, "unable to hash the environment");
}
