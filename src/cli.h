/*
 * cli.h - the command line and the ENVSSM_* variables, parsed purely.
 *
 *   envssm [OPTIONS] PATH... -- COMMAND [ARG...]     exec mode
 *   envssm [OPTIONS] --format FMT PATH...            print mode
 *   envssm [OPTIONS] --dry-run PATH... [-- COMMAND]  list names, no values
 *   envssm [OPTIONS] --explain [PATH...]            where settings come from
 *
 * Options stop at the first operand; "--" ends the PATHs. A flag beats its
 * ENVSSM_* variable; list options (--allow-name, --require, --keep) add to
 * their variable's list.
 */
#ifndef ENVSSM_CLI_H
#define ENVSSM_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "log.h"

/* A comma-separated list built from a variable and repeated flags. */
struct cli_list {
	char *items; /* NULL when empty; owned */
};

struct cli {
	const char *env_name;        /* -e/--env, ENVSSM_ENV */
	const char *region;          /* --region */
	const char *endpoint_url;    /* --endpoint-url */
	const char *profile;         /* --profile */
	const char *format;          /* --format, ENVSSM_FORMAT: print mode */
	const char *output;          /* --output, ENVSSM_OUTPUT */
	const char *name_prefix;     /* --prefix, ENVSSM_PREFIX */
	struct cli_list allow;       /* --allow-name, ENVSSM_ALLOW_NAMES */
	struct cli_list require;     /* --require, ENVSSM_REQUIRE */
	struct cli_list keep;        /* --keep, ENVSSM_KEEP */
	bool no_override;            /* --no-override, ENVSSM_NO_OVERRIDE */
	bool allow_empty;            /* --allow-empty, ENVSSM_ALLOW_EMPTY */
	bool pristine;               /* --pristine, ENVSSM_PRISTINE */
	bool last_segment;           /* --last-segment, ENVSSM_LAST_SEGMENT */
	bool expand_json;            /* --expand-json, ENVSSM_EXPAND_JSON */
	bool references;             /* default true; --no-references, ENVSSM_NO_REFERENCES */
	bool recursive;              /* default true; --no-recursive, ENVSSM_NO_RECURSIVE */
	bool decrypt;                /* default true; --no-decrypt, ENVSSM_NO_DECRYPT */
	bool dry_run;                /* --dry-run, ENVSSM_DRY_RUN */
	bool explain;                /* --explain, ENVSSM_EXPLAIN */
	bool supervise;              /* --supervise, ENVSSM_SUPERVISE */
	bool signal_group;           /* --signal-group, ENVSSM_SIGNAL_GROUP */
	long watch_ms;               /* --watch, ENVSSM_WATCH; 0 = no watching */
	const char *watch_parameter; /* --watch-parameter, ENVSSM_WATCH_PARAMETER */
	int stop_signal;             /* --stop-signal, ENVSSM_STOP_SIGNAL; SIGTERM */
	long stop_timeout_ms;        /* --stop-timeout, ENVSSM_STOP_TIMEOUT; 10 s */
	long timeout_ms;             /* --timeout, ENVSSM_TIMEOUT; 0 = the default */
	const char *secret_files;    /* --secret-files DIR, ENVSSM_SECRET_FILES */
	bool secret_files_all;       /* --secret-files-all, ENVSSM_SECRET_FILES_ALL */
	bool secret_files_on_disk;   /* --secret-files-on-disk, ENVSSM_SECRET_FILES_ON_DISK */
	int on_change;               /* --on-change SIG, ENVSSM_ON_CHANGE; 0 = restart */
	int verbosity;               /* -v count, ENVSSM_VERBOSE */
	enum log_format log_format;  /* --log-format, ENVSSM_LOG_FORMAT */
	bool help;
	bool version;
	char **paths; /* borrowed from argv */
	size_t npaths;
	char **command; /* borrowed from argv, NULL-terminated; NULL without one */
	/* compatibility view of allow.items */
	const char *allow_names;
};

/* cli_parse fills c from argv and envp. Returns 0, or -1 with ERR_USAGE
 * and a message naming the offending word. --help and --version return 0
 * with the flag set and nothing else checked. Release with cli_release
 * (also after a failure). */
int cli_parse(int argc, char **argv, char *const *envp, struct cli *c, struct err *e);

/* cli_release frees what cli_parse allocated. */
void cli_release(struct cli *c);

/* cli_usage is the --help text. */
extern const char cli_usage[];

#endif
