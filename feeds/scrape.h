/* scrape.h - items from an HTML page by XPath rules, and the feeds a page advertises (autodiscovery). */
#ifndef WIREDESK_SCRAPE_H
#define WIREDESK_SCRAPE_H

#include <stddef.h>
#include <stdint.h>

#include "item.h"
#include "parse.h"

#define SCRAPE_MAX_PAGE		(8u << 20)	/* bytes of a page read; the rest is cut */
#define SCRAPE_MAX_ITEMS	1000		/* items per page; the rest are dropped and counted */
#define SCRAPE_MAX_SUMMARY	(64u << 10)	/* bytes of an item's summary text */
#define SCRAPE_MAX_WORK		(64u << 20)	/* nodes visited and bytes copied out of one page */
#define SCRAPE_MAX_XPATH_OPS	50000000	/* libxml2 XPath steps for one page, all rules together */
#define SCRAPE_MAX_FEEDS	64		/* feeds a page may advertise; more are ignored */

/*
 * The XPath rules of an html source (DESIGN.md, "Configuration"). item selects the items, from the
 * document; the others are evaluated relative to each item. Each is NULL when not given; item,
 * title and link are required. date_format is a date_parse_format() pattern, not XPath.
 */
struct scrape_rules {
	const char	*item, *title, *link, *date, *date_format, *summary, *content, *image, *author;
};

struct scrape_error {
	const char	*rule;		/* "item", "title", ...: the rule at fault; NULL when none is */
	char		 msg[200];	/* what is wrong, lowercase, no final period */
};

/*
 * Reads an HTML page (len bytes, o->base_url its URL, o->charset the transport's charset or NULL)
 * by the rules into f (initialized by the caller) and the empty list out.
 *
 * The page is decoded by its byte order mark, else o->charset, else its <meta charset> (or
 * http-equiv Content-Type), else UTF-8 when it is valid UTF-8 and Windows-1252 when not, and
 * repaired to valid UTF-8; it is parsed by libxml2's HTML parser without network access. Bytes past
 * SCRAPE_MAX_PAGE are cut (f->recovered is set).
 *
 * Each node the item rule selects, in document order, becomes an item:
 *  - title, summary and author: the plain text of the first node matched (author: of each node,
 *    up to PARSE_MAX_AUTHORS), or the string the expression gives; a <meta> gives its content;
 *  - link: an <a>, <area> or <link> gives its href, any other node its text; resolved against the
 *    page's <base href> (itself resolved against o->base_url), else o->base_url; kept only when
 *    http or https (a javascript: link never becomes an item's url);
 *  - date: a <time> gives its datetime attribute when it has one, a <meta> its content, else the
 *    text; read by date_format when given, else in any form date_parse() knows, or a few forms
 *    pages use ("November 26, 2026", "26.11.2026 14:05"); absent (DATE_NONE) when unreadable;
 *  - content: the markup of every node matched, sanitized as feed content is (relative URLs
 *    against the page's base); without a content rule the summary is the content, as an RSS
 *    description is;
 *  - image: an <img> gives its src (else data-src), a <meta> its content, else the text;
 *  - id: the canonical form of the link (url_canonical), else a hash of the title and summary
 *    text, so an item that leaves the page and comes back keeps its id. An item whose id an
 *    earlier item of the page has already is dropped, as is an item with no title, link, summary
 *    or content.
 * Text, URLs and dates are normalized as normalize_item() does for feed items (o->now caps
 * future dates). f gets the page's <title>, <html lang>, meta description and o->base_url as its
 * home page.
 *
 * Bounded on hostile pages: at most SCRAPE_MAX_ITEMS items (more are counted in
 * f->items_dropped), per-field caps (ITEM_MAX_SHORT, SCRAPE_MAX_SUMMARY, ITEM_MAX_FIELD), and
 * SCRAPE_MAX_WORK and SCRAPE_MAX_XPATH_OPS for the whole page: past either, the items read so far
 * are kept, the rest dropped and counted, and f->recovered is set.
 *
 * Returns 0; -EBADMSG with reterr->rule set when the item rule selects nothing, or the title or
 * link rule matches nothing in any item; -EINVAL when a rule is missing or is not XPath (reterr
 * names it); -E2BIG when the item rule alone exceeds the XPath budget; -ENOMEM. On error out is
 * left empty and f released; -EINVAL when out was not empty.
 */
int	scrape_page(const char *data, size_t len, const struct scrape_rules *rules,
	    const struct parse_opts *o, struct feed *f, struct item_list *out, struct scrape_error *reterr);

enum scrape_feed_type { SCRAPE_RSS, SCRAPE_ATOM, SCRAPE_JSON };

/* A feed a page advertises. Strings live only for the call they are given to. */
struct scrape_feed {
	const char		*url;	/* absolute http(s) URL */
	enum scrape_feed_type	 type;
	const char		*title;	/* plain text, or NULL */
};

typedef int	(*scrape_feed_fn)(void *ctx, const struct scrape_feed *feed);

/*
 * Feed autodiscovery on a page (a fetched body or a saved file; decoded and parsed as by
 * scrape_page): calls fn for each <link rel="alternate"> whose type is RSS
 * (application/rss+xml, application/rdf+xml), Atom (application/atom+xml) or JSON Feed
 * (application/feed+json, application/json), with its href resolved against the page's <base>
 * and o->base_url, in document order, each URL once, at most SCRAPE_MAX_FEEDS. A link whose URL
 * is not http or https is skipped. fn returning non-zero stops the walk with that value.
 * Returns the number of feeds given to fn, or -ENOMEM.
 */
int	scrape_discover(const char *data, size_t len, const struct parse_opts *o, scrape_feed_fn fn, void *ctx);

/* "rss", "atom" or "json". */
const char	*scrape_feed_type_name(enum scrape_feed_type t);

#endif
