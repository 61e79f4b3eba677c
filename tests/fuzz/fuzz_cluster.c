/*
 * fuzz_cluster.c - the JSON-lines input of `wiredesk cluster` through dedup, with a save and load
 * half way whose copy must decide every later item exactly as the original does.
 *
 * Input: lines, each through dedup_item_from_json and, when it is an item, dedup_add. Each line is
 * also read again with a member in front that only jansson takes (an escape in its key): the fast
 * reader and jansson must agree on every line, item or error. A first line
 * "#WINDOW THRESHOLD" (seconds, a fraction) sets the options. After half the lines the clusterer is
 * saved and loaded back; the rest go to both, and their results must be the same. The raw input is
 * also given to dedup_load, which must refuse it cleanly (or take it, if it is a state).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "dedup.h"

#define MAX_LINES	200			/* lines read from one input: the work stays bounded */
#define STATE_MAX	(64u << 20)		/* a saved state, far above what a fuzz input makes */

static void
fail(size_t line, const char *why, const struct dedup_result *a, const struct dedup_result *b)
{
	fprintf(stderr, "fuzz_cluster: line %zu: %s\n", line, why);
	if (a != NULL)
		fprintf(stderr, "  original: story %" PRIu64 " how %d sim %.17g rep %d: %s\n", a->story, (int)a->how,
		    a->similarity, (int)a->representative, a->why);
	if (b != NULL)
		fprintf(stderr, "  loaded:   story %" PRIu64 " how %d sim %.17g rep %d: %s\n", b->story, (int)b->how,
		    b->similarity, (int)b->representative, b->why);
	abort();
}

/* What any result must be on its own. */
static void
check_result(size_t line, const struct dedup_result *r)
{
	if ((unsigned)r->how > DEDUP_SIMILAR)
		fail(line, "how is out of range", r, NULL);
	if (memchr(r->why, '\0', sizeof(r->why)) == NULL || r->why[0] == '\0')
		fail(line, "why is empty or not terminated", NULL, NULL);
	if (r->how == DEDUP_SIMILAR && !(r->similarity >= 0 && r->similarity <= 1.0001))
		fail(line, "a similarity outside [0, 1]", r, NULL);
}

/* Story ids seen so far: a new story must have a new id, a joined one an old id. */
struct seen {
	uint64_t	 id[MAX_LINES];
	size_t		 n;
};

static void
check_story(size_t line, struct seen *s, const struct dedup_result *r)
{
	size_t i;

	for (i = 0; i < s->n && s->id[i] != r->story; i++)
		;
	if (r->how == DEDUP_NEW && i < s->n)
		fail(line, "a new story with the id of an earlier one", r, NULL);
	if (r->how != DEDUP_NEW && i == s->n)
		fail(line, "joined a story that never began", r, NULL);
	if (i == s->n && s->n < MAX_LINES)
		s->id[s->n++] = r->story;
}

static void
same(size_t line, const struct dedup_result *a, const struct dedup_result *b)
{
	if (a->story != b->story || a->how != b->how || a->representative != b->representative ||
	    a->similarity != b->similarity || strcmp(a->why, b->why) != 0)
		fail(line, "the loaded clusterer decided otherwise", a, b);
}

/* The options line, clamped to what a configuration could say. */
static void
read_opts(const char *s, size_t n, struct dedup_opts *o)
{
	char tmp[64], *end;
	long long w;
	double t;

	if (n >= sizeof(tmp))
		n = sizeof(tmp) - 1;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	w = strtoll(tmp, &end, 10);
	t = strtod(end, NULL);
	o->window = w < 1 ? 0 : w > 30 * 86400 ? 30 * 86400 : w;
	o->threshold = !(t > 0.01) ? 0 : t > 1 ? 1 : t;
}

static bool
same_str(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* The line through jansson, by a member the fast reader leaves to it: the same item, or an error. */
static void
check_json_paths(size_t line, const char *s, size_t n, int e, const struct dedup_item *it, const char *err)
{
	static const char member[] = "{\"\\u00e9only-jansson\":[1]";
	struct dedup_item jt;
	struct arena a;
	char jerr[DEDUP_WHY_LEN], *forced;
	size_t i = 0, k;
	int je;

	while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
		i++;
	if (i == n || s[i] != '{')
		return;		/* not an object: neither reader takes it */
	for (k = i; k + 12 <= n; k++)
		if (memcmp(s + k, "only-jansson", 12) == 0)
			return;		/* the member may be there already: a duplicate then */
	for (k = i + 1; k < n && (s[k] == ' ' || s[k] == '\t' || s[k] == '\n' || s[k] == '\r'); k++)
		;
	if ((forced = malloc(sizeof(member) + 1 + n)) == NULL)
		return;
	memcpy(forced, member, sizeof(member) - 1);
	i = sizeof(member) - 1;
	if (k == n || s[k] != '}')
		forced[i++] = ',';
	memcpy(forced + i, s + k, n - k);
	i += n - k;
	arena_init(&a);
	je = dedup_item_from_json(forced, i, &a, &jt, jerr);
	if (e != -ENOMEM && je != -ENOMEM) {
		if (e != je)
			fail(line, "the fast reader and jansson disagree on a line", NULL, NULL);
		if (e == 0 && (strcmp(it->id, jt.id) != 0 || strcmp(it->source, jt.source) != 0 ||
		    !same_str(it->title, jt.title) || !same_str(it->url, jt.url) || !same_str(it->text, jt.text) ||
		    it->date != jt.date || it->priority != jt.priority))
			fail(line, "the fast reader and jansson read other items from a line", NULL, NULL);
		if (e == -EINVAL && strncmp(err, "not JSON", 8) != 0 && strcmp(err, jerr) != 0)
			fail(line, "the fast reader and jansson refuse a line for other reasons", NULL, NULL);
	}
	arena_release(&a);
	free(forced);
}

/* The raw bytes as a saved state: refused, or a clusterer that works. */
static void
load_raw(const uint8_t *data, size_t size)
{
	struct dedup_item it = { .source = "s", .id = "1", .title = "a title", .date = 1700000000 };
	struct dedup_opts o = { .explain = true };
	struct dedup_result r;
	struct dedup *d = NULL;
	struct buf b;
	int e;

	e = dedup_load(&d, &o, data, size);
	if (e == -EINVAL || e == -ENOMEM) {
		if (d != NULL)
			fail(0, "dedup_load failed but returned a clusterer", NULL, NULL);
		return;
	}
	if (e != 0 || d == NULL)
		fail(0, "dedup_load returned something other than 0, -ENOMEM, -EINVAL", NULL, NULL);
	buf_init(&b, STATE_MAX);
	(void)dedup_save(d, &b);
	if (dedup_add(d, &it, &r) == 0)
		check_result(0, &r);
	buf_release(&b);
	dedup_free(d);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size, *nl, *starts[MAX_LINES];
	size_t lens[MAX_LINES], n = 0, i, half;
	struct dedup_opts o = { .explain = true };	/* the debug log's explanations are code to fuzz too */
	struct dedup_result ra, rb;
	struct dedup_item it;
	struct dedup *a = NULL, *b = NULL;
	char err[DEDUP_WHY_LEN];
	struct arena scratch;
	struct seen seen = { .n = 0 };
	struct buf state;
	int e, ea, eb;

	load_raw(data, size);

	if (size > 0 && p[0] == '#') {
		nl = memchr(p, '\n', size);
		read_opts(p + 1, (size_t)((nl != NULL ? nl : end) - p - 1), &o);
		p = nl != NULL ? nl + 1 : end;
	}
	for (; p < end && n < MAX_LINES; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		starts[n] = p;
		lens[n++] = (size_t)(nl - p);
	}
	half = n / 2;

	if (dedup_new(&a, &o) != 0)
		return 0;
	arena_init(&scratch);
	buf_init(&state, STATE_MAX);
	for (i = 0; i < n; i++) {
		if (i == half) {
			e = dedup_save(a, &state);
			if (e == -ENOMEM)
				break;
			if (e != 0)
				fail(i, "dedup_save failed", NULL, NULL);
			e = dedup_load(&b, &o, state.data, state.len);
			if (e == -ENOMEM)
				break;
			if (e != 0)
				fail(i, "dedup_load refused what dedup_save wrote", NULL, NULL);
			if (dedup_items(a) != dedup_items(b) || dedup_stories(a) != dedup_stories(b))
				fail(i, "the loaded clusterer holds other items or stories", NULL, NULL);
		}
		arena_reset(&scratch);
		memset(err, 'x', sizeof(err));
		e = dedup_item_from_json(starts[i], lens[i], &scratch, &it, err);
		check_json_paths(i, starts[i], lens[i], e, &it, err);
		if (e == -EINVAL) {
			if (memchr(err, '\0', sizeof(err)) == NULL || err[0] == '\0')
				fail(i, "-EINVAL without a reason", NULL, NULL);
			continue;
		}
		if (e == -ENOMEM)
			break;
		if (e != 0)
			fail(i, "dedup_item_from_json returned something other than 0, -ENOMEM, -EINVAL", NULL, NULL);
		if (it.id == NULL || it.source == NULL)
			fail(i, "an item without id or source", NULL, NULL);
		ea = dedup_add(a, &it, &ra);
		if (ea != 0 && ea != -ENOMEM)
			fail(i, "dedup_add returned something other than 0, -ENOMEM", NULL, NULL);
		if (b == NULL) {
			if (ea != 0)
				break;
			check_result(i, &ra);
			check_story(i, &seen, &ra);
			continue;
		}
		eb = dedup_add(b, &it, &rb);
		if (ea == -ENOMEM || eb == -ENOMEM)
			break;		/* one of them unchanged: they may part from here */
		if (eb != 0)
			fail(i, "dedup_add on the loaded clusterer failed", NULL, NULL);
		check_result(i, &ra);
		check_story(i, &seen, &ra);
		same(i, &ra, &rb);
		if (dedup_items(a) != dedup_items(b) || dedup_stories(a) != dedup_stories(b))
			fail(i, "the two clusterers hold other items or stories", NULL, NULL);
	}
	buf_release(&state);
	arena_release(&scratch);
	dedup_free(a);
	dedup_free(b);
	return 0;
}
