/* sanitize.c - HTML allowlist sanitizer: libxml2's SAX HTML parser feeds a writer that keeps its own stack. */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/HTMLtree.h>
#include <libxml/parser.h>
#include <libxml/xmlerror.h>

#include "charset.h"
#include "limits.h"
#include "sanitize.h"
#include "text.h"
#include "url.h"

/*
 * The fragment is parsed inside this wrapper. With <body> open, libxml2 never implies a <p> around
 * text: without it, text at the top level of our own output would get one when sanitized again,
 * so the result would not be idempotent. Our output never contains </body>, so when it is
 * sanitized again the wrapper stays open to the end.
 */
#define WRAPPER		"<html><body>"
#define WRAPPER_DEPTH	2		/* elements the wrapper opens */
#define PARSE_OPTIONS	(HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | \
			 HTML_PARSE_NONET | HTML_PARSE_NOIMPLIED | HTML_PARSE_NODEFDTD | \
			 HTML_PARSE_IGNORE_ENC)
#define NUM_MAX		100000		/* largest width, height, colspan or rowspan kept */
#define SRCSET_MAX	32		/* srcset candidates looked at; the rest are dropped */
/*
 * libxml2 2.9.14 compares each attribute name with all the earlier ones of its tag, and each end
 * tag (and <body>) with the open elements: quadratic on hostile input. The input is cut before a
 * start tag with more attributes than ATTRS_MAX, and parsing stops (what was read is kept) when
 * more elements are open than END_SCAN_BUDGET allows for the end tags the input holds, but never
 * before HTML_MAX_DEPTH.
 */
#define ATTRS_MAX	128
#define END_SCAN_BUDGET	(1u << 24)
#define REPLACEMENT	"\xEF\xBF\xBD"	/* U+FFFD, for invalid UTF-8 and NUL bytes */
#define SAN_DICT_MAX	4096		/* names a reused parser may hold before it is made anew */
#define SAN_KEEP	(1u << 20)	/* bytes of input buffer kept from one field to the next */

/* The elements we write, in the order of their names: the index is the id. */
enum el {
	E_A, E_ABBR, E_AUDIO, E_B, E_BLOCKQUOTE, E_BR, E_CAPTION, E_CITE, E_CODE, E_DD, E_DEL,
	E_DFN, E_DL, E_DT, E_EM, E_FIGCAPTION, E_FIGURE, E_H1, E_H2, E_H3, E_H4, E_H5, E_H6,
	E_HR, E_I, E_IFRAME, E_IMG, E_INS, E_KBD, E_LI, E_OL, E_P, E_PICTURE, E_PRE, E_Q, E_S,
	E_SAMP, E_SMALL, E_SOURCE, E_STRONG, E_SUB, E_SUP, E_TABLE, E_TBODY, E_TD, E_TFOOT,
	E_TH, E_THEAD, E_TIME, E_TR, E_U, E_UL, E_VAR, E_VIDEO, E_WBR,
	E_COUNT,
	E_DROP = E_COUNT,	/* lookup result: drop the element with everything inside */
	E_SKIP,			/* lookup result: a void element we do not write */
};

/* Attributes we write, in the order we write them. */
enum attr {
	AT_HREF, AT_SRC, AT_SRCSET, AT_POSTER, AT_CITE, AT_ALT, AT_TITLE, AT_TYPE, AT_MEDIA,
	AT_DATETIME, AT_WIDTH, AT_HEIGHT, AT_COLSPAN, AT_ROWSPAN,
	AT_COUNT,
	AT_HIDDEN = AT_COUNT,	/* looked at, never written */
	AT_STYLE,
	AT_ALL,
};

/* Names of the attributes we write, by enum attr. */
static const char *const attr_out[AT_COUNT] = {
	"href", "src", "srcset", "poster", "cite", "alt", "title", "type", "media", "datetime",
	"width", "height", "colspan", "rowspan",
};

enum attr_kind {
	AK_TEXT,	/* escaped as it is */
	AK_LINK,	/* a URL a reader follows */
	AK_MEDIA,	/* a URL a reader loads */
	AK_SRCSET,	/* candidates of media URLs with descriptors */
	AK_COUNT,	/* a positive integer */
};

/* What each attribute we write holds, by enum attr. */
static const uint8_t attr_kind[AT_COUNT] = {
	AK_LINK, AK_MEDIA, AK_SRCSET, AK_MEDIA, AK_LINK, AK_TEXT, AK_TEXT, AK_TEXT, AK_TEXT,
	AK_TEXT, AK_COUNT, AK_COUNT, AK_COUNT, AK_COUNT,
};

#define BIT(x)		(UINT64_C(1) << (x))
#define A(x)		(1u << (x))

/* Element flags. */
#define EF_VOID		0x01	/* written without an end tag and never kept open */
#define EF_CLOSEP	0x02	/* its start closes an open p (HTML5 "close a p element") */
#define EF_HEADING	0x04

/* HTML5 "special" elements we keep open, but p: they end the search for an li, dd or dt to close. */
#define SPECIAL_SET	(BIT(E_BLOCKQUOTE) | BIT(E_CAPTION) | BIT(E_DD) | BIT(E_DL) | BIT(E_DT) | \
			 BIT(E_FIGCAPTION) | BIT(E_FIGURE) | BIT(E_H1) | BIT(E_H2) | BIT(E_H3) | \
			 BIT(E_H4) | BIT(E_H5) | BIT(E_H6) | BIT(E_LI) | BIT(E_OL) | BIT(E_PRE) | \
			 BIT(E_TABLE) | BIT(E_TBODY) | BIT(E_TD) | BIT(E_TFOOT) | BIT(E_TH) | \
			 BIT(E_THEAD) | BIT(E_TR) | BIT(E_UL))
/* They bound the search for an open p (HTML5 "button scope"). */
#define SCOPE_SET	(BIT(E_CAPTION) | BIT(E_TABLE) | BIT(E_TD) | BIT(E_TH))

struct elem_info {
	const char	*name;
	uint16_t	 attrs;		/* A(enum attr) allowed */
	uint8_t		 flags;
	uint64_t	 closed_by;	/* BIT(enum el): start tags that libxml2 lets close this one */
};

#define HEADING		(EF_CLOSEP | EF_HEADING)
#define HEADING_CLOSED	(BIT(E_LI) | BIT(E_P) | BIT(E_TABLE))
#define CELL_CLOSED	(BIT(E_TBODY) | BIT(E_TD) | BIT(E_TFOOT) | BIT(E_TH) | BIT(E_TR))

/*
 * closed_by is libxml2 2.9.14's htmlStartClose table (HTMLparser.c) restricted to the elements we
 * write: when a start tag X arrives while the current element is Y and (Y, X) is listed, the
 * parser closes Y first. We close Y ourselves before writing X, so that reading our output again
 * gives the same tree.
 */
static const struct elem_info elems[E_COUNT] = {
	[E_A] = { "a", A(AT_HREF) | A(AT_TITLE), 0,
	    BIT(E_A) | BIT(E_TABLE) | BIT(E_TD) | BIT(E_TH) },
	[E_ABBR] = { "abbr", A(AT_TITLE), 0, 0 },
	[E_AUDIO] = { "audio", A(AT_SRC), 0, 0 },
	[E_B] = { "b", 0, 0, BIT(E_P) | BIT(E_TD) | BIT(E_TH) },
	[E_BLOCKQUOTE] = { "blockquote", A(AT_CITE), EF_CLOSEP, 0 },
	[E_BR] = { "br", 0, EF_VOID, 0 },
	[E_CAPTION] = { "caption", 0, 0,
	    BIT(E_TBODY) | BIT(E_TFOOT) | BIT(E_THEAD) | BIT(E_TR) },
	[E_CITE] = { "cite", 0, 0, 0 },
	[E_CODE] = { "code", 0, 0, 0 },
	[E_DD] = { "dd", 0, EF_CLOSEP, BIT(E_DT) },
	[E_DEL] = { "del", 0, 0, 0 },
	[E_DFN] = { "dfn", 0, 0, 0 },
	[E_DL] = { "dl", 0, EF_CLOSEP, BIT(E_LI) },
	[E_DT] = { "dt", 0, EF_CLOSEP, BIT(E_DD) | BIT(E_DL) },
	[E_EM] = { "em", 0, 0, 0 },
	[E_FIGCAPTION] = { "figcaption", 0, EF_CLOSEP, 0 },
	[E_FIGURE] = { "figure", 0, EF_CLOSEP, 0 },
	[E_H1] = { "h1", 0, HEADING, HEADING_CLOSED },
	[E_H2] = { "h2", 0, HEADING, HEADING_CLOSED },
	[E_H3] = { "h3", 0, HEADING, HEADING_CLOSED },
	[E_H4] = { "h4", 0, HEADING, HEADING_CLOSED },
	[E_H5] = { "h5", 0, HEADING, HEADING_CLOSED },
	[E_H6] = { "h6", 0, HEADING, HEADING_CLOSED },
	[E_HR] = { "hr", 0, EF_VOID | EF_CLOSEP, 0 },
	[E_I] = { "i", 0, 0, BIT(E_P) | BIT(E_TD) | BIT(E_TH) },
	[E_IFRAME] = { "iframe", A(AT_SRC) | A(AT_TITLE) | A(AT_WIDTH) | A(AT_HEIGHT), 0, 0 },
	[E_IMG] = { "img", A(AT_SRC) | A(AT_SRCSET) | A(AT_ALT) | A(AT_TITLE) | A(AT_WIDTH) |
	    A(AT_HEIGHT), EF_VOID, 0 },
	[E_INS] = { "ins", 0, 0, 0 },
	[E_KBD] = { "kbd", 0, 0, 0 },
	[E_LI] = { "li", 0, EF_CLOSEP, BIT(E_LI) },
	[E_OL] = { "ol", 0, EF_CLOSEP, BIT(E_UL) },
	[E_P] = { "p", 0, EF_CLOSEP,
	    BIT(E_BLOCKQUOTE) | BIT(E_CAPTION) | BIT(E_DD) | BIT(E_DL) | BIT(E_DT) | BIT(E_H1) |
	    BIT(E_H2) | BIT(E_H3) | BIT(E_H4) | BIT(E_H5) | BIT(E_H6) | BIT(E_HR) | BIT(E_LI) |
	    BIT(E_OL) | BIT(E_P) | BIT(E_PRE) | BIT(E_TABLE) | BIT(E_TBODY) | BIT(E_TD) |
	    BIT(E_TFOOT) | BIT(E_TH) | BIT(E_TR) | BIT(E_UL) },
	[E_PICTURE] = { "picture", 0, 0, 0 },
	[E_PRE] = { "pre", 0, EF_CLOSEP,
	    BIT(E_DD) | BIT(E_DL) | BIT(E_DT) | BIT(E_LI) | BIT(E_TABLE) | BIT(E_UL) },
	[E_Q] = { "q", A(AT_CITE), 0, 0 },
	[E_S] = { "s", 0, 0, BIT(E_P) },
	[E_SAMP] = { "samp", 0, 0, 0 },
	[E_SMALL] = { "small", 0, 0, BIT(E_P) },
	[E_SOURCE] = { "source", A(AT_SRC) | A(AT_SRCSET) | A(AT_TYPE) | A(AT_MEDIA),
	    EF_VOID, 0 },
	[E_STRONG] = { "strong", 0, 0, 0 },
	[E_SUB] = { "sub", 0, 0, 0 },
	[E_SUP] = { "sup", 0, 0, 0 },
	[E_TABLE] = { "table", 0, EF_CLOSEP, 0 },
	[E_TBODY] = { "tbody", 0, 0, BIT(E_TBODY) | BIT(E_TFOOT) },
	[E_TD] = { "td", A(AT_COLSPAN) | A(AT_ROWSPAN), 0, CELL_CLOSED },
	[E_TFOOT] = { "tfoot", 0, 0, BIT(E_TBODY) },
	[E_TH] = { "th", A(AT_COLSPAN) | A(AT_ROWSPAN), 0, CELL_CLOSED },
	[E_THEAD] = { "thead", 0, 0, BIT(E_TBODY) | BIT(E_TFOOT) },
	[E_TIME] = { "time", A(AT_DATETIME), 0, 0 },
	[E_TR] = { "tr", 0, 0, BIT(E_TBODY) | BIT(E_TFOOT) | BIT(E_TR) },
	[E_U] = { "u", 0, 0, BIT(E_P) | BIT(E_TD) | BIT(E_TH) },
	[E_UL] = { "ul", 0, EF_CLOSEP, BIT(E_OL) | BIT(E_PRE) },
	[E_VAR] = { "var", 0, 0, 0 },
	[E_VIDEO] = { "video", A(AT_SRC) | A(AT_POSTER) | A(AT_WIDTH) | A(AT_HEIGHT), 0, 0 },
	[E_WBR] = { "wbr", 0, EF_VOID, 0 },
};

/*
 * Every element name we know, sorted for bsearch(); any other element is unwrapped. The void
 * elements we do not write are skipped: there is nothing inside them to drop.
 */
struct elem_name {
	const char	*name;
	uint8_t		 id;	/* enum el, E_DROP or E_SKIP */
};

static const struct elem_name elem_names[] = {
	{ "a", E_A }, { "abbr", E_ABBR }, { "applet", E_DROP }, { "area", E_SKIP },
	{ "audio", E_AUDIO }, { "b", E_B }, { "base", E_SKIP }, { "basefont", E_SKIP },
	{ "bgsound", E_SKIP }, { "blockquote", E_BLOCKQUOTE }, { "br", E_BR },
	{ "button", E_DROP }, { "canvas", E_DROP }, { "caption", E_CAPTION }, { "cite", E_CITE },
	{ "code", E_CODE }, { "datalist", E_DROP }, { "dd", E_DD }, { "del", E_DEL },
	{ "dfn", E_DFN }, { "dl", E_DL }, { "dt", E_DT }, { "em", E_EM }, { "embed", E_SKIP },
	{ "figcaption", E_FIGCAPTION }, { "figure", E_FIGURE }, { "form", E_DROP },
	{ "frame", E_DROP }, { "frameset", E_DROP }, { "h1", E_H1 }, { "h2", E_H2 },
	{ "h3", E_H3 }, { "h4", E_H4 }, { "h5", E_H5 }, { "h6", E_H6 }, { "head", E_DROP },
	{ "hr", E_HR }, { "i", E_I }, { "iframe", E_IFRAME }, { "img", E_IMG },
	{ "input", E_SKIP }, { "ins", E_INS }, { "isindex", E_SKIP }, { "kbd", E_KBD },
	{ "keygen", E_SKIP }, { "li", E_LI }, { "link", E_SKIP }, { "math", E_DROP },
	{ "meta", E_SKIP }, { "noembed", E_DROP }, { "noframes", E_DROP },
	{ "noscript", E_DROP }, { "object", E_DROP }, { "ol", E_OL }, { "optgroup", E_DROP },
	{ "option", E_DROP }, { "p", E_P }, { "param", E_SKIP }, { "picture", E_PICTURE },
	{ "plaintext", E_DROP }, { "pre", E_PRE }, { "q", E_Q }, { "s", E_S },
	{ "samp", E_SAMP }, { "script", E_DROP }, { "select", E_DROP }, { "small", E_SMALL },
	{ "source", E_SOURCE }, { "strong", E_STRONG }, { "style", E_DROP }, { "sub", E_SUB },
	{ "sup", E_SUP }, { "svg", E_DROP }, { "table", E_TABLE }, { "tbody", E_TBODY },
	{ "td", E_TD }, { "template", E_DROP }, { "textarea", E_DROP }, { "tfoot", E_TFOOT },
	{ "th", E_TH }, { "thead", E_THEAD }, { "time", E_TIME }, { "title", E_DROP },
	{ "tr", E_TR }, { "track", E_SKIP }, { "u", E_U }, { "ul", E_UL }, { "var", E_VAR },
	{ "video", E_VIDEO }, { "wbr", E_WBR }, { "xmp", E_DROP },
};

struct attr_name {
	const char	*name;
	uint8_t		 id;	/* enum attr */
};

/* Every attribute we look at, sorted for bsearch(); any other is dropped. */
static const struct attr_name attr_names[] = {
	{ "alt", AT_ALT }, { "cite", AT_CITE }, { "colspan", AT_COLSPAN },
	{ "datetime", AT_DATETIME }, { "height", AT_HEIGHT }, { "hidden", AT_HIDDEN },
	{ "href", AT_HREF }, { "media", AT_MEDIA }, { "poster", AT_POSTER },
	{ "rowspan", AT_ROWSPAN }, { "src", AT_SRC }, { "srcset", AT_SRCSET },
	{ "style", AT_STYLE }, { "title", AT_TITLE }, { "type", AT_TYPE }, { "width", AT_WIDTH },
};

/* Hosts whose players may be embedded, always over https. */
static const char *const video_hosts[] = {
	"www.youtube.com", "youtube.com", "www.youtube-nocookie.com", "player.vimeo.com",
	"www.dailymotion.com",
};

/* Bytes text and attribute values cannot hold as they are: & < > " ' and controls but tab and LF. */
static const unsigned char special[256] = {
	1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	0, 0, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0,
	[0x7F] = 1,	/* DEL: no text means it, dropped like the C0 controls */
	[0xC2] = 1,	/* the lead byte of U+0080-U+00BF, C1 controls among them */
};

/* An element we wrote and have not closed yet. */
struct open_el {
	uint8_t		 id;	/* enum el */
	unsigned	 frame;	/* parser depth of the element that opened it */
};

struct san {
	struct buf		*out;
	const char		*base;
	xmlParserCtxtPtr	 ctxt;
	int			 err;		/* first error; the parser is stopped then */
	unsigned		 depth;		/* elements the parser has open */
	unsigned		 wrapper;	/* wrapper elements still open (at depths 1..wrapper) */
	unsigned		 seen;		/* wrapper elements seen so far */
	unsigned		 drop;		/* depth of the subtree being dropped, 0 if none */
	unsigned		 depth_max;	/* deeper than this, libxml2 is stopped */
	bool			 stopped;	/* too deep: the rest of the input is ignored */
	size_t			 nopen;
	struct open_el		 open[HTML_MAX_DEPTH];
	struct buf		 attrs;		/* the attributes of the start tag being written */
	struct buf		 url;		/* one resolved URL */
	struct buf		 set;		/* a srcset being rebuilt */
};

/* strcmp() with the first bytes compared inline: they settle most steps of a bsearch(). */
static inline int
name_cmp(const char *a, const char *b)
{
	return *a != *b ? (unsigned char)*a - (unsigned char)*b : strcmp(a, b);
}

static int
cmp_elem(const void *key, const void *member)
{
	return name_cmp(key, ((const struct elem_name *)member)->name);
}

static int
cmp_attr(const void *key, const void *member)
{
	return name_cmp(key, ((const struct attr_name *)member)->name);
}

/*
 * Appends p with & < > " ' escaped, CR LF and a lone CR made LF, C1 controls read as Windows-1252
 * (as HTML5 reads &#133; and &#x92;), and the other control characters but tab removed.
 */
static int
put_escaped(struct buf *b, const char *p, size_t n)
{
	char c1[5];
	const char *e;
	unsigned cp;
	size_t i = 0, run;
	int r;

	for (;;) {
		run = i;
		while (i + 4 <= n && !(special[(unsigned char)p[i]] | special[(unsigned char)p[i + 1]] |
		    special[(unsigned char)p[i + 2]] | special[(unsigned char)p[i + 3]]))
			i += 4;
		while (i < n && !special[(unsigned char)p[i]])
			i++;
		r = buf_append(b, p + run, i - run);
		if (r < 0 || i == n)
			return r;
		switch (p[i++]) {
		case '&':
			e = "&amp;";
			break;
		case '<':
			e = "&lt;";
			break;
		case '>':
			e = "&gt;";
			break;
		case '"':
			e = "&quot;";
			break;
		case '\'':
			e = "&#39;";
			break;
		case '\r':
			if (i < n && p[i] == '\n')
				continue;
			e = "\n";	/* a line break of its own, as HTML reads it */
			break;
		case '\xC2':
			if (i < n && (unsigned char)p[i] <= 0x9F) {
				cp = charset_cp1252((unsigned char)p[i++]);
				if (cp == 0xFFFD)
					continue;	/* one of the five bytes Windows-1252 leaves undefined */
				c1[charset_utf8_encode(cp, c1)] = '\0';
				e = c1;
			} else {
				e = "\xC2";
			}
			break;
		default:
			continue;	/* another control character */
		}
		r = buf_append(b, e, strlen(e));
		if (r < 0)
			return r;
	}
}

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* The value of a positive integer written in digits only (white space around allowed), 0 if none. */
static unsigned long
parse_count(const char *v)
{
	unsigned long n = 0;

	while (is_space(*v))
		v++;
	if (!is_digit(*v))
		return 0;
	while (is_digit(*v)) {
		n = n * 10 + (unsigned long)(*v++ - '0');
		if (n > NUM_MAX)
			return 0;
	}
	while (is_space(*v))
		v++;
	return *v == '\0' ? n : 0;
}

/* Leading digits as a browser reads a length ("1px" is 1); -1 when there are none. */
static long
parse_length(const char *v)
{
	long n = 0;

	if (v == NULL)
		return -1;
	while (is_space(*v))
		v++;
	if (!is_digit(*v))
		return -1;
	while (is_digit(*v) && n <= NUM_MAX)
		n = n * 10 + (*v++ - '0');
	return n;
}

/* True when the declarations in style contain word, white space ignored, ASCII case-insensitive. */
static bool
style_has(const char *style, const char *word)
{
	const char *s, *w;

	for (; *style != '\0'; style++) {
		for (s = style, w = word; *w != '\0'; s++) {
			if (is_space(*s))
				continue;
			if (*s == '\0' || (*s | 0x20) != *w)
				break;
			w++;
		}
		if (*w == '\0')
			return true;
	}
	return false;
}

/*
 * Resolves v against the base into s->url and checks its scheme for use; false when the URL is
 * unusable (empty, relative without a base, malformed, too long, or a scheme we do not allow).
 * Only running out of memory is an error (*ret_err).
 */
static bool
resolve(struct san *s, const char *v, size_t n, enum url_use use, int *ret_err)
{
	size_t i;
	int r;

	for (i = 0; i < n && is_space(v[i]); i++)
		;
	if (i == n)
		return false;	/* an empty URL would point back at the page itself */
	buf_clear(&s->url);
	r = url_resolve(s->base, v, n, &s->url);
	if (r == -ENOMEM) {
		*ret_err = r;
		return false;
	}
	/* -E2BIG: a URL longer than url_resolve() takes is dropped like any unusable one. */
	return r == 0 && s->url.len > 0 && url_scheme_allowed(s->url.data, use);
}

/* A srcset descriptor we keep: empty, "<digits>w" or "<digits>[.<digits>]x". */
static bool
descriptor_ok(const char *d, size_t n)
{
	size_t i = 0;

	if (n == 0)
		return true;
	while (i < n && is_digit(d[i]))
		i++;
	if (i == 0)
		return false;
	if (i + 1 == n && d[i] == 'w')
		return true;
	if (i < n && d[i] == '.') {
		size_t j = ++i;

		while (i < n && is_digit(d[i]))
			i++;
		if (i == j)
			return false;
	}
	return i + 1 == n && d[i] == 'x';
}

/*
 * Rebuilds a srcset into s->set: each candidate's URL resolved and checked on its own (a bad one
 * is dropped, the rest kept), joined by ", ". Follows the outline of WHATWG "parse a srcset
 * attribute": a URL is a run without white space; a trailing comma ends the candidate.
 */
static int
put_srcset(struct san *s, const char *v)
{
	const char *p = v, *u, *ue, *d, *de;
	int err = 0, r, n;

	buf_clear(&s->set);
	for (n = 0; n < SRCSET_MAX; n++) {
		while (is_space(*p) || *p == ',')
			p++;
		if (*p == '\0')
			break;
		for (u = p; *p != '\0' && !is_space(*p); p++)
			;
		ue = p;
		d = de = p;
		if (ue[-1] == ',') {
			while (ue > u && ue[-1] == ',')
				ue--;
		} else {
			int paren = 0;

			while (is_space(*p))
				p++;
			for (d = p; *p != '\0' && (*p != ',' || paren > 0); p++) {
				if (*p == '(')
					paren++;
				else if (*p == ')' && paren > 0)
					paren--;
			}
			for (de = p; de > d && is_space(de[-1]); de--)
				;
		}
		if (ue == u || !descriptor_ok(d, (size_t)(de - d)))
			continue;
		if (!resolve(s, u, (size_t)(ue - u), URL_MEDIA, &err)) {
			if (err != 0)
				return err;
			continue;
		}
		/* A URL with white space or a final comma would read back as another candidate. */
		if (strpbrk(s->url.data, " \t\n\r\f") != NULL || s->url.data[s->url.len - 1] == ',')
			continue;
		r = s->set.len > 0 ? buf_append(&s->set, ", ", 2) : 0;
		if (r == 0)
			r = buf_append(&s->set, s->url.data, s->url.len);
		if (r == 0 && de > d) {
			r = buf_putc(&s->set, ' ');
			if (r == 0)
				r = buf_append(&s->set, d, (size_t)(de - d));
		}
		if (r < 0)
			return r;
	}
	return 0;
}

/* Appends ` name="value"` to s->attrs, value escaped. */
static int
put_attr(struct san *s, const char *name, const char *v, size_t n)
{
	char start[16];
	size_t len = strlen(name);
	int r;

	start[0] = ' ';
	memcpy(start + 1, name, len);
	start[len + 1] = '=';
	start[len + 2] = '"';
	r = buf_append(&s->attrs, start, len + 3);
	if (r == 0)
		r = put_escaped(&s->attrs, v, n);
	if (r == 0)
		r = buf_putc(&s->attrs, '"');
	return r;
}

/*
 * The src of an iframe, resolved in s->url, is https on one of the video hosts (an http one is
 * upgraded): true, with s->url holding the https URL.
 */
static bool
iframe_src_ok(struct san *s, int *ret_err)
{
	const char *u = s->url.data, *h;
	size_t i, n;
	int r;

	if (strncasecmp(u, "https://", 8) == 0)
		h = u + 8;
	else if (strncasecmp(u, "http://", 7) == 0)
		h = u + 7;
	else
		return false;
	for (i = 0; i < sizeof(video_hosts) / sizeof(video_hosts[0]); i++) {
		n = strlen(video_hosts[i]);
		if (strncasecmp(h, video_hosts[i], n) == 0 &&
		    (h[n] == '\0' || h[n] == '/' || h[n] == '?' || h[n] == '#'))
			break;
	}
	if (i == sizeof(video_hosts) / sizeof(video_hosts[0]))
		return false;
	if (h == u + 7) {
		buf_clear(&s->set);
		r = buf_append(&s->set, "https://", 8);
		if (r == 0)
			r = buf_puts(&s->set, h);
		if (r == 0) {
			buf_clear(&s->url);
			r = buf_append(&s->url, s->set.data, s->set.len);
		}
		if (r < 0) {
			*ret_err = r;
			return false;
		}
	}
	return true;
}

/*
 * Writes the allowed attributes of element id, from the values found (val, with bit i of seen set
 * when attribute i was present), into s->attrs. Returns 1 when the element is usable, 0 when it
 * must not be written (an a without href is unwrapped; an img without src, a source without any
 * URL or an iframe off the allowed hosts are dropped), or a negative errno.
 */
static int
put_attrs(struct san *s, enum el id, const char *const *val, unsigned seen)
{
	unsigned want = elems[id].attrs & seen;
	unsigned wrote = 0;
	int err = 0, r = 0, i;

	buf_clear(&s->attrs);
	for (i = 0; i < AT_COUNT && r == 0; i++) {
		const char *v = val[i] != NULL ? val[i] : "";
		unsigned long num;

		if ((want & A(i)) == 0)
			continue;
		switch (attr_kind[i]) {
		case AK_LINK:
			if (!resolve(s, v, strlen(v), URL_LINK, &err))
				break;
			r = put_attr(s, attr_out[i], s->url.data, s->url.len);
			wrote |= A(i);
			break;
		case AK_MEDIA:
			if (!resolve(s, v, strlen(v), URL_MEDIA, &err))
				break;
			if (id == E_IFRAME && !iframe_src_ok(s, &err))
				break;
			r = put_attr(s, attr_out[i], s->url.data, s->url.len);
			wrote |= A(i);
			break;
		case AK_SRCSET:
			r = put_srcset(s, v);
			if (r == 0 && s->set.len > 0) {
				r = put_attr(s, attr_out[i], s->set.data, s->set.len);
				wrote |= A(i);
			}
			break;
		case AK_COUNT:
			num = parse_count(v);
			if (num > 0)
				r = buf_appendf(&s->attrs, " %s=\"%lu\"", attr_out[i], num);
			break;
		default:
			r = put_attr(s, attr_out[i], v, strlen(v));
			break;
		}
		if (err != 0)
			r = err;
	}
	if (r < 0)
		return r;
	switch (id) {
	case E_A:
		return (wrote & A(AT_HREF)) != 0;
	case E_IMG:
	case E_IFRAME:
		return (wrote & A(AT_SRC)) != 0;
	case E_SOURCE:
		return (wrote & (A(AT_SRC) | A(AT_SRCSET))) != 0;
	default:
		return 1;
	}
}

static int
close_top(struct san *s)
{
	const char *name = elems[s->open[s->nopen - 1].id].name;
	char tag[16];
	size_t n = strlen(name);
	int r;

	tag[0] = '<';
	tag[1] = '/';
	memcpy(tag + 2, name, n);
	tag[n + 2] = '>';
	r = buf_append(s->out, tag, n + 3);
	if (r == 0)
		s->nopen--;
	return r;
}

/* Closes the open elements from the top down to index i, included. */
static int
close_to(struct san *s, size_t i)
{
	int r = 0;

	while (r == 0 && s->nopen > i)
		r = close_top(s);
	return r;
}

/* Index of the innermost open element with an id in set, searching down from the top; -1 if none. */
static long
find_open(const struct san *s, uint64_t set, uint64_t stop_set)
{
	size_t i;

	for (i = s->nopen; i > 0; i--) {
		if (set & BIT(s->open[i - 1].id))
			return (long)(i - 1);
		if (stop_set & BIT(s->open[i - 1].id))
			return -1;
	}
	return -1;
}

/*
 * Where an element id may go, by HTML5's rules: the index of the open element down to which
 * everything must be closed first, -1 if nothing, -2 if it has no place here (a table cell
 * outside a row) and must be unwrapped.
 */
static long
html5_place(const struct san *s, enum el id)
{
	long i;

	switch (id) {
	case E_A:
		return find_open(s, BIT(E_A), 0);
	case E_LI:
		return find_open(s, BIT(E_LI), SPECIAL_SET);
	case E_DD:
	case E_DT:
		return find_open(s, BIT(E_DD) | BIT(E_DT), SPECIAL_SET);
	case E_TD:
	case E_TH:
		i = find_open(s, BIT(E_TR), BIT(E_TABLE));
		return i < 0 ? -2 : i + 1;	/* the row stays open */
	case E_TR:
		i = find_open(s, BIT(E_TBODY) | BIT(E_THEAD) | BIT(E_TFOOT) | BIT(E_TABLE), 0);
		return i < 0 ? -2 : i + 1;
	case E_TBODY:
	case E_THEAD:
	case E_TFOOT:
	case E_CAPTION:
		i = find_open(s, BIT(E_TABLE), 0);
		return i < 0 ? -2 : i + 1;
	default:
		return -1;
	}
}

/*
 * Closes what must be closed before a start tag of id is written, so that both libxml2 and an
 * HTML5 parser put it where we do: libxml2's own closing rules (elems[].closed_by), and the HTML5
 * ones that keep blocks out of p, a out of a, list items and table parts in their places. The
 * rules are applied until none applies, so that reading our output again closes nothing more.
 * Returns 1 when the element may be written here, 0 when it must be unwrapped instead (a table
 * cell outside a row, the nesting limit), or a negative errno.
 */
static int
prepare(struct san *s, enum el id)
{
	const struct elem_info *e = &elems[id];
	size_t before;
	long i;
	int r = 0;

	do {
		before = s->nopen;
		while (r == 0 && s->nopen > 0 &&
		    (elems[s->open[s->nopen - 1].id].closed_by & BIT(id)))
			r = close_top(s);
		i = html5_place(s, id);
		if (r == 0 && i >= 0)
			r = close_to(s, (size_t)i);
		if (r == 0 && (e->flags & EF_CLOSEP)) {
			long p = find_open(s, BIT(E_P), SCOPE_SET);

			if (p >= 0)
				r = close_to(s, (size_t)p);
		}
		if (r == 0 && (e->flags & EF_HEADING) && s->nopen > 0 &&
		    (elems[s->open[s->nopen - 1].id].flags & EF_HEADING))
			r = close_top(s);
	} while (r == 0 && s->nopen != before);
	if (r < 0)
		return r;
	if (i == -2)
		return 0;
	/*
	 * Reading our output again, libxml2 holds the wrapper, open[] and this element open: never
	 * more than HTML_MAX_DEPTH, so that it never stops early there.
	 */
	if (WRAPPER_DEPTH + s->nopen + 1 > HTML_MAX_DEPTH)
		return 0;
	return 1;
}

static void
fail(struct san *s, int err)
{
	if (s->err == 0) {
		s->err = err;
		xmlStopParser(s->ctxt);
	}
}

/* Writes the start tag of id with s->attrs and what we add ourselves. */
static int
write_start(struct san *s, enum el id)
{
	const char *name = elems[id].name, *tail;
	char tag[16];
	size_t n = strlen(name);
	int r;

	switch (id) {
	case E_A:
		tail = " rel=\"noopener noreferrer\">";
		break;
	case E_AUDIO:
	case E_VIDEO:
		tail = " controls=\"\">";
		break;
	case E_IFRAME:
		tail = " sandbox=\"allow-scripts allow-same-origin allow-popups\""
		    " referrerpolicy=\"no-referrer\" loading=\"lazy\"></iframe>";
		break;
	default:
		tail = ">";
		break;
	}
	tag[0] = '<';
	memcpy(tag + 1, name, n);
	r = buf_append(s->out, tag, n + 1);
	if (r == 0)
		r = buf_append(s->out, s->attrs.data, s->attrs.len);
	if (r == 0)
		r = buf_puts(s->out, tail);
	if (r == 0 && !(elems[id].flags & EF_VOID) && id != E_IFRAME) {
		s->open[s->nopen].id = (uint8_t)id;
		s->open[s->nopen].frame = s->depth;
		s->nopen++;
	}
	return r;
}

static void
on_start(void *ctx, const xmlChar *name, const xmlChar **atts)
{
	struct san *s = ctx;
	const char *val[AT_ALL] = { NULL };
	const struct elem_name *en;
	unsigned seen = 0;
	enum el id;
	int r;

	if (s->err != 0 || s->stopped)
		return;
	s->depth++;
	if (s->depth > s->depth_max) {
		s->stopped = true;
		xmlStopParser(s->ctxt);
		return;
	}
	if (s->seen < WRAPPER_DEPTH) {
		s->seen++;
		s->wrapper = s->depth;
		return;
	}
	if (s->drop != 0)
		return;
	for (; atts != NULL && atts[0] != NULL; atts += 2) {
		const struct attr_name *a;

		a = bsearch(atts[0], attr_names, sizeof(attr_names) / sizeof(attr_names[0]),
		    sizeof(attr_names[0]), cmp_attr);
		if (a != NULL && !(seen & A(a->id))) {
			seen |= A(a->id);
			val[a->id] = (const char *)atts[1];
		}
	}
	/* Hidden content stays hidden: its text must not show up once the attribute is gone. */
	if ((seen & A(AT_HIDDEN)) || ((seen & A(AT_STYLE)) && val[AT_STYLE] != NULL &&
	    (style_has(val[AT_STYLE], "display:none") ||
	     style_has(val[AT_STYLE], "visibility:hidden")))) {
		s->drop = s->depth;
		return;
	}
	en = bsearch(name, elem_names, sizeof(elem_names) / sizeof(elem_names[0]),
	    sizeof(elem_names[0]), cmp_elem);
	if (en == NULL || en->id == E_SKIP)
		return;
	if (en->id == E_DROP) {
		s->drop = s->depth;
		return;
	}
	id = en->id;
	if (id == E_IFRAME)
		s->drop = s->depth;	/* its content is only a fallback, whether we write it or not */
	if (id == E_IMG) {
		long w = parse_length(val[AT_WIDTH]), h = parse_length(val[AT_HEIGHT]);

		/* A tracking pixel: 1x1 or smaller, or zero wide or high. */
		if ((w >= 0 && w <= 1 && h >= 0 && h <= 1) || w == 0 || h == 0)
			return;
	}
	r = put_attrs(s, id, val, seen);
	if (r <= 0)
		goto out;
	r = prepare(s, id);
	if (r <= 0)
		goto out;
	r = write_start(s, id);
out:
	if (r < 0)
		fail(s, r);
}

static void
on_end(void *ctx, const xmlChar *name)
{
	struct san *s = ctx;
	int r;

	(void)name;
	if (s->err != 0 || s->stopped || s->depth == 0)
		return;
	if (s->drop == s->depth)
		s->drop = 0;
	else if (s->depth <= s->wrapper)
		s->wrapper = s->depth - 1;
	else if (s->nopen > 0 && s->open[s->nopen - 1].frame == s->depth) {
		r = close_top(s);
		if (r < 0)
			fail(s, r);
	}
	s->depth--;
}

static void
on_text(void *ctx, const xmlChar *ch, int len)
{
	struct san *s = ctx;
	int r;

	if (s->err != 0 || s->stopped || s->drop != 0 || len <= 0)
		return;
	r = put_escaped(s->out, (const char *)ch, (size_t)len);
	if (r < 0)
		fail(s, r);
}

/* Only script and style content arrives as CDATA, and both are dropped. */
static void
on_cdata(void *ctx, const xmlChar *ch, int len)
{
	(void)ctx;
	(void)ch;
	(void)len;
}

/* Malformed markup is the normal case here; libxml2's messages are not wanted. */
static void
on_error(void *ctx, xmlErrorPtr error)
{
	(void)ctx;
	(void)error;
}

static const htmlSAXHandler sax = {
	.startElement = on_start,
	.endElement = on_end,
	.characters = on_text,
	.ignorableWhitespace = on_text,
	.cdataBlock = on_cdata,
	.initialized = XML_SAX2_MAGIC,	/* so that libxml2 uses serror */
	.serror = on_error,
};

/* Length of the valid UTF-8 sequence at p (n > 0 bytes left), 0 if invalid or NUL. */
static size_t
utf8_seq(const unsigned char *p, size_t n)
{
	unsigned char c = p[0];

	if (c < 0x80)
		return c != 0;
	if (c < 0xC2 || c > 0xF4)
		return 0;
	if (n < 2 || (p[1] & 0xC0) != 0x80)
		return 0;
	if (c < 0xE0)
		return 2;
	if (n < 3 || (p[2] & 0xC0) != 0x80 || (c == 0xE0 && p[1] < 0xA0) ||
	    (c == 0xED && p[1] >= 0xA0))
		return 0;
	if (c < 0xF0)
		return 3;
	if (n < 4 || (p[3] & 0xC0) != 0x80 || (c == 0xF0 && p[1] < 0x90) ||
	    (c == 0xF4 && p[1] >= 0x90))
		return 0;
	return 4;
}

/* True when the 8 bytes at p are ASCII without NUL. */
static bool
plain8(const unsigned char *p)
{
	uint64_t w;

	memcpy(&w, p, sizeof(w));
	return ((w | ((w - UINT64_C(0x0101010101010101)) & ~w)) & UINT64_C(0x8080808080808080)) == 0;
}

/*
 * Appends the wrapper and html to in, each invalid UTF-8 byte and NUL replaced by U+FFFD: libxml2
 * would pass invalid bytes through into text, and stop at a NUL.
 */
static int
load(const char *html, size_t len, struct buf *in)
{
	const unsigned char *p = (const unsigned char *)html;
	size_t i = 0, run = 0, n;
	int r;

	r = buf_reserve(in, sizeof(WRAPPER) - 1 + len);
	if (r == 0)
		r = buf_append(in, WRAPPER, sizeof(WRAPPER) - 1);
	while (r == 0 && i < len) {
		if (len - i >= 8 && plain8(p + i)) {
			i += 8;
			continue;
		}
		if (p[i] != 0 && p[i] < 0x80) {
			i++;
			continue;
		}
		n = utf8_seq(p + i, len - i);
		if (n > 0) {
			i += n;
			continue;
		}
		r = buf_append(in, html + run, i - run);
		if (r == 0)
			r = buf_append(in, REPLACEMENT, sizeof(REPLACEMENT) - 1);
		run = ++i;
	}
	if (r == 0)
		r = buf_append(in, html + run, len - run);
	return r;
}

static bool
is_letter(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Bytes libxml2 reads as white space in tags (IS_BLANK_CH). */
static bool
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Bytes of a tag or attribute name (htmlParseHTMLName). */
static bool
is_name_char(char c)
{
	return is_letter(c) || is_digit(c) || c == ':' || c == '-' || c == '_' || c == '.';
}

/*
 * Reads the start tag at p (p[0] '<', p[1] a letter; n bytes left) as libxml2 2.9.14's
 * htmlParseStartTag does. Returns its length, or 0 as soon as it has more than max attributes;
 * ret_closed tells whether it ends in "/>", which closes any element for libxml2.
 */
static size_t
tag_scan(const char *p, size_t n, size_t max, bool *ret_closed)
{
	const char *q;
	size_t i = 1, attrs = 0;

	*ret_closed = false;
	while (i < n && is_name_char(p[i]))
		i++;
	for (;;) {
		while (i < n && is_blank(p[i]))
			i++;
		if (i == n)
			return n;
		if (p[i] == '>')
			return i + 1;
		if (p[i] == '/' && i + 1 < n && p[i + 1] == '>') {
			*ret_closed = true;
			return i + 2;
		}
		if (++attrs > max)
			return 0;
		if (!is_letter(p[i]) && p[i] != '_' && p[i] != ':' && p[i] != '.') {
			/* Not a name: libxml2 skips to the next blank or the end of the tag. */
			while (i < n && !is_blank(p[i]) && p[i] != '>' &&
			    !(p[i] == '/' && i + 1 < n && p[i + 1] == '>'))
				i++;
			continue;
		}
		while (i < n && is_name_char(p[i]))
			i++;
		while (i < n && is_blank(p[i]))
			i++;
		if (i == n || p[i] != '=')
			continue;
		for (i++; i < n && is_blank(p[i]); i++)
			;
		if (i < n && (p[i] == '"' || p[i] == '\'')) {
			q = memchr(p + i + 1, p[i], n - i - 1);
			i = q != NULL ? (size_t)(q - p) + 1 : n;
		} else {
			while (i < n && !is_blank(p[i]) && p[i] != '>')
				i++;
		}
	}
}

size_t
html_safe_length(const char *p, size_t n)
{
	const char *lt;
	size_t i = 0;
	bool closed;

	while (i < n && (lt = memchr(p + i, '<', n - i)) != NULL) {
		i = (size_t)(lt - p);
		if (i + 1 < n && is_letter(p[i + 1]) && tag_scan(p + i, n - i, ATTRS_MAX, &closed) == 0)
			return i;
		i++;
	}
	return n;
}

/* Void elements of HTML5 that libxml2 2.9.14 does not know: it would keep them open. */
static bool
is_unknown_void(const char *name, size_t n)
{
	switch (n) {
	case 3:
		return strncasecmp(name, "wbr", 3) == 0;
	case 5:
		return strncasecmp(name, "embed", 5) == 0 || strncasecmp(name, "track", 5) == 0 ||
		    strncasecmp(name, "image", 5) == 0;
	case 6:
		return strncasecmp(name, "source", 6) == 0 || strncasecmp(name, "keygen", 6) == 0;
	case 7:
		return strncasecmp(name, "bgsound", 7) == 0;
	default:
		return false;
	}
}

/*
 * Prepares the markup in in (after its first from bytes) for libxml2, and counts in ret_scans the
 * end tags and <body> tags, for which libxml2 searches the open elements:
 *  - the void elements it does not know get a " /" before their '>', so that it closes them
 *    at once instead of nesting what follows inside them (and, in a long run of <wbr>, stop at
 *    the nesting limit);
 *  - the input is cut before the first start tag with more than ATTRS_MAX attributes. Each '<'
 *    is checked for this, also inside attribute values and comments, so that no other reading
 *    of the markup hides such a tag.
 */
static int
fix_tags(struct buf *in, size_t from, size_t *ret_scans)
{
	const char *p = in->data, *lt;
	size_t n = in->len, i = from, tags_end = from, copied = 0, len, name, scans = 0;
	struct buf fixed;
	bool closed;
	int r = 0;

	buf_init(&fixed, in->max);
	while (i < n && (lt = memchr(p + i, '<', n - i)) != NULL) {
		i = (size_t)(lt - p);
		if (i + 1 == n || !is_letter(p[i + 1])) {
			if (i + 2 < n && p[i + 1] == '/' && is_letter(p[i + 2]))
				scans++;	/* an end tag */
			i++;
			continue;
		}
		len = tag_scan(p + i, n - i, ATTRS_MAX, &closed);
		if (len == 0) {
			n = i;
			break;
		}
		for (name = 1; is_name_char(p[i + name]); name++)
			;
		if (name == 5 && strncasecmp(p + i + 1, "body", 4) == 0)
			scans++;
		if (i >= tags_end) {	/* a tag in text, not one inside another's attributes */
			tags_end = i + len;
			if (!closed && p[i + len - 1] == '>' && is_unknown_void(p + i + 1, name - 1)) {
				if (fixed.len == 0)
					r = buf_reserve(&fixed, n);
				if (r == 0)
					r = buf_append(&fixed, p + copied, i + len - 1 - copied);
				if (r == 0)
					r = buf_append(&fixed, " /", 2);
				if (r < 0)
					goto out;
				copied = i + len - 1;
			}
		}
		i++;
	}
	if (fixed.len > 0) {
		r = buf_append(&fixed, p + copied, n - copied);
		if (r < 0)
			goto out;
		buf_release(in);
		*in = fixed;
		buf_init(&fixed, in->max);
	} else {
		buf_truncate(in, n);
	}
	*ret_scans = scans;
out:
	buf_release(&fixed);
	return r;
}


/* ---- the fast path ---- */

/*
 * Most feed HTML is well-formed and balanced: <p>, <a href="...">, <strong>, <ul><li>, <img ...>,
 * a <div> around it all, a few character references. For such markup libxml2's HTML parser
 * reports the tags and the text just as they stand, at ~25 cycles a byte. fast_run() reads it
 * itself and calls the same handlers with the events libxml2 would report, but only inside a
 * subset where that is certain:
 *  - start tags of fast_names[] (the elements we write but pre, whose first newline libxml2
 *    drops, and the void ones it does not know; and containers we unwrap), with names of letters
 *    and digits and every attribute value in quotes, never one for which libxml2 would first close
 *    the open element (fast_closes[], asked of libxml2 itself);
 *  - end tags of the innermost open element;
 *  - text without controls (but tab, LF and CR) or C1 characters, and character references that are complete
 *    (numeric, or named in libxml2's own table, with their ';').
 * Anything else (a comment, a dropped or other element, a stray '<', an entity without ';'...)
 * makes it give up with nothing kept, and libxml2 reads the input. The unit tests and
 * fuzz_sanitize compare both paths.
 */
#define FAST_DEPTH	32		/* deeper markup goes to libxml2 */
#define FAST_ATTRS	16		/* attributes of one tag */

/* The elements the fast path reads, sorted for bsearch(). */
static const char *const fast_names[] = {
	"a", "abbr", "address", "article", "aside", "audio", "b", "big", "blockquote", "br",
	"caption", "center", "cite", "code", "dd", "del", "details", "dfn", "div", "dl", "dt", "em",
	"figcaption", "figure", "font", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr",
	"i", "iframe", "img", "ins", "kbd", "li", "main", "mark", "nav", "ol", "p", "picture", "q",
	"s", "samp", "section", "small", "span", "strong", "sub", "summary", "sup", "table", "tbody",
	"td", "tfoot", "th", "thead", "time", "tr", "tt", "u", "ul", "var", "video",
};
#define FAST_N	(sizeof(fast_names) / sizeof(fast_names[0]))

/* Row i, bit j: a start tag of fast_names[j] makes libxml2 close an open fast_names[i] first. */
static uint64_t fast_closes[FAST_N][(FAST_N + 63) / 64];
static bool fast_void[FAST_N];		/* libxml2 closes it at once */
static pthread_once_t fast_once = PTHREAD_ONCE_INIT;

/* What libxml2 does with "<X><X>": whether the first X ends before the second starts. */
struct probe {
	int	starts;
	bool	closed;
};

static void
probe_start(void *ctx, const xmlChar *name, const xmlChar **atts)
{
	(void)name;
	(void)atts;
	((struct probe *)ctx)->starts++;
}

static void
probe_end(void *ctx, const xmlChar *name)
{
	struct probe *p = ctx;

	(void)name;
	if (p->starts == WRAPPER_DEPTH + 1)
		p->closed = true;
}

static const htmlSAXHandler probe_sax = {
	.startElement = probe_start,
	.endElement = probe_end,
	.initialized = XML_SAX2_MAGIC,
	.serror = on_error,
};

static bool
self_closing(htmlParserCtxtPtr ctxt, const char *name)
{
	struct probe p = { 0, false };
	char doc[64];
	int n;

	n = snprintf(doc, sizeof(doc), WRAPPER "<%s><%s>", name, name);
	ctxt->userData = &p;
	xmlFreeDoc(htmlCtxtReadMemory(ctxt, doc, n, NULL, "UTF-8", PARSE_OPTIONS));
	return p.closed || p.starts != WRAPPER_DEPTH + 2;
}

/*
 * Asks libxml2 which start tags close which elements and which elements it holds void, so that
 * the fast path follows the libxml2 in use. htmlAutoCloseTag(doc, name, elem) tells whether a
 * start tag of elem's name closes an open name (with elem childless, nothing else); it answers 0
 * for two of the same name whatever the rule, so that pair is read from a parse of "<X><X>".
 * Whatever cannot be asked is taken as closing, which sends such markup to libxml2.
 */
static void
fast_init(void)
{
	htmlDocPtr doc = htmlNewDocNoDtD(NULL, NULL);
	htmlParserCtxtPtr ctxt = htmlNewParserCtxt();
	const htmlElemDesc *d;
	xmlNodePtr node;
	size_t i, j;

	if (ctxt != NULL)
		memcpy(ctxt->sax, &probe_sax, sizeof(probe_sax));
	for (j = 0; j < FAST_N; j++) {
		d = htmlTagLookup((const xmlChar *)fast_names[j]);
		fast_void[j] = d != NULL && d->empty;
		node = doc != NULL ? xmlNewDocNode(doc, NULL, (const xmlChar *)fast_names[j], NULL) : NULL;
		for (i = 0; i < FAST_N; i++)
			if (node == NULL || ctxt == NULL ||
			    (i == j ? self_closing(ctxt, fast_names[i]) :
			    htmlAutoCloseTag(doc, (const xmlChar *)fast_names[i], node)))
				fast_closes[i][j / 64] |= UINT64_C(1) << (j % 64);
		xmlFreeNode(node);
	}
	if (ctxt != NULL)
		htmlFreeParserCtxt(ctxt);
	xmlFreeDoc(doc);
}

static int
cmp_name(const void *key, const void *member)
{
	return name_cmp(key, *(const char *const *)member);
}

/* True when the 8 bytes at p are printable ASCII but '&' and '<': none ends the fast path's text. */
static bool
fast_plain8(const char *p)
{
	uint64_t w, a, l;

	memcpy(&w, p, sizeof(w));
	a = w ^ UINT64_C(0x2626262626262626);
	l = w ^ UINT64_C(0x3C3C3C3C3C3C3C3C);
	/* A high bit set, in a byte or once 1 is added to it (DEL), a byte below 0x20, a '&' or a '<'. */
	return ((w | (w + UINT64_C(0x0101010101010101)) | ((w - UINT64_C(0x2020202020202020)) & ~w) |
	    ((a - UINT64_C(0x0101010101010101)) & ~a) | ((l - UINT64_C(0x0101010101010101)) & ~l)) &
	    UINT64_C(0x8080808080808080)) == 0;
}

/* Bytes that end a run of plain text for the fast path: < &, controls but tab, LF and CR, DEL, C1. */
static const unsigned char fast_stop[256] = {
	1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 0, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	['&'] = 1, ['<'] = 1, [0x7F] = 1, [0xC2] = 1,
};

struct fast {
	const char	*p, *end;
	uint8_t		 open[FAST_DEPTH];	/* fast_names index of each open element, innermost last */
	size_t		 nopen;
};

static bool
fast_letter(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool
fast_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

/* A name of letters and digits at f->p, lowercased into name[size]; its length, 0 when none fits. */
static size_t
fast_name(struct fast *f, char *name, size_t size)
{
	size_t n = 0;

	if (f->p == f->end || !fast_letter(*f->p))
		return 0;
	while (f->p < f->end && (fast_letter(*f->p) || is_digit(*f->p))) {
		if (n + 1 == size)
			return 0;
		name[n++] = (char)(*f->p++ | 0x20);
	}
	name[n] = '\0';
	return n;
}

/*
 * A complete character reference at p (p[0] '&'), as libxml2 reads it: its code point and, in
 * *len, its length; 0 when the fast path does not take it.
 */
static unsigned
fast_ref(const char *p, const char *end, size_t *len)
{
	const htmlEntityDesc *e;
	const char *q = p + 1;
	char name[16];
	unsigned v = 0;
	size_t n = 0;

	if (q < end && *q == '#') {
		bool hex = ++q < end && (*q == 'x' || *q == 'X');

		for (q += hex; q < end && n < 7; q++, n++) {
			if (is_digit(*q))
				v = v * (hex ? 16 : 10) + (unsigned)(*q - '0');
			else if (hex && (*q | 0x20) >= 'a' && (*q | 0x20) <= 'f')
				v = v * 16 + (unsigned)((*q | 0x20) - 'a' + 10);
			else
				break;
		}
		/* libxml2's IS_CHAR */
		if (n == 0 || q == end || *q != ';' || !(v == 0x9 || v == 0xA || v == 0xD ||
		    (v >= 0x20 && v <= 0xD7FF) || (v >= 0xE000 && v <= 0xFFFD) || (v >= 0x10000 && v <= 0x10FFFF)))
			return 0;
	} else {
		while (q < end && (fast_letter(*q) || (n > 0 && is_digit(*q))) && n + 1 < sizeof(name))
			name[n++] = *q++;
		name[n] = '\0';
		if (n == 0 || q == end || *q != ';' || (e = htmlEntityLookup((const xmlChar *)name)) == NULL ||
		    e->value == 0)
			return 0;
		v = e->value;
	}
	*len = (size_t)(q + 1 - p);
	return v;
}

/*
 * An attribute value in quotes at f->p, decoded into vals with its NUL: 1, or 0 when the fast
 * path does not take it.
 */
static int
fast_value(struct fast *f, struct buf *vals)
{
	const char *v;
	size_t len;
	unsigned cp;
	char quote, u[5];

	if (f->p == f->end || (*f->p != '"' && *f->p != '\''))
		return 0;
	quote = *f->p++;
	for (v = f->p; f->p < f->end && *f->p != quote; ) {
		unsigned char c = (unsigned char)*f->p;

		if (c == '&') {
			if (buf_append(vals, v, (size_t)(f->p - v)) < 0 || (cp = fast_ref(f->p, f->end, &len)) == 0 ||
			    buf_append(vals, u, charset_utf8_encode(cp, u)) < 0)
				return 0;
			v = f->p += len;
		} else if (c < 0x20 || c == '<' || c == '>' || c == 0x7F ||
		    (c == 0xC2 && f->end - f->p > 1 && (unsigned char)f->p[1] <= 0x9F)) {
			return 0;
		} else {
			f->p++;
		}
	}
	if (f->p == f->end || buf_append(vals, v, (size_t)(f->p - v)) < 0 || buf_putc(vals, '\0') < 0)
		return 0;
	f->p++;
	return 1;
}

/*
 * A start tag at f->p (just after '<'), reported to the handlers as libxml2 would, its values
 * decoded into vals: the index of its name in fast_names, or -1 when the fast path does not take
 * it. *self_closed is set for "/>".
 */
static int
fast_start(struct fast *f, struct san *s, struct buf *vals, bool *self_closed)
{
	const xmlChar *atts[2 * FAST_ATTRS + 1];
	size_t offs[FAST_ATTRS], nattr = 0, i, k;
	char name[16], names[FAST_ATTRS][24];
	const char *const *en;

	if (fast_name(f, name, sizeof(name)) == 0 ||
	    (en = bsearch(name, fast_names, FAST_N, sizeof(fast_names[0]), cmp_name)) == NULL)
		return -1;
	k = (size_t)(en - fast_names);
	if (f->nopen > 0 && (fast_closes[f->open[f->nopen - 1]][k / 64] & (UINT64_C(1) << (k % 64))))
		return -1;	/* libxml2 would close the open element first */
	buf_clear(vals);
	for (;;) {
		if (f->p == f->end || !(fast_blank(*f->p) || *f->p == '>' || *f->p == '/'))
			return -1;
		while (f->p < f->end && fast_blank(*f->p))
			f->p++;
		if (f->p < f->end && *f->p == '>') {
			f->p++;
			*self_closed = false;
			break;
		}
		if (f->end - f->p >= 2 && f->p[0] == '/' && f->p[1] == '>') {
			f->p += 2;
			*self_closed = true;
			break;
		}
		if (nattr == FAST_ATTRS || fast_name(f, names[nattr], sizeof(names[nattr])) == 0)
			return -1;
		for (i = 0; i < nattr; i++)
			if (strcmp(names[i], names[nattr]) == 0)
				return -1;	/* libxml2 drops a repeated attribute */
		offs[nattr] = SIZE_MAX;		/* no value: NULL, as libxml2 gives it */
		if (f->p < f->end && *f->p == '=') {
			f->p++;
			offs[nattr] = vals->len;
			if (fast_value(f, vals) == 0)
				return -1;
		}
		nattr++;
	}
	/* The values are all in place: vals no longer moves. */
	for (i = 0; i < nattr; i++) {
		atts[2 * i] = (const xmlChar *)names[i];
		atts[2 * i + 1] = offs[i] == SIZE_MAX ? NULL : (const xmlChar *)vals->data + offs[i];
	}
	atts[2 * nattr] = NULL;
	on_start(s, (const xmlChar *)name, nattr > 0 ? atts : NULL);
	return (int)k;
}

/*
 * The markup of p (n bytes, after the wrapper, valid UTF-8 without NUL) through the handlers, as
 * libxml2 would report it: 1, or 0 when it is outside the fast path's subset, with s and its
 * output as they were. vals is scratch for attribute values.
 */
static int
fast_run(struct san *s, const char *p, size_t n, struct buf *vals)
{
	static const xmlChar *const wrapper[WRAPPER_DEPTH] = {
		(const xmlChar *)"html", (const xmlChar *)"body",
	};
	struct fast f = { .p = p, .end = p + n };
	size_t start = s->out->len, len, i;
	bool self_closed;
	const char *run, *stop;
	const char *const *en;
	char name[16], u[5];
	unsigned cp;
	int k;

	(void)pthread_once(&fast_once, fast_init);
	for (i = 0; i < WRAPPER_DEPTH; i++)
		on_start(s, wrapper[i], NULL);
	while (f.p < f.end && s->err == 0) {
		for (run = f.p; f.p < f.end; ) {
			if (f.end - f.p >= 8 && fast_plain8(f.p)) {
				f.p += 8;
				continue;
			}
			for (stop = f.end - f.p > 8 ? f.p + 8 : f.end; f.p < stop; f.p++)
				if (fast_stop[(unsigned char)*f.p] &&
				    !(*f.p == '\xC2' && f.end - f.p > 1 && (unsigned char)f.p[1] >= 0xA0))
					goto text_end;
		}
text_end:
		if (f.p > run)
			on_text(s, (const xmlChar *)run, (int)(f.p - run));
		if (f.p == f.end)
			break;
		if (*f.p == '&') {
			if ((cp = fast_ref(f.p, f.end, &len)) == 0)
				goto refuse;
			on_text(s, (const xmlChar *)u, (int)charset_utf8_encode(cp, u));
			f.p += len;
		} else if (*f.p != '<' || ++f.p == f.end) {
			goto refuse;
		} else if (*f.p == '/') {
			f.p++;
			if (fast_name(&f, name, sizeof(name)) == 0)
				goto refuse;
			while (f.p < f.end && fast_blank(*f.p))
				f.p++;
			if (f.p == f.end || *f.p++ != '>')
				goto refuse;
			if (f.nopen > 0 && strcmp(name, fast_names[f.open[f.nopen - 1]]) == 0) {
				f.nopen--;
				on_end(s, (const xmlChar *)name);
			} else if ((en = bsearch(name, fast_names, FAST_N, sizeof(fast_names[0]), cmp_name)) == NULL ||
			    !fast_void[en - fast_names]) {
				goto refuse;
			}	/* else the end tag of a void element (XHTML's <img ...></img>): nothing is open */
		} else {
			if (f.nopen == FAST_DEPTH || (k = fast_start(&f, s, vals, &self_closed)) < 0)
				goto refuse;
			if (self_closed || fast_void[k])
				on_end(s, (const xmlChar *)fast_names[k]);
			else
				f.open[f.nopen++] = (uint8_t)k;
		}
	}
	/* At the end libxml2 closes what is open, the wrapper last. */
	while (f.nopen > 0)
		on_end(s, (const xmlChar *)fast_names[f.open[--f.nopen]]);
	for (i = WRAPPER_DEPTH; i > 0; i--)
		on_end(s, wrapper[i - 1]);
	return 1;
refuse:
	buf_truncate(s->out, start);
	s->depth = s->wrapper = s->seen = s->drop = 0;
	s->nopen = 0;
	s->stopped = false;
	return 0;
}

/*
 * What a sanitizer keeps from one field to the next: libxml2's HTML parser, which
 * htmlCtxtReadMemory() resets for every read, and the buffers, so that a document's fields cost no
 * parser setup and few allocations.
 */
struct sanitizer {
	htmlParserCtxtPtr	 ctxt;	/* NULL until the first read, and after one that failed */
	struct buf		 in;	/* the wrapped, repaired input */
	struct buf		 attrs;	/* lent to struct san for one run */
	struct buf		 url;
	struct buf		 set;
	struct buf		 vals;	/* the fast path's attribute values */
	bool			 slow;	/* never the fast path (tests) */
	size_t			 fast;	/* fields the fast path took */
};

int
sanitizer_open(struct sanitizer **ret)
{
	struct sanitizer *z;

	z = calloc(1, sizeof(*z));
	if (z == NULL)
		return -ENOMEM;
	buf_init(&z->in, PARSE_MAX_DOC);
	buf_init(&z->attrs, ITEM_MAX_FIELD);
	buf_init(&z->url, ITEM_MAX_FIELD);
	buf_init(&z->set, ITEM_MAX_FIELD);
	buf_init(&z->vals, ITEM_MAX_FIELD);
	*ret = z;
	return 0;
}

void
sanitizer_close(struct sanitizer *z)
{
	if (z == NULL)
		return;
	if (z->ctxt != NULL)
		htmlFreeParserCtxt(z->ctxt);
	buf_release(&z->in);
	buf_release(&z->attrs);
	buf_release(&z->url);
	buf_release(&z->set);
	buf_release(&z->vals);
	free(z);
}

void
sanitizer_set_slow(struct sanitizer *z, bool slow)
{
	z->slow = slow;
}

size_t
sanitizer_fast_count(const struct sanitizer *z)
{
	return z->fast;
}

/* A scratch buffer of z lent for one run, empty and limited as out is. */
static struct buf
lend(struct buf *b, const struct buf *out)
{
	buf_clear(b);
	b->max = out->max;
	return *b;
}

int
sanitizer_run(struct sanitizer *z, const char *html, size_t len, const char *base, struct buf *out)
{
	size_t start = out->len, scans = 0;
	struct san s;
	int r;

	memset(&s, 0, sizeof(s));
	s.out = out;
	s.base = base;
	s.attrs = lend(&z->attrs, out);
	s.url = lend(&z->url, out);
	s.set = lend(&z->set, out);
	buf_clear(&z->in);
	if (len > PARSE_MAX_DOC - sizeof(WRAPPER)) {
		r = -E2BIG;
		goto out;
	}
	r = load(html, len, &z->in);
	if (r < 0)
		goto out;
	s.depth_max = HTML_MAX_DEPTH;
	if (!z->slow && fast_run(&s, z->in.data + sizeof(WRAPPER) - 1, z->in.len - (sizeof(WRAPPER) - 1),
	    &z->vals)) {
		z->fast++;
		r = s.err;
		if (r == 0)
			r = close_to(&s, 0);
		goto out;
	}
	r = fix_tags(&z->in, sizeof(WRAPPER) - 1, &scans);
	if (r < 0)
		goto out;
	scans = END_SCAN_BUDGET / (scans + 1);
	s.depth_max = scans > HTML_MAX_DEPTH ? (unsigned)scans : HTML_MAX_DEPTH;
	if (z->ctxt == NULL) {
		z->ctxt = htmlNewParserCtxt();
		if (z->ctxt == NULL) {
			r = -ENOMEM;
			goto out;
		}
		memcpy(z->ctxt->sax, &sax, sizeof(sax));
	}
	z->ctxt->userData = &s;
	s.ctxt = z->ctxt;
	/* Our SAX callbacks build no document; free one should libxml2 ever make it. */
	xmlFreeDoc(htmlCtxtReadMemory(z->ctxt, z->in.data, (int)z->in.len, NULL, "UTF-8", PARSE_OPTIONS));
	r = s.err;
	if (r == 0 && z->ctxt->errNo == XML_ERR_NO_MEMORY)
		r = -ENOMEM;
	if (r == 0)
		r = close_to(&s, 0);
out:
	if (r == 0)
		r = text_nfc_html(out, start);	/* text decoded from references and repaired bytes too */
	if (r < 0)
		buf_truncate(out, start);
	z->attrs = s.attrs;
	z->url = s.url;
	z->set = s.set;
	/*
	 * A parser that failed starts afresh; so does one whose dictionary of names has grown (a
	 * document whose fields invent tag names), and the input buffer does not stay huge.
	 */
	if (z->ctxt != NULL && (r < 0 || xmlDictSize(z->ctxt->dict) > SAN_DICT_MAX)) {
		htmlFreeParserCtxt(z->ctxt);
		z->ctxt = NULL;
	}
	if (z->in.cap > SAN_KEEP)
		buf_release(&z->in);
	if (z->vals.cap > SAN_KEEP)
		buf_release(&z->vals);
	return r;
}

int
sanitize_html(const char *html, size_t len, const char *base, struct buf *out)
{
	struct sanitizer *z;
	int r;

	r = sanitizer_open(&z);
	if (r < 0)
		return r;
	r = sanitizer_run(z, html, len, base, out);
	sanitizer_close(z);
	return r;
}
