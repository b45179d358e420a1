// vnpu/lane.hpp — a lane: a thread of its own beside a device's compute cores and copy
// engines that runs stream tasks handed to it, such as a communicator's collectives.
//
// A task on a lane is ordered in its stream like any other: it starts when the stream's
// earlier work is done, and the stream's later work waits for it. It runs on the lane's
// thread, so it may block for a long time (waiting for another process) without holding
// a compute core, and kernels on other streams run meanwhile. Tasks of one lane run one
// at a time, in the order their streams reach them. The profiler records each as a
// "collective" span on the device's "comm lane N", with the bytes it moved.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <type_traits>
#include <utility>

#include "vnpu/check.hpp"
#include "vnpu/device.hpp"
#include "vnpu/status.hpp"
#include "vnpu/stream.hpp"

namespace vnpu {

namespace detail {
class LaneImpl;
}

class Lane {
 public:
  Lane() noexcept = default;

  /// Starts a lane for the streams of `device`. `name` (truncated to 15 bytes) names its
  /// thread. kInvalidHandle for an empty device, kInternal if the thread cannot start.
  static Expected<Lane> create(const Device& device, std::string_view name);

  explicit operator bool() const noexcept { return impl_ != nullptr; }
  /// The lane's number within its device (the profiler's "comm lane N").
  std::uint32_t index() const noexcept;

  /// Queues `fn` (`void()` or `Status()`) on `stream` (a stream of the lane's device) to run
  /// on this lane. `name` (truncated to 47 bytes) identifies the task in errors and traces;
  /// `bytes` is what it moves, for the profiler; `accesses` declares the memory it reads and
  /// writes, for checked mode. A failure status or an exception marks the task failed (the
  /// stream reports it at its next synchronize). kInvalidHandle for an empty lane or stream,
  /// kInvalidArgument for a stream of another device.
  template <class F>
  Status submit(Stream& stream, std::string_view name, std::uint64_t bytes, F&& fn,
                std::span<const Access> accesses = {}) {
    return submit_erased(stream, name, bytes, detail::host_fn(std::forward<F>(fn)), accesses);
  }

  /// Waits until every task submitted to this lane so far has run. kNotPermitted from a
  /// kernel, a host callback or a lane task.
  Status drain() const;

 private:
  // The last handle waits for the lane's submitted tasks (drain), then stops its thread.
  Status submit_erased(Stream& stream, std::string_view name, std::uint64_t bytes, detail::KernelFn&& fn,
                       std::span<const Access> accesses);
  std::shared_ptr<detail::LaneImpl> impl_;
};

}  // namespace vnpu
