/* normalize.h - turns what a parser read (a draft) into a clean item: text, HTML, URLs, dates, a stable id. */
#ifndef WIREDESK_NORMALIZE_H
#define WIREDESK_NORMALIZE_H

#include <stdbool.h>
#include <stdint.h>

#include "arena.h"
#include "buf.h"
#include "item.h"
#include "sanitize.h"
#include "url.h"

enum text_type {
	TEXT_PLAIN,	/* the characters are the text */
	TEXT_HTML,	/* the characters are HTML markup (escaped or CDATA in the document) */
	TEXT_XHTML,	/* markup re-serialized from inline XHTML elements */
};

/* One text field as the document gave it, before any cleaning. */
struct draft_text {
	struct buf	 raw;	/* the characters, entities already decoded by the XML or JSON parser */
	struct buf	 base;	/* xml:base in scope where it appeared; empty when none was set */
	enum text_type	 type;
	bool		 set;	/* the element was present (it may be empty) */
};

/*
 * An item as a parser found it: raw text fields whose cleaning needs the whole item (HTML is
 * resolved against the item's link, which may come after it), plus the lists and dates the parser
 * already cleaned into the item arena. The bufs are reused from item to item.
 */
struct item_draft {
	struct draft_text	 id;		/* guid / id */
	struct draft_text	 link;		/* the permalink, as written */
	struct draft_text	 orig_link;	/* feedburner:origLink: the publisher's own URL */
	struct draft_text	 external_url;	/* JSON Feed external_url */
	struct draft_text	 title;
	struct draft_text	 content;	/* content:encoded, Atom content, xhtml:body, JSON content_html */
	struct draft_text	 description;	/* RSS description, Atom summary, JSON summary */
	struct draft_text	 alt_summary;	/* itunes:summary, media:description: used when nothing better exists */
	struct draft_text	 image;		/* media:thumbnail, itunes:image, JSON image */
	struct draft_text	 language;
	struct draft_text	 source_name;	/* RSS <source>: the channel the item came from */
	struct draft_text	 source_url;	/* and the URL of its feed */
	bool			 guid_is_link;	/* an RSS guid that may serve as the permalink */
	int64_t			 duration;	/* itunes:duration in seconds, for the first attachment; -1 */
	struct item		 item;		/* dates, authors, tags, attachments already final */
};

void	item_draft_init(struct item_draft *d);
void	item_draft_reset(struct item_draft *d);	/* empty for the next item, memory kept */
void	draft_text_reset(struct draft_text *t);	/* one field empty again, memory kept */
void	item_draft_release(struct item_draft *d);

/* Appends text to a draft field (at most ITEM_MAX_FIELD bytes are kept; the rest is dropped). */
void	draft_text_append(struct draft_text *t, const char *s, size_t len);
/* Marks t present and records its type and the base in scope (NULL or "": none). */
void	draft_text_begin(struct draft_text *t, enum text_type type, const char *base);

struct normalize_ctx {
	const char	*feed_base;	/* the document's URL (or its xml:base at the root); may be NULL */
	const char	*feed_language;	/* inherited when the item names none */
	int64_t		 now;		/* UTC seconds */
	struct sanitizer *san;		/* reused for every item's content; NULL: a new one each time */
};

/*
 * Fills *ret (its lists are taken from d->item) with d's fields cleaned: titles and summaries as
 * plain text, content as sanitized HTML resolved against xml:base, then the item's link, then the
 * feed; an RSS description or Atom summary becomes the content when there is no other, and the
 * summary is kept only beside separate content; URLs absolute with an allowed scheme; dates more
 * than a day after now replaced by now; id = guid, else link, else a hash of the content.
 * Strings go into a. Returns 0 or -ENOMEM.
 */
int	normalize_item(const struct item_draft *d, const struct normalize_ctx *c, struct arena *a,
	    struct item *ret);

/* Adds a tag (cleaned; dropped when empty, repeated or past PARSE_MAX_TAGS) to a list. 0 or -ENOMEM. */
int	normalize_add_tag(struct tag **list, struct arena *a, const char *s, size_t len);

/* Plain text of a field by its type (HTML tags removed) into a, NULL when it comes out empty. */
int	normalize_text(const char *s, size_t len, enum text_type type, size_t max, struct arena *a,
	    const char **ret);

/* A language tag, cleaned, with "_" read as "-"; NULL when empty. */
int	normalize_language(const char *s, size_t len, struct arena *a, const char **ret);

/* The absolute form of an URL as written, resolved against base; NULL when none or not allowed. */
int	normalize_url(const char *base, const char *s, size_t len, enum url_use use, struct arena *a,
	    const char **ret);

#endif
