// tests/support/test_support.hpp — helpers shared by the vnpu test suites.
//
// Tests never assert on timing. Anything that blocks (a kernel waiting for the test to
// release it, the test waiting for a kernel to start) waits on a flag with a generous
// bound, so a runtime bug makes the test fail instead of hanging the suite.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <thread>
#include <utility>

#include "vnpu/vnpu.hpp"

namespace vnpu::test {

using namespace std::chrono_literals;

/// How long a test waits for something that must happen (a bug, not slowness, exceeds it).
inline constexpr std::chrono::milliseconds kLongWait = 10s;

/// True when built with ThreadSanitizer or AddressSanitizer (GCC and Clang spellings).
inline constexpr bool kThreadSanitizer =
#if defined(__SANITIZE_THREAD__)
    true;
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
    true;
#else
    false;
#endif
#else
    false;
#endif

inline constexpr bool kAddressSanitizer =
#if defined(__SANITIZE_ADDRESS__)
    true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
    true;
#else
    false;
#endif
#else
    false;
#endif

/// Divides a stress iteration count for sanitizer builds (TSan runs these loops ~5-15x
/// slower, ASan ~2-3x), never below `floor`.
inline int scaled(int n, int floor = 1) {
  int d = kThreadSanitizer ? 4 : (kAddressSanitizer ? 2 : 1);
  int v = n / d;
  return v < floor ? floor : v;
}

/// Polls `pred` until it holds or `timeout` passes. Returns the last value of `pred`.
template <class Pred>
bool wait_until(Pred&& pred, std::chrono::milliseconds timeout = kLongWait) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (int i = 0;; ++i) {
    if (pred()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return pred();
    if (i < 64) {
      std::this_thread::yield();
    } else {
      std::this_thread::sleep_for(100us);
    }
  }
}

/// A one-shot flag shared by copies of the handle, safe to capture by value in kernels
/// and callbacks (it outlives the test body if a failed assertion returns early).
class Flag {
 public:
  Flag() : s_(std::make_shared<std::atomic<bool>>(false)) {}
  void set() const noexcept { s_->store(true, std::memory_order_release); }
  bool is_set() const noexcept { return s_->load(std::memory_order_acquire); }
  /// Waits (bounded) for the flag; true if it was set.
  bool wait(std::chrono::milliseconds timeout = kLongWait) const {
    return wait_until([this] { return is_set(); }, timeout);
  }

 private:
  std::shared_ptr<std::atomic<bool>> s_;
};

/// Sets a flag when the scope ends, so a failed assertion never leaves a kernel blocked.
class ScopedRelease {
 public:
  explicit ScopedRelease(Flag f) : f_(std::move(f)) {}
  ~ScopedRelease() { f_.set(); }
  ScopedRelease(const ScopedRelease&) = delete;
  ScopedRelease& operator=(const ScopedRelease&) = delete;

 private:
  Flag f_;
};

/// Sets (or with nullopt, unsets) an environment variable for the scope, then restores it.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, std::optional<std::string> value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value) {
      ::setenv(name, value->c_str(), 1);
    } else {
      ::unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_.c_str(), old_->c_str(), 1);
    } else {
      ::unsetenv(name_.c_str());
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  std::string name_;
  std::optional<std::string> old_;
};

/// A device with `cores` compute cores and `engines` copy engines; the other fields are
/// fixed (not taken from the environment) so tests behave the same everywhere.
inline Expected<Device> make_device(int cores, int engines = 1, std::size_t memory_bytes = std::size_t{256} << 20) {
  DeviceConfig c;
  c.compute_cores = cores;
  c.copy_engines = engines;
  c.memory_bytes = memory_bytes;
  c.launch_blocking = 0;
  return Device::create(c);
}

/// Submits a one-block kernel that sets `started` and then waits (bounded) for `release`.
/// The stream is blocked behind it until `release` is set.
inline Status launch_blocker(Stream& s, const Flag& started, const Flag& release,
                             std::string_view name = "blocker") {
  return s.launch(name, 1, [started, release](const KernelContext&) {
    started.set();
    release.wait();
  });
}

}  // namespace vnpu::test

#define EXPECT_OK(expr) EXPECT_EQ((expr), ::vnpu::Status::kSuccess)
#define ASSERT_OK(expr) ASSERT_EQ((expr), ::vnpu::Status::kSuccess)

namespace vnpu {
// Lets GoogleTest print a Status by name in failure messages.
inline void PrintTo(Status s, std::ostream* os) { *os << status_name(s); }
}  // namespace vnpu
