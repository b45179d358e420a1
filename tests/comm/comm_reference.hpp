// tests/comm/comm_reference.hpp — scalar references for the collectives' reductions and a
// deterministic input generator, written from the documented semantics only: every element
// is the left fold x_0 op x_1 op ... op x_{n-1} in rank order; f16/bf16 fold in binary32 and
// round once (to nearest, ties to even); integers wrap; max/min give NaN when any input is
// NaN. The binary16/bfloat16 conversions are this file's own, not vnpu's.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <vector>

namespace vnpu::comm_test {

// The element types and operators, by their HCCL values (HcclDataType, HcclReduceOp).
enum class T : int { kI8 = 0, kI16, kI32, kF16, kF32, kI64, kU64, kU8, kU16, kU32, kF64, kBF16 };
enum class O : int { kSum = 0, kProd, kMax, kMin };
inline constexpr int kTypes = 12;
inline constexpr int kOps = 4;
inline constexpr int kRaw = 4;  // generator mode for data that only moves

inline std::size_t size_of(T t) {
  switch (t) {
    case T::kI8: case T::kU8: return 1;
    case T::kI16: case T::kU16: case T::kF16: case T::kBF16: return 2;
    case T::kI32: case T::kU32: case T::kF32: return 4;
    default: return 8;
  }
}
inline const char* name_of(T t) {
  static const char* const k[] = {"i8", "i16", "i32", "f16", "f32", "i64", "u64", "u8", "u16", "u32", "f64", "bf16"};
  return k[static_cast<int>(t)];
}
inline const char* name_of(O o) {
  static const char* const k[] = {"sum", "prod", "max", "min"};
  return k[static_cast<int>(o)];
}
inline bool is_float(T t) { return t == T::kF16 || t == T::kF32 || t == T::kF64 || t == T::kBF16; }
inline bool is_signed(T t) { return t == T::kI8 || t == T::kI16 || t == T::kI32 || t == T::kI64; }
inline std::uint64_t mask_of(T t) {
  const std::size_t b = size_of(t);
  return b >= 8 ? ~0ull : (1ull << (8 * b)) - 1;
}

// ---- binary16 / bfloat16 (round to nearest even on the bits) ----

inline std::uint32_t f32_bits(float f) {
  std::uint32_t x;
  std::memcpy(&x, &f, 4);
  return x;
}
inline float f32_from(std::uint32_t x) {
  float f;
  std::memcpy(&f, &x, 4);
  return f;
}
inline std::uint64_t f64_bits(double d) {
  std::uint64_t x;
  std::memcpy(&x, &d, 8);
  return x;
}
inline double f64_from(std::uint64_t x) {
  double d;
  std::memcpy(&d, &x, 8);
  return d;
}

inline std::uint32_t round_bits(std::uint32_t keep, std::uint32_t rest, unsigned drop) {
  const std::uint32_t half = 1u << (drop - 1);
  return keep + ((rest > half || (rest == half && (keep & 1u))) ? 1u : 0u);
}

inline std::uint16_t to_f16(float f) {
  const std::uint32_t x = f32_bits(f), s = (x >> 16) & 0x8000u, ax = x & 0x7fffffffu;
  if (ax > 0x7f800000u) return static_cast<std::uint16_t>(s | 0x7e00u);
  if (ax >= 0x477ff000u) return static_cast<std::uint16_t>(s | 0x7c00u);  // >= 65520: inf
  if (ax >= 0x38800000u) {
    const std::uint32_t e = (ax >> 23) - 127 + 15, m = ax & 0x7fffffu;
    return static_cast<std::uint16_t>(s | round_bits(e << 10 | m >> 13, m & 0x1fffu, 13));
  }
  if (ax < 0x33000000u) return static_cast<std::uint16_t>(s);
  const unsigned shift = 126 - (ax >> 23);
  const std::uint32_t m = (ax & 0x7fffffu) | 0x800000u;
  return static_cast<std::uint16_t>(s | round_bits(m >> shift, m & ((1u << shift) - 1), shift));
}

inline float from_f16(std::uint16_t h) {
  const int e = (h >> 10) & 31, m = h & 1023;
  float v;
  if (e == 0) {
    v = std::ldexp(static_cast<float>(m), -24);
  } else if (e == 31) {
    v = m != 0 ? NAN : INFINITY;
  } else {
    v = std::ldexp(static_cast<float>(m + 1024), e - 25);
  }
  return (h & 0x8000) ? -v : v;
}

inline std::uint16_t to_bf16(float f) {
  const std::uint32_t x = f32_bits(f);
  if ((x & 0x7fffffffu) > 0x7f800000u) return static_cast<std::uint16_t>(((x >> 16) & 0x8000u) | 0x7fc0u);
  return static_cast<std::uint16_t>(round_bits(x >> 16, x & 0xffffu, 16));
}
inline float from_bf16(std::uint16_t b) { return f32_from(static_cast<std::uint32_t>(b) << 16); }

// ---- the generator ----

inline std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

/// Bits of element i of rank r's input: raw bits (kRaw), or values that suit the operator:
/// sums of spread magnitude (the fold's order shows in the rounding), products near 1,
/// max/min with some NaNs and infinities.
inline std::uint64_t gen(T t, int mode, int rank, std::uint64_t salt, std::uint64_t i) {
  const std::uint64_t b = mix(salt ^ mix((static_cast<std::uint64_t>(rank) << 48) ^ i));
  if (mode == kRaw || !is_float(t)) return (mode == static_cast<int>(O::kProd) ? (b | 1) : b) & mask_of(t);
  const std::uint64_t s = (b >> 6) & 1;
  const bool nan = (b >> 8) % 97 == 0, inf = (b >> 8) % 97 == 1;
  const O op = static_cast<O>(mode);
  switch (t) {
    case T::kF32:
      if (op == O::kSum) return s << 31 | (127 - 12 + (b >> 7) % 25) << 23 | ((b >> 12) & 0x7fffff);
      if (op == O::kProd) return f32_bits(1.0f + static_cast<float>(static_cast<int>((b >> 8) % 512) - 256) * 0x1p-12f);
      if (nan) return 0x7fc00000u | ((b >> 40) & 0xff);
      if (inf) return s << 31 | 0x7f800000u;
      return s << 31 | (127 - 30 + (b >> 20) % 61) << 23 | ((b >> 12) & 0x7fffff);
    case T::kF64:
      if (op == O::kSum) return s << 63 | (1023 - 12 + (b >> 7) % 25) << 52 | ((b >> 12) & 0xfffffffffffffull);
      if (op == O::kProd) return f64_bits(1.0 + (static_cast<double>((b >> 12) & 0xfffffffffffffull) * 0x1p-52 - 0.5) * 0x1p-3);
      if (nan) return 0xfff8000000000000ull | ((b >> 40) & 0xff);  // a negative NaN too
      if (inf) return s << 63 | 0x7ff0000000000000ull;
      return s << 63 | (1023 - 300 + (b >> 52) % 601) << 52 | ((b >> 12) & 0xfffffffffffffull);
    case T::kF16:
      if (op == O::kSum) return s << 15 | (1 + (b >> 7) % 25) << 10 | ((b >> 12) & 0x3ff);
      if (op == O::kProd) return to_f16(1.0f + static_cast<float>(static_cast<int>((b >> 8) % 128) - 64) * 0x1p-10f);
      if (nan) return 0x7e00 | ((b >> 40) & 0xff);
      if (inf) return s << 15 | 0x7c00;
      return s << 15 | ((b >> 24) % 31) << 10 | (((b >> 12) & 0x3ff) | 1);
    default:  // kBF16
      if (op == O::kSum) return s << 15 | (127 - 20 + (b >> 7) % 41) << 7 | ((b >> 12) & 0x7f);
      if (op == O::kProd) return to_bf16(1.0f + static_cast<float>(static_cast<int>((b >> 8) % 16) - 8) * 0x1p-7f);
      if (nan) return 0x7fc0 | ((b >> 40) & 0x3f);
      if (inf) return s << 15 | 0x7f80;
      return s << 15 | ((b >> 24) % 255) << 7 | (((b >> 12) & 0x7f) | 1);
  }
}

inline void store(void* base, std::size_t k, T t, std::uint64_t bits) {
  std::memcpy(static_cast<unsigned char*>(base) + k * size_of(t), &bits, size_of(t));  // little endian
}
inline std::uint64_t load(const void* base, std::size_t k, T t) {
  std::uint64_t v = 0;
  std::memcpy(&v, static_cast<const unsigned char*>(base) + k * size_of(t), size_of(t));
  return v;
}

/// Rank `rank`'s buffer: elements first .. first+count-1 of the generator.
inline std::vector<unsigned char> fill(T t, int mode, int rank, std::uint64_t salt, std::uint64_t first,
                                       std::uint64_t count) {
  std::vector<unsigned char> v(count * size_of(t));
  for (std::uint64_t k = 0; k < count; ++k) store(v.data(), k, t, gen(t, mode, rank, salt, first + k));
  return v;
}

// ---- the fold ----

inline bool nan_bits(T t, std::uint64_t b) {
  switch (t) {
    case T::kF16: return (b & 0x7c00) == 0x7c00 && (b & 0x3ff) != 0;
    case T::kBF16: return (b & 0x7f80) == 0x7f80 && (b & 0x7f) != 0;
    case T::kF32: return (b & 0x7f800000u) == 0x7f800000u && (b & 0x7fffff) != 0;
    case T::kF64: return (b & 0x7ff0000000000000ull) == 0x7ff0000000000000ull && (b & 0xfffffffffffffull) != 0;
    default: return false;
  }
}

inline std::int64_t sext(std::uint64_t v, T t) {
  const unsigned bits = static_cast<unsigned>(8 * size_of(t));
  if (bits == 64) return static_cast<std::int64_t>(v);
  const std::uint64_t sign = 1ull << (bits - 1);
  return static_cast<std::int64_t>((v ^ sign) - sign);
}

template <class A>
A apply(O op, A acc, A x) {
  switch (op) {
    case O::kSum: return acc + x;
    case O::kProd: return acc * x;
    case O::kMax: return x > acc ? x : acc;
    default: return x < acc ? x : acc;
  }
}

/// The expected bits of the fold of `xs` (rank order); *nan: the result must be a NaN.
inline std::uint64_t fold_ref(T t, O op, std::span<const std::uint64_t> xs, bool* nan) {
  *nan = false;
  if (!is_float(t)) {
    const std::uint64_t m = mask_of(t);
    std::uint64_t acc = xs[0];
    for (std::size_t r = 1; r < xs.size(); ++r) {
      const std::uint64_t x = xs[r];
      switch (op) {
        case O::kSum: acc = (acc + x) & m; break;
        case O::kProd: acc = (acc * x) & m; break;
        case O::kMax: if (is_signed(t) ? sext(x, t) > sext(acc, t) : x > acc) acc = x; break;
        default: if (is_signed(t) ? sext(x, t) < sext(acc, t) : x < acc) acc = x; break;
      }
    }
    return acc;
  }
  for (std::uint64_t x : xs) *nan = *nan || nan_bits(t, x);
  *nan = *nan && (op == O::kMax || op == O::kMin);
  if (t == T::kF64) {
    double acc = f64_from(xs[0]);
    for (std::size_t r = 1; r < xs.size(); ++r) acc = apply(op, acc, f64_from(xs[r]));
    return f64_bits(acc);
  }
  auto value = [t](std::uint64_t b) {
    return t == T::kF32 ? f32_from(static_cast<std::uint32_t>(b))
           : t == T::kF16 ? from_f16(static_cast<std::uint16_t>(b))
                          : from_bf16(static_cast<std::uint16_t>(b));
  };
  float acc = value(xs[0]);
  for (std::size_t r = 1; r < xs.size(); ++r) acc = apply(op, acc, value(xs[r]));
  return t == T::kF32 ? f32_bits(acc) : t == T::kF16 ? to_f16(acc) : to_bf16(acc);
}

inline std::string hex(std::uint64_t v) {
  static const char* const digits = "0123456789abcdef";
  std::string s;
  do {
    s.insert(s.begin(), digits[v & 15]);
    v >>= 4;
  } while (v != 0);
  return "0x" + s;
}

/// Compares `got` (count elements) with the fold over `n` ranks of gen(t, op, r, salt, first + k).
/// Returns "" or a description of the first mismatches.
inline std::string check_fold(const void* got, T t, O op, int n, std::uint64_t salt, std::uint64_t first,
                              std::uint64_t count) {
  std::string out;
  int shown = 0;
  std::uint64_t bad = 0;
  std::vector<std::uint64_t> xs(static_cast<std::size_t>(n));
  for (std::uint64_t k = 0; k < count; ++k) {
    for (int r = 0; r < n; ++r) xs[static_cast<std::size_t>(r)] = gen(t, static_cast<int>(op), r, salt, first + k);
    bool nan = false;
    const std::uint64_t want = fold_ref(t, op, xs, &nan), g = load(got, k, t);
    if (nan ? nan_bits(t, g) : g == want) continue;
    ++bad;
    if (shown++ < 4)
      out += "element " + std::to_string(k) + ": got " + hex(g) + " want " + (nan ? std::string("a NaN") : hex(want)) +
             "; ";
  }
  if (bad != 0) out += std::to_string(bad) + " of " + std::to_string(count) + " wrong";
  return out;
}

/// Compares `got` with gen(t, kRaw, src, salt, first + k), bit for bit.
inline std::string check_raw(const void* got, T t, int src, std::uint64_t salt, std::uint64_t first,
                             std::uint64_t count) {
  std::uint64_t bad = 0, where = 0;
  for (std::uint64_t k = 0; k < count; ++k)
    if (load(got, k, t) != gen(t, kRaw, src, salt, first + k) && bad++ == 0) where = k;
  if (bad == 0) return "";
  return std::to_string(bad) + " of " + std::to_string(count) + " elements wrong (first at " + std::to_string(where) +
         "), expected rank " + std::to_string(src) + "'s";
}

}  // namespace vnpu::comm_test
