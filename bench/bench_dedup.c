/*
 * bench_dedup.c - what dedup_add costs, and what its window weighs, over a long stream of items.
 *
 * usage: bench_dedup [RUNS] FILE.jsonl
 * Reads FILE (the input of `wiredesk cluster`, e.g. from bench/gen_stream.py) into memory whole,
 * each line through dedup_item_from_json (timed), times jansson's json_loadb of the first
 * REF_LINES lines (the reference: what a JSON library takes to read a line), then adds every item to a
 * fresh clusterer, RUNS times (default 1). Prints the CPU time per add over the whole stream and
 * over its steady part (chunks of CHUNK items that start once the first window has turned over and
 * while the window holds TARGET_WINDOW items or more), the latency of single adds there, and the
 * memory of the window per item it holds:
 * dedup_memory() and, as a cross-check, the process's heap growth (mallinfo2).
 */
#include <errno.h>
#include <malloc.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "arena.h"
#include "bench_util.h"
#include "dedup.h"

#define MAX_RUNS	21
#define CHUNK		100000		/* items between two looks at the window */
#define REF_LINES	500000		/* lines parsed by jansson for the reference */
#define TARGET_US	10.0		/* issue #4: an add costs at most this, with 1,000,000 items in the window */
#define TARGET_BYTES	200.0		/* and the window at most this an item */
#define TARGET_WINDOW	1000000		/* items the window holds while the targets are measured */

struct run {
	double		 cpu_all, cpu_steady;	/* seconds over all items, over the steady part */
	size_t		 n_steady;
	size_t		 win_min, win_max;	/* items in the window over the steady part */
	double		 mem_item, heap_item;	/* bytes an item at the end, median over steady chunks */
	double		 mem_max, heap_max;	/* the most bytes seen, in MB */
	double		 p50, p99, p999, pmax;	/* µs of one add over the steady part (wall clock) */
	size_t		 how[5];
	size_t		 stories;
};

static uint64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Bytes the process holds from malloc: the arenas' used chunks and the mmapped ones. */
static size_t
heap_now(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}

static int
cmp_float(const void *a, const void *b)
{
	float x = *(const float *)a, y = *(const float *)b;

	return (x > y) - (x < y);
}

/* Every line of path into items[], strings in a; returns the count, 0 on error. */
static size_t
load(const char *path, struct arena *a, struct dedup_item **ret, double *ret_cpu, double *ret_ref)
{
	struct dedup_item *items = NULL;
	char err[DEDUP_WHY_LEN];
	const char *p, *end, *nl;
	size_t len = 0, n = 0, cap = 0, bad = 0, lineno = 0;
	double t;
	char *data;
	int r;

	if ((data = slurp(path, &len)) == NULL) {
		fprintf(stderr, "bench_dedup: cannot read %s: %s\n", path, strerror(errno));
		return 0;
	}
	t = cpu_now();		/* the loop is the parse: splitting lines and growing items[] cost next to nothing */
	for (p = data, end = data + len; p < end; p = nl + 1) {
		lineno++;
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		if (nl == p)
			continue;
		if (n == cap) {
			struct dedup_item *m;

			cap = cap != 0 ? cap * 2 : 1 << 16;
			if ((m = realloc(items, cap * sizeof(*items))) == NULL) {
				fprintf(stderr, "bench_dedup: out of memory\n");
				free(items);
				free(data);
				return 0;
			}
			items = m;
		}
		r = dedup_item_from_json(p, (size_t)(nl - p), a, &items[n], err);
		if (r == 0) {
			n++;
		} else if (bad++ < 3) {
			fprintf(stderr, "bench_dedup: %s:%zu: %s\n", path, lineno, r == -EINVAL ? err : strerror(-r));
		}
	}
	*ret_cpu = cpu_now() - t;
	/* The reference: jansson reading (and freeing) the same lines, as the first parser did. */
	t = cpu_now();
	for (p = data, lineno = 0; p < end && lineno < REF_LINES; p = nl + 1, lineno++) {
		json_t *o;

		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		if ((o = json_loadb(p, (size_t)(nl - p), JSON_REJECT_DUPLICATES, NULL)) != NULL)
			json_decref(o);
	}
	*ret_ref = lineno > 0 ? (cpu_now() - t) / (double)lineno : 0;
	if (bad > 0)
		fprintf(stderr, "bench_dedup: %zu lines skipped\n", bad);
	free(data);
	*ret = items;
	return n;
}

/* One pass of the whole stream through a fresh clusterer. */
static int
run_once(const struct dedup_item *items, size_t n, struct run *res)
{
	struct dedup_result dr;
	struct dedup *d;
	double t, m, h, mem[256], heap[256];
	float *lat = NULL;
	size_t i, end, k, w, nmem = 0, base, nlat = 0;
	bool steady;
	int64_t steady_from = items[0].date + DEDUP_WINDOW;
	uint64_t t0;
	int r;

	memset(res, 0, sizeof(*res));
	res->win_min = SIZE_MAX;
	if ((lat = malloc(n * sizeof(*lat))) == NULL)
		return -ENOMEM;
	base = heap_now();
	if ((r = dedup_new(&d, NULL)) != 0) {
		free(lat);
		return r;
	}
	for (i = 0; i < n; i = end) {
		end = i + CHUNK < n ? i + CHUNK : n;
		/* Steady: the first window has turned over, and the window holds the items the targets name. */
		steady = items[i].date >= steady_from && dedup_items(d) >= TARGET_WINDOW;

		t = cpu_now();
		for (k = i; k < end; k++) {
			t0 = mono_ns();
			if ((r = dedup_add(d, &items[k], &dr)) != 0) {
				fprintf(stderr, "bench_dedup: dedup_add of item %zu: %s\n", k, strerror(-r));
				dedup_free(d);
				free(lat);
				return r;
			}
			if (steady)
				lat[nlat++] = (float)(mono_ns() - t0) / 1e3f;
			res->how[dr.how]++;
		}
		t = cpu_now() - t;
		res->cpu_all += t;
		m = (double)dedup_memory(d);
		h = (double)(heap_now() - base);
		w = dedup_items(d);

		if (m / 1e6 > res->mem_max)
			res->mem_max = m / 1e6;
		if (h / 1e6 > res->heap_max)
			res->heap_max = h / 1e6;
		if (steady) {
			res->cpu_steady += t;
			res->n_steady += end - i;
			if (w < res->win_min)
				res->win_min = w;
			if (w > res->win_max)
				res->win_max = w;
			if (nmem < 256 && w > 0) {
				mem[nmem] = m / (double)w;
				heap[nmem++] = h / (double)w;
			}
		}
	}
	res->stories = dedup_stories(d);
	if (nmem > 0) {
		res->mem_item = median(mem, (int)nmem);
		res->heap_item = median(heap, (int)nmem);
	}
	if (nlat > 0) {
		qsort(lat, nlat, sizeof(*lat), cmp_float);
		res->p50 = lat[nlat / 2];
		res->p99 = lat[nlat * 99 / 100];
		res->p999 = lat[nlat * 999 / 1000];
		res->pmax = lat[nlat - 1];
	}
	dedup_free(d);
	free(lat);
	return 0;
}

static volatile float sink;

/* What the per-add timing adds to each add (two CLOCK_MONOTONIC reads and a store), in µs. */
static double
timer_overhead(void)
{
	uint64_t t0;
	double t = cpu_now();
	int i;

	for (i = 0; i < 1000000; i++) {
		t0 = mono_ns();
		sink = (float)(mono_ns() - t0);
	}
	return (cpu_now() - t) / 1e6 * 1e6;	/* seconds for 1e6 rounds = µs a round */
}

int
main(int argc, char **argv)
{
	static const char *const how[] = { "new", "same item", "same url", "near copy", "similar" };
	double all[MAX_RUNS], steady[MAX_RUNS], load_cpu, ref_line, us_all, us_steady, us_load, us_ref, ovh;
	struct run res[MAX_RUNS], *last;
	struct dedup_item *items = NULL;
	struct arena a;
	const char *path;
	size_t n, k;
	int runs = 1, i;

	if (argc == 3 && strspn(argv[1], "0123456789") == strlen(argv[1])) {
		runs = atoi(argv[1]);
		path = argv[2];
	} else if (argc == 2) {
		path = argv[1];
	} else {
		runs = 0;
		path = NULL;
	}
	if (runs < 1 || runs > MAX_RUNS) {
		fprintf(stderr, "usage: bench_dedup [RUNS] FILE.jsonl\n");
		return 64;
	}
	arena_init(&a);
	if ((n = load(path, &a, &items, &load_cpu, &ref_line)) == 0) {
		fprintf(stderr, "bench_dedup: no items in %s\n", path);
		arena_release(&a);
		return 1;
	}
	us_load = load_cpu / (double)n * 1e6;
	us_ref = ref_line * 1e6;
	ovh = timer_overhead();
	printf("%s: %zu items, dates %lld to %lld (%.1f days), window %d h\n", path, n,
	    (long long)items[0].date, (long long)items[n - 1].date,
	    (double)(items[n - 1].date - items[0].date) / 86400, DEDUP_WINDOW / 3600);
	printf("  reference: jansson json_loadb %.2f µs a line (CPU, first %d lines); dedup_item_from_json %.2f µs "
	    "a line (CPU, once)\n", us_ref, REF_LINES, us_load);
	for (i = 0; i < runs; i++) {
		if (run_once(items, n, &res[i]) != 0) {
			free(items);
			arena_release(&a);
			return 1;
		}
		all[i] = res[i].cpu_all;
		steady[i] = res[i].n_steady > 0 ? res[i].cpu_steady / (double)res[i].n_steady : 0;
		fprintf(stderr, "  run %d: %.1f s CPU\n", i + 1, res[i].cpu_all);
	}
	last = &res[runs - 1];
	us_all = median(all, runs) / (double)n * 1e6;
	us_steady = median(steady, runs) * 1e6;
	printf("  decisions:");
	for (k = 0; k < 5; k++)
		printf(" %s %.1f%%", how[k], 100.0 * (double)last->how[k] / (double)n);
	printf("; %zu live stories at the end\n", last->stories);
	printf("  dedup_add, all %zu items:      %6.2f µs an add (median of %d, CPU)  %9.0f items/s  %5.2fx jansson's parse\n",
	    n, us_all, runs, 1e6 / us_all, us_all / us_ref);
	if (last->n_steady == 0) {
		printf("  no steady part: the dates span less than the window\n");
	} else {
		printf("  dedup_add, steady %zu items:  %6.2f µs an add (median of %d, CPU)  %9.0f items/s  %5.2fx jansson's parse"
		    "  [target <= %.0f: %s]\n", last->n_steady, us_steady, runs, 1e6 / us_steady, us_steady / us_ref,
		    TARGET_US, us_steady <= TARGET_US ? "met" : "MISSED");
		printf("    window held %zu to %zu items [a full window of %d: %s]; one add (wall, last run): p50 %.2f  "
		    "p99 %.2f  p99.9 %.2f  max %.0f µs (timer adds %.3f µs)\n", last->win_min, last->win_max, TARGET_WINDOW,
		    last->win_min >= TARGET_WINDOW ? "yes" : "NO", last->p50, last->p99,
		    last->p999, last->pmax, ovh);
		printf("  window memory: dedup_memory %.0f bytes an item  [target <= %.0f: %s];  heap growth %.0f bytes an item "
		    "(mallinfo2, cross-check)\n", last->mem_item, TARGET_BYTES,
		    last->mem_item <= TARGET_BYTES ? "met" : "MISSED", last->heap_item);
	}
	printf("  peak: dedup_memory %.0f MB, heap growth %.0f MB\n", last->mem_max, last->heap_max);
	free(items);
	arena_release(&a);
	return 0;
}
