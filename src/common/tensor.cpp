#include "vnpu/tensor.hpp"

#include <cstdlib>

namespace vnpu {

namespace {

// Why a shape of `dtype` cannot be described, or nullptr. As in NumPy, the product of the
// nonzero dims, times the element size, must fit in int64 even when another dim is 0, so
// that every product of dims (an output's element count, its byte size) fits too.
const char* check_shape(std::span<const std::int64_t> shape, DType dtype) noexcept {
  const auto item = static_cast<std::int64_t>(dtype_size(dtype) != 0 ? dtype_size(dtype) : 1);
  std::int64_t count = 1;
  for (std::int64_t d : shape) {
    if (d < 0) return "negative dimension";
    if (d > 0 && __builtin_mul_overflow(count, d, &count)) return "element count overflows 64 bits";
  }
  if (__builtin_mul_overflow(count, item, &count)) return "byte size overflows 64 bits";
  return nullptr;
}

// Why a view's strides cannot be followed, or nullptr: the bytes its dims of more than one
// element reach, sum(dim * |stride|) * dtype_size, must fit in int64 (offsets and extents
// computed from them then never overflow). An empty view reaches nothing.
const char* check_strides(std::span<const std::int64_t> shape, std::span<const std::int64_t> strides,
                          DType dtype) noexcept {
  std::int64_t reach = 1;
  for (std::size_t k = 0; k < shape.size(); ++k) {
    if (shape[k] == 0) return nullptr;
    if (shape[k] == 1) continue;
    std::int64_t step = 0;
    if (strides[k] == INT64_MIN || __builtin_mul_overflow(shape[k], std::llabs(strides[k]), &step) ||
        __builtin_add_overflow(reach, step, &reach))
      return "the strides reach beyond 64-bit byte offsets";
  }
  const auto item = static_cast<std::int64_t>(dtype_size(dtype) != 0 ? dtype_size(dtype) : 1);
  if (__builtin_mul_overflow(reach, item, &reach)) return "the strides reach beyond 64-bit byte offsets";
  return nullptr;
}

}  // namespace

Tensor::Tensor(void* data, DType dtype, std::span<const std::int64_t> shape) noexcept : data_(data), dtype_(dtype) {
  if (shape.size() > static_cast<std::size_t>(kMaxRank)) {
    invalid_ = "rank exceeds kMaxRank (8)";
    return;
  }
  rank_ = static_cast<int>(shape.size());
  invalid_ = check_shape(shape, dtype);
  std::int64_t stride = 1;
  for (int i = rank_ - 1; i >= 0; --i) {
    const std::int64_t d = shape[static_cast<std::size_t>(i)];
    shape_[static_cast<std::size_t>(i)] = d;
    strides_[static_cast<std::size_t>(i)] = stride;
    if (invalid_ == nullptr) stride *= d > 1 ? d : 1;  // a suffix product of a valid shape: fits
  }
}

Tensor::Tensor(void* data, DType dtype, std::span<const std::int64_t> shape,
               std::span<const std::int64_t> strides) noexcept
    : data_(data), dtype_(dtype) {
  if (shape.size() != strides.size()) {
    invalid_ = "shape and strides have different ranks";
    return;
  }
  if (shape.size() > static_cast<std::size_t>(kMaxRank)) {
    invalid_ = "rank exceeds kMaxRank (8)";
    return;
  }
  rank_ = static_cast<int>(shape.size());
  for (int i = 0; i < rank_; ++i) {
    const auto k = static_cast<std::size_t>(i);
    shape_[k] = shape[k];
    strides_[k] = strides[k];
  }
  invalid_ = check_shape(shape, dtype);
  if (invalid_ == nullptr) invalid_ = check_strides(shape, strides, dtype);
}

std::int64_t Tensor::numel() const noexcept {
  std::int64_t n = 1;
  for (int i = 0; i < rank_; ++i) n *= shape_[static_cast<std::size_t>(i)];
  return n;
}

bool Tensor::is_contiguous() const noexcept {
  std::int64_t expect = 1;
  for (int i = rank_ - 1; i >= 0; --i) {
    const auto k = static_cast<std::size_t>(i);
    if (shape_[k] == 0) return true;
    if (shape_[k] == 1) continue;
    if (strides_[k] != expect) return false;
    expect *= shape_[k];
  }
  return true;
}

}  // namespace vnpu
