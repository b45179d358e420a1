#!/usr/bin/env python3
"""`vnpu report` on inputs no profiler writes: absurd times and counts, endless streams.

A trace with negative, enormous or non-numeric times, or counts that do not fit their
field, is refused (exit 65, a message naming the span); overlapping spans, spans far
apart and byte counts near 2^64 are reported with finite figures and every percentage
in [0, 100]. /dev/zero, a FIFO, a directory and a file above the size cap are refused
(exit 66 or 65) before anything is read.

    python3 tests/profiler/test_report_limits.py --vnpu build/release/tools/cli/vnpu
"""
import argparse
import json
import math
import os
import resource
import subprocess
import sys
import tempfile

from test_report_cli import FAILURES, check, meta, span

LANES = [meta(1, 1, "compute core 0"), meta(1, 2, "compute core 1"), meta(1, 1001, "copy engine 0")]
MAX_NS = 2 ** 63 - 1


def run(vnpu, *args, timeout=60):
    """vnpu report ARGS with its address space capped at 4 GiB; None if it hung."""
    def cap_memory():
        resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))
    try:
        return subprocess.run([vnpu, "report", *args], capture_output=True, text=True, timeout=timeout,
                              preexec_fn=cap_memory)
    except subprocess.TimeoutExpired:
        return None


def write_trace(tmp, name, events):
    path = os.path.join(tmp, name)
    with open(path, "w") as f:
        json.dump({"traceEvents": LANES + events}, f)
    return path


def expect_refused(vnpu, path, label, code, message):
    r = run(vnpu, path, timeout=20)
    if not check(r is not None, f"{label}: still running after 20 s"):
        return
    lines = [line for line in r.stderr.splitlines() if line.strip()]
    check(r.returncode == code and len(lines) == 1 and message in r.stderr,
          f"{label}: exit {r.returncode} (want {code}), stderr {r.stderr!r} (want one line with {message!r})")


def percentages(m):
    yield "compute_busy_pct", m["compute_busy_pct"]
    yield "copy_busy_pct", m["copy_busy_pct"]
    yield "overlap_pct", m["overlap_pct"]
    for op in m["ops"]:
        yield f"{op['name']} share_pct", op["share_pct"]
    for lane in m["lanes"]:
        yield f"{lane['lane']} busy_pct", lane["busy_pct"]


def finite_numbers(value, where="metrics"):
    if isinstance(value, dict):
        for k, v in value.items():
            yield from finite_numbers(v, f"{where}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from finite_numbers(v, f"{where}[{i}]")
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        yield where, value


def expect_sane_report(vnpu, tmp, path, label):
    r = run(vnpu, path, "--json", "--peak-gbps", "10")
    if not check(r is not None and r.returncode == 0, f"{label}: {r and r.returncode} {r and r.stderr}"):
        return None
    m = json.loads(r.stdout)
    for name, value in finite_numbers(m):
        check(math.isfinite(value) and (value >= 0 or name.endswith("peak_pct")), f"{label}: {name} = {value}")
    for name, pct in percentages(m):
        check(0.0 <= pct <= 100.0, f"{label}: {name} = {pct} is outside [0, 100]")
    html = os.path.join(tmp, "r.html")
    r = run(vnpu, path, "-o", html, "--peak-gbps", "10")
    check(r is not None and r.returncode == 0 and os.path.getsize(html) > 0, f"{label}: HTML report failed")
    return m


def absurd_times_are_refused(vnpu, tmp):
    cases = [
        ("a negative ts", span("k", "kernel", 1, -5, 10), "ts"),
        ("a negative dur", span("k", "kernel", 1, 5, -10), "dur"),
        ("an enormous ts", span("k", "kernel", 1, 1e300, 10), "ts"),
        ("an enormous dur", span("k", "kernel", 1, 0, 1e300), "dur"),
        ("an end past 2^63 ns", span("k", "kernel", 1, 9.2e15, 9.2e15), "dur"),
        ("a string ts", span("k", "kernel", 1, "0", 10), "ts"),
        ("negative bytes", span("c", "copy", 1001, 0, 10, bytes=-1), "bytes"),
        ("fractional bytes", span("c", "copy", 1001, 0, 10, bytes=1e30), "bytes"),
        ("bytes above 2^64", span("c", "copy", 1001, 0, 10, bytes=2 ** 64), "bytes"),
        ("blocks above 2^32", span("k", "kernel", 1, 0, 10, blocks=2 ** 32), "blocks"),
        ("a negative seq", span("k", "kernel", 1, 0, 10, seq=-3), "seq"),
    ]
    for label, bad, field in cases:
        path = write_trace(tmp, "bad.json", [span("ok", "kernel", 2, 0, 10), bad])
        expect_refused(vnpu, path, label, 65, field)
    huge_pid = dict(span("k", "kernel", 1, 0, 10), pid=2 ** 40)
    expect_refused(vnpu, write_trace(tmp, "bad.json", [huge_pid]), "a pid above 2^31", 65, "pid")


def odd_but_valid_traces_give_sane_figures(vnpu, tmp):
    # Two calls of one kernel overlapping on different streams, and a partial overlap on
    # one lane: 20 ms of calls in a 15 ms run, so the op's share of the run is 100 %.
    overlap = write_trace(tmp, "overlap.json", [
        span("k", "kernel", 1, 0, 10000, stream=1, seq=1),
        span("k", "kernel", 1, 5000, 10000, stream=2, seq=1),
        span("c", "copy", 1001, 0, 15000, bytes=1000),
    ])
    m = expect_sane_report(vnpu, tmp, overlap, "overlapping spans")
    if m:
        ops = {o["name"]: o for o in m["ops"]}
        check(abs(m["wall_ms"] - 15.0) < 1e-9, f"overlap: wall {m['wall_ms']}")
        check(abs(ops["k"]["total_ms"] - 20.0) < 1e-9 and abs(ops["k"]["share_pct"] - 100.0) < 1e-9,
              f"overlap: op k {ops['k']}")
    # Spans 292 years apart (the last ends at 2^63 - 1 ns), with byte counts near 2^64.
    far = write_trace(tmp, "far.json", [
        span("c", "copy", 1001, 0, 1, bytes=2 ** 64 - 1, seq=1),
        span("c", "copy", 1001, 2, 1, bytes=2 ** 64 - 1, seq=2),
        span("k", "kernel", 2, (MAX_NS - 1000) / 1000, 1),
        span("sync_all", "barrier", 1, 0, (MAX_NS - 1000) / 1000),
    ])
    m = expect_sane_report(vnpu, tmp, far, "spans far apart")
    if m:
        check(abs(m["wall_ms"] - MAX_NS / 1e6) < 1e-6 * MAX_NS / 1e6, f"far: wall {m['wall_ms']}")
        ops = {o["name"]: o for o in m["ops"]}
        check(ops["c"]["bytes"] == 2 ** 64 - 1, f"far: the byte total saturates: {ops['c']['bytes']}")


def endless_and_huge_inputs_are_refused(vnpu, tmp):
    expect_refused(vnpu, "/dev/zero", "/dev/zero", 66, "not a regular file")
    fifo = os.path.join(tmp, "fifo.json")
    os.mkfifo(fifo)
    expect_refused(vnpu, fifo, "a FIFO", 66, "not a regular file")
    expect_refused(vnpu, tmp, "a directory", 66, "not a regular file")
    huge = os.path.join(tmp, "huge.json")
    with open(huge, "wb") as f:
        f.truncate((1 << 30) + 1)  # sparse: nothing is written
    expect_refused(vnpu, huge, "a trace above 1 GiB", 65, "1 GiB")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vnpu", required=True)
    vnpu = ap.parse_args().vnpu
    with tempfile.TemporaryDirectory() as tmp:
        absurd_times_are_refused(vnpu, tmp)
        odd_but_valid_traces_give_sane_figures(vnpu, tmp)
        endless_and_huge_inputs_are_refused(vnpu, tmp)
    if FAILURES:
        sys.exit(1)
    print("test_report_limits: OK")


if __name__ == "__main__":
    main()
