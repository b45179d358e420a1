// tools/cli/op_common.hpp — what the families of `vnpu op` share: error reporting in
// the library's terms, option parsing, reading .npy inputs into device memory and
// writing results.
//
// op.cpp picks the family of an op name (reduction, softmax, normalization), checks that
// only the options of that family were given, and calls its run_*_op function
// (op_reduce.cpp, op_softmax.cpp, op_norm.cpp). Every failure is thrown: vnpu::Error
// carries a Status (main exits with its value), CliError one of the file exit codes of
// commands.hpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "commands.hpp"
#include "device_buffer.hpp"
#include "npy.hpp"
#include "vnpu/device.hpp"
#include "vnpu/dtype.hpp"
#include "vnpu/status.hpp"
#include "vnpu/tensor.hpp"

namespace vnpu::cli {

/// Throws the way vnpu::check() does, so main reports "kInvalidShape: ..." and exits with
/// the Status value: the CLI's own checks share the library's codes.
[[noreturn]] void fail(Status s, const std::string& message);

/// `text` as an integer option value (e.g. --axis "-1"); kInvalidArgument names `option`
/// when it is not one.
int parse_int_option(const char* option, const std::string& text);
/// `text` as a floating-point option value (e.g. --eps 1e-5); kInvalidArgument if it is not one.
double parse_double_option(const char* option, const std::string& text);

/// --dtype for the float-only families: f32, f16 or bf16 (kInvalidDtype otherwise, naming
/// `op`); empty text gives f32, whatever the input files hold.
DType parse_float_dtype(const std::string& op, const std::string& text);

/// Reads a .npy file (exit 66 when it cannot be read, 65 when it is not a valid .npy
/// file; kInvalidShape beyond vnpu's rank limit).
npy::Array read_input(const std::string& path);

/// Device memory for an array of `shape` and `dtype`: kInvalidShape, naming `what` and the
/// shape, when its byte size does not fit in 64 bits (counted as NumPy counts, so a shape
/// with a zero dimension may still be too large); kOutOfMemory when the device lacks room.
DeviceBuffer shape_buffer(const Device& dev, std::span<const std::int64_t> shape, DType dtype,
                          const std::string& what);

/// One input file in device memory, converted to the compute dtype.
class DeviceArray {
 public:
  /// Converts `a` to `dtype` (op_convert.hpp) and copies it to `dev` (shape_buffer's errors).
  DeviceArray(const Device& dev, const npy::Array& a, DType dtype);
  const std::vector<std::int64_t>& shape() const noexcept { return shape_; }
  /// A dense tensor over the data.
  Tensor tensor() const noexcept;

 private:
  DType dtype_;
  std::vector<std::int64_t> shape_;
  DeviceBuffer buffer_;
};

/// Copies a result of dtype `out` (all of `result`, from shape_buffer) from device memory
/// and writes it to `path` with `shape` (values of the compute dtype, see op_convert.hpp's
/// to_file). Exit 73 when the file cannot be written.
void write_result(const std::string& path, const DeviceBuffer& result, DType out, DType compute,
                  std::span<const std::int64_t> shape);

// The families (one file each).
int run_reduce_op(const OpOptions& options);
int run_softmax_op(const OpOptions& options);
int run_norm_op(const OpOptions& options);

}  // namespace vnpu::cli
