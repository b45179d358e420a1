// bench/ops/norm_peers.hpp — what every competitor of the softmax/normalization benchmark
// shares.
//
// vnpu_norm_peers runs the row cases of `vnpu bench softmax` and `vnpu bench norm`
// (tools/cli/row_cases.hpp: softmax along any axis in f32, bf16 and f16; layer_norm and
// rms_norm over the last axis of an f32 matrix) with vnpu and with the libraries a user
// could pick instead. vnpu and oneDNN run every case; Eigen's and the AVX-512 loops only
// the plain ones (RowCase::plain(): the last axis of an f32 matrix). Per family and
// competitor, one file (softmax_<peer>.cpp, norm_<peer>.cpp) holds one function:
//
//     void bench_<peer>_softmax(benchmark::State& state, const RowPeerCase& pc);
//     void bench_<peer>_norm(benchmark::State& state, const RowPeerCase& pc);  // layer_norm, rms_norm
//
// It sets up outside the timed loop, runs `for (auto _ : state)` over complete ops from
// pc.x into pc.y, then calls finish_rows(), which checks the result and reports the bytes
// moved (one read and one write of the tensor). A case a peer cannot run ends with
// state.SkipWithError(reason).
#pragma once

#include <benchmark/benchmark.h>

#include "peer_common.hpp"
#include "row_cases.hpp"

namespace vnpu::bench {

struct RowPeerCase {
  RowCase c;
  const void* x = nullptr;       ///< the input: c.numel() elements of c.dtype, row-major
  void* y = nullptr;             ///< the output, same shape and dtype
  const float* xf() const { return static_cast<const float*>(x); }  ///< x of an f32 case
  float* yf() const { return static_cast<float*>(y); }              ///< y of an f32 case
  const float* gamma = nullptr;  ///< c.cols scales (layer_norm, rms_norm)
  const float* beta = nullptr;   ///< c.cols shifts (layer_norm)
  int threads = 1;               ///< threads every peer is given
};

/// Reports bytes moved (2 x the tensor per iteration) and checks the first and last
/// vectors against float64 (first_wrong): a fast wrong answer is an error, not a result.
void finish_rows(benchmark::State& state, const RowPeerCase& pc);

// The competitors; each is compiled in when its library was found (see CMakeLists.txt).
void bench_vnpu_softmax(benchmark::State& state, const RowPeerCase& pc);
void bench_vnpu_norm(benchmark::State& state, const RowPeerCase& pc);
void bench_vnpu_softmax_direct(benchmark::State& state, const RowPeerCase& pc);
void bench_vnpu_norm_direct(benchmark::State& state, const RowPeerCase& pc);
void bench_onednn_softmax(benchmark::State& state, const RowPeerCase& pc);
void bench_onednn_norm(benchmark::State& state, const RowPeerCase& pc);
void bench_eigen_softmax(benchmark::State& state, const RowPeerCase& pc);
void bench_eigen_norm(benchmark::State& state, const RowPeerCase& pc);
void bench_avx512_softmax(benchmark::State& state, const RowPeerCase& pc);
void bench_avx512_norm(benchmark::State& state, const RowPeerCase& pc);

}  // namespace vnpu::bench
