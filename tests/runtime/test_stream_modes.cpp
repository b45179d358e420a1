// Stream failure modes, discarding pending work, matrix copies, the task-failure hook and
// the SoC profiles.
#include <atomic>
#include <cstring>
#include <numeric>
#include <string>
#include <vector>

#include "support/test_support.hpp"

namespace vnpu {
namespace {

using test::make_device;

Status fail_task(const KernelContext&) { throw std::runtime_error("planned failure"); }

TEST(FailureMode, StopSkipsLaterTasksUntilReported) {
  Device dev = make_device(2).value();
  Stream s = dev.create_stream().value();
  ASSERT_OK(s.set_failure_mode(FailureMode::kStop));
  auto ran = std::make_shared<std::atomic<int>>(0);
  Event e = Event::create().value();
  ASSERT_OK(s.launch("fails", 1, fail_task));
  ASSERT_OK(s.launch("skipped", 3, [ran](const KernelContext&) { ran->fetch_add(1); }));
  ASSERT_OK(s.host_func("skipped callback", [ran] { ran->fetch_add(100); }));
  ASSERT_OK(s.record(e));  // still completes
  ASSERT_OK(e.synchronize(std::chrono::seconds(10)));
  EXPECT_EQ(s.synchronize(), Status::kTaskFailed);
  const std::string msg = last_error_message();
  EXPECT_NE(msg.find("planned failure"), std::string::npos) << msg;
  EXPECT_NE(msg.find("2 later tasks were not run"), std::string::npos) << msg;
  EXPECT_EQ(ran->load(), 0);
  ASSERT_OK(s.launch("runs again", 2, [ran](const KernelContext&) { ran->fetch_add(1); }));
  ASSERT_OK(s.synchronize());
  EXPECT_EQ(ran->load(), 2);
  EXPECT_EQ(s.set_failure_mode(static_cast<FailureMode>(7)), Status::kInvalidArgument);
}

TEST(FailureMode, ContinueRunsLaterTasks) {
  Device dev = make_device(1).value();
  Stream s = dev.create_stream().value();
  ASSERT_OK(s.set_failure_mode(FailureMode::kContinue));
  auto ran = std::make_shared<std::atomic<int>>(0);
  ASSERT_OK(s.launch("fails", 1, fail_task));
  ASSERT_OK(s.launch("runs", 1, [ran](const KernelContext&) { ran->fetch_add(1); }));
  EXPECT_EQ(s.synchronize(), Status::kTaskFailed);
  EXPECT_EQ(ran->load(), 1);
}

TEST(DiscardPending, QueuedWorkIsDroppedAndRecordsStillComplete) {
  Device dev = make_device(1).value();
  Stream s = dev.create_stream().value();
  Stream other = dev.create_stream().value();
  test::Flag started, release;
  ASSERT_OK(test::launch_blocker(s, started, release));
  auto ran = std::make_shared<std::atomic<int>>(0);
  Event e = Event::create().value();
  ASSERT_OK(s.launch("dropped", 1, [ran](const KernelContext&) { ran->fetch_add(1); }));
  ASSERT_OK(s.record(e));
  ASSERT_OK(other.wait(e));
  ASSERT_OK(other.launch("after the wait", 1, [ran](const KernelContext&) { ran->fetch_add(10); }));
  ASSERT_TRUE(started.wait());
  ASSERT_OK(s.discard_pending());
  release.set();
  ASSERT_OK(other.synchronize(std::chrono::seconds(10)));
  ASSERT_OK(s.synchronize(std::chrono::seconds(10)));
  EXPECT_EQ(ran->load(), 10);
}

TEST(Memcpy2d, SyncAndAsyncAgainstARowLoop) {
  Device dev = make_device(1, 2).value();
  constexpr std::size_t kRows = 3000, kWidth = 700, kSpitch = 1024, kDpitch = 768;  // > 2 MiB: split rows
  std::vector<unsigned char> host(kRows * kSpitch);
  std::iota(host.begin(), host.end(), static_cast<unsigned char>(3));
  auto* d = static_cast<unsigned char*>(dev.malloc(kRows * kDpitch).value());
  ASSERT_OK(vnpu::memset(d, kRows * kDpitch, 0, kRows * kDpitch));
  ASSERT_OK(memcpy_2d(d, kDpitch, host.data(), kSpitch, kWidth, kRows));
  for (std::size_t r = 0; r < kRows; r += 97)
    ASSERT_EQ(std::memcmp(d + r * kDpitch, host.data() + r * kSpitch, kWidth), 0) << "row " << r;
  Stream s = dev.create_stream().value();
  std::vector<unsigned char> back(kRows * kWidth, 0);
  ASSERT_OK(s.memcpy_2d_async(back.data(), kWidth, d, kDpitch, kWidth, kRows, CopyKind::kDeviceToHost));
  ASSERT_OK(s.synchronize());
  for (std::size_t r = 0; r < kRows; ++r)
    ASSERT_EQ(std::memcmp(back.data() + r * kWidth, host.data() + r * kSpitch, kWidth), 0) << "row " << r;
  // Errors: width above a pitch, rows past the allocation, an empty matrix.
  EXPECT_EQ(memcpy_2d(d, 8, host.data(), 16, 9, 2), Status::kInvalidArgument);
  EXPECT_EQ(memcpy_2d(d, kDpitch, host.data(), kSpitch, kWidth, kRows + 1), Status::kOutOfRange);
  EXPECT_EQ(s.memcpy_2d_async(d, kDpitch, host.data(), kSpitch, kWidth, kRows, CopyKind::kDeviceToHost),
            Status::kInvalidCopyKind);
  EXPECT_OK(memcpy_2d(nullptr, 0, nullptr, 0, 0, 0));
  ASSERT_OK(vnpu::free(d));
}

std::atomic<int> g_failures{0};
std::atomic<std::uint64_t> g_seq{0};

TEST(TaskFailureHook, SeesEveryFailureOnce) {
  g_failures = 0;
  set_task_failure_hook([](const TaskFailure& f) {
    g_failures.fetch_add(1);
    g_seq = f.seq;
    if (std::string(f.message).find("planned failure") == std::string::npos) g_failures.fetch_add(1000);
  });
  Device dev = make_device(1).value();
  Stream s = dev.create_stream().value();
  ASSERT_OK(s.launch("fine", 1, [](const KernelContext&) {}));
  ASSERT_OK(s.launch("fails", 1, fail_task));
  EXPECT_EQ(s.synchronize(), Status::kTaskFailed);
  set_task_failure_hook(nullptr);
  EXPECT_EQ(g_failures.load(), 1);
  EXPECT_EQ(g_seq.load(), 2u);
  ASSERT_OK(s.launch("fails unseen", 1, fail_task));
  EXPECT_EQ(s.synchronize(), Status::kTaskFailed);
  EXPECT_EQ(g_failures.load(), 1);
}

TEST(SocProfiles, TableAndDefault) {
  ASSERT_GE(soc_profiles().size(), 7u);
  for (std::string_view name : {"Ascend910B1", "Ascend910B2", "Ascend910B3", "Ascend910B4", "Ascend910_9391",
                                "Ascend310P3", "Ascend310B1"}) {
    const SocProfile* p = find_soc_profile(name);
    ASSERT_NE(p, nullptr) << name;
    EXPECT_GT(p->ub_bytes, 0u);
    EXPECT_EQ(p->ub_align, 32u);
  }
  EXPECT_EQ(find_soc_profile("Ascend910B1")->vector_cores, 48u);
  EXPECT_EQ(find_soc_profile("Ascend910B1")->ub_bytes, std::size_t{192} << 10);
  EXPECT_EQ(find_soc_profile("Ascend910B4")->vector_cores, 40u);
  EXPECT_EQ(find_soc_profile("nonsense"), nullptr);
  const char* env = std::getenv("VNPU_SOC");
  EXPECT_EQ(soc_profile().name, env != nullptr && find_soc_profile(env) ? std::string_view(env) : kDefaultSoc);
}

}  // namespace
}  // namespace vnpu
