/* parse.h - sniffs the format and streams a document (RSS, Atom, JSON Feed) into the item model. */
#ifndef WIREDESK_PARSE_H
#define WIREDESK_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "item.h"

struct parse_error {
	int	line;		/* 1-based; 0 when unknown */
	int	column;		/* 1-based; 0 when unknown */
	char	msg[160];	/* what is wrong, lowercase, no final period */
};

struct parse_opts {
	const char	*base_url;	/* the document's own URL: relative links resolve against it; may be NULL */
	const char	*charset;	/* the transport's charset (Content-Type), or NULL */
	int64_t		 now;		/* UTC seconds: dates more than a day later are replaced by it */
};

/*
 * Called once per finished, normalized item, in document order. The item's strings live in the
 * arena given to feed_parser_open(): the callback may copy the item or use it and reset that
 * arena. Feed-level fields seen so far are in *f (more may follow items in Atom). Returning a
 * negative errno stops the parse with that error.
 */
typedef int	(*parse_item_fn)(void *ctx, const struct feed *f, const struct item *it);

struct feed_parser;

/*
 * A streaming parser into f (initialized by the caller; its fields are filled as they appear) and
 * items through fn. o is copied. Returns 0 or -ENOMEM.
 */
int	feed_parser_open(struct feed_parser **ret, const struct parse_opts *o, struct feed *f,
	    struct arena *item_arena, parse_item_fn fn, void *ctx);

/*
 * Feeds the next len bytes of the document. Returns 0; -EBADMSG when the input is not a feed (or
 * is broken beyond recovery: reterr says what and where); -E2BIG past PARSE_MAX_DOC; -ENOMEM; or
 * what the callback returned. After an error, further pushes return it again.
 */
int	feed_parser_push(struct feed_parser *p, const char *data, size_t len, struct parse_error *reterr);

/* Ends the document: 0 or as feed_parser_push. A document with no root element is -EBADMSG. */
int	feed_parser_finish(struct feed_parser *p, struct parse_error *reterr);

void	feed_parser_close(struct feed_parser *p);	/* NULL is fine */

/*
 * The whole document at once into an empty list out (strings in its arena) and f. On error out
 * is left empty and f released; -EINVAL when out was not empty.
 */
int	parse_feed(const char *data, size_t len, const struct parse_opts *o, struct feed *f,
	    struct item_list *out, struct parse_error *reterr);

/*
 * Whether a body that starts with s (n bytes: its first few KB are enough) is an HTML page rather
 * than a feed, for autodiscovery: past a byte order mark, white space, an XML declaration and
 * comments, its doctype names html, or its first element is <html>; or, when content_type (the
 * answer's, or NULL) is HTML, its first element is not one a feed starts with. A body starting
 * with anything but markup (JSON Feed) is not a page.
 */
bool	parse_is_page(const char *s, size_t n, const char *content_type);

#endif
