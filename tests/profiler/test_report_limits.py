#!/usr/bin/env python3
"""`vnpu report` on inputs no profiler writes: endless streams and oversized files.

/dev/zero, a FIFO, a directory and a file above the size cap are refused (exit 66 or 65)
before anything is read.

    python3 tests/profiler/test_report_limits.py --vnpu build/release/tools/cli/vnpu
"""
import argparse
import os
import resource
import subprocess
import sys
import tempfile

from test_report_cli import FAILURES, check


def run(vnpu, *args, timeout=60):
    """vnpu report ARGS with its address space capped at 4 GiB; None if it hung."""
    def cap_memory():
        resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))
    try:
        return subprocess.run([vnpu, "report", *args], capture_output=True, text=True, timeout=timeout,
                              preexec_fn=cap_memory)
    except subprocess.TimeoutExpired:
        return None


def expect_refused(vnpu, path, label, code, message):
    r = run(vnpu, path, timeout=20)
    if not check(r is not None, f"{label}: still running after 20 s"):
        return
    lines = [line for line in r.stderr.splitlines() if line.strip()]
    check(r.returncode == code and len(lines) == 1 and message in r.stderr,
          f"{label}: exit {r.returncode} (want {code}), stderr {r.stderr!r} (want one line with {message!r})")


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
        endless_and_huge_inputs_are_refused(vnpu, tmp)
    if FAILURES:
        sys.exit(1)
    print("test_report_limits: OK")


if __name__ == "__main__":
    main()
