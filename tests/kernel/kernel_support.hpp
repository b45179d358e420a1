// tests/kernel/kernel_support.hpp — helpers of the kernel-model suite (scratch, DMA, barriers).
#pragma once

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <string>
#include <string_view>

#include "support/test_support.hpp"

namespace vnpu::test {

/// A device with `cores` compute cores and a fixed scratch size; nothing comes from the
/// environment, so the suite behaves the same under any VNPU_* settings. More cores than
/// CPUs is allowed (the threads then time-share), so cores are not pinned.
inline Device kernel_device(int cores, std::size_t scratch_bytes = std::size_t{64} << 10) {
  DeviceConfig c;
  c.compute_cores = cores;
  c.copy_engines = 1;
  c.scratch_bytes = scratch_bytes;
  c.memory_bytes = std::size_t{256} << 20;
  c.pin_threads = 0;
  c.launch_blocking = 0;
  return Device::create(c).value();
}

/// Case-insensitive substring test, for error messages.
inline bool contains_nocase(std::string_view haystack, std::string_view needle) {
  auto lower = [](std::string_view s) {
    std::string r(s);
    std::transform(r.begin(), r.end(), r.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return r;
  };
  return lower(haystack).find(lower(needle)) != std::string::npos;
}

/// Waits (bounded) for a stream; a hang shows up as kTimeout instead of a stuck suite.
inline Status bounded_sync(const Stream& s, std::chrono::milliseconds timeout = kLongWait) {
  return s.synchronize(std::chrono::duration_cast<std::chrono::nanoseconds>(timeout));
}

/// Launch options of a cooperative launch (all blocks resident; barriers allowed), in groups
/// of `group_size` blocks (0: one group).
inline LaunchOptions cooperative(std::uint32_t group_size = 0) {
  LaunchOptions o;
  o.cooperative = true;
  o.group_size = group_size;
  return o;
}

}  // namespace vnpu::test
