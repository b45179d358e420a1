// tools/cli/bench_rows.hpp — what `vnpu bench softmax` and `vnpu bench norm` share: the
// read and copy bandwidth of the run, f32 tensors staged on the device, the timing and
// the records.
//
// Both suites time ops that read a tensor once and write one as large, so a record's GB/s
// count 2 x the tensor's bytes, and its pct_copy_bw compares them with the copy bandwidth
// measured in the same run (memcpy moves data the same way); pct_peak_bw compares them
// with the read bandwidth, as the reduction suite does.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "bandwidth.hpp"
#include "bench.hpp"
#include "device_buffer.hpp"
#include "row_cases.hpp"
#include "vnpu/device.hpp"
#include "vnpu/stream.hpp"
#include "vnpu/tensor.hpp"

namespace vnpu::cli {

struct OpBandwidths {
  Bandwidth read;
  Bandwidth copy;
};

/// The read and copy bandwidth (call it before the device's workers exist, so nothing
/// competes for the CPUs). Fewer passes when --reps is below its default, for smoke runs.
/// `passes` > 0 overrides the count (the short samples taken before each case).
OpBandwidths measure_op_bandwidths(const BenchOptions& options, int passes = 0);

/// The "bandwidth" and "copy_bandwidth" records that open a suite.
std::vector<BenchResult> bandwidth_results(const std::string& suite, const OpBandwidths& bw);

/// One timed case of a suite: a sample is one `call` (which throws on failure); `verify`
/// checks the output once timing is done; `record` makes the record from the summary of
/// all the case's samples.
struct TimedCase {
  std::string label;
  std::function<void()> call;
  std::function<void()> verify;
  std::function<BenchResult(const Summary&)> record;
  std::vector<double> samples;
};

/// What a run of one suite works with: the bandwidths (measured first), the default
/// device with all its compute cores, a stream on it, and the records so far.
/// run_rounds() times the cases, each after a bandwidth sample; finish() then puts the
/// two bandwidth records first, with the median over every pass of the run
/// (merge_bandwidths), and sets every case's percentages against them.
struct OpSuite {
  OpSuite(std::string suite_name, const BenchOptions& o);
  /// Measures the read and copy bandwidth again (`passes` passes, the cores idle).
  void sample_bandwidth(int passes);
  /// Times `cases` in rounds (every case, then every case again; three rounds unless
  /// --reps is below its default), each case after a bandwidth pass, then verifies them and
  /// appends their records (over the samples of all rounds). The host's speed moves
  /// within a run: timed in one stretch, a case could fall in a phase that neither the
  /// other cases nor the bandwidth median share.
  void run_rounds(std::vector<TimedCase>& cases);
  /// The suite's records, bandwidth first.
  std::vector<BenchResult> finish();
  std::string name;
  BenchOptions options;
  /// Every bandwidth measurement of the run; the first is taken before `dev` exists, so
  /// that no worker competes for the CPUs.
  std::vector<OpBandwidths> bandwidths;
  std::vector<BenchResult> results;
  Device dev;
  int threads = 0;
  Stream stream;
};

/// A record of `suite` for an op that moved `bytes` per call (t.gbps is set here, the
/// percentages by OpSuite::finish).
BenchResult op_result(const std::string& suite, const std::string& name, Throughput t, std::size_t bytes,
                      const Summary& ns, int threads);

/// `n` f32 values in device memory and a host copy of what was uploaded.
class DeviceF32 {
 public:
  DeviceF32(const Device& dev, std::size_t n);
  std::vector<float>& host() noexcept { return host_; }
  const std::vector<float>& host() const noexcept { return host_; }
  /// Copies host() to the device.
  void upload();
  /// Copies `count` values from element `offset` of the device data.
  std::vector<float> download(std::size_t offset, std::size_t count) const;
  Tensor tensor(std::span<const std::int64_t> shape) const noexcept;
  /// The device data.
  const void* data() const noexcept { return dev_.get(); }

 private:
  std::vector<float> host_;
  DeviceBuffer dev_;
};

/// Checks the first and the last vector of a row case's output against float64
/// (bench::first_wrong), from the input's host copy `x` and the output `y_dev` in device
/// memory (both c.numel() elements of c.dtype); throws CliError(kExitWrongResult) naming
/// `label` otherwise.
void verify_rows(const bench::RowCase& c, const void* x, const void* y_dev, const std::string& label);
/// The same for an f32 case staged in DeviceF32 buffers.
void verify_rows(const bench::RowCase& c, const DeviceF32& x, const DeviceF32& y, const std::string& label);

/// The record of row case `c` timed in `mode` ("stream" or "direct").
BenchResult row_result(const std::string& suite, const bench::RowCase& c, const std::string& mode,
                       const Summary& ns, int threads);

}  // namespace vnpu::cli
