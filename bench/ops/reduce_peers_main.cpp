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

#include "reduce_peers.hpp"
#include "vnpu/memory.hpp"
#include "vnpu/platform.hpp"

#ifdef VNPU_PEER_OPENMP
#include <omp.h>
#endif
#ifdef VNPU_PEER_TBB
#include <oneapi/tbb/global_control.h>
#endif

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

int positive_env(const char* name) {
  const char* v = std::getenv(name);
  const int n = v != nullptr ? std::atoi(v) : 0;
  return n > 0 ? n : 0;
}

// Removes --threads=N from argv (Google Benchmark rejects flags it does not know).
int take_threads_flag(int& argc, char** argv) {
  int threads = 0;
  int out = 1;
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--threads=", 10) == 0) {
      threads = std::atoi(argv[i] + 10);
    } else {
      argv[out++] = argv[i];
    }
  }
  argc = out;
  return threads;
}

// Device memory, freed at exit.
struct DeviceFree {
  void operator()(void* p) const noexcept { (void)vnpu::free(p); }
};
using Buffer = std::unique_ptr<void, DeviceFree>;

Buffer allocate(std::size_t bytes, int threads) { return Buffer(peer_device(threads).malloc(bytes).value()); }

// One buffer per dtype with the benchmark values.
Buffer make_input(DType dtype, int threads) {
  const std::size_t bytes = static_cast<std::size_t>(kReduceMaxElements) * dtype_size(dtype);
  Buffer b = allocate(bytes, threads);
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
  int threads = take_threads_flag(argc, argv);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  if (threads <= 0) threads = positive_env("VNPU_BENCH_THREADS");
  if (threads <= 0) threads = positive_env("VNPU_CORES");
  if (threads <= 0) threads = std::max(vnpu::cpu_info().usable_cpus, 1);

#ifdef VNPU_PEER_OPENMP
  omp_set_num_threads(threads);  // the plain loops, and oneDNN's OpenMP runtime
#endif
#ifdef VNPU_PEER_TBB
  const oneapi::tbb::global_control tbb_threads(oneapi::tbb::global_control::max_allowed_parallelism,
                                                static_cast<std::size_t>(threads));
#endif

  std::map<vnpu::DType, Buffer> inputs;
  const Buffer output = allocate(static_cast<std::size_t>(kReduceMaxOutElements) * sizeof(float), threads);
  const std::vector<Peer> competitors = peers();
  std::string names;
  for (const Peer& p : competitors) {
    if (!names.empty()) names += ',';
    names += p.name;
  }
  benchmark::AddCustomContext("vnpu_threads", std::to_string(threads));
  benchmark::AddCustomContext("vnpu_peers", names);

  for (const ReduceCase& c : reduce_cases()) {
    if (inputs.find(c.dtype) == inputs.end()) inputs.emplace(c.dtype, make_input(c.dtype, threads));
    const PeerCase pc{c, inputs.at(c.dtype).get(), static_cast<float*>(output.get()), threads};
    for (const Peer& p : competitors) {
      std::string name = c.name();
      name += '/';
      name += p.name;
      benchmark::RegisterBenchmark(name.c_str(),
                                   [pc, run = p.run](benchmark::State& state) { run(state, pc); })
          ->UseRealTime()
          ->Unit(benchmark::kMillisecond);
    }
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
