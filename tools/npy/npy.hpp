// tools/npy/npy.hpp — reading and writing NumPy .npy files (one array per file).
//
// The format (numpy.lib.format): the magic "\x93NUMPY", a major and a minor version byte,
// the header length (little-endian u16 in version 1.0, u32 in 2.0 and 3.0), then the
// header: a Python dict literal such as
//
//     {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }
//
// padded with spaces and ended by '\n', and then the elements in C (row-major) order.
//
// Reading (read_npy, read_npy_file) accepts versions 1.0, 2.0 and 3.0 and the element
// types of NpyDtype below; one-byte types with any byte-order mark ('<', '>', '|').
// It never trusts the file: a bad magic or version, a header length past the end of the
// input or above kMaxHeaderBytes, a header that is not such a dict (unknown, missing or
// repeated keys, a shape that is not a tuple of non-negative integers, more than kMaxDims
// dimensions), an element count or byte size that overflows 64 bits, and data shorter than
// the shape needs are all errors with a message naming the problem. So are valid files
// this reader does not handle: fortran_order True, big-endian or structured dtypes, and
// other element types. Bytes after the data are ignored, as NumPy's np.load does (several
// arrays may be saved one after another into one file). Nothing throws except
// std::bad_alloc; nothing reads outside the input.
//
// Writing (encode_npy, write_npy_file) produces exactly the bytes NumPy's np.save (1.24)
// writes for a C-order array: version 1.0 (2.0 only if the header exceeded 65535 bytes,
// which no shape of at most kMaxDims dimensions does), keys in sorted order, the shape
// as Python prints a tuple ("()", "(5,)", "(3, 4)"), NumPy's 21-character growth room
// for the first dimension, then spaces and '\n' so that the data starts at a multiple of
// 64 bytes.
//
//     vnpu::npy::Result<vnpu::npy::Array> a = vnpu::npy::read_npy_file("x.npy");
//     if (!a) { std::fprintf(stderr, "%s\n", a.error().message.c_str()); return 1; }
//     const std::int64_t n = a->numel();   // a->data holds n * dtype_size(a->dtype) bytes
//     auto w = vnpu::npy::write_npy_file("y.npy", vnpu::npy::NpyDtype::kF32, {{3, 4}}, bytes);
//
// The library does not depend on the vnpu runtime; it is thread-safe (no shared state).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace vnpu::npy {

/// Largest header NumPy's own reader accepts by default (numpy.lib.format._MAX_HEADER_SIZE).
inline constexpr std::size_t kMaxHeaderBytes = 10000;
/// Most dimensions a shape may have (NumPy 2's limit; NumPy 1 allows 32).
inline constexpr std::size_t kMaxDims = 64;

/// Element types, named after NumPy's type codes. Data is always little-endian.
enum class NpyDtype : std::uint8_t {
  kF16,   ///< '<f2' IEEE binary16
  kF32,   ///< '<f4' IEEE binary32
  kF64,   ///< '<f8' IEEE binary64
  kI32,   ///< '<i4'
  kI64,   ///< '<i8'
  kU8,    ///< '|u1'
  kBool,  ///< '|b1' one byte, 0 or 1
};

/// Bytes per element.
std::size_t dtype_size(NpyDtype t) noexcept;
/// Bytes of an array of `shape` with elements of `item_size` bytes, counted as NumPy does:
/// nullopt if a dimension is negative, or if the product of the nonzero dimensions times
/// item_size overflows int64 (even when another dimension is 0 and the size is 0).
std::optional<std::uint64_t> byte_size(std::span<const std::int64_t> shape, std::size_t item_size) noexcept;
/// NumPy's descr string as np.save writes it: "<f2", "<f4", "<f8", "<i4", "<i8", "|u1", "|b1".
const char* dtype_descr(NpyDtype t) noexcept;
/// Parses a descr: the strings above, and "<u1", ">u1", "<b1", ">b1" (byte order is
/// meaningless for one byte). nullopt for anything else.
std::optional<NpyDtype> parse_descr(std::string_view descr) noexcept;

/// What went wrong, for callers that react differently (e.g. exit codes).
enum class ErrorKind : std::uint8_t {
  kIo,           ///< the file could not be opened, read or written
  kFormat,       ///< the bytes are not a well-formed .npy file
  kUnsupported,  ///< a valid .npy file this library does not handle (dtype, fortran order)
  kInvalidArgument,  ///< a bad argument to a writing function (data size, dimension)
};

struct Error {
  ErrorKind kind = ErrorKind::kFormat;
  std::string message;  ///< one line, no trailing newline
};

/// Either a T or an Error. value() on an error (or error() on a value) is a programming
/// bug: it prints the message and aborts.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  bool ok() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }

  T& value() & { return *get(); }
  const T& value() const& { return *get(); }
  T&& value() && { return std::move(*get()); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return get(); }
  const T* operator->() const { return get(); }

  const Error& error() const {
    if (ok()) misuse("error() called on a successful result");
    return std::get<1>(v_);
  }

 private:
  T* get() const {
    if (!ok()) misuse(std::get<1>(v_).message.c_str());
    return const_cast<T*>(&std::get<0>(v_));
  }
  [[noreturn]] static void misuse(const char* what) {
    std::fprintf(stderr, "vnpu::npy::Result misused: %s\n", what);
    std::abort();
  }
  std::variant<T, Error> v_;
};

/// Success or an Error.
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)) {}  // NOLINT: implicit by design
  bool ok() const noexcept { return !error_.has_value(); }
  explicit operator bool() const noexcept { return ok(); }
  const Error& error() const {
    if (ok()) {
      std::fprintf(stderr, "vnpu::npy::Result misused: error() called on a successful result\n");
      std::abort();
    }
    return *error_;
  }

 private:
  std::optional<Error> error_;
};

/// The parsed header of a .npy file.
struct Header {
  int major = 1;  ///< format version
  int minor = 0;
  NpyDtype dtype = NpyDtype::kF32;
  std::vector<std::int64_t> shape;  ///< empty for a 0-d array
  std::int64_t numel = 1;           ///< product of shape (1 for 0-d)
  std::uint64_t data_bytes = 0;     ///< numel * dtype_size
  std::size_t data_offset = 0;      ///< where the elements start in the file
};

/// An array: element type, shape and the elements' little-endian bytes in C order.
struct Array {
  NpyDtype dtype = NpyDtype::kF32;
  std::vector<std::int64_t> shape;
  std::vector<std::byte> data;
  /// Product of the dimensions (1 for a 0-d array).
  std::int64_t numel() const noexcept;
};

/// Parses the magic, version and header at the start of `file` (the data need not follow).
Result<Header> parse_header(std::span<const std::byte> file);

/// Parses a whole .npy file held in memory; the elements are copied out.
Result<Array> read_npy(std::span<const std::byte> file);
/// Reads the file at `path`: the header first, then exactly the data it announces, once
/// the file is known to hold it (bytes after the data are not read). Only a regular file
/// is read: a FIFO, a device such as /dev/zero or a directory is kIo, before anything is
/// read, so an endless stream cannot make it read forever. kIo errors name the path (and
/// the OS error, or the kind of file); kFormat and kUnsupported ones start with the path.
Result<Array> read_npy_file(const std::string& path);

/// The bytes of a .npy file holding `data` as an array of `dtype` and `shape`.
/// kInvalidArgument if a dimension is negative, the shape has more than kMaxDims
/// dimensions or overflows, or data.size() is not the shape's byte size.
Result<std::vector<std::byte>> encode_npy(NpyDtype dtype, std::span<const std::int64_t> shape,
                                          std::span<const std::byte> data);
/// encode_npy() written to `path` (created or truncated).
Result<void> write_npy_file(const std::string& path, NpyDtype dtype, std::span<const std::int64_t> shape,
                      std::span<const std::byte> data);

/// "(3, 4)", "(5,)", "()": a shape as Python prints a tuple.
std::string format_shape(std::span<const std::int64_t> shape);

}  // namespace vnpu::npy
