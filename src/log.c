/*
 * log.c - write envssm's lines to stderr, as text or JSON lines.
 */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int log_verbosity;
static enum log_format log_fmt = LOG_TEXT;

void log_init(int verbosity, enum log_format format)
{
	log_verbosity = verbosity;
	log_fmt = format;
}

int log_enabled(enum log_level level)
{
	return (int)level <= LOG_NOTICE + log_verbosity;
}

static const char *level_name(enum log_level level)
{
	switch (level) {
	case LOG_ERROR:
		return "error";
	case LOG_NOTICE:
		return "notice";
	case LOG_INFO:
		return "info";
	case LOG_DEBUG:
		return "debug";
	}
	return "info";
}

/* json_escape copies s into out as the inside of a JSON string. */
static void json_escape(const char *s, char *out, size_t size)
{
	size_t o = 0;

	for (; *s != '\0' && o + 7 < size; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			out[o++] = '\\';
			out[o++] = (char)c;
		} else if (c < 0x20) {
			o += (size_t)snprintf(out + o, size - o, "\\u%04x", c);
		} else {
			out[o++] = (char)c;
		}
	}
	out[o] = '\0';
}

static void write_line(const char *line, size_t n)
{
	/* one write per line so concurrent writers never interleave */
	while (n > 0) {
		ssize_t w = write(STDERR_FILENO, line, n);

		if (w <= 0)
			return;
		line += w;
		n -= (size_t)w;
	}
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	char text[2048], esc[4200], line[4400];
	struct timespec ts;
	va_list ap;
	int n;

	if (!log_enabled(level))
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	/* one line, whatever a hostile operand or response held */
	for (char *p = text; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	}
	if (log_fmt == LOG_JSON) {
		clock_gettime(CLOCK_REALTIME, &ts);
		json_escape(text, esc, sizeof(esc));
		n = snprintf(
		        line, sizeof(line),
		        "{\"time\":%lld.%03ld,\"level\":\"%s\",\"program\":\"envssm\",\"msg\":\"%s\"}\n",
		        (long long)ts.tv_sec, ts.tv_nsec / 1000000, level_name(level), esc);
	} else if (level == LOG_ERROR || level == LOG_NOTICE) {
		n = snprintf(line, sizeof(line), "envssm: %s\n", text);
	} else {
		n = snprintf(line, sizeof(line), "envssm: %s: %s\n", level_name(level), text);
	}
	if (n > 0)
		write_line(line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}
