// Kernel launch: every block runs exactly once, context values in range, failures
// reported with name/stream/sequence, blocking waits refused inside kernels,
// launch-blocking mode.
#include <array>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "support/test_support.hpp"

namespace vnpu {
namespace {

class KernelTest : public ::testing::TestWithParam<std::uint32_t> {};

TEST_P(KernelTest, EveryBlockRunsExactlyOnce) {
  const std::uint32_t blocks = GetParam();
  Device dev = test::make_device(2).value();
  Stream s = dev.create_stream().value();
  const auto cores = static_cast<std::uint32_t>(dev.info().compute_cores);
  const int dev_id = dev.info().id;
  std::vector<std::atomic<int>> hits(blocks);
  std::atomic<int> bad_ctx{0};
  constexpr int kLaunches = 3;
  for (int l = 0; l < kLaunches; ++l) {
    ASSERT_OK(s.launch("blocks", blocks, [&, blocks, cores, dev_id](const KernelContext& k) {
      if (k.block_dim() != blocks || k.block_idx() >= blocks || k.core() >= cores || k.device_id() != dev_id) {
        bad_ctx.fetch_add(1);
        return;
      }
      hits[k.block_idx()].fetch_add(1, std::memory_order_relaxed);
    }));
  }
  EXPECT_OK(s.synchronize());
  EXPECT_EQ(bad_ctx.load(), 0);
  for (std::uint32_t b = 0; b < blocks; ++b) ASSERT_EQ(hits[b].load(), kLaunches) << "block " << b;
}

INSTANTIATE_TEST_SUITE_P(BlockCounts, KernelTest,
                         ::testing::Values(1u, 2u, 3u, 4u, 5u, 7u, 13u, 31u, 64u, 97u, 1000u, 4099u));

TEST(Kernel, BlocksOfOneLaunchRunConcurrentlyOnFreeCores) {
  Device dev = test::make_device(2).value();
  Stream s = dev.create_stream().value();
  std::vector<std::atomic<bool>> in(2);
  std::atomic<int> met{0};
  std::vector<std::uint32_t> core_of(2, 99);
  ASSERT_OK(s.launch("rendezvous", 2, [&](const KernelContext& k) {
    in[k.block_idx()].store(true);
    core_of[k.block_idx()] = k.core();
    if (test::wait_until([&] { return in[1 - k.block_idx()].load(); })) met.fetch_add(1);
  }));
  EXPECT_OK(s.synchronize());
  EXPECT_EQ(met.load(), 2) << "the two blocks never ran at the same time";
  EXPECT_NE(core_of[0], core_of[1]);
}

TEST(Kernel, SingleCoreRunsManyBlocks) {
  Device dev = test::make_device(1).value();
  Stream s = dev.create_stream().value();
  std::atomic<int> sum{0};
  std::atomic<int> wrong_core{0};
  ASSERT_OK(s.launch("sum", 100, [&](const KernelContext& k) {
    sum.fetch_add(static_cast<int>(k.block_idx()));
    if (k.core() != 0) wrong_core.fetch_add(1);
  }));
  EXPECT_OK(s.synchronize());
  EXPECT_EQ(sum.load(), 99 * 100 / 2);
  EXPECT_EQ(wrong_core.load(), 0);
}

TEST(Kernel, ZeroBlocksIsInvalid) {
  Device dev = test::make_device(1).value();
  Stream s = dev.create_stream().value();
  std::atomic<int> ran{0};
  EXPECT_EQ(s.launch("zero", 0, [&](const KernelContext&) { ran.fetch_add(1); }), Status::kInvalidArgument);
  EXPECT_GT(std::strlen(last_error_message()), 0u);
  EXPECT_EQ(s.submitted(), 0u);
  EXPECT_OK(s.synchronize());
  EXPECT_EQ(ran.load(), 0);
}

TEST(Kernel, LargeCapturesWork) {
  // Captures larger than the inline buffer of the task's function object.
  Device dev = test::make_device(2).value();
  Stream s = dev.create_stream().value();
  std::array<int, 64> table{};
  for (int i = 0; i < 64; ++i) table[static_cast<std::size_t>(i)] = i * i;
  std::vector<int> out(64, 0);
  int* o = out.data();
  ASSERT_OK(s.launch("big_capture", 64, [table, o](const KernelContext& k) { o[k.block_idx()] = table[k.block_idx()]; }));
  EXPECT_OK(s.synchronize());
  for (int i = 0; i < 64; ++i) EXPECT_EQ(out[static_cast<std::size_t>(i)], i * i);
}

TEST(Kernel, OverAlignedCapturesKeepTheirAlignment) {
  // A small capture that needs more alignment than the task's inline buffer gives (8
  // bytes) is stored apart from the task; the kernel must see it aligned and intact.
  struct alignas(32) Vec {
    float v[8];
  };
  Device dev = test::make_device(2).value();
  Stream s = dev.create_stream().value();
  Vec in{};
  for (int i = 0; i < 8; ++i) in.v[i] = static_cast<float>(i) + 0.5f;
  std::vector<float> out(8 * 16, 0.f);
  std::atomic<int> misaligned{0};
  float* o = out.data();
  for (int l = 0; l < 16; ++l) {
    ASSERT_OK(s.launch("aligned", 8, [in, o, l, &misaligned](const KernelContext& k) {
      if (reinterpret_cast<std::uintptr_t>(&in) % alignof(Vec) != 0) misaligned.fetch_add(1);
      o[l * 8 + static_cast<int>(k.block_idx())] = in.v[k.block_idx()] + static_cast<float>(l);
    }));
  }
  EXPECT_OK(s.synchronize());
  EXPECT_EQ(misaligned.load(), 0);
  for (int l = 0; l < 16; ++l)
    for (int i = 0; i < 8; ++i) EXPECT_EQ(out[static_cast<std::size_t>(l * 8 + i)], static_cast<float>(i) + 0.5f + static_cast<float>(l));
}

TEST(Kernel, KernelObjectIsDestroyedAfterTheLaunch) {
  Device dev = test::make_device(2).value();
  Stream s = dev.create_stream().value();
  auto token = std::make_shared<int>(5);
  std::weak_ptr<int> weak = token;
  ASSERT_OK(s.launch("holds", 8, [token](const KernelContext&) { (void)*token; }));
  token.reset();
  EXPECT_OK(s.synchronize());
  EXPECT_TRUE(test::wait_until([&] { return weak.expired(); })) << "the kernel object leaked";
}

// Failures ---------------------------------------------------------------------------

struct FailureCase {
  Device dev;
  Stream s;
};

FailureCase stream_with_high_id() {
  Device dev = test::make_device(2).value();
  // Burn a few stream ids so the failing stream's id is a distinctive number.
  for (int i = 0; i < 40; ++i) (void)dev.create_stream().value();
  Stream s = dev.create_stream().value();
  return {dev, s};
}

TEST(Kernel, ThrowingKernelReportsTaskFailedOnce) {
  FailureCase fc = stream_with_high_id();
  Stream& s = fc.s;
  const int before = 123;
  for (int i = 0; i < before; ++i) ASSERT_OK(s.launch("fine", 1, [](const KernelContext&) {}));
  ASSERT_OK(s.launch("exploding_kernel_x", 4, [](const KernelContext& k) {
    if (k.block_idx() == 2) throw std::runtime_error("boom in block 2");
  }));
  std::atomic<int> after{0};
  ASSERT_OK(s.launch("after", 2, [&](const KernelContext&) { after.fetch_add(1); }));
  EXPECT_EQ(s.synchronize(), Status::kTaskFailed);
  std::string msg = last_error_message();
  EXPECT_NE(msg.find("exploding_kernel_x"), std::string::npos) << msg;
  EXPECT_NE(msg.find(std::to_string(s.id())), std::string::npos) << "stream id missing: " << msg;
  // The failing task is the 124th submitted: accept a 0- or 1-based sequence number.
  EXPECT_TRUE(msg.find("123") != std::string::npos || msg.find("124") != std::string::npos)
      << "sequence number missing: " << msg;
  EXPECT_EQ(after.load(), 2) << "later tasks must still run";
  // Reported once.
  EXPECT_OK(s.synchronize());
  EXPECT_OK(s.query());
  // The stream stays usable.
  ASSERT_OK(s.launch("again", 3, [&](const KernelContext&) { after.fetch_add(1); }));
  EXPECT_OK(s.synchronize());
  EXPECT_EQ(after.load(), 5);
}

TEST(Kernel, FailureIsReportedByQuery) {
  Device dev = test::make_device(1).value();
  Stream s = dev.create_stream().value();
  ASSERT_OK(s.launch("thrower_q", 1, [](const KernelContext&) { throw 42; }));  // not a std::exception
  Status q = Status::kNotReady;
  EXPECT_TRUE(test::wait_until([&] {
    q = s.query();
    return q != Status::kNotReady;
  }));
  EXPECT_EQ(q, Status::kTaskFailed);
  EXPECT_NE(std::string(last_error_message()).find("thrower_q"), std::string::npos) << last_error_message();
  // Reported once: later queries never repeat it (the failed task may still be finishing,
  // so kNotReady is allowed for a moment).
  EXPECT_TRUE(test::wait_until([&] {
    q = s.query();
    return q != Status::kNotReady;
  }));
  EXPECT_OK(q);
  EXPECT_OK(s.synchronize());
}

TEST(Kernel, FailureStatusMarksTaskFailed) {
  Device dev = test::make_device(2).value();
  Stream s = dev.create_stream().value();
  ASSERT_OK(s.launch("returns_failure", 3, [](const KernelContext& k) {
    return k.block_idx() == 1 ? Status::kScratchOverflow : Status::kSuccess;
  }));
  EXPECT_EQ(s.synchronize(), Status::kTaskFailed);
  EXPECT_NE(std::string(last_error_message()).find("returns_failure"), std::string::npos) << last_error_message();
  EXPECT_OK(s.synchronize());
}

TEST(Kernel, FailureIsReportedOnlyOnItsOwnStream) {
  Device dev = test::make_device(2).value();
  Stream bad = dev.create_stream().value();
  Stream good = dev.create_stream().value();
  ASSERT_OK(bad.launch("bad", 1, [](const KernelContext&) { throw std::logic_error("x"); }));
  ASSERT_OK(good.launch("good", 1, [](const KernelContext&) {}));
  EXPECT_OK(good.synchronize());
  EXPECT_EQ(bad.synchronize(), Status::kTaskFailed);
  EXPECT_OK(bad.synchronize());
}

TEST(Kernel, FailureSurvivesTimedOutSynchronize) {
  Device dev = test::make_device(1).value();
  Stream s = dev.create_stream().value();
  test::Flag started, release;
  test::ScopedRelease guard(release);
  ASSERT_OK(s.launch("fails_first", 1, [](const KernelContext&) { return Status::kInternal; }));
  ASSERT_OK(test::launch_blocker(s, started, release));
  ASSERT_TRUE(started.wait());
  // A timed-out wait either reports the failure already or keeps it for later; it is
  // never lost.
  Status first = s.synchronize(std::chrono::milliseconds(10));
  release.set();
  Status second = s.synchronize();
  EXPECT_TRUE((first == Status::kTaskFailed && second == Status::kSuccess) ||
              (first == Status::kTimeout && second == Status::kTaskFailed))
      << status_name(first) << " then " << status_name(second);
}

TEST(Kernel, LongNameIsAccepted) {
  Device dev = test::make_device(1).value();
  Stream s = dev.create_stream().value();
  std::string name(200, 'n');
  name.replace(0, 10, "long_kern_");
  ASSERT_OK(s.launch(name, 1, [](const KernelContext&) { throw std::runtime_error("x"); }));
  EXPECT_EQ(s.synchronize(), Status::kTaskFailed);
  std::string msg = last_error_message();
  EXPECT_NE(msg.find(name.substr(0, 47)), std::string::npos) << msg;
  EXPECT_EQ(msg.find(name.substr(0, 48)), std::string::npos) << "name not truncated to 47 bytes: " << msg;
}

TEST(Kernel, BlockingWaitsInsideAKernelAreNotPermitted) {
  Device dev = test::make_device(2).value();
  Stream s = dev.create_stream().value();
  Stream other = dev.create_stream().value();
  Event e = Event::create().value();
  ASSERT_OK(other.record(e));
  std::vector<Status> got(6, Status::kInternal);
  test::Flag done;
  ASSERT_OK(s.launch("waits", 1, [&](const KernelContext&) {
    got[0] = s.synchronize();
    got[1] = s.synchronize(std::chrono::milliseconds(100));
    got[2] = other.synchronize();
    got[3] = e.synchronize();
    got[4] = dev.synchronize();
    got[5] = dev.synchronize(std::chrono::milliseconds(100));
    done.set();
  }));
  ASSERT_TRUE(done.wait()) << "a blocking call inside a kernel deadlocked";
  EXPECT_OK(s.synchronize());
  for (std::size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i], Status::kNotPermitted) << "call " << i;
}

TEST(Kernel, SubmittingAndQueryingFromAKernelWorks) {
  Device dev = test::make_device(2).value();
  Stream s = dev.create_stream().value();
  Stream other = dev.create_stream().value();
  Status launch_st = Status::kInternal, query_st = Status::kInternal;
  std::atomic<int> child{0};
  ASSERT_OK(s.launch("parent", 1, [&](const KernelContext&) {
    query_st = s.query();
    launch_st = other.launch("child", 2, [&](const KernelContext&) { child.fetch_add(1); });
  }));
  EXPECT_OK(s.synchronize());
  EXPECT_EQ(query_st, Status::kNotReady);  // the parent itself is pending
  EXPECT_OK(launch_st);
  EXPECT_OK(other.synchronize());
  EXPECT_EQ(child.load(), 2);
}

// Launch-blocking mode -----------------------------------------------------------------

void expect_launch_blocking(Device& dev) {
  EXPECT_TRUE(dev.info().launch_blocking);
  Stream s = dev.create_stream().value();
  for (int i = 0; i < 20; ++i) {
    std::atomic<int> ran{0};
    ASSERT_OK(s.launch("sync_launch", 5, [&](const KernelContext&) {
      std::this_thread::sleep_for(std::chrono::microseconds(100));
      ran.fetch_add(1);
    }));
    EXPECT_EQ(ran.load(), 5) << "launch returned before the kernel ran";
  }
  EXPECT_EQ(s.launch("blocking_failure", 1, [](const KernelContext&) { throw std::runtime_error("x"); }),
            Status::kTaskFailed);
  EXPECT_NE(std::string(last_error_message()).find("blocking_failure"), std::string::npos) << last_error_message();
  EXPECT_OK(s.synchronize()) << "the failure was already reported by launch";
  EXPECT_EQ(s.launch("status_failure", 1, [](const KernelContext&) { return Status::kInternal; }),
            Status::kTaskFailed);
  EXPECT_OK(s.query());

  std::vector<int> host(256, 7), back(256, 0);
  void* d = dev.malloc(1024).value();
  EXPECT_OK(s.memcpy_async(d, 1024, host.data(), 1024, CopyKind::kHostToDevice));
  EXPECT_OK(s.memcpy_async(back.data(), 1024, d, 1024, CopyKind::kDeviceToHost));
  EXPECT_EQ(back, host) << "copies must be synchronous too";
  std::atomic<int> cb{0};
  EXPECT_OK(s.host_func("cb", [&] { cb.store(1); }));
  EXPECT_EQ(cb.load(), 1);
  EXPECT_OK(vnpu::free(d));
}

TEST(Kernel, LaunchBlockingByConfig) {
  DeviceConfig c;
  c.compute_cores = 2;
  c.launch_blocking = 1;
  Device dev = Device::create(c).value();
  expect_launch_blocking(dev);
}

TEST(Kernel, LaunchBlockingByEnvironment) {
  test::ScopedEnv env("VNPU_LAUNCH_BLOCKING", "1");
  DeviceConfig c;
  c.compute_cores = 2;
  Device dev = Device::create(c).value();
  expect_launch_blocking(dev);
}

TEST(Kernel, LaunchBlockingOffByConfigOverridesEnvironment) {
  test::ScopedEnv env("VNPU_LAUNCH_BLOCKING", "1");
  Device dev = test::make_device(1).value();  // launch_blocking = 0
  EXPECT_FALSE(dev.info().launch_blocking);
  Stream s = dev.create_stream().value();
  test::Flag started, release;
  test::ScopedRelease guard(release);
  ASSERT_OK(test::launch_blocker(s, started, release));  // returns at once
  EXPECT_FALSE(release.is_set());
  release.set();
  EXPECT_OK(s.synchronize());
}

}  // namespace
}  // namespace vnpu
