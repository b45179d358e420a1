#include "runtime/device_impl.hpp"

#include <algorithm>
#include <cstdlib>
#include <new>
#include <thread>

#include "common/env.hpp"
#include "common/error.hpp"
#include "profiler/capture.hpp"
#include "runtime/stream_impl.hpp"
#include "runtime/thread_role.hpp"
#include "vnpu/platform.hpp"

namespace vnpu::detail {
namespace {

constexpr int kMaxThreads = 1024;

Status resolve(const DeviceConfig& c, int id, DeviceInfo* out) {
  const CpuInfo& cpu = cpu_info();
  DeviceInfo info;
  info.id = id;
  info.name = c.name.empty() ? "vnpu" + std::to_string(id) : c.name;

  if (c.compute_cores < 0 || c.compute_cores > kMaxThreads)
    return fail(Status::kInvalidArgument, "DeviceConfig.compute_cores = %d: must be 0 (auto) or 1..%d",
                c.compute_cores, kMaxThreads);
  info.compute_cores = c.compute_cores;
  if (info.compute_cores == 0) {
    const auto e = env_int("VNPU_CORES");
    if (e && (*e < 1 || *e > kMaxThreads))
      return fail(Status::kInvalidArgument, "VNPU_CORES=%lld: must be 1..%d", static_cast<long long>(*e), kMaxThreads);
    info.compute_cores = e ? static_cast<int>(*e) : cpu.usable_cpus;
  }

  if (c.copy_engines < -1 || c.copy_engines > kMaxThreads)
    return fail(Status::kInvalidArgument, "DeviceConfig.copy_engines = %d: must be -1 (auto) or 0..%d",
                c.copy_engines, kMaxThreads);
  info.copy_engines = c.copy_engines;
  if (info.copy_engines < 0) {
    const auto e = env_int("VNPU_COPY_ENGINES");
    if (e && (*e < 0 || *e > kMaxThreads))
      return fail(Status::kInvalidArgument, "VNPU_COPY_ENGINES=%lld: must be 0..%d", static_cast<long long>(*e),
                  kMaxThreads);
    info.copy_engines = e ? static_cast<int>(*e) : 1;
  }

  if (c.scratch_bytes > DeviceConfig::kMaxScratchBytes)
    return fail(Status::kInvalidArgument, "DeviceConfig.scratch_bytes = %zu: must be at most %zu (1 GiB)",
                c.scratch_bytes, DeviceConfig::kMaxScratchBytes);
  info.scratch_bytes = c.scratch_bytes;
  if (info.scratch_bytes == 0) {
    const auto e = env_bytes("VNPU_SCRATCH_BYTES");
    if (e && *e > DeviceConfig::kMaxScratchBytes)
      return fail(Status::kInvalidArgument, "VNPU_SCRATCH_BYTES=%s: must be at most %zu bytes (1 GiB)",
                  std::getenv("VNPU_SCRATCH_BYTES"), DeviceConfig::kMaxScratchBytes);
    info.scratch_bytes = e ? *e : (cpu.l2_per_core != 0 ? cpu.l2_per_core : std::size_t{256} << 10);
  }
  if (c.memory_bytes > DeviceConfig::kMaxMemoryBytes)
    return fail(Status::kInvalidArgument, "DeviceConfig.memory_bytes = %zu: must be at most %zu (1 PiB)",
                c.memory_bytes, DeviceConfig::kMaxMemoryBytes);
  info.memory_bytes = c.memory_bytes;
  if (info.memory_bytes == 0) {
    const auto e = env_bytes("VNPU_DEVICE_MEMORY");
    if (e && *e > DeviceConfig::kMaxMemoryBytes)
      return fail(Status::kInvalidArgument, "VNPU_DEVICE_MEMORY=%s: must be at most %zu bytes (1 PiB)",
                  std::getenv("VNPU_DEVICE_MEMORY"), DeviceConfig::kMaxMemoryBytes);
    info.memory_bytes = e ? *e : (cpu.memory_bytes != 0 ? cpu.memory_bytes / 2 : std::size_t{4} << 30);
  }

  if (c.pin_threads < -1 || c.launch_blocking < -1)
    return fail(Status::kInvalidArgument, "DeviceConfig.%s = %d: must be -1 (auto), 0 or 1",
                c.pin_threads < -1 ? "pin_threads" : "launch_blocking",
                c.pin_threads < -1 ? c.pin_threads : c.launch_blocking);
  // Pinned cores stay put, so the scheduler balances the application's (unpinned) threads
  // around them; unpinned, it sometimes stacks a busy core and the thread feeding it on one
  // CPU (measured: enqueue 115-124 ns/task pinned in 6 of 6 runs, up to 641 unpinned).
  bool pin = true;
  if (c.pin_threads >= 0) {
    pin = c.pin_threads != 0;
  } else if (const auto e = env_int("VNPU_PIN")) {
    pin = *e != 0;
  }
  info.compute_cpus.assign(static_cast<std::size_t>(info.compute_cores), -1);
  if (pin && !cpu.affinity.empty()) {
    for (int i = 0; i < info.compute_cores; ++i)
      info.compute_cpus[static_cast<std::size_t>(i)] = cpu.affinity[static_cast<std::size_t>(i) % cpu.affinity.size()];
  }

  if (c.spin_us < -1) return fail(Status::kInvalidArgument, "DeviceConfig.spin_us = %d: must be >= -1", c.spin_us);
  info.spin_us = c.spin_us;
  if (info.spin_us < 0) {
    const auto e = env_int("VNPU_SPIN_US");
    if (e && (*e < 0 || *e > 1000000))
      return fail(Status::kInvalidArgument, "VNPU_SPIN_US=%lld: must be 0..1000000", static_cast<long long>(*e));
    info.spin_us = e ? static_cast<int>(*e) : 50;
  }
  if (c.launch_blocking >= 0) {
    info.launch_blocking = c.launch_blocking != 0;
  } else if (const auto e = env_int("VNPU_LAUNCH_BLOCKING")) {
    info.launch_blocking = *e != 0;
  }
  *out = std::move(info);
  return Status::kSuccess;
}

}  // namespace

DeviceImpl::DeviceImpl(DeviceInfo info) : info_(std::move(info)) {}

Status DeviceImpl::create(const DeviceConfig& config, int id, DeviceImpl** out) {
  DeviceInfo info;
  VNPU_TRY(resolve(config, id, &info));
  DeviceImpl* d = new (std::nothrow) DeviceImpl(std::move(info));
  if (d == nullptr) return fail(Status::kOutOfMemory, "Device::create: out of memory");
  const std::int64_t spin = d->spin_ns();
  try {
    d->compute_ = std::make_unique<EnginePool>(d, ThreadRole::kComputeCore, d->info_.name + "-core",
                                               d->info_.compute_cores, d->info_.compute_cpus, spin);
    if (d->info_.copy_engines > 0)
      d->copy_ = std::make_unique<EnginePool>(d, ThreadRole::kCopyEngine, d->info_.name + "-dma",
                                              d->info_.copy_engines, std::vector<int>{}, spin);
    d->host_ = std::make_unique<HostExecutor>(d->info_.name, spin);
    d->default_stream_ = new StreamImpl(d, 0, kPriorityNormal, /*holds_device=*/false);
  } catch (const std::bad_alloc&) {
    delete d;
    return fail(Status::kOutOfMemory, "Device::create: out of memory");
  }
  if (!d->compute_->start() || (d->copy_ && !d->copy_->start()) || !d->host_->start()) {
    delete d;
    return Status::kInternal;  // message recorded by start()
  }
  d->info_.pinned = d->compute_->pinned();
  if (!d->info_.pinned) std::fill(d->info_.compute_cpus.begin(), d->info_.compute_cpus.end(), -1);
  prof::device_created(d->info_.id, d->info_.name, d->info_.compute_cores, d->info_.copy_engines);
  *out = d;
  return Status::kSuccess;
}

DeviceImpl::~DeviceImpl() {
  if (default_stream_ != nullptr) {
    default_stream_->wait_reached(default_stream_->submitted(), -1);
  }
  if (copy_) copy_->stop();
  if (compute_) compute_->stop();
  if (host_) host_->stop();
  if (default_stream_ != nullptr) default_stream_->release();
  MemoryRegistry::instance().release_device(this);
  prof::device_destroyed(info_.id);
}

void DeviceImpl::destroy() noexcept {
  // A device cannot join its own threads: when its last reference goes on one of them
  // (or on any runtime thread), tear it down from a fresh thread.
  if (on_runtime_thread()) {
    try {
      std::thread([this] { delete this; }).detach();
      return;
    } catch (...) {
      // Cannot start a thread: leak the device rather than deadlock.
      return;
    }
  }
  delete this;
}

Status DeviceImpl::new_stream(int priority, StreamImpl** out) {
  if (priority < kPriorityHighest || priority > kPriorityLowest)
    return fail(Status::kInvalidArgument, "stream priority %d: must be %d (highest) .. %d (lowest)", priority,
                kPriorityHighest, kPriorityLowest);
  auto* s = new (std::nothrow) StreamImpl(this, next_stream_id_.fetch_add(1), priority, /*holds_device=*/true);
  if (s == nullptr) return fail(Status::kOutOfMemory, "create_stream: out of memory");
  *out = s;
  return Status::kSuccess;
}

void DeviceImpl::register_stream(StreamImpl* s) {
  std::lock_guard lock(streams_mu_);
  streams_.push_back(s);
}

void DeviceImpl::unregister_stream(StreamImpl* s) {
  std::lock_guard lock(streams_mu_);
  streams_.erase(std::remove(streams_.begin(), streams_.end(), s), streams_.end());
}

Status DeviceImpl::synchronize(std::int64_t timeout_ns) {
  if (on_runtime_thread())
    return fail(Status::kNotPermitted, "Device::synchronize from inside a kernel or host callback would deadlock");
  const prof::HostWaitSpan span("device_synchronize", 0);
  std::vector<std::pair<Ref<StreamImpl>, std::uint64_t>> targets;
  {
    std::lock_guard lock(streams_mu_);
    for (StreamImpl* s : streams_)
      if (s->try_retain()) targets.emplace_back(Ref<StreamImpl>::adopt(s), s->submitted());
  }
  const std::int64_t deadline = timeout_ns < 0 ? -1 : now_ns() + timeout_ns;
  Status result = Status::kSuccess;
  for (auto& [s, target] : targets) {
    if (!s->wait_reached(target, deadline))
      return fail(Status::kTimeout, "Device::synchronize: device %d timed out on stream %llu", id(),
                  static_cast<unsigned long long>(s->id()));
    const Status q = s->query();
    if (q == Status::kTaskFailed && result == Status::kSuccess) result = fail_msg(q, last_error_message());
  }
  return result;
}

Status DeviceImpl::allocate(std::size_t bytes, MemoryType type, void** out) {
  const char* who = type == MemoryType::kDevice ? "Device::malloc" : "Device::malloc_host";
  if (bytes == 0) return fail(Status::kInvalidArgument, "%s: size 0", who);
  if (bytes > (std::size_t{1} << 56)) return fail(Status::kOutOfMemory, "%s: %zu bytes is beyond any machine", who, bytes);
  const std::size_t rounded = round_alloc(bytes);
  if (type == MemoryType::kDevice) {
    std::size_t used = used_.load(std::memory_order_relaxed);
    do {
      const std::size_t free = info_.memory_bytes - std::min(used, info_.memory_bytes);
      if (rounded > free)
        return fail(Status::kOutOfMemory, "%s: %zu bytes requested, %zu of %zu free on device %d", who, bytes, free,
                    info_.memory_bytes, id());
    } while (!used_.compare_exchange_weak(used, used + rounded, std::memory_order_relaxed));
  }
  const Status st = MemoryRegistry::instance().allocate(this, info_.id, type, bytes, out);
  if (st != Status::kSuccess && type == MemoryType::kDevice) used_.fetch_sub(rounded, std::memory_order_relaxed);
  return st;
}

void DeviceImpl::deallocate(const Allocation& a) noexcept {
  if (a.type == MemoryType::kDevice) used_.fetch_sub(round_alloc(a.size), std::memory_order_relaxed);
}

MemInfo DeviceImpl::mem_info() const noexcept {
  const std::size_t used = std::min(used_.load(std::memory_order_relaxed), info_.memory_bytes);
  return MemInfo{info_.memory_bytes - used, info_.memory_bytes};
}

}  // namespace vnpu::detail
