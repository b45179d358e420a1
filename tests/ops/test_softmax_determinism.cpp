// Bitwise determinism (softmax.hpp): the same bits on devices with 1, 2 and 3 compute
// cores — including single long rows that every core shares — run after run, and on every
// ISA of this machine.
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "ops/softmax_support.hpp"

namespace vnpu {
namespace {

using namespace vnpu::test;

std::vector<SmSpec> det_specs() {
  const bool small = kAddressSanitizer || kThreadSanitizer;
  const std::int64_t big = small ? 200003 : 4000037;
  std::vector<SmSpec> v;
  auto add = [&](std::vector<std::int64_t> shape, int axis, DType dt, SmFill fill = SmFill::kUniform) {
    for (bool log : {false, true}) {
      SmSpec c;
      c.log = log;
      c.dtype = dt;
      c.shape = shape;
      c.axis = axis;
      c.fill = fill;
      c.seed = v.size() + 1;
      v.push_back(c);
    }
  };
  add({1, big}, -1, DType::kF32);            // one long row shared by every block
  add({3, big / 8}, 1, DType::kF32);         // fewer long rows than cores
  add({1, big / 2}, 0, DType::kBF16);        // one row, rank 2, axis 0 of [L, 1]
  add({small ? 512 : 4096, 1024}, 1, DType::kF32);
  add({small ? 4096 : 32768, 128}, 1, DType::kF16);
  add({big / 16, 16}, 0, DType::kF32);       // long columns (chunked)
  add({big / 8, 5}, 0, DType::kF16);         // long columns, fewer than a vector
  add({1000, 1000}, 0, DType::kBF16);        // columns (fused)
  add({8, 1500, 33}, 1, DType::kF32);        // middle axis
  add({8192, 40}, 0, DType::kF32);           // the tallest fused column tiles, a tail tile
  add({9000, 1031}, 0, DType::kF16);         // chunked columns, tiles of 1024 and 7
  add({6, 1500, 70}, 1, DType::kBF16);       // middle axis, fused, odd tail
  // NaN (either sign), +inf and -inf among the values: every NaN output is the one quiet
  // NaN, whatever operation made it, on every path.
  for (DType dt : {DType::kF32, DType::kF16, DType::kBF16}) {
    add({3, 70000}, 1, dt, SmFill::kSpecial);     // chunked rows
    add({2000, 300}, 1, dt, SmFill::kSpecial);    // fused rows
    add({700, 300}, 0, dt, SmFill::kSpecial);     // fused columns
    add({9000, 20}, 0, dt, SmFill::kSpecial);     // chunked columns
  }
  return v;
}

std::string first_diff(const std::vector<unsigned char>& a, const std::vector<unsigned char>& b, std::size_t es) {
  if (a.size() != b.size()) return "sizes differ";
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i] != b[i]) return "first difference at element " + std::to_string(i / es);
  return "";
}

class SoftmaxDeterminism : public ::testing::TestWithParam<SmSpec> {};

TEST_P(SoftmaxDeterminism, SameBitsForOneTwoAndThreeCores) {
  const SmSpec& c = GetParam();
  std::vector<std::vector<unsigned char>> out;
  for (int cores : {1, 2, 3}) {
    Harness h(cores);
    out.push_back(sm_output_bytes(h, c));
    ASSERT_FALSE(out.back().empty()) << sm_describe(c) << ": " << last_error_message();
    if (cores == 2) out.push_back(sm_output_bytes(h, c));  // run to run
  }
  const char* labels[] = {"1 core", "2 cores", "2 cores (second run)", "3 cores"};
  const std::size_t es = dtype_size(c.dtype);
  for (std::size_t k = 1; k < out.size(); ++k)
    EXPECT_TRUE(out[k] == out[0]) << sm_describe(c) << ": " << labels[k] << " differs from 1 core: "
                                  << first_diff(out[0], out[k], es);
}

TEST_P(SoftmaxDeterminism, SameBitsOnEveryIsa) {
  SmSpec c = GetParam();
  // The portable targets compute each fused multiply-add with std::fma: keep them quick by
  // halving the longest dim down to 1M elements (250k under sanitizers).
  const std::int64_t cap = kAddressSanitizer || kThreadSanitizer ? 250000 : 1000000;
  while (product(c.shape) > cap) {
    auto longest = std::max_element(c.shape.begin(), c.shape.end());
    *longest = (*longest + 1) / 2;
  }
  Harness h(2);
  std::vector<unsigned char> first;
  std::string first_isa;
  for (const std::string& isa_name : available_isas()) {
    ScopedIsa isa(isa_name);
    ASSERT_TRUE(isa.ok()) << last_error_message();
    const std::vector<unsigned char> b = sm_output_bytes(h, c);
    ASSERT_FALSE(b.empty()) << sm_describe(c) << ": " << last_error_message();
    if (first.empty()) {
      first = b;
      first_isa = isa_name;
      continue;
    }
    EXPECT_TRUE(b == first) << sm_describe(c) << ": " << isa_name << " differs from " << first_isa << ": "
                            << first_diff(first, b, dtype_size(c.dtype));
  }
}

INSTANTIATE_TEST_SUITE_P(Shapes, SoftmaxDeterminism, ::testing::ValuesIn(det_specs()),
                         [](const ::testing::TestParamInfo<SmSpec>& i) { return "case" + std::to_string(i.index); });

}  // namespace
}  // namespace vnpu
