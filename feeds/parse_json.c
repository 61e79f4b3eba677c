/* parse_json.c - JSON Feed 1.0 and 1.1 (jansson) into the item model. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "charset.h"
#include "date.h"
#include "limits.h"
#include "parse_impl.h"
#include "write.h"
#include "text.h"

/*
 * jansson refuses a whole document for one lone surrogate escape ("\ud800"), which real feeds
 * contain when a publisher cut a string between the two halves of a pair. Each one becomes
 * "\ufffd" in place (same length), so the rest of the document survives.
 */
/* The four hex digits at s as a number, or -1. */
static long
hex4(const char *s)
{
	long v = 0;
	int i, d;

	for (i = 0; i < 4; i++) {
		if (s[i] >= '0' && s[i] <= '9')
			d = s[i] - '0';
		else if ((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'f')
			d = (s[i] | 0x20) - 'a' + 10;
		else
			return -1;
		v = v * 16 + d;
	}
	return v;
}

static void
mend_surrogates(char *s, size_t len)
{
	bool in_string = false;
	long v, w;
	size_t i;

	for (i = 0; i < len; i++) {
		if (!in_string) {
			in_string = s[i] == '"';
			continue;
		}
		if (s[i] == '"') {
			in_string = false;
			continue;
		}
		if (s[i] != '\\' || i + 1 >= len)
			continue;
		if (s[i + 1] != 'u' || i + 6 > len || (v = hex4(s + i + 2)) < 0) {
			i++;		/* some other escape: skip its second character */
			continue;
		}
		if (v >= 0xD800 && v <= 0xDBFF && i + 12 <= len && s[i + 6] == '\\' && s[i + 7] == 'u' &&
		    (w = hex4(s + i + 8)) >= 0xDC00 && w <= 0xDFFF) {
			i += 11;	/* a proper pair */
			continue;
		}
		if (v >= 0xD800 && v <= 0xDFFF)
			memcpy(s + i + 2, "fffd", 4);
		i += 5;
	}
}

static const char *
str(const json_t *o, const char *key, size_t *ret_len)
{
	const json_t *v = json_object_get(o, key);

	if (!json_is_string(v))
		return NULL;
	*ret_len = json_string_length(v);
	return json_string_value(v);
}

static void
draft_set(struct draft_text *t, const json_t *o, const char *key, enum text_type type)
{
	const char *s;
	size_t len;

	struct buf clean;

	s = str(o, key, &len);
	if (s == NULL || t->set)
		return;
	draft_text_begin(t, type, NULL);
	/* JSON escapes can name any character: drop those XML and HTML cannot carry. */
	buf_init(&clean, 3 * len + 16);	/* a repaired byte takes at most three; the draft cuts */
	if (text_utf8_repair(s, len, &clean) == 0)
		draft_text_append(t, buf_str(&clean), clean.len);
	buf_release(&clean);
}

static int
feed_str(struct feed_parser *p, const json_t *o, const char *key, const char **field, bool url)
{
	const char *s;
	size_t len;

	s = str(o, key, &len);
	if (s == NULL)
		return 0;
	if (url)
		return parser_feed_url(p, field, NULL, s, len);
	return parser_feed_text(p, field, s, len, TEXT_PLAIN);
}

/* JSON Feed 1.1 "authors" (a list), or 1.0 "author" (one object). */
static int
authors(const json_t *o, struct arena *a, const char *base, struct person **ret)
{
	const json_t *list = json_object_get(o, "authors"), *one = json_object_get(o, "author"), *au;
	struct person **tail = ret, *ps;
	const char *s;
	size_t i, n, len;
	int r = 0;

	n = json_is_array(list) ? json_array_size(list) : json_is_object(one) ? 1 : 0;
	for (i = 0; i < n && i < PARSE_MAX_AUTHORS && r == 0; i++) {
		au = json_is_array(list) ? json_array_get(list, i) : one;
		if (!json_is_object(au))
			continue;
		ps = arena_zalloc(a, sizeof(*ps));
		if (ps == NULL)
			return -ENOMEM;
		if ((s = str(au, "name", &len)) != NULL)
			r = normalize_text(s, len, TEXT_PLAIN, ITEM_MAX_SHORT, a, &ps->name);
		if (r == 0 && (s = str(au, "url", &len)) != NULL)
			r = normalize_url(base, s, len, URL_LINK, a, &ps->url);
		if (r == 0 && (s = str(au, "avatar", &len)) != NULL)
			r = normalize_url(base, s, len, URL_MEDIA, a, &ps->avatar);
		if (r == 0 && (ps->name != NULL || ps->url != NULL)) {
			*tail = ps;
			tail = &ps->next;
		}
	}
	return r;
}

/* One source of the extension object _wiredesk ({"name", "url", "feed_url"}), or NULL. */
static int
source(const json_t *o, struct arena *a, struct source **ret)
{
	struct source *src;
	const char *s;
	size_t len;
	int r = 0;

	*ret = NULL;
	if (!json_is_object(o))
		return 0;
	src = arena_zalloc(a, sizeof(*src));
	if (src == NULL)
		return -ENOMEM;
	if ((s = str(o, "name", &len)) != NULL)
		r = normalize_text(s, len, TEXT_PLAIN, ITEM_MAX_SHORT, a, &src->name);
	if (r == 0 && (s = str(o, "url", &len)) != NULL)
		r = normalize_url(NULL, s, len, URL_LINK, a, &src->url);
	if (r == 0 && (s = str(o, "feed_url", &len)) != NULL)
		r = normalize_url(NULL, s, len, URL_LINK, a, &src->feed_url);
	if (r == 0 && (src->name != NULL || src->url != NULL || src->feed_url != NULL))
		*ret = src;
	return r;
}

/* wiredesk's own extension: where the item came from, and the other sources of its story. */
static int
sources(const json_t *o, struct arena *a, struct item *it)
{
	const json_t *ext = json_object_get(o, "_wiredesk"), *list = json_object_get(ext, "sources");
	struct source **tail = &it->also, *s;
	size_t i;
	int r;

	r = source(json_object_get(ext, "source"), a, &it->source);
	for (i = 0; r == 0 && json_is_array(list) && i < json_array_size(list) && i < PARSE_MAX_SOURCES; i++) {
		r = source(json_array_get(list, i), a, &s);
		if (r == 0 && s != NULL) {
			*tail = s;
			tail = &s->next;
		}
	}
	return r;
}

static int
item_lists(struct feed_parser *p, const json_t *o)
{
	struct item *it = &p->draft.item;
	const json_t *tags = json_object_get(o, "tags"), *atts = json_object_get(o, "attachments"), *v;
	struct attachment **atail = &it->attachments, *at;
	const char *s, *base = parser_base(p, NULL), *item_url = NULL;
	size_t i, len;
	int r = 0;

	/* Relative URLs inside an item resolve against the item's own URL. */
	if ((s = str(o, "url", &len)) != NULL)
		r = normalize_url(base, s, len, URL_LINK, p->items, &item_url);
	if (item_url != NULL)
		base = item_url;
	if (r == 0)
		r = authors(o, p->items, base, &it->authors);
	if (r == 0)
		r = sources(o, p->items, it);
	for (i = 0; r == 0 && json_is_array(tags) && i < json_array_size(tags); i++) {
		v = json_array_get(tags, i);
		if (json_is_string(v))
			r = normalize_add_tag(&it->tags, p->items, json_string_value(v), json_string_length(v));
	}
	for (i = 0; r == 0 && json_is_array(atts) && i < json_array_size(atts) && i < PARSE_MAX_ATTACHMENTS; i++) {
		v = json_array_get(atts, i);
		if (!json_is_object(v) || (s = str(v, "url", &len)) == NULL)
			continue;
		at = arena_zalloc(p->items, sizeof(*at));
		if (at == NULL)
			return -ENOMEM;
		at->size_in_bytes = -1;
		at->duration = -1;
		r = normalize_url(base, s, len, URL_MEDIA, p->items, &at->url);
		if (r == 0 && (s = str(v, "mime_type", &len)) != NULL)
			r = normalize_text(s, len, TEXT_PLAIN, ITEM_MAX_SHORT, p->items, &at->mime_type);
		if (r == 0 && (s = str(v, "title", &len)) != NULL)
			r = normalize_text(s, len, TEXT_PLAIN, ITEM_MAX_SHORT, p->items, &at->title);
		if (json_is_integer(json_object_get(v, "size_in_bytes")) &&
		    json_integer_value(json_object_get(v, "size_in_bytes")) > 0)
			at->size_in_bytes = json_integer_value(json_object_get(v, "size_in_bytes"));
		if (json_is_number(json_object_get(v, "duration_in_seconds")) &&
		    json_number_value(json_object_get(v, "duration_in_seconds")) >= 0 &&
		    json_number_value(json_object_get(v, "duration_in_seconds")) < 1e12)
			at->duration = (int64_t)json_number_value(json_object_get(v, "duration_in_seconds"));
		if (r == 0 && at->url != NULL) {
			*atail = at;
			atail = &at->next;
		}
	}
	return r;
}

/* The first WebSub hub of "hubs" (JSON Feed 1.1). */
static int
hub(struct feed_parser *p, const json_t *hubs)
{
	const json_t *h;
	const char *s;
	size_t i, len;

	for (i = 0; json_is_array(hubs) && i < json_array_size(hubs); i++) {
		h = json_array_get(hubs, i);
		s = str(h, "url", &len);
		if (s != NULL && json_is_string(json_object_get(h, "type")) &&
		    strcasecmp(json_string_value(json_object_get(h, "type")), "WebSub") == 0)
			return parser_feed_url(p, &p->feed->hub, NULL, s, len);
	}
	return 0;
}

/*
 * The "Also reported by" list wiredesk ends an item's HTML with is not part of the content when
 * _wiredesk names the same sources: taken off, so that it is not written twice.
 */
static void
strip_also(struct draft_text *content, const struct item *it)
{
	struct buf list;

	if (it->also == NULL || !content->set)
		return;
	buf_init(&list, SIZE_MAX);
	if (write_also_html(&list, it) == 0 && list.len > 0 && content->raw.len >= list.len &&
	    memcmp(content->raw.data + content->raw.len - list.len, list.data, list.len) == 0) {
		buf_truncate(&content->raw, content->raw.len - list.len);
		if (content->raw.len == 0)
			draft_text_reset(content);
	}
	buf_release(&list);
}

static int
item(struct feed_parser *p, const json_t *o)
{
	struct item_draft *d = &p->draft;
	const json_t *id = json_object_get(o, "id");
	const char *s;
	char num[32];
	size_t len;
	int r;

	item_draft_reset(d);
	/* Version 1.0 allowed numbers as ids; they are strings from 1.1 on. */
	if (json_is_integer(id)) {
		(void)snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(id));
		draft_text_begin(&d->id, TEXT_PLAIN, NULL);
		draft_text_append(&d->id, num, strlen(num));
	} else {
		draft_set(&d->id, o, "id", TEXT_PLAIN);
	}
	draft_set(&d->link, o, "url", TEXT_PLAIN);
	draft_set(&d->external_url, o, "external_url", TEXT_PLAIN);
	draft_set(&d->title, o, "title", TEXT_PLAIN);
	r = item_lists(p, o);
	if (r < 0)
		return parser_fail(p, r, 0, 0, "out of memory");
	draft_set(&d->content, o, "content_html", TEXT_HTML);
	strip_also(&d->content, &d->item);
	/* A content_text that repeats the summary is no body of its own (wiredesk writes it so). */
	if (!d->content.set && (s = str(o, "content_text", &len)) != NULL &&
	    !json_equal(json_object_get(o, "content_text"), json_object_get(o, "summary")))
		draft_set(&d->content, o, "content_text", TEXT_PLAIN);
	/* The summary is the summary: unlike an RSS description it never stands in for the content. */
	draft_set(d->content.set ? &d->description : &d->alt_summary, o, "summary", TEXT_PLAIN);
	draft_set(&d->image, o, "image", TEXT_PLAIN);
	draft_set(&d->image, o, "banner_image", TEXT_PLAIN);
	draft_set(&d->language, o, "language", TEXT_PLAIN);
	if ((s = str(o, "date_published", &len)) != NULL && date_parse(s, &d->item.date_published) != 0)
		d->item.date_published = DATE_NONE;
	if ((s = str(o, "date_modified", &len)) != NULL && date_parse(s, &d->item.date_modified) != 0)
		d->item.date_modified = DATE_NONE;
	return parser_emit(p);
}

int
json_parse(struct feed_parser *p, const char *data, size_t len)
{
	struct charset_decoder *dec = NULL;
	const json_t *v, *items;
	struct feed *f = p->feed;
	bool repaired = false, fallback = false;
	json_error_t jerr;
	json_t *doc = NULL;
	const char *s;
	size_t i, slen;
	int r;

	/* Repaired UTF-8 first: jansson refuses a document for one bad byte. */
	r = charset_decoder_open(data, len, p->opts.charset, false, &dec, &fallback);
	if (r == 0) {
		buf_clear(&p->utf8);
		r = charset_decode(dec, data, len, true, &p->utf8, &repaired);
	}
	charset_decoder_close(dec);
	if (r < 0)
		return parser_fail(p, r, 0, 0, "cannot decode the document");
	if (repaired || fallback)
		f->recovered = true;
	mend_surrogates(p->utf8.data, p->utf8.len);
	/* NUL escapes are allowed in: text cleaning drops them with the other control characters. */
	doc = json_loadb(buf_str(&p->utf8), p->utf8.len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr);
	buf_release(&p->utf8);
	buf_release(&p->head);
	if (doc == NULL)
		return parser_fail(p, -EBADMSG, jerr.line, jerr.column, "not a feed: %s", jerr.text);
	items = json_object_get(doc, "items");
	v = json_object_get(doc, "version");
	if (!json_is_object(doc) || !json_is_array(items) ||
	    (v != NULL && (!json_is_string(v) || strncmp(json_string_value(v), "https://jsonfeed.org/version/", 29) != 0))) {
		json_decref(doc);
		return parser_fail(p, -EBADMSG, 1, 1, "not a feed: JSON without a JSON Feed version and items");
	}
	f->format = json_is_string(v) && strcmp(json_string_value(v), "https://jsonfeed.org/version/1") == 0 ?
	    FEED_JSON10 : FEED_JSON11;
	r = feed_str(p, doc, "title", &f->title, false);
	if (r == 0)
		r = feed_str(p, doc, "home_page_url", &f->home_page_url, true);
	if (r == 0)
		r = feed_str(p, doc, "feed_url", &f->feed_url, true);
	if (r == 0)
		r = feed_str(p, doc, "description", &f->description, false);
	if (r == 0)
		r = feed_str(p, doc, "icon", &f->icon, true);
	if (r == 0)
		r = feed_str(p, doc, "favicon", &f->favicon, true);
	if (r == 0 && (s = str(doc, "language", &slen)) != NULL)
		r = parser_feed_language(p, s, slen);
	if (r == 0)
		r = authors(doc, &f->arena, parser_base(p, NULL), &f->authors);
	if (r == 0)
		r = hub(p, json_object_get(doc, "hubs"));
	if (r < 0) {
		json_decref(doc);
		return parser_fail(p, r, 0, 0, "out of memory");
	}
	for (i = 0; i < json_array_size(items); i++) {
		v = json_array_get(items, i);
		if (!json_is_object(v))
			continue;
		r = item(p, v);
		if (r < 0)
			break;
	}
	json_decref(doc);
	return r;
}
