/* cmd_cluster.c - `wiredesk cluster`: JSON lines in, "id<TAB>story" out, through the daemon's dedup. */
#include <sys/stat.h>

#include <errno.h>
#include <stdbool.h>
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

#define OUT_HINT	(256u << 20)	/* bytes of output reserved at most, before the first line */

/*
 * "id<TAB>story\n" without printf, which would be a tenth of the time of `wiredesk cluster`: one
 * reserve, then plain stores.
 */
static int
put_line(struct buf *out, const char *id, uint64_t story)
{
	char num[24], *w;
	size_t n = sizeof(num), len = strlen(id);
	int r;

	do
		num[--n] = (char)('0' + story % 10);
	while ((story /= 10) != 0);
	r = buf_reserve(out, len + 2 + (sizeof(num) - n));
	if (r < 0)
		return r;
	w = out->data + out->len;
	memcpy(w, id, len);
	w[len] = '\t';
	memcpy(w + len + 1, num + n, sizeof(num) - n);
	w[len + 1 + sizeof(num) - n] = '\n';
	out->len += len + 2 + (sizeof(num) - n);
	out->data[out->len] = '\0';
	return 0;
}

#define READ_SIZE	(1u << 20)	/* bytes a read: the lines are short and many */

/* Lines read in place from a file descriptor, without copying each into a line of its own. */
struct lines {
	int	 fd;
	char	*buf;
	size_t	 cap, start, len;	/* [start, len) not handed out yet; buf[len] is NUL */
	bool	 eof;
};

/*
 * The next line into *ret (its newline kept, as getline() keeps it; NUL-terminated after it) and
 * its length into *ret_n. 1, 0 at the end, or -errno. The line stays valid until the next call.
 */
static int
lines_next(struct lines *l, char **ret, size_t *ret_n)
{
	char *nl, *p;
	ssize_t k;
	size_t cap;

	for (;;) {
		if (l->start < l->len) {
			nl = memchr(l->buf + l->start, '\n', l->len - l->start);
			if (nl != NULL || l->eof) {
				*ret = l->buf + l->start;
				*ret_n = nl != NULL ? (size_t)(nl - *ret) + 1 : l->len - l->start;
				l->start += *ret_n;
				return 1;
			}
		} else if (l->eof) {
			return 0;
		}
		/* A line cut by the end of the buffer: moved to its start, the buffer grown if it is all line. */
		if (l->start > 0) {
			memmove(l->buf, l->buf + l->start, l->len - l->start);
			l->len -= l->start;
			l->start = 0;
		}
		if (l->cap - l->len < READ_SIZE / 2) {
			cap = l->cap != 0 ? l->cap * 2 : READ_SIZE;
			if ((p = realloc(l->buf, cap)) == NULL)
				return -ENOMEM;
			l->buf = p;
			l->cap = cap;
		}
		k = read(l->fd, l->buf + l->len, l->cap - 1 - l->len);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -errno;
		l->eof = k == 0;
		l->len += (size_t)k;
		l->buf[l->len] = '\0';
	}
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
	struct lines lines = { 0 };
	size_t n = 0, start;
	long lineno = 0;
	struct stat st;
	int r, got = 0, rc = EX_OK;

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
	if ((lines.fd = cli_open_input(path)) < 0) {
		dedup_free(d);
		return EX_NOINPUT;
	}
	arena_init(&scratch);
	buf_init(&out, SIZE_MAX);
	/*
	 * The output is held until the end (a bad line leaves stdout empty). A line of it is a fraction
	 * of its input line: room for a quarter of a file, up to OUT_HINT, spares growing it by copies.
	 * Only a hint: the buffer grows past it as it must.
	 */
	if (fstat(lines.fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0)
		(void)buf_reserve(&out, (size_t)st.st_size / 4 < OUT_HINT ? (size_t)st.st_size / 4 : OUT_HINT);
	while (r == 0 && (got = lines_next(&lines, &line, &n)) > 0) {
		lineno++;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		start = lineno == 1 && n >= 3 && memcmp(line, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;	/* a BOM */
		if (strspn(line + start, " \t") == n - start)
			continue;
		arena_reset(&scratch);
		r = dedup_item_from_json(line + start, n - start, &scratch, &it, err);
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
	if (rc == EX_OK && r == 0 && got == -ENOMEM) {
		r = got;
		log_error("%s: %s", path, strerror(-r));
		rc = EX_SOFTWARE;
	} else if (rc == EX_OK && r == 0 && got < 0) {
		log_error("cannot read '%s': %s", path, strerror(-got));
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
	free(lines.buf);
	if (lines.fd != STDIN_FILENO)
		close(lines.fd);
	return rc;
}
