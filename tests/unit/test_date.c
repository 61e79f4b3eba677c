/* test_date.c - dates as feeds write them, the strftime-style reader, and the two writers. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "date.h"

#define BAD	INT64_MIN	/* the row's input must be rejected with -EINVAL */
#define HUGE_LEN	(1u << 20)	/* a hostile 1 MB input */

struct date_case {
	const char	*in;
	int64_t		 want;	/* UTC seconds, or BAD */
};

/* Expected values were computed with Python's datetime, not with this code. */
static const struct date_case parse_cases[] = {
	/* RFC 822 / 1123 / 2822 and the variants publishers write */
	{ "Tue, 10 Jun 2003 04:00:00 GMT", 1055217600 },
	{ "Tue, 10 Jun 2003 04:00:00 +0000", 1055217600 },
	{ "Tue, 10 Jun 2003 04:00:00 -0000", 1055217600 },
	{ "Tue, 10 Jun 2003 04:00:00 UT", 1055217600 },
	{ "Tue, 10 Jun 2003 04:00:00 UTC", 1055217600 },
	{ "Tue, 10 Jun 2003 04:00:00 Z", 1055217600 },
	{ "Tue, 10 Jun 2003 04:00:00 gmt", 1055217600 },
	{ "10 Jun 2003 04:00 EST", 1055235600 },
	{ "Tue, 10 Jun 03 04:00:00 GMT", 1055217600 },
	{ "Tue, 10 Jun 99 04:00:00 GMT", 928987200 },	/* 50-99: 1900s */
	{ "Tue, 10 Jun 49 04:00:00 GMT", 2506910400 },	/* 00-49: 2000s */
	{ "Tue, 10 Jun 69 04:00:00 GMT", BAD },		/* 1969, not 2069 */
	{ "Tue, 10 Jun 103 04:00:00 GMT", 1055217600 },	/* RFC 2822 three-digit year */
	{ "Tuesday, 10 June 2003 04:00:00 GMT", 1055217600 },
	{ "Tuesday, 10-Jun-03 04:00:00 GMT", 1055217600 },	/* RFC 850 */
	{ "Tue,10 Jun 2003 04:00:00 GMT", 1055217600 },
	{ "Tue 10 Jun 2003 04:00:00 GMT", 1055217600 },
	{ "Tue, 10 Jun 2003 4:00:00 GMT", 1055217600 },
	{ "Tue, 3 Jun 2003 04:00:00 GMT", 1054612800 },
	{ "Tue., 10. Jun. 2003 04:00:00 GMT", 1055217600 },
	{ "Tue, 10-Jun-2003 04:00:00 GMT", 1055217600 },
	{ "TUE, 10 JUN 2003 04:00:00 GMT", 1055217600 },
	{ "Tue, 10 Sept 2003 04:00:00 GMT", 1063166400 },
	{ "Wed, 10 Jun 2003 04:00:00 GMT", 1055217600 },	/* a wrong weekday is ignored */
	{ "Tue, 10 Jun 2003 04:00:00", 1055217600 },		/* no zone: UTC */
	{ "Tue, 10 Jun 2003 04:00:00.123 GMT", 1055217600 },
	{ "Jun 10 2003 04:00:00 GMT", 1055217600 },
	{ "Jun 10, 2003 04:00:00 GMT", 1055217600 },
	{ "June 10th, 2003", 1055203200 },
	{ "10 June 2003", 1055203200 },
	{ "Tue Jun 10 04:00:00 2003", 1055217600 },		/* asctime */
	{ "Tue Jun 10 04:00:00 2003\n", 1055217600 },		/* ctime */
	{ "  \t Tue, 10 Jun 2003 04:00:00 GMT \r\n", 1055217600 },
	{ "Tue, 10 Jun 2003 04:00:00 +05:30", 1055197800 },
	{ "Tue, 10 Jun 2003 04:00:00 +0530", 1055197800 },
	{ "Tue, 10 Jun 2003 04:00:00 -0800", 1055246400 },
	{ "Tue, 10 Jun 2003 04:00:00 +5", 1055199600 },
	{ "Tue, 10 Jun 2003 04:00:00 +05", 1055199600 },
	{ "Tue, 10 Jun 2003 04:00:00 GMT+5", 1055199600 },
	{ "Tue, 10 Jun 2003 04:00:00 GMT+05:30", 1055197800 },
	{ "Tue, 10 Jun 2003 04:00:00 UTC-08:00", 1055246400 },
	{ "Tue, 10 Jun 2003 04:00:00 +1400", 1055167200 },
	{ "Tue, 10 Jun 2003 04:00:00 -2359", 1055303940 },
	{ "Tue, 10 Jun 2003 04:00:00 -0800 (PST)", 1055246400 },
	{ "Tue, 10 Jun 2003 04:00:00 -0800 PST", 1055246400 },	/* the number beats the name */
	{ "Tue, 10 Jun 2003 04:00:00 +0000 (Coordinated (Universal) Time)", 1055217600 },
	{ "Tue, 10 Jun 2003 04:00:00 EDT", 1055232000 },
	{ "Tue, 10 Jun 2003 04:00:00 CST", 1055239200 },	/* US Central, not China */
	{ "Tue, 10 Jun 2003 04:00:00 CDT", 1055235600 },
	{ "Tue, 10 Jun 2003 04:00:00 MST", 1055242800 },
	{ "Tue, 10 Jun 2003 04:00:00 MDT", 1055239200 },
	{ "Tue, 10 Jun 2003 04:00:00 PST", 1055246400 },
	{ "Tue, 10 Jun 2003 04:00:00 PDT", 1055242800 },
	{ "Tue, 10 Jun 2003 04:00:00 AST", 1055232000 },
	{ "Tue, 10 Jun 2003 04:00:00 ADT", 1055228400 },
	{ "Tue, 10 Jun 2003 04:00:00 A", 1055217600 },		/* military letters: RFC 2822 4.3, UTC */
	{ "Tue, 10 Jun 2003 04:00:00 N", 1055217600 },
	{ "Tue, 10 Jun 2003 04:00:00 J", BAD },			/* J is not a zone */
	{ "Tue, 10 Jun 2003 04:00:00 CET", 1055214000 },
	{ "Tue, 10 Jun 2003 04:00:00 CEST", 1055210400 },
	{ "Tue, 10 Jun 2003 04:00:00 BST", 1055214000 },
	{ "Tue, 10 Jun 2003 04:00:00 IST", 1055197800 },	/* India */
	{ "Tue, 10 Jun 2003 04:00:00 JST", 1055185200 },
	{ "Tue, 10 Jun 2003 04:00:00 AEDT", 1055178000 },
	{ "Tue, 10 Jun 2003 04:00:00 NZST", 1055174400 },
	{ "Tue, 10 Jun 2003 04:00:00 HKT", 1055188800 },
	{ "Tue, 10 Jun 2003 04:00:00 MSK", 1055206800 },
	{ "Tue, 10 Jun 2003 04:00:00 XYZ", BAD },		/* unknown zone: no guess */
	{ "Tue Jun 10 2003 06:00:00 GMT+0200 (Central European Summer Time)", 1055217600 },	/* JavaScript */
	{ "Tuesday, June 10, 2003 - 04:00", 1055217600 },	/* Drupal */
	{ "Tue, 10 Jun 2003 04:00:00 Europe/Berlin", BAD },
	{ "Jun 10, 2003 4:00 PM", 1055260800 },
	{ "Jun 10, 2003 at 4:05 p.m. EST", 1055279100 },
	{ "Jun 10, 2003 12:00 AM", 1055203200 },
	{ "Jun 10, 2003 12:00 PM", 1055246400 },
	{ "Jun 10, 2003 13:00 PM", BAD },
	{ "Tue, 10 Jun 2003 24:00:00 GMT", 1055289600 },	/* the next day's midnight */
	{ "Tue, 10 Jun 2003 24:00:01 GMT", BAD },
	{ "Sat, 31 Dec 2016 23:59:60 GMT", 1483228799 },	/* leap second clamps to :59 */

	/* RFC 3339, ISO 8601, W3C-DTF */
	{ "2003-06-10T04:00:00Z", 1055217600 },
	{ "2003-06-10t04:00:00z", 1055217600 },
	{ "2003-06-10 04:00:00Z", 1055217600 },
	{ "2003-06-10 04:00:00", 1055217600 },
	{ "2003-06-10T04:00:00.123+02:00", 1055210400 },
	{ "2003-06-10T04:00:00,999+02:00", 1055210400 },	/* fractions are dropped, not rounded */
	{ "2003-06-10T04:00:00.000000000000000000000000001Z", 1055217600 },
	{ "2003-06-10T04:00:00+0200", 1055210400 },
	{ "2003-06-10T04:00:00 +02:00", 1055210400 },
	{ "2003-06-10T04:00:00-07:00", 1055242800 },
	{ "2003-06-10T04:00Z", 1055217600 },
	{ "2003-06-10 04:00:00 UTC", 1055217600 },
	{ "2003-06-10T04:00:00 EST", 1055235600 },
	{ "2003-06-10", 1055203200 },
	{ "2003-06", 1054425600 },
	{ "2003", 1041379200 },
	{ "2003/06/10 04:00:00", 1055217600 },
	{ "20030610T040000Z", 1055217600 },
	{ "20030610T0400Z", 1055217600 },
	{ "20030610", 1055203200 },
	{ "2003-161", 1055203200 },				/* ordinal */
	{ "2003161", 1055203200 },
	{ "2004-366", 1104451200 },
	{ "2003-366", BAD },
	{ "2003-W24-2", 1055203200 },				/* ISO week */
	{ "2003W242", 1055203200 },
	{ "2004-W53-7", 1104624000 },
	{ "2009-W01-1T04:00:00Z", 1230523200 },
	{ "2003-W53-1", BAD },
	{ "2003-06-10T24:00:00Z", 1055289600 },
	{ "2003-12-31T23:00:00-01:00", 1072915200 },		/* the offset crosses a year */
	{ "2003-01-01T00:30+01:00", 1041377400 },
	{ "2000-02-29T00:00:00Z", 951782400 },
	{ "2000-03-01T00:00:00Z", 951868800 },
	{ "2100-03-01T00:00:00Z", 4107542400 },
	{ "2038-01-19T03:14:08Z", 2147483648 },
	{ "1972-12-31T23:59:60Z", 94694399 },
	{ "1970-01-01T00:00:00Z", 0 },
	{ "1970-01-01T01:00:00+01:00", 0 },
	{ "9999-12-31T23:59:59Z", DATE_MAX },
	{ "9999-12-31T23:59:60Z", DATE_MAX },
	{ "9999-12-31T23:59:59+00:01", 253402300739 },

	/* out of range, garbage and hostile input */
	{ "", BAD },
	{ "   ", BAD },
	{ "garbage", BAD },
	{ "Tue", BAD },
	{ "Tue, 10 Jun", BAD },					/* no year */
	{ "Jun 2003", BAD },					/* no day */
	{ "Tue, 10 Foo 2003 04:00:00 GMT", BAD },
	{ "Tue, 32 Jun 2003 04:00:00 GMT", BAD },
	{ "Tue, 31 Jun 2003 04:00:00 GMT", BAD },
	{ "Tue, 10 Jun 2003 25:00:00 GMT", BAD },
	{ "Tue, 10 Jun 2003 04:60:00 GMT", BAD },
	{ "Tue, 10 Jun 2003 04:00:61 GMT", BAD },
	{ "Tue, 10 Jun 2003 04:0:00 GMT", BAD },
	{ "Tue, 10 Jun 2003 04:00:00 +2400", BAD },		/* offsets are under a day */
	{ "Tue, 10 Jun 2003 04:00:00 +0060", BAD },
	{ "Tue, 10 Jun 2003 04:00:00 +123456", BAD },
	{ "Tue, 10 Jun 2003 04:00:00 GMT GMT", BAD },
	{ "Tue, 10 Jun 2003 04:00:00 -0800 +0000", BAD },
	{ "Tue, 10 Jun 2003 04:00:00 +0000 (unclosed", BAD },
	{ "Tue, 10 Jun 2003 04:00:00 2004", BAD },
	{ "Tue, 10 Jun 2003 04:00:00 GMT ; junk", BAD },
	{ "Tue, 10 Jun 1969 23:59:59 GMT", BAD },
	{ "Thu, 01 Jan 1970 00:00:00 +0001", BAD },		/* 1969-12-31T23:59 UTC */
	{ "Tue, 10 Jun 99999999999999999999 04:00:00 GMT", BAD },
	{ "Tue, 99999999999999999999 Jun 2003 04:00:00 GMT", BAD },
	{ "Tue, 10 Jun 2003 99999999999999999999:00:00 GMT", BAD },
	{ "Tue, 10 Jun 2003 04:00:00 +99999999999999999999", BAD },
	{ "2003-13-10", BAD },
	{ "2003-00-10", BAD },
	{ "2003-02-29", BAD },
	{ "2004-02-30", BAD },
	{ "2003-06-32", BAD },
	{ "2003-06-10T25:00:00Z", BAD },
	{ "2003-06-10T24:00:01Z", BAD },
	{ "2003-06-10T24:00:00.5Z", BAD },
	{ "2003-06-10T04:00:00+24:00", BAD },
	{ "2003-06-10T04:00:00+02:60", BAD },
	{ "2003-06-10T04:00:00Zjunk", BAD },
	{ "2003-06-10T04:00:00Z 2003", BAD },
	{ "2003-06-10T", BAD },
	{ "2003-06-10T04", BAD },
	{ "2003-06T04:00:00Z", BAD },
	{ "2003-06-10T04:00:00+", BAD },
	{ "2003-06-10T99999999999999999999:00Z", BAD },
	{ "2003-0610", BAD },
	{ "2003.5", BAD },
	{ "2003/06", BAD },
	{ "2003/06-10", BAD },
	{ "200306", BAD },
	{ "0000-00-00", BAD },
	{ "0000-01-01T00:00:00Z", BAD },
	{ "1969-12-31T23:59:59Z", BAD },
	{ "1970-01-01T00:00:00+00:01", BAD },
	{ "-2003-06-10", BAD },
	{ "-0001-01-01T00:00:00Z", BAD },
	{ "10000-01-01T00:00:00Z", BAD },
	{ "9999-12-31T23:59:59-00:01", BAD },
	{ "99999999999999999999-01-01", BAD },
	{ "1055217600", BAD },					/* a bare epoch is not a date */
	{ "2003-06-10T04:00:00Z\x01", BAD },
	{ "Tue, 10 Jun 2003 04:00:00 GMT\xc2\xa0", BAD },	/* a no-break space is not white space here */
};

static void
test_date_parse_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
		const struct date_case *c = &parse_cases[i];
		int64_t t = -12345;
		int r = date_parse(c->in, &t);

		if (c->want == BAD) {
			if (r != -EINVAL || t != -12345)
				fail_msg("\"%s\": want -EINVAL and *ret_t untouched, got %d and %lld",
				    c->in, r, (long long)t);
		} else if (r != 0 || t != c->want) {
			fail_msg("\"%s\": want %lld, got %d and %lld", c->in, (long long)c->want, r,
			    (long long)t);
		}
	}
}

static void
test_date_rfc822_and_rfc3339_agree(void **state)
{
	int64_t a, b;

	(void)state;
	assert_int_equal(date_parse("Tue, 10 Jun 2003 04:00:00 GMT", &a), 0);
	assert_int_equal(date_parse("2003-06-10T09:00:00+05:00", &b), 0);
	assert_int_equal(a, 1055217600);
	assert_int_equal(b, a);
}

static void
test_date_parse_rejects_null(void **state)
{
	int64_t t;

	(void)state;
	assert_int_equal(date_parse(NULL, &t), -EINVAL);
	assert_int_equal(date_parse_format(NULL, "%Y", &t), -EINVAL);
	assert_int_equal(date_parse_format("2003", NULL, &t), -EINVAL);
}

/* fill: the 1 MB body; prefix/suffix around it. */
static char *
make_huge(const char *prefix, char fill, const char *suffix)
{
	size_t lp = strlen(prefix), ls = strlen(suffix);
	char *s = malloc(lp + HUGE_LEN + ls + 1);

	assert_non_null(s);
	memcpy(s, prefix, lp);
	memset(s + lp, fill, HUGE_LEN);
	memcpy(s + lp + HUGE_LEN, suffix, ls + 1);
	return s;
}

static void
test_date_parse_survives_huge_input(void **state)
{
	static const struct {
		const char	*prefix;
		char		 fill;
		const char	*suffix;
		int64_t		 want;
	} cases[] = {
		{ "", '1', "", BAD },
		{ "2003-06-10T04:00:00.", '5', "Z", 1055217600 },
		{ "", ' ', "Tue, 10 Jun 2003 04:00:00 GMT", 1055217600 },
		{ "Tue, 10 Jun 2003 04:00:00 GMT", ' ', "", 1055217600 },
		{ "Tue, 10 Jun 2003 04:00:00 GMT (", '(', "", BAD },
		{ "Tue, 10 Jun 2003 04:00:00 GMT ", 'x', "", BAD },
		{ "", '-', "", BAD },
		{ "", ',', "10 Jun 2003", 1055203200 },
		{ "Tue, 10 Jun 2003 04:00:00 +", '0', "", BAD },
		{ "", 'Z', "", BAD },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *s = make_huge(cases[i].prefix, cases[i].fill, cases[i].suffix);
		int64_t t = -1;
		int r = date_parse(s, &t);

		if (cases[i].want == BAD)
			assert_int_equal(r, -EINVAL);
		else
			assert_true(r == 0 && t == cases[i].want);
		r = date_parse_format(s, "%Y-%m-%d", &t);
		assert_int_equal(r, -EINVAL);
		free(s);
	}
}

struct format_case {
	const char	*in;
	const char	*fmt;
	int64_t		 want;
};

static const struct format_case format_cases[] = {
	{ "10 June 2003", "%d %B %Y", 1055203200 },
	{ "10 Jun 2003", "%d %B %Y", 1055203200 },	/* either name form, like strptime */
	{ "  10   june\t2003 ", "%d %B %Y", 1055203200 },
	{ "10June2003", "%d %B %Y", 1055203200 },	/* white space matches a run, even an empty one */
	{ "June 2003", "%B %Y", 1054425600 },		/* no day: the first */
	{ "2003", "%Y", 1041379200 },
	{ "20030610", "%Y%m%d", 1055203200 },
	{ "06/10/2003", "%m/%d/%Y", 1055203200 },
	{ "10.06.03", "%d.%m.%y", 1055203200 },
	{ "10.06.99", "%d.%m.%y", 928972800 },
	{ "Tuesday, June 10, 2003 - 2:30 PM", "%A, %B %d, %Y - %I:%M %p", 1055255400 },
	{ "Tue Jun 10 2003 02:30 am", "%a %b %d %Y %I:%M %p", 1055212200 },
	{ "12:00 AM 10/06/2003", "%I:%M %p %d/%m/%Y", 1055203200 },
	{ "Jun  3 2003", "%b %e %Y", 1054598400 },
	{ "2003-06-10 04:00:00 +0200", "%Y-%m-%d %H:%M:%S %z", 1055210400 },
	{ "2003-06-10 04:00:00 +02:00", "%Y-%m-%d %H:%M:%S %z", 1055210400 },
	{ "2003-06-10 04:00:00 Z", "%Y-%m-%d %H:%M:%S %z", 1055217600 },
	{ "2003-06-10 04:00:00 PDT", "%Y-%m-%d %H:%M:%S %Z", 1055242800 },
	{ "2003.161", "%Y.%j", 1055203200 },
	{ "100% 2003", "100%% %Y", 1041379200 },
	{ "Posted on 10 Jun 2003", "Posted on %d %b %Y", 1055203200 },
	{ "2003-06-10 23:59:60", "%Y-%m-%d %H:%M:%S", 1055289599 },
	/* rejected */
	{ "10 June", "%d %B", BAD },			/* no year */
	{ "10 Juin 2003", "%d %B %Y", BAD },		/* English names only */
	{ "10 June 2003 extra", "%d %B %Y", BAD },
	{ "10 June 2003", "%d %B %Y extra", BAD },
	{ "posted 10 June 2003", "Posted %d %B %Y", BAD },
	{ "31/06/2003", "%d/%m/%Y", BAD },
	{ "13/31/2003", "%m/%d/%Y", BAD },
	{ "2003-06-10 25:00", "%Y-%m-%d %H:%M", BAD },
	{ "13:00 PM 10/06/2003", "%I:%M %p %d/%m/%Y", BAD },
	{ "2003-06-10 +2400", "%Y-%m-%d %z", BAD },
	{ "2003-06-10 XYZ", "%Y-%m-%d %Z", BAD },
	{ "Mon 10 Jun 2003", "%d %b %Y", BAD },
	{ "Blursday 10 Jun 2003", "%a %d %b %Y", BAD },
	{ "2003.161 06", "%Y.%j %m", BAD },		/* %j beside a month */
	{ "2003", "%Y%", BAD },
	{ "2003", "%Y%Q", BAD },
	{ "1969", "%Y", BAD },
	{ "10000", "%Y", BAD },
	{ "", "", BAD },
};

static void
test_date_parse_format_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(format_cases) / sizeof(format_cases[0]); i++) {
		const struct format_case *c = &format_cases[i];
		int64_t t = -12345;
		int r = date_parse_format(c->in, c->fmt, &t);

		if (c->want == BAD) {
			if (r != -EINVAL || t != -12345)
				fail_msg("\"%s\" by \"%s\": want -EINVAL, got %d and %lld", c->in, c->fmt,
				    r, (long long)t);
		} else if (r != 0 || t != c->want) {
			fail_msg("\"%s\" by \"%s\": want %lld, got %d and %lld", c->in, c->fmt,
			    (long long)c->want, r, (long long)t);
		}
	}
}

static void
test_date_format_writes_fixed_forms(void **state)
{
	static const struct {
		int64_t		 t;
		const char	*rfc3339;
		const char	*rfc822;
	} cases[] = {
		{ 0, "1970-01-01T00:00:00Z", "Thu, 01 Jan 1970 00:00:00 +0000" },
		{ 1055217600, "2003-06-10T04:00:00Z", "Tue, 10 Jun 2003 04:00:00 +0000" },
		{ 951782400, "2000-02-29T00:00:00Z", "Tue, 29 Feb 2000 00:00:00 +0000" },
		{ 4107542399, "2100-02-28T23:59:59Z", "Sun, 28 Feb 2100 23:59:59 +0000" },
		{ DATE_MAX, "9999-12-31T23:59:59Z", "Fri, 31 Dec 9999 23:59:59 +0000" },
	};
	char a[DATE_RFC3339_LEN], b[DATE_RFC822_LEN];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		date_format_rfc3339(cases[i].t, a);
		date_format_rfc822(cases[i].t, b);
		assert_string_equal(a, cases[i].rfc3339);
		assert_string_equal(b, cases[i].rfc822);
	}
}

/* Format then parse gives back the same second, for the edges and a deterministic spread between. */
static void
test_date_format_then_parse_round_trips(void **state)
{
	static const int64_t edges[] = {
		DATE_MIN, 1, 59, 86399, 86400, 951782399, 951782400, 951868800, 1055217600,
		2147483647, 2147483648, 4107542399, 4107542400, DATE_MAX - 1, DATE_MAX,
	};
	char a[DATE_RFC3339_LEN], b[DATE_RFC822_LEN];
	uint64_t x = 88172645463325252u;
	int64_t t, ta, tb;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(edges) / sizeof(edges[0]) + 200000; i++) {
		if (i < sizeof(edges) / sizeof(edges[0])) {
			t = edges[i];
		} else {
			x ^= x << 13;	/* xorshift64 */
			x ^= x >> 7;
			x ^= x << 17;
			t = (int64_t)(x % ((uint64_t)DATE_MAX + 1));
		}
		date_format_rfc3339(t, a);
		date_format_rfc822(t, b);
		if (date_parse(a, &ta) != 0 || ta != t || date_parse(b, &tb) != 0 || tb != t)
			fail_msg("%lld: \"%s\" and \"%s\" do not read back", (long long)t, a, b);
	}
}

/* Written out longhand on purpose, unlike date.c's table. */
static int
month_len(int y, int m)
{
	if (m == 2)
		return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 ? 29 : 28;
	return m == 4 || m == 6 || m == 9 || m == 11 ? 30 : 31;
}

/* Consecutive days format to consecutive calendar dates, 1970 to 9999: the calendar has no holes. */
static void
test_date_calendar_is_continuous(void **state)
{
	char prev[DATE_RFC3339_LEN], cur[DATE_RFC3339_LEN];
	int64_t day;

	(void)state;
	date_format_rfc3339(0, prev);
	for (day = 1; day * 86400 <= DATE_MAX; day++) {
		int y0, m0, d0, y1, m1, d1;

		date_format_rfc3339(day * 86400, cur);
		assert_int_equal(sscanf(prev, "%d-%d-%d", &y0, &m0, &d0), 3);
		assert_int_equal(sscanf(cur, "%d-%d-%d", &y1, &m1, &d1), 3);
		if (!((y1 == y0 && m1 == m0 && d1 == d0 + 1) ||
		    (y1 == y0 && m1 == m0 + 1 && d1 == 1 && d0 == month_len(y0, m0)) ||
		    (y1 == y0 + 1 && m1 == 1 && d1 == 1 && m0 == 12 && d0 == 31)))
			fail_msg("%s is followed by %s", prev, cur);
		memcpy(prev, cur, sizeof(cur));
	}
	assert_string_equal(cur, "9999-12-31T00:00:00Z");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_date_parse_table),
		cmocka_unit_test(test_date_rfc822_and_rfc3339_agree),
		cmocka_unit_test(test_date_parse_rejects_null),
		cmocka_unit_test(test_date_parse_survives_huge_input),
		cmocka_unit_test(test_date_parse_format_table),
		cmocka_unit_test(test_date_format_writes_fixed_forms),
		cmocka_unit_test(test_date_format_then_parse_round_trips),
		cmocka_unit_test(test_date_calendar_is_continuous),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
