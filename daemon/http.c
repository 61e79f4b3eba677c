/*
 * http.c - the built-in HTTP server, h2o on the daemon's libuv loop.
 *
 * h2o (Debian's libh2o-dev, built on libuv) parses HTTP/1.1, and its file handler serves each
 * output file with ETag and Last-Modified from the file itself (a replaced file has a new inode,
 * so a new ETag), 304 to a matching conditional request, HEAD and ranges; its compress filter
 * gzips what the client accepts. A gate of ours in front of it lets through only the paths of the
 * configured outputs' files (a table a reload replaces), so nothing else on disk is reachable: the
 * temporary files beside them, the folder, paths with "..". /healthz and /metrics are handlers of
 * ours; the rest is 404.
 */
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <h2o.h>

#include "http.h"
#include "log.h"

/* The output formats: the extension of their files, and the media type they are served with. */
static const struct {
	unsigned	 bit;
	const char	*ext, *type;
} formats[] = {
	{ FORMAT_RSS, "rss", "application/rss+xml" },
	{ FORMAT_ATOM, "atom", "application/atom+xml" },
	{ FORMAT_JSON, "json", "application/feed+json" },
};
#define FORMATS_N	(sizeof(formats) / sizeof(formats[0]))
#define PATH_LEN	(1 + CONF_MAX_NAME + 6)	/* "/NAME.EXT" and its NUL */

struct route {
	h2o_handler_t	 super;
	struct http_server *s;
};

/* A connection: h2o takes the handle's data for itself, so the server is kept beside it. */
struct conn {
	uv_tcp_t		 tcp;		/* first: the handle h2o closes is the conn */
	struct http_server	*s;
};

struct http_server {
	uv_loop_t		*loop;
	uv_tcp_t		 listener;
	bool			 listening;
	bool			 closed;	/* the listener is closed: the last connection frees it all */
	h2o_globalconf_t	 config;
	h2o_context_t		 ctx;
	h2o_accept_ctx_t	 accept;
	h2o_mimemap_t		*mimemap;
	size_t			 conns;
	char			(*paths)[PATH_LEN];	/* "/NAME.EXT" of each output file served, sorted */
	size_t			 npaths;
	http_metrics_fn		 metrics;
	void			*metrics_ctx;
	struct buf		 body;		/* /metrics, built per request */
};

static int
on_healthz(h2o_handler_t *h, h2o_req_t *req)
{
	(void)h;
	req->res.status = 200;
	req->res.reason = "OK";
	h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL,
	    H2O_STRLIT("text/plain; charset=utf-8"));
	h2o_send_inline(req, H2O_STRLIT("ok\n"));
	return 0;
}

static int
on_metrics(h2o_handler_t *h, h2o_req_t *req)
{
	struct http_server *s = ((struct route *)h)->s;
	char *copy;

	buf_clear(&s->body);
	if (s->metrics(s->metrics_ctx, &s->body) < 0 ||
	    (copy = h2o_mem_alloc_pool(&req->pool, s->body.len + 1)) == NULL) {
		h2o_send_error_503(req, "Service Unavailable", "out of memory\n", 0);
		return 0;
	}
	memcpy(copy, s->body.data, s->body.len);
	req->res.status = 200;
	req->res.reason = "OK";
	h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL,
	    H2O_STRLIT("text/plain; version=0.0.4; charset=utf-8"));
	h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CACHE_CONTROL, NULL, H2O_STRLIT("no-store"));
	h2o_send_inline(req, copy, s->body.len);
	return 0;
}

static int
cmp_path(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* In front of the file handler: an output's file goes on to it (-1), anything else is 404 here. */
static int
on_gate(h2o_handler_t *h, h2o_req_t *req)
{
	struct http_server *s = ((struct route *)h)->s;
	char path[PATH_LEN];

	if (req->path_normalized.len < sizeof(path)) {
		memcpy(path, req->path_normalized.base, req->path_normalized.len);
		path[req->path_normalized.len] = '\0';
		if (bsearch(path, s->paths, s->npaths, sizeof(*s->paths), cmp_path) != NULL)
			return -1;
	}
	h2o_send_error_404(req, "Not Found", "not found\n", 0);
	return 0;
}

int
http_set_outputs(struct http_server *s, const struct conf *c)
{
	char (*paths)[PATH_LEN];
	size_t i, k, n = 0;

	if ((paths = calloc(c->noutputs * FORMATS_N + 1, sizeof(*paths))) == NULL)
		return -ENOMEM;
	for (i = 0; i < c->noutputs; i++)
		for (k = 0; k < FORMATS_N; k++)
			if (c->outputs[i].formats & formats[k].bit)
				(void)snprintf(paths[n++], sizeof(*paths), "/%s.%s", c->outputs[i].name,
				    formats[k].ext);
	qsort(paths, n, sizeof(*paths), cmp_path);
	free(s->paths);
	s->paths = paths;
	s->npaths = n;
	return 0;
}

/* Once stopped and without connections, h2o's context (and its timers on the loop) goes. */
static void
maybe_free(struct http_server *s)
{
	if (!s->closed || s->conns > 0)
		return;
	h2o_context_dispose(&s->ctx);
	h2o_config_dispose(&s->config);
	h2o_mem_release_shared(s->mimemap);
	free(s->paths);
	buf_release(&s->body);
	free(s);
}

static void
on_closed(uv_handle_t *h)
{
	struct conn *c = (struct conn *)h;
	struct http_server *s = c->s;

	s->conns--;
	free(c);
	maybe_free(s);
}

static void
on_accept(uv_stream_t *listener, int status)
{
	struct http_server *s = listener->data;
	h2o_socket_t *sock;
	struct conn *c;

	if (status != 0 || (c = calloc(1, sizeof(*c))) == NULL)
		return;
	(void)uv_tcp_init(listener->loop, &c->tcp);
	c->s = s;
	s->conns++;
	if (uv_accept(listener, (uv_stream_t *)&c->tcp) != 0 || s->conns > HTTP_MAX_CONNECTIONS) {
		uv_close((uv_handle_t *)&c->tcp, on_closed);
		return;
	}
	sock = h2o_uv_socket_create((uv_stream_t *)&c->tcp, on_closed);
	h2o_accept(&s->accept, sock);
}

static struct route *
route(struct http_server *s, h2o_pathconf_t *pc, int (*on_req)(h2o_handler_t *, h2o_req_t *))
{
	struct route *r = (struct route *)h2o_create_handler(pc, sizeof(*r));

	r->super.on_req = on_req;
	r->s = s;
	return r;
}

/* "host:port" or "[v6]:port" into an address; 0 or -EINVAL. */
static int
listen_addr(const char *listen, struct sockaddr_storage *ss)
{
	char host[256];
	const char *colon;
	int port;

	if (listen[0] == '[') {
		colon = strstr(listen, "]:");
		if (colon == NULL || (size_t)(colon - listen - 1) >= sizeof(host))
			return -EINVAL;
		memcpy(host, listen + 1, (size_t)(colon - listen - 1));
		host[colon - listen - 1] = '\0';
		colon++;
	} else {
		colon = strrchr(listen, ':');
		if (colon == NULL || (size_t)(colon - listen) >= sizeof(host))
			return -EINVAL;
		memcpy(host, listen, (size_t)(colon - listen));
		host[colon - listen] = '\0';
	}
	port = atoi(colon + 1);
	if (strcmp(host, "localhost") == 0)
		(void)snprintf(host, sizeof(host), "127.0.0.1");
	if (uv_ip4_addr(host, port, (struct sockaddr_in *)ss) == 0 ||
	    uv_ip6_addr(host, port, (struct sockaddr_in6 *)ss) == 0)
		return 0;
	return -EINVAL;
}

int
http_start(struct http_server **ret, uv_loop_t *loop, const struct conf *c, http_metrics_fn metrics, void *ctx)
{
	static const char *no_index[] = { NULL };
	h2o_mime_attributes_t attr = { .is_compressible = 1 };
	h2o_compress_args_t gzip = { .min_size = 256, .gzip = { .quality = 1 }, .brotli = { .quality = -1 } };
	struct sockaddr_storage ss;
	struct http_server *s;
	h2o_hostconf_t *host;
	h2o_pathconf_t *pc;
	size_t k;
	int r;

	*ret = NULL;
	if (listen_addr(c->listen, &ss) < 0) {
		log_error("http listen=%s: not an address to bind (a name other than localhost?)", c->listen);
		return -EINVAL;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return -ENOMEM;
	if (http_set_outputs(s, c) < 0) {
		free(s);
		return -ENOMEM;
	}
	s->loop = loop;
	s->metrics = metrics;
	s->metrics_ctx = ctx;
	buf_init(&s->body, 64u << 20);
	h2o_config_init(&s->config);
	s->config.http1.req_timeout = HTTP_REQ_TIMEOUT_MS;
	s->config.http2.idle_timeout = HTTP_REQ_TIMEOUT_MS;
	s->config.max_request_entity_size = 1024;	/* GET and HEAD only: no request has a body */
	s->config.filecache.capacity = 0;	/* a replaced file must never be served from a cached fd */
	s->mimemap = h2o_mimemap_create();
	for (k = 0; k < FORMATS_N; k++)
		h2o_mimemap_define_mimetype(s->mimemap, formats[k].ext, formats[k].type, &attr);
	host = h2o_config_register_host(&s->config, h2o_iovec_init(H2O_STRLIT("default")), 65535);
	(void)route(s, h2o_config_register_path(host, "/healthz", 0), on_healthz);
	(void)route(s, h2o_config_register_path(host, "/metrics", 0), on_metrics);
	pc = h2o_config_register_path(host, "/", 0);
	(void)route(s, pc, on_gate);
	h2o_file_register(pc, c->output_dir, no_index, s->mimemap, 0);
	h2o_compress_register(pc, &gzip);
	h2o_context_init(&s->ctx, loop, &s->config);
	s->accept.ctx = &s->ctx;
	s->accept.hosts = s->config.hosts;

	(void)uv_tcp_init(loop, &s->listener);
	s->listener.data = s;
	if ((r = uv_tcp_bind(&s->listener, (struct sockaddr *)&ss, 0)) != 0 ||
	    (r = uv_listen((uv_stream_t *)&s->listener, 128, on_accept)) != 0) {
		log_error("http listen=%s: %s", c->listen, uv_strerror(r));
		s->listening = true;	/* the handle is open: http_stop closes it */
		http_stop(s);
		return r;
	}
	s->listening = true;
	log_info("http listen=%s files=%zu", c->listen, s->npaths);
	*ret = s;
	return 0;
}

static void
on_listener_closed(uv_handle_t *h)
{
	struct http_server *s = h->data;

	s->closed = true;
	maybe_free(s);
}

void
http_stop(struct http_server *s)
{
	if (s == NULL || !s->listening)
		return;
	s->listening = false;
	uv_close((uv_handle_t *)&s->listener, on_listener_closed);
}
