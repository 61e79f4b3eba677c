/* test_parse.c - parse_feed() and the streaming parser: chunking, encodings, callbacks, limits, errors. */
#define _DEFAULT_SOURCE	/* MAP_ANONYMOUS, for a large mapping that costs no memory */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <cmocka.h>

#include "arena.h"
#include "buf.h"
#include "item.h"
#include "limits.h"
#include "parse.h"
#include "write.h"

#define NOW		1700000000	/* 2023-11-14: every date in the documents lies before it */
#define OUT_MAX		(64u << 20)	/* serialized items of one test document */

/* What one run of the parser produced, serialized so that two runs compare as strings. */
struct run {
	struct buf		 out;
	struct feed_writer	 w;
	struct arena		 items;
	size_t			 n;		/* callbacks made */
	size_t			 stop_at;	/* the callback fails on this item (1-based); 0: never */
	int			 rc;
	struct parse_error	 err;
	struct feed		 feed;
};

static int
on_item(void *ctx, const struct feed *f, const struct item *it)
{
	struct run *r = ctx;
	int e;

	r->n++;
	if (r->stop_at != 0 && r->n == r->stop_at)
		return -ECANCELED;
	e = feed_writer_item(&r->w, f, it);
	arena_reset(&r->items);
	return e;
}

/* Opens a parser into r, whose callback fails on item stop_at (0: never). */
static struct feed_parser *
run_open(struct run *r, const char *charset, size_t stop_at)
{
	struct parse_opts o = { .base_url = NULL, .charset = charset, .now = NOW };
	struct feed_parser *p = NULL;

	memset(r, 0, sizeof(*r));
	buf_init(&r->out, OUT_MAX);
	arena_init(&r->items);
	feed_init(&r->feed);
	feed_writer_begin(&r->w, WRITE_JSON, NULL, &r->out);
	r->stop_at = stop_at;
	assert_int_equal(feed_parser_open(&p, &o, &r->feed, &r->items, on_item, r), 0);
	return p;
}

/*
 * Pushes doc in chunks of the sizes in sizes[] (used in turn, over and over; 0 ends the list; NULL
 * pushes the whole document at once), then finishes. Returns the first error, or 0.
 */
static int
run_push(struct run *r, struct feed_parser *p, const char *doc, size_t len, const size_t *sizes)
{
	size_t off = 0, k = 0, n;
	int rc = 0;

	while (rc == 0 && off < len) {
		n = sizes == NULL ? len - off : sizes[k];
		if (sizes != NULL && sizes[++k] == 0)
			k = 0;
		if (n > len - off)
			n = len - off;
		rc = feed_parser_push(p, doc + off, n, &r->err);
		off += n;
	}
	if (rc == 0)
		rc = feed_parser_finish(p, &r->err);
	return rc;
}

/* One whole run; r.out ends with a line of what the items cannot show. Free with run_release(). */
static void
run_chunks(struct run *r, const char *doc, size_t len, const size_t *sizes, const char *charset)
{
	struct feed_parser *p;
	int rc;

	p = run_open(r, charset, 0);
	rc = run_push(r, p, doc, len, sizes);
	if (rc == 0)
		rc = feed_writer_end(&r->w, &r->feed);
	r->rc = rc;
	(void)buf_appendf(&r->out, "rc=%d recovered=%d dropped=%zu\n", rc, r->feed.recovered,
	    r->feed.items_dropped);
	feed_parser_close(p);
}

static void
run_release(struct run *r)
{
	buf_release(&r->out);
	arena_release(&r->items);
	feed_release(&r->feed);
}

/* Feeds that exercise state kept across chunks: the decoder, the mending pass, libxml2. */
static const char doc_rss_everything[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<!DOCTYPE rss SYSTEM \"http://example.org/rss.dtd\">\n"
	"<!-- a comment with & and < and ]]> in it -->\n"
	"<?some-pi with & and < ?>\n"
	"<rss version=\"2.0\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"\n"
	"     xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:media=\"http://search.yahoo.com/mrss/\">\n"
	"<channel><title>Caf\xC3\xA9 &amp; \xE2\x82\xAC \xF0\x9F\x98\x80 &#233;&#x1F600;</title>\n"
	"<link>https://example.org/</link><description>d&nbsp;&hellip;&mdash;</description>\n"
	"<item><title>Fish & Chips < 5 &pound; &bogus; &#x85; &#1;</title>\n"
	"<link>https://example.org/a?x=1&amp;y=2</link><guid isPermaLink=\"false\">urn:a</guid>\n"
	"<description>&lt;p&gt;escaped &amp;amp; &lt;b&gt;html&lt;/b&gt;&lt;/p&gt;</description>\n"
	"<content:encoded><![CDATA[<p>cdata ]] ]> <a href=\"/rel\">x</a> \xC3\xBC\xE2\x80\xA6</p>]]></content:encoded>\n"
	"<dc:creator>J\xC3\xB6rg &lt;j@example.org&gt;</dc:creator><category>a&amp;b</category>\n"
	"<media:thumbnail url=\"https://example.org/t.jpg?a=1&amp;b=2\"/>\n"
	"<pubDate>Tue, 10 Jun 2003 04:00:00 GMT</pubDate></item>\n"
	"<item><title>invalid \xE9 utf-8 \xF0\x9F \xC3 and nul \x01 bytes</title><guid>urn:b</guid>\n"
	"<description>a &lt; b &amp;&amp; c &gt; d</description></item>\n"
	"<item><title>attributes</title><guid>urn:c</guid><enclosure url=\"https://example.org/a.mp3?x=1&y=2&amp;z=3\" "
	"length=\"5\" type=\"audio/mpeg\" title=\"a > b &lt; c &nbsp;\"/></item>\n"
	"<item xml:base=\"https://base.example/dir/\"><title>based</title><link>page</link>\n"
	"<description>&lt;img src=\"i.png\" onerror=\"x()\"&gt;</description></item>\n"
	"</channel></rss>\n";

static const char doc_atom_xhtml[] =
	"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	"<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:base=\"https://example.org/blog/\" xml:lang=\"en\">\n"
	"<title type=\"html\">A &lt;b&gt;feed&lt;/b&gt;</title><id>urn:f</id>\n"
	"<author><name>Ann \xE2\x9C\x93</name><uri>/ann</uri></author>\n"
	"<entry xml:base=\"2024/\"><id>urn:1</id><title type=\"xhtml\"><div xmlns=\"http://www.w3.org/1999/xhtml\">"
	"An <em>xhtml</em> title</div></title><link href=\"one.html\"/>\n"
	"<updated>2024-01-02T03:04:05+01:00</updated>\n"
	"<content type=\"xhtml\"><div xmlns=\"http://www.w3.org/1999/xhtml\"><p>x &amp; y &lt; z "
	"<a href=\"../a\">a</a> \xE6\x97\xA5\xE6\x9C\xAC</p></div></content></entry>\n"
	"<entry><id>urn:2</id><title>two</title><summary type=\"html\">&lt;i&gt;s&lt;/i&gt;</summary>"
	"<content type=\"text/html\" mode=\"base64\">PHA+SGVsbG88L3A+</content></entry>\n"
	"</feed>\n";

/* A DOCTYPE whose internal subset holds no entity, but quotes, a comment and brackets to track. */
static const char doc_doctype_subset[] =
	"<?xml version=\"1.0\"?>\n"
	"<!DOCTYPE rss [\n"
	"  <!ELEMENT rss ANY>\n"
	"  <!ATTLIST rss version CDATA \"2.0\" note CDATA \"a ]> b\">\n"
	"  <!-- a comment with > and & and < in it -->\n"
	"  <?pi > & ?>\n"
	"]>\n"
	"<rss version=\"2.0\"><channel><title>subset &amp; more</title>"
	"<item><title>x &hellip; y</title><guid>urn:d</guid></item></channel></rss>\n";

/* Windows-1252 bytes, declared. */
static const char doc_cp1252[] =
	"<?xml version=\"1.0\" encoding=\"windows-1252\"?>\n"
	"<rss version=\"2.0\"><channel><title>caf\xE9 \x80 \x93quoted\x94</title>\n"
	"<item><title>na\xEFve \x85</title><guid>urn:w</guid></item></channel></rss>\n";

/* Shift_JIS: two-byte characters that a chunk may cut in half. */
static const char doc_sjis[] =
	"<?xml version=\"1.0\" encoding=\"Shift_JIS\"?>\n"
	"<rss version=\"2.0\"><channel><title>\x93\xfa\x96\x7b\x8c\xea</title>\n"
	"<item><title>\x83\x6e\x83\x8d\x81\x5b \x83\x8f\x81\x5b\x83\x8b\x83\x68</title><guid>urn:s</guid></item>"
	"</channel></rss>\n";

/* ISO-2022-JP: a stateful encoding; escape sequences switch the character set between chunks. */
static const char doc_iso2022jp[] =
	"<?xml version=\"1.0\" encoding=\"ISO-2022-JP\"?>\n"
	"<rss version=\"2.0\"><channel><title>\x1b$BF|K\\8l\x1b(B abc</title>\n"
	"<item><title>x \x1b$B%O%m!<\x1b(B y</title><guid>urn:j</guid></item></channel></rss>\n";

static const char doc_json[] =
	"{\"version\":\"https://jsonfeed.org/version/1.1\",\"title\":\"J \\u00e9 \xE2\x82\xAC\","
	"\"items\":[{\"id\":\"1\",\"title\":\"a \\ud83d\\ude00 \\ud800\",\"content_html\":\"<p>x</p>\"},"
	"{\"id\":\"2\",\"content_text\":\"t \xF0\x9F\x98\x80\",\"date_published\":\"2020-01-01T00:00:00Z\"}]}\n";

/* A truncated document: the recover path, and what it keeps, must not depend on chunking. */
/* Ill-formed before its escaped HTML: libxml2 drops entity references past an error. */
static const char doc_broken_then_escaped[] =
	"<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry><id>x</id><b></c>"
	"<summary type=\"html\">&lt;b&gt;bold&lt;/b&gt; 1 &amp;amp; 2 &quot;q&quot; AT&T</summary></entry></feed>";

static const char doc_truncated[] =
	"<rss version=\"2.0\"><channel><title>t</title>"
	"<item><title>one</title><guid>urn:1</guid></item>"
	"<item><title>two</title><description><p>raw <b>html</description></item>"
	"<item><title>thr";

struct doc {
	const char	*name;
	const char	*data;
	size_t		 len;
};

#define DOC(d)	{ #d, d, sizeof(d) - 1 }

static const size_t sizes_1[] = { 1, 0 };
static const size_t sizes_2[] = { 2, 0 };
static const size_t sizes_3[] = { 3, 0 };
static const size_t sizes_5[] = { 5, 0 };
static const size_t sizes_7[] = { 7, 0 };
static const size_t sizes_13[] = { 13, 0 };
static const size_t sizes_64[] = { 64, 0 };
static const size_t sizes_sniff[] = { 4095, 1, 4096, 4097, 0 };
static const size_t sizes_mixed[] = { 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 1, 1, 0 };
static const size_t *const all_sizes[] = {
	sizes_1, sizes_2, sizes_3, sizes_5, sizes_7, sizes_13, sizes_64, sizes_sniff, sizes_mixed,
};

/*
 * Runs doc whole and in every chunking; each must print exactly what the whole document printed.
 * Returns false (and says why) when one does not.
 */
static bool
same_in_chunks(const struct doc *d, const char *charset)
{
	struct run whole, part;
	bool same = true;
	size_t i;

	run_chunks(&whole, d->data, d->len, NULL, charset);
	for (i = 0; same && i < sizeof(all_sizes) / sizeof(all_sizes[0]); i++) {
		run_chunks(&part, d->data, d->len, all_sizes[i], charset);
		same = strcmp(buf_str(&whole.out), buf_str(&part.out)) == 0;
		if (!same)
			print_error("%s in chunks of %zu...: differs from the whole document\n"
			    "--- whole:\n%s\n--- chunked:\n%s\n", d->name, all_sizes[i][0], buf_str(&whole.out),
			    buf_str(&part.out));
		run_release(&part);
	}
	run_release(&whole);
	return same;
}

#define PAD_BYTES	6000	/* more than the parser keeps to sniff the format: the rest streams */

/*
 * d with PAD_BYTES of padding early on (a comment after the XML declaration, a member at the start
 * of a JSON object), so that what follows reaches the decoder and the mending pass chunk by chunk
 * instead of whole at the end of the sniff. ASCII padding: every encoding here keeps ASCII.
 */
static void
pad_doc(const struct doc *d, struct buf *out)
{
	const char *split = d->data;
	size_t i;

	buf_init(out, 1 << 20);
	if (d->data[0] == '{') {
		split = d->data + 1;
	} else if (strncmp(d->data, "<?xml", 5) == 0) {
		split = strstr(d->data, "?>");
		assert_non_null(split);
		split += 2;
	}
	assert_int_equal(buf_append(out, d->data, (size_t)(split - d->data)), 0);
	assert_int_equal(buf_puts(out, d->data[0] == '{' ? "\"_pad\":\"" : "<!-- "), 0);
	for (i = 0; i < PAD_BYTES / 8; i++)
		assert_int_equal(buf_puts(out, "padding "), 0);
	assert_int_equal(buf_puts(out, d->data[0] == '{' ? "\"," : " -->"), 0);
	assert_int_equal(buf_append(out, split, d->len - (size_t)(split - d->data)), 0);
}

static void
test_chunking_gives_same_items(void **state)
{
	static const struct doc docs[] = {
		DOC(doc_rss_everything), DOC(doc_atom_xhtml), DOC(doc_cp1252), DOC(doc_sjis),
		DOC(doc_iso2022jp), DOC(doc_json), DOC(doc_truncated), DOC(doc_doctype_subset),
	};
	struct run whole, padded_run;
	struct buf padded;
	struct doc pd;
	size_t i, bad = 0;

	(void)state;
	for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		/* First: the document parses, with items (else the comparison proves little). */
		run_chunks(&whole, docs[i].data, docs[i].len, NULL, NULL);
		if (whole.n < 1 || whole.rc != 0) {
			print_error("%s: rc %d, %zu items\n%s\n", docs[i].name, whole.rc, whole.n, buf_str(&whole.out));
			bad++;
		}
		if (!same_in_chunks(&docs[i], NULL))
			bad++;
		/* Padded, it must read the same as unpadded, in every chunking. */
		pad_doc(&docs[i], &padded);
		pd.name = docs[i].name;
		pd.data = padded.data;
		pd.len = padded.len;
		run_chunks(&padded_run, pd.data, pd.len, NULL, NULL);
		if (strcmp(buf_str(&whole.out), buf_str(&padded_run.out)) != 0) {
			print_error("%s padded reads differently:\n%s\nunpadded:\n%s\n", docs[i].name,
			    buf_str(&padded_run.out), buf_str(&whole.out));
			bad++;
		}
		if (!same_in_chunks(&pd, NULL))
			bad++;
		run_release(&padded_run);
		run_release(&whole);
		buf_release(&padded);
	}
	assert_int_equal(bad, 0);
}

static void
test_chunking_keeps_expected_text(void **state)
{
	struct run r;

	(void)state;
	/* Spot checks that the whole-document runs above read what they should. */
	run_chunks(&r, doc_sjis, sizeof(doc_sjis) - 1, sizes_1, NULL);
	assert_int_equal(r.rc, 0);
	assert_non_null(strstr(buf_str(&r.out), "\"title\":\"\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E\""));
	assert_non_null(strstr(buf_str(&r.out), "\xE3\x83\x8F\xE3\x83\xAD\xE3\x83\xBC"));
	run_release(&r);
	run_chunks(&r, doc_iso2022jp, sizeof(doc_iso2022jp) - 1, sizes_1, NULL);
	assert_int_equal(r.rc, 0);
	assert_non_null(strstr(buf_str(&r.out), "\"title\":\"\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E abc\""));
	assert_non_null(strstr(buf_str(&r.out), "\"title\":\"x \xE3\x83\x8F\xE3\x83\xAD\xE3\x83\xBC y\""));
	run_release(&r);
	run_chunks(&r, doc_cp1252, sizeof(doc_cp1252) - 1, sizes_1, NULL);
	assert_int_equal(r.rc, 0);
	assert_non_null(strstr(buf_str(&r.out), "\"title\":\"caf\xC3\xA9 \xE2\x82\xAC \xE2\x80\x9Cquoted\xE2\x80\x9D\""));
	run_release(&r);
	run_chunks(&r, doc_doctype_subset, sizeof(doc_doctype_subset) - 1, sizes_1, NULL);
	assert_int_equal(r.rc, 0);
	assert_non_null(strstr(buf_str(&r.out), "\"title\":\"x \xE2\x80\xA6 y\""));
	run_release(&r);
	run_chunks(&r, doc_broken_then_escaped, sizeof(doc_broken_then_escaped) - 1, sizes_1, NULL);
	assert_int_equal(r.rc, 0);
	assert_true(r.feed.recovered);
	assert_non_null(strstr(buf_str(&r.out), "\"content_html\":\"<b>bold</b> 1 &amp; 2 &quot;q&quot; AT&amp;T\""));
	run_release(&r);
	run_chunks(&r, doc_truncated, sizeof(doc_truncated) - 1, sizes_1, NULL);
	assert_int_equal(r.rc, 0);
	assert_true(r.feed.recovered);	/* catalogue 14: what the recover path yields is flagged */
	assert_non_null(strstr(buf_str(&r.out), "\"title\":\"one\""));
	run_release(&r);
	run_chunks(&r, doc_rss_everything, sizeof(doc_rss_everything) - 1, sizes_1, NULL);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.n, 4);
	assert_non_null(strstr(buf_str(&r.out), "\"url\":\"https://example.org/a.mp3?x=1&y=2&z=3\""));
	assert_non_null(strstr(buf_str(&r.out), "\"title\":\"Caf\xC3\xA9 & \xE2\x82\xAC \xF0\x9F\x98\x80 "
	    "\xC3\xA9\xF0\x9F\x98\x80\""));
	assert_non_null(strstr(buf_str(&r.out), "\"url\":\"https://base.example/dir/page\""));
	assert_null(strstr(buf_str(&r.out), "onerror"));
	run_release(&r);
}

/*
 * The format and encoding are chosen from the document's head: when that head spans more than
 * one chunk, the choice must not depend on where the chunks end.
 */
static void
test_chunking_sniff_past_first_chunk(void **state)
{
	struct buf b;
	struct doc d;
	size_t i;
	bool ok;

	(void)state;
	/* A Latin-1 label over bytes that are UTF-8, the first non-ASCII byte past 4 KiB. */
	buf_init(&b, 1 << 20);
	assert_int_equal(buf_puts(&b, "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<!-- "), 0);
	for (i = 0; i < 5000; i++)
		assert_int_equal(buf_putc(&b, 'x'), 0);
	assert_int_equal(buf_puts(&b, " -->\n<rss version=\"2.0\"><channel><title>caf\xC3\xA9</title>"
	    "<item><title>\xE2\x82\xAC</title></item></channel></rss>\n"), 0);
	d.name = "latin1 label, utf-8 bytes after 4 KiB";
	d.data = buf_str(&b);
	d.len = b.len;
	ok = same_in_chunks(&d, NULL);
	buf_release(&b);

	/* JSON Feed after more than 4 KiB of white space. */
	buf_init(&b, 1 << 20);
	for (i = 0; i < 5000; i++)
		assert_int_equal(buf_putc(&b, i % 2 ? ' ' : '\n'), 0);
	assert_int_equal(buf_puts(&b, "{\"version\":\"https://jsonfeed.org/version/1.1\",\"title\":\"t\","
	    "\"items\":[{\"id\":\"1\",\"title\":\"a\"}]}"), 0);
	d.name = "json after 5000 bytes of white space";
	d.data = buf_str(&b);
	d.len = b.len;
	ok = same_in_chunks(&d, NULL) && ok;
	buf_release(&b);
	assert_true(ok);
}

/*
 * A '<' inside an unfinished tag: libxml2's recovery from such a tag depended on where its
 * chunks ended (fuzz_feed: the first document gave 0 items whole and 1 in 1-byte chunks).
 */
static void
test_chunking_tag_cut_by_markup(void **state)
{
	static const char repro[] = "<rss><item<!--x--->></";	/* and the NUL after it */
	static const char *const docs[] = {
		"<rss><channel><item<!--x-->><title>t</title></item></channel></rss>",
		"<rss><channel><item a='1'<title>t</title></item></channel></rss>",
		"<rss><channel><item><title>t</title></item<!-- c --></channel></rss>",
		"<rss><channel><item><title<![CDATA[x]]>t</title></item></channel></rss>",
	};
	struct buf b, padded;
	struct doc d;
	size_t i;
	bool ok = true;

	(void)state;
	/* The reproducer as fuzz_feed ran it: after 4200 newlines, so that it streams. */
	buf_init(&b, 1 << 20);
	for (i = 0; i < 4200; i++)
		assert_int_equal(buf_putc(&b, '\n'), 0);
	assert_int_equal(buf_append(&b, repro, sizeof(repro)), 0);
	d.name = "fuzz_feed repro-chunk-comment";
	d.data = buf_str(&b);
	d.len = b.len;
	ok = same_in_chunks(&d, NULL) && ok;
	d.data = repro;
	d.len = sizeof(repro);
	ok = same_in_chunks(&d, NULL) && ok;
	buf_release(&b);
	for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		d.name = docs[i];
		d.data = docs[i];
		d.len = strlen(docs[i]);
		ok = same_in_chunks(&d, NULL) && ok;
		pad_doc(&d, &padded);
		d.data = padded.data;
		d.len = padded.len;
		ok = same_in_chunks(&d, NULL) && ok;
		buf_release(&padded);
	}
	assert_true(ok);
}

/*
 * xmlfix hands long non-ASCII text inside elements to libxml2 as CDATA, which it cannot do in
 * 1-byte chunks: the two must read the same, wherever the text is, well-formed or not.
 */
static void
test_chunking_long_text(void **state)
{
#define T	"Z\xC3\xBCrich \xE6\x9D\xB1\xE4\xBA\xAC caf\xC3\xA9 na\xC3\xAFve \xE2\x80\x9Cquoted\xE2\x80\x9D r\xC3\xA9sum\xC3\xA9 x"
	static const char *const docs[] = {
		"<rss><channel><title>" T T "</title><item><title>\n  " T T "  </title>"
		"<description>" T "&lt;b&gt;" T T "&amp;" T "</description></item></channel></rss>",
		"<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry><id>urn:x</id><content type=\"xhtml\">"
		"<div xmlns=\"http://www.w3.org/1999/xhtml\"><p>" T T "<b>" T T "</b></p></div></content>"
		"<title type=\"html\">" T T "&lt;i&gt;</title></entry></feed>",
		/* After the root: libxml2 stops at either. */
		"<rss><channel><item><title>t</title></item></channel></rss>\n  " T T,
		"<rss><channel><item><title>t</title></item></channel></rss>" T T "<item/>",
		/* Truncated inside the text, and with tags libxml2 does not close as we count them. */
		"<rss><channel><item><title>" T T,
		"<rss><channel><item><title>t</title></item></channel></rss></rss></x>" T T,
		"<rss><channel><item><title/ >" T T "</title></item><item><br/><title a='/'>" T T "</title></item>"
		"</channel></rss>",
		"<rss><channel><item><title>" T "\r\n" T "]]>" T "</title></item></channel></rss>",
		T T "<rss><channel><item><title>t</title></item></channel></rss>",
	};
	struct buf padded;
	struct doc d;
	size_t i;
	bool ok = true;

	(void)state;
	for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		d.name = docs[i];
		d.data = docs[i];
		d.len = strlen(docs[i]);
		ok = same_in_chunks(&d, NULL) && ok;
		pad_doc(&d, &padded);
		d.data = padded.data;
		d.len = padded.len;
		ok = same_in_chunks(&d, NULL) && ok;
		buf_release(&padded);
	}
	assert_true(ok);
#undef T
}

/* UTF-8 to UTF-16 (le or be), with a byte order mark. */
static void
to_utf16(const char *s, bool be, struct buf *out)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned cp, units[2], n, k;
	char pair[2];

	pair[0] = (char)(be ? 0xFE : 0xFF);
	pair[1] = (char)(be ? 0xFF : 0xFE);
	assert_int_equal(buf_append(out, pair, 2), 0);
	while (*u != '\0') {
		if (*u < 0x80) {
			cp = *u++;
		} else if (*u < 0xE0) {
			cp = (unsigned)(u[0] & 0x1F) << 6 | (u[1] & 0x3F);
			u += 2;
		} else if (*u < 0xF0) {
			cp = (unsigned)(u[0] & 0x0F) << 12 | (unsigned)(u[1] & 0x3F) << 6 | (u[2] & 0x3F);
			u += 3;
		} else {
			cp = (unsigned)(u[0] & 0x07) << 18 | (unsigned)(u[1] & 0x3F) << 12 |
			    (unsigned)(u[2] & 0x3F) << 6 | (u[3] & 0x3F);
			u += 4;
		}
		n = 1;
		units[0] = cp;
		if (cp >= 0x10000) {
			units[0] = 0xD800 | (cp - 0x10000) >> 10;
			units[1] = 0xDC00 | ((cp - 0x10000) & 0x3FF);
			n = 2;
		}
		for (k = 0; k < n; k++) {
			pair[be ? 0 : 1] = (char)(units[k] >> 8);
			pair[be ? 1 : 0] = (char)(units[k] & 0xFF);
			assert_int_equal(buf_append(out, pair, 2), 0);
		}
	}
}

static void
test_utf16_odd_chunks(void **state)
{
	static const char utf8[] =
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<rss version=\"2.0\"><channel><title>\xC3\x9C" "n\xC3\xAF" "c\xC3\xB6" "d\xC3\xA9 \xE2\x82\xAC</title>\n"
		"<item><title>\xC4\x80\xC5\x81 \xE6\x97\xA5\xE6\x9C\xAC \xF0\x9F\x98\x80 &amp; &#x1F601;</title>"
		"<guid>urn:u16</guid><description><![CDATA[<p>\xF0\x9D\x84\x9E music</p>]]></description></item>\n"
		"</channel></rss>\n";
	static const size_t odd[][2] = { { 1, 0 }, { 3, 0 }, { 5, 0 }, { 7, 0 }, { 4095, 0 } };
	static const struct doc src = DOC(utf8);
	struct run ref, r;
	struct buf doc, padded;
	bool same = true;
	int be;
	size_t i;

	(void)state;
	run_chunks(&ref, utf8, sizeof(utf8) - 1, NULL, NULL);
	assert_int_equal(ref.rc, 0);
	assert_int_equal(ref.n, 1);
	/* Padded past the sniff, so that the decoder gets the document chunk by chunk. */
	pad_doc(&src, &padded);
	for (be = 0; be < 4 && same; be++) {
		buf_init(&doc, 1 << 20);
		to_utf16(be < 2 ? utf8 : buf_str(&padded), be % 2, &doc);
		for (i = 0; same && i < sizeof(odd) / sizeof(odd[0]); i++) {
			/* The transport's charset is wrong on purpose: the byte order mark wins (catalogue 11). */
			run_chunks(&r, doc.data, doc.len, odd[i], "ISO-8859-1");
			same = strcmp(buf_str(&ref.out), buf_str(&r.out)) == 0;
			if (!same)
				print_error("UTF-16%s%s in chunks of %zu:\n%s\nwanted:\n%s\n", be % 2 ? "BE" : "LE",
				    be < 2 ? "" : " padded", odd[i][0], buf_str(&r.out), buf_str(&ref.out));
			run_release(&r);
		}
		buf_release(&doc);
	}
	buf_release(&padded);
	run_release(&ref);
	assert_true(same);
}

/* Catalogue 1, 2, 4, 5: a document that declares an entity is refused however it arrives. */
static void
test_entities_refused_in_any_chunking(void **state)
{
	static const char *const docs[] = {
		"<!DOCTYPE rss [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><rss version=\"2.0\"><channel>"
		    "<title>&x;</title><item><title>&x;</title></item></channel></rss>",
		"<?xml version=\"1.0\"?><!DOCTYPE rss [<!ENTITY % p SYSTEM \"http://127.0.0.1:9/\"> %p;]>"
		    "<rss version=\"2.0\"><channel><item><title>a</title></item></channel></rss>",
		"<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;\">]>"
		    "<rss version=\"2.0\"><channel><item><title>&b;&b;</title></item></channel></rss>",
		"<?xml version=\"1.0\"?>\n<!DOCTYPE rss PUBLIC \"-//x//y\" \"http://example.org/d.dtd\" ["
		    "<!ENTITY x 'single quoted'>]><rss version=\"2.0\"><channel><item><title>&x;</title></item>"
		    "</channel></rss>",
	};
	struct feed_parser *p;
	struct run r;
	struct buf doc;
	size_t i, k, j, bad = 0;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(docs) / sizeof(docs[0]) * 2; i++) {
		/* Odd rounds: the declaration comes after PAD_BYTES of comment inside the DOCTYPE. */
		buf_init(&doc, 1 << 20);
		if (i % 2 == 0) {
			assert_int_equal(buf_puts(&doc, docs[i / 2]), 0);
		} else {
			const char *subset = strchr(docs[i / 2], '[');

			assert_int_equal(buf_append(&doc, docs[i / 2], (size_t)(subset - docs[i / 2]) + 1), 0);
			assert_int_equal(buf_puts(&doc, "<!-- "), 0);
			for (j = 0; j < PAD_BYTES / 8; j++)
				assert_int_equal(buf_puts(&doc, "padding "), 0);
			assert_int_equal(buf_puts(&doc, " -->"), 0);
			assert_int_equal(buf_puts(&doc, subset + 1), 0);
		}
		for (k = 0; k <= sizeof(all_sizes) / sizeof(all_sizes[0]); k++) {
			p = run_open(&r, NULL, 0);
			rc = run_push(&r, p, doc.data, doc.len, k == 0 ? NULL : all_sizes[k - 1]);
			if (rc != -EBADMSG || r.n != 0 || r.feed.title != NULL || strstr(r.err.msg, "entit") == NULL) {
				print_error("document %zu%s in chunks of %zu: rc %d, %zu items, \"%s\"\n", i / 2,
				    i % 2 ? " padded" : "", k == 0 ? doc.len : all_sizes[k - 1][0], rc, r.n, r.err.msg);
				bad++;
			}
			feed_parser_close(p);
			run_release(&r);
		}
		buf_release(&doc);
	}
	assert_int_equal(bad, 0);
}

/* A document of n RSS items, each with a distinct guid. */
static void
many_items(struct buf *b, size_t n)
{
	size_t i;

	buf_init(b, PARSE_MAX_DOC);
	assert_int_equal(buf_puts(b, "<rss version=\"2.0\"><channel><title>many</title>\n"), 0);
	for (i = 0; i < n; i++)
		assert_int_equal(buf_appendf(b, "<item><guid>urn:%zu</guid><title>t%zu</title></item>\n", i, i), 0);
	assert_int_equal(buf_puts(b, "</channel></rss>\n"), 0);
}

static void
test_callback_error_stops_parse(void **state)
{
	static const size_t *const chunkings[] = { NULL, sizes_1, sizes_mixed };
	struct feed_parser *p;
	struct run r;
	struct buf doc;
	size_t i;

	(void)state;
	many_items(&doc, 10);
	for (i = 0; i < sizeof(chunkings) / sizeof(chunkings[0]); i++) {
		p = run_open(&r, NULL, 3);
		assert_int_equal(run_push(&r, p, doc.data, doc.len, chunkings[i]), -ECANCELED);
		assert_int_equal(r.n, 3);			/* no callback after the failing one */
		assert_true(r.err.msg[0] != '\0');
		/* The error sticks: more input and the end return it again, with no more callbacks. */
		memset(&r.err, 0, sizeof(r.err));
		assert_int_equal(feed_parser_push(p, "<item><title>x</title></item>", 29, &r.err), -ECANCELED);
		assert_true(r.err.msg[0] != '\0');
		assert_int_equal(feed_parser_finish(p, &r.err), -ECANCELED);
		assert_int_equal(r.n, 3);
		feed_parser_close(p);
		run_release(&r);
	}
	buf_release(&doc);
}

static void
test_callback_error_stops_json(void **state)
{
	static const char doc[] = "{\"version\":\"https://jsonfeed.org/version/1.1\",\"title\":\"t\",\"items\":["
	    "{\"id\":\"1\"},{\"id\":\"2\"},{\"id\":\"3\"},{\"id\":\"4\"}]}";
	struct feed_parser *p;
	struct run r;

	(void)state;
	p = run_open(&r, NULL, 2);
	assert_int_equal(run_push(&r, p, doc, sizeof(doc) - 1, sizes_5), -ECANCELED);
	assert_int_equal(r.n, 2);
	assert_int_equal(feed_parser_finish(p, &r.err), -ECANCELED);
	assert_int_equal(r.n, 2);
	feed_parser_close(p);
	run_release(&r);
}

static int
count_item(void *ctx, const struct feed *f, const struct item *it)
{
	(void)f;
	(void)it;
	(*(size_t *)ctx)++;
	return 0;
}

static void
test_max_items_respected(void **state)
{
	struct parse_opts o = { .now = NOW };
	struct feed_parser *p = NULL;
	struct parse_error err;
	struct item_list l;
	struct arena a;
	struct feed f;
	struct buf doc;
	size_t n = 0;

	(void)state;
	many_items(&doc, PARSE_MAX_ITEMS + 3);
	/* Streaming: PARSE_MAX_ITEMS callbacks, the rest counted as dropped. */
	arena_init(&a);
	feed_init(&f);
	assert_int_equal(feed_parser_open(&p, &o, &f, &a, count_item, &n), 0);
	assert_int_equal(feed_parser_push(p, doc.data, doc.len, &err), 0);
	assert_int_equal(feed_parser_finish(p, &err), 0);
	assert_int_equal(n, PARSE_MAX_ITEMS);
	assert_int_equal(f.items_dropped, 3);
	feed_parser_close(p);
	arena_release(&a);
	feed_release(&f);

	/* Collected: the first PARSE_MAX_ITEMS, in document order. */
	item_list_init(&l);
	feed_init(&f);
	assert_int_equal(parse_feed(doc.data, doc.len, &o, &f, &l, &err), 0);
	assert_int_equal(l.len, PARSE_MAX_ITEMS);
	assert_string_equal(l.items[0].id, "urn:0");
	assert_string_equal(l.items[PARSE_MAX_ITEMS - 1].title, "t99999");
	assert_int_equal(f.items_dropped, 3);
	item_list_release(&l);
	feed_release(&f);
	buf_release(&doc);
}

static void
test_max_items_json(void **state)
{
	struct parse_opts o = { .now = NOW };
	struct parse_error err;
	struct item_list l;
	struct feed f;
	struct buf doc;
	size_t i;

	(void)state;
	buf_init(&doc, PARSE_MAX_DOC);
	assert_int_equal(buf_puts(&doc, "{\"version\":\"https://jsonfeed.org/version/1.1\",\"title\":\"t\",\"items\":["), 0);
	for (i = 0; i < PARSE_MAX_ITEMS + 2; i++)
		assert_int_equal(buf_appendf(&doc, "%s{\"id\":\"%zu\"}", i > 0 ? "," : "", i), 0);
	assert_int_equal(buf_puts(&doc, "]}"), 0);
	item_list_init(&l);
	feed_init(&f);
	assert_int_equal(parse_feed(doc.data, doc.len, &o, &f, &l, &err), 0);
	assert_int_equal(l.len, PARSE_MAX_ITEMS);
	assert_int_equal(f.items_dropped, 2);
	item_list_release(&l);
	feed_release(&f);
	buf_release(&doc);
}

/* Documents parse_feed() must refuse, each with a message. */
static const struct {
	const char	*name;
	const char	*doc;
} refused[] = {
	{ "empty", "" },
	{ "white space", "  \n\t " },
	{ "entity declaration", "<!DOCTYPE rss [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><rss version=\"2.0\">"
	    "<channel><title>&x;</title><item><title>a</title></item></channel></rss>" },
	{ "html page", "<!DOCTYPE html><html><head><title>x</title></head><body>hi</body></html>" },
	{ "plain text", "hello, world" },
	{ "json garbage", "{\"version\": " },
	{ "json not a feed", "{\"a\": 1}" },
	/* Items first, then an error: the items read so far must not be left in the list. */
	{ "error after items", "<rss version=\"2.0\"><channel><title>t</title><item><title>one</title></item>"
	    "<item><title>two</title></item><item><title>x</title>"
	    "<a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a>"
	    "<a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a>"
	    "<a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a>"
	    "<a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a>"
	    "<a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a>"
	    "<a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a>"
	    "<a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a>"
	    "<a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a>"
	    "<a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a>"
	    "<a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a>"
	    "<a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a>" },
};

static void
test_parse_feed_error_leaves_list_empty(void **state)
{
	struct parse_opts o = { .now = NOW };
	struct parse_error err;
	struct item_list l;
	const char *nf;
	struct feed f;
	size_t i, bad = 0;
	int r;

	(void)state;
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		item_list_init(&l);
		feed_init(&f);
		memset(&err, 0, sizeof(err));
		r = parse_feed(refused[i].doc, strlen(refused[i].doc), &o, &f, &l, &err);
		nf = strstr(err.msg, "not a feed");
		/* The message is one line, and says "not a feed" at most once. */
		if (r != -EBADMSG || l.len != 0 || l.items != NULL || f.title != NULL || err.msg[0] == '\0' ||
		    strchr(err.msg, '\n') != NULL || (nf != NULL && strstr(nf + 1, "not a feed") != NULL)) {
			print_error("%s: r=%d len=%zu title=%s msg=\"%s\"\n", refused[i].name, r, l.len,
			    f.title != NULL ? f.title : "(null)", err.msg);
			bad++;
		}
		item_list_release(&l);
		feed_release(&f);
	}
	assert_int_equal(bad, 0);
}

static void
test_parse_feed_refuses_used_list(void **state)
{
	static const char doc[] = "<rss version=\"2.0\"><channel><item><title>a</title></item></channel></rss>";
	struct parse_opts o = { .now = NOW };
	struct parse_error err;
	struct item_list l;
	struct feed f;

	(void)state;
	item_list_init(&l);
	feed_init(&f);
	assert_int_equal(parse_feed(doc, sizeof(doc) - 1, &o, &f, &l, &err), 0);
	assert_int_equal(l.len, 1);
	assert_string_equal(l.items[0].title, "a");
	feed_release(&f);
	feed_init(&f);
	assert_int_equal(parse_feed(doc, sizeof(doc) - 1, &o, &f, &l, &err), -EINVAL);
	assert_int_equal(l.len, 1);	/* untouched */
	assert_string_equal(l.items[0].title, "a");
	item_list_release(&l);
	feed_release(&f);
}

/* parse_feed() collects what the streaming parser hands out, nothing more or less. */
static void
test_parse_feed_matches_stream(void **state)
{
	struct parse_opts o = { .now = NOW };
	struct parse_error err;
	struct feed_writer w;
	struct item_list l;
	struct feed f;
	struct run r;
	struct buf out;
	size_t i;

	(void)state;
	item_list_init(&l);
	feed_init(&f);
	assert_int_equal(parse_feed(doc_rss_everything, sizeof(doc_rss_everything) - 1, &o, &f, &l, &err), 0);
	buf_init(&out, OUT_MAX);
	feed_writer_begin(&w, WRITE_JSON, NULL, &out);
	for (i = 0; i < l.len; i++)
		assert_int_equal(feed_writer_item(&w, &f, &l.items[i]), 0);
	assert_int_equal(feed_writer_end(&w, &f), 0);
	assert_int_equal(buf_appendf(&out, "rc=0 recovered=%d dropped=%zu\n", f.recovered, f.items_dropped), 0);
	run_chunks(&r, doc_rss_everything, sizeof(doc_rss_everything) - 1, sizes_7, NULL);
	assert_string_equal(buf_str(&out), buf_str(&r.out));
	run_release(&r);
	buf_release(&out);
	item_list_release(&l);
	feed_release(&f);
}

/* What a feed says of its own schedule: ttl, the syndication module, skipHours and skipDays. */
static void
test_poll_hints(void **state)
{
	static const struct {
		const char	*channel;
		int64_t		 every;
		uint32_t	 hours;
		uint8_t		 days;
	} cases[] = {
		{ "<ttl>60</ttl>", 3600, 0, 0 },
		{ "<ttl> 5 </ttl><sy:updatePeriod>hourly</sy:updatePeriod><sy:updateFrequency>2</sy:updateFrequency>",
		    1800, 0, 0 },
		{ "<sy:updateFrequency>4</sy:updateFrequency>", 21600, 0, 0 },		/* daily by default */
		{ "<sy:updatePeriod> Weekly </sy:updatePeriod>", 7 * 86400, 0, 0 },
		{ "<ttl>-5</ttl><ttl>x</ttl><ttl>99999999999999999999</ttl><sy:updatePeriod>often</sy:updatePeriod>",
		    0, 0, 0 },
		{ "<skipHours><hour>0</hour><hour>23</hour><hour>24</hour><hour>25</hour><hour>x</hour></skipHours>",
		    0, 1u | 1u << 23, 0 },
		{ "<skipDays><day>Sunday</day><day>saturday</day><day>Funday</day></skipDays>", 0, 0, 1 | 1 << 6 },
		{ "<hour>3</hour><day>Monday</day>", 0, 0, 0 },		/* only inside their lists */
	};
	struct parse_opts o = { .now = NOW };
	struct parse_error err;
	struct item_list l;
	struct feed f;
	char doc[1024];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		(void)snprintf(doc, sizeof(doc), "<rss version=\"2.0\" "
		    "xmlns:sy=\"http://purl.org/rss/1.0/modules/syndication/\"><channel>%s</channel></rss>",
		    cases[i].channel);
		item_list_init(&l);
		feed_init(&f);
		assert_int_equal(parse_feed(doc, strlen(doc), &o, &f, &l, &err), 0);
		assert_int_equal(f.poll_every, cases[i].every);
		assert_int_equal(f.skip_hours, cases[i].hours);
		assert_int_equal(f.skip_days, cases[i].days);
		item_list_release(&l);
		feed_release(&f);
	}
}

static void
test_error_sticks_and_says_where(void **state)
{
	static const char doc[] = "<?xml version=\"1.0\"?>\n<!DOCTYPE rss [\n<!ENTITY lol \"lol\">\n]>\n<rss/>";
	struct parse_opts o = { .now = NOW };
	struct feed_parser *p = NULL;
	struct parse_error err = { 0 }, again = { 0 };
	int r_push, r_finish, r_again, r_finish2;
	struct arena a;
	struct feed f;
	size_t n = 0;

	(void)state;
	arena_init(&a);
	feed_init(&f);
	assert_int_equal(feed_parser_open(&p, &o, &f, &a, count_item, &n), 0);
	r_push = feed_parser_push(p, doc, sizeof(doc) - 1, &err);	/* shorter than the sniff: kept */
	r_finish = feed_parser_finish(p, &err);
	r_again = feed_parser_push(p, "<rss/>", 6, &again);
	r_finish2 = feed_parser_finish(p, &again);
	feed_parser_close(p);
	arena_release(&a);
	feed_release(&f);
	assert_int_equal(r_push, 0);
	assert_int_equal(r_finish, -EBADMSG);
	assert_non_null(strstr(err.msg, "entit"));
	/* Where: the line of the declaration. */
	assert_int_equal(err.line, 3);
	assert_true(err.column > 0);
	/* After an error, further calls return it again, with the same report. */
	assert_int_equal(r_again, -EBADMSG);
	assert_int_equal(r_finish2, -EBADMSG);
	assert_string_equal(again.msg, err.msg);
	assert_int_equal(again.line, err.line);
	assert_int_equal(n, 0);
}

static void
test_finish_without_data_is_empty_document(void **state)
{
	struct parse_opts o = { .now = NOW };
	struct feed_parser *p = NULL;
	struct parse_error err = { 0 };
	struct arena a;
	struct feed f;
	size_t n = 0;

	(void)state;
	arena_init(&a);
	feed_init(&f);
	assert_int_equal(feed_parser_open(&p, &o, &f, &a, count_item, &n), 0);
	assert_int_equal(feed_parser_finish(p, &err), -EBADMSG);
	assert_true(err.msg[0] != '\0');
	feed_parser_close(p);
	feed_parser_close(NULL);
	arena_release(&a);
	feed_release(&f);
}

/* PARSE_MAX_DOC is checked before a byte is read: a mapping of zero pages stands in for the data. */
static void
test_document_size_limit(void **state)
{
	static const char head[] = "<rss version=\"2.0\"><channel><title>t</title>";
	struct parse_opts o = { .now = NOW };
	struct feed_parser *p = NULL;
	struct parse_error err = { 0 };
	struct arena a;
	struct feed f;
	size_t n = 0;
	void *big;

	(void)state;
	big = mmap(NULL, PARSE_MAX_DOC, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(big != MAP_FAILED);
	arena_init(&a);
	feed_init(&f);
	assert_int_equal(feed_parser_open(&p, &o, &f, &a, count_item, &n), 0);
	assert_int_equal(feed_parser_push(p, head, sizeof(head) - 1, &err), 0);
	assert_int_equal(feed_parser_push(p, big, PARSE_MAX_DOC - (sizeof(head) - 1) + 1, &err), -E2BIG);
	assert_true(err.msg[0] != '\0');
	assert_int_equal(feed_parser_finish(p, &err), -E2BIG);
	feed_parser_close(p);
	arena_release(&a);
	feed_release(&f);
	munmap(big, PARSE_MAX_DOC);
}

/* Autodiscovery's question: a page, or a feed? Markup first, Content-Type second. */
static void
test_is_page(void **state)
{
	static const struct {
		const char	*body, *type;
		bool		 page;
	} cases[] = {
		{ "<!DOCTYPE html><html><head>", NULL, true },
		{ "\xEF\xBB\xBF  <!-- hi --><?xml version=\"1.0\"?>\n<HTML lang=en>", NULL, true },
		{ "<!doctype html>", "application/rss+xml", true },
		{ "<head><title>x</title>", "text/html; charset=utf-8", true },
		{ "<?xml version=\"1.0\"?><rss version=\"2.0\">", "text/html", false },
		{ "<feed xmlns=\"http://www.w3.org/2005/Atom\">", "text/html", false },
		{ "<rdf:RDF xmlns:rdf=\"x\">", "text/html", false },
		{ "{\"version\": \"https://jsonfeed.org/version/1.1\"}", "text/html", false },
		{ "<head><title>x</title>", "application/xml", false },
		{ "<!DOCTYPE htmlx>", NULL, false },
		{ "<!-- never closed", "text/html", false },
		{ "", "text/html", false },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (parse_is_page(cases[i].body, strlen(cases[i].body), cases[i].type) != cases[i].page)
			fail_msg("case %zu: %s", i, cases[i].body);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chunking_gives_same_items),
		cmocka_unit_test(test_chunking_keeps_expected_text),
		cmocka_unit_test(test_chunking_sniff_past_first_chunk),
		cmocka_unit_test(test_chunking_tag_cut_by_markup),
		cmocka_unit_test(test_chunking_long_text),
		cmocka_unit_test(test_utf16_odd_chunks),
		cmocka_unit_test(test_entities_refused_in_any_chunking),
		cmocka_unit_test(test_callback_error_stops_parse),
		cmocka_unit_test(test_callback_error_stops_json),
		cmocka_unit_test(test_max_items_respected),
		cmocka_unit_test(test_max_items_json),
		cmocka_unit_test(test_parse_feed_error_leaves_list_empty),
		cmocka_unit_test(test_parse_feed_refuses_used_list),
		cmocka_unit_test(test_parse_feed_matches_stream),
		cmocka_unit_test(test_poll_hints),
		cmocka_unit_test(test_error_sticks_and_says_where),
		cmocka_unit_test(test_finish_without_data_is_empty_document),
		cmocka_unit_test(test_document_size_limit),
		cmocka_unit_test(test_is_page),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
