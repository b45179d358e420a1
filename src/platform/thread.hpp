// Thread naming and pinning.
#pragma once

#include <string>
#include <thread>

namespace vnpu::detail {

/// Names the calling thread (visible in debuggers and `top -H`); truncated to 15 bytes.
void set_thread_name(const std::string& name) noexcept;

/// Pins `t` to `cpu`. Returns false where the OS refuses.
bool pin_thread(std::thread& t, int cpu) noexcept;

/// Pins the calling thread to `cpu` (the OS moves it there at once). Returns false where
/// the OS refuses.
bool pin_current_thread(int cpu) noexcept;

/// The CPU the calling thread runs on now (a hint: it may move at once), or -1 where the
/// OS does not say.
int current_cpu() noexcept;

}  // namespace vnpu::detail
