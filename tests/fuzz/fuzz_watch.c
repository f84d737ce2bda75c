/*
 * fuzz_watch.c - libFuzzer target for the watch loop's decisions: its
 * health, what it notes and how long it waits between polls.
 *
 * The first four bytes choose the interval (1 s to 24 h), the next eight
 * the jitter's seed; every byte after is a step: a poll that fails, one
 * that sees the running versions, one that sees a change whose build
 * fails, one whose build succeeds. After each step the state is checked
 * against the rules in watch.h.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "watch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_wait(const struct watch_state *st, long iv, unsigned long long *seed)
{
	long wait = watch_wait_ms(st, iv), jittered;
	long want = st->failures >= 2 ? WATCH_BACKOFF_INTERVALS * iv : iv << st->failures;

	/* doubling from one interval, capped, and one interval when all is well */
	if (wait != want || (st->failures == 0) != (wait == iv))
		abort();
	jittered = watch_jitter(wait, seed);
	if (jittered < wait - wait / 10 - 1 || jittered > wait + wait / 10)
		abort();
}

/* check_note: a note only for a change of health, and every change into a
 * failing health noted with its own note. */
static void check_note(enum watch_health was, const struct watch_state *st, enum watch_note n)
{
	if (n != WATCH_NOTE_NONE && was == st->health)
		abort();
	if (was != st->health && st->health == WATCH_POLL_FAILING && n != WATCH_NOTE_POLL_FAILING)
		abort();
	if (was != st->health && st->health == WATCH_BUILD_FAILING && n != WATCH_NOTE_BUILD_FAILING)
		abort();
	if ((n == WATCH_NOTE_POLL_BACK && was != WATCH_POLL_FAILING) ||
	    (n == WATCH_NOTE_VERSIONS_BACK && was != WATCH_BUILD_FAILING))
		abort();
	if (st->health == WATCH_OK && st->failures != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct watch_state st = {WATCH_OK, 0};
	unsigned long long seed = 1;
	uint32_t v = 0;
	long iv;

	if (size < 12)
		return 0;
	memcpy(&v, data, 4);
	memcpy(&seed, data + 4, 8);
	seed |= 1;
	iv = 1000 + (long)(v % (86400000u - 999u));
	for (size_t i = 12; i < size; i++) {
		enum watch_health was = st.health;
		enum watch_note n;

		switch (data[i] % 4) {
		case 0:
			n = watch_poll_failed(&st);
			break;
		case 1:
			n = watch_polled(&st, false);
			if (st.health != WATCH_OK)
				abort(); /* the running versions: nothing is failing */
			break;
		case 2:
			n = watch_polled(&st, true);
			check_note(was, &st, n);
			was = st.health;
			n = watch_build_failed(&st);
			break;
		default:
			n = watch_polled(&st, true);
			check_note(was, &st, n);
			was = st.health;
			watch_built(&st);
			if (st.health != WATCH_OK || st.failures != 0)
				abort();
			n = WATCH_NOTE_NONE; /* the restart is logged by the loop itself */
			break;
		}
		check_note(was, &st, n);
		check_wait(&st, iv, &seed);
	}
	return 0;
}
