/* escape.h - text made safe inside JSON strings and XML. */
#ifndef WIREDESK_ESCAPE_H
#define WIREDESK_ESCAPE_H

#include <stddef.h>

#include "buf.h"

/* Appends s (valid UTF-8) as a JSON string, quotes included. 0, -ENOMEM, -E2BIG. */
int	escape_json(struct buf *out, const char *s, size_t len);

/* The same without the quotes, to write one string in parts. */
int	escape_json_chars(struct buf *out, const char *s, size_t len);

/*
 * Appends s (valid UTF-8) escaped for XML text and attribute values: & < > " and ' as references,
 * characters XML 1.0 forbids (and DEL and C1 controls) dropped. 0, -ENOMEM, -E2BIG.
 */
int	escape_xml(struct buf *out, const char *s, size_t len);

/*
 * Appends s (valid UTF-8) as one XML CDATA section, or several when s holds "]]>" (split between
 * "]]" and ">"), with the characters XML 1.0 forbids (and DEL and C1 controls) dropped. 0, -ENOMEM, -E2BIG.
 */
int	escape_cdata(struct buf *out, const char *s, size_t len);

#endif
