#include "platform/thread.hpp"

#if defined(__linux__)
#include <pthread.h>
#include <sched.h>
#endif

namespace vnpu::detail {

void set_thread_name(const std::string& name) noexcept {
#if defined(__linux__)
  pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
#else
  (void)name;
#endif
}

#if defined(__linux__)
namespace {
// Pins thread `t` to `cpu` alone.
bool pin_to(pthread_t t, int cpu) noexcept {
  if (cpu < 0 || cpu >= CPU_SETSIZE) return false;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  return pthread_setaffinity_np(t, sizeof set, &set) == 0;
}
}  // namespace
#endif

bool pin_thread(std::thread& t, int cpu) noexcept {
#if defined(__linux__)
  return pin_to(t.native_handle(), cpu);
#else
  (void)t;
  (void)cpu;
  return false;
#endif
}

#if defined(__linux__)
static_assert(sizeof(cpu_set_t) <= 128, "ScopedPin keeps a cpu_set_t");
#endif

bool ScopedPin::pin(int cpu) noexcept {
#if defined(__linux__)
  if (active_) return false;
  auto* saved = reinterpret_cast<cpu_set_t*>(saved_);
  if (pthread_getaffinity_np(pthread_self(), sizeof(cpu_set_t), saved) != 0) return false;
  active_ = pin_to(pthread_self(), cpu);
  return active_;
#else
  (void)cpu;
  return false;
#endif
}

ScopedPin::~ScopedPin() {
#if defined(__linux__)
  if (active_) (void)pthread_setaffinity_np(pthread_self(), sizeof(cpu_set_t), reinterpret_cast<cpu_set_t*>(saved_));
#endif
}

int current_cpu() noexcept {
#if defined(__linux__)
  return sched_getcpu();
#else
  return -1;
#endif
}

}  // namespace vnpu::detail
