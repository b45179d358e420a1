#include "hccl/comm_registry.hpp"

#include <cstdint>
#include <mutex>
#include <unordered_map>

namespace vnpu::hccl {

namespace {
// Handles are numbers, never addresses, so that a destroyed communicator's handle never
// names a later one.
std::uint64_t g_next = 0;  // guarded by g_mu
std::mutex g_mu;
std::unordered_map<const void*, std::shared_ptr<CommObj>>& live() {
  static auto* m = new std::unordered_map<const void*, std::shared_ptr<CommObj>>();  // outlives exit-time calls
  return *m;
}
}  // namespace

void* add_comm(std::unique_ptr<CommObj> c) {
  std::shared_ptr<CommObj> s(std::move(c));
  std::lock_guard lock(g_mu);
  void* h = reinterpret_cast<void*>(static_cast<std::uintptr_t>(0x48430000u + 16 * ++g_next));
  live().emplace(h, std::move(s));
  return h;
}

std::shared_ptr<CommObj> find_comm(const void* handle) {
  std::lock_guard lock(g_mu);
  const auto it = live().find(handle);
  return it == live().end() ? nullptr : it->second;
}

std::shared_ptr<CommObj> remove_comm(const void* handle) {
  std::lock_guard lock(g_mu);
  const auto it = live().find(handle);
  if (it == live().end()) return nullptr;
  std::shared_ptr<CommObj> c = std::move(it->second);
  live().erase(it);
  return c;
}

}  // namespace vnpu::hccl
