/*
 * settings.c - pick the profile, the region and the SSM endpoint the way
 * the AWS SDKs do, remembering where each came from.
 */
#include "settings.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "envp.h"
#include "trust.h"

#define REGION_MAX_BYTES  64
#define URL_MAX_BYTES     2048
#define QUOTE_MAX_BYTES   256
#define PROFILE_MAX_BYTES 256

enum { SOURCE_REGION, SOURCE_ENDPOINT, SOURCE_CA_BUNDLE };

static int endpoint_parse_from(const char *url, const char *source, struct endpoint *ep,
                               struct err *e);

/* One resolution pass. Every profile lookup goes through profile_lookup, so
 * a pass with pf NULL tells whether the files would have been consulted. */
struct lookup {
	const struct profile_files *pf;
	const char *profile;
	bool wanted;                        /* some setting asked the profile */
	const struct settings_fallback *fb; /* the region's last source, or NULL */
};

/* profile_lookup returns a non-empty profile value for key, or NULL; *from
 * is the file it came from. */
static const char *profile_lookup(struct lookup *lk, const char *key, const char **from)
{
	const char *v;

	lk->wanted = true;
	v = profile_get_from(lk->pf, lk->profile, key, from);
	return v != NULL && *v != '\0' ? v : NULL;
}

/* quotable tells whether s can be echoed in a message: short printable
 * ASCII that cannot forge another log line. */
static bool quotable(const char *s)
{
	size_t n;

	for (n = 0; s[n] != '\0'; n++) {
		if (n >= QUOTE_MAX_BYTES || s[n] < 0x20 || s[n] > 0x7e)
			return false;
	}
	return true;
}

/* source_store records "profile 'NAME' in FILE" (or "services ..."), owned
 * by s, and returns it; NULL when out of memory. */
static const char *source_store(struct settings *s, int slot, const char *what, const char *name,
                                const char *file, struct err *e)
{
	struct buf b = BUF_INIT;

	if (buf_printf(&b, e, "%s '%s' in %s", what, name, file) < 0)
		return NULL;
	mem_free_secure(s->source_store[slot]);
	s->source_store[slot] = buf_detach(&b, e);
	return s->source_store[slot];
}

/* settings_bool parses a true/false setting (case-insensitive). */
static int settings_bool(const char *v, const char *what, const char *where, bool *out,
                         struct err *e)
{
	if (strcasecmp(v, "true") == 0 || strcasecmp(v, "false") == 0) {
		*out = strcasecmp(v, "true") == 0;
		return 0;
	}
	if (quotable(v))
		return err_set(e, ERR_CONFIG, "invalid %s '%s'%s: must be true or false", what, v,
		               where);
	return err_set(e, ERR_CONFIG, "invalid %s%s: must be true or false", what, where);
}

/* resolve_bool reads a switch from variable var, else from profile key,
 * else false. */
static int resolve_bool(char *const *envp, struct lookup *lk, const char *var, const char *key,
                        bool *out, struct err *e)
{
	const char *v = env_get_nonempty(envp, var), *file = NULL;
	char where[1024];

	*out = false;
	if (v != NULL)
		return settings_bool(v, var, "", out, e);
	v = profile_lookup(lk, key, &file);
	if (v == NULL)
		return 0;
	snprintf(where, sizeof(where), " in profile '%s' in %s", lk->profile, file);
	return settings_bool(v, key, where, out, e);
}

int settings_profile(const struct settings_flags *f, char *const *envp, struct settings *s,
                     struct err *e)
{
	const char *name = f != NULL ? f->profile : NULL;
	size_t i;

	memset(s, 0, sizeof(*s));
	s->profile_source = "--profile";
	s->profile_explicit = name != NULL;
	if (name == NULL) {
		name = env_get_nonempty(envp, "AWS_PROFILE");
		s->profile_source = "AWS_PROFILE";
	}
	if (name == NULL) {
		name = "default";
		s->profile_source = "default";
	}
	if (*name == '\0')
		return err_set(e, ERR_CONFIG, "invalid profile name from %s: empty",
		               s->profile_source);
	for (i = 0; name[i] != '\0'; i++) {
		if (i >= PROFILE_MAX_BYTES || (unsigned char)name[i] < 0x20 || name[i] == 0x7f)
			return err_set(e, ERR_CONFIG,
			               "invalid profile name from %s: control character or "
			               "longer than %d bytes",
			               s->profile_source, PROFILE_MAX_BYTES);
	}
	s->profile = mem_strdup(name, e);
	return s->profile == NULL ? -1 : 0;
}

int settings_region_check(const char *region, const char *what, const char *where, struct err *e)
{
	size_t n = strspn(region, "abcdefghijklmnopqrstuvwxyz0123456789-");

	if (region[n] == '\0' && n >= 1 && n <= REGION_MAX_BYTES)
		return 0;
	if (quotable(region))
		return err_set(e, ERR_CONFIG,
		               "invalid %s '%s' %s: must be 1 to %d of a-z, 0-9 and '-'", what,
		               region, where, REGION_MAX_BYTES);
	return err_set(e, ERR_CONFIG, "invalid %s %s: must be 1 to %d of a-z, 0-9 and '-'", what,
	               where, REGION_MAX_BYTES);
}

/* region_check is settings_region_check for the region from source. */
static int region_check(const char *region, const char *source, struct err *e)
{
	char where[1024];

	snprintf(where, sizeof(where), "from %s", source);
	return settings_region_check(region, "region", where, e);
}

/* resolve_region_fallback asks the caller's fallback (IMDS) for a region
 * once nothing else gave one. */
static int resolve_region_fallback(const struct settings_fallback *fb, struct settings *s,
                                   struct err *e)
{
	struct buf region = BUF_INIT, why = BUF_INIT;
	const char *name = fb != NULL && fb->name != NULL ? fb->name : "fallback";
	int rc = 0;

	if (fb != NULL && fb->region != NULL)
		rc = fb->region(fb->arg, &region, &why, e);
	if (rc < 0)
		goto done;
	if (rc == 0) {
		if (why.len > 0)
			err_set(e, ERR_CONFIG,
			        "no region: set --region, AWS_REGION or a profile region (%s: %s)",
			        name, buf_cstr(&why));
		else
			err_set(e, ERR_CONFIG,
			        "no region: set --region, AWS_REGION or a profile region");
		rc = -1;
		goto done;
	}
	s->region_source = name;
	rc = region_check(buf_cstr(&region), s->region_source, e);
	if (rc == 0) {
		s->region = mem_strdup(buf_cstr(&region), e);
		rc = s->region == NULL ? -1 : 0;
	}
done:
	buf_release(&region);
	buf_release(&why);
	return rc;
}

/* resolve_region: --region, AWS_REGION, AWS_DEFAULT_REGION, profile, then
 * the fallback. */
static int resolve_region(const struct settings_flags *f, char *const *envp, struct lookup *lk,
                          struct settings *s, struct err *e)
{
	const char *v = f->region, *file = NULL;

	s->region_source = "--region";
	if (v == NULL) {
		v = env_get_nonempty(envp, "AWS_REGION");
		s->region_source = "AWS_REGION";
	}
	if (v == NULL) {
		v = env_get_nonempty(envp, "AWS_DEFAULT_REGION");
		s->region_source = "AWS_DEFAULT_REGION";
	}
	if (v == NULL && (v = profile_lookup(lk, "region", &file)) != NULL) {
		s->region_source = source_store(s, SOURCE_REGION, "profile", lk->profile, file, e);
		if (s->region_source == NULL)
			return -1;
	}
	if (v == NULL) {
		s->region_source = NULL;
		return resolve_region_fallback(lk->fb, s, e);
	}
	if (region_check(v, s->region_source, e) < 0)
		return -1;
	s->region = mem_strdup(v, e);
	return s->region == NULL ? -1 : 0;
}

/* resolve_services looks up ssm's endpoint_url in the [services NAME]
 * section the profile names. A name with no such section is an error. */
static int resolve_services(struct lookup *lk, struct settings *s, const char **url, struct err *e)
{
	const char *name, *file = NULL;

	name = profile_lookup(lk, "services", &file);
	if (name == NULL || lk->pf == NULL)
		return 0;
	if (!profile_services_exists(lk->pf, name))
		return err_set(e, ERR_CONFIG,
		               "unable to find section [services %s] named by profile '%s' in %s",
		               quotable(name) ? name : "?", lk->profile, file);
	*url = profile_services_get(lk->pf, name, "ssm", "endpoint_url");
	if (*url == NULL || **url == '\0') {
		*url = NULL;
		return 0;
	}
	s->endpoint_source =
	        source_store(s, SOURCE_ENDPOINT, "services", name, lk->pf->config_path, e);
	return s->endpoint_source == NULL ? -1 : 0;
}

/* resolve_configured finds a configured (non-flag) endpoint URL: the
 * environment, the profile's services section, the profile. */
static int resolve_configured(char *const *envp, struct lookup *lk, struct settings *s,
                              const char **url, struct err *e)
{
	const char *file = NULL;

	*url = env_get_nonempty(envp, "AWS_ENDPOINT_URL_SSM");
	s->endpoint_source = "AWS_ENDPOINT_URL_SSM";
	if (*url == NULL) {
		*url = env_get_nonempty(envp, "AWS_ENDPOINT_URL");
		s->endpoint_source = "AWS_ENDPOINT_URL";
	}
	if (*url == NULL && resolve_services(lk, s, url, e) < 0)
		return -1;
	if (*url == NULL && (*url = profile_lookup(lk, "endpoint_url", &file)) != NULL) {
		s->endpoint_source =
		        source_store(s, SOURCE_ENDPOINT, "profile", lk->profile, file, e);
		if (s->endpoint_source == NULL)
			return -1;
	}
	return 0;
}

/* endpoint_default builds the regional endpoint (aws-reference 1.1). */
static int endpoint_default(const char *region, bool fips, bool dual, struct endpoint *ep,
                            struct err *e)
{
	bool china = strncmp(region, "cn-", 3) == 0;
	bool gov = strncmp(region, "us-gov-", 7) == 0;
	const char *suffix = china ? "amazonaws.com.cn" : "amazonaws.com";
	const char *prefix = fips && !(gov && !dual) ? "ssm-fips" : "ssm";
	char url[256];

	if (dual)
		suffix = china ? "api.amazonwebservices.com.cn" : "api.aws";
	snprintf(url, sizeof(url), "https://%s.%s.%s", prefix, region, suffix);
	return endpoint_parse(url, ep, e);
}

/* resolve_endpoint: --endpoint-url, then the configured ones unless
 * ignored, else the regional default. */
static int resolve_endpoint(const struct settings_flags *f, char *const *envp, struct lookup *lk,
                            struct settings *s, struct err *e)
{
	const char *url = f->endpoint_url;
	bool fips, dual, ignore = false;

	if (resolve_bool(envp, lk, "AWS_USE_FIPS_ENDPOINT", "use_fips_endpoint", &fips, e) < 0 ||
	    resolve_bool(envp, lk, "AWS_USE_DUALSTACK_ENDPOINT", "use_dualstack_endpoint", &dual,
	                 e) < 0)
		return -1;
	s->endpoint_source = "--endpoint-url";
	if (url == NULL && resolve_bool(envp, lk, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
	                                "ignore_configured_endpoint_urls", &ignore, e) < 0)
		return -1;
	if (url == NULL && !ignore && resolve_configured(envp, lk, s, &url, e) < 0)
		return -1;
	if (url == NULL) {
		s->endpoint_source = "default";
		return endpoint_default(s->region, fips, dual, &s->ssm, e);
	}
	if (fips || dual)
		return err_set(e, ERR_CONFIG,
		               "invalid endpoint URL from %s: %s endpoints and a custom endpoint "
		               "are not supported together",
		               s->endpoint_source, fips ? "FIPS" : "dual-stack");
	return endpoint_parse_from(url, s->endpoint_source, &s->ssm, e);
}

/* resolve_ca_bundle: AWS_CA_BUNDLE, else the profile's ca_bundle, else what
 * the system has (trust.c). */
static int resolve_ca_bundle(char *const *envp, struct lookup *lk, struct settings *s,
                             struct err *e)
{
	const char *v = env_get_nonempty(envp, "AWS_CA_BUNDLE"), *file = NULL;

	s->ca_bundle_source = "AWS_CA_BUNDLE";
	if (v == NULL && (v = profile_lookup(lk, "ca_bundle", &file)) != NULL) {
		s->ca_bundle_source =
		        source_store(s, SOURCE_CA_BUNDLE, "profile", lk->profile, file, e);
		if (s->ca_bundle_source == NULL)
			return -1;
	}
	if (v == NULL) {
		struct trust t;

		if (trust_locate(envp, &t, e) < 0)
			return -1;
		s->ca_bundle_source = t.source;
		s->ca_dir = t.dir;
		s->ca_dir_source = t.dir_source;
		s->ca_missing = t.missing;
		if ((v = t.file) == NULL)
			return 0;
	}
	s->ca_bundle = mem_strdup(v, e);
	return s->ca_bundle == NULL ? -1 : 0;
}

static int resolve_all(const struct settings_flags *f, char *const *envp, struct lookup *lk,
                       struct settings *s, struct err *e)
{
	if (resolve_region(f, envp, lk, s, e) < 0)
		return -1;
	if (resolve_endpoint(f, envp, lk, s, e) < 0)
		return -1;
	return resolve_ca_bundle(envp, lk, s, e);
}

int settings_resolve_fallback(const struct settings_flags *f, const struct settings_fallback *fb,
                              char *const *envp, const struct profile_files *pf, struct settings *s,
                              struct err *e)
{
	static const struct settings_flags none = {NULL, NULL, NULL};
	struct lookup lk = {pf, s->profile != NULL ? s->profile : "default", false, fb};

	return resolve_all(f != NULL ? f : &none, envp, &lk, s, e);
}

int settings_resolve(const struct settings_flags *f, char *const *envp,
                     const struct profile_files *pf, struct settings *s, struct err *e)
{
	return settings_resolve_fallback(f, NULL, envp, pf, s, e);
}

bool settings_need_profile_files(const struct settings_flags *f, char *const *envp)
{
	static const struct settings_flags none = {NULL, NULL, NULL};
	struct settings s;
	struct lookup lk = {NULL, NULL, true, NULL}; /* no fallback: it may reach the network */

	if (settings_profile(f, envp, &s, NULL) == 0) {
		lk.profile = s.profile;
		lk.wanted = false;
		/* the outcome is settings_resolve's to report: only the lookups matter */
		(void)resolve_all(f != NULL ? f : &none, envp, &lk, &s, NULL);
	}
	settings_release(&s);
	return lk.wanted;
}

void settings_release(struct settings *s)
{
	size_t i;

	mem_free_secure(s->profile);
	mem_free_secure(s->region);
	endpoint_release(&s->ssm);
	mem_free_secure(s->ca_bundle);
	for (i = 0; i < sizeof(s->source_store) / sizeof(s->source_store[0]); i++)
		mem_free_secure(s->source_store[i]);
	memset(s, 0, sizeof(*s));
}

/* The pieces of an endpoint URL, borrowed from its text. */
struct url_parts {
	bool https;
	const char *host; /* brackets included for IPv6 */
	size_t nhost;
	unsigned port;
	const char *path;
	size_t npath;
};

static char *str_ndup(const char *p, size_t n, struct err *e)
{
	char *s = malloc(n + 1);

	if (s == NULL) {
		err_nomem(e);
		return NULL;
	}
	memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

static bool is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* url_port parses 1 to 5 digits as a port from 1 to 65535. */
static const char *url_port(const char *p, size_t n, unsigned *port)
{
	char digits[8];
	char *end;
	long v;
	size_t i;

	if (n == 0 || n > 5)
		return "port must be a number from 1 to 65535";
	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return "port must be a number from 1 to 65535";
	}
	memcpy(digits, p, n);
	digits[n] = '\0';
	v = strtol(digits, &end, 10);
	if (*end != '\0' || v < 1 || v > 65535)
		return "port must be a number from 1 to 65535";
	*port = (unsigned)v;
	return NULL;
}

/* url_ipv6 takes "[...]" at the start of the authority; *colon is set to
 * the ':' of a port after it, or NULL. */
static const char *url_ipv6(const char *auth, size_t n, struct url_parts *u, const char **colon)
{
	const char *close = memchr(auth, ']', n);
	size_t i, ninner;

	if (close == NULL)
		return "missing ']' after IPv6 address";
	ninner = (size_t)(close - auth) - 1;
	for (i = 1; i <= ninner; i++) {
		if (!is_hex(auth[i]) && auth[i] != ':' && auth[i] != '.')
			return "invalid IPv6 address";
	}
	if (ninner < 2 || memchr(auth + 1, ':', ninner) == NULL)
		return "invalid IPv6 address";
	u->host = auth;
	u->nhost = ninner + 2;
	*colon = NULL;
	if (u->nhost == n)
		return NULL;
	if (auth[u->nhost] != ':')
		return "unexpected text after IPv6 address";
	*colon = auth + u->nhost;
	return NULL;
}

/* url_host takes the authority (host and optional port, n bytes). */
static const char *url_host(const char *auth, size_t n, struct url_parts *u)
{
	const char *colon, *why;
	size_t i;

	u->port = u->https ? 443 : 80;
	if (n > 0 && auth[0] == '[') {
		why = url_ipv6(auth, n, u, &colon);
		if (why != NULL)
			return why;
	} else {
		colon = memchr(auth, ':', n);
		u->host = auth;
		u->nhost = colon != NULL ? (size_t)(colon - auth) : n;
		for (i = 0; i < u->nhost; i++) {
			if (!is_alnum(auth[i]) && auth[i] != '-' && auth[i] != '.' &&
			    auth[i] != '_')
				return "invalid character in host";
		}
	}
	if (u->nhost == 0)
		return "missing host";
	if (colon == NULL)
		return NULL;
	return url_port(colon + 1, n - (size_t)(colon + 1 - auth), &u->port);
}

/* url_path takes what follows the authority: a path, nothing else. */
static const char *url_path(const char *p, struct url_parts *u)
{
	size_t n = strcspn(p, "?#");

	if (p[n] == '?')
		return "query is not allowed";
	if (p[n] == '#')
		return "fragment is not allowed";
	while (n > 1 && p[n - 1] == '/')
		n--;
	u->path = n > 0 ? p : "/";
	u->npath = n > 0 ? n : 1;
	return NULL;
}

/* aws_host tells whether host (n bytes, any case, trailing dots ignored)
 * is one of AWS's own domains or below one: a signed request, its session
 * token and the values it fetches must reach those over TLS only, while
 * emulators (LocalStack, moto) keep plain http. */
static bool aws_host(const char *host, size_t n)
{
	static const char *const domains[] = {"amazonaws.com", "amazonaws.com.cn", "api.aws",
	                                      "api.amazonwebservices.com.cn"};

	while (n > 0 && host[n - 1] == '.')
		n--;
	for (size_t i = 0; i < sizeof(domains) / sizeof(domains[0]); i++) {
		size_t m = strlen(domains[i]);

		if (n >= m && strncasecmp(host + n - m, domains[i], m) == 0 &&
		    (n == m || host[n - m - 1] == '.'))
			return true;
	}
	return false;
}

/* url_split checks url and finds its parts; returns NULL or the reason it
 * is refused. */
static const char *url_split(const char *url, struct url_parts *u)
{
	const char *sep, *auth, *why;
	size_t i, n;

	for (i = 0; url[i] != '\0'; i++) {
		if (i >= URL_MAX_BYTES)
			return "longer than 2048 bytes";
		if (url[i] <= ' ' || url[i] > '~')
			return "whitespace, control or non-ASCII byte";
	}
	sep = strstr(url, "://");
	if (sep == NULL)
		return "missing scheme (http:// or https://)";
	if (sep - url == 5 && strncasecmp(url, "https", 5) == 0)
		u->https = true;
	else if (sep - url == 4 && strncasecmp(url, "http", 4) == 0)
		u->https = false;
	else
		return "scheme must be http or https";
	auth = sep + 3;
	n = strcspn(auth, "/?#");
	if (memchr(auth, '@', n) != NULL)
		return "user information is not allowed";
	why = url_host(auth, n, u);
	if (why != NULL)
		return why;
	if (!u->https && aws_host(u->host, u->nhost))
		return "plain http to an AWS host would send the request and its credentials in "
		       "cleartext: use https";
	return url_path(auth + n, u);
}

/* endpoint_build fills ep from checked parts; ep is released on failure. */
static int endpoint_build(const struct url_parts *u, struct endpoint *ep, struct err *e)
{
	struct buf b = BUF_INIT;
	size_t i;

	ep->port = u->port;
	ep->scheme = mem_strdup(u->https ? "https" : "http", e);
	ep->host = str_ndup(u->host, u->nhost, e);
	ep->path = str_ndup(u->path, u->npath, e);
	if (ep->scheme == NULL || ep->host == NULL || ep->path == NULL)
		goto fail;
	for (i = 0; ep->host[i] != '\0'; i++) {
		if (ep->host[i] >= 'A' && ep->host[i] <= 'Z')
			ep->host[i] = (char)(ep->host[i] - 'A' + 'a');
	}
	if (buf_puts(&b, ep->host, e) < 0 ||
	    (ep->port != (u->https ? 443u : 80u) && buf_printf(&b, e, ":%u", ep->port) < 0))
		goto fail;
	ep->host_header = buf_detach(&b, e);
	if (ep->host_header == NULL || buf_printf(&b, e, "%s://%s%s", ep->scheme, ep->host_header,
	                                          strcmp(ep->path, "/") == 0 ? "" : ep->path) < 0)
		goto fail;
	ep->url = buf_detach(&b, e);
	if (ep->url == NULL)
		goto fail;
	return 0;
fail:
	buf_release(&b);
	endpoint_release(ep);
	return -1;
}

/* endpoint_parse_from is endpoint_parse naming the URL's source (or NULL)
 * in the message. The URL is echoed only when it cannot carry a secret
 * (no user-info, query or fragment) nor forge a log line. */
static int endpoint_parse_from(const char *url, const char *source, struct endpoint *ep,
                               struct err *e)
{
	struct url_parts u;
	const char *why, *from = source != NULL ? " from " : "";

	memset(ep, 0, sizeof(*ep));
	why = url_split(url, &u);
	if (why == NULL)
		return endpoint_build(&u, ep, e);
	if (source == NULL)
		source = "";
	if (quotable(url) && strpbrk(url, "@?#") == NULL)
		return err_set(e, ERR_CONFIG, "invalid endpoint URL '%s'%s%s: %s", url, from,
		               source, why);
	return err_set(e, ERR_CONFIG, "invalid endpoint URL%s%s: %s", from, source, why);
}

int endpoint_parse(const char *url, struct endpoint *ep, struct err *e)
{
	return endpoint_parse_from(url, NULL, ep, e);
}

void endpoint_release(struct endpoint *ep)
{
	mem_free_secure(ep->url);
	mem_free_secure(ep->scheme);
	mem_free_secure(ep->host);
	mem_free_secure(ep->host_header);
	mem_free_secure(ep->path);
	memset(ep, 0, sizeof(*ep));
}

/* ---- endpoints of the credential services (STS, SSO portal) ------------ */

struct service_def {
	const char *env_var; /* AWS_ENDPOINT_URL_STS */
	const char *key;     /* its entry in a [services] section: "sts" */
};

/* service_source records where the URL came from: "WHAT 'NAME' in FILE",
 * or WHAT alone when name is NULL. */
static void service_source(struct settings_service *out, const char *what, const char *name,
                           const char *file)
{
	if (name == NULL)
		snprintf(out->source, sizeof(out->source), "%s", what);
	else
		snprintf(out->source, sizeof(out->source), "%s '%s' in %s", what, name, file);
}

/* service_configured finds a configured URL for the service: its own
 * variable, AWS_ENDPOINT_URL, the profile's services section, the
 * profile's endpoint_url; nothing when AWS_IGNORE_CONFIGURED_ENDPOINT_URLS
 * (or the profile's ignore_configured_endpoint_urls) is true. */
static int service_configured(char *const *envp, struct lookup *lk, const struct service_def *d,
                              struct settings_service *out, const char **url, struct err *e)
{
	const char *file = NULL, *name;
	bool ignore = false;

	*url = NULL;
	if (resolve_bool(envp, lk, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
	                 "ignore_configured_endpoint_urls", &ignore, e) < 0)
		return -1;
	if (ignore)
		return 0;
	if ((*url = env_get_nonempty(envp, d->env_var)) != NULL) {
		service_source(out, d->env_var, NULL, NULL);
		return 0;
	}
	if ((*url = env_get_nonempty(envp, "AWS_ENDPOINT_URL")) != NULL) {
		service_source(out, "AWS_ENDPOINT_URL", NULL, NULL);
		return 0;
	}
	name = profile_lookup(lk, "services", &file);
	if (name != NULL && lk->pf != NULL) {
		if (!profile_services_exists(lk->pf, name))
			return err_set(
			        e, ERR_CONFIG,
			        "unable to find section [services %s] named by profile '%s' in %s",
			        quotable(name) ? name : "?", lk->profile, file);
		*url = profile_services_get(lk->pf, name, d->key, "endpoint_url");
		if (*url != NULL && **url != '\0') {
			service_source(out, "services", name, lk->pf->config_path);
			return 0;
		}
		*url = NULL;
	}
	if ((*url = profile_lookup(lk, "endpoint_url", &file)) != NULL)
		service_source(out, "profile", lk->profile, file);
	return 0;
}

/* service_custom parses a configured URL; FIPS and dual-stack cannot go
 * with one, as for SSM. */
static int service_custom(const char *url, bool fips, bool dual, const char *region,
                          struct settings_service *out, struct err *e)
{
	snprintf(out->signing_region, sizeof(out->signing_region), "%s",
	         region != NULL ? region : "us-east-1");
	if (fips || dual)
		return err_set(e, ERR_CONFIG,
		               "invalid endpoint URL from %s: %s endpoints and a custom endpoint "
		               "are not supported together",
		               out->source, fips ? "FIPS" : "dual-stack");
	return endpoint_parse_from(url, out->source, &out->ep, e);
}

static bool sts_legacy_region(const char *region)
{
	static const char *const classic[] = {
	        "ap-northeast-1", "ap-south-1", "ap-southeast-1", "ap-southeast-2", "ca-central-1",
	        "eu-central-1",   "eu-north-1", "eu-west-1",      "eu-west-2",      "eu-west-3",
	        "sa-east-1",      "us-east-1",  "us-east-2",      "us-west-1",      "us-west-2",
	};

	for (size_t i = 0; i < sizeof(classic) / sizeof(classic[0]); i++) {
		if (strcmp(region, classic[i]) == 0)
			return true;
	}
	return false;
}

/* sts_legacy reads AWS_STS_REGIONAL_ENDPOINTS, else the profile's
 * sts_regional_endpoints: legacy or regional (the default). */
static int sts_legacy(char *const *envp, struct lookup *lk, bool *legacy, struct err *e)
{
	const char *v = env_get_nonempty(envp, "AWS_STS_REGIONAL_ENDPOINTS"), *file = NULL;
	const char *what = "AWS_STS_REGIONAL_ENDPOINTS";

	if (v == NULL && (v = profile_lookup(lk, "sts_regional_endpoints", &file)) != NULL)
		what = "sts_regional_endpoints";
	*legacy = v != NULL && strcasecmp(v, "legacy") == 0;
	if (v == NULL || *legacy || strcasecmp(v, "regional") == 0)
		return 0;
	return err_set(e, ERR_CONFIG, "invalid %s '%s': must be legacy or regional", what,
	               quotable(v) ? v : "?");
}

/* sts_default builds STS's own endpoint (aws-reference 4.3). */
static int sts_default(char *const *envp, struct lookup *lk, const char *region, bool fips,
                       bool dual, struct settings_service *out, struct err *e)
{
	bool legacy, china, gov;
	char url[256];

	if (sts_legacy(envp, lk, &legacy, e) < 0)
		return -1;
	snprintf(out->signing_region, sizeof(out->signing_region), "%s",
	         region != NULL ? region : "us-east-1");
	if (region == NULL || (legacy && !fips && !dual && sts_legacy_region(region))) {
		service_source(
		        out,
		        region == NULL
		                ? "default (no region: the global endpoint)"
		                : "default (sts_regional_endpoints legacy: the global endpoint)",
		        NULL, NULL);
		snprintf(out->signing_region, sizeof(out->signing_region), "us-east-1");
		return endpoint_parse("https://sts.amazonaws.com", &out->ep, e);
	}
	china = strncmp(region, "cn-", 3) == 0;
	gov = strncmp(region, "us-gov-", 7) == 0;
	snprintf(url, sizeof(url), "https://%s.%s.%s", fips && !(gov && !dual) ? "sts-fips" : "sts",
	         region,
	         dual ? (china ? "api.amazonwebservices.com.cn" : "api.aws")
	              : (china ? "amazonaws.com.cn" : "amazonaws.com"));
	service_source(out, "default", NULL, NULL);
	return endpoint_parse(url, &out->ep, e);
}

int settings_sts_endpoint(char *const *envp, const struct profile_files *pf, const char *profile,
                          const char *region, struct settings_service *out, struct err *e)
{
	static const struct service_def sts = {"AWS_ENDPOINT_URL_STS", "sts"};
	struct lookup lk = {pf, profile != NULL ? profile : "default", false, NULL};
	bool fips, dual;
	const char *url;
	int rc;

	memset(out, 0, sizeof(*out));
	if (resolve_bool(envp, &lk, "AWS_USE_FIPS_ENDPOINT", "use_fips_endpoint", &fips, e) < 0 ||
	    resolve_bool(envp, &lk, "AWS_USE_DUALSTACK_ENDPOINT", "use_dualstack_endpoint", &dual,
	                 e) < 0 ||
	    service_configured(envp, &lk, &sts, out, &url, e) < 0)
		return -1;
	if (url != NULL)
		rc = service_custom(url, fips, dual, region, out, e);
	else
		rc = sts_default(envp, &lk, region, fips, dual, out, e);
	if (rc < 0)
		settings_service_release(out);
	return rc;
}

int settings_sso_endpoint(char *const *envp, const struct profile_files *pf, const char *profile,
                          const char *sso_region, struct settings_service *out, struct err *e)
{
	static const struct service_def sso = {"AWS_ENDPOINT_URL_SSO", "sso"};
	struct lookup lk = {pf, profile != NULL ? profile : "default", false, NULL};
	const char *url;
	char def[256];
	int rc;

	memset(out, 0, sizeof(*out));
	if (service_configured(envp, &lk, &sso, out, &url, e) < 0)
		return -1;
	if (url != NULL) {
		rc = service_custom(url, false, false, sso_region, out, e);
	} else {
		snprintf(def, sizeof(def), "https://portal.sso.%s.%s", sso_region,
		         strncmp(sso_region, "cn-", 3) == 0 ? "amazonaws.com.cn" : "amazonaws.com");
		snprintf(out->signing_region, sizeof(out->signing_region), "%s", sso_region);
		service_source(out, "default", NULL, NULL);
		rc = endpoint_parse(def, &out->ep, e);
	}
	if (rc < 0)
		settings_service_release(out);
	return rc;
}

void settings_service_release(struct settings_service *s)
{
	endpoint_release(&s->ep);
	memset(s, 0, sizeof(*s));
}
