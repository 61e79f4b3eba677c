/*
 * fetch.c - HTTP(S) transfers on the libuv loop through libcurl's multi_socket API.
 *
 * libcurl tells us which sockets to watch (on_socket) and when to time out (on_timer); uv_poll and
 * one uv_timer call back into curl_multi_socket_action(), and finished transfers are collected
 * after each call (collect_done). Easy handles are reused from a pool, reset between transfers
 * (their connections stay in the multi handle's cache).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "arena.h"
#include "buf.h"
#include "fetch.h"
#include "url.h"

#define DEFAULT_MAX_BODY	(16u << 20)
#define POOL_MAX		64	/* idle easy handles kept */

struct transfer {
	CURL			*easy;
	struct arena		 mem;		/* the request's strings; the response's headers */
	struct curl_slist	*headers;	/* If-None-Match, If-Modified-Since */
	/* From here on, zeroed for each transfer. */
	struct fetcher		*f;
	struct fetch_request	 rq;		/* its strings in mem */
	struct fetch_result	 res;
	int			 hops;		/* status lines seen (redirects, 1xx) */
	long			 first_status;
	const char		*first_location;
	size_t			 header_bytes;
	bool			 refused, too_big, aborted, cancelled;
	char			 errbuf[CURL_ERROR_SIZE];
	struct transfer		*next;		/* in the pool or the running list */
	struct transfer		*prev;
};

struct fetcher {
	uv_loop_t		*loop;
	CURLM			*multi;
	uv_timer_t		 timer;
	struct fetch_opts	 o;
	char			*user_agent;
	struct transfer		*running;	/* a doubly linked list */
	size_t			 active;
	struct transfer		*pool;		/* reset and idle */
	size_t			 pooled;
	int			 closing;	/* handles still to close before the memory goes */
	bool			 freeing;
};

/* A watched socket. */
struct sock {
	uv_poll_t		 poll;
	curl_socket_t		 fd;
	struct fetcher		*f;
};

static void collect_done(struct fetcher *f);

/* ---- addresses ---- */

static bool
v4_public(uint32_t a)
{
	static const struct {
		uint32_t	net, mask;
	} special[] = {
		{ 0x00000000, 0xff000000 },	/* 0/8 "this network" */
		{ 0x0a000000, 0xff000000 },	/* 10/8 */
		{ 0x64400000, 0xffc00000 },	/* 100.64/10 CGNAT */
		{ 0x7f000000, 0xff000000 },	/* 127/8 loopback */
		{ 0xa9fe0000, 0xffff0000 },	/* 169.254/16 link-local, cloud metadata */
		{ 0xac100000, 0xfff00000 },	/* 172.16/12 */
		{ 0xc0000000, 0xffffff00 },	/* 192.0.0/24 IETF protocol assignments */
		{ 0xc0000200, 0xffffff00 },	/* 192.0.2/24 documentation */
		{ 0xc0a80000, 0xffff0000 },	/* 192.168/16 */
		{ 0xc6120000, 0xfffe0000 },	/* 198.18/15 benchmarking */
		{ 0xc6336400, 0xffffff00 },	/* 198.51.100/24 documentation */
		{ 0xcb007100, 0xffffff00 },	/* 203.0.113/24 documentation */
		{ 0xe0000000, 0xe0000000 },	/* 224/3: multicast, reserved, broadcast */
	};
	size_t i;

	for (i = 0; i < sizeof(special) / sizeof(special[0]); i++)
		if ((a & special[i].mask) == special[i].net)
			return false;
	return true;
}

bool
fetch_address_public(const struct sockaddr *sa)
{
	const uint8_t *b;
	uint32_t v4;

	if (sa->sa_family == AF_INET)
		return v4_public(ntohl(((const struct sockaddr_in *)(const void *)sa)->sin_addr.s_addr));
	if (sa->sa_family != AF_INET6)
		return false;
	b = ((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr.s6_addr;
	v4 = (uint32_t)b[12] << 24 | (uint32_t)b[13] << 16 | (uint32_t)b[14] << 8 | b[15];
	/* ::/96 (unspecified, loopback, IPv4-compatible) and ::ffff:0:0/96 (IPv4-mapped). */
	if (memcmp(b, "\0\0\0\0\0\0\0\0\0\0", 10) == 0 &&
	    ((b[10] == 0 && b[11] == 0) || (b[10] == 0xff && b[11] == 0xff)))
		return b[10] == 0xff && v4_public(v4);
	if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b)
		return false;			/* 64:ff9b::/96 and 64:ff9b:1::/48, NAT64 */
	if (b[0] == 0x20 && b[1] == 0x02)	/* 2002::/16, 6to4: the IPv4 address inside */
		return v4_public((uint32_t)b[2] << 24 | (uint32_t)b[3] << 16 | (uint32_t)b[4] << 8 | b[5]);
	if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8)
		return false;			/* 2001:db8::/32 documentation */
	if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x00 && b[3] == 0x00)
		return false;			/* 2001::/32 Teredo */
	if ((b[0] & 0xfe) == 0xfc)
		return false;			/* fc00::/7 unique local */
	if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)
		return false;			/* fe80::/10 link-local */
	if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0)
		return false;			/* fec0::/10 site-local (deprecated) */
	if (b[0] == 0xff)
		return false;			/* multicast */
	return true;
}

/*
 * Before every request, on a new connection or a reused one: the address it goes to. The
 * open-socket check alone would let a source that may not reach private addresses reuse a
 * connection another source was allowed to open.
 */
static int
on_prereq(void *ctx, char *ip, char *local_ip, int port, int local_port)
{
	struct transfer *t = ctx;
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6 };
	struct sockaddr_in a4 = { .sin_family = AF_INET };
	bool ok;

	(void)local_ip, (void)port, (void)local_port;
	if (t->rq.allow_private)
		return CURL_PREREQFUNC_OK;
	if (inet_pton(AF_INET, ip, &a4.sin_addr) == 1)
		ok = fetch_address_public((struct sockaddr *)&a4);
	else if (inet_pton(AF_INET6, ip, &a6.sin6_addr) == 1)
		ok = fetch_address_public((struct sockaddr *)&a6);
	else
		ok = strncasecmp(t->rq.url, "file:", 5) == 0;	/* a file has no address */
	if (!ok)
		t->refused = true;
	return ok ? CURL_PREREQFUNC_OK : CURL_PREREQFUNC_ABORT;
}

static curl_socket_t
on_open_socket(void *ctx, curlsocktype purpose, struct curl_sockaddr *a)
{
	struct transfer *t = ctx;

	if (purpose != CURLSOCKTYPE_IPCXN)
		return CURL_SOCKET_BAD;
	if (!t->rq.allow_private && !fetch_address_public(&a->addr)) {
		t->refused = true;
		return CURL_SOCKET_BAD;
	}
	return socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
}

/* ---- callbacks of one transfer ---- */

/* The status of the response now being received; a file that could be read is a 200. */
static long
response_code(struct transfer *t)
{
	long code = 0;

	(void)curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &code);
	if (code == 0 && strncasecmp(t->rq.url, "file:", 5) == 0)
		code = 200;
	return code;
}

static size_t
on_write(char *p, size_t size, size_t n, void *ctx)
{
	struct transfer *t = ctx;
	size_t len = size * n;
	long code;

	if (len > t->f->o.max_body - t->res.bytes) {
		t->too_big = true;
		return CURL_WRITEFUNC_ERROR;
	}
	t->res.bytes += len;
	if (t->rq.on_body == NULL)
		return len;
	/* Only a 2xx body is the document: a 304 has none, an error page is not it. */
	code = response_code(t);
	if (code < 200 || code >= 300)
		return len;
	if (t->res.url == NULL) {
		char *url = NULL;

		(void)curl_easy_getinfo(t->easy, CURLINFO_EFFECTIVE_URL, &url);
		t->res.url = url;
	}
	if (t->rq.on_body(t->rq.ctx, &t->res, p, len) != 0) {
		t->aborted = true;
		return CURL_WRITEFUNC_ERROR;
	}
	return len;
}

/* A header's value, trimmed, copied into the transfer's memory; NULL on ENOMEM. */
static const char *
header_value(struct transfer *t, const char *p, size_t n)
{
	while (n > 0 && (*p == ' ' || *p == '\t'))
		p++, n--;
	while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\r' || p[n - 1] == '\n'))
		n--;
	return arena_strndup(&t->mem, p, n);
}

static size_t
on_header(char *p, size_t size, size_t n, void *ctx)
{
	static const struct {
		const char	*name;
		size_t		 off;
	} wanted[] = {
		{ "etag:", offsetof(struct fetch_result, etag) },
		{ "last-modified:", offsetof(struct fetch_result, last_modified) },
		{ "content-type:", offsetof(struct fetch_result, content_type) },
		{ "retry-after:", offsetof(struct fetch_result, retry_after) },
		{ "cache-control:", offsetof(struct fetch_result, cache_control) },
		{ "expires:", offsetof(struct fetch_result, expires) },
	};
	struct transfer *t = ctx;
	size_t len = size * n, i, k;
	long code;

	t->header_bytes += len;
	if (t->header_bytes > FETCH_MAX_HEADER_BYTES) {
		t->too_big = true;
		return 0;
	}
	if (len >= 5 && memcmp(p, "HTTP/", 5) == 0) {
		/* A new response (after a redirect or a 1xx): its headers replace the last one's. */
		for (i = 0; i < sizeof(wanted) / sizeof(wanted[0]); i++)
			*(const char **)((char *)&t->res + wanted[i].off) = NULL;
		if (t->hops++ == 0) {
			/* "HTTP/1.1 301 Moved", "HTTP/2 301": the first answer's status, from its line. */
			const char *sp = memchr(p, ' ', len);	/* the buffer is not NUL-terminated */

			k = sp != NULL ? (size_t)(sp - p) : len;
			for (code = 0, k++; k < len && p[k] >= '0' && p[k] <= '9' && code < 1000; k++)
				code = code * 10 + (p[k] - '0');
			t->first_status = code;
		}
		return len;
	}
	if (t->hops == 1 && len > 9 && strncasecmp(p, "location:", 9) == 0) {
		t->first_location = header_value(t, p + 9, len - 9);
		return len;
	}
	for (i = 0; i < sizeof(wanted) / sizeof(wanted[0]); i++) {
		k = strlen(wanted[i].name);
		if (len > k && strncasecmp(p, wanted[i].name, k) == 0) {
			*(const char **)((char *)&t->res + wanted[i].off) = header_value(t, p + k, len - k);
			break;
		}
	}
	return len;
}

/* ---- the pool ---- */

static void
transfer_free(struct transfer *t)
{
	curl_easy_cleanup(t->easy);
	curl_slist_free_all(t->headers);
	arena_release(&t->mem);
	free(t);
}

static struct transfer *
transfer_get(struct fetcher *f)
{
	struct transfer *t = f->pool;

	if (t != NULL) {
		f->pool = t->next;
		f->pooled--;
		return t;
	}
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	if ((t->easy = curl_easy_init()) == NULL) {
		free(t);
		return NULL;
	}
	arena_init(&t->mem);
	return t;
}

static void
transfer_put(struct fetcher *f, struct transfer *t)
{
	if (f->freeing || f->pooled >= POOL_MAX) {
		transfer_free(t);
		return;
	}
	curl_easy_reset(t->easy);
	curl_slist_free_all(t->headers);
	t->headers = NULL;
	arena_reset(&t->mem);
	memset(&t->f, 0, sizeof(*t) - offsetof(struct transfer, f));
	t->next = f->pool;
	f->pool = t;
	f->pooled++;
}

/* ---- starting and ending ---- */

static char *
copy(struct transfer *t, const char *s)
{
	return s != NULL ? arena_strdup(&t->mem, s) : NULL;
}

int
fetch_start(struct fetcher *f, const struct fetch_request *rq)
{
	struct transfer *t;
	struct curl_slist *h;
	char line[1024];
	CURL *e;
	int r = 0;

	if (rq->url == NULL || rq->on_done == NULL)
		return -EINVAL;
	if ((t = transfer_get(f)) == NULL)
		return -ENOMEM;
	t->f = f;
	t->rq = *rq;
	t->rq.url = copy(t, rq->url);
	t->rq.etag = copy(t, rq->etag);
	t->rq.last_modified = copy(t, rq->last_modified);
	if (t->rq.url == NULL || (rq->etag != NULL && t->rq.etag == NULL) ||
	    (rq->last_modified != NULL && t->rq.last_modified == NULL))
		r = -ENOMEM;
	if (r == 0 && t->rq.etag != NULL && strlen(t->rq.etag) < sizeof(line) - 32) {
		(void)snprintf(line, sizeof(line), "If-None-Match: %s", t->rq.etag);
		r = (h = curl_slist_append(t->headers, line)) != NULL ? (t->headers = h, 0) : -ENOMEM;
	}
	if (r == 0 && t->rq.last_modified != NULL && strlen(t->rq.last_modified) < sizeof(line) - 32) {
		(void)snprintf(line, sizeof(line), "If-Modified-Since: %s", t->rq.last_modified);
		r = (h = curl_slist_append(t->headers, line)) != NULL ? (t->headers = h, 0) : -ENOMEM;
	}
	if (r < 0) {
		transfer_put(f, t);
		return r;
	}

	e = t->easy;
	(void)curl_easy_setopt(e, CURLOPT_URL, t->rq.url);
	(void)curl_easy_setopt(e, CURLOPT_PRIVATE, t);
	(void)curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, t->rq.allow_file ? "http,https,file" : "http,https");
	(void)curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	(void)curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
	(void)curl_easy_setopt(e, CURLOPT_MAXREDIRS, (long)FETCH_MAX_REDIRECTS);
	(void)curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
	(void)curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");	/* all libcurl decodes */
	(void)curl_easy_setopt(e, CURLOPT_USERAGENT, f->user_agent);
	(void)curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->headers);
	(void)curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, f->o.connect_timeout_ms);
	(void)curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, f->o.timeout_ms);
	(void)curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, f->o.low_speed_bytes);
	(void)curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, f->o.low_speed_time_s);
	(void)curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)f->o.max_body);
	(void)curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
	(void)curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
	(void)curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	(void)curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->errbuf);
	(void)curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_write);
	(void)curl_easy_setopt(e, CURLOPT_WRITEDATA, t);
	(void)curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	(void)curl_easy_setopt(e, CURLOPT_HEADERDATA, t);
	(void)curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, on_open_socket);
	(void)curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, t);
	(void)curl_easy_setopt(e, CURLOPT_PREREQFUNCTION, on_prereq);
	(void)curl_easy_setopt(e, CURLOPT_PREREQDATA, t);
	(void)curl_easy_setopt(e, CURLOPT_PROXY, "");	/* no proxy from the environment: it would hide the address */
	t->errbuf[0] = '\0';
	if (curl_multi_add_handle(f->multi, e) != CURLM_OK) {
		transfer_put(f, t);
		return -ENOMEM;
	}
	t->prev = NULL;
	t->next = f->running;
	if (f->running != NULL)
		f->running->prev = t;
	f->running = t;
	f->active++;
	return 0;
}

/* The result of a finished transfer, from curl's code and what the callbacks saw. */
static void
finish(struct transfer *t, CURLcode code)
{
	struct fetch_result *res = &t->res;
	struct buf moved;
	char *url = NULL;
	long redirects = 0;

	res->status = code == CURLE_OK ? response_code(t) : 0;
	if (code != CURLE_OK)
		(void)curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &res->status);
	(void)curl_easy_getinfo(t->easy, CURLINFO_EFFECTIVE_URL, &url);
	(void)curl_easy_getinfo(t->easy, CURLINFO_REDIRECT_COUNT, &redirects);
	res->url = url;
	res->redirected = redirects > 0;
	if (t->cancelled) {
		res->error = FETCH_CANCELLED;
		(void)snprintf(res->msg, sizeof(res->msg), "cancelled");
	} else if (t->refused) {
		res->error = FETCH_REFUSED;
		(void)snprintf(res->msg, sizeof(res->msg), "refused: a private or special address "
		    "(allow_private = yes permits it)");
	} else if (t->header_bytes > FETCH_MAX_HEADER_BYTES) {
		res->error = FETCH_TOO_BIG;
		(void)snprintf(res->msg, sizeof(res->msg), "headers over %u bytes", FETCH_MAX_HEADER_BYTES);
	} else if (t->too_big || code == CURLE_FILESIZE_EXCEEDED) {
		res->error = FETCH_TOO_BIG;
		(void)snprintf(res->msg, sizeof(res->msg), "body over %zu bytes", t->f->o.max_body);
	} else if (t->aborted) {
		res->error = FETCH_ABORTED;
		(void)snprintf(res->msg, sizeof(res->msg), "stopped while reading the body");
	} else if (code == CURLE_UNSUPPORTED_PROTOCOL) {
		res->error = FETCH_REFUSED;
		(void)snprintf(res->msg, sizeof(res->msg), "refused: %.200s",
		    t->errbuf[0] != '\0' ? t->errbuf : curl_easy_strerror(code));
	} else if (code != CURLE_OK) {
		res->error = FETCH_TRANSPORT;
		(void)snprintf(res->msg, sizeof(res->msg), "%s",
		    t->errbuf[0] != '\0' ? t->errbuf : curl_easy_strerror(code));
	}
	/* A first answer of 301 or 308 names the source's new home. */
	if ((t->first_status == 301 || t->first_status == 308) && t->first_location != NULL) {
		buf_init(&moved, 8192);
		if (url_resolve(t->rq.url, t->first_location, strlen(t->first_location), &moved) == 0 &&
		    url_scheme_allowed(buf_str(&moved), URL_FETCH))
			res->moved_to = arena_strdup(&t->mem, buf_str(&moved));
		buf_release(&moved);
	}
}

/* Takes t off the running list and out of the multi handle, tells its owner, and pools it. */
static void
end(struct fetcher *f, struct transfer *t, CURLcode code)
{
	if (t->prev != NULL)
		t->prev->next = t->next;
	else
		f->running = t->next;
	if (t->next != NULL)
		t->next->prev = t->prev;
	f->active--;
	finish(t, code);
	(void)curl_multi_remove_handle(f->multi, t->easy);
	t->rq.on_done(t->rq.ctx, &t->res);
	transfer_put(f, t);
}

static void
collect_done(struct fetcher *f)
{
	struct transfer *t;
	CURLMsg *m;
	int left;

	/* An on_done may stop everything and free the multi handle (f itself outlives its close). */
	while (!f->freeing && (m = curl_multi_info_read(f->multi, &left)) != NULL) {
		if (m->msg != CURLMSG_DONE)
			continue;
		t = NULL;
		(void)curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&t);
		end(f, t, m->data.result);
	}
}

void
fetcher_cancel_all(struct fetcher *f)
{
	while (f->running != NULL) {
		f->running->cancelled = true;
		end(f, f->running, CURLE_ABORTED_BY_CALLBACK);
	}
}

size_t
fetcher_active(const struct fetcher *f)
{
	return f->active;
}

/* ---- libcurl on libuv ---- */

static void
on_poll(uv_poll_t *h, int status, int events)
{
	struct sock *s = h->data;
	int flags = 0, running;

	if (status < 0)
		flags = CURL_CSELECT_ERR;
	if (events & UV_READABLE)
		flags |= CURL_CSELECT_IN;
	if (events & UV_WRITABLE)
		flags |= CURL_CSELECT_OUT;
	(void)curl_multi_socket_action(s->f->multi, s->fd, flags, &running);
	collect_done(s->f);
}

static void
on_timeout(uv_timer_t *h)
{
	struct fetcher *f = h->data;
	int running;

	(void)curl_multi_socket_action(f->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	collect_done(f);
}

static int
on_timer(CURLM *m, long timeout_ms, void *ctx)
{
	struct fetcher *f = ctx;

	(void)m;
	if (timeout_ms < 0)
		(void)uv_timer_stop(&f->timer);
	else
		(void)uv_timer_start(&f->timer, on_timeout, (uint64_t)timeout_ms, 0);
	return 0;
}

static void
on_closed(uv_handle_t *h)
{
	struct fetcher *f = h->type == UV_POLL ? ((struct sock *)h->data)->f : h->data;

	if (h->type == UV_POLL)
		free(h->data);
	if (--f->closing == 0 && f->freeing)
		free(f);
}

static int
on_socket(CURL *e, curl_socket_t fd, int what, void *ctx, void *sockp)
{
	struct fetcher *f = ctx;
	struct sock *s = sockp;
	int events = 0;

	(void)e;
	if (what == CURL_POLL_REMOVE) {
		if (s != NULL) {
			(void)uv_poll_stop(&s->poll);
			f->closing++;
			uv_close((uv_handle_t *)&s->poll, on_closed);
			if (!f->freeing)
				(void)curl_multi_assign(f->multi, fd, NULL);
		}
		return 0;
	}
	if (s == NULL) {
		if ((s = calloc(1, sizeof(*s))) == NULL)
			return -1;
		s->fd = fd;
		s->f = f;
		if (uv_poll_init_socket(f->loop, &s->poll, fd) != 0) {
			free(s);
			return -1;
		}
		s->poll.data = s;
		(void)curl_multi_assign(f->multi, fd, s);
	}
	if (what & CURL_POLL_IN)
		events |= UV_READABLE;
	if (what & CURL_POLL_OUT)
		events |= UV_WRITABLE;
	(void)uv_poll_start(&s->poll, events, on_poll);
	return 0;
}

int
fetcher_new(struct fetcher **ret, uv_loop_t *loop, const struct fetch_opts *o)
{
	static bool curl_ready;		/* the daemon has one thread: no race to guard */
	struct fetcher *f;

	*ret = NULL;
	if (!curl_ready && curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return -EIO;
	curl_ready = true;
	if ((f = calloc(1, sizeof(*f))) == NULL)
		return -ENOMEM;
	f->loop = loop;
	f->o = *o;
	if (f->o.max_body == 0)
		f->o.max_body = DEFAULT_MAX_BODY;
	if (f->o.connect_timeout_ms == 0)
		f->o.connect_timeout_ms = 10000;
	if (f->o.timeout_ms == 0)
		f->o.timeout_ms = 60000;
	if (f->o.low_speed_bytes == 0)
		f->o.low_speed_bytes = 64;
	if (f->o.low_speed_time_s == 0)
		f->o.low_speed_time_s = 30;
	f->user_agent = strdup(o->user_agent != NULL ? o->user_agent : "wiredesk/" WIREDESK_VERSION);
	f->multi = curl_multi_init();
	if (f->user_agent == NULL || f->multi == NULL) {
		free(f->user_agent);
		curl_multi_cleanup(f->multi);
		free(f);
		return -ENOMEM;
	}
	(void)uv_timer_init(loop, &f->timer);
	f->timer.data = f;
	(void)curl_multi_setopt(f->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
	(void)curl_multi_setopt(f->multi, CURLMOPT_SOCKETDATA, f);
	(void)curl_multi_setopt(f->multi, CURLMOPT_TIMERFUNCTION, on_timer);
	(void)curl_multi_setopt(f->multi, CURLMOPT_TIMERDATA, f);
	*ret = f;
	return 0;
}

void
fetcher_free(struct fetcher *f)
{
	struct transfer *t;

	if (f == NULL)
		return;
	f->freeing = true;
	fetcher_cancel_all(f);
	while ((t = f->pool) != NULL) {
		f->pool = t->next;
		transfer_free(t);
	}
	/* Removing the handles closed the sockets: their polls are closing; the timer goes too. */
	curl_multi_cleanup(f->multi);
	free(f->user_agent);
	(void)uv_timer_stop(&f->timer);
	f->closing++;
	uv_close((uv_handle_t *)&f->timer, on_closed);
}
