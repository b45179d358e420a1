// tools/npy/npy.cpp — element types, whole-file reading and writing of .npy arrays.
#include "npy.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>
#include <memory>
#include <string>

#include "npy_internal.hpp"

namespace vnpu::npy {

namespace {

constexpr NpyDtype kAllDtypes[] = {NpyDtype::kF16, NpyDtype::kF32, NpyDtype::kF64, NpyDtype::kI32,
                                   NpyDtype::kI64, NpyDtype::kU8,  NpyDtype::kBool};

Error io_error(const std::string& what, const std::string& path, int err) {
  return Error{ErrorKind::kIo, what + " '" + path + "': " + std::strerror(err)};
}

struct FileCloser {
  void operator()(std::FILE* f) const noexcept { std::fclose(f); }
};
using FilePtr = std::unique_ptr<std::FILE, FileCloser>;

}  // namespace

std::size_t dtype_size(NpyDtype t) noexcept {
  switch (t) {
    case NpyDtype::kF16: return 2;
    case NpyDtype::kF32: return 4;
    case NpyDtype::kF64: return 8;
    case NpyDtype::kI32: return 4;
    case NpyDtype::kI64: return 8;
    case NpyDtype::kU8: return 1;
    case NpyDtype::kBool: return 1;
  }
  return 0;
}

const char* dtype_descr(NpyDtype t) noexcept {
  switch (t) {
    case NpyDtype::kF16: return "<f2";
    case NpyDtype::kF32: return "<f4";
    case NpyDtype::kF64: return "<f8";
    case NpyDtype::kI32: return "<i4";
    case NpyDtype::kI64: return "<i8";
    case NpyDtype::kU8: return "|u1";
    case NpyDtype::kBool: return "|b1";
  }
  return "?";
}

std::optional<NpyDtype> parse_descr(std::string_view descr) noexcept {
  for (NpyDtype t : kAllDtypes) {
    const std::string_view canonical = dtype_descr(t);
    if (descr == canonical) return t;
    // One-byte types: the byte-order mark carries no meaning.
    if (dtype_size(t) == 1 && descr.size() == 3 && (descr[0] == '<' || descr[0] == '>') &&
        descr.substr(1) == canonical.substr(1)) {
      return t;
    }
  }
  return std::nullopt;
}

std::optional<std::uint64_t> byte_size(std::span<const std::int64_t> shape, std::size_t item_size) noexcept {
  std::int64_t nonzero = static_cast<std::int64_t>(item_size);
  bool empty = false;
  for (std::int64_t d : shape) {
    if (d < 0) return std::nullopt;
    if (d == 0) empty = true;
    else if (__builtin_mul_overflow(nonzero, d, &nonzero)) return std::nullopt;
  }
  return empty ? 0 : static_cast<std::uint64_t>(nonzero);
}

std::int64_t Array::numel() const noexcept {
  std::int64_t n = 1;
  for (std::int64_t d : shape) n *= d;
  return n;
}

namespace {

// The header of a complete file: parse_header() plus the check that the data is all there.
Result<Header> complete_header(std::span<const std::byte> file) {
  Result<Header> header = parse_header(file);
  if (!header) return header;
  const Header& h = *header;
  const std::size_t available = file.size() - h.data_offset;
  if (h.data_bytes > available) {
    return Error{ErrorKind::kFormat, "truncated data: shape " + format_shape(h.shape) + " of " +
                                         dtype_descr(h.dtype) + " needs " + std::to_string(h.data_bytes) +
                                         " bytes, " + std::to_string(available) + " follow the header"};
  }
  return header;
}

}  // namespace

Result<Array> read_npy(std::span<const std::byte> file) {
  Result<Header> header = complete_header(file);
  if (!header) return header.error();
  Array a;
  a.dtype = header->dtype;
  a.shape = std::move(header->shape);
  const auto begin = file.begin() + static_cast<std::ptrdiff_t>(header->data_offset);
  a.data.assign(begin, begin + static_cast<std::ptrdiff_t>(header->data_bytes));
  return a;
}

Result<Array> read_npy_file(const std::string& path) {
  errno = 0;
  FilePtr f(std::fopen(path.c_str(), "rb"));
  if (!f) return io_error("cannot open", path, errno);
  // Size the buffer for a regular file (one byte more, to see the end without growing);
  // pipes and other unseekable files grow it as they go.
  std::error_code ec;
  const std::uintmax_t file_size = std::filesystem::file_size(path, ec);
  std::vector<std::byte> bytes;
  if (!ec && file_size < std::numeric_limits<std::size_t>::max()) bytes.resize(static_cast<std::size_t>(file_size) + 1);
  constexpr std::size_t kChunk = std::size_t{1} << 20;
  std::size_t used = 0;
  for (;;) {  // read until a short read
    if (used == bytes.size()) bytes.resize(std::max(bytes.size() * 2, kChunk));
    const std::size_t want = bytes.size() - used;
    const std::size_t got = std::fread(bytes.data() + used, 1, want, f.get());
    used += got;
    if (got < want) {
      if (std::ferror(f.get())) return io_error("cannot read", path, errno != 0 ? errno : EIO);
      break;
    }
  }
  bytes.resize(used);
  Result<Header> header = complete_header(bytes);
  if (!header) return Error{header.error().kind, path + ": " + header.error().message};
  // The file's buffer becomes the array's: drop the header and anything after the data.
  Array a;
  a.dtype = header->dtype;
  a.shape = std::move(header->shape);
  bytes.erase(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(header->data_offset));
  bytes.resize(static_cast<std::size_t>(header->data_bytes));
  a.data = std::move(bytes);
  return a;
}

Result<std::vector<std::byte>> encode_npy(NpyDtype dtype, std::span<const std::int64_t> shape,
                                          std::span<const std::byte> data) {
  auto invalid = [](std::string message) { return Error{ErrorKind::kInvalidArgument, std::move(message)}; };
  if (dtype_size(dtype) == 0) return invalid("unknown element type");
  if (shape.size() > kMaxDims) return invalid("shape has more than " + std::to_string(kMaxDims) + " dimensions");
  if (std::any_of(shape.begin(), shape.end(), [](std::int64_t d) { return d < 0; }))
    return invalid("negative dimension in shape " + format_shape(shape));
  const std::optional<std::uint64_t> size = byte_size(shape, dtype_size(dtype));
  if (!size) return invalid("shape " + format_shape(shape) + " overflows 64 bits");
  const std::uint64_t bytes = *size;
  if (data.size() != bytes) {
    return invalid("shape " + format_shape(shape) + " of " + dtype_descr(dtype) + " holds " + std::to_string(bytes) +
                   " bytes, the data has " + std::to_string(data.size()));
  }
  std::vector<std::byte> out = encode_header(dtype, shape);
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

Result<void> write_npy_file(const std::string& path, NpyDtype dtype, std::span<const std::int64_t> shape,
                            std::span<const std::byte> data) {
  Result<std::vector<std::byte>> bytes = encode_npy(dtype, shape, data);
  if (!bytes) return bytes.error();
  errno = 0;
  FilePtr f(std::fopen(path.c_str(), "wb"));
  if (!f) return io_error("cannot create", path, errno);
  const std::size_t put = std::fwrite(bytes->data(), 1, bytes->size(), f.get());
  if (put != bytes->size()) return io_error("cannot write", path, errno != 0 ? errno : EIO);
  if (std::fclose(f.release()) != 0) return io_error("cannot write", path, errno != 0 ? errno : EIO);
  return {};
}

}  // namespace vnpu::npy
