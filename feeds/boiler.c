/*
 * boiler.c - per-source counts of lead segments, to learn what a source appends to every item.
 *
 * One table a source: its recent items and BOILER_COUNTERS Misra-Gries counters (a segment not
 * counted yet takes an empty counter; with none empty, every count drops by one instead). Tables
 * sit in an array found through an open-addressing index of source hashes, rebuilt when silent
 * sources are dropped (once a day at most).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "boiler.h"

struct counter {
	uint32_t	 tag;		/* high bits of the segment's hash */
	uint16_t	 count;		/* items it was seen in; 0: the counter is empty */
	uint16_t	 story;		/* low bits of the story of the last item counted */
};

struct table {
	uint64_t	 source;	/* hash of the source's name */
	int64_t		 day;		/* of its last item */
	uint32_t	 items;		/* its items, halved with the counts */
	struct counter	 c[BOILER_COUNTERS];
};

struct boiler {
	struct table	*t;
	size_t		 len, cap;
	uint32_t	*idx;		/* table index + 1 by source hash; 0: empty */
	size_t		 idx_cap;	/* a power of two, at least twice len */
	int64_t		 day;		/* the clock: the newest day learnt */
};

#define DAY_RANGE	((int64_t)1 << 40)	/* days a saved clock may be from 1970: far past any date */

static uint32_t
tag_of(uint64_t seg)
{
	return (uint32_t)(seg >> 32) | 1;	/* never 0 */
}

static struct table *
find(const struct boiler *b, uint64_t source)
{
	size_t i;

	if (b->idx_cap == 0)
		return NULL;
	for (i = source & (b->idx_cap - 1); b->idx[i] != 0; i = (i + 1) & (b->idx_cap - 1))
		if (b->t[b->idx[i] - 1].source == source)
			return &b->t[b->idx[i] - 1];
	return NULL;
}

void
boiler_prefetch(const struct boiler *b, uint64_t source)
{
	const struct table *t = find(b, source);
	size_t i;

	for (i = 0; t != NULL && i < sizeof(*t); i += 64)
		__builtin_prefetch((const char *)t + i);
}

/* The index for the tables there are, in cap slots. 0 or -ENOMEM (b unchanged). */
static int
reindex(struct boiler *b, size_t cap)
{
	uint32_t *idx = calloc(cap, sizeof(*idx));
	size_t i, k;

	if (idx == NULL)
		return -ENOMEM;
	for (i = 0; i < b->len; i++) {
		for (k = b->t[i].source & (cap - 1); idx[k] != 0; k = (k + 1) & (cap - 1))
			;
		idx[k] = (uint32_t)i + 1;
	}
	free(b->idx);
	b->idx = idx;
	b->idx_cap = cap;
	return 0;
}

/* Drops the tables of sources silent for BOILER_DAYS. */
static int
expire(struct boiler *b, int64_t day)
{
	size_t i, j;

	for (i = j = 0; i < b->len; i++)
		if (day - b->t[i].day <= BOILER_DAYS)
			b->t[j++] = b->t[i];
	if (j == b->len)
		return 0;
	b->len = j;
	return reindex(b, b->idx_cap);
}

/* A new table for the source, or NULL when there is no room (-ENOMEM in *r, or none when full). */
static struct table *
add_table(struct boiler *b, uint64_t source, int *r)
{
	struct table *t;
	size_t cap, k;

	*r = 0;
	if (b->len >= BOILER_SOURCES)
		return NULL;
	if (b->len == b->cap) {
		cap = b->cap != 0 ? b->cap * 2 : 64;
		if ((t = realloc(b->t, cap * sizeof(*t))) == NULL) {
			*r = -ENOMEM;
			return NULL;
		}
		b->t = t;
		b->cap = cap;
	}
	if ((b->len + 1) * 2 > b->idx_cap && (*r = reindex(b, b->idx_cap != 0 ? b->idx_cap * 2 : 128)) < 0)
		return NULL;
	t = &b->t[b->len];
	memset(t, 0, sizeof(*t));
	t->source = source;
	for (k = source & (b->idx_cap - 1); b->idx[k] != 0; k = (k + 1) & (b->idx_cap - 1))
		;
	b->idx[k] = (uint32_t)++b->len;
	return t;
}

size_t
boiler_check(const struct boiler *b, uint64_t source, const uint64_t *seg, size_t n, bool *drop)
{
	const struct table *t = find(b, source);
	size_t i, k, set = 0;
	uint32_t tag;

	for (i = 0; i < n; i++) {
		drop[i] = false;
		if (t == NULL)
			continue;
		tag = tag_of(seg[i]);
		for (k = 0; k < BOILER_COUNTERS; k++)
			if (t->c[k].count != 0 && t->c[k].tag == tag)
				break;
		if (k < BOILER_COUNTERS && t->c[k].count >= BOILER_MIN &&
		    (uint64_t)t->c[k].count * BOILER_SHARE >= t->items) {
			drop[i] = true;
			set++;
		}
	}
	return set;
}

int
boiler_learn(struct boiler *b, uint64_t source, int64_t day, const uint64_t *seg, size_t n, uint64_t story)
{
	struct table *t;
	uint16_t st = (uint16_t)story;
	uint32_t tag;
	size_t i, k, empty;
	int r;

	if (day > b->day) {
		if ((r = expire(b, day)) < 0)
			return r;
		b->day = day;
	}
	if ((t = find(b, source)) == NULL && (t = add_table(b, source, &r)) == NULL)
		return r;
	t->day = b->day;
	if (++t->items >= BOILER_SPAN) {
		t->items /= 2;
		for (k = 0; k < BOILER_COUNTERS; k++)
			t->c[k].count /= 2;
	}
	for (i = 0; i < n; i++) {
		tag = tag_of(seg[i]);
		empty = BOILER_COUNTERS;
		for (k = 0; k < BOILER_COUNTERS; k++) {
			if (t->c[k].count == 0) {
				if (empty == BOILER_COUNTERS)
					empty = k;
			} else if (t->c[k].tag == tag) {
				break;
			}
		}
		if (k < BOILER_COUNTERS) {
			if (t->c[k].story != st && t->c[k].count < UINT16_MAX)
				t->c[k].count++;
			t->c[k].story = st;
		} else if (empty < BOILER_COUNTERS) {
			t->c[empty].tag = tag;
			t->c[empty].count = 1;
			t->c[empty].story = st;
		} else {
			for (k = 0; k < BOILER_COUNTERS; k++)
				t->c[k].count--;
		}
	}
	return 0;
}

size_t
boiler_memory(const struct boiler *b)
{
	return sizeof(*b) + b->cap * sizeof(*b->t) + b->idx_cap * sizeof(*b->idx);
}

size_t
boiler_sources(const struct boiler *b)
{
	return b->len;
}

int
boiler_new(struct boiler **ret)
{
	struct boiler *b = calloc(1, sizeof(*b));

	*ret = b;
	if (b == NULL)
		return -ENOMEM;
	b->day = INT64_MIN;
	return 0;
}

void
boiler_free(struct boiler *b)
{
	if (b == NULL)
		return;
	free(b->t);
	free(b->idx);
	free(b);
}

/* ---------------------------------------------------------------- saving */

static void
put(unsigned char **p, uint64_t v, int bytes)
{
	int i;

	for (i = 0; i < bytes; i++)
		*(*p)++ = (unsigned char)(v >> (8 * i));
}

/*
 * Layout, little-endian: day (8), tables (4); a table: source (8), day (8), items (4), counters
 * in use (1), then each: slot (1), tag (4), count (2), story (2).
 */
int
boiler_save(const struct boiler *b, struct buf *out)
{
	unsigned char rec[21 + BOILER_COUNTERS * 9], *p;
	size_t i, k, start = out->len;
	int r;

	p = rec;
	put(&p, (uint64_t)b->day, 8);
	put(&p, b->len, 4);
	r = buf_append(out, rec, (size_t)(p - rec));
	for (i = 0; r == 0 && i < b->len; i++) {
		const struct table *t = &b->t[i];
		unsigned char *used;

		p = rec;
		put(&p, t->source, 8);
		put(&p, (uint64_t)t->day, 8);
		put(&p, t->items, 4);
		used = p++;
		*used = 0;
		for (k = 0; k < BOILER_COUNTERS; k++) {
			if (t->c[k].count == 0)
				continue;
			(*used)++;
			put(&p, k, 1);
			put(&p, t->c[k].tag, 4);
			put(&p, t->c[k].count, 2);
			put(&p, t->c[k].story, 2);
		}
		r = buf_append(out, rec, (size_t)(p - rec));
	}
	if (r < 0)
		buf_truncate(out, start);
	return r;
}

static uint64_t
get(const unsigned char **p, int bytes)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < bytes; i++)
		v |= (uint64_t)*(*p)++ << (8 * i);
	return v;
}

int
boiler_load(struct boiler *b, const void *data, size_t len, size_t *ret_used)
{
	const unsigned char *p = data, *end = p + len;
	struct table *t;
	uint32_t n, i;
	unsigned used, j, k, m;
	int r;

	if (b->len != 0 || len < 12)
		return -EINVAL;
	b->day = (int64_t)get(&p, 8);
	n = (uint32_t)get(&p, 4);
	if (n > BOILER_SOURCES || (size_t)(end - p) / 21 < n || (n > 0 && (b->day < -DAY_RANGE || b->day > DAY_RANGE)))
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (end - p < 21)
			return -EINVAL;
		if (find(b, get(&p, 8)) != NULL)
			return -EINVAL;		/* a source twice */
		p -= 8;
		if ((t = add_table(b, get(&p, 8), &r)) == NULL)
			return r < 0 ? r : -EINVAL;
		t->day = (int64_t)get(&p, 8);
		t->items = (uint32_t)get(&p, 4);
		used = *p++;
		if (t->day > b->day || t->day < b->day - BOILER_DAYS || t->items >= BOILER_SPAN ||
		    used > BOILER_COUNTERS || (size_t)(end - p) / 9 < used)
			return -EINVAL;
		for (j = 0; j < used; j++) {
			k = *p++;
			if (k >= BOILER_COUNTERS || t->c[k].count != 0)
				return -EINVAL;
			t->c[k].tag = (uint32_t)get(&p, 4);
			t->c[k].count = (uint16_t)get(&p, 2);
			t->c[k].story = (uint16_t)get(&p, 2);
			if (t->c[k].count == 0 || (t->c[k].tag & 1) == 0)
				return -EINVAL;
			for (m = 0; m < BOILER_COUNTERS; m++)
				if (m != k && t->c[m].count != 0 && t->c[m].tag == t->c[k].tag)
					return -EINVAL;		/* a segment twice */
		}
	}
	*ret_used = (size_t)(p - (const unsigned char *)data);
	return 0;
}
