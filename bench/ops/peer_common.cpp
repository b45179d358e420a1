// bench/ops/peer_common.cpp — the peer binaries' shared device, buffers and thread count.
#include "peer_common.hpp"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <string>
#include <thread>
#include <cstdlib>
#include <cstring>

#include "vnpu/platform.hpp"
#include "vnpu/vnpu.hpp"

#ifdef VNPU_PEER_OPENMP
#include <omp.h>
#endif
#ifdef VNPU_PEER_TBB
#include <oneapi/tbb/global_control.h>
#endif

namespace vnpu::bench {

namespace {

int positive_env(const char* name) {
  const char* v = std::getenv(name);
  const int n = v != nullptr ? std::atoi(v) : 0;
  return n > 0 ? n : 0;
}

}  // namespace

const Device& peer_device(int cores) {
  static const Device dev = [cores] {
    DeviceConfig config;
    config.compute_cores = cores;
    return Device::create(config).value();
  }();
  return dev;
}

PeerBuffer peer_allocate(std::size_t bytes, int threads) {
  return PeerBuffer(peer_device(threads).malloc(std::max<std::size_t>(bytes, 1)).value());
}

void settle_between_peers(const char* peer) {
  static std::string last;
  if (last == peer) return;
  last = peer;
  // Quiet: less than 2% of one CPU busy over a 5 ms sleep (at most 40 such sleeps).
  auto cpu_ms = [] {
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) * 1e-6;
  };
  for (int i = 0; i < 40; ++i) {
    const double before = cpu_ms();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    if (cpu_ms() - before < 0.1) break;
  }
}

int init_peer_benchmark(int& argc, char** argv) {
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
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 0;
  if (threads <= 0) threads = positive_env("VNPU_BENCH_THREADS");
  if (threads <= 0) threads = positive_env("VNPU_CORES");
  if (threads <= 0) threads = std::max(vnpu::cpu_info().usable_cpus, 1);
  return threads;
}

struct PeerThreadLimits::Impl {
#ifdef VNPU_PEER_TBB
  explicit Impl(int threads)
      : tbb(oneapi::tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(threads)) {}
  oneapi::tbb::global_control tbb;
#else
  explicit Impl(int) {}
#endif
};

PeerThreadLimits::PeerThreadLimits(int threads) : impl_(std::make_unique<Impl>(threads)) {
#ifdef VNPU_PEER_OPENMP
  omp_set_num_threads(threads);  // the plain loops, and oneDNN's OpenMP runtime
#endif
}

PeerThreadLimits::~PeerThreadLimits() = default;

}  // namespace vnpu::bench
