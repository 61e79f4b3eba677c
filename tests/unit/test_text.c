/* test_text.c - UTF-8 repair, clean text, entities and text from HTML, as tables of input and output. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <libxml/HTMLparser.h>
#include <utf8proc.h>

#include "buf.h"
#include "limits.h"
#include "text.h"

#define BIG		(1u << 20)	/* the "1 MB input" of the large cases */

/* An input may hold NUL bytes, so its length comes from the literal. */
#define CASE(in, want)	{ in, sizeof(in) - 1, want }

struct text_case {
	const char	*in;
	size_t		 len;
	const char	*want;
};

typedef int (*text_fn)(const char *, size_t, struct buf *);

/* Fails with the case number and both strings when got is not want. */
static void
expect_str(const char *what, size_t i, const struct buf *got, const char *want)
{
	if (got->len != strlen(want) || strcmp(buf_str(got), want) != 0)
		fail_msg("%s case %zu: got \"%s\" (%zu bytes), want \"%s\"", what, i, buf_str(got),
		    got->len, want);
}

static void
run_table(const char *what, text_fn fn, const struct text_case *cases, size_t n, size_t max)
{
	struct buf b;
	size_t i;

	for (i = 0; i < n; i++) {
		buf_init(&b, max);
		assert_int_equal(fn(cases[i].in, cases[i].len, &b), 0);
		expect_str(what, i, &b, cases[i].want);
		assert_true(text_utf8_valid(buf_str(&b), b.len));
		buf_release(&b);
	}
}

static const struct text_case clean_cases[] = {
	CASE("", ""),
	CASE("Plain title", "Plain title"),
	CASE("  Hello   world  ", "Hello world"),
	CASE("a\tb\nc\r\nd\fe\vf", "a b c d e f"),
	CASE(" \t\r\n ", ""),
	/* Catalogue 13: NUL and control characters are dropped; they do not split words. */
	CASE("a\0b", "ab"),
	CASE("a\x01\x08\x1b\x1f\x7f" "b", "ab"),
	CASE("a \x01 b", "a b"),
	CASE("a\xc2\x80\xc2\x9f" "b", "ab"),			/* C1 controls */
	CASE("a\xc2\x85" "b", "a b"),				/* NEL is a line break */
	CASE("a\xe2\x80\xa8" "b\xe2\x80\xa9" "c", "a b c"),	/* U+2028, U+2029 */
	CASE("a\xc2\xa0" "b", "a\xc2\xa0" "b"),			/* U+00A0 is kept */
	CASE(" \xc2\xa0 ", "\xc2\xa0"),
	CASE("a\xe3\x80\x80" "b", "a\xe3\x80\x80" "b"),		/* U+3000 too */
	CASE("a\xef\xbf\xbe" "b\xef\xbf\xbf", "ab"),		/* U+FFFE, U+FFFF: not XML */
	CASE("\xef\xbf\xbd", "\xef\xbf\xbd"),
	CASE("\xf0\x9f\x98\x80 ok", "\xf0\x9f\x98\x80 ok"),
	CASE("a<b & c>d", "a<b & c>d"),				/* no markup, no entities */
	CASE("&amp; &lt;", "&amp; &lt;"),			/* decoded once, by the parser */
	/* Catalogue 35: markup in a title is text, kept for the writer to escape. */
	CASE("<img src=x onerror=alert(1)>", "<img src=x onerror=alert(1)>"),
	/* Catalogue 10: invalid UTF-8, each bad byte read as Windows-1252. */
	CASE("caf\xe9", "caf\xc3\xa9"),
	CASE("\x80", "\xe2\x82\xac"),
	CASE("\x92quoted\x93", "\xe2\x80\x99quoted\xe2\x80\x9c"),
	CASE("\x81\x8d\x8f\x90\x9d", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"),
	CASE("\xff\xfe", "\xc3\xbf\xc3\xbe"),
	CASE("\xc0\xaf", "\xc3\x80\xc2\xaf"),				/* overlong '/' */
	CASE("\xe0\x80\xaf", "\xc3\xa0\xe2\x82\xac\xc2\xaf"),		/* overlong '/' */
	CASE("\xed\xa0\x80", "\xc3\xad\xc2\xa0\xe2\x82\xac"),		/* CESU-8 surrogate */
	CASE("\xf4\x90\x80\x80", "\xc3\xb4\xef\xbf\xbd\xe2\x82\xac\xe2\x82\xac"),	/* > U+10FFFF */
	CASE("ab\xe2\x82", "ab\xc3\xa2\xe2\x80\x9a"),			/* truncated at the end */
	CASE("\xf0\x9f\x98", "\xc3\xb0\xc5\xb8\xcb\x9c"),
	CASE("\xe2\x82" "x", "\xc3\xa2\xe2\x80\x9ax"),
	CASE("\xa0x\xa0", "\xc2\xa0x\xc2\xa0"),
	/* NFC */
	CASE("e\xcc\x81", "\xc3\xa9"),
	CASE("Cafe\xcc\x81  bar", "Caf\xc3\xa9 bar"),
	CASE("\xe1\x84\x80\xe1\x85\xa1", "\xea\xb0\x80"),		/* Hangul jamo */
	CASE("\xe0\xa5\x98", "\xe0\xa4\x95\xe0\xa4\xbc"),		/* U+0958 is excluded */
	CASE("\xe2\x84\xab", "\xc3\x85"),				/* U+212B ANGSTROM SIGN */
	CASE("a\xcc\xa3\xcc\x87", "\xe1\xba\xa1\xcc\x87"),		/* marks reordered, composed */
	CASE("\xcc\x81" "abc", "\xcc\x81" "abc"),			/* a mark with no base */
	CASE("e \xcc\x81", "e \xcc\x81"),
	CASE("\xd0\xb5\xcc\x88", "\xd1\x91"),				/* Cyrillic */
	CASE("\xe3\x81\x8b\xe3\x82\x99", "\xe3\x81\x8c"),		/* kana voicing */
	CASE("\xef\xbc\x81\xe6\x97\xa5\xe6\x9c\xac", "\xef\xbc\x81\xe6\x97\xa5\xe6\x9c\xac"),
};

static void
test_clean_table(void **state)
{
	(void)state;
	run_table("clean", text_clean, clean_cases, sizeof(clean_cases) / sizeof(clean_cases[0]),
	    ITEM_MAX_SHORT);
}

static void
test_clean_is_idempotent(void **state)
{
	struct buf a, b;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(clean_cases) / sizeof(clean_cases[0]); i++) {
		buf_init(&a, ITEM_MAX_SHORT);
		buf_init(&b, ITEM_MAX_SHORT);
		assert_int_equal(text_clean(clean_cases[i].in, clean_cases[i].len, &a), 0);
		assert_int_equal(text_clean(buf_str(&a), a.len, &b), 0);
		expect_str("clean twice", i, &b, buf_str(&a));
		buf_release(&a);
		buf_release(&b);
	}
}

static void
test_clean_cuts_at_character_boundary(void **state)
{
	static const struct {
		const char	*before;	/* already in out */
		const char	*in;
		size_t		 max;
		const char	*want;
	} cases[] = {
		{ "", "abcdef", 3, "abc" },
		{ "", "h\xc3\xa9llo", 2, "h" },			/* 'é' would need 3 */
		{ "", "h\xc3\xa9llo", 3, "h\xc3\xa9" },
		{ "", "\xf0\x9f\x98\x80\xf0\x9f\x98\x80", 7, "\xf0\x9f\x98\x80" },
		{ "", "abc def", 4, "abc" },				/* never a space at the end */
		{ "", "abc def", 5, "abc d" },
		{ "", "  abc", 3, "abc" },
		{ "xy", "abcdef", 5, "xyabc" },
		{ "xy", "abcdef", 2, "xy" },
		{ "", "e\xcc\x81xyz", 2, "e" },			/* cut first, then NFC */
		{ "", "e\xcc\x81xyz", 3, "\xc3\xa9" },
		/* NFC makes U+0958 twice as long: cut again after it. */
		{ "", "\xe0\xa5\x98", 4, "\xe0\xa4\x95" },
		{ "", "\xe0\xa5\x98 b", 7, "\xe0\xa4\x95\xe0\xa4\xbc" },
		{ "", "a \xe0\xa5\x98", 5, "a \xe0\xa4\x95" },
		{ "", "a \xe0\xa5\x98", 3, "a" },
	};
	struct buf b, again;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_init(&b, cases[i].max);
		assert_int_equal(buf_puts(&b, cases[i].before), 0);
		assert_int_equal(text_clean(cases[i].in, strlen(cases[i].in), &b), 0);
		expect_str("cut", i, &b, cases[i].want);
		/* What was cut cleans to itself. */
		buf_init(&again, cases[i].max);
		assert_int_equal(text_clean(b.data + strlen(cases[i].before),
		    b.len - strlen(cases[i].before), &again), 0);
		expect_str("cut twice", i, &again, cases[i].want + strlen(cases[i].before));
		buf_release(&again);
		buf_release(&b);
	}
}

static void
test_clean_appends_nul_terminated(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 100);
	assert_int_equal(text_clean(" \x01 ", 3, &b), 0);	/* nothing to append */
	assert_int_equal(b.len, 0);
	assert_string_equal(buf_str(&b), "");
	assert_int_equal(buf_puts(&b, "x:"), 0);
	assert_int_equal(text_clean(" a  b ", 6, &b), 0);
	assert_string_equal(b.data, "x:a b");
	assert_int_equal(b.len, 5);
	buf_release(&b);
}

static char *
encode(const utf8proc_int32_t *cps, size_t n, size_t *ret_len)
{
	char *s = malloc(4 * n + 1);
	size_t i, len = 0;

	assert_non_null(s);
	for (i = 0; i < n; i++)
		len += (size_t)utf8proc_encode_char(cps[i], (utf8proc_uint8_t *)s + len);
	s[len] = '\0';
	*ret_len = len;
	return s;
}

/* text_clean(s) against utf8proc's own NFC of s. */
static void
expect_nfc(const char *s, size_t len, utf8proc_int32_t cp)
{
	utf8proc_uint8_t *want;
	struct buf b;

	want = utf8proc_NFC((const utf8proc_uint8_t *)s);
	assert_non_null(want);
	buf_init(&b, ITEM_MAX_SHORT);
	assert_int_equal(text_clean(s, len, &b), 0);
	if (strcmp(buf_str(&b), (const char *)want) != 0)
		fail_msg("NFC of U+%04X: got \"%s\", want \"%s\"", (unsigned)cp, buf_str(&b), want);
	buf_release(&b);
	free(want);
}

/*
 * The quick check that skips utf8proc must never skip text that NFC changes: every character, and
 * the canonical decomposition of every character (which holds every pair that composes).
 */
static void
test_clean_nfc_matches_utf8proc_for_every_code_point(void **state)
{
	utf8proc_int32_t cp, d[32];
	size_t len;
	int last;
	utf8proc_ssize_t n;
	char *s;

	(void)state;
	for (cp = 0xa1; cp <= 0x10ffff; cp++) {
		if ((cp >= 0xd800 && cp < 0xe000) || cp == 0xfffe || cp == 0xffff ||
		    cp == 0x2028 || cp == 0x2029)
			continue;
		s = encode(&cp, 1, &len);
		expect_nfc(s, len, cp);
		free(s);
		last = 0;
		n = utf8proc_decompose_char(cp, d, 32, UTF8PROC_DECOMPOSE, &last);
		assert_true(n > 0 && n <= 32);
		if (n == 1 && d[0] == cp)
			continue;
		s = encode(d, (size_t)n, &len);
		expect_nfc(s, len, cp);
		free(s);
	}
}

static void
test_clean_caps_combining_marks(void **state)
{
	utf8proc_uint8_t *want;
	struct buf b, again;
	char *s;
	size_t i, len;

	(void)state;
	/* 1 MB of U+0301 after "e": utf8proc alone would sort them in quadratic time. */
	s = malloc(BIG + 1);
	assert_non_null(s);
	s[0] = 'e';
	for (i = 1; i + 1 < BIG; i += 2)
		memcpy(s + i, "\xcc\x81", 2);
	len = i;
	buf_init(&b, ITEM_MAX_FIELD);
	assert_int_equal(text_clean(s, len, &b), 0);
	assert_int_equal(b.len, 2 + 29 * 2);		/* é and the 29 marks left of 30 */
	assert_memory_equal(b.data, "\xc3\xa9\xcc\x81", 4);
	buf_release(&b);

	/* Marks in the worst order for the sort: 230, 220, 230, ... */
	for (i = 1; i + 3 < BIG; i += 4)
		memcpy(s + i, "\xcc\x81\xcc\x96", 4);
	len = i;
	buf_init(&b, ITEM_MAX_FIELD);
	assert_int_equal(text_clean(s, len, &b), 0);
	s[1 + 30 * 2] = '\0';				/* the 30 marks kept */
	want = utf8proc_NFC((const utf8proc_uint8_t *)s);
	assert_string_equal(b.data, (const char *)want);
	free(want);

	/* NFC splits U+0344 in two marks: the run is capped again, so cleaning stays idempotent. */
	buf_clear(&b);
	for (i = 1; i < 1 + 30 * 2; i += 2)
		memcpy(s + i, "\xcd\x84", 2);
	s[i] = '\0';
	assert_int_equal(text_clean(s, i, &b), 0);
	assert_int_equal(b.len, 2 + 30 * 2);		/* e + U+0308 is U+00EB, then 30 of 59 marks */
	buf_init(&again, ITEM_MAX_FIELD);
	assert_int_equal(text_clean(b.data, b.len, &again), 0);
	assert_string_equal(again.data, b.data);
	buf_release(&again);
	buf_release(&b);
	free(s);
}

static void
test_clean_large_inputs(void **state)
{
	struct buf b;
	char *s;
	size_t i;

	(void)state;
	s = malloc(BIG);
	assert_non_null(s);

	/* ASCII: one space between the words, none at the end. */
	for (i = 0; i < BIG; i += 2)
		memcpy(s + i, "a ", 2);
	buf_init(&b, ITEM_MAX_FIELD);
	assert_int_equal(text_clean(s, BIG, &b), 0);
	assert_int_equal(b.len, BIG - 1);
	assert_int_equal(b.data[b.len - 1], 'a');
	buf_release(&b);

	/* 0xFF doubles in size: cut at the limit, on a character boundary. */
	memset(s, 0xff, BIG);
	buf_init(&b, ITEM_MAX_FIELD);
	assert_int_equal(text_clean(s, BIG, &b), 0);
	assert_int_equal(b.len, ITEM_MAX_FIELD);
	assert_true(text_utf8_valid(b.data, b.len));
	buf_release(&b);

	for (i = 0; i < BIG; i += 4)
		memcpy(s + i, "\xf0\x9f\x98\x80", 4);
	buf_init(&b, ITEM_MAX_FIELD - 1);
	assert_int_equal(text_clean(s, BIG, &b), 0);
	assert_int_equal(b.len, ITEM_MAX_FIELD - 4);
	assert_true(text_utf8_valid(b.data, b.len));
	buf_release(&b);

	/* Decomposed text all the way: utf8proc runs once on all of it. */
	for (i = 0; i + 3 <= BIG; i += 3)
		memcpy(s + i, "e\xcc\x81", 3);
	buf_init(&b, ITEM_MAX_FIELD);
	assert_int_equal(text_clean(s, i, &b), 0);
	assert_int_equal(b.len, i / 3 * 2);
	assert_memory_equal(b.data + b.len - 2, "\xc3\xa9", 2);
	buf_release(&b);
	free(s);
}

static const struct text_case html_cases[] = {
	CASE("", ""),
	CASE("Plain", "Plain"),
	CASE("<p>Hello</p><p>World</p>", "Hello World"),
	CASE("<b>bold</b>face", "boldface"),
	CASE("<span>a</span> <span>b</span>", "a b"),
	CASE("a<br>b<br/>c<BR >d", "a b c d"),
	CASE("<li>one</li><li>two</li>", "one two"),
	CASE("<table><tr><td>1</td><td>2</td></tr></table>", "1 2"),
	CASE("<h1>T</h1><blockquote>q</blockquote><hr><figcaption>c</figcaption>", "T q c"),
	CASE("<p>  a  </p>  <div> b </div>", "a b"),
	CASE("<DIV CLASS=x>up</DIV>", "up"),
	/* Catalogue 35 and 19: markup becomes nothing, its text stays. */
	CASE("<img src=x onerror=alert(1)>Title", "Title"),
	CASE("Title <img src=x onerror=alert(1)>", "Title"),
	CASE("<img src=\"x>y\" alt='a>b' title=c>ok", "ok"),
	CASE("<a title=x>y>z", "y>z"),
	CASE("<a b=\"1\"c=2 d = '3' e>t</a>", "t"),
	CASE("<a =x>t", "t"),
	/* A '<' that starts no tag is text. */
	CASE("a < b", "a < b"),
	CASE("<3 you", "<3 you"),
	CASE("a <= b, c>d", "a <= b, c>d"),
	CASE("x<", "x<"),
	CASE("a</", "a</"),
	CASE("</>x", "x"),
	CASE("</ x>y", "y"),
	CASE("a</3>b", "ab"),
	/* Comments (catalogue 26), doctypes, processing instructions. */
	CASE("<!-- c -->x", "x"),
	CASE("<!---->x", "x"),
	CASE("<!-->x", "x"),
	CASE("<!--->x", "x"),
	CASE("<!-- a --!>x", "x"),
	CASE("<!-- a -- b -->x", "x"),
	CASE("<!--<!-- nested -->-->x", "-->x"),
	CASE("a<!-- <b>unclosed", "a"),
	CASE("a<!--", "a"),
	CASE("<!DOCTYPE html>x", "x"),
	CASE("<!x", ""),
	CASE("<?xml version='1.0'?>x", "x"),
	CASE("<?php echo 1; ", ""),
	/* CDATA keeps its text, markup and all (catalogue 27). */
	CASE("<![CDATA[<b>&amp;</b>]]>x", "<b>&amp;</b>x"),
	CASE("<![CDATA[a]]b]]]>", "a]]b]"),
	CASE("<![CDATA[<script>alert(1)</script>", "<script>alert(1)</script>"),
	CASE("<![cdata[x]]>y", "y"),
	/* Elements whose content is dropped. */
	CASE("<script>alert('<b>')</script>x", "x"),
	CASE("<SCRIPT type=x>a</script >x", "x"),
	CASE("<script>a</scriptx>b</script>c", "c"),
	CASE("<script>never closed", ""),
	CASE("<script>a</script", ""),
	CASE("<style>p{}</style>t", "t"),
	CASE("<title>T</title>body", "body"),
	CASE("<head><title>x</title><style>y</style></head>z", "z"),
	CASE("<noscript><p>n</p></noscript>y", "y"),
	CASE("<template><p>t</p></template>y", "y"),
	CASE("<textarea></textarea><img src=x onerror=alert(1)>", ""),
	CASE("<xmp></xmp><img src=x onerror=alert(1)>z", "z"),
	CASE("<iframe src=x>fallback</iframe>y", "y"),
	CASE("</script>x", "x"),
	/* Catalogue 22: nothing executable, and no text from the script. */
	CASE("<svg onload=alert(1)><script>alert(1)</script></svg>s", "s"),
	CASE("<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>", ""),
	/* Unclosed tags: HTML drops a tag that the input ends inside. */
	CASE("ok <img src=x onerror=alert(1)", "ok"),
	CASE("ok <a href='unclosed>text", "ok"),
	CASE("ok <b", "ok"),
	/* Character references, decoded once. */
	CASE("&lt;b&gt;", "<b>"),
	CASE("&amp;lt;", "&lt;"),
	CASE("Tom &amp; Jerry", "Tom & Jerry"),
	CASE("AT&T &bogus; &", "AT&T &bogus; &"),
	CASE("it&#8217;s &#146;", "it\xe2\x80\x99s \xe2\x80\x99"),
	CASE("&nbsp;x&nbsp;&nbsp;y", "\xc2\xa0x\xc2\xa0\xc2\xa0y"),
	CASE("&copy 2024 &copy2024", "\xc2\xa9 2024 \xc2\xa9" "2024"),
	CASE("&#0;&#xD800;&#x110000;&#99999999999999999999;", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"),
	CASE("a&#1;b&#127;c&#129;d", "abcd"),				/* controls dropped */
	CASE("a&#9;&#10;&#13;b", "a b"),
	CASE("e&#x301;", "\xc3\xa9"),					/* then NFC */
	CASE("&#x3C;script&#x3E;", "<script>"),
	CASE("&lt;img src=x onerror=alert(1)&gt;", "<img src=x onerror=alert(1)>"),
	/* Invalid UTF-8 and controls, as text_clean() does. */
	CASE("caf\xe9 <b>ok</b>", "caf\xc3\xa9 ok"),
	CASE("a\0<b>b\x01</b>", "ab"),
	CASE("\xe2\x82&amp;", "\xc3\xa2\xe2\x80\x9a&"),
};

static void
test_html_table(void **state)
{
	(void)state;
	run_table("html", text_from_html, html_cases, sizeof(html_cases) / sizeof(html_cases[0]),
	    ITEM_MAX_SHORT);
}

/* Any text, with & < > escaped, comes back from HTML as text_clean() makes it. */
static void
test_html_of_escaped_text_is_clean_text(void **state)
{
	struct buf esc, a, b;
	size_t i, j;
	char c;

	(void)state;
	for (i = 0; i < sizeof(clean_cases) / sizeof(clean_cases[0]); i++) {
		buf_init(&esc, ITEM_MAX_SHORT);
		for (j = 0; j < clean_cases[i].len; j++) {
			c = clean_cases[i].in[j];
			if (c == '&')
				assert_int_equal(buf_puts(&esc, "&amp;"), 0);
			else if (c == '<')
				assert_int_equal(buf_puts(&esc, "&lt;"), 0);
			else if (c == '>')
				assert_int_equal(buf_puts(&esc, "&gt;"), 0);
			else
				assert_int_equal(buf_putc(&esc, c), 0);
		}
		buf_init(&a, ITEM_MAX_SHORT);
		buf_init(&b, ITEM_MAX_SHORT);
		assert_int_equal(text_from_html(buf_str(&esc), esc.len, &a), 0);
		assert_int_equal(text_clean(clean_cases[i].in, clean_cases[i].len, &b), 0);
		expect_str("html of escaped", i, &a, buf_str(&b));
		buf_release(&esc);
		buf_release(&a);
		buf_release(&b);
	}
}

static void
test_html_cuts_and_large_inputs(void **state)
{
	struct buf b;
	char *s;
	size_t i;

	(void)state;
	buf_init(&b, 5);
	assert_int_equal(text_from_html("<p>abc</p><p>def</p>", 20, &b), 0);
	assert_string_equal(b.data, "abc d");
	buf_release(&b);

	s = malloc(BIG);
	assert_non_null(s);
	/* 1 MB of tags and entities. */
	for (i = 0; i + 16 <= BIG; i += 16)
		memcpy(s + i, "<p>a&amp;b</p>\n ", 16);
	buf_init(&b, ITEM_MAX_FIELD);
	assert_int_equal(text_from_html(s, i, &b), 0);
	assert_int_equal(b.len, i / 16 * 4 - 1);
	assert_memory_equal(b.data, "a&b a&b", 7);
	buf_release(&b);

	/* An unclosed comment, quote or script at the start eats 1 MB. */
	memset(s, 'x', BIG);
	memcpy(s, "<!--", 4);
	buf_init(&b, ITEM_MAX_FIELD);
	assert_int_equal(text_from_html(s, BIG, &b), 0);
	assert_int_equal(b.len, 0);
	memcpy(s, "<a b='", 6);
	assert_int_equal(text_from_html(s, BIG, &b), 0);
	assert_int_equal(b.len, 0);
	memcpy(s, "<script>", 8);
	assert_int_equal(text_from_html(s, BIG, &b), 0);
	assert_int_equal(b.len, 0);

	/* 1 MB of '<' and of '&' that start nothing. */
	memset(s, '<', BIG);
	assert_int_equal(text_from_html(s, BIG, &b), 0);
	assert_int_equal(b.len, BIG);
	buf_clear(&b);
	for (i = 0; i + 8 <= BIG; i += 8)
		memcpy(s + i, "&abcdef ", 8);
	assert_int_equal(text_from_html(s, i, &b), 0);
	assert_int_equal(b.len, i - 1);
	buf_release(&b);
	free(s);
}

static void
test_entity_table(void **state)
{
	static const struct {
		const char	*in;
		size_t		 used;		/* 0: not a reference */
		const char	*want;
	} cases[] = {
		{ "&amp;", 5, "&" },
		{ "&amp", 4, "&" },
		{ "&ampx", 4, "&" },
		{ "&ampx;", 4, "&" },
		{ "&lt", 3, "<" },
		{ "&LT;", 4, "<" },
		{ "&gt;x", 4, ">" },
		{ "&quot;", 6, "\"" },
		{ "&apos;", 6, "'" },
		{ "&apos", 0, NULL },			/* not a legacy name */
		{ "&hellip;", 8, "\xe2\x80\xa6" },
		{ "&hellip", 0, NULL },
		{ "&eacute;", 8, "\xc3\xa9" },
		{ "&Eacute;", 8, "\xc3\x89" },
		{ "&eacute", 7, "\xc3\xa9" },
		{ "&nbsp", 5, "\xc2\xa0" },
		{ "&copy2024", 5, "\xc2\xa9" },
		{ "&frac12;", 8, "\xc2\xbd" },
		{ "&frac12x", 7, "\xc2\xbd" },
		{ "&notin;", 7, "\xe2\x88\x89" },
		{ "&notit;", 4, "\xc2\xac" },
		{ "&thetasym;", 10, "\xcf\x91" },
		{ "&zwj;", 5, "\xe2\x80\x8d" },
		{ "&euro;", 6, "\xe2\x82\xac" },
		{ "&Tab;", 5, "\t" },
		{ "&colon;", 7, ":" },
		{ "&EACUTE;", 0, NULL },		/* names are case-sensitive */
		{ "&foo;", 0, NULL },
		{ "&;", 0, NULL },
		{ "& ", 0, NULL },
		{ "&", 0, NULL },
		{ "x", 0, NULL },
		{ "&#65;", 5, "A" },
		{ "&#65", 4, "A" },
		{ "&#65x", 4, "A" },
		{ "&#x41;", 6, "A" },
		{ "&#X41;", 6, "A" },
		{ "&#x4a;", 6, "J" },
		{ "&#x1F600;", 9, "\xf0\x9f\x98\x80" },
		{ "&#0;", 4, "\xef\xbf\xbd" },
		{ "&#xD800;", 8, "\xef\xbf\xbd" },
		{ "&#xDFFF;", 8, "\xef\xbf\xbd" },
		{ "&#x10FFFF;", 10, "\xf4\x8f\xbf\xbf" },
		{ "&#x110000;", 10, "\xef\xbf\xbd" },
		{ "&#99999999999999999999999999;", 29, "\xef\xbf\xbd" },
		{ "&#xFFFFFFFFFFFFFFFFFFFFFFFF;", 28, "\xef\xbf\xbd" },
		{ "&#0000000000000000000000065;", 28, "A" },
		{ "&#128;", 6, "\xe2\x82\xac" },
		{ "&#146;", 6, "\xe2\x80\x99" },
		{ "&#159;", 6, "\xc5\xb8" },
		{ "&#129;", 6, "\xc2\x81" },		/* undefined in Windows-1252: kept */
		{ "&#160;", 6, "\xc2\xa0" },
		{ "&#9;", 4, "\t" },
		{ "&#;", 0, NULL },
		{ "&#x;", 0, NULL },
		{ "&#xg;", 0, NULL },
		{ "&#", 0, NULL },
		{ "&#-1;", 0, NULL },
	};
	char out[8];
	size_t i, used, n;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		n = 99;
		used = text_entity(cases[i].in, strlen(cases[i].in), out, &n);
		if (used != cases[i].used)
			fail_msg("entity case %zu \"%s\": used %zu, want %zu", i, cases[i].in, used,
			    cases[i].used);
		if (cases[i].want == NULL) {
			assert_int_equal(n, 99);	/* not written */
			continue;
		}
		assert_int_equal(n, strlen(cases[i].want));
		assert_memory_equal(out, cases[i].want, n);
	}
	/* The input ends where len says, not at a NUL. */
	assert_int_equal(text_entity("&amp;", 4, out, &n), 4);
	assert_int_equal(text_entity("&#x41;", 3, out, &n), 0);
}

/* Every entity in libxml2's HTML 4 table decodes to its value; the Latin-1 ones even without ';'. */
static void
test_entity_knows_all_of_libxml2(void **state)
{
	const htmlEntityDesc *d;
	char in[64], out[8], want[8];
	size_t n, used, count = 0;
	unsigned v;

	(void)state;
	for (v = 0; v < 0x10000; v++) {
		d = htmlEntityValueLookup(v);
		if (d == NULL || d->value != v)
			continue;
		count++;
		n = (size_t)utf8proc_encode_char((utf8proc_int32_t)v, (utf8proc_uint8_t *)want);
		snprintf(in, sizeof(in), "&%s;", d->name);
		used = text_entity(in, strlen(in), out, &n);
		if (used != strlen(in) || memcmp(out, want, n) != 0)
			fail_msg("&%s; is not U+%04X", d->name, v);
		snprintf(in, sizeof(in), "&%s ", d->name);
		used = text_entity(in, strlen(in), out, &n);
		if ((v >= 0xa0 && v <= 0xff) || v == '&' || v == '<' || v == '>' || v == '"')
			assert_int_equal(used, strlen(in) - 1);
		else
			assert_true(used < strlen(in) - 1);	/* "&notin" is "&not" "in" */
	}
	assert_int_equal(count, 253);
}

static void
test_utf8_valid_table(void **state)
{
	static const struct {
		const char	*in;
		size_t		 len;
		bool		 valid;
	} cases[] = {
		{ "", 0, true },
		{ "abc", 3, true },
		{ "a\0b", 3, true },
		{ "\xc3\xa9", 2, true },
		{ "\xed\x9f\xbf", 3, true },		/* U+D7FF */
		{ "\xee\x80\x80", 3, true },		/* U+E000 */
		{ "\xef\xbf\xbe", 3, true },		/* a noncharacter is valid UTF-8 */
		{ "\xf0\x90\x80\x80", 4, true },
		{ "\xf4\x8f\xbf\xbf", 4, true },	/* U+10FFFF */
		{ "\xc3", 1, false },			/* truncated */
		{ "abcdefghijklmno\xe2\x82", 17, false },
		{ "\xc3(", 2, false },
		{ "\x80", 1, false },
		{ "\xbf", 1, false },
		{ "\xc0\x80", 2, false },		/* overlong NUL */
		{ "\xc1\xbf", 2, false },
		{ "\xe0\x9f\xbf", 3, false },		/* overlong */
		{ "\xf0\x8f\xbf\xbf", 4, false },	/* overlong */
		{ "\xed\xa0\x80", 3, false },		/* surrogate */
		{ "\xed\xbf\xbf", 3, false },
		{ "\xf4\x90\x80\x80", 4, false },	/* U+110000 */
		{ "\xf5\x80\x80\x80", 4, false },
		{ "\xfe", 1, false },
		{ "\xff", 1, false },
		{ "abcdefgh\xff" "abcdefgh", 17, false },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (text_utf8_valid(cases[i].in, cases[i].len) != cases[i].valid)
			fail_msg("utf8_valid case %zu: want %d", i, cases[i].valid);
	}
}

static const struct text_case repair_cases[] = {
	CASE("", ""),
	CASE("plain ASCII text, long enough for whole words", "plain ASCII text, long enough for whole words"),
	CASE("  a\tb\nc\rd  ", "  a\tb\nc\rd  "),			/* white space as it is */
	CASE("a\x01" "b\0c\x1f" "d", "abcd"),				/* C0 is not XML */
	CASE("a\v\fb", "a  b"),					/* VT, FF: white space */
	CASE("\x7f\xc2\x85\xc2\x9f", "\x7f\xc2\x85\xc2\x9f"),		/* DEL and C1 are */
	CASE("a\xef\xbf\xbe" "b\xef\xbf\xbf" "c", "abc"),
	CASE("\xef\xbf\xbd\xf4\x8f\xbf\xbf", "\xef\xbf\xbd\xf4\x8f\xbf\xbf"),
	CASE("e\xcc\x81", "e\xcc\x81"),					/* no NFC */
	CASE("caf\xe9", "caf\xc3\xa9"),
	CASE("\x81", "\xef\xbf\xbd"),
	CASE("\x80\x9f", "\xe2\x82\xac\xc5\xb8"),
	CASE("\xed\xa0\x80", "\xc3\xad\xc2\xa0\xe2\x82\xac"),
	CASE("\xc0\xaf", "\xc3\x80\xc2\xaf"),
	CASE("<t>\xe2\x82</t>", "<t>\xc3\xa2\xe2\x80\x9a</t>"),
	CASE("&amp;<b>", "&amp;<b>"),
	CASE("12345678\x01" "2345678\x02", "123456782345678"),
};

static void
test_repair_table(void **state)
{
	struct buf a, b;
	size_t i;

	(void)state;
	run_table("repair", text_utf8_repair, repair_cases,
	    sizeof(repair_cases) / sizeof(repair_cases[0]), ITEM_MAX_SHORT);
	/* Repaired text needs no more repair, and cleans as the original does. */
	for (i = 0; i < sizeof(repair_cases) / sizeof(repair_cases[0]); i++) {
		buf_init(&a, ITEM_MAX_SHORT);
		buf_init(&b, ITEM_MAX_SHORT);
		assert_int_equal(text_utf8_repair(repair_cases[i].in, repair_cases[i].len, &a), 0);
		assert_int_equal(text_utf8_repair(buf_str(&a), a.len, &b), 0);
		expect_str("repair twice", i, &b, buf_str(&a));
		buf_clear(&b);
		assert_int_equal(text_clean(repair_cases[i].in, repair_cases[i].len, &b), 0);
		buf_clear(&a);
		assert_int_equal(text_clean(buf_str(&b), b.len, &a), 0);
		expect_str("clean of repair", i, &a, buf_str(&b));
		buf_release(&a);
		buf_release(&b);
	}
}

static void
test_repair_too_big_leaves_out_unchanged(void **state)
{
	struct buf b;
	char *s;

	(void)state;
	buf_init(&b, 8);
	assert_int_equal(buf_puts(&b, "ab"), 0);
	assert_int_equal(text_utf8_repair("cdefgh", 6, &b), 0);
	assert_string_equal(b.data, "abcdefgh");
	buf_truncate(&b, 2);
	assert_int_equal(text_utf8_repair("cdefg\xe9", 6, &b), -E2BIG);	/* é needs 2 */
	assert_string_equal(b.data, "ab");
	assert_int_equal(b.len, 2);
	assert_int_equal(text_utf8_repair("\x01\x02\x03\x04\x05\x06\x07\x08\x09", 9, &b), 0);
	assert_string_equal(b.data, "ab\t");
	buf_release(&b);

	buf_init(&b, 4);
	assert_int_equal(text_utf8_repair("abcdefgh", 8, &b), -E2BIG);
	assert_string_equal(buf_str(&b), "");
	assert_int_equal(text_utf8_repair("\x01\x02", 2, &b), 0);
	assert_string_equal(buf_str(&b), "");
	buf_release(&b);

	/* 1 MB of bad bytes triples in size. */
	s = malloc(BIG);
	assert_non_null(s);
	memset(s, 0x80, BIG);
	buf_init(&b, 3 * BIG);
	assert_int_equal(text_utf8_repair(s, BIG, &b), 0);
	assert_int_equal(b.len, 3 * BIG);
	assert_true(text_utf8_valid(b.data, b.len));
	buf_release(&b);
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean_table),
		cmocka_unit_test(test_clean_is_idempotent),
		cmocka_unit_test(test_clean_cuts_at_character_boundary),
		cmocka_unit_test(test_clean_appends_nul_terminated),
		cmocka_unit_test(test_clean_nfc_matches_utf8proc_for_every_code_point),
		cmocka_unit_test(test_clean_caps_combining_marks),
		cmocka_unit_test(test_clean_large_inputs),
		cmocka_unit_test(test_html_table),
		cmocka_unit_test(test_html_of_escaped_text_is_clean_text),
		cmocka_unit_test(test_html_cuts_and_large_inputs),
		cmocka_unit_test(test_entity_table),
		cmocka_unit_test(test_entity_knows_all_of_libxml2),
		cmocka_unit_test(test_utf8_valid_table),
		cmocka_unit_test(test_repair_table),
		cmocka_unit_test(test_repair_too_big_leaves_out_unchanged),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
