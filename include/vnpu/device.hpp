// vnpu/device.hpp — a device: compute cores, copy engines, scratch and memory capacity.
//
// A device is a set of worker threads: `compute_cores` threads run kernel blocks (pinned
// to CPUs where the OS allows), `copy_engines` threads run copies and memsets beside them
// so copies overlap kernels, and one host thread runs callbacks. Several devices may
// exist at once and share the CPU.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "vnpu/detail/handle.hpp"
#include "vnpu/status.hpp"
#include "vnpu/stream.hpp"

namespace vnpu {



/// How to build a device. Fields left at their "auto" value take the environment variable
/// named beside them, and failing that the default.
struct DeviceConfig {
  /// Compute cores (worker threads). 0: `VNPU_CORES`, else every CPU the process may use
  /// (its affinity mask, capped by the cgroup CPU quota).
  int compute_cores = 0;
  /// Copy-engine threads. -1: `VNPU_COPY_ENGINES`, else 1. 0 runs copies on compute cores.
  int copy_engines = -1;
  /// Scratch (UB) bytes per core. 0: `VNPU_SCRATCH_BYTES`, else the per-core L2 size.
  /// At most kMaxScratchBytes (from either source), else kInvalidArgument.
  std::size_t scratch_bytes = 0;
  static constexpr std::size_t kMaxScratchBytes = std::size_t{1} << 30;
  /// Device memory capacity in bytes. 0: `VNPU_DEVICE_MEMORY`, else half the physical RAM.
  /// At most kMaxMemoryBytes (from either source), else kInvalidArgument.
  std::size_t memory_bytes = 0;
  static constexpr std::size_t kMaxMemoryBytes = std::size_t{1} << 50;
  /// Pin compute threads to CPUs (core k to the k-th CPU of the affinity mask). 1: pin,
  /// 0: never. -1: `VNPU_PIN` (0 disables), else pin. Copy engines and the host-callback
  /// thread are never pinned.
  int pin_threads = -1;
  /// How long an idle worker or a waiting host thread spins before parking, in µs.
  /// -1: `VNPU_SPIN_US`, else 50. Spinning is skipped when the runtime's busy threads
  /// already fill the CPUs. An idle worker whose park was cut short by new work spins
  /// longer next time (twice that park, up to kMaxAdaptiveSpinUs; back to this value
  /// after a longer park); 0 turns spinning off altogether.
  int spin_us = -1;
  /// The longest an idle worker's spin grows to (see spin_us), in µs.
  static constexpr int kMaxAdaptiveSpinUs = 2000;
  /// Make every submission synchronous (debugging). -1: `VNPU_LAUNCH_BLOCKING`, else off.
  int launch_blocking = -1;
  /// Task-queue name shown by tools; empty: "vnpu<id>".
  std::string name;
};

/// The resolved configuration of a live device.
struct DeviceInfo {
  int id = -1;
  std::string name;
  int compute_cores = 0;
  int copy_engines = 0;
  std::size_t scratch_bytes = 0;
  std::size_t memory_bytes = 0;
  bool pinned = false;            ///< compute threads were pinned
  std::vector<int> compute_cpus;  ///< CPU of each compute core, -1 where unpinned
  int spin_us = 0;
  bool launch_blocking = false;
};

struct MemInfo {
  std::size_t free = 0;
  std::size_t total = 0;
};

/// A reference-counted device handle. Every stream keeps its device alive. When the last
/// handle and the last stream are gone, the device finishes the work of its default stream,
/// stops its threads and frees the memory still allocated on it. Dropping a handle never
/// waits for other streams' work (their references keep the device running until it is done).
class Device {
 public:
  /// Creates a new device. kInvalidArgument for negative or absurd values (more than 1024
  /// cores or engines), kInternal if threads cannot be started.
  static Expected<Device> create(const DeviceConfig& config = {});

  /// The process-wide device `id` (0 <= id < count()), created on first use with the
  /// auto configuration and alive until the process exits.
  static Expected<Device> get(int id);
  /// Number of process-wide devices: `VNPU_DEVICES` (1..64), else 1. A value that is not
  /// an integer in that range is ignored with a warning on stderr.
  static int count();
  /// The device that allocated `ptr` (device memory or pinned host memory, any address
  /// inside the allocation). kInvalidArgument for memory vnpu did not allocate.
  static Expected<Device> of(const void* ptr);

  Device() noexcept = default;

  explicit operator bool() const noexcept { return impl_.get() != nullptr; }

  const DeviceInfo& info() const;

  /// The device's default stream. It does not synchronize implicitly with other streams.
  Stream default_stream() const;
  /// A new stream. kInvalidArgument for a priority outside kPriorityHighest..kPriorityLowest.
  Expected<Stream> create_stream(const StreamOptions& options = {}) const;

  /// Waits for the work of every stream of the device submitted so far.
  Status synchronize() const;
  Status synchronize(std::chrono::nanoseconds timeout) const;

  /// Allocates `bytes` (> 0) of device memory, 64-byte aligned. kInvalidArgument for 0,
  /// kOutOfMemory past the capacity.
  Expected<void*> malloc(std::size_t bytes) const;
  /// Allocates pinned host memory, 64-byte aligned (not counted against the capacity).
  Expected<void*> malloc_host(std::size_t bytes) const;
  /// Free and total device memory.
  MemInfo mem_info() const;

  detail::DeviceImpl* impl() const noexcept { return impl_.get(); }

 private:
  explicit Device(detail::DeviceImpl* impl) noexcept : impl_(impl) {}
  detail::Handle<detail::DeviceImpl> impl_;
};

/// True when called on one of vnpu's own threads: inside a kernel, a copy engine or a host
/// function. Blocking waits are refused there (kNotPermitted), since they could wait for
/// the calling thread itself; layers built on vnpu use this to refuse theirs likewise.
bool on_runtime_thread() noexcept;

/// A failed task, as the task-failure hook sees it. The strings are valid during the call.
struct TaskFailure {
  int device = -1;
  std::uint64_t stream = 0;  ///< Stream::id()
  std::uint64_t seq = 0;     ///< the task's 1-based position in its stream
  const char* task = "";     ///< the task's name
  const char* kind = "";     ///< "kernel", "copy", "memset", "host callback"
  Status status = Status::kTaskFailed;
  const char* message = "";  ///< what failed, as the stream will report it
};

/// Called once per failed task, on the thread where it ran, right after the failure is
/// recorded (it is still reported at the stream's next query or synchronize). Must not
/// block or wait on vnpu; exceptions are swallowed.
using TaskFailureHook = void (*)(const TaskFailure& failure);

/// Sets the process-wide TaskFailureHook (null removes it). The AscendCL layer's
/// aclrtSetExceptionInfoCallback is built on it. Thread-safe.
void set_task_failure_hook(TaskFailureHook hook) noexcept;

/// Marks the calling thread, while alive, as running a host callback, as vnpu's own host
/// thread does: blocking waits then return kNotPermitted and launch-blocking submissions do
/// not wait (their failures are reported at the next synchronize). For layers that run
/// callbacks on threads of their own (the AscendCL layer's subscribed threads). Nests.
class HostCallbackScope {
 public:
  HostCallbackScope() noexcept;
  ~HostCallbackScope();
  HostCallbackScope(const HostCallbackScope&) = delete;
  HostCallbackScope& operator=(const HostCallbackScope&) = delete;

 private:
  int previous_;
};

/// While alive, launch-blocking submissions (DeviceConfig::launch_blocking) made by the
/// calling thread return without waiting for their task, as outside that mode; failures
/// are reported at the next synchronize. For a task that only the submitting thread can
/// complete (the AscendCL layer's blocking callback launched by its own processing thread),
/// where waiting would never end. Nests.
class NoLaunchWaitScope {
 public:
  NoLaunchWaitScope() noexcept;
  ~NoLaunchWaitScope();
  NoLaunchWaitScope(const NoLaunchWaitScope&) = delete;
  NoLaunchWaitScope& operator=(const NoLaunchWaitScope&) = delete;
};

/// Work a host thread does while it blocks in a launch-blocking submission
/// (DeviceConfig::launch_blocking): called about every millisecond of the wait, and at its
/// start; returns true if it did something (the wait then checks its target again).
using HostWaitHook = bool (*)();

/// Sets the process-wide HostWaitHook (null removes it). For layers built on vnpu whose
/// threads run work that streams wait for: the AscendCL layer runs the callbacks the
/// waiting thread is subscribed to, so that launch-blocking mode never makes a thread wait
/// for a callback only it can run. The hook runs on the waiting thread, must not block,
/// and may call vnpu. Thread-safe.
void set_host_wait_hook(HostWaitHook hook) noexcept;

}  // namespace vnpu
