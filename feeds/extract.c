/* extract.c - an article page's main content: its paragraphs, without the page's clutter. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "extract.h"
#include "limits.h"
#include "sanitize.h"
#include "scrape_impl.h"

#define PARAGRAPH_TEXT	4096	/* characters of a paragraph looked at */
#define CLUTTER_TEXT	160	/* a block with less text than this may be a clutter heading */
#define CANDIDATES_MAX	20000	/* containers scored; paragraphs past it are not counted */

/* Class and id words of clutter, whatever else the name says. */
static const char *const strong_clutter[] = {
	"ad", "ads", "advert", "advertisement", "comment", "comments", "cookie", "cookies", "disqus",
	"newsletter", "outbrain", "popup", "respond", "reply", "taboola",
};

/* Class and id words of clutter, unless the name also has an article word. */
static const char *const clutter[] = {
	"banner", "breadcrumb", "breadcrumbs", "footer", "masthead", "menu", "modal", "nav", "navigation",
	"popular", "promo", "related", "share", "sharing", "sidebar", "signup", "social", "sponsor",
	"sponsored", "subscribe", "tags", "widget",
};

/* Class and id words of article containers. */
static const char *const article_words[] = {
	"article", "blog", "body", "content", "entry", "main", "post", "story", "text",
};

/* Names whose words run together: "you-may-also-like", "read-more", "most-read", "sign-up". */
static const char *const clutter_phrases_in_names[] = {
	"also-like", "may-also", "read-more", "most-read", "more-stories", "sign-up", "author-bio",
	"recommended",
};

/* How a block of clutter opens, lower case. */
static const char *const clutter_openings[] = {
	"you may also like", "you might also like", "leave a reply", "leave a comment", "related",
	"read more", "more from", "recommended", "share this", "share on", "sign up", "subscribe",
	"most read", "advertisement", "comments",
};

struct candidate {
	const xmlNode	*node;
	double		 score;
};

struct extract {
	struct scrape		 s;
	struct candidate	*c;
	size_t			 n;
};


static bool
in_list(const char *w, size_t n, const char *const *list, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++)
		if (strlen(list[i]) == n && strncmp(w, list[i], n) == 0)
			return true;
	return false;
}

#define IN(w, n, list)	in_list(w, n, list, sizeof(list) / sizeof(list[0]))

/* Weighs the words of a class or id value: strong clutter -2, clutter -1 (0 beside an article word), article +1. */
static int
name_weight(const char *v)
{
	char low[256];
	size_t i, n, start;
	bool neg = false, pos = false, strong = false;

	if (v == NULL)
		return 0;
	for (n = 0; v[n] != '\0' && n + 1 < sizeof(low); n++)
		low[n] = (char)tolower((unsigned char)v[n]);
	low[n] = '\0';
	for (i = 0; i < sizeof(clutter_phrases_in_names) / sizeof(clutter_phrases_in_names[0]); i++)
		if (strstr(low, clutter_phrases_in_names[i]) != NULL)
			neg = true;
	for (i = 0; i <= n; i = start + 1) {
		for (start = i; start < n && isalnum((unsigned char)low[start]); start++)
			;
		if (start == i)
			continue;
		strong |= IN(low + i, start - i, strong_clutter);
		neg |= IN(low + i, start - i, clutter);
		pos |= IN(low + i, start - i, article_words);
	}
	if (strong)
		return -2;
	if (neg && !pos)
		return -1;
	return pos ? 1 : 0;
}

static int
weight(const xmlNode *n)
{
	int a = name_weight(scrape_attr(n, "class")), b = name_weight(scrape_attr(n, "id"));

	return a < 0 || b < 0 ? (a < b ? a : b) : a + b;
}

/* An element whose content is never the article. */
static bool
is_clutter(const xmlNode *n)
{
	static const char *const tags[] = {
		"aside", "button", "footer", "form", "header", "iframe", "input", "nav", "noscript", "object",
		"script", "select", "style", "svg", "template", "textarea",
	};
	const char *name = (const char *)n->name;

	if (n->type != XML_ELEMENT_NODE)
		return false;
	if (in_list(name, strlen(name), tags, sizeof(tags) / sizeof(tags[0])))
		return true;
	return weight(n) < 0;
}

static struct candidate *
candidate(struct extract *x, const xmlNode *n)
{
	struct candidate *c;
	size_t cap;
	int w;

	if (n == NULL || n->type != XML_ELEMENT_NODE)
		return NULL;
	if (n->_private != NULL)
		return &x->c[(uintptr_t)n->_private - 1];
	if (x->n == CANDIDATES_MAX)
		return NULL;
	if (x->n % 256 == 0) {
		cap = x->n + 256;
		c = realloc(x->c, cap * sizeof(*c));
		if (c == NULL) {
			x->s.nomem = true;
			return NULL;
		}
		x->c = c;
	}
	c = &x->c[x->n++];
	c->node = n;
	c->score = 0;
	if (scrape_is(n, "div") || scrape_is(n, "article") || scrape_is(n, "main") || scrape_is(n, "section"))
		c->score += 5;
	else if (scrape_is(n, "pre") || scrape_is(n, "td") || scrape_is(n, "blockquote"))
		c->score += 3;
	else if (scrape_is(n, "ul") || scrape_is(n, "ol") || scrape_is(n, "dl") || scrape_is(n, "form"))
		c->score -= 3;
	else if (n->name[0] == 'h' && n->name[1] >= '1' && n->name[1] <= '6' && n->name[2] == '\0')
		c->score -= 5;
	w = weight(n);
	c->score += w > 0 ? 25 : w < 0 ? -25 : 0;
	((xmlNode *)n)->_private = (void *)(uintptr_t)x->n;
	return c;
}

/* Whether n lies inside clutter (looking up to the body). */
static bool
in_clutter(const xmlNode *n)
{
	for (; n != NULL && n->type == XML_ELEMENT_NODE && !scrape_is(n, "body"); n = n->parent)
		if (is_clutter(n))
			return true;
	return false;
}

/* The number of characters (UTF-8 lead bytes) of the text n shows, at most max bytes looked at. */
static size_t
text_length(struct scrape *s, const xmlNode *n, size_t max, size_t *ret_commas)
{
	size_t i, len = 0, commas = 0;

	buf_clear(&s->html);
	scrape_node_text(s, n, &s->html, max);
	for (i = 0; i < s->html.len; i++) {
		len += ((unsigned char)s->html.data[i] & 0xC0) != 0x80 && s->html.data[i] != ' ' &&
		    s->html.data[i] != '\n' && s->html.data[i] != '\t';
		commas += s->html.data[i] == ',';
	}
	if (ret_commas != NULL)
		*ret_commas = commas;
	return len;
}

/* The share of n's text that is inside links. */
static double
link_density(struct extract *x, const xmlNode *top)
{
	const xmlNode *n = top;
	size_t total, links = 0;

	total = text_length(&x->s, top, ITEM_MAX_FIELD, NULL);
	if (total == 0)
		return 1.0;
	for (n = top->children; n != NULL && !x->s.exhausted; n = scrape_next(n, top, !scrape_is(n, "a") &&
	    n->type == XML_ELEMENT_NODE)) {
		if (scrape_is(n, "a"))
			links += text_length(&x->s, n, ITEM_MAX_FIELD, NULL);
	}
	return links >= total ? 1.0 : (double)links / (double)total;
}

/* Scores every paragraph's parent and grandparent; the best container, or NULL. */
static const xmlNode *
best_container(struct extract *x, const xmlNode *body)
{
	const xmlNode *n = body, *best = NULL;
	struct candidate *c;
	size_t len, commas, i;
	double score, top = 0;

	for (n = body->children; n != NULL && !x->s.exhausted && !x->s.nomem;) {
		if (n->type == XML_ELEMENT_NODE && (scrape_is(n, "p") || scrape_is(n, "pre") || scrape_is(n, "td")) &&
		    !in_clutter(n)) {
			len = text_length(&x->s, n, PARAGRAPH_TEXT, &commas);
			if (len >= EXTRACT_MIN_PARAGRAPH) {
				score = 1.0 + (double)commas + (len / 100 < 3 ? (double)(len / 100) : 3.0);
				if ((c = candidate(x, n->parent)) != NULL)
					c->score += score;
				if (n->parent != NULL && (c = candidate(x, n->parent->parent)) != NULL)
					c->score += score / 2;
			}
		}
		n = scrape_next(n, body, n->type == XML_ELEMENT_NODE && !is_clutter(n));
	}
	for (i = 0; i < x->n && !x->s.exhausted; i++) {
		score = x->c[i].score * (1.0 - link_density(x, x->c[i].node));
		if (best == NULL || score > top) {
			best = x->c[i].node;
			top = score;
		}
	}
	return top > 0 ? best : NULL;
}

/* A short block whose text opens like clutter: "You may also like", "Leave a Reply", "Share this". */
static bool
opens_like_clutter(struct scrape *s, const xmlNode *n)
{
	char low[64];
	const char *t;
	size_t i, len;

	if (!(scrape_is(n, "h1") || scrape_is(n, "h2") || scrape_is(n, "h3") || scrape_is(n, "h4") ||
	    scrape_is(n, "h5") || scrape_is(n, "h6") || scrape_is(n, "p") || scrape_is(n, "div") ||
	    scrape_is(n, "span") || scrape_is(n, "strong") || scrape_is(n, "section")))
		return false;
	buf_clear(&s->tmp);
	scrape_node_text(s, n, &s->tmp, CLUTTER_TEXT * 4);
	t = buf_str(&s->tmp);
	while (*t == ' ' || *t == '\n' || *t == '\t' || *t == '\r')
		t++;
	len = strlen(t);
	if (len >= CLUTTER_TEXT)
		return false;
	for (i = 0; i < len && i + 1 < sizeof(low); i++)
		low[i] = (char)tolower((unsigned char)t[i]);
	low[i] = '\0';
	for (i = 0; i < sizeof(clutter_openings) / sizeof(clutter_openings[0]); i++)
		if (strncmp(low, clutter_openings[i], strlen(clutter_openings[i])) == 0)
			return true;
	return false;
}

/* What the article's markup leaves out: clutter, and a list right after a clutter heading. */
static bool
skip(const xmlNode *n, void *ctx)
{
	struct extract *x = ctx;
	const xmlNode *prev;

	if (is_clutter(n) || opens_like_clutter(&x->s, n))
		return true;
	if (scrape_is(n, "ul") || scrape_is(n, "ol")) {
		for (prev = n->prev; prev != NULL && prev->type != XML_ELEMENT_NODE; prev = prev->prev)
			;
		if (prev != NULL && prev->name[0] == 'h' && opens_like_clutter(&x->s, prev))
			return true;
	}
	return false;
}

static int
fail(struct scrape_error *err, int r, const char *rule, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
fail(struct scrape_error *err, int r, const char *rule, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL) {
		err->rule = rule;
		va_start(ap, fmt);
		(void)vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return r;
}

/* Drops the white space around what was appended to out after start: the page's indentation. */
static void
trim(struct buf *out, size_t start)
{
	size_t i = start, end = out->len;

	while (i < end && (out->data[i] == ' ' || out->data[i] == '\n' || out->data[i] == '\t' || out->data[i] == '\r'))
		i++;
	while (end > i && (out->data[end - 1] == ' ' || out->data[end - 1] == '\n' || out->data[end - 1] == '\t' ||
	    out->data[end - 1] == '\r'))
		end--;
	if (i > start)
		memmove(out->data + start, out->data + i, end - i);
	buf_truncate(out, start + (end - i));
}

static const xmlNode *
body_of(const struct page *pg)
{
	const xmlNode *n;

	for (n = xmlDocGetRootElement(pg->doc); n != NULL && n->type == XML_ELEMENT_NODE; n = n->children) {
		if (scrape_is(n, "body"))
			return n;
		if (!scrape_is(n, "html"))
			break;
		for (n = n->children; n != NULL && !scrape_is(n, "body"); n = n->next)
			;
		return n;
	}
	return NULL;
}

int
extract_article(const char *data, size_t len, const struct parse_opts *o, const char *content_rule,
    struct buf *out, struct scrape_error *reterr)
{
	xmlXPathCompExprPtr comp = NULL;
	xmlXPathObjectPtr sel = NULL;
	const xmlNode *body, *top;
	size_t start = out->len, cut;
	struct extract x;
	int r, i;

	if (reterr != NULL)
		memset(reterr, 0, sizeof(*reterr));
	memset(&x, 0, sizeof(x));
	x.s.work = SCRAPE_MAX_WORK;
	buf_init(&x.s.html, ITEM_MAX_FIELD);
	buf_init(&x.s.tmp, ITEM_MAX_FIELD);
	r = scrape_page_load(data, len, o, &x.s.page);
	if (r < 0)
		goto out;
	buf_clear(&x.s.html);
	if (content_rule != NULL) {
		x.s.xp = xmlXPathNewContext(x.s.page.doc);
		if (x.s.xp == NULL) {
			r = -ENOMEM;
			goto out;
		}
		x.s.xp->error = scrape_silent;
		x.s.xp->opLimit = SCRAPE_MAX_XPATH_OPS;
		comp = xmlXPathCtxtCompile(x.s.xp, (const xmlChar *)content_rule);
		if (comp == NULL) {
			r = fail(reterr, -EINVAL, "content", "rule content '%.80s' is not an XPath expression",
			    content_rule);
			goto out;
		}
		sel = scrape_eval(&x.s, comp, (xmlNodePtr)x.s.page.doc);
		if (sel == NULL || sel->type != XPATH_NODESET || sel->nodesetval == NULL ||
		    sel->nodesetval->nodeNr == 0) {
			r = x.s.nomem ? -ENOMEM : fail(reterr, -EBADMSG, "content",
			    "rule content '%.80s' selects nothing on the page", content_rule);
			goto out;
		}
		for (i = 0; i < sel->nodesetval->nodeNr && !x.s.exhausted; i++)
			scrape_node_html(&x.s, sel->nodesetval->nodeTab[i], &x.s.html, ITEM_MAX_FIELD, NULL, NULL);
	} else {
		body = body_of(&x.s.page);
		top = body != NULL ? best_container(&x, body) : NULL;
		if (top == NULL) {
			r = x.s.nomem ? -ENOMEM : fail(reterr, -EBADMSG, NULL, "no article text found on the page");
			goto out;
		}
		buf_clear(&x.s.html);	/* best_container() measured text in it */
		scrape_node_html(&x.s, top, &x.s.html, ITEM_MAX_FIELD, skip, &x);
	}
	if (x.s.nomem) {
		r = -ENOMEM;
		goto out;
	}
	r = sanitize_html(buf_str(&x.s.html), x.s.html.len, x.s.page.base, out);
	while (r == -E2BIG && x.s.html.len > 1) {
		/* Markup that grows past out's room when sanitized: the longest prefix that fits. */
		for (cut = x.s.html.len / 2; cut > 0 && ((unsigned char)x.s.html.data[cut] & 0xC0) == 0x80; cut--)
			;
		buf_truncate(&x.s.html, cut);
		r = sanitize_html(buf_str(&x.s.html), x.s.html.len, x.s.page.base, out);
	}
	if (r == 0)
		trim(out, start);
	if (r == 0 && out->len == start)
		r = fail(reterr, -EBADMSG, content_rule != NULL ? "content" : NULL, "the article is empty once sanitized");
out:
	if (r == -ENOMEM && reterr != NULL && reterr->msg[0] == '\0')
		(void)fail(reterr, r, NULL, "out of memory");
	if (r < 0)
		buf_truncate(out, start);
	xmlXPathFreeObject(sel);
	xmlXPathFreeCompExpr(comp);
	xmlXPathFreeContext(x.s.xp);
	scrape_page_release(&x.s.page);
	free(x.c);
	buf_release(&x.s.html);
	buf_release(&x.s.tmp);
	return r;
}
