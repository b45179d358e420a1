// vnpu/ops/softmax.hpp — softmax and log_softmax along one axis.
//
//     vnpu::Tensor x(xp, vnpu::DType::kF32, {4096, 1024});
//     vnpu::Tensor y(yp, vnpu::DType::kF32, {4096, 1024});
//     vnpu::check(vnpu::ops::softmax(stream, x, y, {.axis = -1}));
//     vnpu::check(stream.synchronize());
//
// softmax(x)_i = exp(x_i - m) / sum_j exp(x_j - m) and
// log_softmax(x)_i = (x_i - m) - log(sum_j exp(x_j - m)), with m the row's maximum, so
// large inputs never overflow. A "row" is the set of elements along `axis` with every
// other index fixed; the axis may be the last one (inner), the first (outer) or any in
// between (middle).
//
// Semantics:
// - A row of all -inf gives NaN everywhere (0/0, as the definition says); a -inf entry in
//   a row with a finite maximum gives 0 (log_softmax: -inf); a row holding a NaN or a
//   +inf is NaN everywhere (+inf - +inf is NaN), as in NumPy.
// - An empty tensor (some dimension 0) is a no-op that succeeds.
// - `out` has the shape and dtype of `in`. It may be exactly `in` (same data and strides:
//   in place); any other overlap is kInvalidArgument. Both may be strided views.
// - f16 and bf16 are computed in f32 and rounded once (to nearest even) when written.
//
// Speed: a row of up to 32768 elements is read from memory once and kept in cache/scratch between the max,
// the exp-sum and the scaling pass; longer rows are cut into fixed chunks whose
// (max, sum of exp) partials are combined, then one writing pass — the chunks of one long
// row are spread over all cores. docs/softmax.md has the details.
//
// Determinism: the result depends only on the shape and the values — not on the number of
// cores, the device's configuration or the ISA chosen by dispatch (VNPU_ISA): every sum
// runs in a fixed order, and the exp uses fused multiply-adds that round once on every
// target.
#pragma once

#include "vnpu/status.hpp"
#include "vnpu/stream.hpp"
#include "vnpu/tensor.hpp"

namespace vnpu::ops {

struct SoftmaxOptions {
  /// The axis along which the rows run; negative counts from the end (-1 = last).
  int axis = -1;
};

/// Queues softmax of `in` along options.axis into `out` on `stream`.
/// Errors (nothing is queued): kInvalidShape (bad descriptor, axis out of range, shapes of
/// `in` and `out` differ, rank 0), kInvalidDtype (not f32, f16 or bf16, or dtypes differ),
/// kInvalidArgument (null data with elements, partial overlap, an output with a zero
/// stride on a dimension longer than 1), kOutOfRange (a view reaching outside its vnpu
/// allocation), kInvalidPointer (data in freed memory).
Status softmax(const Stream& stream, const Tensor& in, const Tensor& out, const SoftmaxOptions& options = {});
/// Queues log_softmax; same rules as softmax.
Status log_softmax(const Stream& stream, const Tensor& in, const Tensor& out, const SoftmaxOptions& options = {});

/// Synchronous forms: as if queued on the default stream of `in`'s device (device 0 for
/// memory vnpu did not allocate) and waited for. The calling thread computes one block's
/// share itself while the device's cores do the rest; an input small enough for one block
/// never leaves it: no hand-off, no wake-up (the "direct" mode of `vnpu bench softmax`).
Status softmax(const Tensor& in, const Tensor& out, const SoftmaxOptions& options = {});
Status log_softmax(const Tensor& in, const Tensor& out, const SoftmaxOptions& options = {});

}  // namespace vnpu::ops
