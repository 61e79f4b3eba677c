/* test_opml.c - OPML subscription lists: nested folders, categories, hostile documents, round trip. */
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

#include "buf.h"
#include "opml.h"

/* Each outline as "title|xmlUrl|htmlUrl|folder/folder|category\n". */
static int
collect(void *ctx, const struct opml_outline *o)
{
	struct buf *b = ctx;
	size_t i;
	int r;

	r = buf_appendf(b, "%s|%s|%s|", o->title ? o->title : "-", o->xml_url,
	    o->html_url ? o->html_url : "-");
	for (i = 0; r == 0 && i < o->nfolders; i++)
		r = buf_appendf(b, "%s%s", i > 0 ? "/" : "", o->folders[i]);
	if (r == 0)
		r = buf_appendf(b, "|%s\n", o->category ? o->category : "-");
	return r;
}

static int
read_into(const char *doc, struct buf *out, char err[256])
{
	buf_init(out, 1u << 20);
	return opml_read(doc, strlen(doc), collect, out, err);
}

static void
test_nested_outlines_become_folders(void **state)
{
	static const char doc[] =
	    "<?xml version=\"1.0\"?>\n<opml version=\"1.0\"><head><title>subs</title></head><body>\n"
	    "<outline text=\"Top\" xmlUrl=\"https://top.example/rss\" htmlUrl=\"https://top.example/\"/>\n"
	    "<outline title=\"News\"><outline text=\"World\">\n"
	    "  <outline text=\"Wire &amp; Co\" type=\"rss\" xmlUrl=\"https://wire.example/feed?a=1&amp;b=2\"/>\n"
	    "</outline>\n"
	    "  <outline text=\"\" title=\"Untitled text\" xmlUrl=\"http://u.example/\" category=\"/x/y,/z\"/>\n"
	    "</outline>\n"
	    "<outline text=\"folder without feeds\"/>\n"
	    "<outline text=\"no url\" xmlUrl=\"\"/>\n"
	    "</body></opml>\n";
	struct buf out;
	char err[256];

	(void)state;
	assert_int_equal(read_into(doc, &out, err), 0);
	assert_string_equal(buf_str(&out),
	    "Top|https://top.example/rss|https://top.example/||-\n"
	    "Wire & Co|https://wire.example/feed?a=1&b=2|-|News/World|-\n"
	    "Untitled text|http://u.example/|-|News|/x/y,/z\n");
	buf_release(&out);
}

static void
test_hostile_and_wrong_documents_are_refused(void **state)
{
	static const struct {
		const char	*doc;
		const char	*why;
	} cases[] = {
		{ "<opml><body><outline xmlUrl=\"a\"></body>", "line 1" },
		{ "", "Document is empty" },
		{ "<rss><channel/></rss>", "root element is not <opml>" },
		{ "<opml version=\"2.0\"><head/></opml>", "no <body>" },
		{ "<!DOCTYPE opml [<!ENTITY x \"aaaaaaaaaa\"><!ENTITY y \"&x;&x;&x;&x;\">]>"
		  "<opml><body><outline text=\"&y;\" xmlUrl=\"http://a/\"/></body></opml>", "declares entities" },
		{ "<!DOCTYPE opml [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>"
		  "<opml><body><outline text=\"&xxe;\" xmlUrl=\"http://a/\"/></body></opml>", "declares entities" },
		{ "<opml><body><outline text=\"x\" xmlUrl=\"http://a/\"/></body></opml>trailing", "line 1" },
	};
	struct buf out;
	char err[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(read_into(cases[i].doc, &out, err), -EINVAL);
		assert_int_equal(out.len, 0);
		if (strstr(err, cases[i].why) == NULL)
			fail_msg("case %zu: '%s' has no '%s'", i, err, cases[i].why);
		buf_release(&out);
	}
}

static void
test_deep_nesting_keeps_the_outer_folders(void **state)
{
	struct buf doc, out;
	char err[256];
	int i;

	(void)state;
	buf_init(&doc, 1u << 20);
	assert_int_equal(buf_puts(&doc, "<opml><body>"), 0);
	for (i = 0; i < 40; i++)
		assert_int_equal(buf_appendf(&doc, "<outline text=\"f%d\">", i), 0);
	assert_int_equal(buf_puts(&doc, "<outline text=\"leaf\" xmlUrl=\"http://a/\"/>"), 0);
	for (i = 0; i < 40; i++)
		assert_int_equal(buf_puts(&doc, "</outline>"), 0);
	assert_int_equal(buf_puts(&doc, "</body></opml>"), 0);
	assert_int_equal(read_into(buf_str(&doc), &out, err), 0);
	assert_non_null(strstr(buf_str(&out), "|f0/f1/f2/f3/f4/f5/f6/f7/f8/f9/f10/f11/f12/f13/f14/f15|"));
	buf_release(&out);
	buf_release(&doc);
}

static int
stop_at_second(void *ctx, const struct opml_outline *o)
{
	int *n = ctx;

	(void)o;
	return ++*n == 2 ? -ECANCELED : 0;
}

static void
test_callback_stops_the_walk(void **state)
{
	static const char doc[] = "<opml><body><outline xmlUrl=\"http://a/\"/><outline xmlUrl=\"http://b/\"/>"
	    "<outline xmlUrl=\"http://c/\"/></body></opml>";
	char err[256];
	int n = 0;

	(void)state;
	assert_int_equal(opml_read(doc, strlen(doc), stop_at_second, &n, err), -ECANCELED);
	assert_int_equal(n, 2);
}

static void
test_written_opml_reads_back(void **state)
{
	struct opml_outline o[3] = {
		{ .title = "wire <&> \"co\"", .xml_url = "https://wire.example/rss?a=1&b=2",
		  .folders = { "world", "wire" }, .nfolders = 2 },
		{ .title = "loose", .xml_url = "https://loose.example/feed" },
		{ .title = "city", .xml_url = "https://city.example/atom", .folders = { "world" }, .nfolders = 1 },
	};
	struct buf doc, out;
	char err[256];

	(void)state;
	buf_init(&doc, 1u << 20);
	assert_int_equal(opml_write(&doc, "wiredesk & co", o, 3), 0);
	assert_non_null(strstr(buf_str(&doc), "<opml version=\"2.0\">"));
	assert_non_null(strstr(buf_str(&doc), "<title>wiredesk &amp; co</title>"));
	assert_int_equal(read_into(buf_str(&doc), &out, err), 0);
	/* Loose outlines first, then each folder with its members in order. */
	assert_string_equal(buf_str(&out),
	    "loose|https://loose.example/feed|-||-\n"
	    "wire <&> \"co\"|https://wire.example/rss?a=1&b=2|-|world|/world,/wire\n"
	    "city|https://city.example/atom|-|world|/world\n");
	buf_release(&out);
	buf_release(&doc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nested_outlines_become_folders),
		cmocka_unit_test(test_hostile_and_wrong_documents_are_refused),
		cmocka_unit_test(test_deep_nesting_keeps_the_outer_folders),
		cmocka_unit_test(test_callback_stops_the_walk),
		cmocka_unit_test(test_written_opml_reads_back),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
