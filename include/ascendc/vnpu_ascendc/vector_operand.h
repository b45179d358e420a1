// vnpu_ascendc/vector_operand.h — how the reduction, GatherMask and Cast instructions hand
// their work to vnpu's out-of-line kernels (libascendcl): element types, operands in the
// unified buffer, and masks given as arguments.
//
// The instruction templates in vector_reduce.h, vector_reduce_repeat.h, vector_gather.h
// and vector_cast.h only translate their arguments; the kernels check every constraint
// (alignment, the extent of each operand against its buffer, ranges) before they touch
// memory, and fail the kernel with a message naming the instruction otherwise.
#pragma once

#include <cstdint>
#include <type_traits>

#include "vnpu_ascendc/half.h"
#include "vnpu_ascendc/tensor.h"
#include "vnpu_ascendc/vector.h"

namespace vnpu::ascendc {

/// A LocalTensor as the kernels see it: its first element and the bytes from there to the
/// end of the buffer it lies in, which no instruction may pass.
struct Operand {
  unsigned char* ptr = nullptr;
  std::uint64_t room = 0;
};

/// The operand of tensor `t` (failing the kernel when `t` holds no buffer).
template <typename T>
Operand operand(const AscendC::LocalTensor<T>& t, const char* api) {
  t.check(0, 0, api);
  auto* p = reinterpret_cast<unsigned char*>(t.GetPhyAddr());
  return Operand{p, static_cast<std::uint64_t>(t.buffer_end() - p)};
}

/// The lanes of one repeat of T that a mask argument enables, without the mask register:
/// bit form (mask[1] counts for 16-bit types only) ...
template <typename T>
RepeatMask mask_lanes(const std::uint64_t mask[]) {
  RepeatMask m;
  m.bits[0] = mask[0];
  m.bits[1] = lanes_per_repeat<T>() > 64 ? mask[1] : 0;
  if constexpr (lanes_per_repeat<T>() < 64) m.bits[0] &= (std::uint64_t{1} << lanes_per_repeat<T>()) - 1;
  return m;
}
/// ... and continuous form: the first `mask` lanes (a value above the lanes of a repeat
/// means all of them; zero or less enables none).
template <typename T>
RepeatMask mask_lanes(std::int64_t mask) {
  if (mask <= 0) return RepeatMask{};
  const std::uint64_t n = static_cast<std::uint64_t>(mask);
  return RepeatMask::first(n > lanes_per_repeat<T>() ? lanes_per_repeat<T>() : n);
}

/// The plan of an instruction with an isSetMask template parameter: with isSetMask = true
/// the mask argument is written to the mask register first (as a total element count in
/// counter mode); with false the register is used as it is (the argument is then
/// MASK_PLACEHOLDER and ignored). Bit form ...
template <typename T, bool isSetMask>
RepeatPlan plan_with_mask(const std::uint64_t mask[], std::int64_t repeat_time, const char* what,
                          std::int64_t max_repeats = AscendC::MAX_REPEAT_TIMES) {
  if constexpr (isSetMask) set_mask_bits<T>(mask);
  return plan_repeats<T>(repeat_time, what, max_repeats);
}
/// ... and continuous form.
template <typename T, bool isSetMask>
RepeatPlan plan_with_mask(std::int64_t mask, std::int64_t repeat_time, const char* what,
                          std::int64_t max_repeats = AscendC::MAX_REPEAT_TIMES) {
  if constexpr (isSetMask) set_mask_count<T>(mask <= 0 ? 0 : static_cast<std::uint64_t>(mask));
  return plan_repeats<T>(repeat_time, what, max_repeats);
}

/// What the count forms leave behind, as on the chip: the mask register all ones and the
/// normal mask mode.
inline void end_count_form() {
  BlockState& b = block();
  b.mask[0] = b.mask[1] = AscendC::FULL_MASK;
  b.counter_mode = false;
}

}  // namespace vnpu::ascendc
