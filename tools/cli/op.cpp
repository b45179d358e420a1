// tools/cli/op.cpp — `vnpu op`: one reduction from a .npy file to a .npy file.
//
//   vnpu op NAME [--axes 0,-1] [--keep-dims] [--dtype f32|f16|bf16|i32] [--correction N]
//           INPUT.npy -o OUTPUT.npy
//
// Reads INPUT (C order; <f4 <f2 <f8 <i4 <i8 |u1 |b1), converts it to the compute dtype
// (op_convert.hpp), copies it into device memory, runs vnpu::ops::reduce synchronously
// and writes the result in NumPy's own format (tools/npy). Without --axes every axis is
// reduced (a full reduction without --keep-dims writes a 0-d array); `--axes ""` is an
// explicitly empty list, which reduces nothing and writes the element-wise part of the op
// (the input itself for sum, |x| for l1, ...), as the operator library defines it.
// Nothing is printed on success.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/core.h>

#include "cli_common.hpp"
#include "commands.hpp"
#include "npy.hpp"
#include "op_convert.hpp"
#include "vnpu/dtype.hpp"
#include "vnpu/ops/reduce.hpp"
#include "vnpu/tensor.hpp"
#include "vnpu/vnpu.hpp"

namespace vnpu::cli {

namespace {

// Throws the way vnpu::check() does, so main reports "kInvalidShape: ..." and exits with
// the Status value: the CLI's own checks of shapes, axes and dtypes share the library's codes.
[[noreturn]] void fail(Status s, const std::string& message) {
  throw Error(s, std::string(status_name(s)) + ": " + message);
}

std::string op_names() {
  std::string names;
  for (int i = 0; i <= static_cast<int>(ops::ReduceOp::kAny); ++i) {
    if (!names.empty()) names += ' ';
    names += ops::reduce_op_name(static_cast<ops::ReduceOp>(i));
  }
  return names;
}

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
    fail(Status::kInvalidDtype, fmt::format("--dtype '{}': expected f32, f16, bf16 or i32", text));
  }
  return *t;
}

// Device memory that frees itself. Allocates at least one byte: empty tensors still get a
// valid pointer.
class DeviceBuffer {
 public:
  DeviceBuffer(const Device& dev, std::size_t bytes)
      : ptr_(dev.malloc(std::max<std::size_t>(bytes, 1)).value()), bytes_(bytes) {}
  ~DeviceBuffer() { (void)vnpu::free(ptr_); }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  void* get() const noexcept { return ptr_; }
  std::size_t bytes() const noexcept { return bytes_; }

 private:
  void* ptr_;
  std::size_t bytes_;
};

npy::Array read_input(const std::string& path) {
  npy::Result<npy::Array> a = npy::read_npy_file(path);
  if (!a) {
    const int code = a.error().kind == npy::ErrorKind::kIo ? kExitCannotOpenInput : kExitBadInputFile;
    throw CliError(code, a.error().message);
  }
  if (a->shape.size() > static_cast<std::size_t>(kMaxRank)) {
    fail(Status::kInvalidShape, fmt::format("{}: the input has {} dimensions, vnpu tensors at most {}", path,
                                            a->shape.size(), kMaxRank));
  }
  return std::move(a).value();
}

}  // namespace

int run_op(const OpOptions& options) {
  const std::optional<ops::ReduceOp> op = ops::parse_reduce_op(options.name);
  if (!op) fail(Status::kInvalidArgument, fmt::format("unknown op '{}' (ops: {})", options.name, op_names()));
  const bool var_like = *op == ops::ReduceOp::kVar || *op == ops::ReduceOp::kStd;
  if (options.correction && !var_like) {
    fail(Status::kInvalidArgument, fmt::format("--correction applies to var and std only, not {}", options.name));
  }
  ops::ReduceOptions reduce_options;
  if (options.axes) reduce_options.axes = ops::Axes(std::span<const int>(parse_axes(*options.axes)));
  reduce_options.keep_dims = options.keep_dims;
  if (options.correction) reduce_options.correction = *options.correction;
  const std::optional<DType> requested =
      options.dtype.empty() ? std::nullopt : std::optional<DType>(parse_compute_dtype(options.dtype));

  const npy::Array input = read_input(options.input);
  const DType compute = requested.value_or(default_compute_dtype(input.dtype));
  const std::vector<std::byte> host_in = to_compute(input, compute);

  Device dev = Device::get(0).value();
  DeviceBuffer dev_in(dev, host_in.size());
  check(vnpu::memcpy(dev_in.get(), std::max<std::size_t>(host_in.size(), 1), host_in.data(), host_in.size(),
                     CopyKind::kHostToDevice));
  const Tensor in(dev_in.get(), compute, std::span<const std::int64_t>(input.shape));

  Expected<ops::ReduceShape> shape = ops::reduce_output_shape(*op, in, reduce_options);
  if (!shape && shape.status() == Status::kInvalidDtype && compute == DType::kI32 && !requested) {
    fail(Status::kInvalidDtype, fmt::format("{} (the integer input was read as i32; pass --dtype f32)",
                                            last_error_message()));
  }
  const ops::ReduceShape out_shape = std::move(shape).value();
  std::size_t out_count = 1;
  for (std::int64_t d : out_shape.shape()) out_count *= static_cast<std::size_t>(d);
  DeviceBuffer dev_out(dev, out_count * dtype_size(out_shape.dtype));
  const Tensor out(dev_out.get(), out_shape.dtype, out_shape.shape());
  check(ops::reduce(*op, in, out, reduce_options));

  std::vector<std::byte> host_out(dev_out.bytes());
  check(vnpu::memcpy(host_out.data(), host_out.size(), dev_out.get(), dev_out.bytes(), CopyKind::kDeviceToHost));
  const FileData file = to_file(host_out, out_count, out_shape.dtype, compute);
  const std::vector<std::int64_t> file_shape(out_shape.shape().begin(), out_shape.shape().end());
  npy::Result<void> written = npy::write_npy_file(options.output, file.dtype, file_shape, file.bytes);
  if (!written) throw CliError(kExitCannotWriteOutput, written.error().message);
  return 0;
}

}  // namespace vnpu::cli
