// The exp of softmax and logsumexp (src/ops/simd/exp.hpp: exp_neg_f32) against a float64
// exp, over a sweep of [-87.33, 0]: its largest error must stay within the bound it
// documents (kExpNegMaxUlp), results below -87.33 must be 0. The vector form the kernels
// run is the same operations (softmax_vec-inl.hpp), seen through softmax in
// SoftmaxExp.WithinOneUlpOnEveryIsa.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

#include "ops/simd/exp.hpp"

namespace vnpu {
namespace {

using ops::detail::exp_neg_f32;
using ops::detail::kExpNegLo;
using ops::detail::kExpNegMaxUlp;

double ulp_error(float x) {
  const double ref = std::exp(static_cast<double>(x));
  const double ulp = std::ldexp(1.0, std::ilogb(ref) - 23);
  return std::abs(static_cast<double>(exp_neg_f32(x)) - ref) / ulp;
}

TEST(SoftmaxExp, NegExpWithinDocumentedBound) {
  // Every 61st float from -0 down to kExpNegLo (about 18M arguments), and every float of
  // [-1, 0] near 0, where the reduction leaves k = 0 and r = x.
  const std::uint32_t lo = std::bit_cast<std::uint32_t>(kExpNegLo);
  double worst = 0.0;
  float worst_x = 0.0f;
  auto check = [&](std::uint32_t bits) {
    const float x = std::bit_cast<float>(bits);
    const double e = ulp_error(x);
    if (e > worst) {
      worst = e;
      worst_x = x;
    }
  };
  for (std::uint32_t b = 0x80000000u; b <= lo; b += 61) check(b);
  for (std::uint32_t b = 0xBF800000u - (1u << 20); b <= 0xBF800000u; ++b) check(b);
  EXPECT_LE(worst, kExpNegMaxUlp) << "at x = " << worst_x;
  EXPECT_GT(worst, 0.5) << "the sweep no longer reaches the polynomial's worst arguments";
}

TEST(SoftmaxExp, NegExpEdges) {
  EXPECT_EQ(exp_neg_f32(0.0f), 1.0f);
  EXPECT_EQ(exp_neg_f32(-0.0f), 1.0f);
  EXPECT_EQ(exp_neg_f32(-std::numeric_limits<float>::infinity()), 0.0f);
  EXPECT_EQ(exp_neg_f32(std::nextafter(kExpNegLo, -100.0f)), 0.0f);
  EXPECT_EQ(exp_neg_f32(-1000.0f), 0.0f);
  EXPECT_GT(exp_neg_f32(kExpNegLo), 0.0f);
  EXPECT_TRUE(std::isnormal(exp_neg_f32(kExpNegLo)));
}

}  // namespace
}  // namespace vnpu
