// Which runtime thread the caller is, so blocking calls that could deadlock are refused.
#pragma once

namespace vnpu::detail {

enum class ThreadRole { kUser, kComputeCore, kCopyEngine, kHostCallback };

inline thread_local ThreadRole t_role = ThreadRole::kUser;

/// True on vnpu's own threads (inside a kernel, copy or host callback), where a blocking
/// wait could wait for the calling thread itself.
inline bool on_runtime_thread() noexcept { return t_role != ThreadRole::kUser; }

}  // namespace vnpu::detail
