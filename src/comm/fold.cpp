// fold(): blocks of elements small enough for L1, each read from every part in rank order
// and written once (so `out` may alias a part); the inner loops over a block vectorize.
#include "comm/fold.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "vnpu/dtype.hpp"

namespace vnpu::comm {

namespace {

constexpr std::size_t kBlock = 1024;

// How a stored element type is folded: in Acc, loaded and stored through these.
// Signed integers fold as unsigned: wrap-around is defined there.
template <class T, bool = std::is_integral_v<T>>
struct Wrapping {
  using type = T;
};
template <class T>
struct Wrapping<T, true> {
  using type = std::make_unsigned_t<T>;
};

template <class T>
struct Plain {
  using Stored = T;
  using Acc = typename Wrapping<T>::type;
  static Acc load(Stored v) noexcept { return static_cast<Acc>(v); }
  static Stored store(Acc v) noexcept { return static_cast<Stored>(v); }
};
struct Half {
  using Stored = std::uint16_t;
  using Acc = float;
  static float load(std::uint16_t v) noexcept { return f16_to_f32(v); }
  static std::uint16_t store(float v) noexcept { return f32_to_f16(v); }
};
struct Brain {
  using Stored = std::uint16_t;
  using Acc = float;
  static float load(std::uint16_t v) noexcept { return bf16_to_f32(v); }
  static std::uint16_t store(float v) noexcept { return f32_to_bf16(v); }
};

// Max/min of signed integers compare as signed, whatever Acc holds them in.
template <class T, class A>
bool greater(A a, A b) noexcept {
  if constexpr (std::is_integral_v<T>) {
    return static_cast<T>(a) > static_cast<T>(b);
  } else {
    return a > b;
  }
}

template <class K, Op O>
void fold_block(typename K::Stored* out, const void* const* parts, int n, std::size_t base, std::size_t m) noexcept {
  using S = typename K::Stored;
  using A = typename K::Acc;
  using T = std::conditional_t<std::is_same_v<K, Half> || std::is_same_v<K, Brain>, float, S>;
  A acc[kBlock];
  const S* p0 = static_cast<const S*>(parts[0]) + base;
  for (std::size_t i = 0; i < m; ++i) acc[i] = K::load(p0[i]);
  for (int r = 1; r < n; ++r) {
    const S* p = static_cast<const S*>(parts[r]) + base;
    for (std::size_t i = 0; i < m; ++i) {
      const A x = K::load(p[i]);
      if constexpr (O == Op::kSum) {
        acc[i] = static_cast<A>(acc[i] + x);
      } else if constexpr (O == Op::kProd) {
        acc[i] = static_cast<A>(acc[i] * x);
      } else if constexpr (O == Op::kMax) {
        if constexpr (std::is_floating_point_v<A>) {
          acc[i] = (x > acc[i] || x != x) ? x : acc[i];
        } else {
          acc[i] = greater<T>(x, acc[i]) ? x : acc[i];
        }
      } else {
        if constexpr (std::is_floating_point_v<A>) {
          acc[i] = (x < acc[i] || x != x) ? x : acc[i];
        } else {
          acc[i] = greater<T>(acc[i], x) ? x : acc[i];
        }
      }
    }
  }
  for (std::size_t i = 0; i < m; ++i) out[base + i] = K::store(acc[i]);
}

template <class K, Op O>
void fold_all(void* out, const void* const* parts, int n, std::size_t count) noexcept {
  auto* o = static_cast<typename K::Stored*>(out);
  for (std::size_t b = 0; b < count; b += kBlock) fold_block<K, O>(o, parts, n, b, std::min(kBlock, count - b));
}

template <class K>
void fold_op(Op op, void* out, const void* const* parts, int n, std::size_t count) noexcept {
  switch (op) {
    case Op::kSum: return fold_all<K, Op::kSum>(out, parts, n, count);
    case Op::kProd: return fold_all<K, Op::kProd>(out, parts, n, count);
    case Op::kMax: return fold_all<K, Op::kMax>(out, parts, n, count);
    case Op::kMin: return fold_all<K, Op::kMin>(out, parts, n, count);
  }
}

}  // namespace

void fold(Type type, Op op, void* out, const void* const* parts, int n, std::size_t count) noexcept {
  if (n == 1) {
    if (out != parts[0]) std::memmove(out, parts[0], count * type_size(type));
    return;
  }
  switch (type) {
    case Type::kI8: return fold_op<Plain<std::int8_t>>(op, out, parts, n, count);
    case Type::kI16: return fold_op<Plain<std::int16_t>>(op, out, parts, n, count);
    case Type::kI32: return fold_op<Plain<std::int32_t>>(op, out, parts, n, count);
    case Type::kI64: return fold_op<Plain<std::int64_t>>(op, out, parts, n, count);
    case Type::kU8: return fold_op<Plain<std::uint8_t>>(op, out, parts, n, count);
    case Type::kU16: return fold_op<Plain<std::uint16_t>>(op, out, parts, n, count);
    case Type::kU32: return fold_op<Plain<std::uint32_t>>(op, out, parts, n, count);
    case Type::kU64: return fold_op<Plain<std::uint64_t>>(op, out, parts, n, count);
    case Type::kF32: return fold_op<Plain<float>>(op, out, parts, n, count);
    case Type::kF64: return fold_op<Plain<double>>(op, out, parts, n, count);
    case Type::kF16: return fold_op<Half>(op, out, parts, n, count);
    case Type::kBF16: return fold_op<Brain>(op, out, parts, n, count);
  }
}

}  // namespace vnpu::comm
