/*
 * cmd_scrape.c - `wiredesk scrape`, `wiredesk discover` and `wiredesk extract`: a saved HTML page through
 * the rules, the feeds it advertises (a saved page, or one fetched as the daemon fetches), or its
 * article.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include <uv.h>

#include "buf.h"
#include "cli.h"
#include "conf.h"
#include "extract.h"
#include "fetch.h"
#include "limits.h"
#include "log.h"
#include "scrape.h"
#include "write.h"

/*
 * Reads the page at path ("-": stdin) into page, at most SCRAPE_MAX_PAGE bytes (scrape_page reads
 * no more); an exit status.
 */
static int
read_page(const char *path, struct buf *page)
{
	char chunk[READ_CHUNK];
	ssize_t n;
	int fd, rc = EX_OK;

	if ((fd = cli_open_input(path)) < 0)
		return EX_NOINPUT;
	while (page->len < SCRAPE_MAX_PAGE) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			log_error("cannot read '%s': %s", path, strerror(errno));
			rc = EX_IOERR;
			break;
		}
		if (n == 0)
			break;
		if (buf_append(page, chunk, (size_t)n) < 0) {
			log_error("%s: %s", path, strerror(ENOMEM));
			rc = EX_SOFTWARE;
			break;
		}
	}
	if (fd > STDIN_FILENO)
		(void)close(fd);
	return rc;
}

/* The one [source] section of a rules file (of type html, with html); NULL (and a message) otherwise. */
static const struct conf_source *
rules_source(const struct conf *c, const char *path, bool html)
{
	if (c->nsources != 1) {
		log_error("%s: a rules file holds exactly one [source] section, not %zu", path, c->nsources);
		return NULL;
	}
	if (html && c->sources[0].type != SOURCE_HTML) {
		log_error("%s:%d: source %s: type = html is needed for scraping rules", path, c->sources[0].line,
		    c->sources[0].name);
		return NULL;
	}
	return &c->sources[0];
}

/*
 * What the page commands take: PAGE|-, --base URL, --charset CS and, where allowed, --rules FILE
 * (scrape, extract) or --allow-private (discover).
 */
struct page_args {
	const char	*path, *base, *charset, *rules;
	bool		 allow_private;
};

/* Fills a from argv; false (after the usage) for anything else, or a missing PAGE. */
static bool
page_args(int argc, char **argv, bool rules, struct page_args *a)
{
	int i;

	memset(a, 0, sizeof(*a));
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--base") == 0 && i + 1 < argc)
			a->base = argv[++i];
		else if (strcmp(argv[i], "--charset") == 0 && i + 1 < argc)
			a->charset = argv[++i];
		else if (rules && strcmp(argv[i], "--rules") == 0 && i + 1 < argc)
			a->rules = argv[++i];
		else if (!rules && strcmp(argv[i], "--allow-private") == 0)
			a->allow_private = true;
		else if (a->path == NULL && (argv[i][0] != '-' || strcmp(argv[i], "-") == 0))
			a->path = argv[i];
		else
			break;
	}
	if (a->path == NULL || i < argc) {
		cli_usage(stderr);
		return false;
	}
	return true;
}

/* scrape: the page through the rules, as JSON Feed 1.1 on stdout. */
int
cmd_scrape(int argc, char **argv)
{
	const struct conf_source *src;
	struct write_opts wopts = { 0 };
	struct parse_opts opts = { 0 };
	struct scrape_error err;
	struct feed_writer w;
	struct item_list items;
	struct conf *c = NULL;
	struct buf page, out;
	struct feed feed;
	struct page_args a;
	const char *path, *rules_path;
	size_t i;
	int r, rc;

	if (!page_args(argc, argv, true, &a))
		return EX_USAGE;
	if (a.rules == NULL) {
		cli_usage(stderr);
		return EX_USAGE;
	}
	path = a.path;
	rules_path = a.rules;
	rc = cli_load_conf(rules_path, &c);
	if (rc != EX_OK)
		return rc;
	src = rules_source(c, rules_path, true);
	if (src == NULL) {
		conf_free(c);
		return EX_CONFIG;
	}

	feed_init(&feed);
	item_list_init(&items);
	buf_init(&page, SCRAPE_MAX_PAGE + READ_CHUNK);
	buf_init(&out, SIZE_MAX);
	rc = read_page(path, &page);
	if (rc != EX_OK)
		goto out;
	opts.base_url = a.base != NULL ? a.base : src->url;	/* the page is the source's, unless told */
	opts.charset = a.charset;
	opts.now = time(NULL);
	r = scrape_page(buf_str(&page), page.len, &src->rules, &opts, &feed, &items, &err);
	if (r < 0) {
		if (err.rule != NULL)
			log_error("%s: source %s: %s", path, src->name, err.msg);
		else
			log_error("%s: %s", path, err.msg[0] != '\0' ? err.msg : strerror(-r));
		rc = r == -ENOMEM ? EX_SOFTWARE : r == -EINVAL ? EX_CONFIG : EX_DATAERR;
		goto out;
	}
	wopts.now = opts.now;
	feed_writer_begin(&w, WRITE_JSON, &wopts, &out);
	for (i = 0, r = 0; r == 0 && i < items.len; i++)
		r = feed_writer_item(&w, &feed, &items.items[i]);
	if (r == 0)
		r = feed_writer_end(&w, &feed);
	if (r == 0)
		r = write_all(STDOUT_FILENO, buf_str(&out), out.len);
	if (r < 0 && r != -EPIPE) {
		log_error("%s: %s", path, strerror(-r));
		rc = r == -ENOMEM ? EX_SOFTWARE : EX_IOERR;
	}
out:
	buf_release(&page);
	buf_release(&out);
	item_list_release(&items);
	feed_release(&feed);
	conf_free(c);
	return rc;
}

struct found {
	struct buf	 out;
	size_t		 n;
};

static int
on_feed(void *ctx, const struct scrape_feed *f)
{
	struct found *fd = ctx;

	fd->n++;
	if (f->title != NULL)
		return buf_appendf(&fd->out, "%s\t%s\t%s\n", f->url, scrape_feed_type_name(f->type), f->title);
	return buf_appendf(&fd->out, "%s\t%s\n", f->url, scrape_feed_type_name(f->type));
}

/* A page fetched for discover. */
struct fetched {
	uv_loop_t	*loop;
	const char	*asked;		/* the URL given */
	struct buf	*page;
	int		 rc;		/* an exit status */
	char		*url;		/* where the page came from, after redirects */
	char		 charset[64];	/* of its Content-Type; "" when none */
};

static int
fetched_body(void *ctx, const struct fetch_result *so_far, const char *p, size_t n)
{
	struct fetched *fe = ctx;
	size_t room = SCRAPE_MAX_PAGE - fe->page->len;

	(void)so_far;
	/* A page is read up to what scrape_discover() reads; the rest is dropped, as the daemon does. */
	if (fe->page->len >= SCRAPE_MAX_PAGE)
		return 0;
	return buf_append(fe->page, p, n < room ? n : room) < 0;
}

static void
fetched_done(void *ctx, const struct fetch_result *r)
{
	struct fetched *fe = ctx;
	const char *cs;
	size_t n;

	uv_stop(fe->loop);
	if (r->error == FETCH_REFUSED) {
		if (strstr(r->msg, "private") != NULL)	/* the daemon's message names its setting */
			log_error("%s: refused: a private or special address (--allow-private permits it)", fe->asked);
		else
			log_error("%s: %s", fe->asked, r->msg);
		fe->rc = EX_NOPERM;
	} else if (r->error == FETCH_ABORTED) {
		log_error("%s: %s", fe->asked, strerror(ENOMEM));
		fe->rc = EX_SOFTWARE;
	} else if (r->error != FETCH_OK) {
		log_error("%s: %s", fe->asked, r->msg[0] != '\0' ? r->msg : "the transfer failed");
		fe->rc = r->error == FETCH_TOO_BIG ? EX_DATAERR : EX_UNAVAILABLE;
	} else if (r->status < 200 || r->status > 299) {
		log_error("%s: HTTP %ld", fe->asked, r->status);
		fe->rc = EX_UNAVAILABLE;
	} else if ((fe->url = strdup(r->url != NULL ? r->url : fe->asked)) == NULL) {
		log_error("%s: %s", fe->asked, strerror(ENOMEM));
		fe->rc = EX_SOFTWARE;
	} else {
		fe->rc = EX_OK;
		/* The transport's charset, as the daemon reads it. */
		for (cs = r->content_type; cs != NULL && *cs != '\0' && strncasecmp(cs, "charset=", 8) != 0; cs++)
			;
		if (cs != NULL && *cs != '\0') {
			cs += 8;
			cs += *cs == '"';
			n = strcspn(cs, "\"; \t");
			if (n > 0 && n < sizeof(fe->charset)) {
				memcpy(fe->charset, cs, n);
				fe->charset[n] = '\0';
			}
		}
	}
}

/*
 * Fetches the page at url into page, as the daemon fetches a source (its default caps, its address
 * checks: a private address only with allow_private); an exit status, and *final the URL the page
 * came from (free it) and charset its Content-Type's charset, on EX_OK.
 */
static int
fetch_page(const char *url, bool allow_private, struct buf *page, char **final, char charset[64])
{
	struct fetch_opts fo = { .user_agent = "wiredesk/" WIREDESK_VERSION " (+" WIREDESK_URL ")" };
	struct fetched fe = { .asked = url, .page = page, .rc = EX_SOFTWARE };
	struct fetch_request rq = {
		.url = url, .allow_private = allow_private,
		.on_body = fetched_body, .on_done = fetched_done, .ctx = &fe,
	};
	struct fetcher *f = NULL;
	uv_loop_t loop;
	int r;

	*final = NULL;
	if (uv_loop_init(&loop) != 0) {
		log_error("%s: cannot set up an event loop", url);
		return EX_OSERR;
	}
	fe.loop = &loop;
	if ((r = fetcher_new(&f, &loop, &fo)) == 0 && (r = fetch_start(f, &rq)) == 0)
		(void)uv_run(&loop, UV_RUN_DEFAULT);
	if (r < 0)
		log_error("%s: %s", url, strerror(-r));
	fetcher_free(f);
	(void)uv_run(&loop, UV_RUN_DEFAULT);	/* the fetcher's handles close */
	(void)uv_loop_close(&loop);
	if (r < 0) {
		free(fe.url);
		return EX_SOFTWARE;
	}
	*final = fe.url;
	memcpy(charset, fe.charset, sizeof(fe.charset));
	return fe.rc;
}

/*
 * discover: the feeds a page advertises, "URL<TAB>TYPE[<TAB>TITLE]" a line, in page order. The
 * page is a saved file (or stdin), or an http(s) URL fetched first, its final URL the base.
 */
int
cmd_discover(int argc, char **argv)
{
	struct parse_opts opts = { 0 };
	struct page_args a;
	struct found found;
	struct buf page;
	const char *path;
	char *final = NULL, charset[64] = "";
	bool net;
	int r, rc;

	if (!page_args(argc, argv, false, &a))
		return EX_USAGE;
	path = a.path;
	net = strncasecmp(path, "http://", 7) == 0 || strncasecmp(path, "https://", 8) == 0;
	if (a.allow_private && !net) {
		log_error("--allow-private is for a page fetched by its URL, not for '%s'", path);
		return EX_USAGE;
	}
	buf_init(&page, SCRAPE_MAX_PAGE + READ_CHUNK);
	buf_init(&found.out, SIZE_MAX);
	found.n = 0;
	rc = net ? fetch_page(path, a.allow_private, &page, &final, charset) : read_page(path, &page);
	if (rc != EX_OK)
		goto out;
	opts.base_url = a.base != NULL ? a.base : final;
	opts.charset = a.charset != NULL ? a.charset : charset[0] != '\0' ? charset : NULL;
	r = scrape_discover(buf_str(&page), page.len, &opts, on_feed, &found);
	if (r < 0) {
		log_error("%s: %s", path, strerror(-r));
		rc = EX_SOFTWARE;
		goto out;
	}
	if (found.n == 0) {
		log_error("%s: the page advertises no feed", path);
		rc = EX_DATAERR;
		goto out;
	}
	r = write_all(STDOUT_FILENO, buf_str(&found.out), found.out.len);
	if (r < 0 && r != -EPIPE) {
		log_error("%s: %s", path, strerror(-r));
		rc = EX_IOERR;
	}
out:
	buf_release(&page);
	buf_release(&found.out);
	free(final);
	return rc;
}

/* extract: the main content of a saved article page, sanitized HTML on stdout. */
int
cmd_extract(int argc, char **argv)
{
	const char *path, *rule = NULL;
	const struct conf_source *src;
	struct parse_opts opts = { 0 };
	struct scrape_error err;
	struct page_args a;
	struct conf *c = NULL;
	struct buf page, out;
	int r, rc;

	if (!page_args(argc, argv, true, &a))
		return EX_USAGE;
	path = a.path;
	if (a.rules != NULL) {
		rc = cli_load_conf(a.rules, &c);
		if (rc != EX_OK)
			return rc;
		src = rules_source(c, a.rules, false);	/* a feed's fulltext content rule too */
		if (src == NULL) {
			conf_free(c);
			return EX_CONFIG;
		}
		rule = src->rules.content;	/* none: the heuristic, as for a source without one */
		if (a.base == NULL)
			a.base = src->url;
	}
	buf_init(&page, SCRAPE_MAX_PAGE + READ_CHUNK);
	buf_init(&out, ITEM_MAX_FIELD);
	rc = read_page(path, &page);
	if (rc != EX_OK)
		goto out;
	opts.base_url = a.base;
	opts.charset = a.charset;
	r = extract_article(buf_str(&page), page.len, &opts, rule, &out, &err);
	if (r == 0)
		r = buf_putc(&out, '\n');
	if (r < 0) {
		log_error("%s: %s", path, err.msg[0] != '\0' ? err.msg : strerror(-r));
		rc = r == -ENOMEM ? EX_SOFTWARE : r == -EINVAL ? EX_CONFIG : EX_DATAERR;
		goto out;
	}
	r = write_all(STDOUT_FILENO, buf_str(&out), out.len);
	if (r < 0 && r != -EPIPE) {
		log_error("%s: %s", path, strerror(-r));
		rc = EX_IOERR;
	}
out:
	buf_release(&page);
	buf_release(&out);
	conf_free(c);
	return rc;
}
