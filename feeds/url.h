/* url.h - resolves relative links and gives each URL a canonical form for identity (libcurl's URL API). */
#ifndef WIREDESK_URL_H
#define WIREDESK_URL_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/*
 * Resolves ref against base (RFC 3986), as a browser would read an href: entities must already be
 * decoded; leading and trailing C0 controls and spaces are stripped, and ASCII tab, CR and LF
 * removed everywhere (WHATWG); then spaces, controls, '"<>`' and non-ASCII bytes are
 * percent-encoded (existing escapes kept; an IDN host stays UTF-8). ref_len bytes are read, NULs
 * included. Relative refs resolve only against an absolute http(s) base; base may be NULL,
 * relative or of another scheme (then only an absolute ref resolves). An http(s) result is
 * checked and normalized by libcurl (lower-case scheme, dot segments removed); an absolute ref
 * of any other scheme is returned as given, with its scheme lower-cased.
 * Appends the absolute URL to out (not NUL-counted) and returns 0; -EINVAL when no absolute URL
 * results or the result is not well-formed; -E2BIG when it is longer than ITEM_MAX_SHORT or out
 * is full; -ENOMEM. out is unchanged on error.
 * Any scheme is allowed here: callers check url_scheme_allowed() where it matters.
 */
int	url_resolve(const char *base, const char *ref, size_t ref_len, struct buf *out);

/* Scheme classes for url_scheme_allowed(). */
enum url_use {
	URL_LINK,	/* a link a reader follows: http, https, mailto */
	URL_MEDIA,	/* an image or media source: http, https, data:image/(png|gif|jpeg|webp) */
	URL_FETCH,	/* something we fetch: http, https */
};

/* True when the absolute URL u has a scheme allowed for that use (case-insensitive scheme). */
bool	url_scheme_allowed(const char *u, enum url_use use);

/*
 * The canonical form of an absolute http(s) URL, used as an identity key for dedup: scheme and
 * host lower-cased, default port, empty path and fragment dropped, percent-encoding normalized,
 * tracking parameters (utm_*, fbclid, gclid, mc_cid, mc_eid, ...; the list is in url.c) and empty
 * ones removed and the remaining query parameters kept in their order. u is cleaned first as by
 * url_resolve(NULL, u, ...), and the result is its own canonical form. Appends to out; 0,
 * -EINVAL (not an absolute http(s) URL), -ENOMEM, -E2BIG; out unchanged on error.
 */
int	url_canonical(const char *u, struct buf *out);

#endif
