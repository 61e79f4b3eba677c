/* parse.c - sniffs a document's format and encoding and streams it to the XML or JSON parser. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "charset.h"
#include "limits.h"
#include "parse_impl.h"
#include "sanitize.h"
#include "url.h"

#define SNIFF_BYTES	4096		/* kept before choosing the format and the encoding */
#define PUSH_SLICE	(64u << 10)	/* XML is decoded and parsed this much at a time */

int
parser_fail(struct feed_parser *p, int err, int line, int column, const char *fmt, ...)
{
	va_list ap;

	if (p->error != 0)
		return p->error;
	p->error = err;
	p->state = P_FAILED;
	p->err.line = line;
	p->err.column = column;
	va_start(ap, fmt);
	(void)vsnprintf(p->err.msg, sizeof(p->err.msg), fmt, ap);
	va_end(ap);
	return err;
}

int
feed_parser_open(struct feed_parser **ret, const struct parse_opts *o, struct feed *f,
    struct arena *item_arena, parse_item_fn fn, void *ctx)
{
	struct feed_parser *p;

	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return -ENOMEM;
	p->opts = *o;
	if (o->base_url != NULL && (p->base_url = strdup(o->base_url)) == NULL)
		goto nomem;
	if (o->charset != NULL && (p->charset = strdup(o->charset)) == NULL)
		goto nomem;
	p->opts.base_url = p->base_url;
	p->opts.charset = p->charset;
	p->feed = f;
	p->items = item_arena;
	p->fn = fn;
	p->ctx = ctx;
	if (sanitizer_open(&p->san) < 0)
		goto nomem;
	p->state = P_SNIFF;
	buf_init(&p->head, PARSE_MAX_DOC);
	buf_init(&p->utf8, PARSE_MAX_DOC);
	item_draft_init(&p->draft);
	*ret = p;
	return 0;
nomem:
	free(p->base_url);
	free(p->charset);
	free(p);
	return -ENOMEM;
}

void
feed_parser_close(struct feed_parser *p)
{
	if (p == NULL)
		return;
	xml_close(p);
	charset_decoder_close(p->dec);
	buf_release(&p->head);
	buf_release(&p->utf8);
	item_draft_release(&p->draft);
	sanitizer_close(p->san);
	free(p->base_url);
	free(p->charset);
	free(p);
}

/*
 * Decodes a chunk of an XML document and hands it to libxml2, in slices: a whole document pushed
 * at once is never held three times over (raw, decoded, mended).
 */
static int
push_xml(struct feed_parser *p, const char *data, size_t len, bool last)
{
	bool repaired = false;
	size_t n;
	int r;

	do {
		n = len < PUSH_SLICE ? len : PUSH_SLICE;
		r = charset_decode(p->dec, data, n, last && n == len, &p->utf8, &repaired);
		if (r < 0)
			return parser_fail(p, r, 0, 0, "cannot decode the document as %s",
			    charset_decoder_name(p->dec));
		if (repaired)
			p->feed->recovered = true;
		r = xml_push(p, last && n == len);
		if (r < 0)
			return r;
		data += n;
		len -= n;
	} while (len > 0);
	return 0;
}

/* Looks at the first bytes: JSON when the first character is '{', XML otherwise. */
static int
start(struct feed_parser *p, bool last)
{
	const unsigned char *s = (const unsigned char *)buf_str(&p->head);
	size_t i = 0, n = p->head.len;
	bool fallback = false;
	int r;

	if (n >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF)
		i = 3;
	while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
		i++;
	if (i == n && last)
		return parser_fail(p, -EBADMSG, 1, 1, "empty document");
	if (i == n)
		return 0;	/* nothing but white space so far: keep collecting */
	if (i < n && s[i] == '{') {
		p->state = P_JSON;
		return 0;	/* jansson reads whole documents: keep collecting */
	}
	/* The same head whatever the chunking, so the same document decodes the same way. */
	r = charset_decoder_open((const char *)s, n < SNIFF_BYTES ? n : SNIFF_BYTES, p->opts.charset, true,
	    &p->dec, &fallback);
	if (r < 0)
		return parser_fail(p, r, 0, 0, "out of memory");
	if (fallback)
		p->feed->recovered = true;
	r = xml_open(p);
	if (r < 0)
		return parser_fail(p, r, 0, 0, "out of memory");
	p->state = P_XML;
	r = push_xml(p, (const char *)s, n, last);
	buf_release(&p->head);
	return r;
}

int
feed_parser_push(struct feed_parser *p, const char *data, size_t len, struct parse_error *reterr)
{
	int r = 0;

	if (p->state == P_FAILED)
		goto out;
	if (len > PARSE_MAX_DOC - p->total) {
		r = parser_fail(p, -E2BIG, 0, 0, "document larger than %u bytes", PARSE_MAX_DOC);
		goto out;
	}
	p->total += len;
	switch (p->state) {
	case P_SNIFF:
	case P_JSON:
		r = buf_append(&p->head, data, len);
		if (r < 0) {
			r = parser_fail(p, r, 0, 0, "out of memory");
			break;
		}
		if (p->state == P_SNIFF && p->head.len >= SNIFF_BYTES)
			r = start(p, false);
		break;
	case P_XML:
		r = push_xml(p, data, len, false);
		break;
	default:
		break;
	}
out:
	if (p->state == P_FAILED) {
		r = p->error;
		if (reterr != NULL)
			*reterr = p->err;
	}
	return r;
}

int
feed_parser_finish(struct feed_parser *p, struct parse_error *reterr)
{
	int r = 0;

	if (p->state == P_SNIFF)
		r = start(p, true);	/* a short document: start() pushes all of it, as the last chunk */
	else if (p->state == P_XML)
		r = push_xml(p, "", 0, true);
	if (r == 0 && p->state == P_JSON)
		r = json_parse(p, buf_str(&p->head), p->head.len);
	if (p->state == P_FAILED) {
		r = p->error;
		if (reterr != NULL)
			*reterr = p->err;
	} else {
		p->state = P_DONE;
	}
	return r;
}

int
parser_emit(struct feed_parser *p)
{
	struct normalize_ctx c;
	struct item it;
	int r;

	if (p->n_items >= PARSE_MAX_ITEMS) {
		p->feed->items_dropped++;
		item_draft_reset(&p->draft);
		return 0;
	}
	c.feed_base = parser_base(p, NULL);
	c.feed_language = p->feed->language;
	c.now = p->opts.now;
	c.san = p->san;
	r = normalize_item(&p->draft, &c, p->items, &it);
	item_draft_reset(&p->draft);
	if (r < 0)
		return parser_fail(p, r, 0, 0, "out of memory");
	p->n_items++;
	r = p->fn(p->ctx, p->feed, &it);
	if (r < 0)
		return parser_fail(p, r, 0, 0, "cannot take item %zu", p->n_items);
	return 0;
}

const char *
parser_base(const struct feed_parser *p, const char *base)
{
	if (base != NULL && *base != '\0')
		return base;
	return p->opts.base_url != NULL ? p->opts.base_url : p->feed->home_page_url;
}

int
parser_feed_text(struct feed_parser *p, const char **field, const char *s, size_t len, enum text_type type)
{
	int r;

	if (*field != NULL)
		return 0;
	r = normalize_text(s, len, type, ITEM_MAX_FIELD, &p->feed->arena, field);
	return r < 0 ? parser_fail(p, r, 0, 0, "out of memory") : 0;
}

int
parser_feed_language(struct feed_parser *p, const char *s, size_t len)
{
	int r;

	if (p->feed->language != NULL)
		return 0;
	r = normalize_language(s, len, &p->feed->arena, &p->feed->language);
	return r < 0 ? parser_fail(p, r, 0, 0, "out of memory") : 0;
}

int
parser_feed_url(struct feed_parser *p, const char **field, const char *base, const char *s, size_t len)
{
	int r;

	if (*field != NULL)
		return 0;
	r = normalize_url(parser_base(p, base), s, len, URL_LINK, &p->feed->arena, field);
	return r < 0 ? parser_fail(p, r, 0, 0, "out of memory") : 0;
}

/* The collecting form: every item copied into a list whose arena holds the strings. */
static int
collect(void *ctx, const struct feed *f, const struct item *it)
{
	(void)f;
	return item_list_add(ctx, it);
}

int
parse_feed(const char *data, size_t len, const struct parse_opts *o, struct feed *f,
    struct item_list *out, struct parse_error *reterr)
{
	struct feed_parser *p = NULL;
	struct item_list tmp;
	int r;

	item_list_init(&tmp);
	if (out->len != 0)
		return -EINVAL;
	r = feed_parser_open(&p, o, f, &tmp.arena, collect, &tmp);
	if (r < 0)
		goto out;
	r = feed_parser_push(p, data, len, reterr);
	if (r < 0)
		goto out;
	r = feed_parser_finish(p, reterr);
	if (r < 0)
		goto out;
	item_list_move(out, &tmp);
out:
	feed_parser_close(p);
	item_list_release(&tmp);
	if (r < 0)
		feed_release(f);
	return r;
}

/* ---- pages ---- */

/* Whether s (n bytes) starts with the ASCII word w, in any case. */
static bool
starts_ci(const char *s, size_t n, const char *w)
{
	size_t k = strlen(w);

	return n >= k && strncasecmp(s, w, k) == 0;
}

/* Where the first "end" at or after s[i] ends, or n when there is none. */
static size_t
past(const char *s, size_t n, size_t i, const char *end)
{
	size_t k = strlen(end);

	for (; i + k <= n; i++)
		if (memcmp(s + i, end, k) == 0)
			return i + k;
	return n;
}

bool
parse_is_page(const char *s, size_t n, const char *content_type)
{
	const char *ct = content_type != NULL ? content_type : "";
	bool html;
	size_t i = 0, k;

	while (*ct == ' ' || *ct == '\t')
		ct++;
	html = starts_ci(ct, strlen(ct), "text/html") || starts_ci(ct, strlen(ct), "application/xhtml+xml");
	if (n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	for (;;) {
		while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
			i++;
		if (i >= n || s[i] != '<')
			return false;
		if (starts_ci(s + i, n - i, "<?"))
			i = past(s, n, i + 2, "?>");
		else if (starts_ci(s + i, n - i, "<!--"))
			i = past(s, n, i + 4, "-->");
		else
			break;
	}
	if (starts_ci(s + i, n - i, "<!doctype")) {
		for (i += 9; i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'); i++)
			;
		return starts_ci(s + i, n - i, "html") && (i + 4 == n || strchr(" \t\r\n>[", s[i + 4]) != NULL);
	}
	for (k = i + 1; k < n && strchr(" \t\r\n/>", s[k]) == NULL; k++)
		;
	k -= i + 1;
	i++;
	if (k == 4 && strncasecmp(s + i, "html", 4) == 0)
		return true;
	if ((k == 3 && strncasecmp(s + i, "rss", 3) == 0) || (k == 4 && strncasecmp(s + i, "feed", 4) == 0) ||
	    (k == 7 && strncasecmp(s + i, "channel", 7) == 0) ||
	    memchr(s + i, ':', k) != NULL)
		return false;	/* a feed's root, or a prefixed (namespaced) one */
	return html;
}
