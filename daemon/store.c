/*
 * store.c - the daemon's state in SQLite.
 *
 * Items are kept as the JSON Feed 1.1 document of the one item, written by the project's own JSON
 * Feed writer and read back by its parser: the one serialization the tests already hold to a
 * lossless round trip. Its hash (item_hash_bytes) says whether an update changed anything.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "log.h"
#include "parse.h"
#include "store.h"
#include "write.h"

#define BUSY_TIMEOUT_MS	5000

/*
 * The connection's settings. page_size counts only for a new database (it is set before WAL): an
 * item's row is its document, 1-3 KB, and pages of 4 KB held one such row each, a third of them
 * empty. The WAL is checkpointed every 2048 pages (32 MB of a new database's pages) instead of
 * every 1000: the default checkpointed a cold cycle after every other batch, each time with two
 * fsyncs and the same index pages written again. It is cut back to 32 MB after a bigger
 * transaction.
 */
#define STORE_PAGE_SIZE	"16384"
#define STORE_WAL_PAGES	"2048"
#define STORE_PRAGMAS \
	"PRAGMA page_size = " STORE_PAGE_SIZE "; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;" \
	" PRAGMA foreign_keys = ON; PRAGMA secure_delete = OFF; PRAGMA wal_autocheckpoint = " \
	STORE_WAL_PAGES "; PRAGMA journal_size_limit = 33554432;"
#define PRUNED_KEEP_MS	(90 * 86400 * 1000LL)	/* a pruned item's row stays this much longer */

/* The statements, prepared once; the index names them in stmt[]. */
enum {
	Q_BEGIN, Q_COMMIT, Q_ROLLBACK,
	Q_SOURCE_GET, Q_SOURCE_NEW, Q_SOURCE_PUT,
	Q_HOST_GET, Q_HOST_PUT,
	Q_ITEM_HASH, Q_ITEM_INSERT, Q_ITEM_UPDATE, Q_ITEM_CONTENT, Q_STORY_ITEMS,
	Q_BLOB_GET, Q_BLOB_PUT, Q_PRUNE, Q_PRUNE_GONE, Q_RECENT, Q_ITEM_DOC,
	Q_STORY_MAX,
	N_STMT
};

static const char *const sql[] = {
	[Q_BEGIN] = "BEGIN IMMEDIATE",
	[Q_COMMIT] = "COMMIT",
	[Q_ROLLBACK] = "ROLLBACK",
	[Q_SOURCE_GET] = "SELECT config_url, url, etag, last_modified, body_hash, next_poll, interval,"
	    " last_poll, last_success, last_item, errors, last_status, last_error, moved_to, moved_count,"
	    " retired, feed_every, skip_hours, skip_days FROM sources WHERE name = ?1",
	[Q_SOURCE_NEW] = "INSERT OR REPLACE INTO sources (name, config_url, url) VALUES (?1, ?2, ?2)",
	[Q_SOURCE_PUT] = "UPDATE sources SET url = ?2, etag = ?3, last_modified = ?4, body_hash = ?5,"
	    " next_poll = ?6, interval = ?7, last_poll = ?8, last_success = ?9, last_item = ?10,"
	    " errors = ?11, last_status = ?12, last_error = ?13, moved_to = ?14, moved_count = ?15,"
	    " retired = ?16, feed_every = ?17, skip_hours = ?18, skip_days = ?19 WHERE name = ?1",
	[Q_HOST_GET] = "SELECT paused_until FROM hosts WHERE host = ?1",
	[Q_HOST_PUT] = "INSERT OR REPLACE INTO hosts (host, paused_until) VALUES (?1, ?2)",
	[Q_ITEM_HASH] = "SELECT hash, pruned, article FROM items WHERE source = ?1 AND id = ?2",
	[Q_ITEM_INSERT] = "INSERT INTO items (source, id, story, hash, date, first_seen, updated, doc,"
	    " url, title, summary) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7, ?8, ?9, ?10)",
	[Q_ITEM_UPDATE] = "UPDATE items SET story = ?3, hash = ?4, date = ?5, updated = ?6, doc = ?7,"
	    " url = ?8, title = ?9, summary = ?10, article = ?11 WHERE source = ?1 AND id = ?2",
	/* The document only: the hash stays the feed's, so the same item in the feed again is no change. */
	[Q_ITEM_CONTENT] = "UPDATE items SET doc = ?3, article = ?4 WHERE source = ?1 AND id = ?2 AND pruned = 0",
	[Q_STORY_ITEMS] = "SELECT doc FROM items WHERE story = ?1 AND pruned = 0 ORDER BY first_seen, rowid",
	[Q_BLOB_GET] = "SELECT value FROM blobs WHERE key = ?1",
	[Q_BLOB_PUT] = "INSERT OR REPLACE INTO blobs (key, value) VALUES (?1, ?2)",
	/* A pruned item keeps a row without its document, so that the feed still carrying it does not
	 * bring it back as new; such rows go after PRUNED_KEEP_MS. */
	[Q_PRUNE] = "UPDATE items SET pruned = 1, doc = '', url = NULL, title = NULL, summary = NULL, article = NULL"
	    " WHERE pruned = 0 AND first_seen < ?1",
	[Q_PRUNE_GONE] = "DELETE FROM items WHERE pruned = 1 AND first_seen < ?1",
	[Q_RECENT] = "SELECT story, source, id, url, title, summary, first_seen, updated, date FROM items"
	    " WHERE pruned = 0 AND story IN (SELECT story FROM items WHERE updated >= ?1 AND pruned = 0)"
	    " ORDER BY story, first_seen, rowid",
	[Q_ITEM_DOC] = "SELECT doc FROM items WHERE source = ?1 AND id = ?2 AND pruned = 0",
	[Q_STORY_MAX] = "SELECT max(story) FROM items",
};

/* Each step of the schema, from version N - 1 to N at index N - 1. */
static const char *const migrations[] = {
	"CREATE TABLE sources ("
	"  name TEXT PRIMARY KEY,"
	"  config_url TEXT NOT NULL,"
	"  url TEXT NOT NULL,"
	"  etag TEXT, last_modified TEXT, body_hash INTEGER NOT NULL DEFAULT 0,"
	"  next_poll INTEGER NOT NULL DEFAULT 0, interval INTEGER NOT NULL DEFAULT 0,"
	"  last_poll INTEGER NOT NULL DEFAULT 0, last_success INTEGER NOT NULL DEFAULT 0,"
	"  last_item INTEGER NOT NULL DEFAULT 0,"
	"  errors INTEGER NOT NULL DEFAULT 0, last_status INTEGER NOT NULL DEFAULT 0, last_error TEXT,"
	"  moved_to TEXT, moved_count INTEGER NOT NULL DEFAULT 0,"
	"  retired INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE hosts (host TEXT PRIMARY KEY, paused_until INTEGER NOT NULL);"
	"CREATE TABLE items ("
	"  source TEXT NOT NULL, id TEXT NOT NULL, story INTEGER NOT NULL, hash INTEGER NOT NULL,"
	"  date INTEGER, first_seen INTEGER NOT NULL, updated INTEGER NOT NULL, doc TEXT NOT NULL,"
	"  UNIQUE (source, id));"
	"CREATE INDEX items_story ON items (story);"
	"CREATE INDEX items_first_seen ON items (first_seen);"
	"CREATE TABLE blobs (key TEXT PRIMARY KEY, value BLOB NOT NULL);",
	/* 2: what publishing needs of an item without reading its document. */
	"ALTER TABLE items ADD COLUMN url TEXT;"
	"ALTER TABLE items ADD COLUMN title TEXT;"
	"ALTER TABLE items ADD COLUMN summary TEXT;"
	"CREATE INDEX items_updated ON items (updated);",
	/* 3: pruned items leave a row behind (see Q_PRUNE). */
	"ALTER TABLE items ADD COLUMN pruned INTEGER NOT NULL DEFAULT 0;",
	/* 4: what the feed asks of its schedule (struct source_state), kept for the 304s. */
	"ALTER TABLE sources ADD COLUMN feed_every INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE sources ADD COLUMN skip_hours INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE sources ADD COLUMN skip_days INTEGER NOT NULL DEFAULT 0;",
	/* 5: the page a fulltext item's stored content was read from (NULL: its feed's content). */
	"ALTER TABLE items ADD COLUMN article TEXT;",
};

struct store {
	sqlite3		*db;
	sqlite3_stmt	*stmt[N_STMT];
	bool		 in_tx;
	struct buf	 doc;		/* scratch: an item's document */
};

/* An SQLite result code as an errno, with the message logged. */
static int
fail(struct store *s, int rc, const char *what)
{
	log_error("store: %s: %s", what, s->db != NULL ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
	switch (rc & 0xff) {
	case SQLITE_NOMEM:
		return -ENOMEM;
	case SQLITE_FULL:
		return -ENOSPC;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return -EBUSY;
	default:
		return -EIO;
	}
}

static sqlite3_stmt *
q(struct store *s, int i)
{
	sqlite3_reset(s->stmt[i]);
	sqlite3_clear_bindings(s->stmt[i]);
	return s->stmt[i];
}

/* Steps a statement that returns no row. */
static int
run(struct store *s, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : fail(s, rc, what);
}

static void
bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v != NULL)
		(void)sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
	else
		(void)sqlite3_bind_null(st, i);
}

static int
migrate(struct store *s, char err[256])
{
	sqlite3_stmt *st;
	char *msg = NULL;
	int version, rc;
	size_t i;

	rc = sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL);
	if (rc != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		(void)snprintf(err, 256, "cannot read the schema version: %s", sqlite3_errmsg(s->db));
		return -EIO;
	}
	version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (version > STORE_SCHEMA_VERSION) {
		(void)snprintf(err, 256, "schema version %d is newer than this wiredesk's (%d)", version,
		    STORE_SCHEMA_VERSION);
		return -EPROTO;
	}
	for (i = (size_t)version; i < STORE_SCHEMA_VERSION; i++) {
		char *step = sqlite3_mprintf("BEGIN IMMEDIATE; %s PRAGMA user_version = %d; COMMIT;",
		    migrations[i], (int)i + 1);	/* SQLite's printf has no %zu */

		rc = step != NULL ? sqlite3_exec(s->db, step, NULL, NULL, &msg) : SQLITE_NOMEM;
		sqlite3_free(step);
		if (rc != SQLITE_OK) {
			(void)snprintf(err, 256, "migrating the schema to version %zu: %s", i + 1,
			    msg != NULL ? msg : sqlite3_errstr(rc));
			sqlite3_free(msg);
			(void)sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
			return rc == SQLITE_NOMEM ? -ENOMEM : rc == SQLITE_FULL ? -ENOSPC : -EIO;
		}
	}
	return 0;
}

int
store_open(struct store **ret, const char *path, char err[256])
{
	struct store *s;
	char *msg = NULL;
	int rc, r;
	size_t i;

	*ret = NULL;
	err[0] = '\0';
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return -ENOMEM;
	buf_init(&s->doc, SIZE_MAX);
	rc = sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
	    SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		(void)snprintf(err, 256, "%s", s->db != NULL ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
		r = rc == SQLITE_NOMEM ? -ENOMEM : -EIO;
		goto fail;
	}
	(void)sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS);
	rc = sqlite3_exec(s->db, STORE_PRAGMAS, NULL, NULL, &msg);
	if (rc != SQLITE_OK) {
		/* Not a database (or a locked one): say so, not "file is not a database" later. */
		(void)snprintf(err, 256, "%s", msg != NULL ? msg : sqlite3_errstr(rc));
		sqlite3_free(msg);
		r = -EIO;
		goto fail;
	}
	if ((r = migrate(s, err)) < 0)
		goto fail;
	for (i = 0; i < N_STMT; i++) {
		rc = sqlite3_prepare_v3(s->db, sql[i], -1, SQLITE_PREPARE_PERSISTENT, &s->stmt[i], NULL);
		if (rc != SQLITE_OK) {
			(void)snprintf(err, 256, "preparing a statement: %s", sqlite3_errmsg(s->db));
			r = -EIO;
			goto fail;
		}
	}
	*ret = s;
	return 0;
fail:
	store_close(s);
	return r;
}

void
store_close(struct store *s)
{
	size_t i;

	if (s == NULL)
		return;
	store_rollback(s);
	for (i = 0; i < N_STMT; i++)
		sqlite3_finalize(s->stmt[i]);
	if (sqlite3_close(s->db) != SQLITE_OK)
		log_error("store: closing: %s", sqlite3_errmsg(s->db));
	buf_release(&s->doc);
	free(s);
}

int
store_begin(struct store *s)
{
	int r = run(s, q(s, Q_BEGIN), "begin");

	s->in_tx = r == 0;
	return r;
}

int
store_commit(struct store *s)
{
	int r = run(s, q(s, Q_COMMIT), "commit");

	if (r == 0)
		s->in_tx = false;
	return r;
}

void
store_rollback(struct store *s)
{
	if (s == NULL || !s->in_tx)
		return;
	(void)run(s, q(s, Q_ROLLBACK), "rollback");
	s->in_tx = sqlite3_get_autocommit(s->db) == 0;
}

/* Column i as text copied into a, or NULL. */
static const char *
col_text(sqlite3_stmt *st, int i, struct arena *a, int *enomem)
{
	const unsigned char *v = sqlite3_column_text(st, i);
	char *d;

	if (v == NULL)
		return NULL;
	d = arena_strndup(a, (const char *)v, (size_t)sqlite3_column_bytes(st, i));
	if (d == NULL)
		*enomem = 1;
	return d;
}

int
store_source_get(struct store *s, const char *name, const char *config_url, struct arena *a,
    struct source_state *out)
{
	sqlite3_stmt *st = q(s, Q_SOURCE_GET);
	const unsigned char *cu;
	int rc, enomem = 0;

	memset(out, 0, sizeof(*out));
	bind_text(st, 1, name);
	rc = sqlite3_step(st);
	cu = rc == SQLITE_ROW ? sqlite3_column_text(st, 0) : NULL;
	if (rc == SQLITE_ROW && cu != NULL && strcmp((const char *)cu, config_url) == 0) {
		out->url = col_text(st, 1, a, &enomem);
		out->etag = col_text(st, 2, a, &enomem);
		out->last_modified = col_text(st, 3, a, &enomem);
		out->body_hash = (uint64_t)sqlite3_column_int64(st, 4);
		out->next_poll = sqlite3_column_int64(st, 5);
		out->interval = sqlite3_column_int64(st, 6);
		out->last_poll = sqlite3_column_int64(st, 7);
		out->last_success = sqlite3_column_int64(st, 8);
		out->last_item = sqlite3_column_int64(st, 9);
		out->errors = sqlite3_column_int(st, 10);
		out->last_status = sqlite3_column_int(st, 11);
		out->last_error = col_text(st, 12, a, &enomem);
		out->moved_to = col_text(st, 13, a, &enomem);
		out->moved_count = sqlite3_column_int(st, 14);
		out->retired = sqlite3_column_int(st, 15) != 0;
		out->feed_every = sqlite3_column_int64(st, 16);
		out->skip_hours = (uint32_t)sqlite3_column_int64(st, 17);
		out->skip_days = (uint8_t)sqlite3_column_int(st, 18);
		sqlite3_reset(st);
		return enomem ? -ENOMEM : 0;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return fail(s, rc, "reading a source");
	/* New, or its URL was changed in the configuration: what was learned of the old one is void. */
	st = q(s, Q_SOURCE_NEW);
	bind_text(st, 1, name);
	bind_text(st, 2, config_url);
	if ((rc = run(s, st, "adding a source")) < 0)
		return rc;
	out->url = arena_strdup(a, config_url);
	return out->url != NULL ? 0 : -ENOMEM;
}

int
store_source_put(struct store *s, const char *name, const struct source_state *v)
{
	sqlite3_stmt *st = q(s, Q_SOURCE_PUT);

	bind_text(st, 1, name);
	bind_text(st, 2, v->url);
	bind_text(st, 3, v->etag);
	bind_text(st, 4, v->last_modified);
	(void)sqlite3_bind_int64(st, 5, (sqlite3_int64)v->body_hash);
	(void)sqlite3_bind_int64(st, 6, v->next_poll);
	(void)sqlite3_bind_int64(st, 7, v->interval);
	(void)sqlite3_bind_int64(st, 8, v->last_poll);
	(void)sqlite3_bind_int64(st, 9, v->last_success);
	(void)sqlite3_bind_int64(st, 10, v->last_item);
	(void)sqlite3_bind_int(st, 11, v->errors);
	(void)sqlite3_bind_int(st, 12, v->last_status);
	bind_text(st, 13, v->last_error);
	bind_text(st, 14, v->moved_to);
	(void)sqlite3_bind_int(st, 15, v->moved_count);
	(void)sqlite3_bind_int(st, 16, v->retired);
	(void)sqlite3_bind_int64(st, 17, v->feed_every);
	(void)sqlite3_bind_int64(st, 18, v->skip_hours);
	(void)sqlite3_bind_int(st, 19, v->skip_days);
	return run(s, st, "saving a source");
}

int
store_host_paused(struct store *s, const char *host, int64_t *until)
{
	sqlite3_stmt *st = q(s, Q_HOST_GET);
	int rc;

	bind_text(st, 1, host);
	rc = sqlite3_step(st);
	*until = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : fail(s, rc, "reading a host");
}

int
store_host_pause(struct store *s, const char *host, int64_t until)
{
	sqlite3_stmt *st = q(s, Q_HOST_PUT);

	bind_text(st, 1, host);
	(void)sqlite3_bind_int64(st, 2, until);
	return run(s, st, "pausing a host");
}

/* The item as a one-item JSON Feed document, in s->doc. */
static int
item_doc(struct store *s, const struct item *it)
{
	struct write_opts wo = { 0 };
	struct feed_writer w;
	struct feed f;
	int r;

	feed_init(&f);
	buf_clear(&s->doc);
	feed_writer_begin(&w, WRITE_JSON, &wo, &s->doc);
	r = feed_writer_item(&w, &f, it);
	if (r == 0)
		r = feed_writer_end(&w, &f);
	feed_release(&f);
	return r;
}

int
store_item_put(struct store *s, const char *source, const struct item *it, uint64_t story,
    int64_t now, int *changed)
{
	struct item_list was;
	struct item kept;
	sqlite3_stmt *st;
	const char *article;
	uint64_t hash;
	bool exists, keep;
	int rc, r;

	*changed = 0;
	if ((r = item_doc(s, it)) < 0)
		return r;
	hash = item_hash_bytes(s->doc.data, s->doc.len);	/* of the item as its feed gives it */
	st = q(s, Q_ITEM_HASH);
	bind_text(st, 1, source);
	bind_text(st, 2, it->id);
	rc = sqlite3_step(st);
	exists = rc == SQLITE_ROW;
	if (exists && ((uint64_t)sqlite3_column_int64(st, 0) == hash || sqlite3_column_int(st, 1) != 0)) {
		sqlite3_reset(st);
		return 0;	/* the same item again, or one pruned that its feed still carries */
	}
	article = exists ? (const char *)sqlite3_column_text(st, 2) : NULL;
	keep = article != NULL && it->url != NULL && strcmp(article, it->url) == 0;
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return fail(s, rc, "reading an item");
	item_list_init(&was);
	if (keep) {
		/* Changed in its feed, at the same link: the article read from that page stays. */
		if ((r = store_item_get(s, source, it->id, &was)) == 0 && was.len > 0) {
			kept = *it;
			kept.content_html = was.items[0].content_html;
			r = item_doc(s, &kept);
		}
		keep = r == 0 && was.len > 0;
		if (r < 0) {
			item_list_release(&was);
			return r;
		}
	}
	st = q(s, exists ? Q_ITEM_UPDATE : Q_ITEM_INSERT);
	bind_text(st, 1, source);
	bind_text(st, 2, it->id);
	(void)sqlite3_bind_int64(st, 3, (sqlite3_int64)story);
	(void)sqlite3_bind_int64(st, 4, (sqlite3_int64)hash);
	if (it->date_published != DATE_NONE || it->date_modified != DATE_NONE)	/* its date, for the order */
		(void)sqlite3_bind_int64(st, 5, it->date_published != DATE_NONE ? it->date_published :
		    it->date_modified);
	(void)sqlite3_bind_int64(st, 6, now);
	(void)sqlite3_bind_text(st, 7, buf_str(&s->doc), (int)s->doc.len, SQLITE_STATIC);
	bind_text(st, 8, it->url);
	bind_text(st, 9, it->title);
	bind_text(st, 10, it->summary);
	if (exists)
		bind_text(st, 11, keep ? it->url : NULL);
	r = run(s, st, "saving an item");
	item_list_release(&was);
	if (r == 0)
		*changed = !exists ? STORE_ITEM_NEW : keep ? STORE_ITEM_KEPT_ARTICLE : STORE_ITEM_UPDATED;
	return r;
}

static int
add_item(void *ctx, const struct feed *f, const struct item *it)
{
	(void)f;
	return item_list_add(ctx, it);
}

/* A stored document's item onto out; a document that does not read back is logged and skipped. */
static int
read_doc(sqlite3_stmt *st, int col, struct item_list *out)
{
	/* Its dates were checked when it was first read: none is "in the future" now. */
	struct parse_opts po = { .now = INT64_MAX / 2 };
	struct feed_parser *p;
	struct parse_error pe;
	struct feed f;
	int r;

	feed_init(&f);
	r = feed_parser_open(&p, &po, &f, &out->arena, add_item, out);
	if (r == 0)
		r = feed_parser_push(p, (const char *)sqlite3_column_text(st, col),
		    (size_t)sqlite3_column_bytes(st, col), &pe);
	if (r == 0)
		r = feed_parser_finish(p, &pe);
	if (r == -EBADMSG) {
		log_error("store: a stored item does not read back: %s", pe.msg);
		r = 0;	/* one bad row does not take the rest with it */
	}
	feed_parser_close(p);
	feed_release(&f);
	return r;
}

int
store_story_items(struct store *s, uint64_t story, struct item_list *out)
{
	sqlite3_stmt *st = q(s, Q_STORY_ITEMS);
	int rc, r = 0;

	(void)sqlite3_bind_int64(st, 1, (sqlite3_int64)story);
	while (r == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW)
		r = read_doc(st, 0, out);
	if (r == 0 && rc != SQLITE_DONE)
		r = fail(s, rc, "reading a story");
	sqlite3_reset(st);
	return r;
}

int
store_item_get(struct store *s, const char *source, const char *id, struct item_list *out)
{
	sqlite3_stmt *st = q(s, Q_ITEM_DOC);
	int rc, r = 0;

	bind_text(st, 1, source);
	bind_text(st, 2, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		r = read_doc(st, 0, out);
	else if (rc != SQLITE_DONE)
		r = fail(s, rc, "reading an item");
	sqlite3_reset(st);
	return r;
}

int
store_item_content(struct store *s, const char *source, const char *id, const char *html, const char *url)
{
	struct item_list l;
	struct item it;
	sqlite3_stmt *st;
	int r;

	item_list_init(&l);
	if ((r = store_item_get(s, source, id, &l)) < 0 || l.len == 0 || l.items[0].url == NULL ||
	    strcmp(l.items[0].url, url) != 0) {
		item_list_release(&l);
		return r < 0 ? r : -ENOENT;	/* gone, or it links to another page since */
	}
	it = l.items[0];
	it.content_html = html;
	r = item_doc(s, &it);
	item_list_release(&l);
	if (r < 0)
		return r;
	st = q(s, Q_ITEM_CONTENT);
	bind_text(st, 1, source);
	bind_text(st, 2, id);
	(void)sqlite3_bind_text(st, 3, buf_str(&s->doc), (int)s->doc.len, SQLITE_STATIC);
	bind_text(st, 4, url);
	return run(s, st, "saving an item's content");
}

int
store_recent(struct store *s, int64_t since, int (*fn)(void *ctx, const struct story_member *m), void *ctx)
{
	sqlite3_stmt *st = q(s, Q_RECENT);
	struct story_member m;
	int rc, r = 0;

	(void)sqlite3_bind_int64(st, 1, since);
	while (r == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		m.story = (uint64_t)sqlite3_column_int64(st, 0);
		m.source = (const char *)sqlite3_column_text(st, 1);
		m.id = (const char *)sqlite3_column_text(st, 2);
		m.url = (const char *)sqlite3_column_text(st, 3);
		m.title = (const char *)sqlite3_column_text(st, 4);
		m.summary = (const char *)sqlite3_column_text(st, 5);
		m.first_seen = sqlite3_column_int64(st, 6);
		m.updated = sqlite3_column_int64(st, 7);
		m.date = sqlite3_column_type(st, 8) == SQLITE_NULL ? DATE_NONE : sqlite3_column_int64(st, 8);
		r = fn(ctx, &m);
	}
	if (r == 0 && rc != SQLITE_ROW && rc != SQLITE_DONE)
		r = fail(s, rc, "reading recent items");
	sqlite3_reset(st);
	return r;
}

int
store_story_next(struct store *s, uint64_t *next)
{
	sqlite3_stmt *st = q(s, Q_STORY_MAX);
	int rc;

	*next = 0;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		*next = (uint64_t)sqlite3_column_int64(st, 0) + 1;
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : fail(s, rc, "reading the highest story");
}

int
store_blob_get(struct store *s, const char *key, struct buf *out)
{
	sqlite3_stmt *st = q(s, Q_BLOB_GET);
	int rc, r = 0;

	buf_clear(out);
	bind_text(st, 1, key);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		r = buf_append(out, sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0));
	else if (rc != SQLITE_DONE)
		r = fail(s, rc, "reading a blob");
	sqlite3_reset(st);
	return r;
}

int
store_blob_put(struct store *s, const char *key, const void *data, size_t len)
{
	sqlite3_stmt *st = q(s, Q_BLOB_PUT);

	if (len > INT32_MAX)
		return -E2BIG;
	bind_text(st, 1, key);
	(void)sqlite3_bind_blob(st, 2, len > 0 ? data : "", (int)len, SQLITE_STATIC);
	return run(s, st, "saving a blob");
}

int
store_prune(struct store *s, int64_t cutoff, size_t *n)
{
	sqlite3_stmt *st = q(s, Q_PRUNE);
	int r;

	(void)sqlite3_bind_int64(st, 1, cutoff);
	r = run(s, st, "pruning items");
	*n = r == 0 ? (size_t)sqlite3_changes(s->db) : 0;
	if (r == 0) {
		st = q(s, Q_PRUNE_GONE);
		(void)sqlite3_bind_int64(st, 1, cutoff - PRUNED_KEEP_MS);
		r = run(s, st, "forgetting pruned items");
	}
	return r;
}

int
store_count(struct store *s, const char *table, int64_t *n)
{
	sqlite3_stmt *st;
	char *text;
	int rc;

	*n = 0;
	if (strcmp(table, "items") != 0 && strcmp(table, "sources") != 0 && strcmp(table, "hosts") != 0)
		return -EINVAL;
	text = sqlite3_mprintf("SELECT count(*) FROM %s", table);
	rc = text != NULL ? sqlite3_prepare_v2(s->db, text, -1, &st, NULL) : SQLITE_NOMEM;
	sqlite3_free(text);
	if (rc != SQLITE_OK)
		return fail(s, rc, "counting");
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : fail(s, rc, "counting");
}
