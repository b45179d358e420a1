// vnpu::Lane: tasks in stream order on a thread of their own, beside kernels; failures,
// skipped tasks, drain, argument errors, and the profiler's collective spans.
#include <atomic>
#include <chrono>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "support/test_support.hpp"
#include "vnpu/lane.hpp"
#include "vnpu/profiler.hpp"

namespace vnpu {
namespace {

using namespace std::chrono_literals;

class LaneTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dev_ = test::make_device(2).value();
    lane_ = Lane::create(dev_, "test-lane").value();
    s_ = dev_.create_stream().value();
  }
  Device dev_;
  Lane lane_;
  Stream s_;
};

TEST_F(LaneTest, TasksKeepStreamOrderWithKernels) {
  std::mutex mu;
  std::vector<int> log;
  const int n = test::scaled(200, 40);
  for (int i = 0; i < n; ++i) {
    if (i % 2 == 0) {
      ASSERT_OK(s_.launch("k", 1, [&, i](const KernelContext&) {
        std::lock_guard lock(mu);
        log.push_back(i);
      }));
    } else {
      ASSERT_OK(lane_.submit(s_, "t", 0, [&, i] {
        std::lock_guard lock(mu);
        log.push_back(i);
      }));
    }
  }
  ASSERT_OK(s_.synchronize());
  ASSERT_EQ(log.size(), static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) EXPECT_EQ(log[i], i);
}

TEST_F(LaneTest, ATaskThatWaitsDoesNotHoldAComputeCore) {
  // A lane task blocks until a kernel on another stream has run: it must, since the lane
  // is not a compute core.
  Stream other = dev_.create_stream().value();
  std::atomic<bool> kernel_ran{false};
  ASSERT_OK(lane_.submit(s_, "waits", 0, [&]() -> Status {
    for (int i = 0; i < 20000 && !kernel_ran.load(); ++i) std::this_thread::sleep_for(100us);
    return kernel_ran.load() ? Status::kSuccess : Status::kTimeout;
  }));
  for (int i = 0; i < 4; ++i) ASSERT_OK(other.launch("busy", 2, [](const KernelContext&) {}));
  ASSERT_OK(other.launch("flag", 1, [&](const KernelContext&) { kernel_ran.store(true); }));
  ASSERT_OK(other.synchronize());
  ASSERT_OK(s_.synchronize());
}

TEST_F(LaneTest, AFailingTaskFailsItsStreamWithItsMessage) {
  ASSERT_OK(lane_.submit(s_, "bad", 0, []() -> Status { return Status::kInvalidArgument; }));
  EXPECT_EQ(s_.synchronize(), Status::kTaskFailed);
  EXPECT_NE(std::string(last_error_message()).find("bad"), std::string::npos) << last_error_message();
  ASSERT_OK(lane_.submit(s_, "throws", 0, [] { throw std::runtime_error("lane task threw"); }));
  EXPECT_EQ(s_.synchronize(), Status::kTaskFailed);
  EXPECT_NE(std::string(last_error_message()).find("lane task threw"), std::string::npos) << last_error_message();
  // The stream and the lane work on.
  std::atomic<int> ran{0};
  ASSERT_OK(lane_.submit(s_, "ok", 0, [&] { ran.fetch_add(1); }));
  ASSERT_OK(s_.synchronize());
  EXPECT_EQ(ran.load(), 1);
}

TEST_F(LaneTest, SkippedTasksStillCountAsDoneForDrain) {
  ASSERT_OK(s_.set_failure_mode(FailureMode::kStop));
  ASSERT_OK(s_.launch("fails", 1, [](const KernelContext&) -> Status { return Status::kInvalidArgument; }));
  std::atomic<int> ran{0};
  for (int i = 0; i < 5; ++i) ASSERT_OK(lane_.submit(s_, "skipped", 0, [&] { ran.fetch_add(1); }));
  EXPECT_EQ(s_.synchronize(), Status::kTaskFailed);
  EXPECT_EQ(ran.load(), 0);
  ASSERT_OK(lane_.drain());  // returns: the skipped tasks are done
}

TEST_F(LaneTest, DrainWaitsForQueuedTasksAndTheLastHandleDrains) {
  std::atomic<int> ran{0};
  Event gate = Event::create().value();
  Stream blocker = dev_.create_stream().value();
  std::atomic<bool> open{false};
  ASSERT_OK(blocker.launch("gate", 1, [&](const KernelContext&) {
    while (!open.load()) std::this_thread::sleep_for(100us);
  }));
  ASSERT_OK(blocker.record(gate));
  ASSERT_OK(s_.wait(gate));
  for (int i = 0; i < 3; ++i) ASSERT_OK(lane_.submit(s_, "queued", 0, [&] { ran.fetch_add(1); }));
  std::thread opener([&] {
    std::this_thread::sleep_for(20ms);
    open.store(true);
  });
  { Lane last = std::move(lane_); }  // the last handle: waits for the three tasks
  opener.join();
  EXPECT_EQ(ran.load(), 3);
  ASSERT_OK(s_.synchronize());
}

TEST_F(LaneTest, ArgumentErrors) {
  Lane empty;
  EXPECT_EQ(empty.submit(s_, "x", 0, [] {}), Status::kInvalidHandle);
  EXPECT_EQ(empty.drain(), Status::kInvalidHandle);
  Stream none;
  EXPECT_EQ(lane_.submit(none, "x", 0, [] {}), Status::kInvalidHandle);
  Device other = test::make_device(1).value();
  Stream foreign = other.create_stream().value();
  EXPECT_EQ(lane_.submit(foreign, "x", 0, [] {}), Status::kInvalidArgument);
  EXPECT_EQ(Lane::create(Device(), "x").status(), Status::kInvalidHandle);
  // From inside a lane task, drain would wait for itself.
  Status inner = Status::kSuccess;
  ASSERT_OK(lane_.submit(s_, "drains", 0, [&] { inner = lane_.drain(); }));
  ASSERT_OK(s_.synchronize());
  EXPECT_EQ(inner, Status::kNotPermitted);
}

TEST_F(LaneTest, TasksAreCollectiveSpansOnTheCommLaneWithTheirBytes) {
  if (!profiler::available()) GTEST_SKIP() << "profiler compiled out";
  // A session the environment started (VNPU_PROFILE) records the whole run: stopping it
  // here would end it for every later test.
  if (profiler::active()) GTEST_SKIP() << "a session is already recording (VNPU_PROFILE)";
  ASSERT_OK(profiler::start());
  ASSERT_OK(lane_.submit(s_, "AllReduce", 12345, [] { std::this_thread::sleep_for(1ms); }));
  ASSERT_OK(s_.synchronize());
  ASSERT_OK(profiler::stop());
  const profiler::Trace t = profiler::collect();
  int found = 0;
  for (const profiler::Span& sp : t.spans) {
    if (sp.kind != profiler::SpanKind::kCollective) continue;
    ++found;
    EXPECT_EQ(sp.lane_kind, profiler::LaneKind::kCommLane);
    EXPECT_EQ(sp.lane, lane_.index());
    EXPECT_EQ(sp.name, "AllReduce");
    EXPECT_EQ(sp.bytes, 12345u);
    EXPECT_EQ(sp.stream, s_.id());
    EXPECT_GE(sp.end_ns - sp.start_ns, 900'000);
  }
  EXPECT_EQ(found, 1);
  bool lane_listed = false;
  for (const profiler::Lane& l : t.lanes)
    if (l.kind == profiler::LaneKind::kCommLane && l.index == lane_.index())
      lane_listed = l.name == "comm lane " + std::to_string(lane_.index());
  EXPECT_TRUE(lane_listed);
}

}  // namespace
}  // namespace vnpu
