/* fuzz_write.c - a parsed document through each writer: the output must re-parse, be the same twice, and be clean XML or JSON. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <libxml/parser.h>
#include <utf8proc.h>

#include "buf.h"
#include "item.h"
#include "parse.h"
#include "write.h"

#define FUZZ_NOW	1700000000
#define FUZZ_BASE	"http://example.org/feed/"
#define FUZZ_SELF	"http://127.0.0.1/f"
#define FUZZ_HUB	"http://127.0.0.1/hub"
#define OUT_MAX		(256u << 20)		/* one written document, far above what a fuzz input can make */
#define SHOW_MAX	4000			/* bytes of a document shown on stderr */
#ifndef FUZZ_WRITE_DIRTY
#define FUZZ_WRITE_DIRTY 0			/* 1: also write models that break item.h (see dirty()) */
#endif

/*
 * The first byte chooses the options; the rest is the document. As in fuzz_feed, with the high bit
 * set it also names a transport charset, so the two targets share seeds.
 */
#define OPT_NO_SELF	0x01	/* no self_url: the writers fall back to the feed's feed_url */
#define OPT_TTL		0x02	/* an RSS ttl */
#define OPT_HUB		0x04	/* a WebSub hub */
static const char *const charsets[] = { "ISO-8859-1", "UTF-16", "Shift_JIS", "x-evil" };

static const struct {
	enum write_format	 format;
	const char		*name;
	enum feed_format	 reads_as;	/* what the parser must take the output for */
} formats[] = {
	{ WRITE_RSS, "rss", FEED_RSS2 },
	{ WRITE_ATOM, "atom", FEED_ATOM10 },
	{ WRITE_JSON, "json", FEED_JSON11 },
};

static void
fail(const char *fmt, const char *why, const struct buf *doc)
{
	fprintf(stderr, "fuzz_write: %s: %s\n", fmt, why);
	if (doc != NULL)
		fprintf(stderr, "--- output (%zu bytes):\n%.*s\n---\n", doc->len,
		    doc->len > SHOW_MAX ? SHOW_MAX : (int)doc->len, buf_str(doc));
	abort();
}

/* The whole model, once, into out. */
static void
write_all(enum write_format format, const char *fmt, const struct write_opts *o, const struct feed *f,
    const struct item_list *l, struct buf *out)
{
	struct feed_writer w;
	size_t i;
	int e;

	buf_init(out, OUT_MAX);
	feed_writer_begin(&w, format, o, out);
	for (i = 0; i < l->len; i++) {
		if ((e = feed_writer_item(&w, f, &l->items[i])) < 0) {
			fprintf(stderr, "fuzz_write: %s: item %zu: %s\n", fmt, i, strerror(-e));
			fail(fmt, "feed_writer_item failed", out);
		}
	}
	if ((e = feed_writer_end(&w, f)) < 0) {
		fprintf(stderr, "fuzz_write: %s: %s\n", fmt, strerror(-e));
		fail(fmt, "feed_writer_end failed", out);
	}
	if (w.items != l->len)
		fail(fmt, "the writer counted a different number of items", out);
}

/* Valid UTF-8 (utf8proc refuses surrogates and overlongs); for XML, only characters XML 1.0 allows. */
static void
check_bytes(const char *fmt, const struct buf *out, bool xml)
{
	const utf8proc_uint8_t *s = (const utf8proc_uint8_t *)buf_str(out);
	utf8proc_int32_t cp;
	utf8proc_ssize_t k;
	size_t i = 0;

	if (out->len == 0)
		fail(fmt, "empty output", out);
	if (strlen(buf_str(out)) != out->len)
		fail(fmt, "NUL byte in the output", out);
	while (i < out->len) {
		k = utf8proc_iterate(s + i, (utf8proc_ssize_t)(out->len - i), &cp);
		if (k <= 0 || cp < 0)
			fail(fmt, "output is not valid UTF-8", out);
		if (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r')
			fail(fmt, xml ? "control character in the XML output" : "raw control character in the JSON output",
			    out);
		if (xml && (cp == 0xFFFE || cp == 0xFFFF))
			fail(fmt, "U+FFFE or U+FFFF in the XML output", out);
		i += (size_t)k;
	}
}

/* Well-formed XML with namespaces, read without the network and without entity substitution. */
static void
check_xml(const char *fmt, const struct buf *out)
{
	xmlParserCtxtPtr ctxt;
	xmlDocPtr doc;
	bool ok;

	if ((ctxt = xmlNewParserCtxt()) == NULL)
		abort();
	doc = xmlCtxtReadMemory(ctxt, buf_str(out), (int)out->len, NULL, NULL,
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	ok = doc != NULL && ctxt->wellFormed && ctxt->nsWellFormed;
	if (!ok) {
		const xmlError *err = xmlCtxtGetLastError(ctxt);

		if (err != NULL && err->message != NULL)
			fprintf(stderr, "fuzz_write: %s: libxml2: %d:%d: %s", fmt, err->line, err->int2,
			    err->message);
	}
	xmlFreeDoc(doc);
	xmlFreeParserCtxt(ctxt);
	if (!ok)
		fail(fmt, "output is not well-formed XML", out);
}

static void
check_json(const char *fmt, const struct buf *out)
{
	json_error_t jerr;
	json_t *doc;

	doc = json_loadb(buf_str(out), out->len, JSON_REJECT_DUPLICATES, &jerr);
	if (doc == NULL) {
		fprintf(stderr, "fuzz_write: %s: jansson: %d:%d: %s\n", fmt, jerr.line, jerr.column, jerr.text);
		fail(fmt, "output is not JSON", out);
	}
	if (!json_is_string(json_object_get(doc, "version")) || !json_is_array(json_object_get(doc, "items")))
		fail(fmt, "output lacks version or items", out);
	json_decref(doc);
}

/* The output back through the same parser: no error, nothing mended, the same format and item count. */
static void
check_reparse(const char *fmt, enum feed_format reads_as, const struct buf *out, size_t items)
{
	struct parse_opts o = { NULL, NULL, FUZZ_NOW };
	struct parse_error err;
	struct item_list l;
	struct feed f;
	int e;

	feed_init(&f);
	item_list_init(&l);
	memset(&err, 0, sizeof(err));
	e = parse_feed(buf_str(out), out->len, &o, &f, &l, &err);
	if (e < 0) {
		fprintf(stderr, "fuzz_write: %s: parse_feed: %s at %d:%d: %s\n", fmt, strerror(-e), err.line,
		    err.column, err.msg);
		fail(fmt, "output does not re-parse", out);
	}
	if (f.recovered)
		fail(fmt, "output re-parses only through the recover path", out);
	if (f.format != reads_as)
		fail(fmt, "output re-parses as another format", out);
	if (l.len != items || f.items_dropped != 0) {
		fprintf(stderr, "fuzz_write: %s: %zu items written, %zu (+%zu dropped) read back\n", fmt, items,
		    l.len, f.items_dropped);
		fail(fmt, "output re-parses with another number of items", out);
	}
	item_list_release(&l);
	feed_release(&f);
}

/*
 * item.h promises strings without control characters. When the parser breaks that promise, it is
 * fuzz_feed's finding, not the writers': such a model is skipped here (build with
 * -DFUZZ_WRITE_DIRTY=1 to write it anyway), and test_write_hostile feeds the writers dirty models
 * on purpose. Tab, LF and CR are let through: XML and JSON carry them.
 */
static bool
dirty(const char *s)
{
	const utf8proc_uint8_t *u = (const utf8proc_uint8_t *)s;
	utf8proc_int32_t cp;
	utf8proc_ssize_t k;
	size_t i = 0, n;

	if (s == NULL)
		return false;
	n = strlen(s);
	while (i < n) {
		k = utf8proc_iterate(u + i, (utf8proc_ssize_t)(n - i), &cp);
		if (k <= 0 || cp < 0)
			return true;
		if ((cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') || (cp >= 0x7F && cp < 0xA0) ||
		    cp == 0xFFFE || cp == 0xFFFF)
			return true;
		i += (size_t)k;
	}
	return false;
}

static bool
dirty_people(const struct person *p)
{
	for (; p != NULL; p = p->next)
		if (dirty(p->name) || dirty(p->url) || dirty(p->avatar))
			return true;
	return false;
}

static bool
dirty_sources(const struct source *s)
{
	for (; s != NULL; s = s->next)
		if (dirty(s->name) || dirty(s->url) || dirty(s->feed_url))
			return true;
	return false;
}

static bool
dirty_model(const struct feed *f, const struct item_list *l)
{
	const struct attachment *a;
	const struct item *it;
	const struct tag *t;
	size_t i;

	if (dirty(f->title) || dirty(f->home_page_url) || dirty(f->feed_url) || dirty(f->hub) ||
	    dirty(f->description) || dirty(f->icon) || dirty(f->favicon) || dirty(f->language) ||
	    dirty_people(f->authors))
		return true;
	for (i = 0; i < l->len; i++) {
		it = &l->items[i];
		if (dirty(it->id) || dirty(it->url) || dirty(it->external_url) || dirty(it->title) ||
		    dirty(it->content_html) || dirty(it->summary) || dirty(it->image) || dirty(it->language) ||
		    dirty_people(it->authors) || dirty_sources(it->source) || dirty_sources(it->also))
			return true;
		for (t = it->tags; t != NULL; t = t->next)
			if (dirty(t->term))
				return true;
		for (a = it->attachments; a != NULL; a = a->next)
			if (dirty(a->url) || dirty(a->mime_type) || dirty(a->title))
				return true;
	}
	return false;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct write_opts wo = { FUZZ_SELF, NULL, FUZZ_NOW, 0 };
	struct parse_opts po = { FUZZ_BASE, NULL, FUZZ_NOW };
	struct parse_error err;
	struct item_list l;
	struct buf a, b;
	struct feed f;
	size_t i;

	if (size == 0)
		return 0;
	if (data[0] & 0x80)
		po.charset = charsets[data[0] >> 5 & 3];
	if (data[0] & OPT_NO_SELF)
		wo.self_url = NULL;
	if (data[0] & OPT_TTL)
		wo.ttl = 60;
	if (data[0] & OPT_HUB)
		wo.hub = FUZZ_HUB;

	feed_init(&f);
	item_list_init(&l);
	if (parse_feed((const char *)data + 1, size - 1, &po, &f, &l, &err) < 0)
		return 0;	/* not a feed: fuzz_feed checks the errors */
	if (!FUZZ_WRITE_DIRTY && dirty_model(&f, &l)) {
		item_list_release(&l);
		feed_release(&f);
		return 0;
	}

	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		bool xml = formats[i].format != WRITE_JSON;

		write_all(formats[i].format, formats[i].name, &wo, &f, &l, &a);
		write_all(formats[i].format, formats[i].name, &wo, &f, &l, &b);
		if (a.len != b.len || memcmp(buf_str(&a), buf_str(&b), a.len) != 0) {
			fprintf(stderr, "--- second output (%zu bytes):\n%.*s\n", b.len,
			    b.len > SHOW_MAX ? SHOW_MAX : (int)b.len, buf_str(&b));
			fail(formats[i].name, "the same model written twice gives different bytes", &a);
		}
		buf_release(&b);
		check_bytes(formats[i].name, &a, xml);
		if (xml)
			check_xml(formats[i].name, &a);
		else
			check_json(formats[i].name, &a);
		check_reparse(formats[i].name, formats[i].reads_as, &a, l.len);
		buf_release(&a);
	}
	item_list_release(&l);
	feed_release(&f);
	return 0;
}
