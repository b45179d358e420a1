// fuzz/npy_fuzz.cpp — libFuzzer target of the .npy reader (tools/npy).
//
// Feeds arbitrary bytes to parse_header() and read_npy(). Either must give an error with a
// one-line message, or an array that is consistent with its header; an array read
// successfully must survive encode_npy() and read back identically. Any crash, sanitizer
// report (AddressSanitizer: no overread; UBSan: no overflow) or broken invariant aborts,
// which libFuzzer reports as a finding. Built and run by `scripts/test.sh fuzz`.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <span>
#include <string>
#include <vector>

#include "npy.hpp"

namespace {

[[noreturn]] void broken(const char* what) {
  std::fprintf(stderr, "npy_fuzz: invariant broken: %s\n", what);
  std::abort();
}

void check_error(const vnpu::npy::Error& e) {
  if (e.message.empty()) broken("empty error message");
  if (e.message.find('\n') != std::string::npos) broken("multi-line error message");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace vnpu::npy;
  const std::span<const std::byte> file(reinterpret_cast<const std::byte*>(data), size);

  const Result<Header> header = parse_header(file);
  const Result<Array> array = read_npy(file);
  if (!header.ok()) {
    check_error(header.error());
    if (array.ok()) broken("read_npy accepted a file whose header parse_header rejects");
    check_error(array.error());
    return 0;
  }
  if (header->data_offset > size) broken("data offset past the end of the input");
  if (header->shape.size() > kMaxDims) broken("rank above kMaxDims");
  if (!array.ok()) {
    check_error(array.error());
    if (header->data_bytes <= size - header->data_offset) broken("read_npy rejected a complete file");
    return 0;
  }
  const Array& a = *array;
  if (a.shape != header->shape || a.dtype != header->dtype) broken("array disagrees with its header");
  if (a.data.size() != header->data_bytes) broken("data size differs from the header's");
  if (static_cast<std::uint64_t>(a.numel()) * dtype_size(a.dtype) != a.data.size()) broken("numel * size != bytes");
  if (!a.data.empty() && std::memcmp(a.data.data(), data + header->data_offset, a.data.size()) != 0) {
    broken("data not copied verbatim");
  }

  const Result<std::vector<std::byte>> again = encode_npy(a.dtype, a.shape, a.data);
  if (!again.ok()) broken("encode_npy rejected an array read_npy produced");
  if ((again->size() - a.data.size()) % 64 != 0) broken("encoded header not padded to 64 bytes");
  const Result<Array> back = read_npy(*again);
  if (!back.ok()) broken("read_npy rejected encode_npy's output");
  if (back->dtype != a.dtype || back->shape != a.shape || back->data != a.data) broken("round trip changed the array");
  return 0;
}
