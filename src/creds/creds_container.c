/*
 * creds_container.c - the container provider (botocore ContainerProvider
 * and ContainerMetadataFetcher): GET the endpoint with the authorization
 * token, 2 s per attempt, 3 attempts a second apart, never through a
 * proxy.
 */
#include "creds_container.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "creds_json.h"
#include "creds_kit.h"
#include "creds_providers.h"
#include "envp.h"

#define CONTAINER_ATTEMPTS   3
#define CONTAINER_TIMEOUT_MS 2000L
#define CONTAINER_SLEEP_MS   1000L
#define CONTAINER_URL_MAX    2048

/* url_ok accepts printable ASCII without blanks. */
static bool url_ok(const char *s)
{
	size_t n = 0;

	for (; s[n] != '\0'; n++) {
		if (n >= CONTAINER_URL_MAX || s[n] <= ' ' || s[n] > '~')
			return false;
	}
	return n > 0;
}

/* host_allowed_http tells whether plain http may reach host (brackets
 * already removed from an IPv6 literal). */
static bool host_allowed_http(const char *host)
{
	unsigned char a4[4], a6[16], eks6[16];

	if (strcasecmp(host, "localhost") == 0)
		return true;
	if (inet_pton(AF_INET, host, a4) == 1)
		return a4[0] == 127 || !strcmp(host, "169.254.170.2") ||
		       !strcmp(host, "169.254.170.23");
	if (inet_pton(AF_INET6, host, a6) != 1 || inet_pton(AF_INET6, "fd00:ec2::23", eks6) != 1)
		return false;
	return IN6_IS_ADDR_LOOPBACK((struct in6_addr *)a6) || memcmp(a6, eks6, 16) == 0;
}

/* split_host copies the host of url into host (without IPv6 brackets) and
 * tells whether the scheme is https. */
static const char *split_host(const char *url, char *host, size_t size, bool *https)
{
	const char *auth, *end, *h, *hend;
	size_t n;

	if (strncasecmp(url, "https://", 8) == 0)
		*https = true;
	else if (strncasecmp(url, "http://", 7) == 0)
		*https = false;
	else
		return "the scheme must be http or https";
	auth = url + (*https ? 8 : 7);
	end = auth + strcspn(auth, "/?#");
	if (memchr(auth, '@', (size_t)(end - auth)) != NULL)
		return "user information is not allowed";
	h = auth;
	if (*h == '[') {
		hend = memchr(h, ']', (size_t)(end - h));
		if (hend == NULL)
			return "missing ']' after the IPv6 address";
		h++;
		if (hend + 1 < end && hend[1] != ':')
			return "unexpected text after the IPv6 address";
	} else {
		hend = memchr(h, ':', (size_t)(end - h));
		if (hend == NULL)
			hend = end;
	}
	n = (size_t)(hend - h);
	if (n == 0 || n >= size)
		return "missing or overlong host";
	memcpy(host, h, n);
	host[n] = '\0';
	return NULL;
}

int creds_container_host_allowed(const char *url, struct err *e)
{
	char host[256];
	const char *why;
	bool https;

	if (!url_ok(url))
		return err_set(
		        e, ERR_CONFIG,
		        "invalid AWS_CONTAINER_CREDENTIALS_FULL_URI: empty, too long, or holding a blank or control character");
	why = split_host(url, host, sizeof(host), &https);
	if (why != NULL)
		return err_set(e, ERR_CONFIG, "invalid AWS_CONTAINER_CREDENTIALS_FULL_URI: %s",
		               why);
	if (https || host_allowed_http(host))
		return 0;
	return err_set(
	        e, ERR_CONFIG,
	        "unsupported host '%s' in AWS_CONTAINER_CREDENTIALS_FULL_URI: plain http may only reach a loopback address, localhost, 169.254.170.2, 169.254.170.23 or [fd00:ec2::23]; use https",
	        creds_q(host));
}

int creds_container_url(char *const *envp, struct buf *url, const char **source, struct err *e)
{
	const char *rel = env_get_nonempty(envp, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
	const char *full = env_get_nonempty(envp, "AWS_CONTAINER_CREDENTIALS_FULL_URI");

	buf_truncate(url, 0);
	if (rel != NULL) {
		*source = "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI";
		if (rel[0] != '/' || !url_ok(rel))
			return err_set(
			        e, ERR_CONFIG,
			        "invalid AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: it must start with '/' and hold no blank or control character");
		return buf_printf(url, e, "%s%s", CREDS_ECS_HOST, rel) < 0 ? -1 : 1;
	}
	if (full == NULL)
		return 0;
	*source = "AWS_CONTAINER_CREDENTIALS_FULL_URI";
	if (creds_container_host_allowed(full, e) < 0)
		return -1;
	return buf_puts(url, full, e) < 0 ? -1 : 1;
}

/* auth_token reads the authorization token: the file (read again on every
 * attempt: EKS rotates it) wins over the variable. 0 when neither is set. */
static int auth_token(struct creds_ctx *ctx, struct buf *token, struct err *e)
{
	const char *file = env_get_nonempty(ctx->envp, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
	const char *value = env_get_nonempty(ctx->envp, "AWS_CONTAINER_AUTHORIZATION_TOKEN");
	const char *what = file != NULL ? "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"
	                                : "AWS_CONTAINER_AUTHORIZATION_TOKEN";
	int rc;

	buf_truncate(token, 0);
	if (file != NULL) {
		rc = creds_read_file(ctx, file, CREDS_MAX_TOKEN_BYTES, token, e);
		if (rc < 0)
			return err_prefix(e,
			                  "unable to read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
		if (rc == 0)
			return err_set(
			        e, ERR_CONFIG,
			        "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE names '%s', which does not exist",
			        creds_q(file));
	} else if (value == NULL) {
		return 0;
	} else if (buf_puts(token, value, e) < 0) {
		return -1;
	}
	/* a header value: CR or LF would start another header (botocore's rule) */
	if (memchr(token->data, '\r', token->len) != NULL ||
	    memchr(token->data, '\n', token->len) != NULL || strlen(buf_cstr(token)) != token->len)
		return err_set(e, ERR_CONFIG,
		               "invalid %s: the token holds a CR, LF or NUL character", what);
	return 1;
}

/* shown is url without its query, for messages. */
static void shown(const char *url, char *out, size_t size)
{
	snprintf(out, size, "%.*s", (int)strcspn(url, "?#"), url);
	if (!creds_quotable(out))
		snprintf(out, size, "?");
}

/* fetch_once makes one attempt; 0 with out filled, -1 with e. */
static int fetch_once(struct creds_ctx *ctx, struct http_client *http, const char *url,
                      struct creds *out, struct err *e)
{
	struct buf token = BUF_INIT;
	struct http_response resp;
	struct http_header h[2] = {{"Accept", "application/json"}, {"Authorization", NULL}};
	struct http_request req = {"GET",
	                           url,
	                           h,
	                           1,
	                           NULL,
	                           0,
	                           CREDS_JSON_MAX_BYTES,
	                           creds_time_left_ms(ctx, CONTAINER_TIMEOUT_MS)};
	int rc = -1, have;

	http_response_init(&resp);
	have = auth_token(ctx, &token, e);
	if (have < 0)
		goto done;
	if (have > 0) {
		h[1].value = buf_cstr(&token);
		req.nheaders = 2;
	}
	if (http_perform(http, &req, &resp, e) < 0)
		goto done;
	if (resp.status != 200) {
		err_set(e, ERR_CREDS, "HTTP %ld", resp.status);
		goto done;
	}
	rc = creds_json_container(buf_cstr(&resp.body), resp.body.len, out, e);
done:
	http_response_release(&resp);
	buf_release(&token);
	return rc;
}

int creds_provider_container(struct creds_ctx *ctx, struct creds *out, struct buf *why,
                             struct err *e)
{
	struct buf url = BUF_INIT;
	struct http_client *http;
	const char *source = NULL;
	char where[160];
	int rc = creds_container_url(ctx->envp, &url, &source, e);

	if (rc == 0)
		rc = creds_why(why, e,
		               "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and _FULL_URI are not set");
	if (rc <= 0)
		goto done;
	shown(buf_cstr(&url), where, sizeof(where));
	rc = -1;
	if (creds_http(ctx, true, &http, e) < 0)
		goto done;
	for (int attempt = 1; attempt <= CONTAINER_ATTEMPTS; attempt++) {
		if (fetch_once(ctx, http, buf_cstr(&url), out, e) == 0) {
			rc = 1;
			break;
		}
		if (e != NULL &&
		    (e->kind == ERR_NOMEM || e->kind == ERR_CONFIG || e->kind == ERR_LIMIT))
			break; /* no attempt can fix these */
		if (attempt == CONTAINER_ATTEMPTS) {
			err_prefix(
			        e,
			        "unable to get credentials from the container endpoint %s (from %s) after %d attempts",
			        where, source, CONTAINER_ATTEMPTS);
			break;
		}
		creds_sleep_ms(ctx, CONTAINER_SLEEP_MS);
	}
	if (rc > 0)
		snprintf(out->provider, sizeof(out->provider), "container endpoint %s (from %s)",
		         where, source);
done:
	buf_release(&url);
	return rc;
}
