// vnpu/kernel.hpp — what a kernel sees when it runs.
//
// A launch with `block_dim = B` runs the kernel once per block index 0..B-1, spread over
// the device's compute cores; blocks of one launch run concurrently on different cores
// where cores are free. The serial loop it replaces:
//
//     for (uint32_t b = 0; b < B; ++b) kernel(KernelContext{block_idx = b, block_dim = B});
//
// The kernel object is shared by all blocks (it is called through a const reference),
// so a kernel must not mutate its captures without synchronization.
#pragma once

#include <cstdint>

namespace vnpu {

class KernelContext {
 public:
  /// Index of this block, 0 <= block_idx() < block_dim().
  std::uint32_t block_idx() const noexcept { return block_idx_; }
  /// Number of blocks in the launch.
  std::uint32_t block_dim() const noexcept { return block_dim_; }
  /// Index of the compute core running this block, 0 <= core() < compute_cores.
  std::uint32_t core() const noexcept { return core_; }
  /// Id of the device the kernel runs on.
  int device_id() const noexcept { return device_id_; }

  KernelContext(std::uint32_t block_idx, std::uint32_t block_dim, std::uint32_t core, int device_id) noexcept
      : block_idx_(block_idx), block_dim_(block_dim), core_(core), device_id_(device_id) {}

 private:
  std::uint32_t block_idx_;
  std::uint32_t block_dim_;
  std::uint32_t core_;
  int device_id_;
};

}  // namespace vnpu
