/* xmlfix.h - mends the ill-formedness real feeds ship before libxml2 sees it: bare '&' and '<', HTML entities, bad character references. */
#ifndef WIREDESK_XMLFIX_H
#define WIREDESK_XMLFIX_H

#include <stdbool.h>

#include "buf.h"

struct xmlfix {
	int	state;		/* where the previous chunk ended: text, tag, comment, CDATA, PI, DOCTYPE */
	char	quote;		/* the open quote inside a tag or DOCTYPE, or 0 */
	int	brackets;	/* '[' depth inside a DOCTYPE */
	int	entity_match;	/* how much of "<!ENTITY" the DOCTYPE has just shown */
	int	comment_match;	/* how much of "<!--" the DOCTYPE has just shown */
	int	dashes;		/* closing characters just seen inside that comment or PI */
	char	tag_kind;	/* in a tag: '/' (end tag), '!' (declaration) or another byte (start tag) */
	char	tag_last;	/* in a tag: its last byte so far ('/' before '>' closes the element) */
	int	depth;		/* elements open, as the tags so far tell */
	char	in_comment;	/* inside a comment ('-') or PI ('?') in the DOCTYPE, or 0 */
	int	line;		/* line and column of the next byte, counted from 1 */
	int	col;
	int	entity_line;	/* where the first entity declaration starts */
	int	entity_col;
	bool	changed;	/* something was mended */
	bool	declares_entity;	/* the DOCTYPE declares an entity: the caller refuses the document */
};

void	xmlfix_init(struct xmlfix *x);

/*
 * Reads UTF-8 XML from in and appends it to out, mended: an '&' that starts no well-formed
 * reference becomes "&amp;"; HTML named entities (&nbsp;, &hellip;, ...) become numeric references;
 * numeric references to characters XML forbids become U+FFFD, and those to 128-159 the Windows-1252
 * characters HTML reads them as; a '<' that starts no markup becomes "&lt;", and so does one inside
 * a quoted attribute value, while one elsewhere inside a tag ends that tag ("<a<b>" becomes
 * "<a><b>": libxml2's own recovery from it depends on where its chunks end). Inside an element, a
 * long run of text with non-ASCII characters or references may go out as CDATA, the references
 * decoded: libxml2 reads that faster and reports the same characters. A CDATA section is
 * closed at each chunk's end and reopened in the next, so libxml2, which gathers a section whole
 * (and refuses one past 10 MB), never sees one longer than a chunk. Comments, processing
 * instructions (the XML declaration too) and the DOCTYPE are dropped: a feed needs none of them,
 * and libxml2's push parser misreads them when a chunk ends inside one; a DOCTYPE that declares an
 * entity sets declares_entity. What cannot be decided before more input arrives stays at the start
 * of in (the rest of in is consumed); pass last = true with the final chunk to decide everything.
 * Returns 0, -ENOMEM or -E2BIG.
 */
int	xmlfix_run(struct xmlfix *x, struct buf *in, bool last, struct buf *out);

#endif
