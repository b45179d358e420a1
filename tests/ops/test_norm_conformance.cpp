// The normalizations on what an ONNX conformance run feeds them, against float64:
//   - data whose squares or squared deviations overflow f32 within a statistics chunk (a
//     spread beyond ~3e17): the statistics stay finite (var fits in f64, rstd in f32) and
//     y is the normalized data, for layer, rms, batch (training) and group norm, on every
//     ISA;
//   - batch_norm training's save_var output: the biased batch variance per channel.
#include <cmath>
#include <string>
#include <vector>

#include "ops/norm_support.hpp"

namespace vnpu {
namespace {

using namespace vnpu::test;

TEST(NormConformance, WideSpreadStatisticsStayFinite) {
  struct Shape {
    NormOp op;
    std::vector<std::int64_t> shape;
    int nd;
  };
  const Shape shapes[] = {
      {NormOp::kLayer, {3, 5000}, 1},   {NormOp::kLayer, {2, 9000}, 1},  {NormOp::kLayer, {4, 64}, 1},
      {NormOp::kRms, {3, 5000}, 1},     {NormOp::kRms, {2, 40000}, 1},   {NormOp::kBatch, {4, 3, 2000}, 1},
      {NormOp::kGroup, {2, 4, 3000}, 1},
  };
  Harness h(2);
  for (const std::string& isa : isas()) {
    ScopedIsa scoped(isa);
    ASSERT_TRUE(scoped.ok()) << isa;
    std::uint64_t seed = 11;
    for (DType dt : {DType::kF32, DType::kBF16}) {
      // u in [-2, 2): 5e18 gives squares up to 1e38 (a chunk's sum overflows f32, the
      // variance 3e37 fits); 1e30 gives a variance beyond f32 whose rstd (1e-30) fits.
      for (double scale : {5e18, 1e30}) {
        for (const Shape& s : shapes) {
          NormCase c;
          c.op = s.op;
          c.dtype = dt;
          c.shape = s.shape;
          c.normalized_ndim = s.nd;
          c.groups = 2;
          c.training = true;
          c.stats = DType::kF32;
          c.scale = scale;
          c.offset = scale / 3;
          c.seed = ++seed;
          const std::string err = run_norm_case(h, c);
          EXPECT_EQ(err, "") << isa << ": " << describe(c);
        }
      }
    }
  }
}

TEST(NormConformance, BatchNormTrainingSavesTheBiasedVariance) {
  const std::int64_t n = 3, ch = 4, sp = 37;
  std::vector<float> x(static_cast<std::size_t>(n * ch * sp)), y(x.size());
  Rng rng(3);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(rng.uniform(-2.0, 2.0) + static_cast<double>(i % 4) * 10.0);
  std::vector<float> mean(ch), var(ch), invstd(ch);
  const Tensor tx(x.data(), DType::kF32, {n, ch, sp}), ty(y.data(), DType::kF32, {n, ch, sp});
  for (const std::string& isa : isas()) {
    ScopedIsa scoped(isa);
    ASSERT_TRUE(scoped.ok()) << isa;
    ops::BatchNormOptions o;
    o.training = true;
    o.eps = 1e-3;
    o.save_mean = Tensor(mean.data(), DType::kF32, {ch});
    o.save_var = Tensor(var.data(), DType::kF32, {ch});
    o.save_invstd = Tensor(invstd.data(), DType::kF32, {ch});
    ASSERT_EQ(ops::batch_norm(tx, ty, o), Status::kSuccess) << last_error_message();
    for (std::int64_t c = 0; c < ch; ++c) {
      double s = 0, q = 0;
      for (std::int64_t b = 0; b < n; ++b)
        for (std::int64_t j = 0; j < sp; ++j) s += x[static_cast<std::size_t>((b * ch + c) * sp + j)];
      const double m = s / static_cast<double>(n * sp);
      for (std::int64_t b = 0; b < n; ++b)
        for (std::int64_t j = 0; j < sp; ++j) {
          const double d = x[static_cast<std::size_t>((b * ch + c) * sp + j)] - m;
          q += d * d;
        }
      const double v = q / static_cast<double>(n * sp);  // biased: divide by n
      const auto k = static_cast<std::size_t>(c);
      EXPECT_NEAR(mean[k], m, 1e-6 * (std::fabs(m) + 1)) << isa << " channel " << c;
      EXPECT_NEAR(var[k], v, 1e-6 * v) << isa << " channel " << c;
      EXPECT_NEAR(invstd[k], 1.0 / std::sqrt(v + 1e-3), 1e-6 / std::sqrt(v)) << isa << " channel " << c;
    }
  }
  // Inference has no batch statistics to save; a wrong shape names save_var.
  ops::BatchNormOptions infer;
  std::vector<float> rm(ch, 0.0f), rv(ch, 1.0f);
  infer.running_mean = Tensor(rm.data(), DType::kF32, {ch});
  infer.running_var = Tensor(rv.data(), DType::kF32, {ch});
  infer.save_var = Tensor(var.data(), DType::kF32, {ch});
  EXPECT_EQ(ops::batch_norm(tx, ty, infer), Status::kInvalidArgument);
  EXPECT_NE(std::string(last_error_message()).find("save_var"), std::string::npos) << last_error_message();
  ops::BatchNormOptions wrong;
  wrong.training = true;
  wrong.save_var = Tensor(var.data(), DType::kF32, {ch - 1});
  EXPECT_EQ(ops::batch_norm(tx, ty, wrong), Status::kInvalidShape);
  EXPECT_NE(std::string(last_error_message()).find("save_var"), std::string::npos) << last_error_message();
}

}  // namespace
}  // namespace vnpu
