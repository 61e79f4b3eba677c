#!/bin/sh
# run_parse.sh - times `wiredesk parse FILE` against sfeed, feedparser and libxml2's own parsers.
#
# Builds the release binary in build-bench/ (configuring it the first time, incrementally after),
# then hands it to the shared harness, which does the timing and writes the results:
#   bench/run_parse.sh                                  # every corpus file, 10 runs, 3 of feedparser
#   FILES=rss_10000.xml,atom_10000.xml RUNS=5 FP_RUNS=1 bench/run_parse.sh
# Env: FILES, RUNS, FP_RUNS, NO_FP, BENCH_WORK go to compare_parse.sh unchanged (see its header);
#      SHARED_BENCH   where the shared harness lives (default /work/shared/bench);
#      BUILD_DIR      the release build (default build-bench/ in the repository);
#      NO_BUILD=1     time the binary that is there, as it is.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${SHARED_BENCH:-/work/shared/bench}
BUILD=${BUILD_DIR:-$ROOT/build-bench}

if [ ! -x "$SHARED/compare_parse.sh" ]; then
	echo "run_parse.sh: no $SHARED/compare_parse.sh (set SHARED_BENCH)" >&2
	exit 69
fi
if [ "${NO_BUILD:-0}" != 1 ]; then
	if [ ! -f "$BUILD/CMakeCache.txt" ]; then
		cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >&2
	fi
	# A debug or sanitizer build would be timed as if it were the product.
	if ! grep -q '^CMAKE_BUILD_TYPE:STRING=Release$' "$BUILD/CMakeCache.txt" ||
	    grep -q '^WIREDESK_SANITIZE:BOOL=ON$' "$BUILD/CMakeCache.txt"; then
		echo "run_parse.sh: $BUILD is not a plain Release build" >&2
		exit 78
	fi
	cmake --build "$BUILD" -j "$(nproc)" >&2
fi
if [ ! -x "$BUILD/wiredesk" ]; then
	echo "run_parse.sh: no $BUILD/wiredesk" >&2
	exit 66
fi
# Which code the figures belong to: stderr, so that stdout stays the harness's table.
echo "wiredesk $(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo '(no git)'), $BUILD/wiredesk" >&2
exec "$SHARED/compare_parse.sh" "$BUILD/wiredesk" parse
