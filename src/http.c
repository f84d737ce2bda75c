/*
 * http.c - the network interface and its libcurl implementation.
 */
#include "http.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <pthread.h>

#include <curl/curl.h>

#include "file.h"

struct http_share {
	CURLSH *sh;
	pthread_mutex_t locks[CURL_LOCK_DATA_LAST];
};

struct curl_impl {
	CURL *h;
	struct http_options opts;
	long connections;
};

struct sink {
	struct http_response *resp;
	size_t max;
	bool too_large;
};

void http_response_init(struct http_response *r)
{
	memset(r, 0, sizeof(*r));
	buf_init(&r->body);
}

void http_response_release(struct http_response *r)
{
	buf_release(&r->body);
	http_response_init(r);
}

int http_perform(struct http_client *c, const struct http_request *req, struct http_response *resp,
                 struct err *e)
{
	http_response_release(resp);
	return c->vt->perform(c->impl, req, resp, e);
}

void http_client_free(struct http_client *c)
{
	if (c->vt != NULL)
		c->vt->free(c->impl);
	c->vt = NULL;
	c->impl = NULL;
}

const char *http_failure_name(enum http_failure f)
{
	switch (f) {
	case HTTP_OK:
		return "ok";
	case HTTP_FAIL_CONNECT:
		return "unable to connect";
	case HTTP_FAIL_TIMEOUT:
		return "timed out";
	case HTTP_FAIL_RESET:
		return "connection reset or closed early";
	case HTTP_FAIL_TLS:
		return "TLS failure";
	case HTTP_FAIL_TOO_LARGE:
		return "response too large";
	case HTTP_FAIL_OTHER:
		return "transfer failed";
	}
	return "transfer failed";
}

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
	struct sink *s = arg;
	size_t len = size * n;

	if (s->resp->body.len + len > s->max) {
		s->too_large = true;
		return 0;
	}
	if (buf_append(&s->resp->body, data, len, NULL) < 0)
		return 0;
	return len;
}

/* copy_header stores a trimmed header value into dst if name matches. */
static void copy_header(const char *line, size_t len, const char *name, char *dst, size_t size)
{
	size_t n = strlen(name);
	size_t vlen;

	if (len <= n || strncasecmp(line, name, n) != 0 || line[n] != ':')
		return;
	line += n + 1;
	len -= n + 1;
	while (len > 0 && (*line == ' ' || *line == '\t'))
		line++, len--;
	while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == '\n' || line[len - 1] == ' '))
		len--;
	vlen = len < size - 1 ? len : size - 1;
	memcpy(dst, line, vlen);
	dst[vlen] = '\0';
}

static size_t on_header(char *data, size_t size, size_t n, void *arg)
{
	struct http_response *r = arg;
	size_t len = size * n;

	copy_header(data, len, "x-amzn-RequestId", r->request_id, sizeof(r->request_id));
	copy_header(data, len, "x-amz-request-id", r->request_id, sizeof(r->request_id));
	copy_header(data, len, "x-amzn-ErrorType", r->error_type, sizeof(r->error_type));
	copy_header(data, len, "Date", r->date, sizeof(r->date));
	copy_header(data, len, "Content-Type", r->content_type, sizeof(r->content_type));
	return len;
}

static enum http_failure classify(CURLcode rc, bool too_large)
{
	if (too_large)
		return HTTP_FAIL_TOO_LARGE;
	switch (rc) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		return HTTP_FAIL_CONNECT;
	case CURLE_OPERATION_TIMEDOUT:
		return HTTP_FAIL_TIMEOUT;
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_WEIRD_SERVER_REPLY:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return HTTP_FAIL_RESET;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
		return HTTP_FAIL_TLS;
	default:
		return HTTP_FAIL_OTHER;
	}
}

/* failure_detail names the host a lookup or connection failed for: libcurl's
 * own message says "Could not resolve host: NAME" where its code's text says
 * only "Couldn't resolve host name". Other failures keep the code's text. */
static const char *failure_detail(CURLcode rc, const char *detail)
{
	switch (rc) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		if (detail[0] != '\0')
			return detail;
		break;
	default:
		break;
	}
	return curl_easy_strerror(rc);
}

static struct curl_slist *build_headers(const struct http_request *req, struct err *e)
{
	struct curl_slist *list = NULL, *next;
	struct buf line = BUF_INIT;

	/* libcurl adds these unless told not to; they are not signed */
	static const char *const drop[] = {"Expect:", "Accept:"};

	for (size_t i = 0; i < sizeof(drop) / sizeof(drop[0]); i++) {
		if ((next = curl_slist_append(list, drop[i])) == NULL)
			goto fail;
		list = next;
	}
	for (size_t i = 0; i < req->nheaders; i++) {
		buf_truncate(&line, 0);
		if (buf_printf(&line, e, "%s: %s", req->headers[i].name, req->headers[i].value) < 0)
			goto fail;
		if ((next = curl_slist_append(list, line.data)) == NULL)
			goto fail;
		list = next;
	}
	buf_release(&line);
	return list;
fail:
	buf_release(&line);
	curl_slist_free_all(list);
	err_nomem(e);
	return NULL;
}

static void setup_handle(struct curl_impl *ci, const struct http_request *req,
                         struct curl_slist *headers, struct sink *sink)
{
	CURL *h = ci->h;
	long timeout = req->timeout_ms ? req->timeout_ms : ci->opts.timeout_ms;

	curl_easy_setopt(h, CURLOPT_URL, req->url);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, sink);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, sink->resp);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout);
	if (strcmp(req->method, "POST") == 0) {
		curl_easy_setopt(h, CURLOPT_POST, 1L);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, req->body ? req->body : "");
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
	} else if (strcmp(req->method, "GET") == 0) {
		curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
	} else {
		curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req->method);
	}
}

static int curl_perform(void *impl, const struct http_request *req, struct http_response *resp,
                        struct err *e)
{
	struct curl_impl *ci = impl;
	struct sink sink = {resp, req->max_body_bytes ? req->max_body_bytes : 1 << 20, false};
	struct curl_slist *headers = build_headers(req, e);
	long opened = 0;
	char detail[CURL_ERROR_SIZE] = "";
	CURLcode rc;

	if (headers == NULL)
		return -1;
	if (ci->opts.ca_missing != NULL && strncasecmp(req->url, "https://", 8) == 0) {
		curl_slist_free_all(headers);
		resp->failure = HTTP_FAIL_TLS;
		return err_set(e, ERR_CONFIG, "%s", ci->opts.ca_missing);
	}
	curl_easy_setopt(ci->h, CURLOPT_CUSTOMREQUEST, NULL);
	setup_handle(ci, req, headers, &sink);
	curl_easy_setopt(ci->h, CURLOPT_ERRORBUFFER, detail);
	rc = curl_easy_perform(ci->h);
	curl_easy_setopt(ci->h, CURLOPT_ERRORBUFFER, NULL);
	curl_slist_free_all(headers);
	if (curl_easy_getinfo(ci->h, CURLINFO_NUM_CONNECTS, &opened) == CURLE_OK)
		ci->connections += opened;
	if (rc != CURLE_OK || sink.too_large) {
		resp->failure = classify(rc, sink.too_large);
		buf_release(&resp->body);
		return err_set(e, ERR_NETWORK, "%s (%s)", http_failure_name(resp->failure),
		               sink.too_large ? "body over the size limit"
		                              : failure_detail(rc, detail));
	}
	curl_easy_getinfo(ci->h, CURLINFO_RESPONSE_CODE, &resp->status);
	return 0;
}

static long curl_connections(void *impl)
{
	return ((struct curl_impl *)impl)->connections;
}

static void curl_impl_free(void *impl)
{
	struct curl_impl *ci = impl;

	if (ci == NULL)
		return;
	curl_easy_cleanup(ci->h);
	free(ci);
}

static const struct http_vtable curl_vtable = {curl_perform, curl_connections, curl_impl_free};

int http_curl_global_init(struct err *e)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return err_set(e, ERR_NETWORK, "unable to initialise libcurl");
	return 0;
}

static void base_options(struct curl_impl *ci)
{
	CURL *h = ci->h;

	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "envssm/" ENVSSM_VERSION);
	if (ci->opts.connect_timeout_ms > 0)
		curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, ci->opts.connect_timeout_ms);
	/* settings.c chose what to trust (trust.c); a hashed directory alone
	 * lets OpenSSL read the one issuer it needs instead of a whole bundle */
	if (ci->opts.ca_bundle != NULL || ci->opts.ca_dir != NULL) {
		curl_easy_setopt(h, CURLOPT_CAINFO, ci->opts.ca_bundle);
		curl_easy_setopt(h, CURLOPT_CAPATH, ci->opts.ca_dir);
	}
	if (ci->opts.direct)
		curl_easy_setopt(h, CURLOPT_PROXY, "");
	if (ci->opts.share != NULL)
		curl_easy_setopt(h, CURLOPT_SHARE, ci->opts.share->sh);
}

static void share_lock(CURL *h, curl_lock_data data, curl_lock_access access, void *arg)
{
	struct http_share *s = arg;

	(void)h;
	(void)access;
	pthread_mutex_lock(&s->locks[data]);
}

static void share_unlock(CURL *h, curl_lock_data data, void *arg)
{
	struct http_share *s = arg;

	(void)h;
	pthread_mutex_unlock(&s->locks[data]);
}

int http_share_new(struct http_share **out, struct err *e)
{
	struct http_share *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return err_nomem(e);
	for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_init(&s->locks[i], NULL);
	s->sh = curl_share_init();
	if (s->sh == NULL) {
		http_share_free(s);
		return err_set(e, ERR_NETWORK, "unable to create a libcurl share");
	}
	curl_share_setopt(s->sh, CURLSHOPT_LOCKFUNC, share_lock);
	curl_share_setopt(s->sh, CURLSHOPT_UNLOCKFUNC, share_unlock);
	curl_share_setopt(s->sh, CURLSHOPT_USERDATA, s);
	curl_share_setopt(s->sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
	curl_share_setopt(s->sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
	curl_share_setopt(s->sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
	*out = s;
	return 0;
}

void http_share_free(struct http_share *s)
{
	if (s == NULL)
		return;
	if (s->sh != NULL)
		curl_share_cleanup(s->sh);
	for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_destroy(&s->locks[i]);
	free(s);
}

/* check_bundle refuses a CA bundle that is not a regular file: OpenSSL
 * opens it once a connection is up, and a FIFO there would hold envssm
 * past any deadline. A missing one is left to curl's own error. */
static int check_bundle(const char *path, struct err *e)
{
	int fd = file_open(path, O_RDONLY, e);

	if (fd >= 0)
		close(fd);
	return fd == -1 ? -1 : 0;
}

int http_curl_new(struct http_client *c, const struct http_options *opts, struct err *e)
{
	struct curl_impl *ci;

	if (opts->ca_bundle != NULL && check_bundle(opts->ca_bundle, e) < 0)
		return -1;
	ci = calloc(1, sizeof(*ci));
	if (ci == NULL)
		return err_nomem(e);
	ci->opts = *opts;
	ci->h = curl_easy_init();
	if (ci->h == NULL) {
		free(ci);
		return err_set(e, ERR_NETWORK, "unable to create a libcurl handle");
	}
	base_options(ci);
	c->vt = &curl_vtable;
	c->impl = ci;
	return 0;
}
