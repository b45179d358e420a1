// vnpuTensor (C) -> vnpu::Tensor (C++), with the checks the C side needs.
#pragma once

#include <optional>

#include "capi/capi.hpp"
#include "capi/state.hpp"
#include "vnpu/acl_ext.h"
#include "vnpu/tensor.hpp"

namespace vnpu::capi {

/// Converts a required tensor argument named `name`. ACL_ERROR_INVALID_PARAM for a null
/// descriptor, a rank outside 0..VNPU_TENSOR_MAX_RANK or an element type vnpu's operators
/// do not know.
aclError to_tensor(const vnpuTensor* t, const char* name, vnpu::Tensor* out);
/// As to_tensor for an optional argument: null gives an empty optional.
aclError to_optional_tensor(const vnpuTensor* t, const char* name, std::optional<vnpu::Tensor>* out);
/// The aclDataType of a vnpu element type.
aclDataType to_acl_type(vnpu::DType t) noexcept;

/// aclInit, then the stream an operator or kernel is queued on (NULL: the default
/// stream): its handle object, which keeps the stream alive while the caller holds it.
/// Queue on `(*out)->stream` directly: a copy of the vnpu::Stream would add two atomic
/// updates of a count the stream's core also writes (~100 ns per launch).
aclError op_stream(aclrtStream stream, StreamPtr* out);

/// Maps an operator's status: argument errors are ACL_ERROR_INVALID_PARAM.
aclError op_result(vnpu::Status st, const char* what);

}  // namespace vnpu::capi
