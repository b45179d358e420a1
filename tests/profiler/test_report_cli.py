#!/usr/bin/env python3
"""`vnpu report` on hand-written traces with known bytes and times (collectives on comm
lanes among them), and on bad input.

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


# Device 0 with a communicator: core 0 runs a kernel 0..10 ms; comm lane 0 an all-reduce
# 0..5 ms moving 50 MB (sent plus received); comm lane 1 a send 5..10 ms moving 10 MB. The
# metadata lists the stream before the comm lanes; the report shows them after the host
# callbacks and before the streams.
COMM = {
    "traceEvents": [
        meta(1, 1, "compute core 0"), meta(1, 2001, "host callbacks"), meta(1, 10001, "stream 0"),
        meta(1, 3002, "comm lane 1"), meta(1, 3001, "comm lane 0"),
        span("kern", "kernel", 1, 0, 10000, block=0, blocks=1),
        span("all_reduce", "collective", 3001, 0, 5000, seq=2, bytes=50_000_000),
        span("send", "collective", 3002, 5000, 5000, seq=3, bytes=10_000_000),
    ],
    "otherData": {"dropped_spans": 0, "devices": [{"id": 0, "name": "d", "compute_cores": 1, "copy_engines": 0}]},
}


def comm_tests(vnpu, tmp):
    trace = os.path.join(tmp, "comm.json")
    with open(trace, "w") as f:
        json.dump(COMM, f)
    near = lambda a, b: abs(a - b) < 1e-6 * max(1.0, abs(b))
    r = run(vnpu, trace, "--json", "--peak-gbps", "20")
    if not check(r.returncode == 0, f"comm report --json exited {r.returncode}: {r.stderr}"):
        return
    m = json.loads(r.stdout)
    lanes = {l["lane"]: l for l in m["lanes"]}
    check(set(lanes) == {"compute core 0", "host callbacks", "stream 0", "comm lane 0", "comm lane 1"},
          f"comm lanes read back: {sorted(lanes)}")
    check(lanes["comm lane 0"]["spans"] == 1 and near(lanes["comm lane 0"]["busy_ms"], 5.0)
          and near(lanes["comm lane 0"]["busy_pct"], 50.0), f"comm lane 0 {lanes['comm lane 0']}")
    check(near(lanes["comm lane 1"]["busy_ms"], 5.0), f"comm lane 1 {lanes['comm lane 1']}")
    ops = {o["name"]: o for o in m["ops"]}
    ar = ops.get("all_reduce", {})
    check(ar.get("kind") == "collective" and ar.get("bytes") == 50_000_000 and near(ar.get("gbps", 0), 10.0)
          and near(ar.get("peak_pct") or 0, 50.0), f"all_reduce op {ar}")
    check(near(ops.get("send", {}).get("gbps", 0), 2.0), f"send op {ops.get('send')}")

    r = run(vnpu, trace, "--peak-gbps", "20")
    check(r.returncode == 0 and re.search(r"all_reduce\s+collective\s+-\s+1\s.*\s10\.00\s+50\.0\s", r.stdout),
          f"the table lacks the all-reduce row with its GB/s:\n{r.stdout}")

    html = os.path.join(tmp, "comm.html")
    r = run(vnpu, trace, "-o", html, "--peak-gbps", "20")
    if not check(r.returncode == 0, f"comm -o exited {r.returncode}: {r.stderr}"):
        return
    text = open(html).read()
    rows = re.findall(r'<g class="lane" data-lane="([^"]*)"', text)
    check(rows == ["compute core 0", "host callbacks", "comm lane 0", "comm lane 1", "stream 0"],
          f"timeline rows in display order: {rows}")
    check(text.count('data-kind="collective"') == 2, "two collective rectangles")
    check(re.search(r"\.k-collective\{fill:#[0-9a-f]{6}", text), "a colour for collectives")
    check('<i class="swatch k-collective"></i>collective' in text, "collectives in the legend")


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
        comm_tests(vnpu, tmp)
    if FAILURES:
        sys.exit(1)
    print("test_report_cli: OK")


if __name__ == "__main__":
    main()
