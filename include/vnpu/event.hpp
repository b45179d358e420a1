// vnpu/event.hpp — events: points captured in a stream.
#pragma once

#include <chrono>
#include <cstdint>

#include "vnpu/detail/handle.hpp"
#include "vnpu/status.hpp"

namespace vnpu {



/// Event creation flags (bitwise or).
enum EventFlags : std::uint32_t {
  kEventDefault = 0,
  /// Do not take timestamps; `Event::elapsed_ms` rejects such events.
  kEventDisableTiming = 1u << 0,
  /// Host waits park the thread at once instead of spinning briefly first.
  kEventBlockingSync = 1u << 1,
};

/// An event marks a point in a stream. `Stream::record(e)` captures all work submitted to
/// that stream so far; the event completes when that work has completed. Recording again
/// moves the event to the new point; waits already submitted (`Stream::wait`) keep the
/// point they captured, while `query()`, `synchronize()` and later waits see the latest
/// record. An event that was never recorded counts as complete. Synchronizing a stream
/// implies its recorded events are complete; the reverse holds for the work before the
/// record, not for the stream's counters (`Stream::completed()` may trail by the record).
///
/// Event is a reference-counted handle: copies refer to the same event, and the event is
/// destroyed with its last handle (pending records and waits stay valid). Thread-safe.
class Event {
 public:
  /// Creates an event. Unknown flag bits are kInvalidArgument.
  static Expected<Event> create(std::uint32_t flags = kEventDefault);

  Event() noexcept = default;

  explicit operator bool() const noexcept { return impl_.get() != nullptr; }

  /// kSuccess when the latest record has completed (or there is none), else kNotReady.
  Status query() const;
  /// Waits for the latest record to complete. From inside a kernel or a host callback
  /// this returns kNotPermitted (it could deadlock).
  Status synchronize() const;
  /// As synchronize(), giving up with kTimeout after `timeout` (negative: wait forever).
  Status synchronize(std::chrono::nanoseconds timeout) const;

  /// Milliseconds between two completed, timed records. kEventNotRecorded if either was
  /// never recorded or has timing disabled; kNotReady if either has not completed.
  static Expected<float> elapsed_ms(const Event& start, const Event& end);

  std::uint32_t flags() const noexcept;
  detail::EventImpl* impl() const noexcept { return impl_.get(); }

 private:
  explicit Event(detail::EventImpl* impl) noexcept : impl_(impl) {}
  detail::Handle<detail::EventImpl> impl_;
};

}  // namespace vnpu
