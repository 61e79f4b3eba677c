/*
 * fuzz_conf.c - the configuration reader on arbitrary bytes: it loads or it refuses with at least
 * one well-formed "PATH:LINE: ..." problem line, and what it loads holds what conf.h promises.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "conf.h"

#define PATH	"/fuzz/wiredesk.conf"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf *c = NULL;
	struct buf errs;
	const char *p;
	size_t i;
	int r;

	buf_init(&errs, 1u << 24);
	r = conf_parse(&c, PATH, (const char *)data, size, &errs);
	if (r == 0) {
		if (errs.len != 0 || c == NULL || c->state[0] != '/' || c->output_dir[0] != '/' ||
		    c->min_interval > c->max_interval || c->interval < c->min_interval ||
		    c->interval > c->max_interval || c->concurrency < 1 || c->per_host < 1)
			abort();
		for (i = 0; i < c->nsources; i++)
			if (c->sources[i].url == NULL || conf_source_find(c, c->sources[i].name) != &c->sources[i] ||
			    (c->sources[i].type == SOURCE_HTML && c->sources[i].rules.item == NULL))
				abort();
		for (i = 0; i < c->noutputs; i++)
			if (c->outputs[i].nsources == 0 || c->outputs[i].formats == 0)
				abort();
	} else if (r == -EINVAL) {
		if (c != NULL || errs.len == 0 || errs.data[errs.len - 1] != '\n')
			abort();
		for (p = buf_str(&errs); *p != '\0'; p = strchr(p, '\n') + 1)
			if (strncmp(p, PATH ":", sizeof(PATH)) != 0)
				abort();
	} else if (r != -ENOMEM) {
		abort();
	}
	conf_free(c);
	buf_release(&errs);
	return 0;
}
