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

void tensor_extent(const Tensor& t, std::int64_t* lo, std::int64_t* hi) noexcept {
  *lo = 0;
  *hi = 0;
  if (t.numel() == 0) return;
  std::int64_t mn = 0, mx = 0;
  for (int k = 0; k < t.rank(); ++k) {
    const std::int64_t span = (t.dim(k) - 1) * t.stride(k);
    if (span < 0) mn += span;
    else mx += span;
  }
  const auto es = static_cast<std::int64_t>(dtype_size(t.dtype()));
  *lo = mn * es;
  *hi = (mx + 1) * es;
}

Status check_tensor_memory(const Tensor& t, const char* role, const char* op) {
  if (t.numel() == 0) return Status::kSuccess;
  if (t.data() == nullptr) return fail(Status::kInvalidArgument, "%s: the %s tensor has elements but a null data pointer", op, role);
  const PointerInfo info = pointer_info(t.data());
  if (info.type == MemoryType::kPageable || info.base == nullptr) return Status::kSuccess;
  std::int64_t lo = 0, hi = 0;
  tensor_extent(t, &lo, &hi);
  const auto addr = reinterpret_cast<std::intptr_t>(t.data());
  const auto base = reinterpret_cast<std::intptr_t>(info.base);
  if (addr + lo < base || addr + hi > base + static_cast<std::intptr_t>(info.size))
    return fail(Status::kOutOfRange,
                "%s: the %s tensor's elements span bytes [%lld, %lld) from its data pointer, outside its %zu-byte "
                "allocation (which starts %lld bytes before the pointer)",
                op, role, static_cast<long long>(lo), static_cast<long long>(hi), info.size,
                static_cast<long long>(addr - base));
  return Status::kSuccess;
}

bool tensors_overlap(const Tensor& a, const Tensor& b) noexcept {
  if (a.numel() == 0 || b.numel() == 0) return false;
  std::int64_t alo = 0, ahi = 0, blo = 0, bhi = 0;
  tensor_extent(a, &alo, &ahi);
  tensor_extent(b, &blo, &bhi);
  const auto pa = reinterpret_cast<std::intptr_t>(a.data());
  const auto pb = reinterpret_cast<std::intptr_t>(b.data());
  return pa + alo < pb + bhi && pb + blo < pa + ahi;
}

}  // namespace vnpu::detail
