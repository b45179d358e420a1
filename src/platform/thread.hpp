// Thread naming and pinning.
#pragma once

#include <string>
#include <thread>

namespace vnpu::detail {

/// Names the calling thread (visible in debuggers and `top -H`); truncated to 15 bytes.
void set_thread_name(const std::string& name) noexcept;

/// Pins `t` to `cpu`. Returns false where the OS refuses.
bool pin_thread(std::thread& t, int cpu) noexcept;

/// Pins the calling thread to one CPU for the object's lifetime, then gives it back the
/// CPUs it had (the OS moves the thread at once both ways).
class ScopedPin {
 public:
  ScopedPin() noexcept = default;
  ~ScopedPin();
  ScopedPin(const ScopedPin&) = delete;
  ScopedPin& operator=(const ScopedPin&) = delete;
  /// Pins to `cpu`; false (nothing changed) where the OS refuses or when already pinned.
  bool pin(int cpu) noexcept;

 private:
  bool active_ = false;
  alignas(8) unsigned char saved_[128];  // the previous cpu_set_t (1024 CPUs)
};

/// The CPU the calling thread runs on now (a hint: it may move at once), or -1 where the
/// OS does not say.
int current_cpu() noexcept;

}  // namespace vnpu::detail
