// Canonicalization, layout and method choice, and the work split of a softmax.
#include <algorithm>

#include "ops/softmax_plan.hpp"

namespace vnpu::ops::detail {

namespace {

struct Dim {
  std::int64_t size, in_stride, out_stride;
};

// The outer dims (every dim but the axis) with size-1 dims dropped and adjacent dims
// merged where both tensors step through them as one: outer stride == inner stride * size.
// A fixed array (rank <= kMaxRank), so that planning a small call allocates nothing.
struct DimList {
  Dim d[kMaxRank];
  int n = 0;
  std::size_t size() const noexcept { return static_cast<std::size_t>(n); }
  bool empty() const noexcept { return n == 0; }
  Dim& operator[](std::size_t k) noexcept { return d[k]; }
  Dim& back() noexcept { return d[n - 1]; }
  void push_back(const Dim& x) noexcept { d[n++] = x; }
  void erase(int k) noexcept {
    for (int j = k; j + 1 < n; ++j) d[j] = d[j + 1];
    --n;
  }
};

DimList outer_dims(const Tensor& in, const Tensor& out, int axis) {
  DimList d;
  for (int k = 0; k < in.rank(); ++k) {
    if (k == axis || in.dim(k) == 1) continue;
    const Dim cur{in.dim(k), in.stride(k), out.stride(k)};
    if (!d.empty()) {
      Dim& prev = d.back();
      if (prev.in_stride == cur.in_stride * cur.size && prev.out_stride == cur.out_stride * cur.size) {
        prev = Dim{prev.size * cur.size, cur.in_stride, cur.out_stride};
        continue;
      }
    }
    d.push_back(cur);
  }
  return d;
}

}  // namespace

std::size_t SoftmaxPlan::scratch_bytes() const noexcept {
  std::int64_t floats = 0;
  if (layout == SmLayout::kRows) floats = fused ? L : kSmChunk;
  else floats = ((fused ? L : kSmColChunk) + 8) * ((tile + 15) / 16 * 16);
  return static_cast<std::size_t>(floats) * sizeof(float) + 64;
}

bool fill_softmax_plan(SoftmaxPlan& plan, bool log, const Tensor& in, const Tensor& out, int axis, int cores,
                       std::size_t scratch) {
  if (in.numel() == 0) return false;
  SoftmaxPlan* p = &plan;
  p->log = log;
  p->dtype = in.dtype();
  p->in = static_cast<const unsigned char*>(in.data());
  p->out = static_cast<unsigned char*>(out.data());
  p->L = in.dim(axis);
  p->in_step = p->L == 1 ? 1 : in.stride(axis);
  p->out_step = p->L == 1 ? 1 : out.stride(axis);
  // A fixed limit, not the device's scratch size, so that the method (and with it the
  // bits) depends on the shape alone; the row and its output stay together in a core's L2.
  // A block whose scratch is smaller works in memory of its own (softmax_api.cpp).
  (void)scratch;
  p->fused_max = kSmFusedMaxElems;

  DimList dims = outer_dims(in, out, axis);
  int col = -1;  // an outer dim with unit strides in both tensors: the columns layout
  if (!(p->in_step == 1 && p->out_step == 1))
    for (int k = static_cast<int>(dims.size()) - 1; k >= 0 && col < 0; --k)
      if (dims[static_cast<std::size_t>(k)].in_stride == 1 && dims[static_cast<std::size_t>(k)].out_stride == 1) col = k;
  // Fewer than 16 columns fill no vector: such small tensors gather their strided rows
  // instead (the re-reads hit cache); large ones still stream as columns.
  if (col >= 0 && dims[static_cast<std::size_t>(col)].size < 16 &&
      in.numel() * static_cast<std::int64_t>(dtype_size(in.dtype())) <= (std::int64_t{1} << 20))
    col = -1;
  if (col >= 0) {
    p->layout = SmLayout::kColumns;
    p->C = dims[static_cast<std::size_t>(col)].size;
    dims.erase(col);
  }
  p->outer.n = static_cast<int>(dims.size());
  p->rows = 1;
  for (std::size_t k = 0; k < dims.size(); ++k) {
    p->outer.size[k] = dims[k].size;
    p->outer.in_stride[k] = dims[k].in_stride;
    p->outer.out_stride[k] = dims[k].out_stride;
    p->rows *= dims[k].size;
  }

  if (p->layout == SmLayout::kRows) {
    p->fused = p->L <= p->fused_max;
    p->chunks = p->fused ? 1 : (p->L + kSmChunk - 1) / kSmChunk;
    p->units = p->rows * p->chunks;
  } else {
    // A fused tile is staged in a core's cache between its passes (kSmColFusedElems
    // elements); it is at least kSmColTileMin columns wide, so that each of its rows is a
    // run of memory long enough to stream. Taller columns are chunked, in wider tiles.
    p->fused = p->L * kSmColTileMin <= kSmColFusedElems;
    if (p->fused) {
      std::int64_t fit = std::clamp<std::int64_t>(kSmColFusedElems / p->L / 16 * 16, 16, kSmColTileMax);
      // Tall columns: rows of kSmColTileWide columns (256 B of f32) stream better from
      // memory than rows of 128 B, worth a stage of up to twice the size.
      if (fit < kSmColTileWide && p->L * kSmColTileWide <= 2 * kSmColFusedElems) fit = kSmColTileWide;
      p->tile = std::min(p->C, fit);
      p->chunks = 1;
    } else {
      p->tile = std::min(p->C, kSmColTileChunked);
      p->chunks = (p->L + kSmColChunk - 1) / kSmColChunk;
    }
    p->tiles = (p->C + p->tile - 1) / p->tile;
    p->units = p->rows * p->tiles * p->chunks;
  }
  const std::int64_t by_size = std::max<std::int64_t>(1, in.numel() / kSmMinBlockElems);
  p->blocks = static_cast<std::uint32_t>(std::min({static_cast<std::int64_t>(std::max(cores, 1)), p->units, by_size}));
  p->claim = claim_size(p->units, p->blocks);
  p->next_unit.reset(p->blocks);
  if (!p->fused) {
    const std::int64_t n = p->layout == SmLayout::kRows ? p->rows * p->chunks : p->rows * p->chunks * p->C;
    p->partials.assign(static_cast<std::size_t>(n) * 2, 0.0f);
  }
  return true;
}

}  // namespace vnpu::ops::detail
