// Checks shared by the operators: tensor memory extents and overlap, shape printing.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "vnpu/status.hpp"
#include "vnpu/tensor.hpp"

namespace vnpu::detail {

/// "[4096, 1024]".
std::string shape_string(std::span<const std::int64_t> shape);
/// Byte range [lo, hi) the elements of `t` span relative to t.data() (empty tensors: 0, 0).
void tensor_extent(const Tensor& t, std::int64_t* lo, std::int64_t* hi) noexcept;
/// Null data with elements: kInvalidArgument. A view reaching outside the vnpu allocation
/// that holds its data pointer: kOutOfRange. Memory vnpu did not allocate is not checked.
Status check_tensor_memory(const Tensor& t, const char* role, const char* op);
/// True if the byte ranges of `a` and `b` intersect.
bool tensors_overlap(const Tensor& a, const Tensor& b) noexcept;

}  // namespace vnpu::detail
