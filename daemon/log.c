/* log.c - one line per message on stderr, written with a single write so lines never interleave. */
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "log.h"

static enum log_level max_level = LOG_LEVEL_INFO;
static int journal;

void
log_set_level(enum log_level level)
{
	max_level = level;
}

void
log_set_journal(int on)
{
	journal = on;
}

void
log_msg(enum log_level level, const char *fmt, ...)
{
	char line[2048];
	va_list ap;
	int n, m;

	if (level > max_level)
		return;
	if (journal)
		n = snprintf(line, sizeof(line), "<%d>", (int)level);
	else
		n = snprintf(line, sizeof(line), "wiredesk: ");
	va_start(ap, fmt);
	m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (m < 0)
		return;
	n += m;
	if ((size_t)n > sizeof(line) - 2)
		n = (int)sizeof(line) - 2;	/* cut long messages, keep the newline */
	line[n++] = '\n';
	(void)!write(STDERR_FILENO, line, (size_t)n);
}
