/* fuzz_feed.c - a document through the streaming parser and the JSON Feed writer: the output must be safe, valid and independent of chunking. */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>
#include <utf8proc.h>

#include "arena.h"
#include "buf.h"
#include "date.h"
#include "item.h"
#include "parse.h"
#include "url.h"
#include "write.h"

#define FUZZ_NOW	1700000000
#define FUZZ_BASE	"http://example.org/feed/"
#define FUTURE_SLACK	86400			/* normalize.c's: a later date becomes now */
#define OUT_MAX		(256u << 20)		/* the writer's output, far above what 64 KiB can make */
#define SNIFF_PAD	4200			/* past parse.c's 4096-byte sniff, so the rest really streams */
#ifndef COMPARE_MAX
#define COMPARE_MAX	8192			/* inputs this small may also be parsed whole and 1 byte at a time */
#endif
#define COMPARE_EVERY	3			/* ... one in this many of them (by a hash), as it costs 3 parses */

/* The first byte: chunk size (byte % 5); with the high bit set, also a transport charset. */
static const size_t chunks[] = { 1, 7, 64, 4096, SIZE_MAX };
static const char *const charsets[] = { "ISO-8859-1", "UTF-16", "Shift_JIS", "x-evil" };

struct run {
	struct buf		 out;
	struct feed_writer	 w;
	struct arena		*items;
	size_t			 n;
};

static void
fail(const char *why, const char *detail)
{
	fprintf(stderr, "fuzz_feed: %s%s%s\n", why, detail != NULL ? ": " : "", detail != NULL ? detail : "");
	abort();
}

/* Valid UTF-8 (no surrogates, no overlongs), and which control characters appear. */
static bool
scan_utf8(const char *s, size_t n, bool *ret_ctl, bool *ret_ctl_not_ws)
{
	utf8proc_int32_t cp;
	utf8proc_ssize_t k;
	size_t i = 0;

	*ret_ctl = false;
	*ret_ctl_not_ws = false;
	while (i < n) {
		k = utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(n - i), &cp);
		if (k <= 0 || cp < 0)
			return false;
		if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0)) {
			*ret_ctl = true;
			if (cp != '\n' && cp != '\t')
				*ret_ctl_not_ws = true;
		}
		i += (size_t)k;
	}
	return true;
}

/*
 * Every string of the model: non-empty, valid UTF-8, NFC (not URLs: an IDN host is kept as
 * written, finding "url-idn-not-nfc"); plain text has no controls at all.
 */
static void
check_string(const char *what, const char *s, bool html, bool nfc_check)
{
	utf8proc_uint8_t *nfc;
	bool ctl, ctl_not_ws;
	size_t n;

	if (s == NULL)
		return;
	n = strlen(s);
	if (n == 0)
		fail("empty string in the model", what);
	if (!scan_utf8(s, n, &ctl, &ctl_not_ws))
		fail("invalid UTF-8 in the model", what);
	if (html ? ctl_not_ws : ctl) {
		fprintf(stderr, "fuzz_feed: control character in %s: ", what);
		for (size_t i = 0; i < n && i < 200; i++)
			fprintf(stderr, (unsigned char)s[i] < 0x20 || s[i] == 0x7F ? "\\x%02x" : "%c",
			    (unsigned char)s[i]);
		fail("\ncontrol character in the model", what);
	}
	if (!nfc_check)
		return;
	nfc = utf8proc_NFC((const utf8proc_uint8_t *)s);
	if (nfc != NULL && strcmp((const char *)nfc, s) != 0) {
		free(nfc);
		fail("not NFC", what);
	}
	free(nfc);
}

static void
check_str(const char *what, const char *s, bool html)
{
	check_string(what, s, html, true);
}

static void
check_url(const char *what, const char *u, enum url_use use)
{
	if (u == NULL)
		return;
	check_string(what, u, false, false);
	if (!url_scheme_allowed(u, use))
		fail("URL scheme not allowed", u);
}

static void
check_date(const char *what, int64_t t)
{
	if (t == DATE_NONE)
		return;
	if (t < DATE_MIN || t > FUZZ_NOW + FUTURE_SLACK)
		fail("date out of range", what);
}

static void
check_people(const struct person *p)
{
	for (; p != NULL; p = p->next) {
		if (p->name == NULL && p->url == NULL)
			fail("person with neither name nor url", NULL);
		check_str("person name", p->name, false);
		check_url("person url", p->url, URL_LINK);
		check_url("person avatar", p->avatar, URL_MEDIA);
	}
}

static void
check_item(const struct item *it)
{
	const struct attachment *a;
	const struct tag *t;

	if (it->id == NULL)
		fail("item without an id", NULL);
	check_string("id", it->id, false, it->id != it->url);
	check_url("url", it->url, URL_LINK);
	check_url("external_url", it->external_url, URL_LINK);
	check_str("title", it->title, false);
	check_str("content_html", it->content_html, true);
	check_str("summary", it->summary, false);
	check_url("image", it->image, URL_MEDIA);
	check_str("language", it->language, false);
	check_date("date_published", it->date_published);
	check_date("date_modified", it->date_modified);
	check_people(it->authors);
	for (t = it->tags; t != NULL; t = t->next) {
		if (t->term == NULL)
			fail("tag without a term", NULL);
		check_str("tag", t->term, false);
	}
	for (a = it->attachments; a != NULL; a = a->next) {
		if (a->url == NULL)
			fail("attachment without a url", NULL);
		check_url("attachment url", a->url, URL_MEDIA);
		check_str("attachment mime_type", a->mime_type, false);
		check_str("attachment title", a->title, false);
	}
}

static void
check_feed(const struct feed *f)
{
	if (f->format == FEED_UNKNOWN)
		fail("a feed parsed without a format", NULL);
	check_str("feed title", f->title, false);
	check_url("home_page_url", f->home_page_url, URL_LINK);
	check_url("feed_url", f->feed_url, URL_LINK);
	check_url("hub", f->hub, URL_FETCH);
	check_str("feed description", f->description, false);
	check_url("icon", f->icon, URL_MEDIA);
	check_url("favicon", f->favicon, URL_MEDIA);
	check_str("feed language", f->language, false);
	check_people(f->authors);
}

/* Case-insensitive search inside [s, end). */
static const char *
find_ci(const char *s, const char *end, const char *needle)
{
	size_t n = strlen(needle);

	for (; (size_t)(end - s) >= n; s++)
		if (strncasecmp(s, needle, n) == 0)
			return s;
	return NULL;
}

/* No script element, no on* attribute (<[^>]*\son[a-z]+=) and no attribute that is a javascript: URL. */
static void
check_html(const char *h)
{
	const char *p, *lt, *gt, *q;

	if (find_ci(h, h + strlen(h), "<script") != NULL)
		fail("<script in content_html", h);
	for (p = h; (lt = strchr(p, '<')) != NULL; p = gt) {
		gt = strchr(lt, '>');
		if (gt == NULL)
			gt = lt + strlen(lt);
		for (q = lt; q < gt; q++) {
			const char *r = q + 3;

			if (!isspace((unsigned char)q[0]) || tolower((unsigned char)q[1]) != 'o' ||
			    tolower((unsigned char)q[2]) != 'n')
				continue;
			while (r < gt && isalpha((unsigned char)*r))
				r++;
			if (r > q + 3 && r < gt && *r == '=')
				fail("event handler in content_html", h);
		}
		/* A URL attribute that is javascript: (inside an http URL's path it is only text). */
		if (find_ci(lt, gt, "=\"javascript:") != NULL || find_ci(lt, gt, "=\" javascript:") != NULL)
			fail("javascript: URL in a tag of content_html", h);
	}
}

static bool
is_date_key(const char *k)
{
	return strcmp(k, "date_published") == 0 || strcmp(k, "date_modified") == 0;
}

/*
 * The re-parsed output: every string non-empty (but the feed's title and an item's content_text,
 * which JSON Feed requires even when there is nothing to say), dates RFC 3339 UTC, content_html safe.
 * depth: 1 for the feed's own fields.
 */
static void
check_json(const char *key, const json_t *v, int depth)
{
	const char *k, *s;
	json_t *e;
	size_t i;

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		json_object_foreach((json_t *)v, k, e)
			check_json(k, e, depth + 1);
		break;
	case JSON_ARRAY:
		json_array_foreach(v, i, e)
			check_json(key, e, depth);
		break;
	case JSON_STRING:
		s = json_string_value(v);
		if (json_string_length(v) == 0 && !(depth == 1 && strcmp(key, "title") == 0) &&
		    strcmp(key, "content_text") != 0)
			fail("empty string in the output for", key);
		if (strlen(s) != json_string_length(v))
			fail("NUL in the output for", key);
		if (key != NULL && is_date_key(key)) {
			if (strlen(s) != 20 || s[19] != 'Z' || s[4] != '-' || s[10] != 'T')
				fail("date not RFC 3339 UTC", s);
		}
		if (key != NULL && strcmp(key, "content_html") == 0)
			check_html(s);
		break;
	default:
		break;
	}
}

static void
check_output(const struct buf *out)
{
	bool ctl, ctl_not_ws;
	json_error_t jerr;
	json_t *doc;
	size_t i;

	if (!scan_utf8(buf_str(out), out->len, &ctl, &ctl_not_ws))
		fail("output is not valid UTF-8", buf_str(out));
	for (i = 0; i < out->len; i++)
		if (((unsigned char)out->data[i] < 0x20 && out->data[i] != '\n') || out->data[i] == 0x7F)
			fail("control character in the output", buf_str(out));
	doc = json_loadb(buf_str(out), out->len, JSON_REJECT_DUPLICATES, &jerr);
	if (doc == NULL) {
		fprintf(stderr, "fuzz_feed: %s at %d:%d\n", jerr.text, jerr.line, jerr.column);
		fail("output does not re-parse", buf_str(out));
	}
	if (!json_is_array(json_object_get(doc, "items")) ||
	    !json_is_string(json_object_get(doc, "version")))
		fail("output lacks version or items", buf_str(out));
	check_json(NULL, doc, 0);
	json_decref(doc);
}

static int
on_item(void *ctx, const struct feed *f, const struct item *it)
{
	struct run *r = ctx;
	int e;

	check_item(it);
	e = feed_writer_item(&r->w, f, it);
	if (e < 0)
		return e;
	r->n++;
	/* parse.h: the callback may reset the item arena once it is done with the item. */
	arena_reset(r->items);
	return 0;
}

/* Parses doc pushed in chunks of chunk bytes; on success r->out holds the JSON Feed. */
static int
run_stream(const char *doc, size_t len, size_t chunk, const char *charset, struct run *r)
{
	struct parse_opts o = { FUZZ_BASE, charset, FUZZ_NOW };
	struct feed_parser *p = NULL;
	struct parse_error err;
	struct arena items;
	struct feed f;
	size_t off = 0, k;
	int e;

	feed_init(&f);
	arena_init(&items);
	buf_init(&r->out, OUT_MAX);
	feed_writer_begin(&r->w, WRITE_JSON, NULL, &r->out);
	r->items = &items;
	r->n = 0;
	memset(&err, 0, sizeof(err));
	e = feed_parser_open(&p, &o, &f, &items, on_item, r);
	if (e < 0)
		fail("feed_parser_open", NULL);
	while (e == 0 && off < len) {
		k = len - off < chunk ? len - off : chunk;
		e = feed_parser_push(p, doc + off, k, &err);
		off += k;
	}
	if (e == 0)
		e = feed_parser_finish(p, &err);
	if (e == 0) {
		check_feed(&f);
		e = feed_writer_end(&r->w, &f);
		if (e < 0)
			fail("write_json_end", NULL);
	} else {
		if (e != -EBADMSG && e != -E2BIG)
			fail("unexpected error code", strerror(-e));
		if (err.msg[0] == '\0' || strlen(err.msg) >= sizeof(err.msg))
			fail("error without a message", NULL);
		if (err.line < 0 || err.column < 0)
			fail("negative error position", err.msg);
	}
	feed_parser_close(p);
	feed_release(&f);
	arena_release(&items);
	return e;
}

/* parse_feed(), the collecting form, on the whole document, written out the same way. */
static int
run_whole(const char *doc, size_t len, const char *charset, struct buf *out)
{
	struct parse_opts o = { FUZZ_BASE, charset, FUZZ_NOW };
	struct parse_error err;
	struct item_list l;
	struct feed_writer w;
	struct feed f;
	size_t i;
	int e;

	feed_init(&f);
	item_list_init(&l);
	buf_init(out, OUT_MAX);
	feed_writer_begin(&w, WRITE_JSON, NULL, out);
	e = parse_feed(doc, len, &o, &f, &l, &err);
	if (e == 0) {
		for (i = 0; i < l.len; i++)
			if (feed_writer_item(&w, &f, &l.items[i]) < 0)
				fail("write_json_item", NULL);
		if (feed_writer_end(&w, &f) < 0)
			fail("write_json_end", NULL);
		feed_release(&f);
	} else if (l.len != 0) {
		fail("parse_feed failed but left items", NULL);
	}
	item_list_release(&l);
	return e;
}

/*
 * The document with white space added past the XML declaration (or at its start), in its own
 * encoding, so that what follows comes after parse.c's sniffing buffer and is really streamed.
 */
static char *
pad(const uint8_t *d, size_t n, size_t *ret_len)
{
	size_t unit = 1, at = 0, i, k;
	bool be = false;
	char *s;

	if (n == 0)
		return NULL;
	if (n >= 3 && d[0] == 0xEF && d[1] == 0xBB && d[2] == 0xBF) {
		at = 3;
	} else if (n >= 2 && ((d[0] == 0xFF && d[1] == 0xFE) || (d[0] == 0xFE && d[1] == 0xFF)) &&
	    !(n >= 4 && d[2] == 0 && d[3] == 0)) {
		unit = 2;
		be = d[0] == 0xFE;
		at = 2;
	} else if (n >= 4 && ((d[0] == '<' && d[1] == 0) || (d[0] == 0 && d[1] == '<'))) {
		unit = 2;
		be = d[0] == 0;
	} else if (n >= 4 && (d[0] == 0 || d[1] == 0)) {
		return NULL;	/* UTF-32 or noise: leave it */
	}
	/* After "<?xml ... ?>" when the document starts with one. */
	if (n - at >= 5 * unit && d[at + (be ? unit - 1 : 0)] == '<' && d[at + unit + (be ? unit - 1 : 0)] == '?') {
		for (i = at; i + 2 * unit <= n; i += unit) {
			if (d[i + (be ? unit - 1 : 0)] == '?' && d[i + unit + (be ? unit - 1 : 0)] == '>') {
				at = i + 2 * unit;
				break;
			}
		}
	}
	if (d[0] == '{' || (at < n && d[at] == '{'))
		return NULL;	/* JSON is read whole anyway */
	s = malloc(n + SNIFF_PAD * unit);
	if (s == NULL)
		abort();
	memcpy(s, d, at);
	for (k = 0; k < SNIFF_PAD; k++) {
		memset(s + at + k * unit, 0, unit);
		s[at + k * unit + (be ? unit - 1 : 0)] = '\n';
	}
	memcpy(s + at + SNIFF_PAD * unit, d + at, n - at);
	*ret_len = n + SNIFF_PAD * unit;
	return s;
}

static void
same(const char *what, int e1, const struct buf *a, int e2, const struct buf *b)
{
	if (e1 != e2) {
		fprintf(stderr, "fuzz_feed: %s: %d vs %d\n--- first:\n%s\n--- second:\n%s\n", what, e1, e2,
		    buf_str(a), buf_str(b));
		abort();
	}
	if (e1 == 0 && (a->len != b->len || memcmp(buf_str(a), buf_str(b), a->len) != 0)) {
		fprintf(stderr, "fuzz_feed: %s\n--- first:\n%s\n--- second:\n%s\n", what, buf_str(a), buf_str(b));
		abort();
	}
}

/* The same items and feed fields, whatever the order the streaming writer put them in. */
static void
same_json(int e1, const struct buf *a, int e2, const struct buf *b)
{
	json_t *x, *y;

	if (e1 != e2) {
		fprintf(stderr, "fuzz_feed: parse_feed %d vs streamed %d\n", e2, e1);
		abort();
	}
	if (e1 != 0)
		return;
	x = json_loadb(buf_str(a), a->len, 0, NULL);
	y = json_loadb(buf_str(b), b->len, 0, NULL);
	if (x == NULL || y == NULL || !json_equal(x, y)) {
		fprintf(stderr, "fuzz_feed: parse_feed differs\n--- streamed:\n%s\n--- parse_feed:\n%s\n",
		    buf_str(a), buf_str(b));
		abort();
	}
	json_decref(x);
	json_decref(y);
}

static uint32_t
sample_hash(const uint8_t *d, size_t n)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ d[i]) * 16777619u;
	return h;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *charset = NULL, *doc;
	struct run r1, r2;
	struct buf whole;
	size_t len, plen;
	char *padded;
	int e1, e2, e3;

	if (size == 0)
		return 0;
	if (data[0] & 0x80)
		charset = charsets[data[0] >> 5 & 3];
	doc = (const char *)data + 1;
	len = size - 1;

	e1 = run_stream(doc, len, chunks[data[0] % 5], charset, &r1);
	if (e1 == 0)
		check_output(&r1.out);
	buf_release(&r1.out);
	if (len > COMPARE_MAX || sample_hash(data, size) % COMPARE_EVERY != 0)
		return 0;

	/* Streaming must not depend on where chunks end: whole against one byte at a time. */
	padded = len < SNIFF_PAD ? pad((const uint8_t *)doc, len, &plen) : NULL;
	if (padded != NULL) {
		doc = padded;
		len = plen;
	}
	e1 = run_stream(doc, len, SIZE_MAX, charset, &r1);
	e2 = run_stream(doc, len, 1, charset, &r2);
	same("whole vs 1-byte chunks", e1, &r1.out, e2, &r2.out);
	e3 = run_whole(doc, len, charset, &whole);
	same_json(e1, &r1.out, e3, &whole);
	buf_release(&r1.out);
	buf_release(&r2.out);
	buf_release(&whole);
	free(padded);
	return 0;
}
