// What an ONNX backend conformance run (random cases against float64 NumPy/PyTorch) asks
// of the reductions beyond the other suites, each checked against a float64 reference
// computed here, in every layout (contiguous rows, rows cut into segments, columns,
// gathered) and on every ISA of the machine:
//   - var/std of data whose squared deviations overflow f32 (a spread beyond ~3e17) are
//     finite whenever the answer fits in f32, +inf only when it does not;
//   - empty sum, sum_sq, l1 and l2 are +0.0, while a sum of -0.0 elements stays -0.0;
//   - argmax/argmin with select_last_index give the last of equal extremes (ONNX), and
//     still the first NaN;
//   - log_sum (ONNX ReduceLogSum) is log(sum(x)).
#include <algorithm>
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

ops::ReduceOptions along(AxisList axes, bool last = false) {
  ops::ReduceOptions o;
  o.axes = to_axes(axes);
  o.select_last_index = last;
  return o;
}

// The values as `dt` holds them (the reference must read what the operator reads).
std::vector<double> rounded(std::vector<double> v, DType dt) {
  for (double& x : v) {
    float f = static_cast<float>(x);
    if (dt == DType::kBF16) f = bf16_to_f32(f32_to_bf16(f));
    else if (dt == DType::kF16) f = f16_to_f32(f32_to_f16(f));
    x = f;
  }
  return v;
}

// One layout of a [A, B, C] input reduced over `axes`, described for messages.
struct Layout {
  std::vector<std::int64_t> shape;
  std::vector<int> axes;
  const char* name;
};

// The reduced axes of `l` for output `o` as the row-major sequence of their values.
std::vector<std::vector<double>> groups_of(const Layout& l, const std::vector<double>& x) {
  const int rank = static_cast<int>(l.shape.size());
  const std::vector<bool> mask = reduce_mask(rank, std::vector<int>(l.axes));
  std::int64_t outs = 1;
  for (int d = 0; d < rank; ++d)
    if (!mask[static_cast<std::size_t>(d)]) outs *= l.shape[static_cast<std::size_t>(d)];
  std::vector<std::vector<double>> g(static_cast<std::size_t>(outs));
  std::vector<std::int64_t> idx(static_cast<std::size_t>(rank), 0);
  for (double v : x) {
    std::int64_t o = 0;
    for (int d = 0; d < rank; ++d)
      if (!mask[static_cast<std::size_t>(d)]) o = o * l.shape[static_cast<std::size_t>(d)] + idx[static_cast<std::size_t>(d)];
    g[static_cast<std::size_t>(o)].push_back(v);
    for (int d = rank - 1; d >= 0; --d) {
      if (++idx[static_cast<std::size_t>(d)] < l.shape[static_cast<std::size_t>(d)]) break;
      idx[static_cast<std::size_t>(d)] = 0;
    }
  }
  return g;
}

// Contiguous rows (one chunk, several chunks, several segments), columns (rows of a
// block overflow together), and a gathered layout.
std::vector<Layout> layouts() {
  return {
      {{3, 5000}, {1}, "rows"},
      {{2, 70001}, {1}, "rows in segments"},
      {{300, 24}, {0}, "columns"},
      {{130, 3}, {0}, "gathered (3 columns)"},
      {{5, 40, 7}, {0, 2}, "gathered (two axes)"},
  };
}

double var_of(const std::vector<double>& g, double correction) {
  double s = 0;
  for (double v : g) s += v;
  const double mean = s / static_cast<double>(g.size());
  double q = 0;
  for (double v : g) q += (v - mean) * (v - mean);
  return q / (static_cast<double>(g.size()) - correction);
}

// The float64 result rounded to the output dtype as the operator rounds it.
double as_output(double v, DType out) {
  const auto f = static_cast<float>(v);
  if (out == DType::kBF16) return bf16_to_f32(f32_to_bf16(f));
  return f;
}

TEST(ReduceConformance, VarStdOfWideSpreadsAreFiniteWhenTheyFit) {
  Harness h(2);
  for (const std::string& isa : isas()) {
    ScopedIsa scoped(isa);
    ASSERT_TRUE(scoped.ok()) << isa;
    for (DType dt : {DType::kF32, DType::kBF16}) {
      const double tol = tolerance(dt);
      // 1e18: a chunk's squares overflow f32 (4096 x 3e35), not a block of 64 rows;
      // 1e19: both do, and var (3e37) still fits; 3e38: var does not fit, std does.
      for (double spread : {1e18, 1e19, 3e38}) {
        for (const Layout& l : layouts()) {
          Rng rng(static_cast<std::uint64_t>(l.shape[0] * 7 + l.shape[1]));
          std::vector<double> x(static_cast<std::size_t>(product(l.shape)));
          for (double& v : x) v = std::min(rng.uniform(-spread, spread) + spread / 4, 3.0e38);
          x = rounded(x, dt);
          for (double correction : {0.0, 1.0}) {
            const std::vector<std::vector<double>> groups = groups_of(l, x);
            for (ReduceOp op : {ReduceOp::kVar, ReduceOp::kStd}) {
              ops::ReduceOptions o = along(l.axes);
              o.correction = correction;
              const Outcome got = run_values(h, op, dt, x, l.shape, o);
              const std::string ctx = std::string(op_label(op)) + " " + dtype_name(dt) + " " + l.name + " " +
                                      shape_str(l.shape) + " spread " + std::to_string(spread) + " correction " +
                                      std::to_string(correction) + " isa " + isa;
              ASSERT_EQ(got.status, Status::kSuccess) << ctx << ": " << got.message;
              ASSERT_EQ(got.values.size(), groups.size()) << ctx;
              for (std::size_t i = 0; i < groups.size(); ++i) {
                const double var = var_of(groups[i], correction);
                const double want = op == ReduceOp::kVar ? var : std::sqrt(var);
                const double fits = as_output(want, dt);
                if (std::isinf(fits)) {
                  EXPECT_EQ(got.values[i], kInf) << ctx << ": output " << i << ", exact " << want;
                } else {
                  EXPECT_TRUE(std::isfinite(got.values[i])) << ctx << ": output " << i << " is " << got.values[i]
                                                            << ", exact " << want;
                  EXPECT_LE(std::fabs(got.values[i] - want), 4 * tol * want)
                      << ctx << ": output " << i << " is " << got.values[i] << ", exact " << want;
                }
              }
            }
          }
        }
      }
    }
  }
}

TEST(ReduceConformance, EmptySumsArePositiveZeroAndSumsOfNegativeZerosStayNegative) {
  struct Shape {
    std::vector<std::int64_t> shape;
    AxisList axes;
  };
  const Shape empties[] = {
      {{0}, std::nullopt},   {{4, 0}, std::vector<int>{1}},  {{0, 16}, std::vector<int>{0}},
      {{0, 3}, std::vector<int>{0}}, {{2, 0, 3}, std::vector<int>{1}}, {{3, 0, 20}, std::vector<int>{0, 1}},
  };
  Harness h(2);
  for (const std::string& isa : isas()) {
    ScopedIsa scoped(isa);
    ASSERT_TRUE(scoped.ok()) << isa;
    for (DType dt : {DType::kF32, DType::kF16, DType::kBF16}) {
      for (ReduceOp op : {ReduceOp::kSum, ReduceOp::kSumSquares, ReduceOp::kL1, ReduceOp::kL2}) {
        for (const Shape& s : empties) {
          for (const std::optional<DType> out : {std::optional<DType>(), std::optional<DType>(DType::kF32)}) {
            const Outcome o = run_values(h, op, dt, {}, s.shape, along(s.axes), out);
            const std::string ctx = std::string(op_label(op)) + " " + dtype_name(dt) + " " + shape_str(s.shape) +
                                    " axes=" + axes_str(s.axes) + (out ? " out=f32" : "") + " isa=" + isa;
            ASSERT_EQ(o.status, Status::kSuccess) << ctx << ": " << o.message;
            for (double v : o.values) EXPECT_TRUE(v == 0.0 && !std::signbit(v)) << ctx << ": got " << v;
          }
        }
        if (op == ReduceOp::kSumSquares || op == ReduceOp::kL2) continue;  // (-0)² is +0
        // Non-empty: IEEE's sign, -0 + -0 = -0, on rows, columns and gathered elements.
        for (const Shape& s : {Shape{{5}, std::nullopt}, Shape{{3, 70}, std::vector<int>{1}},
                               Shape{{70, 16}, std::vector<int>{0}}, Shape{{9, 3}, std::vector<int>{0}}}) {
          const std::vector<double> zeros(static_cast<std::size_t>(product(s.shape)), -0.0);
          const Outcome o = run_values(h, op, dt, zeros, s.shape, along(s.axes));
          const std::string ctx = std::string(op_label(op)) + " of -0 " + dtype_name(dt) + " " +
                                  shape_str(s.shape) + " isa=" + isa;
          ASSERT_EQ(o.status, Status::kSuccess) << ctx << ": " << o.message;
          const bool negative = op == ReduceOp::kSum;  // l1 takes |x| = +0
          for (double v : o.values) EXPECT_TRUE(v == 0.0 && std::signbit(v) == negative) << ctx << ": got " << v;
        }
      }
      // The other identities stay: mean NaN, prod 1.
      EXPECT_TRUE(std::isnan(run_values(h, ReduceOp::kMean, dt, {}, {4, 0}, along(std::vector<int>{1})).values.at(0)));
      EXPECT_EQ(run_values(h, ReduceOp::kProd, dt, {}, {4, 0}, along(std::vector<int>{1})).values.at(0), 1.0);
    }
  }
}

// The float64 answer of argmax/argmin: the first NaN, else the first (or last) extreme.
double arg_of(const std::vector<double>& g, bool max, bool last) {
  std::size_t best = 0;
  for (std::size_t i = 0; i < g.size(); ++i) {
    if (std::isnan(g[i])) return static_cast<double>(i);
    const bool beyond = max ? g[i] > g[best] : g[i] < g[best];
    if (beyond || (last && g[i] == g[best])) best = i;
  }
  return static_cast<double>(best);
}

TEST(ReduceConformance, SelectLastIndexGivesTheLastOfEqualExtremes) {
  std::vector<Layout> ls = layouts();
  ls.push_back({{4, 33}, {1}, "short rows"});
  ls.push_back({{7, 5, 9}, {0, 1, 2}, "every axis (flat index)"});
  ls.push_back({{2, 4100}, {1}, "rows of two chunks"});
  Harness h(2);
  for (const std::string& isa : isas()) {
    ScopedIsa scoped(isa);
    ASSERT_TRUE(scoped.ok()) << isa;
    for (DType dt : {DType::kF32, DType::kF16, DType::kBF16, DType::kI32, DType::kF64}) {
      for (const Layout& l : ls) {
        if (l.axes.size() > 1 && l.axes.size() != l.shape.size()) continue;  // one axis or all
        for (int pattern = 0; pattern < 4; ++pattern) {
          Rng rng(static_cast<std::uint64_t>(pattern * 1000 + l.shape[0]));
          std::vector<double> x(static_cast<std::size_t>(product(l.shape)));
          // 0: few distinct values (ties everywhere); 1: all equal; 2: ties plus NaNs;
          // 3: all -inf or +inf (equal to the kernels' starting extremes).
          for (std::size_t i = 0; i < x.size(); ++i) {
            switch (pattern) {
              case 0: x[i] = std::floor(rng.uniform(-3.0, 3.0)); break;
              case 1: x[i] = 2.0; break;
              case 2: x[i] = rng.chance(0.002) ? kNaN : std::floor(rng.uniform(0.0, 4.0)); break;
              default: x[i] = i % 2 == 0 ? -kInf : kInf; break;
            }
          }
          if (dt == DType::kI32 && pattern >= 2) continue;
          if (pattern == 3) {  // one extreme only: all -inf for argmax's start, +inf for argmin's
            for (double& v : x) v = -kInf;
          }
          const std::vector<std::vector<double>> groups = groups_of(l, x);
          for (ReduceOp op : {ReduceOp::kArgMax, ReduceOp::kArgMin}) {
            std::vector<double> data = x;
            if (pattern == 3 && op == ReduceOp::kArgMin)
              for (double& v : data) v = kInf;
            const std::vector<std::vector<double>> g = pattern == 3 ? groups_of(l, data) : groups;
            for (bool last : {false, true}) {
              const Outcome o = run_values(h, op, dt, data, l.shape, along(l.axes, last));
              const std::string ctx = std::string(op_label(op)) + (last ? " last " : " first ") + dtype_name(dt) +
                                      " " + l.name + " " + shape_str(l.shape) + " pattern " +
                                      std::to_string(pattern) + " isa " + isa;
              ASSERT_EQ(o.status, Status::kSuccess) << ctx << ": " << o.message;
              ASSERT_EQ(o.values.size(), g.size()) << ctx;
              for (std::size_t i = 0; i < g.size(); ++i)
                EXPECT_EQ(o.values[i], arg_of(g[i], op == ReduceOp::kArgMax, last)) << ctx << ": output " << i;
            }
          }
        }
      }
    }
  }
}

// Strided views (transposed, gapped) of f32 and i32 values with many ties, against the
// shared reference with select_last_index: rows, columns and gathered layouts over views.
TEST(ReduceConformance, SelectLastIndexOnStridedViews) {
  const std::vector<std::int64_t> shape = {150, 20};
  Harness h(2);
  for (DType dt : {DType::kF32, DType::kI32}) {
    for (const std::vector<std::int64_t>& strides :
         {std::vector<std::int64_t>{20, 1}, std::vector<std::int64_t>{1, 150}, std::vector<std::int64_t>{41, 2}}) {
      const std::int64_t storage = (shape[0] - 1) * strides[0] + (shape[1] - 1) * strides[1] + 1;
      std::vector<unsigned char> host(static_cast<std::size_t>(storage) * 4);
      Rng rng(static_cast<std::uint64_t>(strides[0]));
      for (std::int64_t i = 0; i < storage; ++i) store_element(host.data(), dt, i, std::floor(rng.uniform(0.0, 4.0)));
      void* dev = h.upload(host.data(), host.size());
      const Tensor in(dev, dt, shape, strides);
      for (const AxisList& axes : {AxisList(std::vector<int>{0}), AxisList(std::vector<int>{1}), AxisList()}) {
        const std::vector<bool> mask = reduce_mask(2, axes);
        const std::vector<std::int64_t> oshape = expected_out_shape(shape, mask, false);
        const auto n_out = static_cast<std::size_t>(product(oshape));
        for (ReduceOp op : {ReduceOp::kArgMax, ReduceOp::kArgMin}) {
          const Reference ref = reduce_reference(op, View{host.data(), dt, shape, strides}, mask, 1.0, true);
          void* out = h.alloc(n_out * 8);
          ASSERT_EQ(ops::reduce(h.stream(), op, in, Tensor(out, DType::kI64, oshape), along(axes, true)),
                    Status::kSuccess)
              << last_error_message();
          ASSERT_EQ(h.stream().synchronize(), Status::kSuccess);
          const std::vector<unsigned char> got = h.download(out, n_out * 8);
          for (std::size_t i = 0; i < n_out; ++i) {
            EXPECT_EQ(load_element(got.data(), DType::kI64, static_cast<std::int64_t>(i)), ref.value[i])
                << op_label(op) << " " << dtype_name(dt) << " strides " << shape_str(strides) << " axes "
                << axes_str(axes) << ": output " << i;
          }
        }
      }
    }
  }
}

TEST(ReduceConformance, LogSumIsTheLogOfTheSum) {
  Harness h(2);
  for (const std::string& isa : isas()) {
    ScopedIsa scoped(isa);
    ASSERT_TRUE(scoped.ok()) << isa;
    for (DType dt : {DType::kF32, DType::kF16, DType::kBF16, DType::kF64}) {
      const std::string ctx = std::string(dtype_name(dt)) + " isa " + isa;
      Outcome o = run_values(h, ReduceOp::kLogSum, dt, {1.0, 2.0, 3.0, 4.0, 0.5, 1.5}, {2, 3},
                             along(std::vector<int>{1}));
      ASSERT_EQ(o.status, Status::kSuccess) << ctx << ": " << o.message;
      ASSERT_EQ(o.values.size(), 2u);
      EXPECT_NEAR(o.values[0], std::log(6.0), 2 * tolerance(dt)) << ctx;
      EXPECT_NEAR(o.values[1], std::log(6.0), 2 * tolerance(dt)) << ctx;
      // A zero sum gives -inf, a negative one NaN, an empty one -inf (log of +0).
      o = run_values(h, ReduceOp::kLogSum, dt, {1.0, -1.0, -2.0, 1.0, 0.0, 0.0}, {3, 2}, along(std::vector<int>{1}));
      ASSERT_EQ(o.status, Status::kSuccess) << ctx << ": " << o.message;
      EXPECT_EQ(o.values.at(0), -kInf) << ctx;
      EXPECT_TRUE(std::isnan(o.values.at(1))) << ctx;
      EXPECT_EQ(o.values.at(2), -kInf) << ctx;
      o = run_values(h, ReduceOp::kLogSum, dt, {}, {3, 0}, along(std::vector<int>{1}));
      ASSERT_EQ(o.status, Status::kSuccess) << ctx << ": " << o.message;
      for (double v : o.values) EXPECT_EQ(v, -kInf) << ctx;
      // Columns and a long row against float64.
      for (const Layout& l : {Layout{{300, 24}, {0}, "columns"}, Layout{{2, 70001}, {1}, "rows in segments"}}) {
        Rng rng(5);
        std::vector<double> x(static_cast<std::size_t>(product(l.shape)));
        for (double& v : x) v = rng.uniform(0.0, 2.0);
        x = rounded(x, dt);
        o = run_values(h, ReduceOp::kLogSum, dt, x, l.shape, along(l.axes), DType::kF32);
        ASSERT_EQ(o.status, Status::kSuccess) << ctx << ": " << o.message;
        const std::vector<std::vector<double>> groups = groups_of(l, x);
        for (std::size_t i = 0; i < groups.size(); ++i) {
          double s = 0;
          for (double v : groups[i]) s += v;
          EXPECT_NEAR(o.values.at(i), std::log(s), tolerance(DType::kF32) * std::fabs(std::log(s)) + 1e-6)
              << ctx << " " << l.name << ": output " << i;
        }
      }
    }
    // Floats only, as ONNX's log of an integer sum has no integer result.
    EXPECT_EQ(run_values(h, ReduceOp::kLogSum, DType::kI32, {1.0, 2.0}, {2}).status, Status::kInvalidDtype);
  }
  EXPECT_STREQ(ops::reduce_op_name(ReduceOp::kLogSum), "log_sum");
  EXPECT_EQ(ops::parse_reduce_op("log_sum"), ReduceOp::kLogSum);
}

}  // namespace
}  // namespace vnpu
