// Intrusive reference counting for runtime objects (devices, streams, events, event
// points). Public handles hold one reference each; queued work holds more.
#pragma once

#include <atomic>
#include <cstdint>
#include <utility>

namespace vnpu::detail {

class RefCounted {
 public:
  RefCounted() = default;
  RefCounted(const RefCounted&) = delete;
  RefCounted& operator=(const RefCounted&) = delete;

  void retain() noexcept { refs_.fetch_add(1, std::memory_order_relaxed); }
  /// Takes a reference only if the object is still alive (count > 0). Seeing a count of
  /// zero acquires it: whatever the last owner did before its release (a stream completing
  /// its tasks) happens before the caller's decision to skip the object.
  bool try_retain() noexcept {
    std::uint32_t r = refs_.load(std::memory_order_acquire);
    while (r != 0) {
      if (refs_.compare_exchange_weak(r, r + 1, std::memory_order_acquire)) return true;
    }
    return false;
  }
  void release() noexcept {
    if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) destroy();
  }

 protected:
  virtual ~RefCounted() = default;
  /// Called when the last reference goes; deletes by default.
  virtual void destroy() noexcept { delete this; }

 private:
  std::atomic<std::uint32_t> refs_{1};
};

/// Owning pointer to a RefCounted object.
template <class T>
class Ref {
 public:
  Ref() noexcept = default;
  /// Adopts a reference the caller already owns (e.g. a fresh `new T`).
  static Ref adopt(T* p) noexcept {
    Ref r;
    r.p_ = p;
    return r;
  }
  /// Takes a new reference to `p`.
  static Ref share(T* p) noexcept {
    if (p != nullptr) p->retain();
    return adopt(p);
  }
  Ref(const Ref& o) noexcept : p_(o.p_) {
    if (p_ != nullptr) p_->retain();
  }
  Ref(Ref&& o) noexcept : p_(std::exchange(o.p_, nullptr)) {}
  Ref& operator=(Ref o) noexcept {
    std::swap(p_, o.p_);
    return *this;
  }
  ~Ref() {
    if (p_ != nullptr) p_->release();
  }
  T* get() const noexcept { return p_; }
  T* operator->() const noexcept { return p_; }
  T& operator*() const noexcept { return *p_; }
  explicit operator bool() const noexcept { return p_ != nullptr; }
  /// Gives up ownership without releasing.
  T* leak() noexcept { return std::exchange(p_, nullptr); }

 private:
  T* p_ = nullptr;
};

}  // namespace vnpu::detail
