// Support for the vector-instruction tests: running a kernel body over UB buffers filled
// from the host, an independent model of the chip's addressing (repeats, DataBlocks,
// strides, masks, counter mode), float64 references rounded to the element type, and
// comparisons that name the first differing element.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

#include "kernel_operator.h"
#include "tikicpulib.h"
#include "vec_test_util.hpp"

namespace vt {

using Bytes = std::vector<unsigned char>;
using ByteTensor = AscendC::LocalTensor<std::uint8_t>;

/// Runs `body` in a one-block kernel over one UB buffer per entry of `bufs` (each holding
/// its bytes; sizes rounded up to 32 by InitBuffer), and copies the buffers back. Returns
/// the kernel's status; on failure the message is vnpu::ascendc::last_error_message().
vnpu::Status run_ub(std::vector<Bytes>& bufs, const std::function<void(std::vector<ByteTensor>&)>& body);

// ---- element types ----------------------------------------------------------------------

/// binary16 bits of x rounded to nearest even (inf beyond the range; NaN -> 0x7E00).
std::uint16_t half_bits(double x);
double half_value(std::uint16_t bits);

/// An element type's value as a double, and x rounded to the type (integers: exact when in
/// range, wrapped modulo 2^bits otherwise, as the chip's integer arithmetic).
template <typename T>
double value_of(T v) {
  if constexpr (std::is_same_v<T, half>) return half_value(v.bits());
  else if constexpr (std::is_same_v<T, bfloat16_t>) return static_cast<double>(static_cast<float>(v));
  else return static_cast<double>(v);
}
template <typename T>
T round_to(double x) {
  if constexpr (std::is_same_v<T, half>) {
    return half::from_bits(half_bits(x));
  } else if constexpr (std::is_same_v<T, bfloat16_t>) {
    return bfloat16_t(static_cast<float>(x));
  } else if constexpr (std::is_floating_point_v<T>) {
    return static_cast<T>(x);
  } else {
    const auto wide = static_cast<std::int64_t>(x);  // callers pass integral values
    return static_cast<T>(static_cast<std::make_unsigned_t<T>>(static_cast<std::uint64_t>(wide)));
  }
}
template <typename T>
constexpr bool is_float() {
  return std::is_floating_point_v<T> || std::is_same_v<T, half> || std::is_same_v<T, bfloat16_t>;
}
template <typename T>
const char* type_name() {
  if constexpr (std::is_same_v<T, half>) return "half";
  else if constexpr (std::is_same_v<T, float>) return "float";
  else if constexpr (std::is_same_v<T, std::int16_t>) return "int16";
  else if constexpr (std::is_same_v<T, std::uint16_t>) return "uint16";
  else if constexpr (std::is_same_v<T, std::int32_t>) return "int32";
  else if constexpr (std::is_same_v<T, std::uint32_t>) return "uint32";
  else if constexpr (std::is_same_v<T, bfloat16_t>) return "bfloat16";
  else return "?";
}
template <typename T>
constexpr std::uint32_t lanes_of() {
  return 256 / sizeof(T);
}
template <typename T>
constexpr std::uint32_t block_elems() {
  return 32 / sizeof(T);
}

/// Distance in units in the last place between two floats of type T (0 for equal values,
/// both NaN counting as equal; huge for NaN against a number).
template <typename T>
std::int64_t ulp_distance(T a, T b);

/// Random values of T: floats in [-lo_hi, lo_hi] (rounded to T), integers over their range.
template <typename T>
std::vector<T> random_values(std::size_t n, std::uint32_t seed, double range = 100.0);

template <typename T>
Bytes to_bytes(const std::vector<T>& v) {
  Bytes b(v.size() * sizeof(T));
  if (!v.empty()) std::memcpy(b.data(), v.data(), b.size());
  return b;
}
template <typename T>
T load(const Bytes& b, std::uint64_t byte_offset) {
  T v;
  std::memcpy(&v, b.data() + byte_offset, sizeof(T));
  return v;
}
template <typename T>
void store(Bytes& b, std::uint64_t byte_offset, T v) {
  std::memcpy(b.data() + byte_offset, &v, sizeof(T));
}

// ---- the chip's addressing, as the API reference describes it ---------------------------

/// Strides of one operand in 32-byte blocks.
struct Stride {
  std::uint32_t blk = 1;
  std::uint32_t rep = 8;
};

/// How an instruction is issued.
enum class Form {
  kCount,           ///< Op(..., count)
  kBits,            ///< mask[] with isSetMask = true
  kContinuous,      ///< mask with isSetMask = true
  kExternalBits,    ///< SetVectorMask(hi, lo), then isSetMask = false with MASK_PLACEHOLDER
  kCounter,         ///< SetMaskCount + SetVectorMask(count), isSetMask = false
  kCounterSetMask,  ///< SetMaskCount, then mask[] = {count, 0} with isSetMask = true
};
const char* form_name(Form f);

/// One issue of an instruction: its form and the mask, repeat and stride arguments.
struct Shape {
  Form form = Form::kCount;
  std::uint64_t count = 0;     ///< kCount, kCounter, kCounterSetMask
  std::uint64_t bits[2] = {0, 0};
  std::uint64_t mask_len = 0;  ///< kContinuous
  std::int64_t repeat = 1;
  Stride st[3];                ///< dst, src0, src1
  std::string describe() const;
};

/// The lanes an issue computes: repeats, and whether lane e of repeat r is enabled.
struct Lanes {
  std::uint64_t repeats = 0;
  std::uint32_t lanes = 0;
  std::uint64_t bits[2] = {0, 0};  ///< normal mode: lanes of every repeat
  std::uint64_t total = 0;          ///< counter modes: elements in all
  bool counter = false;
  bool enabled(std::uint64_t r, std::uint32_t e) const;
};
Lanes lanes_for(const Shape& s, std::uint32_t lanes);

/// Byte offset of lane e of repeat r for an operand of `es`-byte elements.
inline std::uint64_t lane_offset(Stride s, std::uint32_t es, std::uint64_t r, std::uint32_t e) {
  const std::uint32_t per_block = 32 / es;
  return r * s.rep * 32 + std::uint64_t{e / per_block} * s.blk * 32 + std::uint64_t{e % per_block} * es;
}
/// Bytes an operand must hold for every enabled lane of `l` (0 when none).
std::uint64_t operand_bytes(const Lanes& l, Stride s, std::uint32_t es);

/// The strides the count form uses: contiguous.
Stride contiguous(std::uint32_t es, std::uint32_t lanes);

/// Lengths around the block and repeat edges for elements of `es` bytes.
std::vector<std::uint64_t> edge_counts(std::uint32_t es);

/// Compares dst bytes with the expected bytes element by element (type T); on a difference
/// returns a message naming the element, else "". Floats may differ by `ulps`.
template <typename T>
std::string compare(const Bytes& got, const Bytes& want, std::int64_t ulps = 0);

// ---- issuing ----------------------------------------------------------------------------

/// Issues `call` in the way `s` says: sets the mask register or counter mode before, and
/// restores the normal mode and full mask after. `call(mask_bits_or_null, mask_len,
/// isSetMask)` performs the API call of the form; the form decides which mask it passes.
template <typename T, class CountCall, class MaskCall>
void issue(const Shape& s, CountCall&& count_call, MaskCall&& mask_call) {
  using namespace AscendC;
  switch (s.form) {
    case Form::kCount:
      count_call(static_cast<std::int32_t>(s.count));
      break;
    case Form::kBits:
      mask_call(s.bits, std::uint64_t{0}, std::true_type{});
      break;
    case Form::kContinuous:
      mask_call(static_cast<const std::uint64_t*>(nullptr), s.mask_len, std::true_type{});
      break;
    case Form::kExternalBits:
      SetVectorMask<T>(s.bits[1], s.bits[0]);
      mask_call(static_cast<const std::uint64_t*>(nullptr), MASK_PLACEHOLDER, std::false_type{});
      ResetMask();
      break;
    case Form::kCounter:
      SetMaskCount();
      SetVectorMask<T, MaskMode::COUNTER>(0, s.count);
      mask_call(MASK_PLACEHOLDER_LIST, std::uint64_t{0}, std::false_type{});
      SetMaskNorm();
      ResetMask();
      break;
    case Form::kCounterSetMask: {
      SetMaskCount();
      const std::uint64_t m[2] = {s.count, 0};
      mask_call(m, std::uint64_t{0}, std::true_type{});
      SetMaskNorm();
      ResetMask();
      break;
    }
  }
}

/// Shapes covering every form for an instruction of `lanes` lanes a repeat: edge-length
/// count forms, random bit masks, continuous masks, external masks, both counter modes,
/// default and non-default strides, up to 255 repeats when `max_bytes` allows.
std::vector<Shape> shapes_for(std::uint32_t lanes, std::uint32_t es, int operands, std::uint64_t max_bytes,
                              std::uint32_t seed);

// ---- element-wise instructions against their reference -----------------------------------

/// An element-wise instruction under test: dst (D) from up to two sources (S0, S1). `ref`
/// is the float64 (or exact integer) result rounded to D, from the old dst value and the
/// sources' values.
template <typename D, typename S0 = D, typename S1 = D>
struct Case {
  int sources = 2;
  std::function<D(D old, S0 a, S1 b)> ref;
  std::int64_t ulps = 0;  ///< allowed difference for float results
  std::function<std::vector<S0>(std::size_t, std::uint32_t)> gen0 = [](std::size_t n, std::uint32_t seed) {
    return random_values<S0>(n, seed);
  };
  std::function<std::vector<S1>(std::size_t, std::uint32_t)> gen1 = [](std::size_t n, std::uint32_t seed) {
    return random_values<S1>(n, seed);
  };
};

/// Issues the instruction in shape `s` (call(s, dst, src0, src1) makes the API call) over
/// random operands, and checks dst against the reference: enabled lanes computed, every
/// other byte of dst (and of the sources) unchanged.
template <typename D, typename S0, typename S1, class Call>
void check(const Case<D, S0, S1>& c, const Shape& s, Call&& call, std::uint32_t seed = 1) {
  constexpr std::uint32_t es_max = sizeof(D) > sizeof(S0) ? sizeof(D) : sizeof(S0);
  constexpr std::uint32_t lanes = 256 / es_max;
  const Lanes l = lanes_for(s, lanes);
  const std::uint32_t es[3] = {sizeof(D), sizeof(S0), sizeof(S1)};
  Stride st[3];
  for (int k = 0; k < 3; ++k) st[k] = s.form == Form::kCount ? contiguous(es[k], lanes) : s.st[k];
  std::vector<Bytes> bufs(1 + static_cast<std::size_t>(c.sources));
  for (std::size_t k = 0; k < bufs.size(); ++k) {
    const std::uint64_t bytes = (operand_bytes(l, st[k], es[k]) + 31) / 32 * 32 + 64;  // slack catches overruns
    const std::size_t n = bytes / es[k];
    if (k == 0) bufs[0] = to_bytes(random_values<D>(n, seed));
    if (k == 1) bufs[1] = to_bytes(c.gen0(n, seed + 1));
    if (k == 2) bufs[2] = to_bytes(c.gen1(n, seed + 2));
  }
  Bytes want = bufs[0];
  for (std::uint64_t r = 0; r < l.repeats; ++r)
    for (std::uint32_t e = 0; e < lanes; ++e) {
      if (!l.enabled(r, e)) continue;
      const std::uint64_t at = lane_offset(st[0], es[0], r, e);
      const S0 a = c.sources >= 1 ? load<S0>(bufs[1], lane_offset(st[1], es[1], r, e)) : S0{};
      const S1 b = c.sources >= 2 ? load<S1>(bufs[2], lane_offset(st[2], es[2], r, e)) : S1{};
      store(want, at, c.ref(load<D>(want, at), a, b));
    }
  const std::vector<Bytes> before = bufs;
  const vnpu::Status status = run_ub(bufs, [&](std::vector<ByteTensor>& t) {
    AscendC::LocalTensor<D> dst = t[0].ReinterpretCast<D>();
    AscendC::LocalTensor<S0> src0 = c.sources >= 1 ? t[1].ReinterpretCast<S0>() : AscendC::LocalTensor<S0>{};
    AscendC::LocalTensor<S1> src1 = c.sources >= 2 ? t[2].ReinterpretCast<S1>() : AscendC::LocalTensor<S1>{};
    if (std::getenv("VT_TRACE")) std::fprintf(stderr, "%s\n", s.describe().c_str());
    call(s, dst, src0, src1);
  });
  ASSERT_EQ(status, vnpu::Status::kSuccess) << s.describe() << ": " << vnpu::ascendc::last_error_message();
  const std::string diff = compare<D>(bufs[0], want, c.ulps);
  EXPECT_EQ(diff, "") << type_name<D>() << ", " << s.describe();
  for (std::size_t k = 1; k < bufs.size(); ++k) EXPECT_TRUE(bufs[k] == before[k]) << "source " << k << " changed";
}

/// Runs a test body once per SIMD target (simd_isas), the target restricted for the
/// call, then restores "native" (vec_test_util.hpp).
using vectest::for_each_isa;

/// check() over every shape of shapes_for() for the instruction, on every SIMD target.
template <typename D, typename S0, typename S1, class Call>
void check_all_forms(const Case<D, S0, S1>& c, Call call, std::uint32_t seed) {
  constexpr std::uint32_t es = sizeof(D) > sizeof(S0) ? sizeof(D) : sizeof(S0);
  const std::vector<Shape> shapes = shapes_for(256 / es, es, 1 + c.sources, 192 * 1024, seed);
  ASSERT_GT(shapes.size(), 30u);
  for_each_isa([&](const std::string& isa) {
    SCOPED_TRACE(isa);
    for (const Shape& s : shapes) {
      check(c, s, call, seed);
      if (::testing::Test::HasFailure()) return;
    }
  });
}

/// The strides of a shape as the API's parameter structs.
AscendC::BinaryRepeatParams binary_params(const Shape& s);
AscendC::UnaryRepeatParams unary_params(const Shape& s);

}  // namespace vt
