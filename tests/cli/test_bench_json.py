#!/usr/bin/env python3
"""test_bench_json.py --vnpu PATH --suite softmax|norm — the records of `vnpu bench SUITE --json`.

Runs the suite once (--reps 1: a smoke run, no timing is judged) and checks the JSON
document: one array; first a "bandwidth" and a "copy_bandwidth" record; then one record per
case with suite, op, shape, axes, dtype, threads, median_ns, gbps, pct_peak_bw, pct_copy_bw
and mode, each of the right type; gbps consistent with the bytes moved (one read and one
write) and median_ns; the percentages consistent with the bandwidth records; and the cases
the suite promises (softmax: four f32 shapes over the last axis, [1,1024] in both modes,
[8192,8192] over axis 0, [64,1024,1024] over axis 1, bf16 and f16 [8192,8192]; norm:
layer_norm, rms_norm, batch_norm training and inference). Exits 1 on any failure.
"""
import argparse
import json
import math
import subprocess
import sys

EXPECTED = {
    "softmax": {("softmax", (4096, 1024), "stream"), ("softmax", (64, 32768), "stream"),
                ("softmax", (32768, 128), "stream"), ("softmax", (1, 1024), "stream"),
                ("softmax", (1, 1024), "direct"), ("softmax", (8192, 8192), "stream", 0),
                ("softmax", (64, 1024, 1024), "stream", 1), ("softmax", (8192, 8192), "stream", "bf16"),
                ("softmax", (8192, 8192), "stream", "f16")},
    "norm": {("layer_norm", (4096, 1024), "stream"), ("layer_norm", (16384, 4096), "stream"),
             ("rms_norm", (16384, 4096), "stream"), ("batch_norm", (32, 64, 56, 56), "stream")},
}
FIELDS = {"suite": str, "op": str, "shape": list, "axes": list, "dtype": str, "threads": int,
          "median_ns": (int, float), "gbps": (int, float), "pct_peak_bw": (int, float),
          "pct_copy_bw": (int, float), "mode": str}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--vnpu", required=True)
    parser.add_argument("--suite", choices=sorted(EXPECTED), required=True)
    args = parser.parse_args()
    failures = []

    def check(ok, what):
        if not ok:
            failures.append(what)
            print("FAIL: " + what, flush=True)

    proc = subprocess.run([args.vnpu, "bench", args.suite, "--reps", "1", "--json"], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=280)
    if proc.returncode != 0:
        print("FAIL: exit %d: %s" % (proc.returncode, proc.stderr.decode(errors="replace")))
        return 1
    doc = json.loads(proc.stdout)
    check(isinstance(doc, list) and len(doc) >= 3, "not an array of records")
    read, copy, cases = doc[0], doc[1], doc[2:]
    check(read.get("op") == "bandwidth" and copy.get("op") == "copy_bandwidth",
          "the first records are %s, %s" % (read.get("op"), copy.get("op")))
    check(read.get("gbps", 0) > 0 and copy.get("gbps", 0) > 0, "bandwidths %s, %s" % (read.get("gbps"),
                                                                                     copy.get("gbps")))
    seen = set()
    for r in cases:
        label = "%s %s %s" % (r.get("op"), r.get("shape"), r.get("mode"))
        bad = [key for key, kind in FIELDS.items() if not isinstance(r.get(key), kind)]
        check(not bad, "%s: fields %s are %s" % (label, bad, [r.get(key) for key in bad]))
        if bad:
            continue
        dtypes = ("f32", "bf16", "f16") if args.suite == "softmax" else ("f32",)
        check(r["suite"] == args.suite and r["dtype"] in dtypes, "%s: suite %s dtype %s" % (label, r["suite"],
                                                                                             r["dtype"]))
        check(r["mode"] in ("stream", "direct"), "%s: mode %s" % (label, r["mode"]))
        check(r["threads"] >= 1, "%s: threads %d" % (label, r["threads"]))
        shape = tuple(r["shape"])
        if r["op"] == "batch_norm":
            check(r["axes"] == [0, 2, 3] and isinstance(r.get("training"), bool), "%s: axes %s training %r" %
                  (label, r["axes"], r.get("training")))
            seen.add((r["op"], shape, r["mode"], r["training"]))
        elif r["op"] == "softmax":
            check(len(r["axes"]) == 1 and 0 <= r["axes"][0] < len(shape), "%s: axes %s" % (label, r["axes"]))
            check("training" not in r, "%s: a training field" % label)
            if r["dtype"] != "f32":
                seen.add((r["op"], shape, r["mode"], r["dtype"]))
            elif r["axes"] != [len(shape) - 1]:
                seen.add((r["op"], shape, r["mode"], r["axes"][0]))
        else:
            check(r["axes"] == [len(shape) - 1], "%s: axes %s, want the last axis" % (label, r["axes"]))
            check("training" not in r, "%s: a training field" % label)
        if r["dtype"] == "f32" and (r["op"] != "softmax" or r["axes"] == [len(shape) - 1]):
            seen.add((r["op"], shape, r["mode"]))
        moved = 2 * (4 if r["dtype"] == "f32" else 2) * math.prod(shape)
        check(r["median_ns"] > 0 and abs(r["gbps"] - moved / r["median_ns"]) <= 0.01 + 5e-3 * r["gbps"],
              "%s: gbps %s for %d bytes in %s ns" % (label, r["gbps"], moved, r["median_ns"]))
        for key, bw in (("pct_peak_bw", read["gbps"]), ("pct_copy_bw", copy["gbps"])):
            check(abs(r[key] - 100 * r["gbps"] / bw) <= 0.1 + 0.01 * r[key],
                  "%s: %s %s with %s GB/s against %s" % (label, key, r[key], r["gbps"], bw))
    missing = EXPECTED[args.suite] - seen
    check(not missing, "cases missing: %s" % sorted(missing))
    if args.suite == "norm":
        check(("batch_norm", (32, 64, 56, 56), "stream", True) in seen and
              ("batch_norm", (32, 64, 56, 56), "stream", False) in seen, "batch_norm training and inference")
    print("bench %s: %d records, %d failures" % (args.suite, len(doc), len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
