// softmax.hpp semantics: special values (-inf entries, rows of -inf, NaN, +inf), known
// answers, empty tensors, strided views (negative, broadcast, padded), in place, and the
// synchronous forms (computed on the calling thread or launched).
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "kernel/kernel_support.hpp"
#include "ops/softmax_support.hpp"

namespace vnpu {
namespace {

using namespace vnpu::test;

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Long rows take the chunked path (longer than 32768); short ones the fused path.
constexpr std::int64_t kShort = 100;
constexpr std::int64_t kLong = 40000;

std::vector<double> row_of(std::int64_t n, double v) { return std::vector<double>(static_cast<std::size_t>(n), v); }

class SoftmaxSpecial : public ::testing::TestWithParam<DType> {};

TEST_P(SoftmaxSpecial, KnownAnswers) {
  const DType dt = GetParam();
  Harness h(2);
  // Equal values: 1/n each; log_softmax -ln n.
  for (std::int64_t n : {kShort, kLong}) {
    SmOutcome r = run_sm_values(h, false, dt, row_of(n, 3.0), {n});
    ASSERT_OK(r.status) << r.message;
    for (double v : r.values) ASSERT_NEAR(v, 1.0 / static_cast<double>(n), 1e-2 / static_cast<double>(n));
    r = run_sm_values(h, true, dt, row_of(n, 3.0), {n});
    ASSERT_OK(r.status) << r.message;
    for (double v : r.values) ASSERT_NEAR(v, -std::log(static_cast<double>(n)), 1e-2 * std::log(static_cast<double>(n)));
  }
  // One element: exactly 1 (log: 0), whatever its value.
  for (double x : {-5.0, 0.0, 1000.0}) {
    SmOutcome r = run_sm_values(h, false, dt, {x}, {1, 1});
    ASSERT_OK(r.status) << r.message;
    EXPECT_EQ(r.values[0], 1.0) << x;
    r = run_sm_values(h, true, dt, {x}, {1, 1});
    ASSERT_OK(r.status) << r.message;
    EXPECT_EQ(r.values[0], 0.0) << x;
  }
}

TEST_P(SoftmaxSpecial, NegativeInfinityEntriesGiveZero) {
  const DType dt = GetParam();
  Harness h(2);
  for (std::int64_t n : {kShort, kLong}) {
    std::vector<double> x = row_of(n, 0.0);
    for (std::int64_t i = 0; i < n; i += 3) x[static_cast<std::size_t>(i)] = -kInf;
    const SmOutcome r = run_sm_values(h, false, dt, x, {n});
    ASSERT_OK(r.status) << r.message;
    const SmOutcome l = run_sm_values(h, true, dt, x, {n});
    ASSERT_OK(l.status) << l.message;
    const double finite = static_cast<double>(n - (n + 2) / 3);
    for (std::int64_t i = 0; i < n; ++i) {
      const auto k = static_cast<std::size_t>(i);
      if (i % 3 == 0) {
        ASSERT_EQ(r.values[k], 0.0) << "n " << n << " at " << i;
        ASSERT_EQ(l.values[k], -kInf) << "n " << n << " at " << i;
      } else {
        ASSERT_NEAR(r.values[k], 1.0 / finite, 1e-2 / finite) << "n " << n << " at " << i;
        ASSERT_NEAR(l.values[k], -std::log(finite), 1e-2 * std::log(finite)) << "n " << n << " at " << i;
      }
    }
  }
}

TEST_P(SoftmaxSpecial, RowsOfNegativeInfinityNaNOrPlusInfinityAreNaN) {
  const DType dt = GetParam();
  Harness h(2);
  for (std::int64_t n : {kShort, kLong}) {
    // Rows: all -inf; one NaN; one +inf; -inf with one NaN; and a normal row beside them.
    std::vector<double> x;
    for (int row = 0; row < 5; ++row) {
      std::vector<double> r = row_of(n, 1.0);
      if (row == 0) r = row_of(n, -kInf);
      if (row == 1) r[static_cast<std::size_t>(n / 2)] = kNaN;
      if (row == 2) r[static_cast<std::size_t>(n - 1)] = kInf;
      if (row == 3) {
        r = row_of(n, -kInf);
        r[0] = kNaN;
      }
      x.insert(x.end(), r.begin(), r.end());
    }
    for (bool log : {false, true}) {
      const SmOutcome o = run_sm_values(h, log, dt, x, {5, n});
      ASSERT_OK(o.status) << o.message;
      for (std::int64_t i = 0; i < 4 * n; ++i)
        ASSERT_TRUE(std::isnan(o.values[static_cast<std::size_t>(i)])) << "log " << log << " n " << n << " at " << i;
      for (std::int64_t i = 4 * n; i < 5 * n; ++i)
        ASSERT_FALSE(std::isnan(o.values[static_cast<std::size_t>(i)])) << "the finite row is NaN at " << i - 4 * n;
    }
    // The same along axis 0 (columns): column c is row c above.
    std::vector<double> t(x.size());
    for (std::int64_t r = 0; r < 5; ++r)
      for (std::int64_t c = 0; c < n; ++c) t[static_cast<std::size_t>(c * 5 + r)] = x[static_cast<std::size_t>(r * n + c)];
    const SmOutcome o = run_sm_values(h, false, dt, t, {n, 5}, 0);
    ASSERT_OK(o.status) << o.message;
    for (std::int64_t c = 0; c < n; ++c)
      for (std::int64_t r = 0; r < 5; ++r)
        ASSERT_EQ(std::isnan(o.values[static_cast<std::size_t>(c * 5 + r)]), r < 4) << "column " << r << " row " << c;
  }
}

// One NaN at every position of a row (the fused rows find a NaN that a target's vector
// maximum drops through the exp sum), in a row of finite values, of -inf, or beside a
// +inf, on every ISA: the whole row is NaN, and the finite row beside them is not.
TEST_P(SoftmaxSpecial, ANaNAtAnyPositionMakesItsRowNaN) {
  const DType dt = GetParam();
  Harness h(2);
  for (const std::string& isa_name : available_isas()) {
    ScopedIsa isa(isa_name);
    ASSERT_TRUE(isa.ok()) << isa_name;
    for (std::int64_t n : {1, 15, 16, 63, 64, 100, 129}) {
      std::vector<double> x;
      for (int fill = 0; fill < 3; ++fill)
        for (std::int64_t pos = 0; pos < n; ++pos) {
          std::vector<double> r(static_cast<std::size_t>(n));
          for (std::int64_t i = 0; i < n; ++i)
            r[static_cast<std::size_t>(i)] = fill == 1 ? -kInf : static_cast<double>((i * 7) % 11) - 5.0;
          if (fill == 2) r[static_cast<std::size_t>((pos + 1) % n)] = kInf;
          r[static_cast<std::size_t>(pos)] = kNaN;
          x.insert(x.end(), r.begin(), r.end());
        }
      const std::int64_t rows = 3 * n + 1;
      for (std::int64_t i = 0; i < n; ++i) x.push_back(static_cast<double>(i % 5));
      for (bool log : {false, true}) {
        const SmOutcome o = run_sm_values(h, log, dt, x, {rows, n});
        ASSERT_OK(o.status) << o.message;
        for (std::int64_t i = 0; i < (rows - 1) * n; ++i)
          ASSERT_TRUE(std::isnan(o.values[static_cast<std::size_t>(i)]))
              << isa_name << " log " << log << " n " << n << " row " << i / n << " at " << i % n;
        for (std::int64_t i = (rows - 1) * n; i < rows * n; ++i)
          ASSERT_FALSE(std::isnan(o.values[static_cast<std::size_t>(i)])) << isa_name << " n " << n;
      }
    }
  }
}

// A row dominated by its maximum: log_softmax of the maximum is -ln(1 + t) with t the sum
// of the other terms, tiny; it must keep its relative accuracy (computed as -log1p(t)), in
// short (fused) and long (chunked) rows and along a column, with ties of the maximum.
TEST(SoftmaxDominated, LogSoftmaxOfTheMaximumKeepsItsRelativeAccuracy) {
  Harness h(2);
  for (std::int64_t n : {kShort, kLong}) {
    for (int ties : {1, 2}) {
      std::vector<double> x = row_of(n, -14.0);  // t = (n - ties) * e^-14 (n = 100: ~8e-5)
      for (int k = 0; k < ties; ++k) x[static_cast<std::size_t>(n / 2 + k)] = 0.0;
      const double t = static_cast<double>(n - ties) * std::exp(-14.0);
      const double want_max = -std::log1p(static_cast<double>(ties - 1) + t);
      const double want_other = -14.0 + want_max;
      // As one row, and as the 3 columns of an [n, 3] tensor (softmax over axis 0).
      const SmOutcome r = run_sm_values(h, true, DType::kF32, x, {n});
      ASSERT_OK(r.status) << r.message;
      EXPECT_NEAR(r.values[static_cast<std::size_t>(n / 2)], want_max, 1e-5 * std::fabs(want_max))
          << "row of " << n << ", ties " << ties;
      EXPECT_NEAR(r.values[0], want_other, 1e-6 * std::fabs(want_other)) << "row of " << n;
      std::vector<double> cols;
      for (double v : x) cols.insert(cols.end(), {v, v, v});
      const SmOutcome c = run_sm_values(h, true, DType::kF32, cols, {n, 3}, 0);
      ASSERT_OK(c.status) << c.message;
      for (std::size_t j = 0; j < 3; ++j) {
        EXPECT_NEAR(c.values[static_cast<std::size_t>(n / 2) * 3 + j], want_max, 1e-5 * std::fabs(want_max))
            << "columns of " << n << ", ties " << ties;
        EXPECT_NEAR(c.values[j], want_other, 1e-6 * std::fabs(want_other)) << "columns of " << n;
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Dtypes, SoftmaxSpecial, ::testing::Values(DType::kF32, DType::kF16, DType::kBF16),
                         [](const ::testing::TestParamInfo<DType>& i) { return std::string(dtype_name(i.param)); });

TEST(SoftmaxSemantics, EmptyTensorsSucceedAndWriteNothing) {
  Harness h(2);
  for (const std::vector<std::int64_t>& shape :
       std::vector<std::vector<std::int64_t>>{{0}, {3, 0}, {0, 5}, {2, 0, 4}}) {
    for (int axis = 0; axis < static_cast<int>(shape.size()); ++axis) {
      void* p = h.alloc(64, 0xCD);
      const Tensor t(p, DType::kF32, shape);
      ops::SoftmaxOptions o;
      o.axis = axis;
      EXPECT_OK(ops::softmax(h.stream(), t, t, o));
      EXPECT_OK(ops::log_softmax(t, t, o));
      EXPECT_OK(h.stream().synchronize());
      const std::vector<unsigned char> b = h.download(p, 64);
      for (unsigned char c : b) ASSERT_EQ(c, 0xCD);
      // An empty tensor may even have a null pointer.
      EXPECT_OK(ops::softmax(h.stream(), Tensor(static_cast<void*>(nullptr), DType::kF32, shape), Tensor(static_cast<void*>(nullptr), DType::kF32, shape), o));
    }
  }
}

// Strided views of every kind, each checked against the reference (and for untouched
// bytes around the output view).
TEST(SoftmaxSemantics, StridedViews) {
  Harness h(2);
  struct V {
    std::vector<std::int64_t> shape, in_strides, out_strides;
    int axis;
  };
  const std::vector<V> views = {
      {{6, 50}, {100, 1}, {}, 1},         // padded rows
      {{6, 50}, {-50, 1}, {}, 1},         // rows reversed
      {{6, 50}, {50, -1}, {}, 1},         // each row reversed
      {{6, 50}, {1, 6}, {}, 1},           // transposed: the axis has stride 6
      {{6, 50}, {1, 6}, {}, 0},           // transposed, columns
      {{6, 50}, {0, 1}, {}, 1},           // broadcast rows
      {{6, 50}, {1, 0}, {}, 1},           // broadcast along the axis: equal values
      {{6, 50}, {}, {100, 1}, 1},         // padded output rows
      {{6, 50}, {}, {1, 6}, 1},           // transposed output
      {{6, 50}, {}, {-50, -1}, 0},        // fully reversed output
      {{40, 3, 7}, {21, 1, 3}, {}, 0},    // middle dim contiguous in neither tensor
      {{4, 45000}, {90000, 2}, {}, 1},    // long strided rows (chunked)
      {{45000, 2}, {4, -1}, {}, 0},       // long strided columns
      {{3, 1000, 5}, {5000, 5, 1}, {1, 15, 3}, 1},  // output columns strided
  };
  for (DType dt : {DType::kF32, DType::kBF16, DType::kF16})
    for (bool log : {false, true})
      for (const V& v : views) {
        SmSpec c;
        c.log = log;
        c.dtype = dt;
        c.shape = v.shape;
        c.in_strides = v.in_strides;
        c.out_strides = v.out_strides;
        c.axis = v.axis;
        EXPECT_EQ(run_sm_case(h, c), "");
      }
}

// Contiguous f16/bf16 rows convert in registers (and large outputs are written with
// non-temporal stores); rows read with a stride go through an f32 copy. Both must give the
// same bits: the same rows, once contiguous and once from a transposed copy (axis stride =
// rows), including rows of NaN, +inf and -inf, rows a tail shorter than a vector, and an
// output of 16 MiB (the non-temporal path).
TEST(SoftmaxSemantics, HalfRowsInRegistersMatchTheStridedPath) {
  Harness h(2);
  struct Shape {
    std::int64_t rows, len;
  };
  for (DType dt : {DType::kBF16, DType::kF16})
    for (const Shape sh : {Shape{7, 1000}, Shape{9, 17}, Shape{5, 3}, Shape{1024, 8192}}) {
      const std::size_t es = dtype_size(dt);
      const std::int64_t n = sh.rows * sh.len;
      std::vector<unsigned char> rowmajor(static_cast<std::size_t>(n) * es), colmajor(rowmajor.size());
      std::uint64_t state = 0x9E3779B97F4A7C15ull ^ static_cast<std::uint64_t>(n);
      for (std::int64_t r = 0; r < sh.rows; ++r)
        for (std::int64_t c = 0; c < sh.len; ++c) {
          state = state * 6364136223846793005ull + 1442695040888963407ull;
          double v = static_cast<double>(state >> 40) / static_cast<double>(1ull << 24) * 24.0 - 12.0;
          if (r == 1 && c == sh.len / 2) v = kNaN;
          if (r == 2 && c == 0) v = kInf;
          if (r == 3) v = -kInf;
          if (r == 4 && c % 3 == 0) v = -kInf;
          store_element(rowmajor.data(), dt, r * sh.len + c, v);
          store_element(colmajor.data(), dt, c * sh.rows + r, v);
        }
      const std::vector<std::int64_t> shape = {sh.rows, sh.len};
      auto run = [&](const std::vector<unsigned char>& host, std::vector<std::int64_t> strides) {
        void* din = h.upload(host.data(), host.size());
        void* dout = h.alloc(host.size(), 0xCD);
        const Tensor in(din, dt, shape, strides);
        const Tensor out(dout, dt, shape);
        EXPECT_EQ(ops::softmax(h.stream(), in, out), Status::kSuccess);
        EXPECT_EQ(h.stream().synchronize(), Status::kSuccess);
        std::vector<unsigned char> bytes = h.download(dout, host.size());
        h.release(dout);
        h.release(din);
        return bytes;
      };
      const std::vector<unsigned char> b = run(colmajor, {1, sh.rows});
      // The large case (non-temporal stores where the target streams) on every ISA.
      const std::vector<std::string> all = sh.rows > 100 ? available_isas() : std::vector<std::string>{"native"};
      for (const std::string& isa_name : all) {
        ScopedIsa isa(isa_name);
        ASSERT_TRUE(isa.ok()) << last_error_message();
        const std::vector<unsigned char> a = run(rowmajor, {sh.len, 1});
        ASSERT_EQ(a.size(), b.size());
        std::int64_t first_diff = -1;
        for (std::size_t i = 0; i < a.size() && first_diff < 0; ++i)
          if (a[i] != b[i]) first_diff = static_cast<std::int64_t>(i / es);
        EXPECT_EQ(first_diff, -1) << dtype_name(dt) << " [" << sh.rows << "," << sh.len << "] on " << isa_name;
      }
    }
}

// Column tiles of f16/bf16 with an output of 16 MiB (non-temporal stores where the target
// streams halves) give the same bits on every ISA.
TEST(SoftmaxSemantics, LargeHalfColumnsSameBitsOnEveryIsa) {
  Harness h(2);
  for (DType dt : {DType::kBF16, DType::kF16}) {
    SmSpec c;
    c.dtype = dt;
    c.shape = {4096, 2048};
    c.axis = 0;
    std::vector<unsigned char> first;
    for (const std::string& isa_name : available_isas()) {
      ScopedIsa isa(isa_name);
      ASSERT_TRUE(isa.ok()) << last_error_message();
      const std::vector<unsigned char> got = sm_output_bytes(h, c);
      ASSERT_FALSE(got.empty()) << last_error_message();
      if (first.empty()) first = got;
      else EXPECT_TRUE(got == first) << dtype_name(dt) << " on " << isa_name;
    }
  }
}

// A NaN output is always the one quiet NaN (f32 0x7FC00000, f16 0x7E00, bf16 0x7FC0),
// whatever made it: a NaN input of either sign, +inf, or a row of -inf; short rows, long
// (chunked) rows and columns alike.
TEST(SoftmaxSemantics, NaNOutputsAreTheOneQuietNaN) {
  Harness h(2);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  struct Case {
    std::int64_t rows, len;  // vectors along the axis, and their length
    int axis;
  };
  for (DType dt : {DType::kF32, DType::kF16, DType::kBF16})
    for (const Case k : {Case{4, 100, 1}, Case{4, 40000, 1}, Case{100, 4, 0}, Case{40, 9000, 0}})
      for (bool log : {false, true}) {
        const std::int64_t n = k.rows * k.len;
        const std::size_t es = dtype_size(dt);
        std::vector<unsigned char> host(static_cast<std::size_t>(n) * es);
        // Four vectors along the axis: one holding -NaN, one +NaN, one +inf, one all -inf.
        for (std::int64_t i = 0; i < n; ++i) {
          const std::int64_t r = k.axis == 1 ? i / k.len : i % k.rows;  // which vector
          const std::int64_t e = k.axis == 1 ? i % k.len : i / k.rows;  // index along the axis
          double v = static_cast<double>(e % 7) - 3.0;
          if (r == 0 && e == 3) v = -nan;
          if (r == 1 && e == 2) v = nan;
          if (r == 2 && e == 1) v = kInf;
          if (r == 3) v = -kInf;
          store_element(host.data(), dt, i, v);
        }
        void* din = h.upload(host.data(), host.size());
        void* dout = h.alloc(host.size(), 0xCD);
        const std::vector<std::int64_t> shape = {k.axis == 1 ? k.rows : k.len, k.axis == 1 ? k.len : k.rows};
        ops::SoftmaxOptions o;
        o.axis = k.axis;
        const Tensor in(din, dt, shape), out(dout, dt, shape);
        ASSERT_EQ(log ? ops::log_softmax(h.stream(), in, out, o) : ops::softmax(h.stream(), in, out, o),
                  Status::kSuccess);
        ASSERT_EQ(h.stream().synchronize(), Status::kSuccess);
        const std::vector<unsigned char> got = h.download(dout, host.size());
        h.release(dout);
        h.release(din);
        const std::uint32_t want = dt == DType::kF32 ? 0x7FC00000u : dt == DType::kF16 ? 0x7E00u : 0x7FC0u;
        std::int64_t bad = -1, nans = 0;
        for (std::int64_t i = 0; i < n && bad < 0; ++i) {
          std::uint32_t bits = 0;
          std::memcpy(&bits, got.data() + static_cast<std::size_t>(i) * es, es);
          if (!std::isnan(load_element(got.data(), dt, i))) continue;
          ++nans;
          if (bits != want) bad = i;
        }
        EXPECT_EQ(bad, -1) << dtype_name(dt) << (log ? " log_softmax" : " softmax") << " [" << k.rows << "x" << k.len
                           << "] axis " << k.axis;
        EXPECT_EQ(nans, 4 * k.len) << "every element of the four vectors is NaN";
      }
}

TEST(SoftmaxSemantics, InPlace) {
  Harness h(2);
  for (DType dt : {DType::kF32, DType::kF16, DType::kBF16})
    for (bool log : {false, true})
      for (const std::vector<std::int64_t>& shape :
           std::vector<std::vector<std::int64_t>>{{7, 300}, {1, 50000}, {300, 7}, {3, 5000, 4}})
        for (int axis : {0, -1}) {
          SmSpec c;
          c.log = log;
          c.dtype = dt;
          c.shape = shape;
          c.axis = axis;
          c.in_place = true;
          EXPECT_EQ(run_sm_case(h, c), "");
          c.in_strides = shape.size() == 2 ? std::vector<std::int64_t>{1, shape[0]} : std::vector<std::int64_t>{};
          EXPECT_EQ(run_sm_case(h, c), "");
        }
}

// The synchronous forms: small inputs on an idle stream run on the calling thread, larger
// ones are launched; both give the asynchronous form's bits.
TEST(SoftmaxSemantics, SynchronousFormsMatchTheStreamForm) {
  Harness h(2);
  for (const std::vector<std::int64_t>& shape :
       std::vector<std::vector<std::int64_t>>{{1, 1024}, {16, 100}, {3, 40000}, {512, 512}, {1000, 9}})
    for (bool log : {false, true}) {
      SmSpec c;
      c.log = log;
      c.shape = shape;
      EXPECT_EQ(run_sm_case(h, c, true), "");
      c.axis = 0;
      EXPECT_EQ(run_sm_case(h, c, true), "");
    }
  // Bits: the synchronous form against the stream form.
  SmSpec c;
  c.shape = {4, 1000};
  const std::vector<unsigned char> want = sm_output_bytes(h, c);
  const HostInput hin = sm_input(c);
  void* din = h.upload(hin.bytes.data(), hin.bytes.size());
  void* dout = h.alloc(want.size());
  ASSERT_OK(ops::softmax(Tensor(din, DType::kF32, c.shape), Tensor(dout, DType::kF32, c.shape)));
  EXPECT_TRUE(h.download(dout, want.size()) == want);
}

// A device with a tiny scratch: working areas that do not fit come from the heap. The
// method depends on the shape alone, so the bits equal those of a default device.
TEST(SoftmaxSemantics, TinyScratch) {
  DeviceConfig cfg;
  cfg.compute_cores = 2;
  cfg.scratch_bytes = 4096;
  Expected<Device> dev = Device::create(cfg);
  ASSERT_TRUE(dev.has_value()) << last_error_message();
  Stream s = dev->default_stream();
  cfg.scratch_bytes = 0;
  Expected<Device> dflt = Device::create(cfg);
  ASSERT_TRUE(dflt.has_value()) << last_error_message();
  Stream s2 = dflt->default_stream();
  struct Case {
    std::vector<std::int64_t> shape;
    int axis;
  };
  for (const Case& k : std::vector<Case>{{{3, 700}, 1}, {{2, 50000}, -1}, {{300, 40}, 0}, {{40, 5, 30}, 1}})
    for (bool log : {false, true}) {
      SmSpec c;
      c.log = log;
      c.shape = k.shape;
      c.axis = k.axis;
      const HostInput hin = sm_input(c);
      const std::vector<double> ref = sm_reference(log, hin.view(), c.axis);
      std::vector<float> y(static_cast<std::size_t>(product(c.shape)));
      const Tensor tin(hin.view().data, DType::kF32, c.shape), tout(y.data(), DType::kF32, c.shape);
      ops::SoftmaxOptions o;
      o.axis = c.axis;
      ASSERT_OK(log ? ops::log_softmax(s, tin, tout, o) : ops::softmax(s, tin, tout, o)) << last_error_message();
      ASSERT_OK(s.synchronize()) << last_error_message();
      EXPECT_EQ(sm_compare(DType::kF32, ref, std::vector<double>(y.begin(), y.end())), "") << sm_describe(c);
      std::vector<float> y2(y.size());
      ASSERT_OK(log ? ops::log_softmax(s2, tin, Tensor(y2.data(), DType::kF32, c.shape), o)
                    : ops::softmax(s2, tin, Tensor(y2.data(), DType::kF32, c.shape), o));
      ASSERT_OK(s2.synchronize());
      EXPECT_EQ(std::memcmp(y.data(), y2.data(), y.size() * sizeof(float)), 0) << sm_describe(c) << ": bits differ";
    }
}

// Host memory vnpu did not allocate goes through device 0's default stream.
TEST(SoftmaxSemantics, SynchronousFormOnPlainHostMemory) {
  std::vector<float> x(3000), y(3000, -1.0f);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(i % 17) * 0.25f;
  ASSERT_OK(ops::softmax(Tensor(x.data(), DType::kF32, {3, 1000}), Tensor(y.data(), DType::kF32, {3, 1000})));
  for (int r = 0; r < 3; ++r) {
    double s = 0.0;
    for (int i = 0; i < 1000; ++i) s += y[static_cast<std::size_t>(r * 1000 + i)];
    EXPECT_NEAR(s, 1.0, 1e-5);
  }
  ASSERT_OK(ops::log_softmax(Tensor(x.data(), DType::kF32, {3, 1000}), Tensor(x.data(), DType::kF32, {3, 1000})));
  for (std::size_t i = 0; i < x.size(); ++i) ASSERT_NEAR(std::exp(x[i]), y[i], 1e-6);
}

// A failure kept by the default stream is reported by the synchronous form (as a
// synchronize would), not swallowed by the direct path — and the op still ran, as a
// queued op would have.
TEST(SoftmaxSemantics, SynchronousFormReportsAKeptFailure) {
  Expected<Device> dev = Device::get(0);
  ASSERT_TRUE(dev.has_value());
  Stream s = dev->default_stream();
  ASSERT_OK(s.synchronize());
  ASSERT_OK(s.launch("fails", 1, [](const KernelContext&) { return Status::kInvalidArgument; }));
  // Let the failing task complete before the synchronous call sees an idle stream.
  ASSERT_TRUE(wait_until([&] { return s.completed() == s.submitted(); }));
  std::vector<float> x(64, 1.0f), y(64, 0.0f);
  EXPECT_EQ(ops::softmax(Tensor(x.data(), DType::kF32, {64}), Tensor(y.data(), DType::kF32, {64})),
            Status::kTaskFailed);
  EXPECT_TRUE(contains_nocase(last_error_message(), "fails")) << last_error_message();
  EXPECT_FLOAT_EQ(y[5], 1.0f / 64);
  EXPECT_OK(s.synchronize());
  y.assign(64, 0.0f);
  EXPECT_OK(ops::softmax(Tensor(x.data(), DType::kF32, {64}), Tensor(y.data(), DType::kF32, {64})));
  EXPECT_FLOAT_EQ(y[5], 1.0f / 64);
}

}  // namespace
}  // namespace vnpu
