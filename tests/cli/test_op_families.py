#!/usr/bin/env python3
"""test_op_families.py --vnpu PATH --group GROUP — `vnpu op` for softmax and the norms.

The companion of test_op.py (which covers the reductions and whose helpers it uses): runs
the built `vnpu op softmax|log_softmax|layer_norm|rms_norm|batch_norm|group_norm` on .npy
files written by NumPy and compares the output with float64 NumPy references computed on
the inputs *as converted to the compute dtype* (every file, parameters included).

  softmax     softmax and log_softmax over every axis of several shapes (inner, outer and
              middle axes, long rows and columns) in f32, f16, bf16; -inf, +inf and NaN rows; empty
              tensors; integer and f2 inputs.
  norm        layer_norm and rms_norm over 1..rank trailing axes, batch_norm (inference)
              and group_norm over several group counts, each with and without gamma/beta,
              default and explicit eps, in f32, f16, bf16; inputs with a large mean (a
              variance computed as E[x^2] - E[x]^2 would fail); parameter files converted
              to the compute dtype (a running mean beyond f16's range becomes inf).
  family_errors  wrong file counts, parameter files of the wrong shape, options of another
              op (--axes for softmax, --groups for layer_norm, ...), missing required
              options, bad values, bad dtypes, bad files (also as parameters), unwritable
              output: the documented exit status, one line on stderr, no output file.

Accuracy is DESIGN.md's rule — mean error < T and max error < 10 T, T = 2^-13 (f32), 2^-10
(f16), 2^-7 (bf16) — with the error of each element measured relative to max(|ref|, floor):
floor = 1 for the norms (their outputs are O(1), and an element near 0 carries the
absolute rounding of x - mean) and for log_softmax (an element near 0 is -log(sum) with a
sum near 1, which f32 holds to an absolute, not a relative, 2^-24), and the smallest normal
number of the dtype for softmax.
Exits 0 when every check passed; otherwise prints each failure and exits 1.
"""
import os
import sys
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_op  # noqa: E402
from test_op import converted, expect_error, to_bf16, write_bytes, T  # noqa: E402

FILE_DTYPE = {"f32": "<f4", "f16": "<f2", "bf16": "<f4"}
K_ARG, K_SHAPE, K_DTYPE = 1, 17, 18  # vnpu Status values
BAD_DATA, NO_INPUT, NO_OUTPUT = 65, 66, 73


# --- float64 references -------------------------------------------------------------------

def ref_softmax(x, axis, log):
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        m = np.max(x, axis=axis, keepdims=True)
        z = x - m
        s = np.sum(np.exp(z), axis=axis, keepdims=True)
        return z - np.log(s) if log else np.exp(z) / s


def ref_layer_norm(x, k, eps, gamma=None, beta=None, rms=False):
    axes = tuple(range(x.ndim - k, x.ndim))
    if rms:
        y = x / np.sqrt(np.mean(x * x, axis=axes, keepdims=True) + eps)
    else:
        mean = np.mean(x, axis=axes, keepdims=True)
        var = np.mean((x - mean) ** 2, axis=axes, keepdims=True)
        y = (x - mean) / np.sqrt(var + eps)
    if gamma is not None:
        y = y * gamma
    if beta is not None:
        y = y + beta
    return y


def per_channel(p, ndim):
    return p.reshape((1, -1) + (1,) * (ndim - 2))


def ref_batch_norm(x, mean, var, eps, gamma=None, beta=None):
    with np.errstate(invalid="ignore"):
        y = (x - per_channel(mean, x.ndim)) / np.sqrt(per_channel(var, x.ndim) + eps)
        if gamma is not None:
            y = y * per_channel(gamma, x.ndim) + per_channel(beta, x.ndim)
    return y


def ref_group_norm(x, groups, eps, gamma=None, beta=None):
    g = x.reshape(x.shape[0], groups, -1)
    mean = g.mean(axis=2, keepdims=True)
    var = ((g - mean) ** 2).mean(axis=2, keepdims=True)
    y = ((g - mean) / np.sqrt(var + eps)).reshape(x.shape)
    if gamma is not None:
        y = y * per_channel(gamma, x.ndim) + per_channel(beta, x.ndim)
    return y


# --- running and comparing ------------------------------------------------------------------

def run_case(c, label, op, x, params, extra, dtype, ref_fn, floor):
    """Saves x and params, runs vnpu op, checks the output's dtype, shape and accuracy.

    ref_fn gets x and the params converted to the compute dtype (float64 arrays)."""
    files = [c.save(x)] + [c.save(p) for p in params]
    # Checker.op puts its file last: X and every parameter but the last go with the options.
    got = c.op(op, files[-1], list(extra) + (["--dtype", dtype] if dtype else []) + files[:-1], label)
    if got is None:
        return
    dtype = dtype or "f32"
    c.check(got.dtype == np.dtype(FILE_DTYPE[dtype]), "%s: output dtype %s" % (label, got.dtype.str))
    ref = np.asarray(ref_fn(converted(x, dtype), *[converted(p, dtype) for p in params]))
    compare(c, label, got, ref, dtype, floor)
    if dtype == "bf16" and got.dtype == np.float32:
        c.check(np.array_equal(to_bf16(got), got, equal_nan=True), "%s: <f4 output holds non-bf16 values" % label)


def compare(c, label, got, ref, dtype, floor):
    if not c.check(got.shape == ref.shape, "%s: shape %s, NumPy %s" % (label, got.shape, ref.shape)):
        return
    g = got.astype(np.float64)
    finite = np.isfinite(ref)
    c.check(np.array_equal(g[~finite], ref[~finite], equal_nan=True),
            "%s: non-finite results differ: got %s, NumPy %s" % (label, g[~finite][:8], ref[~finite][:8]))
    if finite.any():
        err = np.abs(g[finite] - ref[finite]) / np.maximum(np.abs(ref[finite]), floor)
        t = T[dtype]
        c.check(err.mean() < t and err.max() < 10 * t,
                "%s: error mean %.3g max %.3g, limits %.3g / %.3g" % (label, err.mean(), err.max(), t, 10 * t))


def softmax_floor(dtype, op="softmax"):
    if op == "log_softmax":
        return 1.0
    return float(np.finfo(np.float16).tiny) if dtype == "f16" else float(np.finfo(np.float32).tiny)


DTYPES = ("f32", "f16", "bf16")


def source(x, dtype):
    """f32 compute reads float64 files (f8 -> f32), the others float32 files."""
    return x if dtype == "f32" else x.astype(np.float32)


# --- groups -----------------------------------------------------------------------------------

def group_softmax(c):
    rng = np.random.default_rng(20261122)
    cases = [((7,), (0, -1)), ((3, 5), (0, 1, -1)), ((4, 33, 5), (0, 1, 2, -2)), ((2, 3, 4, 5), (2, -4)),
             ((17, 1030), (-1, 0)), ((2, 300000), (1,)), ((5000, 7), (0,)), ((3, 5000, 9), (1,))]
    for shape, axes in cases:
        x = 3.0 * rng.standard_normal(shape)
        for op in ("softmax", "log_softmax"):
            for axis in axes:
                for dtype in DTYPES:
                    if x.size > 100000 and dtype != "f32" and op == "log_softmax":
                        continue
                    label = "%s %s axis=%d %s" % (op, shape, axis, dtype)
                    run_case(c, label, op, source(x, dtype), [], ["--axis=%d" % axis], dtype,
                             lambda v, a=axis, lg=op == "log_softmax": ref_softmax(v, a, lg), softmax_floor(dtype, op))
    # Special rows: all -inf (NaN), some -inf (0 / -inf), a NaN or a +inf (NaN row), huge values.
    x = np.array([[-np.inf] * 4, [1.0, -np.inf, 2.0, -np.inf], [1.0, np.nan, 2.0, 3.0], [1.0, np.inf, 2.0, 3.0],
                  [1e30, 1e30, -1e30, 0.0], [-1e4, -1e4 + 1, -1e4 + 2, -1e4 + 3]], dtype=np.float32)
    for op in ("softmax", "log_softmax"):
        for dtype in ("f32", "bf16"):
            run_case(c, "%s special rows %s" % (op, dtype), op, x, [], ["--axis", "1"], dtype,
                     lambda v, lg=op == "log_softmax": ref_softmax(v, 1, lg), softmax_floor(dtype, op))
        # Special values along a non-inner axis.
        run_case(c, "%s special columns" % op, op, np.ascontiguousarray(x.T), [], ["--axis", "0"], "f32",
                 lambda v, lg=op == "log_softmax": ref_softmax(v, 0, lg), softmax_floor("f32", op))
    # Empty tensors succeed and write an empty array of the same shape.
    for shape, axis in (((0, 3), 1), ((3, 0), 1), ((2, 0, 4), 0)):
        got = c.op("softmax", c.save(np.zeros(shape, np.float32)), ["--axis", str(axis)], "softmax empty %s" % (shape,))
        if got is not None:
            c.check(got.shape == shape and got.dtype == np.float32, "softmax empty %s: %s %s" % (shape, got.shape,
                                                                                                 got.dtype))
    # Integer inputs compute in f32 (not i32); f2 inputs in f32 unless --dtype f16.
    xi = rng.integers(-5, 6, (4, 9))
    run_case(c, "softmax of i8 input", "softmax", xi, [], ["--axis", "1"], None,
             lambda v: ref_softmax(v, 1, False), softmax_floor("f32"))
    h = rng.standard_normal((5, 8)).astype(np.float16)
    run_case(c, "softmax of f2 input", "softmax", h, [], ["--axis", "-1"], None,
             lambda v: ref_softmax(v, -1, False), softmax_floor("f32"))
    run_case(c, "softmax of f2 input in f16", "softmax", h, [], ["--axis", "-1"], "f16",
             lambda v: ref_softmax(v, -1, False), softmax_floor("f16"))


def group_norm(c):
    rng = np.random.default_rng(20261123)
    for op in ("layer_norm", "rms_norm"):
        rms = op == "rms_norm"
        for shape, ks in (((3, 5), (1, 2)), ((4, 6, 7), (1, 2)), ((2, 3, 4, 5), (3,)), ((8, 1030), (1,)),
                          ((2, 70000), (1,)), ((5,), (1,))):
            x = (0.0 if rms else 4.0) + 2.0 * rng.standard_normal(shape)
            for k in ks:
                pshape = shape[len(shape) - k:]
                gamma = rng.uniform(0.5, 1.5, pshape)
                beta = rng.standard_normal(pshape)
                param_sets = [[], [gamma]] + ([] if rms else [[gamma, beta]])
                for params in param_sets:
                    for eps in (None, 0.1):
                        for dtype in DTYPES:
                            if (eps is not None or len(params) == 1) and dtype != "f32":
                                continue
                            label = "%s %s k=%d params=%d eps=%s %s" % (op, shape, k, len(params), eps, dtype)
                            extra = ["--normalized-ndim", str(k)] + (["--eps", str(eps)] if eps else [])
                            e = eps if eps is not None else (1e-6 if rms else 1e-5)
                            run_case(c, label, op, source(x, dtype), [source(p, dtype) for p in params], extra, dtype,
                                     lambda v, *p, k=k, e=e: ref_layer_norm(v, k, e, *p, rms=rms), 1.0)
    # A large mean: E[x^2] - E[x]^2 in f32 would lose the variance entirely.
    x = 1e4 + rng.standard_normal((6, 512))
    run_case(c, "layer_norm mean 1e4", "layer_norm", x, [], ["--normalized-ndim", "1"], "f32",
             lambda v: ref_layer_norm(v, 1, 1e-5), 1.0)
    x = 1e4 + rng.standard_normal((4, 8, 64))
    run_case(c, "group_norm mean 1e4", "group_norm", x, [], ["--groups", "2"], "f32",
             lambda v: ref_group_norm(v, 2, 1e-5), 1.0)
    # batch_norm (inference): running statistics from files.
    for shape in ((2, 3), (4, 3, 5), (2, 3, 4, 5), (3, 16, 7, 7)):
        ch = shape[1]
        x = rng.standard_normal(shape) * 2.0 + 1.0
        mean, var = rng.standard_normal(ch), rng.uniform(0.5, 4.0, ch)
        gamma, beta = rng.uniform(0.5, 1.5, ch), rng.standard_normal(ch)
        for params in ([mean, var], [mean, var, gamma, beta]):
            for eps in (None, 0.5):
                for dtype in DTYPES:
                    if eps is not None and dtype != "f32":
                        continue
                    label = "batch_norm %s params=%d eps=%s %s" % (shape, len(params), eps, dtype)
                    e = eps if eps is not None else 1e-5
                    run_case(c, label, "batch_norm", source(x, dtype), [source(p, dtype) for p in params],
                             ["--eps", str(eps)] if eps else [], dtype,
                             lambda v, *p, e=e: ref_batch_norm(v, p[0], p[1], e, *p[2:]), 1.0)
    # group_norm over several group counts.
    for shape, groups in (((2, 6, 5), (1, 2, 3, 6)), ((3, 4, 2, 3), (2,)), ((2, 8), (4,)), ((1, 32, 130), (8,)),
                          ((2, 6, 20000), (3,))):
        x = rng.standard_normal(shape) * 3.0 - 2.0
        gamma, beta = rng.uniform(0.5, 1.5, shape[1]), rng.standard_normal(shape[1])
        for g in groups:
            for params in ([], [gamma, beta]):
                for dtype in DTYPES:
                    label = "group_norm %s groups=%d params=%d %s" % (shape, g, len(params), dtype)
                    run_case(c, label, "group_norm", source(x, dtype), [source(p, dtype) for p in params],
                             ["--groups", str(g)], dtype, lambda v, *p, g=g: ref_group_norm(v, g, 1e-5, *p), 1.0)
    # Parameter files are converted too: a running mean of 1e5 is inf in f16, so y is -inf.
    x = rng.standard_normal((2, 3, 4))
    mean = np.array([1e5, 0.0, -1.0])
    var = np.array([1.0, 2.0, 3.0])
    run_case(c, "batch_norm f16 params converted", "batch_norm", x, [mean, var], [], "f16",
             lambda v, m, s: ref_batch_norm(v, m, s, 1e-5), 1.0)
    # Integer and f2 inputs.
    run_case(c, "layer_norm of i8 input", "layer_norm", rng.integers(-9, 10, (3, 16)), [], ["--normalized-ndim", "1"],
             None, lambda v: ref_layer_norm(v, 1, 1e-5), 1.0)
    h = rng.standard_normal((3, 16)).astype(np.float16)
    g16 = rng.uniform(0.5, 1.5, 16).astype(np.float16)
    run_case(c, "rms_norm of f2 input", "rms_norm", h, [g16], ["--normalized-ndim", "1"], None,
             lambda v, g: ref_layer_norm(v, 1, 1e-6, g, rms=True), 1.0)
    # Empty x succeeds.
    got = c.op("layer_norm", c.save(np.zeros((0, 4), np.float32)), ["--normalized-ndim", "1"], "layer_norm empty")
    if got is not None:
        c.check(got.shape == (0, 4), "layer_norm empty: shape %s" % (got.shape,))
    stats_outputs(c, rng)


def check_stat_file(c, label, path, ref):
    """A statistics file: <f4, the reference's shape, f32 accuracy against float64."""
    if not c.check(os.path.exists(path), "%s: %s was not written" % (label, path)):
        return
    got = np.load(path)
    c.check(got.dtype == np.dtype("<f4"), "%s: %s dtype %s" % (label, path, got.dtype.str))
    compare(c, label + " " + os.path.basename(path), got, np.asarray(ref, np.float64), "f32", 0.0)


def stats_outputs(c, rng):
    """batch_norm --training (the batch's own statistics, --save-mean/--save-var) and
    layer_norm --mean/--rstd against float64."""
    for shape in ((8, 2), (4, 3, 5), (2, 3, 4, 5), (3, 16, 7, 7)):
        ch = shape[1]
        axes = tuple(a for a in range(len(shape)) if a != 1)
        x = rng.standard_normal(shape) * 2.0 + 1.5
        gamma, beta = rng.uniform(0.5, 1.5, ch), rng.standard_normal(ch)
        for params in ([], [gamma, beta]):
            for dtype in DTYPES:
                label = "batch_norm --training %s params=%d %s" % (shape, len(params), dtype)
                xs = converted(source(x, dtype), dtype)
                mean, var = xs.mean(axis=axes), xs.var(axis=axes)
                m_path, v_path = c.path("mean"), c.path("var")
                run_case(c, label, "batch_norm", source(x, dtype), [source(p, dtype) for p in params],
                         ["--training", "--save-mean", m_path, "--save-var", v_path], dtype,
                         lambda v, *p: ref_batch_norm(v, mean, var, 1e-5, *p), 1.0)
                check_stat_file(c, label, m_path, mean)
                check_stat_file(c, label, v_path, var)
    # Without --save-*, only y; a spread of 1e19 (squares beyond f32) still normalizes.
    x = rng.uniform(-1e19, 1e19, (4, 2, 3000))
    run_case(c, "batch_norm --training spread 1e19", "batch_norm", x, [], ["--training"], "f32",
             lambda v: ref_batch_norm(v, v.mean(axis=(0, 2)), v.var(axis=(0, 2)), 1e-5), 1.0)
    for shape, k in (((3, 5), 1), ((4, 6, 7), 2), ((2, 70000), 1), ((5,), 1), ((2, 3, 4), 3)):
        x = 3.0 + rng.standard_normal(shape)
        axes = tuple(range(len(shape) - k, len(shape)))
        for dtype in DTYPES:
            label = "layer_norm --mean --rstd %s k=%d %s" % (shape, k, dtype)
            xs = converted(source(x, dtype), dtype)
            mean = xs.mean(axis=axes)
            rstd = 1.0 / np.sqrt(xs.var(axis=axes) + 1e-5)
            m_path, r_path = c.path("mean"), c.path("rstd")
            run_case(c, label, "layer_norm", source(x, dtype), [],
                     ["--normalized-ndim", str(k), "--mean", m_path, "--rstd", r_path], dtype,
                     lambda v, k=k: ref_layer_norm(v, k, 1e-5), 1.0)
            check_stat_file(c, label, m_path, mean)
            check_stat_file(c, label, r_path, rstd)
    x = rng.uniform(-1e19, 1e19, (3, 5000))
    r_path = c.path("rstd")
    run_case(c, "layer_norm spread 1e19", "layer_norm", x, [], ["--normalized-ndim", "1", "--rstd", r_path], "f32",
             lambda v: ref_layer_norm(v, 1, 1e-5), 1.0)
    xs = converted(x, "f32")
    check_stat_file(c, "layer_norm spread 1e19", r_path, 1.0 / np.sqrt(xs.var(axis=1) + 1e-5))


def group_family_errors(c):
    x = np.arange(12, dtype=np.float32).reshape(3, 4)
    good = c.save(x)
    x4 = c.save(np.ones((2, 4, 3), np.float32))
    p4, p3, p5 = c.save(np.ones(4, np.float32)), c.save(np.ones(3, np.float32)), c.save(np.ones(5, np.float32))
    p34 = c.save(np.ones((3, 4), np.float32))
    with open(good, "rb") as f:
        raw = f.read()
    garbage = write_bytes(c, raw[:40])
    missing = os.path.join(c.dir, "missing.npy")
    cases = [
        # softmax
        ("softmax without --axis", ["softmax", good], K_ARG),
        ("softmax axis out of range", ["softmax", "--axis", "2", good], K_SHAPE),
        ("softmax negative axis out of range", ["softmax", "--axis=-3", good], K_SHAPE),
        ("softmax axis not a number", ["softmax", "--axis", "last", good], K_ARG),
        ("softmax axis of a 0-d input", ["softmax", "--axis", "0", c.save(np.float32(1.0))], K_SHAPE),
        ("softmax --axes", ["softmax", "--axis", "1", "--axes", "1", good], K_ARG),
        ("softmax --keep-dims", ["log_softmax", "--axis", "1", "--keep-dims", good], K_ARG),
        ("softmax --eps", ["softmax", "--axis", "1", "--eps", "0.1", good], K_ARG),
        ("softmax --groups", ["softmax", "--axis", "1", "--groups", "2", good], K_ARG),
        ("softmax --correction", ["softmax", "--axis", "1", "--correction", "0", good], K_ARG),
        ("softmax --dtype i32", ["softmax", "--axis", "1", "--dtype", "i32", good], K_DTYPE),
        ("softmax --dtype f64", ["softmax", "--axis", "1", "--dtype", "f64", good], K_DTYPE),
        ("softmax two files", ["softmax", "--axis", "1", good, good], K_ARG),
        ("softmax missing file", ["softmax", "--axis", "1", missing], NO_INPUT),
        ("softmax garbage file", ["softmax", "--axis", "1", garbage], BAD_DATA),
        ("softmax unwritable output", ["softmax", "--axis", "1", good], NO_OUTPUT),
        # layer_norm / rms_norm
        ("layer_norm without --normalized-ndim", ["layer_norm", good], K_ARG),
        ("layer_norm --normalized-ndim 0", ["layer_norm", "--normalized-ndim", "0", good], K_SHAPE),
        ("layer_norm --normalized-ndim 3 of rank 2", ["layer_norm", "--normalized-ndim", "3", good], K_SHAPE),
        ("layer_norm --normalized-ndim x", ["layer_norm", "--normalized-ndim", "x", good], K_ARG),
        ("layer_norm gamma of the wrong shape", ["layer_norm", "--normalized-ndim", "1", good, p3], K_SHAPE),
        ("layer_norm gamma of rank 2 for k=1", ["layer_norm", "--normalized-ndim", "1", good, p34], K_SHAPE),
        ("layer_norm beta of the wrong shape", ["layer_norm", "--normalized-ndim", "1", good, p4, p5], K_SHAPE),
        ("layer_norm gamma for k=2 of shape (4,)", ["layer_norm", "--normalized-ndim", "2", good, p4], K_SHAPE),
        ("layer_norm four files", ["layer_norm", "--normalized-ndim", "1", good, p4, p4, p4], K_ARG),
        ("layer_norm --groups", ["layer_norm", "--normalized-ndim", "1", "--groups", "2", good], K_ARG),
        ("layer_norm --axis", ["layer_norm", "--normalized-ndim", "1", "--axis", "1", good], K_ARG),
        ("layer_norm --axes", ["layer_norm", "--normalized-ndim", "1", "--axes", "1", good], K_ARG),
        ("layer_norm negative eps", ["layer_norm", "--normalized-ndim", "1", "--eps=-1", good], K_ARG),
        ("layer_norm eps nan", ["layer_norm", "--normalized-ndim", "1", "--eps", "nan", good], K_ARG),
        ("layer_norm eps not a number", ["layer_norm", "--normalized-ndim", "1", "--eps", "small", good], K_ARG),
        ("layer_norm --dtype i32", ["layer_norm", "--normalized-ndim", "1", "--dtype", "i32", good], K_DTYPE),
        ("layer_norm missing gamma file", ["layer_norm", "--normalized-ndim", "1", good, missing], NO_INPUT),
        ("layer_norm garbage beta file", ["layer_norm", "--normalized-ndim", "1", good, p4, garbage], BAD_DATA),
        ("layer_norm complex gamma", ["layer_norm", "--normalized-ndim", "1", good,
                                      c.save(np.ones(4, np.complex64))], BAD_DATA),
        ("rms_norm without --normalized-ndim", ["rms_norm", good], K_ARG),
        ("rms_norm gamma and beta", ["rms_norm", "--normalized-ndim", "1", good, p4, p4], K_ARG),
        ("rms_norm gamma of the wrong shape", ["rms_norm", "--normalized-ndim", "1", good, p3], K_SHAPE),
        ("rms_norm --groups", ["rms_norm", "--normalized-ndim", "1", "--groups", "1", good], K_ARG),
        # batch_norm
        ("batch_norm without statistics", ["batch_norm", x4], K_ARG),
        ("batch_norm without var", ["batch_norm", x4, p4], K_ARG),
        ("batch_norm gamma without beta", ["batch_norm", x4, p4, p4, p4], K_ARG),
        ("batch_norm six files", ["batch_norm", x4, p4, p4, p4, p4, p4], K_ARG),
        ("batch_norm mean of the wrong shape", ["batch_norm", x4, p3, p4], K_SHAPE),
        ("batch_norm var of the wrong shape", ["batch_norm", x4, p4, p5], K_SHAPE),
        ("batch_norm beta of the wrong shape", ["batch_norm", x4, p4, p4, p4, p3], K_SHAPE),
        ("batch_norm of a 1-d input", ["batch_norm", p4, p4, p4], K_SHAPE),
        ("batch_norm --normalized-ndim", ["batch_norm", "--normalized-ndim", "1", x4, p4, p4], K_ARG),
        ("batch_norm --groups", ["batch_norm", "--groups", "2", x4, p4, p4], K_ARG),
        ("batch_norm --axis", ["batch_norm", "--axis", "1", x4, p4, p4], K_ARG),
        ("batch_norm missing var file", ["batch_norm", x4, p4, missing], NO_INPUT),
        ("batch_norm --save-mean without --training", ["batch_norm", "--save-mean", c.path("m"), x4, p4, p4], K_ARG),
        ("batch_norm --save-var without --training", ["batch_norm", "--save-var", c.path("v"), x4, p4, p4], K_ARG),
        ("batch_norm --training gamma without beta", ["batch_norm", "--training", x4, p4], K_ARG),
        ("batch_norm --training three files", ["batch_norm", "--training", x4, p4, p4, p4], K_ARG),
        ("batch_norm --training gamma of the wrong shape", ["batch_norm", "--training", x4, p3, p4], K_SHAPE),
        ("batch_norm --training one element per channel",
         ["batch_norm", "--training", c.save(np.ones((1, 4), np.float32))], K_SHAPE),
        ("batch_norm --mean", ["batch_norm", "--training", "--mean", c.path("m"), x4], K_ARG),
        ("layer_norm --training", ["layer_norm", "--normalized-ndim", "1", "--training", good], K_ARG),
        ("layer_norm --save-mean", ["layer_norm", "--normalized-ndim", "1", "--save-mean", c.path("m"), good], K_ARG),
        ("rms_norm --mean", ["rms_norm", "--normalized-ndim", "1", "--mean", c.path("m"), good], K_ARG),
        ("group_norm --rstd", ["group_norm", "--groups", "2", "--rstd", c.path("r"), x4], K_ARG),
        # group_norm
        ("group_norm without --groups", ["group_norm", x4], K_ARG),
        ("group_norm groups not dividing C", ["group_norm", "--groups", "3", x4], K_SHAPE),
        ("group_norm groups 0", ["group_norm", "--groups", "0", x4], K_ARG),
        ("group_norm groups -2", ["group_norm", "--groups=-2", x4], K_ARG),
        ("group_norm groups not a number", ["group_norm", "--groups", "two", x4], K_ARG),
        ("group_norm of a 1-d input", ["group_norm", "--groups", "1", p4], K_SHAPE),
        ("group_norm gamma without beta", ["group_norm", "--groups", "2", x4, p4], K_ARG),
        ("group_norm gamma of the wrong shape", ["group_norm", "--groups", "2", x4, p3, p3], K_SHAPE),
        ("group_norm --normalized-ndim", ["group_norm", "--groups", "2", "--normalized-ndim", "1", x4], K_ARG),
        ("group_norm unwritable output", ["group_norm", "--groups", "2", x4], NO_OUTPUT),
        # reductions take one file and none of the new options
        ("sum two files", ["sum", good, good], K_ARG),
        ("sum --axis", ["sum", "--axis", "1", good], K_ARG),
        ("sum --eps", ["sum", "--eps", "0.1", good], K_ARG),
        ("mean --groups", ["mean", "--groups", "1", good], K_ARG),
        ("max --normalized-ndim", ["max", "--normalized-ndim", "1", good], K_ARG),
        ("sum --training", ["sum", "--training", good], K_ARG),
        ("mean --rstd", ["mean", "--rstd", c.path("r"), good], K_ARG),
        ("softmax --select-last-index", ["softmax", "--axis", "1", "--select-last-index", good], K_ARG),
    ]
    for label, args, code in cases:
        expect_error(c, label, ["op"] + args, [code], make_output=code == NO_OUTPUT)


GROUPS = {"softmax": group_softmax, "norm": group_norm, "family_errors": group_family_errors}


if __name__ == "__main__":
    warnings.simplefilter("ignore", RuntimeWarning)
    sys.exit(test_op.main(GROUPS, __doc__.split("\n")[0]))
