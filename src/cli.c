/*
 * cli.c - parse envssm's options, operands and ENVSSM_* variables.
 */
#include "cli.h"

#include <errno.h>
#include <signal.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "envp.h"
#include "names.h"
#include "secretfiles.h"
#include "watch.h"

const char cli_usage[] =
        "usage: envssm [OPTIONS] PATH... -- COMMAND [ARG...]\n"
        "       envssm [OPTIONS] --format FMT PATH...\n"
        "       envssm [OPTIONS] --dry-run PATH... [-- COMMAND...]\n"
        "       envssm [OPTIONS] --explain [PATH...]\n"
        "\n"
        "Load the SSM parameters under each PATH into the environment, then\n"
        "execute COMMAND in the same process. Inherited variables whose value is\n"
        "ssm:///NAME[:VERSION|:LABEL][#FIELD] are resolved too.\n"
        "\n"
        "  -e, --env NAME           put every PATH under /NAME (ENVSSM_ENV)\n"
        "      --region REGION      AWS region (else AWS_REGION, AWS_DEFAULT_REGION, profile)\n"
        "      --endpoint-url URL   SSM endpoint (else AWS_ENDPOINT_URL_SSM, AWS_ENDPOINT_URL)\n"
        "      --profile NAME       shared config profile (else AWS_PROFILE)\n"
        "      --format FMT         print instead of exec: shell, dotenv, json, github, docker\n"
        "                           (ENVSSM_FORMAT)\n"
        "      --output FILE        write the --format output to FILE, mode 0600 (ENVSSM_OUTPUT)\n"
        "      --dry-run            list names, sources, types and versions; no values; no exec\n"
        "                           (ENVSSM_DRY_RUN)\n"
        "      --explain            show where the region, endpoints and credentials come from,\n"
        "                           and who they belong to; no values; no exec (ENVSSM_EXPLAIN)\n"
        "      --prefix PREFIX      put PREFIX before every name, e.g. APP_ (ENVSSM_PREFIX)\n"
        "      --last-segment       name a variable by its last path segment only\n"
        "                           (ENVSSM_LAST_SEGMENT)\n"
        "      --expand-json        a parameter holding a JSON object gives one variable per\n"
        "                           field, NAME_FIELD (ENVSSM_EXPAND_JSON)\n"
        "      --require NAMES      fail unless these variables are set after the merge\n"
        "                           (ENVSSM_REQUIRE)\n"
        "      --pristine           start from an empty environment (ENVSSM_PRISTINE)\n"
        "      --keep NAMES         with --pristine, keep these inherited variables (ENVSSM_KEEP)\n"
        "      --no-override        keep inherited values of the same name (ENVSSM_NO_OVERRIDE)\n"
        "      --allow-name NAMES   allow reserved names such as PATH, comma-separated\n"
        "                           (ENVSSM_ALLOW_NAMES)\n"
        "      --allow-empty        finding no parameters is not an error (ENVSSM_ALLOW_EMPTY)\n"
        "      --no-references      leave ssm:// values alone (ENVSSM_NO_REFERENCES)\n"
        "      --no-recursive       fetch direct children of each PATH only (ENVSSM_NO_RECURSIVE)\n"
        "      --no-decrypt         leave SecureString values encrypted (ENVSSM_NO_DECRYPT)\n"
        "      --timeout SECONDS    give up after this long; default 60 (ENVSSM_TIMEOUT)\n"
        "      --supervise          run COMMAND as a child and stay: forward signals, reap\n"
        "                           zombies, exit with its status (ENVSSM_SUPERVISE)\n"
        "      --signal-group       with --supervise, signal COMMAND's whole process group\n"
        "                           (ENVSSM_SIGNAL_GROUP)\n"
        "      --watch INTERVAL     supervise, poll versions every INTERVAL (30s, 5m) and\n"
        "                           restart COMMAND when they change (ENVSSM_WATCH)\n"
        "      --watch-parameter NAME  poll only NAME; reload all when it changes\n"
        "                           (ENVSSM_WATCH_PARAMETER)\n"
        "      --stop-signal SIG    how a restart stops COMMAND; default TERM\n"
        "                           (ENVSSM_STOP_SIGNAL)\n"
        "      --stop-timeout SECONDS  then SIGKILL; default 10 (ENVSSM_STOP_TIMEOUT)\n"
        "      --secret-files DIR   write SecureString values to files in DIR (tmpfs) and set\n"
        "                           NAME_FILE=DIR/NAME instead of NAME (ENVSSM_SECRET_FILES)\n"
        "      --secret-files-all   every value to a file, String ones too\n"
        "                           (ENVSSM_SECRET_FILES_ALL)\n"
        "      --secret-files-on-disk  allow DIR on a disk file system\n"
        "                           (ENVSSM_SECRET_FILES_ON_DISK)\n"
        "      --on-change SIG      with --watch and --secret-files, rewrite the files and send\n"
        "                           SIG instead of restarting, when only files changed\n"
        "                           (ENVSSM_ON_CHANGE)\n"
        "      --log-format FMT     text or json (ENVSSM_LOG_FORMAT)\n"
        "  -v, --verbose            progress on stderr; never values (ENVSSM_VERBOSE)\n"
        "  -h, --help               show this help\n"
        "  -V, --version            show the version\n"
        "\n"
        "Exit status: the program's own, or 125 when envssm fails, 126 when COMMAND\n"
        "cannot be executed, 127 when it is not found.\n";

enum opt_id {
	OPT_ENV,
	OPT_REGION,
	OPT_ENDPOINT,
	OPT_PROFILE,
	OPT_FORMAT,
	OPT_OUTPUT,
	OPT_DRY_RUN,
	OPT_EXPLAIN,
	OPT_PREFIX,
	OPT_LAST_SEGMENT,
	OPT_EXPAND_JSON,
	OPT_REQUIRE,
	OPT_PRISTINE,
	OPT_KEEP,
	OPT_NO_OVERRIDE,
	OPT_ALLOW_NAME,
	OPT_ALLOW_EMPTY,
	OPT_NO_REFERENCES,
	OPT_NO_RECURSIVE,
	OPT_NO_DECRYPT,
	OPT_TIMEOUT,
	OPT_SUPERVISE,
	OPT_SIGNAL_GROUP,
	OPT_WATCH,
	OPT_WATCH_PARAMETER,
	OPT_STOP_SIGNAL,
	OPT_STOP_TIMEOUT,
	OPT_SECRET_FILES,
	OPT_SECRET_FILES_ALL,
	OPT_SECRET_FILES_ON_DISK,
	OPT_ON_CHANGE,
	OPT_LOG_FORMAT,
	OPT_VERBOSE,
	OPT_HELP,
	OPT_VERSION,
};

struct opt {
	const char *name;
	char short_name;
	bool has_arg;
	enum opt_id id;
	const char *var; /* the ENVSSM_* variable, or NULL */
};

static const struct opt opts[] = {
        {"env", 'e', true, OPT_ENV, "ENVSSM_ENV"},
        {"region", 0, true, OPT_REGION, NULL},
        {"endpoint-url", 0, true, OPT_ENDPOINT, NULL},
        {"profile", 0, true, OPT_PROFILE, NULL},
        {"format", 0, true, OPT_FORMAT, "ENVSSM_FORMAT"},
        {"output", 0, true, OPT_OUTPUT, "ENVSSM_OUTPUT"},
        {"dry-run", 0, false, OPT_DRY_RUN, "ENVSSM_DRY_RUN"},
        {"explain", 0, false, OPT_EXPLAIN, "ENVSSM_EXPLAIN"},
        {"prefix", 0, true, OPT_PREFIX, "ENVSSM_PREFIX"},
        {"last-segment", 0, false, OPT_LAST_SEGMENT, "ENVSSM_LAST_SEGMENT"},
        {"expand-json", 0, false, OPT_EXPAND_JSON, "ENVSSM_EXPAND_JSON"},
        {"require", 0, true, OPT_REQUIRE, "ENVSSM_REQUIRE"},
        {"pristine", 0, false, OPT_PRISTINE, "ENVSSM_PRISTINE"},
        {"keep", 0, true, OPT_KEEP, "ENVSSM_KEEP"},
        {"no-override", 0, false, OPT_NO_OVERRIDE, "ENVSSM_NO_OVERRIDE"},
        {"allow-name", 0, true, OPT_ALLOW_NAME, "ENVSSM_ALLOW_NAMES"},
        {"allow-empty", 0, false, OPT_ALLOW_EMPTY, "ENVSSM_ALLOW_EMPTY"},
        {"no-references", 0, false, OPT_NO_REFERENCES, "ENVSSM_NO_REFERENCES"},
        {"no-recursive", 0, false, OPT_NO_RECURSIVE, "ENVSSM_NO_RECURSIVE"},
        {"no-decrypt", 0, false, OPT_NO_DECRYPT, "ENVSSM_NO_DECRYPT"},
        {"timeout", 0, true, OPT_TIMEOUT, "ENVSSM_TIMEOUT"},
        {"supervise", 0, false, OPT_SUPERVISE, "ENVSSM_SUPERVISE"},
        {"signal-group", 0, false, OPT_SIGNAL_GROUP, "ENVSSM_SIGNAL_GROUP"},
        {"watch", 0, true, OPT_WATCH, "ENVSSM_WATCH"},
        {"watch-parameter", 0, true, OPT_WATCH_PARAMETER, "ENVSSM_WATCH_PARAMETER"},
        {"stop-signal", 0, true, OPT_STOP_SIGNAL, "ENVSSM_STOP_SIGNAL"},
        {"stop-timeout", 0, true, OPT_STOP_TIMEOUT, "ENVSSM_STOP_TIMEOUT"},
        {"secret-files", 0, true, OPT_SECRET_FILES, "ENVSSM_SECRET_FILES"},
        {"secret-files-all", 0, false, OPT_SECRET_FILES_ALL, "ENVSSM_SECRET_FILES_ALL"},
        {"secret-files-on-disk", 0, false, OPT_SECRET_FILES_ON_DISK, "ENVSSM_SECRET_FILES_ON_DISK"},
        {"on-change", 0, true, OPT_ON_CHANGE, "ENVSSM_ON_CHANGE"},
        {"log-format", 0, true, OPT_LOG_FORMAT, "ENVSSM_LOG_FORMAT"},
        {"verbose", 'v', false, OPT_VERBOSE, NULL},
        {"help", 'h', false, OPT_HELP, NULL},
        {"version", 'V', false, OPT_VERSION, NULL},
};

#define NOPTS (sizeof(opts) / sizeof(opts[0]))

/* parse_bool reads a boolean variable: 1/true/yes or 0/false/no/"". */
static int parse_bool(const char *v, const char *name, bool *out, struct err *e)
{
	if (!strcmp(v, "1") || !strcasecmp(v, "true") || !strcasecmp(v, "yes")) {
		*out = true;
	} else if (!*v || !strcmp(v, "0") || !strcasecmp(v, "false") || !strcasecmp(v, "no")) {
		*out = false;
	} else {
		return err_set(e, ERR_USAGE, "invalid %s '%.40s': use true or false", name, v);
	}
	return 0;
}

static int parse_log_format(const char *v, const char *from, struct cli *c, struct err *e)
{
	if (!strcmp(v, "text"))
		c->log_format = LOG_TEXT;
	else if (!strcmp(v, "json"))
		c->log_format = LOG_JSON;
	else
		return err_set(e, ERR_USAGE, "invalid %s '%.40s': use text or json", from, v);
	return 0;
}

/* parse_timeout reads seconds (a decimal fraction allowed) into ms. */
static int parse_timeout(const char *v, const char *from, struct cli *c, struct err *e)
{
	char *end;
	double secs;

	errno = 0;
	secs = strtod(v, &end);
	if (errno || end == v || *end != '\0' || !(secs > 0) || secs > 86400)
		return err_set(e, ERR_USAGE, "invalid %s '%.40s': use seconds, from 0.001 to 86400",
		               from, v);
	c->timeout_ms = (long)(secs * 1000.0);
	if (c->timeout_ms < 1)
		c->timeout_ms = 1;
	return 0;
}

/* parse_stop_timeout reads seconds (a fraction allowed), 0 to 3600. */
static int parse_stop_timeout(const char *v, const char *from, struct cli *c, struct err *e)
{
	char *end;
	double secs;

	errno = 0;
	secs = strtod(v, &end);
	if (errno || end == v || *end != '\0' || !(secs >= 0) || secs > 3600)
		return err_set(e, ERR_USAGE, "invalid %s '%.40s': use seconds, from 0 to 3600",
		               from, v);
	c->stop_timeout_ms = (long)(secs * 1000.0);
	return 0;
}

/* list_add appends items, a comma-separated list of names from `from`,
 * to l. A name longer than any envssm sets is refused, so that a --require
 * name that can never be set does not pass unnoticed. */
static int list_add(struct cli_list *l, const char *items, const char *from, struct err *e)
{
	struct buf b = BUF_INIT;
	const char *p = items, *name;
	size_t n;

	while ((name = names_list_next(&p, &n)) != NULL) {
		if (n > NAMES_MAX_VAR)
			return err_set(e, ERR_USAGE,
			               "invalid %s name '%.40s...': longer than %d bytes", from,
			               name, NAMES_MAX_VAR);
	}
	if (l->items != NULL && (buf_puts(&b, l->items, e) < 0 || buf_putc(&b, ',', e) < 0))
		goto fail;
	if (buf_puts(&b, items, e) < 0)
		goto fail;
	free(l->items);
	l->items = buf_detach(&b, e);
	return l->items ? 0 : -1;
fail:
	buf_release(&b);
	return -1;
}

/* apply_flag handles the options without a value. */
static void apply_flag(struct cli *c, enum opt_id id, bool on)
{
	switch (id) {
	case OPT_DRY_RUN:
		c->dry_run = on;
		break;
	case OPT_EXPLAIN:
		c->explain = on;
		break;
	case OPT_LAST_SEGMENT:
		c->last_segment = on;
		break;
	case OPT_EXPAND_JSON:
		c->expand_json = on;
		break;
	case OPT_PRISTINE:
		c->pristine = on;
		break;
	case OPT_NO_OVERRIDE:
		c->no_override = on;
		break;
	case OPT_ALLOW_EMPTY:
		c->allow_empty = on;
		break;
	case OPT_NO_REFERENCES:
		c->references = !on;
		break;
	case OPT_NO_RECURSIVE:
		c->recursive = !on;
		break;
	case OPT_NO_DECRYPT:
		c->decrypt = !on;
		break;
	case OPT_SUPERVISE:
		c->supervise = on;
		break;
	case OPT_SIGNAL_GROUP:
		c->signal_group = on;
		break;
	case OPT_SECRET_FILES_ALL:
		c->secret_files_all = on;
		break;
	case OPT_SECRET_FILES_ON_DISK:
		c->secret_files_on_disk = on;
		break;
	case OPT_VERBOSE:
		if (c->verbosity < 8)
			c->verbosity++;
		break;
	case OPT_HELP:
		c->help = true;
		break;
	case OPT_VERSION:
		c->version = true;
		break;
	default:
		break;
	}
}

/* apply_value handles the options that take a value; from names the flag
 * or variable for messages. */
static int apply_value(struct cli *c, enum opt_id id, const char *arg, const char *from,
                       struct err *e)
{
	switch (id) {
	case OPT_ENV:
		c->env_name = arg;
		break;
	case OPT_REGION:
		c->region = arg;
		break;
	case OPT_ENDPOINT:
		c->endpoint_url = arg;
		break;
	case OPT_PROFILE:
		c->profile = arg;
		break;
	case OPT_FORMAT:
		c->format = arg;
		break;
	case OPT_OUTPUT:
		c->output = arg;
		break;
	case OPT_PREFIX:
		c->name_prefix = arg;
		break;
	case OPT_REQUIRE:
		return list_add(&c->require, arg, from, e);
	case OPT_KEEP:
		return list_add(&c->keep, arg, from, e);
	case OPT_ALLOW_NAME:
		if (list_add(&c->allow, arg, from, e) < 0)
			return -1;
		c->allow_names = c->allow.items;
		break;
	case OPT_TIMEOUT:
		return parse_timeout(arg, from, c, e);
	case OPT_WATCH:
		return watch_parse_interval(arg, from, &c->watch_ms, e);
	case OPT_WATCH_PARAMETER:
		if (arg[0] != '/' && strchr(arg, '/') != NULL)
			return err_set(e, ERR_USAGE,
			               "invalid %s '%.64s': a parameter name is '/a/b' or 'name'",
			               from, arg);
		c->watch_parameter = arg;
		break;
	case OPT_STOP_SIGNAL:
		return watch_parse_signal(arg, from, &c->stop_signal, e);
	case OPT_ON_CHANGE:
		return watch_parse_signal(arg, from, &c->on_change, e);
	case OPT_SECRET_FILES: {
		struct buf abs = BUF_INIT;
		int rc = secret_dir_abspath(arg, &abs, e);

		buf_release(&abs);
		c->secret_files = arg;
		return rc;
	}
	case OPT_STOP_TIMEOUT:
		return parse_stop_timeout(arg, from, c, e);
	case OPT_LOG_FORMAT:
		return parse_log_format(arg, from, c, e);
	default:
		break;
	}
	return 0;
}

static const struct opt *find_long(const char *name, size_t n)
{
	for (size_t i = 0; i < NOPTS; i++) {
		if (strlen(opts[i].name) == n && strncmp(opts[i].name, name, n) == 0)
			return &opts[i];
	}
	return NULL;
}

static const struct opt *find_short(char ch)
{
	for (size_t i = 0; i < NOPTS; i++) {
		if (opts[i].short_name != 0 && opts[i].short_name == ch)
			return &opts[i];
	}
	return NULL;
}

/* parse_long handles argv[*i] = "--name[=value]". */
static int parse_long(int argc, char **argv, int *i, struct cli *c, struct err *e)
{
	const char *word = argv[*i] + 2;
	const char *eq = strchr(word, '=');
	size_t n = eq ? (size_t)(eq - word) : strlen(word);
	const struct opt *o = find_long(word, n);
	char from[40];

	if (o == NULL)
		return err_set(e, ERR_USAGE, "unknown option '--%.*s'", (int)(n > 64 ? 64 : n),
		               word);
	snprintf(from, sizeof(from), "--%s", o->name);
	if (!o->has_arg) {
		if (eq != NULL)
			return err_set(e, ERR_USAGE, "option '--%s' takes no value", o->name);
		apply_flag(c, o->id, true);
		return 0;
	}
	if (eq != NULL)
		return apply_value(c, o->id, eq + 1, from, e);
	if (*i + 1 >= argc)
		return err_set(e, ERR_USAGE, "option '--%s' needs a value", o->name);
	return apply_value(c, o->id, argv[++*i], from, e);
}

/* parse_short handles a cluster such as "-vv" or "-eproduction". */
static int parse_short(int argc, char **argv, int *i, struct cli *c, struct err *e)
{
	const char *p = argv[*i] + 1;

	for (; *p != '\0'; p++) {
		const struct opt *o = find_short(*p);
		char from[4] = {'-', *p, '\0', '\0'};

		if (o == NULL)
			return err_set(e, ERR_USAGE, "unknown option '-%c'",
			               (*p > ' ' && *p < 127) ? *p : '?');
		if (!o->has_arg) {
			apply_flag(c, o->id, true);
			continue;
		}
		if (p[1] != '\0')
			return apply_value(c, o->id, p + 1, from, e);
		if (*i + 1 >= argc)
			return err_set(e, ERR_USAGE, "option '-%c' needs a value", *p);
		return apply_value(c, o->id, argv[++*i], from, e);
	}
	return 0;
}

static int parse_verbose_var(const char *v, struct cli *c, struct err *e)
{
	char *end;
	long n;

	if (*v < '0' || *v > '9')
		return err_set(e, ERR_USAGE, "invalid ENVSSM_VERBOSE '%.20s': use 0 to 8", v);
	n = strtol(v, &end, 10);
	if (*end != '\0' || n < 0 || n > 8)
		return err_set(e, ERR_USAGE, "invalid ENVSSM_VERBOSE '%.20s': use 0 to 8", v);
	c->verbosity = (int)n;
	return 0;
}

/* parse_env reads every ENVSSM_* variable of the option table. */
static int parse_env(char *const *envp, struct cli *c, struct err *e)
{
	const char *v;

	for (size_t i = 0; i < NOPTS; i++) {
		bool on = false;

		if (opts[i].var == NULL || (v = env_get(envp, opts[i].var)) == NULL)
			continue;
		if (!opts[i].has_arg) {
			if (parse_bool(v, opts[i].var, &on, e) < 0)
				return -1;
			apply_flag(c, opts[i].id, on);
		} else if (*v != '\0' && apply_value(c, opts[i].id, v, opts[i].var, e) < 0) {
			return -1;
		}
	}
	if ((v = env_get_nonempty(envp, "ENVSSM_VERBOSE")) != NULL)
		return parse_verbose_var(v, c, e);
	return 0;
}

/* prefix_ok tells whether a name prefix keeps every name a portable
 * variable name: [A-Za-z_][A-Za-z0-9_]*, at most 128 bytes. */
static bool prefix_ok(const char *p)
{
	size_t n = strlen(p);

	if (n == 0 || n > 128 || (p[0] >= '0' && p[0] <= '9'))
		return false;
	return strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") == n;
}

/* check_options and check_modes reject operand and option combinations that mean nothing. */
static int check_options(const struct cli *c, struct err *e)
{
	if (c->keep.items != NULL && !c->pristine)
		return err_set(e, ERR_USAGE, "--keep needs --pristine");
	if (c->name_prefix != NULL && !prefix_ok(c->name_prefix))
		return err_set(
		        e, ERR_USAGE,
		        "invalid --prefix '%.64s': use letters, digits and '_', not starting with a digit",
		        c->name_prefix);
	if (c->explain && (c->format != NULL || c->output != NULL || c->dry_run))
		return err_set(e, ERR_USAGE, "--explain cannot go with %s",
		               c->format != NULL   ? "--format"
		               : c->output != NULL ? "--output"
		                                   : "--dry-run");
	if (c->output != NULL && c->format == NULL)
		return err_set(e, ERR_USAGE, "--output needs --format");
	return 0;
}

/* check_secret_files: files are for a program; print mode prints values */
static int check_secret_files(const struct cli *c, struct err *e)
{
	if (c->secret_files == NULL && (c->secret_files_all || c->secret_files_on_disk))
		return err_set(e, ERR_USAGE, "%s needs --secret-files",
		               c->secret_files_all ? "--secret-files-all"
		                                   : "--secret-files-on-disk");
	if (c->secret_files != NULL && c->format != NULL)
		return err_set(e, ERR_USAGE,
		               "--secret-files hands values to a program as files: it does not go "
		               "with --format");
	if (c->on_change != 0 && (c->watch_ms == 0 || c->secret_files == NULL))
		return err_set(e, ERR_USAGE, "--on-change needs --watch and --secret-files");
	return 0;
}

static int check_modes(const struct cli *c, bool dashdash, struct err *e)
{
	if (check_options(c, e) < 0)
		return -1;
	/* --explain needs no PATH and runs no command (one given is shown) */
	if (c->explain)
		return 0;
	if (c->format != NULL && c->command != NULL)
		return err_set(
		        e, ERR_USAGE,
		        "--format prints the variables instead of running a command: drop '-- %.64s'",
		        c->command[0]);
	if (c->format == NULL && !c->dry_run && !dashdash)
		return err_set(e, ERR_USAGE,
		               c->npaths == 0
		                       ? "no PATH given (see envssm --help)"
		                       : "missing '--' before the command (see envssm --help)");
	if (dashdash && c->command == NULL)
		return err_set(e, ERR_USAGE, "no command after '--'");
	if (c->supervise && (c->format != NULL || c->dry_run))
		return err_set(e, ERR_USAGE, "%s runs a command: it does not go with %s",
		               c->watch_ms > 0 ? "--watch" : "--supervise",
		               c->format != NULL ? "--format" : "--dry-run");
	if (c->watch_parameter != NULL && c->watch_ms == 0)
		return err_set(e, ERR_USAGE, "--watch-parameter needs --watch");
	if (c->signal_group && !c->supervise)
		return err_set(e, ERR_USAGE, "--signal-group needs --supervise or --watch");
	return check_secret_files(c, e);
}

/* parse_operands takes PATH... [-- COMMAND...] from argv[i]. */
static int parse_operands(int argc, char **argv, int i, struct cli *c, struct err *e)
{
	int first = i;
	bool dashdash;

	for (; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (argv[i][0] == '-')
			return err_set(e, ERR_USAGE,
			               "option '%.64s' after a path: options come before the paths",
			               argv[i]);
	}
	c->paths = argv + first;
	c->npaths = (size_t)(i - first);
	dashdash = i < argc;
	if (dashdash && i + 1 < argc)
		c->command = argv + i + 1;
	if (c->watch_ms > 0)
		c->supervise = true; /* a watch is a supervisor that polls */
	return check_modes(c, dashdash, e);
}

int cli_parse(int argc, char **argv, char *const *envp, struct cli *c, struct err *e)
{
	int i, env_rc;

	memset(c, 0, sizeof(*c));
	c->recursive = true;
	c->decrypt = true;
	c->references = true;
	c->stop_signal = SIGTERM;
	c->stop_timeout_ms = 10000;
	/* variables first so flags beat them; a bad one is reported only
	 * once --help and --version are ruled out */
	env_rc = parse_env(envp, c, e);
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		int rc;

		if (a[0] != '-' || a[1] == '\0' || strcmp(a, "--") == 0)
			break;
		rc = a[1] == '-' ? parse_long(argc, argv, &i, c, e)
		                 : parse_short(argc, argv, &i, c, e);
		if (rc < 0)
			return -1;
	}
	if (c->help || c->version)
		return 0;
	if (env_rc < 0)
		return -1;
	return parse_operands(argc, argv, i, c, e);
}

void cli_release(struct cli *c)
{
	free(c->allow.items);
	free(c->require.items);
	free(c->keep.items);
	c->allow.items = c->require.items = c->keep.items = NULL;
	c->allow_names = NULL;
}
