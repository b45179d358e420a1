// Cache prefetch hints.
#pragma once

namespace vnpu::detail {

/// Asks for the cache line holding `p` in a state this core may write (exclusive), so a
/// later store to a line another core has read does not stall on taking it back.
/// __builtin_prefetch(p, 1) cannot say so on x86-64 unless the build targets PRFCHW, and
/// falls back to a read prefetch; PREFETCHW itself decodes on every x86-64 (a no-op
/// hint on cores without it).
inline void prefetch_for_write(const void* p) noexcept {
#if defined(__x86_64__)
  asm volatile("prefetchw %0" : : "m"(*static_cast<const char*>(p)));
#else
  __builtin_prefetch(p, 1, 3);
#endif
}

}  // namespace vnpu::detail
