// WholeReduceSum/Max/Min, BlockReduceSum/Max/Min, PairReduceSum and their newer names:
// one result per repeat, DataBlock or pair, against the model with masks, strides,
// counter mode and isSetMask, and their limits.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "reduce_model.hpp"
#include "vec_test_util.hpp"

using namespace AscendC;

namespace {

struct Layout {
  std::int32_t repeats, dst_rep, src_blk, src_rep;
  std::uint64_t m0, m1;  // bit mask, or m1 == 0 && m0 < 200: the first m0 lanes
};

template <typename T>
bool lane_on(const Layout& c, std::size_t j) {
  if (c.m1 == 0 && c.m0 < 200) return j < c.m0;
  const std::uint64_t w = j < 64 ? c.m0 : (sizeof(T) == 2 ? c.m1 : 0);
  return ((w >> (j % 64)) & 1u) != 0;
}

template <typename T>
std::size_t src_len(const Layout& c) {
  const std::size_t per_block = 32 / sizeof(T);
  return static_cast<std::size_t>(c.repeats - 1) * c.src_rep * per_block + 7 * c.src_blk * per_block + per_block;
}

// Runs `f(dst, src)` on src = x and a dst of dst_n elements (0x5A bytes before); returns dst.
template <typename T, typename F>
std::vector<T> run_layout(const std::vector<T>& x, std::uint32_t dst_n, F f) {
  std::vector<T> out;
  const std::string msg = vectest::run([&](vectest::Ub& ub) {
    LocalTensor<T> src = ub.alloc_from(x), dst = ub.alloc<T>(dst_n);
    std::memset(static_cast<void*>(dst.GetPhyAddr()), 0x5A, dst_n * sizeof(T));  // what no result overwrites
    f(dst, src);
    out = vectest::read(dst, dst_n);
  });
  EXPECT_EQ(msg, "");
  return out;
}

template <typename T>
T kept() {
  T v;
  std::memset(static_cast<void*>(&v), 0x5A, sizeof v);
  return v;
}

template <typename T>
std::vector<Layout> layouts() {
  const std::uint64_t L = 256 / sizeof(T);
  return {{1, 1, 1, 8, L, 0},           {4, 1, 1, 8, L, 0},        {255, 1, 1, 8, 5, 0},
          {3, 3, 2, 16, L - 1, 0},      {5, 2, 0, 1, 0xF00F00F00F00F001ull, 0x3ull},
          {2, 1, 1, 8, 0x1ull, 0x8000000000000000ull}, {6, 0, 1, 8, 17, 0}};
}

template <typename T>
void check_whole_sum() {
  for (const Layout& c : layouts<T>()) {
    SCOPED_TRACE("repeats " + std::to_string(c.repeats) + " blk " + std::to_string(c.src_blk) + " rep " +
                 std::to_string(c.src_rep) + " mask " + std::to_string(c.m0));
    const std::vector<T> x = vectest::random_values<T>(src_len<T>(c), static_cast<unsigned>(c.repeats), -5, 3);
    const std::uint32_t dst_n = static_cast<std::uint32_t>((c.repeats - 1) * c.dst_rep + 1);
    std::vector<T> want(dst_n, kept<T>());
    for (std::int32_t r = 0; r < c.repeats; ++r) {
      const auto lanes = model::repeat_lanes(x, r, c.src_rep * 32 / sizeof(T), c.src_blk,
                                             [&](std::size_t j) { return lane_on<T>(c, j); });
      want[r * c.dst_rep] = static_cast<T>(*model::tree<T>(lanes));
    }
    vectest::for_each_isa([&](const std::string&) {
      const auto got = run_layout<T>(x, dst_n, [&](LocalTensor<T>& dst, LocalTensor<T>& src) {
        if (c.m1 == 0 && c.m0 < 200) {
          WholeReduceSum(dst, src, static_cast<std::int32_t>(c.m0), c.repeats, c.dst_rep, c.src_blk, c.src_rep);
        } else {
          const std::uint64_t mask[2] = {c.m0, c.m1};
          WholeReduceSum(dst, src, mask, c.repeats, c.dst_rep, c.src_blk, c.src_rep);
        }
      });
      for (std::uint32_t i = 0; i < dst_n; ++i) EXPECT_EQ(vectest::bits(got[i]), vectest::bits(want[i])) << i;
    });
  }
}

TEST(AscendcWholeReduce, SumPerRepeatFollowsTheTree) {
  check_whole_sum<float>();
  check_whole_sum<half>();
}

TEST(AscendcWholeReduce, HalfSumsSaturate) {
  std::vector<half> x(128, half(0.0f));
  x[0] = x[1] = half(60000.0f);
  x[2] = half(-30000.0f);
  x[3] = half(100.0f);
  const auto got = run_layout<half>(x, 16, [](LocalTensor<half>& dst, LocalTensor<half>& src) {
    WholeReduceSum(dst, src, 128, 1, 1, 1, 8);
  });
  EXPECT_EQ(static_cast<float>(got[0]), 35584.0f);  // see test_reduce_sum.cpp
}

template <typename T>
void check_whole_extreme(bool is_max, ReduceOrder order) {
  const Layout c{7, 2, 1, 8, 0xFFFFFFFFFFFFFFF0ull, 0x0000FFFFFFFFFFFFull};
  std::vector<T> x = vectest::random_values<T>(src_len<T>(c), 11, -3, 3);
  x[3 * 128 / sizeof(T) * 2 + 40] = static_cast<T>(is_max ? 99.0f : -99.0f);  // repeat 3, twice: the first wins
  x[3 * 128 / sizeof(T) * 2 + 50] = static_cast<T>(is_max ? 99.0f : -99.0f);
  // T slots per dstRepStride step: value and index 2, the value 1, the uint32_t index 4 / sizeof(T).
  const std::uint32_t unit = order == ReduceOrder::ORDER_ONLY_VALUE
                                 ? 1
                                 : (order == ReduceOrder::ORDER_ONLY_INDEX ? 4 / sizeof(T) : 2);
  const std::uint32_t dst_n = (6 * c.dst_rep + 1) * unit + 16;
  const auto got = run_layout<T>(x, dst_n, [&](LocalTensor<T>& dst, LocalTensor<T>& src) {
    const std::uint64_t mask[2] = {c.m0, c.m1};
    if (is_max) WholeReduceMax(dst, src, mask, c.repeats, c.dst_rep, c.src_blk, c.src_rep, order);
    else WholeReduceMin(dst, src, mask, c.repeats, c.dst_rep, c.src_blk, c.src_rep, order);
  });
  for (std::int32_t r = 0; r < c.repeats; ++r) {
    const auto lanes = model::repeat_lanes(x, r, c.src_rep * 32 / sizeof(T), 1,
                                           [&](std::size_t j) { return lane_on<T>(c, j); });
    model::Extreme e;
    for (std::size_t j = 0; j < lanes.size(); ++j)
      if (lanes[j]) model::consider(e, *lanes[j], j, is_max);
    const T* slot = got.data() + r * c.dst_rep * unit;
    std::uint32_t index = 0;
    T value{};
    switch (order) {
      case ReduceOrder::ORDER_VALUE_INDEX:
        value = slot[0];
        std::memcpy(&index, slot + 1, sizeof(T));
        break;
      case ReduceOrder::ORDER_INDEX_VALUE:
        std::memcpy(&index, slot, sizeof(T));
        value = slot[1];
        break;
      case ReduceOrder::ORDER_ONLY_VALUE: value = slot[0]; break;
      case ReduceOrder::ORDER_ONLY_INDEX: std::memcpy(&index, slot, 4); break;  // a uint32_t, also for half
    }
    if (order != ReduceOrder::ORDER_ONLY_INDEX) {
      EXPECT_EQ(static_cast<float>(value), e.value) << r;
    }
    if (order != ReduceOrder::ORDER_ONLY_VALUE) {
      EXPECT_EQ(index, e.index) << r;
      EXPECT_TRUE(r != 3 || index == 40u) << index;
    }
  }
}

TEST(AscendcWholeReduce, MaxMinWriteValueAndLaneInTheOrderAsked) {
  for (ReduceOrder order : {ReduceOrder::ORDER_VALUE_INDEX, ReduceOrder::ORDER_INDEX_VALUE,
                            ReduceOrder::ORDER_ONLY_VALUE, ReduceOrder::ORDER_ONLY_INDEX}) {
    SCOPED_TRACE("order " + std::to_string(static_cast<int>(order)));
    for (bool is_max : {true, false}) {
      check_whole_extreme<float>(is_max, order);
      check_whole_extreme<half>(is_max, order);
    }
  }
}

template <typename T>
void check_block_reduce(vnpu::ascendc::ReduceOp op) {
  const std::uint32_t per_block = 32 / sizeof(T);
  // The mask leaves some DataBlocks out entirely, and one partly.
  const Layout c{3, 2, 1, 8, sizeof(T) == 2 ? 0xFFFF0000FF0FFFFFull : 0xFFFF00FF0FFFull,
                 sizeof(T) == 2 ? 0x0000FFFFFFFFFFFFull : 0};
  const std::vector<T> x = vectest::random_values<T>(src_len<T>(c), 5, -4, 4);
  const std::uint32_t dst_n = 2 * 2 * 8 + 8;
  std::vector<T> want(dst_n, kept<T>());
  for (std::int32_t r = 0; r < c.repeats; ++r) {
    const auto lanes = model::repeat_lanes(x, r, c.src_rep * per_block, 1, [&](std::size_t j) { return lane_on<T>(c, j); });
    for (std::uint32_t k = 0; k < 8; ++k) {
      model::Lanes block(lanes.begin() + k * per_block, lanes.begin() + (k + 1) * per_block);
      model::Extreme e;
      for (std::size_t j = 0; j < block.size(); ++j)
        if (block[j]) model::consider(e, *block[j], j, op == vnpu::ascendc::ReduceOp::kMax);
      const auto sum = model::tree<T>(block);
      if (!sum) continue;  // no lane: the result is not written
      want[r * c.dst_rep * 8 + k] = static_cast<T>(op == vnpu::ascendc::ReduceOp::kSum ? *sum : e.value);
    }
  }
  vectest::for_each_isa([&](const std::string&) {
    const auto got = run_layout<T>(x, dst_n, [&](LocalTensor<T>& dst, LocalTensor<T>& src) {
      const std::uint64_t mask[2] = {c.m0, c.m1};
      switch (op) {
        case vnpu::ascendc::ReduceOp::kSum: BlockReduceSum(dst, src, c.repeats, mask, c.dst_rep, c.src_blk, c.src_rep); break;
        case vnpu::ascendc::ReduceOp::kMax: BlockReduceMax(dst, src, c.repeats, mask, c.dst_rep, c.src_blk, c.src_rep); break;
        case vnpu::ascendc::ReduceOp::kMin: ReduceDataBlock<ReduceType::MIN>(dst, src, mask, c.repeats, c.dst_rep, c.src_blk, c.src_rep); break;
      }
    });
    for (std::uint32_t i = 0; i < dst_n; ++i) EXPECT_EQ(vectest::bits(got[i]), vectest::bits(want[i])) << i;
  });
}

TEST(AscendcBlockReduce, OneResultPerDataBlockAndMaskedBlocksKeepTheirValue) {
  for (auto op : {vnpu::ascendc::ReduceOp::kSum, vnpu::ascendc::ReduceOp::kMax, vnpu::ascendc::ReduceOp::kMin}) {
    check_block_reduce<float>(op);
    check_block_reduce<half>(op);
  }
}

template <typename T>
void check_pair_reduce() {
  const std::uint32_t L = 256 / sizeof(T);
  const Layout c{4, 1, 2, 24, 0x9FFFFFFFFFFFFFF5ull, 0xFFFFFFFFFFFFFFFFull};
  const std::vector<T> x = vectest::random_values<T>(src_len<T>(c), 8, -6, 6);
  const std::uint32_t per_rep = 128 / sizeof(T), dst_n = 4 * per_rep;
  std::vector<T> want(dst_n, kept<T>());
  for (std::int32_t r = 0; r < c.repeats; ++r) {
    const auto lanes = model::repeat_lanes(x, r, c.src_rep * 32 / sizeof(T), c.src_blk,
                                           [&](std::size_t j) { return lane_on<T>(c, j); });
    for (std::uint32_t k = 0; k < L / 2; ++k) {
      const auto s = model::tree<T>({lanes[2 * k], lanes[2 * k + 1]});
      if (s) want[r * per_rep + k] = static_cast<T>(*s);
    }
  }
  const auto got = run_layout<T>(x, dst_n, [&](LocalTensor<T>& dst, LocalTensor<T>& src) {
    const std::uint64_t mask[2] = {c.m0, c.m1};
    PairReduceSum(dst, src, c.repeats, mask, c.dst_rep, c.src_blk, c.src_rep);
  });
  for (std::uint32_t i = 0; i < dst_n; ++i) EXPECT_EQ(vectest::bits(got[i]), vectest::bits(want[i])) << i;
}

TEST(AscendcPairReduce, AdjacentLanesAddedAndTheDocumentedExample) {
  check_pair_reduce<float>();
  check_pair_reduce<half>();
  // The start of the documented example (half, mask 128, one repeat).
  std::vector<half> x(128, half(0.0f));
  const float in[] = {-3.441f, 7.246f, -0.02759f, -6.324f, 3.693f, -7.984f};
  for (int i = 0; i < 6; ++i) x[i] = half(in[i]);
  const auto got = run_layout<half>(x, 64, [](LocalTensor<half>& dst, LocalTensor<half>& src) {
    ReducePairElem<ReduceType::SUM>(dst, src, 128, 1, 1, 1, 8);
  });
  EXPECT_EQ(got[0].bits(), half(3.805f).bits());
  EXPECT_EQ(got[1].bits(), half(-6.352f).bits());
  EXPECT_EQ(got[2].bits(), half(-4.289f).bits());
}

TEST(AscendcWholeReduce, CounterModeTakesATotalAndIsSetMaskFalseTheRegister) {
  std::vector<float> x(320);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(i);
  std::vector<float> a, b, n;
  const std::string msg = vectest::run([&](vectest::Ub& ub) {
    LocalTensor<float> src = ub.alloc_from(x), dst = ub.alloc<float>(8);
    SetMaskCount();
    SetVectorMask<float, MaskMode::COUNTER>(0, 300);  // 300 elements: repeats of 64 + 44
    WholeReduceSum<float, false>(dst, src, MASK_PLACEHOLDER, 1, 1, 1, 8);
    a = vectest::read(dst, 5);
    ReduceRepeat<ReduceType::SUM, float, float>(dst, src, 130, 99, 1, 1, 8);  // isSetMask: a total of 130
    b = vectest::read(dst, 3);
    SetMaskNorm();
    const std::uint64_t mask[2] = {0x3ull, 0};
    WholeReduceMax<float, true>(dst, src, mask, 2, 1, 1, 8, ReduceOrder::ORDER_ONLY_VALUE);
    n = vectest::read(dst, 2);
    ResetMask();
  });
  ASSERT_EQ(msg, "");
  const auto sum = [&](std::size_t lo, std::size_t hi) {
    float s = 0;
    for (std::size_t i = lo; i < hi; ++i) s += x[i];  // integers: exact in any order
    return s;
  };
  EXPECT_EQ(a, (std::vector<float>{sum(0, 64), sum(64, 128), sum(128, 192), sum(192, 256), sum(256, 300)}));
  EXPECT_EQ(b, (std::vector<float>{sum(0, 64), sum(64, 128), sum(128, 130)}));
  EXPECT_EQ(n, (std::vector<float>{1.0f, 65.0f}));
}

TEST(AscendcWholeReduce, LimitsFailWithTheirReason) {
  using vectest::expect_failure;
  expect_failure(
      [](vectest::Ub& ub) {
        LocalTensor<float> src = ub.alloc<float>(64 * 256), dst = ub.alloc<float>(256);
        WholeReduceSum(dst, src, 64, 256, 1, 1, 8);
      },
      {"WholeReduceSum", "repeatTime 256 is outside [0, 255]"});
  expect_failure(
      [](vectest::Ub& ub) {
        LocalTensor<float> src = ub.alloc<float>(64), dst = ub.alloc<float>(8);
        WholeReduceSum(dst, src, 64, 1, 1, 2, 8);  // blocks 2 apart: the 8th starts at element 112
      },
      {"WholeReduceSum", "src", "srcBlkStride", "480 bytes"});
  expect_failure(
      [](vectest::Ub& ub) {
        LocalTensor<half> src = ub.alloc<half>(512), dst = ub.alloc<half>(16);
        WholeReduceMax(dst, src, 128, 4, 5, 1, 8);  // results 5 slots (20 bytes) apart: 64 bytes
      },
      {"WholeReduceMax", "dst", "64 bytes", "(32 bytes)"});
  expect_failure(
      [](vectest::Ub& ub) {
        LocalTensor<float> src = ub.alloc<float>(64), dst = ub.alloc<float>(16);
        BlockReduceSum(dst[4], src, 1, 64, 1, 1, 8);
      },
      {"BlockReduceSum", "dst", "not 32-byte aligned"});
  expect_failure(
      [](vectest::Ub& ub) {
        LocalTensor<float> src = ub.alloc<float>(64), dst = ub.alloc<float>(16);
        PairReduceSum(dst, src, 1, 64, -1, 1, 8);
      },
      {"PairReduceSum", "dstRepStride is -1"});
  expect_failure(
      [](vectest::Ub& ub) {
        LocalTensor<float> src = ub.alloc<float>(64), dst = ub.alloc<float>(16);
        const std::uint64_t mask[2] = {0, 0};
        WholeReduceMin(dst, src, mask, 1, 1, 1, 8);
      },
      {"WholeReduceMin", "the mask enables no element"});
}

}  // namespace
