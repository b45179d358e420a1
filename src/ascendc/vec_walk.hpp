// How the kernels of the reduction, GatherMask and Cast instructions walk their operands
// in the unified buffer, and the checks they make before touching them.
#pragma once

#include <cstdint>

#include "kernel_operator.h"

namespace vnpu::ascendc {

/// "half", "float", "int32_t", ... as the API spells the type.
const char* type_name(VecType t) noexcept;
/// Bytes per element.
std::uint32_t type_size(VecType t) noexcept;

/// The lanes of the repeats of one operand: repeat r starts r * rep_pitch bytes after
/// `base`; inside it, lane j lies in DataBlock j * size / 32, and the DataBlocks are
/// blk_pitch bytes apart. Lane j of a repeat takes part when its mask has bit j.
struct LaneWalk {
  unsigned char* base = nullptr;
  std::uint64_t rep_pitch = 0;
  std::uint64_t blk_pitch = 0;
  std::uint32_t size = 0;
  std::uint32_t lanes = 0;  ///< per repeat
  std::uint32_t repeats = 0;
  RepeatMask mask;  ///< lanes of every repeat but the last
  RepeatMask last;  ///< lanes of the last repeat

  const RepeatMask& lanes_of(std::uint32_t r) const { return r + 1 == repeats ? last : mask; }
  unsigned char* at(std::uint64_t r, std::uint64_t j) const {
    const std::uint64_t byte = j * size;
    return base + r * rep_pitch + (byte >> 5) * blk_pitch + (byte & 31);
  }
  /// Whether repeat r's lanes are contiguous and all enabled (a plain 256-byte load).
  bool plain(std::uint32_t r) const { return blk_pitch == 32 && lanes_of(r).all(lanes); }
  /// Bytes from `base` to the end of the furthest enabled lane (0 without repeats; the
  /// maximum on overflow).
  std::uint64_t extent() const;
};

/// A walk over `plan` for an operand of `size`-byte elements with `lanes` lanes per repeat
/// and strides in 32-byte blocks.
LaneWalk lane_walk(unsigned char* base, std::uint32_t size, std::uint32_t lanes, const RepeatPlan& plan,
                   std::uint64_t blk_stride, std::uint64_t rep_stride);

/// Fails unless the operand's first element is `align`-byte aligned in the UB.
void check_align(const char* api, const char* name, const Operand& o, std::uint32_t align);
/// Fails unless `bytes` from the operand's first element lie in its buffer; `what` tells
/// which elements (for the message).
void check_room(const char* api, const char* name, const Operand& o, std::uint64_t bytes, const char* what);
/// Fails when `v` is negative (a stride or count).
void check_non_negative(const char* api, const char* name, std::int64_t v);

/// bytes = a * b + c, or the maximum on overflow.
std::uint64_t mul_add_sat(std::uint64_t a, std::uint64_t b, std::uint64_t c) noexcept;

}  // namespace vnpu::ascendc
