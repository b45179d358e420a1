// vnpuReduce and vnpuReduceOutputShape over vnpu::ops::reduce.
#include <span>

#include "capi/tensor.hpp"
#include "vnpu/ops/reduce.hpp"

namespace vnpu::capi {
namespace {

aclError reduce_options(int op, const int32_t* axes, int32_t axisCount, int32_t keepDims, double correction,
                        vnpu::ops::ReduceOp* out_op, vnpu::ops::ReduceOptions* out) {
  if (op < VNPU_REDUCE_SUM || op > VNPU_REDUCE_LOG_SUM)
    return fail(ACL_ERROR_INVALID_PARAM, "unknown vnpuReduceOp %d", op);
  *out_op = static_cast<vnpu::ops::ReduceOp>(op);
  if (axisCount < VNPU_REDUCE_ALL_AXES)
    return fail(ACL_ERROR_INVALID_PARAM, "axisCount %d (VNPU_REDUCE_ALL_AXES, 0, or the number of axes)", axisCount);
  // Each axis appears at most once, so more than the largest rank cannot be valid; checked
  // before `axes` is read, which then holds at most VNPU_TENSOR_MAX_RANK entries.
  if (axisCount > VNPU_TENSOR_MAX_RANK)
    return fail(ACL_ERROR_INVALID_PARAM, "axisCount %d: a tensor has at most %d axes, each reduced at most once",
                axisCount, VNPU_TENSOR_MAX_RANK);
  if (axisCount > 0 && axes == nullptr) return fail(ACL_ERROR_INVALID_PARAM, "axes is null with axisCount %d", axisCount);
  if (axisCount == VNPU_REDUCE_ALL_AXES) {
    out->axes = vnpu::ops::Axes::all();
  } else {
    out->axes = vnpu::ops::Axes(std::span<const int>(axes, static_cast<std::size_t>(axisCount)));
  }
  out->keep_dims = keepDims != 0;
  out->correction = correction;
  return ACL_SUCCESS;
}

}  // namespace
}  // namespace vnpu::capi

using namespace vnpu::capi;

extern "C" {

aclError vnpuReduce(vnpuReduceOp op, const vnpuTensor* src, const vnpuTensor* dst, const int32_t* axes,
                    int32_t axisCount, int32_t keepDims, double correction, aclrtStream stream) {
  return guard("vnpuReduce", [&]() -> aclError {
    vnpu::Tensor in;
    vnpu::Tensor out;
    VNPU_ACL_TRY(to_tensor(src, "src", &in));
    VNPU_ACL_TRY(to_tensor(dst, "dst", &out));
    vnpu::ops::ReduceOp rop{};
    vnpu::ops::ReduceOptions options;
    VNPU_ACL_TRY(reduce_options(enum_value(op), axes, axisCount, keepDims, correction, &rop, &options));
    StreamPtr s;
    VNPU_ACL_TRY(op_stream(stream, &s));
    return op_result(vnpu::ops::reduce(s->stream, rop, in, out, options), "queueing the reduction");
  });
}

aclError vnpuReduceOutputShape(vnpuReduceOp op, const vnpuTensor* src, const int32_t* axes, int32_t axisCount,
                               int32_t keepDims, int32_t* rank, int64_t* dims, aclDataType* dataType) {
  return guard("vnpuReduceOutputShape", [&]() -> aclError {
    VNPU_ACL_REQUIRE(rank);
    VNPU_ACL_REQUIRE(dims);
    VNPU_ACL_REQUIRE(dataType);
    vnpu::Tensor in;
    VNPU_ACL_TRY(to_tensor(src, "src", &in));
    vnpu::ops::ReduceOp rop{};
    vnpu::ops::ReduceOptions options;
    VNPU_ACL_TRY(reduce_options(enum_value(op), axes, axisCount, keepDims, 1.0, &rop, &options));
    auto shape = vnpu::ops::reduce_output_shape(rop, in, options);
    if (!shape) return op_result(shape.status(), "computing the output shape");
    *rank = shape->rank;
    for (int i = 0; i < VNPU_TENSOR_MAX_RANK; ++i) dims[i] = i < shape->rank ? shape->dims[i] : 0;
    *dataType = to_acl_type(shape->dtype);
    return ACL_SUCCESS;
  });
}

}  // extern "C"
