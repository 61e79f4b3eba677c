/* write.h - the item model out as feed documents: JSON Feed 1.1 (RSS 2.0 and Atom 1.0 to come). */
#ifndef WIREDESK_WRITE_H
#define WIREDESK_WRITE_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "item.h"

/*
 * A JSON Feed 1.1 document written as items arrive, so a large feed never sits in memory whole:
 * begin, then one call per item, then end. Feed fields known when the first item comes are
 * written before "items", the rest after it. Dates are RFC 3339 UTC, empty fields left out.
 * Each call appends to out and returns 0, -ENOMEM or -E2BIG.
 */
struct json_writer {
	struct buf	*out;
	size_t		 items;		/* written so far */
	unsigned	 done;		/* feed fields already written, one bit each */
	bool		 in_items;	/* the "items" array is open */
};

void	write_json_begin(struct json_writer *w, struct buf *out);
int	write_json_item(struct json_writer *w, const struct feed *f, const struct item *it);
int	write_json_end(struct json_writer *w, const struct feed *f);

#endif
