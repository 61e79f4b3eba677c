/* buf.h - growable byte buffer with a hard size limit; NUL-terminated once non-empty. */
#ifndef WIREDESK_BUF_H
#define WIREDESK_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <string.h>

struct buf {
	char	*data;	/* NULL while nothing was ever appended */
	size_t	 len;	/* bytes used, not counting the NUL */
	size_t	 cap;	/* bytes allocated */
	size_t	 max;	/* an append that would pass this fails with -E2BIG */
};

void	 buf_init(struct buf *b, size_t max);			/* cannot fail */
int	 buf_reserve(struct buf *b, size_t n);			/* room for n more bytes: 0, -ENOMEM, -E2BIG */
static inline int buf_append(struct buf *b, const void *p, size_t n);	/* 0, -ENOMEM, -E2BIG; b unchanged on error */
int	 buf_puts(struct buf *b, const char *s);		/* buf_append of a C string */
int	 buf_putc(struct buf *b, char c);
int	 buf_appendf(struct buf *b, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));		/* 0, -ENOMEM, -E2BIG, -EINVAL */
void	 buf_truncate(struct buf *b, size_t len);		/* len <= b->len; keeps the NUL */
void	 buf_clear(struct buf *b);				/* length 0, memory kept */
char	*buf_take(struct buf *b, size_t *ret_len);		/* caller free()s; "" when empty; b left empty */
void	 buf_release(struct buf *b);				/* frees; b may be reused after buf_init */

int	 buf_append_grow(struct buf *b, const void *p, size_t n);	/* buf_append() when it must grow */

/* Inline for the common case, an append that fits: parsers append a few bytes at a time. */
static inline int
buf_append(struct buf *b, const void *p, size_t n)
{
	if (n == 0)
		return 0;
	if (b->cap - b->len <= n || n > b->max || b->len > b->max - n)
		return buf_append_grow(b, p, n);
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

/* The contents as a C string: "" while empty, never NULL. */
static inline const char *
buf_str(const struct buf *b)
{
	return b->data != NULL ? b->data : "";
}

#endif
