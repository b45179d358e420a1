#!/usr/bin/env python3
"""`vnpu demo`'s profile (default paths, VNPU_PROFILE, --no-profile, unwritable paths) and
the peak-bandwidth cache of `vnpu info` (--measure-bandwidth measures again).

    python3 tests/profiler/test_demo_profile.py --vnpu build/release/tools/cli/vnpu
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

FAILURES = []
# A short demo: the figures do not matter here, only what it writes and says.
DEMO = ["demo", "--batches", "4", "--batch-mib", "1", "--reps", "1", "--kernel-iters", "20"]


def check(cond, msg):
    if not cond:
        FAILURES.append(msg)
        print(f"FAIL: {msg}", file=sys.stderr)


def run(vnpu, args, cwd, env):
    return subprocess.run([vnpu, *args], capture_output=True, text=True, timeout=300, cwd=cwd, env=env)


def check_trace(path, what):
    """The trace parses and has copy and kernel spans on lanes of their own."""
    try:
        with open(path) as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        check(False, f"{what}: trace {path} unreadable: {e}")
        return
    spans = [e for e in doc["traceEvents"] if e.get("ph") == "X"]
    copy_lanes = {(e["pid"], e["tid"]) for e in spans if e["cat"] == "copy"}
    kernel_lanes = {(e["pid"], e["tid"]) for e in spans if e["cat"] == "kernel"}
    check(copy_lanes and kernel_lanes, f"{what}: copy and kernel spans ({len(copy_lanes)}, {len(kernel_lanes)} lanes)")
    check(not copy_lanes & kernel_lanes, f"{what}: copies and kernels share a lane")


def demo_tests(vnpu, tmp, env):
    # Default: vnpu-demo.trace.json and .html in the working directory, named on stderr;
    # with --json, standard output is one JSON document.
    cwd = os.path.join(tmp, "default")
    os.mkdir(cwd)
    r = run(vnpu, DEMO + ["--json"], cwd, env)
    check(r.returncode == 0, f"demo --json exited {r.returncode}: {r.stderr}")
    try:
        doc = json.loads(r.stdout)
        check(doc["profile"]["trace"] == "vnpu-demo.trace.json", f"profile in the JSON: {doc.get('profile')}")
    except (ValueError, KeyError) as e:
        check(False, f"demo --json: stdout is not the JSON document ({e}): {r.stdout[:200]!r}")
    for name in ("vnpu-demo.trace.json", "vnpu-demo.trace.html"):
        check(os.path.exists(os.path.join(cwd, name)), f"default {name} written")
        check(name in r.stderr, f"stderr names {name}: {r.stderr}")
    check_trace(os.path.join(cwd, "vnpu-demo.trace.json"), "default")

    # VNPU_PROFILE takes the trace; the report goes beside it.
    cwd = os.path.join(tmp, "env")
    os.mkdir(cwd)
    path = os.path.join(tmp, "env-trace.json")
    r = run(vnpu, DEMO, cwd, dict(env, VNPU_PROFILE=path))
    check(r.returncode == 0, f"demo with VNPU_PROFILE exited {r.returncode}: {r.stderr}")
    check(os.path.exists(path) and os.path.exists(os.path.join(tmp, "env-trace.html")),
          f"VNPU_PROFILE: trace and report beside it: {os.listdir(tmp)}")
    check(not os.listdir(cwd), f"VNPU_PROFILE: nothing in the working directory: {os.listdir(cwd)}")
    check(path in r.stderr, f"VNPU_PROFILE: stderr names the trace: {r.stderr}")
    check_trace(path, "VNPU_PROFILE")

    # --no-profile writes nothing.
    cwd = os.path.join(tmp, "off")
    os.mkdir(cwd)
    r = run(vnpu, DEMO + ["--no-profile"], cwd, env)
    check(r.returncode == 0 and not os.listdir(cwd), f"--no-profile: {r.returncode}, wrote {os.listdir(cwd)}")

    # Unwritable paths fail at once (before the run), with status 73 and the path named.
    for args, extra, what in (
        (DEMO + ["--trace", "/nonexistent-dir/t.json"], {}, "--trace"),
        (DEMO + ["--report", "/nonexistent-dir/r.html"], {}, "--report"),
        (DEMO, {"VNPU_PROFILE": "/nonexistent-dir/e.json"}, "VNPU_PROFILE"),
    ):
        started = time.monotonic()
        r = run(vnpu, args, tmp, dict(env, **extra))
        check(r.returncode == 73 and "/nonexistent-dir/" in r.stderr and "Traceback" not in r.stderr,
              f"unwritable {what}: exit {r.returncode}: {r.stderr}")
        check(time.monotonic() - started < 20, f"unwritable {what}: not refused before the run")


def info(vnpu, tmp, env, *extra):
    r = run(vnpu, ["info", "--json", *extra], tmp, env)
    check(r.returncode == 0, f"info {extra} exited {r.returncode}: {r.stderr}")
    return json.loads(r.stdout)["peak_bandwidth"]


def cache_tests(vnpu, tmp, env):
    cache = os.path.join(tmp, "xdg", "vnpu", "peak-bandwidth.json")
    first = info(vnpu, tmp, env)
    check(not first["from_cache"] and first["gbps"] > 0, f"first info measures: {first}")
    check(first["cache_path"] == cache and os.path.exists(cache), f"cached at {cache}: {first}")
    second = info(vnpu, tmp, env)
    check(second["from_cache"] and second["gbps"] == first["gbps"] and second["measured_at"] == first["measured_at"],
          f"second info reads the cache: {second}")

    # --measure-bandwidth measures again and replaces the cached figure.
    with open(cache) as f:
        doc = json.load(f)
    doc["gbps"] = 12345.0
    with open(cache, "w") as f:
        json.dump(doc, f)
    check(info(vnpu, tmp, env)["gbps"] == 12345.0, "the cached figure is what info reports")
    again = info(vnpu, tmp, env, "--measure-bandwidth")
    check(not again["from_cache"] and again["gbps"] != 12345.0, f"--measure-bandwidth measures: {again}")
    with open(cache) as f:
        check(json.load(f)["gbps"] == again["gbps"], "--measure-bandwidth rewrites the cache")

    # A figure measured on another machine, or an unreadable file, is not used.
    doc = dict(doc, gbps=777.0)
    doc["machine"] = dict(doc["machine"], cpu_model="another CPU")
    with open(cache, "w") as f:
        json.dump(doc, f)
    other = info(vnpu, tmp, env)
    check(not other["from_cache"] and other["gbps"] != 777.0, f"another machine's figure is ignored: {other}")
    with open(cache, "w") as f:
        f.write("{broken")
    r = run(vnpu, ["info", "--json"], tmp, env)
    check(r.returncode == 0 and "unreadable bandwidth cache" in r.stderr, f"broken cache: {r.returncode} {r.stderr}")
    check(not json.loads(r.stdout)["peak_bandwidth"]["from_cache"], "a broken cache is measured again")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vnpu", required=True)
    vnpu = os.path.abspath(ap.parse_args().vnpu)
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, XDG_CACHE_HOME=os.path.join(tmp, "xdg"))
        env.pop("VNPU_PROFILE", None)
        cache_tests(vnpu, tmp, env)  # leaves a cache, so the demos below do not measure
        demo_tests(vnpu, tmp, env)
    if FAILURES:
        sys.exit(1)
    print("test_demo_profile: OK")


if __name__ == "__main__":
    main()
