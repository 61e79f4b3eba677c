/* date.c - feed dates to UTC seconds, with our own calendar arithmetic: no clock, TZ or locale. */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "date.h"

#define DIGITS_HUGE	1000000000	/* what a run of ten or more digits reads as: too big for any field */
#define OFFSET_MAX	(24 * 60 - 1)	/* minutes; a zone offset of a whole day or more is junk */
#define WORD_MAX	9		/* letters in the longest name we know ("september", "wednesday") */
#define SECS_PER_DAY	86400

/* One date as read, before it is checked and turned into seconds. */
struct fields {
	int	year;	/* full year, 2003; -1 while unknown */
	int	ydigits;	/* digits the year was written with: 2 or 3 is an obsolete short year */
	int	mon;	/* 1..12; -1 while unknown */
	int	day;	/* 1..31; -1 while unknown */
	int	hour;	/* 0..24; 24 only as 24:00:00, the end of the day */
	int	min;
	int	sec;	/* 0..60; 60, a leap second, is read as 59 */
	int	off;	/* minutes east of UTC */
	bool	frac;	/* a non-zero fraction of a second was written (it is dropped, never rounded up) */
};

/* A named zone: minutes east of UTC. */
struct zone {
	const char	*name;	/* lower case */
	int		 min;
};

/*
 * Abbreviations feeds write. RFC 822 defines UT, GMT, Z and the North American ones; the rest are
 * the common ones. Several are ambiguous and we pick one reading: CST is US Central (RFC 822), not
 * China; IST is India (+0530), not Irish or Israel time; AST is Atlantic, not Arabia; BST is British
 * Summer Time. A name not listed here makes the date unreadable: a wrong zone is worse than none.
 */
static const struct zone zones[] = {
	{ "ut", 0 }, { "utc", 0 }, { "gmt", 0 }, { "z", 0 }, { "wet", 0 }, { "west", 60 },
	{ "bst", 60 }, { "ist", 330 }, { "cet", 60 }, { "cest", 120 }, { "met", 60 }, { "mest", 120 },
	{ "eet", 120 }, { "eest", 180 }, { "msk", 180 }, { "wat", 60 }, { "cat", 120 }, { "sast", 120 },
	{ "eat", 180 }, { "pkt", 300 }, { "ict", 420 }, { "wib", 420 }, { "hkt", 480 }, { "sgt", 480 },
	{ "pht", 480 }, { "awst", 480 }, { "jst", 540 }, { "kst", 540 }, { "acst", 570 }, { "acdt", 630 },
	{ "aest", 600 }, { "aedt", 660 }, { "nzst", 720 }, { "nzdt", 780 },
	{ "est", -300 }, { "edt", -240 }, { "cst", -360 }, { "cdt", -300 }, { "mst", -420 }, { "mdt", -360 },
	{ "pst", -480 }, { "pdt", -420 }, { "akst", -540 }, { "akdt", -480 }, { "hst", -600 },
	{ "ast", -240 }, { "adt", -180 }, { "nst", -210 }, { "ndt", -150 }, { "brt", -180 }, { "art", -180 },
};

static const char *const month_names[12] = {
	"january", "february", "march", "april", "may", "june",
	"july", "august", "september", "october", "november", "december",
};
static const char *const wday_names[7] = {
	"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
};
static const char month_abbr[12][4] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
};
static const char wday_abbr[7][4] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };

/* Our own character classes: the <ctype.h> ones follow the locale. */
static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool
is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static char
to_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static const char *
skip_space(const char *p)
{
	while (is_space(*p))
		p++;
	return p;
}

static bool
is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
days_in_month(int y, int m)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* The inverse of days_from_civil(). */
static void
civil_from_days(int64_t z, int *ret_y, int *ret_m, int *ret_d)
{
	int64_t era, doe, yoe, doy, mp, y;
	int m;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	m = (int)(mp < 10 ? mp + 3 : mp - 9);
	y = yoe + era * 400 + (m <= 2);
	*ret_y = (int)y;
	*ret_m = m;
	*ret_d = (int)(doy - (153 * mp + 2) / 5 + 1);
}

/* Reads at most max digits; returns how many. Past nine digits the value sticks at DIGITS_HUGE. */
static size_t
read_digits(const char **pp, size_t max, int *ret_v)
{
	const char *p = *pp;
	size_t n = 0;
	int v = 0;

	while (n < max && is_digit(*p)) {
		v = n < 9 ? v * 10 + (*p - '0') : DIGITS_HUGE;
		n++;
		p++;
	}
	*pp = p;
	*ret_v = v;
	return n;
}

/* Reads a run of letters; returns its length (the whole run is consumed, however long). */
static size_t
read_word(const char **pp, const char **ret_w)
{
	const char *p = *pp;

	*ret_w = p;
	while (is_alpha(*p))
		p++;
	*pp = p;
	return (size_t)(p - *ret_w);
}

/* Whether the n letters at w, in any case, are name (lower case), or with min > 0 a prefix of it min long or more. */
static bool
word_matches(const char *w, size_t n, const char *name, size_t min)
{
	size_t i;

	/* Called for every word against every name, so it stops at the first letter that differs. */
	for (i = 0; i < n; i++)
		if (name[i] == '\0' || to_lower(w[i]) != name[i])
			return false;
	return min > 0 ? n >= min : name[n] == '\0';
}

/* 1..12 for a month name or its abbreviation ("Jun", "June", "Sept"), or -1. */
static int
month_lookup(const char *w, size_t n)
{
	int i;

	for (i = 0; i < 12; i++)
		if (word_matches(w, n, month_names[i], 3))
			return i + 1;
	return -1;
}

static bool
is_wday(const char *w, size_t n)
{
	int i;

	for (i = 0; i < 7; i++)
		if (word_matches(w, n, wday_names[i], 3))
			return true;
	return false;
}

/*
 * Minutes east of UTC for a zone name. A single letter is a military zone: RFC 822 got their
 * signs backwards, so senders disagree on what they mean, and RFC 2822 section 4.3 says to read
 * them all as -0000; we take them as UTC (Z is UTC anyway). J, "local time", is not a zone.
 */
static int
zone_lookup(const char *w, size_t n, int *ret_min)
{
	size_t i;

	if (n == 1 && to_lower(w[0]) != 'j') {
		*ret_min = 0;
		return 0;
	}
	for (i = 0; i < sizeof(zones) / sizeof(zones[0]); i++) {
		if (word_matches(w, n, zones[i].name, 0)) {
			*ret_min = zones[i].min;
			return 0;
		}
	}
	return -EINVAL;
}

/* Reads "+hh", "+h", "+hhmm", "+hmm" or "+hh:mm" (or '-') into minutes east of UTC. */
static int
read_offset(const char **pp, int *ret_min)
{
	const char *p = *pp;
	int sign = *p == '-' ? -1 : 1, v, h, m = 0;
	size_t n;

	p++;
	n = read_digits(&p, SIZE_MAX, &v);
	if (n == 0)
		return -EINVAL;
	if (*p == ':' && n <= 2) {
		p++;
		h = v;
		if (read_digits(&p, SIZE_MAX, &m) != 2)
			return -EINVAL;
	} else if (n <= 2) {
		h = v;
	} else if (n <= 4) {
		h = v / 100;
		m = v % 100;
	} else {
		return -EINVAL;
	}
	if (m > 59 || h * 60 + m > OFFSET_MAX)
		return -EINVAL;
	*pp = p;
	*ret_min = sign * (h * 60 + m);
	return 0;
}

/* Skips a fraction of a second (".123", and ",123" where the comma cannot be a separator). */
static const char *
skip_fraction(const char *p, bool comma, struct fields *f)
{
	if ((*p == '.' || (comma && *p == ',')) && is_digit(p[1])) {
		for (p++; is_digit(*p); p++)
			if (*p != '0')
				f->frac = true;
	}
	return p;
}

/* Reads "MM[:SS[.fff]]", what follows "HH:". */
static int
read_time_rest(const char **pp, bool comma, struct fields *f)
{
	const char *p = *pp;

	if (read_digits(&p, SIZE_MAX, &f->min) != 2)
		return -EINVAL;
	if (*p == ':') {
		p++;
		if (read_digits(&p, SIZE_MAX, &f->sec) != 2)
			return -EINVAL;
		p = skip_fraction(p, comma, f);
	}
	*pp = p;
	return 0;
}

/* Sets year, month and day from days since 1970 (for ISO week and ordinal dates). */
static void
fields_set_days(struct fields *f, int64_t days)
{
	civil_from_days(days, &f->year, &f->mon, &f->day);
}

/* Checks every field and turns them into UTC seconds. */
static int
fields_to_time(const struct fields *f, int64_t *ret_t)
{
	int64_t t;
	int sec = f->sec;

	if (f->year < 1 || f->year > 9999 || f->mon < 1 || f->mon > 12 ||
	    f->day < 1 || f->day > days_in_month(f->year, f->mon))
		return -EINVAL;
	if (f->hour < 0 || f->hour > 24 || f->min < 0 || f->min > 59 || sec < 0 || sec > 60)
		return -EINVAL;
	/* 24:00:00 is the end of the day, which is the next day's 00:00:00. */
	if (f->hour == 24 && (f->min != 0 || sec != 0 || f->frac))
		return -EINVAL;
	if (f->off < -OFFSET_MAX || f->off > OFFSET_MAX)
		return -EINVAL;
	/* Leap seconds: we count none, so 23:59:60 stays within its minute. */
	if (sec == 60)
		sec = 59;
	t = days_from_civil(f->year, f->mon, f->day) * SECS_PER_DAY +
	    f->hour * 3600 + f->min * 60 + sec - (int64_t)f->off * 60;
	if (t < DATE_MIN || t > DATE_MAX)
		return -EINVAL;
	*ret_t = t;
	return 0;
}

/* Monday of ISO week 1 of year y: the week holding January 4th. */
static int64_t
iso_week1(int y)
{
	int64_t jan4 = days_from_civil(y, 1, 4);

	/* 1970-01-01 was a Thursday: (days + 3) % 7 is 0 on Mondays. */
	return jan4 - ((jan4 + 3) % 7 + 7) % 7;
}

/* ISO week date: week w (1..52 or 53) and ISO weekday d (1 Monday .. 7 Sunday) of year y. */
static int
fields_set_week(struct fields *f, int y, int w, int d)
{
	int64_t w1 = iso_week1(y), last;

	if (y < 1 || w < 1 || d < 1 || d > 7)
		return -EINVAL;
	/* December 28th always lies in the year's last week. */
	last = (days_from_civil(y, 12, 28) - w1) / 7 + 1;
	if (w > last)
		return -EINVAL;
	fields_set_days(f, w1 + (int64_t)(w - 1) * 7 + (d - 1));
	return 0;
}

static int
fields_set_ordinal(struct fields *f, int y, int yday)
{
	if (y < 1 || yday < 1 || yday > (is_leap(y) ? 366 : 365))
		return -EINVAL;
	fields_set_days(f, days_from_civil(y, 1, 1) + yday - 1);
	return 0;
}

/* After "YYYY-W" or "YYYYW": "ww[-d]" (extended) or "ww[d]" (basic). */
static int
read_week(const char **pp, int y, bool extended, struct fields *f)
{
	const char *p = *pp;
	int w, d = 1;
	size_t n;

	n = read_digits(&p, SIZE_MAX, &w);
	if (n == 3 && !extended) {
		d = w % 10;
		w /= 10;
	} else if (n != 2) {
		return -EINVAL;
	} else if (extended && *p == '-') {
		p++;
		if (read_digits(&p, SIZE_MAX, &d) != 1)
			return -EINVAL;
	}
	*pp = p;
	return fields_set_week(f, y, w, d);
}

/*
 * ISO 8601 as feeds use it: RFC 3339, W3C-DTF ("2003", "2003-06", "2003-06-10" with or without a
 * time), the basic format ("20030610T040000Z"), ordinal and week dates, and the usual liberties
 * (t and z in lower case, a space for T, '/' or '.' between date fields, a zone name, no zone).
 */
static int
parse_iso(const char *p, struct fields *f)
{
	bool full = true;	/* a whole date was written, so a time may follow */
	int v, h;
	size_t n;
	char sep;
	int r;

	n = read_digits(&p, SIZE_MAX, &v);
	f->mon = 1;
	f->day = 1;
	f->ydigits = 4;
	if (n == 8) {
		f->year = v / 10000;
		f->mon = v / 100 % 100;
		f->day = v % 100;
	} else if (n == 7) {
		r = fields_set_ordinal(f, v / 1000, v % 1000);
		if (r < 0)
			return r;
	} else if (n != 4) {
		return -EINVAL;
	} else if (*p == 'W' || *p == 'w') {
		p++;
		r = read_week(&p, v, false, f);
		if (r < 0)
			return r;
	} else if ((p[0] == '-') && (p[1] == 'W' || p[1] == 'w')) {
		p += 2;
		r = read_week(&p, v, true, f);
		if (r < 0)
			return r;
	} else if (*p == '-' || *p == '/' || *p == '.') {
		f->year = v;
		sep = *p++;
		n = read_digits(&p, SIZE_MAX, &v);
		if (n == 3 && sep == '-') {
			r = fields_set_ordinal(f, f->year, v);
			if (r < 0)
				return r;
		} else if (n == 1 || n == 2) {
			f->mon = v;
			if (*p == sep) {
				p++;
				n = read_digits(&p, SIZE_MAX, &f->day);
				if (n != 1 && n != 2)
					return -EINVAL;
			} else if (sep == '-') {
				full = false;	/* W3C-DTF "2003-06" */
			} else {
				return -EINVAL;
			}
		} else {
			return -EINVAL;
		}
	} else {
		f->year = v;
		full = false;
	}

	if (full && (*p == 'T' || *p == 't' || (is_space(*p) && is_digit(*skip_space(p))))) {
		p = skip_space(p + 1);
		n = read_digits(&p, SIZE_MAX, &h);
		if ((n == 1 || n == 2) && *p == ':') {
			f->hour = h;
			p++;
			r = read_time_rest(&p, true, f);
			if (r < 0)
				return r;
		} else if (n == 4 || n == 6) {
			if (n == 6) {
				f->sec = h % 100;
				h /= 100;
			}
			f->hour = h / 100;
			f->min = h % 100;
			p = skip_fraction(p, true, f);
		} else {
			return -EINVAL;
		}
		p = skip_space(p);
		if (*p == '+' || *p == '-') {
			r = read_offset(&p, &f->off);
			if (r < 0)
				return r;
		} else if (is_alpha(*p)) {
			const char *w;

			n = read_word(&p, &w);
			r = zone_lookup(w, n, &f->off);
			if (r < 0)
				return r;
		}
	}
	p = skip_space(p);
	return *p == '\0' ? 0 : -EINVAL;
}

/* Skips an RFC 822 comment, "(...)", which may nest and hold quoted pairs. */
static int
skip_comment(const char **pp)
{
	const char *p = *pp;
	size_t depth = 0;

	do {
		if (*p == '\0')
			return -EINVAL;
		if (*p == '\\' && p[1] != '\0')
			p++;
		else if (*p == '(')
			depth++;
		else if (*p == ')')
			depth--;
		p++;
	} while (depth > 0);
	*pp = p;
	return 0;
}

/*
 * RFC 822/1123/2822 and what publishers make of them, read as a sequence of tokens: names (month,
 * weekday, zone, AM/PM), numbers (day, year), a time "H:MM[:SS]" and a numeric offset. The order is
 * free enough for "Tue, 10 Jun 2003 04:00:00 GMT", "Jun 10 2003 4:00 PM", RFC 850's
 * "Tuesday, 10-Jun-03 04:00:00 GMT" and asctime's "Tue Jun 10 04:00:00 2003". The weekday is not
 * checked against the date: publishers get it wrong more often than the date.
 */
static int
parse_loose(const char *p, struct fields *f)
{
	bool have_time = false, have_zone = false, have_off = false;
	int ampm = 0;	/* 1 for AM, 2 for PM */
	const char *w;
	size_t n;
	int v, r;

	while (*p != '\0') {
		char c = *p;
		bool date_done = f->day >= 0 && f->mon >= 0 && f->year >= 0;

		if (is_space(c) || c == ',' || c == '.') {
			p++;
		} else if (c == '(') {
			r = skip_comment(&p);
			if (r < 0)
				return r;
		} else if ((c == '+' || c == '-') && is_digit(p[1]) && (have_time || have_zone || date_done)) {
			/* A numeric offset beats a name: "-0500 (EST)", "GMT+0530". */
			if (have_off)
				return -EINVAL;
			r = read_offset(&p, &f->off);
			if (r < 0)
				return r;
			have_off = true;
		} else if (c == '-') {
			p++;	/* "10-Jun-2003" */
		} else if (is_digit(c)) {
			n = read_digits(&p, SIZE_MAX, &v);
			if (*p == ':') {
				if (have_time || n > 2)
					return -EINVAL;
				f->hour = v;
				p++;
				r = read_time_rest(&p, false, f);
				if (r < 0)
					return r;
				have_time = true;
				continue;
			}
			if (is_alpha(*p)) {
				const char *q = p;

				/* An ordinal day: "June 10th, 2003". */
				if (read_word(&q, &w) == 2 && (word_matches(w, 2, "st", 0) ||
				    word_matches(w, 2, "nd", 0) || word_matches(w, 2, "rd", 0) ||
				    word_matches(w, 2, "th", 0))) {
					if (f->day >= 0 || n > 2)
						return -EINVAL;
					f->day = v;
					p = q;
					continue;
				}
			}
			if (n <= 2 && f->day < 0) {
				f->day = v;
			} else if ((n >= 2 && n <= 4) && f->year < 0) {
				f->year = v;
				f->ydigits = (int)n;
			} else {
				return -EINVAL;
			}
		} else if (is_alpha(c)) {
			n = read_word(&p, &w);
			if (n > WORD_MAX)
				return -EINVAL;
			if ((n == 1 && (to_lower(w[0]) == 'a' || to_lower(w[0]) == 'p') &&
			    p[0] == '.' && to_lower(p[1]) == 'm' && !is_alpha(p[2])) ||
			    word_matches(w, n, "am", 0) || word_matches(w, n, "pm", 0)) {
				/* "4:00 PM", "4:00 p.m." */
				if (!have_time || ampm != 0)
					return -EINVAL;
				ampm = to_lower(w[0]) == 'a' ? 1 : 2;
				if (n == 1)
					p += 2;
				continue;
			}
			v = month_lookup(w, n);
			if (v > 0) {
				if (f->mon >= 0)
					return -EINVAL;
				f->mon = v;
			} else if (is_wday(w, n) || word_matches(w, n, "at", 0) || word_matches(w, n, "of", 0)) {
				/* ignored: "Tuesday", "June 10, 2003 at 4:00", "10th of June" */
			} else if (have_time || date_done) {
				int off;

				r = zone_lookup(w, n, &off);
				if (r < 0 || have_zone)
					return -EINVAL;
				if (!have_off)
					f->off = off;
				have_zone = true;
			} else {
				return -EINVAL;
			}
		} else {
			return -EINVAL;
		}
	}

	if (f->day < 0 || f->mon < 0 || f->year < 0)
		return -EINVAL;
	/* RFC 2822 section 4.3: 00-49 are 2000-2049, 50-99 are 1950-1999, three digits add 1900. */
	if (f->ydigits == 2)
		f->year += f->year < 50 ? 2000 : 1900;
	else if (f->ydigits == 3)
		f->year += 1900;
	if (ampm != 0) {
		if (f->hour < 1 || f->hour > 12)
			return -EINVAL;
		f->hour = f->hour % 12 + (ampm == 2 ? 12 : 0);
	}
	return 0;
}

static void
fields_init(struct fields *f)
{
	memset(f, 0, sizeof(*f));
	f->year = -1;
	f->mon = -1;
	f->day = -1;
}

int
date_parse(const char *s, int64_t *ret_t)
{
	struct fields f;
	const char *p;
	size_t n;
	int r;

	if (s == NULL)
		return -EINVAL;
	fields_init(&f);
	p = skip_space(s);
	/* A date that starts with four or more digits is ISO 8601; RFC 822 starts with a name or the day. */
	for (n = 0; n < 4 && is_digit(p[n]); n++)
		;
	r = n == 4 ? parse_iso(p, &f) : parse_loose(p, &f);
	if (r < 0)
		return r;
	return fields_to_time(&f, ret_t);
}

int
date_parse_format(const char *s, const char *fmt, int64_t *ret_t)
{
	struct fields f;
	int yday = -1, hour12 = -1, ampm = 0, v, r;
	const char *w;
	size_t n;
	char c;

	if (s == NULL || fmt == NULL)
		return -EINVAL;
	fields_init(&f);
	s = skip_space(s);
	while (*fmt != '\0') {
		if (is_space(*fmt)) {
			fmt = skip_space(fmt);
			s = skip_space(s);
			continue;
		}
		if (*fmt != '%') {
			if (*s != *fmt)
				return -EINVAL;
			s++;
			fmt++;
			continue;
		}
		c = fmt[1];
		if (c == '\0')
			return -EINVAL;	/* a lone '%' at the end of fmt */
		fmt += 2;
		switch (c) {
		case 'Y':
			if (read_digits(&s, 4, &f.year) == 0)
				return -EINVAL;
			break;
		case 'y':
			if (read_digits(&s, 2, &v) == 0)
				return -EINVAL;
			f.year = v < 50 ? 2000 + v : 1900 + v;
			break;
		case 'm':
			if (read_digits(&s, 2, &f.mon) == 0)
				return -EINVAL;
			break;
		case 'e':
			s = skip_space(s);
			/* fall through */
		case 'd':
			if (read_digits(&s, 2, &f.day) == 0)
				return -EINVAL;
			break;
		case 'j':
			if (read_digits(&s, 3, &yday) == 0)
				return -EINVAL;
			break;
		case 'H':
			if (read_digits(&s, 2, &f.hour) == 0)
				return -EINVAL;
			break;
		case 'I':
			if (read_digits(&s, 2, &hour12) == 0 || hour12 < 1 || hour12 > 12)
				return -EINVAL;
			break;
		case 'M':
			if (read_digits(&s, 2, &f.min) == 0)
				return -EINVAL;
			break;
		case 'S':
			if (read_digits(&s, 2, &f.sec) == 0)
				return -EINVAL;
			break;
		case 'b':
		case 'B':
		case 'h':
			n = read_word(&s, &w);
			f.mon = month_lookup(w, n);
			if (f.mon < 0)
				return -EINVAL;
			break;
		case 'a':
		case 'A':
			n = read_word(&s, &w);
			if (!is_wday(w, n))
				return -EINVAL;
			break;
		case 'p':
			n = read_word(&s, &w);
			if (word_matches(w, n, "am", 0))
				ampm = 1;
			else if (word_matches(w, n, "pm", 0))
				ampm = 2;
			else
				return -EINVAL;
			break;
		case 'z':
			if (*s == 'Z' || *s == 'z') {
				s++;
				f.off = 0;
			} else if (*s == '+' || *s == '-') {
				r = read_offset(&s, &f.off);
				if (r < 0)
					return r;
			} else {
				return -EINVAL;
			}
			break;
		case 'Z':
			n = read_word(&s, &w);
			r = zone_lookup(w, n, &f.off);
			if (r < 0)
				return r;
			break;
		case 'n':
		case 't':
			s = skip_space(s);
			break;
		case '%':
			if (*s != '%')
				return -EINVAL;
			s++;
			break;
		default:
			return -EINVAL;
		}
	}
	s = skip_space(s);
	if (*s != '\0' || f.year < 0)
		return -EINVAL;
	if (yday >= 0) {
		/* %j names the day itself; a month or day beside it could only disagree. */
		if (f.mon >= 0 || f.day >= 0)
			return -EINVAL;
		r = fields_set_ordinal(&f, f.year, yday);
		if (r < 0)
			return r;
	}
	/* A page that gives only "June 2003" means its first day. */
	if (f.mon < 0)
		f.mon = 1;
	if (f.day < 0)
		f.day = 1;
	if (hour12 >= 0)
		f.hour = hour12 % 12 + (ampm == 2 ? 12 : 0);
	return fields_to_time(&f, ret_t);
}

static void
put_num(char *out, int v, int width)
{
	while (width-- > 0) {
		out[width] = (char)('0' + v % 10);
		v /= 10;
	}
}

/* Splits t, clamped to [DATE_MIN, DATE_MAX] so that a caller's mistake cannot overflow, into its parts. */
static void
split_time(int64_t t, int *ret_y, int *ret_m, int *ret_d, int *ret_wday, int *ret_secs)
{
	int64_t days;

	if (t < DATE_MIN)
		t = DATE_MIN;
	if (t > DATE_MAX)
		t = DATE_MAX;
	days = t / SECS_PER_DAY;
	*ret_secs = (int)(t % SECS_PER_DAY);
	*ret_wday = (int)((days + 4) % 7);	/* 1970-01-01 was a Thursday */
	civil_from_days(days, ret_y, ret_m, ret_d);
}

void
date_format_rfc3339(int64_t t, char out[DATE_RFC3339_LEN])
{
	int y, m, d, wday, secs;

	split_time(t, &y, &m, &d, &wday, &secs);
	memcpy(out, "0000-00-00T00:00:00Z", DATE_RFC3339_LEN);
	put_num(out, y, 4);
	put_num(out + 5, m, 2);
	put_num(out + 8, d, 2);
	put_num(out + 11, secs / 3600, 2);
	put_num(out + 14, secs / 60 % 60, 2);
	put_num(out + 17, secs % 60, 2);
}

void
date_format_rfc822(int64_t t, char out[DATE_RFC822_LEN])
{
	int y, m, d, wday, secs;

	split_time(t, &y, &m, &d, &wday, &secs);
	memcpy(out, "Sun, 00 Jan 0000 00:00:00 +0000", DATE_RFC822_LEN);
	memcpy(out, wday_abbr[wday], 3);
	put_num(out + 5, d, 2);
	memcpy(out + 8, month_abbr[m - 1], 3);
	put_num(out + 12, y, 4);
	put_num(out + 17, secs / 3600, 2);
	put_num(out + 20, secs / 60 % 60, 2);
	put_num(out + 23, secs % 60, 2);
}
