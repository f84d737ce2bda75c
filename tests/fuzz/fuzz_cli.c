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
#include <signal.h>
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

/* check_supervise: a watch is a supervisor that polls, 1 s to 24 h apart;
 * what only a supervisor, a watch or secret files use needs them. */
static void check_supervise(const struct cli *c)
{
	if (c->watch_ms != 0 && (c->watch_ms < 1000 || c->watch_ms > 86400000L || !c->supervise))
		abort();
	if (c->stop_signal < 1 || c->stop_signal > SIGRTMAX || c->stop_signal == SIGSTOP ||
	    c->stop_signal == SIGCHLD || c->stop_timeout_ms < 0 || c->stop_timeout_ms > 3600000L)
		abort();
	if (c->on_change < 0 || c->on_change > SIGRTMAX || c->on_change == SIGSTOP ||
	    c->on_change == SIGCHLD)
		abort();
	if (c->explain) /* runs nothing: what only a run uses is not checked */
		return;
	if (c->on_change != 0 && (c->watch_ms == 0 || c->secret_files == NULL))
		abort();
	if (c->secret_files == NULL && (c->secret_files_all || c->secret_files_on_disk))
		abort();
	if (c->supervise && (c->command == NULL || c->format != NULL || c->dry_run))
		abort();
	if ((c->watch_parameter != NULL && c->watch_ms == 0) || (c->signal_group && !c->supervise))
		abort();
	if (c->secret_files != NULL && c->format != NULL)
		abort();
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
	check_supervise(c);
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
