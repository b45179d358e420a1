// vnpuLayerNorm, vnpuRmsNorm, vnpuBatchNorm and vnpuGroupNorm over vnpu::ops.
#include "capi/tensor.hpp"
#include "vnpu/ops/norm.hpp"

using namespace vnpu::capi;

namespace {

// Converts x and y, lets `fill` set the options (optional tensors, scalars), resolves the
// stream and queues `op`.
template <class Options, class Fill, class Op>
aclError run_norm(const vnpuTensor* x, const vnpuTensor* y, aclrtStream stream, const char* what, Fill&& fill, Op&& op) {
  vnpu::Tensor in;
  vnpu::Tensor out;
  VNPU_ACL_TRY(to_tensor(x, "x", &in));
  VNPU_ACL_TRY(to_tensor(y, "y", &out));
  Options o;
  VNPU_ACL_TRY(fill(o));
  StreamPtr s;
  VNPU_ACL_TRY(op_stream(stream, &s));
  return op_result(op(s->stream, in, out, o), what);
}

}  // namespace

extern "C" {

aclError vnpuLayerNorm(const vnpuTensor* x, const vnpuTensor* y, int32_t normalizedNdim, double eps,
                       const vnpuTensor* gamma, const vnpuTensor* beta, const vnpuTensor* mean, const vnpuTensor* rstd,
                       aclrtStream stream) {
  return guard("vnpuLayerNorm", [&]() -> aclError {
    return run_norm<vnpu::ops::LayerNormOptions>(
        x, y, stream, "queueing layer_norm",
        [&](vnpu::ops::LayerNormOptions& o) -> aclError {
          o.normalized_ndim = normalizedNdim;
          o.eps = eps;
          VNPU_ACL_TRY(to_optional_tensor(gamma, "gamma", &o.gamma));
          VNPU_ACL_TRY(to_optional_tensor(beta, "beta", &o.beta));
          VNPU_ACL_TRY(to_optional_tensor(mean, "mean", &o.mean));
          VNPU_ACL_TRY(to_optional_tensor(rstd, "rstd", &o.rstd));
          return ACL_SUCCESS;
        },
        [](const vnpu::Stream& st, const vnpu::Tensor& in, const vnpu::Tensor& out, const vnpu::ops::LayerNormOptions& o) {
          return vnpu::ops::layer_norm(st, in, out, o);
        });
  });
}

aclError vnpuRmsNorm(const vnpuTensor* x, const vnpuTensor* y, int32_t normalizedNdim, double eps,
                     const vnpuTensor* gamma, const vnpuTensor* rstd, aclrtStream stream) {
  return guard("vnpuRmsNorm", [&]() -> aclError {
    return run_norm<vnpu::ops::RmsNormOptions>(
        x, y, stream, "queueing rms_norm",
        [&](vnpu::ops::RmsNormOptions& o) -> aclError {
          o.normalized_ndim = normalizedNdim;
          o.eps = eps;
          VNPU_ACL_TRY(to_optional_tensor(gamma, "gamma", &o.gamma));
          VNPU_ACL_TRY(to_optional_tensor(rstd, "rstd", &o.rstd));
          return ACL_SUCCESS;
        },
        [](const vnpu::Stream& st, const vnpu::Tensor& in, const vnpu::Tensor& out, const vnpu::ops::RmsNormOptions& o) {
          return vnpu::ops::rms_norm(st, in, out, o);
        });
  });
}

aclError vnpuBatchNorm(const vnpuTensor* x, const vnpuTensor* y, int32_t training, double eps, double momentum,
                       const vnpuTensor* gamma, const vnpuTensor* beta, const vnpuTensor* runningMean,
                       const vnpuTensor* runningVar, const vnpuTensor* saveMean, const vnpuTensor* saveInvstd,
                       aclrtStream stream) {
  return guard("vnpuBatchNorm", [&]() -> aclError {
    return run_norm<vnpu::ops::BatchNormOptions>(
        x, y, stream, "queueing batch_norm",
        [&](vnpu::ops::BatchNormOptions& o) -> aclError {
          o.training = training != 0;
          o.eps = eps;
          o.momentum = momentum;
          VNPU_ACL_TRY(to_optional_tensor(gamma, "gamma", &o.gamma));
          VNPU_ACL_TRY(to_optional_tensor(beta, "beta", &o.beta));
          VNPU_ACL_TRY(to_optional_tensor(runningMean, "runningMean", &o.running_mean));
          VNPU_ACL_TRY(to_optional_tensor(runningVar, "runningVar", &o.running_var));
          VNPU_ACL_TRY(to_optional_tensor(saveMean, "saveMean", &o.save_mean));
          VNPU_ACL_TRY(to_optional_tensor(saveInvstd, "saveInvstd", &o.save_invstd));
          return ACL_SUCCESS;
        },
        [](const vnpu::Stream& st, const vnpu::Tensor& in, const vnpu::Tensor& out, const vnpu::ops::BatchNormOptions& o) {
          return vnpu::ops::batch_norm(st, in, out, o);
        });
  });
}

aclError vnpuGroupNorm(const vnpuTensor* x, const vnpuTensor* y, int32_t groups, double eps, const vnpuTensor* gamma,
                       const vnpuTensor* beta, const vnpuTensor* mean, const vnpuTensor* rstd, aclrtStream stream) {
  return guard("vnpuGroupNorm", [&]() -> aclError {
    return run_norm<vnpu::ops::GroupNormOptions>(
        x, y, stream, "queueing group_norm",
        [&](vnpu::ops::GroupNormOptions& o) -> aclError {
          o.groups = groups;
          o.eps = eps;
          VNPU_ACL_TRY(to_optional_tensor(gamma, "gamma", &o.gamma));
          VNPU_ACL_TRY(to_optional_tensor(beta, "beta", &o.beta));
          VNPU_ACL_TRY(to_optional_tensor(mean, "mean", &o.mean));
          VNPU_ACL_TRY(to_optional_tensor(rstd, "rstd", &o.rstd));
          return ACL_SUCCESS;
        },
        [](const vnpu::Stream& st, const vnpu::Tensor& in, const vnpu::Tensor& out, const vnpu::ops::GroupNormOptions& o) {
          return vnpu::ops::group_norm(st, in, out, o);
        });
  });
}

}  // extern "C"
