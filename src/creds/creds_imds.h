/*
 * creds_imds.h - EC2 instance metadata (IMDS): its settings, the
 * IMDSv2 session token, the instance role's credentials and the region.
 */
#ifndef ENVSSM_CREDS_IMDS_H
#define ENVSSM_CREDS_IMDS_H

#include <stdbool.h>

#include "buf.h"
#include "creds_kit.h"
#include "err.h"

#define CREDS_IMDS_DEFAULT "http://169.254.169.254"
#define CREDS_IMDS_IPV6    "http://[fd00:ec2::254]"
#define CREDS_IMDS_TTL_S   21600

struct creds_imds_config {
	char base[2048]; /* without a trailing '/' */
	const char *base_source;
	long timeout_ms;  /* per request; AWS_METADATA_SERVICE_TIMEOUT, default 1 s */
	int attempts;     /* AWS_METADATA_SERVICE_NUM_ATTEMPTS, default 1 */
	bool v1_disabled; /* AWS_EC2_METADATA_V1_DISABLED / ec2_metadata_v1_disabled */
};

/* creds_imds_config reads the settings (each variable beating its profile
 * key). Returns 1, 0 with why set when AWS_EC2_METADATA_DISABLED is true,
 * or -1 with ERR_CONFIG for a bad value. */
int creds_imds_config(struct creds_ctx *ctx, struct creds_imds_config *cfg, struct buf *why,
                      struct err *e);

/* creds_region_from_imds asks IMDS for the region (after the token
 * dance); arg is a struct creds_ctx. The shape of a settings_fallback:
 * 1 with region, 0 with why (disabled, unreachable), -1 with e. */
int creds_region_from_imds(void *arg, struct buf *region, struct buf *why, struct err *e);

#endif
