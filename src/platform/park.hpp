// Parking threads: an event count over a futex, and the process-wide spin governor.
//
// Waiting in vnpu is "spin for a bounded time, then park". EventCount is the park half:
// a waiter announces itself (prepare_wait), re-checks its condition, and sleeps only if
// no notification happened in between, so wake-ups are never lost. Notifiers pay one
// fence and a load when nobody waits.
//
// SpinGovernor is the spin half's budget: it counts runtime threads that are running
// work or spinning, and refuses new spinners once that count reaches the CPUs the process
// may use, so vnpu never burns a core spinning while more threads are busy than cores.
#pragma once

#include <atomic>
#include <cstdint>

namespace vnpu::detail {

class EventCount {
 public:
  /// Announces a waiter; returns the key to pass to wait().
  std::uint32_t prepare_wait() noexcept {
    waiters_.fetch_add(1, std::memory_order_seq_cst);
    return epoch_.load(std::memory_order_seq_cst);
  }
  /// Withdraws a prepare_wait() whose condition turned out to hold.
  void cancel_wait() noexcept { waiters_.fetch_sub(1, std::memory_order_seq_cst); }
  /// Sleeps until notified after prepare_wait() or until `deadline_ns` (now_ns() clock,
  /// negative: none). Returns false on timeout. Always consumes the prepare_wait().
  bool wait(std::uint32_t key, std::int64_t deadline_ns) noexcept;

  /// Wakes up to `n` waiters (all if n <= 0). Call after publishing the condition.
  void notify(int n) noexcept {
    std::atomic_thread_fence(std::memory_order_seq_cst);
    if (waiters_.load(std::memory_order_relaxed) == 0) return;
    epoch_.fetch_add(1, std::memory_order_seq_cst);
    wake(n);
  }
  void notify_all() noexcept { notify(0); }
  void notify_one() noexcept { notify(1); }
  bool has_waiters() const noexcept { return waiters_.load(std::memory_order_seq_cst) != 0; }

 private:
  void wake(int n) noexcept;
  std::atomic<std::uint32_t> epoch_{0};
  std::atomic<std::int32_t> waiters_{0};
};

class SpinGovernor {
 public:
  static SpinGovernor& instance() noexcept;

  // Runtime workers (compute cores, copy engines, the host-callback thread).
  /// Counts a worker that is about to run work, without a limit.
  void worker_enter() noexcept { workers_.fetch_add(1, std::memory_order_relaxed); }
  /// Counts an idle worker that wants to spin, if one CPU stays free for the application.
  bool worker_try_spin() noexcept { return try_add(workers_, [this](int w) { return w + 1 < limit_; }); }
  /// May a counted idle worker keep spinning? Only while one CPU is left to the application
  /// (whose thread, feeding the runtime, is not counted).
  bool worker_may_spin() const noexcept { return workers_.load(std::memory_order_relaxed) < limit_; }
  void worker_leave() noexcept { workers_.fetch_sub(1, std::memory_order_relaxed); }

  // Application threads waiting in synchronize/query loops.
  /// Counts a waiting host thread as a spinner if runtime workers and spinners stay
  /// within the CPUs.
  bool host_try_spin() noexcept {
    return try_add(hosts_, [this](int h) { return workers_.load(std::memory_order_relaxed) + h + 1 <= limit_; });
  }
  bool host_may_spin() const noexcept {
    return workers_.load(std::memory_order_relaxed) + hosts_.load(std::memory_order_relaxed) <= limit_;
  }
  void host_leave() noexcept { hosts_.fetch_sub(1, std::memory_order_relaxed); }

  int limit() const noexcept { return limit_; }

 private:
  explicit SpinGovernor(int limit) noexcept : limit_(limit) {}
  template <class Ok>
  static bool try_add(std::atomic<int>& counter, Ok ok) noexcept {
    int v = counter.load(std::memory_order_relaxed);
    while (ok(v)) {
      if (counter.compare_exchange_weak(v, v + 1, std::memory_order_relaxed)) return true;
    }
    return false;
  }
  std::atomic<int> workers_{0};
  std::atomic<int> hosts_{0};
  const int limit_;
};

}  // namespace vnpu::detail

namespace vnpu::detail {

/// Waits until `done()` holds: spins up to `spin_ns` if the SpinGovernor allows, then parks
/// on `ec` (whose notifiers must publish before notifying). `deadline_ns` on the now_ns()
/// clock, negative for none. Returns done() — false only on timeout.
template <class Pred>
bool wait_until(Pred&& done, EventCount& ec, std::int64_t spin_ns, std::int64_t deadline_ns);

/// One step of a host thread's spin-wait that started at `start_ns`: pause first, and after
/// kYieldAfterNs yield the CPU instead, so that a runtime thread sharing it (the one being
/// waited for, or one just woken to do the work) gets to run instead of waiting for a time
/// slice. (Idle runtime workers spin with pauses only: yielding there kept a worker and
/// the host thread feeding it sharing one CPU.)
inline constexpr std::int64_t kYieldAfterNs = 2000;
void spin_step(std::int64_t start_ns, std::int64_t now) noexcept;

/// The spin half alone: spins up to `spin_ns` (if the governor allows) until `done()`;
/// returns whether it held.
template <class Pred>
bool spin_then_check(Pred&& done, std::int64_t spin_ns, std::int64_t deadline_ns);

}  // namespace vnpu::detail

#include "platform/park-inl.hpp"
