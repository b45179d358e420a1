// The kernel model's bounds under hostile use: DMA transfers that do not fit the core's
// scratch arena fail the kernel before a byte moves, a write past the arena faults on its
// guard page instead of corrupting the heap, Scratch::allocate<T> refuses a count whose
// byte size overflows, absurd scratch and memory sizes are refused at device creation,
// and a stream reports every failure since its last synchronize.
#include <csignal>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <string>

#include "kernel/kernel_support.hpp"

namespace vnpu {
namespace {

using test::kernel_device;

constexpr std::size_t kScratch = 64 << 10;

// Runs `body` as a one-block kernel and returns the stream's report.
template <class F>
std::pair<Status, std::string> run_block(F body) {
  Device dev = kernel_device(1, kScratch);
  Stream s = dev.create_stream().value();
  EXPECT_OK(s.launch("bounds", 1, body));
  const Status st = test::bounded_sync(s);
  return {st, last_error_message()};
}

TEST(DmaBounds, CopyInLargerThanTheArenaFailsTheKernel) {
  std::vector<unsigned char> src(kScratch * 2, 7);
  const unsigned char* p = src.data();
  auto reached = std::make_shared<bool>(false);
  const auto [st, msg] = run_block([p, reached](const KernelContext& k) {
    auto* buf = static_cast<unsigned char*>(k.scratch().allocate(1024));
    (void)k.dma().copy_in(buf, p, kScratch * 2);
    *reached = true;
  });
  EXPECT_EQ(st, Status::kTaskFailed);
  EXPECT_TRUE(test::contains_nocase(msg, "copy_in")) << msg;
  EXPECT_TRUE(test::contains_nocase(msg, "scratch arena")) << msg;
  EXPECT_FALSE(*reached);
}

TEST(DmaBounds, CopyInRunningOffTheEndFailsAndInsideWorks) {
  std::vector<unsigned char> src(kScratch, 3);
  const unsigned char* p = src.data();
  auto last_ok = std::make_shared<bool>(false);
  const auto [st, msg] = run_block([p, last_ok](const KernelContext& k) {
    auto* base = static_cast<unsigned char*>(k.scratch().allocate(kScratch));
    // The last 64 bytes of the arena: fits exactly.
    k.dma().wait(k.dma().copy_in(base + kScratch - 64, p, 64));
    *last_ok = base[kScratch - 1] == 3;
    (void)k.dma().copy_in(base + kScratch - 64, p, 65);  // one byte too many
  });
  EXPECT_TRUE(*last_ok);
  EXPECT_EQ(st, Status::kTaskFailed);
  EXPECT_TRUE(test::contains_nocase(msg, "runs past the end")) << msg;
}

TEST(DmaBounds, TwoDimensionalAndCopyOutAreChecked) {
  std::vector<float> m(1 << 16, 1.0f);
  const float* src = m.data();
  const auto [st, msg] = run_block([src](const KernelContext& k) {
    float* buf = k.scratch().allocate<float>(256);
    // 1024 rows of 64 bytes is 64 KiB + nothing: it fits only from the arena's start.
    (void)k.dma().copy_in_2d(buf + 16, src, 1024, 64, 256);
  });
  EXPECT_EQ(st, Status::kTaskFailed);
  EXPECT_TRUE(test::contains_nocase(msg, "copy_in")) << msg;

  std::vector<unsigned char> host(128);
  unsigned char* out = host.data();
  const auto [st2, msg2] = run_block([out](const KernelContext& k) {
    static unsigned char not_scratch[64];
    (void)k.dma().copy_out(out, not_scratch, 64);
  });
  EXPECT_EQ(st2, Status::kTaskFailed);
  EXPECT_TRUE(test::contains_nocase(msg2, "not in the core's scratch arena")) << msg2;

  // rows * row_bytes overflowing size_t is refused, not wrapped to a small count.
  const auto [st3, msg3] = run_block([src](const KernelContext& k) {
    float* buf = k.scratch().allocate<float>(16);
    (void)k.dma().copy_in_2d(buf, src, std::numeric_limits<std::size_t>::max() / 2, 4, 4);
  });
  EXPECT_EQ(st3, Status::kTaskFailed);
  EXPECT_TRUE(test::contains_nocase(msg3, "overflow")) << msg3;
}

TEST(ScratchBounds, AllocateCountWhoseBytesOverflow) {
  const auto [st, msg] = run_block([](const KernelContext& k) {
    (void)k.scratch().allocate<double>(std::numeric_limits<std::size_t>::max() / 4);
  });
  EXPECT_EQ(st, Status::kTaskFailed);
  EXPECT_TRUE(test::contains_nocase(msg, "scratch overflow")) << msg;

  // The same on a free-standing Scratch (no kernel): a vnpu::Error with kScratchOverflow.
  alignas(64) unsigned char mem[256];
  Scratch arena(mem, sizeof mem);
  try {
    (void)arena.allocate<std::uint32_t>(std::numeric_limits<std::size_t>::max() / 2 + 7);
    ADD_FAILURE() << "allocate<uint32_t>(huge) returned a buffer";
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), Status::kScratchOverflow);
  }
  EXPECT_EQ(arena.used(), 0u);
}

#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
// A plain store past the arena lands on the guard page: the process dies at once, where it
// used to scribble over the heap.
TEST(ScratchBoundsDeathTest, WritePastTheArenaFaults) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        Device dev = kernel_device(1, kScratch);
        Stream s = dev.create_stream().value();
        (void)s.launch("overrun", 1, [](const KernelContext& k) {
          auto* p = static_cast<volatile unsigned char*>(k.scratch().allocate(kScratch));
          for (std::size_t i = 0; i < kScratch + 8192; i += 64) p[i] = 1;
        });
        (void)s.synchronize();
        std::fprintf(stderr, "not reached\n");
        std::_Exit(0);
      },
      "");
}
#endif

TEST(DeviceLimits, AbsurdScratchAndMemorySizesAreRefused) {
  DeviceConfig c;
  c.compute_cores = 1;
  c.scratch_bytes = std::numeric_limits<std::size_t>::max() - 10;
  auto d = Device::create(c);
  EXPECT_EQ(d.status(), Status::kInvalidArgument);
  EXPECT_TRUE(test::contains_nocase(last_error_message(), "scratch_bytes")) << last_error_message();

  c.scratch_bytes = 0;
  c.memory_bytes = std::numeric_limits<std::size_t>::max();
  d = Device::create(c);
  EXPECT_EQ(d.status(), Status::kInvalidArgument);
  EXPECT_TRUE(test::contains_nocase(last_error_message(), "memory_bytes")) << last_error_message();

  c.memory_bytes = std::size_t{64} << 20;
  c.scratch_bytes = DeviceConfig::kMaxScratchBytes;
  d = Device::create(c);  // the largest allowed is fine (its pages are touched on first use)
  ASSERT_TRUE(d.has_value()) << last_error_message();
  EXPECT_EQ(d->info().scratch_bytes, DeviceConfig::kMaxScratchBytes);
}

TEST(DeviceLimits, EnvironmentSizesThatOverflowAreRefused) {
  DeviceConfig c;
  c.compute_cores = 1;
  {
    // 17179869184 GiB is 2^64 bytes: it used to wrap to a capacity of 0.
    test::ScopedEnv env("VNPU_DEVICE_MEMORY", "17179869184G");
    auto d = Device::create(c);
    EXPECT_EQ(d.status(), Status::kInvalidArgument);
    EXPECT_TRUE(test::contains_nocase(last_error_message(), "VNPU_DEVICE_MEMORY=17179869184G"))
        << last_error_message();
  }
  {
    test::ScopedEnv env("VNPU_DEVICE_MEMORY", "99999999999999999999999");  // beyond 64 bits
    EXPECT_EQ(Device::create(c).status(), Status::kInvalidArgument);
  }
  {
    test::ScopedEnv env("VNPU_SCRATCH_BYTES", "18446744073709551615");
    auto d = Device::create(c);
    EXPECT_EQ(d.status(), Status::kInvalidArgument);
    EXPECT_TRUE(test::contains_nocase(last_error_message(), "VNPU_SCRATCH_BYTES")) << last_error_message();
  }
  {
    test::ScopedEnv env("VNPU_SCRATCH_BYTES", "4194303K");  // 4 GiB - 1 KiB: above the 1 GiB cap
    EXPECT_EQ(Device::create(c).status(), Status::kInvalidArgument);
  }
  {
    test::ScopedEnv env("VNPU_SCRATCH_BYTES", "192K");
    auto d = Device::create(c);
    ASSERT_TRUE(d.has_value()) << last_error_message();
    EXPECT_EQ(d->info().scratch_bytes, std::size_t{192} << 10);
  }
}

TEST(StreamFailures, EveryFailureSinceTheLastSynchronizeIsCounted) {
  Device dev = kernel_device(1);
  Stream s = dev.create_stream().value();
  for (int i = 0; i < 4; ++i) {
    ASSERT_OK(s.launch("fails", 1, [i](const KernelContext&) -> Status {
      throw std::runtime_error("failure number " + std::to_string(i));
    }));
  }
  EXPECT_EQ(test::bounded_sync(s), Status::kTaskFailed);
  const std::string msg = last_error_message();
  EXPECT_NE(msg.find("failure number 0"), std::string::npos) << msg;
  EXPECT_NE(msg.find("and 3 more failed tasks since"), std::string::npos) << msg;
  EXPECT_OK(test::bounded_sync(s));
  ASSERT_OK(s.launch("fails once", 1, [](const KernelContext&) -> Status { throw std::runtime_error("alone"); }));
  EXPECT_EQ(test::bounded_sync(s), Status::kTaskFailed);
  EXPECT_EQ(std::string(last_error_message()).find("more failed"), std::string::npos) << last_error_message();
}

}  // namespace
}  // namespace vnpu
