// bench/ops/reduce_vnpu.cpp — vnpu itself, timed as `vnpu bench reduce` times it: each
// iteration calls the synchronous vnpu::ops::reduce, which runs on the input's device (the
// calling thread takes one block's share, the device's other cores the rest).
//
// The device has exactly pc.threads compute cores; the input is the buffer every peer
// reads, allocated on it.
#include <span>
#include <string>

#include "reduce_peers.hpp"
#include "vnpu/ops/reduce.hpp"
#include "vnpu/vnpu.hpp"

namespace vnpu::bench {

void bench_vnpu(benchmark::State& state, const PeerCase& pc) {
  const ReduceCase& c = pc.c;
  const Tensor src(pc.src, c.dtype, std::span<const std::int64_t>(c.shape));
  const ops::ReduceOptions options{.axes = ops::Axes(std::span<const int>(c.axes))};
  auto shape = ops::reduce_output_shape(c.op, src, options);
  if (!shape) return state.SkipWithError((std::string("vnpu: ") + last_error_message()).c_str());
  const Tensor dst(pc.dst, DType::kF32, shape->shape());  // f32 for f16/bf16 inputs too
  for (auto _ : state) {
    if (ops::reduce(c.op, src, dst, options) != Status::kSuccess) {
      return state.SkipWithError((std::string("vnpu: ") + last_error_message()).c_str());
    }
  }
  finish(state, pc);
}

}  // namespace vnpu::bench
