// tools/cli/bench.cpp — the suite table of `vnpu bench` and the printing of results.
#include "bench.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>
#include <cmath>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

namespace vnpu::cli {

namespace {

constexpr std::array kSuites = {
    BenchSuite{"runtime",
               "Launch, enqueue, event, callback, copy and memory-reuse overheads, with peers (spin floor, oneTBB)",
               &run_runtime_suite},
    BenchSuite{"reduce",
               "Sums (and max, var, logsumexp) over any axis set of large tensors in GB/s and % of the read "
               "bandwidth measured in the same run",
               &run_reduce_suite},
    BenchSuite{"softmax",
               "Softmax along the last and leading axes, f32, bf16 and f16, in GB/s and % of the read and copy "
               "bandwidth (same run)",
               &run_softmax_suite},
    BenchSuite{"norm", "layer_norm, rms_norm, batch_norm in GB/s and % of the read and copy bandwidth (same run)",
               &run_norm_suite},
    BenchSuite{"ascendc",
               "The Ascend C examples' kernels (add, reduce_sum) over 64 Mi elements, in GB/s and % of the bandwidth, "
               "beside vnpu's sum",
               &run_ascendc_suite},
#ifdef VNPU_HAVE_MPI
    BenchSuite{"hccl",
               "float32 all-reduce between MPI processes (mpirun -np N): vnpu's communicator against MPI_Allreduce, "
               "time and bus bandwidth per message size",
               nullptr, &run_hccl_suite},
#endif
};

// Rounds for the JSON output: more digits than this are noise on any machine.
double round_to(double v, int decimals) {
  const double scale = std::pow(10.0, decimals);
  return std::round(v * scale) / scale;
}

nlohmann::json throughput_json(const BenchResult& r, const Throughput& t) {
  nlohmann::json j = {{"suite", r.suite},       {"case", r.name},         {"op", t.op},
                      {"shape", t.shape},       {"dtype", t.dtype},
                      {"threads", r.threads},   {"median_ns", round_to(r.ns.median, 0)},
                      {"gbps", round_to(t.gbps, 2)}, {"pct_peak_bw", round_to(t.pct_peak_bw, 1)}};
  if (!t.axes.empty()) j["axes"] = t.axes;
  if (t.pct_copy_bw >= 0.0) j["pct_copy_bw"] = round_to(t.pct_copy_bw, 1);
  if (!t.mode.empty()) j["mode"] = t.mode;
  if (t.training) j["training"] = *t.training;
  return j;
}

nlohmann::json result_json(const BenchResult& r) {
  if (r.throughput) return throughput_json(r, *r.throughput);
  return {{"suite", r.suite},         {"case", r.name},           {"median_ns", r.ns.median},
          {"p10_ns", r.ns.p10},       {"p90_ns", r.ns.p90},       {"min_ns", r.ns.min},
          {"unit", r.unit},           {"samples", r.ns.count},    {"iterations", r.iterations},
          {"threads", r.threads}};
}

std::string format_ns(double ns) { return ns >= 100.0 ? fmt::format("{:.0f}", ns) : fmt::format("{:.1f}", ns); }

void print_latency_table(const std::vector<BenchResult>& results) {
  Table table({"case", "median", "p10", "p90", "unit", "samples", "threads"});
  for (const BenchResult& r : results) {
    table.add_row({r.name, format_ns(r.ns.median), format_ns(r.ns.p10), format_ns(r.ns.p90), r.unit,
                   fmt::format("{}", r.ns.count), fmt::format("{}", r.threads)});
  }
  table.print();
}

void print_throughput_table(const std::vector<BenchResult>& results) {
  const bool copy = std::any_of(results.begin(), results.end(), [](const BenchResult& r) {
    return r.throughput && r.throughput->pct_copy_bw >= 0.0;
  });
  std::vector<std::string> header = {"case", "median ms", "p10 ms", "p90 ms", "GB/s", "% bw"};
  if (copy) header.push_back("% copy bw");
  header.insert(header.end(), {"samples", "threads"});
  Table table(std::move(header));
  for (const BenchResult& r : results) {
    const Throughput t = r.throughput.value_or(Throughput{});
    std::vector<std::string> row = {r.name, fmt::format("{:.3f}", r.ns.median / 1e6),
                                    fmt::format("{:.3f}", r.ns.p10 / 1e6), fmt::format("{:.3f}", r.ns.p90 / 1e6),
                                    fmt::format("{:.1f}", t.gbps), fmt::format("{:.1f}", t.pct_peak_bw)};
    if (copy) row.push_back(t.pct_copy_bw >= 0.0 ? fmt::format("{:.1f}", t.pct_copy_bw) : "-");
    row.insert(row.end(), {fmt::format("{}", r.ns.count), fmt::format("{}", r.threads)});
    table.add_row(std::move(row));
  }
  table.print();
}

}  // namespace

std::span<const BenchSuite> bench_suites() { return kSuites; }

BenchResult throughput_result(std::string suite, std::string name, Throughput t, const Summary& ns, int threads) {
  BenchResult r;
  r.suite = std::move(suite);
  r.name = std::move(name);
  r.unit = "ns";
  r.ns = ns;
  r.iterations = ns.count;
  r.threads = threads;
  r.throughput = std::move(t);
  return r;
}

BenchResult latency_result(std::string suite, std::string name, std::string unit, const Summary& ns,
                           std::uint64_t iterations, int threads) {
  BenchResult r;
  r.suite = std::move(suite);
  r.name = std::move(name);
  r.unit = std::move(unit);
  r.ns = ns;
  r.iterations = iterations;
  r.threads = threads;
  return r;
}

BenchResult bandwidth_result(std::string suite, const Bandwidth& bw, std::string op) {
  Throughput t;
  t.op = op;
  // The buffer as f32 elements (a copy moves it twice: read and written).
  const std::size_t buffer = op == "copy_bandwidth" ? bw.bytes / 2 : bw.bytes;
  t.shape = {static_cast<std::int64_t>(buffer / 4)};
  t.dtype = "f32";
  t.gbps = bw.gbps;
  t.pct_peak_bw = 100.0;
  return throughput_result(std::move(suite), std::move(op), std::move(t), bw.ns, bw.threads);
}

int run_bench(const BenchSuite& suite, const BenchOptions& options) {
  if (suite.run_and_print != nullptr) return suite.run_and_print(options);
  if (!options.json) note("running suite '{}' ...", suite.name);
  const std::vector<BenchResult> results = suite.run(options);
  if (options.json) {
    nlohmann::json doc = nlohmann::json::array();
    for (const BenchResult& r : results) doc.push_back(result_json(r));
    print_json(doc);
    return 0;
  }
  // Throughput records first, then latency ones (a suite may have both).
  std::vector<BenchResult> throughput, latency;
  for (const BenchResult& r : results) (r.throughput ? throughput : latency).push_back(r);
  if (!throughput.empty()) print_throughput_table(throughput);
  if (!throughput.empty() && !latency.empty()) fmt::print("\n");
  if (!latency.empty()) print_latency_table(latency);
  return 0;
}

}  // namespace vnpu::cli
