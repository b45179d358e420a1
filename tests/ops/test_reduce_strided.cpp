// Strided inputs and outputs: transposed and permuted views, columns, padded rows, every
// k-th element, negative strides (reversed views) and zero strides (broadcasts), into
// contiguous, spaced-out, transposed and reversed outputs — every op, against the float64
// reference, on every ISA. run_case also checks that nothing outside the output view is
// written.
#include <string>
#include <vector>

#include "ops/reduce_support.hpp"

namespace vnpu {
namespace {

using namespace vnpu::test;

struct StridedView {
  const char* name;
  std::vector<std::int64_t> shape, strides;
  std::vector<AxisList> axes;
  bool large = false;
};

std::vector<StridedView> views() {
  using V = std::vector<int>;
  const AxisList all = std::nullopt;
  return {
      {"transpose 7x5", {7, 5}, {1, 7}, {V{0}, V{1}, all, V{1, 0}}},
      {"transpose 33x65", {33, 65}, {1, 33}, {V{1}, V{0}}},
      {"column", {37}, {11}, {all}},
      {"padded rows", {6, 17}, {20, 1}, {V{1}, V{0}, all}},
      {"every third", {50}, {3}, {all}},
      {"reversed", {100}, {-1}, {all, V{0}}},
      {"reversed rows", {9, 16}, {-16, 1}, {V{0}, V{1}}},
      {"reversed both", {9, 16}, {-16, -1}, {all, V{1}, V{0}}},
      {"reversed inner", {5, 33}, {33, -1}, {V{1}, V{0}}},
      {"broadcast rows", {8, 17}, {0, 1}, {V{0}, V{1}}},
      {"broadcast columns", {8, 17}, {1, 0}, {V{1}, all}},
      {"broadcast scalar", {4, 5}, {0, 0}, {all, V{0}}},
      {"permuted 3-D", {6, 4, 5}, {1, 30, 6}, {V{1}, V{0, 2}, V{2}, all}},
      {"spaced middle", {3, 10, 4}, {80, 8, 1}, {V{1}, V{0, 2}}},
      {"reversed middle", {3, 10, 4}, {40, -4, 1}, {V{1}, V{2}}},
      {"size-1 dims, odd strides", {1, 5, 1, 3}, {1000, 7, 99, -2}, {V{1}, V{3}, V{1, 3}}},
      // Column reductions long enough to be cut into row segments, whose partials are
      // combined per column: across batches (middle axis), and for short padded rows.
      {"middle axis, 600 rows", {3, 600, 40}, {24000, 40, 1}, {V{1}}},
      {"padded rows, 520 of them", {520, 1030}, {1040, 1}, {V{0}}},
      {"transpose 1023x1024", {1023, 1024}, {1, 1023}, {V{0}, V{1}}, true},
  };
}

/// Output strides to try for an output of `rank` dims with contiguous strides `c`.
std::vector<std::vector<std::int64_t>> output_layouts(const std::vector<std::int64_t>& shape) {
  std::vector<std::vector<std::int64_t>> l = {{}};  // contiguous
  if (shape.empty()) return l;
  std::vector<std::int64_t> c = contiguous_strides(shape);
  std::vector<std::int64_t> spaced = c, reversed = c;
  for (std::int64_t& s : spaced) s *= 2;
  reversed.back() = -reversed.back();
  l.push_back(spaced);
  l.push_back(reversed);
  if (shape.size() == 2) {  // transposed: column-major
    l.push_back({1, shape[0]});
  }
  return l;
}

bool arg_axes_ok(const StridedView& v, const AxisList& axes) {
  if (!axes || axes->size() == 1) return true;
  return axes->size() == v.shape.size();
}

class ReduceStrided : public ::testing::TestWithParam<std::string> {};

TEST_P(ReduceStrided, MatchesReference) {
  ScopedIsa isa(GetParam());
  ASSERT_TRUE(isa.ok());
  const bool best_isa = GetParam() == available_isas().front();
  Harness h(2);
  int runs = 0, failures = 0;
  std::uint64_t seed = 1;
  for (DType dt : {DType::kF32, DType::kF16, DType::kBF16, DType::kI32}) {
    for (ReduceOp op : kAllReduceOps) {
      if (!op_supports(op, dt)) continue;
      for (const StridedView& v : views()) {
        if (v.large && (!best_isa || dt != DType::kF32 || kAddressSanitizer || kThreadSanitizer)) continue;
        for (const AxisList& axes : v.axes) {
          if (is_arg_op(op) && !arg_axes_ok(v, axes)) continue;
          const std::vector<std::int64_t> oshape =
              expected_out_shape(v.shape, reduce_mask(static_cast<int>(v.shape.size()), axes), false);
          for (const std::vector<std::int64_t>& ostrides : output_layouts(oshape)) {
            if (v.large && !ostrides.empty()) continue;
            CaseSpec c;
            c.op = op;
            c.dtype = dt;
            c.shape = v.shape;
            c.strides = v.strides;
            c.axes = axes;
            c.out_strides = ostrides;
            c.seed = ++seed;
            if ((dt == DType::kF16 || dt == DType::kBF16) && !is_arg_op(op) && op != ReduceOp::kAll &&
                op != ReduceOp::kAny && seed % 2 == 0)
              c.out_dtype = DType::kF32;
            ++runs;
            const std::string err = run_case(h, c);
            if (!err.empty() && ++failures <= 15) ADD_FAILURE() << v.name << ": " << err;
          }
        }
      }
    }
  }
  EXPECT_EQ(failures, 0) << failures << " of " << runs << " strided cases failed (the first 15 are listed)";
}

INSTANTIATE_TEST_SUITE_P(Isas, ReduceStrided, ::testing::ValuesIn(available_isas()),
                         [](const ::testing::TestParamInfo<std::string>& i) { return i.param; });

TEST(ReduceStridedKeepDims, StridedOutputWithKeptDims) {
  Harness h(2);
  CaseSpec c;
  c.op = ReduceOp::kMean;
  c.shape = {6, 7, 8};
  c.strides = {1, 6, 42};  // fully transposed
  c.axes = std::vector<int>{1};
  c.keep_dims = true;
  c.out_strides = {1, 999, 6};  // out [6, 1, 8], the size-1 dim with an odd stride
  EXPECT_EQ(run_case(h, c), "");
  c.op = ReduceOp::kArgMax;
  c.out_strides = {8, 999, -1};
  EXPECT_EQ(run_case(h, c), "");
}

}  // namespace
}  // namespace vnpu
