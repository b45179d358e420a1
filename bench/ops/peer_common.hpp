// bench/ops/peer_common.hpp — what the peer benchmark binaries (vnpu_reduce_peers,
// vnpu_norm_peers) share: the vnpu device whose memory every peer reads, buffers on it,
// and the thread count every peer is given.
#pragma once

#include <benchmark/benchmark.h>

#include <cstddef>
#include <memory>
#include <string>

#include "vnpu/device.hpp"
#include "vnpu/memory.hpp"

namespace vnpu::bench {

/// The vnpu device of the benchmark, with `cores` compute cores (created on first use).
/// Every buffer comes from its memory, so every peer reads memory allocated the way vnpu
/// allocates it (page size and alignment matter to streaming reads).
const Device& peer_device(int cores);

struct DeviceFree {
  void operator()(void* p) const noexcept { (void)vnpu::free(p); }
};
/// Device memory of peer_device(), freed at scope exit.
using PeerBuffer = std::unique_ptr<void, DeviceFree>;
PeerBuffer peer_allocate(std::size_t bytes, int threads);

/// Initializes Google Benchmark and returns the thread count of every peer: --threads=N
/// (removed from argv first: Google Benchmark rejects flags it does not know), else
/// VNPU_BENCH_THREADS, else VNPU_CORES (which also sizes vnpu's default device), else every
/// CPU the process may use. Returns 0 when argv holds a flag nobody knows (reported).
int init_peer_benchmark(int& argc, char** argv);

/// Call first in every benchmark run, with the peer's name. When the run before was
/// another peer's, waits until the process's threads have gone quiet: the library timed
/// before may still be spinning on a CPU the next one needs (libgomp's idle threads spin
/// for about 7 ms after a parallel region on the 2-CPU machine measured, which took a
/// core from whoever ran next for the first 7 ms of its 50 ms). Runs of one peer follow
/// each other without a wait: its own spinning belongs to its time.
void settle_between_peers(const char* peer);

/// Records the thread count and the names of `peers` (anything with a `name` member) in
/// Google Benchmark's context ("vnpu_threads", "vnpu_peers": "vnpu,onednn,...").
template <class Peers>
void add_peer_context(int threads, const Peers& peers) {
  std::string names;
  for (const auto& p : peers) {
    if (!names.empty()) names += ',';
    names += p.name;
  }
  benchmark::AddCustomContext("vnpu_threads", std::to_string(threads));
  benchmark::AddCustomContext("vnpu_peers", names);
}

/// Gives OpenMP (the hand-written loops and oneDNN's runtime) and oneTBB `threads` threads,
/// when compiled in; the object keeps the TBB limit alive.
class PeerThreadLimits {
 public:
  explicit PeerThreadLimits(int threads);
  ~PeerThreadLimits();
  PeerThreadLimits(const PeerThreadLimits&) = delete;
  PeerThreadLimits& operator=(const PeerThreadLimits&) = delete;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vnpu::bench
