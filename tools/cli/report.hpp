// tools/cli/report.hpp — the profiler's reports: a Chrome trace read back into a
// vnpu::profiler::Trace, its metrics as a terminal table or JSON, and the HTML report.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

#include <nlohmann/json.hpp>

#include "vnpu/profiler.hpp"

namespace vnpu::cli {

/// The largest trace file load_trace() reads: 1 GiB, 4 to 7 million spans (150 to 250
/// bytes each). Reading one takes about five times the file's size in memory.
inline constexpr std::uint64_t kMaxTraceBytes = std::uint64_t{1} << 30;

/// Reads a Chrome trace written by vnpu (profiler::write_chrome_trace or VNPU_PROFILE).
/// Throws CliError with kExitCannotOpenInput (cannot be opened or read, or not a regular
/// file: a FIFO or a device is refused before anything is read) or kExitBadInputFile (above
/// kMaxTraceBytes, not JSON, or not a trace).
profiler::Trace load_trace(const std::string& path);

/// The metrics as JSON (summary figures, ops, lanes).
nlohmann::json metrics_json(const profiler::Metrics& m);

/// The summary figures and the per-op table, for people.
void print_metrics(const profiler::Metrics& m, std::FILE* out);

/// One self-contained HTML page (inline CSS, SVG and script; no network resources): the
/// summary figures, the timeline with one row per lane, the per-op and per-lane tables.
/// `trace` is as load_trace() gives it: every span within [0, 2^63) ns, ending after it starts.
std::string report_html(const profiler::Trace& trace, const profiler::Metrics& m, const std::string& title);

/// Writes report_html() to `path`; throws CliError(kExitCannotWriteOutput) on failure.
void write_report(const profiler::Trace& trace, const profiler::Metrics& m, const std::string& title,
                  const std::string& path);

}  // namespace vnpu::cli
