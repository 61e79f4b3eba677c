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
		    strcasestr(it->content_html, "=\"javascript:") != NULL))
			abort();
	}
	item_list_release(&items);
	feed_release(&f);
	r = scrape_discover((const char *)data, size, &o, on_feed, NULL);
	if (r < 0 && r != -ENOMEM)
		abort();
	return 0;
}
