/*
 * sts.h - the three STS calls envssm makes, and their XML answers.
 *
 * AssumeRole (signed with service "sts"), AssumeRoleWithWebIdentity
 * (unsigned) and GetCallerIdentity (signed), all in the Query protocol:
 * a form-encoded POST, an XML answer. The body builders and the parsers
 * are pure; the calls go through aws_call, so they retry what the SDKs
 * retry and read errors the way aws_error_parse does (AWS's
 * <ErrorResponse><Error> and moto's <ErrorResponse><Errors><Error>).
 */
#ifndef ENVSSM_STS_H
#define ENVSSM_STS_H

#include <stddef.h>

#include "aws.h"
#include "buf.h"
#include "creds_kit.h"
#include "err.h"

/* An STS answer is small; anything longer is refused. */
#define STS_MAX_BODY_BYTES (64u * 1024)

/* Who the credentials belong to. Never secret. */
struct sts_identity {
	char account[32];
	char arn[512];
	char user_id[256];
};

/* What to ask for. */
struct sts_role_args {
	const char *role_arn;
	const char *session_name;
	const char *external_id;              /* AssumeRole only; or NULL */
	long duration_s;                      /* 0 for the server's default */
	const struct buf *web_identity_token; /* AssumeRoleWithWebIdentity only */
};

/* sts_form_body builds the form body of action ("AssumeRole",
 * "AssumeRoleWithWebIdentity", "GetCallerIdentity") into body, which may
 * then hold the web identity token: release it (wiped). a may be NULL for
 * GetCallerIdentity. Pure. */
int sts_form_body(struct buf *body, const char *action, const struct sts_role_args *a,
                  struct err *e);

/* sts_parse_credentials reads the <Credentials> of an answer whose result
 * element is `result` ("AssumeRoleResult") into out, and the assumed
 * role's ARN into who->arn (who may be NULL). ERR_PARSE naming the
 * missing element; ERR_LIMIT over STS_MAX_BODY_BYTES. Pure. */
int sts_parse_credentials(const char *xml, size_t len, const char *result, struct creds *out,
                          struct sts_identity *who, struct err *e);

/* sts_parse_identity reads a GetCallerIdentityResult. Pure. */
int sts_parse_identity(const char *xml, size_t len, struct sts_identity *out, struct err *e);

/* sts_xml_text finds the first <tag>...</tag> inside [xml, xml + len) and
 * appends its text, entities decoded, to out. Returns 1, 0 when absent,
 * -1 with e on a bad entity or no memory. Pure. */
int sts_xml_text(const char *xml, size_t len, const char *tag, struct buf *out, struct err *e);

/* sts_assume_role calls AssumeRole signed with `source`. */
int sts_assume_role(struct aws_client *c, const struct creds *source, const struct sts_role_args *a,
                    struct creds *out, struct sts_identity *who, struct err *e);

/* sts_assume_role_with_web_identity calls AssumeRoleWithWebIdentity,
 * unsigned. */
int sts_assume_role_with_web_identity(struct aws_client *c, const struct sts_role_args *a,
                                      struct creds *out, struct sts_identity *who, struct err *e);

/* sts_get_caller_identity calls GetCallerIdentity signed with creds. */
int sts_get_caller_identity(struct aws_client *c, const struct creds *creds,
                            struct sts_identity *out, struct err *e);

#endif
