// EventPoint: one record of an event — the point in a stream it captured.
//
// An Event refers to its latest point; a Stream::wait captures the point current at
// submission, so re-recording the event later does not change a wait already queued.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <vector>

#include "platform/park.hpp"
#include "runtime/ref.hpp"

namespace vnpu::detail {

class StreamImpl;

struct EventPoint final : RefCounted {
  EventPoint(bool timed, std::int64_t spin) noexcept : timing(timed), spin_ns(spin) {}

  /// Marks the point reached: stamps the time, wakes host waiters and resumes the
  /// streams waiting on it. Called once, by the stream that recorded it.
  void complete();
  /// Registers `s` to resume when the point completes; false if it already has.
  bool add_waiter(StreamImpl* s);
  bool is_done() const noexcept { return done.load(std::memory_order_acquire); }

  const bool timing;
  const std::int64_t spin_ns;  // host waits spin this long (the recording device's setting)
  std::int64_t time_ns = 0;  // written before `done` is released
  std::atomic<bool> done{false};
  EventCount ec;

 private:
  std::mutex mu_;
  std::vector<StreamImpl*> waiters_;
};

}  // namespace vnpu::detail
