/* fuzz_url.c - url_resolve(), url_scheme_allowed() and url_canonical() on arbitrary bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "limits.h"
#include "url.h"

/* A base that always parses, so every relative output is checked against a real one. */
#define FUZZ_OTHER_BASE		"https://other.example/x/y?z#w"

static void
check(int ok)
{
	if (!ok)
		abort();
}

/*
 * Resolving an absolute URL we produced gives it back, whatever the base: it has a scheme, so
 * the base is never consulted (our http outputs always carry "//", so the "http:g" relative
 * reading cannot apply), everything that stripping or encoding would touch is already encoded,
 * and curl's form of a URL is a fixed point of curl's parser.
 */
static void
check_fixed_point(const char *base, const struct buf *u)
{
	struct buf again;

	buf_init(&again, ITEM_MAX_SHORT);
	check(url_resolve(base, u->data, u->len, &again) == 0);
	check(again.len == u->len && memcmp(again.data, u->data, u->len) == 0);
	buf_release(&again);
}

static void
check_canonical(const char *u)
{
	struct buf c, again;

	buf_init(&c, ITEM_MAX_SHORT);
	buf_init(&again, ITEM_MAX_SHORT);
	if (url_canonical(u, &c) == 0) {
		check(c.len > 0 && strlen(c.data) == c.len);
		check(url_scheme_allowed(c.data, URL_FETCH));
		check(url_canonical(c.data, &again) == 0);
		check(again.len == c.len && memcmp(again.data, c.data, c.len) == 0);
	}
	buf_release(&c);
	buf_release(&again);
}

/* Input: base, a newline, then the ref (which may hold NULs); without a newline, no base. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	const char *ref = (const char *)data;
	size_t ref_len = size;
	char *base = NULL, *refz = NULL;
	struct buf out;
	int use;

	if (nl != NULL) {
		base = strndup((const char *)data, (size_t)(nl - data));
		if (base == NULL)
			return 0;
		ref = (const char *)nl + 1;
		ref_len = size - (size_t)(nl - data) - 1;
	}
	buf_init(&out, ITEM_MAX_SHORT);
	if (url_resolve(base, ref, ref_len, &out) == 0) {
		check(out.len > 0 && strlen(out.data) == out.len);
		check(strchr(out.data, ':') != NULL && strchr(out.data, ':') != out.data);
		for (use = URL_LINK; use <= URL_FETCH; use++)
			(void)url_scheme_allowed(out.data, (enum url_use)use);
		check_fixed_point(NULL, &out);
		check_fixed_point(base, &out);
		check_fixed_point(FUZZ_OTHER_BASE, &out);
		check_canonical(out.data);
	}
	buf_release(&out);

	/* The raw input as a URL on its own, for url_canonical() and the scheme check. */
	refz = strndup(ref, ref_len);
	if (refz != NULL) {
		check_canonical(refz);
		for (use = URL_LINK; use <= URL_FETCH; use++)
			(void)url_scheme_allowed(refz, (enum url_use)use);
	}
	free(refz);
	free(base);
	return 0;
}
