/* test_store.c - the SQLite store: schema and migrations, sources, host pauses, items, blobs. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <sqlite3.h>

#include "store.h"

static char dir[] = "/tmp/wiredesk-test-store-XXXXXX";
static char path[sizeof(dir) + 32];

static int
setup(void **state)
{
	(void)state;
	if (mkdtemp(dir) == NULL)
		return -1;
	(void)snprintf(path, sizeof(path), "%s/wd.db", dir);
	return 0;
}

static void
remove_db(void)
{
	char p[sizeof(path) + 8];

	(void)unlink(path);
	(void)snprintf(p, sizeof(p), "%s-wal", path);
	(void)unlink(p);
	(void)snprintf(p, sizeof(p), "%s-shm", path);
	(void)unlink(p);
}

static int
teardown(void **state)
{
	(void)state;
	remove_db();
	return rmdir(dir);
}

static struct store *
open_ok(void)
{
	struct store *s = NULL;
	char err[256];
	int r = store_open(&s, path, err);

	if (r != 0)
		fail_msg("store_open: %d %s", r, err);
	return s;
}

/* One value of a query straight through SQLite, beside the store. */
static int64_t
sql_int(const char *query)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int64_t v = -1;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, query, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

static void
test_open_creates_the_schema_in_wal_mode_and_refuses_newer_ones(void **state)
{
	char err[256], missing[sizeof(dir) + 32];
	struct store *s;
	sqlite3 *db;
	FILE *f;

	(void)state;
	remove_db();
	s = open_ok();
	store_close(s);
	assert_int_equal(sql_int("PRAGMA user_version"), STORE_SCHEMA_VERSION);
	s = open_ok();		/* again: nothing to migrate */
	store_close(s);

	/* A version 3 database (before the feed's schedule hints) gets their columns, and the items their article. */
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "ALTER TABLE sources DROP COLUMN feed_every;"
	    " ALTER TABLE sources DROP COLUMN skip_hours; ALTER TABLE sources DROP COLUMN skip_days;"
	    " ALTER TABLE items DROP COLUMN article; PRAGMA user_version = 3", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	s = open_ok();
	store_close(s);
	assert_int_equal(sql_int("PRAGMA user_version"), STORE_SCHEMA_VERSION);
	assert_int_equal(sql_int("SELECT count(*) FROM pragma_table_info('sources') WHERE name = 'skip_days'"), 1);
	assert_int_equal(sql_int("SELECT count(*) FROM pragma_table_info('items') WHERE name = 'article'"), 1);

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA journal_mode", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(store_open(&s, path, err), -EPROTO);
	assert_null(s);
	assert_non_null(strstr(err, "newer"));
	remove_db();

	f = fopen(path, "w");
	assert_non_null(f);
	fputs("this is not an SQLite database, but it is long enough to have a header of 100 bytes: "
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n", f);
	fclose(f);
	assert_int_equal(store_open(&s, path, err), -EIO);
	assert_null(s);
	assert_true(err[0] != '\0');
	remove_db();

	(void)snprintf(missing, sizeof(missing), "%s/no/such/dir/wd.db", dir);
	assert_int_equal(store_open(&s, missing, err), -EIO);
	assert_null(s);
}

static void
test_sources_keep_their_state_and_restart_when_their_url_changes(void **state)
{
	struct source_state st, back;
	struct store *s;
	struct arena a;

	(void)state;
	remove_db();
	arena_init(&a);
	s = open_ok();
	assert_int_equal(store_source_get(s, "wire", "https://wire.example/rss", &a, &st), 0);
	assert_string_equal(st.url, "https://wire.example/rss");
	assert_null(st.etag);
	assert_int_equal(st.next_poll, 0);
	assert_int_equal(st.errors, 0);

	st.url = "https://wire.example/moved";
	st.etag = "\"abc\"";
	st.last_modified = "Wed, 25 Nov 2026 10:00:00 GMT";
	st.body_hash = 0xfedcba9876543210ULL;
	st.next_poll = 1800000000000;
	st.interval = 900000;
	st.last_poll = 1700000000001;
	st.last_success = 1700000000002;
	st.last_item = 1700000000003;
	st.errors = 3;
	st.last_status = 503;
	st.last_error = "503 Service Unavailable";
	st.moved_to = "https://wire.example/next";
	st.moved_count = 1;
	st.retired = true;
	st.feed_every = 1800000;
	st.skip_hours = 0xff0000u;
	st.skip_days = 0x41;
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(store_source_put(s, "wire", &st), 0);
	assert_int_equal(store_commit(s), 0);
	store_close(s);

	s = open_ok();
	assert_int_equal(store_source_get(s, "wire", "https://wire.example/rss", &a, &back), 0);
	assert_string_equal(back.url, st.url);
	assert_string_equal(back.etag, st.etag);
	assert_string_equal(back.last_modified, st.last_modified);
	assert_true(back.body_hash == st.body_hash);
	assert_int_equal(back.next_poll, st.next_poll);
	assert_int_equal(back.interval, st.interval);
	assert_int_equal(back.last_poll, st.last_poll);
	assert_int_equal(back.last_success, st.last_success);
	assert_int_equal(back.last_item, st.last_item);
	assert_int_equal(back.errors, 3);
	assert_int_equal(back.last_status, 503);
	assert_string_equal(back.last_error, st.last_error);
	assert_string_equal(back.moved_to, st.moved_to);
	assert_int_equal(back.moved_count, 1);
	assert_true(back.retired);
	assert_int_equal(back.feed_every, 1800000);
	assert_int_equal(back.skip_hours, 0xff0000u);
	assert_int_equal(back.skip_days, 0x41);

	/* The configuration now names another URL: a new source as far as the server is concerned. */
	assert_int_equal(store_source_get(s, "wire", "https://other.example/feed", &a, &back), 0);
	assert_string_equal(back.url, "https://other.example/feed");
	assert_null(back.etag);
	assert_false(back.retired);
	assert_int_equal(back.errors, 0);
	store_close(s);
	arena_release(&a);
}

static void
test_host_pauses(void **state)
{
	struct store *s;
	int64_t until;

	(void)state;
	remove_db();
	s = open_ok();
	assert_int_equal(store_host_paused(s, "wire.example", &until), 0);
	assert_int_equal(until, 0);
	assert_int_equal(store_host_pause(s, "wire.example", 1700000120000), 0);
	assert_int_equal(store_host_paused(s, "wire.example", &until), 0);
	assert_int_equal(until, 1700000120000);
	assert_int_equal(store_host_paused(s, "other.example", &until), 0);
	assert_int_equal(until, 0);
	store_close(s);
}

static void
make_item(struct item *it, const char *id, const char *title)
{
	item_init(it);
	it->id = id;
	it->url = "https://wire.example/a";
	it->title = title;
	it->content_html = "<p>Body <a href=\"https://x.example/\">link</a></p>";
	it->date_published = 1700000000;
}

static void
test_items_are_written_only_when_they_change_and_read_back(void **state)
{
	struct item_list stories;
	struct store *s;
	struct item it;
	int64_t n;
	size_t pruned;
	int changed;

	(void)state;
	remove_db();
	s = open_ok();
	make_item(&it, "a-1", "Quake hits the coast");
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(store_item_put(s, "wire", &it, 7, 1000, &changed), 0);
	assert_int_equal(changed, STORE_ITEM_NEW);
	assert_int_equal(store_item_put(s, "wire", &it, 7, 2000, &changed), 0);
	assert_int_equal(changed, STORE_ITEM_SAME);
	it.title = "Quake hits the coast, 12 dead";
	assert_int_equal(store_item_put(s, "wire", &it, 7, 3000, &changed), 0);
	assert_int_equal(changed, STORE_ITEM_UPDATED);
	make_item(&it, "b-9", "Earthquake strikes coast");
	assert_int_equal(store_item_put(s, "city", &it, 7, 4000, &changed), 0);
	assert_int_equal(changed, STORE_ITEM_NEW);
	make_item(&it, "a-1", "Another story, same id, other source");
	assert_int_equal(store_item_put(s, "city", &it, 8, 5000, &changed), 0);
	assert_int_equal(changed, STORE_ITEM_NEW);
	assert_int_equal(store_commit(s), 0);

	assert_int_equal(store_count(s, "items", &n), 0);
	assert_int_equal(n, 3);
	item_list_init(&stories);
	assert_int_equal(store_story_items(s, 7, &stories), 0);
	assert_int_equal(stories.len, 2);
	assert_string_equal(stories.items[0].id, "a-1");
	assert_string_equal(stories.items[0].title, "Quake hits the coast, 12 dead");
	assert_string_equal(stories.items[0].url, "https://wire.example/a");
	assert_int_equal(stories.items[0].date_published, 1700000000);
	assert_non_null(strstr(stories.items[0].content_html, "href=\"https://x.example/\""));
	assert_string_equal(stories.items[1].id, "b-9");
	item_list_release(&stories);

	assert_int_equal(store_prune(s, 4000, &pruned), 0);
	assert_int_equal(pruned, 1);		/* wire/a-1, first seen at 1000 */
	item_list_init(&stories);
	assert_int_equal(store_story_items(s, 7, &stories), 0);
	assert_int_equal(stories.len, 1);	/* only city/b-9 is left of story 7 */
	item_list_release(&stories);
	/* Its feed still carries it, changed even: a pruned item does not come back as new. */
	make_item(&it, "a-1", "Quake hits the coast, 12 dead, 40 hurt");
	assert_int_equal(store_item_put(s, "wire", &it, 9, 6000, &changed), 0);
	assert_int_equal(changed, STORE_ITEM_SAME);
	/* Its row goes 90 days later. */
	assert_int_equal(store_count(s, "items", &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(store_prune(s, 4000 + 90 * 86400 * 1000LL + 1, &pruned), 0);
	assert_int_equal(pruned, 2);		/* the other two now */
	assert_int_equal(store_count(s, "items", &n), 0);
	assert_int_equal(n, 1);			/* the rows pruned 90 days before went: city/a-1 stays */
	assert_int_equal(store_count(s, "items; DROP TABLE items", &n), -EINVAL);
	store_close(s);
}

/*
 * A fulltext source's fetched article replaces an item's content; the same item again keeps it, a
 * change at the same link too, and a change of link gives the feed's content back.
 */
static void
test_item_content_is_replaced_and_survives_the_same_item_again(void **state)
{
	struct item_list l;
	struct store *s;
	struct item it;
	int changed;

	(void)state;
	remove_db();
	s = open_ok();
	make_item(&it, "a-1", "Quake hits the coast");
	it.summary = "One line from the feed.";
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(store_item_put(s, "wire", &it, 7, 1000, &changed), 0);
	assert_int_equal(store_item_content(s, "wire", "a-1", "<p>The whole article, fetched.</p>", it.url), 0);
	assert_int_equal(store_item_content(s, "wire", "nope", "<p>x</p>", it.url), -ENOENT);
	assert_int_equal(store_item_content(s, "city", "a-1", "<p>x</p>", it.url), -ENOENT);
	/* A fetch of a page the item no longer links to stores nothing. */
	assert_int_equal(store_item_content(s, "wire", "a-1", "<p>stale</p>", "https://wire.example/old"), -ENOENT);
	assert_int_equal(store_commit(s), 0);
	item_list_init(&l);
	assert_int_equal(store_item_get(s, "wire", "a-1", &l), 0);
	assert_int_equal(l.len, 1);
	assert_string_equal(l.items[0].content_html, "<p>The whole article, fetched.</p>");
	assert_string_equal(l.items[0].title, "Quake hits the coast");
	assert_string_equal(l.items[0].summary, "One line from the feed.");
	assert_string_equal(l.items[0].url, "https://wire.example/a");
	assert_int_equal(l.items[0].date_published, 1700000000);
	item_list_release(&l);
	assert_int_equal(sql_int("SELECT updated FROM items WHERE source = 'wire' AND id = 'a-1'"), 1000);

	/* The feed carries it again, the same: no change, the article stays. */
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(store_item_put(s, "wire", &it, 7, 2000, &changed), 0);
	assert_int_equal(changed, STORE_ITEM_SAME);
	assert_int_equal(store_commit(s), 0);
	item_list_init(&l);
	assert_int_equal(store_item_get(s, "wire", "a-1", &l), 0);
	assert_int_equal(l.len, 1);
	assert_string_equal(l.items[0].content_html, "<p>The whole article, fetched.</p>");
	item_list_release(&l);

	/* Changed in the feed at the same link: the new title, the article still. */
	it.title = "Quake hits the coast, 12 dead";
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(store_item_put(s, "wire", &it, 7, 3000, &changed), 0);
	assert_int_equal(changed, STORE_ITEM_KEPT_ARTICLE);
	assert_int_equal(store_commit(s), 0);
	item_list_init(&l);
	assert_int_equal(store_item_get(s, "wire", "a-1", &l), 0);
	assert_string_equal(l.items[0].title, "Quake hits the coast, 12 dead");
	assert_string_equal(l.items[0].content_html, "<p>The whole article, fetched.</p>");
	item_list_release(&l);
	assert_int_equal(sql_int("SELECT updated FROM items WHERE source = 'wire' AND id = 'a-1'"), 3000);

	/* The same again after that is no change: the hash is still the feed's version. */
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(store_item_put(s, "wire", &it, 7, 3500, &changed), 0);
	assert_int_equal(changed, STORE_ITEM_SAME);
	assert_int_equal(store_commit(s), 0);

	/* A new link: the feed's content again, and the item is plainly updated. */
	it.url = "https://wire.example/a-updated";
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(store_item_put(s, "wire", &it, 7, 4000, &changed), 0);
	assert_int_equal(changed, STORE_ITEM_UPDATED);
	assert_int_equal(store_commit(s), 0);
	item_list_init(&l);
	assert_int_equal(store_item_get(s, "wire", "a-1", &l), 0);
	assert_non_null(strstr(l.items[0].content_html, "x.example"));
	item_list_release(&l);
	assert_int_equal(sql_int("SELECT article IS NULL FROM items WHERE source = 'wire' AND id = 'a-1'"), 1);
	store_close(s);
}

static void
test_rollback_discards_and_blobs_round_trip(void **state)
{
	struct store *s;
	struct item it;
	struct buf b;
	int64_t n;
	int changed;

	(void)state;
	remove_db();
	s = open_ok();
	buf_init(&b, 1u << 20);
	assert_int_equal(store_blob_get(s, "dedup", &b), 0);
	assert_int_equal(b.len, 0);
	assert_int_equal(store_blob_put(s, "dedup", "\0\1\2state", 8), 0);
	assert_int_equal(store_blob_get(s, "dedup", &b), 0);
	assert_int_equal(b.len, 8);
	assert_memory_equal(b.data, "\0\1\2state", 8);

	make_item(&it, "x", "Never committed");
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(store_item_put(s, "wire", &it, 1, 1000, &changed), 0);
	assert_int_equal(store_blob_put(s, "dedup", "new", 3), 0);
	store_rollback(s);
	store_rollback(s);	/* idempotent */
	assert_int_equal(store_count(s, "items", &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(store_blob_get(s, "dedup", &b), 0);
	assert_int_equal(b.len, 8);

	/* A transaction left open at close is rolled back, not committed. */
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(store_item_put(s, "wire", &it, 1, 1000, &changed), 0);
	store_close(s);
	s = open_ok();
	assert_int_equal(store_count(s, "items", &n), 0);
	assert_int_equal(n, 0);
	store_close(s);
	buf_release(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_creates_the_schema_in_wal_mode_and_refuses_newer_ones),
		cmocka_unit_test(test_sources_keep_their_state_and_restart_when_their_url_changes),
		cmocka_unit_test(test_host_pauses),
		cmocka_unit_test(test_items_are_written_only_when_they_change_and_read_back),
		cmocka_unit_test(test_item_content_is_replaced_and_survives_the_same_item_again),
		cmocka_unit_test(test_rollback_discards_and_blobs_round_trip),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
