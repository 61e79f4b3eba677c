/* dedup.h - one story per event: items joined to story clusters as they arrive, within a time window. */
#ifndef WIREDESK_DEDUP_H
#define WIREDESK_DEDUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "buf.h"

#define DEDUP_WINDOW		(24 * 3600)	/* seconds a story accepts items after its first one */
#define DEDUP_THRESHOLD		0.10		/* title similarity to a story's centroid that joins it */
#define DEDUP_WHY_LEN		256
#define DEDUP_TRAILERS_MAX	64		/* markers in dedup_opts.trailers */
#define DEDUP_TRAILER_LEN	256		/* bytes of one */

struct dedup_opts {
	int64_t		 window;	/* 0: DEDUP_WINDOW */
	double		 threshold;	/* 0: DEDUP_THRESHOLD */
	bool		 explain;	/* fill dedup_result.why (it costs a formatted line an item) */
	const char *const *trailers;	/* NULL: dedup_trailers; else the markers to use, NULL-terminated */
};

/*
 * Markers of a trailer ("you may also like", "share this:"...): the lead text is cut where the
 * first one starts. Matched as plain text, case folded and NFKC on both sides, a space in a marker
 * matching a line break too; at most DEDUP_TRAILERS_MAX markers of at most DEDUP_TRAILER_LEN
 * bytes, each with something but white space in it. The built-in list, NULL-terminated; a caller that wants more passes its own list.
 */
extern const char *const dedup_trailers[];

/* One item as dedup sees it. Strings are valid UTF-8 (NULL: absent); nothing is kept after the call. */
struct dedup_item {
	const char	*source;	/* the source's name */
	const char	*id;		/* the item's id at that source */
	const char	*url;		/* absolute URL */
	const char	*title;		/* plain text */
	const char	*text;		/* the lead: the summary, or the content as plain text */
	int64_t		 date;		/* UTC seconds it was published or first seen; the clock of the window */
	int		 priority;	/* the source's: higher wins the representative slot */
};

/* How an item found its story, cheapest check first. */
enum dedup_how {
	DEDUP_NEW,		/* a story of its own */
	DEDUP_SAME_ITEM,	/* the same source and id: an update */
	DEDUP_SAME_URL,		/* the same canonical URL from another source */
	DEDUP_NEAR_COPY,	/* the same lead text, boilerplate aside */
	DEDUP_SIMILAR,		/* a title close to the story's centroid */
};

struct dedup_result {
	uint64_t	 story;			/* the story's id, the same for its whole life */
	enum dedup_how	 how;
	double		 similarity;		/* DEDUP_SIMILAR: the cosine that decided */
	bool		 representative;	/* the item now stands for its story (priority, then earliest) */
	char		 why[DEDUP_WHY_LEN];	/* the decision in one line, when dedup_opts.explain */
};

struct dedup;

/* A new, empty clusterer (o may be NULL). 0, -ENOMEM, or -EINVAL for markers dedup_trailers rules out. */
int	dedup_new(struct dedup **ret, const struct dedup_opts *o);
void	dedup_free(struct dedup *d);		/* NULL is fine */

/*
 * Decides the story of one item, updates the clusters, and expires the stories whose window has
 * passed (the clock is the newest date seen). Items should come in date order; an earlier one is
 * taken as arriving now. 0, or -ENOMEM: then the item may be counted in part, and d stays
 * consistent.
 */
int	dedup_add(struct dedup *d, const struct dedup_item *it, struct dedup_result *ret);

/*
 * The state as bytes (versioned, checksummed), and back: a loaded clusterer decides exactly as the
 * saved one would have. dedup_save: 0, -ENOMEM, -E2BIG. dedup_load: 0, -ENOMEM, or -EINVAL for
 * bytes that are not a state this version wrote (truncated, corrupt, other version).
 */
int	dedup_save(const struct dedup *d, struct buf *out);
int	dedup_load(struct dedup **ret, const struct dedup_opts *o, const void *data, size_t len);

/* Bytes the clusterer holds now, and the items and stories its window holds. */
size_t	dedup_memory(const struct dedup *d);
size_t	dedup_items(const struct dedup *d);
size_t	dedup_stories(const struct dedup *d);

/* The id the next new story gets: every story so far has a lower one, ids start at 0. */
uint64_t	dedup_next_story(const struct dedup *d);

/*
 * One line of `wiredesk cluster` input: a JSON object {"id", "source", "title", "url",
 * "date_published" (RFC 3339), "content_html"?, "summary"?, "priority"?}. Fills *it with strings
 * kept in scratch (the caller resets it between lines); the lead is the summary, else the text of
 * content_html. 0, -ENOMEM, or -EINVAL with a reason in err for a line that is not such an object
 * (id and source are required).
 */
int	dedup_item_from_json(const char *line, size_t len, struct arena *scratch, struct dedup_item *it,
	    char err[DEDUP_WHY_LEN]);

#endif
