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
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <utf8proc.h>

#include "date.h"
#include "dedup.h"
#include "limits.h"
#include "text.h"
#include "url.h"

#define MAX_TERMS	32		/* terms read from one title */
#define TITLE_MAX	1024		/* bytes of a title read */
#define PROBE_TERMS	8		/* an item's rarest terms whose postings give the candidates */
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
#define LEAD_MIN_WORDS	12		/* fewer say too little to call two texts copies */
#define NEAR_BITS	3		/* SimHash bits two copies may differ in */
#define SAVE_MAGIC	"WDDEDUP4"

/* A map from nonzero 64-bit keys to 32-bit values: linear probing, backward-shift deletion. */
struct map {
	uint64_t	*keys;		/* 0: empty */
	uint32_t	*vals;
	size_t		 cap;		/* a power of two, or 0 */
	size_t		 len;
};

struct term {
	uint64_t	 hash;		/* 0: a free slot */
	uint32_t	 df;		/* items that had it, halved every DF_SPAN items */
	uint32_t	 head;		/* first posting, 0: none */
	uint32_t	 sf;		/* postings: live stories whose centroid has it (at most POSTING_CAP) */
	uint32_t	 refs;		/* centroid entries that name it */
};

struct posting {
	uint32_t	 story;		/* the story's id, low 32 bits */
	uint32_t	 next;
};

struct cterm {
	uint32_t	 term;		/* index into the term table; the top bit: posted */
	float		 w;
};
#define POSTED		0x80000000u
#define FRESH		0x40000000u	/* while a centroid is updated: not referenced yet */
#define TERMS_MAX	FRESH		/* term indices stay below the flags */

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
	size_t		 ring_cap;
	struct term	*terms;
	size_t		 terms_len, terms_cap;
	uint32_t	 terms_free;	/* a free slot's index + 1 chained through head, 0: none */
	struct posting	*posts;		/* [0] unused */
	size_t		 posts_len, posts_cap;
	uint32_t	 posts_free;
	struct map	 term_of;	/* term hash -> index */
	struct map	 items;		/* hash of source and id -> story */
	struct map	 urls;		/* hash of canonical URL -> story */
	struct map	 leads;		/* SimHash band -> story */
	size_t		 heap;		/* bytes of centroids on the heap */
	struct buf	 norm, src;	/* scratch of dedup_add: the folded title and source name, the lead */
	struct seen	 seen;		/* see seen_get() */
	uint64_t	 stop[STOP_SLOTS];	/* the stop words' term hashes, see is_stop() */
};

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

static uint32_t *
map_get(const struct map *m, uint64_t k)
{
	size_t i;

	if (m->cap == 0)
		return NULL;
	for (i = k & (m->cap - 1); m->keys[i] != 0; i = (i + 1) & (m->cap - 1))
		if (m->keys[i] == k)
			return &m->vals[i];
	return NULL;
}

static int
map_resize(struct map *m, size_t cap)
{
	uint64_t *keys = calloc(cap, sizeof(*keys));
	uint32_t *vals = malloc(cap * sizeof(*vals));
	size_t i, j;

	if (keys == NULL || vals == NULL) {
		free(keys);
		free(vals);
		return -ENOMEM;
	}
	for (i = 0; i < m->cap; i++) {
		if (m->keys[i] == 0)
			continue;
		for (j = m->keys[i] & (cap - 1); keys[j] != 0; j = (j + 1) & (cap - 1))
			;
		keys[j] = m->keys[i];
		vals[j] = m->vals[i];
	}
	free(m->keys);
	free(m->vals);
	m->keys = keys;
	m->vals = vals;
	m->cap = cap;
	return 0;
}

static void
map_del_at(struct map *m, size_t i)
{
	size_t j = i, home;

	/* Backward shift: move up every later key of the run that may sit in the hole. */
	for (;;) {
		j = (j + 1) & (m->cap - 1);
		if (m->keys[j] == 0)
			break;
		home = m->keys[j] & (m->cap - 1);
		if (((j - home) & (m->cap - 1)) >= ((j - i) & (m->cap - 1))) {
			m->keys[i] = m->keys[j];
			m->vals[i] = m->vals[j];
			i = j;
		}
	}
	m->keys[i] = 0;
	m->len--;
}

static void
map_del(struct map *m, uint64_t k)
{
	size_t i;

	if (m->cap == 0)
		return;
	for (i = k & (m->cap - 1); m->keys[i] != 0; i = (i + 1) & (m->cap - 1))
		if (m->keys[i] == k) {
			map_del_at(m, i);
			return;
		}
}

/* Inserts or replaces. With room made first, so a failure leaves m unchanged. 0 or -ENOMEM. */
static int
map_put(struct map *m, uint64_t k, uint32_t v)
{
	uint32_t *p = map_get(m, k);
	size_t i;
	int r;

	if (p != NULL) {
		*p = v;
		return 0;
	}
	if ((m->len + 1) * 4 > m->cap * 3 && (r = map_resize(m, m->cap != 0 ? m->cap * 2 : 64)) < 0)
		return r;
	for (i = k & (m->cap - 1); m->keys[i] != 0; i = (i + 1) & (m->cap - 1))
		;
	m->keys[i] = k;
	m->vals[i] = v;
	m->len++;
	return 0;
}

static void
map_free(struct map *m)
{
	free(m->keys);
	free(m->vals);
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
		if (m->keys[i] != 0 && !live_story(d, m->vals[i], &id))
			map_del_at(m, i);	/* a later key may have moved into i: look again */
		else
			i++;
	}
	/* Entries that wrapped around past the end may have been shifted over already checked ones. */
	for (i = 0; i < m->cap; i++)
		if (m->keys[i] != 0 && !live_story(d, m->vals[i], &id))
			map_del_at(m, i--);
	return m->cap > 1024 && m->len * 8 < m->cap ? map_resize(m, m->cap / 2) : 0;
}

static uint32_t
term_of(const struct cterm *c)
{
	return c->term & ~(POSTED | FRESH);
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

static int
post(struct dedup *d, uint32_t t, uint64_t story)
{
	struct posting *p;
	uint32_t i;
	size_t cap;

	if (d->posts_free != 0) {
		i = d->posts_free;
		d->posts_free = d->posts[i].next;
	} else {
		if (d->posts_len == d->posts_cap) {
			cap = d->posts_cap != 0 ? d->posts_cap * 2 : 1024;
			if (cap > UINT32_MAX || (p = realloc(d->posts, cap * sizeof(*p))) == NULL)
				return -ENOMEM;
			d->posts = p;
			d->posts_cap = cap;
			if (d->posts_len == 0)
				d->posts_len = 1;	/* index 0 is the end of a list */
		}
		i = (uint32_t)d->posts_len++;
	}
	d->posts[i].story = (uint32_t)story;
	d->posts[i].next = d->terms[t].head;
	d->terms[t].head = i;
	d->terms[t].sf++;
	return 0;
}

static void
unpost(struct dedup *d, uint32_t t, uint64_t story)
{
	uint32_t *at = &d->terms[t].head, i;

	for (i = *at; i != 0; at = &d->posts[i].next, i = *at) {
		if (d->posts[i].story != (uint32_t)story)
			continue;
		*at = d->posts[i].next;
		d->posts[i].next = d->posts_free;
		d->posts_free = i;
		d->terms[t].sf--;
		return;
	}
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
	uint32_t *v;
	unsigned i;

	for (i = 0; i < s->len; i++) {
		if (s->c[i].term & POSTED)
			unpost(d, term_of(&s->c[i]), id);
		term_release(d, term_of(&s->c[i]));
	}
	for (i = 0; s->has_lead && i < 4; i++)
		if ((v = map_get(&d->leads, band_key(i, s->simhash))) != NULL && *v == (uint32_t)id)
			map_del(&d->leads, band_key(i, s->simhash));
	if (s->c != s->in) {
		d->heap -= s->cap * sizeof(*s->c);
		free(s->c);
	}
	d->live_items -= s->n;
	memset(s, 0, sizeof(*s));
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
	size_t cap;
	uint64_t id;

	if (d->next - d->first < d->ring_cap)
		return 0;
	cap = d->ring_cap != 0 ? d->ring_cap * 2 : 256;
	ring = calloc(cap, sizeof(*ring));
	if (ring == NULL)
		return -ENOMEM;
	for (id = d->first; id < d->next; id++) {
		ring[id & (cap - 1)] = *story_at(d, id);
		if (story_at(d, id)->c == story_at(d, id)->in)
			ring[id & (cap - 1)].c = ring[id & (cap - 1)].in;
	}
	free(d->ring);
	d->ring = ring;
	d->ring_cap = cap;
	return 0;
}

/* ---------------------------------------------------------------- terms */

/* The index of the term with this hash, made when new. -ENOMEM, else the index. */
static int64_t
term_get(struct dedup *d, uint64_t hash)
{
	struct term *t;
	uint32_t *v = map_get(&d->term_of, hash), i;
	size_t cap;
	int r;

	if (v != NULL)
		return *v;
	if (d->terms_free != 0) {
		i = d->terms_free - 1;
		d->terms_free = d->terms[i].head;
	} else {
		if (d->terms_len == d->terms_cap) {
			cap = d->terms_cap != 0 ? d->terms_cap * 2 : 1024;
			if (cap > TERMS_MAX || (t = realloc(d->terms, cap * sizeof(*t))) == NULL)
				return -ENOMEM;
			d->terms = t;
			d->terms_cap = cap;
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

/* Case-folded NFKC of s with quotes and dashes made ASCII and white space single spaces. */
static int
fold(const char *s, size_t len, struct buf *out)
{
	utf8proc_int32_t c;
	utf8proc_ssize_t n;
	utf8proc_uint8_t *m = NULL;
	const char *p;
	size_t i;
	int r = 0;
	bool ascii = true;

	for (i = 0; i < len && ascii; i++)
		ascii = (unsigned char)s[i] < 0x80;
	if (!ascii) {
		n = utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)len, &m, UTF8PROC_STABLE |
		    UTF8PROC_COMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD | UTF8PROC_IGNORE);
		if (n < 0)
			return n == UTF8PROC_ERROR_NOMEM ? -ENOMEM : 0;	/* not UTF-8: no terms */
		s = (const char *)m;
		len = (size_t)n;
	}
	for (p = s; r == 0 && p < s + len;) {
		if ((unsigned char)*p < 0x80) {
			c = (unsigned char)*p++;
			if (c >= 'A' && c <= 'Z')
				c += 'a' - 'A';
			else if (c == '\t' || c == '\n' || c == '\r' || c < 0x20)
				c = ' ';
			else if (c == '`')
				c = '\'';
			if (c != ' ' || (out->len > 0 && out->data[out->len - 1] != ' '))
				r = buf_putc(out, (char)c);
			continue;
		}
		n = utf8proc_iterate((const utf8proc_uint8_t *)p, s + len - p, &c);
		if (n <= 0)
			break;
		if (c == 0x2018 || c == 0x2019)
			r = buf_putc(out, '\'');
		else if (c == 0x201C || c == 0x201D)
			r = buf_putc(out, '"');
		else if (c == 0x2013 || c == 0x2014)
			r = buf_putc(out, '-');
		else if (c == 0x2026)
			r = buf_puts(out, "...");
		else
			r = buf_append(out, p, (size_t)n);
		p += n;
	}
	free(m);
	return r;
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
	if (title == NULL || fold(title, cut_utf8(title, TITLE_MAX), norm) < 0 || norm->len == 0)
		return 0;
	if (source != NULL && fold(source, cut_utf8(source, TITLE_MAX), src) < 0)
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
static const char *const trailers[] = {
	"you may also like", "leave a reply", "leave a comment", "related articles", "related posts",
	"related stories", "share this:", "share this article", "read more:", "sign up for our",
	"subscribe to our", "follow us on", "the post ", "click here to",
};

/* The SimHash of the lead's word 3-shingles, boilerplate cut; false when it is too short to tell. */
static bool
lead_simhash(const char *text, struct buf *scratch, uint64_t *ret)
{
	uint64_t words[LEAD_WORDS], h;
	int32_t v[64] = { 0 };
	const char *p, *end, *w, *cut;
	size_t n, count = 0, i, b;

	if (text == NULL)
		return false;
	buf_clear(scratch);
	if (fold(text, cut_utf8(text, 16 * LEAD_WORDS * 8), scratch) < 0 || scratch->len == 0)
		return false;
	end = scratch->data + scratch->len;
	for (i = 0; i < sizeof(trailers) / sizeof(trailers[0]); i++) {
		cut = strstr(scratch->data, trailers[i]);
		if (cut != NULL && cut < end)
			end = cut;
	}
	for (p = scratch->data; p < end && count < LEAD_WORDS;) {
		if (!word_char(p, end, &n)) {
			p += n;
			continue;
		}
		for (w = p; p < end && word_char(p, end, &n); p += n)
			;
		words[count++] = hash_bytes(1, w, (size_t)(p - w));
	}
	if (count < LEAD_MIN_WORDS)
		return false;
	for (i = 0; i + 2 < count; i++) {
		h = mix64(words[i] * 31 * 31 + words[i + 1] * 31 + words[i + 2]);
		for (b = 0; b < 64; b++)
			v[b] += (h >> b & 1) != 0 ? 1 : -1;
	}
	for (h = 0, b = 0; b < 64; b++)
		if (v[b] > 0)
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
		if (all[i].term & FRESH) {
			x = term_of(&all[i]);
			all[i].term = x;
			d->terms[x].refs++;
			if (d->terms[x].sf < POSTING_CAP && post(d, x, id) == 0)
				all[i].term |= POSTED;
		}
		norm += (double)all[i].w * all[i].w;
	}
	memcpy(s->c, all, keep * sizeof(*all));
	s->len = (uint8_t)keep;
	s->norm = (float)sqrt(norm);
	return 0;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
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

/* The live story whose centroid is closest to the item's terms, by the guard and the threshold. */
static void
best_story(struct dedup *d, struct tterm *t, size_t nt, uint64_t *ret_id, double *ret_sim)
{
	uint64_t cand[PROBE_TERMS * POSTING_CAP], id;
	struct tterm probe[MAX_TERMS];
	struct term_set ts;
	size_t nc = 0, i, k, live = d->next - d->first;
	uint32_t pi, x;
	double sim, mass, top, spec[MAX_TERMS];
	unsigned shared;
	const struct story *s;
	int j;

	*ret_sim = 0;
	set_fill(&ts, t, nt);
	/* Only the item's terms can be shared: their specificity among live stories, once. */
	for (i = 0; i < nt; i++)
		spec[i] = log((double)(live + 1) / (d->terms[t[i].term].sf + 1));
	memcpy(probe, t, nt * sizeof(*t));
	sort_probe(probe, nt, d);
	for (i = 0, k = 0; i < nt && k < PROBE_TERMS; i++) {
		if (d->terms[probe[i].term].sf == 0)
			continue;
		if (d->terms[probe[i].term].sf >= POSTING_CAP)
			break;		/* sorted by list length: the rest are as generic */
		k++;
		for (pi = d->terms[probe[i].term].head; pi != 0; pi = d->posts[pi].next)
			if (live_story(d, d->posts[pi].story, &id))
				cand[nc++] = id;
	}
	if (nc <= 32)
		for (i = 1; i < nc; i++)
			for (k = i; k > 0 && cand[k - 1] > cand[k]; k--) {
				id = cand[k];
				cand[k] = cand[k - 1];
				cand[k - 1] = id;
			}
	else
		qsort(cand, nc, sizeof(*cand), cmp_u64);
	for (i = 0; i < nc; i++) {
		if (i > 0 && cand[i] == cand[i - 1])
			continue;
		s = story_at(d, cand[i]);
		sim = 0;
		mass = 0;
		shared = 0;
		top = 0;
		for (k = 0; k < s->len; k++) {
			x = term_of(&s->c[k]);
			if ((j = set_find(&ts, x)) < 0)
				continue;
			sim += (double)t[j].q * s->c[k].w;
			mass += spec[j];
			shared++;
			if (s->c[k].w > top)
				top = s->c[k].w;
		}
		if (mass < GUARD_MASS || s->norm <= 0)
			continue;
		/* One shared word is enough only when the story is about it: it dominates the centroid. */
		if (shared == 1 && top < KEY_SHARE * s->norm)
			continue;
		sim /= s->norm;
		if (sim > *ret_sim) {
			*ret_sim = sim;
			*ret_id = cand[i];
		}
	}
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
static bool
is_series(struct dedup *d, const struct tterm *t, size_t nt, uint64_t source_hash)
{
	int64_t day = d->now / 86400;
	uint64_t words = 0, key, series;
	size_t i;

	for (i = 0; i < nt; i++)
		words += t[i].hash;		/* the set of terms, in any order */
	series = mix64(words ^ 0x5e51e5ULL);
	if (seen_get(&d->seen, series, day))
		return true;
	key = mix64(words ^ source_hash);
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
	bool series;
	uint64_t skey = hash_bytes(7, it->source != NULL ? it->source : "", it->source != NULL ? strlen(it->source) : 0);
	uint64_t closest = 0, ikey, ukey, id = 0, simhash = 0;
	uint32_t *v;
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

	ikey = item_key(it);
	if ((v = map_get(&d->items, ikey)) != NULL && live_story(d, *v, &id)) {
		/* An update: the story keeps its representative, which this item may be. */
		ret->story = id;
		ret->how = DEDUP_SAME_ITEM;
		ret->representative = story_at(d, id)->rep_key == (uint32_t)ikey;
		if (d->explain)
			explain(d, ret, t, 0, 0, 0);
		return 0;
	}

	nt = title_terms(d, it->title, it->source, skey, t);
	series = nt > 0 && is_series(d, t, nt, skey);
	for (i = 0; r == 0 && i < nt; i++) {
		ti = term_get(d, t[i].hash);
		if (ti < 0) {
			r = (int)ti;
			break;
		}
		t[i].term = (uint32_t)ti;
		/* IDF from the items before this one; an unseen term weighs the most. */
		idf = log(((double)d->n_items + IDF_PRIOR) / ((double)d->terms[ti].df + 1));
		t[i].q = (float)idf;
		len2 += idf * idf;
	}
	if (r < 0)
		return r;	/* terms made so far have no count: the next decay drops them */
	d->n_items++;
	for (i = 0; i < nt; i++)
		d->terms[t[i].term].df++;
	for (i = 0; i < nt; i++)
		t[i].q = len2 > 0 ? (float)(t[i].q / sqrt(len2)) : 0;

	ukey = url_key(it->url, &d->src);
	lead = lead_simhash(it->text, &d->src, &simhash);
	if (ukey != 0 && (v = map_get(&d->urls, ukey)) != NULL && live_story(d, *v, &id))
		ret->how = DEDUP_SAME_URL;
	for (i = 0; lead && ret->how == DEDUP_NEW && i < 4; i++)
		if ((v = map_get(&d->leads, band_key((unsigned)i, simhash))) != NULL && live_story(d, *v, &id) &&
		    __builtin_popcountll(story_at(d, id)->simhash ^ simhash) <= NEAR_BITS)
			ret->how = DEDUP_NEAR_COPY;
	if (ret->how == DEDUP_NEW && nt > 0 && !series) {
		best_story(d, t, nt, &closest, &sim);
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
	if (r == 0)
		r = map_put(&d->items, ikey, (uint32_t)id);
	if (r == 0 && ukey != 0 && ret->how != DEDUP_SAME_URL)
		r = map_put(&d->urls, ukey, (uint32_t)id);
	/* Keys of closed stories linger in the maps until they outnumber the live items. */
	if (r == 0 && d->items.len > 2 * d->live_items + 1024)
		r = map_sweep(d, &d->items);
	if (r == 0 && d->urls.len > 2 * d->live_items + 1024)
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
		n += m->keys[i] != 0 && live_story(d, m->vals[i], &id);
	r = put_u32(out, (uint32_t)n);
	for (i = 0; r == 0 && i < m->cap; i++)
		if (m->keys[i] != 0 && live_story(d, m->vals[i], &id)) {
			r = put_u64(out, m->keys[i]);
			if (r == 0)
				r = put_u32(out, m->vals[i]);
		}
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
	uint32_t n = get_u32(rd), i, v;
	uint64_t k, id;
	int r = 0;

	if ((size_t)(rd->end - rd->p) / 12 < n)
		return -EINVAL;
	for (i = 0; r == 0 && i < n; i++) {
		k = get_u64(rd);
		v = get_u32(rd);
		if (k == 0 || !live_story(d, v, &id))
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
		if (h == 0 || map_get(&d->term_of, h) != NULL)
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
			uint32_t *ti = map_get(&d->term_of, get_u64(rd));
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
			if (posted && (r = post(d, *ti, id)) < 0)
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

static const char *
json_str(const json_t *o, const char *key, struct arena *a)
{
	const json_t *v = json_object_get(o, key);

	if (!json_is_string(v))
		return NULL;
	return arena_strndup(a, json_string_value(v), json_string_length(v));
}

int
dedup_item_from_json(const char *line, size_t len, struct arena *scratch, struct dedup_item *it,
    char err[DEDUP_WHY_LEN])
{
	const json_t *v;
	json_error_t je;
	struct buf text;
	const char *html;
	json_t *o;
	int r = 0;

	memset(it, 0, sizeof(*it));
	err[0] = '\0';
	o = json_loadb(line, len, JSON_REJECT_DUPLICATES, &je);
	if (o == NULL) {
		(void)snprintf(err, DEDUP_WHY_LEN, "not JSON: %s (column %d)", je.text, je.column);
		return -EINVAL;
	}
	if (!json_is_object(o)) {
		(void)snprintf(err, DEDUP_WHY_LEN, "not a JSON object");
		r = -EINVAL;
		goto out;
	}
	it->id = json_str(o, "id", scratch);
	it->source = json_str(o, "source", scratch);
	if ((it->id == NULL && json_is_string(json_object_get(o, "id"))) ||
	    (it->source == NULL && json_is_string(json_object_get(o, "source")))) {
		r = -ENOMEM;
		goto out;
	}
	if (it->id == NULL || it->source == NULL) {
		(void)snprintf(err, DEDUP_WHY_LEN, "\"id\" and \"source\" must be strings");
		r = -EINVAL;
		goto out;
	}
	it->title = json_str(o, "title", scratch);
	it->url = json_str(o, "url", scratch);
	it->text = json_str(o, "summary", scratch);
	if ((v = json_object_get(o, "date_published")) != NULL &&
	    (!json_is_string(v) || date_parse(json_string_value(v), &it->date) != 0)) {
		(void)snprintf(err, DEDUP_WHY_LEN, "\"date_published\" is not a date");
		r = -EINVAL;
		goto out;
	}
	if (json_is_integer(v = json_object_get(o, "priority")) && json_integer_value(v) >= INT32_MIN / 2 &&
	    json_integer_value(v) <= INT32_MAX / 2)
		it->priority = (int)json_integer_value(v);
	if (it->text == NULL && (html = json_str(o, "content_html", scratch)) != NULL) {
		buf_init(&text, ITEM_MAX_FIELD);
		r = text_from_html(html, strlen(html), &text);
		if (r == 0)
			it->text = arena_strndup(scratch, buf_str(&text), text.len);
		buf_release(&text);
		if (r == -E2BIG)
			r = 0;
	}
	if (r == 0 && ((it->title == NULL && json_is_string(json_object_get(o, "title"))) ||
	    (it->text == NULL && json_is_string(json_object_get(o, "summary")))))
		r = -ENOMEM;
out:
	json_decref(o);
	return r;
}

/* ---------------------------------------------------------------- life */

int
dedup_new(struct dedup **ret, const struct dedup_opts *o)
{
	struct dedup *d = calloc(1, sizeof(*d));

	*ret = NULL;
	if (d == NULL)
		return -ENOMEM;
	d->window = o != NULL && o->window > 0 ? o->window : DEDUP_WINDOW;
	d->threshold = o != NULL && o->threshold > 0 ? o->threshold : DEDUP_THRESHOLD;
	d->now = INT64_MIN;
	d->explain = o != NULL && o->explain;
	d->seen.cap = SEEN_MIN;
	d->seen.slot = calloc(SEEN_MIN, sizeof(*d->seen.slot));
	if (d->seen.slot == NULL) {
		free(d);
		return -ENOMEM;
	}
	stop_set_fill(d);
	buf_init(&d->norm, SIZE_MAX);
	buf_init(&d->src, SIZE_MAX);
	*ret = d;
	return 0;
}

void
dedup_free(struct dedup *d)
{
	if (d == NULL)
		return;
	while (d->first < d->next)
		story_close(d, d->first++);
	free(d->ring);
	free(d->terms);
	free(d->posts);
	map_free(&d->term_of);
	map_free(&d->items);
	map_free(&d->urls);
	map_free(&d->leads);
	buf_release(&d->norm);
	buf_release(&d->src);
	free(d->seen.slot);
	free(d);
}

size_t
dedup_memory(const struct dedup *d)
{
	const struct map *maps[] = { &d->term_of, &d->items, &d->urls, &d->leads };
	size_t n = sizeof(*d) + d->heap + d->seen.cap * sizeof(*d->seen.slot), i;

	for (i = 0; i < sizeof(maps) / sizeof(maps[0]); i++)
		n += maps[i]->cap * (sizeof(uint64_t) + sizeof(uint32_t));
	return n + d->ring_cap * sizeof(*d->ring) + d->terms_cap * sizeof(*d->terms) +
	    d->posts_cap * sizeof(*d->posts);
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
