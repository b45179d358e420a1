// Error paths of the reductions: every check of reduce.hpp gives its status from
// reduce_output_shape (where it applies), the asynchronous and the synchronous form, with
// a message that says what is wrong, and nothing is queued on failure.
#include <climits>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "kernel/kernel_support.hpp"
#include "ops/reduce_support.hpp"

namespace vnpu {
namespace {

using namespace vnpu::test;

ops::ReduceOptions with(AxisList axes, bool keep_dims = false, double correction = 1.0) {
  ops::ReduceOptions o;
  o.axes = to_axes(axes);
  o.keep_dims = keep_dims;
  o.correction = correction;
  return o;
}

class ReduceErrors : public ::testing::Test {
 protected:
  void SetUp() override {
    h_ = std::make_unique<Harness>(2);
    in_ = static_cast<float*>(h_->alloc(kIn * 4, 0));
    out_ = static_cast<float*>(h_->alloc(kOut * 8, 0));
  }

  /// Expects `want` from the asynchronous form (nothing queued), the synchronous form and,
  /// when `shape_check`, from reduce_output_shape; every message must contain each of
  /// `words` (case-insensitive).
  void expect_failure(ReduceOp op, const Tensor& in, const Tensor& out, const ops::ReduceOptions& o, Status want,
                      const std::vector<std::string>& words, bool shape_check, const std::string& ctx) {
    Stream& s = h_->stream();
    const std::uint64_t before = s.submitted();
    const Status a = ops::reduce(s, op, in, out, o);
    const std::string ma = last_error_message();
    EXPECT_EQ(a, want) << ctx << " (stream form): " << ma;
    EXPECT_EQ(s.submitted(), before) << ctx << ": something was queued";
    const Status b = ops::reduce(op, in, out, o);
    const std::string mb = last_error_message();
    EXPECT_EQ(b, want) << ctx << " (synchronous form): " << mb;
    std::vector<std::pair<std::string, std::string>> msgs = {{"stream", ma}, {"sync", mb}};
    if (shape_check) {
      const Status c = ops::reduce_output_shape(op, in, o).status();
      const std::string mc = last_error_message();
      EXPECT_EQ(c, want) << ctx << " (reduce_output_shape): " << mc;
      msgs.emplace_back("reduce_output_shape", mc);
    }
    for (const auto& [form, m] : msgs) {
      EXPECT_FALSE(m.empty()) << ctx << " (" << form << "): no message";
      for (const std::string& w : words)
        EXPECT_TRUE(contains_nocase(m, w)) << ctx << " (" << form << "): message lacks \"" << w << "\": " << m;
    }
    EXPECT_OK(s.synchronize());
  }

  static constexpr std::int64_t kIn = 4096;
  static constexpr std::int64_t kOut = 4096;
  std::unique_ptr<Harness> h_;
  float* in_ = nullptr;
  float* out_ = nullptr;
};

TEST_F(ReduceErrors, RepeatedAxis) {
  const Tensor x(in_, DType::kF32, {3, 4});
  const Tensor y(out_, DType::kF32, {3});
  using V = std::vector<int>;
  for (const V& axes : {V{0, 0}, V{1, -1}, V{-2, 0}, V{1, 0, 1}}) {
    for (ReduceOp op : {ReduceOp::kSum, ReduceOp::kMax, ReduceOp::kVar}) {
      expect_failure(op, x, y, with(axes), Status::kInvalidShape, {"axis"}, true,
                     std::string(op_label(op)) + " axes " + axes_str(axes));
    }
  }
}

TEST_F(ReduceErrors, AxisOutOfRange) {
  const Tensor x(in_, DType::kF32, {3, 4});
  const Tensor y(out_, DType::kF32, {3});
  for (int axis : {2, -3, 100, INT_MIN, INT_MAX}) {
    expect_failure(ReduceOp::kSum, x, y, with(std::vector<int>{axis}), Status::kInvalidShape,
                   {"axis", std::to_string(axis)}, true, "axis " + std::to_string(axis));
  }
  expect_failure(ReduceOp::kArgMax, x, Tensor(out_, DType::kI64, {3}), with(std::vector<int>{5}), Status::kInvalidShape,
                 {"axis"}, true, "argmax axis 5");
  // Rank 0 has no axis 0.
  const Tensor s(in_, DType::kF32, std::span<const std::int64_t>{});
  expect_failure(ReduceOp::kSum, s, s, with(std::vector<int>{0}), Status::kInvalidShape, {"axis"}, true, "rank 0, axis 0");
}

TEST_F(ReduceErrors, WrongOutputShape) {
  const Tensor x(in_, DType::kF32, {3, 4});
  struct Case {
    std::vector<std::int64_t> out;
    bool keep;
  };
  // Reducing axis 1 gives [3] (or [3, 1] with keep_dims).
  const Case cases[] = {{{4}, false}, {{3, 1}, false}, {{}, false}, {{1, 3}, false}, {{3}, true}, {{3, 4}, false},
                        {{3, 1, 1}, true}, {{2}, false}};
  for (const Case& c : cases) {
    const Tensor y(out_, DType::kF32, c.out);
    expect_failure(ReduceOp::kSum, x, y, with(std::vector<int>{1}, c.keep), Status::kInvalidShape, {"shape"}, false,
                   "out " + shape_str(c.out) + " keep_dims=" + std::to_string(c.keep));
  }
  // A full reduction writes a rank-0 tensor; [1] is not the same shape.
  expect_failure(ReduceOp::kSum, x, Tensor(out_, DType::kF32, {1}), with(std::nullopt), Status::kInvalidShape,
                 {"shape"}, false, "full reduction into [1]");
}

TEST_F(ReduceErrors, WrongOutputDtype) {
  struct Case {
    ReduceOp op;
    DType in, out;
  };
  const Case cases[] = {
      {ReduceOp::kSum, DType::kF32, DType::kI32},    {ReduceOp::kSum, DType::kF32, DType::kF16},
      {ReduceOp::kSum, DType::kF32, DType::kBF16},   {ReduceOp::kSum, DType::kF32, DType::kI64},
      {ReduceOp::kMean, DType::kF32, DType::kBool},  {ReduceOp::kSum, DType::kF16, DType::kBF16},
      {ReduceOp::kMax, DType::kBF16, DType::kF16},   {ReduceOp::kSum, DType::kI32, DType::kF32},
      {ReduceOp::kSum, DType::kI32, DType::kI64},    {ReduceOp::kArgMax, DType::kF32, DType::kF32},
      {ReduceOp::kArgMin, DType::kF32, DType::kI32}, {ReduceOp::kArgMax, DType::kI32, DType::kI32},
      {ReduceOp::kAll, DType::kF32, DType::kF32},    {ReduceOp::kAny, DType::kI32, DType::kI32},
      {ReduceOp::kVar, DType::kF16, DType::kI64},
  };
  for (const Case& c : cases) {
    const Tensor x(in_, c.in, {3, 4});
    const Tensor y(out_, c.out, {3});
    expect_failure(c.op, x, y, with(std::vector<int>{1}), Status::kInvalidDtype, {dtype_name(c.out)}, false,
                   std::string(op_label(c.op)) + " " + dtype_name(c.in) + " -> " + dtype_name(c.out));
  }
}

TEST_F(ReduceErrors, UnsupportedInputDtype) {
  for (ReduceOp op : kAllReduceOps) {
    for (DType in : {DType::kI32, DType::kI64, DType::kBool, static_cast<DType>(77)}) {
      if (op_supports(op, in)) continue;
      const Tensor x(in_, in, {3, 4});
      const DType out = in == DType::kI64 || in == DType::kBool || !is_valid(in) ? DType::kF32 : in;
      const Tensor y(out_, is_arg_op(op) ? DType::kI64 : out, {3});
      const std::vector<std::string> words =
          is_valid(in) ? std::vector<std::string>{dtype_name(in)} : std::vector<std::string>{};
      expect_failure(op, x, y, with(std::vector<int>{1}), Status::kInvalidDtype, words, true,
                     std::string(op_label(op)) + " of " + dtype_name(in));
    }
  }
}

TEST_F(ReduceErrors, NullDataWithElements) {
  const Tensor x(in_, DType::kF32, {3, 4});
  const Tensor y(out_, DType::kF32, {3});
  const Tensor null_in(static_cast<void*>(nullptr), DType::kF32, {3, 4});
  const Tensor null_out(static_cast<void*>(nullptr), DType::kF32, {3});
  expect_failure(ReduceOp::kSum, null_in, y, with(std::vector<int>{1}), Status::kInvalidArgument, {}, false, "null input");
  expect_failure(ReduceOp::kSum, x, null_out, with(std::vector<int>{1}), Status::kInvalidArgument, {}, false,
                 "null output");
}

TEST_F(ReduceErrors, NullDataWithoutElementsIsFine) {
  // An empty input may be null: the sum of nothing is 0.
  const Tensor empty(static_cast<void*>(nullptr), DType::kF32, {0});
  out_[0] = 5.0f;
  ASSERT_OK(ops::reduce(h_->stream(), ReduceOp::kSum, empty, Tensor(out_, DType::kF32, std::span<const std::int64_t>{})))
      << last_error_message();
  ASSERT_OK(h_->stream().synchronize());
  EXPECT_EQ(out_[0], 0.0f);
  // An empty output may be null too: [0, 3] reduced over axis 1 is [0].
  ASSERT_OK(ops::reduce(h_->stream(), ReduceOp::kMax, Tensor(in_, DType::kF32, {0, 3}),
                        Tensor(static_cast<void*>(nullptr), DType::kF32, {0}), with(std::vector<int>{1})))
      << last_error_message();
  ASSERT_OK(h_->stream().synchronize());
}

TEST_F(ReduceErrors, InvalidTensorDescriptor) {
  const std::vector<std::int64_t> rank9 = {1, 1, 1, 1, 1, 1, 1, 1, 2};
  const Tensor t9(in_, DType::kF32, rank9);
  EXPECT_FALSE(t9.valid());
  EXPECT_GT(std::strlen(t9.invalid_reason()), 0u);
  const Tensor neg(in_, DType::kF32, {3, -1});
  EXPECT_FALSE(neg.valid());
  const std::vector<std::int64_t> shape2 = {3, 4}, strides1 = {1};
  const Tensor mismatch(in_, DType::kF32, shape2, strides1);
  EXPECT_FALSE(mismatch.valid());
  const Tensor scalar(out_, DType::kF32, std::span<const std::int64_t>{});
  expect_failure(ReduceOp::kSum, t9, scalar, with(std::nullopt), Status::kInvalidShape, {"rank"}, true, "rank 9 input");
  expect_failure(ReduceOp::kSum, neg, scalar, with(std::nullopt), Status::kInvalidShape, {}, true, "negative dim");
  expect_failure(ReduceOp::kSum, mismatch, scalar, with(std::nullopt), Status::kInvalidShape, {}, true,
                 "shape/stride ranks differ");
  // An invalid output descriptor.
  const Tensor x(in_, DType::kF32, {3, 4});
  expect_failure(ReduceOp::kSum, x, Tensor(out_, DType::kF32, {-3}), with(std::vector<int>{1}), Status::kInvalidShape,
                 {}, false, "negative output dim");
  expect_failure(ReduceOp::kSum, Tensor(in_, DType::kF32, rank9), Tensor(out_, DType::kF32, rank9),
                 with(std::vector<int>{}), Status::kInvalidShape, {"rank"}, false, "rank 9 in and out");
}

TEST_F(ReduceErrors, AnOutputWhoseByteSizeOverflows) {
  // f16 [2^61, 1] spans 2^62 bytes; its argmax over axis 1 would be 2^61 i64, 2^64 bytes.
  const Tensor x(in_, DType::kF16, {std::int64_t{1} << 61, 1});
  ASSERT_TRUE(x.valid()) << x.invalid_reason();
  for (bool keep : {false, true}) {
    const Status s = ops::reduce_output_shape(ReduceOp::kArgMax, x, with(std::vector<int>{1}, keep)).status();
    EXPECT_EQ(s, Status::kInvalidShape);
    const std::string m = last_error_message();
    EXPECT_TRUE(contains_nocase(m, keep ? "[2305843009213693952, 1] of i64" : "[2305843009213693952] of i64")) << m;
  }
  // The same count of bytes fits when the output is as narrow as the input.
  EXPECT_TRUE(ops::reduce_output_shape(ReduceOp::kSum, x, with(std::vector<int>{1})).has_value())
      << last_error_message();
}

TEST_F(ReduceErrors, ViewReachingPastItsAllocation) {
  // A 100-float allocation of its own, so that nothing follows it.
  auto* buf = static_cast<float*>(h_->alloc(100 * 4, 0));
  const Tensor y(out_, DType::kF32, std::span<const std::int64_t>{});
  struct Case {
    float* data;
    std::vector<std::int64_t> shape, strides;
    const char* what;
  };
  const Case bad[] = {
      {buf, {101}, {1}, "one element too many"},
      {buf + 99, {2}, {1}, "starts at the last element"},
      {buf, {10, 10}, {11, 1}, "row pitch 11"},
      {buf, {2}, {-1}, "negative stride before the start"},
      {buf + 50, {52}, {-1}, "reversed, one too many"},
      {buf, {50, 2}, {2, 100}, "large inner stride"},
  };
  for (const Case& c : bad) {
    const Tensor x(c.data, DType::kF32, c.shape, c.strides);
    expect_failure(ReduceOp::kSum, x, y, with(std::nullopt), Status::kOutOfRange, {}, false, c.what);
  }
  // The same views that fit run.
  const Case good[] = {
      {buf, {100}, {1}, "all of it"},
      {buf + 99, {1}, {1}, "the last element"},
      {buf + 99, {100}, {-1}, "reversed"},
      {buf, {10, 10}, {10, 1}, "[10, 10]"},
      {buf, {5, 20}, {1, 5}, "transposed"},
      {buf + 99, {10, 10}, {-10, -1}, "both reversed"},
      {buf, {1000, 100}, {0, 1}, "broadcast rows"},
  };
  for (const Case& c : good) {
    const Tensor x(c.data, DType::kF32, c.shape, c.strides);
    EXPECT_OK(ops::reduce(h_->stream(), ReduceOp::kSum, x, y)) << c.what << ": " << last_error_message();
    EXPECT_OK(h_->stream().synchronize()) << c.what;
  }
  // An output view past its allocation.
  auto* small = static_cast<float*>(h_->alloc(3 * 4, 0));  // 64 bytes are allocated
  const Tensor x(in_, DType::kF32, {17, 4});
  expect_failure(ReduceOp::kSum, x, Tensor(small, DType::kF32, {17}, {1}), with(std::vector<int>{1}),
                 Status::kOutOfRange, {}, false, "output of 17 floats in 64 bytes");
  expect_failure(ReduceOp::kSum, x, Tensor(small + 15, DType::kF32, {17}, {-1}), with(std::vector<int>{1}),
                 Status::kOutOfRange, {}, false, "reversed output before its allocation");
}

TEST_F(ReduceErrors, FreedMemory) {
  // Freed device memory stays reserved in vnpu's cache, so a tensor on it is known stale.
  auto* freed = static_cast<float*>(h_->alloc(64 * 4, 0));
  h_->release(freed);
  const Tensor x(in_, DType::kF32, {4, 16});
  const Tensor y(out_, DType::kF32, {4});
  expect_failure(ReduceOp::kSum, Tensor(freed, DType::kF32, {4, 16}), y, with(std::vector<int>{1}),
                 Status::kInvalidPointer, {"input", "use after free"}, false, "freed input");
  expect_failure(ReduceOp::kMax, Tensor(freed + 5, DType::kF32, {4, 4}), y, with(std::vector<int>{1}),
                 Status::kInvalidPointer, {"input", "use after free"}, false, "inside a freed input");
  expect_failure(ReduceOp::kSum, x, Tensor(freed + 1, DType::kF32, {4}), with(std::vector<int>{1}),
                 Status::kInvalidPointer, {"output", "use after free"}, false, "freed output");
}

TEST_F(ReduceErrors, OutputOverlappingInput) {
  const Tensor x(in_, DType::kF32, {4, 4});
  expect_failure(ReduceOp::kSum, x, Tensor(in_, DType::kF32, {4}), with(std::vector<int>{1}), Status::kInvalidArgument,
                 {}, false, "out at the input's start");
  expect_failure(ReduceOp::kSum, x, Tensor(in_ + 15, DType::kF32, {4}), with(std::vector<int>{1}),
                 Status::kInvalidArgument, {}, false, "out over the input's last element");
  // Adjacent but not overlapping is fine.
  EXPECT_OK(ops::reduce(h_->stream(), ReduceOp::kSum, x, Tensor(in_ + 16, DType::kF32, {4}), with(std::vector<int>{1})))
      << last_error_message();
  EXPECT_OK(h_->stream().synchronize());
}

TEST_F(ReduceErrors, UnknownOp) {
  const Tensor x(in_, DType::kF32, {3, 4});
  expect_failure(static_cast<ReduceOp>(99), x, Tensor(out_, DType::kF32, {3}), with(std::vector<int>{1}),
                 Status::kInvalidArgument, {}, true, "op 99");
}

TEST_F(ReduceErrors, BadCorrection) {
  const Tensor x(in_, DType::kF32, {3, 4});
  const Tensor y(out_, DType::kF32, {3});
  for (double c : {-1.0, -1e-9, std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity()}) {
    for (ReduceOp op : {ReduceOp::kVar, ReduceOp::kStd}) {
      expect_failure(op, x, y, with(std::vector<int>{1}, false, c), Status::kInvalidArgument, {"correction"}, true,
                     std::string(op_label(op)) + " correction " + std::to_string(c));
    }
  }
}

TEST_F(ReduceErrors, ArgReductionOfAnEmptyAxis) {
  for (ReduceOp op : {ReduceOp::kArgMax, ReduceOp::kArgMin}) {
    expect_failure(op, Tensor(in_, DType::kF32, {0}), Tensor(out_, DType::kI64, std::span<const std::int64_t>{}),
                   with(std::nullopt), Status::kInvalidShape, {}, true, std::string(op_label(op)) + " of [0]");
    expect_failure(op, Tensor(in_, DType::kF32, {3, 0}), Tensor(out_, DType::kI64, {3}), with(std::vector<int>{1}),
                   Status::kInvalidShape, {}, true, std::string(op_label(op)) + " of [3, 0] axis 1");
  }
}

TEST_F(ReduceErrors, EmptyStreamHandle) {
  const Tensor x(in_, DType::kF32, {3, 4});
  EXPECT_EQ(ops::reduce(Stream{}, ReduceOp::kSum, x, Tensor(out_, DType::kF32, {3}), with(std::vector<int>{1})),
            Status::kInvalidHandle);
  EXPECT_GT(std::strlen(last_error_message()), 0u);
}

TEST_F(ReduceErrors, MessageIsClearedBySuccess) {
  const Tensor x(in_, DType::kF32, {3, 4});
  const Tensor y(out_, DType::kF32, {3});
  EXPECT_EQ(ops::reduce(h_->stream(), ReduceOp::kSum, x, y, with(std::vector<int>{7})), Status::kInvalidShape);
  EXPECT_GT(std::strlen(last_error_message()), 0u);
  EXPECT_OK(ops::reduce(h_->stream(), ReduceOp::kSum, x, y, with(std::vector<int>{1})));
  EXPECT_STREQ(last_error_message(), "");
  EXPECT_OK(h_->stream().synchronize());
}

}  // namespace
}  // namespace vnpu
