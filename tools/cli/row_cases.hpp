// tools/cli/row_cases.hpp — the softmax and normalization cases of `vnpu bench softmax`
// and `vnpu bench norm` that peers can run too, their input data and float64 references,
// shared with the peer benchmark (bench/vnpu_norm_peers) so that both measure the same
// shapes and values.
//
// The norms work on the rows of a row-major [rows, cols] f32 matrix; softmax also along
// other axes and in f16 and bf16. Header-only and free of CLI dependencies.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "reduce_cases.hpp"

namespace vnpu::bench {

enum class RowOp { kSoftmax, kLayerNorm, kRmsNorm };

inline const char* row_op_name(RowOp op) {
  switch (op) {
    case RowOp::kSoftmax: return "softmax";
    case RowOp::kLayerNorm: return "layer_norm";
    case RowOp::kRmsNorm: return "rms_norm";
  }
  return "?";
}

/// One op along one axis of a row-major tensor: softmax along any axis, in f32, f16 or
/// bf16 (written in the input's dtype); layer_norm with gamma and beta and rms_norm with
/// gamma (eps 1e-5 and 1e-6, the operators' defaults) over the last axis of an f32
/// matrix. The op works on rows() independent vectors of cols() elements each: element k
/// of vector r is at index(r, k).
struct RowCase {
  RowOp op = RowOp::kSoftmax;
  std::vector<std::int64_t> shape;
  int axis = 1;
  DType dtype = DType::kF32;

  /// The dimensions before the axis, the axis, the dimensions after it.
  std::int64_t outer() const { return product(0, static_cast<std::size_t>(axis)); }
  std::int64_t inner() const { return product(static_cast<std::size_t>(axis) + 1, shape.size()); }
  std::int64_t rows() const { return outer() * inner(); }
  std::int64_t cols() const { return shape[static_cast<std::size_t>(axis)]; }
  std::int64_t numel() const { return product(0, shape.size()); }
  std::int64_t index(std::int64_t r, std::int64_t k) const {
    const std::int64_t n = inner();
    return ((r / n) * cols() + k) * n + r % n;
  }
  /// A [rows, cols] f32 matrix over its last axis: the cases every peer runs.
  bool plain() const { return shape.size() == 2 && axis == 1 && dtype == DType::kF32; }
  /// Bytes moved by one call: the input read once and the output written once.
  std::size_t bytes() const { return 2 * static_cast<std::size_t>(numel()) * dtype_size(dtype); }
  double eps() const { return op == RowOp::kRmsNorm ? 1e-6 : 1e-5; }
  /// "softmax/f32/[4096,1024]/axis1"
  std::string name() const {
    std::string s = row_op_name(op);
    s += '/';
    s += dtype_name(dtype);
    s += "/[";
    for (std::size_t i = 0; i < shape.size(); ++i) {
      if (i > 0) s += ',';
      s += std::to_string(shape[i]);
    }
    s += "]/axis";
    s += std::to_string(axis);
    return s;
  }

 private:
  std::int64_t product(std::size_t from, std::size_t to) const {
    std::int64_t n = 1;
    for (std::size_t d = from; d < to; ++d) n *= shape[d];
    return n;
  }
};

/// Softmax over [4096,1024] (fits the LLC of large machines), [64,32768] (long rows),
/// [32768,128] (short rows) and [1,1024] (one small row: launch cost); layer_norm over
/// [4096,1024] and [16384,4096]; rms_norm over [16384,4096]. Then issue 24's softmax
/// cases: down the columns of [8192,8192], along the middle axis of [64,1024,1024] (an
/// attention score tensor's head axis), and along the rows of [8192,8192] in f32 (the
/// last axis of the same tensors, for the off-axis ratio), bf16 and f16.
inline std::vector<RowCase> row_cases() {
  return {{RowOp::kSoftmax, {4096, 1024}},
          {RowOp::kSoftmax, {64, 32768}},
          {RowOp::kSoftmax, {32768, 128}},
          {RowOp::kSoftmax, {1, 1024}},
          {RowOp::kLayerNorm, {4096, 1024}},
          {RowOp::kLayerNorm, {16384, 4096}},
          {RowOp::kRmsNorm, {16384, 4096}},
          {RowOp::kSoftmax, {8192, 8192}, 0},
          {RowOp::kSoftmax, {64, 1024, 1024}, 1},
          {RowOp::kSoftmax, {8192, 8192}, 1},
          {RowOp::kSoftmax, {8192, 8192}, 1, DType::kBF16},
          {RowOp::kSoftmax, {8192, 8192}, 1, DType::kF16}};
}

inline constexpr std::uint64_t kRowSeed = 20261121;

/// Input element i: 4 * uniform[-1, 1) for softmax (exponents over a range of e^8), 1 + 2 *
/// uniform[-1, 1) for the norms (a mean away from 0).
inline float row_input_value(RowOp op, std::uint64_t i) {
  const float u = reduce_input_value(kRowSeed, i);
  return op == RowOp::kSoftmax ? 4.0f * u : 1.0f + 2.0f * u;
}
/// gamma[j] in [0.5, 1.5) and beta[j] in [-0.5, 0.5).
inline float gamma_value(std::uint64_t j) { return 1.0f + 0.5f * reduce_input_value(kRowSeed + 1, j); }
inline float beta_value(std::uint64_t j) { return 0.5f * reduce_input_value(kRowSeed + 2, j); }

/// Fills case c's input at `x` (c.numel() elements of c.dtype, rounded to nearest even
/// for f16 and bf16).
inline void fill_row_input(const RowCase& c, void* x) {
  for (std::size_t i = 0; i < static_cast<std::size_t>(c.numel()); ++i) {
    const float v = row_input_value(c.op, i);
    switch (c.dtype) {
      case DType::kF16: static_cast<std::uint16_t*>(x)[i] = f32_to_f16(v); break;
      case DType::kBF16: static_cast<std::uint16_t*>(x)[i] = f32_to_bf16(v); break;
      default: static_cast<float*>(x)[i] = v; break;
    }
  }
}
inline void fill_gamma_beta(std::int64_t cols, float* gamma, float* beta) {
  for (std::size_t j = 0; j < static_cast<std::size_t>(cols); ++j) {
    gamma[j] = gamma_value(j);
    beta[j] = beta_value(j);
  }
}

/// Vector `r` of case `c`'s result in float64 (c.cols() values), from the whole input `x`
/// (c.dtype elements, widened as the op reads them).
inline std::vector<double> row_reference(const RowCase& c, const void* x, std::int64_t r) {
  const auto n = static_cast<std::size_t>(c.cols());
  std::vector<double> in(n), y(n);
  for (std::size_t j = 0; j < n; ++j) in[j] = input_element(c.dtype, x, c.index(r, static_cast<std::int64_t>(j)));
  if (c.op == RowOp::kSoftmax) {
    double m = -INFINITY;
    for (std::size_t j = 0; j < n; ++j) m = std::fmax(m, in[j]);
    double s = 0.0;
    for (std::size_t j = 0; j < n; ++j) s += (y[j] = std::exp(in[j] - m));
    for (double& v : y) v /= s;
    return y;
  }
  double mean = 0.0, sq = 0.0;
  for (std::size_t j = 0; j < n; ++j) mean += in[j];
  mean /= static_cast<double>(n);
  for (std::size_t j = 0; j < n; ++j) {
    const double d = c.op == RowOp::kRmsNorm ? in[j] : in[j] - mean;
    sq += d * d;
  }
  const double rstd = 1.0 / std::sqrt(sq / static_cast<double>(n) + c.eps());
  for (std::size_t j = 0; j < n; ++j) {
    const double d = c.op == RowOp::kRmsNorm ? in[j] : in[j] - mean;
    y[j] = d * rstd * gamma_value(j) + (c.op == RowOp::kLayerNorm ? beta_value(j) : 0.0);
  }
  return y;
}

/// Index (along the axis) of the first element of vector `r` of the result `y` (the whole
/// output, c.dtype) that is not within the accuracy of c.dtype of the reference, or -1
/// when all are. f32: 1e-5 relative to the element for softmax, to max(1, |element|) for
/// the norms; bf16 and f16 outputs are rounded once more, to 8 and 11 significant bits:
/// 8e-3 and 2e-3 relative (f16 also 6e-8 absolute: the smallest softmax values are
/// subnormal there). Catches a wrong axis, a missing scale or shift, a skipped row, and
/// passes any sound computation.
inline std::int64_t first_wrong(const RowCase& c, const void* x, const void* y, std::int64_t r) {
  const std::vector<double> want = row_reference(c, x, r);
  const double rel = c.dtype == DType::kBF16 ? 8e-3 : c.dtype == DType::kF16 ? 2e-3 : 1e-5;
  const double abs = c.dtype == DType::kF16 ? 6e-8 : 0.0;
  for (std::size_t j = 0; j < want.size(); ++j) {
    const double got = input_element(c.dtype, y, c.index(r, static_cast<std::int64_t>(j)));
    const double scale = c.op == RowOp::kSoftmax ? std::abs(want[j]) : std::fmax(1.0, std::abs(want[j]));
    if (!(std::abs(got - want[j]) <= rel * scale + abs)) return static_cast<std::int64_t>(j);
  }
  return -1;
}

}  // namespace vnpu::bench
