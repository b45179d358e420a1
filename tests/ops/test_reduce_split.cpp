// How a reduction's work is spread over cores: the split must be even (no block more than
// 10% above another) and must not wake every core for a tiny input.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <vector>

#include "vnpu/vnpu.hpp"

namespace {

using vnpu::DType;
using vnpu::Tensor;
using vnpu::ops::ReduceOp;
using vnpu::ops::ReduceOptions;

struct SplitCase {
  std::vector<std::int64_t> shape;
  std::vector<int> axes;  // empty: all axes
};

std::vector<std::int64_t> split(const SplitCase& c, int cores, ReduceOp op = ReduceOp::kSum) {
  static float dummy[1];
  const Tensor in(static_cast<void*>(dummy), DType::kF32, std::span<const std::int64_t>(c.shape));
  ReduceOptions o;
  if (!c.axes.empty()) o.axes = vnpu::ops::Axes(std::span<const int>(c.axes));
  auto work = vnpu::ops::reduce_block_work(op, in, o, cores);
  EXPECT_TRUE(work.has_value()) << vnpu::last_error_message();
  return work.has_value() ? *work : std::vector<std::int64_t>{};
}

TEST(ReduceSplit, EveryElementIsAssignedOnce) {
  const std::vector<SplitCase> cases = {
      {{67108864}, {}}, {{8192, 8192}, {0}}, {{8192, 8192}, {1}}, {{1048576, 16}, {0}}, {{1048576, 16}, {1}},
      {{16, 1048576}, {0}}, {{16, 1048576}, {1}}, {{4096, 1024}, {0}}, {{3, 100000}, {1}}, {{7, 301, 999}, {1}},
      {{300, 3, 50000}, {0, 2}}};
  for (const SplitCase& c : cases) {
    const std::int64_t n = std::accumulate(c.shape.begin(), c.shape.end(), std::int64_t{1}, std::multiplies<>());
    for (int cores : {1, 2, 3, 4, 7, 16}) {
      const auto w = split(c, cores);
      ASSERT_FALSE(w.empty());
      EXPECT_LE(static_cast<int>(w.size()), cores);
      EXPECT_EQ(std::accumulate(w.begin(), w.end(), std::int64_t{0}), n) << "cores " << cores;
    }
  }
}

TEST(ReduceSplit, UnevenSplitsStayWithinTenPercent) {
  // Shapes whose natural units do not divide evenly among the cores.
  const std::vector<SplitCase> cases = {
      {{3, 100000}, {1}},   {{5, 70001}, {1}},     {{1000003}, {}},      {{997, 1031}, {0}}, {{997, 1031}, {1}},
      {{1048577, 16}, {0}}, {{16, 1048579}, {0}},  {{8192, 8192}, {0}},  {{4096, 1024}, {0}}, {{13, 17, 4099}, {1}},
      {{67108864}, {}},     {{1048576, 16}, {1}},  {{7, 301, 999}, {0, 2}}};
  for (const SplitCase& c : cases) {
    for (int cores : {2, 3, 4, 5, 7, 8}) {
      const auto w = split(c, cores);
      ASSERT_FALSE(w.empty());
      const auto [lo, hi] = std::minmax_element(w.begin(), w.end());
      EXPECT_LE(static_cast<double>(*hi), 1.10 * static_cast<double>(*lo))
          << "shape[0]=" << c.shape[0] << " cores=" << cores << " blocks=" << w.size() << " max=" << *hi
          << " min=" << *lo;
    }
  }
}

TEST(ReduceSplit, LargeInputsUseEveryCore) {
  EXPECT_EQ(split({{67108864}, {}}, 2).size(), 2u);
  EXPECT_EQ(split({{8192, 8192}, {0}}, 3).size(), 3u);
  EXPECT_EQ(split({{16, 1048576}, {1}}, 4).size(), 4u);
}

TEST(ReduceSplit, TinyInputsRunOnOneBlock) {
  EXPECT_EQ(split({{100}, {}}, 8).size(), 1u);
  EXPECT_EQ(split({{10, 10}, {0}}, 8).size(), 1u);
  EXPECT_EQ(split({{1000, 16}, {1}}, 8).size(), 1u);
}

TEST(ReduceSplit, RejectsBadCoreCount) {
  static float dummy[1];
  const Tensor in(static_cast<void*>(dummy), DType::kF32, {4});
  EXPECT_EQ(vnpu::ops::reduce_block_work(ReduceOp::kSum, in, {}, 0).status(), vnpu::Status::kInvalidArgument);
}

}  // namespace
