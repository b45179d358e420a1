// The waiting policy: spin for a bounded time, then park; never burn a core spinning when
// the runtime's busy threads already fill the CPUs. Checked through CPU time, which a
// parked thread does not consume (generous bounds: these are properties, not timings).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <ctime>
#include <thread>

#include "support/test_support.hpp"
#include "vnpu/vnpu.hpp"

namespace {

using namespace std::chrono_literals;

double cpu_seconds(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Busy-waits (burning CPU on purpose) for `d` of wall time.
void burn(std::chrono::milliseconds d) {
  const auto end = std::chrono::steady_clock::now() + d;
  while (std::chrono::steady_clock::now() < end) {
  }
}

TEST(Waiting, HostSynchronizeParksWhileEveryCoreIsBusy) {
  const int cpus = vnpu::cpu_info().usable_cpus;
  vnpu::DeviceConfig cfg;
  cfg.compute_cores = cpus;
  cfg.copy_engines = 0;
  auto dev = vnpu::Device::create(cfg).value();
  auto s = dev.create_stream().value();
  ASSERT_EQ(s.launch("burn", static_cast<std::uint32_t>(cpus), [](const vnpu::KernelContext&) { burn(400ms); }),
            vnpu::Status::kSuccess);
  const double before = cpu_seconds(CLOCK_THREAD_CPUTIME_ID);
  ASSERT_EQ(s.synchronize(), vnpu::Status::kSuccess);
  const double host_cpu = cpu_seconds(CLOCK_THREAD_CPUTIME_ID) - before;
  // Spinning through the whole kernel would cost ~0.4 s of CPU; parking costs almost none.
  EXPECT_LT(host_cpu, 0.1) << "the waiting host thread kept spinning while all cores were busy";
}

TEST(Waiting, IdleDeviceStopsSpinning) {
  auto dev = vnpu::Device::create().value();
  auto s = dev.create_stream().value();
  for (int i = 0; i < 100; ++i) ASSERT_EQ(s.launch("touch", 2, [](const vnpu::KernelContext&) {}), vnpu::Status::kSuccess);
  ASSERT_EQ(s.synchronize(), vnpu::Status::kSuccess);
  std::this_thread::sleep_for(20ms);  // let bounded spins run out
  const double before = cpu_seconds(CLOCK_PROCESS_CPUTIME_ID);
  std::this_thread::sleep_for(400ms);
  const double idle_cpu = cpu_seconds(CLOCK_PROCESS_CPUTIME_ID) - before;
  // Workers that kept spinning would burn ~0.4 s per thread.
  EXPECT_LT(idle_cpu, 0.1) << "idle workers kept burning CPU";
}

// Work arriving shortly after the workers parked lengthens their spin (up to 2 ms): the
// spin must still end, so a device that then goes quiet stops burning CPU.
TEST(Waiting, SpinLengthenedByShortGapsStillEnds) {
  auto dev = vnpu::Device::create().value();
  auto s = dev.create_stream().value();
  for (int i = 0; i < 60; ++i) {
    ASSERT_EQ(s.launch("touch", 2, [](const vnpu::KernelContext&) {}), vnpu::Status::kSuccess);
    ASSERT_EQ(s.synchronize(), vnpu::Status::kSuccess);
    std::this_thread::sleep_for(std::chrono::microseconds(300 + 20 * i));  // gaps of 0.3-1.5 ms
  }
  std::this_thread::sleep_for(30ms);  // longer than any spin
  const double before = cpu_seconds(CLOCK_PROCESS_CPUTIME_ID);
  std::this_thread::sleep_for(400ms);
  const double idle_cpu = cpu_seconds(CLOCK_PROCESS_CPUTIME_ID) - before;
  EXPECT_LT(idle_cpu, 0.1) << "workers whose spin had grown kept burning CPU";
}

TEST(Waiting, EventBlockingSyncParksAtOnce) {
  vnpu::DeviceConfig cfg;
  cfg.compute_cores = 1;
  cfg.spin_us = 1000000;  // a device that would spin a long time...
  auto dev = vnpu::Device::create(cfg).value();
  auto s = dev.create_stream().value();
  auto ev = vnpu::Event::create(vnpu::kEventBlockingSync).value();  // ...but this event parks
  ASSERT_EQ(s.launch("sleep", 1, [](const vnpu::KernelContext&) { std::this_thread::sleep_for(300ms); }),
            vnpu::Status::kSuccess);
  ASSERT_EQ(s.record(ev), vnpu::Status::kSuccess);
  const double before = cpu_seconds(CLOCK_THREAD_CPUTIME_ID);
  ASSERT_EQ(ev.synchronize(), vnpu::Status::kSuccess);
  EXPECT_LT(cpu_seconds(CLOCK_THREAD_CPUTIME_ID) - before, 0.1);
}

TEST(Waiting, TimedWaitReturnsAndStreamStaysUsable) {
  auto dev = vnpu::Device::create().value();
  auto s = dev.create_stream().value();
  std::atomic<bool> release{false};
  ASSERT_EQ(s.launch("hold", 1, [&](const vnpu::KernelContext&) {
              while (!release.load()) std::this_thread::sleep_for(1ms);
            }),
            vnpu::Status::kSuccess);
  EXPECT_EQ(s.synchronize(20ms), vnpu::Status::kTimeout);
  EXPECT_EQ(s.query(), vnpu::Status::kNotReady);
  release = true;
  EXPECT_EQ(s.synchronize(), vnpu::Status::kSuccess);
  std::atomic<int> ran{0};
  ASSERT_EQ(s.launch("after", 3, [&](const vnpu::KernelContext&) { ++ran; }), vnpu::Status::kSuccess);
  EXPECT_EQ(s.synchronize(), vnpu::Status::kSuccess);
  EXPECT_EQ(ran.load(), 3);
}

}  // namespace
