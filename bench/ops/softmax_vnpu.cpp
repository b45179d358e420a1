// bench/ops/softmax_vnpu.cpp — vnpu itself, timed as `vnpu bench softmax` times its two
// modes: "vnpu" queues vnpu::ops::softmax on a stream and synchronizes each iteration;
// "vnpu-direct" calls the synchronous form. The device has exactly pc.threads compute
// cores; the buffers are allocated on it.
#include <cstdint>
#include <span>
#include <string>

#include "norm_peers.hpp"
#include "vnpu/ops/softmax.hpp"
#include "vnpu/vnpu.hpp"

namespace vnpu::bench {

void bench_vnpu_softmax(benchmark::State& state, const RowPeerCase& pc) {
  const Stream stream = peer_device(pc.threads).create_stream().value();
  const Tensor x(pc.x, pc.c.dtype, std::span<const std::int64_t>(pc.c.shape));
  const Tensor y(pc.y, pc.c.dtype, std::span<const std::int64_t>(pc.c.shape));
  const ops::SoftmaxOptions options{.axis = pc.c.axis};
  for (auto _ : state) {
    if (ops::softmax(stream, x, y, options) != Status::kSuccess || stream.synchronize() != Status::kSuccess) {
      return state.SkipWithError((std::string("vnpu: ") + last_error_message()).c_str());
    }
  }
  finish_rows(state, pc);
}

void bench_vnpu_softmax_direct(benchmark::State& state, const RowPeerCase& pc) {
  const Tensor x(pc.x, pc.c.dtype, std::span<const std::int64_t>(pc.c.shape));
  const Tensor y(pc.y, pc.c.dtype, std::span<const std::int64_t>(pc.c.shape));
  const ops::SoftmaxOptions options{.axis = pc.c.axis};
  for (auto _ : state) {
    if (ops::softmax(x, y, options) != Status::kSuccess)
      return state.SkipWithError((std::string("vnpu: ") + last_error_message()).c_str());
  }
  finish_rows(state, pc);
}

}  // namespace vnpu::bench
