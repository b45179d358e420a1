// bench/ops/row_eigen.hpp — what the Eigen peers of vnpu_norm_peers share: the Tensor
// module over the [rows, cols] matrix, the thread pool, and the index lists that broadcast
// a per-row vector across the columns (and a per-column one down the rows).
//
// Index lists with compile-time 1s tell Eigen which dimension is reduced or broadcast, as
// its documentation advises (run-time arrays take slower generic paths).
#pragma once

#define EIGEN_USE_THREADS
// With -march=native, GCC 12 warns inside its own AVX-512 headers as Eigen's packet code
// inlines them (GCC bug 105593).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <unsupported/Eigen/CXX11/Tensor>

#include "norm_peers.hpp"

namespace vnpu::bench::eigen {

using Index = Eigen::Index;
using Matrix = Eigen::TensorMap<Eigen::Tensor<float, 2, Eigen::RowMajor, Index>>;
using ConstMatrix = Eigen::TensorMap<const Eigen::Tensor<float, 2, Eigen::RowMajor, Index>>;
using ConstVector = Eigen::TensorMap<const Eigen::Tensor<float, 1, Eigen::RowMajor, Index>>;
using Vector = Eigen::Tensor<float, 1, Eigen::RowMajor, Index>;

/// The reduced dimension: 1 (along each row).
inline Eigen::IndexList<Eigen::type2index<1>> along_rows() { return {}; }

/// Shapes that turn a [rows] vector into [rows, 1], then broadcast it to [rows, cols].
struct PerRow {
  Eigen::IndexList<Index, Eigen::type2index<1>> shape;
  Eigen::IndexList<Eigen::type2index<1>, Index> bcast;
  PerRow(Index rows, Index cols) {
    shape.set(0, rows);
    bcast.set(1, cols);
  }
};

/// Shapes that turn a [cols] vector into [1, cols], then broadcast it to [rows, cols].
struct PerColumn {
  Eigen::IndexList<Eigen::type2index<1>, Index> shape;
  Eigen::IndexList<Index, Eigen::type2index<1>> bcast;
  PerColumn(Index rows, Index cols) {
    shape.set(1, cols);
    bcast.set(0, rows);
  }
};

/// What every Eigen peer sets up per case: a pool of pc.threads threads, the device over
/// it, the input and output matrices and the per-row broadcast.
struct Setup {
  explicit Setup(const RowPeerCase& pc)
      : pool(pc.threads),
        device(&pool, pc.threads),
        x(pc.xf(), pc.c.rows(), pc.c.cols()),
        y(pc.yf(), pc.c.rows(), pc.c.cols()),
        row(pc.c.rows(), pc.c.cols()) {}
  Eigen::ThreadPool pool;
  Eigen::ThreadPoolDevice device;
  ConstMatrix x;
  Matrix y;
  PerRow row;
};

}  // namespace vnpu::bench::eigen
