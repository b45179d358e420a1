#include "ops/tensor_check.hpp"

#include <cstdint>

#include "common/error.hpp"
#include "vnpu/memory.hpp"

namespace vnpu::detail {

std::string shape_string(std::span<const std::int64_t> shape) {
  std::string s = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i != 0) s += ", ";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

// No overflow: a valid Tensor's strides reach at most 2^63 - 1 bytes (vnpu/tensor.hpp).
Extent tensor_extent(const Tensor& t) noexcept {
  std::int64_t mn = 0, mx = 0;
  for (int k = 0; k < t.rank(); ++k) {
    if (t.dim(k) == 0) return {};
    const std::int64_t span = (t.dim(k) - 1) * t.stride(k);
    if (span < 0) mn += span;
    else mx += span;
  }
  const auto es = static_cast<std::int64_t>(dtype_size(t.dtype()));
  return {mn * es, (mx + 1) * es};
}

Status check_tensor_memory(const Tensor& t, const Extent& e, const char* role, const char* op) {
  if (e.empty()) return Status::kSuccess;
  if (t.data() == nullptr) return fail(Status::kInvalidArgument, "%s: the %s tensor has elements but a null data pointer", op, role);
  const PointerInfo info = pointer_info(t.data());
  if (info.type == MemoryType::kPageable || info.base == nullptr) return Status::kSuccess;
  const auto addr = reinterpret_cast<std::intptr_t>(t.data());
  const auto base = reinterpret_cast<std::intptr_t>(info.base);
  if (info.type == MemoryType::kFreed)
    return fail(Status::kInvalidPointer,
                "%s: the %s tensor's data pointer is at offset %lld of a %zu-byte allocation that was freed "
                "(use after free)",
                op, role, static_cast<long long>(addr - base), info.size);
  if (addr + e.lo < base || addr + e.hi > base + static_cast<std::intptr_t>(info.size))
    return fail(Status::kOutOfRange,
                "%s: the %s tensor's elements span bytes [%lld, %lld) from its data pointer, outside its %zu-byte "
                "allocation (which starts %lld bytes before the pointer)",
                op, role, static_cast<long long>(e.lo), static_cast<long long>(e.hi), info.size,
                static_cast<long long>(addr - base));
  return Status::kSuccess;
}

bool extents_overlap(const Tensor& a, const Extent& ea, const Tensor& b, const Extent& eb) noexcept {
  if (ea.empty() || eb.empty()) return false;
  const auto pa = reinterpret_cast<std::intptr_t>(a.data());
  const auto pb = reinterpret_cast<std::intptr_t>(b.data());
  return pa + ea.lo < pb + eb.hi && pb + eb.lo < pa + ea.hi;
}

}  // namespace vnpu::detail
