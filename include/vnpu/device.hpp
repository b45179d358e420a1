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
  std::size_t scratch_bytes = 0;
  /// Device memory capacity in bytes. 0: `VNPU_DEVICE_MEMORY`, else half the physical RAM.
  std::size_t memory_bytes = 0;
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

}  // namespace vnpu
