/* item.h - the item model, shaped after JSON Feed 1.1: every parser fills it, every writer reads it. */
#ifndef WIREDESK_ITEM_H
#define WIREDESK_ITEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"

#define DATE_NONE	INT64_MIN	/* a date that is absent or could not be read */

enum feed_format {
	FEED_UNKNOWN = 0,
	FEED_RSS090,	/* RSS 0.90 and RSS 1.0: RDF */
	FEED_RSS091,	/* RSS 0.91 to 0.94 */
	FEED_RSS2,	/* RSS 2.0 (and <rss> without a version) */
	FEED_ATOM03,
	FEED_ATOM10,
	FEED_JSON10,
	FEED_JSON11,
};

/* All strings below are valid UTF-8 in NFC without control characters, or NULL: never "". */
struct person {
	const char	*name;		/* plain text */
	const char	*url;		/* absolute URL, or mailto: from an e-mail address */
	const char	*avatar;	/* absolute URL */
	struct person	*next;
};

struct tag {
	const char	*term;		/* plain text */
	struct tag	*next;
};

struct attachment {
	const char		*url;		/* absolute URL; an attachment without one is dropped */
	const char		*mime_type;
	const char		*title;
	int64_t			 size_in_bytes;	/* -1 when unknown */
	int64_t			 duration;	/* seconds; -1 when unknown */
	struct attachment	*next;
};

/* A source of an item: where it came from, or another source reporting the same story. */
struct source {
	const char	*name;		/* plain text: the source's name */
	const char	*url;		/* absolute URL of the item at that source */
	const char	*feed_url;	/* absolute URL of the source's feed */
	struct source	*next;
};

struct item {
	const char		*id;		/* stable: guid, else link, else a content hash */
	const char		*url;		/* absolute permalink */
	const char		*external_url;	/* the page an item links to, when it is not the item itself */
	const char		*title;		/* plain text */
	const char		*content_html;	/* sanitized HTML */
	const char		*summary;	/* plain text */
	const char		*image;		/* absolute URL */
	const char		*language;
	int64_t			 date_published;	/* UTC seconds, or DATE_NONE */
	int64_t			 date_modified;	/* UTC seconds, or DATE_NONE */
	struct person		*authors;
	struct tag		*tags;
	struct attachment	*attachments;
	struct source		*source;	/* the source it came from, or NULL */
	struct source		*also;		/* the other sources of the same story (dedup) */
	bool			 guid_is_link;	/* RSS guid without isPermaLink="false": it may serve as url */
};

struct feed {
	enum feed_format	 format;
	const char		*title;		/* plain text */
	const char		*home_page_url;
	const char		*feed_url;	/* rel="self" */
	const char		*hub;		/* WebSub hub */
	const char		*description;	/* plain text */
	const char		*icon;		/* large image */
	const char		*favicon;
	const char		*language;
	int64_t			 date_modified;	/* UTC seconds, or DATE_NONE */
	struct person		*authors;
	/* How often the feed asks to be polled: the larger of RSS <ttl> and sy:updatePeriod over
	 * sy:updateFrequency, in seconds (0: it does not say); and the UTC hours (bit h) and days
	 * (bit d, Sunday 0) of RSS <skipHours> and <skipDays>. */
	int64_t			 poll_every;
	uint32_t		 skip_hours;
	uint8_t			 skip_days;
	bool			 recovered;	/* the document was ill-formed; what could be read was kept */
	size_t			 items_dropped;	/* items past PARSE_MAX_ITEMS */
	struct arena		 arena;		/* feed-level strings */
};

#define ITEM_HASH_INIT	0xcbf29ce484222325ULL

/* FNV-1a of s (NULL hashes as "") and a separator, chained from h: for ids that must never change. */
uint64_t	item_hash(uint64_t h, const char *s);

/*
 * A 64-bit hash of n bytes, 8 at a time: to tell whether stored bytes changed (a body, an item's
 * document), never for identity. The same bytes give the same value in every run and version.
 */
uint64_t	item_hash_bytes(const void *p, size_t n);

void	item_init(struct item *it);		/* all absent; dates DATE_NONE */
void	feed_init(struct feed *f);		/* all absent; date DATE_NONE */
void	feed_release(struct feed *f);		/* frees the arena; f may be reused after feed_init */

/* An item list: a parsed document's items, all strings in one arena. */
struct item_list {
	struct item	*items;
	size_t		 len;
	size_t		 cap;
	struct arena	 arena;		/* the items' strings and lists */
};

void	item_list_init(struct item_list *l);
int	item_list_add(struct item_list *l, const struct item *it);	/* copies the struct, not the strings: 0 or -ENOMEM */
void	item_list_move(struct item_list *dst, struct item_list *src);	/* dst released first; src left empty */
void	item_list_release(struct item_list *l);

#endif
