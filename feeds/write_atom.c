/* write_atom.c - Atom 1.0 (RFC 4287), with Media RSS for the item's picture. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "date.h"
#include "escape.h"
#include "write_impl.h"

#define ATOM_ID_LEN	40	/* "urn:wiredesk:id:" and 16 hex digits, with room */

static int
link(struct buf *out, const char *rel, const char *type, const char *href, const char *title)
{
	int r;

	r = buf_puts(out, "<link");
	if (r == 0)
		r = write_xml_attr(out, "rel", rel);
	if (r == 0 && type != NULL)
		r = write_xml_attr(out, "type", type);
	if (r == 0)
		r = write_xml_attr(out, "href", href);
	if (r == 0 && title != NULL)
		r = write_xml_attr(out, "title", title);
	if (r == 0)
		r = buf_puts(out, "/>\n");
	return r;
}

/*
 * True when s is an absolute IRI an Atom id may be: a scheme, a colon, and no character an IRI
 * forbids (nor brackets, which only an IPv6 host may hold). A guid like "12345" is not one.
 */
static bool
is_iri(const char *s)
{
	const char *p = s;

	if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
		return false;
	while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
	    *p == '+' || *p == '-' || *p == '.')
		p++;
	if (*p != ':' || p[1] == '\0')
		return false;
	for (; *p != '\0'; p++)
		if ((unsigned char)*p <= ' ' || strchr("<>\"{}|\\^`[]", *p) != NULL)
			return false;
	return true;
}

/* An id as an Atom id: itself when it is an IRI, else a URN made from its hash, the same every time. */
static const char *
atom_id(const char *id, char out[ATOM_ID_LEN])
{
	if (is_iri(id))
		return id;
	(void)snprintf(out, ATOM_ID_LEN, "urn:wiredesk:id:%016" PRIx64, item_hash(ITEM_HASH_INIT, id));
	return out;
}

static int
person(struct buf *out, const char *element, const struct person *p)
{
	const char *email = NULL, *uri = p->url, *name = p->name;
	int r;

	if (uri != NULL && strncmp(uri, "mailto:", 7) == 0) {
		email = uri + 7;
		uri = NULL;
	}
	if (name == NULL)
		name = email != NULL ? email : uri;	/* Atom requires a name */
	if (name == NULL)
		return 0;
	r = buf_appendf(out, "<%s>", element);
	if (r == 0)
		r = write_xml_element(out, "name", name);
	if (r == 0)
		r = write_xml_element(out, "email", email);
	if (r == 0)
		r = write_xml_element(out, "uri", uri);
	if (r == 0)
		r = buf_appendf(out, "</%s>\n", element);
	return r;
}

static int
people(struct buf *out, const struct person *p)
{
	int r = 0;

	for (; r == 0 && p != NULL; p = p->next)
		r = person(out, "author", p);
	return r;
}

/* The feed's id: its own URL, else where it is served, else its home page, else a hash of its title. */
static const char *
feed_id(const struct feed_writer *w, const struct feed *f, char out[ATOM_ID_LEN])
{
	if (f->feed_url != NULL)
		return f->feed_url;
	if (write_self(w, f) != NULL)
		return write_self(w, f);
	if (f->home_page_url != NULL)
		return f->home_page_url;
	(void)snprintf(out, ATOM_ID_LEN, "urn:wiredesk:feed:%016" PRIx64, item_hash(ITEM_HASH_INIT, f->title));
	return out;
}

/*
 * The document's head and the feed's fields. Atom's schema puts them all before the first entry, so
 * this is written once with what the model holds then, with the fields Atom requires made up when
 * absent: an empty title, an id from the title, and the time of writing as the date.
 */
static int
head(struct feed_writer *w, const struct feed *f)
{
	struct buf *out = w->out;
	const char *self = write_self(w, f), *hub = write_hub(w, f);
	char id[ATOM_ID_LEN];
	int r;

	w->open = true;
	r = buf_puts(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<feed xmlns=\"http://www.w3.org/2005/Atom\" xmlns:media=\"http://search.yahoo.com/mrss/\"");
	if (r == 0 && f->language != NULL)
		r = write_xml_attr(out, "xml:lang", f->language);
	if (r == 0)
		r = buf_puts(out, ">\n");
	if (r == 0)
		r = write_xml_element(out, "id", feed_id(w, f, id));
	if (r == 0)
		r = write_xml_element(out, "title", f->title != NULL ? f->title : "");
	if (r == 0)
		r = write_xml_element(out, "subtitle", f->description);
	if (r == 0)
		r = write_xml_date(out, "updated", write_feed_date(w, f), false);
	if (r == 0 && self != NULL)
		r = link(out, "self", "application/atom+xml", self, NULL);
	if (r == 0 && f->home_page_url != NULL)
		r = link(out, "alternate", "text/html", f->home_page_url, NULL);
	if (r == 0 && hub != NULL)
		r = link(out, "hub", NULL, hub, NULL);
	if (r == 0)
		r = people(out, f->authors);
	if (r == 0)
		r = write_xml_element(out, "icon", f->favicon);
	if (r == 0)
		r = write_xml_element(out, "logo", f->icon);
	return r;
}

static int
entry_links(struct buf *out, const struct item *it)
{
	const struct attachment *a;
	const struct source *s;
	int r = 0;

	if (it->url != NULL)
		r = link(out, "alternate", "text/html", it->url, NULL);
	for (s = it->also; r == 0 && s != NULL; s = s->next)
		if (s->url != NULL)
			r = link(out, "related", "text/html", s->url, s->name);
	for (a = it->attachments; r == 0 && a != NULL; a = a->next) {
		r = buf_puts(out, "<link rel=\"enclosure\"");
		if (r == 0)
			r = write_xml_attr(out, "href", a->url);
		if (r == 0 && a->mime_type != NULL)
			r = write_xml_attr(out, "type", a->mime_type);
		if (r == 0 && a->size_in_bytes >= 0)
			r = buf_appendf(out, " length=\"%" PRId64 "\"", a->size_in_bytes);
		if (r == 0 && a->title != NULL)
			r = write_xml_attr(out, "title", a->title);
		if (r == 0)
			r = buf_puts(out, "/>\n");
	}
	return r;
}

/* Where the item came from, as an Atom source: the name and the feed of the source. */
static int
source(struct buf *out, const struct source *s)
{
	int r;

	if (s == NULL || (s->name == NULL && s->feed_url == NULL))
		return 0;
	r = buf_puts(out, "<source>\n");
	if (r == 0)
		r = write_xml_element(out, "id", s->feed_url);
	if (r == 0)
		r = write_xml_element(out, "title", s->name);
	if (r == 0 && s->feed_url != NULL)
		r = link(out, "self", NULL, s->feed_url, NULL);
	if (r == 0)
		r = buf_puts(out, "</source>\n");
	return r;
}

int
atom_item(struct feed_writer *w, const struct feed *f, const struct item *it)
{
	struct buf *out = w->out;
	const struct tag *t;
	struct person anon = { 0 };
	char id[ATOM_ID_LEN];
	int64_t updated;
	int r = 0;

	if (!w->open)
		r = head(w, f);
	if (r == 0)
		r = buf_puts(out, "<entry");
	if (r == 0 && it->language != NULL)
		r = write_xml_attr(out, "xml:lang", it->language);
	if (r == 0)
		r = buf_puts(out, ">\n");
	if (r == 0)
		r = write_xml_element(out, "id", atom_id(it->id != NULL ? it->id : it->url != NULL ? it->url : "", id));
	if (r == 0)
		r = write_xml_element(out, "title", it->title != NULL ? it->title : "");
	/* Atom requires an updated date: the item's, else the feed's, else the time of writing. */
	updated = write_item_date(it);
	if (updated == DATE_NONE)
		updated = f->date_modified != DATE_NONE ? f->date_modified : w->opts->now;
	if (r == 0)
		r = write_xml_date(out, "updated", updated >= DATE_MIN && updated <= DATE_MAX ? updated : DATE_MIN,
		    false);
	if (r == 0 && it->date_published != DATE_NONE)
		r = write_xml_date(out, "published", it->date_published, false);
	/* And an author on every entry: the item's, else the feed's, else one named after the feed. */
	if (r == 0 && it->authors != NULL) {
		r = people(out, it->authors);
	} else if (r == 0 && f->authors != NULL) {
		r = people(out, f->authors);
	} else if (r == 0) {
		anon.name = f->title != NULL ? f->title : "unknown";
		r = person(out, "author", &anon);
	}
	if (r == 0)
		r = entry_links(out, it);
	for (t = it->tags; r == 0 && t != NULL; t = t->next) {
		r = buf_puts(out, "<category");
		if (r == 0)
			r = write_xml_attr(out, "term", t->term);
		if (r == 0)
			r = buf_puts(out, "/>\n");
	}
	if (r == 0)
		r = write_xml_element(out, "summary", it->summary);
	if (r == 0 && (it->content_html != NULL || it->also != NULL))
		r = write_xml_html(out, "content", " type=\"html\"", it);
	else if (r == 0 && it->url == NULL)
		r = buf_puts(out, "<content type=\"text\"></content>\n");	/* no content needs an alternate link */
	if (r == 0 && it->image != NULL)
		r = write_xml_thumbnail(out, it->image);
	if (r == 0)
		r = source(out, it->source);
	if (r == 0)
		r = buf_puts(out, "</entry>\n");
	return r;
}

int
atom_end(struct feed_writer *w, const struct feed *f)
{
	int r = 0;

	if (!w->open)
		r = head(w, f);
	if (r == 0)
		r = buf_puts(w->out, "</feed>\n");
	return r;
}
