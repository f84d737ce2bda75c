/*
 * ladder.c - the rungs of bench.py's start-up ladder: what a process costs
 * before it fetches anything. Built three ways by bench/Makefile:
 *   ladder-empty   returns at once (libc only)
 *   ladder-linked  -DLINKED: linked with -lcurl, calls nothing at run time,
 *                  so the cost is loading and relocating libcurl's tree
 *   ladder-init    -DINIT: curl_global_init + curl_easy_init, as any
 *                  libcurl client (OpenSSL initialised, its config read)
 *   ladder-ossl    -DOSSL: linked with -lssl -lcrypto only, and the
 *                  OpenSSL initialisation curl_global_init does
 *                  (OPENSSL_init_ssl with the config file): about where a
 *                  libcurl built for HTTPS alone would start
 */
#if defined(LINKED) || defined(INIT)
#include <curl/curl.h>
#include <stdio.h>
#endif
#if defined(OSSL)
#include <openssl/ssl.h>
#endif

int main(int argc, char **argv)
{
	(void)argv;
#if defined(OSSL)
	if (OPENSSL_init_ssl(OPENSSL_INIT_LOAD_CONFIG, NULL) != 1)
		return 1;
#elif defined(INIT)
	CURL *h;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK || (h = curl_easy_init()) == NULL)
		return 1;
	curl_easy_cleanup(h);
#elif defined(LINKED)
	if (argc > 99) /* never: keeps libcurl a real dependency */
		puts(curl_version());
#endif
	(void)argc;
	return 0;
}
