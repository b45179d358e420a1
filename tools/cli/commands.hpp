// tools/cli/commands.hpp — the `vnpu` subcommands: their options and entry points.
//
// main.cpp parses the command line into these option structs and calls one run_*
// function. Each returns the process exit code; failures of vnpu calls surface as
// vnpu::Error, failures of the tool itself as CliError (both caught in main).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace vnpu::cli {

struct InfoOptions {
  bool json = false;
  bool measure_bandwidth = false;  ///< measure the peak bandwidth even if it is cached
};
/// `vnpu info`: the machine as vnpu sees it, its peak memory bandwidth (measured once,
/// then cached) and the default device's configuration.
int run_info(const InfoOptions& options);

struct DemoOptions {
  bool json = false;
  int batches = 32;        ///< batches in the pipeline
  double batch_mib = 4.0;  ///< input bytes per batch, in MiB (the output is as large)
  int reps = 5;            ///< timed repetitions of each measurement (medians are reported)
  int streams = 2;         ///< streams of the asynchronous pipeline (2 = double buffering)
  int kernel_iters = 0;    ///< multiply-adds per element; 0 calibrates against the copies
  double compute_ratio = 3.0;  ///< calibration target: one batch's compute time / its copy time
  bool verbose = false;    ///< print every repetition's figures on stderr
  bool strict = false;     ///< exit with kExitBarsMissed when a performance bar is missed
  bool profile = true;     ///< record the run with the profiler and write a trace and a report
  std::string trace_path = "vnpu-demo.trace.json";  ///< the Chrome trace (VNPU_PROFILE, if set, wins)
  std::string report_path;  ///< the HTML report; empty: the trace's path with .html for .json
};
/// `vnpu demo`: copies and compute run on separate engines, so a pipelined copy+compute
/// workload costs max(copy, compute) instead of copy + compute.
int run_demo(const DemoOptions& options);

struct TrainOptions {
  bool json = false;
  int layers = 8;             ///< layers of the model, each with its own gradient all-reduce
  double params_mib = 64.0;   ///< float32 parameters of the whole model, in MiB (split evenly over the layers)
  int steps = 6;              ///< timed steps of each order (medians are reported)
  int ranks = 2;              ///< ranks as devices of this process, when not run under mpirun -np N >= 2
  int kernel_iters = 0;       ///< multiply-adds per parameter in a backward kernel; 0 calibrates
  std::string trace_path;     ///< the profiler's Chrome trace of the timed steps; empty: not recorded
};
/// `vnpu demo train`: a data-parallel training step whose per-layer gradient all-reduces
/// overlap the backward kernels of the next layers, against the serial order (all backward
/// kernels, then all all-reduces); checks that every rank ends with the same parameters,
/// bit for bit (demo_train.cpp).
int run_demo_train(const TrainOptions& options);

struct OpOptions {
  std::string name;                  ///< the op: a reduction (sum, mean, ...), softmax, log_softmax or a norm
  std::vector<std::string> inputs;   ///< .npy files to read: the input, then the op's parameters
  std::string output;                ///< .npy file to write
  /// --dtype f32|f16|bf16|i32 (i32: reductions only); empty: f32, or i32 for a reduction of integers
  std::string dtype;
  // Reductions (ops/reduce.hpp).
  std::optional<std::string> axes;   ///< --axes as given ("0,-1"; "" reduces none); unset: all axes
  bool keep_dims = false;            ///< keep reduced axes as size 1
  std::optional<double> correction;  ///< var/std divisor n - correction; unset: the operator's default, 1
  bool select_last_index = false;    ///< argmax/argmin: ties give the last index
  // softmax, log_softmax (ops/softmax.hpp).
  std::optional<std::string> axis;   ///< --axis as given
  // Normalizations (ops/norm.hpp), each as given.
  std::optional<std::string> normalized_ndim;  ///< layer_norm, rms_norm: trailing axes per group
  std::optional<std::string> eps;              ///< every norm
  std::optional<std::string> groups;           ///< group_norm
  bool training = false;                       ///< batch_norm: normalize with the batch's own statistics
  std::optional<std::string> save_mean;        ///< batch_norm --training: file for the batch mean
  std::optional<std::string> save_var;         ///< batch_norm --training: file for the biased batch variance
  std::optional<std::string> mean_out;         ///< layer_norm: file for the per-row mean (--mean)
  std::optional<std::string> rstd_out;         ///< layer_norm: file for the per-row rstd (--rstd)
};
// Exit codes of `vnpu op` for file problems (the sysexits.h values). Bad op names, axes,
// options, shapes and dtypes exit with the vnpu Status value instead (kInvalidArgument,
// kInvalidShape, kInvalidDtype), like any vnpu failure.
inline constexpr int kExitBadInputFile = 65;       ///< EX_DATAERR: not a readable .npy file
inline constexpr int kExitCannotOpenInput = 66;    ///< EX_NOINPUT: the input cannot be opened or read
inline constexpr int kExitCannotWriteOutput = 73;  ///< EX_CANTCREAT: the output cannot be written
/// `vnpu op`: one operator from .npy files to a .npy file (see op.cpp).
int run_op(const OpOptions& options);

struct ReportOptions {
  std::string trace;         ///< the Chrome trace to read (VNPU_PROFILE or profiler::write_chrome_trace)
  std::string output;        ///< -o: the HTML report to write; empty prints the per-op table
  bool json = false;         ///< print the metrics as JSON on stdout
  double peak_gbps = -1.0;   ///< peak bandwidth for "% of peak"; < 0: the cached measurement (vnpu info)
};
/// `vnpu report`: metrics of a profiler trace as a table, JSON or an HTML report (report.cpp).
int run_report(const ReportOptions& options);

struct CheckOptions {
  std::vector<std::string> command;  ///< the program and its arguments
  bool json = false;                 ///< print the report as JSON on stdout
};
/// `vnpu check -- PROGRAM ARGS...`: runs the program in checked mode (VNPU_CHECK=all) and
/// prints its findings; exit 0 when there are none and the program succeeded,
/// kExitFindings when there are findings, else the program's own status (check.cpp).
int run_check(const CheckOptions& options);

}  // namespace vnpu::cli
