/* parse_impl.h - what parse.c shares with the format parsers (parse_xml.c, parse_json.c); not for callers. */
#ifndef WIREDESK_PARSE_IMPL_H
#define WIREDESK_PARSE_IMPL_H

#include <stdbool.h>

#include "buf.h"
#include "normalize.h"
#include "parse.h"

struct xml_state;

struct feed_parser {
	struct parse_opts	 opts;		/* base_url and charset point into the copies below */
	char			*base_url;
	char			*charset;
	struct feed		*feed;
	struct arena		*items;		/* item strings */
	parse_item_fn		 fn;
	void			*ctx;
	enum { P_SNIFF, P_XML, P_JSON, P_DONE, P_FAILED } state;
	int			 error;		/* the error every later call returns */
	struct parse_error	 err;
	size_t			 total;		/* bytes pushed */
	size_t			 n_items;
	struct buf		 head;		/* bytes kept until the format is known; a JSON document whole */
	struct charset_decoder	*dec;
	struct buf		 utf8;		/* one decoded chunk */
	struct xml_state	*xml;
	struct item_draft	 draft;		/* the item being read */
	struct sanitizer	*san;		/* every item's content goes through this one */
};

/* Records the first error (line and column may be 0) and returns err. */
int	parser_fail(struct feed_parser *p, int err, int line, int column, const char *fmt, ...)
	    __attribute__((format(printf, 5, 6)));

/* Normalizes p->draft into an item, hands it to the callback, and resets the draft. */
int	parser_emit(struct feed_parser *p);

/* base if set, else the document's URL, else (lacking both) the feed's home page. */
const char	*parser_base(const struct feed_parser *p, const char *base);

/* Copies s into the feed's arena as clean text (by type) into *field unless already set. */
int	parser_feed_text(struct feed_parser *p, const char **field, const char *s, size_t len, enum text_type type);
/* The feed's language, unless already set. */
int	parser_feed_language(struct feed_parser *p, const char *s, size_t len);
/* Same for a URL, resolved against base (or the document URL). */
int	parser_feed_url(struct feed_parser *p, const char **field, const char *base, const char *s, size_t len);

/* XML: the SAX2 push parser (parse_xml.c). */
int	xml_open(struct feed_parser *p);
/* Mends and parses what p->utf8 holds; the fixer leaves undecided bytes at its front. */
int	xml_push(struct feed_parser *p, bool last);
void	xml_close(struct feed_parser *p);

/* JSON Feed 1.0 and 1.1 (parse_json.c): the whole document at once. */
int	json_parse(struct feed_parser *p, const char *data, size_t len);

#endif
