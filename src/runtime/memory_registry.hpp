// MemoryRegistry: vnpu's device and pinned-host allocator, and the record of every live
// allocation, so any pointer can be classified and every free checked.
//
// Freed blocks are not returned to the host allocator: they stay reserved in a cache
// (their physical pages handed back to the OS when large) and serve later allocations of
// the same rounded size, like an accelerator's caching allocator. Because a freed address
// can then only come back through vnpu, freeing it again is known to be a double free,
// and any other unknown pointer is foreign. The cache is bounded; blocks evicted from it
// go back to the host allocator and are forgotten.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <shared_mutex>
#include <tuple>
#include <vector>

#include "vnpu/memory.hpp"
#include "vnpu/status.hpp"

namespace vnpu::detail {

class DeviceImpl;

inline constexpr std::size_t kAllocAlign = 64;
inline constexpr std::size_t round_alloc(std::size_t bytes) { return (bytes + kAllocAlign - 1) / kAllocAlign * kAllocAlign; }

struct Allocation {
  std::uintptr_t base = 0;
  std::size_t size = 0;  // as requested
  MemoryType type = MemoryType::kDevice;
  DeviceImpl* device = nullptr;
  int device_id = -1;
};

class MemoryRegistry {
 public:
  static MemoryRegistry& instance();

  /// Allocates `bytes` (> 0), 64-byte aligned, reusing a cached block of the same rounded
  /// size when there is one. Capacity accounting is the caller's.
  Status allocate(DeviceImpl* device, int device_id, MemoryType type, std::size_t bytes, void** out);

  /// The live allocation containing `p`, if any. Answered from a small per-thread cache
  /// of recent answers while no allocation was made or freed since (an op checks the
  /// same few pointers call after call); else looked up under the lock.
  std::optional<Allocation> find(const void* p) const;
  /// The device owning the live allocation containing `p`, with a reference taken for the
  /// caller; null for other memory or a device already being torn down.
  DeviceImpl* retain_owner(const void* p) const;

  enum class Removed { kOk, kNull, kDoubleFree, kUnknown, kInterior, kWrongType };
  /// Frees the allocation starting at `p` if it has type `type` (into the cache).
  Removed release(void* p, MemoryType type, Allocation* out);

  /// Frees every live and cached block of `device` (device teardown).
  void release_device(const DeviceImpl* device);

 private:
  struct Cached {
    std::size_t rounded;
    MemoryType type;
    const DeviceImpl* device;
    std::uint64_t order;  // position in fifo_
  };
  using Key = std::tuple<const DeviceImpl*, int, std::size_t>;

  void evict_locked(std::uintptr_t base);
  /// The live allocation containing `addr`, or null; mu_ must be held (shared is enough).
  const Allocation* containing_locked(std::uintptr_t addr) const;

  mutable std::shared_mutex mu_;
  // Changes (under mu_ held exclusively) whenever live_ does: a cached answer of find()
  // made at the current epoch is still the answer. Starts at 1: empty cache entries hold 0.
  std::atomic<std::uint64_t> epoch_{1};
  std::map<std::uintptr_t, Allocation> live_;  // by base address
  std::map<std::uintptr_t, Cached> cached_;    // freed blocks still owned by vnpu
  std::multimap<Key, std::uintptr_t> by_size_;
  std::deque<std::pair<std::uint64_t, std::uintptr_t>> fifo_;  // eviction order (stale entries skipped)
  std::uint64_t next_order_ = 0;
  std::size_t resident_cached_bytes_ = 0;  // cached bytes whose pages were not released

  static constexpr std::size_t kMaxCachedBlocks = 1 << 16;
  static constexpr std::size_t kMaxResidentCachedBytes = std::size_t{256} << 20;
  static constexpr std::size_t kReleasePagesAbove = std::size_t{64} << 10;
};

/// Checks a copy request; on success returns the resolved kind through `resolved` and the
/// source's classification through `src_type`. `count` must be non-zero.
Status check_copy(void* dst, std::size_t dst_max, const void* src, std::size_t count, CopyKind kind,
                  const char* who, CopyKind* resolved, MemoryType* src_type);
/// The task and span name of a copy of resolved kind `k`: "memcpy_h2d" and the like.
const char* copy_name(CopyKind k) noexcept;
/// Checks a memset request (non-zero `count`).
Status check_memset(void* dst, std::size_t max_count, std::size_t count, const char* who);

}  // namespace vnpu::detail
