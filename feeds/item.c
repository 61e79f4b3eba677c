/* item.c - constructors for the item model and the growable item list. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "item.h"

uint64_t
item_hash(uint64_t h, const char *s)
{
	if (s == NULL)
		s = "";
	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return (h ^ 0xff) * 0x100000001b3ULL;	/* field separator */
}

static uint64_t
mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint64_t
item_hash_bytes(const void *p, size_t n)
{
	const unsigned char *b = p;
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ n, k;
	size_t i;

	for (; n >= 8; b += 8, n -= 8) {
		memcpy(&k, b, 8);	/* the machine's byte order: the value is only compared on it */
		h = (h ^ mix(k)) * 0x100000001b3ULL;
	}
	for (k = 0, i = 0; i < n; i++)
		k |= (uint64_t)b[i] << (8 * i);
	return mix(h ^ mix(k ^ 0xff51afd7ed558ccdULL));
}

void
item_init(struct item *it)
{
	memset(it, 0, sizeof(*it));
	it->date_published = DATE_NONE;
	it->date_modified = DATE_NONE;
}

void
feed_init(struct feed *f)
{
	memset(f, 0, sizeof(*f));
	f->date_modified = DATE_NONE;
	arena_init(&f->arena);
}

void
feed_release(struct feed *f)
{
	arena_release(&f->arena);
	feed_init(f);
}

void
item_list_init(struct item_list *l)
{
	l->items = NULL;
	l->len = 0;
	l->cap = 0;
	arena_init(&l->arena);
}

int
item_list_add(struct item_list *l, const struct item *it)
{
	struct item *p;
	size_t cap;

	if (l->len == l->cap) {
		cap = l->cap != 0 ? l->cap * 2 : 16;
		if (cap > SIZE_MAX / sizeof(*p))
			return -ENOMEM;
		p = realloc(l->items, cap * sizeof(*p));
		if (p == NULL)
			return -ENOMEM;
		l->items = p;
		l->cap = cap;
	}
	l->items[l->len++] = *it;
	return 0;
}

void
item_list_move(struct item_list *dst, struct item_list *src)
{
	item_list_release(dst);
	*dst = *src;
	item_list_init(src);
}

void
item_list_release(struct item_list *l)
{
	free(l->items);
	arena_release(&l->arena);
	item_list_init(l);
}
