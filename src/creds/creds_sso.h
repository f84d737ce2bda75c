/*
 * creds_sso.h - IAM Identity Center (SSO): the cached token's file name.
 */
#ifndef ENVSSM_CREDS_SSO_H
#define ENVSSM_CREDS_SSO_H

#include "buf.h"
#include "err.h"

/* creds_sso_cache_path writes HOME/.aws/sso/cache/<sha1 hex of key>.json
 * into out, where key is the sso_session name, or the start URL for a
 * legacy profile (botocore SSOTokenLoader). Pure. */
int creds_sso_cache_path(const char *home, const char *key, struct buf *out, struct err *e);

#endif
