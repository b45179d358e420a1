// Cast: the conversions of the 910B class with their rounding modes (one element at a
// time, exact in double), checks, and the SIMD kernels for f16 <-> f32 runs.
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>

#include "ascendc/pipe_span.hpp"
#include "ascendc/vec_cast_kernels.hpp"
#include "ascendc/vec_walk.hpp"

namespace vnpu::ascendc {
namespace {

using AscendC::RoundMode;

// ---- rounding -------------------------------------------------------------------------------

// x (finite) rounded to an integer by `m` (CAST_NONE: to nearest even).
double round_integral(double x, RoundMode m) {
  switch (m) {
    case RoundMode::CAST_FLOOR: return std::floor(x);
    case RoundMode::CAST_CEIL: return std::ceil(x);
    case RoundMode::CAST_ROUND: return std::round(x);  // ties away from zero
    case RoundMode::CAST_TRUNC: return std::trunc(x);
    case RoundMode::CAST_ODD: {
      const double t = std::trunc(x);
      return t != x && std::fmod(t, 2.0) == 0.0 ? t + (x > 0 ? 1.0 : -1.0) : t;
    }
    default: {
      double f = std::floor(x);
      const double frac = x - f;
      if (frac > 0.5 || (frac == 0.5 && std::fmod(f, 2.0) != 0.0)) f += 1.0;
      return std::copysign(f, x);  // -0.3 rounds to -0
    }
  }
}

// A binary floating-point format: significand bits (with the leading one), smallest
// normal exponent, largest finite value.
struct Format {
  int digits;
  int emin;
  double max;
};
constexpr Format kHalfFormat{11, -14, 65504.0};
constexpr Format kBf16Format{8, -126, 3.38953138925153547590470800371487866880e38};
constexpr Format kF32Format{24, -126, 3.40282346638528859811704183484516925440e38};

// x (exact in double) rounded to format `f` by `m`: the significand to f.digits bits (at a
// fixed step below the smallest normal). A finite result beyond f.max saturates; inf and
// NaN stay.
double round_to(double x, const Format& f, RoundMode m) {
  if (!std::isfinite(x) || x == 0.0) return x;
  int e = 0;
  std::frexp(x, &e);  // |x| in [2^(e-1), 2^e)
  const int q = std::max(e - 1, f.emin) - (f.digits - 1);  // the exponent of one unit in the last place
  const double r = std::ldexp(round_integral(std::ldexp(x, -q), m), q);
  return std::fabs(r) > f.max ? std::copysign(f.max, x) : r;
}

// int64 -> f32: too wide for double, so the rounding is done on the integer.
float round_i64_to_f32(std::int64_t v, RoundMode m) {
  const bool neg = v < 0;
  const std::uint64_t a = neg ? std::uint64_t{0} - static_cast<std::uint64_t>(v) : static_cast<std::uint64_t>(v);
  if (a < (std::uint64_t{1} << 24)) return static_cast<float>(v);  // exact
  const int shift = 64 - std::countl_zero(a) - 24;
  std::uint64_t k = a >> shift;
  const std::uint64_t rem = a & ((std::uint64_t{1} << shift) - 1), half = std::uint64_t{1} << (shift - 1);
  bool up = false;
  switch (m) {
    case RoundMode::CAST_FLOOR: up = neg && rem != 0; break;
    case RoundMode::CAST_CEIL: up = !neg && rem != 0; break;
    case RoundMode::CAST_ROUND: up = rem >= half; break;
    case RoundMode::CAST_TRUNC: break;
    default: up = rem > half || (rem == half && (k & 1) != 0); break;
  }
  k += up ? 1 : 0;
  const float r = std::ldexp(static_cast<float>(k), shift);  // k <= 2^24: exact
  return neg ? -r : r;
}

// x rounded by `m` into integer type I, saturating; NaN gives 0.
template <typename I>
I to_integer(double x, RoundMode m) {
  if (x != x) return 0;
  if (std::isinf(x)) return x > 0 ? std::numeric_limits<I>::max() : std::numeric_limits<I>::min();
  const double r = round_integral(x, m);
  if (r <= static_cast<double>(std::numeric_limits<I>::min())) return std::numeric_limits<I>::min();
  if (r >= static_cast<double>(std::numeric_limits<I>::max())) return std::numeric_limits<I>::max();
  return static_cast<I>(r);
}

// ---- elements -------------------------------------------------------------------------------

template <VecType> struct Elem;
template <> struct Elem<VecType::kF16> { using type = std::uint16_t; };
template <> struct Elem<VecType::kBF16> { using type = std::uint16_t; };
template <> struct Elem<VecType::kF32> { using type = float; };
template <> struct Elem<VecType::kI8> { using type = std::int8_t; };
template <> struct Elem<VecType::kU8> { using type = std::uint8_t; };
template <> struct Elem<VecType::kI16> { using type = std::int16_t; };
template <> struct Elem<VecType::kI32> { using type = std::int32_t; };
template <> struct Elem<VecType::kI64> { using type = std::int64_t; };

template <VecType S>
double value_of(typename Elem<S>::type v) {
  if constexpr (S == VecType::kF16) return vnpu::f16_to_f32(v);
  else if constexpr (S == VecType::kBF16) return vnpu::bf16_to_f32(v);
  else return static_cast<double>(v);
}

constexpr bool is_float(VecType t) { return t == VecType::kF16 || t == VecType::kBF16 || t == VecType::kF32; }

template <VecType S, VecType D>
typename Elem<D>::type convert(typename Elem<S>::type v, RoundMode m) {
  using DT = typename Elem<D>::type;
  if constexpr (S == VecType::kI64 && D == VecType::kF32) {
    return round_i64_to_f32(v, m);
  } else if constexpr (!is_float(D)) {
    if constexpr (is_float(S)) return to_integer<DT>(value_of<S>(v), m);
    else return to_integer<DT>(static_cast<double>(v), RoundMode::CAST_TRUNC);  // integers: saturation only
  } else if constexpr (S == VecType::kF32 && D == VecType::kF32) {
    return std::isfinite(v) ? static_cast<float>(round_integral(v, m)) : v;
  } else if constexpr (D == VecType::kF16) {
    return vnpu::f32_to_f16(static_cast<float>(round_to(value_of<S>(v), kHalfFormat, m)));  // exact
  } else if constexpr (D == VecType::kBF16) {
    return vnpu::f32_to_bf16(static_cast<float>(round_to(value_of<S>(v), kBf16Format, m)));  // exact
  } else {
    return static_cast<float>(round_to(value_of<S>(v), kF32Format, m));  // exact
  }
}

// One element, and a contiguous run.
template <VecType S, VecType D>
void convert_one(const unsigned char* s, unsigned char* d, RoundMode m) {
  typename Elem<S>::type v;
  std::memcpy(&v, s, sizeof v);
  const typename Elem<D>::type r = convert<S, D>(v, m);
  std::memcpy(d, &r, sizeof r);
}
template <VecType S, VecType D>
void convert_run(const unsigned char* s, unsigned char* d, std::uint64_t n, RoundMode m) {
  for (std::uint64_t i = 0; i < n; ++i)
    convert_one<S, D>(s + i * sizeof(typename Elem<S>::type), d + i * sizeof(typename Elem<D>::type), m);
}

// ---- the pairs of the 910B class -------------------------------------------------------------

constexpr unsigned kNone = 1u << 0, kOdd = 1u << 6;
constexpr unsigned kR5 = 0x3Eu;  // RINT, FLOOR, CEIL, ROUND, TRUNC

struct Pair {
  VecType src;
  VecType dst;
  unsigned modes;  // bit m: RoundMode m is supported
  void (*one)(const unsigned char*, unsigned char*, RoundMode);
  void (*run)(const unsigned char*, unsigned char*, std::uint64_t, RoundMode);
};

template <VecType S, VecType D>
constexpr Pair pair(unsigned modes) {
  return Pair{S, D, modes, &convert_one<S, D>, &convert_run<S, D>};
}

constexpr Pair kPairs[] = {
    pair<VecType::kF16, VecType::kF32>(kNone),         pair<VecType::kF16, VecType::kI32>(kR5),
    pair<VecType::kF16, VecType::kI16>(kR5),           pair<VecType::kF16, VecType::kI8>(kR5 | kNone),
    pair<VecType::kF16, VecType::kU8>(kR5 | kNone),    pair<VecType::kF32, VecType::kF32>(kR5),
    pair<VecType::kF32, VecType::kF16>(kR5 | kOdd | kNone), pair<VecType::kF32, VecType::kBF16>(kR5),
    pair<VecType::kF32, VecType::kI32>(kR5),           pair<VecType::kF32, VecType::kI16>(kR5),
    pair<VecType::kF32, VecType::kI64>(kR5),           pair<VecType::kBF16, VecType::kF32>(kNone),
    pair<VecType::kBF16, VecType::kI32>(kR5),          pair<VecType::kI8, VecType::kF16>(kNone),
    pair<VecType::kU8, VecType::kF16>(kNone),          pair<VecType::kI16, VecType::kF16>(kR5 | kNone),
    pair<VecType::kI16, VecType::kF32>(kNone),         pair<VecType::kI32, VecType::kF32>(kR5 | kNone),
    pair<VecType::kI32, VecType::kI16>(kNone),         pair<VecType::kI32, VecType::kI64>(kNone),
    pair<VecType::kI64, VecType::kI32>(kNone),         pair<VecType::kI64, VecType::kF32>(kR5),
};

const char* mode_name(RoundMode m) {
  static const char* const kNames[] = {"CAST_NONE", "CAST_RINT",  "CAST_FLOOR", "CAST_CEIL",
                                       "CAST_ROUND", "CAST_TRUNC", "CAST_ODD"};
  const auto i = static_cast<unsigned>(m);
  return i < 7 ? kNames[i] : "an unknown RoundMode";
}

std::string pair_list() {
  std::string s;
  for (const Pair& p : kPairs) {
    if (!s.empty()) s += ", ";
    s += std::string(type_name(p.src)) + "->" + type_name(p.dst);
  }
  return s;
}

std::string mode_list(unsigned modes) {
  std::string s;
  for (unsigned i = 0; i < 7; ++i) {
    if ((modes & (1u << i)) == 0) continue;
    if (!s.empty()) s += ", ";
    s += mode_name(static_cast<RoundMode>(i));
  }
  return s;
}

// The pair (src -> dst) and mode, or a failure listing what the class supports.
const Pair& find_pair(const CastOp& c) {
  for (const Pair& p : kPairs) {
    if (p.src != c.src_type || p.dst != c.dst_type) continue;
    const auto mode = static_cast<unsigned>(c.mode);
    if (mode >= 7 || (p.modes & (1u << mode)) == 0)
      fail("Cast %s -> %s: roundMode %s is not supported on the 910B class (supported: %s)", type_name(c.src_type),
           type_name(c.dst_type), mode_name(c.mode), mode_list(p.modes).c_str());
    return p;
  }
  if (c.src_type == VecType::kI32 && c.dst_type == VecType::kF16)
    fail("Cast int32_t -> half is the dequantizing form (with SetDeqScale), which vnpu does not provide");
  fail("Cast %s -> %s is not supported on the 910B class (supported: %s)", type_name(c.src_type),
       type_name(c.dst_type), pair_list().c_str());
}

}  // namespace

void cast_count(const CastOp& c, const Operand& dst, const Operand& src, std::uint64_t count) {
  const PipeSpan pipe("V", "Cast", 0);
  const Pair& p = find_pair(c);
  const std::uint32_t ss = type_size(c.src_type), ds = type_size(c.dst_type);
  check_align("Cast", "dst", dst, 32);
  check_align("Cast", "src", src, 32);
  check_room("Cast", "src", src, count * ss, "the count's elements");
  check_room("Cast", "dst", dst, count * ds, "the count's elements");
  if (c.src_type == VecType::kF16 && c.dst_type == VecType::kF32) {
    cast_f16_to_f32(reinterpret_cast<const std::uint16_t*>(src.ptr), reinterpret_cast<float*>(dst.ptr), count);
  } else if (c.src_type == VecType::kF32 && c.dst_type == VecType::kF16 &&
             (c.mode == RoundMode::CAST_RINT || c.mode == RoundMode::CAST_NONE)) {
    cast_f32_to_f16_rint(reinterpret_cast<const float*>(src.ptr), reinterpret_cast<std::uint16_t*>(dst.ptr), count);
  } else {
    p.run(src.ptr, dst.ptr, count, c.mode);
  }
}

void cast_repeats(const CastOp& c, const Operand& dst, const Operand& src, const RepeatPlan& plan,
                  const AscendC::UnaryRepeatParams& params) {
  const PipeSpan pipe("V", "Cast", 0);
  const Pair& p = find_pair(c);
  const std::uint32_t ss = type_size(c.src_type), ds = type_size(c.dst_type);
  const std::uint32_t lanes = 256 / std::max(ss, ds);
  check_align("Cast", "dst", dst, 32);
  check_align("Cast", "src", src, 32);
  const LaneWalk sw = lane_walk(src.ptr, ss, lanes, plan, params.srcBlkStride, params.srcRepStride);
  const LaneWalk dw = lane_walk(dst.ptr, ds, lanes, plan, params.dstBlkStride, params.dstRepStride);
  check_room("Cast", "src", src, sw.extent(), "the enabled elements of the repeats (srcBlkStride, srcRepStride)");
  check_room("Cast", "dst", dst, dw.extent(), "the enabled elements of the repeats (dstBlkStride, dstRepStride)");
  for (std::uint32_t r = 0; r < plan.repeats; ++r) {
    const RepeatMask& m = sw.lanes_of(r);
    for (std::uint32_t j = 0; j < lanes; ++j)
      if (m.test(j)) p.one(sw.at(r, j), dw.at(r, j), c.mode);
  }
}

}  // namespace vnpu::ascendc
