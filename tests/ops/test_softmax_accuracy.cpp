// softmax and log_softmax against the float64 reference (rule and floors in
// softmax_support.hpp): op × dtype (f32, f16, bf16) × ISA of this machine, each over a
// table of shapes and axes — lengths around the vector widths, the 64-lane sums, the fused
// limit (32768) and the 4096-element chunks, primes, tiny rows, rows of 1M and more —
// with the axis inner, outer, in the middle and negative.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <tuple>
#include <vector>

#include "ops/softmax_support.hpp"

namespace vnpu {
namespace {

using namespace vnpu::test;

struct AccCase {
  std::vector<std::int64_t> shape;
  int axis;
  bool large = false;  // run on the best ISA only (and smaller under sanitizers)
};

std::vector<AccCase> acc_cases() {
  std::vector<AccCase> v = {
      // one row: sizes around 4/8/16-lane vectors, 64-lane sums, chunks and the fused limit
      {{1}, 0},
      {{2}, -1},
      {{3}, 0},
      {{4}, 0},
      {{7}, 0},
      {{8}, 0},
      {{15}, 0},
      {{16}, 0},
      {{17}, 0},
      {{63}, 0},
      {{64}, 0},
      {{65}, 0},
      {{127}, 0},
      {{1000}, 0},
      {{1021}, 0},
      {{4096}, 0},
      {{4097}, 0},
      {{32768}, 0},
      {{32769}, 0},
      {{40961}, 0},
      // inner rows
      {{5, 31}, 1},
      {{3, 129}, -1},
      {{37, 1024}, 1},
      {{1000, 16}, 1},
      {{257, 3}, -1},
      {{2, 3, 1}, -1},
      {{2, 70001}, 1},
      // outer (axis 0): columns, fused and chunked
      {{129, 3}, 0},
      {{1024, 37}, 0},
      {{17, 1000}, 0},
      {{2049, 16}, 0},
      {{5000, 19}, -2},
      {{3, 1}, 0},
      // middle
      {{4, 33, 20}, 1},
      {{2, 3000, 9}, -2},
      {{6, 5, 7, 3}, -2},
      {{3, 4, 5}, -3},
      {{2, 1, 40}, 1},
      // huge rows
      {{1, 1 << 20}, -1, true},
      {{3, 400009}, 1, true},
      {{65536, 16}, 0, true},
      {{300007, 3}, 0, true},  // few columns, too large to gather as rows from cache
  };
  return v;
}

// (log_softmax?, dtype, ISA)
using AccParam = std::tuple<bool, DType, std::string>;

std::string acc_name(const ::testing::TestParamInfo<AccParam>& info) {
  const auto& [log, dt, isa] = info.param;
  return std::string(log ? "log_softmax_" : "softmax_") + dtype_name(dt) + "_" + isa;
}

class SoftmaxAccuracy : public ::testing::TestWithParam<AccParam> {};

TEST_P(SoftmaxAccuracy, MatchesFloat64Reference) {
  const auto& [log, dtype, isa_name] = GetParam();
  ScopedIsa isa(isa_name);
  ASSERT_TRUE(isa.ok()) << "set_isa(" << isa_name << "): " << last_error_message();
  ASSERT_EQ(active_isa(), isa_name);
  const bool best = isa_name == available_isas().front();
  const bool sanitizer = kAddressSanitizer || kThreadSanitizer;
  Harness h(2);
  int failures = 0, runs = 0;
  const std::vector<AccCase> cases = acc_cases();
  for (std::size_t ci = 0; ci < cases.size(); ++ci) {
    AccCase ac = cases[ci];
    if (ac.large && !best) continue;
    if (ac.large && sanitizer) ac.shape.back() = std::min<std::int64_t>(ac.shape.back(), 100003);
    for (SmFill fill : {SmFill::kUniform, SmFill::kWide}) {
      const SmSpec c{.log = log,
                     .dtype = dtype,
                     .shape = ac.shape,
                     .axis = ac.axis,
                     .in_strides = {},
                     .out_strides = {},
                     .in_place = false,
                     .fill = fill,
                     .seed = ci * 2 + (fill == SmFill::kWide ? 1 : 0)};
      ++runs;
      const std::string err = run_sm_case(h, c);
      if (!err.empty() && ++failures <= 12) ADD_FAILURE() << err;
    }
  }
  EXPECT_EQ(failures, 0) << failures << " of " << runs << " cases failed (the first 12 are listed)";
}

INSTANTIATE_TEST_SUITE_P(Ops, SoftmaxAccuracy,
                         ::testing::Combine(::testing::Bool(), ::testing::Values(DType::kF32, DType::kF16, DType::kBF16),
                                            ::testing::ValuesIn(available_isas())),
                         acc_name);

// Inputs whose exp overflows f32 (and f16) unless the maximum is subtracted first.
TEST(SoftmaxAccuracyLarge, ValuesNearAThousandDoNotOverflow) {
  Harness h(2);
  for (DType dt : {DType::kF32, DType::kF16, DType::kBF16})
    for (bool log : {false, true})
      for (const AccCase& ac : std::vector<AccCase>{{{8, 1000}, 1}, {{1000, 8}, 0}, {{2, 50000}, 1}, {{3, 3000, 4}, 1}}) {
        SmSpec c;
        c.log = log;
        c.dtype = dt;
        c.shape = ac.shape;
        c.axis = ac.axis;
        c.fill = SmFill::kLarge;
        EXPECT_EQ(run_sm_case(h, c), "");
      }
}


// The exp itself, seen through softmax([x, 0]) = e^x / (1 + e^x): for x < -17, 1 + e^x
// rounds to 1 in f32, so the output is the kernel's e^x unscaled. Within 1 ulp of the
// float64 exp over [-87.3, -17] (docs/softmax.md: 0.89), on every ISA, in rows long and
// short enough for the vector body and the tail.
TEST(SoftmaxExp, WithinOneUlpOnEveryIsa) {
  Harness h(2);
  std::vector<double> xs;
  for (double x = -87.3; x < -17.0; x += 0.0137) xs.push_back(static_cast<double>(static_cast<float>(x)));
  for (const std::string& isa_name : available_isas()) {
    ScopedIsa isa(isa_name);
    ASSERT_TRUE(isa.ok()) << isa_name;
    for (std::int64_t width : {2, 64}) {  // [x, 0] or [x, 0, -inf...]: tail or vector body
      std::vector<double> values;
      for (double x : xs) {
        values.push_back(x);
        values.push_back(0.0);
        for (std::int64_t k = 2; k < width; ++k) values.push_back(-std::numeric_limits<double>::infinity());
      }
      const auto rows = static_cast<std::int64_t>(xs.size());
      const SmOutcome o = run_sm_values(h, false, DType::kF32, values, {rows, width});
      ASSERT_OK(o.status) << o.message;
      double worst = 0.0;
      for (std::size_t r = 0; r < xs.size(); ++r) {
        const double ref = std::exp(xs[r]);
        const double ulp = std::ldexp(1.0, std::ilogb(ref) - 23);
        worst = std::max(worst, std::abs(o.values[r * static_cast<std::size_t>(width)] - ref) / ulp);
      }
      EXPECT_LE(worst, 1.0) << isa_name << " width " << width;
    }
  }
}
}  // namespace
}  // namespace vnpu
