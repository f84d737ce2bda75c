/*
 * profile.h - the shared config and credentials files, merged per profile.
 *
 * The config file names profiles "[default]" and "[profile NAME]" (a bare
 * "[NAME]" there is not a profile); the credentials file names them
 * "[NAME]". For a key set in both, the credentials file wins.
 */
#ifndef ENVSSM_PROFILE_H
#define ENVSSM_PROFILE_H

#include <stdbool.h>

#include "err.h"
#include "ini.h"

struct profile_files {
	struct ini config;
	struct ini credentials;
	char *config_path;      /* resolved path, for messages */
	char *credentials_path; /* resolved path, for messages */
	bool config_missing;
	bool credentials_missing;
};

/* profile_files_load reads the two files named by AWS_CONFIG_FILE and
 * AWS_SHARED_CREDENTIALS_FILE in envp (a leading "~/" expands to $HOME),
 * else ~/.aws/config and ~/.aws/credentials. Missing files are not an
 * error. A malformed file is ERR_CONFIG naming the file and line.
 * Release with profile_files_release. */
int profile_files_load(char *const *envp, struct profile_files *pf, struct err *e);

/* profile_get returns key for profile name: the credentials file's value
 * if it has one, else the config file's. Borrowed; NULL if unset. */
const char *profile_get(const struct profile_files *pf, const char *name, const char *key);

/* profile_get_from is profile_get that also sets *from (when from is not
 * NULL) to the path of the file the value came from. pf may be NULL. */
const char *profile_get_from(const struct profile_files *pf, const char *name, const char *key,
                             const char **from);

/* profile_exists tells whether either file defines the profile. */
bool profile_exists(const struct profile_files *pf, const char *name);

/* profile_services_get returns `key` under `service` in the config file's
 * [services SECTION] section, or NULL. */
const char *profile_services_get(const struct profile_files *pf, const char *section,
                                 const char *service, const char *key);

/* profile_services_exists tells whether the config file has a
 * [services SECTION] section. */
bool profile_services_exists(const struct profile_files *pf, const char *section);

/* profile_files_release wipes and frees both files. */
void profile_files_release(struct profile_files *pf);

#endif
