/* test_write.c - the RSS, Atom and JSON Feed writers and the escapers under them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <jansson.h>
#include <libxml/parser.h>

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
	/* DEL and C1 controls go too; U+00A0 and the characters after U+F000 stay. */
	buf_clear(&b);
	x = "a\x7f\xc2\x85\xc2\x9f\xc2\xa0\xef\xbc\x81" "b";
	assert_int_equal(escape_xml(&b, x, strlen(x)), 0);
	assert_string_equal(b.data, "a\xc2\xa0\xef\xbc\x81" "b");
	buf_clear(&b);
	assert_int_equal(escape_cdata(&b, x, strlen(x)), 0);
	assert_string_equal(b.data, "<![CDATA[a\xc2\xa0\xef\xbc\x81" "b]]>");
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

static void
test_escape_cdata_splits_end_marker(void **state)
{
	const char *s = "a]]>b]]]>c\x01]";
	struct buf b;

	(void)state;
	buf_init(&b, 1024);
	assert_int_equal(escape_cdata(&b, s, strlen(s)), 0);
	assert_string_equal(b.data, "<![CDATA[a]]]]><![CDATA[>b]]]]]><![CDATA[>c]]]>");
	buf_release(&b);
}

/* One story from a wire, reported by two more sources; every field of the model set. */
struct story {
	struct source		 origin, other2, other1;
	struct person		 author, editor;
	struct tag		 tag;
	struct attachment	 audio;
	struct item		 it;
	struct feed		 f;
};

static void
story_init(struct story *s)
{
	memset(s, 0, sizeof(*s));
	s->origin = (struct source){ "Wire", "http://wire.example/1", "http://wire.example/rss", NULL };
	s->other2 = (struct source){ "Times & Co", "http://times.example/a?x=1&y=2", NULL, NULL };
	s->other1 = (struct source){ "Daily", "http://daily.example/b", NULL, &s->other2 };
	s->author = (struct person){ "Ann <Reporter>", "mailto:ann@wire.example", NULL, NULL };
	s->editor = (struct person){ "Desk", NULL, NULL, NULL };
	s->tag = (struct tag){ "world & more", NULL };
	s->audio = (struct attachment){ "http://wire.example/1.mp3", "audio/mpeg", "Listen", 1000, 60, NULL };
	item_init(&s->it);
	s->it.id = "wire-1";
	s->it.url = "http://wire.example/1";
	s->it.title = "Quake: a < b & \"c\"";
	s->it.content_html = "<p>Shaking ]]> felt</p>";
	s->it.summary = "Shaking felt";
	s->it.image = "http://wire.example/1.jpg";
	s->it.language = "en";
	s->it.date_published = 1055217600;	/* 2003-06-10T04:00:00Z */
	s->it.date_modified = 1055221200;
	s->it.authors = &s->author;
	s->it.tags = &s->tag;
	s->it.attachments = &s->audio;
	s->it.source = &s->origin;
	s->it.also = &s->other1;
	feed_init(&s->f);
	s->f.title = "Breaking";
	s->f.home_page_url = "http://desk.example/";
	s->f.description = "All the news";
	s->f.language = "en";
	s->f.authors = &s->editor;
	s->f.date_modified = 1055221200;
}

static char *
write_story(enum write_format format, const struct write_opts *o, const struct feed *f, const struct item *it)
{
	struct feed_writer w;
	struct buf b;

	buf_init(&b, SIZE_MAX);
	feed_writer_begin(&w, format, o, &b);
	if (it != NULL)
		assert_int_equal(feed_writer_item(&w, f, it), 0);
	assert_int_equal(feed_writer_end(&w, f), 0);
	return buf_take(&b, NULL);
}

static void
assert_well_formed(const char *xml)
{
	xmlDocPtr doc = xmlReadMemory(xml, (int)strlen(xml), NULL, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR |
	    XML_PARSE_NOWARNING);

	if (doc == NULL)
		fail_msg("not well-formed XML:\n%s", xml);
	xmlFreeDoc(doc);
}

static void
assert_has(const char *doc, const char *part)
{
	if (strstr(doc, part) == NULL)
		fail_msg("missing %s in:\n%s", part, doc);
}

static void
test_write_rss_item(void **state)
{
	struct write_opts o = { .self_url = "http://desk.example/breaking.rss", .ttl = 15 };
	struct story s;
	char *rss;

	(void)state;
	story_init(&s);
	rss = write_story(WRITE_RSS, &o, &s.f, &s.it);
	assert_well_formed(rss);
	assert_has(rss, "<title>Breaking</title>\n<link>http://desk.example/</link>\n<description>All the news");
	assert_has(rss, "<lastBuildDate>Tue, 10 Jun 2003 05:00:00 +0000</lastBuildDate>");
	assert_has(rss, "<ttl>15</ttl>");
	assert_has(rss, "<atom:link rel=\"self\" type=\"application/rss+xml\" href=\"http://desk.example/breaking.rss\"/>");
	/* A plain-text title is HTML to most RSS readers: escaped for HTML, then for XML. */
	assert_has(rss, "<title>Quake: a &amp;lt; b &amp;amp; &amp;quot;c&amp;quot;</title>");
	assert_has(rss, "<description>Shaking felt</description>");
	assert_has(rss, "<content:encoded><![CDATA[<p>Shaking ]]]]><![CDATA[> felt</p>]]><![CDATA[<p>Also reported by:"
	    "</p><ul><li><a href=\"http://daily.example/b\" rel=\"noopener noreferrer\">Daily</a></li><li><a href=\"http://times.example/a?x=1&amp;"
	    "y=2\" rel=\"noopener noreferrer\">Times &amp; Co</a></li></ul>]]></content:encoded>");
	assert_has(rss, "<author>ann@wire.example (Ann &lt;Reporter&gt;)</author>");
	assert_has(rss, "<guid isPermaLink=\"false\">wire-1</guid>");
	assert_has(rss, "<pubDate>Tue, 10 Jun 2003 04:00:00 +0000</pubDate>");
	assert_has(rss, "<enclosure url=\"http://wire.example/1.mp3\" length=\"1000\" type=\"audio/mpeg\"/>");
	assert_has(rss, "<source url=\"http://wire.example/rss\">Wire</source>");
	assert_has(rss, "<dc:creator>Desk</dc:creator>\n<item>");
	free(rss);
}

static void
test_write_rss_guid_is_permalink_only_for_the_url(void **state)
{
	struct story s;
	char *rss;

	(void)state;
	story_init(&s);
	s.it.id = s.it.url;
	s.it.summary = NULL;
	s.it.also = NULL;
	rss = write_story(WRITE_RSS, NULL, &s.f, &s.it);
	assert_has(rss, "<guid>http://wire.example/1</guid>");
	/* Without a summary the HTML is the description, and there is no content:encoded. */
	assert_has(rss, "<description><![CDATA[<p>Shaking ]]]]><![CDATA[> felt</p>]]></description>");
	assert_null(strstr(rss, "content:encoded>"));
	free(rss);
}

static void
test_write_atom_entry(void **state)
{
	struct write_opts o = { .self_url = "http://desk.example/breaking.atom", .hub = "http://hub.example/" };
	struct story s;
	char *atom;

	(void)state;
	story_init(&s);
	atom = write_story(WRITE_ATOM, &o, &s.f, &s.it);
	assert_well_formed(atom);
	assert_has(atom, "<feed xmlns=\"http://www.w3.org/2005/Atom\" xmlns:media=\"http://search.yahoo.com/mrss/\" "
	    "xml:lang=\"en\">\n<id>http://desk.example/breaking.atom</id>\n<title>Breaking</title>");
	assert_has(atom, "<updated>2003-06-10T05:00:00Z</updated>");
	assert_has(atom, "<link rel=\"hub\" href=\"http://hub.example/\"/>");
	/* "wire-1" is no IRI: the Atom id is a URN made from it, the same every time. */
	assert_has(atom, "<entry xml:lang=\"en\">\n<id>urn:wiredesk:id:");
	assert_has(atom, "<title>Quake: a &lt; b &amp; &quot;c&quot;</title>");
	assert_has(atom, "<published>2003-06-10T04:00:00Z</published>");
	assert_has(atom, "<author><name>Ann &lt;Reporter&gt;</name>\n<email>ann@wire.example</email>\n</author>");
	assert_has(atom, "<link rel=\"related\" type=\"text/html\" href=\"http://daily.example/b\" title=\"Daily\"/>");
	assert_has(atom, "<link rel=\"enclosure\" href=\"http://wire.example/1.mp3\" type=\"audio/mpeg\" length=\"1000\" "
	    "title=\"Listen\"/>");
	assert_has(atom, "<category term=\"world &amp; more\"/>");
	assert_has(atom, "<content type=\"html\"><![CDATA[<p>Shaking ]]]]><![CDATA[> felt</p>]]><![CDATA[<p>Also");
	assert_has(atom, "<source>\n<id>http://wire.example/rss</id>\n<title>Wire</title>");
	free(atom);
}

static void
test_write_atom_required_fields_made_up(void **state)
{
	struct write_opts o = { .now = 1055217600 };
	struct item it;
	struct feed f;
	char *atom;

	(void)state;
	feed_init(&f);
	item_init(&it);
	it.id = "http://e.example/1";
	atom = write_story(WRITE_ATOM, &o, &f, &it);
	assert_well_formed(atom);
	assert_has(atom, "<id>urn:wiredesk:feed:");
	assert_has(atom, "<title></title>\n<updated>2003-06-10T04:00:00Z</updated>");
	/* An entry with no author, in a feed without one, still has one; without content or link, an empty content. */
	assert_has(atom, "<entry>\n<id>http://e.example/1</id>\n<title></title>\n<updated>2003-06-10T04:00:00Z</updated>\n"
	    "<author><name>unknown</name>\n</author>\n<content type=\"text\"></content>\n</entry>");
	free(atom);
}

static void
test_write_json_extension_and_also_list(void **state)
{
	const json_t *item, *ext;
	json_error_t err;
	struct story s;
	json_t *doc;
	char *json;

	(void)state;
	story_init(&s);
	json = write_story(WRITE_JSON, NULL, &s.f, &s.it);
	doc = json_loads(json, 0, &err);
	if (doc == NULL)
		fail_msg("not JSON: %s in %s", err.text, json);
	item = json_array_get(json_object_get(doc, "items"), 0);
	assert_string_equal(json_string_value(json_object_get(item, "content_html")), "<p>Shaking ]]> felt</p>"
	    "<p>Also reported by:</p><ul><li><a href=\"http://daily.example/b\" rel=\"noopener noreferrer\">Daily</a></li><li><a href="
	    "\"http://times.example/a?x=1&amp;y=2\" rel=\"noopener noreferrer\">Times &amp; Co</a></li></ul>");
	ext = json_object_get(item, "_wiredesk");
	assert_string_equal(json_string_value(json_object_get(json_object_get(ext, "source"), "feed_url")),
	    "http://wire.example/rss");
	assert_int_equal(json_array_size(json_object_get(ext, "sources")), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(ext, "sources"), 1),
	    "name")), "Times & Co");
	json_decref(doc);
	free(json);
}

static void
test_write_is_deterministic(void **state)
{
	struct write_opts o = { .now = 1055217600 };
	enum write_format fmt;
	struct story s;
	char *a, *b;

	(void)state;
	story_init(&s);
	for (fmt = WRITE_RSS; fmt <= WRITE_JSON; fmt++) {
		a = write_story(fmt, &o, &s.f, &s.it);
		b = write_story(fmt, &o, &s.f, &s.it);
		assert_string_equal(a, b);
		free(a);
		free(b);
	}
}

static void
test_write_empty_rss_has_required_channel_fields(void **state)
{
	struct write_opts o = { .self_url = "http://desk.example/x.rss", .now = 1055217600 };
	struct feed f;
	char *rss;

	(void)state;
	feed_init(&f);
	rss = write_story(WRITE_RSS, &o, &f, NULL);
	assert_well_formed(rss);
	assert_has(rss, "<title></title>\n<link>http://desk.example/x.rss</link>\n<description></description>\n"
	    "<lastBuildDate>Tue, 10 Jun 2003 04:00:00 +0000</lastBuildDate>");
	free(rss);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_json_and_xml),
		cmocka_unit_test(test_write_json_feed_fields_before_and_after_items),
		cmocka_unit_test(test_write_json_empty_feed),
		cmocka_unit_test(test_escape_cdata_splits_end_marker),
		cmocka_unit_test(test_write_rss_item),
		cmocka_unit_test(test_write_rss_guid_is_permalink_only_for_the_url),
		cmocka_unit_test(test_write_atom_entry),
		cmocka_unit_test(test_write_atom_required_fields_made_up),
		cmocka_unit_test(test_write_json_extension_and_also_list),
		cmocka_unit_test(test_write_is_deterministic),
		cmocka_unit_test(test_write_empty_rss_has_required_channel_fields),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
