/*
 * cli.c - parse envssm's options, operands and ENVSSM_* variables.
 */
#include "cli.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "envp.h"

const char cli_usage[] =
	"usage: envssm [OPTIONS] PATH... -- COMMAND [ARG...]\n"
	"\n"
	"Load the SSM parameters under each PATH into the environment, then\n"
	"execute COMMAND in the same process.\n"
	"\n"
	"  -e, --env NAME           put every PATH under /NAME (ENVSSM_ENV)\n"
	"      --region REGION      AWS region (else AWS_REGION, AWS_DEFAULT_REGION, profile)\n"
	"      --endpoint-url URL   SSM endpoint (else AWS_ENDPOINT_URL_SSM, AWS_ENDPOINT_URL)\n"
	"      --profile NAME       shared config profile (else AWS_PROFILE)\n"
	"      --no-override        keep inherited values of the same name (ENVSSM_NO_OVERRIDE)\n"
	"      --allow-name NAMES   allow reserved names such as PATH, comma-separated\n"
	"                           (ENVSSM_ALLOW_NAMES)\n"
	"      --allow-empty        finding no parameters is not an error (ENVSSM_ALLOW_EMPTY)\n"
	"      --no-recursive       fetch direct children of each PATH only\n"
	"      --no-decrypt         leave SecureString values encrypted\n"
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
	OPT_NO_OVERRIDE,
	OPT_ALLOW_NAME,
	OPT_ALLOW_EMPTY,
	OPT_NO_RECURSIVE,
	OPT_NO_DECRYPT,
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
};

static const struct opt opts[] = {
	{ "env", 'e', true, OPT_ENV },
	{ "region", 0, true, OPT_REGION },
	{ "endpoint-url", 0, true, OPT_ENDPOINT },
	{ "profile", 0, true, OPT_PROFILE },
	{ "no-override", 0, false, OPT_NO_OVERRIDE },
	{ "allow-name", 0, true, OPT_ALLOW_NAME },
	{ "allow-empty", 0, false, OPT_ALLOW_EMPTY },
	{ "no-recursive", 0, false, OPT_NO_RECURSIVE },
	{ "no-decrypt", 0, false, OPT_NO_DECRYPT },
	{ "log-format", 0, true, OPT_LOG_FORMAT },
	{ "verbose", 'v', false, OPT_VERBOSE },
	{ "help", 'h', false, OPT_HELP },
	{ "version", 'V', false, OPT_VERSION },
};

#define NOPTS (sizeof(opts) / sizeof(opts[0]))

/* env_bool reads a boolean ENVSSM_* variable: 1/true/yes or 0/false/no/"". */
static int env_bool(char *const *envp, const char *name, bool *out, struct err *e)
{
	const char *v = env_get(envp, name);

	if (v == NULL)
		return 0;
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

static int add_allow(struct cli *c, const char *list, struct err *e)
{
	struct buf b = BUF_INIT;

	if (c->allow_storage != NULL &&
	    (buf_puts(&b, c->allow_storage, e) < 0 || buf_putc(&b, ',', e) < 0))
		goto fail;
	if (buf_puts(&b, list, e) < 0)
		goto fail;
	free(c->allow_storage);
	c->allow_storage = buf_detach(&b, e);
	c->allow_names = c->allow_storage;
	return c->allow_storage ? 0 : -1;
fail:
	buf_release(&b);
	return -1;
}

static int apply(struct cli *c, enum opt_id id, const char *arg, struct err *e)
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
	case OPT_NO_OVERRIDE:
		c->no_override = true;
		break;
	case OPT_ALLOW_NAME:
		return add_allow(c, arg, e);
	case OPT_ALLOW_EMPTY:
		c->allow_empty = true;
		break;
	case OPT_NO_RECURSIVE:
		c->recursive = false;
		break;
	case OPT_NO_DECRYPT:
		c->decrypt = false;
		break;
	case OPT_LOG_FORMAT:
		return parse_log_format(arg, "--log-format", c, e);
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

	if (o == NULL)
		return err_set(e, ERR_USAGE, "unknown option '--%.*s'", (int)(n > 64 ? 64 : n), word);
	if (!o->has_arg) {
		if (eq != NULL)
			return err_set(e, ERR_USAGE, "option '--%s' takes no value", o->name);
		return apply(c, o->id, NULL, e);
	}
	if (eq != NULL)
		return apply(c, o->id, eq + 1, e);
	if (*i + 1 >= argc)
		return err_set(e, ERR_USAGE, "option '--%s' needs a value", o->name);
	return apply(c, o->id, argv[++*i], e);
}

/* parse_short handles a cluster such as "-vv" or "-eproduction". */
static int parse_short(int argc, char **argv, int *i, struct cli *c, struct err *e)
{
	const char *p = argv[*i] + 1;

	for (; *p != '\0'; p++) {
		const struct opt *o = find_short(*p);

		if (o == NULL)
			return err_set(e, ERR_USAGE, "unknown option '-%c'",
				       (*p > ' ' && *p < 127) ? *p : '?');
		if (!o->has_arg) {
			if (apply(c, o->id, NULL, e) < 0)
				return -1;
			continue;
		}
		if (p[1] != '\0')
			return apply(c, o->id, p + 1, e);
		if (*i + 1 >= argc)
			return err_set(e, ERR_USAGE, "option '-%c' needs a value", *p);
		return apply(c, o->id, argv[++*i], e);
	}
	return 0;
}

static int parse_env(char *const *envp, struct cli *c, struct err *e)
{
	const char *v;

	if ((v = env_get_nonempty(envp, "ENVSSM_ENV")) != NULL)
		c->env_name = v;
	if ((v = env_get_nonempty(envp, "ENVSSM_ALLOW_NAMES")) != NULL && add_allow(c, v, e) < 0)
		return -1;
	if (env_bool(envp, "ENVSSM_NO_OVERRIDE", &c->no_override, e) < 0 ||
	    env_bool(envp, "ENVSSM_ALLOW_EMPTY", &c->allow_empty, e) < 0)
		return -1;
	if ((v = env_get_nonempty(envp, "ENVSSM_LOG_FORMAT")) != NULL &&
	    parse_log_format(v, "ENVSSM_LOG_FORMAT", c, e) < 0)
		return -1;
	if ((v = env_get_nonempty(envp, "ENVSSM_VERBOSE")) != NULL) {
		char *end;
		long n = strtol(v, &end, 10);

		if (*end != '\0' || n < 0 || n > 8)
			return err_set(e, ERR_USAGE, "invalid ENVSSM_VERBOSE '%.20s': use 0 to 8", v);
		c->verbosity = (int)n;
	}
	return 0;
}

/* parse_operands takes PATH... [-- COMMAND...] from argv[i]. */
static int parse_operands(int argc, char **argv, int i, struct cli *c, struct err *e)
{
	int first = i;

	for (; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (argv[i][0] == '-')
			return err_set(e, ERR_USAGE,
				       "option '%.64s' after a path: options come before the paths",
				       argv[i]);
	}
	c->paths = argv + first;
	c->npaths = (size_t)(i - first);
	if (c->npaths == 0)
		return err_set(e, ERR_USAGE, "no PATH given (see envssm --help)");
	if (i >= argc)
		return err_set(e, ERR_USAGE, "missing '--' before the command (see envssm --help)");
	if (i + 1 >= argc)
		return err_set(e, ERR_USAGE, "no command after '--'");
	c->command = argv + i + 1;
	return 0;
}

int cli_parse(int argc, char **argv, char *const *envp, struct cli *c, struct err *e)
{
	int i, env_rc;

	memset(c, 0, sizeof(*c));
	c->recursive = true;
	c->decrypt = true;
	/* variables first so flags beat them; a bad one is reported only
	 * once --help and --version are ruled out */
	env_rc = parse_env(envp, c, e);
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		int rc;

		if (a[0] != '-' || a[1] == '\0' || strcmp(a, "--") == 0)
			break;
		rc = a[1] == '-' ? parse_long(argc, argv, &i, c, e) : parse_short(argc, argv, &i, c, e);
		if (rc < 0)
			return -1;
	}
	if (c->help || c->version)
		return 0;
	if (env_rc < 0)
		return -1;
	if (i < argc && strcmp(argv[i], "--") == 0)
		return err_set(e, ERR_USAGE, "no PATH given before '--' (see envssm --help)");
	return parse_operands(argc, argv, i, c, e);
}

void cli_release(struct cli *c)
{
	free(c->allow_storage);
	c->allow_storage = NULL;
	c->allow_names = NULL;
}
