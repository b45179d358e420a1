// Public Device methods and the process-wide device table.
#include <atomic>
#include <mutex>

#include "check/checker.hpp"
#include "common/env.hpp"
#include "common/error.hpp"
#include "runtime/device_impl.hpp"
#include "runtime/event_impl.hpp"
#include "runtime/memory_registry.hpp"
#include "runtime/stream_impl.hpp"
#include "vnpu/device.hpp"

namespace vnpu {

using detail::fail;

namespace {

constexpr int kMaxDevices = 64;

struct DeviceTable {
  std::mutex mu;  // serializes creation
  // Created on first use under mu, never destroyed: once set, read without the lock.
  std::atomic<detail::DeviceImpl*> devices[kMaxDevices] = {};
  int count = 0;
  std::atomic<int> next_private_id{0};
};

DeviceTable& table() {
  // Leaked on purpose: process-wide devices outlive static destruction, so a process
  // that exits without tearing anything down exits cleanly.
  static DeviceTable* t = [] {
    auto* tab = new DeviceTable();
    const auto n = detail::env_int_in("VNPU_DEVICES", 1, kMaxDevices);
    tab->count = n ? static_cast<int>(*n) : 1;
    tab->next_private_id = tab->count;
    return tab;
  }();
  return *t;
}

}  // namespace

int Device::count() { return table().count; }

Expected<Device> Device::get(int id) {
  detail::clear_error();
  DeviceTable& t = table();
  if (id < 0 || id >= t.count)
    return fail(Status::kInvalidDevice, "Device::get(%d): valid ids are 0..%d (set VNPU_DEVICES for more)", id,
                t.count - 1);
  detail::DeviceImpl* d = t.devices[id].load(std::memory_order_acquire);
  if (d == nullptr) {
    std::lock_guard lock(t.mu);
    d = t.devices[id].load(std::memory_order_relaxed);
    if (d == nullptr) {
      VNPU_TRY(detail::DeviceImpl::create(DeviceConfig{}, id, &d));
      t.devices[id].store(d, std::memory_order_release);  // the table's reference is never released
    }
  }
  d->retain();
  return Device(d);
}

Expected<Device> Device::create(const DeviceConfig& config) {
  detail::clear_error();
  detail::DeviceImpl* d = nullptr;
  VNPU_TRY(detail::DeviceImpl::create(config, table().next_private_id.fetch_add(1), &d));
  return Device(d);
}


const DeviceInfo& Device::info() const {
  static const DeviceInfo kEmpty{};
  return impl() != nullptr ? impl()->info() : kEmpty;
}

Expected<Device> Device::of(const void* ptr) {
  detail::clear_error();
  detail::DeviceImpl* d = detail::MemoryRegistry::instance().retain_owner(ptr);
  if (d == nullptr) return fail(Status::kInvalidArgument, "Device::of(%p): not memory vnpu allocated", ptr);
  return Device(d);  // adopts the reference retain_owner took
}

Stream Device::default_stream() const {
  if (impl() == nullptr) return Stream();
  detail::StreamImpl* s = impl()->default_stream();
  s->retain();
  return Stream(s);
}

Expected<Stream> Device::create_stream(const StreamOptions& options) const {
  detail::clear_error();
  if (impl() == nullptr) return fail(Status::kInvalidHandle, "Device::create_stream: empty device handle");
  detail::StreamImpl* s = nullptr;
  VNPU_TRY(impl()->new_stream(options.priority, &s));
  return Stream(s);
}

Status Device::synchronize() const { return synchronize(std::chrono::nanoseconds(-1)); }

Status Device::synchronize(std::chrono::nanoseconds timeout) const {
  detail::clear_error();
  if (impl() == nullptr) return fail(Status::kInvalidHandle, "Device::synchronize: empty device handle");
  if (!detail::check::on()) return impl()->synchronize(timeout.count());
  detail::check::Checker& checker = detail::check::Checker::instance();
  if (detail::on_runtime_thread()) checker.on_refused_wait("Device::synchronize", __builtin_return_address(0));
  // Checked: the calling thread now follows everything submitted to the device before.
  return checker.waited(checker.device_clock(impl()->id()), [&] { return impl()->synchronize(timeout.count()); });
}

Expected<void*> Device::malloc(std::size_t bytes) const {
  detail::clear_error();
  if (impl() == nullptr) return fail(Status::kInvalidHandle, "Device::malloc: empty device handle");
  void* p = nullptr;
  VNPU_TRY(impl()->allocate(bytes, MemoryType::kDevice, &p));
  return p;
}

Expected<void*> Device::malloc_host(std::size_t bytes) const {
  detail::clear_error();
  if (impl() == nullptr) return fail(Status::kInvalidHandle, "Device::malloc_host: empty device handle");
  void* p = nullptr;
  VNPU_TRY(impl()->allocate(bytes, MemoryType::kPinnedHost, &p));
  return p;
}

MemInfo Device::mem_info() const { return impl() != nullptr ? impl()->mem_info() : MemInfo{}; }

}  // namespace vnpu

namespace vnpu::detail {
void retain(DeviceImpl* p) noexcept { p->retain(); }
void release(DeviceImpl* p) noexcept { p->release(); }
void retain(StreamImpl* p) noexcept { p->retain(); }
void release(StreamImpl* p) noexcept { p->release(); }
void retain(EventImpl* p) noexcept { p->retain(); }
void release(EventImpl* p) noexcept { p->release(); }
}  // namespace vnpu::detail
