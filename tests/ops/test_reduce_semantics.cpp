// Edge semantics of the reductions (DESIGN.md "Operators" and the reduce.hpp comment), on
// hand-made inputs with known answers: identities of empty reductions, NaN propagation,
// first index of ties and of NaNs (also across cores), the flat index of a full argmax,
// NaN and -0.0 in all/any, var/std corrections, i32 wrap-around, f32 accumulation of
// f16/bf16 and rounding of their results, a stable logsumexp, infinities, and an
// explicitly empty axis list.
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "ops/reduce_support.hpp"

namespace vnpu {
namespace {

using namespace vnpu::test;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr DType kFloatTypes[] = {DType::kF32, DType::kF16, DType::kBF16};

bool same(double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; }

ops::ReduceOptions with(AxisList axes, bool keep_dims = false, double correction = 1.0) {
  ops::ReduceOptions o;
  o.axes = to_axes(axes);
  o.keep_dims = keep_dims;
  o.correction = correction;
  return o;
}

std::string where(ReduceOp op, DType dt, const std::vector<std::int64_t>& shape, const AxisList& axes) {
  return std::string(op_label(op)) + " " + dtype_name(dt) + " " + shape_str(shape) + " axes=" + axes_str(axes) +
         " isa=" + active_isa();
}

/// Expects `o` to have succeeded with exactly `expected` (NaN matches NaN).
void expect_values(const Outcome& o, const std::vector<double>& expected, const std::string& ctx) {
  ASSERT_EQ(o.status, Status::kSuccess) << ctx << ": " << o.message;
  ASSERT_EQ(o.values.size(), expected.size()) << ctx;
  for (std::size_t i = 0; i < expected.size(); ++i)
    EXPECT_TRUE(same(o.values[i], expected[i])) << ctx << ": output " << i << " is " << o.values[i] << ", expected "
                                                << expected[i];
}

/// As expect_values for one value within a relative tolerance.
void expect_near_rel(const Outcome& o, double expected, double rel, const std::string& ctx) {
  ASSERT_EQ(o.status, Status::kSuccess) << ctx << ": " << o.message;
  ASSERT_EQ(o.values.size(), 1u) << ctx;
  EXPECT_LE(std::fabs(o.values[0] - expected), rel * std::fabs(expected)) << ctx << ": got " << o.values[0]
                                                                            << ", expected " << expected;
}

std::vector<double> random_values(std::size_t n, std::uint64_t seed, double lo = -5.0, double hi = 5.0) {
  Rng rng(seed);
  std::vector<double> v(n);
  for (double& x : v) x = rng.uniform(lo, hi);
  return v;
}

// Empty reductions ---------------------------------------------------------------------

TEST(ReduceSemantics, EmptyReductionsGiveIdentities) {
  struct Identity {
    ReduceOp op;
    double value;
  };
  const Identity ids[] = {
      {ReduceOp::kSum, 0.0},         {ReduceOp::kMean, kNaN}, {ReduceOp::kMax, -kInf},       {ReduceOp::kMin, kInf},
      {ReduceOp::kProd, 1.0},        {ReduceOp::kSumSquares, 0.0}, {ReduceOp::kL1, 0.0},     {ReduceOp::kL2, 0.0},
      {ReduceOp::kLogSumExp, -kInf}, {ReduceOp::kVar, kNaN},  {ReduceOp::kStd, kNaN},        {ReduceOp::kAll, 1.0},
      {ReduceOp::kAny, 0.0},
  };
  struct Shape {
    std::vector<std::int64_t> shape;
    AxisList axes;
    bool keep;
    std::vector<std::int64_t> out;
  };
  const Shape shapes[] = {
      {{0}, std::nullopt, false, {}},
      {{0}, std::vector<int>{0}, true, {1}},
      {{4, 0}, std::vector<int>{1}, false, {4}},
      {{4, 0}, std::vector<int>{-1}, true, {4, 1}},
      {{2, 0, 3}, std::vector<int>{1}, false, {2, 3}},
      {{0, 3}, std::nullopt, false, {}},
  };
  Harness h(2);
  for (const std::string& isa : isas()) {
    ScopedIsa scoped(isa);
    ASSERT_TRUE(scoped.ok());
    for (DType dt : {DType::kF32, DType::kF16, DType::kBF16, DType::kI32}) {
      for (const Identity& id : ids) {
        if (!op_supports(id.op, dt)) continue;
        if (dt == DType::kI32 && (id.op == ReduceOp::kMax || id.op == ReduceOp::kMin)) continue;  // not specified
        std::vector<std::optional<DType>> outs = {std::nullopt};
        if ((dt == DType::kF16 || dt == DType::kBF16) && id.op != ReduceOp::kAll && id.op != ReduceOp::kAny)
          outs.push_back(DType::kF32);
        for (const Shape& s : shapes) {
          for (const auto& odt : outs) {
            const Outcome o = run_values(h, id.op, dt, {}, s.shape, with(s.axes, s.keep), odt);
            const std::string ctx = where(id.op, dt, s.shape, s.axes) + (odt ? " out=f32" : "");
            ASSERT_EQ(o.status, Status::kSuccess) << ctx << ": " << o.message;
            EXPECT_EQ(o.shape, s.out) << ctx;
            expect_values(o, std::vector<double>(static_cast<std::size_t>(product(s.out)), id.value), ctx);
          }
        }
      }
    }
  }
}

// NaN propagation ------------------------------------------------------------------------

TEST(ReduceSemantics, NaNPropagatesThroughMaxMinAndArgIndexIsTheFirstNaN) {
  Harness h(2);
  for (const std::string& isa : isas()) {
    ScopedIsa scoped(isa);
    ASSERT_TRUE(scoped.ok());
    for (DType dt : kFloatTypes) {
      for (std::int64_t n : {1, 2, 15, 16, 17, 33, 64, 65, 1000, 4099}) {
        for (std::int64_t p : {std::int64_t{0}, std::int64_t{1}, std::int64_t{15}, std::int64_t{16}, n / 2, n - 1}) {
          if (p >= n) continue;
          std::vector<double> v = random_values(static_cast<std::size_t>(n), static_cast<std::uint64_t>(n * 31 + p));
          v[static_cast<std::size_t>(p)] = kNaN;
          if (p + 3 < n) v[static_cast<std::size_t>(p + 3)] = kNaN;  // a later NaN must not win
          if (p + 1 < n) v[static_cast<std::size_t>(p + 1)] = 1e4;    // a huge value right after it
          const std::string ctx = std::string(dtype_name(dt)) + " n=" + std::to_string(n) + " NaN at " +
                                  std::to_string(p) + " isa=" + isa;
          expect_values(run_values(h, ReduceOp::kMax, dt, v, {n}), {kNaN}, "max " + ctx);
          expect_values(run_values(h, ReduceOp::kMin, dt, v, {n}), {kNaN}, "min " + ctx);
          expect_values(run_values(h, ReduceOp::kArgMax, dt, v, {n}), {static_cast<double>(p)}, "argmax " + ctx);
          expect_values(run_values(h, ReduceOp::kArgMin, dt, v, {n}), {static_cast<double>(p)}, "argmin " + ctx);
        }
      }
      // Rows: only the rows holding a NaN are NaN. Inner axis, then outer axis.
      std::vector<double> m = random_values(7 * 65, 5);
      m[2 * 65 + 0] = kNaN;
      m[5 * 65 + 64] = kNaN;
      m[5 * 65 + 10] = kNaN;
      const Outcome mx = run_values(h, ReduceOp::kMax, dt, m, {7, 65}, with(std::vector<int>{1}));
      ASSERT_EQ(mx.status, Status::kSuccess) << mx.message;
      for (std::size_t r = 0; r < 7; ++r)
        EXPECT_EQ(std::isnan(mx.values[r]), r == 2 || r == 5) << dtype_name(dt) << " row " << r << " isa=" << isa;
      const Outcome am = run_values(h, ReduceOp::kArgMax, dt, m, {7, 65}, with(std::vector<int>{-1}));
      ASSERT_EQ(am.status, Status::kSuccess) << am.message;
      EXPECT_EQ(am.values[2], 0.0) << dtype_name(dt) << " isa=" << isa;
      EXPECT_EQ(am.values[5], 10.0) << dtype_name(dt) << " isa=" << isa;
      // Columns of a [65, 7] matrix: NaN in column 3 at rows 40 and 64.
      std::vector<double> t = random_values(65 * 7, 6);
      t[40 * 7 + 3] = kNaN;
      t[64 * 7 + 3] = kNaN;
      const Outcome cmin = run_values(h, ReduceOp::kMin, dt, t, {65, 7}, with(std::vector<int>{0}));
      ASSERT_EQ(cmin.status, Status::kSuccess) << cmin.message;
      for (std::size_t c = 0; c < 7; ++c) EXPECT_EQ(std::isnan(cmin.values[c]), c == 3) << "column " << c;
      const Outcome cam = run_values(h, ReduceOp::kArgMin, dt, t, {65, 7}, with(std::vector<int>{0}));
      ASSERT_EQ(cam.status, Status::kSuccess) << cam.message;
      EXPECT_EQ(cam.values[3], 40.0) << dtype_name(dt) << " isa=" << isa;
      // NaN next to infinities.
      expect_values(run_values(h, ReduceOp::kMax, dt, {kInf, kNaN}, {2}), {kNaN}, "max [inf, NaN]");
      expect_values(run_values(h, ReduceOp::kMax, dt, {kNaN, kInf}, {2}), {kNaN}, "max [NaN, inf]");
      expect_values(run_values(h, ReduceOp::kMin, dt, {-kInf, kNaN}, {2}), {kNaN}, "min [-inf, NaN]");
      expect_values(run_values(h, ReduceOp::kArgMax, dt, {kInf, kNaN}, {2}), {1.0}, "argmax [inf, NaN]");
    }
  }
}

// Column max/min over rows in fours and a remainder, columns in vectors and a tail: NaN
// in any of them marks its column only, and of -0 and +0 the one met first stays (a later
// equal value never replaces the extreme), on every ISA.
TEST(ReduceSemantics, ColumnExtremesKeepNaNAndTheFirstOfEqualZeros) {
  Harness h(2);
  constexpr std::int64_t kRows = 67, kCols = 41;
  for (const std::string& isa : isas()) {
    ScopedIsa scoped(isa);
    ASSERT_TRUE(scoped.ok());
    for (DType dt : kFloatTypes) {
      std::vector<double> t = random_values(static_cast<std::size_t>(kRows * kCols), 9);
      auto at = [&](std::int64_t r, std::int64_t c) -> double& { return t[static_cast<std::size_t>(r * kCols + c)]; };
      at(40, 3) = kNaN;   // a four-row block, a vector column
      at(66, 20) = kNaN;  // the remainder row
      at(5, 39) = kNaN;   // a tail column
      for (std::int64_t r = 0; r < kRows; ++r) {
        at(r, 10) = r == 0 ? -0.0 : 0.0;  // -0 first
        at(r, 11) = r == 0 ? 0.0 : -0.0;  // +0 first
        at(r, 12) = r < 2 ? 0.0 : -0.0;   // +0 first, -0 from the first block's third row
      }
      for (ReduceOp op : {ReduceOp::kMax, ReduceOp::kMin}) {
        const Outcome o = run_values(h, op, dt, t, {kRows, kCols}, with(std::vector<int>{0}));
        ASSERT_EQ(o.status, Status::kSuccess) << o.message;
        const std::string ctx = std::string(op == ReduceOp::kMax ? "max" : "min") + " " + dtype_name(dt) + " isa=" + isa;
        for (std::int64_t c = 0; c < kCols; ++c) {
          const double v = o.values[static_cast<std::size_t>(c)];
          EXPECT_EQ(std::isnan(v), c == 3 || c == 20 || c == 39) << ctx << " column " << c;
        }
        EXPECT_TRUE(o.values[10] == 0.0 && std::signbit(o.values[10])) << ctx << ": column 10 keeps -0";
        EXPECT_TRUE(o.values[11] == 0.0 && !std::signbit(o.values[11])) << ctx << ": column 11 keeps +0";
        EXPECT_TRUE(o.values[12] == 0.0 && !std::signbit(o.values[12])) << ctx << ": column 12 keeps +0";
      }
    }
  }
}

TEST(ReduceSemantics, NaNFoundAcrossCoresAndChunks) {
  // A long vector: the first NaN lies far from the start, in another core's share.
  const std::int64_t n = kAddressSanitizer ? 1000003 : 3000017;
  std::vector<double> v = random_values(static_cast<std::size_t>(n), 77);
  const std::int64_t first = n * 5 / 6, second = n - 2;
  v[static_cast<std::size_t>(second)] = kNaN;
  v[static_cast<std::size_t>(first)] = kNaN;
  v[10] = 100.0;
  for (int cores : {1, 2, 3}) {
    Harness h(cores);
    const std::string ctx = std::to_string(cores) + " cores";
    expect_values(run_values(h, ReduceOp::kMax, DType::kF32, v, {n}), {kNaN}, "max " + ctx);
    expect_values(run_values(h, ReduceOp::kMin, DType::kF32, v, {n}), {kNaN}, "min " + ctx);
    expect_values(run_values(h, ReduceOp::kArgMax, DType::kF32, v, {n}), {static_cast<double>(first)}, "argmax " + ctx);
    expect_values(run_values(h, ReduceOp::kArgMin, DType::kF32, v, {n}), {static_cast<double>(first)}, "argmin " + ctx);
  }
}

// Ties --------------------------------------------------------------------------------

TEST(ReduceSemantics, TiesGiveTheFirstIndex) {
  Harness h(2);
  for (const std::string& isa : isas()) {
    ScopedIsa scoped(isa);
    ASSERT_TRUE(scoped.ok());
    for (DType dt : {DType::kF32, DType::kF16, DType::kBF16, DType::kI32}) {
      for (std::int64_t n : {2, 16, 17, 64, 100, 1000, 4099}) {
        const std::string ctx = std::string(dtype_name(dt)) + " n=" + std::to_string(n) + " isa=" + isa;
        const std::vector<double> flat(static_cast<std::size_t>(n), 3.0);
        expect_values(run_values(h, ReduceOp::kArgMax, dt, flat, {n}), {0.0}, "argmax constant " + ctx);
        expect_values(run_values(h, ReduceOp::kArgMin, dt, flat, {n}), {0.0}, "argmin constant " + ctx);
        const std::pair<std::int64_t, std::int64_t> pairs[] = {{0, n - 1}, {1, n - 1}, {n / 2, n - 1}, {15, 16},
                                                               {16, 31},   {3, 40},    {7, 8}};
        for (auto [a, b] : pairs) {
          if (!(a < b && b < n)) continue;
          std::vector<double> v = random_values(static_cast<std::size_t>(n), static_cast<std::uint64_t>(n + a * 7));
          if (dt == DType::kI32)
            for (double& x : v) x = std::floor(x);
          v[static_cast<std::size_t>(a)] = v[static_cast<std::size_t>(b)] = 10.0;
          expect_values(run_values(h, ReduceOp::kArgMax, dt, v, {n}), {static_cast<double>(a)},
                        "argmax tie " + std::to_string(a) + "/" + std::to_string(b) + " " + ctx);
          v[static_cast<std::size_t>(a)] = v[static_cast<std::size_t>(b)] = -10.0;
          expect_values(run_values(h, ReduceOp::kArgMin, dt, v, {n}), {static_cast<double>(a)},
                        "argmin tie " + std::to_string(a) + "/" + std::to_string(b) + " " + ctx);
        }
      }
      // Ties down columns (outer axis) and along rows of a matrix.
      std::vector<double> m(static_cast<std::size_t>(40 * 33), 1.0);
      for (std::size_t c = 0; c < 33; ++c) {
        m[(5 + c) * 33 + c] = 9.0;   // column c: first max at row 5 + c
        m[39 * 33 + c] = 9.0;        // and again in the last row
      }
      std::vector<double> expect(33);
      for (std::size_t c = 0; c < 33; ++c) expect[c] = static_cast<double>(5 + c);
      expect_values(run_values(h, ReduceOp::kArgMax, dt, m, {40, 33}, with(std::vector<int>{0})), expect,
                    std::string("argmax columns ") + dtype_name(dt) + " isa=" + isa);
    }
  }
}

TEST(ReduceSemantics, TiesAcrossCoresGiveTheFirstIndex) {
  const std::int64_t n = kAddressSanitizer ? 1000003 : 3000017;
  std::vector<double> v = random_values(static_cast<std::size_t>(n), 78, -1.0, 1.0);
  for (std::int64_t i : {n / 3 + 5, n * 2 / 3, n - 1}) v[static_cast<std::size_t>(i)] = 7.0;
  for (std::int64_t i : {n / 2 + 1, n - 2}) v[static_cast<std::size_t>(i)] = -7.0;
  for (int cores : {1, 2, 3}) {
    Harness h(cores);
    for (DType dt : {DType::kF32, DType::kBF16, DType::kI32}) {
      std::vector<double> w = v;
      if (dt == DType::kI32)
        for (double& x : w) x = std::round(x * 100);
      const std::string ctx = std::string(dtype_name(dt)) + " " + std::to_string(cores) + " cores";
      expect_values(run_values(h, ReduceOp::kArgMax, dt, w, {n}), {static_cast<double>(n / 3 + 5)}, "argmax " + ctx);
      expect_values(run_values(h, ReduceOp::kArgMin, dt, w, {n}), {static_cast<double>(n / 2 + 1)}, "argmin " + ctx);
    }
  }
}

TEST(ReduceSemantics, FullArgReductionGivesTheFlatRowMajorIndex) {
  Harness h(2);
  for (const std::string& isa : isas()) {
    ScopedIsa scoped(isa);
    ASSERT_TRUE(scoped.ok());
    for (DType dt : {DType::kF32, DType::kF16, DType::kI32}) {
      std::vector<double> v = random_values(60, 9, -50, 50);
      if (dt == DType::kI32)
        for (double& x : v) x = std::floor(x);
      constexpr double kAtMax = 2 * 20 + 1 * 5 + 3;  // [2,1,3] of a [3,4,5] tensor
      constexpr double kAtMin = 0 * 20 + 3 * 5 + 4;  // [0,3,4]
      v[static_cast<std::size_t>(kAtMax)] = 99.0;
      v[static_cast<std::size_t>(kAtMin)] = -99.0;
      const std::string ctx = std::string(dtype_name(dt)) + " isa=" + isa;
      for (const AxisList& axes : {AxisList{}, AxisList{std::vector<int>{0, 1, 2}}, AxisList{std::vector<int>{2, -3, 1}}}) {
        const Outcome mx = run_values(h, ReduceOp::kArgMax, dt, v, {3, 4, 5}, with(axes));
        expect_values(mx, {kAtMax}, "argmax " + axes_str(axes) + " " + ctx);
        EXPECT_TRUE(mx.shape.empty()) << shape_str(mx.shape);
        const Outcome mn = run_values(h, ReduceOp::kArgMin, dt, v, {3, 4, 5}, with(axes, true));
        expect_values(mn, {kAtMin}, "argmin keep_dims " + axes_str(axes) + " " + ctx);
        EXPECT_EQ(mn.shape, (std::vector<std::int64_t>{1, 1, 1}));
      }
      // Along one axis the index is the position on that axis.
      const Outcome ax = run_values(h, ReduceOp::kArgMax, dt, v, {3, 4, 5}, with(std::vector<int>{1}));
      ASSERT_EQ(ax.status, Status::kSuccess) << ax.message;
      EXPECT_EQ(ax.values[2 * 5 + 3], 1.0) << ctx;
    }
  }
  // A transposed view: the index is row-major in the view's logical shape, not in memory.
  // Memory holds a [5, 4, 3] tensor; the view is its transpose [3, 4, 5], strides [1, 3, 12].
  std::vector<unsigned char> host(60 * 4);
  std::vector<double> vals = random_values(60, 10);
  vals[2 * 1 + 1 * 3 + 3 * 12] = 50.0;  // view element [2, 1, 3]
  for (std::int64_t i = 0; i < 60; ++i) store_element(host.data(), DType::kF32, i, vals[static_cast<std::size_t>(i)]);
  void* d = h.upload(host.data(), host.size());
  const Tensor view(d, DType::kF32, {3, 4, 5}, {1, 3, 12});
  std::vector<unsigned char> outb(8);
  void* o = h.alloc(8);
  ASSERT_OK(ops::reduce(h.stream(), ReduceOp::kArgMax, view, Tensor(o, DType::kI64, std::span<const std::int64_t>{})));
  ASSERT_OK(h.stream().synchronize());
  outb = h.download(o, 8);
  EXPECT_EQ(load_element(outb.data(), DType::kI64, 0), 2.0 * 20 + 1 * 5 + 3);
}

// all / any ---------------------------------------------------------------------------

TEST(ReduceSemantics, AllAnyCountNaNAsNonzeroAndNegativeZeroAsZero) {
  Harness h(2);
  for (const std::string& isa : isas()) {
    ScopedIsa scoped(isa);
    ASSERT_TRUE(scoped.ok());
    for (DType dt : kFloatTypes) {
      const std::string ctx = std::string(dtype_name(dt)) + " isa=" + isa;
      expect_values(run_values(h, ReduceOp::kAll, dt, {kNaN, 1.0}, {2}), {1.0}, "all [NaN, 1] " + ctx);
      expect_values(run_values(h, ReduceOp::kAny, dt, {0.0, kNaN}, {2}), {1.0}, "any [0, NaN] " + ctx);
      expect_values(run_values(h, ReduceOp::kAny, dt, {-0.0, 0.0, -0.0}, {3}), {0.0}, "any [-0, 0, -0] " + ctx);
      expect_values(run_values(h, ReduceOp::kAll, dt, {1.0, -0.0}, {2}), {0.0}, "all [1, -0] " + ctx);
      expect_values(run_values(h, ReduceOp::kAll, dt, {-kInf, 0.5}, {2}), {1.0}, "all [-inf, .5] " + ctx);
      // Long rows: one zero (or one nonzero) anywhere decides.
      for (std::int64_t n : {17, 64, 65, 1025, 4099}) {
        for (std::int64_t p : {std::int64_t{0}, n / 2, n - 1}) {
          std::vector<double> ones(static_cast<std::size_t>(n), 2.0), zeros(static_cast<std::size_t>(n), 0.0);
          ones[static_cast<std::size_t>(p)] = -0.0;
          zeros[static_cast<std::size_t>(p)] = kNaN;
          const std::string c2 = ctx + " n=" + std::to_string(n) + " p=" + std::to_string(p);
          expect_values(run_values(h, ReduceOp::kAll, dt, ones, {n}), {0.0}, "all with one -0 " + c2);
          expect_values(run_values(h, ReduceOp::kAny, dt, ones, {n}), {1.0}, "any " + c2);
          expect_values(run_values(h, ReduceOp::kAny, dt, zeros, {n}), {1.0}, "any with one NaN " + c2);
          expect_values(run_values(h, ReduceOp::kAll, dt, zeros, {n}), {p == 0 && n == 1 ? 1.0 : 0.0}, "all " + c2);
        }
      }
    }
    expect_values(run_values(h, ReduceOp::kAll, DType::kI32, {-1, 5, 7}, {3}), {1.0}, "all i32");
    expect_values(run_values(h, ReduceOp::kAll, DType::kI32, {-1, 0, 7}, {3}), {0.0}, "all i32 with 0");
    expect_values(run_values(h, ReduceOp::kAny, DType::kI32, {0, 0, 0, 0}, {4}), {0.0}, "any i32 zeros");
    expect_values(run_values(h, ReduceOp::kAny, DType::kI32, {0, 0, -2147483648.0, 0}, {4}), {1.0}, "any i32 INT_MIN");
  }
}

// var / std -----------------------------------------------------------------------------

TEST(ReduceSemantics, VarianceCorrection) {
  Harness h(2);
  const std::vector<double> x = {1, 2, 3, 4};  // mean 2.5, sum of squared deviations 5
  for (DType dt : kFloatTypes) {
    const double rel = tolerance(dt);
    const std::string ctx = dtype_name(dt);
    expect_near_rel(run_values(h, ReduceOp::kVar, dt, x, {4}, with({}, false, 0.0)), 1.25, rel, "var c=0 " + ctx);
    expect_near_rel(run_values(h, ReduceOp::kVar, dt, x, {4}), 5.0 / 3.0, rel, "var default (c=1) " + ctx);
    expect_near_rel(run_values(h, ReduceOp::kVar, dt, x, {4}, with({}, false, 2.0)), 2.5, rel, "var c=2 " + ctx);
    expect_near_rel(run_values(h, ReduceOp::kVar, dt, x, {4}, with({}, false, 0.5)), 5.0 / 3.5, rel, "var c=0.5 " + ctx);
    expect_near_rel(run_values(h, ReduceOp::kVar, dt, x, {4}, with({}, false, 3.0)), 5.0, rel, "var c=3 " + ctx);
    expect_values(run_values(h, ReduceOp::kVar, dt, x, {4}, with({}, false, 4.0)), {kNaN}, "var n == c " + ctx);
    expect_values(run_values(h, ReduceOp::kVar, dt, x, {4}, with({}, false, 5.0)), {kNaN}, "var n < c " + ctx);
    expect_near_rel(run_values(h, ReduceOp::kStd, dt, x, {4}, with({}, false, 0.0)), std::sqrt(1.25), rel, "std c=0 " + ctx);
    expect_near_rel(run_values(h, ReduceOp::kStd, dt, x, {4}), std::sqrt(5.0 / 3.0), rel, "std c=1 " + ctx);
    expect_values(run_values(h, ReduceOp::kStd, dt, x, {4}, with({}, false, 4.0)), {kNaN}, "std n == c " + ctx);
    // One element: 0 without correction, NaN with.
    expect_values(run_values(h, ReduceOp::kVar, dt, {7.5}, {1}, with({}, false, 0.0)), {0.0}, "var n=1 c=0 " + ctx);
    expect_values(run_values(h, ReduceOp::kVar, dt, {7.5}, {1}), {kNaN}, "var n=1 c=1 " + ctx);
    expect_values(run_values(h, ReduceOp::kStd, dt, {7.5}, {1}), {kNaN}, "std n=1 c=1 " + ctx);
    expect_values(run_values(h, ReduceOp::kVar, dt, {7.5, 7.5}, {2}, with({}, false, 2.0)), {kNaN}, "var n=2 c=2 " + ctx);
    // Per row, with n <= correction in none of them.
    const Outcome rows = run_values(h, ReduceOp::kVar, dt, {1, 2, 3, 4, 10, 10, 10, 10}, {2, 4},
                                    with(std::vector<int>{1}, true, 0.0));
    expect_values(rows, {1.25, 0.0}, "var rows " + ctx);
    EXPECT_EQ(rows.shape, (std::vector<std::int64_t>{2, 1}));
  }
}

// i32 -----------------------------------------------------------------------------------

TEST(ReduceSemantics, I32SumAndProdWrapModulo2To32) {
  Harness h(2);
  constexpr double kMax = 2147483647.0, kMin = -2147483648.0;
  for (const std::string& isa : isas()) {
    ScopedIsa scoped(isa);
    ASSERT_TRUE(scoped.ok());
    const std::string ctx = "isa=" + isa;
    expect_values(run_values(h, ReduceOp::kSum, DType::kI32, {kMax, 1}, {2}), {kMin}, "INT_MAX + 1 " + ctx);
    expect_values(run_values(h, ReduceOp::kSum, DType::kI32, {kMin, -1}, {2}), {kMax}, "INT_MIN - 1 " + ctx);
    // 1000 × INT_MAX = 2147483647000 ≡ -1000 (mod 2^32).
    expect_values(run_values(h, ReduceOp::kSum, DType::kI32, std::vector<double>(1000, kMax), {1000}), {-1000.0},
                  "1000 x INT_MAX " + ctx);
    expect_values(run_values(h, ReduceOp::kProd, DType::kI32, {65536, 65536}, {2}), {0.0}, "2^16 * 2^16 " + ctx);
    // 3^21 = 10460353203 ≡ 1870418611 (mod 2^32).
    expect_values(run_values(h, ReduceOp::kProd, DType::kI32, std::vector<double>(21, 3.0), {21}), {1870418611.0},
                  "3^21 " + ctx);
    // (-3)^21 ≡ -1870418611.
    expect_values(run_values(h, ReduceOp::kProd, DType::kI32, std::vector<double>(21, -3.0), {21}), {-1870418611.0},
                  "(-3)^21 " + ctx);
    expect_values(run_values(h, ReduceOp::kMax, DType::kI32, {kMin, 0, kMax, kMax - 1}, {4}), {kMax}, "max " + ctx);
    expect_values(run_values(h, ReduceOp::kMin, DType::kI32, {kMax, 0, kMin, kMin + 1}, {4}), {kMin}, "min " + ctx);
    expect_values(run_values(h, ReduceOp::kMax, DType::kI32, {16777217, 16777216}, {2}), {16777217.0},
                  "max beyond f32 precision " + ctx);
    expect_values(run_values(h, ReduceOp::kSum, DType::kI32, {16777217, 1}, {2}), {16777218.0},
                  "sum beyond f32 precision " + ctx);
    expect_values(run_values(h, ReduceOp::kArgMax, DType::kI32, {16777216, 16777217, 16777217}, {3}), {1.0},
                  "argmax beyond f32 precision " + ctx);
  }
}

// f16 / bf16 ----------------------------------------------------------------------------

TEST(ReduceSemantics, HalfTypesAccumulateInF32AndRoundTheirResults) {
  Harness h(2);
  for (const std::string& isa : isas()) {
    ScopedIsa scoped(isa);
    ASSERT_TRUE(scoped.ok());
    const std::string ctx = "isa=" + isa;
    // Accumulating in f16 would stall at 2048.
    const std::vector<double> ones(100000, 1.0);
    expect_values(run_values(h, ReduceOp::kSum, DType::kF16, ones, {100000}, {}, DType::kF32), {100000.0},
                  "f16 sum of 100000 ones into f32 " + ctx);
    expect_values(run_values(h, ReduceOp::kSum, DType::kF16, ones, {100000}, {}, DType::kF16), {kInf},
                  "f16 sum of 100000 ones into f16 (past 65504) " + ctx);
    expect_values(run_values(h, ReduceOp::kMean, DType::kF16, ones, {100000}, {}, DType::kF16), {1.0},
                  "f16 mean of ones " + ctx);
    expect_values(run_values(h, ReduceOp::kMean, DType::kF16, {60000, 60000, 60000}, {3}, {}, DType::kF16),
                  {60000.0}, "f16 mean whose sum exceeds the f16 range " + ctx);
    expect_values(run_values(h, ReduceOp::kSum, DType::kBF16, std::vector<double>(1 << 20, 1.0), {1 << 20}, {},
                             DType::kF32),
                  {1048576.0}, "bf16 sum of 2^20 ones " + ctx);
    // 257 is halfway between the bf16 neighbours 256 and 258: nearest even gives 256.
    const std::vector<double> ones257(257, 1.0);
    expect_values(run_values(h, ReduceOp::kSum, DType::kBF16, ones257, {257}, {}, DType::kF32), {257.0},
                  "bf16 sum of 257 ones into f32 " + ctx);
    expect_values(run_values(h, ReduceOp::kSum, DType::kBF16, ones257, {257}, {}, DType::kBF16), {256.0},
                  "bf16 sum of 257 ones into bf16 (ties to even) " + ctx);
    // 2049 is halfway between the f16 neighbours 2048 and 2050.
    expect_values(run_values(h, ReduceOp::kSum, DType::kF16, std::vector<double>(2049, 1.0), {2049}, {}, DType::kF16),
                  {2048.0}, "f16 sum of 2049 ones into f16 (ties to even) " + ctx);
    expect_values(run_values(h, ReduceOp::kSum, DType::kF16, std::vector<double>(2051, 1.0), {2051}, {}, DType::kF16),
                  {2052.0}, "f16 sum of 2051 ones into f16 (ties to even) " + ctx);
  }
}

// logsumexp and infinities -------------------------------------------------------------

TEST(ReduceSemantics, LogSumExpIsStable) {
  Harness h(2);
  for (const std::string& isa : isas()) {
    ScopedIsa scoped(isa);
    ASSERT_TRUE(scoped.ok());
    for (DType dt : kFloatTypes) {
      const std::string ctx = std::string(dtype_name(dt)) + " isa=" + isa;
      const double big = dt == DType::kF16 ? 60000.0 : 1e30;
      const double rel = tolerance(dt);
      expect_near_rel(run_values(h, ReduceOp::kLogSumExp, dt, {1000, 1000}, {2}, {}, DType::kF32), 1000 + std::log(2.0),
                      rel, "[1000, 1000] " + ctx);
      expect_near_rel(run_values(h, ReduceOp::kLogSumExp, dt, {-1000, -1000}, {2}, {}, DType::kF32),
                      -1000 + std::log(2.0), rel, "[-1000, -1000] " + ctx);
      // exp(big) overflows; the result is big itself (as rounded to the input dtype).
      std::vector<unsigned char> cell(4);
      store_element(cell.data(), dt, 0, big);
      expect_near_rel(run_values(h, ReduceOp::kLogSumExp, dt, {big, 0}, {2}, {}, DType::kF32),
                      load_element(cell.data(), dt, 0), rel, "[big, 0] " + ctx);
      expect_values(run_values(h, ReduceOp::kLogSumExp, dt, {-kInf, -kInf, -kInf}, {3}), {-kInf}, "all -inf " + ctx);
      expect_values(run_values(h, ReduceOp::kLogSumExp, dt, {-kInf, 0}, {2}), {0.0}, "[-inf, 0] " + ctx);
      expect_values(run_values(h, ReduceOp::kLogSumExp, dt, {kInf, 1}, {2}), {kInf}, "[inf, 1] " + ctx);
      expect_values(run_values(h, ReduceOp::kLogSumExp, dt, {1, kNaN}, {2}), {kNaN}, "[1, NaN] " + ctx);
      // Rows of all -inf next to ordinary rows.
      const Outcome rows = run_values(h, ReduceOp::kLogSumExp, dt, {-kInf, -kInf, 0, 0}, {2, 2},
                                      with(std::vector<int>{1}), DType::kF32);
      ASSERT_EQ(rows.status, Status::kSuccess) << rows.message;
      EXPECT_EQ(rows.values[0], -kInf) << ctx;
      EXPECT_NEAR(rows.values[1], std::log(2.0), 1e-6) << ctx;
    }
    // exp(80) overflows f32: a naive sum of exponentials would give inf.
    const std::int64_t n = 1 << 20;
    expect_near_rel(run_values(h, ReduceOp::kLogSumExp, DType::kF32, std::vector<double>(static_cast<std::size_t>(n), 80.0),
                               {n}),
                    80.0 + std::log(static_cast<double>(n)), tolerance(DType::kF32), "2^20 x 80 isa=" + isa);
  }
}

TEST(ReduceSemantics, InfinitiesAndNaNInSums) {
  Harness h(2);
  for (const std::string& isa : isas()) {
  ScopedIsa scoped(isa);
  ASSERT_TRUE(scoped.ok());
  for (DType dt : kFloatTypes) {
    const std::string ctx = std::string(dtype_name(dt)) + " isa=" + isa;
    expect_values(run_values(h, ReduceOp::kSum, dt, {kInf, 1}, {2}, {}, DType::kF32), {kInf}, "sum [inf, 1] " + ctx);
    expect_values(run_values(h, ReduceOp::kSum, dt, {kInf, -kInf}, {2}, {}, DType::kF32), {kNaN}, "sum [inf, -inf] " + ctx);
    expect_values(run_values(h, ReduceOp::kSum, dt, {1, kNaN, 2}, {3}, {}, DType::kF32), {kNaN}, "sum with NaN " + ctx);
    expect_values(run_values(h, ReduceOp::kMean, dt, {1, kNaN}, {2}, {}, DType::kF32), {kNaN}, "mean with NaN " + ctx);
    expect_values(run_values(h, ReduceOp::kProd, dt, {0, kInf}, {2}, {}, DType::kF32), {kNaN}, "prod [0, inf] " + ctx);
    expect_values(run_values(h, ReduceOp::kMax, dt, {-kInf, -kInf}, {2}), {-kInf}, "max of -infs " + ctx);
    expect_values(run_values(h, ReduceOp::kMin, dt, {kInf}, {1}), {kInf}, "min [inf] " + ctx);
    expect_values(run_values(h, ReduceOp::kArgMax, dt, {-kInf, -kInf, -kInf}, {3}), {0.0}, "argmax of -infs " + ctx);
    expect_values(run_values(h, ReduceOp::kArgMin, dt, {kInf, kInf}, {2}), {0.0}, "argmin of infs " + ctx);
    expect_values(run_values(h, ReduceOp::kL2, dt, {3, -4}, {2}, {}, DType::kF32), {5.0}, "l2 [3, -4] " + ctx);
    expect_values(run_values(h, ReduceOp::kL1, dt, {-3, 4}, {2}, {}, DType::kF32), {7.0}, "l1 [-3, 4] " + ctx);
    expect_values(run_values(h, ReduceOp::kSumSquares, dt, {-3, 4}, {2}, {}, DType::kF32), {25.0}, "sum_sq " + ctx);
    expect_values(run_values(h, ReduceOp::kVar, dt, {1, kInf}, {2}, {}, DType::kF32), {kNaN}, "var with inf " + ctx);
    expect_values(run_values(h, ReduceOp::kVar, dt, {1, kNaN, 3}, {3}, {}, DType::kF32), {kNaN}, "var with NaN " + ctx);
    expect_values(run_values(h, ReduceOp::kStd, dt, {kNaN, 2}, {2}, {}, DType::kF32), {kNaN}, "std with NaN " + ctx);
    expect_values(run_values(h, ReduceOp::kL2, dt, {kNaN, 2}, {2}, {}, DType::kF32), {kNaN}, "l2 with NaN " + ctx);
    expect_values(run_values(h, ReduceOp::kProd, dt, {2, kNaN}, {2}, {}, DType::kF32), {kNaN}, "prod with NaN " + ctx);
    expect_values(run_values(h, ReduceOp::kVar, dt, {kNaN}, {1}, with({}, false, 0.0), DType::kF32), {kNaN},
                  "var [NaN] c=0 " + ctx);
    expect_values(run_values(h, ReduceOp::kSum, dt, {1, -kInf}, {2}, {}, DType::kF32), {-kInf}, "sum [1, -inf] " + ctx);
    std::vector<double> longrow(1000, 1.0);
    longrow[777] = kNaN;
    expect_values(run_values(h, ReduceOp::kVar, dt, longrow, {1000}, {}, DType::kF32), {kNaN}, "var of 1000 with a NaN " + ctx);
    expect_values(run_values(h, ReduceOp::kSum, dt, longrow, {1000}, {}, DType::kF32), {kNaN}, "sum of 1000 with a NaN " + ctx);
  }
  }
}

// An explicitly empty axis list ---------------------------------------------------------

TEST(ReduceSemantics, EmptyAxisListAppliesTheElementwisePart) {
  Harness h(2);
  const std::vector<double> x = {1.5, -2.0, 0.0, 3.0, -0.5, 4.0};
  struct Expect {
    ReduceOp op;
    double (*f)(double);
  };
  const Expect cases[] = {
      {ReduceOp::kSum, [](double v) { return v; }},
      {ReduceOp::kMean, [](double v) { return v; }},
      {ReduceOp::kMax, [](double v) { return v; }},
      {ReduceOp::kMin, [](double v) { return v; }},
      {ReduceOp::kProd, [](double v) { return v; }},
      {ReduceOp::kLogSumExp, [](double v) { return v; }},
      {ReduceOp::kSumSquares, [](double v) { return v * v; }},
      {ReduceOp::kL1, [](double v) { return std::fabs(v); }},
      {ReduceOp::kL2, [](double v) { return std::fabs(v); }},
      {ReduceOp::kAll, [](double v) { return v != 0.0 ? 1.0 : 0.0; }},
      {ReduceOp::kAny, [](double v) { return v != 0.0 ? 1.0 : 0.0; }},
  };
  for (const std::string& isa : isas()) {
    ScopedIsa scoped(isa);
    ASSERT_TRUE(scoped.ok());
    for (DType dt : {DType::kF32, DType::kF16, DType::kBF16}) {
      for (bool keep : {false, true}) {
        for (const Expect& e : cases) {
          std::vector<double> want;
          for (double v : x) want.push_back(e.f(v));
          const Outcome o = run_values(h, e.op, dt, x, {2, 3}, with(std::vector<int>{}, keep));
          const std::string ctx = where(e.op, dt, {2, 3}, std::vector<int>{}) + " keep_dims=" + std::to_string(keep);
          expect_values(o, want, ctx);
          EXPECT_EQ(o.shape, (std::vector<std::int64_t>{2, 3})) << ctx;
        }
        const std::vector<double> zeros(6, 0.0), nans(6, kNaN);
        expect_values(run_values(h, ReduceOp::kVar, dt, x, {2, 3}, with(std::vector<int>{}, keep, 0.0)), zeros,
                      std::string("var {} c=0 ") + dtype_name(dt));
        expect_values(run_values(h, ReduceOp::kVar, dt, x, {2, 3}, with(std::vector<int>{}, keep, 1.0)), nans,
                      std::string("var {} c=1 ") + dtype_name(dt));
        expect_values(run_values(h, ReduceOp::kStd, dt, x, {2, 3}, with(std::vector<int>{}, keep, 0.0)), zeros,
                      std::string("std {} c=0 ") + dtype_name(dt));
      }
    }
    std::vector<double> ix = {5, -7, 0, 2147483647.0};
    expect_values(run_values(h, ReduceOp::kSum, DType::kI32, ix, {4}, with(std::vector<int>{})), ix, "i32 sum {}");
    expect_values(run_values(h, ReduceOp::kAny, DType::kI32, ix, {4}, with(std::vector<int>{})), {1, 1, 0, 1},
                  "i32 any {}");
  }
}

TEST(ReduceSemantics, RankZeroInput) {
  Harness h(2);
  expect_values(run_values(h, ReduceOp::kSum, DType::kF32, {2.5}, {}), {2.5}, "sum of a scalar");
  expect_values(run_values(h, ReduceOp::kMean, DType::kF32, {2.5}, {}, with(std::vector<int>{})), {2.5}, "mean {}");
  expect_values(run_values(h, ReduceOp::kArgMax, DType::kF32, {2.5}, {}), {0.0}, "argmax of a scalar");
  expect_values(run_values(h, ReduceOp::kVar, DType::kF32, {2.5}, {}, with({}, false, 0.0)), {0.0}, "var c=0");
  const Outcome o = run_values(h, ReduceOp::kProd, DType::kF32, {2.5}, {}, with({}, true));
  expect_values(o, {2.5}, "prod keep_dims");
  EXPECT_TRUE(o.shape.empty());
}

}  // namespace
}  // namespace vnpu
