/* fuzz_text.c - arbitrary bytes through every text function; checks what their contracts promise. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "buf.h"
#include "limits.h"
#include "text.h"

#define FUZZ_MAX_INPUT	(64u << 10)	/* longer inputs only slow the fuzzer down */

#define CHECK(cond)	((cond) ? (void)0 : abort())

/* What text_clean() and text_from_html() promise about their output. */
static void
check_clean(const struct buf *b, size_t max)
{
	const unsigned char *s = (const unsigned char *)buf_str(b);
	utf8proc_int32_t cp;
	utf8proc_ssize_t n;
	utf8proc_uint8_t *nfc;
	size_t i;
	unsigned marks = 0;

	CHECK(b->len <= max);
	CHECK(text_utf8_valid((const char *)s, b->len));
	if (b->len == 0)
		return;
	CHECK(s[0] != ' ' && s[b->len - 1] != ' ');
	for (i = 0; i < b->len; i += (size_t)n) {
		n = utf8proc_iterate(s + i, (utf8proc_ssize_t)(b->len - i), &cp);
		CHECK(n > 0);
		CHECK(cp >= 0x20 && !(cp >= 0x7f && cp < 0xa0));	/* no control character */
		CHECK(cp != 0x2028 && cp != 0x2029 && cp != 0xfffe && cp != 0xffff);
		if (cp == ' ')
			CHECK(s[i + 1] != ' ');
		if (utf8proc_get_property(cp)->combining_class != 0)
			CHECK(++marks <= 30);
		else
			marks = 0;
	}
	n = utf8proc_map(s, (utf8proc_ssize_t)b->len, &nfc, UTF8PROC_COMPOSE | UTF8PROC_STABLE);
	CHECK(n == (utf8proc_ssize_t)b->len && memcmp(nfc, s, b->len) == 0);
	free(nfc);
}

/* A plain reading of RFC 3629, to hold text_utf8_valid() against. */
static bool
valid_slowly(const uint8_t *s, size_t len)
{
	size_t i = 0, n, k;
	uint32_t cp;

	while (i < len) {
		if (s[i] < 0x80)
			n = 1;
		else if ((s[i] & 0xe0) == 0xc0)
			n = 2;
		else if ((s[i] & 0xf0) == 0xe0)
			n = 3;
		else if ((s[i] & 0xf8) == 0xf0)
			n = 4;
		else
			return false;
		if (len - i < n)
			return false;
		cp = n == 1 ? s[i] : s[i] & (0x7f >> n);
		for (k = 1; k < n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000))
			return false;
		i += n;
	}
	return true;
}

/* No C0 control other than tab, LF and CR, no U+FFFE or U+FFFF: repair leaves valid UTF-8 alone. */
static bool
xml_chars(const uint8_t *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (s[i] < 0x20 && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
			return false;
		if (i + 2 < len && s[i] == 0xef && s[i + 1] == 0xbf && (s[i + 2] & 0xfe) == 0xbe)
			return false;
	}
	return true;
}

static void
check_same(const struct buf *a, const struct buf *b)
{
	CHECK(a->len == b->len && memcmp(buf_str(a), buf_str(b), a->len) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf clean, html, again, esc, rep;
	const char *s = (const char *)data;
	size_t max, i, used, n;
	char ent[8];

	if (size == 0 || size > FUZZ_MAX_INPUT)
		return 0;
	/* The first byte picks the limit: small ones exercise the cut. */
	max = data[0] < 0x40 ? data[0] : ITEM_MAX_FIELD;
	buf_init(&clean, max);
	buf_init(&html, max);
	buf_init(&again, max);
	buf_init(&esc, 5 * size);
	buf_init(&rep, 3 * size);

	CHECK(text_utf8_valid(s, size) == valid_slowly(data, size));

	CHECK(text_clean(s, size, &clean) == 0);
	check_clean(&clean, max);
	CHECK(text_clean(buf_str(&clean), clean.len, &again) == 0);
	check_same(&again, &clean);			/* idempotent */

	CHECK(text_from_html(s, size, &html) == 0);
	check_clean(&html, max);
	buf_clear(&again);
	CHECK(text_clean(buf_str(&html), html.len, &again) == 0);
	check_same(&again, &html);

	/*
	 * Text with & < > escaped comes back from HTML as text_clean() makes it. ("No '<' before a
	 * letter in the output" is no invariant: "&lt;b&gt;", "<<b>b" and "<\1b" all give "<b", as
	 * plain text that the writers escape.)
	 */
	for (i = 0; i < size; i++) {
		if (s[i] == '&')
			CHECK(buf_puts(&esc, "&amp;") == 0);
		else if (s[i] == '<')
			CHECK(buf_puts(&esc, "&lt;") == 0);
		else if (s[i] == '>')
			CHECK(buf_puts(&esc, "&gt;") == 0);
		else
			CHECK(buf_putc(&esc, s[i]) == 0);
	}
	buf_clear(&again);
	CHECK(text_from_html(buf_str(&esc), esc.len, &again) == 0);
	check_same(&again, &clean);

	/* Repair: valid, XML-clean, stable, and it cleans as the input does. */
	CHECK(text_utf8_repair(s, size, &rep) == 0);
	CHECK(text_utf8_valid(buf_str(&rep), rep.len));
	for (i = 0; i < rep.len; i++) {
		CHECK((unsigned char)rep.data[i] >= 0x20 || rep.data[i] == '\t' ||
		    rep.data[i] == '\n' || rep.data[i] == '\r');
		CHECK(i + 2 >= rep.len || memcmp(rep.data + i, "\xef\xbf\xbe", 3) != 0);
		CHECK(i + 2 >= rep.len || memcmp(rep.data + i, "\xef\xbf\xbf", 3) != 0);
	}
	if (valid_slowly(data, size) && xml_chars(data, size))
		check_same(&rep, &(struct buf){ .data = (char *)s, .len = size });
	buf_clear(&again);
	CHECK(text_clean(buf_str(&rep), rep.len, &again) == 0);
	check_same(&again, &clean);
	buf_clear(&esc);
	CHECK(text_utf8_repair(buf_str(&rep), rep.len, &esc) == 0);
	check_same(&esc, &rep);

	/* Every '&' in the input as a reference. */
	for (i = 0; i < size; i++) {
		if (s[i] != '&')
			continue;
		n = 0;
		used = text_entity(s + i, size - i, ent, &n);
		CHECK(used <= size - i);
		if (used == 0)
			continue;
		CHECK(used >= 2 && n >= 1 && n <= 4 && text_utf8_valid(ent, n));
		CHECK(!(n == 1 && ent[0] == '\0'));
	}

	buf_release(&clean);
	buf_release(&html);
	buf_release(&again);
	buf_release(&esc);
	buf_release(&rep);
	return 0;
}
