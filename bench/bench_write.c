/*
 * bench_write.c - what writing a feed costs next to parsing it, measured in one run.
 *
 * usage: bench_write [RUNS] FILE...
 * For each file: parse it whole into the item model (parse_feed: parse, normalize, sanitize), then
 * write that model as RSS 2.0, Atom 1.0 and JSON Feed 1.1 into memory. Each step runs RUNS times
 * (default 5); the median CPU time of each is printed, and each writer as a ratio of the parse.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_util.h"
#include "parse.h"
#include "write.h"

#define MAX_RUNS	101

/* One document of the model in format; returns its size, or 0 on error. */
static size_t
write_doc(enum write_format format, const struct feed *f, const struct item_list *l)
{
	struct write_opts o = { .self_url = "http://127.0.0.1/bench", .now = 1700000000 };
	struct feed_writer w;
	struct buf out;
	size_t i, n = 0;
	int r = 0;

	buf_init(&out, SIZE_MAX);
	feed_writer_begin(&w, format, &o, &out);
	for (i = 0; r == 0 && i < l->len; i++)
		r = feed_writer_item(&w, f, &l->items[i]);
	if (r == 0)
		r = feed_writer_end(&w, f);
	if (r == 0)
		n = out.len;
	buf_release(&out);
	return n;
}

static int
bench(const char *path, int runs)
{
	static const char *const names[] = { "rss", "atom", "json" };
	double parse_t[MAX_RUNS], write_t[3][MAX_RUNS], t, parse_med;
	struct parse_opts o = { .now = 1700000000 };
	struct parse_error err;
	struct item_list l;
	struct feed f;
	size_t len, size[3] = { 0 };
	char *data;
	int i, k;

	data = slurp(path, &len);
	if (data == NULL) {
		fprintf(stderr, "bench_write: cannot read %s: %s\n", path, strerror(errno));
		return 1;
	}
	for (i = 0; i < runs; i++) {
		feed_init(&f);
		item_list_init(&l);
		t = cpu_now();
		if (parse_feed(data, len, &o, &f, &l, &err) != 0) {
			fprintf(stderr, "bench_write: %s:%d: %s\n", path, err.line, err.msg);
			free(data);
			return 1;
		}
		parse_t[i] = cpu_now() - t;
		for (k = 0; k < 3; k++) {
			t = cpu_now();
			size[k] = write_doc((enum write_format)k, &f, &l);
			write_t[k][i] = cpu_now() - t;
		}
		if (i + 1 < runs) {
			item_list_release(&l);
			feed_release(&f);
		}
	}
	parse_med = median(parse_t, runs);
	printf("%s: %zu bytes, %zu items; parse %.1f ms (median of %d, CPU)\n", path, len, l.len,
	    parse_med * 1e3, runs);
	for (k = 0; k < 3; k++) {
		t = median(write_t[k], runs);
		printf("  write %-4s %7.1f ms  %5.2fx parse  %9zu bytes  %6.0f MB/s\n", names[k], t * 1e3, t / parse_med,
		    size[k], (double)size[k] / t / 1e6);
	}
	item_list_release(&l);
	feed_release(&f);
	free(data);
	return size[0] == 0 || size[1] == 0 || size[2] == 0;
}

int
main(int argc, char **argv)
{
	int i = 1, runs = 5, rc = 0;

	if (argc > 2 && strspn(argv[1], "0123456789") == strlen(argv[1])) {
		runs = atoi(argv[1]);
		i = 2;
	}
	if (i >= argc || runs < 1 || runs > MAX_RUNS) {
		fprintf(stderr, "usage: bench_write [RUNS] FILE...\n");
		return 64;
	}
	for (; i < argc; i++)
		rc |= bench(argv[i], runs);
	return rc;
}
