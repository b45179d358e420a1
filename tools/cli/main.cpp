// tools/cli/main.cpp — the `vnpu` command line: argument parsing and dispatch.
//
//   vnpu info  [--json]
//   vnpu demo  [--json] [--batches N] [--batch-mib M] [--reps R] [--streams S] ...
//   vnpu bench <suite> [--json] [--reps R] [--iters I] [--tasks T]
//
// Exit status: 0 on success; a vnpu failure exits with its Status value (1..15); the
// tool's own failures use the codes in cli_common.hpp; usage errors use CLI11's codes
// (100..127). Every error message goes to stderr.
#include <algorithm>
#include <exception>
#include <string>

#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include "bench.hpp"
#include "cli_common.hpp"
#include "commands.hpp"
#include "vnpu/vnpu.hpp"

namespace {

using namespace vnpu::cli;

std::string version_string() {
  return fmt::format("vnpu {}.{}.{}", vnpu::kVersionMajor, vnpu::kVersionMinor, vnpu::kVersionPatch);
}

void add_bench_options(CLI::App& cmd, BenchOptions& options) {
  cmd.add_flag("--json", options.json, "Print a JSON array on stdout and nothing else");
  cmd.add_option("--reps", options.reps, "Repetitions of each throughput case")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  cmd.add_option("--iters", options.iters, "Individually timed round trips per latency case")
      ->check(CLI::Range(10, 10'000'000))
      ->capture_default_str();
  cmd.add_option("--tasks", options.tasks, "Tasks per repetition of a throughput case")
      ->check(CLI::Range(10, 100'000'000))
      ->capture_default_str();
}

// Dispatches after parsing. Exceptions propagate to main, which maps them to exit codes.
int dispatch(const CLI::App& info_cmd, const InfoOptions& info, const CLI::App& demo_cmd, const DemoOptions& demo,
             const std::vector<CLI::App*>& suite_cmds, const BenchOptions& bench) {
  if (info_cmd) return run_info(info);
  if (demo_cmd) return run_demo(demo);
  const auto suites = bench_suites();
  for (std::size_t i = 0; i < suite_cmds.size(); ++i) {
    if (*suite_cmds[i]) return run_bench(suites[i], bench);
  }
  throw CliError(kExitUnexpected, "no subcommand selected");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"vnpu: an accelerator execution model (devices, streams, events, kernels) on CPU cores", "vnpu"};
  app.set_version_flag("--version", version_string());
  app.require_subcommand(1);

  InfoOptions info;
  CLI::App* info_cmd = app.add_subcommand("info", "Show the CPU and the default device's configuration");
  info_cmd->add_flag("--json", info.json, "Print one JSON object on stdout and nothing else");

  DemoOptions demo;
  CLI::App* demo_cmd = app.add_subcommand(
      "demo", "Show copy/compute overlap: a pipelined copy+compute workload costs max(copy, compute)");
  demo_cmd->add_flag("--json", demo.json, "Print one JSON object on stdout; progress goes to stderr");
  demo_cmd->add_option("--batches", demo.batches, "Batches in the pipeline")
      ->check(CLI::Range(2, 4096))
      ->capture_default_str();
  demo_cmd->add_option("--batch-mib", demo.batch_mib, "Input MiB per batch (the output is as large)")
      ->check(CLI::Range(0.0625, 1024.0))
      ->capture_default_str();
  demo_cmd->add_option("--reps", demo.reps, "Timed repetitions of each measurement (medians are reported)")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  demo_cmd->add_option("--streams", demo.streams, "Streams of the asynchronous pipeline")
      ->check(CLI::Range(2, 16))
      ->capture_default_str();
  demo_cmd->add_option("--kernel-iters", demo.kernel_iters,
                       "Multiply-adds per element (0: calibrate so compute time matches copy time)")
      ->check(CLI::Range(0, 1 << 20))
      ->capture_default_str();
  demo_cmd->add_option("--compute-ratio", demo.compute_ratio,
                       "Calibration target: a batch's compute time over its copy time")
      ->check(CLI::Range(0.25, 8.0))
      ->capture_default_str();
  demo_cmd->add_flag("--verbose", demo.verbose, "Print every repetition's figures on stderr");
  demo_cmd->add_flag("--strict", demo.strict,
                     fmt::format("Exit with status {} when a performance bar is missed", kExitBarsMissed));

  BenchOptions bench;
  CLI::App* bench_cmd = app.add_subcommand("bench", "Run a benchmark suite");
  bench_cmd->require_subcommand(1);
  std::vector<CLI::App*> suite_cmds;
  for (const BenchSuite& suite : bench_suites()) {
    CLI::App* cmd = bench_cmd->add_subcommand(std::string(suite.name), std::string(suite.summary));
    add_bench_options(*cmd, bench);
    suite_cmds.push_back(cmd);
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }

  try {
    return dispatch(*info_cmd, info, *demo_cmd, demo, suite_cmds, bench);
  } catch (const vnpu::Error& e) {
    // what() already names the status (e.g. "kOutOfMemory: Device::malloc: ...").
    fmt::print(stderr, "vnpu: error: {}\n", e.what());
    return std::clamp(static_cast<int>(e.status()), 1, 127);
  } catch (const CliError& e) {
    fmt::print(stderr, "vnpu: error: {}\n", e.what());
    return e.exit_code();
  } catch (const std::exception& e) {
    fmt::print(stderr, "vnpu: unexpected error: {}\n", e.what());
    return kExitUnexpected;
  }
}
