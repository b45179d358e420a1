// Monotonic time in nanoseconds and a CPU pause for spin loops.
#pragma once

#include <chrono>
#include <cstdint>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#include <x86intrin.h>
#endif

namespace vnpu::detail {

inline std::int64_t now_ns() noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

/// A timeline stamp: cheaper than now_ns() where the CPU has a constant-rate counter all
/// cores share — the invariant TSC on x86-64 (about 10 ns to read on a virtual machine,
/// against 25 ns for steady_clock through the vDSO), the virtual counter on AArch64 —
/// else now_ns() itself (then stamp_is_counter() is false and a stamp is in ns). Stamps
/// only compare with stamps; the profiler stamps every span with it and turns stamps into
/// nanoseconds by the rate it measures against now_ns() over each session.
inline bool stamp_is_counter() noexcept {
  static const bool yes = [] {
#if defined(__x86_64__)
    unsigned a = 0, b = 0, c = 0, d = 0;
    __asm__("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0x80000000u), "c"(0u));
    if (a < 0x80000007u) return false;
    __asm__("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0x80000007u), "c"(0u));
    return (d & (1u << 8)) != 0;  // invariant TSC: constant rate, runs in every C-state
#elif defined(__aarch64__)
    return true;
#else
    return false;
#endif
  }();
  return yes;
}

inline std::int64_t stamp() noexcept {
#if defined(__x86_64__)
  if (stamp_is_counter()) return static_cast<std::int64_t>(__rdtsc());
#elif defined(__aarch64__)
  std::uint64_t v;
  asm volatile("mrs %0, cntvct_el0" : "=r"(v));
  return static_cast<std::int64_t>(v);
#endif
  return now_ns();
}

/// Tells the core we are spinning (lets a sibling hyperthread run, saves power).
inline void cpu_relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#elif defined(__aarch64__)
  asm volatile("yield" ::: "memory");
#endif
}

}  // namespace vnpu::detail
