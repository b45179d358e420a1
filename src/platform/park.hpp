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

#include "platform/clock.hpp"

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
  /// Returns false if nobody was waiting.
  bool notify(int n) noexcept {
    std::atomic_thread_fence(std::memory_order_seq_cst);
    if (waiters_.load(std::memory_order_relaxed) == 0) return false;
    epoch_.fetch_add(1, std::memory_order_seq_cst);
    wake(n);
    return true;
  }
  bool notify_all() noexcept { return notify(0); }
  bool notify_one() noexcept { return notify(1); }
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

  // Parked threads being woken. The OS tends to queue a woken thread on the CPU it last
  // ran on (or on its waker's), behind whatever runs there now; if that is an idle worker
  // spinning, the woken thread waits for the end of a time slice (up to milliseconds
  // measured) unless the spinner yields. This holds for host threads woken from a
  // synchronize and for parked workers woken for new work alike: a compute core woken for
  // a kernel behind a copy engine spinning idle on its CPU started ~2 ms late, on every
  // other batch of a one-stream copy/kernel pipeline.
  /// A runtime thread has just woken a parked thread (a host thread in a synchronize or
  /// event wait, or a worker for new work).
  void thread_woken(std::int64_t now) noexcept { woken_at_.store(now, std::memory_order_relaxed); }
  /// A woken thread runs again: spinners may stop yielding.
  void thread_resumed() noexcept {
    if (woken_at_.load(std::memory_order_relaxed) != kNever) woken_at_.store(kNever, std::memory_order_relaxed);
  }
  /// Should an idle worker yield its CPU instead of pausing? While a woken thread may
  /// still wait for a CPU (at most kYieldToWokenNs after the wake-up).
  bool yield_to_woken(std::int64_t now) const noexcept {
    return now - woken_at_.load(std::memory_order_relaxed) < kYieldToWokenNs;
  }
  static constexpr std::int64_t kYieldToWokenNs = 2'000'000;

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
  static constexpr std::int64_t kNever = INT64_MIN / 2;  // "now - kNever" cannot overflow
  std::atomic<int> workers_{0};
  std::atomic<int> hosts_{0};
  std::atomic<std::int64_t> woken_at_{kNever};
  const int limit_;
};

}  // namespace vnpu::detail

namespace vnpu::detail {

/// Waits until `done()` holds: spins up to `spin_ns` if the SpinGovernor allows, then parks
/// on `ec` (whose notifiers must publish before notifying). `deadline_ns` on the now_ns()
/// clock, negative for none. Returns done() — false only on timeout.
template <class Pred>
bool wait_until(Pred&& done, EventCount& ec, std::int64_t spin_ns, std::int64_t deadline_ns);

/// One step of a host thread's spin-wait that started at `start_ns`: up to 16 pauses, with
/// `done()` checked before each (a pause takes ~25 ns on AMD Zen, ~40 on recent Intel
/// cores: sixteen of them before each check once added ~200 ns to every round trip on
/// average); after kYieldAfterNs, a yield of the CPU instead, so that a runtime thread
/// sharing it (the one being waited for, or one just woken to do the work) gets to run
/// instead of waiting for a time slice. Returns done(). (Idle runtime workers spin with
/// pauses only, except just after they woke a parked host thread — see
/// SpinGovernor::yield_to_woken: yielding always kept a worker and the host thread feeding
/// it sharing one CPU.)
inline constexpr std::int64_t kYieldAfterNs = 2000;
/// sched_yield().
void yield_cpu() noexcept;
template <class Pred>
bool spin_step(std::int64_t start_ns, std::int64_t now, Pred&& done) {
  if (now - start_ns < kYieldAfterNs) {
    for (int i = 0; i < 16; ++i) {
      if (done()) return true;
      cpu_relax();
    }
  } else {
    yield_cpu();
  }
  return done();
}

/// The spin half alone: spins up to `spin_ns` (if the governor allows) until `done()`;
/// returns whether it held. `may_spin()`, checked before every step, can refuse the spin
/// for reasons the governor cannot see (see StreamImpl::wait_reached).
template <class Pred, class MaySpin>
bool spin_then_check(Pred&& done, std::int64_t spin_ns, std::int64_t deadline_ns, MaySpin&& may_spin);
template <class Pred>
bool spin_then_check(Pred&& done, std::int64_t spin_ns, std::int64_t deadline_ns) {
  return spin_then_check(done, spin_ns, deadline_ns, [] { return true; });
}

}  // namespace vnpu::detail

#include "platform/park-inl.hpp"
