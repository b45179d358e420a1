// tools/cli/bench_ascendc.cpp — `vnpu bench ascendc`: the kernels of examples/ascendc, as
// written for the chip, at scale on this machine's cores.
//
//   add/f16/64Mi/<blocks>         add_custom (z = x + y, double-buffered queues) over 64 Mi
//                                 halves: GB/s count x and y read and z written, compared
//                                 with the copy bandwidth (which moves data the same way)
//   reduce_sum/f32/64Mi/<blocks>  reduce_sum (local sums, 64-byte-aligned partials, SyncAll,
//                                 the final sum on block 0) over 64 Mi floats: GB/s of x
//                                 read, compared with the read bandwidth
//   vnpu_sum/f32/64Mi             vnpu's own sum (ops::reduce) of the same values, the
//                                 equivalent vnpu operator
//   launch_sync/ascendc_stream    an empty Ascend C kernel (1 block) queued on an aclrtStream
//                                 (ACLRT_LAUNCH_KERNEL's path) and the stream synchronized,
//                                 one round trip at a time (ns)
//   launch_sync/c_kernel_stream   an empty C kernel queued with vnpuLaunchKernel on the same
//                                 aclrtStream (the C API's plain kernel launch)
//   launch_sync/ascendc_icpu      the same kernel through ICPU_RUN_KF's path
//   launch_sync/vnpu              an empty vnpu kernel launched and synchronized on a vnpu
//                                 stream (`vnpu bench runtime`'s launch_sync_roundtrip)
//
// Each kernel runs with the blocks the chip has (the SoC profile's vector cores: 48 on the
// 910B1, most of them fibers on a small machine) and with one block per compute core. A
// sample is one launch and its completion (ICPU_RUN_KF's path: run_kernel). The kernels run
// in libascendcl's runtime, vnpu_sum in the CLI's; each is idle while the other works.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "acl/acl.h"
#include "vnpu/acl_ext.h"
#include "add_custom_tiling.h"
#include "bench_rows.hpp"
#include "reduce_sum_tiling.h"
#include "tikicpulib.h"
#include "tiling/platform/platform_ascendc.h"
#include "vnpu/ops/reduce.hpp"
#include "vnpu/vnpu.hpp"

extern "C" void add_custom(GM_ADDR x, GM_ADDR y, GM_ADDR z, AddCustomTiling tiling);
extern "C" void reduce_sum(GM_ADDR x, GM_ADDR z, GM_ADDR workspace, GM_ADDR tiling);

extern "C" __global__ __aicore__ void vnpu_bench_empty_kernel() {}

namespace vnpu::cli {
namespace {

constexpr std::uint32_t kLength = 64u << 20;  // 64 Mi elements

// GmAlloc memory, freed with GmFree.
struct GmBuffer {
  explicit GmBuffer(std::size_t bytes) : p(static_cast<std::uint8_t*>(AscendC::GmAlloc(bytes))) {
    if (p == nullptr) throw CliError(kExitUnexpected, "GmAlloc(" + std::to_string(bytes) + ") failed");
  }
  ~GmBuffer() { AscendC::GmFree(p); }
  GmBuffer(const GmBuffer&) = delete;
  GmBuffer& operator=(const GmBuffer&) = delete;
  std::uint8_t* p;
};

void run_or_throw(const char* name, std::uint32_t blocks, std::function<void()> body) {
  if (ascendc::run_kernel(name, blocks, std::move(body)) != Status::kSuccess)
    throw CliError(kExitUnexpected, std::string("kernel ") + name + ": " + ascendc::last_error_message());
}

// The record of a case: `bytes` moved per sample by operator `op` over 64 Mi elements.
std::function<BenchResult(const Summary&)> recorder(const OpSuite& suite, const std::string& label, const char* op,
                                                    const char* dtype, std::vector<int> axes,
                                                    std::size_t bytes) {
  return [&suite, label, op, dtype, axes = std::move(axes), bytes](const Summary& ns) {
    Throughput tp;
    tp.op = op;
    tp.shape = {kLength};
    tp.axes = axes;
    tp.dtype = dtype;
    return op_result(suite.name, label, std::move(tp), bytes, ns, suite.threads);
  };
}

// The launch + synchronize round trips of an empty kernel: on an aclrtStream (AscendCL
// initialized, device 0 set), through ICPU_RUN_KF's path, and as a plain vnpu kernel.
void append_launch_cases(const BenchOptions& o, OpSuite& suite, std::vector<BenchResult>& results) {
  const int warmup = std::max(100, o.iters / 10);
  const auto iters = static_cast<std::uint64_t>(o.iters);
  aclrtStream stream = nullptr;
  acl_ok(aclrtCreateStream(&stream), "aclrtCreateStream");
  results.push_back(latency_result(suite.name, "launch_sync/ascendc_stream", "ns",
                                   time_round_trips(warmup, o.iters,
                                                    [&] {
                                                      acl_ok(ascendc::launch_kernel("vnpu_bench_empty_kernel",
                                                                                 &vnpu_bench_empty_kernel, 1, stream),
                                                          "launch");
                                                      acl_ok(aclrtSynchronizeStream(stream), "aclrtSynchronizeStream");
                                                    }),
                                   iters, suite.threads));
  results.push_back(latency_result(suite.name, "launch_sync/c_kernel_stream", "ns",
                                   time_round_trips(warmup, o.iters,
                                                    [&] {
                                                      acl_ok(vnpuLaunchKernel([](std::uint32_t, std::uint32_t, void*) {},
                                                                           1, nullptr, stream),
                                                          "vnpuLaunchKernel");
                                                      acl_ok(aclrtSynchronizeStream(stream), "aclrtSynchronizeStream");
                                                    }),
                                   iters, suite.threads));
  acl_ok(aclrtDestroyStream(stream), "aclrtDestroyStream");
  const ascendc::PackedKernel<void> empty(&vnpu_bench_empty_kernel);  // as ICPU_RUN_KF packs it
  results.push_back(latency_result(suite.name, "launch_sync/ascendc_icpu", "ns",
                                   time_round_trips(warmup, o.iters,
                                                    [&empty] {
                                                      if (ascendc::run_kernel("vnpu_bench_empty_kernel", 1, empty.call()) !=
                                                          Status::kSuccess)
                                                        throw CliError(kExitUnexpected, ascendc::last_error_message());
                                                    }),
                                   iters, suite.threads));
  Stream& s = suite.stream;
  results.push_back(latency_result(suite.name, "launch_sync/vnpu", "ns",
                                   time_round_trips(warmup, o.iters,
                                                    [&s] {
                                                      check_ok(s.launch("empty", 1, [](const KernelContext&) {}));
                                                      check_ok(s.synchronize());
                                                    }),
                                   iters, suite.threads));
}

}  // namespace

std::vector<BenchResult> run_ascendc_suite(const BenchOptions& o) {
  OpSuite suite("ascendc", o);
  const std::uint32_t chip_blocks = platform_ascendc::PlatformAscendCManager::GetInstance()->GetCoreNumAiv();
  const auto core_blocks = static_cast<std::uint32_t>(suite.threads);

  // add_custom's operands: halves in [-8, 8).
  auto x = std::make_shared<GmBuffer>(kLength * sizeof(half));
  auto y = std::make_shared<GmBuffer>(kLength * sizeof(half));
  auto z = std::make_shared<GmBuffer>(kLength * sizeof(half));
  auto* xh = reinterpret_cast<half*>(x->p);
  auto* yh = reinterpret_cast<half*>(y->p);
  for (std::uint32_t i = 0; i < kLength; ++i) {
    xh[i] = half(static_cast<float>(i % 4093) / 256.0f - 8.0f);
    yh[i] = half(static_cast<float>(i % 3061) / 128.0f - 12.0f);
  }
  // reduce_sum's input (the same values for vnpu's sum), its workspace, tiling and result.
  auto v = std::make_shared<GmBuffer>(kLength * sizeof(float));
  auto sum = std::make_shared<GmBuffer>(64);
  auto tiling = std::make_shared<GmBuffer>(sizeof(ReduceSumTiling));
  const ReduceSumTiling rt{kLength, 8192};
  std::memcpy(tiling->p, &rt, sizeof rt);
  auto* vf = reinterpret_cast<float*>(v->p);
  double exact = 0;
  for (std::uint32_t i = 0; i < kLength; ++i) {
    vf[i] = static_cast<float>(i % 1021) / 512.0f - 1.0f;
    exact += vf[i];
  }
  DeviceF32 vd(suite.dev, kLength);
  std::memcpy(vd.host().data(), vf, kLength * sizeof(float));
  vd.upload();
  DeviceF32 vsum(suite.dev, 1);
  const std::vector<std::int64_t> shape = {kLength};
  const Tensor tv = vd.tensor(shape);
  const std::vector<std::int64_t> scalar_shape = {};
  const Tensor tsum = vsum.tensor(scalar_shape);

  const double tolerance = 1e-6 * static_cast<double>(kLength);  // |v| <= 1
  auto check_sum = [exact, tolerance](double got, const std::string& label) {
    if (!(std::fabs(got - exact) <= tolerance))
      throw CliError(kExitWrongResult, label + ": sum " + std::to_string(got) + ", expected " + std::to_string(exact));
  };

  std::vector<TimedCase> cases;
  for (const std::uint32_t blocks : {chip_blocks, core_blocks}) {
    const std::string suffix = "/" + std::to_string(blocks) + (blocks == chip_blocks ? "-chip" : "-cores");
    {
      TimedCase t;
      t.label = "add/f16/64Mi" + suffix;
      const AddCustomTiling at{kLength, 8192};
      t.call = [x, y, z, at, blocks] {
        run_or_throw("add_custom", blocks, [=] { add_custom(x->p, y->p, z->p, at); });
      };
      t.verify = [xh, yh, z, label = t.label] {
        const auto* zh = reinterpret_cast<const half*>(z->p);
        for (std::uint32_t i = 0; i < kLength; i += 4099) {
          const float want = float(half(float(xh[i]) + float(yh[i])));
          if (float(zh[i]) != want)
            throw CliError(kExitWrongResult, label + ": z[" + std::to_string(i) + "] = " +
                                                 std::to_string(float(zh[i])) + ", expected " + std::to_string(want));
        }
      };
      t.record = recorder(suite, t.label, "ascendc_add", "f16", {}, std::size_t{3} * kLength * sizeof(half));
      cases.push_back(std::move(t));
    }
    {
      TimedCase t;
      t.label = "reduce_sum/f32/64Mi" + suffix;
      auto ws = std::make_shared<GmBuffer>(std::size_t{blocks} * kPartialStride * sizeof(float));
      t.call = [v, sum, ws, tiling, blocks] {
        run_or_throw("reduce_sum", blocks, [=] { reduce_sum(v->p, sum->p, ws->p, tiling->p); });
      };
      t.verify = [sum, check_sum, label = t.label] { check_sum(*reinterpret_cast<const float*>(sum->p), label); };
      t.record = recorder(suite, t.label, "ascendc_reduce_sum", "f32", {0}, std::size_t{kLength} * sizeof(float));
      cases.push_back(std::move(t));
    }
  }
  {
    TimedCase t;
    t.label = "vnpu_sum/f32/64Mi";
    const Stream& stream = suite.stream;
    t.call = [&stream, tv, tsum] {
      check_ok(ops::reduce(stream, ops::ReduceOp::kSum, tv, tsum));
      check_ok(stream.synchronize());
    };
    t.verify = [&vsum, check_sum, label = t.label] { check_sum(vsum.download(0, 1)[0], label); };
    t.record = recorder(suite, t.label, "sum", "f32", {0}, std::size_t{kLength} * sizeof(float));
    cases.push_back(std::move(t));
  }
  suite.run_rounds(cases);
  std::vector<BenchResult> results = suite.finish();
  // The AscendCL cases: the pipeline (which initializes AscendCL and sets device 0), then
  // the launch round trips on that device.
  std::vector<BenchResult> pipeline = run_ascendc_pipeline(o, suite.name, suite.threads);
  results.insert(results.end(), pipeline.begin(), pipeline.end());
  append_launch_cases(o, suite, results);
  acl_ok(aclrtResetDevice(0), "aclrtResetDevice");
  acl_ok(aclFinalize(), "aclFinalize");
  return results;
}

}  // namespace vnpu::cli
