/* test_buf.c - the growable buffer and the arena. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "arena.h"
#include "buf.h"

static void
test_buf_append_keeps_nul_and_limit(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 8);
	assert_string_equal(buf_str(&b), "");
	assert_int_equal(buf_puts(&b, "abcd"), 0);
	assert_int_equal(buf_appendf(&b, "%d", 123), 0);
	assert_string_equal(b.data, "abcd123");
	assert_int_equal(buf_puts(&b, "xy"), -E2BIG);
	assert_string_equal(b.data, "abcd123");	/* unchanged on error */
	assert_int_equal(buf_putc(&b, 'z'), 0);
	assert_int_equal(b.len, 8);
	buf_truncate(&b, 2);
	assert_string_equal(b.data, "ab");
	buf_release(&b);
}

static void
test_buf_take_hands_over(void **state)
{
	struct buf b;
	size_t n;
	char *s;

	(void)state;
	buf_init(&b, 100);
	s = buf_take(&b, &n);
	assert_non_null(s);
	assert_string_equal(s, "");
	free(s);
	assert_int_equal(buf_puts(&b, "hello"), 0);
	s = buf_take(&b, &n);
	assert_string_equal(s, "hello");
	assert_int_equal(n, 5);
	assert_null(b.data);
	free(s);
}

static void
test_arena_many_and_large(void **state)
{
	struct arena a;
	char *p, *big;
	int i;

	(void)state;
	arena_init(&a);
	for (i = 0; i < 10000; i++) {
		p = arena_strdup(&a, "some string");
		assert_non_null(p);
		assert_string_equal(p, "some string");
		assert_int_equal((uintptr_t)p % _Alignof(max_align_t), 0);
	}
	big = arena_zalloc(&a, 1 << 20);
	assert_non_null(big);
	assert_int_equal(big[(1 << 20) - 1], 0);
	p = arena_strdup(&a, "after");
	assert_string_equal(p, "after");
	arena_reset(&a);
	p = arena_strndup(&a, "abcdef", 3);
	assert_string_equal(p, "abc");
	arena_release(&a);
	arena_release(&a);	/* twice is fine */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buf_append_keeps_nul_and_limit),
		cmocka_unit_test(test_buf_take_hands_over),
		cmocka_unit_test(test_arena_many_and_large),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
