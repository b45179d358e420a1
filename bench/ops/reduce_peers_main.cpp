// bench/ops/reduce_peers_main.cpp — vnpu_reduce_peers: the cases of `vnpu bench reduce`
// run by vnpu and by every peer compiled in that can run them, one Google Benchmark per
// case and peer, named like "sum/f32/[8192,8192]/axis0/onednn". A peer without the op
// or the axis set of a case is not registered for it (its cell in the tables is "—").
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
  bool (*runs)(const ReduceCase&);
};

bool any_case(const ReduceCase&) { return true; }
// oneDNN's and Eigen's reductions have sum and max over any axis set, but no var or
// logsumexp.
bool sum_or_max(const ReduceCase& c) { return c.op == ops::ReduceOp::kSum || c.op == ops::ReduceOp::kMax; }
// The hand-written loops: sums over one axis of a vector or a matrix.
bool plain_sum(const ReduceCase& c) { return c.plain_sum(); }

// Compiled-in competitors, in the order they are reported.
std::vector<Peer> peers() {
  std::vector<Peer> list = {{"vnpu", &bench_vnpu, &any_case}};
#ifdef VNPU_PEER_ONEDNN
  list.push_back({"onednn", &bench_onednn, &sum_or_max});
#endif
#ifdef VNPU_PEER_EIGEN
  list.push_back({"eigen", &bench_eigen, &sum_or_max});
#endif
#ifdef VNPU_PEER_OPENMP
  list.push_back({"omp", &bench_omp, &plain_sum});
  list.push_back({"avx512", &bench_avx512, &plain_sum});
#endif
#ifdef VNPU_PEER_TBB
  list.push_back({"tbb", &bench_tbb, &plain_sum});
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
  static std::map<std::string, std::vector<ReferenceValue>> cache;
  std::vector<std::int64_t> outputs = {0};
  if (pc.c.out_numel() > 1) outputs.push_back(pc.c.out_numel() - 1);
  std::vector<ReferenceValue>& want = cache[pc.c.name()];
  if (want.empty()) {
    for (std::int64_t j : outputs) want.push_back(reference_value(pc.c, pc.src, j));
  }
  for (std::size_t k = 0; k < outputs.size(); ++k) {
    const double got = pc.dst[outputs[k]];
    if (!close_to(pc.c, want[k], got)) {
      std::string msg = "wrong result at output ";
      msg += std::to_string(outputs[k]);
      msg += ": ";
      msg += std::to_string(got);
      msg += ", expected ";
      msg += std::to_string(want[k].value);
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
      if (!p.runs(c)) continue;
      std::string name = c.name();
      name += '/';
      name += p.name;
      benchmark::internal::Benchmark* b =
          benchmark::RegisterBenchmark(name.c_str(), [pc, run = p.run, peer = p.name](benchmark::State& state) {
            settle_between_peers(peer);
            run(state, pc);
          });
      b->UseRealTime()->Unit(benchmark::kMillisecond);
      // oneDNN 2.6 runs its reference code on every multi-axis case and max down the
      // columns, at 2-5 s a call on the 2-vCPU machine: 5 repetitions, whatever the flags.
      if (std::strcmp(p.name, "onednn") == 0 && !c.plain_sum()) b->Repetitions(5);
    }
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
