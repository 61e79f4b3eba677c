/* sanitize.h - HTML allowlist sanitizer: untrusted markup in, markup safe for any feed reader out. */
#ifndef WIREDESK_SANITIZE_H
#define WIREDESK_SANITIZE_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/*
 * Parses html (UTF-8, len bytes, an HTML fragment) and appends to out the markup that survives the
 * allowlist of shared/security/REFERENCE.md §3: allowed elements and attributes only, whole
 * subtrees of script, style, svg, math, form, iframe (unless from an allowed video host) and the
 * like removed, unknown elements unwrapped, event handlers, styles, classes and ids dropped,
 * tracking pixels and hidden elements removed, URLs (href, src, srcset, poster, cite) resolved
 * against base and kept only with an allowed scheme, everything re-serialized from the parsed
 * tree with every attribute quoted, no comments, no CDATA, balanced tags. Text is escaped.
 * The result is idempotent: sanitizing the output again yields the same bytes.
 * base may be NULL (relative URLs are then dropped). White space is kept as given (CR LF becomes
 * LF); invalid UTF-8 and NUL bytes become U+FFFD. Hostile input is bounded: reading stops before
 * a start tag with more than 128 attributes, and where elements nest so deep that libxml2's
 * search of them for end tags would turn quadratic (never before HTML_MAX_DEPTH); what was read
 * is kept. Elements nested deeper than HTML_MAX_DEPTH are unwrapped.
 * Returns 0 (possibly appending nothing), -ENOMEM or -E2BIG; out is unchanged on error.
 */
int	sanitize_html(const char *html, size_t len, const char *base, struct buf *out);

/*
 * How much of html (n bytes) to give libxml2's HTML parser: all of it, or up to the first start
 * tag with more than 128 attributes, which libxml2 2.9.14 would read in quadratic time.
 */
size_t	html_safe_length(const char *html, size_t n);

/*
 * A sanitizer to run over many fields, one after another: it keeps libxml2's HTML parser (reset
 * for every field) and its buffers, and gives exactly what sanitize_html() gives. Not for two
 * threads at once. sanitizer_open() returns 0 or -ENOMEM; sanitizer_close() accepts NULL.
 */
struct sanitizer;
int	sanitizer_open(struct sanitizer **ret);
int	sanitizer_run(struct sanitizer *z, const char *html, size_t len, const char *base, struct buf *out);
void	sanitizer_close(struct sanitizer *z);

/*
 * For tests and benchmarks: with slow, every field goes through libxml2's HTML parser, never the
 * fast path that reads well-formed markup itself (see sanitize.c; both give the same bytes); and
 * how many fields the fast path has taken.
 */
void	sanitizer_set_slow(struct sanitizer *z, bool slow);
size_t	sanitizer_fast_count(const struct sanitizer *z);

#endif
