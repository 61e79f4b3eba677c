/* fuzz_sanitize.c - the sanitizer on arbitrary bytes: its output must obey the allowlist, be a fixed point, and be the same by both paths. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "sanitize.h"
#include "url.h"

#define OUT_MAX		(64u << 20)
#define NEST_MAX	4096	/* deeper than the sanitizer ever nests */
#define BASE		"https://example.org/dir/page.html"

/* Each element the output may hold, with the attributes it may carry (space-separated). */
static const struct {
	const char	*name;
	bool		 is_void;
	const char	*attrs;
} allowed[] = {
	{ "a", false, " href title rel " }, { "abbr", false, " title " },
	{ "audio", false, " src controls " }, { "b", false, " " },
	{ "blockquote", false, " cite " }, { "br", true, " " }, { "caption", false, " " },
	{ "cite", false, " " }, { "code", false, " " }, { "dd", false, " " },
	{ "del", false, " " }, { "dfn", false, " " }, { "dl", false, " " }, { "dt", false, " " },
	{ "em", false, " " }, { "figcaption", false, " " }, { "figure", false, " " },
	{ "h1", false, " " }, { "h2", false, " " }, { "h3", false, " " }, { "h4", false, " " },
	{ "h5", false, " " }, { "h6", false, " " }, { "hr", true, " " }, { "i", false, " " },
	{ "iframe", false, " src title width height sandbox referrerpolicy loading " },
	{ "img", true, " src srcset alt title width height " }, { "ins", false, " " },
	{ "kbd", false, " " }, { "li", false, " " }, { "ol", false, " " }, { "p", false, " " },
	{ "picture", false, " " }, { "pre", false, " " }, { "q", false, " cite " },
	{ "s", false, " " }, { "samp", false, " " }, { "small", false, " " },
	{ "source", true, " src srcset type media " }, { "strong", false, " " },
	{ "sub", false, " " }, { "sup", false, " " }, { "table", false, " " },
	{ "tbody", false, " " }, { "td", false, " colspan rowspan " }, { "tfoot", false, " " },
	{ "th", false, " colspan rowspan " }, { "thead", false, " " },
	{ "time", false, " datetime " }, { "tr", false, " " }, { "u", false, " " },
	{ "ul", false, " " }, { "var", false, " " },
	{ "video", false, " src poster width height controls " }, { "wbr", true, " " },
};

static const char *const video_hosts[] = {
	"https://www.youtube.com/", "https://youtube.com/", "https://www.youtube-nocookie.com/",
	"https://player.vimeo.com/", "https://www.dailymotion.com/",
};

static void
fail(const char *why, const char *out, size_t at)
{
	fprintf(stderr, "fuzz_sanitize: %s at byte %zu of:\n%s\n", why, at, out);
	abort();
}

static int
find_allowed(const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
		if (strlen(allowed[i].name) == n && memcmp(allowed[i].name, name, n) == 0)
			return (int)i;
	return -1;
}

static bool
is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* The escaped value must decode to something a URL check accepts; returns it decoded (malloc). */
static char *
unescape(const char *p, size_t n)
{
	/* The five, and U+0338 where NFC would compose it with a '<', '=' or '>' before it. */
	static const struct {
		const char	*ent;
		const char	*c;
	} ents[] = { { "&amp;", "&" }, { "&lt;", "<" }, { "&gt;", ">" }, { "&quot;", "\"" },
		{ "&#39;", "'" }, { "&#x338;", "\xcc\xb8" } };
	char *s = malloc(n + 1), *o = s;
	size_t i, k;

	if (s == NULL)
		abort();
	for (i = 0; i < n;) {
		if (p[i] != '&') {
			*o++ = p[i++];
			continue;
		}
		for (k = 0; k < sizeof(ents) / sizeof(ents[0]); k++) {
			size_t l = strlen(ents[k].ent);

			if (n - i >= l && memcmp(p + i, ents[k].ent, l) == 0) {
				memcpy(o, ents[k].c, strlen(ents[k].c));
				o += strlen(ents[k].c);
				i += l;
				break;
			}
		}
		if (k == sizeof(ents) / sizeof(ents[0]))
			return free(s), NULL;
	}
	*o = '\0';
	return s;
}

/* Text and attribute values: no raw markup characters, & only in our references (unescape). */
static void
check_text(const char *out, size_t from, size_t to)
{
	char *s;
	size_t i;

	for (i = from; i < to; i++)
		if (out[i] == '"' || out[i] == '\'' || out[i] == '>' || out[i] == '\0' ||
		    ((unsigned char)out[i] < 0x20 && out[i] != '\t' && out[i] != '\n'))
			fail("raw character in text", out, i);
	s = unescape(out + from, to - from);
	if (s == NULL)
		fail("stray &", out, from);
	free(s);
}

static void
check_url(const char *el, const char *attr, const char *v, const char *out, size_t at)
{
	size_t i;

	if (strcmp(attr, "href") == 0 || strcmp(attr, "cite") == 0) {
		if (!url_scheme_allowed(v, URL_LINK))
			fail("link scheme", out, at);
	} else if (strcmp(el, "iframe") == 0) {
		for (i = 0; i < sizeof(video_hosts) / sizeof(video_hosts[0]); i++)
			if (strncasecmp(v, video_hosts[i], strlen(video_hosts[i])) == 0)
				break;
		if (i == sizeof(video_hosts) / sizeof(video_hosts[0]))
			fail("iframe host", out, at);
	} else if (!url_scheme_allowed(v, URL_MEDIA)) {
		fail("media scheme", out, at);
	}
}

/*
 * A srcset as the sanitizer writes it: candidates joined by ", ", each a URL of an allowed scheme
 * (URLs with white space are never written), then an optional descriptor after one space.
 */
static void
check_srcset(const char *v, const char *out, size_t at)
{
	char *copy = strdup(v), *cand, *next, *sp;

	if (copy == NULL)
		abort();
	for (cand = copy; cand != NULL; cand = next) {
		next = strstr(cand, ", ");
		if (next != NULL) {
			*next = '\0';
			next += 2;
		}
		sp = strchr(cand, ' ');
		if (sp != NULL) {
			*sp++ = '\0';
			if (*sp == '\0' || strchr(sp, ' ') != NULL || strchr(sp, ',') != NULL)
				fail("srcset descriptor", out, at);
		}
		if (!url_scheme_allowed(cand, URL_MEDIA))
			fail("srcset scheme", out, at);
	}
	free(copy);
}

/*
 * Reads the output as a strict grammar: text, <name attr="value"...> and </name>, every element
 * in the allowlist with only its attributes, URLs of allowed schemes, balanced.
 */
static void
check_output(const char *out, size_t len)
{
	static int stack[NEST_MAX];
	size_t n = 0, i = 0, t;

	while (i < len) {
		int el;
		bool end;

		for (t = i; i < len && out[i] != '<'; i++)
			;
		check_text(out, t, i);
		if (i == len)
			break;
		t = ++i;
		end = i < len && out[i] == '/';
		if (end)
			t = ++i;
		while (i < len && is_name_char(out[i]))
			i++;
		el = find_allowed(out + t, i - t);
		if (el < 0)
			fail("element not allowed", out, t);
		if (end) {
			if (i >= len || out[i] != '>')
				fail("end tag", out, i);
			if (n == 0 || stack[n - 1] != el)
				fail("unbalanced end tag", out, t);
			n--;
			i++;
			continue;
		}
		while (i < len && out[i] == ' ') {
			char attr[32], *v;
			size_t a = ++i, vs;

			while (i < len && is_name_char(out[i]))
				i++;
			if (i - a == 0 || i - a >= sizeof(attr))
				fail("attribute name", out, a);
			memcpy(attr, out + a, i - a);
			attr[i - a] = '\0';
			if (attr[0] == 'o' && attr[1] == 'n')
				fail("event handler", out, a);
			{
				char key[36];

				snprintf(key, sizeof(key), " %s ", attr);
				if (strstr(allowed[el].attrs, key) == NULL)
					fail("attribute not allowed", out, a);
			}
			if (i + 1 >= len || out[i] != '=' || out[i + 1] != '"')
				fail("unquoted attribute", out, i);
			i += 2;
			vs = i;
			while (i < len && out[i] != '"')
				i++;
			if (i == len)
				fail("unterminated value", out, vs);
			for (t = vs; t < i; t++)
				if (out[t] == '<' || out[t] == '>' || out[t] == '\'' ||
				    ((unsigned char)out[t] < 0x20 && out[t] != '\t' && out[t] != '\n'))
					fail("raw character in value", out, t);
			v = unescape(out + vs, i - vs);
			if (v == NULL)
				fail("stray & in value", out, vs);
			if (strcmp(attr, "href") == 0 || strcmp(attr, "src") == 0 ||
			    strcmp(attr, "cite") == 0 || strcmp(attr, "poster") == 0)
				check_url(allowed[el].name, attr, v, out, vs);
			else if (strcmp(attr, "srcset") == 0)
				check_srcset(v, out, vs);
			free(v);
			i++;
		}
		if (i >= len || out[i] != '>')
			fail("start tag", out, i);
		i++;
		if (!allowed[el].is_void) {
			if (n == NEST_MAX)
				fail("nesting", out, i);
			stack[n++] = el;
		}
	}
	if (n != 0)
		fail("unclosed element", out, len);
}

static bool
utf8_valid(const unsigned char *p, size_t n)
{
	size_t i = 0, k, l;

	while (i < n) {
		unsigned c = p[i];
		unsigned cp;

		if (c < 0x80) {
			i++;
			continue;
		}
		l = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
		if (l == 0 || c > 0xF4 || n - i < l)
			return false;
		cp = c & (0x3F >> (l - 1));
		for (k = 1; k < l; k++) {
			if ((p[i + k] & 0xC0) != 0x80)
				return false;
			cp = cp << 6 | (p[i + k] & 0x3F);
		}
		if ((l == 3 && (cp < 0x800 || (cp >= 0xD800 && cp < 0xE000))) ||
		    (l == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
			return false;
		i += l;
	}
	return true;
}

/*
 * The fast path (well-formed markup read without libxml2) must give the bytes libxml2's reading
 * gives, got; whether or not it takes the input.
 */
static void
same_both_ways(const char *in, size_t n, const char *base, const struct buf *got)
{
	struct sanitizer *z;
	struct buf slow;

	buf_init(&slow, OUT_MAX);
	if (sanitizer_open(&z) != 0)
		abort();
	sanitizer_set_slow(z, true);
	if (sanitizer_run(z, in, n, base, &slow) != 0)
		abort();
	if (slow.len != got->len || (slow.len > 0 && memcmp(slow.data, got->data, slow.len) != 0)) {
		fprintf(stderr, "fuzz_sanitize: the fast path differs\nfast: %.*s\nslow: %s\n",
		    (int)got->len, got->data, buf_str(&slow));
		abort();
	}
	sanitizer_close(z);
	buf_release(&slow);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf a, b;
	const char *base = BASE;

	/* The first byte picks the base: relative URLs must also go when there is none. */
	if (size > 0 && data[0] == 'N')
		base = NULL;
	buf_init(&a, OUT_MAX);
	buf_init(&b, OUT_MAX);
	if (sanitize_html((const char *)data, size, base, &a) != 0)
		abort();
	same_both_ways((const char *)data, size, base, &a);
	if (!utf8_valid((const unsigned char *)buf_str(&a), a.len))
		fail("invalid UTF-8", buf_str(&a), 0);
	check_output(buf_str(&a), a.len);
	if (sanitize_html(buf_str(&a), a.len, base, &b) != 0)
		abort();
	same_both_ways(buf_str(&a), a.len, base, &b);
	if (a.len != b.len || memcmp(buf_str(&a), buf_str(&b), a.len) != 0) {
		fprintf(stderr, "fuzz_sanitize: not idempotent\nonce:  %s\ntwice: %s\n",
		    buf_str(&a), buf_str(&b));
		abort();
	}
	buf_release(&a);
	buf_release(&b);
	return 0;
}
