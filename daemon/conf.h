/*
 * conf.h - the configuration file: one INI file (inih), validated whole before it is used.
 *
 * The format is DESIGN.md's "Configuration". Every key has a safe default; every error is reported
 * as "FILE:LINE: key: problem", all of them, not only the first. A configuration that loads is
 * complete: paths are absolute, durations are milliseconds, defaults are filled in, patterns and
 * XPath rules compile. It is read-only after conf_load() and freed whole by conf_free().
 */
#ifndef WIREDESK_CONF_H
#define WIREDESK_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "buf.h"
#include "scrape.h"	/* struct scrape_rules: the XPath rules of an html source */

#define CONF_DEFAULT_PATH	"/etc/wiredesk/wiredesk.conf"
#define CONF_MAX_BYTES		(4u << 20)	/* a larger configuration file is refused */
#define CONF_MAX_LINE		8192		/* bytes of one line */
#define CONF_MAX_SOURCES	100000
#define CONF_MAX_OUTPUTS	1000
#define CONF_MAX_TAGS		32		/* of one source */
#define CONF_MAX_NAME		64		/* bytes of a source, output or tag name */
#define CONF_MAX_BODY		(1u << 30)	/* the largest max_body */

/* A polled site. Strings are NULL when not given; durations in milliseconds, 0: the daemon's. */
enum source_type { SOURCE_FEED, SOURCE_HTML };

struct conf_source {
	const char		*name;		/* the section's name: the source's id */
	const char		*url;
	enum source_type	 type;
	int64_t			 interval;	/* the daemon's when not given */
	int			 priority;	/* higher wins the representative slot of a story */
	const char		**tags;		/* ntags names */
	size_t			 ntags;
	bool			 allow_private;	/* the daemon's when not given */
	bool			 allow_file;
	bool			 fulltext;	/* fetch each new item's page for its main content */
	struct scrape_rules	 rules;		/* html only; a feed's only content, with fulltext */
	int			 line;		/* of its section header, for messages */
	unsigned char		 given;		/* CONF_GIVEN_*: set here, not taken from [daemon] */
};

#define CONF_GIVEN_PRIVATE	1
#define CONF_GIVEN_FILE		2

enum { FORMAT_RSS = 1, FORMAT_ATOM = 2, FORMAT_JSON = 4 };

/* A published feed: which sources, filtered and limited, in which formats. */
struct conf_output {
	const char	*name;		/* file name without extension */
	const char	*title;
	const char	**sources;	/* names, "tag:NAME" or "*" */
	size_t		 nsources;
	unsigned	 formats;	/* FORMAT_* bits */
	int		 max_items;
	int64_t		 max_age;
	int		 min_sources;	/* a story is published once this many sources carry it */
	const char	*include;	/* PCRE2 patterns on title and summary, checked to compile */
	const char	*exclude;
	int		 line;
};

struct conf {
	const char		*path;		/* the file read, as given */
	const char		*state;		/* SQLite file, absolute */
	const char		*output_dir;	/* absolute */
	const char		*listen;	/* "" when the built-in server is off */
	const char		*base_url;	/* with a trailing slash */
	const char		*user_agent;
	int64_t			 interval, min_interval, max_interval, host_delay;
	size_t			 max_body;	/* decoded bytes of one fetched body */
	int64_t			 timeout, connect_timeout, low_speed_time;	/* of one transfer */
	int			 concurrency, per_host;
	bool			 allow_private, allow_file;
	/* Where a lead's trailer starts, for dedup: the built-in markers and those of `trailers`,
	 * NULL-terminated; NULL when the key is not given (dedup's own list). */
	const char		**trailers;
	struct conf_source	*sources;
	size_t			 nsources;
	struct conf_output	*outputs;
	size_t			 noutputs;
	const struct conf_source **by_name;	/* the sources sorted by name, for conf_source_find() */
	struct arena		 mem;		/* every string and array above */
};

/*
 * Reads and validates the file at path. 0 and *ret, or -EINVAL with every problem appended to errs
 * as "PATH:LINE: key: problem\n" lines in line order (LINE is 0 for the file as a whole), or -errno
 * of opening it (with its line in errs too), or -ENOMEM.
 * $STATE_DIRECTORY (systemd), when set, replaces the default folder of state and output_dir.
 */
int	conf_load(struct conf **ret, const char *path, struct buf *errs);

/* The same for a file's bytes already read; path names it in messages and is where relative paths start. */
int	conf_parse(struct conf **ret, const char *path, const char *data, size_t len, struct buf *errs);
void	conf_free(struct conf *c);	/* NULL is fine */

/*
 * What a reload cannot move under a running daemon: c keeps running's state, output_dir and
 * listen. changed names the keys c had otherwise ("state, listen"; "" when none). 0 or -ENOMEM.
 */
int	conf_keep_running(struct conf *c, const struct conf *running, char changed[64]);

/* A source by name, or NULL. */
const struct conf_source *conf_source_find(const struct conf *c, const char *name);

/* Whether an output's sources list takes s ("*", its name, or "tag:T" for one of its tags). */
bool	conf_output_takes(const struct conf_output *o, const struct conf_source *s);

/*
 * "90s", "15m", "24h", "7d", "500ms", "1h30m", or a bare number of seconds, into milliseconds.
 * 0, or -EINVAL for anything else (empty, negative, no number, unknown unit, over 100 years).
 */
int	conf_duration(const char *s, int64_t *ret_ms);

/* "65536", "64K", "16M", "1G" into bytes: 0, or -EINVAL. */
int	conf_size(const char *s, size_t *ret);

#endif
