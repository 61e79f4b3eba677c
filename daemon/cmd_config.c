/*
 * cmd_config.c - the configuration from the command line: `wiredesk check-config`, and the source
 * list in and out as OPML (`import-opml`, `export-opml`).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "buf.h"
#include "cli.h"
#include "conf.h"
#include "log.h"
#include "opml.h"

/* The file named after the subcommand's options, or the default; NULL after a usage error. */
static const char *
config_arg(int argc, char **argv, bool positional)
{
	const char *path = NULL;
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--config") == 0 && i + 1 < argc && path == NULL)
			path = argv[++i];
		else if (positional && argv[i][0] != '-' && path == NULL)
			path = argv[i];
		else
			return NULL;
	}
	return path != NULL ? path : CONF_DEFAULT_PATH;
}

/*
 * Loads the configuration, printing every problem on stderr as "FILE:LINE: key: problem"; the exit
 * status for main() when it fails.
 */
int
cli_load_conf(const char *path, struct conf **ret)
{
	struct buf errs;
	int r;

	buf_init(&errs, 1u << 20);
	r = conf_load(ret, path, &errs);
	if (r == -ENOMEM) {
		log_error("%s: %s", path, strerror(ENOMEM));
		buf_release(&errs);
		return EX_SOFTWARE;
	}
	if (r < 0)
		(void)write_all(STDERR_FILENO, buf_str(&errs), errs.len);
	buf_release(&errs);
	if (r == -ENOENT || r == -EACCES)
		return EX_NOINPUT;
	return r < 0 ? EX_CONFIG : EX_OK;
}

int
cmd_check_config(int argc, char **argv)
{
	const char *path = config_arg(argc, argv, true);
	struct conf *c;
	int rc;

	if (path == NULL) {
		cli_usage(stderr);
		return EX_USAGE;
	}
	rc = cli_load_conf(path, &c);
	if (rc == EX_OK)
		printf("configuration OK\n");
	conf_free(c);
	return rc;
}

/* ---- import-opml ---- */

#define SLUG_MAX	48

struct import {
	struct buf	 out;
	char		**names;	/* the section names given so far */
	char		**urls;		/* and their feeds, to give each feed once */
	size_t		 n, cap;
	int		 skipped;
};

/* A source or tag name from free text: lower-case letters and digits, '-' between words. */
static void
slug(const char *s, char out[SLUG_MAX + 1])
{
	size_t n = 0;

	for (; s != NULL && *s != '\0' && n < SLUG_MAX; s++) {
		if (isalnum((unsigned char)*s) && (unsigned char)*s < 0x80)
			out[n++] = (char)tolower((unsigned char)*s);
		else if (n > 0 && out[n - 1] != '-')
			out[n++] = '-';
	}
	while (n > 0 && out[n - 1] == '-')
		n--;
	out[n] = '\0';
}

static bool
one_line(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

/* Adds the tag t unless it is there already. */
static int
add_tag(struct buf *tags, const char *t)
{
	char s[SLUG_MAX + 1];
	const char *p;
	size_t n;

	slug(t, s);
	n = strlen(s);
	if (n == 0)
		return 0;
	for (p = buf_str(tags); (p = strstr(p, s)) != NULL; p += n)
		if ((p == buf_str(tags) || p[-1] == ' ') && (p[n] == ',' || p[n] == '\0'))
			return 0;
	return buf_appendf(tags, "%s%s", tags->len > 0 ? ", " : "", s);
}

static int
on_outline(void *ctx, const struct opml_outline *o)
{
	struct import *im = ctx;
	char name[SLUG_MAX + 16], base[SLUG_MAX + 1], **p;	/* base, "-", a suffix of up to 10 digits */
	const char *cat, *end;
	struct buf tags;
	size_t i, k, n;
	int r, suffix;

	if (strncmp(o->xml_url, "http://", 7) != 0 && strncmp(o->xml_url, "https://", 8) != 0) {
		log_warn("skipped '%s': not an http or https URL", o->xml_url);
		im->skipped++;
		return 0;
	}
	if (!one_line(o->xml_url) || strchr(o->xml_url, ' ') != NULL) {
		log_warn("skipped a feed URL with spaces or control characters");
		im->skipped++;
		return 0;
	}
	for (i = 0; i < im->n; i++)
		if (strcmp(im->urls[i], o->xml_url) == 0)
			return 0;	/* in two folders: the first is kept */

	slug(o->title, base);
	if (base[0] == '\0') {
		/* No usable title: the feed's host. */
		const char *h = strstr(o->xml_url, "//") + 2;
		char host[SLUG_MAX + 1];

		n = strcspn(h, "/:?#");
		(void)snprintf(host, sizeof(host), "%.*s", (int)(n < SLUG_MAX ? n : SLUG_MAX), h);
		slug(host, base);
	}
	if (base[0] == '\0')
		(void)snprintf(base, sizeof(base), "source");
	(void)snprintf(name, sizeof(name), "%s", base);
	for (suffix = 2, i = 0; i < im->n; i++)
		if (strcmp(im->names[i], name) == 0) {
			(void)snprintf(name, sizeof(name), "%s-%d", base, suffix++);
			i = (size_t)-1;		/* and look again */
		}

	buf_init(&tags, 4096);
	r = 0;
	for (i = 0; r == 0 && i < o->nfolders; i++)
		r = add_tag(&tags, o->folders[i]);
	/* category: "/a/b,/c": every part of every path. */
	for (cat = o->category; r == 0 && cat != NULL && *cat != '\0'; cat = *end != '\0' ? end + 1 : end) {
		end = cat + strcspn(cat, ",/");
		n = (size_t)(end - cat);
		if (n > 0 && n <= SLUG_MAX) {
			char part[SLUG_MAX + 1];

			memcpy(part, cat, n);
			part[n] = '\0';
			r = add_tag(&tags, part);
		}
	}
	if (r == 0 && im->n == im->cap) {
		k = im->cap != 0 ? im->cap * 2 : 64;
		if ((p = realloc(im->names, k * sizeof(*p))) != NULL)
			im->names = p;
		if (p != NULL && (p = realloc(im->urls, k * sizeof(*p))) != NULL)
			im->urls = p;
		if (p == NULL)
			r = -ENOMEM;
		else
			im->cap = k;
	}
	if (r == 0) {
		im->names[im->n] = strdup(name);
		im->urls[im->n] = strdup(o->xml_url);
		if (im->names[im->n] == NULL || im->urls[im->n] == NULL) {
			free(im->names[im->n]);
			free(im->urls[im->n]);
			r = -ENOMEM;
		} else {
			im->n++;
		}
	}
	if (r == 0 && o->title != NULL && one_line(o->title))
		r = buf_appendf(&im->out, "; %s\n", o->title);
	if (r == 0)
		r = buf_appendf(&im->out, "[source %s]\nurl = %s\n", name, o->xml_url);
	if (r == 0 && tags.len > 0)
		r = buf_appendf(&im->out, "tags = %s\n", buf_str(&tags));
	if (r == 0)
		r = buf_putc(&im->out, '\n');
	buf_release(&tags);
	return r;
}

/* The whole of a file (or stdin), at most max bytes; 0, -EFBIG, or -errno. */
static int
read_file(const char *path, size_t max, struct buf *out)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "re");
	size_t n;
	int r = 0;

	if (f == NULL)
		return -errno;
	do {
		if ((r = buf_reserve(out, 65536)) < 0)
			break;
		n = fread(out->data + out->len, 1, 65536, f);
		out->len += n;
		if (out->len > max)
			r = -EFBIG;
	} while (r == 0 && n > 0);
	if (r == 0 && ferror(f))
		r = -EIO;
	if (f != stdin)
		fclose(f);
	return r == -E2BIG ? -EFBIG : r;
}

int
cmd_import_opml(int argc, char **argv)
{
	struct import im = { 0 };
	struct buf in;
	char err[256];
	size_t i;
	int r, rc = EX_OK;

	if (argc != 2) {
		cli_usage(stderr);
		return EX_USAGE;
	}
	buf_init(&in, OPML_MAX_BYTES + 65536);
	buf_init(&im.out, SIZE_MAX);
	r = read_file(argv[1], OPML_MAX_BYTES, &in);
	if (r < 0) {
		log_error("%s: %s", argv[1], r == -EFBIG ? "larger than the 16 MiB an OPML file may be" :
		    strerror(-r));
		rc = r == -ENOENT ? EX_NOINPUT : EX_IOERR;
		goto out;
	}
	r = buf_appendf(&im.out, "; sources imported from %s by wiredesk import-opml\n\n", argv[1]);
	if (r == 0)
		r = opml_read(in.data, in.len, on_outline, &im, err);
	if (r == -EINVAL) {
		log_error("%s: %s", argv[1], err);
		rc = EX_DATAERR;
	} else if (r < 0) {
		log_error("%s: %s", argv[1], strerror(-r));
		rc = EX_SOFTWARE;
	} else if ((r = write_all(STDOUT_FILENO, buf_str(&im.out), im.out.len)) < 0 && r != -EPIPE) {
		log_error("cannot write: %s", strerror(-r));
		rc = EX_IOERR;
	}
	if (rc == EX_OK)
		log_info("%zu sources imported, %d skipped", im.n, im.skipped);
out:
	for (i = 0; i < im.n; i++) {
		free(im.names[i]);
		free(im.urls[i]);
	}
	free(im.names);
	free(im.urls);
	buf_release(&in);
	buf_release(&im.out);
	return rc;
}

int
cmd_export_opml(int argc, char **argv)
{
	const char *path = config_arg(argc, argv, false);
	struct opml_outline *o = NULL;
	struct conf *c = NULL;
	struct buf out;
	size_t i, j, n = 0;
	int r, rc;

	if (path == NULL) {
		cli_usage(stderr);
		return EX_USAGE;
	}
	if ((rc = cli_load_conf(path, &c)) != EX_OK)
		return rc;
	buf_init(&out, SIZE_MAX);
	o = calloc(c->nsources + 1, sizeof(*o));
	r = o != NULL ? 0 : -ENOMEM;
	/* Feeds only: an html source is a page and its rules, which no other reader takes. */
	for (i = 0; r == 0 && i < c->nsources; i++) {
		if (c->sources[i].type != SOURCE_FEED)
			continue;
		o[n].title = c->sources[i].name;
		o[n].xml_url = c->sources[i].url;
		for (j = 0; j < c->sources[i].ntags && j < OPML_MAX_FOLDERS; j++)
			o[n].folders[j] = c->sources[i].tags[j];
		o[n].nfolders = j;
		n++;
	}
	if (r == 0)
		r = opml_write(&out, "wiredesk sources", o, n);
	if (r == 0 && (r = write_all(STDOUT_FILENO, buf_str(&out), out.len)) == -EPIPE)
		r = 0;
	if (r < 0) {
		log_error("export-opml: %s", strerror(-r));
		rc = EX_IOERR;
	}
	free(o);
	buf_release(&out);
	conf_free(c);
	return rc;
}
