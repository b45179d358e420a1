// Barriers of a cooperative launch (KernelContext::sync_all / sync_group) that some blocks
// can never pass: the launch fails, naming the blocks that wait at which call and those that
// returned without arriving, instead of hanging; checked, it is a "deadlock" finding. (The
// Ascend C forms, SyncAll and IBWait, are in test_kernel_check.cpp.)
#include <gtest/gtest.h>

#include <string>

#include "check/check_fixture.hpp"

namespace vnpu::test {
namespace {

class KernelDeadlock : public CheckFixture {
 protected:
  // The launch's outcome (with VNPU_LAUNCH_BLOCKING=1 the launch itself reports a failure)
  // and its message.
  std::string finished(Status launched, Status* st) {
    *st = launched != Status::kSuccess ? launched : a_.synchronize();
    return last_error_message();
  }
  // Launches `blocks` blocks where odd blocks call sync_all once and even blocks twice; the
  // stream's synchronize status and message.
  std::string mismatched(std::uint32_t blocks, Status* st) {
    LaunchOptions lo;
    lo.cooperative = true;
    const Status launched = a_.launch("mismatched_sync", blocks, lo, [](const KernelContext& k) {
      k.sync_all();
      if (k.block_idx() % 2 == 0) k.sync_all();
    });
    return finished(launched, st);
  }
};

TEST_F(KernelDeadlock, MismatchedSyncAllFailsTheLaunchAndIsAFinding) {
  for (const bool checked : {true, false}) {
    SCOPED_TRACE(checked ? "checked" : "unchecked");
    if (!checked) checker::disable();
    checker::clear_findings();
    Status st = Status::kSuccess;
    const std::string msg = mismatched(4, &st);
    EXPECT_EQ(st, Status::kTaskFailed);
    EXPECT_NE(msg.find("mismatched_sync"), std::string::npos) << msg;
    EXPECT_NE(msg.find("blocks 0, 2 wait at sync_all call #2"), std::string::npos) << msg;
    EXPECT_NE(msg.find("blocks 1, 3 returned after calling sync_all once"), std::string::npos) << msg;
    const auto deadlocks = of_kind(checker::Kind::kDeadlock);
    if (!checked) {
      EXPECT_TRUE(checker::findings().empty()) << text();
      continue;
    }
    ASSERT_EQ(deadlocks.size(), 1u) << text();
    EXPECT_EQ(checker::findings().size(), 1u) << text();
    EXPECT_NE(deadlocks[0].missing.find("kernel 'mismatched_sync'"), std::string::npos) << deadlocks[0].missing;
    EXPECT_NE(deadlocks[0].missing.find("blocks 0, 2 wait at sync_all call #2"), std::string::npos)
        << deadlocks[0].missing;
    EXPECT_NE(deadlocks[0].first.what.find("mismatched_sync"), std::string::npos) << deadlocks[0].first.what;
  }
  checker::enable();
}

TEST_F(KernelDeadlock, ABlockReturningBeforeTheBarrierFailsItAsFibersToo) {
  // More blocks than cores: the cores run them as fibers.
  LaunchOptions lo;
  lo.cooperative = true;
  const std::uint32_t blocks = dev_.info().compute_cores * 2 + 1;
  Status st = Status::kSuccess;
  const std::string msg = finished(a_.launch("early_return", blocks, lo, [](const KernelContext& k) {
    if (k.block_idx() == 1) return;
    k.sync_all();
  }), &st);
  EXPECT_EQ(st, Status::kTaskFailed);
  EXPECT_NE(msg.find("block 1 returned without calling sync_all"), std::string::npos) << msg;
  ASSERT_EQ(of_kind(checker::Kind::kDeadlock).size(), 1u) << text();
  // The stream takes work again, and a launch that agrees passes.
  ASSERT_OK(a_.launch("agreeing", blocks, lo, [](const KernelContext& k) { k.sync_all(); }));
  EXPECT_OK(a_.synchronize());
}

TEST_F(KernelDeadlock, AFailingBlockIsNotADeadlock) {
  LaunchOptions lo;
  lo.cooperative = true;
  Status st = Status::kSuccess;
  finished(a_.launch("failing", 2, lo, [](const KernelContext& k) {
    if (k.block_idx() == 1) throw Error(Status::kTaskFailed, "block 1 gives up");
    k.sync_all();
  }), &st);
  EXPECT_EQ(st, Status::kTaskFailed);
  EXPECT_TRUE(of_kind(checker::Kind::kDeadlock).empty()) << text();
}

}  // namespace
}  // namespace vnpu::test
