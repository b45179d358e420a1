// tools/cli/commands.hpp — the `vnpu` subcommands: their options and entry points.
//
// main.cpp parses the command line into these option structs and calls one run_*
// function. Each returns the process exit code; failures of vnpu calls surface as
// vnpu::Error, failures of the tool itself as CliError (both caught in main).
#pragma once

namespace vnpu::cli {

struct InfoOptions {
  bool json = false;
};
/// `vnpu info`: the machine as vnpu sees it and the default device's configuration.
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
};
/// `vnpu demo`: copies and compute run on separate engines, so a pipelined copy+compute
/// workload costs max(copy, compute) instead of copy + compute.
int run_demo(const DemoOptions& options);

}  // namespace vnpu::cli
