// vnpu/detail/handle.hpp — the shared-ownership pointer inside Device, Stream and Event.
//
// The runtime objects are reference counted; a handle holds one reference. Copies share
// the object, moves transfer it, and the object goes when its last reference does.
#pragma once

#include <utility>

namespace vnpu::detail {

class DeviceImpl;
class StreamImpl;
class EventImpl;

// Defined in the library (the Impl types are private).
void retain(DeviceImpl* p) noexcept;
void release(DeviceImpl* p) noexcept;
void retain(StreamImpl* p) noexcept;
void release(StreamImpl* p) noexcept;
void retain(EventImpl* p) noexcept;
void release(EventImpl* p) noexcept;

template <class Impl>
class Handle {
 public:
  Handle() noexcept = default;
  /// Adopts a reference the caller owns.
  explicit Handle(Impl* p) noexcept : p_(p) {}
  Handle(const Handle& o) noexcept : p_(o.p_) {
    if (p_ != nullptr) retain(p_);
  }
  Handle(Handle&& o) noexcept : p_(std::exchange(o.p_, nullptr)) {}
  Handle& operator=(Handle o) noexcept {
    std::swap(p_, o.p_);
    return *this;
  }
  ~Handle() {
    if (p_ != nullptr) release(p_);
  }
  Impl* get() const noexcept { return p_; }

 private:
  Impl* p_ = nullptr;
};

}  // namespace vnpu::detail
