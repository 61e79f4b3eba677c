#!/usr/bin/env python3
"""`wiredesk parse` on well-formed and hostile feeds (tests/data/parse/<case>/).

Each case directory holds the input, `input.<ext>` (or a `gen` line in expect.txt that builds a large
input at test time), and one of:
  expected.json  the exact stdout; the exit status must be 0;
  expect.txt     assertions, one a line (see EXPECT_HELP below);
plus optionally `args`: extra command-line arguments, one a line, placed before the file name.

Whatever the case says, every run is also held to the contract of `parse`: on success stdout is a
JSON Feed 1.1 document in valid UTF-8 whose strings are NFC without control characters, whose dates
are RFC 3339 UTC ("...Z"), whose URLs are absolute with an allowed scheme and whose content_html holds
no script, event handler or javascript: URL, and stderr is empty; on failure stdout is empty and
stderr is one line naming the input. Exit 65 is a rejected feed, 66 a missing input, 64 a usage error.

Python 3 standard library only. Prints one line per case and `N passed, N failed`; exits 1 on failure.
"""
import argparse
import concurrent.futures
import datetime
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unicodedata

EXPECT_HELP = """\
expect.txt, one assertion a line; '#' starts a comment line:
  exit N [N...]            the exit status, one of these (required)
  stdin                    run `wiredesk parse -` with the input on stdin
  missing                  pass a path that does not exist
  gen NAME [ARG...]        build the input with generator NAME instead of reading input.*
  timeout S                kill the run after S seconds (a failure; default 60)
  max-seconds S            the run must take at most S seconds of wall time
  max-rss-mb N             the process's peak resident memory must stay below N MiB
  deterministic            a second run must print the same bytes
  fifo                     "@FIFO@" in the input becomes a named pipe nobody writes: opening it hangs
  listen                   "@PORT@" in the input becomes a local TCP port: no connection may arrive
  stderr-matches RE        re.search on stderr (when the exit status is not 0)
  stderr-not-matches RE
  stdout-contains TEXT     the raw stdout contains TEXT (the rest of the line, as is)
  stdout-not-contains TEXT
  json PATH OP [VALUE]     on the parsed stdout, when the exit status is 0:
      PATH  a.b[0].c, [N] an index (negative from the end), [*] every element, '.' the document
      OP    == JSON | != JSON | ==@ PATH | !=@ PATH (the value at another path) | contains JSON | !contains JSON | matches "RE" | present | absent
            | len== N | len<= N | len>= N (UTF-8 bytes of a string, elements of a list)
            | now (a date within 10 minutes of the run) | unique (the values are distinct)
  json? PATH OP [VALUE]    the same, checked only where PATH is present
"""

ITEM_KEYS = {"_wiredesk", "id", "url", "external_url", "title", "content_html", "content_text", "summary", "image",
             "banner_image", "date_published", "date_modified", "authors", "tags", "language",
             "attachments"}
FEED_KEYS = {"version", "title", "home_page_url", "feed_url", "description", "user_comment", "next_url",
             "icon", "favicon", "authors", "language", "expired", "hubs", "items"}
SHORT_FIELDS = {"id", "title", "url", "external_url", "image", "name", "avatar", "mime_type"}
ITEM_MAX_FIELD = 1 << 20
ITEM_MAX_SHORT = 8 << 10
LINK_SCHEMES = ("http://", "https://")
MEDIA_DATA = re.compile(r"^data:image/(png|gif|jpeg|webp)[;,]", re.I)
DATE_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
SPACE_CHARS = re.compile("[\t\n\r]")
# What may never appear in sanitized HTML (REFERENCE.md §3 and catalogue 19-36).
HTML_FORBIDDEN = [
    (re.compile(r"<\s*script", re.I), "a <script> element"),
    (re.compile(r"<[a-zA-Z][^>]*\son[a-zA-Z]+\s*=", re.S), "an on* event handler attribute"),
    (re.compile(r"(href|src|srcset|poster|cite|action|background)\s*=\s*[\"']?\s*(javascript|vbscript|livescript):",
                re.I), "a javascript: URL"),
    (re.compile(r"(href|src|srcset|poster)\s*=\s*[\"']?\s*data:(?!image/(png|gif|jpeg|webp)[;,])", re.I),
     "a data: URL other than a raster image"),
    (re.compile(r"<\s*(style|base|object|embed|form|meta|link|svg|math|template|noscript|textarea)\b", re.I),
     "an element outside the allowlist"),
    (re.compile(r"\sstyle\s*=", re.I), "a style attribute"),
    (re.compile(r"<!--|<!\[CDATA\[|<\?", re.I), "a comment, CDATA section or processing instruction"),
]


class CaseError(Exception):
    pass


# ---------------------------------------------------------------- generators of large inputs

def gen_quadratic(entity_bytes="50000", refs="20000"):
    """Catalogue 5: one 50 KB entity referenced 20,000 times (1 GB once expanded)."""
    ent = "a" * int(entity_bytes)
    body = "&a;" * int(refs)
    return ('<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY a "%s">]>\n'
            '<rss version="2.0"><channel><title>quadratic</title><item><title>x</title>'
            '<description>%s</description></item></channel></rss>\n' % (ent, body)).encode()


def gen_nested_in_item(n="100000", name="div"):
    """Catalogue 7: an item whose description nests n elements, between two ordinary items."""
    n = int(n)
    return ('<rss version="2.0"><channel><title>nested</title>'
            '<item><title>before</title><guid>urn:before</guid></item>'
            '<item><title>deep</title><description>' + '<%s>' % name * n + 'x' + '</%s>' % name * n +
            '</description></item>'
            '<item><title>after</title><guid>urn:after</guid></item></channel></rss>\n').encode()


def gen_nested_escaped(n="100000"):
    """Catalogue 7, HTML side: 100k nested <div>s as escaped HTML in one description."""
    n = int(n)
    return ('<rss version="2.0"><channel><title>nested html</title>'
            '<item><title>deep</title><description>' + '&lt;div&gt;' * n + 'x' + '&lt;/div&gt;' * n +
            '</description></item><item><title>after</title></item></channel></rss>\n').encode()


def gen_big_text(mb="12", where="description"):
    """Catalogue 8: a single text node of mb MiB."""
    text = ("All work and no play makes Jack a dull boy. " * (1 + (int(mb) << 20) // 44))[:int(mb) << 20]
    if where == "title":
        item = '<item><title>%s</title><guid>urn:big</guid></item>' % text
    elif where == "cdata":
        item = '<item><title>cdata</title><content:encoded><![CDATA[<p>%s</p>]]></content:encoded></item>' % text
    else:
        item = '<item><title>big</title><description>%s</description></item>' % text
    return ('<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
            '<title>big text</title>%s<item><title>after</title></item></channel></rss>\n' % item).encode()


def gen_many_items(n="100000", total_mb="64"):
    """Catalogue 9: n items padded out to a document of total_mb MiB."""
    n, target = int(n), int(total_mb) << 20
    head = ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>many</title>'
            '<link>https://example.org/</link><description>%d items</description>\n' % n)
    tail = '</channel></rss>\n'
    per = (target - len(head) - len(tail)) // n
    filler = "Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * (per // 57 + 2)
    parts = [head]
    for i in range(n):
        s = ('<item><title>Item %d</title><link>https://example.org/%d</link><guid>https://example.org/%d</guid>'
             '<pubDate>Mon, 01 Jan 2024 10:00:00 GMT</pubDate><description>' % (i, i, i))
        e = '</description></item>\n'
        parts.append(s + filler[:max(0, per - len(s) - len(e))] + e)
    parts.append(tail)
    return "".join(parts).encode()


def gen_long_name(n="50000", kind="element"):
    """Catalogue 16: an element or attribute name of n characters in the second of three items."""
    name = "n" * int(n)
    if kind == "attribute":
        odd = '<item %s="v"><title>two</title></item>' % name
    else:
        odd = '<item><title>two</title><%s>x</%s></item>' % (name, name)
    return ('<rss version="2.0"><channel><title>names</title><item><title>one</title></item>%s'
            '<item><title>three</title></item></channel></rss>\n' % odd).encode()


def gen_many_attrs(n="10000"):
    """Catalogue 16: n attributes on an item, on its description and inside its HTML."""
    attrs = " ".join('a%d="%d"' % (i, i) for i in range(int(n)))
    return ('<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>attrs</title>'
            '<item %s><title %s>many attributes</title><guid>urn:attrs</guid>'
            '<content:encoded><![CDATA[<p>before</p><p %s>y</p>]]></content:encoded></item>'
            '<item><title>after</title></item></channel></rss>\n' % (attrs, attrs, attrs)).encode()


def gen_json_nested(n="100000", where="item"):
    """Catalogue 17: n nested '[' inside an item (or unclosed at the end)."""
    n = int(n)
    if where == "unclosed":
        return ('{"version":"https://jsonfeed.org/version/1.1","title":"t","items":[{"id":"1","title":"a"}],'
                '"x":' + '[' * n).encode()
    return ('{"version":"https://jsonfeed.org/version/1.1","title":"t","items":[{"id":"1","title":"a","_x":' +
            '[' * n + ']' * n + '}]}').encode()


def gen_big_guid(mb="1"):
    """Catalogue 15: a guid of mb MiB, and a second item with the same guid."""
    guid = "g" * (int(mb) << 20)
    return ('<rss version="2.0"><channel><title>guids</title>'
            '<item><title>big guid</title><guid isPermaLink="false">%s</guid></item>'
            '<item><title>big guid again</title><guid isPermaLink="false">%s</guid></item>'
            '</channel></rss>\n' % (guid, guid)).encode()


def gen_boundaries(n="3000"):
    """Multibyte characters, references and CDATA at every offset across the 4 KiB sniff and 64 KiB read
    boundaries: items whose text is the same whatever the chunking."""
    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>boundaries</title>\n']
    for i in range(int(n)):
        pad = "p" * (i % 13)
        parts.append('<item><title>%s é€😀 &amp; &#233; &nbsp;x &hellip;</title><guid>urn:%d</guid>'
                     '<description><![CDATA[<b>%d</b> ü]]></description></item>\n' % (pad, i, i))
    parts.append('</channel></rss>\n')
    return "".join(parts).encode()


def gen_expanding(n="60000"):
    """Catalogue 8: HTML under the field limit as read, past it once escaped ('&' to '&amp;')."""
    return ('<rss version="2.0"><channel><title>expanding</title><item><title>amps</title><guid>urn:amps</guid>'
            '<description>&lt;p&gt;' + 'Tom &amp; Jerry &gt; 3 ' * int(n) + '&lt;/p&gt;</description></item>'
            '<item><title>after</title></item></channel></rss>\n').encode()


def gen_padded_json(n="70000"):
    """JSON Feed after n bytes of white space: more than the first chunk the binary reads."""
    return (" \n" * (int(n) // 2) + '{"version":"https://jsonfeed.org/version/1.1","title":"padded",'
            '"items":[{"id":"1","title":"a"}]}\n').encode()


def gen_entity_late(offset="65533"):
    """Catalogue 1: an entity declaration starting at byte offset, after a comment in the DOCTYPE."""
    head = '<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!-- '
    end = ' -->\n'
    decl = ('<!ENTITY xxe SYSTEM "file:///etc/passwd">\n]>\n<rss version="2.0"><channel><title>&xxe;</title>'
            '<item><title>a &xxe;</title></item></channel></rss>\n')
    return (head + "p" * (int(offset) - len(head) - len(end)) + end + decl).encode()


GENERATORS = {
    "entity-late": gen_entity_late,
    "expanding": gen_expanding,
    "padded-json": gen_padded_json,
    "quadratic": gen_quadratic,
    "nested-in-item": gen_nested_in_item,
    "nested-escaped": gen_nested_escaped,
    "big-text": gen_big_text,
    "many-items": gen_many_items,
    "long-name": gen_long_name,
    "many-attrs": gen_many_attrs,
    "json-nested": gen_json_nested,
    "big-guid": gen_big_guid,
    "boundaries": gen_boundaries,
}


# ---------------------------------------------------------------- running the binary

# Peak memory comes from wait4() in a small launcher: Linux carries the peak RSS of the process that
# forked over exec, and this script's own memory (the generated inputs) would count otherwise.
LAUNCHER = r"""
import os, sys
pid = os.fork()
if pid == 0:
    os.execv(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as f:
    f.write("%d %d" % (os.waitstatus_to_exitcode(status), usage.ru_maxrss))
"""


def run(cmd, stdin_path, timeout, measure_rss):
    """Runs cmd; returns (status, stdout, stderr, seconds, peak RSS in KiB or 0). Status -9 on timeout."""
    env = dict(os.environ)
    env.pop("JOURNAL_STREAM", None)
    rss_file = None
    if measure_rss:
        # ASan keeps freed memory in a 256 MiB quarantine: that is not the program's footprint.
        env["ASAN_OPTIONS"] = (env.get("ASAN_OPTIONS", "") + ":quarantine_size_mb=16").lstrip(":")
        fd, rss_file = tempfile.mkstemp(prefix="wiredesk-rss-")
        os.close(fd)
        cmd = [sys.executable, "-S", "-c", LAUNCHER, rss_file] + cmd
    try:
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            fin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
            start = time.monotonic()
            try:
                p = subprocess.Popen(cmd, stdin=fin, stdout=out, stderr=err, env=env, start_new_session=True)
            finally:
                if stdin_path:
                    fin.close()
            try:
                p.wait(timeout)
                killed = False
            except subprocess.TimeoutExpired:
                killed = True
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
            secs = time.monotonic() - start
            out.seek(0)
            err.seek(0)
            code, rss = p.returncode, 0
            if rss_file and not killed:
                with open(rss_file) as f:
                    code, rss = (int(x) for x in f.read().split())
            return (-9 if killed else code), out.read(), err.read(), secs, rss
    finally:
        if rss_file:
            os.unlink(rss_file)


# ---------------------------------------------------------------- checks every output is held to

def walk_strings(v, path="$"):
    if isinstance(v, str):
        yield path, v
    elif isinstance(v, list):
        for i, e in enumerate(v):
            yield from walk_strings(e, "%s[%d]" % (path, i))
    elif isinstance(v, dict):
        for k, e in v.items():
            yield from walk_strings(e, "%s.%s" % (path, k))


def check_url(where, u, media):
    if media and MEDIA_DATA.match(u):
        return
    if where.endswith(".url") and u.startswith("mailto:") and "authors" in where:
        return
    if not u.startswith(LINK_SCHEMES) or len(u) <= len("https://"):
        raise CaseError("%s is not an absolute http(s) URL: %.120r" % (where, u))


def check_html(where, h):
    for rx, what in HTML_FORBIDDEN:
        m = rx.search(h)
        if m:
            raise CaseError("%s holds %s: ...%.80r..." % (where, what, h[max(0, m.start() - 20):m.end() + 40]))


def check_date(where, d):
    if not isinstance(d, str) or not DATE_RE.match(d):
        raise CaseError("%s is not an RFC 3339 UTC date: %r" % (where, d))
    datetime.datetime.strptime(d, "%Y-%m-%dT%H:%M:%SZ")


def check_people(where, people):
    if not isinstance(people, list) or not people:
        raise CaseError("%s is not a non-empty list" % where)
    for i, p in enumerate(people):
        w = "%s[%d]" % (where, i)
        if not isinstance(p, dict) or not p or set(p) - {"name", "url", "avatar"}:
            raise CaseError("%s is not a JSON Feed author: %r" % (w, p))
        if "url" in p:
            check_url(w + ".url", p["url"], False)
        if "avatar" in p:
            check_url(w + ".avatar", p["avatar"], True)


def check_document(raw):
    """The contract every successful run keeps; returns the parsed document."""
    try:
        text = raw.decode("utf-8", errors="strict")
    except UnicodeDecodeError as e:
        raise CaseError("stdout is not valid UTF-8: %s" % e)
    m = re.search("[\x00-\x09\x0b-\x1f\x7f]", text)
    if m:
        raise CaseError("stdout holds a raw control character %r at %d" % (m.group(), m.start()))

    def no_constants(c):
        raise CaseError("stdout holds the non-JSON number %s" % c)
    try:
        doc = json.loads(text, parse_constant=no_constants)
    except json.JSONDecodeError as e:
        raise CaseError("stdout is not JSON: %s" % e)
    if not isinstance(doc, dict):
        raise CaseError("stdout is not a JSON object")
    if doc.get("version") != "https://jsonfeed.org/version/1.1":
        raise CaseError("version is %r" % doc.get("version"))
    if set(doc) - FEED_KEYS:
        raise CaseError("unknown feed keys %s" % sorted(set(doc) - FEED_KEYS))
    if not isinstance(doc.get("items"), list):
        raise CaseError("items is not a list")
    # JSON Feed requires a title and, on every item, content_html or content_text: those two may be
    # empty when the feed says nothing there. Every other field is absent, never empty.
    for path, s in walk_strings(doc):
        if s == "" and path != "$.title" and not re.fullmatch(r"\$\.items\[\d+\]\.content_text", path):
            raise CaseError("%s is an empty string (fields are absent, never empty)" % path)
        m = BAD_CHARS.search(s)
        if m:
            raise CaseError("%s holds the forbidden character U+%04X" % (path, ord(m.group())))
        if not path.endswith("content_html") and SPACE_CHARS.search(s):
            raise CaseError("%s holds a tab or line break: %.80r" % (path, s))
        if not unicodedata.is_normalized("NFC", s):
            raise CaseError("%s is not in NFC: %.80r" % (path, s))
    for k in ("home_page_url", "feed_url"):
        if k in doc:
            check_url(k, doc[k], False)
    for k in ("icon", "favicon"):
        if k in doc:
            check_url(k, doc[k], True)
    if "authors" in doc:
        check_people("authors", doc["authors"])
    for i, it in enumerate(doc["items"]):
        w = "items[%d]" % i
        if not isinstance(it, dict):
            raise CaseError("%s is not an object" % w)
        if set(it) - ITEM_KEYS:
            raise CaseError("%s has unknown keys %s" % (w, sorted(set(it) - ITEM_KEYS)))
        if not isinstance(it.get("id"), str):
            raise CaseError("%s has no id" % w)
        for k in ("url", "external_url"):
            if k in it:
                check_url("%s.%s" % (w, k), it[k], False)
        if "image" in it:
            check_url(w + ".image", it["image"], True)
        for k in ("date_published", "date_modified"):
            if k in it:
                check_date("%s.%s" % (w, k), it[k])
        for k in SHORT_FIELDS & set(it):
            if len(it[k].encode()) > ITEM_MAX_SHORT:
                raise CaseError("%s.%s is %d bytes, over %d" % (w, k, len(it[k].encode()), ITEM_MAX_SHORT))
        for k in ("content_html", "summary"):
            if k in it and len(it[k].encode()) > ITEM_MAX_FIELD:
                raise CaseError("%s.%s is %d bytes, over %d" % (w, k, len(it[k].encode()), ITEM_MAX_FIELD))
        if "content_html" in it:
            check_html(w + ".content_html", it["content_html"])
        if "authors" in it:
            check_people(w + ".authors", it["authors"])
        if "tags" in it and (not isinstance(it["tags"], list) or not all(isinstance(t, str) for t in it["tags"])):
            raise CaseError("%s.tags is not a list of strings" % w)
        for j, a in enumerate(it.get("attachments", [])):
            aw = "%s.attachments[%d]" % (w, j)
            if not isinstance(a, dict) or "url" not in a or "mime_type" not in a:
                raise CaseError("%s lacks url or mime_type" % aw)
            check_url(aw + ".url", a["url"], True)
            for k in ("size_in_bytes", "duration_in_seconds"):
                if k in a and (not isinstance(a[k], int) or isinstance(a[k], bool) or a[k] < 0):
                    raise CaseError("%s.%s is %r" % (aw, k, a[k]))
    return doc


# ---------------------------------------------------------------- expect.txt

MISSING = object()
PATH_TOKEN = re.compile(r"([^.\[\]]+)|\[(-?\d+|\*)\]|\.")


def resolve(doc, path):
    """All values PATH names: a list of (label, value or MISSING)."""
    if path == ".":
        return [("$", doc)]
    cur = [("$", doc)]
    pos = 0
    for m in PATH_TOKEN.finditer(path):
        if m.start() != pos:
            raise CaseError("bad JSON path %r" % path)
        pos = m.end()
        key, idx = m.group(1), m.group(2)
        if key is None and idx is None:
            continue
        nxt = []
        for label, v in cur:
            if key is not None:
                nxt.append(("%s.%s" % (label, key), v.get(key, MISSING) if isinstance(v, dict) else MISSING))
            elif idx == "*":
                if isinstance(v, list):
                    nxt.extend(("%s[%d]" % (label, i), e) for i, e in enumerate(v))
            else:
                i = int(idx)
                ok = isinstance(v, list) and -len(v) <= i < len(v)
                nxt.append(("%s[%s]" % (label, idx), v[i] if ok else MISSING))
        cur = nxt
    if pos != len(path):
        raise CaseError("bad JSON path %r" % path)
    return cur


def size_of(v):
    if isinstance(v, str):
        return len(v.encode())
    if isinstance(v, (list, dict)):
        return len(v)
    raise CaseError("len of %r" % (v,))


def check_json(doc, path, op, arg, t0):
    vals = resolve(doc, path)
    if op == "unique":
        seen = [json.dumps(v, sort_keys=True) for _, v in vals if v is not MISSING]
        if len(seen) != len(set(seen)):
            raise CaseError("%s: values are not unique" % path)
        return
    if not vals and op not in ("absent",):
        raise CaseError("%s names nothing" % path)
    for label, v in vals:
        if op == "absent":
            if v is not MISSING:
                raise CaseError("%s is present: %.200r" % (label, v))
            continue
        if v is MISSING:
            raise CaseError("%s is absent (wanted %s %s)" % (label, op, arg or ""))
        if op == "present":
            continue
        if op in ("==@", "!=@"):
            others = [o for _, o in resolve(doc, arg)]
            if len(others) != 1:
                raise CaseError("%s names %d values" % (arg, len(others)))
            if (v == others[0]) != (op == "==@"):
                raise CaseError("%s is %.200r, wanted %s %s (%.200r)" % (label, v, op[:2], arg, others[0]))
        elif op in ("==", "!="):
            want = json.loads(arg)
            if (v == want) != (op == "=="):
                raise CaseError("%s is %.300r, wanted %s %.300r" % (label, v, op, want))
        elif op in ("contains", "!contains"):
            want = json.loads(arg)
            has = want in v if isinstance(v, (str, list)) else False
            if has != (op == "contains"):
                raise CaseError("%s (%.300r) %s %r" % (label, v, "lacks" if op == "contains" else "contains", want))
        elif op == "matches":
            if not isinstance(v, str) or not re.search(json.loads(arg), v):
                raise CaseError("%s (%.300r) does not match %s" % (label, v, arg))
        elif op in ("len==", "len<=", "len>="):
            n, want = size_of(v), int(arg)
            ok = {"len==": n == want, "len<=": n <= want, "len>=": n >= want}[op]
            if not ok:
                raise CaseError("%s has length %d, wanted %s %d" % (label, n, op[3:], want))
        elif op == "now":
            check_date(label, v)
            t = datetime.datetime.strptime(v, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
            if abs(t.timestamp() - t0) > 600:
                raise CaseError("%s is %s, not the time of the run" % (label, v))
        else:
            raise CaseError("unknown JSON operator %r" % op)


def read_expect(path):
    rules = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            word, _, rest = line.partition(" ")
            rules.append((n, word, rest))
    return rules


# ---------------------------------------------------------------- one case

class Case:
    def __init__(self, binary, directory):
        self.binary = binary
        self.dir = directory
        self.name = os.path.basename(directory)
        self.expected = None
        self.rules = []
        exp_json = os.path.join(directory, "expected.json")
        exp_txt = os.path.join(directory, "expect.txt")
        if os.path.exists(exp_json):
            with open(exp_json, "rb") as f:
                self.expected = f.read()
        if os.path.exists(exp_txt):
            self.rules = read_expect(exp_txt)
        if self.expected is None and not self.rules:
            raise CaseError("no expected.json or expect.txt")
        self.args = []
        if os.path.exists(os.path.join(directory, "args")):
            with open(os.path.join(directory, "args"), encoding="utf-8") as f:
                self.args = [a for a in f.read().split("\n") if a]
        self.opts = {w: r for _, w, r in self.rules if w in ("stdin", "missing", "gen", "timeout", "fifo",
                                                               "listen", "max-rss-mb", "deterministic")}
        inputs = sorted(e for e in os.listdir(directory) if e.startswith("input."))
        if len(inputs) > 1:
            raise CaseError("more than one input file: %s" % inputs)
        self.input = os.path.join(directory, inputs[0]) if inputs else None
        if self.input is None and "gen" not in self.opts and "missing" not in self.opts:
            raise CaseError("no input")

    def prepare(self, tmp):
        """The path given to wiredesk, with placeholders filled and generated inputs written."""
        if "missing" in self.opts:
            return os.path.join(tmp, "does-not-exist", "input.xml")
        if "gen" in self.opts:
            words = self.opts["gen"].split()
            data = GENERATORS[words[0]](*words[1:])
            ext = ".json" if data.lstrip(b" \t\r\n\xef\xbb\xbf")[:1] == b"{" else ".xml"
        else:
            with open(self.input, "rb") as f:
                data = f.read()
            ext = os.path.splitext(self.input)[1]
        if "fifo" in self.opts:
            fifo = os.path.join(tmp, "entity.fifo")
            os.mkfifo(fifo)
            data = data.replace(b"@FIFO@", fifo.encode())
        if "listen" in self.opts:
            self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self.sock.bind(("127.0.0.1", 0))
            self.sock.listen(8)
            data = data.replace(b"@PORT@", str(self.sock.getsockname()[1]).encode())
        path = os.path.join(tmp, "input" + ext)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def execute(self):
        tmp = tempfile.mkdtemp(prefix="wiredesk-parse-")
        self.sock = None
        try:
            path = self.prepare(tmp)
            return self.check(path)
        finally:
            if self.sock is not None:
                self.sock.close()
            shutil.rmtree(tmp, ignore_errors=True)

    def check(self, path):
        stdin = "stdin" in self.opts
        shown = "-" if stdin else path
        cmd = [self.binary, "parse"] + self.args + [shown]
        timeout = float(self.opts.get("timeout") or 60)
        t0 = time.time()
        code, out, err, secs, rss = run(cmd, path if stdin else None, timeout, "max-rss-mb" in self.opts)
        errtext = err.decode("utf-8", errors="replace")
        if code == -9:
            raise CaseError("killed after %gs (hung or too slow)" % timeout)
        if code < 0 or code in (1, 134):
            raise CaseError("crashed (status %d): %s" % (code, errtext[-2000:]))
        if self.sock is not None:
            self.sock.setblocking(False)
            try:
                conn, peer = self.sock.accept()
                conn.close()
                raise CaseError("the parser connected to %s:%d" % peer)
            except BlockingIOError:
                pass
        want_codes = [0]
        for _, w, r in self.rules:
            if w == "exit":
                want_codes = [int(x) for x in r.split()]
        if code not in want_codes:
            raise CaseError("exit %d, wanted %s; stderr: %s" % (code, "/".join(map(str, want_codes)),
                                                                 errtext.strip()[:500]))
        # The contract of every run.
        doc = None
        if code == 0:
            if err:
                raise CaseError("stderr is not empty on success: %s" % errtext[:500])
            doc = check_document(out)
        else:
            if out:
                raise CaseError("exit %d but stdout is not empty: %.200r" % (code, out))
            if code in (65, 66):
                if not err.endswith(b"\n") or err.count(b"\n") != 1:
                    raise CaseError("stderr is not one line: %r" % errtext[:500])
                if not errtext.startswith("wiredesk: ") or shown not in errtext:
                    raise CaseError("stderr does not name the input %r: %r" % (shown, errtext))
                if len(errtext.strip()) < len("wiredesk: ") + len(shown) + 8:
                    raise CaseError("stderr does not say what is wrong: %r" % errtext)
        if self.expected is not None and out != self.expected:
            import difflib
            diff = difflib.unified_diff(self.expected.decode("utf-8", "replace").splitlines(),
                                        out.decode("utf-8", "replace").splitlines(),
                                        "expected.json", "stdout", lineterm="", n=0)
            raise CaseError("stdout differs from expected.json:\n    " + "\n    ".join(list(diff)[:40]))
        for n, w, r in self.rules:
            try:
                self.rule(w, r, code, out, errtext, doc, secs, rss, t0, cmd, path if stdin else None, timeout)
            except CaseError as e:
                raise CaseError("expect.txt:%d: %s" % (n, e))
        return "%.2fs" % secs

    def rule(self, w, r, code, out, errtext, doc, secs, rss, t0, cmd, stdin_path, timeout):
        if w in ("exit", "stdin", "missing", "gen", "timeout", "fifo", "listen"):
            return
        if w == "max-seconds":
            if secs > float(r):
                raise CaseError("took %.2fs, over %ss" % (secs, r))
        elif w == "max-rss-mb":
            if rss > int(r) * 1024:
                raise CaseError("peak RSS %d MiB, over %s MiB" % (rss // 1024, r))
        elif w == "deterministic":
            code2, out2, _, _, _ = run(cmd, stdin_path, timeout, False)
            if code2 != code or out2 != out:
                raise CaseError("a second run printed something else")
        elif w == "stderr-matches":
            if code != 0 and not re.search(r, errtext):	# a success says nothing
                raise CaseError("stderr %r does not match %r" % (errtext.strip(), r))
        elif w == "stderr-not-matches":
            if re.search(r, errtext):
                raise CaseError("stderr %r matches %r" % (errtext.strip(), r))
        elif w == "stdout-contains":
            if r.encode() not in out:
                raise CaseError("stdout lacks %r" % r)
        elif w == "stdout-not-contains":
            if r.encode() in out:
                raise CaseError("stdout contains %r" % r)
        elif w in ("json", "json?"):
            if doc is None:
                return	# the run was rejected, and the exit line allowed that
            m = re.match(r"(\S+)\s+(\S+)\s*(.*)$", r)
            if not m:
                raise CaseError("bad json line %r" % r)
            if w == "json?" and all(v is MISSING for _, v in resolve(doc, m.group(1))):
                return	# only when present
            check_json(doc, m.group(1), m.group(2), m.group(3).strip(), t0)
        else:
            raise CaseError("unknown assertion %r" % w)


def main():
    ap = argparse.ArgumentParser(description=__doc__, epilog=EXPECT_HELP,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--wiredesk", required=True, help="the wiredesk binary")
    ap.add_argument("--data", required=True, help="tests/data (cases are in its parse/ folder)")
    ap.add_argument("--shared", help="../shared (not needed by these cases)")
    ap.add_argument("--jobs", type=int, default=min(4, os.cpu_count() or 1))
    ap.add_argument("cases", nargs="*", help="run only these cases (names or globs)")
    a = ap.parse_args()
    a.wiredesk = os.path.abspath(a.wiredesk)
    if not os.access(a.wiredesk, os.X_OK):
        print("no executable at %s" % a.wiredesk)
        return 1
    root = os.path.join(a.data, "parse")
    names = sorted(d for d in os.listdir(root) if os.path.isdir(os.path.join(root, d)))
    if a.cases:
        import fnmatch
        names = [n for n in names if any(fnmatch.fnmatch(n, c) for c in a.cases)]

    def one(name):
        try:
            case = Case(a.wiredesk, os.path.join(root, name))
            # Memory and time budgets are measured alone, not beside other runs.
            return name, True, case.execute(), "max-rss-mb" in case.opts or any(
                w == "max-seconds" for _, w, _ in case.rules)
        except CaseError as e:
            return name, False, str(e), False
        except Exception as e:	# a broken case file or generator is a failure too
            return name, False, "%s: %s" % (type(e).__name__, e), False

    results = {}
    heavy = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, a.jobs)) as ex:
        light = [n for n in names if not is_heavy(os.path.join(root, n))]
        heavy = [n for n in names if n not in light]
        for name, ok, msg, _ in ex.map(one, light):
            results[name] = (ok, msg)
    for name in heavy:
        name, ok, msg, _ = one(name)
        results[name] = (ok, msg)
    failed = 0
    for name in names:
        ok, msg = results[name]
        print("%s %s %s" % ("PASS" if ok else "FAIL", name, msg if ok else ""))
        if not ok:
            failed += 1
            for line in msg.splitlines():
                print("    " + line)
    print("%d passed, %d failed" % (len(names) - failed, failed))
    return 1 if failed or not names else 0


def is_heavy(directory):
    """Cases with a time or memory budget, or a big generated input, run one at a time."""
    p = os.path.join(directory, "expect.txt")
    if not os.path.exists(p):
        return False
    return any(w in ("max-seconds", "max-rss-mb", "gen") for _, w, _ in read_expect(p))


if __name__ == "__main__":
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    sys.exit(main())
