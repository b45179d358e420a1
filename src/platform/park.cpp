#include "platform/park.hpp"

#include <climits>

#include "platform/clock.hpp"
#include "vnpu/platform.hpp"

#include <sched.h>

#if defined(__linux__)
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <ctime>
#else
#include <chrono>
#include <thread>
#endif

namespace vnpu::detail {

#if defined(__linux__)
bool EventCount::wait(std::uint32_t key, std::int64_t deadline_ns) noexcept {
  bool notified = true;
  while (epoch_.load(std::memory_order_acquire) == key) {
    timespec ts{};
    timespec* tsp = nullptr;
    if (deadline_ns >= 0) {
      const std::int64_t left = deadline_ns - now_ns();
      if (left <= 0) {
        notified = false;
        break;
      }
      ts.tv_sec = static_cast<time_t>(left / 1000000000);
      ts.tv_nsec = static_cast<long>(left % 1000000000);
      tsp = &ts;
    }
    syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&epoch_), FUTEX_WAIT_PRIVATE, key, tsp, nullptr, 0);
  }
  waiters_.fetch_sub(1, std::memory_order_seq_cst);
  return notified;
}

void EventCount::wake(int n) noexcept {
  syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&epoch_), FUTEX_WAKE_PRIVATE, n <= 0 ? INT_MAX : n, nullptr,
          nullptr, 0);
}
#else
// Portable fallback: C++20 atomic wait has no timeout, so timed waits poll.
bool EventCount::wait(std::uint32_t key, std::int64_t deadline_ns) noexcept {
  bool notified = true;
  while (epoch_.load(std::memory_order_acquire) == key) {
    if (deadline_ns < 0) {
      epoch_.wait(key, std::memory_order_acquire);
      continue;
    }
    if (now_ns() >= deadline_ns) {
      notified = false;
      break;
    }
    std::this_thread::sleep_for(std::chrono::microseconds(50));
  }
  waiters_.fetch_sub(1, std::memory_order_seq_cst);
  return notified;
}

void EventCount::wake(int n) noexcept {
  if (n == 1) {
    epoch_.notify_one();
  } else {
    epoch_.notify_all();
  }
}
#endif

void yield_cpu() noexcept { sched_yield(); }

SpinGovernor& SpinGovernor::instance() noexcept {
  // Leaked on purpose: worker threads may still use it while static destructors run.
  static SpinGovernor* g = new SpinGovernor(cpu_info().usable_cpus);
  return *g;
}

}  // namespace vnpu::detail
