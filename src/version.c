/*
 * version.c - the versions envssm carries, read from the libraries themselves.
 */
#include "version.h"

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <openssl/crypto.h>

/* Set by the static build: the Debian source packages it was built from. */
#ifndef ENVSSM_BUILT_FROM
#define ENVSSM_BUILT_FROM NULL
#endif

int version_text(struct buf *out, struct err *e)
{
	const curl_version_info_data *c = curl_version_info(CURLVERSION_NOW);
	const char *built_from = ENVSSM_BUILT_FROM;
	int f = c->features;

	if (buf_printf(out, e, "envssm %s\n", ENVSSM_VERSION) < 0 ||
	    buf_printf(out, e, "libcurl %s (%s%s%s%s)\n", c->version,
	               c->ssl_version ? c->ssl_version : "no TLS",
	               (f & CURL_VERSION_IPV6) ? ", IPv6" : "",
	               (f & CURL_VERSION_ASYNCHDNS) ? ", asynchronous DNS" : "",
	               (f & CURL_VERSION_HTTPS_PROXY) ? ", HTTPS proxy" : "") < 0 ||
	    buf_printf(out, e, "%s\n", OpenSSL_version(OPENSSL_VERSION)) < 0 ||
	    buf_printf(out, e, "cJSON %s\n", cJSON_Version()) < 0)
		return -1;
	if (built_from != NULL && buf_printf(out, e, "static build from %s\n", built_from) < 0)
		return -1;
	return 0;
}
