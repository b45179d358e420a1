// tests/ops/norm_support.hpp — what the normalization suites share: a float64 reference
// of layer_norm, rms_norm, batch_norm and group_norm written as plain loops, and a harness
// that runs one case on a device and checks every output against it.
//
// Accuracy rule (DESIGN.md): mean relative error < T and max < 10·T over each output
// tensor, T = 2^-13 (f32), 2^-10 (f16), 2^-7 (bf16). T is that of the coarsest dtype
// involved in the output (x's dtype for y; for a statistic, the coarser of x's and its own
// dtype). The reference reads exactly the values the operator reads (every input is
// rounded to its dtype before either sees it).
//
// Relative error of one value: |got - ref| / max(|ref|, floor). The floor covers values
// near zero, where the rounding of the inputs (not the algorithm) limits what any
// implementation can reach:
//   y (layer, batch, group)  (|gamma| + |beta|) / 16 of the element's parameters (gamma
//                            absent: 1, beta absent: 0) — a normalized value near 0;
//   y (rms)                  0 (x · rstd · gamma is a product: plain relative error);
//   mean, running_mean       sqrt(mean(x²)) / 16 of the group (plus |old| / 16 for the
//                            running mean);
//   rstd, running_var        0.
// A NaN reference needs a NaN result, an infinite one the same infinity.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ops/reduce_support.hpp"
#include "vnpu/ops/norm.hpp"

namespace vnpu::test {

enum class NormOp { kLayer, kRms, kBatch, kGroup };

const char* norm_label(NormOp op);

struct NormCase {
  NormOp op = NormOp::kLayer;
  DType dtype = DType::kF32;
  std::vector<std::int64_t> shape;
  std::vector<std::int64_t> strides;  ///< of x and y (separate storage); empty: contiguous
  bool in_place = false;              ///< y is x
  int normalized_ndim = 1;            ///< layer, rms
  int groups = 1;                     ///< group norm
  bool training = false;              ///< batch norm
  double eps = 1e-5;
  double momentum = 0.1;
  std::optional<DType> gamma, beta;   ///< present with this dtype
  std::optional<DType> stats;         ///< mean/rstd (layer, group), rstd (rms), save_* (batch training)
  std::optional<DType> running;       ///< batch norm running_mean/running_var
  double offset = 0.0;                ///< x = offset + scale · u, u uniform in [-2, 2)
  bool specials = false;              ///< also NaN of either sign and ±inf (1 in 3000 each)
  double scale = 1.0;
  std::uint64_t seed = 1;
  bool sync_form = false;             ///< the synchronous entry point instead of stream + sync
};

std::string describe(const NormCase& c);

/// Runs `c` on `h` and checks y, the statistics outputs, the running stats and that no
/// byte outside the outputs changed. "" on success, else what went wrong.
std::string run_norm_case(Harness& h, const NormCase& c);

/// Runs `c` and returns the raw bytes of y followed by every statistics/running output
/// (for bitwise comparisons). Fails the test on an error status.
std::vector<unsigned char> run_norm_bytes(Harness& h, const NormCase& c);

}  // namespace vnpu::test
