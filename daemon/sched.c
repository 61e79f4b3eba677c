/*
 * sched.c - when to poll next: Retry-After, freshness, backoff, adaptive intervals, jitter; and
 * the heap of next-poll times.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "date.h"
#include "sched.h"

static int64_t
clamp(int64_t v, int64_t lo, int64_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* Non-negative decimal seconds, the whole string (white space around allowed); -1 otherwise. */
static int64_t
seconds(const char *v)
{
	int64_t n = 0;

	while (*v == ' ' || *v == '\t')
		v++;
	if (!isdigit((unsigned char)*v))
		return -1;
	for (; isdigit((unsigned char)*v); v++)
		n = n < 100000000000LL ? n * 10 + (*v - '0') : n;	/* saturates far past any cap */
	while (*v == ' ' || *v == '\t')
		v++;
	return *v == '\0' ? n : -1;
}

int64_t
sched_retry_after(const char *v, int64_t now, int64_t interval)
{
	int64_t s, t;

	if (v == NULL)
		return -1;
	if ((s = seconds(v)) >= 0)
		t = now + s * 1000;
	else if (date_parse(v, &t) == 0)
		t *= 1000;
	else
		return -1;
	return clamp(t, now + interval, now + SCHED_MAX_PAUSE);
}

/* The seconds of directive name ("max-age=") when p[0..n) is it; -1 otherwise. */
static int64_t
directive(const char *p, size_t n, const char *name)
{
	size_t k = strlen(name);
	char num[24];

	if (n <= k || n - k >= sizeof(num) || strncasecmp(p, name, k) != 0)
		return -1;
	memcpy(num, p + k, n - k);
	num[n - k] = '\0';
	return seconds(num);
}

int64_t
sched_fresh_for(const char *cc, const char *expires, int64_t now)
{
	const char *p;
	int64_t s = -1, smax = -1, t;
	size_t n;

	for (p = cc; p != NULL && *p != '\0'; p += strspn(p, ",")) {
		p += strspn(p, " \t");
		n = strcspn(p, ",");
		while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if ((n == 8 && strncasecmp(p, "no-cache", 8) == 0) ||
		    (n == 8 && strncasecmp(p, "no-store", 8) == 0))
			return -1;
		if ((t = directive(p, n, "max-age=")) >= 0)
			s = t;
		if ((t = directive(p, n, "s-maxage=")) >= 0)
			smax = t;
		p += strcspn(p, ",");
	}
	if (smax >= 0)
		return smax * 1000;
	if (s >= 0)
		return s * 1000;
	if (expires != NULL && date_parse(expires, &t) == 0)
		return t * 1000 > now ? t * 1000 - now : 0;
	return -1;
}

int64_t
sched_backoff(int errors, const struct sched_bounds *b, uint64_t rnd)
{
	int64_t wait = b->interval > 0 ? b->interval : b->min_interval;
	int i;

	for (i = 0; i < errors && wait < b->max_interval; i++)
		wait *= 2;
	wait = clamp(wait, b->min_interval, b->max_interval);
	return wait - (int64_t)(rnd % (uint64_t)(wait / 4 + 1));
}

int64_t
sched_adapt(int64_t current, bool new_items, int64_t floor, const struct sched_bounds *b)
{
	int64_t next = current > 0 ? current : b->interval;

	next = new_items ? next * 2 / 3 : next * 3 / 2;
	next = clamp(next, b->min_interval, b->max_interval);
	return next < floor ? clamp(floor, b->min_interval, b->max_interval) : next;
}

int64_t
sched_jitter(int64_t interval, uint64_t rnd)
{
	return interval + (int64_t)(rnd % (uint64_t)(interval / 10 + 1));
}

int64_t
sched_skip(int64_t when, uint32_t hours, uint8_t days)
{
	const int64_t hour = 3600 * 1000LL, day = 24 * hour;
	int64_t t = when;
	int steps;

	hours &= SCHED_ALL_HOURS;
	days &= SCHED_ALL_DAYS;
	if (hours == SCHED_ALL_HOURS || days == SCHED_ALL_DAYS || t < 0)
		return when;	/* a feed that skips every hour or day is read anyway */
	/* 1970-01-01 was a Thursday: day 4 of a week that starts on Sunday. */
	for (steps = 0; steps < 24 * 8; steps++) {
		if (days & (1u << ((t / day + 4) % 7)))
			t = (t / day + 1) * day;
		else if (hours & (1u << (t / hour % 24)))
			t = (t / hour + 1) * hour;
		else
			break;
	}
	return t;
}

uint64_t
sched_random(void)
{
	static uint64_t state;
	struct timespec ts;
	uint64_t z;

	if (state == 0) {
		(void)clock_gettime(CLOCK_REALTIME, &ts);
		state = (uint64_t)ts.tv_nsec ^ (uint64_t)ts.tv_sec << 20 ^ (uint64_t)getpid();
	}
	z = (state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* ---- the heap of next-poll times ---- */

int
sched_heap_init(struct sched_heap *h, size_t ids)
{
	memset(h, 0, sizeof(*h));
	if ((uint64_t)ids > UINT32_MAX)
		return -EINVAL;
	h->e = calloc(ids + 1, sizeof(*h->e));
	h->at = calloc(ids + 1, sizeof(*h->at));
	if (h->e == NULL || h->at == NULL) {
		sched_heap_free(h);
		return -ENOMEM;
	}
	h->ids = ids;
	return 0;
}

void
sched_heap_free(struct sched_heap *h)
{
	free(h->e);
	free(h->at);
	memset(h, 0, sizeof(*h));
}

/* e[i] to its place, up or down. */
static void
heap_fix(struct sched_heap *h, size_t i)
{
	struct sched_due x = h->e[i];
	size_t c;

	for (; i > 0 && x.when < h->e[(i - 1) / 2].when; i = (i - 1) / 2) {
		h->e[i] = h->e[(i - 1) / 2];
		h->at[h->e[i].id] = (uint32_t)i + 1;
	}
	for (; (c = 2 * i + 1) < h->n; i = c) {
		if (c + 1 < h->n && h->e[c + 1].when < h->e[c].when)
			c++;
		if (x.when <= h->e[c].when)
			break;
		h->e[i] = h->e[c];
		h->at[h->e[i].id] = (uint32_t)i + 1;
	}
	h->e[i] = x;
	h->at[x.id] = (uint32_t)i + 1;
}

void
sched_heap_set(struct sched_heap *h, uint32_t id, int64_t when)
{
	size_t i;

	if (id >= h->ids)
		return;
	if (h->at[id] != 0) {
		i = h->at[id] - 1;
	} else {
		i = h->n++;
		h->e[i].id = id;
	}
	h->e[i].when = when;
	heap_fix(h, i);
}

void
sched_heap_remove(struct sched_heap *h, uint32_t id)
{
	size_t i;

	if (id >= h->ids || h->at[id] == 0)
		return;
	i = h->at[id] - 1;
	h->at[id] = 0;
	if (i == --h->n)
		return;
	h->e[i] = h->e[h->n];
	heap_fix(h, i);
}

bool
sched_heap_first(const struct sched_heap *h, uint32_t *id, int64_t *when)
{
	if (h->n == 0)
		return false;
	*id = h->e[0].id;
	*when = h->e[0].when;
	return true;
}
