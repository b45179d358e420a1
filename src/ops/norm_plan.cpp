// Norm plans: tensor views by flat index, the work split, and the per-block driver.
#include "ops/norm_plan.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>

#include "vnpu/platform.hpp"

namespace vnpu::ops::detail {

namespace {

// The largest data cache, bytes (the last level).
std::int64_t last_level_cache_bytes() {
  static const std::int64_t bytes = [] {
    std::size_t most = 0;
    for (const CacheInfo& c : cpu_info().caches)
      if (c.type != "Instruction") most = std::max(most, c.size_bytes);
    return most != 0 ? static_cast<std::int64_t>(most) : std::int64_t{32} << 20;  // unknown: a typical L3
  }();
  return bytes;
}


// v rounded to f32 toward zero with the last bit set when inexact ("round to odd"): a
// later rounding to f16 or bf16 (at most 16 significant bits) then equals the direct
// rounding of v, so a stored statistic is rounded once.
float round_to_odd(double v) noexcept {
  float f = static_cast<float>(v);
  if (!std::isfinite(f) || static_cast<double>(f) == v) return f;
  auto bits = std::bit_cast<std::uint32_t>(f);
  if (std::fabs(static_cast<double>(f)) > std::fabs(v)) --bits;  // step toward zero
  return std::bit_cast<float>(bits | 1u);
}

}  // namespace

NormView::NormView(const Tensor& t) {
  if (t.numel() == 0 && t.data() == nullptr) return;
  data = static_cast<unsigned char*>(t.data());
  dtype = t.dtype();
  rank = t.rank();
  for (int k = 0; k < rank; ++k) {
    size[k] = t.dim(k);
    stride[k] = t.stride(k);
  }
  if (rank == 0) {
    rank = 1;
    size[0] = 1;
    stride[0] = 1;
  }
  dense = t.is_contiguous();
}

std::int64_t NormView::offset(std::int64_t i) const noexcept {
  std::int64_t off = 0;
  for (int k = rank - 1; k >= 0; --k) {
    off += (i % size[k]) * stride[k];
    i /= size[k];
  }
  return off;
}

float NormView::load(std::int64_t i) const noexcept {
  const unsigned char* p = data + offset(i) * static_cast<std::int64_t>(dtype_size(dtype));
  if (dtype == DType::kF32) {
    float f;
    std::memcpy(&f, p, 4);
    return f;
  }
  std::uint16_t h;
  std::memcpy(&h, p, 2);
  return dtype == DType::kF16 ? f16_to_f32(h) : bf16_to_f32(h);
}

void NormView::store(std::int64_t i, double v) const noexcept {
  unsigned char* p = data + offset(i) * static_cast<std::int64_t>(dtype_size(dtype));
  if (dtype == DType::kF32) {
    const auto f = static_cast<float>(v);
    std::memcpy(p, &f, 4);
    return;
  }
  const float f = round_to_odd(v);
  const std::uint16_t h = dtype == DType::kF16 ? f32_to_f16(f) : f32_to_bf16(f);
  std::memcpy(p, &h, 2);
}

void NormPlan::unit_divided(std::int64_t u, std::int64_t* first, std::int64_t* group, std::int64_t* n) const noexcept {
  const std::int64_t k = u % chunks;
  const std::int64_t gs = u / chunks;
  const std::int64_t s = gs % segs;
  const std::int64_t g = gs / segs;
  *group = g;
  *first = g * group_step + s * seg_step + k * kNormChunk;
  *n = std::min(kNormChunk, len - k * kNormChunk);
}

void plan_work(NormPlan* p, int cores) {
  p->chunks = (p->len + kNormChunk - 1) / kNormChunk;
  const std::int64_t elems = p->groups * p->segs * p->len;
  std::int64_t b = (elems + kNormMinBlockElems - 1) / kNormMinBlockElems;
  b = std::clamp<std::int64_t>(b, 1, std::max(cores, 1));
  // Whole groups per block when that keeps the busiest block within ~10% of the average:
  // then each group is read from memory once (statistics, then normalization from cache).
  const std::int64_t per = (p->groups + b - 1) / b;
  p->by_group = b == 1 || (p->groups >= b && per * b * 10 <= p->groups * 11);
  if (!p->by_group) {
    b = std::min<std::int64_t>(b, p->units());
    p->stats.resize(static_cast<std::size_t>(p->groups));
    if (p->batch_stats()) p->partials.resize(static_cast<std::size_t>(p->units()));
  }
  p->blocks = static_cast<std::uint32_t>(b);
  p->claim = claim_size(p->groups, b);
  p->next_group.reset(p->blocks);
  p->stream_y = p->y.dense && elems * static_cast<std::int64_t>(dtype_size(p->y.dtype)) >= kNormStreamBytes;
  const auto footprint = elems * static_cast<std::int64_t>(dtype_size(p->x.dtype) + dtype_size(p->y.dtype));
  p->prefetch_ahead = footprint > last_level_cache_bytes();
}

void norm_run_block(NormPlan& p, const KernelContext& ctx) {
  if (p.by_group) {
    run_owned(p.blocks, ctx.block_idx(), p.groups, p.claim, p.next_group,
              [&](std::int64_t g0, std::int64_t g1) { norm_run_groups(p, g0, g1); });
    return;
  }
  const std::uint32_t b = ctx.block_idx();
  std::int64_t g0 = 0, g1 = 0;
  split(p.groups, p.blocks, b, &g0, &g1);
  std::int64_t u0 = 0, u1 = 0;
  split(p.units(), p.blocks, b, &u0, &u1);
  if (p.batch_stats()) {
    norm_run_stat_units(p, u0, u1);
    if (p.blocks > 1) ctx.sync_all();  // every partial written before any group folds them
    norm_finish_groups(p, g0, g1);
    if (p.blocks > 1) ctx.sync_all();  // every group's statistics before normalization
  }
  norm_run_norm_units(p, u0, u1);
}

}  // namespace vnpu::ops::detail
