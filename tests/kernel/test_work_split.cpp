// How operators deal their units of work to the blocks of a launch (src/ops/split.hpp):
// run_owned gives every unit to exactly one block, each block its own share when all run
// alike, and the whole range to whichever blocks run when another does not come.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <thread>
#include <vector>

#include "ops/split.hpp"

namespace {

using vnpu::ops::detail::claim_size;
using vnpu::ops::detail::run_owned;
using vnpu::ops::detail::ShareCounters;
using vnpu::ops::detail::split;

// Runs `blocks` blocks on threads (block b starting after delay_ms[b]) over `units`
// units; returns how often each unit ran and, per unit, the block that ran it.
struct Outcome {
  std::vector<int> runs;
  std::vector<int> owner;
};
Outcome run_blocks(std::uint32_t blocks, std::int64_t units, const std::vector<int>& delay_ms) {
  ShareCounters next;
  next.reset(blocks);
  const std::int64_t claim = claim_size(units, blocks);
  std::vector<std::atomic<int>> runs(static_cast<std::size_t>(units));
  std::vector<std::atomic<int>> owner(static_cast<std::size_t>(units));
  std::vector<std::thread> threads;
  for (std::uint32_t b = 0; b < blocks; ++b) {
    threads.emplace_back([&, b] {
      std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms[b]));
      run_owned(blocks, b, units, claim, next, [&](std::int64_t u0, std::int64_t u1) {
        ASSERT_LT(u0, u1);
        for (std::int64_t u = u0; u < u1; ++u) {
          runs[static_cast<std::size_t>(u)].fetch_add(1);
          owner[static_cast<std::size_t>(u)].store(static_cast<int>(b));
        }
      });
    });
  }
  for (auto& t : threads) t.join();
  Outcome o;
  for (std::size_t u = 0; u < runs.size(); ++u) {
    o.runs.push_back(runs[u].load());
    o.owner.push_back(owner[u].load());
  }
  return o;
}

TEST(WorkSplit, EvenSplitContract) {
  for (std::uint32_t blocks : {1u, 2u, 3u, 7u, 64u}) {
    for (std::int64_t units : {0, 1, 5, 63, 64, 65, 1000, 999983}) {
      std::int64_t at = 0;
      for (std::uint32_t b = 0; b < blocks; ++b) {
        std::int64_t u0 = -1, u1 = -1;
        split(units, blocks, b, &u0, &u1);
        ASSERT_EQ(u0, at) << units << " units, " << blocks << " blocks, block " << b;  // contiguous, in order
        ASSERT_GE(u1 - u0, units / blocks);
        ASSERT_LE(u1 - u0, (units + blocks - 1) / blocks);
        ASSERT_EQ(u0, units * b / blocks);
        at = u1;
      }
      EXPECT_EQ(at, units);
    }
  }
}

TEST(WorkSplit, EveryUnitRunsExactlyOnce) {
  for (std::uint32_t blocks : {1u, 2u, 3u, 5u}) {
    for (std::int64_t units : {1, 7, 100, 1001}) {
      const Outcome o = run_blocks(blocks, units, std::vector<int>(blocks, 0));
      for (std::int64_t u = 0; u < units; ++u)
        ASSERT_EQ(o.runs[static_cast<std::size_t>(u)], 1) << blocks << " blocks, " << units << " units, unit " << u;
    }
  }
}

TEST(WorkSplit, ABlockRunsItsOwnShareFirst) {
  // Block b running alone (the others not started): its own share, in order, comes first,
  // then the shares of the blocks after it, wrapping around.
  const std::uint32_t blocks = 3;
  const std::int64_t units = 999;
  for (std::uint32_t b = 0; b < blocks; ++b) {
    ShareCounters next;
    next.reset(blocks);
    std::vector<std::int64_t> order;
    run_owned(blocks, b, units, claim_size(units, blocks), next, [&](std::int64_t u0, std::int64_t u1) {
      for (std::int64_t u = u0; u < u1; ++u) order.push_back(u);
    });
    ASSERT_EQ(static_cast<std::int64_t>(order.size()), units);
    std::vector<std::int64_t> want;
    for (std::uint32_t k = 0; k < blocks; ++k) {
      std::int64_t s0 = 0, s1 = 0;
      split(units, blocks, (b + k) % blocks, &s0, &s1);
      for (std::int64_t u = s0; u < s1; ++u) want.push_back(u);
    }
    EXPECT_EQ(order, want) << "block " << b;
  }
}

TEST(WorkSplit, TheOthersFinishTheShareOfABlockThatDoesNotCome) {
  // Block 1 starts long after block 0 has finished everything: block 0 ran every unit,
  // including block 1's whole share, and block 1 found nothing left.
  const Outcome o = run_blocks(2, 400, {0, 200});
  for (std::size_t u = 0; u < o.runs.size(); ++u) {
    ASSERT_EQ(o.runs[u], 1) << "unit " << u;
    ASSERT_EQ(o.owner[u], 0) << "unit " << u;
  }
}

}  // namespace
