// Error paths of softmax and log_softmax: every status of softmax.hpp from the stream and
// the synchronous form, with a message that says what is wrong; nothing is queued and
// nothing is written on failure.
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "kernel/kernel_support.hpp"
#include "ops/softmax_support.hpp"

namespace vnpu {
namespace {

using namespace vnpu::test;

class SoftmaxErrors : public ::testing::Test {
 protected:
  void SetUp() override {
    h_ = std::make_unique<Harness>(2);
    in_ = static_cast<float*>(h_->alloc(kBytes, 0));
    out_ = static_cast<float*>(h_->alloc(kBytes, 0xCD));
  }

  /// Expects `want` from both ops in both forms, a message holding each of `words`, nothing
  /// queued, and the output buffer untouched.
  void expect_failure(const Tensor& in, const Tensor& out, int axis, Status want, const std::vector<std::string>& words,
                      const std::string& ctx) {
    Stream& s = h_->stream();
    ops::SoftmaxOptions o;
    o.axis = axis;
    for (bool log : {false, true}) {
      const std::string name = std::string(log ? "log_softmax" : "softmax") + " " + ctx;
      const std::uint64_t before = s.submitted();
      const Status a = log ? ops::log_softmax(s, in, out, o) : ops::softmax(s, in, out, o);
      const std::string ma = last_error_message();
      EXPECT_EQ(a, want) << name << " (stream form): " << ma;
      EXPECT_EQ(s.submitted(), before) << name << ": something was queued";
      const Status b = log ? ops::log_softmax(in, out, o) : ops::softmax(in, out, o);
      const std::string mb = last_error_message();
      EXPECT_EQ(b, want) << name << " (synchronous form): " << mb;
      for (const std::string& m : {ma, mb})
        for (const std::string& w : words)
          EXPECT_TRUE(contains_nocase(m, w)) << name << ": message lacks \"" << w << "\": " << m;
    }
    EXPECT_OK(s.synchronize());
    const std::vector<unsigned char> b = h_->download(out_, kBytes);
    for (std::size_t i = 0; i < b.size(); ++i) ASSERT_EQ(b[i], 0xCD) << ctx << ": output byte " << i << " written";
  }

  static constexpr std::size_t kBytes = 4096;
  std::unique_ptr<Harness> h_;
  float* in_ = nullptr;
  float* out_ = nullptr;
};

TEST_F(SoftmaxErrors, InvalidDescriptors) {
  const std::int64_t nine[9] = {1, 1, 1, 1, 1, 1, 1, 1, 2};
  const Tensor bad_rank(in_, DType::kF32, std::span<const std::int64_t>(nine, 9));
  const Tensor neg(in_, DType::kF32, {2, -3});
  const Tensor ok(out_, DType::kF32, {2, 3});
  expect_failure(bad_rank, ok, -1, Status::kInvalidShape, {"input"}, "rank 9 input");
  expect_failure(neg, ok, -1, Status::kInvalidShape, {"input"}, "negative dim");
  expect_failure(Tensor(in_, DType::kF32, {2, 3}), Tensor(out_, DType::kF32, {2, -3}), -1, Status::kInvalidShape,
                 {"output"}, "negative output dim");
}

TEST_F(SoftmaxErrors, RankZero) {
  expect_failure(Tensor(in_, DType::kF32, std::span<const std::int64_t>()),
                 Tensor(out_, DType::kF32, std::span<const std::int64_t>()), 0, Status::kInvalidShape, {"rank 0"},
                 "rank 0");
}

TEST_F(SoftmaxErrors, FreedMemory) {
  // Freed device memory stays reserved in vnpu's cache, so a tensor on it is known stale.
  auto* freed = static_cast<float*>(h_->alloc(kBytes, 0));
  h_->release(freed);
  const Tensor x(in_, DType::kF32, {8, 16}), y(out_, DType::kF32, {8, 16});
  expect_failure(Tensor(freed, DType::kF32, {8, 16}), y, -1, Status::kInvalidPointer, {"input", "use after free"},
                 "freed input");
  expect_failure(x, Tensor(freed + 3, DType::kF32, {8, 16}), -1, Status::kInvalidPointer,
                 {"output", "use after free"}, "inside a freed output");
}

TEST_F(SoftmaxErrors, AxisOutOfRange) {
  const Tensor x(in_, DType::kF32, {2, 3, 4}), y(out_, DType::kF32, {2, 3, 4});
  for (int axis : {3, 4, -4, -100, 1000})
    expect_failure(x, y, axis, Status::kInvalidShape, {"axis", std::to_string(axis)}, "axis " + std::to_string(axis));
}

TEST_F(SoftmaxErrors, ShapesDiffer) {
  const Tensor x(in_, DType::kF32, {2, 3, 4});
  expect_failure(x, Tensor(out_, DType::kF32, {2, 4, 3}), -1, Status::kInvalidShape, {"shape"}, "transposed shape");
  expect_failure(x, Tensor(out_, DType::kF32, {2, 12}), -1, Status::kInvalidShape, {"shape"}, "rank differs");
  expect_failure(x, Tensor(out_, DType::kF32, {2, 3, 5}), -1, Status::kInvalidShape, {"shape"}, "longer axis");
}

TEST_F(SoftmaxErrors, Dtypes) {
  for (DType t : {DType::kI32, DType::kI64, DType::kBool, DType::kF64})  // f64: reductions only
    expect_failure(Tensor(in_, t, {2, 3}), Tensor(out_, t, {2, 3}), -1, Status::kInvalidDtype, {dtype_name(t)},
                   std::string("input ") + dtype_name(t));
  expect_failure(Tensor(in_, static_cast<DType>(77), {2, 3}), Tensor(out_, DType::kF32, {2, 3}), -1,
                 Status::kInvalidDtype, {"dtype"}, "dtype outside the enum");
  for (DType t : {DType::kF16, DType::kBF16, DType::kI32})
    expect_failure(Tensor(in_, DType::kF32, {2, 3}), Tensor(out_, t, {2, 3}), -1, Status::kInvalidDtype,
                   {"output dtype", dtype_name(t)}, std::string("f32 into ") + dtype_name(t));
  expect_failure(Tensor(in_, DType::kF16, {2, 3}), Tensor(out_, DType::kF32, {2, 3}), -1, Status::kInvalidDtype,
                 {"f16"}, "f16 into f32");
}

TEST_F(SoftmaxErrors, NullData) {
  expect_failure(Tensor(static_cast<void*>(nullptr), DType::kF32, {2, 3}), Tensor(out_, DType::kF32, {2, 3}), -1,
                 Status::kInvalidArgument, {"null", "input"}, "null input");
  const Tensor x(in_, DType::kF32, {2, 3});
  Stream& s = h_->stream();
  EXPECT_EQ(ops::softmax(s, x, Tensor(static_cast<void*>(nullptr), DType::kF32, {2, 3})), Status::kInvalidArgument);
  EXPECT_TRUE(contains_nocase(last_error_message(), "output")) << last_error_message();
}

TEST_F(SoftmaxErrors, ViewsOutsideTheirAllocation) {
  const std::int64_t n = kBytes / 4;
  // Reaching one element past the end, and before the start through a negative stride.
  expect_failure(Tensor(in_ + 1, DType::kF32, {n}), Tensor(out_, DType::kF32, {n}), 0, Status::kOutOfRange,
                 {"input", "allocation"}, "input past the end");
  expect_failure(Tensor(in_, DType::kF32, {2, 8}, {-8, 1}), Tensor(out_, DType::kF32, {2, 8}), -1,
                 Status::kOutOfRange, {"input"}, "input before the start");
  auto* o2 = static_cast<float*>(h_->alloc(64, 0xCD));
  expect_failure(Tensor(in_, DType::kF32, {4, 8}), Tensor(o2, DType::kF32, {4, 8}), -1, Status::kOutOfRange,
                 {"output"}, "output too small");
}

TEST_F(SoftmaxErrors, PartialOverlap) {
  // The output is the input shifted by one element, or the same memory with other strides.
  auto* buf = static_cast<float*>(h_->alloc(kBytes, 0));
  const Tensor x(buf, DType::kF32, {4, 8});
  expect_failure(x, Tensor(buf + 1, DType::kF32, {4, 8}), -1, Status::kInvalidArgument, {"overlap"}, "shifted");
  expect_failure(x, Tensor(buf, DType::kF32, {4, 8}, {1, 4}), -1, Status::kInvalidArgument, {"overlap"},
                 "transposed in place");
  expect_failure(Tensor(out_, DType::kF32, {4, 8}), Tensor(out_ + 4, DType::kF32, {4, 8}), -1,
                 Status::kInvalidArgument, {"overlap"}, "overlapping the output buffer");
}

TEST_F(SoftmaxErrors, BroadcastOutput) {
  // Several results would land on one output element. A broadcast input is fine.
  expect_failure(Tensor(in_, DType::kF32, {4, 8}), Tensor(out_, DType::kF32, {4, 8}, {0, 1}), -1,
                 Status::kInvalidArgument, {"stride 0"}, "output rows broadcast");
  expect_failure(Tensor(in_, DType::kF32, {4, 8}), Tensor(out_, DType::kF32, {4, 8}, {8, 0}), 0,
                 Status::kInvalidArgument, {"stride 0"}, "output axis broadcast");
}

TEST_F(SoftmaxErrors, EmptyStreamHandle) {
  const Tensor x(in_, DType::kF32, {2, 3}), y(out_, DType::kF32, {2, 3});
  EXPECT_EQ(ops::softmax(Stream(), x, y), Status::kInvalidHandle);
  EXPECT_EQ(ops::log_softmax(Stream(), x, y), Status::kInvalidHandle);
}

}  // namespace
}  // namespace vnpu
