#!/usr/bin/env python3
"""`wiredesk check-config`, `import-opml` and `export-opml` through the real binary.

check-config prints `configuration OK` (exit 0) or every problem as FILE:LINE: key: problem on
stderr, in line order (exit 78); a missing file is exit 66. import-opml turns another reader's
subscription list into [source] sections that check-config accepts; export-opml writes the
configured feeds as OPML 2.0 that import-opml reads back to the same feeds and tags.

Python 3 standard library only. Prints one line per check and `N passed, N failed`; exits 1 on failure.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

sys.dont_write_bytecode = True          # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checks import check, finish  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))



def run(wd, *args, stdin=None):
    p = subprocess.run([wd, *args], input=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=60)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def sections(conf_text):
    """{name: {key: value}} of the [source NAME] sections of a configuration."""
    out, cur = {}, None
    for line in conf_text.splitlines():
        m = re.match(r"^\[source (.+)\]$", line)
        if m:
            cur = out.setdefault(m.group(1), {})
        elif cur is not None and " = " in line:
            k, v = line.split(" = ", 1)
            cur[k] = v
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--wiredesk", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--shared")
    a = ap.parse_args()
    wd = a.wiredesk
    tmp = tempfile.mkdtemp(prefix="wiredesk-test-config-")

    rc, out, err = run(wd, "check-config", os.path.join(ROOT, "config", "wiredesk.conf"))
    check("the shipped configuration is valid", rc == 0 and out == "configuration OK\n" and err == "",
          "%d %r %r" % (rc, out, err))

    bad = os.path.join(tmp, "bad.conf")
    with open(bad, "w") as f:
        f.write("[daemon]\nper_host = many\n[source a]\nurl = gopher://x/\n[output o]\n"
                "sources = nobody\nformats = pdf\n[source b]\n")
    rc, out, err = run(wd, "check-config", bad)
    lines = err.splitlines()
    want = [(2, "per_host"), (3, "url"), (5, "sources"), (7, "formats"), (8, "url")]
    got = []
    for line in lines:
        m = re.match(r"^%s:(\d+): (\w+): " % re.escape(bad), line)
        got.append((int(m.group(1)), m.group(2)) if m else line)
    check("every problem as FILE:LINE: key: problem, in line order, exit 78",
          rc == 78 and out == "" and got == want, "%d %r" % (rc, got))

    # fulltext is for feed sources too, with a content rule for the article's page; other rules are not.
    ft = os.path.join(tmp, "fulltext.conf")
    with open(ft, "w") as f:
        f.write("[source brief]\nurl = https://brief.example/rss\nfulltext = yes\n"
                "[source ruled]\nurl = https://ruled.example/atom\nfulltext = yes\ncontent = //article\n")
    rc, out, err = run(wd, "check-config", ft)
    check("a feed source may have fulltext, with or without a content rule", rc == 0 and err == "",
          "%d %r" % (rc, err))
    with open(ft, "w") as f:
        f.write("[source ruled]\nurl = https://ruled.example/atom\ncontent = //article\n"
                "[source listed]\nurl = https://listed.example/rss\nfulltext = yes\nitem = //li\n")
    rc, out, err = run(wd, "check-config", ft)
    check("a feed source's content rule needs fulltext; its scraping rules are refused",
          rc == 78 and "1: content: source ruled: a feed source's content rule needs fulltext = yes" in err and
          "4: source listed: scraping rules are for type = html only" in err, "%d %r" % (rc, err))

    rc, out, err = run(wd, "check-config", os.path.join(tmp, "missing.conf"))
    check("a missing file is exit 66", rc == 66 and "missing.conf:0: cannot open" in err, "%d %r" % (rc, err))
    rc, out, err = run(wd, "check-config", "--bogus")
    check("a bad option is a usage error", rc == 64, str(rc))

    # import-opml: folders and categories become tags, duplicates and non-HTTP feeds are dropped.
    rc, imported, err = run(wd, "import-opml", os.path.join(a.data, "opml", "subscriptions.opml"))
    got = sections(imported)
    check("import-opml exit 0", rc == 0, "%d %r" % (rc, err))
    check("import-opml sections", got == {
        "world-wire": {"url": "https://wire.example.org/world/rss.xml", "tags": "news"},
        "city-desk-co": {"url": "https://city.example.com/atom?lang=en&x=1", "tags": "news"},
        "ayuntamiento-noticias": {"url": "https://ayto.example.es/rss", "tags": "news, local"},
        "world-wire-2": {"url": "https://other.example.net/feed", "tags": "tech, linux, open-source"},
        "podcast": {"url": "http://pod.example.org/feed.xml"},
    }, repr(got))
    check("import-opml names what it skipped", "gopher://old.example.org/1/feed" in err, err)
    imp = os.path.join(tmp, "imported.conf")
    with open(imp, "w") as f:
        f.write(imported)
    rc, out, err = run(wd, "check-config", imp)
    check("imported sections are a valid configuration", rc == 0, "%d %r" % (rc, err))
    rc, out, err = run(wd, "import-opml", "-", stdin=open(os.path.join(a.data, "opml", "subscriptions.opml"), "rb").read())
    check("import-opml reads stdin", rc == 0 and sections(out) == got, str(rc))

    # export-opml: OPML 2.0, and reading it back gives the same feeds and tags.
    with open(imp, "a") as f:
        f.write("[source page]\ntype = html\nurl = https://page.example/\nitem = //li\ntitle = .\nlink = .//a/@href\n")
    rc, exported, err = run(wd, "export-opml", "--config", imp)
    try:
        root = ET.fromstring(exported)
        ok = root.tag == "opml" and root.get("version") == "2.0" and root.find("head/title") is not None
    except ET.ParseError as e:
        ok, root = False, str(e)
    check("export-opml writes OPML 2.0", rc == 0 and ok, "%d %r %r" % (rc, err, exported[:200]))
    check("export-opml leaves out html sources", "page.example" not in exported)
    opml = os.path.join(tmp, "exported.opml")
    with open(opml, "w") as f:
        f.write(exported)
    rc, back, err = run(wd, "import-opml", opml)
    back = sections(back)
    check("export then import keeps every feed and its tags",
          sorted((s["url"], s.get("tags")) for s in back.values()) ==
          sorted((s["url"], s.get("tags")) for s in got.values()), repr(back))

    # Hostile OPML: refused with one line, nothing on stdout.
    for name, doc in [
        ("entity bomb", '<!DOCTYPE opml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
                        '<opml><body><outline text="&b;" xmlUrl="http://a.example/"/></body></opml>'),
        ("XXE", '<!DOCTYPE opml [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                '<opml><body><outline text="&x;" xmlUrl="http://a.example/"/></body></opml>'),
        ("not XML", "this is not xml"),
        ("an RSS feed", "<rss version='2.0'><channel><title>x</title></channel></rss>"),
    ]:
        path = os.path.join(tmp, "hostile.opml")
        with open(path, "w") as f:
            f.write(doc)
        rc, out, err = run(wd, "import-opml", path)
        check("import-opml refuses %s" % name, rc == 65 and out == "" and len(err.splitlines()) == 1,
              "%d %r %r" % (rc, out, err))

    for f in os.listdir(tmp):
        os.unlink(os.path.join(tmp, f))
    os.rmdir(tmp)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
