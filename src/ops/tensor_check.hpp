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
/// Byte range [lo, hi) the elements of a tensor span relative to its data pointer; 0, 0
/// for an empty tensor.
struct Extent {
  std::int64_t lo = 0, hi = 0;
  bool empty() const noexcept { return hi == lo; }
};
Extent tensor_extent(const Tensor& t) noexcept;
/// Null data with elements: kInvalidArgument. A view reaching outside the vnpu allocation
/// that holds its data pointer: kOutOfRange. Memory vnpu did not allocate is not checked.
/// `e` is tensor_extent(t) (an op checking several things of a tensor computes it once).
Status check_tensor_memory(const Tensor& t, const Extent& e, const char* role, const char* op);
inline Status check_tensor_memory(const Tensor& t, const char* role, const char* op) {
  return check_tensor_memory(t, tensor_extent(t), role, op);
}
/// True if the byte ranges of `a` and `b` (extents ea and eb) intersect.
bool extents_overlap(const Tensor& a, const Extent& ea, const Tensor& b, const Extent& eb) noexcept;
inline bool tensors_overlap(const Tensor& a, const Tensor& b) noexcept {
  return extents_overlap(a, tensor_extent(a), b, tensor_extent(b));
}

}  // namespace vnpu::detail
