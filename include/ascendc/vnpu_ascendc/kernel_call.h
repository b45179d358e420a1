// vnpu_ascendc/kernel_call.h — a kernel and its arguments, packed for a launch.
//
// A launch converts its arguments to the kernel's parameter types once (kernel_argument)
// and stores them as bytes, as the chip copies kernel arguments into the launch; every
// block then calls the kernel with copies of them. The bytes travel inside the launch's
// stream task, so queueing a kernel allocates nothing. Kernel parameters must therefore be
// trivially copyable — on the chip they are copied as bytes too: GM_ADDR pointers,
// scalars, tiling structs.
#pragma once

#include <array>
#include <cstddef>
#include <cstring>
#include <type_traits>
#include <utility>

namespace vnpu::ascendc {

/// What a launch runs on every block: `invoke(kernel, args)`, where `args` points to
/// `args_bytes` bytes of packed arguments (a launch copies them; they need to live only
/// until the launching call returns).
struct KernelCall {
  using Invoke = void (*)(void (*kernel)(), const unsigned char* args);
  Invoke invoke = nullptr;
  void (*kernel)() = nullptr;
  const unsigned char* args = nullptr;
  std::size_t args_bytes = 0;
};

/// A launch argument as the kernel's parameter type P: pointers convert to pointer
/// parameters whatever they point to (a sample passes `uint8_t*` or `float*` for GM_ADDR);
/// a pointer given for a parameter of class type (a tiling struct passed by value) is the
/// host address of its value, copied at the launch; numbers convert as in a call (without
/// the narrowing warnings a generic forwarder would raise), everything else as in a call.
template <typename P, typename A>
P kernel_argument(A&& a) {
  using D = std::decay_t<A>;
  if constexpr (std::is_pointer_v<P> && std::is_pointer_v<D>) {
    return reinterpret_cast<P>(const_cast<void*>(static_cast<const volatile void*>(a)));
  } else if constexpr (std::is_pointer_v<P> && std::is_null_pointer_v<D>) {
    return nullptr;
  } else if constexpr (std::is_class_v<P> && std::is_pointer_v<D>) {
    P value;  // the launch checked the address (null_struct_address)
    std::memcpy(static_cast<void*>(&value), static_cast<const void*>(a), sizeof(P));
    return value;
  } else if constexpr (std::is_arithmetic_v<P> && std::is_arithmetic_v<D>) {
    return static_cast<P>(a);
  } else {
    return std::forward<A>(a);
  }
}

/// Whether argument `a` is a null host address given for a by-value struct parameter P.
template <typename P, typename A>
bool null_struct_address(const A& a) {
  if constexpr (std::is_class_v<P> && std::is_pointer_v<std::decay_t<A>>) return a == nullptr;
  else return false;
}

/// Where each of the parameters P... lies in the packed bytes (natural alignment), and
/// their total size.
template <typename... P>
struct ArgLayout {
  static constexpr std::array<std::size_t, sizeof...(P) + 1> kOffsets = [] {
    constexpr std::size_t sizes[] = {sizeof(P)..., 0};
    constexpr std::size_t aligns[] = {alignof(P)..., 1};
    std::array<std::size_t, sizeof...(P) + 1> off{};
    std::size_t end = 0;
    for (std::size_t i = 0; i < sizeof...(P); ++i) {
      off[i] = (end + aligns[i] - 1) / aligns[i] * aligns[i];
      end = off[i] + sizes[i];
    }
    off[sizeof...(P)] = end;
    return off;
  }();
  static constexpr std::size_t kBytes = kOffsets[sizeof...(P)];
};

/// A copy of the P stored at `p` (which need not be aligned).
template <typename P>
P load_argument(const unsigned char* p) {
  union Slot {
    P value;
    Slot() {}  // leaves `value` to the copy below
  } slot;
  std::memcpy(static_cast<void*>(&slot.value), p, sizeof(P));
  return slot.value;
}

/// kernel(args...) packed: the arguments converted to the kernel's parameter types and
/// stored as bytes. call() describes it to a launch (valid while this object lives).
template <typename R, typename... P>
class PackedKernel {
  using Layout = ArgLayout<std::decay_t<P>...>;

 public:
  static_assert((std::is_trivially_copyable_v<std::decay_t<P>> && ...),
                "an Ascend C kernel's parameters are copied as bytes: each must be trivially copyable "
                "(GM_ADDR pointers, scalars, plain tiling structs)");

  template <typename... A>
  explicit PackedKernel(R (*kernel)(P...), A&&... args) : kernel_(kernel) {
    static_assert(sizeof...(P) == sizeof...(A), "the launch passes a different number of arguments than the kernel takes");
    store(std::index_sequence_for<P...>{}, std::forward<A>(args)...);
  }

  KernelCall call() const noexcept {
    return KernelCall{&invoke, reinterpret_cast<void (*)()>(kernel_), bytes_, Layout::kBytes};
  }

 private:
  template <std::size_t... I, typename... A>
  void store(std::index_sequence<I...>, A&&... args) {
    (store_one<std::decay_t<P>>(Layout::kOffsets[I], std::forward<A>(args)), ...);
  }
  template <typename D, typename A>
  void store_one(std::size_t offset, A&& a) {
    const D value = kernel_argument<D>(std::forward<A>(a));
    std::memcpy(bytes_ + offset, static_cast<const void*>(&value), sizeof(D));
  }
  static void invoke(void (*kernel)(), const unsigned char* args) {
    call_unpacked(reinterpret_cast<R (*)(P...)>(kernel), args, std::index_sequence_for<P...>{});
  }
  template <std::size_t... I>
  static void call_unpacked(R (*kernel)(P...), const unsigned char* args, std::index_sequence<I...>) {
    (void)args;
    kernel(load_argument<std::decay_t<P>>(args + Layout::kOffsets[I])...);
  }

  R (*kernel_)(P...);
  unsigned char bytes_[Layout::kBytes == 0 ? 1 : Layout::kBytes] = {};
};

}  // namespace vnpu::ascendc
