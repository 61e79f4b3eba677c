/* write_json.c - JSON Feed 1.1, streamed: one item a line. */
#include <inttypes.h>
#include <stdint.h>
#include <string.h>

#include "date.h"
#include "escape.h"
#include "write_impl.h"

static int
key(struct buf *out, bool *first, const char *k)
{
	int r;

	r = buf_puts(out, *first ? "\"" : ",\"");
	*first = false;
	if (r == 0)
		r = buf_puts(out, k);
	if (r == 0)
		r = buf_puts(out, "\":");
	return r;
}

static int
field(struct buf *out, bool *first, const char *k, const char *v)
{
	int r;

	if (v == NULL)
		return 0;
	r = key(out, first, k);
	if (r == 0)
		r = escape_json(out, v, strlen(v));
	return r;
}

static int
date(struct buf *out, bool *first, const char *k, int64_t t)
{
	char s[DATE_RFC3339_LEN];

	if (t == DATE_NONE)
		return 0;
	date_format_rfc3339(t, s);
	return field(out, first, k, s);
}

static int
authors(struct buf *out, bool *first, const struct person *p)
{
	bool f;
	int r;

	if (p == NULL)
		return 0;
	r = key(out, first, "authors");
	if (r == 0)
		r = buf_putc(out, '[');
	for (; r == 0 && p != NULL; p = p->next) {
		f = true;
		r = buf_putc(out, '{');
		if (r == 0)
			r = field(out, &f, "name", p->name);
		if (r == 0)
			r = field(out, &f, "url", p->url);
		if (r == 0)
			r = field(out, &f, "avatar", p->avatar);
		if (r == 0)
			r = buf_puts(out, p->next != NULL ? "}," : "}");
	}
	if (r == 0)
		r = buf_putc(out, ']');
	return r;
}

/* The feed's fields, one bit each in w->done. */
enum { JF_TITLE, JF_HOME, JF_FEED_URL, JF_DESC, JF_ICON, JF_FAVICON, JF_LANG, JF_AUTHORS, JF_HUBS };

/* The feed's fields not yet written, each once, before or after the items; at the end (last), the title JSON Feed requires. */
static int
feed_fields(struct feed_writer *w, const struct feed *f, bool *first, bool last)
{
	const char *vals[] = {
		f->title != NULL || !last ? f->title : "", f->home_page_url, write_self(w, f), f->description, f->icon,
		f->favicon, f->language,
	};
	static const char *const keys[] = {
		"title", "home_page_url", "feed_url", "description", "icon", "favicon", "language",
	};
	const char *hub = write_hub(w, f);
	unsigned i;
	int r = 0;

	for (i = 0; r == 0 && i < sizeof(keys) / sizeof(keys[0]); i++)
		if (vals[i] != NULL && write_once(w, i))
			r = field(w->out, first, keys[i], vals[i]);
	if (r == 0 && f->authors != NULL && write_once(w, JF_AUTHORS))
		r = authors(w->out, first, f->authors);
	if (r == 0 && hub != NULL && write_once(w, JF_HUBS)) {
		r = key(w->out, first, "hubs");
		if (r == 0)
			r = buf_puts(w->out, "[{\"type\":\"WebSub\",\"url\":");
		if (r == 0)
			r = escape_json(w->out, hub, strlen(hub));
		if (r == 0)
			r = buf_puts(w->out, "}]");
	}
	return r;
}

static int
open_doc(struct feed_writer *w, const struct feed *f)
{
	bool first = false;
	int r;

	r = buf_puts(w->out, "{\"version\":\"https://jsonfeed.org/version/1.1\"");
	if (r == 0)
		r = feed_fields(w, f, &first, false);
	if (r == 0)
		r = buf_puts(w->out, ",\n\"items\":[");
	w->open = true;
	return r;
}

/* The item's HTML, its content and the "Also reported by" list, as one string. */
static int
content_html(struct buf *out, bool *first, const struct item *it)
{
	struct buf also;
	int r;

	if (it->also == NULL)
		return field(out, first, "content_html", it->content_html);
	buf_init(&also, SIZE_MAX);
	r = write_also_html(&also, it);
	if (r == 0)
		r = key(out, first, "content_html");
	if (r == 0)
		r = buf_putc(out, '"');
	if (r == 0 && it->content_html != NULL)
		r = escape_json_chars(out, it->content_html, strlen(it->content_html));
	if (r == 0)
		r = escape_json_chars(out, buf_str(&also), also.len);
	if (r == 0)
		r = buf_putc(out, '"');
	buf_release(&also);
	return r;
}

static int
source(struct buf *out, const struct source *s, bool feed_url)
{
	bool first = true;
	int r;

	r = buf_putc(out, '{');
	if (r == 0)
		r = field(out, &first, "name", s->name);
	if (r == 0)
		r = field(out, &first, "url", s->url);
	if (r == 0 && feed_url)
		r = field(out, &first, "feed_url", s->feed_url);
	if (r == 0)
		r = buf_putc(out, '}');
	return r;
}

/* Where the item came from and the other sources of its story: the extension object _wiredesk. */
static int
extension(struct buf *out, bool *first, const struct item *it)
{
	const struct source *s;
	int r;

	if (it->source == NULL && it->also == NULL)
		return 0;
	r = key(out, first, "_wiredesk");
	if (r == 0)
		r = buf_putc(out, '{');
	if (r == 0 && it->source != NULL) {
		r = buf_puts(out, "\"source\":");
		if (r == 0)
			r = source(out, it->source, true);
	}
	if (r == 0 && it->also != NULL) {
		r = buf_puts(out, it->source != NULL ? ",\"sources\":[" : "\"sources\":[");
		for (s = it->also; r == 0 && s != NULL; s = s->next) {
			r = source(out, s, false);
			if (r == 0 && s->next != NULL)
				r = buf_putc(out, ',');
		}
		if (r == 0)
			r = buf_putc(out, ']');
	}
	if (r == 0)
		r = buf_putc(out, '}');
	return r;
}

int
json_item(struct feed_writer *w, const struct feed *f, const struct item *it)
{
	struct buf *out = w->out;
	const struct attachment *a;
	const struct tag *t;
	bool first = true, af;
	int r = 0;

	if (!w->open)
		r = open_doc(w, f);
	if (r == 0)
		r = buf_puts(out, w->items > 0 ? ",\n{" : "\n{");
	if (r == 0)
		r = field(out, &first, "id", it->id);
	if (r == 0)
		r = field(out, &first, "url", it->url);
	if (r == 0)
		r = field(out, &first, "external_url", it->external_url);
	if (r == 0)
		r = field(out, &first, "title", it->title);
	if (r == 0)
		r = content_html(out, &first, it);
	/* JSON Feed requires content_html or content_text: without HTML, the text is the summary. */
	if (r == 0 && it->content_html == NULL && it->also == NULL)
		r = field(out, &first, "content_text", it->summary != NULL ? it->summary : "");
	if (r == 0)
		r = field(out, &first, "summary", it->summary);
	if (r == 0)
		r = field(out, &first, "image", it->image);
	if (r == 0)
		r = date(out, &first, "date_published", it->date_published);
	if (r == 0)
		r = date(out, &first, "date_modified", it->date_modified);
	if (r == 0)
		r = authors(out, &first, it->authors);
	if (r == 0 && it->tags != NULL) {
		r = key(out, &first, "tags");
		if (r == 0)
			r = buf_putc(out, '[');
		for (t = it->tags; r == 0 && t != NULL; t = t->next) {
			r = escape_json(out, t->term, strlen(t->term));
			if (r == 0 && t->next != NULL)
				r = buf_putc(out, ',');
		}
		if (r == 0)
			r = buf_putc(out, ']');
	}
	if (r == 0)
		r = field(out, &first, "language", it->language);
	if (r == 0 && it->attachments != NULL) {
		r = key(out, &first, "attachments");
		if (r == 0)
			r = buf_putc(out, '[');
		for (a = it->attachments; r == 0 && a != NULL; a = a->next) {
			af = true;
			r = buf_putc(out, '{');
			if (r == 0)
				r = field(out, &af, "url", a->url);
			if (r == 0)
				r = field(out, &af, "mime_type", a->mime_type != NULL ? a->mime_type :
				    "application/octet-stream");
			if (r == 0)
				r = field(out, &af, "title", a->title);
			if (r == 0 && a->size_in_bytes >= 0)
				r = buf_appendf(out, ",\"size_in_bytes\":%" PRId64, a->size_in_bytes);
			if (r == 0 && a->duration >= 0)
				r = buf_appendf(out, ",\"duration_in_seconds\":%" PRId64, a->duration);
			if (r == 0)
				r = buf_puts(out, a->next != NULL ? "}," : "}");
		}
		if (r == 0)
			r = buf_putc(out, ']');
	}
	if (r == 0)
		r = extension(out, &first, it);
	if (r == 0)
		r = buf_putc(out, '}');
	return r;
}

int
json_end(struct feed_writer *w, const struct feed *f)
{
	bool first = false;
	int r = 0;

	if (!w->open)
		r = open_doc(w, f);
	if (r == 0)
		r = buf_puts(w->out, w->items > 0 ? "\n]" : "]");
	if (r == 0)
		r = feed_fields(w, f, &first, true);
	if (r == 0)
		r = buf_puts(w->out, "}\n");
	return r;
}
