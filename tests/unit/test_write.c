/* test_write.c - JSON Feed output and the escapers under it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <jansson.h>

#include "escape.h"
#include "write.h"

static void
test_escape_json_and_xml(void **state)
{
	struct buf b;
	const char *j = "a\"b\\c\n\x01</script>é", *x = "<a href=\"x\">'&'\x01\xef\xbf\xbe</a>";

	(void)state;
	buf_init(&b, 1024);
	assert_int_equal(escape_json(&b, j, strlen(j)), 0);
	assert_string_equal(b.data, "\"a\\\"b\\\\c\\n\\u0001</script>é\"");
	buf_clear(&b);
	assert_int_equal(escape_xml(&b, x, strlen(x)), 0);
	assert_string_equal(b.data, "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
	buf_release(&b);
}

static void
test_write_json_feed_fields_before_and_after_items(void **state)
{
	struct attachment at = { "http://e.org/a.mp3", "audio/mpeg", NULL, 42, -1, NULL };
	struct person au = { "Jo \"J\" Smith", "mailto:jo@e.org", NULL, NULL };
	struct tag t2 = { "two", NULL }, t1 = { "one", &t2 };
	struct feed_writer w;
	struct item it;
	struct feed f;
	struct buf b;
	json_error_t err;
	json_t *doc, *items;

	(void)state;
	feed_init(&f);
	f.title = "Feed";
	item_init(&it);
	it.id = "1";
	it.title = "First";
	it.date_published = 1055217600;
	it.authors = &au;
	it.tags = &t1;
	it.attachments = &at;
	buf_init(&b, 1 << 20);
	feed_writer_begin(&w, WRITE_JSON, NULL, &b);
	assert_int_equal(feed_writer_item(&w, &f, &it), 0);
	f.home_page_url = "http://e.org/";	/* seen after the first item, as Atom allows */
	it.id = "2";
	it.date_published = DATE_NONE;
	it.authors = NULL;
	it.tags = NULL;
	it.attachments = NULL;
	assert_int_equal(feed_writer_item(&w, &f, &it), 0);
	assert_int_equal(feed_writer_end(&w, &f), 0);

	doc = json_loads(b.data, 0, &err);
	if (doc == NULL)
		fail_msg("not JSON: %s in %s", err.text, b.data);
	assert_string_equal(json_string_value(json_object_get(doc, "version")), "https://jsonfeed.org/version/1.1");
	assert_string_equal(json_string_value(json_object_get(doc, "title")), "Feed");
	assert_string_equal(json_string_value(json_object_get(doc, "home_page_url")), "http://e.org/");
	items = json_object_get(doc, "items");
	assert_int_equal(json_array_size(items), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(items, 0), "date_published")),
	    "2003-06-10T04:00:00Z");
	assert_null(json_object_get(json_array_get(items, 1), "date_published"));
	/* No empty fields but the content JSON Feed requires of an item that has none. */
	assert_string_equal(json_string_value(json_object_get(json_array_get(items, 1), "content_text")), "");
	assert_null(json_object_get(json_array_get(items, 1), "summary"));
	json_decref(doc);
	buf_release(&b);
}

static void
test_write_json_empty_feed(void **state)
{
	struct feed_writer w;
	struct feed f;
	struct buf b;

	(void)state;
	feed_init(&f);
	buf_init(&b, 1024);
	feed_writer_begin(&w, WRITE_JSON, NULL, &b);
	assert_int_equal(feed_writer_end(&w, &f), 0);
	/* JSON Feed requires a title: empty when the feed has none. */
	assert_string_equal(b.data, "{\"version\":\"https://jsonfeed.org/version/1.1\",\n\"items\":[],\"title\":\"\"}\n");
	buf_release(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_json_and_xml),
		cmocka_unit_test(test_write_json_feed_fields_before_and_after_items),
		cmocka_unit_test(test_write_json_empty_feed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
