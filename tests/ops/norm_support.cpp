#include "ops/norm_support.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <cstring>
#include <sstream>

namespace vnpu::test {

namespace {

// A host image of a (possibly strided, positive strides) tensor and its device copy.
struct Buf {
  DType dt = DType::kF32;
  std::vector<std::int64_t> shape, strides;
  std::vector<unsigned char> host;  // storage as uploaded
  void* dev = nullptr;

  std::int64_t numel() const { return product(shape); }
  std::int64_t offset(std::int64_t flat) const {
    std::int64_t off = 0;
    for (int k = static_cast<int>(shape.size()) - 1; k >= 0; --k) {
      off += (flat % shape[k]) * strides[k];
      flat /= shape[k];
    }
    return off;
  }
  double at(const std::vector<unsigned char>& bytes, std::int64_t flat) const {
    return load_element(bytes.data(), dt, offset(flat));
  }
  Tensor tensor() const { return Tensor(dev, dt, shape, strides); }
};

// Storage filled with 0xCD; the view's elements set by fill(flat) when given.
template <class Fill>
Buf make_buf(Harness& h, DType dt, std::vector<std::int64_t> shape, std::vector<std::int64_t> strides, Fill fill) {
  Buf b;
  b.dt = dt;
  b.shape = std::move(shape);
  b.strides = strides.empty() ? contiguous_strides(b.shape) : std::move(strides);
  std::int64_t storage = b.numel() == 0 ? 0 : 1;
  for (std::size_t k = 0; k < b.shape.size(); ++k) storage += (b.shape[k] - 1) * b.strides[k];
  if (b.numel() == 0) storage = 0;
  b.host.assign(static_cast<std::size_t>(storage) * dtype_size(dt), 0xCD);
  if constexpr (!std::is_same_v<Fill, std::nullptr_t>)
    for (std::int64_t i = 0; i < b.numel(); ++i) store_element(b.host.data(), dt, b.offset(i), fill(i));
  b.dev = h.upload(b.host.data(), b.host.size());
  return b;
}

double tol(DType t) { return tolerance(t); }
double coarser(DType a, DType b) { return std::max(tol(a), tol(b)); }

// "" if got meets the accuracy rule against ref (see the header).
std::string compare(const char* what, const std::vector<double>& got, const std::vector<double>& ref,
                    const std::vector<double>& floor, double T) {
  double sum = 0, worst = 0;
  std::size_t worst_i = 0;
  for (std::size_t i = 0; i < ref.size(); ++i) {
    const double r = ref[i], g = got[i];
    if (std::isnan(r) || std::isinf(r)) {
      const bool ok = std::isnan(r) ? std::isnan(g) : g == r;
      if (!ok) return std::string(what) + "[" + std::to_string(i) + "] = " + std::to_string(g) + ", want " + std::to_string(r);
      continue;
    }
    if (!std::isfinite(g)) return std::string(what) + "[" + std::to_string(i) + "] = " + std::to_string(g) + ", want " + std::to_string(r);
    const double e = std::fabs(g - r) / std::max(std::fabs(r), floor.empty() ? 0.0 : floor[i]);
    const double err = std::isnan(e) ? 0.0 : e;  // 0/0: both exactly 0
    sum += err;
    if (err > worst) {
      worst = err;
      worst_i = i;
    }
  }
  const double mean = ref.empty() ? 0 : sum / static_cast<double>(ref.size());
  if (mean < T && worst < 10 * T) return "";
  std::ostringstream os;
  os << what << ": mean rel err " << mean << " (limit " << T << "), max " << worst << " (limit " << 10 * T << ") at ["
     << worst_i << "]: got " << got[worst_i] << ", want " << ref[worst_i];
  return os.str();
}

// Checks that bytes outside the view's elements are as uploaded.
std::string untouched(const char* what, const Buf& b, const std::vector<unsigned char>& now) {
  std::vector<char> in_view(b.host.size(), 0);
  const std::size_t es = dtype_size(b.dt);
  for (std::int64_t i = 0; i < b.numel(); ++i)
    std::fill_n(in_view.begin() + static_cast<std::ptrdiff_t>(static_cast<std::size_t>(b.offset(i)) * es),
                static_cast<std::ptrdiff_t>(es), 1);
  for (std::size_t k = 0; k < now.size(); ++k)
    if (in_view[k] == 0 && now[k] != b.host[k]) return std::string(what) + ": byte " + std::to_string(k) + " outside the view changed";
  return "";
}

struct Setup {
  Buf x, y, gamma, beta, mean, rstd, rmean, rvar;
  bool has_g = false, has_b = false, has_stats = false, has_run = false;
  std::int64_t C = 0;
};

std::vector<std::int64_t> param_shape(const NormCase& c) {
  if (c.op == NormOp::kLayer || c.op == NormOp::kRms)
    return {c.shape.end() - c.normalized_ndim, c.shape.end()};
  return {c.shape[1]};
}

std::vector<std::int64_t> stats_shape(const NormCase& c) {
  if (c.op == NormOp::kLayer || c.op == NormOp::kRms) return {c.shape.begin(), c.shape.end() - c.normalized_ndim};
  if (c.op == NormOp::kGroup) return {c.shape[0], c.groups};
  return {c.shape[1]};
}

Setup prepare(Harness& h, const NormCase& c) {
  Setup s;
  Rng rng(c.seed * 7919 + static_cast<std::uint64_t>(c.op) * 131 + static_cast<std::uint64_t>(c.dtype));
  s.x = make_buf(h, c.dtype, c.shape, c.strides, [&](std::int64_t) {
    const double v = c.offset + c.scale * rng.uniform(-2, 2);
    if (!c.specials) return v;
    const double u = rng.uniform(0, 1), nan = std::numeric_limits<double>::quiet_NaN();
    const double inf = std::numeric_limits<double>::infinity();
    return u < 1.0 / 3000 ? nan : u < 2.0 / 3000 ? -nan : u < 3.0 / 3000 ? inf : u < 4.0 / 3000 ? -inf : v;
  });
  if (c.in_place) s.y = s.x;
  else s.y = make_buf(h, c.dtype, c.shape, c.strides, nullptr);
  const std::vector<std::int64_t> ps = param_shape(c), ss = stats_shape(c);
  if (c.gamma) {
    s.has_g = true;
    s.gamma = make_buf(h, *c.gamma, ps, {}, [&](std::int64_t) { return rng.uniform(0.5, 1.5) * (rng.chance(0.2) ? -1 : 1); });
  }
  if (c.beta) {
    s.has_b = true;
    s.beta = make_buf(h, *c.beta, ps, {}, [&](std::int64_t) { return rng.uniform(-1, 1); });
  }
  if (c.stats && !(c.op == NormOp::kBatch && !c.training)) {  // inference has no save_* outputs
    s.has_stats = true;
    s.mean = make_buf(h, *c.stats, ss, {}, nullptr);
    s.rstd = make_buf(h, *c.stats, ss, {}, nullptr);
  }
  if (c.running) {
    s.has_run = true;
    s.rmean = make_buf(h, *c.running, ss, {}, [&](std::int64_t) { return c.offset + rng.uniform(-1, 1); });
    s.rvar = make_buf(h, *c.running, ss, {}, [&](std::int64_t) { return c.scale * c.scale * rng.uniform(0.5, 2); });
  }
  return s;
}

Status run_op(Harness& h, const NormCase& c, const Setup& s) {
  const Tensor x = s.x.tensor(), y = s.y.tensor();
  auto opt = [](bool has, const Buf& b) { return has ? std::optional<Tensor>(b.tensor()) : std::nullopt; };
  Status st = Status::kSuccess;
  switch (c.op) {
    case NormOp::kLayer: {
      ops::LayerNormOptions o{c.normalized_ndim, c.eps, opt(s.has_g, s.gamma), opt(s.has_b, s.beta),
                              opt(s.has_stats, s.mean), opt(s.has_stats, s.rstd)};
      st = c.sync_form ? ops::layer_norm(x, y, o) : ops::layer_norm(h.stream(), x, y, o);
      break;
    }
    case NormOp::kRms: {
      ops::RmsNormOptions o{c.normalized_ndim, c.eps, opt(s.has_g, s.gamma), opt(s.has_stats, s.rstd)};
      st = c.sync_form ? ops::rms_norm(x, y, o) : ops::rms_norm(h.stream(), x, y, o);
      break;
    }
    case NormOp::kBatch: {
      ops::BatchNormOptions o;
      o.training = c.training;
      o.eps = c.eps;
      o.momentum = c.momentum;
      o.gamma = opt(s.has_g, s.gamma);
      o.beta = opt(s.has_b, s.beta);
      o.running_mean = opt(s.has_run, s.rmean);
      o.running_var = opt(s.has_run, s.rvar);
      o.save_mean = opt(s.has_stats, s.mean);
      o.save_invstd = opt(s.has_stats, s.rstd);
      st = c.sync_form ? ops::batch_norm(x, y, o) : ops::batch_norm(h.stream(), x, y, o);
      break;
    }
    case NormOp::kGroup: {
      ops::GroupNormOptions o{c.groups, c.eps, opt(s.has_g, s.gamma), opt(s.has_b, s.beta), opt(s.has_stats, s.mean),
                              opt(s.has_stats, s.rstd)};
      st = c.sync_form ? ops::group_norm(x, y, o) : ops::group_norm(h.stream(), x, y, o);
      break;
    }
  }
  if (st != Status::kSuccess || c.sync_form) return st;
  return h.stream().synchronize();
}

// The float64 reference.
struct Ref {
  std::vector<double> y, y_floor, mean, mean_floor, rstd, rmean, rmean_floor, rvar;
};

Ref reference(const NormCase& c, const Setup& s) {
  Ref r;
  const std::int64_t n = product(c.shape);
  std::vector<double> x(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) x[static_cast<std::size_t>(i)] = s.x.at(s.x.host, i);
  auto g_at = [&](std::int64_t k) { return s.has_g ? s.gamma.at(s.gamma.host, k) : 1.0; };
  auto b_at = [&](std::int64_t k) { return s.has_b ? s.beta.at(s.beta.host, k) : 0.0; };
  r.y.resize(x.size());
  r.y_floor.resize(x.size());
  // Groups as lists of flat indices, and the parameter index of each element.
  std::vector<std::vector<std::int64_t>> groups;
  std::vector<std::int64_t> pidx(x.size());
  const std::int64_t N = c.shape.empty() ? 1 : c.shape[0];
  if (c.op == NormOp::kLayer || c.op == NormOp::kRms) {
    const std::int64_t M = product(param_shape(c));
    for (std::int64_t row = 0; M > 0 && row < n / M; ++row) {
      groups.emplace_back();
      for (std::int64_t j = 0; j < M; ++j) {
        groups.back().push_back(row * M + j);
        pidx[static_cast<std::size_t>(row * M + j)] = j;
      }
    }
  } else {
    const std::int64_t C = c.shape[1], S = C == 0 || N == 0 ? 0 : n / (N * C);
    const std::int64_t G = c.op == NormOp::kGroup ? c.groups : C;
    groups.resize(static_cast<std::size_t>(c.op == NormOp::kGroup ? N * G : C));
    for (std::int64_t i = 0; i < n; ++i) {
      const std::int64_t ch = (i / S) % C, nn = i / (S * C);
      pidx[static_cast<std::size_t>(i)] = ch;
      const std::int64_t g = c.op == NormOp::kGroup ? nn * G + ch / (C / G) : ch;
      groups[static_cast<std::size_t>(g)].push_back(i);
    }
  }
  for (std::size_t g = 0; g < groups.size(); ++g) {
    const auto& idx = groups[g];
    const auto cnt = static_cast<double>(idx.size());
    double mean = 0, ms = 0;
    for (std::int64_t i : idx) {
      mean += x[static_cast<std::size_t>(i)];
      ms += x[static_cast<std::size_t>(i)] * x[static_cast<std::size_t>(i)];
    }
    mean /= cnt;
    ms /= cnt;
    double var = 0;
    for (std::int64_t i : idx) var += (x[static_cast<std::size_t>(i)] - mean) * (x[static_cast<std::size_t>(i)] - mean);
    var /= cnt;
    double m = mean, rstd = 0;
    if (c.op == NormOp::kRms) {
      m = 0;
      rstd = 1 / std::sqrt(ms + c.eps);
    } else if (c.op == NormOp::kBatch && !c.training) {
      m = s.rmean.at(s.rmean.host, static_cast<std::int64_t>(g));
      rstd = 1 / std::sqrt(s.rvar.at(s.rvar.host, static_cast<std::int64_t>(g)) + c.eps);
    } else {
      rstd = 1 / std::sqrt(var + c.eps);
    }
    for (std::int64_t i : idx) {
      const auto u = static_cast<std::size_t>(i);
      const double gm = g_at(pidx[u]), bt = b_at(pidx[u]);
      r.y[u] = c.op == NormOp::kRms ? x[u] * rstd * gm : (x[u] - m) * rstd * gm + bt;
      r.y_floor[u] = c.op == NormOp::kRms ? 0.0 : (std::fabs(gm) + std::fabs(bt)) / 16;
    }
    r.mean.push_back(mean);
    r.mean_floor.push_back(std::sqrt(ms) / 16);
    r.rstd.push_back(rstd);
    if (s.has_run) {
      const double om = s.rmean.at(s.rmean.host, static_cast<std::int64_t>(g));
      const double ov = s.rvar.at(s.rvar.host, static_cast<std::int64_t>(g));
      r.rmean.push_back(c.training ? (1 - c.momentum) * om + c.momentum * mean : om);
      r.rmean_floor.push_back(std::sqrt(ms) / 16 + std::fabs(om) / 16);
      r.rvar.push_back(c.training ? (1 - c.momentum) * ov + c.momentum * var * cnt / (cnt - 1) : ov);
    }
  }
  return r;
}

std::vector<double> values(const Buf& b, const std::vector<unsigned char>& bytes) {
  std::vector<double> v(static_cast<std::size_t>(b.numel()));
  for (std::int64_t i = 0; i < b.numel(); ++i) v[static_cast<std::size_t>(i)] = b.at(bytes, i);
  return v;
}

}  // namespace

const char* norm_label(NormOp op) {
  switch (op) {
    case NormOp::kLayer: return "layer_norm";
    case NormOp::kRms: return "rms_norm";
    case NormOp::kBatch: return "batch_norm";
    case NormOp::kGroup: return "group_norm";
  }
  return "?";
}

std::string describe(const NormCase& c) {
  std::ostringstream os;
  os << norm_label(c.op) << " " << dtype_name(c.dtype) << " " << shape_str(c.shape);
  if (!c.strides.empty()) os << " strides " << shape_str(c.strides);
  if (c.op == NormOp::kLayer || c.op == NormOp::kRms) os << " nd=" << c.normalized_ndim;
  if (c.op == NormOp::kGroup) os << " groups=" << c.groups;
  if (c.op == NormOp::kBatch) os << (c.training ? " training" : " inference");
  if (c.gamma) os << " gamma:" << dtype_name(*c.gamma);
  if (c.beta) os << " beta:" << dtype_name(*c.beta);
  if (c.stats) os << " stats:" << dtype_name(*c.stats);
  if (c.running) os << " running:" << dtype_name(*c.running);
  if (c.in_place) os << " in-place";
  if (c.sync_form) os << " sync";
  if (c.offset != 0 || c.scale != 1) os << " x=" << c.offset << "+" << c.scale << "u";
  if (c.specials) os << " with NaN and inf";
  return os.str();
}

std::string run_norm_case(Harness& h, const NormCase& c) {
  const Setup s = prepare(h, c);
  const Status st = run_op(h, c, s);
  if (st != Status::kSuccess) return std::string("failed: ") + status_name(st) + ": " + last_error_message();
  const Ref r = reference(c, s);
  const bool batch_train = c.op == NormOp::kBatch && c.training;
  std::string e;
  const std::vector<unsigned char> yb = h.download(s.y.dev, s.y.host.size());
  if (!(e = untouched("y", s.y, yb)).empty()) return e;
  if (!(e = compare("y", values(s.y, yb), r.y, r.y_floor, tol(c.dtype))).empty()) return e;
  if (s.has_stats) {
    const std::vector<unsigned char> mb = h.download(s.mean.dev, s.mean.host.size());
    const std::vector<unsigned char> rb = h.download(s.rstd.dev, s.rstd.host.size());
    const double T = coarser(c.dtype, *c.stats);
    if (c.op == NormOp::kRms) {
      if (mb != s.mean.host) return "the mean buffer changed though rms_norm has no mean output";
    } else if (!(e = compare("mean", values(s.mean, mb), r.mean, r.mean_floor, T)).empty()) {
      return e;
    }
    if (!(e = compare("rstd", values(s.rstd, rb), r.rstd, {}, T)).empty()) return e;
  }
  if (s.has_run) {
    const std::vector<unsigned char> mb = h.download(s.rmean.dev, s.rmean.host.size());
    const std::vector<unsigned char> vb = h.download(s.rvar.dev, s.rvar.host.size());
    if (!batch_train) {
      if (mb != s.rmean.host || vb != s.rvar.host) return "running stats changed in inference";
    } else {
      const double T = coarser(c.dtype, *c.running);
      if (!(e = compare("running_mean", values(s.rmean, mb), r.rmean, r.rmean_floor, T)).empty()) return e;
      if (!(e = compare("running_var", values(s.rvar, vb), r.rvar, {}, T)).empty()) return e;
    }
  }
  if (!c.in_place) {
    const std::vector<unsigned char> xb = h.download(s.x.dev, s.x.host.size());
    if (xb != s.x.host) return "x changed";
  }
  return "";
}

std::vector<unsigned char> run_norm_bytes(Harness& h, const NormCase& c) {
  const Setup s = prepare(h, c);
  const Status st = run_op(h, c, s);
  EXPECT_EQ(st, Status::kSuccess) << describe(c) << ": " << last_error_message();
  std::vector<unsigned char> out = h.download(s.y.dev, s.y.host.size());
  for (const Buf* b : {&s.mean, &s.rstd, &s.rmean, &s.rvar}) {
    if (b->dev == nullptr) continue;
    const std::vector<unsigned char> more = h.download(b->dev, b->host.size());
    out.insert(out.end(), more.begin(), more.end());
  }
  return out;
}

}  // namespace vnpu::test
