/* test_charset.c - encoding choice (BOM, caller, declaration) and decoding with repair, in any chunking. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "charset.h"

struct sniff_case {
	const char	*head;
	size_t		 len;		/* 0: strlen(head) */
	const char	*charset;	/* the caller's */
	const char	*want;
};

static const struct sniff_case sniffs[] = {
	{ "<?xml version=\"1.0\"?><rss/>", 0, NULL, "UTF-8" },
	{ "<?xml version=\"1.0\" encoding=\"euc-kr\"?><rss/>", 0, NULL, "euc-kr" },
	{ "<?xml version='1.0' encoding = 'ISO-8859-1' ?><rss/>", 0, NULL, "WINDOWS-1252" },
	{ "<?xml version=\"1.0\" encoding=\"iso-8859-1\"?><t>caf\xc3\xa9</t>", 0, NULL, "UTF-8" },
	{ "<?xml version=\"1.0\" encoding=\"utf-8\"?><rss/>", 0, "iso-8859-2", "iso-8859-2" },
	{ "\xef\xbb\xbf<?xml version=\"1.0\" encoding=\"iso-8859-2\"?>", 0, "big5", "UTF-8" },
	{ "\xff\xfe<\0r\0", 6, "ISO-8859-1", "UTF-16LE" },
	{ "\xfe\xff\0<\0r", 6, NULL, "UTF-16BE" },
	{ "<\0?\0x\0m\0", 8, NULL, "UTF-16LE" },
	{ "<?xml version=\"1.0\" encoding=\"UTF-16\"?><rss/>", 0, NULL, "UTF-8" },
	{ "<?xml version=\"1.0\" encoding=\"x-evil\"?><rss/>", 0, NULL, "UTF-8" },
};

static void
test_charset_sniff_order(void **state)
{
	struct charset_decoder *d;
	bool fallback;
	size_t i, len;

	(void)state;
	for (i = 0; i < sizeof(sniffs) / sizeof(sniffs[0]); i++) {
		len = sniffs[i].len != 0 ? sniffs[i].len : strlen(sniffs[i].head);
		assert_int_equal(charset_decoder_open(sniffs[i].head, len, sniffs[i].charset, true, &d, &fallback), 0);
		if (strcmp(charset_decoder_name(d), sniffs[i].want) != 0)
			fail_msg("case %zu: chose %s, want %s", i, charset_decoder_name(d), sniffs[i].want);
		charset_decoder_close(d);
	}
}

struct decode_case {
	const char	*charset;
	const char	*in;
	size_t		 len;
	const char	*want;
	bool		 repaired;
};

static const struct decode_case decodes[] = {
	{ "utf-8", "plain ascii", 11, "plain ascii", false },
	{ "utf-8", "\xef\xbb\xbf" "bom", 6, "bom", false },
	{ "utf-8", "caf\xc3\xa9 \xe2\x80\x99 \xf0\x9f\x98\x80", 14, "caf\xc3\xa9 \xe2\x80\x99 \xf0\x9f\x98\x80", false },
	{ "utf-8", "don\x92t", 5, "don\xe2\x80\x99t", true },		/* a Windows-1252 byte */
	{ "utf-8", "don\xc2\x92t", 6, "don\xe2\x80\x99t", true },	/* U+0092 meant as a quote */
	{ "utf-8", "a\x00" "b\x01" "c\td", 7, "abc\td", true },		/* controls XML forbids */
	{ "utf-8", "\xed\xa0\x80x", 4, "\xc3\xad\xc2\xa0\xe2\x82\xacx", true },	/* a surrogate: three bad bytes */
	{ "utf-8", "\xef\xbf\xbe!", 4, "!", true },			/* U+FFFE */
	{ "utf-8", "cut \xe2\x82", 6, "cut \xc3\xa2\xe2\x80\x9a", true },	/* cut at the very end */
	{ "windows-1252", "caf\xe9 \x93q\x94", 8, "caf\xc3\xa9 \xe2\x80\x9cq\xe2\x80\x9d", false },
	{ "UTF-16LE", "\xff\xfeh\0i\0", 6, "hi", false },
	{ "UTF-16LE", "h\0\x00\xd8i\0", 6, "h\xef\xbf\xbdi", true },	/* a lone surrogate */
	{ "EUC-KR", "\xc7\xd1\xb1\xdb", 4, "\xed\x95\x9c\xea\xb8\x80", false },
};

static void
decode_in_chunks(const struct decode_case *c, size_t chunk, struct buf *out, bool *repaired)
{
	struct charset_decoder *d;
	bool fallback;
	size_t i;

	assert_int_equal(charset_decoder_open(c->in, c->len, c->charset, false, &d, &fallback), 0);
	for (i = 0; i < c->len; i += chunk) {
		size_t k = c->len - i < chunk ? c->len - i : chunk;

		assert_int_equal(charset_decode(d, c->in + i, k, false, out, repaired), 0);
	}
	assert_int_equal(charset_decode(d, "", 0, true, out, repaired), 0);
	charset_decoder_close(d);
}

static void
test_charset_decode_repairs_in_any_chunking(void **state)
{
	size_t i, chunks[] = { 1, 2, 3, 1000 }, c;
	bool repaired;
	struct buf out;

	(void)state;
	for (i = 0; i < sizeof(decodes) / sizeof(decodes[0]); i++) {
		for (c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++) {
			buf_init(&out, 1 << 20);
			repaired = false;
			decode_in_chunks(&decodes[i], chunks[c], &out, &repaired);
			if (strcmp(buf_str(&out), decodes[i].want) != 0)
				fail_msg("case %zu chunk %zu: got '%s'", i, chunks[c], buf_str(&out));
			if (repaired != decodes[i].repaired)
				fail_msg("case %zu chunk %zu: repaired %d", i, chunks[c], repaired);
			buf_release(&out);
		}
	}
}

static void
test_charset_cp1252_holes(void **state)
{
	(void)state;
	assert_int_equal(charset_cp1252(0x80), 0x20AC);
	assert_int_equal(charset_cp1252(0x81), 0xFFFD);
	assert_int_equal(charset_cp1252(0x9F), 0x0178);
	assert_int_equal(charset_cp1252(0xE9), 0xE9);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_charset_sniff_order),
		cmocka_unit_test(test_charset_decode_repairs_in_any_chunking),
		cmocka_unit_test(test_charset_cp1252_holes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
