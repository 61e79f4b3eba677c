/* charset.h - a document's bytes to valid UTF-8, whatever it declares: BOM, then the caller's charset, then the document's own. */
#ifndef WIREDESK_CHARSET_H
#define WIREDESK_CHARSET_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

#define CHARSET_NAME_MAX	40	/* longest encoding name we keep */

struct charset_decoder;

/*
 * Chooses the encoding of a document from its first bytes (head, the start of the document: the
 * more, the better the guess; 4 KiB is plenty) and opens a decoder for it. The order is RFC 7303
 * §3: a byte order mark wins, then the caller's charset (e.g. from Content-Type; may be NULL), then
 * the XML declaration's encoding (XML only: is_xml), then UTF-8. ISO-8859-1 and US-ASCII are read
 * as Windows-1252, as browsers do; a document labelled with a single-byte charset whose head is
 * valid, non-ASCII UTF-8 is read as UTF-8. An encoding iconv does not know falls back to UTF-8 and
 * sets *ret_fallback. Returns 0, -ENOMEM.
 */
int	charset_decoder_open(const char *head, size_t len, const char *charset, bool is_xml,
	    struct charset_decoder **ret, bool *ret_fallback);

/* The encoding the decoder reads, as iconv names it ("UTF-8", "WINDOWS-1252", "UTF-16LE", ...). */
const char	*charset_decoder_name(const struct charset_decoder *d);

/*
 * Decodes the next len bytes of the document and appends valid UTF-8 to out: a byte order mark is
 * skipped, bytes that are invalid in the encoding are repaired (in UTF-8 each bad byte is read as
 * Windows-1252; elsewhere U+FFFD), and characters XML 1.0 forbids (C0 controls other than tab, CR,
 * LF; U+FFFE, U+FFFF) are dropped. A sequence cut by the end of the chunk is kept for the next call;
 * pass last = true with the final chunk (it may be empty). *ret_repaired is set when anything was
 * repaired or dropped. Returns 0, -ENOMEM, -E2BIG (out is full; what was appended stays), or -EINVAL
 * when iconv fails in a way that is not bad input.
 */
int	charset_decode(struct charset_decoder *d, const char *in, size_t len, bool last,
	    struct buf *out, bool *ret_repaired);

void	charset_decoder_close(struct charset_decoder *d);	/* NULL is fine */

/* Writes cp (at most U+10FFFF) as UTF-8 into out; returns the bytes written, 1 to 4. */
size_t		charset_utf8_encode(unsigned cp, char out[4]);

/* The character Windows-1252 gives byte b (0x80..0xFF), as a code point; U+FFFD for its five holes. */
unsigned	charset_cp1252(unsigned char b);

#endif
