// StreamImpl: an in-order task queue and the logic that walks it across engines.
//
// Submitters push onto a TaskQueue (lock-free in the common case). Exactly one thread at
// a time *owns* the stream's progress: it takes tasks from the head and runs them.
// Ownership moves with the work — to a compute core for a kernel, to a copy engine for a
// copy, to the host-callback thread for a blocking callback, to whoever completes an
// event the stream waits on — and ends when the queue is empty.
//
// One atomic word, `state_`, holds the number of tasks submitted (shifted left by one)
// and an "active" bit (someone owns the stream). A submitter claims its sequence number
// and sets the bit in one CAS; if the bit was clear, it becomes the owner. The owner lets
// go only by clearing the bit with a CAS that expects the submitted count to equal what it
// has taken, so a task is never left behind, and no fence is needed on the submit path.
// While a stream is active it holds a reference to itself, so dropping the last handle
// lets queued work finish.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "platform/park.hpp"
#include "runtime/engine_pool.hpp"
#include "runtime/ref.hpp"
#include "runtime/task.hpp"
#include "runtime/task_queue.hpp"
#include "vnpu/status.hpp"

namespace vnpu::detail {

class DeviceImpl;

class StreamImpl final : public RefCounted {
 public:
  StreamImpl(DeviceImpl* device, std::uint64_t id, int priority, bool holds_device);
  ~StreamImpl() override;

  DeviceImpl* device() const noexcept { return device_; }
  std::uint64_t id() const noexcept { return id_; }
  int priority() const noexcept { return priority_; }
  std::uint64_t submitted() const noexcept { return state_.load(std::memory_order_acquire) >> 1; }
  std::uint64_t completed() const noexcept { return completed_.load(std::memory_order_acquire); }

  /// Appends a task built in place by `init(Task&)`. In launch-blocking mode also waits
  /// for it and returns its failure.
  template <class Init>
  Status submit(Init&& init) {
    // Claim a sequence number and mark the stream active in one step.
    std::uint64_t w = state_.load(std::memory_order_relaxed);
    while (!state_.compare_exchange_weak(w, (w + 2) | 1, std::memory_order_acq_rel, std::memory_order_relaxed)) {
    }
    const std::uint64_t seq = (w >> 1) + 1;
    queue_.emplace(seq - 1, [&](Task& t) {  // the owner waits for a claimed task to appear
      init(t);
      t.seq = seq;
    });
    // The common case (the stream already has an owner, launches are asynchronous) stays
    // inline: a submission is a few tens of nanoseconds.
    if ((w & 1) != 0 && !launch_blocking_) return Status::kSuccess;
    return submitted(seq, (w & 1) == 0);
  }

  /// kSuccess, kNotReady or kTaskFailed (reporting and clearing a kept failure).
  Status query();
  /// Waits until everything submitted before the call has completed.
  Status synchronize(std::int64_t timeout_ns);
  /// True when all work submitted up to `target` (and every non-blocking callback) is done.
  bool reached(std::uint64_t target) const noexcept {
    return completed_.load(std::memory_order_acquire) >= target &&
           callbacks_pending_.load(std::memory_order_acquire) == 0;
  }
  /// Waits for reached(target); false on timeout. Does not report failures. With `assist`,
  /// the waiting thread runs the host wait hook (set_host_wait_hook) while it waits.
  bool wait_reached(std::uint64_t target, std::int64_t deadline_ns, bool assist = false);

  /// Runs tasks from the head while they belong on `self`'s pool (any pool if `self` is
  /// null: then only engine-less tasks run here and the rest are dispatched). The caller
  /// must own the stream.
  void run(Worker* self);
  /// Completes the head task (the owner calls this) — bookkeeping and wake-ups.
  void complete_head() noexcept;
  /// Records a failure of `task` (first one wins until reported; later ones are counted),
  /// calls the task-failure hook, and in FailureMode::kStop starts skipping later tasks.
  void record_failure(const Task& task, Status status, const char* what) noexcept;
  /// Stream::set_failure_mode / Stream::discard_pending.
  void set_stop_on_failure(bool stop) noexcept { stop_on_failure_.store(stop, std::memory_order_release); }
  void discard_pending() noexcept { skipping_.store(kSkipForever, std::memory_order_release); }
  /// Executes one part of a kernel/copy/memset task.
  void run_part(Task& task, std::uint32_t part, const Worker& self) noexcept;
  /// Runs one block of kernel `task` in `ctx`: the kernel, its failure, its pending DMA, its
  /// exit from the launch's barriers.
  void run_block(Task& task, const KernelContext& ctx) noexcept;
  void run_block_body(Task& task, const KernelContext& ctx) noexcept;
  /// Resumes a stream suspended on an event point (called by the completer).
  void resume() { run(nullptr); }
  /// Marks one non-blocking callback as finished (called by the host executor).
  void finish_callback() noexcept;
  /// Number of tasks a stream runs before checking whether equally urgent work waits.
  static constexpr int kFairnessBatch = 64;
  /// How long a worker that emptied the stream keeps it, waiting for more tasks, when no
  /// other work waits. Saves a reschedule per task when a host thread feeds a stream
  /// about as fast as the core drains it.
  static constexpr std::int64_t kLingerNs = 20000;
  /// How long a waiter with a host wait hook parks between runs of the hook.
  static constexpr std::int64_t kHookSliceNs = 1000000;

 private:
  /// The head task, or null when the owner should let go (queue empty after lingering);
  /// in that case ownership has been released (and `this` may be gone).
  Task* next_or_release(Worker* self);
  Status take_failure();
  /// The part of submit() after the task is queued: take ownership, launch-blocking wait.
  Status submitted(std::uint64_t seq, bool became_owner);
  void execute_part(Task& task, std::uint32_t part, const Worker& self) noexcept;
  void execute_guarded_part(Task& task, std::uint32_t part) noexcept;
  void execute_transfer_part(Task& task, std::uint32_t part) noexcept;
  // Profiler capture (stream_profile.cpp), called only while the profiler is on.
  void profile_part(Task& task, std::uint32_t part, const Worker& self) noexcept;
  void profile_event(const Task& task) noexcept;
  EnginePool* pool_for(TaskKind k) const noexcept;

  DeviceImpl* const device_;
  const std::uint64_t id_;
  const int priority_;
  const bool holds_device_;  // non-default streams keep their device alive
  const bool launch_blocking_;  // the device's launch-blocking mode (fixed at its creation)

  TaskQueue queue_;
  // Own cache lines: submitters write state_ per task, the owner writes completed_ per
  // task; sharing a line would bounce it between the two cores every task.
  alignas(64) std::atomic<std::uint64_t> state_{0};  // (submitted << 1) | active

  alignas(64) std::atomic<std::uint64_t> completed_{0};
  std::atomic<std::int64_t> callbacks_pending_{0};
  // Host waiters park on done_ and register the smallest target they wait for in
  // wake_at_; completions notify only once that target is reached, so a waiting host
  // thread is not woken for every task.
  EventCount done_;
  std::atomic<std::uint64_t> wake_at_{~std::uint64_t{0}};
  void notify_done() noexcept;

  struct Failure {
    std::string message;
    std::uint64_t more = 0;  // failures recorded after the first, before it was reported
  };
  std::mutex failure_mu_;
  std::optional<Failure> failure_;  // guarded by failure_mu_
  std::atomic<bool> has_failure_{false};
  // Skipping later tasks instead of running them: after a failure in stop mode (until it is
  // reported), or for good after discard_pending().
  static constexpr int kSkipUntilReported = 1;
  static constexpr int kSkipForever = 2;
  std::atomic<bool> stop_on_failure_{false};
  std::atomic<int> skipping_{0};
  std::atomic<std::uint64_t> skipped_{0};  // tasks skipped since the last report
};

}  // namespace vnpu::detail
