// tools/cli/cli_common.hpp — small helpers shared by the `vnpu` subcommands: exit codes,
// timing, sample statistics and output (JSON on stdout, aligned tables for people).
//
// Output rule of every subcommand: with --json, stdout carries exactly one JSON document
// and everything else (progress, warnings) goes to stderr, so `vnpu ... --json | jq` works.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

namespace vnpu::cli {

using Clock = std::chrono::steady_clock;

// Exit codes. A vnpu failure exits with its Status value (1..15, see status.hpp), so the
// code says what went wrong; the CLI's own failures use codes above that range.
inline constexpr int kExitWrongResult = 20;  ///< a computed result did not verify
inline constexpr int kExitBarsMissed = 21;   ///< `demo --strict`: a performance bar was missed
inline constexpr int kExitFindings = 22;     ///< `vnpu check`: the program has races or ordering mistakes
inline constexpr int kExitUnexpected = 70;   ///< any other exception (sysexits' EX_SOFTWARE)

/// A failure of the CLI itself (not of a vnpu call), with the exit code to use.
class CliError : public std::runtime_error {
 public:
  CliError(int exit_code, const std::string& what) : std::runtime_error(what), exit_code_(exit_code) {}
  int exit_code() const noexcept { return exit_code_; }

 private:
  int exit_code_;
};

inline double ms_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}
inline double ns_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::nano>(b - a).count();
}

/// Order statistics of a set of samples (nearest-rank percentiles).
struct Summary {
  double median = 0.0;
  double p10 = 0.0;
  double p90 = 0.0;
  double min = 0.0;
  double max = 0.0;
  std::size_t count = 0;
};

/// Summarizes `samples` (taken by value: it sorts them). An empty set gives all zeros.
Summary summarize(std::vector<double> samples);

/// Writes `doc` to stdout as the command's one JSON document.
void print_json(const nlohmann::json& doc);

/// A progress or diagnostic line on stderr (never on stdout, which may carry JSON).
template <class... Args>
void note(fmt::format_string<Args...> format, Args&&... args) {
  fmt::print(stderr, format, std::forward<Args>(args)...);
  std::fputc('\n', stderr);
}

/// A text table whose columns are sized to their widest cell. Column 0 is left-aligned,
/// the others right-aligned (they are usually numbers).
class Table {
 public:
  explicit Table(std::vector<std::string> header) : rows_{std::move(header)} {}
  void add_row(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  void print(std::FILE* out = stdout) const;

 private:
  std::vector<std::vector<std::string>> rows_;
};

/// "0-3,6,8-9" for {0,1,2,3,6,8,9}; "-" for an empty list.
std::string format_cpu_list(const std::vector<int>& cpus);
/// "512 B", "48 KiB", "1.5 MiB", "23.5 GiB".
std::string format_bytes(std::size_t bytes);

}  // namespace vnpu::cli
