/*
 * publish.c - merged feeds out of the store.
 *
 * An output takes the stories with an item updated within its max_age. Of each story it keeps
 * the items of its sources; a story carried by fewer than min_sources of them is left out. The
 * entry is the story's representative (the highest source priority, then the earliest), with the
 * story's other sources attached (item.also, which every writer shows), under an id made of the
 * story's id so that it stays the same entry for its whole life. include/exclude are tried on the
 * representative's title and summary. Newest activity first, max_items at most. The documents
 * depend only on the entries (their dates are the entries' dates), so the same entries give the
 * same bytes, and a file whose bytes did not change is not written.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "arena.h"
#include "buf.h"
#include "log.h"
#include "publish.h"
#include "write.h"

#define TMP_MARK	".tmp-"
#define CHANGE_SLACK_MS	60000	/* items of one story seen within a minute are its first news */

/* A source of a story: its name and the URL of its item. */
struct member {
	const char	*source, *id, *url;
	int		 priority;
	int64_t		 first_seen;
};

struct entry {
	uint64_t	 story;
	struct member	 rep;
	struct source	*also;		/* the other sources, one item each */
	int64_t		 newest;	/* its latest news, ms: the order of the entries */
	int64_t		 changed;	/* the latest change after its first item, ms; 0: none */
};

struct collect {
	const struct conf		*c;
	const struct conf_output	*o;
	pcre2_code			*include, *exclude;
	pcre2_match_data		*md;
	struct arena			 mem;
	struct entry			*entries;
	size_t				 n, cap;
	/* The story being read. */
	uint64_t			 story;
	struct member			 members[64];	/* one per source, the first 64 sources */
	size_t				 nmembers;
	const char			*rep_title, *rep_summary;
	int				 rep_priority;
	int64_t				 newest, changed, first;
	int				 error;
};

static bool
matches(struct collect *k, pcre2_code *re, const char *title, const char *summary)
{
	const char *s[2] = { title, summary };
	int i;

	for (i = 0; i < 2; i++)
		if (s[i] != NULL && pcre2_match(re, (PCRE2_SPTR)s[i], PCRE2_ZERO_TERMINATED, 0, 0, k->md,
		    NULL) >= 0)
			return true;
	return false;
}

/* The story read so far becomes an entry, when the output takes it. */
static void
close_story(struct collect *k)
{
	struct entry *e;
	struct source *src;
	size_t i, rep = 0;

	if (k->nmembers == 0 || k->nmembers < (size_t)k->o->min_sources)
		goto next;
	for (i = 1; i < k->nmembers; i++)
		if (k->members[i].priority > k->members[rep].priority)
			rep = i;	/* members are earliest first: ties keep the earliest */
	if (k->include != NULL && !matches(k, k->include, k->rep_title, k->rep_summary))
		goto next;
	if (k->exclude != NULL && matches(k, k->exclude, k->rep_title, k->rep_summary))
		goto next;
	if (k->n == k->cap) {
		size_t cap = k->cap != 0 ? k->cap * 2 : 256;
		struct entry *p = realloc(k->entries, cap * sizeof(*p));

		if (p == NULL) {
			k->error = -ENOMEM;
			goto next;
		}
		k->entries = p;
		k->cap = cap;
	}
	e = &k->entries[k->n++];
	e->story = k->story;
	e->rep = k->members[rep];
	e->newest = k->newest;
	e->changed = k->changed;
	e->also = NULL;
	for (i = k->nmembers; i-- > 0;) {
		if (i == rep)
			continue;
		if ((src = arena_zalloc(&k->mem, sizeof(*src))) == NULL) {
			k->error = -ENOMEM;
			break;
		}
		src->name = k->members[i].source;
		src->url = k->members[i].url;
		src->next = e->also;
		e->also = src;
	}
next:
	k->nmembers = 0;
	k->newest = k->changed = 0;
	k->first = INT64_MAX;
	k->rep_title = k->rep_summary = NULL;
}

static int
on_member(void *ctx, const struct story_member *m)
{
	struct collect *k = ctx;
	const struct conf_source *src;
	struct member *mb;
	int64_t t;
	size_t i;

	if (m->story != k->story) {
		close_story(k);
		k->story = m->story;
	}
	if (k->error != 0)
		return k->error;
	src = conf_source_find(k->c, m->source);
	if (src == NULL || !conf_output_takes(k->o, src))
		return 0;
	/*
	 * Its news: an item's publication date (else when it was first seen), or a later change to
	 * the story: an update of an item, or another source joining it.
	 */
	t = m->date != DATE_NONE && m->date * 1000 < m->first_seen ? m->date * 1000 : m->first_seen;
	if (t > k->newest)
		k->newest = t;
	if (m->first_seen < k->first)
		k->first = m->first_seen;
	if (k->nmembers > 0 && m->first_seen > k->first + CHANGE_SLACK_MS && m->first_seen > k->changed)
		k->changed = m->first_seen;
	if (m->updated > m->first_seen + CHANGE_SLACK_MS && m->updated > k->changed)
		k->changed = m->updated;
	if (k->changed > k->newest)
		k->newest = k->changed;
	for (i = 0; i < k->nmembers; i++)
		if (strcmp(k->members[i].source, m->source) == 0)
			return 0;	/* one item a source: its earliest */
	if (k->nmembers == sizeof(k->members) / sizeof(k->members[0]))
		return 0;
	mb = &k->members[k->nmembers];
	mb->source = src->name;
	mb->id = arena_strdup(&k->mem, m->id);
	mb->url = m->url != NULL ? arena_strdup(&k->mem, m->url) : NULL;
	mb->priority = src->priority;
	mb->first_seen = m->first_seen;
	if (mb->id == NULL || (m->url != NULL && mb->url == NULL))
		return k->error = -ENOMEM;
	/* The representative's title and summary, for the filters: close_story() picks the same. */
	if (k->nmembers == 0 || src->priority > k->rep_priority) {
		k->rep_title = m->title != NULL ? arena_strdup(&k->mem, m->title) : NULL;
		k->rep_summary = m->summary != NULL ? arena_strdup(&k->mem, m->summary) : NULL;
		k->rep_priority = src->priority;
	}
	k->nmembers++;
	return 0;
}

static int
newest_first(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;

	if (x->newest != y->newest)
		return x->newest > y->newest ? -1 : 1;
	return x->story > y->story ? -1 : x->story < y->story;
}

static pcre2_code *
compile(const char *pattern)
{
	PCRE2_SIZE off;
	int code;

	return pattern != NULL ? pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
	    PCRE2_UTF | PCRE2_UCP, &code, &off, NULL) : NULL;
}

int
publish_write_file(const char *path, const void *data, size_t n)
{
	char tmp[4096], dir[4096];
	const char *slash = strrchr(path, '/');
	const char *p = data;
	ssize_t w;
	int fd, dfd, r = 0;

	if (slash == NULL || (size_t)(slash - path) >= sizeof(dir) ||
	    snprintf(tmp, sizeof(tmp), "%.*s/.%s" TMP_MARK "XXXXXX", (int)(slash - path), path,
	    slash + 1) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	memcpy(dir, path, (size_t)(slash - path));
	dir[slash - path] = '\0';
	if ((fd = mkstemp(tmp)) < 0)
		return -errno;
	while (r == 0 && n > 0) {
		w = write(fd, p, n);
		if (w < 0 && errno != EINTR)
			r = -errno;
		else if (w > 0)
			p += w, n -= (size_t)w;
	}
	if (r == 0 && fchmod(fd, 0644) < 0)
		r = -errno;
	if (r == 0 && fsync(fd) < 0)
		r = -errno;	/* never retried: the page cache may have dropped what failed */
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0) {
		(void)unlink(tmp);
		return r;
	}
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		if (fsync(dfd) < 0)
			r = -errno;
		(void)close(dfd);
	}
	return r;
}

int
publish_prepare(const struct conf *c)
{
	struct dirent *de;
	char path[4096];
	DIR *d;

	if (mkdir(c->output_dir, 0755) < 0 && errno != EEXIST)
		return -errno;
	if ((d = opendir(c->output_dir)) == NULL)
		return -errno;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] != '.' || strstr(de->d_name, TMP_MARK) == NULL)
			continue;
		(void)snprintf(path, sizeof(path), "%s/%s", c->output_dir, de->d_name);
		if (unlink(path) == 0)
			log_info("publish removed=%s (left by a crash)", path);
	}
	closedir(d);
	return 0;
}

/* One file of the output: rendered, compared with what is there, replaced when different. */
static int
render(struct store *s, const struct conf *c, const struct conf_output *o, enum write_format fmt,
    const struct entry *e, size_t n, struct buf *out)
{
	static const char *const ext[] = { [WRITE_RSS] = "rss", [WRITE_ATOM] = "atom", [WRITE_JSON] = "json" };
	struct write_opts wo = { 0 };
	struct feed_writer w;
	struct item_list items;
	struct source rep;
	struct feed f;
	struct item it;
	char self[4096], id[64];
	size_t i;
	int r = 0;

	feed_init(&f);
	f.title = o->title;
	f.home_page_url = c->base_url[0] != '\0' ? c->base_url : NULL;
	f.date_modified = n > 0 ? e[0].newest / 1000 : DATE_NONE;
	if (c->base_url[0] != '\0') {
		(void)snprintf(self, sizeof(self), "%s%s.%s", c->base_url, o->name, ext[fmt]);
		wo.self_url = self;
	}
	wo.now = f.date_modified != DATE_NONE ? f.date_modified : 0;
	buf_clear(out);
	feed_writer_begin(&w, fmt, &wo, out);
	for (i = 0; r == 0 && i < n; i++) {
		item_list_init(&items);
		r = store_item_get(s, e[i].rep.source, e[i].rep.id, &items);
		if (r == 0 && items.len > 0) {
			it = items.items[0];
			(void)snprintf(id, sizeof(id), "urn:wiredesk:story:%" PRIu64, e[i].story);
			it.id = id;
			rep = (struct source){ .name = e[i].rep.source, .url = it.url };
			it.source = &rep;
			it.also = e[i].also;
			if (e[i].changed != 0)
				it.date_modified = e[i].changed / 1000;
			r = feed_writer_item(&w, &f, &it);
		}
		item_list_release(&items);
	}
	if (r == 0)
		r = feed_writer_end(&w, &f);
	feed_release(&f);
	return r;
}

int
publish_output(struct store *s, const struct conf *c, const struct conf_output *o, int64_t now,
    bool *written)
{
	static const struct {
		unsigned		 bit;
		enum write_format	 fmt;
		const char		*ext;
	} formats[] = {
		{ FORMAT_RSS, WRITE_RSS, "rss" }, { FORMAT_ATOM, WRITE_ATOM, "atom" },
		{ FORMAT_JSON, WRITE_JSON, "json" },
	};
	struct collect k = { .c = c, .o = o, .story = UINT64_MAX, .first = INT64_MAX };
	struct buf out, old;
	char path[4096], key[128];
	size_t i;
	uint64_t h;
	int r;

	*written = false;
	arena_init(&k.mem);
	k.include = compile(o->include);
	k.exclude = compile(o->exclude);
	k.md = pcre2_match_data_create(4, NULL);
	r = k.md != NULL ? store_recent(s, now - o->max_age, on_member, &k) : -ENOMEM;
	if (r == 0) {
		close_story(&k);
		r = k.error;
	}
	if (r == 0)
		qsort(k.entries, k.n, sizeof(*k.entries), newest_first);
	buf_init(&out, SIZE_MAX);
	buf_init(&old, 64);
	for (i = 0; r == 0 && i < sizeof(formats) / sizeof(formats[0]); i++) {
		if (!(o->formats & formats[i].bit))
			continue;
		r = render(s, c, o, formats[i].fmt, k.entries, k.n < (size_t)o->max_items ? k.n :
		    (size_t)o->max_items, &out);
		(void)snprintf(path, sizeof(path), "%s/%s.%s", c->output_dir, o->name, formats[i].ext);
		(void)snprintf(key, sizeof(key), "publish:%s.%s", o->name, formats[i].ext);
		h = item_hash_bytes(out.data, out.len);
		if (r == 0)
			r = store_blob_get(s, key, &old);
		if (r < 0)
			break;
		if (old.len == sizeof(h) && memcmp(old.data, &h, sizeof(h)) == 0 && access(path, F_OK) == 0)
			continue;	/* the same bytes are there */
		if ((r = publish_write_file(path, out.data, out.len)) < 0) {
			/* Disk full, I/O error: the previous file stays, and the next publish tries again. */
			log_error("publish output=%s path=%s: %s: the previous file stays", o->name, path,
			    strerror(-r));
			r = 0;
			continue;
		}
		r = store_blob_put(s, key, &h, sizeof(h));
		*written = true;
	}
	buf_release(&out);
	buf_release(&old);
	pcre2_match_data_free(k.md);
	pcre2_code_free(k.include);
	pcre2_code_free(k.exclude);
	free(k.entries);
	arena_release(&k.mem);
	return r;
}
