// vnpu/ops/reduce.hpp — reductions over any set of axes.
//
//     vnpu::Tensor x(xp, vnpu::DType::kF32, {8192, 8192});
//     vnpu::Tensor y(yp, vnpu::DType::kF32, {8192});
//     vnpu::check(vnpu::ops::reduce(stream, vnpu::ops::ReduceOp::kSum, x, y, {.axes = {0}}));
//     vnpu::check(stream.synchronize());
//
// The asynchronous form queues one kernel on `stream` and returns: like any kernel, it
// reads `in` and writes `out` when the stream reaches it, so both must stay valid until
// then. The synchronous form behaves as if queued on the default stream of `in`'s device
// (device 0 for memory vnpu did not allocate) and waited for: it first waits for the work
// already on that stream, then the calling thread reduces one block's share itself while
// the device's other cores take the rest, so nothing sleeps on the critical path (small
// inputs never leave the calling thread).
//
// Semantics:
// - axes may be negative (counted from the end); a repeated or out-of-range axis is
//   kInvalidShape. Axes::all() (the default) reduces every axis; an explicitly empty list
//   reduces none, copying the input (with the op's element-wise part applied: l1 gives
//   |x|, sum_sq x², var 0 or NaN ...).
// - keep_dims keeps reduced axes as size 1; otherwise they are removed (a full reduction
//   gives a rank-0 tensor).
// - Empty reductions: sum, sum_sq, l1 and l2 +0.0 (never -0.0, as NumPy and ONNX), prod 1,
//   max -inf, min +inf (i32: INT32_MIN, INT32_MAX), mean NaN, var/std NaN, logsumexp and
//   log_sum -inf, all true, any false; argmax/argmin of an empty axis is kInvalidShape.
//   A non-empty sum keeps IEEE's sign: a sum of only -0.0 elements is -0.0 (NumPy, which
//   starts its sums from +0.0, gives +0.0 there).
// - NaN propagates through max/min and every sum (an inf - inf along the way is NaN, so
//   var/std of data holding an inf are NaN); argmax/argmin return the index of the first
//   NaN (also with select_last_index); ties give the first index, or the last one with
//   select_last_index (ONNX's attribute). var/std divide by n - correction, NaN when
//   n <= correction. var/std are exact up to rounding for any finite f32 data: squared
//   deviations too large for f32 are accumulated in f64, so the result is +inf only when
//   it does not fit in the output dtype (std of data spread 1e30 is about 1e30).
// - log_sum is log(sum(x)) (ONNX ReduceLogSum): NaN when the sum is negative, -inf when
//   it is zero.
// - argmax/argmin take one axis, or all axes (giving the flat row-major index, as NumPy
//   does); any other set of several axes is kInvalidShape.
// - f16 and bf16 accumulate in f32 (and partials in f64); f64 inputs compute in f64
//   throughout; i32 sums and products wrap modulo 2^32 as on the accelerator.
//
// Types: float inputs (f32, f16, bf16, f64) for every op; i32 inputs for sum, prod, max,
// min, argmax, argmin, all, any (not log_sum). The output dtype is the input dtype, or f32
// for f16, bf16 and f64 inputs; argmax/argmin write i64; all/any write bool. `out` may be
// a strided view; its shape must equal reduce_output_shape().
//
// Determinism: the result is bitwise identical for any number of compute cores, any
// device configuration and every run: the input is cut into chunks whose size depends only
// on the shape, each chunk is reduced in a fixed order and the partials are combined in a
// fixed order. Results also match bit for bit across ISAs (AVX-512, AVX2, SSE4, NEON,
// scalar): every target performs the same IEEE operations in the same order. A NaN
// result is always stored as the same quiet NaN (0x7FC00000 in f32, 0x7FF8000000000000
// in f64), whatever NaNs the input held.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "vnpu/status.hpp"
#include "vnpu/stream.hpp"
#include "vnpu/tensor.hpp"

namespace vnpu::ops {

enum class ReduceOp : int {
  kSum,
  kMean,
  kMax,
  kMin,
  kProd,
  kSumSquares,  ///< sum of x²
  kL1,          ///< sum of |x|
  kL2,          ///< sqrt of the sum of x²
  kLogSumExp,   ///< log(sum(exp(x))), computed stably
  kVar,         ///< sum((x - mean)²) / (n - correction)
  kStd,         ///< sqrt(var)
  kArgMax,
  kArgMin,
  kAll,  ///< every element nonzero (NaN counts as nonzero)
  kAny,     ///< some element nonzero
  kLogSum,  ///< log(sum(x)) (ONNX ReduceLogSum)
};

/// "sum", "mean", "max", "min", "prod", "sum_sq", "l1", "l2", "logsumexp", "var", "std",
/// "argmax", "argmin", "all", "any", "log_sum".
const char* reduce_op_name(ReduceOp op) noexcept;
std::optional<ReduceOp> parse_reduce_op(std::string_view name) noexcept;

/// The axes to reduce: all of them, or an explicit list (possibly empty).
/// Note that `{}` (as in `{.axes = {}}`) is the default, every axis; the explicitly
/// empty list is Axes::none().
class Axes {
 public:
  /// Every axis.
  Axes() = default;
  static Axes all() { return Axes(); }
  /// No axis: the op is applied element by element (a copy for sum, max, ...).
  static Axes none() { return Axes(std::span<const int>()); }
  /// Exactly these axes (negative counts from the end); an empty list reduces none.
  Axes(std::initializer_list<int> axes) : list_(axes), all_(false) {}
  explicit Axes(std::span<const int> axes) : list_(axes.begin(), axes.end()), all_(false) {}

  bool is_all() const noexcept { return all_; }
  std::span<const int> list() const noexcept { return list_; }

 private:
  std::vector<int> list_;
  bool all_ = true;
};

struct ReduceOptions {
  Axes axes;
  bool keep_dims = false;
  /// var/std: divide by n - correction (1: sample variance, 0: population variance).
  double correction = 1.0;
  /// argmax/argmin: among equal extremes give the last index instead of the first (ONNX
  /// select_last_index). A NaN still wins at its first index. Ignored by other ops.
  bool select_last_index = false;
};

/// The output of a reduction: its shape and default dtype.
struct ReduceShape {
  int rank = 0;
  std::int64_t dims[kMaxRank] = {};
  DType dtype = DType::kF32;
  std::span<const std::int64_t> shape() const noexcept { return {dims, static_cast<std::size_t>(rank)}; }
};

/// Checks `op` on `in` with `options` and gives the output shape and dtype.
/// Errors: kInvalidShape (bad descriptor, axis out of range or repeated, argmax/argmin of
/// an empty axis, an output whose byte size overflows 64 bits), kInvalidDtype (dtype not supported by the op), kInvalidArgument
/// (unknown op, negative or non-finite correction).
Expected<ReduceShape> reduce_output_shape(ReduceOp op, const Tensor& in, const ReduceOptions& options = {});

/// Queues the reduction on `stream`. Validates everything first (as reduce_output_shape,
/// plus: out's shape must match, out's dtype must be allowed, null data with elements is
/// kInvalidArgument, a view reaching outside its vnpu allocation is kOutOfRange, data in
/// freed memory is kInvalidPointer, `out` overlapping `in` is kInvalidArgument); nothing
/// is queued on failure.
Status reduce(const Stream& stream, ReduceOp op, const Tensor& in, const Tensor& out, const ReduceOptions& options = {});

/// Synchronous form: runs the reduction, the calling thread taking part, and returns when
/// it is done. Errors as the asynchronous form, plus any unreported failure of earlier work
/// on the default stream (reported after the reduction has run, as a synchronize would).
Status reduce(ReduceOp op, const Tensor& in, const Tensor& out, const ReduceOptions& options = {});

/// How the reduction would be spread over a device with `cores` compute cores: the number
/// of input elements each launched block reduces (one entry per block; fewer blocks than
/// cores for small inputs). No block gets more than 10% more than another, except that
/// inputs too small to share run on one block.
Expected<std::vector<std::int64_t>> reduce_block_work(ReduceOp op, const Tensor& in, const ReduceOptions& options,
                                                      int cores);

}  // namespace vnpu::ops
