// Chrome trace process and thread ids of vnpu's devices and lanes (see chrome_trace.cpp).
#pragma once

#include "vnpu/profiler.hpp"

namespace vnpu::profiler::chrome {

inline int pid_of(int device) noexcept { return device < 0 ? 0 : device + 1; }

inline long long tid_of(LaneKind kind, std::uint32_t index) noexcept {
  const auto i = static_cast<long long>(index);
  switch (kind) {
    case LaneKind::kComputeCore: return 1 + i;
    case LaneKind::kCopyEngine: return 1001 + i;
    case LaneKind::kHostCallback: return 2001;
    case LaneKind::kCommLane: return 3001 + i;
    case LaneKind::kStream: return 10001 + i;
    case LaneKind::kHostThread: return 1 + i;
  }
  return 0;
}

}  // namespace vnpu::profiler::chrome
