/*
 * poller.h - polls the configured sources on one libuv loop: schedules them politely, fetches
 * each (conditional, capped, address-checked), streams the body through the parser, clusters the
 * items and stores each poll's results in one transaction.
 */
#ifndef WIREDESK_POLLER_H
#define WIREDESK_POLLER_H

#include <stdbool.h>

#include <uv.h>

#include "buf.h"
#include "conf.h"

#define POLL_BUFFERED_BODY	(256u << 10)	/* a body this small is hashed before it is parsed */

struct poller_opts {
	bool	once;		/* poll what is due (or everything, with all), then stop */
	bool	all;
	bool	verbose;	/* log why each item joined its story */
	/* Called once the poller has stopped (its handles closing): the caller closes its own. */
	void	(*on_stopped)(void *ctx);
	void	*ctx;
};

struct poller;

/* Opens the store and the clusterer of conf, which the poller takes (even on error). 0 or -errno. */
int	poller_new(struct poller **ret, uv_loop_t *loop, struct conf *conf, const struct poller_opts *o);

/* Starts polling; with once, the loop runs dry when every due source has been polled. */
int	poller_start(struct poller *p);

/*
 * Stops: no new transfers; running ones may finish until grace_ms, then are cancelled; the
 * clusterer's state is saved. The loop runs dry afterwards.
 */
void	poller_stop(struct poller *p, uint64_t grace_ms);

/*
 * Takes a new, validated configuration: no transfer starts until the running ones have ended,
 * then the sources are those of conf, each with its state from the store (a source whose URL
 * changed starts afresh), and polling goes on.
 */
void	poller_reconfigure(struct poller *p, struct conf *conf);

/* What the sources are doing now, for systemd's STATUS= and the logs. */
struct poller_counts {
	size_t	sources, due, running, failing, retired;
};
void	poller_counts(const struct poller *p, struct poller_counts *ret);

/* The Prometheus text exposition of the poller's counters, appended to out: 0 or -ENOMEM. */
int	poller_metrics(const struct poller *p, struct buf *out);

/* Frees what poller_new made; call once the loop has run dry. 0, or the first error it met. */
int	poller_free(struct poller *p);

#endif
