// tools/npy/npy.cpp — element types, whole-file reading and writing of .npy arrays.
#include "npy.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include "npy_internal.hpp"
#include "regular_file.hpp"

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

// The magic, the version and the longest header length field (versions 2.0 and 3.0).
constexpr std::size_t kMaxPreambleBytes = 12;

// Checks that the `available` bytes after the header hold the data it announces.
Result<void> check_data(const Header& h, std::uint64_t available) {
  if (h.data_bytes > available) {
    return Error{ErrorKind::kFormat, "truncated data: shape " + format_shape(h.shape) + " of " +
                                         dtype_descr(h.dtype) + " needs " + std::to_string(h.data_bytes) +
                                         " bytes, " + std::to_string(available) + " follow the header"};
  }
  return {};
}

// The header of a complete file: parse_header() plus the check that the data is all there.
Result<Header> complete_header(std::span<const std::byte> file) {
  Result<Header> header = parse_header(file);
  if (!header) return header;
  if (Result<void> data = check_data(*header, file.size() - header->data_offset); !data) return data.error();
  return header;
}

Error in_file(const std::string& path, const Error& e) { return Error{e.kind, path + ": " + e.message}; }

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
  std::string why;
  std::optional<io::RegularFile> f = io::RegularFile::open(path, &why);
  if (!f) return Error{ErrorKind::kIo, why};
  // The preamble and the header first, then exactly the data they announce once the file
  // is known to hold it: nothing is buffered on the file's word, nothing after is read.
  std::vector<std::byte> head(
      static_cast<std::size_t>(std::min<std::uint64_t>(f->size(), kMaxPreambleBytes + kMaxHeaderBytes)));
  const std::optional<std::size_t> got = f->read_at(0, head, &why);
  if (!got) return Error{ErrorKind::kIo, why};
  head.resize(*got);
  Result<Header> header = parse_header(head);
  if (!header) return in_file(path, header.error());
  Header& h = *header;
  if (Result<void> data = check_data(h, f->size() - h.data_offset); !data) return in_file(path, data.error());
  Array a;
  a.dtype = h.dtype;
  a.data.resize(static_cast<std::size_t>(h.data_bytes));
  const std::optional<std::size_t> read = f->read_at(h.data_offset, a.data, &why);
  if (!read) return Error{ErrorKind::kIo, why};
  if (Result<void> data = check_data(h, *read); !data) return in_file(path, data.error());  // it shrank meanwhile
  a.shape = std::move(h.shape);
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
