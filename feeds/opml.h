/* opml.h - OPML subscription lists, read and written: the feeds of other readers, in and out. */
#ifndef WIREDESK_OPML_H
#define WIREDESK_OPML_H

#include <stddef.h>

#include "buf.h"

#define OPML_MAX_BYTES		(16u << 20)	/* a larger document is refused */
#define OPML_MAX_FOLDERS	16		/* folder names kept above an outline */

/* One subscription. Strings are NULL when absent and live only for the call they are given to. */
struct opml_outline {
	const char	*title;		/* text, else title */
	const char	*xml_url;	/* the feed */
	const char	*html_url;	/* the site */
	const char	*folders[OPML_MAX_FOLDERS];	/* the enclosing outlines' titles, outermost first */
	size_t		 nfolders;
	const char	*category;	/* OPML 2.0's comma-separated "/a/b,/c" */
};

typedef int (*opml_outline_fn)(void *ctx, const struct opml_outline *o);

/*
 * Calls fn for each outline with an xmlUrl, in document order; fn returning non-zero stops the
 * walk with that value. 0, -ENOMEM, or -EINVAL with a line saying what is wrong (not XML, not
 * OPML, a DOCTYPE declaring entities, over OPML_MAX_BYTES) in err.
 */
int	opml_read(const char *data, size_t len, opml_outline_fn fn, void *ctx, char err[256]);

/*
 * OPML 2.0 for n subscriptions: outlines with a first folder go inside an outline of that name
 * (folders in order of first use), every folder is also in category. 0, -ENOMEM or -E2BIG.
 */
int	opml_write(struct buf *out, const char *title, const struct opml_outline *o, size_t n);

#endif
