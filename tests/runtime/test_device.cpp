// Device configuration (API and environment), process-wide devices, several devices at
// once, invalid configurations and empty handles.
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "support/test_support.hpp"

namespace vnpu {
namespace {

using test::ScopedEnv;

// Clears every VNPU_* variable that feeds DeviceConfig for the scope.
struct CleanEnv {
  ScopedEnv cores{"VNPU_CORES", std::nullopt};
  ScopedEnv engines{"VNPU_COPY_ENGINES", std::nullopt};
  ScopedEnv scratch{"VNPU_SCRATCH_BYTES", std::nullopt};
  ScopedEnv memory{"VNPU_DEVICE_MEMORY", std::nullopt};
  ScopedEnv pin{"VNPU_PIN", std::nullopt};
  ScopedEnv spin{"VNPU_SPIN_US", std::nullopt};
  ScopedEnv blocking{"VNPU_LAUNCH_BLOCKING", std::nullopt};
};

TEST(Device, ExplicitConfigIsHonoured) {
  DeviceConfig c;
  c.compute_cores = 3;
  c.copy_engines = 2;
  c.scratch_bytes = 192 * 1024;
  c.memory_bytes = 64u << 20;
  c.pin_threads = 0;
  c.spin_us = 7;
  c.launch_blocking = 0;
  c.name = "unit-test-device";
  Device dev = Device::create(c).value();
  const DeviceInfo& info = dev.info();
  EXPECT_GE(info.id, 0);
  EXPECT_EQ(info.name, "unit-test-device");
  EXPECT_EQ(info.compute_cores, 3);
  EXPECT_EQ(info.copy_engines, 2);
  EXPECT_EQ(info.scratch_bytes, 192u * 1024u);
  EXPECT_EQ(info.memory_bytes, 64u << 20);
  EXPECT_FALSE(info.pinned);
  ASSERT_EQ(info.compute_cpus.size(), 3u);
  for (int cpu : info.compute_cpus) EXPECT_EQ(cpu, -1);
  EXPECT_EQ(info.spin_us, 7);
  EXPECT_FALSE(info.launch_blocking);
  MemInfo m = dev.mem_info();
  EXPECT_EQ(m.total, 64u << 20);
  EXPECT_EQ(m.free, 64u << 20);
}

TEST(Device, AutoConfigUsesDefaultsWithoutEnvironment) {
  CleanEnv env;
  Device dev = Device::create().value();
  const DeviceInfo& info = dev.info();
  const CpuInfo& cpu = cpu_info();
  EXPECT_EQ(info.compute_cores, cpu.usable_cpus);
  EXPECT_EQ(info.copy_engines, 1);
  if (cpu.l2_per_core != 0) {
    EXPECT_EQ(info.scratch_bytes, cpu.l2_per_core);
  }
  EXPECT_GT(info.scratch_bytes, 0u);
  EXPECT_EQ(info.memory_bytes, cpu.memory_bytes / 2);
  EXPECT_EQ(info.spin_us, 50);
  EXPECT_FALSE(info.launch_blocking);
  EXPECT_EQ(info.name, "vnpu" + std::to_string(info.id));
  EXPECT_EQ(info.compute_cpus.size(), static_cast<std::size_t>(info.compute_cores));
  if (info.pinned) {
    for (int c : info.compute_cpus) {
      EXPECT_GE(c, 0);
      EXPECT_LT(c, cpu.logical_cpus);
    }
  }
}

TEST(Device, CpuInfoIsConsistent) {
  const CpuInfo& cpu = cpu_info();
  EXPECT_GE(cpu.logical_cpus, 1);
  EXPECT_GE(cpu.usable_cpus, 1);
  EXPECT_LE(cpu.usable_cpus, static_cast<int>(cpu.affinity.size()));
  EXPECT_GT(cpu.memory_bytes, 0u);
  EXPECT_EQ(&cpu, &cpu_info());
}

TEST(Device, AutoFieldsReadEnvironment) {
  CleanEnv clean;
  ScopedEnv cores("VNPU_CORES", "3");
  ScopedEnv engines("VNPU_COPY_ENGINES", "2");
  ScopedEnv scratch("VNPU_SCRATCH_BYTES", "131072");
  ScopedEnv memory("VNPU_DEVICE_MEMORY", "33554432");
  ScopedEnv pin("VNPU_PIN", "0");
  ScopedEnv spin("VNPU_SPIN_US", "9");
  Device dev = Device::create().value();
  const DeviceInfo& info = dev.info();
  EXPECT_EQ(info.compute_cores, 3);
  EXPECT_EQ(info.copy_engines, 2);
  EXPECT_EQ(info.scratch_bytes, 131072u);
  EXPECT_EQ(info.memory_bytes, 33554432u);
  EXPECT_FALSE(info.pinned);
  EXPECT_EQ(info.spin_us, 9);
  EXPECT_EQ(dev.mem_info().total, 33554432u);
}

TEST(Device, ZeroCopyEnginesFromEnvironment) {
  CleanEnv clean;
  ScopedEnv engines("VNPU_COPY_ENGINES", "0");
  Device dev = Device::create().value();
  EXPECT_EQ(dev.info().copy_engines, 0);
}

TEST(Device, ExplicitFieldsOverrideEnvironment) {
  CleanEnv clean;
  ScopedEnv cores("VNPU_CORES", "3");
  ScopedEnv engines("VNPU_COPY_ENGINES", "2");
  DeviceConfig c;
  c.compute_cores = 1;
  c.copy_engines = 0;
  Device dev = Device::create(c).value();
  EXPECT_EQ(dev.info().compute_cores, 1);
  EXPECT_EQ(dev.info().copy_engines, 0);
}

TEST(Device, EnvironmentIsReadAtCreation) {
  CleanEnv clean;
  Device a;
  {
    ScopedEnv cores("VNPU_CORES", "2");
    a = Device::create().value();
  }
  Device b;
  {
    ScopedEnv cores("VNPU_CORES", "1");
    b = Device::create().value();
  }
  EXPECT_EQ(a.info().compute_cores, 2);
  EXPECT_EQ(b.info().compute_cores, 1);
}

TEST(Device, CopiesWorkWithoutCopyEngines) {
  Device dev = test::make_device(1, 0).value();
  Stream s = dev.create_stream().value();
  std::vector<int> src(1000), dst(1000, 0);
  for (int i = 0; i < 1000; ++i) src[static_cast<std::size_t>(i)] = i * 3;
  void* d = dev.malloc(4000).value();
  EXPECT_OK(s.memcpy_async(d, 4000, src.data(), 4000, CopyKind::kHostToDevice));
  EXPECT_OK(s.memset_async(d, 4000, 0, 8));
  EXPECT_OK(s.memcpy_async(dst.data(), 4000, d, 4000, CopyKind::kDeviceToHost));
  EXPECT_OK(s.synchronize());
  EXPECT_EQ(dst[0], 0);
  EXPECT_EQ(dst[1], 0);
  for (int i = 2; i < 1000; ++i) EXPECT_EQ(dst[static_cast<std::size_t>(i)], i * 3);
  EXPECT_OK(vnpu::free(d));
}

TEST(Device, InvalidConfigsAreRejected) {
  auto expect_invalid = [](DeviceConfig c, const char* what) {
    Expected<Device> d = Device::create(c);
    EXPECT_EQ(d.status(), Status::kInvalidArgument) << what;
    if (!d) {
      EXPECT_GT(std::strlen(last_error_message()), 0u) << what;
    }
  };
  DeviceConfig c;
  c.compute_cores = -1;
  expect_invalid(c, "compute_cores -1");
  c = {};
  c.compute_cores = 1025;
  expect_invalid(c, "compute_cores 1025");
  c = {};
  c.copy_engines = -2;
  expect_invalid(c, "copy_engines -2");
  c = {};
  c.copy_engines = 1025;
  expect_invalid(c, "copy_engines 1025");
  c = {};
  c.pin_threads = -2;
  expect_invalid(c, "pin_threads -2");
  c = {};
  c.spin_us = -2;
  expect_invalid(c, "spin_us -2");
  c = {};
  c.launch_blocking = -2;
  expect_invalid(c, "launch_blocking -2");
}

TEST(Device, ProcessWideDevices) {
  ASSERT_GE(Device::count(), 1);
  Device a = Device::get(0).value();
  Device b = Device::get(0).value();
  EXPECT_EQ(a.impl(), b.impl());
  EXPECT_EQ(a.info().id, 0);
  EXPECT_EQ(Device::get(Device::count()).status(), Status::kInvalidDevice);
  EXPECT_GT(std::strlen(last_error_message()), 0u);
  EXPECT_EQ(Device::get(-1).status(), Status::kInvalidDevice);
}

TEST(DeviceDeathTest, CountFollowsVnpuDevices) {
  // The process-wide device table is built once per process, so check it in a fresh one.
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        ::setenv("VNPU_DEVICES", "3", 1);
        bool ok = Device::count() == 3;
        Expected<Device> last = Device::get(2);
        ok = ok && last.has_value() && last->info().id == 2;
        ok = ok && Device::get(3).status() == Status::kInvalidDevice;
        std::_Exit(ok ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "");
}

TEST(DeviceDeathTest, OutOfRangeVnpuDevicesIsIgnoredWithAWarning) {
  // Like a value that is not a number: a warning naming the variable, then the default.
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  for (const char* value : {"0", "-1", "100000"}) {
    EXPECT_EXIT(
        {
          ::setenv("VNPU_DEVICES", value, 1);
          std::_Exit(Device::count() == 1 ? 0 : 1);
        },
        ::testing::ExitedWithCode(0), std::string("vnpu: ignoring VNPU_DEVICES=") + value + ": must be 1\\.\\.64")
        << "VNPU_DEVICES=" << value;
  }
}

TEST(Device, ProcessWideDeviceOutlivesHandles) {
  void* p = nullptr;
  {
    Device a = Device::get(0).value();
    p = a.malloc(128).value();
  }
  // The device stays alive after its handles are gone: the allocation is still valid.
  PointerInfo pi = pointer_info(p);
  EXPECT_EQ(pi.type, MemoryType::kDevice);
  EXPECT_EQ(pi.device, 0);
  Device again = Device::get(0).value();
  Stream s = again.default_stream();
  std::atomic<int> ran{0};
  EXPECT_OK(s.launch("after_handles", 1, [&](const KernelContext&) { ran.fetch_add(1); }));
  EXPECT_OK(s.synchronize());
  EXPECT_EQ(ran.load(), 1);
  EXPECT_OK(vnpu::free(p));
}

TEST(Device, SeveralDevicesAtOnce) {
  std::vector<Device> devs;
  for (int i = 0; i < 3; ++i) devs.push_back(test::make_device(1 + i % 2).value());
  std::set<int> ids;
  for (const Device& d : devs) ids.insert(d.info().id);
  EXPECT_EQ(ids.size(), devs.size());

  std::vector<std::atomic<int>> seen(devs.size());
  std::vector<std::atomic<int>> wrong(devs.size());
  std::vector<Stream> streams;
  for (std::size_t i = 0; i < devs.size(); ++i) {
    streams.push_back(devs[i].create_stream().value());
    EXPECT_EQ(streams.back().device_id(), devs[i].info().id);
    EXPECT_EQ(devs[i].default_stream().device_id(), devs[i].info().id);
    int want = devs[i].info().id;
    int cores = devs[i].info().compute_cores;
    EXPECT_OK(streams[i].launch("per_device", 16, [&, i, want, cores](const KernelContext& k) {
      seen[i].fetch_add(1);
      if (k.device_id() != want || k.core() >= static_cast<std::uint32_t>(cores)) wrong[i].fetch_add(1);
    }));
  }
  for (Stream& s : streams) EXPECT_OK(s.synchronize());
  for (std::size_t i = 0; i < devs.size(); ++i) {
    EXPECT_EQ(seen[i].load(), 16);
    EXPECT_EQ(wrong[i].load(), 0);
  }
}

TEST(Device, HandlesCopyAndMove) {
  Device a = test::make_device(1).value();
  Device b = a;
  EXPECT_EQ(a.impl(), b.impl());
  Device c = std::move(b);
  EXPECT_FALSE(b);  // NOLINT: moved-from is empty by contract
  EXPECT_TRUE(c);
  EXPECT_EQ(c.impl(), a.impl());
  Device d;
  EXPECT_FALSE(d);
  d = c;
  EXPECT_EQ(d.impl(), a.impl());
  d = std::move(c);
  EXPECT_EQ(d.impl(), a.impl());
}

TEST(Device, EmptyHandleIsRejected) {
  Device empty;
  EXPECT_EQ(empty.synchronize(), Status::kInvalidHandle);
  EXPECT_EQ(empty.synchronize(std::chrono::milliseconds(1)), Status::kInvalidHandle);
  EXPECT_EQ(empty.malloc(64).status(), Status::kInvalidHandle);
  EXPECT_EQ(empty.malloc_host(64).status(), Status::kInvalidHandle);
  EXPECT_EQ(empty.create_stream().status(), Status::kInvalidHandle);
  EXPECT_FALSE(empty.default_stream());
}

TEST(Device, SynchronizeWaitsForEveryStream) {
  Device dev = test::make_device(2).value();
  std::vector<Stream> streams;
  for (int i = 0; i < 4; ++i) streams.push_back(dev.create_stream().value());
  streams.push_back(dev.default_stream());
  std::atomic<int> done{0};
  for (Stream& s : streams) {
    for (int k = 0; k < 5; ++k) {
      EXPECT_OK(s.launch("work", 2, [&](const KernelContext&) {
        std::this_thread::sleep_for(std::chrono::microseconds(200));
        done.fetch_add(1);
      }));
    }
  }
  EXPECT_OK(dev.synchronize());
  EXPECT_EQ(done.load(), static_cast<int>(streams.size()) * 5 * 2);
  for (Stream& s : streams) EXPECT_OK(s.query());
}

TEST(Device, SynchronizeTimesOutAndStaysUsable) {
  Device dev = test::make_device(1).value();
  Stream s = dev.create_stream().value();
  test::Flag started, release;
  test::ScopedRelease guard(release);
  ASSERT_OK(test::launch_blocker(s, started, release));
  ASSERT_TRUE(started.wait());
  EXPECT_EQ(dev.synchronize(std::chrono::milliseconds(20)), Status::kTimeout);
  EXPECT_EQ(dev.synchronize(std::chrono::nanoseconds(0)), Status::kTimeout);
  release.set();
  EXPECT_OK(dev.synchronize(std::chrono::nanoseconds(-1)));
  std::atomic<int> ran{0};
  EXPECT_OK(s.launch("after", 1, [&](const KernelContext&) { ran.store(1); }));
  EXPECT_OK(dev.synchronize());
  EXPECT_EQ(ran.load(), 1);
}

TEST(Device, LastHandleDroppedWithPendingWorkLetsItFinish) {
  test::Flag started, release;
  test::ScopedRelease guard(release);
  auto counter = std::make_shared<std::atomic<int>>(0);
  {
    Device dev = test::make_device(1).value();
    Stream s = dev.create_stream().value();
    ASSERT_OK(test::launch_blocker(s, started, release));
    for (int i = 0; i < 10; ++i) {
      ASSERT_OK(s.launch("pending", 1, [counter](const KernelContext&) { counter->fetch_add(1); }));
    }
    ASSERT_TRUE(started.wait());
  }  // the device and stream handles are gone; the work is still queued
  release.set();
  EXPECT_TRUE(test::wait_until([&] { return counter->load() == 10; }));
}

TEST(Device, StreamKeepsDeviceAlive) {
  Stream s;
  {
    Device dev = test::make_device(1).value();
    s = dev.create_stream().value();
  }
  std::atomic<int> ran{0};
  EXPECT_OK(s.launch("orphan", 4, [&](const KernelContext&) { ran.fetch_add(1); }));
  EXPECT_OK(s.synchronize());
  EXPECT_EQ(ran.load(), 4);
}

TEST(Device, CreateAndDestroyManyDevices) {
  for (int i = 0; i < test::scaled(20, 4); ++i) {
    Device dev = test::make_device(1 + i % 2, i % 2).value();
    Stream s = dev.create_stream().value();
    std::atomic<int> ran{0};
    EXPECT_OK(s.launch("churn", 3, [&](const KernelContext&) { ran.fetch_add(1); }));
    EXPECT_OK(s.synchronize());
    EXPECT_EQ(ran.load(), 3);
  }
}

}  // namespace
}  // namespace vnpu
