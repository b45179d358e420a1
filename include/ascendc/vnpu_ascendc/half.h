// vnpu_ascendc/half.h — half (IEEE binary16) and bfloat16_t as arithmetic types, as Ascend C
// kernels use them. Each operation computes in float and rounds the result to the type
// (round to nearest even), as the vector units do for 16-bit operands.
#pragma once

#include <cstdint>
#include <type_traits>

#include "vnpu/dtype.hpp"

namespace vnpu::ascendc {

// The binary16 / bfloat16 value types, differing only in their conversions.
struct HalfTraits {
  static float to_float(std::uint16_t b) noexcept { return vnpu::f16_to_f32(b); }
  static std::uint16_t from_float(float f) noexcept { return vnpu::f32_to_f16(f); }
};
struct Bf16Traits {
  static float to_float(std::uint16_t b) noexcept { return vnpu::bf16_to_f32(b); }
  static std::uint16_t from_float(float f) noexcept { return vnpu::f32_to_bf16(f); }
};

template <class Traits>
class Float16;

template <class Traits>
class Float16 {
 public:
  Float16() noexcept = default;
  // Implicit from every arithmetic type and to float, as the accelerator's types are.
  template <class T, std::enable_if_t<std::is_arithmetic_v<T>, int> = 0>
  Float16(T v) noexcept : bits_(Traits::from_float(static_cast<float>(v))) {}  // NOLINT
  operator float() const noexcept { return Traits::to_float(bits_); }          // NOLINT
  /// From the other 16-bit type, through float.
  template <class Other, std::enable_if_t<!std::is_same_v<Other, Traits>, int> = 0>
  Float16(Float16<Other> v) noexcept : bits_(Traits::from_float(static_cast<float>(v))) {}  // NOLINT

  /// The raw 16 bits, and a value from them.
  std::uint16_t bits() const noexcept { return bits_; }
  static Float16 from_bits(std::uint16_t b) noexcept {
    Float16 h;
    h.bits_ = b;
    return h;
  }

  Float16& operator+=(Float16 o) noexcept { return *this = Float16(float(*this) + float(o)); }
  Float16& operator-=(Float16 o) noexcept { return *this = Float16(float(*this) - float(o)); }
  Float16& operator*=(Float16 o) noexcept { return *this = Float16(float(*this) * float(o)); }
  Float16& operator/=(Float16 o) noexcept { return *this = Float16(float(*this) / float(o)); }
  Float16 operator-() const noexcept { return from_bits(static_cast<std::uint16_t>(bits_ ^ 0x8000u)); }
  Float16 operator+() const noexcept { return *this; }

  friend Float16 operator+(Float16 a, Float16 b) noexcept { return Float16(float(a) + float(b)); }
  friend Float16 operator-(Float16 a, Float16 b) noexcept { return Float16(float(a) - float(b)); }
  friend Float16 operator*(Float16 a, Float16 b) noexcept { return Float16(float(a) * float(b)); }
  friend Float16 operator/(Float16 a, Float16 b) noexcept { return Float16(float(a) / float(b)); }
  friend bool operator==(Float16 a, Float16 b) noexcept { return float(a) == float(b); }
  friend bool operator!=(Float16 a, Float16 b) noexcept { return float(a) != float(b); }
  friend bool operator<(Float16 a, Float16 b) noexcept { return float(a) < float(b); }
  friend bool operator>(Float16 a, Float16 b) noexcept { return float(a) > float(b); }
  friend bool operator<=(Float16 a, Float16 b) noexcept { return float(a) <= float(b); }
  friend bool operator>=(Float16 a, Float16 b) noexcept { return float(a) >= float(b); }

 private:
  std::uint16_t bits_;  // uninitialized by default, as a built-in type (trivial: copied as bytes)
};

// Mixed with another arithmetic type, a 16-bit value takes part as a float (no ambiguity
// between converting either side).
#define VNPU_ASCENDC_MIXED_OP(op)                                                               \
  template <class Tr, class T, std::enable_if_t<std::is_arithmetic_v<T>, int> = 0>            \
  auto operator op(Float16<Tr> a, T b) noexcept { return static_cast<float>(a) op b; }        \
  template <class Tr, class T, std::enable_if_t<std::is_arithmetic_v<T>, int> = 0>            \
  auto operator op(T a, Float16<Tr> b) noexcept { return a op static_cast<float>(b); }
VNPU_ASCENDC_MIXED_OP(+)
VNPU_ASCENDC_MIXED_OP(-)
VNPU_ASCENDC_MIXED_OP(*)
VNPU_ASCENDC_MIXED_OP(/)
VNPU_ASCENDC_MIXED_OP(==)
VNPU_ASCENDC_MIXED_OP(!=)
VNPU_ASCENDC_MIXED_OP(<)
VNPU_ASCENDC_MIXED_OP(>)
VNPU_ASCENDC_MIXED_OP(<=)
VNPU_ASCENDC_MIXED_OP(>=)
#undef VNPU_ASCENDC_MIXED_OP

}  // namespace vnpu::ascendc

/// IEEE binary16, with arithmetic (global, as in Ascend C).
using half = vnpu::ascendc::Float16<vnpu::ascendc::HalfTraits>;
/// bfloat16 (1 sign, 8 exponent, 7 mantissa bits), with arithmetic.
using bfloat16_t = vnpu::ascendc::Float16<vnpu::ascendc::Bf16Traits>;
static_assert(sizeof(half) == 2 && sizeof(bfloat16_t) == 2);
