/* log.h - messages to stderr, with sd-daemon priority prefixes when journald reads them. */
#ifndef WIREDESK_LOG_H
#define WIREDESK_LOG_H

enum log_level { LOG_LEVEL_ERROR = 3, LOG_LEVEL_WARN = 4, LOG_LEVEL_INFO = 6, LOG_LEVEL_DEBUG = 7 };

/* Messages above this level are dropped; LOG_LEVEL_INFO unless changed. */
void	log_set_level(enum log_level level);

/* Prefix each line with "<N>" (sd-daemon(3)) instead of "wiredesk: "; on when JOURNAL_STREAM is set. */
void	log_set_journal(int on);

void	log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_error(...)	log_msg(LOG_LEVEL_ERROR, __VA_ARGS__)
#define log_warn(...)	log_msg(LOG_LEVEL_WARN, __VA_ARGS__)
#define log_info(...)	log_msg(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(...)	log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__)

#endif
