// vnpu/detail/function.hpp — a move-only type-erased callable with inline storage.
//
// Tasks carry their kernel or host function in one of these. Callables up to
// kInlineBytes, aligned to at most 8 bytes and nothrow-movable are stored in place, so
// submitting a lambda with a dozen captured pointers, or a kernel and its packed
// arguments, allocates nothing; others go to the heap. (A heap-held callable costs far
// more than its allocation: the submitting thread allocates it and the core frees it, and
// that cross-thread pair took about 300 ns per launch on the reference machine.)
#pragma once

#include <cstddef>
#include <cstring>
#include <new>
#include <type_traits>
#include <utility>

namespace vnpu::detail {

template <class Sig>
class UniqueFunction;

template <class R, class... Args>
class UniqueFunction<R(Args...)> {
 public:
  static constexpr std::size_t kInlineBytes = 136;
  static constexpr std::size_t kInlineAlign = 8;

  UniqueFunction() noexcept = default;
  UniqueFunction(std::nullptr_t) noexcept {}  // NOLINT

  template <class F, class D = std::decay_t<F>,
            class = std::enable_if_t<!std::is_same_v<D, UniqueFunction> && std::is_invocable_r_v<R, const D&, Args...>>>
  UniqueFunction(F&& f) {  // NOLINT: implicit like std::function
    if constexpr (fits_inline<D>()) {
      ::new (static_cast<void*>(buf_)) D(std::forward<F>(f));
      ops_ = &kInlineOps<D>;
    } else {
      *reinterpret_cast<D**>(buf_) = new D(std::forward<F>(f));
      ops_ = &kHeapOps<D>;
    }
  }

  UniqueFunction(UniqueFunction&& o) noexcept : ops_(o.ops_) {
    relocate_from(o);
  }
  UniqueFunction& operator=(UniqueFunction&& o) noexcept {
    if (this != &o) {
      reset();
      ops_ = o.ops_;
      relocate_from(o);
    }
    return *this;
  }
  UniqueFunction(const UniqueFunction&) = delete;
  UniqueFunction& operator=(const UniqueFunction&) = delete;
  // Destruction writes nothing for trivial callables: a consumed task's memory stays
  // clean in the consumer's cache, so the producer can reuse it cheaply.
  ~UniqueFunction() {
    if (ops_ != nullptr && ops_->destroy != nullptr) ops_->destroy(buf_);
  }

  explicit operator bool() const noexcept { return ops_ != nullptr; }

  /// Calls the target. Const: a kernel object is shared by all blocks of a launch.
  R operator()(Args... args) const { return ops_->call(buf_, std::forward<Args>(args)...); }

  void reset() noexcept {
    if (ops_ != nullptr && ops_->destroy != nullptr) ops_->destroy(buf_);
    ops_ = nullptr;
  }
  /// True if destroying the target runs code (a non-trivial or heap-held callable).
  bool needs_destroy() const noexcept { return ops_ != nullptr && ops_->destroy != nullptr; }

 private:
  // move/destroy are null for trivially copyable callables: they relocate by memcpy and
  // need no destructor, which keeps queueing a task cheap.
  struct Ops {
    R (*call)(const unsigned char*, Args&&...);
    void (*move)(unsigned char* from, unsigned char* to) noexcept;
    void (*destroy)(unsigned char*) noexcept;
    bool large;  // an inline callable beyond kHotBytes
  };
  static constexpr std::size_t kHotBytes = 48;

  void relocate_from(UniqueFunction& o) noexcept {
    if (ops_ == nullptr) return;
    if (ops_->move != nullptr) {
      ops_->move(o.buf_, buf_);
    } else {
      // Most callables are small: copying only their first bytes leaves the rest of the
      // buffer (a task cell's later cache lines) untouched.
      std::memcpy(buf_, o.buf_, kHotBytes);
      if (ops_->large) std::memcpy(buf_ + kHotBytes, o.buf_ + kHotBytes, kInlineBytes - kHotBytes);
    }
    o.ops_ = nullptr;
  }

  template <class D>
  static constexpr bool is_trivial() {
    return std::is_trivially_copyable_v<D> && std::is_trivially_destructible_v<D>;
  }

  template <class D>
  static constexpr bool fits_inline() {
    return sizeof(D) <= kInlineBytes && alignof(D) <= kInlineAlign &&
           std::is_nothrow_move_constructible_v<D>;
  }

  template <class D>
  static constexpr Ops kInlineOps = {
      [](const unsigned char* b, Args&&... a) -> R {
        return (*std::launder(reinterpret_cast<const D*>(b)))(std::forward<Args>(a)...);
      },
      is_trivial<D>() ? nullptr
                      : +[](unsigned char* from, unsigned char* to) noexcept {
                          D* src = std::launder(reinterpret_cast<D*>(from));
                          ::new (static_cast<void*>(to)) D(std::move(*src));
                          src->~D();
                        },
      is_trivial<D>() ? nullptr : +[](unsigned char* b) noexcept { std::launder(reinterpret_cast<D*>(b))->~D(); },
      sizeof(D) > kHotBytes,
  };

  template <class D>
  static constexpr Ops kHeapOps = {
      [](const unsigned char* b, Args&&... a) -> R {
        return (**reinterpret_cast<D* const*>(b))(std::forward<Args>(a)...);
      },
      nullptr,  // the pointer relocates by memcpy
      [](unsigned char* b) noexcept { delete *reinterpret_cast<D**>(b); },
      false,
  };

  // The table first: a task queue keeps it on the line it reads anyway, and a callable
  // without captures then needs no other line to be called.
  const Ops* ops_ = nullptr;
  alignas(kInlineAlign) unsigned char buf_[kInlineBytes];
};

}  // namespace vnpu::detail
