// bench/ops/norm_peers_main.cpp — vnpu_norm_peers: the row cases of `vnpu bench softmax`
// and `vnpu bench norm` run by vnpu and by every peer compiled in, one Google Benchmark per
// case and peer, named like "layer_norm/f32/[16384,4096]/axis1/onednn".
//
//   vnpu_norm_peers [--threads=N] [Google Benchmark flags]
//
// Threads as for vnpu_reduce_peers (init_peer_benchmark()). All peers read the same buffers
// (vnpu device memory) with the same values (row_cases.hpp) and time repeated calls on
// them: inputs larger than the last-level cache stream from memory, smaller ones run
// cache-hot.
#include <cstring>
#include <string>
#include <vector>

#include "norm_peers.hpp"

namespace vnpu::bench {

void finish_rows(benchmark::State& state, const RowPeerCase& pc) {
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(pc.c.bytes()));
  if (state.error_occurred()) return;
  for (std::int64_t row : {std::int64_t{0}, pc.c.rows() - 1}) {
    const std::int64_t j = first_wrong(pc.c, pc.x, pc.y, row);
    if (j >= 0) {
      const std::string msg = "wrong result in vector " + std::to_string(row) + " at " + std::to_string(j) + ": " +
                              std::to_string(input_element(pc.c.dtype, pc.y, pc.c.index(row, j)));
      return state.SkipWithError(msg.c_str());
    }
  }
}

namespace {

struct Peer {
  const char* name;
  void (*softmax)(benchmark::State&, const RowPeerCase&);
  void (*norm)(benchmark::State&, const RowPeerCase&);
  bool any_case;  ///< false: only RowCase::plain() cases
};

// Compiled-in competitors, in the order they are reported.
std::vector<Peer> peers() {
  std::vector<Peer> list = {{"vnpu", &bench_vnpu_softmax, &bench_vnpu_norm, true},
                            {"vnpu-direct", &bench_vnpu_softmax_direct, &bench_vnpu_norm_direct, true}};
#ifdef VNPU_PEER_ONEDNN
  list.push_back({"onednn", &bench_onednn_softmax, &bench_onednn_norm, true});
#endif
#ifdef VNPU_PEER_EIGEN
  list.push_back({"eigen", &bench_eigen_softmax, &bench_eigen_norm, false});
#endif
#ifdef VNPU_PEER_OPENMP
  list.push_back({"avx512", &bench_avx512_softmax, &bench_avx512_norm, false});
#endif
  return list;
}

// The buffers of one case, filled with the benchmark values; y is written once too, so
// that no peer's first iteration pays for faulting its pages in.
struct CaseData {
  PeerBuffer x, y, gamma, beta;
  CaseData(const RowCase& c, int threads)
      : x(peer_allocate(c.bytes() / 2, threads)),
        y(peer_allocate(c.bytes() / 2, threads)),
        gamma(peer_allocate(static_cast<std::size_t>(c.cols()) * sizeof(float), threads)),
        beta(peer_allocate(static_cast<std::size_t>(c.cols()) * sizeof(float), threads)) {
    fill_row_input(c, x.get());
    std::memset(y.get(), 0, c.bytes() / 2);
    fill_gamma_beta(c.cols(), static_cast<float*>(gamma.get()), static_cast<float*>(beta.get()));
  }
};

// Registers every case for every peer compiled in, then runs what the flags select.
void register_and_run(int threads) {
  const std::vector<Peer> competitors = peers();
  add_peer_context(threads, competitors);

  std::vector<CaseData> data;
  const std::vector<RowCase> cases = row_cases();
  data.reserve(cases.size());
  for (const RowCase& c : cases) {
    const CaseData& d = data.emplace_back(c, threads);
    const RowPeerCase pc{c, d.x.get(), d.y.get(),
                         static_cast<const float*>(d.gamma.get()), static_cast<const float*>(d.beta.get()), threads};
    for (const Peer& p : competitors) {
      if (!p.any_case && !c.plain()) continue;
      const auto run = c.op == RowOp::kSoftmax ? p.softmax : p.norm;
      benchmark::internal::Benchmark* b = benchmark::RegisterBenchmark(
          (c.name() + "/" + p.name).c_str(), [pc, run, peer = p.name](benchmark::State& state) {
            settle_between_peers(peer);
            run(state, pc);
          });
      b->UseRealTime()->Unit(benchmark::kMillisecond);
      // oneDNN 2.6's softmax along any axis but the last is its reference code: 20-30 s a
      // call on [8192,8192] and [64,1024,1024] on the 2-vCPU machine. 3 repetitions,
      // whatever the flags.
      if (std::strcmp(p.name, "onednn") == 0 && c.axis + 1 != static_cast<int>(c.shape.size())) b->Repetitions(3);
    }
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
}

}  // namespace

}  // namespace vnpu::bench

int main(int argc, char** argv) {
  const int threads = vnpu::bench::init_peer_benchmark(argc, argv);
  if (threads == 0) return 1;
  const vnpu::bench::PeerThreadLimits limits(threads);
  vnpu::bench::register_and_run(threads);
  return 0;
}
