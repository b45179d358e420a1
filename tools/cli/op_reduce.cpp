// tools/cli/op_reduce.cpp — `vnpu op` for the reductions (ops/reduce.hpp).
//
//   vnpu op NAME [--axes 0,-1] [--keep-dims] [--dtype f32|f16|bf16|f64|i32] [--correction N]
//           [--select-last-index] INPUT.npy -o OUTPUT.npy
//
// Reads INPUT (C order; <f4 <f2 <f8 <i4 <i8 |u1 |b1), converts it to the compute dtype
// (op_convert.hpp; an <f8 input computes in f64 unless --dtype says otherwise), copies it into device memory, runs vnpu::ops::reduce synchronously
// and writes the result in NumPy's own format (tools/npy). Without --axes every axis is
// reduced (a full reduction without --keep-dims writes a 0-d array); `--axes ""` is an
// explicitly empty list, which reduces nothing and writes the element-wise part of the op
// (the input itself for sum, |x| for l1, ...), as the operator library defines it.
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/core.h>

#include "op_common.hpp"
#include "op_convert.hpp"
#include "vnpu/ops/reduce.hpp"
#include "vnpu/vnpu.hpp"

namespace vnpu::cli {

namespace {

// "0,-1" -> {0, -1}; "" -> {} (explicitly no axes). Range and repetition are the
// operator's checks (reduce_output_shape), so their messages match the library's.
std::vector<int> parse_axes(std::string_view text) {
  std::vector<int> axes;
  auto trim = [](std::string_view s) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    return s;
  };
  if (trim(text).empty()) return axes;
  for (std::size_t start = 0;;) {
    const std::size_t comma = text.find(',', start);
    const std::string_view item =
        trim(text.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
    int axis = 0;
    const char* first = item.data();
    const char* last = item.data() + item.size();
    if (!item.empty() && *first == '+') ++first;
    const auto [end, ec] = std::from_chars(first, last, axis);
    if (item.empty() || ec == std::errc::invalid_argument || end != last) {
      fail(Status::kInvalidArgument, fmt::format("--axes '{}': '{}' is not an integer axis", text, item));
    }
    if (ec == std::errc::result_out_of_range) {
      fail(Status::kInvalidShape, fmt::format("--axes '{}': axis {} is out of range", text, item));
    }
    axes.push_back(axis);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return axes;
}

DType parse_compute_dtype(const std::string& text) {
  const std::optional<DType> t = parse_dtype(text);
  if (!t || !(is_floating(*t) || *t == DType::kI32)) {
    fail(Status::kInvalidDtype, fmt::format("--dtype '{}': expected f32, f16, bf16, f64 or i32", text));
  }
  return *t;
}

}  // namespace

int run_reduce_op(const OpOptions& options) {
  const ops::ReduceOp op = ops::parse_reduce_op(options.name).value();
  const bool var_like = op == ops::ReduceOp::kVar || op == ops::ReduceOp::kStd;
  if (options.correction && !var_like) {
    fail(Status::kInvalidArgument, fmt::format("--correction applies to var and std only, not {}", options.name));
  }
  const bool arg_op = op == ops::ReduceOp::kArgMax || op == ops::ReduceOp::kArgMin;
  if (options.select_last_index && !arg_op) {
    fail(Status::kInvalidArgument,
         fmt::format("--select-last-index applies to argmax and argmin only, not {}", options.name));
  }
  if (options.inputs.size() != 1) {
    fail(Status::kInvalidArgument,
         fmt::format("{} takes one input file, got {}", options.name, options.inputs.size()));
  }
  ops::ReduceOptions reduce_options;
  if (options.axes) reduce_options.axes = ops::Axes(std::span<const int>(parse_axes(*options.axes)));
  reduce_options.keep_dims = options.keep_dims;
  if (options.correction) reduce_options.correction = *options.correction;
  reduce_options.select_last_index = options.select_last_index;
  const std::optional<DType> requested =
      options.dtype.empty() ? std::nullopt : std::optional<DType>(parse_compute_dtype(options.dtype));

  const npy::Array input = read_input(options.inputs.front());
  const DType compute =
      requested.value_or(input.dtype == npy::NpyDtype::kF64 ? DType::kF64 : default_compute_dtype(input.dtype));
  Device dev = Device::get(0).value();
  const DeviceArray in_array(dev, input, compute);
  const Tensor in = in_array.tensor();

  Expected<ops::ReduceShape> shape = ops::reduce_output_shape(op, in, reduce_options);
  if (!shape && shape.status() == Status::kInvalidDtype && compute == DType::kI32 && !requested) {
    fail(Status::kInvalidDtype, fmt::format("{} (the integer input was read as i32; pass --dtype f32)",
                                            last_error_message()));
  }
  const ops::ReduceShape out_shape = std::move(shape).value();
  const DeviceBuffer dev_out = shape_buffer(dev, out_shape.shape(), out_shape.dtype, "the output");
  const Tensor out(dev_out.get(), out_shape.dtype, out_shape.shape());
  check(ops::reduce(op, in, out, reduce_options));
  write_result(options.output, dev_out, out_shape.dtype, compute, out_shape.shape());
  return 0;
}

}  // namespace vnpu::cli
