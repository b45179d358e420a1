// WholeReduceSum/Max/Min, BlockReduceSum/Max/Min and PairReduceSum (and ReduceRepeat,
// ReduceDataBlock, ReducePairElem): one result per repeat, per DataBlock or per pair.
#include <algorithm>
#include <cstring>

#include "ascendc/pipe_span.hpp"
#include "ascendc/vec_reduce_kernels.hpp"
#include "ascendc/vec_numeric.hpp"

namespace vnpu::ascendc {
namespace {

// How many groups of `group` lanes, counted up to the highest one with an enabled lane,
// a repeat with mask `m` has (0: none enabled).
std::uint32_t groups_used(const RepeatMask& m, std::uint32_t lanes, std::uint32_t group) {
  for (std::uint32_t g = lanes / group; g > 0; --g)
    for (std::uint32_t j = (g - 1) * group; j < g * group; ++j)
      if (m.test(j)) return g;
  return 0;
}

// Bytes from dst's start to the end of the last result written: `used` results of `slot`
// bytes per repeat (the last repeat's `used_last`), repeats `pitch` bytes apart.
std::uint64_t dst_reach(std::uint32_t repeats, std::uint64_t pitch, std::uint64_t slot, std::uint32_t used,
                        std::uint32_t used_last) {
  if (repeats == 0) return 0;
  std::uint64_t e = used_last == 0 ? 0 : mul_add_sat(repeats - 1, pitch, used_last * slot);
  if (repeats >= 2 && used != 0) e = std::max(e, mul_add_sat(repeats - 2, pitch, used * slot));
  return e;
}

// The first extreme of lanes [j0, j1) of repeat r that `m` enables: its lane, or -1.
int scan_lanes(const LaneWalk& w, std::uint32_t r, std::uint32_t j0, std::uint32_t j1, bool half, bool is_max) {
  const RepeatMask& m = w.lanes_of(r);
  int best = -1;
  float v_best = 0.0f;
  for (std::uint32_t j = j0; j < j1; ++j) {
    if (!m.test(j)) continue;
    const float v = num::load(w.at(r, j), half);
    if (best >= 0 && !num::beats(v, v_best, is_max)) continue;
    best = static_cast<int>(j);
    v_best = v;
  }
  return best;
}

// The pairwise-tree sum of lanes [j0, j0 + n) of repeat r (n a power of two), or false
// when none is enabled.
template <bool kHalf>
bool group_sum(const LaneWalk& w, std::uint32_t r, std::uint32_t j0, std::uint32_t n, float* sum) {
  const RepeatMask& m = w.lanes_of(r);
  float v[16];
  bool any = false;
  for (std::uint32_t k = 0; k < n; ++k) {
    const bool on = m.test(j0 + k);
    any = any || on;
    v[k] = on ? num::load(w.at(r, j0 + k), kHalf) : -0.0f;
  }
  if (any) *sum = num::tree_sum<kHalf>(v, n);
  return any;
}

// Results per repeat: WholeReduce* (one), BlockReduce* (8), pairs (lanes / 2).
template <bool kHalf>
void reduce_groups(const ReducePart& r, const LaneWalk& w, unsigned char* dst, std::uint64_t pitch,
                   std::uint32_t group) {
  constexpr std::uint32_t size = kHalf ? 2 : 4;
  const std::uint32_t results = w.lanes / group;
  unsigned char out[64 * size];
  bool written[64];
  for (std::uint32_t rep = 0; rep < w.repeats; ++rep) {
    // Read the whole repeat before writing: dst may overlap the sources it has used.
    for (std::uint32_t k = 0; k < results; ++k) {
      float v = 0.0f;
      if (r.op == ReduceOp::kSum) {
        written[k] = group_sum<kHalf>(w, rep, k * group, group, &v);
        if (written[k]) num::store(out + k * size, v, kHalf);
      } else {
        const int j = scan_lanes(w, rep, k * group, (k + 1) * group, kHalf, r.op == ReduceOp::kMax);
        written[k] = j >= 0;
        if (written[k]) std::memcpy(out + k * size, w.at(rep, static_cast<std::uint32_t>(j)), size);
      }
    }
    for (std::uint32_t k = 0; k < results; ++k)
      if (written[k]) std::memcpy(dst + rep * pitch + k * size, out + k * size, size);
  }
}

// WholeReduceMax/Min: value and lane of each repeat, laid out by `order`.
template <bool kHalf>
void repeat_extremes(const ReducePart& r, const LaneWalk& w, unsigned char* dst, std::uint64_t pitch) {
  constexpr std::uint32_t size = kHalf ? 2 : 4;
  for (std::uint32_t rep = 0; rep < w.repeats; ++rep) {
    const int j = scan_lanes(w, rep, 0, w.lanes, kHalf, r.op == ReduceOp::kMax);
    unsigned char* slot = dst + rep * pitch;
    const unsigned char* value = w.at(rep, static_cast<std::uint32_t>(j));
    const auto index = static_cast<std::uint32_t>(j);  // size bytes of it, little-endian (index < 128)
    switch (r.order) {
      case AscendC::ReduceOrder::ORDER_VALUE_INDEX:
        std::memcpy(slot, value, size);
        std::memcpy(slot + size, &index, size);
        break;
      case AscendC::ReduceOrder::ORDER_INDEX_VALUE:
        std::memcpy(slot, &index, size);
        std::memcpy(slot + size, value, size);
        break;
      case AscendC::ReduceOrder::ORDER_ONLY_VALUE: std::memcpy(slot, value, size); break;
      case AscendC::ReduceOrder::ORDER_ONLY_INDEX: std::memcpy(slot, &index, 4); break;
    }
  }
}

template <bool kHalf>
void repeat_sums_to(const LaneWalk& w, unsigned char* dst, std::uint64_t pitch) {
  float sums[64];
  for (std::uint32_t r0 = 0; r0 < w.repeats; r0 += 64) {
    const std::uint32_t r1 = std::min<std::uint32_t>(w.repeats, r0 + 64);
    repeat_sums(w, kHalf, r0, r1, sums);
    for (std::uint32_t r = r0; r < r1; ++r) num::store(dst + r * pitch, sums[r - r0], kHalf);
  }
}

template <bool kHalf>
void run(const ReducePart& r, const Operand& dst, const LaneWalk& w) {
  constexpr std::uint32_t size = kHalf ? 2 : 4;
  const auto stride = static_cast<std::uint64_t>(r.dst_rep_stride);
  const char* api = r.api;
  const RepeatPlan& p = r.plan;
  if (r.shape == ReduceShape::kRepeat) {
    std::uint64_t unit = size;  // bytes per dstRepStride step, and of a result slot
    if (r.op != ReduceOp::kSum) {
      if (r.order == AscendC::ReduceOrder::ORDER_VALUE_INDEX || r.order == AscendC::ReduceOrder::ORDER_INDEX_VALUE)
        unit = 2 * size;
      else if (r.order == AscendC::ReduceOrder::ORDER_ONLY_INDEX)
        unit = 4;
      else if (r.order != AscendC::ReduceOrder::ORDER_ONLY_VALUE)
        fail("%s: order %d is not a ReduceOrder", api, static_cast<int>(r.order));
    }
    check_align(api, "dst", dst, r.op == ReduceOp::kSum ? size : 2 * size);
    check_room(api, "dst", dst, dst_reach(p.repeats, stride * unit, unit, 1, 1), "the results, dstRepStride slots apart,");
    if (r.op == ReduceOp::kSum) repeat_sums_to<kHalf>(w, dst.ptr, stride * unit);
    else repeat_extremes<kHalf>(r, w, dst.ptr, stride * unit);
    return;
  }
  const bool blocks = r.shape == ReduceShape::kDataBlock;
  const std::uint32_t group = blocks ? 32 / size : 2;
  const std::uint64_t pitch = stride * (blocks ? 8 * size : 128);
  check_align(api, "dst", dst, blocks ? 8 * size : 32);
  check_room(api, "dst", dst,
             dst_reach(p.repeats, pitch, size, groups_used(p.mask, w.lanes, group), groups_used(p.last, w.lanes, group)),
             blocks ? "the results, 8 per repeat and dstRepStride * 8 apart," : "the results, dstRepStride * 128 bytes apart,");
  reduce_groups<kHalf>(r, w, dst.ptr, pitch, group);
}

}  // namespace

void reduce_part(const ReducePart& r, const Operand& dst, const Operand& src) {
  const char* api = r.api;
  const PipeSpan pipe("V", api, 0);
  if (r.type != VecType::kF16 && r.type != VecType::kF32)
    fail("%s: T = %s is not supported on the 910B class (half, float)", api, type_name(r.type));
  const bool half = r.type == VecType::kF16;
  const std::uint32_t size = type_size(r.type);
  check_align(api, "src", src, 32);
  check_non_negative(api, "dstRepStride", r.dst_rep_stride);
  check_non_negative(api, "srcBlkStride", r.src_blk_stride);
  check_non_negative(api, "srcRepStride", r.src_rep_stride);
  if (r.plan.repeats == 0) return;
  const LaneWalk w = lane_walk(src.ptr, size, 256 / size, r.plan, static_cast<std::uint64_t>(r.src_blk_stride),
                               static_cast<std::uint64_t>(r.src_rep_stride));
  check_room(api, "src", src, w.extent(), "the enabled elements of the repeats (srcBlkStride, srcRepStride)");
  if (half) run<true>(r, dst, w);
  else run<false>(r, dst, w);
}

}  // namespace vnpu::ascendc
