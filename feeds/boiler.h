/* boiler.h - boilerplate learnt per source: the sentences and lines a source repeats in its items. */
#ifndef WIREDESK_BOILER_H
#define WIREDESK_BOILER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/*
 * A lead text is cut into segments (lines and sentences), each named by a 64-bit hash of its words.
 * Each source keeps BOILER_COUNTERS counters (Misra-Gries: a segment in more than a 1/33 of the
 * source's segments is sure to hold one, and a count never exceeds the true one) of the items it
 * was seen in; an item counts for a segment only when it is of another story than the segment's
 * last item, so that a source's updates of one story under new ids teach nothing. A segment is
 * boilerplate once it has been seen in BOILER_MIN items and in at least 1/BOILER_SHARE of the
 * source's recent items: a sentence a busy source repeats in a handful of its hundreds of items (a
 * quote, a standard clause) stays content, and a young source's first BOILER_MIN items keep every
 * segment.
 */
#define BOILER_COUNTERS	32		/* segments counted a source */
#define BOILER_MIN	3		/* items a segment is seen in before it is boilerplate */
#define BOILER_SHARE	4		/* ... and at least 1/BOILER_SHARE of the source's recent items */
#define BOILER_SPAN	256		/* a source's counts are halved every this many of its items */
#define BOILER_DAYS	8		/* a source silent this many days is forgotten */
#define BOILER_SOURCES	(1u << 16)	/* sources learnt at most; later ones are not learnt */

struct boiler;

int	boiler_new(struct boiler **ret);	/* 0 or -ENOMEM */
void	boiler_free(struct boiler *b);		/* NULL is fine */

/*
 * Sets drop[i] for each seg[i] that is boilerplate of the source (a hash of its name), clears the
 * others. Returns how many were set. Changes nothing.
 */
size_t	boiler_check(const struct boiler *b, uint64_t source, const uint64_t *seg, size_t n, bool *drop);

/* Asks for the source's counts to be brought into the cache: boiler_check() and boiler_learn() follow. */
void	boiler_prefetch(const struct boiler *b, uint64_t source);

/*
 * Counts one item of the source: its segments (each hash once) and the story it joined. day is the
 * clock (UTC days), never going back: the first call of a new day forgets the sources silent for
 * BOILER_DAYS. 0, or -ENOMEM with b unchanged.
 */
int	boiler_learn(struct boiler *b, uint64_t source, int64_t day, const uint64_t *seg, size_t n,
	    uint64_t story);

size_t	boiler_memory(const struct boiler *b);	/* bytes held */
size_t	boiler_sources(const struct boiler *b);	/* sources learnt */

/*
 * The state as bytes appended to out (0, -ENOMEM, -E2BIG; out unchanged on error), and back into
 * an empty b: 0, -ENOMEM, or -EINVAL for bytes boiler_save did not write. *ret_used: the bytes read.
 */
int	boiler_save(const struct boiler *b, struct buf *out);
int	boiler_load(struct boiler *b, const void *data, size_t len, size_t *ret_used);

#endif
