/*
 * settings.h - which profile, region and endpoint, and where each came from.
 *
 * Pure: the inherited environment, the flags and the parsed profile files
 * come in as arguments. The order is the SDKs' (see README):
 *   profile:  --profile, AWS_PROFILE, "default"
 *   region:   --region, AWS_REGION, AWS_DEFAULT_REGION, profile "region",
 *             then the caller's fallback (IMDS) when one is given
 *   endpoint: --endpoint-url, AWS_ENDPOINT_URL_SSM, AWS_ENDPOINT_URL,
 *             profile [services] section, profile "endpoint_url",
 *             else https://ssm.REGION.amazonaws.com (".com.cn" in China)
 */
#ifndef ENVSSM_SETTINGS_H
#define ENVSSM_SETTINGS_H

#include <stdbool.h>

#include "buf.h"
#include "err.h"
#include "profile.h"

struct settings_flags {
	const char *profile;      /* --profile, or NULL */
	const char *region;       /* --region, or NULL */
	const char *endpoint_url; /* --endpoint-url, or NULL */
};

/* A parsed endpoint URL, ready for signing and for libcurl. */
struct endpoint {
	char *url;         /* as given, without a trailing '/' on the path */
	char *scheme;      /* "https" or "http" */
	char *host;        /* lower case; IPv6 literals keep their brackets */
	char *host_header; /* host, plus ":port" only when not the default */
	char *path;        /* "/" or the URL's path */
	unsigned port;     /* explicit or the scheme's default */
};

struct settings {
	char *profile;
	const char *profile_source; /* "--profile", "AWS_PROFILE", "default" */
	bool profile_explicit;      /* set by --profile */
	char *region;
	const char *region_source;
	struct endpoint ssm;
	const char *endpoint_source;
	char *ca_bundle;    /* AWS_CA_BUNDLE, profile ca_bundle, SSL_CERT_FILE, a system bundle */
	const char *ca_dir; /* SSL_CERT_DIR or a system hashed directory, or NULL */
	const char *ca_dir_source; /* "SSL_CERT_DIR" or "system" */
	const char *ca_missing;    /* no certificates anywhere: where envssm looked */

	const char *ca_bundle_source; /* "AWS_CA_BUNDLE", a profile, "SSL_CERT_FILE"... */
	char *source_store[3];        /* private: owns *_source strings naming a file */
};

/* settings_profile picks the profile name (needed before the files are
 * read, to know which profile to read). Fills s->profile, profile_source
 * and profile_explicit. */
int settings_profile(const struct settings_flags *f, char *const *envp, struct settings *s,
                     struct err *e);

/* settings_resolve fills region, endpoint and ca_bundle after
 * settings_profile. pf may be NULL when no file needs reading. No region
 * anywhere is ERR_CONFIG "no region ...". A bad endpoint URL is ERR_CONFIG
 * naming where it came from. */
int settings_resolve(const struct settings_flags *f, char *const *envp,
                     const struct profile_files *pf, struct settings *s, struct err *e);

/* A last source of the region (IMDS), asked only when nothing else gave
 * one: returns 1 with the region in *region, 0 with the reason in *why,
 * or -1 with e. */
struct settings_fallback {
	int (*region)(void *arg, struct buf *region, struct buf *why, struct err *e);
	void *arg;
	const char *name; /* the region's source, e.g. "IMDS" */
};

/* settings_resolve_fallback is settings_resolve asking fb (which may be
 * NULL) for a region last. */
int settings_resolve_fallback(const struct settings_flags *f, const struct settings_fallback *fb,
                              char *const *envp, const struct profile_files *pf, struct settings *s,
                              struct err *e);

/* settings_need_profile_files tells whether settings_resolve would look
 * anything up in the profile files, so that the caller can skip reading
 * them when the flags and the environment decide every setting. True when
 * unsure (out of memory). */
bool settings_need_profile_files(const struct settings_flags *f, char *const *envp);

/* endpoint_parse parses an http(s) URL (no user-info, no query, no
 * fragment) into ep. */
int endpoint_parse(const char *url, struct endpoint *ep, struct err *e);

void endpoint_release(struct endpoint *ep);

/* settings_release frees everything s holds. */
void settings_release(struct settings *s);

/* An endpoint envssm calls while finding credentials (STS, the SSO
 * portal), the region to sign for, and where the URL came from. */
struct settings_service {
	struct endpoint ep;
	char signing_region[64];
	char source[512]; /* "AWS_ENDPOINT_URL_STS", "profile 'p' in FILE", "default" */
};

/* settings_sts_endpoint resolves STS's endpoint for profile and region
 * (region NULL: the global endpoint, signed for us-east-1):
 * AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL, the profile's [services] "sts"
 * entry, the profile's endpoint_url (all off with
 * AWS_IGNORE_CONFIGURED_ENDPOINT_URLS), else https://sts.REGION.amazonaws.com
 * (".com.cn" in China; FIPS and dual-stack honoured), or with
 * AWS_STS_REGIONAL_ENDPOINTS / sts_regional_endpoints = legacy
 * https://sts.amazonaws.com for the classic regions. pf may be NULL.
 * Release out with settings_service_release. */
int settings_sts_endpoint(char *const *envp, const struct profile_files *pf, const char *profile,
                          const char *region, struct settings_service *out, struct err *e);

/* settings_sso_endpoint is the same for the SSO portal
 * (AWS_ENDPOINT_URL_SSO, ..., else https://portal.sso.REGION.amazonaws.com)
 * for sso_region. */
int settings_sso_endpoint(char *const *envp, const struct profile_files *pf, const char *profile,
                          const char *sso_region, struct settings_service *out, struct err *e);

void settings_service_release(struct settings_service *s);

#endif
