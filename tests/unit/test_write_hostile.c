/*
 * test_write_hostile.c - hostile content through the three writers (shared/security/REFERENCE.md
 * catalogue items 13, 27, 35 and 36): the output is well-formed, hostile text comes back as text,
 * no markup in it can run, control characters are gone, "]]>" survives, and the bytes are the same
 * every time.
 */
#include <ctype.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <cmocka.h>

#include <jansson.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <utf8proc.h>

#include "buf.h"
#include "item.h"
#include "parse.h"
#include "sanitize.h"
#include "write.h"

#define NOW		1700000000
#define SELF		"http://127.0.0.1/f"
#define OUT_MAX		(16u << 20)
#define NS_ATOM		"http://www.w3.org/2005/Atom"
#define NS_CONTENT	"http://purl.org/rss/1.0/modules/content/"

/* The hostile strings of catalogue item 35 and friends. */
#define IMG_ONERROR	"<img src=x onerror=alert(1)>"
#define SCRIPT		"<script>alert(3)</script>"
#define BREAKOUT	"\" onmouseover=\"alert(4)\" x=\"</title></item><script>alert(5)</script>"

static const struct write_opts wopts = { SELF, NULL, NOW, 0 };

static const struct {
	enum write_format	 format;
	const char		*name;
	enum feed_format	 reads_as;
} fmts[] = {
	{ WRITE_RSS, "rss", FEED_RSS2 },
	{ WRITE_ATOM, "atom", FEED_ATOM10 },
	{ WRITE_JSON, "json", FEED_JSON11 },
};
#define NFMTS	(sizeof(fmts) / sizeof(fmts[0]))

/* One written document and what was read back from it. */
struct out {
	enum write_format	 format;
	const char		*name;
	struct buf		 bytes;
	xmlDocPtr		 xml;		/* RSS and Atom: the tree libxml2 read */
	json_t			*json;		/* JSON Feed: the tree jansson read */
	struct feed		 feed;		/* parse_feed() of the bytes */
	struct item_list	 items;
};

/* ---- helpers ---- */

static void
write_doc(enum write_format format, const struct feed *f, const struct item *items, size_t n, struct buf *b)
{
	struct feed_writer w;
	size_t i;

	memset(&w, 0xA5, sizeof(w));	/* begin must set every field it reads */
	buf_init(b, OUT_MAX);
	feed_writer_begin(&w, format, &wopts, b);
	for (i = 0; i < n; i++)
		assert_int_equal(feed_writer_item(&w, f, &items[i]), 0);
	assert_int_equal(feed_writer_end(&w, f), 0);
	assert_true(b->len > 0);
}

static const char *
find_ci(const char *s, const char *end, const char *needle)
{
	size_t n = strlen(needle);

	for (; (size_t)(end - s) >= n; s++)
		if (strncasecmp(s, needle, n) == 0)
			return s;
	return NULL;
}

/*
 * HTML a reader will render: no script element, no CDATA section, and inside any tag no event
 * handler attribute (on...=) and no javascript: URL.
 */
static void
check_html(const char *fmt, const char *what, const char *h)
{
	const char *end = h + strlen(h), *lt, *gt, *q, *r;

	if (find_ci(h, end, "<script") != NULL)
		fail_msg("%s: <script as markup in %s: %s", fmt, what, h);
	if (find_ci(h, end, "<![cdata[") != NULL)
		fail_msg("%s: CDATA section in the HTML of %s: %s", fmt, what, h);
	for (lt = h; (lt = strchr(lt, '<')) != NULL; lt = gt) {
		if ((gt = strchr(lt, '>')) == NULL)
			gt = end;
		for (q = lt; q < gt; q++) {
			if (!(isspace((unsigned char)*q) || *q == '/' || *q == '"' || *q == '\'') ||
			    gt - q < 4 || strncasecmp(q + 1, "on", 2) != 0)
				continue;
			for (r = q + 3; r < gt && isalpha((unsigned char)*r); r++)
				;
			while (r < gt && isspace((unsigned char)*r))
				r++;
			if (r > q + 3 && r < gt && *r == '=')
				fail_msg("%s: event handler as markup in %s: %s", fmt, what, h);
		}
		if (find_ci(lt, gt, "javascript:") != NULL)
			fail_msg("%s: javascript: inside a tag in %s: %s", fmt, what, h);
	}
}

/* Valid UTF-8; in XML only characters XML 1.0 allows; in JSON no raw control character. */
static void
check_bytes(const struct out *o)
{
	const utf8proc_uint8_t *s = (const utf8proc_uint8_t *)buf_str(&o->bytes);
	utf8proc_int32_t cp;
	utf8proc_ssize_t k;
	size_t i = 0;

	assert_int_equal(strlen(buf_str(&o->bytes)), o->bytes.len);
	while (i < o->bytes.len) {
		k = utf8proc_iterate(s + i, (utf8proc_ssize_t)(o->bytes.len - i), &cp);
		if (k <= 0 || cp < 0)
			fail_msg("%s: invalid UTF-8 at byte %zu: %s", o->name, i, buf_str(&o->bytes));
		if (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r')
			fail_msg("%s: control character U+%04X at byte %zu: %s", o->name, (unsigned)cp, i,
			    buf_str(&o->bytes));
		if (o->format != WRITE_JSON && (cp == 0xFFFE || cp == 0xFFFF))
			fail_msg("%s: U+%04X at byte %zu", o->name, (unsigned)cp, i);
		i += (size_t)k;
	}
}

static bool
is_html_payload(enum write_format format, xmlNodePtr n)
{
	const char *ns = n->ns != NULL ? (const char *)n->ns->href : NULL;
	xmlChar *type;
	bool html;

	if (format == WRITE_RSS)
		return (ns == NULL && (xmlStrEqual(n->name, BAD_CAST "title") ||
		    xmlStrEqual(n->name, BAD_CAST "description"))) ||
		    (ns != NULL && strcmp(ns, NS_CONTENT) == 0 && xmlStrEqual(n->name, BAD_CAST "encoded"));
	if (ns == NULL || strcmp(ns, NS_ATOM) != 0)
		return false;
	type = xmlGetNoNsProp(n, BAD_CAST "type");
	html = type != NULL && xmlStrEqual(type, BAD_CAST "html");
	xmlFree(type);
	return html;
}

/*
 * The XML tree: no script element and no on* attribute anywhere (inline XHTML included), and
 * every HTML payload (RSS title, description, content:encoded; Atom type="html") safe as HTML.
 */
static void
check_xml_tree(const struct out *o, xmlNodePtr n)
{
	xmlAttrPtr a;
	xmlChar *s;

	for (; n != NULL; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (xmlStrcasecmp(n->name, BAD_CAST "script") == 0)
			fail_msg("%s: a script element in the XML: %s", o->name, buf_str(&o->bytes));
		for (a = n->properties; a != NULL; a = a->next)
			if (xmlStrncasecmp(a->name, BAD_CAST "on", 2) == 0)
				fail_msg("%s: attribute %s in the XML: %s", o->name, (const char *)a->name,
				    buf_str(&o->bytes));
		if (is_html_payload(o->format, n)) {
			s = xmlNodeGetContent(n);
			if (s != NULL)
				check_html(o->name, (const char *)n->name, (const char *)s);
			xmlFree(s);
		}
		check_xml_tree(o, n->children);
	}
}

/*
 * A model that breaks item.h's rule (no control characters, no U+FFFE): JSON may carry what it
 * has, escaped, and our parser then reads that JSON as repaired. The XML checks stay the same.
 */
#define DIRTY_MODEL	0x01

/* Writes the model in format i and reads it back three ways; every check on the way must pass. */
static void
out_make(struct out *o, size_t i, const struct feed *f, const struct item *items, size_t n, unsigned flags)
{
	struct parse_opts po = { NULL, NULL, NOW };
	struct parse_error err;
	xmlParserCtxtPtr ctxt;
	json_error_t jerr;
	json_t *its, *e;
	size_t k;
	int r;

	memset(o, 0, sizeof(*o));
	o->format = fmts[i].format;
	o->name = fmts[i].name;
	write_doc(o->format, f, items, n, &o->bytes);
	check_bytes(o);

	if (o->format == WRITE_JSON) {
		o->json = json_loadb(buf_str(&o->bytes), o->bytes.len, JSON_REJECT_DUPLICATES, &jerr);
		if (o->json == NULL)
			fail_msg("json: not JSON (%s at %d:%d): %s", jerr.text, jerr.line, jerr.column,
			    buf_str(&o->bytes));
		its = json_object_get(o->json, "items");
		assert_true(json_is_array(its));
		json_array_foreach(its, k, e) {
			json_t *h = json_object_get(e, "content_html");

			if (h != NULL)
				check_html(o->name, "content_html", json_string_value(h));
		}
	} else {
		ctxt = xmlNewParserCtxt();
		assert_non_null(ctxt);
		/* No network, no DTD, no entity substitution: the bytes as a strict reader sees them. */
		o->xml = xmlCtxtReadMemory(ctxt, buf_str(&o->bytes), (int)o->bytes.len, NULL, NULL,
		    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
		if (o->xml == NULL || !ctxt->wellFormed || !ctxt->nsWellFormed) {
			xmlErrorPtr xe = xmlCtxtGetLastError(ctxt);

			fail_msg("%s: not well-formed (%s): %s", o->name, xe != NULL && xe->message != NULL ?
			    xe->message : "?", buf_str(&o->bytes));
		}
		xmlFreeParserCtxt(ctxt);
		check_xml_tree(o, xmlDocGetRootElement(o->xml));
	}

	feed_init(&o->feed);
	item_list_init(&o->items);
	memset(&err, 0, sizeof(err));
	r = parse_feed(buf_str(&o->bytes), o->bytes.len, &po, &o->feed, &o->items, &err);
	if (r != 0)
		fail_msg("%s: does not re-parse: %d %d:%d %s: %s", o->name, r, err.line, err.column, err.msg,
		    buf_str(&o->bytes));
	if (o->feed.recovered && !(o->format == WRITE_JSON && (flags & DIRTY_MODEL)))
		fail_msg("%s: re-parses only through the recover path: %s", o->name, buf_str(&o->bytes));
	if (o->feed.format != fmts[i].reads_as)
		fail_msg("%s: re-parses as format %d: %s", o->name, (int)o->feed.format, buf_str(&o->bytes));
	if (o->items.len != n)
		fail_msg("%s: %zu items re-parse, not %zu: %s", o->name, o->items.len, n, buf_str(&o->bytes));
	for (k = 0; k < o->items.len; k++)
		if (o->items.items[k].content_html != NULL)
			check_html(o->name, "re-parsed content_html", o->items.items[k].content_html);
}

static void
out_free(struct out *o)
{
	if (o->xml != NULL)
		xmlFreeDoc(o->xml);
	json_decref(o->json);
	item_list_release(&o->items);
	feed_release(&o->feed);
	buf_release(&o->bytes);
}

static void
expect_str(const struct out *o, const char *what, const char *got, const char *want)
{
	if (got == NULL || strcmp(got, want) != 0)
		fail_msg("%s: %s came back as \"%s\", not \"%s\"\n%s", o->name, what, got != NULL ? got : "(null)",
		    want, buf_str(&o->bytes));
}

/* A child element of n by namespace (NULL: none) and name, or NULL. */
static xmlNodePtr
child(xmlNodePtr n, const char *ns, const char *name)
{
	for (n = n->children; n != NULL; n = n->next)
		if (n->type == XML_ELEMENT_NODE && xmlStrEqual(n->name, BAD_CAST name) &&
		    (ns == NULL ? n->ns == NULL : n->ns != NULL && strcmp((const char *)n->ns->href, ns) == 0))
			return n;
	return NULL;
}

/*
 * The HTML body of the nth (0-based) entry as a reader decodes it: RSS content:encoded (else the
 * description, where the writer puts the HTML of an item without a summary), Atom content,
 * JSON Feed content_html. NULL when there is none; the caller frees it.
 */
static char *
payload(const struct out *o, size_t nth)
{
	xmlNodePtr n, c = NULL;
	xmlChar *x;
	json_t *h;
	char *s;

	if (o->format == WRITE_JSON) {
		h = json_object_get(json_array_get(json_object_get(o->json, "items"), nth), "content_html");
		return h != NULL ? strdup(json_string_value(h)) : NULL;
	}
	n = xmlDocGetRootElement(o->xml);
	if (o->format == WRITE_RSS && (n = child(n, NULL, "channel")) == NULL)
		return NULL;
	for (n = n->children; n != NULL; n = n->next) {
		if (n->type != XML_ELEMENT_NODE || !xmlStrEqual(n->name,
		    BAD_CAST (o->format == WRITE_RSS ? "item" : "entry")) || nth-- != 0)
			continue;
		if (o->format == WRITE_ATOM)
			c = child(n, NS_ATOM, "content");
		else if ((c = child(n, NS_CONTENT, "encoded")) == NULL)
			c = child(n, NULL, "description");
		break;
	}
	if (c == NULL)
		return NULL;
	x = xmlNodeGetContent(c);
	s = strdup(x != NULL ? (const char *)x : "");
	xmlFree(x);
	return s;
}

static char *
slurp(const char *path, size_t *ret_len)
{
	FILE *fp;
	char *s;
	long n;

	fp = fopen(path, "rb");
	if (fp == NULL)
		fail_msg("cannot open %s", path);
	assert_int_equal(fseek(fp, 0, SEEK_END), 0);
	n = ftell(fp);
	assert_true(n >= 0);
	rewind(fp);
	s = malloc((size_t)n + 1);
	assert_non_null(s);
	assert_int_equal(fread(s, 1, (size_t)n, fp), (size_t)n);
	s[n] = '\0';
	fclose(fp);
	*ret_len = (size_t)n;
	return s;
}

/* No control character in a string read back, except tab and LF where HTML keeps them. */
static void
expect_no_controls(const struct out *o, const char *what, const char *s, bool html)
{
	for (; s != NULL && *s != '\0'; s++)
		if (((unsigned char)*s < 0x20 && !(html && (*s == '\n' || *s == '\t'))) || *s == 0x7F)
			fail_msg("%s: control character 0x%02x in %s\n%s", o->name, (unsigned char)*s, what,
			    buf_str(&o->bytes));
}

/* ---- catalogue 35: markup in titles, authors, categories, summaries, source names ---- */

static void
test_hostile_text_fields(void **state)
{
	struct person fa = { "Feed " IMG_ONERROR, NULL, NULL, NULL };
	struct person au = { "Jo " IMG_ONERROR " & \"Jim\" 'J'", "mailto:jo@example.org", NULL, NULL };
	struct tag t2 = { BREAKOUT, NULL }, t1 = { SCRIPT, &t2 };
	struct attachment at = { "http://example.org/a.mp3?x=1&y=2", "audio/mpeg", IMG_ONERROR, 42, 60, NULL };
	struct source other = { "Other " IMG_ONERROR, "http://other.example/x?a=1&b=2", "http://other.example/feed", NULL };
	struct source src = { "<b onmouseover=alert(5)>Src</b>", "http://src.example/1", "http://src.example/feed", NULL };
	struct item it;
	struct feed f;
	size_t i;

	(void)state;
	feed_init(&f);
	f.format = FEED_RSS2;
	f.title = "Feed " IMG_ONERROR;
	f.description = "</description><script>alert(1)</script> 5 < 6 && 7 > 3";
	f.home_page_url = "http://example.org/?a=1&b=2";
	f.authors = &fa;
	item_init(&it);
	it.id = "urn:x:1&2";
	it.url = "http://example.org/a?x=1&y=2";
	it.title = IMG_ONERROR;
	it.summary = "A " BREAKOUT " & " SCRIPT;
	it.content_html = "<p>safe &amp; sound &lt;img src=x onerror=alert(1)&gt;</p>";
	it.date_published = 1600000000;
	it.authors = &au;
	it.tags = &t1;
	it.attachments = &at;
	it.source = &src;
	it.also = &other;

	for (i = 0; i < NFMTS; i++) {
		struct out o;
		const struct item *r;

		out_make(&o, i, &f, &it, 1, 0);
		r = &o.items.items[0];
		expect_str(&o, "feed title", o.feed.title, f.title);
		expect_str(&o, "feed description", o.feed.description, f.description);
		expect_str(&o, "title", r->title, it.title);
		expect_str(&o, "summary", r->summary, it.summary);
		expect_str(&o, "id", r->id, it.id);
		expect_str(&o, "url", r->url, it.url);
		assert_non_null(r->authors);
		expect_str(&o, "author", r->authors->name, au.name);
		assert_non_null(r->tags);
		expect_str(&o, "first tag", r->tags->term, t1.term);
		assert_non_null(r->tags->next);
		expect_str(&o, "second tag", r->tags->next->term, t2.term);
		assert_non_null(r->attachments);
		expect_str(&o, "attachment url", r->attachments->url, at.url);
		/* The item's own HTML comes back first, as it was (the writer may append to it). */
		assert_non_null(r->content_html);
		if (strncmp(r->content_html, it.content_html, strlen(it.content_html)) != 0)
			fail_msg("%s: content_html came back as %s", o.name, r->content_html);
		out_free(&o);
	}
}

/* ---- catalogue 13: control characters ---- */

/* A model that breaks the model's own rule (no controls): the XML writers must still drop them. */
static void
test_control_characters_in_model(void **state)
{
	struct person au = { "J\x02o\x1b", NULL, NULL, NULL };
	struct tag t = { "t\x03g", NULL };
	struct item it;
	struct feed f;
	size_t i;

	(void)state;
	feed_init(&f);
	f.title = "F\x01" "eed\x1f";
	f.description = "d\x0b" "e\x0c" "f";
	item_init(&it);
	it.id = "urn:c\x01";
	it.url = "http://example.org/c";
	it.title = "a\x01" "b\x08" "c\x0b" "d\x1f" "e\xef\xbf\xbe" "f\xef\xbf\xbf" "g";
	it.summary = "s\x01" "u\x02" "m";
	it.content_html = "<p>x\x01" "y\x08" "z]]>\x1f</p>";
	it.authors = &au;
	it.tags = &t;

	for (i = 0; i < NFMTS; i++) {
		struct out o;
		const struct item *r;

		out_make(&o, i, &f, &it, 1, DIRTY_MODEL);	/* checks no C0 in the bytes, and well-formed */
		r = &o.items.items[0];
		assert_non_null(r->title);
		if (o.format != WRITE_JSON) {
			/* JSON can carry them as \u escapes; XML 1.0 cannot carry them at all. */
			expect_no_controls(&o, "title", r->title, false);
			assert_non_null(strstr(r->title, "a"));
			assert_non_null(strstr(r->title, "g"));
		}
		out_free(&o);
	}
}

/*
 * DEL and the C1 controls: XML 1.0 allows them, but they are control characters all the same, our
 * parser reads a document holding them as damaged (recovered, C1 as Windows-1252), and a model
 * should never carry them. The XML writers drop them, as they drop C0.
 */
static void
test_del_and_c1_in_model(void **state)
{
	struct tag t = { "t\x7fg", NULL };
	struct item it;
	struct feed f;
	size_t i;

	(void)state;
	feed_init(&f);
	f.title = "F\x7f" "eed";
	item_init(&it);
	it.id = "urn:del";
	it.title = "a\x7f" "b\xc2\x85" "c\xc2\x92" "d\xc2\x9f" "e";
	it.content_html = "<p>x\x7f" "y\xc2\x80" "z</p>";
	it.tags = &t;

	for (i = 0; i < NFMTS; i++) {
		struct buf b;
		const unsigned char *s;
		size_t k;

		if (fmts[i].format == WRITE_JSON)
			continue;	/* JSON may carry them; our parser drops them from JSON text */
		write_doc(fmts[i].format, &f, &it, 1, &b);
		s = (const unsigned char *)buf_str(&b);
		for (k = 0; k < b.len; k++)
			if (s[k] == 0x7F || (s[k] == 0xC2 && k + 1 < b.len && s[k + 1] >= 0x80 && s[k + 1] < 0xA0))
				fail_msg("%s: DEL or a C1 control at byte %zu:\n%s", fmts[i].name, k, buf_str(&b));
		buf_release(&b);
		{
			struct out o;

			out_make(&o, i, &f, &it, 1, DIRTY_MODEL);	/* and the output re-parses without repairs */
			expect_str(&o, "title", o.items.items[0].title, "abcde");
			out_free(&o);
		}
	}
}

/* Documents with raw NUL and C0 bytes and references to them: nothing of them comes out (item 13 end to end). */
static void
test_control_characters_from_documents(void **state)
{
	static const char rss[] =
	    "<rss version=\"2.0\"><channel><title>t\0i\x01t\x1fle</title>"
	    "<item><guid>urn:a</guid><title>a\0b\x01" "c\x08" "d&#1;e&#x1F;f&#127;g</title>"
	    "<description>&lt;p&gt;x\x02y&amp;#3;z&lt;/p&gt;</description>"
	    "<author>me@example.org (M\x05" "e)</author><category>c\x06" "at</category></item>"
	    "</channel></rss>";
	static const char json[] =
	    "{\"version\":\"https://jsonfeed.org/version/1.1\",\"title\":\"t\\u0000i\\u0001t\","
	    "\"items\":[{\"id\":\"1\",\"title\":\"a\\u0001b\\u001fc\\u007f\",\"content_html\":\"<p>x\\u0002y</p>\","
	    "\"authors\":[{\"name\":\"n\\u0003m\"}],\"tags\":[\"t\\u0004g\"]}]}";
	const struct { const char *doc; size_t len; } docs[] = {
		{ rss, sizeof(rss) - 1 },
		{ json, sizeof(json) - 1 },
	};
	struct parse_opts po = { "http://example.org/", NULL, NOW };
	struct parse_error err;
	struct item_list l;
	struct feed f;
	size_t d, i, k;

	(void)state;
	for (d = 0; d < sizeof(docs) / sizeof(docs[0]); d++) {
		feed_init(&f);
		item_list_init(&l);
		assert_int_equal(parse_feed(docs[d].doc, docs[d].len, &po, &f, &l, &err), 0);
		assert_int_equal(l.len, 1);
		for (i = 0; i < NFMTS; i++) {
			struct out o;

			out_make(&o, i, &f, l.items, l.len, 0);
			expect_no_controls(&o, "feed title", o.feed.title, false);
			for (k = 0; k < o.items.len; k++) {
				const struct item *r = &o.items.items[k];

				expect_no_controls(&o, "title", r->title, false);
				expect_no_controls(&o, "summary", r->summary, false);
				expect_no_controls(&o, "content_html", r->content_html, true);
				if (r->authors != NULL)
					expect_no_controls(&o, "author", r->authors->name, false);
				if (r->tags != NULL)
					expect_no_controls(&o, "tag", r->tags->term, false);
				expect_str(&o, "title", r->title, l.items[k].title);
			}
			out_free(&o);
		}
		item_list_release(&l);
		feed_release(&f);
	}
}

/* ---- catalogue 36: "]]>" in content and text ---- */

static void
test_cdata_end_survives(void **state)
{
	static const char *const html[] = {
		"<p>one ]]> two</p>",
		"]]>",
		"]]>]]>",
		"<p>]]]]>></p><p>]]</p>]",
		"<p>\xc3\xa9]]>\xc3\xa9 \xe2\x82\xac]]>\xf0\x9f\x98\x80</p>",
		"<a href=\"http://example.org/?a=]]>\">]]&gt;</a>",
		"<pre>x]]&gt;y ]] > ]>]]></pre>",
	};
	enum { N = sizeof(html) / sizeof(html[0]) };
	struct item it[N];
	char ids[N][16];
	struct feed f;
	struct buf san;
	size_t i, k;

	(void)state;
	feed_init(&f);
	f.title = "f ]]> g";
	for (k = 0; k < N; k++) {
		item_init(&it[k]);
		snprintf(ids[k], sizeof(ids[k]), "urn:cd:%zu", k);
		it[k].id = ids[k];
		it[k].title = "a ]]> b ]]]]> c";
		it[k].content_html = html[k];
	}
	for (i = 0; i < NFMTS; i++) {
		struct out o;

		out_make(&o, i, &f, it, N, 0);
		expect_str(&o, "feed title", o.feed.title, f.title);
		for (k = 0; k < N; k++) {
			const struct item *r = &o.items.items[k];
			char *p = payload(&o, k);

			/* As a reader decodes the document, the HTML is there byte for byte. */
			if (p == NULL || strstr(p, html[k]) == NULL)
				fail_msg("%s: item %zu: HTML \"%s\" decodes as \"%s\"\n%s", o.name, k, html[k],
				    p != NULL ? p : "(none)", buf_str(&o.bytes));
			free(p);
			expect_str(&o, "title", r->title, it[k].title);
			/* Through our parser it is what the sanitizer makes of it, and that is stable. */
			buf_init(&san, OUT_MAX);
			assert_int_equal(sanitize_html(html[k], strlen(html[k]), NULL, &san), 0);
			expect_str(&o, "content_html", r->content_html, buf_str(&san));
			buf_clear(&san);
			assert_int_equal(sanitize_html(r->content_html, strlen(r->content_html), NULL, &san), 0);
			expect_str(&o, "content_html sanitized again", buf_str(&san), r->content_html);
			buf_release(&san);
		}
		out_free(&o);
	}
}

/* ---- catalogue 27: a CDATA section inside HTML content ---- */

static void
test_cdata_script_in_html(void **state)
{
	static const char *const docs[] = {
		"<rss version=\"2.0\"><channel><title>t</title><item><guid>urn:a</guid>"
		"<description>&lt;p&gt;a&lt;![CDATA[&lt;script&gt;alert(1)&lt;/script&gt;]]&gt;b&lt;/p&gt;</description>"
		"</item></channel></rss>",

		"<rss version=\"2.0\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"><channel><title>t</title>"
		"<item><guid>urn:b</guid><content:encoded><![CDATA[<p>one ]]]]><![CDATA[> two</p>"
		"<![CDATA[<script>alert(1)</script>]]]]><![CDATA[><p>three</p>]]></content:encoded></item>"
		"<item><guid>urn:c</guid><content:encoded><![CDATA[<div><![CDATA[<img src=x onerror=alert(1)>]]]]>"
		"<![CDATA[><svg><![CDATA[</svg><img src=x onerror=alert(2)>]]]]><![CDATA[></div>]]></content:encoded></item>"
		"</channel></rss>",

		"<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>t</title><id>urn:f</id><updated>2020-01-01T00:00:00Z</updated>"
		"<entry><id>urn:d</id><title>x</title><updated>2020-01-01T00:00:00Z</updated>"
		"<content type=\"html\">&lt;p&gt;x&lt;![CDATA[&lt;img src=x onerror=alert(1)&gt;]]&gt;&lt;/p&gt;</content></entry>"
		"<entry><id>urn:e</id><title>y</title><updated>2020-01-01T00:00:00Z</updated>"
		"<content type=\"xhtml\"><div xmlns=\"http://www.w3.org/1999/xhtml\"><![CDATA[<script>alert(1)</script>]]>"
		"<p>ok</p></div></content></entry></feed>",

		"{\"version\":\"https://jsonfeed.org/version/1.1\",\"title\":\"t\",\"items\":["
		"{\"id\":\"1\",\"content_html\":\"<p>a<![CDATA[<script>alert(1)</script>]]>b</p>\"},"
		"{\"id\":\"2\",\"content_html\":\"<![CDATA[<img src=x onerror=alert(1)>]]><p>c</p>\"}]}",
	};
	struct parse_opts po = { "http://example.org/", NULL, NOW };
	struct parse_error err;
	struct item_list l;
	struct feed f;
	size_t d, i, k;

	(void)state;
	for (d = 0; d < sizeof(docs) / sizeof(docs[0]); d++) {
		feed_init(&f);
		item_list_init(&l);
		if (parse_feed(docs[d], strlen(docs[d]), &po, &f, &l, &err) != 0)
			fail_msg("document %zu: %s", d, err.msg);
		assert_true(l.len > 0);
		for (k = 0; k < l.len; k++)
			if (l.items[k].content_html != NULL)
				check_html("parse", "content_html", l.items[k].content_html);
		for (i = 0; i < NFMTS; i++) {
			struct out o;

			out_make(&o, i, &f, l.items, l.len, 0);	/* every HTML payload checked */
			for (k = 0; k < l.len; k++)
				if (l.items[k].content_html != NULL)
					expect_str(&o, "content_html", o.items.items[k].content_html,
					    l.items[k].content_html);
			out_free(&o);
		}
		item_list_release(&l);
		feed_release(&f);
	}
}

/* ---- the fixtures of items 13, 27, 35 and 36 in tests/data/parse, parsed, written, read back ---- */

static void
test_hostile_fixtures_round_trip(void **state)
{
	static const char *const fixtures[] = {
		"markup_in_title_and_author/input.xml",
		"markup_in_atom_text_fields/input.xml",
		"cdata_end_in_content/input.xml",
		"nul_and_c0_stripped/input.xml",
		"nul_and_c0_in_json_stripped/input.json",
	};
	struct parse_opts po = { "http://example.org/", NULL, NOW };
	struct parse_error err;
	struct item_list l;
	struct feed f;
	char path[4096], *doc;
	size_t d, i, k, len;

	(void)state;
	for (d = 0; d < sizeof(fixtures) / sizeof(fixtures[0]); d++) {
		snprintf(path, sizeof(path), "%s/parse/%s", TEST_DATA, fixtures[d]);
		doc = slurp(path, &len);
		feed_init(&f);
		item_list_init(&l);
		if (parse_feed(doc, len, &po, &f, &l, &err) != 0)
			fail_msg("%s: %s", fixtures[d], err.msg);
		for (i = 0; i < NFMTS; i++) {
			struct out o;

			out_make(&o, i, &f, l.items, l.len, 0);
			if (f.title != NULL)
				expect_str(&o, "feed title", o.feed.title, f.title);
			for (k = 0; k < l.len; k++) {
				const struct item *a = &l.items[k], *b = &o.items.items[k];

				if (a->title != NULL)
					expect_str(&o, "title", b->title, a->title);
				if (a->summary != NULL)
					expect_str(&o, "summary", b->summary, a->summary);
				if (a->content_html != NULL)
					expect_str(&o, "content_html", b->content_html, a->content_html);
				if (a->authors != NULL && a->authors->name != NULL) {
					assert_non_null(b->authors);
					expect_str(&o, "author", b->authors->name, a->authors->name);
				}
				if (a->tags != NULL) {
					assert_non_null(b->tags);
					expect_str(&o, "tag", b->tags->term, a->tags->term);
				}
			}
			out_free(&o);
		}
		item_list_release(&l);
		feed_release(&f);
		free(doc);
	}
}

/* ---- deterministic output ---- */

static void
test_same_model_same_bytes(void **state)
{
	struct person fa = { "Feed Author", "http://example.org/me", "http://example.org/me.png", NULL };
	struct person a2 = { "B <b>", NULL, NULL, NULL }, a1 = { "A & A", "mailto:a@example.org", NULL, &a2 };
	struct tag t2 = { "two ]]>", NULL }, t1 = { "one", &t2 };
	struct attachment at2 = { "http://example.org/b.ogg", NULL, NULL, -1, -1, NULL };
	struct attachment at1 = { "http://example.org/a.mp3", "audio/mpeg", "A \"t\"", 1234, 61, &at2 };
	struct source o2 = { "Two", "http://two.example/s", NULL, NULL };
	struct source o1 = { "One " IMG_ONERROR, "http://one.example/s", "http://one.example/feed", &o2 };
	struct source src = { "Src", "http://src.example/s", "http://src.example/feed", NULL };
	struct item it[3];
	struct feed f;
	struct buf a, b;
	size_t i;

	(void)state;
	feed_init(&f);
	f.format = FEED_ATOM10;
	f.title = "Feed ]]> <x>";
	f.home_page_url = "http://example.org/";
	f.feed_url = "http://example.org/feed";
	f.hub = "http://hub.example/";
	f.description = "D & d";
	f.icon = "http://example.org/icon.png";
	f.favicon = "http://example.org/favicon.ico";
	f.language = "en-GB";
	f.date_modified = 1650000000;
	f.authors = &fa;
	for (i = 0; i < 3; i++)
		item_init(&it[i]);
	it[0].id = "http://example.org/1";
	it[0].url = "http://example.org/1";
	it[0].guid_is_link = true;
	it[0].external_url = "http://elsewhere.example/x";
	it[0].title = "One " IMG_ONERROR;
	it[0].content_html = "<p>one ]]> <a href=\"http://example.org/?a=1&amp;b=2\">l</a></p>";
	it[0].summary = "S1";
	it[0].image = "http://example.org/1.png";
	it[0].language = "fr";
	it[0].date_published = 1600000000;
	it[0].date_modified = 1600000600;
	it[0].authors = &a1;
	it[0].tags = &t1;
	it[0].attachments = &at1;
	it[0].source = &src;
	it[0].also = &o1;
	it[1].id = "urn:two";
	it[1].title = "Two";
	it[1].summary = "only a summary";
	it[1].date_modified = 1600001000;
	it[2].id = "urn:three";
	it[2].url = "http://example.org/3";
	it[2].content_html = "<p>three</p>";

	for (i = 0; i < NFMTS; i++) {
		write_doc(fmts[i].format, &f, it, 3, &a);
		write_doc(fmts[i].format, &f, it, 3, &b);
		if (a.len != b.len || memcmp(buf_str(&a), buf_str(&b), a.len) != 0)
			fail_msg("%s: two writes differ:\n%s\n---\n%s", fmts[i].name, buf_str(&a), buf_str(&b));
		buf_release(&a);
		buf_release(&b);
		/* and it is a good document */
		{
			struct out o;

			out_make(&o, i, &f, it, 3, 0);
			out_free(&o);
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hostile_text_fields),
		cmocka_unit_test(test_control_characters_in_model),
		cmocka_unit_test(test_del_and_c1_in_model),
		cmocka_unit_test(test_control_characters_from_documents),
		cmocka_unit_test(test_cdata_end_survives),
		cmocka_unit_test(test_cdata_script_in_html),
		cmocka_unit_test(test_hostile_fixtures_round_trip),
		cmocka_unit_test(test_same_model_same_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
