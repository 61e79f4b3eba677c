/* test_scrape.c - scrape_page() and scrape_discover() on saved pages (tests/data/html/) and hostile ones. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "buf.h"
#include "date.h"
#include "item.h"
#include "limits.h"
#include "scrape.h"

#include "test_pages.h"

#define NOW		1798761600	/* 2027-01-01: every date on the pages lies before it */
#define LISTING_BASE	"https://www.harbourcourier.example/news/latest/"
#define HOSTILE_SECONDS	10.0		/* a hostile page is read in less, even under ASan */

/* The rules of tests/data/html/news-listing.conf. */
static const struct scrape_rules listing_rules = {
	.item = "//section[@class=\"river\"]/article",
	.title = ".//h2/a | .//h2[not(a)]/text()",
	.link = ".//h2/a/@href",
	.date = ".//time",
	.summary = ".//p[@class=\"dek\"]",
	.image = ".//figure/img",
	.author = ".//p[@class=\"byline\"]/a",
};

/* One scraped page. */
struct page {
	struct feed		 feed;
	struct item_list	 items;
	struct scrape_error	 err;
	int			 rc;
	double			 seconds;
};

static double
seconds_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static void
scrape(struct page *p, const char *data, size_t len, const struct scrape_rules *rules, const char *base,
    const char *charset)
{
	struct parse_opts o = { .base_url = base, .charset = charset, .now = NOW };
	struct timespec t0;

	memset(p, 0, sizeof(*p));
	feed_init(&p->feed);
	item_list_init(&p->items);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	p->rc = scrape_page(data, len, rules, &o, &p->feed, &p->items, &p->err);
	p->seconds = seconds_since(&t0);
	if (getenv("SCRAPE_TIMES") != NULL)
		fprintf(stderr, "scrape: %zu bytes, %.3f s\n", len, p->seconds);
}

static void
scrape_file(struct page *p, const char *name, const struct scrape_rules *rules, const char *base)
{
	struct buf b;

	read_page(name, &b);
	scrape(p, buf_str(&b), b.len, rules, base, NULL);
	buf_release(&b);
}

static void
page_release(struct page *p)
{
	item_list_release(&p->items);
	feed_release(&p->feed);
}

static const struct item *
by_title(const struct page *p, const char *title)
{
	size_t i;

	for (i = 0; i < p->items.len; i++)
		if (p->items.items[i].title != NULL && strcmp(p->items.items[i].title, title) == 0)
			return &p->items.items[i];
	fail_msg("no item titled '%s'", title);
	return NULL;
}

static void
assert_date(int64_t t, const char *rfc3339)
{
	char s[DATE_RFC3339_LEN];

	if (rfc3339 == NULL) {
		assert_true(t == DATE_NONE);
		return;
	}
	assert_true(t != DATE_NONE);
	date_format_rfc3339(t, s);
	assert_string_equal(s, rfc3339);
}

static void
test_listing_items_fields_and_feed(void **state)
{
	const struct item *it;
	struct page p;

	(void)state;
	scrape_file(&p, "news-listing.html", &listing_rules, LISTING_BASE);
	assert_int_equal(p.rc, 0);
	/* 20 stories and a brief; the "most read" repeat of the first story is the same item. */
	assert_int_equal(p.items.len, 21);
	assert_string_equal(p.feed.title, "Latest news | The Harbour Courier");
	assert_string_equal(p.feed.language, "en-GB");
	assert_string_equal(p.feed.home_page_url, LISTING_BASE);
	assert_string_equal(p.feed.description, "Breaking news, analysis and opinion from the Harbour Courier.");
	assert_false(p.feed.recovered);

	it = &p.items.items[0];
	assert_string_equal(it->title, "Quake of magnitude 6.1 strikes off the northern coast");
	assert_string_equal(it->url,
	    "https://www.harbourcourier.example/world/2026/11/quake-of-magnitude-6-1-strikes-off-the-northern-");
	assert_string_equal(it->id, it->url);
	assert_string_equal(it->image, "https://www.harbourcourier.example/media/2026/11/quake.jpg");
	assert_string_equal(it->content_html,
	    "Residents of three towns spent the night outdoors as aftershocks continued.");
	assert_non_null(it->authors);
	assert_string_equal(it->authors->name, "Mara Lindqvist");
	assert_null(it->authors->next);

	it = by_title(&p, "Parliament passes budget after all-night session");
	assert_non_null(it->authors->next);
	assert_string_equal(it->authors->next->name, "Jin Park");
	assert_null(it->image);

	/* Entities decoded once, typographic quotes kept, the kicker outside the title's link left out. */
	it = by_title(&p, "Central bank holds rates at 3.25% & signals patience");
	assert_string_equal(it->content_html, "Policymakers said inflation was easing \xe2\x80\x9c" "but not fast enough"
	    "\xe2\x80\x9d.");
	page_release(&p);
}

static void
test_listing_links_resolve_and_ids_are_canonical(void **state)
{
	const struct item *it;
	struct page p;

	(void)state;
	scrape_file(&p, "news-listing.html", &listing_rules, LISTING_BASE);
	assert_int_equal(p.rc, 0);
	/* Tracking parameters stay in the url and leave the id. */
	it = by_title(&p, "Central bank holds rates at 3.25% & signals patience");
	assert_string_equal(it->url, "https://www.harbourcourier.example/business/2026/11/"
	    "central-bank-holds-rates-at-3-25-and-signals-pat?utm_source=homepage&utm_medium=river");
	assert_string_equal(it->id, "https://www.harbourcourier.example/business/2026/11/"
	    "central-bank-holds-rates-at-3-25-and-signals-pat");
	/* "../science/..." and "science/...#top" against the page's own folder. */
	it = by_title(&p, "Probe sends first images from the far side of the moon");
	assert_string_equal(it->url, "https://www.harbourcourier.example/news/science/2026/11/probe-far-side");
	it = by_title(&p, "Ancient shipwreck found with cargo intact");
	assert_string_equal(it->url, "https://www.harbourcourier.example/news/latest/science/2026/11/shipwreck#top");
	assert_string_equal(it->id, "https://www.harbourcourier.example/news/latest/science/2026/11/shipwreck");
	it = by_title(&p, "Chipmaker unveils plant in the north, 2,000 jobs promised");
	assert_string_equal(it->url, "https://tech.harbourcourier.example/2026/11/chip-plant?ref=home");
	/* No link at all: a fingerprint of title and summary. */
	it = by_title(&p, "Ferry timetable changes");
	assert_null(it->url);
	assert_memory_equal(it->id, "urn:wiredesk:", 13);
	page_release(&p);
}

static void
test_listing_dates_in_every_form(void **state)
{
	static const struct {
		const char	*title;
		const char	*date;	/* NULL: none */
	} cases[] = {
		{ "Quake of magnitude 6.1 strikes off the northern coast", "2026-11-26T14:05:00Z" },	/* datetime */
		{ "Parliament passes budget after all-night session", "2026-11-26T08:40:00Z" },	/* with offset */
		{ "Central bank holds rates at 3.25% & signals patience", "2026-11-25T00:00:00Z" },	/* November 25, 2026 */
		{ "Night buses return to the river line from Monday", "2026-11-25T18:30:00Z" },	/* RFC 822 */
		{ "Probe sends first images from the far side of the moon", "2026-11-25T08:15:00Z" },	/* 25.11.2026 08:15 */
		{ "Cup final moved to Saturday after storm warning", "2026-11-24T00:00:00Z" },	/* datetime, a day */
		{ "Museum returns 40 bronzes to their country of origin", "2026-11-24T00:00:00Z" },	/* 24 November 2026 */
		{ "Hospitals report early start to flu season", "2026-11-24T07:00:00Z" },	/* 2026-11-24 07:00 */
		{ "Chipmaker unveils plant in the north, 2,000 jobs promised", "2026-11-23T16:10:00Z" },	/* 4:10 PM */
		{ "Ceasefire talks resume in Geneva", NULL },					/* no <time> */
		{ "Airline cancels 120 flights as pilots strike", NULL },			/* datetime="not a date" */
		{ "Marathon record falls by eleven seconds", "2026-11-22T13:05:00Z" },
		{ "Study links walking to better sleep in older adults", "2026-11-20T06:30:00Z" },	/* 2026/11/20 06:30 */
		{ "Floods force evacuation of river towns", "2026-11-19T00:00:00Z" },		/* 19 Nov 2026 */
		{ "Ferry timetable changes", NULL },
	};
	struct page p;
	size_t i;

	(void)state;
	scrape_file(&p, "news-listing.html", &listing_rules, LISTING_BASE);
	assert_int_equal(p.rc, 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_date(by_title(&p, cases[i].title)->date_published, cases[i].date);
	page_release(&p);
}

static void
test_ids_stable_when_items_move(void **state)
{
	struct page a, b;
	const struct item *x, *y;
	size_t i, j, same = 0;

	(void)state;
	scrape_file(&a, "news-listing.html", &listing_rules, LISTING_BASE);
	scrape_file(&b, "news-listing-later.html", &listing_rules, LISTING_BASE);
	assert_int_equal(a.rc, 0);
	assert_int_equal(b.rc, 0);
	/* An hour later: two new stories on top, two scrolled off, the brief moved and re-indented. */
	for (i = 0; i < a.items.len; i++) {
		x = &a.items.items[i];
		for (j = 0; j < b.items.len; j++) {
			y = &b.items.items[j];
			if (x->title != NULL && y->title != NULL && strcmp(x->title, y->title) == 0) {
				assert_string_equal(x->id, y->id);
				same++;
			}
		}
	}
	assert_int_equal(same, 19);
	assert_string_equal(by_title(&a, "Ferry timetable changes")->id, by_title(&b, "Ferry timetable changes")->id);
	page_release(&a);
	page_release(&b);
}

static void
test_legacy_encoding_by_meta_and_date_format(void **state)
{
	static const struct scrape_rules rules = {
		.item = "//div[@class=\"breve\"]",
		.title = ".//h3",
		.link = ".//h3/a/@href",
		.date = "substring-after(.//p[@class=\"date\"], \"Publi\xc3\xa9 le \")",
		.date_format = "%d/%m/%Y %H:%M",
		.summary = ".//p[not(@class)]",
		.author = ".//p[@class=\"auteur\"]/b",
	};
	const struct item *it;
	struct page p;

	(void)state;
	scrape_file(&p, "legacy-latin1.html", &rules, "http://www.petitecho-vallee.example/");
	assert_int_equal(p.rc, 0);
	assert_int_equal(p.items.len, 6);
	assert_string_equal(p.feed.title, "Le Petit \xc3\x89" "cho de la Vall\xc3\xa9" "e \xe2\x80\x93 Actualit\xc3\xa9s");
	it = &p.items.items[0];
	assert_string_equal(it->title, "F\xc3\xaate de la Saint-Martin : le cort\xc3\xa8ge partira de l\xe2\x80\x99\xc3\xa9glise \xc3\xa0 18 h");
	assert_string_equal(it->url, "http://www.petitecho-vallee.example/actualites/fete-saint-martin.html");
	assert_date(it->date_published, "2026-11-26T17:45:00Z");
	assert_string_equal(it->authors->name, "H\xc3\xa9l\xc3\xa8ne Lef\xc3\xa8vre");
	/* 0x80 is the euro sign in Windows-1252, which ISO-8859-1 labels mean; 0x9C is "oe". */
	it = &p.items.items[3];
	assert_non_null(strstr(it->content_html, "4,12 \xe2\x82\xac"));
	assert_string_equal(p.items.items[1].authors->name, "Fran\xc3\xa7ois N\xc5\x93l");
	page_release(&p);
}

static void
test_charset_caller_beats_meta_and_unlabelled_legacy_page(void **state)
{
	static const struct scrape_rules rules = { .item = "//li", .title = ".", .link = "a/@href" };
	static const char labelled[] = "<meta charset=\"utf-8\"><ul><li><a href=\"/x\">Caf\xe9 cr\xe8me</a></li></ul>";
	static const char unlabelled[] = "<ul><li><a href=\"/x\">\x93" "Caf\xe9\x94</a></li></ul>";
	static const char utf8[] = "<ul><li><a href=\"/x\">Caf\xc3\xa9</a></li></ul>";
	struct page p;

	(void)state;
	/* The transport's charset wins over the page's meta; bad UTF-8 is repaired either way. */
	scrape(&p, labelled, sizeof(labelled) - 1, &rules, "https://a.example/", "iso-8859-1");
	assert_int_equal(p.rc, 0);
	assert_string_equal(p.items.items[0].title, "Caf\xc3\xa9 cr\xc3\xa8me");
	page_release(&p);
	scrape(&p, unlabelled, sizeof(unlabelled) - 1, &rules, "https://a.example/", NULL);
	assert_int_equal(p.rc, 0);
	assert_string_equal(p.items.items[0].title, "\xe2\x80\x9c" "Caf\xc3\xa9\xe2\x80\x9d");
	page_release(&p);
	scrape(&p, utf8, sizeof(utf8) - 1, &rules, "https://a.example/", NULL);
	assert_int_equal(p.rc, 0);
	assert_string_equal(p.items.items[0].title, "Caf\xc3\xa9");
	page_release(&p);
}

static void
test_base_element_resolves_links_content_and_images(void **state)
{
	static const struct scrape_rules rules = {
		.item = "//li[@class=\"entry\"]",
		.title = ".//span[@class=\"entry-title\"]",
		.link = ".//a[@class=\"entry-link\"]",
		.date = ".//span[@class=\"when\"]",
		.content = ".//div[@class=\"teaser\"]/p",
		.image = ".//img[@class=\"thumb\"]",
	};
	const struct item *it;
	struct page p;

	(void)state;
	scrape_file(&p, "base-element.html", &rules, "https://www.northwind.example/archive/2026/11/");
	assert_int_equal(p.rc, 0);
	assert_int_equal(p.items.len, 4);
	it = &p.items.items[0];
	assert_string_equal(it->url, "https://cdn.northwind.example/archive/2026/11/harbour-cranes.html");
	assert_string_equal(it->image, "https://cdn.northwind.example/archive/2026/11/thumbs/cranes.jpg");
	assert_non_null(strstr(it->content_html, "href=\"https://cdn.northwind.example/archive/2026/10/docks-part-one.html\""));
	assert_non_null(strstr(it->content_html, "src=\"https://cdn.northwind.example/archive/2026/11/img/crane-01.jpg\""));
	assert_null(strstr(it->content_html, "javascript"));
	assert_null(strstr(it->content_html, "onerror"));
	assert_date(it->date_published, "2026-11-24T06:00:00Z");
	assert_string_equal(p.items.items[1].url, "https://cdn.northwind.example/archive/2026/10/october-letters.html");
	assert_date(p.items.items[1].date_published, "2026-11-20T16:00:00Z");
	assert_string_equal(p.items.items[2].id, "https://cdn.northwind.example/essays/on-slowness?page=1");
	assert_string_equal(p.items.items[3].url, "https://www.northwind.example/podcast/episode-112");
	assert_date(p.items.items[3].date_published, NULL);
	page_release(&p);
}

static void
test_javascript_links_and_scripts_never_published(void **state)
{
	static const struct scrape_rules rules = {
		.item = "//div[@class=\"card\"]", .title = ".//h2", .link = ".//h2/a/@href",
		.content = ".//div[@class=\"body\"]",
	};
	const struct item *it;
	struct page p;
	size_t i;

	(void)state;
	scrape_file(&p, "hostile-javascript.html", &rules, "https://deals.example/");
	assert_int_equal(p.rc, 0);
	/* Seven cards; none of the markup inside scripts or templates is an item. */
	assert_int_equal(p.items.len, 7);
	for (i = 0; i < p.items.len; i++) {
		it = &p.items.items[i];
		assert_true(it->url == NULL || strncmp(it->url, "https://", 8) == 0);
		assert_null(strstr(it->title, "Fake"));
		assert_null(strstr(it->title, "Smuggled"));
		if (it->content_html == NULL)
			continue;
		assert_null(strstr(it->content_html, "script"));
		assert_null(strstr(it->content_html, "onerror"));
		assert_null(strstr(it->content_html, "onmouseover"));
		assert_null(strstr(it->content_html, "iframe"));
		assert_null(strstr(it->content_html, "svg"));
		assert_null(strstr(it->content_html, "style"));
		assert_null(strstr(it->content_html, "password"));
	}
	assert_null(p.items.items[0].url);
	assert_memory_equal(p.items.items[0].id, "urn:wiredesk:", 13);
	it = by_title(&p, "A real story <img src=x onerror=alert(10)>");
	assert_string_equal(it->url, "https://deals.example/ok/real-story");
	assert_null(by_title(&p, "Send us your tips")->url);	/* mailto: is no page to fetch */
	page_release(&p);
}

static void
test_rule_matching_nothing_is_named(void **state)
{
	struct scrape_rules rules = listing_rules;
	struct page p;

	(void)state;
	rules.item = "//div[@class=\"no-such-river\"]/article";
	scrape_file(&p, "news-listing.html", &rules, LISTING_BASE);
	assert_int_equal(p.rc, -EBADMSG);
	assert_string_equal(p.err.rule, "item");
	assert_non_null(strstr(p.err.msg, "no-such-river"));
	assert_int_equal(p.items.len, 0);
	page_release(&p);

	rules = listing_rules;
	rules.title = ".//h3/a";
	scrape_file(&p, "news-listing.html", &rules, LISTING_BASE);
	assert_int_equal(p.rc, -EBADMSG);
	assert_string_equal(p.err.rule, "title");
	assert_non_null(strstr(p.err.msg, "rule title './/h3/a' matches nothing in any of the 22 items"));
	page_release(&p);

	rules = listing_rules;
	rules.link = ".//a[@rel=\"bookmark\"]/@href";
	scrape_file(&p, "news-listing.html", &rules, LISTING_BASE);
	assert_int_equal(p.rc, -EBADMSG);
	assert_string_equal(p.err.rule, "link");
	page_release(&p);

	/* An optional rule that matches nothing is no error: the items simply lack the field. */
	rules = listing_rules;
	rules.date = ".//span[@class=\"no-date\"]";
	scrape_file(&p, "news-listing.html", &rules, LISTING_BASE);
	assert_int_equal(p.rc, 0);
	assert_date(p.items.items[0].date_published, NULL);
	page_release(&p);

	rules = listing_rules;
	rules.summary = ".//p[";
	scrape_file(&p, "news-listing.html", &rules, LISTING_BASE);
	assert_int_equal(p.rc, -EINVAL);
	assert_string_equal(p.err.rule, "summary");
	page_release(&p);

	scrape(&p, "", 0, &listing_rules, LISTING_BASE, NULL);
	assert_int_equal(p.rc, -EBADMSG);
	assert_string_equal(p.err.rule, "item");
	page_release(&p);
}

static void
test_string_and_number_rules(void **state)
{
	static const struct scrape_rules rules = {
		.item = "//tr[td]", .title = "concat(td[1], ' (', count(td), ' cells)')",
		.link = "normalize-space(td[2]/a/@href)", .summary = "sum(td/@data-n)",
	};
	static const char page[] =
	    "<table><tr><th>h</th></tr><tr><td>One</td><td><a href=\"  /one \">x</a></td></tr>"
	    "<tr><td data-n=\"2\">Two</td><td data-n=\"3\"><a href=\"two\">y</a></td></tr></table>";
	struct page p;

	(void)state;
	scrape(&p, page, sizeof(page) - 1, &rules, "https://t.example/dir/", NULL);
	assert_int_equal(p.rc, 0);
	assert_int_equal(p.items.len, 2);
	assert_string_equal(p.items.items[0].title, "One (2 cells)");
	assert_string_equal(p.items.items[0].url, "https://t.example/one");
	assert_string_equal(p.items.items[1].url, "https://t.example/dir/two");
	assert_string_equal(p.items.items[1].content_html, "5");
	page_release(&p);
}

/* ---- hostile pages ---- */

static void
test_huge_page_is_cut_and_bounded(void **state)
{
	static const char card[] = "<div class=\"c\"><h2><a href=\"/s/%07zu\">Story %zu</a></h2><p>%s</p></div>\n";
	static const struct scrape_rules rules = { .item = "//div[@class='c']", .title = "h2", .link = "h2/a/@href",
		.summary = "p" };
	const char *filler = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor.";
	struct page p;
	struct buf b;
	size_t i;

	(void)state;
	buf_init(&b, 16u << 20);
	for (i = 0; b.len < (10u << 20); i++)
		assert_int_equal(buf_appendf(&b, card, i, i, filler), 0);
	scrape(&p, b.data, b.len, &rules, "https://huge.example/", NULL);
	assert_int_equal(p.rc, 0);
	assert_int_equal(p.items.len, SCRAPE_MAX_ITEMS);
	assert_true(p.feed.items_dropped > 10000);
	assert_true(p.feed.recovered);		/* bytes past SCRAPE_MAX_PAGE were cut */
	assert_true(p.seconds < HOSTILE_SECONDS);
	page_release(&p);
	buf_release(&b);
}

static void
test_deep_nesting_is_bounded(void **state)
{
	static const struct scrape_rules rules = { .item = "//div", .title = ".", .link = ".//a/@href",
		.content = "." };
	struct page p;
	struct buf b;
	size_t i;

	(void)state;
	buf_init(&b, 16u << 20);
	for (i = 0; i < 100000; i++)
		assert_int_equal(buf_puts(&b, "<div><a href=\"/x\">x</a>"), 0);
	scrape(&p, b.data, b.len, &rules, "https://deep.example/", NULL);
	/* Items nested in items: each one's text and markup is the rest of the page, all bounded. */
	assert_int_equal(p.rc, 0);
	assert_true(p.items.len >= 1);
	assert_true(p.items.len <= SCRAPE_MAX_ITEMS);
	assert_true(p.seconds < HOSTILE_SECONDS);
	page_release(&p);
	buf_release(&b);
}

static void
test_script_laden_page_is_bounded(void **state)
{
	static const struct scrape_rules rules = { .item = "//article", .title = "h2", .link = "a/@href" };
	struct page p;
	struct buf b;
	size_t i;

	(void)state;
	buf_init(&b, 16u << 20);
	assert_int_equal(buf_puts(&b, "<html><body><article><h2>Real</h2><a href=\"/real\">r</a></article>"), 0);
	for (i = 0; b.len < (6u << 20); i++)
		assert_int_equal(buf_appendf(&b, "<script>var a%zu = '<article><h2>Fake</h2><a href=\"javascript:x()\">"
		    "</a></article>'; if (a < b && c > d) { document.write(\"</scr\" + \"ipt>\"); }</script>\n", i), 0);
	assert_int_equal(buf_puts(&b, "<article><h2>Last</h2><a href=\"/last\">l</a></article></body></html>"), 0);
	scrape(&p, b.data, b.len, &rules, "https://scripts.example/", NULL);
	assert_int_equal(p.rc, 0);
	assert_int_equal(p.items.len, 2);
	assert_string_equal(p.items.items[0].url, "https://scripts.example/real");
	assert_string_equal(p.items.items[1].url, "https://scripts.example/last");
	assert_true(p.seconds < HOSTILE_SECONDS);
	page_release(&p);
	buf_release(&b);
}

static void
test_wide_tags_and_many_items_are_bounded(void **state)
{
	static const struct scrape_rules rules = { .item = "//li", .title = ".", .link = "a/@href" };
	struct page p;
	struct buf b;
	size_t i;

	(void)state;
	/* A start tag with 500,000 attributes: libxml2 would compare each with all the earlier ones. */
	buf_init(&b, 16u << 20);
	assert_int_equal(buf_puts(&b, "<ul><li><a href=\"/a\">A</a></li><li "), 0);
	for (i = 0; i < 500000; i++)
		assert_int_equal(buf_appendf(&b, "a%zu ", i), 0);
	assert_int_equal(buf_puts(&b, "><a href=\"/b\">B</a></li></ul>"), 0);
	scrape(&p, b.data, b.len, &rules, "https://wide.example/", NULL);
	assert_int_equal(p.rc, 0);
	assert_int_equal(p.items.len, 1);
	assert_true(p.feed.recovered);
	assert_true(p.seconds < HOSTILE_SECONDS);
	page_release(&p);

	/* 200,000 items (all but the first SCRAPE_MAX_ITEMS counted as dropped). */
	buf_clear(&b);
	assert_int_equal(buf_puts(&b, "<ul>"), 0);
	for (i = 0; i < 200000; i++)
		assert_int_equal(buf_appendf(&b, "<li><a href=\"/%zu\">%zu</a>", i, i), 0);
	scrape(&p, b.data, b.len, &rules, "https://many.example/", NULL);
	assert_int_equal(p.rc, 0);
	assert_int_equal(p.items.len, SCRAPE_MAX_ITEMS);
	assert_int_equal(p.feed.items_dropped, 200000 - SCRAPE_MAX_ITEMS);
	assert_true(p.seconds < HOSTILE_SECONDS);
	page_release(&p);
	buf_release(&b);
}

/* ---- autodiscovery ---- */

static int
collect(void *ctx, const struct scrape_feed *f)
{
	return buf_appendf(ctx, "%s %s %s\n", scrape_feed_type_name(f->type), f->url, f->title ? f->title : "-");
}

static void
test_discover_feeds_in_page_order(void **state)
{
	struct parse_opts o = { .base_url = "https://fieldnotes.example/", .now = NOW };
	struct buf page, out;

	(void)state;
	read_page("discover.html", &page);
	buf_init(&out, 1u << 20);
	assert_int_equal(scrape_discover(buf_str(&page), page.len, &o, collect, &out), 5);
	assert_string_equal(buf_str(&out),
	    "rss https://fieldnotes.example/blog/feed.xml Field Notes (RSS)\n"
	    "atom https://fieldnotes.example/blog/atom.xml Field Notes (Atom)\n"
	    "json https://fieldnotes.example/blog/feed.json Field Notes (JSON Feed)\n"
	    "rss https://fieldnotes.example/blog/comments/feed.xml?format=rss&v=2 Comments\n"
	    "json https://fieldnotes.example/blog/late.json Late JSON\n");
	buf_release(&page);
	buf_release(&out);

	/* A page without any: none; the listing page's one RSS link. */
	read_page("base-element.html", &page);
	assert_int_equal(scrape_discover(buf_str(&page), page.len, &o, collect, NULL), 0);
	buf_release(&page);
	read_page("news-listing.html", &page);
	buf_init(&out, 1u << 20);
	o.base_url = LISTING_BASE;
	assert_int_equal(scrape_discover(buf_str(&page), page.len, &o, collect, &out), 1);
	assert_string_equal(buf_str(&out), "rss https://www.harbourcourier.example/feeds/all.rss Harbour Courier\n");
	buf_release(&page);
	buf_release(&out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_listing_items_fields_and_feed),
		cmocka_unit_test(test_listing_links_resolve_and_ids_are_canonical),
		cmocka_unit_test(test_listing_dates_in_every_form),
		cmocka_unit_test(test_ids_stable_when_items_move),
		cmocka_unit_test(test_legacy_encoding_by_meta_and_date_format),
		cmocka_unit_test(test_charset_caller_beats_meta_and_unlabelled_legacy_page),
		cmocka_unit_test(test_base_element_resolves_links_content_and_images),
		cmocka_unit_test(test_javascript_links_and_scripts_never_published),
		cmocka_unit_test(test_rule_matching_nothing_is_named),
		cmocka_unit_test(test_string_and_number_rules),
		cmocka_unit_test(test_huge_page_is_cut_and_bounded),
		cmocka_unit_test(test_deep_nesting_is_bounded),
		cmocka_unit_test(test_script_laden_page_is_bounded),
		cmocka_unit_test(test_wide_tags_and_many_items_are_bounded),
		cmocka_unit_test(test_discover_feeds_in_page_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
