/* test_xmlfix.c - the mending pass: what it changes, what it leaves alone, and chunk boundaries. */
#include <errno.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

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
		cmocka_unit_test(test_xmlfix_output_limit_is_an_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
