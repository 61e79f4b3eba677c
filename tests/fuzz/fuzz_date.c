/* fuzz_date.c - both date readers on arbitrary bytes; what they accept must be in range and read back. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"

/* Anything a parser accepts must lie in range, and its RFC 3339 and RFC 822 forms must read back to it. */
static void
check(int64_t t)
{
	char a[DATE_RFC3339_LEN], b[DATE_RFC822_LEN];
	int64_t ta, tb;

	if (t < DATE_MIN || t > DATE_MAX)
		abort();
	date_format_rfc3339(t, a);
	date_format_rfc822(t, b);
	if (date_parse(a, &ta) != 0 || ta != t || date_parse(b, &tb) != 0 || tb != t)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);	/* parsers take C strings; an embedded NUL just ends the string */
	char *value;
	int64_t t;

	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	t = -1;
	if (date_parse(s, &t) == 0)
		check(t);
	else if (t != -1)
		abort();	/* *ret_t is written only on success */

	/* Pattern, then the value after the first newline (or NUL). */
	value = s + strcspn(s, "\n");
	if (*value == '\n')
		*value++ = '\0';
	else if (strlen(s) < size)
		value = s + strlen(s) + 1;
	t = -1;
	if (date_parse_format(value, s, &t) == 0)
		check(t);
	else if (t != -1)
		abort();
	free(s);
	return 0;
}
