/*
 * store.h - the daemon's state in SQLite: sources with their validators, schedule and health, the
 * per-host pauses, items and the stories they belong to, and the clusterer's saved state.
 *
 * One connection, used from the loop's thread only. WAL journal, synchronous=NORMAL (a crash loses
 * at most the last transactions, never consistency), a busy timeout, and a schema version with
 * migrations. A poll's results go in one transaction: store_begin(), the writes, store_commit().
 * Functions return 0 or a negative errno: -EIO for an SQLite error (its message is logged),
 * -ENOSPC when the disk is full, -ENOMEM.
 */
#ifndef WIREDESK_STORE_H
#define WIREDESK_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "buf.h"
#include "item.h"

#define STORE_SCHEMA_VERSION	5

struct store;

/*
 * What the daemon knows of one source between polls. Strings are in the arena given to
 * store_source_get(), or NULL; times are UTC milliseconds, 0 for never.
 */
struct source_state {
	const char	*url;		/* where it is polled: configured, or moved by a confirmed 301/308 */
	const char	*etag;		/* the validators of the last 200, each kept on its own */
	const char	*last_modified;
	uint64_t	 body_hash;	/* of the last body parsed: the same body again costs no parse */
	int64_t		 next_poll;
	int64_t		 interval;	/* the adapted interval; 0: not adapted yet */
	int64_t		 last_poll;	/* when the last poll ended */
	int64_t		 last_success;
	int64_t		 last_item;	/* when a new item last arrived, for the adaptive interval */
	int		 errors;	/* failures in a row: the backoff */
	int		 last_status;	/* HTTP status, or 0 for a transport error */
	const char	*last_error;
	const char	*moved_to;	/* a permanent redirect seen, not yet confirmed */
	int		 moved_count;	/* times in a row it was seen */
	bool		 retired;	/* 410 Gone: kept, never polled again */
	/* What the feed last asked of its schedule (struct feed: ttl and sy:update*, in ms here;
	 * skipHours, skipDays), kept because a 304 brings no body to read it from again. */
	int64_t		 feed_every;
	uint32_t	 skip_hours;
	uint8_t		 skip_days;
};

/*
 * Opens (creating, or migrating an older schema) the database at path. A database written by a
 * newer wiredesk is refused (-EPROTO). err gets a line on failure.
 */
int	store_open(struct store **ret, const char *path, char err[256]);
void	store_close(struct store *s);		/* NULL is fine; the last transaction must be ended */

int	store_begin(struct store *s);
int	store_commit(struct store *s);
void	store_rollback(struct store *s);	/* after a failed write; NULL-safe and idempotent */

/*
 * The state of source name, into *st with strings in a. A source seen for the first time, or
 * whose configured URL changed, starts afresh at config_url (no validators, due now).
 */
int	store_source_get(struct store *s, const char *name, const char *config_url, struct arena *a,
	    struct source_state *st);
int	store_source_put(struct store *s, const char *name, const struct source_state *st);

/* When requests to host may start again (a 429/503 Retry-After): 0 when not paused. */
int	store_host_paused(struct store *s, const char *host, int64_t *until);
int	store_host_pause(struct store *s, const char *host, int64_t until);

/* What store_item_put() did with an item. */
enum { STORE_ITEM_SAME, STORE_ITEM_NEW, STORE_ITEM_UPDATED, STORE_ITEM_KEPT_ARTICLE };

/*
 * Stores the item of source as the member of story. *changed is STORE_ITEM_NEW when it was not
 * stored yet, STORE_ITEM_UPDATED when it differs from what was stored (its content hash),
 * STORE_ITEM_KEPT_ARTICLE when it differs but its stored content is the article of the page it
 * still links to (store_item_content), which it keeps, and STORE_ITEM_SAME when nothing was
 * written (also for an item pruned that its feed still carries). now is when it was seen.
 */
int	store_item_put(struct store *s, const char *source, const struct item *it, uint64_t story,
	    int64_t now, int *changed);

/* The items of a story, earliest seen first, into out (strings in its arena). */
int	store_story_items(struct store *s, uint64_t story, struct item_list *out);

/* One stored item, as publishing sees it without reading its document. Strings live for the call. */
struct story_member {
	uint64_t	 story;
	const char	*source, *id, *url, *title, *summary;	/* url, title, summary may be NULL */
	int64_t		 first_seen, updated;	/* ms */
	int64_t		 date;			/* published (else modified), UTC seconds, or DATE_NONE */
};

/*
 * Every item of every story with an item updated at or after since (ms), story by story, earliest
 * seen first, through fn (which may stop the walk by returning non-zero: that is returned).
 */
int	store_recent(struct store *s, int64_t since, int (*fn)(void *ctx, const struct story_member *m),
	    void *ctx);

/* The item source/id onto out (strings in its arena); nothing when there is no such item. */
int	store_item_get(struct store *s, const char *source, const char *id, struct item_list *out);

/*
 * Replaces the content_html of the stored item source/id with html, the article read from the
 * page at url (fetched for a fulltext source), the rest of the item as it was. Its hash stays that
 * of the item as its feed gave it, so the same item in the feed again is no change; a change of
 * the item in its feed (store_item_put) keeps html while the item links to url, and puts the
 * feed's content back when it links elsewhere. Neither updated nor first_seen moves. 0; -ENOENT
 * when there is no such item (or it was pruned), or when it links to another page than url now.
 */
int	store_item_content(struct store *s, const char *source, const char *id, const char *html,
	    const char *url);

/* One past the highest story id any stored item has (pruned ones too), 0 when there is none. */
int	store_story_next(struct store *s, uint64_t *next);

/* Named blobs: the clusterer's state, say. A missing key leaves out empty and returns 0. */
int	store_blob_get(struct store *s, const char *key, struct buf *out);
int	store_blob_put(struct store *s, const char *key, const void *data, size_t len);

/*
 * Prunes items first seen before cutoff (ms): 0 and how many in *n. A pruned item keeps a small
 * row for 90 days more, so that a feed still carrying it does not bring it back as new.
 */
int	store_prune(struct store *s, int64_t cutoff, size_t *n);

/* Item and source counts, for logs and tests. */
int	store_count(struct store *s, const char *table, int64_t *n);

#endif
