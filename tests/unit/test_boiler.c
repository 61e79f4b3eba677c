/*
 * test_boiler.c - the per-source boilerplate counts of feeds/boiler.h: when a segment becomes
 * boilerplate (BOILER_MIN items of other stories, a share of the source's items), that sources
 * are apart, that silent sources are forgotten, and save and load.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "boiler.h"
#include "buf.h"

#define SRC_A		0x1111111111111111ULL
#define SRC_B		0x2222222222222222ULL
#define PROMO		0xabcdef0123456789ULL	/* the segment every item of a source ends with */
#define DAY		19000

static struct boiler *
new_boiler(void)
{
	struct boiler *b = NULL;

	assert_int_equal(boiler_new(&b), 0);
	assert_non_null(b);
	return b;
}

/* One item of the source: a segment of its own (from its story) and, when promo, PROMO. */
static void
item(struct boiler *b, uint64_t source, int64_t day, uint64_t story, bool promo)
{
	uint64_t seg[2] = { 0x9e3779b97f4a7c15ULL * (story + 1) ^ source, PROMO };

	assert_int_equal(boiler_learn(b, source, day, seg, promo ? 2 : 1, story), 0);
}

static bool
is_boiler(const struct boiler *b, uint64_t source, uint64_t seg)
{
	bool drop = true;
	size_t n = boiler_check(b, source, &seg, 1, &drop);

	assert_int_equal(n, drop ? 1 : 0);
	return drop;
}

static void
test_a_segment_is_boilerplate_after_min_items(void **state)
{
	struct boiler *b = new_boiler();
	uint64_t story;

	(void)state;
	assert_false(is_boiler(b, SRC_A, PROMO));
	for (story = 0; story < BOILER_MIN; story++) {
		assert_false(is_boiler(b, SRC_A, PROMO));	/* the young source keeps it */
		item(b, SRC_A, DAY, story, true);
	}
	assert_true(is_boiler(b, SRC_A, PROMO));
	assert_false(is_boiler(b, SRC_B, PROMO));		/* another source's is its own */
	assert_false(is_boiler(b, SRC_A, 0x9e3779b97f4a7c15ULL ^ SRC_A));	/* one story's own line */
	assert_int_equal(boiler_sources(b), 1);
	boiler_free(b);
}

/* A source's updates of one story under new ids repeat its lead: that is no boilerplate. */
static void
test_items_of_one_story_count_once(void **state)
{
	struct boiler *b = new_boiler();
	int i;

	(void)state;
	for (i = 0; i < 10; i++)
		item(b, SRC_A, DAY, 7, true);
	assert_false(is_boiler(b, SRC_A, PROMO));
	item(b, SRC_A, DAY, 8, true);
	item(b, SRC_A, DAY, 9, true);
	assert_true(is_boiler(b, SRC_A, PROMO));
	boiler_free(b);
}

/* A sentence a busy source uses now and then (a quote, a clause) stays content. */
static void
test_a_rare_segment_of_a_busy_source_stays(void **state)
{
	struct boiler *b = new_boiler();
	uint64_t story;

	(void)state;
	for (story = 0; story < 100; story++)
		item(b, SRC_A, DAY, story, story % 10 == 0);
	assert_false(is_boiler(b, SRC_A, PROMO));		/* 10 of 100 items: under a quarter */
	for (; story < 200; story++)
		item(b, SRC_A, DAY, story, true);
	assert_true(is_boiler(b, SRC_A, PROMO));		/* now in most of them */
	boiler_free(b);
}

/* A source silent for BOILER_DAYS is forgotten; its counts go with it. */
static void
test_silent_sources_are_forgotten(void **state)
{
	struct boiler *b = new_boiler();
	uint64_t story;

	(void)state;
	for (story = 0; story < 5; story++) {
		item(b, SRC_A, DAY, story, true);
		item(b, SRC_B, DAY, story, true);
	}
	for (story = 0; story < 5; story++)
		item(b, SRC_B, DAY + BOILER_DAYS, 100 + story, true);
	assert_true(is_boiler(b, SRC_A, PROMO));
	item(b, SRC_B, DAY + BOILER_DAYS + 1, 200, true);
	assert_false(is_boiler(b, SRC_A, PROMO));
	assert_true(is_boiler(b, SRC_B, PROMO));
	assert_int_equal(boiler_sources(b), 1);
	boiler_free(b);
}

/* Many one-off segments do not push out the one a source repeats. */
static void
test_one_off_segments_do_not_evict_the_boilerplate(void **state)
{
	struct boiler *b = new_boiler();
	uint64_t seg[9], story;
	size_t k;

	(void)state;
	for (story = 0; story < 1000; story++) {
		for (k = 0; k < 8; k++)
			seg[k] = (story * 8 + k + 1) * 0x9e3779b97f4a7c15ULL;
		seg[8] = PROMO;
		assert_int_equal(boiler_learn(b, SRC_A, DAY, seg, 9, story), 0);
	}
	assert_true(is_boiler(b, SRC_A, PROMO));
	assert_false(is_boiler(b, SRC_A, seg[0]));
	boiler_free(b);
}

static void
test_save_load_round_trip(void **state)
{
	struct boiler *b = new_boiler(), *l = new_boiler(), *l2 = new_boiler();
	struct buf s, s2;
	uint64_t story;
	size_t used = 0, i;

	(void)state;
	for (story = 0; story < 40; story++) {
		item(b, SRC_A, DAY, story, true);
		item(b, SRC_B, DAY + 1, story, story % 8 == 0);
	}
	buf_init(&s, 1u << 20);
	buf_init(&s2, 1u << 20);
	assert_int_equal(boiler_save(b, &s), 0);
	assert_int_equal(buf_append(&s, "tail", 4), 0);	/* what follows is not read */
	assert_int_equal(boiler_load(l, s.data, s.len, &used), 0);
	assert_int_equal(used, s.len - 4);
	assert_int_equal(boiler_sources(l), 2);
	assert_true(is_boiler(l, SRC_A, PROMO));
	assert_false(is_boiler(l, SRC_B, PROMO));
	assert_int_equal(boiler_save(l, &s2), 0);
	assert_int_equal(s2.len, used);
	assert_memory_equal(s.data, s2.data, used);
	/* The same next steps give the same state. */
	item(b, SRC_B, DAY + 2, 999, true);
	item(l, SRC_B, DAY + 2, 999, true);
	buf_clear(&s);
	buf_clear(&s2);
	assert_int_equal(boiler_save(b, &s), 0);
	assert_int_equal(boiler_save(l, &s2), 0);
	assert_int_equal(s.len, s2.len);
	assert_memory_equal(s.data, s2.data, s.len);

	/* Every truncation is refused, or read as a state that ends sooner. */
	for (i = 0; i < s.len; i++) {
		struct boiler *t = new_boiler();
		int r = boiler_load(t, s.data, i, &used);

		assert_true(r == -EINVAL || (r == 0 && used <= i));
		boiler_free(t);
	}
	assert_int_equal(boiler_load(l, s.data, s.len, &used), -EINVAL);	/* not into a used one */
	(void)l2;
	boiler_free(b);
	boiler_free(l);
	boiler_free(l2);
	buf_release(&s);
	buf_release(&s2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_segment_is_boilerplate_after_min_items),
		cmocka_unit_test(test_items_of_one_story_count_once),
		cmocka_unit_test(test_a_rare_segment_of_a_busy_source_stays),
		cmocka_unit_test(test_silent_sources_are_forgotten),
		cmocka_unit_test(test_one_off_segments_do_not_evict_the_boilerplate),
		cmocka_unit_test(test_save_load_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
