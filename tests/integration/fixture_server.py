#!/usr/bin/env python3
"""A scriptable HTTP/1.1 server on loopback for wiredesk's integration tests.

It plays the feed servers the daemon polls: it answers each path with whatever a test asks for (any
status, header, delay or body, and the hostile behaviours of the security catalogue: stalls, drips,
endless streams, gzip bombs, lying lengths, resets, redirect loops), records every request it
receives, and counts concurrent connections and requests per host. Python 3 standard library only.

Use it as a module
------------------
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from fixture_server import FixtureServer, rss_feed

    with FixtureServer(["127.0.0.1", "127.0.0.2"]) as srv:        # port=0: chosen by the kernel
        srv.route("/feed", body=rss_feed("A", 3), content_type="application/rss+xml",
                  etag="v1")
        srv.route("/feed", host="127.0.0.2", sequence=[
            {"status": 200, "body": "<rss/>"},
            {"status": 503, "headers": {"Retry-After": "2"}},
            {"status": 200, "body": "<rss/>"}])
        url = srv.url("/feed", "127.0.0.2")                       # http://127.0.0.2:PORT/feed
        ... run the daemon ...
        reqs = srv.log(path="/feed", host="127.0.0.2")
        assert srv.stats()["by_addr"]["127.0.0.2"]["max_connections"] <= 2

FixtureServer(addresses=("127.0.0.1",), port=0, backlog=1024)
    start() -> self, stop() (closes every connection, stalled or dripping ones included, and joins
    every handler thread within about a second; a stopped server cannot be restarted), and the
    context manager does both. Attributes: addresses, port (the port of the first address), ports
    ({address: port}; all equal unless that port was taken on another address), same_port.
  url(path="/", host=None)          "http://HOST:PORT" + path, HOST the first address by default.
  route(key, host=None, **spec)     add or replace one route (see "Routes" and "Spec keys").
  routes({key: spec, ...})          add or replace several; unroute(key, host=None) removes one;
                                    route_table() lists them ({key: spec}, bodies as body_len).
  redirect_loop(paths, status=302, host=None)
                                    paths[0] -> paths[1] -> ... -> paths[0]; returns paths[0].
  redirect_chain(prefix, hops, status=302, final=None, host=None)
                                    PREFIX/0 -> PREFIX/1 -> ... -> PREFIX/HOPS, which serves final
                                    (a spec; default a 200 with body "end"); returns PREFIX/0.
  log(path=None, host=None, since=0)
                                    copies of the request records (below), oldest first; path
                                    matches the request target with or without its query, host
                                    matches the local address or the Host header; since keeps
                                    records whose seq is greater.
  wait_for(count=1, path=None, host=None, timeout=5.0, done=False)
                                    wait until COUNT matching records exist (done=True: and have
                                    finished); returns them, or raises TimeoutError.
  stats()                           the counters (below).
  clear()                           forget the log, the errors and the maxima; routes and
                                    sequence positions stay.
  reset()                           forget everything: routes, sequence positions, log, counters.
Module helpers: rss_feed(title, items, link) builds a small RSS 2.0 document (bytes; items an int
or a list of dicts with title/guid/link/description/pubDate); header(record, name) returns a
header of a request record, or None; gzip_bomb_bytes(mb, layers) the bomb body itself.

Routes
------
A route key is a path ("/feed", or with its query "/feed?x=1") or a host and a path
("127.0.0.2/feed"); route(key, host=...) is the same as route(host + key). A path ending in "*" is a
prefix route ("/hops/*"). A request is answered by the first of: host-keyed routes, then path-only
routes; within each, the exact target with its query, then the path without the query, then the
longest prefix route. The host of a host-keyed route is matched against the local address the
request arrived on (127.0.0.2), then the Host header's name without port, then the whole Host
header. A request no route answers gets 404 "no route" (and is logged). Paths under /_fixture/ are
the control API and cannot be routed.

Spec keys
---------
Unknown keys are refused (ValueError in Python, 400 over HTTP). A spec with no keys is a 200 with an
empty body.
  status          int, default 200 (302 with redirect). reason: the reason phrase (default the
                  standard one).
  headers         dict or list of [name, value] pairs, sent in order, repeats allowed; a dict
                  value that is a list sends that header once per element. These headers are sent
                  as given; Date is added unless present. An explicit Content-Length is sent
                  verbatim (a lying length) and the connection is closed after the body.
  content_type    shorthand for a Content-Type header.
  body            str (sent as UTF-8) or bytes. body_b64: base64 of the body (for JSON).
  body_file       path of a file whose bytes are the body, read at each request.
  gzip            true: compress the body and send Content-Encoding: gzip; "auto": only if the
                  request's Accept-Encoding names gzip.
  chunked         true: send the body with Transfer-Encoding: chunked.
  close           true: send Connection: close and close the connection after the response
                  (without it the connection is kept alive, HTTP/1.1).
  delay           seconds to wait before the status line.
  drip            seconds between bytes: the whole response, status line and headers included, is
                  sent drip_bytes (default 1) bytes at a time with this pause between.
  stall           true: read the request and never answer; "headers": send the status line and
                  headers (with the body's Content-Length) and then nothing; "body": send those
                  and half the body and then nothing. A stalled connection is held until the
                  client closes it or the server stops.
  endless         an infinite chunked body at full speed until the client goes away: true sends an
                  RSS prefix and then items forever, a string sends that string over and over.
  huge_content_length
                  true (10,000,000,000) or an int: that Content-Length, then the short body, then
                  the connection is closed.
  gzip_bomb       N (an int): a body that is N MB (N x 2**20 bytes) of zeros, gzip-compressed
                  (about 1 KB per MB: 10 MB -> 10 KB, 10 GB -> 10 MB), with Content-Encoding: gzip
                  and its true compressed Content-Length. gzip_layers: 2 compresses it twice and
                  sends Content-Encoding: gzip, gzip (3: three times). Bodies are built once and
                  cached (10 GB takes ~2 s the first time).
  truncated_gzip  true: the gzip of the body (of rss_feed("truncated", 20) if there is none) cut in
                  half; an int: cut to that many bytes. Sent with Content-Encoding: gzip and the
                  Content-Length of the cut stream, so HTTP framing is intact and only gzip is not.
  reset_mid_body  true (half the body) or an int (that many bytes): send the headers with the full
                  Content-Length, that part of the body, then drop the connection: with a TCP RST
                  (reset_with "rst", the default) or a plain close (reset_with "fin").
                  A body of 4096 "x" is used when the spec gives none.
  redirect        the Location; "{port}", "{addr}" and "{host}" in it become the local port, the
                  local address and the request's Host header. Status 302 unless the spec gives a
                  3xx one (301, 302, 303, 307, 308). Any scheme may be given (file:///etc/passwd).
  etag, last_modified
                  sent with 2xx and 304 answers. etag is quoted if it is not already (v1 is
                  sent as "v1"; W/"v1" is kept); last_modified is an HTTP-date string or a Unix
                  time.
                  A request whose If-None-Match matches the etag (weak comparison, or "*") gets
                  304; without If-None-Match, a request whose If-Modified-Since is at or after
                  last_modified gets 304. Only an answer that would be 2xx becomes 304; the 304
                  carries the route's headers, ETag and Last-Modified, and no body.
  sequence        a list of specs served in turn to successive requests for the route, the last
                  one repeating (cycle: true starts over instead). Each element's keys replace the
                  same keys of the enclosing spec, which serves as defaults (headers are replaced
                  as a whole, not merged). Elements cannot hold a sequence. Every request the
                  route answers (HEAD included) moves it on; replacing the route restarts it.
Recipes: 429 + Retry-After: {"status": 429, "headers": {"Retry-After": "120"}}. 10k cookies:
{"headers": [["Set-Cookie", "c%d=1" % i] for i in range(10000)]}. 1 MB of headers:
{"headers": {"X-Big": "a" * 2**20}}. HTML instead of a feed: {"content_type": "text/html",
"body": "<html>..."}. HEAD gets the same headers and no body.

Request records
---------------
One per request (control requests excluded), appended when the request arrives and completed when
the answer ends:
  seq             1, 2, ... never reused.           conn, conn_seq: the connection's id, and the
                                                    request's number on that connection (1-based).
  t, t_end        time.monotonic() at arrival and at the end of the answer (null while running);
                  CLOCK_MONOTONIC, so comparable between processes. wall: time.time() at arrival.
  client, local   [address, port] of the client and of the server side (which 127.x "host").
  method, path, version
                  the request line; path is the target as sent, query included.
  headers         [[name, value], ...] as received; header: {lowercase name: value, repeats
                  joined with ", "} (If-None-Match, If-Modified-Since, User-Agent,
                  Accept-Encoding, ...). body_len: bytes of request body.
  route, sequence_index
                  the route key that answered ("/feed", "127.0.0.2/feed"; null for 404) and the
                  position in its sequence (null without one).
  status          the status sent (null if none was). bytes_sent: bytes written, head included.
  outcome         "complete"; "client_closed" (the client went away mid-answer); "stalled" (a
                  stall the client ended); "reset" / "closed" (the server dropped it on purpose:
                  reset_mid_body, huge_content_length, a lying Content-Length); "stopped" (the
                  server stopped first); "error" (the spec could not be served, e.g. a missing
                  body_file: a 500 is sent if nothing was, and the fault is in stats()["errors"]
                  and on stderr); null while running.

Counters (stats())
------------------
  requests, inflight, max_inflight        requests received / being answered now / most at once.
  connections, max_connections            connections open now / most at once; a connection
                                          counts from its first non-control request until it
                                          closes (idle keep-alive connections included).
  accepted                                connections accepted (control ones included).
  by_addr {local address: {requests, inflight, max_inflight, connections, max_connections,
                            accepted}}
  by_host {Host header as sent, lowercased: {requests, inflight, max_inflight}}
  threads                                 handler threads alive (one per open connection).
  errors                                  tracebacks of specs that could not be served and of
                                          faults in the server itself (should be []).
A client that hangs up during a delay, a drip or a stall leaves the in-flight count within ~50 ms,
so a client that times out and reconnects is not counted twice; one that hangs up while a body is
being written at full speed leaves it at the next write. clear() resets the maxima to the current
values and the request counts to zero.

HTTP control API (on every address and port)
--------------------------------------------
  GET  /_fixture/ping                     {"ok": true, "port": P, "ports": {...}}
  GET  /_fixture/log[?path=&host=&since=] the request records, JSON list.
  GET  /_fixture/stats                    the counters, JSON object.
  GET  /_fixture/routes                   the routes, {key: spec} (bodies as body_len).
  POST /_fixture/routes                   body {key: spec, ...}: add or replace routes.
  DELETE /_fixture/routes?key=K           remove one route.
  POST /_fixture/redirect_loop            body {"paths": [...], "status": 302, "host": null}
  POST /_fixture/redirect_chain           body {"prefix": "/hop", "hops": 50, "status": 302,
                                          "final": {spec} or null, "host": null}
                                          -> {"first": "/hop/0"}
  POST /_fixture/clear                    forget the log and the maxima.
  POST /_fixture/reset                    forget everything.
Answers are JSON with {"ok": true, ...}, or 400 {"ok": false, "error": "..."}.

Command line
------------
  python3 fixture_server.py [--listen ADDR]... [--port N] [--ready-file F] [--routes FILE]
                            [--log-file F] [--quiet]
--listen may repeat (default 127.0.0.1; an IPv6 address such as ::1 works too); --port 0 (the
default) lets the kernel choose, and the same port is used on every address if it is free there.
Once listening, the server writes
    {"pid": ..., "port": P, "ports": {"127.0.0.1": P, ...}, "addresses": [...], "same_port": true}
to the ready file (atomically, by rename) and a line "fixture_server listening on ..." on stdout.
--routes loads a JSON {key: spec} file at start. On SIGTERM or SIGINT it stops, writes the request
log as JSON to --log-file if given, and exits 0.

Limits: plain HTTP only (no TLS, no brotli); request bodies are read (Content-Length or chunked)
and discarded; the request line is capped at 64 KiB and headers at 100 lines (414 / 431). There
is a thread per connection: hundreds of concurrent connections are fine, tens of thousands not.
"""
import argparse
import base64
import email.utils
import gzip
import http.server
import json
import os
import select
import signal
import socket
import socketserver
import struct
import sys
import threading
import time
import traceback
import urllib.parse
import zlib
from http import HTTPStatus

CONTROL = "/_fixture/"
HUGE_LENGTH = 10_000_000_000
SPEC_KEYS = {
    "status", "reason", "headers", "content_type", "body", "body_b64", "body_file", "gzip",
    "chunked", "close", "delay", "drip", "drip_bytes", "stall", "endless", "huge_content_length",
    "gzip_bomb", "gzip_layers", "truncated_gzip", "reset_mid_body", "reset_with", "redirect",
    "etag", "last_modified", "sequence", "cycle",
}
NO_BODY_STATUS = {204, 304}


class SpecError(ValueError):
    pass


class _ClientGone(Exception):
    """The client closed or reset the connection while we were answering."""


class _Stopped(Exception):
    """The server is stopping."""


# ---------------------------------------------------------------------------------------------
# Bodies

def rss_feed(title="fixture", items=3, link="http://127.0.0.1/"):
    """A small RSS 2.0 document as bytes; items is a count or a list of dicts."""
    if isinstance(items, int):
        items = [{"title": "%s item %d" % (title, i), "guid": "%s-%d" % (title, i)}
                 for i in range(1, items + 1)]
    esc = lambda s: (str(s).replace("&", "&amp;").replace("<", "&lt;")
                     .replace(">", "&gt;"))
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>',
           "<title>%s</title><link>%s</link><description>%s</description>"
           % (esc(title), esc(link), esc(title))]
    for it in items:
        out.append("<item>")
        for k in ("title", "link", "guid", "description", "pubDate"):
            if k in it:
                out.append("<%s>%s</%s>" % (k, esc(it[k]), k))
        out.append("</item>")
    out.append("</channel></rss>\n")
    return "".join(out).encode("utf-8")


def _gzip_member(raw_deflate, crc, size):
    return (b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff" + raw_deflate
            + struct.pack("<II", crc & 0xFFFFFFFF, size & 0xFFFFFFFF))


_bomb_lock = threading.Lock()
_bomb_cache = {}


def gzip_bomb_bytes(mb, layers=1):
    """gzip of MB x 2**20 zero bytes (layers=2: that gzip-compressed again); cached."""
    mb = int(mb)
    key = (mb, layers)
    with _bomb_lock:
        if key in _bomb_cache:
            return _bomb_cache[key]
        zeros = bytes(1 << 20)
        # After a full flush deflate's state no longer depends on what came before, so every
        # 1 MiB block of zeros compresses to the same bytes: build the stream by repetition.
        co = zlib.compressobj(9, zlib.DEFLATED, -15)
        blocks = [co.compress(zeros) + co.flush(zlib.Z_FULL_FLUSH) for _ in range(3)]
        tail = co.flush(zlib.Z_FINISH)
        crc = 0
        for _ in range(mb):
            crc = zlib.crc32(zeros, crc)
        if mb == 0:
            data = gzip.compress(b"")
        elif blocks[1] == blocks[2]:
            data = _gzip_member(blocks[0] + blocks[1] * (mb - 1) + tail, crc, mb << 20)
        else:
            co = zlib.compressobj(9, zlib.DEFLATED, -15)
            parts = [co.compress(zeros) for _ in range(mb)]
            parts.append(co.flush())
            data = _gzip_member(b"".join(parts), crc, mb << 20)
        for _ in range(layers - 1):
            data = gzip.compress(data, 9)
        _bomb_cache[key] = data
        return data


_ENDLESS_HEAD = (b'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
                 b"<title>endless</title><link>http://127.0.0.1/</link>"
                 b"<description>endless</description>\n")
_ENDLESS_ITEM = b"<item><title>again</title><guid>again</guid></item>\n"


# ---------------------------------------------------------------------------------------------
# Specs and routes

def _headers_list(h):
    if h is None:
        return []
    out = []
    if isinstance(h, dict):
        for k, v in h.items():
            for one in (v if isinstance(v, (list, tuple)) else [v]):
                out.append((str(k), str(one)))
        return out
    if isinstance(h, (list, tuple)):
        for pair in h:
            if not isinstance(pair, (list, tuple)) or len(pair) != 2:
                raise SpecError("headers: each element must be a [name, value] pair")
            out.append((str(pair[0]), str(pair[1])))
        return out
    raise SpecError("headers: a dict or a list of [name, value] pairs")


def _num(spec, key, lo=0):
    v = spec[key]
    if isinstance(v, bool) or not isinstance(v, (int, float)) or v < lo:
        raise SpecError("%s: a number >= %s" % (key, lo))


def _check_spec(spec, inner=False):
    """A validated, normalised copy of spec."""
    if not isinstance(spec, dict):
        raise SpecError("a spec must be an object")
    bad = set(spec) - SPEC_KEYS
    if bad:
        raise SpecError("unknown spec keys: %s" % ", ".join(sorted(bad)))
    s = dict(spec)
    if "status" in s:
        if isinstance(s["status"], bool) or not isinstance(s["status"], int) \
                or not 100 <= s["status"] <= 999:
            raise SpecError("status: an int from 100 to 999")
    if "headers" in s:
        s["headers"] = _headers_list(s["headers"])
    if "body" in s:
        b = s["body"]
        if isinstance(b, str):
            s["body"] = b.encode("utf-8")
        elif isinstance(b, (bytes, bytearray)):
            s["body"] = bytes(b)
        else:
            raise SpecError("body: a string or bytes")
    if "body_b64" in s:
        try:
            s["body"] = base64.b64decode(s.pop("body_b64"), validate=True)
        except (ValueError, TypeError) as e:
            raise SpecError("body_b64: %s" % e)
    for k in ("delay", "drip"):
        if k in s:
            _num(s, k)
    if "drip_bytes" in s:
        _num(s, "drip_bytes", 1)
        s["drip_bytes"] = int(s["drip_bytes"])
    if "stall" in s and s["stall"] not in (True, False, "headers", "body"):
        raise SpecError('stall: true, "headers" or "body"')
    if "endless" in s and not isinstance(s["endless"], (bool, str, bytes)):
        raise SpecError("endless: true or a string")
    if "huge_content_length" in s:
        v = s["huge_content_length"]
        if v is True:
            s["huge_content_length"] = HUGE_LENGTH
        elif v is False:
            del s["huge_content_length"]
        elif isinstance(v, bool) or not isinstance(v, int) or v < 0:
            raise SpecError("huge_content_length: true or an int")
    if "gzip_bomb" in s:
        _num(s, "gzip_bomb")
    if "gzip_layers" in s and s["gzip_layers"] not in (1, 2, 3):
        raise SpecError("gzip_layers: 1, 2 or 3")
    if "gzip" in s and s["gzip"] not in (True, False, "auto"):
        raise SpecError('gzip: true, false or "auto"')
    for k in ("truncated_gzip", "reset_mid_body"):
        v = s.get(k, False)
        if not isinstance(v, int) or (not isinstance(v, bool) and v < 0):
            raise SpecError("%s: true or an int >= 0" % k)
    if "reset_with" in s and s["reset_with"] not in ("rst", "fin"):
        raise SpecError('reset_with: "rst" or "fin"')
    if "redirect" in s and not isinstance(s["redirect"], str):
        raise SpecError("redirect: a URL string")
    if "etag" in s and s["etag"] is not None:
        e = str(s["etag"])
        if not (e.startswith('"') or e.startswith('W/"')):
            e = '"%s"' % e
        s["etag"] = e
    if "last_modified" in s and s["last_modified"] is not None:
        lm = s["last_modified"]
        if isinstance(lm, (int, float)) and not isinstance(lm, bool):
            s["last_modified"] = email.utils.formatdate(lm, usegmt=True)
        elif not isinstance(lm, str) or email.utils.parsedate_tz(lm) is None:
            raise SpecError("last_modified: an HTTP-date or a Unix time")
    if "sequence" in s:
        if inner:
            raise SpecError("sequence: elements cannot hold a sequence")
        seq = s["sequence"]
        if not isinstance(seq, list) or not seq:
            raise SpecError("sequence: a non-empty list of specs")
        s["sequence"] = [_check_spec(x, inner=True) for x in seq]
    return s


def _split_key(key, host=None):
    if not isinstance(key, str) or not key:
        raise SpecError("a route key is a path or HOST/path")
    if not key.startswith("/"):
        if host is not None:
            raise SpecError("give the host in the key or in host=, not both")
        i = key.find("/")
        if i <= 0:
            raise SpecError("a route key is a path or HOST/path: %r" % key)
        host, key = key[:i], key[i:]
    if key.startswith(CONTROL):
        raise SpecError("%s is reserved for the control API" % CONTROL)
    return (host.lower() if host else None, key)


def _key_str(k):
    return (k[0] or "") + k[1]


class _Route:
    def __init__(self, spec):
        self.spec = spec
        self.count = 0


# ---------------------------------------------------------------------------------------------
# Shared state of all the listeners

class _State:
    def __init__(self):
        self.lock = threading.Lock()
        self.cond = threading.Condition(self.lock)
        self.stop_event = threading.Event()
        self.routes = {}
        self.log = []
        self.conns = {}
        self.threads = set()
        self.errors = []
        self.next_conn = 0
        self.next_seq = 0
        self._zero_counters()

    def _zero_counters(self):
        self.requests = 0
        self.inflight = 0
        self.max_inflight = 0
        self.open_counted = 0
        self.max_connections = 0
        self.accepted = 0
        self.by_addr = {}
        self.by_host = {}

    def _addr(self, a):
        d = self.by_addr.get(a)
        if d is None:
            d = self.by_addr[a] = {"requests": 0, "inflight": 0, "max_inflight": 0,
                                   "connections": 0, "max_connections": 0, "accepted": 0}
        return d

    def _host(self, h):
        d = self.by_host.get(h)
        if d is None:
            d = self.by_host[h] = {"requests": 0, "inflight": 0, "max_inflight": 0}
        return d

    # connections
    def conn_open(self, sock, client, local):
        with self.lock:
            self.next_conn += 1
            cid = self.next_conn
            self.conns[cid] = {"sock": sock, "client": client, "local": local,
                               "counted": False, "requests": 0}
            self.accepted += 1
            self._addr(local[0])["accepted"] += 1
            return cid

    def conn_close(self, cid):
        with self.lock:
            c = self.conns.pop(cid, None)
            if c and c["counted"]:
                self.open_counted -= 1
                self._addr(c["local"][0])["connections"] -= 1

    def conn_forget_socket(self, cid):
        with self.lock:
            c = self.conns.get(cid)
            if c:
                c["sock"] = None

    # requests
    def begin(self, cid, h, body_len):
        now = time.monotonic()
        with self.lock:
            c = self.conns[cid]
            c["requests"] += 1
            local = c["local"]
            a = self._addr(local[0])
            if not c["counted"]:
                c["counted"] = True
                self.open_counted += 1
                self.max_connections = max(self.max_connections, self.open_counted)
                a["connections"] += 1
                a["max_connections"] = max(a["max_connections"], a["connections"])
            hosthdr = (h.headers.get("Host") or "").lower()
            hs = self._host(hosthdr)
            self.requests += 1
            self.inflight += 1
            self.max_inflight = max(self.max_inflight, self.inflight)
            for d in (a, hs):
                d["requests"] += 1
                d["inflight"] += 1
                d["max_inflight"] = max(d["max_inflight"], d["inflight"])
            pairs = [[k, v] for k, v in h.headers.items()]
            joined = {}
            for k, v in pairs:
                lk = k.lower()
                joined[lk] = joined[lk] + ", " + v if lk in joined else v
            self.next_seq += 1
            e = {"seq": self.next_seq, "conn": cid, "conn_seq": c["requests"],
                 "t": now, "t_end": None, "wall": time.time(),
                 "client": list(c["client"][:2]), "local": list(local[:2]),
                 "method": h.command, "path": h.path, "version": h.request_version,
                 "headers": pairs, "header": joined, "body_len": body_len,
                 "route": None, "sequence_index": None, "status": None,
                 "bytes_sent": 0, "outcome": None}
            self.log.append(e)
            self.cond.notify_all()
            return e, hosthdr

    def end(self, e, hosthdr, outcome, sent):
        with self.lock:
            e["t_end"] = time.monotonic()
            e["outcome"] = outcome
            e["bytes_sent"] = sent
            self.inflight -= 1
            self._addr(e["local"][0])["inflight"] -= 1
            self._host(hosthdr)["inflight"] -= 1
            self.cond.notify_all()

    # routes
    def resolve(self, local_addr, hosthdr, target):
        path = target.split("?", 1)[0]
        hostname = hosthdr
        if hostname.startswith("["):
            hostname = hostname[:hostname.find("]") + 1]
        elif ":" in hostname:
            hostname = hostname.rsplit(":", 1)[0]
        hosts = [x for x in (local_addr, hostname, hosthdr) if x]
        with self.lock:
            for group in (hosts, [None]):
                for hh in group:
                    for p in (target, path):
                        r = self.routes.get((hh, p))
                        if r:
                            return self._pick((hh, p), r)
                best = None
                for (hh, p), r in self.routes.items():
                    if hh in group and p.endswith("*") and path.startswith(p[:-1]):
                        if best is None or len(p) > len(best[0][1]) \
                                or (len(p) == len(best[0][1])
                                    and group.index(hh) < group.index(best[0][0])):
                            best = ((hh, p), r)
                if best:
                    return self._pick(*best)
        return None, None, None

    def _pick(self, key, r):
        s = r.spec
        idx = None
        if "sequence" in s:
            seq = s["sequence"]
            n = r.count
            idx = n % len(seq) if s.get("cycle") else min(n, len(seq) - 1)
            eff = {k: v for k, v in s.items() if k not in ("sequence", "cycle")}
            eff.update(seq[idx])
            s = eff
        r.count += 1
        return _key_str(key), s, idx

    def stats(self):
        with self.lock:
            return {
                "requests": self.requests, "inflight": self.inflight,
                "max_inflight": self.max_inflight, "connections": self.open_counted,
                "max_connections": self.max_connections, "accepted": self.accepted,
                "by_addr": {k: dict(v) for k, v in self.by_addr.items()},
                "by_host": {k: dict(v) for k, v in self.by_host.items()},
                "threads": len(self.threads), "errors": list(self.errors),
            }

    def clear(self):
        with self.lock:
            self.log = []
            self.requests = 0
            self.accepted = 0
            self.max_inflight = self.inflight
            self.max_connections = self.open_counted
            for d in self.by_addr.values():
                d["requests"] = d["accepted"] = 0
                d["max_inflight"] = d["inflight"]
                d["max_connections"] = d["connections"]
            for d in self.by_host.values():
                d["requests"] = 0
                d["max_inflight"] = d["inflight"]
            self.errors = []

    def records(self, path=None, host=None, since=0):
        def host_ok(e):
            if host is None or e["local"][0] == host:
                return True
            h = (e["header"].get("host") or "").lower()
            return host.lower() in (h, h.rsplit(":", 1)[0])

        with self.lock:
            out = [e for e in self.log if e["seq"] > since and host_ok(e)
                   and (path is None or path in (e["path"], e["path"].split("?", 1)[0]))]
            return json.loads(json.dumps(out))


def header(record, name):
    """The value of header NAME (any case) of a request record, repeats joined; or None."""
    return record["header"].get(name.lower())


# ---------------------------------------------------------------------------------------------
# The connection handler

class _Out:
    """Writes the answer, dripping if asked; turns socket errors into _ClientGone."""

    def __init__(self, h, state, drip=0, drip_bytes=1):
        self.h = h
        self.state = state
        self.drip = drip
        self.drip_bytes = drip_bytes
        self.sent = 0

    def write(self, data):
        if self.state.stop_event.is_set():
            raise _Stopped()
        step = self.drip_bytes if self.drip else len(data)
        for i in range(0, len(data), max(step, 1)):
            piece = data[i:i + step] if self.drip else data
            try:
                self.h.wfile.write(piece)
            except (OSError, ValueError):
                if self.state.stop_event.is_set():
                    raise _Stopped()
                raise _ClientGone()
            self.sent += len(piece)
            if self.drip:
                self.h.pause(self.drip)


def _not_modified(h, etag, last_modified):
    inm = h.headers.get_all("If-None-Match")
    if inm:
        if not etag:
            return False
        tags = [t.strip() for line in inm for t in line.split(",")]
        weak = lambda t: t[2:] if t.startswith("W/") else t
        return "*" in tags or weak(etag) in [weak(t) for t in tags]
    ims = h.headers.get("If-Modified-Since")
    if ims and last_modified:
        try:
            a = email.utils.parsedate_to_datetime(ims)
            b = email.utils.parsedate_to_datetime(last_modified)
            return b <= a
        except (TypeError, ValueError, IndexError):
            return False
    return False


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "wiredesk-fixture/1"

    def setup(self):
        super().setup()
        st = self.server.state
        self.cid = st.conn_open(self.connection, self.client_address,
                                self.connection.getsockname())

    def finish(self):
        try:
            super().finish()
        except OSError:
            pass
        finally:
            self.server.state.conn_close(self.cid)

    def log_message(self, fmt, *args):
        pass

    def _read_body(self):
        te = (self.headers.get("Transfer-Encoding") or "").lower()
        if "chunked" in te:
            parts = []
            while True:
                line = self.rfile.readline(1024)
                if not line:
                    raise _ClientGone()
                n = int(line.split(b";", 1)[0].strip() or b"0", 16)
                if n == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(parts)
                parts.append(self.rfile.read(n))
                self.rfile.readline(8)
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def _dispatch(self):
        try:
            body = self._read_body()
        except (ValueError, OSError, _ClientGone):
            self.close_connection = True
            return
        if self.path.startswith(CONTROL):
            return self._control(body)
        st = self.server.state
        e, hosthdr = st.begin(self.cid, self, len(body))
        self._sent = 0
        outcome = "complete"
        try:
            outcome = self._serve(e, hosthdr)
        except _ClientGone:
            outcome = "client_closed"
            self.close_connection = True
        except _Stopped:
            outcome = "stopped"
            self.close_connection = True
        except Exception as ex:
            # a fault in the spec (a missing body_file) or in this server: say so, loudly
            outcome = "error"
            self.close_connection = True
            msg = "".join(traceback.format_exception(type(ex), ex, ex.__traceback__))
            with st.lock:
                st.errors.append(msg)
            sys.stderr.write("fixture_server: %s %s: %s" % (
                self.command, self.path, "%s\n" % ex if isinstance(ex, OSError) else msg))
            if not self._sent:
                with st.lock:
                    e["status"] = 500
                data = ("fixture_server: %s\n" % ex).encode("utf-8", "replace")
                try:
                    self.wfile.write(b"HTTP/1.1 500 Internal Server Error\r\n"
                                     b"Content-Type: text/plain\r\nConnection: close\r\n"
                                     b"Content-Length: %d\r\n\r\n%s" % (len(data), data))
                except OSError:
                    pass
        finally:
            st.end(e, hosthdr, outcome, getattr(self, "_sent", 0))

    do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _dispatch

    # the answer -------------------------------------------------------------------------
    def _serve(self, e, hosthdr):
        st = self.server.state
        self._sent = 0
        local_addr, local_port = self.connection.getsockname()[:2]
        key, spec, idx = st.resolve(local_addr, hosthdr, self.path)
        if spec is None:
            spec = {"status": 404, "body": b"no route\n", "content_type": "text/plain"}
        with st.lock:
            e["route"] = key
            e["sequence_index"] = idx
        out = _Out(self, st, spec.get("drip", 0), spec.get("drip_bytes", 1))
        try:
            return self._answer(e, spec, out, local_addr, local_port, hosthdr)
        finally:
            self._sent = out.sent

    def pause(self, seconds):
        """Sleep, but raise _ClientGone as soon as the client hangs up (so that the in-flight
        counts stay true while a client gives up on a delay or a drip), _Stopped on stop()."""
        st = self.server.state
        end = time.monotonic() + seconds
        sock = self.connection
        p = select.poll()
        p.register(sock, select.POLLIN)
        pending = False         # the client sent more (a pipelined request): cannot see EOF
        while True:
            if st.stop_event.is_set():
                raise _Stopped()
            left = end - time.monotonic()
            if left <= 0:
                return
            step = min(left, 0.05)
            if pending:
                st.stop_event.wait(step)
                continue
            try:
                if p.poll(max(1, int(step * 1000))):
                    if not sock.recv(1, socket.MSG_PEEK):
                        raise OSError("end of file")
                    pending = True
            except OSError:
                raise _Stopped() if st.stop_event.is_set() else _ClientGone()

    def _answer(self, e, spec, out, local_addr, local_port, hosthdr):
        st = self.server.state
        if spec.get("delay"):
            self.pause(spec["delay"])
        if spec.get("stall") is True:
            return self._hold()

        status = spec.get("status", 200)
        headers = list(spec.get("headers", []))
        names = {k.lower() for k, _ in headers}
        close = bool(spec.get("close"))
        if "redirect" in spec:
            if not 300 <= status < 400:
                status = 302
            if "location" not in names:
                loc = (spec["redirect"].replace("{port}", str(local_port))
                       .replace("{addr}", local_addr).replace("{host}", hosthdr))
                headers.append(("Location", loc))
        etag, lm = spec.get("etag"), spec.get("last_modified")
        if 200 <= status < 300 and (etag or lm) and _not_modified(self, etag, lm):
            status = 304
        if (200 <= status < 300 or status == 304):
            if etag and "etag" not in names:
                headers.append(("ETag", etag))
            if lm and "last-modified" not in names:
                headers.append(("Last-Modified", lm))
        if "content_type" in spec and "content-type" not in names and status != 304:
            headers.append(("Content-Type", spec["content_type"]))
        if "date" not in names:
            headers.append(("Date", email.utils.formatdate(usegmt=True)))

        # the body and its framing
        body = spec.get("body", b"")
        if "body_file" in spec:
            with open(spec["body_file"], "rb") as f:
                body = f.read()
        endless = spec.get("endless")
        chunked = bool(spec.get("chunked")) or bool(endless)
        length = None           # Content-Length to announce (None: the body's)
        cut = None              # bytes of the body to send before dropping the connection
        drop = None             # "rst" or "fin" after the cut
        accept = (self.headers.get("Accept-Encoding") or "").lower()
        if spec.get("gzip_bomb") is not None:
            layers = spec.get("gzip_layers", 1)
            body = gzip_bomb_bytes(spec["gzip_bomb"], layers)
            if "content-encoding" not in names:
                headers.append(("Content-Encoding", ", ".join(["gzip"] * layers)))
        elif spec.get("truncated_gzip"):
            z = gzip.compress(body or rss_feed("truncated", 20), 9)
            t = spec["truncated_gzip"]
            body = z[:len(z) // 2] if t is True else z[:t]
            if "content-encoding" not in names:
                headers.append(("Content-Encoding", "gzip"))
        elif spec.get("gzip") is True or (spec.get("gzip") == "auto" and "gzip" in accept):
            body = gzip.compress(body, 9)
            if "content-encoding" not in names:
                headers.append(("Content-Encoding", "gzip"))
        if spec.get("reset_mid_body") not in (None, False):
            if not body:
                body = b"x" * 4096
            r = spec["reset_mid_body"]
            cut = len(body) // 2 if r is True else min(r, len(body))
            drop = spec.get("reset_with", "rst")
            chunked = False
        if spec.get("huge_content_length"):
            length = spec["huge_content_length"]
            drop = "fin"
            chunked = False
        if "content-length" in names:
            drop = drop or "fin"
            chunked = False
        no_body = status in NO_BODY_STATUS or 100 <= status < 200
        if no_body:
            chunked = False
            body = b""
        elif chunked:
            if "transfer-encoding" not in names:
                headers.append(("Transfer-Encoding", "chunked"))
        elif "content-length" not in names:
            headers.append(("Content-Length", str(len(body) if length is None else length)))
        if self.close_connection or close or drop:
            if "connection" not in names:
                headers.append(("Connection", "close"))
            self.close_connection = True

        reason = spec.get("reason")
        if reason is None:
            try:
                reason = HTTPStatus(status).phrase
            except ValueError:
                reason = "Status"
        head = ["HTTP/1.1 %d %s\r\n" % (status, reason)]
        head += ["%s: %s\r\n" % (k, v) for k, v in headers]
        head.append("\r\n")
        head = "".join(head).encode("latin-1", "replace")
        with st.lock:
            e["status"] = status

        stall = spec.get("stall")
        if stall:
            out.write(head)
            if stall == "body" and self.command != "HEAD":
                out.write(body[:len(body) // 2])
            return self._hold()
        if self.command == "HEAD" or no_body:
            out.write(head)
            return "complete"
        if endless:
            out.write(head)
            if endless is True:
                first, piece = _ENDLESS_HEAD, _ENDLESS_ITEM * 1200
            else:
                piece = endless.encode() if isinstance(endless, str) else endless
                piece = piece * max(1, 65536 // max(len(piece), 1))
                first = piece
            out.write(b"%x\r\n%s\r\n" % (len(first), first))
            framed = b"%x\r\n%s\r\n" % (len(piece), piece)
            while True:
                out.write(framed)
        if chunked:
            out.write(head)
            step = 4096
            for i in range(0, len(body), step):
                c = body[i:i + step]
                out.write(b"%x\r\n%s\r\n" % (len(c), c))
            out.write(b"0\r\n\r\n")
            return "complete"
        if cut is not None:
            out.write(head + body[:cut])
            return self._drop(drop)
        # send the head and the body together when small; stream big ones
        if len(body) <= 1 << 16:
            out.write(head + body)
        else:
            out.write(head)
            for i in range(0, len(body), 1 << 16):
                out.write(body[i:i + (1 << 16)])
        if drop:
            return self._drop(drop)
        return "complete"

    def _drop(self, how):
        self.close_connection = True
        if how == "rst":
            s = self.connection
            try:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.server.state.conn_forget_socket(self.cid)
                fd = s.detach()
                os.close(fd)
            except OSError:
                pass
            return "reset"
        return "closed"

    def _hold(self):
        """Answer nothing more until the client closes or the server stops."""
        st = self.server.state
        self.close_connection = True
        sock = self.connection
        try:
            p = select.poll()           # not select(): descriptors may be above FD_SETSIZE
            p.register(sock, select.POLLIN)
            while not st.stop_event.is_set():
                if p.poll(100) and not sock.recv(65536):
                    break
        except (OSError, ValueError):
            pass
        if st.stop_event.is_set():
            raise _Stopped()
        return "stalled"

    # control API ------------------------------------------------------------------------
    def _json(self, code, obj):
        data = json.dumps(obj, indent=None).encode("utf-8")
        head = ("HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n"
                "Cache-Control: no-store\r\n%s\r\n"
                % (code, HTTPStatus(code).phrase, len(data),
                   "Connection: close\r\n" if self.close_connection else ""))
        try:
            self.wfile.write(head.encode("latin-1") + (data if self.command != "HEAD" else b""))
        except OSError:
            self.close_connection = True

    def _control(self, body):
        fx = self.server.fixture
        u = urllib.parse.urlsplit(self.path)
        name = u.path[len(CONTROL):]
        q = dict(urllib.parse.parse_qsl(u.query))
        m = self.command
        try:
            arg = json.loads(body.decode("utf-8")) if body.strip() else {}
            if name == "ping" and m in ("GET", "HEAD"):
                return self._json(200, {"ok": True, "port": fx.port, "ports": fx.ports})
            if name == "log" and m in ("GET", "HEAD"):
                return self._json(200, fx.log(path=q.get("path"), host=q.get("host"),
                                              since=int(q.get("since", 0))))
            if name == "stats" and m in ("GET", "HEAD"):
                return self._json(200, fx.stats())
            if name == "routes" and m in ("GET", "HEAD"):
                return self._json(200, fx.route_table())
            if name == "routes" and m == "POST":
                if not isinstance(arg, dict):
                    raise SpecError("POST /_fixture/routes takes {key: spec}")
                fx.routes(arg)
                return self._json(200, {"ok": True, "routes": len(arg)})
            if name == "routes" and m == "DELETE":
                fx.unroute(q.get("key", ""))
                return self._json(200, {"ok": True})
            if name == "redirect_loop" and m == "POST":
                first = fx.redirect_loop(arg.get("paths"), arg.get("status", 302),
                                         arg.get("host"))
                return self._json(200, {"ok": True, "first": first})
            if name == "redirect_chain" and m == "POST":
                first = fx.redirect_chain(arg.get("prefix", "/hop"), int(arg.get("hops", 10)),
                                          arg.get("status", 302), arg.get("final"),
                                          arg.get("host"))
                return self._json(200, {"ok": True, "first": first})
            if name == "clear" and m == "POST":
                fx.clear()
                return self._json(200, {"ok": True})
            if name == "reset" and m == "POST":
                fx.reset()
                return self._json(200, {"ok": True})
            return self._json(404, {"ok": False, "error": "no control %s %s" % (m, u.path)})
        except (SpecError, ValueError, TypeError, KeyError) as ex:
            return self._json(400, {"ok": False, "error": str(ex)})


class _Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    allow_reuse_address = True
    daemon_threads = True

    def __init__(self, addr, state, fixture, backlog):
        self.state = state
        self.fixture = fixture
        self.request_queue_size = backlog
        if ":" in addr[0]:
            self.address_family = socket.AF_INET6
        super().__init__(addr, _Handler)

    def server_bind(self):
        # HTTPServer.server_bind would look up the FQDN of the address: skip that.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    def process_request(self, request, client_address):
        t = threading.Thread(target=self._run, args=(request, client_address), daemon=True)
        with self.state.lock:
            self.state.threads.add(t)
        t.start()

    def _run(self, request, client_address):
        try:
            self.finish_request(request, client_address)
        except Exception:
            self.handle_error(request, client_address)
        finally:
            self.shutdown_request(request)
            with self.state.lock:
                self.state.threads.discard(threading.current_thread())

    def handle_error(self, request, client_address):
        ex = sys.exc_info()[1]
        if isinstance(ex, (OSError, _ClientGone, _Stopped)):
            return          # the client went away, or we are stopping
        msg = "".join(traceback.format_exception(type(ex), ex, ex.__traceback__))
        with self.state.lock:
            self.state.errors.append(msg)
        sys.stderr.write("fixture_server: %s" % msg)


# ---------------------------------------------------------------------------------------------
# The public class

class FixtureServer:
    """See the module docstring."""

    def __init__(self, addresses=("127.0.0.1",), port=0, backlog=1024):
        if isinstance(addresses, str):
            addresses = [addresses]
        self.addresses = list(addresses) or ["127.0.0.1"]
        self._want_port = port
        self._backlog = backlog
        self._state = _State()
        self._servers = []
        self._loops = []
        self.port = None
        self.ports = {}
        self.same_port = False
        self._started = False

    # lifecycle
    def _bind(self, port):
        servers = []
        try:
            for a in self.addresses:
                srv = _Server((a, port), self._state, self, self._backlog)
                servers.append(srv)
                if port == 0:
                    port = srv.server_address[1]
            return servers
        except OSError:
            for s in servers:
                s.server_close()
            raise

    def start(self):
        if self._started:
            raise RuntimeError("a FixtureServer starts once")
        servers = None
        if self._want_port or len(self.addresses) == 1:
            servers = self._bind(self._want_port)
        else:
            for _ in range(20):
                try:
                    servers = self._bind(0)
                    break
                except OSError:
                    continue
            if servers is None:         # no common port: one port each
                servers = []
                for a in self.addresses:
                    servers.append(_Server((a, 0), self._state, self, self._backlog))
        self._servers = servers
        self.ports = {s.server_address[0]: s.server_address[1] for s in servers}
        self.port = servers[0].server_address[1]
        self.same_port = len(set(self.ports.values())) == 1
        for s in servers:
            t = threading.Thread(target=s.serve_forever, kwargs={"poll_interval": 0.05},
                                 daemon=True, name="fixture-listen-%s" % s.server_address[0])
            t.start()
            self._loops.append(t)
        self._started = True
        return self

    def stop(self, timeout=1.0):
        """Close the listeners and every connection; join the threads (at most ~timeout s)."""
        if not self._started:
            return
        st = self._state
        st.stop_event.set()
        for s in self._servers:
            s.shutdown()
            s.server_close()
        deadline = time.monotonic() + timeout
        while True:
            with st.lock:
                socks = [c["sock"] for c in st.conns.values() if c["sock"] is not None]
                threads = list(st.threads)
            for sock in socks:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
            if not threads or time.monotonic() >= deadline:
                break
            threads[0].join(min(0.05, max(0.0, deadline - time.monotonic())))
        for t in self._loops:
            t.join(max(0.0, deadline - time.monotonic()))
        self._started = False
        self._servers = []

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # addresses
    def url(self, path="/", host=None):
        host = host or self.addresses[0]
        port = self.ports.get(host, self.port)
        h = "[%s]" % host if ":" in host else host
        return "http://%s:%d%s" % (h, port, path)

    # routes
    def route(self, key, host=None, **spec):
        k = _split_key(key, host)
        s = _check_spec(spec)
        with self._state.lock:
            self._state.routes[k] = _Route(s)
        return key

    def routes(self, table):
        checked = [(_split_key(k), _check_spec(v)) for k, v in table.items()]
        with self._state.lock:
            for k, s in checked:
                self._state.routes[k] = _Route(s)

    def unroute(self, key, host=None):
        k = _split_key(key, host)
        with self._state.lock:
            self._state.routes.pop(k, None)

    def route_table(self):
        def show(s):
            s = dict(s)
            if "body" in s:
                s["body_len"] = len(s.pop("body"))
            if "headers" in s:
                s["headers"] = [list(p) for p in s["headers"]]
            if "sequence" in s:
                s["sequence"] = [show(x) for x in s["sequence"]]
            return s
        with self._state.lock:
            return {_key_str(k): show(r.spec) for k, r in self._state.routes.items()}

    def redirect_loop(self, paths, status=302, host=None):
        if not isinstance(paths, list) or len(paths) < 2:
            raise SpecError("redirect_loop: a list of two paths or more")
        table = {}
        for i, p in enumerate(paths):
            k = _split_key(p, host)
            table[_key_str(k)] = {"status": status, "redirect": paths[(i + 1) % len(paths)]}
        self.routes(table)
        return paths[0]

    def redirect_chain(self, prefix, hops, status=302, final=None, host=None):
        if hops < 1:
            raise SpecError("redirect_chain: hops >= 1")
        prefix = prefix.rstrip("/")
        table = {}
        for i in range(hops):
            k = _split_key("%s/%d" % (prefix, i), host)
            table[_key_str(k)] = {"status": status, "redirect": "%s/%d" % (prefix, i + 1)}
        k = _split_key("%s/%d" % (prefix, hops), host)
        table[_key_str(k)] = final if final is not None else {"body": "end"}
        self.routes(table)
        return "%s/0" % prefix

    # records and counters
    def log(self, path=None, host=None, since=0):
        return self._state.records(path, host, since)

    def wait_for(self, count=1, path=None, host=None, timeout=5.0, done=False):
        deadline = time.monotonic() + timeout
        st = self._state
        while True:
            recs = self.log(path, host)
            if done:
                recs = [r for r in recs if r["outcome"] is not None]
            if len(recs) >= count:
                return recs
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("%d of %d requests for %s" % (len(recs), count, path))
            with st.lock:
                st.cond.wait(min(left, 0.1))

    def stats(self):
        return self._state.stats()

    def clear(self):
        self._state.clear()

    def reset(self):
        st = self._state
        with st.lock:
            st.routes = {}
            st.log = []
            st.errors = []
            inflight = st.inflight
            by_addr, by_host = st.by_addr, st.by_host
            open_counted = st.open_counted
            st._zero_counters()
            # keep what is running now, so that the gauges stay true
            st.inflight = st.max_inflight = inflight
            st.open_counted = st.max_connections = open_counted
            for a, d in by_addr.items():
                if d["inflight"] or d["connections"]:
                    n = st._addr(a)
                    n["inflight"] = n["max_inflight"] = d["inflight"]
                    n["connections"] = n["max_connections"] = d["connections"]
            for h, d in by_host.items():
                if d["inflight"]:
                    n = st._host(h)
                    n["inflight"] = n["max_inflight"] = d["inflight"]


# ---------------------------------------------------------------------------------------------
# Command line

def main(argv=None):
    ap = argparse.ArgumentParser(description="wiredesk's fixture HTTP server (see the module "
                                 "docstring: pydoc3 fixture_server)")
    ap.add_argument("--listen", action="append", help="address to listen on (repeatable; "
                    "default 127.0.0.1)")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--ready-file")
    ap.add_argument("--routes", help="JSON file {key: spec} loaded at start")
    ap.add_argument("--log-file", help="write the request log here as JSON on exit")
    ap.add_argument("--quiet", action="store_true")
    a = ap.parse_args(argv)

    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())

    srv = FixtureServer(a.listen or ["127.0.0.1"], a.port)
    if a.routes:
        with open(a.routes, encoding="utf-8") as f:
            table = json.load(f)
    srv.start()
    try:
        if a.routes:
            srv.routes(table)
        if a.ready_file:
            tmp = a.ready_file + ".tmp"
            with open(tmp, "w") as f:
                json.dump({"pid": os.getpid(), "port": srv.port, "ports": srv.ports,
                           "addresses": srv.addresses, "same_port": srv.same_port}, f)
            os.replace(tmp, a.ready_file)
        if not a.quiet:
            print("fixture_server listening on %s" % " ".join(
                "%s:%d" % (h, p) for h, p in srv.ports.items()), flush=True)
        while not done.wait(0.5):
            pass
    finally:
        srv.stop()
        if a.log_file:
            with open(a.log_file, "w") as f:
                json.dump(srv.log(), f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
