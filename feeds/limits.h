/* limits.h - every bound on untrusted input, in one place; each buffer gets its limit when created. */
#ifndef WIREDESK_LIMITS_H
#define WIREDESK_LIMITS_H

#define PARSE_MAX_DOC		(256u << 20)	/* bytes of one document given to the parser */
#define PARSE_MAX_ITEMS		100000		/* items per document; the rest are dropped and counted */
#define PARSE_MAX_DEPTH		256		/* element nesting; libxml2 2.9 refuses deeper documents itself */
#define PARSE_MAX_AUTHORS	32		/* authors per item or feed; more are dropped */
#define PARSE_MAX_TAGS		64		/* tags per item; more are dropped */
#define PARSE_MAX_ATTACHMENTS	32		/* enclosures per item; more are dropped */
#define PARSE_MAX_SOURCES	64		/* other sources of a story an item names; more are dropped */
#define ITEM_MAX_FIELD		(1u << 20)	/* bytes per text field, after normalizing; longer is cut */
#define ITEM_MAX_SHORT		(8u << 10)	/* bytes per title, name, URL or id; longer is cut */
#define HTML_MAX_DEPTH		256		/* element nesting the sanitizer keeps open */

#endif
