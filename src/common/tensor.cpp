#include "vnpu/tensor.hpp"

namespace vnpu {

Tensor::Tensor(void* data, DType dtype, std::span<const std::int64_t> shape) noexcept : data_(data), dtype_(dtype) {
  if (shape.size() > static_cast<std::size_t>(kMaxRank)) {
    invalid_ = "rank exceeds kMaxRank (8)";
    return;
  }
  rank_ = static_cast<int>(shape.size());
  std::int64_t stride = 1;
  for (int i = rank_ - 1; i >= 0; --i) {
    const std::int64_t d = shape[static_cast<std::size_t>(i)];
    if (d < 0) invalid_ = "negative dimension";
    shape_[static_cast<std::size_t>(i)] = d;
    strides_[static_cast<std::size_t>(i)] = stride;
    if (d > 0 && stride > INT64_MAX / d) invalid_ = "element count overflows 64 bits";
    stride *= d > 1 ? d : 1;
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
  std::int64_t count = 1;
  for (int i = 0; i < rank_; ++i) {
    const auto k = static_cast<std::size_t>(i);
    shape_[k] = shape[k];
    strides_[k] = strides[k];
    if (shape[k] < 0) invalid_ = "negative dimension";
    else if (shape[k] > 0 && count > INT64_MAX / shape[k]) invalid_ = "element count overflows 64 bits";
    else count *= shape[k];
  }
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
