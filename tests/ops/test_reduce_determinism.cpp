// Bitwise determinism (reduce.hpp, DESIGN.md "Determinism"): every op gives the same bits
// on devices with 1, 2 and 3 compute cores, on inputs large enough that several cores and
// many chunks take part, and run after run. Across ISAs, every op but logsumexp gives the
// same bits too (reduce.hpp).
#include <atomic>
#include <bit>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "ops/reduce_support.hpp"

namespace vnpu {
namespace {

using namespace vnpu::test;

struct DetCase {
  std::vector<std::int64_t> shape;
  AxisList axes;
  DType dtype;
};

void PrintTo(const DetCase& c, std::ostream* os) {
  *os << shape_str(c.shape) << " axes=" << axes_str(c.axes) << " " << dtype_name(c.dtype);
}

std::vector<DetCase> det_cases() {
  using V = std::vector<int>;
  // Sanitizer builds (Debug, 10-20x slower) use smaller shapes, still far above what one
  // core handles alone and still cut into many chunks.
  const bool small = kAddressSanitizer || kThreadSanitizer;
  const std::int64_t rows = small ? 65536 : 1048576;
  const std::int64_t flat = small ? 300007 : 3000017;
  const std::int64_t mat = small ? 1024 : 4096;
  const std::int64_t longrow = small ? 100003 : 300007;
  return {
      {{flat}, std::nullopt, DType::kF32},
      {{mat, 1024}, V{1}, DType::kF32},
      {{mat, 1024}, V{0}, DType::kF32},
      {{rows, 16}, V{0}, DType::kF32},
      {{rows, 16}, V{1}, DType::kF32},
      {{16, rows}, V{1}, DType::kF32},
      {{16, rows}, V{0}, DType::kF32},
      {{4, longrow}, V{-1}, DType::kF32},
      {{small ? 16 : 64, 1000, 33}, V{0, 2}, DType::kF32},
      // Reduced dims apart after merging: rows of several dims ({0,2} with W kept), and
      // contiguous runs with dim 0 reduced ({0,2,3}) or kept ({1,3}).
      {{small ? 4 : 16, 32, 64, 64}, V{0, 2}, DType::kF32},
      {{small ? 4 : 16, 64, 56, 56}, V{0, 2, 3}, DType::kF32},
      {{small ? 4 : 16, 64, 56, 56}, V{1, 3}, DType::kF32},
      {{small ? 4 : 16, 64, 28, 28}, V{0, 2, 3}, DType::kBF16},
      {{small ? 4 : 16, 32, 64, 64}, V{0, 2}, DType::kF16},
      {{small ? 4 : 16, 64, 28, 28}, V{1, 3}, DType::kI32},
      {{flat}, std::nullopt, DType::kBF16},
      {{mat / 2, 1024}, V{0}, DType::kF16},
      {{mat / 4, 2048}, V{1}, DType::kBF16},
      {{flat}, std::nullopt, DType::kI32},
      {{mat / 2, 1024}, V{0}, DType::kI32},
      {{flat}, std::nullopt, DType::kF64},
      {{mat / 2, 1024}, V{0}, DType::kF64},
      {{4, longrow}, V{-1}, DType::kF64},
      {{small ? 4 : 16, 64, 28, 28}, V{0, 2, 3}, DType::kF64},
  };
}

/// Input values for every op at once: 1 + u with |u| <= 2^-10, so products stay in range
/// over millions of elements, sums and variances are far from trivial, and argmax/argmin
/// meet many ties (a few thousand distinct f32 values). i32: small integers (sums of
/// millions still wrap-free, products wrap).
std::vector<unsigned char> det_input(const DetCase& c) {
  const std::int64_t n = product(c.shape);
  std::vector<unsigned char> b(static_cast<std::size_t>(n) * dtype_size(c.dtype));
  Rng rng(static_cast<std::uint64_t>(n) * 3 + static_cast<std::uint64_t>(c.dtype));
  for (std::int64_t i = 0; i < n; ++i) {
    const double v = c.dtype == DType::kI32 ? static_cast<double>(static_cast<std::int64_t>(rng.next() % 2001) - 1000)
                                            : 1.0 + rng.uniform(-1.0 / 1024, 1.0 / 1024);
    store_element(b.data(), c.dtype, i, v);
  }
  return b;
}

std::string hex_diff(const std::vector<unsigned char>& a, const std::vector<unsigned char>& b, std::size_t esize) {
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i] != b[i]) {
      const std::size_t e = i / esize;
      return "first difference in output element " + std::to_string(e);
    }
  }
  return "";
}

class ReduceDeterminism : public ::testing::TestWithParam<DetCase> {};

TEST_P(ReduceDeterminism, SameBitsForOneTwoAndThreeCores) {
  const DetCase& dc = GetParam();
  const std::vector<unsigned char> host = det_input(dc);
  // Three devices, each with its own copy of the input.
  std::vector<std::unique_ptr<Harness>> hs;
  std::vector<void*> inputs;
  for (int cores : {1, 2, 3}) {
    hs.push_back(std::make_unique<Harness>(cores));
    inputs.push_back(hs.back()->upload(host.data(), host.size()));
  }
  const int rank = static_cast<int>(dc.shape.size());
  const std::vector<bool> mask = reduce_mask(rank, dc.axes);
  const std::vector<std::int64_t> oshape = expected_out_shape(dc.shape, mask, false);
  for (ReduceOp op : kAllReduceOps) {
    if (!op_supports(op, dc.dtype)) continue;
    if (is_arg_op(op) && dc.axes && dc.axes->size() > 1) continue;
    const DType odt = natural_out_dtype(op, dc.dtype);
    const std::size_t obytes = static_cast<std::size_t>(product(oshape)) * dtype_size(odt);
    std::vector<std::vector<unsigned char>> results;
    for (std::size_t k = 0; k < hs.size(); ++k) {
      Harness& h = *hs[k];
      ops::ReduceOptions o;
      o.axes = to_axes(dc.axes);
      // The 2-core device runs twice (run to run), on the shapes that are quick to repeat.
      const int reps = k == 1 && product(dc.shape) <= (std::int64_t{4} << 20) ? 2 : 1;
      for (int rep = 0; rep < reps; ++rep) {
        void* out = h.alloc(obytes, 0xCD);
        ASSERT_OK(ops::reduce(h.stream(), op, Tensor(inputs[k], dc.dtype, dc.shape), Tensor(out, odt, oshape), o))
            << op_label(op) << ": " << last_error_message();
        ASSERT_OK(h.stream().synchronize()) << op_label(op) << ": " << last_error_message();
        results.push_back(h.download(out, obytes));
        h.release(out);
      }
    }
    // results: 1 core, 2 cores, [2 cores again,] 3 cores.
    std::vector<std::string> labels = {"1 core", "2 cores", "2 cores (second run)", "3 cores"};
    if (results.size() == 3) labels.erase(labels.begin() + 2);
    for (std::size_t r = 1; r < results.size(); ++r) {
      EXPECT_TRUE(results[r] == results[0])
          << op_label(op) << ": " << labels[r] << " differs from 1 core: " << hex_diff(results[0], results[r], dtype_size(odt));
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Shapes, ReduceDeterminism, ::testing::ValuesIn(det_cases()));

// A block of a launch that cannot start (another kernel holds the core it needs) leaves
// its share to the block that runs: the units it takes over give the same bits as on a
// one-core device. One of the 2-core device's cores is held by a kernel on another stream
// while the reduction runs, until the running block has had time to do everything.
TEST(ReduceDeterminism, SameBitsWhenOneBlockDoesTheOthersShare) {
  const bool small = kAddressSanitizer || kThreadSanitizer;
  const std::vector<DetCase> cases = {
      {{small ? 300007 : 3000017}, std::nullopt, DType::kF32},                 // chunks, then a combine
      {{small ? 1024 : 4096, 1024}, std::vector<int>{1}, DType::kF32},         // whole rows
      {{small ? 65536 : 1048576, 16}, std::vector<int>{1}, DType::kF32},       // short rows
      {{4, small ? 100003 : 300007}, std::vector<int>{-1}, DType::kBF16},     // row segments
  };
  Harness one(1), two(2);
  Stream blocker_stream = two.device().create_stream().value();
  for (const DetCase& dc : cases) {
    const std::vector<unsigned char> host = det_input(dc);
    void* in1 = one.upload(host.data(), host.size());
    void* in2 = two.upload(host.data(), host.size());
    const int rank = static_cast<int>(dc.shape.size());
    const std::vector<std::int64_t> oshape = expected_out_shape(dc.shape, reduce_mask(rank, dc.axes), false);
    for (ReduceOp op : {ReduceOp::kSum, ReduceOp::kMean, ReduceOp::kMax, ReduceOp::kVar, ReduceOp::kLogSumExp,
                        ReduceOp::kArgMax, ReduceOp::kProd}) {
      if (!op_supports(op, dc.dtype)) continue;
      const DType odt = natural_out_dtype(op, dc.dtype);
      const std::size_t obytes = static_cast<std::size_t>(product(oshape)) * dtype_size(odt);
      ops::ReduceOptions o;
      o.axes = to_axes(dc.axes);
      void* out1 = one.alloc(obytes, 0xCD);
      ASSERT_OK(ops::reduce(one.stream(), op, Tensor(in1, dc.dtype, dc.shape), Tensor(out1, odt, oshape), o));
      ASSERT_OK(one.stream().synchronize());
      std::atomic<bool> release{false};
      ASSERT_OK(blocker_stream.launch("hold_a_core", 1, [&release](const KernelContext&) {
        const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(5);
        while (!release.load(std::memory_order_acquire) && std::chrono::steady_clock::now() < give_up) {
        }
      }));
      std::this_thread::sleep_for(std::chrono::milliseconds(2));  // the blocker takes a core
      void* out2 = two.alloc(obytes, 0xCD);
      ASSERT_OK(ops::reduce(two.stream(), op, Tensor(in2, dc.dtype, dc.shape), Tensor(out2, odt, oshape), o));
      std::this_thread::sleep_for(std::chrono::milliseconds(small ? 150 : 40));  // the other block works alone
      release.store(true, std::memory_order_release);
      ASSERT_OK(two.stream().synchronize()) << op_label(op) << ": " << last_error_message();
      ASSERT_OK(blocker_stream.synchronize());
      EXPECT_TRUE(one.download(out1, obytes) == two.download(out2, obytes))
          << op_label(op) << " " << shape_str(dc.shape) << ": " << "differs from 1 core";
      one.release(out1);
      two.release(out2);
    }
    one.release(in1);
    two.release(in2);
  }
}

// Across layouts ----------------------------------------------------------------------

// Rows reduced in place (contiguous rows take dedicated loops for some ops and dtypes) give
// the bits of the same rows gathered through a strided view (the general path): the same
// lanes, chunks and combining order whatever the layout. Rows back to back and rows with
// gaps between them; f32, f16 and bf16 (results in f32 and in their own type); rows of 5
// to 9000 elements (shorter than a vector, exactly 16, one chunk, several, a short last
// one), some holding NaN or an infinity; 37 rows, so that loops over groups of 16 rows
// have a remainder.
TEST(ReduceLayouts, ContiguousRowsGiveTheBitsOfStridedRows) {
  Harness h(2);
  const std::int64_t rows = 37;
  for (DType dt : {DType::kF32, DType::kF16, DType::kBF16}) {
    const std::int64_t es = static_cast<std::int64_t>(dtype_size(dt));
    for (std::int64_t len : {5, 16, 17, 100, 1024, 4096, 4097, 4113, 9000}) {
      for (ReduceOp op : kAllReduceOps) {
        if (!op_supports(op, dt)) continue;
        const std::vector<std::int64_t> shape = {rows, len};
        const std::vector<std::int64_t> strided = {2 * len, 2};
        HostInput in = make_input(op, dt, shape, strided, len, static_cast<std::uint64_t>(len));
        auto at = [&](std::int64_t r, std::int64_t c) {
          return in.bytes.data() + es * (in.origin + r * strided[0] + c * strided[1]);
        };
        // Row 3 holds a NaN and row 5 an infinity (at a different chunk position per length).
        store_element(at(3, len / 3), dt, 0, std::numeric_limits<double>::quiet_NaN());
        store_element(at(5, len - 1), dt, 0, std::numeric_limits<double>::infinity());
        // The same rows back to back, and with 3 elements of gap after each.
        const std::int64_t gap_stride = len + 3;
        std::vector<unsigned char> dense(static_cast<std::size_t>(rows * len * es));
        std::vector<unsigned char> gapped(static_cast<std::size_t>(rows * gap_stride * es), 0x11);
        for (std::int64_t r = 0; r < rows; ++r) {
          for (std::int64_t c = 0; c < len; ++c) {
            std::memcpy(&dense[static_cast<std::size_t>((r * len + c) * es)], at(r, c), static_cast<std::size_t>(es));
            std::memcpy(&gapped[static_cast<std::size_t>((r * gap_stride + c) * es)], at(r, c),
                        static_cast<std::size_t>(es));
          }
        }
        auto* dstrided = static_cast<unsigned char*>(h.upload(in.bytes.data(), in.bytes.size()));
        void* ddense = h.upload(dense.data(), dense.size());
        void* dgapped = h.upload(gapped.data(), gapped.size());
        const Tensor inputs[] = {Tensor(dstrided + in.origin * es, dt, shape, strided), Tensor(ddense, dt, shape),
                                 Tensor(dgapped, dt, shape, std::vector<std::int64_t>{gap_stride, 1})};
        const char* names[] = {"strided", "back to back", "with gaps"};
        // Half-type results in their own type and in f32.
        std::vector<DType> outs = {natural_out_dtype(op, dt)};
        if (dt != DType::kF32 && outs[0] == dt) outs.push_back(DType::kF32);
        for (DType odt : outs) {
          const std::size_t obytes = static_cast<std::size_t>(rows) * dtype_size(odt);
          ops::ReduceOptions o;
          o.axes = {1};
          std::vector<unsigned char> got[3];
          for (int k = 0; k < 3; ++k) {
            void* out = h.alloc(obytes, 0xCD);
            ASSERT_OK(ops::reduce(h.stream(), op, inputs[k], Tensor(out, odt, {rows}), o)) << last_error_message();
            ASSERT_OK(h.stream().synchronize()) << last_error_message();
            got[k] = h.download(out, obytes);
            h.release(out);
          }
          for (int k = 1; k < 3; ++k) {
            EXPECT_TRUE(got[k] == got[0]) << op_label(op) << " " << dtype_name(dt) << " -> " << dtype_name(odt)
                                          << ", rows of " << len << " " << names[k] << ": differ from the strided rows ("
                                          << hex_diff(got[0], got[k], dtype_size(odt)) << ")";
          }
        }
        h.release(dstrided);
        h.release(ddense);
        h.release(dgapped);
      }
    }
  }
}

// Across ISAs -------------------------------------------------------------------------

class ReduceIsaBits : public ::testing::TestWithParam<ReduceOp> {};

TEST_P(ReduceIsaBits, SameBitsOnEveryIsa) {
  const ReduceOp op = GetParam();
  const std::vector<std::string> all = available_isas();
  if (all.size() < 2) GTEST_SKIP() << "one ISA only";
  Harness h(2);
  struct Shape {
    std::vector<std::int64_t> shape;
    AxisList axes;
  };
  using V = std::vector<int>;
  const Shape shapes[] = {{{100003}, std::nullopt}, {{37, 1029}, V{1}}, {{1029, 37}, V{0}}, {{5, 203, 7}, V{1}},
                          {{5, 203, 7}, V{0, 2}},   {{3, 17}, V{1}},    {{17, 3}, V{0}},    {{65}, std::nullopt},
                          // reduced dims apart: rows of two dims, runs with dim 0 reduced and kept
                          {{6, 5, 40, 37}, V{0, 2}}, {{6, 5, 40, 37}, V{0, 2, 3}}, {{6, 5, 40, 37}, V{1, 3}}};
  for (DType dt : {DType::kF32, DType::kF16, DType::kBF16, DType::kI32, DType::kF64}) {
    if (!op_supports(op, dt)) continue;
    for (const Shape& s : shapes) {
      if (is_arg_op(op) && s.axes && s.axes->size() > 1) continue;
      const std::vector<bool> mask = reduce_mask(static_cast<int>(s.shape.size()), s.axes);
      std::int64_t len = 1;
      for (std::size_t d = 0; d < s.shape.size(); ++d)
        if (mask[d]) len *= s.shape[d];
      const HostInput in = make_input(op, dt, s.shape, {}, len, 99);
      void* din = h.upload(in.bytes.data(), in.bytes.size());
      const std::vector<std::int64_t> oshape = expected_out_shape(s.shape, mask, false);
      const DType odt = natural_out_dtype(op, dt);
      const std::size_t obytes = static_cast<std::size_t>(product(oshape)) * dtype_size(odt);
      std::vector<unsigned char> first;
      for (const std::string& isa : all) {
        ScopedIsa scoped(isa);
        ASSERT_TRUE(scoped.ok());
        void* out = h.alloc(obytes, 0xCD);
        ops::ReduceOptions o;
        o.axes = to_axes(s.axes);
        ASSERT_OK(ops::reduce(h.stream(), op, Tensor(din, dt, s.shape), Tensor(out, odt, oshape), o))
            << last_error_message();
        ASSERT_OK(h.stream().synchronize()) << last_error_message();
        std::vector<unsigned char> got = h.download(out, obytes);
        h.release(out);
        if (first.empty()) {
          first = std::move(got);
        } else {
          EXPECT_TRUE(got == first) << op_label(op) << " " << dtype_name(dt) << " " << shape_str(s.shape)
                                    << " axes=" << axes_str(s.axes) << ": " << isa << " differs from " << all.front()
                                    << " (" << hex_diff(first, got, dtype_size(odt)) << ")";
        }
      }
      h.release(din);
    }
  }
}

// logsumexp too: its exp is plain FMA-free arithmetic (ops/simd/exp.hpp).
INSTANTIATE_TEST_SUITE_P(Ops, ReduceIsaBits, ::testing::ValuesIn(kAllReduceOps),
                         [](const ::testing::TestParamInfo<ReduceOp>& i) { return std::string(op_label(i.param)); });

}  // namespace
}  // namespace vnpu

namespace vnpu {
namespace {

// Every one of the 65536 f16 and bf16 bit patterns (zeros, subnormals, inf, NaN): converted
// exactly on every ISA (a reduction over no axes is the conversion itself), and summed in
// rows of 32 (the sum family converts as it loads) to the same bits on every ISA.
TEST(ReduceHalfInputs, EveryBitPatternOnEveryIsa) {
  Harness h(2);
  std::vector<std::uint16_t> all(65536);
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = static_cast<std::uint16_t>(i);
  void* din = h.upload(all.data(), all.size() * 2);
  for (DType dt : {DType::kF16, DType::kBF16}) {
    for (ReduceOp op : {ReduceOp::kSum, ReduceOp::kSumSquares, ReduceOp::kL1}) {
      std::vector<unsigned char> first_rows;
      for (const std::string& isa : available_isas()) {
        ScopedIsa scoped(isa);
        ASSERT_TRUE(scoped.ok());
        void* out = h.alloc(65536 * 4, 0xCD);
        ops::ReduceOptions none;
        none.axes = ops::Axes::none();
        ASSERT_OK(ops::reduce(h.stream(), ReduceOp::kSum, Tensor(din, dt, {65536}), Tensor(out, DType::kF32, {65536}),
                              none))
            << last_error_message();
        ASSERT_OK(h.stream().synchronize());
        const std::vector<unsigned char> conv = h.download(out, 65536 * 4);
        for (std::size_t i = 0; i < all.size(); ++i) {
          float got = 0;
          std::memcpy(&got, conv.data() + i * 4, 4);
          const float want = dt == DType::kF16 ? f16_to_f32(all[i]) : bf16_to_f32(all[i]);
          if (std::isnan(want)) {
            ASSERT_TRUE(std::isnan(got)) << isa << " " << dtype_name(dt) << " pattern " << i;
          } else {
            ASSERT_EQ(std::bit_cast<std::uint32_t>(got), std::bit_cast<std::uint32_t>(want))
                << isa << " " << dtype_name(dt) << " pattern " << i;
          }
        }
        ops::ReduceOptions rows;
        rows.axes = {1};
        ASSERT_OK(ops::reduce(h.stream(), op, Tensor(din, dt, {2048, 32}), Tensor(out, DType::kF32, {2048}), rows))
            << last_error_message();
        ASSERT_OK(h.stream().synchronize());
        std::vector<unsigned char> got = h.download(out, 2048 * 4);
        h.release(out);
        if (first_rows.empty()) first_rows = std::move(got);
        else
          EXPECT_TRUE(got == first_rows) << op_label(op) << " " << dtype_name(dt) << ": " << isa << " differs ("
                                         << hex_diff(first_rows, got, 4) << ")";
      }
    }
  }
  h.release(din);
}

}  // namespace
}  // namespace vnpu
