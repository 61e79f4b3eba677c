/*
 * http.h - the built-in HTTP server (h2o, on the daemon's libuv loop): the output files, /healthz
 * and /metrics, bound to [daemon] listen.
 */
#ifndef WIREDESK_HTTP_H
#define WIREDESK_HTTP_H

#include <uv.h>

#include "buf.h"
#include "conf.h"

#define HTTP_MAX_CONNECTIONS	256	/* more at once are closed as they arrive */
#define HTTP_REQ_TIMEOUT_MS	10000	/* to read a request's headers; an idle keep-alive ends too */

/* Appends the Prometheus text exposition to out: 0 or -ENOMEM. */
typedef int (*http_metrics_fn)(void *ctx, struct buf *out);

struct http_server;

/*
 * Listens on c->listen and serves GET and HEAD of output_dir/NAME.EXT for the outputs of c (with
 * ETag, Last-Modified, 304, gzip), /healthz and /metrics; anything else is 404. 0, or -errno
 * (-EADDRINUSE, say) with a log line.
 */
int	http_start(struct http_server **ret, uv_loop_t *loop, const struct conf *c, http_metrics_fn metrics,
	    void *ctx);

/*
 * The outputs of c are served from now on, those c no longer has are not (output_dir stays the
 * one of http_start). 0, or -ENOMEM: the old ones stay.
 */
int	http_set_outputs(struct http_server *s, const struct conf *c);

/* Stops listening; open connections end at their next request or HTTP_REQ_TIMEOUT_MS. NULL is fine. */
void	http_stop(struct http_server *s);

#endif
