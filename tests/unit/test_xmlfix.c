/* test_xmlfix.c - the mending pass: what it changes, what it leaves alone, and chunk boundaries. */
#include <errno.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <libxml/parser.h>

#include "xmlfix.h"

static const struct {
	const char	*in;
	const char	*out;
} cases[] = {
	{ "<t>AT&T</t>", "<t>AT&#38;T</t>" },
	{ "<t>a &amp; b &lt; c &gt;</t>", "<t>a &#38; b &#60; c &#62;</t>" },
	{ "<t>&quot;&apos;</t>", "<t>&#34;&#39;</t>" },
	{ "<t>&hellip;&nbsp;&eacute;</t>", "<t>&#8230;&#160;&#233;</t>" },
	{ "<t>&doesnotexist; &</t>", "<t>&#38;doesnotexist; &#38;</t>" },
	{ "<t>&#38;&#x26;&#X26;</t>", "<t>&#38;&#x26;&#38;</t>" },
	{ "<t>&#0;&#x1;&#xD800;</t>", "<t>&#65533;&#65533;&#65533;</t>" },
	{ "<t>&#1114112;&#127;</t>", "<t>&#65533;&#65533;</t>" },
	{ "<t>&#146;&#x80;</t>", "<t>&#8217;&#8364;</t>" },
	{ "<t>&#;&#x;&#12a;</t>", "<t>&#38;#;&#38;#x;&#38;#12a;</t>" },
	{ "<t>a < b <3</t>", "<t>a &#60; b &#60;3</t>" },
	{ "<a href=\"x?a=1&b=2\" t='&nbsp;'/>", "<a href=\"x?a=1&#38;b=2\" t='&#160;'/>" },
	{ "<a t=\"a<b\"/>", "<a t=\"a&#60;b\"/>" },
	{ "<a t=\"x>y&z\">&</a>", "<a t=\"x>y&#38;z\">&#38;</a>" },
	/* A '<' outside quotes ends the tag it interrupts; the comment after it is dropped. */
	{ "<rss><item<!--x--->></", "<rss><item>></" },
	{ "<a b='1'<c/></a>", "<a b='1'><c/></a>" },
	{ "</a<!-- c -->", "</a>" },
	{ "<a/<b>", "<a/><b>" },
	{ "<![CDATA[a & b < c &nbsp;]]>&", "<![CDATA[a & b < c &nbsp;]]>&#38;" },
	{ "<t><![CDATA[]]></t>", "<t><![CDATA[]]></t>" },
	{ "<t><![CDATA[\xC3\xBC\xE2\x80\xA6\xF0\x9F\x98\x80]]></t>", "<t><![CDATA[\xC3\xBC\xE2\x80\xA6\xF0\x9F\x98\x80]]></t>" },
	/* Comments, PIs and the DOCTYPE are dropped; an undeclared entity name is text. */
	{ "<!-- a & b < c -->&", "&#38;" },
	{ "<?xml version=\"1.0\"?><?pi a & b?>&", "&#38;" },
	{ "<!--->x-->y<!---->z", "yz" },
	{ "<!DOCTYPE rss SYSTEM \"a>b\"><rss/>", "<rss/>" },
	{ "<!DOCTYPE r [<!ENTITY e \"&#38;\">]><r>&e;</r>", "<r>&#38;e;</r>" },
	{ "<t/>&verylongnamethatisnotanentityatallbutgoesonandon;",
	  "<t/>&#38;verylongnamethatisnotanentityatallbutgoesonandon;" },
	{ "<t>&", "<t>&#38;" },
	{ "<t><", "<t>&#60;" },
	{ "<t>&#1234", "<t>&#38;#1234" },
};

static void
run(const char *in, size_t chunk, struct buf *out)
{
	struct xmlfix x;
	struct buf pending;
	size_t i, n = strlen(in);

	xmlfix_init(&x);
	buf_init(&pending, 1 << 20);
	for (i = 0; i < n; i += chunk) {
		size_t k = n - i < chunk ? n - i : chunk;

		assert_int_equal(buf_append(&pending, in + i, k), 0);
		assert_int_equal(xmlfix_run(&x, &pending, false, out), 0);
	}
	assert_int_equal(xmlfix_run(&x, &pending, true, out), 0);
	assert_int_equal(pending.len, 0);
	buf_release(&pending);
}

/* A CDATA section is split at chunk ends: join the pieces to compare. */
static void
join_cdata(struct buf *b)
{
	static const char seam[] = "]]><![CDATA[";
	char *p;

	while (b->data != NULL && (p = strstr(b->data, seam)) != NULL) {
		memmove(p, p + sizeof(seam) - 1, strlen(p + sizeof(seam) - 1) + 1);
		b->len -= sizeof(seam) - 1;
	}
}

static void
test_xmlfix_mends_and_leaves_alone(void **state)
{
	size_t i, chunks[] = { 1, 2, 3, 5, 1000 }, c;
	struct buf out;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++) {
			buf_init(&out, 1 << 20);
			run(cases[i].in, chunks[c], &out);
			join_cdata(&out);
			if (strcmp(buf_str(&out), cases[i].out) != 0)
				fail_msg("case %zu, chunk %zu: got '%s', want '%s'", i, chunks[c], buf_str(&out),
				    cases[i].out);
			buf_release(&out);
		}
	}
}

static void
test_xmlfix_flags_entity_declarations(void **state)
{
	static const struct {
		const char	*in;
		bool		 declares;
	} docs[] = {
		{ "<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><r>&x;</r>", true },
		{ "<!DOCTYPE r [<!ENTITY % p SYSTEM \"http://127.0.0.1:9/\"> %p;]><r/>", true },
		{ "<!DOCTYPE rss PUBLIC \"-//Netscape//DTD RSS 0.91//EN\" \"http://x/rss-0.91.dtd\"><rss/>", false },
		{ "<!DOCTYPE r SYSTEM \"<!ENTITY in a literal\"><r/>", false },
		{ "<r><!-- <!DOCTYPE r [<!ENTITY x \"y\">]> --></r>", false },
	};
	struct xmlfix x;
	struct buf in, out;
	size_t i, k;

	(void)state;
	for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		xmlfix_init(&x);
		buf_init(&in, 1 << 20);
		buf_init(&out, 1 << 20);
		for (k = 0; docs[i].in[k] != '\0'; k++) {	/* one byte at a time */
			assert_int_equal(buf_append(&in, docs[i].in + k, 1), 0);
			assert_int_equal(xmlfix_run(&x, &in, false, &out), 0);
		}
		assert_int_equal(xmlfix_run(&x, &in, true, &out), 0);
		if (x.declares_entity != docs[i].declares)
			fail_msg("case %zu: declares_entity %d", i, x.declares_entity);
		buf_release(&in);
		buf_release(&out);
	}
}

/* Long non-ASCII text inside an element goes to libxml2 as CDATA; everything else as it was. */
static void
test_xmlfix_long_text_as_cdata(void **state)
{
#define LONG	"caf\xC3\xA9 caf\xC3\xA9 caf\xC3\xA9 caf\xC3\xA9 caf\xC3\xA9 caf\xC3\xA9 caf\xC3\xA9 caf\xC3\xA9 " \
		"caf\xC3\xA9 caf\xC3\xA9 caf\xC3\xA9 caf\xC3\xA9 caf\xC3\xA9"	/* 69 bytes */
#define ASCII	"cafe cafe cafe cafe cafe cafe cafe cafe cafe cafe cafe cafe cafe cafe"
	static const struct {
		const char	*in;
		const char	*out;
	} docs[] = {
		{ "<r><t>\n " LONG "</t></r>", "<r><t>\n <![CDATA[" LONG "]]></t></r>" },
		{ "<r><t>" LONG "&amp;" LONG "</t></r>", "<r><t><![CDATA[" LONG "&" LONG "]]></t></r>" },
		{ "<r><t>" ASCII "</t></r>", "<r><t>" ASCII "</t></r>" },
		{ "<r><t>caf\xC3\xA9</t></r>", "<r><t>caf\xC3\xA9</t></r>" },
		{ "<r><t>" LONG "]</t></r>", "<r><t>" LONG "]</t></r>" },
		{ "<r><t>" LONG "\r</t></r>", "<r><t>" LONG "\r</t></r>" },
		/* Outside the root element: before it, after it, and after an empty one. */
		{ LONG "<r/>" LONG, LONG "<r/>" LONG },
		{ "<r></r>" LONG, "<r></r>" LONG },
		{ "<?xml version=\"1.0\"?><!DOCTYPE r>" LONG "<r>", LONG "<r>" },
	};
	struct xmlfix x;
	struct buf in, out;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		xmlfix_init(&x);
		buf_init(&in, 1 << 20);
		buf_init(&out, 1 << 20);
		assert_int_equal(buf_puts(&in, docs[i].in), 0);
		assert_int_equal(xmlfix_run(&x, &in, true, &out), 0);
		if (strcmp(buf_str(&out), docs[i].out) != 0)
			fail_msg("case %zu: got '%s', want '%s'", i, buf_str(&out), docs[i].out);
		buf_release(&in);
		buf_release(&out);
	}
#undef LONG
#undef ASCII
}

/* What libxml2 reports, as the parser sets it up (parse_xml.c): elements, attributes, characters. */
static void
on_start(void *ctx, const xmlChar *local, const xmlChar *prefix, const xmlChar *uri, int nns,
    const xmlChar **ns, int nattrs, int ndefaulted, const xmlChar **attrs)
{
	struct buf *b = ctx;
	int i;

	(void)prefix;
	(void)uri;
	(void)nns;
	(void)ns;
	(void)ndefaulted;
	assert_int_equal(buf_appendf(b, "\n<%s", (const char *)local), 0);
	for (i = 0; i < nattrs; i++)
		assert_int_equal(buf_appendf(b, " %s='%.*s'", (const char *)attrs[i * 5],
		    (int)(attrs[i * 5 + 4] - attrs[i * 5 + 3]), (const char *)attrs[i * 5 + 3]), 0);
	assert_int_equal(buf_puts(b, ">\n"), 0);
}

static void
on_end(void *ctx, const xmlChar *local, const xmlChar *prefix, const xmlChar *uri)
{
	(void)prefix;
	(void)uri;
	assert_int_equal(buf_appendf(ctx, "\n</%s>\n", (const char *)local), 0);
}

static void
on_characters(void *ctx, const xmlChar *ch, int len)
{
	assert_int_equal(buf_append(ctx, ch, (size_t)len), 0);
}

static void
on_error(void *ctx, xmlErrorPtr e)
{
	(void)ctx;
	(void)e;
}

/* Mends doc, cut into chunks at cut (and, if cut is 0, one byte at a time), and tells what libxml2 reads. */
static void
parse_mended(const char *doc, size_t cut, struct buf *events, bool *ret_cdata)
{
	xmlSAXHandler sax;
	xmlParserCtxtPtr ctxt;
	struct xmlfix x;
	struct buf in, out;
	size_t n = strlen(doc), i = 0, k;

	memset(&sax, 0, sizeof(sax));
	sax.initialized = XML_SAX2_MAGIC;
	sax.startElementNs = on_start;
	sax.endElementNs = on_end;
	sax.characters = on_characters;
	sax.cdataBlock = on_characters;
	sax.serror = on_error;
	ctxt = xmlCreatePushParserCtxt(&sax, events, NULL, 0, NULL);
	assert_non_null(ctxt);
	(void)xmlCtxtUseOptions(ctxt, XML_PARSE_NONET | XML_PARSE_RECOVER | XML_PARSE_IGNORE_ENC |
	    XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	xmlfix_init(&x);
	buf_init(&in, 1 << 20);
	buf_init(&out, 1 << 20);
	*ret_cdata = false;
	while (i < n) {
		k = cut == 0 ? 1 : i < cut ? cut - i : n - i;
		assert_int_equal(buf_append(&in, doc + i, k), 0);
		i += k;
		buf_clear(&out);
		assert_int_equal(xmlfix_run(&x, &in, i == n, &out), 0);
		if (strstr(buf_str(&out), "<![CDATA[") != NULL)
			*ret_cdata = true;
		(void)xmlParseChunk(ctxt, buf_str(&out), (int)out.len, i == n);
	}
	assert_int_equal(in.len, 0);
	xmlFreeParserCtxt(ctxt);
	buf_release(&in);
	buf_release(&out);
}

/*
 * References in long text go to libxml2 decoded, inside CDATA, or as character references when a
 * chunk's end cuts the run short: libxml2 must read the same either way, in a broken document too
 * (libxml2 drops entity references after an error, not character references).
 */
static void
test_xmlfix_references_read_the_same_at_any_cut(void **state)
{
#define TEXT	"&lt;b&gt;bold&lt;/b&gt; AT&amp;T &quot;q&quot; &apos;a&apos; &#233;t&#xE9; &nbsp;&hellip; " \
		"a & b &#93;&#93;&gt; &#13;&#10;x&#146; &bogus; caf\xC3\xA9 &#x1F600; and so on, long enough"
	static const char *const docs[] = {
		"<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry><id>x</id><summary type=\"html\">" TEXT
		"</summary><title>\n  " TEXT "</title></entry></feed>",
		/* Not well-formed: a mismatched end tag before the text, and text before the root. */
		"<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry><id>x</id><b></c><summary type=\"html\">" TEXT
		"</summary></entry></feed>",
		"junk " TEXT "<rss><channel><item><description>" TEXT "</description></item></channel></rss>",
		"<rss><channel><item><description>" TEXT "</description></item></channel></rss><x>" TEXT "</x>",
		"<rss><channel><item><description>" TEXT "]" TEXT "\r" TEXT "</description></item></channel></rss>",
	};
	struct buf whole, cut;
	size_t i, k, n;
	bool cdata, any;

	(void)state;
	for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		n = strlen(docs[i]);
		buf_init(&whole, 1 << 20);
		parse_mended(docs[i], n, &whole, &cdata);
		if (!cdata && i != 4)
			fail_msg("doc %zu: no CDATA", i);
		if (i < 2 && strstr(buf_str(&whole), "<b>bold</b> AT&T \"q\" 'a' \xC3\xA9t\xC3\xA9 ") == NULL)
			fail_msg("doc %zu: the references were lost: %s", i, buf_str(&whole));
		for (k = 0; k < n; k++) {	/* k == 0: one byte at a time */
			buf_init(&cut, 1 << 20);
			parse_mended(docs[i], k, &cut, &any);
			if (strcmp(buf_str(&cut), buf_str(&whole)) != 0)
				fail_msg("doc %zu cut at %zu: read '%s', whole '%s'", i, k, buf_str(&cut),
				    buf_str(&whole));
			buf_release(&cut);
		}
		buf_release(&whole);
	}
#undef TEXT
}

static void
test_xmlfix_output_limit_is_an_error(void **state)
{
	struct xmlfix x;
	struct buf in, out;

	(void)state;
	xmlfix_init(&x);
	buf_init(&in, 100);
	buf_init(&out, 4);
	assert_int_equal(buf_puts(&in, "<t>&&&</t>"), 0);
	assert_int_equal(xmlfix_run(&x, &in, true, &out), -E2BIG);
	buf_release(&in);
	buf_release(&out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xmlfix_mends_and_leaves_alone),
		cmocka_unit_test(test_xmlfix_flags_entity_declarations),
		cmocka_unit_test(test_xmlfix_long_text_as_cdata),
		cmocka_unit_test(test_xmlfix_references_read_the_same_at_any_cut),
		cmocka_unit_test(test_xmlfix_output_limit_is_an_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
