/* escape.c - JSON and XML escaping, with a fast path for runs that need none. */
#include <string.h>

#include "escape.h"

int
escape_json(struct buf *out, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *u = (const unsigned char *)s;
	char esc[7];
	size_t i = 0, run;
	int r;

	r = buf_putc(out, '"');
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
	if (r == 0)
		r = buf_putc(out, '"');
	return r;
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
		while (run < len && u[run] != '&' && u[run] != '<' && u[run] != '>' && u[run] != '"' &&
		    u[run] != '\'' && (u[run] >= 0x20 || u[run] == '\t' || u[run] == '\n' || u[run] == '\r') &&
		    !(u[run] == 0xEF && run + 2 < len && u[run + 1] == 0xBF && u[run + 2] >= 0xBE))
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
		case 0xEF:
			i += 2;		/* U+FFFE or U+FFFF: not XML */
			/* fall through */
		default:
			rep = "";	/* a control character XML forbids */
		}
		r = buf_puts(out, rep);
		i++;
	}
	return r;
}
