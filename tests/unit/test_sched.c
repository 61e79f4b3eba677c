/* test_sched.c - Retry-After, freshness, backoff, adaptive intervals, jitter, the heap of next polls. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sched.h"

#define NOW	1764150000000LL		/* 2025-11-26T09:40:00Z */
#define MIN	60000LL

static void
test_retry_after_seconds_and_dates_are_clamped(void **state)
{
	(void)state;
	assert_int_equal(sched_retry_after("120", NOW, MIN), NOW + 120000);
	assert_int_equal(sched_retry_after(" 120 ", NOW, MIN), NOW + 120000);
	assert_int_equal(sched_retry_after("5", NOW, MIN), NOW + MIN);		/* not before the interval */
	assert_int_equal(sched_retry_after("1000000000", NOW, MIN), NOW + SCHED_MAX_PAUSE);
	assert_int_equal(sched_retry_after("99999999999999999999999", NOW, MIN), NOW + SCHED_MAX_PAUSE);
	assert_int_equal(sched_retry_after("Wed, 26 Nov 2025 10:40:00 GMT", NOW, MIN), NOW + 3600000);
	assert_int_equal(sched_retry_after("Wed, 26 Nov 2025 09:00:00 GMT", NOW, MIN), NOW + MIN);
	assert_int_equal(sched_retry_after("soon", NOW, MIN), -1);
	assert_int_equal(sched_retry_after("-5", NOW, MIN), -1);
	assert_int_equal(sched_retry_after("12abc", NOW, MIN), -1);
	assert_int_equal(sched_retry_after("", NOW, MIN), -1);
	assert_int_equal(sched_retry_after(NULL, NOW, MIN), -1);
}

static void
test_freshness(void **state)
{
	(void)state;
	assert_int_equal(sched_fresh_for("max-age=300", NULL, NOW), 300000);
	assert_int_equal(sched_fresh_for("public, max-age=300, s-maxage=600", NULL, NOW), 600000);
	assert_int_equal(sched_fresh_for("no-cache, max-age=300", NULL, NOW), -1);
	assert_int_equal(sched_fresh_for("private", "Wed, 26 Nov 2025 09:50:00 GMT", NOW), 600000);
	assert_int_equal(sched_fresh_for(NULL, "Wed, 26 Nov 2025 09:00:00 GMT", NOW), 0);
	assert_int_equal(sched_fresh_for(NULL, "0", NOW), -1);
	assert_int_equal(sched_fresh_for("max-age=abc", NULL, NOW), -1);
	assert_int_equal(sched_fresh_for(NULL, NULL, NOW), -1);
}

static void
test_backoff_grows_to_the_cap_with_jitter_below(void **state)
{
	const struct sched_bounds b = { .interval = 15 * MIN, .min_interval = 2 * MIN, .max_interval = 24 * 60 * MIN };
	int64_t last = 0, w;
	int e;

	(void)state;
	for (e = 0; e < 12; e++) {
		w = sched_backoff(e, &b, 0);
		assert_true(w >= last);
		last = w;
	}
	assert_int_equal(last, b.max_interval);
	assert_int_equal(sched_backoff(1, &b, 0), 30 * MIN);
	w = sched_backoff(1, &b, UINT64_MAX);
	assert_true(w < 30 * MIN && w >= 30 * MIN * 3 / 4);
	assert_int_equal(sched_backoff(1000000, &b, 0), b.max_interval);
}

static void
test_adaptive_interval_stays_within_bounds_and_above_the_floor(void **state)
{
	const struct sched_bounds b = { .interval = 15 * MIN, .min_interval = 2 * MIN, .max_interval = 60 * MIN };
	int64_t i = 0;
	int k;

	(void)state;
	for (k = 0; k < 50; k++)
		i = sched_adapt(i, true, 0, &b);
	assert_int_equal(i, b.min_interval);
	for (k = 0; k < 50; k++)
		i = sched_adapt(i, false, 0, &b);
	assert_int_equal(i, b.max_interval);
	assert_int_equal(sched_adapt(0, true, 0, &b), 10 * MIN);
	assert_int_equal(sched_adapt(2 * MIN, true, 30 * MIN, &b), 30 * MIN);	/* ttl asked for more */
	assert_int_equal(sched_adapt(2 * MIN, true, 1000 * MIN, &b), 60 * MIN);
}

static void
test_jitter_only_lengthens_by_at_most_a_tenth(void **state)
{
	int64_t j;
	int k;

	(void)state;
	for (k = 0; k < 1000; k++) {
		j = sched_jitter(15 * MIN, sched_random());
		assert_true(j >= 15 * MIN && j <= 15 * MIN + 15 * MIN / 10);
	}
	assert_int_equal(sched_jitter(0, sched_random()), 0);
}

/* skipHours and skipDays move a poll to the first hour they allow, in UTC. */
static void
test_skip_hours_and_days(void **state)
{
	const int64_t h = 3600 * 1000LL, thu = 0, sun = 3 * 24 * h;	/* 1970-01-01 was a Thursday */

	(void)state;
	assert_int_equal(sched_skip(thu + 90 * 60000, 0, 0), thu + 90 * 60000);
	assert_int_equal(sched_skip(thu + 90 * 60000, 1u << 1, 0), thu + 2 * h);		/* 01:30 -> 02:00 */
	assert_int_equal(sched_skip(thu + 23 * h + 5, 1u << 23 | 1u | 1u << 1, 0), thu + 26 * h);	/* over midnight */
	assert_int_equal(sched_skip(thu + 5 * h, 0, 1u << 4), thu + 24 * h);		/* Thursday skipped */
	assert_int_equal(sched_skip(sun - 1, 0, 1u << 0 | 1u << 6), sun + 24 * h);	/* the weekend */
	assert_int_equal(sched_skip(sun + 1, 1u << 5, 1u << 1), sun + 1);		/* Sunday 00:00 is allowed */
	assert_int_equal(sched_skip(thu + 1, 1u, 1u << 5), thu + h);			/* Thursday 00:00 skipped */
	/* Every hour, or every day, skipped: read anyway. */
	assert_int_equal(sched_skip(thu + 7, SCHED_ALL_HOURS, 0), thu + 7);
	assert_int_equal(sched_skip(thu + 7, 0, SCHED_ALL_DAYS), thu + 7);
	/* Every day but Tuesday, every hour but noon: Tuesday noon, five days on. */
	assert_int_equal(sched_skip(thu, SCHED_ALL_HOURS & ~(1u << 12), SCHED_ALL_DAYS & ~(1u << 2)),
	    thu + 5 * 24 * h + 12 * h);
}

/* The heap's shape: each parent no later than its children, each id's place where it is. */
static void
assert_heap(const struct sched_heap *h)
{
	size_t i;

	for (i = 0; i < h->n; i++) {
		assert_true(i == 0 || h->e[(i - 1) / 2].when <= h->e[i].when);
		assert_int_equal(h->at[h->e[i].id], i + 1);
	}
}

/* Against a plain array: seeded sets, moves and removals, then the order they come out in. */
static void
test_heap_gives_the_earliest_first(void **state)
{
	enum { IDS = 500 };
	struct sched_heap h;
	int64_t want[IDS], when, last;
	uint64_t z, seed = 42;
	uint32_t id;
	size_t i, n, k;

	(void)state;
	assert_int_equal(sched_heap_init(&h, IDS), 0);
	assert_false(sched_heap_first(&h, &id, &when));
	for (i = 0; i < IDS; i++)
		want[i] = -1;
	for (k = 0; k < 20000; k++) {
		z = (seed += 0x9e3779b97f4a7c15ULL);	/* splitmix64, seeded: a failure repeats */
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
		z ^= z >> 31;
		id = (uint32_t)(z % IDS);
		if ((z >> 32) % 4 == 0) {
			sched_heap_remove(&h, id);
			want[id] = -1;
		} else {
			want[id] = (int64_t)((z >> 40) % 1000);	/* ties on purpose */
			sched_heap_set(&h, id, want[id]);
		}
		if (k % 97 == 0)
			assert_heap(&h);
	}
	sched_heap_set(&h, IDS, 0);		/* past the ids: ignored */
	assert_heap(&h);
	for (n = 0, i = 0; i < IDS; i++)
		n += want[i] >= 0;
	assert_int_equal(h.n, n);
	for (last = -1; sched_heap_first(&h, &id, &when); last = when) {
		assert_true(when >= last);
		assert_int_equal(want[id], when);
		want[id] = -1;
		sched_heap_remove(&h, id);
		n--;
	}
	assert_int_equal(n, 0);
	sched_heap_remove(&h, 3);		/* not in it: nothing */
	sched_heap_free(&h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_retry_after_seconds_and_dates_are_clamped),
		cmocka_unit_test(test_freshness),
		cmocka_unit_test(test_backoff_grows_to_the_cap_with_jitter_below),
		cmocka_unit_test(test_adaptive_interval_stays_within_bounds_and_above_the_floor),
		cmocka_unit_test(test_jitter_only_lengthens_by_at_most_a_tenth),
		cmocka_unit_test(test_skip_hours_and_days),
		cmocka_unit_test(test_heap_gives_the_earliest_first),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
