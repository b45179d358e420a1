// vnpu/status.hpp — status codes, the per-thread error message, and Expected<T>.
//
// Every vnpu call that can fail returns a `vnpu::Status` (or an `Expected<T>`
// holding either a value or a Status). On failure the runtime also records a
// human-readable message for the calling thread, readable with
// `vnpu::last_error_message()`. Nothing in vnpu throws except `vnpu::check()`
// and `Expected<T>::value()`, which turn a failure into a `vnpu::Error`.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>

namespace vnpu {

/// Result of a vnpu call. Zero is success; every other value names one kind of failure.
enum class Status : int {
  kSuccess = 0,
  /// An argument is out of its domain: a null pointer where data is required, a zero
  /// size, an unknown enum value, a block count of zero.
  kInvalidArgument = 1,
  /// A Device, Stream or Event handle is empty (default-constructed or moved-from).
  kInvalidHandle = 2,
  /// A pointer was not allocated by vnpu (or was allocated by the other allocator:
  /// `free()` of pinned host memory, `free_host()` of device memory), or points into
  /// memory vnpu freed (use after free; see `MemoryType::kFreed`).
  kInvalidPointer = 3,
  /// The pointer was allocated by vnpu and has already been freed.
  kDoubleFree = 4,
  /// The device's memory capacity (or the host's) cannot satisfy the allocation.
  kOutOfMemory = 5,
  /// A size exceeds its bound: `count > dst_max`, or a copy that runs past the end of
  /// the device allocation it starts in.
  kOutOfRange = 6,
  /// The copy kind does not match the pointers (e.g. kHostToDevice with a device source).
  kInvalidCopyKind = 7,
  /// Work is still pending (returned by `query()`; not an error).
  kNotReady = 8,
  /// A timed wait expired. The object waited on stays usable.
  kTimeout = 9,
  /// A task (kernel, host function) failed: it threw, or returned a failure status.
  /// Reported once, at the next query/synchronize of the task's stream.
  kTaskFailed = 10,
  /// The call is not allowed from where it was made, because it could deadlock:
  /// a blocking wait from inside a kernel or a host callback, destroying a device from
  /// one of its own threads.
  kNotPermitted = 11,
  /// The request is valid but beyond what the device supports (e.g. a cooperative
  /// launch with more blocks than compute cores).
  kNotSupported = 12,
  /// A kernel asked its core's scratch arena for more than its capacity.
  kScratchOverflow = 13,
  /// An event was never recorded, or was created without timing, where a timed,
  /// recorded event is required.
  kEventNotRecorded = 14,
  /// The runtime failed in a way that is not the caller's fault (thread creation, OS error).
  kInternal = 15,
  /// A device id outside 0..Device::count()-1.
  kInvalidDevice = 16,
  /// A tensor's shape, strides or axes are invalid or do not fit the operation: a rank
  /// above kMaxRank, a negative dimension, an axis out of range or repeated, an output
  /// of the wrong shape.
  kInvalidShape = 17,
  /// An element type the operation does not support, or input and output types that do
  /// not go together.
  kInvalidDtype = 18,
};

/// Stable identifier of a status, e.g. "kOutOfRange". Never null.
const char* status_name(Status s) noexcept;

/// The message recorded for the most recent failed vnpu call on this thread, or "" if the
/// last call succeeded. Valid until the next vnpu call on this thread.
const char* last_error_message() noexcept;

/// Exception carrying a Status; thrown only by `check()` and `Expected<T>::value()`.
class Error : public std::runtime_error {
 public:
  Error(Status status, const std::string& what) : std::runtime_error(what), status_(status) {}
  Status status() const noexcept { return status_; }

 private:
  Status status_;
};

/// Throws `Error` (with the thread's last error message) unless `s` is kSuccess.
void check(Status s);

/// Either a value of type T or a failure Status (never kSuccess).
template <class T>
class [[nodiscard]] Expected {
 public:
  Expected(T value) : v_(std::move(value)) {}                          // NOLINT: implicit by design
  Expected(Status status) : v_(status == Status::kSuccess ? Status::kInternal : status) {}  // NOLINT

  bool has_value() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }
  Status status() const noexcept { return has_value() ? Status::kSuccess : std::get<1>(v_); }

  /// The value; throws `Error` if this holds a failure.
  T& value() & {
    if (!has_value()) check(std::get<1>(v_));
    return std::get<0>(v_);
  }
  T&& value() && {
    if (!has_value()) check(std::get<1>(v_));
    return std::get<0>(std::move(v_));
  }
  T& operator*() & { return value(); }
  T* operator->() { return &value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace vnpu
