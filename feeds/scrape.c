/* scrape.c - an HTML page through XPath rules into items, and the feeds a page advertises. */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/HTMLtree.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "charset.h"
#include "date.h"
#include "escape.h"
#include "limits.h"
#include "normalize.h"
#include "sanitize.h"
#include "scrape.h"
#include "scrape_impl.h"
#include "text.h"
#include "url.h"

/*
 * No network, no DTD, no implied encoding switch (the page reaches libxml2 as UTF-8 already),
 * errors silent; html, head and body are implied so that rules like //body/... always work.
 */
#define PARSE_OPTIONS	(HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | \
			 HTML_PARSE_NONET | HTML_PARSE_NODEFDTD | HTML_PARSE_IGNORE_ENC | HTML_PARSE_COMPACT)
#define SNIFF_BYTES	4096		/* where a <meta charset> is looked for, and the encoding chosen */
#define DATE_TEXT_MAX	256		/* bytes of a date's text looked at */

/* Forms of dates pages print that date_parse() does not read, tried in order. */
static const char *const date_forms[] = {
	"%B %d, %Y %I:%M %p", "%B %d, %Y at %I:%M %p", "%B %d, %Y %H:%M", "%B %d, %Y",
	"%d %B %Y, %H:%M", "%d %B %Y %H:%M", "%d %B %Y", "%d. %B %Y",
	"%d.%m.%Y %H:%M", "%d.%m.%Y", "%Y/%m/%d %H:%M", "%Y/%m/%d", "%Y-%m-%d %H:%M",
	"%Y-%m-%d, %H:%M",
};

enum rule { R_NONE = -1, R_ITEM, R_TITLE, R_LINK, R_DATE, R_SUMMARY, R_CONTENT, R_IMAGE, R_AUTHOR, R_COUNT };

static const char *const rule_names[R_COUNT] = {
	"item", "title", "link", "date", "summary", "content", "image", "author",
};

static const char *
rule_text(const struct scrape_rules *r, enum rule k)
{
	const char *const all[R_COUNT] = {
		r->item, r->title, r->link, r->date, r->summary, r->content, r->image, r->author,
	};

	return all[k];
}

/* ---- decoding ---- */

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static const char *
find_ci(const char *p, const char *end, const char *needle)
{
	size_t n = strlen(needle);

	for (; (size_t)(end - p) >= n; p++)
		if (strncasecmp(p, needle, n) == 0)
			return p;
	return NULL;
}

/* The encoding name after "charset=" in a Content-Type value, into name. */
static bool
charset_param(const char *v, size_t n, char name[CHARSET_NAME_MAX])
{
	const char *end = v + n, *p;
	size_t len = 0;

	p = find_ci(v, end, "charset");
	if (p == NULL)
		return false;
	for (p += 7; p < end && is_space(*p); p++)
		;
	if (p == end || *p++ != '=')
		return false;
	while (p < end && (is_space(*p) || *p == '"' || *p == '\''))
		p++;
	while (p + len < end && len + 1 < CHARSET_NAME_MAX && !is_space(p[len]) && p[len] != '"' &&
	    p[len] != '\'' && p[len] != ';')
		len++;
	if (len == 0 || len + 1 >= CHARSET_NAME_MAX)
		return false;
	memcpy(name, p, len);
	name[len] = '\0';
	return true;
}

/*
 * The encoding a <meta charset> or <meta http-equiv="Content-Type" content="...; charset=...">
 * among the first n bytes declares (the HTML prescan, simplified), into name.
 */
static bool
meta_charset(const char *p, size_t n, char name[CHARSET_NAME_MAX])
{
	const char *end = p + n, *q = p, *an, *av;
	size_t anl, avl;
	bool http_equiv;
	char content[256];

	while ((q = find_ci(q, end, "<meta")) != NULL) {
		q += 5;
		http_equiv = false;
		content[0] = '\0';
		while (q < end && *q != '>') {
			while (q < end && (is_space(*q) || *q == '/'))
				q++;
			an = q;
			while (q < end && !is_space(*q) && *q != '=' && *q != '>' && *q != '/')
				q++;
			anl = (size_t)(q - an);
			while (q < end && is_space(*q))
				q++;
			av = q;
			avl = 0;
			if (q < end && *q == '=') {
				for (q++; q < end && is_space(*q); q++)
					;
				if (q < end && (*q == '"' || *q == '\'')) {
					av = ++q;
					while (q < end && *q != av[-1])
						q++;
					avl = (size_t)(q - av);
					if (q < end)
						q++;
				} else {
					av = q;
					while (q < end && !is_space(*q) && *q != '>')
						q++;
					avl = (size_t)(q - av);
				}
			}
			if (anl == 0 && q < end && *q != '>')
				q++;	/* a stray byte: move on */
			if (anl == 7 && strncasecmp(an, "charset", 7) == 0 && avl > 0 && avl < CHARSET_NAME_MAX) {
				memcpy(name, av, avl);
				name[avl] = '\0';
				while (avl > 0 && is_space(name[avl - 1]))
					name[--avl] = '\0';
				return avl > 0;
			}
			if (anl == 10 && strncasecmp(an, "http-equiv", 10) == 0 && avl == 12 &&
			    strncasecmp(av, "content-type", 12) == 0)
				http_equiv = true;
			if (anl == 7 && strncasecmp(an, "content", 7) == 0 && avl < sizeof(content)) {
				memcpy(content, av, avl);
				content[avl] = '\0';
			}
		}
		if (http_equiv && charset_param(content, strlen(content), name))
			return true;
	}
	return false;
}

void
scrape_silent(void *ctx, xmlErrorPtr e)
{
	(void)ctx;
	(void)e;
}

bool
scrape_is(const xmlNode *n, const char *name)
{
	return n != NULL && n->type == XML_ELEMENT_NODE && n->name != NULL &&
	    strcmp((const char *)n->name, name) == 0;
}

const char *
scrape_attr(const xmlNode *n, const char *name)
{
	const xmlAttr *a = xmlHasProp((xmlNodePtr)n, (const xmlChar *)name);

	if (a == NULL || a->children == NULL || a->children->next != NULL ||
	    (a->children->type != XML_TEXT_NODE && a->children->type != XML_CDATA_SECTION_NODE))
		return NULL;
	return (const char *)a->children->content;
}

static const xmlNode *
child_element(const xmlNode *n, const char *name)
{
	for (n = n != NULL ? n->children : NULL; n != NULL; n = n->next)
		if (scrape_is(n, name))
			return n;
	return NULL;
}

/* The page's <head>, where <base>, <title> and <meta> are looked for. */
static const xmlNode *
head_of(const struct page *pg)
{
	return child_element(xmlDocGetRootElement(pg->doc), "head");
}

/* Decodes, repairs and parses a page. 0, -ENOMEM. */
int
scrape_page_load(const char *data, size_t len, const struct parse_opts *o, struct page *pg)
{
	struct charset_decoder *dec = NULL;
	char meta[CHARSET_NAME_MAX];
	const char *charset = o->charset;
	htmlParserCtxtPtr ctxt = NULL;
	const xmlNode *n;
	const char *href;
	bool fallback = false, repaired = false;
	struct buf utf8, b;
	size_t n_ok;
	int r;

	memset(pg, 0, sizeof(*pg));
	buf_init(&utf8, 4 * (size_t)SCRAPE_MAX_PAGE);
	buf_init(&b, ITEM_MAX_SHORT);
	if (len > SCRAPE_MAX_PAGE) {
		len = SCRAPE_MAX_PAGE;
		pg->cut = true;
	}
	if (charset != NULL && *charset == '\0')
		charset = NULL;
	if (charset == NULL && meta_charset(data, len < SNIFF_BYTES ? len : SNIFF_BYTES, meta))
		charset = meta;
	if (charset == NULL)	/* no label: what browsers of the West guess for a legacy page */
		charset = text_utf8_valid(data, len) ? "UTF-8" : "windows-1252";
	r = charset_decoder_open(data, len < SNIFF_BYTES ? len : SNIFF_BYTES, charset, false, &dec, &fallback);
	if (r == 0)
		r = buf_reserve(&utf8, len + len / 8 + 16);
	if (r == 0)
		r = charset_decode(dec, data, len, true, &utf8, &repaired);
	if (r == -E2BIG || r == -EINVAL) {
		pg->cut = true;		/* what was decoded is read */
		r = 0;
	}
	if (r < 0)
		goto out;
	n_ok = html_safe_length(buf_str(&utf8), utf8.len);
	if (n_ok < utf8.len)
		pg->cut = true;

	xmlInitParser();
	ctxt = htmlNewParserCtxt();
	if (ctxt == NULL) {
		r = -ENOMEM;
		goto out;
	}
	ctxt->sax->serror = scrape_silent;
	ctxt->sax->error = NULL;
	ctxt->sax->warning = NULL;
	pg->doc = htmlCtxtReadMemory(ctxt, n_ok > 0 ? utf8.data : " ", n_ok > 0 ? (int)n_ok : 1, NULL, "UTF-8",
	    PARSE_OPTIONS);
	if (ctxt->errNo == XML_ERR_NO_MEMORY) {
		r = -ENOMEM;
		goto out;
	}
	if (ctxt->disableSAX != 0)
		pg->cut = true;		/* libxml2 stopped early: nesting deeper than it allows */
	if (pg->doc == NULL)	/* nothing libxml2 would make a document of: an empty one */
		pg->doc = htmlNewDocNoDtD(NULL, NULL);
	if (pg->doc == NULL) {
		r = -ENOMEM;
		goto out;
	}

	/* The first <base href> in the head, if http(s), is what relative URLs resolve against. */
	for (n = head_of(pg) != NULL ? head_of(pg)->children : NULL; n != NULL; n = n->next)
		if (scrape_is(n, "base") && (href = scrape_attr(n, "href")) != NULL)
			break;
	if (n != NULL && url_resolve(o->base_url, href, strlen(href), &b) == 0 &&
	    url_scheme_allowed(buf_str(&b), URL_FETCH)) {
		pg->base = strdup(buf_str(&b));
	} else {
		buf_clear(&b);
		if (o->base_url != NULL && url_resolve(NULL, o->base_url, strlen(o->base_url), &b) == 0)
			pg->base = strdup(buf_str(&b));
		else if (o->base_url != NULL)
			pg->base = strdup(o->base_url);
	}
	if (o->base_url != NULL && pg->base == NULL)
		r = -ENOMEM;
out:
	if (ctxt != NULL)
		htmlFreeParserCtxt(ctxt);
	charset_decoder_close(dec);
	buf_release(&utf8);
	buf_release(&b);
	return r;
}

void
scrape_page_release(struct page *pg)
{
	if (pg->doc != NULL)
		xmlFreeDoc(pg->doc);
	free(pg->base);
	memset(pg, 0, sizeof(*pg));
}

/* ---- text and markup out of the tree, bounded ---- */

static int
cmp_name(const void *key, const void *member)
{
	return strcmp(key, *(const char *const *)member);
}

static bool
in_set(const char *name, const char *const *set, size_t n)
{
	return bsearch(name, set, n, sizeof(*set), cmp_name) != NULL;
}

/* Elements whose content is never text or content: raw text, templates, fallbacks. */
static bool
is_hidden(const xmlNode *n)
{
	static const char *const names[] = { "noscript", "script", "style", "template" };

	return n->type == XML_ELEMENT_NODE && in_set((const char *)n->name, names, 4);
}

/* Elements whose boundaries separate words. */
static bool
is_block(const xmlNode *n)
{
	static const char *const names[] = {
		"address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption",
		"figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav",
		"ol", "p", "pre", "section", "table", "td", "th", "tr", "ul",
	};

	return n->type == XML_ELEMENT_NODE && in_set((const char *)n->name, names, sizeof(names) / sizeof(names[0]));
}

static bool
is_void(const xmlNode *n)
{
	static const char *const names[] = {
		"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
		"track", "wbr",
	};

	return in_set((const char *)n->name, names, sizeof(names) / sizeof(names[0]));
}

/* Appends at most what keeps out under limit bytes, cut at a character boundary; false once full. */
static bool
put(struct scrape *s, struct buf *out, size_t limit, const char *p, size_t n)
{
	size_t room = out->len < limit ? limit - out->len : 0;
	bool fits = n <= room;

	if (!fits) {
		n = room;
		while (n > 0 && ((unsigned char)p[n] & 0xC0) == 0x80)
			n--;
	}
	if (n > s->work) {
		n = s->work;
		fits = false;
		s->exhausted = true;
	}
	if (buf_append(out, p, n) == -ENOMEM)
		s->nomem = true;
	s->work -= n;
	return fits && !s->nomem;
}

/* One step of the budget; false when it ran out. */
static bool
step(struct scrape *s)
{
	if (s->work == 0) {
		s->exhausted = true;
		return false;
	}
	s->work--;
	return true;
}

/*
 * Appends the text top shows (an element, an attribute or text) to out, at most limit bytes:
 * text nodes in order, hidden elements skipped, block boundaries read as spaces.
 */
void
scrape_node_text(struct scrape *s, const xmlNode *top, struct buf *out, size_t limit)
{
	const xmlNode *n = top;
	bool down;

	if (top->type == XML_NAMESPACE_DECL)
		return;		/* an xmlNs, not an xmlNode: namespace::* selects them */
	for (;;) {
		if (!step(s))
			return;
		down = false;
		if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
			if (n->content != NULL && !put(s, out, limit, (const char *)n->content,
			    strlen((const char *)n->content)))
				return;
		} else if (n->type == XML_ELEMENT_NODE && !is_hidden(n)) {
			if (is_block(n) && !put(s, out, limit, " ", 1))
				return;
			down = n->children != NULL;
		} else if (n == top && (n->type == XML_ATTRIBUTE_NODE || n->type == XML_DOCUMENT_NODE ||
		    n->type == XML_HTML_DOCUMENT_NODE)) {
			down = n->children != NULL;
		}
		if (down) {
			n = n->children;
			continue;
		}
		while (n != top && n->next == NULL) {
			n = n->parent;
			if (n != top && is_block(n) && !put(s, out, limit, " ", 1))
				return;
		}
		if (n == top)
			return;
		n = n->next;
	}
}

static bool
put_escaped(struct scrape *s, struct buf *out, size_t limit, const char *p)
{
	struct buf *t = &s->tmp;

	buf_clear(t);
	if (escape_xml(t, p, strlen(p)) == -ENOMEM) {
		s->nomem = true;
		return false;
	}
	return put(s, out, limit, buf_str(t), t->len);
}

static bool
open_tag(struct scrape *s, const xmlNode *n, struct buf *out, size_t limit)
{
	const xmlAttr *a;
	const xmlNode *v;

	if (!put(s, out, limit, "<", 1) || !put(s, out, limit, (const char *)n->name, strlen((const char *)n->name)))
		return false;
	for (a = n->properties; a != NULL; a = a->next) {
		if (!step(s) || !put(s, out, limit, " ", 1) ||
		    !put(s, out, limit, (const char *)a->name, strlen((const char *)a->name)) ||
		    !put(s, out, limit, "=\"", 2))
			return false;
		for (v = a->children; v != NULL; v = v->next)
			if (v->content != NULL && !put_escaped(s, out, limit, (const char *)v->content))
				return false;
		if (!put(s, out, limit, "\"", 1))
			return false;
	}
	return put(s, out, limit, ">", 1);
}

static bool
close_tag(struct scrape *s, const xmlNode *n, struct buf *out, size_t limit)
{
	if (n->type != XML_ELEMENT_NODE)
		return true;
	return put(s, out, limit, "</", 2) && put(s, out, limit, (const char *)n->name, strlen((const char *)n->name)) &&
	    put(s, out, limit, ">", 1);
}

/*
 * Appends the markup of top (an element with its attributes and content, or text) to out, at most
 * limit bytes: re-serialized from the tree, hidden elements and comments left out. The sanitizer
 * decides the rest.
 */
void
scrape_node_html(struct scrape *s, const xmlNode *top, struct buf *out, size_t limit, scrape_skip_fn skip,
    void *ctx)
{
	const xmlNode *n = top;
	bool down;

	if (top->type == XML_NAMESPACE_DECL)
		return;
	for (;;) {
		if (!step(s))
			return;
		down = false;
		if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
			if (n->content != NULL && !put_escaped(s, out, limit, (const char *)n->content))
				return;
		} else if (n->type == XML_ELEMENT_NODE && !is_hidden(n) && (skip == NULL || n == top || !skip(n, ctx))) {
			if (!open_tag(s, n, out, limit))
				return;
			if (!is_void(n) && n->children == NULL && !close_tag(s, n, out, limit))
				return;
			down = !is_void(n) && n->children != NULL;
		} else if (n == top && n->type == XML_ATTRIBUTE_NODE) {
			down = n->children != NULL;
		}
		if (down) {
			n = n->children;
			continue;
		}
		while (n != top && n->next == NULL) {
			n = n->parent;
			if (!close_tag(s, n, out, limit))
				return;
		}
		if (n == top)
			return;
		n = n->next;
	}
}

/* ---- rules ---- */

/*
 * Evaluates a rule with node as the context. NULL when it failed: the XPath budget ran out
 * (s->exhausted), memory (s->nomem), or the expression does not apply (a type error).
 */
xmlXPathObjectPtr
scrape_eval(struct scrape *s, xmlXPathCompExprPtr e, xmlNodePtr node)
{
	xmlXPathObjectPtr o;

	xmlResetError(&s->xp->lastError);
	s->xp->node = node;
	s->xp->contextSize = 1;
	s->xp->proximityPosition = 1;
	o = xmlXPathCompiledEval(e, s->xp);
	if (o == NULL && s->xp->lastError.code == XPATH_OP_LIMIT_EXCEEDED)
		s->exhausted = true;
	else if (o == NULL && s->xp->lastError.code == XML_XPATH_MEMORY_ERROR)
		s->nomem = true;
	return o;
}

/* The node a field reads: an element may stand for one of its attributes. */
static const char *
node_attr_value(const xmlNode *n, enum rule k)
{
	const char *v = NULL;

	if (n->type != XML_ELEMENT_NODE)
		return NULL;
	if (scrape_is(n, "meta"))
		return scrape_attr(n, "content");
	switch (k) {
	case R_LINK:
		if (scrape_is(n, "a") || scrape_is(n, "area") || scrape_is(n, "link"))
			v = scrape_attr(n, "href");
		break;
	case R_IMAGE:
		if (scrape_is(n, "img") && (v = scrape_attr(n, "src")) == NULL)
			v = scrape_attr(n, "data-src");
		break;
	case R_DATE:
		if (scrape_is(n, "time"))
			v = scrape_attr(n, "datetime");
		break;
	default:
		break;
	}
	return v;
}

/*
 * The value of rule k for one item, appended to out (at most limit bytes): of the first node it
 * selects (every node, for content), or the string or number it gives. Returns whether it
 * matched (selected a node or gave a non-empty string).
 */
static bool
rule_value(struct scrape *s, enum rule k, xmlNodePtr item, struct buf *out, size_t limit)
{
	xmlXPathObjectPtr o;
	const xmlNode *n;
	const char *v;
	bool matched = false;
	char num[32];
	int i;

	if (s->comp[k] == NULL)
		return false;
	o = scrape_eval(s, s->comp[k], item);
	if (o == NULL)
		return false;
	switch (o->type) {
	case XPATH_NODESET:
		if (o->nodesetval == NULL || o->nodesetval->nodeNr == 0)
			break;
		matched = true;
		for (i = 0; i < o->nodesetval->nodeNr && !s->exhausted; i++) {
			n = o->nodesetval->nodeTab[i];
			if (k == R_CONTENT) {
				scrape_node_html(s, n, out, limit, NULL, NULL);
				continue;
			}
			v = node_attr_value(n, k);
			if (v != NULL)
				(void)put(s, out, limit, v, strlen(v));
			else if (n->type != XML_NAMESPACE_DECL)
				scrape_node_text(s, n, out, limit);
			break;
		}
		break;
	case XPATH_STRING:
		v = (const char *)o->stringval;
		matched = v != NULL && *v != '\0';
		if (matched)
			(void)put(s, out, limit, v, strlen(v));
		break;
	case XPATH_NUMBER:
		if (isfinite(o->floatval)) {
			(void)snprintf(num, sizeof(num), "%.15g", o->floatval);
			matched = put(s, out, limit, num, strlen(num));
		}
		break;
	default:
		break;
	}
	xmlXPathFreeObject(o);
	return matched;
}

/* The authors an item's author rule selects, one per node (or the string it gives), each name once. */
static int
authors(struct scrape *s, xmlNodePtr item, struct arena *a, struct person **ret)
{
	struct person *p, **tail = ret, *q;
	xmlXPathObjectPtr o;
	const xmlNode *n;
	const char *name, *v;
	size_t count = 0;
	int i, r = 0;

	if (s->comp[R_AUTHOR] == NULL)
		return 0;
	o = scrape_eval(s, s->comp[R_AUTHOR], item);
	if (o == NULL)
		return s->nomem ? -ENOMEM : 0;
	for (i = 0; r == 0 && count < PARSE_MAX_AUTHORS && !s->exhausted; i++) {
		buf_clear(&s->tmp);
		if (o->type == XPATH_STRING && i == 0 && o->stringval != NULL) {
			(void)put(s, &s->tmp, ITEM_MAX_SHORT, (const char *)o->stringval,
			    strlen((const char *)o->stringval));
		} else if (o->type == XPATH_NODESET && o->nodesetval != NULL && i < o->nodesetval->nodeNr) {
			n = o->nodesetval->nodeTab[i];
			v = node_attr_value(n, R_AUTHOR);
			if (v != NULL)
				(void)put(s, &s->tmp, ITEM_MAX_SHORT, v, strlen(v));
			else if (n->type != XML_NAMESPACE_DECL)
				scrape_node_text(s, n, &s->tmp, ITEM_MAX_SHORT);
		} else {
			break;
		}
		r = normalize_text(buf_str(&s->tmp), s->tmp.len, TEXT_PLAIN, ITEM_MAX_SHORT, a, &name);
		if (r < 0 || name == NULL)
			continue;
		for (q = *ret; q != NULL && strcmp(q->name, name) != 0; q = q->next)
			;
		if (q != NULL)
			continue;
		p = arena_zalloc(a, sizeof(*p));
		if (p == NULL) {
			r = -ENOMEM;
			break;
		}
		p->name = name;
		*tail = p;
		tail = &p->next;
		count++;
	}
	xmlXPathFreeObject(o);
	return r;
}

/* A date as a page prints it: by the source's pattern, else in any form we know. */
static int64_t
read_date(const char *s, const char *format)
{
	int64_t t;
	size_t i;

	if (format != NULL)
		return date_parse_format(s, format, &t) == 0 ? t : DATE_NONE;
	if (date_parse(s, &t) == 0)
		return t;
	for (i = 0; i < sizeof(date_forms) / sizeof(date_forms[0]); i++)
		if (date_parse_format(s, date_forms[i], &t) == 0)
			return t;
	return DATE_NONE;
}

/* The ids given so far, as 64-bit hashes in an open-addressing set. */
struct id_set {
	uint64_t	*keys;		/* 0: empty */
	size_t		 cap, len;
};

/* Adds h: 1 when new, 0 when there, -ENOMEM. */
static int
id_set_add(struct id_set *set, uint64_t h)
{
	uint64_t *keys;
	size_t i, j, cap;

	h += h == 0;
	if ((set->len + 1) * 2 > set->cap) {
		cap = set->cap != 0 ? set->cap * 2 : 64;
		keys = calloc(cap, sizeof(*keys));
		if (keys == NULL)
			return -ENOMEM;
		for (i = 0; i < set->cap; i++) {
			if (set->keys[i] == 0)
				continue;
			for (j = set->keys[i] & (cap - 1); keys[j] != 0; j = (j + 1) & (cap - 1))
				;
			keys[j] = set->keys[i];
		}
		free(set->keys);
		set->keys = keys;
		set->cap = cap;
	}
	for (i = h & (set->cap - 1); set->keys[i] != 0; i = (i + 1) & (set->cap - 1))
		if (set->keys[i] == h)
			return 0;
	set->keys[i] = h;
	set->len++;
	return 1;
}

/*
 * The stable id of a normalized item: its link's canonical form, else a hash of its title and
 * summary text (summary_text: the summary rule's text, cleaned). Content is left out: a page
 * changes it (counts of comments, "updated" lines) without the story being another.
 */
static int
stable_id(struct item *it, const char *summary_text, struct arena *a)
{
	struct buf b;
	char hash[40];
	uint64_t h;
	int r;

	if (it->url != NULL) {
		buf_init(&b, ITEM_MAX_SHORT);
		r = url_canonical(it->url, &b);
		if (r == 0)
			it->id = arena_strndup(a, b.data, b.len);
		else
			it->id = it->url;
		buf_release(&b);
		if (r == -ENOMEM || it->id == NULL)
			return -ENOMEM;
		return 0;
	}
	h = item_hash(ITEM_HASH_INIT, it->title);
	h = item_hash(h, summary_text);
	(void)snprintf(hash, sizeof(hash), "urn:wiredesk:%016" PRIx64, h);
	it->id = arena_strdup(a, hash);
	return it->id != NULL ? 0 : -ENOMEM;
}

static int
fail(struct scrape_error *err, int r, enum rule k, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
fail(struct scrape_error *err, int r, enum rule k, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL) {
		err->rule = k != R_NONE ? rule_names[k] : NULL;
		va_start(ap, fmt);
		(void)vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return r;
}

/* Feed-level fields from the page's head: title, language, description, home page. */
static int
page_fields(struct scrape *s, const struct parse_opts *o, struct feed *f)
{
	const xmlNode *root = xmlDocGetRootElement(s->page.doc), *head = head_of(&s->page), *n;
	const char *v;
	int r = 0;

	for (n = head != NULL ? head->children : NULL; r == 0 && n != NULL; n = n->next) {
		if (scrape_is(n, "title") && f->title == NULL) {
			buf_clear(&s->tmp);
			scrape_node_text(s, n, &s->tmp, ITEM_MAX_SHORT);
			r = normalize_text(buf_str(&s->tmp), s->tmp.len, TEXT_PLAIN, ITEM_MAX_SHORT, &f->arena, &f->title);
		} else if (scrape_is(n, "meta") && f->description == NULL && (v = scrape_attr(n, "name")) != NULL &&
		    strcasecmp(v, "description") == 0 && (v = scrape_attr(n, "content")) != NULL) {
			r = normalize_text(v, strlen(v), TEXT_PLAIN, SCRAPE_MAX_SUMMARY, &f->arena, &f->description);
		}
	}
	if (r == 0 && root != NULL && (v = scrape_attr(root, "lang")) != NULL)
		r = normalize_language(v, strlen(v), &f->arena, &f->language);
	if (r == 0 && o->base_url != NULL)
		r = normalize_url(NULL, o->base_url, strlen(o->base_url), URL_LINK, &f->arena, &f->home_page_url);
	return r;
}

/* Sets d's field t from rule k of the item: true when the rule matched. */
static bool
field(struct scrape *s, enum rule k, xmlNodePtr item, struct draft_text *t, enum text_type type, size_t limit)
{
	bool matched;

	buf_clear(&s->html);
	matched = rule_value(s, k, item, &s->html, limit);
	if (s->html.len > 0) {
		draft_text_begin(t, type, s->page.base);
		draft_text_append(t, s->html.data, s->html.len);
	}
	return matched;
}

/* One item node into d and then *ret; 0 with ret->id NULL when the item is empty, -ENOMEM. */
static int
scrape_item(struct scrape *s, xmlNodePtr node, struct item_draft *d, const struct normalize_ctx *nc,
    const char *date_format, struct arena *a, bool matched[R_COUNT], struct item *ret)
{
	const char *summary_text = NULL;
	struct item it;
	int r;

	item_draft_reset(d);
	item_init(ret);
	matched[R_TITLE] |= field(s, R_TITLE, node, &d->title, TEXT_PLAIN, 4 * ITEM_MAX_SHORT);

	/* The link, absolute and http(s) only, before normalize_item sees it. */
	buf_clear(&s->html);
	matched[R_LINK] |= rule_value(s, R_LINK, node, &s->html, ITEM_MAX_SHORT);
	if (s->html.len > 0) {
		buf_clear(&s->tmp);
		r = url_resolve(s->page.base, s->html.data, s->html.len, &s->tmp);
		if (r == -ENOMEM)
			return r;
		if (r == 0 && url_scheme_allowed(buf_str(&s->tmp), URL_FETCH)) {
			draft_text_begin(&d->link, TEXT_PLAIN, s->page.base);
			draft_text_append(&d->link, s->tmp.data, s->tmp.len);
		}
	}

	buf_clear(&s->html);
	matched[R_DATE] |= rule_value(s, R_DATE, node, &s->html, DATE_TEXT_MAX);
	if (s->html.len > 0) {
		buf_clear(&s->tmp);
		if (text_clean(s->html.data, s->html.len, &s->tmp) == -ENOMEM)
			return -ENOMEM;
		d->item.date_published = read_date(buf_str(&s->tmp), date_format);
	}
	matched[R_SUMMARY] |= field(s, R_SUMMARY, node, &d->description, TEXT_PLAIN, SCRAPE_MAX_SUMMARY);
	matched[R_CONTENT] |= field(s, R_CONTENT, node, &d->content, TEXT_HTML, ITEM_MAX_FIELD);
	matched[R_IMAGE] |= field(s, R_IMAGE, node, &d->image, TEXT_PLAIN, ITEM_MAX_SHORT);
	r = authors(s, node, a, &d->item.authors);
	if (r == 0 && d->item.authors != NULL)
		matched[R_AUTHOR] = true;
	if (r == 0 && s->nomem)
		r = -ENOMEM;
	if (r == 0)
		r = normalize_item(d, nc, a, &it);
	if (r < 0)
		return r;
	if (it.title == NULL && it.url == NULL && it.content_html == NULL && it.summary == NULL)
		return 0;
	if (d->description.raw.len > 0) {
		r = it.summary != NULL ? 0 : normalize_text(d->description.raw.data, d->description.raw.len,
		    TEXT_PLAIN, SCRAPE_MAX_SUMMARY, a, &summary_text);
		if (it.summary != NULL)
			summary_text = it.summary;
	}
	if (r == 0)
		r = stable_id(&it, summary_text, a);
	if (r == 0)
		*ret = it;
	return r;
}

int
scrape_page(const char *data, size_t len, const struct scrape_rules *rules, const struct parse_opts *o,
    struct feed *f, struct item_list *out, struct scrape_error *reterr)
{
	bool matched[R_COUNT] = { false };
	struct normalize_ctx nc = { 0 };
	struct sanitizer *san = NULL;
	struct id_set ids = { 0 };
	xmlXPathObjectPtr items = NULL;
	struct item_draft d;
	struct item_list tmp;
	struct scrape s;
	struct item it;
	const char *src;
	size_t i, n = 0, limit;
	int r = 0, k;

	if (reterr != NULL)
		memset(reterr, 0, sizeof(*reterr));
	if (out->len != 0)
		return -EINVAL;
	memset(&s, 0, sizeof(s));
	s.work = SCRAPE_MAX_WORK;
	buf_init(&s.html, ITEM_MAX_FIELD);
	buf_init(&s.tmp, ITEM_MAX_FIELD);
	item_list_init(&tmp);
	item_draft_init(&d);

	for (k = 0; k < R_COUNT; k++) {
		src = rule_text(rules, (enum rule)k);
		if (src == NULL && k <= R_LINK) {
			r = fail(reterr, -EINVAL, (enum rule)k, "rule %s is missing", rule_names[k]);
			goto out;
		}
	}
	r = scrape_page_load(data, len, o, &s.page);
	if (r < 0) {
		r = fail(reterr, r, R_NONE, "out of memory");
		goto out;
	}
	if (s.page.cut)
		f->recovered = true;
	s.xp = xmlXPathNewContext(s.page.doc);
	if (s.xp == NULL) {
		r = fail(reterr, -ENOMEM, R_NONE, "out of memory");
		goto out;
	}
	s.xp->error = scrape_silent;
	s.xp->opLimit = SCRAPE_MAX_XPATH_OPS;
	s.xp->opCount = 0;
	for (k = 0; k < R_COUNT; k++) {
		src = rule_text(rules, (enum rule)k);
		if (src == NULL)
			continue;
		s.comp[k] = xmlXPathCtxtCompile(s.xp, (const xmlChar *)src);
		if (s.comp[k] == NULL) {
			r = fail(reterr, -EINVAL, (enum rule)k, "rule %s '%.80s' is not an XPath expression",
			    rule_names[k], src);
			goto out;
		}
	}
	r = page_fields(&s, o, f);
	if (r < 0)
		goto out;

	items = scrape_eval(&s, s.comp[R_ITEM], (xmlNodePtr)s.page.doc);
	if (items == NULL && (s.nomem || s.exhausted)) {
		r = s.nomem ? fail(reterr, -ENOMEM, R_NONE, "out of memory") :
		    fail(reterr, -E2BIG, R_ITEM, "rule item '%.80s' is too costly on this page", rules->item);
		goto out;
	}
	if (items == NULL || items->type != XPATH_NODESET || items->nodesetval == NULL ||
	    items->nodesetval->nodeNr == 0) {
		r = fail(reterr, -EBADMSG, R_ITEM, "rule item '%.80s' selects nothing on the page", rules->item);
		goto out;
	}
	r = sanitizer_open(&san);
	if (r < 0)
		goto out;
	nc.feed_base = s.page.base;
	nc.feed_language = f->language;
	nc.now = o->now;
	nc.san = san;
	n = (size_t)items->nodesetval->nodeNr;
	limit = n < SCRAPE_MAX_ITEMS ? n : SCRAPE_MAX_ITEMS;
	for (i = 0; i < limit && !s.exhausted; i++) {
		if (items->nodesetval->nodeTab[i]->type == XML_NAMESPACE_DECL)
			continue;	/* no item: an xmlNs is no node to evaluate rules on */
		r = scrape_item(&s, items->nodesetval->nodeTab[i], &d, &nc, rules->date_format, &tmp.arena,
		    matched, &it);
		if (r < 0)
			goto out;
		if (it.id == NULL)
			continue;
		r = id_set_add(&ids, item_hash(ITEM_HASH_INIT, it.id));
		if (r == 1)
			r = item_list_add(&tmp, &it);
		if (r < 0)
			goto out;
	}
	f->items_dropped += n - i;
	if (s.exhausted)
		f->recovered = true;
	r = 0;
	/* Judged on the items read whole: a budget that ran out proves nothing about the rules. */
	if (!matched[R_TITLE] && !s.exhausted) {
		r = fail(reterr, -EBADMSG, R_TITLE, "rule title '%.80s' matches nothing in any of the %zu items",
		    rules->title, i);
		goto out;
	}
	if (!matched[R_LINK] && !s.exhausted) {
		r = fail(reterr, -EBADMSG, R_LINK, "rule link '%.80s' matches nothing in any of the %zu items",
		    rules->link, i);
		goto out;
	}
	item_list_move(out, &tmp);
out:
	if (r == -ENOMEM && reterr != NULL && reterr->msg[0] == '\0')
		(void)fail(reterr, r, R_NONE, "out of memory");
	if (r < 0)
		feed_release(f);
	xmlXPathFreeObject(items);
	for (k = 0; k < R_COUNT; k++)
		xmlXPathFreeCompExpr(s.comp[k]);
	xmlXPathFreeContext(s.xp);
	scrape_page_release(&s.page);
	sanitizer_close(san);
	free(ids.keys);
	item_draft_release(&d);
	item_list_release(&tmp);
	buf_release(&s.html);
	buf_release(&s.tmp);
	return r;
}

/* ---- autodiscovery ---- */

/* Whether the space-separated list of link types v holds word, in any case. */
static bool
has_token(const char *v, const char *word)
{
	size_t n = strlen(word), len;

	while (*v != '\0') {
		while (is_space(*v))
			v++;
		for (len = 0; v[len] != '\0' && !is_space(v[len]); len++)
			;
		if (len == n && strncasecmp(v, word, n) == 0)
			return true;
		v += len;
	}
	return false;
}

/* The feed type a MIME type names (parameters ignored); false for any other type. */
static bool
feed_type(const char *v, enum scrape_feed_type *ret)
{
	static const struct {
		const char		*name;
		enum scrape_feed_type	 type;
	} types[] = {
		{ "application/rss+xml", SCRAPE_RSS }, { "application/rdf+xml", SCRAPE_RSS },
		{ "application/atom+xml", SCRAPE_ATOM }, { "application/feed+json", SCRAPE_JSON },
		{ "application/json", SCRAPE_JSON },
	};
	size_t i, n;

	while (is_space(*v))
		v++;
	for (n = 0; v[n] != '\0' && v[n] != ';' && !is_space(v[n]); n++)
		;
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		if (strlen(types[i].name) == n && strncasecmp(v, types[i].name, n) == 0) {
			*ret = types[i].type;
			return true;
		}
	}
	return false;
}

const char *
scrape_feed_type_name(enum scrape_feed_type t)
{
	switch (t) {
	case SCRAPE_RSS:
		return "rss";
	case SCRAPE_ATOM:
		return "atom";
	default:
		return "json";
	}
}

int
scrape_discover(const char *data, size_t len, const struct parse_opts *o, scrape_feed_fn fn, void *ctx)
{
	struct scrape_feed feed;
	struct page pg;
	const xmlNode *n, *top;
	const char *rel, *type, *href, *title;
	struct buf url, name;
	uint64_t seen[SCRAPE_MAX_FEEDS], h;
	size_t nseen = 0, i, walked = 0;
	int r;

	r = scrape_page_load(data, len, o, &pg);
	if (r < 0)
		goto out;
	buf_init(&url, ITEM_MAX_SHORT);
	buf_init(&name, ITEM_MAX_SHORT);
	top = (const xmlNode *)pg.doc;
	/* Document order, the whole page: some sites put their <link>s in the body. */
	for (n = top->children; n != NULL && nseen < SCRAPE_MAX_FEEDS && walked < SCRAPE_MAX_WORK; walked++) {
		if (scrape_is(n, "link") && (rel = scrape_attr(n, "rel")) != NULL && has_token(rel, "alternate") &&
		    (type = scrape_attr(n, "type")) != NULL && feed_type(type, &feed.type) &&
		    (href = scrape_attr(n, "href")) != NULL) {
			buf_clear(&url);
			r = url_resolve(pg.base, href, strlen(href), &url);
			if (r == -ENOMEM)
				break;
			h = item_hash(ITEM_HASH_INIT, buf_str(&url));
			for (i = 0; i < nseen && seen[i] != h; i++)
				;
			if (r == 0 && url_scheme_allowed(buf_str(&url), URL_FETCH) && i == nseen) {
				seen[nseen++] = h;
				buf_clear(&name);
				title = scrape_attr(n, "title");
				r = title != NULL ? text_clean(title, strlen(title), &name) : 0;
				if (r < 0)
					break;
				feed.url = buf_str(&url);
				feed.title = name.len > 0 ? buf_str(&name) : NULL;
				r = fn(ctx, &feed);
				if (r != 0)
					break;
			}
			r = 0;
		}
		n = scrape_next(n, top, n->type == XML_ELEMENT_NODE && !is_hidden(n));
	}
	if (r == 0)
		r = (int)nseen;
	buf_release(&url);
	buf_release(&name);
out:
	scrape_page_release(&pg);
	return r;
}
