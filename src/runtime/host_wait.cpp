// on_runtime_thread(), the scopes that change how a host thread waits, and the process-wide
// hooks (host wait, task failure).
#include <atomic>

#include "runtime/thread_role.hpp"

namespace vnpu {
namespace {
std::atomic<HostWaitHook> g_hook{nullptr};
std::atomic<TaskFailureHook> g_failure_hook{nullptr};
}  // namespace

bool on_runtime_thread() noexcept { return detail::on_runtime_thread(); }

HostCallbackScope::HostCallbackScope() noexcept : previous_(static_cast<int>(detail::t_role)) {
  detail::t_role = detail::ThreadRole::kHostCallback;
}

HostCallbackScope::~HostCallbackScope() { detail::t_role = static_cast<detail::ThreadRole>(previous_); }

NoLaunchWaitScope::NoLaunchWaitScope() noexcept { ++detail::t_no_launch_wait; }

NoLaunchWaitScope::~NoLaunchWaitScope() { --detail::t_no_launch_wait; }

void set_host_wait_hook(HostWaitHook hook) noexcept { g_hook.store(hook, std::memory_order_release); }

void set_task_failure_hook(TaskFailureHook hook) noexcept { g_failure_hook.store(hook, std::memory_order_release); }

namespace detail {
HostWaitHook host_wait_hook() noexcept { return g_hook.load(std::memory_order_acquire); }
TaskFailureHook task_failure_hook() noexcept { return g_failure_hook.load(std::memory_order_acquire); }
}  // namespace detail

}  // namespace vnpu
