/*
 * trust.h - which CA certificates to trust when none is configured.
 *
 * AWS_CA_BUNDLE and the profile's ca_bundle come first (settings.c). Without
 * them envssm looks where OpenSSL, Go and the distributions look, so the one
 * static binary verifies TLS in any image: SSL_CERT_FILE and SSL_CERT_DIR,
 * the system's hashed directory (OpenSSL then reads only the issuer it
 * needs), each distribution's bundle file, then other hashed directories.
 */
#ifndef ENVSSM_TRUST_H
#define ENVSSM_TRUST_H

#include "err.h"

struct trust {
	const char *file;       /* PEM bundle, or NULL; borrowed (envp or static) */
	const char *dir;        /* hashed directory or SSL_CERT_DIR list, or NULL */
	const char *source;     /* of file: "SSL_CERT_FILE" or "system" */
	const char *dir_source; /* of dir: "SSL_CERT_DIR" or "system" */
	/* nothing found: where envssm looked, for the error a TLS request
	 * gives (plain-HTTP endpoints need no certificates); else NULL */
	const char *missing;
};

/* trust_locate fills t from envp and the file system. An SSL_CERT_FILE or
 * SSL_CERT_DIR that names nothing readable is ERR_CONFIG naming it. */
int trust_locate(char *const *envp, struct trust *t, struct err *e);

/* trust_locate_in is trust_locate with the file system rooted at root
 * ("" for "/"), for tests. */
int trust_locate_in(const char *root, char *const *envp, struct trust *t, struct err *e);

#endif
