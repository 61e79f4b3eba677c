/*
 * publish.h - the outputs: one merged feed per [output NAME], written as NAME.rss, NAME.atom and
 * NAME.json in output_dir, each replaced atomically and only when its content changed.
 */
#ifndef WIREDESK_PUBLISH_H
#define WIREDESK_PUBLISH_H

#include <stdbool.h>
#include <stdint.h>

#include "conf.h"
#include "store.h"

/*
 * Renders output o from the store at now (ms) and replaces its files when their bytes changed;
 * *written says whether any was. A file that cannot be written is logged and keeps its previous
 * version (the next call tries again). 0, or the store's error (-EIO, -ENOSPC, -EBUSY, -ENOMEM).
 */
int	publish_output(struct store *s, const struct conf *c, const struct conf_output *o, int64_t now,
	    bool *written);

/* Removes temporary files a crash left in output_dir (".NAME.*.tmp-*"); creates the folder. */
int	publish_prepare(const struct conf *c);

/*
 * Replaces path with the n bytes at data: a temporary file beside it, fsync, rename, fsync of the
 * folder. 0, or -errno, and then path is as it was and no temporary file is left.
 */
int	publish_write_file(const char *path, const void *data, size_t n);

#endif
