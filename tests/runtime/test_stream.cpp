// Streams: in-order execution, concurrency between streams, the default stream, query,
// timed synchronize, destruction with pending work, priorities, handle errors.
#include <algorithm>
#include <atomic>
#include <cstring>
#include <memory>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "support/test_support.hpp"

namespace vnpu {
namespace {

TEST(Stream, IdsAndProperties) {
  Device dev = test::make_device(1).value();
  Stream def = dev.default_stream();
  ASSERT_TRUE(def);
  EXPECT_EQ(def.id(), 0u);
  EXPECT_EQ(def.device_id(), dev.info().id);
  EXPECT_EQ(dev.default_stream().impl(), def.impl());
  std::set<std::uint64_t> ids{0};
  for (int i = 0; i < 10; ++i) {
    Stream s = dev.create_stream().value();
    EXPECT_TRUE(ids.insert(s.id()).second) << "stream ids must be unique";
    EXPECT_EQ(s.priority(), kPriorityNormal);
    EXPECT_EQ(s.device_id(), dev.info().id);
    EXPECT_EQ(s.submitted(), 0u);
    EXPECT_EQ(s.completed(), 0u);
  }
  StreamOptions o;
  o.priority = kPriorityHighest;
  EXPECT_EQ(dev.create_stream(o).value().priority(), kPriorityHighest);
  o.priority = kPriorityLowest;
  EXPECT_EQ(dev.create_stream(o).value().priority(), kPriorityLowest);
}

TEST(Stream, InvalidPriority) {
  Device dev = test::make_device(1).value();
  StreamOptions o;
  o.priority = kPriorityHighest - 1;
  EXPECT_EQ(dev.create_stream(o).status(), Status::kInvalidArgument);
  EXPECT_GT(std::strlen(last_error_message()), 0u);
  o.priority = kPriorityLowest + 1;
  EXPECT_EQ(dev.create_stream(o).status(), Status::kInvalidArgument);
  o.priority = 1000;
  EXPECT_EQ(dev.create_stream(o).status(), Status::kInvalidArgument);
}

TEST(Stream, EmptyHandle) {
  Stream empty;
  EXPECT_FALSE(empty);
  Event e = Event::create().value();
  EXPECT_EQ(empty.launch("k", 1, [](const KernelContext&) {}), Status::kInvalidHandle);
  EXPECT_EQ(empty.host_func("f", [] {}), Status::kInvalidHandle);
  EXPECT_EQ(empty.record(e), Status::kInvalidHandle);
  EXPECT_EQ(empty.wait(e), Status::kInvalidHandle);
  EXPECT_EQ(empty.query(), Status::kInvalidHandle);
  EXPECT_EQ(empty.synchronize(), Status::kInvalidHandle);
  EXPECT_EQ(empty.synchronize(std::chrono::milliseconds(1)), Status::kInvalidHandle);
  EXPECT_GT(std::strlen(last_error_message()), 0u);

  Device dev = test::make_device(1).value();
  Stream s = dev.create_stream().value();
  Stream moved = std::move(s);
  EXPECT_FALSE(s);  // NOLINT: moved-from is empty by contract
  EXPECT_EQ(s.query(), Status::kInvalidHandle);
  EXPECT_OK(moved.query());
}

TEST(Stream, HandlesShareOneStream) {
  Device dev = test::make_device(1).value();
  Stream a = dev.create_stream().value();
  Stream b = a;
  EXPECT_EQ(a.impl(), b.impl());
  EXPECT_EQ(a.id(), b.id());
  EXPECT_OK(b.launch("k", 1, [](const KernelContext&) {}));
  EXPECT_OK(a.synchronize());
  EXPECT_EQ(a.submitted(), 1u);
  EXPECT_EQ(a.completed(), 1u);
}

TEST(Stream, InOrderWithManyMixedTasks) {
  Device dev = test::make_device(2, 1).value();
  Stream s = dev.create_stream().value();
  const int n = test::scaled(2000, 200);
  auto* cell = static_cast<int*>(dev.malloc(sizeof(int)).value());
  std::vector<int> log;  // written only by tasks, which run one after another
  log.reserve(static_cast<std::size_t>(n) * 2);
  std::atomic<int> violations{0};
  int expected_cell = 0;
  ASSERT_OK(vnpu::memset(cell, 4, 0, 4));
  for (int i = 0; i < n; ++i) {
    switch (i % 4) {
      case 0:  // kernel: many blocks, one of them advances the log
        EXPECT_OK(s.launch("k", 3, [&, i](const KernelContext& k) {
          if (k.block_idx() == 0) log.push_back(i);
        }));
        break;
      case 1:  // host callback
        EXPECT_OK(s.host_func("cb", [&, i] { log.push_back(i); }));
        break;
      case 2: {  // copy into the cell, then a kernel that checks it
        int value = i;  // pageable: consumed before memcpy_async returns
        EXPECT_OK(s.memcpy_async(cell, 4, &value, 4, CopyKind::kHostToDevice));
        value = -1;
        EXPECT_OK(s.launch("check", 1, [&, i, cell](const KernelContext&) {
          if (*cell != i) violations.fetch_add(1);
          log.push_back(i);
        }));
        expected_cell = i;
        break;
      }
      default:  // memset, then a kernel that checks it
        EXPECT_OK(s.memset_async(cell, 4, 0, 4));
        EXPECT_OK(s.launch("check0", 2, [&, i, cell](const KernelContext& k) {
          if (*cell != 0) violations.fetch_add(1);
          if (k.block_idx() == 1) log.push_back(i);
        }));
        expected_cell = 0;
        break;
    }
  }
  EXPECT_OK(s.synchronize());
  EXPECT_EQ(violations.load(), 0);
  ASSERT_EQ(log.size(), static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) ASSERT_EQ(log[static_cast<std::size_t>(i)], i);
  EXPECT_EQ(*cell, expected_cell);
  EXPECT_EQ(s.completed(), s.submitted());
  EXPECT_OK(vnpu::free(cell));
}

TEST(Stream, SubmittedAndCompletedCounts) {
  Device dev = test::make_device(1).value();
  Stream s = dev.create_stream().value();
  test::Flag started, release;
  test::ScopedRelease guard(release);
  ASSERT_OK(test::launch_blocker(s, started, release));
  for (int i = 0; i < 4; ++i) ASSERT_OK(s.launch("k", 2, [](const KernelContext&) {}));
  ASSERT_OK(s.host_func("cb", [] {}));
  EXPECT_EQ(s.submitted(), 6u);
  ASSERT_TRUE(started.wait());
  EXPECT_EQ(s.completed(), 0u);
  release.set();
  EXPECT_OK(s.synchronize());
  EXPECT_EQ(s.completed(), 6u);
}

// Two kernels on two streams that can only finish if they run at the same time.
void expect_concurrent(Stream& a, Stream& b) {
  auto a_in = std::make_shared<std::atomic<bool>>(false);
  auto b_in = std::make_shared<std::atomic<bool>>(false);
  auto ok = std::make_shared<std::atomic<int>>(0);
  auto meet = [](std::atomic<bool>& mine, std::atomic<bool>& other) {
    mine.store(true);
    return test::wait_until([&] { return other.load(); });
  };
  ASSERT_OK(a.launch("meet_a", 1, [=](const KernelContext&) {
    if (meet(*a_in, *b_in)) ok->fetch_add(1);
  }));
  ASSERT_OK(b.launch("meet_b", 1, [=](const KernelContext&) {
    if (meet(*b_in, *a_in)) ok->fetch_add(1);
  }));
  EXPECT_OK(a.synchronize());
  EXPECT_OK(b.synchronize());
  EXPECT_EQ(ok->load(), 2) << "kernels on different streams did not run concurrently";
}

TEST(Stream, DifferentStreamsRunConcurrently) {
  Device dev = test::make_device(2).value();
  Stream a = dev.create_stream().value();
  Stream b = dev.create_stream().value();
  expect_concurrent(a, b);
}

TEST(Stream, DefaultStreamDoesNotSynchronizeWithOthers) {
  Device dev = test::make_device(2).value();
  Stream def = dev.default_stream();
  Stream other = dev.create_stream().value();
  expect_concurrent(def, other);
  expect_concurrent(other, def);
}

TEST(Stream, QueryReportsPendingWork) {
  Device dev = test::make_device(1).value();
  Stream s = dev.create_stream().value();
  EXPECT_OK(s.query());  // nothing submitted
  test::Flag started, release;
  test::ScopedRelease guard(release);
  ASSERT_OK(test::launch_blocker(s, started, release));
  ASSERT_TRUE(started.wait());
  EXPECT_EQ(s.query(), Status::kNotReady);
  EXPECT_STREQ(last_error_message(), "");  // not an error
  release.set();
  EXPECT_TRUE(test::wait_until([&] { return s.query() == Status::kSuccess; }));
}

TEST(Stream, SynchronizeTimeoutLeavesStreamUsable) {
  Device dev = test::make_device(1).value();
  Stream s = dev.create_stream().value();
  test::Flag started, release;
  test::ScopedRelease guard(release);
  ASSERT_OK(test::launch_blocker(s, started, release));
  std::atomic<int> after{0};
  ASSERT_OK(s.launch("after", 1, [&](const KernelContext&) { after.fetch_add(1); }));
  ASSERT_TRUE(started.wait());
  EXPECT_EQ(s.synchronize(std::chrono::milliseconds(30)), Status::kTimeout);
  EXPECT_EQ(s.synchronize(std::chrono::nanoseconds(0)), Status::kTimeout);
  EXPECT_EQ(s.query(), Status::kNotReady);
  EXPECT_EQ(after.load(), 0);
  release.set();
  EXPECT_OK(s.synchronize(std::chrono::nanoseconds(-1)));  // negative: no limit
  EXPECT_EQ(after.load(), 1);
  ASSERT_OK(s.launch("again", 2, [&](const KernelContext&) { after.fetch_add(1); }));
  EXPECT_OK(s.synchronize(test::kLongWait));
  EXPECT_EQ(after.load(), 3);
}

TEST(Stream, SynchronizeFromAnotherThreadWhileBlocked) {
  Device dev = test::make_device(1).value();
  Stream s = dev.create_stream().value();
  test::Flag started, release;
  test::ScopedRelease guard(release);
  ASSERT_OK(test::launch_blocker(s, started, release));
  std::atomic<int> result{-1};
  std::thread waiter([&] { result.store(static_cast<int>(s.synchronize())); });
  ASSERT_TRUE(started.wait());
  release.set();
  waiter.join();
  EXPECT_EQ(result.load(), static_cast<int>(Status::kSuccess));
}

TEST(Stream, DroppingLastHandleLetsPendingWorkFinish) {
  Device dev = test::make_device(1).value();
  test::Flag started, release;
  test::ScopedRelease guard(release);
  auto counter = std::make_shared<std::atomic<int>>(0);
  auto* cell = static_cast<int*>(dev.malloc(sizeof(int)).value());
  {
    Stream s = dev.create_stream().value();
    ASSERT_OK(test::launch_blocker(s, started, release));
    for (int i = 0; i < 20; ++i) {
      ASSERT_OK(s.launch("pending", 2, [counter](const KernelContext&) { counter->fetch_add(1); }));
    }
    ASSERT_OK(s.memset_async(cell, 4, 0x7f, 4));
    ASSERT_OK(s.host_func("cb", [counter] { counter->fetch_add(1000); }));
    ASSERT_TRUE(started.wait());
  }
  release.set();
  EXPECT_TRUE(test::wait_until([&] { return counter->load() == 1040; })) << counter->load();
  EXPECT_OK(dev.synchronize());
  EXPECT_EQ(*cell, 0x7f7f7f7f);
  EXPECT_OK(vnpu::free(cell));
}

TEST(Stream, PriorityOrdersQueuedWork) {
  // One core, held by a blocker. Queue kernels on low-priority streams first, then on
  // high-priority streams; once released, every high kernel must run before any low one.
  Device dev = test::make_device(1).value();
  StreamOptions low_opt, high_opt;
  low_opt.priority = kPriorityLowest;
  high_opt.priority = kPriorityHighest;
  Stream blocker = dev.create_stream().value();
  std::vector<Stream> low, high;
  for (int i = 0; i < 3; ++i) low.push_back(dev.create_stream(low_opt).value());
  for (int i = 0; i < 3; ++i) high.push_back(dev.create_stream(high_opt).value());

  test::Flag started, release;
  test::ScopedRelease guard(release);
  ASSERT_OK(test::launch_blocker(blocker, started, release));
  ASSERT_TRUE(started.wait());

  std::mutex mu;
  std::vector<char> order;
  auto record = [&](char c) {
    return [&, c](const KernelContext&) {
      std::lock_guard<std::mutex> lock(mu);
      order.push_back(c);
    };
  };
  for (int round = 0; round < 3; ++round)
    for (Stream& s : low) ASSERT_OK(s.launch("low", 1, record('L')));
  for (int round = 0; round < 3; ++round)
    for (Stream& s : high) ASSERT_OK(s.launch("high", 2, record('H')));
  release.set();
  EXPECT_OK(dev.synchronize());
  ASSERT_EQ(order.size(), 9u + 18u);
  std::size_t last_high = 0, first_low = order.size();
  for (std::size_t i = 0; i < order.size(); ++i) {
    if (order[i] == 'H') last_high = i;
    if (order[i] == 'L') first_low = std::min(first_low, i);
  }
  EXPECT_LT(last_high, first_low) << "a low-priority kernel ran before a queued high-priority one: "
                                  << std::string(order.begin(), order.end());
}

TEST(Stream, PriorityDoesNotBreakStreamOrder) {
  Device dev = test::make_device(1).value();
  StreamOptions high_opt;
  high_opt.priority = kPriorityHighest;
  Stream low = dev.create_stream().value();
  Stream high = dev.create_stream(high_opt).value();
  std::vector<int> low_log, high_log;
  for (int i = 0; i < 100; ++i) {
    ASSERT_OK(low.launch("l", 1, [&, i](const KernelContext&) { low_log.push_back(i); }));
    ASSERT_OK(high.launch("h", 1, [&, i](const KernelContext&) { high_log.push_back(i); }));
  }
  EXPECT_OK(dev.synchronize());
  ASSERT_EQ(low_log.size(), 100u);
  ASSERT_EQ(high_log.size(), 100u);
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(low_log[static_cast<std::size_t>(i)], i);
    EXPECT_EQ(high_log[static_cast<std::size_t>(i)], i);
  }
}

TEST(Stream, ManyThreadsSubmitToOneStream) {
  Device dev = test::make_device(2).value();
  Stream s = dev.create_stream().value();
  constexpr int kThreads = 4;
  const int per_thread = test::scaled(500, 50);
  std::vector<int> last(kThreads, -1);  // touched only by tasks, which run in order
  std::atomic<int> out_of_order{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i) {
        Status st = s.launch("mt", 1, [&, t, i](const KernelContext&) {
          if (last[static_cast<std::size_t>(t)] != i - 1) out_of_order.fetch_add(1);
          last[static_cast<std::size_t>(t)] = i;
        });
        if (st != Status::kSuccess) out_of_order.fetch_add(1000);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_OK(s.synchronize());
  EXPECT_EQ(out_of_order.load(), 0);
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(last[static_cast<std::size_t>(t)], per_thread - 1);
  EXPECT_EQ(s.submitted(), static_cast<std::uint64_t>(kThreads * per_thread));
}


// The queue behind a stream is a fixed ring with an overflow list for bursts: order must
// hold across the switch to the overflow and back, for one producer and for several.
TEST(Stream, OrderHoldsBeyondTheQueueRing) {
  Device dev = test::make_device(2).value();
  Stream s = dev.create_stream().value();
  for (int round = 0; round < 3; ++round) {
    test::Flag started, release;
    test::ScopedRelease guard(release);
    ASSERT_OK(test::launch_blocker(s, started, release));
    ASSERT_TRUE(started.wait());
    const int n = 3000 + round * 1000;  // several times the ring, all queued behind the blocker
    std::vector<int> order;
    order.reserve(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) {
      // Mixed kinds: kernels and events take different paths through the stream.
      if (i % 7 == 3) {
        Event e = Event::create().value();
        ASSERT_OK(s.record(e));
      }
      ASSERT_OK(s.launch("seq", 1, [&order, i](const KernelContext&) { order.push_back(i); }));
    }
    release.set();
    ASSERT_OK(s.synchronize());
    ASSERT_EQ(order.size(), static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) ASSERT_EQ(order[static_cast<std::size_t>(i)], i) << "round " << round;
    order.clear();
  }
}

TEST(Stream, TasksBeyondTheQueueRingReleaseTheirCapturesWhenTheyComplete) {
  Device dev = test::make_device(2).value();
  Stream s = dev.create_stream().value();
  test::Flag started, release;
  test::ScopedRelease guard(release);
  ASSERT_OK(test::launch_blocker(s, started, release));
  ASSERT_TRUE(started.wait());
  auto token = std::make_shared<int>(0);
  std::atomic<int> ran{0};
  constexpr int kTasks = 2500;  // most of them spill past the ring
  for (int i = 0; i < kTasks; ++i)
    ASSERT_OK(s.launch("captures", 1, [token, &ran](const KernelContext&) { ran.fetch_add(1); }));
  EXPECT_EQ(token.use_count(), kTasks + 1);
  // A completed task holds nothing: once the last of them has run, only `token` is left.
  ASSERT_OK(s.launch("probe", 1, [&token](const KernelContext&) {
    if (token.use_count() != 1) throw std::runtime_error("a completed task still holds its capture");
  }));
  release.set();
  EXPECT_OK(s.synchronize());
  EXPECT_EQ(ran.load(), kTasks);
  EXPECT_EQ(token.use_count(), 1);
}

TEST(Stream, ManyThreadsKeepTheirOrderThroughBursts) {
  Device dev = test::make_device(2).value();
  Stream s = dev.create_stream().value();
  constexpr int kThreads = 3;
  const int per_thread = test::scaled(3000, 600);
  test::Flag started, release;
  test::ScopedRelease guard(release);
  ASSERT_OK(test::launch_blocker(s, started, release));
  ASSERT_TRUE(started.wait());
  std::vector<int> last(kThreads, -1);  // touched only by tasks, which run in order
  std::atomic<int> out_of_order{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i) {
        if (i == per_thread / 2 && t == 0) release.set();  // drain while others still submit
        Status st = s.launch("burst", 1, [&, t, i](const KernelContext&) {
          if (last[static_cast<std::size_t>(t)] != i - 1) out_of_order.fetch_add(1);
          last[static_cast<std::size_t>(t)] = i;
        });
        if (st != Status::kSuccess) out_of_order.fetch_add(1000);
      }
    });
  }
  for (auto& t : threads) t.join();
  release.set();
  EXPECT_OK(s.synchronize());
  EXPECT_EQ(out_of_order.load(), 0);
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(last[static_cast<std::size_t>(t)], per_thread - 1);
}

TEST(Stream, TasksBeyondTheRingReleaseTheirCapturesAndRunAgain) {
  // A blocked core makes every task past the ring's 64 cells go to the overflow list; its
  // tasks must run in order, free what they captured, and its storage serve the next burst.
  Device dev = test::make_device(1).value();
  Stream s = dev.create_stream().value();
  auto token = std::make_shared<int>(0);
  for (int round = 0; round < 3; ++round) {
    test::Flag started, release;
    test::ScopedRelease guard(release);
    ASSERT_OK(test::launch_blocker(s, started, release));
    ASSERT_TRUE(started.wait());
    const int n = 5000;
    int next = 0, wrong = 0;
    for (int i = 0; i < n; ++i) {
      ASSERT_OK(s.launch("held", 1, [token, i, &next, &wrong](const KernelContext&) {
        if (next++ != i) ++wrong;
        ++*token;
      }));
    }
    EXPECT_GE(token.use_count(), n) << "the tasks hold their captures until they run";
    release.set();
    ASSERT_OK(s.synchronize());
    EXPECT_EQ(wrong, 0);
    EXPECT_EQ(next, n);
    EXPECT_EQ(token.use_count(), 1) << "round " << round << ": every task freed its capture";
  }
  EXPECT_EQ(*token, 3 * 5000);
}

}  // namespace
}  // namespace vnpu
