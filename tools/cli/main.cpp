// tools/cli/main.cpp — the `vnpu` command line: argument parsing and dispatch.
//
//   vnpu info  [--json]
//   vnpu demo  [--json] [--batches N] [--batch-mib M] [--reps R] [--streams S] ...
//   vnpu demo train [--json] [--layers L] [--params-mib M] [--steps S] [--ranks N] [--trace PATH]
//   vnpu bench <suite> [--json] [--reps R] [--iters I] [--tasks T]
//   mpirun -np N vnpu bench hccl [--json] [--reps R] [--min-bytes B] [--max-bytes B]
//   vnpu op NAME [--axes 0,-1] [--keep-dims] [--dtype f32|f16|bf16|i32] [--correction N]
//                [--select-last-index]
//           INPUT.npy -o OUTPUT.npy
//   vnpu op softmax|log_softmax --axis A [--dtype f32|f16|bf16] X.npy -o Y.npy
//   vnpu op layer_norm|rms_norm|batch_norm|group_norm [options] X.npy [PARAMS.npy...] -o Y.npy
//           (see op.cpp)
//   vnpu report TRACE.json [-o REPORT.html] [--json] [--peak-gbps G]
//
// Exit status: 0 on success; a vnpu failure exits with its Status value (1..18); the
// tool's own failures use the codes in cli_common.hpp (`vnpu op`'s file errors those in
// commands.hpp); usage errors use CLI11's codes (100..127). Every error message goes to
// stderr.
#include <algorithm>
#include <charconv>
#include <cstdint>
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

void add_bench_options(CLI::App& cmd, const BenchSuite& suite, BenchOptions& options) {
  if (suite.run_and_print != nullptr) {  // suite "hccl": message sizes instead of iterations and tasks
    cmd.add_flag("--json", options.json, "Print one JSON object on stdout (rank 0) and nothing else");
    cmd.add_option("--reps", options.reps,
                   "Timed repetitions of each side per message size (below 16 MiB up to 8 times as many)")
        ->check(CLI::Range(1, 1000))
        ->capture_default_str();
    const auto multiple_of_4 = CLI::Validator(
        [](const std::string& text) {
          std::uint64_t v = 0;
          const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
          return ec == std::errc() && end == text.data() + text.size() && v % 4 == 0
                     ? std::string()
                     : std::string("must be a multiple of 4");
        },
        "MULTIPLE OF 4");
    cmd.add_option("--min-bytes", options.min_bytes, "The smallest message, in bytes (sizes grow by factors of 4)")
        ->check(CLI::Range(std::uint64_t{4}, std::uint64_t{1} << 33) & multiple_of_4)
        ->capture_default_str();
    cmd.add_option("--max-bytes", options.max_bytes, "The largest message, in bytes")
        ->check(CLI::Range(std::uint64_t{4}, std::uint64_t{1} << 33) & multiple_of_4)
        ->capture_default_str();
    return;
  }
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

// `vnpu op`: the op's name and files are positional, as in `vnpu op sum x.npy -o y.npy`.
// Options are recorded as given (see add_op_results) so that "not given" differs from
// every value: op.cpp rejects options of another op family, and `--axes ""` is an
// explicitly empty list. --axis, --normalized-ndim, --groups and --eps are parsed by the
// op itself, so a bad value exits with kInvalidArgument like every other bad argument.
struct OpArgs {
  std::string axes;
  double correction = 1.0;
  std::string axis;
  std::string normalized_ndim;
  std::string eps;
  std::string groups;
  std::string save_mean, save_var, mean_out, rstd_out;
  CLI::Option* axes_opt = nullptr;
  CLI::Option* correction_opt = nullptr;
  CLI::Option* axis_opt = nullptr;
  CLI::Option* normalized_ndim_opt = nullptr;
  CLI::Option* eps_opt = nullptr;
  CLI::Option* groups_opt = nullptr;
  CLI::Option* save_mean_opt = nullptr;
  CLI::Option* save_var_opt = nullptr;
  CLI::Option* mean_out_opt = nullptr;
  CLI::Option* rstd_out_opt = nullptr;
};

void add_op_options(CLI::App& cmd, OpOptions& op, OpArgs& args) {
  cmd.add_option("name", op.name,
                 "The op: a reduction (sum mean max min prod sum_sq l1 l2 logsumexp var std argmax argmin all "
                 "any log_sum), softmax, log_softmax, layer_norm, rms_norm, batch_norm (inference, or --training) "
                 "or group_norm")
      ->required();
  cmd.add_option("inputs", op.inputs,
                 "The input .npy file (C order; <f4 <f2 <f8 <i4 <i8 |u1 |b1), then the op's parameter files: "
                 "layer_norm X [GAMMA [BETA]], rms_norm X [GAMMA], batch_norm X MEAN VAR [GAMMA BETA] "
                 "(--training: X [GAMMA BETA]), group_norm X [GAMMA BETA]")
      ->required();
  cmd.add_option("-o,--output", op.output, "The .npy file to write")->required();
  cmd.add_option("--dtype", op.dtype,
                 "Compute dtype: f32, f16, bf16 or i32 (reductions only); every input file is converted to it "
                 "(default: f32, or i32 for a reduction of integers)");
  args.axes_opt = cmd.add_option("--axes", args.axes,
                                 "Reductions: axes to reduce, comma-separated, negative counting from the end "
                                 "(default: all; \"\" reduces none)");
  cmd.add_flag("--keep-dims", op.keep_dims, "Reductions: keep reduced axes as size 1");
  args.correction_opt = cmd.add_option("--correction", args.correction,
                                       "var/std: divide by n - N (default 1; 0: population)");
  cmd.add_flag("--select-last-index", op.select_last_index,
               "argmax, argmin: among equal extremes give the last index (ONNX select_last_index)");
  args.axis_opt = cmd.add_option("--axis", args.axis, "softmax, log_softmax: the axis of the rows (-1: the last)");
  args.normalized_ndim_opt = cmd.add_option(
      "--normalized-ndim", args.normalized_ndim, "layer_norm, rms_norm: how many trailing axes form one group");
  args.eps_opt = cmd.add_option("--eps", args.eps, "Norms: added to the variance (default 1e-5; rms_norm 1e-6)");
  args.groups_opt = cmd.add_option("--groups", args.groups, "group_norm: groups of channels (must divide C)");
  cmd.add_flag("--training", op.training,
               "batch_norm: normalize with the batch's statistics (per channel, over every other axis) instead "
               "of MEAN and VAR files");
  args.save_mean_opt = cmd.add_option("--save-mean", args.save_mean,
                                      "batch_norm --training: write the batch mean per channel (<f4) to this file");
  args.save_var_opt = cmd.add_option(
      "--save-var", args.save_var, "batch_norm --training: write the biased batch variance per channel (<f4) to this file");
  args.mean_out_opt = cmd.add_option("--mean", args.mean_out, "layer_norm: write the mean of each group (<f4) to this file");
  args.rstd_out_opt = cmd.add_option("--rstd", args.rstd_out,
                                     "layer_norm: write 1 / sqrt(var + eps) of each group (<f4) to this file");
}

void add_op_results(const OpArgs& args, OpOptions& op) {
  if (args.axes_opt->count() > 0) op.axes = args.axes;
  if (args.correction_opt->count() > 0) op.correction = args.correction;
  if (args.axis_opt->count() > 0) op.axis = args.axis;
  if (args.normalized_ndim_opt->count() > 0) op.normalized_ndim = args.normalized_ndim;
  if (args.eps_opt->count() > 0) op.eps = args.eps;
  if (args.groups_opt->count() > 0) op.groups = args.groups;
  if (args.save_mean_opt->count() > 0) op.save_mean = args.save_mean;
  if (args.save_var_opt->count() > 0) op.save_var = args.save_var;
  if (args.mean_out_opt->count() > 0) op.mean_out = args.mean_out;
  if (args.rstd_out_opt->count() > 0) op.rstd_out = args.rstd_out;
}

// Dispatches after parsing. Exceptions propagate to main, which maps them to exit codes.
int dispatch(const CLI::App& info_cmd, const InfoOptions& info, const CLI::App& demo_cmd, const DemoOptions& demo,
             const CLI::App& train_cmd, const TrainOptions& train, const std::vector<CLI::App*>& suite_cmds,
             const BenchOptions& bench, const CLI::App& op_cmd, const OpOptions& op, const CLI::App& report_cmd,
             const ReportOptions& report, const CLI::App& check_cmd, const CheckOptions& check) {
  if (info_cmd) return run_info(info);
  if (check_cmd) return run_check(check);
  if (report_cmd) return run_report(report);
  if (train_cmd) return run_demo_train(train);
  if (demo_cmd) return run_demo(demo);
  if (op_cmd) return run_op(op);
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
  info_cmd->add_flag("--measure-bandwidth", info.measure_bandwidth,
                     "Measure the peak memory bandwidth again instead of using the cached figure");

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
  demo_cmd->add_option("--trace", demo.trace_path,
                       "Where the profiler's Chrome trace of the run goes (VNPU_PROFILE, if set, wins)")
      ->capture_default_str();
  demo_cmd->add_option("--report", demo.report_path, "Where the HTML report goes (default: the trace's path, .html)");
  demo_cmd->add_flag("!--no-profile", demo.profile, "Do not record the run (no trace, no report)");
  demo_cmd->add_flag("--strict", demo.strict,
                     fmt::format("Exit with status {} when a performance bar is missed", kExitBarsMissed));

  TrainOptions train;
  CLI::App* train_cmd = demo_cmd->add_subcommand(
      "train", "A data-parallel training step: per-layer all-reduces overlapping the backward kernels, against the "
               "serial order (ranks: the processes of mpirun -np N, else --ranks devices of this process)");
  train_cmd->add_flag("--json", train.json, "Print one JSON object on stdout (rank 0); progress goes to stderr");
  train_cmd->add_option("--layers", train.layers, "Layers of the model, each with its own gradient all-reduce")
      ->check(CLI::Range(1, 4096))
      ->capture_default_str();
  train_cmd->add_option("--params-mib", train.params_mib, "Parameters of the whole model, in MiB of float32")
      ->check(CLI::Range(0.0625, 4096.0))
      ->capture_default_str();
  train_cmd->add_option("--steps", train.steps, "Timed steps of each order (medians are reported)")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  train_cmd->add_option("--ranks", train.ranks, "Ranks as devices of this process (ignored under mpirun -np N >= 2)")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  train_cmd->add_option("--kernel-iters", train.kernel_iters,
                        "Multiply-adds per parameter in a layer's backward kernel (0: calibrate so a layer's backward "
                        "takes as long as its all-reduce)")
      ->check(CLI::Range(0, 1 << 20))
      ->capture_default_str();
  train_cmd->add_option("--trace", train.trace_path,
                        "Write the profiler's Chrome trace of the timed steps here (and an HTML report beside it); "
                        "under mpirun, rank 0's");

  BenchOptions bench;
  CLI::App* bench_cmd = app.add_subcommand("bench", "Run a benchmark suite");
  bench_cmd->require_subcommand(1);
  std::vector<CLI::App*> suite_cmds;
  for (const BenchSuite& suite : bench_suites()) {
    CLI::App* cmd = bench_cmd->add_subcommand(std::string(suite.name), std::string(suite.summary));
    add_bench_options(*cmd, suite, bench);
    suite_cmds.push_back(cmd);
  }

  OpOptions op;
  OpArgs op_args;
  CLI::App* op_cmd = app.add_subcommand(
      "op", "Run an operator (reduction, softmax, normalization) on .npy files and write the result as .npy");
  add_op_options(*op_cmd, op, op_args);

  ReportOptions report;
  CLI::App* report_cmd = app.add_subcommand(
      "report", "Metrics of a profiler trace (VNPU_PROFILE=trace.json): a per-op table, JSON or an HTML report");
  report_cmd->add_option("trace", report.trace, "The Chrome trace file written by the profiler")->required();
  report_cmd->add_option("-o,--output", report.output,
                         "Write a self-contained HTML report (timeline, op table, summary) to this file");
  report_cmd->add_flag("--json", report.json, "Print the metrics as one JSON object on stdout");
  report_cmd->add_option("--peak-gbps", report.peak_gbps,
                         "Peak memory bandwidth for '% of peak' (default: the figure vnpu info measured and cached)")
      ->check(CLI::Range(0.0, 1e6));

  CheckOptions check_opts;
  CLI::App* check_cmd = app.add_subcommand(
      "check", "Run a program in checked mode: report its races and ordering mistakes (vnpu check -- PROGRAM ARGS...)");
  check_cmd->add_flag("--json", check_opts.json, "Print the report as one JSON object on stdout");
  check_cmd->add_option("command", check_opts.command, "The program to run and its arguments")->required();
  check_cmd->prefix_command(false);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  add_op_results(op_args, op);

  try {
    return dispatch(*info_cmd, info, *demo_cmd, demo, *train_cmd, train, suite_cmds, bench, *op_cmd, op, *report_cmd,
                    report, *check_cmd, check_opts);
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
