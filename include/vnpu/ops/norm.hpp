// vnpu/ops/norm.hpp — layer_norm, rms_norm, batch_norm and group_norm.
//
//     // x: [16384, 4096] f32; gamma, beta: [4096]
//     vnpu::check(vnpu::ops::layer_norm(stream, x, y, {.normalized_ndim = 1, .eps = 1e-5,
//                                                      .gamma = gamma, .beta = beta}));
//
// Each op normalizes groups of elements by their mean and variance (rms_norm: by their
// root mean square), then applies an optional per-element scale (gamma) and shift (beta):
//
//   layer_norm  y = (x - mean) * rstd * gamma + beta, statistics over the trailing
//               normalized_ndim axes; gamma and beta have the shape of those axes.
//   rms_norm    y = x * rsqrt(mean(x²) + eps) * gamma, over the trailing normalized_ndim axes.
//   batch_norm  x is [N, C, ...]: statistics per channel (axis 1) over every other axis.
//               Inference uses running_mean/running_var; training uses the batch's own
//               statistics and updates the running ones with momentum.
//   group_norm  x is [N, C, ...]: the C channels are cut into `groups` groups of C/groups
//               channels; statistics per (n, group); gamma and beta have shape [C].
//
// with rstd = 1 / sqrt(var + eps) and var the population variance (divide by n). Variances
// are computed with a numerically sound method (two passes over data kept in scratch,
// or Welford/Chan merging), never as E[x²] - E[x]².
//
// Common rules:
// - x and y have the same shape and dtype (f32, f16 or bf16); y may be exactly x (in
//   place); any other overlap between an output and another tensor, or an output view
//   whose elements overlap each other (a zero stride), is kInvalidArgument. Every tensor
//   may be a strided view.
// - Parameter tensors (gamma, beta, running_mean, running_var) and statistics outputs
//   (mean, rstd, save_mean, save_invstd, save_var) may each be f32, f16 or bf16 independently of x.
//   Computation is in f32 (statistics merged in f64); every result is rounded once, to
//   nearest even, when written.
// - eps must be finite and >= 0; momentum finite and in [0, 1]; otherwise kInvalidArgument.
// - An empty x succeeds and writes nothing, except that batch_norm training with fewer
//   than 2 elements per channel is kInvalidShape (no unbiased batch variance).
// - Errors are reported before anything is queued: kInvalidShape (bad descriptor, wrong
//   rank, a parameter or statistics tensor of the wrong shape, normalized_ndim outside
//   [1, rank], groups not dividing C), kInvalidDtype, kInvalidArgument (null data with
//   elements, overlap, bad eps/momentum), kOutOfRange (a view outside its allocation),
//   kInvalidPointer (data in freed memory).
//
// Each op has an asynchronous form on a stream and a synchronous form: as if queued on the
// default stream of x's device (device 0 for memory vnpu did not allocate) and waited for;
// the calling thread computes one block's share itself (all of an input small enough for
// one block, with no hand-off to a compute core) while the device's cores do the rest.
// Results do not depend on the number of cores or on the ISA chosen by dispatch: they are
// bitwise identical (docs/norms.md explains the fixed chunking and merge order).
#pragma once

#include <optional>

#include "vnpu/status.hpp"
#include "vnpu/stream.hpp"
#include "vnpu/tensor.hpp"

namespace vnpu::ops {

struct LayerNormOptions {
  /// How many trailing axes form one normalized group (1 = the last axis).
  int normalized_ndim = 1;
  double eps = 1e-5;
  std::optional<Tensor> gamma;  ///< shape = x's trailing normalized_ndim dims
  std::optional<Tensor> beta;   ///< same shape as gamma
  /// Outputs, written when given: the shape of x's leading rank - normalized_ndim dims
  /// (or those dims followed by normalized_ndim ones, keep_dims style).
  std::optional<Tensor> mean;
  std::optional<Tensor> rstd;
};
Status layer_norm(const Stream& stream, const Tensor& x, const Tensor& y, const LayerNormOptions& options = {});
Status layer_norm(const Tensor& x, const Tensor& y, const LayerNormOptions& options = {});

struct RmsNormOptions {
  int normalized_ndim = 1;
  double eps = 1e-6;
  std::optional<Tensor> gamma;  ///< shape = x's trailing normalized_ndim dims
  std::optional<Tensor> rstd;   ///< output, shaped as LayerNormOptions::rstd
};
Status rms_norm(const Stream& stream, const Tensor& x, const Tensor& y, const RmsNormOptions& options = {});
Status rms_norm(const Tensor& x, const Tensor& y, const RmsNormOptions& options = {});

struct BatchNormOptions {
  /// false: normalize with running_mean/running_var (both required, else kInvalidArgument);
  /// nothing but y is written, and save_mean/save_invstd/save_var are kInvalidArgument.
  /// true: normalize with the batch's statistics; when running_mean/running_var are
  /// given, update them: r = (1 - momentum) * r + momentum * batch, where the variance
  /// fed to running_var is the unbiased one (divide by n - 1).
  bool training = false;
  double eps = 1e-5;
  double momentum = 0.1;
  std::optional<Tensor> gamma;         ///< [C]
  std::optional<Tensor> beta;          ///< [C]
  std::optional<Tensor> running_mean;  ///< [C]; read in inference, updated in training
  std::optional<Tensor> running_var;   ///< [C]
  std::optional<Tensor> save_mean;     ///< [C] output (training): the batch mean
  std::optional<Tensor> save_invstd;   ///< [C] output (training): 1 / sqrt(batch var + eps)
  std::optional<Tensor> save_var;      ///< [C] output (training): the biased batch variance (divide by n)
};
Status batch_norm(const Stream& stream, const Tensor& x, const Tensor& y, const BatchNormOptions& options = {});
Status batch_norm(const Tensor& x, const Tensor& y, const BatchNormOptions& options = {});

struct GroupNormOptions {
  int groups = 1;  ///< must divide C = x.dim(1)
  double eps = 1e-5;
  std::optional<Tensor> gamma;  ///< [C]
  std::optional<Tensor> beta;   ///< [C]
  std::optional<Tensor> mean;   ///< [N, groups] output
  std::optional<Tensor> rstd;   ///< [N, groups] output
};
Status group_norm(const Stream& stream, const Tensor& x, const Tensor& y, const GroupNormOptions& options = {});
Status group_norm(const Tensor& x, const Tensor& y, const GroupNormOptions& options = {});

}  // namespace vnpu::ops
