// softmax and log_softmax over outer and middle axes — the columns layout ([A, R, C] with
// C contiguous kept columns, softmax_plan.hpp) — against the float64 reference
// (softmax_support.hpp): dtype × ISA, each over shapes chosen around the column tiles:
// C odd, C below one vector (16 f32 lanes) and around the tile widths (32, 512, 1024),
// R tiny, at the fused limit (8192 rows) and beyond it (chunks of 128 rows), middle axes;
// out of place, in place, and into a strided output.
#include <string>
#include <tuple>
#include <vector>

#include "ops/softmax_support.hpp"

namespace vnpu {
namespace {

using namespace vnpu::test;

struct ColCase {
  std::vector<std::int64_t> shape;
  int axis;
};

std::vector<ColCase> col_cases() {
  return {
      {{1, 300}, 0},          // R = 1
      {{2, 333}, 0},          // tiny R, odd C
      {{3, 17}, 0},           // one vector and one column
      {{7, 1000}, 0},         // C a few tiles wide with a tail
      {{100, 16}, 0},         // C one vector exactly
      {{129, 65}, 0},         // odd C past a few vectors
      {{2048, 70}, 0},        // a tall fused tile of 128 columns
      {{8192, 37}, 0},        // the tallest fused tiles (32 columns and a tail of 5)
      {{8193, 37}, 0},        // the shortest chunked column (65 chunks, the last of one row)
      {{3000, 1031}, 0},      // chunked, tiles of 1024 columns and a tail of 7
      {{70000, 5}, 0},        // C below one vector, too large to gather as rows
      {{40000, 9}, 0},        // chunked, C below one vector
      {{3, 129, 77}, 1},      // middle axis, odd sizes
      {{3, 9000, 33}, 1},     // middle axis, chunked
      {{4, 6, 1, 200}, -3},   // middle axis with a size-1 dim between
      {{2, 64, 8, 24}, 1},    // middle axis whose kept dims merge into 192 columns
  };
}

using ColParam = std::tuple<DType, std::string>;

class SoftmaxColumns : public ::testing::TestWithParam<ColParam> {};

TEST_P(SoftmaxColumns, MatchesFloat64Reference) {
  const auto& [dtype, isa_name] = GetParam();
  ScopedIsa isa(isa_name);
  ASSERT_TRUE(isa.ok()) << "set_isa(" << isa_name << "): " << last_error_message();
  const bool best = isa_name == available_isas().front();
  Harness h(2);
  int failures = 0, runs = 0;
  const std::vector<ColCase> cases = col_cases();
  for (std::size_t ci = 0; ci < cases.size(); ++ci) {
    const ColCase& cc = cases[ci];
    if (!best && product(cc.shape) > 300000) continue;  // the portable targets: smaller cases only
    for (bool log : {false, true})
      for (int mode = 0; mode < 3; ++mode) {  // out of place, in place, strided output
        SmSpec c;
        c.log = log;
        c.dtype = dtype;
        c.shape = cc.shape;
        c.axis = cc.axis;
        c.in_place = mode == 1;
        c.fill = (ci + mode) % 2 == 0 ? SmFill::kUniform : SmFill::kWide;
        c.seed = ci * 8 + static_cast<std::uint64_t>(mode) * 2 + (log ? 1 : 0);
        if (mode == 2) {
          // Rows of the output padded by 3 elements: its columns still have unit stride.
          const int r = static_cast<int>(c.shape.size());
          c.out_strides.assign(static_cast<std::size_t>(r), 1);
          for (int k = r - 2; k >= 0; --k)
            c.out_strides[static_cast<std::size_t>(k)] =
                c.out_strides[static_cast<std::size_t>(k) + 1] * (c.shape[static_cast<std::size_t>(k) + 1] + (k == r - 2 ? 3 : 0));
        }
        ++runs;
        const std::string err = run_sm_case(h, c);
        if (!err.empty() && ++failures <= 12) ADD_FAILURE() << err;
      }
  }
  EXPECT_EQ(failures, 0) << failures << " of " << runs << " cases failed (the first 12 are listed)";
}

INSTANTIATE_TEST_SUITE_P(Ops, SoftmaxColumns,
                         ::testing::Combine(::testing::Values(DType::kF32, DType::kF16, DType::kBF16),
                                            ::testing::ValuesIn(available_isas())),
                         [](const ::testing::TestParamInfo<ColParam>& i) {
                           return std::string(dtype_name(std::get<0>(i.param))) + "_" + std::get<1>(i.param);
                         });

}  // namespace
}  // namespace vnpu
