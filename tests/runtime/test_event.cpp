// Events: record captures the stream so far, re-record semantics, never-recorded events,
// elapsed time, timed synchronize, flags, cross-stream and cross-device ordering.
#include <cstring>
#include <vector>

#include "support/test_support.hpp"

namespace vnpu {
namespace {

class EventTest : public ::testing::Test {
 protected:
  void SetUp() override { dev_ = test::make_device(2).value(); }
  Device dev_;
};

TEST_F(EventTest, InvalidFlags) {
  EXPECT_EQ(Event::create(1u << 5).status(), Status::kInvalidArgument);
  EXPECT_GT(std::strlen(last_error_message()), 0u);
  EXPECT_EQ(Event::create(0xffffffffu).status(), Status::kInvalidArgument);
  EXPECT_EQ(Event::create(kEventBlockingSync | (1u << 31)).status(), Status::kInvalidArgument);
  Event ok = Event::create(kEventDisableTiming | kEventBlockingSync).value();
  EXPECT_EQ(ok.flags(), static_cast<std::uint32_t>(kEventDisableTiming | kEventBlockingSync));
  EXPECT_EQ(Event::create().value().flags(), static_cast<std::uint32_t>(kEventDefault));
}

TEST_F(EventTest, EmptyHandle) {
  Event empty;
  EXPECT_FALSE(empty);
  Event e = Event::create().value();
  EXPECT_EQ(empty.query(), Status::kInvalidHandle);
  EXPECT_EQ(empty.synchronize(), Status::kInvalidHandle);
  EXPECT_EQ(empty.synchronize(std::chrono::milliseconds(1)), Status::kInvalidHandle);
  EXPECT_EQ(Event::elapsed_ms(empty, e).status(), Status::kInvalidHandle);
  EXPECT_EQ(Event::elapsed_ms(e, empty).status(), Status::kInvalidHandle);
  Stream s = dev_.create_stream().value();
  EXPECT_EQ(s.record(empty), Status::kInvalidHandle);
  EXPECT_EQ(s.wait(empty), Status::kInvalidHandle);
  EXPECT_EQ(s.submitted(), 0u);
}

TEST_F(EventTest, NeverRecordedIsComplete) {
  Event e = Event::create().value();
  EXPECT_OK(e.query());
  EXPECT_OK(e.synchronize());
  EXPECT_OK(e.synchronize(std::chrono::milliseconds(1)));
}

TEST_F(EventTest, WaitOnNeverRecordedIsANoOp) {
  Stream s = dev_.create_stream().value();
  Event e = Event::create().value();
  std::atomic<int> ran{0};
  EXPECT_OK(s.wait(e));
  EXPECT_OK(s.launch("after_wait", 1, [&](const KernelContext&) { ran.store(1); }));
  EXPECT_OK(s.synchronize(test::kLongWait));
  EXPECT_EQ(ran.load(), 1);
}

TEST_F(EventTest, RecordCompletesWithTheWorkBeforeIt) {
  Stream s = dev_.create_stream().value();
  Event e = Event::create().value();
  test::Flag started, release;
  test::ScopedRelease guard(release);
  ASSERT_OK(test::launch_blocker(s, started, release));
  ASSERT_OK(s.record(e));
  ASSERT_TRUE(started.wait());
  EXPECT_EQ(e.query(), Status::kNotReady);
  EXPECT_STREQ(last_error_message(), "");
  EXPECT_EQ(e.synchronize(std::chrono::milliseconds(20)), Status::kTimeout);
  EXPECT_EQ(e.synchronize(std::chrono::nanoseconds(0)), Status::kTimeout);
  EXPECT_EQ(e.query(), Status::kNotReady);  // still usable after the timeout
  release.set();
  EXPECT_OK(e.synchronize(std::chrono::nanoseconds(-1)));
  EXPECT_OK(e.query());
}

TEST_F(EventTest, RecordIgnoresWorkSubmittedLater) {
  Stream s = dev_.create_stream().value();
  Event e = Event::create().value();
  EXPECT_OK(s.launch("before", 1, [](const KernelContext&) {}));
  ASSERT_OK(s.record(e));
  test::Flag started, release;
  test::ScopedRelease guard(release);
  ASSERT_OK(test::launch_blocker(s, started, release));
  ASSERT_TRUE(started.wait());
  EXPECT_OK(e.synchronize(test::kLongWait));  // does not wait for the blocker
  EXPECT_OK(e.query());
  EXPECT_EQ(s.query(), Status::kNotReady);
}

TEST_F(EventTest, ReRecordDoesNotChangeASubmittedWait) {
  // Stream a: [blocker1] record(e) [blocker2] record(e).  Stream b: wait(e) [marker].
  // b's wait was submitted after the first record, so it must complete once blocker1
  // finishes, while blocker2 still holds stream a.
  Stream a = dev_.create_stream().value();
  Stream b = dev_.create_stream().value();
  Event e = Event::create().value();
  test::Flag started1, release1, started2, release2;
  test::ScopedRelease guard1(release1), guard2(release2);
  ASSERT_OK(test::launch_blocker(a, started1, release1, "blocker1"));
  ASSERT_OK(a.record(e));
  ASSERT_OK(b.wait(e));
  test::Flag marker;
  ASSERT_OK(b.launch("marker", 1, [marker](const KernelContext&) { marker.set(); }));
  ASSERT_OK(test::launch_blocker(a, started2, release2, "blocker2"));
  ASSERT_OK(a.record(e));

  ASSERT_TRUE(started1.wait());
  EXPECT_FALSE(marker.is_set()) << "the wait did not hold stream b";
  release1.set();
  ASSERT_TRUE(started2.wait());
  EXPECT_TRUE(marker.wait()) << "the re-record changed a wait that was already submitted";
  EXPECT_OK(b.synchronize(test::kLongWait));

  // Query/synchronize see the latest record, which is behind blocker2.
  EXPECT_EQ(e.query(), Status::kNotReady);
  EXPECT_EQ(e.synchronize(std::chrono::milliseconds(20)), Status::kTimeout);
  // A wait submitted now also sees the latest record.
  test::Flag marker2;
  ASSERT_OK(b.wait(e));
  ASSERT_OK(b.launch("marker2", 1, [marker2](const KernelContext&) { marker2.set(); }));
  EXPECT_FALSE(marker2.wait(std::chrono::milliseconds(50)));
  release2.set();
  EXPECT_OK(e.synchronize(test::kLongWait));
  EXPECT_TRUE(marker2.wait());
  EXPECT_OK(b.synchronize(test::kLongWait));
}

TEST_F(EventTest, LatestRecordWinsAcrossStreams) {
  // Recorded on a blocked stream, then re-recorded on an idle one: query and synchronize
  // follow the latest record only.
  Stream blocked = dev_.create_stream().value();
  Stream idle = dev_.create_stream().value();
  Event e = Event::create().value();
  test::Flag started, release;
  test::ScopedRelease guard(release);
  ASSERT_OK(test::launch_blocker(blocked, started, release));
  ASSERT_OK(blocked.record(e));
  ASSERT_TRUE(started.wait());
  EXPECT_EQ(e.query(), Status::kNotReady);
  ASSERT_OK(idle.record(e));
  EXPECT_OK(e.synchronize(test::kLongWait));
  EXPECT_OK(e.query());
  EXPECT_EQ(blocked.query(), Status::kNotReady);
  release.set();
  EXPECT_OK(blocked.synchronize());
}

TEST_F(EventTest, WaitOnOwnStreamRecordDoesNotDeadlock) {
  Stream s = dev_.create_stream().value();
  Event e = Event::create().value();
  std::atomic<int> ran{0};
  ASSERT_OK(s.launch("first", 2, [&](const KernelContext&) { ran.fetch_add(1); }));
  ASSERT_OK(s.record(e));
  ASSERT_OK(s.wait(e));
  ASSERT_OK(s.launch("second", 2, [&](const KernelContext&) { ran.fetch_add(1); }));
  EXPECT_OK(s.synchronize(test::kLongWait));
  EXPECT_EQ(ran.load(), 4);
}

TEST_F(EventTest, CrossStreamOrdering) {
  Stream producer = dev_.create_stream().value();
  Stream consumer = dev_.create_stream().value();
  const int rounds = test::scaled(300, 30);
  auto* buf = static_cast<int*>(dev_.malloc(sizeof(int) * static_cast<std::size_t>(rounds)).value());
  std::atomic<int> bad{0};
  std::vector<Event> events;
  for (int r = 0; r < rounds; ++r) {
    Event e = Event::create(kEventDisableTiming).value();
    ASSERT_OK(producer.launch("produce", 2, [buf, r](const KernelContext& k) {
      if (r % 7 == 0) std::this_thread::sleep_for(std::chrono::microseconds(200));
      if (k.block_idx() == 0) buf[r] = r * 3 + 1;
    }));
    ASSERT_OK(producer.record(e));
    ASSERT_OK(consumer.wait(e));
    ASSERT_OK(consumer.launch("consume", 1, [buf, r, &bad](const KernelContext&) {
      if (buf[r] != r * 3 + 1) bad.fetch_add(1);
    }));
    events.push_back(e);
  }
  EXPECT_OK(consumer.synchronize());
  EXPECT_OK(producer.synchronize());
  EXPECT_EQ(bad.load(), 0);
  for (Event& e : events) EXPECT_OK(e.query());
  EXPECT_OK(vnpu::free(buf));
}

TEST_F(EventTest, WaitOrdersCopiesAndCallbacksToo) {
  Stream a = dev_.create_stream().value();
  Stream b = dev_.create_stream().value();
  Event e = Event::create().value();
  constexpr std::size_t n = 1 << 16;
  auto* d = static_cast<unsigned char*>(dev_.malloc(n).value());
  std::vector<unsigned char> back(n, 0);
  test::Flag started, release;
  test::ScopedRelease guard(release);
  ASSERT_OK(test::launch_blocker(a, started, release));
  ASSERT_OK(a.memset_async(d, n, 0x5c, n));
  ASSERT_OK(a.record(e));
  ASSERT_OK(b.wait(e));
  ASSERT_OK(b.memcpy_async(back.data(), n, d, n, CopyKind::kDeviceToHost));
  std::atomic<int> cb{0};
  ASSERT_OK(b.host_func("cb", [&] { cb.store(1); }));
  ASSERT_TRUE(started.wait());
  EXPECT_EQ(b.query(), Status::kNotReady);
  EXPECT_EQ(cb.load(), 0);
  release.set();
  EXPECT_OK(b.synchronize(test::kLongWait));
  EXPECT_EQ(cb.load(), 1);
  EXPECT_TRUE(back == std::vector<unsigned char>(n, 0x5c));
  EXPECT_OK(a.synchronize());
  EXPECT_OK(vnpu::free(d));
}

TEST_F(EventTest, DroppedEventKeepsPendingRecordsAndWaits) {
  Stream a = dev_.create_stream().value();
  Stream b = dev_.create_stream().value();
  test::Flag started, release, marker;
  test::ScopedRelease guard(release);
  ASSERT_OK(test::launch_blocker(a, started, release));
  {
    Event e = Event::create().value();
    ASSERT_OK(a.record(e));
    ASSERT_OK(b.wait(e));
  }  // last handle gone
  ASSERT_OK(b.launch("marker", 1, [marker](const KernelContext&) { marker.set(); }));
  ASSERT_TRUE(started.wait());
  EXPECT_FALSE(marker.wait(std::chrono::milliseconds(30)));
  release.set();
  EXPECT_TRUE(marker.wait());
  EXPECT_OK(b.synchronize(test::kLongWait));
}

TEST_F(EventTest, CrossDeviceWait) {
  Device other = test::make_device(1).value();
  Stream a = dev_.create_stream().value();
  Stream b = other.create_stream().value();
  Event e = Event::create().value();
  test::Flag started, release, marker;
  test::ScopedRelease guard(release);
  ASSERT_OK(test::launch_blocker(a, started, release));
  ASSERT_OK(a.record(e));
  ASSERT_OK(b.wait(e));
  ASSERT_OK(b.launch("marker", 1, [marker](const KernelContext&) { marker.set(); }));
  ASSERT_TRUE(started.wait());
  EXPECT_FALSE(marker.wait(std::chrono::milliseconds(30)));
  release.set();
  EXPECT_TRUE(marker.wait());
  EXPECT_OK(b.synchronize(test::kLongWait));
}

TEST_F(EventTest, ElapsedTimeNeedsTwoCompletedTimedRecords) {
  Stream s = dev_.create_stream().value();
  Event start = Event::create().value();
  Event end = Event::create().value();
  Event untimed = Event::create(kEventDisableTiming).value();

  EXPECT_EQ(Event::elapsed_ms(start, end).status(), Status::kEventNotRecorded);
  EXPECT_GT(std::strlen(last_error_message()), 0u);
  ASSERT_OK(s.record(start));
  ASSERT_OK(s.synchronize());
  EXPECT_EQ(Event::elapsed_ms(start, end).status(), Status::kEventNotRecorded);
  EXPECT_EQ(Event::elapsed_ms(end, start).status(), Status::kEventNotRecorded);

  test::Flag started, release;
  test::ScopedRelease guard(release);
  ASSERT_OK(test::launch_blocker(s, started, release));
  ASSERT_OK(s.record(end));
  ASSERT_TRUE(started.wait());
  EXPECT_EQ(Event::elapsed_ms(start, end).status(), Status::kNotReady);
  release.set();
  ASSERT_OK(end.synchronize(test::kLongWait));
  Expected<float> ms = Event::elapsed_ms(start, end);
  ASSERT_TRUE(ms.has_value()) << status_name(ms.status());
  EXPECT_GE(*ms, 0.0f);

  ASSERT_OK(s.record(untimed));
  ASSERT_OK(s.synchronize());
  EXPECT_EQ(Event::elapsed_ms(start, untimed).status(), Status::kEventNotRecorded);
  EXPECT_EQ(Event::elapsed_ms(untimed, end).status(), Status::kEventNotRecorded);
}

TEST_F(EventTest, ElapsedTimeFollowsTheLatestRecord) {
  Stream s = dev_.create_stream().value();
  Event start = Event::create().value();
  Event end = Event::create().value();
  ASSERT_OK(s.record(start));
  ASSERT_OK(s.record(end));
  ASSERT_OK(s.synchronize());
  ASSERT_TRUE(Event::elapsed_ms(start, end).has_value());
  test::Flag started, release;
  test::ScopedRelease guard(release);
  ASSERT_OK(test::launch_blocker(s, started, release));
  ASSERT_OK(s.record(end));  // re-record behind the blocker
  ASSERT_TRUE(started.wait());
  EXPECT_EQ(Event::elapsed_ms(start, end).status(), Status::kNotReady);
  release.set();
  ASSERT_OK(s.synchronize());
  EXPECT_TRUE(Event::elapsed_ms(start, end).has_value());
}

TEST_F(EventTest, BlockingSyncFlagWaits) {
  Stream s = dev_.create_stream().value();
  Event e = Event::create(kEventBlockingSync).value();
  test::Flag started, release;
  test::ScopedRelease guard(release);
  std::atomic<int> after{0};
  ASSERT_OK(test::launch_blocker(s, started, release));
  ASSERT_OK(s.launch("after", 1, [&](const KernelContext&) { after.store(1); }));
  ASSERT_OK(s.record(e));
  EXPECT_EQ(e.synchronize(std::chrono::milliseconds(10)), Status::kTimeout);
  std::thread releaser([&] {
    started.wait();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    release.set();
  });
  EXPECT_OK(e.synchronize());
  EXPECT_EQ(after.load(), 1);
  releaser.join();
}

TEST_F(EventTest, ManyThreadsWaitOnOneEvent) {
  Stream s = dev_.create_stream().value();
  Event e = Event::create().value();
  test::Flag started, release;
  test::ScopedRelease guard(release);
  ASSERT_OK(test::launch_blocker(s, started, release));
  ASSERT_OK(s.record(e));
  std::atomic<int> ok{0};
  std::vector<std::thread> waiters;
  for (int i = 0; i < 4; ++i) {
    waiters.emplace_back([&] {
      if (e.synchronize(test::kLongWait) == Status::kSuccess) ok.fetch_add(1);
    });
  }
  ASSERT_TRUE(started.wait());
  release.set();
  for (auto& t : waiters) t.join();
  EXPECT_EQ(ok.load(), 4);
}

TEST_F(EventTest, RecordOnDefaultStream) {
  Stream def = dev_.default_stream();
  Event e = Event::create().value();
  std::atomic<int> ran{0};
  ASSERT_OK(def.launch("k", 4, [&](const KernelContext&) { ran.fetch_add(1); }));
  ASSERT_OK(def.record(e));
  EXPECT_OK(e.synchronize(test::kLongWait));
  EXPECT_EQ(ran.load(), 4);
}

}  // namespace
}  // namespace vnpu
