// Barriers of cooperative launches: sync_all() orders every block's writes before every
// block's reads, round after round; sync_group() does the same within groups of
// LaunchOptions::group_size blocks (the last group may be smaller); group_idx/group_dim;
// and the failure paths, which must end the launch instead of hanging it: sync_all() in a
// launch that is not cooperative, more blocks than may be resident, a block that throws or returns
// while others wait. Two cooperative launches on two streams of a 2-core device both
// complete.
//
// Shared state lives behind a shared_ptr captured by value, so a kernel that is still
// running after a failed assertion never touches a dead stack frame.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "kernel/kernel_support.hpp"

namespace vnpu {
namespace {

using test::bounded_sync;
using test::cooperative;
using test::kernel_device;

/// Rounds of a barrier loop: fewer when cores outnumber CPUs (blocks then time-share the
/// CPUs, and a barrier costs a scheduler switch) and under sanitizers.
int rounds_for(int cores, int n) {
  const int cpus = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  if (cores > cpus) n /= 10;
  return test::scaled(n, 20);
}

// Every block writes its slot, waits at the barrier, then checks every other block's slot
// for this round. Two slot arrays alternate, so a block that races ahead into round r+1
// cannot overwrite what a slower block still reads in round r — one barrier per round
// suffices exactly when the barrier is correct.
struct AllRounds {
  explicit AllRounds(std::uint32_t blocks) : slot{std::vector<std::int64_t>(blocks), std::vector<std::int64_t>(blocks)} {}
  std::vector<std::int64_t> slot[2];  // plain memory: the barrier must order it
  std::atomic<int> mismatches{0};
  std::atomic<int> completed{0};
  std::vector<std::uint32_t> core;
};

class SyncAll : public ::testing::TestWithParam<int> {};

TEST_P(SyncAll, OrdersWritesBeforeReadsEveryRound) {
  const int cores = GetParam();
  Device dev = kernel_device(cores);
  Stream s = dev.create_stream().value();
  const auto blocks = static_cast<std::uint32_t>(cores);
  const int rounds = rounds_for(cores, 2000);
  auto st = std::make_shared<AllRounds>(blocks);
  st->core.assign(blocks, 9999);
  ASSERT_OK(s.launch("sync_all_rounds", blocks, cooperative(), [st, rounds](const KernelContext& k) {
    const std::uint32_t b = k.block_idx(), n = k.block_dim();
    st->core[b] = k.core();
    for (int r = 0; r < rounds; ++r) {
      std::vector<std::int64_t>& buf = st->slot[r % 2];
      buf[b] = std::int64_t{r} * 1000 + b;
      k.sync_all();
      for (std::uint32_t j = 0; j < n; ++j)
        if (buf[j] != std::int64_t{r} * 1000 + j) st->mismatches.fetch_add(1, std::memory_order_relaxed);
    }
    st->completed.fetch_add(1);
  }));
  ASSERT_OK(bounded_sync(s, std::chrono::seconds(60))) << last_error_message();
  EXPECT_EQ(st->mismatches.load(), 0);
  EXPECT_EQ(st->completed.load(), cores);
  // All blocks of a cooperative launch are resident at once: one per core.
  std::set<std::uint32_t> distinct(st->core.begin(), st->core.end());
  EXPECT_EQ(distinct.size(), blocks) << "blocks of a cooperative launch shared a core";
}

INSTANTIATE_TEST_SUITE_P(Cores, SyncAll, ::testing::Values(1, 2, 3, 4));

TEST(SyncAll, FewerBlocksThanCores) {
  Device dev = kernel_device(3);
  Stream s = dev.create_stream().value();
  const int rounds = rounds_for(3, 500);
  auto st = std::make_shared<AllRounds>(2);
  ASSERT_OK(s.launch("two_of_three", 2, cooperative(), [st, rounds](const KernelContext& k) {
    for (int r = 0; r < rounds; ++r) {
      std::vector<std::int64_t>& buf = st->slot[r % 2];
      buf[k.block_idx()] = r * 10 + k.block_idx();
      k.sync_all();
      for (std::uint32_t j = 0; j < 2; ++j)
        if (buf[j] != r * 10 + j) st->mismatches.fetch_add(1);
    }
    st->completed.fetch_add(1);
  }));
  ASSERT_OK(bounded_sync(s)) << last_error_message();
  EXPECT_EQ(st->mismatches.load(), 0);
  EXPECT_EQ(st->completed.load(), 2);
}

TEST(SyncAll, ManyCooperativeLaunchesInOneStream) {
  Device dev = kernel_device(2);
  Stream s = dev.create_stream().value();
  auto total = std::make_shared<std::atomic<std::int64_t>>(0);
  auto mismatches = std::make_shared<std::atomic<int>>(0);
  const int launches = test::scaled(300, 20);
  for (int l = 0; l < launches; ++l) {
    auto slot = std::make_shared<std::vector<int>>(2, -1);
    ASSERT_OK(s.launch("coop_many", 2, cooperative(), [=](const KernelContext& k) {
      (*slot)[k.block_idx()] = l;
      k.sync_all();
      if ((*slot)[1 - k.block_idx()] != l) mismatches->fetch_add(1);
      total->fetch_add(1);
    }));
  }
  ASSERT_OK(bounded_sync(s, std::chrono::seconds(60))) << last_error_message();
  EXPECT_EQ(mismatches->load(), 0);
  EXPECT_EQ(total->load(), 2 * launches);
}

TEST(SyncAll, BlocksReturningRightAfterTheLastBarrier) {
  // The last barrier of a launch completes and its blocks return at once: a block still
  // leaving the barrier must not mistake the others' return for a block that never came.
  // Two host threads keep the CPUs busy so that blocks get preempted at random points.
  std::atomic<bool> stop{false};
  std::vector<std::thread> hogs;
  for (int i = 0; i < 2; ++i)
    hogs.emplace_back([&stop] {
      while (!stop.load(std::memory_order_relaxed)) {
      }
    });
  struct Join {
    std::atomic<bool>& stop;
    std::vector<std::thread>& hogs;
    ~Join() {
      stop.store(true);
      for (std::thread& t : hogs) t.join();
    }
  } join{stop, hogs};
  for (int cores : {2, 3}) {
    Device dev = kernel_device(cores);
    Stream s = dev.create_stream().value();
    auto done = std::make_shared<std::atomic<int>>(0);
    const int launches = test::scaled(2000, 100);
    for (int l = 0; l < launches; ++l) {
      ASSERT_OK(s.launch("last_barrier", static_cast<std::uint32_t>(cores), cooperative(), [done](const KernelContext& k) {
        k.sync_all();
        done->fetch_add(1, std::memory_order_relaxed);
      }));
    }
    ASSERT_OK(bounded_sync(s, std::chrono::seconds(60))) << cores << " cores: " << last_error_message();
    EXPECT_EQ(done->load(), cores * launches);
  }
}

// Groups --------------------------------------------------------------------------------

struct GroupCase {
  int cores;
  std::uint32_t blocks;
  std::uint32_t group_size;
};

void PrintTo(const GroupCase& c, std::ostream* os) {
  *os << c.cores << "cores_" << c.blocks << "blocks_g" << c.group_size;
}

class SyncGroup : public ::testing::TestWithParam<GroupCase> {};

TEST_P(SyncGroup, GroupsSynchronizeIndependently) {
  const GroupCase gc = GetParam();
  Device dev = kernel_device(gc.cores);
  Stream s = dev.create_stream().value();
  const std::uint32_t B = gc.blocks;
  const std::uint32_t g = gc.group_size == 0 ? B : std::min(gc.group_size, B);
  const std::uint32_t groups = (B + g - 1) / g;
  // Each group runs its own number of rounds, so a barrier that mixed groups would
  // deadlock or mismatch; a final sync_all joins everyone.
  const int base_rounds = rounds_for(gc.cores, 600);
  struct State {
    std::vector<std::int64_t> slot[2];
    std::vector<std::uint32_t> gidx, gdim;
    std::atomic<int> mismatches{0};
    std::atomic<int> done{0};
  };
  auto st = std::make_shared<State>();
  st->slot[0].assign(B, -1);
  st->slot[1].assign(B, -1);
  st->gidx.assign(B, 999);
  st->gdim.assign(B, 999);
  ASSERT_OK(s.launch("sync_group_rounds", B, cooperative(gc.group_size), [st, g, base_rounds](const KernelContext& k) {
    const std::uint32_t b = k.block_idx();
    st->gidx[b] = k.group_idx();
    st->gdim[b] = k.group_dim();
    const std::uint32_t first = (b / g) * g;
    const std::uint32_t last = std::min(first + g, k.block_dim());
    const int rounds = base_rounds + static_cast<int>(b / g) * 7;
    for (int r = 0; r < rounds; ++r) {
      std::vector<std::int64_t>& buf = st->slot[r % 2];
      buf[b] = std::int64_t{r} * 1000 + b;
      k.sync_group();
      for (std::uint32_t j = first; j < last; ++j)
        if (buf[j] != std::int64_t{r} * 1000 + j) st->mismatches.fetch_add(1, std::memory_order_relaxed);
    }
    k.sync_all();
    st->done.fetch_add(1);
  }));
  ASSERT_OK(bounded_sync(s, std::chrono::seconds(60))) << last_error_message();
  EXPECT_EQ(st->mismatches.load(), 0);
  EXPECT_EQ(st->done.load(), static_cast<int>(B));
  for (std::uint32_t b = 0; b < B; ++b) {
    const std::uint32_t group = b / g;
    const std::uint32_t dim = std::min(g, B - group * g);
    EXPECT_EQ(st->gidx[b], group) << "block " << b;
    EXPECT_EQ(st->gdim[b], dim) << "block " << b;
  }
  EXPECT_EQ(st->gidx[B - 1], groups - 1);
}

INSTANTIATE_TEST_SUITE_P(Shapes, SyncGroup,
                         ::testing::Values(GroupCase{2, 2, 1},     // singletons
                                           GroupCase{2, 2, 2},     // one full group
                                           GroupCase{2, 2, 0},     // 0: one group of all
                                           GroupCase{3, 3, 2},     // uneven: {0,1} {2}
                                           GroupCase{4, 4, 2},     // {0,1} {2,3}
                                           GroupCase{4, 3, 2},     // fewer blocks than cores
                                           GroupCase{5, 5, 2},     // {0,1} {2,3} {4}
                                           GroupCase{4, 4, 3},     // {0,1,2} {3}
                                           GroupCase{3, 3, 8}));   // larger than the launch

TEST(SyncGroup, AlternatingGroupAndGlobalBarriers) {
  Device dev = kernel_device(4);
  Stream s = dev.create_stream().value();
  const int rounds = rounds_for(4, 400);
  struct State {
    std::vector<std::int64_t> slot = std::vector<std::int64_t>(4, -1);
    std::vector<std::int64_t> group_sum = std::vector<std::int64_t>(2, 0);
    std::atomic<int> mismatches{0};
  };
  auto st = std::make_shared<State>();
  // Each round: write, group barrier, the group's first block sums its group, global
  // barrier, everyone checks both group sums, global barrier before the next round's
  // writes. The two levels of the multi-level reduction tree, in miniature.
  ASSERT_OK(s.launch("two_level", 4, cooperative(2), [st, rounds](const KernelContext& k) {
    const std::uint32_t b = k.block_idx();
    for (int r = 0; r < rounds; ++r) {
      st->slot[b] = std::int64_t{r} + b;
      k.sync_group();
      if (b % 2 == 0) st->group_sum[b / 2] = st->slot[b] + st->slot[b + 1];
      k.sync_all();
      if (st->group_sum[0] != 2 * std::int64_t{r} + 1 || st->group_sum[1] != 2 * std::int64_t{r} + 5)
        st->mismatches.fetch_add(1);
      k.sync_all();
    }
  }));
  ASSERT_OK(bounded_sync(s, std::chrono::seconds(60))) << last_error_message();
  EXPECT_EQ(st->mismatches.load(), 0);
}

TEST(SyncGroup, GroupOfANonCooperativeLaunchIsTheWholeLaunch) {
  Device dev = kernel_device(2);
  Stream s = dev.create_stream().value();
  constexpr std::uint32_t kBlocks = 7;
  auto idx = std::make_shared<std::vector<std::uint32_t>>(kBlocks, 999);
  auto dim = std::make_shared<std::vector<std::uint32_t>>(kBlocks, 999);
  LaunchOptions o;
  o.group_size = 2;  // ignored unless cooperative
  ASSERT_OK(s.launch("plain_groups", kBlocks, o, [idx, dim](const KernelContext& k) {
    (*idx)[k.block_idx()] = k.group_idx();
    (*dim)[k.block_idx()] = k.group_dim();
  }));
  ASSERT_OK(s.launch("plain_groups_default", kBlocks, [idx, dim](const KernelContext& k) {
    if (k.group_idx() != 0 || k.group_dim() != kBlocks) (*idx)[k.block_idx()] = 1000;
  }));
  ASSERT_OK(s.synchronize()) << last_error_message();
  for (std::uint32_t b = 0; b < kBlocks; ++b) {
    EXPECT_EQ((*idx)[b], 0u) << "block " << b;
    EXPECT_EQ((*dim)[b], kBlocks) << "block " << b;
  }
}

// Failures -----------------------------------------------------------------------------

TEST(BarrierFailure, SyncAllOutsideACooperativeLaunchThrowsNotSupported) {
  Device dev = kernel_device(2);
  Stream s = dev.create_stream().value();
  auto statuses = std::make_shared<std::vector<Status>>(4, Status::kSuccess);
  auto threw = std::make_shared<std::atomic<int>>(0);
  ASSERT_OK(s.launch("not_coop_caught", 2, [statuses, threw](const KernelContext& k) {
    try {
      k.sync_all();
    } catch (const Error& e) {
      (*statuses)[k.block_idx()] = e.status();
      threw->fetch_add(1);
    }
    try {
      k.sync_group();
    } catch (const Error& e) {
      (*statuses)[2 + k.block_idx()] = e.status();
      threw->fetch_add(1);
    }
  }));
  ASSERT_OK(bounded_sync(s)) << last_error_message();
  EXPECT_EQ(threw->load(), 4);
  for (Status st : *statuses) EXPECT_EQ(st, Status::kNotSupported);
}

TEST(BarrierFailure, SyncAllOutsideACooperativeLaunchFailsTheTask) {
  for (std::uint32_t blocks : {1u, 2u, 5u}) {
    Device dev = kernel_device(2);
    Stream s = dev.create_stream().value();
    ASSERT_OK(s.launch("uncooperative_kernel", blocks, [](const KernelContext& k) { k.sync_all(); }));
    EXPECT_EQ(bounded_sync(s), Status::kTaskFailed) << blocks << " blocks";
    const std::string msg = last_error_message();
    EXPECT_NE(msg.find("uncooperative_kernel"), std::string::npos) << msg;
    EXPECT_TRUE(test::contains_nocase(msg, "cooperative") || test::contains_nocase(msg, "not supported") ||
                test::contains_nocase(msg, "kNotSupported"))
        << "the message should say why: " << msg;
    // The stream stays usable.
    auto ran = std::make_shared<std::atomic<int>>(0);
    ASSERT_OK(s.launch("after", 1, [ran](const KernelContext&) { ran->fetch_add(1); }));
    EXPECT_OK(bounded_sync(s));
    EXPECT_EQ(ran->load(), 1);
  }
}

TEST(BarrierFailure, MoreBlocksThanTheResidentLimitIsNotSupported) {
  Device dev = kernel_device(2);
  Stream s = dev.create_stream().value();
  auto ran = std::make_shared<std::atomic<int>>(0);
  const std::uint32_t blocks = LaunchOptions::kMaxResidentBlocks + 1;
  EXPECT_EQ(s.launch("too_wide", blocks, cooperative(), [ran](const KernelContext& k) {
    ran->fetch_add(1);
    k.sync_all();
  }),
            Status::kNotSupported);
  const std::string msg = last_error_message();
  EXPECT_NE(msg.find(std::to_string(blocks)), std::string::npos) << "block count missing: " << msg;
  EXPECT_EQ(s.submitted(), 0u) << "nothing may be queued";
  EXPECT_OK(bounded_sync(s));
  EXPECT_EQ(ran->load(), 0);
}

TEST(BarrierFailure, BlockThatThrowsBeforeTheBarrierFailsTheLaunch) {
  for (int cores : {2, 3}) {
    Device dev = kernel_device(cores);
    Stream s = dev.create_stream().value();
    struct State {
      std::atomic<int> waiters_threw{0};
      std::atomic<int> wrong_status{0};
      std::atomic<int> passed{0};
    };
    auto st = std::make_shared<State>();
    ASSERT_OK(s.launch("thrower_at_barrier", static_cast<std::uint32_t>(cores), cooperative(),
                       [st](const KernelContext& k) {
                         if (k.block_idx() == 1) {
                           // Let the others reach the barrier first.
                           std::this_thread::sleep_for(std::chrono::milliseconds(20));
                           throw std::runtime_error("block 1 gives up");
                         }
                         try {
                           k.sync_all();
                           st->passed.fetch_add(1);
                         } catch (const Error& e) {
                           st->waiters_threw.fetch_add(1);
                           if (e.status() != Status::kTaskFailed) st->wrong_status.fetch_add(1);
                           throw;
                         }
                       }));
    EXPECT_EQ(bounded_sync(s), Status::kTaskFailed) << cores << " cores: a hang shows as kTimeout";
    const std::string msg = last_error_message();
    EXPECT_NE(msg.find("thrower_at_barrier"), std::string::npos) << msg;
    EXPECT_EQ(st->passed.load(), 0) << "a block passed a barrier that block 1 never reached";
    EXPECT_EQ(st->waiters_threw.load(), cores - 1);
    EXPECT_EQ(st->wrong_status.load(), 0);
    // The device and stream keep working, barriers included.
    auto ok = std::make_shared<std::atomic<int>>(0);
    ASSERT_OK(s.launch("coop_after_failure", static_cast<std::uint32_t>(cores), cooperative(),
                       [ok](const KernelContext& k) {
                         k.sync_all();
                         ok->fetch_add(1);
                       }));
    EXPECT_OK(bounded_sync(s)) << last_error_message();
    EXPECT_EQ(ok->load(), cores);
  }
}

TEST(BarrierFailure, BlockThatThrowsAfterOthersArriveOrBeforeTheyArrive) {
  // The thrower fails immediately (before the others reach the barrier): they must still
  // notice at the barrier and not wait forever.
  Device dev = kernel_device(2);
  Stream s = dev.create_stream().value();
  ASSERT_OK(s.launch("early_thrower", 2, cooperative(), [](const KernelContext& k) {
    if (k.block_idx() == 0) throw std::runtime_error("block 0 gives up at once");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    k.sync_all();
  }));
  EXPECT_EQ(bounded_sync(s), Status::kTaskFailed);
  EXPECT_NE(std::string(last_error_message()).find("early_thrower"), std::string::npos) << last_error_message();
}

TEST(BarrierFailure, BlockReturningStatusFailureReleasesWaiters) {
  Device dev = kernel_device(2);
  Stream s = dev.create_stream().value();
  ASSERT_OK(s.launch("status_failure_at_barrier", 2, cooperative(), [](const KernelContext& k) {
    if (k.block_idx() == 1) return Status::kInternal;
    k.sync_all();
    return Status::kSuccess;
  }));
  EXPECT_EQ(bounded_sync(s), Status::kTaskFailed);
}

TEST(BarrierFailure, BlockThatReturnsEarlyFailsTheLaunch) {
  for (int cores : {2, 3}) {
    for (int early_rounds : {0, 1, 5}) {
      Device dev = kernel_device(cores);
      Stream s = dev.create_stream().value();
      struct State {
        std::atomic<int> threw{0};
        std::atomic<int> wrong_status{0};
      };
      auto st = std::make_shared<State>();
      // Block 0 calls sync_all() early_rounds times and returns; the others call it once
      // more and must be released with an error.
      ASSERT_OK(s.launch("quitter", static_cast<std::uint32_t>(cores), cooperative(),
                         [st, early_rounds](const KernelContext& k) {
                           const int rounds = early_rounds + (k.block_idx() == 0 ? 0 : 1);
                           try {
                             for (int r = 0; r < rounds; ++r) k.sync_all();
                           } catch (const Error& e) {
                             st->threw.fetch_add(1);
                             if (e.status() != Status::kTaskFailed) st->wrong_status.fetch_add(1);
                             throw;
                           }
                         }));
      EXPECT_EQ(bounded_sync(s), Status::kTaskFailed) << cores << " cores, block 0 returns after " << early_rounds
                                                      << " barriers";
      EXPECT_NE(std::string(last_error_message()).find("quitter"), std::string::npos) << last_error_message();
      EXPECT_EQ(st->threw.load(), cores - 1);
      EXPECT_EQ(st->wrong_status.load(), 0);
    }
  }
}

TEST(BarrierFailure, BlockThatLeavesItsGroupEarlyFailsTheLaunch) {
  Device dev = kernel_device(4);
  Stream s = dev.create_stream().value();
  auto group0_threw = std::make_shared<std::atomic<int>>(0);
  // Group {0,1}: block 0 quits, block 1 waits at sync_group and must be released with an
  // error. Group {2,3} loses nothing, but whether its barriers keep working once the
  // launch has failed is not specified (the implementation fails the whole launch fast),
  // so only the outcome of the launch is checked.
  ASSERT_OK(s.launch("group_quitter", 4, cooperative(2), [group0_threw](const KernelContext& k) {
    if (k.block_idx() == 0) return;
    try {
      for (int r = 0; r < 10; ++r) k.sync_group();
    } catch (const Error&) {
      if (k.group_idx() == 0) group0_threw->fetch_add(1);
      throw;
    }
  }));
  EXPECT_EQ(bounded_sync(s), Status::kTaskFailed);
  EXPECT_NE(std::string(last_error_message()).find("group_quitter"), std::string::npos) << last_error_message();
  EXPECT_EQ(group0_threw->load(), 1);
}

TEST(BarrierFailure, BlocksThatAllSkipTheBarrierAreFine) {
  // A cooperative launch whose blocks never call a barrier, or call it equally often,
  // succeeds even when the blocks finish at different times.
  Device dev = kernel_device(2);
  Stream s = dev.create_stream().value();
  ASSERT_OK(s.launch("no_barrier", 2, cooperative(), [](const KernelContext& k) {
    if (k.block_idx() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }));
  ASSERT_OK(s.launch("equal_barriers", 2, cooperative(), [](const KernelContext& k) {
    k.sync_all();
    if (k.block_idx() == 1) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }));
  EXPECT_OK(bounded_sync(s)) << last_error_message();
}

// Concurrency -------------------------------------------------------------------------

TEST(Cooperative, TwoLaunchesOnTwoStreamsOfATwoCoreDevice) {
  // Each launch needs both cores at once. A scheduler that gave one block of each launch
  // to each core would deadlock both.
  Device dev = kernel_device(2);
  Stream a = dev.create_stream().value();
  Stream b = dev.create_stream().value();
  const int launches = test::scaled(200, 20);
  auto done = std::make_shared<std::atomic<int>>(0);
  auto mismatches = std::make_shared<std::atomic<int>>(0);
  for (int i = 0; i < launches; ++i) {
    for (Stream* s : {&a, &b}) {
      auto slot = std::make_shared<std::vector<int>>(2, -1);
      ASSERT_OK(s->launch("coop_pair", 2, cooperative(), [slot, done, mismatches](const KernelContext& k) {
        for (int r = 0; r < 5; ++r) {
          (*slot)[k.block_idx()] = r;
          k.sync_all();
          if ((*slot)[1 - k.block_idx()] != r) mismatches->fetch_add(1);
          k.sync_all();
        }
        done->fetch_add(1);
      }));
    }
  }
  EXPECT_OK(bounded_sync(a, std::chrono::seconds(60))) << last_error_message();
  EXPECT_OK(bounded_sync(b, std::chrono::seconds(60))) << last_error_message();
  EXPECT_EQ(done->load(), 2 * 2 * launches);
  EXPECT_EQ(mismatches->load(), 0);
}

TEST(Cooperative, WaitsForABusyCoreInsteadOfDeadlocking) {
  // Stream a holds one core for a while; the cooperative launch on stream b needs both.
  Device dev = kernel_device(2);
  Stream a = dev.create_stream().value();
  Stream b = dev.create_stream().value();
  test::Flag started, release;
  test::ScopedRelease guard(release);
  ASSERT_OK(test::launch_blocker(a, started, release));
  ASSERT_TRUE(started.wait());
  auto done = std::make_shared<std::atomic<int>>(0);
  ASSERT_OK(b.launch("coop_behind_blocker", 2, cooperative(), [done](const KernelContext& k) {
    k.sync_all();
    done->fetch_add(1);
  }));
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  release.set();
  EXPECT_OK(bounded_sync(b)) << last_error_message();
  EXPECT_OK(bounded_sync(a));
  EXPECT_EQ(done->load(), 2);
}

TEST(Cooperative, InterleavesWithOrdinaryLaunchesOnOtherStreams) {
  Device dev = kernel_device(2);
  Stream coop = dev.create_stream().value();
  Stream plain = dev.create_stream().value();
  auto coop_done = std::make_shared<std::atomic<int>>(0);
  auto plain_done = std::make_shared<std::atomic<int>>(0);
  const int n = test::scaled(50, 10);
  for (int i = 0; i < n; ++i) {
    ASSERT_OK(plain.launch("plain_wide", 64, [plain_done](const KernelContext&) { plain_done->fetch_add(1); }));
    ASSERT_OK(coop.launch("coop_mixed", 2, cooperative(), [coop_done](const KernelContext& k) {
      k.sync_all();
      k.sync_all();
      coop_done->fetch_add(1);
    }));
  }
  EXPECT_OK(bounded_sync(coop, std::chrono::seconds(60))) << last_error_message();
  EXPECT_OK(bounded_sync(plain, std::chrono::seconds(60))) << last_error_message();
  EXPECT_EQ(coop_done->load(), 2 * n);
  EXPECT_EQ(plain_done->load(), 64 * n);
}

TEST(Cooperative, ConcurrentLaunchesOnTwoDevicesSharingTheCpus) {
  Device d1 = kernel_device(2);
  Device d2 = kernel_device(2);
  Stream s1 = d1.create_stream().value();
  Stream s2 = d2.create_stream().value();
  auto done = std::make_shared<std::atomic<int>>(0);
  const int rounds = rounds_for(4, 500);
  for (Stream* s : {&s1, &s2}) {
    ASSERT_OK(s->launch("coop_two_devices", 2, cooperative(), [done, rounds](const KernelContext& k) {
      for (int r = 0; r < rounds; ++r) k.sync_all();
      done->fetch_add(1);
    }));
  }
  EXPECT_OK(bounded_sync(s1, std::chrono::seconds(60))) << last_error_message();
  EXPECT_OK(bounded_sync(s2, std::chrono::seconds(60))) << last_error_message();
  EXPECT_EQ(done->load(), 4);
}

}  // namespace
}  // namespace vnpu
