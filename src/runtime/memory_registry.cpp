#include "runtime/memory_registry.hpp"

#include <mutex>

namespace vnpu::detail {

MemoryRegistry& MemoryRegistry::instance() {
  static MemoryRegistry* r = new MemoryRegistry();  // leaked: valid while the process exits
  return *r;
}

void MemoryRegistry::add(const Allocation& a) {
  std::unique_lock lock(mu_);
  live_[a.base] = a;
  if (freed_.erase(a.base) != 0) {
    // The address is live again; its stale entry in freed_order_ is skipped at eviction.
  }
}

std::optional<Allocation> MemoryRegistry::find(const void* p) const {
  const auto addr = reinterpret_cast<std::uintptr_t>(p);
  std::shared_lock lock(mu_);
  auto it = live_.upper_bound(addr);
  if (it == live_.begin()) return std::nullopt;
  --it;
  if (addr - it->second.base < it->second.size) return it->second;
  return std::nullopt;
}

MemoryRegistry::Removed MemoryRegistry::remove(void* p, MemoryType type, Allocation* out) {
  if (p == nullptr) return Removed::kNull;
  const auto addr = reinterpret_cast<std::uintptr_t>(p);
  std::unique_lock lock(mu_);
  auto it = live_.find(addr);
  if (it == live_.end()) {
    if (freed_.count(addr) != 0) return Removed::kDoubleFree;
    auto up = live_.upper_bound(addr);
    if (up != live_.begin() && addr - std::prev(up)->second.base < std::prev(up)->second.size) {
      *out = std::prev(up)->second;
      return Removed::kInterior;
    }
    return Removed::kUnknown;
  }
  if (it->second.type != type) {
    *out = it->second;
    return Removed::kWrongType;
  }
  *out = it->second;
  live_.erase(it);
  freed_.insert(addr);
  freed_order_.push_back(addr);
  while (freed_order_.size() > kFreedMemory) {
    freed_.erase(freed_order_.front());
    freed_order_.pop_front();
  }
  return Removed::kOk;
}

std::vector<Allocation> MemoryRegistry::remove_device(const DeviceImpl* device) {
  std::vector<Allocation> out;
  std::unique_lock lock(mu_);
  for (auto it = live_.begin(); it != live_.end();) {
    if (it->second.device == device) {
      out.push_back(it->second);
      it = live_.erase(it);
    } else {
      ++it;
    }
  }
  return out;
}

}  // namespace vnpu::detail
