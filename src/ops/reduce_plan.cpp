// Building a reduction plan: canonical layout, units and blocks.
#include "ops/reduce_plan.hpp"

#include <algorithm>

namespace vnpu::ops::detail {

namespace {

Family family_of(ReduceOp op, Map* map) {
  *map = Map::kIdentity;
  switch (op) {
    case ReduceOp::kSum:
    case ReduceOp::kMean:
    case ReduceOp::kLogSum: return Family::kSum;
    case ReduceOp::kSumSquares:
    case ReduceOp::kL2: *map = Map::kSquare; return Family::kSum;
    case ReduceOp::kL1: *map = Map::kAbs; return Family::kSum;
    case ReduceOp::kProd: return Family::kProd;
    case ReduceOp::kMax: return Family::kMax;
    case ReduceOp::kMin: return Family::kMin;
    case ReduceOp::kLogSumExp: return Family::kLse;
    case ReduceOp::kVar:
    case ReduceOp::kStd: return Family::kVar;
    case ReduceOp::kArgMax: return Family::kArgMax;
    case ReduceOp::kArgMin: return Family::kArgMin;
    case ReduceOp::kAll:
    case ReduceOp::kAny: return Family::kCount;
  }
  return Family::kSum;
}

struct Dim {
  std::int64_t size, in_stride, out_stride;
};

// Merges dims k and k+1 of a row-major list when one stride formula covers both.
int coalesce(Dim* d, int n, bool use_out) {
  if (n == 0) return 0;
  int w = 0;
  for (int k = 1; k < n; ++k) {
    Dim& last = d[w];
    const Dim& cur = d[k];
    const bool in_ok = last.in_stride == cur.in_stride * cur.size;
    const bool out_ok = !use_out || last.out_stride == cur.out_stride * cur.size;
    if (in_ok && out_ok) {
      last.size *= cur.size;
      last.in_stride = cur.in_stride;
      last.out_stride = cur.out_stride;
    } else {
      d[++w] = cur;
    }
  }
  return w + 1;
}

std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }

// The runs layout's dims and units, or false when it does not suit: dim 0 reduced with so
// many outputs that a unit's partials (one per output, and K per output in all) would take
// too much memory.
bool plan_runs(Plan& p, const Tensor& in, const bool* reduce, std::int64_t outputs) {
  constexpr std::int64_t kMaxPartials = std::int64_t{1} << 20;  // 32 MiB of Partials
  constexpr std::int64_t kMaxUnits = 64;
  struct RunDim {
    std::int64_t size, in_stride;
    bool red;
  };
  RunDim d[kMaxRank];
  int n = 0;
  for (int k = 0; k < in.rank(); ++k) {
    const RunDim cur{in.dim(k), in.stride(k), reduce[k]};
    if (cur.size == 1) continue;
    if (n > 0 && d[n - 1].red == cur.red && d[n - 1].in_stride == cur.in_stride * cur.size) {
      d[n - 1].size *= cur.size;
      d[n - 1].in_stride = cur.in_stride;
    } else {
      d[n++] = cur;
    }
  }
  // The caller saw the innermost reduced dim contiguous and another reduced dim apart.
  if (n < 2 || !d[n - 1].red || d[n - 1].in_stride != 1) return false;
  const bool d0_kept = !d[0].red;
  const std::int64_t units = d0_kept ? std::min(d[0].size, kMaxUnits)
                                     : std::min({d[0].size, kMaxUnits, kMaxPartials / std::max<std::int64_t>(outputs, 1)});
  if (units < 1 || (!d0_kept && outputs > kMaxPartials / 2)) return false;
  p.run_len = d[n - 1].size;
  p.nrun = n - 1;
  std::int64_t out_w = 1, red_w = p.run_len;
  for (int k = n - 2; k >= 0; --k) {
    p.run_size[k] = d[k].size;
    p.run_in[k] = d[k].in_stride;
    p.run_out_w[k] = d[k].red ? 0 : out_w;
    p.run_red_w[k] = d[k].red ? red_w : 0;
    (d[k].red ? red_w : out_w) *= d[k].size;
  }
  p.run_count = red_w / p.run_len * out_w;
  p.run_d0_kept = d0_kept;
  p.units = units;
  p.K = d0_kept ? 1 : units;
  return true;
}

}  // namespace

std::unique_ptr<Plan> make_plan(ReduceOp op, const Tensor& in, const Tensor& out, const ReduceOptions& options,
                                int cores) {
  auto p = std::make_unique<Plan>();
  p->op = op;
  p->fam = family_of(op, &p->map);
  p->in_t = in.dtype();
  p->out_t = out.dtype();
  p->correction = options.correction;
  p->last_index = options.select_last_index;
  p->in = static_cast<const unsigned char*>(in.data());
  p->out = static_cast<unsigned char*>(out.data());

  // Split the dims into kept (with their output strides) and reduced, dropping size-1 dims.
  const int rank = in.rank();
  bool reduce[kMaxRank] = {};
  if (options.axes.is_all()) {
    for (int k = 0; k < rank; ++k) reduce[k] = true;
  } else {
    for (int a : options.axes.list()) reduce[a < 0 ? a + rank : a] = true;
  }
  Dim kept[kMaxRank], red[kMaxRank];
  int nk = 0, nr = 0, od = 0;
  std::int64_t outputs = 1, L = 1;
  for (int k = 0; k < rank; ++k) {
    const std::int64_t n = in.dim(k);
    if (reduce[k]) {
      L *= n;
      if (options.keep_dims) ++od;
      if (n != 1) red[nr++] = Dim{n, in.stride(k), 0};
    } else {
      outputs *= n;
      const std::int64_t os = out.stride(od++);
      if (n != 1) kept[nk++] = Dim{n, in.stride(k), os};
    }
  }
  if (outputs == 0) return nullptr;
  p->L = L;
  nk = coalesce(kept, nk, true);
  nr = coalesce(red, nr, false);

  auto fill = [](Mapper& m, const Dim* d, int n) {
    m.n = n;
    for (int k = 0; k < n; ++k) {
      m.size[k] = d[k].size;
      m.in_stride[k] = d[k].in_stride;
      m.out_stride[k] = d[k].out_stride;
    }
  };

  // Layout.
  if (nr == 1 && red[0].in_stride == 1) {
    p->layout = Layout::kInner;
  } else if (nr >= 1 && nk >= 1 && kept[nk - 1].in_stride == 1 && kept[nk - 1].size >= 8) {
    p->layout = Layout::kOuter;
  } else if (nr >= 2 && L > 0 && red[nr - 1].in_stride == 1 && plan_runs(*p, in, reduce, outputs)) {
    p->layout = Layout::kRuns;
  } else {
    p->layout = Layout::kGather;
  }

  p->nred = nr;
  for (int k = 0; k < nr; ++k) {
    p->red_size[k] = red[k].size;
    p->red_stride[k] = red[k].in_stride;
  }
  if (p->layout == Layout::kRuns) {
    fill(p->kept, kept, nk);
    p->M = outputs;
  } else if (p->layout == Layout::kOuter) {
    // Unit u = (a * K + seg) * slabs + slab.
    fill(p->batch, kept, nk - 1);
    p->C = kept[nk - 1].size;
    p->col_out_stride = kept[nk - 1].out_stride;
    p->A = outputs / p->C;
    p->R = L;
    p->row_stride = red[0].in_stride;  // used when nr == 1
    // Units of equal size (within one row or column): slabs of about kSlab columns, and
    // when there are few of them, segments of rows too.
    p->slabs = ceil_div(p->C, kSlab);
    const std::int64_t col_units = p->A * p->slabs;
    // Row segments when there are too few slabs to share (their partials cost a barrier
    // and a combining pass), and when rows are short enough to read whole: a core then
    // streams through whole rows instead of a strip of every row (a cache-resident
    // [4096,1024] column sum ran a quarter faster so).
    if (p->R <= kRowBlock) p->K = 1;
    else if (col_units < 8) p->K = std::min(ceil_div(64, col_units), p->R / kRowBlock);
    else if (p->C <= kShortRow && p->R >= kShortRowSegments * 2 * kRowBlock) p->K = kShortRowSegments;
    else p->K = 1;
    p->units = col_units * p->K;
  } else {
    fill(p->kept, kept, nk);
    p->M = outputs;
    // Segments of equal length (within one element).
    p->K = L > kSegment ? ceil_div(L, kSegment) : 1;
    p->units = p->M * p->K;
  }

  // Blocks: none idle for small inputs, and an even split (units per block differ by at
  // most one, so at least 10 units each keeps every block within 10% of the others).
  const std::int64_t total = in.numel();
  std::int64_t b = std::min<std::int64_t>(cores, std::max<std::int64_t>(1, total / kMinBlockElems));
  b = std::min(b, p->units);
  while (b > 1 && p->units % b != 0 && p->units / b < 11) --b;
  p->blocks = static_cast<std::uint32_t>(std::max<std::int64_t>(b, 1));
  // Outer layout: a static split. A block reads its consecutive slabs as one run per
  // row; claimed runs cut the rows into shorter runs (a third of the bandwidth lost on
  // [8192,8192] and [4096,1024] over axis 0), and claiming whole shares lets a block
  // that starts first take a late block's share whole (10% lost on [4096,1024]).
  p->claim = p->layout == Layout::kOuter ? 0 : claim_size(p->units, p->blocks);
  if (p->claim > 0) p->next_unit.reset(p->blocks);
  if (p->layout == Layout::kOuter && p->out_t == DType::kF32 && p->in_t != DType::kF64 && !p->is_int()) {
    switch (op) {
      case ReduceOp::kSum:
      case ReduceOp::kSumSquares:
      case ReduceOp::kL1:
      case ReduceOp::kMean:
      case ReduceOp::kL2:
      case ReduceOp::kLogSum:
      case ReduceOp::kMax:
      case ReduceOp::kMin:
      case ReduceOp::kProd: p->f32_columns = true; break;
      default: break;
    }
  }
  if (p->K > 1) {
    const auto n = static_cast<std::size_t>(p->outputs() * p->K);
    if (p->f32_columns) p->col_partials = std::make_unique_for_overwrite<double[]>(n);
    else p->partials.resize(n);
  }
  return p;
}

std::int64_t Plan::unit_elements(std::int64_t u) const noexcept {
  if (layout == Layout::kRuns) return (run_begin(u + 1) - run_begin(u)) * (run_count / run_size[0]) * run_len;
  if (layout == Layout::kOuter) {
    const std::int64_t seg = (u / slabs) % K;
    const std::int64_t slab = u % slabs;
    return (col_begin(slab + 1) - col_begin(slab)) * (seg_begin(seg + 1) - seg_begin(seg));
  }
  const std::int64_t seg = u % K;
  return seg_begin(seg + 1) - seg_begin(seg);
}

}  // namespace vnpu::ops::detail
