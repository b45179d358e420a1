// LaunchOptions::avoid_cpu: blocks keep off the named CPU while a core pinned elsewhere is
// free, and still run there when no other core comes within the spin time.
#include <sched.h>

#include <atomic>
#include <chrono>
#include <optional>
#include <vector>

#include "support/test_support.hpp"

namespace vnpu {
namespace {

// A device of two compute cores pinned to two different CPUs, or nothing where the
// process may not use two CPUs (the hint then has nothing to choose between).
std::optional<Device> two_pinned_cores(int spin_us) {
  DeviceConfig c;
  c.compute_cores = 2;
  c.copy_engines = 1;
  c.memory_bytes = std::size_t{16} << 20;
  c.pin_threads = 1;
  c.spin_us = spin_us;
  c.launch_blocking = 0;
  Expected<Device> dev = Device::create(c);
  if (!dev || !dev->info().pinned) return std::nullopt;
  const auto& cpus = dev->info().compute_cpus;
  if (cpus.size() != 2 || cpus[0] == cpus[1]) return std::nullopt;
  return *dev;
}

TEST(Placement, BlocksAvoidTheHintedCpuWhileAnotherCoreIsFree) {
  // A long spin time: the other core always comes before the avoided one may step in.
  std::optional<Device> dev = two_pinned_cores(500000);
  if (!dev) GTEST_SKIP() << "needs two usable CPUs for two pinned cores";
  Stream s = dev->create_stream().value();
  for (int avoided : dev->info().compute_cpus) {
    std::vector<int> ran_on;
    for (int i = 0; i < 50; ++i) {
      LaunchOptions lo;
      lo.avoid_cpu = avoided;
      int cpu = -2;
      ASSERT_OK(s.launch("placed", 1, lo, [&cpu](const KernelContext&) { cpu = sched_getcpu(); }));
      ASSERT_OK(s.synchronize());
      ran_on.push_back(cpu);
    }
    for (int cpu : ran_on) EXPECT_NE(cpu, avoided) << "a block ran on the CPU it was told to avoid";
  }
}

TEST(Placement, MultiBlockLaunchesWithTheHintRunEveryBlockOnce) {
  std::optional<Device> dev = two_pinned_cores(200);
  if (!dev) GTEST_SKIP() << "needs two usable CPUs for two pinned cores";
  Stream s = dev->create_stream().value();
  for (std::uint32_t blocks : {1u, 2u, 3u, 7u, 64u}) {
    std::vector<std::atomic<int>> hits(blocks);
    LaunchOptions lo;
    lo.avoid_cpu = dev->info().compute_cpus[0];
    for (int l = 0; l < 5; ++l)
      ASSERT_OK(s.launch("placed", blocks, lo, [&hits](const KernelContext& k) { hits[k.block_idx()].fetch_add(1); }));
    ASSERT_OK(s.synchronize());
    for (std::uint32_t b = 0; b < blocks; ++b) EXPECT_EQ(hits[b].load(), 5) << blocks << " blocks, block " << b;
  }
}

TEST(Placement, TheAvoidedCoreStepsInWhenTheOtherStaysBusy) {
  // 2 ms of spin time: the hinted block waits at most that long for the busy core.
  std::optional<Device> dev = two_pinned_cores(2000);
  if (!dev) GTEST_SKIP() << "needs two usable CPUs for two pinned cores";
  Stream busy = dev->create_stream().value();
  Stream s = dev->create_stream().value();
  test::Flag started, release;
  ASSERT_OK(test::launch_blocker(busy, started, release));
  ASSERT_TRUE(started.wait()) << "the blocker never started";
  // The blocker holds one of the two cores. A hint naming the busy core's CPU leaves the
  // block to the idle core; one naming the idle core's CPU finds no other core free, so
  // the idle core must step in after the spin time. Both run while the blocker holds.
  for (int avoided : dev->info().compute_cpus) {
    LaunchOptions lo;
    lo.avoid_cpu = avoided;
    std::atomic<int> cpu{-2};
    ASSERT_OK(s.launch("placed", 1, lo, [&cpu](const KernelContext&) { cpu.store(sched_getcpu()); }));
    // Far less than the blocker's hold (10 s), far more than the spin time.
    EXPECT_TRUE(test::wait_until([&] { return cpu.load() != -2; }, std::chrono::seconds(3)))
        << "the hinted block did not run beside the busy core";
    ASSERT_OK(s.synchronize());
  }
  EXPECT_FALSE(release.is_set());
  release.set();
  EXPECT_OK(busy.synchronize());
}

TEST(Placement, HintsOnUnpinnedDevicesAndUnknownCpusAreHarmless) {
  Device dev = test::make_device(2).value();  // unpinned unless VNPU_PIN says otherwise
  Stream s = dev.create_stream().value();
  std::atomic<int> runs{0};
  for (int hint : {-1, 0, 1, 4095, 1 << 20}) {
    LaunchOptions lo;
    lo.avoid_cpu = hint;
    ASSERT_OK(s.launch("placed", 3, lo, [&runs](const KernelContext&) { runs.fetch_add(1); }));
  }
  ASSERT_OK(s.synchronize());
  EXPECT_EQ(runs.load(), 15);
}

}  // namespace
}  // namespace vnpu
