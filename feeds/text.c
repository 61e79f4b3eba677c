/* text.c - plain text: UTF-8 repair, NFC, entities, white space, markup removed from HTML. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "charset.h"
#include "text.h"

#define ENTITY_MAX_NAME		32	/* letters and digits read after '&'; HTML5's longest name has 31 */
#define ENTITY_MAX_LEGACY	6	/* longest name HTML reads without ';' ("frac12", "Ccedil") */
#define TAG_MAX_NAME		16	/* a longer tag name is none of the elements we know */
#define NO_OFFSET		SIZE_MAX
/*
 * Combining marks kept in a row; more are dropped. utf8proc puts marks in canonical order with an
 * insertion sort, quadratic in the length of the run (64 KB of marks took 2 s), and no real text
 * needs more than 30 (UAX #15, Stream-Safe Text Format).
 */
#define TEXT_MAX_MARKS		30


/*
 * Named character references: the 253 of HTML 4 and the HTML5 names feeds use, sorted for
 * bsearch(). legacy: HTML reads the name without its ';' (HTML5 keeps this list of 106 names from
 * HTML 4). libxml2's htmlEntityLookup() holds the same HTML 4 names but scans them one by one:
 * about 1 us a name, and 1 MB of "&xxxxx;" took 0.7 s. test_text.c checks this table against
 * every entity libxml2 knows.
 */
struct entity {
	const char	*name;
	uint32_t	 cp;
	bool		 legacy;
};

static const struct entity entities[] = {
	{ "AElig", 0x00c6, true }, { "AMP", '&', true }, { "Aacute", 0x00c1, true },
	{ "Acirc", 0x00c2, true }, { "Agrave", 0x00c0, true }, { "Alpha", 0x0391, false },
	{ "Aring", 0x00c5, true }, { "Atilde", 0x00c3, true }, { "Auml", 0x00c4, true },
	{ "Beta", 0x0392, false }, { "COPY", 0x00a9, true }, { "Ccedil", 0x00c7, true },
	{ "Chi", 0x03a7, false }, { "Dagger", 0x2021, false }, { "Delta", 0x0394, false },
	{ "ETH", 0x00d0, true }, { "Eacute", 0x00c9, true }, { "Ecirc", 0x00ca, true },
	{ "Egrave", 0x00c8, true }, { "Epsilon", 0x0395, false }, { "Eta", 0x0397, false },
	{ "Euml", 0x00cb, true }, { "GT", '>', true }, { "Gamma", 0x0393, false },
	{ "Hat", '^', false }, { "Iacute", 0x00cd, true }, { "Icirc", 0x00ce, true },
	{ "Igrave", 0x00cc, true }, { "Iota", 0x0399, false }, { "Iuml", 0x00cf, true },
	{ "Kappa", 0x039a, false }, { "LT", '<', true }, { "Lambda", 0x039b, false },
	{ "Mu", 0x039c, false }, { "NewLine", '\n', false }, { "NoBreak", 0x2060, false },
	{ "Ntilde", 0x00d1, true }, { "Nu", 0x039d, false }, { "OElig", 0x0152, false },
	{ "Oacute", 0x00d3, true }, { "Ocirc", 0x00d4, true }, { "Ograve", 0x00d2, true },
	{ "Omega", 0x03a9, false }, { "Omicron", 0x039f, false }, { "Oslash", 0x00d8, true },
	{ "Otilde", 0x00d5, true }, { "Ouml", 0x00d6, true }, { "Phi", 0x03a6, false },
	{ "Pi", 0x03a0, false }, { "Prime", 0x2033, false }, { "Psi", 0x03a8, false },
	{ "QUOT", '"', true }, { "REG", 0x00ae, true }, { "Rho", 0x03a1, false },
	{ "Scaron", 0x0160, false }, { "Sigma", 0x03a3, false }, { "THORN", 0x00de, true },
	{ "TRADE", 0x2122, false }, { "Tab", '\t', false }, { "Tau", 0x03a4, false },
	{ "Theta", 0x0398, false }, { "ThinSpace", 0x2009, false }, { "Uacute", 0x00da, true },
	{ "Ucirc", 0x00db, true }, { "Ugrave", 0x00d9, true }, { "Upsilon", 0x03a5, false },
	{ "Uuml", 0x00dc, true }, { "Xi", 0x039e, false }, { "Yacute", 0x00dd, true },
	{ "Yuml", 0x0178, false }, { "ZeroWidthSpace", 0x200b, false }, { "Zeta", 0x0396, false },
	{ "aacute", 0x00e1, true }, { "acirc", 0x00e2, true }, { "acute", 0x00b4, true },
	{ "aelig", 0x00e6, true }, { "agrave", 0x00e0, true }, { "alefsym", 0x2135, false },
	{ "alpha", 0x03b1, false }, { "amp", '&', true }, { "and", 0x2227, false },
	{ "ang", 0x2220, false }, { "apos", '\'', false }, { "aring", 0x00e5, true },
	{ "ast", '*', false }, { "asymp", 0x2248, false }, { "atilde", 0x00e3, true },
	{ "auml", 0x00e4, true }, { "bdquo", 0x201e, false }, { "beta", 0x03b2, false },
	{ "brvbar", 0x00a6, true }, { "bsol", '\\', false }, { "bull", 0x2022, false },
	{ "bullet", 0x2022, false }, { "cap", 0x2229, false }, { "ccedil", 0x00e7, true },
	{ "cedil", 0x00b8, true }, { "cent", 0x00a2, true }, { "centerdot", 0x00b7, false },
	{ "chi", 0x03c7, false }, { "circ", 0x02c6, false }, { "clubs", 0x2663, false },
	{ "colon", ':', false }, { "comma", ',', false }, { "commat", '@', false },
	{ "cong", 0x2245, false }, { "copy", 0x00a9, true }, { "crarr", 0x21b5, false },
	{ "cup", 0x222a, false }, { "curren", 0x00a4, true }, { "dArr", 0x21d3, false },
	{ "dagger", 0x2020, false }, { "darr", 0x2193, false }, { "dash", 0x2010, false },
	{ "deg", 0x00b0, true }, { "delta", 0x03b4, false }, { "diams", 0x2666, false },
	{ "divide", 0x00f7, true }, { "dollar", '$', false }, { "eacute", 0x00e9, true },
	{ "ecirc", 0x00ea, true }, { "egrave", 0x00e8, true }, { "empty", 0x2205, false },
	{ "emsp", 0x2003, false }, { "ensp", 0x2002, false }, { "epsilon", 0x03b5, false },
	{ "equals", '=', false }, { "equiv", 0x2261, false }, { "eta", 0x03b7, false },
	{ "eth", 0x00f0, true }, { "euml", 0x00eb, true }, { "euro", 0x20ac, false },
	{ "excl", '!', false }, { "exist", 0x2203, false }, { "fnof", 0x0192, false },
	{ "forall", 0x2200, false }, { "frac12", 0x00bd, true }, { "frac14", 0x00bc, true },
	{ "frac34", 0x00be, true }, { "frasl", 0x2044, false }, { "gamma", 0x03b3, false },
	{ "ge", 0x2265, false }, { "grave", '`', false }, { "gt", '>', true },
	{ "hArr", 0x21d4, false }, { "half", 0x00bd, false }, { "harr", 0x2194, false },
	{ "hearts", 0x2665, false }, { "hellip", 0x2026, false }, { "hyphen", 0x2010, false },
	{ "iacute", 0x00ed, true }, { "icirc", 0x00ee, true }, { "iexcl", 0x00a1, true },
	{ "igrave", 0x00ec, true }, { "image", 0x2111, false }, { "infin", 0x221e, false },
	{ "int", 0x222b, false }, { "iota", 0x03b9, false }, { "iquest", 0x00bf, true },
	{ "isin", 0x2208, false }, { "iuml", 0x00ef, true }, { "kappa", 0x03ba, false },
	{ "lArr", 0x21d0, false }, { "lambda", 0x03bb, false }, { "lang", 0x2329, false },
	{ "laquo", 0x00ab, true }, { "larr", 0x2190, false }, { "lceil", 0x2308, false },
	{ "lcub", '{', false }, { "ldquo", 0x201c, false }, { "ldquor", 0x201e, false },
	{ "le", 0x2264, false }, { "lfloor", 0x230a, false }, { "lowast", 0x2217, false },
	{ "lowbar", '_', false }, { "loz", 0x25ca, false }, { "lpar", '(', false },
	{ "lrm", 0x200e, false }, { "lsaquo", 0x2039, false }, { "lsqb", '[', false },
	{ "lsquo", 0x2018, false }, { "lsquor", 0x201a, false }, { "lt", '<', true },
	{ "macr", 0x00af, true }, { "mdash", 0x2014, false }, { "micro", 0x00b5, true },
	{ "middot", 0x00b7, true }, { "minus", 0x2212, false }, { "mldr", 0x2026, false },
	{ "mu", 0x03bc, false }, { "nabla", 0x2207, false }, { "nbhy", 0x2011, false },
	{ "nbsp", 0x00a0, true }, { "ndash", 0x2013, false }, { "ne", 0x2260, false },
	{ "ni", 0x220b, false }, { "not", 0x00ac, true }, { "notin", 0x2209, false },
	{ "nsub", 0x2284, false }, { "ntilde", 0x00f1, true }, { "nu", 0x03bd, false },
	{ "num", '#', false }, { "oacute", 0x00f3, true }, { "ocirc", 0x00f4, true },
	{ "oelig", 0x0153, false }, { "ograve", 0x00f2, true }, { "oline", 0x203e, false },
	{ "omega", 0x03c9, false }, { "omicron", 0x03bf, false }, { "oplus", 0x2295, false },
	{ "or", 0x2228, false }, { "ordf", 0x00aa, true }, { "ordm", 0x00ba, true },
	{ "oslash", 0x00f8, true }, { "otilde", 0x00f5, true }, { "otimes", 0x2297, false },
	{ "ouml", 0x00f6, true }, { "para", 0x00b6, true }, { "part", 0x2202, false },
	{ "percnt", '%', false }, { "period", '.', false }, { "permil", 0x2030, false },
	{ "perp", 0x22a5, false }, { "phi", 0x03c6, false }, { "pi", 0x03c0, false },
	{ "piv", 0x03d6, false }, { "plus", '+', false }, { "plusmn", 0x00b1, true },
	{ "pound", 0x00a3, true }, { "prime", 0x2032, false }, { "prod", 0x220f, false },
	{ "prop", 0x221d, false }, { "psi", 0x03c8, false }, { "quest", '?', false },
	{ "quot", '"', true }, { "rArr", 0x21d2, false }, { "radic", 0x221a, false },
	{ "rang", 0x232a, false }, { "raquo", 0x00bb, true }, { "rarr", 0x2192, false },
	{ "rceil", 0x2309, false }, { "rcub", '}', false }, { "rdquo", 0x201d, false },
	{ "rdquor", 0x201d, false }, { "real", 0x211c, false }, { "reg", 0x00ae, true },
	{ "rfloor", 0x230b, false }, { "rho", 0x03c1, false }, { "rlm", 0x200f, false },
	{ "rpar", ')', false }, { "rsaquo", 0x203a, false }, { "rsqb", ']', false },
	{ "rsquo", 0x2019, false }, { "rsquor", 0x2019, false }, { "sbquo", 0x201a, false },
	{ "scaron", 0x0161, false }, { "sdot", 0x22c5, false }, { "sect", 0x00a7, true },
	{ "semi", ';', false }, { "shy", 0x00ad, true }, { "sigma", 0x03c3, false },
	{ "sigmaf", 0x03c2, false }, { "sim", 0x223c, false }, { "sol", '/', false },
	{ "spades", 0x2660, false }, { "sub", 0x2282, false }, { "sube", 0x2286, false },
	{ "sum", 0x2211, false }, { "sup", 0x2283, false }, { "sup1", 0x00b9, true },
	{ "sup2", 0x00b2, true }, { "sup3", 0x00b3, true }, { "supe", 0x2287, false },
	{ "szlig", 0x00df, true }, { "tau", 0x03c4, false }, { "there4", 0x2234, false },
	{ "theta", 0x03b8, false }, { "thetasym", 0x03d1, false }, { "thinsp", 0x2009, false },
	{ "thorn", 0x00fe, true }, { "tilde", 0x02dc, false }, { "times", 0x00d7, true },
	{ "trade", 0x2122, false }, { "uArr", 0x21d1, false }, { "uacute", 0x00fa, true },
	{ "uarr", 0x2191, false }, { "ucirc", 0x00fb, true }, { "ugrave", 0x00f9, true },
	{ "uml", 0x00a8, true }, { "upsih", 0x03d2, false }, { "upsilon", 0x03c5, false },
	{ "uuml", 0x00fc, true }, { "verbar", '|', false }, { "vert", '|', false },
	{ "weierp", 0x2118, false }, { "xi", 0x03be, false }, { "yacute", 0x00fd, true },
	{ "yen", 0x00a5, true }, { "yuml", 0x00ff, true }, { "zeta", 0x03b6, false },
	{ "zwj", 0x200d, false }, { "zwnj", 0x200c, false },
};

/*
 * The elements text_from_html() knows, sorted for bsearch(). TAG_BLOCK: the start and end tags read
 * as white space. TAG_SKIP: the content is not text a reader sees, and everything up to the
 * matching end tag is dropped (the rest of the input when there is none).
 */
enum { TAG_BLOCK = 1, TAG_SKIP = 2 };

static const struct tag_kind {
	const char	*name;
	int		 kind;
} tag_kinds[] = {
	{ "address", TAG_BLOCK }, { "article", TAG_BLOCK }, { "aside", TAG_BLOCK },
	{ "blockquote", TAG_BLOCK }, { "br", TAG_BLOCK }, { "caption", TAG_BLOCK },
	{ "dd", TAG_BLOCK }, { "details", TAG_BLOCK }, { "div", TAG_BLOCK }, { "dl", TAG_BLOCK },
	{ "dt", TAG_BLOCK }, { "fieldset", TAG_BLOCK }, { "figcaption", TAG_BLOCK },
	{ "figure", TAG_BLOCK }, { "footer", TAG_BLOCK }, { "form", TAG_BLOCK },
	{ "h1", TAG_BLOCK }, { "h2", TAG_BLOCK }, { "h3", TAG_BLOCK }, { "h4", TAG_BLOCK },
	{ "h5", TAG_BLOCK }, { "h6", TAG_BLOCK }, { "head", TAG_SKIP }, { "header", TAG_BLOCK },
	{ "hr", TAG_BLOCK }, { "iframe", TAG_SKIP }, { "legend", TAG_BLOCK }, { "li", TAG_BLOCK },
	{ "main", TAG_BLOCK }, { "nav", TAG_BLOCK }, { "noembed", TAG_SKIP },
	{ "noframes", TAG_SKIP }, { "noscript", TAG_SKIP }, { "ol", TAG_BLOCK },
	{ "option", TAG_BLOCK }, { "p", TAG_BLOCK }, { "pre", TAG_BLOCK }, { "script", TAG_SKIP },
	{ "section", TAG_BLOCK }, { "style", TAG_SKIP }, { "summary", TAG_BLOCK },
	{ "table", TAG_BLOCK }, { "tbody", TAG_BLOCK }, { "td", TAG_BLOCK },
	{ "template", TAG_SKIP }, { "textarea", TAG_SKIP }, { "tfoot", TAG_BLOCK },
	{ "th", TAG_BLOCK }, { "thead", TAG_BLOCK }, { "title", TAG_SKIP }, { "tr", TAG_BLOCK },
	{ "ul", TAG_BLOCK }, { "xmp", TAG_SKIP },
};

/*
 * The output under construction. It is written straight into out->data from out->len on;
 * out->len itself moves only when everything succeeded, so out is unchanged on error.
 */
struct emit {
	struct buf	*b;
	size_t		 pos;		/* next byte goes to b->data[pos] */
	size_t		 end;		/* b->data has room up to here, NUL not counted */
	size_t		 last;		/* where the last character written starts */
	size_t		 nfc_from;	/* NFC must start here; NO_OFFSET while all passed the quick check */
	unsigned	 marks;		/* combining marks in a row just written */
	bool		 space;		/* a white space run waits for the next character */
	bool		 full;		/* out->max reached: the rest is dropped */
	int		 err;
};

static int
cmp_tag(const void *key, const void *elem)
{
	return strcmp(key, ((const struct tag_kind *)elem)->name);
}

/* TAG_BLOCK, TAG_SKIP or 0 for the lowercased tag name. */
static int
tag_lookup(const char *name)
{
	const struct tag_kind *t;

	t = bsearch(name, tag_kinds, sizeof(tag_kinds) / sizeof(tag_kinds[0]), sizeof(tag_kinds[0]),
	    cmp_tag);
	return t != NULL ? t->kind : 0;
}

static bool
is_alpha(unsigned char c)
{
	return (unsigned char)((c | 0x20) - 'a') < 26;
}

static bool
is_alnum(unsigned char c)
{
	return is_alpha(c) || (unsigned char)(c - '0') < 10;
}

/* White space as the HTML tokenizer sees it between attributes. */
static bool
is_tag_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

/* The length of the valid UTF-8 sequence at s and its code point, or 0 when s[0] is a bad byte. */
static size_t
utf8_decode(const unsigned char *s, size_t len, uint32_t *ret_cp)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	uint32_t cp;
	size_t n, i;

	if (c < 0x80) {
		*ret_cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		cp = c & 0x0f;
		if (c == 0xe0)
			lo = 0xa0;	/* overlong */
		else if (c == 0xed)
			hi = 0x9f;	/* surrogates, as CESU-8 writes them */
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		cp = c & 0x07;
		if (c == 0xf0)
			lo = 0x90;	/* overlong */
		else if (c == 0xf4)
			hi = 0x8f;	/* above U+10FFFF */
	} else {
		return 0;
	}
	if (len < n || s[1] < lo || s[1] > hi)
		return 0;
	cp = (cp << 6) | (s[1] & 0x3f);
	for (i = 2; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	*ret_cp = cp;
	return n;
}


/* A bad byte read as Windows-1252, as a browser reads a mislabelled page (its five holes: U+FFFD). */
static uint32_t
bad_byte(unsigned char c)
{
	return charset_cp1252(c);
}

/* Not a Char of XML 1.0 (surrogates never get here: they are not valid UTF-8). */
static bool
xml_illegal(uint32_t cp)
{
	if (cp < 0x20)
		return cp != '\t' && cp != '\n' && cp != '\r';
	return cp == 0xfffe || cp == 0xffff;
}

/*
 * Characters that nfc_quick() must refuse although utf8proc's properties would let them pass:
 * canonical singletons (U+212B ANGSTROM SIGN is U+00C5), which NFC replaces, and the scripts in
 * which a vowel sign of combining class 0 composes with the letter before it (Bengali to Sinhala,
 * Tibetan to Hangul jamo, Balinese, the Brahmic scripts of plane 1). Whole ranges are refused
 * where that is simpler: refusing only costs time.
 */
static const struct {
	uint32_t	first, last;
} nfc_slow[] = {
	{ 0x0374, 0x0374 }, { 0x037e, 0x037e }, { 0x0387, 0x0387 }, { 0x0980, 0x0dff },
	{ 0x0f00, 0x11ff }, { 0x1b00, 0x1b7f }, { 0x1f71, 0x1ffd }, { 0x2000, 0x2001 },
	{ 0x2126, 0x2126 }, { 0x212a, 0x212b }, { 0x2329, 0x232a }, { 0xf900, 0xfaff },
	{ 0x11000, 0x11fff }, { 0x2f800, 0x2fa1f },
};

/*
 * True when cp (of combining class 0, at or above U+0300) cannot change under NFC nor change what
 * comes before it: it has no canonical decomposition or is a composite NFC keeps ("é", "で", "й"),
 * and it is never the second of a pair that composes. Text made only of such characters is in
 * NFC already, so utf8proc (which always allocates) runs only on the rest. test_text.c holds the
 * rule against every code point and every decomposition utf8proc knows.
 */
static bool
nfc_quick(uint32_t cp, const utf8proc_property_t *p)
{
	size_t i;

	for (i = 0; i < sizeof(nfc_slow) / sizeof(nfc_slow[0]) && cp >= nfc_slow[i].first; i++) {
		if (cp <= nfc_slow[i].last)
			return false;
	}
	/* decomp_type 0 with a decomposition is a canonical one; compatibility ones do not matter */
	return p->decomp_seqindex == UINT16_MAX || p->decomp_type != 0 || !p->comp_exclusion;
}

/* Where to cut s so that it is at most max bytes and ends at a character boundary. */
static size_t
utf8_cut(const unsigned char *s, size_t len, size_t max)
{
	if (len <= max)
		return len;
	while (max > 0 && (s[max] & 0xc0) == 0x80)
		max--;
	return max;
}

static void
emit_init(struct emit *e, struct buf *out, size_t hint)
{
	size_t room;

	e->b = out;
	e->pos = out->len;
	e->last = out->len;
	e->nfc_from = NO_OFFSET;
	e->marks = 0;
	e->space = false;
	e->full = out->len >= out->max;
	e->err = 0;
	e->end = out->data != NULL ? out->cap - 1 : out->len;
	if (e->full || hint == 0)
		return;
	/* Most text comes out as long as it went in: one allocation in the common case. */
	room = out->max - out->len;
	e->err = buf_reserve(out, hint < room ? hint : room);
	if (e->err < 0) {
		e->full = true;
		return;
	}
	e->end = out->cap - 1;
}

/* Room for n more bytes at e->pos, which the caller has checked against out->max. */
static bool
emit_room(struct emit *e, size_t n)
{
	struct buf *b = e->b;
	int r;

	if (n <= e->end - e->pos)
		return true;
	r = buf_reserve(b, e->pos - b->len + n);
	if (r < 0) {
		e->err = r;
		e->full = true;
		return false;
	}
	e->end = b->cap - 1;
	return true;
}

/* Where the last character of the n bytes at p starts. */
static size_t
last_char(const unsigned char *p, size_t n)
{
	while (n > 1 && (p[n - 1] & 0xc0) == 0x80)
		n--;
	return n - 1;
}

/*
 * Appends n bytes of whole characters, after the pending space. What does not fit within out->max
 * is cut at a character boundary, never after a space; then the rest is dropped.
 */
static void
emit_bytes_slow(struct emit *e, const unsigned char *p, size_t n)
{
	size_t sp = e->space ? 1 : 0, room;

	if (e->full)
		return;
	room = e->b->max - e->pos;
	if (n + sp > room) {
		e->full = true;
		if (room <= sp)
			return;
		n = utf8_cut(p, n, room - sp);
		while (n > 0 && p[n - 1] == ' ')
			n--;
		if (n == 0)
			return;
	}
	if (!emit_room(e, n + sp))
		return;
	if (sp != 0) {
		e->b->data[e->pos++] = ' ';
		e->space = false;
	}
	memcpy(e->b->data + e->pos, p, n);
	e->last = e->pos + last_char(p, n);
	e->pos += n;
}

/* emit_bytes_slow() for the common case: room enough, nothing cut. */
static inline void
emit_bytes(struct emit *e, const unsigned char *p, size_t n)
{
	unsigned char *d;
	size_t sp = e->space ? 1 : 0, i;

	if (e->full || n + sp > e->end - e->pos || n + sp > e->b->max - e->pos) {
		emit_bytes_slow(e, p, n);
		return;
	}
	d = (unsigned char *)e->b->data + e->pos;
	if (sp != 0) {
		*d++ = ' ';
		e->space = false;
	}
	if (n > 4) {
		memcpy(d, p, n);
	} else {
		for (i = 0; i < n; i++)	/* one character: a call to memcpy costs more */
			d[i] = p[i];
	}
	e->pos += sp;
	e->last = e->pos + last_char(p, n);
	e->pos += n;
}

/* Text made of starters that NFC keeps (ASCII included): no NFC, no marks to count. */
static void
emit_run(struct emit *e, const void *p, size_t n)
{
	emit_bytes(e, p, n);
	e->marks = 0;
}

/* White space: becomes one space before the next character, and none at either end. */
static void
emit_space(struct emit *e)
{
	if (e->pos > e->b->len)
		e->space = true;
	e->marks = 0;
}

/*
 * True for the starters that NFC keeps and that need no look-up: below U+0300 (C1 controls
 * aside), Cyrillic letters, quotes and dashes, kana, CJK ideographs and Hangul syllables.
 */
static inline bool
plain_char(uint32_t cp)
{
	if (cp < 0x300)
		return cp >= 0xa0;
	return (cp >= 0x400 && cp < 0x483) || (cp >= 0x2010 && cp < 0x2028) ||
	    (cp >= 0x3040 && cp < 0x3099) || (cp >= 0x30a0 && cp < 0x3100) ||
	    (cp >= 0x4e00 && cp < 0xa000) || (cp >= 0xac00 && cp < 0xd7a4);
}

/*
 * One decoded character, filtered as text_clean() promises; src holds its n bytes of UTF-8, or is
 * NULL when it has to be encoded (a repaired byte, a reference).
 */
static void
emit_char(struct emit *e, uint32_t cp, const unsigned char *src, size_t n)
{
	const utf8proc_property_t *p;
	unsigned char u[4];

	if (cp < 0xa0) {
		if (cp > 0x20 && cp < 0x7f) {
			u[0] = (unsigned char)cp;
			emit_run(e, u, 1);
		} else if (cp == ' ' || (cp >= '\t' && cp <= '\r') || cp == 0x85) {
			emit_space(e);	/* 0x85 is NEL, a line break */
		}
		return;			/* NUL, other C0 and C1 controls, DEL */
	}
	if (plain_char(cp)) {
		e->marks = 0;
	} else {
		if (cp == 0x2028 || cp == 0x2029) {
			emit_space(e);	/* line and paragraph separators */
			return;
		}
		if (xml_illegal(cp))
			return;
		p = utf8proc_get_property((utf8proc_int32_t)cp);
		if (p->combining_class != 0) {
			if (e->marks++ >= TEXT_MAX_MARKS)
				return;
			if (e->nfc_from == NO_OFFSET)
				e->nfc_from = e->last;	/* it may compose with the character before */
		} else {
			e->marks = 0;
			if (e->nfc_from == NO_OFFSET && !nfc_quick(cp, p))
				e->nfc_from = e->last;
		}
	}
	if (src == NULL) {
		n = charset_utf8_encode(cp, (char *)u);
		src = u;
	}
	emit_bytes(e, src, n);
}

/* What a byte is to emit_text(): one of these tables per mode. */
enum byte_kind {
	K_CTRL,		/* a C0 control or DEL: dropped, or white space */
	K_WORD,		/* printable ASCII other than space */
	K_SPACE,
	K_MARKUP,	/* '<' or '&' in HTML: the caller's business */
	K_HIGH,		/* part of a multi-byte character, or a bad byte */
};

#define KIND_ROW(k)	k, k, k, k, k, k, k, k, k, k, k, k, k, k, k, k
#define KIND_HIGH	KIND_ROW(K_HIGH), KIND_ROW(K_HIGH), KIND_ROW(K_HIGH), KIND_ROW(K_HIGH), \
			KIND_ROW(K_HIGH), KIND_ROW(K_HIGH), KIND_ROW(K_HIGH), KIND_ROW(K_HIGH)
#define KIND_LETTERS	KIND_ROW(K_WORD), KIND_ROW(K_WORD), KIND_ROW(K_WORD), \
			K_WORD, K_WORD, K_WORD, K_WORD, K_WORD, K_WORD, K_WORD, K_WORD, \
			K_WORD, K_WORD, K_WORD, K_WORD, K_WORD, K_WORD, K_WORD, K_CTRL

static const unsigned char kind_text[256] = {
	KIND_ROW(K_CTRL), KIND_ROW(K_CTRL),
	K_SPACE, K_WORD, K_WORD, K_WORD, K_WORD, K_WORD, K_WORD, K_WORD,
	K_WORD, K_WORD, K_WORD, K_WORD, K_WORD, K_WORD, K_WORD, K_WORD,
	KIND_ROW(K_WORD),
	KIND_LETTERS,
	KIND_HIGH,
};

static const unsigned char kind_html[256] = {
	KIND_ROW(K_CTRL), KIND_ROW(K_CTRL),
	K_SPACE, K_WORD, K_WORD, K_WORD, K_WORD, K_WORD, K_MARKUP, K_WORD,	/* '&' */
	K_WORD, K_WORD, K_WORD, K_WORD, K_WORD, K_WORD, K_WORD, K_WORD,
	K_WORD, K_WORD, K_WORD, K_WORD, K_WORD, K_WORD, K_WORD, K_WORD,
	K_WORD, K_WORD, K_WORD, K_WORD, K_MARKUP, K_WORD, K_WORD, K_WORD,	/* '<' */
	KIND_LETTERS,
	KIND_HIGH,
};

#define ONES		UINT64_C(0x0101010101010101)
#define HIGH_BITS	UINT64_C(0x8080808080808080)

/* The high bit of each byte of w that is b, exactly (no carry runs from byte to byte). */
static inline uint64_t
bytes_equal(uint64_t w, unsigned char b)
{
	uint64_t x = w ^ (ONES * b);

	return ~(((x & ~HIGH_BITS) + ~HIGH_BITS) | x) & HIGH_BITS;
}

/*
 * True when the 8 bytes at s can join a run of words as they are: all printable ASCII (no '<'
 * or '&' in HTML), and every space single and followed by a letter of the word (not in the last
 * byte, whose follower we do not see; the byte before the first is a word's, or the run would
 * have stopped).
 */
static inline bool
words8(const unsigned char *s, bool html)
{
	uint64_t w, sp, bad;

	memcpy(&w, s, 8);
	/* Below 0x20 or above 0x7E; a borrow may mark a byte too many, which only costs time. */
	bad = ((w - ONES * 0x20) | w | (w + ONES)) & HIGH_BITS;
	if (html)
		bad |= bytes_equal(w, '<') | bytes_equal(w, '&');
	sp = bytes_equal(w, ' ');
	return bad == 0 && (sp & (sp << 8)) == 0 && (sp >> 56) == 0;
}

/*
 * Cleans s into e up to its end or, with kind_html, up to the next '<' or '&'. Returns the bytes
 * used. Printable ASCII goes in runs; a bad byte is read as Windows-1252.
 */
static size_t
emit_text(struct emit *e, const unsigned char *s, size_t len, const unsigned char kind[256])
{
	size_t i = 0, j, n;
	unsigned char k;
	uint32_t cp;

	while (i < len && !e->full) {
		switch (kind[s[i]]) {
		case K_WORD:
		case K_HIGH:
			/*
			 * Words, plain characters and the single spaces between them go in one
			 * copy; a space before something else ends the run as white space.
			 */
			for (j = i; j < len; j++) {
				while (len - j >= 8 && words8(s + j, kind == kind_html))
					j += 8;
				if (j == len)
					break;
				k = kind[s[j]];
				if (k == K_HIGH) {
					n = utf8_decode(s + j, len - j, &cp);
					if (n == 0 || !plain_char(cp))
						break;
					j += n - 1;
				} else if (k != K_WORD && (k != K_SPACE || j + 1 == len ||
				    kind[s[j + 1]] == K_SPACE || kind[s[j + 1]] == K_CTRL ||
				    kind[s[j + 1]] == K_MARKUP)) {
					break;
				}
			}
			if (j > i && s[j - 1] == ' ') {
				emit_run(e, s + i, j - 1 - i);
				emit_space(e);
				i = j;
				break;
			}
			if (j > i) {
				emit_run(e, s + i, j - i);
				i = j;
				break;
			}
			/* A character to look at on its own, or a bad byte. */
			n = utf8_decode(s + i, len - i, &cp);
			if (n == 0) {
				emit_char(e, bad_byte(s[i]), NULL, 1);
				n = 1;
			} else {
				emit_char(e, cp, s + i, n);
			}
			i += n;
			break;
		case K_SPACE:
			emit_space(e);
			i++;
			break;
		case K_CTRL:
			emit_char(e, s[i], NULL, 1);
			i++;
			break;
		default:
			return i;	/* K_MARKUP */
		}
	}
	return i;
}

/*
 * Drops the marks past TEXT_MAX_MARKS in a row from NFC text s, in place; returns the new length.
 * Needed again after NFC, which may split one mark in two (U+0344); dropping the tail of a run
 * leaves NFC text in NFC, so text_clean() stays idempotent.
 */
static size_t
cap_marks(unsigned char *s, size_t len)
{
	size_t i, w = 0, n;
	unsigned marks = 0;
	bool keep;
	uint32_t cp;

	for (i = 0; i < len; i += n) {
		n = utf8_decode(s + i, len - i, &cp);
		if (n == 0) {		/* cannot happen: utf8proc writes valid UTF-8 */
			n = 1;
			cp = 0;
		}
		keep = true;
		if (cp < 0x300 || utf8proc_get_property((utf8proc_int32_t)cp)->combining_class == 0)
			marks = 0;
		else if (marks++ >= TEXT_MAX_MARKS)
			keep = false;
		if (keep) {
			memmove(s + w, s + i, n);
			w += n;
		}
	}
	return w;
}

/* Puts the text written since e->nfc_from in NFC; it may grow, so it is cut to out->max again. */
static int
emit_nfc(struct emit *e)
{
	struct buf *b = e->b;
	utf8proc_uint8_t *nfc = NULL;
	utf8proc_ssize_t r;
	size_t n;

	r = utf8proc_map((const utf8proc_uint8_t *)b->data + e->nfc_from,
	    (utf8proc_ssize_t)(e->pos - e->nfc_from), &nfc, UTF8PROC_COMPOSE | UTF8PROC_STABLE);
	if (r < 0)	/* valid UTF-8 leaves utf8proc nothing to refuse but memory */
		return r == UTF8PROC_ERROR_NOMEM ? -ENOMEM : -EINVAL;
	n = cap_marks(nfc, (size_t)r);
	n = utf8_cut(nfc, n, b->max - e->nfc_from);
	if (n > e->end - e->nfc_from) {
		e->pos = e->nfc_from;
		if (!emit_room(e, n)) {
			free(nfc);
			return e->err;
		}
	}
	memcpy(b->data + e->nfc_from, nfc, n);
	free(nfc);
	e->pos = e->nfc_from + n;
	while (e->pos > b->len && b->data[e->pos - 1] == ' ')
		e->pos--;	/* cut after a space: the end is trimmed */
	return 0;
}

static int
emit_finish(struct emit *e)
{
	struct buf *b = e->b;
	int r = e->err;

	if (r == 0 && e->nfc_from != NO_OFFSET)
		r = emit_nfc(e);
	if (r < 0) {
		if (b->data != NULL)
			b->data[b->len] = '\0';
		return r;
	}
	b->len = e->pos;
	if (b->data != NULL)
		b->data[b->len] = '\0';	/* also when buf_reserve() gave a new, empty block */
	return 0;
}

int
text_clean(const char *s, size_t len, struct buf *out)
{
	struct emit e;

	emit_init(&e, out, len);
	(void)emit_text(&e, (const unsigned char *)s, len, kind_text);
	return emit_finish(&e);
}

struct entity_key {
	const unsigned char	*name;
	size_t			 len;
};

static int
cmp_entity(const void *key, const void *elem)
{
	const struct entity_key *k = key;
	const char *name = ((const struct entity *)elem)->name;
	int r;

	r = strncmp((const char *)k->name, name, k->len);
	if (r != 0)
		return r;
	return name[k->len] == '\0' ? 0 : -1;	/* a prefix sorts first */
}

/* The entity called by the n bytes at name, or NULL. */
static const struct entity *
entity_named(const unsigned char *name, size_t n)
{
	struct entity_key key = { name, n };

	return bsearch(&key, entities, sizeof(entities) / sizeof(entities[0]), sizeof(entities[0]),
	    cmp_entity);
}

/* Decodes the reference at s (s[0] == '&'): bytes used, or 0 when it is not one. */
static size_t
entity_decode(const unsigned char *s, size_t len, uint32_t *ret_cp)
{
	const struct entity *ent;
	uint32_t v = 0, d;
	size_t i = 1, start, n, k;
	bool hex = false;

	if (len < 2)
		return 0;
	if (s[1] == '#') {
		i = 2;
		if (i < len && (s[i] | 0x20) == 'x') {
			hex = true;
			i++;
		}
		for (start = i; i < len; i++) {
			if ((unsigned char)(s[i] - '0') < 10)
				d = s[i] - '0';
			else if (hex && (unsigned char)((s[i] | 0x20) - 'a') < 6)
				d = (s[i] | 0x20) - 'a' + 10;
			else
				break;
			/* Saturate: any run of digits past U+10FFFF reads as one too large value. */
			v = v > 0x10ffff ? v : v * (hex ? 16 : 10) + d;
		}
		if (i == start)
			return 0;
		if (i < len && s[i] == ';')
			i++;
		if (v == 0 || v > 0x10ffff || (v >= 0xd800 && v < 0xe000))
			v = 0xfffd;
		else if (v >= 0x80 && v < 0xa0 && charset_cp1252((unsigned char)v) != 0xfffd)
			v = charset_cp1252((unsigned char)v);	/* HTML5 reads &#146; as Windows-1252 does */
		*ret_cp = v;
		return i;
	}
	while (i < len && i <= ENTITY_MAX_NAME && is_alnum(s[i]))
		i++;
	n = i - 1;
	if (n == 0)
		return 0;
	if (i < len && s[i] == ';') {
		ent = entity_named(s + 1, n);
		if (ent != NULL) {
			*ret_cp = ent->cp;
			return i + 1;
		}
	}
	/* Without ';', HTML takes the longest legacy name the letters start with: "&copy2024". */
	for (k = n < ENTITY_MAX_LEGACY ? n : ENTITY_MAX_LEGACY; k >= 2; k--) {
		ent = entity_named(s + 1, k);
		if (ent != NULL && ent->legacy) {
			*ret_cp = ent->cp;
			return k + 1;
		}
	}
	return 0;
}

size_t
text_entity(const char *s, size_t len, char out[8], size_t *ret_outlen)
{
	uint32_t cp;
	size_t n;

	n = entity_decode((const unsigned char *)s, len, &cp);
	if (n == 0)
		return 0;
	*ret_outlen = charset_utf8_encode(cp, out);
	return n;
}

/* Finds the two bytes a, b in s[from, len): their offset, or len. */
static size_t
find2(const unsigned char *s, size_t len, size_t from, unsigned char a, unsigned char b)
{
	const unsigned char *p;

	while (from + 1 < len) {
		p = memchr(s + from, a, len - from - 1);
		if (p == NULL)
			break;
		if (p[1] == b)
			return (size_t)(p - s);
		from = (size_t)(p - s) + 1;
	}
	return len;
}

/* Past the '>' that ends a bogus comment ("<!DOCTYPE ...>", "<?php ...>", "</ x>") at from. */
static size_t
skip_bogus(const unsigned char *s, size_t len, size_t from)
{
	const unsigned char *p;

	p = from < len ? memchr(s + from, '>', len - from) : NULL;
	return p != NULL ? (size_t)(p - s) + 1 : len;
}

/* Past a comment whose "<!--" ends before from: HTML5 also ends one at "<!-->", "--!>". */
static size_t
skip_comment(const unsigned char *s, size_t len, size_t from)
{
	size_t k;

	if (from < len && s[from] == '>')
		return from + 1;
	if (from + 1 < len && s[from] == '-' && s[from + 1] == '>')
		return from + 2;
	for (k = from; (k = find2(s, len, k, '-', '-')) < len; k++) {
		if (k + 2 < len && s[k + 2] == '>')
			return k + 3;
		if (k + 3 < len && s[k + 2] == '!' && s[k + 3] == '>')
			return k + 4;
	}
	return len;	/* an unclosed comment eats the rest */
}

/*
 * Past the attributes of a tag and its '>', from just after the tag name; len when the input ends
 * first (HTML drops such a tag). A quoted value may contain '>'.
 */
static size_t
skip_attrs(const unsigned char *s, size_t len, size_t j)
{
	const unsigned char *p;
	unsigned char q;

	for (;;) {
		while (j < len && (is_tag_space(s[j]) || s[j] == '/'))
			j++;
		if (j >= len)
			return len;
		if (s[j] == '>')
			return j + 1;
		/* The attribute name: its first byte may even be '='. */
		j++;
		while (j < len && !is_tag_space(s[j]) && s[j] != '/' && s[j] != '>' && s[j] != '=')
			j++;
		while (j < len && is_tag_space(s[j]))
			j++;
		if (j >= len || s[j] != '=')
			continue;
		j++;
		while (j < len && is_tag_space(s[j]))
			j++;
		if (j >= len)
			return len;
		if (s[j] == '"' || s[j] == '\'') {
			q = s[j];
			p = memchr(s + j + 1, q, len - j - 1);
			if (p == NULL)
				return len;
			j = (size_t)(p - s) + 1;
		} else {
			while (j < len && !is_tag_space(s[j]) && s[j] != '>')
				j++;
		}
	}
}

/* The tag name at s[j] lowercased into name ("" when too long to be one we know); past it. */
static size_t
tag_name(const unsigned char *s, size_t len, size_t j, char name[TAG_MAX_NAME + 1])
{
	size_t n = 0;

	for (; j < len && !is_tag_space(s[j]) && s[j] != '/' && s[j] != '>'; j++) {
		if (n < TAG_MAX_NAME)
			name[n] = (char)(is_alpha(s[j]) ? (s[j] | 0x20) : s[j]);
		n++;
	}
	name[n <= TAG_MAX_NAME ? n : 0] = '\0';
	return j;
}

/* Past the end tag "</name" (any case) that closes a skipped element after from, or len. */
static size_t
skip_element(const unsigned char *s, size_t len, size_t from, const char *name)
{
	size_t n = strlen(name), k, i;

	for (k = from; (k = find2(s, len, k, '<', '/')) < len; k++) {
		if (len - k - 2 < n)
			break;
		for (i = 0; i < n; i++) {
			if ((char)(is_alpha(s[k + 2 + i]) ? (s[k + 2 + i] | 0x20) : s[k + 2 + i]) != name[i])
				break;
		}
		if (i < n)
			continue;
		if (k + 2 + n == len)
			return len;
		if (is_tag_space(s[k + 2 + n]) || s[k + 2 + n] == '/' || s[k + 2 + n] == '>')
			return skip_attrs(s, len, k + 2 + n);
	}
	return len;
}

/* Handles the markup at s[i] == '<'; returns where the text goes on. */
static size_t
emit_markup(struct emit *e, const unsigned char *s, size_t len, size_t i)
{
	char name[TAG_MAX_NAME + 1];
	size_t j, k;
	int kind;

	if (i + 1 >= len) {
		emit_run(e, "<", 1);
		return len;
	}
	switch (s[i + 1]) {
	case '!':
		if (len - i >= 4 && memcmp(s + i, "<!--", 4) == 0)
			return skip_comment(s, len, i + 4);
		if (len - i >= 9 && memcmp(s + i, "<![CDATA[", 9) == 0) {
			/* CDATA in content is the text it contains, '<' and '&' included. */
			k = find2(s, len, i + 9, ']', ']');
			while (k < len && (k + 2 >= len || s[k + 2] != '>'))
				k = find2(s, len, k + 1, ']', ']');
			(void)emit_text(e, s + i + 9, k - (i + 9), kind_text);
			return k < len ? k + 3 : len;
		}
		return skip_bogus(s, len, i + 2);	/* doctype and the like */
	case '?':
		return skip_bogus(s, len, i + 2);	/* processing instruction */
	case '/':
		if (i + 2 >= len) {
			emit_run(e, "</", 2);
			return len;
		}
		if (s[i + 2] == '>')
			return i + 3;			/* "</>" is dropped */
		if (!is_alpha(s[i + 2]))
			return skip_bogus(s, len, i + 2);
		j = tag_name(s, len, i + 2, name);
		if (tag_lookup(name) == TAG_BLOCK)
			emit_space(e);
		return skip_attrs(s, len, j);
	default:
		if (!is_alpha(s[i + 1])) {
			emit_run(e, "<", 1);	/* "a < b", "<3" */
			return i + 1;
		}
		j = tag_name(s, len, i + 1, name);
		j = skip_attrs(s, len, j);
		kind = tag_lookup(name);
		if (kind == TAG_BLOCK)
			emit_space(e);
		else if (kind == TAG_SKIP)
			j = skip_element(s, len, j, name);
		return j;
	}
}

int
text_from_html(const char *html, size_t len, struct buf *out)
{
	const unsigned char *s = (const unsigned char *)html;
	struct emit e;
	size_t i = 0, n;
	uint32_t cp;

	emit_init(&e, out, len);
	while (i < len && !e.full) {
		i += emit_text(&e, s + i, len - i, kind_html);
		if (i >= len || e.full)
			break;
		if (s[i] == '&') {
			/* Decoded text is not read again: "&amp;lt;" is "&lt;". */
			n = entity_decode(s + i, len - i, &cp);
			if (n == 0) {
				emit_run(&e, "&", 1);
				i++;
			} else {
				emit_char(&e, cp, NULL, 0);
				i += n;
			}
		} else {
			i = emit_markup(&e, s, len, i);
		}
	}
	return emit_finish(&e);
}

/* How many bytes from s on are ASCII: eight at a time while they can be read as one word. */
static size_t
ascii_run(const unsigned char *s, size_t len)
{
	uint64_t w;
	size_t i = 0;

	while (i + 8 <= len) {
		memcpy(&w, s + i, 8);
		if ((w & HIGH_BITS) != 0)
			break;
		i += 8;
	}
	while (i < len && s[i] < 0x80)
		i++;
	return i;
}

/*
 * How many bytes from s on are in 0x20-0x7F. A byte below 0x20 sets its high bit in w - 0x20..20
 * (a borrow only marks more bytes, which the byte loop then looks at again).
 */
static size_t
printable_run(const unsigned char *s, size_t len)
{
	uint64_t w;
	size_t i = 0;

	while (i + 8 <= len) {
		memcpy(&w, s + i, 8);
		if (((w - UINT64_C(0x2020202020202020)) | w) & HIGH_BITS)
			break;
		i += 8;
	}
	while (i < len && s[i] >= 0x20 && s[i] < 0x80)
		i++;
	return i;
}

bool
text_utf8_valid(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, n;
	uint32_t cp;

	while (i < len) {
		i += ascii_run(s + i, len - i);
		if (i >= len)
			break;
		n = utf8_decode(s + i, len - i, &cp);
		if (n == 0)
			return false;
		i += n;
	}
	return true;
}

int
text_utf8_repair(const char *str, size_t len, struct buf *out)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t len0 = out->len, i = 0, from = 0, n;
	unsigned char u[4];
	uint32_t cp;
	int r = 0;

	if (len > 0 && len <= out->max - len0) {
		r = buf_reserve(out, len);	/* valid input comes out as it went in */
		if (r < 0)
			goto out;
	}
	while (i < len) {
		if (s[i] >= 0x20 && s[i] < 0x80) {
			i += printable_run(s + i, len - i);
			continue;
		}
		n = utf8_decode(s + i, len - i, &cp);
		if (n != 0 && !xml_illegal(cp)) {
			i += n;
			continue;
		}
		/* s[from, i) is fine: copy it in one go, then the repair. */
		r = buf_append(out, s + from, i - from);
		if (r < 0)
			goto out;
		if (n == 0) {
			r = buf_append(out, u, charset_utf8_encode(bad_byte(s[i]), (char *)u));
			if (r < 0)
				goto out;
			n = 1;
		} else if (cp == '\v' || cp == '\f') {
			r = buf_putc(out, ' ');	/* white space to text_clean() and HTML alike */
			if (r < 0)
				goto out;
		}
		i += n;
		from = i;
	}
	r = buf_append(out, s + from, len - from);
out:
	if (r < 0)
		buf_truncate(out, len0);
	if (out->data != NULL)
		out->data[out->len] = '\0';	/* buf_reserve() may have given a new, empty block */
	return r;
}

/*
 * The offset of the first character at or after s[i] that NFC could change or that could change
 * what comes before it; len when there is none. ASCII goes eight bytes at a time.
 */
static size_t
nfc_next(const unsigned char *s, size_t len, size_t i)
{
	const utf8proc_property_t *p;
	uint64_t w;
	uint32_t cp;
	size_t n;

	while (i < len) {
		if (len - i >= 8) {
			memcpy(&w, s + i, 8);
			if ((w & HIGH_BITS) == 0) {
				i += 8;
				continue;
			}
		}
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if ((n = utf8_decode(s + i, len - i, &cp)) == 0)
			return i;	/* not UTF-8: utf8proc refuses it */
		if (!plain_char(cp)) {
			p = utf8proc_get_property((utf8proc_int32_t)cp);
			if (p->combining_class != 0 || !nfc_quick(cp, p))
				return i;
		}
		i += n;
	}
	return len;
}

/*
 * s[from, to) in NFC onto out. With protect (the byte before is '<', '=' or '>'), the segment is
 * put in NFC after a space, which composes with nothing, and a U+0338 that comes out first, next
 * to that byte, is written as a reference.
 */
static int
nfc_segment(struct buf *out, const unsigned char *s, size_t from, size_t to, bool protect)
{
	utf8proc_uint8_t *in = NULL, *nfc = NULL;
	utf8proc_ssize_t r;
	size_t skip = 0;
	int rc = 0;

	if (protect) {
		if ((in = malloc(to - from + 1)) == NULL)
			return -ENOMEM;
		in[0] = ' ';
		memcpy(in + 1, s + from, to - from);
		r = utf8proc_map(in, (utf8proc_ssize_t)(to - from + 1), &nfc, UTF8PROC_COMPOSE | UTF8PROC_STABLE);
		skip = 1;
		free(in);
	} else {
		r = utf8proc_map(s + from, (utf8proc_ssize_t)(to - from), &nfc, UTF8PROC_COMPOSE | UTF8PROC_STABLE);
	}
	if (r < 0)
		return r == UTF8PROC_ERROR_NOMEM ? -ENOMEM : -EINVAL;
	if (protect && r >= 3 && nfc[1] == 0xcc && nfc[2] == 0xb8) {
		rc = buf_puts(out, "&#x338;");
		skip = 3;
	}
	if (rc == 0)
		rc = buf_append(out, nfc + skip, (size_t)r - skip);
	free(nfc);
	return rc;
}

int
text_nfc_html(struct buf *b, size_t start)
{
	const unsigned char *s = (const unsigned char *)b->data;
	size_t i, seg, end, done = start;
	struct buf out;
	bool protect;
	int rc = 0;

	if ((i = nfc_next(s, b->len, start)) == b->len)
		return 0;	/* NFC already: the common case, no copy */
	/*
	 * Only the segments around such characters go through utf8proc: each from the ASCII byte
	 * before (a letter a mark may compose with) to the next ASCII byte, which no composition or
	 * reordering crosses. Markup is ASCII: '<', '=' and '>' stay out of a segment.
	 */
	buf_init(&out, b->max);
	do {
		for (seg = i; seg > done && s[seg - 1] >= 0x80; seg--)
			;
		protect = seg > done && (s[seg - 1] == '<' || s[seg - 1] == '=' || s[seg - 1] == '>');
		if (seg > done && !protect)
			seg--;
		for (end = i + 1; end < b->len && s[end] >= 0x80; end++)
			;
		if ((rc = buf_append(&out, s + done, seg - done)) == 0)
			rc = nfc_segment(&out, s, seg, end, protect);
		done = end;
	} while (rc == 0 && (i = nfc_next(s, b->len, done)) < b->len);
	if (rc == 0)
		rc = buf_append(&out, s + done, b->len - done);
	if (rc == 0) {
		buf_truncate(b, start);
		rc = buf_append(b, out.data, out.len);
	}
	buf_release(&out);
	return rc;
}
