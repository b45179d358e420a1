// bench/ops/reduce_eigen.cpp — Eigen's Tensor module: TensorMap over the input, .sum(dims)
// or .maximum(dims) evaluated on a ThreadPoolDevice of pc.threads threads.
//
// The reduced axes are given as a compile-time IndexList, as Eigen's documentation
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

#include <type_traits>
#include <vector>

#include "reduce_peers.hpp"

namespace vnpu::bench {

namespace {

using Index = Eigen::Index;
template <int N>
using Dim = Eigen::type2index<N>;

// Case c's input as a rank-Rank tensor of T, reduced over `dims` (sum or maximum) into
// pc.dst, a tensor of the kept dimensions.
template <class T, int Rank, class Dims>
void reduce_over(benchmark::State& state, const PeerCase& pc, const Eigen::ThreadPoolDevice& device,
                 const Dims& dims) {
  constexpr int kOutRank = Rank - static_cast<int>(Eigen::internal::array_size<Dims>::value);
  const ReduceCase& c = pc.c;
  Eigen::DSizes<Index, Rank> in_dims;
  Eigen::DSizes<Index, kOutRank> out_dims;
  for (int d = 0, k = 0; d < Rank; ++d) {
    in_dims[d] = c.shape[static_cast<std::size_t>(d)];
    if (!c.reduced(static_cast<std::size_t>(d))) out_dims[k++] = in_dims[d];
  }
  const Eigen::TensorMap<const Eigen::Tensor<T, Rank, Eigen::RowMajor, Index>> in(static_cast<const T*>(pc.src),
                                                                                    in_dims);
  Eigen::TensorMap<Eigen::Tensor<float, kOutRank, Eigen::RowMajor, Index>> out(pc.dst, out_dims);
  const bool max = c.op == ops::ReduceOp::kMax;
  // f16 and bf16 are summed through .cast<float>(): f32 accumulation, f32 output.
  auto src = [&] {
    if constexpr (std::is_same_v<T, float>) {
      return in;
    } else {
      return in.template cast<float>();
    }
  }();
  for (auto _ : state) {
    if constexpr (kOutRank == 0) {  // a full reduction: Eigen's own path for it
      if (max) {
        out.device(device) = src.maximum();
      } else {
        out.device(device) = src.sum();
      }
    } else if (max) {
      out.device(device) = src.maximum(dims);
    } else {
      out.device(device) = src.sum(dims);
    }
  }
}

// The axis sets of reduce_cases(), each as a compile-time IndexList.
template <class T>
void run(benchmark::State& state, const PeerCase& pc, const Eigen::ThreadPoolDevice& device) {
  const ReduceCase& c = pc.c;
  const std::vector<int>& a = c.axes;
  if (c.shape.size() == 1) return reduce_over<T, 1>(state, pc, device, Eigen::IndexList<Dim<0>>());
  if (c.shape.size() == 2) {
    if (a == std::vector<int>{0}) return reduce_over<T, 2>(state, pc, device, Eigen::IndexList<Dim<0>>());
    if (a == std::vector<int>{1}) return reduce_over<T, 2>(state, pc, device, Eigen::IndexList<Dim<1>>());
  }
  if (c.shape.size() == 4) {
    if (a == std::vector<int>{0, 2, 3}) {
      return reduce_over<T, 4>(state, pc, device, Eigen::IndexList<Dim<0>, Dim<2>, Dim<3>>());
    }
    if (a == std::vector<int>{0, 2}) return reduce_over<T, 4>(state, pc, device, Eigen::IndexList<Dim<0>, Dim<2>>());
    if (a == std::vector<int>{1, 3}) return reduce_over<T, 4>(state, pc, device, Eigen::IndexList<Dim<1>, Dim<3>>());
  }
  state.SkipWithError("no IndexList for this axis set in reduce_eigen.cpp");
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
