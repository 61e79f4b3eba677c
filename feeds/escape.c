/* escape.c - JSON and XML escaping, with a fast path for runs that need none. */
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

/* Bytes escape_xml() must look at: markup, quotes, C0 controls but tab/CR/LF, and 0xEF (U+FFFE/U+FFFF). */
static const unsigned char xml_special[256] = {
	[0x00] = 1, [0x01] = 1, [0x02] = 1, [0x03] = 1, [0x04] = 1, [0x05] = 1, [0x06] = 1, [0x07] = 1,
	[0x08] = 1, [0x0B] = 1, [0x0C] = 1, [0x0E] = 1, [0x0F] = 1, [0x10] = 1, [0x11] = 1, [0x12] = 1,
	[0x13] = 1, [0x14] = 1, [0x15] = 1, [0x16] = 1, [0x17] = 1, [0x18] = 1, [0x19] = 1, [0x1A] = 1,
	[0x1B] = 1, [0x1C] = 1, [0x1D] = 1, [0x1E] = 1, [0x1F] = 1,
	['&'] = 1, ['<'] = 1, ['>'] = 1, ['"'] = 1, ['\''] = 1, [0xEF] = 1,
};

/*
 * What replaces the byte at u[i] that escaping stopped at, a control character or 0xEF: *rep, which
 * is empty for a character XML 1.0 forbids. Returns how many bytes of s that stands for.
 */
static size_t
xml_forbidden(const unsigned char *u, size_t i, size_t len, const char **rep)
{
	if (u[i] != 0xEF) {
		*rep = "";		/* a control character XML forbids */
		return 1;
	}
	if (i + 2 < len && u[i + 1] == 0xBF && u[i + 2] >= 0xBE) {
		*rep = "";		/* U+FFFE or U+FFFF: not XML */
		return 3;
	}
	*rep = "\xEF";			/* any other character from U+F000 on */
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

/* Bytes escape_cdata() must look at: C0 controls but tab/CR/LF, ']' and 0xEF. */
static const unsigned char cdata_special[256] = {
	[0x00] = 1, [0x01] = 1, [0x02] = 1, [0x03] = 1, [0x04] = 1, [0x05] = 1, [0x06] = 1, [0x07] = 1,
	[0x08] = 1, [0x0B] = 1, [0x0C] = 1, [0x0E] = 1, [0x0F] = 1, [0x10] = 1, [0x11] = 1, [0x12] = 1,
	[0x13] = 1, [0x14] = 1, [0x15] = 1, [0x16] = 1, [0x17] = 1, [0x18] = 1, [0x19] = 1, [0x1A] = 1,
	[0x1B] = 1, [0x1C] = 1, [0x1D] = 1, [0x1E] = 1, [0x1F] = 1,
	[']'] = 1, [0xEF] = 1,
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
