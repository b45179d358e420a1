// ScratchArena: the memory behind a compute core's Scratch.
#pragma once

#include <cstddef>

namespace vnpu::detail {

/// `capacity` bytes, page aligned, followed by an inaccessible guard page: a kernel that
/// writes past its core's arena faults at once instead of silently corrupting the heap.
/// Pages are touched on first use. data() is null if the memory could not be mapped.
class ScratchArena {
 public:
  explicit ScratchArena(std::size_t capacity) noexcept;
  ~ScratchArena();
  ScratchArena(const ScratchArena&) = delete;
  ScratchArena& operator=(const ScratchArena&) = delete;

  unsigned char* data() const noexcept { return data_; }

 private:
  unsigned char* data_ = nullptr;
  std::size_t mapped_ = 0;
};

}  // namespace vnpu::detail
