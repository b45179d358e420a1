// Template body of wait_until (included by park.hpp).
#pragma once

#include "platform/clock.hpp"

namespace vnpu::detail {

template <class Pred, class MaySpin>
bool spin_then_check(Pred&& done, std::int64_t spin_ns, std::int64_t deadline_ns, MaySpin&& may_spin) {
  SpinGovernor& gov = SpinGovernor::instance();
  if (spin_ns <= 0 || !may_spin() || !gov.host_try_spin()) return false;
  const std::int64_t start = now_ns();
  std::int64_t end = start + spin_ns;
  if (deadline_ns >= 0 && deadline_ns < end) end = deadline_ns;
  bool ok = false;
  for (std::int64_t now = start;; now = now_ns()) {
    if ((ok = spin_step(start, now, done))) break;
    if (!gov.host_may_spin() || !may_spin() || now_ns() >= end) break;
  }
  gov.host_leave();
  return ok;
}

template <class Pred>
bool wait_until(Pred&& done, EventCount& ec, std::int64_t spin_ns, std::int64_t deadline_ns) {
  if (done()) return true;
  if (spin_then_check(done, spin_ns, deadline_ns)) return true;
  for (;;) {
    const std::uint32_t key = ec.prepare_wait();
    if (done()) {
      ec.cancel_wait();
      return true;
    }
    const bool woken = ec.wait(key, deadline_ns);
    SpinGovernor::instance().thread_resumed();
    if (!woken) return done();
  }
}

}  // namespace vnpu::detail
