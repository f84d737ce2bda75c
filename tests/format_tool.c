/*
 * format_tool.c - test tool: render variables in a print-mode format.
 * Used by tests/test_formats.py; not part of envssm.
 *
 *   format_tool FORMAT [--seed SEED] [--write PATH | --append PATH]
 *
 * stdin holds one variable a line, "NAME<TAB>BASE64VALUE". The rendering
 * goes to stdout (or is written to / appended to PATH with the functions
 * envssm uses); for github the ::add-mask:: lines go to stderr. On failure
 * prints "error: <message>" on stderr and exits 1.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "format.h"

#define TOOL_MAX_INPUT (64 * 1024 * 1024)
#define TOOL_MAX_VARS  100000

struct tool {
	struct buf input;
	struct format_var *vars;
	unsigned char **values; /* decoded, owned */
	size_t n;
};

static int read_stdin(struct buf *b, struct err *e)
{
	char chunk[65536];
	size_t got;

	while ((got = fread(chunk, 1, sizeof(chunk), stdin)) > 0) {
		if (b->len + got > TOOL_MAX_INPUT)
			return err_set(e, ERR_LIMIT, "input over %d bytes", TOOL_MAX_INPUT);
		if (buf_append(b, chunk, got, e) < 0)
			return -1;
	}
	if (ferror(stdin))
		return err_set(e, ERR_PARSE, "unable to read stdin");
	return buf_reserve(b, 0, e);
}

/* decode_b64 decodes n bytes of base64 at s into a malloc'd block. */
static int decode_b64(const char *s, size_t n, unsigned char **out, size_t *len)
{
	size_t pad = 0;
	int got;

	if (n % 4 != 0 || n > (size_t)INT_MAX)
		return -1;
	*out = malloc(n / 4 * 3 + 1);
	if (*out == NULL)
		return -1;
	got = EVP_DecodeBlock(*out, (const unsigned char *)s, (int)n);
	if (got < 0)
		return -1;
	while (pad < 2 && n > pad && s[n - 1 - pad] == '=')
		pad++;
	*len = (size_t)got - pad;
	return 0;
}

/* parse_line splits "NAME\tB64" (NUL-terminated in place) into var i. */
static int parse_line(struct tool *t, char *line, struct err *e)
{
	char *tab = strchr(line, '\t');
	size_t len = 0;

	if (tab == NULL)
		return err_set(e, ERR_PARSE, "line %zu: no tab", t->n + 1);
	*tab = '\0';
	if (decode_b64(tab + 1, strlen(tab + 1), &t->values[t->n], &len) < 0)
		return err_set(e, ERR_PARSE, "line %zu: bad base64", t->n + 1);
	t->vars[t->n].name = line;
	t->vars[t->n].value = (const char *)t->values[t->n];
	t->vars[t->n].value_len = len;
	t->n++;
	return 0;
}

static int parse_input(struct tool *t, struct err *e)
{
	char *p = t->input.data, *end = t->input.data + t->input.len;

	t->vars = calloc(TOOL_MAX_VARS, sizeof(*t->vars));
	t->values = calloc(TOOL_MAX_VARS, sizeof(*t->values));
	if (t->vars == NULL || t->values == NULL)
		return err_nomem(e);
	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));

		if (nl == NULL)
			nl = end;
		*nl = '\0';
		if (*p != '\0') {
			if (t->n == TOOL_MAX_VARS)
				return err_set(e, ERR_LIMIT, "more than %d variables",
				               TOOL_MAX_VARS);
			if (parse_line(t, p, e) < 0)
				return -1;
		}
		p = nl + 1;
	}
	return 0;
}

static void tool_release(struct tool *t)
{
	for (size_t i = 0; t->values != NULL && i < t->n; i++)
		mem_free_secure(t->values[i]);
	free(t->values);
	free(t->vars);
	buf_release(&t->input);
}

static int emit(const struct buf *b, FILE *f, struct err *e)
{
	if (b->len > 0 && fwrite(b->data, 1, b->len, f) != b->len)
		return err_set(e, ERR_CONFIG, "unable to write output");
	if (fflush(f) != 0)
		return err_set(e, ERR_CONFIG, "unable to write output");
	return 0;
}

static int run(int argc, char **argv, struct tool *t, struct err *e)
{
	struct buf out = BUF_INIT, masks = BUF_INIT;
	const char *seed = NULL, *write_path = NULL, *append_path = NULL;
	enum format_kind k;
	int rc = -1;

	if (argc < 2 || format_parse(argv[1], &k, e) < 0)
		return argc < 2 ? err_set(e, ERR_USAGE, "usage: format_tool FORMAT") : -1;
	for (int i = 2; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--seed") == 0)
			seed = argv[i + 1];
		else if (strcmp(argv[i], "--write") == 0)
			write_path = argv[i + 1];
		else if (strcmp(argv[i], "--append") == 0)
			append_path = argv[i + 1];
		else
			return err_set(e, ERR_USAGE, "unknown option '%s'", argv[i]);
	}
	if (read_stdin(&t->input, e) < 0 || parse_input(t, e) < 0 ||
	    format_render(k, t->vars, t->n, seed, &out, &masks, e) < 0)
		goto cleanup;
	if (k == FORMAT_GITHUB && emit(&masks, stderr, e) < 0)
		goto cleanup;
	if (write_path != NULL)
		rc = format_write_file(write_path, &out, e);
	else if (append_path != NULL)
		rc = format_append_file(append_path, &out, e);
	else
		rc = emit(&out, stdout, e);
cleanup:
	buf_release(&out);
	buf_release(&masks);
	return rc;
}

int main(int argc, char **argv)
{
	struct tool t;
	struct err e = {ERR_NONE, ""};
	int rc;

	memset(&t, 0, sizeof(t));
	buf_init(&t.input);
	rc = run(argc, argv, &t, &e);
	tool_release(&t);
	if (rc < 0) {
		fprintf(stderr, "error: %s\n", e.msg);
		return 1;
	}
	return 0;
}
