/*
 * profile.c - find, read and merge the shared config and credentials files.
 */
#include "profile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "envp.h"

static void profile_files_init(struct profile_files *pf)
{
	ini_init(&pf->config);
	ini_init(&pf->credentials);
	pf->config_path = NULL;
	pf->credentials_path = NULL;
	pf->config_missing = false;
	pf->credentials_missing = false;
}

/* profile_join returns a new string dir + rest, dropping dir's trailing
 * slashes so "/" + "/.aws" is "/.aws". */
static char *profile_join(const char *dir, const char *rest, struct err *e)
{
	size_t ndir = strlen(dir), nrest = strlen(rest);
	char *s;

	while (ndir > 0 && dir[ndir - 1] == '/')
		ndir--;
	s = malloc(ndir + nrest + 1);
	if (s == NULL) {
		err_nomem(e);
		return NULL;
	}
	memcpy(s, dir, ndir);
	memcpy(s + ndir, rest, nrest + 1);
	return s;
}

/* profile_path sets *out to the file named by variable var (a leading "~/"
 * expanded), else to $HOME + fallback, else to NULL when HOME is unset. */
static int profile_path(char *const *envp, const char *var, const char *fallback, char **out,
                        struct err *e)
{
	const char *v = env_get_nonempty(envp, var);
	const char *home = env_get_nonempty(envp, "HOME");

	*out = NULL;
	if (v != NULL && strcmp(v, "~") != 0 && strncmp(v, "~/", 2) != 0) {
		*out = mem_strdup(v, e);
		return *out == NULL ? -1 : 0;
	}
	if (home == NULL && v != NULL)
		return err_set(e, ERR_CONFIG, "unable to expand '~' in %s: HOME is not set", var);
	if (home == NULL)
		return 0;
	*out = profile_join(home, v != NULL ? v + 1 : fallback, e);
	return *out == NULL ? -1 : 0;
}

/* profile_file_load reads one file; a NULL path counts as missing. */
static int profile_file_load(const char *path, struct ini *ini, bool *missing, struct err *e)
{
	if (path == NULL) {
		*missing = true;
		return 0;
	}
	return ini_load(path, ini, missing, e);
}

int profile_files_load(char *const *envp, struct profile_files *pf, struct err *e)
{
	profile_files_init(pf);
	if (profile_path(envp, "AWS_CONFIG_FILE", "/.aws/config", &pf->config_path, e) < 0)
		goto fail;
	if (profile_path(envp, "AWS_SHARED_CREDENTIALS_FILE", "/.aws/credentials",
	                 &pf->credentials_path, e) < 0)
		goto fail;
	if (profile_file_load(pf->config_path, &pf->config, &pf->config_missing, e) < 0)
		goto fail;
	if (profile_file_load(pf->credentials_path, &pf->credentials, &pf->credentials_missing, e) <
	    0)
		goto fail;
	return 0;
fail:
	profile_files_release(pf);
	return -1;
}

/* profile_section_is tells whether a config section header is "WORD NAME",
 * with any run of blanks between the two. */
static bool profile_section_is(const char *section, const char *word, const char *name)
{
	size_t n = strlen(word);

	if (strncmp(section, word, n) != 0 || (section[n] != ' ' && section[n] != '\t'))
		return false;
	for (section += n; *section == ' ' || *section == '\t'; section++)
		;
	return strcmp(section, name) == 0;
}

/* profile_config_find returns the config file's "[WORD NAME]" header, or
 * NULL. Should spellings differ only in blanks, the last one seen counts. */
static const char *profile_config_find(const struct ini *config, const char *word, const char *name)
{
	const char *found = NULL;
	size_t i;

	for (i = 0; i < config->nsections; i++) {
		if (profile_section_is(config->sections[i], word, name))
			found = config->sections[i];
	}
	return found;
}

/* profile_config_section returns the config file's section for profile
 * name: "[profile NAME]", or for "default" also "[default]", the former
 * winning when both exist (as the SDKs other than botocore do). */
static const char *profile_config_section(const struct profile_files *pf, const char *name)
{
	const char *section = profile_config_find(&pf->config, "profile", name);

	if (section == NULL && strcmp(name, "default") == 0 &&
	    ini_has_section(&pf->config, "default"))
		section = "default";
	return section;
}

const char *profile_get_from(const struct profile_files *pf, const char *name, const char *key,
                             const char **from)
{
	const char *section, *value = NULL, *path = NULL;

	if (pf == NULL)
		return NULL;
	value = ini_get(&pf->credentials, name, key);
	if (value != NULL) {
		path = pf->credentials_path;
	} else {
		section = profile_config_section(pf, name);
		if (section != NULL)
			value = ini_get(&pf->config, section, key);
		path = pf->config_path;
	}
	if (value != NULL && from != NULL)
		*from = path;
	return value;
}

const char *profile_get(const struct profile_files *pf, const char *name, const char *key)
{
	return profile_get_from(pf, name, key, NULL);
}

bool profile_exists(const struct profile_files *pf, const char *name)
{
	if (pf == NULL)
		return false;
	return ini_has_section(&pf->credentials, name) || profile_config_section(pf, name) != NULL;
}

bool profile_services_exists(const struct profile_files *pf, const char *section)
{
	return pf != NULL && profile_config_find(&pf->config, "services", section) != NULL;
}

const char *profile_services_get(const struct profile_files *pf, const char *section,
                                 const char *service, const char *key)
{
	const char *header;

	if (pf == NULL)
		return NULL;
	header = profile_config_find(&pf->config, "services", section);
	if (header == NULL)
		return NULL;
	return ini_get_sub(&pf->config, header, service, key);
}

void profile_files_release(struct profile_files *pf)
{
	ini_release(&pf->config);
	ini_release(&pf->credentials);
	mem_free_secure(pf->config_path);
	mem_free_secure(pf->credentials_path);
	profile_files_init(pf);
}
