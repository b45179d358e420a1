// tools/cli/demo_train.cpp — `vnpu demo train`: a data-parallel training step whose gradient
// all-reduces overlap the backward kernels, against the serial order (train_rank.hpp).
//
//   vnpu demo train [--ranks N] ...         ranks = N devices of this process, one host
//                                           thread each, exchanging through memory
//   mpirun -np N vnpu demo train ...        ranks = the N processes, over Open MPI
//
// Every figure is agreed between the ranks: a step's time is its slowest rank's (every
// step starts at a barrier), and the medians over the steps are reported. The two orders
// alternate step by step (which one goes first alternates too), so a slow phase of the
// machine does not land on one of them. Before the timed steps, one step of each order
// runs from the same parameters: both must leave the same bits (the overlapped order's
// events are what keeps it from reading a gradient before it is complete), and sampled
// gradient sums and updated parameters are checked against float64. After them, every
// rank's parameters must be the same bits.
//
// On a machine with few CPUs the overlap cannot gain much: the collective's work (copies
// and the fold, or MPI's polling) needs a CPU as much as the kernels do. The figures
// "backward_ms" and "allreduce_ms" (one layer each, alone) tell how much there is to hide.
#include <algorithm>
#include <cstdint>
#include <exception>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "cli_common.hpp"
#include "commands.hpp"
#include "mpi_job.hpp"
#include "peak_bandwidth.hpp"
#include "report.hpp"
#include "train_rank.hpp"
#include "vnpu/communicator.hpp"
#include "vnpu/vnpu.hpp"

namespace vnpu::cli {

namespace {

using train::Order;
using train::Peers;
using train::Rank;

constexpr std::uint32_t kMaxIters = 1u << 16;
// Calibration probes of the backward kernel's multiply-adds per element.
constexpr std::uint32_t kProbeLow = 8;
constexpr std::uint32_t kProbeHigh = 64;

class MpiPeers final : public Peers {
 public:
  explicit MpiPeers(const MpiJob& job) : job_(job) {}
  int rank() const override { return job_.rank(); }
  int size() const override { return job_.size(); }
  void barrier() override { job_.barrier(); }
  std::vector<std::uint64_t> all_gather(std::uint64_t value) override { return job_.all_gather(value); }

 private:
  const MpiJob& job_;
};

// A (device, stream) pair: where the overlapped order's collectives of one rank run.
struct StreamKey {
  int device = -1;
  std::uint64_t stream = 0;
};

// What every rank knows at the end (all figures agreed).
struct Outcome {
  std::uint32_t iters = 0;
  double backward_ms = 0.0;   // one layer's backward kernel alone
  double allreduce_ms = 0.0;  // one layer's all-reduce alone
  Summary serial, overlapped;
  bool order_independent = false;
  train::Sampled sampled;
  bool identical = false;
  std::string transport;
  nlohmann::json profile;  // rank 0's, when traced
};

// The median over `reps` runs of `body` of the slowest rank's time, each run from a barrier.
template <class F>
double agreed_median_ms(Peers& peers, int reps, F&& body) {
  std::vector<double> samples;
  for (int i = 0; i < reps; ++i) {
    peers.barrier();
    const auto t0 = Clock::now();
    body();
    samples.push_back(peers.max(ms_between(t0, Clock::now())));
  }
  return summarize(std::move(samples)).median;
}

// Multiply-adds per element that make one layer's backward take as long as its all-reduce:
// the kernel's time is affine in them (a pass over memory plus the chains), so two probes fix it.
std::uint32_t calibrate(Peers& peers, Rank& rank, double allreduce_ms) {
  const double lo = agreed_median_ms(peers, 3, [&] { rank.backward_alone(kProbeLow); });
  const double hi = agreed_median_ms(peers, 3, [&] { rank.backward_alone(kProbeHigh); });
  const double per_iter = (hi - lo) / static_cast<double>(kProbeHigh - kProbeLow);
  if (per_iter <= 0.0) return kProbeHigh;  // too noisy to tell; any value will do
  const double base = lo - per_iter * kProbeLow;
  return static_cast<std::uint32_t>(std::clamp(std::round((allreduce_ms - base) / per_iter), 1.0,
                                               static_cast<double>(kMaxIters)));
}

std::string html_path_for(const std::string& trace_path) {
  const std::string ext = ".json";
  if (trace_path.size() > ext.size() && trace_path.compare(trace_path.size() - ext.size(), ext.size(), ext) == 0)
    return trace_path.substr(0, trace_path.size() - ext.size()) + ".html";
  return trace_path + ".html";
}

// The share of the overlapped order's collective time during which a kernel of the same
// rank (device) ran: how much of the communication the timeline shows hidden behind compute.
double comm_overlap_pct(const profiler::Trace& trace, const std::vector<StreamKey>& overlapped) {
  double covered = 0.0, total = 0.0;
  for (const StreamKey& key : overlapped) {
    std::vector<std::pair<std::int64_t, std::int64_t>> kernels;  // merged below
    for (const profiler::Span& s : trace.spans)
      if (s.device == key.device && s.kind == profiler::SpanKind::kKernel) kernels.emplace_back(s.start_ns, s.end_ns);
    std::sort(kernels.begin(), kernels.end());
    std::vector<std::pair<std::int64_t, std::int64_t>> merged;
    for (const auto& k : kernels) {
      if (!merged.empty() && k.first <= merged.back().second) {
        merged.back().second = std::max(merged.back().second, k.second);
      } else {
        merged.push_back(k);
      }
    }
    for (const profiler::Span& s : trace.spans) {
      if (s.device != key.device || s.stream != key.stream || s.kind != profiler::SpanKind::kCollective) continue;
      total += static_cast<double>(s.end_ns - s.start_ns);
      for (const auto& m : merged) {
        const std::int64_t a = std::max(m.first, s.start_ns), b = std::min(m.second, s.end_ns);
        if (b > a) covered += static_cast<double>(b - a);
      }
    }
  }
  return total > 0.0 ? 100.0 * covered / total : 0.0;
}

// Writes the stopped session's trace and HTML report; returns the figures for the JSON document.
nlohmann::json write_trace(const std::string& path, const std::vector<StreamKey>& overlapped) {
  const profiler::Trace trace = profiler::collect();
  check(profiler::write_chrome_trace(trace, path));
  const std::string html = html_path_for(path);
  write_report(trace, profiler::compute_metrics(trace, peak_bandwidth().gbps), "vnpu demo train: " + path, html);
  const auto collectives = std::count_if(trace.spans.begin(), trace.spans.end(), [](const profiler::Span& s) {
    return s.kind == profiler::SpanKind::kCollective;
  });
  const double pct = comm_overlap_pct(trace, overlapped);
  note("profile: {} spans ({} collectives); {:.1f}% of the overlapped order's all-reduce time ran beside a kernel",
       trace.spans.size(), collectives, pct);
  note("profile: trace {} (open it in https://ui.perfetto.dev or chrome://tracing), report {}", path, html);
  return {{"trace", path}, {"report", html}, {"spans", trace.spans.size()}, {"collective_spans", collectives},
          {"comm_overlap_pct", pct}};
}

// One rank's whole run; the same code on every rank, threads or processes. `streams` holds
// every rank's StreamKey in this process (threads) or this rank's (processes); this rank
// writes its own slot `slot` before the first barrier.
Outcome run_rank(Peers& peers, Communicator comm, const TrainOptions& o, std::size_t layer_elems,
                 std::vector<StreamKey>& streams, std::size_t slot) {
  Rank rank(std::move(comm), o.layers, layer_elems);
  streams[slot] = StreamKey{rank.device_id(), rank.comm_stream_id()};
  const bool leader = peers.rank() == 0;
  Outcome out;
  out.transport = rank.communicator().transport();

  peers.barrier();  // every rank is set up (a failed allocation stops the others here)
  rank.all_reduce_alone();  // warm-up: the lane's scratch space, the transport's connections
  out.allreduce_ms = agreed_median_ms(peers, 3, [&] { rank.all_reduce_alone(); });
  if (o.kernel_iters > 0) {
    out.iters = static_cast<std::uint32_t>(o.kernel_iters);
  } else {
    out.iters = calibrate(peers, rank, out.allreduce_ms);
  }
  out.backward_ms = agreed_median_ms(peers, 3, [&] { rank.backward_alone(out.iters); });
  if (leader && !o.json)
    note("one layer: all-reduce {:.3f} ms, backward {:.3f} ms ({} multiply-adds per parameter)", out.allreduce_ms,
         out.backward_ms, out.iters);

  // One step of each order from the same parameters: the same bits, and the right values.
  rank.snapshot();
  const std::vector<float> before = rank.sample_params();
  peers.barrier();
  rank.step(Order::kSerial, out.iters);
  const train::Sampled sampled = rank.check_samples(before, out.iters);
  const std::uint64_t serial_digest = rank.digest(true);
  rank.restore();
  peers.barrier();
  rank.step(Order::kOverlapped, out.iters);
  out.order_independent = peers.all(rank.digest(true) == serial_digest);
  out.sampled.worst = peers.max(sampled.worst);
  out.sampled.checked = sampled.checked;

  const bool traced = !o.trace_path.empty() && leader;
  peers.barrier();
  if (traced) check(profiler::start());
  peers.barrier();
  std::vector<double> serial, overlapped;
  for (int s = 0; s < o.steps; ++s) {
    for (int k = 0; k < 2; ++k) {
      const Order order = (s + k) % 2 == 0 ? Order::kSerial : Order::kOverlapped;
      const double ms = agreed_median_ms(peers, 1, [&] { rank.step(order, out.iters); });
      (order == Order::kSerial ? serial : overlapped).push_back(ms);
    }
  }
  peers.barrier();
  if (traced) check(profiler::stop());
  out.identical = peers.same(rank.digest(false));
  if (traced) out.profile = write_trace(o.trace_path, streams);
  out.serial = summarize(std::move(serial));
  out.overlapped = summarize(std::move(overlapped));
  return out;
}

// The ranks as devices of this process, each driven by a thread of its own.
Outcome run_threads(const TrainOptions& o, std::size_t layer_elems) {
  const int n = o.ranks;
  DeviceConfig config;
  // The CPUs shared out between the ranks; unpinned, or every device would pin its core 0
  // to the same CPU.
  config.compute_cores = std::max(1, cpu_info().usable_cpus / n);
  config.copy_engines = 0;
  config.pin_threads = 0;
  std::vector<Device> devices;
  for (int r = 0; r < n; ++r) {
    config.name = fmt::format("rank{}", r);
    devices.push_back(Device::create(config).value());
  }
  std::vector<Communicator> comms = Communicator::local(devices).value();
  train::ThreadGroup group(n);
  std::vector<StreamKey> streams(static_cast<std::size_t>(n));
  std::vector<Outcome> outcomes(static_cast<std::size_t>(n));
  std::vector<std::exception_ptr> errors(static_cast<std::size_t>(n));
  std::vector<std::thread> threads;
  for (int r = 0; r < n; ++r) {
    threads.emplace_back([&, r] {
      const auto i = static_cast<std::size_t>(r);
      try {
        const std::unique_ptr<Peers> peers = group.peers(r);
        outcomes[i] = run_rank(*peers, std::move(comms[i]), o, layer_elems, streams, i);
      } catch (...) {
        errors[i] = std::current_exception();
        group.break_all();
      }
    });
  }
  for (std::thread& t : threads) t.join();
  // The first rank's own failure, rather than another's "another rank failed".
  for (const std::exception_ptr& e : errors)
    if (e) {
      try {
        std::rethrow_exception(e);
      } catch (const std::runtime_error& err) {
        if (std::string(err.what()) == "another rank failed") continue;
        throw;
      }
    }
  for (const std::exception_ptr& e : errors)
    if (e) std::rethrow_exception(e);
  return outcomes.front();
}

// The ranks as the processes of an MPI job, this one driving its own.
Outcome run_process(const MpiJob& job, const TrainOptions& o, std::size_t layer_elems) {
  DeviceConfig config;
  config.name = fmt::format("rank{}", job.rank());
  config.compute_cores = std::max(1, cpu_info().usable_cpus / job.local_size());
  config.copy_engines = 0;
  config.pin_threads = 0;
  const Device dev = Device::create(config).value();
  MpiPeers peers(job);
  std::vector<StreamKey> streams(1);
  return run_rank(peers, job.join(dev), o, layer_elems, streams, 0);
}

void print_table(const Outcome& r, const nlohmann::json& doc) {
  fmt::print("vnpu demo train: {} ranks ({}), {} layers of {} parameters each, {} multiply-adds per parameter\n",
             doc["ranks"].get<int>(), doc["mode"].get<std::string>(), doc["layers"].get<int>(),
             format_bytes(doc["layer_bytes"].get<std::size_t>()), r.iters);
  fmt::print("one layer alone: backward {:.3f} ms, all-reduce {:.3f} ms\n\n", r.backward_ms, r.allreduce_ms);
  Table table({"order", "step ms (median)", "p10", "p90"});
  table.add_row({"serial: all backward, then all all-reduces", fmt::format("{:.2f}", r.serial.median),
                 fmt::format("{:.2f}", r.serial.p10), fmt::format("{:.2f}", r.serial.p90)});
  table.add_row({"overlapped: all-reduce l while backward l-1", fmt::format("{:.2f}", r.overlapped.median),
                 fmt::format("{:.2f}", r.overlapped.p10), fmt::format("{:.2f}", r.overlapped.p90)});
  table.print();
  fmt::print("\nspeedup (serial / overlapped) = {:.3f}   (medians of {} steps each; a step's time is its slowest "
             "rank's)\n",
             doc["speedup"].get<double>(), doc["steps"].get<int>());
  fmt::print("parameters identical on every rank: {}; both orders give the same bits: {}; {} sampled values "
             "within the float64 tolerance: {}\n",
             r.identical ? "yes" : "NO", r.order_independent ? "yes" : "NO", r.sampled.checked,
             r.sampled.worst <= 1.0 ? "yes" : "NO");
}

}  // namespace

int run_demo_train(const TrainOptions& o) {
  const double layer_bytes_f = o.params_mib * 1024.0 * 1024.0 / o.layers;
  const std::size_t layer_elems = std::max<std::size_t>(1, static_cast<std::size_t>(layer_bytes_f / sizeof(float)));
  const std::unique_ptr<MpiJob> job = MpiJob::start();
  const bool processes = job && job->size() >= 2;
  const int ranks = processes ? job->size() : o.ranks;
  const bool leader = !processes || job->rank() == 0;
  if (leader && !o.json)
    note("training {} layers of {} on {} ranks ({}) ...", o.layers, format_bytes(layer_elems * sizeof(float)), ranks,
         processes ? "MPI processes" : "devices of this process");
  const Outcome r = processes ? run_process(*job, o, layer_elems) : run_threads(o, layer_elems);

  const bool verified = r.identical && r.order_independent && r.sampled.worst <= 1.0;
  const nlohmann::json doc = {
      {"ranks", ranks},
      {"mode", processes ? "processes" : "threads"},
      {"transport", r.transport},
      {"layers", o.layers},
      {"layer_bytes", layer_elems * sizeof(float)},
      {"params_bytes", layer_elems * sizeof(float) * static_cast<std::size_t>(o.layers)},
      {"steps", o.steps},
      {"kernel_iters", r.iters},
      {"backward_ms", r.backward_ms},
      {"allreduce_ms", r.allreduce_ms},
      {"serial_ms", r.serial.median},
      {"overlapped_ms", r.overlapped.median},
      {"speedup", r.overlapped.median > 0.0 ? r.serial.median / r.overlapped.median : 0.0},
      {"identical", r.identical},
      {"order_independent", r.order_independent},
      {"sampled_checked", r.sampled.checked},
      {"sampled_error_vs_tolerance", r.sampled.worst},
      {"verified", verified},
      {"profile", r.profile},
  };
  if (leader) {
    if (o.json) {
      print_json(doc);
    } else {
      print_table(r, doc);
    }
  }
  if (!verified) {
    if (leader) note("vnpu: error: the ranks' parameters or the two orders' results differ, or a sampled value is wrong");
    return kExitWrongResult;
  }
  return 0;
}

}  // namespace vnpu::cli
