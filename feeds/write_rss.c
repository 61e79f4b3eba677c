/* write_rss.c - RSS 2.0, with content:encoded, dc, Media RSS and atom:link for what RSS lacks. */
#include <inttypes.h>
#include <string.h>

#include "date.h"
#include "escape.h"
#include "write_impl.h"

/* The channel's fields, one bit each in w->done. */
enum { CH_TITLE, CH_LINK, CH_DESC, CH_LANG, CH_DATE, CH_TTL, CH_SELF, CH_HUB, CH_IMAGE, CH_AUTHORS };

static int
atom_link(struct buf *out, const char *rel, const char *type, const char *href)
{
	int r;

	r = buf_puts(out, "<atom:link");
	if (r == 0)
		r = write_xml_attr(out, "rel", rel);
	if (r == 0 && type != NULL)
		r = write_xml_attr(out, "type", type);
	if (r == 0)
		r = write_xml_attr(out, "href", href);
	if (r == 0)
		r = buf_puts(out, "/>\n");
	return r;
}

/*
 * People: one with an e-mail address as RSS's "address (name)" in element (author in an item,
 * managingEditor in the channel), any other as dc:creator with the name. A person's web page has
 * no place in RSS.
 */
static int
creators(struct buf *out, const char *element, const struct person *p)
{
	const char *email;
	int r = 0;

	for (; r == 0 && p != NULL; p = p->next) {
		email = p->url != NULL && strncmp(p->url, "mailto:", 7) == 0 ? p->url + 7 : NULL;
		if (email == NULL) {
			r = write_xml_element(out, "dc:creator", p->name);
			continue;
		}
		r = buf_appendf(out, "<%s>", element);
		if (r == 0)
			r = escape_xml(out, email, strlen(email));
		if (r == 0 && p->name != NULL) {
			r = buf_puts(out, " (");
			if (r == 0)
				r = escape_xml(out, p->name, strlen(p->name));
			if (r == 0)
				r = buf_putc(out, ')');
		}
		if (r == 0)
			r = buf_appendf(out, "</%s>\n", element);
	}
	return r;
}

/* The link a channel must have: its home page, else where the document is served. */
static const char *
channel_link(const struct feed_writer *w, const struct feed *f)
{
	if (write_is_web(f->home_page_url))
		return f->home_page_url;
	if (write_is_web(write_self(w, f)))
		return write_self(w, f);
	return NULL;
}

/*
 * The channel's fields not yet written. At the end (last), the ones RSS requires are written even
 * when the model lacks them: an empty title, the self link, the title as description.
 */
static int
channel(struct feed_writer *w, const struct feed *f, bool last)
{
	struct buf *out = w->out;
	const char *link = channel_link(w, f), *self = write_self(w, f), *hub = write_hub(w, f);
	int r = 0;

	if ((f->title != NULL || last) && write_once(w, CH_TITLE))
		r = write_xml_text_as_html(out, "title", f->title != NULL ? f->title : "");
	if (r == 0 && link != NULL && (f->home_page_url != NULL || last) && write_once(w, CH_LINK))
		r = write_xml_element(out, "link", link);
	if (r == 0 && (f->description != NULL || last) && write_once(w, CH_DESC))
		r = write_xml_text_as_html(out, "description", f->description != NULL ? f->description :
		    f->title != NULL ? f->title : "");
	if (r == 0 && f->language != NULL && write_once(w, CH_LANG))
		r = write_xml_element(out, "language", f->language);
	if (r == 0 && (f->date_modified != DATE_NONE || last) && write_once(w, CH_DATE))
		r = write_xml_date(out, "lastBuildDate", write_feed_date(w, f), true);
	if (r == 0 && w->opts->ttl > 0 && write_once(w, CH_TTL))
		r = buf_appendf(out, "<ttl>%u</ttl>\n", w->opts->ttl);
	if (r == 0 && write_is_web(self) && write_once(w, CH_SELF))
		r = atom_link(out, "self", "application/rss+xml", self);
	if (r == 0 && write_is_web(hub) && write_once(w, CH_HUB))
		r = atom_link(out, "hub", NULL, hub);
	if (r == 0 && write_is_web(f->icon) && link != NULL && (f->home_page_url != NULL || last) &&
	    write_once(w, CH_IMAGE)) {
		r = buf_puts(out, "<image>\n");
		if (r == 0)
			r = write_xml_element(out, "url", f->icon);
		if (r == 0)
			r = write_xml_text_as_html(out, "title", f->title != NULL ? f->title : "");
		if (r == 0)
			r = write_xml_element(out, "link", link);
		if (r == 0)
			r = buf_puts(out, "</image>\n");
	}
	if (r == 0 && f->authors != NULL && write_once(w, CH_AUTHORS))
		r = creators(out, "managingEditor", f->authors);
	return r;
}

static int
head(struct feed_writer *w, const struct feed *f)
{
	int r;

	w->open = true;
	r = buf_puts(w->out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\""
	    " xmlns:content=\"http://purl.org/rss/1.0/modules/content/\""
	    " xmlns:dc=\"http://purl.org/dc/elements/1.1/\""
	    " xmlns:media=\"http://search.yahoo.com/mrss/\">\n<channel>\n");
	if (r == 0)
		r = channel(w, f, false);
	return r;
}

static int
enclosures(struct buf *out, const struct attachment *a)
{
	int r = 0;

	for (; r == 0 && a != NULL; a = a->next) {
		if (!write_is_web(a->url))
			continue;	/* RSS allows only http(s) here */
		r = buf_puts(out, "<enclosure");
		if (r == 0)
			r = write_xml_attr(out, "url", a->url);
		if (r == 0)
			r = buf_appendf(out, " length=\"%" PRId64 "\"", a->size_in_bytes >= 0 ? a->size_in_bytes : 0);
		if (r == 0)
			r = write_xml_attr(out, "type", a->mime_type != NULL ? a->mime_type : "application/octet-stream");
		if (r == 0)
			r = buf_puts(out, "/>\n");
	}
	return r;
}

int
rss_item(struct feed_writer *w, const struct feed *f, const struct item *it)
{
	struct buf *out = w->out;
	const struct tag *t;
	bool permalink;
	int r = 0;

	if (!w->open)
		r = head(w, f);
	if (r == 0)
		r = buf_puts(out, "<item>\n");
	if (r == 0)
		r = write_xml_text_as_html(out, "title", it->title);
	if (r == 0 && write_is_web(it->url))
		r = write_xml_element(out, "link", it->url);
	/*
	 * The description is the summary, and the HTML goes in content:encoded. Without a summary the
	 * HTML is the description, as most RSS feeds have it: then a reader shows it either way.
	 */
	if (r == 0 && it->summary != NULL) {
		r = write_xml_text_as_html(out, "description", it->summary);
		if (r == 0)
			r = write_xml_html(out, "content:encoded", "", it);
	} else if (r == 0 && (it->content_html != NULL || it->also != NULL)) {
		r = write_xml_html(out, "description", "", it);
	} else if (r == 0 && it->title == NULL) {
		r = buf_puts(out, "<description></description>\n");	/* an item needs a title or a description */
	}
	if (r == 0)
		r = creators(out, "author", it->authors);
	for (t = it->tags; r == 0 && t != NULL; t = t->next)
		r = write_xml_element(out, "category", t->term);
	if (r == 0 && it->id != NULL) {
		permalink = it->url != NULL && strcmp(it->id, it->url) == 0 && write_is_web(it->url);
		r = buf_puts(out, permalink ? "<guid>" : "<guid isPermaLink=\"false\">");
		if (r == 0)
			r = escape_xml(out, it->id, strlen(it->id));
		if (r == 0)
			r = buf_puts(out, "</guid>\n");
	}
	if (r == 0 && it->date_published != DATE_NONE)
		r = write_xml_date(out, "pubDate", it->date_published, true);
	if (r == 0 && it->date_modified != DATE_NONE)
		r = write_xml_date(out, "atom:updated", it->date_modified, false);
	if (r == 0)
		r = write_xml_element(out, "dc:language", it->language);
	if (r == 0)
		r = enclosures(out, it->attachments);
	if (r == 0 && it->image != NULL)
		r = write_xml_thumbnail(out, it->image);
	if (r == 0 && it->source != NULL && write_is_web(it->source->feed_url)) {
		r = buf_puts(out, "<source");
		if (r == 0)
			r = write_xml_attr(out, "url", it->source->feed_url);
		if (r == 0)
			r = buf_putc(out, '>');
		if (r == 0 && it->source->name != NULL)
			r = escape_xml(out, it->source->name, strlen(it->source->name));
		if (r == 0)
			r = buf_puts(out, "</source>\n");
	}
	if (r == 0)
		r = buf_puts(out, "</item>\n");
	return r;
}

int
rss_end(struct feed_writer *w, const struct feed *f)
{
	int r = 0;

	if (!w->open)
		r = head(w, f);
	if (r == 0)
		r = channel(w, f, true);
	if (r == 0)
		r = buf_puts(w->out, "</channel>\n</rss>\n");
	return r;
}
