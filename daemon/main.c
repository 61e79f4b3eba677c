/* main.c - the wiredesk command line: subcommands over the feeds/ library and the daemon. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "dedup.h"
#include "limits.h"
#include "log.h"
#include "parse.h"
#include "write.h"

#define READ_CHUNK	(64u << 10)	/* bytes read and pushed to the parser at a time */
#define FLUSH_AT	(64u << 10)	/* output is written out once this much is buffered */

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: wiredesk parse [--base URL] [--charset CHARSET] FILE|-\n"
	    "       wiredesk convert --to rss|atom|json [--base URL] [--charset CHARSET] [--self URL] FILE|-\n"
	    "       wiredesk cluster [--threshold X] FILE.jsonl|-\n"
	    "       wiredesk --version\n"
	    "\n"
	    "parse    read one RSS, Atom or JSON Feed document and print it as JSON Feed 1.1\n"
	    "convert  read one feed document and print it as RSS 2.0, Atom 1.0 or JSON Feed 1.1;\n"
	    "         --self names the URL the output is served from\n"
	    "cluster  read items, one JSON object a line, and print \"id<TAB>story\" for each, in order;\n"
	    "         --threshold is the title similarity that joins a story (default 0.10)\n");
}

static int
write_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* The ids written so far, as 64-bit hashes in an open-addressing set: JSON Feed wants them unique. */
struct id_set {
	uint64_t	*keys;		/* 0: empty */
	size_t		 cap, len;
};

/* Adds h; 1 when it was new, 0 when it was there, -ENOMEM. */
static int
id_set_add(struct id_set *s, uint64_t h)
{
	uint64_t *keys;
	size_t i, j, cap;

	h += h == 0;
	if ((s->len + 1) * 2 > s->cap) {
		cap = s->cap != 0 ? s->cap * 2 : 256;
		keys = calloc(cap, sizeof(*keys));
		if (keys == NULL)
			return -ENOMEM;
		for (i = 0; i < s->cap; i++) {
			if (s->keys[i] == 0)
				continue;
			for (j = s->keys[i] & (cap - 1); keys[j] != 0; j = (j + 1) & (cap - 1))
				;
			keys[j] = s->keys[i];
		}
		free(s->keys);
		s->keys = keys;
		s->cap = cap;
	}
	for (i = h & (s->cap - 1); s->keys[i] != 0; i = (i + 1) & (s->cap - 1))
		if (s->keys[i] == h)
			return 0;
	s->keys[i] = h;
	s->len++;
	return 1;
}

struct parse_out {
	struct feed_writer	 w;
	struct buf		 buf;
	struct id_set		 ids;
	bool			 unique_ids;	/* convert: JSON Feed wants each id once */
	struct arena		*items;
	int			 io_error;
};

/* Each item goes out as it is parsed, and its strings are forgotten: memory stays flat. */
static int
on_item(void *ctx, const struct feed *f, const struct item *it)
{
	struct parse_out *o = ctx;
	struct item copy;
	char *id;
	size_t n;
	int r, k;

	/*
	 * A document may hold one item twice (two versions of it). parse shows the model as it is;
	 * convert gives each repeat "#2", "#3"... after its id, the same every time, as JSON Feed wants
	 * every id once (the id cut to make room when it is at its longest).
	 */
	r = o->unique_ids && it->id != NULL ? id_set_add(&o->ids, item_hash(ITEM_HASH_INIT, it->id)) : 1;
	for (k = 2; r == 0; k++) {
		n = strlen(it->id);
		if (n > ITEM_MAX_SHORT - 12)
			n = ITEM_MAX_SHORT - 12;
		while (n > 0 && ((unsigned char)it->id[n] & 0xC0) == 0x80)
			n--;		/* not inside a character */
		id = arena_alloc(o->items, n + 12);
		if (id == NULL)
			return -ENOMEM;
		(void)snprintf(id, n + 12, "%.*s#%d", (int)n, it->id, k);
		r = id_set_add(&o->ids, item_hash(ITEM_HASH_INIT, id));
		if (r == 1) {
			copy = *it;
			copy.id = id;
			it = &copy;
		}
	}
	if (r < 0)
		return r;
	r = feed_writer_item(&o->w, f, it);
	arena_reset(o->items);
	if (r < 0)
		return r;
	if (o->buf.len >= FLUSH_AT) {
		r = write_all(STDOUT_FILENO, o->buf.data, o->buf.len);
		if (r < 0) {
			o->io_error = r;
			return r;
		}
		buf_clear(&o->buf);
	}
	return 0;
}

/* parse and convert: one feed in, one document out, each item written as soon as it is read. */
static int
cmd_convert(int argc, char **argv, bool convert)
{
	const char *base = NULL, *charset = NULL, *path = NULL;
	enum write_format format = WRITE_JSON;
	struct write_opts wopts = { 0 };
	struct feed_parser *p = NULL;
	struct parse_error err = { 0 };
	struct parse_opts opts = { 0 };
	bool have_format = !convert;
	struct parse_out out;
	struct arena items;
	struct feed feed;
	char *chunk = NULL;
	ssize_t n;
	int fd = -1, i, r, rc = EX_OK;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--base") == 0 && i + 1 < argc)
			base = argv[++i];
		else if (strcmp(argv[i], "--charset") == 0 && i + 1 < argc)
			charset = argv[++i];
		else if (convert && strcmp(argv[i], "--to") == 0 && i + 1 < argc &&
		    write_format_parse(argv[i + 1], &format) == 0 && ++i)
			have_format = true;
		else if (convert && strcmp(argv[i], "--self") == 0 && i + 1 < argc)
			wopts.self_url = argv[++i];
		else if (path == NULL && (argv[i][0] != '-' || strcmp(argv[i], "-") == 0))
			path = argv[i];
		else {
			usage(stderr);
			return EX_USAGE;
		}
	}
	if (path == NULL || !have_format) {
		usage(stderr);
		return EX_USAGE;
	}
	if (strcmp(path, "-") == 0) {
		fd = STDIN_FILENO;
	} else {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			log_error("cannot open '%s': %s", path, strerror(errno));
			return EX_NOINPUT;
		}
	}

	feed_init(&feed);
	arena_init(&items);
	memset(&out, 0, sizeof(out));
	buf_init(&out.buf, SIZE_MAX);
	opts.base_url = base;
	opts.charset = charset;
	opts.now = time(NULL);
	wopts.now = opts.now;
	feed_writer_begin(&out.w, format, &wopts, &out.buf);
	out.unique_ids = convert;
	out.items = &items;
	chunk = malloc(READ_CHUNK);
	r = chunk != NULL ? feed_parser_open(&p, &opts, &feed, &items, on_item, &out) : -ENOMEM;
	while (r == 0) {
		n = read(fd, chunk, READ_CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			log_error("cannot read '%s': %s", path, strerror(errno));
			rc = EX_IOERR;
			goto out;
		}
		if (n == 0)
			break;
		r = feed_parser_push(p, chunk, (size_t)n, &err);
	}
	if (r == 0)
		r = feed_parser_finish(p, &err);
	if (r == 0)
		r = feed_writer_end(&out.w, &feed);
	if (r == 0)
		r = write_all(STDOUT_FILENO, buf_str(&out.buf), out.buf.len);
	if (r < 0 && out.io_error == 0 && r != -EPIPE && err.msg[0] != '\0') {
		if (err.line > 0)
			log_error("%s:%d:%d: %s", path, err.line, err.column, err.msg);
		else
			log_error("%s: %s", path, err.msg);
		rc = r == -ENOMEM ? EX_SOFTWARE : EX_DATAERR;
	} else if (r < 0) {
		log_error("%s: %s", path, strerror(-r));
		rc = r == -ENOMEM ? EX_SOFTWARE : EX_IOERR;
	}
out:
	feed_parser_close(p);
	free(chunk);
	buf_release(&out.buf);
	free(out.ids.keys);
	arena_release(&items);
	feed_release(&feed);
	if (fd > STDIN_FILENO)
		(void)close(fd);
	return rc;
}

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
 * each, in input order. A bad line stops it with nothing on stdout.
 */
static int
cmd_cluster(int argc, char **argv)
{
	struct dedup_opts opts = { 0 };
	const char *path = NULL;
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

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--threshold") == 0 && i + 1 < argc) {
			opts.threshold = strtod(argv[++i], &end);
			if (*end != '\0' || !(opts.threshold > 0 && opts.threshold <= 1)) {
				log_error("--threshold: a number in (0, 1], not '%s'", argv[i]);
				return EX_USAGE;
			}
		} else if (path == NULL && (argv[i][0] != '-' || strcmp(argv[i], "-") == 0)) {
			path = argv[i];
		} else {
			usage(stderr);
			return EX_USAGE;
		}
	}
	if (path == NULL) {
		usage(stderr);
		return EX_USAGE;
	}
	f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	if (f == NULL) {
		log_error("cannot open '%s': %s", path, strerror(errno));
		return EX_NOINPUT;
	}
	arena_init(&scratch);
	buf_init(&out, SIZE_MAX);
	r = dedup_new(&d, &opts);
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

int
main(int argc, char **argv)
{
	if (getenv("JOURNAL_STREAM") != NULL)
		log_set_journal(1);
	if (argc < 2) {
		usage(stderr);
		return EX_USAGE;
	}
	if (strcmp(argv[1], "parse") == 0)
		return cmd_convert(argc - 1, argv + 1, false);
	if (strcmp(argv[1], "convert") == 0)
		return cmd_convert(argc - 1, argv + 1, true);
	if (strcmp(argv[1], "cluster") == 0)
		return cmd_cluster(argc - 1, argv + 1);
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
		printf("wiredesk %s\n", WIREDESK_VERSION);
		return EX_OK;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return EX_OK;
	}
	usage(stderr);
	return EX_USAGE;
}
