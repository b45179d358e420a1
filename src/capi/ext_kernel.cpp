// vnpuTensorInit and the tensor descriptor helpers of the operator shims.
#include <cstring>

#include "capi/tensor.hpp"

namespace vnpu::capi {

aclError to_tensor(const vnpuTensor* t, const char* name, vnpu::Tensor* out) {
  if (t == nullptr) return fail(ACL_ERROR_INVALID_PARAM, "%s is null", name);
  if (t->rank < 0 || t->rank > VNPU_TENSOR_MAX_RANK)
    return fail(ACL_ERROR_INVALID_PARAM, "%s: rank %d outside 0..%d", name, t->rank, VNPU_TENSOR_MAX_RANK);
  vnpu::DType dtype;
  const int type = enum_value(t->dataType);
  switch (type) {
    case ACL_FLOAT: dtype = vnpu::DType::kF32; break;
    case ACL_FLOAT16: dtype = vnpu::DType::kF16; break;
    case ACL_BF16: dtype = vnpu::DType::kBF16; break;
    case ACL_INT32: dtype = vnpu::DType::kI32; break;
    case ACL_INT64: dtype = vnpu::DType::kI64; break;
    case ACL_BOOL: dtype = vnpu::DType::kBool; break;
    case ACL_DOUBLE: dtype = vnpu::DType::kF64; break;
    default:
      return fail(ACL_ERROR_INVALID_PARAM,
                  "%s: element type %d is not supported by the operators (ACL_FLOAT, ACL_FLOAT16, ACL_BF16, "
                  "ACL_INT32, ACL_INT64, ACL_BOOL, ACL_DOUBLE)",
                  name, type);
  }
  const auto rank = static_cast<std::size_t>(t->rank);
  *out = vnpu::Tensor(t->data, dtype, std::span<const std::int64_t>(t->dims, rank),
                      std::span<const std::int64_t>(t->strides, rank));
  if (!out->valid()) return fail(ACL_ERROR_INVALID_PARAM, "%s: %s", name, out->invalid_reason());
  return ACL_SUCCESS;
}

aclError to_optional_tensor(const vnpuTensor* t, const char* name, std::optional<vnpu::Tensor>* out) {
  if (t == nullptr) {
    out->reset();
    return ACL_SUCCESS;
  }
  vnpu::Tensor v;
  VNPU_ACL_TRY(to_tensor(t, name, &v));
  *out = v;
  return ACL_SUCCESS;
}

aclDataType to_acl_type(vnpu::DType t) noexcept {
  switch (t) {
    case vnpu::DType::kF32: return ACL_FLOAT;
    case vnpu::DType::kF16: return ACL_FLOAT16;
    case vnpu::DType::kBF16: return ACL_BF16;
    case vnpu::DType::kI32: return ACL_INT32;
    case vnpu::DType::kI64: return ACL_INT64;
    case vnpu::DType::kBool: return ACL_BOOL;
    case vnpu::DType::kF64: return ACL_DOUBLE;
  }
  return ACL_DT_UNDEFINED;
}

aclError op_stream(aclrtStream stream, StreamPtr* out) {
  VNPU_ACL_TRY(require_init());
  return resolve_stream(stream, out);
}

aclError op_result(vnpu::Status st, const char* what) {
  if (st == vnpu::Status::kSuccess) return ACL_SUCCESS;
  return fail_status(st, what, Site::kOp);
}

}  // namespace vnpu::capi

using namespace vnpu::capi;

extern "C" {

aclError vnpuTensorInit(vnpuTensor* tensor, void* data, aclDataType dataType, int32_t rank, const int64_t* dims) {
  return guard("vnpuTensorInit", [&]() -> aclError {
    VNPU_ACL_REQUIRE(tensor);
    if (rank < 0 || rank > VNPU_TENSOR_MAX_RANK)
      return fail(ACL_ERROR_INVALID_PARAM, "rank %d outside 0..%d", rank, VNPU_TENSOR_MAX_RANK);
    if (rank > 0 && dims == nullptr) return fail(ACL_ERROR_INVALID_PARAM, "dims is null with rank %d", rank);
    *tensor = vnpuTensor{};
    tensor->data = data;
    std::memcpy(&tensor->dataType, &dataType, sizeof dataType);  // any value; checked where used
    tensor->rank = rank;
    int64_t stride = 1;
    for (int32_t i = rank - 1; i >= 0; --i) {
      tensor->dims[i] = dims[i];
      tensor->strides[i] = stride;
      stride *= dims[i] > 0 ? dims[i] : 1;
    }
    return ACL_SUCCESS;
  });
}

}  // extern "C"
