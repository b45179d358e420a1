#!/usr/bin/env python3
"""`vnpu report` on hand-written traces with known bytes and times, and on bad input.

    python3 tests/profiler/test_report_cli.py --vnpu build/release/tools/cli/vnpu
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

FAILURES = []


def check(cond, msg):
    if not cond:
        FAILURES.append(msg)
        print(f"FAIL: {msg}", file=sys.stderr)
    return cond


def meta(pid, tid, name):
    return {"ph": "M", "name": "thread_name", "pid": pid, "tid": tid, "args": {"name": name}}


def span(name, cat, tid, ts_us, dur_us, **args):
    base = {"stream": 1, "seq": 1, "bytes": 0}
    base.update(args)
    return {"ph": "X", "name": name, "cat": cat, "pid": 1, "tid": tid, "ts": ts_us, "dur": dur_us, "args": base}


# Device 0: copy engine busy 0..10 ms with 100 MB; core 0 runs a kernel 5..15 ms, core 1
# 0..5 ms; a tagged reduction of 80 MB made of two blocks 15..19 ms; a barrier of 1 ms.
SYNTHETIC = {
    "traceEvents": [
        meta(1, 1, "compute core 0"), meta(1, 2, "compute core 1"), meta(1, 1001, "copy engine 0"),
        span("memcpy_h2d", "copy", 1001, 0, 10000, bytes=100_000_000),
        span("kern", "kernel", 1, 5000, 10000, seq=2, block=0, blocks=1),
        span("kern", "kernel", 2, 0, 5000, seq=3, block=0, blocks=1),
        span("reduce_sum", "kernel", 1, 15000, 4000, seq=4, block=0, blocks=2, op="reduce_sum",
             shape="f32[1000]", op_bytes=80_000_000, op_id=7),
        span("reduce_sum", "kernel", 2, 15000, 3000, seq=4, block=1, blocks=2, op="reduce_sum",
             shape="f32[1000]", op_bytes=80_000_000, op_id=7),
        span("sync_all", "barrier", 2, 16000, 1000, seq=4, block=1, blocks=2),
    ],
    "otherData": {"dropped_spans": 0, "devices": [{"id": 0, "name": "d", "compute_cores": 2, "copy_engines": 1}]},
}


def run(vnpu, *args):
    return subprocess.run([vnpu, "report", *args], capture_output=True, text=True, timeout=120)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vnpu", required=True)
    vnpu = ap.parse_args().vnpu
    with tempfile.TemporaryDirectory() as tmp:
        trace = os.path.join(tmp, "t.json")
        with open(trace, "w") as f:
            json.dump(SYNTHETIC, f)

        r = run(vnpu, trace, "--json", "--peak-gbps", "20")
        check(r.returncode == 0, f"report --json exited {r.returncode}: {r.stderr}")
        m = json.loads(r.stdout)
        near = lambda a, b: abs(a - b) < 1e-6 * max(1.0, abs(b))
        check(near(m["wall_ms"], 19.0), f"wall {m['wall_ms']}")
        check(near(m["overlap_pct"], 100 * 10 / 19), f"overlap {m['overlap_pct']}")
        check(near(m["copy_busy_pct"], 100 * 10 / 19), f"copy busy {m['copy_busy_pct']}")
        check(near(m["compute_busy_pct"], 100 * ((10 + 4) + (5 + 3)) / 2 / 19), f"compute busy {m['compute_busy_pct']}")
        check(m["barrier_waits"] == 1 and near(m["barrier_ms"], 1.0), f"barriers {m['barrier_waits']} {m['barrier_ms']}")
        ops = {o["name"]: o for o in m["ops"]}
        check(near(ops["memcpy_h2d"]["gbps"], 10.0) and near(ops["memcpy_h2d"]["peak_pct"], 50.0),
              f"copy op {ops['memcpy_h2d']}")
        red = ops["reduce_sum"]
        check(red["calls"] == 1 and red["bytes"] == 80_000_000 and near(red["gbps"], 20.0)
              and near(red["peak_pct"], 100.0) and red["shape"] == "f32[1000]", f"reduction op {red}")
        check(ops["kern"]["calls"] == 2 and ops["kern"]["peak_pct"] is None, f"kern op {ops['kern']}")

        r = run(vnpu, trace, "--peak-gbps", "20")
        check(r.returncode == 0 and re.search(r"reduce_sum\s+kernel\s+f32\[1000\]\s+1\s", r.stdout),
              f"the table lacks the reduction row:\n{r.stdout}")

        html = os.path.join(tmp, "r.html")
        r = run(vnpu, trace, "-o", html, "--peak-gbps", "20")
        check(r.returncode == 0 and os.path.exists(html), f"-o exited {r.returncode}: {r.stderr}")
        text = open(html).read()
        check(text.count('<g class="lane"') == 3, "one timeline row per lane")
        check('data-kind="barrier"' in text and 'data-kind="copy"' in text, "span rectangles by kind")
        external = re.findall(r'(?:src|href)\s*=\s*["\']?(?:https?:)?//', text)
        check(not external and "<link" not in text and "@import" not in text, f"network resources: {external}")

        empty = os.path.join(tmp, "empty.json")
        with open(empty, "w") as f:
            json.dump({"traceEvents": []}, f)
        r = run(vnpu, empty, "-o", os.path.join(tmp, "e.html"), "--peak-gbps", "0")
        check(r.returncode == 0, f"an empty trace gives a report: {r.stderr}")

        r = run(vnpu, os.path.join(tmp, "missing.json"))
        check(r.returncode == 66 and "cannot open" in r.stderr, f"missing file: {r.returncode} {r.stderr}")
        bad = os.path.join(tmp, "bad.json")
        with open(bad, "w") as f:
            f.write("{not json")
        r = run(vnpu, bad)
        check(r.returncode == 65 and "not a vnpu Chrome trace" in r.stderr, f"bad JSON: {r.returncode} {r.stderr}")
        with open(bad, "w") as f:
            json.dump({"traceEvents": [span("x", "kernel", 5, 0, 1)]}, f)
        r = run(vnpu, bad)
        check(r.returncode == 65 and "unnamed lane" in r.stderr, f"span on unnamed lane: {r.returncode} {r.stderr}")
        with open(bad, "w") as f:
            json.dump({"traceEvents": [meta(1, 1, "compute core 0"), span("x", "bogus", 1, 0, 1)]}, f)
        r = run(vnpu, bad)
        check(r.returncode == 65 and "unknown span category" in r.stderr, f"bad category: {r.returncode} {r.stderr}")
        r = run(vnpu, trace, "-o", "/nonexistent-dir/r.html", "--peak-gbps", "1")
        check(r.returncode == 73, f"unwritable report: {r.returncode} {r.stderr}")
    if FAILURES:
        sys.exit(1)
    print("test_report_cli: OK")


if __name__ == "__main__":
    main()
