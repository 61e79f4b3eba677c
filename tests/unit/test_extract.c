/* test_extract.c - extract_article(): the article of a cluttered page, content rules, hostile pages. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "buf.h"
#include "extract.h"
#include "limits.h"

#include "test_pages.h"

#define ARTICLE_BASE	"https://www.harbourcourier.example/science/rivers/the-river"
#define HOSTILE_SECONDS	10.0

static int
extract(const char *data, size_t len, const char *rule, struct buf *out, struct scrape_error *err, double *secs)
{
	struct parse_opts o = { .base_url = ARTICLE_BASE, .now = 1798761600 };
	struct timespec t0, t1;
	int r;

	buf_init(out, ITEM_MAX_FIELD);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	r = extract_article(data, len, &o, rule, out, err);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (secs != NULL)
		*secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	return r;
}

static void
test_article_kept_clutter_dropped(void **state)
{
	static const char *const kept[] = {
		"<p>Twice a day, when the tide turns", "Surfers have ridden it for decades",
		"Her team has spent three winters", "<h2>A wave with a timetable</h2>",
		"<blockquote><p>\xe2\x80\x9cPeople drive for hours", "The council now publishes",
		"For the scientists, the next question",
		"<a href=\"https://www.harbourcourier.example/science/rivers/bore-times\"",
	};
	static const char *const dropped[] = {
		"cookies", "Accept all", "Share on Facebook", "Tweet", "WhatsApp", "Share this", "Advertisement",
		"googletag", "Read more", "estuary\xe2\x80\x99s birds", "You may also like", "dunes that move",
		"Leave a Reply", "Post Comment", "Your email address", "Saw it last March", "thoughts on",
		"newsletter", "Sign up", "Most read", "mattresses", "All rights reserved", "Privacy",
		"Search", "Science \xe2\x80\xba", "Tags:", "<script", "<form", "<textarea",
	};
	struct scrape_error err;
	struct buf page, out;
	size_t i;

	(void)state;
	read_page("article-cluttered.html", &page);
	assert_int_equal(extract(buf_str(&page), page.len, NULL, &out, &err, NULL), 0);
	for (i = 0; i < sizeof(kept) / sizeof(kept[0]); i++)
		if (strstr(buf_str(&out), kept[i]) == NULL)
			fail_msg("lost '%s' from:\n%s", kept[i], buf_str(&out));
	for (i = 0; i < sizeof(dropped) / sizeof(dropped[0]); i++)
		if (strstr(buf_str(&out), dropped[i]) != NULL)
			fail_msg("kept '%s' in:\n%s", dropped[i], buf_str(&out));
	assert_true(buf_str(&out)[0] == '<');
	buf_release(&page);
	buf_release(&out);
}

static void
test_content_rule_overrides(void **state)
{
	struct scrape_error err;
	struct buf page, out;

	(void)state;
	read_page("article-cluttered.html", &page);
	assert_int_equal(extract(buf_str(&page), page.len, "//figure", &out, &err, NULL), 0);
	assert_string_equal(buf_str(&out),
	    "<figure><img src=\"https://www.harbourcourier.example/media/2026/11/bore.jpg\" alt=\"The tidal bore at dawn\" "
	    "width=\"1200\" height=\"675\"><figcaption>The tidal bore passing the old mill at dawn. Photograph: "
	    "Dr. Lena Vogt</figcaption></figure>");
	buf_release(&out);
	assert_int_equal(extract(buf_str(&page), page.len, "//div[@class='no-such-body']", &out, &err, NULL), -EBADMSG);
	assert_string_equal(err.rule, "content");
	assert_non_null(strstr(err.msg, "no-such-body"));
	assert_int_equal(out.len, 0);
	buf_release(&out);
	assert_int_equal(extract(buf_str(&page), page.len, "//div[", &out, &err, NULL), -EINVAL);
	buf_release(&out);
	buf_release(&page);
}

static void
test_page_without_article(void **state)
{
	static const char page[] = "<html><body><nav><a href=\"/\">Home</a></nav><p>Short.</p>"
	    "<div class=\"comments\"><p>A long comment that is not the article, with commas, many, many, many.</p></div>"
	    "</body></html>";
	struct scrape_error err;
	struct buf out;

	(void)state;
	assert_int_equal(extract(page, sizeof(page) - 1, NULL, &out, &err, NULL), -EBADMSG);
	assert_null(err.rule);
	buf_release(&out);
	assert_int_equal(extract("", 0, NULL, &out, &err, NULL), -EBADMSG);
	buf_release(&out);
}

static void
test_hostile_pages_are_bounded(void **state)
{
	struct scrape_error err;
	struct buf page, out;
	double secs;
	size_t i;
	int r;

	(void)state;
	/* 100,000 nested divs, each with a paragraph: every one a candidate inside the last. */
	buf_init(&page, 32u << 20);
	for (i = 0; i < 100000; i++)
		assert_int_equal(buf_puts(&page, "<div><p>Some words, with commas, in a paragraph long enough."), 0);
	r = extract(buf_str(&page), page.len, NULL, &out, &err, &secs);
	assert_true(r == 0 || r == -EBADMSG);
	assert_true(secs < HOSTILE_SECONDS);
	buf_release(&out);

	/* 10 MB of paragraphs and scripts. */
	buf_clear(&page);
	while (page.len < (10u << 20))
		assert_int_equal(buf_puts(&page, "<p>Paragraph text, long enough to count, with a comma.</p>"
		    "<script>document.write('<p>not text</p>')</script>\n"), 0);
	r = extract(buf_str(&page), page.len, NULL, &out, &err, &secs);
	assert_int_equal(r, 0);
	assert_true(out.len > 100000 && out.len <= ITEM_MAX_FIELD);
	assert_null(strstr(buf_str(&out), "not text"));
	assert_null(strstr(buf_str(&out), "<script"));
	assert_true(secs < HOSTILE_SECONDS);
	buf_release(&out);
	buf_release(&page);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_article_kept_clutter_dropped),
		cmocka_unit_test(test_content_rule_overrides),
		cmocka_unit_test(test_page_without_article),
		cmocka_unit_test(test_hostile_pages_are_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
