#!/bin/sh
# run_dedup.sh - what story dedup costs: dedup_add with a full window, and `wiredesk cluster` end to end.
#
# Builds the release build in build-bench/ (configuring it the first time, incrementally after),
# generates a synthetic item stream once into $BENCH_WORK (bench/gen_stream.py; 4,000,000 items
# over 2 days: a 24 h window holds 1.0-1.4 million of them, as items that join a story leave with
# its first date), then
#   1. bench_dedup: the stream loaded into memory, every item through dedup_add (CPU time, one
#      core); µs an add over all items and once the window is full, bytes an item of the window;
#   2. `wiredesk cluster FILE` on the first E2E_ITEMS items, against references run on the same
#      file in the same run, interleaved: `wc -l`, Python's json.loads on each line, `jq -c .`.
#
#   bench/run_dedup.sh
#   ITEMS=4000000 DAYS=2 RUNS=1 E2E_ITEMS=1000000 E2E_RUNS=5 bench/run_dedup.sh
# Env: ITEMS, DAYS, SEED   the stream (defaults 4000000, 2, 1); it is made once per (ITEMS, DAYS, SEED);
#      RUNS              passes of bench_dedup over the stream (default 1; ~1 min each);
#      E2E_ITEMS         items of the end-to-end file (default 1000000), E2E_RUNS its rounds (default 5);
#      NO_E2E=1, NO_ADD=1  skip one part;
#      BENCH_WORK        where the stream goes (default /tmp/wiredesk-bench);
#      BUILD_DIR         the release build (default build-bench/ in the repository);
#      NO_BUILD=1        time the binaries that are there, as they are.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD_DIR:-$ROOT/build-bench}
WORK=${BENCH_WORK:-/tmp/wiredesk-bench}
ITEMS=${ITEMS:-4000000}
DAYS=${DAYS:-2}
SEED=${SEED:-1}
E2E_ITEMS=${E2E_ITEMS:-1000000}

if [ "${NO_BUILD:-0}" != 1 ]; then
	if [ ! -f "$BUILD/CMakeCache.txt" ]; then
		cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >&2
	fi
	# A debug or sanitizer build would be timed as if it were the product.
	if ! grep -q '^CMAKE_BUILD_TYPE:STRING=Release$' "$BUILD/CMakeCache.txt" ||
	    grep -q '^WIREDESK_SANITIZE:BOOL=ON$' "$BUILD/CMakeCache.txt"; then
		echo "run_dedup.sh: $BUILD is not a plain Release build" >&2
		exit 78
	fi
	cmake --build "$BUILD" -j "$(nproc)" --target wiredesk bench_dedup >&2
fi
for bin in wiredesk bench_dedup; do
	if [ ! -x "$BUILD/$bin" ]; then
		echo "run_dedup.sh: no $BUILD/$bin" >&2
		exit 66
	fi
done
echo "wiredesk $(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo '(no git)'), $BUILD" >&2

mkdir -p "$WORK"
STREAM=$WORK/stream-$ITEMS-${DAYS}d-s$SEED.jsonl
if [ ! -s "$STREAM" ]; then
	echo "run_dedup.sh: generating $STREAM (a few minutes for 4M items)" >&2
	python3 "$ROOT/bench/gen_stream.py" -n "$ITEMS" --days "$DAYS" --seed "$SEED" -o "$STREAM.tmp"
	mv "$STREAM.tmp" "$STREAM"
fi

if [ "${NO_ADD:-0}" != 1 ]; then
	echo "== dedup_add"
	"$BUILD/bench_dedup" "${RUNS:-1}" "$STREAM"
fi

[ "${NO_E2E:-0}" = 1 ] && exit 0
E2E=$WORK/stream-$ITEMS-${DAYS}d-s$SEED-head$E2E_ITEMS.jsonl
if [ ! -s "$E2E" ]; then
	head -n "$E2E_ITEMS" "$STREAM" > "$E2E.tmp"
	mv "$E2E.tmp" "$E2E"
fi
echo "== wiredesk cluster, end to end"
exec python3 - "$BUILD/wiredesk" "$E2E" "${E2E_RUNS:-5}" <<'EOF'
# Each command runs as a process on the same file, stdout to /dev/null, round robin (one warm-up
# round discarded); medians of wall and CPU (user+sys) time, and each reference's time over ours;
# the peak RSS of one extra run under /usr/bin/time.
import os, shutil, statistics, subprocess, sys, tempfile, time

wiredesk, path, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
lines = sum(1 for _ in open(path, "rb"))
size = os.path.getsize(path)
cmds = [("wiredesk cluster", [wiredesk, "cluster", path], None),
        ("wc -l", ["wc", "-l"], path),
        ("python json.loads", [sys.executable, "-c",
            "import json, sys\nfor l in sys.stdin.buffer: json.loads(l)"], path)]
if shutil.which("jq"):
    cmds.append(("jq -c .", ["jq", "-c", "."], path))

# The output must be one line a item, in order, before its speed means anything.
out = subprocess.run([wiredesk, "cluster", path], stdout=subprocess.PIPE, check=True).stdout.splitlines()
if len(out) != lines or any(b"\t" not in l for l in out[:1000]):
    sys.exit("run_dedup.sh: wiredesk cluster printed %d lines for %d items" % (len(out), lines))
print("%s: %d items, %.0f MB; %d stories in the output" % (path, lines, size / 1e6,
      len(set(l.split(b"\t", 1)[1] for l in out))))
del out

def once(argv, stdin):
    with open(stdin or os.devnull, "rb") as inp, open(os.devnull, "wb") as null:
        t = time.perf_counter()
        p = subprocess.Popen(argv, stdin=inp, stdout=null)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t
    if status != 0:
        sys.exit("run_dedup.sh: %s failed (%d)" % (argv[0], status))
    return wall, ru.ru_utime + ru.ru_stime

def peak_rss(argv, stdin):
    """MB, from one extra run under /usr/bin/time (our own rusage would count Python's fork)."""
    if not os.path.exists("/usr/bin/time"):
        return float("nan")
    with tempfile.NamedTemporaryFile("r") as t, open(stdin or os.devnull, "rb") as inp:
        subprocess.run(["/usr/bin/time", "-f", "%M", "-o", t.name] + argv, stdin=inp,
                       stdout=subprocess.DEVNULL, check=True)
        return int(t.read().split()[-1]) / 1024

res = {name: [] for name, _, _ in cmds}
for r in range(runs + 1):
    for name, argv, stdin in cmds:
        m = once(argv, stdin)
        if r > 0:
            res[name].append(m)

def med(name, k):
    return statistics.median(x[k] for x in res[name])

print("%-18s %9s %9s %6s %11s %8s" % ("", "wall s", "CPU s", "IQR%", "items/s", "RSS MB"))
for name, argv, stdin in cmds:
    walls = sorted(x[0] for x in res[name])
    q = statistics.quantiles(walls, n=4) if len(walls) > 1 else [walls[0]] * 3
    print("%-18s %9.3f %9.3f %6.1f %11.0f %8.0f" % (name, med(name, 0), med(name, 1),
          100 * (q[2] - q[0]) / q[1], lines / med(name, 0), peak_rss(argv, stdin)))
w, c = med("wiredesk cluster", 0), med("wiredesk cluster", 1)
print("wiredesk cluster: %.0f items/s wall, %.0f items/s CPU (median of %d)  [target >= 100000: %s]"
      % (lines / w, lines / c, runs, "met" if lines / w >= 100000 else "MISSED"))
for name, _, _ in cmds[1:]:
    print("  vs %-18s %6.2fx wall  %6.2fx CPU  (their time / ours: > 1, we are faster)"
          % (name, med(name, 0) / w, med(name, 1) / c))
EOF
