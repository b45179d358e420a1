#!/usr/bin/env python3
"""test_op.py --vnpu PATH --group GROUP — `vnpu op` against NumPy.

Runs the built `vnpu op` on .npy files written by NumPy and checks what it writes:

  format      the output's .npy bytes are exactly np.save's for its contents; 0-d, 1-d,
              keep-dims and empty shapes; output dtypes per op (<f4, <f2, bf16 as <f4,
              <i4, <i8, |b1); versions 2.0/3.0 inputs; `--axes ""` copies the input.
  accuracy    every op over shapes x axes (incl. negative) x compute dtypes x keep-dims,
              against float64 NumPy on the input converted to the compute dtype, with the
              rule of DESIGN.md: mean relative error < T and max < 10 T, T = 2^-13 (f32),
              2^-10 (f16), 2^-7 (bf16); max/min/argmax/argmin/all/any and i32 exactly.
  conversion  f8 -> f16/bf16 and i8 -> f16/bf16 rounded once (no double rounding),
              integral floats to i32, u1/b1 inputs, f2 input computed in f32.
  errors      bad op, axis, repeated axis, dtype, file (missing, truncated, garbage,
              fortran order, big-endian, complex), rank > 8, unwritable output; shapes
              whose byte count overflows or cannot be allocated, /dev/zero and a FIFO as
              input: an exit status in 1..127 (never a signal, never a hang), exactly one
              line on stderr, no output file.

Softmax and the normalizations are tested by test_op_families.py, with these helpers.
Exits 0 when every check passed; otherwise prints each failure and exits 1.
"""
import argparse
import io
import os
import resource
import subprocess
import sys
import tempfile
import warnings

import numpy as np

OPS = ["sum", "mean", "max", "min", "prod", "sum_sq", "l1", "l2", "logsumexp", "var", "std",
       "argmax", "argmin", "all", "any", "log_sum"]
EXACT_OPS = {"max", "min", "argmax", "argmin", "all", "any"}
T = {"f32": 2.0 ** -13, "f16": 2.0 ** -10, "bf16": 2.0 ** -7, "f64": 2.0 ** -36}


class Checker:
    def __init__(self, vnpu, workdir):
        self.vnpu = vnpu
        self.dir = workdir
        self.failures = []
        self.checks = 0
        self.counter = 0

    def fail(self, what):
        self.failures.append(what)
        print("FAIL: " + what, flush=True)

    def check(self, ok, what):
        self.checks += 1
        if not ok:
            self.fail(what)
        return ok

    def path(self, stem):
        self.counter += 1
        return os.path.join(self.dir, "%s_%d.npy" % (stem, self.counter))

    def save(self, array, version=None):
        p = self.path("in")
        if version is None:
            np.save(p, array)
        else:
            with open(p, "wb") as f:
                np.lib.format.write_array(f, np.asanyarray(array), version=version)
        return p

    def run(self, args, timeout=120):
        """Runs vnpu with args, its address space capped at 4 GiB (a runaway read fails
        instead of exhausting the machine); returns (returncode, stderr), or (None, why)
        when it did not finish within `timeout` seconds."""
        def cap_memory():
            resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))
        try:
            proc = subprocess.run([self.vnpu] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  timeout=timeout, preexec_fn=cap_memory)
        except subprocess.TimeoutExpired:
            return None, "still running after %d s" % timeout
        return proc.returncode, proc.stderr.decode("utf-8", "replace")

    def op(self, name, src, extra=(), label=None):
        """Runs `vnpu op` on the .npy file src; returns the output array or None on failure."""
        out = self.path("out")
        args = ["op", name] + list(extra) + [src, "-o", out]
        rc, err = self.run(args)
        label = label or " ".join(args[1:-2])
        status = "timed out" if rc is None else "killed by signal %d" % -rc if rc < 0 else "exit %d" % rc
        if not self.check(rc == 0, "%s: %s: %s" % (label, status, err.strip())):
            return None
        with open(out, "rb") as f:
            raw = f.read()
        got = np.load(out)
        # The file must be byte for byte what np.save writes for the same array.
        buf = io.BytesIO()
        np.save(buf, got)
        self.check(buf.getvalue() == raw, "%s: output bytes differ from np.save's (header %r)" %
                   (label, raw[:128]))
        return got


# --- conversions, as NumPy sees them ---------------------------------------------------

def to_bf16(x):
    """float32 array -> float32 array of the nearest bf16 values (ties to even)."""
    bits = np.asarray(x, dtype=np.float32).view(np.uint32).astype(np.uint64)
    u = np.uint64
    r = ((bits + u(0x7FFF) + ((bits >> u(16)) & u(1))) >> u(16)) << u(16)
    out = r.astype(np.uint32).view(np.float32)
    return np.where(np.isnan(x), np.float32(np.nan), out)


def converted(x, dtype):
    """The input as the operator sees it after conversion to dtype, in float64."""
    if dtype == "f32":
        return np.asarray(x).astype(np.float32).astype(np.float64)
    if dtype == "f16":
        return np.asarray(x).astype(np.float16).astype(np.float64)
    if dtype == "bf16":
        return to_bf16(np.asarray(x).astype(np.float32)).astype(np.float64)
    if dtype == "f64":
        return np.asarray(x).astype(np.float64)
    raise ValueError(dtype)


def round_sig_int(n, bits):
    """Python int n rounded to `bits` significant bits, ties to even (exact)."""
    if n == 0:
        return 0
    sign = -1 if n < 0 else 1
    m = abs(n)
    cut = m.bit_length() - bits
    if cut <= 0:
        return n
    q, r = divmod(m, 1 << cut)
    half = 1 << (cut - 1)
    if r > half or (r == half and q & 1):
        q += 1
    return sign * (q << cut)


def round_f64_to_bf16(v):
    """float64 array (normal bf16 range) -> exact bf16 rounding, as float64."""
    bits = np.asarray(v, dtype=np.float64).view(np.uint64)
    r = ((bits + np.uint64((1 << 44) - 1) + ((bits >> np.uint64(45)) & np.uint64(1))) >> np.uint64(45)) \
        << np.uint64(45)
    return r.view(np.float64)


# --- the float64 reference of every op ----------------------------------------------------

def reference(op, x, axes, keep, correction=1.0):
    ax = None if axes is None else tuple(axes)
    if op == "sum":
        return np.sum(x, axis=ax, keepdims=keep)
    if op == "mean":
        return np.mean(x, axis=ax, keepdims=keep)
    if op == "max":
        return np.max(x, axis=ax, keepdims=keep)
    if op == "min":
        return np.min(x, axis=ax, keepdims=keep)
    if op == "prod":
        return np.prod(x, axis=ax, keepdims=keep)
    if op == "sum_sq":
        return np.sum(x * x, axis=ax, keepdims=keep)
    if op == "l1":
        return np.sum(np.abs(x), axis=ax, keepdims=keep)
    if op == "l2":
        return np.sqrt(np.sum(x * x, axis=ax, keepdims=keep))
    if op == "log_sum":  # ONNX ReduceLogSum
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log(np.sum(x, axis=ax, keepdims=keep))
    if op == "logsumexp":
        m = np.max(x, axis=ax, keepdims=True)
        r = m + np.log(np.sum(np.exp(x - m), axis=ax, keepdims=True))
        return r if keep else (np.squeeze(r, axis=ax) if ax is not None else r.reshape(()))
    if op in ("var", "std"):
        n = x.size if ax is None else int(np.prod([x.shape[a] for a in ax]))
        with warnings.catch_warnings():  # n <= ddof: NumPy warns, vnpu gives NaN
            warnings.simplefilter("ignore", RuntimeWarning)
            v = np.var(x, axis=ax, keepdims=keep, ddof=correction)
        v = np.where(n <= correction, np.nan, v)
        return np.sqrt(v) if op == "std" else v
    if op in ("argmax", "argmin"):
        f = np.argmax if op == "argmax" else np.argmin
        return f(x, axis=None if ax is None else ax[0], keepdims=keep)
    if op == "all":
        return np.all(x != 0, axis=ax, keepdims=keep)
    if op == "any":
        return np.any(x != 0, axis=ax, keepdims=keep)
    raise ValueError(op)


def data_for(op, shape, rng):
    """Inputs that exercise each op without cancellation (relative errors stay meaningful)."""
    if op in ("sum", "mean"):
        return rng.uniform(0.5, 1.5, shape)
    if op == "log_sum":  # sums above 1.5: the log stays away from 0 (relative errors)
        return rng.uniform(1.5, 3.0, shape)
    if op == "prod":  # products of 4097 such values stay far inside even f16's range
        return rng.uniform(0.97, 1.03, shape)
    if op in ("sum_sq", "l1", "l2", "max", "min", "argmax", "argmin"):
        return rng.standard_normal(shape)
    if op == "logsumexp":
        return 3.0 * rng.standard_normal(shape)
    if op in ("var", "std"):
        return 10.0 + rng.standard_normal(shape)
    if op in ("all", "any"):
        x = rng.integers(0, 4, shape).astype(np.float64)  # ~25% zeros
        if x.ndim > 0 and x.shape[0] > 1:
            x[0] = 1.0  # a slice that is all nonzero
            x[-1] = 0.0  # and one that is all zero
        return x
    raise ValueError(op)


def axes_arg(axes):
    return [] if axes is None else ["--axes=" + ",".join(str(a) for a in axes)]


def compare(c, label, got, ref, op, dtype):
    ref = np.asarray(ref)
    if not c.check(got.shape == ref.shape, "%s: shape %s, NumPy %s" % (label, got.shape, ref.shape)):
        return
    if op in EXACT_OPS or dtype == "i32":
        same = np.array_equal(got, ref, equal_nan=got.dtype.kind == "f")
        c.check(same, "%s: got %s, NumPy %s" % (label, got.ravel()[:8], ref.ravel()[:8]))
        return
    g = got.astype(np.float64)
    finite = np.isfinite(ref) & (ref != 0)
    special_ok = np.array_equal(g[~finite], ref[~finite], equal_nan=True)
    c.check(special_ok, "%s: non-finite or zero results differ: got %s, NumPy %s" %
            (label, g[~finite][:8], ref[~finite][:8]))
    if finite.any():
        rel = np.abs(g[finite] - ref[finite]) / np.abs(ref[finite])
        t = T[dtype]
        c.check(rel.mean() < t and rel.max() < 10 * t,
                "%s: relative error mean %.3g max %.3g, limits %.3g / %.3g" %
                (label, rel.mean(), rel.max(), t, 10 * t))


def expected_file_dtype(op, dtype):
    if op in ("argmax", "argmin"):
        return np.dtype("<i8")
    if op in ("all", "any"):
        return np.dtype("|b1")
    return {"f32": np.dtype("<f4"), "f16": np.dtype("<f2"), "bf16": np.dtype("<f4"),
            "f64": np.dtype("<f8"), "i32": np.dtype("<i4")}[dtype]


# --- groups ---------------------------------------------------------------------------------

def group_accuracy(c):
    rng = np.random.default_rng(20261121)
    cases = [
        ((1,), [None, (0,)]),
        ((7,), [None, (-1,)]),
        ((3, 5), [None, (0,), (-1,), (1, 0)]),
        ((4, 33, 5), [None, (1,), (0, 2), (-1, -3)]),
        ((2, 3, 4, 5), [(0,), (-2,), (1, 3)]),
        ((17, 130), [(1,), (0,)]),
        ((4097,), [None]),
    ]
    for op in OPS:
        for shape, axes_list in cases:
            x = data_for(op, shape, rng)
            files = {"f32": c.save(x.astype(np.float32)), "f64": c.save(x)}
            for axes in axes_list:
                if op in ("argmax", "argmin") and axes is not None and len(axes) > 1:
                    continue  # one axis or all of them: tested in errors
                for dtype in ("f32", "f16", "bf16", "f64"):
                    for keep in (False, True):
                        if keep and dtype != "f32":
                            continue
                        # f32 and f64 compute read the f8 file (f64 -> f32, or as it is), the
                        # others the f4 file.
                        src = files["f64"] if dtype in ("f32", "f64") else files["f32"]
                        base = x if dtype in ("f32", "f64") else x.astype(np.float32)
                        extra = axes_arg(axes) + ["--dtype", dtype] + (["--keep-dims"] if keep else [])
                        label = "%s %s axes=%s %s%s" % (op, shape, axes, dtype, " keep" if keep else "")
                        got = c.op(op, src, extra, label)
                        if got is None:
                            continue
                        c.check(got.dtype == expected_file_dtype(op, dtype),
                                "%s: output dtype %s" % (label, got.dtype.str))
                        compare(c, label, got, reference(op, converted(base, dtype), axes, keep), op, dtype)
                        if dtype == "bf16" and got.dtype == np.float32:
                            c.check(np.array_equal(to_bf16(got), got, equal_nan=True),
                                    "%s: <f4 output holds values that are not bf16" % label)
    # argmax/argmin over several (not all) axes: a clean error, or the row-major flat index
    # within the reduced axes (the generalization of NumPy's all-axes flat index).
    x = rng.standard_normal((3, 4, 5))
    src = c.save(x.astype(np.float32))
    for op in ("argmax", "argmin"):
        for axes in ((0, 2), (-1, 1)):
            out = c.path("out")
            rc, err = c.run(["op", op, "--axes=" + ",".join(map(str, axes)), src, "-o", out])
            label = "%s axes=%s" % (op, axes)
            if rc != 0:
                c.check(1 <= rc <= 127 and len(err.strip().splitlines()) == 1,
                        "%s: exit %d, stderr %r" % (label, rc, err))
                continue
            keep = [a for a in range(3) if a not in [b % 3 for b in axes]]
            red = sorted(b % 3 for b in axes)
            moved = np.transpose(x.astype(np.float32), keep + red).reshape([x.shape[a] for a in keep] + [-1])
            f = np.argmax if op == "argmax" else np.argmin
            compare(c, label, np.load(out), f(moved, axis=-1), op, "f32")
    # --select-last-index: the last of equal extremes (ONNX), i.e. NumPy's first index on the
    # reversed axis; rows, columns, a middle axis and the flat index of all axes, with ties
    # everywhere, in every compute dtype.
    x = rng.integers(0, 3, (6, 40, 5)).astype(np.float32)
    src = c.save(x)
    for op in ("argmax", "argmin"):
        f = np.argmax if op == "argmax" else np.argmin
        for axes in ((0,), (1,), (-1,), None):
            if axes is None:
                ref = x.size - 1 - f(x.ravel()[::-1])
            else:
                a = axes[0] % x.ndim
                ref = x.shape[a] - 1 - f(np.flip(x, axis=a), axis=a)
            for dtype in ("f32", "f16", "bf16", "i32"):
                label = "%s --select-last-index axes=%s %s" % (op, axes, dtype)
                got = c.op(op, src, axes_arg(axes) + ["--select-last-index", "--dtype", dtype], label)
                if got is not None:
                    compare(c, label, got, ref, op, dtype)
    # var/std corrections (0: population; 2.5; n <= correction gives NaN).
    x = 10.0 + rng.standard_normal((6, 3))
    src = c.save(x.astype(np.float32))
    for op in ("var", "std"):
        for corr in (0.0, 2.5, 6.0):
            label = "%s correction=%g" % (op, corr)
            got = c.op(op, src, ["--axes", "0", "--correction", str(corr)], label)
            if got is not None:
                compare(c, label, got, reference(op, converted(x, "f32"), (0,), False, corr), op, "f32")
    # Integers: i32 sums and products wrap modulo 2^32; max/min/arg*/all/any exact.
    xi = rng.integers(-2 ** 31, 2 ** 31, (5, 9), dtype=np.int64).astype(np.int32)
    xi[1, 2] = 0
    for path in (c.save(xi), c.save(xi.astype(np.int64))):
        for op in ("sum", "prod", "max", "min", "argmax", "argmin", "all", "any"):
            for axes in (None, (0,), (-1,)):
                label = "%s int axes=%s" % (op, axes)
                got = c.op(op, path, axes_arg(axes), label)
                if got is None:
                    continue
                ax = None if axes is None else axes
                if op == "sum":
                    ref = np.sum(xi, axis=ax, dtype=np.int32)
                elif op == "prod":
                    ref = np.prod(xi, axis=ax, dtype=np.int32)
                else:
                    ref = reference(op, xi.astype(np.int64), axes, False)
                c.check(got.dtype == expected_file_dtype(op, "i32"), "%s: output dtype %s" % (label, got.dtype.str))
                compare(c, label, got, ref, op, "i32")


def group_format(c):
    x = np.arange(12, dtype=np.float32).reshape(3, 4)
    src = c.save(x)
    got = c.op("sum", src)
    if got is not None:
        c.check(got.shape == () and got.dtype == np.float32 and got == 66, "full sum: 0-d <f4 66, got %r" % got)
    got = c.op("sum", src, ["--keep-dims"])
    if got is not None:
        c.check(got.shape == (1, 1) and got[0, 0] == 66, "full sum keep-dims: got %r" % got)
    got = c.op("max", src, ["--axes", "-1"])
    if got is not None:
        c.check(got.shape == (3,) and list(got) == [3, 7, 11], "max axis -1: got %r" % got)
    got = c.op("min", src, ["--axes", "-2", "--keep-dims"])
    if got is not None:
        c.check(got.shape == (1, 4) and list(got[0]) == [0, 1, 2, 3], "min axis -2 keep: got %r" % got)
    got = c.op("sum", src, ["--axes", ""])
    if got is not None:
        c.check(got.dtype == np.float32 and np.array_equal(got, x), '--axes "": got %r' % got)
    got = c.op("l1", c.save(-x), ["--axes", ""])
    if got is not None:
        c.check(np.array_equal(got, x), '--axes "" l1 gives |x|: got %r' % got)
    for op, dtype, want in [("sum", "f16", "<f2"), ("sum", "bf16", "<f4"), ("mean", "f32", "<f4"),
                            ("argmax", "f32", "<i8"), ("argmin", "bf16", "<i8"), ("all", "f16", "|b1"),
                            ("any", "f32", "|b1")]:
        got = c.op(op, src, ["--dtype", dtype])
        if got is not None:
            c.check(got.dtype.str == want and got.shape == (), "%s --dtype %s: %s %s, want 0-d %s" %
                    (op, dtype, got.dtype.str, got.shape, want))
    got = c.op("sum", c.save(x.astype(np.int32)))
    if got is not None:
        c.check(got.dtype.str == "<i4" and got == 66, "int sum: %r" % got)
    # A 0-d input, and inputs in format versions 2.0 and 3.0.
    got = c.op("sum", c.save(np.float32(2.5)))
    if got is not None:
        c.check(got.shape == () and got == 2.5, "0-d input: %r" % got)
    for version in ((2, 0), (3, 0)):
        got = c.op("sum", c.save(x, version=version), ["--axes", "0"])
        if got is not None:
            c.check(list(got) == [12, 15, 18, 21], "version %s input: %r" % (version, got))
    # Empty inputs: sum 0, prod 1, max -inf, min +inf, mean NaN; any/all of nothing.
    e = np.zeros((0, 3), dtype=np.float32)
    for op, want in [("sum", 0.0), ("prod", 1.0), ("max", -np.inf), ("min", np.inf), ("mean", np.nan)]:
        got = c.op(op, c.save(e), ["--axes", "0"])
        if got is not None:
            c.check(got.shape == (3,) and np.array_equal(got, np.full(3, want, np.float32), equal_nan=True),
                    "empty %s: %r" % (op, got))
    got = c.op("sum", c.save(e), ["--axes", "1"])
    if got is not None:
        c.check(got.shape == (0,), "empty output: shape %s" % (got.shape,))
    for op, want in [("all", True), ("any", False)]:
        got = c.op(op, c.save(e))
        if got is not None:
            c.check(got.shape == () and bool(got) == want, "empty %s: %r" % (op, got))
    # Big shapes, rank 8, and a long header (many dimensions) still round-trip exactly.
    got = c.op("sum", c.save(np.ones((2,) * 8, np.float32)), ["--axes", "0,2,4,6"])
    if got is not None:
        c.check(got.shape == (2, 2, 2, 2) and np.all(got == 16), "rank 8: %r" % got)


def group_conversion(c):
    # Conversions are observed through max over no axes (`--axes ""`), a plain copy that
    # keeps -0.0 and NaN. f8 -> f16: values where rounding to f32 first would round twice
    # the wrong way.
    one = 1.0
    vals = np.array([one + 2 ** -11 + 2 ** -40, one + 2 ** -11 - 2 ** -40, -(one + 2 ** -11 + 2 ** -40),
                     2 ** -24 * 1.5 + 2 ** -60, 65519.999, 65520.0, 1e300, -1e-300, 0.1, 2 ** -14 * 0.75,
                     np.inf, -np.inf, np.nan, 3.0, -0.0], dtype=np.float64)
    # An f8 file computes in f64 by default and gives an f8 file: the sum of values whose f32
    # roundings would lose the small parts keeps them.
    wide = np.array([1.0, 2 ** -40, 2 ** -40, -1.0, 3 ** 0.5], dtype=np.float64)
    got = c.op("sum", c.save(wide), [], "f8 sum, default dtype")
    if got is not None:
        c.check(got.dtype == np.dtype("<f8") and abs(float(got) - float(np.sum(wide))) <= 2 ** -50,
                "f8 sum: got %r (%s), NumPy %r" % (got, got.dtype, np.sum(wide)))
    got = c.op("max", c.save(vals), ["--axes", "", "--dtype", "f16"], "f8 -> f16")
    if got is not None:
        with np.errstate(over="ignore"):
            want = vals.astype(np.float16)
        c.check(got.dtype == np.float16 and np.array_equal(got.view(np.uint16)[~np.isnan(want)],
                                                           want.view(np.uint16)[~np.isnan(want)])
                and np.isnan(got[np.isnan(want)]).all(),
                "f8 -> f16 rounding: got %s, NumPy %s" % (got, want))
    # f8 -> bf16: one correct rounding from the double.
    vb = np.array([1 + 2 ** -8 + 2 ** -40, 1 + 2 ** -8 - 2 ** -40, 1 + 2 ** -8, 1 + 3 * 2 ** -8,
                   -(1 + 2 ** -8 + 2 ** -30), 3.14159, 1e30, -2.5e-30], dtype=np.float64)
    got = c.op("max", c.save(vb), ["--axes", "", "--dtype", "bf16"], "f8 -> bf16")
    if got is not None:
        c.check(got.dtype == np.float32 and np.array_equal(got.astype(np.float64), round_f64_to_bf16(vb)),
                "f8 -> bf16 rounding: got %s, want %s" % (got, round_f64_to_bf16(vb)))
    # i8 -> bf16 and f16 (large integers: exact rounding from the integer).
    ints = [2 ** 53 + 1, 2 ** 40 + 2 ** 32 + 1, -(2 ** 62 + 2 ** 54 + 1), 257, 259, 2 ** 63 - 1, -2 ** 63, 65519, 2049]
    src = c.save(np.array(ints, dtype=np.int64))
    got = c.op("max", src, ["--axes", "", "--dtype", "bf16"], "i8 -> bf16")
    if got is not None:
        want = np.array([float(round_sig_int(n, 8)) for n in ints])
        c.check(np.array_equal(got.astype(np.float64), want), "i8 -> bf16: got %s, want %s" % (got, want))
    got = c.op("max", src, ["--axes", "", "--dtype", "f16"], "i8 -> f16")
    if got is not None:
        want = np.array([float(round_sig_int(n, 11)) for n in ints])
        want = np.where(np.abs(want) >= 65520, np.copysign(np.inf, want), want)
        c.check(np.array_equal(got.astype(np.float64), want), "i8 -> f16: got %s, want %s" % (got, want))
    got = c.op("max", src, ["--axes", "", "--dtype", "f32"], "i8 -> f32")
    if got is not None:
        want = np.array(ints, dtype=np.int64).astype(np.float32)
        c.check(np.array_equal(got, want), "i8 -> f32: got %s, want %s" % (got, want))
    # Integral floats to i32; u1 and b1 inputs; f2 input computed in f32 by default.
    got = c.op("sum", c.save(np.array([1.0, -2.0, 2.0 ** 31 - 1], np.float64)), ["--axes", "", "--dtype", "i32"])
    if got is not None:
        c.check(got.dtype.str == "<i4" and list(got) == [1, -2, 2 ** 31 - 1], "integral f8 -> i32: %r" % got)
    got = c.op("sum", c.save(np.array([200, 100, 7], np.uint8)))
    if got is not None:
        c.check(got.dtype.str == "<i4" and got == 307, "u1 sum: %r" % got)
    got = c.op("any", c.save(np.array([[False, False], [False, True]])), ["--axes", "1"])
    if got is not None:
        c.check(list(got) == [False, True], "b1 any: %r" % got)
    h = np.array([1.5, 2.25, 65504.0], np.float16)
    got = c.op("sum", c.save(h))
    if got is not None:
        c.check(got.dtype.str == "<f4" and got == np.float32(65507.75), "f2 input sums in f32: %r" % got)
    got = c.op("max", c.save(h), ["--dtype", "f16"])
    if got is not None:
        c.check(got.dtype.str == "<f2" and got == np.float16(65504), "f2 max in f16: %r" % got)


def expect_error(c, label, args, codes=None, make_output=False, message=None, timeout=120):
    """vnpu fails with an exit status in `codes`, one line on stderr (containing `message`,
    if given), within `timeout` seconds, and writes no output file."""
    out = c.path("err_out")
    if make_output:
        out = os.path.join(c.dir, "no_such_dir", "out.npy")
    rc, err = c.run(args + ["-o", out], timeout)
    if not c.check(rc is not None, "%s: %s" % (label, err)):
        return
    lines = [line for line in err.splitlines() if line.strip()]
    c.check(1 <= rc <= 127, "%s: exit status %d (want 1..127, never a signal)" % (label, rc))
    if codes is not None:
        c.check(rc in codes, "%s: exit status %d, want one of %s (%s)" % (label, rc, codes, err.strip()))
    c.check(len(lines) == 1, "%s: %d lines on stderr: %r" % (label, len(lines), err))
    if message is not None:
        c.check(message in err, "%s: stderr lacks %r: %r" % (label, message, err))
    c.check(not os.path.exists(out), "%s: an output file was written" % label)


def write_bytes(c, data):
    p = c.path("raw")
    with open(p, "wb") as f:
        f.write(data)
    return p


def group_errors(c):
    x = np.arange(12, dtype=np.float32).reshape(3, 4)
    good = c.save(x)
    k_arg, k_shape, k_dtype = 1, 17, 18  # vnpu Status values
    bad_data, no_input, no_output = 65, 66, 73
    expect_error(c, "unknown op", ["op", "median", good], [k_arg])
    expect_error(c, "axis out of range", ["op", "sum", "--axes", "2", good], [k_shape])
    expect_error(c, "negative axis out of range", ["op", "sum", "--axes=-3", good], [k_shape])
    expect_error(c, "repeated axis", ["op", "sum", "--axes", "1,-1", good], [k_shape])
    expect_error(c, "axis not a number", ["op", "sum", "--axes", "x", good], [k_arg])
    expect_error(c, "empty axis item", ["op", "sum", "--axes", "0,,1", good], [k_arg])
    expect_error(c, "bad --dtype", ["op", "sum", "--dtype", "f128", good], [k_dtype])
    expect_error(c, "--dtype f64 for softmax", ["op", "softmax", "--axis", "-1", "--dtype", "f64", good], [k_dtype])
    expect_error(c, "--dtype i64", ["op", "sum", "--dtype", "i64", good], [k_dtype])
    expect_error(c, "--correction on sum", ["op", "sum", "--correction", "0", good], [k_arg])
    expect_error(c, "--select-last-index on max", ["op", "max", "--select-last-index", good], [k_arg],
                 message="argmax and argmin only")
    expect_error(c, "log_sum of i32", ["op", "log_sum", "--dtype", "i32", good], [k_dtype])
    expect_error(c, "negative correction", ["op", "var", "--correction=-1", good], [k_arg])
    expect_error(c, "mean of integers", ["op", "mean", c.save(x.astype(np.int64))], [k_dtype])
    expect_error(c, "non-integral float as i32", ["op", "sum", "--dtype", "i32", c.save(x + 0.5)], [k_dtype])
    expect_error(c, "NaN as i32", ["op", "sum", "--dtype", "i32", c.save(np.array([np.nan]))], [k_dtype])
    expect_error(c, "i8 outside i32", ["op", "sum", c.save(np.array([1, 2 ** 40], np.int64))], [k_dtype])
    expect_error(c, "rank 9", ["op", "sum", c.save(np.ones((1,) * 9, np.float32))], [k_shape])
    expect_error(c, "argmax of an empty axis", ["op", "argmax", "--axes", "0", c.save(np.zeros((0, 2), np.float32))],
                 [k_shape])
    expect_error(c, "missing file", ["op", "sum", os.path.join(c.dir, "missing.npy")], [no_input])
    expect_error(c, "directory as input", ["op", "sum", c.dir], [no_input])
    with open(good, "rb") as f:
        raw = f.read()
    expect_error(c, "truncated data", ["op", "sum", write_bytes(c, raw[:-5])], [bad_data])
    expect_error(c, "truncated header", ["op", "sum", write_bytes(c, raw[:40])], [bad_data])
    expect_error(c, "empty file", ["op", "sum", write_bytes(c, b"")], [bad_data])
    expect_error(c, "garbage", ["op", "sum", write_bytes(c, os.urandom(300))], [bad_data])
    expect_error(c, "bad header length", ["op", "sum", write_bytes(c, raw[:8] + b"\xff\xff" + raw[10:])], [bad_data])
    expect_error(c, "garbage dict", ["op", "sum", write_bytes(c, raw[:10] + b"[" + raw[11:])], [bad_data])
    huge = raw.replace(b"(3, 4), ", b"(3, 4000000000000000000), ", 1)[:128 + 48]
    expect_error(c, "shape product overflow", ["op", "sum", write_bytes(c, huge)], [bad_data])
    expect_error(c, "fortran order", ["op", "sum", c.save(np.asfortranarray(x))], [bad_data])
    expect_error(c, "big-endian", ["op", "sum", c.save(x.astype(">f4"))], [bad_data])
    expect_error(c, "complex dtype", ["op", "sum", c.save(x.astype(np.complex64))], [bad_data])
    expect_error(c, "unwritable output", ["op", "sum", good], [no_output], make_output=True)
    group_limits(c)


def group_limits(c):
    """Shapes whose byte counts do not fit, and inputs that never end."""
    k_shape, k_memory, no_input = 17, 5, 66
    # No elements, but read as i32 the shape holds 2^64 bytes, and the sum over axis 1 has
    # 2^62 elements of 4 bytes: rejected, naming the shape, never wrapped to a tiny buffer.
    wide = c.save(np.empty((2 ** 62, 0), np.uint8))
    for op in ["sum", "max", "argmax", "any"]:
        expect_error(c, "%s of a (2^62, 0) input over axis 1" % op, ["op", op, "--axes", "1", wide], [k_shape],
                     message="(4611686018427387904, 0)")
    expect_error(c, "softmax of a (2^62, 0) input", ["op", "softmax", "--axis", "0", wide], [k_shape],
                 message="(4611686018427387904, 0)")
    # 2^60 sums of 4 bytes each fit in 64 bits but in no memory: an allocation failure.
    expect_error(c, "sum of a (2^60, 0) input over axis 1",
                 ["op", "sum", "--axes", "1", c.save(np.empty((2 ** 60, 0), np.uint8))], [k_memory])
    # Endless or blocking inputs are refused before anything is read.
    expect_error(c, "/dev/zero as input", ["op", "sum", "/dev/zero"], [no_input], message="not a regular file",
                 timeout=20)
    fifo = os.path.join(c.dir, "fifo.npy")
    os.mkfifo(fifo)
    expect_error(c, "a FIFO as input", ["op", "sum", fifo], [no_input], message="not a regular file", timeout=20)


GROUPS = {"format": group_format, "accuracy": group_accuracy, "conversion": group_conversion,
          "errors": group_errors}


def main(groups_table=None, description=None):
    """Runs the groups named by --group from groups_table (default: this file's GROUPS)."""
    groups_table = groups_table or GROUPS
    parser = argparse.ArgumentParser(description=description or __doc__.split("\n")[0])
    parser.add_argument("--vnpu", required=True, help="path of the built vnpu binary")
    parser.add_argument("--group", choices=sorted(groups_table) + ["all"], default="all")
    args = parser.parse_args()
    groups = sorted(groups_table) if args.group == "all" else [args.group]
    with tempfile.TemporaryDirectory(prefix="vnpu_op_test_") as workdir:
        c = Checker(os.path.abspath(args.vnpu), workdir)
        for g in groups:
            groups_table[g](c)
    print("%s: %d checks, %d failed" % (", ".join(groups), c.checks, len(c.failures)))
    return 1 if c.failures else 0


if __name__ == "__main__":
    sys.exit(main())
