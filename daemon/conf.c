/*
 * conf.c - reads and validates the configuration file.
 *
 * inih splits lines into sections, keys and values and strips comments; it reads through our
 * reader, which counts lines (inih tells a handler no line number), skips a BOM, and takes over
 * what inih would only report as the first error: lines that are too long, hold a NUL, or are
 * neither a section, a key = value pair nor a comment. Those get a message each and reach inih as
 * empty lines, so every error of the file is reported in one run.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <curl/curl.h>
#include <ini.h>
#include <libxml/xpath.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "conf.h"
#include "dedup.h"

#define DEFAULT_STATE_DIR	"/var/lib/wiredesk"
#define MAX_DURATION_MS		(100LL * 365 * 86400 * 1000)

enum section { SEC_NONE, SEC_DAEMON, SEC_SOURCE, SEC_OUTPUT, SEC_BAD };

/* One problem found; they are reported in line order once the whole file is read. */
struct problem {
	int		 line;
	int		 seq;		/* the order found, among problems of one line */
	char		*text;		/* "PATH:LINE: key: problem\n" */
};

struct loader {
	struct conf	*c;
	int		 enomem;
	struct problem	*probs;
	size_t		 nerr, cap_err;
	const char	*p, *end;	/* what the reader has not read yet */
	int		 line;		/* the line the reader gave last */
	enum section	 sec;
	int		 sec_line;
	uint64_t	 keys_seen;	/* of the current section, by key index: a key given twice */
	bool		 daemon_seen;
	int		 daemon_line[64];	/* of each [daemon] key given, by index (a keys_seen bit) */
	size_t		 sources_cap, outputs_cap;
};

static void __attribute__((format(printf, 4, 5)))
problem(struct loader *l, int line, const char *key, const char *fmt, ...)
{
	struct problem *p;
	va_list ap;
	char msg[512];
	size_t n;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (l->nerr == l->cap_err) {
		n = l->cap_err != 0 ? l->cap_err * 2 : 16;
		if ((p = realloc(l->probs, n * sizeof(*p))) == NULL) {
			l->enomem = 1;
			return;
		}
		l->probs = p;
		l->cap_err = n;
	}
	p = &l->probs[l->nerr];
	p->line = line;
	p->seq = (int)l->nerr;
	n = strlen(l->c->path) + strlen(msg) + (key != NULL ? strlen(key) : 0) + 32;
	if ((p->text = malloc(n)) == NULL) {
		l->enomem = 1;
		return;
	}
	(void)snprintf(p->text, n, "%s:%d: %s%s%s\n", l->c->path, line, key != NULL ? key : "",
	    key != NULL ? ": " : "", msg);
	l->nerr++;
}

static int
by_line(const void *a, const void *b)
{
	const struct problem *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* The problems, in line order, onto errs; they are freed. */
static void
report(struct loader *l, struct buf *errs)
{
	size_t i;

	if (l->nerr > 1)
		qsort(l->probs, l->nerr, sizeof(*l->probs), by_line);
	for (i = 0; i < l->nerr; i++) {
		if (buf_puts(errs, l->probs[i].text) < 0)
			l->enomem = 1;
		free(l->probs[i].text);
	}
	free(l->probs);
}

static char *
save(struct loader *l, const char *s)
{
	char *d = arena_strdup(&l->c->mem, s);

	if (d == NULL)
		l->enomem = 1;
	return d;
}

/* ---- values ---- */

int
conf_duration(const char *s, int64_t *ret_ms)
{
	static const struct {
		const char	*unit;
		int64_t		 ms;
	} units[] = {
		{ "ms", 1 }, { "s", 1000 }, { "m", 60000 }, { "h", 3600000 }, { "d", 86400000 },
	};
	int64_t total = 0, n;
	size_t i, k;
	bool any = false;

	while (*s != '\0') {
		if (!isdigit((unsigned char)*s))
			return -EINVAL;
		for (n = 0; isdigit((unsigned char)*s); s++) {
			n = n * 10 + (*s - '0');
			if (n > MAX_DURATION_MS)
				return -EINVAL;
		}
		for (k = 0, i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
			k = strlen(units[i].unit);
			if (strncmp(s, units[i].unit, k) == 0 && !isalpha((unsigned char)s[k]))
				break;
		}
		if (i == sizeof(units) / sizeof(units[0])) {
			if (*s != '\0' || any)
				return -EINVAL;	/* a bare number is seconds, and only alone */
			i = 1;
			k = 0;
		}
		if (n > (MAX_DURATION_MS - total) / units[i].ms)
			return -EINVAL;
		total += n * units[i].ms;
		s += k;
		any = true;
	}
	if (!any)
		return -EINVAL;
	*ret_ms = total;
	return 0;
}

int
conf_size(const char *s, size_t *ret)
{
	unsigned long long n;
	unsigned shift;
	char *end;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno != 0)
		return -EINVAL;
	shift = *end == 'G' ? 30 : *end == 'M' ? 20 : *end == 'K' ? 10 : 0;
	end += shift != 0;
	if (*end != '\0' || n > (SIZE_MAX >> shift))
		return -EINVAL;
	n <<= shift;
	*ret = (size_t)n;
	return 0;
}

static bool
parse_bool(const char *v, bool *ret)
{
	static const char *const yes[] = { "yes", "true", "on", "1" }, *const no[] = { "no", "false", "off", "0" };
	size_t i;

	for (i = 0; i < 4; i++) {
		if (strcasecmp(v, yes[i]) == 0)
			return *ret = true, true;
		if (strcasecmp(v, no[i]) == 0)
			return *ret = false, true;
	}
	return false;
}

static bool
parse_int(const char *v, long lo, long hi, int *ret)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(v, &end, 10);
	if (*v == '\0' || *end != '\0' || errno != 0 || n < lo || n > hi || isspace((unsigned char)*v))
		return false;
	*ret = (int)n;
	return true;
}

/* Source, output and tag names: [A-Za-z0-9._-], not starting with '.' or '-'. */
static bool
good_name(const char *s)
{
	size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-");

	return n > 0 && n <= CONF_MAX_NAME && s[n] == '\0' && s[0] != '.' && s[0] != '-';
}

static bool
printable(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

/*
 * Splits a list on commas and white space into an arena array; NULL with *n = 0 for an empty list
 * (and on ENOMEM, with l->enomem set).
 */
static const char **
split_list(struct loader *l, const char *v, size_t *n)
{
	const char **out;
	const char *p;
	size_t k, i = 0, count = 0;

	for (p = v; *p != '\0'; p += k) {
		p += strspn(p, ", \t");
		k = strcspn(p, ", \t");
		count += k > 0;
	}
	*n = 0;
	if (count == 0)
		return NULL;
	out = arena_alloc(&l->c->mem, count * sizeof(*out));
	if (out == NULL) {
		l->enomem = 1;
		return NULL;
	}
	for (p = v; *p != '\0'; p += k) {
		p += strspn(p, ", \t");
		k = strcspn(p, ", \t");
		if (k > 0 && (out[i++] = arena_strndup(&l->c->mem, p, k)) == NULL) {
			l->enomem = 1;
			return NULL;
		}
	}
	*n = count;
	return out;
}

/* "host:port", "[v6]:port" or "" (off). */
static bool
good_listen(const char *v)
{
	const char *colon;
	int port;

	if (*v == '\0')
		return true;
	if (*v == '[') {
		char host[64];
		unsigned char a[16];

		colon = strchr(v, ']');
		if (colon == NULL || colon == v + 1 || colon[1] != ':' || (size_t)(colon - v - 1) >= sizeof(host))
			return false;
		memcpy(host, v + 1, (size_t)(colon - v - 1));
		host[colon - v - 1] = '\0';
		if (inet_pton(AF_INET6, host, a) != 1)
			return false;
		colon++;
	} else {
		/* An IPv4 address or localhost: the server binds it as given, without a lookup. */
		colon = strrchr(v, ':');
		if (colon == NULL || colon == v || (size_t)(colon - v) >= 16)
			return false;
		if (!((size_t)(colon - v) == 9 && strncmp(v, "localhost", 9) == 0)) {
			char host[16];
			unsigned char a[4];

			memcpy(host, v, (size_t)(colon - v));
			host[colon - v] = '\0';
			if (inet_pton(AF_INET, host, a) != 1)
				return false;
		}
	}
	return parse_int(colon + 1, 1, 65535, &port);
}

/* An absolute http(s) URL with a host, or a file URL when allow_file; why it is not, in why. */
static bool
good_url(const char *v, bool allow_file, const char **why)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL;
	bool ok = false;

	*why = "not an absolute URL";
	if (u == NULL) {
		*why = "out of memory";
		return false;
	}
	if (curl_url_set(u, CURLUPART_URL, v, CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK)
		goto out;
	if (strcmp(scheme, "file") == 0) {
		ok = allow_file;
		*why = "a file:// URL needs allow_file = yes";
	} else if (strcmp(scheme, "http") == 0 || strcmp(scheme, "https") == 0) {
		ok = curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK && host[0] != '\0';
	} else {
		*why = "only http, https and file URLs are polled";
	}
out:
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	return ok;
}

static void
silent(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

static bool
good_xpath(const char *v)
{
	xmlXPathCompExprPtr e;

	xmlSetGenericErrorFunc(NULL, silent);
	e = xmlXPathCompile((const xmlChar *)v);
	xmlSetGenericErrorFunc(NULL, NULL);
	if (e == NULL)
		return false;
	xmlXPathFreeCompExpr(e);
	return true;
}

/* A PCRE2 pattern that compiles; the reason it does not, in why. */
static bool
good_regex(const char *v, char *why, size_t len)
{
	PCRE2_UCHAR msg[160];
	PCRE2_SIZE off;
	pcre2_code *re;
	int code;

	re = pcre2_compile((PCRE2_SPTR)v, PCRE2_ZERO_TERMINATED, PCRE2_UTF | PCRE2_UCP, &code, &off, NULL);
	if (re != NULL) {
		pcre2_code_free(re);
		return true;
	}
	(void)pcre2_get_error_message(code, msg, sizeof(msg));
	(void)snprintf(why, len, "%s at offset %zu", (const char *)msg, (size_t)off);
	return false;
}

/* ---- sections ---- */

/* Keys of each section, by index (keys_seen bits). */
static const char *const daemon_keys[] = {
	"state", "output_dir", "listen", "base_url", "user_agent", "interval", "min_interval",
	"max_interval", "concurrency", "per_host", "host_delay", "allow_private", "allow_file",
	"max_body", "timeout", "connect_timeout", "low_speed_time", "trailers", NULL,
};
static const char *const source_keys[] = {
	"url", "type", "interval", "priority", "tags", "allow_private", "allow_file", "fulltext",
	"item", "title", "link", "date", "date_format", "summary", "content", "image", "author", NULL,
};
/* Where each XPath key of source_keys goes in struct scrape_rules. */
static const size_t rule_at[] = {
	[8] = offsetof(struct scrape_rules, item), [9] = offsetof(struct scrape_rules, title),
	[10] = offsetof(struct scrape_rules, link), [11] = offsetof(struct scrape_rules, date),
	[13] = offsetof(struct scrape_rules, summary), [14] = offsetof(struct scrape_rules, content),
	[15] = offsetof(struct scrape_rules, image), [16] = offsetof(struct scrape_rules, author),
};
static const char *const output_keys[] = {
	"title", "sources", "formats", "max_items", "max_age", "min_sources", "include", "exclude", NULL,
};

_Static_assert(sizeof(daemon_keys) / sizeof(daemon_keys[0]) <= 64, "keys_seen has 64 bits");
_Static_assert(sizeof(source_keys) / sizeof(source_keys[0]) <= 64, "keys_seen has 64 bits");

static int
key_index(const char *const *keys, const char *name)
{
	int i;

	for (i = 0; keys[i] != NULL; i++)
		if (strcmp(keys[i], name) == 0)
			return i;
	return -1;
}

/* What the source given must still satisfy once its section is complete. */
static void
finish_source(struct loader *l)
{
	struct conf_source *s = &l->c->sources[l->c->nsources - 1];
	const struct scrape_rules *r = &s->rules;

	if (s->url == NULL)
		problem(l, s->line, "url", "missing: every source needs one");
	if (s->type == SOURCE_HTML && (r->item == NULL || r->title == NULL || r->link == NULL))
		problem(l, s->line, s->rules.item == NULL ? "item" : r->title == NULL ? "title" : "link",
		    "missing: a source of type html needs item, title and link rules");
	/* A feed source may have fulltext, and with it a content rule: the article's, on its page. */
	if (s->type == SOURCE_FEED && (r->item != NULL || r->title != NULL || r->link != NULL ||
	    r->date != NULL || r->date_format != NULL || r->summary != NULL || r->image != NULL ||
	    r->author != NULL))
		problem(l, s->line, NULL, "source %s: scraping rules are for type = html only", s->name);
	else if (s->type == SOURCE_FEED && r->content != NULL && !s->fulltext)
		problem(l, s->line, "content", "source %s: a feed source's content rule needs fulltext = yes",
		    s->name);
}

static void
finish_section(struct loader *l)
{
	if (l->sec == SEC_SOURCE)
		finish_source(l);
	l->sec = SEC_NONE;
	l->keys_seen = 0;
}

static void *
grow(struct loader *l, void *arr, size_t *cap, size_t len, size_t size)
{
	void *p;
	size_t n;

	if (len < *cap)
		return arr;
	n = *cap != 0 ? *cap * 2 : 16;
	p = n <= SIZE_MAX / size ? realloc(arr, n * size) : NULL;
	if (p == NULL) {
		l->enomem = 1;
		return NULL;
	}
	memset((char *)p + *cap * size, 0, (n - *cap) * size);
	*cap = n;
	return p;
}

/* A "[...]" header, its brackets stripped and trimmed. */
static void
begin_section(struct loader *l, char *name)
{
	struct conf *c = l->c;
	const char *arg;
	size_t i;
	void *p;

	finish_section(l);
	l->sec = SEC_BAD;
	l->sec_line = l->line;
	if (strcmp(name, "daemon") == 0) {
		if (l->daemon_seen)
			problem(l, l->line, NULL, "[daemon] given twice");
		else
			l->sec = SEC_DAEMON;
		l->daemon_seen = true;
		return;
	}
	if (strncmp(name, "source", 6) != 0 && strncmp(name, "output", 6) != 0) {
		problem(l, l->line, NULL, "unknown section [%s]: [daemon], [source NAME] or [output NAME]",
		    name);
		return;
	}
	arg = name + 6 + strspn(name + 6, " \t");
	if (arg == name + 6 || !good_name(arg)) {
		problem(l, l->line, NULL, "[%.6s NAME]: NAME is 1 to %d of A-Z a-z 0-9 . _ -, "
		    "not starting with . or -", name, CONF_MAX_NAME);
		return;
	}
	if (name[0] == 's') {
		/* A name given twice is found once all are read (finish_names): a scan here is n². */
		if (c->nsources == CONF_MAX_SOURCES) {
			problem(l, l->line, NULL, "more than %d sources", CONF_MAX_SOURCES);
			return;
		}
		if ((p = grow(l, c->sources, &l->sources_cap, c->nsources, sizeof(*c->sources))) == NULL)
			return;
		c->sources = p;
		c->sources[c->nsources].name = save(l, arg);
		c->sources[c->nsources].line = l->line;
		c->nsources++;
		l->sec = SEC_SOURCE;
	} else {
		for (i = 0; i < c->noutputs; i++)
			if (strcmp(c->outputs[i].name, arg) == 0) {
				problem(l, l->line, NULL, "[output %s] given twice (first on line %d)", arg,
				    c->outputs[i].line);
				return;
			}
		if (c->noutputs == CONF_MAX_OUTPUTS) {
			problem(l, l->line, NULL, "more than %d outputs", CONF_MAX_OUTPUTS);
			return;
		}
		if ((p = grow(l, c->outputs, &l->outputs_cap, c->noutputs, sizeof(*c->outputs))) == NULL)
			return;
		c->outputs = p;
		c->outputs[c->noutputs] = (struct conf_output){
			.name = save(l, arg), .formats = FORMAT_RSS | FORMAT_ATOM | FORMAT_JSON,
			.max_items = 100, .max_age = 72 * 3600000LL, .min_sources = 1, .line = l->line,
		};
		c->noutputs++;
		l->sec = SEC_OUTPUT;
	}
}

static void
set_duration(struct loader *l, const char *key, const char *v, int64_t lo, int64_t *ret)
{
	int64_t ms;

	if (conf_duration(v, &ms) < 0)
		problem(l, l->line, key, "'%s' is not a duration (90s, 15m, 24h, 7d, 1h30m)", v);
	else if (ms < lo)
		problem(l, l->line, key, "'%s' is below the least allowed, %lld ms", v, (long long)lo);
	else
		*ret = ms;
}

static void
set_int(struct loader *l, const char *key, const char *v, long lo, long hi, int *ret)
{
	if (!parse_int(v, lo, hi, ret))
		problem(l, l->line, key, "'%s' is not a whole number from %ld to %ld", v, lo, hi);
}

static void
set_bool(struct loader *l, const char *key, const char *v, bool *ret)
{
	if (!parse_bool(v, ret))
		problem(l, l->line, key, "'%s' is not yes or no", v);
}

/*
 * `trailers = Read more at | Subscribe to our newsletter`: markers added to dedup's built-in ones,
 * separated by '|' and trimmed; the clusterer is asked whether it takes them, so that a file
 * check-config passes is one the daemon starts with.
 */
static void
set_trailers(struct loader *l, const char *key, const char *v)
{
	struct dedup_opts o = { 0 };
	struct dedup *d;
	const char **list;
	size_t n = 0, i, len;
	const char *bar;
	char *m;
	int r;

	while (dedup_trailers[n] != NULL)
		n++;
	if ((list = arena_alloc(&l->c->mem, (DEDUP_TRAILERS_MAX + 1) * sizeof(*list))) == NULL) {
		l->enomem = 1;
		return;
	}
	memcpy(list, dedup_trailers, n * sizeof(*list));
	for (i = n; *v != '\0'; v = *bar != '\0' ? bar + 1 : bar) {
		bar = v + strcspn(v, "|");
		while (v < bar && isspace((unsigned char)*v))
			v++;
		for (len = (size_t)(bar - v); len > 0 && isspace((unsigned char)v[len - 1]); len--)
			;
		if (len == 0) {
			problem(l, l->line, key, "an empty marker (markers are separated by |)");
			return;
		}
		if (i == DEDUP_TRAILERS_MAX || len > DEDUP_TRAILER_LEN) {
			problem(l, l->line, key, "at most %zu markers of at most %d bytes", DEDUP_TRAILERS_MAX - n,
			    DEDUP_TRAILER_LEN);
			return;
		}
		if ((m = arena_alloc(&l->c->mem, len + 1)) == NULL) {
			l->enomem = 1;
			return;
		}
		memcpy(m, v, len);
		m[len] = '\0';
		list[i++] = m;
	}
	list[i] = NULL;
	o.trailers = list;
	if ((r = dedup_new(&d, &o)) == -EINVAL)
		problem(l, l->line, key, "a marker dedup cannot use: not UTF-8, or starting with a space");
	else if (r < 0)
		l->enomem = 1;
	else
		l->c->trailers = list;
	dedup_free(d);
}

static void
daemon_key(struct loader *l, int k, const char *key, const char *v)
{
	struct conf *c = l->c;

	switch (k) {
	case 0: case 1:
		if (*v == '\0' || !printable(v))
			problem(l, l->line, key, "a path, not empty");
		else if (k == 0)
			c->state = save(l, v);
		else
			c->output_dir = save(l, v);
		break;
	case 2:
		if (!good_listen(v))
			problem(l, l->line, key, "'%s' is not IPV4:PORT, [IPV6]:PORT, localhost:PORT or empty", v);
		else
			c->listen = save(l, v);
		break;
	case 3: {
		const char *why;

		if (*v != '\0' && !good_url(v, false, &why))
			problem(l, l->line, key, "'%s': %s", v, why);
		else
			c->base_url = save(l, v);
		break;
	}
	case 4:
		if (*v == '\0' || !printable(v) || strlen(v) > 256)
			problem(l, l->line, key, "one line of printable text, at most 256 bytes");
		else
			c->user_agent = save(l, v);
		break;
	case 5: set_duration(l, key, v, 1000, &c->interval); break;
	case 6: set_duration(l, key, v, 1000, &c->min_interval); break;
	case 7: set_duration(l, key, v, 1000, &c->max_interval); break;
	case 8: set_int(l, key, v, 1, 10000, &c->concurrency); break;
	case 9: set_int(l, key, v, 1, 1000, &c->per_host); break;
	case 10: set_duration(l, key, v, 0, &c->host_delay); break;
	case 11: set_bool(l, key, v, &c->allow_private); break;
	case 12: set_bool(l, key, v, &c->allow_file); break;
	case 13:
		if (conf_size(v, &c->max_body) < 0 || c->max_body < 1024 || c->max_body > CONF_MAX_BODY)
			problem(l, l->line, key, "'%s' is not a size from 1K to 1G (64K, 16M, 1G)", v);
		break;
	case 14: set_duration(l, key, v, 1000, &c->timeout); break;
	case 15: set_duration(l, key, v, 100, &c->connect_timeout); break;
	case 16: set_duration(l, key, v, 1000, &c->low_speed_time); break;
	case 17: set_trailers(l, key, v); break;
	}
}

static void
source_key(struct loader *l, int k, const char *key, const char *v)
{
	struct conf_source *s = &l->c->sources[l->c->nsources - 1];
	const char **rule;
	size_t i;

	switch (k) {
	case 0:
		if (*v == '\0' || !printable(v))
			problem(l, l->line, key, "a URL, not empty");
		else
			s->url = save(l, v);	/* its scheme is checked once allow_file is known */
		break;
	case 1:
		if (strcmp(v, "feed") == 0)
			s->type = SOURCE_FEED;
		else if (strcmp(v, "html") == 0)
			s->type = SOURCE_HTML;
		else
			problem(l, l->line, key, "'%s' is not feed or html", v);
		break;
	case 2: set_duration(l, key, v, 1000, &s->interval); break;
	case 3: set_int(l, key, v, -1000000, 1000000, &s->priority); break;
	case 4:
		s->tags = split_list(l, v, &s->ntags);
		if (s->ntags > CONF_MAX_TAGS)
			problem(l, l->line, key, "more than %d tags", CONF_MAX_TAGS);
		for (i = 0; i < s->ntags; i++)
			if (!good_name(s->tags[i]))
				problem(l, l->line, key, "'%s' is not a tag: 1 to %d of A-Z a-z 0-9 . _ -",
				    s->tags[i], CONF_MAX_NAME);
		break;
	case 5:
		set_bool(l, key, v, &s->allow_private);
		s->given |= CONF_GIVEN_PRIVATE;
		break;
	case 6:
		set_bool(l, key, v, &s->allow_file);
		s->given |= CONF_GIVEN_FILE;
		break;
	case 7: set_bool(l, key, v, &s->fulltext); break;
	case 12:	/* date_format: strptime(3) */
		if (strchr(v, '%') == NULL || !printable(v))
			problem(l, l->line, key, "'%s' is not a strptime format (%%d %%B %%Y, say)", v);
		else
			s->rules.date_format = save(l, v);
		break;
	default:	/* the XPath rules, in source_keys' order */
		rule = (const char **)((char *)&s->rules + rule_at[k]);
		if (!good_xpath(v))
			problem(l, l->line, key, "'%s' is not an XPath expression", v);
		else
			*rule = save(l, v);
		break;
	}
}

static void
output_key(struct loader *l, int k, const char *key, const char *v)
{
	struct conf_output *o = &l->c->outputs[l->c->noutputs - 1];
	const char **list;
	char why[200];
	size_t i, n;

	switch (k) {
	case 0:
		if (!printable(v))
			problem(l, l->line, key, "one line of text");
		else
			o->title = save(l, v);
		break;
	case 1:
		o->sources = split_list(l, v, &o->nsources);
		if (o->nsources == 0)
			problem(l, l->line, key, "empty: names, tag:NAME or *");
		break;	/* the names are checked once every source is known */
	case 2:
		list = split_list(l, v, &n);
		o->formats = 0;
		for (i = 0; i < n; i++) {
			if (strcmp(list[i], "rss") == 0)
				o->formats |= FORMAT_RSS;
			else if (strcmp(list[i], "atom") == 0)
				o->formats |= FORMAT_ATOM;
			else if (strcmp(list[i], "json") == 0)
				o->formats |= FORMAT_JSON;
			else
				problem(l, l->line, key, "'%s' is not rss, atom or json", list[i]);
		}
		if (n == 0)
			problem(l, l->line, key, "empty: one or more of rss, atom, json");
		break;
	case 3: set_int(l, key, v, 1, 100000, &o->max_items); break;
	case 4: set_duration(l, key, v, 60000, &o->max_age); break;
	case 5: set_int(l, key, v, 1, 1000, &o->min_sources); break;
	case 6: case 7:
		if (!good_regex(v, why, sizeof(why)))
			problem(l, l->line, key, "not a PCRE2 pattern: %s", why);
		else if (k == 6)
			o->include = save(l, v);
		else
			o->exclude = save(l, v);
		break;
	}
}

/* inih's handler: one key = value of the current section. Always 1: we report errors ourselves. */
static int
on_key(void *user, const char *section, const char *name, const char *value)
{
	static const char *const *const keys[] = {
		[SEC_DAEMON] = daemon_keys, [SEC_SOURCE] = source_keys, [SEC_OUTPUT] = output_keys,
	};
	struct loader *l = user;
	int k;

	(void)section;		/* the reader has seen the header already */
	if (l->sec == SEC_BAD || l->enomem)
		return 1;	/* reported at the header */
	if (l->sec == SEC_NONE) {
		problem(l, l->line, name, "outside any section");
		return 1;
	}
	k = key_index(keys[l->sec], name);
	if (k < 0) {
		problem(l, l->line, name, "unknown key in [%s]",
		    l->sec == SEC_DAEMON ? "daemon" : l->sec == SEC_SOURCE ? "source" : "output");
		return 1;
	}
	if (l->keys_seen & (1ull << k)) {
		problem(l, l->line, name, "given twice in this section");
		return 1;
	}
	l->keys_seen |= 1ull << k;
	if (l->sec == SEC_DAEMON) {
		l->daemon_line[k] = l->line;
		daemon_key(l, k, name, value);
	}
	else if (l->sec == SEC_SOURCE)
		source_key(l, k, name, value);
	else
		output_key(l, k, name, value);
	return 1;
}

/*
 * inih's reader: the next line into str (at most num - 1 bytes), or NULL at the end. Lines inih
 * would refuse are reported here and passed on empty.
 */
static char *
next_line(char *str, int num, void *stream)
{
	struct loader *l = stream;
	const char *nl, *p = l->p;
	size_t n, len;
	char *s, *e;

	if (p >= l->end)
		return NULL;
	nl = memchr(p, '\n', (size_t)(l->end - p));
	len = nl != NULL ? (size_t)(nl - p) + 1 : (size_t)(l->end - p);
	l->p = p + len;
	l->line++;
	if (l->line == 1 && len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) {
		p += 3;
		len -= 3;
	}
	str[0] = '\0';
	if (len > (size_t)num - 1 || len > CONF_MAX_LINE) {
		problem(l, l->line, NULL, "line longer than %d bytes", CONF_MAX_LINE);
		return str;
	}
	if (memchr(p, '\0', len) != NULL) {
		problem(l, l->line, NULL, "a NUL byte: this is not a text file");
		return str;
	}
	memcpy(str, p, len);
	str[len] = '\0';

	/* The line as inih will see it: trimmed, and which kind it is. */
	for (s = str; isspace((unsigned char)*s); s++)
		;
	if (*s == '\0' || *s == ';' || *s == '#')
		return str;
	if (*s == '[') {
		e = strchr(s, ']');
		if (e == NULL || (e[1 + strspn(e + 1, " \t\r\n")] != '\0' &&
		    e[1 + strspn(e + 1, " \t\r\n")] != ';' && e[1 + strspn(e + 1, " \t\r\n")] != '#')) {
			problem(l, l->line, NULL, "a section header is [NAME] alone on its line");
			finish_section(l);	/* its keys are not taken for the section before */
			l->sec = SEC_BAD;
			str[0] = '\0';
			return str;
		}
		*e = '\0';
		for (s++; isspace((unsigned char)*s); s++)
			;
		for (n = strlen(s); n > 0 && isspace((unsigned char)s[n - 1]); n--)
			s[n - 1] = '\0';
		begin_section(l, s);
		memcpy(str, p, len);	/* inih tracks the section too */
		str[len] = '\0';
		return str;
	}
	n = strcspn(s, "=:");
	if (s[n] == '\0' || n == 0 || strspn(s, " \t") == n) {
		problem(l, l->line, NULL, "not a section header, a key = value line or a comment");
		str[0] = '\0';
	}
	return str;
}

/* ---- the file as a whole ---- */

/* path made absolute against dir (the configuration file's folder). */
static const char *
absolute(struct loader *l, const char *dir, const char *path)
{
	char *p;
	size_t n;

	if (path[0] == '/')
		return path;
	n = strlen(dir) + strlen(path) + 2;
	p = arena_alloc(&l->c->mem, n);
	if (p == NULL) {
		l->enomem = 1;
		return path;
	}
	(void)snprintf(p, n, "%s/%s", dir, path);
	return p;
}

/*
 * A source URL without a scheme is a local file, its path taken from the configuration file's
 * folder (the demo's bundled samples): file:// and the absolute path. NULL (reported) when the path
 * holds bytes a URL would need to escape.
 */
static const char *
file_url(struct loader *l, const char *dir, const struct conf_source *src)
{
	const char *path = absolute(l, dir, src->url);
	size_t n = strlen(path) + 8;
	char *u;

	if (strspn(path, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-/+~") !=
	    strlen(path)) {
		problem(l, src->line, "url", "source %s: '%s': a local path of letters, digits and . _ - / + ~"
		    " only (or a file:// URL)", src->name, src->url);
		return NULL;
	}
	if ((u = arena_alloc(&l->c->mem, n)) == NULL) {
		l->enomem = 1;
		return NULL;
	}
	(void)snprintf(u, n, "file://%s", path);
	return u;
}

/* The folder of the configuration file, absolute. */
static const char *
conf_dir(struct loader *l)
{
	const char *slash = strrchr(l->c->path, '/');
	char cwd[4096], *d;

	if (slash == l->c->path)
		return "/";
	if (slash != NULL && l->c->path[0] == '/') {
		d = arena_strndup(&l->c->mem, l->c->path, (size_t)(slash - l->c->path));
	} else {
		if (getcwd(cwd, sizeof(cwd)) == NULL)
			return ".";
		if (slash == NULL)
			return save(l, cwd);
		d = arena_alloc(&l->c->mem, strlen(cwd) + (size_t)(slash - l->c->path) + 2);
		if (d != NULL)
			(void)sprintf(d, "%s/%.*s", cwd, (int)(slash - l->c->path), l->c->path);
	}
	if (d == NULL) {
		l->enomem = 1;
		return ".";
	}
	return d;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp((*(const struct conf_source *const *)a)->name,
	    (*(const struct conf_source *const *)b)->name);
}

/* Sources by name, earlier sections first among equals: for lookups, and to find names given twice. */
static int
by_name_line(const void *a, const void *b)
{
	int r = by_name(a, b);

	return r != 0 ? r : (*(const struct conf_source *const *)a)->line -
	    (*(const struct conf_source *const *)b)->line;
}

/* The sorted index of the sources, and a problem for each name given twice. */
static void
finish_names(struct loader *l)
{
	struct conf *c = l->c;
	size_t i;

	if (c->nsources == 0)
		return;
	if ((c->by_name = arena_alloc(&c->mem, c->nsources * sizeof(*c->by_name))) == NULL) {
		l->enomem = 1;
		return;
	}
	for (i = 0; i < c->nsources; i++)
		c->by_name[i] = &c->sources[i];
	qsort(c->by_name, c->nsources, sizeof(*c->by_name), by_name_line);
	for (i = 1; i < c->nsources; i++)
		if (strcmp(c->by_name[i]->name, c->by_name[i - 1]->name) == 0)
			problem(l, c->by_name[i]->line, NULL, "[source %s] given twice (first on line %d)",
			    c->by_name[i]->name, c->by_name[i - 1]->line);
}

/* Defaults, paths, and the rules that span keys and sections. */
static void
finish(struct loader *l)
{
	struct conf *c = l->c;
	const char *dir = conf_dir(l), *sd = getenv("STATE_DIRECTORY"), *why;
	char *s, *colon;
	size_t i, j, k, n;
	bool found;

	/* $STATE_DIRECTORY may list several folders, separated by colons: the first is ours. */
	if (sd != NULL && sd[0] == '/') {
		s = save(l, sd);
		if (s != NULL && (colon = strchr(s, ':')) != NULL)
			*colon = '\0';
		sd = s;
	} else {
		sd = DEFAULT_STATE_DIR;
	}
	if (l->enomem)
		return;
	if (c->state == NULL)
		c->state = absolute(l, sd, "wiredesk.db");
	else
		c->state = absolute(l, dir, c->state);
	if (c->output_dir == NULL)
		c->output_dir = absolute(l, sd, "feeds");
	else
		c->output_dir = absolute(l, dir, c->output_dir);
	if (c->listen == NULL)
		c->listen = "127.0.0.1:8080";
	if (c->base_url == NULL || c->base_url[0] == '\0') {
		n = strlen(c->listen) + 16;
		if (c->listen[0] == '\0') {
			c->base_url = "";
		} else if ((s = arena_alloc(&c->mem, n)) != NULL) {
			(void)snprintf(s, n, "http://%s/", c->listen);
			c->base_url = s;
		}
	} else if (c->base_url[strlen(c->base_url) - 1] != '/') {
		n = strlen(c->base_url) + 2;
		if ((s = arena_alloc(&c->mem, n)) != NULL) {
			(void)snprintf(s, n, "%s/", c->base_url);
			c->base_url = s;
		}
	}
	if (c->user_agent == NULL)
		c->user_agent = "wiredesk/" WIREDESK_VERSION " (+" WIREDESK_URL ")";

	if (c->min_interval > c->max_interval)
		problem(l, l->daemon_line[6], "min_interval", "above max_interval");
	else if (l->daemon_line[5] == 0)	/* the default interval, within the bounds given */
		c->interval = c->interval < c->min_interval ? c->min_interval :
		    c->interval > c->max_interval ? c->max_interval : c->interval;
	else if (c->interval < c->min_interval || c->interval > c->max_interval)
		problem(l, l->daemon_line[5], "interval", "outside min_interval to max_interval");
	if (c->host_delay > 3600000)
		problem(l, l->daemon_line[10], "host_delay", "over 1h: longer than a poll interval should be");

	for (i = 0; i < c->nsources; i++) {
		struct conf_source *src = &c->sources[i];

		if (!(src->given & CONF_GIVEN_PRIVATE))
			src->allow_private = c->allow_private;
		if (!(src->given & CONF_GIVEN_FILE))
			src->allow_file = c->allow_file;
		if (src->url != NULL && strstr(src->url, ":") == NULL)
			src->url = file_url(l, dir, src);
		if (src->url != NULL && !good_url(src->url, src->allow_file, &why))
			problem(l, src->line, "url", "source %s: '%s': %s", src->name, src->url, why);
		if (src->interval != 0 && (src->interval < c->min_interval || src->interval > c->max_interval))
			problem(l, src->line, "interval", "source %s: outside min_interval to max_interval",
			    src->name);
	}
	for (i = 0; i < c->noutputs; i++) {
		struct conf_output *o = &c->outputs[i];

		if (o->title == NULL)
			o->title = o->name;
		if (o->sources == NULL) {
			problem(l, o->line, "sources", "output %s: missing (names, tag:NAME or *)", o->name);
			continue;
		}
		for (j = 0; j < o->nsources; j++) {
			const char *want = o->sources[j];

			found = strcmp(want, "*") == 0;
			for (k = 0; !found && k < c->nsources; k++) {
				if (strncmp(want, "tag:", 4) != 0) {
					found = strcmp(want, c->sources[k].name) == 0;
					continue;
				}
				for (n = 0; !found && n < c->sources[k].ntags; n++)
					found = strcmp(want + 4, c->sources[k].tags[n]) == 0;
			}
			if (!found)
				problem(l, o->line, "sources", "output %s: no source %s '%s'", o->name,
				    strncmp(want, "tag:", 4) == 0 ? "has the tag" : "is named",
				    strncmp(want, "tag:", 4) == 0 ? want + 4 : want);
		}
	}
}

/* A configuration of defaults, for the file at path; NULL on ENOMEM. */
static struct conf *
conf_new(const char *path)
{
	struct conf *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	arena_init(&c->mem);
	c->interval = 15 * 60000;
	c->min_interval = 2 * 60000;
	c->max_interval = 24 * 3600000;
	c->host_delay = 1000;
	c->max_body = 16u << 20;
	c->timeout = 60000;
	c->connect_timeout = 10000;
	c->low_speed_time = 30000;
	c->concurrency = 64;
	c->per_host = 2;
	if ((c->path = arena_strdup(&c->mem, path)) == NULL) {
		conf_free(c);
		return NULL;
	}
	return c;
}

/* Reports the loader's problems and hands over its configuration: 0, -EINVAL or -ENOMEM. */
static int
conclude(struct loader *l, struct buf *errs, struct conf **ret)
{
	report(l, errs);
	if (l->enomem || l->nerr > 0) {
		conf_free(l->c);
		return l->enomem ? -ENOMEM : -EINVAL;
	}
	*ret = l->c;
	return 0;
}

int
conf_parse(struct conf **ret, const char *path, const char *data, size_t len, struct buf *errs)
{
	struct loader l = { 0 };

	*ret = NULL;
	if ((l.c = conf_new(path)) == NULL)
		return -ENOMEM;
	if (len > CONF_MAX_BYTES) {
		problem(&l, 0, NULL, "larger than %u bytes", CONF_MAX_BYTES);
		return conclude(&l, errs, ret);
	}
	/* inih's settings are process-wide; these are the same for every file we read. */
	ini_allow_multiline = false;
	ini_use_stack = false;
	ini_allow_realloc = false;
	ini_max_line = CONF_MAX_LINE + 3;
	ini_initial_alloc = CONF_MAX_LINE + 3;	/* the heap buffer's size, as it never grows */
	ini_stop_on_first_error = false;
	l.p = data;
	l.end = data + len;
	if (ini_parse_stream(next_line, &l, on_key, &l) == -2)
		l.enomem = 1;
	finish_section(&l);
	finish_names(&l);
	finish(&l);
	return conclude(&l, errs, ret);
}

/* A file that cannot be read: its one problem on errs, and -err (or -ENOMEM). */
static int
file_problem(const char *path, struct buf *errs, const char *what, int err)
{
	struct loader l = { 0 };
	struct conf *none;

	if ((l.c = conf_new(path)) == NULL)
		return -ENOMEM;
	problem(&l, 0, NULL, "%s: %s", what, strerror(err));
	return conclude(&l, errs, &none) == -ENOMEM ? -ENOMEM : -err;
}

int
conf_load(struct conf **ret, const char *path, struct buf *errs)
{
	char *data;
	size_t len;
	FILE *f;
	int r;

	*ret = NULL;
	if ((f = fopen(path, "re")) == NULL)
		return file_problem(path, errs, "cannot open", errno);
	data = malloc(CONF_MAX_BYTES + 1);
	errno = EIO;
	len = data != NULL ? fread(data, 1, CONF_MAX_BYTES + 1, f) : 0;
	if (data == NULL)
		r = -ENOMEM;
	else if (ferror(f))
		r = file_problem(path, errs, "cannot read", errno);	/* EISDIR, say */
	else
		r = conf_parse(ret, path, data, len, errs);
	fclose(f);
	free(data);
	return r;
}

void
conf_free(struct conf *c)
{
	if (c == NULL)
		return;
	free(c->sources);
	free(c->outputs);
	arena_release(&c->mem);
	free(c);
}

int
conf_keep_running(struct conf *c, const struct conf *running, char changed[64])
{
	static const struct {
		const char	*key;
		size_t		 at;
	} keys[] = {
		{ "state", offsetof(struct conf, state) },
		{ "output_dir", offsetof(struct conf, output_dir) },
		{ "listen", offsetof(struct conf, listen) },
	};
	const char **mine, *theirs;
	size_t i;

	changed[0] = '\0';
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		mine = (const char **)((char *)c + keys[i].at);
		theirs = *(const char *const *)((const char *)running + keys[i].at);
		if (strcmp(*mine, theirs) == 0)
			continue;
		if ((*mine = arena_strdup(&c->mem, theirs)) == NULL)
			return -ENOMEM;
		(void)snprintf(changed + strlen(changed), 64 - strlen(changed), "%s%s", changed[0] != '\0' ?
		    ", " : "", keys[i].key);
	}
	return 0;
}

const struct conf_source *
conf_source_find(const struct conf *c, const char *name)
{
	const struct conf_source key = { .name = name }, *kp = &key, **found;

	if (c->by_name == NULL)
		return NULL;		/* no source */
	found = bsearch(&kp, c->by_name, c->nsources, sizeof(*c->by_name), by_name);
	return found != NULL ? *found : NULL;
}

bool
conf_output_takes(const struct conf_output *o, const struct conf_source *s)
{
	size_t i, j;

	for (i = 0; i < o->nsources; i++) {
		if (strcmp(o->sources[i], "*") == 0 || strcmp(o->sources[i], s->name) == 0)
			return true;
		if (strncmp(o->sources[i], "tag:", 4) != 0)
			continue;
		for (j = 0; j < s->ntags; j++)
			if (strcmp(o->sources[i] + 4, s->tags[j]) == 0)
				return true;
	}
	return false;
}
