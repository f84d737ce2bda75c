/*
 * names.c - normalise SSM paths, map parameter names to variable names.
 */
#include "names.h"

#include <string.h>

static bool path_byte_ok(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '.' || c == '-' || c == '/';
}

/* append_segments appends s's segments to out as "/seg", counting them. */
static int append_segments(const char *s, struct buf *out, size_t *depth, struct err *e)
{
	const char *p = s;

	while (*p != '\0') {
		size_t n;

		while (*p == '/')
			p++;
		n = strcspn(p, "/");
		if (n == 0)
			break;
		if (++*depth > NAMES_MAX_DEPTH)
			return err_set(e, ERR_USAGE, "invalid path '%s': more than %d levels", s,
			               NAMES_MAX_DEPTH);
		if (buf_putc(out, '/', e) < 0 || buf_append(out, p, n, e) < 0)
			return -1;
		p += n;
	}
	return 0;
}

static int check_bytes(const char *what, const char *s, struct err *e)
{
	for (const char *p = s; *p != '\0'; p++) {
		if (!path_byte_ok((unsigned char)*p))
			return err_set(
			        e, ERR_USAGE,
			        "invalid %s '%.200s': only letters, digits, '_', '.', '-' and '/' are allowed",
			        what, s);
	}
	return 0;
}

int names_path_normalize(const char *env_name, const char *path, struct buf *out, struct err *e)
{
	size_t depth = 0;

	buf_truncate(out, 0);
	if (strlen(path) > NAMES_MAX_PATH || (env_name && strlen(env_name) > NAMES_MAX_PATH))
		return err_set(e, ERR_USAGE, "invalid path: longer than %d bytes", NAMES_MAX_PATH);
	if (env_name != NULL && check_bytes("environment name", env_name, e) < 0)
		return -1;
	if (check_bytes("path", path, e) < 0)
		return -1;
	/* an unset shell variable must not widen the fetch to the parent */
	if (*path == '\0')
		return err_set(e, ERR_USAGE, "invalid path '': it is empty");
	if (env_name != NULL && strspn(env_name, "/") == strlen(env_name))
		return err_set(e, ERR_USAGE, "invalid environment name '%s': it is empty",
		               env_name);
	if (env_name != NULL && append_segments(env_name, out, &depth, e) < 0)
		return -1;
	if (append_segments(path, out, &depth, e) < 0)
		return -1;
	if (out->len == 0 && buf_putc(out, '/', e) < 0)
		return -1;
	if (out->len > NAMES_MAX_PATH)
		return err_set(e, ERR_USAGE, "invalid path: longer than %d bytes", NAMES_MAX_PATH);
	return 0;
}

bool names_under(const char *name, const char *prefix)
{
	size_t n = strlen(prefix);

	if (n == 1 && prefix[0] == '/')
		return name[0] == '/' && name[1] != '\0';
	return strncmp(name, prefix, n) == 0 && name[n] == '/' && name[n + 1] != '\0';
}

char names_map_byte(unsigned char c)
{
	if (c >= 'a' && c <= 'z')
		return (char)(c - 'a' + 'A');
	if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return (char)c;
	return '_';
}

int names_map(const char *name, const char *prefix, const char *add_prefix, bool last_segment,
              struct buf *out, struct err *e)
{
	const char *rel = name;
	size_t plen = strlen(prefix);

	buf_truncate(out, 0);
	if (plen > 1 && strncmp(name, prefix, plen) == 0)
		rel = name + plen;
	while (*rel == '/')
		rel++;
	if (last_segment && strrchr(rel, '/') != NULL)
		rel = strrchr(rel, '/') + 1;
	if (*rel == '\0')
		return err_set(e, ERR_NAMES, "parameter '%.300s' has no name below '%.300s'", name,
		               prefix);
	if (add_prefix != NULL && buf_puts(out, add_prefix, e) < 0)
		return -1;
	if (out->len == 0 && *rel >= '0' && *rel <= '9' && buf_putc(out, '_', e) < 0)
		return -1;
	for (; *rel != '\0'; rel++) {
		if (buf_putc(out, names_map_byte((unsigned char)*rel), e) < 0)
			return -1;
	}
	return 0;
}

/* Names a parameter writer could use to run code in, or redirect, the
 * program or envssm's own AWS access. */
static const char *const reserved_exact[] = {
        "PATH",
        "HOME",
        "SHELL",
        "IFS",
        "ENV",
        "BASH_ENV",
        "CDPATH",
        "PS4",
        "GLIBC_TUNABLES",
        "GCONV_PATH",
        "LOCPATH",
        "HOSTALIASES",
        "RESOLV_HOST_CONF",
        "NODE_OPTIONS",
        "NODE_PATH",
        "PYTHONPATH",
        "PYTHONHOME",
        "PYTHONSTARTUP",
        "PYTHONINSPECT",
        "PERL5OPT",
        "PERL5LIB",
        "PERLLIB",
        "RUBYOPT",
        "RUBYLIB",
        "JAVA_TOOL_OPTIONS",
        "_JAVA_OPTIONS",
        "JDK_JAVA_OPTIONS",
        "CLASSPATH",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_SECURITY_TOKEN",
        "AWS_CREDENTIAL_EXPIRATION",
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_CONFIG_FILE",
        "AWS_SHARED_CREDENTIALS_FILE",
        "AWS_ROLE_ARN",
        "AWS_ROLE_SESSION_NAME",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_CA_BUNDLE",
        "AWS_ENDPOINT_URL",
        "AWS_STS_REGIONAL_ENDPOINTS",
        "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
        "AWS_USE_FIPS_ENDPOINT",
        "AWS_USE_DUALSTACK_ENDPOINT",
        /* shells and interpreters that run code named by a variable */
        "SHELLOPTS",
        "BASHOPTS",
        "PROMPT_COMMAND",
        "PYTHONWARNINGS",
        "PYTHONBREAKPOINT",
        "PERL5DB",
        "PHPRC",
        "LUA_INIT",
        "GEM_PATH",
        "GEM_HOME",
        /* traffic and trust: a proxy or a CA bundle redirects secrets */
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "NO_PROXY",
        "SSL_CERT_FILE",
        "SSL_CERT_DIR",
        "REQUESTS_CA_BUNDLE",
        "CURL_CA_BUNDLE",
        "NODE_EXTRA_CA_CERTS",
};

static const char *const reserved_prefix[] = {
        "LD_",
        "BASH_FUNC_",
        "AWS_CONTAINER_",
        "AWS_EC2_METADATA_",
        "AWS_ENDPOINT_URL_",
        "GIT_",
        "AWS_METADATA_SERVICE_",
};

/* first_letter_reserved tells whether any reserved name starts with c: a
 * cheap first test, built from the lists themselves on first use. */
static bool first_letter_reserved(unsigned char c)
{
	static bool map[256], ready;

	if (!ready) {
		for (size_t i = 0; i < sizeof(reserved_exact) / sizeof(reserved_exact[0]); i++)
			map[(unsigned char)reserved_exact[i][0]] = true;
		for (size_t i = 0; i < sizeof(reserved_prefix) / sizeof(reserved_prefix[0]); i++)
			map[(unsigned char)reserved_prefix[i][0]] = true;
		ready = true;
	}
	return map[c];
}

bool names_reserved(const char *var)
{
	if (!first_letter_reserved((unsigned char)var[0]))
		return false;
	for (size_t i = 0; i < sizeof(reserved_exact) / sizeof(reserved_exact[0]); i++) {
		if (strcmp(var, reserved_exact[i]) == 0)
			return true;
	}
	for (size_t i = 0; i < sizeof(reserved_prefix) / sizeof(reserved_prefix[0]); i++) {
		if (strncmp(var, reserved_prefix[i], strlen(reserved_prefix[i])) == 0)
			return true;
	}
	return false;
}

bool names_valid_var(const char *var)
{
	size_t n = strlen(var);

	if (n == 0 || n > 255 || (var[0] >= '0' && var[0] <= '9'))
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = var[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '_'))
			return false;
	}
	return true;
}

bool names_in_list(const char *var, const char *list)
{
	size_t n = strlen(var);

	while (list != NULL && *list != '\0') {
		size_t m;

		while (*list == ' ' || *list == '\t')
			list++;
		m = strcspn(list, ",");
		/* allow "PATH, HOME": trailing blanks are not part of a name */
		while (m > 0 && (list[m - 1] == ' ' || list[m - 1] == '\t'))
			m--;
		if (m == n && strncmp(list, var, n) == 0)
			return true;
		list += strcspn(list, ",");
		if (*list == ',')
			list++;
	}
	return false;
}
