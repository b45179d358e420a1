// ReduceSum, ReduceMax, ReduceMin: checks, then the SIMD kernels (contiguous data, sums of
// repeats) or a scan of the enabled lanes (maxima and minima of masked repeats).
#include <algorithm>
#include <cstring>

#include "ascendc/pipe_span.hpp"
#include "ascendc/vec_reduce_kernels.hpp"
#include "ascendc/vec_numeric.hpp"

namespace vnpu::ascendc {
namespace {

constexpr std::uint32_t kChunk = 256;  // repeat sums computed at a time

// The sum of the repeats of `w`: added one after the other (count form) or by a second
// pairwise tree (mask/repeat form).
template <bool kHalf>
float sum_repeats(const LaneWalk& w, bool in_sequence) {
  float sums[kChunk];
  float acc = 0.0f;
  num::PairwiseFold<kHalf> tree;
  for (std::uint32_t r0 = 0; r0 < w.repeats; r0 += kChunk) {
    const std::uint32_t r1 = std::min<std::uint32_t>(w.repeats, r0 + kChunk);
    repeat_sums(w, kHalf, r0, r1, sums);
    for (std::uint32_t k = 0; k < r1 - r0; ++k) {
      if (!in_sequence) tree.push(sums[k]);
      else acc = r0 + k == 0 ? sums[k] : num::add<kHalf>(acc, sums[k]);
    }
  }
  return in_sequence ? acc : tree.result();
}

// The first extreme of the enabled lanes of `w`, lane j of repeat r counting as element
// r * lanes + j.
Extreme scan_extreme(const LaneWalk& w, bool half, bool is_max) {
  Extreme e;
  float best = 0.0f;
  bool found = false;
  for (std::uint32_t r = 0; r < w.repeats; ++r) {
    const RepeatMask& m = w.lanes_of(r);
    for (std::uint32_t j = 0; j < w.lanes; ++j) {
      if (!m.test(j)) continue;
      const unsigned char* p = w.at(r, j);
      const float v = num::load(p, half);
      if (found && !num::beats(v, best, is_max)) continue;
      found = true;
      best = v;
      e.index = std::uint64_t{r} * w.lanes + j;
      e.bits = 0;
      std::memcpy(&e.bits, p, half ? 2 : 4);  // the element's own bits (a NaN keeps its payload)
    }
  }
  return e;
}

void store_index(const char* api, const Operand& dst, std::uint32_t size, std::uint64_t index) {
  if (size == 2) {
    if (index > 0xFFFF)
      fail("%s: calIndex: the index %llu does not fit the uint16_t a half slot holds (at most 65535)", api,
           static_cast<unsigned long long>(index));
    const auto i = static_cast<std::uint16_t>(index);
    std::memcpy(dst.ptr + 2, &i, 2);
  } else {
    if (index > 0xFFFFFFFFu)
      fail("%s: calIndex: the index %llu does not fit the uint32_t a float slot holds", api,
           static_cast<unsigned long long>(index));
    const auto i = static_cast<std::uint32_t>(index);
    std::memcpy(dst.ptr + 4, &i, 4);
  }
}

}  // namespace

std::uint64_t reduce_max_min_work_elems(VecType t, std::int64_t first_repeats, bool cal_index) {
  const std::uint64_t size = type_size(t), per_block = 32 / size, per_repeat = 256 / size;
  const auto blocks = [&](std::uint64_t elems) { return (elems + per_block - 1) / per_block * per_block; };
  // Every round writes a value and an index per repeat; without calIndex the later rounds
  // reuse the first round's space.
  std::uint64_t out = 2 * static_cast<std::uint64_t>(std::max<std::int64_t>(first_repeats, 1));
  std::uint64_t total = blocks(out);
  if (!cal_index) return total;
  for (int round = 2; round <= 3 && out > 2; ++round) {
    out = (out + per_repeat - 1) / per_repeat * 2;
    total += blocks(out);
  }
  return total;
}

void reduce_all(const ReduceAll& r, const Operand& dst, const Operand& src, const Operand* work) {
  const char* api = r.api;
  const PipeSpan pipe("V", api, 0);
  if (r.type != VecType::kF16 && r.type != VecType::kF32)
    fail("%s: T = %s is not supported on the 910B class (half, float)", api, type_name(r.type));
  const bool half = r.type == VecType::kF16;
  const bool extreme = r.op != ReduceOp::kSum;
  const std::uint32_t size = type_size(r.type), lanes = 256 / size;
  check_align(api, "src", src, 32);
  check_align(api, "dst", dst, extreme ? 2 * size : size);
  LaneWalk w;
  std::int64_t first_repeats = 0;
  if (r.counted) {
    check_non_negative(api, "count", r.count);
    if (r.count == 0) return;
    const auto n = static_cast<std::uint64_t>(r.count);
    check_room(api, "src", src, n * size, "the count's elements");
    RepeatPlan plan;
    plan.repeats = static_cast<std::uint32_t>((n + lanes - 1) / lanes);
    plan.mask = RepeatMask::first(lanes);
    plan.last = RepeatMask::first(n - std::uint64_t{plan.repeats - 1} * lanes);
    w = lane_walk(src.ptr, size, lanes, plan, 1, 8);
    first_repeats = r.count / lanes;
  } else {
    check_non_negative(api, "repeatTime", r.repeat_time);
    check_non_negative(api, "srcRepStride", r.src_rep_stride);
    if (r.repeat_time == 0) return;
    if (r.mask.bits[0] == 0 && r.mask.bits[1] == 0)
      fail("%s: the mask enables no element (for %s, set bits of mask[0]%s, or a continuous mask of 1 .. %u)", api,
           type_name(r.type), half ? " or mask[1]" : "", lanes);
    w = lane_walk(src.ptr, size, lanes, RepeatPlan{static_cast<std::uint32_t>(r.repeat_time), r.mask, r.mask}, 1,
                  static_cast<std::uint64_t>(r.src_rep_stride));
    check_room(api, "src", src, w.extent(), "the enabled elements of repeatTime repeats srcRepStride blocks apart");
    first_repeats = r.repeat_time;
  }
  if (extreme) {
    check_align(api, "sharedTmpBuffer", *work, 32);
    const std::uint64_t need = reduce_max_min_work_elems(r.type, first_repeats, r.cal_index);
    if (need * size > work->room)
      fail("%s: sharedTmpBuffer holds %llu elements; %s needs at least %llu here (%s, calIndex %s)", api,
           static_cast<unsigned long long>(work->room / size), api, static_cast<unsigned long long>(need),
           r.counted ? "count form" : "mask/repeat form", r.cal_index ? "true" : "false");
  }
  check_room(api, "dst", dst, (extreme && r.cal_index ? 2 : 1) * size, "the result");

  if (!extreme) {
    const float sum = half ? sum_repeats<true>(w, r.counted) : sum_repeats<false>(w, r.counted);
    num::store(dst.ptr, sum, half);
    return;
  }
  const bool is_max = r.op == ReduceOp::kMax;
  const Extreme e = r.counted ? extreme_count(src.ptr, half, static_cast<std::uint64_t>(r.count), is_max, r.cal_index)
                              : scan_extreme(w, half, is_max);
  std::memcpy(dst.ptr, &e.bits, size);  // little-endian: the low half of the bits for half
  if (r.cal_index) store_index(api, dst, size, e.index);
}

}  // namespace vnpu::ascendc
