// tools/cli/report.cpp — `vnpu report TRACE.json [-o REPORT.html] [--json]`: the metrics of
// a profiler trace, as a terminal table, JSON, or a self-contained HTML report.
#include "report.hpp"

#include <fstream>

#include <fmt/core.h>

#include "cli_common.hpp"
#include "commands.hpp"
#include "peak_bandwidth.hpp"

namespace vnpu::cli {

namespace {

using profiler::Metrics;
using profiler::OpMetrics;

std::string fmt_pct(double pct) { return pct < 0.0 ? "-" : fmt::format("{:.1f}", pct); }

}  // namespace

nlohmann::json metrics_json(const Metrics& m) {
  nlohmann::json ops = nlohmann::json::array();
  for (const OpMetrics& op : m.ops) {
    ops.push_back({{"kind", profiler::span_kind_name(op.kind)}, {"name", op.name}, {"shape", op.shape},
                   {"calls", op.calls}, {"total_ms", op.total_ms}, {"mean_us", op.mean_us}, {"bytes", op.bytes},
                   {"gbps", op.gbps}, {"peak_pct", op.peak_pct < 0.0 ? nlohmann::json() : nlohmann::json(op.peak_pct)},
                   {"share_pct", op.share_pct}});
  }
  nlohmann::json lanes = nlohmann::json::array();
  for (const profiler::LaneMetrics& l : m.lanes) {
    lanes.push_back({{"device", l.lane.device}, {"lane", l.lane.name}, {"spans", l.spans}, {"busy_ms", l.busy_ms},
                     {"busy_pct", l.busy_pct}});
  }
  nlohmann::json pipes = nlohmann::json::array();
  for (const profiler::PipeMetrics& p : m.pipes) {
    pipes.push_back({{"name", p.name}, {"calls", p.calls}, {"block_ms", p.block_ms}, {"mte2_ms", p.mte2_ms},
                     {"v_ms", p.v_ms}, {"mte3_ms", p.mte3_ms}, {"gm_bytes", p.gm_bytes}, {"gbps", p.gbps},
                     {"peak_pct", p.peak_pct < 0.0 ? nlohmann::json() : nlohmann::json(p.peak_pct)},
                     {"vector_pct", p.vector_pct}, {"dma_pct", p.dma_pct}});
  }
  return {{"wall_ms", m.wall_ms},
          {"compute_busy_pct", m.compute_busy_pct},
          {"copy_busy_pct", m.copy_busy_pct},
          {"overlap_pct", m.overlap_pct},
          {"barrier_ms", m.barrier_ms},
          {"barrier_waits", m.barrier_waits},
          {"barrier_mean_us", m.barrier_mean_us},
          {"host_wait_ms", m.host_wait_ms},
          {"event_wait_ms", m.event_wait_ms},
          {"peak_gbps", m.peak_gbps},
          {"dropped_spans", m.dropped},
          {"ops", ops},
          {"lanes", lanes},
          {"pipes", pipes}};
}

void print_metrics(const Metrics& m, std::FILE* out) {
  fmt::print(out, "wall {:.3f} ms; compute cores busy {:.1f}%, copy engines busy {:.1f}%, copy/compute overlap {:.1f}%\n",
             m.wall_ms, m.compute_busy_pct, m.copy_busy_pct, m.overlap_pct);
  fmt::print(out, "barriers: {} waits, {:.3f} ms in all ({:.2f} us mean); host waits {:.3f} ms; event waits {:.3f} ms\n",
             m.barrier_waits, m.barrier_ms, m.barrier_mean_us, m.host_wait_ms, m.event_wait_ms);
  if (m.peak_gbps > 0.0) fmt::print(out, "peak memory bandwidth {:.1f} GB/s\n", m.peak_gbps);
  if (m.dropped != 0) fmt::print(out, "warning: {} spans were dropped (buffers full)\n", m.dropped);
  fmt::print(out, "\n");
  Table table({"op", "kind", "shape", "calls", "total ms", "mean us", "bytes", "GB/s", "% peak", "% wall"});
  for (const OpMetrics& op : m.ops) {
    table.add_row({op.name, profiler::span_kind_name(op.kind), op.shape.empty() ? "-" : op.shape,
                   fmt::format("{}", op.calls), fmt::format("{:.3f}", op.total_ms), fmt::format("{:.2f}", op.mean_us),
                   op.bytes != 0 ? format_bytes(op.bytes) : "-", op.bytes != 0 ? fmt::format("{:.2f}", op.gbps) : "-",
                   fmt_pct(op.peak_pct), fmt::format("{:.1f}", op.share_pct)});
  }
  table.print(out);
  if (m.pipes.empty()) return;
  fmt::print(out, "\nAscend C kernels by pipe (MTE2: GM->UB copies, V: vector, MTE3: UB->GM copies)\n");
  Table pipes({"kernel", "calls", "block ms", "MTE2 ms", "V ms", "MTE3 ms", "GM bytes", "GB/s", "% peak", "% vector",
               "% DMA"});
  for (const profiler::PipeMetrics& p : m.pipes) {
    pipes.add_row({p.name, fmt::format("{}", p.calls), fmt::format("{:.3f}", p.block_ms), fmt::format("{:.3f}", p.mte2_ms),
                   fmt::format("{:.3f}", p.v_ms), fmt::format("{:.3f}", p.mte3_ms),
                   p.gm_bytes != 0 ? format_bytes(p.gm_bytes) : "-",
                   p.gm_bytes != 0 ? fmt::format("{:.2f}", p.gbps) : "-", fmt_pct(p.peak_pct),
                   fmt::format("{:.1f}", p.vector_pct), fmt::format("{:.1f}", p.dma_pct)});
  }
  pipes.print(out);
}

void write_report(const profiler::Trace& trace, const Metrics& m, const std::string& title, const std::string& path) {
  const std::string html = report_html(trace, m, title);
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (!f || !f.write(html.data(), static_cast<std::streamsize>(html.size())))
    throw CliError(kExitCannotWriteOutput, "cannot write the report '" + path + "'");
}

int run_report(const ReportOptions& options) {
  const profiler::Trace trace = load_trace(options.trace);
  const double peak = options.peak_gbps >= 0.0 ? options.peak_gbps : peak_bandwidth().gbps;
  const Metrics m = profiler::compute_metrics(trace, peak);
  if (!options.output.empty()) {
    write_report(trace, m, options.trace, options.output);
    note("report written to {} ({} spans, {} lanes)", options.output, trace.spans.size(), trace.lanes.size());
  }
  if (options.json) {
    print_json(metrics_json(m));
  } else if (options.output.empty()) {
    print_metrics(m, stdout);
  }
  return 0;
}

}  // namespace vnpu::cli
