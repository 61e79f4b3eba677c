/* text.h - plain text: UTF-8 repair, NFC, entity decoding, white space, markup removed from titles. */
#ifndef WIREDESK_TEXT_H
#define WIREDESK_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/*
 * Appends s to out as clean plain text: invalid UTF-8 repaired (each bad byte read as
 * Windows-1252), NUL and control characters other than tab and newline removed, white space runs
 * collapsed to one space and trimmed, and the result in NFC. Entities are NOT decoded: s is
 * already text. Returns 0, -ENOMEM or -E2BIG; out unchanged on error. Longer than out->max
 * bytes: cut at a character boundary, not an error.
 */
int	text_clean(const char *s, size_t len, struct buf *out);

/*
 * Appends the text an HTML fragment shows, as text_clean() would leave it: tags removed (the
 * contents of script, style and similar elements dropped), block elements and <br> read as white
 * space, character references (all HTML 4 and the common HTML5 named ones, decimal, hexadecimal)
 * decoded exactly once. Returns 0, -ENOMEM or -E2BIG.
 */
int	text_from_html(const char *html, size_t len, struct buf *out);

/*
 * Decodes one character reference at s (s[0] == '&'), as HTML reads them (the ';' may be missing
 * for the legacy names). On success writes the UTF-8 bytes to out (at most 8) and returns how many
 * input bytes were used; returns 0 when s does not start a reference. Code points that are not
 * allowed (0, surrogates, above U+10FFFF) decode to U+FFFD.
 */
size_t	text_entity(const char *s, size_t len, char out[8], size_t *ret_outlen);

/* True when s (len bytes) is valid UTF-8. */
bool	text_utf8_valid(const char *s, size_t len);

/*
 * Appends s with invalid UTF-8 repaired (each bad byte read as Windows-1252, as a browser would for
 * a mislabelled page) and characters not allowed in XML 1.0 removed; nothing else changes.
 * Returns 0, -ENOMEM or -E2BIG.
 */
int	text_utf8_repair(const char *s, size_t len, struct buf *out);

#endif
