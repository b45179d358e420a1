// GatherMask: the elements of src0 a pattern selects, packed from dst[0].
#include <algorithm>
#include <cstring>

#include "ascendc/pipe_span.hpp"
#include "ascendc/vec_walk.hpp"

namespace vnpu::ascendc {
namespace {

// Element e of a repeat: built-in pattern p (1 .. 7) or bit e of the repeat's pattern.
bool selected(std::uint8_t builtin, const unsigned char* pattern, std::uint64_t e) {
  switch (builtin) {
    case 0: return ((pattern[e >> 3] >> (e & 7)) & 1u) != 0;
    case 1: return e % 2 == 0;
    case 2: return e % 2 == 1;
    case 7: return true;
    default: return e % 4 == static_cast<std::uint64_t>(builtin - 3);
  }
}

// Calls f(e) for the elements e < n of a repeat the pattern keeps, in order (a user
// pattern's zero words skipped whole).
template <class F>
void each_kept(std::uint8_t builtin, const unsigned char* bits, std::uint64_t n, F f) {
  for (std::uint64_t e = 0; e < n; ++e) {
    if (builtin == 0 && (e & 63) == 0 && e + 64 <= n) {
      std::uint64_t word;
      std::memcpy(&word, bits + e / 8, 8);
      if (word == 0) {
        e += 63;
        continue;
      }
    }
    if (selected(builtin, bits, e)) f(e);
  }
}

}  // namespace

std::uint64_t gather_mask(const Gather& g, const Operand& dst, const Operand& src0, const Operand* pattern) {
  const PipeSpan pipe("V", "GatherMask", 0);
  const char* api = "GatherMask";
  switch (g.type) {
    case VecType::kF16:
    case VecType::kBF16:
    case VecType::kI16:
    case VecType::kU16:
    case VecType::kF32:
    case VecType::kI32:
    case VecType::kU32: break;
    default:
      fail("GatherMask: T = %s is not supported on the 910B class (half, bfloat16_t, int16_t, uint16_t, float, "
           "int32_t, uint32_t)",
           type_name(g.type));
  }
  const std::uint32_t size = type_size(g.type);
  if (pattern != nullptr) {
    if (g.pattern_bits != 8 * size)
      fail("GatherMask: for %s the pattern tensor holds uint%u_t (one bit per element), not uint%u_t",
           type_name(g.type), 8 * size, g.pattern_bits);
    check_align(api, "src1Pattern", *pattern, 32);
  } else if (g.builtin < 1 || g.builtin > 7) {
    fail("GatherMask: the built-in src1Pattern is 1 .. 7 (1 even, 2 odd, 3 .. 6 one of every four, 7 all), not %u",
         static_cast<unsigned>(g.builtin));
  }
  check_align(api, "dst", dst, 32);
  check_align(api, "src0", src0, 32);
  if (g.reduce_mode && g.mask == 0)
    fail("GatherMask: with reduceMode true (counter mode) mask is the elements of a repeat, 1 .. 2^32 - 1, not 0");
  block().counter_mode = false;  // the instruction ends in the normal mask mode

  const AscendC::GatherMaskParams& p = g.params;
  const std::uint64_t per_repeat = g.reduce_mode ? g.mask : 256 / size;
  const std::uint64_t rep_pitch = std::uint64_t{p.src0RepeatStride} * 32, blk_pitch = std::uint64_t{p.src0BlockStride} * 32;
  const std::uint64_t pattern_pitch = std::uint64_t{p.src1RepeatStride} * 32;
  const auto element = [&](std::uint64_t r, std::uint64_t e) {
    const std::uint64_t byte = e * size;
    return r * rep_pitch + (byte >> 5) * blk_pitch + (byte & 31);
  };
  if (pattern != nullptr && p.repeatTimes > 0) {
    const std::uint64_t words = (per_repeat + g.pattern_bits - 1) / g.pattern_bits;
    check_room(api, "src1Pattern", *pattern, (p.repeatTimes - 1u) * pattern_pitch + words * (g.pattern_bits / 8),
               "the pattern bits of the repeats (src1RepeatStride)");
  }
  // Count the kept elements and check each one read, and the room for them in dst, before
  // anything is written.
  std::uint64_t kept = 0;
  for (std::uint64_t r = 0; r < p.repeatTimes; ++r) {
    const unsigned char* bits = pattern != nullptr ? pattern->ptr + r * pattern_pitch : nullptr;
    each_kept(g.builtin, bits, per_repeat, [&](std::uint64_t e) {
      if (element(r, e) + size > src0.room)
        fail("GatherMask: src0: element %llu of repeat %llu lies %llu bytes from the tensor's start, past the end of "
             "its buffer (%llu bytes; src0BlockStride %u, src0RepeatStride %u)",
             static_cast<unsigned long long>(e), static_cast<unsigned long long>(r),
             static_cast<unsigned long long>(element(r, e)), static_cast<unsigned long long>(src0.room),
             static_cast<unsigned>(p.src0BlockStride), static_cast<unsigned>(p.src0RepeatStride));
      if ((kept + 1) * size > dst.room)
        fail("GatherMask: dst: kept element %llu (element %llu of repeat %llu) lies past the end of its buffer "
             "(%llu bytes)",
             static_cast<unsigned long long>(kept), static_cast<unsigned long long>(e),
             static_cast<unsigned long long>(r), static_cast<unsigned long long>(dst.room));
      ++kept;
    });
  }
  unsigned char* out = dst.ptr;
  for (std::uint64_t r = 0; r < p.repeatTimes; ++r) {
    const unsigned char* bits = pattern != nullptr ? pattern->ptr + r * pattern_pitch : nullptr;
    each_kept(g.builtin, bits, per_repeat, [&](std::uint64_t e) {
      std::memmove(out, src0.ptr + element(r, e), size);
      out += size;
    });
  }
  return kept;
}

}  // namespace vnpu::ascendc
