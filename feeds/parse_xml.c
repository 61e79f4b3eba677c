/* parse_xml.c - RSS 0.9x/1.0/2.0 and Atom 0.3/1.0 through libxml2's SAX2 push parser, with the extensions real feeds use. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>

#include "date.h"
#include "escape.h"
#include "limits.h"
#include "parse_impl.h"
#include "url.h"
#include "xmlfix.h"

#define XML_STACK	(PARSE_MAX_DEPTH + 1)	/* frames: the root is depth 1 */

/* Namespaces, folded: RSS 0.90/1.0/2.0 and both Atoms share "core", told apart by context. */
enum ns { NS_CORE, NS_ATOM, NS_CONTENT, NS_DC, NS_DCTERMS, NS_MEDIA, NS_ITUNES, NS_FEEDBURNER, NS_XHTML, NS_RDF, NS_SY,
    NS_OTHER };

static const struct {
	const char	*uri;
	enum ns		 ns;
} namespaces[] = {
	{ "http://www.w3.org/2005/Atom", NS_ATOM },
	{ "http://purl.org/atom/ns#", NS_ATOM },
	{ "http://purl.org/rss/1.0/", NS_CORE },
	{ "http://my.netscape.com/rdf/simple/0.9/", NS_CORE },
	{ "http://backend.userland.com/rss2", NS_CORE },
	{ "http://backend.userland.com/rss", NS_CORE },
	{ "http://purl.org/rss/1.0/modules/content/", NS_CONTENT },
	{ "http://purl.org/dc/elements/1.1/", NS_DC },
	{ "http://purl.org/dc/elements/1.0/", NS_DC },
	{ "http://purl.org/dc/terms/", NS_DCTERMS },
	{ "http://search.yahoo.com/mrss/", NS_MEDIA },
	{ "http://search.yahoo.com/mrss", NS_MEDIA },
	{ "http://www.itunes.com/dtds/podcast-1.0.dtd", NS_ITUNES },
	{ "http://example.com/dtds/podcast-1.0.dtd", NS_ITUNES },
	{ "http://rssnamespace.org/feedburner/ext/1.0", NS_FEEDBURNER },
	{ "http://www.w3.org/1999/xhtml", NS_XHTML },
	{ "http://www.w3.org/1999/02/22-rdf-syntax-ns#", NS_RDF },
	{ "http://purl.org/rss/1.0/modules/syndication/", NS_SY },
};

/* Where an element stands, which decides what its children mean. */
enum ctx {
	C_TOP,		/* above the root element */
	C_ROOT,		/* <rss> or <rdf:RDF>: channel and (RSS 1.0) items below */
	C_FEED,		/* <channel> or Atom <feed> */
	C_ITEM,		/* <item> or <entry> */
	C_PERSON,	/* Atom <author>/<contributor> */
	C_IMAGE,	/* RSS <channel><image> */
	C_SKIP_HOURS,	/* RSS <skipHours>: <hour> children */
	C_SKIP_DAYS,	/* RSS <skipDays>: <day> children */
	C_MEDIA,	/* <media:group> or <media:content> inside an item */
	C_ITUNES_CAT,	/* itunes:category inside an item: nested ones are tags too */
	C_SOURCE,	/* Atom <source> inside an entry: the feed the entry came from */
	C_SKIP,		/* anything else: its children mean nothing to us */
};

/* What a captured element's text becomes when it ends. */
enum field {
	F_NONE,
	F_DRAFT,		/* straight into a draft_text of the item */
	F_ITEM_DATE_PUB, F_ITEM_DATE_MOD, F_ITEM_DATE_DC, F_ITEM_AUTHOR, F_ITEM_TAG, F_ITEM_TAGS,
	F_ITEM_DURATION,
	F_FEED_TITLE, F_FEED_LINK, F_FEED_DESC, F_FEED_LANG, F_FEED_ICON, F_FEED_FAVICON, F_FEED_DATE,
	F_FEED_AUTHOR,	/* author, managingEditor, dc:creator, itunes:author: one person as RSS writes them */
	F_FEED_TTL, F_FEED_SY_PERIOD, F_FEED_SY_FREQUENCY, F_FEED_SKIP_HOUR, F_FEED_SKIP_DAY,
	F_PERSON_NAME, F_PERSON_EMAIL, F_PERSON_URI,
};

struct frame {
	enum ctx	 ctx;
	unsigned	 item;		/* for C_ITEM: which item it opened (see xml_state.items) */
	const char	*base;		/* xml:base in scope, or NULL when none was ever set */
	const char	*lang;		/* xml:lang in scope, or NULL */
	bool		 own_base;	/* base was set here: free it when the frame goes */
	bool		 own_lang;
};

struct xml_state {
	xmlParserCtxtPtr	 ctxt;
	struct xmlfix		 fix;
	struct buf		 fixed;		/* one mended chunk */
	struct frame		 stack[XML_STACK];
	int			 depth;		/* frames in use; stack[depth - 1] is the current element */
	bool			 atom;		/* the document is Atom: <author> and <content> are Atom's */
	int64_t			 ttl, sy_period, sy_frequency;	/* seconds, seconds, times a period */
	bool			 cdf;		/* Channel Definition Format: links and dates are attributes */
	char			*root_uri;	/* an unknown namespace the root element is in: read as core */
	const xmlChar		*root_uri_seen;	/* the pointer libxml2 last handed for root_uri */
	bool			 seen_root;
	bool			 in_item;
	unsigned		 items;		/* items opened so far: an item frame emits only if it is the latest */
	bool			 media_title;	/* the item's title came from media:title: a real <title> replaces it */
	/* The element whose text is being captured, if any. */
	int			 cap_depth;	/* its depth; 0: none */
	enum field		 cap_field;
	enum text_type		 cap_type;
	bool			 cap_base64;	/* the text is base64 (Atom 0.3 mode, Atom 1.0 binary type) */
	struct draft_text	*cap_draft;	/* for F_DRAFT */
	bool			 cap_markup;	/* children are kept as markup (HTML, XHTML) */
	struct buf		 scratch;	/* the text of fields that are not draft fields */
	/* The Atom person being read. */
	struct buf		 person[3];	/* name, email, uri */
	bool			 person_item;	/* it belongs to the item, not the feed */
	struct buf		 attr;		/* an attribute value, decoded */
	struct {
		const xmlChar	*uri;
		enum ns		 ns;
	} ns_cache[8];
	unsigned		 ns_next;
};

/* The first fatal error the parser reports is the one a user sees. */
static void
on_error(void *ctx, xmlErrorPtr e)
{
	struct feed_parser *p = ctx;
	size_t n;

	if (e == NULL || e->level < XML_ERR_ERROR)
		return;
	p->feed->recovered = true;
	if (p->err.msg[0] != '\0')
		return;
	p->err.line = e->line;
	p->err.column = e->int2;
	(void)snprintf(p->err.msg, sizeof(p->err.msg), "%s", e->message != NULL ? e->message : "XML error");
	n = strlen(p->err.msg);
	while (n > 0 && (p->err.msg[n - 1] == '\n' || p->err.msg[n - 1] == ' ' || p->err.msg[n - 1] == '.'))
		p->err.msg[--n] = '\0';
	if (n > 0 && p->err.msg[0] >= 'A' && p->err.msg[0] <= 'Z' && !(p->err.msg[1] >= 'A' && p->err.msg[1] <= 'Z'))
		p->err.msg[0] = (char)(p->err.msg[0] - 'A' + 'a');
}

static void
stop(struct feed_parser *p, int err, const char *msg, const xmlChar *name)
{
	struct xml_state *x = p->xml;

	(void)parser_fail(p, err, xmlSAX2GetLineNumber(x->ctxt), xmlSAX2GetColumnNumber(x->ctxt), "%s%s%s%s",
	    msg, name != NULL ? " <" : "", name != NULL ? (const char *)name : "", name != NULL ? ">" : "");
	xmlStopParser(x->ctxt);
}

/*
 * Entities declared in a DOCTYPE are how XXE and billion-laughs attacks start: no feed needs them.
 * xmlfix drops the DOCTYPE and refuses such documents first; this stays as defence in depth.
 */
static void
on_entity_decl(void *ctx, const xmlChar *name, int type, const xmlChar *public_id, const xmlChar *system_id,
    xmlChar *content)
{
	(void)type;
	(void)public_id;
	(void)system_id;
	(void)content;
	stop(ctx, -EBADMSG, "document declares entities (refused); the first is", name);
}

static xmlParserInputPtr
on_resolve_entity(void *ctx, const xmlChar *public_id, const xmlChar *system_id)
{
	(void)ctx;
	(void)public_id;
	(void)system_id;
	return NULL;
}

static xmlParserInputPtr
deny_loader(const char *url, const char *id, xmlParserCtxtPtr ctxt)
{
	(void)url;
	(void)id;
	(void)ctxt;
	return NULL;
}

static enum ns
ns_of(struct xml_state *x, const xmlChar *uri)
{
	enum ns ns = NS_OTHER;
	size_t i;

	if (uri == NULL || *uri == '\0')
		return NS_CORE;
	if (uri == x->root_uri_seen)
		return NS_CORE;
	if (x->root_uri != NULL && strcmp((const char *)uri, x->root_uri) == 0) {
		/* libxml2 hands every URI out of its dictionary, so the same pointer is the same URI. */
		x->root_uri_seen = uri;
		return NS_CORE;
	}
	for (i = 0; i < sizeof(x->ns_cache) / sizeof(x->ns_cache[0]); i++)
		if (x->ns_cache[i].uri == uri)
			return x->ns_cache[i].ns;
	for (i = 0; i < sizeof(namespaces) / sizeof(namespaces[0]); i++) {
		if (strcasecmp((const char *)uri, namespaces[i].uri) == 0) {
			ns = namespaces[i].ns;
			break;
		}
	}
	/* Pointers into libxml2's namespace table stay valid while the declaration is in scope. */
	x->ns_cache[x->ns_next].uri = uri;
	x->ns_cache[x->ns_next].ns = ns;
	x->ns_next = (x->ns_next + 1) % (sizeof(x->ns_cache) / sizeof(x->ns_cache[0]));
	return ns;
}

/* Element names compare case-insensitively: CDF shouts, and some podcast feeds write <TiTlE>. */
static bool
is(const xmlChar *name, const char *s)
{
	/* Most calls ask about another name: the first letters tell those apart without a call. */
	return ((name[0] ^ (unsigned char)s[0]) & ~0x20) == 0 && strcasecmp((const char *)name, s) == 0;
}

/* SAX2 attributes come as (localname, prefix, URI, value, end) quintuples. */
static const xmlChar **
attr_find(int n, const xmlChar **attrs, const char *name, const char *uri)
{
	int i;

	for (i = 0; i < n; i++, attrs += 5) {
		if (strcmp((const char *)attrs[0], name) != 0)
			continue;
		if (uri == NULL ? attrs[2] == NULL : (attrs[2] != NULL && strcmp((const char *)attrs[2], uri) == 0))
			return attrs;
	}
	return NULL;
}

/*
 * An attribute's value (a quintuple from attr_find), decoded: without entity substitution libxml2
 * hands "&amp;" on as "&#38;". The string lives in x->attr until the next call; NULL on ENOMEM.
 */
static const char *
attr_decode(struct xml_state *x, const xmlChar **a, size_t *ret_len)
{
	const char *v = (const char *)a[3], *end = (const char *)a[4], *amp;

	buf_clear(&x->attr);
	while ((amp = memchr(v, '&', (size_t)(end - v))) != NULL) {
		if (buf_append(&x->attr, v, (size_t)(amp - v)) < 0 || buf_putc(&x->attr, '&') < 0)
			return NULL;
		v = end - amp >= 5 && memcmp(amp, "&#38;", 5) == 0 ? amp + 5 : amp + 1;
	}
	if (buf_append(&x->attr, v, (size_t)(end - v)) < 0)
		return NULL;
	if (ret_len != NULL)
		*ret_len = x->attr.len;
	return buf_str(&x->attr);
}

/* The value of the attribute name (in no namespace), decoded; NULL when absent. */
static const char *
attr_value(struct xml_state *x, int n, const xmlChar **attrs, const char *name, size_t *ret_len)
{
	const xmlChar **a = attr_find(n, attrs, name, NULL);

	return a != NULL ? attr_decode(x, a, ret_len) : NULL;
}

static bool
attr_is(struct xml_state *x, int n, const xmlChar **attrs, const char *name, const char *value)
{
	const char *v = attr_value(x, n, attrs, name, NULL);

	return v != NULL && strcasecmp(v, value) == 0;
}

/* The type of an Atom text construct, or of an RSS element that says its type. */
static enum text_type
text_type_of(struct xml_state *x, int n, const xmlChar **attrs, enum text_type dflt)
{
	char t[64] = "", mode[16] = "";
	const char *v;

	/* Copies: attr_value() reuses one buffer. */
	if ((v = attr_value(x, n, attrs, "type", NULL)) != NULL && strlen(v) < sizeof(t))
		strcpy(t, v);
	if ((v = attr_value(x, n, attrs, "mode", NULL)) != NULL && strlen(v) < sizeof(mode))
		strcpy(mode, v);	/* Atom 0.3 */
	x->cap_base64 = false;
	if (strcasecmp(mode, "base64") == 0) {
		x->cap_base64 = true;
		return TEXT_HTML;
	}
	if (strcasecmp(mode, "escaped") == 0)
		return strcasecmp(t, "text/plain") == 0 ? TEXT_PLAIN : TEXT_HTML;
	if (strcasecmp(mode, "xml") == 0)
		return TEXT_XHTML;
	if (t[0] == '\0')
		return dflt;
	if (strcasecmp(t, "html") == 0 || strcasecmp(t, "text/html") == 0)
		return TEXT_HTML;
	if (strcasecmp(t, "xhtml") == 0 || strcasecmp(t, "application/xhtml+xml") == 0)
		return TEXT_XHTML;
	if (strcasecmp(t, "text") == 0 || strncasecmp(t, "text/", 5) == 0)
		return TEXT_PLAIN;
	if (strchr(t, '/') != NULL && strstr(t, "xml") == NULL) {
		x->cap_base64 = true;	/* Atom 1.0 §4.1.3.3: any other media type is base64 */
		return TEXT_HTML;
	}
	return dflt;
}

/* Decodes base64 in place, skipping white space; stops at the first character that is not base64. */
static void
base64_decode(struct buf *b)
{
	unsigned acc = 0, bits = 0, v;
	size_t i, o = 0;
	char c;

	for (i = 0; i < b->len; i++) {
		c = b->data[i];
		if (c >= 'A' && c <= 'Z')
			v = (unsigned)(c - 'A');
		else if (c >= 'a' && c <= 'z')
			v = (unsigned)(c - 'a' + 26);
		else if (c >= '0' && c <= '9')
			v = (unsigned)(c - '0' + 52);
		else if (c == '+' || c == '-')
			v = 62;
		else if (c == '/' || c == '_')
			v = 63;
		else if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
			continue;
		else
			break;
		acc = (acc << 6 | v) & 0xFFFFFF;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			b->data[o++] = (char)(acc >> bits & 0xFF);
		}
	}
	buf_truncate(b, o);
}

static void
capture(struct xml_state *x, enum field f, struct draft_text *d, enum text_type type, const char *base)
{
	x->cap_depth = x->depth;
	x->cap_field = f;
	x->cap_type = type;
	x->cap_draft = d;
	x->cap_markup = type != TEXT_PLAIN;
	buf_clear(&x->scratch);
	if (d != NULL) {
		/* The first occurrence wins; a repeat is read into scratch and dropped. */
		if (d->set) {
			x->cap_field = F_NONE;
			x->cap_draft = NULL;
		} else {
			draft_text_begin(d, type, base);
		}
	}
}

static void
cap_append(struct xml_state *x, const char *s, size_t len)
{
	if (x->cap_draft != NULL)
		draft_text_append(x->cap_draft, s, len);
	else if (x->cap_field != F_NONE && buf_append(&x->scratch, s, len) < 0)
		x->cap_field = F_NONE;	/* over the field limit: the field is dropped */
}

/* Appends s escaped for markup: the characters of an XHTML field are text, not tags. */
static void
cap_append_escaped(struct xml_state *x, const char *s, size_t len)
{
	struct buf *b = x->cap_draft != NULL ? &x->cap_draft->raw : &x->scratch;

	/* Past the field limit the text is cut (a draft) or the field dropped (scratch), as in cap_append(). */
	if ((x->cap_draft != NULL || x->cap_field != F_NONE) && escape_xml(b, s, len) < 0 && x->cap_draft == NULL)
		x->cap_field = F_NONE;
}

/*
 * A child element inside a captured HTML or XHTML field is kept as markup for the sanitizer. Its
 * links are resolved here when an xml:base inside the field changed the base: the sanitizer only
 * knows the field's own.
 */
static void
cap_start_tag(struct xml_state *x, const struct frame *f, const xmlChar *name, int nattrs, const xmlChar **attrs)
{
	const struct frame *field = &x->stack[x->cap_depth - 1];
	const char *v, *aname;
	struct buf abs;
	size_t vlen;
	int i;

	cap_append(x, "<", 1);
	cap_append(x, (const char *)name, strlen((const char *)name));
	for (i = 0; i < nattrs; i++, attrs += 5) {
		aname = (const char *)attrs[0];
		if (attrs[2] != NULL)
			continue;	/* xml:base, xml:lang, xlink:...: nothing HTML reads */
		v = attr_value(x, 1, attrs, aname, &vlen);
		if (v == NULL)
			continue;
		buf_init(&abs, ITEM_MAX_SHORT);
		if (f->base != field->base && f->base != NULL && (strcmp(aname, "href") == 0 ||
		    strcmp(aname, "src") == 0) && url_resolve(f->base, v, vlen, &abs) == 0) {
			v = buf_str(&abs);
			vlen = abs.len;
		}
		cap_append(x, " ", 1);
		cap_append(x, aname, strlen(aname));
		cap_append(x, "=\"", 2);
		cap_append_escaped(x, v, vlen);
		cap_append(x, "\"", 1);
		buf_release(&abs);
	}
	cap_append(x, ">", 1);
}

static bool
same(const char *a, const char *b)
{
	return a == NULL ? b == NULL : b != NULL && strcmp(a, b) == 0;
}

static int
add_person(struct feed_parser *p, bool to_item, const char *name, size_t nlen, const char *email,
    size_t elen, const char *uri, size_t ulen, const char *base)
{
	struct arena *a = to_item ? p->items : &p->feed->arena;
	struct person *ps, **tail;
	struct buf mail;
	size_t count = 0;
	int r;

	tail = to_item ? &p->draft.item.authors : &p->feed->authors;
	for (; *tail != NULL; tail = &(*tail)->next)
		count++;
	if (count >= PARSE_MAX_AUTHORS)
		return 0;
	ps = arena_zalloc(a, sizeof(*ps));
	if (ps == NULL)
		return -ENOMEM;
	r = normalize_text(name, nlen, TEXT_PLAIN, ITEM_MAX_SHORT, a, &ps->name);
	if (r == 0 && ulen > 0)
		r = normalize_url(parser_base(p, base), uri, ulen, URL_LINK, a, &ps->url);
	if (r == 0 && ps->url == NULL && elen > 0) {
		buf_init(&mail, ITEM_MAX_SHORT);
		if (buf_puts(&mail, "mailto:") == 0 && buf_append(&mail, email, elen) == 0)
			r = normalize_url(NULL, buf_str(&mail), mail.len, URL_LINK, a, &ps->url);
		buf_release(&mail);
	}
	if (r < 0)
		return r;
	if (ps->name == NULL && ps->url == NULL)
		return 0;
	for (const struct person *o = to_item ? p->draft.item.authors : p->feed->authors; o != NULL; o = o->next)
		if (same(o->name, ps->name) && same(o->url, ps->url))
			return 0;	/* managingEditor and webMaster are often one person */
	*tail = ps;
	return 0;
}

/*
 * RSS writes people as "jo@example.org (Jo Smith)", "Jo Smith <jo@example.org>", "jo@example.org"
 * or just a name.
 */
static int
add_person_text(struct feed_parser *p, bool to_item, const char *s, size_t len, const char *base)
{
	const char *open, *close, *at, *name = s, *email = NULL;
	size_t nlen = len, elen = 0;

	while (len > 0 && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')) {
		s++;
		len--;
	}
	at = memchr(s, '@', len);
	open = memchr(s, '(', len);
	close = open != NULL ? memchr(open, ')', len - (size_t)(open - s)) : NULL;
	if (at != NULL && open != NULL && close != NULL && at < open) {
		/* "jo@example.org (Jo (the Boss))": the name runs to the last parenthesis. */
		for (close = s + len - 1; *close != ')'; close--)
			;
		email = s;
		elen = (size_t)(open - s);
		name = open + 1;
		nlen = (size_t)(close - open - 1);
	} else if (at != NULL && open != NULL && close != NULL && at > open && at < close) {
		name = s;		/* "Jo Smith (jo@example.org)" */
		nlen = (size_t)(open - s);
		email = open + 1;
		elen = (size_t)(close - open - 1);
	} else if (at != NULL && (open = memchr(s, '<', len)) != NULL &&
	    (close = memchr(open, '>', len - (size_t)(open - s))) != NULL && at > open && at < close) {
		name = s;
		nlen = (size_t)(open - s);
		email = open + 1;
		elen = (size_t)(close - open - 1);
	} else if (at != NULL && memchr(s, ' ', len) == NULL) {
		email = s;
		elen = len;
		name = NULL;
		nlen = 0;
	}
	while (elen > 0 && (email[elen - 1] == ' ' || email[elen - 1] == '\t' || email[elen - 1] == '\n'))
		elen--;
	return add_person(p, to_item, name, nlen, email, elen, NULL, 0, base);
}

static int
add_tag(struct feed_parser *p, const char *s, size_t len)
{
	return normalize_add_tag(&p->draft.item.tags, p->items, s, len);
}

static int
add_attachment(struct feed_parser *p, struct xml_state *x, int n, const xmlChar **attrs, const char *url_attr,
    const char *len_attr, const char *base)
{
	struct attachment *at, **tail;
	const char *v;
	size_t count = 0, vlen;
	int r;

	for (tail = &p->draft.item.attachments; *tail != NULL; tail = &(*tail)->next)
		if (++count >= PARSE_MAX_ATTACHMENTS)
			return 0;
	at = arena_zalloc(p->items, sizeof(*at));
	if (at == NULL)
		return -ENOMEM;
	at->size_in_bytes = -1;
	at->duration = -1;
	v = attr_value(x, n, attrs, url_attr, &vlen);
	if (v == NULL)
		return 0;
	r = normalize_url(parser_base(p, base), v, vlen, URL_MEDIA, p->items, &at->url);
	if (r < 0 || at->url == NULL)
		return r;
	/* Some of the same enclosure twice (RSS enclosure and Atom link): keep one. */
	for (struct attachment *o = p->draft.item.attachments; o != NULL; o = o->next)
		if (strcmp(o->url, at->url) == 0)
			return 0;
	v = attr_value(x, n, attrs, "type", &vlen);
	if (v != NULL && (r = normalize_text(v, vlen, TEXT_PLAIN, ITEM_MAX_SHORT, p->items, &at->mime_type)) < 0)
		return r;
	v = attr_value(x, n, attrs, "title", &vlen);
	if (v != NULL && (r = normalize_text(v, vlen, TEXT_PLAIN, ITEM_MAX_SHORT, p->items, &at->title)) < 0)
		return r;
	v = attr_value(x, n, attrs, len_attr, &vlen);
	if (v != NULL) {
		char *end;
		long long sz;

		errno = 0;
		sz = strtoll(v, &end, 10);
		while (*end == ' ')
			end++;
		if (errno == 0 && end != v && *end == '\0' && sz > 0)
			at->size_in_bytes = sz;
	}
	*tail = at;
	return 0;
}

/* An Atom <link>, or an atom:link inside RSS: rel decides what it is. */
static int
on_atom_link(struct feed_parser *p, struct xml_state *x, enum ctx where, int n, const xmlChar **attrs,
    const char *base)
{
	const char *href, *rel;
	size_t hlen, rlen;
	char relbuf[32];

	rel = attr_value(x, n, attrs, "rel", &rlen);
	if (rel == NULL || rlen == 0 || rlen >= sizeof(relbuf))
		rel = "alternate";
	memcpy(relbuf, rel, strlen(rel) + 1);
	if (strcasecmp(relbuf, "enclosure") == 0)
		return where == C_ITEM ? add_attachment(p, x, n, attrs, "href", "length", base) : 0;
	href = attr_value(x, n, attrs, "href", &hlen);
	if (href == NULL)
		return 0;
	if (where == C_ITEM) {
		if (strcasecmp(relbuf, "alternate") == 0 && !p->draft.link.set) {
			draft_text_begin(&p->draft.link, TEXT_PLAIN, base);
			draft_text_append(&p->draft.link, href, hlen);
		}
		return 0;
	}
	if (strcasecmp(relbuf, "alternate") == 0)
		return parser_feed_url(p, &p->feed->home_page_url, base, href, hlen);
	if (strcasecmp(relbuf, "self") == 0)
		return parser_feed_url(p, &p->feed->feed_url, base, href, hlen);
	if (strcasecmp(relbuf, "hub") == 0)
		return parser_feed_url(p, &p->feed->hub, base, href, hlen);
	return 0;
}

/* The root element names the format; anything else is not a feed. */
static enum ctx
on_root(struct feed_parser *p, struct xml_state *x, const xmlChar *name, const xmlChar *uri_of_root, enum ns ns, int n,
    const xmlChar **attrs)
{
	const char *v;
	size_t len;

	x->seen_root = true;
	if (ns == NS_OTHER && (is(name, "rss") || is(name, "feed"))) {
		/* An unknown namespace on <rss> or <feed>: a typo of the real one; read it as that. */
		x->root_uri = strdup((const char *)uri_of_root);
		ns = NS_CORE;
	}
	if (ns == NS_RDF && is(name, "RDF")) {
		p->feed->format = FEED_RSS090;
		return C_ROOT;
	}
	if ((ns == NS_CORE || ns == NS_ATOM) && is(name, "rss")) {
		v = attr_value(x, n, attrs, "version", NULL);
		p->feed->format = v != NULL && strncmp(v, "0.9", 3) == 0 ? FEED_RSS091 : FEED_RSS2;
		return C_ROOT;
	}
	if ((ns == NS_CORE || ns == NS_ATOM) && is(name, "feed")) {
		v = attr_value(x, n, attrs, "version", NULL);
		x->atom = true;
		p->feed->format = v != NULL && strcmp(v, "0.3") == 0 ? FEED_ATOM03 : FEED_ATOM10;
		return C_FEED;
	}
	/* Channel Definition Format: <CHANNEL HREF=...> with items below. */
	if (ns == NS_CORE && is(name, "channel")) {
		p->feed->format = FEED_RSS091;
		x->cdf = true;
		if ((v = attr_value(x, n, attrs, "HREF", &len)) != NULL)
			(void)parser_feed_url(p, &p->feed->home_page_url, NULL, v, len);
		return C_FEED;
	}
	stop(p, -EBADMSG, "not a feed: the root element is", name);
	return C_SKIP;
}


/* What an item says in its own attributes: rdf:about (RSS 1.0), HREF and LASTMOD (CDF). */
static void
on_item_attrs(struct feed_parser *p, struct xml_state *x, int n, const xmlChar **attrs, const char *base)
{
	static const char rdf_ns[] = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
	struct item_draft *d = &p->draft;
	const xmlChar **a;
	const char *v;
	size_t len;
	int64_t t;

	a = attr_find(n, attrs, "about", rdf_ns);
	if (a != NULL && (v = attr_decode(x, a, &len)) != NULL) {
		draft_text_begin(&d->id, TEXT_PLAIN, base);
		draft_text_append(&d->id, v, len);
	}
	if (!x->cdf)
		return;
	if ((v = attr_value(x, n, attrs, "HREF", &len)) != NULL) {
		draft_text_begin(&d->link, TEXT_PLAIN, base);
		draft_text_append(&d->link, v, len);
	}
	if ((v = attr_value(x, n, attrs, "LASTMOD", NULL)) != NULL && date_parse(v, &t) == 0)
		d->item.date_modified = t;
}

/* The channel's (or Atom feed's) own fields. */
static enum ctx
on_feed_child(struct feed_parser *p, struct xml_state *x, const xmlChar *name, enum ns ns, int n,
    const xmlChar **attrs, const char *base)
{
	bool atomish = ns == NS_ATOM || (ns == NS_CORE && x->atom);

	if (ns == NS_CORE || ns == NS_ATOM) {
		if (is(name, "item") || is(name, "entry")) {
			x->in_item = true;
			x->media_title = false;
			item_draft_reset(&p->draft);
			on_item_attrs(p, x, n, attrs, base);
			return C_ITEM;
		}
		if (is(name, "title")) {
			capture(x, F_FEED_TITLE, NULL, text_type_of(x, n, attrs, atomish ? TEXT_PLAIN : TEXT_HTML), base);
		} else if (is(name, "link")) {
			if (attr_find(n, attrs, "href", NULL) != NULL)
				(void)on_atom_link(p, x, C_FEED, n, attrs, base);
			else
				capture(x, F_FEED_LINK, NULL, TEXT_PLAIN, base);
		} else if (is(name, "description") || is(name, "subtitle") || is(name, "tagline") || is(name, "abstract")) {
			capture(x, F_FEED_DESC, NULL, text_type_of(x, n, attrs, atomish ? TEXT_PLAIN : TEXT_HTML), base);
		} else if (is(name, "language")) {
			capture(x, F_FEED_LANG, NULL, TEXT_PLAIN, base);
		} else if (is(name, "lastBuildDate") || is(name, "updated") || is(name, "modified")) {
			capture(x, F_FEED_DATE, NULL, TEXT_PLAIN, base);
		} else if (is(name, "logo")) {
			capture(x, F_FEED_ICON, NULL, TEXT_PLAIN, base);
		} else if (is(name, "icon")) {
			capture(x, F_FEED_FAVICON, NULL, TEXT_PLAIN, base);
		} else if (is(name, "image") && !atomish) {
			return C_IMAGE;
		} else if (is(name, "ttl") && !atomish) {
			capture(x, F_FEED_TTL, NULL, TEXT_PLAIN, base);
		} else if (is(name, "skipHours") && !atomish) {
			return C_SKIP_HOURS;
		} else if (is(name, "skipDays") && !atomish) {
			return C_SKIP_DAYS;
		} else if ((is(name, "author") && atomish) || is(name, "contributor")) {
			if (is(name, "author")) {
				x->person_item = false;
				return C_PERSON;
			}
		} else if (is(name, "author") || is(name, "managingEditor") || is(name, "webMaster")) {
			capture(x, F_FEED_AUTHOR, NULL, TEXT_PLAIN, base);
		}
		return C_SKIP;
	}
	if (ns == NS_SY) {
		if (is(name, "updatePeriod"))
			capture(x, F_FEED_SY_PERIOD, NULL, TEXT_PLAIN, base);
		else if (is(name, "updateFrequency"))
			capture(x, F_FEED_SY_FREQUENCY, NULL, TEXT_PLAIN, base);
	} else if (ns == NS_DC) {
		if (is(name, "title"))
			capture(x, F_FEED_TITLE, NULL, TEXT_PLAIN, base);
		else if (is(name, "description"))
			capture(x, F_FEED_DESC, NULL, TEXT_PLAIN, base);
		else if (is(name, "language"))
			capture(x, F_FEED_LANG, NULL, TEXT_PLAIN, base);
		else if (is(name, "date"))
			capture(x, F_FEED_DATE, NULL, TEXT_PLAIN, base);
		else if (is(name, "creator") || is(name, "author"))
			capture(x, F_FEED_AUTHOR, NULL, TEXT_PLAIN, base);
	} else if (ns == NS_ITUNES) {
		if (is(name, "author"))
			capture(x, F_FEED_AUTHOR, NULL, TEXT_PLAIN, base);
		else if (is(name, "summary") || is(name, "subtitle"))
			capture(x, F_FEED_DESC, NULL, TEXT_PLAIN, base);
		else if (is(name, "image")) {
			size_t len;
			const char *href = attr_value(x, n, attrs, "href", &len);

			if (href == NULL)
				href = attr_value(x, n, attrs, "url", &len);	/* a common mistake */
			if (href != NULL)
				(void)parser_feed_url(p, &p->feed->icon, base, href, len);
		} else if (is(name, "link") && attr_is(x, n, attrs, "rel", "image")) {
			size_t len;
			const char *href = attr_value(x, n, attrs, "href", &len);

			if (href != NULL)
				(void)parser_feed_url(p, &p->feed->icon, base, href, len);
		}
	}
	return C_SKIP;
}

static void	finish_field(struct feed_parser *, struct xml_state *, const struct frame *);
static enum ctx	on_media(struct feed_parser *, struct xml_state *, const xmlChar *, int, const xmlChar **, const char *);

/* An item's (or entry's) fields. */
static enum ctx
on_item_child(struct feed_parser *p, struct xml_state *x, const xmlChar *name, enum ns ns, int n,
    const xmlChar **attrs, const char *base)
{
	struct item_draft *d = &p->draft;
	bool atomish = ns == NS_ATOM || (ns == NS_CORE && x->atom);
	const char *v;
	size_t len;

	switch (ns) {
	case NS_CORE:
	case NS_ATOM:
		if (is(name, "title")) {
			if (x->media_title)
				draft_text_reset(&d->title);
			x->media_title = false;
			capture(x, F_DRAFT, &d->title, text_type_of(x, n, attrs, atomish ? TEXT_PLAIN : TEXT_HTML), base);
		} else if (is(name, "link")) {
			if (attr_find(n, attrs, "href", NULL) != NULL)
				(void)on_atom_link(p, x, C_ITEM, n, attrs, base);
			else if (attr_find(n, attrs, "rel", NULL) == NULL || attr_is(x, n, attrs, "rel", "alternate"))
				capture(x, F_DRAFT, &d->link, TEXT_PLAIN, base);
		} else if (is(name, "guid")) {
			/* A guid with isPermaLink="false" is an opaque id: it beats link for identity, never replaces it. */
			d->guid_is_link = !attr_is(x, n, attrs, "isPermaLink", "false");
			capture(x, F_DRAFT, &d->id, TEXT_PLAIN, base);
		} else if (is(name, "id")) {
			capture(x, F_DRAFT, &d->id, TEXT_PLAIN, base);
		} else if (is(name, "description") || is(name, "summary") || is(name, "abstract")) {
			/* Of an RSS description and summary the later wins, as in feedparser. */
			if (!atomish)
				draft_text_reset(&d->description);
			capture(x, F_DRAFT, &d->description, text_type_of(x, n, attrs, atomish ? TEXT_PLAIN : TEXT_HTML), base);
		} else if (is(name, "body") && !atomish) {
			capture(x, F_DRAFT, &d->content, TEXT_XHTML, base);	/* xhtml:body without its namespace */
		} else if (is(name, "fullitem")) {
			capture(x, F_DRAFT, &d->content, TEXT_HTML, base);
		} else if (is(name, "tags")) {
			capture(x, F_ITEM_TAGS, NULL, TEXT_PLAIN, base);
		} else if (is(name, "content")) {
			if (attr_find(n, attrs, "src", NULL) != NULL)
				return C_SKIP;	/* out-of-line content: nothing to show */
			capture(x, F_DRAFT, &d->content, text_type_of(x, n, attrs, x->atom && p->feed->format == FEED_ATOM10 ?
			    TEXT_PLAIN : TEXT_HTML), base);
		} else if (is(name, "pubDate") || is(name, "published") || is(name, "issued") || is(name, "created")) {
			capture(x, F_ITEM_DATE_PUB, NULL, TEXT_PLAIN, base);
		} else if (is(name, "updated") || is(name, "modified")) {
			capture(x, F_ITEM_DATE_MOD, NULL, TEXT_PLAIN, base);
		} else if (is(name, "author") && atomish) {
			x->person_item = true;
			return C_PERSON;
		} else if (is(name, "author")) {
			capture(x, F_ITEM_AUTHOR, NULL, TEXT_PLAIN, base);
		} else if (is(name, "category")) {
			v = attr_value(x, n, attrs, "term", &len);
			if (v != NULL)
				(void)add_tag(p, v, len);
			else
				capture(x, F_ITEM_TAG, NULL, TEXT_PLAIN, base);
		} else if (is(name, "enclosure")) {
			(void)add_attachment(p, x, n, attrs, "url", "length", base);
		} else if (is(name, "source") && atomish) {
			return C_SOURCE;	/* Atom: <source><title/><link rel="self"/></source> */
		} else if (is(name, "source")) {
			/* RSS: <source url="the channel's feed">its name</source>. */
			if ((v = attr_value(x, n, attrs, "url", &len)) != NULL) {
				draft_text_begin(&d->source_url, TEXT_PLAIN, base);
				draft_text_append(&d->source_url, v, len);
			}
			capture(x, F_DRAFT, &d->source_name, TEXT_PLAIN, base);
		}
		return C_SKIP;
	case NS_CONTENT:
		if (is(name, "encoded"))
			capture(x, F_DRAFT, &d->content, TEXT_HTML, base);
		break;
	case NS_XHTML:
		if (is(name, "body") || is(name, "div"))
			capture(x, F_DRAFT, &d->content, TEXT_XHTML, base);
		break;
	case NS_DC:
		if (is(name, "title"))
			capture(x, F_DRAFT, &d->title, TEXT_PLAIN, base);
		else if (is(name, "description"))
			capture(x, F_DRAFT, &d->description, TEXT_PLAIN, base);
		else if (is(name, "creator") || is(name, "author") || is(name, "contributor"))
			capture(x, F_ITEM_AUTHOR, NULL, TEXT_PLAIN, base);
		else if (is(name, "date"))
			capture(x, F_ITEM_DATE_DC, NULL, TEXT_PLAIN, base);
		else if (is(name, "subject"))
			capture(x, F_ITEM_TAG, NULL, TEXT_PLAIN, base);
		else if (is(name, "language"))
			capture(x, F_DRAFT, &d->language, TEXT_PLAIN, base);
		else if (is(name, "identifier"))
			capture(x, F_DRAFT, &d->id, TEXT_PLAIN, base);
		break;
	case NS_DCTERMS:
		if (is(name, "issued") || is(name, "created") || is(name, "date"))
			capture(x, F_ITEM_DATE_PUB, NULL, TEXT_PLAIN, base);
		else if (is(name, "modified"))
			capture(x, F_ITEM_DATE_MOD, NULL, TEXT_PLAIN, base);
		break;
	case NS_FEEDBURNER:
		if (is(name, "origLink"))
			capture(x, F_DRAFT, &d->orig_link, TEXT_PLAIN, base);
		break;
	case NS_ITUNES:
		if (is(name, "author"))
			capture(x, F_ITEM_AUTHOR, NULL, TEXT_PLAIN, base);
		else if (is(name, "summary"))
			capture(x, F_DRAFT, &d->alt_summary, TEXT_PLAIN, base);
		else if (is(name, "keywords"))
			capture(x, F_ITEM_TAGS, NULL, TEXT_PLAIN, base);
		else if (is(name, "duration"))
			capture(x, F_ITEM_DURATION, NULL, TEXT_PLAIN, base);
		else if (is(name, "category") && (v = attr_value(x, n, attrs, "text", &len)) != NULL)
			(void)add_tag(p, v, len);
		else if (is(name, "image") && !d->image.set && ((v = attr_value(x, n, attrs, "href", &len)) != NULL ||
		    (v = attr_value(x, n, attrs, "url", &len)) != NULL)) {
			draft_text_begin(&d->image, TEXT_PLAIN, base);
			draft_text_append(&d->image, v, len);
		}
		if (is(name, "category"))
			return C_ITUNES_CAT;
		break;
	case NS_MEDIA:
		return on_media(p, x, name, n, attrs, base);
	default:
		break;
	}
	return C_SKIP;
}

/* Media RSS inside an item: a thumbnail or an image is the item's picture. */
static enum ctx
on_media(struct feed_parser *p, struct xml_state *x, const xmlChar *name, int n, const xmlChar **attrs,
    const char *base)
{
	struct item_draft *d = &p->draft;
	const char *v, *medium, *type;
	size_t len;

	if (is(name, "group") || is(name, "content")) {
		if (is(name, "content") && !d->image.set) {
			medium = attr_value(x, n, attrs, "medium", NULL);
			if (medium == NULL || strcasecmp(medium, "image") != 0) {
				type = attr_value(x, n, attrs, "type", NULL);
				if (type == NULL || strncasecmp(type, "image/", 6) != 0)
					return C_MEDIA;
			}
			if ((v = attr_value(x, n, attrs, "url", &len)) != NULL) {
				draft_text_begin(&d->image, TEXT_PLAIN, base);
				draft_text_append(&d->image, v, len);
			}
		}
		return C_MEDIA;
	}
	if (is(name, "thumbnail") && !d->image.set && (v = attr_value(x, n, attrs, "url", &len)) != NULL) {
		draft_text_begin(&d->image, TEXT_PLAIN, base);
		draft_text_append(&d->image, v, len);
	} else if (is(name, "description")) {
		capture(x, F_DRAFT, &d->alt_summary, text_type_of(x, n, attrs, TEXT_PLAIN), base);
	} else if (is(name, "keywords")) {
		capture(x, F_ITEM_TAGS, NULL, TEXT_PLAIN, base);
	} else if (is(name, "category")) {
		capture(x, F_ITEM_TAG, NULL, TEXT_PLAIN, base);
	} else if (is(name, "title") && !d->title.set) {
		x->media_title = true;
		capture(x, F_DRAFT, &d->title, text_type_of(x, n, attrs, TEXT_PLAIN), base);
	}
	return C_SKIP;
}

/* Sets the frame's xml:base and xml:lang; a relative xml:base resolves against the one in scope. */
static int
scope(struct feed_parser *p, struct frame *f, const struct frame *parent, int n, const xmlChar **attrs)
{
	const char *v;
	size_t vlen;
	static const char xml_ns[] = "http://www.w3.org/XML/1998/namespace";
	const xmlChar **a;
	struct buf b;
	char *s;
	int r;

	f->base = parent != NULL ? parent->base : NULL;
	f->lang = parent != NULL ? parent->lang : NULL;
	f->own_base = false;
	f->own_lang = false;
	if (n == 0)
		return 0;
	a = attr_find(n, attrs, "base", xml_ns);
	if (a != NULL && (v = attr_decode(p->xml, a, &vlen)) != NULL) {
		buf_init(&b, ITEM_MAX_SHORT);
		r = url_resolve(f->base != NULL ? f->base : p->opts.base_url, v, vlen, &b);
		if (r == 0 && url_scheme_allowed(buf_str(&b), URL_FETCH)) {
			f->base = buf_take(&b, NULL);
			f->own_base = f->base != NULL;
		}
		buf_release(&b);
	}
	a = attr_find(n, attrs, "lang", xml_ns);
	if (a != NULL && a[4] - a[3] < 64) {
		s = strndup((const char *)a[3], (size_t)(a[4] - a[3]));
		if (s != NULL) {
			f->lang = s;
			f->own_lang = true;
		}
	}
	return 0;
}

static void
on_start(void *ctx, const xmlChar *name, const xmlChar *prefix, const xmlChar *uri, int nb_ns,
    const xmlChar **namespaces_, int nattrs, int nb_defaulted, const xmlChar **attrs)
{
	struct feed_parser *p = ctx;
	struct xml_state *x = p->xml;
	const struct frame *parent = x->depth > 0 ? &x->stack[x->depth - 1] : NULL;
	enum ctx pc = parent != NULL ? parent->ctx : C_TOP, c = C_SKIP;
	struct frame *f;
	const char *v;
	size_t vlen;
	enum ns ns;

	(void)prefix;
	(void)nb_ns;
	(void)namespaces_;
	(void)nb_defaulted;
	if (x->depth >= XML_STACK) {
		stop(p, -EBADMSG, "elements nested too deep at", name);
		return;
	}
	f = &x->stack[x->depth++];
	(void)scope(p, f, parent, nattrs, attrs);
	f->ctx = C_SKIP;

	ns = ns_of(x, uri);
	if (x->in_item && (ns == NS_CORE || ns == NS_ATOM) && (is(name, "item") || is(name, "entry"))) {
		/*
		 * An item inside an item: the previous one was never closed (libxml2's recovery closes the
		 * wrong element for a stray end tag). End it here, so one broken item costs no others.
		 */
		if (x->cap_depth != 0)
			finish_field(p, x, &x->stack[x->cap_depth - 1]);
		x->in_item = false;
		if (parser_emit(p) < 0) {
			xmlStopParser(x->ctxt);
			return;
		}
		pc = C_FEED;
	}
	if (x->cap_depth != 0) {
		/* Inside a captured field: markup for HTML and XHTML, nothing for plain text. */
		if (x->cap_markup)
			cap_start_tag(x, f, name, nattrs, attrs);
		return;
	}
	switch (pc) {
	case C_TOP:
		c = on_root(p, x, name, uri, ns, nattrs, attrs);
		break;
	case C_ROOT:
		if ((ns == NS_CORE || ns == NS_ATOM) && is(name, "channel"))
			c = C_FEED;
		else if ((ns == NS_CORE || ns == NS_ATOM) && (is(name, "item") || is(name, "image")))
			c = on_feed_child(p, x, name, ns, nattrs, attrs, f->base);	/* RSS 1.0 puts them here */
		break;
	case C_FEED:
		c = on_feed_child(p, x, name, ns, nattrs, attrs, f->base);
		break;
	case C_ITEM:
		c = on_item_child(p, x, name, ns, nattrs, attrs, f->base);
		break;
	case C_ITUNES_CAT:
		if (ns == NS_ITUNES && is(name, "category")) {
			if ((v = attr_value(x, nattrs, attrs, "text", &vlen)) != NULL)
				(void)add_tag(p, v, vlen);
			c = C_ITUNES_CAT;
		}
		break;
	case C_MEDIA:
		if (ns == NS_MEDIA)
			c = on_media(p, x, name, nattrs, attrs, f->base);
		break;
	case C_PERSON:
		if (is(name, "name"))
			capture(x, F_PERSON_NAME, NULL, TEXT_PLAIN, f->base);
		else if (is(name, "email"))
			capture(x, F_PERSON_EMAIL, NULL, TEXT_PLAIN, f->base);
		else if (is(name, "uri") || is(name, "url") || is(name, "homepage"))
			capture(x, F_PERSON_URI, NULL, TEXT_PLAIN, f->base);
		break;
	case C_IMAGE:
		if (is(name, "url"))
			capture(x, F_FEED_ICON, NULL, TEXT_PLAIN, f->base);
		break;
	case C_SKIP_HOURS:
		if (is(name, "hour"))
			capture(x, F_FEED_SKIP_HOUR, NULL, TEXT_PLAIN, f->base);
		break;
	case C_SKIP_DAYS:
		if (is(name, "day"))
			capture(x, F_FEED_SKIP_DAY, NULL, TEXT_PLAIN, f->base);
		break;
	case C_SOURCE:
		if (ns == NS_ATOM && is(name, "title") && !p->draft.source_name.set) {
			capture(x, F_DRAFT, &p->draft.source_name, text_type_of(x, nattrs, attrs, TEXT_PLAIN), f->base);
		} else if (ns == NS_ATOM && is(name, "link") && attr_is(x, nattrs, attrs, "rel", "self") &&
		    !p->draft.source_url.set && (v = attr_value(x, nattrs, attrs, "href", &vlen)) != NULL) {
			draft_text_begin(&p->draft.source_url, TEXT_PLAIN, f->base);
			draft_text_append(&p->draft.source_url, v, vlen);
		}
		break;
	default:
		break;
	}
	if (c == C_PERSON) {
		buf_clear(&x->person[0]);
		buf_clear(&x->person[1]);
		buf_clear(&x->person[2]);
	}
	if (c == C_FEED || c == C_ROOT) {
		if (f->lang != NULL)
			(void)parser_feed_language(p, f->lang, strlen(f->lang));
	}
	if (c == C_ITEM)
		f->item = ++x->items;
	if (c == C_ITEM && f->lang != NULL && !p->draft.language.set) {
		draft_text_begin(&p->draft.language, TEXT_PLAIN, NULL);
		draft_text_append(&p->draft.language, f->lang, strlen(f->lang));
	}
	f->ctx = c;
}

/* A whole number in [lo, hi] with nothing but white space around it; -1 when it is not one. */
static int64_t
small_number(const char *s, int64_t lo, int64_t hi)
{
	int64_t v = 0;
	bool digits = false;

	s += strspn(s, " \t\r\n");
	for (; *s >= '0' && *s <= '9'; s++) {
		digits = true;
		if ((v = v * 10 + (*s - '0')) > hi)
			return -1;
	}
	s += strspn(s, " \t\r\n");
	return digits && *s == '\0' && v >= lo ? v : -1;
}

/*
 * RSS <ttl> (minutes), sy:updatePeriod and sy:updateFrequency (RSS 1.0's syndication module:
 * hourly|daily|weekly|monthly|yearly, daily when only the frequency is given), <skipHours> and
 * <skipDays>: when the feed says it changes, for the poller's schedule. An unreadable value says
 * nothing.
 */
static void
on_poll_hint(struct feed *fd, struct xml_state *x, enum field which, const char *s)
{
	static const struct {
		const char	*name;
		int64_t		 seconds;
	} periods[] = {
		{ "hourly", 3600 }, { "daily", 86400 }, { "weekly", 7 * 86400 }, { "monthly", 30 * 86400 },
		{ "yearly", 365 * 86400 },
	};
	static const char *const days[] = {
		"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
	};
	int64_t v;
	size_t i, n = strspn(s, " \t\r\n"), len;

	s += n;
	for (len = strlen(s); len > 0 && strchr(" \t\r\n", s[len - 1]) != NULL; len--)
		;
	switch (which) {
	case F_FEED_TTL:
		if ((v = small_number(s, 1, 366 * 24 * 60)) > 0)
			x->ttl = v * 60;
		break;
	case F_FEED_SY_PERIOD:
		for (i = 0; i < sizeof(periods) / sizeof(periods[0]); i++)
			if (strlen(periods[i].name) == len && strncasecmp(s, periods[i].name, len) == 0)
				x->sy_period = periods[i].seconds;
		break;
	case F_FEED_SY_FREQUENCY:
		if ((v = small_number(s, 1, 1000000)) > 0)
			x->sy_frequency = v;
		break;
	case F_FEED_SKIP_HOUR:
		/* RSS 2.0 says 0-23; some feeds write 24 for midnight. */
		if ((v = small_number(s, 0, 24)) >= 0)
			fd->skip_hours |= 1u << (v % 24);
		break;
	case F_FEED_SKIP_DAY:
		for (i = 0; i < sizeof(days) / sizeof(days[0]); i++)
			if (strlen(days[i]) == len && strncasecmp(s, days[i], len) == 0)
				fd->skip_days |= (uint8_t)(1u << i);
		break;
	default:
		break;
	}
	v = x->sy_period != 0 || x->sy_frequency != 0 ?
	    (x->sy_period != 0 ? x->sy_period : 86400) / (x->sy_frequency != 0 ? x->sy_frequency : 1) : 0;
	fd->poll_every = x->ttl > v ? x->ttl : v;
}

/* itunes:duration: seconds, "MM:SS" or "HH:MM:SS"; -1 when unreadable. */
static int64_t
parse_duration(const char *s)
{
	int64_t t = 0, part;
	int fields = 0;

	while (*s == ' ' || *s == '\t' || *s == '\n')
		s++;
	do {
		if (*s < '0' || *s > '9' || ++fields > 3)
			return -1;
		for (part = 0; *s >= '0' && *s <= '9'; s++)
			if ((part = part * 10 + (*s - '0')) > 100000000)
				return -1;
		t = t * 60 + part;
	} while (*s == ':' && *++s != '\0');
	while (*s == ' ' || *s == '\t' || *s == '\n')
		s++;
	return *s == '\0' ? t : -1;
}

/* A captured field is complete: turn its text into the feed's or the item's value. */
static void
finish_field(struct feed_parser *p, struct xml_state *x, const struct frame *f)
{
	const char *s = buf_str(&x->scratch);
	size_t len = x->scratch.len;
	struct feed *fd = p->feed;
	int64_t t;
	int r = 0;

	switch (x->cap_field) {
	case F_ITEM_DATE_PUB:
		/* A later date of the same kind replaces an earlier one, as feedparser does. */
		if (date_parse(s, &t) == 0)
			p->draft.item.date_published = t;
		break;
	case F_ITEM_DATE_MOD:
		if (date_parse(s, &t) == 0)
			p->draft.item.date_modified = t;
		break;
	case F_ITEM_DATE_DC:
		/* dc:date is when the item last changed; RSS 1.0 has no other date, so it dates the item too. */
		if (date_parse(s, &t) == 0) {
			p->draft.item.date_modified = t;
			if (p->draft.item.date_published == DATE_NONE)
				p->draft.item.date_published = t;
		}
		break;
	case F_ITEM_AUTHOR:
		r = add_person_text(p, true, s, len, f->base);
		break;
	case F_ITEM_TAG:
		r = add_tag(p, s, len);
		break;
	case F_ITEM_DURATION:
		p->draft.duration = parse_duration(s);
		break;
	case F_ITEM_TAGS:
		/* <tags>one, two</tags> and itunes:keywords: a comma-separated list. */
		while (r == 0 && len > 0) {
			const char *comma = memchr(s, ',', len);
			size_t n = comma != NULL ? (size_t)(comma - s) : len;

			r = add_tag(p, s, n);
			s += comma != NULL ? n + 1 : n;
			len -= comma != NULL ? n + 1 : n;
		}
		break;
	case F_FEED_TITLE:
		r = parser_feed_text(p, &fd->title, s, len, x->cap_type);
		break;
	case F_FEED_LINK:
		r = parser_feed_url(p, &fd->home_page_url, f->base, s, len);
		break;
	case F_FEED_DESC:
		r = parser_feed_text(p, &fd->description, s, len, x->cap_type);
		break;
	case F_FEED_LANG:
		r = parser_feed_language(p, s, len);
		break;
	case F_FEED_ICON:
		r = parser_feed_url(p, &fd->icon, f->base, s, len);
		break;
	case F_FEED_FAVICON:
		r = parser_feed_url(p, &fd->favicon, f->base, s, len);
		break;
	case F_FEED_DATE:
		if (date_parse(s, &t) == 0 && fd->date_modified == DATE_NONE)
			fd->date_modified = t;
		break;
	case F_FEED_AUTHOR:
		r = add_person_text(p, false, s, len, f->base);
		break;
	case F_FEED_TTL:
	case F_FEED_SY_PERIOD:
	case F_FEED_SY_FREQUENCY:
	case F_FEED_SKIP_HOUR:
	case F_FEED_SKIP_DAY:
		on_poll_hint(fd, x, x->cap_field, s);
		break;
	case F_PERSON_NAME:
	case F_PERSON_EMAIL:
	case F_PERSON_URI:
		if (x->person[x->cap_field - F_PERSON_NAME].len == 0)
			r = buf_append(&x->person[x->cap_field - F_PERSON_NAME], s, len);
		break;
	default:
		break;
	}
	if (r == -ENOMEM)
		stop(p, r, "out of memory", NULL);
	x->cap_depth = 0;
	x->cap_field = F_NONE;
	x->cap_draft = NULL;
	x->cap_base64 = false;
}

static void
on_end(void *ctx, const xmlChar *name, const xmlChar *prefix, const xmlChar *uri)
{
	struct feed_parser *p = ctx;
	struct xml_state *x = p->xml;
	struct frame *f;
	int r;

	(void)prefix;
	(void)uri;
	if (x->depth == 0)
		return;
	f = &x->stack[x->depth - 1];
	if (x->cap_depth != 0 && x->depth > x->cap_depth) {
		if (x->cap_markup) {
			cap_append(x, "</", 2);
			cap_append(x, (const char *)name, strlen((const char *)name));
			cap_append(x, ">", 1);
		}
	} else if (x->cap_depth != 0) {
		if (x->cap_base64)
			base64_decode(x->cap_draft != NULL ? &x->cap_draft->raw : &x->scratch);
		finish_field(p, x, f);
	} else if (f->ctx == C_PERSON) {
		r = add_person(p, x->person_item, buf_str(&x->person[0]), x->person[0].len, buf_str(&x->person[1]),
		    x->person[1].len, buf_str(&x->person[2]), x->person[2].len, f->base);
		if (r < 0)
			stop(p, r, "out of memory", NULL);
	} else if (f->ctx == C_ITEM && x->in_item && f->item == x->items) {
		x->in_item = false;
		if (parser_emit(p) < 0)
			xmlStopParser(x->ctxt);
	}
	if (f->own_base)
		free((char *)f->base);
	if (f->own_lang)
		free((char *)f->lang);
	x->depth--;
}

static void
on_characters(void *ctx, const xmlChar *ch, int len)
{
	struct feed_parser *p = ctx;
	struct xml_state *x = p->xml;

	if (x->cap_depth == 0 || len <= 0)
		return;
	if (x->cap_type == TEXT_XHTML)
		cap_append_escaped(x, (const char *)ch, (size_t)len);
	else
		cap_append(x, (const char *)ch, (size_t)len);
}

int
xml_open(struct feed_parser *p)
{
	xmlSAXHandler sax;
	struct xml_state *x;
	int i;

	x = calloc(1, sizeof(*x));
	if (x == NULL)
		return -ENOMEM;
	xmlfix_init(&x->fix);
	buf_init(&x->fixed, PARSE_MAX_DOC);
	buf_init(&x->scratch, ITEM_MAX_FIELD);
	buf_init(&x->attr, ITEM_MAX_FIELD);
	for (i = 0; i < 3; i++)
		buf_init(&x->person[i], ITEM_MAX_SHORT);

	/*
	 * Defence in depth: even if something asked for an external entity, nothing would be loaded.
	 * The loader is libxml2's process-wide setting; setting it again on every open is idempotent.
	 */
	xmlSetExternalEntityLoader(deny_loader);
	memset(&sax, 0, sizeof(sax));
	sax.initialized = XML_SAX2_MAGIC;
	sax.startElementNs = on_start;
	sax.endElementNs = on_end;
	sax.characters = on_characters;
	sax.cdataBlock = on_characters;
	sax.entityDecl = on_entity_decl;
	sax.resolveEntity = on_resolve_entity;
	sax.serror = on_error;
	x->ctxt = xmlCreatePushParserCtxt(&sax, p, NULL, 0, NULL);
	if (x->ctxt == NULL) {
		free(x);
		return -ENOMEM;
	}
	/* Never NOENT, DTDLOAD, DTDATTR, DTDVALID, XINCLUDE or HUGE: see shared/security/REFERENCE.md §1. */
	(void)xmlCtxtUseOptions(x->ctxt, XML_PARSE_NONET | XML_PARSE_RECOVER |
	    XML_PARSE_IGNORE_ENC | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	p->xml = x;
	return 0;
}

int
xml_push(struct feed_parser *p, bool last)
{
	struct xml_state *x = p->xml;
	int r;

	buf_clear(&x->fixed);
	r = xmlfix_run(&x->fix, &p->utf8, last, &x->fixed);
	if (r < 0)
		return parser_fail(p, r, 0, 0, "out of memory");
	if (x->fix.changed)
		p->feed->recovered = true;
	if (x->fix.declares_entity) {
		/* Entities declared in a DOCTYPE are how XXE and billion-laughs attacks start: no feed needs them. */
		return parser_fail(p, -EBADMSG, x->fix.entity_line, x->fix.entity_col,
		    "document declares entities in its DOCTYPE, refused");
	}
	if (x->fixed.len > 0 || last)
		(void)xmlParseChunk(x->ctxt, buf_str(&x->fixed), (int)x->fixed.len, last);
	if (p->state == P_FAILED)
		return p->error;
	if (last && !x->seen_root) {
		char why[sizeof(p->err.msg)];

		(void)snprintf(why, sizeof(why), "%s", p->err.msg[0] != '\0' ? p->err.msg : "no root element");
		return parser_fail(p, -EBADMSG, p->err.line, p->err.column, "not a feed: %s", why);
	}
	return 0;
}

void
xml_close(struct feed_parser *p)
{
	struct xml_state *x = p->xml;
	int i;

	if (x == NULL)
		return;
	while (x->depth > 0) {
		struct frame *f = &x->stack[--x->depth];

		if (f->own_base)
			free((char *)f->base);
		if (f->own_lang)
			free((char *)f->lang);
	}
	if (x->ctxt != NULL && x->ctxt->myDoc != NULL)
		xmlFreeDoc(x->ctxt->myDoc);	/* a DTD libxml2 started while reading a DOCTYPE */
	xmlFreeParserCtxt(x->ctxt);
	buf_release(&x->fixed);
	buf_release(&x->scratch);
	buf_release(&x->attr);
	for (i = 0; i < 3; i++)
		buf_release(&x->person[i]);
	free(x->root_uri);
	free(x);
	p->xml = NULL;
}
