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
	if (out->len > NAMES_MAX_VAR)
		return err_set(e, ERR_NAMES,
		               "parameter '%.300s' maps to a name longer than %d bytes", name,
		               NAMES_MAX_VAR);
	return 0;
}

/*
 * The names a parameter must not set, one row per reason: each runs code,
 * changes what TLS trusts, leaks keys, redirects traffic, or changes the
 * AWS access or the settings of envssm (or of the program's AWS SDK). A
 * name ending in '*' is a prefix. The man page lists the same rows with
 * the same reasons, and a test keeps the two in step.
 */
static const struct names_rule reserved[] = {
        /* envssm itself: ENVSSM_ALLOW_NAMES would let a parameter allow
         * LD_PRELOAD for a nested envssm, so not even --allow-name helps */
        {.names = "ENVSSM_*",
         .reason = "envssm's own settings, which a nested envssm would obey",
         .fixed = true},
        /* shells */
        {.names = "PATH", .reason = "chooses the programs that run"},
        {.names = "HOME ZDOTDIR XDG_CONFIG_HOME XDG_CONFIG_DIRS",
         .reason = "moves the startup and configuration files of shells, git and others"},
        {.names = "SHELL", .reason = "names the shell that programs start"},
        {.names = "ENV BASH_ENV", .reason = "names a file the shell runs at startup"},
        {.names = "BASH_FUNC_*", .reason = "defines bash functions"},
        {.names = "SHELLOPTS BASHOPTS", .reason = "turns on shell options in every script"},
        {.names = "IFS CDPATH", .reason = "changes how scripts split words and find directories"},
        {.names = "PS0 PS1 PS2 PS4 PROMPT_COMMAND",
         .reason = "bash runs the commands in prompts and traces"},
        {.names = "FPATH", .reason = "zsh and ksh load functions from here"},
        /* glibc and the dynamic loader */
        {.names = "LD_*", .reason = "the dynamic loader loads the libraries named here"},
        {.names = "GLIBC_TUNABLES", .reason = "changes glibc's internals"},
        {.names = "GCONV_PATH", .reason = "glibc loads character set modules from here"},
        {.names = "LOCPATH NLSPATH",
         .reason = "glibc loads locales and message catalogues (format strings) from here"},
        {.names = "HOSTALIASES RESOLV_HOST_CONF LOCALDOMAIN RES_OPTIONS",
         .reason = "changes the host a name resolves to"},
        /* TLS and traffic */
        {.names = "OPENSSL_*",
         .reason = "OpenSSL loads configuration, providers and engines from here"},
        {.names = "SSL_CERT_FILE SSL_CERT_DIR CURL_CA_BUNDLE REQUESTS_CA_BUNDLE "
                  "NODE_EXTRA_CA_CERTS",
         .reason = "changes the certificate authorities TLS trusts"},
        {.names = "NODE_TLS_REJECT_UNAUTHORIZED PYTHONHTTPSVERIFY",
         .reason = "turns TLS certificate checks off"},
        {.names = "SSLKEYLOGFILE", .reason = "TLS libraries write their session keys here"},
        {.names = "HTTP_PROXY HTTPS_PROXY ALL_PROXY NO_PROXY http_proxy https_proxy all_proxy "
                  "no_proxy",
         .reason = "sends traffic through another host, or past the proxy"},
        {.names = "CURL_HOME WGETRC",
         .reason = "names a curl or wget configuration, which can turn TLS checks off"},
        /* git, ssh, docker, kubectl */
        {.names = "GIT_*",
         .reason = "git runs commands, reads configuration and skips TLS checks as told here"},
        {.names = "SSH_ASKPASS", .reason = "ssh and git run this program"},
        {.names = "DOCKER_*",
         .reason = "points docker at another daemon, configuration or certificates"},
        {.names = "KUBECONFIG",
         .reason = "points kubectl at another cluster and its credential commands"},
        /* Python */
        {.names = "PYTHONPATH PYTHONHOME PYTHONUSERBASE PYTHONPLATLIBDIR PYTHONPYCACHEPREFIX",
         .reason = "Python imports code from here"},
        {.names = "PYTHONSTARTUP PYTHONINSPECT PYTHONWARNINGS PYTHONBREAKPOINT",
         .reason = "Python runs or imports the code named here"},
        /* Node.js */
        {.names = "NODE_OPTIONS NODE_PATH NODE_REPL_EXTERNAL_MODULE",
         .reason = "Node.js loads the code named here"},
        {.names = "NPM_CONFIG_*",
         .reason = "npm runs scripts with the shell, and installs from the registry, named here"},
        /* Ruby, Perl */
        {.names = "RUBYOPT RUBYLIB GEM_PATH GEM_HOME", .reason = "Ruby loads code from here"},
        {.names = "BUNDLE_*",
         .reason = "Bundler loads the Gemfile and gems named here, and can skip TLS checks"},
        {.names = "PERL5OPT PERL5LIB PERLLIB PERL5DB", .reason = "Perl loads the code named here"},
        /* Java, .NET */
        {.names = "JAVA_TOOL_OPTIONS _JAVA_OPTIONS JDK_JAVA_OPTIONS CLASSPATH",
         .reason = "the JVM loads the agents and classes, and runs the commands, named here"},
        {.names = "DOTNET_* COMPlus_* CORECLR_* ASPNETCORE_HOSTINGSTARTUPASSEMBLIES",
         .reason = "the .NET runtime loads the startup hooks, assemblies and profilers named here"},
        /* PHP, Lua */
        {.names = "PHPRC PHP_INI_SCAN_DIR",
         .reason = "PHP reads php.ini files, which can prepend code, from here"},
        {.names = "LUA_*",
         .reason = "Lua runs LUA_INIT and loads modules from LUA_PATH and LUA_CPATH"},
        /* Go */
        {.names = "GODEBUG", .reason = "turns Go's TLS and certificate checks off"},
        {.names = "GOFLAGS GOENV GOPROXY GONOPROXY GOSUMDB GONOSUMDB GOPRIVATE GOINSECURE "
                  "GOTOOLCHAIN",
         .reason = "the go command runs tools and fetches unverified code as told here"},
        /* AWS: the program's SDK, and envssm's own AWS access */
        {.names = "AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_SECURITY_TOKEN "
                  "AWS_CREDENTIAL_EXPIRATION",
         .reason = "replaces the AWS credentials"},
        {.names = "AWS_PROFILE AWS_DEFAULT_PROFILE AWS_CONFIG_FILE AWS_SHARED_CREDENTIALS_FILE "
                  "AWS_ROLE_ARN AWS_ROLE_SESSION_NAME AWS_WEB_IDENTITY_TOKEN_FILE "
                  "AWS_CONTAINER_* AWS_EC2_METADATA_* AWS_METADATA_SERVICE_*",
         .reason = "changes where the AWS credentials come from"},
        {.names = "AWS_CA_BUNDLE AWS_ENDPOINT_URL AWS_ENDPOINT_URL_* AWS_STS_REGIONAL_ENDPOINTS "
                  "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS AWS_USE_FIPS_ENDPOINT "
                  "AWS_USE_DUALSTACK_ENDPOINT",
         .reason = "changes which AWS endpoints are called and trusted"},
};

/* word_matches tells whether var is the n-byte word w, or starts with it
 * when w ends in '*'. */
static bool word_matches(const char *w, size_t n, const char *var)
{
	if (w[n - 1] == '*')
		return strncmp(var, w, n - 1) == 0;
	return strncmp(var, w, n) == 0 && var[n] == '\0';
}

const struct names_rule *names_reserved(const char *var)
{
	for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++) {
		for (const char *w = reserved[i].names; *w != '\0';) {
			size_t n = strcspn(w, " ");

			if (n > 0 && word_matches(w, n, var))
				return &reserved[i];
			w += n;
			w += strspn(w, " ");
		}
	}
	return NULL;
}

bool names_valid_var(const char *var)
{
	size_t n = strlen(var);

	if (n == 0 || n > NAMES_MAX_VAR || (var[0] >= '0' && var[0] <= '9'))
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
	return names_in_list_n(var, strlen(var), list);
}

bool names_in_list_n(const char *var, size_t n, const char *list)
{
	const char *item;
	size_t m;

	while ((item = names_list_next(&list, &m)) != NULL) {
		if (m == n && memcmp(item, var, n) == 0)
			return true;
	}
	return false;
}

const char *names_list_next(const char **list, size_t *n)
{
	const char *p = *list;
	size_t m;

	if (p == NULL || *p == '\0')
		return NULL;
	m = strcspn(p, ",");
	*list = p[m] == ',' ? p + m + 1 : p + m;
	/* allow "PATH, HOME": blanks around a name are not part of it */
	while (m > 0 && (*p == ' ' || *p == '\t'))
		p++, m--;
	while (m > 0 && (p[m - 1] == ' ' || p[m - 1] == '\t'))
		m--;
	*n = m;
	return p;
}
