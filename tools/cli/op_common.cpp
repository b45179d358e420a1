// tools/cli/op_common.cpp — helpers shared by the families of `vnpu op` (op_common.hpp).
#include "op_common.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <utility>

#include <fmt/core.h>

#include "cli_common.hpp"
#include "op_convert.hpp"
#include "vnpu/memory.hpp"
#include "vnpu/vnpu.hpp"

namespace vnpu::cli {

namespace {

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

}  // namespace

void fail(Status s, const std::string& message) {
  throw Error(s, std::string(status_name(s)) + ": " + message);
}

// Parses all of `text` (spaces around it and a leading '+' allowed) as a T.
template <class T>
T parse_number(const char* option, const std::string& text, const char* expected) {
  const std::string_view item = trimmed(text);
  const char* first = item.data();
  const char* last = item.data() + item.size();
  if (!item.empty() && *first == '+') ++first;
  T value{};
  const auto [end, ec] = std::from_chars(first, last, value);
  if (item.empty() || ec != std::errc{} || end != last) {
    fail(Status::kInvalidArgument, fmt::format("{} '{}': expected {}", option, text, expected));
  }
  return value;
}

int parse_int_option(const char* option, const std::string& text) {
  return parse_number<int>(option, text, "an integer");
}

double parse_double_option(const char* option, const std::string& text) {
  return parse_number<double>(option, text, "a number");
}

DType parse_float_dtype(const std::string& op, const std::string& text) {
  if (text.empty()) return DType::kF32;
  const std::optional<DType> t = parse_dtype(text);
  if (!t || !is_floating(*t) || *t == DType::kF64) {
    fail(Status::kInvalidDtype, fmt::format("--dtype '{}': {} computes in f32, f16 or bf16", text, op));
  }
  return *t;
}

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

DeviceBuffer shape_buffer(const Device& dev, std::span<const std::int64_t> shape, DType dtype,
                          const std::string& what) {
  const std::optional<std::uint64_t> bytes = npy::byte_size(shape, dtype_size(dtype));
  if (!bytes) {
    fail(Status::kInvalidShape, fmt::format("{} of shape {} in {} would take more than 2^63 - 1 bytes", what,
                                            npy::format_shape(shape), dtype_name(dtype)));
  }
  return DeviceBuffer(dev, static_cast<std::size_t>(*bytes));
}

DeviceArray::DeviceArray(const Device& dev, const npy::Array& a, DType dtype)
    : dtype_(dtype), shape_(a.shape), buffer_(shape_buffer(dev, a.shape, dtype, "the input")) {
  const std::vector<std::byte> host = to_compute(a, dtype);
  check(vnpu::memcpy(buffer_.get(), std::max<std::size_t>(host.size(), 1), host.data(), host.size(),
                     CopyKind::kHostToDevice));
}

Tensor DeviceArray::tensor() const noexcept {
  return Tensor(buffer_.get(), dtype_, std::span<const std::int64_t>(shape_));
}

void write_result(const std::string& path, const DeviceBuffer& result, DType out, DType compute,
                  std::span<const std::int64_t> shape) {
  std::vector<std::byte> host(result.bytes());
  check(vnpu::memcpy(host.data(), host.size(), result.get(), result.bytes(), CopyKind::kDeviceToHost));
  const FileData file = to_file(host, host.size() / dtype_size(out), out, compute);
  npy::Result<void> written = npy::write_npy_file(path, file.dtype, shape, file.bytes);
  if (!written) throw CliError(kExitCannotWriteOutput, written.error().message);
}

}  // namespace vnpu::cli
