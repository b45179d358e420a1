// tools/cli/report.hpp — the profiler's reports: a Chrome trace read back into a
// vnpu::profiler::Trace, its metrics as a terminal table or JSON, and the HTML report.
#pragma once

#include <cstdio>
#include <string>

#include <nlohmann/json.hpp>

#include "vnpu/profiler.hpp"

namespace vnpu::cli {

/// Reads a Chrome trace written by vnpu (profiler::write_chrome_trace or VNPU_PROFILE).
/// Throws CliError with kExitCannotOpenInput (unreadable) or kExitBadInputFile (not JSON,
/// or not a trace).
profiler::Trace load_trace(const std::string& path);

/// The metrics as JSON (summary figures, ops, lanes).
nlohmann::json metrics_json(const profiler::Metrics& m);

/// The summary figures and the per-op table, for people.
void print_metrics(const profiler::Metrics& m, std::FILE* out);

/// One self-contained HTML page (inline CSS, SVG and script; no network resources): the
/// summary figures, the timeline with one row per lane, the per-op and per-lane tables.
std::string report_html(const profiler::Trace& trace, const profiler::Metrics& m, const std::string& title);

/// Writes report_html() to `path`; throws CliError(kExitCannotWriteOutput) on failure.
void write_report(const profiler::Trace& trace, const profiler::Metrics& m, const std::string& title,
                  const std::string& path);

}  // namespace vnpu::cli
