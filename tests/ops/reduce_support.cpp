// The float64 reference and the run-and-check harness of the reduction suites.
#include "ops/reduce_support.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <sstream>

namespace vnpu::test {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

double as_double(std::int64_t v) { return static_cast<double>(v); }

}  // namespace

const char* op_label(ReduceOp op) {
  switch (op) {
    case ReduceOp::kSum: return "sum";
    case ReduceOp::kMean: return "mean";
    case ReduceOp::kMax: return "max";
    case ReduceOp::kMin: return "min";
    case ReduceOp::kProd: return "prod";
    case ReduceOp::kSumSquares: return "sum_sq";
    case ReduceOp::kL1: return "l1";
    case ReduceOp::kL2: return "l2";
    case ReduceOp::kLogSumExp: return "logsumexp";
    case ReduceOp::kVar: return "var";
    case ReduceOp::kStd: return "std";
    case ReduceOp::kArgMax: return "argmax";
    case ReduceOp::kArgMin: return "argmin";
    case ReduceOp::kAll: return "all";
    case ReduceOp::kAny: return "any";
    case ReduceOp::kLogSum: return "log_sum";
  }
  return "?";
}

bool op_supports(ReduceOp op, DType in) {
  if (is_floating(in)) return true;
  if (in != DType::kI32) return false;
  switch (op) {
    case ReduceOp::kSum:
    case ReduceOp::kProd:
    case ReduceOp::kMax:
    case ReduceOp::kMin:
    case ReduceOp::kArgMax:
    case ReduceOp::kArgMin:
    case ReduceOp::kAll:
    case ReduceOp::kAny: return true;
    default: return false;
  }
}

DType natural_out_dtype(ReduceOp op, DType in) {
  if (is_arg_op(op)) return DType::kI64;
  if (op == ReduceOp::kAll || op == ReduceOp::kAny) return DType::kBool;
  return in;
}

bool is_arg_op(ReduceOp op) { return op == ReduceOp::kArgMax || op == ReduceOp::kArgMin; }

bool is_exact_op(ReduceOp op, DType in) {
  if (in == DType::kI32) return true;
  switch (op) {
    case ReduceOp::kMax:
    case ReduceOp::kMin:
    case ReduceOp::kArgMax:
    case ReduceOp::kArgMin:
    case ReduceOp::kAll:
    case ReduceOp::kAny: return true;
    default: return false;
  }
}

double tolerance(DType in) {
  switch (in) {
    case DType::kF32: return std::ldexp(1.0, -13);
    case DType::kF16: return std::ldexp(1.0, -10);
    case DType::kBF16: return std::ldexp(1.0, -7);
    case DType::kF64: return std::ldexp(1.0, -36);  // the float64 reference's own rounding dominates
    default: return 0.0;
  }
}

double load_element(const void* base, DType dt, std::int64_t offset) {
  const auto* p = static_cast<const unsigned char*>(base) + offset * static_cast<std::int64_t>(dtype_size(dt));
  switch (dt) {
    case DType::kF32: {
      float f;
      std::memcpy(&f, p, 4);
      return f;
    }
    case DType::kF16: {
      std::uint16_t h;
      std::memcpy(&h, p, 2);
      return f16_to_f32(h);
    }
    case DType::kBF16: {
      std::uint16_t h;
      std::memcpy(&h, p, 2);
      return bf16_to_f32(h);
    }
    case DType::kI32: {
      std::int32_t i;
      std::memcpy(&i, p, 4);
      return i;
    }
    case DType::kI64: {
      std::int64_t i;
      std::memcpy(&i, p, 8);
      return as_double(i);
    }
    case DType::kBool: return *p;
    case DType::kF64: {
      double d;
      std::memcpy(&d, p, 8);
      return d;
    }
  }
  return kNaN;
}

void store_element(void* base, DType dt, std::int64_t offset, double v) {
  auto* p = static_cast<unsigned char*>(base) + offset * static_cast<std::int64_t>(dtype_size(dt));
  switch (dt) {
    case DType::kF32: {
      const auto f = static_cast<float>(v);
      std::memcpy(p, &f, 4);
      return;
    }
    case DType::kF16: {
      const std::uint16_t h = f32_to_f16(static_cast<float>(v));
      std::memcpy(p, &h, 2);
      return;
    }
    case DType::kBF16: {
      const std::uint16_t h = f32_to_bf16(static_cast<float>(v));
      std::memcpy(p, &h, 2);
      return;
    }
    case DType::kI32: {
      const auto i = static_cast<std::int32_t>(v);
      std::memcpy(p, &i, 4);
      return;
    }
    case DType::kI64: {
      const auto i = static_cast<std::int64_t>(v);
      std::memcpy(p, &i, 8);
      return;
    }
    case DType::kBool: *p = v != 0.0 ? 1 : 0; return;
    case DType::kF64: std::memcpy(p, &v, 8); return;
  }
}

std::uint64_t Rng::next() {
  std::uint64_t z = (s_ += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

double Rng::uniform(double lo, double hi) {
  return lo + (hi - lo) * (static_cast<double>(next() >> 11) * 0x1.0p-53);
}

ops::Axes to_axes(const AxisList& axes) {
  if (!axes) return ops::Axes::all();
  return ops::Axes(std::span<const int>(axes->data(), axes->size()));
}

std::vector<bool> reduce_mask(int rank, const AxisList& axes) {
  std::vector<bool> m(static_cast<std::size_t>(rank), !axes.has_value());
  if (axes)
    for (int a : *axes) m[static_cast<std::size_t>(a < 0 ? a + rank : a)] = true;
  return m;
}

std::vector<std::int64_t> expected_out_shape(std::span<const std::int64_t> shape, const std::vector<bool>& mask,
                                             bool keep_dims) {
  std::vector<std::int64_t> out;
  for (std::size_t d = 0; d < shape.size(); ++d) {
    if (!mask[d]) {
      out.push_back(shape[d]);
    } else if (keep_dims) {
      out.push_back(1);
    }
  }
  return out;
}

std::int64_t product(std::span<const std::int64_t> dims) {
  std::int64_t n = 1;
  for (std::int64_t d : dims) n *= d;
  return n;
}

std::vector<std::int64_t> contiguous_strides(std::span<const std::int64_t> shape) {
  std::vector<std::int64_t> s(shape.size());
  std::int64_t step = 1;
  for (std::size_t d = shape.size(); d-- > 0;) {
    s[d] = step;
    step *= std::max<std::int64_t>(shape[d], 1);
  }
  return s;
}

std::string shape_str(std::span<const std::int64_t> dims) {
  std::ostringstream os;
  os << '[';
  for (std::size_t i = 0; i < dims.size(); ++i) os << (i ? "," : "") << dims[i];
  os << ']';
  return os.str();
}

std::string axes_str(const AxisList& axes) {
  if (!axes) return "all";
  std::ostringstream os;
  os << '{';
  for (std::size_t i = 0; i < axes->size(); ++i) os << (i ? "," : "") << (*axes)[i];
  os << '}';
  return os.str();
}

namespace {

/// Visits every element of `shape` in row-major order with its memory offset (by
/// `strides`), its output index (row-major over dims with !mask) and its index among the
/// reduced dims (row-major over dims with mask).
template <class F>
void visit(std::span<const std::int64_t> shape, std::span<const std::int64_t> strides, const std::vector<bool>& mask,
           F&& f) {
  const std::size_t rank = shape.size();
  const std::int64_t total = product(shape);
  if (total == 0) return;
  std::vector<std::int64_t> ostride(rank, 0), rstride(rank, 0), idx(rank, 0);
  std::int64_t outs = 1, red = 1;
  for (std::size_t d = rank; d-- > 0;) {
    if (mask[d]) {
      rstride[d] = red;
      red *= shape[d];
    } else {
      ostride[d] = outs;
      outs *= shape[d];
    }
  }
  std::int64_t off = 0, o = 0, r = 0;
  for (std::int64_t n = 0; n < total; ++n) {
    f(off, o, r);
    for (std::size_t d = rank; d-- > 0;) {
      if (++idx[d] < shape[d]) {
        off += strides[d];
        o += ostride[d];
        r += rstride[d];
        break;
      }
      const std::int64_t back = shape[d] - 1;
      off -= strides[d] * back;
      o -= ostride[d] * back;
      r -= rstride[d] * back;
      idx[d] = 0;
    }
  }
}

}  // namespace

Reference reduce_reference(ReduceOp op, const View& in, const std::vector<bool>& mask, double correction,
                           bool last_index) {
  std::int64_t outs = 1, red = 1;
  for (std::size_t d = 0; d < in.shape.size(); ++d) (mask[d] ? red : outs) *= in.shape[d];
  Reference ref;
  ref.reduced = red;
  const auto n_out = static_cast<std::size_t>(outs);
  ref.value.assign(n_out, 0.0);
  ref.floor.assign(n_out, 0.0);
  const double n = as_double(red);

  auto x_at = [&](std::int64_t off) { return load_element(in.data, in.dtype, off); };

  if (in.dtype == DType::kI32) {
    std::vector<std::uint32_t> acc(n_out, op == ReduceOp::kProd ? 1u : 0u);
    std::vector<std::int64_t> best(n_out, 0), best_idx(n_out, -1);
    std::vector<bool> flag(n_out, op == ReduceOp::kAll);
    visit(in.shape, in.strides, mask, [&](std::int64_t off, std::int64_t o, std::int64_t r) {
      const auto x = static_cast<std::int64_t>(x_at(off));
      const auto u = static_cast<std::uint32_t>(static_cast<std::int32_t>(x));
      const auto i = static_cast<std::size_t>(o);
      switch (op) {
        case ReduceOp::kSum: acc[i] += u; break;
        case ReduceOp::kProd: acc[i] *= u; break;
        case ReduceOp::kMax:
        case ReduceOp::kArgMax:
          if (best_idx[i] < 0 || x > best[i] || (last_index && x == best[i])) best[i] = x, best_idx[i] = r;
          break;
        case ReduceOp::kMin:
        case ReduceOp::kArgMin:
          if (best_idx[i] < 0 || x < best[i] || (last_index && x == best[i])) best[i] = x, best_idx[i] = r;
          break;
        case ReduceOp::kAll: flag[i] = flag[i] && x != 0; break;
        case ReduceOp::kAny: flag[i] = flag[i] || x != 0; break;
        default: break;
      }
    });
    for (std::size_t i = 0; i < n_out; ++i) {
      switch (op) {
        case ReduceOp::kSum:
        case ReduceOp::kProd: ref.value[i] = static_cast<std::int32_t>(acc[i]); break;
        case ReduceOp::kMax:
        case ReduceOp::kMin: ref.value[i] = best_idx[i] < 0 ? kNaN : as_double(best[i]); break;  // empty: untested
        case ReduceOp::kArgMax:
        case ReduceOp::kArgMin: ref.value[i] = as_double(best_idx[i]); break;
        case ReduceOp::kAll:
        case ReduceOp::kAny: ref.value[i] = flag[i] ? 1.0 : 0.0; break;
        default: ref.value[i] = kNaN; break;
      }
    }
    return ref;
  }

  // Floating inputs. Pass 1: sums, extremes, flags.
  std::vector<double> acc(n_out, 0.0), mag(n_out, 0.0), sq(n_out, 0.0);
  std::vector<double> best(n_out, 0.0);
  std::vector<std::int64_t> best_idx(n_out, -1);
  std::vector<bool> nan_seen(n_out, false), locked(n_out, false);
  std::vector<bool> flag(n_out, op == ReduceOp::kAll);
  if (op == ReduceOp::kProd) acc.assign(n_out, 1.0);
  if (op == ReduceOp::kMax || op == ReduceOp::kLogSumExp) acc.assign(n_out, -kInf);
  if (op == ReduceOp::kMin) acc.assign(n_out, kInf);
  visit(in.shape, in.strides, mask, [&](std::int64_t off, std::int64_t o, std::int64_t r) {
    const double x = x_at(off);
    const auto i = static_cast<std::size_t>(o);
    if (std::isnan(x)) nan_seen[i] = true;
    mag[i] += std::fabs(x);
    sq[i] += x * x;
    switch (op) {
      case ReduceOp::kSum:
      case ReduceOp::kMean:
      case ReduceOp::kLogSum:
      case ReduceOp::kVar:
      case ReduceOp::kStd: acc[i] += x; break;
      case ReduceOp::kProd: acc[i] *= x; break;
      case ReduceOp::kSumSquares:
      case ReduceOp::kL2: acc[i] += x * x; break;
      case ReduceOp::kL1: acc[i] += std::fabs(x); break;
      case ReduceOp::kMax:
      case ReduceOp::kLogSumExp:
        if (!std::isnan(x)) acc[i] = std::max(acc[i], x);
        break;
      case ReduceOp::kMin:
        if (!std::isnan(x)) acc[i] = std::min(acc[i], x);
        break;
      case ReduceOp::kArgMax:
      case ReduceOp::kArgMin:
        if (locked[i]) break;
        if (std::isnan(x)) {
          best_idx[i] = r;
          locked[i] = true;
        } else if (best_idx[i] < 0 || (op == ReduceOp::kArgMax ? x > best[i] : x < best[i]) ||
                   (last_index && x == best[i])) {
          best[i] = x;
          best_idx[i] = r;
        }
        break;
      case ReduceOp::kAll: flag[i] = flag[i] && x != 0.0; break;  // NaN != 0: nonzero
      case ReduceOp::kAny: flag[i] = flag[i] || x != 0.0; break;
    }
  });

  // Pass 2 where the op needs the first pass's result.
  std::vector<double> acc2(n_out, 0.0);
  if (op == ReduceOp::kVar || op == ReduceOp::kStd || op == ReduceOp::kLogSumExp) {
    visit(in.shape, in.strides, mask, [&](std::int64_t off, std::int64_t o, std::int64_t) {
      const double x = x_at(off);
      const auto i = static_cast<std::size_t>(o);
      if (op == ReduceOp::kLogSumExp) {
        if (std::isfinite(acc[i])) acc2[i] += std::exp(x - acc[i]);
      } else {
        const double d = x - acc[i] / n;
        acc2[i] += d * d;
      }
    });
  }

  for (std::size_t i = 0; i < n_out; ++i) {
    double v = kNaN, fl = 0.0;
    switch (op) {
      case ReduceOp::kSum:
        v = acc[i];
        fl = mag[i] / 16;
        break;
      case ReduceOp::kMean:
        v = red == 0 ? kNaN : acc[i] / n;
        fl = red == 0 ? 0.0 : mag[i] / n / 16;
        break;
      case ReduceOp::kLogSum:
        v = std::log(acc[i]);  // NaN below zero, -inf at zero (and when empty)
        fl = 1.0;
        break;
      case ReduceOp::kProd: v = acc[i]; break;
      case ReduceOp::kSumSquares: v = acc[i]; break;
      case ReduceOp::kL1: v = acc[i]; break;
      case ReduceOp::kL2: v = std::sqrt(acc[i]); break;
      case ReduceOp::kMax:
      case ReduceOp::kMin: v = nan_seen[i] ? kNaN : acc[i]; break;
      case ReduceOp::kLogSumExp:
        if (nan_seen[i]) {
          v = kNaN;
        } else if (!std::isfinite(acc[i])) {
          v = acc[i];  // -inf: empty or all -inf; +inf: some +inf
        } else {
          v = acc[i] + std::log(acc2[i]);
        }
        fl = 1.0;
        break;
      case ReduceOp::kVar:
      case ReduceOp::kStd: {
        const double denom = n - correction;
        const double var = (red == 0 || denom <= 0.0) ? kNaN : acc2[i] / denom;
        v = op == ReduceOp::kVar ? var : std::sqrt(var);
        const double ms = red == 0 ? 0.0 : sq[i] / n;
        fl = op == ReduceOp::kVar ? ms / 256 : std::sqrt(ms) / 16;
        break;
      }
      case ReduceOp::kArgMax:
      case ReduceOp::kArgMin: v = as_double(best_idx[i]); break;
      case ReduceOp::kAll:
      case ReduceOp::kAny: v = flag[i] ? 1.0 : 0.0; break;
    }
    ref.value[i] = v;
    ref.floor[i] = fl;
  }
  return ref;
}

std::vector<double> read_view(const View& v) {
  const std::int64_t total = product(v.shape);
  std::vector<double> out;
  out.reserve(static_cast<std::size_t>(std::max<std::int64_t>(total, 0)));
  std::vector<bool> none(v.shape.size(), false);
  visit(v.shape, v.strides, none, [&](std::int64_t off, std::int64_t, std::int64_t) {
    out.push_back(load_element(v.data, v.dtype, off));
  });
  return out;
}

std::string compare(ReduceOp op, DType in_dtype, const Reference& ref, const std::vector<double>& got) {
  std::ostringstream os;
  if (got.size() != ref.value.size()) {
    os << "got " << got.size() << " outputs, expected " << ref.value.size();
    return os.str();
  }
  const bool exact = is_exact_op(op, in_dtype);
  const double T = tolerance(in_dtype);
  double sum_err = 0.0, max_err = 0.0;
  std::size_t worst = 0, mismatches = 0, first_mismatch = 0;
  for (std::size_t i = 0; i < got.size(); ++i) {
    const double r = ref.value[i], g = got[i];
    if (exact) {
      const bool same = (std::isnan(r) && std::isnan(g)) || r == g;
      if (!same && mismatches++ == 0) first_mismatch = i;
      continue;
    }
    double err;
    if (std::isnan(r)) {
      err = std::isnan(g) ? 0.0 : kInf;
    } else if (std::isinf(r)) {
      err = g == r ? 0.0 : kInf;
    } else if (!std::isfinite(g)) {
      err = kInf;
    } else {
      const double denom = std::max(std::fabs(r), ref.floor[i]);
      err = denom > 0.0 ? std::fabs(g - r) / denom : (g == 0.0 ? 0.0 : kInf);
    }
    sum_err += err;
    if (err > max_err || (std::isnan(err) && !std::isnan(max_err))) {
      max_err = err;
      worst = i;
    }
  }
  os.precision(17);
  if (exact) {
    if (mismatches == 0) return "";
    os << mismatches << " of " << got.size() << " outputs differ; first at output " << first_mismatch << ": got "
       << got[first_mismatch] << ", expected " << ref.value[first_mismatch];
    return os.str();
  }
  const double mean_err = got.empty() ? 0.0 : sum_err / static_cast<double>(got.size());
  if (mean_err < T && max_err < 10 * T) return "";
  os << "accuracy: mean rel err " << mean_err << " (limit " << T << "), max rel err " << max_err << " (limit "
     << 10 * T << ") at output " << worst << ": got " << got[worst] << ", expected " << ref.value[worst]
     << " (floor " << ref.floor[worst] << ", " << ref.reduced << " elements reduced)";
  return os.str();
}

View HostInput::view() const {
  View v;
  v.data = bytes.data() + origin * static_cast<std::int64_t>(dtype_size(dtype));
  v.dtype = dtype;
  v.shape = shape;
  v.strides = strides;
  return v;
}

namespace {

/// Extent of a strided view: the lowest and highest element offsets it touches.
void extent(std::span<const std::int64_t> shape, std::span<const std::int64_t> strides, std::int64_t& lo,
            std::int64_t& hi) {
  lo = hi = 0;
  for (std::size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] <= 0) continue;
    const std::int64_t span = strides[d] * (shape[d] - 1);
    (span < 0 ? lo : hi) += span;
  }
}

}  // namespace

HostInput make_input(ReduceOp op, DType dt, std::span<const std::int64_t> shape, std::span<const std::int64_t> strides,
                     std::int64_t reduce_len, std::uint64_t seed) {
  HostInput h;
  h.dtype = dt;
  h.shape.assign(shape.begin(), shape.end());
  h.strides = strides.empty() ? contiguous_strides(shape) : std::vector<std::int64_t>(strides.begin(), strides.end());
  std::int64_t lo = 0, hi = 0;
  extent(h.shape, h.strides, lo, hi);
  h.storage = product(h.shape) == 0 ? 0 : hi - lo + 1;
  h.origin = -lo;
  h.bytes.assign(static_cast<std::size_t>(std::max<std::int64_t>(h.storage, 1)) * dtype_size(dt), 0);
  Rng rng(seed * 0x2545F4914F6CDD1Dull + static_cast<std::uint64_t>(op) * 131 + static_cast<std::uint64_t>(dt));
  const double len = static_cast<double>(std::max<std::int64_t>(reduce_len, 1));
  // Sparse zeros for all (p ≈ 0.7/len: some outputs true, some false), sparse nonzeros
  // for any; a nonzero is NaN one time in ten, a zero is -0.0 half the time.
  const double p_rare = std::min(1.0, 0.7 / len);
  const double prod_delta = std::min(0.5, 4.0 / std::sqrt(len));
  auto signed_zero = [&] { return rng.chance(0.5) ? -0.0 : 0.0; };
  auto nonzero = [&]() {
    if (dt != DType::kI32 && rng.chance(0.1)) return std::numeric_limits<double>::quiet_NaN();
    const double m = dt == DType::kI32 ? std::floor(rng.uniform(1.0, 1000.0)) : rng.uniform(0.5, 2.0);
    return rng.chance(0.5) ? -m : m;
  };
  // One pass: draw, round to the dtype, store.
  unsigned char* out = h.bytes.data();
  const auto n = static_cast<std::size_t>(h.storage);
  auto fill = [&](auto&& gen) {
    switch (dt) {
      case DType::kF32:
        for (std::size_t i = 0; i < n; ++i) {
          const auto f = static_cast<float>(gen());
          std::memcpy(out + 4 * i, &f, 4);
        }
        break;
      case DType::kF16:
        for (std::size_t i = 0; i < n; ++i) {
          const std::uint16_t b = f32_to_f16(static_cast<float>(gen()));
          std::memcpy(out + 2 * i, &b, 2);
        }
        break;
      case DType::kBF16:
        for (std::size_t i = 0; i < n; ++i) {
          const std::uint16_t b = f32_to_bf16(static_cast<float>(gen()));
          std::memcpy(out + 2 * i, &b, 2);
        }
        break;
      default:
        for (std::size_t i = 0; i < n; ++i) store_element(out, dt, static_cast<std::int64_t>(i), gen());
        break;
    }
  };
  if (dt == DType::kI32) {
    switch (op) {
      case ReduceOp::kSum:  // full range: sums wrap
        fill([&] { return static_cast<double>(static_cast<std::int32_t>(static_cast<std::uint32_t>(rng.next() >> 32))); });
        break;
      case ReduceOp::kProd:  // small factors, and now and then a large one so products wrap
        fill([&] {
          if (rng.chance(0.02)) {
            const auto v = static_cast<std::int32_t>(rng.next() >> 40);
            return v == 0 ? 3.0 : static_cast<double>(v);
          }
          return std::floor(rng.uniform(1.0, 8.0)) * (rng.chance(0.5) ? -1.0 : 1.0);
        });
        break;
      case ReduceOp::kAll: fill([&] { return rng.chance(p_rare) ? 0.0 : nonzero(); }); break;
      case ReduceOp::kAny: fill([&] { return rng.chance(p_rare) ? nonzero() : 0.0; }); break;
      default:  // max, min, argmax, argmin: many ties, and the extremes now and then
        fill([&] {
          if (rng.chance(0.001))
            return rng.chance(0.5) ? static_cast<double>(std::numeric_limits<std::int32_t>::max())
                                   : static_cast<double>(std::numeric_limits<std::int32_t>::min());
          return std::floor(rng.uniform(-1000.0, 1000.0));
        });
        break;
    }
  } else {
    switch (op) {
      case ReduceOp::kSum:
      case ReduceOp::kMean:
      case ReduceOp::kVar:
      case ReduceOp::kStd: fill([&] { return rng.uniform(-1.0, 3.0); }); break;
      case ReduceOp::kMax:
      case ReduceOp::kMin:
      case ReduceOp::kArgMax:
      case ReduceOp::kArgMin: fill([&] { return rng.uniform(-100.0, 100.0); }); break;
      case ReduceOp::kProd:
        // |product| stays within about e^±8 for any length; one factor in 20 is negative.
        fill([&] { return (1.0 + rng.uniform(-prod_delta, prod_delta)) * (rng.chance(0.05) ? -1.0 : 1.0); });
        break;
      case ReduceOp::kSumSquares:
      case ReduceOp::kL1:
      case ReduceOp::kL2: fill([&] { return rng.uniform(-2.0, 2.0); }); break;
      case ReduceOp::kLogSumExp: fill([&] { return rng.uniform(-10.0, 10.0); }); break;
      case ReduceOp::kLogSum: fill([&] { return rng.uniform(0.0, 4.0); }); break;  // positive sums
      case ReduceOp::kAll: fill([&] { return rng.chance(p_rare) ? signed_zero() : nonzero(); }); break;
      case ReduceOp::kAny: fill([&] { return rng.chance(p_rare) ? nonzero() : signed_zero(); }); break;
    }
  }
  return h;
}

Harness::Harness(int cores) {
  dev_ = make_device(cores, 1, std::size_t{1} << 30).value();
  stream_ = dev_.create_stream().value();
}

Harness::~Harness() {
  (void)stream_.synchronize();
  for (void* p : owned_) (void)vnpu::free(p);
}

void* Harness::upload(const void* host, std::size_t bytes) {
  void* d = dev_.malloc(std::max<std::size_t>(bytes, 64)).value();
  owned_.push_back(d);
  if (bytes != 0) check(vnpu::memcpy(d, bytes, host, bytes, CopyKind::kHostToDevice));
  return d;
}

void* Harness::alloc(std::size_t bytes, int fill) {
  const std::size_t n = std::max<std::size_t>(bytes, 64);
  void* d = dev_.malloc(n).value();
  owned_.push_back(d);
  check(vnpu::memset(d, n, fill, n));
  return d;
}

std::vector<unsigned char> Harness::download(const void* dev, std::size_t bytes) {
  std::vector<unsigned char> h(bytes);
  if (bytes != 0) check(vnpu::memcpy(h.data(), bytes, dev, bytes, CopyKind::kDeviceToHost));
  return h;
}

void Harness::release(void* p) {
  auto it = std::find(owned_.begin(), owned_.end(), p);
  if (it != owned_.end()) {
    owned_.erase(it);
    (void)vnpu::free(p);
  }
}

std::string describe(const CaseSpec& c) {
  std::ostringstream os;
  os << op_label(c.op) << " " << dtype_name(c.dtype) << " shape=" << shape_str(c.shape);
  if (!c.strides.empty()) os << " strides=" << shape_str(c.strides);
  os << " axes=" << axes_str(c.axes) << " keep_dims=" << c.keep_dims;
  if (c.op == ReduceOp::kVar || c.op == ReduceOp::kStd) os << " correction=" << c.correction;
  if (c.select_last_index) os << " select_last_index";
  if (c.out_dtype) os << " out=" << dtype_name(*c.out_dtype);
  if (!c.out_strides.empty()) os << " out_strides=" << shape_str(c.out_strides);
  os << " isa=" << active_isa();
  return os.str();
}

std::string run_case(Harness& h, const CaseSpec& c) {
  const auto fail = [&](const std::string& what) { return describe(c) + ": " + what; };
  const int rank = static_cast<int>(c.shape.size());
  const std::vector<bool> mask = reduce_mask(rank, c.axes);
  std::int64_t reduce_len = 1;
  for (int d = 0; d < rank; ++d)
    if (mask[static_cast<std::size_t>(d)]) reduce_len *= c.shape[static_cast<std::size_t>(d)];

  const HostInput in = make_input(c.op, c.dtype, c.shape, c.strides, reduce_len, c.seed);
  const Reference ref = reduce_reference(c.op, in.view(), mask, c.correction, c.select_last_index);

  DType out_dt = c.out_dtype.value_or(natural_out_dtype(c.op, c.dtype));
  if (out_dt == DType::kF16) {
    for (double v : ref.value)
      if (std::isfinite(v) && v != 0.0 && (std::fabs(v) > 60000.0 || std::fabs(v) < 0x1p-14)) out_dt = DType::kF32;
  }
  const std::vector<std::int64_t> oshape = expected_out_shape(c.shape, mask, c.keep_dims);

  ops::ReduceOptions opts;
  opts.axes = to_axes(c.axes);
  opts.keep_dims = c.keep_dims;
  opts.correction = c.correction;
  opts.select_last_index = c.select_last_index;

  const std::size_t esize = dtype_size(c.dtype);
  auto* din = static_cast<unsigned char*>(h.upload(in.bytes.data(), static_cast<std::size_t>(in.storage) * esize));
  const Tensor tin(din + in.origin * static_cast<std::int64_t>(esize), c.dtype, in.shape, in.strides);

  // reduce_output_shape agrees with the shape rule.
  Expected<ops::ReduceShape> rs = ops::reduce_output_shape(c.op, tin, opts);
  if (!rs) return fail(std::string("reduce_output_shape failed: ") + status_name(rs.status()) + ": " + last_error_message());
  const std::vector<std::int64_t> rshape(rs->shape().begin(), rs->shape().end());
  if (rshape != oshape) return fail("reduce_output_shape gave " + shape_str(rshape) + ", expected " + shape_str(oshape));
  const DType natural = natural_out_dtype(c.op, c.dtype);
  if (rs->dtype != natural && !(is_floating(natural) && natural != DType::kF32 && rs->dtype == DType::kF32))
    return fail(std::string("reduce_output_shape dtype ") + dtype_name(rs->dtype) + ", expected " + dtype_name(natural));

  // Output: the view sits 64 bytes into an allocation filled with 0xCD; afterwards every
  // byte outside the view must still be 0xCD.
  const std::vector<std::int64_t> ostrides = c.out_strides.empty() ? contiguous_strides(oshape) : c.out_strides;
  std::int64_t lo = 0, hi = 0;
  extent(oshape, ostrides, lo, hi);
  const std::size_t osize = dtype_size(out_dt);
  const std::int64_t onum = product(oshape);
  const std::size_t ostorage = onum == 0 ? 0 : static_cast<std::size_t>(hi - lo + 1) * osize;
  const std::size_t obytes = ostorage + 128;
  auto* dout = static_cast<unsigned char*>(h.alloc(obytes, 0xCD));
  unsigned char* origin = dout + 64 + static_cast<std::size_t>(-lo) * osize;
  const Tensor tout(origin, out_dt, oshape, ostrides);

  // VNPU_TEST_TRACE=1 names each case before it runs, to find the one that crashes.
  static const bool trace = std::getenv("VNPU_TEST_TRACE") != nullptr;
  if (trace) std::fprintf(stderr, "run_case: %s\n", describe(c).c_str());
  const Status st = ops::reduce(h.stream(), c.op, tin, tout, opts);
  if (st != Status::kSuccess) return fail(std::string("reduce returned ") + status_name(st) + ": " + last_error_message());
  const Status ss = h.stream().synchronize();
  if (ss != Status::kSuccess) return fail(std::string("synchronize returned ") + status_name(ss) + ": " + last_error_message());

  std::vector<unsigned char> back = h.download(dout, obytes);
  std::vector<bool> in_view(obytes, false);
  std::vector<bool> none(oshape.size(), false);
  visit(oshape, ostrides, none, [&](std::int64_t off, std::int64_t, std::int64_t) {
    const std::size_t b = 64 + static_cast<std::size_t>(off - lo) * osize;
    for (std::size_t k = 0; k < osize; ++k) in_view[b + k] = true;
  });
  for (std::size_t b = 0; b < obytes; ++b)
    if (!in_view[b] && back[b] != 0xCD)
      return fail("wrote outside the output view (byte " + std::to_string(b) + " of the allocation, view at 64)");

  View ov;
  ov.data = back.data() + 64 + static_cast<std::size_t>(-lo) * osize;
  ov.dtype = out_dt;
  ov.shape = oshape;
  ov.strides = ostrides;
  const std::vector<double> got = read_view(ov);
  if (out_dt == DType::kBool) {
    for (double g : got)
      if (g != 0.0 && g != 1.0) return fail("bool output holds a byte other than 0 or 1: " + std::to_string(g));
  }
  // An f64 input written as f32: the reference rounded to f32, judged as an f32 result.
  Reference judged = ref;
  DType judged_dt = c.dtype;
  if (c.dtype == DType::kF64 && out_dt == DType::kF32) {
    for (double& v : judged.value) v = static_cast<double>(static_cast<float>(v));
    judged_dt = DType::kF32;
  }
  std::string verdict = compare(c.op, judged_dt, judged, got);
  h.release(din);
  h.release(dout);
  if (!verdict.empty()) return fail(verdict);
  return "";
}

Outcome run_values(Harness& h, ReduceOp op, DType dt, const std::vector<double>& values,
                   std::vector<std::int64_t> shape, const ops::ReduceOptions& opts, std::optional<DType> out_dtype) {
  Outcome r;
  const std::int64_t n = product(shape);
  std::vector<unsigned char> host(static_cast<std::size_t>(std::max<std::int64_t>(n, 1)) * dtype_size(dt));
  for (std::int64_t i = 0; i < n; ++i) store_element(host.data(), dt, i, values[static_cast<std::size_t>(i)]);
  void* din = h.upload(host.data(), static_cast<std::size_t>(n) * dtype_size(dt));
  const Tensor in(din, dt, shape);
  Expected<ops::ReduceShape> rs = ops::reduce_output_shape(op, in, opts);
  if (!rs) {
    r.status = rs.status();
    r.message = last_error_message();
    h.release(din);
    return r;
  }
  r.shape.assign(rs->shape().begin(), rs->shape().end());
  const DType odt = out_dtype.value_or(natural_out_dtype(op, dt));
  const std::int64_t on = product(r.shape);
  const std::size_t obytes = static_cast<std::size_t>(on) * dtype_size(odt);
  void* dout = h.alloc(obytes, 0xCD);
  const Tensor out(dout, odt, r.shape);
  r.status = ops::reduce(h.stream(), op, in, out, opts);
  if (r.status == Status::kSuccess) r.status = h.stream().synchronize();
  if (r.status != Status::kSuccess) {
    r.message = last_error_message();
  } else {
    const std::vector<unsigned char> back = h.download(dout, obytes);
    for (std::int64_t i = 0; i < on; ++i) r.values.push_back(load_element(back.data(), odt, i));
  }
  h.release(din);
  h.release(dout);
  return r;
}

std::vector<std::string> isas() { return available_isas(); }

ScopedIsa::ScopedIsa(const std::string& isa) { ok_ = set_isa(isa) == Status::kSuccess; }

ScopedIsa::~ScopedIsa() { (void)set_isa("native"); }

}  // namespace vnpu::test
