/*
 * sched.h - when to poll a source next: the politeness rules as pure functions of what a poll
 * returned, so that they can be tested alone. Times are UTC milliseconds.
 */
#ifndef WIREDESK_SCHED_H
#define WIREDESK_SCHED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SCHED_MAX_PAUSE		(24 * 3600 * 1000LL)	/* the longest Retry-After honoured */
#define SCHED_MOVED_CONFIRM	2	/* a 301/308 seen this many polls in a row moves a source */

/* The bounds a source is scheduled within: the daemon's, with the source's interval. */
struct sched_bounds {
	int64_t	interval;		/* the configured interval: where adaptation starts */
	int64_t	min_interval, max_interval;
};

/*
 * A Retry-After value (delay-seconds or an HTTP-date) as the time requests may start again,
 * clamped to [now + interval, now + SCHED_MAX_PAUSE]; -1 for a missing or unreadable value.
 */
int64_t	sched_retry_after(const char *v, int64_t now, int64_t interval);

/*
 * How long a response may be reused: Cache-Control s-maxage, else max-age, else Expires less now;
 * -1 when none says (or no-cache/no-store does), else milliseconds >= 0.
 */
int64_t	sched_fresh_for(const char *cache_control, const char *expires, int64_t now);

/*
 * The wait after errors failures in a row: the interval doubled per failure up to max_interval,
 * minus up to a quarter at random (rnd) so that sources failing together spread out.
 */
int64_t	sched_backoff(int errors, const struct sched_bounds *b, uint64_t rnd);

/*
 * The next interval of a source that answered: shorter when the poll brought new items, longer
 * when it did not, within the bounds; floor is the least the server asked for (its ttl,
 * Cache-Control), 0 when it said nothing.
 */
int64_t	sched_adapt(int64_t current, bool new_items, int64_t floor, const struct sched_bounds *b);

/* interval lengthened by up to 10 % at random (rnd): never shortened. */
int64_t	sched_jitter(int64_t interval, uint64_t rnd);

/*
 * The first time at or after when outside the UTC hours (bit h) and days (bit d, Sunday 0) a feed
 * asks to be skipped (RSS skipHours, skipDays). A feed that skips every hour, or every day, is
 * polled anyway: when comes back unchanged.
 */
#define SCHED_ALL_HOURS	0xffffffu
#define SCHED_ALL_DAYS	0x7fu
int64_t	sched_skip(int64_t when, uint32_t hours, uint8_t days);

/*
 * The sources waiting for their next poll, earliest first: a binary min-heap of (when, id) with
 * each id's place kept, so that a source is added, moved or taken out in O(log n). Ids are
 * 0 .. ids-1 (the poller's job indexes); the heap's memory is allocated once, by sched_heap_init.
 */
struct sched_heap {
	struct sched_due {
		int64_t		 when;
		uint32_t	 id;
	}		*e;
	uint32_t	*at;		/* id -> its index in e plus one; 0: not in the heap */
	size_t		 n, ids;
};

int	sched_heap_init(struct sched_heap *h, size_t ids);	/* 0; -ENOMEM; -EINVAL past UINT32_MAX ids */
void	sched_heap_free(struct sched_heap *h);
/* id due at when: added, or moved when it is in the heap already. */
void	sched_heap_set(struct sched_heap *h, uint32_t id, int64_t when);
/* id out of the heap (nothing when it is not in it). */
void	sched_heap_remove(struct sched_heap *h, uint32_t id);
/* The earliest: false when the heap is empty. */
bool	sched_heap_first(const struct sched_heap *h, uint32_t *id, int64_t *when);

/* A fresh random 64-bit value (splitmix64 over a seeded state). */
uint64_t	sched_random(void);

#endif
