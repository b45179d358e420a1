// Which runtime thread the caller is, so blocking calls that could deadlock are refused.
#pragma once

#include "vnpu/device.hpp"

namespace vnpu::detail {

enum class ThreadRole { kUser, kComputeCore, kCopyEngine, kHostCallback };

inline thread_local ThreadRole t_role = ThreadRole::kUser;
/// NoLaunchWaitScope nesting depth of the calling thread.
inline thread_local int t_no_launch_wait = 0;

/// True on vnpu's own threads (inside a kernel, copy or host callback), where a blocking
/// wait could wait for the calling thread itself.
inline bool on_runtime_thread() noexcept { return t_role != ThreadRole::kUser; }

/// The hook set by vnpu::set_host_wait_hook (null: none).
HostWaitHook host_wait_hook() noexcept;
/// The hook set by vnpu::set_task_failure_hook (null: none).
TaskFailureHook task_failure_hook() noexcept;

}  // namespace vnpu::detail
