/*
 * format.c - render variables for print mode and write them out.
 *
 * Values are secrets: they only ever pass through buf_append (never a
 * printf), and nothing here puts one in an error message.
 */
#include "format.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "file.h"
#include "names.h"

#define DELIM_PREFIX       "ghadelimiter_"
#define DELIM_RANDOM_BYTES 16
#define DELIM_MAX_ATTEMPTS 64
#define DOCKER_MAX_LINE    65535 /* bufio.MaxScanTokenSize minus the newline */
#define TEMP_MAX_ATTEMPTS  16

static const char *const kind_names[] = {
        [FORMAT_SHELL] = "shell",   [FORMAT_DOTENV] = "dotenv", [FORMAT_JSON] = "json",
        [FORMAT_GITHUB] = "github", [FORMAT_DOCKER] = "docker",
};
static const char hex_digits[] = "0123456789abcdef";

int format_parse(const char *s, enum format_kind *out, struct err *e)
{
	for (size_t i = 0; i < sizeof(kind_names) / sizeof(kind_names[0]); i++) {
		if (strcmp(s, kind_names[i]) == 0) {
			*out = (enum format_kind)i;
			return 0;
		}
	}
	return err_set(e, ERR_USAGE,
	               "invalid format '%.64s': use shell, dotenv, json, github or docker", s);
}

const char *format_name(enum format_kind k)
{
	if ((size_t)k >= sizeof(kind_names) / sizeof(kind_names[0]))
		return "unknown";
	return kind_names[k];
}

/* utf8_len returns the length of the well-formed UTF-8 sequence at p (at
 * most n bytes), or 0: no overlongs, no surrogates, nothing past U+10FFFF,
 * exactly what Python's and Go's decoders accept. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t len;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		len = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		len = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		len = 4;
	else
		return 0;
	if (n < len)
		return 0;
	if (p[0] == 0xe0)
		lo = 0xa0;
	else if (p[0] == 0xed)
		hi = 0x9f;
	else if (p[0] == 0xf0)
		lo = 0x90;
	else if (p[0] == 0xf4)
		hi = 0x8f;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++) {
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	}
	return len;
}

static bool utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;

	while (n > 0) {
		size_t len = utf8_len(p, n);

		if (len == 0)
			return false;
		p += len;
		n -= len;
	}
	return true;
}

static bool has(const struct format_var *v, char c)
{
	return v->value_len > 0 && memchr(v->value, c, v->value_len) != NULL;
}

/* has_str tells whether s occurs in the value (memmem is a GNU extension). */
static bool has_str(const struct format_var *v, const char *s)
{
	size_t n = strlen(s);
	const char *p = v->value, *end = v->value + v->value_len;

	while ((size_t)(end - p) >= n) {
		p = memchr(p, s[0], (size_t)(end - p) - n + 1);
		if (p == NULL)
			return false;
		if (memcmp(p, s, n) == 0)
			return true;
		p++;
	}
	return false;
}

static int refuse(const struct format_var *v, enum format_kind k, const char *why, struct err *e)
{
	return err_set(e, ERR_NAMES, "cannot print '%s' as %s: %s", v->name, format_name(k), why);
}

/* check_value refuses what format k cannot carry; the messages name the
 * variable and the kind of byte, never the value. */
static int check_value(enum format_kind k, const struct format_var *v, struct err *e)
{
	if (k != FORMAT_JSON && has(v, '\0'))
		return refuse(v, k,
		              "its value holds a NUL byte, which no environment variable can hold",
		              e);
	if (k != FORMAT_SHELL && !utf8_valid(v->value, v->value_len))
		return refuse(v, k, "its value is not valid UTF-8", e);
	if (k == FORMAT_DOCKER && has(v, '\n'))
		return refuse(v, k, "its value has a newline, which --env-file cannot carry", e);
	if (k == FORMAT_DOCKER && has(v, '\r'))
		return refuse(v, k,
		              "its value has a carriage return, which --env-file cannot carry", e);
	if (k == FORMAT_DOCKER && strlen(v->name) + 1 + v->value_len > DOCKER_MAX_LINE)
		return refuse(v, k, "its line would pass --env-file's 65535-byte limit", e);
	if (k == FORMAT_GITHUB && strcasecmp(v->name, "NODE_OPTIONS") == 0)
		return refuse(v, k, "the Actions runner refuses to set it from $GITHUB_ENV", e);
	return 0;
}

/* put_escaped appends value bytes, each byte found in `specials` replaced by
 * escape(byte, next byte or NUL); runs of plain bytes are copied whole. */
static int put_escaped(struct buf *out, const char *s, size_t n, const char *specials,
                       const char *(*escape)(char c, char next), struct err *e)
{
	size_t run = 0;

	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		const char *rep;

		if (s[i] == '\0' || strchr(specials, s[i]) == NULL)
			continue;
		rep = escape(s[i], i + 1 < n ? s[i + 1] : '\0');
		if (rep == NULL)
			continue;
		if (buf_append(out, s + run, i - run, e) < 0 || buf_puts(out, rep, e) < 0)
			return -1;
		run = i + 1;
	}
	return buf_append(out, s + run, n - run, e);
}

/* --- shell: export NAME='...', ' written as '\'' --- */

static const char *shell_escape(char c, char next)
{
	(void)c;
	(void)next;
	return "'\\''";
}

static int render_shell(const struct format_var *v, struct buf *out, struct err *e)
{
	if (buf_puts(out, "export ", e) < 0 || buf_puts(out, v->name, e) < 0 ||
	    buf_puts(out, "='", e) < 0 ||
	    put_escaped(out, v->value, v->value_len, "'", shell_escape, e) < 0)
		return -1;
	return buf_puts(out, "'\n", e);
}

/* --- dotenv: python-dotenv's parser.py and variables.py --- */

/* In single quotes python-dotenv decodes only \\ and \'. A backslash is
 * doubled only when the next byte would pair with it. */
static const char *dotenv_single(char c, char next)
{
	if (c == '\'')
		return "\\'";
	if (c == '$')
		return "${=:-$}";
	return next == '\\' || next == '\'' ? "\\\\" : NULL;
}

/* In double quotes it decodes \\ \' \" \a \b \f \n \r \t \v, so every
 * backslash is doubled; CR and LF are written as escapes because the file
 * is read in text mode with universal newlines. */
static const char *dotenv_double(char c, char next)
{
	(void)next;
	switch (c) {
	case '"':
		return "\\\"";
	case '\r':
		return "\\r";
	case '\n':
		return "\\n";
	case '$':
		return "${=:-$}";
	default:
		return "\\\\";
	}
}

/* render_dotenv writes NAME='...' (or "..." when the value has a CR).
 * dotenv_values() expands ${NAME} and ${NAME:-default} in every value,
 * quoted or not, after unescaping; no name holding '=' can be in an
 * environment, so ${=:-$} always gives back "$". It is used for every '$'
 * once a value holds "${" (then no other '$' can start an expansion). A
 * value ending in a backslash would leave \' or \" before the closing
 * quote, which the parser's regex takes for an escaped quote and runs on to
 * the next line, so such a value ends with the empty expansion ${=:-}. */
static int render_dotenv(const struct format_var *v, struct buf *out, struct err *e)
{
	bool trailing_bs = v->value_len > 0 && v->value[v->value_len - 1] == '\\';
	bool interp = trailing_bs || has_str(v, "${");
	bool dq = has(v, '\r');
	const char *specials;

	if (dq)
		specials = interp ? "\\\"\r\n$" : "\\\"\r\n";
	else
		specials = interp ? "'\\$" : "'\\";
	if (buf_puts(out, v->name, e) < 0 || buf_puts(out, dq ? "=\"" : "='", e) < 0 ||
	    put_escaped(out, v->value, v->value_len, specials, dq ? dotenv_double : dotenv_single,
	                e) < 0)
		return -1;
	if (trailing_bs && buf_puts(out, "${=:-}", e) < 0)
		return -1;
	return buf_puts(out, dq ? "\"\n" : "'\n", e);
}

/* --- json --- */

/* json_escape writes the escape for c: a quote, a backslash or a control
 * byte (RFC 8259 section 7). */
static void json_escape(unsigned char c, char esc[7])
{
	static const char from[] = "\"\\\b\f\n\r\t", to[] = "\"\\bfnrt";
	const char *f = c != 0 ? memchr(from, c, sizeof(from) - 1) : NULL;

	esc[0] = '\\';
	if (f != NULL) {
		esc[1] = to[f - from];
		esc[2] = '\0';
		return;
	}
	memcpy(esc + 1, "u00", 3);
	esc[4] = hex_digits[c >> 4];
	esc[5] = hex_digits[c & 15];
	esc[6] = '\0';
}

static int json_string(struct buf *out, const char *s, size_t n, struct err *e)
{
	size_t run = 0;

	if (buf_putc(out, '"', e) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[7];

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		json_escape(c, esc);
		if (buf_append(out, s + run, i - run, e) < 0 || buf_puts(out, esc, e) < 0)
			return -1;
		run = i + 1;
	}
	if (buf_append(out, s + run, n - run, e) < 0)
		return -1;
	return buf_putc(out, '"', e);
}

static int render_json(const struct format_var *vars, size_t n, struct buf *out, struct err *e)
{
	if (buf_putc(out, '{', e) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && buf_putc(out, ',', e) < 0)
			return -1;
		if (json_string(out, vars[i].name, strlen(vars[i].name), e) < 0 ||
		    buf_putc(out, ':', e) < 0 ||
		    json_string(out, vars[i].value, vars[i].value_len, e) < 0)
			return -1;
	}
	return buf_puts(out, "}\n", e);
}

/* --- github: actions/runner SetEnvFileCommand and ActionCommand --- */

static void hex_encode(const unsigned char *p, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex_digits[p[i] >> 4];
		out[2 * i + 1] = hex_digits[p[i] & 15];
	}
	out[2 * n] = '\0';
}

static int random_bytes(unsigned char *p, size_t n, struct err *e)
{
	while (n > 0) {
		ssize_t got = getrandom(p, n, 0);

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return err_set(e, ERR_CONFIG, "unable to get random bytes: %s",
			               got < 0 ? strerror(errno) : "no data");
		p += got;
		n -= (size_t)got;
	}
	return 0;
}

int format_github_delimiter(const char *seed, unsigned attempt, char out[FORMAT_DELIM_SIZE],
                            struct err *e)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned char in[4] = {(unsigned char)(attempt >> 24), (unsigned char)(attempt >> 16),
	                       (unsigned char)(attempt >> 8), (unsigned char)attempt};
	EVP_MD_CTX *ctx;
	int ok;

	memcpy(out, DELIM_PREFIX, sizeof(DELIM_PREFIX) - 1);
	if (seed == NULL) {
		if (random_bytes(md, DELIM_RANDOM_BYTES, e) < 0)
			return -1;
	} else {
		ctx = EVP_MD_CTX_new();
		if (ctx == NULL)
			return err_nomem(e);
		ok = EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) &&
		     EVP_DigestUpdate(ctx, seed, strlen(seed)) && EVP_DigestUpdate(ctx, in, 4) &&
		     EVP_DigestFinal_ex(ctx, md, NULL);
		EVP_MD_CTX_free(ctx);
		if (!ok)
			return err_set(e, ERR_CONFIG,
			               "unable to derive a delimiter: SHA-256 failed");
	}
	hex_encode(md, DELIM_RANDOM_BYTES, out + sizeof(DELIM_PREFIX) - 1);
	return 0;
}

/* github_blank tells whether s holds only what .NET's Char.IsWhiteSpace
 * calls white space: the runner refuses such a mask with a warning. */
static bool github_blank(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;

	for (size_t i = 0; i < n;) {
		size_t len = utf8_len(p + i, n - i);
		uint32_t cp = p[i];

		if (len == 2)
			cp = (uint32_t)(p[i] & 0x1f) << 6 | (p[i + 1] & 0x3f);
		else if (len == 3)
			cp = (uint32_t)(p[i] & 0x0f) << 12 | (uint32_t)(p[i + 1] & 0x3f) << 6 |
			     (p[i + 2] & 0x3f);
		if (len == 0 || len == 4)
			return false;
		if (!((cp >= 0x09 && cp <= 0x0d) || cp == 0x20 || cp == 0x85 || cp == 0xa0 ||
		      cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200a) || cp == 0x2028 ||
		      cp == 0x2029 || cp == 0x202f || cp == 0x205f || cp == 0x3000))
			return false;
		i += len;
	}
	return true;
}

static const char *mask_escape(char c, char next)
{
	(void)next;
	return c == '%' ? "%25" : c == '\r' ? "%0D" : "%0A";
}

static int put_mask(struct buf *masks, const char *s, size_t n, struct err *e)
{
	if (n == 0 || github_blank(s, n))
		return 0;
	if (buf_puts(masks, "::add-mask::", e) < 0 ||
	    put_escaped(masks, s, n, "%\r\n", mask_escape, e) < 0)
		return -1;
	return buf_putc(masks, '\n', e);
}

/* github_masks masks every line of the value (split at LF, CR kept and
 * escaped) and, for a line holding a CR, every piece between CRs too: the
 * runner reads a step's output a line at a time and counts a lone CR as a
 * line break, so those pieces are what can reach the log. */
static int github_masks(const struct format_var *v, struct buf *masks, struct err *e)
{
	const char *p = v->value, *end = v->value + v->value_len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl != NULL ? nl : end;

		if (put_mask(masks, p, (size_t)(eol - p), e) < 0)
			return -1;
		if (memchr(p, '\r', (size_t)(eol - p)) != NULL) {
			for (const char *q = p; q <= eol;) {
				const char *cr = memchr(q, '\r', (size_t)(eol - q));
				const char *stop = cr != NULL ? cr : eol;

				if (put_mask(masks, q, (size_t)(stop - q), e) < 0)
					return -1;
				q = stop + 1;
			}
		}
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	return 0;
}

/* render_github writes NAME<<DELIM\nvalue\nDELIM\n, drawing delimiters
 * until one does not occur anywhere in the value (so it cannot be a line
 * of it, whatever the runner counts as a line ending). */
static int render_github(const struct format_var *v, const char *seed, unsigned *attempt,
                         struct buf *out, struct buf *masks, struct err *e)
{
	char delim[FORMAT_DELIM_SIZE];

	for (unsigned tries = 0;; tries++) {
		if (tries == DELIM_MAX_ATTEMPTS)
			return refuse(v, FORMAT_GITHUB, "no delimiter found outside its value", e);
		if (format_github_delimiter(seed, (*attempt)++, delim, e) < 0)
			return -1;
		if (!has_str(v, delim))
			break;
	}
	if (github_masks(v, masks, e) < 0 || buf_puts(out, v->name, e) < 0 ||
	    buf_puts(out, "<<", e) < 0 || buf_puts(out, delim, e) < 0 ||
	    buf_putc(out, '\n', e) < 0 || buf_append(out, v->value, v->value_len, e) < 0 ||
	    buf_putc(out, '\n', e) < 0 || buf_puts(out, delim, e) < 0)
		return -1;
	return buf_putc(out, '\n', e);
}

/* --- docker: NAME=value, taken literally --- */

static int render_docker(const struct format_var *v, struct buf *out, struct err *e)
{
	if (buf_puts(out, v->name, e) < 0 || buf_putc(out, '=', e) < 0 ||
	    buf_append(out, v->value, v->value_len, e) < 0)
		return -1;
	return buf_putc(out, '\n', e);
}

static int render_one(enum format_kind k, const struct format_var *v, const char *seed,
                      unsigned *attempt, struct buf *out, struct buf *masks, struct err *e)
{
	switch (k) {
	case FORMAT_SHELL:
		return render_shell(v, out, e);
	case FORMAT_DOTENV:
		return render_dotenv(v, out, e);
	case FORMAT_GITHUB:
		return render_github(v, seed, attempt, out, masks, e);
	case FORMAT_DOCKER:
		return render_docker(v, out, e);
	case FORMAT_JSON:
		break;
	}
	return err_set(e, ERR_USAGE, "invalid format %d", (int)k);
}

static int render_all(enum format_kind k, const struct format_var *vars, size_t n, const char *seed,
                      struct buf *out, struct buf *masks, struct err *e)
{
	unsigned attempt = 0;

	if ((size_t)k >= sizeof(kind_names) / sizeof(kind_names[0]))
		return err_set(e, ERR_USAGE, "invalid format %d", (int)k);
	if (k == FORMAT_GITHUB && masks == NULL)
		return err_set(e, ERR_USAGE, "the github format needs a buffer for its masks");
	for (size_t i = 0; i < n; i++) {
		if (vars[i].name == NULL || !names_valid_var(vars[i].name))
			return err_set(e, ERR_NAMES,
			               "cannot print variable %zu as %s: invalid name", i + 1,
			               format_name(k));
		if (vars[i].value == NULL)
			return err_set(e, ERR_NAMES, "cannot print '%s': no value", vars[i].name);
		if (check_value(k, &vars[i], e) < 0)
			return -1;
	}
	if (k == FORMAT_JSON)
		return render_json(vars, n, out, e);
	for (size_t i = 0; i < n; i++) {
		if (render_one(k, &vars[i], seed, &attempt, out, masks, e) < 0)
			return -1;
	}
	return 0;
}

int format_render(enum format_kind k, const struct format_var *vars, size_t n,
                  const char *github_delimiter_seed, struct buf *out, struct buf *github_masks,
                  struct err *e)
{
	size_t out_len = out->len;
	size_t masks_len = github_masks != NULL ? github_masks->len : 0;

	if (render_all(k, vars, n, github_delimiter_seed, out, github_masks, e) == 0)
		return 0;
	buf_truncate(out, out_len);
	if (github_masks != NULL)
		buf_truncate(github_masks, masks_len);
	return -1;
}

/* --- files --- */

static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* temp_open creates "<dir>/.<base>.<hex>.tmp" beside path, mode 0600. */
static int temp_open(const char *path, struct buf *tmp, struct err *e)
{
	const char *slash = strrchr(path, '/');
	size_t dir_len = slash != NULL ? (size_t)(slash - path) + 1 : 0;

	for (int tries = 0; tries < TEMP_MAX_ATTEMPTS; tries++) {
		unsigned char rnd[8];
		char hex[2 * sizeof(rnd) + 1];
		int fd;

		if (random_bytes(rnd, sizeof(rnd), e) < 0)
			return -1;
		hex_encode(rnd, sizeof(rnd), hex);
		buf_truncate(tmp, 0);
		if (buf_append(tmp, path, dir_len, e) < 0 || buf_putc(tmp, '.', e) < 0 ||
		    buf_puts(tmp, path + dir_len, e) < 0 || buf_printf(tmp, e, ".%s.tmp", hex) < 0)
			return -1;
		fd = open(tmp->data, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (fd >= 0)
			return fd;
		if (errno != EEXIST)
			return err_set(e, ERR_CONFIG,
			               "unable to create a temporary file beside '%s': %s", path,
			               strerror(errno));
	}
	return err_set(e, ERR_CONFIG, "unable to create a temporary file beside '%s': %s", path,
	               strerror(EEXIST));
}

/* sync_dir makes the rename durable; best effort, as the file is in place. */
static void sync_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char dir[4096];
	int fd;

	if (slash == NULL) {
		dir[0] = '.', dir[1] = '\0';
	} else if ((size_t)(slash - path) + 2 <= sizeof(dir)) {
		size_t n = slash == path ? 1 : (size_t)(slash - path);

		memcpy(dir, path, n);
		dir[n] = '\0';
	} else {
		return;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
}

/* replace_file puts data in place of the regular file (or nothing) at
 * path: a temporary file beside it, written, synced, renamed over it. A
 * stop signal in the meantime removes the temporary file, leaves path
 * untouched, and then ends envssm. */
static int replace_file(const char *path, const struct buf *data, struct err *e)
{
	struct buf tmp = BUF_INIT;
	int fd, rc = -1, saved = 0;
	sigset_t old;

	file_hold_stop_signals(&old);
	fd = temp_open(path, &tmp, e);
	if (fd < 0)
		goto cleanup;
	/* the umask may have narrowed 0600: make it exact */
	if (fchmod(fd, 0600) < 0 || write_all(fd, data->data, data->len) < 0 || fsync(fd) < 0)
		saved = errno;
	if (close(fd) < 0 && saved == 0)
		saved = errno;
	if (saved == 0 && file_stop_signal_waits(&old))
		saved = EINTR;
	if (saved == 0 && rename(tmp.data, path) < 0)
		saved = errno;
	if (saved != 0) {
		unlink(tmp.data);
		err_set(e, ERR_CONFIG, "unable to write '%s': %s", path, strerror(saved));
		goto cleanup;
	}
	sync_dir(path);
	rc = 0;
cleanup:
	pthread_sigmask(SIG_SETMASK, &old, NULL); /* a waiting stop signal ends envssm here */
	buf_release(&tmp);
	return rc;
}

/* write_in_place writes data into what path names when that is not a
 * regular file: a terminal, /dev/null, a pipe behind /dev/stdout, a FIFO.
 * The open does not wait for a FIFO's reader: one must be there already. */
static int write_in_place(const char *path, const struct stat *st, const struct buf *data,
                          struct err *e)
{
	const char *why = NULL;
	int fd = open(path, O_WRONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC), flags;
	struct stat now;

	if (fd < 0)
		return err_set(e, ERR_CONFIG, "unable to write '%s': %s", path,
		               errno == ENXIO && S_ISFIFO(st->st_mode)
		                       ? "no process has the FIFO open for reading"
		                       : strerror(errno));
	if (fstat(fd, &now) < 0 || (flags = fcntl(fd, F_GETFL)) < 0)
		why = strerror(errno);
	else if (S_ISREG(now.st_mode))
		why = "it became a regular file while being opened";
	else if (fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0 ||
	         write_all(fd, data->data, data->len) < 0)
		why = strerror(errno);
	if (close(fd) < 0 && why == NULL)
		why = strerror(errno);
	if (why != NULL)
		return err_set(e, ERR_CONFIG, "unable to write '%s': %s", path, why);
	return 0;
}

/* is_stdout tells whether st is the file that standard output already
 * writes to: /dev/stdout when the shell sent it to a file. */
static bool is_stdout(const struct stat *st)
{
	struct stat out;

	return fstat(STDOUT_FILENO, &out) == 0 && out.st_dev == st->st_dev &&
	       out.st_ino == st->st_ino;
}

int format_write_file(const char *path, const struct buf *data, struct err *e)
{
	struct stat st;
	bool link;

	if (lstat(path, &st) < 0) {
		if (errno != ENOENT)
			return err_set(e, ERR_CONFIG, "unable to write '%s': %s", path,
			               strerror(errno));
		return replace_file(path, data, e);
	}
	if (S_ISREG(st.st_mode))
		return replace_file(path, data, e);
	/* a symlink to a terminal, a device or a pipe (/dev/stdout) is written
	 * through; one to a file is neither followed nor replaced */
	link = S_ISLNK(st.st_mode);
	if (link && stat(path, &st) < 0)
		return err_set(e, ERR_CONFIG, "unable to write '%s': %s", path,
		               errno == ENOENT ? "a symbolic link to nothing" : strerror(errno));
	/* standard output by another name: written as if it were not named,
	 * where the shell's > or >> left it */
	if (link && S_ISREG(st.st_mode) && is_stdout(&st)) {
		if (write_all(STDOUT_FILENO, data->data, data->len) < 0)
			return err_set(e, ERR_CONFIG, "unable to write '%s': %s", path,
			               strerror(errno));
		return 0;
	}
	if (link && S_ISREG(st.st_mode))
		return err_set(
		        e, ERR_CONFIG,
		        "unable to write '%s': a symbolic link to a file; name the file itself",
		        path);
	return write_in_place(path, &st, data, e);
}

int format_append_file(const char *path, const struct buf *data, struct err *e)
{
	int fd, saved;

	fd = file_open(path, O_WRONLY | O_APPEND | O_CREAT, e);
	if (fd < 0)
		return -1;
	if (write_all(fd, data->data, data->len) < 0) {
		saved = errno;
		close(fd);
		return err_set(e, ERR_CONFIG, "unable to append to '%s': %s", path,
		               strerror(saved));
	}
	if (close(fd) < 0)
		return err_set(e, ERR_CONFIG, "unable to append to '%s': %s", path,
		               strerror(errno));
	return 0;
}
