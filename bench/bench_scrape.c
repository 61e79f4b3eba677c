/*
 * bench_scrape.c - what scraping an HTML listing costs next to parsing a feed of the same size, in one run.
 *
 * usage: bench_scrape [RUNS] [--items N] [--full-content] [--write DIR]
 * Generates, the same every run, a news listing page of N items (default 200) as a site would serve
 * it (header, navigation, one <article> card an item: headline, link, byline, <time>, a responsive
 * picture, icons, share buttons, standfirst and the story's first paragraph as a teaser) and an
 * RSS 2.0 feed of the same stories in full (title, link, guid, pubDate, author, description,
 * content:encoded, media:content), about 1 MB each at 200 items, the shorter padded to the
 * other's size (the page with a JSON data script, the feed with a comment). --full-content puts
 * each story's paragraphs on the page instead, in plain cards, and the content rule takes them:
 * the worst case. Then, RUNS times (default 21), interleaved: scrape_page() with a rule for every
 * field, and parse_feed() on the feed; both decode, parse, normalize, sanitize content and resolve
 * URLs into the item model in memory. Prints the median CPU time of each and the ratio (issue #7's
 * target: scrape below 2x parse).
 * --write DIR also saves page.html, page.conf and feed.xml there, for `wiredesk scrape` and
 * `wiredesk parse` by hand.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "buf.h"
#include "parse.h"
#include "scrape.h"

#define MAX_RUNS	101
#define NOW		1798761600	/* 2027-01-01 */
#define BASE		"https://www.example-news.test/latest/"

static const struct scrape_rules rules = {
	.item = "//main//article[@class=\"story\"]",
	.title = ".//h2/a",
	.link = ".//h2/a/@href",
	.date = ".//time",
	.summary = ".//p[@class=\"standfirst\"]",
	.content = ".//div[@class=\"story-body\"]/*",
	.image = ".//figure/img",
	.author = ".//span[@class=\"byline\"]/a",
};

static const char *const words[] = {
	"council", "harbour", "minister", "budget", "river", "storm", "festival", "election", "court",
	"hospital", "school", "railway", "market", "museum", "bridge", "weather", "report", "village",
	"energy", "housing", "police", "transport", "science", "season", "league", "record", "vote",
	"residents", "officials", "plans", "years", "city", "north", "coast", "week", "night", "talks",
};

/* A deterministic sentence of n words from the item's seed. */
static int
sentence(struct buf *b, unsigned *seed, int n)
{
	int i, r = 0;

	for (i = 0; r == 0 && i < n; i++) {
		*seed = *seed * 1103515245u + 12345u;
		r = buf_appendf(b, "%s%s", i == 0 ? "" : " ", words[(*seed >> 16) % (sizeof(words) / sizeof(words[0]))]);
	}
	return r != 0 ? r : buf_puts(b, ".");
}

struct story {
	struct buf	 title, dek, body;	/* text, text, HTML */
	char		 slug[64], author[32], date822[40], date3339[32];
	int		 n;
};

static int
story_make(struct story *s, int n)
{
	unsigned seed = (unsigned)n * 2654435761u;
	int r = 0, p;

	buf_init(&s->title, 1u << 16);
	buf_init(&s->dek, 1u << 16);
	buf_init(&s->body, 1u << 20);
	s->n = n;
	r = sentence(&s->title, &seed, 9);
	if (r == 0)
		r = sentence(&s->dek, &seed, 28);
	for (p = 0; r == 0 && p < 9; p++) {
		r = buf_puts(&s->body, "<p>");
		if (r == 0)
			r = sentence(&s->body, &seed, 62);
		if (r == 0 && p == 1)
			r = buf_appendf(&s->body, " <a href=\"/topics/%s\">More on this</a> <em>and</em> the rest.",
			    words[n % 10]);
		if (r == 0)
			r = buf_puts(&s->body, "</p>\n");
	}
	(void)snprintf(s->slug, sizeof(s->slug), "2026/11/story-%04d-%s", n, words[(unsigned)n % 30]);
	(void)snprintf(s->author, sizeof(s->author), "Reporter %c. %s", 'A' + n % 26, words[(unsigned)n % 20]);
	(void)snprintf(s->date822, sizeof(s->date822), "Thu, %02d Nov 2026 %02d:%02d:00 GMT", 26 - n / 24 % 20,
	    23 - n % 24, n % 60);
	(void)snprintf(s->date3339, sizeof(s->date3339), "2026-11-%02dT%02d:%02d:00Z", 26 - n / 24 % 20,
	    23 - n % 24, n % 60);
	return r;
}

static void
story_release(struct story *s)
{
	buf_release(&s->title);
	buf_release(&s->dek);
	buf_release(&s->body);
}

/*
 * A listing card as news sites write them: wrappers, a responsive picture, icons, tracking data,
 * a standfirst and the story's first paragraph as a teaser; with full (--full-content), a plain
 * card with all the story's paragraphs instead.
 */
/* The same story as a plain card with its paragraphs, for --full-content: about the feed's size. */
static int
page_item_full(struct buf *b, const struct story *s)
{
	return buf_appendf(b,
	    "<article class=\"story\" data-story-id=\"%d\">\n"
	    "  <figure class=\"lead\"><img src=\"/media/%s.jpg\" alt=\"\" width=\"800\" height=\"450\" loading=\"lazy\">"
	    "<figcaption>Photograph: agency</figcaption></figure>\n"
	    "  <h2 class=\"headline\"><span class=\"kicker\">News</span><a href=\"/%s\">%s</a></h2>\n"
	    "  <div class=\"meta\"><span class=\"byline\">By <a rel=\"author\" href=\"/people/%d\">%s</a></span>"
	    " <time datetime=\"%s\">%s</time> <a class=\"comments\" href=\"/%s#comments\">%d comments</a></div>\n"
	    "  <p class=\"standfirst\">%s</p>\n"
	    "  <div class=\"story-body\">\n%s  </div>\n"
	    "  <ul class=\"share\"><li><a href=\"https://social.example/share?u=/%s\">Share</a></li>"
	    "<li><a href=\"javascript:void(0)\" onclick=\"copy()\">Copy link</a></li></ul>\n"
	    "</article>\n",
	    s->n, s->slug, s->slug, buf_str(&s->title), s->n % 40, s->author, s->date3339, s->date822, s->slug,
	    s->n % 97, buf_str(&s->dek), buf_str(&s->body), s->slug);
}

static int
page_item(struct buf *b, const struct story *s, bool full)
{
	int r;

	if (full)
		return page_item_full(b, s);
	r = buf_appendf(b,
	    "<article class=\"story\" data-story-id=\"%d\" data-track='{\"list\":\"latest\",\"pos\":%d,\"type\":\"news\"}'>\n"
	    " <div class=\"card card--horizontal card--has-image\"><div class=\"card__media\">\n"
	    "  <figure class=\"lead\"><picture>"
	    "<source type=\"image/webp\" srcset=\"/media/%s-320.webp 320w, /media/%s-640.webp 640w, "
	    "/media/%s-960.webp 960w, /media/%s-1280.webp 1280w\" sizes=\"(min-width: 1024px) 33vw, 100vw\">"
	    "<img src=\"/media/%s.jpg\" srcset=\"/media/%s-320.jpg 320w, /media/%s-640.jpg 640w, "
	    "/media/%s-960.jpg 960w\" sizes=\"(min-width: 1024px) 33vw, 100vw\" alt=\"\" width=\"800\" height=\"450\" "
	    "loading=\"lazy\" decoding=\"async\"></picture>"
	    "<figcaption class=\"card__caption\">Photograph: agency</figcaption></figure></div>\n"
	    "  <div class=\"card__content\"><div class=\"card__header\">"
	    "<span class=\"kicker kicker--news\"><svg class=\"icon icon--dot\" viewBox=\"0 0 8 8\" aria-hidden=\"true\">"
	    "<circle cx=\"4\" cy=\"4\" r=\"4\"/></svg>News</span>\n"
	    "  <h2 class=\"headline card__headline\"><a class=\"card__link\" href=\"/%s\" data-link-name=\"article\">%s</a></h2></div>\n"
	    "  <div class=\"meta card__meta\"><span class=\"byline\">By <a rel=\"author\" href=\"/people/%d\">%s</a></span>"
	    " <time datetime=\"%s\">%s</time> <a class=\"comments\" href=\"/%s#comments\"><svg class=\"icon icon--comment\" "
	    "viewBox=\"0 0 24 24\" aria-hidden=\"true\"><path d=\"M21 6h-2v9H6v2c0 .55.45 1 1 1h11l4 4V7c0-.55-.45-1-1-1zm-4 "
	    "6V3c0-.55-.45-1-1-1H3c-.55 0-1 .45-1 1v14l4-4h10c.55 0 1-.45 1-1z\"/></svg>%d</a></div>\n"
	    "  <p class=\"standfirst\">%s</p>\n",
	    s->n, s->n, s->slug, s->slug, s->slug, s->slug, s->slug, s->slug, s->slug, s->slug, s->slug,
	    buf_str(&s->title), s->n % 40, s->author, s->date3339, s->date822, s->slug, s->n % 97, buf_str(&s->dek));
	if (r == 0)
		r = buf_appendf(b, "  <div class=\"story-body\">\n%.*s</p>\n  </div>\n",
		    (int)(strchr(buf_str(&s->body), '\n') - buf_str(&s->body) - 4), buf_str(&s->body));
	if (r == 0)
		r = buf_appendf(b,
		    "  <ul class=\"share card__share\">"
		    "<li><a class=\"share__link\" href=\"https://social.example/share?u=https%%3A%%2F%%2Fwww.example-news.test%%2F%s\" "
		    "target=\"_blank\" rel=\"noopener\"><svg class=\"icon\" viewBox=\"0 0 24 24\"><use href=\"#icon-share\"/></svg>"
		    "<span class=\"visually-hidden\">Share</span></a></li>"
		    "<li><a href=\"javascript:void(0)\" onclick=\"copyLink('/%s')\"><svg class=\"icon\" viewBox=\"0 0 24 24\">"
		    "<use href=\"#icon-link\"/></svg><span class=\"visually-hidden\">Copy link</span></a></li>"
		    "<li><button class=\"save\" data-save=\"%d\" aria-label=\"Save for later\"><svg class=\"icon\" viewBox=\"0 0 24 24\">"
		    "<use href=\"#icon-bookmark\"/></svg></button></li></ul>\n"
		    " </div></div>\n</article>\n", s->slug, s->slug, s->n);
	return r;
}

/* The feed's copy of a story: content:encoded in CDATA, as most publishers write it. */
static int
feed_item(struct buf *b, const struct story *s)
{
	return buf_appendf(b,
	    "<item>\n"
	    "  <title>%s</title>\n"
	    "  <link>https://www.example-news.test/%s</link>\n"
	    "  <guid isPermaLink=\"true\">https://www.example-news.test/%s</guid>\n"
	    "  <pubDate>%s</pubDate>\n"
	    "  <dc:creator>%s</dc:creator>\n"
	    "  <description>%s</description>\n"
	    "  <content:encoded><![CDATA[%s]]></content:encoded>\n"
	    "  <media:content url=\"https://www.example-news.test/media/%s.jpg\" medium=\"image\" width=\"800\" height=\"450\"/>\n"
	    "</item>\n",
	    buf_str(&s->title), s->slug, s->slug, s->date822, s->author, buf_str(&s->dek), buf_str(&s->body), s->slug);
}

/* Filler of n bytes a document of that kind would carry: site data in a script, or a comment. */
static int
pad(struct buf *b, size_t n, bool html)
{
	int r = buf_puts(b, html ? "<script type=\"application/json\" id=\"site-data\">{\"ads\":\"" : "<!-- ");

	for (; r == 0 && n > 0; n--)
		r = buf_putc(b, (char)('a' + n % 26));
	return r == 0 ? buf_puts(b, html ? "\"}</script>\n" : " -->\n") : r;
}

static int
generate(int nitems, bool full, struct buf *page, struct buf *feed)
{
	struct story s;
	size_t tail_page, tail_feed;
	int i, r;

	r = buf_puts(page,
	    "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	    "<title>Latest news | Example News</title>\n"
	    "<meta name=\"description\" content=\"The latest stories from Example News.\">\n"
	    "<link rel=\"alternate\" type=\"application/rss+xml\" href=\"/feed.xml\">\n"
	    "<link rel=\"stylesheet\" href=\"/static/site.css\">\n"
	    "<script>window.dataLayer = window.dataLayer || []; function gtag(){dataLayer.push(arguments);}</script>\n"
	    "</head>\n<body>\n<header><a href=\"/\">Example News</a><nav><ul><li><a href=\"/world/\">World</a></li>"
	    "<li><a href=\"/city/\">City</a></li><li><a href=\"/sport/\">Sport</a></li></ul></nav></header>\n"
	    "<main id=\"content\">\n<h1>Latest</h1>\n");
	if (r == 0)
		r = buf_puts(feed,
		    "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
		    "<rss version=\"2.0\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" "
		    "xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:media=\"http://search.yahoo.com/mrss/\">\n"
		    "<channel>\n<title>Latest news | Example News</title>\n<link>" BASE "</link>\n"
		    "<description>The latest stories from Example News.</description>\n<language>en</language>\n");
	for (i = 0; r == 0 && i < nitems; i++) {
		r = story_make(&s, i);
		if (r == 0)
			r = page_item(page, &s, full);
		if (r == 0)
			r = feed_item(feed, &s);
		story_release(&s);
	}
	tail_page = sizeof("</main>\n<footer><p>(c) 2026 Example News</p></footer>\n</body>\n</html>\n") - 1;
	tail_feed = sizeof("</channel>\n</rss>\n") - 1;
	/* The same bytes: the shorter document gets the difference as filler. */
	if (r == 0 && page->len + tail_page + 100 < feed->len + tail_feed)
		r = pad(page, feed->len + tail_feed - page->len - tail_page - 80, true);
	else if (r == 0 && feed->len + tail_feed + 100 < page->len + tail_page)
		r = pad(feed, page->len + tail_page - feed->len - tail_feed - 20, false);
	if (r == 0)
		r = buf_puts(page, "</main>\n<footer><p>(c) 2026 Example News</p></footer>\n</body>\n</html>\n");
	if (r == 0)
		r = buf_puts(feed, "</channel>\n</rss>\n");
	return r;
}

static int
save(const char *dir, const char *name, const char *data, size_t len)
{
	char path[4096];
	FILE *f;
	int r = 0;

	(void)snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (f == NULL || fwrite(data, 1, len, f) != len)
		r = -errno;
	if (f != NULL && fclose(f) != 0)
		r = -errno;
	if (r < 0)
		fprintf(stderr, "bench_scrape: cannot write %s: %s\n", path, strerror(-r));
	return r;
}

static int
save_all(const char *dir, const struct buf *page, const struct buf *feed)
{
	struct buf conf;
	int r;

	buf_init(&conf, 1u << 16);
	r = buf_appendf(&conf, "; bench_scrape's rules for page.html\n[source bench]\ntype = html\nurl = %s\n"
	    "item = %s\ntitle = %s\nlink = %s\ndate = %s\nsummary = %s\ncontent = %s\nimage = %s\nauthor = %s\n",
	    BASE, rules.item, rules.title, rules.link, rules.date, rules.summary, rules.content, rules.image,
	    rules.author);
	if (r == 0)
		r = save(dir, "page.conf", conf.data, conf.len);
	if (r == 0)
		r = save(dir, "page.html", page->data, page->len);
	if (r == 0)
		r = save(dir, "feed.xml", feed->data, feed->len);
	buf_release(&conf);
	return r;
}

int
main(int argc, char **argv)
{
	double scrape_t[MAX_RUNS], parse_t[MAX_RUNS], t, ms, mp;
	struct parse_opts o = { .base_url = BASE, .now = NOW };
	struct parse_error perr;
	struct scrape_error serr;
	struct item_list l;
	struct buf page, feed;
	struct feed f;
	const char *dir = NULL;
	size_t scraped = 0, parsed = 0;
	int runs = 21, nitems = 200, i, rc = 1;
	bool full = false;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--items") == 0 && i + 1 < argc)
			nitems = atoi(argv[++i]);
		else if (strcmp(argv[i], "--full-content") == 0)
			full = true;
		else if (strcmp(argv[i], "--write") == 0 && i + 1 < argc)
			dir = argv[++i];
		else
			runs = atoi(argv[i]);
	}
	if (runs < 1 || runs > MAX_RUNS || nitems < 1 || nitems > 100000) {
		fprintf(stderr, "usage: bench_scrape [RUNS] [--items N] [--full-content] [--write DIR]\n");
		return 64;
	}
	buf_init(&page, SIZE_MAX);
	buf_init(&feed, SIZE_MAX);
	if (generate(nitems, full, &page, &feed) != 0 || (dir != NULL && save_all(dir, &page, &feed) != 0))
		goto out;
	/* Interleaved, so that a busy neighbour slows both alike. */
	for (i = 0; i < runs; i++) {
		feed_init(&f);
		item_list_init(&l);
		t = cpu_now();
		if (scrape_page(page.data, page.len, &rules, &o, &f, &l, &serr) != 0) {
			fprintf(stderr, "bench_scrape: scrape: %s\n", serr.msg);
			goto out;
		}
		scrape_t[i] = cpu_now() - t;
		scraped = l.len;
		item_list_release(&l);
		feed_release(&f);

		feed_init(&f);
		item_list_init(&l);
		t = cpu_now();
		if (parse_feed(feed.data, feed.len, &o, &f, &l, &perr) != 0) {
			fprintf(stderr, "bench_scrape: parse: %d: %s\n", perr.line, perr.msg);
			goto out;
		}
		parse_t[i] = cpu_now() - t;
		parsed = l.len;
		item_list_release(&l);
		feed_release(&f);
	}
	ms = median(scrape_t, runs);
	mp = median(parse_t, runs);
	printf("%s listing\n", full ? "full-content" : "teaser");
	printf("page  %zu bytes, %zu items: scrape_page  %8.2f ms (median of %d)\n", page.len, scraped, ms * 1e3, runs);
	printf("feed  %zu bytes, %zu items: parse_feed   %8.2f ms\n", feed.len, parsed, mp * 1e3);
	printf("scrape / parse: %.2fx (target: below 2x)\n", ms / mp);
	rc = scraped == (size_t)nitems && parsed == (size_t)nitems ? 0 : 1;
out:
	buf_release(&page);
	buf_release(&feed);
	return rc;
}
