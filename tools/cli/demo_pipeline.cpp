// tools/cli/demo_pipeline.cpp — the batched copy -> compute -> copy pipeline of `vnpu demo`.
#include "demo_pipeline.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <utility>

#include <fmt/core.h>

#include "cli_common.hpp"
#include "demo_kernel.hpp"
#include "digest.hpp"

namespace vnpu::cli::demo {

namespace {

// Throws on failure; the test is inline so the hot submission loops pay no call for it.
inline void ok(Status s) {
  if (s != Status::kSuccess) check(s);
}

DeviceBuffer device_alloc(const Device& dev, std::size_t bytes) {
  return DeviceBuffer(static_cast<float*>(dev.malloc(bytes).value()));
}
HostBuffer host_alloc(const Device& dev, std::size_t bytes) {
  return HostBuffer(static_cast<float*>(dev.malloc_host(bytes).value()));
}

}  // namespace

Pipeline::Pipeline(Device dev, std::size_t batches, std::size_t batch_elems, int streams)
    : dev_(std::move(dev)), batches_(batches), elems_(batch_elems) {
  block_dim_ = static_cast<std::uint32_t>(std::max(1, dev_.info().compute_cores));
  const std::size_t total_bytes = batches_ * batch_bytes();
  host_src_ = host_alloc(dev_, total_bytes);
  host_dst_ = host_alloc(dev_, total_bytes);
  for (int i = 0; i < streams; ++i) {
    lanes_.push_back(Lane{dev_.create_stream().value(), device_alloc(dev_, batch_bytes()),
                          device_alloc(dev_, batch_bytes())});
  }
  float* src = host_src_.get();
  for (std::size_t i = 0; i < batches_ * elems_; ++i) src[i] = demo_input(i);
  poison_output();  // also touches every output page before anything is timed
}

Pipeline::~Pipeline() { (void)dev_.synchronize(); }

std::size_t Pipeline::block_run() const noexcept {
  // Each block takes an equal run of whole kLanes groups, so only the last block has a
  // scalar tail and no two blocks share a cache line of the output.
  const std::size_t groups = (elems_ + kLanes - 1) / kLanes;
  return (groups + block_dim_ - 1) / block_dim_ * kLanes;
}

void Pipeline::copy_in(Lane& lane, std::size_t batch) {
  ok(lane.stream.memcpy_async(lane.src.get(), batch_bytes(), host_src_.get() + batch * elems_, batch_bytes(),
                              CopyKind::kHostToDevice));
}

void Pipeline::copy_out(Lane& lane, std::size_t batch) {
  ok(lane.stream.memcpy_async(host_dst_.get() + batch * elems_, batch_bytes(), lane.dst.get(), batch_bytes(),
                              CopyKind::kDeviceToHost));
}

void Pipeline::compute(Lane& lane, std::uint32_t iters) {
  const float* src = lane.src.get();
  float* dst = lane.dst.get();
  const std::size_t n = elems_;
  const std::size_t per_block = block_run();
  ok(lane.stream.launch("demo_affine_chain", block_dim_,
                        [src, dst, n, per_block, iters](const KernelContext& ctx) {
                          const std::size_t begin = std::min(n, ctx.block_idx() * per_block);
                          const std::size_t end = std::min(n, begin + per_block);
                          affine_chain(src + begin, dst + begin, end - begin, iters);
                        }));
}

double Pipeline::time_copies(std::size_t count) {
  Lane& lane = lanes_.front();
  const auto t0 = Clock::now();
  for (std::size_t b = 0; b < count; ++b) {
    copy_in(lane, b);
    copy_out(lane, b);
  }
  ok(lane.stream.synchronize());
  return ms_between(t0, Clock::now());
}

double Pipeline::time_compute(std::size_t count, std::uint32_t iters) {
  Lane& lane = lanes_.front();
  const auto t0 = Clock::now();
  for (std::size_t b = 0; b < count; ++b) compute(lane, iters);
  ok(lane.stream.synchronize());
  return ms_between(t0, Clock::now());
}

double Pipeline::time_serialized(std::size_t count, std::uint32_t iters) {
  Lane& lane = lanes_.front();
  const auto t0 = Clock::now();
  for (std::size_t b = 0; b < count; ++b) {
    copy_in(lane, b);
    ok(lane.stream.synchronize());
    compute(lane, iters);
    ok(lane.stream.synchronize());
    copy_out(lane, b);
    ok(lane.stream.synchronize());
  }
  return ms_between(t0, Clock::now());
}

double Pipeline::time_async(std::size_t count, std::uint32_t iters) {
  const auto t0 = Clock::now();
  // In-order streams make the reuse of a stream's buffers safe: batch b + streams copies
  // into `src` only after batch b's kernel, and computes into `dst` only after batch b's
  // result was copied out.
  for (std::size_t b = 0; b < count; ++b) {
    Lane& lane = lanes_[b % lanes_.size()];
    copy_in(lane, b);
    compute(lane, iters);
    copy_out(lane, b);
  }
  for (Lane& lane : lanes_) ok(lane.stream.synchronize());
  return ms_between(t0, Clock::now());
}

void Pipeline::poison_output() { std::memset(host_dst_.get(), 0xff, batches_ * batch_bytes()); }

std::size_t Pipeline::check_output(std::uint32_t iters, const char* run_name) const {
  const double tolerance = affine_chain_tolerance(iters);
  // Per batch: both ends, the middle, both sides of every boundary between blocks and a
  // few hashed positions.
  std::vector<std::size_t> offsets = {0, 1, elems_ / 2, elems_ - 1};
  for (std::size_t edge = block_run(); edge < elems_; edge += block_run()) {
    offsets.push_back(edge - 1);
    offsets.push_back(edge);
  }
  for (std::size_t k = 1; k <= 4; ++k) offsets.push_back((k * 2654435761u) % elems_);
  std::size_t checked = 0;
  const float* dst = host_dst_.get();
  for (std::size_t b = 0; b < batches_; ++b) {
    for (std::size_t off : offsets) {
      const std::size_t i = b * elems_ + off;
      const double want = affine_chain_reference(demo_input(i), iters);
      const double got = dst[i];
      // NaN compares false, so the poison pattern fails this test.
      if (!(std::fabs(got - want) <= tolerance * (std::fabs(want) + 1.0))) {
        throw CliError(kExitWrongResult, fmt::format("{} run: wrong result in batch {} element {}: got {}, "
                                                     "expected {} (tolerance {:.2g})",
                                                     run_name, b, off, got, want, tolerance));
      }
      ++checked;
    }
  }
  return checked;
}

std::uint64_t Pipeline::output_digest() const {
  return digest_bytes(host_dst_.get(), batches_ * batch_bytes());
}

}  // namespace vnpu::cli::demo
