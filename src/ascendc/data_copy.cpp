// DataCopy and DataCopyPad: bursts between global memory and the unified buffer, checked
// against both sides' extents, with the atomic modes of UB-to-GM copies.
#include <algorithm>
#include <bit>
#include <cstring>
#include <type_traits>

#include "ascendc/pipe_span.hpp"
#include "kernel_operator.h"
#include "vnpu/kernel.hpp"
#include "vnpu/soc.hpp"
#include "vnpu/memory.hpp"

namespace vnpu::ascendc {
namespace {

// Bytes from the start of the first burst to the end of the last; false on overflow.
bool span(const Bursts& b, std::uint64_t pitch, std::uint64_t len, std::uint64_t* out) {
  if (b.count == 0) {
    *out = 0;
    return true;
  }
  std::uint64_t s = 0;
  if (__builtin_mul_overflow(b.count - 1, pitch, &s) || __builtin_add_overflow(s, len, &s)) return false;
  *out = s;
  return true;
}

// A side's range must lie in its tensor (UB buffer or GM extent) and, for global memory
// vnpu allocated, in that allocation.
void check_side(const Side& s, std::uint64_t bytes, const char* what, const char* role) {
  if (!s.gm && reinterpret_cast<std::uintptr_t>(s.base) % AscendC::ONE_BLK_SIZE != 0)
    fail("%s: the %s address in the unified buffer is not 32-byte aligned (it must be; the tensor starts %llu "
         "bytes past a 32-byte boundary)",
         what, role, static_cast<unsigned long long>(reinterpret_cast<std::uintptr_t>(s.base) % AscendC::ONE_BLK_SIZE));
  if (bytes > s.room)
    fail("%s: the %s range of %llu bytes runs past the %s (%llu bytes from the tensor's start)", what, role,
         static_cast<unsigned long long>(bytes),
         s.gm ? "extent SetGlobalBuffer gave the GlobalTensor" : "LocalTensor's buffer",
         static_cast<unsigned long long>(s.room));
  if (!s.gm || bytes == 0) return;
  const vnpu::PointerInfo info = vnpu::pointer_info(s.base);
  if (info.type == vnpu::MemoryType::kFreed)
    fail("%s: the %s global memory at %p was freed (use after free)", what, role, static_cast<void*>(s.base));
  if (info.base == nullptr) return;  // host memory vnpu does not track: the extent is all we know
  const auto off = static_cast<std::uint64_t>(s.base - static_cast<unsigned char*>(info.base));
  if (bytes > info.size - off)
    fail("%s: the %s range of %llu bytes at offset %llu runs past its %zu-byte allocation", what, role,
         static_cast<unsigned long long>(bytes), static_cast<unsigned long long>(off), info.size);
}

template <typename U>
U load_bits(const unsigned char* p) {
  U v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// Accumulates `n` elements at `src` into `dst` with the block's atomic mode, each element
// atomically with respect to other blocks (a compare-and-swap of its bits).
template <typename Bits, typename Combine>
void accumulate(unsigned char* dst, const unsigned char* src, std::uint64_t n, Combine combine) {
  for (std::uint64_t i = 0; i < n; ++i) {
    auto* d = reinterpret_cast<Bits*>(dst + i * sizeof(Bits));
    const Bits v = load_bits<Bits>(src + i * sizeof(Bits));
    Bits old = __atomic_load_n(d, __ATOMIC_RELAXED);
    while (!__atomic_compare_exchange_n(d, &old, combine(old, v), true, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) {
    }
  }
}

template <typename T, typename Bits>
void accumulate_as(int mode, unsigned char* dst, const unsigned char* src, std::uint64_t n) {
  accumulate<Bits>(dst, src, n, [mode](Bits a_bits, Bits b_bits) {
    const T a = std::bit_cast<T>(a_bits);
    const T b = std::bit_cast<T>(b_bits);
    T r;
    if (mode == 1) {
      if constexpr (std::is_integral_v<T>) {
        r = static_cast<T>(static_cast<std::make_unsigned_t<T>>(a) + static_cast<std::make_unsigned_t<T>>(b));
      } else {
        r = static_cast<T>(a + b);
      }
    } else if (mode == 2) {
      r = b > a ? b : a;
    } else {
      r = b < a ? b : a;
    }
    return std::bit_cast<Bits>(r);
  });
}

void atomic_store(int mode, int kind, unsigned char* dst, const unsigned char* src, std::uint64_t bytes) {
  switch (kind) {
    case kKindF32: accumulate_as<float, std::uint32_t>(mode, dst, src, bytes / 4); return;
    case kKindF16: accumulate_as<half, std::uint16_t>(mode, dst, src, bytes / 2); return;
    case kKindBF16: accumulate_as<bfloat16_t, std::uint16_t>(mode, dst, src, bytes / 2); return;
    case kKindI32: accumulate_as<std::int32_t, std::uint32_t>(mode, dst, src, bytes / 4); return;
    case kKindI16: accumulate_as<std::int16_t, std::uint16_t>(mode, dst, src, bytes / 2); return;
    case kKindI8: accumulate_as<std::int8_t, std::uint8_t>(mode, dst, src, bytes); return;
    default: fail("atomic accumulation into global memory: the element type is not one the chip supports");
  }
}

// Checked mode: the global-memory bytes of a burst plan, burst by burst (note_access
// merges adjacent ones).
void note_bursts(const unsigned char* base, const Bursts& b, std::uint64_t pitch, GmAccess mode) {
  if (pitch == b.len) {
    note_gm(base, b.count * b.len, mode);
    return;
  }
  for (std::uint64_t i = 0; i < b.count; ++i) note_gm(base + i * pitch, b.len, mode);
}

}  // namespace

void copy_bursts(const Side& dst, const Side& src, const Bursts& b, std::uint32_t elem_size, int elem_kind,
                 const char* what) {
  if (b.count == 0 || b.len == 0) return;
  const PipeSpan pipe(copy_pipe(src.gm, dst.gm), what, src.gm || dst.gm ? b.count * b.len : 0);
  std::uint64_t dst_span = 0, src_span = 0;
  if (!span(b, b.dst_pitch, b.len, &dst_span) || !span(b, b.src_pitch, b.len, &src_span))
    fail("%s: %llu bursts of %llu bytes overflow the address space", what, static_cast<unsigned long long>(b.count),
         static_cast<unsigned long long>(b.len));
  check_side(dst, dst_span, what, "destination");
  check_side(src, src_span, what, "source");
  (void)elem_size;
  BlockState& blk = block();
  const bool atomic = dst.gm && blk.atomic != 0;
  if (checking()) {
    if (src.gm) note_bursts(src.base, b, b.src_pitch, kGmRead);
    if (dst.gm) note_bursts(dst.base, b, b.dst_pitch, atomic ? kGmReadWrite : kGmWrite);  // atomics read too
  }
  for (std::uint64_t i = 0; i < b.count; ++i) {
    unsigned char* d = dst.base + i * b.dst_pitch;
    const unsigned char* s = src.base + i * b.src_pitch;
    if (atomic) {
      atomic_store(blk.atomic, blk.atomic_type != 0 ? blk.atomic_type : elem_kind, d, s, b.len);
    } else {
      std::memmove(d, s, b.len);
    }
  }
}

void copy_pad_in(const Side& dst, const Side& src, const Bursts& b, std::uint32_t elem_size, std::uint32_t left,
                 std::uint32_t right, bool is_pad, const void* pad_value, std::uint64_t slot) {
  const char* what = "DataCopyPad GM->UB";
  if (b.count == 0) return;
  const PipeSpan pipe("MTE2", "DataCopyPad", b.count * b.len);
  if (b.count > 4095) fail("%s: blockCount %llu (1..4095)", what, static_cast<unsigned long long>(b.count));
  if (b.len == 0 || b.len > 2097151) fail("%s: blockLen %llu bytes (1..2097151)", what, static_cast<unsigned long long>(b.len));
  if (left * elem_size > 32 || right * elem_size > 32)
    fail("%s: padding of %u + %u elements exceeds 32 bytes a side", what, left, right);
  std::uint64_t dst_span = 0, src_span = 0;
  if (!span(b, b.dst_pitch, slot, &dst_span) || !span(b, b.src_pitch, b.len, &src_span))
    fail("%s: %llu bursts overflow the address space", what, static_cast<unsigned long long>(b.count));
  check_side(dst, dst_span, what, "destination");
  check_side(src, src_span, what, "source");
  if (checking()) note_bursts(src.base, b, b.src_pitch, kGmRead);
  const std::uint64_t lead = std::uint64_t{left} * elem_size;
  const std::uint64_t trail = std::uint64_t{right} * elem_size;
  for (std::uint64_t i = 0; i < b.count; ++i) {
    unsigned char* d = dst.base + i * b.dst_pitch;
    const unsigned char* s = src.base + i * b.src_pitch;
    std::memmove(d + lead, s, b.len);
    const auto fill = [&](unsigned char* p, std::uint64_t bytes, const void* value) {
      for (std::uint64_t k = 0; k + elem_size <= bytes; k += elem_size) std::memcpy(p + k, value, elem_size);
    };
    if (is_pad) {
      fill(d, lead, pad_value);
      fill(d + lead + b.len, trail, pad_value);
    }
    // The rest of the slot, up to whole 32-byte blocks: copies of the burst's first element
    // without padding, the padding value with it (left as it was otherwise).
    unsigned char* tail = d + lead + b.len + trail;
    const std::uint64_t filler = slot - (lead + b.len + trail);
    if (left == 0 && right == 0) {
      fill(tail, filler, d);
    } else if (is_pad) {
      fill(tail, filler, pad_value);
    }
  }
}

std::uint64_t whole_blocks(std::uint64_t count, std::uint32_t elem_size, const void* site) {
  const std::uint64_t bytes = count * elem_size;
  if (bytes % AscendC::ONE_BLK_SIZE == 0) return bytes;
  const std::uint64_t copied = bytes / AscendC::ONE_BLK_SIZE * AscendC::ONE_BLK_SIZE;
  if (strict())
    fail("DataCopy of %llu elements (%llu bytes): the length must be a multiple of 32 bytes (the chip copies %llu); "
         "use DataCopyPad for other lengths",
         static_cast<unsigned long long>(count), static_cast<unsigned long long>(bytes),
         static_cast<unsigned long long>(copied));
  warn_once(site,
            "DataCopy of %llu elements (%llu bytes) copies %llu bytes, as the chip does: the length must be a "
            "multiple of 32 bytes (use DataCopyPad)",
            static_cast<unsigned long long>(count), static_cast<unsigned long long>(bytes),
            static_cast<unsigned long long>(copied));
  return copied;
}

void set_atomic(int mode, int kind) {
  BlockState& b = block();
  if (mode >= 0) b.atomic = mode;
  b.atomic_type = kind;
}

}  // namespace vnpu::ascendc
