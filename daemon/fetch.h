/*
 * fetch.h - HTTP(S) transfers on the daemon's libuv loop: libcurl's multi_socket API driven by
 * uv_poll and one uv_timer, as in libcurl's multi-uv example.
 *
 * Every transfer is held to the limits of shared/security/REFERENCE.md §2: http and https only
 * (file:// where allowed), at most FETCH_MAX_REDIRECTS redirects to http(s), TLS always verified, a
 * connect timeout, a low-speed limit and a total timeout, a cap on the *decoded* body counted as it
 * arrives, a cap on header bytes, no cookies, and an open-socket check that refuses loopback,
 * private, link-local, CGNAT, NAT64 and other special addresses unless the source allows them
 * (it sees the address actually connected to, so redirects and DNS rebinding are covered).
 */
#ifndef WIREDESK_FETCH_H
#define WIREDESK_FETCH_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include <uv.h>

#define FETCH_MAX_REDIRECTS	5
#define FETCH_MAX_HEADER_BYTES	(64u << 10)	/* all headers of all hops of one transfer */

struct fetch_opts {
	const char	*user_agent;
	size_t		 max_body;		/* decoded bytes; 0: 16 MiB */
	long		 connect_timeout_ms;	/* 0: 10 s */
	long		 timeout_ms;		/* the whole transfer; 0: 60 s */
	long		 low_speed_bytes;	/* slower than this a second ... 0: 64 */
	long		 low_speed_time_s;	/* ... for this long is cut off; 0: 30 s */
};

enum fetch_error {
	FETCH_OK,		/* a response, whatever its status */
	FETCH_TRANSPORT,	/* DNS, connect, TLS, timeout, reset, bad encoding: msg says which */
	FETCH_REFUSED,		/* a refused address or protocol */
	FETCH_TOO_BIG,		/* the decoded body, its Content-Length or the headers past their cap */
	FETCH_ABORTED,		/* on_body asked to stop */
	FETCH_CANCELLED,	/* fetcher_cancel_all() or fetcher_free() */
};

/* How a transfer ended. Strings are NULL when absent and live until on_done returns. */
struct fetch_result {
	enum fetch_error error;
	char		 msg[256];	/* what went wrong, for the log; "" when nothing did */
	long		 status;	/* the last response's HTTP status; 0 without one */
	const char	*url;		/* where the last response came from */
	const char	*moved_to;	/* the first response was a 301 or 308 to here (absolute) */
	bool		 redirected;	/* at least one redirect was followed */
	const char	*etag, *last_modified, *content_type;	/* of the last response */
	const char	*retry_after, *cache_control, *expires;
	size_t		 bytes;		/* decoded body bytes received */
};

struct fetch_request {
	const char	*url;
	const char	*etag;		/* validators for a conditional GET, or NULL */
	const char	*last_modified;
	bool		 allow_private;
	bool		 allow_file;
	/*
	 * The decoded body as it arrives (only a 2xx's); non-zero aborts. so_far holds the response's
	 * headers and url already.
	 */
	int		(*on_body)(void *ctx, const struct fetch_result *so_far, const char *p, size_t n);
	/* Once, when the transfer has ended in any way. */
	void		(*on_done)(void *ctx, const struct fetch_result *r);
	void		*ctx;
};

struct fetcher;

/* 0, -ENOMEM, or -EIO when libcurl cannot be set up. The fetcher runs on loop. */
int	fetcher_new(struct fetcher **ret, uv_loop_t *loop, const struct fetch_opts *o);

/*
 * Cancels what is running (each on_done sees FETCH_CANCELLED) and closes the fetcher's handles;
 * the memory goes once the loop has run their close callbacks. NULL is fine.
 */
void	fetcher_free(struct fetcher *f);

/* Starts a transfer; the request's strings are copied. 0, -ENOMEM, -EINVAL (no URL). */
int	fetch_start(struct fetcher *f, const struct fetch_request *rq);

/* Transfers running now. */
size_t	fetcher_active(const struct fetcher *f);

/* Ends every running transfer with FETCH_CANCELLED. */
void	fetcher_cancel_all(struct fetcher *f);

/* Whether a connection to sa may be opened without allow_private (a public unicast address). */
bool	fetch_address_public(const struct sockaddr *sa);

#endif
