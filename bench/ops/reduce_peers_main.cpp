// bench/ops/reduce_peers_main.cpp — vnpu_reduce_peers: the cases of `vnpu bench reduce`
// run by vnpu and by every peer compiled in, one Google Benchmark per case and peer,
// named like "sum/f32/[8192,8192]/axis0/onednn".
//
//   vnpu_reduce_peers [--threads=N] [Google Benchmark flags]
//   vnpu_reduce_peers --benchmark_format=json --benchmark_repetitions=5
//
// Every peer gets the same thread count: --threads=N, else VNPU_BENCH_THREADS, else
// VNPU_CORES (which also sizes vnpu's default device), else every CPU the process may use.
// All peers read the same buffers (vnpu device memory, see peer_device()) with the same
// values (reduce_cases.hpp), and like the harnesses of Eigen and oneDNN time repeated
// calls on them: inputs larger than the last-level cache stream from memory, smaller ones
// run cache-hot.
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "peer_common.hpp"
#include "reduce_peers.hpp"


namespace vnpu::bench {

namespace {

struct Peer {
  const char* name;
  void (*run)(benchmark::State&, const PeerCase&);
};

// Compiled-in competitors, in the order they are reported.
std::vector<Peer> peers() {
  std::vector<Peer> list = {{"vnpu", &bench_vnpu}};
#ifdef VNPU_PEER_ONEDNN
  list.push_back({"onednn", &bench_onednn});
#endif
#ifdef VNPU_PEER_EIGEN
  list.push_back({"eigen", &bench_eigen});
#endif
#ifdef VNPU_PEER_OPENMP
  list.push_back({"omp", &bench_omp});
  list.push_back({"avx512", &bench_avx512});
#endif
#ifdef VNPU_PEER_TBB
  list.push_back({"tbb", &bench_tbb});
#endif
  return list;
}

// One buffer per dtype with the benchmark values.
PeerBuffer make_input(DType dtype, int threads) {
  const std::size_t bytes = static_cast<std::size_t>(kReduceMaxElements) * dtype_size(dtype);
  PeerBuffer b = peer_allocate(bytes, threads);
  fill_reduce_input(b.get(), dtype, static_cast<std::size_t>(kReduceMaxElements));
  return b;
}

}  // namespace

void finish(benchmark::State& state, const PeerCase& pc) {
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(pc.c.bytes()));
  if (state.error_occurred()) return;
  // References are computed once per case: the full sums take a while in float64.
  static std::map<std::string, std::vector<ReferenceSum>> cache;
  const std::vector<std::int64_t> outputs = {0, pc.c.out_numel() - 1};
  std::vector<ReferenceSum>& want = cache[pc.c.name()];
  if (want.empty()) {
    for (std::int64_t j : outputs) want.push_back(reference_sum(pc.c, pc.src, j));
  }
  for (std::size_t k = 0; k < outputs.size(); ++k) {
    const double got = pc.dst[outputs[k]];
    if (!close_to(want[k], got)) {
      std::string msg = "wrong result at output ";
      msg += std::to_string(outputs[k]);
      msg += ": ";
      msg += std::to_string(got);
      msg += ", expected ";
      msg += std::to_string(want[k].sum);
      return state.SkipWithError(msg.c_str());
    }
  }
}

}  // namespace vnpu::bench

int main(int argc, char** argv) {
  using namespace vnpu::bench;
  const int threads = init_peer_benchmark(argc, argv);
  if (threads == 0) return 1;
  const PeerThreadLimits limits(threads);

  std::map<vnpu::DType, PeerBuffer> inputs;
  const PeerBuffer output = peer_allocate(static_cast<std::size_t>(kReduceMaxOutElements) * sizeof(float), threads);
  const std::vector<Peer> competitors = peers();
  add_peer_context(threads, competitors);

  for (const ReduceCase& c : reduce_cases()) {
    if (inputs.find(c.dtype) == inputs.end()) inputs.emplace(c.dtype, make_input(c.dtype, threads));
    const PeerCase pc{c, inputs.at(c.dtype).get(), static_cast<float*>(output.get()), threads};
    for (const Peer& p : competitors) {
      std::string name = c.name();
      name += '/';
      name += p.name;
      benchmark::RegisterBenchmark(name.c_str(),
                                   [pc, run = p.run, peer = p.name](benchmark::State& state) {
                                     settle_between_peers(peer);
                                     run(state, pc);
                                   })
          ->UseRealTime()
          ->Unit(benchmark::kMillisecond);
    }
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
