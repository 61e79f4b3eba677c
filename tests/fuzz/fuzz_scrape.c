/* fuzz_scrape.c - the rules engine and autodiscovery on arbitrary pages: bounded, and nothing unsafe out. */
#define _GNU_SOURCE	/* strcasestr() */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "item.h"
#include "scrape.h"

#define BASE	"https://example.org/news/"

/* Rules a listing page would have: elements, attributes, strings, unions, every field. */
static const struct scrape_rules rules = {
	.item = "//article | //li[a] | //div[@class='card']",
	.title = ".//h2 | .//a[1]",
	.link = ".//a/@href",
	.date = ".//time",
	.summary = "normalize-space(.//p[1])",
	.content = ".//div | .//p",
	.image = ".//img",
	.author = ".//*[@rel='author']",
};

static bool
is_http(const char *u)
{
	return strncmp(u, "http://", 7) == 0 || strncmp(u, "https://", 8) == 0;
}

/*
 * A javascript: URL in an attribute that holds URLs: the value starts with it, or a srcset
 * candidate does (fuzz_sanitize checks every scheme whole). Elsewhere the word is text: in a
 * datetime or title, or in the path of a resolved link.
 */
static bool
has_js_url(const char *html)
{
	static const char *const attr[] = { " href=\"", " src=\"", " cite=\"", " poster=\"", " srcset=\"" };
	const char *p, *v, *end, *js;
	size_t i;

	for (i = 0; i < sizeof(attr) / sizeof(attr[0]); i++)
		for (p = html; (p = strcasestr(p, attr[i])) != NULL; p = end) {
			v = p + strlen(attr[i]);
			if ((end = strchr(v, '"')) == NULL)
				end = v + strlen(v);
			if (strncasecmp(v, "javascript:", 11) == 0)
				return true;
			if (i == 4 && (js = strcasestr(v, ", javascript:")) != NULL && js < end)
				return true;
		}
	return false;
}

static int
on_feed(void *ctx, const struct scrape_feed *f)
{
	(void)ctx;
	if (!is_http(f->url))
		abort();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct parse_opts o = { .base_url = BASE, .charset = NULL, .now = 1798761600 };
	struct scrape_error err;
	struct item_list items;
	const struct item *it;
	struct feed f;
	size_t i;
	int r;

	feed_init(&f);
	item_list_init(&items);
	r = scrape_page((const char *)data, size, &rules, &o, &f, &items, &err);
	if (r == -EBADMSG && (err.rule == NULL || err.msg[0] == '\0'))
		abort();	/* a rule that matches nothing is always named */
	if (r != 0 && items.len != 0)
		abort();
	if (items.len > SCRAPE_MAX_ITEMS)
		abort();
	for (i = 0; i < items.len; i++) {
		it = &items.items[i];
		if (it->id == NULL || (it->url != NULL && !is_http(it->url)))
			abort();
		if (it->content_html != NULL && (strcasestr(it->content_html, "<script") != NULL ||
		    has_js_url(it->content_html)))
			abort();
	}
	item_list_release(&items);
	feed_release(&f);
	r = scrape_discover((const char *)data, size, &o, on_feed, NULL);
	if (r < 0 && r != -ENOMEM)
		abort();
	return 0;
}
