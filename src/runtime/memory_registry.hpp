// MemoryRegistry: every live vnpu allocation, so any pointer can be classified and every
// free checked (double free, foreign or interior pointer, wrong allocator).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <shared_mutex>
#include <unordered_set>
#include <vector>

#include "vnpu/memory.hpp"

namespace vnpu::detail {

class DeviceImpl;

struct Allocation {
  std::uintptr_t base = 0;
  std::size_t size = 0;
  MemoryType type = MemoryType::kDevice;
  DeviceImpl* device = nullptr;
  int device_id = -1;
};

class MemoryRegistry {
 public:
  static MemoryRegistry& instance();

  void add(const Allocation& a);
  /// The live allocation containing `p`, if any.
  std::optional<Allocation> find(const void* p) const;

  enum class Removed { kOk, kNull, kDoubleFree, kUnknown, kInterior, kWrongType };
  /// Removes the allocation starting at `p` if it has type `type`.
  Removed remove(void* p, MemoryType type, Allocation* out);
  /// Removes and returns every allocation of `device` (device teardown).
  std::vector<Allocation> remove_device(const DeviceImpl* device);

 private:
  mutable std::shared_mutex mu_;
  std::map<std::uintptr_t, Allocation> live_;  // by base address
  // Recently freed base addresses, to tell a double free from a foreign pointer. Bounded;
  // an address leaves it when it is allocated again.
  std::unordered_set<std::uintptr_t> freed_;
  std::deque<std::uintptr_t> freed_order_;
  static constexpr std::size_t kFreedMemory = 65536;
};

/// Checks a copy request; on success returns the resolved kind through `resolved` and the
/// source's classification through `src_type`. `count` must be non-zero.
Status check_copy(void* dst, std::size_t dst_max, const void* src, std::size_t count, CopyKind kind,
                  const char* who, CopyKind* resolved, MemoryType* src_type);
/// Checks a memset request (non-zero `count`).
Status check_memset(void* dst, std::size_t max_count, std::size_t count, const char* who);

}  // namespace vnpu::detail
