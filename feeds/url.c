/* url.c - resolves relative links and gives each URL a canonical form for identity (libcurl's URL API). */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include <curl/curl.h>

#include "buf.h"
#include "limits.h"
#include "url.h"

/*
 * Bytes of any URL we work on or produce. A feed field is cut at ITEM_MAX_SHORT, and a cut URL
 * is a broken one, so anything longer is refused with -E2BIG instead.
 */
#define URL_MAX_LEN		ITEM_MAX_SHORT

/*
 * Flags for every curl_url_set() of a whole URL, all deliberately off:
 * CURLU_URLENCODE (we percent-encode ourselves, like a browser, before curl sees the string; in
 * 7.88 it would only encode spaces), CURLU_NON_SUPPORT_SCHEME (only http and https reach curl),
 * CURLU_GUESS_SCHEME and CURLU_DEFAULT_SCHEME (the string must be absolute), CURLU_PATH_AS_IS
 * (we want RFC 3986 dot-segment removal), CURLU_ALLOW_SPACE (spaces are encoded by then, so a raw
 * one is a bug), CURLU_NO_AUTHORITY (http needs a host), CURLU_DISALLOW_USER (userinfo is legal
 * in links; readers decide). CURLU_PUNYCODE (7.88) is not used for get either: IDN hosts are
 * kept as given.
 */
#define URL_CURL_FLAGS		0u

/*
 * Query parameters that only track the click, removed by url_canonical(): the click ids and
 * campaign tags of Google, Meta, Microsoft, Yandex, Twitter, TikTok, LinkedIn, Mailchimp,
 * HubSpot, Marketo and a few mail tools, as found in Firefox's query stripping, Neat URL and
 * AdGuard's URL tracking filter. "utm_" is a prefix, the rest are whole names, all compared
 * case-insensitively after escapes are normalized. Names that sometimes carry meaning ("ref",
 * "source", "id", "tag") are deliberately absent.
 */
static const char *const tracking_params[] = {
	"fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid",
	"ttclid", "igshid", "li_fat_id", "mc_cid", "mc_eid", "_ga", "_gl", "mkt_tok", "_hsenc",
	"_hsmi", "__hstc", "__hssc", "__hsfp", "hsctatracking", "_openstat", "oly_anon_id",
	"oly_enc_id", "vero_id", "vero_conv", "wickedid", "rb_clickid", "s_cid", "srsltid",
	"fb_action_ids", "fb_action_types", "fb_ref", "fb_source", "action_object_map",
	"action_type_map", "action_ref_map", "ref_src",
};
#define TRACKING_PREFIX		"utm_"

/* Where the parts of a URL start, for the URL split in s[0..n). */
struct parts {
	size_t	path;	/* first byte of the path (after scheme and authority) */
	size_t	query;	/* the '?', or where the fragment starts if there is no query */
	size_t	frag;	/* the '#', or n if there is no fragment */
};

static bool
is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool
is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static unsigned char
to_lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

static int
hex_value(unsigned char c)
{
	if (is_digit(c))
		return c - '0';
	c = to_lower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* RFC 3986 unreserved: an escape of one of these means the same as the byte itself. */
static bool
is_unreserved(unsigned char c)
{
	return is_alpha(c) || is_digit(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

/* True when s[0..n) equals the lower-case word w, ignoring ASCII case. */
static bool
ieq(const char *s, size_t n, const char *w)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (w[i] == '\0' || to_lower((unsigned char)s[i]) != (unsigned char)w[i])
			return false;
	return w[n] == '\0';
}

/*
 * The length of the RFC 3986 scheme that s[0..n) starts with, not counting the ':', or 0 when it
 * has none: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":".
 */
static size_t
scheme_len(const char *s, size_t n)
{
	size_t i;
	unsigned char c;

	if (n == 0 || !is_alpha((unsigned char)s[0]))
		return 0;
	for (i = 1; i < n; i++) {
		c = (unsigned char)s[i];
		if (c == ':')
			return i;
		if (!is_alpha(c) && !is_digit(c) && c != '+' && c != '-' && c != '.')
			return 0;
	}
	return 0;
}

static bool
is_http(const char *scheme, size_t n)
{
	return ieq(scheme, n, "http") || ieq(scheme, n, "https");
}

/* WHATWG's special schemes, where '\' means '/' before the query. */
static bool
is_special(const char *scheme, size_t n)
{
	return is_http(scheme, n) || ieq(scheme, n, "ftp") || ieq(scheme, n, "ws") ||
	    ieq(scheme, n, "wss") || ieq(scheme, n, "file");
}

static bool
is_slash(char c, bool special)
{
	return c == '/' || (special && c == '\\');
}

/*
 * Appends s[0..n) without the leading and trailing C0 controls and spaces, and without any ASCII
 * tab, CR or LF (WHATWG "basic URL parser" preprocessing). Embedded NULs are kept for now: they
 * are percent-encoded later.
 */
static int
put_stripped(struct buf *b, const char *s, size_t n)
{
	size_t i, run;
	int r;

	while (n > 0 && (unsigned char)s[0] <= 0x20) {
		s++;
		n--;
	}
	while (n > 0 && (unsigned char)s[n - 1] <= 0x20)
		n--;
	run = 0;
	for (i = 0; i < n; i++) {
		if (s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
			continue;
		r = buf_append(b, s + run, i - run);
		if (r < 0)
			return r;
		run = i + 1;
	}
	return buf_append(b, s + run, n - run);
}

enum part { PART_AUTHORITY, PART_PATH, PART_QUERY, PART_FRAGMENT };

/*
 * Appends s[0..n), the rest of a URL starting in its authority (authority true) or its path, and
 * percent-encodes what a browser would: controls, space, '"', '<', '>', '`', DEL and every
 * non-ASCII byte (as the UTF-8 bytes they are). Existing escapes and '%' stay. The host keeps its
 * non-ASCII bytes (IDN as given; curl checks it), and for special schemes a '\' before the query
 * becomes '/'.
 */
static int
put_encoded(struct buf *b, const char *s, size_t n, bool special, bool authority)
{
	static const char hex[] = "0123456789ABCDEF";
	enum part p = authority ? PART_AUTHORITY : PART_PATH;
	unsigned char c;
	char esc[3];
	size_t i;
	int r;

	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (special && c == '\\' && p <= PART_PATH)
			c = '/';
		if (p == PART_AUTHORITY && c == '/')
			p = PART_PATH;
		else if (p <= PART_PATH && c == '?')
			p = PART_QUERY;
		else if (p <= PART_QUERY && c == '#')
			p = PART_FRAGMENT;
		if (c <= 0x20 || c == '"' || c == '<' || c == '>' || c == '`' || c == 0x7f ||
		    (c >= 0x80 && p != PART_AUTHORITY)) {
			esc[0] = '%';
			esc[1] = hex[c >> 4];
			esc[2] = hex[c & 0xf];
			r = buf_append(b, esc, 3);
		} else {
			r = buf_putc(b, (char)c);
		}
		if (r < 0)
			return r;
	}
	return 0;
}

/* Finds path, query and fragment of s[0..n), whose path starts at path. */
static void
split(const char *s, size_t n, size_t path, struct parts *ret)
{
	const char *h, *q;

	h = memchr(s + path, '#', n - path);
	ret->frag = h != NULL ? (size_t)(h - s) : n;
	q = memchr(s + path, '?', ret->frag - path);
	ret->query = q != NULL ? (size_t)(q - s) : ret->frag;
	ret->path = path;
}

static int
curl_error(CURLUcode rc)
{
	return rc == CURLUE_OUT_OF_MEMORY ? -ENOMEM : -EINVAL;
}

/*
 * Parses the absolute http(s) URL s (NUL-terminated, already encoded) with curl, which checks the
 * host and port, removes dot segments and lower-cases the scheme, and appends curl's form of it.
 * curl's form is not always a fixed point of curl: 7.88 normalizes a numeric IPv4 host before it
 * decodes escapes, so "http://%38/" gives "http://8/", which gives "http://0.0.0.8/". Parsing
 * again until nothing changes keeps url_resolve() idempotent; a URL that does not settle within
 * URL_CURL_ROUNDS parses is refused.
 */
#define URL_CURL_ROUNDS		3

static int
put_curl_url(struct buf *out, const char *s)
{
	CURLU *h;
	CURLUcode rc = CURLUE_OK;
	char *u = NULL, *prev = NULL;
	int i, r;

	h = curl_url();
	if (h == NULL)
		return -ENOMEM;
	for (i = 0; i < URL_CURL_ROUNDS; i++) {
		rc = curl_url_set(h, CURLUPART_URL, prev != NULL ? prev : s, URL_CURL_FLAGS);
		if (rc == CURLUE_OK)
			rc = curl_url_get(h, CURLUPART_URL, &u, 0);
		if (rc != CURLUE_OK || strcmp(u, prev != NULL ? prev : s) == 0)
			break;
		curl_free(prev);
		prev = u;
		u = NULL;
	}
	if (rc != CURLUE_OK) {
		r = curl_error(rc);
		goto out;
	}
	if (u == NULL) {
		r = -EINVAL;
		goto out;
	}
	r = buf_puts(out, u);
out:
	curl_free(u);
	curl_free(prev);
	curl_url_cleanup(h);
	return r;
}

/*
 * Appends scheme "://" and the rest of an http(s) URL after its slashes, as curl normalizes it.
 * Any number of slashes (or backslashes) after the scheme is accepted, as browsers do.
 */
static int
put_http(struct buf *out, const char *scheme, size_t scheme_n, const char *rest, size_t n)
{
	struct buf t;
	size_t i;
	int r;

	buf_init(&t, URL_MAX_LEN);
	while (n > 0 && is_slash(rest[0], true)) {
		rest++;
		n--;
	}
	for (i = 0; i < scheme_n; i++) {
		r = buf_putc(&t, (char)to_lower((unsigned char)scheme[i]));
		if (r < 0)
			goto out;
	}
	r = buf_puts(&t, "://");
	if (r < 0)
		goto out;
	r = put_encoded(&t, rest, n, true, true);
	if (r < 0)
		goto out;
	r = put_curl_url(out, buf_str(&t));
out:
	buf_release(&t);
	return r;
}

static int resolve(const char *base, const char *ref, size_t ref_len, struct buf *out);

/*
 * Resolves base on its own into b and finds its parts; -EINVAL unless it is an absolute http(s)
 * URL, the only kind that relative references resolve against here.
 */
static int
parse_base(const char *base, struct buf *b, struct parts *ret)
{
	const char *s, *slash;
	int r;

	if (base == NULL)
		return -EINVAL;
	r = resolve(NULL, base, strlen(base), b);
	if (r < 0)
		return r;
	s = buf_str(b);
	if (!is_http(s, scheme_len(s, b->len)))
		return -EINVAL;
	/* curl's form is scheme "://" authority "/" path...; the authority holds no '/'. */
	slash = strchr(strstr(s, "://") + 3, '/');
	if (slash == NULL)
		return -EINVAL;
	split(s, b->len, (size_t)(slash - s), ret);
	return 0;
}

/*
 * Resolves the relative reference ref[0..n) (no scheme, stripped) against the parsed http(s) base
 * b: RFC 3986 §5.2.2 with WHATWG's rules for special schemes (a backslash is a slash, "///host"
 * is "//host"). curl's own relative resolution (7.88) mishandles "", "#frag" and bases with a
 * fragment, so only the parsing and dot-segment removal are left to it.
 */
static int
resolve_relative(const struct buf *b, const struct parts *bp, const char *ref, size_t n,
    struct buf *out)
{
	struct buf e, t;
	struct parts rp;
	const char *bs, *es, *last;
	int r;

	buf_init(&e, URL_MAX_LEN);
	buf_init(&t, URL_MAX_LEN);
	bs = buf_str(b);
	if (n >= 2 && is_slash(ref[0], true) && is_slash(ref[1], true)) {
		r = put_http(out, bs, scheme_len(bs, b->len), ref, n);
		goto out;
	}
	r = put_encoded(&e, ref, n, true, false);
	if (r < 0)
		goto out;
	es = buf_str(&e);
	split(es, e.len, 0, &rp);

	/* Scheme and authority always come from the base. */
	r = buf_append(&t, bs, bp->path);
	if (r < 0)
		goto out;
	if (rp.query == 0) {
		/* No path: the base's path, and its query unless ref has one. */
		r = buf_append(&t, bs + bp->path, bp->query - bp->path);
		if (r == 0 && rp.query == rp.frag)
			r = buf_append(&t, bs + bp->query, bp->frag - bp->query);
	} else if (es[0] != '/') {
		/* Merge: the base path up to its last '/'; curl removes the dot segments. */
		last = bs + bp->query;
		while (last > bs + bp->path && last[-1] != '/')
			last--;
		r = buf_append(&t, bs + bp->path, (size_t)(last - (bs + bp->path)));
	}
	if (r < 0)
		goto out;
	r = buf_append(&t, es, e.len);
	if (r < 0)
		goto out;
	r = put_curl_url(out, buf_str(&t));
out:
	buf_release(&e);
	buf_release(&t);
	return r;
}

/* The work of url_resolve(); out may be left half-written on error. */
static int
resolve(const char *base, const char *ref, size_t ref_len, struct buf *out)
{
	struct buf c, b;
	struct parts bp;
	const char *s, *rest;
	size_t n, sn, i, rn;
	bool slashes;
	int r;

	buf_init(&c, URL_MAX_LEN);
	buf_init(&b, URL_MAX_LEN);
	r = put_stripped(&c, ref, ref_len);
	if (r < 0)
		goto out;
	s = buf_str(&c);
	n = c.len;
	sn = scheme_len(s, n);
	if (sn == 0) {
		r = parse_base(base, &b, &bp);
		if (r == 0)
			r = resolve_relative(&b, &bp, s, n, out);
		goto out;
	}
	rest = s + sn + 1;
	rn = n - sn - 1;
	if (is_http(s, sn)) {
		/*
		 * "http:g" against an http base is the relative "g" (RFC 3986 §5.4.2 allows it for
		 * backward compatibility, WHATWG requires it); otherwise the slashes are optional.
		 */
		slashes = rn >= 2 && is_slash(rest[0], true) && is_slash(rest[1], true);
		if (!slashes && parse_base(base, &b, &bp) == 0 &&
		    scheme_len(buf_str(&b), b.len) == sn)	/* http and https differ in length */
			r = resolve_relative(&b, &bp, rest, rn, out);
		else
			r = put_http(out, s, sn, rest, rn);
		goto out;
	}
	/* Any other scheme is passed through: lower-cased scheme, the rest encoded. */
	for (i = 0; i <= sn; i++) {
		r = buf_putc(out, (char)to_lower((unsigned char)s[i]));
		if (r < 0)
			goto out;
	}
	r = put_encoded(out, rest, rn, is_special(s, sn), false);
out:
	buf_release(&c);
	buf_release(&b);
	return r;
}

/*
 * True when ref is an absolute http(s) URL that resolving would give back unchanged: lower-case
 * scheme, a lower-case host name (no port, no IP address, no escapes) followed by '/', and a path,
 * query and fragment of printable ASCII that needs no escaping and has no dot segments. Anything
 * else takes the full path.
 */
static bool
already_resolved(const char *s, size_t n)
{
	size_t i, host, seg;
	bool letter = false;
	unsigned char c;

	if (n >= URL_MAX_LEN)
		return false;
	if (n > 7 && memcmp(s, "http://", 7) == 0)
		i = 7;
	else if (n > 8 && memcmp(s, "https://", 8) == 0)
		i = 8;
	else
		return false;
	for (host = i; i < n && s[i] != '/'; i++) {
		c = (unsigned char)s[i];
		if (c == '.') {
			if (i == host || s[i - 1] == '.')
				return false;
			letter = false;		/* a new label: an IP address has no letter in its last */
		} else if (c >= 'a' && c <= 'z') {
			letter = true;
		} else if (!is_digit(c) && c != '-') {
			return false;
		}
	}
	if (i == host || i == n || s[i - 1] == '.' || !letter)
		return false;
	for (seg = i; i < n; i++) {
		c = (unsigned char)s[i];
		if (c <= 0x20 || c >= 0x7F || strchr("\"<>\\^`{|}", c) != NULL)
			return false;
		if (c == '%' && (i + 2 >= n || hex_value((unsigned char)s[i + 1]) < 0 ||
		    hex_value((unsigned char)s[i + 2]) < 0))
			return false;
		if (seg != 0 && (c == '/' || c == '?' || c == '#')) {
			/* A "." or ".." path segment just ended: removing those is the full path's work. */
			if ((i - seg == 2 && s[seg + 1] == '.') || (i - seg == 3 && s[seg + 1] == '.' && s[seg + 2] == '.'))
				return false;
			seg = c == '/' ? i : 0;	/* past the path, segments no longer matter */
		}
	}
	return !(seg != 0 && ((n - seg == 2 && s[seg + 1] == '.') || (n - seg == 3 && s[seg + 1] == '.' &&
	    s[seg + 2] == '.')));
}

int
url_resolve(const char *base, const char *ref, size_t ref_len, struct buf *out)
{
	struct buf res;
	int r;

	if (ref == NULL)
		return -EINVAL;
	if (already_resolved(ref, ref_len))
		return buf_append(out, ref, ref_len);	/* most links: no need for libcurl */
	buf_init(&res, URL_MAX_LEN);
	r = resolve(base, ref, ref_len, &res);
	if (r < 0)
		goto out;
	if (res.len == 0) {
		r = -EINVAL;
		goto out;
	}
	r = buf_append(out, res.data, res.len);
out:
	buf_release(&res);
	return r;
}

/* data:image/(png|gif|jpeg|webp) followed by parameters or the data; never svg. */
static bool
data_image_allowed(const char *p)
{
	static const char *const types[] = { "png", "gif", "jpeg", "webp" };
	size_t i, n;

	if (!ieq(p, 6, "image/"))
		return false;
	p += 6;
	n = strcspn(p, ";,");
	if (p[n] == '\0' || strchr(p + n, ',') == NULL)
		return false;
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (ieq(p, n, types[i]))
			return true;
	return false;
}

bool
url_scheme_allowed(const char *u, enum url_use use)
{
	size_t n;

	if (u == NULL)
		return false;
	n = scheme_len(u, strlen(u));
	if (n == 0)
		return false;
	if (is_http(u, n))
		return strncmp(u + n + 1, "//", 2) == 0;
	if (use == URL_LINK && ieq(u, n, "mailto"))
		return true;
	if (use == URL_MEDIA && ieq(u, n, "data"))
		return data_image_allowed(u + n + 1);
	return false;
}

/* True when some '%' in s[0..n) starts no valid escape. */
static bool
has_stray_percent(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] == '%' && (n - i < 3 || hex_value((unsigned char)s[i + 1]) < 0 ||
		    hex_value((unsigned char)s[i + 2]) < 0))
			return true;
	return false;
}

/*
 * Appends s[0..n), one path segment or query parameter, with every valid escape upper-cased, and
 * decoded when it stands for an unreserved byte (RFC 3986 §6.2.2.1 and §6.2.2.2). When a stray
 * '%' is present nothing is decoded: in "%4%43" decoding "%43" would make a new escape "%4C",
 * and the result would not be its own canonical form. The choice is per segment or parameter, so
 * that dropping another one (dot segments, tracking parameters) cannot change it.
 */
static int
put_unescaped(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	bool decode = !has_stray_percent(s, n);
	char esc[3];
	size_t i;
	int hi, lo, r;

	for (i = 0; i < n; i++) {
		const char *pct = memchr(s + i, '%', n - i);
		size_t run = pct != NULL ? (size_t)(pct - s) - i : n - i;

		/* What comes before the next '%' is copied as it is. */
		if (run > 0 && (r = buf_append(b, s + i, run)) < 0)
			return r;
		if ((i += run) == n)
			break;
		hi = -1;
		lo = -1;
		if (n - i >= 3) {
			hi = hex_value((unsigned char)s[i + 1]);
			lo = hex_value((unsigned char)s[i + 2]);
		}
		if (hi < 0 || lo < 0) {
			r = buf_putc(b, s[i]);
		} else if (decode && is_unreserved((unsigned char)(hi << 4 | lo))) {
			r = buf_putc(b, (char)(hi << 4 | lo));
			i += 2;
		} else {
			esc[0] = '%';
			esc[1] = hex[hi];
			esc[2] = hex[lo];
			r = buf_append(b, esc, 3);
			i += 2;
		}
		if (r < 0)
			return r;
	}
	return 0;
}

static bool
is_tracking(const char *name, size_t n)
{
	size_t i, plen = strlen(TRACKING_PREFIX);

	if (n > plen && ieq(name, plen, TRACKING_PREFIX))
		return true;
	for (i = 0; i < sizeof(tracking_params) / sizeof(tracking_params[0]); i++)
		if (ieq(name, n, tracking_params[i]))
			return true;
	return false;
}

/*
 * Appends the query q[0..n) (with its '?', or empty) with escapes normalized, empty and tracking
 * parameters removed, and the rest in their order; nothing at all when no parameter is left.
 */
static int
put_query(struct buf *b, const char *q, size_t n)
{
	struct buf t;
	const char *s, *p, *end, *amp, *eq;
	bool first = true;
	int r;

	if (n <= 1)
		return 0;
	r = 0;
	buf_init(&t, URL_MAX_LEN);
	end = q + n;
	for (p = q + 1; p < end; p = amp + 1) {
		amp = memchr(p, '&', (size_t)(end - p));
		if (amp == NULL)
			amp = end;
		buf_clear(&t);
		r = put_unescaped(&t, p, (size_t)(amp - p));
		if (r < 0)
			goto out;
		s = buf_str(&t);
		eq = memchr(s, '=', t.len);
		if (t.len == 0 || is_tracking(s, eq != NULL ? (size_t)(eq - s) : t.len))
			continue;
		r = buf_putc(b, first ? '?' : '&');
		if (r == 0)
			r = buf_append(b, s, t.len);
		if (r < 0)
			goto out;
		first = false;
	}
out:
	buf_release(&t);
	return r;
}

/* Appends the path p[0..n) with the escapes of each segment normalized. */
static int
put_path(struct buf *b, const char *p, size_t n)
{
	const char *end = p + n, *slash;
	int r;

	for (; p < end; p = slash + 1) {
		slash = memchr(p, '/', (size_t)(end - p));
		if (slash == NULL)
			slash = end;
		r = put_unescaped(b, p, (size_t)(slash - p));
		if (r == 0 && slash < end)
			r = buf_putc(b, '/');
		if (r < 0)
			return r;
	}
	return 0;
}

int
url_canonical(const char *u, struct buf *out)
{
	struct buf a, t;
	struct parts p;
	CURLU *h = NULL;
	CURLUcode rc;
	char *host = NULL, *zone = NULL, *s = NULL;
	const char *as;
	size_t i;
	int r;

	buf_init(&a, URL_MAX_LEN);
	buf_init(&t, URL_MAX_LEN);
	if (u != NULL && already_resolved(u, strlen(u)) && strchr(u, '%') == NULL) {
		/*
		 * Scheme and host already in canonical form, nothing to decode (no '%'): no need for
		 * libcurl, and the path is kept as it is.
		 */
		split(u, strlen(u), (size_t)(strchr(u + 8, '/') - u), &p);
		r = buf_append(&t, u, p.query);
		if (r == 0)
			r = put_query(&t, u + p.query, p.frag - p.query);
		if (r == 0)
			r = buf_append(out, buf_str(&t), t.len);
		goto out;
	}
	r = parse_base(u, &a, &p);
	if (r < 0)
		goto out;
	as = buf_str(&a);
	/* Escapes first: a decoded "%2E" is a dot segment that curl then removes. */
	r = buf_append(&t, as, p.path);
	if (r == 0)
		r = put_path(&t, as + p.path, p.query - p.path);
	if (r == 0)
		r = put_query(&t, as + p.query, p.frag - p.query);
	if (r < 0)
		goto out;
	h = curl_url();
	if (h == NULL) {
		r = -ENOMEM;
		goto out;
	}
	rc = curl_url_set(h, CURLUPART_URL, buf_str(&t), URL_CURL_FLAGS);
	if (rc == CURLUE_OK)
		rc = curl_url_get(h, CURLUPART_HOST, &host, 0);
	if (rc == CURLUE_OK) {
		/* ASCII only: an IDN host is kept as given, and curl has already decoded it. */
		for (i = 0; host[i] != '\0'; i++)
			host[i] = (char)to_lower((unsigned char)host[i]);
		/* Setting the host forgets an IPv6 zone id, so it is put back. */
		if (curl_url_get(h, CURLUPART_ZONEID, &zone, 0) != CURLUE_OK)
			zone = NULL;
		rc = curl_url_set(h, CURLUPART_HOST, host, URL_CURL_FLAGS);
		if (rc == CURLUE_OK && zone != NULL)
			rc = curl_url_set(h, CURLUPART_ZONEID, zone, URL_CURL_FLAGS);
	}
	if (rc == CURLUE_OK)
		rc = curl_url_get(h, CURLUPART_URL, &s, CURLU_NO_DEFAULT_PORT);
	if (rc != CURLUE_OK) {
		r = curl_error(rc);
		goto out;
	}
	if (strlen(s) > URL_MAX_LEN) {
		r = -E2BIG;
		goto out;
	}
	r = buf_puts(out, s);
out:
	curl_free(host);
	curl_free(zone);
	curl_free(s);
	curl_url_cleanup(h);
	buf_release(&a);
	buf_release(&t);
	return r;
}
