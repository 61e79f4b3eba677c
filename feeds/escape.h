/* escape.h - text made safe inside JSON strings and XML. */
#ifndef WIREDESK_ESCAPE_H
#define WIREDESK_ESCAPE_H

#include <stddef.h>

#include "buf.h"

/* Appends s (valid UTF-8) as a JSON string, quotes included. 0, -ENOMEM, -E2BIG. */
int	escape_json(struct buf *out, const char *s, size_t len);

/*
 * Appends s (valid UTF-8) escaped for XML text and attribute values: & < > " and ' as references,
 * characters XML 1.0 forbids dropped. 0, -ENOMEM, -E2BIG.
 */
int	escape_xml(struct buf *out, const char *s, size_t len);

#endif
