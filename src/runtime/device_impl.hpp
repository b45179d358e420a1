// DeviceImpl: the engines, streams and memory accounting of one device.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "runtime/engine_pool.hpp"
#include "runtime/host_executor.hpp"
#include "runtime/memory_registry.hpp"
#include "runtime/ref.hpp"
#include "vnpu/device.hpp"

namespace vnpu::detail {

class StreamImpl;

class DeviceImpl final : public RefCounted {
 public:
  /// Resolves `config` (API, then environment, then defaults), starts the threads.
  static Status create(const DeviceConfig& config, int id, DeviceImpl** out);

  int id() const noexcept { return info_.id; }
  const DeviceInfo& info() const noexcept { return info_; }
  EnginePool& compute() noexcept { return *compute_; }
  /// The copy engines, or the compute pool when the device has none.
  EnginePool& copy() noexcept { return copy_ ? *copy_ : *compute_; }
  HostExecutor& host() noexcept { return *host_; }
  bool launch_blocking() const noexcept { return info_.launch_blocking; }
  std::int64_t spin_ns() const noexcept { return static_cast<std::int64_t>(info_.spin_us) * 1000; }
  int copy_engines() const noexcept { return info_.copy_engines; }

  StreamImpl* default_stream() const noexcept { return default_stream_; }
  Status new_stream(int priority, StreamImpl** out);
  void register_stream(StreamImpl* s);
  void unregister_stream(StreamImpl* s);

  /// Waits for the work of every stream submitted so far; reports a kept task failure.
  Status synchronize(std::int64_t timeout_ns);

  Status allocate(std::size_t bytes, MemoryType type, void** out);
  /// Accounts for an allocation the registry has released.
  void deallocate(const Allocation& a) noexcept;
  MemInfo mem_info() const noexcept;

 protected:
  void destroy() noexcept override;

 private:
  explicit DeviceImpl(DeviceInfo info);
  ~DeviceImpl() override;

  DeviceInfo info_;
  std::unique_ptr<EnginePool> compute_;
  std::unique_ptr<EnginePool> copy_;
  std::unique_ptr<HostExecutor> host_;
  StreamImpl* default_stream_ = nullptr;

  std::mutex streams_mu_;
  std::vector<StreamImpl*> streams_;  // guarded by streams_mu_
  std::atomic<std::uint64_t> next_stream_id_{1};
  std::atomic<std::size_t> used_{0};
};

}  // namespace vnpu::detail
