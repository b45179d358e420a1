// Reductions of f64 inputs (reduce_f64.hpp).
#include "ops/reduce_f64.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "ops/simd/exp.hpp"

namespace vnpu::ops::detail::f64 {

namespace {

constexpr int kL = 8;
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

template <class Op>
double fold(const double* a, Op op) {
  return op(op(op(a[0], a[1]), op(a[2], a[3])), op(op(a[4], a[5]), op(a[6], a[7])));
}
double add(double p, double q) { return p + q; }

template <Map kMap>
double mapped(double x) {
  if constexpr (kMap == Map::kSquare) return x * x;
  else if constexpr (kMap == Map::kAbs) return std::fabs(x);
  else return x;
}

// acc[e % 8] = step(acc[e % 8], x[e]) for every element, in order.
template <class Step>
void lanes(double* acc, const double* x, std::int64_t n, Step step) {
  std::int64_t e = 0;
  for (; e + kL <= n; e += kL)
    for (int k = 0; k < kL; ++k) acc[k] = step(acc[k], x[e + k]);
  for (int k = 0; k < n - e; ++k) acc[k] = step(acc[k], x[e + k]);
}

// Sums start from -0, the exact additive identity (as the f32 kernels).
template <Map kMap>
double sum(const double* x, std::int64_t n) {
  double acc[kL];
  std::fill(acc, acc + kL, -0.0);
  lanes(acc, x, n, [](double a, double v) { return a + mapped<kMap>(v); });
  return fold(acc, add);
}

double count(const double* x, std::int64_t n) {
  double acc[kL] = {};
  lanes(acc, x, n, [](double a, double v) { return a + (v != 0.0 ? 1.0 : 0.0); });  // NaN counts
  return fold(acc, add);
}

double prod(const double* x, std::int64_t n) {
  double acc[kL];
  std::fill(acc, acc + kL, 1.0);
  lanes(acc, x, n, [](double a, double v) { return a * v; });
  return fold(acc, [](double p, double q) { return p * q; });
}

// Max (kMax) or min; NaN when any element is NaN. A value replaces a lane's extreme only
// when strictly beyond it.
template <bool kMax>
double extreme(const double* x, std::int64_t n) {
  double acc[kL];
  std::fill(acc, acc + kL, kMax ? -kInf : kInf);
  double nan[kL] = {};
  lanes(acc, x, n, [](double a, double v) { return kMax ? (v > a ? v : a) : (v < a ? v : a); });
  lanes(nan, x, n, [](double a, double v) { return v != v ? 1.0 : a; });
  if (fold(nan, add) != 0.0) return kNaN;
  return fold(acc, [](double p, double q) { return kMax ? (q > p ? q : p) : (q < p ? q : p); });
}

Partial lse(const double* x, std::int64_t n) {
  Partial p;
  const double m = extreme<true>(x, n);
  p.a = m;
  if (m != m) return p;
  if (std::isinf(m)) {
    p.b = m > 0 ? 1.0 : 0.0;
    return p;
  }
  double acc[kL] = {};
  lanes(acc, x, n, [m](double a, double v) { return a + exp_f64(v - m); });
  p.b = fold(acc, add);
  return p;
}

// (count, mean, M2) by two passes: a first estimate s of the mean, then the sums of
// (x - s) and (x - s)^2: mean = s + sum(x - s) / n, M2 = sum((x - s)^2) - sum(x - s)^2 / n.
Partial var(const double* x, std::int64_t n) {
  Partial p;
  if (n == 0) return p;
  const auto dn = static_cast<double>(n);
  const double s = sum<Map::kIdentity>(x, n) / dn;
  double d1[kL] = {}, d2[kL] = {};
  lanes(d1, x, n, [s](double a, double v) { return a + (v - s); });
  lanes(d2, x, n, [s](double a, double v) { return a + (v - s) * (v - s); });
  const double t1 = fold(d1, add), t2 = fold(d2, add);
  const double m2 = t2 - t1 * t1 / dn;
  p.a = dn;
  p.b = s + t1 / dn;
  p.c = m2 < 0 ? 0.0 : m2;  // NaN (from NaN or inf) stays NaN
  return p;
}

// First (kLast: last) index of the maximum (kMax) or minimum; the first NaN wins.
template <bool kMax, bool kLast>
Partial arg(const double* x, std::int64_t n, std::int64_t base) {
  Partial p;
  p.i = -1;
  if (n == 0) return p;
  double best = x[0];
  std::int64_t at = 0;
  for (std::int64_t e = 0; e < n; ++e) {
    const double v = x[e];
    if (v != v) {
      p.a = kNaN;
      p.i = base + e;
      return p;
    }
    const bool better = kMax ? (kLast ? v >= best : v > best) : (kLast ? v <= best : v < best);
    if (better) {
      best = v;
      at = e;
    }
  }
  p.a = best;
  p.i = base + at;
  return p;
}

const double* row_at(const unsigned char* base, std::int64_t off) {
  return reinterpret_cast<const double*>(base + off * static_cast<std::int64_t>(sizeof(double)));
}

// Column partials of the one-value families: acc[c] = step(acc[c], x[c]) row by row.
template <class Step>
void column_values(const Plan& p, const unsigned char* base, std::int64_t r0, std::int64_t r1, std::int64_t cw,
                   double init, Step step, double* acc) {
  RowCursor at(p);
  std::fill(acc, acc + cw, init);
  for (std::int64_t r = r0; r < r1; ++r) {
    const double* x = row_at(base, at(r));
    for (std::int64_t c = 0; c < cw; ++c) acc[c] = step(acc[c], x[c]);
  }
}

// logsumexp (kLse) or var: per block of kRowBlock rows, two passes per column, the block
// partials combined in order.
template <bool kLse>
void column_blocks(const Plan& p, const unsigned char* base, std::int64_t r0, std::int64_t r1, std::int64_t cw,
                   Partial* out) {
  const Family fam = kLse ? Family::kLse : Family::kVar;
  RowCursor at(p);
  std::vector<double> first(static_cast<std::size_t>(cw)), d1(first.size()), d2(first.size()), nan(first.size());
  std::vector<const double*> rows(static_cast<std::size_t>(kRowBlock));
  for (std::int64_t c = 0; c < cw; ++c) out[c] = identity(fam);
  for (std::int64_t rb = r0; rb < r1; rb += kRowBlock) {
    const std::int64_t nr = std::min(r1, rb + kRowBlock) - rb;
    const auto dn = static_cast<double>(nr);
    for (std::int64_t k = 0; k < nr; ++k) rows[static_cast<std::size_t>(k)] = row_at(base, at(rb + k));
    std::fill(first.begin(), first.end(), kLse ? -kInf : 0.0);
    std::fill(nan.begin(), nan.end(), 0.0);
    std::fill(d1.begin(), d1.end(), 0.0);
    std::fill(d2.begin(), d2.end(), 0.0);
    for (std::int64_t k = 0; k < nr; ++k) {
      const double* x = rows[static_cast<std::size_t>(k)];
      for (std::int64_t c = 0; c < cw; ++c) {
        const auto j = static_cast<std::size_t>(c);
        if constexpr (kLse) {
          first[j] = x[c] > first[j] ? x[c] : first[j];
          nan[j] = x[c] != x[c] ? 1.0 : nan[j];
        } else {
          first[j] += x[c];
        }
      }
    }
    if constexpr (!kLse)
      for (double& f : first) f /= dn;
    for (std::int64_t k = 0; k < nr; ++k) {
      const double* x = rows[static_cast<std::size_t>(k)];
      for (std::int64_t c = 0; c < cw; ++c) {
        const auto j = static_cast<std::size_t>(c);
        if constexpr (kLse) {
          d1[j] += exp_f64(x[c] - first[j]);
        } else {
          const double dl = x[c] - first[j];
          d1[j] += dl;
          d2[j] += dl * dl;
        }
      }
    }
    for (std::int64_t c = 0; c < cw; ++c) {
      const auto j = static_cast<std::size_t>(c);
      Partial q;
      if constexpr (kLse) {
        if (nan[j] != 0.0) {
          q.a = kNaN;
        } else {
          q.a = first[j];
          q.b = std::isinf(first[j]) ? (first[j] > 0 ? 1.0 : 0.0) : d1[j];
        }
      } else {
        const double m2 = d2[j] - d1[j] * d1[j] / dn;
        q.a = dn;
        q.b = first[j] + d1[j] / dn;
        q.c = m2 < 0 ? 0.0 : m2;
      }
      out[c] = combine(fam, false, out[c], q);
    }
  }
}

template <bool kMax, bool kLast>
void column_args(const Plan& p, const unsigned char* base, std::int64_t r0, std::int64_t r1, std::int64_t cw,
                 Partial* out) {
  RowCursor at(p);
  for (std::int64_t c = 0; c < cw; ++c) {
    out[c] = Partial{};
    out[c].i = -1;
  }
  for (std::int64_t r = r0; r < r1; ++r) {
    const double* x = row_at(base, at(r));
    for (std::int64_t c = 0; c < cw; ++c) {
      Partial& q = out[c];
      const double v = x[c];
      if (q.i >= 0 && q.a != q.a) continue;  // a NaN came first
      if (q.i < 0 || v != v || (kMax ? (kLast ? v >= q.a : v > q.a) : (kLast ? v <= q.a : v < q.a))) {
        q.a = v;
        q.i = r;
      }
    }
  }
}

}  // namespace

Partial chunk(Family fam, Map map, const double* x, std::int64_t n, std::int64_t base, bool last) noexcept {
  Partial p;
  switch (fam) {
    case Family::kSum:
      p.a = map == Map::kIdentity ? sum<Map::kIdentity>(x, n)
            : map == Map::kSquare ? sum<Map::kSquare>(x, n)
                                  : sum<Map::kAbs>(x, n);
      break;
    case Family::kCount: p.a = count(x, n); break;
    case Family::kProd: p.a = prod(x, n); break;
    case Family::kMax: p.a = extreme<true>(x, n); break;
    case Family::kMin: p.a = extreme<false>(x, n); break;
    case Family::kLse: p = lse(x, n); break;
    case Family::kVar: p = var(x, n); break;
    case Family::kArgMax: p = last ? arg<true, true>(x, n, base) : arg<true, false>(x, n, base); break;
    case Family::kArgMin: p = last ? arg<false, true>(x, n, base) : arg<false, false>(x, n, base); break;
  }
  return p;
}

void columns(const Plan& p, const unsigned char* base, std::int64_t r0, std::int64_t r1, std::int64_t cw,
             Partial* out) {
  std::vector<double> acc(static_cast<std::size_t>(cw));
  auto values = [&](double init, auto step) {
    column_values(p, base, r0, r1, cw, init, step, acc.data());
    for (std::int64_t c = 0; c < cw; ++c) {
      out[c] = Partial{};
      out[c].a = acc[static_cast<std::size_t>(c)];
    }
  };
  switch (p.fam) {
    case Family::kSum:
      if (p.map == Map::kSquare) values(-0.0, [](double a, double v) { return a + v * v; });
      else if (p.map == Map::kAbs) values(-0.0, [](double a, double v) { return a + std::fabs(v); });
      else values(-0.0, [](double a, double v) { return a + v; });
      break;
    case Family::kCount: values(0.0, [](double a, double v) { return a + (v != 0.0 ? 1.0 : 0.0); }); break;
    case Family::kProd: values(1.0, [](double a, double v) { return a * v; }); break;
    case Family::kMax:
    case Family::kMin: {
      const bool mx = p.fam == Family::kMax;
      // NaN sticks: once a column holds NaN, no comparison replaces it.
      if (mx) values(-kInf, [](double a, double v) { return a != a ? a : (v != v || v > a) ? v : a; });
      else values(kInf, [](double a, double v) { return a != a ? a : (v != v || v < a) ? v : a; });
      break;
    }
    case Family::kLse: column_blocks<true>(p, base, r0, r1, cw, out); break;
    case Family::kVar: column_blocks<false>(p, base, r0, r1, cw, out); break;
    case Family::kArgMax:
      if (p.last_index) column_args<true, true>(p, base, r0, r1, cw, out);
      else column_args<true, false>(p, base, r0, r1, cw, out);
      break;
    case Family::kArgMin:
      if (p.last_index) column_args<false, true>(p, base, r0, r1, cw, out);
      else column_args<false, false>(p, base, r0, r1, cw, out);
      break;
  }
}

}  // namespace vnpu::ops::detail::f64
