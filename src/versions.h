/*
 * versions.h - what a watch asks Parameter Store between starts: names and
 * versions only, never a value.
 *
 * A fingerprint is the sorted lines "NAME\tVERSION\n" of everything a
 * start would load (a Secrets Manager reference, which has no version
 * there, gives a digest of its value); two equal fingerprints mean nothing
 * changed.
 */
#ifndef ENVSSM_VERSIONS_H
#define ENVSSM_VERSIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "aws.h"
#include "buf.h"
#include "err.h"

/* DescribeParameters pages: the most the API returns per request. */
#define VERSIONS_PAGE_MAX 50

/* Where a fingerprint line holds a digest of a value, not a version. */
#define VERSIONS_VALUE_MARK "value:"

/* versions_path appends a line for every parameter under path (recursive or
 * one level) from DescribeParameters: metadata only, nothing decrypted,
 * VERSIONS_PAGE_MAX parameters a request. *requests counts the calls. */
int versions_path(struct aws_client *c, const char *path, bool recursive, struct buf *lines,
                  unsigned *requests, struct err *e);

/* versions_names appends a line for each of n parameter names (with any
 * :VERSION or :LABEL selector) from GetParameters without decryption. */
int versions_names(struct aws_client *c, const char *const *names, size_t n, struct buf *lines,
                   unsigned *requests, struct err *e);

/* versions_secrets is versions_names for Secrets Manager references
 * (/aws/reference/secretsmanager/...), which Parameter Store answers only
 * with decryption and without a version of their own: each line holds a
 * digest of the value instead, behind VERSIONS_VALUE_MARK. The values are
 * wiped once hashed; versions_diff never shows the digest. */
int versions_secrets(struct aws_client *c, const char *const *names, size_t n, struct buf *lines,
                     unsigned *requests, struct err *e);

/* versions_parse_describe appends the lines of one DescribeParameters answer
 * and sets next_token ("" on the last page). Bounded: names of at most
 * 2048 bytes without control characters, versions from 1. */
int versions_parse_describe(const char *body, size_t len, struct buf *lines, struct buf *next_token,
                            struct err *e);

/* versions_sort orders the lines of a fingerprint so that order of arrival
 * does not matter. */
int versions_sort(struct buf *lines, struct err *e);

/* versions_diff writes "NAME (version A -> B)" items, comma-separated, for
 * what differs between two sorted fingerprints ("new" and "removed" for
 * one-sided lines), at most max_items of them. */
int versions_diff(const struct buf *before, const struct buf *after, struct buf *out,
                  size_t max_items, struct err *e);

#endif
