/*
 * creds_process.c - the credential_process provider (botocore
 * ProcessProvider): split without a shell, run with posix_spawn (through
 * creds_sys), read Version 1 JSON from its stdout, let its stderr through.
 */
#include "creds_process.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "creds_json.h"
#include "creds_kit.h"
#include "creds_providers.h"

enum split_state { BETWEEN, WORD, SQUOTE, DQUOTE };

/* word_end adds the word in w to out. */
static int word_end(struct buf *w, struct creds_argv *out, struct err *e)
{
	char **grown;

	if (out->argc + 1 >= CREDS_PROCESS_MAX_ARGS)
		return err_set(e, ERR_LIMIT, "more than %d words", CREDS_PROCESS_MAX_ARGS - 1);
	grown = realloc(out->argv, (out->argc + 2) * sizeof(*grown));
	if (grown == NULL)
		return err_nomem(e);
	out->argv = grown;
	out->argv[out->argc] = buf_detach(w, e);
	if (out->argv[out->argc] == NULL)
		return -1;
	out->argv[++out->argc] = NULL;
	return 0;
}

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* split_char feeds one character (after a backslash when escaped). */
static int split_char(const char **p, enum split_state *st, struct buf *w, struct creds_argv *out,
                      struct err *e)
{
	char c = **p;

	if (*st == SQUOTE) {
		if (c == '\'')
			*st = WORD;
		else if (buf_putc(w, c, e) < 0)
			return -1;
		return 0;
	}
	if (c == '\\') {
		char next = (*p)[1];

		if (next == '\0')
			return err_set(e, ERR_CONFIG, "a backslash ends the line");
		(*p)++;
		/* inside "...", only \" and \\ lose their backslash */
		if (*st == DQUOTE && next != '"' && next != '\\' && buf_putc(w, '\\', e) < 0)
			return -1;
		if (*st == BETWEEN)
			*st = WORD;
		return buf_putc(w, next, e);
	}
	if (*st == DQUOTE) {
		if (c == '"')
			*st = WORD;
		else if (buf_putc(w, c, e) < 0)
			return -1;
		return 0;
	}
	if (blank(c)) {
		if (*st == WORD && word_end(w, out, e) < 0)
			return -1;
		*st = BETWEEN;
		return 0;
	}
	*st = c == '\'' ? SQUOTE : c == '"' ? DQUOTE : WORD;
	return (c == '\'' || c == '"') ? 0 : buf_putc(w, c, e);
}

int creds_process_split(const char *cmd, struct creds_argv *out, struct err *e)
{
	enum split_state st = BETWEEN;
	struct buf w = BUF_INIT;
	int rc = -1;

	out->argv = NULL;
	out->argc = 0;
	if (strlen(cmd) > CREDS_PROCESS_MAX_LINE_BYTES) {
		err_set(e, ERR_LIMIT, "longer than %u bytes", CREDS_PROCESS_MAX_LINE_BYTES);
		goto done;
	}
	for (const char *p = cmd; *p != '\0'; p++) {
		if (split_char(&p, &st, &w, out, e) < 0)
			goto done;
		/* an empty quoted word ('' or "") is still a word */
		if ((st == SQUOTE || st == DQUOTE) && w.data == NULL && buf_reserve(&w, 0, e) < 0)
			goto done;
	}
	if (st == SQUOTE || st == DQUOTE) {
		err_set(e, ERR_CONFIG, "no closing quotation");
		goto done;
	}
	if (st == WORD && word_end(&w, out, e) < 0)
		goto done;
	rc = 0;
done:
	buf_release(&w);
	return rc;
}

void creds_argv_release(struct creds_argv *a)
{
	for (size_t i = 0; a->argv != NULL && i < a->argc; i++)
		mem_free_secure(a->argv[i]);
	free(a->argv);
	a->argv = NULL;
	a->argc = 0;
}

/* run_failed turns a failed run into an error naming the program. */
static int run_failed(enum creds_run_failure f, int status, const char *prog, const char *profile,
                      long timeout_ms, struct err *e)
{
	const char *p = creds_q(prog), *pr = creds_q(profile);

	switch (f) {
	case CREDS_RUN_NOT_FOUND:
		return err_set(e, ERR_CREDS,
		               "unable to run credential_process '%s' of profile '%s': %s", p, pr,
		               strerror(status));
	case CREDS_RUN_TIMEOUT:
		return err_set(
		        e, ERR_CREDS,
		        "credential_process '%s' of profile '%s' did not finish within %ld ms and was killed",
		        p, pr, timeout_ms);
	case CREDS_RUN_TOO_LARGE:
		return err_set(e, ERR_CREDS,
		               "credential_process '%s' of profile '%s' wrote more than %u bytes",
		               p, pr, CREDS_JSON_MAX_BYTES);
	case CREDS_RUN_SIGNALLED:
		return err_set(e, ERR_CREDS,
		               "credential_process '%s' of profile '%s' was killed by signal %d", p,
		               pr, status);
	case CREDS_RUN_EXIT:
		return err_set(
		        e, ERR_CREDS,
		        "credential_process '%s' of profile '%s' failed with exit status %d (its stderr is above)",
		        p, pr, status);
	case CREDS_RUN_OK:
		break;
	}
	return 0;
}

int creds_profile_process(struct creds_ctx *ctx, const char *profile, struct creds *out,
                          struct buf *why, struct err *e)
{
	const char *cmd = creds_value(ctx, profile, "credential_process");
	struct creds_argv av = {NULL, 0};
	struct buf stdout_text = BUF_INIT;
	struct creds_run run;
	enum creds_run_failure fail;
	int status = 0, rc = -1;

	if (cmd == NULL)
		return creds_why(why, e, "no credential_process in profile '%s'", creds_q(profile));
	if (creds_process_split(cmd, &av, e) < 0) {
		err_prefix(e, "invalid credential_process in profile '%s'", creds_q(profile));
		goto done;
	}
	if (av.argc == 0) {
		err_set(e, ERR_CONFIG, "invalid credential_process in profile '%s': no command",
		        creds_q(profile));
		goto done;
	}
	run = (struct creds_run){av.argv, ctx->envp, CREDS_JSON_MAX_BYTES,
	                         creds_time_left_ms(ctx, CREDS_PROCESS_TIMEOUT_MS)};
	if (creds_run(ctx, &run, &stdout_text, &fail, &status, e) < 0 ||
	    run_failed(fail, status, av.argv[0], profile, run.timeout_ms, e) < 0)
		goto done;
	if (creds_json_process(buf_cstr(&stdout_text), stdout_text.len, out, e) < 0) {
		err_prefix(e, "unable to use credential_process '%s' of profile '%s'",
		           creds_q(av.argv[0]), creds_q(profile));
		goto done;
	}
	snprintf(out->provider, sizeof(out->provider), "credential_process '%s' of profile '%s'",
	         creds_q(av.argv[0]), creds_q(profile));
	rc = 1;
done:
	buf_release(&stdout_text);
	creds_argv_release(&av);
	return rc;
}
