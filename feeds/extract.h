/* extract.h - the main content of an article page, by a content rule or by text density, sanitized. */
#ifndef WIREDESK_EXTRACT_H
#define WIREDESK_EXTRACT_H

#include <stddef.h>

#include "buf.h"
#include "parse.h"
#include "scrape.h"

#define EXTRACT_MIN_PARAGRAPH	25	/* characters a paragraph needs to count as article text */

/*
 * Appends to out the main content of an article page (len bytes, decoded and parsed as by
 * scrape_page(); o->base_url the page's URL), sanitized as feed content is, with relative URLs
 * resolved against the page's <base> and o->base_url.
 *
 * With content_rule (an XPath expression, from a source's content rule), the markup of every node
 * it selects. Otherwise a text-density heuristic: each paragraph (p, pre, td) of at least
 * EXTRACT_MIN_PARAGRAPH characters scores for its parent (fully) and grandparent (half), by its
 * commas and length; containers named like articles (article, content, entry, post, story, ...)
 * score more, those named like clutter (comments, share, social, related, newsletter, sidebar,
 * footer, nav, ad, cookie, ...) less, and a paragraph inside clutter or inside nav, aside,
 * footer, header or form scores nothing; the container with the best score, discounted by the
 * share of its text that is links, is the article. Out of it go the clutter inside it (share
 * widgets, "you may also like" and "read more" blocks, comment sections and their "Leave a Reply"
 * forms, ads, scripts) and short blocks whose text opens with such a phrase.
 *
 * Returns 0; -EBADMSG when the page has no article text, or the rule selects nothing (reterr
 * names the rule "content"); -EINVAL when content_rule is not XPath; -ENOMEM. An article larger
 * than out's room is cut to the longest prefix (halving) that fits. out is unchanged on error.
 * Bounded as scrape_page() is.
 */
int	extract_article(const char *data, size_t len, const struct parse_opts *o, const char *content_rule,
	    struct buf *out, struct scrape_error *reterr);

#endif
