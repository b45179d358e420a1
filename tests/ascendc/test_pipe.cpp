// TPipe, TQue, TQueBind and TBuf: the unified buffer handed out in blocks, the queues between
// a kernel's stages, and the chip's limits on both.
#include <string>
#include <vector>

#include "ascendc_support.hpp"

using namespace AscendC;
using ascendc_test::expect_failure;
using ascendc_test::run;

namespace {

TEST(AscendcPipe, QueuesHandOutDistinctAlignedBuffersInsideTheUb) {
  std::vector<std::uintptr_t> seen;
  std::uint64_t ub = 0;
  ASSERT_EQ(run("layout", 1, [&] {
              TPipe pipe;
              TQue<QuePosition::VECIN, 2> in;
              TQue<QuePosition::VECOUT, 2> out;
              TBuf<QuePosition::VECCALC> tmp;
              pipe.InitBuffer(in, 2, 1000);  // rounded up to 1024
              pipe.InitBuffer(out, 2, 512);
              pipe.InitBuffer(tmp, 96);
              LocalTensor<float> a = in.AllocTensor<float>();
              LocalTensor<float> b = in.AllocTensor<float>();
              LocalTensor<half> c = out.AllocTensor<half>();
              LocalTensor<std::int32_t> d = tmp.Get<std::int32_t>();
              for (auto p : {reinterpret_cast<std::uintptr_t>(a.GetPhyAddr()), reinterpret_cast<std::uintptr_t>(b.GetPhyAddr()),
                             reinterpret_cast<std::uintptr_t>(c.GetPhyAddr()), reinterpret_cast<std::uintptr_t>(d.GetPhyAddr())})
                seen.push_back(p);
              EXPECT_EQ(a.GetSize(), 256u);  // 1024 bytes of float
              EXPECT_EQ(c.GetSize(), 256u);  // 512 bytes of half
              EXPECT_EQ(d.GetSize(), 24u);
              ub = reinterpret_cast<std::uintptr_t>(pipe.GetBaseAddr(static_cast<std::int8_t>(TPosition::VECIN)));
              EXPECT_EQ(GetTPipePtr(), &pipe);
            }),
            vnpu::Status::kSuccess);
  ASSERT_EQ(seen.size(), 4u);
  for (std::size_t i = 0; i < seen.size(); ++i) {
    EXPECT_EQ(seen[i] % 32, 0u) << i;
    EXPECT_GE(seen[i], ub) << i;
    EXPECT_LT(seen[i], ub + 192 * 1024) << i;
  }
  EXPECT_EQ(seen[1] - seen[0], 1024u);
  EXPECT_EQ(seen[2] - seen[0], 2048u);
  EXPECT_EQ(seen[3] - seen[2], 1024u);
}

TEST(AscendcPipe, QueueStateFollowsEnQueAndDeQueInOrder) {
  ASSERT_EQ(run("fifo", 1, [] {
              TPipe pipe;
              TQue<QuePosition::VECIN, 3> q;
              pipe.InitBuffer(q, 3, 64);
              EXPECT_TRUE(q.VacantInQue());
              EXPECT_FALSE(q.HasTensorInQue());
              LocalTensor<std::int32_t> t[3];
              for (int i = 0; i < 3; ++i) {
                t[i] = q.AllocTensor<std::int32_t>();
                t[i].SetValue(0, 100 + i);
                EXPECT_TRUE(q.EnQue(t[i]));
              }
              EXPECT_FALSE(q.VacantInQue());
              EXPECT_EQ(q.GetTensorCountInQue(), 3);
              for (int i = 0; i < 3; ++i) {
                LocalTensor<std::int32_t> u = q.DeQue<std::int32_t>();
                EXPECT_EQ(u.GetValue(0), 100 + i);  // first in, first out
                q.FreeTensor(u);
              }
              EXPECT_FALSE(q.HasTensorInQue());
              EXPECT_TRUE(q.HasIdleBuffer());
            }),
            vnpu::Status::kSuccess);
}

TEST(AscendcPipe, TQueBindAndTBufOffsetsWork) {
  ASSERT_EQ(run("bind", 1, [] {
              TPipe pipe;
              TQueBind<TPosition::VECIN, TPosition::VECOUT, 1> q;
              TBuf<> buf;
              pipe.InitBuffer(q, 1, 256);
              pipe.InitBuffer(buf, 1024);
              LocalTensor<float> a = q.AllocTensor<float>();
              q.EnQue(a);
              LocalTensor<float> b = q.DeQue<float>();
              EXPECT_EQ(a.GetPhyAddr(), b.GetPhyAddr());
              q.FreeTensor(b);
              LocalTensor<float> whole = buf.Get<float>();
              LocalTensor<float> part = buf.GetWithOffset<float>(16, 512);
              EXPECT_EQ(part.GetPhyAddr(), whole.GetPhyAddr() + 128);
              EXPECT_EQ(part.GetSize(), 16u);
            }),
            vnpu::Status::kSuccess);
}

TEST(AscendcPipe, ResetFreesTheUbForNewBuffers) {
  ASSERT_EQ(run("reset", 1, [] {
              TPipe pipe;
              TBuf<> a, b;
              pipe.InitBuffer(a, 150 * 1024);
              pipe.Reset();
              pipe.InitBuffer(b, 150 * 1024);  // would overflow without the Reset
            }),
            vnpu::Status::kSuccess);
}

TEST(AscendcPipe, TheWholeUbMayBeUsedButNotOneBlockMore) {
  EXPECT_EQ(run("full", 1, [] {
              TPipe pipe;
              TBuf<> a;
              pipe.InitBuffer(a, 192 * 1024);
            }),
            vnpu::Status::kSuccess);
  expect_failure(1, [] {
    TPipe pipe;
    TBuf<> a, b;
    pipe.InitBuffer(a, 192 * 1024 - 32);
    pipe.InitBuffer(b, 33);  // rounds up to 64: one block too many
  }, {"unified buffer overflow", "64 bytes", "196576", "196608"});
}

TEST(AscendcPipe, QueueMisuseFailsTheKernel) {
  expect_failure(1, [] {
    TPipe pipe;
    TQue<QuePosition::VECIN, 1> q;
    pipe.InitBuffer(q, 2, 64);
    LocalTensor<half> a = q.AllocTensor<half>();
    LocalTensor<half> b = q.AllocTensor<half>();
    LocalTensor<half> c = q.AllocTensor<half>();  // both buffers in use
    (void)a, (void)b, (void)c;
  }, {"AllocTensor", "all 2 buffers"});
  expect_failure(1, [] {
    TPipe pipe;
    TQue<QuePosition::VECIN, 1> q, other;
    pipe.InitBuffer(q, 1, 64);
    pipe.InitBuffer(other, 1, 64);
    LocalTensor<half> a = other.AllocTensor<half>();
    q.FreeTensor(a);
  }, {"FreeTensor", "not allocated from this queue"});
  expect_failure(1, [] {
    TPipe pipe;
    TQue<QuePosition::VECIN, 1> q;
    pipe.InitBuffer(q, 1, 64);
    LocalTensor<half> a = q.AllocTensor<half>();
    q.FreeTensor(a);
    q.FreeTensor(a);
  }, {"FreeTensor", "already freed"});
  expect_failure(1, [] {
    TPipe pipe;
    TQue<QuePosition::VECIN, 1> q;
    LocalTensor<half> a = q.AllocTensor<half>();  // no InitBuffer
    (void)a;
  }, {"InitBuffer first"});
  expect_failure(1, [] {
    TPipe pipe;
    TQue<QuePosition::VECIN, 1> q;
    pipe.InitBuffer(q, 0, 64);
  }, {"InitBuffer", "0 buffers"});
}

TEST(AscendcPipe, AtMostEightTensorsOfAPositionAreInUse) {
  expect_failure(1, [] {
    TPipe pipe;
    TQue<QuePosition::VECIN, 4> a, b, c;
    pipe.InitBuffer(a, 4, 32);
    pipe.InitBuffer(b, 4, 32);
    pipe.InitBuffer(c, 4, 32);
    for (int i = 0; i < 4; ++i) (void)a.AllocTensor<float>();
    for (int i = 0; i < 4; ++i) (void)b.AllocTensor<float>();
    (void)c.AllocTensor<float>();  // the ninth VECIN tensor
  }, {"8 tensors"});
}

TEST(AscendcPipe, AKernelHasAtMost64Buffers) {
  expect_failure(1, [] {
    TPipe pipe;
    TBuf<> bufs[65];
    for (auto& b : bufs) pipe.InitBuffer(b, 32);
  }, {"at most 64"});
}

TEST(AscendcPipe, EventIdsAreAllocatedAndReleased) {
  ASSERT_EQ(run("events", 1, [] {
              TPipe pipe;
              TEventID ids[8];
              for (auto& id : ids) id = pipe.AllocEventID<HardEvent::V_MTE3>();
              for (int i = 0; i < 8; ++i) EXPECT_EQ(ids[i], i);
              pipe.ReleaseEventID<HardEvent::V_MTE3>(ids[3]);
              EXPECT_EQ(pipe.FetchEventID<HardEvent::V_MTE3>(), 3);
              EXPECT_EQ(pipe.AllocEventID<HardEvent::V_MTE3>(), 3);
            }),
            vnpu::Status::kSuccess);
  expect_failure(1, [] {
    TPipe pipe;
    for (int i = 0; i < 9; ++i) (void)pipe.AllocEventID<HardEvent::MTE2_V>();
  }, {"AllocEventID", "all 8"});
}

TEST(AscendcPipe, EveryBlockHasItsOwnUb) {
  // 48 blocks (fibers beyond the cores) each fill their UB with their index, meet, and check.
  ascendc_test::Gm<std::int32_t> bad(48);
  ASSERT_EQ(run("own_ub", 48, [&] {
              TPipe pipe;
              TBuf<> buf;
              pipe.InitBuffer(buf, 64 * 1024);
              LocalTensor<std::int32_t> t = buf.Get<std::int32_t>();
              const auto me = static_cast<std::int32_t>(GetBlockIdx());
              for (std::uint32_t i = 0; i < t.GetSize(); i += 97) t.SetValue(i, me);
              SyncAll();
              for (std::uint32_t i = 0; i < t.GetSize(); i += 97)
                if (t.GetValue(i) != me) bad[static_cast<std::size_t>(me)] = 1;
            }),
            vnpu::Status::kSuccess);
  for (int i = 0; i < 48; ++i) EXPECT_EQ(bad[static_cast<std::size_t>(i)], 0) << i;
}

}  // namespace
