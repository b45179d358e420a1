// Bitwise determinism (norm.hpp: results do not depend on the number of cores or on the
// ISA): every op gives the same bytes for y and every statistics output on devices with
// 1, 2 and 3 compute cores — which take different work splits (whole groups per block, or
// chunks shared behind barriers) — run after run, and on every ISA of the machine.
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "ops/norm_support.hpp"

namespace vnpu {
namespace {

using namespace vnpu::test;

std::vector<NormCase> det_cases() {
  const bool small = kAddressSanitizer || kThreadSanitizer;
  const std::int64_t rows = small ? 256 : 2048;
  std::vector<NormCase> v;
  auto add = [&](NormOp op, DType dt, std::vector<std::int64_t> shape, int k) {
    NormCase c;
    c.op = op;
    c.dtype = dt;
    c.shape = std::move(shape);
    c.gamma = DType::kF32;
    if (op != NormOp::kRms) c.beta = DType::kBF16;
    c.stats = DType::kF32;
    c.offset = 3.0;
    if (op == NormOp::kGroup) c.groups = k;
    if (op == NormOp::kBatch) {
      c.training = k != 0;
      c.running = DType::kF32;
      if (k == 0) c.stats.reset();
    }
    v.push_back(c);
  };
  add(NormOp::kLayer, DType::kF32, {rows, 1024}, 0);
  add(NormOp::kLayer, DType::kBF16, {rows / 2, 4097}, 0);
  add(NormOp::kLayer, DType::kF32, {3, small ? 100003 : 400009}, 0);  // 3 rows: chunks shared
  add(NormOp::kLayer, DType::kF16, {1, small ? 200003 : 1000003}, 0);
  add(NormOp::kLayer, DType::kF32, {rows * 8, 17}, 0);
  add(NormOp::kRms, DType::kF32, {rows, 4096}, 0);
  add(NormOp::kRms, DType::kF16, {2, small ? 150001 : 600001}, 0);
  add(NormOp::kBatch, DType::kF32, {small ? 8 : 32, 16, 28, 28}, 1);
  add(NormOp::kBatch, DType::kF32, {small ? 16 : 64, 3, 3001}, 1);  // few channels: chunks shared
  add(NormOp::kBatch, DType::kBF16, {small ? 16 : 64, 3, 3001}, 0);
  add(NormOp::kGroup, DType::kF32, {small ? 2 : 8, 32, 30, 30}, 8);
  add(NormOp::kGroup, DType::kF16, {1, 4, small ? 100000 : 500000}, 2);
  return v;
}

std::string first_diff(const std::vector<unsigned char>& a, const std::vector<unsigned char>& b) {
  if (a.size() != b.size()) return "sizes differ";
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i] != b[i]) return "first difference at byte " + std::to_string(i);
  return "";
}

TEST(NormDeterminism, SameBitsForOneTwoAndThreeCores) {
  std::vector<std::unique_ptr<Harness>> hs;
  for (int cores : {1, 2, 3}) hs.push_back(std::make_unique<Harness>(cores));
  for (const NormCase& c : det_cases()) {
    const std::vector<unsigned char> one = run_norm_bytes(*hs[0], c);
    const std::vector<unsigned char> two = run_norm_bytes(*hs[1], c);
    const std::vector<unsigned char> again = run_norm_bytes(*hs[1], c);
    const std::vector<unsigned char> three = run_norm_bytes(*hs[2], c);
    EXPECT_EQ(first_diff(one, two), "") << describe(c) << ": 2 cores vs 1";
    EXPECT_EQ(first_diff(two, again), "") << describe(c) << ": 2 cores, second run";
    EXPECT_EQ(first_diff(one, three), "") << describe(c) << ": 3 cores vs 1";
  }
}

TEST(NormDeterminism, SameBitsOnEveryIsa) {
  Harness h(2);
  std::vector<NormCase> cases = det_cases();
  // Outputs of 8 MiB and more take streaming stores on some ISAs (not on others).
  for (DType dt : {DType::kF16, DType::kBF16, DType::kF32}) {
    NormCase c;
    c.dtype = dt;
    c.shape = {dt == DType::kF32 ? 520 : 1040, 4099};
    c.gamma = DType::kF32;
    c.beta = DType::kF32;
    cases.push_back(c);
  }
  // NaN of either sign and infinities among the values, every op and dtype: the NaN
  // outputs must have the same bits on every ISA too.
  for (NormCase c : det_cases()) {
    if (product(c.shape) > (std::int64_t{1} << 21)) continue;
    c.specials = true;
    cases.push_back(c);
  }
  for (const NormCase& c : cases) {
    std::vector<unsigned char> first;
    std::string first_isa;
    for (const std::string& isa : isas()) {
      // The scalar target is slow: large cases compare the SIMD targets only.
      if (isa == "scalar" && product(c.shape) > (std::int64_t{1} << 21)) continue;
      ScopedIsa scoped(isa);
      std::vector<unsigned char> got = run_norm_bytes(h, c);
      if (first_isa.empty()) {
        first = std::move(got);
        first_isa = isa;
      } else {
        EXPECT_EQ(first_diff(first, got), "") << describe(c) << ": " << isa << " vs " << first_isa;
      }
    }
  }
}

// Dense f32 rows of up to one chunk are normalized two at a time, pass by pass; any other
// layout one row at a time. Both give the same bits: the same rows, padded to a wider row
// stride (not dense: gathered one row at a time), against the dense tensor, with an odd row
// count so that the last row of each block's run may go alone.
TEST(NormDeterminism, RowsInPairsMatchRowsAlone) {
  for (int cores : {1, 2}) {
    Harness h(cores);
    for (NormOp op : {NormOp::kLayer, NormOp::kRms}) {
      for (std::int64_t n : {std::int64_t{1000}, std::int64_t{4096}}) {
        NormCase c;
        c.op = op;
        c.shape = {cores == 1 ? 37 : 301, n};
        c.gamma = DType::kF32;
        if (op == NormOp::kLayer) c.beta = DType::kF32;
        c.stats = DType::kF32;
        c.offset = 5.0;
        const std::vector<unsigned char> dense = run_norm_bytes(h, c);
        const std::int64_t pitch = n + 16;
        c.strides = {pitch, 1};
        const std::vector<unsigned char> padded = run_norm_bytes(h, c);
        // y's rows out of the padded storage, then the statistics (contiguous in both).
        const auto row_bytes = static_cast<std::size_t>(n) * sizeof(float);
        const auto rows = static_cast<std::size_t>(c.shape[0]);
        const auto step = static_cast<std::size_t>(pitch) * sizeof(float);
        const std::size_t storage = (rows - 1) * step + row_bytes;
        ASSERT_EQ(padded.size() - storage, dense.size() - rows * row_bytes) << describe(c);
        std::vector<unsigned char> rows_of_padded;
        for (std::size_t r = 0; r < rows; ++r) {
          const auto* at = padded.data() + r * step;
          rows_of_padded.insert(rows_of_padded.end(), at, at + row_bytes);
        }
        const auto stats = padded.begin() + static_cast<std::ptrdiff_t>(storage);
        rows_of_padded.insert(rows_of_padded.end(), stats, padded.end());
        EXPECT_EQ(first_diff(dense, rows_of_padded), "") << describe(c) << ": dense vs padded rows, " << cores
                                                         << " cores";
      }
    }
  }
}

// The synchronous form computes small inputs on the calling thread, and the calling
// thread's share of larger ones beside the compute cores: same bits as a launch.
TEST(NormDeterminism, SyncFormMatchesStreamForm) {
  Harness h(2);
  for (NormOp op : {NormOp::kLayer, NormOp::kRms, NormOp::kBatch, NormOp::kGroup}) {
    for (bool large : {false, true}) {
      NormCase c;
      c.op = op;
      const bool rows = op == NormOp::kLayer || op == NormOp::kRms;
      if (large) {
        c.shape = rows ? std::vector<std::int64_t>{3000, 700} : std::vector<std::int64_t>{8, 12, 30000};
      } else {
        c.shape = rows ? std::vector<std::int64_t>{12, 333} : std::vector<std::int64_t>{4, 6, 50};
      }
      c.groups = 3;
      c.training = true;
      c.gamma = DType::kF32;
      c.stats = DType::kF32;
      const std::vector<unsigned char> async = run_norm_bytes(h, c);
      c.sync_form = true;
      EXPECT_EQ(first_diff(async, run_norm_bytes(h, c)), "") << describe(c);
    }
  }
}

}  // namespace
}  // namespace vnpu
