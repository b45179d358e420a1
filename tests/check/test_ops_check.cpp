// Checked mode and the operators: every op declares the bytes of the tensors it reads and
// writes (strided views as the ranges they cover), in its asynchronous and synchronous
// forms, so unordered ops on several streams are found and ordered ones are not.
#include <gtest/gtest.h>

#include <cstdint>
#include <set>
#include <thread>
#include <vector>

#include "check/check_fixture.hpp"
#include "ops/driver.hpp"
#include "vnpu/ops/norm.hpp"
#include "vnpu/ops/reduce.hpp"
#include "vnpu/ops/softmax.hpp"

namespace vnpu {
namespace {

using checker::Finding;
using checker::Kind;
using ops::ReduceOp;

constexpr std::int64_t kRows = 16, kCols = 64;  // 4096 bytes of f32

class OpsCheck : public test::CheckFixture {
 protected:
  Tensor matrix(void* p) const { return Tensor(p, DType::kF32, {kRows, kCols}); }
  Tensor row_sums(void* p) const { return Tensor(p, DType::kF32, {kRows}); }
};

// Waits until `s` has run what was submitted, by its counter: an order the sanitizers see
// and the checker does not, so these faulty programs do not really race.
void let_it_finish(const Stream& s) {
  while (s.completed() < s.submitted()) std::this_thread::yield();
}

std::uintptr_t addr(const void* p) { return reinterpret_cast<std::uintptr_t>(p); }

// --- mistakes ---------------------------------------------------------------------------

TEST_F(OpsCheck, AReductionReadingWhatACopyOnAnotherStreamWrites) {
  ASSERT_OK(a_.memcpy_async(x_, kBytes, host_, kBytes));
  let_it_finish(a_);
  ASSERT_OK(ops::reduce(b_, ReduceOp::kSum, matrix(x_), row_sums(y_), {.axes = {1}}));
  const std::vector<Finding> f = of_kind(Kind::kReadAfterWrite);
  ASSERT_EQ(f.size(), 1u) << text();
  EXPECT_EQ(f[0].lo, addr(x_));
  EXPECT_EQ(f[0].hi, addr(x_) + kBytes);
  EXPECT_NE(f[0].second.what.find("reduce_sum"), std::string::npos) << text();
  EXPECT_NE(f[0].second.submitted_by.find("reduce_sum"), std::string::npos) << text();
  EXPECT_EQ(checker::findings().size(), 1u) << text();
}

TEST_F(OpsCheck, ASoftmaxOutputReducedOnAnotherStreamWithoutAnEvent) {
  ASSERT_OK(ops::softmax(a_, matrix(x_), matrix(y_)));
  let_it_finish(a_);
  ASSERT_OK(ops::reduce(b_, ReduceOp::kMax, matrix(y_), row_sums(x_), {.axes = {1}}));
  // b reads y while a writes it, and b writes x while a still reads it.
  EXPECT_EQ(kinds(), (std::multiset<Kind>{Kind::kReadAfterWrite, Kind::kWriteAfterRead})) << text();
}

TEST_F(OpsCheck, TheHostReadsANormsOutputBeforeSynchronize) {
  ASSERT_OK(ops::layer_norm(a_, matrix(x_), matrix(y_)));
  let_it_finish(a_);
  std::vector<unsigned char> out(kBytes);
  ASSERT_OK(vnpu::memcpy(out.data(), kBytes, y_, kBytes));
  EXPECT_EQ(kinds(), std::multiset<Kind>{Kind::kReadAfterWrite}) << text();
}

TEST_F(OpsCheck, ASynchronousOpIsOrderedAfterTheDefaultStreamOnly) {
  ASSERT_OK(a_.memcpy_async(x_, kBytes, host_, kBytes));  // a is not the default stream
  let_it_finish(a_);
  ASSERT_OK(ops::reduce(ReduceOp::kSum, matrix(x_), row_sums(y_), {.axes = {1}}));
  const std::vector<Finding> f = of_kind(Kind::kReadAfterWrite);
  ASSERT_EQ(f.size(), 1u) << text();
  EXPECT_NE(f[0].second.where.find("host thread"), std::string::npos) << text();
}

TEST_F(OpsCheck, TwoSoftmaxesWritingOneBufferFromTwoStreams) {
  ASSERT_OK(ops::softmax(a_, matrix(x_), matrix(y_)));
  let_it_finish(a_);
  ASSERT_OK(ops::log_softmax(b_, matrix(x_), matrix(y_)));
  EXPECT_EQ(kinds(), std::multiset<Kind>{Kind::kWriteAfterWrite}) << text();
}

TEST_F(OpsCheck, TrainingBatchNormsUpdatingTheSameRunningStatistics) {
  float* stats = static_cast<float*>(y_);
  const Tensor x(x_, DType::kF32, {4, 8, 32});  // N, C, L
  const Tensor mean(stats, DType::kF32, {8}), var(stats + 8, DType::kF32, {8});
  void* y1 = dev_.malloc(kBytes).value();
  void* y2 = dev_.malloc(kBytes).value();
  ASSERT_OK(dev_.synchronize());
  ASSERT_OK(a_.memset_async(y_, kBytes, 0, 64 * sizeof(float)));
  ASSERT_OK(a_.synchronize());
  ops::BatchNormOptions o;
  o.training = true;
  o.running_mean = mean;
  o.running_var = var;
  ASSERT_OK(ops::batch_norm(a_, x, Tensor(y1, DType::kF32, {4, 8, 32}), o));
  let_it_finish(a_);
  ASSERT_OK(ops::batch_norm(b_, x, Tensor(y2, DType::kF32, {4, 8, 32}), o));
  const std::vector<Finding> f = of_kind(Kind::kWriteAfterWrite);
  ASSERT_EQ(f.size(), 1u) << text();
  // running_mean's bytes; running_var's conflict folds into the same finding.
  EXPECT_EQ(f[0].lo, addr(stats));
  EXPECT_EQ(f[0].hi, addr(stats + 8));
  EXPECT_EQ(f[0].count, 2u);
  ASSERT_OK(dev_.synchronize());
  (void)vnpu::free(y1);
  (void)vnpu::free(y2);
}

TEST_F(OpsCheck, FreeingAnInputWhileAnOpStillReadsIt) {
  void* in = dev_.malloc(kBytes).value();
  ASSERT_OK(dev_.synchronize());
  ASSERT_OK(ops::reduce(a_, ReduceOp::kSum, matrix(in), row_sums(y_), {.axes = {1}}));
  ASSERT_OK(a_.synchronize());  // really done: the free below is only unordered for b
  checker::clear_findings();
  ASSERT_OK(ops::reduce(b_, ReduceOp::kSum, matrix(in), row_sums(x_), {.axes = {1}}));
  let_it_finish(b_);
  ASSERT_OK(vnpu::free(in));
  EXPECT_EQ(kinds(), std::multiset<Kind>{Kind::kUseAfterFree}) << text();
}

TEST_F(OpsCheck, StridedOutputsThatShareElementsRace) {
  // Two reductions write every other element of y: the same ones.
  const Tensor even(y_, DType::kF32, {kRows}, {2});
  ASSERT_OK(ops::reduce(a_, ReduceOp::kSum, matrix(x_), even, {.axes = {1}}));
  let_it_finish(a_);
  ASSERT_OK(ops::reduce(b_, ReduceOp::kMax, matrix(x_), even, {.axes = {1}}));
  EXPECT_EQ(kinds(), std::multiset<Kind>{Kind::kWriteAfterWrite}) << text();
}

// --- correct programs -------------------------------------------------------------------

TEST_F(OpsCheck, StridedOutputsOfDisjointElementsDoNotRace) {
  // Even and odd elements of y: interleaved, never the same bytes.
  const Tensor even(y_, DType::kF32, {kRows}, {2});
  const Tensor odd(static_cast<float*>(y_) + 1, DType::kF32, {kRows}, {2});
  ASSERT_OK(ops::reduce(a_, ReduceOp::kSum, matrix(x_), even, {.axes = {1}}));
  ASSERT_OK(ops::reduce(b_, ReduceOp::kMax, matrix(x_), odd, {.axes = {1}}));
  EXPECT_TRUE(checker::findings().empty()) << text();
}

TEST_F(OpsCheck, ColumnsOfOneMatrixNormalizedOnTwoStreams) {
  // softmax over the rows of the left and right halves: strided views, disjoint bytes.
  const Tensor left(x_, DType::kF32, {kRows, kCols / 2}, {kCols, 1});
  const Tensor right(static_cast<float*>(x_) + kCols / 2, DType::kF32, {kRows, kCols / 2}, {kCols, 1});
  ASSERT_OK(ops::softmax(a_, left, left));
  ASSERT_OK(ops::softmax(b_, right, right));
  EXPECT_TRUE(checker::findings().empty()) << text();
}

TEST_F(OpsCheck, OpsOnSeveralStreamsJoinedByEvents) {
  Event copied = Event::create().value(), reduced = Event::create().value(), normed = Event::create().value();
  void* z = dev_.malloc(kBytes).value();
  ASSERT_OK(dev_.synchronize());
  ASSERT_OK(a_.memcpy_async(x_, kBytes, host_, kBytes));
  ASSERT_OK(a_.record(copied));
  ASSERT_OK(b_.wait(copied));
  ASSERT_OK(c_.wait(copied));
  ASSERT_OK(ops::reduce(b_, ReduceOp::kSum, matrix(x_), row_sums(y_), {.axes = {1}}));
  ASSERT_OK(b_.record(reduced));
  ASSERT_OK(ops::rms_norm(c_, matrix(x_), matrix(z)));
  ASSERT_OK(c_.record(normed));
  ASSERT_OK(a_.wait(reduced));
  ASSERT_OK(a_.wait(normed));
  ASSERT_OK(ops::softmax(a_, matrix(z), matrix(x_)));  // x rewritten after both readers
  ASSERT_OK(a_.memcpy_async(host_, kBytes, x_, kBytes));
  ASSERT_OK(a_.synchronize());
  std::vector<unsigned char> out(kBytes);
  ASSERT_OK(vnpu::memcpy(out.data(), kBytes, host_, kBytes));
  ASSERT_OK(vnpu::free(z));
  EXPECT_TRUE(checker::findings().empty()) << text();
}

TEST_F(OpsCheck, SynchronousOpsAfterTheirInputsAreReady) {
  ASSERT_OK(vnpu::memcpy(x_, kBytes, host_, kBytes));
  ASSERT_OK(ops::softmax(matrix(x_), matrix(y_)));
  ASSERT_OK(ops::reduce(ReduceOp::kSum, matrix(y_), row_sums(x_), {.axes = {1}}));
  ops::GroupNormOptions g;
  g.groups = 4;
  ASSERT_OK(ops::group_norm(Tensor(y_, DType::kF32, {2, 8, 64}), Tensor(x_, DType::kF32, {2, 8, 64}), g));
  std::vector<unsigned char> out(kBytes);
  ASSERT_OK(vnpu::memcpy(out.data(), kBytes, x_, kBytes));
  EXPECT_TRUE(checker::findings().empty()) << text();
}

TEST_F(OpsCheck, ASynchronousOpAfterAnAsynchronousOneOnTheDefaultStream) {
  Stream d = dev_.default_stream();
  ASSERT_OK(ops::softmax(d, matrix(x_), matrix(y_)));
  ASSERT_OK(ops::reduce(ReduceOp::kSum, matrix(y_), row_sums(x_), {.axes = {1}}));  // waits for d
  EXPECT_TRUE(checker::findings().empty()) << text();
}

TEST_F(OpsCheck, LargeOpsWhoseBlocksMeetAtBarriers) {
  // Big enough for multi-block plans (cooperative blocks in the synchronous forms too).
  const std::int64_t rows = 64, cols = 65536;
  const std::size_t bytes = static_cast<std::size_t>(rows * cols) * sizeof(float);
  void* in = dev_.malloc(bytes).value();
  void* out = dev_.malloc(bytes).value();
  ASSERT_OK(dev_.synchronize());
  ASSERT_OK(vnpu::memset(in, bytes, 0, bytes));
  const Tensor tin(in, DType::kF32, {rows, cols}), tout(out, DType::kF32, {rows, cols});
  ASSERT_OK(ops::softmax(tin, tout));
  ASSERT_OK(ops::layer_norm(tout, tin));
  ASSERT_OK(ops::reduce(ReduceOp::kSum, tin, Tensor(out, DType::kF32, {rows}), {.axes = {1}}));
  ASSERT_OK(ops::softmax(a_, tin, tout));
  ASSERT_OK(a_.synchronize());
  ASSERT_OK(vnpu::free(in));
  ASSERT_OK(vnpu::free(out));
  EXPECT_TRUE(checker::findings().empty()) << text();
}

// --- the ranges an operand declares -------------------------------------------------------

std::vector<Access> ranges(const Tensor& t) {
  std::vector<Access> out;
  ops::detail::append_accesses(
      {t.data(), dtype_size(t.dtype()), t.rank(), t.shape().data(), t.strides().data(), AccessMode::kRead}, &out);
  return out;
}

TEST(OpsCheckRanges, AContiguousTensorIsOneRange) {
  alignas(64) static float buf[64];
  const std::vector<Access> r = ranges(Tensor(buf, DType::kF32, {4, 16}));
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].ptr, buf);
  EXPECT_EQ(r[0].bytes, sizeof buf);
}

TEST(OpsCheckRanges, AColumnIsOneRangePerElementAndReversedViewsCoverTheirBytes) {
  alignas(64) static float buf[64];
  std::vector<Access> r = ranges(Tensor(buf + 3, DType::kF32, {4}, {16}));
  ASSERT_EQ(r.size(), 4u);
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(r[i].ptr, buf + 3 + 16 * i);
    EXPECT_EQ(r[i].bytes, sizeof(float));
  }
  // Rows reversed: data points at the last row; the rows are still whole and adjacent.
  r = ranges(Tensor(buf + 48, DType::kF32, {4, 16}, {-16, 1}));
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].ptr, buf);
  EXPECT_EQ(r[0].bytes, sizeof buf);
  // A broadcast row: the same 16 floats four times, declared once.
  r = ranges(Tensor(buf, DType::kF32, {4, 16}, {0, 1}));
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].bytes, 16 * sizeof(float));
}

TEST(OpsCheckRanges, ManyRunsAreDeclaredByTheirExtent) {
  static std::vector<float> buf(2 * (ops::detail::kMaxDeclaredRuns + 8));
  const auto n = static_cast<std::int64_t>(ops::detail::kMaxDeclaredRuns + 8);
  const std::vector<Access> r = ranges(Tensor(buf.data(), DType::kF32, {n}, {2}));
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].ptr, buf.data());
  EXPECT_EQ(r[0].bytes, static_cast<std::size_t>(2 * n - 1) * sizeof(float));
}

}  // namespace
}  // namespace vnpu
