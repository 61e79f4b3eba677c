/* write_json.c - JSON Feed 1.1, streamed: one item a line. */
#include <inttypes.h>
#include <string.h>

#include "date.h"
#include "escape.h"
#include "write.h"

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

/* The feed's fields not yet written; each goes out once, before or after the items. */
static int
feed_fields(struct json_writer *w, const struct feed *f, bool *first)
{
	const char *vals[] = {
		f->title, f->home_page_url, f->feed_url, f->description, f->icon, f->favicon, f->language,
	};
	static const char *const keys[] = {
		"title", "home_page_url", "feed_url", "description", "icon", "favicon", "language",
	};
	unsigned i;
	int r = 0;

	for (i = 0; r == 0 && i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (vals[i] == NULL || (w->done & 1u << i) != 0)
			continue;
		w->done |= 1u << i;
		r = field(w->out, first, keys[i], vals[i]);
	}
	if (r == 0 && f->authors != NULL && (w->done & 1u << i) == 0) {
		w->done |= 1u << i;
		r = authors(w->out, first, f->authors);
	}
	if (r == 0 && f->hub != NULL && (w->done & 1u << (i + 1)) == 0) {
		w->done |= 1u << (i + 1);
		r = key(w->out, first, "hubs");
		if (r == 0)
			r = buf_puts(w->out, "[{\"type\":\"WebSub\",\"url\":");
		if (r == 0)
			r = escape_json(w->out, f->hub, strlen(f->hub));
		if (r == 0)
			r = buf_puts(w->out, "}]");
	}
	return r;
}

void
write_json_begin(struct json_writer *w, struct buf *out)
{
	memset(w, 0, sizeof(*w));
	w->out = out;
}

static int
open_doc(struct json_writer *w, const struct feed *f)
{
	bool first = false;
	int r;

	r = buf_puts(w->out, "{\"version\":\"https://jsonfeed.org/version/1.1\"");
	if (r == 0)
		r = feed_fields(w, f, &first);
	if (r == 0)
		r = buf_puts(w->out, ",\n\"items\":[");
	w->in_items = true;
	return r;
}

int
write_json_item(struct json_writer *w, const struct feed *f, const struct item *it)
{
	struct buf *out = w->out;
	const struct attachment *a;
	const struct tag *t;
	bool first = true, af;
	int r = 0;

	if (!w->in_items)
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
		r = field(out, &first, "content_html", it->content_html);
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
		r = buf_putc(out, '}');
	if (r == 0)
		w->items++;
	return r;
}

int
write_json_end(struct json_writer *w, const struct feed *f)
{
	bool first = false;
	int r = 0;

	if (!w->in_items)
		r = open_doc(w, f);
	if (r == 0)
		r = buf_puts(w->out, w->items > 0 ? "\n]" : "]");
	if (r == 0)
		r = feed_fields(w, f, &first);
	if (r == 0)
		r = buf_puts(w->out, "}\n");
	return r;
}
