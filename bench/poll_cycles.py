#!/usr/bin/env python3
"""Memory of `wiredesk run` over polling cycles: is it flat?

Usage: poll_cycles.py WIREDESK CONFIG N CYCLES
Starts `WIREDESK run --config CONFIG` (whose N sources are due every few seconds), counts the
"poll source=" lines on its stderr, and at the end of each cycle (every N polls) reads its resident
memory (VmRSS) and peak (VmHWM) and the CPU time it used in the cycle from /proc; after CYCLES cycles it
stops the daemon with SIGTERM. Prints one line per cycle: cycle, wall seconds, CPU seconds, polls
by result, VmRSS MB, VmHWM MB.
Standard library only.
"""
import collections
import os
import re
import signal
import subprocess
import sys
import time


def mem(pid):
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(("VmRSS:", "VmHWM:")):
                k, v = line.split(":")
                out[k] = int(v.split()[0]) / 1024.0
    return out


def cpu(pid):
    """User plus system CPU seconds of pid so far."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main():
    wd, conf, n, cycles = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    p = subprocess.Popen([wd, "run", "--config", conf], stderr=subprocess.PIPE, stdout=subprocess.DEVNULL,
                         text=True, bufsize=1)
    polls, cycle, t0, c0 = 0, 0, time.monotonic(), 0.0
    results = collections.Counter()
    print("cycle\twall_s\tcpu_s\tpolls\tVmRSS_MB\tVmHWM_MB")
    for line in p.stderr:
        m = re.search(r"poll source=\S+ result=(\S+)", line)
        if not m:
            continue
        results[m.group(1)] += 1
        polls += 1
        if polls % n == 0:
            cycle += 1
            m, c = mem(p.pid), cpu(p.pid)
            print("%d\t%.1f\t%.2f\t%s\t%.1f\t%.1f" % (cycle, time.monotonic() - t0, c - c0,
                  " ".join("%s=%d" % kv for kv in sorted(results.items())), m["VmRSS"], m["VmHWM"]))
            sys.stdout.flush()
            results.clear()
            t0, c0 = time.monotonic(), c
            if cycle == cycles:
                break
    p.send_signal(signal.SIGTERM)
    p.wait(timeout=30)
    return 0 if cycle == cycles else 1


if __name__ == "__main__":
    sys.exit(main())
