// The float64 softmax reference and the run-and-check harness of the softmax suites.
#include "ops/softmax_support.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <sstream>

namespace vnpu::test {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

std::vector<std::int64_t> strides_or_contiguous(const std::vector<std::int64_t>& s,
                                                const std::vector<std::int64_t>& shape) {
  return s.empty() ? contiguous_strides(shape) : s;
}

// Lowest and highest element offsets a view touches (an empty view: 0, 0).
void view_extent(const std::vector<std::int64_t>& shape, const std::vector<std::int64_t>& strides, std::int64_t& lo,
                 std::int64_t& hi) {
  lo = hi = 0;
  if (product(shape) == 0) return;
  for (std::size_t d = 0; d < shape.size(); ++d) {
    lo += std::min<std::int64_t>(strides[d] * (shape[d] - 1), 0);
    hi += std::max<std::int64_t>(strides[d] * (shape[d] - 1), 0);
  }
}

// Memory offset of row-major element `flat`.
std::int64_t offset_of(std::int64_t flat, const std::vector<std::int64_t>& shape,
                       const std::vector<std::int64_t>& strides) {
  std::int64_t off = 0;
  for (std::size_t d = shape.size(); d-- > 0;) {
    off += (flat % shape[d]) * strides[d];
    flat /= shape[d];
  }
  return off;
}

std::vector<double> read_values(const View& v) {
  const std::int64_t n = product(v.shape);
  std::vector<double> out(static_cast<std::size_t>(std::max<std::int64_t>(n, 0)));
  for (std::int64_t i = 0; i < n; ++i)
    out[static_cast<std::size_t>(i)] = load_element(v.data, v.dtype, offset_of(i, v.shape, v.strides));
  return out;
}

}  // namespace

std::string sm_describe(const SmSpec& c) {
  std::ostringstream os;
  os << (c.log ? "log_softmax " : "softmax ") << dtype_name(c.dtype) << " " << shape_str(c.shape) << " axis "
     << c.axis;
  if (!c.in_strides.empty()) os << " in strides " << shape_str(c.in_strides);
  if (!c.out_strides.empty()) os << " out strides " << shape_str(c.out_strides);
  if (c.in_place) os << " in place";
  if (c.fill == SmFill::kLarge) os << " (values ~1000)";
  if (c.fill == SmFill::kWide) os << " (values in [-120, 120))";
  if (c.fill == SmFill::kSpecial) os << " (with NaN, +inf and -inf)";
  return os.str();
}

HostInput sm_input(const SmSpec& c) {
  HostInput h;
  h.dtype = c.dtype;
  h.shape = c.shape;
  h.strides = strides_or_contiguous(c.in_strides, c.shape);
  std::int64_t lo = 0, hi = 0;
  view_extent(h.shape, h.strides, lo, hi);
  h.storage = product(h.shape) == 0 ? 0 : hi - lo + 1;
  h.origin = -lo;
  h.bytes.assign(static_cast<std::size_t>(std::max<std::int64_t>(h.storage, 1)) * dtype_size(c.dtype), 0);
  Rng rng(c.seed * 0x9E3779B97F4A7C15ull + static_cast<std::uint64_t>(c.dtype) * 7 + (c.log ? 3 : 0));
  for (std::int64_t i = 0; i < h.storage; ++i) {
    double v = 0.0;
    switch (c.fill) {
      case SmFill::kUniform: v = rng.uniform(-8.0, 8.0); break;
      case SmFill::kLarge: v = 1000.0 + rng.uniform(-16.0, 16.0); break;
      case SmFill::kWide: v = rng.uniform(-120.0, 120.0); break;
      case SmFill::kSpecial: {
        const double u = rng.uniform(0.0, 1.0);
        const double nan = std::numeric_limits<double>::quiet_NaN();
        if (u < 1.0 / 8000) v = nan;
        else if (u < 1.0 / 4000) v = -nan;
        else if (u < 1.0 / 4000 + 1.0 / 6000) v = std::numeric_limits<double>::infinity();
        else if (u < 1.0 / 4000 + 1.0 / 6000 + 1.0 / 500) v = -std::numeric_limits<double>::infinity();
        else v = rng.uniform(-8.0, 8.0);
        break;
      }
    }
    store_element(h.bytes.data(), c.dtype, i, v);
  }
  return h;
}

std::vector<double> sm_reference(bool log, const View& in, int axis) {
  const auto rank = static_cast<int>(in.shape.size());
  const int a = axis < 0 ? axis + rank : axis;
  const std::int64_t n = product(in.shape);
  std::vector<double> out(static_cast<std::size_t>(std::max<std::int64_t>(n, 0)));
  if (n == 0) return out;
  const std::int64_t L = in.shape[static_cast<std::size_t>(a)];
  std::int64_t inner = 1;
  for (int d = a + 1; d < rank; ++d) inner *= in.shape[static_cast<std::size_t>(d)];
  const std::int64_t outer = n / (L * inner);
  std::vector<double> x(static_cast<std::size_t>(L));
  for (std::int64_t o = 0; o < outer; ++o) {
    for (std::int64_t i = 0; i < inner; ++i) {
      auto flat = [&](std::int64_t l) { return (o * L + l) * inner + i; };
      double m = -kInf;
      bool nan = false;
      for (std::int64_t l = 0; l < L; ++l) {
        const double v = load_element(in.data, in.dtype, offset_of(flat(l), in.shape, in.strides));
        x[static_cast<std::size_t>(l)] = v;
        nan = nan || std::isnan(v);
        m = std::max(m, v);
      }
      // A NaN, a +inf (inf - inf) or a row of -inf (-inf - -inf) makes the row NaN.
      const bool bad = nan || std::isinf(m);
      // S = count of elements equal to the max + sum of exp(x - max) over the others;
      // ln S = log1p(S - 1) with S - 1 formed without the 1s, exact for a dominated row.
      double count = 0.0, below = 0.0;
      for (std::int64_t l = 0; l < L && !bad; ++l) {
        const double v = x[static_cast<std::size_t>(l)];
        if (v == m) count += 1.0;
        else below += std::exp(v - m);
      }
      const double s = count + below;
      const double ls = std::log1p((count - 1.0) + below);
      for (std::int64_t l = 0; l < L; ++l) {
        const double d = x[static_cast<std::size_t>(l)] - m;
        out[static_cast<std::size_t>(flat(l))] = bad ? kNaN : (log ? d - ls : std::exp(d) / s);
      }
    }
  }
  return out;
}

std::string sm_compare(DType dtype, const std::vector<double>& ref, const std::vector<double>& got) {
  std::ostringstream os;
  if (got.size() != ref.size()) {
    os << "got " << got.size() << " outputs, expected " << ref.size();
    return os.str();
  }
  const double T = tolerance(dtype);
  const double floor = dtype == DType::kF16 ? 0x1p-14 : 0x1p-100;
  double sum_err = 0.0, max_err = 0.0;
  std::size_t worst = 0;
  for (std::size_t i = 0; i < got.size(); ++i) {
    const double r = ref[i], g = got[i];
    double err;
    if (std::isnan(r)) err = std::isnan(g) ? 0.0 : kInf;
    else if (std::isinf(r) || r == 0.0) err = g == r ? 0.0 : kInf;
    else if (!std::isfinite(g)) err = kInf;
    else err = std::fabs(g - r) / std::max(std::fabs(r), floor);
    sum_err += err;
    if (err > max_err) {
      max_err = err;
      worst = i;
    }
  }
  const double mean_err = got.empty() ? 0.0 : sum_err / static_cast<double>(got.size());
  if (mean_err < T && max_err < 10 * T) return "";
  os.precision(17);
  os << "accuracy: mean rel err " << mean_err << " (limit " << T << "), max rel err " << max_err << " (limit "
     << 10 * T << ") at output " << worst << ": got " << got[worst] << ", expected " << ref[worst];
  return os.str();
}

std::string run_sm_case(Harness& h, const SmSpec& c, bool sync) {
  const HostInput hin = sm_input(c);
  const std::size_t es = dtype_size(c.dtype);
  const std::vector<double> ref = sm_reference(c.log, hin.view(), c.axis);
  auto* din = static_cast<unsigned char*>(h.upload(hin.bytes.data(), hin.bytes.size()));
  const Tensor tin(din + hin.origin * static_cast<std::int64_t>(es), c.dtype, hin.shape, hin.strides);

  std::vector<std::int64_t> ostrides = c.in_place ? hin.strides : strides_or_contiguous(c.out_strides, c.shape);
  std::int64_t lo = 0, hi = 0, ostorage = hin.storage, oorigin = hin.origin;
  unsigned char* dout = din;
  if (!c.in_place) {
    view_extent(c.shape, ostrides, lo, hi);
    ostorage = product(c.shape) == 0 ? 0 : hi - lo + 1;
    oorigin = -lo;
    dout = static_cast<unsigned char*>(h.alloc(static_cast<std::size_t>(ostorage) * es, 0xCD));
  }
  const Tensor tout(dout + oorigin * static_cast<std::int64_t>(es), c.dtype, c.shape, ostrides);
  ops::SoftmaxOptions o;
  o.axis = c.axis;
  Status s;
  if (sync) {
    s = c.log ? ops::log_softmax(tin, tout, o) : ops::softmax(tin, tout, o);
  } else {
    s = c.log ? ops::log_softmax(h.stream(), tin, tout, o) : ops::softmax(h.stream(), tin, tout, o);
    if (s == Status::kSuccess) s = h.stream().synchronize();
  }
  if (s != Status::kSuccess) return sm_describe(c) + ": " + status_name(s) + ": " + last_error_message();

  const std::vector<unsigned char> bytes = h.download(dout, static_cast<std::size_t>(ostorage) * es);
  View ov;
  ov.data = bytes.data() + oorigin * static_cast<std::int64_t>(es);
  ov.dtype = c.dtype;
  ov.shape = c.shape;
  ov.strides = ostrides;
  std::string err = sm_compare(c.dtype, ref, read_values(ov));
  if (!err.empty()) return sm_describe(c) + ": " + err;
  // Bytes outside the output view: untouched (0xCD, or the input itself in place).
  std::vector<bool> covered(static_cast<std::size_t>(ostorage), false);
  for (std::int64_t i = 0; i < product(c.shape); ++i)
    covered[static_cast<std::size_t>(oorigin + offset_of(i, c.shape, ostrides))] = true;
  for (std::int64_t e = 0; e < ostorage; ++e) {
    if (covered[static_cast<std::size_t>(e)]) continue;
    for (std::size_t b = 0; b < es; ++b) {
      const std::size_t at = static_cast<std::size_t>(e) * es + b;
      const unsigned char want = c.in_place ? hin.bytes[at] : 0xCD;
      if (bytes[at] != want) return sm_describe(c) + ": element " + std::to_string(e) + " outside the view was written";
    }
  }
  return "";
}

SmOutcome run_sm_values(Harness& h, bool log, DType dt, const std::vector<double>& values,
                        std::vector<std::int64_t> shape, int axis) {
  SmOutcome r;
  const std::size_t es = dtype_size(dt);
  std::vector<unsigned char> host(values.size() * es);
  for (std::size_t i = 0; i < values.size(); ++i) store_element(host.data(), dt, static_cast<std::int64_t>(i), values[i]);
  void* din = h.upload(host.data(), host.size());
  void* dout = h.alloc(host.size(), 0xCD);
  ops::SoftmaxOptions o;
  o.axis = axis;
  const Tensor tin(din, dt, shape), tout(dout, dt, shape);
  r.status = log ? ops::log_softmax(h.stream(), tin, tout, o) : ops::softmax(h.stream(), tin, tout, o);
  if (r.status == Status::kSuccess) r.status = h.stream().synchronize();
  if (r.status != Status::kSuccess) {
    r.message = last_error_message();
    return r;
  }
  const std::vector<unsigned char> bytes = h.download(dout, host.size());
  for (std::size_t i = 0; i < values.size(); ++i)
    r.values.push_back(load_element(bytes.data(), dt, static_cast<std::int64_t>(i)));
  return r;
}

std::vector<unsigned char> sm_output_bytes(Harness& h, const SmSpec& c) {
  const HostInput hin = sm_input(c);
  const std::size_t es = dtype_size(c.dtype);
  auto* din = static_cast<unsigned char*>(h.upload(hin.bytes.data(), hin.bytes.size()));
  const Tensor tin(din + hin.origin * static_cast<std::int64_t>(es), c.dtype, hin.shape, hin.strides);
  const std::size_t obytes = static_cast<std::size_t>(product(c.shape)) * es;
  void* dout = h.alloc(obytes, 0xCD);
  const Tensor tout(dout, c.dtype, c.shape);
  ops::SoftmaxOptions o;
  o.axis = c.axis;
  Status s = c.log ? ops::log_softmax(h.stream(), tin, tout, o) : ops::softmax(h.stream(), tin, tout, o);
  if (s == Status::kSuccess) s = h.stream().synchronize();
  std::vector<unsigned char> out;
  if (s == Status::kSuccess) out = h.download(dout, obytes);
  h.release(dout);
  h.release(din);
  return out;
}

}  // namespace vnpu::test
