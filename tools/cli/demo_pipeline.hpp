// tools/cli/demo_pipeline.hpp — the batched copy -> compute -> copy pipeline of `vnpu demo`.
//
// The data set lives in pinned host memory and is processed in batches. Per batch: copy
// it to the device (H2D), run the compute kernel from one device buffer into another,
// copy the result back (D2H). The pipeline can run serialized (a synchronize after every
// step) or asynchronously over several streams, each owning its device buffers, so that
// one stream's copies run on the copy engine while another stream's kernel runs on the
// compute cores (double buffering with two streams).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "vnpu/vnpu.hpp"

namespace vnpu::cli::demo {

struct DeviceFree {
  void operator()(float* p) const noexcept { (void)vnpu::free(p); }
};
struct HostFree {
  void operator()(float* p) const noexcept { (void)vnpu::free_host(p); }
};
using DeviceBuffer = std::unique_ptr<float, DeviceFree>;
using HostBuffer = std::unique_ptr<float, HostFree>;

class Pipeline {
 public:
  /// Allocates `batches` x `batch_elems` floats of pinned input and output, and one pair of
  /// device buffers per stream. Fills the input.
  Pipeline(Device dev, std::size_t batches, std::size_t batch_elems, int streams);
  /// Waits for the device before the buffers are freed, even when leaving by an exception.
  ~Pipeline();
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  std::size_t batches() const noexcept { return batches_; }
  std::size_t batch_bytes() const noexcept { return elems_ * sizeof(float); }
  std::uint32_t block_dim() const noexcept { return block_dim_; }

  // Each timing runs the first `count` batches and returns wall milliseconds, from the
  // first submission to the end of the final synchronize.

  /// Only the copies (H2D and D2H of every batch), in one stream, synchronized at the end:
  /// the copy engine's busy time.
  double time_copies(std::size_t count);
  /// Only the kernels, in one stream, synchronized at the end: the compute cores' busy time.
  double time_compute(std::size_t count, std::uint32_t iters);
  /// The full pipeline in one stream, synchronizing after every step (nothing overlaps).
  double time_serialized(std::size_t count, std::uint32_t iters);
  /// The full pipeline with batch i on stream i % streams; everything is submitted first,
  /// then every stream is synchronized.
  double time_async(std::size_t count, std::uint32_t iters);

  /// Overwrites the host output with NaN bit patterns, so stale results cannot pass a check.
  void poison_output();
  /// Compares a few elements of every batch of the host output (after a full pipeline run)
  /// with the double-precision reference; throws CliError(kExitWrongResult) on a mismatch.
  /// Returns the number of elements checked.
  std::size_t check_output(std::uint32_t iters, const char* run_name) const;
  /// A 64-bit digest of the whole host output, to compare two runs bit for bit.
  std::uint64_t output_digest() const;

 private:
  struct Lane {
    Stream stream;
    DeviceBuffer src;
    DeviceBuffer dst;
  };

  /// Elements per block of a kernel launch.
  std::size_t block_run() const noexcept;
  void copy_in(Lane& lane, std::size_t batch);
  void compute(Lane& lane, std::uint32_t iters);
  void copy_out(Lane& lane, std::size_t batch);

  Device dev_;
  std::size_t batches_;
  std::size_t elems_;
  std::uint32_t block_dim_;
  HostBuffer host_src_;
  HostBuffer host_dst_;
  std::vector<Lane> lanes_;
};

}  // namespace vnpu::cli::demo
