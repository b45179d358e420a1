// The stream pipeline of an AscendCL program, for test_pipeline_profile.cpp: batch i+1 is
// copied host->device on one stream while an Ascend C kernel works on batch i on another
// and batch i-1's result goes back device->host on a third, with events between them and
// two device buffers of each kind in turn. Exits 0 when every batch's result is right.
//
//   vnpu_ascendc_pipeline_program [BATCHES]
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "acl/acl.h"
#include "kernel_operator.h"

namespace {

struct Tiling {
  std::uint32_t length;  // floats of a batch, a multiple of kTile
  std::uint32_t rounds;  // vector passes per tile: the kernel's work per byte copied
};

constexpr std::uint32_t kTile = 4096;
constexpr std::uint32_t kBatchFloats = 64 * kTile;  // 1 MiB per batch
constexpr std::uint32_t kRounds = 24;

// y = x * 0.5 + 1, `rounds` times (x converges towards 2), in the usual form of an Ascend
// C kernel: tiles copied in, computed and copied out through queues two buffers deep, so
// the block's own copies overlap its vector work as they would on the chip.
class Converge {
 public:
  __aicore__ void Init(GM_ADDR x, GM_ADDR y, const Tiling& t) {
    tiling_ = t;
    xg_.SetGlobalBuffer(reinterpret_cast<__gm__ float*>(x), t.length);
    yg_.SetGlobalBuffer(reinterpret_cast<__gm__ float*>(y), t.length);
    pipe_.InitBuffer(in_, 2, kTile * sizeof(float));
    pipe_.InitBuffer(out_, 2, kTile * sizeof(float));
  }
  __aicore__ void Process() {
    for (std::uint32_t off = 0; off < tiling_.length; off += kTile) {
      AscendC::LocalTensor<float> a = in_.AllocTensor<float>();
      AscendC::DataCopy(a, xg_[off], kTile);
      in_.EnQue(a);
      AscendC::LocalTensor<float> v = in_.DeQue<float>();
      AscendC::LocalTensor<float> r = out_.AllocTensor<float>();
      AscendC::Muls(r, v, 0.5f, static_cast<std::int32_t>(kTile));
      AscendC::Adds(r, r, 1.0f, static_cast<std::int32_t>(kTile));
      for (std::uint32_t k = 1; k < tiling_.rounds; ++k) {
        AscendC::Muls(r, r, 0.5f, static_cast<std::int32_t>(kTile));
        AscendC::Adds(r, r, 1.0f, static_cast<std::int32_t>(kTile));
      }
      in_.FreeTensor(v);
      out_.EnQue(r);
      AscendC::LocalTensor<float> w = out_.DeQue<float>();
      AscendC::DataCopy(yg_[off], w, kTile);
      out_.FreeTensor(w);
    }
  }

 private:
  AscendC::TPipe pipe_;
  AscendC::TQue<AscendC::TPosition::VECIN, 2> in_;
  AscendC::TQue<AscendC::TPosition::VECOUT, 2> out_;
  AscendC::GlobalTensor<float> xg_, yg_;
  Tiling tiling_{};
};

extern "C" __global__ __aicore__ void pipeline_kernel(GM_ADDR x, GM_ADDR y, Tiling t) {
  Converge op;
  op.Init(x, y, t);
  op.Process();
}

bool ok(aclError e, const char* what) {
  if (e == ACL_SUCCESS) return true;
  std::fprintf(stderr, "%s: %d %s\n", what, static_cast<int>(e), aclGetRecentErrMsg());
  return false;
}

float expected(float x) {
  for (std::uint32_t r = 0; r < kRounds; ++r) x = x * 0.5f + 1.0f;
  return x;
}

}  // namespace

int main(int argc, char** argv) {
  const int batches = argc > 1 ? std::atoi(argv[1]) : 8;
  if (batches < 2) return 2;
  constexpr std::size_t kBytes = std::size_t{kBatchFloats} * sizeof(float);
  if (!ok(aclInit(nullptr), "aclInit") || !ok(aclrtSetDevice(0), "aclrtSetDevice")) return 1;
  void* host_in = nullptr;
  void* host_out = nullptr;
  if (!ok(aclrtMallocHost(&host_in, kBytes * batches), "aclrtMallocHost") ||
      !ok(aclrtMallocHost(&host_out, kBytes * batches), "aclrtMallocHost"))
    return 1;
  auto* in = static_cast<float*>(host_in);
  for (std::size_t i = 0; i < std::size_t{kBatchFloats} * batches; ++i) in[i] = static_cast<float>(i % 251) - 100.0f;
  // Touched before the pipeline: a first write to fresh pages can cost milliseconds (huge
  // pages being found and zeroed), which would stall the copies that make it.
  std::memset(host_out, 0, kBytes * batches);
  void* dev_in[2] = {};
  void* dev_out[2] = {};
  aclrtEvent copied[2] = {};    // batch in in[b]
  aclrtEvent consumed[2] = {};  // the kernel read in[b] and wrote out[b]
  aclrtEvent drained[2] = {};   // out[b] copied back
  aclrtStream to_device = nullptr;
  aclrtStream compute = nullptr;
  aclrtStream to_host = nullptr;
  for (int b = 0; b < 2; ++b)
    if (!ok(aclrtMalloc(&dev_in[b], kBytes, ACL_MEM_MALLOC_HUGE_FIRST), "aclrtMalloc") ||
        !ok(aclrtMalloc(&dev_out[b], kBytes, ACL_MEM_MALLOC_HUGE_FIRST), "aclrtMalloc") ||
        !ok(aclrtCreateEvent(&copied[b]), "aclrtCreateEvent") || !ok(aclrtCreateEvent(&consumed[b]), "aclrtCreateEvent") ||
        !ok(aclrtCreateEvent(&drained[b]), "aclrtCreateEvent"))
      return 1;
  if (!ok(aclrtCreateStream(&to_device), "aclrtCreateStream") || !ok(aclrtCreateStream(&compute), "aclrtCreateStream") ||
      !ok(aclrtCreateStream(&to_host), "aclrtCreateStream"))
    return 1;
  const Tiling tiling{kBatchFloats, kRounds};
  for (int i = 0; i < batches; ++i) {
    const int b = i % 2;
    char* host_batch_in = static_cast<char*>(host_in) + i * kBytes;
    char* host_batch_out = static_cast<char*>(host_out) + i * kBytes;
    // in[b] is free again once the kernel two batches back has read it.
    if (i >= 2 && !ok(aclrtStreamWaitEvent(to_device, consumed[b]), "aclrtStreamWaitEvent")) return 1;
    if (!ok(aclrtMemcpyAsync(dev_in[b], kBytes, host_batch_in, kBytes, ACL_MEMCPY_HOST_TO_DEVICE, to_device),
            "aclrtMemcpyAsync") ||
        !ok(aclrtRecordEvent(copied[b], to_device), "aclrtRecordEvent"))
      return 1;
    // The kernel needs its batch in in[b], and out[b] copied back from two batches back.
    if (!ok(aclrtStreamWaitEvent(compute, copied[b]), "aclrtStreamWaitEvent")) return 1;
    if (i >= 2 && !ok(aclrtStreamWaitEvent(compute, drained[b]), "aclrtStreamWaitEvent")) return 1;
    if (!ok(vnpu::ascendc::launch_kernel("pipeline_kernel", &pipeline_kernel, 1, compute, dev_in[b], dev_out[b],
                                         &tiling),
            "launch") ||
        !ok(aclrtRecordEvent(consumed[b], compute), "aclrtRecordEvent"))
      return 1;
    if (!ok(aclrtStreamWaitEvent(to_host, consumed[b]), "aclrtStreamWaitEvent") ||
        !ok(aclrtMemcpyAsync(host_batch_out, kBytes, dev_out[b], kBytes, ACL_MEMCPY_DEVICE_TO_HOST, to_host),
            "aclrtMemcpyAsync") ||
        !ok(aclrtRecordEvent(drained[b], to_host), "aclrtRecordEvent"))
      return 1;
  }
  if (!ok(aclrtSynchronizeStream(to_host), "aclrtSynchronizeStream")) return 1;
  const auto* out = static_cast<const float*>(host_out);
  for (std::size_t i = 0; i < std::size_t{kBatchFloats} * batches; ++i)
    if (std::fabs(out[i] - expected(in[i])) > 1e-5f * std::fabs(expected(in[i])) + 1e-6f) {
      std::fprintf(stderr, "element %zu: %g, expected %g\n", i, static_cast<double>(out[i]),
                   static_cast<double>(expected(in[i])));
      return 1;
    }
  for (int b = 0; b < 2; ++b) {
    aclrtFree(dev_in[b]);
    aclrtFree(dev_out[b]);
    aclrtDestroyEvent(copied[b]);
    aclrtDestroyEvent(consumed[b]);
    aclrtDestroyEvent(drained[b]);
  }
  aclrtDestroyStream(to_device);
  aclrtDestroyStream(compute);
  aclrtDestroyStream(to_host);
  aclrtFreeHost(host_in);
  aclrtFreeHost(host_out);
  aclrtResetDevice(0);
  aclFinalize();
  std::printf("%d batches right\n", batches);
  return 0;
}
