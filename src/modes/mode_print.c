/*
 * mode_print.c - --format: print the variables instead of running a command.
 */
#include "modes.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "format.h"
#include "log.h"

/* printed_vars lists what print mode writes: every SSM-sourced value that
 * ends up in the environment, sorted by name. */
static int printed_vars(const struct run *r, struct format_var **out, size_t *n, struct err *e)
{
	size_t cap = r->vars.len + r->refs.len + 1, k = 0;
	struct format_var *v = calloc(cap, sizeof(*v));

	if (v == NULL)
		return err_nomem(e);
	for (size_t i = 0; i < r->env.len; i++) {
		const char *entry = r->env.envp[i], *eq = strchr(entry, '=');
		const struct var *var;

		if (eq == NULL)
			continue;
		var = vars_find_n(&r->vars, entry, (size_t)(eq - entry));
		if (var != NULL && r->env.owned[i])
			v[k++] = (struct format_var){var->name, buf_cstr(&var->param->value),
			                             var->param->value.len};
		else if (var == NULL && refs_find(&r->refs, entry, (size_t)(eq - entry)) != NULL)
			v[k++] = (struct format_var){
			        refs_find(&r->refs, entry, (size_t)(eq - entry))->var, eq + 1,
			        strlen(eq + 1)};
	}
	*out = v;
	*n = k;
	return 0;
}

static int cmp_format_var(const void *a, const void *b)
{
	return strcmp(((const struct format_var *)a)->name, ((const struct format_var *)b)->name);
}

/* emit writes rendered output where --format and --output say. */
static int emit(const struct run *r, enum format_kind kind, const struct buf *out,
                const struct buf *masks, char *const *envp, struct err *e)
{
	const char *github_env = env_get_nonempty(envp, "GITHUB_ENV");

	if (kind == FORMAT_GITHUB) {
		const char *dest = r->cli.output ? r->cli.output : github_env;

		if (dest == NULL)
			return err_set(e, ERR_CONFIG,
			               "--format github needs GITHUB_ENV or --output");
		/* masks first, so the runner hides the values before they exist */
		if (run_write_all(STDOUT_FILENO, masks, e) < 0)
			return -1;
		return format_append_file(dest, out, e);
	}
	if (r->cli.output != NULL)
		return format_write_file(r->cli.output, out, e);
	return run_write_all(STDOUT_FILENO, out, e);
}

int mode_print(struct run *r, char *const *envp, struct err *e)
{
	struct buf out = BUF_INIT, masks = BUF_INIT;
	struct format_var *v = NULL;
	enum format_kind kind;
	size_t n = 0;
	int rc = -1;

	if (format_parse(r->cli.format, &kind, e) < 0 || printed_vars(r, &v, &n, e) < 0)
		goto done;
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_format_var);
	if (format_render(kind, v, n, NULL, &out, &masks, e) < 0 ||
	    emit(r, kind, &out, &masks, envp, e) < 0)
		goto done;
	log_info("wrote %zu variables as %s", n, format_name(kind));
	rc = 0;
done:
	free(v);
	buf_release(&out);
	buf_release(&masks);
	return rc;
}
