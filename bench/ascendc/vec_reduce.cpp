// vnpu_ascendc_bench: the Ascend C reduction and Cast instructions inside a kernel, over a
// 64 KiB unified-buffer tile (cache-hot: a kernel's inner loop), per SIMD instruction set.
// Each benchmark iteration is one kernel launch repeating the instruction kRepeat times;
// the time is taken inside the kernel (manual time), so the launch is not counted.
// items_per_second counts elements: 1e9 / items_per_second is ns per element.
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstring>
#include <stdexcept>
#include <string>

#include "kernel_operator.h"
#include "tikicpulib.h"

using namespace AscendC;

namespace {

constexpr std::uint32_t kTileBytes = 64 * 1024;
constexpr int kRepeat = 200;

enum class Op { kReduceSum, kReduceMax, kWholeReduceSum, kCastToFloat, kCastToHalf };

template <typename T>
void fill(const LocalTensor<T>& t, std::uint32_t n) {
  for (std::uint32_t i = 0; i < n; ++i) t.SetValue(i, static_cast<T>(static_cast<float>(i % 251) * 0.01f - 1.0f));
}

// Seconds for kRepeat instructions of `op` on the tile of T.
template <typename T>
double run_op(Op op) {
  constexpr std::uint32_t n = kTileBytes / sizeof(T);
  double seconds = 0;
  const vnpu::Status st = vnpu::ascendc::run_kernel("bench", 1, [&] {
    TPipe pipe;
    TBuf<TPosition::VECCALC> a, b, w;
    const bool cast = op == Op::kCastToFloat || op == Op::kCastToHalf;
    pipe.InitBuffer(a, kTileBytes);
    pipe.InitBuffer(b, cast ? kTileBytes * 2 : kTileBytes);  // a float result of every half
    const LocalTensor<T> src = a.Get<T>();
    LocalTensor<T> work;  // ReduceMax's sharedTmpBuffer (ReduceSum takes any)
    if (!cast) {
      pipe.InitBuffer(w, 4096);
      work = w.Get<T>();
    }
    fill(src, n);
    const auto t0 = std::chrono::steady_clock::now();
    for (int k = 0; k < kRepeat; ++k) {
      switch (op) {
        case Op::kReduceSum: ReduceSum(b.Get<T>(), src, work, static_cast<std::int32_t>(n)); break;
        case Op::kReduceMax: ReduceMax(b.Get<T>(), src, work, static_cast<std::int32_t>(n), true); break;
        case Op::kWholeReduceSum:
          WholeReduceSum(b.Get<T>(), src, static_cast<std::int32_t>(256 / sizeof(T)), 255, 1, 1, 8);  // ~all of it
          break;
        case Op::kCastToFloat:
          if constexpr (sizeof(T) == 2) Cast(b.Get<float>(), src, RoundMode::CAST_NONE, n);
          break;
        case Op::kCastToHalf:
          if constexpr (sizeof(T) == 4) Cast(b.Get<half>(), src, RoundMode::CAST_RINT, n);
          break;
      }
      benchmark::DoNotOptimize(b.Get<T>().GetPhyAddr());
      benchmark::ClobberMemory();
    }
    seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  });
  if (st != vnpu::Status::kSuccess) throw std::runtime_error(vnpu::ascendc::last_error_message());
  return seconds;
}

template <typename T>
void BM_Op(benchmark::State& state, Op op, const char* isa) {
  if (vnpu::ascendc::set_simd_isa(isa) != vnpu::Status::kSuccess) {
    state.SkipWithError("instruction set not available");
    return;
  }
  for (auto _ : state) state.SetIterationTime(run_op<T>(op));
  const std::uint32_t elems = op == Op::kWholeReduceSum ? 255 * 256 / sizeof(T) : kTileBytes / sizeof(T);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * kRepeat * elems);
  vnpu::ascendc::set_simd_isa("native");
}

void BM_f32(benchmark::State& state, Op op, const char* isa) { BM_Op<float>(state, op, isa); }
void BM_f16(benchmark::State& state, Op op, const char* isa) { BM_Op<half>(state, op, isa); }

#define VNPU_BENCH_ISAS(name, fn, op)                                           \
  BENCHMARK_CAPTURE(fn, name##_native, op, "native")->UseManualTime();          \
  BENCHMARK_CAPTURE(fn, name##_avx2, op, "avx2")->UseManualTime();              \
  BENCHMARK_CAPTURE(fn, name##_sse4, op, "sse4")->UseManualTime();              \
  BENCHMARK_CAPTURE(fn, name##_scalar, op, "scalar")->UseManualTime()

VNPU_BENCH_ISAS(ReduceSum_f32, BM_f32, Op::kReduceSum);
VNPU_BENCH_ISAS(ReduceSum_f16, BM_f16, Op::kReduceSum);
VNPU_BENCH_ISAS(ReduceMax_index_f32, BM_f32, Op::kReduceMax);
VNPU_BENCH_ISAS(ReduceMax_index_f16, BM_f16, Op::kReduceMax);
VNPU_BENCH_ISAS(WholeReduceSum_f32, BM_f32, Op::kWholeReduceSum);
VNPU_BENCH_ISAS(WholeReduceSum_f16, BM_f16, Op::kWholeReduceSum);
VNPU_BENCH_ISAS(Cast_f16_to_f32, BM_f16, Op::kCastToFloat);
VNPU_BENCH_ISAS(Cast_f32_to_f16, BM_f32, Op::kCastToHalf);

}  // namespace

BENCHMARK_MAIN();
