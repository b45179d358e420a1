// tools/cli/bench.cpp — the suite table of `vnpu bench` and the printing of results.
#include "bench.hpp"

#include <array>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

namespace vnpu::cli {

namespace {

constexpr std::array kSuites = {
    BenchSuite{"runtime", "Launch, enqueue, event, callback and copy overheads, with peers (spin floor, oneTBB)",
               &run_runtime_suite},
};

nlohmann::json result_json(const BenchResult& r) {
  return {{"suite", r.suite},         {"case", r.name},           {"median_ns", r.ns.median},
          {"p10_ns", r.ns.p10},       {"p90_ns", r.ns.p90},       {"min_ns", r.ns.min},
          {"unit", r.unit},           {"samples", r.ns.count},    {"iterations", r.iterations},
          {"threads", r.threads}};
}

std::string format_ns(double ns) { return ns >= 100.0 ? fmt::format("{:.0f}", ns) : fmt::format("{:.1f}", ns); }

}  // namespace

std::span<const BenchSuite> bench_suites() { return kSuites; }

int run_bench(const BenchSuite& suite, const BenchOptions& options) {
  if (!options.json) note("running suite '{}' ...", suite.name);
  const std::vector<BenchResult> results = suite.run(options);
  if (options.json) {
    nlohmann::json doc = nlohmann::json::array();
    for (const BenchResult& r : results) doc.push_back(result_json(r));
    print_json(doc);
    return 0;
  }
  Table table({"case", "median", "p10", "p90", "unit", "samples", "threads"});
  for (const BenchResult& r : results) {
    table.add_row({r.name, format_ns(r.ns.median), format_ns(r.ns.p10), format_ns(r.ns.p90), r.unit,
                   fmt::format("{}", r.ns.count), fmt::format("{}", r.threads)});
  }
  table.print();
  return 0;
}

}  // namespace vnpu::cli
