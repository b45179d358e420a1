#!/usr/bin/env python3
"""bench_torch.py — PyTorch (CPU) as a peer of `vnpu bench reduce|softmax|norm`.

    python3 scripts/bench_torch.py vnpu.json [more.json ...] > torch.json

Runs the cases of the given `vnpu bench SUITE --json` outputs (so that the two case lists
cannot drift) with PyTorch on the same data and the same number of threads, and writes a
Google Benchmark JSON document that bench_peers.PeerResults reads like a vnpu_*_peers
output: one "median" aggregate per case, named "<case>/pytorch".

- Data: the inputs of tools/cli/reduce_cases.hpp and row_cases.hpp are a pure function of
  (seed, index) (splitmix64); they are regenerated here with NumPy, vectorized, bit for
  bit, and rounded to bf16 / f16 (to nearest even) as vnpu rounds them.
- Calls: sum (written in the input's dtype, PyTorch's default: asking for f32 output of
  bf16 or f16 makes PyTorch 1.13 convert the whole input first), amax, var
  (correction 1, vnpu's default), logsumexp, softmax, layer_norm; into preallocated
  outputs where PyTorch has an out= form. A case PyTorch cannot run (an op it lacks, such
  as rms_norm, or a dtype its CPU kernels lack) is left out: its cell stays "—".
- Timing: torch.set_num_threads(threads) (the vnpu records' thread count, or --threads);
  per case WARMUP seconds of untimed calls (at least one), then REPS repetitions (5 when
  a call takes over 0.5 s) of at least MIN_TIME seconds each; the median of the
  repetitions' time per call is reported.
- Check: the first and the last output (or output vector) against a float64 NumPy
  reference with a loose tolerance, so that a wrong call is caught; a wrong result is
  reported as an error (its cell becomes "— [n]" with the message as a note).
"""
import argparse
import json
import os
import statistics
import sys
import time

import numpy as np
import torch

from bench_peers import case_name

REDUCE_SEED = 20260301  # reduce_cases.hpp: kReduceSeed
ROW_SEED = 20261121     # row_cases.hpp: kRowSeed
CHUNK = 1 << 22

TORCH_DTYPES = {"f32": torch.float32, "bf16": torch.bfloat16, "f16": torch.float16}
ITEM_SIZE = {"f32": 4, "bf16": 2, "f16": 2}


def uniform_values(seed, n):
    """reduce_input_value(seed, i) for i in [0, n): uniform in [-1, 1), as float32."""
    out = np.empty(n, np.float32)
    with np.errstate(over="ignore"):
        for start in range(0, n, CHUNK):
            end = min(n, start + CHUNK)
            z = np.uint64(seed) + (np.arange(start, end, dtype=np.uint64) + np.uint64(1)) * \
                np.uint64(0x9E3779B97F4A7C15)
            z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
            z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
            z ^= z >> np.uint64(31)
            v = (z >> np.uint64(40)).astype(np.int64) - (1 << 23)
            out[start:end] = v.astype(np.float32) * np.float32(2.0 ** -23)
    return out


_uniform_cache = {}


def uniform_prefix(seed, n):
    """The first n values of a seed's sequence, generated once per seed at the largest n asked."""
    have = _uniform_cache.get(seed)
    if have is None or have.size < n:
        have = _uniform_cache[seed] = uniform_values(seed, n)
    return have[:n]


def case_input(r):
    """Case r's input as a torch tensor of its dtype and shape (what vnpu reads)."""
    n = int(np.prod(r["shape"]))
    if r["suite"] == "reduce":
        x = uniform_prefix(REDUCE_SEED, n)
    else:
        u = uniform_prefix(ROW_SEED, n)
        x = np.float32(4.0) * u if r["op"] == "softmax" else np.float32(1.0) + np.float32(2.0) * u
    t = torch.from_numpy(x.reshape(r["shape"]))
    return t.to(TORCH_DTYPES[r["dtype"]]) if r["dtype"] != "f32" else t.clone()


def case_call(r, x):
    """(call, output): a function running case r on x once, and the tensor it writes."""
    op, axes = r["op"], list(r["axes"])
    kept = [d for i, d in enumerate(r["shape"]) if i not in axes]
    if r["suite"] == "reduce":
        y = torch.empty(kept, dtype=torch.float32)
        if op == "sum" and x.dtype != torch.float32:
            # PyTorch's own output dtype: sum(dtype=torch.float32) of bf16 or f16 converts the
            # whole input first (5x slower in PyTorch 1.13); the sum is still accumulated in f32.
            y = torch.empty(kept, dtype=x.dtype)
            return (lambda: torch.sum(x, dim=axes, out=y)), y
        if op == "sum":
            return (lambda: torch.sum(x, dim=axes, out=y)), y
        if op == "max":
            return (lambda: torch.amax(x, dim=axes, out=y)), y
        if op == "var":
            return (lambda: torch.var(x, dim=axes, unbiased=True, out=y)), y
        if op == "logsumexp":
            return (lambda: torch.logsumexp(x, dim=axes, out=y)), y
        return None, None
    axis = axes[0]
    if op == "softmax":
        y = torch.empty_like(x)
        out_form = getattr(torch.ops.aten._softmax, "out", None)
        if out_form is not None:
            return (lambda: out_form(x, axis, False, out=y)), y
        box = [y]

        def call():
            box[0] = torch.softmax(x, axis)
        return call, box
    if op == "layer_norm":
        cols = r["shape"][-1]
        g = torch.from_numpy(np.float32(1.0) + np.float32(0.5) * uniform_values(ROW_SEED + 1, cols))
        b = torch.from_numpy(np.float32(0.5) * uniform_values(ROW_SEED + 2, cols))
        box = [None]

        def call():
            box[0] = torch.nn.functional.layer_norm(x, (cols,), g, b, eps=1e-5)
        return call, box
    return None, None  # rms_norm, batch_norm: not compared here


def index_at(shape, axes, where):
    """The index of the first (where=0) or last (where=-1) output, keeping the reduced axes whole."""
    return tuple(slice(None) if i in axes else (0 if where == 0 else d - 1) for i, d in enumerate(shape))


def check(r, x, y):
    """None when PyTorch's first and last outputs are near the float64 reference, else a message."""
    shape, axes, op = r["shape"], list(r["axes"]), r["op"]
    for where in (0, -1):
        idx = index_at(shape, axes, where)
        src = x[idx].to(torch.float64).numpy()
        if r["suite"] == "reduce":
            out_idx = tuple(i for a, i in enumerate(idx) if a not in axes)
            got = float(y[out_idx])
            if op == "sum":
                want = src.sum()
                # plus the rounding of a bf16 or f16 output
                tol = 1e-5 * np.abs(src).sum() + 1e-5 + (0 if r["dtype"] == "f32" else 2 ** -8 * abs(want))
            elif op == "max":
                want, tol = src.max(), 1e-6 * abs(src.max())
            elif op == "var":
                want = src.var(ddof=1)
                tol = 1e-4 * want
            else:
                m = src.max()
                want = m + np.log(np.exp(src - m).sum())
                tol = 1e-4 * abs(want)
            if not abs(got - want) <= tol:
                return f"output {where}: {got}, expected {want}"
            continue
        got = y[idx].to(torch.float64).numpy()
        if op == "softmax":
            e = np.exp(src - src.max())
            want = e / e.sum()
            rel = {"f32": 1e-4, "bf16": 1e-2, "f16": 3e-3}[r["dtype"]]
            bad = np.abs(got - want) > rel * np.abs(want) + 1e-7
        else:  # layer_norm
            cols = shape[-1]
            g = 1.0 + 0.5 * uniform_values(ROW_SEED + 1, cols).astype(np.float64)
            b = 0.5 * uniform_values(ROW_SEED + 2, cols).astype(np.float64)
            want = (src - src.mean()) / np.sqrt(src.var() + 1e-5) * g + b
            bad = np.abs(got - want) > 1e-4 * np.maximum(1.0, np.abs(want))
        if bad.any():
            k = int(np.argmax(bad))
            return f"vector {where}: {got[k]} at {k}, expected {want[k]}"
    return None


def time_case(call, warmup, reps, min_time):
    """The median over reps repetitions of the time per call, in seconds (5 repetitions
    at most when one call takes longer than half a second)."""
    start = time.perf_counter()
    call()
    if time.perf_counter() - start > 0.5:
        reps = min(reps, 5)
    end = time.perf_counter() + warmup
    while time.perf_counter() < end:
        call()
    per_call = []
    for _ in range(reps):
        calls, start = 0, time.perf_counter()
        while True:
            call()
            calls += 1
            elapsed = time.perf_counter() - start
            if elapsed >= min_time:
                break
        per_call.append(elapsed / calls)
    return statistics.median(per_call)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("records", nargs="+", help="outputs of `vnpu bench reduce|softmax|norm --json`")
    parser.add_argument("--threads", type=int, default=0, help="default: the vnpu records' thread count")
    parser.add_argument("--reps", type=int, default=int(os.environ.get("REPS", 15)))
    parser.add_argument("--min-time", type=float, default=float(os.environ.get("MIN_TIME", 0.03)))
    parser.add_argument("--warmup", type=float, default=float(os.environ.get("WARMUP", 0.05)))
    args = parser.parse_args()

    cases, seen = [], set()
    for path in args.records:
        for r in json.load(open(path)):
            if r.get("op") in ("bandwidth", "copy_bandwidth") or "axes" not in r:
                continue
            name = case_name(r)
            if name not in seen:
                seen.add(name)
                cases.append((name, r))
    threads = args.threads or next(r["threads"] for _, r in cases)
    torch.set_num_threads(threads)

    benchmarks = []
    for name, r in cases:
        x = case_input(r)
        call, y = case_call(r, x)
        if call is None:
            continue
        try:
            call()
        except RuntimeError as e:  # e.g. "not implemented for 'Half'": PyTorch has no such kernel
            print(f"bench_torch: {name}: {str(e).splitlines()[0]} (left out)", file=sys.stderr)
            continue
        out = y[0] if isinstance(y, list) else y
        entry = {"name": f"{name}/pytorch_median", "run_name": f"{name}/pytorch", "run_type": "aggregate",
                 "aggregate_name": "median", "threads": threads}
        wrong = check(r, x, out)
        if wrong:
            entry.update(error_occurred=True, error_message=f"PyTorch: wrong result, {wrong}")
            print(f"bench_torch: {name}: wrong result, {wrong}", file=sys.stderr)
        else:
            seconds = time_case(call, args.warmup, args.reps, args.min_time)
            moved = int(np.prod(r["shape"])) * ITEM_SIZE[r["dtype"]] * (1 if r["suite"] == "reduce" else 2)
            entry.update(real_time=seconds * 1e3, time_unit="ms", bytes_per_second=moved / seconds)
            print(f"bench_torch: {name}: {moved / seconds / 1e9:.2f} GB/s", file=sys.stderr)
        benchmarks.append(entry)
        del x, y, out
    context = {"library": f"torch {torch.__version__}", "num_cpus": os.cpu_count(), "vnpu_threads": str(threads),
               "vnpu_peers": "pytorch"}
    json.dump({"context": context, "benchmarks": benchmarks}, sys.stdout, indent=1)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
