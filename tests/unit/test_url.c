/* test_url.c - relative link resolution, scheme checks and canonical URLs. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "buf.h"
#include "limits.h"
#include "url.h"

#define RFC_BASE	"http://a/b/c/d;p?q"

struct resolve_case {
	const char	*base;
	const char	*ref;
	const char	*want;		/* NULL: -EINVAL */
};

/* Resolves one case and checks the result; out must be left alone on error. */
static void
check_resolve(const char *base, const char *ref, size_t ref_len, const char *want)
{
	struct buf out;
	int r;

	buf_init(&out, 1u << 20);
	assert_int_equal(buf_puts(&out, "keep|"), 0);
	r = url_resolve(base, ref, ref_len, &out);
	if (want == NULL) {
		if (r != -EINVAL)
			print_error("base '%s' ref '%s' gave %d '%s'\n", base ? base : "(null)", ref,
			    r, buf_str(&out));
		assert_int_equal(r, -EINVAL);
		assert_string_equal(buf_str(&out), "keep|");
	} else {
		if (r != 0)
			print_error("base '%s' ref '%s' gave %d\n", base ? base : "(null)", ref, r);
		assert_int_equal(r, 0);
		assert_string_equal(buf_str(&out) + 5, want);
		assert_int_equal(strlen(buf_str(&out)), out.len);
	}
	buf_release(&out);
}

static void
run_resolve_table(const struct resolve_case *c, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		check_resolve(c[i].base, c[i].ref, strlen(c[i].ref), c[i].want);
}

#define RUN_TABLE(t)	run_resolve_table((t), sizeof(t) / sizeof((t)[0]))

/* RFC 3986 §5.4.1. */
static void
test_resolve_rfc3986_normal_examples(void **state)
{
	static const struct resolve_case cases[] = {
		{ RFC_BASE, "g:h", "g:h" },
		{ RFC_BASE, "g", "http://a/b/c/g" },
		{ RFC_BASE, "./g", "http://a/b/c/g" },
		{ RFC_BASE, "g/", "http://a/b/c/g/" },
		{ RFC_BASE, "/g", "http://a/g" },
		{ RFC_BASE, "//g", "http://g/" },	/* RFC: "http://g"; curl adds the empty path's "/" */
		{ RFC_BASE, "?y", "http://a/b/c/d;p?y" },
		{ RFC_BASE, "g?y", "http://a/b/c/g?y" },
		{ RFC_BASE, "#s", "http://a/b/c/d;p?q#s" },
		{ RFC_BASE, "g#s", "http://a/b/c/g#s" },
		{ RFC_BASE, "g?y#s", "http://a/b/c/g?y#s" },
		{ RFC_BASE, ";x", "http://a/b/c/;x" },
		{ RFC_BASE, "g;x", "http://a/b/c/g;x" },
		{ RFC_BASE, "g;x?y#s", "http://a/b/c/g;x?y#s" },
		{ RFC_BASE, "", "http://a/b/c/d;p?q" },
		{ RFC_BASE, ".", "http://a/b/c/" },
		{ RFC_BASE, "./", "http://a/b/c/" },
		{ RFC_BASE, "..", "http://a/b/" },
		{ RFC_BASE, "../", "http://a/b/" },
		{ RFC_BASE, "../g", "http://a/b/g" },
		{ RFC_BASE, "../..", "http://a/" },
		{ RFC_BASE, "../../", "http://a/" },
		{ RFC_BASE, "../../g", "http://a/g" },
	};

	(void)state;
	RUN_TABLE(cases);
}

/* RFC 3986 §5.4.2. */
static void
test_resolve_rfc3986_abnormal_examples(void **state)
{
	static const struct resolve_case cases[] = {
		{ RFC_BASE, "../../../g", "http://a/g" },
		{ RFC_BASE, "../../../../g", "http://a/g" },
		{ RFC_BASE, "/./g", "http://a/g" },
		{ RFC_BASE, "/../g", "http://a/g" },
		{ RFC_BASE, "g.", "http://a/b/c/g." },
		{ RFC_BASE, ".g", "http://a/b/c/.g" },
		{ RFC_BASE, "g..", "http://a/b/c/g.." },
		{ RFC_BASE, "..g", "http://a/b/c/..g" },
		{ RFC_BASE, "./../g", "http://a/b/g" },
		{ RFC_BASE, "./g/.", "http://a/b/c/g/" },
		{ RFC_BASE, "g/./h", "http://a/b/c/g/h" },
		{ RFC_BASE, "g/../h", "http://a/b/c/h" },
		{ RFC_BASE, "g;x=1/./y", "http://a/b/c/g;x=1/y" },
		{ RFC_BASE, "g;x=1/../y", "http://a/b/c/y" },
		{ RFC_BASE, "g?y/./x", "http://a/b/c/g?y/./x" },
		{ RFC_BASE, "g?y/../x", "http://a/b/c/g?y/../x" },
		{ RFC_BASE, "g#s/./x", "http://a/b/c/g#s/./x" },
		{ RFC_BASE, "g#s/../x", "http://a/b/c/g#s/../x" },
		/* The backward-compatible reading RFC 3986 allows, and WHATWG requires. */
		{ RFC_BASE, "http:g", "http://a/b/c/g" },
	};

	(void)state;
	RUN_TABLE(cases);
}

static void
test_resolve_relative_forms_against_bases_with_query_and_fragment(void **state)
{
	static const struct resolve_case cases[] = {
		{ "http://h/d/p?q=1#f", "", "http://h/d/p?q=1" },
		{ "http://h/d/p?q=1#f", "#g", "http://h/d/p?q=1#g" },
		{ "http://h/d/p?q=1#f", "?r", "http://h/d/p?r" },
		{ "http://h/d/p?q=1#f", "x", "http://h/d/x" },
		{ "http://h/d/p?q=1#f", "./", "http://h/d/" },
		{ "http://h/d/p?q=1#f", "/abs", "http://h/abs" },
		{ "http://h/d/p?q=1#f", "//other/x", "http://other/x" },
		{ "https://h/d/p", "//other:8443/x?y", "https://other:8443/x?y" },
		/* A '/' inside the base's query or fragment is not a path separator. */
		{ "http://h/a/b?x/y#z/w", "g", "http://h/a/g" },
		{ "http://h/a/b#x/y", "g", "http://h/a/g" },
		{ "http://h", "g", "http://h/g" },
		{ "http://h?q", "g", "http://h/g" },
		{ "http://h/", "../../g", "http://h/g" },
		{ "http://h/a/", "..//g", "http://h//g" },
		{ "HTTP://H/a/b", "c", "http://H/a/c" },
		/* The base is cleaned like a ref. */
		{ "  http://h/a/b \n", "c", "http://h/a/c" },
		{ "http://h/a b/c", "d", "http://h/a%20b/d" },
		/* The scheme matched case-insensitively, against a base with the same one. */
		{ "https://h/a/b", "HTTPS:c", "https://h/a/c" },
		{ "https://h/a/b", "http:c", "http://c/" },
		{ "https://h/a/b", "https:/c", "https://h/c" },
		{ "https://h/a/b", "https://c", "https://c/" },
	};

	(void)state;
	RUN_TABLE(cases);
}

static void
test_resolve_absolute_refs_of_any_scheme_pass_through(void **state)
{
	static const struct resolve_case cases[] = {
		{ NULL, "mailto:Someone@Example.org?subject=hi%20there", "mailto:Someone@Example.org?subject=hi%20there" },
		{ NULL, "data:image/png;base64,iVBORw0K", "data:image/png;base64,iVBORw0K" },
		{ NULL, "tag:example.org,2024:1", "tag:example.org,2024:1" },
		{ NULL, "urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a", "urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a" },
		{ NULL, "MAILTO:x@y", "mailto:x@y" },
		{ NULL, "mailto:a b@c", "mailto:a%20b@c" },
		{ NULL, "gemini://h\xc3\xa9/p", "gemini://h%C3%A9/p" },
		{ RFC_BASE, "ftp://h/a/../b", "ftp://h/a/../b" },
		{ RFC_BASE, "javascript:alert(1)", "javascript:alert(1)" },
		{ "mailto:x@y", "https://h/p", "https://h/p" },
		{ NULL, "http://h/a/./b/../c", "http://h/a/c" },
		{ NULL, "HTTPS://h/", "https://h/" },
		{ NULL, "http:h/p", "http://h/p" },
		{ NULL, "http:///h/p", "http://h/p" },
		{ NULL, "http:\\\\h\\p?a\\b#c\\d", "http://h/p?a\\b#c\\d" },
	};

	(void)state;
	RUN_TABLE(cases);
}

static void
test_resolve_encodes_spaces_and_non_ascii_like_a_browser(void **state)
{
	static const struct resolve_case cases[] = {
		{ "http://h/d/", "a b", "http://h/d/a%20b" },
		{ "http://h/d/", "caf\xc3\xa9 cr\xc3\xa8me?q=\xc3\xa9t\xc3\xa9#\xc3\xa0",
		    "http://h/d/caf%C3%A9%20cr%C3%A8me?q=%C3%A9t%C3%A9#%C3%A0" },
		{ "http://h/d/", "already%20encoded%zz", "http://h/d/already%20encoded%zz" },
		{ "http://h/d/", "q\"<>`", "http://h/d/q%22%3C%3E%60" },
		{ "http://h/d/", "a\x7f" "b", "http://h/d/a%7Fb" },
		{ "http://h/d/", "a\x01" "b", "http://h/d/a%01b" },
		/* IDN hosts stay as given, in UTF-8. */
		{ NULL, "http://b\xc3\xbc" "cher.example/\xc3\xbc", "http://b\xc3\xbc" "cher.example/%C3%BC" },
		{ "http://b\xc3\xbc" "cher.example/a", "b", "http://b\xc3\xbc" "cher.example/b" },
		/* Invalid hosts. */
		{ NULL, "http://a b/", NULL },
		{ NULL, "http://a<b/", NULL },
		{ NULL, "http://a%00b/", NULL },
		{ NULL, "http://a\x01" "b/", NULL },
	};

	(void)state;
	RUN_TABLE(cases);
}

static void
test_resolve_ipv6_ports_and_userinfo(void **state)
{
	static const struct resolve_case cases[] = {
		{ NULL, "http://[::1]:8080/a", "http://[::1]:8080/a" },
		{ "http://[2001:db8::1]/a/b", "c", "http://[2001:db8::1]/a/c" },
		{ "http://[2001:db8::1]/a/b", "//[::2]/", "http://[::2]/" },
		{ NULL, "http://[::1/", NULL },
		{ NULL, "http://[zz::1]/", NULL },
		{ NULL, "http://h:99999/", NULL },
		{ NULL, "http://h:x/", NULL },
		{ NULL, "http://u:p@h/", "http://u:p@h/" },
		/* Found by fuzz_url: curl 7.88 reads "%38" as the host "8" but only then as 0.0.0.8. */
		{ NULL, "http://%38", "http://0.0.0.8/" },
		{ NULL, "https:%31%2e2", "https://1.0.0.2/" },
		{ "https://h/", "https:%31%2e2", "https://h/%31%2e2" },
		{ NULL, "http://0x7f.1/", "http://127.0.0.1/" },
		{ NULL, "http:///", NULL },
		{ NULL, "http://", NULL },
		{ NULL, "http:", NULL },
	};

	(void)state;
	RUN_TABLE(cases);
}

/* WHATWG treats '\' as '/' in special URLs before the query; browsers follow it. */
static void
test_resolve_backslashes_are_slashes_in_special_urls(void **state)
{
	static const struct resolve_case cases[] = {
		{ "http://h/a/b", "\\evil.example\\x", "http://h/evil.example/x" },
		{ "http://h/a/b", "\\\\evil.example\\x", "http://evil.example/x" },
		{ "http://h/a/b", "/\\evil.example/", "http://evil.example/" },
		{ "http://h/a/b", "///evil.example/", "http://evil.example/" },
		{ "http://h/a/b", "c\\..\\d", "http://h/a/d" },
		{ "http://h/a/b", "c?x\\y#z\\w", "http://h/a/c?x\\y#z\\w" },
		{ NULL, "ftp:\\\\h\\p", "ftp://h/p" },
		{ NULL, "x-custom:a\\b", "x-custom:a\\b" },
	};

	(void)state;
	RUN_TABLE(cases);
}

static void
test_resolve_without_usable_base_needs_absolute_ref(void **state)
{
	static const struct resolve_case cases[] = {
		{ NULL, "g", NULL },
		{ NULL, "", NULL },
		{ NULL, "#f", NULL },
		{ NULL, "//h/p", NULL },
		{ "/relative/base", "g", NULL },
		{ "//h/protocol-relative", "g", NULL },
		{ "", "g", NULL },
		{ "mailto:x@y", "g", NULL },
		{ "urn:x:y", "#f", NULL },
		{ "ftp://h/a/b", "c", NULL },
		{ "http://bad host/", "g", NULL },
		{ "/relative/base", "https://h/p", "https://h/p" },
		{ NULL, "https://h/p", "https://h/p" },
		{ NULL, "  \t\x01", NULL },
	};

	(void)state;
	RUN_TABLE(cases);
}

/* REFERENCE.md §(a) items 18 and 20: all of these are javascript: URLs, and refused. */
static void
test_resolve_hostile_schemes_come_out_as_javascript_and_are_refused(void **state)
{
	static const struct resolve_case cases[] = {
		{ RFC_BASE, "JaVaScRiPt:alert(1)", "javascript:alert(1)" },
		{ RFC_BASE, "java\tscript:alert(1)", "javascript:alert(1)" },
		{ RFC_BASE, " \x01javascript:alert(1)", "javascript:alert(1)" },
		{ RFC_BASE, "java\nscript:alert(1)", "javascript:alert(1)" },
		{ RFC_BASE, "java\rscript:alert(1)", "javascript:alert(1)" },
		{ RFC_BASE, "\x1f\x0b javascript:alert(1) \x0c", "javascript:alert(1)" },
		{ RFC_BASE, "j\ta\nv\ra\tscript:alert(document.cookie)", "javascript:alert(document.cookie)" },
		{ NULL, "javascript:alert(1)", "javascript:alert(1)" },
		{ "javascript:alert(1)", "javascript:x", "javascript:x" },
		{ "javascript:alert(1)", "g", NULL },
		{ RFC_BASE, "vbscript:msgbox(1)", "vbscript:msgbox(1)" },
		{ RFC_BASE, "data:text/html,<script>alert(1)</script>",
		    "data:text/html,%3Cscript%3Ealert(1)%3C/script%3E" },
	};
	struct buf out;
	size_t i;
	int use;

	(void)state;
	RUN_TABLE(cases);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_init(&out, ITEM_MAX_SHORT);
		if (url_resolve(cases[i].base, cases[i].ref, strlen(cases[i].ref), &out) == 0)
			for (use = URL_LINK; use <= URL_FETCH; use++)
				assert_false(url_scheme_allowed(buf_str(&out), (enum url_use)use));
		buf_release(&out);
	}
	/* The same through ref_len, with the NUL that strlen() would stop at. */
	check_resolve(RFC_BASE, "\0javascript:alert(1)", 20, "javascript:alert(1)");
}

static void
test_resolve_embedded_nul_is_encoded(void **state)
{
	(void)state;
	check_resolve("http://h/d/", "a\0b", 3, "http://h/d/a%00b");
	check_resolve("http://h/d/", "a\0", 2, "http://h/d/a");
	check_resolve(NULL, "http://h\0x/", 11, NULL);
	check_resolve(NULL, "mailto:a\0b", 10, "mailto:a%00b");
	check_resolve("http://h/d/", "abc", 1, "http://h/d/a");
}

static void
test_resolve_huge_inputs_fail_cleanly(void **state)
{
	struct buf out;
	char *ref;
	size_t n;

	(void)state;
	n = 4 * ITEM_MAX_SHORT;
	ref = malloc(n + 1);
	assert_non_null(ref);

	/* Just under the limit is fine. */
	memset(ref, 'a', n);
	memcpy(ref, "http://h/", 9);
	buf_init(&out, 1u << 20);
	assert_int_equal(url_resolve(NULL, ref, ITEM_MAX_SHORT - 10, &out), 0);
	assert_int_equal(out.len, ITEM_MAX_SHORT - 10);
	buf_release(&out);

	/* Over it, raw or after encoding. */
	assert_int_equal(url_resolve(NULL, ref, n, &out), -E2BIG);
	assert_null(out.data);
	memset(ref + 9, '\x80', n - 9);
	assert_int_equal(url_resolve(NULL, ref, ITEM_MAX_SHORT / 2, &out), -E2BIG);
	assert_int_equal(url_resolve("http://h/", ref + 9, ITEM_MAX_SHORT / 2, &out), -E2BIG);
	assert_null(out.data);

	/* Leading white space does not count. */
	memset(ref, ' ', n);
	memcpy(ref + n - 9, "http://h/", 9);
	assert_int_equal(url_resolve(NULL, ref, n, &out), 0);
	assert_string_equal(buf_str(&out), "http://h/");
	buf_release(&out);

	/* -E2BIG from out, which stays as it was. */
	buf_init(&out, 12);
	assert_int_equal(buf_puts(&out, "x"), 0);
	assert_int_equal(url_resolve(NULL, "http://h/abcdef", 15, &out), -E2BIG);
	assert_string_equal(buf_str(&out), "x");
	buf_release(&out);
	free(ref);
}

static void
test_resolve_output_resolves_to_itself(void **state)
{
	static const char *const bases[] = { NULL, RFC_BASE, "https://other/x/y?z#w", "mailto:q" };
	static const struct resolve_case inputs[] = {
		{ RFC_BASE, "../g?x#y", NULL },
		{ "http://h/d/", "caf\xc3\xa9 \"x\"", NULL },
		{ NULL, "http://B\xc3\xbc" "cher.example:80/%2e%2E/a", NULL },
		{ NULL, "mailto:a b", NULL },
		{ NULL, "HTTP://h?", NULL },
		{ NULL, "http://%41/", NULL },
		{ NULL, "http://[fe80::1%25eth0]/x", NULL },
	};
	struct buf a, b;
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		buf_init(&a, ITEM_MAX_SHORT);
		assert_int_equal(url_resolve(inputs[i].base, inputs[i].ref, strlen(inputs[i].ref), &a), 0);
		for (j = 0; j < sizeof(bases) / sizeof(bases[0]); j++) {
			buf_init(&b, ITEM_MAX_SHORT);
			assert_int_equal(url_resolve(bases[j], a.data, a.len, &b), 0);
			assert_string_equal(b.data, a.data);
			buf_release(&b);
		}
		buf_release(&a);
	}
}

static void
test_scheme_allowed_by_use(void **state)
{
	static const struct {
		const char	*u;
		bool		 link, media, fetch;
	} cases[] = {
		{ "http://h/", true, true, true },
		{ "HTTPS://h/", true, true, true },
		{ "hTtP://h/", true, true, true },
		{ "http:h", false, false, false },
		{ "mailto:a@b", true, false, false },
		{ "MailTo:a@b", true, false, false },
		{ "data:image/png;base64,AAAA", false, true, false },
		{ "DATA:IMAGE/PNG;base64,AAAA", false, true, false },
		{ "data:image/gif,GIF89a", false, true, false },
		{ "data:image/jpeg;base64,/9j/", false, true, false },
		{ "data:image/webp;base64,UklG", false, true, false },
		{ "data:image/svg+xml;base64,PHN2Zz4=", false, false, false },
		{ "data:image/svg+xml,%3Csvg%3E", false, false, false },
		{ "data:image/pngx;base64,AAAA", false, false, false },
		{ "data:image/png", false, false, false },
		{ "data:text/html;base64,PHNjcmlwdD4=", false, false, false },
		{ "data:,image/png,", false, false, false },
		{ "javascript:alert(1)", false, false, false },
		{ "JAVASCRIPT:alert(1)", false, false, false },
		{ " javascript:alert(1)", false, false, false },
		{ "vbscript:x", false, false, false },
		{ "file:///etc/passwd", false, false, false },
		{ "ftp://h/", false, false, false },
		{ "//h/x", false, false, false },
		{ "/x", false, false, false },
		{ "", false, false, false },
		{ "http", false, false, false },
		{ "https-evil://h/", false, false, false },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (url_scheme_allowed(cases[i].u, URL_LINK) != cases[i].link ||
		    url_scheme_allowed(cases[i].u, URL_MEDIA) != cases[i].media ||
		    url_scheme_allowed(cases[i].u, URL_FETCH) != cases[i].fetch)
			print_error("case '%s'\n", cases[i].u);
		assert_true(url_scheme_allowed(cases[i].u, URL_LINK) == cases[i].link);
		assert_true(url_scheme_allowed(cases[i].u, URL_MEDIA) == cases[i].media);
		assert_true(url_scheme_allowed(cases[i].u, URL_FETCH) == cases[i].fetch);
	}
	assert_false(url_scheme_allowed(NULL, URL_LINK));
}

struct canonical_case {
	const char	*in;
	const char	*want;		/* NULL: -EINVAL */
};

static void
check_canonical(const char *in, const char *want)
{
	struct buf out, again;
	int r;

	buf_init(&out, ITEM_MAX_SHORT);
	r = url_canonical(in, &out);
	if (want == NULL) {
		if (r != -EINVAL)
			print_error("canonical '%s' gave %d '%s'\n", in != NULL ? in : "(null)", r, buf_str(&out));
		assert_int_equal(r, -EINVAL);
		assert_null(out.data);
		return;
	}
	if (r != 0)
		print_error("canonical '%s' gave %d\n", in, r);
	assert_int_equal(r, 0);
	assert_string_equal(buf_str(&out), want);
	/* The canonical form is its own canonical form. */
	buf_init(&again, ITEM_MAX_SHORT);
	assert_int_equal(url_canonical(out.data, &again), 0);
	assert_string_equal(buf_str(&again), want);
	buf_release(&again);
	buf_release(&out);
}

static void
test_canonical_forms(void **state)
{
	static const struct canonical_case cases[] = {
		{ "http://example.com", "http://example.com/" },
		{ "HTTP://EXAMPLE.com:80/A/b", "http://example.com/A/b" },
		{ "https://Example.COM:443/", "https://example.com/" },
		{ "https://example.com:80/", "https://example.com:80/" },
		{ "http://example.com:443/", "http://example.com:443/" },
		{ "http://example.com:0080/", "http://example.com/" },
		{ "http://example.com/a#frag", "http://example.com/a" },
		{ "http://example.com/a?#frag", "http://example.com/a" },
		{ "http://example.com/a?", "http://example.com/a" },
		{ "http://example.com/%7euser/%41%2Fb%2f?q=%7e%2a%2A", "http://example.com/~user/A%2Fb%2F?q=~%2A%2A" },
		{ "http://example.com/a/%2e%2E/b/%2E/c", "http://example.com/b/c" },
		{ "http://example.com/a/./b/../c", "http://example.com/a/c" },
		{ "http://example.com/%zz%4", "http://example.com/%zz%4" },
		/* Found by fuzz_url: decoding "%43" next to a stray "%4" made a new escape. */
		{ "http://bc/pq:4?3%4%43?%00%00d#s", "http://bc/pq:4?3%4%43?%00%00d" },
		{ "http://h/%7e%zz/%7e?%7e%zz&%7e", "http://h/%7E%zz/~?%7E%zz&~" },
		{ "HTTP://b?utm_urce8c%r&:%38e", "http://b/?:8e" },
		{ "http://b/a%zz/../%41?utm_u%a/..&x=%38e", "http://b/A?x=8e" },
		{ "http://example.com/p?utm_source=rss&id=7&utm_medium=feed&UTM_Campaign=x", "http://example.com/p?id=7" },
		{ "http://example.com/p?b=2&fbclid=abc&a=1&gclid=x&mc_cid=1&mc_eid=2", "http://example.com/p?b=2&a=1" },
		{ "http://example.com/p?utm_source=rss&utm_medium=feed", "http://example.com/p" },
		{ "http://example.com/p?utm%5Fsource=rss&x", "http://example.com/p?x" },
		{ "http://example.com/p?a=1&&b=2&", "http://example.com/p?a=1&b=2" },
		{ "http://example.com/p?utm_=1&utm=2&ref=3&source=4", "http://example.com/p?utm_=1&utm=2&ref=3&source=4" },
		{ "http://example.com/p?a=%e2%82%ac&b=%3d", "http://example.com/p?a=%E2%82%AC&b=%3D" },
		{ "  http://Example.com/caf\xc3\xa9 x\n", "http://example.com/caf%C3%A9%20x" },
		{ "http://[2001:DB8::1]:80/", "http://[2001:db8::1]/" },
		{ "http://[FE80::1%25eth0]:80/x", "http://[fe80::1%25eth0]/x" },
		{ "http://B\xc3\xbc" "cher.Example/", "http://b\xc3\xbc" "cher.example/" },
		{ "http://User:Pass@Example.com/", "http://User:Pass@example.com/" },
		{ "http://0x7f.1/", "http://127.0.0.1/" },
		{ "mailto:a@b", NULL },
		{ "ftp://example.com/", NULL },
		{ "/relative", NULL },
		{ "", NULL },
		{ "javascript:alert(1)", NULL },
		{ "http://bad host/", NULL },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_canonical(cases[i].in, cases[i].want);
	check_canonical(NULL, NULL);
}

/* URLs that differ only in ways the canonical form ignores give the same bytes. */
static void
test_canonical_equivalent_urls_agree(void **state)
{
	static const char *const groups[][6] = {
		{ "http://example.com/news/1?id=5",
		  "HTTP://EXAMPLE.COM:80/news/1?id=5#comments",
		  "http://example.com/news/./x/../1?utm_source=feed&id=5&fbclid=1",
		  "http://Example.com/%6Eews/1?id=%35",
		  "http://example.com/news/1?id=5&",
		  NULL },
		{ "https://example.com/",
		  "https://example.com",
		  "https://example.com:443/?",
		  "HTTPS://EXAMPLE.COM#top",
		  "https://example.com/?utm_campaign=x",
		  NULL },
	};
	struct buf first, other;
	size_t g, i;

	(void)state;
	for (g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
		buf_init(&first, ITEM_MAX_SHORT);
		assert_int_equal(url_canonical(groups[g][0], &first), 0);
		for (i = 1; groups[g][i] != NULL; i++) {
			buf_init(&other, ITEM_MAX_SHORT);
			assert_int_equal(url_canonical(groups[g][i], &other), 0);
			assert_string_equal(buf_str(&other), buf_str(&first));
			buf_release(&other);
		}
		buf_release(&first);
	}
}

static void
test_canonical_keeps_out_on_error(void **state)
{
	struct buf out;

	(void)state;
	buf_init(&out, 10);
	assert_int_equal(buf_puts(&out, "x"), 0);
	assert_int_equal(url_canonical("http://example.com/long", &out), -E2BIG);
	assert_int_equal(url_canonical("mailto:x", &out), -EINVAL);
	assert_string_equal(buf_str(&out), "x");
	buf_release(&out);
}

/* Absolute links take a shortcut past libcurl; near misses must still come out normalized. */
static void
test_resolve_absolute_links_shortcut_agrees(void **state)
{
	static const struct {
		const char	*in;
		const char	*want;
	} cases[] = {
		{ "http://example.org/a/b?x=1&y=%2F#f", "http://example.org/a/b?x=1&y=%2F#f" },
		{ "https://www.example-news.co.uk/2026/11/26/story.html", "https://www.example-news.co.uk/2026/11/26/story.html" },
		{ "http://example.org/a/./b/../c", "http://example.org/a/c" },
		{ "http://example.org/a/..", "http://example.org/" },
		{ "http://example.org/a?q=/./", "http://example.org/a?q=/./" },
		{ "HTTP://Example.ORG/x", "http://Example.ORG/x" },	/* the host keeps its case */
		{ "http://example.org", "http://example.org/" },
		{ "http://example.org/a b", "http://example.org/a%20b" },
		{ "http://example.org/%zz", "http://example.org/%zz" },	/* a stray % is kept */
		{ "http://2130706433/", "http://127.0.0.1/" },
		{ "http://0x7f.1/", "http://127.0.0.1/" },
	};
	struct buf b;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_init(&b, 4096);
		assert_int_equal(url_resolve("http://base.example/", cases[i].in, strlen(cases[i].in), &b), 0);
		if (strcmp(buf_str(&b), cases[i].want) != 0)
			fail_msg("%s: got %s, want %s", cases[i].in, buf_str(&b), cases[i].want);
		buf_release(&b);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_resolve_rfc3986_normal_examples),
		cmocka_unit_test(test_resolve_rfc3986_abnormal_examples),
		cmocka_unit_test(test_resolve_relative_forms_against_bases_with_query_and_fragment),
		cmocka_unit_test(test_resolve_absolute_refs_of_any_scheme_pass_through),
		cmocka_unit_test(test_resolve_encodes_spaces_and_non_ascii_like_a_browser),
		cmocka_unit_test(test_resolve_ipv6_ports_and_userinfo),
		cmocka_unit_test(test_resolve_backslashes_are_slashes_in_special_urls),
		cmocka_unit_test(test_resolve_without_usable_base_needs_absolute_ref),
		cmocka_unit_test(test_resolve_hostile_schemes_come_out_as_javascript_and_are_refused),
		cmocka_unit_test(test_resolve_embedded_nul_is_encoded),
		cmocka_unit_test(test_resolve_huge_inputs_fail_cleanly),
		cmocka_unit_test(test_resolve_output_resolves_to_itself),
		cmocka_unit_test(test_scheme_allowed_by_use),
		cmocka_unit_test(test_canonical_forms),
		cmocka_unit_test(test_canonical_equivalent_urls_agree),
		cmocka_unit_test(test_canonical_keeps_out_on_error),
		cmocka_unit_test(test_resolve_absolute_links_shortcut_agrees),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
