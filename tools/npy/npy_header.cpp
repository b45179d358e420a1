// tools/npy/npy_header.cpp — the .npy preamble and header dict: parsing and formatting.
//
// The header is a Python literal that NumPy reads with ast.literal_eval. This parser
// accepts the subset NumPy writes and its close variants — any whitespace, either quote,
// the three keys in any order, a trailing comma, Python 2's "3L" dimensions — and
// rejects everything else with the byte offset of the problem. It looks at each header
// byte at most a few times and never past the header length the preamble gives.
#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "npy.hpp"
#include "npy_internal.hpp"

namespace vnpu::npy {

namespace {

constexpr std::array<unsigned char, 6> kMagic = {0x93, 'N', 'U', 'M', 'P', 'Y'};
constexpr std::size_t kAlign = 64;           // numpy.lib.format.ARRAY_ALIGN
constexpr std::size_t kGrowthDigits = 21;    // numpy.lib.format.GROWTH_AXIS_MAX_DIGITS

Error format_error(std::string message) { return Error{ErrorKind::kFormat, std::move(message)}; }
Error unsupported(std::string message) { return Error{ErrorKind::kUnsupported, std::move(message)}; }

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// A printable rendering of one header byte for messages: 'x' or 0x93.
std::string show_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (u >= 0x21 && u < 0x7F) return std::string("'") + c + "'";
  static constexpr char kHex[] = "0123456789abcdef";
  return std::string("0x") + kHex[u >> 4] + kHex[u & 15];
}

// Recursive-descent parser of the header dict. Each parse_* returns false after setting
// error_; the first error wins.
class DictParser {
 public:
  explicit DictParser(std::string_view text) : s_(text) {}

  bool parse(Header& h) {
    bool have_descr = false, have_order = false, have_shape = false;
    std::string descr;
    bool fortran = false;
    skip_space();
    if (!expect('{', "'{' opening the header dict")) return false;
    for (;;) {
      skip_space();
      if (peek() == '}') break;
      std::string key;
      const std::size_t key_pos = pos_;
      if (!parse_string(key, "a quoted key or '}'")) return false;
      skip_space();
      if (!expect(':', "':' after key '" + key + "'")) return false;
      skip_space();
      bool* seen = key == "descr" ? &have_descr : key == "fortran_order" ? &have_order
                                  : key == "shape"                     ? &have_shape
                                                                        : nullptr;
      if (seen == nullptr) {
        return fail_at(key_pos, "unexpected key '" + key + "' (a .npy header has descr, fortran_order, shape)");
      }
      if (*seen) return fail_at(key_pos, "key '" + key + "' appears twice");
      *seen = true;
      if (key == "descr" && !parse_descr_value(descr)) return false;
      if (key == "fortran_order" && !parse_bool(fortran)) return false;
      if (key == "shape" && !parse_shape(h.shape)) return false;
      skip_space();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      if (peek() != '}') return fail("',' or '}' after the value of '" + key + "'");
    }
    ++pos_;  // '}'
    skip_space();
    if (pos_ != s_.size()) return fail("only padding after the header dict");
    if (!have_descr || !have_order || !have_shape) {
      std::string missing;
      for (auto [have, name] : {std::pair{have_descr, "descr"}, {have_order, "fortran_order"}, {have_shape, "shape"}})
        if (!have) missing += missing.empty() ? name : std::string(", ") + name;
      error_ = format_error("header dict lacks key(s): " + missing);
      return false;
    }
    const std::optional<NpyDtype> dtype = parse_descr(descr);
    if (!dtype) {
      if (descr.size() >= 2 && descr[0] == '>') {
        error_ = unsupported("big-endian dtype '" + descr + "' is not supported (save little-endian data)");
      } else {
        error_ = unsupported("dtype '" + descr + "' is not supported (supported: <f2 <f4 <f8 <i4 <i8 |u1 |b1)");
      }
      return false;
    }
    h.dtype = *dtype;
    if (fortran) {
      error_ = unsupported(
          "fortran_order is True: column-major arrays are not supported (save np.ascontiguousarray(x))");
      return false;
    }
    return true;
  }

  const Error& error() const { return error_; }

 private:
  char peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }
  void skip_space() {
    while (pos_ < s_.size() && is_space(s_[pos_])) ++pos_;
  }

  bool fail_at(std::size_t pos, const std::string& what) {
    error_ = format_error("header: " + what + " (at header byte " + std::to_string(pos) + ")");
    return false;
  }
  // "expected X, found Y at byte N".
  bool fail(const std::string& expected) {
    const std::string found = pos_ < s_.size() ? show_char(s_[pos_]) : std::string("the end of the header");
    return fail_at(pos_, "expected " + expected + ", found " + found);
  }
  bool expect(char c, const std::string& what) {
    if (peek() != c) return fail(what);
    ++pos_;
    return true;
  }

  // A Python string literal without escapes: 'abc' or "abc", printable ASCII only.
  bool parse_string(std::string& out, const std::string& what) {
    const char quote = peek();
    if (pos_ >= s_.size() || (quote != '\'' && quote != '"')) return fail(what);
    const std::size_t start = ++pos_;
    while (pos_ < s_.size() && s_[pos_] != quote) {
      const auto u = static_cast<unsigned char>(s_[pos_]);
      if (u < 0x20 || u >= 0x7F || s_[pos_] == '\\') return fail("a plain printable string");
      if (pos_ - start >= 64) return fail_at(start, "string longer than 64 characters");
      ++pos_;
    }
    if (pos_ >= s_.size()) return fail_at(start - 1, "unterminated string");
    out.assign(s_.substr(start, pos_ - start));
    ++pos_;
    return true;
  }

  bool parse_descr_value(std::string& descr) {
    if (peek() == '[') {
      error_ = unsupported("structured (record) dtypes are not supported");
      return false;
    }
    return parse_string(descr, "a quoted dtype string for 'descr'");
  }

  bool parse_bool(bool& out) {
    const std::string_view rest = s_.substr(pos_);
    for (auto [word, value] : {std::pair{std::string_view("True"), true}, {std::string_view("False"), false}}) {
      if (rest.substr(0, word.size()) == word) {
        const std::size_t end = pos_ + word.size();
        if (end < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[end])) || s_[end] == '_')) break;
        pos_ = end;
        out = value;
        return true;
      }
    }
    return fail("True or False for 'fortran_order'");
  }

  // A non-negative decimal integer that fits in int64, with Python 2's optional L suffix.
  bool parse_dim(std::int64_t& out) {
    const std::size_t start = pos_;
    if (peek() == '-' || peek() == '+') {
      std::size_t p = pos_ + 1;
      while (p < s_.size() && is_digit(s_[p])) ++p;
      if (peek() == '-' && p > pos_ + 1) {
        const std::string text(s_.substr(start, std::min<std::size_t>(p - start, 24)));
        return fail_at(start, "negative dimension " + text);
      }
      return fail("a dimension (a non-negative integer)");
    }
    if (!is_digit(peek())) return fail("a dimension (a non-negative integer) or ')'");
    std::uint64_t value = 0;
    constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    while (pos_ < s_.size() && is_digit(s_[pos_])) {
      const auto digit = static_cast<std::uint64_t>(s_[pos_] - '0');
      if (value > (kMax - digit) / 10) {
        std::size_t end = pos_;
        while (end < s_.size() && is_digit(s_[end])) ++end;
        return fail_at(start, "dimension " + std::string(s_.substr(start, std::min<std::size_t>(end - start, 40))) +
                                  " does not fit in 64 bits");
      }
      value = value * 10 + digit;
      ++pos_;
    }
    if (peek() == 'L' || peek() == 'l') ++pos_;
    out = static_cast<std::int64_t>(value);
    return true;
  }

  // A Python tuple of dimensions: (), (n,), (n, m), (n, m,). "(n)" is an int, not a tuple.
  bool parse_shape(std::vector<std::int64_t>& shape) {
    shape.clear();
    const std::size_t open = pos_;
    if (peek() == '[') return fail("a tuple for 'shape' (a list is not a tuple)");
    if (!expect('(', "'(' opening the shape tuple")) return false;
    bool trailing_comma = false;
    for (;;) {
      skip_space();
      if (peek() == ')') break;
      if (!shape.empty() && !trailing_comma) return fail("',' or ')' in the shape tuple");
      if (shape.size() == kMaxDims) {
        return fail_at(open, "shape has more than " + std::to_string(kMaxDims) + " dimensions");
      }
      std::int64_t d = 0;
      if (!parse_dim(d)) return false;
      shape.push_back(d);
      skip_space();
      trailing_comma = peek() == ',';
      if (trailing_comma) ++pos_;
    }
    if (shape.size() == 1 && !trailing_comma) {
      return fail_at(open, "shape (" + std::to_string(shape[0]) + ") is not a tuple (a 1-d shape is written (" +
                               std::to_string(shape[0]) + ",))");
    }
    ++pos_;  // ')'
    return true;
  }

  std::string_view s_;
  std::size_t pos_ = 0;
  Error error_;
};

std::uint32_t load_le(const std::byte* p, int bytes) {
  std::uint32_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | static_cast<std::uint32_t>(p[i]);
  return v;
}

}  // namespace

Result<Header> parse_header(std::span<const std::byte> file) {
  const std::size_t have_magic = std::min(file.size(), kMagic.size());
  for (std::size_t i = 0; i < have_magic; ++i) {
    if (static_cast<unsigned char>(file[i]) != kMagic[i]) {
      return format_error("not a .npy file (it does not start with \"\\x93NUMPY\")");
    }
  }
  if (file.size() < 8) {
    return format_error("truncated: " + std::to_string(file.size()) + " bytes, a .npy file starts with 10 or more");
  }
  Header h;
  h.major = static_cast<int>(file[6]);
  h.minor = static_cast<int>(file[7]);
  if (h.major < 1 || h.major > 3 || h.minor != 0) {
    return unsupported("unsupported .npy format version " + std::to_string(h.major) + "." + std::to_string(h.minor) +
                       " (supported: 1.0, 2.0, 3.0)");
  }
  const int len_bytes = h.major == 1 ? 2 : 4;
  const std::size_t prefix = 8 + static_cast<std::size_t>(len_bytes);
  if (file.size() < prefix) {
    return format_error("truncated: " + std::to_string(file.size()) + " bytes, a version " + std::to_string(h.major) +
                        ".0 file starts with " + std::to_string(prefix) + " or more");
  }
  const std::uint32_t header_len = load_le(file.data() + 8, len_bytes);
  if (header_len > kMaxHeaderBytes) {
    return format_error("header length " + std::to_string(header_len) + " exceeds " + std::to_string(kMaxHeaderBytes) +
                        " bytes (NumPy's limit)");
  }
  if (file.size() - prefix < header_len) {
    return format_error("truncated header: the preamble announces " + std::to_string(header_len) + " bytes, " +
                        std::to_string(file.size() - prefix) + " follow");
  }
  const std::string_view text(reinterpret_cast<const char*>(file.data() + prefix), header_len);
  DictParser parser(text);
  if (!parser.parse(h)) return parser.error();
  h.data_offset = prefix + header_len;

  // Like NumPy, the product of the nonzero dimensions times the element size must fit in
  // int64 even when another dimension is 0.
  const std::optional<std::uint64_t> bytes = byte_size(h.shape, dtype_size(h.dtype));
  if (!bytes) {
    return format_error("shape " + format_shape(h.shape) + " of " + dtype_descr(h.dtype) +
                        " is too large: its byte size overflows 64 bits");
  }
  h.data_bytes = *bytes;
  h.numel = static_cast<std::int64_t>(*bytes / dtype_size(h.dtype));
  return h;
}

std::string format_shape(std::span<const std::int64_t> shape) {
  std::string s = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) s += ", ";
    s += std::to_string(shape[i]);
  }
  if (shape.size() == 1) s += ",";
  return s + ")";
}

std::vector<std::byte> encode_header(NpyDtype dtype, std::span<const std::int64_t> shape) {
  std::string dict = std::string("{'descr': '") + dtype_descr(dtype) + "', 'fortran_order': False, 'shape': " +
                     format_shape(shape) + ", }";
  // NumPy >= 1.23 leaves room for the first dimension to grow to 21 digits in place.
  if (!shape.empty()) dict.append(kGrowthDigits - std::to_string(shape[0]).size(), ' ');
  const std::size_t hlen = dict.size() + 1;  // + the final '\n'
  std::size_t prefix = 10;
  std::size_t pad = kAlign - (prefix + hlen) % kAlign;
  int major = 1;
  if (hlen + pad > 0xFFFF) {  // does not fit version 1.0's u16 length: NumPy moves to 2.0
    major = 2;
    prefix = 12;
    pad = kAlign - (prefix + hlen) % kAlign;
  }
  const std::size_t total = hlen + pad;
  std::vector<std::byte> out;
  out.reserve(prefix + total);
  for (unsigned char c : kMagic) out.push_back(std::byte{c});
  out.push_back(static_cast<std::byte>(major));
  out.push_back(std::byte{0});
  for (std::size_t i = 0; i < prefix - 8; ++i) out.push_back(static_cast<std::byte>((total >> (8 * i)) & 0xFF));
  for (char c : dict) out.push_back(static_cast<std::byte>(c));
  out.insert(out.end(), pad, std::byte{' '});
  out.push_back(std::byte{'\n'});
  return out;
}

}  // namespace vnpu::npy
