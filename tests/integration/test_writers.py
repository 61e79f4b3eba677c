#!/usr/bin/env python3
"""The feed writers against independent checks, over the shared feedparser corpus (issue #3).

For every file of SHARED/corpus/feedparser/wellformed/ that wiredesk reads, each of
`wiredesk convert --to rss|atom|json --base http://127.0.0.1:8097/<path> --self <URL> FILE`
(--base: the original's URL; --self: the URL the output is served from, its self link) must
  - exit 0 with valid UTF-8 on stdout and nothing on stderr;
  - atom: validate against the RFC 4287 RELAX NG schema (SHARED/validate/atom.rnc with jing and
    atom.rng with xmllint, as SHARED/validate/atom-rng.sh does, but one process for many files);
  - rss: be well-formed (xmllint --noout --nonet);
  - json: pass the checks of SHARED/validate/jsonfeed-validate.sh (its schema, duplicate keys,
    UTF-8 without BOM, RFC 3339 dates, unique item ids), done in-process; the script itself also runs
    on a sample, and must agree;
  - rss and atom: be read by python3-feedparser with bozo false, the same number of entries, and the
    titles, links and dates (as instants) of our own parse of the original;
  - rss and atom: keep the rules of SHARED/validate/README.md "Rules no schema checks" that a program
    can check (xml.etree): required elements, absolute URLs and ids, RFC 822 / RFC 3339 dates, self
    link, escaped text, no control characters, UTF-8;
  - round trip: `wiredesk parse` of the output (without --base: it must stand on its own) equals our
    parse of the original, field by field, but for feed_url, which is the --self URL now, and for
    the differences listed in tests/writers-differences.txt (FORMAT<TAB>FIELD PATTERN<TAB>why; see
    class Differences). Any other difference fails, naming file, format, field and both values.

Our parse of the original is the `convert --to json` output: parse and convert are one code path,
and one file in PARSE_EVERY also runs `wiredesk parse --base URL` to hold it to that.

The checks that need Debian's python3-feedparser, python3-jsonschema and python3-rfc3987 run in
/usr/bin/python3 worker processes started from this file (--worker); the test itself needs only the
standard library. Options for a person: --only REGEX (corpus paths), --every N (1 file in N),
--keep DIR (keep the outputs), WRITERS_SHOW=N (failures shown per check). Prints a summary with numbers; exits 1 on any failure,
2 when a tool is missing.
"""
import argparse
import concurrent.futures
import fnmatch
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DIFFERENCES = os.path.join(HERE, "..", "writers-differences.txt")
FORMATS = ("rss", "atom", "json")
SUFFIX = {"rss": ".rss.xml", "atom": ".atom.xml", "json": ".json"}
BASE = "http://127.0.0.1:8097/"
DEB_PYTHON = os.environ.get("WRITERS_PYTHON", "/usr/bin/python3")
RUN_TIMEOUT = 60
PARSE_EVERY = 10		# 1 corpus file in this many also runs `parse`, to hold it to `convert --to json`
SCRIPT_SAMPLE = 25		# JSON outputs also run through jsonfeed-validate.sh itself
SHOW = int(os.environ.get("WRITERS_SHOW", "60"))	# failures printed per check before "... and N more"

# ---------------------------------------------------------------------------------------------
# Checks that run under /usr/bin/python3 (feedparser, jsonschema, rfc3987); see worker_main().
# ---------------------------------------------------------------------------------------------

RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
RFC822 = re.compile(r"^(?:(Mon|Tue|Wed|Thu|Fri|Sat|Sun), )?(\d{1,2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|"
                    r"Oct|Nov|Dec) (\d{4}) (\d{2}):(\d{2})(?::(\d{2}))? (UT|GMT|EST|EDT|CST|CDT|MST|MDT|PST|"
                    r"PDT|Z|[+-]\d{4})$")
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
ATOM = "http://www.w3.org/2005/Atom"
XHTML = "http://www.w3.org/1999/xhtml"


def parse_rfc3339(val):
    """The UTC instant of an RFC 3339 date-time, or None when it is not one."""
    import datetime
    if not isinstance(val, str) or not RFC3339.match(val):
        return None
    try:
        return int(datetime.datetime.fromisoformat(val.upper().replace("Z", "+00:00")).timestamp())
    except ValueError:
        return None


def parse_rfc822(val):
    import email.utils
    m = RFC822.match(val or "")
    if m is None:
        return None
    try:
        d = email.utils.parsedate_to_datetime(val)
    except (TypeError, ValueError):
        return None
    if m.group(1) and d.strftime("%a") != m.group(1):
        return None
    return int(d.timestamp())


def is_http_url(u):
    from urllib.parse import urlsplit
    if not u or u != u.strip() or re.search(r"\s", u):
        return False
    try:
        s = urlsplit(u)
    except ValueError:
        return False
    return s.scheme in ("http", "https") and bool(s.netloc)


_RFC3987 = None


def is_absolute_iri(u):
    global _RFC3987
    if not u or re.search(r"\s", u) or not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", u):
        return False
    if _RFC3987 is None:
        try:
            import rfc3987
            _RFC3987 = rfc3987
        except ImportError:
            _RFC3987 = False
    if _RFC3987:
        return _RFC3987.match(u, rule="IRI") is not None	# absolute_IRI forbids a fragment
    return True


def check_json(raw, schema_validator, fail):
    """The checks of SHARED/validate/jsonfeed-validate.sh; fail(check, message) for each error."""
    errors = []
    if raw.startswith(b"\xef\xbb\xbf"):
        fail("jsonfeed", "file starts with a UTF-8 BOM")
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        fail("jsonfeed", "not UTF-8: %s" % e)
        return None

    def no_dups(pairs):
        seen = set()
        for k, _ in pairs:
            if k in seen:
                errors.append("duplicate key %r in one object" % k)
            seen.add(k)
        return dict(pairs)
    try:
        doc = json.loads(text, object_pairs_hook=no_dups)
    except ValueError as e:
        fail("jsonfeed", "invalid JSON: %s" % e)
        return None
    for e in sorted(schema_validator.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path))):
        errors.append("[schema] /%s: %s" % ("/".join(str(p) for p in e.absolute_path), e.message))
    if isinstance(doc, dict):
        if doc.get("next_url") is not None and doc.get("next_url") == doc.get("feed_url"):
            errors.append("/next_url must not equal feed_url")
        items = doc.get("items") if isinstance(doc.get("items"), list) else []
        ids = {}
        for i, it in enumerate(items):
            if not isinstance(it, dict):
                continue
            for k in ("date_published", "date_modified"):
                if k in it and isinstance(it[k], str) and parse_rfc3339(it[k]) is None:
                    errors.append("[date] /items/%d/%s: %r is not an RFC 3339 date-time" % (i, k, it[k]))
            if "id" in it:
                key = str(it["id"])
                if key in ids:
                    errors.append("/items/%d/id %r duplicates /items/%d/id" % (i, key, ids[key]))
                ids.setdefault(key, i)
    for e in errors:
        fail("jsonfeed", e)
    return doc


def local(tag):
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def ns(tag):
    return tag[1:].split("}", 1)[0] if isinstance(tag, str) and tag.startswith("{") else ""


def text_of(el):
    return (el.text or "") if el is not None else ""


def common_xml_rules(raw, root, base, fail):
    """What both XML formats keep: UTF-8, no control characters, namespaces that are URIs."""
    head = raw[:200].decode("ascii", "replace")
    m = re.match(r'<\?xml[^>]*encoding=["\']([^"\']+)', head)
    if m and m.group(1).lower() not in ("utf-8", "utf8"):
        fail("rules", "declared encoding %s, not UTF-8" % m.group(1))
    text = raw.decode("utf-8", "replace")
    c = CONTROL.search(text)
    if c:
        fail("rules", "control character U+%04X at offset %d" % (ord(c.group()), c.start()))
    for el in root.iter():
        u = ns(el.tag)
        if u and not is_absolute_iri(u):
            fail("rules", "namespace %r is not an absolute URI" % u)
        for a in el.attrib:
            u = ns(a)
            if u and not is_absolute_iri(u):
                fail("rules", "namespace %r is not an absolute URI" % u)


def rss_rules(raw, root, base, fail):
    if root.tag != "rss" or root.get("version") != "2.0":
        fail("rules", "root is <%s version=%r>, not <rss version=\"2.0\">" % (root.tag, root.get("version")))
    ch = root.find("channel")
    if ch is None:
        fail("rules", "no channel")
        return
    for name in ("title", "link", "description"):
        if ch.find(name) is None:
            fail("rules", "channel has no <%s>" % name)
    self_links = [l for l in ch.findall("{%s}link" % ATOM) if l.get("rel") == "self"]
    if len(self_links) != 1 or self_links[0].get("href") != base:
        fail("rules", "channel atom:link rel=self is %r, not the served URL %s"
             % ([l.get("href") for l in self_links], base))
    for el in [ch] + ch.findall("item"):
        what = "channel" if el is ch else "item %d" % ch.findall("item").index(el)
        if el is not ch and el.find("title") is None and el.find("description") is None:
            fail("rules", "%s has neither title nor description" % what)
        for child in el:
            name = child.tag
            if name in ("link", "comments", "docs") and not is_http_url(text_of(child).strip()):
                fail("rules", "%s <%s> %r is not an absolute http(s) URL" % (what, name, text_of(child)))
            if name in ("enclosure", "source") and not is_http_url(child.get("url")):
                fail("rules", "%s <%s url=%r> is not an absolute http(s) URL" % (what, name, child.get("url")))
            if name in ("pubDate", "lastBuildDate") and parse_rfc822(text_of(child)) is None:
                fail("rules", "%s <%s> %r is not an RFC 822 date with a four-digit year"
                     % (what, name, text_of(child)))
            if name == "guid" and child.get("isPermaLink") != "false" and not is_http_url(text_of(child)):
                fail("rules", "%s <guid> %r is a permalink but not an absolute URL" % (what, text_of(child)))
            if name == "guid" and child.get("isPermaLink") not in (None, "true", "false"):
                fail("rules", "%s <guid isPermaLink=%r>" % (what, child.get("isPermaLink")))
            if (name in ("title", "link", "description", "pubDate", "guid", "author", "category", "language",
                         "lastBuildDate", "ttl", "comments", "source", "{http://purl.org/rss/1.0/modules/content/}encoded",
                         "{http://purl.org/dc/elements/1.1/}creator") and len(child) > 0):
                fail("rules", "%s <%s> holds child elements, not escaped text" % (what, local(name)))
            if name == "enclosure":
                ln = child.get("length")
                if child.get("type") is None or ln is None or not re.match(r"^\d+$", ln):
                    fail("rules", "%s <enclosure> needs url, length (digits) and type: %r" % (what, child.attrib))


def atom_rules(raw, root, base, fail):
    A = "{%s}" % ATOM
    if root.tag != A + "feed":
        fail("rules", "root is %s, not atom:feed" % root.tag)
        return
    entries = root.findall(A + "entry")

    def one(el, name, what):
        found = el.findall(A + name)
        if len(found) != 1:
            fail("rules", "%s has %d <%s>, not one" % (what, len(found), name))
            return None
        return found[0]

    def check_text(el, what):
        if el is None:
            return
        t = el.get("type", "text")
        if t in ("text", "html") and len(el) > 0:
            fail("rules", "%s type=%s holds child elements, not escaped text" % (what, t))
        if t == "xhtml" and (len(el) != 1 or el[0].tag != "{%s}div" % XHTML or (el.text or "").strip()):
            fail("rules", "%s type=xhtml does not wrap exactly one xhtml:div" % what)

    def check_person(p, what):
        if p.find(A + "name") is None:
            fail("rules", "%s has no name" % what)
        u = p.find(A + "uri")
        if u is not None and not is_absolute_iri(text_of(u)):
            fail("rules", "%s uri %r is not an absolute IRI" % (what, text_of(u)))

    def check_common(el, what):
        i = one(el, "id", what)
        if i is not None and not is_absolute_iri(text_of(i)):
            fail("rules", "%s id %r is not an absolute IRI" % (what, text_of(i)))
        check_text(one(el, "title", what), what + " title")
        for name in ("updated", "published"):
            for d in el.findall(A + name):
                if parse_rfc3339(text_of(d)) is None:
                    fail("rules", "%s <%s> %r is not an RFC 3339 date with a zone" % (what, name, text_of(d)))
        one(el, "updated", what)
        for p in el.findall(A + "author") + el.findall(A + "contributor"):
            check_person(p, what + " " + local(p.tag))
        for l in el.findall(A + "link"):
            if not is_absolute_iri(l.get("href")):
                fail("rules", "%s link rel=%s href %r is not absolute" % (what, l.get("rel"), l.get("href")))
        for name in ("summary", "rights", "subtitle"):
            for t in el.findall(A + name):
                check_text(t, "%s %s" % (what, name))
        for c in el.findall(A + "category"):
            if not c.get("term"):
                fail("rules", "%s category without term" % what)

    check_common(root, "feed")
    self_links = [l for l in root.findall(A + "link") if l.get("rel") == "self"]
    if len(self_links) != 1 or self_links[0].get("href") != base:
        fail("rules", "feed link rel=self is %r, not the served URL %s" % ([l.get("href") for l in self_links], base))
    feed_author = root.find(A + "author") is not None
    for n, e in enumerate(entries):
        what = "entry %d" % n
        check_common(e, what)
        if not feed_author and e.find(A + "author") is None and e.find(A + "source/" + A + "author") is None:
            fail("rules", "%s has no author and the feed has none" % what)
        content = e.findall(A + "content")
        if len(content) > 1:
            fail("rules", "%s has %d <content>" % (what, len(content)))
        for c in content:
            check_text(c, what + " content")
        alternates = [l for l in e.findall(A + "link") if l.get("rel", "alternate") == "alternate"]
        if not content and not alternates:
            fail("rules", "%s has no content and no link rel=alternate" % what)
        pairs = [(l.get("type"), l.get("hreflang")) for l in alternates]
        if len(pairs) != len(set(pairs)):
            fail("rules", "%s has two rel=alternate links of the same type and hreflang" % what)


def fp_instant(st):
    import calendar
    return calendar.timegm(st) if st else None


def norm_space(s):
    return re.sub(r"\s+", " ", s or "").strip()


def fp_text(d, key):
    """feedparser's value as the text a reader shows: an RSS title is HTML to feedparser (and to
    most readers), so the writers escape its markup; feedparser says so in title_detail.type."""
    import html
    v = d.get(key)
    if v is not None and d.get(key + "_detail", {}).get("type") == "text/html":
        v = html.unescape(v)
    return norm_space(v)


def feedparser_check(fmt, raw, ref, fail, counts):
    """python3-feedparser reads the output: bozo false, the same items, titles, links and dates."""
    import feedparser
    d = feedparser.parse(raw)
    counts["feedparser"] += 1
    if d.bozo:
        fail("feedparser", "bozo: %s" % d.get("bozo_exception"))
    want = {"rss": ("rss20",), "atom": ("atom10",)}[fmt]
    if d.version not in want:
        fail("feedparser", "read as %r, not %s" % (d.version, want[0]))
    items = ref.get("items", [])
    if len(d.entries) != len(items):
        fail("feedparser", "%d entries, our parse of the original has %d items" % (len(d.entries), len(items)))
    if ref.get("title") is not None and fp_text(d.feed, "title") != norm_space(ref["title"]):
        fail("feedparser", "feed title %r, ours %r" % (d.feed.get("title"), ref["title"]))
    if ref.get("home_page_url") is not None and d.feed.get("link") != ref["home_page_url"]:
        fail("feedparser", "feed link %r, ours home_page_url %r" % (d.feed.get("link"), ref["home_page_url"]))
    for n, (e, it) in enumerate(zip(d.entries, items)):
        if it.get("title") is not None:
            counts["feedparser titles"] += 1
            if fp_text(e, "title") != norm_space(it["title"]):
                fail("feedparser", "item %d title %r (%s), ours %r"
                     % (n, e.get("title"), e.get("title_detail", {}).get("type"), it["title"]))
        counts["feedparser links"] += 1
        link = e.get("link")
        if it.get("url") is None and e.get("guidislink") and link == e.get("id"):
            link = None	# feedparser's stand-in for a missing link: the id
        if link != it.get("url"):
            fail("feedparser", "item %d link %r, ours url %r" % (n, e.get("link"), it.get("url")))
        # published is RSS pubDate or atom:published; updated is atom:updated (in RSS too). Read
        # without FeedParserDict's fallback from updated to published.
        for key, ours in (("published", "date_published"), ("updated", "date_modified")):
            want_t = parse_rfc3339(it.get(ours))
            got = fp_instant(dict.get(e, key + "_parsed"))
            if want_t is None and (got is None or key == "updated" and fmt == "atom"):
                continue	# Atom requires an updated date: a writer adds one
            counts["feedparser dates"] += 1
            if got != want_t:
                fail("feedparser", "item %d %s %r (%s), ours %s %s"
                     % (n, key, dict.get(e, key), got, ours, it.get(ours)))


def unrepeat(ref, doc):
    """ref with the "#2", "#3"... that convert adds to the ids of repeated items taken off again where
    parse (which shows the model as it is) has the bare id, so the two compare."""
    items = [dict(it) for it in ref.get("items", [])]
    for it, orig in zip(items, doc.get("items", [])):
        rid, oid = it.get("id"), orig.get("id")
        if isinstance(rid, str) and isinstance(oid, str) and re.fullmatch(re.escape(oid) + r"#\d+", rid):
            it["id"] = oid
    return dict(ref, items=items)


def worker_main(jobfile):
    """Runs under /usr/bin/python3: the checks of each output listed in jobfile; JSON on stdout."""
    import warnings
    import xml.etree.ElementTree as ET
    warnings.simplefilter("ignore")
    import jsonschema
    with open(jobfile, encoding="utf-8") as f:
        job = json.load(f)
    with open(job["schema"], encoding="utf-8") as f:
        schema = json.load(f)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    validator = cls(schema, format_checker=cls.FORMAT_CHECKER)
    failures = []
    counts = {"feedparser": 0, "feedparser titles": 0, "feedparser links": 0, "feedparser dates": 0,
              "rules": 0, "jsonfeed": 0, "jsonfeed warnings": 0}
    verdicts = {}
    for t in job["tasks"]:
        with open(t["out"], "rb") as f:
            raw = f.read()
        with open(t["ref"], encoding="utf-8") as f:
            ref = json.load(f)
        mine = []

        def fail(check, msg, t=t):
            mine.append(check)
            failures.append({"rel": t["rel"], "fmt": t["fmt"], "check": check, "msg": msg})
        if t["fmt"] == "json":
            counts["jsonfeed"] += 1
            doc = check_json(raw, validator, fail)
            if isinstance(doc, dict) and ("home_page_url" not in doc or "feed_url" not in doc):
                counts["jsonfeed warnings"] += 1
            verdicts[t["out"]] = "jsonfeed" not in mine
            continue
        counts["rules"] += 1
        try:
            root = ET.fromstring(raw)
        except ET.ParseError as e:
            fail("rules", "not well-formed: %s" % e)
            root = None
        if root is not None:
            common_xml_rules(raw, root, t["base"], fail)
            (rss_rules if t["fmt"] == "rss" else atom_rules)(raw, root, t["base"], fail)
        try:
            feedparser_check(t["fmt"], raw, ref, fail, counts)
        except Exception as e:	# a crash of feedparser on our output is a failure too
            fail("feedparser", "feedparser raised %r" % e)
    json.dump({"failures": failures, "counts": counts, "verdicts": verdicts}, sys.stdout)
    return 0


# ---------------------------------------------------------------------------------------------
# The test proper (any python3, standard library only).
# ---------------------------------------------------------------------------------------------

class Failures:
    def __init__(self):
        self.by_check = {}

    def add(self, check, rel, fmt, msg):
        self.by_check.setdefault(check, []).append("%s [%s] %s" % (rel, fmt, msg))

    def total(self):
        return sum(len(v) for v in self.by_check.values())

    def print(self):
        for check in sorted(self.by_check):
            lst = sorted(self.by_check[check])
            print("FAIL %s: %d" % (check, len(lst)))
            for line in lst[:SHOW]:
                print("  " + line[:600])
            if len(lst) > SHOW:
                print("  ... and %d more" % (len(lst) - SHOW))


def run(cmd):
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=RUN_TIMEOUT, check=False)
        return p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired:
        return "timeout", b"", b""


def self_url(rel, fmt):
    """The URL an output is served from (convert --self): its self link and its feed_url."""
    return BASE + "out/" + rel + SUFFIX[fmt]


def safe_name(rel):
    return rel.replace("/", "__")


def convert_one(wiredesk, corpus, rel, tmp, check_parse):
    """Convert to each format and parse each output: what came out, and what went wrong.

    The reference, our parse of the original, is `convert --to json`: `parse` and `convert` are one
    code path, and `parse --base URL` prints the same document but for feed_url (the --self URL);
    check_parse says to run `parse` as well and hold it to that. Each run of wiredesk costs tens of
    milliseconds, nearly all of it loading shared libraries: the runs are what this test spends."""
    path = os.path.join(corpus, rel)
    base = BASE + rel
    name = safe_name(rel)
    res = {"rel": rel, "base": base, "ref": None, "out": {}, "rt": {}, "errors": [], "parse_checked": False}
    for fmt in ("json", "rss", "atom"):
        rc, out, err = run([wiredesk, "convert", "--to", fmt, "--base", base, "--self", self_url(rel, fmt), path])
        if fmt == "json" and rc != 0:
            # Not a feed wiredesk reads, or convert fails where parse does not.
            prc, _, _ = run([wiredesk, "parse", "--base", base, path])
            if prc == 0:
                res["ref"] = {}
                res["errors"].append(("convert", fmt, "exit %s where parse reads the file, stderr %r"
                                      % (rc, err.decode("utf-8", "replace")[:300])))
            return res
        if rc != 0 or err:
            res["errors"].append(("convert", fmt, "exit %s, stderr %r" % (rc, err.decode("utf-8", "replace")[:300])))
            if rc != 0:
                continue
        try:
            out.decode("utf-8")
        except UnicodeDecodeError as e:
            res["errors"].append(("convert", fmt, "output is not UTF-8: %s" % e))
        outpath = os.path.join(tmp, fmt, name + SUFFIX[fmt])
        with open(outpath, "wb") as f:
            f.write(out)
        res["out"][fmt] = outpath
        if fmt == "json":
            try:
                res["ref"] = json.loads(out.decode("utf-8"))
            except ValueError as e:
                res["ref"] = {}
                res["errors"].append(("convert", fmt, "not JSON: %s" % e))
                return res
            res["refpath"] = outpath
            if check_parse:
                res["parse_checked"] = True
                prc, pout, perr = run([wiredesk, "parse", "--base", base, path])
                try:
                    doc = json.loads(pout.decode("utf-8")) if prc == 0 else None
                except ValueError:
                    doc = None
                if doc is None or dict(doc, feed_url=self_url(rel, "json")) != unrepeat(res["ref"], doc):
                    res["errors"].append(("convert-json", fmt, "parse --base differs from convert --to json "
                                          "in more than feed_url: exit %s, %s" % (prc, pout[:300])))
        # No --base: what a writer puts out must stand on its own.
        rc, rt, err = run([wiredesk, "parse", outpath])
        if rc != 0:
            res["errors"].append(("roundtrip", fmt, "wiredesk parse of the output: exit %s, %s"
                                  % (rc, err.decode("utf-8", "replace").strip()[:300])))
            continue
        try:
            res["rt"][fmt] = json.loads(rt.decode("utf-8"))
        except ValueError as e:
            res["errors"].append(("roundtrip", fmt, "wiredesk parse of the output printed no JSON: %s" % e))
    return res


def chunks(files, limit=60000):
    cur, size = [], 0
    for f in files:
        if cur and size + len(f) > limit:
            yield cur
            cur, size = [], 0
        cur.append(f)
        size += len(f) + 1
    if cur:
        yield cur


def run_jing(rnc, files, fail):
    """jing on many files per JVM. jing stops at the first file that is not well-formed (a fatal
    error): start again after it."""
    real = {os.path.realpath(f): f for f in files}
    unchecked = list(files)
    checked = 0
    while unchecked:
        batch = next(chunks(unchecked))
        p = subprocess.run(["jing", "-c", rnc] + batch, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, check=False)
        last_fatal = None
        seen = set()
        for line in p.stdout.splitlines():
            m = re.match(r"^(?:file:)?(.+?):(\d+):(\d+): (error|fatal|warning): (.*)$", line)
            if m is None:
                if line.strip():
                    fail(None, "jing: %s" % line)
                continue
            f = real.get(os.path.realpath(m.group(1)), m.group(1))
            if m.group(4) == "warning":
                continue
            if f not in seen:
                seen.add(f)
                fail(f, "jing: %s:%s: %s" % (m.group(2), m.group(3), m.group(5)))
            if m.group(4) == "fatal":
                last_fatal = f
        if p.returncode != 0 and not seen:
            fail(None, "jing exited %d without naming a file" % p.returncode)
            return checked
        if last_fatal is not None and last_fatal in batch:
            k = batch.index(last_fatal) + 1
        else:
            k = len(batch)
        checked += k
        unchecked = unchecked[k:]
    return checked


def run_xmllint(args, files, fail):
    """xmllint on many files per process: each file's errors; returns how many files it checked."""
    checked = 0
    for batch in chunks(files):
        p = subprocess.run(["xmllint", "--noout", "--nonet"] + args + batch, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, errors="replace", check=False)
        bad = {}
        known = set(batch)
        for line in p.stdout.splitlines():
            m = re.match(r"^(\S+?):(\d+): (.*)$", line)
            if m and m.group(1) in known:
                bad.setdefault(m.group(1), "xmllint: %s: %s" % (m.group(2), m.group(3)))
            m = re.match(r"^(\S+) fails to validate$", line)
            if m and m.group(1) in known:
                bad.setdefault(m.group(1), "xmllint: fails to validate")
        for f, msg in bad.items():
            fail(f, msg)
        if p.returncode != 0 and not bad:
            fail(None, "xmllint exited %d without naming a file: %s" % (p.returncode, p.stdout[-300:]))
        checked += len(batch)
    return checked


# ---- round trip ----

ABSENT = object()


class Differences:
    """tests/writers-differences.txt: FORMAT<TAB>FIELD PATTERN<TAB>why.
    FORMAT is rss, atom, json or *. FIELD PATTERN is a path with the list indices left out
    (items[].authors[].name), fnmatch wildcards allowed, optionally followed by " (added)",
    " (lost)", " (changed)" or " (moved)": then only that kind of difference is ignored. A value
    that moved from one field to another (the same text, or that text as HTML) has the path
    FROM>TO: items[].summary>content_html (moved). A value added or lost whole (all of an item's
    authors) is one difference at its own path (items[].authors (added)); when no pattern names
    that path, each of its leaves must match one (items[].authors[].url (lost)). A pattern may end
    with " ~REGEX": then the value must match it too (re.search; the round trip's value for added
    and changed, the original's for lost and moved)."""

    def __init__(self, path):
        self.rules = []
        with open(path, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                line = line.rstrip("\n")
                if not line.strip() or line.startswith("#"):
                    continue
                parts = line.split("\t")
                if len(parts) != 3 or not parts[2].strip():
                    raise SystemExit("%s:%d: want FORMAT<TAB>FIELD PATTERN<TAB>why" % (path, n))
                fmt, pat, why = parts
                m = re.match(r"^(\S+)(?: \((added|lost|changed|moved)\))?(?: ~(.+))?$", pat)
                if fmt not in FORMATS + ("*",) or m is None:
                    raise SystemExit("%s:%d: bad format or pattern %r" % (path, n, line))
                glob = m.group(1).replace("[]", "\0").replace("[", "[[]").replace("\0", "[[]]")
                self.rules.append({"line": n, "fmt": fmt, "pat": pat, "glob": glob, "kind": m.group(2),
                                   "value": re.compile(m.group(3)) if m.group(3) else None,
                                   "why": why, "hits": 0})

    def match(self, fmt, path, kind, old=ABSENT, new=ABSENT, count=False):
        v = new if kind in ("added", "changed") else old
        for r in self.rules:
            if r["fmt"] in (fmt, "*") and (r["kind"] is None or r["kind"] == kind) \
                    and fnmatch.fnmatchcase(path, r["glob"]) \
                    and (r["value"] is None or isinstance(v, str) and r["value"].search(v)):
                r["hits"] += count
                return r
        return None


def leaves(v, path, ipath):
    """(path without indices, path with indices, value) of every scalar in v."""
    if isinstance(v, dict):
        for k in sorted(v):
            yield from leaves(v[k], path + ("." if path else "") + k, ipath + ("." if ipath else "") + k)
    elif isinstance(v, list):
        for i, x in enumerate(v):
            yield from leaves(x, path + "[]", "%s[%d]" % (ipath, i))
    else:
        yield path, ipath, v


def compare(a, b, path="", ipath=""):
    """Differences between a (the original's parse) and b (the round trip's), leaf by leaf:
    (path, indexed path, kind, a value, b value); and the number of leaves compared."""
    diffs, n = [], 0
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            p, ip = path + ("." if path else "") + k, ipath + ("." if ipath else "") + k
            d, m = compare(a.get(k, ABSENT), b.get(k, ABSENT), p, ip)
            diffs += d
            n += m
        return moved(diffs, a, b, path, ipath), n
    if isinstance(a, list) and isinstance(b, list):
        for i in range(max(len(a), len(b))):
            d, m = compare(a[i] if i < len(a) else ABSENT, b[i] if i < len(b) else ABSENT,
                           path + "[]", "%s[%d]" % (ipath, i))
            diffs += d
            n += m
        return diffs, n
    if a is ABSENT and b is ABSENT:
        return diffs, n
    if a is ABSENT or b is ABSENT:
        # One difference where the value appears or disappears: a list of authors that a writer adds
        # is items[].authors (added), not a name added to an author that was there.
        kind = "added" if a is ABSENT else "lost"
        return [(path, ipath, kind, a, b)], sum(1 for _ in leaves(b if a is ABSENT else a, path, ipath))
    if isinstance(a, (dict, list)) or isinstance(b, (dict, list)) or a != b or type(a) is not type(b):
        return [(path, ipath, "changed", a, b)], n + 1
    return diffs, n + 1


def same_text(plain, value):
    """value says what plain says, as is or as HTML (a summary read back as content_html)."""
    import html
    return isinstance(plain, str) and isinstance(value, str) and plain in (value, html.unescape(value))


def moved(diffs, a, b, path, ipath):
    """Fields of one object that lost their value to a field that gained it become one difference,
    kind "moved", path FROM>TO: items[].summary>content_html (moved)."""
    lost = [k for k in a if k not in b and not isinstance(a[k], (dict, list))]
    added = [k for k in b if k not in a and not isinstance(b[k], (dict, list))]
    pairs = {k: t for k in lost for t in added if same_text(a[k], b[t])}
    if not pairs:
        return diffs
    pre, ipre = path + ("." if path else ""), ipath + ("." if ipath else "")
    gone = {pre + k for k in pairs} | {pre + t for t in pairs.values()}
    out = [d for d in diffs if d[0] not in gone or d[2] not in ("lost", "added")]
    for k, t in sorted(pairs.items()):
        out.append((pre + k + ">" + t, ipre + k + ">" + t, "moved", a[k], b[t]))
    return out


def show(v):
    return "(absent)" if v is ABSENT else json.dumps(v, ensure_ascii=False)[:300]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--wiredesk", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--shared", required=True)
    ap.add_argument("--only", help="only corpus files whose path matches this regular expression")
    ap.add_argument("--keep", help="write the outputs into this directory and keep them")
    ap.add_argument("--every", type=int, default=int(os.environ.get("WIREDESK_TEST_EVERY", "1")),
                    help="only 1 corpus file in this many (a quick run; default $WIREDESK_TEST_EVERY or 1)")
    ap.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.worker:
        return worker_main(a.worker)
    t0 = time.monotonic()

    corpus = os.path.join(a.shared, "corpus", "feedparser", "wellformed")
    validate = os.path.join(a.shared, "validate")
    need = [os.path.join(validate, n) for n in ("atom.rnc", "atom.rng", "jsonfeed-1.1.schema.json",
                                                "jsonfeed-validate.sh")]
    for p in need + [corpus]:
        if not os.path.exists(p):
            print("writers: %s not found" % p)
            return 2
    for tool in ("jing", "xmllint", DEB_PYTHON):
        if shutil.which(tool) is None:
            print("writers: %s not found (.ci/deps installs it)" % tool)
            return 2
    p = subprocess.run([DEB_PYTHON, "-c", "import feedparser, jsonschema, rfc3987"], stderr=subprocess.PIPE,
                       text=True, check=False)
    if p.returncode != 0:
        print("writers: %s lacks python3-feedparser, python3-jsonschema or python3-rfc3987: %s"
              % (DEB_PYTHON, p.stderr.strip().splitlines()[-1:]))
        return 2
    diffs = Differences(DIFFERENCES)

    files = sorted(os.path.relpath(os.path.join(d, n), corpus)
                   for d, _, names in os.walk(corpus) for n in names)
    if a.only:
        files = [f for f in files if re.search(a.only, f)]
    files = files[::max(1, a.every)]
    tmp = a.keep or tempfile.mkdtemp(prefix="wiredesk-writers.")
    for sub in FORMATS:
        os.makedirs(os.path.join(tmp, sub), exist_ok=True)
    fails = Failures()
    try:
        # 1. parse, convert, parse again: all the runs of wiredesk, a few at a time.
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, a.jobs)) as ex:
            results = list(ex.map(lambda n: convert_one(a.wiredesk, corpus, files[n], tmp, n % PARSE_EVERY == 0),
                                  range(len(files))))
        t1 = time.monotonic()
        read = [r for r in results if r["ref"] is not None]
        by_out = {}
        for r in read:
            for check, fmt, msg in r["errors"]:
                fails.add(check, r["rel"], fmt, msg)
            for fmt, out in r["out"].items():
                by_out[out] = (r["rel"], fmt)
        outs = {fmt: [r["out"][fmt] for r in read if fmt in r["out"]] for fmt in FORMATS}

        def fail_file(check):
            def f(path, msg):
                rel, fmt = by_out.get(path, ("?", "?"))
                fails.add(check, rel if path else "(tool)", fmt if path else "-", msg)
            return f

        # 2. the validators: the /usr/bin/python3 workers in the background, jing and xmllint meanwhile.
        tasks = [{"rel": r["rel"], "fmt": fmt, "out": r["out"][fmt], "ref": r["refpath"], "base": self_url(r["rel"], fmt)}
                 for r in read if "refpath" in r for fmt in FORMATS if fmt in r["out"]]
        nworkers = max(1, a.jobs)
        workers = []
        for w in range(nworkers):
            job = os.path.join(tmp, "job%d.json" % w)
            with open(job, "w", encoding="utf-8") as f:
                json.dump({"schema": os.path.join(validate, "jsonfeed-1.1.schema.json"),
                           "tasks": tasks[w::nworkers]}, f)
            workers.append(subprocess.Popen([DEB_PYTHON, os.path.abspath(__file__), "--wiredesk", a.wiredesk,
                                             "--data", a.data, "--shared", a.shared, "--worker", job],
                                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
        n_jing = run_jing(os.path.join(validate, "atom.rnc"), outs["atom"], fail_file("jing"))
        n_rng = run_xmllint(["--relaxng", os.path.join(validate, "atom.rng")], outs["atom"],
                            fail_file("xmllint-relaxng"))
        n_wf = run_xmllint([], outs["rss"], fail_file("xmllint"))
        # The script itself on a sample of the JSON outputs: its verdict must match the in-process one.
        step = max(1, len(outs["json"]) // SCRIPT_SAMPLE)
        sample = outs["json"][::step][:SCRIPT_SAMPLE]
        script_verdicts = {}
        for f in sample:
            p = subprocess.run(["sh", os.path.join(validate, "jsonfeed-validate.sh"), f], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, check=False,
                               env=dict(os.environ, JF_PYTHON=DEB_PYTHON))
            script_verdicts[f] = (p.returncode == 0, " | ".join(l for l in p.stdout.splitlines()
                                                                 if l.startswith("ERROR"))[:500])
        counts = {}
        verdicts = {}
        for w in workers:
            out, err = w.communicate()
            if w.returncode != 0:
                fails.add("worker", "-", "-", "the %s worker failed: %s" % (DEB_PYTHON, err.strip()[-2000:]))
                continue
            try:
                res = json.loads(out)
            except ValueError:
                fails.add("worker", "-", "-", "the %s worker printed no JSON: %s" % (DEB_PYTHON, out[-500:]))
                continue
            for x in res["failures"]:
                fails.add(x["check"], x["rel"], x["fmt"], x["msg"])
            for k, v in res["counts"].items():
                counts[k] = counts.get(k, 0) + v
            verdicts.update(res["verdicts"])
        disagree = 0
        for f, (ok, errors) in script_verdicts.items():
            if verdicts.get(f) != ok:
                disagree += 1
                fail_file("jsonfeed-validate.sh")(f, "the script says %s, the in-process checks %s: %s"
                                                  % ("valid" if ok else "invalid",
                                                     {True: "valid", False: "invalid"}.get(verdicts.get(f), "nothing"),
                                                     errors))
        t2 = time.monotonic()

        # 3. round trip.
        compared = 0
        ignored = {}
        rt_count = 0
        for r in read:
            for fmt in FORMATS:
                if fmt not in r["rt"]:
                    continue
                rt_count += 1
                # The output is served from its --self URL: that is its feed_url now, in every format.
                want = dict(r["ref"], feed_url=self_url(r["rel"], fmt))
                d, n = compare(want, r["rt"][fmt])
                compared += n
                for path, ipath, kind, va, vb in d:
                    # A value added or lost whole (a list of authors) matches a pattern of its own
                    # path, or else each of its leaves must match one (items[].authors[].url (lost)).
                    parts = [(path, ipath, va, vb)]
                    if kind in ("added", "lost") and diffs.match(fmt, path, kind, va, vb) is None:
                        v = vb if kind == "added" else va
                        parts = [(p, ip, ABSENT if kind == "added" else x, x if kind == "added" else ABSENT)
                                for p, ip, x in leaves(v, path, ipath)]
                    for p, ip, xa, xb in parts:
                        rule = diffs.match(fmt, p, kind, xa, xb, count=True)
                        if rule is not None:
                            key = "%s\t%s" % (rule["fmt"], rule["pat"])
                            ignored[key] = ignored.get(key, 0) + 1
                            continue
                        fails.add("roundtrip", r["rel"], fmt, "%s %s: original %s, round trip %s"
                                  % (ip, kind, show(xa), show(xb)))
        t3 = time.monotonic()
    finally:
        if not a.keep:
            shutil.rmtree(tmp, ignore_errors=True)

    fails.print()
    unused = [r for r in diffs.rules if r["hits"] == 0]
    for r in (unused if not a.only and a.every <= 1 else []):
        print("note: difference never seen (remove it?): line %d: %s\t%s" % (r["line"], r["fmt"], r["pat"]))
    print("writers: %d corpus files, %d read by wiredesk parse, %d not (skipped); %d outputs written"
          % (len(files), len(read), len(files) - len(read), sum(len(v) for v in outs.values())))
    print("  jing (RFC 4287 RELAX NG):     %5d Atom outputs checked" % n_jing)
    print("  xmllint --relaxng atom.rng:   %5d Atom outputs checked" % n_rng)
    print("  xmllint well-formedness:      %5d RSS outputs checked" % n_wf)
    print("  JSON Feed checks (in-process):%5d JSON outputs checked, %d without home_page_url or feed_url "
          "(a warning only); jsonfeed-validate.sh itself on %d, %d disagreeing"
          % (counts.get("jsonfeed", 0), counts.get("jsonfeed warnings", 0), len(script_verdicts), disagree))
    print("  feedparser (bozo, items):     %5d RSS and Atom outputs; %d titles, %d links, %d dates compared"
          % (counts.get("feedparser", 0), counts.get("feedparser titles", 0), counts.get("feedparser links", 0),
             counts.get("feedparser dates", 0)))
    print("  README rules (xml.etree):     %5d RSS and Atom outputs checked" % counts.get("rules", 0))
    print("  parse --base equal to convert --to json but for feed_url: checked on %d files (1 in %d)"
          % (sum(r["parse_checked"] for r in read), PARSE_EVERY))
    print("  round trip: %d outputs parsed again, %d fields compared, %d differences ignored as listed:"
          % (rt_count, compared, sum(ignored.values())))
    for key in sorted(ignored):
        print("    %6d  %s" % (ignored[key], key))
    print("  time: %.0fs wiredesk runs, %.0fs validators, %.0fs round trip" % (t1 - t0, t2 - t1, t3 - t2))
    total = fails.total()
    print("writers: %s" % ("%d failures" % total if total else "all checks pass"))
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main())
