/* write_impl.h - what the three writers share. Not for users of write.h. */
#ifndef WIREDESK_WRITE_IMPL_H
#define WIREDESK_WRITE_IMPL_H

#include <stdbool.h>

#include "write.h"

/* One function pair a format; write.c calls them. */
int	json_item(struct feed_writer *w, const struct feed *f, const struct item *it);
int	json_end(struct feed_writer *w, const struct feed *f);
int	rss_item(struct feed_writer *w, const struct feed *f, const struct item *it);
int	rss_end(struct feed_writer *w, const struct feed *f);
int	atom_item(struct feed_writer *w, const struct feed *f, const struct item *it);
int	atom_end(struct feed_writer *w, const struct feed *f);

/* A field not yet written: set its bit in w->done and say so. Bits are the format's own. */
bool	write_once(struct feed_writer *w, unsigned bit);

/* The document's self link: the options', else the feed's. */
const char *write_self(const struct feed_writer *w, const struct feed *f);
const char *write_hub(const struct feed_writer *w, const struct feed *f);

/* An item's newest date, for w->latest and Atom's <updated>: modified, else published, else DATE_NONE. */
int64_t	write_item_date(const struct item *it);

/* The document's date: the feed's, else the newest item's, else the options' now. */
int64_t	write_feed_date(const struct feed_writer *w, const struct feed *f);

/* True for an absolute http or https URL: the only links RSS allows. */
bool	write_is_web(const char *url);

/* A space, then name="value", value escaped. */
int	write_xml_attr(struct buf *out, const char *name, const char *value);

/* The item's picture as Media RSS: <media:thumbnail url="..."/>. */
int	write_xml_thumbnail(struct buf *out, const char *url);

/* <name>text</name>, text escaped; nothing when text is NULL. */
int	write_xml_element(struct buf *out, const char *name, const char *text);

/*
 * <name ATTRS>HTML</name> with the item's HTML (its content and the also-list) as CDATA, and
 * attrs (may be "") written as they are. Nothing when there is no HTML.
 */
int	write_xml_html(struct buf *out, const char *name, const char *attrs, const struct item *it);

/*
 * <name>text</name> where the element holds HTML but text is plain (RSS titles and descriptions):
 * escaped twice, once for HTML and once for XML, so a reader shows "a < b" and never a tag.
 */
int	write_xml_text_as_html(struct buf *out, const char *name, const char *text);

/* A date as RFC 3339 or RFC 822 into out; t must not be DATE_NONE. */
int	write_xml_date(struct buf *out, const char *name, int64_t t, bool rfc822);

#endif
