// vnpu/stream.hpp — in-order task queues feeding the compute cores and copy engines.
//
// Work submitted to one stream runs in submission order, each task starting after the
// previous one completed. Different streams run concurrently and are ordered only by
// events. Submitting returns at once (see memcpy_async for the one exception).
//
// A task that fails (a kernel that throws or returns a failure Status) does not stop the
// process or the stream: the failure is kept and reported once, as kTaskFailed, by the
// next query() or synchronize() of that stream, with a message naming the task, the
// stream and the task's sequence number (1-based: the n-th task submitted to the stream).
// Later tasks still run. A query() may report the failure while the stream still has
// work pending; the next query() then answers kNotReady or kSuccess as usual.
//
// Stream is a reference-counted handle. Dropping the last handle of a stream with pending
// work does not wait: the work still runs to completion, then the stream is freed. Memory
// that work uses must stay valid until then. Thread-safe: any number of
// threads may submit to one stream (their tasks interleave in the order the submissions
// happen).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>
#include <utility>

#include "vnpu/detail/function.hpp"
#include "vnpu/event.hpp"
#include "vnpu/kernel.hpp"
#include "vnpu/memory.hpp"
#include "vnpu/detail/handle.hpp"
#include "vnpu/status.hpp"

namespace vnpu {

class Device;

namespace detail {
/// Kernels and host functions travel in the same callable type (a host function ignores
/// the context).
using KernelFn = UniqueFunction<Status(const KernelContext&)>;

/// A host-side function (`void()` or `Status()`) as a KernelFn that ignores its context:
/// host callbacks and lane tasks.
template <class F>
KernelFn host_fn(F&& fn) {
  using R = std::invoke_result_t<const std::decay_t<F>&>;
  static_assert(std::is_same_v<R, Status> || std::is_void_v<R>, "a host function returns void or vnpu::Status");
  return KernelFn([f = std::forward<F>(fn)](const KernelContext&) {
    if constexpr (std::is_same_v<R, Status>) {
      return f();
    } else {
      f();
      return Status::kSuccess;
    }
  });
}
}  // namespace detail

/// Stream priorities: lower numbers are more urgent. When a compute core or copy engine
/// picks its next task, ready work of a more urgent stream goes before queued work of a
/// less urgent one. A task already running is never preempted.
inline constexpr int kPriorityHighest = 0;
inline constexpr int kPriorityNormal = 4;
inline constexpr int kPriorityLowest = 7;

struct StreamOptions {
  int priority = kPriorityNormal;  ///< kPriorityHighest..kPriorityLowest
};

/// What a stream does with its later tasks once one of its tasks has failed.
enum class FailureMode : int {
  /// Later tasks run as usual (the default); the failure is reported at the next query or
  /// synchronize.
  kContinue = 0,
  /// Later tasks are not run — they complete without effect, except event records, which
  /// still complete so that nothing waits forever — until the failure is reported by a
  /// query() or synchronize(), whose message counts the skipped tasks. Then the stream runs
  /// its tasks again.
  kStop = 1,
};

/// How a host callback relates to the work after it in its stream.
enum class CallbackMode : int {
  /// The stream continues at once; the callback runs later on the host thread, still in
  /// order with the stream's other callbacks.
  kNonBlocking = 0,
  /// Later work on the stream waits until the callback has returned.
  kBlocking = 1,
};

class Stream {
 public:
  Stream() noexcept = default;

  explicit operator bool() const noexcept { return impl_.get() != nullptr; }

  /// Device-unique id; the default stream is 0.
  std::uint64_t id() const noexcept;
  int priority() const noexcept;
  int device_id() const noexcept;
  /// Number of tasks submitted to / completed by this stream so far.
  std::uint64_t submitted() const noexcept;
  std::uint64_t completed() const noexcept;

  /// Launches `kernel` over `block_dim` blocks (see kernel.hpp). `kernel` is callable as
  /// `void(const KernelContext&)` or `Status(const KernelContext&)`; a failure status or an
  /// exception marks the task failed. `name` (truncated to 47 bytes) identifies the task
  /// in errors and traces. `block_dim == 0` is kInvalidArgument.
  template <class F>
  Status launch(std::string_view name, std::uint32_t block_dim, F&& kernel) {
    return launch(name, block_dim, LaunchOptions{}, std::forward<F>(kernel));
  }
  /// As above, with options: `options.cooperative` allows the kernel to use barriers
  /// (KernelContext::sync_all / sync_group); then `block_dim` may not exceed the device's
  /// compute cores (kNotSupported), and `options.group_size` sets the group of sync_group().
  template <class F>
  Status launch(std::string_view name, std::uint32_t block_dim, const LaunchOptions& options, F&& kernel) {
    using R = std::invoke_result_t<const std::decay_t<F>&, const KernelContext&>;
    if constexpr (std::is_same_v<R, Status>) {
      return launch_erased(name, block_dim, options, detail::KernelFn(std::forward<F>(kernel)));
    } else {
      static_assert(std::is_void_v<R>, "a kernel returns void or vnpu::Status");
      return launch_erased(name, block_dim, options,
                           detail::KernelFn([k = std::forward<F>(kernel)](const KernelContext& c) {
                             k(c);
                             return Status::kSuccess;
                           }));
    }
  }

  /// Runs `fn` (`void()` or `Status()`) on the device's host-callback thread when the stream
  /// reaches it. Callbacks run exactly once and in stream order. Inside a callback, runtime
  /// calls that submit or query work succeed; blocking waits return kNotPermitted.
  template <class F>
  Status host_func(std::string_view name, F&& fn, CallbackMode mode = CallbackMode::kBlocking) {
    return host_func_erased(name, detail::host_fn(std::forward<F>(fn)), mode);
  }

  /// Queues a copy of `count` bytes on a copy engine. Checks as for `vnpu::memcpy`, done at
  /// submission. If `src` is pageable host memory, the source is consumed (staged) before
  /// this returns, so the caller may reuse it at once; device and pinned sources are read
  /// when the copy runs. A pageable destination must stay valid until the copy completes.
  /// Source and destination may overlap: the copy behaves as memmove (a large copy is
  /// split across the copy engines only when they do not).
  Status memcpy_async(void* dst, std::size_t dst_max, const void* src, std::size_t count,
                      CopyKind kind = CopyKind::kDefault);
  /// Queues a matrix copy (as `vnpu::memcpy_2d`, with its checks) on the copy engines; a
  /// pageable source is consumed (staged) before this returns, as for memcpy_async.
  Status memcpy_2d_async(void* dst, std::size_t dpitch, const void* src, std::size_t spitch, std::size_t width,
                         std::size_t height, CopyKind kind = CopyKind::kDefault);
  /// Queues a memset on a copy engine. Checks as for `vnpu::memset`.
  Status memset_async(void* dst, std::size_t max_count, int value, std::size_t count);

  /// Records `event` at the current end of this stream (see event.hpp).
  Status record(const Event& event);
  /// Makes later work on this stream wait until `event`'s latest record (as of now)
  /// completes. Waiting on a never-recorded event is a no-op.
  Status wait(const Event& event);

  /// Sets what happens after a failed task (FailureMode). kInvalidArgument for an unknown
  /// mode. Takes effect for failures from now on.
  Status set_failure_mode(FailureMode mode);
  /// Drops the tasks queued on this stream that have not started: they complete without
  /// effect (event records still complete), as do tasks submitted later. A task already
  /// running finishes. For a stream about to be destroyed without waiting for its work.
  Status discard_pending();
  /// kSuccess if all submitted work completed, kNotReady if some is pending, or kTaskFailed
  /// for an unreported failure.
  Status query() const;
  /// Waits for all work submitted so far, including non-blocking host callbacks already
  /// reached. Returns kTaskFailed for an unreported failure.
  /// From inside a kernel or host callback: kNotPermitted.
  Status synchronize() const;
  /// As synchronize(), giving up with kTimeout after `timeout` (negative: forever). The
  /// stream stays usable after a timeout.
  Status synchronize(std::chrono::nanoseconds timeout) const;

  detail::StreamImpl* impl() const noexcept { return impl_.get(); }

 private:
  friend class Device;
  explicit Stream(detail::StreamImpl* impl) noexcept : impl_(impl) {}
  Status launch_erased(std::string_view name, std::uint32_t block_dim, const LaunchOptions& options,
                      detail::KernelFn&& fn);
  Status host_func_erased(std::string_view name, detail::KernelFn&& fn, CallbackMode mode);

  detail::Handle<detail::StreamImpl> impl_;
};

}  // namespace vnpu
