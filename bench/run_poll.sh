#!/bin/sh
# run_poll.sh - one polling cycle of `wiredesk once --all` over N feeds served by nginx, against
# the shared harness's references in the same run (curl --parallel, uvfetch, sfeed_update).
#
# Builds the release build in build-poll/ (configuring it the first time, incrementally after),
# writes a configuration naming the N feeds the harness generates (http://127.0.0.1:PORT/f/NNNNN.xml,
# the pattern of shared/bench/gen_www.py) with concurrency and per_host at 100 (uvfetch's -c 100)
# and a fresh store, then runs shared/bench/poll_bench.sh, which times wiredesk twice: pass 1 from
# an empty store (every body fetched, parsed, clustered, stored), pass 2 all 304.
#
#   bench/run_poll.sh                 # N=10000
#   N=1000 SKIP_SFEED=1 bench/run_poll.sh
#   CYCLES=10 bench/run_poll.sh       # and then `wiredesk run` for 10 cycles: memory each cycle
# Env: N, PORT (8089), SKIP_SFEED, CYCLES, BENCH_WORK (/tmp/wiredesk-bench), BUILD_DIR, NO_BUILD=1,
#      SHARED_BENCH (/work/shared/bench). Needs nginx (Debian package nginx-light or nginx).
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${SHARED_BENCH:-/work/shared/bench}
BUILD=${BUILD_DIR:-$ROOT/build-poll}
WORK=${BENCH_WORK:-/tmp/wiredesk-bench}
N=${N:-10000}
PORT=${PORT:-8089}

command -v nginx >/dev/null || { echo "run_poll.sh: nginx is needed (apt-get install nginx-light)" >&2; exit 69; }
if [ "${NO_BUILD:-0}" != 1 ]; then
	[ -f "$BUILD/CMakeCache.txt" ] ||
		cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >&2
	cmake --build "$BUILD" -j "$(nproc)" --target wiredesk >&2
fi
echo "wiredesk $(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo '(no git)'), $BUILD/wiredesk" >&2

STATE=$WORK/wiredesk-poll-$N
rm -rf "$STATE"
mkdir -p "$STATE"
CONF=$STATE/wiredesk.conf
{
	printf '[daemon]\nstate = wd.db\nlisten =\nconcurrency = 100\nper_host = 100\nhost_delay = 0\n'
	printf 'allow_private = yes\nmin_interval = 1s\n'
	i=0
	while [ "$i" -lt "$N" ]; do
		printf '[source f%05d]\nurl = http://127.0.0.1:%s/f/%05d.xml\n' "$i" "$PORT" "$i"
		i=$((i + 1))
	done
} > "$CONF"
WIREDESK="$BUILD/wiredesk" PORT=$PORT BENCH_WORK=$WORK "$SHARED/poll_bench.sh" "$N" "$CONF"

# CYCLES=10: then `wiredesk run` over that many cycles (a poll every 5 s a source), memory each cycle.
if [ "${CYCLES:-0}" -gt 0 ]; then
	# A fresh store: every source due at once, its interval the configured 5 s.
	sed -i 's/^min_interval = 1s$/min_interval = 1s\ninterval = 5s\nmax_interval = 5s/' "$CONF"
	rm -f "$STATE"/wd.db*
	RUN=$WORK/run
	nginx -p "$RUN/nginx" -c "$RUN/nginx/nginx.conf" -e "$RUN/nginx/error.log" -g 'daemon off;' &
	NGX=$!
	trap 'kill $NGX 2>/dev/null; wait $NGX 2>/dev/null' EXIT
	sleep 1
	python3 "$ROOT/bench/poll_cycles.py" "$BUILD/wiredesk" "$CONF" "$N" "$CYCLES"
fi
