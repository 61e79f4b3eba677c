/* charset.c - sniffs a document's encoding and decodes it, chunk by chunk, to UTF-8 that XML accepts. */
#define _GNU_SOURCE	/* memmem(), which glibc, musl and the BSDs all have */
#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "charset.h"

#define PEND_MAX	8	/* bytes of a sequence cut by a chunk's end */
#define ICONV_CHUNK	8192	/* iconv output is filtered through this much stack at a time */

struct charset_decoder {
	char		 name[CHARSET_NAME_MAX];
	iconv_t		 cd;		/* (iconv_t)-1 for UTF-8, which is only checked */
	size_t		 unit;		/* bytes a code unit has: 2 in UTF-16, 4 in UTF-32, else 1 */
	bool		 started;	/* the first character is out: no byte order mark from here on */
	unsigned char	 pend[PEND_MAX];
	size_t		 npend;
};

/* Windows-1252's 0x80..0x9F; 0 marks the five bytes it leaves undefined. */
static const unsigned short cp1252_high[32] = {
	0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
	0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
};

unsigned
charset_cp1252(unsigned char b)
{
	if (b >= 0x80 && b < 0xA0)
		return cp1252_high[b - 0x80] != 0 ? cp1252_high[b - 0x80] : 0xFFFD;
	return b;
}

size_t
charset_utf8_encode(unsigned cp, char out[4])
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | cp >> 12);
		out[1] = (char)(0x80 | (cp >> 6 & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | cp >> 18);
	out[1] = (char)(0x80 | (cp >> 12 & 0x3F));
	out[2] = (char)(0x80 | (cp >> 6 & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/*
 * The UTF-8 sequence at p: its length when valid and complete, 0 when valid so far but cut at
 * avail bytes, -1 when the first byte cannot start a valid sequence (Unicode 15 table 3-7).
 */
static int
utf8_seq(const unsigned char *p, size_t avail, unsigned *ret_cp)
{
	unsigned c = p[0], cp, lo = 0x80, hi = 0xBF;
	int n, i;

	if (c < 0x80) {
		*ret_cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		n = 2;
		cp = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 3;
		cp = c & 0x0F;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F;	/* no surrogates */
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		cp = c & 0x07;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
	} else {
		return -1;
	}
	for (i = 1; i < n; i++) {
		if ((size_t)i >= avail)
			return 0;
		if (p[i] < lo || p[i] > hi)
			return -1;
		cp = cp << 6 | (p[i] & 0x3F);
		lo = 0x80;
		hi = 0xBF;
	}
	*ret_cp = cp;
	return n;
}

/* A code point XML 1.0 forbids, or DEL (allowed, but no text means it): dropped. C1 controls are mapped below. */
static bool
xml_forbidden(unsigned cp)
{
	return (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') || cp == 0x7F || cp == 0xFFFE || cp == 0xFFFF;
}

/* True when the 8 bytes at p are printable ASCII (0x20-0x7E). */
static bool
printable8(const unsigned char *p)
{
	uint64_t w;

	memcpy(&w, p, sizeof(w));
	/* A high bit set, in a byte or once 1 is added to it (DEL), or a byte below 0x20. */
	return (((w | (w + UINT64_C(0x0101010101010101))) | ((w - UINT64_C(0x2020202020202020)) & ~w)) &
	    UINT64_C(0x8080808080808080)) == 0;
}

/*
 * Appends the UTF-8 in p to out, repaired: bad bytes read as Windows-1252, forbidden characters
 * dropped, and C1 controls read as the Windows-1252 characters publishers meant (U+0092 is a
 * right quote typed on Windows and encoded twice). Returns how many bytes were used: fewer than n
 * only when a sequence is cut at the end and !last. Sets *repaired when it changed anything.
 */
static int
filter_utf8(const unsigned char *p, size_t n, bool last, struct buf *out, size_t *ret_used, bool *repaired)
{
	size_t i = 0, run, k;
	char enc[4];
	unsigned cp;
	int r, len;

	while (i < n) {
		/* The common case: printable ASCII, tab, LF, CR and valid text from U+00A0 on, copied as is. */
		run = i;
		while (run < n) {
			if (n - run >= 8 && printable8(p + run)) {
				run += 8;
				continue;
			}
			if ((p[run] >= 0x20 && p[run] < 0x7F) || p[run] == '\t' || p[run] == '\n' || p[run] == '\r') {
				run++;
				continue;
			}
			if (p[run] < 0x80)
				break;
			/* Two- and three-byte sequences from U+00A0 on, most non-ASCII text, without a call. */
			if (p[run] >= 0xC2 && p[run] <= 0xDF && n - run >= 2 && (p[run + 1] & 0xC0) == 0x80 &&
			    (p[run] > 0xC2 || p[run + 1] >= 0xA0)) {
				run += 2;
				continue;
			}
			if (p[run] >= 0xE1 && p[run] <= 0xEF && p[run] != 0xED && n - run >= 3 &&
			    (p[run + 1] & 0xC0) == 0x80 && (p[run + 2] & 0xC0) == 0x80 &&
			    (p[run] != 0xEF || p[run + 1] != 0xBF || p[run + 2] < 0xBE)) {
				run += 3;
				continue;
			}
			len = utf8_seq(p + run, n - run, &cp);
			if (len <= 0 || cp < 0xA0 || cp == 0xFFFE || cp == 0xFFFF)
				break;
			run += (size_t)len;
		}
		if (run > i) {
			r = buf_append(out, p + i, run - i);
			if (r < 0)
				return r;
			i = run;
			continue;
		}
		len = utf8_seq(p + i, n - i, &cp);
		if (len == 0 && !last)
			break;
		if (len <= 0) {
			cp = charset_cp1252(p[i]);
			len = 1;
			*repaired = true;
		} else if (cp >= 0x80 && cp < 0xA0) {
			cp = charset_cp1252((unsigned char)cp);
			*repaired = true;
		} else if (xml_forbidden(cp)) {
			*repaired = true;
			i += (size_t)len;
			continue;
		}
		k = charset_utf8_encode(cp, enc);
		r = buf_append(out, enc, k);
		if (r < 0)
			return r;
		i += (size_t)len;
	}
	*ret_used = i;
	return 0;
}

static bool
head_is_utf8(const unsigned char *p, size_t n)
{
	bool high = false;
	unsigned cp;
	size_t i = 0;
	int len;

	while (i < n) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		len = utf8_seq(p + i, n - i, &cp);
		if (len < 0)
			return false;
		if (len == 0)
			break;		/* cut by the end of the head */
		high = true;
		i += (size_t)len;
	}
	return high;
}

/* The encoding="..." of an ASCII-compatible XML declaration at the start of p, into name. */
static bool
xml_decl_encoding(const char *p, size_t n, char name[CHARSET_NAME_MAX])
{
	const char *end, *e, *q;
	char quote;
	size_t len;

	if (n < 6 || memcmp(p, "<?xml", 5) != 0)
		return false;
	end = memmem(p, n, "?>", 2);
	if (end == NULL)
		return false;
	e = memmem(p, (size_t)(end - p), "encoding", 8);
	if (e == NULL)
		return false;
	e += 8;
	while (e < end && (*e == ' ' || *e == '\t' || *e == '\r' || *e == '\n'))
		e++;
	if (e >= end || *e++ != '=')
		return false;
	while (e < end && (*e == ' ' || *e == '\t' || *e == '\r' || *e == '\n'))
		e++;
	if (e >= end || (*e != '"' && *e != '\''))
		return false;
	quote = *e++;
	q = memchr(e, quote, (size_t)(end - e));
	if (q == NULL)
		return false;
	len = (size_t)(q - e);
	if (len == 0 || len >= CHARSET_NAME_MAX)
		return false;
	memcpy(name, e, len);
	name[len] = '\0';
	return true;
}

static bool
is_name(const char *a, const char *b)
{
	return strcasecmp(a, b) == 0;
}

static bool
is_utf8_name(const char *s)
{
	return is_name(s, "utf-8") || is_name(s, "utf8") || is_name(s, "unicode-1-1-utf-8");
}

/* Labels browsers read as Windows-1252 (WHATWG Encoding, "windows-1252"). */
static bool
is_latin1_name(const char *s)
{
	static const char *const names[] = {
		"iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "l1", "us-ascii", "ascii",
		"windows-1252", "cp1252", "x-cp1252", "cp819", "ibm819", "iso-ir-100", "csisolatin1",
		"ansi_x3.4-1968",
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (is_name(s, names[i]))
			return true;
	return false;
}

int
charset_decoder_open(const char *head, size_t len, const char *charset, bool is_xml,
    struct charset_decoder **ret, bool *ret_fallback)
{
	const unsigned char *u = (const unsigned char *)head;
	char name[CHARSET_NAME_MAX] = "UTF-8";
	struct charset_decoder *d;
	bool fallback = false;

	if (len >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF)
		strcpy(name, "UTF-8");
	else if (len >= 4 && u[0] == 0xFF && u[1] == 0xFE && u[2] == 0 && u[3] == 0)
		strcpy(name, "UTF-32LE");
	else if (len >= 4 && u[0] == 0 && u[1] == 0 && u[2] == 0xFE && u[3] == 0xFF)
		strcpy(name, "UTF-32BE");
	else if (len >= 2 && u[0] == 0xFF && u[1] == 0xFE)
		strcpy(name, "UTF-16LE");
	else if (len >= 2 && u[0] == 0xFE && u[1] == 0xFF)
		strcpy(name, "UTF-16BE");
	else if (is_xml && len >= 4 && u[0] == '<' && u[1] == 0 && u[2] != 0 && u[3] == 0)
		strcpy(name, "UTF-16LE");	/* no BOM, but the bytes say it */
	else if (is_xml && len >= 4 && u[0] == 0 && u[1] == '<' && u[2] == 0 && u[3] != 0)
		strcpy(name, "UTF-16BE");
	else if (charset != NULL && *charset != '\0' && strlen(charset) < CHARSET_NAME_MAX)
		strcpy(name, charset);
	else if (is_xml && !xml_decl_encoding(head, len, name))
		strcpy(name, "UTF-8");

	/* A document whose first bytes are ASCII cannot be UTF-16 or UTF-32, whatever it says. */
	if (strncasecmp(name, "UTF-16", 6) == 0 || strncasecmp(name, "UTF-32", 6) == 0 ||
	    is_name(name, "UCS-2") || is_name(name, "UCS-4")) {
		if (len >= 2 && u[0] != 0 && u[1] != 0 && !(u[0] >= 0xFE && u[1] >= 0xFE))
			strcpy(name, "UTF-8");
	}
	if (is_latin1_name(name))
		strcpy(name, head_is_utf8(u, len) ? "UTF-8" : "WINDOWS-1252");
	if (is_utf8_name(name))
		strcpy(name, "UTF-8");

	d = calloc(1, sizeof(*d));
	if (d == NULL)
		return -ENOMEM;
	d->cd = (iconv_t)-1;
	if (strcmp(name, "UTF-8") != 0) {
		d->cd = iconv_open("UTF-8", name);
		if (d->cd == (iconv_t)-1) {
			fallback = true;
			strcpy(name, "UTF-8");
		}
	}
	memcpy(d->name, name, sizeof(d->name));
	d->unit = strncasecmp(name, "UTF-16", 6) == 0 ? 2 : strncasecmp(name, "UTF-32", 6) == 0 ? 4 : 1;
	*ret = d;
	*ret_fallback = fallback;
	return 0;
}

const char *
charset_decoder_name(const struct charset_decoder *d)
{
	return d->name;
}

/* Runs iconv over p; its output goes through filter_utf8 for the characters XML forbids. */
static int
decode_iconv(struct charset_decoder *d, const unsigned char *p, size_t n, bool last, size_t *ret_used,
    struct buf *out, bool *repaired)
{
	static const char fffd[] = "\xEF\xBF\xBD";
	char tmp[ICONV_CHUNK], *in = (char *)p, *o;
	size_t inleft = n, oleft, used;
	int r, err;

	while (inleft > 0) {
		o = tmp;
		oleft = sizeof(tmp) - sizeof(fffd);	/* room for one U+FFFD after a bad byte */
		err = iconv(d->cd, &in, &inleft, &o, &oleft) == (size_t)-1 ? errno : 0;
		if (err == EILSEQ || (err == EINVAL && last)) {
			/* One bad code unit becomes U+FFFD, and decoding goes on after it. */
			memcpy(o, fffd, 3);
			o += 3;
			in += inleft < d->unit ? inleft : d->unit;
			inleft -= inleft < d->unit ? inleft : d->unit;
			*repaired = true;
		} else if (err != 0 && err != E2BIG && err != EINVAL) {
			return -EINVAL;
		}
		r = filter_utf8((unsigned char *)tmp, (size_t)(o - tmp), true, out, &used, repaired);
		if (r < 0)
			return r;
		if (err == EINVAL)
			break;		/* a sequence cut by the chunk's end: the caller keeps it */
	}
	*ret_used = n - inleft;
	return 0;
}

static int
decode(struct charset_decoder *d, const unsigned char *p, size_t n, bool last, size_t *ret_used,
    struct buf *out, bool *repaired)
{
	if (d->cd == (iconv_t)-1)
		return filter_utf8(p, n, last, out, ret_used, repaired);
	return decode_iconv(d, p, n, last, ret_used, out, repaired);
}

int
charset_decode(struct charset_decoder *d, const char *in, size_t len, bool last,
    struct buf *out, bool *ret_repaired)
{
	const unsigned char *p = (const unsigned char *)in;
	unsigned char joined[PEND_MAX * 2];
	bool repaired = false;
	size_t used, take, n, start;
	int r;

	start = out->len;
	/* Finish a sequence the previous chunk cut, a few bytes at a time. */
	while (d->npend > 0 && (len > 0 || last)) {
		take = len < PEND_MAX ? len : PEND_MAX;
		memcpy(joined, d->pend, d->npend);
		memcpy(joined + d->npend, p, take);
		n = d->npend + take;
		r = decode(d, joined, n, last && take == len, &used, out, &repaired);
		if (r < 0)
			return r;
		if (used >= d->npend) {
			p += used - d->npend;
			len -= used - d->npend;
			d->npend = 0;
			break;
		}
		/* Still cut (the new chunk was tiny): keep what is left of the sequence. */
		if (n - used > PEND_MAX)
			return -EINVAL;
		memmove(d->pend, joined + used, n - used);
		d->npend = n - used;
		p += take;
		len -= take;
	}

	r = decode(d, p, len, last, &used, out, &repaired);
	if (r < 0)
		return r;
	if (used < len) {
		if (len - used > PEND_MAX)
			return -EINVAL;
		memcpy(d->pend, p + used, len - used);
		d->npend = len - used;
	}
	if (!d->started && out->len > start) {
		/* A byte order mark decodes to U+FEFF, whole, as the first character: drop it. */
		d->started = true;
		if (out->len - start >= 3 && memcmp(out->data + start, "\xEF\xBB\xBF", 3) == 0) {
			memmove(out->data + start, out->data + start + 3, out->len - start - 3);
			buf_truncate(out, out->len - 3);
		}
	}
	if (repaired)
		*ret_repaired = true;
	return 0;
}

void
charset_decoder_close(struct charset_decoder *d)
{
	if (d == NULL)
		return;
	if (d->cd != (iconv_t)-1)
		(void)iconv_close(d->cd);
	free(d);
}
