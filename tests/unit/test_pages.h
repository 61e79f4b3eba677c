/*
 * test_pages.h - the saved pages of tests/data/html, read whole for the unit tests that scrape
 * and extract them. Include after <cmocka.h> and "buf.h".
 */
#ifndef WIREDESK_TEST_PAGES_H
#define WIREDESK_TEST_PAGES_H

#include <stdio.h>

#define HTML_DIR	TEST_DATA "/html/"

/* tests/data/html/NAME into b (initialized here, up to 64 MiB); fails the test when unreadable. */
static void
read_page(const char *name, struct buf *b)
{
	char path[512], chunk[65536];
	size_t n;
	FILE *f;

	(void)snprintf(path, sizeof(path), HTML_DIR "%s", name);
	f = fopen(path, "rb");
	assert_non_null(f);
	buf_init(b, 64u << 20);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		assert_int_equal(buf_append(b, chunk, n), 0);
	fclose(f);
}

#endif
