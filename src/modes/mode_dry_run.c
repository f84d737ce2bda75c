/*
 * mode_dry_run.c - --dry-run: the names that would be set, with no value.
 */
#include "modes.h"

#include <string.h>
#include <unistd.h>

#include "log.h"

/* mode_dry_run prints what would be set, with no value: a dry run. */
int mode_dry_run(const struct run *r, struct err *e)
{
	struct buf out = BUF_INIT;
	int rc = -1;

	for (size_t i = 0; i < r->vars.len; i++) {
		const struct var *v = &r->vars.items[i];
		const struct envp_var *f = run_file_var(r, v->name);
		bool kept = r->cli.no_override && env_get(r->base, v->name) != NULL;

		if (buf_printf(&out, e, "%s%s\t%s\t%s\tversion %lld%s%s\n", v->name,
		               f ? "_FILE" : "", v->param->name,
		               v->param->type[0] ? v->param->type : "-", v->param->version,
		               kept ? "\t(inherited value kept)"
		               : f  ? "\tfile "
		                    : "",
		               f ? f->value : "") < 0)
			goto done;
	}
	for (size_t i = 0; i < r->refs.len; i++) {
		const struct ref *ref = &r->refs.items[i];
		const struct envp_var *f = run_file_var(r, ref->var);

		if (buf_printf(&out, e, "%s%s\tssm://%s%s%s\t%s\tversion %lld\treference%s%s\n",
		               ref->var, f ? "_FILE" : "", ref->request, ref->field ? "#" : "",
		               ref->field ? ref->field : "",
		               ref->param->type[0] ? ref->param->type : "-", ref->param->version,
		               f ? "\tfile " : "", f ? f->value : "") < 0)
			goto done;
	}
	rc = run_write_all(STDOUT_FILENO, &out, e);
	if (rc == 0 && r->cli.command != NULL)
		log_notice("dry run: would exec '%s' with %zu variables from SSM",
		           r->cli.command[0], r->vars.len + r->refs.len);
done:
	buf_release(&out);
	return rc;
}
