// tests/npy/test_npy.cpp — the .npy reader and writer (tools/npy): NumPy's exact bytes,
// round trips for every element type, the header variants NumPy accepts, and one test per
// kind of malformed file (each must give an error of the right kind, never a crash).
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include <sys/stat.h>
#include <unistd.h>

#include "npy.hpp"

namespace vnpu::npy {
namespace {

std::vector<std::byte> bytes_of(std::string_view s) {
  std::vector<std::byte> out;
  for (char c : s) out.push_back(static_cast<std::byte>(c));
  return out;
}

// A file with the given header text (taken as is, no padding) and data.
std::vector<std::byte> make_file(std::string_view dict, std::string_view data = {}, int major = 1) {
  std::string s = "\x93NUMPY";
  s += static_cast<char>(major);
  s += '\0';
  const std::size_t len_bytes = major == 1 ? 2 : 4;
  for (std::size_t i = 0; i < len_bytes; ++i) s += static_cast<char>((dict.size() >> (8 * i)) & 0xFF);
  s += dict;
  s += data;
  return bytes_of(s);
}

// np.save(f, np.arange(12, dtype='<f4').reshape(3, 4)) with NumPy 1.24.
const std::string kNumpy3x4 = std::string("\x93NUMPY\x01\x00v\x00", 10) +
                              "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }" + std::string(58, ' ') +
                              "\n";

::testing::AssertionResult fails_with(const Result<Array>& r, ErrorKind kind, std::string_view needle) {
  if (r.ok()) return ::testing::AssertionFailure() << "read succeeded";
  if (r.error().kind != kind) {
    return ::testing::AssertionFailure() << "kind " << static_cast<int>(r.error().kind) << ": " << r.error().message;
  }
  if (r.error().message.find(needle) == std::string::npos) {
    return ::testing::AssertionFailure() << "message '" << r.error().message << "' lacks '" << needle << "'";
  }
  if (r.error().message.find('\n') != std::string::npos) {
    return ::testing::AssertionFailure() << "message has a newline: " << r.error().message;
  }
  return ::testing::AssertionSuccess();
}

Result<Array> read(std::string_view dict, std::string_view data = {}, int major = 1) {
  return read_npy(make_file(dict, data, major));
}

// A file in the temporary directory holding `bytes`; its path (empty on failure).
std::string temp_file(const std::string& stem, std::span<const std::byte> bytes) {
  const std::string path =
      (std::filesystem::temp_directory_path() / (stem + "_" + std::to_string(::getpid()) + ".npy")).string();
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return {};
  const bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
  return std::fclose(f) == 0 && ok ? path : std::string();
}

TEST(NpyWrite, MatchesNumpyBytes) {
  std::vector<float> values(12);
  for (int i = 0; i < 12; ++i) values[i] = static_cast<float>(i);
  const std::vector<std::int64_t> shape = {3, 4};
  auto file = encode_npy(NpyDtype::kF32, shape, std::as_bytes(std::span(values)));
  ASSERT_TRUE(file.ok()) << file.error().message;
  ASSERT_EQ(file->size(), 128u + 48u);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(file->data()), 128), kNumpy3x4);
  EXPECT_EQ(std::memcmp(file->data() + 128, values.data(), 48), 0);
}

TEST(NpyWrite, ZeroDimAndOneDimHeaders) {
  const float x = 2.5f;
  auto scalar = encode_npy(NpyDtype::kF32, {}, std::as_bytes(std::span(&x, 1)));
  ASSERT_TRUE(scalar.ok());
  const std::string h0(reinterpret_cast<const char*>(scalar->data()), 128);
  EXPECT_EQ(h0.substr(10, 63), "{'descr': '<f4', 'fortran_order': False, 'shape': (), }" + std::string(8, ' '));
  EXPECT_EQ(scalar->size(), 132u);

  const std::uint8_t flags[3] = {1, 0, 1};
  const std::int64_t n = 3;
  auto vec = encode_npy(NpyDtype::kBool, std::span(&n, 1), std::as_bytes(std::span(flags)));
  ASSERT_TRUE(vec.ok());
  const std::string h1(reinterpret_cast<const char*>(vec->data()), 128);
  EXPECT_NE(h1.find("{'descr': '|b1', 'fortran_order': False, 'shape': (3,), }"), std::string::npos);
  EXPECT_EQ(h1.back(), '\n');
}

TEST(NpyWrite, DataAlwaysStartsAtMultipleOf64) {
  for (std::int64_t first : {1LL, 12LL, 123456LL, 1234567890123LL}) {
    for (std::size_t rank = 1; rank <= 12; ++rank) {
      std::vector<std::int64_t> shape(rank, 1);
      shape[0] = first;
      shape.push_back(0);  // no data: only the header matters here
      auto file = encode_npy(NpyDtype::kI64, shape, {});
      ASSERT_TRUE(file.ok()) << file.error().message;
      EXPECT_EQ(file->size() % 64, 0u);
      EXPECT_EQ(static_cast<char>((*file)[file->size() - 1]), '\n');
      auto header = parse_header(*file);
      ASSERT_TRUE(header.ok()) << header.error().message;
      EXPECT_EQ(header->shape, shape);
      EXPECT_EQ(header->data_offset, file->size());
    }
  }
}

TEST(NpyWrite, RejectsBadArguments) {
  const std::vector<std::int64_t> negative = {2, -1};
  EXPECT_EQ(encode_npy(NpyDtype::kF32, negative, {}).error().kind, ErrorKind::kInvalidArgument);
  const std::vector<std::int64_t> shape = {2, 2};
  const float four[4] = {};
  EXPECT_TRUE(encode_npy(NpyDtype::kF32, shape, std::as_bytes(std::span(four))).ok());
  auto wrong = encode_npy(NpyDtype::kF32, shape, std::as_bytes(std::span(four, 3)));
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.error().message.find("holds 16 bytes, the data has 12"), std::string::npos);
  const std::vector<std::int64_t> huge = {1LL << 40, 1LL << 40};
  EXPECT_EQ(encode_npy(NpyDtype::kF32, huge, {}).error().kind, ErrorKind::kInvalidArgument);
}

template <class T>
void round_trip(NpyDtype dtype, std::vector<T> values, std::vector<std::int64_t> shape) {
  auto file = encode_npy(dtype, shape, std::as_bytes(std::span(values)));
  ASSERT_TRUE(file.ok()) << file.error().message;
  auto a = read_npy(*file);
  ASSERT_TRUE(a.ok()) << a.error().message;
  EXPECT_EQ(a->dtype, dtype);
  EXPECT_EQ(a->shape, shape);
  ASSERT_EQ(a->data.size(), values.size() * sizeof(T));
  EXPECT_EQ(a->numel(), static_cast<std::int64_t>(values.size()));
  if (!values.empty()) {
    EXPECT_EQ(std::memcmp(a->data.data(), values.data(), a->data.size()), 0);
  }
}

TEST(NpyRoundTrip, EveryDtype) {
  round_trip<std::uint16_t>(NpyDtype::kF16, {0x3C00, 0x7C00, 0xFC00, 0x7E00}, {2, 2});
  round_trip<float>(NpyDtype::kF32, {1.5f, -0.0f, 3e38f}, {3});
  round_trip<double>(NpyDtype::kF64, {1e300, -2.0}, {1, 2});
  round_trip<std::int32_t>(NpyDtype::kI32, {-7, 1 << 30, 0, 5, 6, 7}, {2, 1, 3});
  round_trip<std::int64_t>(NpyDtype::kI64, {INT64_MIN, INT64_MAX}, {2});
  round_trip<std::uint8_t>(NpyDtype::kU8, {0, 255, 7}, {3, 1});
  round_trip<std::uint8_t>(NpyDtype::kBool, {1, 0}, {2});
  round_trip<float>(NpyDtype::kF32, {42.0f}, {});           // 0-d
  round_trip<float>(NpyDtype::kF32, {}, {0});               // empty
  round_trip<float>(NpyDtype::kF32, {}, {4, 0, 1000000});   // empty, large other dims
}

TEST(NpyRoundTrip, Files) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path();
  const std::string path = (dir / ("vnpu_npy_test_" + std::to_string(::getpid()) + ".npy")).string();
  const std::vector<std::int64_t> shape = {2, 3};
  const std::int32_t values[6] = {1, 2, 3, 4, 5, 6};
  auto w = write_npy_file(path, NpyDtype::kI32, shape, std::as_bytes(std::span(values)));
  ASSERT_TRUE(w.ok()) << w.error().message;
  auto a = read_npy_file(path);
  std::filesystem::remove(path);
  ASSERT_TRUE(a.ok()) << a.error().message;
  EXPECT_EQ(a->shape, shape);
  EXPECT_EQ(std::memcmp(a->data.data(), values, sizeof values), 0);
}

TEST(NpyRoundTrip, FileWithTrailingBytes) {
  const std::string path = temp_file("vnpu_npy_tail", bytes_of(kNumpy3x4 + std::string(48, '\x01') + "trailing bytes"));
  ASSERT_FALSE(path.empty());
  auto a = read_npy_file(path);
  std::filesystem::remove(path);
  ASSERT_TRUE(a.ok()) << a.error().message;
  EXPECT_EQ(a->data, std::vector<std::byte>(48, std::byte{1}));
}

TEST(NpyRead, NumpyFile) {
  std::string file = kNumpy3x4;
  for (int i = 0; i < 12; ++i) {
    const float v = static_cast<float>(i);
    file.append(reinterpret_cast<const char*>(&v), 4);
  }
  auto a = read_npy(bytes_of(file));
  ASSERT_TRUE(a.ok()) << a.error().message;
  EXPECT_EQ(a->dtype, NpyDtype::kF32);
  EXPECT_EQ(a->shape, (std::vector<std::int64_t>{3, 4}));
  float last = 0;
  std::memcpy(&last, a->data.data() + 44, 4);
  EXPECT_EQ(last, 11.0f);
}

TEST(NpyRead, HeaderVariantsPythonAccepts) {
  const std::string four(4, '\0');
  // Key order, quotes, whitespace, no trailing comma, no newline.
  for (const char* dict : {
           "{'shape': (1,), 'fortran_order': False, 'descr': '<i4'}",
           "{\"descr\": \"<i4\", \"fortran_order\": False, \"shape\": (1,)}",
           "{ 'descr' :'<i4' ,\n 'fortran_order':False,'shape':( 1 , ) ,}   \n",
           "\t{'descr': '<i4', 'fortran_order': False, 'shape': (1L,), }\n",  // Python 2's long
       }) {
    auto a = read(dict, four);
    ASSERT_TRUE(a.ok()) << dict << ": " << a.error().message;
    EXPECT_EQ(a->shape, std::vector<std::int64_t>{1});
  }
  auto two_d = read("{'descr': '<i4', 'fortran_order': False, 'shape': (1, 1,), }", four);
  ASSERT_TRUE(two_d.ok());
  EXPECT_EQ(two_d->shape, (std::vector<std::int64_t>{1, 1}));
}

TEST(NpyRead, Versions2And3) {
  for (int major : {2, 3}) {
    auto a = read("{'descr': '<f8', 'fortran_order': False, 'shape': (), }", std::string(8, '\0'), major);
    ASSERT_TRUE(a.ok()) << a.error().message;
    EXPECT_EQ(a->dtype, NpyDtype::kF64);
    EXPECT_TRUE(a->shape.empty());
  }
}

TEST(NpyRead, DescrSpellings) {
  EXPECT_EQ(parse_descr("|b1"), NpyDtype::kBool);
  EXPECT_EQ(parse_descr("<b1"), NpyDtype::kBool);
  EXPECT_EQ(parse_descr("<u1"), NpyDtype::kU8);
  EXPECT_EQ(parse_descr("<f2"), NpyDtype::kF16);
  EXPECT_EQ(parse_descr(">f4"), std::nullopt);
  EXPECT_EQ(parse_descr("<c8"), std::nullopt);
  EXPECT_EQ(parse_descr("|f4"), std::nullopt);
}

TEST(NpyRead, TrailingBytesAreIgnored) {
  auto a = read("{'descr': '|u1', 'fortran_order': False, 'shape': (2,), }", "abcdef");
  ASSERT_TRUE(a.ok()) << a.error().message;
  EXPECT_EQ(a->data.size(), 2u);
}

TEST(NpyReadErrors, Preamble) {
  EXPECT_TRUE(fails_with(read_npy({}), ErrorKind::kFormat, "truncated"));
  EXPECT_TRUE(fails_with(read_npy(bytes_of("\x93NUM")), ErrorKind::kFormat, "truncated"));
  EXPECT_TRUE(fails_with(read_npy(bytes_of("PK\x03\x04 this is a zip")), ErrorKind::kFormat, "not a .npy file"));
  EXPECT_TRUE(fails_with(read_npy(bytes_of(std::string("\x93NUMPY\x01\x00\x10", 9))), ErrorKind::kFormat,
                         "truncated"));
  EXPECT_TRUE(fails_with(read_npy(bytes_of(std::string("\x93NUMPY\x02\x00\x10\x00\x00", 11))), ErrorKind::kFormat,
                         "truncated"));
  EXPECT_TRUE(fails_with(read_npy(bytes_of(std::string("\x93NUMPY\x04\x00\x10\x00", 10))), ErrorKind::kUnsupported,
                         "version 4.0"));
  EXPECT_TRUE(fails_with(read_npy(bytes_of(std::string("\x93NUMPY\x01\x01\x10\x00", 10))), ErrorKind::kUnsupported,
                         "version 1.1"));
}

TEST(NpyReadErrors, HeaderLength) {
  // Announces 0xFFFF bytes (above NumPy's 10000 limit), and 0x80 bytes with 3 present.
  EXPECT_TRUE(fails_with(read_npy(bytes_of(std::string("\x93NUMPY\x01\x00\xff\xff{}", 12))), ErrorKind::kFormat,
                         "exceeds 10000"));
  EXPECT_TRUE(fails_with(read_npy(bytes_of(std::string("\x93NUMPY\x02\x00\x00\x00\x00\x80{}", 14))),
                         ErrorKind::kFormat, "exceeds 10000"));
  EXPECT_TRUE(fails_with(read_npy(bytes_of(std::string("\x93NUMPY\x01\x00\x80\x00{'d", 13))), ErrorKind::kFormat,
                         "truncated header"));
}

TEST(NpyReadErrors, GarbageDict) {
  EXPECT_TRUE(fails_with(read(""), ErrorKind::kFormat, "expected '{'"));
  EXPECT_TRUE(fails_with(read("hello world"), ErrorKind::kFormat, "expected '{'"));
  EXPECT_TRUE(fails_with(read("{'descr': '<f4', 'fortran_order': False, 'shape': (2,)"), ErrorKind::kFormat,
                         "expected ',' or '}'"));
  EXPECT_TRUE(fails_with(read("{'descr' '<f4'}"), ErrorKind::kFormat, "expected ':'"));
  EXPECT_TRUE(fails_with(read("{descr: '<f4'}"), ErrorKind::kFormat, "quoted key"));
  EXPECT_TRUE(fails_with(read("{'descr: '<f4'}"), ErrorKind::kFormat, "expected ':'"));
  EXPECT_TRUE(fails_with(read("{'descr': '<f4"), ErrorKind::kFormat, "unterminated string"));
  EXPECT_TRUE(fails_with(read("{'descr': '<f4', 'fortran_order': False, 'shape': (), } x"), ErrorKind::kFormat,
                         "only padding"));
  EXPECT_TRUE(fails_with(read(std::string("{'descr': '<f4\0', }", 20)), ErrorKind::kFormat, "printable"));
  EXPECT_TRUE(fails_with(read("{'descr': '<f4', 'fortran_order': False, 'shape': (), }\x93"), ErrorKind::kFormat,
                         "0x93"));
  EXPECT_TRUE(fails_with(read("{'descr': '\\x3cf4', 'fortran_order': False, 'shape': (), }"), ErrorKind::kFormat,
                         "printable"));
}

TEST(NpyReadErrors, Keys) {
  EXPECT_TRUE(fails_with(read("{'descr': '<f4', 'shape': (), }"), ErrorKind::kFormat, "lacks key(s): fortran_order"));
  EXPECT_TRUE(fails_with(read("{}"), ErrorKind::kFormat, "lacks key(s): descr, fortran_order, shape"));
  EXPECT_TRUE(fails_with(read("{'descr': '<f4', 'fortran_order': False, 'shape': (), 'extra': 1}"),
                         ErrorKind::kFormat, "unexpected key 'extra'"));
  EXPECT_TRUE(fails_with(read("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': ()}"),
                         ErrorKind::kFormat, "appears twice"));
}

TEST(NpyReadErrors, Values) {
  EXPECT_TRUE(fails_with(read("{'descr': 4, 'fortran_order': False, 'shape': ()}"), ErrorKind::kFormat,
                         "quoted dtype"));
  EXPECT_TRUE(fails_with(read("{'descr': '<f4', 'fortran_order': 0, 'shape': ()}"), ErrorKind::kFormat,
                         "True or False"));
  EXPECT_TRUE(fails_with(read("{'descr': '<f4', 'fortran_order': Falsey, 'shape': ()}"), ErrorKind::kFormat,
                         "True or False"));
  EXPECT_TRUE(fails_with(read("{'descr': '<f4', 'fortran_order': False, 'shape': [2]}"), ErrorKind::kFormat,
                         "a list is not a tuple"));
  EXPECT_TRUE(fails_with(read("{'descr': '<f4', 'fortran_order': False, 'shape': (2)}"), ErrorKind::kFormat,
                         "not a tuple"));
  EXPECT_TRUE(fails_with(read("{'descr': '<f4', 'fortran_order': False, 'shape': (2 3)}"), ErrorKind::kFormat,
                         "expected ',' or ')'"));
  EXPECT_TRUE(fails_with(read("{'descr': '<f4', 'fortran_order': False, 'shape': (,)}"), ErrorKind::kFormat,
                         "a dimension"));
  EXPECT_TRUE(fails_with(read("{'descr': '<f4', 'fortran_order': False, 'shape': (2.5,)}"), ErrorKind::kFormat,
                         "expected ',' or ')'"));
}

TEST(NpyReadErrors, Unsupported) {
  EXPECT_TRUE(fails_with(read("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }"),
                         ErrorKind::kUnsupported, "fortran_order is True"));
  EXPECT_TRUE(fails_with(read("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }"), ErrorKind::kUnsupported,
                         "big-endian"));
  EXPECT_TRUE(fails_with(read("{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }"), ErrorKind::kUnsupported,
                         "dtype '<c8' is not supported"));
  EXPECT_TRUE(fails_with(read("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }"),
                         ErrorKind::kUnsupported, "structured"));
}

TEST(NpyReadErrors, Dimensions) {
  const std::string head = "{'descr': '<f4', 'fortran_order': False, 'shape': ";
  EXPECT_TRUE(fails_with(read(head + "(-3,), }"), ErrorKind::kFormat, "negative dimension -3"));
  EXPECT_TRUE(fails_with(read(head + "(99999999999999999999,), }"), ErrorKind::kFormat, "does not fit in 64 bits"));
  EXPECT_TRUE(fails_with(read(head + "(9223372036854775808,), }"), ErrorKind::kFormat, "does not fit in 64 bits"));
  // 2^62 elements of 4 bytes, and 2^32 * 2^32: the byte size overflows.
  EXPECT_TRUE(fails_with(read(head + "(4611686018427387904,), }"), ErrorKind::kFormat, "overflows 64 bits"));
  EXPECT_TRUE(fails_with(read(head + "(4294967296, 0, 4294967296), }"), ErrorKind::kFormat, "overflows 64 bits"));
  std::string many = "(";
  for (int i = 0; i < 65; ++i) many += "1, ";
  EXPECT_TRUE(fails_with(read(head + many + "), }"), ErrorKind::kFormat, "more than 64 dimensions"));
  // The largest dimension that fits is fine when the data is absent because another is 0.
  auto ok = read(head + "(0, 2305843009213693951), }");
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok->numel(), 0);
}

TEST(NpyReadErrors, TruncatedData) {
  EXPECT_TRUE(fails_with(read("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }", std::string(47, 'x')),
                         ErrorKind::kFormat, "needs 48 bytes, 47 follow"));
  EXPECT_TRUE(fails_with(read("{'descr': '<i8', 'fortran_order': False, 'shape': (), }"), ErrorKind::kFormat,
                         "needs 8 bytes, 0 follow"));
  EXPECT_TRUE(fails_with(read("{'descr': '<f4', 'fortran_order': False, 'shape': (1000000000000,), }", "abcd"),
                         ErrorKind::kFormat, "needs 4000000000000 bytes"));
}

TEST(NpyReadErrors, EveryPrefixOfAValidFileFails) {
  std::string file = kNumpy3x4 + std::string(48, '\0');
  for (std::size_t n = 0; n < file.size(); ++n) {
    auto a = read_npy(bytes_of(file.substr(0, n)));
    EXPECT_FALSE(a.ok()) << "prefix of " << n << " bytes";
    if (!a.ok()) {
      EXPECT_EQ(a.error().kind, ErrorKind::kFormat) << a.error().message;
    }
  }
  EXPECT_TRUE(read_npy(bytes_of(file)).ok());
}

TEST(NpyFileErrors, IoErrorsNameThePath) {
  auto missing = read_npy_file("/nonexistent/dir/x.npy");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().kind, ErrorKind::kIo);
  EXPECT_NE(missing.error().message.find("'/nonexistent/dir/x.npy'"), std::string::npos);
  EXPECT_NE(missing.error().message.find("No such file"), std::string::npos) << missing.error().message;

  auto dir = read_npy_file(std::filesystem::temp_directory_path().string());
  ASSERT_FALSE(dir.ok());
  EXPECT_EQ(dir.error().kind, ErrorKind::kIo) << dir.error().message;

  const float x = 1.0f;
  auto w = write_npy_file("/nonexistent/dir/y.npy", NpyDtype::kF32, {}, std::as_bytes(std::span(&x, 1)));
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.error().kind, ErrorKind::kIo);
  EXPECT_NE(w.error().message.find("cannot create"), std::string::npos);
}

TEST(NpyFileErrors, NonRegularFilesAreRefusedUnread) {
  // An endless stream, and a FIFO nobody writes to (opening it must not wait for a writer).
  auto zero = read_npy_file("/dev/zero");
  ASSERT_FALSE(zero.ok());
  EXPECT_EQ(zero.error().kind, ErrorKind::kIo);
  EXPECT_NE(zero.error().message.find("'/dev/zero' is not a regular file (a character device)"), std::string::npos)
      << zero.error().message;
  const std::string fifo =
      (std::filesystem::temp_directory_path() / ("vnpu_npy_fifo_" + std::to_string(::getpid()))).string();
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  auto piped = read_npy_file(fifo);
  std::filesystem::remove(fifo);
  ASSERT_FALSE(piped.ok());
  EXPECT_EQ(piped.error().kind, ErrorKind::kIo);
  EXPECT_NE(piped.error().message.find("not a regular file (a FIFO)"), std::string::npos) << piped.error().message;
  auto dir = read_npy_file(std::filesystem::temp_directory_path().string());
  ASSERT_FALSE(dir.ok());
  EXPECT_NE(dir.error().message.find("not a regular file (a directory)"), std::string::npos) << dir.error().message;
}

TEST(NpyFileErrors, OnlyTheBytesTheHeaderAnnouncesAreRead) {
  // 48 bytes of data, then a terabyte of (sparse) trailing bytes that must not be read.
  const std::string path = temp_file("vnpu_npy_sparse", bytes_of(kNumpy3x4 + std::string(48, '\x02')));
  ASSERT_FALSE(path.empty());
  std::error_code ec;
  std::filesystem::resize_file(path, std::uintmax_t{1} << 40, ec);
  if (ec) {
    std::filesystem::remove(path);
    GTEST_SKIP() << "this file system holds no sparse 1 TiB file: " << ec.message();
  }
  auto a = read_npy_file(path);
  std::filesystem::remove(path);
  ASSERT_TRUE(a.ok()) << a.error().message;
  EXPECT_EQ(a->data, std::vector<std::byte>(48, std::byte{2}));
}

TEST(NpyFileErrors, DataBeyondTheFileIsNotAllocated) {
  // The header announces 2^62 bytes; the file holds 4. An error, before any allocation.
  const std::string path = temp_file("vnpu_npy_short",
                                     make_file("{'descr': '|u1', 'fortran_order': False, 'shape': (4611686018427387904,), }",
                                               "abcd"));
  ASSERT_FALSE(path.empty());
  auto a = read_npy_file(path);
  std::filesystem::remove(path);
  EXPECT_TRUE(fails_with(a, ErrorKind::kFormat, "needs 4611686018427387904 bytes, 4 follow"));
}

TEST(NpyFileErrors, FormatErrorsNameThePath) {
  const std::string path = temp_file("vnpu_npy_bad", bytes_of("not numpy"));
  ASSERT_FALSE(path.empty());
  auto a = read_npy_file(path);
  std::filesystem::remove(path);
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.error().kind, ErrorKind::kFormat);
  EXPECT_EQ(a.error().message.rfind(path + ": not a .npy file", 0), 0u) << a.error().message;
}

}  // namespace
}  // namespace vnpu::npy
