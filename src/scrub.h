/*
 * scrub.h - take a request's secrets out of what a server says.
 *
 * A server may quote the request back in an error: its headers (the
 * session token, the Authorization header and its signature), its query
 * or its body (a web identity token). Every piece of server text that can
 * reach a message (an AWS error code and message, a request id, a content
 * type, an excerpt of an error page, an IMDS error document) goes through
 * scrub_copy before it is kept.
 */
#ifndef ENVSSM_SCRUB_H
#define ENVSSM_SCRUB_H

#include <stddef.h>

/* What stands where a secret was. */
#define SCRUB_MARK "[redacted]"

/* The shortest string looked for as a secret. */
#define SCRUB_MIN_SECRET 8

/* scrub_copy copies s (n bytes, or up to a NUL) into dst, which receives at
 * most size - 1 bytes and a NUL (nothing when size is 0), with:
 *   - every occurrence of each string of secrets (a NULL-ended list; NULL
 *     for none) replaced by SCRUB_MARK. Strings shorter than
 *     SCRUB_MIN_SECRET are left alone: no AWS credential is so short, and
 *     looking for them would mark ordinary words;
 *   - the value after a field that carries a secret (Authorization,
 *     X-Amz-Security-Token, Signature, X-Amz-Signature, SessionToken, ...)
 *     and ':', '=' or '>' replaced by SCRUB_MARK, however the server
 *     quoted it (a header, a query, JSON, XML);
 *   - control bytes turned into spaces, so the text stays one line.
 * Secrets are looked for in s itself, before it is cut to fit: the end of
 * dst never shows part of one. Pure. */
void scrub_copy(char *dst, size_t size, const char *s, size_t n, const char *const *secrets);

#endif
