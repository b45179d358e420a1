// tools/cli/reduce_cases.hpp — the cases of `vnpu bench reduce` and their input data,
// shared with the peer benchmark (bench/vnpu_reduce_peers) so that both measure the same
// shapes, axes, dtypes and values.
//
// Header-only and free of CLI dependencies: the peers binary includes it as it is.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "vnpu/dtype.hpp"
#include "vnpu/ops/reduce.hpp"

namespace vnpu::bench {

/// One reduction: `op` over the axes `axes` (ascending) of a row-major tensor of `shape`.
/// The first cases (issue 3) are sums of a 1-D tensor over its only axis, or of a 2-D one
/// over axis 0 (column sums) or axis 1 (row sums); the later ones reduce N-D tensors over
/// several axes, and compute max, var (correction 1, vnpu's default) and logsumexp.
struct ReduceCase {
  ops::ReduceOp op = ops::ReduceOp::kSum;
  DType dtype = DType::kF32;
  std::vector<std::int64_t> shape;
  std::vector<int> axes;

  bool full() const { return shape.size() == 1; }
  /// A sum over one axis of a tensor of rank 1 or 2: what the hand-written peers run.
  bool plain_sum() const { return op == ops::ReduceOp::kSum && shape.size() <= 2 && axes.size() == 1; }
  /// The only axis of a single-axis case.
  int axis() const { return axes.front(); }
  /// 2-D view of the input of a plain_sum() case: a 1-D tensor is one row.
  std::int64_t rows() const { return full() ? 1 : shape[0]; }
  std::int64_t cols() const { return shape.back(); }
  bool reduced(std::size_t d) const {
    for (int a : axes) {
      if (static_cast<std::size_t>(a) == d) return true;
    }
    return false;
  }
  std::int64_t numel() const {
    std::int64_t n = 1;
    for (std::int64_t d : shape) n *= d;
    return n;
  }
  /// Elements of the result: the product of the kept dimensions.
  std::int64_t out_numel() const {
    std::int64_t n = 1;
    for (std::size_t d = 0; d < shape.size(); ++d) n *= reduced(d) ? 1 : shape[d];
    return n;
  }
  std::size_t bytes() const { return static_cast<std::size_t>(numel()) * dtype_size(dtype); }

  /// "[8192,8192]"
  std::string shape_text() const {
    std::string s = "[";
    for (std::size_t i = 0; i < shape.size(); ++i) {
      if (i > 0) s += ',';
      s += std::to_string(shape[i]);
    }
    s += ']';
    return s;
  }
  /// "sum/f32/[8192,8192]/axis0", "sum/f32/[64,256,56,56]/axes0,2,3"
  std::string name() const {
    std::string s = ops::reduce_op_name(op);
    s += '/';
    s += dtype_name(dtype);
    s += '/';
    s += shape_text();
    s += axes.size() == 1 ? "/axis" : "/axes";
    for (std::size_t i = 0; i < axes.size(); ++i) {
      if (i > 0) s += ',';
      s += std::to_string(axes[i]);
    }
    return s;
  }
};

/// The cases of issue 3: full sums of 64 Mi elements in f32, bf16 and f16, then four f32
/// matrices (square, short rows, short columns, one that fits the LLC) over each axis.
/// Then issue 24's: the NCHW sums of a batch norm's statistics ([64,256,56,56] over N, H
/// and W in f32, bf16 and f16; over C and W, two axes apart), [64,64,128,128] over N and
/// H, and var and max down the columns and logsumexp along the rows of [8192,8192].
inline std::vector<ReduceCase> reduce_cases() {
  using ops::ReduceOp;
  constexpr std::int64_t kLong = 67108864;  // 64 Mi elements: 256 MiB in f32
  std::vector<ReduceCase> cases;
  for (DType t : {DType::kF32, DType::kBF16, DType::kF16}) cases.push_back({ReduceOp::kSum, t, {kLong}, {0}});
  const std::vector<std::vector<std::int64_t>> matrices = {{8192, 8192}, {1048576, 16}, {16, 1048576}, {4096, 1024}};
  for (const auto& m : matrices) {
    for (int axis : {1, 0}) cases.push_back({ReduceOp::kSum, DType::kF32, m, {axis}});
  }
  const std::vector<std::int64_t> nchw = {64, 256, 56, 56};  // 51 Mi elements
  for (DType t : {DType::kF32, DType::kBF16, DType::kF16}) cases.push_back({ReduceOp::kSum, t, nchw, {0, 2, 3}});
  cases.push_back({ReduceOp::kSum, DType::kF32, {64, 64, 128, 128}, {0, 2}});
  cases.push_back({ReduceOp::kSum, DType::kF32, nchw, {1, 3}});
  cases.push_back({ReduceOp::kVar, DType::kF32, {8192, 8192}, {0}});
  cases.push_back({ReduceOp::kMax, DType::kF32, {8192, 8192}, {0}});
  cases.push_back({ReduceOp::kLogSumExp, DType::kF32, {8192, 8192}, {1}});
  return cases;
}

/// The largest input of reduce_cases(), in elements: every case reads a prefix of one
/// buffer of this many elements per dtype.
inline constexpr std::int64_t kReduceMaxElements = 67108864;
/// The largest output, in elements ([16,1048576] over axis 0).
inline constexpr std::int64_t kReduceMaxOutElements = 1048576;

/// Element i of the benchmark input: uniform in [-1, 1), a pure function of (seed, i)
/// (splitmix64), so any program regenerates the same values in any order.
inline float reduce_input_value(std::uint64_t seed, std::uint64_t i) {
  std::uint64_t z = seed + (i + 1) * 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  return static_cast<float>(static_cast<std::int64_t>(z >> 40) - (1 << 23)) * 0x1p-23f;
}

inline constexpr std::uint64_t kReduceSeed = 20260301;

/// Fills `n` elements of type `dtype` at `dst` with reduce_input_value(kReduceSeed, i),
/// rounded to nearest even for f16 and bf16.
inline void fill_reduce_input(void* dst, DType dtype, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    const float v = reduce_input_value(kReduceSeed, i);
    switch (dtype) {
      case DType::kF16: static_cast<std::uint16_t*>(dst)[i] = f32_to_f16(v); break;
      case DType::kBF16: static_cast<std::uint16_t*>(dst)[i] = f32_to_bf16(v); break;
      default: static_cast<float*>(dst)[i] = v; break;
    }
  }
}

/// Element i of an input of `dtype`, widened to double.
inline double input_element(DType dtype, const void* src, std::int64_t i) {
  const auto k = static_cast<std::size_t>(i);
  switch (dtype) {
    case DType::kF16: return f16_to_f32(static_cast<const std::uint16_t*>(src)[k]);
    case DType::kBF16: return bf16_to_f32(static_cast<const std::uint16_t*>(src)[k]);
    default: return static_cast<const float*>(src)[k];
  }
}

/// Calls f(i) for the flat index i of every input element that output `j` of case `c`
/// reduces, in row-major order.
template <class F>
void for_each_reduced(const ReduceCase& c, std::int64_t j, F&& f) {
  const std::size_t rank = c.shape.size();
  std::vector<std::int64_t> stride(rank, 1);
  for (std::size_t d = rank; d-- > 1;) stride[d - 1] = stride[d] * c.shape[d];
  // The kept coordinates come from j (row-major over the kept dimensions); the first
  // element's flat index is their offset, and the reduced coordinates count from there.
  std::int64_t base = 0;
  for (std::size_t d = rank; d-- > 0;) {
    if (c.reduced(d)) continue;
    base += (j % c.shape[d]) * stride[d];
    j /= c.shape[d];
  }
  // An odometer over the reduced dimensions but the last; the last dimension, when
  // reduced, is one contiguous run.
  const std::size_t last = rank - 1;
  const std::int64_t run = c.reduced(last) ? c.shape[last] : 1;
  std::vector<std::int64_t> at(rank, 0);
  for (;;) {
    std::int64_t i = base;
    for (std::size_t d = 0; d < last; ++d) i += at[d] * stride[d];
    for (std::int64_t k = 0; k < run; ++k) f(i + k);
    std::size_t d = last;
    while (d-- > 0) {
      if (!c.reduced(d)) continue;
      if (++at[d] < c.shape[d]) break;
      at[d] = 0;
    }
    if (d == static_cast<std::size_t>(-1)) return;
  }
}

/// Output `j` of case `c` over the input at `src`, computed in float64, and the scale of
/// any rounding error: for sums the sum of the magnitudes of the terms, else the result's
/// magnitude.
struct ReferenceValue {
  double value = 0.0;
  double magnitude = 0.0;
};
inline ReferenceValue reference_value(const ReduceCase& c, const void* src, std::int64_t j) {
  ReferenceValue r;
  double sum = 0.0, max = -INFINITY;
  std::int64_t n = 0;
  for_each_reduced(c, j, [&](std::int64_t i) {
    const double v = input_element(c.dtype, src, i);
    sum += v;
    r.magnitude += std::abs(v);
    max = std::fmax(max, v);
    ++n;
  });
  switch (c.op) {
    case ops::ReduceOp::kMax: r.value = max; break;
    case ops::ReduceOp::kVar: {
      const double mean = sum / static_cast<double>(n);
      double sq = 0.0;
      for_each_reduced(c, j, [&](std::int64_t i) {
        const double d = input_element(c.dtype, src, i) - mean;
        sq += d * d;
      });
      r.value = sq / static_cast<double>(n - 1);
      break;
    }
    case ops::ReduceOp::kLogSumExp: {
      double e = 0.0;
      for_each_reduced(c, j, [&](std::int64_t i) { e += std::exp(input_element(c.dtype, src, i) - max); });
      r.value = max + std::log(e);
      break;
    }
    default: r.value = sum; break;
  }
  if (c.op != ops::ReduceOp::kSum) r.magnitude = std::abs(r.value);
  return r;
}

/// Whether a computed f32 result of case `c` agrees with the reference. For sums the
/// bound (1e-6 of the sum of magnitudes) catches wrong results (a wrong axis, a skipped
/// block: the inputs have mean 0, so leaving out 1% of a full sum moves it by ~3e-5 of the
/// magnitude) and passes the rounding of any sane f32 accumulation over up to 64 Mi terms.
/// A maximum is exact; var and logsumexp are within 1e-5 of their value (f32 rounding of
/// a two-pass or a rescaled sum of 8192 terms stays far below that; a wrong axis or a
/// missing term does not).
inline bool close_to(const ReduceCase& c, const ReferenceValue& r, double got) {
  switch (c.op) {
    case ops::ReduceOp::kSum: return std::abs(got - r.value) <= 1e-6 * r.magnitude + 1e-6;
    case ops::ReduceOp::kMax: return got == static_cast<float>(r.value);
    default: return std::abs(got - r.value) <= 1e-5 * r.magnitude + 1e-6;
  }
}

}  // namespace vnpu::bench
