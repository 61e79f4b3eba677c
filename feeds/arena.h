/* arena.h - bump allocator: many small strings, one release. */
#ifndef WIREDESK_ARENA_H
#define WIREDESK_ARENA_H

#include <stddef.h>

struct arena_block;

struct arena {
	struct arena_block	*head;	/* newest block first; NULL while empty */
	size_t			 used;	/* bytes handed out from head */
};

void	 arena_init(struct arena *a);				/* cannot fail */
void	*arena_alloc(struct arena *a, size_t n);		/* aligned for any type; NULL on ENOMEM */
void	*arena_zalloc(struct arena *a, size_t n);		/* zeroed; NULL on ENOMEM */
char	*arena_strndup(struct arena *a, const char *s, size_t n);	/* NUL-terminated copy; NULL on ENOMEM */
char	*arena_strdup(struct arena *a, const char *s);
void	 arena_reset(struct arena *a);				/* forget everything, keep one block for reuse */
void	 arena_release(struct arena *a);			/* free everything; NULL-safe fields, reusable after */

#endif
