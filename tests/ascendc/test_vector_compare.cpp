// Compare (into bits and into CMPMASK), CompareScalar / Compares, GetCmpMask / SetCmpMask and
// Select in its three modes, against references written from the API reference's rules.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>

#include "vector_support.hpp"

using namespace AscendC;

namespace {

bool holds(CMPMODE m, double a, double b) {
  switch (m) {
    case CMPMODE::LT: return a < b;
    case CMPMODE::GT: return a > b;
    case CMPMODE::EQ: return a == b;
    case CMPMODE::LE: return a <= b;
    case CMPMODE::GE: return a >= b;
    case CMPMODE::NE: return a != b;
  }
  return false;
}

bool bit_of(const vt::Bytes& b, std::uint64_t i) { return (b[i / 8] >> (i % 8)) & 1u; }

// Sources with ties and NaN: values from a small set, so every mode sees both outcomes.
template <typename T>
std::vector<T> cmp_values(std::size_t n, std::uint32_t seed) {
  std::vector<T> v = vt::random_values<T>(n, seed, 4.0);
  for (std::size_t i = 0; i < n; ++i) {
    if constexpr (vt::is_float<T>()) {
      v[i] = vt::round_to<T>(std::round(vt::value_of(v[i])));
      if (i % 37 == 5) v[i] = vt::round_to<T>(std::numeric_limits<double>::quiet_NaN());
    } else {
      v[i] = static_cast<T>(v[i] % 4);
    }
  }
  return v;
}

// Compare (scalar: CompareScalar with `scalar`) over `repeats` repeats of 256 bytes, with
// source strides; count form when `count_form`. dst bits follow each other whatever the
// dst strides.
template <typename T>
void check_compare(CMPMODE mode, bool scalar, bool count_form, std::uint64_t repeats, vt::Stride s0, vt::Stride s1,
                   std::uint32_t seed) {
  constexpr std::uint32_t lanes = vt::lanes_of<T>();
  const T sv = vt::round_to<T>(1.0);
  if (count_form) s0 = s1 = vt::contiguous(sizeof(T), lanes);
  vt::Lanes l;
  l.repeats = repeats;
  l.lanes = lanes;
  l.bits[0] = l.bits[1] = ~std::uint64_t{0};
  const std::uint64_t out_bytes = repeats * lanes / 8;
  std::vector<vt::Bytes> bufs = {vt::to_bytes(vt::random_values<std::uint8_t>(out_bytes + 64, seed)),
                                 vt::to_bytes(cmp_values<T>((vt::operand_bytes(l, s0, sizeof(T)) + 64) / sizeof(T), seed + 1)),
                                 vt::to_bytes(cmp_values<T>((vt::operand_bytes(l, s1, sizeof(T)) + 64) / sizeof(T), seed + 2))};
  vt::Bytes want = bufs[0];
  for (std::uint64_t r = 0; r < repeats; ++r)
    for (std::uint32_t e = 0; e < lanes; ++e) {
      const double a = vt::value_of(vt::load<T>(bufs[1], vt::lane_offset(s0, sizeof(T), r, e)));
      const double b = scalar ? vt::value_of(sv) : vt::value_of(vt::load<T>(bufs[2], vt::lane_offset(s1, sizeof(T), r, e)));
      const std::uint64_t i = r * lanes + e;
      want[i / 8] = static_cast<unsigned char>((want[i / 8] & ~(1u << (i % 8))) | (holds(mode, a, b) << (i % 8)));
    }
  ASSERT_EQ(vt::run_ub(bufs,
                       [&](std::vector<vt::ByteTensor>& t) {
                         LocalTensor<T> a = t[1].ReinterpretCast<T>(), b = t[2].ReinterpretCast<T>();
                         const auto n = static_cast<std::uint32_t>(repeats * lanes);
                         const auto rep = static_cast<std::int64_t>(repeats);
                         if (scalar && count_form) {
                           CompareScalar(t[0], a, sv, mode, n);
                         } else if (scalar) {
                           Compares(t[0], a, sv, mode, std::uint64_t{7}, rep,  // mask and dst strides ignored
                                    UnaryRepeatParams(3, static_cast<std::uint16_t>(s0.blk), 1,
                                                      static_cast<std::uint8_t>(s0.rep)));
                         } else if (count_form) {
                           Compare(t[0], a, b, mode, n);
                         } else {
                           const std::uint64_t mask[2] = {1, 0};
                           Compare(t[0], a, b, mode, mask, rep,
                                   BinaryRepeatParams(5, static_cast<std::uint8_t>(s0.blk), static_cast<std::uint8_t>(s1.blk),
                                                      2, static_cast<std::uint8_t>(s0.rep), static_cast<std::uint8_t>(s1.rep)));
                         }
                       }),
            vnpu::Status::kSuccess)
      << vnpu::ascendc::last_error_message();
  EXPECT_EQ(vt::compare<std::uint8_t>(bufs[0], want), "")
      << vt::type_name<T>() << " mode " << static_cast<int>(mode) << (scalar ? " scalar" : "")
      << (count_form ? " count " : " repeats ") << repeats;
}

TEST(AscendcVectorCompare, EveryModeFormAndType) {
  const CMPMODE modes[] = {CMPMODE::LT, CMPMODE::GT, CMPMODE::EQ, CMPMODE::LE, CMPMODE::GE, CMPMODE::NE};
  const vt::Stride plain{1, 8}, strided{2, 20}, reuse{0, 3};
  vt::for_each_isa([&](const std::string& isa) {
    SCOPED_TRACE(isa);
    std::uint32_t seed = 300;
    for (CMPMODE m : modes)
      for (bool scalar : {false, true}) {
        for (std::uint64_t reps : {1u, 2u, 17u}) {
          check_compare<half>(m, scalar, true, reps, plain, plain, ++seed);
          check_compare<float>(m, scalar, true, reps, plain, plain, ++seed);
        }
        check_compare<float>(m, scalar, false, 255, plain, plain, ++seed);
        check_compare<half>(m, scalar, false, 3, strided, reuse, ++seed);
        check_compare<float>(m, scalar, false, 4, reuse, strided, ++seed);
        if (::testing::Test::HasFailure()) return;
      }
    check_compare<std::int32_t>(CMPMODE::EQ, false, true, 3, plain, plain, ++seed);
    check_compare<std::int32_t>(CMPMODE::EQ, true, false, 2, strided, plain, ++seed);
  });
}

// dst = a < b (and the other comparison operators) compare the whole of a.
TEST(AscendcVectorCompare, OperatorForms) {
  const auto a = cmp_values<float>(128, 1), b = cmp_values<float>(128, 2);
  std::vector<vt::Bytes> bufs = {vt::to_bytes(a), vt::to_bytes(b), vt::Bytes(16), vt::Bytes(16), vt::Bytes(16)};
  ASSERT_EQ(vt::run_ub(bufs,
                       [](std::vector<vt::ByteTensor>& t) {
                         LocalTensor<float> x = t[0].ReinterpretCast<float>(), y = t[1].ReinterpretCast<float>();
                         t[2] = x < y;
                         t[3] = x >= y;
                         t[4] = x != y;
                       }),
            vnpu::Status::kSuccess)
      << vnpu::ascendc::last_error_message();
  for (std::size_t i = 0; i < 128; ++i) {
    ASSERT_EQ(bit_of(bufs[2], i), a[i] < b[i]) << i;
    ASSERT_EQ(bit_of(bufs[3], i), a[i] >= b[i]) << i;
    ASSERT_EQ(bit_of(bufs[4], i), a[i] != b[i]) << i;
  }
}

// Compare into CMPMASK: one repeat under the mask, other bits 0; GetCmpMask reads it back.
TEST(AscendcVectorCompare, RegisterFormAndGetCmpMask) {
  const auto a = cmp_values<half>(128, 5), b = cmp_values<half>(128, 6);
  std::vector<vt::Bytes> bufs = {vt::to_bytes(a), vt::to_bytes(b), vt::Bytes(32, 0xAB), vt::Bytes(32, 0xAB)};
  ASSERT_EQ(vt::run_ub(bufs,
                       [](std::vector<vt::ByteTensor>& t) {
                         LocalTensor<half> x = t[0].ReinterpretCast<half>(), y = t[1].ReinterpretCast<half>();
                         Compare(x, y, CMPMODE::LE, std::uint64_t{100}, BinaryRepeatParams{});
                         GetCmpMask(t[2]);
                         const std::uint64_t mask[2] = {0xF0F0F0F0F0F0F0F0ull, 0x1ull};
                         Compare(x, y, CMPMODE::GT, mask, BinaryRepeatParams{});
                         GetCmpMask(t[3].ReinterpretCast<std::uint16_t>());
                       }),
            vnpu::Status::kSuccess)
      << vnpu::ascendc::last_error_message();
  for (std::size_t i = 0; i < 128; ++i) {
    const double x = vt::value_of(a[i]), y = vt::value_of(b[i]);
    ASSERT_EQ(bit_of(bufs[2], i), i < 100 && x <= y) << i;
    const bool on = i < 64 ? ((0xF0F0F0F0F0F0F0F0ull >> i) & 1u) : i == 64;
    ASSERT_EQ(bit_of(bufs[3], i), on && x > y) << i;
  }
  EXPECT_EQ(bufs[2][16], 0xAB);  // 16 bytes written, no more
}

// ---- Select ---------------------------------------------------------------------------------

enum class SelForm { kCount, kBits, kContinuous, kNoMask, kCounter };

// Select in mode `mode` over `s` (repeats, mask) with operand strides, against the rule: bit 1
// takes src0, 0 takes src1 / the scalar; mode 0 reuses the first lanes bits, modes 1 and 2
// consume them; lanes outside the mask keep dst.
template <typename T>
void check_select(SELMODE mode, SelForm form, std::uint64_t count_or_repeats, std::uint64_t mask_bits0,
                  const vt::Stride st[3], std::uint32_t seed) {
  constexpr std::uint32_t lanes = vt::lanes_of<T>();
  const bool scalar = mode == SELMODE::VSEL_TENSOR_SCALAR_MODE;
  const T sv = vt::round_to<T>(-7.0);
  vt::Shape s;
  s.form = form == SelForm::kCount ? vt::Form::kCount : form == SelForm::kCounter ? vt::Form::kCounter : vt::Form::kBits;
  s.count = count_or_repeats;
  s.repeat = static_cast<std::int64_t>(count_or_repeats);
  s.bits[0] = form == SelForm::kContinuous ? (mask_bits0 >= 64 ? ~0ull : (1ull << mask_bits0) - 1) : mask_bits0;
  s.bits[1] = form == SelForm::kContinuous ? (mask_bits0 > 64 ? (1ull << (mask_bits0 - 64)) - 1 : 0) : ~0ull;
  const vt::Lanes l = vt::lanes_for(s, lanes);
  vt::Stride use[3];
  for (int k = 0; k < 3; ++k) use[k] = s.form == vt::Form::kCount ? vt::contiguous(sizeof(T), lanes) : st[k];
  auto bytes = [&](int k) { return (vt::operand_bytes(l, use[k], sizeof(T)) + 64) / sizeof(T); };
  const std::uint64_t sel_bytes = mode == SELMODE::VSEL_CMPMASK_SPR ? 32 : (l.repeats * lanes + 7) / 8 + 32;
  std::vector<vt::Bytes> bufs = {vt::to_bytes(vt::random_values<T>(bytes(0), seed)),
                                 vt::to_bytes(vt::random_values<std::uint8_t>(sel_bytes, seed + 1)),
                                 vt::to_bytes(vt::random_values<T>(bytes(1), seed + 2)),
                                 vt::to_bytes(vt::random_values<T>(bytes(2), seed + 3)), vt::Bytes(32)};
  vt::Bytes want = bufs[0];
  for (std::uint64_t r = 0; r < l.repeats; ++r)
    for (std::uint32_t e = 0; e < lanes; ++e) {
      if (!l.enabled(r, e)) continue;
      const bool bit = bit_of(bufs[1], mode == SELMODE::VSEL_CMPMASK_SPR ? e : r * lanes + e);
      const T v = bit ? vt::load<T>(bufs[2], vt::lane_offset(use[1], sizeof(T), r, e))
                      : scalar ? sv : vt::load<T>(bufs[3], vt::lane_offset(use[2], sizeof(T), r, e));
      vt::store(want, vt::lane_offset(use[0], sizeof(T), r, e), v);
    }
  const vnpu::Status st_run = vt::run_ub(bufs, [&](std::vector<vt::ByteTensor>& t) {
    LocalTensor<T> dst = t[0].ReinterpretCast<T>(), a = t[2].ReinterpretCast<T>(), b = t[3].ReinterpretCast<T>();
    const BinaryRepeatParams p(static_cast<std::uint8_t>(use[0].blk), static_cast<std::uint8_t>(use[1].blk),
                               static_cast<std::uint8_t>(use[2].blk), static_cast<std::uint8_t>(use[0].rep),
                               static_cast<std::uint8_t>(use[1].rep), static_cast<std::uint8_t>(use[2].rep));
    const auto n = static_cast<std::uint32_t>(count_or_repeats);
    const auto rep = static_cast<std::int64_t>(count_or_repeats);
    switch (form) {
      case SelForm::kCount:
        if (scalar) Select(dst, t[1], a, sv, mode, n);
        else Select(dst, t[1], a, b, mode, n);
        break;
      case SelForm::kBits:
        if (scalar) Select(dst, t[1], a, sv, mode, s.bits, rep, p);
        else Select(dst, t[1], a, b, mode, s.bits, rep, p);
        break;
      case SelForm::kContinuous:
        if (scalar) Select(dst, t[1], a, sv, mode, mask_bits0, rep, p);
        else Select(dst, t[1], a, b, mode, mask_bits0, rep, p);
        break;
      case SelForm::kCounter:
        SetMaskCount();
        SetVectorMask<T, MaskMode::COUNTER>(0, count_or_repeats);
        if (scalar) Select<T, std::uint8_t, false>(dst, t[1], a, sv, mode, MASK_PLACEHOLDER, 1, p);
        else Select<T, std::uint8_t, false>(dst, t[1], a, b, mode, MASK_PLACEHOLDER_LIST, 1, p);
        SetMaskNorm();
        ResetMask();
        break;
      case SelForm::kNoMask: {  // the mask from SetVectorMask, the selection from CMPMASK
        SetVectorMask<T>(s.bits[1], s.bits[0]);
        LocalTensor<std::uint64_t> reg = t[4].ReinterpretCast<std::uint64_t>();
        if (mode == SELMODE::VSEL_CMPMASK_SPR) {
          SetCmpMask(t[1]);
          Select<T, SELMODE::VSEL_CMPMASK_SPR>(dst, a, b, rep, p);
        } else if (mode == SELMODE::VSEL_TENSOR_TENSOR_MODE) {
          reg.SetValue(0, static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(t[1].GetPhyAddr())));
          SetCmpMask(reg);
          Select<T, SELMODE::VSEL_TENSOR_TENSOR_MODE>(dst, a, b, rep, p);
        } else {
          Duplicate<T>(reg.ReinterpretCast<T>(), sv, 32 / sizeof(T));
          SetVectorMask<T>(s.bits[1], s.bits[0]);  // Duplicate's count form reset it
          SetCmpMask(reg);
          Select(dst, t[1], a, rep, p);
        }
        ResetMask();
        break;
      }
    }
  });
  ASSERT_EQ(st_run, vnpu::Status::kSuccess) << vnpu::ascendc::last_error_message();
  EXPECT_EQ(vt::compare<T>(bufs[0], want), "")
      << vt::type_name<T>() << " mode " << static_cast<int>(mode) << " form " << static_cast<int>(form) << " n "
      << count_or_repeats;
}

TEST(AscendcVectorSelect, EveryModeAndForm) {
  const SELMODE modes[] = {SELMODE::VSEL_CMPMASK_SPR, SELMODE::VSEL_TENSOR_SCALAR_MODE,
                           SELMODE::VSEL_TENSOR_TENSOR_MODE};
  const vt::Stride plain[3] = {{1, 8}, {1, 8}, {1, 8}};
  const vt::Stride strided[3] = {{2, 18}, {1, 9}, {3, 24}};
  vt::for_each_isa([&](const std::string& isa) {
    SCOPED_TRACE(isa);
    std::uint32_t seed = 400;
    for (SELMODE m : modes) {
      for (std::uint64_t n : {1u, 15u, 16u, 64u, 65u, 128u, 129u, 1000u}) {
        check_select<half>(m, SelForm::kCount, n, 0, plain, ++seed);
        check_select<float>(m, SelForm::kCount, n, 0, plain, ++seed);
      }
      for (const vt::Stride* st : {plain, strided}) {
        check_select<half>(m, SelForm::kBits, 3, 0x5A5A00FF0000FFFFull, st, ++seed);
        check_select<float>(m, SelForm::kBits, 4, ~0ull, st, ++seed);
        check_select<half>(m, SelForm::kContinuous, 2, 100, st, ++seed);
        check_select<float>(m, SelForm::kContinuous, 3, 13, st, ++seed);
        check_select<half>(m, SelForm::kNoMask, 3, 0xFFFF0000FFFF0001ull, st, ++seed);
        check_select<float>(m, SelForm::kNoMask, 2, ~0ull, st, ++seed);
        check_select<half>(m, SelForm::kCounter, 300, 0, st, ++seed);
        check_select<float>(m, SelForm::kCounter, 70, 0, st, ++seed);
      }
      if (::testing::Test::HasFailure()) return;
    }
    check_select<float>(SELMODE::VSEL_TENSOR_TENSOR_MODE, SelForm::kBits, 250, ~0ull, plain, ++seed);
  });
}

// Select's selMask may be any unsigned type: its bytes are the bits.
TEST(AscendcVectorSelect, SelMaskOfWiderTypes) {
  std::vector<float> a(64, 1.0f), b(64, 2.0f);
  std::vector<vt::Bytes> bufs = {vt::Bytes(256), vt::to_bytes(std::vector<std::uint32_t>{0x80000001u, 0x0000FF00u, 0, 0, 0, 0, 0, 0}),
                                 vt::to_bytes(a), vt::to_bytes(b)};
  ASSERT_EQ(vt::run_ub(bufs,
                       [](std::vector<vt::ByteTensor>& t) {
                         Select(t[0].ReinterpretCast<float>(), t[1].ReinterpretCast<std::uint32_t>(),
                                t[2].ReinterpretCast<float>(), t[3].ReinterpretCast<float>(),
                                SELMODE::VSEL_TENSOR_TENSOR_MODE, 64);
                       }),
            vnpu::Status::kSuccess)
      << vnpu::ascendc::last_error_message();
  for (std::uint32_t i = 0; i < 64; ++i) {
    const bool on = i == 0 || i == 31 || (i >= 40 && i < 48);
    ASSERT_EQ(vt::load<float>(bufs[0], i * 4u), on ? 1.0f : 2.0f) << i;
  }
}

}  // namespace
