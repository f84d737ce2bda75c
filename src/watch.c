/*
 * watch.c - poll, rebuild, restart; never stop a working program for a
 * failing poll.
 */
#include "watch.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "versions.h"

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int watch_parse_interval(const char *v, const char *from, long *ms, struct err *e)
{
	char *end;
	long n, unit = 1000;

	errno = 0;
	n = strtol(v, &end, 10);
	if (end != v && errno == 0) {
		if (!strcmp(end, "m"))
			unit = 60 * 1000, end++;
		else if (!strcmp(end, "h"))
			unit = 3600 * 1000, end++;
		else if (!strcmp(end, "s"))
			end++;
	}
	if (end == v || errno != 0 || *end != '\0' || n < 1 || n > 86400 / (unit / 1000))
		return err_set(e, ERR_USAGE,
		               "invalid %s '%.40s': use seconds or a number with s, m or h, "
		               "from 1s to 24h",
		               from, v);
	*ms = n * unit;
	return 0;
}

static const struct {
	const char *name;
	int sig;
} signal_names[] = {
        {"HUP", SIGHUP},   {"INT", SIGINT},   {"QUIT", SIGQUIT},   {"USR1", SIGUSR1},
        {"USR2", SIGUSR2}, {"TERM", SIGTERM}, {"WINCH", SIGWINCH}, {"KILL", SIGKILL},
        {"ALRM", SIGALRM}, {"PWR", SIGPWR},
};

int watch_parse_signal(const char *v, const char *from, int *sig, struct err *e)
{
	const char *name = strncasecmp(v, "SIG", 3) == 0 ? v + 3 : v;
	char *end;
	long n;

	for (size_t i = 0; i < sizeof(signal_names) / sizeof(signal_names[0]); i++) {
		if (strcasecmp(name, signal_names[i].name) == 0) {
			*sig = signal_names[i].sig;
			return 0;
		}
	}
	errno = 0;
	n = strtol(v, &end, 10);
	if (end != v && *end == '\0' && errno == 0 && n >= 1 && n <= SIGRTMAX && n != SIGSTOP &&
	    n != SIGCHLD) {
		*sig = (int)n;
		return 0;
	}
	return err_set(e, ERR_USAGE,
	               "invalid %s '%.40s': use a signal name such as TERM, INT, QUIT or HUP, "
	               "or a number",
	               from, v);
}

long watch_jitter(long ms, unsigned long long *seed)
{
	double r;

	/* xorshift64*: spreading a fleet's polls, never security */
	*seed ^= *seed >> 12;
	*seed ^= *seed << 25;
	*seed ^= *seed >> 27;
	r = (double)((*seed * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
	return (long)((double)ms * (0.9 + 0.2 * r));
}

long watch_wait_ms(const struct watch_state *st, long interval_ms)
{
	long wait = interval_ms;

	if (st->failures > 0) {
		unsigned shift = st->failures < 8 ? st->failures : 8;

		wait = interval_ms << shift;
		if (wait > interval_ms * WATCH_BACKOFF_INTERVALS)
			wait = interval_ms * WATCH_BACKOFF_INTERVALS;
	}
	return wait;
}

static enum watch_note fail(struct watch_state *st, enum watch_health health, enum watch_note note)
{
	bool news = st->health != health;

	st->health = health;
	if (st->failures < UINT_MAX)
		st->failures++;
	return news ? note : WATCH_NOTE_NONE;
}

enum watch_note watch_poll_failed(struct watch_state *st)
{
	return fail(st, WATCH_POLL_FAILING, WATCH_NOTE_POLL_FAILING);
}

enum watch_note watch_build_failed(struct watch_state *st)
{
	return fail(st, WATCH_BUILD_FAILING, WATCH_NOTE_BUILD_FAILING);
}

enum watch_note watch_polled(struct watch_state *st, bool changed)
{
	enum watch_note note = WATCH_NOTE_NONE;

	if (st->health == WATCH_POLL_FAILING) {
		note = WATCH_NOTE_POLL_BACK;
		st->health = WATCH_OK;
		st->failures = 0;
	}
	/* a change keeps a failing build's backoff until a build succeeds */
	if (!changed) {
		if (st->health == WATCH_BUILD_FAILING)
			note = WATCH_NOTE_VERSIONS_BACK;
		st->health = WATCH_OK;
		st->failures = 0;
	}
	return note;
}

void watch_built(struct watch_state *st)
{
	st->health = WATCH_OK;
	st->failures = 0;
}

struct loop {
	struct supervisor *s;
	const struct watch_opts *o;
	const struct watch_ops *ops;
	char *const *argv;
	int status;    /* the program's, once it exited */
	bool exited;   /* the program exited */
	bool stopping; /* a stop signal came: end with the program */
};

static bool stop_signal(int sig)
{
	return sig == SIGTERM || sig == SIGINT || sig == SIGQUIT;
}

/* wait_until forwards signals and reaps until deadline (monotonic ms) or
 * until the program exits; returns true when it did. */
static bool wait_until(struct loop *l, int64_t deadline)
{
	for (;;) {
		int64_t left = deadline - mono_ms();
		struct timespec ts;
		siginfo_t info;
		int sig, wstatus;
		pid_t pid;

		if (left <= 0)
			return false;
		ts.tv_sec = left / 1000;
		ts.tv_nsec = (left % 1000) * 1000000;
		sig = sigtimedwait(&l->s->waited, &info, &ts);
		if (sig < 0) {
			if (errno == EAGAIN)
				return false;
			continue;
		}
		if (sig != SIGCHLD) {
			if (stop_signal(sig))
				l->stopping = true;
			supervise_forward(l->s, sig);
			continue;
		}
		while ((pid = waitpid(-1, &wstatus, WNOHANG)) > 0) {
			if (pid == l->s->child) {
				l->status = supervise_status(wstatus);
				l->exited = true;
			}
		}
		if (l->exited)
			return true;
	}
}

/* restart stops the program and starts a new one on envp; returns false
 * when envssm must end (stop signal, the program could not start). */
static bool restart(struct loop *l, char **envp)
{
	pid_t old = l->s->child;
	int err = 0, rc;

	kill(l->s->to_group ? -old : old, l->o->stop_signal);
	if (!wait_until(l, mono_ms() + l->o->stop_timeout_ms)) {
		log_notice("'%s' still running %ld ms after signal %d: killing it", l->argv[0],
		           l->o->stop_timeout_ms, l->o->stop_signal);
		kill(-old, SIGKILL);
		kill(old, SIGKILL);
		while (!wait_until(l, mono_ms() + 1000))
			;
	}
	if (l->stopping) {
		l->ops->settle(l->ops->arg, false);
		return false;
	}
	l->exited = false;
	rc = supervise_start(l->s, l->argv, envp, &err);
	l->ops->settle(l->ops->arg, rc == 0);
	if (rc != 0) {
		log_error("unable to exec '%s': %s", l->argv[0], strerror(err));
		l->status = rc;
		l->exited = true;
		return false;
	}
	log_notice("restarted '%s' (pid %d)", l->argv[0], (int)l->s->child);
	return true;
}

/* settle polls again until two answers agree, so a deploy that writes
 * many parameters gives one restart; returns false when the program
 * exited meanwhile. fp holds the last answer. */
static bool settle(struct loop *l, struct buf *fp, long pause_ms, struct err *e)
{
	for (int round = 0; round < WATCH_SETTLE_ROUNDS; round++) {
		struct buf again = BUF_INIT;
		bool same;

		if (wait_until(l, mono_ms() + pause_ms))
			return false;
		if (l->ops->poll(l->ops->arg, &again, e) < 0) {
			buf_release(&again);
			return true; /* the build will meet the same failure */
		}
		same = again.len == fp->len && memcmp(again.data, fp->data, fp->len) == 0;
		buf_release(fp);
		*fp = again;
		if (same)
			break;
	}
	return true;
}

/* note logs a change of health, once. */
static void note(enum watch_note n, const struct err *e)
{
	switch (n) {
	case WATCH_NOTE_POLL_FAILING:
		log_error("watch: %s; the program keeps its environment, trying again", e->msg);
		break;
	case WATCH_NOTE_POLL_BACK:
		log_notice("watch: Parameter Store answers again");
		break;
	case WATCH_NOTE_BUILD_FAILING:
		log_error("watch: the new environment is not complete: %s; the program keeps its "
		          "environment, trying again",
		          e->msg);
		break;
	case WATCH_NOTE_VERSIONS_BACK:
		log_notice("watch: back to the running environment's versions");
		break;
	case WATCH_NOTE_NONE:
		break;
	}
}

int watch_run(struct supervisor *s, const struct watch_opts *o, const struct watch_ops *ops,
              char *const argv[], const struct buf *first)
{
	struct loop l = {s, o, ops, argv, 125, false, false};
	struct buf last = BUF_INIT, fp = BUF_INIT, diff = BUF_INIT;
	unsigned long long seed =
	        (unsigned long long)mono_ms() ^ ((unsigned long long)getpid() << 32);
	struct watch_state st = {WATCH_OK, 0};
	long pause = o->interval_ms / 10 < 1000 ? 1000 : o->interval_ms / 10;
	struct err e = {ERR_NONE, ""};

	if (pause > 10000)
		pause = 10000;
	seed |= 1;
	if (buf_append(&last, first->data, first->len, &e) < 0)
		return 125;
	for (;;) {
		char **envp = NULL;
		bool files_only = false, changed;

		if (wait_until(&l,
		               mono_ms() + watch_jitter(watch_wait_ms(&st, o->interval_ms), &seed)))
			break;
		buf_release(&fp);
		if (ops->poll(ops->arg, &fp, &e) < 0) {
			note(watch_poll_failed(&st), &e);
			continue;
		}
		changed = fp.len != last.len || memcmp(fp.data, last.data, fp.len) != 0;
		note(watch_polled(&st, changed), &e);
		if (!changed)
			continue;
		if (!settle(&l, &fp, pause, &e))
			break;
		if (ops->build(ops->arg, &envp, &files_only, &e) < 0) {
			note(watch_build_failed(&st), &e);
			continue;
		}
		watch_built(&st);
		buf_truncate(&diff, 0);
		versions_diff(&last, &fp, &diff, 20, &e);
		buf_release(&last);
		last = fp;
		buf_init(&fp);
		if (o->on_change != 0 && files_only) {
			log_notice("watch: changed: %s; files rewritten, signal %d to '%s'",
			           buf_cstr(&diff), o->on_change, argv[0]);
			kill(s->to_group ? -s->child : s->child, o->on_change);
			ops->settle(ops->arg, true);
			continue;
		}
		log_notice("watch: changed: %s; restarting '%s'", buf_cstr(&diff), argv[0]);
		if (!restart(&l, envp))
			break;
	}
	if (!l.exited)
		while (!wait_until(&l, mono_ms() + 60000))
			;
	buf_release(&last);
	buf_release(&fp);
	buf_release(&diff);
	return l.status;
}
