/* write.c - one streaming interface over the three writers, and what they share. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "date.h"
#include "escape.h"
#include "limits.h"
#include "write_impl.h"

void
feed_writer_begin(struct feed_writer *w, enum write_format format, const struct write_opts *opts,
    struct buf *out)
{
	static const struct write_opts none;

	memset(w, 0, sizeof(*w));
	w->format = format;
	w->opts = opts != NULL ? opts : &none;
	w->out = out;
	w->latest = DATE_NONE;
}

int
feed_writer_item(struct feed_writer *w, const struct feed *f, const struct item *it)
{
	int64_t t = write_item_date(it);
	int r;

	switch (w->format) {
	case WRITE_RSS:
		r = rss_item(w, f, it);
		break;
	case WRITE_ATOM:
		r = atom_item(w, f, it);
		break;
	default:
		r = json_item(w, f, it);
	}
	if (r == 0) {
		w->items++;
		if (t != DATE_NONE && (w->latest == DATE_NONE || t > w->latest))
			w->latest = t;
	}
	return r;
}

int
feed_writer_end(struct feed_writer *w, const struct feed *f)
{
	switch (w->format) {
	case WRITE_RSS:
		return rss_end(w, f);
	case WRITE_ATOM:
		return atom_end(w, f);
	default:
		return json_end(w, f);
	}
}

int
write_format_parse(const char *name, enum write_format *ret)
{
	if (strcmp(name, "rss") == 0)
		*ret = WRITE_RSS;
	else if (strcmp(name, "atom") == 0)
		*ret = WRITE_ATOM;
	else if (strcmp(name, "json") == 0)
		*ret = WRITE_JSON;
	else
		return -EINVAL;
	return 0;
}

bool
write_once(struct feed_writer *w, unsigned bit)
{
	if ((w->done & 1u << bit) != 0)
		return false;
	w->done |= 1u << bit;
	return true;
}

const char *
write_self(const struct feed_writer *w, const struct feed *f)
{
	return w->opts->self_url != NULL ? w->opts->self_url : f->feed_url;
}

const char *
write_hub(const struct feed_writer *w, const struct feed *f)
{
	return w->opts->hub != NULL ? w->opts->hub : f->hub;
}

int64_t
write_item_date(const struct item *it)
{
	return it->date_modified != DATE_NONE ? it->date_modified : it->date_published;
}

int64_t
write_feed_date(const struct feed_writer *w, const struct feed *f)
{
	if (f->date_modified != DATE_NONE)
		return f->date_modified;
	if (w->latest != DATE_NONE)
		return w->latest;
	if (w->opts->now >= DATE_MIN && w->opts->now <= DATE_MAX)
		return w->opts->now;
	return DATE_MIN;
}

bool
write_is_web(const char *url)
{
	return url != NULL && (strncmp(url, "http://", 7) == 0 || strncmp(url, "https://", 8) == 0);
}

int
write_also_html(struct buf *html, const struct item *it)
{
	const struct source *s;
	const char *name;
	int r;

	if (it->also == NULL)
		return 0;
	r = buf_puts(html, "<p>Also reported by:</p><ul>");
	for (s = it->also; r == 0 && s != NULL; s = s->next) {
		name = s->name != NULL ? s->name : s->url != NULL ? s->url : s->feed_url;
		if (name == NULL)
			continue;
		r = buf_puts(html, "<li>");
		if (r == 0 && s->url != NULL) {
			r = buf_puts(html, "<a href=\"");
			if (r == 0)
				r = escape_xml(html, s->url, strlen(s->url));
			if (r == 0)
				r = buf_puts(html, "\" rel=\"noopener noreferrer\">");
		}
		if (r == 0)
			r = escape_xml(html, name, strlen(name));
		if (r == 0 && s->url != NULL)
			r = buf_puts(html, "</a>");
		if (r == 0)
			r = buf_puts(html, "</li>");
	}
	if (r == 0)
		r = buf_puts(html, "</ul>");
	return r;
}

int
write_xml_attr(struct buf *out, const char *name, const char *value)
{
	int r;

	r = buf_appendf(out, " %s=\"", name);
	if (r == 0)
		r = escape_xml(out, value, strlen(value));
	if (r == 0)
		r = buf_putc(out, '"');
	return r;
}

int
write_xml_thumbnail(struct buf *out, const char *url)
{
	int r;

	r = buf_puts(out, "<media:thumbnail");
	if (r == 0)
		r = write_xml_attr(out, "url", url);
	if (r == 0)
		r = buf_puts(out, "/>\n");
	return r;
}

int
write_xml_element(struct buf *out, const char *name, const char *text)
{
	int r;

	if (text == NULL)
		return 0;
	r = buf_appendf(out, "<%s>", name);
	if (r == 0)
		r = escape_xml(out, text, strlen(text));
	if (r == 0)
		r = buf_appendf(out, "</%s>\n", name);
	return r;
}

int
write_xml_text_as_html(struct buf *out, const char *name, const char *text)
{
	struct buf html;
	int r;

	if (text == NULL || strpbrk(text, "&<") == NULL)
		return write_xml_element(out, name, text);
	buf_init(&html, SIZE_MAX);
	r = escape_xml(&html, text, strlen(text));
	if (r == 0)
		r = write_xml_element(out, name, html.data);
	buf_release(&html);
	return r;
}

int
write_xml_html(struct buf *out, const char *name, const char *attrs, const struct item *it)
{
	struct buf also;
	int r;

	if (it->content_html == NULL && it->also == NULL)
		return 0;
	buf_init(&also, ITEM_MAX_FIELD);
	r = write_also_html(&also, it);
	if (r == 0)
		r = buf_appendf(out, "<%s%s>", name, attrs);
	if (r == 0 && it->content_html != NULL)
		r = escape_cdata(out, it->content_html, strlen(it->content_html));
	if (r == 0 && also.len > 0)
		r = escape_cdata(out, also.data, also.len);
	if (r == 0)
		r = buf_appendf(out, "</%s>\n", name);
	buf_release(&also);
	return r;
}

int
write_xml_date(struct buf *out, const char *name, int64_t t, bool rfc822)
{
	char s[DATE_RFC822_LEN];

	if (t < DATE_MIN || t > DATE_MAX)
		return 0;
	if (rfc822)
		date_format_rfc822(t, s);
	else
		date_format_rfc3339(t, s);
	return buf_appendf(out, "<%s>%s</%s>\n", name, s, name);
}
