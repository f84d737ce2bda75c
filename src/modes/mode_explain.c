/*
 * mode_explain.c - --explain: where settings and credentials come from.
 */
#include "modes.h"

#include <unistd.h>

#include "explain.h"

/* mode_explain prints where settings and credentials come from (--explain):
 * the report on stdout, even when a step fails; nothing is fetched. */
int mode_explain(struct run *r, char *const *envp, struct err *e)
{
	struct explain_input in = {envp,         &r->settings,  NULL,           r->cli.env_name,
	                           r->cli.paths, r->cli.npaths, r->cli.command, r->deadline_ms,
	                           NULL};
	struct buf out = BUF_INIT;
	int rc;

	if (run_load_settings(r, envp, e) < 0)
		return -1;
	in.files = r->files_loaded ? &r->files : NULL;
	rc = explain_run(&in, &out, e);
	if (run_write_all(STDOUT_FILENO, &out, rc == 0 ? e : NULL) < 0)
		rc = -1;
	buf_release(&out);
	return rc;
}
