// The reduction API: reduce_output_shape's shapes and dtypes, op names, the asynchronous
// form (queued in stream order, returns before running) and the synchronous form (device
// memory of any device, plain host memory), tiny inputs, and the long f32 sum that must be
// far better than naive accumulation.
#include <chrono>
#include <cmath>
#include <cstring>
#include <numeric>
#include <string>
#include <thread>
#include <vector>

#include "ops/reduce_support.hpp"

namespace vnpu {
namespace {

using namespace vnpu::test;

ops::ReduceOptions with(AxisList axes, bool keep_dims = false) {
  ops::ReduceOptions o;
  o.axes = to_axes(axes);
  o.keep_dims = keep_dims;
  return o;
}

// reduce_output_shape ---------------------------------------------------------------------

TEST(ReduceApi, OutputShapeFollowsAxesAndKeepDims) {
  float dummy[1] = {0};
  const Tensor x(dummy, DType::kF32, {2, 3, 4});
  struct Case {
    AxisList axes;
    bool keep;
    std::vector<std::int64_t> shape;
  };
  using V = std::vector<int>;
  const Case cases[] = {
      {V{1}, false, {2, 4}},       {V{1}, true, {2, 1, 4}},       {std::nullopt, false, {}},
      {std::nullopt, true, {1, 1, 1}}, {V{-1, 0}, false, {3}},    {V{-1, 0}, true, {1, 3, 1}},
      {V{}, false, {2, 3, 4}},     {V{}, true, {2, 3, 4}},        {V{0, 1, 2}, false, {}},
      {V{2, 0, 1}, true, {1, 1, 1}}, {V{-3}, false, {3, 4}},      {V{2}, false, {2, 3}},
  };
  for (const Case& c : cases) {
    Expected<ops::ReduceShape> r = ops::reduce_output_shape(ReduceOp::kSum, x, with(c.axes, c.keep));
    ASSERT_TRUE(r.has_value()) << axes_str(c.axes) << ": " << last_error_message();
    EXPECT_EQ(std::vector<std::int64_t>(r->shape().begin(), r->shape().end()), c.shape)
        << axes_str(c.axes) << " keep_dims=" << c.keep;
    EXPECT_EQ(r->rank, static_cast<int>(c.shape.size()));
  }
  // Rank 0 in, rank 0 out.
  const Tensor scalar(dummy, DType::kF32, std::span<const std::int64_t>{});
  Expected<ops::ReduceShape> r0 = ops::reduce_output_shape(ReduceOp::kMax, scalar);
  ASSERT_TRUE(r0.has_value());
  EXPECT_EQ(r0->rank, 0);
  Expected<ops::ReduceShape> r0k = ops::reduce_output_shape(ReduceOp::kMax, scalar, with(std::nullopt, true));
  ASSERT_TRUE(r0k.has_value());
  EXPECT_EQ(r0k->rank, 0);
}

TEST(ReduceApi, OutputDtypes) {
  std::uint32_t dummy[1] = {0};
  for (DType dt : {DType::kF32, DType::kF16, DType::kBF16, DType::kI32}) {
    const Tensor x(dummy, dt, {1});
    for (ReduceOp op : kAllReduceOps) {
      Expected<ops::ReduceShape> r = ops::reduce_output_shape(op, x);
      if (!op_supports(op, dt)) {
        EXPECT_EQ(r.status(), Status::kInvalidDtype) << op_label(op) << " " << dtype_name(dt);
        continue;
      }
      ASSERT_TRUE(r.has_value()) << op_label(op) << " " << dtype_name(dt) << ": " << last_error_message();
      const DType natural = natural_out_dtype(op, dt);
      if (natural == DType::kF16 || natural == DType::kBF16) {
        // "The output dtype is the input dtype, or f32 for f16/bf16 inputs": either is a
        // reasonable default.
        EXPECT_TRUE(r->dtype == natural || r->dtype == DType::kF32) << op_label(op) << " " << dtype_name(dt);
      } else {
        EXPECT_EQ(r->dtype, natural) << op_label(op) << " " << dtype_name(dt) << " gave " << dtype_name(r->dtype);
      }
    }
  }
}

TEST(ReduceApi, OpNamesRoundTrip) {
  for (ReduceOp op : kAllReduceOps) {
    const char* name = ops::reduce_op_name(op);
    ASSERT_NE(name, nullptr);
    EXPECT_STREQ(name, op_label(op));
    const std::optional<ReduceOp> back = ops::parse_reduce_op(name);
    ASSERT_TRUE(back.has_value()) << name;
    EXPECT_EQ(*back, op) << name;
  }
  EXPECT_FALSE(ops::parse_reduce_op("").has_value());
  EXPECT_FALSE(ops::parse_reduce_op("sums").has_value());
  EXPECT_FALSE(ops::parse_reduce_op("sum_squares").has_value());
  EXPECT_NE(ops::reduce_op_name(static_cast<ReduceOp>(99)), nullptr);
}

// Forms ----------------------------------------------------------------------------------

TEST(ReduceApi, TinyInputsWork) {
  Harness h(2);
  std::vector<float> x(100);
  std::iota(x.begin(), x.end(), 1.0f);  // 1..100
  void* d = h.upload(x.data(), x.size() * 4);
  float* out = static_cast<float*>(h.alloc(64));
  const Tensor in(d, DType::kF32, {100});
  const Tensor scalar(out, DType::kF32, std::span<const std::int64_t>{});
  const struct {
    ReduceOp op;
    double want;
  } cases[] = {{ReduceOp::kSum, 5050}, {ReduceOp::kMean, 50.5}, {ReduceOp::kMax, 100}, {ReduceOp::kMin, 1},
               {ReduceOp::kL1, 5050},  {ReduceOp::kSumSquares, 338350}};
  for (const auto& c : cases) {
    // Synchronous form: device memory of h's device, run on its default stream.
    ASSERT_OK(ops::reduce(c.op, in, scalar)) << op_label(c.op) << ": " << last_error_message();
    EXPECT_EQ(*out, static_cast<float>(c.want)) << op_label(c.op) << " (synchronous)";
    *out = -1;
    ASSERT_OK(ops::reduce(h.stream(), c.op, in, scalar)) << op_label(c.op);
    ASSERT_OK(h.stream().synchronize());
    EXPECT_EQ(*out, static_cast<float>(c.want)) << op_label(c.op) << " (stream)";
  }
  // A [10, 10] view of the same data, by rows.
  float* rows = static_cast<float*>(h.alloc(40));
  ASSERT_OK(ops::reduce(ReduceOp::kSum, Tensor(d, DType::kF32, {10, 10}), Tensor(rows, DType::kF32, {10}),
                        {.axes = {1}}));
  for (int r = 0; r < 10; ++r) EXPECT_EQ(rows[r], static_cast<float>(100 * r + 55)) << "row " << r;
}

TEST(ReduceApi, SynchronousFormOnHostMemory) {
  // Memory vnpu did not allocate runs on device 0's default stream.
  std::vector<float> x(1000);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(i % 7);
  float result = -1;
  ASSERT_OK(ops::reduce(ReduceOp::kSum, Tensor(x.data(), DType::kF32, {1000}),
                        Tensor(&result, DType::kF32, std::span<const std::int64_t>{})))
      << last_error_message();
  double want = 0;
  for (float v : x) want += v;
  EXPECT_EQ(result, static_cast<float>(want));
  std::int64_t idx = -1;
  x[777] = 50;
  ASSERT_OK(ops::reduce(ReduceOp::kArgMax, Tensor(x.data(), DType::kF32, {1000}),
                        Tensor(&idx, DType::kI64, std::span<const std::int64_t>{})));
  EXPECT_EQ(idx, 777);
}

TEST(ReduceApi, AsynchronousFormRunsInStreamOrder) {
  Harness h(2);
  Stream& s = h.stream();
  constexpr std::int64_t kN = 4096;
  std::vector<float> host(kN, 0.5f);
  void* d = h.alloc(kN * 4, 0);
  auto* out = static_cast<float*>(h.alloc(64, 0));
  *out = -1.0f;
  // Hold the stream, queue copy-in, reduce and copy-out behind the blocker.
  Flag started, release;
  ScopedRelease guard(release);
  ASSERT_OK(launch_blocker(s, started, release));
  ASSERT_TRUE(started.wait());
  ASSERT_OK(s.memcpy_async(d, kN * 4, host.data(), kN * 4, CopyKind::kHostToDevice));
  const std::uint64_t before = s.submitted();
  ASSERT_OK(ops::reduce(s, ReduceOp::kSum, Tensor(d, DType::kF32, {kN}),
                        Tensor(out, DType::kF32, std::span<const std::int64_t>{})));
  EXPECT_GE(s.submitted(), before + 1) << "the reduction is queued on the stream";
  float back = -2.0f;
  ASSERT_OK(s.memcpy_async(&back, 4, out, 4, CopyKind::kDeviceToHost));
  std::fill(host.begin(), host.end(), 9.0f);  // the pageable source was staged already
  EXPECT_EQ(*out, -1.0f) << "the reduction ran before the stream reached it";
  EXPECT_EQ(s.query(), Status::kNotReady);
  release.set();
  ASSERT_OK(s.synchronize()) << last_error_message();
  EXPECT_EQ(*out, 2048.0f);
  EXPECT_EQ(back, 2048.0f);
}

TEST(ReduceApi, SynchronousFormUsesTheInputsDevice) {
  // Two devices; the synchronous form runs on the default stream of the input's device
  // and waits for it. Work queued earlier on other streams does not matter.
  Harness a(1), b(2);
  std::vector<float> x(3000, 1.0f);
  void* da = a.upload(x.data(), x.size() * 4);
  void* db = b.upload(x.data(), x.size() * 4);
  auto* oa = static_cast<float*>(a.alloc(64));
  auto* ob = static_cast<float*>(b.alloc(64));
  const std::span<const std::int64_t> scalar{};
  ASSERT_OK(ops::reduce(ReduceOp::kSum, Tensor(da, DType::kF32, {3000}), Tensor(oa, DType::kF32, scalar)));
  ASSERT_OK(ops::reduce(ReduceOp::kSum, Tensor(db, DType::kF32, {3000}), Tensor(ob, DType::kF32, scalar)));
  EXPECT_EQ(*oa, 3000.0f);
  EXPECT_EQ(*ob, 3000.0f);
}

TEST(ReduceApi, ManyReductionsQueuedBackToBack) {
  Harness h(2);
  constexpr int kRows = 64, kCols = 1000;
  std::vector<float> x(kRows * kCols);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(i % 13);
  void* d = h.upload(x.data(), x.size() * 4);
  auto* out = static_cast<float*>(h.alloc(kRows * 4));
  for (int r = 0; r < kRows; ++r) {
    const Tensor row(static_cast<float*>(d) + r * kCols, DType::kF32, {kCols});
    ASSERT_OK(ops::reduce(h.stream(), ReduceOp::kMax, row, Tensor(out + r, DType::kF32, std::span<const std::int64_t>{})));
  }
  ASSERT_OK(h.stream().synchronize());
  for (int r = 0; r < kRows; ++r) EXPECT_EQ(out[r], 12.0f) << "row " << r;
}

// Accuracy of a long sum ----------------------------------------------------------------

TEST(ReduceApi, LongF32SumIsFarBetterThanNaive) {
  // 4M values uniform in [0, 1): naive f32 accumulation is off by ~1e-3 here; the rule is
  // 2e-7 relative to the float64 sum of the same f32 values.
  constexpr std::int64_t kN = std::int64_t{4} << 20;
  Rng rng(2024);
  std::vector<float> x(static_cast<std::size_t>(kN));
  double exact = 0;
  for (float& v : x) {
    v = static_cast<float>(rng.uniform(0.0, 1.0));
    exact += v;
  }
  float naive = 0;
  for (float v : x) naive += v;
  for (int cores : {1, 2}) {
    Harness h(cores);
    void* d = h.upload(x.data(), x.size() * 4);
    auto* out = static_cast<float*>(h.alloc(64));
    for (const std::string& isa : isas()) {
      ScopedIsa scoped(isa);
      ASSERT_TRUE(scoped.ok());
      *out = 0;
      ASSERT_OK(ops::reduce(h.stream(), ReduceOp::kSum, Tensor(d, DType::kF32, {kN}),
                            Tensor(out, DType::kF32, std::span<const std::int64_t>{})));
      ASSERT_OK(h.stream().synchronize());
      EXPECT_LE(std::fabs(*out - exact) / exact, 2e-7)
          << "isa=" << isa << " cores=" << cores << ": got " << *out << ", float64 sum " << exact << ", naive "
          << naive;
      // Mean too (the same sum, divided).
      ASSERT_OK(ops::reduce(h.stream(), ReduceOp::kMean, Tensor(d, DType::kF32, {kN}),
                            Tensor(out, DType::kF32, std::span<const std::int64_t>{})));
      ASSERT_OK(h.stream().synchronize());
      EXPECT_LE(std::fabs(*out - exact / static_cast<double>(kN)) / (exact / static_cast<double>(kN)), 2e-7)
          << "mean, isa=" << isa;
    }
  }
}


// The synchronous form computes part of the work on the calling thread and combines the
// partials there: its bits must equal the stream form's for every layout and core count.
TEST(ReduceApi, SynchronousFormGivesTheStreamFormsBits) {
  struct Shape {
    std::vector<std::int64_t> shape;
    AxisList axes;
  };
  using V = std::vector<int>;
  const Shape shapes[] = {{{1000003}, std::nullopt}, {{300, 4099}, V{1}}, {{4099, 300}, V{0}},
                          {{7, 200001}, V{1}},      {{200001, 5}, V{1}}, {{64, 33, 257}, V{0, 2}}};
  for (int cores : {1, 2, 3}) {
    Harness h(cores);
    for (ReduceOp op : {ReduceOp::kSum, ReduceOp::kVar, ReduceOp::kArgMax, ReduceOp::kLogSumExp}) {
      for (const Shape& sh : shapes) {
        if (is_arg_op(op) && sh.axes && sh.axes->size() > 1) continue;
        const std::vector<bool> mask = reduce_mask(static_cast<int>(sh.shape.size()), sh.axes);
        std::int64_t len = 1;
        for (std::size_t d = 0; d < sh.shape.size(); ++d)
          if (mask[d]) len *= sh.shape[d];
        const HostInput in = make_input(op, DType::kF32, sh.shape, {}, len, 7);
        void* din = h.upload(in.bytes.data(), in.bytes.size());
        const std::vector<std::int64_t> oshape = expected_out_shape(sh.shape, mask, false);
        const DType odt = natural_out_dtype(op, DType::kF32);
        const std::size_t obytes = static_cast<std::size_t>(product(oshape)) * dtype_size(odt);
        void* o1 = h.alloc(obytes, 0xCD);
        void* o2 = h.alloc(obytes, 0xAB);
        ops::ReduceOptions o;
        o.axes = to_axes(sh.axes);
        const Tensor x(din, DType::kF32, sh.shape);
        ASSERT_OK(ops::reduce(h.stream(), op, x, Tensor(o1, odt, oshape), o)) << last_error_message();
        ASSERT_OK(h.stream().synchronize());
        ASSERT_OK(ops::reduce(op, x, Tensor(o2, odt, oshape), o)) << last_error_message();
        EXPECT_EQ(h.download(o1, obytes), h.download(o2, obytes))
            << op_label(op) << " " << shape_str(sh.shape) << " axes=" << axes_str(sh.axes) << " cores=" << cores;
        h.release(o1);
        h.release(o2);
        h.release(din);
      }
    }
  }
}

// "As if queued on the default stream": work queued there earlier (here a kernel that
// fills the input late) finishes before the synchronous form reads anything.
TEST(ReduceApi, SynchronousFormRunsAfterEarlierWorkOnTheDefaultStream) {
  Harness h(2);
  constexpr std::int64_t kN = 1 << 20;
  auto* d = static_cast<float*>(h.alloc(kN * 4, 0));
  auto* out = static_cast<float*>(h.alloc(64, 0));
  Stream s = h.device().default_stream();
  ASSERT_OK(s.launch("fill_late", 1, [d](const KernelContext&) {
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    for (std::int64_t i = 0; i < kN; ++i) d[i] = 0.25f;
  }));
  ASSERT_OK(ops::reduce(ReduceOp::kSum, Tensor(d, DType::kF32, {kN}),
                        Tensor(out, DType::kF32, std::span<const std::int64_t>{})))
      << last_error_message();
  EXPECT_EQ(*out, 0.25f * kN);
}


// Inside a kernel the synchronous form cannot wait for its stream: a clear error, no hang.
TEST(ReduceApi, SynchronousFormInsideAKernelIsRefused) {
  Harness h(2);
  std::vector<float> x(1 << 18, 1.0f);
  void* d = h.upload(x.data(), x.size() * 4);
  auto* out = static_cast<float*>(h.alloc(64, 0));
  Status inner = Status::kSuccess;
  ASSERT_OK(h.stream().launch("nested", 1, [&](const KernelContext&) {
    inner = ops::reduce(ReduceOp::kSum, Tensor(d, DType::kF32, {1 << 18}),
                        Tensor(out, DType::kF32, std::span<const std::int64_t>{}));
  }));
  ASSERT_OK(h.stream().synchronize());
  EXPECT_EQ(inner, Status::kNotPermitted);
}


// An earlier failure on the default stream is reported by the synchronous form, after the
// reduction has run (as the synchronize after a queued reduction would report it).
TEST(ReduceApi, SynchronousFormReportsAnEarlierFailure) {
  Harness h(2);
  std::vector<float> x(1 << 18, 0.5f);
  void* d = h.upload(x.data(), x.size() * 4);
  auto* out = static_cast<float*>(h.alloc(64, 0));
  Stream s = h.device().default_stream();
  ASSERT_OK(s.launch("earlier_failure", 1, [](const KernelContext&) { return Status::kInvalidArgument; }));
  const Status st = ops::reduce(ReduceOp::kSum, Tensor(d, DType::kF32, {1 << 18}),
                                Tensor(out, DType::kF32, std::span<const std::int64_t>{}));
  EXPECT_EQ(st, Status::kTaskFailed);
  EXPECT_NE(std::string(last_error_message()).find("earlier_failure"), std::string::npos) << last_error_message();
  EXPECT_EQ(*out, 0.5f * (1 << 18)) << "the reduction ran";
  EXPECT_OK(s.synchronize()) << "the failure was reported once";
}

}  // namespace
}  // namespace vnpu
