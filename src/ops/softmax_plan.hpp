// The plan of one softmax / log_softmax: how rows are laid out, which numerical method
// each row gets, and how the work is cut into units spread over blocks.
//
// The tensor is canonicalized first (size-1 dims dropped, adjacent dims merged when their
// strides allow) into rows of L elements along the axis, indexed by the other ("outer")
// dims. Two layouts:
//   rows    — each row is a 1-D run: contiguous, or strided (gathered element by element);
//   columns — [outer, L, C]: C adjacent rows share unit input and output strides, so a
//             tile of columns is processed with vectors across the columns (the axis is
//             not the innermost dim).
// Two methods, chosen by L alone, never by the core count or the device configuration:
//   fused   — L <= fused_max (rows) or col_fused_max (columns): the row is read once, its
//             maximum found, exp(x - max) kept in scratch (or in the output row) while
//             summed, then scaled. Sums use a fixed lane order (see softmax_kernels.cpp).
//   chunked — longer rows: the row is cut into fixed chunks (kChunk elements, kColChunk
//             rows for columns); phase 1 computes each chunk's (max, sum of exp(x - max))
//             into `partials`; after a barrier, phase 2 combines a row's chunk partials in
//             chunk order and writes exp(x - M) / S. A chunk is a unit, so one long row is
//             shared by every block, and the bits never depend on which block did what.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "ops/split.hpp"
#include "vnpu/dtype.hpp"
#include "vnpu/tensor.hpp"

namespace vnpu::ops::detail {

inline constexpr std::int64_t kSmChunk = 4096;           // elements per chunk of a long row
inline constexpr std::int64_t kSmColChunk = 128;         // rows per chunk of a long column
inline constexpr std::int64_t kSmFusedMaxElems = 32768;  // longest fused row (f32 working copy: 128 KiB)
inline constexpr std::int64_t kSmMinBlockElems = 32768;  // below this many elements, one block does it all
inline constexpr std::int64_t kSmColFusedElems = 262144;  // largest fused column tile (a 1 MiB f32 stage)
inline constexpr std::int64_t kSmColTileMin = 32;        // narrowest fused column tile
inline constexpr std::int64_t kSmColTileWide = 64;       // width a tall tile is widened to (see plan)
inline constexpr std::int64_t kSmColTileMax = 512;       // columns per tile (fused); chunked: kSmColTileChunked
inline constexpr std::int64_t kSmColTileChunked = 1024;

enum class SmLayout : std::uint8_t { kRows, kColumns };

/// The outer dims of a canonical tensor: turns an outer index into input/output offsets.
struct SmOuter {
  int n = 0;
  // Entries [0, n) are set by fill_softmax_plan; the rest are never read. Left
  // uninitialized: zeroing them would be a good part of a small direct call's planning.
  std::int64_t size[kMaxRank];
  std::int64_t in_stride[kMaxRank];
  std::int64_t out_stride[kMaxRank];
  void offsets(std::int64_t m, std::int64_t* in_off, std::int64_t* out_off) const noexcept {
    std::int64_t io = 0, oo = 0;
    for (int k = n - 1; k >= 0; --k) {
      const std::int64_t idx = k == 0 ? m : m % size[k];
      if (k != 0) m /= size[k];
      io += idx * in_stride[k];
      oo += idx * out_stride[k];
    }
    *in_off = io;
    *out_off = oo;
  }
};

struct SoftmaxPlan {
  bool log = false;  // log_softmax
  DType dtype = DType::kF32;
  const unsigned char* in = nullptr;
  unsigned char* out = nullptr;
  SmLayout layout = SmLayout::kRows;
  bool fused = true;

  std::int64_t L = 0;                  // elements per row
  std::int64_t in_step = 1, out_step = 1;  // element strides along the axis
  SmOuter outer;                       // rows: one index per row; columns: one per [L, C] slab
  std::int64_t rows = 0;               // rows layout: number of rows; columns: outer count
  std::int64_t C = 1;                  // columns layout: columns per slab (unit strides)
  std::int64_t tile = 1;               // columns layout: columns per tile
  std::int64_t tiles = 1;              // ceil(C / tile)

  std::int64_t fused_max = kSmFusedMaxElems;  // longest fused row
  std::int64_t chunks = 1;             // chunked: chunks per row (rows) or per column (columns)
  std::int64_t units = 0;
  std::uint32_t blocks = 1;
  /// Fused plans: each block claims runs of `claim` units of its share from next_unit,
  /// then helps the others (run_owned of split.hpp); a unit's bits do not depend on who
  /// claims it.
  ShareCounters next_unit;
  std::int64_t claim = 1;
  /// Chunked: (max, sum) per chunk. Rows: index (row * chunks + k) * 2. Columns: index
  /// ((slab * chunks + k) * C + column) * 2.
  std::vector<float> partials;

  /// Scratch bytes a block needs (the f32 working row or tile and the chunk buffers).
  std::size_t scratch_bytes() const noexcept;
};

/// Fills `p` for validated tensors on a device with `cores` compute cores and `scratch`
/// bytes of scratch per core. False for an empty tensor (nothing to compute).
bool fill_softmax_plan(SoftmaxPlan& p, bool log, const Tensor& in, const Tensor& out, int axis, int cores,
                       std::size_t scratch);

/// Per ISA (softmax_kernels.cpp). `work` is scratch of plan.scratch_bytes() bytes, 64-byte
/// aligned. Fused plans: run_softmax_fused does units [u0, u1) completely. Chunked plans:
/// run_softmax_chunks (phase 1) then, after every block finished it, run_softmax_write
/// (phase 2) over the same units.
void run_softmax_fused(const SoftmaxPlan& plan, std::int64_t u0, std::int64_t u1, float* work);
void run_softmax_chunks(const SoftmaxPlan& plan, std::int64_t u0, std::int64_t u1, float* work);
void run_softmax_write(const SoftmaxPlan& plan, std::int64_t u0, std::int64_t u1, float* work);

}  // namespace vnpu::ops::detail
