/* cmd_convert.c - `wiredesk parse` and `wiredesk convert`: one feed in, one document out. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "cli.h"
#include "limits.h"
#include "log.h"
#include "parse.h"
#include "write.h"

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
int
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
			cli_usage(stderr);
			return EX_USAGE;
		}
	}
	if (path == NULL || !have_format) {
		cli_usage(stderr);
		return EX_USAGE;
	}
	if ((fd = cli_open_input(path)) < 0)
		return EX_NOINPUT;

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

