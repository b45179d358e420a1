// vnpu/tensor.hpp — a tensor descriptor: pointer, element type, shape and strides.
//
// A Tensor does not own memory: it describes where the elements are. Shapes have at most
// kMaxRank dimensions; strides are in elements (not bytes) and may be any value, including
// zero (broadcast) and negative (reversed views). Counts, strides and offsets are 64-bit.
//
//     float* x = static_cast<float*>(dev.malloc(4096 * 1024 * 4).value());
//     vnpu::Tensor t(x, vnpu::DType::kF32, {4096, 1024});       // contiguous, row-major
//     vnpu::Tensor col(x + 3, vnpu::DType::kF32, {4096}, {1024});  // column 3: a strided view
//
// A descriptor that cannot be valid (rank above kMaxRank, a negative dimension, shape and
// strides of different ranks, a size beyond 64 bits) is still constructed, but marked
// invalid: operators then fail with kInvalidShape and say why. Sizes are counted as NumPy
// counts them: the product of the nonzero dimensions, times the element size, must fit in
// int64 even when another dimension is 0 (so a shape (2^62, 0) of f32 is invalid, while
// every product of a valid shape's dimensions, such as a reduction's output, fits). A
// strided view must also reach at most that many bytes: sum(dim * |stride|) over its
// dimensions of more than one element, times the element size.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>

#include "vnpu/dtype.hpp"

namespace vnpu {

inline constexpr int kMaxRank = 8;

class Tensor {
 public:
  Tensor() = default;
  /// Contiguous row-major tensor of `shape` at `data`.
  Tensor(void* data, DType dtype, std::span<const std::int64_t> shape) noexcept;
  Tensor(void* data, DType dtype, std::initializer_list<std::int64_t> shape) noexcept
      : Tensor(data, dtype, std::span<const std::int64_t>(shape.begin(), shape.size())) {}
  /// Strided view: element i has address data + sum(i[k] * strides[k]) * dtype_size.
  Tensor(void* data, DType dtype, std::span<const std::int64_t> shape, std::span<const std::int64_t> strides) noexcept;
  Tensor(void* data, DType dtype, std::initializer_list<std::int64_t> shape,
         std::initializer_list<std::int64_t> strides) noexcept
      : Tensor(data, dtype, std::span<const std::int64_t>(shape.begin(), shape.size()),
               std::span<const std::int64_t>(strides.begin(), strides.size())) {}
  /// Read-only inputs may be described from const pointers.
  Tensor(const void* data, DType dtype, std::span<const std::int64_t> shape) noexcept
      : Tensor(const_cast<void*>(data), dtype, shape) {}
  Tensor(const void* data, DType dtype, std::initializer_list<std::int64_t> shape) noexcept
      : Tensor(const_cast<void*>(data), dtype, shape) {}

  void* data() const noexcept { return data_; }
  DType dtype() const noexcept { return dtype_; }
  int rank() const noexcept { return rank_; }
  std::int64_t dim(int i) const noexcept { return shape_[static_cast<std::size_t>(i)]; }
  std::int64_t stride(int i) const noexcept { return strides_[static_cast<std::size_t>(i)]; }
  std::span<const std::int64_t> shape() const noexcept { return {shape_.data(), static_cast<std::size_t>(rank_)}; }
  std::span<const std::int64_t> strides() const noexcept { return {strides_.data(), static_cast<std::size_t>(rank_)}; }
  /// Number of elements (1 for rank 0, 0 if any dimension is 0).
  std::int64_t numel() const noexcept;
  /// True when the elements are dense and in row-major order (size-1 dims ignored).
  bool is_contiguous() const noexcept;
  /// False when the descriptor could not be built; invalid_reason() says why.
  bool valid() const noexcept { return invalid_ == nullptr; }
  const char* invalid_reason() const noexcept { return invalid_ != nullptr ? invalid_ : ""; }

 private:
  void* data_ = nullptr;
  DType dtype_ = DType::kF32;
  int rank_ = 0;
  std::array<std::int64_t, kMaxRank> shape_{};
  std::array<std::int64_t, kMaxRank> strides_{};
  const char* invalid_ = nullptr;
};

}  // namespace vnpu
