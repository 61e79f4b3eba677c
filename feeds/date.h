/* date.h - dates as feeds write them (RFC 822 and its real-world variants, RFC 3339, W3C-DTF) to UTC seconds. */
#ifndef WIREDESK_DATE_H
#define WIREDESK_DATE_H

#include <stddef.h>
#include <stdint.h>

#define DATE_RFC3339_LEN	21	/* "2003-06-10T04:00:00Z" and its NUL */
#define DATE_RFC822_LEN		32	/* "Tue, 10 Jun 2003 04:00:00 +0000" and its NUL */
#define DATE_MIN		0		/* 1970-01-01T00:00:00Z: earlier dates are treated as unreadable */
#define DATE_MAX		253402300799	/* 9999-12-31T23:59:59Z */

/*
 * Reads the date in s (leading and trailing white space ignored) into UTC seconds.
 * Accepts RFC 822/1123/2822 with or without the weekday, two- and four-digit years, numeric
 * offsets with or without a colon, named zones (UT, GMT, Z, EST/EDT..PST/PDT, military letters and the
 * common abbreviations feeds use), RFC 3339 and ISO 8601 / W3C-DTF (date only, no seconds,
 * fractions, basic format), and the loose variants publishers write (missing comma, full month or
 * weekday names, a dot or dash between fields). A date without a zone is taken as UTC.
 * Choices where standards or practice disagree: two-digit years 00-49 are 20xx and 50-99 19xx
 * (RFC 2822); military letters other than J all mean UTC (RFC 2822 4.3); IST is India (+0530) and
 * CST is US Central; an unknown zone name makes the date unreadable; a numeric offset beats a zone
 * name beside it; the weekday is not checked; a leap second ":60" reads as ":59" and 24:00:00 as the
 * next day's midnight; fractions of a second are dropped.
 * Returns 0, or -EINVAL when s is not a date it can read or lies outside [DATE_MIN, DATE_MAX];
 * *ret_t is written only on success.
 */
int	date_parse(const char *s, int64_t *ret_t);

/*
 * Reads s by a strftime-style pattern (%Y %m %d %H %M %S %b %B %a %A %y %p %I %z %Z %e %j and
 * literal text; white space matches any run of white space, or none), for pages whose dates are in no
 * standard form. Month and weekday names are English. Fields the pattern lacks default to
 * January, the 1st and 00:00:00 UTC; a year is required. Returns 0 or -EINVAL.
 */
int	date_parse_format(const char *s, const char *fmt, int64_t *ret_t);

/* Writes t as RFC 3339 UTC ("2003-06-10T04:00:00Z"); t must lie in [DATE_MIN, DATE_MAX]. */
void	date_format_rfc3339(int64_t t, char out[DATE_RFC3339_LEN]);

/* Writes t as RFC 822 for RSS ("Tue, 10 Jun 2003 04:00:00 +0000"); t must lie in [DATE_MIN, DATE_MAX]. */
void	date_format_rfc822(int64_t t, char out[DATE_RFC822_LEN]);

#endif
