// The body of ProbeSoftmax (softmax_kernels.cpp, see softmax_probe.hpp): included once per
// form of the softmax bodies, inside a namespace where `sm` names that form's namespace
// (vec or plain). No include guard, on purpose.

HWY_INLINE void Probe(const float* x, std::int64_t n, float a, float b, std::int64_t w, SoftmaxProbe* o) {
  const auto un = static_cast<std::size_t>(n), uw = static_cast<std::size_t>(w);
  o->max = sm::Max(x, n);
  o->max_plain = sm::MaxPlain(x, n);
  o->exps.assign(un, 0.0f);
  o->sum = sm::ExpSum<true>(x, n, o->max, o->exps.data(), Ahead{});
  o->sum_below = sm::ExpSum<false, true>(x, n, o->max, nullptr, Ahead{});
  for (auto* y : {&o->scaled, &o->exp_scaled, &o->shifted}) y->assign(un, 0.0f);
  sm::Map<0>(x, n, a, b, o->scaled.data());
  sm::Map<1>(x, n, a, b, o->exp_scaled.data());
  sm::Map<2>(x, n, a, b, o->shifted.data());
  o->f16.assign(un, 0);
  o->bf16.assign(un, 0);
  sm::RowTo<1>(x, n, reinterpret_cast<unsigned char*>(o->f16.data()));
  sm::RowTo<2>(x, n, reinterpret_cast<unsigned char*>(o->bf16.data()));
  o->from_f16.assign(un, 0.0f);
  o->from_bf16.assign(un, 0.0f);
  sm::RowFrom<1>(reinterpret_cast<const unsigned char*>(o->f16.data()), n, o->from_f16.data());
  sm::RowFrom<2>(reinterpret_cast<const unsigned char*>(o->bf16.data()), n, o->from_bf16.data());

  o->col_max.assign(uw, -std::numeric_limits<float>::infinity());
  for (std::int64_t r = 0; r * w < n; ++r) sm::MaxCols(x + r * w, w, o->col_max.data());
  std::vector<float> ac(uw);
  for (std::size_t c = 0; c < uw; ++c) ac[c] = a + static_cast<float>(c) * b;
  o->col_sum.assign(uw, 0.0f);
  for (auto* y : {&o->col_exps, &o->col_scaled, &o->col_exp_scaled, &o->col_shifted}) y->assign(un, 0.0f);
  for (std::int64_t r = 0; r * w < n; ++r) {
    const float* xr = x + r * w;
    sm::ExpAccCols<true>(xr, w, o->col_max.data(), o->col_sum.data(), o->col_exps.data() + r * w);
    sm::MapCols<0>(xr, w, o->col_max.data(), ac.data(), o->col_scaled.data() + r * w);
    sm::MapCols<1>(xr, w, o->col_max.data(), ac.data(), o->col_exp_scaled.data() + r * w);
    sm::MapCols<2>(xr, w, o->col_max.data(), ac.data(), o->col_shifted.data() + r * w);
  }
}
