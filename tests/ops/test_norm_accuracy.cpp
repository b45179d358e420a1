// Accuracy of layer_norm and rms_norm against the float64 reference (norm_support.hpp):
// dtype × row length (vector-width edges, primes, chunk edges, tiny and huge rows) ×
// normalized_ndim × every ISA of the machine, with and without gamma/beta, and data whose
// large mean and small variance break E[x²] - E[x]².
#include <string>
#include <vector>

#include "ops/norm_support.hpp"

namespace vnpu {
namespace {

using namespace vnpu::test;

struct RowShape {
  std::vector<std::int64_t> shape;
  int nd;
};

std::vector<RowShape> row_shapes() {
  std::vector<RowShape> v;
  // Row lengths around the vector widths (4, 8, 16 lanes), the 32 accumulator lanes and
  // the 4096-element chunk; primes; rows counts that split unevenly over cores.
  for (std::int64_t m : {1, 2, 3, 7, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 1000, 4095, 4096, 4097, 8193, 12289})
    v.push_back({{m < 64 ? 37 : 5, m}, 1});
  v.push_back({{1, 1}, 1});
  v.push_back({{100003}, 1});     // one huge row: blocks share its chunks
  v.push_back({{3, 70001}, 1});   // three long rows over two or three blocks
  v.push_back({{2000, 33}, 1});   // many short rows
  v.push_back({{3, 5, 7, 11}, 2});
  v.push_back({{3, 5, 7, 11}, 3});
  v.push_back({{2, 3, 64, 65}, 2});
  v.push_back({{6, 1024}, 2});    // normalized_ndim = rank: one group of everything
  return v;
}

class NormRowsAccuracy : public ::testing::TestWithParam<std::tuple<NormOp, DType>> {};

TEST_P(NormRowsAccuracy, MatchesFloat64ReferenceOnEveryIsa) {
  const auto [op, dt] = GetParam();
  Harness h(2);
  for (const std::string& isa : isas()) {
    ScopedIsa scoped(isa);
    ASSERT_TRUE(scoped.ok()) << isa;
    std::uint64_t seed = 1;
    for (const RowShape& rs : row_shapes()) {
      NormCase c;
      c.op = op;
      c.dtype = dt;
      c.shape = rs.shape;
      c.normalized_ndim = rs.nd;
      c.seed = ++seed;
      // Alternate the parameters: none, gamma only, gamma + beta in f32, f16, bf16.
      switch (seed % 4) {
        case 0: break;
        case 1: c.gamma = DType::kF32; break;
        case 2: c.gamma = DType::kBF16; c.beta = DType::kF16; c.stats = DType::kF32; break;
        default: c.gamma = dt; c.beta = DType::kF32; c.stats = dt; break;
      }
      const std::string err = run_norm_case(h, c);
      EXPECT_EQ(err, "") << isa << ": " << describe(c);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Ops, NormRowsAccuracy,
                         ::testing::Combine(::testing::Values(NormOp::kLayer, NormOp::kRms),
                                            ::testing::Values(DType::kF32, DType::kF16, DType::kBF16)),
                         [](const auto& param_info) {
                           return std::string(norm_label(std::get<0>(param_info.param))) + "_" +
                                  dtype_name(std::get<1>(param_info.param));
                         });

// 1e4 + u (|u| <= 2): E[x²] - E[x]² in f32 loses every significant digit of the variance
// (E[x²] ~ 1e8 has an ulp of 8); the chunked two-pass statistics keep full accuracy, and
// the split mean (hi + lo) keeps x - mean exact.
TEST(NormAccuracy, LargeMeanSmallVariance) {
  Harness h(2);
  for (const std::string& isa : isas()) {
    ScopedIsa scoped(isa);
    for (std::int64_t m : {100, 4096, 5000, 70001}) {
      NormCase c;
      c.shape = {4, m};
      c.offset = 1e4;
      c.stats = DType::kF32;
      c.beta = DType::kF32;
      EXPECT_EQ(run_norm_case(h, c), "") << isa << ": " << describe(c);
      c.op = NormOp::kGroup;  // the same data through group norm: [4, m] = [N, C]
      c.shape = {2, 4, m};
      c.groups = 2;
      c.beta.reset();
      EXPECT_EQ(run_norm_case(h, c), "") << isa << ": " << describe(c);
    }
    NormCase b;
    b.op = NormOp::kBatch;
    b.training = true;
    b.shape = {64, 3, 999};
    b.offset = 1e4;
    b.stats = DType::kF32;
    b.running = DType::kF32;
    EXPECT_EQ(run_norm_case(h, b), "") << isa << ": " << describe(b);
  }
}

// The same data with the variance alone: a constant row has variance 0 (rstd = 1/sqrt(eps)
// and y = beta exactly), and a tiny variance around a large mean keeps its digits.
TEST(NormAccuracy, ConstantAndNearlyConstantRows) {
  Harness h(2);
  NormCase c;
  c.shape = {8, 4099};
  c.offset = 3.0;
  c.scale = 0.0;
  c.stats = DType::kF32;
  c.beta = DType::kF32;
  EXPECT_EQ(run_norm_case(h, c), "") << describe(c);
  c.offset = 1000.0;
  c.scale = 1e-3;
  EXPECT_EQ(run_norm_case(h, c), "") << describe(c);
}

TEST(NormAccuracy, EpsAndSyncForm) {
  Harness h(2);
  for (double eps : {0.0, 1e-5, 0.5}) {
    for (bool sync : {false, true}) {
      for (NormOp op : {NormOp::kLayer, NormOp::kRms}) {
        NormCase c;
        c.op = op;
        c.shape = {9, 300};
        c.eps = eps;
        c.sync_form = sync;
        c.stats = DType::kF32;
        c.gamma = DType::kF32;
        EXPECT_EQ(run_norm_case(h, c), "") << describe(c) << " eps=" << eps;
        c.shape = {64, 4096};  // above one block: the sync form launches
        EXPECT_EQ(run_norm_case(h, c), "") << describe(c) << " eps=" << eps;
      }
    }
  }
}

}  // namespace
}  // namespace vnpu
