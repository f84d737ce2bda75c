/*
 * trust.c - where the system keeps its CA certificates.
 */
#include "trust.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "envp.h"

/* Bundle files, in the order Go's crypto/x509 tries them. */
static const char *const bundle_files[] = {
        "/etc/ssl/certs/ca-certificates.crt",                /* Debian, Ubuntu, Gentoo, Arch */
        "/etc/pki/tls/certs/ca-bundle.crt",                  /* Fedora, RHEL 6, Amazon Linux */
        "/etc/ssl/ca-bundle.pem",                            /* openSUSE, SLES */
        "/etc/pki/tls/cacert.pem",                           /* OpenELEC */
        "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", /* CentOS, RHEL 7+ */
        "/etc/ssl/cert.pem",                                 /* Alpine, distroless */
};

/* Directories of OpenSSL hashed links ("1a2b3c4d.0"). */
static const char *const hashed_dirs[] = {
        "/etc/ssl/certs",     /* Debian, Ubuntu, Alpine, SLES */
        "/etc/pki/tls/certs", /* Fedora, RHEL */
};

#define TRUST_LOOKED                                                                               \
	"SSL_CERT_FILE, SSL_CERT_DIR, /etc/ssl/certs, /etc/ssl/certs/ca-certificates.crt, "        \
	"/etc/pki/tls/certs/ca-bundle.crt, /etc/ssl/ca-bundle.pem, /etc/pki/tls/cacert.pem, "      \
	"/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem, /etc/ssl/cert.pem, "                   \
	"/etc/pki/tls/certs"

static void rooted(char *dst, size_t size, const char *root, const char *path)
{
	snprintf(dst, size, "%s%s", root, path);
}

static bool regular_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
	       access(path, R_OK) == 0;
}

/* hashed tells whether dir holds OpenSSL's hashed links; without them a
 * directory lookup would trust nothing. */
static bool hashed(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *ent;
	bool found = false;

	if (d == NULL)
		return false;
	while (!found && (ent = readdir(d)) != NULL) {
		const char *n = ent->d_name;

		found = strlen(n) == 10 && strspn(n, "0123456789abcdef") == 8 &&
		        !strcmp(n + 8, ".0");
	}
	closedir(d);
	return found;
}

/* any_dir tells whether one entry of a colon-separated list is a
 * directory, as OpenSSL reads SSL_CERT_DIR. */
static bool any_dir(const char *list)
{
	char one[4096];
	struct stat st;

	while (*list != '\0') {
		size_t n = strcspn(list, ":");

		if (n > 0 && n < sizeof(one)) {
			memcpy(one, list, n);
			one[n] = '\0';
			if (stat(one, &st) == 0 && S_ISDIR(st.st_mode))
				return true;
		}
		list += n + (list[n] == ':');
	}
	return false;
}

int trust_locate_in(const char *root, char *const *envp, struct trust *t, struct err *e)
{
	const char *file = env_get_nonempty(envp, "SSL_CERT_FILE");
	const char *dir = env_get_nonempty(envp, "SSL_CERT_DIR");
	char path[4096];
	size_t i;

	memset(t, 0, sizeof(*t));
	if (file != NULL || dir != NULL) {
		/* set on purpose: an unusable one is a mistake to report, not
		 * a reason to trust something else */
		if (file != NULL && !regular_file(file))
			return err_set(
			        e, ERR_CONFIG,
			        "unable to use SSL_CERT_FILE=%s: not a readable, non-empty file",
			        file);
		if (dir != NULL && !any_dir(dir))
			return err_set(e, ERR_CONFIG,
			               "unable to use SSL_CERT_DIR=%s: no such directory", dir);
		t->file = file;
		t->dir = dir;
		t->source = "SSL_CERT_FILE";
		t->dir_source = "SSL_CERT_DIR";
		return 0;
	}
	t->source = t->dir_source = "system";
	rooted(path, sizeof(path), root, hashed_dirs[0]);
	if (hashed(path)) {
		t->dir = hashed_dirs[0];
		return 0;
	}
	for (i = 0; i < sizeof(bundle_files) / sizeof(bundle_files[0]); i++) {
		rooted(path, sizeof(path), root, bundle_files[i]);
		if (regular_file(path)) {
			t->file = bundle_files[i];
			return 0;
		}
	}
	for (i = 1; i < sizeof(hashed_dirs) / sizeof(hashed_dirs[0]); i++) {
		rooted(path, sizeof(path), root, hashed_dirs[i]);
		if (hashed(path)) {
			t->dir = hashed_dirs[i];
			return 0;
		}
	}
	t->source = t->dir_source = NULL;
	t->missing = "no CA certificates found (looked at " TRUST_LOOKED
	             "); set AWS_CA_BUNDLE or SSL_CERT_FILE to a PEM bundle";
	return 0;
}

int trust_locate(char *const *envp, struct trust *t, struct err *e)
{
	return trust_locate_in("", envp, t, e);
}
