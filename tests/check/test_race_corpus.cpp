// Checked mode, more programs: ordering mistakes of everyday stream code, each reported
// with its kind, and the correct versions of the same patterns with no finding.
#include <gtest/gtest.h>

#include <array>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "check/check_fixture.hpp"

namespace vnpu {
namespace {

using checker::Finding;
using checker::Kind;

// Kernels here are all named "k".
class Corpus : public test::CheckFixture {
 protected:
  Status kernel(Stream& s, const void* in, void* out) { return CheckFixture::kernel(s, "k", in, out); }
};

// --- mistakes -------------------------------------------------------------------------

TEST_F(Corpus, EventRecordedOnTheWrongStream) {
  Event e = Event::create().value();
  ASSERT_OK(a_.memcpy_async(x_, kBytes, host_, kBytes));
  ASSERT_OK(b_.record(e));  // should have been a_
  ASSERT_OK(c_.wait(e));
  ASSERT_OK(kernel(c_, x_, y_));
  EXPECT_EQ(kinds(), std::multiset<Kind>{Kind::kReadAfterWrite}) << text();
}

TEST_F(Corpus, WorkQueuedAfterTheRecordIsNotCovered) {
  Event e = Event::create().value();
  ASSERT_OK(a_.record(e));
  ASSERT_OK(a_.memset_async(x_, kBytes, 0, kBytes));  // after the record
  ASSERT_OK(b_.wait(e));
  ASSERT_OK(kernel(b_, x_, y_));
  EXPECT_EQ(kinds(), std::multiset<Kind>{Kind::kReadAfterWrite}) << text();
}

TEST_F(Corpus, AWaitKeepsTheRecordItSawNotALaterOne) {
  Event e = Event::create().value();
  ASSERT_OK(a_.record(e));
  ASSERT_OK(b_.wait(e));  // sees the first record
  ASSERT_OK(a_.memset_async(x_, kBytes, 1, kBytes));
  ASSERT_OK(a_.record(e));  // moves the event; b's wait is already queued
  ASSERT_OK(kernel(b_, x_, y_));
  EXPECT_EQ(kinds(), std::multiset<Kind>{Kind::kReadAfterWrite}) << text();
}

// Waits until `s` has run everything submitted so far, by watching its counter: not an
// ordering the API gives, so the checker still sees the next access as unordered, while
// the memory is no longer touched for real (the sanitizers run these programs too).
void let_it_finish(const Stream& s) {
  while (s.completed() < s.submitted()) std::this_thread::yield();
}

TEST_F(Corpus, HostCopyOfAPinnedResultBeforeItsCopyIsDone) {
  std::vector<unsigned char> out(kBytes);
  ASSERT_OK(a_.memcpy_async(host_, kBytes, x_, kBytes));  // device -> pinned host
  let_it_finish(a_);
  ASSERT_OK(vnpu::memcpy(out.data(), kBytes, host_, kBytes));  // not ordered after the copy
  EXPECT_EQ(kinds(), std::multiset<Kind>{Kind::kReadAfterWrite}) << text();
}

TEST_F(Corpus, HostMemsetOverAQueuedKernelsOutput) {
  ASSERT_OK(kernel(a_, x_, y_));
  ASSERT_OK(vnpu::memset(y_, kBytes, 0, kBytes));
  EXPECT_EQ(kinds(), std::multiset<Kind>{Kind::kWriteAfterWrite}) << text();
}

TEST_F(Corpus, FreeingPinnedMemoryAQueuedCopyReads) {
  void* pinned = dev_.malloc_host(kBytes).value();
  ASSERT_OK(a_.memcpy_async(x_, kBytes, pinned, kBytes));
  let_it_finish(a_);
  ASSERT_OK(vnpu::free_host(pinned));
  EXPECT_EQ(kinds(), std::multiset<Kind>{Kind::kUseAfterFree}) << text();
}

TEST_F(Corpus, TwoDimensionalCopiesWhoseRowsOverlap) {
  auto* x = static_cast<unsigned char*>(x_);
  // 8 rows of 64 bytes, 128 apart, on two streams: the second starts 64 bytes later, so its
  // rows fall in the first one's gaps...
  ASSERT_OK(a_.memcpy_2d_async(x, 128, host_, 64, 64, 8));
  ASSERT_OK(b_.memcpy_2d_async(x + 64, 128, host_, 64, 64, 8));
  EXPECT_TRUE(kinds().empty()) << text();
  // ...while one 32 bytes later overlaps half of every row.
  ASSERT_OK(c_.memcpy_2d_async(x + 32, 128, host_, 64, 64, 8));
  EXPECT_EQ(kinds(), (std::multiset<Kind>{Kind::kWriteAfterWrite, Kind::kWriteAfterWrite})) << text();
}

TEST_F(Corpus, AForkWithoutTheJoin) {
  Event forked = Event::create().value();
  ASSERT_OK(a_.memset_async(x_, kBytes, 1, kBytes));
  ASSERT_OK(a_.record(forked));
  ASSERT_OK(b_.wait(forked));
  ASSERT_OK(kernel(b_, x_, y_));  // fine: ordered by the fork
  ASSERT_OK(kernel(a_, y_, x_));  // reads y that b writes, with no join back
  EXPECT_EQ(kinds(), (std::multiset<Kind>{Kind::kReadAfterWrite, Kind::kWriteAfterRead})) << text();
}

TEST_F(Corpus, AHostFunctionDoesNotOrderOtherStreams) {
  ASSERT_OK(a_.memset_async(x_, kBytes, 1, kBytes));
  ASSERT_OK(a_.host_func("after_memset", [] {}));
  ASSERT_OK(kernel(b_, x_, y_));  // b does not wait for a's host function
  EXPECT_EQ(kinds(), std::multiset<Kind>{Kind::kReadAfterWrite}) << text();
}

TEST_F(Corpus, AHostFunctionWaitingForItsOwnStream) {
  Status inner = Status::kSuccess;
  Stream& a = a_;
  ASSERT_OK(a_.host_func("waits_for_itself", [&inner, &a] { inner = a.synchronize(); }));
  ASSERT_OK(a_.synchronize());
  EXPECT_EQ(inner, Status::kNotPermitted);
  const auto f = checker::findings();
  ASSERT_EQ(kinds(), std::multiset<Kind>{Kind::kDeadlock}) << text();
  EXPECT_NE(f[0].second.what.find("Stream::synchronize"), std::string::npos) << text();
  EXPECT_NE(f[0].first.where.find("stream " + std::to_string(a_.id())), std::string::npos) << text();
}

TEST_F(Corpus, AHostFunctionWaitingForTheDeviceOrAnEvent) {
  Event e = Event::create().value();
  ASSERT_OK(a_.record(e));
  ASSERT_OK(b_.host_func("waits", [this, e] {
    (void)dev_.synchronize();
    (void)e.synchronize();
  }));
  ASSERT_OK(b_.synchronize());
  EXPECT_EQ(kinds(), (std::multiset<Kind>{Kind::kDeadlock, Kind::kDeadlock})) << text();
}

TEST_F(Corpus, AStreamWaitingForAnEventItRecordsOnlyAfterTheWait) {
  Event e = Event::create().value();
  ASSERT_OK(a_.wait(e));
  ASSERT_OK(a_.record(e));  // on an NPU the wait blocks until this record, queued behind it
  EXPECT_EQ(kinds(), (std::multiset<Kind>{Kind::kUnorderedWait, Kind::kDeadlock})) << text();
  const std::vector<Finding> d = of_kind(Kind::kDeadlock);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_NE(d[0].missing.find("that wait itself"), std::string::npos) << text();
}

TEST_F(Corpus, TwoStreamsWaitingForEachOthersLaterRecords) {
  Event on_a = Event::create().value(), on_b = Event::create().value();
  ASSERT_OK(a_.wait(on_b));
  ASSERT_OK(b_.wait(on_a));
  ASSERT_OK(a_.record(on_a));  // behind a's wait for on_b
  ASSERT_OK(b_.record(on_b));  // behind b's wait for on_a: a cycle
  EXPECT_EQ(kinds(), (std::multiset<Kind>{Kind::kUnorderedWait, Kind::kUnorderedWait, Kind::kDeadlock})) << text();
  const std::vector<Finding> d = of_kind(Kind::kDeadlock);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_NE(d[0].missing.find("queued behind the wait at"), std::string::npos) << text();
}

TEST_F(Corpus, AWaitForARecordOnAnotherStreamIsNoCycle) {
  Event e = Event::create().value();
  ASSERT_OK(b_.wait(e));  // still unordered here, but on an NPU the record below releases it
  ASSERT_OK(a_.record(e));
  EXPECT_EQ(kinds(), std::multiset<Kind>{Kind::kUnorderedWait}) << text();
}

TEST_F(Corpus, TheHostSynchronizesAnEventNeverRecorded) {
  Event e = Event::create().value();
  ASSERT_OK(a_.memcpy_async(x_, kBytes, host_, kBytes));
  ASSERT_OK(e.synchronize());  // returns at once: it waits for nothing
  let_it_finish(a_);
  std::vector<unsigned char> out(kBytes);
  ASSERT_OK(vnpu::memcpy(out.data(), kBytes, x_, kBytes));
  EXPECT_EQ(kinds(), (std::multiset<Kind>{Kind::kUnorderedWait, Kind::kReadAfterWrite})) << text();
}

// Plain loads and stores of pinned memory: no API call, caught by the guarded pages.
unsigned char load(const void* p) { return *static_cast<const volatile unsigned char*>(p); }
void store(void* p, unsigned char v) { *static_cast<volatile unsigned char*>(p) = v; }

TEST_F(Corpus, TheHostReadsAPinnedResultBeforeSynchronize) {
  ASSERT_OK(a_.memcpy_async(host_, kBytes, x_, kBytes));  // device -> pinned host
  let_it_finish(a_);
  (void)load(static_cast<unsigned char*>(host_) + 100);  // no synchronize before
  const std::vector<Finding> f = of_kind(Kind::kReadAfterWrite);
  ASSERT_EQ(f.size(), 1u) << text();
  EXPECT_EQ(f[0].lo, reinterpret_cast<std::uintptr_t>(host_));
  EXPECT_NE(f[0].second.what.find("host load"), std::string::npos) << text();
  EXPECT_EQ(checker::findings().size(), 1u) << text();
}

TEST_F(Corpus, TheHostRefillsAPinnedSourceBeforeItsCopyIsOrdered) {
  ASSERT_OK(a_.memcpy_async(x_, kBytes, host_, kBytes));  // pinned host -> device
  let_it_finish(a_);
  (void)load(host_);  // reading it is fine
  EXPECT_TRUE(checker::findings().empty()) << text();
  store(host_, 7);  // the next batch, too early
  EXPECT_EQ(kinds(), std::multiset<Kind>{Kind::kWriteAfterRead}) << text();
}

// --- correct programs -------------------------------------------------------------------

TEST_F(Corpus, ForkAndJoinWithEvents) {
  Event forked = Event::create().value(), joined = Event::create().value();
  ASSERT_OK(a_.memset_async(x_, kBytes, 1, kBytes));
  ASSERT_OK(a_.record(forked));
  ASSERT_OK(b_.wait(forked));
  ASSERT_OK(kernel(b_, x_, y_));
  ASSERT_OK(b_.record(joined));
  ASSERT_OK(a_.wait(joined));
  ASSERT_OK(kernel(a_, y_, x_));
  EXPECT_TRUE(kinds().empty()) << text();
}

TEST_F(Corpus, FanInFromTwoStreams) {
  auto* x = static_cast<unsigned char*>(x_);
  Event ea = Event::create().value(), eb = Event::create().value();
  ASSERT_OK(a_.memset_async(x, kBytes / 2, 1, kBytes / 2));
  ASSERT_OK(b_.memset_async(x + kBytes / 2, kBytes / 2, 2, kBytes / 2));
  ASSERT_OK(a_.record(ea));
  ASSERT_OK(b_.record(eb));
  ASSERT_OK(c_.wait(ea));
  ASSERT_OK(c_.wait(eb));
  ASSERT_OK(kernel(c_, x_, y_));
  EXPECT_TRUE(kinds().empty()) << text();
}

TEST_F(Corpus, PollingAnEventUntilDoneOrdersTheHost) {
  Event done = Event::create().value();
  ASSERT_OK(kernel(a_, x_, y_));
  ASSERT_OK(a_.record(done));
  while (done.query() == Status::kNotReady) {
  }
  std::vector<unsigned char> out(kBytes);
  ASSERT_OK(vnpu::memcpy(out.data(), kBytes, y_, kBytes));
  EXPECT_TRUE(kinds().empty()) << text();
}

TEST_F(Corpus, PollingAStreamUntilDoneOrdersTheHost) {
  ASSERT_OK(kernel(a_, x_, y_));
  while (a_.query() == Status::kNotReady) {
  }
  ASSERT_OK(vnpu::memset(y_, kBytes, 0, kBytes));
  EXPECT_TRUE(kinds().empty()) << text();
}

TEST_F(Corpus, PinnedBuffersTouchedOnlyAfterTheirCopiesAreOrdered) {
  Event done = Event::create().value();
  ASSERT_OK(a_.memcpy_async(x_, kBytes, host_, kBytes));
  ASSERT_OK(a_.memcpy_async(host_, kBytes, y_, kBytes));
  ASSERT_OK(a_.record(done));
  ASSERT_OK(done.synchronize());
  store(host_, static_cast<unsigned char>(load(host_) + 1));
  // A host function of the stream reads what the stream's copy wrote before it.
  void* pinned = dev_.malloc_host(kBytes).value();
  ASSERT_OK(a_.memcpy_async(pinned, kBytes, x_, kBytes));
  unsigned char seen = 0;
  ASSERT_OK(a_.host_func("read", [pinned, &seen] { seen = load(pinned); }));
  ASSERT_OK(a_.synchronize());
  store(pinned, seen);
  ASSERT_OK(vnpu::free_host(pinned));
  EXPECT_TRUE(checker::findings().empty()) << text();
}

TEST_F(Corpus, DoubleBufferedPipeline) {
  void* in[2] = {x_, y_};
  void* out = dev_.malloc(2 * kBytes).value();
  auto* o = static_cast<unsigned char*>(out);
  Event copied[2] = {Event::create().value(), Event::create().value()};
  Event consumed[2] = {Event::create().value(), Event::create().value()};
  for (int i = 0; i < 8; ++i) {
    const int b = i % 2;
    if (i >= 2) {
      ASSERT_OK(a_.wait(consumed[b]));
    }
    ASSERT_OK(a_.memcpy_async(in[b], kBytes, host_, kBytes));
    ASSERT_OK(a_.record(copied[b]));
    ASSERT_OK(b_.wait(copied[b]));
    ASSERT_OK(kernel(b_, in[b], o + b * kBytes));
    ASSERT_OK(b_.record(consumed[b]));
  }
  ASSERT_OK(b_.synchronize());
  ASSERT_OK(vnpu::free(out));
  EXPECT_TRUE(kinds().empty()) << text();
}

TEST_F(Corpus, AHostFunctionFreesAfterTheWorkOfItsStream) {
  void* z = dev_.malloc(kBytes).value();
  ASSERT_OK(kernel(a_, x_, z));
  ASSERT_OK(a_.memcpy_async(host_, kBytes, z, kBytes));
  ASSERT_OK(a_.host_func("release", [z] { (void)vnpu::free(z); }));
  ASSERT_OK(a_.synchronize());
  EXPECT_TRUE(kinds().empty()) << text();
}

}  // namespace
}  // namespace vnpu
