/* xmlfix.c - a small state machine over XML text that makes the usual feed mistakes well-formed. */
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>

#include "charset.h"
#include "escape.h"
#include "xmlfix.h"

#define CDATA_TEXT_MIN	32	/* shorter text is not worth a CDATA section */
#define DEPTH_MAX	(1 << 30)	/* depth stops counting here */
#define REF_MAX		40	/* longest reference we look at: "&#x" and digits, or an entity name */

enum { S_TEXT, S_TAG, S_COMMENT, S_CDATA, S_PI, S_DOCTYPE };

/* The bytes a tag's scan stops at: quotes, its end, and what may need mending. */
static const unsigned char tag_special[256] = { ['"'] = 1, ['\''] = 1, ['>'] = 1, ['<'] = 1, ['&'] = 1 };

void
xmlfix_init(struct xmlfix *x)
{
	memset(x, 0, sizeof(*x));
	x->line = 1;
	x->col = 1;
}

/* The line and column (from 1) of p[n], where p[0] is at x->line, x->col. */
static void
position(const struct xmlfix *x, const char *p, size_t n, int *ret_line, int *ret_col)
{
	const char *s = p, *e = p + n, *nl;
	int line = x->line, col = x->col;

	while ((nl = memchr(s, '\n', (size_t)(e - s))) != NULL) {
		line++;
		col = 1;
		s = nl + 1;
	}
	*ret_line = line;
	*ret_col = col + (int)(e - s);
}

static bool
is_name_start(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' || c >= 0x80;
}

static bool
is_name_char(unsigned char c)
{
	return is_name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

/* A code point a numeric reference may name in XML 1.0, after HTML's repairs. */
static unsigned
fix_code_point(unsigned long cp)
{
	if (cp >= 0x80 && cp < 0xA0)
		return charset_cp1252((unsigned char)cp);
	if ((cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') || cp == 0x7F || (cp >= 0xD800 && cp < 0xE000) ||
	    cp == 0xFFFE || cp == 0xFFFF || cp > 0x10FFFF)
		return 0xFFFD;
	return (unsigned)cp;
}

/* The predefined entities; xmlfix writes them as character references (see read_ref). */
static const struct {
	const char	*name;
	unsigned	 cp;
} predefined[] = {
	{ "amp", '&' }, { "lt", '<' }, { "gt", '>' }, { "quot", '"' }, { "apos", '\'' },
};

/*
 * Reads the reference at p[0] == '&' (n bytes available) and tells the character it stands for in
 * *ret_cp: that of a well-formed numeric reference (after fix_code_point()), of a predefined or
 * HTML named entity, or '&' itself when the '&' starts no reference XML can read. *ret_verbatim
 * is set when the reference may be written as it stands. Returns the bytes used, or 0 when more
 * input is needed to decide.
 */
static size_t
read_ref(struct xmlfix *x, const char *p, size_t n, bool last, unsigned *ret_cp, bool *ret_verbatim)
{
	const unsigned char *u = (const unsigned char *)p;
	char name[REF_MAX + 1];
	const htmlEntityDesc *e;
	unsigned long cp = 0;
	size_t i = 1, k;
	bool hex;

	*ret_verbatim = false;
	if (n < 2 && !last)
		return 0;
	if (n >= 2 && u[1] == '#') {
		i = 2;
		hex = i < n && (u[i] == 'x' || u[i] == 'X');
		if (hex)
			i++;
		k = i;
		while (i < n && i < REF_MAX && (hex ? (u[i] >= '0' && u[i] <= '9') || ((u[i] | 0x20) >= 'a' &&
		    (u[i] | 0x20) <= 'f') : (u[i] >= '0' && u[i] <= '9'))) {
			if (cp <= 0x10FFFF) {
				unsigned d = u[i] <= '9' ? u[i] - '0' : (u[i] | 0x20) - 'a' + 10;
				cp = cp * (hex ? 16 : 10) + d;
			}
			i++;
		}
		if (i == n && !last && i < REF_MAX)
			return 0;
		if (i > k && i < n && u[i] == ';') {
			*ret_cp = fix_code_point(cp);
			if (*ret_cp == cp && u[2] != 'X')	/* XML wants a lower-case x */
				*ret_verbatim = true;
			else
				x->changed = true;
			return i + 1;
		}
	} else {
		while (i < n && i < REF_MAX && is_name_char(u[i]))
			i++;
		if (i == n && !last && i < REF_MAX)
			return 0;
		if (i > 1 && is_name_start(u[1]) && i < n && u[i] == ';') {
			memcpy(name, p + 1, i - 1);
			name[i - 1] = '\0';
			/*
			 * The predefined entities as character references: libxml2 drops an entity
			 * reference once a document is not well-formed (its recovery goes on past the
			 * error), so "&lt;b&gt;" in a broken feed's escaped HTML would lose its markup.
			 * A character reference it always reads.
			 */
			for (k = 0; k < sizeof(predefined) / sizeof(predefined[0]); k++)
				if (strcmp(name, predefined[k].name) == 0) {
					*ret_cp = predefined[k].cp;
					return i + 1;
				}
			e = htmlEntityLookup((const xmlChar *)name);
			if (e != NULL) {
				x->changed = true;
				*ret_cp = e->value;
				return i + 1;
			}
		}
	}
	/* Not a reference XML can read: the '&' is text. */
	x->changed = true;
	*ret_cp = '&';
	return 1;
}

/* Appends cp as a decimal character reference. */
static int
put_char_ref(struct buf *out, unsigned cp)
{
	char s[16], *q = s + sizeof(s);

	*--q = ';';
	do
		*--q = (char)('0' + cp % 10);
	while ((cp /= 10) != 0);
	*--q = '#';
	*--q = '&';
	return buf_append(out, q, (size_t)(s + sizeof(s) - q));
}

/*
 * Mends the reference at p[0] == '&' (n bytes available) into a character reference XML reads.
 * Returns the bytes used, or 0 when more input is needed to decide.
 */
static size_t
fix_ref(struct xmlfix *x, const char *p, size_t n, bool last, struct buf *out, int *r)
{
	unsigned cp;
	bool verbatim;
	size_t used = read_ref(x, p, n, last, &cp, &verbatim);

	if (used > 0)
		*r = verbatim ? buf_append(out, p, used) : put_char_ref(out, cp);
	return used;
}

/* A tag just ended; prev is the byte before its '>'. Elements that open and close count for depth. */
static void
end_tag(struct xmlfix *x, char prev)
{
	x->state = S_TEXT;
	if (x->tag_kind == '/') {
		if (x->depth > 0)
			x->depth--;
	} else if (x->tag_kind != '!' && prev != '/' && x->depth < DEPTH_MAX) {
		x->depth++;
	}
}

/*
 * Whether text at p (n bytes) may go out as a CDATA section: inside an element, CDATA_TEXT_MIN
 * bytes or more, and no ']' (a "]]>" would end the section) nor CR (libxml2 turns CR LF into LF in
 * text, not in CDATA).
 */
static bool
cdata_may(const struct xmlfix *x, const char *p, size_t n)
{
	return x->depth > 0 && n >= CDATA_TEXT_MIN && memchr(p, ']', n) == NULL &&
	    memchr(p, '\r', n) == NULL;
}

/*
 * Appends a run of text (no '&' or '<' in it). Inside an element, a long run holding non-ASCII
 * characters goes out as a CDATA section: libxml2 reads such text one character at a time, a
 * function call each, but checks a CDATA section in one cheap pass, and both reach the SAX
 * handlers as the same characters, when cdata_may() allows it; the section starts after leading
 * white space, where libxml2 would report an error in the text. Whether a run is wrapped depends
 * on where chunks end (a chunk's end cuts a run in two); what libxml2 reads does not.
 */
static int
put_text(const struct xmlfix *x, const char *p, size_t n, struct buf *out)
{
	uint64_t w, high = 0;
	size_t k, lead = 0;
	int r;

	if (x->depth == 0 || n < CDATA_TEXT_MIN)
		return buf_append(out, p, n);
	for (k = 0; k + 8 <= n; k += 8) {
		memcpy(&w, p + k, sizeof(w));
		high |= w;
	}
	for (; k < n; k++)
		high |= (unsigned char)p[k];
	if (!(high & UINT64_C(0x8080808080808080)) || !cdata_may(x, p, n))	/* ASCII first: the cheap test */
		return buf_append(out, p, n);
	while (lead < n && (p[lead] == ' ' || p[lead] == '\t' || p[lead] == '\n'))
		lead++;
	r = buf_append(out, p, lead);
	if (r == 0 && lead < n)
		r = buf_puts(out, "<![CDATA[");
	if (r == 0 && lead < n)
		r = buf_append(out, p + lead, n - lead);
	if (r == 0 && lead < n)
		r = buf_puts(out, "]]>");
	return r;
}

/*
 * Appends the text at p (n bytes to the chunk's end) up to the next '<', its references mended,
 * and returns the bytes used: fewer when a reference is cut by the chunk's end (*more is set).
 * Inside an element, a run of CDATA_TEXT_MIN bytes or more that holds references goes to libxml2
 * as CDATA with them decoded, as put_text() sends long non-ASCII text: libxml2 handles each
 * reference in text with several calls, a character in CDATA with none. That is safe because
 * xmlfix writes every reference as a character reference, which libxml2 reads even in a document
 * that is not well-formed, so both forms reach the SAX handlers as the same characters, wherever
 * the chunks end. The same conditions as put_text() (cdata_may()), on the run as written; a
 * reference to ']' or CR stays a reference, between two sections.
 */
static size_t
put_text_run(struct xmlfix *x, const char *p, size_t n, bool last, struct buf *out, bool *more, int *r)
{
	const char *lt = memchr(p, '<', n), *amp;
	size_t end = lt != NULL ? (size_t)(lt - p) : n, i = 0, seg, used, k;
	bool open = false, verbatim;
	unsigned cp;
	char enc[4];

	*more = false;
	if (lt == NULL && !last) {
		/* A character cut by the chunk's end waits for the next: libxml2 checks CDATA's UTF-8 whole. */
		k = end;
		while (k > 0 && end - k < 3 && ((unsigned char)p[k - 1] & 0xC0) == 0x80)
			k--;
		if (k > 0 && (unsigned char)p[k - 1] >= 0xC0 &&
		    end - (k - 1) < ((unsigned char)p[k - 1] >= 0xF0 ? 4u : (unsigned char)p[k - 1] >= 0xE0 ? 3u : 2u)) {
			end = k - 1;
			*more = true;
		}
	}
	amp = memchr(p, '&', end);
	if (amp == NULL) {
		*r = put_text(x, p, end, out);
		return end;
	}
	if (!cdata_may(x, p, end)) {
		/* Each piece between references on its own. */
		while (*r == 0) {
			seg = amp != NULL ? (size_t)(amp - p) : end;
			*r = put_text(x, p + i, seg - i, out);
			if (seg == end || *r < 0)
				return seg;
			used = fix_ref(x, p + seg, n - seg, last, out, r);
			if (used == 0) {
				*more = true;
				return seg;
			}
			i = seg + used;
			amp = memchr(p + i, '&', end - i);
		}
		return i;
	}
	/* Leading white space stays text, as in put_text(). */
	while (i < end && (p[i] == ' ' || p[i] == '\t' || p[i] == '\n'))
		i++;
	*r = buf_append(out, p, i);
	while (*r == 0 && i < end) {
		seg = amp != NULL ? (size_t)(amp - p) : end;
		if (seg > i) {
			if (!open)
				*r = buf_puts(out, "<![CDATA[");
			open = true;
			if (*r == 0)
				*r = buf_append(out, p + i, seg - i);
		}
		if (seg == end || *r < 0) {
			i = seg;
			break;
		}
		used = read_ref(x, p + seg, n - seg, last, &cp, &verbatim);
		if (used == 0) {
			*more = true;
			i = seg;
			break;
		}
		if (cp == ']' || cp == '\r') {
			if (open)
				*r = buf_puts(out, "]]>");
			open = false;
			if (*r == 0)
				*r = verbatim ? buf_append(out, p + seg, used) : put_char_ref(out, cp);
		} else {
			if (!open)
				*r = buf_puts(out, "<![CDATA[");
			open = true;
			k = charset_utf8_encode(cp, enc);
			if (*r == 0)
				*r = buf_append(out, enc, k);
		}
		i = seg + used;
		amp = memchr(p + i, '&', end - i);
	}
	if (open && *r == 0)
		*r = buf_puts(out, "]]>");
	return i;
}

/* Length of the markup opener at p ("<!--", "<![CDATA[", ...) and its state; 0 if more input is needed. */
static size_t
open_markup(struct xmlfix *x, const char *p, size_t n, bool last, struct buf *out, int *r)
{
	static const struct {
		const char	*open;
		int		 state;
	} marks[] = {
		{ "<!--", S_COMMENT }, { "<![CDATA[", S_CDATA }, { "<!DOCTYPE", S_DOCTYPE }, { "<?", S_PI },
	};
	const unsigned char *u = (const unsigned char *)p;
	size_t i, len;

	/* Most '<' open a tag: only "<!" and "<?" can start the others. */
	for (i = 0; (n < 2 || u[1] == '!' || u[1] == '?') && i < sizeof(marks) / sizeof(marks[0]); i++) {
		len = strlen(marks[i].open);
		if (n < len && !last && strncasecmp(p, marks[i].open, n) == 0)
			return 0;
		if (n >= len && strncasecmp(p, marks[i].open, len) == 0) {
			x->state = marks[i].state;
			return len;
		}
	}
	if (n < 2 && !last)
		return 0;
	if (n >= 2 && (u[1] == '/' || u[1] == '!' || is_name_start(u[1]))) {
		x->state = S_TAG;
		x->tag_kind = (char)u[1];
		x->tag_last = 0;
		*r = buf_append(out, p, 1);
		return 1;
	}
	x->changed = true;	/* "a < b": a '<' that opens nothing */
	*r = buf_append(out, "&#60;", 5);
	return 1;
}

/*
 * The first close[0..len) in p[0..n), or NULL. The closing marks are short and their first byte is
 * rare in what they close, so memchr() for it beats a general substring search.
 */
static const char *
find(const char *p, size_t n, const char *close, size_t len)
{
	const char *q = p, *end = p + n;

	while ((size_t)(end - q) >= len && (q = memchr(q, close[0], (size_t)(end - q) - (len - 1))) != NULL) {
		if (memcmp(q, close, len) == 0)
			return q;
		q++;
	}
	return NULL;
}

/*
 * Passes over a CDATA section, comment or PI up to and including its closing mark (or all but a
 * possible start of it). A CDATA section is copied, and closed at the end of every chunk and
 * reopened in the next: libxml2 gathers a section whole before handing it on, and refuses one past
 * 10 MB, so no section it sees is longer than a chunk.
 */
static size_t
skip_to(struct xmlfix *x, const char *p, size_t n, bool last, const char *close, struct buf *out, int *r)
{
	size_t len = strlen(close), used;
	const char *e = find(p, n, close, len);

	if (e != NULL) {
		used = (size_t)(e - p) + len;
	} else if (last) {
		used = n;
	} else {
		used = n >= len ? n - (len - 1) : 0;
		/* A section split here must not split a character: libxml2 checks each piece's UTF-8. */
		while (used > 0 && ((unsigned char)p[used] & 0xC0) == 0x80)
			used--;
	}
	if (x->state == S_CDATA && (used > 0 || e != NULL)) {
		*r = buf_puts(out, "<![CDATA[");
		if (*r == 0)
			*r = buf_append(out, p, e != NULL ? used - len : used);
		if (*r == 0)
			*r = buf_puts(out, "]]>");
	}
	if (e != NULL)
		x->state = S_TEXT;
	return used;
}

int
xmlfix_run(struct xmlfix *x, struct buf *in, bool last, struct buf *out)
{
	const char *p = buf_str(in);
	size_t i = 0, n = in->len, run, used;
	unsigned char c;
	bool more;
	int r = 0;

	while (i < n && r == 0) {
		switch (x->state) {
		case S_TEXT:
			i += put_text_run(x, p + i, n - i, last, out, &more, &r);
			if (more)
				goto keep;
			if (i == n || r < 0)
				break;
			used = open_markup(x, p + i, n - i, last, out, &r);
			if (used == 0)
				goto keep;
			i += used;
			break;
		case S_TAG:
			run = i;
			while (run < n) {
				while (run < n && !tag_special[(unsigned char)p[run]])
					run++;
				if (run == n)
					break;
				c = (unsigned char)p[run];
				if (x->quote != 0) {
					if (c == (unsigned char)x->quote)
						x->quote = 0;
					else if (c == '&' || c == '<')
						break;
				} else if (c == '"' || c == '\'') {
					x->quote = (char)c;
				} else if (c == '>') {
					end_tag(x, run > i ? p[run - 1] : x->tag_last);
					run++;
					break;
				} else if (c == '<') {
					break;
				}
				run++;
			}
			r = buf_append(out, p + i, run - i);
			if (run > i)
				x->tag_last = p[run - 1];
			i = run;
			if (i == n || r < 0 || x->state != S_TAG)
				break;
			if (p[i] == '<' && x->quote == 0) {
				/*
				 * "<item<!--x-->": the tag is cut short by markup. libxml2 recovers from
				 * that differently depending on where its chunks end, so close the tag
				 * here, as its recovery mostly does, and read the '<' again after it.
				 */
				x->changed = true;
				end_tag(x, x->tag_last);
				r = buf_append(out, ">", 1);
				break;
			}
			x->tag_last = 0;
			if (p[i] == '<') {
				x->changed = true;
				r = buf_append(out, "&#60;", 5);
				used = 1;
			} else {
				used = fix_ref(x, p + i, n - i, last, out, &r);
			}
			if (used == 0)
				goto keep;
			i += used;
			break;
		case S_COMMENT:
			i += skip_to(x, p + i, n - i, last, "-->", out, &r);
			goto maybe_keep;
		case S_CDATA:
			i += skip_to(x, p + i, n - i, last, "]]>", out, &r);
			goto maybe_keep;
		case S_PI:
			i += skip_to(x, p + i, n - i, last, "?>", out, &r);
			goto maybe_keep;
		case S_DOCTYPE:
			/* Dropped; only whether it declares an entity matters. */
			run = i;
			while (run < n) {
				c = (unsigned char)p[run++];
				if (x->in_comment) {
					/* A comment or PI in the internal subset may hold anything, "]>" too. */
					if (c == '>' && (x->in_comment == '?' ? x->dashes >= 1 : x->dashes >= 2))
						x->in_comment = 0;
					x->dashes = c == x->in_comment ? x->dashes + 1 : 0;
					continue;
				}
				if (x->quote == 0 && x->comment_match == 1 && c == '?') {
					x->in_comment = '?';
					x->dashes = 0;
					x->comment_match = 0;
					continue;
				}
				if (x->quote == 0 && c == (unsigned char)"<!ENTITY"[x->entity_match]) {
					if (++x->entity_match == 8) {
						if (!x->declares_entity)
							position(x, p, run >= 8 ? run - 8 : 0, &x->entity_line, &x->entity_col);
						x->declares_entity = true;
						x->entity_match = 0;
					}
				} else {
					x->entity_match = c == '<' ? 1 : 0;
				}
				if (x->quote == 0 && c == (unsigned char)"<!--"[x->comment_match]) {
					if (++x->comment_match == 4) {
						x->in_comment = '-';
						x->dashes = 0;
						x->comment_match = 0;
					}
				} else {
					x->comment_match = c == '<' ? 1 : 0;
				}
				if (x->quote != 0) {
					if (c == (unsigned char)x->quote)
						x->quote = 0;
				} else if (c == '"' || c == '\'') {
					x->quote = (char)c;
				} else if (c == '[') {
					x->brackets++;
				} else if (c == ']' && x->brackets > 0) {
					x->brackets--;
				} else if (c == '>' && x->brackets == 0) {
					x->state = S_TEXT;
					break;
				}
			}
			i = run;
			break;
		}
		continue;
maybe_keep:
		if (x->state != S_TEXT && !last && i < n)
			goto keep;
	}
keep:
	if (r < 0)
		return r;
	position(x, p, i, &x->line, &x->col);
	/* Whatever is undecided moves to the front of in for the next chunk. */
	if (in->data != NULL) {
		memmove(in->data, p + i, n - i);
		in->len = n - i;
		in->data[in->len] = '\0';
	}
	return 0;
}
