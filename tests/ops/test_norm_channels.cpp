// batch_norm and group_norm against the float64 reference (norm_support.hpp): training
// statistics, save_mean/save_invstd and the running-stat update (momentum, unbiased
// variance), inference with running stats, several group counts, parameter and statistics
// dtypes independent of x, on every ISA; then strided views and in-place runs of all four
// ops.
#include <string>
#include <vector>

#include "ops/norm_support.hpp"

namespace vnpu {
namespace {

using namespace vnpu::test;

const std::vector<std::vector<std::int64_t>>& channel_shapes() {
  static const std::vector<std::vector<std::int64_t>> v = {
      {2, 3},          {1, 1, 2},        {4, 1, 7},         {3, 5, 1},      {2, 3, 4, 5},   {8, 16, 33},
      {2, 4, 4096},    {2, 2, 4097},     {5, 3, 31, 17},    {1, 6, 10007},  {16, 64, 7, 7}, {64, 2, 3000},
      {2, 1, 150001},  // one channel: blocks share its chunks
  };
  return v;
}

class BatchNormAccuracy : public ::testing::TestWithParam<DType> {};

TEST_P(BatchNormAccuracy, TrainingAndInferenceOnEveryIsa) {
  const DType dt = GetParam();
  Harness h(2);
  for (const std::string& isa : isas()) {
    ScopedIsa scoped(isa);
    ASSERT_TRUE(scoped.ok()) << isa;
    std::uint64_t seed = 100;
    for (const auto& shape : channel_shapes()) {
      for (bool training : {true, false}) {
        NormCase c;
        c.op = NormOp::kBatch;
        c.dtype = dt;
        c.shape = shape;
        c.training = training;
        c.seed = ++seed;
        c.running = seed % 3 == 0 ? DType::kBF16 : DType::kF32;
        if (seed % 2 == 0) {
          c.gamma = DType::kF16;
          c.beta = DType::kF32;
        }
        if (training) c.stats = seed % 3 == 1 ? DType::kF16 : DType::kF32;
        c.momentum = training ? 0.25 : 0.1;
        c.offset = 0.5;
        EXPECT_EQ(run_norm_case(h, c), "") << isa << ": " << describe(c);
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Dtypes, BatchNormAccuracy, ::testing::Values(DType::kF32, DType::kF16, DType::kBF16),
                         [](const auto& param_info) { return std::string(dtype_name(param_info.param)); });

// Training without running stats (only the normalization and save_*), and momentum 0 and 1
// (running stats unchanged / replaced by the batch's).
TEST(BatchNorm, TrainingOptionsAndMomentumEdges) {
  Harness h(2);
  for (double m : {0.0, 1.0, 0.1}) {
    NormCase c;
    c.op = NormOp::kBatch;
    c.training = true;
    c.shape = {7, 5, 13};
    c.momentum = m;
    c.running = DType::kF32;
    c.stats = DType::kF32;
    EXPECT_EQ(run_norm_case(h, c), "") << describe(c) << " momentum=" << m;
  }
  NormCase c;
  c.op = NormOp::kBatch;
  c.training = true;
  c.shape = {4, 8, 9};
  EXPECT_EQ(run_norm_case(h, c), "") << describe(c);
  c.gamma = DType::kBF16;
  c.sync_form = true;
  EXPECT_EQ(run_norm_case(h, c), "") << describe(c);
}

class GroupNormAccuracy : public ::testing::TestWithParam<DType> {};

TEST_P(GroupNormAccuracy, SeveralGroupCountsOnEveryIsa) {
  const DType dt = GetParam();
  Harness h(2);
  struct G {
    std::vector<std::int64_t> shape;
    std::vector<int> groups;
  };
  const std::vector<G> cases = {
      {{2, 6}, {1, 2, 3, 6}},            {{3, 8, 5}, {1, 2, 4, 8}},   {{2, 32, 9, 9}, {1, 4, 32}},
      {{1, 12, 1000}, {1, 3, 12}},       {{4, 3, 4097}, {1, 3}},      {{1, 2, 70001}, {1, 2}},
  };
  for (const std::string& isa : isas()) {
    ScopedIsa scoped(isa);
    std::uint64_t seed = 200;
    for (const G& g : cases) {
      for (int groups : g.groups) {
        NormCase c;
        c.op = NormOp::kGroup;
        c.dtype = dt;
        c.shape = g.shape;
        c.groups = groups;
        c.seed = ++seed;
        if (seed % 2 == 0) {
          c.gamma = dt;
          c.beta = DType::kBF16;
        }
        if (seed % 3 != 0) c.stats = seed % 3 == 1 ? DType::kF32 : dt;
        EXPECT_EQ(run_norm_case(h, c), "") << isa << ": " << describe(c);
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Dtypes, GroupNormAccuracy, ::testing::Values(DType::kF32, DType::kF16, DType::kBF16),
                         [](const auto& param_info) { return std::string(dtype_name(param_info.param)); });

// Strided views (padded rows, a transposed-like inner stride, gaps in every dim) for x and
// y, and in-place runs, for all four ops; gaps must stay untouched.
TEST(NormViews, StridedAndInPlace) {
  Harness h(2);
  struct V {
    NormOp op;
    std::vector<std::int64_t> shape, strides;
    int nd_or_groups;
  };
  const std::vector<V> views = {
      {NormOp::kLayer, {6, 100}, {128, 1}, 1},            // padded rows
      {NormOp::kLayer, {5, 33}, {1, 5}, 1},               // column-major: inner stride 5
      {NormOp::kLayer, {3, 4, 50}, {500, 100, 2}, 2},     // gaps everywhere
      {NormOp::kLayer, {4, 5000}, {10000, 2}, 1},         // strided long rows (several chunks)
      {NormOp::kRms, {6, 100}, {101, 1}, 1},
      {NormOp::kRms, {7, 9}, {1, 7}, 1},
      {NormOp::kBatch, {4, 3, 10}, {40, 12, 1}, 0},
      {NormOp::kBatch, {3, 2, 5, 6}, {1, 3, 36, 6 * 36}, 0},
      {NormOp::kGroup, {2, 6, 11}, {100, 12, 1}, 3},
      {NormOp::kGroup, {3, 4, 8}, {1, 3 * 8, 3}, 2},
  };
  std::uint64_t seed = 300;
  for (const V& v : views) {
    for (DType dt : {DType::kF32, DType::kBF16, DType::kF16}) {
      for (bool in_place : {false, true}) {
        NormCase c;
        c.op = v.op;
        c.dtype = dt;
        c.shape = v.shape;
        c.strides = v.strides;
        c.in_place = in_place;
        c.seed = ++seed;
        if (v.op == NormOp::kLayer || v.op == NormOp::kRms) c.normalized_ndim = v.nd_or_groups;
        if (v.op == NormOp::kGroup) c.groups = v.nd_or_groups;
        if (v.op == NormOp::kBatch) {
          c.training = seed % 2 == 0;
          c.running = DType::kF32;
        }
        c.gamma = DType::kF32;
        if (v.op != NormOp::kRms) c.beta = DType::kF16;
        EXPECT_EQ(run_norm_case(h, c), "") << describe(c);
      }
    }
  }
  // Contiguous in place, several chunks per row and both work splits.
  for (NormOp op : {NormOp::kLayer, NormOp::kRms}) {
    for (const std::vector<std::int64_t>& shape : {std::vector<std::int64_t>{64, 4096}, {1, 200003}}) {
      NormCase c;
      c.op = op;
      c.shape = shape;
      c.in_place = true;
      c.stats = DType::kF32;
      EXPECT_EQ(run_norm_case(h, c), "") << describe(c);
    }
  }
}

}  // namespace
}  // namespace vnpu
