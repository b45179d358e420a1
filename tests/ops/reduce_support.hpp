// tests/ops/reduce_support.hpp — what the reduction suites share: a float64 reference
// written as plain loops over a strided index space, the tolerance rule, input
// generators, and a harness that runs one reduction on a device and checks it.
//
// Accuracy rule (DESIGN.md): against the float64 reference, the mean relative error over
// the outputs is < T and the largest is < 10·T, with T = 2^-13 for f32, 2^-10 for f16 and
// 2^-7 for bf16 inputs. The reference reads exactly the values the operator reads (inputs
// are rounded to their dtype with vnpu/dtype.hpp before either sees them).
//
// Relative error of one output: |got - ref| / max(|ref|, floor). The floor only matters
// where the exact result is near zero compared with the data that produced it, where no
// floating-point algorithm can promise a relative error; it is a fixed fraction of the
// magnitude of the terms:
//   sum  Σ|x| / 16        mean  mean(|x|) / 16        logsumexp, log_sum  1 (an absolute error)
//   var  mean(x²) / 256   std   sqrt(mean(x²)) / 16   others     0 (plain relative error)
// max, min, argmax, argmin, all, any and every i32 result must be exact. A NaN reference
// needs a NaN result, an infinite one the same infinity.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "support/test_support.hpp"
#include "vnpu/dtype.hpp"
#include "vnpu/ops/reduce.hpp"
#include "vnpu/platform.hpp"
#include "vnpu/tensor.hpp"

namespace vnpu::test {

using ops::ReduceOp;

inline constexpr ReduceOp kAllReduceOps[] = {
    ReduceOp::kSum, ReduceOp::kMean,      ReduceOp::kMax, ReduceOp::kMin,    ReduceOp::kProd,
    ReduceOp::kSumSquares, ReduceOp::kL1, ReduceOp::kL2,  ReduceOp::kLogSumExp, ReduceOp::kVar,
    ReduceOp::kStd, ReduceOp::kArgMax,    ReduceOp::kArgMin, ReduceOp::kAll, ReduceOp::kAny,
    ReduceOp::kLogSum,
};

/// Test-side name of an op (independent of the library's reduce_op_name).
const char* op_label(ReduceOp op);
/// Whether reduce.hpp documents `op` for input dtype `in`.
bool op_supports(ReduceOp op, DType in);
/// The output dtype reduce.hpp documents: i64 for argmax/argmin, bool for all/any, else
/// the input dtype.
DType natural_out_dtype(ReduceOp op, DType in);
bool is_arg_op(ReduceOp op);
/// Ops whose result must be exact (an element of the input, an index or a truth value).
bool is_exact_op(ReduceOp op, DType in);
/// T of the accuracy rule for the input dtype.
double tolerance(DType in);

/// Element `offset` (in elements, may be negative) of `base`, as a double.
double load_element(const void* base, DType dt, std::int64_t offset);
/// Stores `v` rounded to `dt` (f16/bf16 through vnpu/dtype.hpp, nearest even).
void store_element(void* base, DType dt, std::int64_t offset, double v);

/// splitmix64: small, fast and the same on every platform.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : s_(seed) {}
  std::uint64_t next();
  /// Uniform in [lo, hi).
  double uniform(double lo, double hi);
  bool chance(double p) { return uniform(0.0, 1.0) < p; }

 private:
  std::uint64_t s_;
};

/// Axes of a case: nullopt means Axes::all().
using AxisList = std::optional<std::vector<int>>;
ops::Axes to_axes(const AxisList& axes);
/// Which dims an axis list reduces (nullopt: all). Axes must be valid.
std::vector<bool> reduce_mask(int rank, const AxisList& axes);
std::vector<std::int64_t> expected_out_shape(std::span<const std::int64_t> shape, const std::vector<bool>& mask,
                                             bool keep_dims);
std::int64_t product(std::span<const std::int64_t> dims);
std::vector<std::int64_t> contiguous_strides(std::span<const std::int64_t> shape);

std::string shape_str(std::span<const std::int64_t> dims);
std::string axes_str(const AxisList& axes);

/// A strided view over host memory.
struct View {
  const void* data = nullptr;  ///< element [0, ..., 0]
  DType dtype = DType::kF32;
  std::vector<std::int64_t> shape;
  std::vector<std::int64_t> strides;  ///< elements
};

struct Reference {
  std::vector<double> value;        ///< per output, row-major over the kept axes
  std::vector<double> floor;        ///< error floor per output (see the file comment)
  std::int64_t reduced = 0;         ///< elements reduced into each output
};

/// The float64 reference of `op` over the dims marked in `mask`. argmax/argmin give the
/// index (row-major over the reduced dims, i.e. the flat index when all are reduced) as a
/// double; all/any give 0 or 1; i32 sum/prod wrap modulo 2^32. last_index: argmax/argmin
/// ties give the last index (a NaN still wins at its first index).
Reference reduce_reference(ReduceOp op, const View& in, const std::vector<bool>& mask, double correction = 1.0,
                           bool last_index = false);

/// Values of a strided output view, row-major. Bool bytes other than 0/1 come back as
/// their byte value so they fail the comparison.
std::vector<double> read_view(const View& v);

/// "" if `got` satisfies the accuracy rule (or exactness) against `ref`, else a
/// description of the worst output.
std::string compare(ReduceOp op, DType in_dtype, const Reference& ref, const std::vector<double>& got);

/// Host storage for a (possibly strided) input view: `storage` elements, element
/// [0, ..., 0] at index `origin`.
struct HostInput {
  DType dtype = DType::kF32;
  std::vector<std::int64_t> shape, strides;
  std::vector<unsigned char> bytes;
  std::int64_t origin = 0;
  std::int64_t storage = 0;
  View view() const;
};

/// Input of `shape` with `strides` (empty: contiguous) filled with values suited to `op`
/// (see reduce_support.cpp: positive-leaning data for sums, a narrow band around 1 for
/// products sized by `reduce_len`, sparse zeros for all/any, full-range integers for i32
/// sums so they wrap). Every storage element is written, gaps included.
HostInput make_input(ReduceOp op, DType dt, std::span<const std::int64_t> shape, std::span<const std::int64_t> strides,
                     std::int64_t reduce_len, std::uint64_t seed);

/// A device with `cores` compute cores and 1 GiB of memory, a stream on it, and the
/// allocations made through it (freed at the end).
class Harness {
 public:
  explicit Harness(int cores = 2);
  ~Harness();
  Harness(const Harness&) = delete;
  Harness& operator=(const Harness&) = delete;

  Device& device() { return dev_; }
  Stream& stream() { return stream_; }
  /// A device copy of `bytes` host bytes (at least 64 bytes are allocated).
  void* upload(const void* host, std::size_t bytes);
  /// A device allocation of `bytes` (at least 64) filled with `fill`.
  void* alloc(std::size_t bytes, int fill = 0xCD);
  std::vector<unsigned char> download(const void* dev, std::size_t bytes);
  void release(void* p);

 private:
  Device dev_;
  Stream stream_;
  std::vector<void*> owned_;
};

/// One reduction to run and check.
struct CaseSpec {
  ReduceOp op = ReduceOp::kSum;
  DType dtype = DType::kF32;
  std::vector<std::int64_t> shape;
  std::vector<std::int64_t> strides;      ///< empty: contiguous input
  AxisList axes;
  bool keep_dims = false;
  double correction = 1.0;
  bool select_last_index = false;
  std::optional<DType> out_dtype;          ///< default: natural_out_dtype
  std::vector<std::int64_t> out_strides;  ///< empty: contiguous output
  std::uint64_t seed = 1;
};

std::string describe(const CaseSpec& c);

/// Runs `c` on `h`'s stream (asynchronous form + synchronize) and checks the result, the
/// output shape reported by reduce_output_shape, and that nothing outside the output view
/// was written. Returns "" on success, else what went wrong. An f16 output whose
/// reference exceeds the f16 range, or falls below its normal range, is switched to f32
/// (overflow to inf and underflow to a subnormal or zero are correct but not what the
/// case is about).
std::string run_case(Harness& h, const CaseSpec& c);

/// The outcome of one reduction run on explicit values.
struct Outcome {
  Status status = Status::kSuccess;  ///< of reduce_output_shape, reduce or synchronize
  std::string message;               ///< last_error_message() on failure
  std::vector<std::int64_t> shape;   ///< output shape (from reduce_output_shape)
  std::vector<double> values;        ///< row-major output values
};

/// Runs `op` on a contiguous tensor of `shape` holding `values` (rounded to `dt`) on
/// `h`'s stream, writing an output of `out_dtype` (default: natural_out_dtype). For
/// hand-written cases with known answers.
Outcome run_values(Harness& h, ReduceOp op, DType dt, const std::vector<double>& values,
                   std::vector<std::int64_t> shape, const ops::ReduceOptions& opts = {},
                   std::optional<DType> out_dtype = std::nullopt);

/// Every ISA this build has kernels for on this machine, best first (available_isas()).
std::vector<std::string> isas();

/// Restricts the operators to one ISA for the scope, then restores "native".
class ScopedIsa {
 public:
  explicit ScopedIsa(const std::string& isa);
  ~ScopedIsa();
  ScopedIsa(const ScopedIsa&) = delete;
  ScopedIsa& operator=(const ScopedIsa&) = delete;
  bool ok() const { return ok_; }

 private:
  bool ok_ = false;
};

}  // namespace vnpu::test
