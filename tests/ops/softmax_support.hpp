// tests/ops/softmax_support.hpp — what the softmax suites share: a float64 reference
// along one axis of a strided view, the accuracy rule, input generators and a harness run.
//
// Accuracy rule (DESIGN.md): against the float64 reference, the mean relative error over
// all outputs is < T and the largest is < 10·T, with T = 2^-13 (f32), 2^-10 (f16), 2^-7
// (bf16). The reference reads exactly the values the operator reads (inputs are rounded
// to their dtype before either sees them).
//
// Relative error of one output: |got - ref| / max(|ref|, floor), with floor = 2^-100 for
// f32 and bf16, 2^-14 for f16 (the smallest normal f16). Outputs below it are subnormal in
// the output type, or come from arguments x - max below -87.3 whose exp flushes to 0
// (exp(-87.3) is the smallest normal f32): only their absolute error is meaningful. This
// holds log_softmax to a relative error near 0 too: the log_softmax of the largest element
// of a row it dominates is -ln(1 + t) ~ -t, which the reference (and the operator)
// compute as -log1p(t) from the sum t of the other terms.
// A NaN reference needs a NaN output, an infinite one the same infinity, a zero one
// (softmax of a -inf entry) an exact zero.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ops/reduce_support.hpp"
#include "vnpu/ops/softmax.hpp"

namespace vnpu::test {

/// How input values are drawn.
enum class SmFill : std::uint8_t {
  kUniform,  ///< uniform in [-8, 8)
  kLarge,    ///< 1000 ± 16: exp(x) overflows unless the maximum is subtracted
  kWide,     ///< uniform in [-120, 120): many outputs underflow
  kSpecial,  ///< uniform in [-8, 8) with NaNs of either sign (1 in 4000), +inf (1 in
             ///< 6000) and -inf (1 in 500) among them
};

/// One softmax run: op, dtype, shape and axis, strides of the input and output views
/// (empty: contiguous), and in place (the output is the input view).
struct SmSpec {
  bool log = false;
  DType dtype = DType::kF32;
  std::vector<std::int64_t> shape;
  int axis = -1;
  std::vector<std::int64_t> in_strides;
  std::vector<std::int64_t> out_strides;
  bool in_place = false;
  SmFill fill = SmFill::kUniform;
  std::uint64_t seed = 1;
};

std::string sm_describe(const SmSpec& c);

/// Host storage for the input of `c`, every storage element (gaps included) written with
/// values drawn as c.fill says, rounded to c.dtype.
HostInput sm_input(const SmSpec& c);

/// The float64 softmax (log_softmax) of `in` along `axis`, row-major over the shape.
std::vector<double> sm_reference(bool log, const View& in, int axis);

/// "" if `got` satisfies the rule above against `ref`, else the worst output.
std::string sm_compare(DType dtype, const std::vector<double>& ref, const std::vector<double>& got);

/// Runs `c` on h's stream (or, with `sync`, through the synchronous form on h's device's
/// memory) and checks the values, and that nothing outside the output view was written.
std::string run_sm_case(Harness& h, const SmSpec& c, bool sync = false);

/// Runs softmax (log) on a contiguous tensor of `shape` holding `values` (rounded to
/// `dt`) on h's stream; returns the status and the row-major output values.
struct SmOutcome {
  Status status = Status::kSuccess;
  std::string message;
  std::vector<double> values;
};
SmOutcome run_sm_values(Harness& h, bool log, DType dt, const std::vector<double>& values,
                        std::vector<std::int64_t> shape, int axis = -1);

/// The raw output bytes of `c` run on h's stream (for bitwise comparisons).
std::vector<unsigned char> sm_output_bytes(Harness& h, const SmSpec& c);

}  // namespace vnpu::test
