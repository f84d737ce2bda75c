/*
 * scrub.c - copy server text without the secrets of the request it
 * answers.
 */
#include "scrub.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

/* Fields whose value is a token: it ends at a blank, a quote or a
 * separator. */
static const char *const token_fields[] = {
        "X-Amz-Security-Token",   "X-Amz-Signature",          "Signature",
        "x-amz-sso_bearer_token", "X-aws-ec2-metadata-token", "WebIdentityToken",
        "SessionToken",           "SecretAccessKey",          "aws_session_token",
        "aws_secret_access_key",
};

/* Fields whose value holds blanks ("AWS4-HMAC-SHA256 Credential=...,
 * Signature=..." or "Bearer ..."): it ends at the end of the line. */
static const char *const line_fields[] = {"Authorization"};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

struct out {
	char *p;
	size_t size, len;
};

/* put appends n bytes, control bytes as spaces; false once dst is full. */
static bool put(struct out *o, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (o->len + 1 >= o->size)
			return false;
		o->p[o->len++] = (c < 0x20 || c == 0x7f) ? ' ' : (char)c;
	}
	return o->len + 1 < o->size;
}

/* secret_at returns the length of the secret that starts s, or 0. */
static size_t secret_at(const char *s, size_t n, const char *const *secrets)
{
	for (size_t i = 0; secrets != NULL && secrets[i] != NULL; i++) {
		size_t len = strlen(secrets[i]);

		if (len >= SCRUB_MIN_SECRET && len <= n && s[0] == secrets[i][0] &&
		    memcmp(s, secrets[i], len) == 0)
			return len;
	}
	return 0;
}

static bool ends_token(char c)
{
	return (unsigned char)c <= ' ' || c == 0x7f || strchr("\"'\\&,;<>()[]{}", c) != NULL;
}

static bool ends_line(char c)
{
	return (unsigned char)c < ' ' || c == 0x7f || strchr("\"'\\<", c) != NULL;
}

/* skip_any steps over at most max bytes of s[*i] found in set (s holds
 * no NUL before n). */
static void skip_any(const char *s, size_t n, size_t *i, const char *set, size_t max)
{
	for (size_t k = 0; k < max && *i < n && strchr(set, s[*i]) != NULL; k++)
		(*i)++;
}

/* value_after tells where the value of field name at the start of s
 * begins (*from) and how long it is (*len): the name, a closing quote,
 * ':', '=' or '>', an opening quote. False when s does not start so. */
static bool value_after(const char *s, size_t n, const char *name, bool line, size_t *from,
                        size_t *len)
{
	size_t i = strlen(name);

	if (i > n || strncasecmp(s, name, i) != 0)
		return false;
	skip_any(s, n, &i, "\\\"'", 3);
	skip_any(s, n, &i, " \t", n);
	if (i == n || strchr(":=>", s[i]) == NULL)
		return false;
	i++;
	skip_any(s, n, &i, " \t", n);
	skip_any(s, n, &i, "\\\"'", 3);
	*from = i;
	while (i < n && !(line ? ends_line(s[i]) : ends_token(s[i])))
		i++;
	*len = i - *from;
	return true;
}

/* field_at finds a secret-carrying field at the start of s. */
static bool field_at(const char *s, size_t n, size_t *from, size_t *len)
{
	for (size_t i = 0; i < COUNT(token_fields); i++) {
		if (value_after(s, n, token_fields[i], false, from, len))
			return true;
	}
	for (size_t i = 0; i < COUNT(line_fields); i++) {
		if (value_after(s, n, line_fields[i], true, from, len))
			return true;
	}
	return false;
}

void scrub_copy(char *dst, size_t size, const char *s, size_t n, const char *const *secrets)
{
	struct out o = {dst, size, 0};
	size_t i = 0, value_from = 0, value_end = 0, from, len;
	bool room = size > 1;

	if (size == 0)
		return;
	n = strnlen(s, n);
	while (room && i < n) {
		if (i >= value_from && i < value_end) {
			room = put(&o, SCRUB_MARK, sizeof(SCRUB_MARK) - 1);
			i = value_end;
		} else if ((len = secret_at(s + i, n - i, secrets)) > 0) {
			room = put(&o, SCRUB_MARK, sizeof(SCRUB_MARK) - 1);
			i += len;
		} else {
			/* a field's name is copied (and searched for secrets) as it stands */
			if (i >= value_end && field_at(s + i, n - i, &from, &len)) {
				value_from = i + from;
				value_end = value_from + len;
			}
			room = put(&o, s + i, 1);
			i++;
		}
	}
	dst[o.len] = '\0';
}
