#!/bin/sh
# run_http.sh - the built-in server against nginx on the same file, and the time to publish an
# output of 500 entries.
#
# Makes a 500-item feed (file:// source), runs `wiredesk once` on it (the publish time is in its
# log), then starts `wiredesk run` (which serves the output) and nginx on the same folder, and
# times GETs of NAME.rss with wrk against each in turn, in the same run: requests a second, and the
# ratio to nginx. A conditional pass (If-None-Match, all 304) too.
#
#   bench/run_http.sh
# Env: BUILD_DIR (build-poll/, Release), NO_BUILD=1, DURATION (5 s), CONNS (32), BENCH_WORK.
# Needs nginx and wrk (Debian packages nginx-light, wrk).
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD_DIR:-$ROOT/build-poll}
WORK=${BENCH_WORK:-/tmp/wiredesk-bench}/http
DURATION=${DURATION:-5}
CONNS=${CONNS:-32}
for t in nginx wrk; do command -v $t >/dev/null || { echo "run_http.sh: $t is needed" >&2; exit 69; }; done
if [ "${NO_BUILD:-0}" != 1 ]; then
	[ -f "$BUILD/CMakeCache.txt" ] ||
		cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >&2
	cmake --build "$BUILD" -j "$(nproc)" --target wiredesk >&2
fi
rm -rf "$WORK"
mkdir -p "$WORK/nginx"
python3 - "$WORK/items.rss" <<'PY'
import random, sys
# 500 different stories: distinct words in each title and lead, or dedup rightly makes them one.
rnd = random.Random(1)
def text(n):
    return " ".join("".join(rnd.choice("bcdfghklmnprstvz") + rnd.choice("aeiou") for _ in range(3))
                    for _ in range(n))
items = "".join("<item><title>%s</title><link>https://example.org/%d</link><guid>s-%d</guid>"
                "<pubDate>Thu, 26 Nov 2026 %02d:%02d:00 GMT</pubDate>"
                "<description>%s.</description></item>"
                % (text(9), i, i, i // 60 % 24, i % 60, text(60)) for i in range(500))
open(sys.argv[1], "w").write('<?xml version="1.0"?><rss version="2.0"><channel><title>B</title>'
                             '<link>https://example.org/</link><description>B</description>%s</channel></rss>' % items)
PY
P1=18091
P2=18092
cat > "$WORK/wiredesk.conf" <<CONF
[daemon]
state = wd.db
output_dir = feeds
listen = 127.0.0.1:$P1
allow_file = yes
min_interval = 1m
[source bench]
url = items.rss
[output bench]
sources = *
max_items = 500
max_age = 3650d
CONF
"$BUILD/wiredesk" once --config "$WORK/wiredesk.conf" 2>&1 | grep "publish output=" | sed 's/^/once: /'
"$BUILD/wiredesk" run --config "$WORK/wiredesk.conf" 2>/dev/null &
WD=$!
cat > "$WORK/nginx/nginx.conf" <<NGX
worker_processes 1;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 4096; }
http {
    include /etc/nginx/mime.types;
    access_log off;
    sendfile on;
    client_body_temp_path $WORK/nginx/body;
    proxy_temp_path $WORK/nginx/proxy;
    fastcgi_temp_path $WORK/nginx/fastcgi;
    uwsgi_temp_path $WORK/nginx/uwsgi;
    scgi_temp_path $WORK/nginx/scgi;
    server { listen 127.0.0.1:$P2; root $WORK/feeds; }
}
NGX
nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/error.log" -g 'daemon off;' &
NGX=$!
trap 'kill $WD $NGX 2>/dev/null; wait 2>/dev/null' EXIT
sleep 1
echo "file: $(wc -c < "$WORK/feeds/bench.rss") bytes, 500 entries; wrk -t1 -c$CONNS -d${DURATION}s"
rps() { wrk -t1 -c"$CONNS" -d"${DURATION}s" "$@" | awk '/Requests\/sec/ {print $2}'; }
E1=$(curl -sI "http://127.0.0.1:$P1/bench.rss" | awk 'tolower($1)=="etag:" {print $2}' | tr -d '\r')
E2=$(curl -sI "http://127.0.0.1:$P2/bench.rss" | awk 'tolower($1)=="etag:" {print $2}' | tr -d '\r')
w=$(rps "http://127.0.0.1:$P1/bench.rss")
n=$(rps "http://127.0.0.1:$P2/bench.rss")
w304=$(rps -H "If-None-Match: $E1" "http://127.0.0.1:$P1/bench.rss")
n304=$(rps -H "If-None-Match: $E2" "http://127.0.0.1:$P2/bench.rss")
printf "GET 200:  wiredesk %s req/s, nginx %s req/s, ratio %.2f\n" "$w" "$n" "$(echo "$w / $n" | bc -l)"
printf "GET 304:  wiredesk %s req/s, nginx %s req/s, ratio %.2f\n" "$w304" "$n304" "$(echo "$w304 / $n304" | bc -l)"
