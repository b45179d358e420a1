// Ascend C kernels launched the NPU way (vnpu_ascendc/launch.h): queued on aclrtStreams,
// asynchronous, ordered by the stream and by events, failures reported at synchronize with
// the kernel's name, the stream usable afterwards; and the <<<>>> form (chevron).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "acl/acl.h"
#include "kernel_operator.h"

namespace {

struct ScaleTiling {
  std::uint32_t perBlock;  // floats per block, a multiple of 8
  float factor;
};

// y = x * factor, each block its slice, through the UB.
extern "C" __global__ __aicore__ void scale_kernel(GM_ADDR x, GM_ADDR y, ScaleTiling t) {
  AscendC::TPipe pipe;
  AscendC::TBuf<AscendC::TPosition::VECCALC> buf;
  pipe.InitBuffer(buf, t.perBlock * sizeof(float));
  AscendC::GlobalTensor<float> xg, yg;
  xg.SetGlobalBuffer(reinterpret_cast<__gm__ float*>(x) + AscendC::GetBlockIdx() * t.perBlock, t.perBlock);
  yg.SetGlobalBuffer(reinterpret_cast<__gm__ float*>(y) + AscendC::GetBlockIdx() * t.perBlock, t.perBlock);
  AscendC::LocalTensor<float> v = buf.Get<float>();
  AscendC::DataCopy(v, xg, t.perBlock);
  AscendC::Muls(v, v, t.factor, static_cast<std::int32_t>(t.perBlock));
  AscendC::DataCopy(yg, v, t.perBlock);
}

// Every block adds 1 to its slot, SyncAll, then block 0 sums the slots into out[0].
extern "C" __global__ __aicore__ void sync_kernel(GM_ADDR slots, GM_ADDR out) {
  auto* s = reinterpret_cast<__gm__ std::int32_t*>(slots);
  s[AscendC::GetBlockIdx() * 8] += 1;
  AscendC::SyncAll();
  if (AscendC::GetBlockIdx() == 0) {
    std::int32_t sum = 0;
    for (std::int64_t b = 0; b < AscendC::GetBlockNum(); ++b) sum += s[b * 8];
    reinterpret_cast<__gm__ std::int32_t*>(out)[0] = sum;
  }
}

extern "C" __global__ __aicore__ void overflow_kernel(GM_ADDR) {
  AscendC::TPipe pipe;
  AscendC::TBuf<AscendC::TPosition::VECCALC> buf;
  pipe.InitBuffer(buf, 1u << 20);  // beyond any UB
}

extern "C" __global__ __aicore__ void slow_kernel(GM_ADDR flag) {
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  if (AscendC::GetBlockIdx() == 0) reinterpret_cast<__gm__ std::int32_t*>(flag)[0] = 7;
}

// A tiling struct beyond what a launch keeps inline (its bytes go to the heap).
struct WideTiling {
  std::int64_t values[15];
  std::uint8_t tag;
};

// Writes every argument it received to out, as bytes at fixed offsets: block 0 only.
extern "C" __global__ __aicore__ void echo_kernel(std::uint8_t a, GM_ADDR out, double b, std::int16_t c, WideTiling w,
                                                  std::int64_t d) {
  if (AscendC::GetBlockIdx() != 0) return;
  auto* o = reinterpret_cast<__gm__ std::int64_t*>(out);
  o[0] = a;
  std::memcpy(&o[1], &b, 8);
  o[2] = c;
  for (int i = 0; i < 15; ++i) o[3 + i] = w.values[i];
  o[18] = w.tag;
  o[19] = d;
}

// out[i] = i + k: a launch per value of k, to check each launch kept its own arguments.
extern "C" __global__ __aicore__ void stamp_kernel(GM_ADDR out, std::int32_t i, std::int32_t k) {
  reinterpret_cast<__gm__ std::int32_t*>(out)[i] = i + k;
}

class AclLaunch : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(aclInit(nullptr), ACL_SUCCESS);
    ASSERT_EQ(aclrtSetDevice(0), ACL_SUCCESS);
    ASSERT_EQ(aclrtCreateStream(&stream_), ACL_SUCCESS);
  }
  void TearDown() override {
    for (void* p : buffers_) aclrtFree(p);
    aclrtDestroyStream(stream_);
    aclrtResetDevice(0);
    aclFinalize();
  }
  void* device(std::size_t bytes) {
    void* p = nullptr;
    EXPECT_EQ(aclrtMalloc(&p, bytes, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
    EXPECT_EQ(aclrtMemset(p, bytes, 0, bytes), ACL_SUCCESS);
    buffers_.push_back(p);
    return p;
  }
  aclrtStream stream_ = nullptr;
  std::vector<void*> buffers_;
};

TEST_F(AclLaunch, QueuesOnTheStreamAndTheResultIsThereAtSynchronize) {
  constexpr std::uint32_t kBlocks = 8, kPer = 1024, kN = kBlocks * kPer;
  std::vector<float> x(kN);
  for (std::uint32_t i = 0; i < kN; ++i) x[i] = static_cast<float>(i % 97) - 40.0f;
  void* dx = device(kN * 4);
  void* dy = device(kN * 4);
  ASSERT_EQ(aclrtMemcpyAsync(dx, kN * 4, x.data(), kN * 4, ACL_MEMCPY_HOST_TO_DEVICE, stream_), ACL_SUCCESS);
  ScaleTiling t{kPer, 2.5f};
  ASSERT_EQ(vnpu::ascendc::launch_kernel("scale_kernel", &scale_kernel, kBlocks, stream_, dx, dy, &t), 0u);
  t.factor = 100.0f;  // the launch copied the tiling: this changes nothing
  std::vector<float> y(kN, -1.0f);
  ASSERT_EQ(aclrtMemcpyAsync(y.data(), kN * 4, dy, kN * 4, ACL_MEMCPY_DEVICE_TO_HOST, stream_), ACL_SUCCESS);
  ASSERT_EQ(aclrtSynchronizeStream(stream_), ACL_SUCCESS);
  for (std::uint32_t i = 0; i < kN; ++i) ASSERT_EQ(y[i], x[i] * 2.5f) << i;
}

TEST_F(AclLaunch, ReturnsBeforeTheKernelRunsAndEventsOrderOtherStreams) {
  void* flag = device(64);
  void* copy = device(64);
  aclrtStream other = nullptr;
  aclrtEvent done = nullptr;
  ASSERT_EQ(aclrtCreateStream(&other), ACL_SUCCESS);
  ASSERT_EQ(aclrtCreateEvent(&done), ACL_SUCCESS);
  const auto start = std::chrono::steady_clock::now();
  ASSERT_EQ(vnpu::ascendc::launch_kernel("slow_kernel", &slow_kernel, 2, stream_, flag), 0u);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(25)) << "the launch does not wait";
  ASSERT_EQ(aclrtRecordEvent(done, stream_), ACL_SUCCESS);
  ASSERT_EQ(aclrtStreamWaitEvent(other, done), ACL_SUCCESS);
  ASSERT_EQ(aclrtMemcpyAsync(copy, 4, flag, 4, ACL_MEMCPY_DEVICE_TO_DEVICE, other), ACL_SUCCESS);
  std::int32_t got = 0;
  ASSERT_EQ(aclrtMemcpyAsync(&got, 4, copy, 4, ACL_MEMCPY_DEVICE_TO_HOST, other), ACL_SUCCESS);
  ASSERT_EQ(aclrtSynchronizeStream(other), ACL_SUCCESS);
  EXPECT_EQ(got, 7) << "the copy on the other stream waited for the kernel";
  aclrtDestroyEvent(done);
  aclrtDestroyStream(other);
}

TEST_F(AclLaunch, EveryBlockResidentUpToTheChipsCoresForSyncAll) {
  constexpr std::uint32_t kBlocks = 40;  // beyond this machine's cores, within every 910B profile
  void* slots = device(kBlocks * 32);
  void* out = device(64);
  ASSERT_EQ(vnpu::ascendc::launch_kernel("sync_kernel", &sync_kernel, kBlocks, stream_, slots, out), 0u);
  std::int32_t sum = 0;
  ASSERT_EQ(aclrtMemcpyAsync(&sum, 4, out, 4, ACL_MEMCPY_DEVICE_TO_HOST, stream_), ACL_SUCCESS);
  ASSERT_EQ(aclrtSynchronizeStream(stream_), ACL_SUCCESS);
  EXPECT_EQ(sum, static_cast<std::int32_t>(kBlocks));
}

TEST_F(AclLaunch, AFailingKernelIsReportedAtSynchronizeByNameAndTheStreamGoesOn) {
  void* p = device(64);
  ASSERT_EQ(vnpu::ascendc::launch_kernel("overflow_kernel", &overflow_kernel, 4, stream_, p), 0u);
  EXPECT_EQ(aclrtSynchronizeStream(stream_), ACL_ERROR_RT_AICORE_EXCEPTION);
  const std::string msg = aclGetRecentErrMsg();
  EXPECT_NE(msg.find("overflow_kernel"), std::string::npos) << msg;
  EXPECT_NE(msg.find("unified buffer"), std::string::npos) << msg;
  // The stream works afterwards.
  void* slots = device(4 * 32);
  void* out = device(64);
  ASSERT_EQ(vnpu::ascendc::launch_kernel("sync_kernel", &sync_kernel, 4, stream_, slots, out), 0u);
  ASSERT_EQ(aclrtSynchronizeStream(stream_), ACL_SUCCESS);
}

TEST_F(AclLaunch, ArgumentsOfEveryKindAndSizeArriveIntact) {
  void* out = device(20 * 8);
  WideTiling w{};
  for (int i = 0; i < 15; ++i) w.values[i] = (std::int64_t{1} << 40) * (i + 1) - i;
  w.tag = 0xA5;
  const double b = -3.0625e-7;
  ASSERT_EQ(vnpu::ascendc::launch_kernel("echo_kernel", &echo_kernel, 2, stream_, 200, out, b, -1234, &w,
                                         std::int64_t{-(std::int64_t{1} << 50)}),
            0u);
  w.values[0] = 0;  // the launch copied the struct
  std::int64_t got[20] = {};
  ASSERT_EQ(aclrtMemcpyAsync(got, sizeof got, out, sizeof got, ACL_MEMCPY_DEVICE_TO_HOST, stream_), ACL_SUCCESS);
  ASSERT_EQ(aclrtSynchronizeStream(stream_), ACL_SUCCESS);
  EXPECT_EQ(got[0], 200);
  double gb = 0;
  std::memcpy(&gb, &got[1], 8);
  EXPECT_EQ(gb, b);
  EXPECT_EQ(got[2], -1234);
  for (int i = 0; i < 15; ++i) EXPECT_EQ(got[3 + i], (std::int64_t{1} << 40) * (i + 1) - i) << i;
  EXPECT_EQ(got[18], 0xA5);
  EXPECT_EQ(got[19], -(std::int64_t{1} << 50));
}

TEST_F(AclLaunch, ManyQueuedLaunchesEachKeepTheirArguments) {
  // More launches than a stream's task ring holds while the first still sleeps: the rest
  // wait in the stream's overflow list, moved there with their arguments.
  constexpr int kLaunches = 500;
  void* flag = device(64);
  void* out = device(kLaunches * 4);
  ASSERT_EQ(vnpu::ascendc::launch_kernel("slow_kernel", &slow_kernel, 1, stream_, flag), 0u);
  for (int i = 0; i < kLaunches; ++i)
    ASSERT_EQ(vnpu::ascendc::launch_kernel("stamp_kernel", &stamp_kernel, 1 + i % 3, stream_, out, i, 1000), 0u);
  std::vector<std::int32_t> got(kLaunches);
  ASSERT_EQ(aclrtSynchronizeStream(stream_), ACL_SUCCESS);
  ASSERT_EQ(aclrtMemcpy(got.data(), kLaunches * 4, out, kLaunches * 4, ACL_MEMCPY_DEVICE_TO_HOST), ACL_SUCCESS);
  for (int i = 0; i < kLaunches; ++i) ASSERT_EQ(got[i], i + 1000) << i;
}

TEST_F(AclLaunch, BadLaunchesAreRefusedWithAReason) {
  void* p = device(64);
  EXPECT_EQ(vnpu::ascendc::launch_kernel("slow_kernel", &slow_kernel, 0, stream_, p), ACL_ERROR_INVALID_PARAM);
  EXPECT_NE(std::string(aclGetRecentErrMsg()).find("blockDim 0"), std::string::npos);
  const ScaleTiling* none = nullptr;
  EXPECT_EQ(vnpu::ascendc::launch_kernel("scale_kernel", &scale_kernel, 1, stream_, p, p, none), ACL_ERROR_INVALID_PARAM);
  EXPECT_NE(std::string(aclGetRecentErrMsg()).find("null host address"), std::string::npos);
  const vnpu::ascendc::KernelCall no_kernel{};
  EXPECT_EQ(vnpu::ascendc::launch_async("none", 1, stream_, no_kernel), ACL_ERROR_INVALID_PARAM);
  EXPECT_NE(std::string(aclGetRecentErrMsg()).find("no kernel"), std::string::npos);
  int not_a_stream = 0;
  EXPECT_NE(vnpu::ascendc::launch_kernel("slow_kernel", &slow_kernel, 1, &not_a_stream, p), 0u);
  EXPECT_EQ(aclrtSynchronizeStream(stream_), ACL_SUCCESS) << "nothing was queued";
}

TEST_F(AclLaunch, AHostCallbackAfterTheKernelSeesItsResult) {
  constexpr std::uint32_t kBlocks = 4, kPer = 256, kN = kBlocks * kPer;
  void* dx = device(kN * 4);
  void* dy = device(kN * 4);
  std::vector<float> x(kN, 1.5f);
  ASSERT_EQ(aclrtMemcpy(dx, kN * 4, x.data(), kN * 4, ACL_MEMCPY_HOST_TO_DEVICE), ACL_SUCCESS);
  // A thread processing the stream's callback reports, as AscendCL programs run one.
  std::atomic<bool> stop{false};
  std::thread processor([&] {
    while (!stop.load()) (void)aclrtProcessReport(10);
  });
  ASSERT_EQ(aclrtSubscribeReport(static_cast<std::uint64_t>(processor.native_handle()), stream_), ACL_SUCCESS);
  struct Seen {
    std::vector<float> host;
    void* dy;
    std::uint32_t n;
  } seen{std::vector<float>(kN), dy, kN};
  const ScaleTiling t{kPer, 4.0f};
  ASSERT_EQ(vnpu::ascendc::launch_kernel("scale_kernel", &scale_kernel, kBlocks, stream_, dx, dy, &t), 0u);
  ASSERT_EQ(aclrtLaunchCallback(
                [](void* p) {
                  auto* s = static_cast<Seen*>(p);
                  (void)aclrtMemcpy(s->host.data(), s->n * 4, s->dy, s->n * 4, ACL_MEMCPY_DEVICE_TO_HOST);
                },
                &seen, ACL_CALLBACK_BLOCK, stream_),
            ACL_SUCCESS);
  ASSERT_EQ(aclrtSynchronizeStream(stream_), ACL_SUCCESS);
  EXPECT_EQ(aclrtUnSubscribeReport(static_cast<std::uint64_t>(processor.native_handle()), stream_), ACL_SUCCESS);
  stop.store(true);
  processor.join();
  for (float v : seen.host) ASSERT_EQ(v, 6.0f) << "the callback ran after the kernel";
}

TEST_F(AclLaunch, TheChevronFormLaunchesTheSameWay) {
  constexpr std::uint32_t kBlocks = 4, kPer = 256, kN = kBlocks * kPer;
  void* dx = device(kN * 4);
  void* dy = device(kN * 4);
  std::vector<float> x(kN, 3.0f);
  ASSERT_EQ(aclrtMemcpy(dx, kN * 4, x.data(), kN * 4, ACL_MEMCPY_HOST_TO_DEVICE), ACL_SUCCESS);
  const ScaleTiling t{kPer, -2.0f};
  // What `scale_kernel<<<kBlocks, nullptr, stream_>>>(dx, dy, t)` becomes.
  ::vnpu::ascendc::chevron(scale_kernel, "scale_kernel", kBlocks, nullptr, stream_)(
      static_cast<std::uint8_t*>(dx), static_cast<std::uint8_t*>(dy), t);
  ::vnpu::ascendc::chevron(scale_kernel, "scale_kernel", kBlocks, 0, stream_)(  // the dynamic-UB form
      static_cast<std::uint8_t*>(dy), static_cast<std::uint8_t*>(dy), t);
  std::vector<float> y(kN);
  ASSERT_EQ(aclrtSynchronizeStream(stream_), ACL_SUCCESS);
  ASSERT_EQ(aclrtMemcpy(y.data(), kN * 4, dy, kN * 4, ACL_MEMCPY_DEVICE_TO_HOST), ACL_SUCCESS);
  for (float v : y) ASSERT_EQ(v, 12.0f);
}

}  // namespace
