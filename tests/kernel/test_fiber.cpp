// Fibers (src/platform/fiber.hpp): each runs its entry on its own stack, suspends back to
// the thread that resumed it and continues where it left off; interleavings follow the
// resume order; deep stacks and floating-point state survive switches.
#include <cmath>
#include <cstdint>
#include <memory>
#include <vector>

#include <gtest/gtest.h>

#include "platform/fiber.hpp"

namespace vnpu::detail {
namespace {

struct Log {
  std::vector<int> events;
};

struct Worker {
  Log* log;
  int id;
  int rounds;
};

void interleaved(void* p) {
  auto* w = static_cast<Worker*>(p);
  for (int r = 0; r < w->rounds; ++r) {
    w->log->events.push_back(w->id * 100 + r);
    EXPECT_NE(Fiber::current(), nullptr);
    Fiber::suspend();
  }
}

TEST(Fiber, RoundRobinInterleavesAndFinishes) {
  Log log;
  constexpr int kFibers = 5, kRounds = 4;
  std::vector<Worker> workers;
  for (int i = 0; i < kFibers; ++i) workers.push_back({&log, i, kRounds});
  std::vector<std::unique_ptr<Fiber>> fibers;
  for (auto& w : workers) fibers.push_back(std::make_unique<Fiber>(interleaved, &w, Fiber::kDefaultStackBytes));
  for (auto& f : fibers) ASSERT_TRUE(f->valid());
  EXPECT_EQ(Fiber::current(), nullptr);
  int running = kFibers;
  while (running > 0) {
    running = 0;
    for (auto& f : fibers)
      if (!f->finished() && !f->resume()) ++running;
  }
  EXPECT_EQ(Fiber::current(), nullptr);
  ASSERT_EQ(log.events.size(), static_cast<std::size_t>(kFibers * kRounds));
  for (int r = 0; r < kRounds; ++r)
    for (int i = 0; i < kFibers; ++i) EXPECT_EQ(log.events[r * kFibers + i], i * 100 + r);
  for (auto& f : fibers) EXPECT_TRUE(f->resume());  // finished fibers stay finished
}

// Recursion that needs tens of KiB of stack, and floating-point values live across switches.
double deep(int n, double x) {
  volatile char pad[512];
  pad[0] = static_cast<char>(n);
  if (n == 0) {
    Fiber::suspend();
    return x + pad[0];
  }
  return deep(n - 1, x * 1.0000001) + 1.0;
}

struct DeepArg {
  double result = 0;
};

void deep_entry(void* p) { static_cast<DeepArg*>(p)->result = deep(100, 3.0) + std::sqrt(2.0); }

TEST(Fiber, DeepStacksAndFloatingPointSurviveSwitches) {
  DeepArg a, b;
  Fiber fa(deep_entry, &a, Fiber::kDefaultStackBytes);
  Fiber fb(deep_entry, &b, Fiber::kDefaultStackBytes);
  EXPECT_FALSE(fa.resume());
  EXPECT_FALSE(fb.resume());
  const double live = std::sin(0.5) * 7.0;  // registers in use by the resumer
  EXPECT_TRUE(fb.resume());
  EXPECT_TRUE(fa.resume());
  EXPECT_EQ(live, std::sin(0.5) * 7.0);
  const double expected = [] {
    double x = 3.0;
    for (int i = 0; i < 100; ++i) x *= 1.0000001;
    return x + 100.0 + std::sqrt(2.0);
  }();
  EXPECT_DOUBLE_EQ(a.result, expected);
  EXPECT_DOUBLE_EQ(b.result, expected);
}

TEST(Fiber, ManyFibersOneAfterAnother) {
  // Creating, running and destroying fibers in sequence (as lanes do, launch after launch).
  int total = 0;
  for (int i = 0; i < 2000; ++i) {
    Fiber f([](void* p) { ++*static_cast<int*>(p); }, &total, 64 << 10);
    ASSERT_TRUE(f.resume());
  }
  EXPECT_EQ(total, 2000);
}

}  // namespace
}  // namespace vnpu::detail
