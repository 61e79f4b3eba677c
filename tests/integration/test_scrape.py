#!/usr/bin/env python3
"""`wiredesk scrape` and `wiredesk discover` on the saved pages of tests/data/html/ (issue #7).

- scrape: each page with its rules file prints a JSON Feed 1.1 document held to the contract of
  `parse` (valid UTF-8, NFC, no control characters, RFC 3339 UTC dates, absolute http(s) item URLs,
  no script, handler or javascript: URL in content_html, unique ids), with the items the page shows;
  stdin ('-') gives the same bytes as the file; the page's URL defaults to the source's url.
- ids: an hour later the same stories (moved, with new comment counts) have the same ids.
- errors (DESIGN.md, sysexits.h): a rule that matches nothing exits 65 with one stderr line naming
  the rule and nothing on stdout; a rules file that is not one html source exits 78; a missing page
  66; missing arguments 64.
- discover: the feeds a page advertises, "URL<TAB>TYPE<TAB>TITLE" a line in page order; a page
  without any exits 65. With a URL, the page is fetched (from the fixture server) and read against
  its final URL; a private address is refused (exit 77) unless --allow-private; an HTTP error 69.
- extract: the cluttered article page gives its paragraphs and none of its clutter (share widgets,
  "you may also like", comments and "Leave a Reply", ads, newsletter, sidebar, footer), as HTML;
  a --rules file's content rule overrides the heuristic; a page without an article exits 65.
- hostile: a 12 MB page of nested, script-laden markup finishes in bounded time and memory.

Standard library only. Prints one line per check and `N passed, N failed`; exits 1 on failure.
"""
import argparse
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
import unicodedata

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checks import check, finish  # noqa: E402
from fixture_server import FixtureServer  # noqa: E402

LISTING_BASE = "https://www.harbourcourier.example/news/latest/"
RFC3339_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
UNSAFE = re.compile(r"<script|<iframe|<svg|<style|\son[a-z]+=|javascript:|vbscript:|data:text", re.I)


def run(wd, args, stdin=None, timeout=60):
    t0 = time.monotonic()
    p = subprocess.run([wd] + args, input=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       check=False, timeout=timeout)
    return p, time.monotonic() - t0


def contract(name, doc):
    """The problems of a scraped JSON Feed document, as a list of strings (empty: none)."""
    bad = []
    if doc.get("version") != "https://jsonfeed.org/version/1.1":
        bad.append("version")
    ids = [it.get("id") for it in doc.get("items", [])]
    if len(set(ids)) != len(ids) or None in ids:
        bad.append("ids not unique")
    for it in doc.get("items", []):
        for key, value in it.items():
            if isinstance(value, str):
                if unicodedata.normalize("NFC", value) != value:
                    bad.append("%s not NFC" % key)
                if any(ord(c) < 0x20 and c not in "\t\n\r" for c in value):
                    bad.append("%s has control characters" % key)
        for key in ("date_published", "date_modified"):
            if key in it and not RFC3339_UTC.match(it[key]):
                bad.append("%s %r" % (key, it[key]))
        for key in ("url", "image"):
            if key in it and not it[key].startswith(("https://", "http://")):
                bad.append("%s %r" % (key, it[key]))
        if UNSAFE.search(it.get("content_html", "")):
            bad.append("unsafe content %r" % it["content_html"][:200])
        if "content_html" not in it and "content_text" not in it:
            bad.append("no content")
    return bad


def scrape(wd, data, page, rules, extra=()):
    p, secs = run(wd, ["scrape", "--rules", os.path.join(data, rules)] + list(extra) + [os.path.join(data, page)])
    doc = None
    if p.returncode == 0:
        try:
            doc = json.loads(p.stdout.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as e:
            check("%s: output is JSON" % page, False, e)
    return p, doc


def test_pages(wd, data):
    cases = [
        # page, rules, --base, items, (index, key, value)...
        ("news-listing.html", "news-listing.conf", None, 21, [
            (0, "title", "Quake of magnitude 6.1 strikes off the northern coast"),
            (0, "date_published", "2026-11-26T14:05:00Z"),
            (4, "url", "https://www.harbourcourier.example/news/science/2026/11/probe-far-side"),
            (2, "id", "https://www.harbourcourier.example/business/2026/11/"
                      "central-bank-holds-rates-at-3-25-and-signals-pat")]),
        ("legacy-latin1.html", "legacy-latin1.conf", None, 6, [
            (1, "title", "Budget 2027 : 1,2 million d\u2019euros pour la voirie"),
            (1, "date_published", "2026-11-26T09:10:00Z")]),
        ("base-element.html", "base-element.conf", None, 4, [
            (0, "url", "https://cdn.northwind.example/archive/2026/11/harbour-cranes.html"),
            (0, "image", "https://cdn.northwind.example/archive/2026/11/thumbs/cranes.jpg")]),
        ("hostile-javascript.html", "hostile-javascript.conf", None, 7, [
            (6, "url", "https://deals.example/ok/real-story")]),
    ]
    for page, rules, base, n, fields in cases:
        extra = ["--base", base] if base else []
        p, doc = scrape(wd, data, page, rules, extra)
        if not check("scrape %s: exit 0, stderr empty" % page, p.returncode == 0 and not p.stderr,
                     (p.returncode, p.stderr[:500])) or doc is None:
            continue
        items = doc.get("items", [])
        check("scrape %s: %d items" % (page, n), len(items) == n, len(items))
        bad = contract(page, doc)
        check("scrape %s: the contract of parse" % page, not bad, bad)
        for i, key, value in fields:
            got = items[i].get(key) if i < len(items) else None
            check("scrape %s: items[%d].%s" % (page, i, key), got == value, got)
        # The same page on stdin, the same bytes.
        with open(os.path.join(data, page), "rb") as f:
            q, _ = run(wd, ["scrape", "--rules", os.path.join(data, rules)] + extra + ["-"], stdin=f.read())
        check("scrape %s: stdin gives the same bytes" % page, q.returncode == 0 and q.stdout == p.stdout)
    # Without a content rule no url is other than http(s); javascript: never becomes one.
    p, doc = scrape(wd, data, "hostile-javascript.html", "hostile-javascript.conf")
    if doc is not None:
        urls = [it.get("url") for it in doc["items"] if "url" in it]
        check("hostile: only https urls", all(u.startswith("https://") for u in urls), urls)
        check("hostile: no item from script text",
              not any("Fake" in it.get("title", "") or "Smuggled" in it.get("title", "") for it in doc["items"]))


def test_ids_across_pages(wd, data):
    _, a = scrape(wd, data, "news-listing.html", "news-listing.conf")
    _, b = scrape(wd, data, "news-listing-later.html", "news-listing.conf")
    if a is None or b is None:
        check("ids: both pages scrape", False)
        return
    ia = {it["title"]: it["id"] for it in a["items"] if "title" in it}
    ib = {it["title"]: it["id"] for it in b["items"] if "title" in it}
    common = set(ia) & set(ib)
    check("ids: 19 stories on both pages", len(common) == 19, len(common))
    check("ids: each keeps its id", all(ia[t] == ib[t] for t in common),
          [t for t in common if ia[t] != ib[t]])
    new = set(ib) - set(ia)
    check("ids: two new stories", len(new) == 2, new)


def test_errors(wd, data):
    with tempfile.TemporaryDirectory() as tmp:
        def rules(name, text):
            path = os.path.join(tmp, name)
            with open(path, "w") as f:
                f.write(text)
            return path
        listing = os.path.join(data, "news-listing.html")
        src = open(os.path.join(data, "news-listing.conf")).read()
        for rule, old, new in (("item", 'item    = //section[@class="river"]/article', "item = //ol/li"),
                               ("title", "title   = .//h2/a | .//h2[not(a)]/text()", "title = .//h5"),
                               ("link", "link    = .//h2/a/@href", "link = .//a[@rel='bookmark']/@href")):
            path = rules("bad-%s.conf" % rule, src.replace(old, new))
            p, _ = run(wd, ["scrape", "--rules", path, listing])
            err = p.stderr.decode("utf-8", "replace")
            check("rule %s matching nothing: exit 65, no output" % rule, p.returncode == 65 and not p.stdout,
                  (p.returncode, p.stdout[:200]))
            check("rule %s matching nothing: one stderr line naming it" % rule,
                  err.count("\n") == 1 and ("rule %s " % rule) in err and "news-listing.html" in err, err)
        feed_src = rules("feed.conf", "[source plain]\nurl = https://example.org/feed.xml\n")
        p, _ = run(wd, ["scrape", "--rules", feed_src, listing])
        check("a feed source: exit 78", p.returncode == 78 and not p.stdout, (p.returncode, p.stderr))
        two = rules("two.conf", src + "\n[source other]\nurl = https://example.org/feed.xml\n")
        p, _ = run(wd, ["scrape", "--rules", two, listing])
        check("two sources: exit 78", p.returncode == 78 and not p.stdout, (p.returncode, p.stderr))
        broken = rules("broken.conf", src.replace("summary = .//p[@class=\"dek\"]", "summary = .//p["))
        p, _ = run(wd, ["scrape", "--rules", broken, listing])
        check("a rule that is not XPath: exit 78, FILE:LINE", p.returncode == 78 and b"broken.conf:" in p.stderr,
              (p.returncode, p.stderr))
        p, _ = run(wd, ["scrape", "--rules", os.path.join(data, "news-listing.conf"), os.path.join(tmp, "nope.html")])
        check("missing page: exit 66", p.returncode == 66 and not p.stdout, p.returncode)
        p, _ = run(wd, ["scrape", listing])
        check("no --rules: exit 64", p.returncode == 64, p.returncode)
        p, _ = run(wd, ["discover"])
        check("discover without a page: exit 64", p.returncode == 64, p.returncode)


def test_discover(wd, data):
    p, _ = run(wd, ["discover", os.path.join(data, "discover.html"), "--base", "https://fieldnotes.example/"])
    want = ("https://fieldnotes.example/blog/feed.xml\trss\tField Notes (RSS)\n"
            "https://fieldnotes.example/blog/atom.xml\tatom\tField Notes (Atom)\n"
            "https://fieldnotes.example/blog/feed.json\tjson\tField Notes (JSON Feed)\n"
            "https://fieldnotes.example/blog/comments/feed.xml?format=rss&v=2\trss\tComments\n"
            "https://fieldnotes.example/blog/late.json\tjson\tLate JSON\n")
    check("discover: rss, atom and json feeds in page order", p.returncode == 0 and p.stdout.decode() == want,
          (p.returncode, p.stdout, p.stderr))
    with open(os.path.join(data, "discover.html"), "rb") as f:
        q, _ = run(wd, ["discover", "-", "--base", "https://fieldnotes.example/"], stdin=f.read())
    check("discover: stdin the same", q.stdout == p.stdout)
    p, _ = run(wd, ["discover", os.path.join(data, "base-element.html")])
    check("discover: none advertised: exit 65", p.returncode == 65 and not p.stdout and p.stderr, p.returncode)


def test_discover_url(wd):
    page = ('<!DOCTYPE html><html><head><title>Blog</title>'
            '<link rel="alternate" type="application/atom+xml" href="atom.xml" title="Blog (Atom)">'
            '<link rel="alternate" type="application/feed+json" href="/feed.json">'
            '</head><body><p>hello</p></body></html>')
    with FixtureServer() as srv:
        srv.route("/site/blog/", body=page, content_type="text/html; charset=utf-8")
        srv.route("/old", redirect=srv.url("/site/blog/"), status=301)
        srv.route("/bare", body="<html><body>no feeds here</body></html>", content_type="text/html")
        want = ("%s\tatom\tBlog (Atom)\n%s\tjson\n" % (srv.url("/site/blog/atom.xml"), srv.url("/feed.json")))
        p, _ = run(wd, ["discover", "--allow-private", srv.url("/old")])
        check("discover URL: fetched, read against the URL after redirects",
              p.returncode == 0 and p.stdout.decode() == want and not p.stderr, (p.returncode, p.stdout, p.stderr))
        ua = (srv.log(path="/old") or [{"header": {}}])[0]["header"].get("user-agent") or ""
        check("discover URL: fetched as the daemon fetches", ua.startswith("wiredesk/"), ua)
        srv.clear()
        p, _ = run(wd, ["discover", srv.url("/site/blog/")])
        check("discover URL: a private address refused without --allow-private: exit 77, nothing fetched",
              p.returncode == 77 and not p.stdout and b"--allow-private" in p.stderr and not srv.log(),
              (p.returncode, p.stderr, srv.log()))
        p, _ = run(wd, ["discover", "--allow-private", srv.url("/missing")])
        check("discover URL: an HTTP error exits 69", p.returncode == 69 and b"HTTP 404" in p.stderr and not p.stdout,
              (p.returncode, p.stderr))
        p, _ = run(wd, ["discover", "--allow-private", srv.url("/bare")])
        check("discover URL: none advertised: exit 65", p.returncode == 65 and not p.stdout, (p.returncode, p.stderr))
    p, _ = run(wd, ["discover", "--allow-private", "-"], stdin=page.encode())
    check("discover: --allow-private with a saved page: exit 64", p.returncode == 64, p.returncode)


def test_extract(wd, data):
    page = os.path.join(data, "article-cluttered.html")
    base = "https://www.harbourcourier.example/science/rivers/the-river"
    p, _ = run(wd, ["extract", "--base", base, page])
    out = p.stdout.decode("utf-8", "replace")
    check("extract: exit 0, stderr empty", p.returncode == 0 and not p.stderr, (p.returncode, p.stderr))
    kept = ["Twice a day, when the tide turns", "Surfers have ridden it", "Her team has spent three winters",
            "A wave with a timetable", "People drive for hours", "The council now publishes",
            "For the scientists, the next question"]
    check("extract: the article's paragraphs", all(k in out for k in kept), [k for k in kept if k not in out])
    clutter = ["cookies", "Share on Facebook", "Tweet", "You may also like", "dunes that move", "Leave a Reply",
               "Post Comment", "Saw it last March", "Advertisement", "newsletter", "Most read", "mattresses",
               "All rights reserved", "<script", "<form", "javascript:"]
    check("extract: none of the clutter", not any(c in out for c in clutter), [c for c in clutter if c in out])
    check("extract: absolute links", 'href="https://www.harbourcourier.example/science/rivers/bore-times"' in out)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "rules.conf")
        with open(path, "w") as f:
            f.write("[source river]\ntype = html\nurl = %s\nitem = //article\ntitle = .//h1\n"
                    "link = .//a/@href\ncontent = //figure/figcaption\n" % base)
        q, _ = run(wd, ["extract", "--rules", path, page])
        check("extract --rules: the content rule wins",
              q.returncode == 0 and q.stdout.decode().startswith("<figcaption>The tidal bore passing"), q.stdout[:200])
        with open(path, "w") as f:
            f.write("[source river]\nurl = %s\nfulltext = yes\ncontent = //figure/figcaption\n" % base)
        q, _ = run(wd, ["extract", "--rules", path, page])
        check("extract --rules: a feed source's fulltext content rule too",
              q.returncode == 0 and q.stdout.decode().startswith("<figcaption>The tidal bore passing"), q.stderr[:200])
    p, _ = run(wd, ["extract", os.path.join(data, "discover.html")])
    check("extract: no article: exit 65", p.returncode == 65 and not p.stdout and p.stderr, p.returncode)


def test_hostile(wd):
    rules_text = ("[source hostile]\ntype = html\nurl = https://hostile.example/\n"
                  "item = //div\ntitle = .\nlink = .//a/@href\ncontent = .\n")
    parts = ["<html><body>"]
    parts.append("<div><a href='/x'>x</a>" * 100000)
    parts.append("<script>var s = '<div><a href=\"javascript:alert(1)\">s</a></div>';</script>\n" * 150000)
    page = "".join(parts).encode()
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "rules.conf")
        with open(path, "w") as f:
            f.write(rules_text)
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        p, secs = run(wd, ["scrape", "--rules", path, "-"], stdin=page, timeout=120)
        rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        check("hostile %d MB page: exit 0" % (len(page) >> 20), p.returncode == 0, (p.returncode, p.stderr[:300]))
        check("hostile page: under 20 s (%.1f s)" % secs, secs < 20, secs)
        check("hostile page: under 1 GiB of memory (%d MiB)" % (rss >> 10), rss < (1 << 20) or rss == before, rss)
        if p.returncode == 0:
            doc = json.loads(p.stdout)
            check("hostile page: nothing unsafe", not contract("hostile", doc), contract("hostile", doc)[:5])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--wiredesk", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--shared")
    a = ap.parse_args()
    data = os.path.join(a.data, "html")
    test_pages(a.wiredesk, data)
    test_ids_across_pages(a.wiredesk, data)
    test_errors(a.wiredesk, data)
    test_discover(a.wiredesk, data)
    test_discover_url(a.wiredesk)
    test_extract(a.wiredesk, data)
    test_hostile(a.wiredesk)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
