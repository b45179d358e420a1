// LaunchOptions::avoid_cpu: blocks keep off the named CPU while a core pinned elsewhere is
// free, and still run there when no other core comes within the spin time. A copy engine
// moves off the CPU of a busy core to that of an idle one.
#include <dirent.h>
#include <sched.h>
#include <sys/types.h>

#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include <atomic>
#include <chrono>
#include <optional>
#include <vector>

#include "support/test_support.hpp"

namespace vnpu {
namespace {

// A device of two compute cores pinned to two different CPUs, or nothing where the
// process may not use two CPUs (the hint then has nothing to choose between).
std::optional<Device> two_pinned_cores(int spin_us, std::size_t memory_bytes = std::size_t{16} << 20) {
  DeviceConfig c;
  c.compute_cores = 2;
  c.copy_engines = 1;
  c.memory_bytes = memory_bytes;
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

// The id of the calling process's thread named `name`, or -1.
pid_t thread_named(const std::string& name) {
  DIR* dir = opendir("/proc/self/task");
  if (dir == nullptr) return -1;
  pid_t found = -1;
  while (dirent* e = readdir(dir)) {
    if (e->d_name[0] == '.') continue;
    std::ifstream comm(std::string("/proc/self/task/") + e->d_name + "/comm");
    std::string n;
    if (std::getline(comm, n) && n == name) found = static_cast<pid_t>(std::stoi(e->d_name));
  }
  closedir(dir);
  return found;
}

// The CPU thread `tid` of this process last ran on and whether it is running ('R'), from
// /proc (fields 3 and 39 of its stat line); -1 if unreadable.
int thread_cpu(pid_t tid, char* state) {
  std::ifstream f("/proc/self/task/" + std::to_string(tid) + "/stat");
  std::string line;
  if (!std::getline(f, line)) return -1;
  const std::size_t close = line.rfind(')');
  if (close == std::string::npos) return -1;
  std::istringstream rest(line.substr(close + 2));
  std::string field;
  for (int i = 3; i <= 39 && rest >> field; ++i) {
    if (i == 3) *state = field[0];
    if (i == 39) return std::stoi(field);
  }
  return -1;
}

TEST(Placement, ACopyEngineMovesOffTheCpuOfABusyCoreForTheCopy) {
  std::optional<Device> dev = two_pinned_cores(200, std::size_t{600} << 20);
  if (!dev) GTEST_SKIP() << "needs two usable CPUs for two pinned cores";
  // The engine names its thread itself once it runs.
  const std::string engine_name = (dev->info().name + "-dma-0").substr(0, 15);
  pid_t engine = -1;
  for (int i = 0; i < 1000 && engine < 0; ++i) {
    engine = thread_named(engine_name);
    if (engine < 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_GT(engine, 0) << "no thread named " << engine_name;
  Stream busy = dev->create_stream().value();
  Stream copies = dev->create_stream().value();
  // A kernel that keeps its core's CPU busy (spinning) until released.
  test::Flag started;
  std::atomic<bool> release{false};
  std::atomic<int> busy_cpu{-1};
  ASSERT_OK(busy.launch("spinner", 1, [&](const KernelContext&) {
    busy_cpu.store(sched_getcpu());
    started.set();
    while (!release.load(std::memory_order_acquire)) {
    }
  }));
  ASSERT_TRUE(started.wait()) << "the blocker never started";
  const auto& cpus = dev->info().compute_cpus;
  const int idle_cpu = cpus[0] == busy_cpu.load() ? cpus[1] : cpus[0];
  cpu_set_t before;
  CPU_ZERO(&before);
  ASSERT_EQ(sched_getaffinity(engine, sizeof before, &before), 0);
  // The copy engine starts on the busy core's CPU, as a scheduler that wakes it there
  // leaves it, and may use every CPU.
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(busy_cpu.load(), &set);
  ASSERT_EQ(sched_setaffinity(engine, sizeof set, &set), 0);
  ASSERT_EQ(sched_setaffinity(engine, sizeof before, &before), 0);
  constexpr std::size_t kBytes = std::size_t{256} << 20;  // tens of milliseconds
  void* a = dev->malloc(kBytes).value();
  void* b = dev->malloc(kBytes).value();
  std::memset(a, 1, kBytes);
  std::memset(b, 2, kBytes);
  ASSERT_OK(copies.memcpy_async(b, kBytes, a, kBytes));
  int on_idle = 0, on_busy = 0;
  while (copies.query() == Status::kNotReady) {
    char state = '?';
    const int cpu = thread_cpu(engine, &state);
    if (state == 'R') (cpu == idle_cpu ? on_idle : on_busy) += 1;
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  ASSERT_OK(copies.synchronize());
  EXPECT_GT(on_idle, 0) << "the copy engine was never seen running on the idle core's CPU";
  EXPECT_LE(on_busy, on_idle / 4) << "running on the busy core's CPU " << on_busy << " times, the idle one's "
                                  << on_idle;
  cpu_set_t after;
  CPU_ZERO(&after);
  ASSERT_EQ(sched_getaffinity(engine, sizeof after, &after), 0);
  EXPECT_TRUE(CPU_EQUAL(&before, &after)) << "the copy engine keeps its CPUs after the copy";
  release.store(true, std::memory_order_release);
  ASSERT_OK(busy.synchronize());
  ASSERT_OK(vnpu::free(a));
  ASSERT_OK(vnpu::free(b));
}

}  // namespace
}  // namespace vnpu
