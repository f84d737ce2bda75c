/*
 * cli.h - the command line and the ENVSSM_* variables, parsed purely.
 *
 *   envssm [OPTIONS] PATH... -- COMMAND [ARG...]
 *
 * Options stop at the first operand; "--" ends the PATHs. A flag beats its
 * ENVSSM_* variable.
 */
#ifndef ENVSSM_CLI_H
#define ENVSSM_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "log.h"

struct cli {
	const char *env_name;     /* -e/--env, ENVSSM_ENV */
	const char *region;       /* --region */
	const char *endpoint_url; /* --endpoint-url */
	const char *profile;      /* --profile */
	const char *allow_names;  /* --allow-name lists joined by ',' (owned) */
	bool no_override;         /* --no-override, ENVSSM_NO_OVERRIDE */
	bool allow_empty;         /* --allow-empty, ENVSSM_ALLOW_EMPTY */
	bool recursive;           /* default true; --no-recursive */
	bool decrypt;             /* default true; --no-decrypt */
	int verbosity;            /* -v count, ENVSSM_VERBOSE */
	enum log_format log_format; /* --log-format, ENVSSM_LOG_FORMAT */
	bool help;
	bool version;
	char **paths; /* borrowed from argv */
	size_t npaths;
	char **command; /* borrowed from argv, NULL-terminated */
	char *allow_storage; /* owns allow_names */
};

/* cli_parse fills c from argv and envp. Returns 0, or -1 with ERR_USAGE
 * and a message naming the offending word. --help and --version return 0
 * with the flag set and nothing else checked. Release with cli_release. */
int cli_parse(int argc, char **argv, char *const *envp, struct cli *c, struct err *e);

/* cli_release frees what cli_parse allocated. */
void cli_release(struct cli *c);

/* cli_usage is the --help text. */
extern const char cli_usage[];

#endif
