#!/usr/bin/env python3
"""Checks a Chrome trace written by vnpu's profiler: valid JSON, every span on a named lane
with a known category and non-negative times, and no two spans on one lane partially
overlapping (they nest or are disjoint).

    python3 tests/profiler/check_trace.py TRACE.json [--min-spans N]
"""
import argparse
import collections
import json
import sys

CATEGORIES = {"kernel", "copy", "memset", "callback", "event", "barrier", "wait", "pipe", "collective"}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("trace")
    ap.add_argument("--min-spans", type=int, default=1)
    args = ap.parse_args()
    with open(args.trace) as f:
        doc = json.load(f)
    named = {(e["pid"], e["tid"]) for e in doc["traceEvents"] if e["ph"] == "M" and e["name"] == "thread_name"}
    lanes = collections.defaultdict(list)
    errors = []
    for e in doc["traceEvents"]:
        if e["ph"] != "X":
            continue
        key = (e["pid"], e["tid"])
        if key not in named:
            errors.append(f"span {e['name']} on unnamed lane {key}")
        if e["cat"] not in CATEGORIES:
            errors.append(f"span {e['name']} has category {e['cat']}")
        if e["ts"] < 0 or e["dur"] < 0:
            errors.append(f"span {e['name']} has ts {e['ts']} dur {e['dur']}")
        start = round(e["ts"] * 1000)  # exact: written as nanoseconds
        lanes[key].append((start, start + round(e["dur"] * 1000), e["name"]))
    spans = 0
    for key, items in lanes.items():
        items.sort(key=lambda s: (s[0], -s[1]))
        spans += len(items)
        open_spans = []
        for s in items:
            while open_spans and open_spans[-1][1] <= s[0]:
                open_spans.pop()
            if open_spans and s[1] > open_spans[-1][1]:
                errors.append(f"lane {key}: {s} partially overlaps {open_spans[-1]}")
            open_spans.append(s)
    if spans < args.min_spans:
        errors.append(f"{spans} spans, expected at least {args.min_spans}")
    for err in errors[:20]:
        print(f"check_trace: {args.trace}: {err}", file=sys.stderr)
    if errors:
        sys.exit(1)
    print(f"check_trace: {args.trace}: {spans} spans on {len(lanes)} lanes, nested or disjoint")


if __name__ == "__main__":
    main()
