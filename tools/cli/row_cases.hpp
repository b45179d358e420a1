// tools/cli/row_cases.hpp — the softmax and normalization cases of `vnpu bench softmax`
// and `vnpu bench norm` that peers can run too, their input data and float64 references,
// shared with the peer benchmark (bench/vnpu_norm_peers) so that both measure the same
// shapes and values.
//
// Every case works on the rows of a row-major [rows, cols] f32 matrix: softmax, layer_norm
// and rms_norm over the last axis. Header-only and free of CLI dependencies.
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

/// One op over the last axis of a [rows, cols] f32 matrix; layer_norm with gamma and beta,
/// rms_norm with gamma (eps 1e-5 and 1e-6, the operators' defaults).
struct RowCase {
  RowOp op = RowOp::kSoftmax;
  std::int64_t rows = 0;
  std::int64_t cols = 0;

  std::int64_t numel() const { return rows * cols; }
  /// Bytes moved by one call: the input read once and the output written once.
  std::size_t bytes() const { return 2 * static_cast<std::size_t>(numel()) * sizeof(float); }
  double eps() const { return op == RowOp::kRmsNorm ? 1e-6 : 1e-5; }
  /// "softmax/f32/[4096,1024]/axis1"
  std::string name() const {
    return std::string(row_op_name(op)) + "/f32/[" + std::to_string(rows) + "," + std::to_string(cols) + "]/axis1";
  }
};

/// Softmax over [4096,1024] (fits the LLC of large machines), [64,32768] (long rows),
/// [32768,128] (short rows) and [1,1024] (one small row: launch cost); layer_norm over
/// [4096,1024] and [16384,4096]; rms_norm over [16384,4096].
inline std::vector<RowCase> row_cases() {
  return {{RowOp::kSoftmax, 4096, 1024},   {RowOp::kSoftmax, 64, 32768},      {RowOp::kSoftmax, 32768, 128},
          {RowOp::kSoftmax, 1, 1024},      {RowOp::kLayerNorm, 4096, 1024},   {RowOp::kLayerNorm, 16384, 4096},
          {RowOp::kRmsNorm, 16384, 4096}};
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

inline void fill_row_input(const RowCase& c, float* x) {
  for (std::size_t i = 0; i < static_cast<std::size_t>(c.numel()); ++i) x[i] = row_input_value(c.op, i);
}
inline void fill_gamma_beta(std::int64_t cols, float* gamma, float* beta) {
  for (std::size_t j = 0; j < static_cast<std::size_t>(cols); ++j) {
    gamma[j] = gamma_value(j);
    beta[j] = beta_value(j);
  }
}

/// Row `r` of case `c`'s result in float64, from the input `x` (c.cols values).
inline std::vector<double> row_reference(const RowCase& c, const float* x) {
  const auto n = static_cast<std::size_t>(c.cols);
  std::vector<double> y(n);
  if (c.op == RowOp::kSoftmax) {
    double m = -INFINITY;
    for (std::size_t j = 0; j < n; ++j) m = std::fmax(m, x[j]);
    double s = 0.0;
    for (std::size_t j = 0; j < n; ++j) s += (y[j] = std::exp(x[j] - m));
    for (double& v : y) v /= s;
    return y;
  }
  double mean = 0.0, sq = 0.0;
  for (std::size_t j = 0; j < n; ++j) mean += x[j];
  mean /= static_cast<double>(n);
  for (std::size_t j = 0; j < n; ++j) {
    const double d = c.op == RowOp::kRmsNorm ? x[j] : x[j] - mean;
    sq += d * d;
  }
  const double rstd = 1.0 / std::sqrt(sq / static_cast<double>(n) + c.eps());
  for (std::size_t j = 0; j < n; ++j) {
    const double d = c.op == RowOp::kRmsNorm ? x[j] : x[j] - mean;
    y[j] = d * rstd * gamma_value(j) + (c.op == RowOp::kLayerNorm ? beta_value(j) : 0.0);
  }
  return y;
}

/// Index of the first element of row `row` of `got` (c.cols values) that is not within
/// f32 accuracy of the reference (1e-5 relative to the element for softmax, to max(1,
/// |element|) for the norms), or -1 when all are. Catches a wrong axis, a missing
/// scale or shift, a skipped row, and passes any sound f32 computation.
inline std::int64_t first_wrong(const RowCase& c, const float* x_row, const float* got) {
  const std::vector<double> want = row_reference(c, x_row);
  for (std::size_t j = 0; j < want.size(); ++j) {
    const double scale = c.op == RowOp::kSoftmax ? std::abs(want[j]) : std::fmax(1.0, std::abs(want[j]));
    if (!(std::abs(got[j] - want[j]) <= 1e-5 * scale)) return static_cast<std::int64_t>(j);
  }
  return -1;
}

}  // namespace vnpu::bench
