/*
 * creds_kit.c - what the credential providers share: the credentials'
 * lifecycle and checks, settings from the shared files, the effects
 * through creds_sys, session names, and ISO 8601 times.
 */
#include "creds_kit.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "envp.h"
#include "ini.h"

#define CREDS_MAX_KEY_BYTES   256
#define CREDS_MAX_TOKEN_CHARS (16u * 1024)

void creds_init(struct creds *c)
{
	buf_init(&c->access_key_id);
	buf_init(&c->secret_access_key);
	buf_init(&c->session_token);
	c->expiration = 0;
	c->provider[0] = '\0';
}

void creds_release(struct creds *c)
{
	buf_release(&c->access_key_id);
	buf_release(&c->secret_access_key);
	buf_release(&c->session_token);
	creds_init(c);
}

void creds_move(struct creds *dst, struct creds *src)
{
	creds_release(dst);
	*dst = *src;
	creds_init(src);
}

/* ---- helpers shared by the providers ----------------------------------- */

int creds_why(struct buf *why, struct err *e, const char *fmt, ...)
{
	char text[480];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	buf_truncate(why, 0);
	return buf_puts(why, text, e) < 0 ? -1 : 0;
}

bool creds_quotable(const char *s)
{
	size_t n;

	for (n = 0; s[n] != '\0'; n++) {
		if (n >= 256 || s[n] < 0x20 || s[n] > 0x7e)
			return false;
	}
	return true;
}

const char *creds_q(const char *s)
{
	return s != NULL && creds_quotable(s) ? s : "?";
}

int creds_fill(struct creds *out, const char *akid, const char *secret, const char *token,
               struct err *e)
{
	creds_release(out);
	if (buf_puts(&out->access_key_id, akid, e) < 0 ||
	    buf_puts(&out->secret_access_key, secret, e) < 0 ||
	    (token != NULL && buf_puts(&out->session_token, token, e) < 0)) {
		creds_release(out);
		return -1;
	}
	return 0;
}

/* field_bad tells what is wrong with one field, or NULL. */
static const char *field_bad(const struct buf *b, size_t max, bool required)
{
	if (required && b->len == 0)
		return "is empty";
	if (b->len > max)
		return "is too long";
	for (size_t i = 0; i < b->len; i++) {
		unsigned char ch = (unsigned char)b->data[i];

		if (ch < 0x20 || ch == 0x7f)
			return "holds a control character";
	}
	return NULL;
}

int creds_check_fields(const struct creds *c, const char *what, struct err *e)
{
	const char *why;

	if ((why = field_bad(&c->access_key_id, CREDS_MAX_KEY_BYTES, true)) != NULL)
		return err_set(e, ERR_CREDS, "invalid credentials from %s: the access key id %s",
		               what, why);
	if ((why = field_bad(&c->secret_access_key, CREDS_MAX_KEY_BYTES, true)) != NULL)
		return err_set(e, ERR_CREDS,
		               "invalid credentials from %s: the secret access key %s", what, why);
	if ((why = field_bad(&c->session_token, CREDS_MAX_TOKEN_CHARS, false)) != NULL)
		return err_set(e, ERR_CREDS, "invalid credentials from %s: the session token %s",
		               what, why);
	return 0;
}

/* value_or_null turns an empty value into NULL. */
static const char *value_or_null(const char *v)
{
	return v != NULL && *v != '\0' ? v : NULL;
}

const char *creds_value(const struct creds_ctx *ctx, const char *profile, const char *key)
{
	return value_or_null(profile_get(ctx->files, profile, key));
}

/* section_is tells whether a config header is "WORD NAME" (any blanks). */
static bool section_is(const char *section, const char *word, const char *name)
{
	size_t n = strlen(word);

	if (strncmp(section, word, n) != 0 || (section[n] != ' ' && section[n] != '\t'))
		return false;
	for (section += n; *section == ' ' || *section == '\t'; section++)
		;
	return strcmp(section, name) == 0;
}

const char *creds_config_section(const struct creds_ctx *ctx, const char *word, const char *name)
{
	const char *found = NULL;

	if (ctx->files == NULL)
		return NULL;
	for (size_t i = 0; i < ctx->files->config.nsections; i++) {
		if (section_is(ctx->files->config.sections[i], word, name))
			found = ctx->files->config.sections[i];
	}
	return found;
}

const char *creds_config_value(const struct creds_ctx *ctx, const char *profile, const char *key)
{
	const char *section = creds_config_section(ctx, "profile", profile);

	if (section == NULL && strcmp(profile, "default") == 0 && ctx->files != NULL &&
	    ini_has_section(&ctx->files->config, "default"))
		section = "default";
	if (section == NULL)
		return NULL;
	return value_or_null(ini_get(&ctx->files->config, section, key));
}

const char *creds_credentials_value(const struct creds_ctx *ctx, const char *profile,
                                    const char *key)
{
	if (ctx->files == NULL)
		return NULL;
	return value_or_null(ini_get(&ctx->files->credentials, profile, key));
}

bool creds_setting_true(const struct creds_ctx *ctx, const char *var, const char *key)
{
	const char *v = env_get_nonempty(ctx->envp, var);

	if (v == NULL && key != NULL)
		v = creds_value(ctx, ctx->profile, key);
	return v != NULL && strcasecmp(v, "true") == 0;
}

/* SYS picks ctx's hook, or the real one when ctx has none. */
#define SYS(ctx, fn)                                                                               \
	((ctx)->sys != NULL && (ctx)->sys->fn != NULL ? (ctx)->sys->fn : creds_sys_real.fn)
#define SYS_ARG(ctx, fn) ((ctx)->sys != NULL && (ctx)->sys->fn != NULL ? (ctx)->sys->arg : NULL)

int creds_read_file(struct creds_ctx *ctx, const char *path, size_t max_bytes, struct buf *out,
                    struct err *e)
{
	return SYS(ctx, read_file)(SYS_ARG(ctx, read_file), path, max_bytes, out, e);
}

void creds_sleep_ms(struct creds_ctx *ctx, long ms)
{
	SYS(ctx, sleep_ms)(SYS_ARG(ctx, sleep_ms), ms);
}

int64_t creds_mono_ms(struct creds_ctx *ctx)
{
	return SYS(ctx, mono_ms)(SYS_ARG(ctx, mono_ms));
}

int creds_run(struct creds_ctx *ctx, const struct creds_run *r, struct buf *out,
              enum creds_run_failure *fail, int *status, struct err *e)
{
	return SYS(ctx, run)(SYS_ARG(ctx, run), r, out, fail, status, e);
}

long creds_time_left_ms(struct creds_ctx *ctx, long cap)
{
	int64_t left;

	if (ctx->deadline_ms <= 0)
		return cap;
	left = ctx->deadline_ms - creds_mono_ms(ctx);
	if (left < 1)
		return 1;
	return left < cap ? (long)left : cap;
}

int creds_http(struct creds_ctx *ctx, bool direct, struct http_client **out, struct err *e)
{
	struct http_client *c = direct ? &ctx->direct : &ctx->web;
	/* metadata endpoints: no proxy, and each request's own short timeout
	 * bounds the connect too */
	struct http_options o = {NULL,   ctx->ca_bundle, direct ? 0 : 5000, direct ? 2000 : 30000,
	                         direct, ctx->ca_dir,    ctx->ca_missing};

	if (c->vt == NULL && SYS(ctx, http_new)(SYS_ARG(ctx, http_new), &o, c, e) < 0)
		return -1;
	*out = c;
	return 0;
}

void creds_session_name(const struct creds_ctx *ctx, char out[32])
{
	snprintf(out, 32, "envssm-%lld", (long long)ctx->now);
}

int creds_check_session_name(const char *name, const char *where, struct err *e)
{
	size_t n = strlen(name);

	for (size_t i = 0; i < n; i++) {
		char ch = name[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || strchr("_+=,.@-", ch) != NULL))
			n = 0;
	}
	if (n >= 2 && n <= 64)
		return 0;
	return err_set(
	        e, ERR_CONFIG,
	        "invalid role session name '%s' from %s: use 2 to 64 of A-Z, a-z, 0-9 and _+=,.@-",
	        creds_q(name), where);
}

/* ---- time -------------------------------------------------------------- */

/* digits reads exactly n decimal digits. */
static bool digits(const char **p, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if ((*p)[i] < '0' || (*p)[i] > '9')
			return false;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return true;
}

/* time_offset reads "Z", "+HH:MM", "+HHMM" or "+HH" (or '-') into seconds
 * east of UTC. */
static bool time_offset(const char *p, long *off)
{
	int h = 0, m = 0, sign;

	if ((p[0] == 'Z' || p[0] == 'z') && p[1] == '\0') {
		*off = 0;
		return true;
	}
	if (p[0] != '+' && p[0] != '-')
		return false;
	sign = p[0] == '-' ? -1 : 1;
	p++;
	if (!digits(&p, 2, &h))
		return false;
	if (*p == ':')
		p++;
	if (*p != '\0' && !digits(&p, 2, &m))
		return false;
	if (*p != '\0' || h > 23 || m > 59)
		return false;
	*off = sign * (h * 3600L + m * 60L);
	return true;
}

int creds_parse_time(const char *s, time_t *out)
{
	const char *p = s;
	struct tm tm;
	int y, mo, d, h, mi, se;
	long off;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	if (!digits(&p, 4, &y) || *p++ != '-' || !digits(&p, 2, &mo) || *p++ != '-' ||
	    !digits(&p, 2, &d) || (*p != 'T' && *p != 't' && *p != ' '))
		return -1;
	p++;
	if (!digits(&p, 2, &h) || *p++ != ':' || !digits(&p, 2, &mi) || *p++ != ':' ||
	    !digits(&p, 2, &se))
		return -1;
	if (*p == '.' || *p == ',') {
		size_t n = 1;

		while (p[n] >= '0' && p[n] <= '9' && n < 12)
			n++;
		if (n == 1)
			return -1;
		p += n;
	}
	if (!time_offset(p, &off) || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
	    se > 60 || y < 1970)
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	t = timegm(&tm);
	if (t == (time_t)-1)
		return -1;
	*out = t - off;
	return 0;
}

void creds_format_time(time_t t, char out[21])
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, 21, "%lld", (long long)t);
}

void creds_key_hint(const struct creds *c, char out[16])
{
	size_t n = c->access_key_id.len;

	if (n < 8) /* too short to show any of it */
		snprintf(out, 16, "(%zu characters)", n);
	else
		snprintf(out, 16, "...%.4s", c->access_key_id.data + n - 4);
}

int creds_check_fresh(const struct creds *c, time_t now, const char *what, struct err *e)
{
	char when[21];

	if (c->expiration == 0 || c->expiration - now >= CREDS_MIN_LIFETIME_S)
		return 0;
	creds_format_time(c->expiration, when);
	if (c->expiration <= now)
		return err_set(e, ERR_CREDS, "credentials from %s expired at %s (%lld s ago)", what,
		               when, (long long)(now - c->expiration));
	return err_set(e, ERR_CREDS,
	               "credentials from %s expire at %s, in %lld s: envssm needs at least %d s",
	               what, when, (long long)(c->expiration - now), CREDS_MIN_LIFETIME_S);
}
