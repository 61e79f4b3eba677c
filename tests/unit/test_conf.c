/* test_conf.c - the configuration file: defaults, every key's checks, every error reported. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "buf.h"
#include "conf.h"
#include "dedup.h"

static char dir[] = "/tmp/wiredesk-test-conf-XXXXXX";
static char path[sizeof(dir) + 32];

/* Writes len bytes of text as the configuration file. */
static void
write_conf_n(const char *text, size_t len)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void
write_conf(const char *text)
{
	write_conf_n(text, strlen(text));
}

/* Loads the file, which must be valid. */
static struct conf *
load_ok(const char *text)
{
	struct conf *c = NULL;
	struct buf errs;
	int r;

	write_conf(text);
	buf_init(&errs, 1u << 20);
	r = conf_load(&c, path, &errs);
	if (r != 0)
		fail_msg("conf_load: %d\n%s", r, buf_str(&errs));
	assert_int_equal(errs.len, 0);
	buf_release(&errs);
	return c;
}

/* Loads the file, which must be refused, and returns its problems (caller frees). */
static char *
load_bad(const char *text, size_t len)
{
	struct conf *c = (struct conf *)1;
	struct buf errs;
	int r;

	write_conf_n(text, len);
	buf_init(&errs, 1u << 20);
	r = conf_load(&c, path, &errs);
	assert_int_equal(r, -EINVAL);
	assert_null(c);
	assert_true(errs.len > 0);
	return buf_take(&errs, NULL);
}

/* want appears in errs as "PATH:" + want. */
static void
has_problem(const char *errs, const char *want)
{
	char line[512];

	(void)snprintf(line, sizeof(line), "%s:%s", path, want);
	if (strstr(errs, line) == NULL)
		fail_msg("no '%s' in:\n%s", line, errs);
}

static int
setup(void **state)
{
	(void)state;
	if (mkdtemp(dir) == NULL)
		return -1;
	(void)snprintf(path, sizeof(path), "%s/wiredesk.conf", dir);
	return unsetenv("STATE_DIRECTORY");
}

static int
teardown(void **state)
{
	(void)state;
	(void)unlink(path);
	return rmdir(dir);
}

static void
test_defaults_are_safe_and_complete(void **state)
{
	struct conf *c = load_ok("[source a]\nurl = https://example.org/feed\n");

	(void)state;
	assert_string_equal(c->state, "/var/lib/wiredesk/wiredesk.db");
	assert_string_equal(c->output_dir, "/var/lib/wiredesk/feeds");
	assert_string_equal(c->listen, "127.0.0.1:8080");
	assert_string_equal(c->base_url, "http://127.0.0.1:8080/");
	assert_non_null(strstr(c->user_agent, "wiredesk/"));
	assert_non_null(strstr(c->user_agent, "http"));
	assert_int_equal(c->interval, 15 * 60000);
	assert_int_equal(c->min_interval, 2 * 60000);
	assert_int_equal(c->max_interval, 24 * 3600000);
	assert_int_equal(c->host_delay, 1000);
	assert_int_equal(c->concurrency, 64);
	assert_int_equal(c->per_host, 2);
	assert_false(c->allow_private);
	assert_false(c->allow_file);
	assert_int_equal(c->nsources, 1);
	assert_string_equal(c->sources[0].name, "a");
	assert_int_equal(c->sources[0].type, SOURCE_FEED);
	assert_int_equal(c->sources[0].interval, 0);
	assert_int_equal(c->sources[0].line, 1);
	assert_int_equal(c->noutputs, 0);
	conf_free(c);
}

static void
test_relative_paths_are_beside_the_file_and_state_directory_moves_defaults(void **state)
{
	char want[sizeof(dir) + 64];
	struct conf *c;

	(void)state;
	c = load_ok("[daemon]\nstate = var/wd.db\noutput_dir = out\n");
	(void)snprintf(want, sizeof(want), "%s/var/wd.db", dir);
	assert_string_equal(c->state, want);
	(void)snprintf(want, sizeof(want), "%s/out", dir);
	assert_string_equal(c->output_dir, want);
	conf_free(c);

	assert_int_equal(setenv("STATE_DIRECTORY", "/run/state/wiredesk:/other", 1), 0);
	c = load_ok("[daemon]\nlisten = [::1]:8081\n");
	assert_string_equal(c->state, "/run/state/wiredesk/wiredesk.db");
	assert_string_equal(c->output_dir, "/run/state/wiredesk/feeds");
	assert_string_equal(c->base_url, "http://[::1]:8081/");
	conf_free(c);
	assert_int_equal(unsetenv("STATE_DIRECTORY"), 0);
}

/* The "valid and useful" list: none of it is an error. */
static void
test_valid_and_useful_settings_are_accepted(void **state)
{
	struct conf *c;

	(void)state;
	c = load_ok(
	    "; comment\n"
	    "# comment\n"
	    "[daemon]\n"
	    "listen =\n"
	    "host_delay = 0\n"
	    "per_host = 300\n"
	    "concurrency = 900\n"
	    "min_interval = 1s\n"
	    "interval = 90s   ; inline comment\n"
	    "base_url = https://news.example.org/feeds\n"
	    "[source local]\n"
	    "url = http://127.0.0.1:8080/feed.xml\n"
	    "[source lan]\n"
	    "url = http://10.1.2.3/rss\n"
	    "allow_private = yes\n"
	    "tags = wire, world,city\n"
	    "priority = -5\n"
	    "interval = 1h30m\n");
	assert_string_equal(c->listen, "");
	assert_string_equal(c->base_url, "https://news.example.org/feeds/");
	assert_int_equal(c->host_delay, 0);
	assert_int_equal(c->per_host, 300);
	assert_int_equal(c->concurrency, 900);
	assert_int_equal(c->interval, 90000);
	assert_int_equal(c->noutputs, 0);
	assert_false(c->sources[0].allow_private);
	assert_true(c->sources[1].allow_private);
	assert_int_equal(c->sources[1].ntags, 3);
	assert_string_equal(c->sources[1].tags[2], "city");
	assert_int_equal(c->sources[1].priority, -5);
	assert_int_equal(c->sources[1].interval, 5400000);
	conf_free(c);
}

static void
test_source_flags_inherit_from_daemon_unless_given(void **state)
{
	struct conf *c;

	(void)state;
	c = load_ok("[source a]\nurl = file:///srv/a.xml\n[source b]\nurl = http://x.org/\n"
	    "allow_private = no\nallow_file = no\n[daemon]\nallow_private = yes\nallow_file = yes\n");
	assert_true(c->sources[0].allow_private);
	assert_true(c->sources[0].allow_file);
	assert_false(c->sources[1].allow_private);
	assert_false(c->sources[1].allow_file);
	conf_free(c);
}

static void
test_a_url_without_scheme_is_a_file_beside_the_configuration(void **state)
{
	char want[sizeof(dir) + 64], *errs;
	struct conf *c;

	(void)state;
	c = load_ok("[daemon]\nallow_file = yes\n[source demo]\nurl = samples/wire.rss\n"
	    "[source abs]\nurl = /srv/feeds/a.xml\n");
	(void)snprintf(want, sizeof(want), "file://%s/samples/wire.rss", dir);
	assert_string_equal(c->sources[0].url, want);
	assert_string_equal(c->sources[1].url, "file:///srv/feeds/a.xml");
	conf_free(c);
	errs = load_bad("[source demo]\nurl = samples/wire.rss\n[daemon]\nallow_file = yes\n"
	    "[source odd]\nurl = samples/a b?.rss\n", 99);
	has_problem(errs, "5: url: source odd: 'samples/a b?.rss': a local path");
	free(errs);
	errs = load_bad("[source demo]\nurl = samples/wire.rss\nallow_file = no\n", 53);
	has_problem(errs, "1: url: source demo: 'file://");
	free(errs);
}

static void
test_default_interval_follows_the_bounds(void **state)
{
	struct conf *c;

	(void)state;
	c = load_ok("[daemon]\nmin_interval = 30m\n");
	assert_int_equal(c->interval, 30 * 60000);
	conf_free(c);
	c = load_ok("[daemon]\nmax_interval = 5m\n");
	assert_int_equal(c->interval, 5 * 60000);
	conf_free(c);
}

static void
test_html_source_and_output(void **state)
{
	const struct conf_source *s;
	struct conf *c;

	(void)state;
	c = load_ok(
	    "[source city]\ntype = html\nurl = https://example.org/city/\nitem = //article\n"
	    "title = .//h2\nlink = .//a/@href\ndate = .//time/@datetime\ndate_format = %d %B %Y\n"
	    "fulltext = yes\ntags = local\n"
	    "[source wire]\nurl = https://wire.example.org/rss\n"
	    "[output breaking]\ntitle = Breaking news\nsources = tag:local\nformats = json, rss\n"
	    "max_items = 50\nmax_age = 2d\nmin_sources = 2\ninclude = (?i)breaking|urgent\n");
	s = conf_source_find(c, "city");
	assert_non_null(s);
	assert_int_equal(s->type, SOURCE_HTML);
	assert_string_equal(s->rules.item, "//article");
	assert_string_equal(s->rules.link, ".//a/@href");
	assert_string_equal(s->rules.date_format, "%d %B %Y");
	assert_null(s->rules.content);
	assert_true(s->fulltext);
	assert_null(conf_source_find(c, "nope"));
	assert_int_equal(c->noutputs, 1);
	assert_string_equal(c->outputs[0].title, "Breaking news");
	assert_int_equal(c->outputs[0].formats, FORMAT_JSON | FORMAT_RSS);
	assert_int_equal(c->outputs[0].max_age, 2 * 86400000LL);
	assert_int_equal(c->outputs[0].min_sources, 2);
	assert_true(conf_output_takes(&c->outputs[0], s));
	assert_false(conf_output_takes(&c->outputs[0], conf_source_find(c, "wire")));
	conf_free(c);
}

/* fulltext on a feed source, with or without a content rule for the article's page. */
static void
test_fulltext_feed_source(void **state)
{
	static const char rule_without_fulltext[] = "[source wire]\nurl = https://wire.example.org/rss\n"
	    "content = //article\n";
	static const char item_rule[] = "[source wire]\nurl = https://wire.example.org/rss\n"
	    "fulltext = yes\nitem = //li\n";
	const struct conf_source *s;
	struct conf *c;
	char *errs;

	(void)state;
	c = load_ok("[source wire]\nurl = https://wire.example.org/rss\nfulltext = yes\n"
	    "[source brief]\nurl = https://brief.example.org/atom\nfulltext = yes\n"
	    "content = //div[@class=\"story\"]\n");
	s = conf_source_find(c, "wire");
	assert_int_equal(s->type, SOURCE_FEED);
	assert_true(s->fulltext);
	assert_null(s->rules.content);
	s = conf_source_find(c, "brief");
	assert_true(s->fulltext);
	assert_string_equal(s->rules.content, "//div[@class=\"story\"]");
	conf_free(c);
	errs = load_bad(rule_without_fulltext, sizeof(rule_without_fulltext) - 1);
	has_problem(errs, "1: content: source wire: a feed source's content rule needs fulltext = yes");
	free(errs);
	errs = load_bad(item_rule, sizeof(item_rule) - 1);
	has_problem(errs, "1: source wire: scraping rules are for type = html only");
	free(errs);
}

/* Every problem of a file, each with its line and key, in line order. */
static void
test_every_error_is_reported_with_line_and_key(void **state)
{
	static const char text[] =
	    "[daemon]\n"				/* 1 */
	    "interval = 15x\n"				/* 2 */
	    "concurrency = 0\n"				/* 3 */
	    "listen = localhost:99999\n"		/* 4 */
	    "bogus = 1\n"				/* 5 */
	    "concurrency = 5\n"				/* 6 */
	    "this line is wrong\n"			/* 7 */
	    "[source a]\n"				/* 8 */
	    "url = ftp://example.org/x\n"		/* 9 */
	    "priority = high\n"				/* 10 */
	    "tags = wire, bad/tag\n"			/* 11 */
	    "[source a]\n"				/* 12 */
	    "url = http://x/\n"				/* 13 */
	    "[source b]\n"				/* 14 */
	    "type = html\n"				/* 15 */
	    "url = https://example.org/\n"		/* 16 */
	    "item = //article[\n"			/* 17 */
	    "[output all]\n"				/* 18 */
	    "sources = a, tag:nope, missing\n"		/* 19 */
	    "formats = rss pdf\n"			/* 20 */
	    "include = (?i)breaking(\n"			/* 21 */
	    "[output none]\n"				/* 22 */
	    "[weird]\n"					/* 23 */
	    "k = v\n"					/* 24 */
	    "[source c\n"				/* 25 */
	    "[source d]\n"				/* 26 */
	    "url = file:///etc/passwd\n"		/* 27 */
	    "[source ../e]\n";				/* 28 */
	static const char *const want[] = {
	    "2: interval: '15x' is not a duration", "3: concurrency: '0' is not a whole number",
	    "4: listen: 'localhost:99999'", "5: bogus: unknown key in [daemon]",
	    "6: concurrency: given twice", "7: not a section header",
	    "8: url: source a: 'ftp://example.org/x': only http, https and file",
	    "10: priority: 'high'", "11: tags: 'bad/tag' is not a tag",
	    "12: [source a] given twice (first on line 8)",
	    "14: item: missing: a source of type html needs", "17: item: '//article[' is not an XPath",
	    "18: sources: output all: no source has the tag 'nope'",
	    "18: sources: output all: no source is named 'missing'",
	    "20: formats: 'pdf' is not rss, atom or json", "21: include: not a PCRE2 pattern",
	    "22: sources: output none: missing", "23: unknown section [weird]",
	    "25: a section header is [NAME] alone", "26: url: source d: 'file:///etc/passwd': a file:// URL needs allow_file",
	    "28: [source NAME]: NAME is",
	};
	char *errs, *p;
	size_t i, lines = 0;
	int last = 0, n;

	(void)state;
	errs = load_bad(text, sizeof(text) - 1);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		has_problem(errs, want[i]);
	for (p = errs; *p != '\0'; p = strchr(p, '\n') + 1, lines++) {
		assert_memory_equal(p, path, strlen(path));
		n = atoi(p + strlen(path) + 1);
		assert_true(n >= last);
		last = n;
	}
	assert_int_equal(lines, sizeof(want) / sizeof(want[0]));
	free(errs);
}

static void
test_hostile_files_are_refused_with_a_reason(void **state)
{
	static const char nul[] = "[daemon]\nlisten = a\0b\n";
	char *big, *errs;
	size_t n;

	(void)state;
	errs = load_bad(nul, sizeof(nul) - 1);
	has_problem(errs, "2: a NUL byte");
	free(errs);

	n = CONF_MAX_LINE + 100;
	big = malloc(CONF_MAX_BYTES + 2);
	assert_non_null(big);
	memcpy(big, "[daemon]\nuser_agent = ", 22);
	memset(big + 22, 'a', n);
	memcpy(big + 22 + n, "\nbogus = 1\n", 11);
	errs = load_bad(big, 22 + n + 11);
	has_problem(errs, "2: line longer than");
	has_problem(errs, "3: bogus: unknown key");
	free(errs);

	memset(big, '\n', CONF_MAX_BYTES + 1);
	errs = load_bad(big, CONF_MAX_BYTES + 1);
	has_problem(errs, "0: larger than");
	free(errs);
	free(big);

	errs = load_bad("[daemon]\nuser_agent = a\x01" "b\nkey outside = 1\n", 37);
	has_problem(errs, "2: user_agent: one line of printable text");
	free(errs);
	errs = load_bad("orphan = 1\n[daemon]\n[daemon]\n", 29);
	has_problem(errs, "1: orphan: outside any section");
	has_problem(errs, "3: [daemon] given twice");
	free(errs);
}

static void
test_bom_and_crlf_are_read(void **state)
{
	struct conf *c;

	(void)state;
	c = load_ok("\xEF\xBB\xBF[daemon]\r\nper_host = 4\r\n[source a]\r\nurl = https://a.example/\r\n");
	assert_int_equal(c->per_host, 4);
	assert_string_equal(c->sources[0].url, "https://a.example/");
	conf_free(c);
}

static void
test_missing_file_is_enoent(void **state)
{
	struct conf *c = NULL;
	struct buf errs;

	(void)state;
	buf_init(&errs, 4096);
	assert_int_equal(conf_load(&c, "/nonexistent/wiredesk.conf", &errs), -ENOENT);
	assert_null(c);
	assert_non_null(strstr(buf_str(&errs), "/nonexistent/wiredesk.conf:0: cannot open"));
	buf_release(&errs);
}

static void
test_durations(void **state)
{
	static const struct {
		const char	*in;
		int64_t		 ms;	/* -1: refused */
	} cases[] = {
		{ "90s", 90000 }, { "15m", 900000 }, { "24h", 86400000 }, { "7d", 604800000 },
		{ "500ms", 500 }, { "1h30m", 5400000 }, { "0", 0 }, { "45", 45000 }, { "1d12h", 129600000 },
		{ "", -1 }, { "-5s", -1 }, { "5", 5000 }, { "5 s", -1 }, { "s", -1 }, { "5x", -1 },
		{ "1h30", -1 }, { "5mss", -1 }, { "99999999999999999999s", -1 }, { "40000d", -1 },
		{ "1.5h", -1 }, { "15M", -1 },
	};
	int64_t ms;
	size_t i;
	int r;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ms = -2;
		r = conf_duration(cases[i].in, &ms);
		if (cases[i].ms < 0 ? r != -EINVAL : (r != 0 || ms != cases[i].ms))
			fail_msg("'%s': r %d ms %lld", cases[i].in, r, (long long)ms);
	}
}

/* Twenty thousand sources load at once (names are checked sorted, not pairwise), and a name given twice is found. */
static void
test_many_sources_and_one_given_twice(void **state)
{
	const struct conf_source *s;
	struct conf *c;
	struct buf text;
	char *errs;
	int i;

	(void)state;
	buf_init(&text, 16u << 20);
	for (i = 0; i < 20000; i++)
		assert_int_equal(buf_appendf(&text, "[source s%05d]\nurl = https://h%d.example/feed\n", 19999 - i, i), 0);
	c = load_ok(buf_str(&text));
	assert_int_equal(c->nsources, 20000);
	s = conf_source_find(c, "s00042");
	assert_non_null(s);
	assert_string_equal(s->url, "https://h19957.example/feed");
	assert_null(conf_source_find(c, "s20000"));
	conf_free(c);
	assert_int_equal(buf_puts(&text, "[source s00042]\nurl = https://again.example/\n"), 0);
	errs = load_bad(text.data, text.len);
	has_problem(errs, "40001: [source s00042] given twice (first on line 39915)");
	free(errs);
	buf_release(&text);
}

static void
test_listen_is_an_address_the_server_can_bind(void **state)
{
	char *errs;

	(void)state;
	errs = load_bad("[daemon]\nlisten = feedhost:8080\n", 32);
	has_problem(errs, "2: listen: 'feedhost:8080' is not");
	free(errs);
	errs = load_bad("[daemon]\nlisten = [zz::1]:8080\n", 31);
	has_problem(errs, "2: listen: '[zz::1]:8080' is not");
	free(errs);
}

static void
test_sizes_and_transfer_limits(void **state)
{
	struct conf *c;
	size_t n;
	char *errs;

	(void)state;
	assert_int_equal(conf_size("65536", &n), 0);
	assert_int_equal(n, 65536);
	assert_int_equal(conf_size("64K", &n), 0);
	assert_int_equal(n, 65536);
	assert_int_equal(conf_size("16M", &n), 0);
	assert_int_equal(n, 16u << 20);
	assert_int_equal(conf_size("1G", &n), 0);
	assert_int_equal(conf_size("", &n), -EINVAL);
	assert_int_equal(conf_size("12X", &n), -EINVAL);
	assert_int_equal(conf_size("-1", &n), -EINVAL);
	assert_int_equal(conf_size("99999999999999999999999", &n), -EINVAL);
	assert_int_equal(conf_size("9999999999999999G", &n), -EINVAL);
	c = load_ok("[daemon]\nmax_body = 64K\ntimeout = 5s\nconnect_timeout = 500ms\nlow_speed_time = 2s\n");
	assert_int_equal(c->max_body, 65536);
	assert_int_equal(c->timeout, 5000);
	assert_int_equal(c->connect_timeout, 500);
	assert_int_equal(c->low_speed_time, 2000);
	conf_free(c);
	errs = load_bad("[daemon]\nmax_body = 2G\n", 23);
	has_problem(errs, "2: max_body: '2G' is not a size");
	free(errs);
}

/* trailers: markers added to dedup's built-in ones, checked by the clusterer itself. */
static void
test_trailers(void **state)
{
	static const char many[] = "[daemon]\ntrailers = a1|a2|a3|a4|a5|a6|a7|a8|a9|b1|b2|b3|b4|b5|b6|b7|b8|b9|"
	    "c1|c2|c3|c4|c5|c6|c7|c8|c9|d1|d2|d3|d4|d5|d6|d7|d8|d9|e1|e2|e3|e4|e5|e6|e7|e8|e9|f1|f2|f3|f4|f5|"
	    "f6|f7|f8|f9|g1|g2|g3|g4|g5|g6|g7|g8|g9|h1\n";
	struct conf *c;
	size_t n = 0, builtin = 0;
	char *errs;

	(void)state;
	c = load_ok("[daemon]\n");
	assert_null(c->trailers);
	conf_free(c);
	c = load_ok("[daemon]\ntrailers =  Read the full story at |Sign up \u2014 free  \n");
	while (dedup_trailers[builtin] != NULL)
		builtin++;
	while (c->trailers[n] != NULL)
		n++;
	assert_int_equal(n, builtin + 2);
	assert_string_equal(c->trailers[0], dedup_trailers[0]);
	assert_string_equal(c->trailers[builtin], "Read the full story at");
	assert_string_equal(c->trailers[builtin + 1], "Sign up \u2014 free");
	conf_free(c);
	errs = load_bad("[daemon]\ntrailers = Read more || x\n", 33);
	has_problem(errs, "2: trailers: an empty marker");
	free(errs);
	errs = load_bad("[daemon]\ntrailers = \xff more\n", 26);
	has_problem(errs, "2: trailers: a marker dedup cannot use");
	free(errs);
	errs = load_bad(many, sizeof(many) - 1);	/* a line of 211 bytes: refused for its count */
	has_problem(errs, "2: trailers: at most");
	free(errs);
}

/* Lines up to CONF_MAX_LINE bytes are read whole (inih's own buffer is 200 bytes unless told). */
static void
test_long_lines(void **state)
{
	char text[CONF_MAX_LINE + 64];
	struct conf *c;
	char *errs;
	int n;

	(void)state;
	n = snprintf(text, sizeof(text), "[daemon]\n[output long]\nsources = *\ninclude = (?i)%0*d\n", 4000, 7);
	c = load_ok(text);
	assert_int_equal(strlen(c->outputs[0].include), 4000 + 4);
	conf_free(c);
	n = snprintf(text, sizeof(text), "[daemon]\n[output long]\nsources = *\ninclude = %0*d\n", CONF_MAX_LINE, 7);
	errs = load_bad(text, (size_t)n);
	has_problem(errs, "4: line longer than");
	free(errs);
}

/* A reload keeps the store, output folder and address of the running daemon, and names them. */
static void
test_keep_running(void **state)
{
	struct conf *running, *c;
	char changed[64];

	(void)state;
	running = load_ok("[daemon]\nstate = a.db\nlisten = 127.0.0.1:8080\nuser_agent = one\n");
	c = load_ok("[daemon]\nstate = b.db\nlisten = 127.0.0.1:9090\nuser_agent = two\n");
	assert_int_equal(conf_keep_running(c, running, changed), 0);
	assert_string_equal(changed, "state, listen");
	assert_string_equal(c->state, running->state);
	assert_string_equal(c->listen, "127.0.0.1:8080");
	assert_string_equal(c->user_agent, "two");	/* the rest is the new file's */
	conf_free(running);
	assert_int_equal(conf_keep_running(c, c, changed), 0);
	assert_string_equal(changed, "");
	conf_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_are_safe_and_complete),
		cmocka_unit_test(test_relative_paths_are_beside_the_file_and_state_directory_moves_defaults),
		cmocka_unit_test(test_valid_and_useful_settings_are_accepted),
		cmocka_unit_test(test_source_flags_inherit_from_daemon_unless_given),
		cmocka_unit_test(test_a_url_without_scheme_is_a_file_beside_the_configuration),
		cmocka_unit_test(test_default_interval_follows_the_bounds),
		cmocka_unit_test(test_html_source_and_output),
		cmocka_unit_test(test_fulltext_feed_source),
		cmocka_unit_test(test_every_error_is_reported_with_line_and_key),
		cmocka_unit_test(test_hostile_files_are_refused_with_a_reason),
		cmocka_unit_test(test_bom_and_crlf_are_read),
		cmocka_unit_test(test_missing_file_is_enoent),
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_sizes_and_transfer_limits),
		cmocka_unit_test(test_listen_is_an_address_the_server_can_bind),
		cmocka_unit_test(test_many_sources_and_one_given_twice),
		cmocka_unit_test(test_trailers),
		cmocka_unit_test(test_long_lines),
		cmocka_unit_test(test_keep_running),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
