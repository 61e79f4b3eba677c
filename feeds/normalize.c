/* normalize.c - a draft item made clean: plain-text titles, sanitized HTML, absolute URLs, sane dates, a stable id. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "escape.h"
#include "limits.h"
#include "normalize.h"
#include "sanitize.h"
#include "text.h"

#define FUTURE_SLACK	86400	/* a date this far past now is a publisher's clock lying */

static void
draft_text_init(struct draft_text *t)
{
	buf_init(&t->raw, ITEM_MAX_FIELD);
	buf_init(&t->base, ITEM_MAX_SHORT);
	t->type = TEXT_PLAIN;
	t->set = false;
}

void
draft_text_reset(struct draft_text *t)
{
	buf_clear(&t->raw);
	buf_clear(&t->base);
	t->type = TEXT_PLAIN;
	t->set = false;
}

/* The draft's text fields, so that init, reset and release treat every one of them. */
static struct draft_text *
draft_field(struct item_draft *d, int i)
{
	struct draft_text *all[] = {
		&d->id, &d->link, &d->orig_link, &d->external_url, &d->title, &d->content, &d->description,
		&d->alt_summary, &d->image, &d->language, &d->source_name, &d->source_url,
	};

	return i < (int)(sizeof(all) / sizeof(all[0])) ? all[i] : NULL;
}

void
item_draft_init(struct item_draft *d)
{
	struct draft_text *t;
	int i;

	for (i = 0; (t = draft_field(d, i)) != NULL; i++)
		draft_text_init(t);
	d->guid_is_link = false;
	d->duration = -1;
	item_init(&d->item);
}

void
item_draft_reset(struct item_draft *d)
{
	struct draft_text *t;
	int i;

	for (i = 0; (t = draft_field(d, i)) != NULL; i++)
		draft_text_reset(t);
	d->guid_is_link = false;
	d->duration = -1;
	item_init(&d->item);
}

void
item_draft_release(struct item_draft *d)
{
	struct draft_text *t;
	int i;

	for (i = 0; (t = draft_field(d, i)) != NULL; i++) {
		buf_release(&t->raw);
		buf_release(&t->base);
	}
}

void
draft_text_append(struct draft_text *t, const char *s, size_t len)
{
	size_t room;

	if (buf_append(&t->raw, s, len) != -E2BIG)
		return;
	/* Over the limit: keep what fits, cut at a character boundary (never inside a UTF-8 sequence). */
	room = t->raw.max - t->raw.len;
	while (room > 0 && room < len && ((unsigned char)s[room] & 0xC0) == 0x80)
		room--;
	(void)buf_append(&t->raw, s, room);
}

void
draft_text_begin(struct draft_text *t, enum text_type type, const char *base)
{
	t->set = true;
	t->type = type;
	buf_clear(&t->base);
	if (base != NULL)
		(void)buf_puts(&t->base, base);
}

/* Copies the buffer into the arena; an empty result is NULL (the model has no empty strings). */
static int
take(struct buf *b, struct arena *a, const char **ret)
{
	if (b->len == 0) {
		*ret = NULL;
		return 0;
	}
	*ret = arena_strndup(a, b->data, b->len);
	return *ret != NULL ? 0 : -ENOMEM;
}

int
normalize_text(const char *s, size_t len, enum text_type type, size_t max, struct arena *a, const char **ret)
{
	struct buf b;
	int r;

	buf_init(&b, max);
	if (type == TEXT_PLAIN)
		r = text_clean(s, len, &b);
	else
		r = text_from_html(s, len, &b);
	if (r == 0)
		r = take(&b, a, ret);
	buf_release(&b);
	return r;
}

int
normalize_add_tag(struct tag **list, struct arena *a, const char *s, size_t len)
{
	struct tag *t, **tail;
	const char *term = NULL;
	size_t count = 0;
	int r;

	for (tail = list; *tail != NULL; tail = &(*tail)->next)
		count++;
	if (count >= PARSE_MAX_TAGS)
		return 0;	/* checked first: a million <category> elements allocate nothing */
	r = normalize_text(s, len, TEXT_PLAIN, ITEM_MAX_SHORT, a, &term);
	if (r < 0 || term == NULL)
		return r;
	for (t = *list; t != NULL; t = t->next)
		if (strcmp(t->term, term) == 0)
			return 0;
	t = arena_zalloc(a, sizeof(*t));
	if (t == NULL)
		return -ENOMEM;
	t->term = term;
	*tail = t;
	return 0;
}

int
normalize_language(const char *s, size_t len, struct arena *a, const char **ret)
{
	char *p;
	int r;

	r = normalize_text(s, len, TEXT_PLAIN, 64, a, ret);
	if (r < 0 || *ret == NULL)
		return r;
	/* "en_US" is how locales are named; languages are "en-US" (BCP 47). */
	for (p = (char *)*ret; *p != '\0'; p++)
		if (*p == '_')
			*p = '-';
	return 0;
}

int
normalize_url(const char *base, const char *s, size_t len, enum url_use use, struct arena *a, const char **ret)
{
	struct buf b;
	int r;

	*ret = NULL;
	buf_init(&b, ITEM_MAX_SHORT);
	r = url_resolve(base, s, len, &b);
	if (r == 0 && url_scheme_allowed(buf_str(&b), use))
		r = take(&b, a, ret);
	else if (r != -ENOMEM)
		r = 0;		/* an unusable URL is absent, not an error */
	buf_release(&b);
	return r;
}

/* Plain text shown as HTML: escaped, never sanitized (nothing in it can be markup). */
static int
text_as_html(const char *s, size_t len, struct buf *out)
{
	struct buf plain;
	int r;

	buf_init(&plain, out->max);
	r = text_clean(s, len, &plain);
	if (r == 0)
		r = escape_xml(out, buf_str(&plain), plain.len);
	buf_release(&plain);
	return r;
}

static bool
is_space(char c)
{
	return c == ' ' || c == '\n' || c == '\t' || c == '\r';
}

/* The first len bytes of a content field as HTML: escaped if it is text, else sanitized. */
static int
render(const struct draft_text *t, size_t len, const char *base, struct sanitizer *san, struct buf *out)
{
	if (t->type == TEXT_PLAIN)
		return text_as_html(t->raw.data, len, out);
	if (san != NULL)
		return sanitizer_run(san, t->raw.data, len, base, out);
	return sanitize_html(t->raw.data, len, base, out);
}

static int
content_html(const struct draft_text *t, const char *base, struct sanitizer *san, struct arena *a,
    const char **ret)
{
	size_t n = t->raw.len, i, end;
	struct buf b;
	int r;

	buf_init(&b, ITEM_MAX_FIELD);
	r = render(t, n, base, san, &b);
	while (r == -E2BIG && n > 1) {
		/*
		 * Markup that grows past the limit when re-serialized (escaping can make it six times
		 * longer): the longest prefix that fits, cut at a character boundary.
		 */
		buf_clear(&b);
		for (n /= 2; n > 0 && ((unsigned char)t->raw.data[n] & 0xC0) == 0x80; n--)
			;
		r = render(t, n, base, san, &b);
	}
	if (r == -E2BIG) {
		buf_clear(&b);
		r = 0;
	}
	/* White space around the markup is the feed's indentation; markup with nothing in it is none. */
	for (i = 0, end = b.len; i < end && is_space(b.data[i]); i++)
		;
	while (end > i && is_space(b.data[end - 1]))
		end--;
	*ret = NULL;
	if (r == 0 && end > i && (*ret = arena_strndup(a, b.data + i, end - i)) == NULL)
		r = -ENOMEM;
	buf_release(&b);
	return r;
}

/* The base a field was written under, else the next best one. */
static const char *
base_of(const struct draft_text *t, const char *fallback)
{
	return t->base.len > 0 ? t->base.data : fallback;
}

static const char *
either(const char *a, const char *b)
{
	return a != NULL ? a : b;
}

/* The source an item names (RSS <source url="...">name</source>); none when neither part is usable. */
static int
source(const struct item_draft *d, const struct normalize_ctx *c, struct arena *a, struct source **ret)
{
	struct source *s;
	int r;

	s = arena_zalloc(a, sizeof(*s));
	if (s == NULL)
		return -ENOMEM;
	r = normalize_text(buf_str(&d->source_name.raw), d->source_name.raw.len, d->source_name.type, ITEM_MAX_SHORT,
	    a, &s->name);
	if (r == 0 && d->source_url.raw.len > 0)
		r = normalize_url(base_of(&d->source_url, c->feed_base), d->source_url.raw.data, d->source_url.raw.len,
		    URL_LINK, a, &s->feed_url);
	if (r == 0 && (s->name != NULL || s->feed_url != NULL))
		*ret = s;
	return r;
}

int
normalize_item(const struct item_draft *d, const struct normalize_ctx *c, struct arena *a, struct item *ret)
{
	const struct draft_text *body = NULL, *desc = NULL;
	struct item it = d->item;
	const char *base;
	char hash[40];
	uint64_t h;
	int r;

	it.guid_is_link = d->guid_is_link;
	r = normalize_text(buf_str(&d->title.raw), d->title.raw.len, d->title.type, ITEM_MAX_SHORT, a, &it.title);
	if (r == 0 && d->orig_link.raw.len > 0)
		r = normalize_url(base_of(&d->orig_link, c->feed_base), d->orig_link.raw.data, d->orig_link.raw.len,
		    URL_LINK, a, &it.url);
	if (r == 0 && it.url == NULL && d->link.raw.len > 0)
		r = normalize_url(base_of(&d->link, c->feed_base), d->link.raw.data, d->link.raw.len, URL_LINK, a,
		    &it.url);
	if (r == 0 && it.url != NULL && d->orig_link.raw.len > 0 && d->link.raw.len > 0)
		r = normalize_url(base_of(&d->link, c->feed_base), d->link.raw.data, d->link.raw.len, URL_LINK, a,
		    &it.external_url);
	if (r == 0 && it.external_url == NULL && d->external_url.raw.len > 0)
		r = normalize_url(base_of(&d->external_url, c->feed_base), d->external_url.raw.data,
		    d->external_url.raw.len, URL_LINK, a, &it.external_url);
	if (it.external_url != NULL && it.url != NULL && strcmp(it.external_url, it.url) == 0)
		it.external_url = NULL;
	if (r == 0 && d->id.raw.len > 0)
		r = normalize_text(d->id.raw.data, d->id.raw.len, TEXT_PLAIN, ITEM_MAX_SHORT, a, &it.id);
	if (r == 0 && it.url == NULL && it.id != NULL && d->guid_is_link &&
	    (strncmp(it.id, "http://", 7) == 0 || strncmp(it.id, "https://", 8) == 0))
		r = normalize_url(NULL, it.id, strlen(it.id), URL_LINK, a, &it.url);
	if (r < 0)
		return r;

	/* Content: the full body if there is one, else the description; the summary only beside a body. */
	if (d->content.raw.len > 0)
		body = &d->content;
	if (d->description.raw.len > 0) {
		if (body == NULL)
			body = &d->description;
		else
			desc = &d->description;
	}
	if (body != NULL) {
		base = base_of(body, either(it.url, c->feed_base));
		r = content_html(body, base, c->san, a, &it.content_html);
	}
	if (r == 0 && desc != NULL)
		r = normalize_text(desc->raw.data, desc->raw.len, desc->type, ITEM_MAX_FIELD, a, &it.summary);
	if (r == 0 && it.summary == NULL && body == NULL && d->alt_summary.raw.len > 0)
		r = normalize_text(d->alt_summary.raw.data, d->alt_summary.raw.len, d->alt_summary.type,
		    ITEM_MAX_FIELD, a, &it.summary);
	if (r == 0 && d->image.raw.len > 0)
		r = normalize_url(base_of(&d->image, either(it.url, c->feed_base)), d->image.raw.data, d->image.raw.len,
		    URL_MEDIA, a, &it.image);
	if (r == 0 && d->language.raw.len > 0)
		r = normalize_language(buf_str(&d->language.raw), d->language.raw.len, a, &it.language);
	if (r == 0 && it.source == NULL && (d->source_name.raw.len > 0 || d->source_url.raw.len > 0))
		r = source(d, c, a, &it.source);
	if (r < 0)
		return r;
	if (it.language != NULL && c->feed_language != NULL && strcmp(it.language, c->feed_language) == 0)
		it.language = NULL;	/* said once, for the feed */

	if (d->duration >= 0 && it.attachments != NULL && it.attachments->duration < 0)
		it.attachments->duration = d->duration;
	if (it.date_published != DATE_NONE && it.date_published > c->now + FUTURE_SLACK)
		it.date_published = c->now;
	if (it.date_modified != DATE_NONE && it.date_modified > c->now + FUTURE_SLACK)
		it.date_modified = c->now;

	if (it.id == NULL)
		it.id = it.url;
	if (it.id == NULL) {
		/* No guid and no link: the id is a hash of what the item says, stable across polls. */
		h = item_hash(ITEM_HASH_INIT, it.title);
		h = item_hash(h, it.content_html);
		h = item_hash(h, it.summary);
		(void)snprintf(hash, sizeof(hash), "urn:wiredesk:%016" PRIx64, h);
		it.id = arena_strdup(a, hash);
		if (it.id == NULL)
			return -ENOMEM;
	}
	*ret = it;
	return 0;
}
