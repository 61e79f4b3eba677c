/* cmd_cluster.c - `wiredesk cluster`: JSON lines in, "id<TAB>story" out, through the daemon's dedup. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "arena.h"
#include "buf.h"
#include "cli.h"
#include "dedup.h"
#include "log.h"

/* "id<TAB>story\n" without printf, which would be a tenth of the time of `wiredesk cluster`. */
static int
put_line(struct buf *out, const char *id, uint64_t story)
{
	char num[24];
	size_t n = sizeof(num);
	int r;

	do
		num[--n] = (char)('0' + story % 10);
	while ((story /= 10) != 0);
	r = buf_puts(out, id);
	if (r == 0)
		r = buf_putc(out, '\t');
	if (r == 0)
		r = buf_append(out, num + n, sizeof(num) - n);
	if (r == 0)
		r = buf_putc(out, '\n');
	return r;
}

/*
 * Items in, one JSON object a line, through the same dedup the daemon runs: "id<TAB>story" out for
 * each, in input order. A bad line stops it with nothing on stdout. --trailer TEXT (repeated) adds
 * a marker where a lead's trailer starts to the built-in ones (dedup_trailers).
 */
int
cmd_cluster(int argc, char **argv)
{
	struct dedup_opts opts = { 0 };
	const char *path = NULL, *trailers[DEDUP_TRAILERS_MAX + 1];
	size_t nt = 0;
	char *end;
	int i;
	char err[DEDUP_WHY_LEN], *line = NULL;
	struct dedup_result res;
	struct dedup_item it;
	struct dedup *d = NULL;
	struct arena scratch;
	struct buf out;
	size_t cap = 0, start;
	ssize_t n;
	long lineno = 0;
	FILE *f;
	int r, rc = EX_OK;

	while (dedup_trailers[nt] != NULL)
		nt++;
	memcpy(trailers, dedup_trailers, nt * sizeof(*trailers));
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--trailer") == 0 && i + 1 < argc) {
			if (nt == DEDUP_TRAILERS_MAX) {
				log_error("--trailer: at most %d markers, built-in ones included", DEDUP_TRAILERS_MAX);
				return EX_USAGE;
			}
			trailers[nt++] = argv[++i];
			opts.trailers = trailers;
		} else if (strcmp(argv[i], "--threshold") == 0 && i + 1 < argc) {
			opts.threshold = strtod(argv[++i], &end);
			if (*end != '\0' || !(opts.threshold > 0 && opts.threshold <= 1)) {
				log_error("--threshold: a number in (0, 1], not '%s'", argv[i]);
				return EX_USAGE;
			}
		} else if (path == NULL && (argv[i][0] != '-' || strcmp(argv[i], "-") == 0)) {
			path = argv[i];
		} else {
			cli_usage(stderr);
			return EX_USAGE;
		}
	}
	if (path == NULL) {
		cli_usage(stderr);
		return EX_USAGE;
	}
	trailers[nt] = NULL;
	r = dedup_new(&d, &opts);
	if (r == -EINVAL) {
		log_error("--trailer: markers of at most %d bytes, not only white space", DEDUP_TRAILER_LEN);
		return EX_USAGE;
	}
	if (r < 0) {
		log_error("%s", strerror(-r));
		return EX_SOFTWARE;
	}
	f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	if (f == NULL) {
		log_error("cannot open '%s': %s", path, strerror(errno));
		dedup_free(d);
		return EX_NOINPUT;
	}
	/* Whole megabytes a read: the lines are short and many. */
	(void)setvbuf(f, NULL, _IOFBF, 1u << 20);
	arena_init(&scratch);
	buf_init(&out, SIZE_MAX);
	while (r == 0 && (n = getline(&line, &cap, f)) >= 0) {
		lineno++;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		start = lineno == 1 && n >= 3 && memcmp(line, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;	/* a BOM */
		if (strspn(line + start, " \t") == (size_t)n - start)
			continue;
		arena_reset(&scratch);
		r = dedup_item_from_json(line + start, (size_t)n - start, &scratch, &it, err);
		if (r == -EINVAL) {
			log_error("%s:%ld: %s", path, lineno, err);
			rc = EX_DATAERR;
			break;
		}
		if (r == 0)
			r = dedup_add(d, &it, &res);
		if (r == 0)
			r = put_line(&out, it.id, res.story);
	}
	if (rc == EX_OK && r == 0 && ferror(f)) {
		log_error("cannot read '%s': %s", path, strerror(errno));
		rc = EX_IOERR;
	} else if (rc == EX_OK && r < 0) {
		log_error("%s: %s", path, strerror(-r));
		rc = EX_SOFTWARE;
	}
	if (rc == EX_OK && (r = write_all(STDOUT_FILENO, buf_str(&out), out.len)) < 0 && r != -EPIPE) {
		log_error("cannot write: %s", strerror(-r));
		rc = EX_IOERR;
	}
	dedup_free(d);
	buf_release(&out);
	arena_release(&scratch);
	free(line);
	if (f != stdin)
		fclose(f);
	return rc;
}
