// vnpu/dtype.hpp — element types of tensors and their conversions.
//
// The operators compute f16 and bf16 in f32 and write the result back in the input type
// (rounded to nearest, ties to even). i64 and bool appear as outputs (argmax/argmin,
// all/any); f64 is an input and output of the reductions (computed in f64), not of
// softmax or the norms. The header compiles as C++17 too: the Ascend C headers, which kernels build with
// -std=c++17, include it (hence __builtin_bit_cast rather than std::bit_cast).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace vnpu {

enum class DType : std::uint8_t {
  kF32 = 0,   ///< IEEE binary32
  kF16 = 1,   ///< IEEE binary16
  kBF16 = 2,  ///< bfloat16: the upper half of a binary32
  kI32 = 3,   ///< two's complement 32-bit
  kI64 = 4,   ///< two's complement 64-bit (argmax/argmin output)
  kBool = 5,  ///< one byte, 0 or 1 (all/any output)
  kF64 = 6,   ///< IEEE binary64 (reductions: input and output)
};

/// Bytes per element.
constexpr std::size_t dtype_size(DType t) noexcept {
  switch (t) {
    case DType::kF32: return 4;
    case DType::kF16: return 2;
    case DType::kBF16: return 2;
    case DType::kI32: return 4;
    case DType::kI64: return 8;
    case DType::kBool: return 1;
    case DType::kF64: return 8;
  }
  return 0;
}

/// "f32", "f16", "bf16", "i32", "i64", "bool"; "?" for a value outside the enum.
constexpr const char* dtype_name(DType t) noexcept {
  switch (t) {
    case DType::kF32: return "f32";
    case DType::kF16: return "f16";
    case DType::kBF16: return "bf16";
    case DType::kI32: return "i32";
    case DType::kI64: return "i64";
    case DType::kBool: return "bool";
    case DType::kF64: return "f64";
  }
  return "?";
}

/// The inverse of dtype_name().
constexpr std::optional<DType> parse_dtype(std::string_view s) noexcept {
  for (DType t : {DType::kF32, DType::kF16, DType::kBF16, DType::kI32, DType::kI64, DType::kBool, DType::kF64})
    if (s == dtype_name(t)) return t;
  return std::nullopt;
}

constexpr bool is_floating(DType t) noexcept {
  return t == DType::kF32 || t == DType::kF16 || t == DType::kBF16 || t == DType::kF64;
}
constexpr bool is_valid(DType t) noexcept { return static_cast<std::uint8_t>(t) <= 6; }

/// f16 bits -> f32 (exact).
inline float f16_to_f32(std::uint16_t h) noexcept {
  const std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000u) << 16;
  const std::uint32_t exp = (h >> 10) & 0x1Fu;
  std::uint32_t man = h & 0x3FFu;
  std::uint32_t bits;
  if (exp == 0x1F) {
    bits = sign | 0x7F800000u | (man << 13);  // inf / NaN (payload kept)
  } else if (exp != 0) {
    bits = sign | ((exp + 112) << 23) | (man << 13);
  } else if (man == 0) {
    bits = sign;  // +-0
  } else {        // subnormal: normalize
    int e = -1;
    do {
      ++e;
      man <<= 1;
    } while ((man & 0x400u) == 0);
    bits = sign | (static_cast<std::uint32_t>(112 - e) << 23) | ((man & 0x3FFu) << 13);
  }
  return __builtin_bit_cast(float, bits);
}

/// f32 -> f16 bits, rounded to nearest even; overflow gives inf, NaN stays NaN.
inline std::uint16_t f32_to_f16(float f) noexcept {
  const std::uint32_t x = __builtin_bit_cast(std::uint32_t, f);
  const std::uint16_t sign = static_cast<std::uint16_t>((x >> 16) & 0x8000u);
  const std::uint32_t ax = x & 0x7FFFFFFFu;
  if (ax >= 0x7F800000u) return static_cast<std::uint16_t>(sign | 0x7C00u | (ax > 0x7F800000u ? 0x200u : 0u));
  if (ax >= 0x477FF000u) return static_cast<std::uint16_t>(sign | 0x7C00u);  // rounds past 65504
  if (ax < 0x38800000u) {                                                     // f16 subnormal or zero
    if (ax < 0x33000000u) return sign;                                        // below half the smallest
    const std::uint32_t man = (ax & 0x7FFFFFu) | 0x800000u;
    const int shift = 126 - static_cast<int>(ax >> 23);  // 14..24
    const std::uint32_t q = man >> shift;
    const std::uint32_t rem = man & ((1u << shift) - 1u);
    const std::uint32_t half = 1u << (shift - 1);
    const std::uint32_t r = q + ((rem > half || (rem == half && (q & 1u))) ? 1u : 0u);
    return static_cast<std::uint16_t>(sign | r);
  }
  const std::uint32_t r = ax + 0xFFFu + ((ax >> 13) & 1u);  // round to nearest even at bit 13
  return static_cast<std::uint16_t>(sign | ((r - 0x38000000u) >> 13));
}

/// bf16 bits -> f32 (exact).
inline float bf16_to_f32(std::uint16_t b) noexcept {
  return __builtin_bit_cast(float, static_cast<std::uint32_t>(b) << 16);
}

/// f32 -> bf16 bits, rounded to nearest even; NaN stays a (quiet) NaN.
inline std::uint16_t f32_to_bf16(float f) noexcept {
  const std::uint32_t x = __builtin_bit_cast(std::uint32_t, f);
  if ((x & 0x7FFFFFFFu) > 0x7F800000u) return static_cast<std::uint16_t>((x >> 16) | 0x40u);
  return static_cast<std::uint16_t>((x + 0x7FFFu + ((x >> 16) & 1u)) >> 16);
}

}  // namespace vnpu
