#include "vector_support.hpp"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <sstream>

namespace vt {

vnpu::Status run_ub(std::vector<Bytes>& bufs, const std::function<void(std::vector<ByteTensor>&)>& body) {
  return vnpu::ascendc::run_kernel("vector_test", 1, [&bufs, &body] {
    AscendC::TPipe pipe;
    std::vector<AscendC::TBuf<AscendC::TPosition::VECCALC>> tbufs(bufs.size());
    std::vector<ByteTensor> tensors;
    for (std::size_t i = 0; i < bufs.size(); ++i) {
      pipe.InitBuffer(tbufs[i], static_cast<std::uint32_t>(bufs[i].size()));
      ByteTensor t = tbufs[i].Get<std::uint8_t>(static_cast<std::uint32_t>(bufs[i].size()));
      if (!bufs[i].empty()) std::memcpy(t.GetPhyAddr(), bufs[i].data(), bufs[i].size());
      tensors.push_back(t);
    }
    body(tensors);
    for (std::size_t i = 0; i < bufs.size(); ++i)
      if (!bufs[i].empty()) std::memcpy(bufs[i].data(), tensors[i].GetPhyAddr(), bufs[i].size());
  });
}

std::uint16_t half_bits(double x) {
  const std::uint16_t sign = std::signbit(x) ? 0x8000u : 0u;
  if (std::isnan(x)) return 0x7E00u;
  const double a = std::fabs(x);
  if (a >= 65520.0) return static_cast<std::uint16_t>(sign | 0x7C00u);  // past 65504 + half an ulp: inf
  if (a < 0x1p-14) return static_cast<std::uint16_t>(sign | static_cast<std::uint16_t>(std::nearbyint(a * 0x1p24)));
  int e = 0;
  const double m = std::frexp(a, &e);  // a = m * 2^e, m in [0.5, 1)
  double q = std::nearbyint(std::ldexp(m, 11));  // 11 significant bits, nearest even
  if (q == 2048.0) {
    q = 1024.0;
    ++e;
  }
  const int biased = e - 1 + 15;
  if (biased >= 31) return static_cast<std::uint16_t>(sign | 0x7C00u);
  return static_cast<std::uint16_t>(sign | (biased << 10) | (static_cast<int>(q) - 1024));
}

double half_value(std::uint16_t bits) {
  const int e = (bits >> 10) & 0x1F;
  const int m = bits & 0x3FF;
  const double s = (bits & 0x8000u) ? -1.0 : 1.0;
  if (e == 31) return m == 0 ? s * std::numeric_limits<double>::infinity() : std::numeric_limits<double>::quiet_NaN();
  if (e == 0) return s * std::ldexp(m, -24);
  return s * std::ldexp(1024 + m, e - 25);
}

template <typename T>
std::int64_t ulp_distance(T a, T b) {
  const double da = value_of(a), db = value_of(b);
  if (std::isnan(da) || std::isnan(db)) return std::isnan(da) && std::isnan(db) ? 0 : std::int64_t{1} << 40;
  if (da == db) return 0;
  // Order the bit patterns as integers (sign-magnitude to two's complement).
  auto key = [](T v) -> std::int64_t {
    std::uint32_t u = 0;
    std::memcpy(&u, &v, sizeof(T));
    const auto bits = static_cast<std::int64_t>(u);
    const std::int64_t sign_bit = std::int64_t{1} << (sizeof(T) * 8 - 1);
    return (bits & sign_bit) ? -(bits & (sign_bit - 1)) : bits;
  };
  const std::int64_t d = key(a) - key(b);
  return d < 0 ? -d : d;
}
template std::int64_t ulp_distance<half>(half, half);
template std::int64_t ulp_distance<float>(float, float);
template std::int64_t ulp_distance<bfloat16_t>(bfloat16_t, bfloat16_t);

template <typename T>
std::vector<T> random_values(std::size_t n, std::uint32_t seed, double range) {
  std::mt19937 rng(seed);
  std::vector<T> v(n);
  if constexpr (is_float<T>()) {
    std::uniform_real_distribution<double> dist(-range, range);
    for (T& x : v) x = round_to<T>(dist(rng));
  } else {
    std::uniform_int_distribution<std::int64_t> dist(std::numeric_limits<T>::min(), std::numeric_limits<T>::max());
    for (T& x : v) x = static_cast<T>(dist(rng));
  }
  return v;
}
template std::vector<half> random_values<half>(std::size_t, std::uint32_t, double);
template std::vector<float> random_values<float>(std::size_t, std::uint32_t, double);
template std::vector<std::int16_t> random_values<std::int16_t>(std::size_t, std::uint32_t, double);
template std::vector<std::uint16_t> random_values<std::uint16_t>(std::size_t, std::uint32_t, double);
template std::vector<std::int32_t> random_values<std::int32_t>(std::size_t, std::uint32_t, double);
template std::vector<std::uint32_t> random_values<std::uint32_t>(std::size_t, std::uint32_t, double);
template std::vector<std::uint8_t> random_values<std::uint8_t>(std::size_t, std::uint32_t, double);
template std::vector<bfloat16_t> random_values<bfloat16_t>(std::size_t, std::uint32_t, double);

const char* form_name(Form f) {
  switch (f) {
    case Form::kCount: return "count";
    case Form::kBits: return "mask[]";
    case Form::kContinuous: return "mask";
    case Form::kExternalBits: return "SetVectorMask+isSetMask=false";
    case Form::kCounter: return "counter mode, isSetMask=false";
    case Form::kCounterSetMask: return "counter mode, mask[0]=count";
  }
  return "?";
}

std::string Shape::describe() const {
  char text[256];
  std::snprintf(text, sizeof text,
                "%s: count %" PRIu64 " mask {%#" PRIx64 ", %#" PRIx64 "} len %" PRIu64
                " repeat %lld strides dst %u/%u src0 %u/%u src1 %u/%u",
                form_name(form), count, bits[0], bits[1], mask_len, static_cast<long long>(repeat), st[0].blk,
                st[0].rep, st[1].blk, st[1].rep, st[2].blk, st[2].rep);
  return text;
}

bool Lanes::enabled(std::uint64_t r, std::uint32_t e) const {
  if (r >= repeats || e >= lanes) return false;
  if (counter) return r * lanes + e < total;
  return (bits[e / 64] >> (e % 64)) & 1u;
}

Lanes lanes_for(const Shape& s, std::uint32_t lanes) {
  Lanes l;
  l.lanes = lanes;
  switch (s.form) {
    case Form::kCount:
    case Form::kCounter:
    case Form::kCounterSetMask:
      l.counter = true;
      l.total = s.count;
      l.repeats = (s.count + lanes - 1) / lanes;
      return l;
    case Form::kBits:
    case Form::kExternalBits:
      l.bits[0] = s.bits[0];
      l.bits[1] = lanes > 64 ? s.bits[1] : 0;
      break;
    case Form::kContinuous: {
      const std::uint64_t n = std::min<std::uint64_t>(s.mask_len, lanes);
      l.bits[0] = n >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << n) - 1;
      l.bits[1] = n <= 64 ? 0 : (n >= 128 ? ~std::uint64_t{0} : (std::uint64_t{1} << (n - 64)) - 1);
      break;
    }
  }
  if (lanes < 64) l.bits[0] &= (std::uint64_t{1} << lanes) - 1;
  l.repeats = static_cast<std::uint64_t>(s.repeat);
  return l;
}

std::uint64_t operand_bytes(const Lanes& l, Stride s, std::uint32_t es) {
  std::uint64_t end = 0;
  for (std::uint64_t r = 0; r < l.repeats; ++r)
    for (std::uint32_t e = 0; e < l.lanes; ++e)
      if (l.enabled(r, e)) end = std::max(end, lane_offset(s, es, r, e) + es);
  return end;
}

Stride contiguous(std::uint32_t es, std::uint32_t lanes) { return Stride{1, es * lanes / 32}; }

std::vector<std::uint64_t> edge_counts(std::uint32_t es) {
  const std::uint64_t b = 32 / es, r = 256 / es;
  return {1, b - 1, b, b + 1, r - 1, r, r + 1, 3 * r + b + 3, 17 * r};
}

template <typename T>
std::string compare(const Bytes& got, const Bytes& want, std::int64_t ulps) {
  if (got.size() != want.size()) return "sizes differ";
  for (std::size_t i = 0; i + sizeof(T) <= got.size(); i += sizeof(T)) {
    if (std::memcmp(got.data() + i, want.data() + i, sizeof(T)) == 0) continue;
    const T g = load<T>(got, i), w = load<T>(want, i);
    if constexpr (is_float<T>()) {
      if (ulp_distance(g, w) <= ulps) continue;
    }
    std::ostringstream os;
    os << "element " << i / sizeof(T) << " (byte " << i << "): got " << value_of(g) << ", want " << value_of(w);
    return os.str();
  }
  return "";
}
template std::string compare<half>(const Bytes&, const Bytes&, std::int64_t);
template std::string compare<float>(const Bytes&, const Bytes&, std::int64_t);
template std::string compare<std::int16_t>(const Bytes&, const Bytes&, std::int64_t);
template std::string compare<std::uint16_t>(const Bytes&, const Bytes&, std::int64_t);
template std::string compare<std::int32_t>(const Bytes&, const Bytes&, std::int64_t);
template std::string compare<std::uint32_t>(const Bytes&, const Bytes&, std::int64_t);
template std::string compare<std::uint8_t>(const Bytes&, const Bytes&, std::int64_t);
template std::string compare<bfloat16_t>(const Bytes&, const Bytes&, std::int64_t);

std::vector<Shape> shapes_for(std::uint32_t lanes, std::uint32_t es, int operands, std::uint64_t max_bytes,
                              std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<Shape> out;
  const std::uint64_t per_operand = max_bytes / static_cast<std::uint64_t>(operands);
  auto fits = [&](const Shape& s) {
    const Lanes l = lanes_for(s, lanes);
    for (int k = 0; k < operands; ++k)
      if (operand_bytes(l, s.form == Form::kCount ? contiguous(es, lanes) : s.st[k], es) + 96 > per_operand) return false;
    return true;
  };
  auto add = [&](const Shape& s) {
    if (fits(s)) out.push_back(s);
  };
  for (std::uint64_t n : edge_counts(es)) {
    Shape s;
    s.form = Form::kCount;
    s.count = n;
    add(s);
  }
  Shape big;  // 255 repeats, contiguous
  big.form = Form::kBits;
  big.bits[0] = big.bits[1] = ~std::uint64_t{0};
  big.repeat = 255;
  add(big);
  // Masks: full, a prefix, random bits, a single lane; strides default and not.
  const Stride strided[3][3] = {{{1, 8}, {1, 8}, {1, 8}}, {{2, 17}, {1, 9}, {3, 24}}, {{1, 0}, {2, 16}, {1, 8}}};
  std::uniform_int_distribution<std::uint64_t> any;
  for (int k = 0; k < 3; ++k) {
    for (int m = 0; m < 4; ++m) {
      Shape s;
      s.form = m % 2 == 0 ? Form::kBits : Form::kExternalBits;
      s.repeat = 1 + static_cast<std::int64_t>(any(rng) % 5);
      s.bits[0] = m == 0 ? ~std::uint64_t{0} : m == 1 ? any(rng) : m == 2 ? (std::uint64_t{1} << 37) : any(rng) | 1u;
      s.bits[1] = m == 2 ? 0 : any(rng);
      if (k == 2) s.st[0] = Stride{1, 0};  // every repeat writes the same dst: the last one wins
      for (int o = 0; o < 3; ++o)
        if (k != 2 || o != 0) s.st[o] = strided[k][o];
      add(s);
    }
    for (std::uint64_t len : {std::uint64_t{1}, std::uint64_t{lanes / 2 + 3}, std::uint64_t{lanes}, std::uint64_t{1000}}) {
      Shape s;
      s.form = Form::kContinuous;
      s.mask_len = len;
      s.repeat = 3;
      for (int o = 0; o < 3; ++o) s.st[o] = strided[k][o];
      add(s);
    }
    for (std::uint64_t n : {std::uint64_t{1}, std::uint64_t{lanes + 5}, std::uint64_t{4 * lanes}}) {
      Shape s;
      s.form = n % 2 == 0 ? Form::kCounter : Form::kCounterSetMask;
      s.count = n;
      s.repeat = 7;  // ignored in counter mode
      for (int o = 0; o < 3; ++o) s.st[o] = strided[k][o];
      add(s);
    }
  }
  return out;
}

AscendC::BinaryRepeatParams binary_params(const Shape& s) {
  auto u8 = [](std::uint32_t v) { return static_cast<std::uint8_t>(v); };
  return AscendC::BinaryRepeatParams(u8(s.st[0].blk), u8(s.st[1].blk), u8(s.st[2].blk), u8(s.st[0].rep),
                                     u8(s.st[1].rep), u8(s.st[2].rep));
}

AscendC::UnaryRepeatParams unary_params(const Shape& s) {
  return AscendC::UnaryRepeatParams(static_cast<std::uint16_t>(s.st[0].blk), static_cast<std::uint16_t>(s.st[1].blk),
                                    static_cast<std::uint8_t>(s.st[0].rep), static_cast<std::uint8_t>(s.st[1].rep));
}

}  // namespace vt
