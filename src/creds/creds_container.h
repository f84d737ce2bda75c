/*
 * creds_container.h - the container credentials endpoint (ECS task roles,
 * EKS Pod Identity): which URL, and which hosts plain http may reach.
 */
#ifndef ENVSSM_CREDS_CONTAINER_H
#define ENVSSM_CREDS_CONTAINER_H

#include "buf.h"
#include "err.h"

/* The ECS agent's address that a relative URI is appended to. */
#define CREDS_ECS_HOST "http://169.254.170.2"

/* creds_container_url picks the endpoint from envp:
 * AWS_CONTAINER_CREDENTIALS_RELATIVE_URI (appended to CREDS_ECS_HOST)
 * wins over AWS_CONTAINER_CREDENTIALS_FULL_URI, which must pass
 * creds_container_host_allowed. Returns 1 with the URL in url and its
 * variable in *source, 0 when neither is set, -1 with ERR_CONFIG. Pure. */
int creds_container_url(char *const *envp, struct buf *url, const char **source, struct err *e);

/* creds_container_host_allowed applies the SDKs' rule to a full URI:
 * https may name any host; http only a loopback address (127.0.0.0/8,
 * ::1), localhost, 169.254.170.2, 169.254.170.23 or fd00:ec2::23. A URL
 * with user information, or that is not http(s), is refused too. 0 or -1
 * with ERR_CONFIG. Pure. */
int creds_container_host_allowed(const char *url, struct err *e);

#endif
