// Kernel-side deadlocks as findings (check/kernel_deadlock.hpp).
#include "check/kernel_deadlock.hpp"

#include <memory>
#include <new>
#include <utility>

#include "check/checker.hpp"

namespace vnpu::detail::check {

void Checker::on_kernel_deadlock(const std::shared_ptr<const Site>& site, std::string what) {
  if (!site) return;
  std::lock_guard lock(mu_);
  // First party: the launch as submitted; second: its blocks as they ran, at the same place.
  Record launch;
  launch.site = site;
  launch.actor = site->actor;
  launch.time = site->time;
  Site blocks = *site;
  blocks.label = "the blocks of kernel";
  report_locked(Kind::kDeadlock, 0, 0, 0, 0, launch, false, blocks,
                "kernel '" + site->name + "': " + what +
                    ". The launch failed (kTaskFailed) instead of hanging; on an NPU it would never finish");
}

void report_kernel_deadlock(const std::string& what) noexcept {
  if (!on()) return;
  const std::shared_ptr<const Site>* site = RunScope::current();
  if (site == nullptr) return;
  try {
    Checker::instance().on_kernel_deadlock(*site, what);
  } catch (const std::bad_alloc&) {
    // Best effort under memory pressure: the launch fails all the same.
  }
}

}  // namespace vnpu::detail::check
