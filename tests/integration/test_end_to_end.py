#!/usr/bin/env python3
"""Sources in, one merged feed out, read by real feed readers (issue #6).

The fixture server plays three sources over time: a story appears at the first, is retitled at the
second (the same article, the link carrying tracking parameters), is updated at the first, and an
unrelated story appears at the third. `wiredesk run` polls them and serves its merged output.
newsboat, subscribed to the daemon's server, reloads after each step and must end with exactly
two entries: the story once (one id throughout, updated in place, both sources attached) and the
unrelated one. feedparser reads the RSS and Atom outputs with bozo false; the Atom output passes
the RFC 4287 schema and the JSON output its schema (../shared/validate). A restart publishes
nothing twice and loses nothing.

Python 3 standard library (plus /usr/bin/python3 with python3-feedparser, and newsboat, which
.ci/deps installs). Prints one line per check and `N passed, N failed`; exits 1 on failure.
"""
import argparse
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checks import check, finish  # noqa: E402
from fixture_server import FixtureServer, rss_feed  # noqa: E402

RSS = "application/rss+xml"


def free_port():
    with socket.socket() as so:
        so.bind(("127.0.0.1", 0))
        return so.getsockname()[1]


def wait_for(pred, timeout=15):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(0.1)
    return False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--wiredesk", required=True)
    ap.add_argument("--data")
    ap.add_argument("--shared", required=True)
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="wiredesk-test-e2e-")
    port = free_port()
    story = {"title": "Magnitude 6.1 earthquake strikes off the northern coast", "guid": "wire-1",
             "link": "https://news.example.org/2026/11/26/quake", "pubDate": "Thu, 26 Nov 2026 06:12:00 GMT",
             "description": "A magnitude 6.1 earthquake struck off the northern coast early on Thursday."}
    retitled = {"title": "BREAKING: strong quake hits north coast", "guid": "agg-77",
                "link": "https://news.example.org/2026/11/26/quake?utm_source=agg&utm_medium=rss",
                "pubDate": "Thu, 26 Nov 2026 06:30:00 GMT"}
    other = {"title": "Council approves new tram line", "guid": "city-9", "link": "https://city.example.org/tram",
             "pubDate": "Thu, 26 Nov 2026 07:00:00 GMT"}

    with FixtureServer(["127.0.0.1"]) as srv:
        srv.route("/wire", body=rss_feed("Wire", [story]), content_type=RSS)
        srv.route("/agg", body=rss_feed("Aggregator", []), content_type=RSS)
        srv.route("/city", body=rss_feed("City", []), content_type=RSS)
        conf = os.path.join(work, "wiredesk.conf")
        with open(conf, "w") as f:
            f.write("[daemon]\nstate = wd.db\noutput_dir = feeds\nlisten = 127.0.0.1:%d\n"
                    "min_interval = 1s\ninterval = 1s\nmax_interval = 1s\nhost_delay = 0\nallow_private = yes\n"
                    "[source wire]\nurl = %s\npriority = 10\n[source agg]\nurl = %s\n[source city]\nurl = %s\n"
                    "[output news]\ntitle = Merged news\nsources = *\n"
                    % (port, srv.url("/wire"), srv.url("/agg"), srv.url("/city")))
        base = "http://127.0.0.1:%d/" % port
        nb = os.path.join(work, "nb")
        os.makedirs(nb)
        open(os.path.join(nb, "config"), "w").close()
        with open(os.path.join(nb, "urls"), "w") as f:
            f.write(base + "news.atom\n")

        def newsboat():
            env = dict(os.environ, HOME=nb, LANG="C.UTF-8")
            subprocess.run(["newsboat", "-C", os.path.join(nb, "config"), "-u", os.path.join(nb, "urls"),
                            "-c", os.path.join(nb, "cache.db"), "-x", "reload"], env=env, stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
            c = sqlite3.connect(os.path.join(nb, "cache.db"))
            try:
                return c.execute("SELECT guid, title FROM rss_item ORDER BY guid").fetchall()
            finally:
                c.close()

        def published():
            try:
                with open(os.path.join(work, "feeds", "news.json"), encoding="utf-8") as f:
                    return json.load(f)["items"]
            except (OSError, ValueError):
                return None

        def start():
            return subprocess.Popen([a.wiredesk, "run", "--config", conf], stdout=subprocess.DEVNULL,
                                    stderr=subprocess.PIPE)

        p = start()
        ok = wait_for(lambda: published() and len(published()) == 1)
        seen1 = newsboat() if ok else []
        check("the story appears at one source: one entry", ok and len(seen1) == 1, (seen1, published()))
        first_id = seen1[0][0] if seen1 else None

        srv.route("/agg", body=rss_feed("Aggregator", [retitled]), content_type=RSS)
        ok = wait_for(lambda: published() and any(i.get("_wiredesk", {}).get("sources") for i in published()))
        seen2 = newsboat()
        check("retitled at a second source: still one entry, the second source attached",
              ok and [g for g, _ in seen2] == [first_id], (seen2, published()))

        updated = dict(story, title="Magnitude 6.1 earthquake strikes off northern coast, 2 hurt")
        srv.route("/wire", body=rss_feed("Wire", [updated]), content_type=RSS)
        srv.route("/city", body=rss_feed("City", [other]), content_type=RSS)
        ok = wait_for(lambda: published() and len(published()) == 2 and
                      any(i.get("title", "").endswith("2 hurt") for i in published()))
        seen3 = newsboat()
        titles = dict(seen3)
        check("updated at the first, an unrelated story at the third: exactly two entries",
              ok and len(seen3) == 2 and first_id in titles and titles[first_id].endswith("2 hurt"), seen3)

        out = os.path.join(work, "feeds")
        fp = subprocess.run(["/usr/bin/python3", "-c",
                             "import feedparser, sys\n"
                             "for p in sys.argv[1:]:\n"
                             "    d = feedparser.parse(p)\n"
                             "    print(p.rsplit('/', 1)[1], d.bozo, len(d.entries))\n",
                             os.path.join(out, "news.rss"), os.path.join(out, "news.atom")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        check("feedparser: bozo false, two entries in each", fp.stdout.decode().split() ==
              ["news.rss", "False", "2", "news.atom", "False", "2"], (fp.stdout, fp.stderr[-300:]))
        v = os.path.join(a.shared, "validate")
        rng = subprocess.run(["sh", os.path.join(v, "atom-rng.sh"), os.path.join(out, "news.atom")],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        check("the Atom output passes the RFC 4287 schema", rng.returncode == 0, rng.stdout[-500:])
        js = subprocess.run(["sh", os.path.join(v, "jsonfeed-validate.sh"), os.path.join(out, "news.json")],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        check("the JSON output passes the JSON Feed schema", js.returncode == 0, js.stdout[-500:])

        before = {f: open(os.path.join(out, f), "rb").read() for f in os.listdir(out)}
        p.send_signal(signal.SIGTERM)
        rc = p.wait(timeout=20)
        p = start()
        time.sleep(4)           # several polls (all unchanged) and a publish round
        seen4 = newsboat()
        after = {f: open(os.path.join(out, f), "rb").read() for f in os.listdir(out)}
        p.send_signal(signal.SIGTERM)
        rc2 = p.wait(timeout=20)
        check("a restart publishes nothing twice and loses nothing", rc == 0 and rc2 == 0 and
              seen4 == seen3 and before == after, (rc, rc2, seen4))
        check("the fixture server met no fault of its own", not srv.stats()["errors"], srv.stats()["errors"])
    shutil.rmtree(work, ignore_errors=True)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
