/* fuzz_extract.c - the article extractor on arbitrary pages: bounded, sanitized, and the same twice. */
#define _GNU_SOURCE	/* strcasestr() */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "extract.h"
#include "limits.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct parse_opts o = { .base_url = "https://example.org/news/story.html", .now = 1798761600 };
	struct scrape_error err;
	struct buf a, b;
	int r, r2;

	buf_init(&a, ITEM_MAX_FIELD);
	buf_init(&b, ITEM_MAX_FIELD);
	r = extract_article((const char *)data, size, &o, NULL, &a, &err);
	if (r != 0 && r != -EBADMSG && r != -ENOMEM)
		abort();
	if (r != 0 && a.len != 0)
		abort();	/* out unchanged on error */
	if (r == 0 && (strcasestr(buf_str(&a), "<script") != NULL || strcasestr(buf_str(&a), "=\"javascript:") != NULL))
		abort();
	/* Pure code: the same page gives the same article. */
	r2 = extract_article((const char *)data, size, &o, NULL, &b, &err);
	if (r2 != r || a.len != b.len || (a.len > 0 && memcmp(a.data, b.data, a.len) != 0))
		abort();
	buf_clear(&b);
	r = extract_article((const char *)data, size, &o, "//p | //div[@class='body']", &b, &err);
	if (r == -EBADMSG && (err.rule == NULL || strcmp(err.rule, "content") != 0 || b.len != 0))
		abort();	/* a rule that selects nothing is named */
	buf_release(&a);
	buf_release(&b);
	return 0;
}
