#!/usr/bin/env python3
"""Runs the shared feedparser corpus through `wiredesk parse` and holds the result to the list of
known, explained failures in tests/conformance-failures.txt.

Every mapped check that fails must be on that list (with its reason); a listed check that passes
again is reported so the list can shrink.
"""
import argparse
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
FAILURES = os.path.join(HERE, "..", "conformance-failures.txt")


def known_failures():
    known = {}
    with open(FAILURES, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            file, path, reason = line.split("\t", 2)
            known[(file, path)] = reason
    return known


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--wiredesk", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--shared", required=True)
    a = ap.parse_args()
    tool = os.path.join(a.shared, "corpus", "tools", "fp_checks_run.py")
    if not os.path.exists(tool):
        print("conformance: %s not found" % tool)
        return 1
    p = subprocess.run([sys.executable, tool, "--cmd", "%s parse {file}" % a.wiredesk, "-v"],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
    out = p.stdout
    fails = {}
    for m in re.finditer(r"^FAIL (\S+) (\S+) (\S+) (.*)$", out, re.M):
        fails[(m.group(1), m.group(2))] = m.group(4)
    total = re.search(r"^ALL\s+(\d+)\s+(\d+)", out, re.M)
    if p.returncode != 0 or total is None:
        print(out)
        print("conformance: the corpus runner failed")
        return 1
    passed, checks = int(total.group(1)), int(total.group(2))
    known = known_failures()
    unexpected = sorted(k for k in fails if k not in known)
    fixed = sorted(k for k in known if k not in fails)
    for k in unexpected:
        print("UNEXPECTED FAIL %s %s: %s" % (k[0], k[1], fails[k][:200]))
    for k in fixed:
        print("now passing (remove from the list): %s %s" % k)
    print(out[out.index("files:"):] if "files:" in out else out)
    print("conformance: %d of %d checks pass (%.3f); %d known failures listed, %d unexpected"
          % (passed, checks, passed / checks, len(known), len(unexpected)))
    return 1 if unexpected else 0


if __name__ == "__main__":
    sys.exit(main())
