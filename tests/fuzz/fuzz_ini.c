/*
 * fuzz_ini.c - libFuzzer target for the shared config file parser, the
 * profile lookups built on it, and the endpoint URL parser fed from it.
 *
 *   clang -fsanitize=fuzzer,address,undefined -Isrc src/ini.c src/profile.c \
 *       src/settings.c src/envp.c src/buf.c src/err.c tests/fuzz/fuzz_ini.c -lcrypto
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ini.h"
#include "profile.h"
#include "settings.h"

/* check_lookups walks what was parsed: every top-level key must be found
 * again, every section must be known. */
static void check_lookups(const struct ini *ini)
{
	size_t i;

	for (i = 0; i < ini->nsections; i++) {
		if (!ini_has_section(ini, ini->sections[i]))
			__builtin_trap();
	}
	for (i = 0; i < ini->len; i++) {
		const struct ini_prop *p = &ini->props[i];

		if (!ini_has_section(ini, p->section))
			__builtin_trap();
		if (p->subkey == NULL && ini_get(ini, p->section, p->key) == NULL)
			__builtin_trap();
		if (p->subkey != NULL)
			(void)ini_get_sub(ini, p->section, p->key, p->subkey);
	}
}

/* check_settings resolves settings for every profile the files might
 * name, with the values also tried as endpoint URLs. */
static void check_settings(const struct profile_files *pf)
{
	static char *const envp[] = {NULL};
	size_t i;

	for (i = 0; i < pf->config.len + 1; i++) {
		const char *name = i < pf->config.len ? pf->config.props[i].value : "default";
		struct settings_flags f = {name, NULL, NULL};
		struct endpoint ep;
		struct settings s;
		struct err e;

		if (settings_profile(&f, envp, &s, &e) == 0) {
			(void)profile_exists(pf, s.profile);
			(void)settings_resolve(&f, envp, pf, &s, &e);
		}
		settings_release(&s);
		(void)endpoint_parse(name, &ep, &e);
		endpoint_release(&ep);
		if (i >= 64)
			break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct profile_files pf;
	struct err e;
	int rc;

	memset(&pf, 0, sizeof(pf));
	ini_init(&pf.config);
	ini_init(&pf.credentials);
	pf.config_path = strdup("config");
	pf.credentials_path = strdup("credentials");
	rc = ini_parse((const char *)data, size, &pf.config, &e);
	if (rc < 0 && (pf.config.len != 0 || pf.config.nsections != 0))
		__builtin_trap();
	if (rc == 0) {
		check_lookups(&pf.config);
		/* the same text as the credentials file exercises the merge */
		if (ini_parse((const char *)data, size, &pf.credentials, &e) != 0)
			__builtin_trap();
		check_settings(&pf);
	}
	profile_files_release(&pf);
	return 0;
}
