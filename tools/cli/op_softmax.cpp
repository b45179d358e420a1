// tools/cli/op_softmax.cpp — `vnpu op softmax|log_softmax` (ops/softmax.hpp).
//
//   vnpu op softmax --axis A [--dtype f32|f16|bf16] X.npy -o Y.npy
//
// X of any float or integer .npy dtype is converted to the compute dtype (f32 unless
// --dtype says otherwise); Y has X's shape and holds values of the compute dtype (<f4,
// <f2, or bf16 widened to <f4).
#include <cstddef>
#include <string>

#include <fmt/core.h>

#include "op_common.hpp"
#include "vnpu/ops/softmax.hpp"
#include "vnpu/vnpu.hpp"

namespace vnpu::cli {

int run_softmax_op(const OpOptions& options) {
  if (!options.axis) {
    fail(Status::kInvalidArgument, fmt::format("{} needs --axis A (e.g. --axis -1 for the last axis)", options.name));
  }
  const ops::SoftmaxOptions softmax_options{.axis = parse_int_option("--axis", *options.axis)};
  const DType compute = parse_float_dtype(options.name, options.dtype);
  if (options.inputs.size() != 1) {
    fail(Status::kInvalidArgument,
         fmt::format("{} takes one input file, got {}", options.name, options.inputs.size()));
  }

  const npy::Array x = read_input(options.inputs.front());
  const Device dev = Device::get(0).value();
  const DeviceArray in(dev, x, compute);
  const DeviceBuffer out_buffer = shape_buffer(dev, in.shape(), compute, "the output");
  const Tensor out(out_buffer.get(), compute, std::span<const std::int64_t>(in.shape()));
  if (options.name == "softmax") {
    check(ops::softmax(in.tensor(), out, softmax_options));
  } else {
    check(ops::log_softmax(in.tensor(), out, softmax_options));
  }
  write_result(options.output, out_buffer, compute, compute, in.shape());
  return 0;
}

}  // namespace vnpu::cli
