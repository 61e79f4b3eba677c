/* test_normalize.c - a draft becomes a clean item: content choice, bases, ids, dates, plain text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "normalize.h"

#define NOW	1700000000

struct fixture {
	struct item_draft	d;
	struct arena		a;
	struct normalize_ctx	c;
	struct item		it;
};

static int
setup(void **state)
{
	static struct fixture f;

	item_draft_init(&f.d);
	arena_init(&f.a);
	f.c.feed_base = "http://example.org/feed/";
	f.c.feed_language = "en";
	f.c.now = NOW;
	*state = &f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	item_draft_release(&f->d);
	arena_release(&f->a);
	return 0;
}

static void
set(struct draft_text *t, enum text_type type, const char *base, const char *s)
{
	draft_text_begin(t, type, base);
	draft_text_append(t, s, strlen(s));
}

static void
test_normalize_description_becomes_content(void **state)
{
	struct fixture *f = *state;

	item_draft_reset(&f->d);
	set(&f->d.title, TEXT_HTML, NULL, "Tom &amp; <b>Jerry</b>");
	set(&f->d.link, TEXT_PLAIN, NULL, "../story?id=1");
	set(&f->d.description, TEXT_HTML, NULL, "<p>Hi <img src=\"pic.png\" onerror=\"x()\"></p>");
	assert_int_equal(normalize_item(&f->d, &f->c, &f->a, &f->it), 0);
	assert_string_equal(f->it.title, "Tom & Jerry");
	assert_string_equal(f->it.url, "http://example.org/story?id=1");
	assert_string_equal(f->it.id, "http://example.org/story?id=1");
	assert_non_null(strstr(f->it.content_html, "src=\"http://example.org/pic.png\""));
	assert_null(strstr(f->it.content_html, "onerror"));
	assert_null(f->it.summary);		/* the description is the content: no summary beside it */
}

static void
test_normalize_summary_beside_content(void **state)
{
	struct fixture *f = *state;

	item_draft_reset(&f->d);
	set(&f->d.content, TEXT_HTML, "http://base.example/dir/", "<a href=\"x\">more</a>");
	set(&f->d.description, TEXT_HTML, NULL, "<p>The  short\n version</p>");
	set(&f->d.link, TEXT_PLAIN, NULL, "http://example.org/item");
	assert_int_equal(normalize_item(&f->d, &f->c, &f->a, &f->it), 0);
	assert_non_null(strstr(f->it.content_html, "href=\"http://base.example/dir/x\""));	/* xml:base wins */
	assert_string_equal(f->it.summary, "The short version");
}

static void
test_normalize_plain_text_content_is_escaped(void **state)
{
	struct fixture *f = *state;

	item_draft_reset(&f->d);
	set(&f->d.content, TEXT_PLAIN, NULL, "a <b> & c");
	assert_int_equal(normalize_item(&f->d, &f->c, &f->a, &f->it), 0);
	assert_string_equal(f->it.content_html, "a &lt;b&gt; &amp; c");
}

static void
test_normalize_ids(void **state)
{
	struct fixture *f = *state;
	const char *hash;

	item_draft_reset(&f->d);
	set(&f->d.id, TEXT_PLAIN, NULL, "  tag:example.org,2026:1 ");
	set(&f->d.link, TEXT_PLAIN, NULL, "http://example.org/1");
	assert_int_equal(normalize_item(&f->d, &f->c, &f->a, &f->it), 0);
	assert_string_equal(f->it.id, "tag:example.org,2026:1");

	item_draft_reset(&f->d);
	set(&f->d.id, TEXT_PLAIN, NULL, "http://example.org/guid-link");
	f->d.guid_is_link = true;
	assert_int_equal(normalize_item(&f->d, &f->c, &f->a, &f->it), 0);
	assert_string_equal(f->it.url, "http://example.org/guid-link");

	item_draft_reset(&f->d);
	set(&f->d.title, TEXT_PLAIN, NULL, "No link, no guid");
	assert_int_equal(normalize_item(&f->d, &f->c, &f->a, &f->it), 0);
	assert_non_null(f->it.id);
	assert_int_equal(strncmp(f->it.id, "urn:wiredesk:", 13), 0);
	hash = f->it.id;
	assert_int_equal(normalize_item(&f->d, &f->c, &f->a, &f->it), 0);
	assert_string_equal(f->it.id, hash);	/* stable */
}

static void
test_normalize_unsafe_and_future(void **state)
{
	struct fixture *f = *state;

	item_draft_reset(&f->d);
	set(&f->d.link, TEXT_PLAIN, NULL, "javascript:alert(1)");
	set(&f->d.image, TEXT_PLAIN, NULL, "data:image/svg+xml,<svg/>");
	set(&f->d.title, TEXT_PLAIN, NULL, "<img src=x onerror=alert(1)>");
	set(&f->d.language, TEXT_PLAIN, NULL, "en_US");
	f->d.item.date_published = NOW + 5 * 86400;
	f->d.item.date_modified = NOW - 60;
	assert_int_equal(normalize_item(&f->d, &f->c, &f->a, &f->it), 0);
	assert_null(f->it.url);
	assert_null(f->it.image);
	assert_string_equal(f->it.title, "<img src=x onerror=alert(1)>");	/* a text title stays text */
	assert_string_equal(f->it.language, "en-US");
	assert_int_equal(f->it.date_published, NOW);
	assert_int_equal(f->it.date_modified, NOW - 60);
}

static void
test_normalize_field_cut_at_character(void **state)
{
	struct draft_text t;
	char big[100];

	(void)state;
	buf_init(&t.raw, 10);
	buf_init(&t.base, 10);
	memset(big, 'a', sizeof(big));
	memcpy(big + 8, "\xe2\x82\xac", 3);	/* a euro sign across the limit */
	draft_text_begin(&t, TEXT_PLAIN, NULL);
	draft_text_append(&t, big, sizeof(big));
	assert_int_equal(t.raw.len, 8);
	buf_release(&t.raw);
	buf_release(&t.base);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normalize_description_becomes_content),
		cmocka_unit_test(test_normalize_summary_beside_content),
		cmocka_unit_test(test_normalize_plain_text_content_is_escaped),
		cmocka_unit_test(test_normalize_ids),
		cmocka_unit_test(test_normalize_unsafe_and_future),
		cmocka_unit_test(test_normalize_field_cut_at_character),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
