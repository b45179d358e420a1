// EventImpl: an event handle's state — its flags and its latest point.
#pragma once

#include <cstdint>
#include <mutex>

#include "runtime/event_point.hpp"
#include "runtime/ref.hpp"
#include "vnpu/event.hpp"

namespace vnpu::detail {

class StreamImpl;

class EventImpl final : public RefCounted {
 public:
  explicit EventImpl(std::uint32_t flags) noexcept : flags_(flags) {}

  std::uint32_t flags() const noexcept { return flags_; }
  bool timing() const noexcept { return (flags_ & kEventDisableTiming) == 0; }
  /// The latest point, or null if never recorded.
  Ref<EventPoint> latest() const {
    std::lock_guard lock(mu_);
    return latest_;
  }
  void set_latest(Ref<EventPoint> p) {
    std::lock_guard lock(mu_);
    latest_ = std::move(p);
  }

 private:
  const std::uint32_t flags_;
  mutable std::mutex mu_;
  Ref<EventPoint> latest_;  // guarded by mu_
};

}  // namespace vnpu::detail
