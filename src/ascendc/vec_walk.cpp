// Operand walks and checks of the reduction, GatherMask and Cast kernels.
#include "ascendc/vec_walk.hpp"

#include <algorithm>
#include <bit>

namespace vnpu::ascendc {

const char* type_name(VecType t) noexcept {
  switch (t) {
    case VecType::kF16: return "half";
    case VecType::kBF16: return "bfloat16_t";
    case VecType::kF32: return "float";
    case VecType::kI8: return "int8_t";
    case VecType::kU8: return "uint8_t";
    case VecType::kI16: return "int16_t";
    case VecType::kU16: return "uint16_t";
    case VecType::kI32: return "int32_t";
    case VecType::kU32: return "uint32_t";
    case VecType::kI64: return "int64_t";
    case VecType::kU64: return "uint64_t";
  }
  return "?";
}

std::uint32_t type_size(VecType t) noexcept {
  switch (t) {
    case VecType::kI8:
    case VecType::kU8: return 1;
    case VecType::kF16:
    case VecType::kBF16:
    case VecType::kI16:
    case VecType::kU16: return 2;
    case VecType::kF32:
    case VecType::kI32:
    case VecType::kU32: return 4;
    case VecType::kI64:
    case VecType::kU64: return 8;
  }
  return 0;
}

std::uint64_t mul_add_sat(std::uint64_t a, std::uint64_t b, std::uint64_t c) noexcept {
  std::uint64_t r = 0;
  if (__builtin_mul_overflow(a, b, &r) || __builtin_add_overflow(r, c, &r)) return ~std::uint64_t{0};
  return r;
}

namespace {

// Bytes from a repeat's start to the end of its furthest lane in `m`.
std::uint64_t repeat_reach(const LaneWalk& w, const RepeatMask& m) {
  std::uint64_t reach = 0;
  const auto lane_end = [&](std::uint32_t j) {
    const std::uint64_t byte = std::uint64_t{j} * w.size;
    return (byte >> 5) * w.blk_pitch + (byte & 31) + w.size;
  };
  if (w.blk_pitch != 0) {  // lanes lie in increasing order: the highest one is the furthest
    for (int word = 1; word >= 0; --word) {
      if (m.bits[word] == 0) continue;
      return lane_end(static_cast<std::uint32_t>(64 * word + 63 - std::countl_zero(m.bits[word])));
    }
    return 0;
  }
  for (std::uint32_t j = 0; j < w.lanes; ++j)  // every DataBlock on the first: any lane may be
    if (m.test(j)) reach = std::max(reach, lane_end(j));
  return reach;
}

}  // namespace

std::uint64_t LaneWalk::extent() const {
  if (repeats == 0) return 0;
  std::uint64_t e = mul_add_sat(repeats - 1, rep_pitch, repeat_reach(*this, last));
  if (repeats >= 2) e = std::max(e, mul_add_sat(repeats - 2, rep_pitch, repeat_reach(*this, mask)));
  return e;
}

LaneWalk lane_walk(unsigned char* base, std::uint32_t size, std::uint32_t lanes, const RepeatPlan& plan,
                   std::uint64_t blk_stride, std::uint64_t rep_stride) {
  LaneWalk w;
  w.base = base;
  w.size = size;
  w.lanes = lanes;
  w.blk_pitch = blk_stride * AscendC::ONE_BLK_SIZE;
  w.rep_pitch = rep_stride * AscendC::ONE_BLK_SIZE;
  w.repeats = plan.repeats;
  w.mask = plan.mask;
  w.last = plan.last;
  return w;
}

void check_align(const char* api, const char* name, const Operand& o, std::uint32_t align) {
  const BlockState& b = block();
  const auto off = static_cast<std::uint64_t>(o.ptr - b.ub);
  if (off % align != 0)
    fail("%s: %s lies at UB byte %llu, which is not %u-byte aligned", api, name, static_cast<unsigned long long>(off),
         align);
}

void check_room(const char* api, const char* name, const Operand& o, std::uint64_t bytes, const char* what) {
  if (bytes > o.room)
    fail("%s: %s: %s reach%s %llu bytes from the tensor's start, past the end of its buffer (%llu bytes)", api, name,
         what, bytes == ~std::uint64_t{0} ? " beyond" : "", static_cast<unsigned long long>(bytes),
         static_cast<unsigned long long>(o.room));
}

void check_non_negative(const char* api, const char* name, std::int64_t v) {
  if (v < 0) fail("%s: %s is %lld; it must be 0 or more", api, name, static_cast<long long>(v));
}

}  // namespace vnpu::ascendc
