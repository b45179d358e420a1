// Monotonic time in nanoseconds and a CPU pause for spin loops.
#pragma once

#include <chrono>
#include <cstdint>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace vnpu::detail {

inline std::int64_t now_ns() noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

/// Tells the core we are spinning (lets a sibling hyperthread run, saves power).
inline void cpu_relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#elif defined(__aarch64__)
  asm volatile("yield" ::: "memory");
#endif
}

/// One step of a host thread's spin-wait that started at `start_ns`: pause first, and after
/// kYieldAfterNs yield the CPU instead, so that a runtime thread sharing it (the one being
/// waited for, or one just woken to do the work) gets to run instead of waiting for a time
/// slice. (Idle runtime workers spin with pauses only: yielding there kept a worker and
/// the host thread feeding it sharing one CPU.)
inline constexpr std::int64_t kYieldAfterNs = 2000;
void spin_step(std::int64_t start_ns, std::int64_t now) noexcept;

}  // namespace vnpu::detail
