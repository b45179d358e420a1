// Arithmetic kernels of the vector instructions — binary, vector-scalar, unary, Axpy and
// Duplicate — compiled once per SIMD target (Highway's foreach_target) and chosen at run
// time. Each computes one contiguous run (vec_kernels.hpp): whole vectors, then the last
// few elements one by one with the same operations.
//
// Numerics, the same bits on every target and in the tails (the file is built with
// -ffp-contract=off, so there is no fused multiply-add):
// - float: one IEEE operation per element; Axpy rounds the product, then the sum.
// - half: widened exactly to float, computed in float, rounded once to half (nearest even,
//   ops/simd/convert-inl.hpp). For + - * / and sqrt that is the correctly rounded half result:
//   float's 24 bits exceed 2 * 11 + 2, so the double rounding is innocuous.
// - Max, Min (and Maxs, Mins, Relu): a NaN operand gives NaN; of equal values (+0, -0) the
//   second operand is returned.
// - Exp, Ln: exp_f32 / log_f32 of ops/simd/exp.hpp and log.hpp (within 1 ulp of float;
//   results below the smallest normal float flush to 0). Sqrt is IEEE; Rsqrt is 1 / sqrt(x) and Reciprocal
//   1 / x, each operation rounded. Subnormal inputs are kept (no flush to zero).
// - Integers: two's complement, wrapping on overflow (products keep their low bits).
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "ascendc/vec_kernels.hpp"
#include "ops/simd/exp.hpp"
#include "ops/simd/log.hpp"

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "ascendc/vec_arith.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

HWY_BEFORE_NAMESPACE();
namespace vnpu::ascendc::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

namespace {

#include "ascendc/vec_io-inl.hpp"

// ---- operations: a vector form and a one-element form, identical in every bit ---------

template <class T>
using Wide = std::conditional_t<std::is_signed_v<T>, std::int64_t, std::uint64_t>;
// Integer results wrap: computed in 64 bits, converted back modulo 2^bits (C++20).
template <class T>
HWY_INLINE T Wrap(Wide<T> v) {
  return static_cast<T>(v);
}

struct OpAdd {
  static constexpr bool kFloat = true, kInt = true;
  template <class V>
  static HWY_INLINE V Vec(V a, V b) { return hn::Add(a, b); }
  template <class T>
  static HWY_INLINE T One(T a, T b) {
    if constexpr (std::is_integral_v<T>) return Wrap<T>(Wide<T>{a} + b);
    else return a + b;
  }
};
struct OpSub {
  static constexpr bool kFloat = true, kInt = true;
  template <class V>
  static HWY_INLINE V Vec(V a, V b) { return hn::Sub(a, b); }
  template <class T>
  static HWY_INLINE T One(T a, T b) {
    if constexpr (std::is_integral_v<T>) return Wrap<T>(Wide<T>{a} - b);
    else return a - b;
  }
};
struct OpMul {
  static constexpr bool kFloat = true, kInt = true;
  template <class V>
  static HWY_INLINE V Vec(V a, V b) { return hn::Mul(a, b); }
  template <class T>
  static HWY_INLINE T One(T a, T b) {
    if constexpr (std::is_integral_v<T>) return Wrap<T>(static_cast<Wide<T>>(static_cast<std::uint64_t>(a) * static_cast<std::uint64_t>(b)));
    else return a * b;
  }
};
struct OpDiv {
  static constexpr bool kFloat = true, kInt = false;
  template <class V>
  static HWY_INLINE V Vec(V a, V b) { return hn::Div(a, b); }
  static HWY_INLINE float One(float a, float b) { return a / b; }
};
struct OpMax {
  static constexpr bool kFloat = true, kInt = true;
  template <class V>
  static HWY_INLINE V Vec(V a, V b) {
    if constexpr (hwy::IsFloat<hn::TFromV<V>>()) return hn::IfThenElse(hn::Or(hn::Gt(a, b), hn::IsNaN(a)), a, b);
    else return hn::Max(a, b);
  }
  template <class T>
  static HWY_INLINE T One(T a, T b) { return (a > b || a != a) ? a : b; }
};
struct OpMin {
  static constexpr bool kFloat = true, kInt = true;
  template <class V>
  static HWY_INLINE V Vec(V a, V b) {
    if constexpr (hwy::IsFloat<hn::TFromV<V>>()) return hn::IfThenElse(hn::Or(hn::Lt(a, b), hn::IsNaN(a)), a, b);
    else return hn::Min(a, b);
  }
  template <class T>
  static HWY_INLINE T One(T a, T b) { return (a < b || a != a) ? a : b; }
};
// Bitwise operations, on integer lanes only.
#define VEC_BITWISE_OP(Name, vec_op, sym)                           \
  struct Name {                                                     \
    static constexpr bool kFloat = false, kInt = true;              \
    template <class V>                                              \
    static HWY_INLINE V Vec(V a, V b) { return vec_op(a, b); }      \
    template <class T>                                              \
    static HWY_INLINE T One(T a, T b) { return static_cast<T>(a sym b); } \
  };
VEC_BITWISE_OP(OpAnd, hn::And, &)
VEC_BITWISE_OP(OpOr, hn::Or, |)
#undef VEC_BITWISE_OP

// src > 0 ? src : src * scalar
struct OpLeakyRelu {
  static constexpr bool kFloat = true, kInt = false;
  template <class V>
  static HWY_INLINE V Vec(V a, V s) { return hn::IfThenElse(hn::Gt(a, hn::Zero(hn::DFromV<V>())), a, hn::Mul(a, s)); }
  static HWY_INLINE float One(float a, float s) { return a > 0.0f ? a : a * s; }
};

// One-source operations on float lanes: the vector form and the one-element form, the
// same IEEE operations.
#define VEC_FLOAT_UNARY_OP(Name, vec_expr, one_expr)           \
  struct Name {                                                \
    static constexpr bool kFloat = true, kInt = false;         \
    template <class V>                                         \
    static HWY_INLINE V Vec(V a) {                             \
      const hn::DFromV<V> d;                                   \
      (void)d;                                                 \
      return vec_expr;                                         \
    }                                                          \
    static HWY_INLINE float One(float a) { return one_expr; }  \
  };
VEC_FLOAT_UNARY_OP(OpAbs, hn::Abs(a), std::fabs(a))
VEC_FLOAT_UNARY_OP(OpSqrt, hn::Sqrt(a), std::sqrt(a))
VEC_FLOAT_UNARY_OP(OpRsqrt, hn::Div(hn::Set(d, 1.0f), hn::Sqrt(a)), 1.0f / std::sqrt(a))
VEC_FLOAT_UNARY_OP(OpReciprocal, hn::Div(hn::Set(d, 1.0f), a), 1.0f / a)
#undef VEC_FLOAT_UNARY_OP

// max(x, 0), NaN staying NaN (OpMax with a zero second operand).
struct OpRelu {
  static constexpr bool kFloat = true, kInt = true;
  template <class V>
  static HWY_INLINE V Vec(V a) { return OpMax::Vec(a, hn::Zero(hn::DFromV<V>())); }
  template <class T>
  static HWY_INLINE T One(T a) { return OpMax::One(a, T{0}); }
};
struct OpNot {
  static constexpr bool kFloat = false, kInt = true;
  template <class V>
  static HWY_INLINE V Vec(V a) { return hn::Not(a); }
  template <class T>
  static HWY_INLINE T One(T a) { return static_cast<T>(~a); }
};

// ---- kernels ---------------------------------------------------------------------------

// dst = Op(src0, src1), or Op(src0, scalar) when kScalar.
template <class Op, class S, bool kScalar>
HWY_NOINLINE void Binary(const VecRun& r) {
  using Io = IoOf<S>;
  const typename Io::D d;
  const std::size_t lanes = hn::Lanes(d);
  const auto s = Io::Scalar(r.scalar);
  const auto sv = hn::Set(d, s);
  std::size_t i = 0;
  for (; i + lanes <= r.n; i += lanes) {
    const auto a = Io::Load(d, r.src0, i);
    if constexpr (kScalar) Io::Store(d, Op::Vec(a, sv), r.dst, i);
    else Io::Store(d, Op::Vec(a, Io::Load(d, r.src1, i)), r.dst, i);
  }
  for (; i < r.n; ++i) Io::Put(Op::One(Io::Get(r.src0, i), kScalar ? s : Io::Get(r.src1, i)), r.dst, i);
}

template <class Op, class S>
HWY_NOINLINE void Unary(const VecRun& r) {
  using Io = IoOf<S>;
  const typename Io::D d;
  const std::size_t lanes = hn::Lanes(d);
  std::size_t i = 0;
  for (; i + lanes <= r.n; i += lanes) Io::Store(d, Op::Vec(Io::Load(d, r.src0, i)), r.dst, i);
  for (; i < r.n; ++i) Io::Put(Op::One(Io::Get(r.src0, i)), r.dst, i);
}

// Exp and Ln: ops/simd's element functions, whose plain IEEE operations the compiler turns
// into this target's vectors.
template <float (*F)(float) noexcept, class S>
HWY_NOINLINE void Math(const VecRun& r) {
  using Io = IoOf<S>;
  for (std::size_t i = 0; i < r.n; ++i) Io::Put(F(Io::Get(r.src0, i)), r.dst, i);
}
float ExpOf(float x) noexcept { return vnpu::ops::detail::exp_f32(x); }
float LnOf(float x) noexcept { return vnpu::ops::detail::log_f32(x); }

// dst = acc + src * scalar, acc being dst itself (src1 of the run).
template <class Sd, class Ss>
HWY_NOINLINE void Axpy(const VecRun& r) {
  using IoD = IoOf<Sd>;
  using IoS = IoOf<Ss>;
  static_assert(std::is_same_v<typename IoD::D, typename IoS::D>, "both sides compute in float");
  const typename IoD::D d;
  const std::size_t lanes = hn::Lanes(d);
  const float s = IoS::Scalar(r.scalar);
  const auto sv = hn::Set(d, s);
  std::size_t i = 0;
  for (; i + lanes <= r.n; i += lanes)
    IoD::Store(d, hn::Add(IoD::Load(d, r.src1, i), hn::Mul(IoS::Load(d, r.src0, i), sv)), r.dst, i);
  for (; i < r.n; ++i) IoD::Put(IoD::Get(r.src1, i) + IoS::Get(r.src0, i) * s, r.dst, i);
}

// dst = scalar, by bits (U: the unsigned type of the element's width).
template <class U>
HWY_NOINLINE void Duplicate(const VecRun& r) {
  const hn::ScalableTag<U> d;
  const std::size_t lanes = hn::Lanes(d);
  const auto v = static_cast<U>(r.scalar);
  const auto vv = hn::Set(d, v);
  U* dst = static_cast<U*>(r.dst);
  std::size_t i = 0;
  for (; i + lanes <= r.n; i += lanes) hn::StoreU(vv, d, dst + i);
  for (; i < r.n; ++i) dst[i] = v;
}

// ---- the kernel table -------------------------------------------------------------------

template <class Op, bool kScalar>
VecKernel PickBinary(VecType t) {
  if constexpr (Op::kFloat) {
    if (t == VecType::kF32) return &Binary<Op, float, kScalar>;
    if (t == VecType::kF16) return &Binary<Op, F16, kScalar>;
  }
  if constexpr (Op::kInt) {
    if (t == VecType::kI16) return &Binary<Op, std::int16_t, kScalar>;
    if (t == VecType::kU16) return &Binary<Op, std::uint16_t, kScalar>;
    if (t == VecType::kI32) return &Binary<Op, std::int32_t, kScalar>;
    if (t == VecType::kU32) return &Binary<Op, std::uint32_t, kScalar>;
  }
  return nullptr;
}

template <class Op>
VecKernel PickUnary(VecType t) {
  if constexpr (Op::kFloat) {
    if (t == VecType::kF32) return &Unary<Op, float>;
    if (t == VecType::kF16) return &Unary<Op, F16>;
  }
  if constexpr (Op::kInt) {
    if (t == VecType::kI16) return &Unary<Op, std::int16_t>;
    if (t == VecType::kU16) return &Unary<Op, std::uint16_t>;
    if (t == VecType::kI32) return &Unary<Op, std::int32_t>;
  }
  return nullptr;
}

template <float (*F)(float) noexcept>
VecKernel PickMath(VecType t) {
  if (t == VecType::kF32) return &Math<F, float>;
  if (t == VecType::kF16) return &Math<F, F16>;
  return nullptr;
}

VecKernel PickAxpy(VecType t, VecType st) {
  if (t == VecType::kF32 && st == VecType::kF32) return &Axpy<float, float>;
  if (t == VecType::kF16 && st == VecType::kF16) return &Axpy<F16, F16>;
  if (t == VecType::kF32 && st == VecType::kF16) return &Axpy<float, F16>;
  return nullptr;
}

VecKernel PickDuplicate(VecType t) {
  switch (t) {
    case VecType::kI16: case VecType::kU16: case VecType::kF16: case VecType::kBF16: return &Duplicate<std::uint16_t>;
    case VecType::kI32: case VecType::kU32: case VecType::kF32: return &Duplicate<std::uint32_t>;
    default: return nullptr;
  }
}

}  // namespace

VecKernel GetArithKernel(VecOp op, VecType t, VecType st) {
  switch (op) {
    case VecOp::kAdd: return PickBinary<OpAdd, false>(t);
    case VecOp::kSub: return PickBinary<OpSub, false>(t);
    case VecOp::kMul: return PickBinary<OpMul, false>(t);
    case VecOp::kDiv: return PickBinary<OpDiv, false>(t);
    case VecOp::kMax: return PickBinary<OpMax, false>(t);
    case VecOp::kMin: return PickBinary<OpMin, false>(t);
    case VecOp::kAnd: return PickBinary<OpAnd, false>(t);
    case VecOp::kOr: return PickBinary<OpOr, false>(t);
    case VecOp::kAdds: return PickBinary<OpAdd, true>(t);
    case VecOp::kMuls: return PickBinary<OpMul, true>(t);
    case VecOp::kMaxs: return PickBinary<OpMax, true>(t);
    case VecOp::kMins: return PickBinary<OpMin, true>(t);
    case VecOp::kLeakyRelu: return PickBinary<OpLeakyRelu, true>(t);
    case VecOp::kExp: return PickMath<&ExpOf>(t);
    case VecOp::kLn: return PickMath<&LnOf>(t);
    case VecOp::kAbs: return PickUnary<OpAbs>(t);
    case VecOp::kSqrt: return PickUnary<OpSqrt>(t);
    case VecOp::kRsqrt: return PickUnary<OpRsqrt>(t);
    case VecOp::kReciprocal: return PickUnary<OpReciprocal>(t);
    case VecOp::kRelu: return PickUnary<OpRelu>(t);
    case VecOp::kNot: return PickUnary<OpNot>(t);
    case VecOp::kAxpy: return PickAxpy(t, st);
    case VecOp::kDuplicate: return PickDuplicate(t);
    default: return nullptr;
  }
}

}  // namespace vnpu::ascendc::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace vnpu::ascendc {

HWY_EXPORT(GetArithKernel);

VecKernel arith_kernel(VecOp op, VecType type, VecType src_type) {
  return HWY_DYNAMIC_DISPATCH(GetArithKernel)(op, type, src_type);
}

}  // namespace vnpu::ascendc
#endif
