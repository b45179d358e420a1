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

namespace vnpu::bench {

/// One sum: a 1-D tensor reduced over its only axis, or a row-major 2-D tensor reduced
/// over axis 0 (column sums) or axis 1 (row sums).
struct ReduceCase {
  DType dtype = DType::kF32;
  std::vector<std::int64_t> shape;
  int axis = 0;

  bool full() const { return shape.size() == 1; }
  /// 2-D view of the input: a 1-D tensor is one row.
  std::int64_t rows() const { return full() ? 1 : shape[0]; }
  std::int64_t cols() const { return shape.back(); }
  std::int64_t numel() const { return rows() * cols(); }
  /// Elements of the result: 1, cols (axis 0) or rows (axis 1).
  std::int64_t out_numel() const { return full() ? 1 : (axis == 0 ? cols() : rows()); }
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
  /// "sum/f32/[8192,8192]/axis0"
  std::string name() const {
    std::string s = "sum/";
    s += dtype_name(dtype);
    s += '/';
    s += shape_text();
    s += "/axis";
    s += std::to_string(axis);
    return s;
  }
};

/// The cases of issue 3: full sums of 64 Mi elements in f32, bf16 and f16, then four f32
/// matrices (square, short rows, short columns, one that fits the LLC) over each axis.
inline std::vector<ReduceCase> reduce_cases() {
  constexpr std::int64_t kLong = 67108864;  // 64 Mi elements: 256 MiB in f32
  std::vector<ReduceCase> cases;
  for (DType t : {DType::kF32, DType::kBF16, DType::kF16}) cases.push_back({t, {kLong}, 0});
  const std::vector<std::vector<std::int64_t>> matrices = {{8192, 8192}, {1048576, 16}, {16, 1048576}, {4096, 1024}};
  for (const auto& m : matrices) {
    for (int axis : {1, 0}) cases.push_back({DType::kF32, m, axis});
  }
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

/// Output `j` of case `c` over the input at `src`, summed in float64, and the sum of the
/// magnitudes of its terms (the scale of any rounding error).
struct ReferenceSum {
  double sum = 0.0;
  double magnitude = 0.0;
};
inline ReferenceSum reference_sum(const ReduceCase& c, const void* src, std::int64_t j) {
  ReferenceSum r;
  const bool columns = !c.full() && c.axis == 0;
  const std::int64_t n = c.full() ? c.numel() : (columns ? c.rows() : c.cols());
  for (std::int64_t i = 0; i < n; ++i) {
    const double v = input_element(c.dtype, src, columns ? i * c.cols() + j : j * c.cols() + i);
    r.sum += v;
    r.magnitude += std::abs(v);
  }
  return r;
}

/// Whether a computed f32 sum agrees with the reference. The bound (1e-6 of the sum of
/// magnitudes) catches wrong results (a wrong axis, a skipped block: the inputs have mean
/// 0, so leaving out 1% of a full sum moves it by ~3e-5 of the magnitude) and passes
/// the rounding of any sane f32 accumulation over up to 64 Mi terms.
inline bool close_to(const ReferenceSum& r, double got) {
  return std::abs(got - r.sum) <= 1e-6 * r.magnitude + 1e-6;
}

}  // namespace vnpu::bench
