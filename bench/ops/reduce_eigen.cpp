// bench/ops/reduce_eigen.cpp — Eigen's Tensor module: TensorMap over the input, .sum(dims)
// evaluated on a ThreadPoolDevice of pc.threads threads.
//
// The reduced axis is given as a compile-time IndexList, as Eigen's documentation
// advises: only then does Eigen know it reduces (or keeps) the innermost dimension and
// take its vectorized paths. With a run-time Eigen::array the same sums ran 4-40x slower.
// bf16 and f16 inputs are mapped as Eigen::bfloat16 / Eigen::half and summed through
// .cast<float>(), so they accumulate in f32 (as vnpu does) and write f32.
#define EIGEN_USE_THREADS
// With -march=native, GCC 12 warns inside its own AVX-512 headers as Eigen's bf16 packet
// code inlines them (GCC bug 105593).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <unsupported/Eigen/CXX11/Tensor>

#include "reduce_peers.hpp"

namespace vnpu::bench {

namespace {

using Index = Eigen::Index;

template <class T>
void run(benchmark::State& state, const PeerCase& pc, const Eigen::ThreadPoolDevice& device) {
  const ReduceCase& c = pc.c;
  const auto* src = static_cast<const T*>(pc.src);
  if (c.full()) {
    const Eigen::TensorMap<const Eigen::Tensor<T, 1, Eigen::RowMajor, Index>> in(src, c.numel());
    Eigen::TensorMap<Eigen::Tensor<float, 0, Eigen::RowMajor, Index>> out(pc.dst);
    for (auto _ : state) {
      if constexpr (std::is_same_v<T, float>) {
        out.device(device) = in.sum();
      } else {
        out.device(device) = in.template cast<float>().sum();
      }
    }
    return;
  }
  const Eigen::TensorMap<const Eigen::Tensor<T, 2, Eigen::RowMajor, Index>> in(src, c.rows(), c.cols());
  Eigen::TensorMap<Eigen::Tensor<float, 1, Eigen::RowMajor, Index>> out(pc.dst, c.out_numel());
  auto sum_over = [&](const auto& dims) {
    for (auto _ : state) {
      if constexpr (std::is_same_v<T, float>) {
        out.device(device) = in.sum(dims);
      } else {
        out.device(device) = in.template cast<float>().sum(dims);
      }
    }
  };
  if (c.axis == 0) {
    sum_over(Eigen::IndexList<Eigen::type2index<0>>());
  } else {
    sum_over(Eigen::IndexList<Eigen::type2index<1>>());
  }
}

}  // namespace

void bench_eigen(benchmark::State& state, const PeerCase& pc) {
  Eigen::ThreadPool pool(pc.threads);
  const Eigen::ThreadPoolDevice device(&pool, pc.threads);
  switch (pc.c.dtype) {
    case DType::kBF16: run<Eigen::bfloat16>(state, pc, device); break;
    case DType::kF16: run<Eigen::half>(state, pc, device); break;
    default: run<float>(state, pc, device); break;
  }
  finish(state, pc);
}

}  // namespace vnpu::bench
