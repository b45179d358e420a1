// vnpuSoftmax and vnpuLogSoftmax over vnpu::ops.
#include "capi/tensor.hpp"
#include "vnpu/ops/softmax.hpp"

using namespace vnpu::capi;

namespace {

template <class Op>
aclError softmax_like(const vnpuTensor* src, const vnpuTensor* dst, int32_t axis, aclrtStream stream, Op op) {
  vnpu::Tensor in;
  vnpu::Tensor out;
  VNPU_ACL_TRY(to_tensor(src, "src", &in));
  VNPU_ACL_TRY(to_tensor(dst, "dst", &out));
  StreamPtr s;
  VNPU_ACL_TRY(op_stream(stream, &s));
  return op_result(op(s->stream, in, out, vnpu::ops::SoftmaxOptions{.axis = axis}), "queueing the operator");
}

}  // namespace

extern "C" {

aclError vnpuSoftmax(const vnpuTensor* src, const vnpuTensor* dst, int32_t axis, aclrtStream stream) {
  return guard("vnpuSoftmax", [&]() -> aclError {
    return softmax_like(src, dst, axis, stream, [](const vnpu::Stream& s, const vnpu::Tensor& i, const vnpu::Tensor& o,
                                                   const vnpu::ops::SoftmaxOptions& opt) {
      return vnpu::ops::softmax(s, i, o, opt);
    });
  });
}

aclError vnpuLogSoftmax(const vnpuTensor* src, const vnpuTensor* dst, int32_t axis, aclrtStream stream) {
  return guard("vnpuLogSoftmax", [&]() -> aclError {
    return softmax_like(src, dst, axis, stream, [](const vnpu::Stream& s, const vnpu::Tensor& i, const vnpu::Tensor& o,
                                                   const vnpu::ops::SoftmaxOptions& opt) {
      return vnpu::ops::log_softmax(s, i, o, opt);
    });
  });
}

}  // extern "C"
