/* fuzz_opml.c - OPML on arbitrary bytes: every outline given has a feed URL, and a list written reads back. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "opml.h"

#define MAX_KEPT	64

struct kept {
	struct opml_outline	 o[MAX_KEPT];
	struct buf		 strings;	/* copies: an outline's strings end with the call */
	size_t			 n;
};

static const char *
keep(struct kept *k, const char *s)
{
	size_t at = k->strings.len;

	if (s == NULL || buf_append(&k->strings, s, strlen(s) + 1) < 0)
		return NULL;
	return (const char *)(uintptr_t)(at + 1);	/* an offset until the buffer stops moving */
}

static const char *
at(struct kept *k, const char *off)
{
	return off == NULL ? NULL : k->strings.data + ((uintptr_t)off - 1);
}

static int
on_outline(void *ctx, const struct opml_outline *o)
{
	struct kept *k = ctx;
	size_t i;

	if (o->xml_url == NULL || o->xml_url[0] == '\0' || o->nfolders > OPML_MAX_FOLDERS)
		abort();
	/* DEL and C1 controls are legal in XML but dropped by escape_xml(): such a URL cannot go out. */
	if (k->n == MAX_KEPT || strchr(o->xml_url, 0x7f) != NULL || strstr(o->xml_url, "\xc2") != NULL)
		return 0;
	k->o[k->n].title = keep(k, o->title);
	k->o[k->n].xml_url = keep(k, o->xml_url);
	for (i = 0; i < o->nfolders; i++)
		k->o[k->n].folders[i] = keep(k, o->folders[i]);
	k->o[k->n].nfolders = o->nfolders;
	k->n++;
	return 0;
}

static int
count(void *ctx, const struct opml_outline *o)
{
	(void)o;
	++*(size_t *)ctx;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct kept k;
	struct buf out;
	char err[256];
	size_t i, j, n = 0;
	int r;

	k.n = 0;
	buf_init(&k.strings, SIZE_MAX);
	r = opml_read((const char *)data, size, on_outline, &k, err);
	if (r == -EINVAL && err[0] == '\0')
		abort();
	if (r == 0) {
		for (i = 0; i < k.n; i++) {
			k.o[i].title = at(&k, k.o[i].title);
			k.o[i].xml_url = at(&k, k.o[i].xml_url);
			for (j = 0; j < k.o[i].nfolders; j++)
				k.o[i].folders[j] = at(&k, k.o[i].folders[j]);
		}
		/* What was read is written as OPML that reads back to as many subscriptions. */
		buf_init(&out, SIZE_MAX);
		if (opml_write(&out, "fuzz", k.o, k.n) != 0 ||
		    opml_read(out.data, out.len, count, &n, err) != 0 || n != k.n)
			abort();
		buf_release(&out);
	}
	buf_release(&k.strings);
	return 0;
}
