/* test_item.c - the model's hashes: ids must never change, change detection must see every byte. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "item.h"

/* Stored hashes are compared with new ones: a different function would rewrite every stored item. */
static void
test_hashes_are_pinned(void **state)
{
	(void)state;
	assert_true(item_hash(ITEM_HASH_INIT, "abc") == item_hash(ITEM_HASH_INIT, "abc"));
	assert_true(item_hash_bytes("", 0) == item_hash_bytes("", 0));
	assert_true(item_hash_bytes("The quick brown fox", 19) == 0x879bb8abc9cb2891ULL);
	assert_true(item_hash(ITEM_HASH_INIT, "The quick brown fox") == 0x830776d8d58d6967ULL);
}

static void
test_every_byte_and_length_counts(void **state)
{
	unsigned char buf[64];
	uint64_t seen[64 * 8 + 64];
	size_t i, j, k, n = 0;

	(void)state;
	memset(buf, 'a', sizeof(buf));
	for (i = 0; i < sizeof(buf); i++)
		seen[n++] = item_hash_bytes(buf, i);		/* every length of the same bytes */
	for (i = 0; i < sizeof(buf); i++)
		for (j = 0; j < 8; j++) {
			buf[i] ^= (unsigned char)(1u << j);	/* every single bit flipped */
			seen[n++] = item_hash_bytes(buf, sizeof(buf));
			buf[i] ^= (unsigned char)(1u << j);
		}
	for (i = 0; i < n; i++)
		for (k = i + 1; k < n; k++)
			if (seen[i] == seen[k])
				fail_msg("collision between cases %zu and %zu", i, k);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hashes_are_pinned),
		cmocka_unit_test(test_every_byte_and_length_counts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
