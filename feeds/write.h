/* write.h - the item model out as feed documents: RSS 2.0, Atom 1.0 and JSON Feed 1.1. */
#ifndef WIREDESK_WRITE_H
#define WIREDESK_WRITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "item.h"

enum write_format {
	WRITE_RSS,	/* RSS 2.0 with the content, dc and atom namespaces */
	WRITE_ATOM,	/* Atom 1.0 */
	WRITE_JSON,	/* JSON Feed 1.1 */
};

/* What a document needs that the feed model does not say. All optional. */
struct write_opts {
	const char	*self_url;	/* where the document is served: its self link; else the feed's feed_url */
	const char	*hub;		/* WebSub hub; else the feed's */
	int64_t		 now;		/* the date of a document or entry that has none (Atom requires one) */
	unsigned	 ttl;		/* RSS <ttl> in minutes; 0: none */
};

/*
 * A feed document written as items arrive, so a large feed never sits in memory whole: begin,
 * then one call per item, then end. Feed fields known when the first item comes are written before
 * the items, the rest after them (all three formats allow it). The same model and options give the
 * same bytes. Each call appends to out and returns 0, -ENOMEM or -E2BIG.
 */
struct feed_writer {
	enum write_format	 format;
	const struct write_opts	*opts;
	struct buf		*out;
	size_t			 items;		/* written so far */
	unsigned		 done;		/* feed fields already written, one bit each */
	bool			 open;		/* the document's head is written */
	int64_t			 latest;	/* the newest item date written, or DATE_NONE */
};

void	feed_writer_begin(struct feed_writer *w, enum write_format format, const struct write_opts *opts,
	    struct buf *out);
int	feed_writer_item(struct feed_writer *w, const struct feed *f, const struct item *it);
int	feed_writer_end(struct feed_writer *w, const struct feed *f);

/*
 * The "Also reported by" list that ends the HTML of a story several sources carry, appended to
 * html as markup the sanitizer keeps. Nothing when the item has no other source. 0 or -ENOMEM.
 */
int	write_also_html(struct buf *html, const struct item *it);

/* "rss", "atom" or "json" to a format: 0, or -EINVAL for any other name. */
int	write_format_parse(const char *name, enum write_format *ret);

#endif
