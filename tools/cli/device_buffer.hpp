// tools/cli/device_buffer.hpp — device memory that frees itself, for the subcommands that
// stage data on a device (`vnpu op`, `vnpu bench`).
#pragma once

#include <algorithm>
#include <cstddef>

#include "vnpu/device.hpp"
#include "vnpu/memory.hpp"

namespace vnpu::cli {

/// `bytes` of device memory (at least one byte is allocated, so empty tensors still get a
/// valid pointer). Throws vnpu::Error when the allocation fails.
class DeviceBuffer {
 public:
  DeviceBuffer(const Device& dev, std::size_t bytes)
      : ptr_(dev.malloc(std::max<std::size_t>(bytes, 1)).value()), bytes_(bytes) {}
  ~DeviceBuffer() { (void)vnpu::free(ptr_); }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  void* get() const noexcept { return ptr_; }
  std::size_t bytes() const noexcept { return bytes_; }

 private:
  void* ptr_;
  std::size_t bytes_;
};

}  // namespace vnpu::cli
