// The two-stream pipeline of `vnpu bench ascendc`: host->device copies of batch i+1 on one
// aclrtStream overlap an Ascend C kernel on batch i on another, with events between them
// and two device buffers in turn (double buffering), as a real program's host side does.
//
//   pipeline/copy_only     every batch's copy, nothing else (ns per run of all batches)
//   pipeline/compute_only  every batch's kernel on data already on the device
//   pipeline/serial        copy, then kernel, batch after batch, on one stream
//   pipeline/async         the two-stream pipeline
// async / max(copy_only, compute_only) is the pipeline's efficiency (1 is perfect overlap).
// The kernel runs on one block: the default device's copy engine and one compute core each
// have a CPU of a 2-CPU machine, as the copy engine and an AI core have their own hardware.
// As in `vnpu demo`, the kernel's vector work is calibrated to about 3x the copy time per
// batch: a kernel that mostly moves memory competes with the copies for the same memory
// bandwidth (on the chip too), and no pipeline can hide that.
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "acl/acl.h"
#include "bench.hpp"
#include "kernel_operator.h"

namespace {

struct PipelineTiling {
  std::uint32_t length;  // floats of the batch
  std::uint32_t rounds;  // vector passes per tile: the compute per byte copied
};

constexpr std::uint32_t kTile = 8192;  // floats per tile: 32 KiB of the UB

}  // namespace

// y = (((x * 1.0001) + 0.5) * 1.0001 + 0.5) ..., `rounds` times, tile by tile through the UB.
extern "C" __global__ __aicore__ void vnpu_bench_pipeline_kernel(GM_ADDR x, GM_ADDR y, PipelineTiling t) {
  AscendC::TPipe pipe;
  AscendC::TBuf<AscendC::TPosition::VECCALC> buf;
  pipe.InitBuffer(buf, kTile * sizeof(float));
  AscendC::GlobalTensor<float> xg, yg;
  xg.SetGlobalBuffer(reinterpret_cast<__gm__ float*>(x), t.length);
  yg.SetGlobalBuffer(reinterpret_cast<__gm__ float*>(y), t.length);
  AscendC::LocalTensor<float> v = buf.Get<float>();
  for (std::uint32_t off = 0; off < t.length; off += kTile) {
    AscendC::DataCopy(v, xg[off], kTile);
    for (std::uint32_t r = 0; r < t.rounds; ++r) {
      AscendC::Muls(v, v, 1.0001f, static_cast<std::int32_t>(kTile));
      AscendC::Adds(v, v, 0.5f, static_cast<std::int32_t>(kTile));
    }
    AscendC::DataCopy(yg[off], v, kTile);
  }
}

namespace vnpu::cli {

void acl_ok(int error, const char* what) {
  if (error != ACL_SUCCESS) throw CliError(kExitUnexpected, std::string(what) + ": " + aclGetRecentErrMsg());
}

namespace {

constexpr std::uint32_t kBatches = 16;
constexpr std::uint32_t kBatchFloats = 1u << 20;  // 4 MiB per batch
constexpr std::size_t kBatchBytes = std::size_t{kBatchFloats} * sizeof(float);

class Pipeline {
 public:
  Pipeline() {
    acl_ok(aclrtMallocHost(&host_, kBatchBytes * kBatches), "aclrtMallocHost");
    auto* h = static_cast<float*>(host_);
    for (std::size_t i = 0; i < std::size_t{kBatchFloats} * kBatches; ++i) h[i] = static_cast<float>(i % 1000) * 1e-3f;
    for (int b = 0; b < 2; ++b) {
      acl_ok(aclrtMalloc(&in_[b], kBatchBytes, ACL_MEM_MALLOC_HUGE_FIRST), "aclrtMalloc");
      acl_ok(aclrtMalloc(&out_[b], kBatchBytes, ACL_MEM_MALLOC_HUGE_FIRST), "aclrtMalloc");
      acl_ok(aclrtCreateEvent(&copied_[b]), "aclrtCreateEvent");
      acl_ok(aclrtCreateEvent(&consumed_[b]), "aclrtCreateEvent");
    }
    acl_ok(aclrtCreateStream(&copy_), "aclrtCreateStream");
    acl_ok(aclrtCreateStream(&compute_), "aclrtCreateStream");
  }
  ~Pipeline() {
    for (int b = 0; b < 2; ++b) {
      aclrtFree(in_[b]);
      aclrtFree(out_[b]);
      aclrtDestroyEvent(copied_[b]);
      aclrtDestroyEvent(consumed_[b]);
    }
    aclrtDestroyStream(copy_);
    aclrtDestroyStream(compute_);
    aclrtFreeHost(host_);
  }
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  /// Sets the kernel's rounds so that one batch's kernel takes about 3x its copy.
  void calibrate() {
    const double copy = time_once([&] { copy_only(); }) / kBatches;
    tiling_.rounds = 1;
    const double one = time_once([&] { compute_only(); }) / kBatches;
    tiling_.rounds = 9;
    const double nine = time_once([&] { compute_only(); }) / kBatches;
    const double per_round = std::max((nine - one) / 8, 1.0);
    const double fixed = std::max(one - per_round, 0.0);  // the kernel's copies in and out of the UB
    tiling_.rounds = std::clamp(static_cast<std::uint32_t>((3 * copy - fixed) / per_round), 1u, 256u);
  }
  std::uint32_t rounds() const { return tiling_.rounds; }

  void copy_only() {
    for (std::uint32_t i = 0; i < kBatches; ++i) copy_batch(i, copy_);
    acl_ok(aclrtSynchronizeStream(copy_), "aclrtSynchronizeStream");
  }
  void compute_only() {
    for (std::uint32_t i = 0; i < kBatches; ++i) kernel(i % 2, compute_);
    acl_ok(aclrtSynchronizeStream(compute_), "aclrtSynchronizeStream");
  }
  void serial() {
    for (std::uint32_t i = 0; i < kBatches; ++i) {
      copy_batch(i, compute_);
      kernel(i % 2, compute_);
    }
    acl_ok(aclrtSynchronizeStream(compute_), "aclrtSynchronizeStream");
  }
  /// Copy of batch i+1 (copy stream) beside the kernel on batch i (compute stream).
  void async() {
    for (std::uint32_t i = 0; i < kBatches; ++i) {
      const int b = static_cast<int>(i % 2);
      if (i >= 2) acl_ok(aclrtStreamWaitEvent(copy_, consumed_[b]), "aclrtStreamWaitEvent");  // buffer free again
      copy_batch(i, copy_);
      acl_ok(aclrtRecordEvent(copied_[b], copy_), "aclrtRecordEvent");
      acl_ok(aclrtStreamWaitEvent(compute_, copied_[b]), "aclrtStreamWaitEvent");
      kernel(b, compute_);
      acl_ok(aclrtRecordEvent(consumed_[b], compute_), "aclrtRecordEvent");
    }
    acl_ok(aclrtSynchronizeStream(compute_), "aclrtSynchronizeStream");
  }

 private:
  template <class F>
  static double time_once(F&& f) {
    f();  // warm
    const auto t0 = Clock::now();
    f();
    return ns_between(t0, Clock::now());
  }
  void copy_batch(std::uint32_t i, aclrtStream s) {
    acl_ok(aclrtMemcpyAsync(in_[i % 2], kBatchBytes, static_cast<char*>(host_) + i * kBatchBytes, kBatchBytes,
                            ACL_MEMCPY_HOST_TO_DEVICE, s),
           "aclrtMemcpyAsync");
  }
  void kernel(int b, aclrtStream s) {
    acl_ok(ascendc::launch_kernel("pipeline_kernel", &vnpu_bench_pipeline_kernel, 1, s, in_[b], out_[b], &tiling_),
           "launch");
  }

  void* host_ = nullptr;
  void* in_[2] = {};
  void* out_[2] = {};
  aclrtEvent copied_[2] = {};
  aclrtEvent consumed_[2] = {};
  aclrtStream copy_ = nullptr;
  aclrtStream compute_ = nullptr;
  PipelineTiling tiling_{kBatchFloats, 1};
};

}  // namespace

std::vector<BenchResult> run_ascendc_pipeline(const BenchOptions& o, const std::string& suite, int threads) {
  acl_ok(aclInit(nullptr), "aclInit");
  acl_ok(aclrtSetDevice(0), "aclrtSetDevice");  // reset and finalized by the caller
  std::vector<BenchResult> results;
  {
    Pipeline p;
    p.calibrate();
    const int reps = std::max(3, o.reps);
    const std::pair<const char*, void (Pipeline::*)()> cases[] = {{"pipeline/copy_only", &Pipeline::copy_only},
                                                                   {"pipeline/compute_only", &Pipeline::compute_only},
                                                                   {"pipeline/serial", &Pipeline::serial},
                                                                   {"pipeline/async", &Pipeline::async}};
    // Rounds over the cases, so that the host's drift touches every case alike.
    std::vector<std::vector<double>> samples(std::size(cases));
    for (int r = 0; r < reps; ++r)
      for (std::size_t c = 0; c < std::size(cases); ++c) {
        const auto t0 = Clock::now();
        (p.*cases[c].second)();
        samples[c].push_back(ns_between(t0, Clock::now()));
      }
    for (std::size_t c = 0; c < std::size(cases); ++c)
      results.push_back(latency_result(suite, cases[c].first, "ns", summarize(std::move(samples[c])),
                                       static_cast<std::uint64_t>(reps), threads));
  }
  return results;
}

}  // namespace vnpu::cli
