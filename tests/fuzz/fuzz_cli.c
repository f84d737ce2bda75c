/*
 * fuzz_cli.c - libFuzzer target for cli_parse. The input is split on NUL
 * bytes into words; a word starting with "ENVSSM_" goes to envp, and so
 * does one starting with a 0x01 byte (without that byte); every other word
 * goes to argv after "envssm". A successful parse is checked against the
 * contract in cli.h.
 *
 *   clang -fsanitize=fuzzer,address,undefined -Isrc tests/fuzz/fuzz_cli.c \
 *     src/cli.c src/envp.c src/buf.c src/err.c -lcrypto
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_WORDS 256

/* within tells whether p points into argv[1..argc). */
static bool within(char **p, char **argv, int argc)
{
	return p >= argv + 1 && p <= argv + argc;
}

static void check(const struct cli *c, char **argv, int argc)
{
	if (c->help || c->version)
		return;
	/* no command only in print mode, a dry run or --explain */
	if (c->command == NULL && c->format == NULL && !c->dry_run && !c->explain)
		abort();
	/* --explain stands alone */
	if (c->explain && (c->format != NULL || c->output != NULL || c->dry_run))
		abort();
	/* a command never with --format */
	if (c->command != NULL && c->format != NULL)
		abort();
	if (c->npaths > 0 && !within(c->paths, argv, argc))
		abort();
	if (c->command != NULL) {
		if (c->command[0] == NULL || !within(c->command, argv, argc))
			abort();
		/* the paths end at "--" and the command follows it */
		if (c->paths + c->npaths + 1 != c->command || strcmp(c->paths[c->npaths], "--") != 0)
			abort();
	}
	for (size_t i = 0; i < c->npaths; i++) {
		if (c->paths[i][0] == '-')
			abort();
	}
	if (c->output != NULL && c->format == NULL)
		abort();
	if (c->keep.items != NULL && !c->pristine)
		abort();
	if (c->timeout_ms < 0 || c->timeout_ms > 86400000L)
		abort();
	if (c->verbosity < 0 || c->verbosity > 8)
		abort();
	if (c->log_format != LOG_TEXT && c->log_format != LOG_JSON)
		abort();
	if ((c->allow_names == NULL) != (c->allow.items == NULL))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size + 1);
	char *argv[MAX_WORDS + 2], *envp[MAX_WORDS + 1];
	int argc = 1, envc = 0;
	struct cli c;
	struct err e = {ERR_NONE, ""};
	size_t start = 0;

	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	argv[0] = (char *)"envssm";
	for (size_t i = 0; i <= size; i++) {
		char *w = copy + start;

		if (copy[i] != '\0')
			continue;
		start = i + 1;
		if (w[0] == 1 || strncmp(w, "ENVSSM_", 7) == 0) {
			if (envc < MAX_WORDS)
				envp[envc++] = w[0] == 1 ? w + 1 : w;
		} else if (argc <= MAX_WORDS) {
			argv[argc++] = w;
		}
	}
	argv[argc] = NULL;
	envp[envc] = NULL;
	if (cli_parse(argc, argv, envp, &c, &e) == 0)
		check(&c, argv, argc);
	else if (e.kind != ERR_USAGE || e.msg[0] == '\0')
		abort();
	cli_release(&c);
	free(copy);
	return 0;
}
