/* scrape_impl.h - what scrape.c shares with extract.c: a page as a DOM, and bounded text and markup out of it. */
#ifndef WIREDESK_SCRAPE_IMPL_H
#define WIREDESK_SCRAPE_IMPL_H

#include <stdbool.h>
#include <stddef.h>

#include <libxml/HTMLparser.h>
#include <libxml/xpath.h>

#include "buf.h"
#include "parse.h"

/* A page made a document: decoded, repaired, parsed. */
struct page {
	htmlDocPtr	 doc;
	char		*base;		/* <base href> resolved against the page's URL, else that URL; may be NULL */
	bool		 cut;		/* bytes were lost: past SCRAPE_MAX_PAGE, or before a hostile tag */
};

/* One page being scraped. */
struct scrape {
	struct page		 page;
	xmlXPathContextPtr	 xp;
	xmlXPathCompExprPtr	 comp[8];	/* item, title, link, date, summary, content, image, author */
	size_t			 work;		/* what is left of SCRAPE_MAX_WORK */
	bool			 exhausted;	/* a budget ran out: stop after this item */
	bool			 nomem;
	struct buf		 html;		/* content markup, re-serialized */
	struct buf		 tmp;
};

/*
 * Decodes (BOM, o->charset, <meta charset>, else UTF-8 or Windows-1252), repairs and parses a page
 * into pg, bounded as scrape.h says, with pg->base its base URL. 0 or -ENOMEM; pg is released by
 * scrape_page_release() either way.
 */
int	scrape_page_load(const char *data, size_t len, const struct parse_opts *o, struct page *pg);
void	scrape_page_release(struct page *pg);

/* libxml2's error handler for pages: broken markup is the normal case, its messages are not wanted. */
void	scrape_silent(void *ctx, xmlErrorPtr e);

/* Whether n is an element of that (lower case) name. */
bool	scrape_is(const xmlNode *n, const char *name);

/* The value of attribute name when it is plain text, else NULL. */
const char	*scrape_attr(const xmlNode *n, const char *name);

/*
 * Appends the text top shows to out, at most limit bytes: hidden elements (script, style,
 * noscript, template) left out, block boundaries read as spaces. Each node and byte counts
 * against s->work; s->exhausted is set when it runs out, s->nomem on ENOMEM.
 */
void	scrape_node_text(struct scrape *s, const xmlNode *top, struct buf *out, size_t limit);

/* Whether an element below the top of scrape_node_html() is left out with everything in it. */
typedef bool	(*scrape_skip_fn)(const xmlNode *n, void *ctx);

/*
 * Appends the markup of top (re-serialized from the tree, hidden elements and comments left out,
 * and every element skip says to, when skip is not NULL) to out, at most limit bytes; counted as
 * scrape_node_text() counts.
 */
void	scrape_node_html(struct scrape *s, const xmlNode *top, struct buf *out, size_t limit, scrape_skip_fn skip,
	    void *ctx);

/*
 * The node after n in a walk of top's subtree in document order: n's first child when down and it
 * has one, else the next sibling of n or of its nearest ancestor below top; NULL at the end.
 */
static inline const xmlNode *
scrape_next(const xmlNode *n, const xmlNode *top, bool down)
{
	if (down && n->children != NULL)
		return n->children;
	while (n != top && n->next == NULL)
		n = n->parent;
	return n != top ? n->next : NULL;
}

/* Evaluates e with node as the context (s->xp must be set); NULL on failure (see s->exhausted, s->nomem). */
xmlXPathObjectPtr	scrape_eval(struct scrape *s, xmlXPathCompExprPtr e, xmlNodePtr node);

#endif
