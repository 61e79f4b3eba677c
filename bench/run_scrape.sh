#!/bin/sh
# run_scrape.sh - what scraping a 1 MB HTML listing of 200 items costs next to parsing a feed of the same bytes.
#
# Builds the release build in build-bench/ (configuring it the first time, incrementally after),
# then, in one run, on documents bench_scrape generates (the same every time):
#   1. bench_scrape: scrape_page() on the page and parse_feed() on the feed, in memory, RUNS rounds
#      interleaved, median CPU time of each and their ratio (issue #7's target: below 2x); once on
#      a listing of teasers (what listing pages carry), once with each story's paragraphs on the
#      page and a content rule taking them (--full-content, the worst case);
#   2. end to end: `wiredesk scrape --rules page.conf page.html` and `wiredesk parse feed.xml`
#      as processes, E2E_RUNS rounds interleaved (one warm-up round discarded), median wall time.
#
#   flock /work/notes/bench.lock bench/run_scrape.sh
#   RUNS=31 E2E_RUNS=21 ITEMS=200 flock /work/notes/bench.lock bench/run_scrape.sh
# Env: RUNS (default 21), E2E_RUNS (default 21; 0 skips it), ITEMS (default 200);
#      BENCH_WORK        where the documents go (default /tmp/wiredesk-bench/scrape);
#      BUILD_DIR         the release build (default build-bench/ in the repository);
#      NO_BUILD=1        time the binaries that are there, as they are.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD_DIR:-$ROOT/build-bench}
WORK=${BENCH_WORK:-/tmp/wiredesk-bench}/scrape
RUNS=${RUNS:-21}
E2E_RUNS=${E2E_RUNS:-21}
ITEMS=${ITEMS:-200}

if [ "${NO_BUILD:-0}" != 1 ]; then
	if [ ! -f "$BUILD/CMakeCache.txt" ]; then
		cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >&2
	fi
	# A debug or sanitizer build would be timed as if it were the product.
	if ! grep -q '^CMAKE_BUILD_TYPE:STRING=Release$' "$BUILD/CMakeCache.txt" ||
	    grep -q '^WIREDESK_SANITIZE:BOOL=ON$' "$BUILD/CMakeCache.txt"; then
		echo "run_scrape.sh: $BUILD is not a plain Release build" >&2
		exit 78
	fi
	cmake --build "$BUILD" -j "$(nproc)" --target wiredesk bench_scrape >&2
fi
for b in wiredesk bench_scrape; do
	if [ ! -x "$BUILD/$b" ]; then
		echo "run_scrape.sh: no $BUILD/$b" >&2
		exit 66
	fi
done
echo "wiredesk $(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo '(no git)'), $BUILD" >&2
mkdir -p "$WORK"

echo "== in memory: scrape_page vs parse_feed, $RUNS rounds, CPU time"
"$BUILD/bench_scrape" "$RUNS" --items "$ITEMS" --full-content
"$BUILD/bench_scrape" "$RUNS" --items "$ITEMS" --write "$WORK"

[ "$E2E_RUNS" -gt 0 ] || exit 0
echo "== end to end (teaser listing): wiredesk scrape vs wiredesk parse, $E2E_RUNS rounds, wall time"
python3 - "$BUILD/wiredesk" "$WORK" "$E2E_RUNS" <<'PY'
import statistics, subprocess, sys, time
wd, work, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
cmds = {"scrape": [wd, "scrape", "--rules", work + "/page.conf", work + "/page.html"],
        "parse": [wd, "parse", "--base", "https://www.example-news.test/latest/", work + "/feed.xml"]}
times = {k: [] for k in cmds}
for i in range(runs + 1):
    for k, c in cmds.items():
        t0 = time.monotonic()
        subprocess.run(c, stdout=subprocess.DEVNULL, check=True)
        if i > 0:
            times[k].append(time.monotonic() - t0)
s, p = statistics.median(times["scrape"]), statistics.median(times["parse"])
print("wiredesk scrape  %8.2f ms (median of %d)" % (s * 1e3, runs))
print("wiredesk parse   %8.2f ms" % (p * 1e3))
print("scrape / parse: %.2fx" % (s / p))
PY
