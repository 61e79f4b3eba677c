/* escape.c - JSON and XML escaping, with a fast path for runs that need none. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "escape.h"

int
escape_json(struct buf *out, const char *s, size_t len)
{
	int r;

	r = buf_putc(out, '"');
	if (r == 0)
		r = escape_json_chars(out, s, len);
	if (r == 0)
		r = buf_putc(out, '"');
	return r;
}

/* True when none of the 8 bytes at p needs escaping in a JSON string: no control, '"' or '\\'. */
static bool
json_plain8(const unsigned char *p)
{
	uint64_t w, q, b;

	memcpy(&w, p, sizeof(w));
	q = w ^ UINT64_C(0x2222222222222222);
	b = w ^ UINT64_C(0x5C5C5C5C5C5C5C5C);
	return ((((q - UINT64_C(0x0101010101010101)) & ~q) | ((b - UINT64_C(0x0101010101010101)) & ~b) |
	    ((w - UINT64_C(0x2020202020202020)) & ~w)) & UINT64_C(0x8080808080808080)) == 0;
}

int
escape_json_chars(struct buf *out, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *u = (const unsigned char *)s;
	char esc[7];
	size_t i = 0, run;
	int r = 0;

	while (r == 0 && i < len) {
		run = i;
		while (len - run >= 8 && json_plain8(u + run))
			run += 8;
		while (run < len && u[run] >= 0x20 && u[run] != '"' && u[run] != '\\')
			run++;
		r = buf_append(out, s + i, run - i);
		if (r < 0 || run == len)
			break;
		i = run;
		switch (u[i]) {
		case '"':
			r = buf_append(out, "\\\"", 2);
			break;
		case '\\':
			r = buf_append(out, "\\\\", 2);
			break;
		case '\n':
			r = buf_append(out, "\\n", 2);
			break;
		case '\t':
			r = buf_append(out, "\\t", 2);
			break;
		case '\r':
			r = buf_append(out, "\\r", 2);
			break;
		default:
			memcpy(esc, "\\u00", 4);
			esc[4] = hex[u[i] >> 4];
			esc[5] = hex[u[i] & 0xF];
			r = buf_append(out, esc, 6);
		}
		i++;
	}
	return r;
}

/* Bytes escape_xml() must look at: markup, quotes, controls but tab/CR/LF, and lead bytes of some (see below). */
static const unsigned char xml_special[256] = {
	[0x00] = 1, [0x01] = 1, [0x02] = 1, [0x03] = 1, [0x04] = 1, [0x05] = 1, [0x06] = 1, [0x07] = 1,
	[0x08] = 1, [0x0B] = 1, [0x0C] = 1, [0x0E] = 1, [0x0F] = 1, [0x10] = 1, [0x11] = 1, [0x12] = 1,
	[0x13] = 1, [0x14] = 1, [0x15] = 1, [0x16] = 1, [0x17] = 1, [0x18] = 1, [0x19] = 1, [0x1A] = 1,
	[0x1B] = 1, [0x1C] = 1, [0x1D] = 1, [0x1E] = 1, [0x1F] = 1,
	['&'] = 1, ['<'] = 1, ['>'] = 1, ['"'] = 1, ['\''] = 1, [0x7F] = 1, [0xC2] = 1, [0xEF] = 1,
};

/*
 * What replaces the byte at u[i] that escaping stopped at, a control character or a lead byte of
 * one (0xC2: U+0080-U+009F, 0xEF: U+FFFE, U+FFFF): *rep, which is empty for a character dropped.
 * XML 1.0 forbids C0 controls and U+FFFE/U+FFFF; DEL and C1 controls it only discourages, but no
 * text means them and some readers choke on them. Returns how many bytes of s that stands for.
 */
static size_t
xml_forbidden(const unsigned char *u, size_t i, size_t len, const char **rep)
{
	*rep = "";
	if (u[i] == 0xC2) {
		if (i + 1 < len && u[i + 1] >= 0x80 && u[i + 1] <= 0x9F)
			return 2;
		*rep = "\xC2";		/* U+00A0 to U+00BF */
	} else if (u[i] == 0xEF) {
		if (i + 2 < len && u[i + 1] == 0xBF && u[i + 2] >= 0xBE)
			return 3;
		*rep = "\xEF";		/* any other character from U+F000 on */
	}
	return 1;
}

int
escape_xml(struct buf *out, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	const char *rep;
	size_t i = 0, run;
	int r = 0;

	while (r == 0 && i < len) {
		run = i;
		while (len - run >= 4 && !(xml_special[u[run]] | xml_special[u[run + 1]] | xml_special[u[run + 2]] |
		    xml_special[u[run + 3]]))
			run += 4;
		while (run < len && !xml_special[u[run]])
			run++;
		r = buf_append(out, s + i, run - i);
		if (r < 0 || run == len)
			break;
		i = run;
		switch (u[i]) {
		case '&':
			rep = "&amp;";
			break;
		case '<':
			rep = "&lt;";
			break;
		case '>':
			rep = "&gt;";
			break;
		case '"':
			rep = "&quot;";
			break;
		case '\'':
			rep = "&#39;";
			break;
		default:
			i += xml_forbidden(u, i, len, &rep) - 1;
		}
		r = buf_puts(out, rep);
		i++;
	}
	return r;
}

/* Bytes escape_cdata() must look at: controls but tab/CR/LF, ']', and lead bytes of some. */
static const unsigned char cdata_special[256] = {
	[0x00] = 1, [0x01] = 1, [0x02] = 1, [0x03] = 1, [0x04] = 1, [0x05] = 1, [0x06] = 1, [0x07] = 1,
	[0x08] = 1, [0x0B] = 1, [0x0C] = 1, [0x0E] = 1, [0x0F] = 1, [0x10] = 1, [0x11] = 1, [0x12] = 1,
	[0x13] = 1, [0x14] = 1, [0x15] = 1, [0x16] = 1, [0x17] = 1, [0x18] = 1, [0x19] = 1, [0x1A] = 1,
	[0x1B] = 1, [0x1C] = 1, [0x1D] = 1, [0x1E] = 1, [0x1F] = 1,
	[']'] = 1, [0x7F] = 1, [0xC2] = 1, [0xEF] = 1,
};

int
escape_cdata(struct buf *out, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	const char *rep;
	size_t i = 0, run;
	int r;

	r = buf_puts(out, "<![CDATA[");
	while (r == 0 && i < len) {
		run = i;
		while (run < len && !cdata_special[u[run]])
			run++;
		r = buf_append(out, s + i, run - i);
		if (r < 0 || run == len)
			break;
		i = run;
		if (u[i] == ']') {
			/* "]]>" would end the section: end it after "]]" and open another before ">". */
			if (i + 2 < len && u[i + 1] == ']' && u[i + 2] == '>') {
				r = buf_puts(out, "]]]]><![CDATA[>");
				i += 3;
			} else {
				r = buf_putc(out, ']');
				i++;
			}
			continue;
		}
		i += xml_forbidden(u, i, len, &rep);
		r = buf_puts(out, rep);
	}
	if (r == 0)
		r = buf_puts(out, "]]>");
	return r;
}
