/*
 * poller.c - the sources polled on one libuv loop.
 *
 * Each source is a job with its state from the store. A job is due when its next-poll time has
 * come (under run, the jobs waiting for it are in a min-heap by that time, so finding the due ones
 * is a look at the earliest); due jobs wait in a queue until the limits let them start: at most
 * concurrency transfers, at most per_host to one host, host_delay between two starts to one host,
 * and no start to a host paused by a Retry-After. A body of up to POLL_BUFFERED_BODY is kept and
 * hashed before it is parsed, so the same body again costs no parse; a longer one streams into
 * the parser as it arrives and is hashed on the way. When a transfer ends, its items go through
 * dedup into the store, with the source's new state, in one transaction.
 *
 * A fulltext source's new and changed items each queue an article fetch: the item's page, fetched
 * under the same limits as the polls (the same struct host, so both count against per_host,
 * concurrency and host_delay, and wait out a pause), read by extract_article(), and stored as the
 * item's content.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "buf.h"
#include "date.h"
#include "dedup.h"
#include "extract.h"
#include "fetch.h"
#include "item.h"
#include "limits.h"
#include "log.h"
#include "parse.h"
#include "poller.h"
#include "publish.h"
#include "sched.h"
#include "scrape.h"
#include "store.h"
#include "text.h"

#define DEDUP_KEY	"dedup"
#define STORY_BASE_KEY	"story_base"	/* saved with DEDUP_KEY, in the same transaction */
#define HOUSEKEEPING_MS	(5 * 60 * 1000)	/* run: how often the clusterer is saved and items pruned */
#define PUBLISH_DELAY_MS	2000	/* run: new items are published this long after the first */
#define BATCH_POLLS	256		/* polls committed together at most ... */
#define BATCH_MS	250		/* ... and after this long at most */
#define FNV_PRIME	0x100000001b3ULL
#define LEAD_HTML_MAX	(16u << 10)	/* bytes of an item's HTML read for dedup's lead text */
#define FULLTEXT_QUEUE_MAX	256	/* article fetches waiting, all sources together; more are skipped */

/* How a poll ended, as the log and /metrics name it. */
static const char *const results[] = {
	"ok", "not-modified", "unchanged", "error", "refused", "too-big", "bad-feed", "retired", "paused",
};
#define N_RESULTS	(sizeof(results) / sizeof(results[0]))

/* A host's limits: transfers running to it, its last start, a Retry-After pause. */
struct host {
	char		*name;
	int		 inflight;
	int64_t		 last_start;
	int64_t		 paused_until;
	struct host	*next;
};

/* A source's counters for /metrics, since the daemon started: a reload carries them over by name. */
struct job_counts {
	uint32_t	 polls[N_RESULTS];
	uint32_t	 articles[2];	/* fulltext: stored, failed */
	uint64_t	 bytes, stored;
};

struct job {
	struct poller		*p;
	const struct conf_source *src;
	struct source_state	 st;
	char			*strs;		/* st's strings, packed in one block (compact_state) */
	struct host		*host;
	bool			 queued, running;
	/* One poll. */
	int64_t			 started;
	uint64_t		 hash;		/* FNV-1a of the body so far */
	struct buf		 head;		/* the body while it is short enough to keep */
	struct feed_parser	*parser;	/* once the body streams */
	struct feed		 feed;
	struct item_list	 items;
	struct parse_error	 perr;
	int			 parse_r;
	bool			 page;		/* a feed source's body is an HTML page: kept for discovery */
	char			*page_url;	/* the page a feed was just found on: this poll is the one hop */
	struct job		*next_queued;
	struct job_counts	 n;
};

/* An article fetch: a fulltext source's new item, whose page is to be its content. */
struct article {
	struct job	*j;		/* its source: a reload moves the queue to the new jobs */
	struct host	*host;
	char		*id, *url;	/* the item's, in the same allocation ... */
	char		*source;	/* ... as its source's name, for a reload */
	struct buf	 page;		/* the body, up to SCRAPE_MAX_PAGE */
	int64_t		 started;
	struct article	*next;
};

struct poller {
	uv_loop_t		*loop;
	struct conf		*conf;
	struct conf		*next_conf;	/* a reload waiting for the transfers to end */
	struct poller_opts	 o;
	struct store		*store;
	struct dedup		*dedup;
	uint64_t		 story_base;	/* added to the clusterer's story ids: see load_dedup() */
	struct fetcher		*fetcher;
	struct job		*jobs;
	size_t			 njobs;
	struct host		*hosts;
	struct job		*queue, *queue_tail;
	struct sched_heap	 due;		/* run: by next poll, each job not retired, queued or running */
	struct article		*articles, *articles_tail;	/* article fetches waiting to start */
	size_t			 narticles;	/* in that queue */
	size_t			 inflight;	/* polls and article fetches running */
	uv_timer_t		 wake;		/* the next due job, or the end of a host_delay */
	uv_timer_t		 grace;		/* the end of a stop's grace */
	uv_timer_t		 housekeeping;	/* run: save the clusterer, prune old items */
	uv_timer_t		 flush;		/* the end of a batch of polls */
	uv_timer_t		 publish;	/* run: the outputs, a little after new items */
	bool			 dirty;		/* items changed since the outputs were written */
	bool			 in_tx;		/* a batch's transaction is open */
	int			 batched;	/* polls in it */
	uint64_t		 publishes, publish_ms;	/* for /metrics */
	bool			 stopping;
	bool			 closed;	/* the timers and the fetcher are closing */
	int			 error;		/* the first store error: the poller stops on it */
	struct buf		 scratch;
	/*
	 * Strings a poll's end puts in a job's state until compact_state packs them into the job's
	 * own block: one arena for all jobs, not a 64 KB arena block each (10,000 sources held
	 * 640 MB of address space and 40 MB of memory that way).
	 */
	struct arena		 strs;
	bool			 strs_pinned;	/* a pack failed: a state may still point into strs */
};

static void dispatch(struct poller *p);
static void due_again(struct job *j);
static void enqueue(struct poller *p, struct job *j);
static void on_housekeeping(uv_timer_t *t);
static int save_dedup(struct poller *p);
static int publish_all(struct poller *p);
static int prune(struct poller *p);
static int swap_conf(struct poller *p);
static int read_jobs(struct poller *p);
static int article_add(struct job *j, const char *id, const char *url);
static int article_start(struct article *a, int64_t now);
static void article_append(struct poller *p, struct article *a);
static void article_unqueue(struct poller *p, struct article *a, struct article *prev);
static void article_free(struct article *a);
static void articles_drop(struct poller *p, const char *why);
static void articles_rehome(struct poller *p, struct article *list, bool keep);

static int64_t
now_ms(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
iso(int64_t ms, char out[DATE_RFC3339_LEN])
{
	date_format_rfc3339(ms / 1000, out);
}

/* ---- hosts ---- */

static struct host *
host_of(struct poller *p, const char *url)
{
	CURLU *u = curl_url();
	char *name = NULL;
	struct host *h;

	if (u != NULL && curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK)
		(void)curl_url_get(u, CURLUPART_HOST, &name, 0);
	curl_url_cleanup(u);
	for (h = p->hosts; h != NULL; h = h->next)
		if (strcasecmp(h->name, name != NULL ? name : "") == 0)
			break;
	if (h == NULL && (h = calloc(1, sizeof(*h))) != NULL) {
		h->name = strdup(name != NULL ? name : "");
		if (h->name == NULL) {
			free(h);
			h = NULL;
		} else {
			h->next = p->hosts;
			p->hosts = h;
		}
	}
	curl_free(name);
	return h;
}

/* ---- the body ---- */

static int
on_item(void *ctx, const struct feed *f, const struct item *it)
{
	struct job *j = ctx;

	(void)f;
	return item_list_add(&j->items, it);
}

/* A charset parameter of a Content-Type, in out (empty when none). */
static void
content_charset(const char *ct, char out[64])
{
	const char *p;
	size_t n;

	out[0] = '\0';
	for (p = ct; p != NULL && *p != '\0' && strncasecmp(p, "charset=", 8) != 0; p++)
		;
	if (p == NULL || *p == '\0')
		return;
	p += 8;
	if (*p == '"')
		p++;
	n = strcspn(p, "\"; \t");
	if (n > 0 && n < 64) {
		memcpy(out, p, n);
		out[n] = '\0';
	}
}

/* What the parser or the scraper is told of the body: its URL, the transport's charset, now. */
static void
body_opts(struct job *j, const struct fetch_result *r, struct parse_opts *po, char cs[64])
{
	memset(po, 0, sizeof(*po));
	content_charset(r->content_type, cs);
	po->base_url = r->url != NULL ? r->url : j->st.url;
	po->charset = cs[0] != '\0' ? cs : NULL;
	po->now = now_ms() / 1000;
	feed_init(&j->feed);
	item_list_init(&j->items);
}

static int
parser_open(struct job *j, const struct fetch_result *r)
{
	struct parse_opts po;
	char cs[64];

	body_opts(j, r, &po, cs);
	return feed_parser_open(&j->parser, &po, &j->feed, &j->items.arena, on_item, j);
}

/*
 * A page of an html source through its rules into j->items: 0, or an error with the rule at fault
 * in j->perr.msg. The store keeps the items of earlier polls either way.
 */
static int
scrape_finish(struct job *j, const struct fetch_result *r)
{
	struct scrape_error se = { 0 };
	struct parse_opts po;
	char cs[64];
	int rc;

	body_opts(j, r, &po, cs);
	rc = scrape_page(j->head.data != NULL ? j->head.data : "", j->head.len, &j->src->rules, &po, &j->feed,
	    &j->items, &se);
	if (rc < 0 && rc != -ENOMEM) {
		char why[sizeof(se.msg) + 64];
		size_t n;

		(void)snprintf(why, sizeof(why), "%s%s%s", se.rule != NULL ? se.rule : "",
		    se.rule != NULL ? " rule: " : "", se.msg);
		n = strlen(why) < sizeof(j->perr.msg) ? strlen(why) : sizeof(j->perr.msg) - 1;	/* longer is cut */
		memcpy(j->perr.msg, why, n);
		j->perr.msg[n] = '\0';
	}
	return rc;
}

/* FNV-1a over a streaming body: byte by byte, so the chunks' sizes do not matter. */
static uint64_t
fnv(uint64_t h, const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)p[i]) * FNV_PRIME;
	return h;
}

#define PAGE_SNIFF	4096	/* bytes of a body looked at to tell a page from a feed */

/* Whether the body of a feed source, j->head then data, is a page (parse_is_page). */
static bool
body_is_page(struct job *j, const struct fetch_result *so_far, const char *data, size_t n)
{
	char s[PAGE_SNIFF];
	size_t k = j->head.len < sizeof(s) ? j->head.len : sizeof(s), more;

	if (j->src->type != SOURCE_FEED)
		return false;
	if (k == sizeof(s) || n == 0)	/* the kept body alone: no copy (every poll's end asks) */
		return parse_is_page(j->head.data != NULL ? j->head.data : "", k, so_far->content_type);
	more = n < sizeof(s) - k ? n : sizeof(s) - k;
	if (k > 0)
		memcpy(s, j->head.data, k);
	memcpy(s + k, data, more);
	return parse_is_page(s, k + more, so_far->content_type);
}

/* The hop's feed is a page again: not discovered further (at most one hop a poll). */
static int
page_again(struct job *j)
{
	(void)snprintf(j->perr.msg, sizeof(j->perr.msg), "the feed found on the page is an HTML page too");
	return -EBADMSG;
}

/*
 * The body as it arrives. Up to POLL_BUFFERED_BODY it is only kept (and hashed whole at the end:
 * item_hash_bytes); past that it streams into the parser, hashed on the way (fnv). Which of the
 * two a body gets depends on its length alone, so the same body always hashes the same.
 */
static int
on_body(void *ctx, const struct fetch_result *so_far, const char *data, size_t n)
{
	struct job *j = ctx;
	int r;

	if (j->src->type == SOURCE_HTML || j->page) {
		/* A page is read whole, up to what scrape_page() reads; the rest is dropped unread. */
		j->head.max = SCRAPE_MAX_PAGE;
		if (j->head.len < SCRAPE_MAX_PAGE)
			return buf_append(&j->head, data, n < SCRAPE_MAX_PAGE - j->head.len ? n :
			    SCRAPE_MAX_PAGE - j->head.len) < 0;
		return 0;
	}
	if (j->parser == NULL && j->head.len + n <= POLL_BUFFERED_BODY)
		return buf_append(&j->head, data, n) < 0;
	if (j->parser == NULL && body_is_page(j, so_far, data, n)) {
		/* A page, not a feed: kept for discovery, not parsed (or refused, on the hop). */
		if (j->page_url != NULL) {
			j->parse_r = page_again(j);
			return 1;
		}
		j->page = true;
		return on_body(ctx, so_far, data, n);
	}
	if (j->parser == NULL) {
		/* Too long to keep: it streams from here on. */
		j->hash = fnv(j->hash, j->head.data, j->head.len);
		r = parser_open(j, so_far);
		if (r == 0 && j->head.len > 0)
			r = feed_parser_push(j->parser, j->head.data, j->head.len, &j->perr);
		buf_release(&j->head);
		buf_init(&j->head, POLL_BUFFERED_BODY);
		if (r < 0) {
			j->parse_r = r;
			return 1;
		}
	}
	j->hash = fnv(j->hash, data, n);
	j->parse_r = feed_parser_push(j->parser, data, n, &j->perr);
	return j->parse_r < 0;
}

/* Ends the parse of a 200's body: 0, or what the parser said. */
static int
parse_finish(struct job *j, const struct fetch_result *r)
{
	int rc;

	if (j->parse_r < 0)
		return j->parse_r;
	if (j->src->type == SOURCE_HTML)
		return scrape_finish(j, r);
	if (j->parser == NULL) {
		if ((rc = parser_open(j, r)) < 0)
			return rc;
		rc = feed_parser_push(j->parser, j->head.data, j->head.len, &j->perr);
		if (rc < 0)
			return rc;
	}
	return feed_parser_finish(j->parser, &j->perr);
}

static void
poll_reset(struct job *j)
{
	feed_parser_close(j->parser);
	j->parser = NULL;
	item_list_release(&j->items);
	feed_release(&j->feed);
	feed_init(&j->feed);
	buf_release(&j->head);
	buf_init(&j->head, POLL_BUFFERED_BODY);
	j->parse_r = 0;
	j->page = false;
	j->hash = 0xcbf29ce484222325ULL;
	memset(&j->perr, 0, sizeof(j->perr));
}

/* ---- items ---- */

/*
 * The clusterer as the store has it, in p->dedup (once loaded, nothing more), with the offset of
 * its story ids; 0, -ENOMEM, or the store's error. The state is saved every few minutes, so after
 * an unclean stop the store can hold stories the loaded clusterer has not made yet, and a state
 * this version cannot read starts over at story 0 (and says so): either way the offset moves the
 * clusterer's next id past every stored story, so that no published id ever names a second
 * story. (The stories of that gap are not in the clusterer: their items' next copies start
 * stories of their own.)
 */
static int
load_dedup(struct poller *p)
{
	struct dedup_opts dopts = { .explain = p->o.verbose, .trailers = p->conf->trailers };
	uint64_t next, stored;
	int r;

	if (p->dedup != NULL)
		return 0;
	if ((r = store_blob_get(p->store, STORY_BASE_KEY, &p->scratch)) < 0)
		return r;
	if (p->scratch.len == sizeof(p->story_base))
		memcpy(&p->story_base, p->scratch.data, sizeof(p->story_base));
	if ((r = store_blob_get(p->store, DEDUP_KEY, &p->scratch)) < 0)
		return r;
	r = p->scratch.len > 0 ? dedup_load(&p->dedup, &dopts, p->scratch.data, p->scratch.len) : -ENOENT;
	if (r == -EINVAL)
		log_warn("dedup: the saved state is not readable by this version: starting afresh");
	if (r == -ENOMEM || (r < 0 && (r = dedup_new(&p->dedup, &dopts)) < 0))
		return r;
	buf_release(&p->scratch);	/* the saved state can be large: not kept for the scratch's sake */
	buf_init(&p->scratch, INT32_MAX);
	if ((r = store_story_next(p->store, &stored)) < 0)
		return r;
	next = p->story_base + dedup_next_story(p->dedup);
	if (next < stored) {
		log_warn("dedup: the store has stories %" PRIu64 "-%" PRIu64 " that the saved state does not:"
		    " new stories start at %" PRIu64, next, stored - 1, stored);
		p->story_base += stored - next;
	}
	return 0;
}

/*
 * Each item through dedup into the store; *fresh counts the new or changed ones. A fulltext
 * source's new items queue their article fetches, and so do its changed items that now link to
 * another page (one that changed at the same link keeps its article: the page is not fetched again).
 */
static int
store_items(struct job *j, int64_t now, size_t *fresh)
{
	struct poller *p = j->p;
	struct dedup_result res;
	struct dedup_item di;
	struct source src = { .name = j->src->name, .feed_url = j->st.url };
	struct item it;
	size_t i, skipped = 0;
	int r = 0, changed;

	*fresh = 0;
	if (j->items.len > 0 && (r = load_dedup(p)) < 0)
		return r;
	for (i = 0; r == 0 && i < j->items.len; i++) {
		it = j->items.items[i];
		it.source = &src;
		src.url = it.url;
		memset(&di, 0, sizeof(di));
		di.source = j->src->name;
		di.id = it.id;
		di.url = it.url;
		di.title = it.title;
		di.text = it.summary;
		if (di.text == NULL && it.content_html != NULL) {
			/* dedup reads the lead: the start of a long article is enough, and cheaper. */
			size_t n = strlen(it.content_html);

			if (n > LEAD_HTML_MAX)
				for (n = LEAD_HTML_MAX; n > 0 && ((unsigned char)it.content_html[n] & 0xc0) == 0x80; n--)
					;
			buf_clear(&p->scratch);
			if (text_from_html(it.content_html, n, &p->scratch) == 0)
				di.text = buf_str(&p->scratch);
		}
		di.date = it.date_published != DATE_NONE ? it.date_published : now / 1000;
		di.priority = j->src->priority;
		if ((r = dedup_add(p->dedup, &di, &res)) < 0)
			break;
		if (p->o.verbose && res.how != DEDUP_SAME_ITEM)
			log_debug("item source=%s id=%s story=%" PRIu64 " %s", j->src->name, it.id,
			    p->story_base + res.story, res.why);
		r = store_item_put(p->store, j->src->name, &it, p->story_base + res.story, now, &changed);
		*fresh += changed != STORE_ITEM_SAME;
		if (r == 0 && (changed == STORE_ITEM_NEW || changed == STORE_ITEM_UPDATED) && j->src->fulltext &&
		    it.url != NULL &&
		    (r = article_add(j, it.id, it.url)) == -ENOSPC) {
			skipped++;
			r = 0;
		}
	}
	if (skipped > 0)
		log_warn("fulltext source=%s result=queue-full skipped=%zu: these keep their feed's content",
		    j->src->name, skipped);
	return r;
}

/* ---- one poll's end ---- */

/*
 * The state's strings packed into one block of the job's own: each poll puts new ones in p->strs,
 * which is emptied after, and a source keeps only the bytes of its strings. On ENOMEM the state
 * keeps pointing where it did, and p->strs is never emptied again.
 */
static int
compact_state(struct job *j)
{
	struct poller *p = j->p;
	const char **field[] = { &j->st.url, &j->st.etag, &j->st.last_modified, &j->st.last_error,
	    &j->st.moved_to };
	size_t len[sizeof(field) / sizeof(field[0])], i, total = 0;
	char *block, *d;

	for (i = 0; i < sizeof(field) / sizeof(field[0]); i++) {
		len[i] = *field[i] != NULL ? strlen(*field[i]) + 1 : 0;
		total += len[i];
	}
	if ((block = malloc(total > 0 ? total : 1)) == NULL) {
		p->strs_pinned = true;
		return -ENOMEM;
	}
	for (d = block, i = 0; i < sizeof(field) / sizeof(field[0]); i++)
		if (*field[i] != NULL) {
			memcpy(d, *field[i], len[i]);
			*field[i] = d;
			d += len[i];
		}
	free(j->strs);
	j->strs = block;
	if (!p->strs_pinned)
		arena_reset(&p->strs);
	return 0;
}

static void
on_publish(uv_timer_t *t)
{
	struct poller *p = t->data;

	if (!p->stopping && publish_all(p) < 0) {
		log_error("publish error=%s: stopping", strerror(-(p->error != 0 ? p->error : EIO)));
		poller_stop(p, 0);
	}
}

/* New items: the outputs are written PUBLISH_DELAY_MS later (run), or at the end (once). */
static void
mark_dirty(struct poller *p)
{
	p->dirty = true;
	if (!p->o.once && !uv_is_active((uv_handle_t *)&p->publish))
		(void)uv_timer_start(&p->publish, on_publish, PUBLISH_DELAY_MS, 0);
}

/*
 * Polls are committed in batches (BATCH_POLLS, or BATCH_MS after the first): each poll is whole in
 * one transaction, and ten thousand polls do not cost ten thousand commits. A crash loses at most
 * the open batch, whose sources are simply polled again.
 */
static int
batch_begin(struct poller *p)
{
	int r;

	if (p->in_tx)
		return 0;
	if ((r = store_begin(p->store)) == 0)
		p->in_tx = true;
	return r;
}

/* Commits the open batch: 0, or the store's error (the batch rolled back, the poller stopping). */
static int
batch_commit(struct poller *p)
{
	int r = 0;

	(void)uv_timer_stop(&p->flush);
	if (p->in_tx && (r = store_commit(p->store)) < 0) {
		store_rollback(p->store);
		if (p->error == 0)
			p->error = r;
	}
	p->in_tx = false;
	p->batched = 0;
	return r;
}

static void
on_flush(uv_timer_t *t)
{
	struct poller *p = t->data;

	if (batch_commit(p) < 0) {
		log_error("store error=%s: stopping", strerror(-p->error));
		poller_stop(p, 0);
	}
}

/* A failure: the error counted, the next poll backed off. */
static void
failed(struct job *j, int64_t now, long status, const char *why)
{
	struct poller *p = j->p;
	struct sched_bounds b = {
		.interval = j->src->interval != 0 ? j->src->interval : p->conf->interval,
		.min_interval = p->conf->min_interval, .max_interval = p->conf->max_interval,
	};

	j->st.errors++;
	j->st.last_status = (int)status;
	j->st.last_error = arena_strdup(&j->p->strs, why);
	j->st.next_poll = now + sched_backoff(j->st.errors, &b, sched_random());
}

/*
 * The validators of a 200 that was read: each as the answer gave it (an absent one is dropped,
 * never kept stale). Not for a body that failed to parse: its validators would turn the next
 * poll into a 304, and the broken feed would look healthy without being read again.
 */
static void
take_validators(struct job *j, const struct fetch_result *r)
{
	j->st.etag = r->etag != NULL ? arena_strdup(&j->p->strs, r->etag) : NULL;
	j->st.last_modified = r->last_modified != NULL ? arena_strdup(&j->p->strs, r->last_modified) : NULL;
}

/* What a feed that was read asks of its schedule, kept for the polls that read none (304). */
static void
take_hints(struct job *j)
{
	j->st.feed_every = j->feed.poll_every * 1000;
	j->st.skip_hours = j->feed.skip_hours;
	j->st.skip_days = j->feed.skip_days;
}

/*
 * The state after an answer that was not an error (200 or 304). The next poll is no sooner than
 * the server (Cache-Control, Expires) or the feed (ttl, sy:updatePeriod) asked, and outside the
 * hours and days the feed asks to be skipped.
 */
static void
answered(struct job *j, const struct fetch_result *r, int64_t now, size_t fresh)
{
	struct poller *p = j->p;
	struct sched_bounds b = {
		.interval = j->src->interval != 0 ? j->src->interval : p->conf->interval,
		.min_interval = p->conf->min_interval, .max_interval = p->conf->max_interval,
	};
	int64_t floor = sched_fresh_for(r->cache_control, r->expires, now);
	struct host *h;

	if (floor < j->st.feed_every)
		floor = j->st.feed_every;

	j->st.errors = 0;
	j->st.last_status = (int)r->status;
	j->st.last_error = NULL;
	j->st.last_success = now;
	if (fresh > 0)
		j->st.last_item = now;
	j->st.interval = sched_adapt(j->st.interval, fresh > 0, floor > 0 ? floor : 0, &b);
	j->st.next_poll = sched_skip(now + sched_jitter(j->st.interval, sched_random()), j->st.skip_hours,
	    j->st.skip_days);

	/* A permanent redirect moves the source only when seen SCHED_MOVED_CONFIRM polls in a row. */
	if (r->moved_to != NULL && j->st.moved_to != NULL && strcmp(r->moved_to, j->st.moved_to) == 0) {
		j->st.moved_count++;
	} else if (r->moved_to != NULL) {
		j->st.moved_to = arena_strdup(&j->p->strs, r->moved_to);
		j->st.moved_count = j->st.moved_to != NULL;
	} else {
		j->st.moved_to = NULL;
		j->st.moved_count = 0;
	}
	if (j->st.moved_to != NULL && j->st.moved_count >= SCHED_MOVED_CONFIRM) {
		log_info("moved source=%s from=%s to=%s", j->src->name, j->st.url, j->st.moved_to);
		j->st.url = j->st.moved_to;
		j->st.moved_to = NULL;
		j->st.moved_count = 0;
		if ((h = host_of(p, j->st.url)) != NULL)
			j->host = h;	/* else the old host's limits go on applying */
	}
}

/* The source polled at url again, from nothing: no validators, no body hash, no move seen. */
static void
poll_from(struct job *j, const char *url)
{
	struct host *h;

	j->st.url = url;
	j->st.etag = j->st.last_modified = j->st.moved_to = NULL;
	j->st.moved_count = 0;
	j->st.body_hash = 0;
	if ((h = host_of(j->p, j->st.url)) != NULL)
		j->host = h;
}

/* Where discovery puts the first feed a page advertises other than the page itself. */
struct first_feed {
	struct job	*j;
	const char	*page;	/* the page's URL */
	const char	*url;	/* in p->strs; NULL until found */
};

static int
on_discovered(void *ctx, const struct scrape_feed *f)
{
	struct first_feed *ff = ctx;

	if (strcmp(f->url, ff->page) == 0)
		return 0;	/* the page names itself: not a feed */
	if ((ff->url = arena_strdup(&ff->j->p->strs, f->url)) == NULL)
		return -ENOMEM;
	return 1;
}

/*
 * Autodiscovery: a feed source answered with a page (j->head). The first feed it advertises
 * becomes the source's URL, as a confirmed move does, without the page's validators or body hash,
 * and is polled next, as this poll's one hop (j->page_url). 0, or an error with j->perr.msg set.
 */
static int
discover(struct job *j, const struct fetch_result *r, int64_t now)
{
	struct parse_opts po = { 0 };
	struct first_feed ff = { .j = j };
	char cs[64];
	int rc;

	if (j->page_url != NULL)
		return page_again(j);
	content_charset(r->content_type, cs);
	po.base_url = ff.page = r->url != NULL ? r->url : j->st.url;
	po.charset = cs[0] != '\0' ? cs : NULL;
	po.now = now / 1000;
	rc = scrape_discover(j->head.data != NULL ? j->head.data : "", j->head.len, &po, on_discovered, &ff);
	if (rc < 0)
		return rc;
	if (ff.url == NULL) {
		(void)snprintf(j->perr.msg, sizeof(j->perr.msg), "an HTML page that advertises no feed");
		return -EBADMSG;
	}
	if ((j->page_url = strdup(j->st.url)) == NULL)
		return -ENOMEM;
	log_info("discovered source=%s page=%s feed=%s", j->src->name, j->st.url, ff.url);
	poll_from(j, ff.url);
	j->st.next_poll = now;
	return 0;
}

/*
 * The end of a hop's poll: a feed that did not answer sends the source back to its page, so the
 * next poll discovers again (and a 410 of the feed retires nothing).
 */
static void
hop_end(struct job *j, int64_t now, const char **what)
{
	if (strcmp(*what, "ok") == 0 || strcmp(*what, "unchanged") == 0 || strcmp(*what, "not-modified") == 0)
		return;
	if (j->st.retired) {
		j->st.retired = false;
		failed(j, now, 410, "HTTP 410");
		*what = "error";
	}
	poll_from(j, j->page_url);
}

static void
on_done(void *ctx, const struct fetch_result *r)
{
	struct job *j = ctx;
	struct poller *p = j->p;
	int64_t now = now_ms(), until;
	size_t fresh = 0;
	const char *what = "error";
	char when[DATE_RFC3339_LEN];
	size_t k;
	int rc = 0;

	j->running = false;
	j->host->inflight--;
	p->inflight--;
	j->st.last_poll = now;
	if (r->error == FETCH_CANCELLED) {
		/* Stopping: the state stays as it was; the next run polls it again. */
		free(j->page_url);
		j->page_url = NULL;
		poll_reset(j);
		dispatch(p);
		return;
	}
	if (p->error == 0 && (rc = batch_begin(p)) < 0)
		p->error = rc;

	if (r->error == FETCH_ABORTED && j->parse_r < 0) {
		failed(j, now, r->status, j->perr.msg[0] != '\0' ? j->perr.msg : strerror(-j->parse_r));
		what = "bad-feed";
	} else if (r->error != FETCH_OK) {
		failed(j, now, r->status, r->msg);
		what = r->error == FETCH_REFUSED ? "refused" : r->error == FETCH_TOO_BIG ? "too-big" : "error";
	} else if (r->status == 304) {
		if (r->etag != NULL)
			j->st.etag = arena_strdup(&j->p->strs, r->etag);
		answered(j, r, now, 0);
		what = "not-modified";
	} else if (r->status >= 200 && r->status < 300) {
		if (j->parser == NULL && !j->page)
			j->hash = item_hash_bytes(j->head.data, j->head.len);
		if (j->page || (j->parser == NULL && body_is_page(j, r, NULL, 0))) {
			if ((rc = discover(j, r, now)) == 0) {
				what = NULL;	/* not a poll of its own: the feed's follows */
			} else {
				failed(j, now, r->status, j->perr.msg[0] != '\0' ? j->perr.msg : strerror(-rc));
				what = "bad-feed";
			}
			rc = 0;
		} else if (j->parser == NULL && j->hash == j->st.body_hash && j->st.body_hash != 0) {
			take_validators(j, r);
			answered(j, r, now, 0);
			what = "unchanged";
		} else if ((rc = parse_finish(j, r)) < 0) {
			failed(j, now, r->status, j->perr.msg[0] != '\0' ? j->perr.msg : strerror(-rc));
			what = "bad-feed";
			rc = 0;
		} else if (j->hash == j->st.body_hash) {
			take_validators(j, r);
			answered(j, r, now, 0);	/* a long body, the same again: parsed, not stored */
			what = "unchanged";
		} else {
			take_validators(j, r);
			take_hints(j);
			j->st.body_hash = j->hash;
			if (p->error == 0 && (rc = store_items(j, now, &fresh)) < 0)
				p->error = rc;
			if (fresh > 0)
				mark_dirty(p);
			answered(j, r, now, fresh);
			what = "ok";
		}
	} else if (r->status == 410 && j->page_url == NULL && strcmp(j->st.url, j->src->url) != 0) {
		/*
		 * Gone where the source moved to, or where its page pointed: the configured URL
		 * decides again (its page may advertise a new feed; a redirect to here retires it).
		 */
		failed(j, now, 410, "HTTP 410 at a moved or discovered URL: back to the configured one");
		poll_from(j, j->src->url);
	} else if (r->status == 410) {
		j->st.retired = true;
		j->st.last_status = 410;
		j->st.last_error = "410 Gone: retired";
		what = "retired";
	} else if ((r->status == 429 || r->status == 503) &&
	    (until = sched_retry_after(r->retry_after, now, p->conf->min_interval)) > 0) {
		/*
		 * A rate limit is the server's, not the URL's: the whole host that answered waits
		 * (after a redirect, not the source's own), and so does the source.
		 */
		struct host *h = r->url != NULL ? host_of(p, r->url) : NULL;

		if (h == NULL)
			h = j->host;
		h->paused_until = until;
		j->st.errors = 0;	/* the server said when: no failure to back off from */
		j->st.last_status = (int)r->status;
		j->st.next_poll = until;
		if (p->error == 0 && (rc = store_host_pause(p->store, h->name, until)) < 0)
			p->error = rc;
		iso(until, when);
		log_info("paused host=%s until=%s status=%ld", h->name, when, r->status);
		what = "paused";
	} else {
		char why[64];

		(void)snprintf(why, sizeof(why), "HTTP %ld", r->status);
		failed(j, now, r->status, why);
	}
	if (j->page_url != NULL && what != NULL)
		hop_end(j, now, &what);

	if ((rc = compact_state(j)) < 0 && p->error == 0)
		p->error = rc;
	if (rc == 0 && j->page_url != NULL && what != NULL) {
		free(j->page_url);	/* the state no longer points to it */
		j->page_url = NULL;
	}
	if (p->error == 0 && (rc = store_source_put(p->store, j->src->name, &j->st)) < 0)
		p->error = rc;
	if (p->error == 0 && ++p->batched >= BATCH_POLLS)
		(void)batch_commit(p);
	else if (p->error == 0 && !uv_is_active((uv_handle_t *)&p->flush))
		(void)uv_timer_start(&p->flush, on_flush, BATCH_MS, 0);
	if (p->error != 0) {
		store_rollback(p->store);
		p->in_tx = false;
		log_error("store error=%s: stopping", strerror(-p->error));
		poller_stop(p, 0);
	}
	j->n.bytes += r->bytes;
	if (what == NULL) {
		/* Discovered: the feed is polled now, in this run, whatever the mode. */
		poll_reset(j);
		enqueue(p, j);
		dispatch(p);
		return;
	}
	for (k = 0; k < N_RESULTS && strcmp(results[k], what) != 0; k++)
		;
	j->n.polls[k < N_RESULTS ? k : 3]++;
	j->n.stored += fresh;
	iso(j->st.next_poll, when);
	log_info("poll source=%s result=%s status=%ld bytes=%zu items=%zu new=%zu ms=%" PRId64
	    " next=%s%s%s", j->src->name, what, r->status, r->bytes, j->items.len, fresh, now - j->started,
	    j->st.retired ? "never" : when, j->st.last_error != NULL ? " error=" : "",
	    j->st.last_error != NULL ? j->st.last_error : "");
	due_again(j);
	poll_reset(j);
	dispatch(p);
}

/* ---- the schedule ---- */

static int
start(struct job *j, int64_t now)
{
	struct fetch_request rq = {
		.url = j->st.url, .etag = j->st.etag, .last_modified = j->st.last_modified,
		.allow_private = j->src->allow_private, .allow_file = j->src->allow_file,
		.on_body = on_body, .on_done = on_done, .ctx = j,
	};
	int r;

	poll_reset(j);
	j->started = now;
	if ((r = fetch_start(j->p->fetcher, &rq)) < 0)
		return r;
	j->running = true;
	j->host->inflight++;
	j->host->last_start = now;
	j->p->inflight++;
	return 0;
}

static void
enqueue(struct poller *p, struct job *j)
{
	if (j->queued || j->running)
		return;
	j->queued = true;
	j->next_queued = NULL;
	if (p->queue_tail != NULL)
		p->queue_tail->next_queued = j;
	else
		p->queue = j;
	p->queue_tail = j;
}

/* Takes j, which follows prev (NULL: j is first), off the queue. */
static void
unqueue(struct poller *p, struct job *j, struct job *prev)
{
	if (prev != NULL)
		prev->next_queued = j->next_queued;
	else
		p->queue = j->next_queued;
	if (p->queue_tail == j)
		p->queue_tail = prev;
	j->queued = false;
}

/*
 * Whether the source's last answer was a Retry-After that has not passed (a 429 or 503 that was
 * no failure): its host's pause says so too, unless the answer came from a host it was
 * redirected to.
 */
static bool
source_paused(const struct job *j, int64_t now)
{
	return (j->st.last_status == 429 || j->st.last_status == 503) && j->st.errors == 0 &&
	    j->st.next_poll > now;
}

/*
 * Whether a transfer to h may start now: fewer than per_host running, no pause, host_delay since
 * the last start. When not, the moment that may change (a pause's or a delay's end) is folded into
 * *wake; the end of a transfer calls dispatch() anyway.
 */
static bool
host_may_start(const struct host *h, const struct conf *c, int64_t now, int64_t *wake)
{
	int64_t t = h->last_start + c->host_delay;

	if (h->inflight < c->per_host && h->paused_until <= now && t <= now)
		return true;
	if (h->paused_until > now && h->paused_until < *wake)
		*wake = h->paused_until;
	else if (h->inflight < c->per_host && h->paused_until <= now && t < *wake)
		*wake = t;
	return false;
}

/* Under run, a job that is not queued or running waits in the heap for its next poll. */
static void
due_again(struct job *j)
{
	if (!j->p->o.once && !j->st.retired)
		sched_heap_set(&j->p->due, (uint32_t)(j - j->p->jobs), j->st.next_poll);
}

static void
on_wake(uv_timer_t *t)
{
	dispatch(t->data);
}

/*
 * Starts what the limits let start, queues what has come due, and sets the wake timer for the
 * next moment something may change; in once mode, the loop runs dry when nothing is left.
 */
static void
dispatch(struct poller *p)
{
	const struct conf *c;
	struct job *j, *prev = NULL, *next;
	struct article *a, *aprev = NULL, *anext;
	int64_t now = now_ms(), wake = INT64_MAX, when;
	uint32_t id;

	if (p->next_conf != NULL && !p->stopping) {
		if (p->inflight > 0)
			return;		/* no new transfer until the reload */
		if (swap_conf(p) < 0)
			poller_stop(p, 0);
	}
	if (p->stopping) {
		articles_drop(p, "stopping");	/* the running ones are cancelled with the polls */
		/*
		 * The last transfer has ended: its batch is committed, the clusterer saved (after
		 * the polls that finished in the grace), the handles close, and the loop runs dry.
		 */
		if (p->inflight == 0 && !p->closed) {
			p->closed = true;
			(void)batch_commit(p);
			if (p->error == 0 && (publish_all(p) < 0 || save_dedup(p) < 0 ||
			    (p->o.once && prune(p) < 0)))
				p->error = p->error != 0 ? p->error : -EIO;
			uv_close((uv_handle_t *)&p->wake, NULL);
			uv_close((uv_handle_t *)&p->grace, NULL);
			uv_close((uv_handle_t *)&p->housekeeping, NULL);
			uv_close((uv_handle_t *)&p->flush, NULL);
			uv_close((uv_handle_t *)&p->publish, NULL);
			fetcher_free(p->fetcher);
			p->fetcher = NULL;
			if (p->o.on_stopped != NULL)
				p->o.on_stopped(p->o.ctx);
		}
		return;
	}
	c = p->conf;		/* after a reload's swap */
	while (sched_heap_first(&p->due, &id, &when) && when <= now) {
		sched_heap_remove(&p->due, id);
		enqueue(p, &p->jobs[id]);
	}
	for (j = p->queue; j != NULL && p->inflight < (size_t)c->concurrency; j = next) {
		next = j->next_queued;
		if (p->o.once && (j->host->paused_until > now || source_paused(j, now))) {
			/* once respects a pause by leaving the source to a later run. */
			unqueue(p, j, prev);
			log_info("poll source=%s result=host-paused host=%s", j->src->name, j->host->name);
			continue;
		}
		if (!host_may_start(j->host, c, now, &wake)) {
			prev = j;
			continue;
		}
		unqueue(p, j, prev);
		if (start(j, now) < 0) {
			log_error("poll source=%s: cannot start a transfer", j->src->name);
			j->st.next_poll = now + c->min_interval;
			due_again(j);
		}
	}
	/* The article fetches, under the same limits; a poll that is due goes first. */
	for (a = p->articles; a != NULL && p->inflight < (size_t)c->concurrency; a = anext) {
		anext = a->next;
		if (p->o.once && a->host->paused_until > now) {
			article_unqueue(p, a, aprev);
			log_info("fulltext source=%s url=%s result=host-paused host=%s", a->j->src->name, a->url,
			    a->host->name);
			article_free(a);
			continue;
		}
		if (!host_may_start(a->host, c, now, &wake)) {
			aprev = a;
			continue;
		}
		article_unqueue(p, a, aprev);
		if (article_start(a, now) < 0) {
			log_error("fulltext source=%s url=%s result=error error=cannot start a transfer",
			    a->j->src->name, a->url);
			article_free(a);
		}
	}
	if (p->o.once && p->queue == NULL && p->articles == NULL && p->inflight == 0) {
		poller_stop(p, 0);
		return;
	}
	if (sched_heap_first(&p->due, &id, &when) && when < wake)
		wake = when;	/* the next job due (or put back by a start that failed) */
	if (wake != INT64_MAX)
		(void)uv_timer_start(&p->wake, on_wake, (uint64_t)(wake > now ? wake - now : 0), 0);
}

/* ---- full text ---- */

/* The host of a's URL, into a->host: 0, -ENOMEM, or the store's error. */
static int
article_host(struct poller *p, struct article *a)
{
	if ((a->host = host_of(p, a->url)) == NULL)
		return -ENOMEM;
	/* A host nothing has been sent to since the start may have a pause in the store. */
	if (a->host->last_start == 0 && a->host->inflight == 0 && a->host->paused_until == 0)
		return store_host_paused(p->store, a->host->name, &a->host->paused_until);
	return 0;
}

/*
 * Queues the article fetch of a fulltext source's item (new, or linking to another page): 0;
 * -ENOSPC when FULLTEXT_QUEUE_MAX wait (the item keeps its feed's content); -ENOMEM, or the
 * store's error. A fetch that waits already for the item is kept when it is for the same page,
 * else replaced.
 */
static int
article_add(struct job *j, const char *id, const char *url)
{
	struct poller *p = j->p;
	struct article *a, *prev = NULL;
	size_t nid = strlen(id) + 1, nurl = strlen(url) + 1, nsrc = strlen(j->src->name) + 1;
	int r;

	for (a = p->articles; a != NULL; prev = a, a = a->next) {
		if (strcmp(a->id, id) != 0 || strcmp(a->source, j->src->name) != 0)
			continue;
		if (strcmp(a->url, url) == 0)
			return 0;	/* an item its feed carries twice */
		article_unqueue(p, a, prev);	/* it moved again before its turn */
		article_free(a);
		break;
	}
	if (p->narticles >= FULLTEXT_QUEUE_MAX)
		return -ENOSPC;
	if ((a = calloc(1, sizeof(*a) + nid + nurl + nsrc)) == NULL)
		return -ENOMEM;
	a->j = j;
	a->id = (char *)(a + 1);
	a->url = a->id + nid;
	a->source = a->url + nurl;
	memcpy(a->id, id, nid);
	memcpy(a->url, url, nurl);
	memcpy(a->source, j->src->name, nsrc);
	buf_init(&a->page, SCRAPE_MAX_PAGE);
	if ((r = article_host(p, a)) < 0) {
		free(a);
		return r;
	}
	article_append(p, a);
	return 0;
}

/* Puts a at the end of the queue. */
static void
article_append(struct poller *p, struct article *a)
{
	if (p->articles_tail != NULL)
		p->articles_tail->next = a;
	else
		p->articles = a;
	p->articles_tail = a;
	p->narticles++;
}

/* Takes a, which follows prev (NULL: a is first), off the queue. */
static void
article_unqueue(struct poller *p, struct article *a, struct article *prev)
{
	if (prev != NULL)
		prev->next = a->next;
	else
		p->articles = a->next;
	if (p->articles_tail == a)
		p->articles_tail = prev;
	a->next = NULL;
	p->narticles--;
}

static void
article_free(struct article *a)
{
	if (a != NULL)
		buf_release(&a->page);
	free(a);
}

/* Drops the queued article fetches (not the running ones): their items keep their feed's content. */
static void
articles_drop(struct poller *p, const char *why)
{
	struct article *a;
	size_t n = p->narticles;

	while ((a = p->articles) != NULL) {
		article_unqueue(p, a, NULL);
		article_free(a);
	}
	if (n > 0)
		log_info("fulltext result=dropped articles=%zu reason=%s", n, why);
}

/*
 * After a reload: the queue that was (list), each article with its source's new job and host (with
 * keep); one whose source is gone, or has no fulltext any more, is dropped.
 */
static void
articles_rehome(struct poller *p, struct article *list, bool keep)
{
	const struct conf_source *src;
	struct article *a;
	size_t dropped = 0;

	while ((a = list) != NULL) {
		list = a->next;
		a->next = NULL;
		src = keep ? conf_source_find(p->conf, a->source) : NULL;
		if (src == NULL || !src->fulltext || article_host(p, a) < 0) {
			article_free(a);
			dropped++;
			continue;
		}
		a->j = &p->jobs[src - p->conf->sources];	/* job i is source i */
		article_append(p, a);
	}
	if (dropped > 0)
		log_info("fulltext result=dropped articles=%zu reason=reload", dropped);
}

/* The page as it arrives: read whole up to SCRAPE_MAX_PAGE, the rest dropped unread. */
static int
article_body(void *ctx, const struct fetch_result *so_far, const char *data, size_t n)
{
	struct article *a = ctx;
	size_t room = SCRAPE_MAX_PAGE - a->page.len;

	(void)so_far;
	if (a->page.len >= SCRAPE_MAX_PAGE)
		return 0;
	return buf_append(&a->page, data, n < room ? n : room) < 0;
}

/*
 * The article out of a 200's page into the store: "ok", or the result's name with why (a page
 * without article text, an item no longer stored or moved to another link). Store errors go to
 * p->error.
 */
static const char *
article_store(struct article *a, const struct fetch_result *r, char *why, size_t whylen)
{
	struct poller *p = a->j->p;
	struct scrape_error se = { 0 };
	struct parse_opts po = { 0 };
	struct buf out;
	char cs[64];
	int rc;

	content_charset(r->content_type, cs);
	po.base_url = r->url != NULL ? r->url : a->url;
	po.charset = cs[0] != '\0' ? cs : NULL;
	po.now = now_ms() / 1000;
	buf_init(&out, ITEM_MAX_FIELD);
	rc = extract_article(a->page.data != NULL ? a->page.data : "", a->page.len, &po,
	    a->j->src->rules.content, &out, &se);
	if (rc < 0) {
		(void)snprintf(why, whylen, "%s", se.msg[0] != '\0' ? se.msg : strerror(-rc));
		buf_release(&out);
		return rc == -ENOMEM ? "error" : "no-article";
	}
	if (p->error == 0 && (rc = batch_begin(p)) < 0)
		p->error = rc;
	if (p->error == 0)
		rc = store_item_content(p->store, a->j->src->name, a->id, buf_str(&out), a->url);
	buf_release(&out);
	if (p->error != 0 || (rc < 0 && rc != -ENOENT)) {
		p->error = p->error != 0 ? p->error : rc;
		(void)snprintf(why, whylen, "store: %s", strerror(-p->error));
		return "error";
	}
	if (rc == -ENOENT) {
		(void)snprintf(why, whylen, "the item is no longer stored, or links to another page now");
		return "gone";
	}
	mark_dirty(p);
	return "ok";
}

static void
article_done(void *ctx, const struct fetch_result *r)
{
	struct article *a = ctx;
	struct poller *p = a->j->p;
	const char *what = "error";
	char why[256], when[DATE_RFC3339_LEN];
	int64_t now = now_ms(), until;
	bool wrote;
	int rc;

	a->host->inflight--;
	p->inflight--;
	why[0] = '\0';
	if (r->error == FETCH_CANCELLED) {
		/* Stopping: the item keeps its feed's content. */
		article_free(a);
		dispatch(p);
		return;
	}
	if (r->error != FETCH_OK) {
		(void)snprintf(why, sizeof(why), "%s", r->msg);
		what = r->error == FETCH_REFUSED ? "refused" : r->error == FETCH_TOO_BIG ? "too-big" : "error";
	} else if (r->status >= 200 && r->status < 300) {
		what = article_store(a, r, why, sizeof(why));
	} else if ((r->status == 429 || r->status == 503) &&
	    (until = sched_retry_after(r->retry_after, now, p->conf->min_interval)) > 0) {
		/* The host's pause, as for a poll; this article is not fetched again. */
		a->host->paused_until = until;
		if (p->error == 0 && (rc = batch_begin(p)) < 0)
			p->error = rc;
		if (p->error == 0 && (rc = store_host_pause(p->store, a->host->name, until)) < 0)
			p->error = rc;
		iso(until, when);
		log_info("paused host=%s until=%s status=%ld", a->host->name, when, r->status);
		(void)snprintf(why, sizeof(why), "HTTP %ld", r->status);
		what = "paused";
	} else {
		(void)snprintf(why, sizeof(why), "HTTP %ld", r->status);
	}
	wrote = strcmp(what, "ok") == 0 || strcmp(what, "paused") == 0;
	if (p->error == 0 && wrote && ++p->batched >= BATCH_POLLS)
		(void)batch_commit(p);
	else if (p->error == 0 && wrote && !uv_is_active((uv_handle_t *)&p->flush))
		(void)uv_timer_start(&p->flush, on_flush, BATCH_MS, 0);
	if (p->error != 0 && !p->stopping) {
		store_rollback(p->store);
		p->in_tx = false;
		log_error("store error=%s: stopping", strerror(-p->error));
		poller_stop(p, 0);
	}
	a->j->n.articles[strcmp(what, "ok") != 0]++;
	log_info("fulltext source=%s url=%s result=%s status=%ld bytes=%zu ms=%" PRId64 "%s%s", a->j->src->name,
	    a->url, what, r->status, r->bytes, now - a->started, why[0] != '\0' ? " error=" : "", why);
	article_free(a);
	dispatch(p);
}

static int
article_start(struct article *a, int64_t now)
{
	struct poller *p = a->j->p;
	struct fetch_request rq = {
		.url = a->url, .allow_private = a->j->src->allow_private, .allow_file = a->j->src->allow_file,
		.on_body = article_body, .on_done = article_done, .ctx = a,
	};
	int r;

	a->started = now;
	if ((r = fetch_start(p->fetcher, &rq)) < 0)
		return r;
	a->host->inflight++;
	a->host->last_start = now;
	p->inflight++;
	return 0;
}

/* ---- life ---- */

static void
free_jobs(struct poller *p)
{
	struct host *h;
	size_t i;

	for (i = 0; i < p->njobs; i++) {
		poll_reset(&p->jobs[i]);
		buf_release(&p->jobs[i].head);
		free(p->jobs[i].strs);
		free(p->jobs[i].page_url);
	}
	articles_drop(p, "stopping");	/* they point at the jobs (swap_conf takes them first) */
	sched_heap_free(&p->due);
	free(p->jobs);
	p->jobs = NULL;
	p->njobs = 0;
	p->queue = p->queue_tail = NULL;
	while ((h = p->hosts) != NULL) {
		p->hosts = h->next;
		free(h->name);
		free(h);
	}
}

/*
 * A job for each source of p->conf, with its state from the store: all read (and the new ones
 * added) in one transaction, not one each.
 */
static int
make_jobs(struct poller *p)
{
	int r;

	if ((r = store_begin(p->store)) < 0)
		return r;
	if ((r = read_jobs(p)) == 0)
		r = store_commit(p->store);
	if (r < 0)
		store_rollback(p->store);
	return r;
}

static int
read_jobs(struct poller *p)
{
	const struct conf *conf = p->conf;
	size_t i;
	int r;

	if ((p->jobs = calloc(conf->nsources + 1, sizeof(*p->jobs))) == NULL)
		return -ENOMEM;
	if (!p->o.once && (r = sched_heap_init(&p->due, conf->nsources)) < 0)
		return r;
	for (i = 0; i < conf->nsources; i++) {
		struct job *j = &p->jobs[i];

		j->p = p;
		j->src = &conf->sources[i];
		feed_init(&j->feed);
		item_list_init(&j->items);
		buf_init(&j->head, POLL_BUFFERED_BODY);
		p->njobs++;
		if ((r = store_source_get(p->store, j->src->name, j->src->url, &p->strs, &j->st)) < 0 ||
		    (r = compact_state(j)) < 0)
			return r;
		if ((j->host = host_of(p, j->st.url)) == NULL)
			return -ENOMEM;
		if ((r = store_host_paused(p->store, j->host->name, &j->host->paused_until)) < 0)
			return r;
		due_again(j);
	}
	return 0;
}

/* What each transfer is held to, from the [daemon] keys. */
static void
fetch_opts_of(const struct conf *c, struct fetch_opts *fo)
{
	memset(fo, 0, sizeof(*fo));
	fo->user_agent = c->user_agent;
	fo->max_body = c->max_body;
	fo->timeout_ms = c->timeout;
	fo->connect_timeout_ms = c->connect_timeout;
	fo->low_speed_time_s = (c->low_speed_time + 999) / 1000;
}

/* Whether two lists of trailer markers (NULL-terminated, or NULL) are the same. */
static bool
same_list(const char **a, const char **b)
{
	for (; a != NULL && b != NULL && *a != NULL && *b != NULL; a++, b++)
		if (strcmp(*a, *b) != 0)
			return false;
	return (a == NULL || *a == NULL) && (b == NULL || *b == NULL);
}

/*
 * The reload, once no transfer runs: the new sources, their states from the store; a fetcher held
 * to the new limits and User-Agent when they changed, and the clusterer saved and loaded again
 * with new trailer markers.
 */
static int
swap_conf(struct poller *p)
{
	const struct conf *c = p->next_conf;
	const struct conf_source *src;
	struct article *articles = p->articles;	/* waiting article fetches go on with the new jobs */
	struct job_counts *counts;
	struct fetch_opts fo, was;
	size_t i;
	int r;

	if ((r = batch_commit(p)) < 0)
		return r;
	fetch_opts_of(c, &fo);
	fetch_opts_of(p->conf, &was);
	if (strcmp(fo.user_agent, was.user_agent) != 0 || fo.max_body != was.max_body ||
	    fo.timeout_ms != was.timeout_ms || fo.connect_timeout_ms != was.connect_timeout_ms ||
	    fo.low_speed_time_s != was.low_speed_time_s) {
		fetcher_free(p->fetcher);
		p->fetcher = NULL;
		if ((r = fetcher_new(&p->fetcher, p->loop, &fo)) < 0)
			return r;
	}
	if (!same_list(c->trailers, p->conf->trailers) && p->dedup != NULL) {
		if ((r = save_dedup(p)) < 0)
			return r;
		dedup_free(p->dedup);
		p->dedup = NULL;	/* loaded again with the new markers when items come */
	}
	if ((counts = calloc(c->nsources + 1, sizeof(*counts))) == NULL)
		return -ENOMEM;
	for (i = 0; i < p->njobs; i++)
		if ((src = conf_source_find(c, p->jobs[i].src->name)) != NULL)
			counts[src - c->sources] = p->jobs[i].n;
	p->articles = p->articles_tail = NULL;
	p->narticles = 0;
	free_jobs(p);
	conf_free(p->conf);
	p->conf = p->next_conf;
	p->next_conf = NULL;
	if ((r = make_jobs(p)) < 0) {
		free(counts);
		articles_rehome(p, articles, false);
		log_error("reload: %s", strerror(-r));
		return r;
	}
	for (i = 0; i < p->njobs; i++)
		p->jobs[i].n = counts[i];
	free(counts);
	articles_rehome(p, articles, true);
	log_info("reloaded sources=%zu outputs=%zu", p->conf->nsources, p->conf->noutputs);
	mark_dirty(p);	/* an output new or changed gets its files (unchanged bytes are not rewritten) */
	return 0;
}

int
poller_new(struct poller **ret, uv_loop_t *loop, struct conf *conf, const struct poller_opts *o)
{
	struct fetch_opts fo;
	struct poller *p;
	char err[256];
	int r;

	*ret = NULL;
	if ((p = calloc(1, sizeof(*p))) == NULL) {
		conf_free(conf);
		return -ENOMEM;
	}
	p->loop = loop;
	p->conf = conf;
	p->o = *o;
	buf_init(&p->scratch, INT32_MAX);	/* the clusterer's state goes through it: store_blob_put takes up to INT32_MAX */
	arena_init(&p->strs);
	if ((r = store_open(&p->store, conf->state, err)) < 0) {
		log_error("store path=%s: %s", conf->state, err);
		goto fail;
	}
	/* once loads the clusterer when a first item needs it: a cycle of 304s never does. */
	if (!o->once && (r = load_dedup(p)) < 0)
		goto fail;
	fetch_opts_of(conf, &fo);
	if ((r = fetcher_new(&p->fetcher, loop, &fo)) < 0)
		goto fail;
	if ((r = make_jobs(p)) < 0)
		goto fail;
	if (conf->noutputs > 0 && (r = publish_prepare(conf)) < 0) {
		log_error("publish output_dir=%s: %s", conf->output_dir, strerror(-r));
		goto fail;
	}
	p->dirty = true;	/* the outputs as the store has them, at the first chance */
	(void)uv_timer_init(loop, &p->wake);
	(void)uv_timer_init(loop, &p->grace);
	(void)uv_timer_init(loop, &p->housekeeping);
	(void)uv_timer_init(loop, &p->flush);
	(void)uv_timer_init(loop, &p->publish);
	p->publish.data = p;
	p->housekeeping.data = p;
	p->flush.data = p;
	p->wake.data = p;
	p->grace.data = p;
	*ret = p;
	return 0;
fail:
	p->stopping = true;
	(void)poller_free(p);
	return r;
}

int
poller_start(struct poller *p)
{
	int64_t now = now_ms();
	char when[DATE_RFC3339_LEN];
	size_t i, due = 0;

	for (i = 0; i < p->njobs; i++) {
		struct job *j = &p->jobs[i];

		if (j->st.retired)
			continue;
		if (p->o.once && (p->o.all || j->st.next_poll <= now)) {
			enqueue(p, j);
			due++;
		} else if (p->o.once) {
			iso(j->st.next_poll, when);
			log_debug("poll source=%s result=not-due next=%s", j->src->name, when);
		}
	}
	if (!p->o.once)
		(void)uv_timer_start(&p->housekeeping, on_housekeeping, HOUSEKEEPING_MS, HOUSEKEEPING_MS);
	if (p->dirty)
		mark_dirty(p);
	log_info("start sources=%zu due=%zu mode=%s", p->njobs, p->o.once ? due : p->njobs,
	    p->o.once ? (p->o.all ? "once-all" : "once") : "run");
	dispatch(p);
	return 0;
}

static void
on_grace(uv_timer_t *t)
{
	struct poller *p = t->data;

	fetcher_cancel_all(p->fetcher);
}

/* The clusterer's state into the store, in its own transaction. */
static int
save_dedup(struct poller *p)
{
	int r;

	if ((r = batch_commit(p)) < 0)
		return r;
	if (p->dedup == NULL)
		return 0;	/* never loaded (once, no new item): the stored state stands */
	buf_clear(&p->scratch);
	r = dedup_save(p->dedup, &p->scratch);
	if (r == 0)
		r = store_begin(p->store);
	if (r == 0)
		r = store_blob_put(p->store, DEDUP_KEY, p->scratch.data, p->scratch.len);
	if (r == 0)
		r = store_blob_put(p->store, STORY_BASE_KEY, &p->story_base, sizeof(p->story_base));
	if (r == 0)
		r = store_commit(p->store);
	if (r < 0) {
		store_rollback(p->store);
		log_error("dedup: cannot save its state: %s", strerror(-r));
	}
	return r;
}

/*
 * Every output from the store, after the open batch is committed. A file that cannot be written
 * keeps its previous version and is logged (publish_output); only a store error stops the poller.
 */
static int
publish_all(struct poller *p)
{
	int64_t now = now_ms(), t;
	bool written;
	size_t i;
	int r = 0;

	if (!p->dirty || p->conf->noutputs == 0)
		return 0;
	if ((r = batch_commit(p)) < 0 || (r = store_begin(p->store)) < 0)
		return r;
	for (i = 0; i < p->conf->noutputs; i++) {
		t = now_ms();
		if ((r = publish_output(p->store, p->conf, &p->conf->outputs[i], now, &written)) < 0)
			break;
		if (written) {
			log_info("publish output=%s ms=%" PRId64, p->conf->outputs[i].name, now_ms() - t);
			p->publishes++;
			p->publish_ms += (uint64_t)(now_ms() - t);
		}
	}
	if (r == 0)
		r = store_commit(p->store);
	if (r < 0) {
		store_rollback(p->store);
		p->error = p->error != 0 ? p->error : r;
		return r;
	}
	p->dirty = false;
	return 0;
}

/*
 * Items no output shows any more and dedup no longer joins (older than the longest max_age and
 * the dedup window) leave the store.
 */
static int
prune(struct poller *p)
{
	int64_t keep = DEDUP_WINDOW * 1000LL;
	size_t i, n = 0;
	int r;

	for (i = 0; i < p->conf->noutputs; i++)
		if (p->conf->outputs[i].max_age > keep)
			keep = p->conf->outputs[i].max_age;
	if ((r = batch_commit(p)) == 0 && (r = store_begin(p->store)) == 0 && (r = store_prune(p->store, now_ms() - keep, &n)) == 0)
		r = store_commit(p->store);
	if (r < 0)
		store_rollback(p->store);
	else if (n > 0)
		log_info("prune items=%zu", n);
	return r;
}

static void
on_housekeeping(uv_timer_t *t)
{
	struct poller *p = t->data;

	if (p->stopping || p->next_conf != NULL)
		return;
	if (save_dedup(p) < 0 || prune(p) < 0) {
		p->error = p->error != 0 ? p->error : -EIO;
		poller_stop(p, 0);
	}
}

void
poller_stop(struct poller *p, uint64_t grace_ms)
{
	if (p->stopping)
		return;
	p->stopping = true;
	(void)uv_timer_stop(&p->wake);
	(void)uv_timer_stop(&p->housekeeping);
	if (p->inflight > 0 && grace_ms > 0) {
		(void)uv_timer_start(&p->grace, on_grace, grace_ms, 0);
		return;
	}
	fetcher_cancel_all(p->fetcher);
	dispatch(p);
}

void
poller_reconfigure(struct poller *p, struct conf *conf)
{
	char kept[64];

	if (conf_keep_running(conf, p->conf, kept) < 0) {
		log_error("reload refused: %s: the running configuration stays", strerror(ENOMEM));
		conf_free(conf);
		return;
	}
	if (kept[0] != '\0')
		log_warn("reload: %s take effect at the next start; until then the running values stay", kept);
	conf_free(p->next_conf);	/* two reloads in a row: the later wins */
	p->next_conf = conf;
	dispatch(p);
}

void
poller_counts(const struct poller *p, struct poller_counts *ret)
{
	int64_t now = now_ms();
	size_t i;

	memset(ret, 0, sizeof(*ret));
	ret->sources = p->njobs;
	ret->running = p->inflight;
	for (i = 0; i < p->njobs; i++) {
		ret->retired += p->jobs[i].st.retired;
		ret->failing += !p->jobs[i].st.retired && p->jobs[i].st.errors > 0;
		ret->due += !p->jobs[i].st.retired && !p->jobs[i].running && p->jobs[i].st.next_poll <= now;
	}
}

int
poller_metrics(const struct poller *p, struct buf *out)
{
	const struct job *j;
	struct poller_counts n;
	size_t i, k;
	int r;

	poller_counts(p, &n);
	r = buf_appendf(out,
	    "# HELP wiredesk_sources Sources by what they are doing now.\n"
	    "# TYPE wiredesk_sources gauge\n"
	    "wiredesk_sources{state=\"due\"} %zu\nwiredesk_sources{state=\"polling\"} %zu\n"
	    "wiredesk_sources{state=\"failing\"} %zu\nwiredesk_sources{state=\"retired\"} %zu\n"
	    "# HELP wiredesk_stories Stories in the clusterer's window.\n# TYPE wiredesk_stories gauge\n"
	    "wiredesk_stories %zu\n"
	    "# HELP wiredesk_window_items Items in the clusterer's window.\n# TYPE wiredesk_window_items gauge\n"
	    "wiredesk_window_items %zu\n"
	    "# HELP wiredesk_publish_total Output files rewritten.\n# TYPE wiredesk_publish_total counter\n"
	    "wiredesk_publish_total %" PRIu64 "\n"
	    "# HELP wiredesk_publish_seconds_total Time spent publishing.\n"
	    "# TYPE wiredesk_publish_seconds_total counter\nwiredesk_publish_seconds_total %.3f\n"
	    "# HELP wiredesk_polls_total Polls by source and result.\n# TYPE wiredesk_polls_total counter\n",
	    n.due, n.running, n.failing, n.retired, p->dedup != NULL ? dedup_stories(p->dedup) : 0,
	    p->dedup != NULL ? dedup_items(p->dedup) : 0,
	    p->publishes, (double)p->publish_ms / 1000);
	for (i = 0; r == 0 && i < p->njobs; i++)
		for (k = 0; r == 0 && k < N_RESULTS; k++)
			if (p->jobs[i].n.polls[k] > 0)
				r = buf_appendf(out, "wiredesk_polls_total{source=\"%s\",result=\"%s\"} %u\n",
				    p->jobs[i].src->name, results[k], p->jobs[i].n.polls[k]);
	if (r == 0)
		r = buf_puts(out, "# HELP wiredesk_source_errors Failures in a row (the backoff).\n"
		    "# TYPE wiredesk_source_errors gauge\n");
	for (i = 0; r == 0 && i < p->njobs; i++)
		r = buf_appendf(out, "wiredesk_source_errors{source=\"%s\"} %d\n", p->jobs[i].src->name,
		    p->jobs[i].st.errors);
	if (r == 0)
		r = buf_puts(out, "# HELP wiredesk_source_next_poll_seconds When the source is polled next.\n"
		    "# TYPE wiredesk_source_next_poll_seconds gauge\n");
	for (i = 0; r == 0 && i < p->njobs; i++) {
		j = &p->jobs[i];
		r = buf_appendf(out, "wiredesk_source_next_poll_seconds{source=\"%s\"} %.3f\n", j->src->name,
		    (double)j->st.next_poll / 1000);
	}
	if (r == 0)
		r = buf_puts(out, "# HELP wiredesk_items_total New or changed items stored.\n"
		    "# TYPE wiredesk_items_total counter\n");
	for (i = 0; r == 0 && i < p->njobs; i++)
		r = buf_appendf(out, "wiredesk_items_total{source=\"%s\"} %" PRIu64 "\n", p->jobs[i].src->name,
		    p->jobs[i].n.stored);
	if (r == 0)
		r = buf_puts(out, "# HELP wiredesk_transfer_bytes_total Decoded body bytes received.\n"
		    "# TYPE wiredesk_transfer_bytes_total counter\n");
	for (i = 0; r == 0 && i < p->njobs; i++)
		r = buf_appendf(out, "wiredesk_transfer_bytes_total{source=\"%s\"} %" PRIu64 "\n",
		    p->jobs[i].src->name, p->jobs[i].n.bytes);
	if (r == 0)
		r = buf_appendf(out, "# HELP wiredesk_articles_waiting Fulltext article fetches queued.\n"
		    "# TYPE wiredesk_articles_waiting gauge\nwiredesk_articles_waiting %zu\n"
		    "# HELP wiredesk_articles_total Fulltext article fetches by source and result.\n"
		    "# TYPE wiredesk_articles_total counter\n", p->narticles);
	for (i = 0; r == 0 && i < p->njobs; i++)
		for (k = 0; r == 0 && k < 2; k++)
			if (p->jobs[i].n.articles[k] > 0)
				r = buf_appendf(out, "wiredesk_articles_total{source=\"%s\",result=\"%s\"} %u\n",
				    p->jobs[i].src->name, k == 0 ? "stored" : "failed", p->jobs[i].n.articles[k]);
	return r;
}

int
poller_free(struct poller *p)
{
	int r;

	if (p == NULL)
		return 0;
	r = p->error;
	fetcher_free(p->fetcher);	/* NULL once the loop has closed it */
	free_jobs(p);
	conf_free(p->conf);
	conf_free(p->next_conf);
	dedup_free(p->dedup);
	store_close(p->store);
	buf_release(&p->scratch);
	arena_release(&p->strs);
	free(p);
	return r;
}
