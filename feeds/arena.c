/* arena.c - bump allocator in chained blocks; large requests get a block of their own. */
#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"

#define ARENA_BLOCK	(64u << 10)	/* usual block size; a larger request gets its own */
#define ALIGN		alignof(max_align_t)

struct arena_block {
	struct arena_block	*next;
	size_t			 size;	/* usable bytes in mem */
	alignas(max_align_t) unsigned char mem[];
};

void
arena_init(struct arena *a)
{
	a->head = NULL;
	a->used = 0;
}

void *
arena_alloc(struct arena *a, size_t n)
{
	struct arena_block *b;
	size_t size;
	void *p;

	n = (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
	if (n == 0)
		n = ALIGN;
	b = a->head;
	if (b != NULL && b->size - a->used >= n) {
		p = b->mem + a->used;
		a->used += n;
		return p;
	}
	size = n > ARENA_BLOCK / 4 ? n : ARENA_BLOCK;
	if (size > SIZE_MAX - sizeof(*b))
		return NULL;
	b = malloc(sizeof(*b) + size);
	if (b == NULL)
		return NULL;
	b->size = size;
	if (size == n && a->head != NULL) {
		/* A big one-off: slot it behind the head so the head's free room stays usable. */
		b->next = a->head->next;
		a->head->next = b;
		return b->mem;
	}
	b->next = a->head;
	a->head = b;
	a->used = n;
	return b->mem;
}

void *
arena_zalloc(struct arena *a, size_t n)
{
	void *p = arena_alloc(a, n);

	if (p != NULL)
		memset(p, 0, n);
	return p;
}

char *
arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);

	if (p == NULL)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

void
arena_reset(struct arena *a)
{
	struct arena_block *b, *next;

	if (a->head == NULL)
		return;
	/* Keep the newest ordinary block: the next item's strings fit in it without a malloc. */
	for (b = a->head->next; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
	a->head->next = NULL;
	if (a->head->size != ARENA_BLOCK) {
		free(a->head);
		a->head = NULL;
	}
	a->used = 0;
}

void
arena_release(struct arena *a)
{
	struct arena_block *b, *next;

	for (b = a->head; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
	arena_init(a);
}
