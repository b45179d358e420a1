// bench/ops/reduce_peers.hpp — what every competitor of the reduce benchmark shares.
//
// vnpu_reduce_peers runs the cases of `vnpu bench reduce` (tools/cli/reduce_cases.hpp)
// with vnpu and with the libraries a user could pick instead. One file per competitor
// (reduce_<peer>.cpp) holds one function that benchmarks one case:
//
//     void bench_<peer>(benchmark::State& state, const PeerCase& pc);
//
// It sets up outside the timed loop, runs `for (auto _ : state)` over complete reductions
// into pc.dst (f32, the dtype vnpu writes for f32, f16 and bf16 inputs), then calls
// finish(), which checks the result and reports bytes read. A peer is registered only for
// the ops and axis sets it has (reduce_peers_main.cpp); a case it still cannot run (a dtype
// its library lacks on this CPU) ends with state.SkipWithError(reason).
#pragma once

#include <benchmark/benchmark.h>

#include <cstddef>
#include <cstdint>

#include "peer_common.hpp"
#include "reduce_cases.hpp"

namespace vnpu::bench {

struct PeerCase {
  ReduceCase c;
  const void* src = nullptr;  ///< the input: c.numel() elements of c.dtype, row-major
  float* dst = nullptr;       ///< c.out_numel() results
  int threads = 1;            ///< threads every peer is given
};

/// Reports bytes read (the input size per iteration) and checks the first and last
/// results against a float64 reference: a fast wrong answer is an error, not a result.
void finish(benchmark::State& state, const PeerCase& pc);

/// How the hand-written peers split a column sum (axis 0) of a rows x cols matrix over
/// `threads`: into column tiles, each summed down all rows by one thread into an
/// accumulator that stays in L1 while whole row segments stream past; or, when the rows
/// are too short for enough tiles, into row blocks, each thread summing its block into
/// its own cols-wide partial, the partials added at the end.
struct ColumnPlan {
  static constexpr std::int64_t kMaxTile = 4096;  ///< floats: 16 KiB of accumulator, half an L1
  static constexpr std::int64_t kMinTile = 1024;  ///< narrower shares take the row-block plan
  std::int64_t tile = 0;   ///< tile width (tiled plan)
  std::int64_t tiles = 0;  ///< number of tiles; 0: row-block plan

  ColumnPlan(std::int64_t cols, int threads) {
    const std::int64_t per_thread = cols / threads;
    if (per_thread >= kMinTile) {
      tile = per_thread < kMaxTile ? (per_thread + 15) / 16 * 16 : kMaxTile;
      tiles = (cols + tile - 1) / tile;
    }
  }
  bool tiled() const { return tiles > 0; }
};

// The competitors; each is compiled in when its library was found (see CMakeLists.txt).
void bench_onednn(benchmark::State& state, const PeerCase& pc);
void bench_eigen(benchmark::State& state, const PeerCase& pc);
void bench_omp(benchmark::State& state, const PeerCase& pc);
void bench_tbb(benchmark::State& state, const PeerCase& pc);
void bench_avx512(benchmark::State& state, const PeerCase& pc);
void bench_vnpu(benchmark::State& state, const PeerCase& pc);

}  // namespace vnpu::bench
