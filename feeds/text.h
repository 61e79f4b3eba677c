/* text.h - plain text: UTF-8 repair, NFC, entity decoding, white space, markup removed from titles. */
#ifndef WIREDESK_TEXT_H
#define WIREDESK_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/*
 * Appends s to out as clean plain text: invalid UTF-8 repaired (each bad byte read as
 * Windows-1252; the five bytes it leaves undefined become U+FFFD), all control characters (C0, DEL,
 * C1) and U+FFFE/U+FFFF removed, runs of ASCII white space (tab, LF, VT, FF, CR, space), NEL,
 * U+2028 and U+2029 collapsed to one space and trimmed (U+00A0 and other spaces are kept), more
 * than 30 combining marks in a row cut to 30 (UAX #15), and the result in NFC. Entities are NOT
 * decoded: s is already text. Longer than out->max bytes: cut at a character boundary (never
 * after a space), not an error. Idempotent. Returns 0 or -ENOMEM (-EINVAL if utf8proc refused
 * valid UTF-8, which it does not); out unchanged on error.
 */
int	text_clean(const char *s, size_t len, struct buf *out);

/*
 * Appends the text an HTML fragment shows, as text_clean() would leave it (and cut the same way):
 * tags, comments, doctypes and processing instructions removed (the contents of head, iframe,
 * noembed, noframes, noscript, script, style, template, textarea, title and xmp dropped; an
 * unclosed comment or tag eats the rest), block elements and <br> read as white space, CDATA
 * sections read as their text, character references (all HTML 4 and the common HTML5 named ones,
 * decimal, hexadecimal) decoded exactly once. A '<' that starts no tag ("a < b") is text.
 * Returns as text_clean() does.
 */
int	text_from_html(const char *html, size_t len, struct buf *out);

/*
 * Decodes one character reference at s (s[0] == '&'), as HTML reads them in text (the ';' may be
 * missing for numbers and the legacy names, and "&copy2024" is "(c)2024"). On success writes the
 * UTF-8 bytes to out (at most 8) and their count to *ret_outlen, and returns how many input bytes
 * were used; returns 0 when s does not start a reference. Code points that are not allowed (0,
 * surrogates, above U+10FFFF) decode to U+FFFD; &#128;-&#159; are read as Windows-1252. Other
 * control characters are returned as they are: text_clean() removes them.
 */
size_t	text_entity(const char *s, size_t len, char out[8], size_t *ret_outlen);

/* True when s (len bytes) is valid UTF-8. */
bool	text_utf8_valid(const char *s, size_t len);

/*
 * Appends s with invalid UTF-8 repaired (each bad byte read as Windows-1252, as a browser would for
 * a mislabelled page, the five undefined bytes as U+FFFD) and characters not allowed in XML 1.0
 * (C0 controls other than tab, LF and CR; U+FFFE, U+FFFF) removed, except that VT and FF become
 * spaces; nothing else changes.
 * Returns 0, -ENOMEM or -E2BIG (longer than out->max: nothing is cut); out unchanged on error.
 */
int	text_utf8_repair(const char *s, size_t len, struct buf *out);

/*
 * The HTML written to b from start on (valid UTF-8, markup escaped as the sanitizer writes it) put
 * in NFC: its text composed, its ASCII markup left alone. U+0338, which composes with '<', '='
 * and '>', is written as &#x338; where it follows one of them, so that no tag is changed. 0,
 * -ENOMEM, -E2BIG past b's max (b then holds less), -EINVAL for invalid UTF-8.
 */
int	text_nfc_html(struct buf *b, size_t start);

#endif
