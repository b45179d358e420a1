// vnpu_ascendc/data_copy.h — moving data between global memory and the unified buffer:
// DataCopy (whole 32-byte blocks, plain or in strided bursts), DataCopyPad (any byte
// length, with padding), and the atomic modes of UB-to-GM copies.
//
// Every copy checks both sides: the GlobalTensor's extent (and the vnpu allocation it lies
// in) and the LocalTensor's buffer. A length the chip would silently round down (not a
// multiple of 32 bytes) is copied as the chip does, with a warning (an error under
// VNPU_ASCENDC_STRICT=1).
#pragma once

#include <cstdint>

#include "vnpu_ascendc/tensor.h"

namespace AscendC {

/// Strided DataCopy: `blockCount` bursts of `blockLen` 32-byte blocks; the gaps between
/// bursts (tail to head) are `srcStride` / `dstStride` blocks.
struct DataCopyParams {
  DataCopyParams() = default;
  DataCopyParams(std::uint16_t count, std::uint16_t len, std::uint16_t srcStrideIn, std::uint16_t dstStrideIn)
      : blockCount(count), blockLen(len), srcStride(srcStrideIn), dstStride(dstStrideIn) {}
  std::uint16_t blockCount = DEFAULT_DATA_COPY_NBURST;
  std::uint16_t blockLen = 0;
  union {
    std::uint16_t srcGap = 0;
    std::uint16_t srcStride;
  };
  union {
    std::uint16_t dstGap = 0;
    std::uint16_t dstStride;
  };
};

/// DataCopyPad bursts: `blockLen` bytes each; the gaps are in bytes on the GM side and in
/// 32-byte blocks on the UB side.
struct DataCopyExtParams {
  DataCopyExtParams() = default;
  DataCopyExtParams(std::uint16_t count, std::uint32_t len, std::uint32_t srcStrideIn, std::uint32_t dstStrideIn,
                    std::uint32_t rsvIn)
      : blockCount(count), blockLen(len), srcStride(srcStrideIn), dstStride(dstStrideIn), rsv(rsvIn) {}
  std::uint16_t blockCount = DEFAULT_DATA_COPY_NBURST;
  std::uint32_t blockLen = 0;
  std::uint32_t srcStride = DEFAULT_DATA_COPY_STRIDE;
  std::uint32_t dstStride = DEFAULT_DATA_COPY_STRIDE;
  std::uint32_t rsv = 0;
};

/// Padding of each GM-to-UB burst: `leftPadding` / `rightPadding` elements of
/// `paddingValue` (when isPad) around the data.
template <typename T>
struct DataCopyPadExtParams {
  DataCopyPadExtParams() = default;
  DataCopyPadExtParams(bool isPadValue, std::uint8_t leftPadValue, std::uint8_t rightPadValue, T padValue)
      : isPad(isPadValue), leftPadding(leftPadValue), rightPadding(rightPadValue), paddingValue(padValue) {}
  bool isPad = false;
  std::uint8_t leftPadding = 0;
  std::uint8_t rightPadding = 0;
  T paddingValue = 0;
};

/// The older, untyped padding parameters.
struct DataCopyPadParams {
  DataCopyPadParams() = default;
  DataCopyPadParams(bool isPadValue, std::uint8_t leftPadValue, std::uint8_t rightPadValue, std::uint64_t padValue)
      : isPad(isPadValue), leftPadding(leftPadValue), rightPadding(rightPadValue), paddingValue(padValue) {}
  bool isPad = false;
  std::uint8_t leftPadding = 0;
  std::uint8_t rightPadding = 0;
  std::uint64_t paddingValue = 0;
};

}  // namespace AscendC

namespace vnpu::ascendc {

/// One side of a copy: `base` and the bytes reachable from it (UB buffer or GM extent).
struct Side {
  unsigned char* base;
  std::uint64_t room;    ///< bytes from base to the end of what the tensor may touch
  bool gm;
  bool gm_sized;         ///< a GM extent set with SetGlobalBuffer(ptr, n)
};

/// A burst plan: `count` bursts of `len` bytes, source and destination advancing by their
/// pitches (bytes from burst start to burst start).
struct Bursts {
  std::uint64_t count;
  std::uint64_t len;
  std::uint64_t src_pitch;
  std::uint64_t dst_pitch;
};

/// Checks and copies a burst plan from `src` to `dst` (atomically accumulating into GM when
/// the block's atomic mode is set). `what` names the API for messages.
VNPU_ASCENDC_API void copy_bursts(const Side& dst, const Side& src, const Bursts& b, std::uint32_t elem_size,
                                  int elem_kind, const char* what);
/// DataCopyPad from GM to UB: each burst of `len` bytes lands `left` elements into a slot
/// of `slot` bytes (32-byte aligned), the rest filled per the padding rules.
VNPU_ASCENDC_API void copy_pad_in(const Side& dst, const Side& src, const Bursts& b, std::uint32_t elem_size,
                                  std::uint32_t left, std::uint32_t right, bool is_pad, const void* pad_value,
                                  std::uint64_t slot);

/// The element kinds atomic modes and padding distinguish.
enum ElemKind : int { kKindOther = 0, kKindF32, kKindF16, kKindBF16, kKindI32, kKindI16, kKindI8, kKindU8 };
template <typename T>
constexpr int elem_kind() {
  if constexpr (std::is_same_v<T, float>) return kKindF32;
  if constexpr (std::is_same_v<T, half>) return kKindF16;
  if constexpr (std::is_same_v<T, bfloat16_t>) return kKindBF16;
  if constexpr (std::is_same_v<T, std::int32_t>) return kKindI32;
  if constexpr (std::is_same_v<T, std::int16_t>) return kKindI16;
  if constexpr (std::is_same_v<T, std::int8_t>) return kKindI8;
  if constexpr (std::is_same_v<T, std::uint8_t>) return kKindU8;
  return kKindOther;
}

template <typename T>
Side side(const AscendC::LocalTensor<T>& t) {
  t.check(0, 0, "DataCopy");
  auto* p = reinterpret_cast<unsigned char*>(t.GetPhyAddr());
  return Side{p, static_cast<std::uint64_t>(t.buffer_end() - p), false, false};
}
template <typename T>
Side side(const AscendC::GlobalTensor<T>& t) {
  t.check(0, 0, "DataCopy");
  auto* p = reinterpret_cast<unsigned char*>(const_cast<T*>(t.GetPhyAddr()));
  return Side{p, t.sized() ? t.GetSize() * sizeof(T) : ~std::uint64_t{0}, true, t.sized()};
}

/// The bytes of `count` elements, rounded down to whole 32-byte blocks as the chip does
/// (with a warning, or a failure when strict).
VNPU_ASCENDC_API std::uint64_t whole_blocks(std::uint64_t count, std::uint32_t elem_size, const void* site);

VNPU_ASCENDC_API void set_atomic(int mode, int kind);

}  // namespace vnpu::ascendc

namespace AscendC {

// ---- DataCopy: count form ------------------------------------------------------------------
template <typename T>
void DataCopy(const LocalTensor<T>& dst, const GlobalTensor<T>& src, const std::uint32_t count) {
  const std::uint64_t bytes = vnpu::ascendc::whole_blocks(count, sizeof(T), __builtin_return_address(0));
  vnpu::ascendc::copy_bursts(vnpu::ascendc::side(dst), vnpu::ascendc::side(src), {1, bytes, bytes, bytes}, sizeof(T),
                             vnpu::ascendc::elem_kind<T>(), "DataCopy GM->UB");
}
template <typename T>
void DataCopy(const GlobalTensor<T>& dst, const LocalTensor<T>& src, const std::uint32_t count) {
  const std::uint64_t bytes = vnpu::ascendc::whole_blocks(count, sizeof(T), __builtin_return_address(0));
  vnpu::ascendc::copy_bursts(vnpu::ascendc::side(dst), vnpu::ascendc::side(src), {1, bytes, bytes, bytes}, sizeof(T),
                             vnpu::ascendc::elem_kind<T>(), "DataCopy UB->GM");
}
template <typename T>
void DataCopy(const LocalTensor<T>& dst, const LocalTensor<T>& src, const std::uint32_t count) {
  const std::uint64_t bytes = vnpu::ascendc::whole_blocks(count, sizeof(T), __builtin_return_address(0));
  vnpu::ascendc::copy_bursts(vnpu::ascendc::side(dst), vnpu::ascendc::side(src), {1, bytes, bytes, bytes}, sizeof(T),
                             vnpu::ascendc::elem_kind<T>(), "DataCopy UB->UB");
}

// ---- DataCopy: strided bursts (lengths and gaps in 32-byte blocks) --------------------------
namespace impl {
inline vnpu::ascendc::Bursts blocks_plan(const DataCopyParams& p) {
  const std::uint64_t len = std::uint64_t{p.blockLen} * ONE_BLK_SIZE;
  return {p.blockCount, len, len + std::uint64_t{p.srcStride} * ONE_BLK_SIZE,
          len + std::uint64_t{p.dstStride} * ONE_BLK_SIZE};
}
}  // namespace impl
template <typename T>
void DataCopy(const LocalTensor<T>& dst, const GlobalTensor<T>& src, const DataCopyParams& repeatParams) {
  vnpu::ascendc::copy_bursts(vnpu::ascendc::side(dst), vnpu::ascendc::side(src), impl::blocks_plan(repeatParams),
                             sizeof(T), vnpu::ascendc::elem_kind<T>(), "DataCopy GM->UB");
}
template <typename T>
void DataCopy(const GlobalTensor<T>& dst, const LocalTensor<T>& src, const DataCopyParams& repeatParams) {
  vnpu::ascendc::copy_bursts(vnpu::ascendc::side(dst), vnpu::ascendc::side(src), impl::blocks_plan(repeatParams),
                             sizeof(T), vnpu::ascendc::elem_kind<T>(), "DataCopy UB->GM");
}
template <typename T>
void DataCopy(const LocalTensor<T>& dst, const LocalTensor<T>& src, const DataCopyParams& repeatParams) {
  vnpu::ascendc::copy_bursts(vnpu::ascendc::side(dst), vnpu::ascendc::side(src), impl::blocks_plan(repeatParams),
                             sizeof(T), vnpu::ascendc::elem_kind<T>(), "DataCopy UB->UB");
}

// ---- DataCopyPad: any length; GM gaps in bytes, UB gaps in 32-byte blocks --------------------
namespace impl {
// UB slot of one burst: the data and its padding, rounded up to whole blocks.
inline std::uint64_t ub_slot(std::uint64_t bytes) { return (bytes + ONE_BLK_SIZE - 1) / ONE_BLK_SIZE * ONE_BLK_SIZE; }
}  // namespace impl
template <typename T>
void DataCopyPad(const LocalTensor<T>& dst, const GlobalTensor<T>& src, const DataCopyExtParams& p,
                 const DataCopyPadExtParams<T>& pad) {
  const std::uint64_t slot = impl::ub_slot(p.blockLen + (std::uint64_t{pad.leftPadding} + pad.rightPadding) * sizeof(T));
  const vnpu::ascendc::Bursts b{p.blockCount, p.blockLen, p.blockLen + std::uint64_t{p.srcStride},
                                slot + std::uint64_t{p.dstStride} * ONE_BLK_SIZE};
  vnpu::ascendc::copy_pad_in(vnpu::ascendc::side(dst), vnpu::ascendc::side(src), b, sizeof(T), pad.leftPadding,
                             pad.rightPadding, pad.isPad, &pad.paddingValue, slot);
}
template <typename T>
void DataCopyPad(const GlobalTensor<T>& dst, const LocalTensor<T>& src, const DataCopyExtParams& p) {
  const std::uint64_t slot = impl::ub_slot(p.blockLen);
  const vnpu::ascendc::Bursts b{p.blockCount, p.blockLen, slot + std::uint64_t{p.srcStride} * ONE_BLK_SIZE,
                                p.blockLen + std::uint64_t{p.dstStride}};
  vnpu::ascendc::copy_bursts(vnpu::ascendc::side(dst), vnpu::ascendc::side(src), b, sizeof(T),
                             vnpu::ascendc::elem_kind<T>(), "DataCopyPad UB->GM");
}
template <typename T>
void DataCopyPad(const LocalTensor<T>& dst, const GlobalTensor<T>& src, const DataCopyParams& p,
                 const DataCopyPadParams& pad) {
  const T value = static_cast<T>(pad.paddingValue);
  DataCopyPad(dst, src, DataCopyExtParams(p.blockCount, p.blockLen, p.srcStride, p.dstStride, 0),
              DataCopyPadExtParams<T>(pad.isPad, pad.leftPadding, pad.rightPadding, value));
}
template <typename T>
void DataCopyPad(const GlobalTensor<T>& dst, const LocalTensor<T>& src, const DataCopyParams& p) {
  DataCopyPad(dst, src, DataCopyExtParams(p.blockCount, p.blockLen, p.srcStride, p.dstStride, 0));
}

// ---- atomic accumulation of UB->GM copies ---------------------------------------------------
/// Later UB->GM copies of this block add into global memory (float, half, bfloat16_t,
/// int32_t, int16_t, int8_t), atomically with respect to the other blocks.
template <typename T>
void SetAtomicAdd() {
  vnpu::ascendc::set_atomic(1, vnpu::ascendc::elem_kind<T>());
}
template <typename T>
void SetAtomicMax() {
  vnpu::ascendc::set_atomic(2, vnpu::ascendc::elem_kind<T>());
}
template <typename T>
void SetAtomicMin() {
  vnpu::ascendc::set_atomic(3, vnpu::ascendc::elem_kind<T>());
}
/// Changes only the element type of the active atomic mode.
template <typename T>
void SetAtomicType() {
  vnpu::ascendc::set_atomic(-1, vnpu::ascendc::elem_kind<T>());
}
inline void SetAtomicNone() { vnpu::ascendc::set_atomic(0, 0); }
inline void DisableDmaAtomic() { SetAtomicNone(); }

}  // namespace AscendC
