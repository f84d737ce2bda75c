/*
 * log.h - envssm's own lines on stderr.
 *
 * Quiet on success by default; -v adds progress. Lines never carry a
 * parameter value, a credential, a token or an Authorization header: the
 * callers pass names, counts, timings and request ids only. The JSON-lines
 * format writes one object per line for log pipelines.
 */
#ifndef ENVSSM_LOG_H
#define ENVSSM_LOG_H

enum log_level {
	LOG_ERROR = 0,
	LOG_NOTICE = 1, /* shown by default */
	LOG_INFO = 2,   /* -v */
	LOG_DEBUG = 3,  /* -vv */
};

enum log_format {
	LOG_TEXT = 0,
	LOG_JSON,
};

/* log_init sets the verbosity (0 = default) and the format. */
void log_init(int verbosity, enum log_format format);

/* log_enabled tells whether a line at level would be written. */
int log_enabled(enum log_level level);

/* log_msg writes one line "envssm: ..." (or a JSON object) to stderr. */
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_error(...)  log_msg(LOG_ERROR, __VA_ARGS__)
#define log_notice(...) log_msg(LOG_NOTICE, __VA_ARGS__)
#define log_info(...)   log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...)  log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
