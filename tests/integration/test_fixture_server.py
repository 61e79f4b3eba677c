#!/usr/bin/env python3
"""The fixture HTTP server (fixture_server.py) that the daemon's network tests drive.

Every feature is exercised against a running server with http.client, urllib and raw sockets:
routes and headers, conditional 304s, sequences, redirects (loops and chains), gzip bombs and
truncated gzip, endless, lying and reset bodies, delays, drips and stalls, two 127.x addresses,
the request log, concurrency counting with parallel clients, the HTTP control API, clients that
hang up, stop() with stalled connections, and the command line (ready file, SIGTERM).

Run as the other integration tests are (`--wiredesk BIN --data DIR --shared DIR`, all ignored).
Python 3 standard library only. Prints one line per check and `N passed, N failed`; exits 1 on
failure.
"""
import argparse
import concurrent.futures
import gzip
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True          # no __pycache__ in the source tree
sys.path.insert(0, HERE)
from checks import check, finish  # noqa: E402
from fixture_server import FixtureServer, gzip_bomb_bytes, header, rss_feed  # noqa: E402

A1, A2 = "127.0.0.1", "127.0.0.2"



def get(srv, path, host=A1, method="GET", headers=None, timeout=5, body=None):
    """(status, HTTPMessage, body) over a fresh connection."""
    c = http.client.HTTPConnection(host, srv.ports[host], timeout=timeout)
    try:
        c.request(method, path, body=body, headers=headers or {})
        r = c.getresponse()
        return r.status, r.msg, r.read()
    finally:
        c.close()


def raw(host, port, path, timeout=2, extra=b"", limit=1 << 20):
    """Send a GET on a raw socket; return (bytes received, how it ended)."""
    s = socket.create_connection((host, port), timeout=timeout)
    s.sendall(b"GET %s HTTP/1.1\r\nHost: %s:%d\r\n%s\r\n"
              % (path.encode(), host.encode(), port, extra))
    data = b""
    end = "eof"
    try:
        while len(data) < limit:
            b = s.recv(65536)
            if not b:
                break
            data += b
        else:
            end = "limit"
    except socket.timeout:
        end = "timeout"
    except ConnectionResetError:
        end = "reset"
    finally:
        s.close()
    return data, end


def split_head(data):
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    hdrs = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        hdrs.setdefault(k.strip().lower(), []).append(v.strip())
    return lines[0], hdrs, body


def wait_until(pred, timeout=2.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(0.02)
    return pred()


def control(srv, method, name, obj=None, host=A1):
    body = json.dumps(obj).encode() if obj is not None else None
    st, _, data = get(srv, "/_fixture/" + name, host, method, body=body,
                      headers={"Content-Type": "application/json"} if body else None)
    return st, json.loads(data.decode() or "null")


def test_basics(srv):
    check("listens on two loopback addresses with one port",
          set(srv.ports) == {A1, A2} and srv.same_port, srv.ports)
    srv.route("/feed", body=rss_feed("A", 3), content_type="application/rss+xml",
              headers=[("Set-Cookie", "a=1"), ("Set-Cookie", "b=2"), ("X-Fixture", "yes")])
    st, msg, body = get(srv, "/feed")
    check("a route answers with its status, body and content type",
          st == 200 and body == rss_feed("A", 3) and msg["Content-Type"] == "application/rss+xml"
          and int(msg["Content-Length"]) == len(body), (st, msg.items()))
    check("repeated headers are sent in order", msg.get_all("Set-Cookie") == ["a=1", "b=2"]
          and msg["X-Fixture"] == "yes", msg.items())
    st, msg, body = get(srv, "/feed", method="HEAD")
    check("HEAD gets the headers and no body", st == 200 and body == b""
          and int(msg["Content-Length"]) == len(rss_feed("A", 3)))
    st, _, body = get(srv, "/nowhere")
    rec = srv.log(path="/nowhere")
    check("an unrouted path is a logged 404", st == 404 and len(rec) == 1
          and rec[0]["route"] is None and rec[0]["status"] == 404, rec)
    srv.route("/bin", body=b"\x00\xff\x01", status=418, reason="Teapot Here")
    st, msg, body = get(srv, "/bin")
    check("any status, reason and bytes body", st == 418 and body == b"\x00\xff\x01")
    srv.route("/pre/*", body="prefix")
    srv.route("/pre/exact", body="exact")
    check("prefix routes, exact routes first",
          get(srv, "/pre/x/y?q=1")[2] == b"prefix" and get(srv, "/pre/exact")[2] == b"exact")
    srv.route("/q?a=1", body="with query")
    check("a route keyed with its query wins over the bare path",
          get(srv, "/q?a=1")[2] == b"with query" and get(srv, "/q?a=2")[0] == 404)
    try:
        srv.route("/bad", bodyy="typo")
        check("an unknown spec key is refused", False)
    except ValueError:
        check("an unknown spec key is refused", True)
    srv.route("/chunked", body="z" * 10000, chunked=True)
    st, msg, body = get(srv, "/chunked")
    check("chunked framing", st == 200 and msg["Transfer-Encoding"] == "chunked"
          and body == b"z" * 10000)
    srv.route("/gz", body="hello " * 100, gzip="auto")
    _, m1, b1 = get(srv, "/gz", headers={"Accept-Encoding": "gzip"})
    _, m2, b2 = get(srv, "/gz", headers={"Accept-Encoding": "identity"})
    check('gzip "auto" follows Accept-Encoding', m1["Content-Encoding"] == "gzip"
          and gzip.decompress(b1) == b"hello " * 100 and m2["Content-Encoding"] is None
          and b2 == b"hello " * 100)
    fd, path = tempfile.mkstemp(prefix="fixture-body-")
    os.write(fd, b"from a file")
    os.close(fd)
    srv.route("/file", body_file=path)
    check("body_file", get(srv, "/file")[2] == b"from a file")
    os.unlink(path)
    print("(a missing body_file is reported on stderr:)", flush=True)
    st, _, body = get(srv, "/file")
    rec = srv.wait_for(2, path="/file", done=True)[-1]
    errs = srv.stats()["errors"]
    check("a spec that cannot be served: 500, outcome error, stats errors",
          st == 500 and b"No such file" in body and rec["outcome"] == "error"
          and rec["status"] == 500 and len(errs) == 1, (st, rec, errs))
    srv.clear()


def test_keepalive_and_log(srv):
    srv.clear()
    srv.route("/ka", body="one")
    c = http.client.HTTPConnection(A1, srv.port, timeout=5)
    c.request("GET", "/ka", headers={"User-Agent": "wiredesk-test/1", "Accept-Encoding": "gzip",
                                     "If-Modified-Since": "Mon, 01 Jan 2024 00:00:00 GMT"})
    r = c.getresponse()
    r.read()
    c.request("GET", "/ka?x=2")
    r2 = c.getresponse()
    r2.read()
    cport = c.sock.getsockname()[1]
    c.close()
    rec = srv.log(path="/ka")
    ok = len(rec) == 2 and rec[0]["conn"] == rec[1]["conn"] and \
        [x["conn_seq"] for x in rec] == [1, 2]
    check("keep-alive: two requests on one connection share its id", ok, rec)
    e = rec[0]
    check("the log holds method, path, client and local address and port",
          e["method"] == "GET" and e["path"] == "/ka" and rec[1]["path"] == "/ka?x=2"
          and e["client"] == [A1, cport] and e["local"] == [A1, srv.port]
          and e["version"] == "HTTP/1.1", e)
    check("the log holds the request headers",
          header(e, "user-agent") == "wiredesk-test/1" and header(e, "Accept-Encoding") == "gzip"
          and header(e, "if-modified-since") == "Mon, 01 Jan 2024 00:00:00 GMT"
          and ["User-Agent", "wiredesk-test/1"] in e["headers"], e["headers"])
    now = time.monotonic()
    check("the log holds monotonic and wall times and the outcome",
          now - 5 < e["t"] <= e["t_end"] <= now and abs(e["wall"] - time.time()) < 5
          and e["outcome"] == "complete" and e["status"] == 200 and e["bytes_sent"] > 3, e)
    check("log() filters by host and since",
          len(srv.log(host=A1, since=rec[0]["seq"])) == 1 and srv.log(host=A2) == [])


def test_conditional(srv):
    lm = "Tue, 02 Jan 2024 03:04:05 GMT"
    srv.route("/cond", body=rss_feed("C", 2), etag="v1", last_modified=lm,
              headers={"Cache-Control": "max-age=60"})
    st, msg, _ = get(srv, "/cond")
    check("a conditional route sends ETag and Last-Modified", st == 200
          and msg["ETag"] == '"v1"' and msg["Last-Modified"] == lm, msg.items())
    st, msg, body = get(srv, "/cond", headers={"If-None-Match": '"v1"'})
    check("If-None-Match that matches: 304 with no body and the validators",
          st == 304 and body == b"" and msg["ETag"] == '"v1"'
          and msg["Cache-Control"] == "max-age=60", (st, msg.items()))
    st, _, _ = get(srv, "/cond", headers={"If-None-Match": '"x", W/"v1"'})
    check("If-None-Match: weak comparison within a list", st == 304)
    st, _, body = get(srv, "/cond", headers={"If-None-Match": '"v0"',
                                             "If-Modified-Since": lm})
    check("If-None-Match that differs: 200 (If-Modified-Since then ignored)",
          st == 200 and body == rss_feed("C", 2))
    st, _, _ = get(srv, "/cond", headers={"If-Modified-Since": lm})
    check("If-Modified-Since equal to Last-Modified: 304", st == 304)
    st, _, _ = get(srv, "/cond", headers={"If-Modified-Since": "Mon, 01 Jan 2024 00:00:00 GMT"})
    check("If-Modified-Since earlier: 200", st == 200)
    srv.route("/cond503", status=503, etag="v1")
    check("only a 2xx answer becomes 304",
          get(srv, "/cond503", headers={"If-None-Match": '"v1"'})[0] == 503)
    st, _, _ = get(srv, "/cond")
    rec = srv.log(path="/cond")
    check("the log shows each conditional request and status",
          [r["status"] for r in rec] == [200, 304, 304, 200, 304, 200, 200]
          and header(rec[1], "If-None-Match") == '"v1"', [r["status"] for r in rec])


def test_sequence(srv):
    srv.route("/seq", body="feed", etag="s1", sequence=[
        {"status": 200},
        {"status": 503, "headers": {"Retry-After": "2"}, "body": ""},
        {"status": 200, "body": "feed2"}])
    got = []
    for _ in range(5):
        st, msg, body = get(srv, "/seq")
        got.append((st, msg["Retry-After"], body))
    want = [(200, None, b"feed"), (503, "2", b""), (200, None, b"feed2"), (200, None, b"feed2"),
            (200, None, b"feed2")]
    check("sequence: 200, 503 + Retry-After: 2, 200, and the last repeats", got == want, got)
    check("sequence: elements inherit the enclosing spec (etag)",
          get(srv, "/seq", headers={"If-None-Match": '"s1"'})[0] == 304)
    rec = srv.log(path="/seq")
    check("the log records the sequence index", [r["sequence_index"] for r in rec]
          == [0, 1, 2, 2, 2, 2], [r["sequence_index"] for r in rec])
    srv.route("/cyc", cycle=True, sequence=[{"body": "a"}, {"body": "b"}])
    check("sequence with cycle starts over",
          [get(srv, "/cyc")[2] for _ in range(5)] == [b"a", b"b", b"a", b"b", b"a"])
    srv.route("/cyc", body="replaced")
    check("replacing a route restarts it", get(srv, "/cyc")[2] == b"replaced")


def test_redirects(srv):
    for code in (301, 302, 307, 308):
        srv.route("/r%d" % code, status=code, redirect="/target")
    srv.route("/target", body="arrived")
    got = [(get(srv, "/r%d" % c)[0], get(srv, "/r%d" % c)[1]["Location"])
           for c in (301, 302, 307, 308)]
    check("redirects with 301, 302, 307 and 308 and a Location",
          got == [(301, "/target"), (302, "/target"), (307, "/target"), (308, "/target")], got)
    srv.route("/tmpl", redirect="http://{addr}:{port}/target")
    st, msg, _ = get(srv, "/tmpl", host=A2)
    check("redirect templates {addr} and {port}, 302 by default",
          st == 302 and msg["Location"] == "http://%s:%d/target" % (A2, srv.ports[A2]),
          msg["Location"])
    srv.route("/evil", status=301, redirect="file:///etc/passwd")
    check("a redirect to any scheme", get(srv, "/evil")[1]["Location"] == "file:///etc/passwd")
    first = srv.redirect_loop(["/loopA", "/loopB"])
    try:
        urllib.request.urlopen(srv.url(first), timeout=5)
        check("a redirect loop A -> B -> A is detected by a client", False)
    except urllib.error.HTTPError as e:
        check("a redirect loop A -> B -> A is detected by a client",
              e.code == 302 and "loop" in str(e.reason), e)
    hops = [r["path"] for r in srv.log() if r["path"].startswith("/loop")]
    check("the log shows the loop's alternating requests",
          len(hops) >= 4 and hops[:4] == ["/loopA", "/loopB", "/loopA", "/loopB"], hops)
    first = srv.redirect_chain("/chain", 3)
    r = urllib.request.urlopen(srv.url(first), timeout=5)
    check("a chain of 3 hops ends at its final answer",
          r.read() == b"end" and r.geturl().endswith("/chain/3"))
    first = srv.redirect_chain("/long", 50, status=301)
    try:
        urllib.request.urlopen(srv.url(first), timeout=5)
        check("a chain of 50 hops exceeds a client's redirect limit", False)
    except urllib.error.HTTPError as e:
        n = len([x for x in srv.log() if x["path"].startswith("/long/")])
        check("a chain of 50 hops exceeds a client's redirect limit", e.code == 301 and n == 11,
              (e, n))


def test_encodings(srv):
    srv.route("/bomb", gzip_bomb=10)
    st, msg, body = get(srv, "/bomb", headers={"Accept-Encoding": "gzip"})
    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    total, buf = 0, body
    while buf:
        out = d.decompress(buf, 1 << 20)
        total += len(out)
        if out.count(0) != len(out):
            break
        buf = d.unconsumed_tail
    check("gzip bomb: Content-Encoding gzip, a small Content-Length, 10 MB of zeros inside",
          st == 200 and msg["Content-Encoding"] == "gzip" and int(msg["Content-Length"])
          == len(body) < 20000 and total == 10 << 20 and d.eof, (msg.items(), total))
    big = gzip_bomb_bytes(1024)
    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    head = d.decompress(big[:4096], 1 << 16)
    check("a 1 GB bomb is about 1 MB and decodes as zeros",
          len(big) < 1200000 and len(head) == 1 << 16 and head.count(0) == 1 << 16
          and big[-4:] == (1 << 30).to_bytes(4, "little"), len(big))
    srv.route("/bomb2", gzip_bomb=5, gzip_layers=2)
    st, msg, body = get(srv, "/bomb2")
    inner = gzip.decompress(body)
    check("double gzip: Content-Encoding gzip, gzip, and a gzip inside the gzip",
          msg["Content-Encoding"] == "gzip, gzip" and inner[:2] == b"\x1f\x8b"
          and len(gzip.decompress(inner)) == 5 << 20, msg.items())
    srv.route("/trunc", truncated_gzip=True)
    st, msg, body = get(srv, "/trunc")
    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = d.decompress(body)
        bad = not d.eof
    except zlib.error:
        out, bad = b"", True
    check("truncated gzip: the HTTP body is complete, the gzip stream is not",
          st == 200 and msg["Content-Encoding"] == "gzip" and len(body) == int(
              msg["Content-Length"]) and bad and out.startswith(b"<?xml"), (len(body), bad))


def test_bodies(srv):
    srv.route("/endless", endless=True)
    port = srv.port
    data, end = raw(A1, port, "/endless", limit=2 << 20)
    status, hdrs, body = split_head(data)
    check("endless: a chunked 200 that is still going after 2 MB",
          end == "limit" and "200" in status and hdrs.get("transfer-encoding") == ["chunked"]
          and b"<rss" in body[:200], (end, status))
    recs = srv.wait_for(1, path="/endless", done=True, timeout=3)
    check("endless: the server notices the client leaving and logs it",
          recs[0]["outcome"] == "client_closed" and recs[0]["bytes_sent"] >= 2 << 20, recs[0])
    srv.route("/huge", huge_content_length=True, body="short")
    data, end = raw(A1, port, "/huge")
    status, hdrs, body = split_head(data)
    check("huge_content_length: Content-Length 10000000000, a short body, then a close",
          hdrs.get("content-length") == ["10000000000"] and body == b"short" and end == "eof",
          (hdrs, body, end))
    srv.route("/lie", body="abc", headers={"Content-Length": "100"})
    data, end = raw(A1, port, "/lie")
    status, hdrs, body = split_head(data)
    check("a lying Content-Length is sent as given and the connection closed",
          hdrs.get("content-length") == ["100"] and body == b"abc" and end == "eof")
    srv.route("/reset", body="r" * 100000, reset_mid_body=1000)
    data, end = raw(A1, port, "/reset")
    status, hdrs, body = split_head(data)
    rec = srv.wait_for(1, path="/reset", done=True)[0]
    check("reset_mid_body: full Content-Length, part of the body, then a reset",
          hdrs.get("content-length") == ["100000"] and len(body) <= 1000
          and end in ("reset", "eof") and rec["outcome"] == "reset", (end, len(body), rec))
    c = http.client.HTTPConnection(A1, port, timeout=3)
    c.request("GET", "/reset")
    r = c.getresponse()
    try:
        r.read()
        ok = False
    except (http.client.IncompleteRead, ConnectionResetError):
        ok = True
    c.close()
    check("reset_mid_body: an HTTP client sees an incomplete body", ok)
    srv.route("/fin", body="f" * 5000, reset_mid_body=True, reset_with="fin")
    data, end = raw(A1, port, "/fin")
    check("reset_with fin: half the body and a clean close",
          end == "eof" and len(split_head(data)[2]) == 2500)


def test_timing(srv):
    port = srv.port
    srv.route("/delay", delay=0.3, body="late")
    t = time.monotonic()
    st, _, body = get(srv, "/delay")
    dt = time.monotonic() - t
    check("delay holds the answer back", st == 200 and body == b"late" and 0.28 <= dt < 1.5, dt)
    srv.route("/drip", drip=0.02, drip_bytes=4, body="d" * 40,
              headers={"Date": "x"})
    s = socket.create_connection((A1, port), timeout=3)
    t = time.monotonic()
    s.sendall(b"GET /drip HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    pieces, first = [], None
    while True:
        b = s.recv(65536)
        if not b:
            break
        if first is None:
            first = time.monotonic() - t
        pieces.append(b)
    total = time.monotonic() - t
    s.close()
    data = b"".join(pieces)
    n = len(data) / 4
    check("drip: the status line comes at once, then a few bytes every interval",
          data.startswith(b"HTTP/1.1 200") and data.endswith(b"d" * 40) and first < 0.2
          and total >= 0.02 * (n - 1) * 0.9 and len(pieces) >= n * 0.8,
          (first, total, len(pieces), n))
    srv.route("/stall", stall=True)
    data, end = raw(A1, port, "/stall", timeout=0.5)
    check("stall: accepts and never answers", data == b"" and end == "timeout")
    srv.route("/stallh", stall="headers", body="never")
    data, end = raw(A1, port, "/stallh", timeout=0.5)
    status, hdrs, body = split_head(data)
    check('stall "headers": the head, then nothing', "200" in status and body == b""
          and hdrs.get("content-length") == ["5"] and end == "timeout", (data, end))
    stalls = lambda: [r["outcome"] for r in srv.log() if r["path"] in ("/stall", "/stallh")]
    wait_until(lambda: None not in stalls())
    st = stalls()
    check("a stall ends when the client leaves", st == ["stalled", "stalled"], st)


def test_concurrency(srv):
    srv.clear()
    srv.route("/slow", delay=0.5, body="ok")
    srv.route("/slow2", host=A2, delay=0.5, body="ok2")

    def one(host, path):
        return get(srv, path, host)[2]
    with concurrent.futures.ThreadPoolExecutor(13) as ex:
        futs = [ex.submit(one, A1, "/slow") for _ in range(10)]
        futs += [ex.submit(one, A2, "/slow2") for _ in range(3)]
        res = [f.result() for f in futs]
    s = srv.stats()
    a1, a2 = s["by_addr"][A1], s["by_addr"][A2]
    check("10 parallel clients on 127.0.0.1 and 3 on 127.0.0.2 are all answered",
          res == [b"ok"] * 10 + [b"ok2"] * 3, res)
    check("max in-flight requests and connections per local address",
          a1["max_inflight"] == 10 and a1["max_connections"] == 10 and a2["max_inflight"] == 3
          and a2["max_connections"] == 3 and s["max_inflight"] == 13, s)
    hk = "%s:%d" % (A2, srv.ports[A2])
    check("max in-flight requests per Host header",
          s["by_host"][hk]["max_inflight"] == 3 and s["by_host"][hk]["requests"] == 3, s["by_host"])
    check("nothing in flight afterwards", wait_until(lambda: srv.stats()["inflight"] == 0
                                                     and srv.stats()["connections"] == 0))
    st, body = control(srv, "GET", "stats")
    check("GET /_fixture/stats gives the same counters (control requests not counted)",
          st == 200 and body["by_addr"][A1]["max_inflight"] == 10 and body["requests"] == 13, body)


def test_hosts(srv):
    srv.route("/who", body="anyone")
    srv.route("127.0.0.2/who", body="host two")
    srv.route("/who", host="feeds.example", body="virtual host")
    check("host-keyed routes by local address",
          get(srv, "/who", A1)[2] == b"anyone" and get(srv, "/who", A2)[2] == b"host two")
    check("host-keyed routes by Host header",
          get(srv, "/who", A1, headers={"Host": "feeds.example:80"})[2] == b"virtual host")
    recs = srv.log(path="/who")
    check("the log says which address each request arrived on",
          [r["local"][0] for r in recs[-3:]] == [A1, A2, A1]
          and [r["route"] for r in recs[-3:]] == ["/who", "127.0.0.2/who", "feeds.example/who"],
          [(r["local"], r["route"]) for r in recs])
    check("log(host=) matches a local address or the Host header",
          len(srv.log(path="/who", host=A2)) == 1
          and len(srv.log(path="/who", host="feeds.example")) == 1)


def test_control_api(srv):
    st, body = control(srv, "GET", "ping", host=A2)
    check("GET /_fixture/ping on the second address", st == 200 and body["ok"]
          and body["ports"][A2] == srv.ports[A2], body)
    table = {
        "/api": {"status": 201, "headers": [["X-A", "1"], ["X-A", "2"]], "body_b64": "aGk="},
        "127.0.0.2/api": {"sequence": [{"status": 500}, {"body": "fine"}]},
    }
    st, body = control(srv, "POST", "routes", table)
    check("POST /_fixture/routes", st == 200 and body == {"ok": True, "routes": 2}, body)
    st, msg, data = get(srv, "/api")
    check("routes posted as JSON answer (list headers, body_b64)",
          st == 201 and msg.get_all("X-A") == ["1", "2"] and data == b"hi")
    check("a posted sequence on a host-keyed route",
          [get(srv, "/api", A2)[0] for _ in range(3)] == [500, 200, 200])
    st, body = control(srv, "POST", "routes", {"/x": {"stal": True}})
    check("POST /_fixture/routes with a bad spec: 400 and the reason",
          st == 400 and not body["ok"] and "stal" in body["error"], body)
    st, body = control(srv, "GET", "routes")
    check("GET /_fixture/routes lists the routes", st == 200 and "127.0.0.2/api" in body
          and body["/api"]["body_len"] == 2, list(body))
    st, body = control(srv, "GET", "log?path=/api&host=127.0.0.2")
    check("GET /_fixture/log?path=&host= filters",
          st == 200 and len(body) == 3 and all(r["local"][0] == A2 for r in body)
          and not any(r["path"].startswith("/_fixture") for r in srv.log()), len(body))
    st, body = control(srv, "POST", "redirect_loop", {"paths": ["/cl1", "/cl2"], "status": 308})
    st2, msg, _ = get(srv, "/cl2")
    check("POST /_fixture/redirect_loop", st == 200 and st2 == 308
          and msg["Location"] == "/cl1")
    st, body = control(srv, "POST", "redirect_chain", {"prefix": "/ch", "hops": 2,
                                                       "final": {"body": "done"}})
    check("POST /_fixture/redirect_chain", st == 200 and body["first"] == "/ch/0"
          and urllib.request.urlopen(srv.url("/ch/0"), timeout=5).read() == b"done")
    st, body = control(srv, "DELETE", "routes?key=127.0.0.2/api")
    check("DELETE /_fixture/routes?key=", st == 200 and get(srv, "/api", A2)[2] == b"hi")
    st, body = control(srv, "POST", "clear")
    check("POST /_fixture/clear forgets the log and keeps the routes",
          st == 200 and srv.log() == [] and get(srv, "/api")[0] == 201)
    st, body = control(srv, "POST", "reset")
    check("POST /_fixture/reset forgets the routes too",
          st == 200 and get(srv, "/api")[0] == 404 and len(srv.log()) == 1)


def test_hangups(srv):
    srv.reset()
    port = srv.port
    srv.route("/drip", drip=0.05, body="x" * 100)
    srv.route("/endless", endless="abc")
    srv.route("/big", body=os.urandom(4 << 20))
    for path in ("/drip", "/endless", "/big"):
        s = socket.create_connection((A1, port), timeout=2)
        s.sendall(b"GET %s HTTP/1.1\r\nHost: x\r\n\r\n" % path.encode())
        s.recv(10)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        s.close()
    s = socket.create_connection((A1, port), timeout=2)
    s.sendall(b"GET /drip HTTP/1.1\r\nHost: x\r\n")        # hangs up mid-request
    s.close()
    # (the standard library's header parser takes that end of file for the end of the headers:
    # this request is answered too, to nobody)
    done = wait_until(lambda: len([r for r in srv.log() if r["outcome"]]) == 4
                      and srv.stats()["threads"] == 0 and srv.stats()["inflight"] == 0, 3)
    st = srv.stats()
    check("clients hanging up mid-answer: no error, no thread left",
          done and st["errors"] == [], (st["threads"], st["inflight"], st["errors"]))
    outs = sorted(r["outcome"] for r in srv.log())
    check("and each is logged as client_closed", outs == ["client_closed"] * 4, outs)
    srv.clear()
    srv.route("/longdelay", delay=5, body="x")
    srv.route("/slowdrip", drip=2, body="x" * 10)
    socks = []
    for path in ("/longdelay", "/slowdrip"):
        s = socket.create_connection((A1, port), timeout=2)
        s.sendall(b"GET %s HTTP/1.1\r\nHost: x\r\n\r\n" % path.encode())
        socks.append(s)
    busy = wait_until(lambda: srv.stats()["inflight"] == 2)
    t = time.monotonic()
    for s in socks:
        s.close()
    gone = wait_until(lambda: srv.stats()["inflight"] == 0, 2)
    dt = time.monotonic() - t
    outs = [r["outcome"] for r in srv.log()]
    check("a client leaving during a delay or a slow drip leaves the in-flight count at once",
          busy and gone and dt < 0.5 and outs == ["client_closed"] * 2, (dt, outs))
    srv.route("/after", body="still here")
    check("the server keeps serving afterwards", get(srv, "/after")[2] == b"still here")


def test_stop():
    srv = FixtureServer([A1, A2]).start()
    port = srv.port
    srv.route("/stall", stall=True)
    srv.route("/drip", drip=5, body="slow")
    srv.route("/endless", endless=True)
    srv.route("/ok", body="ok")
    socks = []
    for path, host in (("/stall", A1), ("/drip", A2), ("/endless", A1), ("/stall", A2)):
        s = socket.create_connection((host, port), timeout=2)
        s.sendall(b"GET %s HTTP/1.1\r\nHost: x\r\n\r\n" % path.encode())
        socks.append(s)
    idle = socket.create_connection((A1, port), timeout=2)    # keep-alive, idle
    idle.sendall(b"GET /ok HTTP/1.1\r\nHost: x\r\n\r\n")
    idle.recv(1000)
    socks.append(idle)
    wait_until(lambda: srv.stats()["inflight"] == 4)
    before = threading.active_count()
    t = time.monotonic()
    srv.stop()
    dt = time.monotonic() - t
    st = srv.stats()
    check("stop() with stalled, dripping, endless and idle connections takes under a second",
          dt < 1.0 and st["threads"] == 0 and st["inflight"] == 0, (dt, st["threads"]))
    check("stop() leaves no thread behind", threading.active_count() <= before - 6,
          (before, threading.active_count()))
    outs = sorted(r["outcome"] for r in srv.log())
    check("the interrupted requests are logged as stopped", outs == ["complete"] + ["stopped"] * 4,
          outs)
    refused = 0
    for host in (A1, A2):
        try:
            socket.create_connection((host, port), timeout=1).close()
        except OSError:
            refused += 1
    check("stop() closes the listeners", refused == 2)
    for s in socks:
        s.close()


def test_cli(tmp):
    ready = os.path.join(tmp, "ready.json")
    logf = os.path.join(tmp, "log.json")
    routes = os.path.join(tmp, "routes.json")
    with open(routes, "w") as f:
        json.dump({"/hello": {"body": "hi"}, "/hang": {"stall": True}}, f)
    p = subprocess.Popen([sys.executable, os.path.join(HERE, "fixture_server.py"), "--listen", A1,
                          "--listen", A2, "--port", "0", "--ready-file", ready, "--routes", routes,
                          "--log-file", logf], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        ok = wait_until(lambda: os.path.exists(ready), 5)
        info = {}
        if ok:
            with open(ready) as f:
                info = json.load(f)
        check("CLI: the ready file names the port on each address",
              ok and set(info["ports"]) == {A1, A2} and info["pid"] == p.pid
              and info["port"] == info["ports"][A2], info)
        port = info.get("port", 0)
        c = http.client.HTTPConnection(A2, port, timeout=3)
        c.request("GET", "/hello")
        body = c.getresponse().read()
        c.close()
        check("CLI: routes from --routes answer", body == b"hi", body)
        hang = socket.create_connection((A1, port), timeout=2)
        hang.sendall(b"GET /hang HTTP/1.1\r\nHost: x\r\n\r\n")
        time.sleep(0.1)
        t = time.monotonic()
        p.send_signal(signal.SIGTERM)
        rc = p.wait(5)
        dt = time.monotonic() - t
        out, err = p.communicate()
        hang.close()
        check("CLI: SIGTERM stops it cleanly (exit 0, under 1.5 s, a stalled client open)",
              rc == 0 and dt < 1.5 and err == b"", (rc, dt, err[-500:]))
        with open(logf) as f:
            log = json.load(f)
        check("CLI: --log-file holds the request log",
              [r["path"] for r in log] == ["/hello", "/hang"], log)
        check("CLI: a listening line on stdout", b"listening on" in out, out)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--wiredesk")
    ap.add_argument("--data")
    ap.add_argument("--shared")
    ap.parse_args()
    t0 = time.monotonic()
    tmp = tempfile.mkdtemp(prefix="wiredesk-test-fixture-")
    baseline = threading.active_count()
    try:
        with FixtureServer([A1, A2]) as srv:
            for t in (test_basics, test_keepalive_and_log, test_conditional, test_sequence,
                      test_redirects, test_encodings, test_bodies, test_timing, test_concurrency,
                      test_hosts, test_control_api, test_hangups):
                try:
                    t(srv)
                except Exception as e:          # a broken feature must not hide the others
                    check("%s ran" % t.__name__, False, repr(e))
            check("no unexpected server errors", srv.stats()["errors"] == [],
                  srv.stats()["errors"])
        test_stop()
        test_cli(tmp)
    finally:
        for f in os.listdir(tmp):
            os.unlink(os.path.join(tmp, f))
        os.rmdir(tmp)
    check("no thread left running", wait_until(lambda: threading.active_count() <= baseline, 2),
          threading.enumerate())
    dt = time.monotonic() - t0
    check("the whole test takes under 30 s", dt < 30, dt)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
