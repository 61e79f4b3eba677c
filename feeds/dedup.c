/*
 * dedup.c - the story clusterer: each item joins the live story it belongs to, or starts one.
 *
 * Checks, cheapest first: the same source and id (an update); the same canonical URL; the same lead
 * text (SimHash of word shingles, boilerplate cut); a title close to a story's centroid. Titles are
 * normalized (NFKC, case folded, news prefixes and a trailing " - Publisher" removed, plurals
 * stemmed, stop words dropped) into hashed terms weighted by IDF over the items seen so far; a
 * story's centroid sums its items' unit vectors, capped to its heaviest terms. Candidates come from
 * an inverted index (term -> live stories) through the item's rarest terms, and a shared-term guard
 * keeps generic titles from merging on common words. Stories close a window after their first item.
 *
 * Memory is a few flat arrays: open-addressing maps of 64-bit keys, a term table, a pool of
 * postings, and a ring of stories in the order they began (which is the order they expire in).
 */
#define _DEFAULT_SOURCE	/* madvise() and MADV_HUGEPAGE, where the system has them */
#include <sys/mman.h>

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <utf8proc.h>

#include "boiler.h"
#include "date.h"
#include "dedup.h"
#include "limits.h"
#include "text.h"
#include "url.h"

#define MAX_TERMS	32		/* terms read from one title */
#define TITLE_MAX	1024		/* bytes of a title read */
#define PROBE_TERMS	8		/* an item's rarest terms whose postings give the candidates */
#define CONFIRM_MAX	2		/* candidates read and scored exactly, by their bounds from the postings */
#define POSTING_CAP	16		/* a term in more live stories than this is generic: not posted */
#define CENTROID_BASE	16		/* a story's centroid keeps 16 + 4 terms an item, up to 64 */
#define CENTROID_STEP	4
#define CENTROID_MAX	64
#define INLINE_TERMS	7		/* centroid terms kept in the story itself (a lone item's title) */
#define IDF_PRIOR	10000.0		/* pseudo-documents that keep IDF steady early in a stream */
#define GUARD_MASS	3.0		/* least specificity the shared terms must add up to */
#ifndef KEY_SHARE
#define KEY_SHARE	0.4		/* a lone shared term's least part of the centroid's norm */
#endif
#define DF_SPAN		(1u << 21)	/* items after which document frequencies are halved */
#define LEAD_WORDS	512		/* words of the lead text fingerprinted */
#define LEAD_SCAN	1024		/* words of it read, for the boilerplate to leave LEAD_WORDS */
#define LEAD_SEGS	64		/* lines and sentences of it learnt and dropped; the rest stays */
#define LEAD_MIN_WORDS	12		/* fewer say too little to call two texts copies */
#define NEAR_BITS	3		/* SimHash bits two copies may differ in */
#define SAVE_MAGIC	"WDDEDUP5"

/*
 * A map from 64-bit keys to 32-bit values: linear probing, backward-shift deletion. A slot keeps
 * 32 bits of its key (the tag, which also gives its home slot) and the value, 8 bytes: two keys are
 * taken for one about once in 10^9 look-ups, for items and URLs one wrong join in that many.
 */
struct map {
	uint64_t	*slot;		/* tag << 32 | value; 0: empty */
	size_t		 cap;		/* a power of two, or 0 */
	size_t		 len;
	unsigned	 shift;		/* 64 - log2(cap) */
};

struct term {
	uint64_t	 hash;		/* 0: a free slot */
	uint32_t	 df;		/* items that had it, halved every DF_SPAN items */
	uint32_t	 head;		/* its block of postings, while sf > 0; on the free list, the next free */
	uint32_t	 refs;		/* centroid entries that name it */
	uint16_t	 sf;		/* postings: live stories whose centroid has it (at most POSTING_CAP) */
	uint8_t		 cls;		/* the block's size class: 2 << cls postings */
};

/* A term's postings sit together in one block, so that reading them costs a cache line or two. */
struct posting {
	uint32_t	 story;		/* the story's id, low 32 bits */
	float		 w;		/* the term's weight in the story's centroid, kept current */
};

#define POST_CLASSES	4		/* blocks of 2, 4, 8 and 16 postings (POSTING_CAP) */

/* Blocks of one size, with a free list through their first posting's story. */
struct post_pool {
	struct posting	*p;
	size_t		 len, cap;	/* in blocks */
	uint32_t	 free;		/* a free block's index + 1, 0: none */
};

struct cterm {
	uint32_t	 term;		/* index into the term table; the top bit: posted */
	float		 w;
};
#define POSTED		0x80000000u
#define FRESH		0x40000000u	/* while a centroid is updated: not referenced yet */
#define CHANGED		0x20000000u	/* while a centroid is updated: its weight grew */
#define TERMS_MAX	CHANGED		/* term indices stay below the flags */

struct story {
	int64_t		 t0;		/* its first item's date: the window runs from there */
	int64_t		 rep_date;	/* its representative's */
	uint64_t	 simhash;	/* of its first lead text, when has_lead */
	int32_t		 rep_priority;
	uint32_t	 rep_key;	/* low bits of its representative's item key, to know its updates */
	uint32_t	 n;		/* items */
	float		 norm;		/* of the centroid */
	uint8_t		 len;		/* centroid terms */
	uint8_t		 cap;		/* room in c */
	uint8_t		 has_lead;
	struct cterm	*c;		/* in[] or the heap */
	struct cterm	 in[INLINE_TERMS];
};

#define STOP_SLOTS	512		/* a power of two, over twice the stop words */

/* What sources posted lately (see seen_get()). */
struct seen {
	uint64_t	*slot;		/* 40 bits of the key's hash, 24 bits of the day; 0: empty */
	size_t		 cap;		/* a power of two */
};

struct dedup {
	int64_t		 window;
	double		 threshold;
	bool		 explain;	/* write dedup_result.why */
	int64_t		 now;		/* the newest date seen */
	uint64_t	 n_items;	/* items seen, for IDF; halved with the frequencies */
	uint64_t	 first;		/* the oldest live story's id */
	uint64_t	 next;		/* the next story's id */
	size_t		 live_items;	/* items of the live stories */
	struct story	*ring;		/* story id & (ring_cap - 1) */
	float		*norms;		/* the centroids' norms, by the same index: read without the story */
	size_t		 ring_cap;
	struct term	*terms;
	size_t		 terms_len, terms_cap;
	uint32_t	 terms_free;	/* a free slot's index + 1 chained through head, 0: none */
	struct post_pool posts[POST_CLASSES];
	struct map	 term_of;	/* term hash -> index */
	struct map	 items;		/* hash of source and id -> story */
	struct map	 urls;		/* hash of canonical URL -> story */
	struct map	 leads;		/* SimHash band -> story */
	size_t		 heap;		/* bytes of centroids on the heap */
	struct buf	 norm, src;	/* scratch of dedup_add: the folded title and source name, the lead */
	struct seen	 seen;		/* see seen_get() */
	struct boiler	*boiler;	/* what each source repeats in its leads */
	char		**trailers;	/* folded markers that cut the lead, NULL-terminated */
	uint64_t	 trailer_first[256];	/* by byte: the markers that start with it, a bit each */
	uint64_t	 trailer_pair[65536 / 64];	/* by two bytes: a bit when a marker may start with them */
	uint64_t	 segs[LEAD_SEGS];	/* the lead's segments, to learn once the item's story is known */
	size_t		 nsegs;
	uint64_t	 stop[STOP_SLOTS];	/* the stop words' term hashes, see is_stop() */
	uint64_t	 spread[256];	/* by byte: its bit j in byte j, to count SimHash bits 8 at a time */
};

/* ---------------------------------------------------------------- memory */

#define HUGE_PAGE	((uintptr_t)2 << 20)

/*
 * Asks for huge pages under a big table that is read at random (the maps, the ring, the term
 * table, the postings): with 4 KiB pages nearly every look-up also misses the TLB, and the first
 * touch of each page faults. A hint only: where the system has no such pages, nothing changes.
 */
static void
huge_hint(void *p, size_t n)
{
#ifdef MADV_HUGEPAGE
	uintptr_t a = ((uintptr_t)p + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
	uintptr_t e = ((uintptr_t)p + n) & ~(HUGE_PAGE - 1);

	if (p != NULL && n >= 2 * HUGE_PAGE && e > a)
		(void)madvise((void *)a, e - a, MADV_HUGEPAGE);
#else
	(void)p;
	(void)n;
#endif
}

/*
 * What sources posted lately, for spotting series: a title a source posts again on another day
 * ("10 Things You Need To Know This Morning": the same day, a repeat is an update of one story),
 * and a label before a colon it has used before ("Morning Briefing: ..."). A direct-mapped cache of fixed size: an entry keeps 40 bits of its
 * key's hash and the day it was last seen, and a newer key in its slot replaces it.
 */
#define SEEN_MIN	(1u << 12)	/* slots at first */
#define SEEN_MAX	(1u << 20)	/* slots at most: 8 MB */
#define SEEN_DAYS	8		/* a series posts at least this often to be known as one */

/* True when key was seen within SEEN_DAYS before day, and on another day (before means before today). */
static bool
seen_before(const struct seen *c, uint64_t key, int64_t day)
{
	uint64_t v = c->slot[key & (c->cap - 1)];
	int64_t ago = day - (int64_t)(v & 0xffffff);

	return v != 0 && v >> 24 == key >> 24 && ago > 0 && ago <= SEEN_DAYS;
}

/* True when key is marked, on any day of the last SEEN_DAYS. */
static bool
seen_get(const struct seen *c, uint64_t key, int64_t day)
{
	uint64_t v = c->slot[key & (c->cap - 1)];

	return v != 0 && v >> 24 == key >> 24 && day - (int64_t)(v & 0xffffff) <= SEEN_DAYS;
}

static void
seen_put(struct seen *c, uint64_t key, int64_t day)
{
	c->slot[key & (c->cap - 1)] = (key >> 24) << 24 | ((uint64_t)day & 0xffffff);
}

/*
 * Doubles the cache while it has fewer slots than twice the live items, up to SEEN_MAX. What it
 * held is dropped (a slot keeps too few bits of its key to move): a cache may forget. 0 or -ENOMEM.
 */
static int
seen_grow(struct seen *c, size_t live)
{
	uint64_t *slot;
	size_t cap = c->cap;

	while (cap < SEEN_MAX && cap < 2 * live)
		cap *= 2;
	if (cap == c->cap)
		return 0;
	slot = calloc(cap, sizeof(*slot));
	if (slot == NULL)
		return -ENOMEM;
	free(c->slot);
	c->slot = slot;
	c->cap = cap;
	huge_hint(slot, cap * sizeof(*slot));
	return 0;
}

/* One title's terms while an item is decided. */
struct tterm {
	uint64_t	 hash;
	uint32_t	 term;		/* index, once known */
	float		 q;		/* weight in the unit vector */
	const char	*text;		/* for the explanation, in the normalized title */
	uint16_t	 len;
};

/* ---------------------------------------------------------------- hashing and the map */

static uint64_t
mix64(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h != 0 ? h : 1;		/* 0 marks an empty map slot */
}

static uint64_t
hash_bytes(uint64_t seed, const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL ^ seed;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ULL;
	}
	return mix64(h);
}

static uint64_t
map_tag(uint64_t k)
{
	return k >> 32 != 0 ? k >> 32 : 1;	/* never 0, which marks an empty slot */
}

static size_t
map_home(const struct map *m, uint64_t tag)
{
	return (size_t)((tag * 0x9e3779b97f4a7c15ULL) >> m->shift);
}

/* The value of key k into *ret; false when k is absent. */
static bool
map_get(const struct map *m, uint64_t k, uint32_t *ret)
{
	uint64_t tag = map_tag(k);
	size_t i;

	if (m->cap == 0)
		return false;
	for (i = map_home(m, tag); m->slot[i] != 0; i = (i + 1) & (m->cap - 1))
		if (m->slot[i] >> 32 == tag) {
			*ret = (uint32_t)m->slot[i];
			return true;
		}
	return false;
}

/*
 * Asks for the cache lines where a look-up of k starts, to read them later without waiting: two,
 * as a key that is absent (most are) is looked for up to an empty slot, a few slots on.
 */
static void
map_prefetch(const struct map *m, uint64_t k)
{
	size_t i;

	if (m->cap == 0)
		return;
	i = map_home(m, map_tag(k));
	__builtin_prefetch(&m->slot[i]);
	__builtin_prefetch(&m->slot[(i + 8) & (m->cap - 1)]);
}

static int
map_resize(struct map *m, size_t cap)
{
	struct map n = { calloc(cap, sizeof(uint64_t)), cap, m->len, 64 - (unsigned)__builtin_ctzll(cap) };
	size_t i, j;

	if (n.slot == NULL)
		return -ENOMEM;
	huge_hint(n.slot, cap * sizeof(uint64_t));
	for (i = 0; i < m->cap; i++) {
		if (m->slot[i] == 0)
			continue;
		for (j = map_home(&n, m->slot[i] >> 32); n.slot[j] != 0; j = (j + 1) & (cap - 1))
			;
		n.slot[j] = m->slot[i];
	}
	free(m->slot);
	*m = n;
	return 0;
}

static void
map_del_at(struct map *m, size_t i)
{
	size_t j = i, home;

	/* Backward shift: move up every later key of the run that may sit in the hole. */
	for (;;) {
		j = (j + 1) & (m->cap - 1);
		if (m->slot[j] == 0)
			break;
		home = map_home(m, m->slot[j] >> 32);
		if (((j - home) & (m->cap - 1)) >= ((j - i) & (m->cap - 1))) {
			m->slot[i] = m->slot[j];
			i = j;
		}
	}
	m->slot[i] = 0;
	m->len--;
}

static void
map_del(struct map *m, uint64_t k)
{
	uint64_t tag = map_tag(k);
	size_t i;

	if (m->cap == 0)
		return;
	for (i = map_home(m, tag); m->slot[i] != 0; i = (i + 1) & (m->cap - 1))
		if (m->slot[i] >> 32 == tag) {
			map_del_at(m, i);
			return;
		}
}

/* Inserts or replaces. With room made first, so a failure leaves m unchanged. 0 or -ENOMEM. */
static int
map_put(struct map *m, uint64_t k, uint32_t v)
{
	uint64_t tag = map_tag(k);
	size_t i;
	int r;

	if ((m->len + 1) * 4 > m->cap * 3 && (r = map_resize(m, m->cap != 0 ? m->cap * 2 : 64)) < 0)
		return r;
	for (i = map_home(m, tag); m->slot[i] != 0; i = (i + 1) & (m->cap - 1))
		if (m->slot[i] >> 32 == tag)
			break;
	if (m->slot[i] == 0)
		m->len++;
	m->slot[i] = tag << 32 | v;
	return 0;
}

static void
map_free(struct map *m)
{
	free(m->slot);
	memset(m, 0, sizeof(*m));
}

/* ---------------------------------------------------------------- stories */

static struct story *
story_at(const struct dedup *d, uint64_t id)
{
	return &d->ring[id & (d->ring_cap - 1)];
}

/* The live story a map value names, or 0 with *ret_id untouched when it has closed. */
static bool
live_story(const struct dedup *d, uint32_t v, uint64_t *ret_id)
{
	uint64_t id = d->first + (uint32_t)(v - (uint32_t)d->first);

	if (id >= d->next)
		return false;
	*ret_id = id;
	return true;
}

/* Drops the map entries of closed stories, so that a map follows the window. */
static int
map_sweep(struct dedup *d, struct map *m)
{
	uint64_t id;
	size_t i;

	for (i = 0; i < m->cap;) {
		if (m->slot[i] != 0 && !live_story(d, (uint32_t)m->slot[i], &id))
			map_del_at(m, i);	/* a later key may have moved into i: look again */
		else
			i++;
	}
	/* Entries that wrapped around past the end may have been shifted over already checked ones. */
	for (i = 0; i < m->cap; i++)
		if (m->slot[i] != 0 && !live_story(d, (uint32_t)m->slot[i], &id))
			map_del_at(m, i--);
	return m->cap > 1024 && m->len * 8 < m->cap ? map_resize(m, m->cap / 2) : 0;
}

static uint32_t
term_of(const struct cterm *c)
{
	return c->term & ~(POSTED | FRESH | CHANGED);
}

static void
term_release(struct dedup *d, uint32_t t)
{
	struct term *tm = &d->terms[t];

	if (--tm->refs > 0 || tm->df > 0)
		return;
	map_del(&d->term_of, tm->hash);
	tm->hash = 0;
	tm->head = d->terms_free;
	d->terms_free = t + 1;
}

static struct posting *
postings(const struct dedup *d, const struct term *tm)
{
	return &d->posts[tm->cls].p[(size_t)tm->head << (tm->cls + 1)];
}

/* A block of class c: its index, or -ENOMEM. */
static int64_t
block_new(struct dedup *d, unsigned c)
{
	struct post_pool *pp = &d->posts[c];
	struct posting *p;
	size_t cap, i;

	if (pp->free != 0) {
		i = pp->free - 1;
		pp->free = pp->p[i << (c + 1)].story;
		return (int64_t)i;
	}
	if (pp->len == pp->cap) {
		cap = pp->cap != 0 ? pp->cap + pp->cap / 2 : 256;	/* by halves: these pools are big */
		if (cap > UINT32_MAX / 2 || (p = realloc(pp->p, (cap << (c + 1)) * sizeof(*p))) == NULL)
			return -ENOMEM;
		pp->p = p;
		pp->cap = cap;
		huge_hint(p, (cap << (c + 1)) * sizeof(*p));
	}
	return (int64_t)pp->len++;
}

static void
block_free(struct dedup *d, unsigned c, uint32_t i)
{
	d->posts[c].p[(size_t)i << (c + 1)].story = d->posts[c].free;
	d->posts[c].free = i + 1;
}

static int
post(struct dedup *d, uint32_t t, uint64_t story, float w)
{
	struct term *tm = &d->terms[t];
	struct posting *p;
	int64_t b;

	if (tm->sf >= POSTING_CAP)
		return -EINVAL;		/* a saved state that posts a term too often */
	if (tm->sf == 0 || tm->sf == 2u << tm->cls) {
		b = block_new(d, tm->sf == 0 ? 0 : tm->cls + 1u);
		if (b < 0)
			return (int)b;
		tm = &d->terms[t];
		if (tm->sf == 0) {
			tm->cls = 0;
		} else {
			memcpy(&d->posts[tm->cls + 1].p[(size_t)b << (tm->cls + 2)], postings(d, tm),
			    tm->sf * sizeof(*p));
			block_free(d, tm->cls, tm->head);
			tm->cls++;
		}
		tm->head = (uint32_t)b;
	}
	p = postings(d, tm);
	p[tm->sf].story = (uint32_t)story;
	p[tm->sf].w = w;
	tm->sf++;
	return 0;
}

/* The term's posting of the story, or NULL. */
static struct posting *
posting_of(struct dedup *d, const struct term *tm, uint64_t story)
{
	struct posting *p;
	unsigned i;

	if (tm->sf == 0)
		return NULL;
	p = postings(d, tm);
	for (i = 0; i < tm->sf; i++)
		if (p[i].story == (uint32_t)story)
			return &p[i];
	return NULL;
}

/* The term's posting of the story takes its new weight. */
static void
repost(struct dedup *d, uint32_t t, uint64_t story, float w)
{
	struct posting *p = posting_of(d, &d->terms[t], story);

	if (p != NULL)
		p->w = w;
}

static void
unpost(struct dedup *d, uint32_t t, uint64_t story)
{
	struct term *tm = &d->terms[t];
	struct posting *p = posting_of(d, tm, story);

	if (p == NULL)
		return;
	*p = postings(d, tm)[--tm->sf];	/* the order of a term's postings means nothing */
	if (tm->sf == 0)
		block_free(d, tm->cls, tm->head);
}

static uint64_t
band_key(unsigned band, uint64_t simhash)
{
	return mix64(((uint64_t)band << 16 | (simhash >> (16 * band) & 0xffff)) + 0x9e3779b97f4a7c15ULL);
}

static void
story_close(struct dedup *d, uint64_t id)
{
	struct story *s = story_at(d, id);
	const struct term *tm;
	uint32_t v;
	unsigned i;

	/* Random reads, asked for together: the terms, then their postings. */
	for (i = 0; s->has_lead && i < 4; i++)
		map_prefetch(&d->leads, band_key(i, s->simhash));
	for (i = 0; i < s->len; i++)
		__builtin_prefetch(&d->terms[term_of(&s->c[i])]);
	for (i = 0; i < s->len; i++)
		if (s->c[i].term & POSTED && (tm = &d->terms[term_of(&s->c[i])])->sf > 0)
			__builtin_prefetch(postings(d, tm));
	for (i = 0; i < s->len; i++) {
		if (s->c[i].term & POSTED)
			unpost(d, term_of(&s->c[i]), id);
		term_release(d, term_of(&s->c[i]));
	}
	for (i = 0; s->has_lead && i < 4; i++)
		if (map_get(&d->leads, band_key(i, s->simhash), &v) && v == (uint32_t)id)
			map_del(&d->leads, band_key(i, s->simhash));
	if (s->c != s->in) {
		d->heap -= s->cap * sizeof(*s->c);
		free(s->c);
	}
	d->live_items -= s->n;
	memset(s, 0, sizeof(*s));
	d->norms[id & (d->ring_cap - 1)] = 0;
}

static void
expire(struct dedup *d)
{
	while (d->first < d->next && story_at(d, d->first)->t0 + d->window < d->now)
		story_close(d, d->first++);
}

/* Room for one more story in the ring. 0 or -ENOMEM. */
static int
ring_room(struct dedup *d)
{
	struct story *ring;
	float *norms;
	size_t cap;
	uint64_t id;

	if (d->next - d->first < d->ring_cap)
		return 0;
	cap = d->ring_cap != 0 ? d->ring_cap * 2 : 256;
	ring = calloc(cap, sizeof(*ring));
	norms = calloc(cap, sizeof(*norms));
	if (ring == NULL || norms == NULL) {
		free(ring);
		free(norms);
		return -ENOMEM;
	}
	for (id = d->first; id < d->next; id++) {
		norms[id & (cap - 1)] = d->norms[id & (d->ring_cap - 1)];
		ring[id & (cap - 1)] = *story_at(d, id);
		if (story_at(d, id)->c == story_at(d, id)->in)
			ring[id & (cap - 1)].c = ring[id & (cap - 1)].in;
	}
	free(d->ring);
	free(d->norms);
	d->ring = ring;
	d->norms = norms;
	d->ring_cap = cap;
	huge_hint(ring, cap * sizeof(*ring));
	huge_hint(norms, cap * sizeof(*norms));
	return 0;
}

/* ---------------------------------------------------------------- terms */

/* The index of the term with this hash, made when new. -ENOMEM, else the index. */
static int64_t
term_get(struct dedup *d, uint64_t hash)
{
	struct term *t;
	uint32_t i;
	size_t cap;
	int r;

	if (map_get(&d->term_of, hash, &i))
		return i;
	if (d->terms_free != 0) {
		i = d->terms_free - 1;
		d->terms_free = d->terms[i].head;
	} else {
		if (d->terms_len == d->terms_cap) {
			cap = d->terms_cap != 0 ? d->terms_cap + d->terms_cap / 2 : 1024;
			if (cap > TERMS_MAX || (t = realloc(d->terms, cap * sizeof(*t))) == NULL)
				return -ENOMEM;
			d->terms = t;
			d->terms_cap = cap;
			huge_hint(t, cap * sizeof(*t));
		}
		i = (uint32_t)d->terms_len;
	}
	r = map_put(&d->term_of, hash, i);
	if (r < 0) {
		if (i == d->terms_len)
			return r;
		d->terms[i].head = d->terms_free;	/* back on the free list */
		d->terms_free = i + 1;
		return r;
	}
	if (i == d->terms_len)
		d->terms_len++;
	memset(&d->terms[i], 0, sizeof(d->terms[i]));
	d->terms[i].hash = hash;
	return i;
}

/* Halves every document frequency, so that the counts follow what sources write now. */
static void
df_decay(struct dedup *d)
{
	size_t i;

	d->n_items /= 2;
	for (i = 0; i < d->terms_len; i++) {
		if (d->terms[i].hash == 0)
			continue;
		d->terms[i].df /= 2;
		if (d->terms[i].df == 0 && d->terms[i].refs == 0) {
			d->terms[i].refs = 1;
			term_release(d, (uint32_t)i);
		}
	}
}

/* ---------------------------------------------------------------- titles */

/* English stop words (the common NLTK list), sorted for bsearch. */
static const char *const stop_words[] = {
	"a", "about", "above", "after", "again", "against", "ain", "all", "am", "an", "and", "any", "are",
	"aren", "as", "at", "be", "because", "been", "before", "being", "below", "between", "both", "but",
	"by", "can", "couldn", "d", "did", "didn", "do", "does", "doesn", "doing", "don", "down", "during",
	"each", "few", "for", "from", "further", "had", "hadn", "has", "hasn", "have", "haven", "having",
	"he", "her", "here", "hers", "herself", "him", "himself", "his", "how", "i", "if", "in", "into", "is",
	"isn", "it", "its", "itself", "just", "ll", "m", "ma", "me", "mightn", "more", "most", "mustn", "my",
	"myself", "needn", "no", "nor", "not", "now", "o", "of", "off", "on", "once", "only", "or", "other",
	"our", "ours", "ourselves", "out", "over", "own", "re", "s", "same", "shan", "she", "should",
	"shouldn", "so", "some", "such", "t", "than", "that", "the", "their", "theirs", "them",
	"themselves", "then", "there", "these", "they", "this", "those", "through", "to", "too", "under",
	"until", "up", "ve", "very", "was", "wasn", "we", "were", "weren", "what", "when", "where", "which",
	"while", "who", "whom", "why", "will", "with", "won", "wouldn", "y", "you", "your", "yours",
	"yourself", "yourselves",
};

/* Fills d->stop, the stop words' term hashes as an open-addressing set (no word hashes to 0). */
static void
stop_set_fill(struct dedup *d)
{
	uint64_t h;
	size_t i, k;

	for (i = 0; i < sizeof(stop_words) / sizeof(stop_words[0]); i++) {
		h = hash_bytes(0, stop_words[i], strlen(stop_words[i]));
		for (k = h & (STOP_SLOTS - 1); d->stop[k] != 0; k = (k + 1) & (STOP_SLOTS - 1))
			;
		d->stop[k] = h;
	}
}

/* True for the term hash of a stop word. */
static bool
is_stop(const struct dedup *d, uint64_t h)
{
	size_t k;

	for (k = h & (STOP_SLOTS - 1); d->stop[k] != 0; k = (k + 1) & (STOP_SLOTS - 1))
		if (d->stop[k] == h)
			return true;
	return false;
}

/* Words that mark a headline's kind, not its story: "BREAKING:", "UPDATE 2-", "WATCH |". */
static const char *const news_prefixes[] = {
	"breaking news", "breaking", "updated", "update", "watch", "exclusive", "video", "photos", "photo",
	"live", "just in", "alert", "report", "opinion", "analysis", "corrected", "refile",
};

static bool
is_word_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80;
}

/* Skips the news prefixes at the start of s (case folded); returns where the title begins. */
static const char *
skip_prefixes(const char *s, const char *end)
{
	const char *p, *q;
	size_t i, n;

	for (;;) {
		for (p = s; p < end && *p == ' '; p++)
			;
		for (i = 0; i < sizeof(news_prefixes) / sizeof(news_prefixes[0]); i++) {
			n = strlen(news_prefixes[i]);
			if ((size_t)(end - p) > n && memcmp(p, news_prefixes[i], n) == 0 &&
			    !is_word_byte((unsigned char)p[n]))
				break;
		}
		if (i == sizeof(news_prefixes) / sizeof(news_prefixes[0]))
			return s;
		q = p + n;
		if (i == 2 || i == 3)		/* "update 2-" */
			for (q += q < end && *q == ' '; q < end && *q >= '0' && *q <= '9'; q++)
				;
		while (q < end && *q == ' ')
			q++;
		if (q == end || (*q != '-' && *q != ':' && *q != '|'))
			return s;
		while (q < end && (*q == '-' || *q == ':' || *q == '|' || *q == ' '))
			q++;
		s = q;
	}
}

/* The length of s, at most max bytes, not cutting a character in two. */
static size_t
cut_utf8(const char *s, size_t max)
{
	size_t n = strnlen(s, max);

	while (n == max && n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	return n;
}

/*
 * Case-folded NFKC of s with quotes and dashes made ASCII and white space single spaces, or with
 * lines, a newline where a run of white space had one.
 */
static int
fold(const char *s, size_t len, struct buf *out, bool lines)
{
	utf8proc_int32_t c;
	utf8proc_ssize_t n;
	utf8proc_uint8_t *m = NULL;
	const char *p;
	char *w;
	size_t i;
	uint64_t x;
	int r;
	bool ascii = true;

	for (i = 0; i + 8 <= len && ascii; i += 8) {
		memcpy(&x, s + i, 8);
		ascii = (x & 0x8080808080808080ULL) == 0;
	}
	for (; i < len && ascii; i++)
		ascii = (unsigned char)s[i] < 0x80;
	if (!ascii) {
		n = utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)len, &m, UTF8PROC_STABLE |
		    UTF8PROC_COMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD | UTF8PROC_IGNORE);
		if (n < 0)
			return n == UTF8PROC_ERROR_NOMEM ? -ENOMEM : 0;	/* not UTF-8: no terms */
		s = (const char *)m;
		len = (size_t)n;
	}
	/* Nothing here writes more bytes than it reads: one reserve, then plain stores. */
	r = buf_reserve(out, len);
	if (r < 0) {
		free(m);
		return r;
	}
	w = out->data + out->len;
	for (p = s; p < s + len;) {
		/* Most bytes: printable ASCII but a space and '`', lower case kept, upper case folded. */
		if ((unsigned char)*p > ' ' && (unsigned char)*p < 0x80 && *p != '`') {
			c = (unsigned char)*p++;
			*w++ = (char)(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
			continue;
		}
		if ((unsigned char)*p < 0x80) {
			c = (unsigned char)*p++;
			if (c >= 'A' && c <= 'Z')
				c += 'a' - 'A';
			else if (c == '\n' && lines)
				;
			else if (c == '\t' || c == '\n' || c == '\r' || c < 0x20)
				c = ' ';
			else if (c == '`')
				c = '\'';
			if (c == '\n' && w > out->data && w[-1] == ' ')
				w[-1] = '\n';		/* a line break wins over a space */
			else if ((c != ' ' && c != '\n') || (w > out->data && w[-1] != ' ' && w[-1] != '\n'))
				*w++ = (char)c;
			continue;
		}
		n = utf8proc_iterate((const utf8proc_uint8_t *)p, s + len - p, &c);
		if (n <= 0)
			break;
		if (c == 0x2018 || c == 0x2019)
			*w++ = '\'';
		else if (c == 0x201C || c == 0x201D)
			*w++ = '"';
		else if (c == 0x2013 || c == 0x2014)
			*w++ = '-';
		else if (c == 0x2026)
			w = (char *)memcpy(w, "...", 3) + 3;
		else
			w = (char *)memcpy(w, p, (size_t)n) + n;
		p += n;
	}
	out->len = (size_t)(w - out->data);
	out->data[out->len] = '\0';
	free(m);
	return 0;
}

/* True for the code point at p (a letter, digit or mark): part of a word. *ret_n: its bytes. */
static bool
word_char(const char *p, const char *end, size_t *ret_n)
{
	utf8proc_int32_t c;
	utf8proc_ssize_t n;
	utf8proc_category_t cat;

	if ((unsigned char)*p < 0x80) {
		*ret_n = 1;
		return (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9');
	}
	n = utf8proc_iterate((const utf8proc_uint8_t *)p, end - p, &c);
	*ret_n = n > 0 ? (size_t)n : 1;
	if (n <= 0)
		return false;
	cat = utf8proc_category(c);
	return (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_NO);	/* letters, marks, numbers */
}

/*
 * A token normalized in place: "u.s" -> "us", a final "'s" and other apostrophes dropped, plurals
 * stemmed (-ies -> -y in words of five characters or more, else a final -s but -ss, -us, -is) in
 * words of four characters or more without a digit. Returns its length.
 */
static size_t
norm_token(char *w, size_t n)
{
	size_t i, j, chars = 0;
	bool digit = false, acronym = n >= 3;

	for (i = 0; i < n && acronym; i++)	/* single letters each followed by a dot */
		acronym = i % 2 == 0 ? w[i] >= 'a' && w[i] <= 'z' : w[i] == '.';
	if (acronym) {
		for (i = j = 0; i < n; i++)
			if (w[i] != '.')
				w[j++] = w[i];
		return j;
	}
	if (n >= 2 && w[n - 2] == '\'' && w[n - 1] == 's')
		n -= 2;
	for (i = j = 0; i < n; i++) {
		if (w[i] == '\'')
			continue;
		w[j++] = w[i];
		digit |= w[i] >= '0' && w[i] <= '9';
		chars += ((unsigned char)w[i] & 0xC0) != 0x80;
	}
	n = j;
	if (digit || chars < 4)
		return n;
	if (chars >= 5 && memcmp(w + n - 3, "ies", 3) == 0) {
		w[n - 3] = 'y';
		return n - 2;
	}
	if (w[n - 1] == 's' && w[n - 2] != 's' && w[n - 2] != 'u' && w[n - 2] != 'i')
		return n - 1;
	return n;
}

/* True when every word of the tail (but "the", "com", "www") is a word of the name, and it has one. */
static bool
words_within(const char *tail, const char *tail_end, const char *name, const char *name_end)
{
	const char *p = tail, *w, *q, *v;
	size_t n, k;
	bool any = false, found;

	while (p < tail_end) {
		if (!word_char(p, tail_end, &n)) {
			p += n;
			continue;
		}
		for (w = p; p < tail_end && word_char(p, tail_end, &n); p += n)
			;
		any = true;
		if ((p - w == 3 && memcmp(w, "the", 3) == 0) || (p - w == 3 && memcmp(w, "com", 3) == 0) ||
		    (p - w == 3 && memcmp(w, "www", 3) == 0))
			continue;
		found = false;
		for (q = name; q < name_end && !found;) {
			if (!word_char(q, name_end, &k)) {
				q += k;
				continue;
			}
			for (v = q; q < name_end && word_char(q, name_end, &k); q += k)
				;
			found = q - v == p - w && memcmp(v, w, (size_t)(p - w)) == 0;
		}
		if (!found)
			return false;
	}
	return any;
}

/*
 * The terms of a title, into t (at most MAX_TERMS, each once), their text pointing into norm.
 * Returns how many.
 */
static size_t
title_terms(struct dedup *d, const char *title, const char *source, uint64_t source_hash, struct tterm *t)
{
	struct buf *norm = &d->norm, *src = &d->src;
	const char *s, *end, *p, *w, *tail, *colon;
	int64_t day = d->now / 86400;
	size_t n, k, count = 0, i, wl;
	uint64_t key;
	char *tok;

	buf_clear(norm);
	buf_clear(src);
	if (title == NULL || fold(title, cut_utf8(title, TITLE_MAX), norm, false) < 0 || norm->len == 0)
		return 0;
	if (source != NULL && fold(source, cut_utf8(source, TITLE_MAX), src, false) < 0)
		return 0;
	s = norm->data;
	end = s + norm->len;
	while (end > s && end[-1] == ' ')
		end--;
	if (end - s >= 3 && memcmp(end - 3, "...", 3) == 0)
		end -= 3;
	s = skip_prefixes(s, end);
	/* A label before a colon that this source has used before names a series, not the story. */
	colon = memchr(s, ':', (size_t)(end - s));
	if (colon != NULL && colon - s <= 40 && colon + 1 < end) {
		key = mix64(hash_bytes(6, s, (size_t)(colon - s)) ^ source_hash);
		if (seen_get(&d->seen, key, day))
			s = colon + 1;
		seen_put(&d->seen, key, day);
	}
	/* A trailing " - Publisher" or " | Publisher" when its words are the source's name. */
	for (tail = end; tail > s && tail[-1] != '-' && tail[-1] != '|'; tail--)
		;
	if (tail - s >= 2 && tail < end && tail[-2] == ' ' && tail[0] == ' ' && src->len > 0 &&
	    words_within(tail, end, src->data, src->data + src->len))
		end = tail - 2;

	for (p = s; p < end && count < MAX_TERMS;) {
		if (!word_char(p, end, &n)) {
			p += n;
			continue;
		}
		/* A word, with single dots and apostrophes between word characters: "7.1", "u.s.", "o'neil". */
		w = p;
		for (;;) {
			while (p < end && word_char(p, end, &n))
				p += n;
			if (p + 1 < end && (*p == '.' || *p == '\'') && word_char(p + 1, end, &k))
				p++;
			else
				break;
		}
		tok = (char *)w;
		wl = norm_token(tok, (size_t)(p - w));
		if (wl == 0 || (wl == 1 && !(tok[0] >= '0' && tok[0] <= '9')))
			continue;
		t[count].hash = hash_bytes(0, tok, wl);
		if (is_stop(d, t[count].hash))
			continue;
		for (i = 0; i < count && t[i].hash != t[count].hash; i++)
			;
		if (i < count)
			continue;
		t[count].text = tok;
		t[count].len = (uint16_t)wl;
		count++;
	}
	return count;
}

/* ---------------------------------------------------------------- lead text */

/* Markers of what sites append to an article: the lead text is cut where one starts. */
const char *const dedup_trailers[] = {
	"you may also like", "leave a reply", "leave a comment", "related articles", "related posts",
	"related stories", "share this:", "share this article", "read more:", "sign up for our",
	"subscribe to our", "follow us on", "the post ", "click here to", NULL,
};

/* True when the folded marker m starts at p, a space in it matching a line break. */
static bool
marker_at(const char *p, const char *end, const char *m)
{
	size_t k;

	for (k = 0; m[k] != '\0' && p + k < end && (p[k] == m[k] || (m[k] == ' ' && p[k] == '\n')); k++)
		;
	return m[k] == '\0';
}

/* The bit of trailer_pair for the bytes a, b. */
static unsigned
pair_of(unsigned char a, unsigned char b)
{
	return (unsigned)a << 8 | b;
}

/*
 * Where the first trailer marker starts in [p, end), or end: one pass, by the markers' first two
 * bytes, then by their first bytes.
 */
static const char *
find_trailer(const struct dedup *d, const char *p, const char *end)
{
	uint64_t m;
	unsigned k;

	for (; p < end; p++) {
		if (p + 1 < end) {
			k = pair_of((unsigned char)p[0], (unsigned char)p[1]);
			if (!(d->trailer_pair[k / 64] >> (k % 64) & 1))
				continue;
		}
		for (m = d->trailer_first[(unsigned char)*p]; m != 0; m &= m - 1)
			if (marker_at(p, end, d->trailers[__builtin_ctzll(m)]))
				return p;
	}
	return end;
}

/* True when the lead has a segment boundary at p: a line break, or a sentence's end before a space. */
static bool
segment_end(const char *p, const char *end)
{
	return *p == '\n' || ((*p == '.' || *p == '!' || *p == '?') && (p + 1 == end || p[1] == ' ' || p[1] == '\n'));
}

/*
 * The SimHash of the lead's word 3-shingles, boilerplate cut: the text after the first trailer
 * marker, and the segments (lines, sentences) the source is known to repeat. Leaves the lead's
 * segments in d->segs for boiler_learn(). False when what is left is too short to tell.
 */
static bool
lead_simhash(struct dedup *d, const char *text, uint64_t source, uint64_t *ret)
{
	uint64_t words[LEAD_SCAN], hs[LEAD_SEGS], h;
	uint16_t seg_end[LEAD_SEGS];	/* word index where each segment ends */
	bool drop[LEAD_SEGS];
	uint64_t acc[8];
	uint32_t ones[64] = { 0 };
	struct buf *scratch = &d->src;
	const char *p, *end;
	size_t n, count = 0, i, j, b, nseg = 0, seg_start = 0, kept;

	d->nsegs = 0;
	if (text == NULL)
		return false;
	buf_clear(scratch);
	if (fold(text, cut_utf8(text, 16 * LEAD_SCAN * 8), scratch, true) < 0 || scratch->len == 0)
		return false;
	end = scratch->data + scratch->len;
	end = find_trailer(d, scratch->data, end);
	for (p = scratch->data; p < end && count < LEAD_SCAN;) {
		if (!word_char(p, end, &n)) {
			if (segment_end(p, end) && count > seg_start && nseg < LEAD_SEGS) {
				seg_end[nseg++] = (uint16_t)count;
				seg_start = count;
			}
			p += n;
			continue;
		}
		/* hash_bytes(1, ...) of the word, made while it is read. */
		h = 0xcbf29ce484222325ULL ^ 1;
		for (; p < end; p += n) {
			if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9'))
				n = 1;
			else if ((unsigned char)*p < 0x80 || !word_char(p, end, &n))
				break;
			for (j = 0; j < n; j++) {
				h ^= (unsigned char)p[j];
				h *= 0x100000001b3ULL;
			}
		}
		words[count++] = mix64(h);
	}
	if (count > seg_start && nseg < LEAD_SEGS)
		seg_end[nseg++] = (uint16_t)count;
	/* A segment's hash is of its words, so that spacing and punctuation do not tell copies apart. */
	for (i = 0, seg_start = 0; i < nseg; seg_start = seg_end[i++]) {
		for (h = 0x5e9, j = seg_start; j < seg_end[i]; j++)
			h = h * 0x100000001b3ULL ^ words[j];
		hs[i] = mix64(h);
		for (j = 0; j < d->nsegs && d->segs[j] != hs[i]; j++)
			;
		if (j == d->nsegs)
			d->segs[d->nsegs++] = hs[i];
	}
	kept = count;
	if (nseg > 0 && boiler_check(d->boiler, source, hs, nseg, drop) > 0) {
		for (i = 0, seg_start = 0, kept = 0; i < nseg; seg_start = seg_end[i++])
			for (j = seg_start; !drop[i] && j < seg_end[i]; j++)
				words[kept++] = words[j];
		for (j = seg_end[nseg - 1]; j < count; j++)	/* past the last segment counted */
			words[kept++] = words[j];
	}
	count = kept < LEAD_WORDS ? kept : LEAD_WORDS;
	if (count < LEAD_MIN_WORDS)
		return false;
	/*
	 * A bit of the SimHash is set when more than half the shingles' hashes have it. The ones are
	 * counted a byte of the hash at a time: acc[k] holds eight byte-wide counters, of bits 8k to
	 * 8k + 7, emptied into ones[] before they can reach 256.
	 */
	for (i = 0; i + 2 < count;) {
		memset(acc, 0, sizeof(acc));
		for (n = 0; n < 255 && i + 2 < count; n++, i++) {
			h = mix64(words[i] * 31 * 31 + words[i + 1] * 31 + words[i + 2]);
			for (b = 0; b < 8; b++)
				acc[b] += d->spread[h >> (8 * b) & 0xff];
		}
		for (b = 0; b < 64; b++)
			ones[b] += (uint32_t)(acc[b / 8] >> (8 * (b % 8)) & 0xff);
	}
	for (h = 0, b = 0; b < 64; b++)
		if (2 * (size_t)ones[b] > count - 2)
			h |= 1ULL << b;
	*ret = h;
	return true;
}

/* ---------------------------------------------------------------- deciding */

static int
story_new(struct dedup *d, int64_t t0, uint64_t *ret_id)
{
	struct story *s;
	int r;

	r = ring_room(d);
	if (r < 0)
		return r;
	s = story_at(d, d->next);
	memset(s, 0, sizeof(*s));
	d->norms[d->next & (d->ring_cap - 1)] = 0;
	s->t0 = t0;
	s->c = s->in;
	s->cap = INLINE_TERMS;
	s->rep_priority = INT32_MIN;
	s->rep_date = INT64_MAX;
	*ret_id = d->next++;
	return 0;
}

/* True when x goes after y in a centroid: lighter, or as heavy with a greater term hash (not index: indices differ after a load). */
static bool
cterm_after(const struct dedup *d, const struct cterm *x, const struct cterm *y)
{
	if (x->w != y->w)
		return x->w < y->w;
	return d->terms[term_of(x)].hash > d->terms[term_of(y)].hash;
}

/*
 * Adds the item's unit vector to the story's centroid, keeps its heaviest terms, and updates the
 * postings and references of the terms that came and went. 0 or -ENOMEM (the story unchanged).
 */
static int
centroid_add(struct dedup *d, uint64_t id, const struct tterm *t, size_t nt)
{
	struct story *s = story_at(d, id);
	struct cterm all[CENTROID_MAX + MAX_TERMS], *c, tmp;
	size_t len = s->len, keep, i, j;
	double norm = 0;
	uint32_t x;

	memcpy(all, s->c, len * sizeof(*all));
	for (i = 0; i < nt; i++) {
		for (j = 0; j < s->len && term_of(&all[j]) != t[i].term; j++)
			;
		if (j < s->len) {
			all[j].w += t[i].q;
			all[j].term |= CHANGED;
		} else {
			all[len].term = t[i].term | FRESH;
			all[len++].w = t[i].q;
		}
	}
	/* Kept sorted, heaviest first: after adding, an insertion sort has little to move. */
	for (i = 1; i < len; i++)
		for (j = i; j > 0 && cterm_after(d, &all[j - 1], &all[j]); j--) {
			tmp = all[j];
			all[j] = all[j - 1];
			all[j - 1] = tmp;
		}
	keep = CENTROID_BASE + CENTROID_STEP * (size_t)(s->n + 1);
	if (keep > CENTROID_MAX)
		keep = CENTROID_MAX;
	if (keep > len)
		keep = len;
	if (keep > s->cap) {
		c = malloc(keep * sizeof(*c));
		if (c == NULL)
			return -ENOMEM;
		if (s->c != s->in) {
			d->heap -= s->cap * sizeof(*c);
			free(s->c);
		}
		d->heap += keep * sizeof(*c);
		s->c = c;
		s->cap = (uint8_t)keep;
	}
	for (i = keep; i < len; i++) {		/* evicted */
		if (all[i].term & POSTED)
			unpost(d, term_of(&all[i]), id);
		if (!(all[i].term & FRESH))
			term_release(d, term_of(&all[i]));
	}
	for (i = 0; i < keep; i++) {
		x = term_of(&all[i]);
		if (all[i].term & FRESH) {
			all[i].term = x;
			d->terms[x].refs++;
			if (d->terms[x].sf < POSTING_CAP && post(d, x, id, all[i].w) == 0)
				all[i].term |= POSTED;
		} else if (all[i].term & CHANGED) {
			all[i].term &= ~CHANGED;
			if (all[i].term & POSTED)
				repost(d, x, id, all[i].w);
		}
		norm += (double)all[i].w * all[i].w;
	}
	memcpy(s->c, all, keep * sizeof(*all));
	s->len = (uint8_t)keep;
	s->norm = (float)sqrt(norm);
	d->norms[id & (d->ring_cap - 1)] = s->norm;
	return 0;
}

/* True when x is probed after y: more live stories have it, or as many and it weighs less. */
static bool
probe_after(const struct dedup *d, const struct tterm *x, const struct tterm *y)
{
	uint32_t sx = d->terms[x->term].sf, sy = d->terms[y->term].sf;

	return sx != sy ? sx > sy : x->q < y->q;
}

/* The item's terms in probe order; an insertion sort, for at most MAX_TERMS. */
static void
sort_probe(struct tterm *t, size_t n, const struct dedup *d)
{
	struct tterm x;
	size_t i, j;

	for (i = 1; i < n; i++) {
		x = t[i];
		for (j = i; j > 0 && probe_after(d, &t[j - 1], &x); j--)
			t[j] = t[j - 1];
		t[j] = x;
	}
}

/* The item's terms by term index, to find them from a centroid in one probe: 64 slots, linear probing. */
struct term_set {
	uint32_t	 term[64];	/* index + 1; 0: empty */
	uint8_t		 pos[64];	/* where in the item's terms */
};

static unsigned
set_slot(uint32_t term)
{
	return (term * 2654435761u) >> 26;
}

static void
set_fill(struct term_set *ts, const struct tterm *t, size_t nt)
{
	unsigned i, k;

	memset(ts->term, 0, sizeof(ts->term));
	for (i = 0; i < nt; i++) {
		for (k = set_slot(t[i].term); ts->term[k] != 0; k = (k + 1) & 63)
			;
		ts->term[k] = t[i].term + 1;
		ts->pos[k] = (uint8_t)i;
	}
}

/* Where term is in the item's terms, or -1. */
static int
set_find(const struct term_set *ts, uint32_t term)
{
	unsigned k;

	for (k = set_slot(term); ts->term[k] != 0; k = (k + 1) & 63)
		if (ts->term[k] == term + 1)
			return ts->pos[k];
	return -1;
}

/* A candidate story while an item is decided: its dot product with the item over the terms walked. */
struct cand {
	uint64_t	 id;
	double		 dot;		/* then the bound of its similarity */
};

#define CAND_SLOTS	256		/* a power of two, over twice PROBE_TERMS * POSTING_CAP */

/* The candidates by id: open addressing over the low bits of the id. */
struct cand_set {
	struct cand	 c[PROBE_TERMS * POSTING_CAP];
	size_t		 n;
	uint8_t		 slot[CAND_SLOTS];	/* index + 1 into c; 0: empty */
};

/* The candidate with this id, made when add; NULL when absent and not add. */
static struct cand *
cand_get(struct cand_set *cs, uint64_t id, bool add)
{
	size_t k;

	for (k = (id * 0x9e3779b97f4a7c15ULL) >> 56; cs->slot[k] != 0; k = (k + 1) & (CAND_SLOTS - 1))
		if (cs->c[cs->slot[k] - 1].id == id)
			return &cs->c[cs->slot[k] - 1];
	if (!add)
		return NULL;
	cs->c[cs->n].id = id;
	cs->c[cs->n].dot = 0;
	cs->slot[k] = (uint8_t)++cs->n;
	return &cs->c[cs->n - 1];
}

/* True when x is read before y: a higher bound; as high, the older story (it wins a tie). */
static bool
cand_before(const struct cand *x, const struct cand *y)
{
	return x->dot != y->dot ? x->dot > y->dot : x->id < y->id;
}

/* The item's similarity to one story by its whole centroid: -1 when a guard rules the story out. */
static double
story_sim(const struct dedup *d, uint64_t id, const struct tterm *t, const struct term_set *ts, const double *spec)
{
	const struct story *s = story_at(d, id);
	double sim = 0, mass = 0, top = 0;
	unsigned shared = 0;
	size_t k;
	int j;

	for (k = 0; k < s->len; k++) {
		if ((j = set_find(ts, term_of(&s->c[k]))) < 0)
			continue;
		sim += (double)t[j].q * s->c[k].w;
		mass += spec[j];
		shared++;
		if (s->c[k].w > top)
			top = s->c[k].w;
	}
	if (mass < GUARD_MASS || s->norm <= 0)
		return -1;
	/* One shared word is enough only when the story is about it: it dominates the centroid. */
	if (shared == 1 && top < KEY_SHARE * s->norm)
		return -1;
	return sim / s->norm;
}

/* The item's terms made ready for best_story(). */
struct probe {
	struct tterm	 t[MAX_TERMS];	/* the item's terms in probe order */
	struct term_set	 ts;
	double		 spec[MAX_TERMS];	/* by the item's order */
};

/*
 * What best_story() needs of the item's terms, made apart so that it is made while the postings
 * are on their way.
 */
static void
probe_prepare(const struct dedup *d, const struct tterm *t, size_t nt, struct probe *pr)
{
	size_t i, live = d->next - d->first;

	set_fill(&pr->ts, t, nt);
	/* Only the item's terms can be shared: their specificity among live stories, once. */
	for (i = 0; i < nt; i++)
		pr->spec[i] = log((double)(live + 1) / (d->terms[t[i].term].sf + 1));
	memcpy(pr->t, t, nt * sizeof(*t));
	sort_probe(pr->t, nt, d);
}

/*
 * The live story whose centroid is closest to the item's terms, by the guard and the threshold.
 *
 * Candidates are the stories posted under the item's PROBE_TERMS rarest terms. Each gets a bound
 * from the postings alone: its dot product over the terms whose postings were walked and name every
 * centroid that has them (a posting keeps the term's weight), over its norm, plus the length of the
 * item's vector over the other terms (Cauchy-Schwarz: they cannot add more). The CONFIRM_MAX
 * stories of the highest bounds are read and scored exactly, highest first, until a bound falls
 * below the best score: the others, most sharing one common word, are never read. (Reading all
 * candidates this way picks the same story as scoring them all; stopping at CONFIRM_MAX changed
 * shared/eval for the better and a labelled synthetic stream by nothing measurable: docs/dedup.md.)
 */
static void
best_story(struct dedup *d, struct tterm *t, size_t nt, struct probe *pr, uint64_t *ret_id, double *ret_sim)
{
	struct cand top[CONFIRM_MAX], x, *c;
	const struct story *s;
	struct cand_set cs;
	const struct tterm *probe = pr->t;
	const struct term_set *ts = &pr->ts;
	const double *spec = pr->spec;
	const struct posting *p;
	const struct term *tm;
	size_t ntop = 0, i, k, j, stop;
	double sim, rest = 0, best = 0;
	uint64_t id;
	bool found = false;
	float n;

	*ret_sim = 0;
	cs.n = 0;
	memset(cs.slot, 0, sizeof(cs.slot));
	/* Each candidate's dot product adds up in probe order, whatever the order of the postings. */
	for (i = 0, k = 0; i < nt && k < PROBE_TERMS; i++) {
		tm = &d->terms[probe[i].term];
		if (tm->sf == 0)
			continue;
		if (tm->sf >= POSTING_CAP)
			break;		/* sorted by list length: the rest are as generic */
		k++;
		for (p = postings(d, tm), j = 0; j < tm->sf; j++)
			if (live_story(d, p[j].story, &id))
				cand_get(&cs, id, true)->dot += (double)probe[i].q * p[j].w;
	}
	stop = i;		/* probe[i] before it with postings were walked */
	if (cs.n == 0)
		return;
	for (i = 0; i < cs.n; i++)
		__builtin_prefetch(&d->norms[cs.c[i].id & (d->ring_cap - 1)]);
	/* The terms after the probes: walked when short, into the candidates there are; else bounded. */
	for (i = 0; i < nt; i++) {
		tm = &d->terms[probe[i].term];
		if (tm->refs == 0)
			continue;	/* in no centroid */
		if (i >= stop && tm->sf > 0 && tm->sf < POSTING_CAP)
			for (p = postings(d, tm), j = 0; j < tm->sf; j++)
				if (live_story(d, p[j].story, &id) && (c = cand_get(&cs, id, false)) != NULL)
					c->dot += (double)probe[i].q * p[j].w;
		if (tm->refs > tm->sf || tm->sf >= POSTING_CAP)
			rest += (double)probe[i].q * probe[i].q;	/* some centroids have it unposted */
	}
	rest = sqrt(rest) + 1e-6;	/* and a margin for rounding */
	/* The CONFIRM_MAX highest bounds, in order. */
	for (i = 0; i < cs.n; i++) {
		n = d->norms[cs.c[i].id & (d->ring_cap - 1)];
		if (!(n > 0))
			continue;
		x.id = cs.c[i].id;
		x.dot = cs.c[i].dot / n + rest;
		if (ntop == CONFIRM_MAX && !cand_before(&x, &top[ntop - 1]))
			continue;
		for (j = ntop < CONFIRM_MAX ? ntop++ : ntop - 1; j > 0 && cand_before(&x, &top[j - 1]); j--)
			top[j] = top[j - 1];
		top[j] = x;
	}
	/* The stories to read, then their centroids, asked for together. */
	for (i = 0; i < ntop; i++) {
		s = story_at(d, top[i].id);
		__builtin_prefetch(s);
		__builtin_prefetch((const char *)s + 64);
		__builtin_prefetch((const char *)(s + 1) - 1);
	}
	for (i = 0; i < ntop; i++)
		for (s = story_at(d, top[i].id), k = 0; k < s->len; k += 64 / sizeof(*s->c))
			__builtin_prefetch(&s->c[k]);
	for (i = 0; i < ntop && top[i].dot >= best; i++) {
		sim = story_sim(d, top[i].id, t, ts, spec);
		if (sim > best || (found && sim == best && top[i].id < *ret_id)) {
			best = sim;
			*ret_id = top[i].id;
			found = sim > 0;
		}
	}
	*ret_sim = best;
}

/* "shared: a, b, c": the item's terms in the story's centroid, heaviest first. */
static void
explain_shared(const struct dedup *d, uint64_t id, const struct tterm *t, size_t nt, char *out, size_t size)
{
	const struct story *s = story_at(d, id);
	const struct tterm *order[MAX_TERMS], *x;
	size_t i, j, n = 0, used;

	for (i = 0; i < nt; i++)
		for (j = 0; j < s->len; j++)
			if (term_of(&s->c[j]) == t[i].term) {
				order[n++] = &t[i];
				break;
			}
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && order[j - 1]->q < order[j]->q; j--) {
			x = order[j];
			order[j] = order[j - 1];
			order[j - 1] = x;
		}
	used = strlen(out);
	for (i = 0; i < n && used + 4 < size; i++) {
		(void)snprintf(out + used, size - used, "%s%.*s", i == 0 ? ", shared " : ", ", (int)order[i]->len,
		    order[i]->text);
		used = strlen(out);
	}
}

/* The decision in one line, for the debug log. */
static void
explain(const struct dedup *d, struct dedup_result *ret, const struct tterm *t, size_t nt, uint64_t closest,
    uint64_t simhash)
{
	char *w = ret->why;
	size_t n = sizeof(ret->why);

	switch (ret->how) {
	case DEDUP_SAME_ITEM:
		(void)snprintf(w, n, "story %" PRIu64 ": the same item (source and id)", ret->story);
		break;
	case DEDUP_SAME_URL:
		(void)snprintf(w, n, "story %" PRIu64 ": the same canonical URL", ret->story);
		break;
	case DEDUP_NEAR_COPY:
		(void)snprintf(w, n, "story %" PRIu64 ": the same lead text (%d of 64 fingerprint bits differ)",
		    ret->story, __builtin_popcountll(story_at(d, ret->story)->simhash ^ simhash));
		break;
	case DEDUP_SIMILAR:
		(void)snprintf(w, n, "joined story %" PRIu64 ": title similarity %.2f to its centroid", ret->story,
		    ret->similarity);
		explain_shared(d, ret->story, t, nt, w, n);
		break;
	default:
		if (ret->similarity > 0)
			(void)snprintf(w, n, "new story %" PRIu64 ": the closest, story %" PRIu64 ", is at %.2f, under "
			    "%.2f", ret->story, closest, ret->similarity, d->threshold);
		else
			(void)snprintf(w, n, "new story %" PRIu64 ": no live story shares enough of its terms",
			    ret->story);
	}
}

/*
 * True when the title is a series title: this source posted the same title on an earlier day, or
 * any source's repeat made it one. Such a title joins nothing by its words alone.
 */
static void
series_keys(const struct tterm *t, size_t nt, uint64_t source_hash, uint64_t *ret_series, uint64_t *ret_key)
{
	uint64_t words = 0;
	size_t i;

	for (i = 0; i < nt; i++)
		words += t[i].hash;		/* the set of terms, in any order */
	*ret_series = mix64(words ^ 0x5e51e5ULL);
	*ret_key = mix64(words ^ source_hash);
}

static bool
is_series(struct dedup *d, const struct tterm *t, size_t nt, uint64_t source_hash)
{
	int64_t day = d->now / 86400;
	uint64_t key, series;

	series_keys(t, nt, source_hash, &series, &key);
	if (seen_get(&d->seen, series, day))
		return true;
	if (seen_before(&d->seen, key, day)) {
		seen_put(&d->seen, series, day);
		return true;
	}
	if (!seen_get(&d->seen, key, day))
		seen_put(&d->seen, key, day);	/* the first day it was seen counts */
	return false;
}

static uint64_t
item_key(const struct dedup_item *it)
{
	uint64_t h = hash_bytes(2, it->source != NULL ? it->source : "", it->source != NULL ? strlen(it->source) : 0);

	return mix64(h ^ hash_bytes(3, it->id != NULL ? it->id : "", it->id != NULL ? strlen(it->id) : 0));
}

static bool
ends_with(const char *s, size_t n, const char *end)
{
	size_t k = strlen(end);

	return n >= k && memcmp(s + n - k, end, k) == 0;
}

/*
 * The key of the item's canonical URL, or 0 when it has none. Beyond url_canonical(), the forms one
 * page takes on one site are folded together: "www." and "amp." hosts, a trailing slash, an AMP
 * path ("/amp", ".amp") and an "amp" parameter. The scheme is left out: http and https are one page.
 */
static uint64_t
url_key(const char *url, struct buf *scratch)
{
	const char *s, *host, *path, *q, *end;
	size_t hn, pn;
	uint64_t h;

	buf_clear(scratch);
	if (url == NULL || url_canonical(url, scratch) < 0 || scratch->len == 0)
		return 0;
	s = scratch->data;
	host = strstr(s, "://");
	if (host == NULL)
		return 0;
	host += 3;
	end = s + scratch->len;
	if ((q = memchr(host, '#', (size_t)(end - host))) != NULL)
		end = q;
	path = memchr(host, '/', (size_t)(end - host));
	if (path == NULL)
		path = end;
	q = memchr(path, '?', (size_t)(end - path));
	if (q == NULL)
		q = end;
	if ((size_t)(path - host) > 4 && (memcmp(host, "www.", 4) == 0 || memcmp(host, "amp.", 4) == 0))
		host += 4;
	hn = (size_t)(path - host);
	pn = (size_t)(q - path);
	if (ends_with(path, pn, "/amp/"))
		pn -= 5;
	else if (ends_with(path, pn, "/amp") || ends_with(path, pn, ".amp"))
		pn -= 4;
	while (pn > 0 && path[pn - 1] == '/')
		pn--;
	h = hash_bytes(4, host, hn);
	h = hash_bytes(h, path, pn);
	/* The query without "amp" (url_canonical has dropped the tracking parameters). */
	while (q < end) {
		const char *amp = memchr(q + 1, '&', (size_t)(end - q - 1)), *e = amp != NULL ? amp : end;

		if (!((e - q == 4 && memcmp(q + 1, "amp", 3) == 0) || (e - q > 4 && memcmp(q + 1, "amp=", 4) == 0)))
			h = hash_bytes(h, q + 1, (size_t)(e - q - 1));
		q = e;
	}
	return h;
}

static int
join(struct dedup *d, uint64_t id, int64_t date, const struct dedup_item *it, const struct tterm *t, size_t nt,
    struct dedup_result *ret)
{
	struct story *s;
	int r;

	r = centroid_add(d, id, t, nt);
	if (r < 0)
		return r;
	s = story_at(d, id);
	s->n++;
	d->live_items++;
	ret->representative = it->priority > s->rep_priority ||
	    (it->priority == s->rep_priority && date < s->rep_date);
	if (ret->representative) {
		s->rep_priority = it->priority;
		s->rep_date = date;
		s->rep_key = (uint32_t)item_key(it);
	}
	return 0;
}

int
dedup_add(struct dedup *d, const struct dedup_item *it, struct dedup_result *ret)
{
	struct tterm t[MAX_TERMS];
	struct probe pr;
	struct term *tm;
	uint64_t band_id[4];
	bool series, band_live[4];
	uint64_t series_key, source_key, skey = hash_bytes(7, it->source != NULL ? it->source : "", it->source != NULL ? strlen(it->source) : 0);
	uint64_t closest = 0, ikey, ukey, id = 0, simhash = 0;
	uint32_t v;
	int64_t ti, date = it->date;
	size_t nt = 0, i;
	double sim = 0, len2 = 0, idf;
	bool lead;
	int r = 0;

	memset(ret, 0, sizeof(*ret));
	if (date > d->now)
		d->now = date;
	date = d->now;		/* an item from the past arrives now */
	expire(d);

	/*
	 * The look-ups of an item are random reads of big tables: each is asked for ahead of its use,
	 * while the item's text is worked on, so that their cache misses overlap.
	 */
	ikey = item_key(it);
	map_prefetch(&d->items, ikey);
	if (it->text != NULL)
		boiler_prefetch(d->boiler, skey);
	ukey = url_key(it->url, &d->src);
	if (ukey != 0)
		map_prefetch(&d->urls, ukey);
	if (map_get(&d->items, ikey, &v) && live_story(d, v, &id)) {
		/* An update: the story keeps its representative, which this item may be. */
		ret->story = id;
		ret->how = DEDUP_SAME_ITEM;
		ret->representative = story_at(d, id)->rep_key == (uint32_t)ikey;
		if (d->explain)
			explain(d, ret, t, 0, 0, 0);
		return 0;
	}

	nt = title_terms(d, it->title, it->source, skey, t);
	for (i = 0; i < nt; i++)
		map_prefetch(&d->term_of, t[i].hash);
	if (nt > 0) {
		series_keys(t, nt, skey, &series_key, &source_key);
		__builtin_prefetch(&d->seen.slot[series_key & (d->seen.cap - 1)]);
		__builtin_prefetch(&d->seen.slot[source_key & (d->seen.cap - 1)]);
	}
	series = nt > 0 && is_series(d, t, nt, skey);
	for (i = 0; r == 0 && i < nt; i++) {
		ti = term_get(d, t[i].hash);
		if (ti < 0) {
			r = (int)ti;
			break;
		}
		t[i].term = (uint32_t)ti;
		__builtin_prefetch(&d->terms[ti]);
	}
	if (r < 0)
		return r;	/* terms made so far have no count: the next decay drops them */
	lead = lead_simhash(d, it->text, skey, &simhash);
	for (i = 0; lead && i < 4; i++)
		map_prefetch(&d->leads, band_key((unsigned)i, simhash));
	for (i = 0; i < nt; i++) {
		/* IDF from the items before this one; an unseen term weighs the most. */
		idf = log(((double)d->n_items + IDF_PRIOR) / ((double)d->terms[t[i].term].df + 1));
		t[i].q = (float)idf;
		len2 += idf * idf;
	}
	d->n_items++;
	for (i = 0; i < nt; i++) {
		tm = &d->terms[t[i].term];
		tm->df++;
		if (tm->sf > 0 && tm->sf < POSTING_CAP) {	/* for best_story() */
			__builtin_prefetch(postings(d, tm));
			if (tm->sf > 64 / sizeof(struct posting))
				__builtin_prefetch(postings(d, tm) + 64 / sizeof(struct posting));
		}
	}
	for (i = 0; i < nt; i++)
		t[i].q = len2 > 0 ? (float)(t[i].q / sqrt(len2)) : 0;
	if (nt > 0 && !series)
		probe_prepare(d, t, nt, &pr);

	if (ukey != 0 && map_get(&d->urls, ukey, &v) && live_story(d, v, &id))
		ret->how = DEDUP_SAME_URL;
	if (lead && ret->how == DEDUP_NEW) {
		/* The four bands' stories asked for together, then compared in band order. */
		for (i = 0; i < 4; i++) {
			band_live[i] = map_get(&d->leads, band_key((unsigned)i, simhash), &v) &&
			    live_story(d, v, &band_id[i]);
			if (band_live[i])
				__builtin_prefetch(&story_at(d, band_id[i])->simhash);
		}
		for (i = 0; ret->how == DEDUP_NEW && i < 4; i++)
			if (band_live[i] &&
			    __builtin_popcountll(story_at(d, band_id[i])->simhash ^ simhash) <= NEAR_BITS) {
				ret->how = DEDUP_NEAR_COPY;
				id = band_id[i];
			}
	}
	if (ret->how == DEDUP_NEW && nt > 0 && !series) {
		best_story(d, t, nt, &pr, &closest, &sim);
		ret->similarity = sim;
		if (sim >= d->threshold) {
			ret->how = DEDUP_SIMILAR;
			id = closest;
		}
	}
	if (ret->how == DEDUP_NEW) {
		r = story_new(d, date, &id);
		if (r < 0)
			return r;
		story_at(d, id)->simhash = simhash;
		story_at(d, id)->has_lead = lead;	/* first: closing the story removes what got in */
		for (i = 0; r == 0 && lead && i < 4; i++)
			r = map_put(&d->leads, band_key((unsigned)i, simhash), (uint32_t)id);
		if (r < 0)
			return r;
	}
	ret->story = id;
	if (d->explain)
		explain(d, ret, t, nt, closest, simhash);	/* before the item changes the centroid */
	/*
	 * An item that joined by its URL or its text may carry any title ("Links for Tuesday"): only a
	 * title that says the story goes into the centroid.
	 */
	if (ret->how == DEDUP_SAME_URL || ret->how == DEDUP_NEAR_COPY)
		nt = 0;
	r = join(d, id, date, it, t, nt, ret);
	if (r == 0 && d->nsegs > 0)
		r = boiler_learn(d->boiler, skey, d->now / 86400, d->segs, d->nsegs, id);
	if (r == 0)
		r = map_put(&d->items, ikey, (uint32_t)id);
	if (r == 0 && ukey != 0 && ret->how != DEDUP_SAME_URL)
		r = map_put(&d->urls, ukey, (uint32_t)id);
	/*
	 * Keys of closed stories linger in the maps until they fill an eighth of a map: a sweep every
	 * cap / 8 items costs a few slots an item, and a map grows only when its live keys fill 5/8.
	 */
	if (r == 0 && d->items.len > d->live_items + d->items.cap / 8 + 1024)
		r = map_sweep(d, &d->items);
	if (r == 0 && d->urls.len > d->live_items + d->urls.cap / 8 + 1024)
		r = map_sweep(d, &d->urls);
	if (r == 0 && d->seen.cap < SEEN_MAX && d->seen.cap < 2 * d->live_items)
		r = seen_grow(&d->seen, d->live_items);
	if (r == 0 && d->n_items >= DF_SPAN)
		df_decay(d);
	return r;
}

/* ---------------------------------------------------------------- saving */

static int
put_u64(struct buf *out, uint64_t v)
{
	unsigned char b[8];
	int i;

	for (i = 0; i < 8; i++)
		b[i] = (unsigned char)(v >> (8 * i));
	return buf_append(out, b, sizeof(b));
}

static int
put_u32(struct buf *out, uint32_t v)
{
	unsigned char b[4];
	int i;

	for (i = 0; i < 4; i++)
		b[i] = (unsigned char)(v >> (8 * i));
	return buf_append(out, b, sizeof(b));
}

static int
put_f32(struct buf *out, float f)
{
	uint32_t v;

	memcpy(&v, &f, sizeof(v));
	return put_u32(out, v);
}

/* The entries of a map whose stories are live. */
static int
put_map(const struct dedup *d, const struct map *m, struct buf *out)
{
	size_t i, n = 0;
	uint64_t id;
	int r;

	for (i = 0; i < m->cap; i++)
		n += m->slot[i] != 0 && live_story(d, (uint32_t)m->slot[i], &id);
	r = put_u32(out, (uint32_t)n);
	for (i = 0; r == 0 && i < m->cap; i++)
		if (m->slot[i] != 0 && live_story(d, (uint32_t)m->slot[i], &id))
			r = put_u64(out, m->slot[i]);
	return r;
}

int
dedup_save(const struct dedup *d, struct buf *out)
{
	const struct story *s;
	size_t start = out->len, i, n = 0;
	uint64_t id;
	int r;

	r = buf_append(out, SAVE_MAGIC, 8);
	if (r == 0)
		r = put_u64(out, (uint64_t)d->now);
	if (r == 0)
		r = put_u64(out, d->n_items);
	if (r == 0)
		r = put_u64(out, d->first);
	if (r == 0)
		r = put_u64(out, d->next);
	for (i = 0; i < d->terms_len; i++)
		n += d->terms[i].hash != 0;
	if (r == 0)
		r = put_u32(out, (uint32_t)n);
	for (i = 0; r == 0 && i < d->terms_len; i++)
		if (d->terms[i].hash != 0) {
			r = put_u64(out, d->terms[i].hash);
			if (r == 0)
				r = put_u32(out, d->terms[i].df);
		}
	for (id = d->first; r == 0 && id < d->next; id++) {
		s = story_at(d, id);
		r = put_u64(out, (uint64_t)s->t0);
		if (r == 0)
			r = put_u64(out, (uint64_t)s->rep_date);
		if (r == 0)
			r = put_u32(out, (uint32_t)s->rep_priority);
		if (r == 0)
			r = put_u32(out, s->rep_key);
		if (r == 0)
			r = put_u32(out, s->n);
		if (r == 0)
			r = put_u64(out, s->simhash);
		if (r == 0)
			r = put_u32(out, (uint32_t)s->has_lead << 8 | s->len);
		for (i = 0; r == 0 && i < s->len; i++) {
			r = put_u64(out, d->terms[term_of(&s->c[i])].hash);
			if (r == 0)
				r = put_f32(out, s->c[i].w);
			if (r == 0)
				r = buf_putc(out, (s->c[i].term & POSTED) != 0);
		}
	}
	if (r == 0)
		r = put_map(d, &d->items, out);
	if (r == 0)
		r = put_map(d, &d->urls, out);
	if (r == 0)
		r = put_u32(out, (uint32_t)d->seen.cap);
	for (i = 0, n = 0; i < d->seen.cap; i++)
		n += d->seen.slot[i] != 0;
	if (r == 0)
		r = put_u32(out, (uint32_t)n);
	for (i = 0; r == 0 && i < d->seen.cap; i++)
		if (d->seen.slot[i] != 0) {
			r = put_u32(out, (uint32_t)i);
			if (r == 0)
				r = put_u64(out, d->seen.slot[i]);
		}
	if (r == 0)
		r = boiler_save(d->boiler, out);
	if (r == 0)
		r = put_u64(out, hash_bytes(5, out->data + start, out->len - start));
	if (r < 0)
		buf_truncate(out, start);
	return r;
}

struct reader {
	const unsigned char	*p, *end;
	bool			 bad;
};

static uint64_t
get_u64(struct reader *rd)
{
	uint64_t v = 0;
	int i;

	if (rd->end - rd->p < 8) {
		rd->bad = true;
		return 0;
	}
	for (i = 0; i < 8; i++)
		v |= (uint64_t)rd->p[i] << (8 * i);
	rd->p += 8;
	return v;
}

static uint32_t
get_u32(struct reader *rd)
{
	uint32_t v = 0;
	int i;

	if (rd->end - rd->p < 4) {
		rd->bad = true;
		return 0;
	}
	for (i = 0; i < 4; i++)
		v |= (uint32_t)rd->p[i] << (8 * i);
	rd->p += 4;
	return v;
}

static float
get_f32(struct reader *rd)
{
	uint32_t v = get_u32(rd);
	float f;

	memcpy(&f, &v, sizeof(f));
	return f;
}

static int
get_map(struct dedup *d, struct map *m, struct reader *rd)
{
	uint32_t n = get_u32(rd), i, v, old;
	uint64_t k, id;
	int r = 0;

	if ((size_t)(rd->end - rd->p) / 8 < n)
		return -EINVAL;
	for (i = 0; r == 0 && i < n; i++) {
		k = get_u64(rd);		/* a slot: tag << 32 | story */
		v = (uint32_t)k;
		k &= ~(uint64_t)UINT32_MAX;
		if (k == 0 || !live_story(d, v, &id) || map_get(m, k, &old))
			return -EINVAL;
		r = map_put(m, k, v);
	}
	return r;
}

static int
load(struct dedup *d, struct reader *rd)
{
	struct story *s;
	uint32_t n, i, x;
	uint64_t h, id, next;
	int64_t t;
	unsigned j, k;
	int r = 0;

	d->now = (int64_t)get_u64(rd);
	d->n_items = get_u64(rd);
	d->first = d->next = get_u64(rd);
	next = get_u64(rd);
	n = get_u32(rd);
	if (rd->bad || next < d->first || next - d->first > UINT32_MAX / 2 || (size_t)(rd->end - rd->p) / 12 < n)
		return -EINVAL;
	for (i = 0; r == 0 && i < n; i++) {
		h = get_u64(rd);
		x = get_u32(rd);
		if (h == 0 || map_get(&d->term_of, h, &x))
			return -EINVAL;
		t = term_get(d, h);
		if (t < 0)
			return (int)t;
		d->terms[t].df = x;
	}
	for (id = d->first; r == 0 && id < next; id++) {
		if ((r = story_new(d, 0, &id)) < 0)
			return r;
		s = story_at(d, id);
		s->t0 = (int64_t)get_u64(rd);
		/* Stories close in ring order: their start dates must rise with their ids. */
		if (s->t0 < DATE_MIN || s->t0 > DATE_MAX || (id > d->first && s->t0 < story_at(d, id - 1)->t0))
			return -EINVAL;
		s->rep_date = (int64_t)get_u64(rd);
		s->rep_priority = (int32_t)get_u32(rd);
		s->rep_key = get_u32(rd);
		s->n = get_u32(rd);
		s->simhash = get_u64(rd);
		x = get_u32(rd);
		s->has_lead = x >> 8 != 0;
		s->len = 0;
		if (rd->bad || x >> 9 != 0 || (x & 0xff) > CENTROID_MAX || (size_t)(rd->end - rd->p) / 13 < (x & 0xff))
			return -EINVAL;
		if ((x & 0xff) > s->cap) {
			s->c = malloc((x & 0xff) * sizeof(*s->c));
			if (s->c == NULL) {
				s->c = s->in;
				return -ENOMEM;
			}
			s->cap = (uint8_t)(x & 0xff);
			d->heap += s->cap * sizeof(*s->c);
		}
		d->live_items += s->n;
		for (j = 0; j < (x & 0xff); j++) {
			uint32_t tv, *ti = map_get(&d->term_of, get_u64(rd), &tv) ? &tv : NULL;
			float w = get_f32(rd);
			unsigned char posted = rd->p < rd->end ? *rd->p++ : 2;

			if (ti == NULL || posted > 1 || !(w > 0) || !isfinite(w))
				return -EINVAL;
			for (k = 0; k < j; k++)
				if (term_of(&s->c[k]) == *ti)
					return -EINVAL;	/* a term twice in one centroid */
			s->c[j].term = *ti;
			s->c[j].w = w;
			s->len = (uint8_t)(j + 1);
			d->terms[*ti].refs++;
			if (posted && (r = post(d, *ti, id, w)) < 0)
				return r;
			if (posted)
				s->c[j].term |= POSTED;
		}
		s->norm = 0;
		{
			double norm = 0;

			for (j = 0; j < s->len; j++)
				norm += (double)s->c[j].w * s->c[j].w;
			s->norm = (float)sqrt(norm);
			d->norms[id & (d->ring_cap - 1)] = s->norm;
		}
		for (j = 0; s->has_lead && r == 0 && j < 4; j++)
			r = map_put(&d->leads, band_key(j, s->simhash), (uint32_t)id);
	}
	if (r == 0)
		r = get_map(d, &d->items, rd);
	if (r == 0)
		r = get_map(d, &d->urls, rd);
	x = r == 0 ? get_u32(rd) : 0;
	if (r == 0 && (x < SEEN_MIN || x > SEEN_MAX || (x & (x - 1)) != 0))
		return -EINVAL;
	if (r == 0 && (r = seen_grow(&d->seen, x / 2)) < 0)
		return r;
	n = r == 0 ? get_u32(rd) : 0;
	if (n > d->seen.cap || (size_t)(rd->end - rd->p) / 12 < n)
		return -EINVAL;
	for (i = 0; r == 0 && i < n; i++) {
		x = get_u32(rd);
		h = get_u64(rd);
		if (x >= d->seen.cap || h == 0 || d->seen.slot[x] != 0)
			return -EINVAL;
		d->seen.slot[x] = h;
	}
	if (r == 0 && !rd->bad) {
		size_t used;

		r = boiler_load(d->boiler, rd->p, (size_t)(rd->end - rd->p), &used);
		if (r == 0)
			rd->p += used;
	}
	if (r == 0 && (rd->bad || rd->p != rd->end))
		r = -EINVAL;
	return r;
}

int
dedup_load(struct dedup **ret, const struct dedup_opts *o, const void *data, size_t len)
{
	struct reader rd = { (const unsigned char *)data, (const unsigned char *)data + len, false };
	struct dedup *d;
	uint64_t sum;
	int r;

	*ret = NULL;
	if (len < 16 || memcmp(data, SAVE_MAGIC, 8) != 0)
		return -EINVAL;
	rd.p = rd.end - 8;
	sum = get_u64(&rd);
	if (sum != hash_bytes(5, data, len - 8))
		return -EINVAL;
	rd.p = (const unsigned char *)data + 8;
	rd.end = (const unsigned char *)data + len - 8;
	r = dedup_new(&d, o);
	if (r == 0)
		r = load(d, &rd);
	if (r < 0) {
		dedup_free(d);
		return r;
	}
	*ret = d;
	return 0;
}

/* ---------------------------------------------------------------- input lines */

/* The members of an input line that dedup reads, whichever parser found them. */
enum { F_ID, F_SOURCE, F_TITLE, F_URL, F_SUMMARY, F_DATE, F_PRIORITY, F_HTML, F_N };
static const char *const field_names[F_N] = {
	"id", "source", "title", "url", "summary", "date_published", "priority", "content_html",
};

enum field_type { ABSENT, STRING, INTEGER, OTHER };

struct field {
	enum field_type	 type;
	const char	*s;		/* STRING: in the scratch arena, NUL-terminated (JSON strings hold no NUL) */
	long long	 i;		/* INTEGER */
};

static int
field_of(const char *key, size_t n)
{
	int f;

	for (f = 0; f < F_N; f++)
		if (strlen(field_names[f]) == n && memcmp(field_names[f], key, n) == 0)
			return f;
	return -1;
}

/* ---- the fast path: a flat object of plain members, read without building a tree */

struct jscan {
	const char	*p, *end;
	struct arena	*a;
};

static void
skip_ws(struct jscan *js)
{
	while (js->p < js->end && (*js->p == ' ' || *js->p == '\t' || *js->p == '\n' || *js->p == '\r'))
		js->p++;
}

/* The length of the valid UTF-8 sequence at p (not a control character, not NUL), or 0. */
static size_t
utf8_len(const unsigned char *p, const unsigned char *end)
{
	size_t n, i;
	uint32_t c;

	if (p[0] >= 0x20 && p[0] < 0x80)
		return 1;
	if (p[0] >= 0xC2 && p[0] <= 0xDF)
		n = 2;
	else if (p[0] >= 0xE0 && p[0] <= 0xEF)
		n = 3;
	else if (p[0] >= 0xF0 && p[0] <= 0xF4)
		n = 4;
	else
		return 0;
	c = p[0] & (0x7F >> n);
	if ((size_t)(end - p) < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		c = c << 6 | (p[i] & 0x3F);
	}
	if ((n == 3 && (c < 0x800 || (c >= 0xD800 && c <= 0xDFFF))) || (n == 4 && (c < 0x10000 || c > 0x10FFFF)))
		return 0;
	return n;
}

static int
hex4(const char *p, uint32_t *ret)
{
	uint32_t v = 0;
	int i;

	for (i = 0; i < 4; i++) {
		v <<= 4;
		if (p[i] >= '0' && p[i] <= '9')
			v |= (uint32_t)(p[i] - '0');
		else if ((p[i] | 0x20) >= 'a' && (p[i] | 0x20) <= 'f')
			v |= (uint32_t)((p[i] | 0x20) - 'a' + 10);
		else
			return -1;
	}
	*ret = v;
	return 0;
}

#define ONES8	0x0101010101010101ULL

/* True when the 8 bytes at p are there and each is printable ASCII but '"' and '\\'. */
static bool
plain8(const char *p, const char *end)
{
	uint64_t x, q, b;

	if (end - p < 8)
		return false;
	memcpy(&x, p, 8);
	q = x ^ ('"' * ONES8);
	b = x ^ ('\\' * ONES8);
	/* A byte under 0x20, a zero byte of q or of b, a high bit: the classic tests, exact for "any". */
	return ((((x - 0x20 * ONES8) & ~x) | ((q - ONES8) & ~q) | ((b - ONES8) & ~b) | x) & 0x80 * ONES8) == 0;
}

/*
 * The string at js->p (after its quote): its bytes into *ret (in the arena when keep, escapes
 * decoded; else only checked). -1 for anything the fast path leaves to jansson: bad UTF-8,
 * control characters, \u0000, lone surrogates, a bad escape, the end of the line.
 */
static int
scan_string(struct jscan *js, bool keep, const char **ret, size_t *ret_len)
{
	const char *start = js->p, *p;
	char *out = NULL, *w = NULL;
	uint32_t c, lo;
	size_t n;

	for (p = start; p < js->end && *p != '"' && *p != '\\'; p += n) {
		if (plain8(p, js->end)) {
			n = 8;
			continue;
		}
		if ((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x80) {
			n = 1;
			continue;
		}
		if ((n = utf8_len((const unsigned char *)p, (const unsigned char *)js->end)) == 0)
			return -1;
	}
	if (p < js->end && *p == '"') {		/* no escapes: the common case */
		if (keep && (*ret = arena_strndup(js->a, start, (size_t)(p - start))) == NULL)
			return -ENOMEM;
		*ret_len = (size_t)(p - start);
		js->p = p + 1;
		return 0;
	}
	if (keep) {
		/* Decoded, a string is never longer than it is written. */
		if ((out = arena_alloc(js->a, (size_t)(js->end - start) + 1)) == NULL)
			return -ENOMEM;
		memcpy(out, start, (size_t)(p - start));
		w = out + (p - start);
	}
	while (p < js->end && *p != '"') {
		if (*p != '\\') {
			if ((n = utf8_len((const unsigned char *)p, (const unsigned char *)js->end)) == 0)
				return -1;
			if (keep)
				w = (char *)memcpy(w, p, n) + n;
			p += n;
			continue;
		}
		if (js->end - p < 2)
			return -1;
		switch (p[1]) {
		case '"':
		case '\\':
		case '/':
			c = (unsigned char)p[1];
			break;
		case 'b':
			c = '\b';
			break;
		case 'f':
			c = '\f';
			break;
		case 'n':
			c = '\n';
			break;
		case 'r':
			c = '\r';
			break;
		case 't':
			c = '\t';
			break;
		case 'u':
			if (js->end - p < 6 || hex4(p + 2, &c) < 0 || c == 0 || (c >= 0xDC00 && c <= 0xDFFF))
				return -1;
			if (c >= 0xD800 && c <= 0xDBFF) {
				if (js->end - p < 12 || p[6] != '\\' || p[7] != 'u' || hex4(p + 8, &lo) < 0 ||
				    lo < 0xDC00 || lo > 0xDFFF)
					return -1;
				c = 0x10000 + ((c - 0xD800) << 10) + (lo - 0xDC00);
				p += 6;
			}
			p += 4;
			break;
		default:
			return -1;
		}
		p += 2;
		if (!keep)
			continue;
		if (c < 0x80) {
			*w++ = (char)c;
		} else if (c < 0x800) {
			*w++ = (char)(0xC0 | c >> 6);
			*w++ = (char)(0x80 | (c & 0x3F));
		} else if (c < 0x10000) {
			*w++ = (char)(0xE0 | c >> 12);
			*w++ = (char)(0x80 | (c >> 6 & 0x3F));
			*w++ = (char)(0x80 | (c & 0x3F));
		} else {
			*w++ = (char)(0xF0 | c >> 18);
			*w++ = (char)(0x80 | (c >> 12 & 0x3F));
			*w++ = (char)(0x80 | (c >> 6 & 0x3F));
			*w++ = (char)(0x80 | (c & 0x3F));
		}
	}
	if (p == js->end)
		return -1;
	if (keep) {
		*w = '\0';
		*ret = out;
		*ret_len = (size_t)(w - out);
	}
	js->p = p + 1;
	return 0;
}

/*
 * A line that is one flat JSON object whose members are strings, small integers, true, false or
 * null, with no key twice, into f[]. 1 when read; 0 for anything else (nested values, other
 * numbers, escapes in keys, anything invalid), which jansson then reads and judges; -ENOMEM.
 */
static int
fast_fields(const char *line, size_t len, struct arena *a, struct field f[F_N])
{
	struct jscan js = { line, line + len, a };
	const char *other[16], *key, *v;
	size_t other_len[16], nother = 0, kn, vn, i;
	long long num;
	int k, r, digits;
	bool neg;

	skip_ws(&js);
	if (js.p == js.end || *js.p++ != '{')
		return 0;
	skip_ws(&js);
	if (js.p < js.end && *js.p == '}') {
		js.p++;
		goto done;
	}
	for (;;) {
		skip_ws(&js);
		if (js.p == js.end || *js.p++ != '"')
			return 0;
		key = js.p;
		while (js.p < js.end && *js.p != '"' && *js.p != '\\' && (unsigned char)*js.p >= 0x20 &&
		    (unsigned char)*js.p < 0x80)
			js.p++;
		if (js.p == js.end || *js.p != '"')
			return 0;	/* escapes or non-ASCII in a key: jansson's */
		kn = (size_t)(js.p++ - key);
		k = field_of(key, kn);
		if (k >= 0 && f[k].type != ABSENT)
			return 0;	/* twice: jansson says so */
		if (k < 0) {
			for (i = 0; i < nother; i++)
				if (other_len[i] == kn && memcmp(other[i], key, kn) == 0)
					return 0;
			if (nother == 16)
				return 0;
			other[nother] = key;
			other_len[nother++] = kn;
		}
		skip_ws(&js);
		if (js.p == js.end || *js.p++ != ':')
			return 0;
		skip_ws(&js);
		if (js.p == js.end)
			return 0;
		if (*js.p == '"') {
			js.p++;
			r = scan_string(&js, k >= 0, &v, &vn);
			if (r == -ENOMEM)
				return r;
			if (r < 0)
				return 0;
			if (k >= 0) {
				f[k].type = STRING;
				f[k].s = v;
			}
		} else if (*js.p == '-' || (*js.p >= '0' && *js.p <= '9')) {
			neg = *js.p == '-';
			js.p += neg;
			for (num = 0, digits = 0; js.p < js.end && *js.p >= '0' && *js.p <= '9'; js.p++, digits++)
				if (digits < 18)	/* more are jansson's: no overflow here */
					num = num * 10 + (*js.p - '0');
			if (digits == 0 || digits > 18 || (digits > 1 && js.p[-digits] == '0') ||
			    (js.p < js.end && (*js.p == '.' || *js.p == 'e' || *js.p == 'E')))
				return 0;
			if (k >= 0) {
				f[k].type = INTEGER;
				f[k].i = neg ? -num : num;
			}
		} else if ((size_t)(js.end - js.p) >= 4 && (memcmp(js.p, "true", 4) == 0 || memcmp(js.p, "null", 4) == 0)) {
			js.p += 4;
			if (k >= 0)
				f[k].type = OTHER;
		} else if ((size_t)(js.end - js.p) >= 5 && memcmp(js.p, "false", 5) == 0) {
			js.p += 5;
			if (k >= 0)
				f[k].type = OTHER;
		} else {
			return 0;
		}
		skip_ws(&js);
		if (js.p == js.end)
			return 0;
		if (*js.p == '}') {
			js.p++;
			break;
		}
		if (*js.p++ != ',')
			return 0;
	}
done:
	skip_ws(&js);
	return js.p == js.end ? 1 : 0;
}

/* ---- the general path: jansson */

static int
jansson_fields(const json_t *o, struct arena *a, struct field f[F_N])
{
	const json_t *v;
	int k;

	for (k = 0; k < F_N; k++) {
		if ((v = json_object_get(o, field_names[k])) == NULL)
			continue;
		if (json_is_string(v)) {
			f[k].type = STRING;
			if ((f[k].s = arena_strndup(a, json_string_value(v), json_string_length(v))) == NULL)
				return -ENOMEM;
		} else if (json_is_integer(v)) {
			f[k].type = INTEGER;
			f[k].i = json_integer_value(v);
		} else {
			f[k].type = OTHER;
		}
	}
	return 0;
}

int
dedup_item_from_json(const char *line, size_t len, struct arena *scratch, struct dedup_item *it,
    char err[DEDUP_WHY_LEN])
{
	struct field f[F_N];
	json_error_t je;
	struct buf text;
	json_t *o;
	int r;

	memset(it, 0, sizeof(*it));
	memset(f, 0, sizeof(f));
	err[0] = '\0';
	r = fast_fields(line, len, scratch, f);
	if (r < 0)
		return r;
	if (r == 0) {
		memset(f, 0, sizeof(f));
		o = json_loadb(line, len, JSON_REJECT_DUPLICATES, &je);
		if (o == NULL) {
			(void)snprintf(err, DEDUP_WHY_LEN, "not JSON: %s (column %d)", je.text, je.column);
			return -EINVAL;
		}
		if (!json_is_object(o)) {
			(void)snprintf(err, DEDUP_WHY_LEN, "not a JSON object");
			json_decref(o);
			return -EINVAL;
		}
		r = jansson_fields(o, scratch, f);
		json_decref(o);
		if (r < 0)
			return r;
	}
	if (f[F_ID].type != STRING || f[F_SOURCE].type != STRING) {
		(void)snprintf(err, DEDUP_WHY_LEN, "\"id\" and \"source\" must be strings");
		return -EINVAL;
	}
	it->id = f[F_ID].s;
	it->source = f[F_SOURCE].s;
	it->title = f[F_TITLE].type == STRING ? f[F_TITLE].s : NULL;
	it->url = f[F_URL].type == STRING ? f[F_URL].s : NULL;
	it->text = f[F_SUMMARY].type == STRING ? f[F_SUMMARY].s : NULL;
	if (f[F_DATE].type != ABSENT && (f[F_DATE].type != STRING || date_parse(f[F_DATE].s, &it->date) != 0)) {
		(void)snprintf(err, DEDUP_WHY_LEN, "\"date_published\" is not a date");
		memset(it, 0, sizeof(*it));
		return -EINVAL;
	}
	if (f[F_PRIORITY].type == INTEGER && f[F_PRIORITY].i >= INT32_MIN / 2 && f[F_PRIORITY].i <= INT32_MAX / 2)
		it->priority = (int)f[F_PRIORITY].i;
	r = 0;
	if (it->text == NULL && f[F_HTML].type == STRING) {
		buf_init(&text, ITEM_MAX_FIELD);
		r = text_from_html(f[F_HTML].s, strlen(f[F_HTML].s), &text);
		if (r == 0 && (it->text = arena_strndup(scratch, buf_str(&text), text.len)) == NULL)
			r = -ENOMEM;
		buf_release(&text);
		if (r == -E2BIG)
			r = 0;
	}
	return r;
}

/* ---------------------------------------------------------------- life */

/* Marks in trailer_pair the two bytes the folded marker m may start with (any second byte for one byte). */
static void
pair_mark(struct dedup *d, const unsigned char *m)
{
	unsigned b, k;

	for (b = 0; b < 256; b++) {
		if (m[1] != '\0' && b != m[1] && !(m[1] == ' ' && b == '\n'))
			continue;
		k = pair_of(m[0], (unsigned char)b);
		d->trailer_pair[k / 64] |= 1ULL << (k % 64);
	}
}

/* d->trailers: the options' markers, or the built-in ones, folded. 0, -ENOMEM or -EINVAL. */
static int
trailers_fill(struct dedup *d, const char *const *list)
{
	struct buf b;
	size_t n, i;
	int r = 0;

	for (n = 0; list[n] != NULL; n++)
		if (n == DEDUP_TRAILERS_MAX || strlen(list[n]) > DEDUP_TRAILER_LEN)
			return -EINVAL;
	if ((d->trailers = calloc(n + 1, sizeof(*d->trailers))) == NULL)
		return -ENOMEM;
	for (i = 0; r == 0 && i < n; i++) {
		buf_init(&b, SIZE_MAX);
		r = fold(list[i], strlen(list[i]), &b, false);
		if (r == 0 && (b.len == 0 || b.data[0] == ' '))
			r = -EINVAL;		/* a marker must start with what it marks */
		if (r == 0) {
			d->trailers[i] = buf_take(&b, NULL);
			d->trailer_first[(unsigned char)d->trailers[i][0]] |= 1ULL << i;
			pair_mark(d, (const unsigned char *)d->trailers[i]);
		}
		buf_release(&b);
	}
	return r;
}

int
dedup_new(struct dedup **ret, const struct dedup_opts *o)
{
	struct dedup *d = calloc(1, sizeof(*d));
	unsigned i, j;
	int r;

	*ret = NULL;
	if (d == NULL)
		return -ENOMEM;
	r = trailers_fill(d, o != NULL && o->trailers != NULL ? o->trailers : dedup_trailers);
	if (r == 0)
		r = boiler_new(&d->boiler);
	if (r < 0) {
		dedup_free(d);
		return r;
	}
	d->window = o != NULL && o->window > 0 ? o->window : DEDUP_WINDOW;
	d->threshold = o != NULL && o->threshold > 0 ? o->threshold : DEDUP_THRESHOLD;
	d->now = INT64_MIN;
	d->explain = o != NULL && o->explain;
	d->seen.cap = SEEN_MIN;
	d->seen.slot = calloc(SEEN_MIN, sizeof(*d->seen.slot));
	if (d->seen.slot == NULL) {
		dedup_free(d);
		return -ENOMEM;
	}
	stop_set_fill(d);
	for (i = 0; i < 256; i++)
		for (j = 0; j < 8; j++)
			d->spread[i] |= (uint64_t)(i >> j & 1) << (8 * j);
	buf_init(&d->norm, SIZE_MAX);
	buf_init(&d->src, SIZE_MAX);
	*ret = d;
	return 0;
}

void
dedup_free(struct dedup *d)
{
	size_t i;

	if (d == NULL)
		return;
	/* Only the centroids on the heap: closing each story would unpost terms about to be freed. */
	for (; d->first < d->next; d->first++)
		if (story_at(d, d->first)->c != story_at(d, d->first)->in)
			free(story_at(d, d->first)->c);
	free(d->ring);
	free(d->norms);
	free(d->terms);
	for (i = 0; i < POST_CLASSES; i++)
		free(d->posts[i].p);
	map_free(&d->term_of);
	map_free(&d->items);
	map_free(&d->urls);
	map_free(&d->leads);
	buf_release(&d->norm);
	buf_release(&d->src);
	free(d->seen.slot);
	for (i = 0; d->trailers != NULL && d->trailers[i] != NULL; i++)
		free(d->trailers[i]);
	free(d->trailers);
	boiler_free(d->boiler);
	free(d);
}

size_t
dedup_memory(const struct dedup *d)
{
	const struct map *maps[] = { &d->term_of, &d->items, &d->urls, &d->leads };
	size_t n = sizeof(*d) + d->heap + d->seen.cap * sizeof(*d->seen.slot) + boiler_memory(d->boiler), i;
	size_t posts = 0;

	for (i = 0; i < POST_CLASSES; i++)
		posts += (d->posts[i].cap << (i + 1)) * sizeof(struct posting);
	for (i = 0; i < sizeof(maps) / sizeof(maps[0]); i++)
		n += maps[i]->cap * sizeof(uint64_t);
	return n + d->ring_cap * (sizeof(*d->ring) + sizeof(*d->norms)) + d->terms_cap * sizeof(*d->terms) +
	    posts;
}

size_t
dedup_items(const struct dedup *d)
{
	return d->live_items;
}

size_t
dedup_stories(const struct dedup *d)
{
	return (size_t)(d->next - d->first);
}

uint64_t
dedup_next_story(const struct dedup *d)
{
	return d->next;
}
