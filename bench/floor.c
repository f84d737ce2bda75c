/*
 * floor.c - the stack's floor: the least a libcurl client can do to fetch
 * what envssm fetches.
 *
 *     floor [-v] PATH... -- COMMAND [ARG...]
 *
 * For each PATH in turn it sends exactly envssm's signed GetParametersByPath
 * page requests (same JSON body bytes, same signed headers, SigV4 from the
 * project's own src/sigv4.c) over one libcurl handle, so one connection and
 * one TLS handshake, follows NextToken by finding it in the body (no JSON
 * parser), and then execve's COMMAND with its own environment unchanged.
 * No name mapping, no environment building, no wiping, no retries, no
 * credential chain: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, optional
 * AWS_SESSION_TOKEN, AWS_REGION (or AWS_DEFAULT_REGION) and AWS_ENDPOINT_URL
 * come from the environment. AWS_CA_BUNDLE is used as CURLOPT_CAINFO when
 * set; otherwise libcurl's built-in default applies, as for envssm.
 *
 * FLOOR_CAPATH=DIR (benchmark experiment only) drops the CA bundle file and
 * trusts the hashed directory DIR instead (CURLOPT_CAINFO NULL +
 * CURLOPT_CAPATH), to measure lazy by-hash lookup against parsing a bundle.
 *
 * Exit status: 125 on any failure (as envssm), else the program's own.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "sigv4.h"

extern char **environ;

struct body {
	char *data;
	size_t len, cap;
};

static int verbose;

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
	struct body *b = arg;
	size_t len = size * n;

	if (b->len + len + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 16384;
		char *q;

		while (cap < b->len + len + 1)
			cap *= 2;
		if ((q = realloc(b->data, cap)) == NULL)
			return 0;
		b->data = q;
		b->cap = cap;
	}
	memcpy(b->data + b->len, p, len);
	b->len += len;
	b->data[b->len] = '\0';
	return len;
}

static const char *getenv_nonempty(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' ? v : NULL;
}

static void die(const char *what)
{
	fprintf(stderr, "floor: %s\n", what);
	exit(125);
}

/* next_token copies the NextToken string value out of a response body
 * into tok ("" when absent). Tokens are opaque base64-ish strings: no
 * escapes to undo. */
static void next_token(const char *body, char *tok, size_t size)
{
	const char *p = strstr(body, "\"NextToken\":\""), *q;

	tok[0] = '\0';
	if (p == NULL)
		return;
	p += strlen("\"NextToken\":\"");
	if ((q = strchr(p, '"')) == NULL || (size_t)(q - p) >= size)
		die("unreadable NextToken");
	memcpy(tok, p, (size_t)(q - p));
	tok[q - p] = '\0';
}

int main(int argc, char **argv)
{
	const char *akid = getenv_nonempty("AWS_ACCESS_KEY_ID");
	const char *secret = getenv_nonempty("AWS_SECRET_ACCESS_KEY");
	const char *token = getenv_nonempty("AWS_SESSION_TOKEN");
	const char *region = getenv_nonempty("AWS_REGION");
	const char *endpoint = getenv_nonempty("AWS_ENDPOINT_URL");
	const char *ca = getenv_nonempty("AWS_CA_BUNDLE");
	const char *capath = getenv_nonempty("FLOOR_CAPATH");
	char url[512], host[256], nexttok[8192], amz_date[17];
	struct body resp = { NULL, 0, 0 };
	int first = 1, dash;
	unsigned pages = 0;
	CURL *h;

	if (region == NULL)
		region = getenv_nonempty("AWS_DEFAULT_REGION");
	if (argc > 1 && strcmp(argv[1], "-v") == 0) {
		verbose = 1;
		first = 2;
	}
	for (dash = first; dash < argc && strcmp(argv[dash], "--") != 0; dash++)
		;
	if (dash == first || dash + 1 >= argc)
		die("usage: floor [-v] PATH... -- COMMAND [ARG...]");
	if (!akid || !secret || !region || !endpoint)
		die("needs AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_ENDPOINT_URL");

	/* "https://HOST[:PORT][/]" -> URL "https://HOST[:PORT]/", Host "HOST[:PORT]" */
	{
		const char *hs = strstr(endpoint, "://");
		size_t n;

		if (hs == NULL)
			die("bad AWS_ENDPOINT_URL");
		hs += 3;
		n = strcspn(hs, "/");
		if (n == 0 || n >= sizeof(host))
			die("bad AWS_ENDPOINT_URL");
		memcpy(host, hs, n);
		host[n] = '\0';
		snprintf(url, sizeof(url), "%.*s/", (int)(hs - endpoint + n), endpoint);
	}

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK || (h = curl_easy_init()) == NULL)
		die("unable to initialise libcurl");
	/* the options envssm's http.c sets */
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "envssm-floor/1");
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 60000L);
	if (capath != NULL) {
		curl_easy_setopt(h, CURLOPT_CAINFO, NULL);
		curl_easy_setopt(h, CURLOPT_CAPATH, capath);
	} else if (ca != NULL) {
		curl_easy_setopt(h, CURLOPT_CAINFO, ca);
	}
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_POST, 1L);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &resp);

	for (int i = first; i < dash; i++) {
		const char *path = argv[i];

		nexttok[0] = '\0';
		do {
			char body[8192 + 4096];
			struct sigv4_header sh[5];
			struct sigv4_result sig;
			struct sigv4_signer signer = { akid, secret, region, "ssm", amz_date };
			struct sigv4_request sreq;
			struct curl_slist *hl = NULL;
			struct err e = { ERR_NONE, "" };
			char line[8192 + 64];
			size_t n = 0, blen;
			long status = 0;
			CURLcode rc;

			/* byte for byte what envssm's cJSON_PrintUnformatted writes */
			blen = (size_t)snprintf(body, sizeof(body),
						"{\"Path\":\"%s\",\"Recursive\":true,\"WithDecryption\":true,"
						"\"MaxResults\":10%s%s%s}",
						path, nexttok[0] ? ",\"NextToken\":\"" : "", nexttok,
						nexttok[0] ? "\"" : "");
			sigv4_amz_date(time(NULL), amz_date);
			sh[n++] = (struct sigv4_header){ "Content-Type", "application/x-amz-json-1.1" };
			sh[n++] = (struct sigv4_header){ "Host", host };
			sh[n++] = (struct sigv4_header){ "X-Amz-Date", amz_date };
			if (token != NULL)
				sh[n++] = (struct sigv4_header){ "X-Amz-Security-Token", token };
			sh[n++] = (struct sigv4_header){ "X-Amz-Target", "AmazonSSM.GetParametersByPath" };
			sreq = (struct sigv4_request){ "POST", "/", NULL, sh, n, body, blen, true };
			sigv4_result_init(&sig);
			if (sigv4_sign(&sreq, &signer, &sig, &e) < 0)
				die(e.msg);
			hl = curl_slist_append(hl, "Expect:");
			hl = curl_slist_append(hl, "Accept:");
			for (size_t k = 0; k < n; k++) {
				snprintf(line, sizeof(line), "%s: %s", sh[k].name, sh[k].value);
				hl = curl_slist_append(hl, line);
			}
			snprintf(line, sizeof(line), "Authorization: %s", buf_cstr(&sig.authorization));
			hl = curl_slist_append(hl, line);
			sigv4_result_release(&sig);
			if (hl == NULL)
				die("out of memory");
			curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
			curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
			curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)blen);
			resp.len = 0;
			rc = curl_easy_perform(h);
			curl_slist_free_all(hl);
			if (rc != CURLE_OK)
				die(curl_easy_strerror(rc));
			curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
			if (status != 200 || resp.data == NULL) {
				fprintf(stderr, "floor: HTTP %ld: %.200s\n", status,
					resp.data ? resp.data : "");
				exit(125);
			}
			pages++;
			next_token(resp.data, nexttok, sizeof(nexttok));
		} while (nexttok[0] != '\0');
	}
	if (verbose)
		fprintf(stderr, "floor: %u pages\n", pages);
	curl_easy_cleanup(h);
	free(resp.data);
	execvp(argv[dash + 1], argv + dash + 1);
	fprintf(stderr, "floor: unable to exec '%s': %s\n", argv[dash + 1], strerror(errno));
	return errno == ENOENT ? 127 : 126;
}
