/*
 * opml.c - OPML subscription lists.
 *
 * Reading builds libxml2's tree of the document with the same rules as the feed parser: no
 * network, no entity substitution, and a document whose DOCTYPE declares entities is refused
 * (shared/security/REFERENCE.md §1). OPML 1.0 and 2.0 readers disagree on little that matters
 * here: an outline with an xmlUrl is a subscription, one without is a folder.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "escape.h"
#include "opml.h"

struct reader {
	opml_outline_fn	 fn;
	void		*ctx;
	bool		 entities;	/* the DOCTYPE declared one */
	char		*err;
	int		 r;
};

static void
on_error(void *user, xmlErrorPtr e)
{
	struct reader *rd = ((xmlParserCtxtPtr)user)->_private;
	size_t n;

	if (e->level < XML_ERR_ERROR || rd->err[0] != '\0')
		return;		/* the first error is the one that says where */
	(void)snprintf(rd->err, 256, "line %d: %s", e->line, e->message != NULL ? e->message : "?");
	n = strlen(rd->err);
	if (n > 0 && rd->err[n - 1] == '\n')
		rd->err[n - 1] = '\0';
}

static void
on_entity_decl(void *user, const xmlChar *name, int type, const xmlChar *public_id,
    const xmlChar *system_id, xmlChar *content)
{
	struct reader *rd = ((xmlParserCtxtPtr)user)->_private;

	(void)name, (void)type, (void)public_id, (void)system_id, (void)content;
	rd->entities = true;	/* not declared: nothing can expand it */
}

static const char *
attr(xmlNodePtr n, const char *name)
{
	xmlAttrPtr a;

	for (a = n->properties; a != NULL; a = a->next)
		if (a->ns == NULL && strcmp((const char *)a->name, name) == 0 && a->children != NULL &&
		    a->children->type == XML_TEXT_NODE && a->children->next == NULL)
			return (const char *)a->children->content;
	return NULL;
}

static bool
is(xmlNodePtr n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

static void
walk(struct reader *rd, xmlNodePtr n, struct opml_outline *o)
{
	const char *title;

	for (; n != NULL && rd->r == 0; n = n->next) {
		if (!is(n, "outline"))
			continue;
		title = attr(n, "text");
		if (title == NULL || title[0] == '\0')
			title = attr(n, "title");
		o->xml_url = attr(n, "xmlUrl");
		if (o->xml_url != NULL && o->xml_url[0] != '\0') {
			o->title = title;
			o->html_url = attr(n, "htmlUrl");
			o->category = attr(n, "category");
			rd->r = rd->fn(rd->ctx, o);
		}
		if (n->children == NULL)
			continue;
		/* A folder, or a subscription with outlines inside: its title names what is inside. */
		if (o->nfolders < OPML_MAX_FOLDERS && title != NULL && title[0] != '\0') {
			o->folders[o->nfolders++] = title;
			walk(rd, n->children, o);
			o->nfolders--;
		} else {
			walk(rd, n->children, o);
		}
	}
}

int
opml_read(const char *data, size_t len, opml_outline_fn fn, void *ctx, char err[256])
{
	struct reader rd = { .fn = fn, .ctx = ctx, .err = err };
	struct opml_outline o = { 0 };
	xmlParserCtxtPtr ctxt;
	xmlNodePtr root, n;
	xmlDocPtr doc;

	err[0] = '\0';
	if (len > OPML_MAX_BYTES || len > INT32_MAX) {
		(void)snprintf(err, 256, "larger than %u bytes", OPML_MAX_BYTES);
		return -EINVAL;
	}
	ctxt = xmlNewParserCtxt();
	if (ctxt == NULL)
		return -ENOMEM;
	ctxt->_private = &rd;
	ctxt->sax->serror = on_error;
	ctxt->sax->entityDecl = on_entity_decl;
	/* Never NOENT, DTDLOAD, DTDATTR, DTDVALID, XINCLUDE or HUGE: see shared/security/REFERENCE.md §1. */
	doc = xmlCtxtReadMemory(ctxt, data, (int)len, NULL, NULL,
	    XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (rd.entities) {
		(void)snprintf(err, 256, "the DOCTYPE declares entities: refused");
		rd.r = -EINVAL;
		goto out;
	}
	if (doc == NULL || !ctxt->wellFormed) {
		if (err[0] == '\0')
			(void)snprintf(err, 256, "not well-formed XML");
		rd.r = ctxt->errNo == XML_ERR_NO_MEMORY ? -ENOMEM : -EINVAL;
		goto out;
	}
	root = xmlDocGetRootElement(doc);
	if (root == NULL || !is(root, "opml")) {
		(void)snprintf(err, 256, "not OPML: the root element is not <opml>");
		rd.r = -EINVAL;
		goto out;
	}
	for (n = root->children; n != NULL && !is(n, "body"); n = n->next)
		;
	if (n == NULL) {
		(void)snprintf(err, 256, "not OPML: no <body>");
		rd.r = -EINVAL;
		goto out;
	}
	walk(&rd, n->children, &o);
out:
	xmlFreeDoc(doc);
	xmlFreeParserCtxt(ctxt);
	return rd.r;
}

static int
put_attr(struct buf *out, const char *name, const char *v)
{
	int r;

	if (v == NULL || v[0] == '\0')
		return 0;
	r = buf_appendf(out, " %s=\"", name);
	if (r == 0)
		r = escape_xml(out, v, strlen(v));
	if (r == 0)
		r = buf_putc(out, '"');
	return r;
}

/* "/a,/b" of an outline's folders. */
static int
put_category(struct buf *out, const struct opml_outline *o)
{
	size_t i;
	int r = 0;

	if (o->nfolders == 0)
		return 0;
	r = buf_puts(out, " category=\"");
	for (i = 0; r == 0 && i < o->nfolders; i++) {
		r = buf_puts(out, i > 0 ? ",/" : "/");
		if (r == 0)
			r = escape_xml(out, o->folders[i], strlen(o->folders[i]));
	}
	if (r == 0)
		r = buf_putc(out, '"');
	return r;
}

static int
put_outline(struct buf *out, const struct opml_outline *o, const char *indent)
{
	int r;

	r = buf_appendf(out, "%s<outline type=\"rss\"", indent);
	if (r == 0)
		r = put_attr(out, "text", o->title != NULL ? o->title : o->xml_url);
	if (r == 0)
		r = put_attr(out, "title", o->title);
	if (r == 0)
		r = put_attr(out, "xmlUrl", o->xml_url);
	if (r == 0)
		r = put_attr(out, "htmlUrl", o->html_url);
	if (r == 0)
		r = put_category(out, o);
	if (r == 0)
		r = buf_puts(out, "/>\n");
	return r;
}

int
opml_write(struct buf *out, const char *title, const struct opml_outline *o, size_t n)
{
	size_t i, j, k;
	int r;

	r = buf_puts(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<opml version=\"2.0\">\n"
	    "  <head>\n    <title>");
	if (r == 0)
		r = escape_xml(out, title, strlen(title));
	if (r == 0)
		r = buf_puts(out, "</title>\n  </head>\n  <body>\n");
	for (i = 0; r == 0 && i < n; i++)
		if (o[i].nfolders == 0)
			r = put_outline(out, &o[i], "    ");
	/* A folder for each first folder name, at its first use; quadratic, but n is a source list. */
	for (i = 0; r == 0 && i < n; i++) {
		if (o[i].nfolders == 0)
			continue;
		for (k = 0; k < i; k++)
			if (o[k].nfolders > 0 && strcmp(o[k].folders[0], o[i].folders[0]) == 0)
				break;
		if (k < i)
			continue;	/* written with the first */
		r = buf_puts(out, "    <outline");
		if (r == 0)
			r = put_attr(out, "text", o[i].folders[0]);
		if (r == 0)
			r = buf_puts(out, ">\n");
		for (j = i; r == 0 && j < n; j++)
			if (o[j].nfolders > 0 && strcmp(o[j].folders[0], o[i].folders[0]) == 0)
				r = put_outline(out, &o[j], "      ");
		if (r == 0)
			r = buf_puts(out, "    </outline>\n");
	}
	if (r == 0)
		r = buf_puts(out, "  </body>\n</opml>\n");
	return r;
}
