// Running the vector instructions: checking an instruction's operands against the chip's
// rules, then cutting it into contiguous runs for the SIMD kernels (vec_kernels.hpp).
//
// Addressing (every operand, strides in 32-byte blocks): lane e of repeat r lies in the
// operand's DataBlock j = e / (32 / elemBytes), at byte
//   r * repStride * 32 + j * blkStride * 32 + (e % (32 / elemBytes)) * elemBytes.
// A repeat has 256 bytes of the widest operand type; for Axpy's half -> float form its 64
// lanes take 4 blocks of the half source and 8 of the float destination. Bit operands
// (Compare's result, Select's selection bits) are packed: Compare writes repeat r's bits
// right after repeat r - 1's (the chip ignores dst strides there), Select's modes 1 and 2
// read them the same way, and mode 0 reads bits 0 .. lanes-1 for every repeat.
//
// Plans run in repeat order, so a destination that is also a source of a later repeat
// (repStride 0 accumulations) sees the earlier results, as on the chip.
#include <algorithm>
#include <bit>
#include <cinttypes>
#include <cstdio>
#include <cstdint>
#include <cstring>

#include "ascendc/pipe_span.hpp"
#include "ascendc/vec_kernels.hpp"
#include "platform/isa.hpp"
#include "tikicpulib.h"
#include "vnpu/platform.hpp"

namespace vnpu::ascendc {

namespace {

std::uint32_t size_of(VecType t) {
  switch (t) {
    case VecType::kI8: case VecType::kU8: return 1;
    case VecType::kI16: case VecType::kU16: case VecType::kF16: case VecType::kBF16: return 2;
    case VecType::kI32: case VecType::kU32: case VecType::kF32: return 4;
    case VecType::kI64: case VecType::kU64: return 8;
  }
  return 1;
}

enum Role { kDst = 0, kSrc0 = 1, kSrc1 = 2 };

// What an instruction reads and writes.
struct Layout {
  std::uint32_t lanes = 0;   // elements per repeat
  std::uint32_t seg = 0;     // lanes per segment: one 32-byte block of the widest operand
  std::uint32_t es[3] = {};  // element bytes of dst, src0, src1 (0: not an operand)
  const char* names[3] = {"dst", "src0", "src1"};
  bool dst_bits = false;     // dst holds one bit per element (Compare)
  bool sel = false;          // reads selection bits (Select)
};

Layout layout_of(const VecInstr& in) {
  Layout l;
  const std::uint32_t t = size_of(in.type);
  const std::uint32_t s = size_of(in.src_type);
  const std::uint32_t wide = std::max(t, s);
  l.lanes = AscendC::ONE_REPEAT_BYTE_SIZE / wide;
  l.seg = AscendC::ONE_BLK_SIZE / wide;
  switch (in.op) {
    case VecOp::kAdd: case VecOp::kSub: case VecOp::kMul: case VecOp::kDiv:
    case VecOp::kMax: case VecOp::kMin: case VecOp::kAnd: case VecOp::kOr:
      l.es[kDst] = l.es[kSrc0] = l.es[kSrc1] = t;
      break;
    case VecOp::kAxpy:  // src1 is dst, read as the accumulator
      l.es[kDst] = l.es[kSrc1] = t;
      l.es[kSrc0] = s;
      l.names[kSrc0] = "src";
      l.names[kSrc1] = "dst";
      break;
    case VecOp::kDuplicate:
      l.es[kDst] = t;
      break;
    case VecOp::kCompare:
      l.es[kSrc0] = l.es[kSrc1] = t;
      l.dst_bits = true;
      break;
    case VecOp::kCompareScalar:
      l.es[kSrc0] = t;
      l.dst_bits = true;
      break;
    case VecOp::kSelect:
      l.es[kDst] = l.es[kSrc0] = l.es[kSrc1] = t;
      l.sel = true;
      break;
    case VecOp::kSelectScalar:
      l.es[kDst] = l.es[kSrc0] = t;
      l.sel = true;
      break;
    default:  // vector-scalar and unary instructions
      l.es[kDst] = t;
      l.es[kSrc0] = s;
      l.names[kSrc0] = "src";
      break;
  }
  return l;
}

const VecOperand& operand_at(const VecInstr& in, int role) {
  return role == kDst ? in.dst : role == kSrc0 ? in.src0 : in.src1;
}

// Byte offset of lane `lane` of repeat `r` in an operand of `es`-byte elements.
std::uint64_t offset(const VecOperand& o, std::uint32_t es, std::uint64_t r, std::uint32_t lane) {
  const std::uint32_t per_block = AscendC::ONE_BLK_SIZE / es;
  return (r * o.rep + std::uint64_t{lane / per_block} * o.blk) * AscendC::ONE_BLK_SIZE + std::uint64_t{lane % per_block} * es;
}

std::uint32_t highest_lane(const RepeatMask& m) {
  return m.bits[1] != 0 ? 127u - static_cast<std::uint32_t>(std::countl_zero(m.bits[1]))
                        : 63u - static_cast<std::uint32_t>(std::countl_zero(m.bits[0]));
}

// The number of lanes of a mask that enables exactly the first k lanes; -1 otherwise.
std::int64_t prefix_lanes(const RepeatMask& m) {
  const std::uint32_t k = m.bits[0] == ~std::uint64_t{0} ? 64u + static_cast<std::uint32_t>(std::countr_one(m.bits[1]))
                                                         : static_cast<std::uint32_t>(std::countr_one(m.bits[0]));
  const RepeatMask f = RepeatMask::first(k);
  return f.bits[0] == m.bits[0] && f.bits[1] == m.bits[1] ? static_cast<std::int64_t>(k) : -1;
}

// Lanes lane .. lane + seg - 1 of a mask, as the low bits of the result (seg <= 16).
std::uint32_t segment_bits(const RepeatMask& m, std::uint32_t lane, std::uint32_t seg) {
  return static_cast<std::uint32_t>(m.bits[lane / 64] >> (lane % 64)) & ((1u << seg) - 1u);
}

// ---- checks ------------------------------------------------------------------------------

// How an instruction reaches its operands' extents, for messages: the count form's count,
// or the repeat form's plan and strides. Formatted only when a check fails.
struct Reach {
  const VecInstr& in;
  const Layout& l;
  const RepeatPlan& p;
  std::uint64_t count;  ///< the count form's count; 0 for the repeat form
};

// Describes a plan for messages: "repeatTime 4, dst blkStride 1 repStride 8, ...".
void describe(const VecInstr& in, const Layout& l, const RepeatPlan& p, char* out, std::size_t size) {
  int n = std::snprintf(out, size, "%s %u", block().counter_mode ? "counter mode, repeats" : "repeatTime", p.repeats);
  for (int role = kDst; role <= kSrc1 && n > 0 && static_cast<std::size_t>(n) < size; ++role) {
    if (l.es[role] == 0 || (role == kSrc1 && in.op == VecOp::kAxpy)) continue;
    const VecOperand& o = operand_at(in, role);
    n += std::snprintf(out + n, size - static_cast<std::size_t>(n), ", %s blkStride %u repStride %u", l.names[role],
                       o.blk, o.rep);
  }
}


void describe(const Reach& r, char* out, std::size_t size) {
  if (r.count != 0) std::snprintf(out, size, "count %" PRIu64, r.count);
  else describe(r.in, r.l, r.p, out, size);
}


// Fails unless the operand starts 32-byte aligned and `bytes` from its start lie in its
// buffer. `span` says how the instruction reaches that far, for the message.
void check_operand(const VecInstr& in, const char* role, const VecOperand& o, std::uint64_t bytes, std::uint32_t es,
                   const Reach& reach) {
  const auto* p = static_cast<const unsigned char*>(o.addr);
  if (p == nullptr) fail("%s: %s is a tensor that holds no buffer", in.name, role);
  const BlockState& b = block();
  const long long ub_at = p >= b.ub && p <= b.ub + b.ub_size ? static_cast<long long>(p - b.ub) : -1;
  if (reinterpret_cast<std::uintptr_t>(p) % AscendC::ONE_BLK_SIZE != 0)
    fail("%s: %s starts at UB byte %lld, which is not 32-byte aligned (vector operands start on a 32-byte boundary)",
         in.name, role, ub_at);
  if (p < o.lo || p > o.hi)
    fail("%s: %s at UB byte %lld lies outside the unified buffer", in.name, role, ub_at);
  const std::uint64_t room = static_cast<std::uint64_t>(o.hi - p);
  if (bytes > room) {
    const char* unit = es == 0 ? "bytes" : "elements";
    const std::uint32_t u = es == 0 ? 1 : es;
    char span[192];
    describe(reach, span, sizeof span);
    fail("%s: %s would reach %" PRIu64 " %s from its start (%s), past its buffer, which holds %" PRIu64 " from there",
         in.name, role, bytes / u, unit, span, room / u);
  }
}

void check_plan(const VecInstr& in, const Layout& l, const RepeatPlan& p, const Reach& span) {
  const std::uint64_t last = p.repeats - 1;
  const std::uint32_t hi_last = highest_lane(p.last);
  const std::uint32_t hi_mask = highest_lane(p.mask);
  for (int role = kDst; role <= kSrc1; ++role) {
    const std::uint32_t es = l.es[role];
    if (es == 0) continue;
    const VecOperand& o = operand_at(in, role);
    std::uint64_t end = offset(o, es, last, hi_last) + es;
    if (p.repeats > 1) end = std::max(end, offset(o, es, last - 1, hi_mask) + es);
    check_operand(in, l.names[role], o, end, es, span);
  }
  const std::uint64_t bits = last * l.lanes + hi_last + 1;  // through the last lane computed
  if (l.dst_bits) check_operand(in, "dst", in.dst, (bits + 7) / 8, 0, span);
  if (l.sel) {
    const std::uint64_t sel_bits = in.mode == kSelSameBits ? std::max(hi_mask, hi_last) + 1u : bits;
    check_operand(in, "selMask", in.sel, (sel_bits + 7) / 8, 0, span);
  }
}

// ---- running -------------------------------------------------------------------------------

VecKernel kernel_of(const VecInstr& in) {
  detail::apply_isa_env();
  const VecKernel k = in.op >= VecOp::kCompare ? cmpsel_kernel(in.op, in.type, in.mode)
                                               : arith_kernel(in.op, in.type, in.src_type);
  if (k == nullptr) fail("%s: no kernel for these element types", in.name);
  return k;
}

// The run of `n` lanes from lane `lane` of repeat `r`.
VecRun run_at(const VecInstr& in, const Layout& l, std::uint64_t r, std::uint32_t lane, std::size_t n) {
  VecRun run;
  auto at = [&](int role) -> unsigned char* {
    const VecOperand& o = operand_at(in, role);
    if (l.es[role] == 0) return nullptr;
    return static_cast<unsigned char*>(o.addr) + offset(o, l.es[role], r, lane);
  };
  const std::uint64_t bit = r * l.lanes + lane;
  run.dst = l.dst_bits ? static_cast<unsigned char*>(in.dst.addr) + bit / 8 : at(kDst);
  run.src0 = at(kSrc0);
  run.src1 = at(kSrc1);
  if (l.sel) run.sel = static_cast<const std::uint8_t*>(in.sel.addr) + (in.mode == kSelSameBits ? lane : bit) / 8;
  run.scalar = in.scalar;
  run.n = n;
  return run;
}

// The segment's kernel into a scratch block, then only the enabled lanes into dst.
void run_masked_segment(const Layout& l, VecKernel k, VecRun run, std::uint32_t bits) {
  alignas(64) unsigned char tmp[AscendC::ONE_BLK_SIZE];
  auto* dst = static_cast<unsigned char*>(run.dst);
  run.dst = tmp;
  k(run);
  if (l.dst_bits) {
    for (std::uint32_t byte = 0; byte < l.seg / 8; ++byte) {
      const auto m = static_cast<unsigned char>(bits >> (8 * byte));
      dst[byte] = static_cast<unsigned char>((dst[byte] & ~m) | (tmp[byte] & m));
    }
    return;
  }
  const std::uint32_t es = l.es[kDst];
  for (std::uint32_t e = 0; e < l.seg; ++e)
    if ((bits >> e) & 1u) std::memcpy(dst + std::size_t{e} * es, tmp + std::size_t{e} * es, es);
}

// Whether all of the plan's lanes form one contiguous run of every operand.
bool contiguous(const VecInstr& in, const Layout& l, const RepeatPlan& p) {
  for (int role = kDst; role <= kSrc1; ++role) {
    const std::uint32_t es = l.es[role];
    const VecOperand& o = operand_at(in, role);
    if (es != 0 && (o.blk != 1 || (p.repeats > 1 && std::uint64_t{o.rep} * AscendC::ONE_BLK_SIZE != std::uint64_t{l.lanes} * es)))
      return false;
  }
  if (l.sel && in.mode == kSelSameBits && p.repeats > 1) return false;
  if (l.dst_bits && prefix_lanes(p.last) % 8 != 0) return false;  // whole bytes of bits
  return p.repeats == 1 || p.mask.all(l.lanes);
}

void execute(const VecInstr& in, const Layout& l, const RepeatPlan& p, std::uint64_t count) {
  if (p.repeats == 0) return;
  check_plan(in, l, p, Reach{in, l, p, count});
  const VecKernel k = kernel_of(in);
  const std::int64_t tail = prefix_lanes(p.last);
  if (tail > 0 && contiguous(in, l, p)) {
    k(run_at(in, l, 0, 0, std::uint64_t{p.repeats - 1} * l.lanes + static_cast<std::uint64_t>(tail)));
    return;
  }
  bool blocks_adjacent = true;
  for (int role = kDst; role <= kSrc1; ++role)
    if (l.es[role] != 0 && operand_at(in, role).blk != 1) blocks_adjacent = false;
  const std::uint32_t whole = (1u << l.seg) - 1u;
  for (std::uint64_t r = 0; r < p.repeats; ++r) {
    const RepeatMask& m = r + 1 == p.repeats ? p.last : p.mask;
    if (blocks_adjacent && m.all(l.lanes)) {
      k(run_at(in, l, r, 0, l.lanes));
      continue;
    }
    for (std::uint32_t lane = 0; lane < l.lanes; lane += l.seg) {
      const std::uint32_t bits = segment_bits(m, lane, l.seg);
      if (bits == 0) continue;
      if (bits == whole) k(run_at(in, l, r, lane, l.seg));
      else run_masked_segment(l, k, run_at(in, l, r, lane, l.seg), bits);
    }
  }
}

}  // namespace

void vec_count(const VecInstr& in, std::uint64_t count) {
  if (count == 0) return;
  const PipeSpan pipe("V", in.name, 0);
  VecInstr c = in;
  const Layout l = layout_of(c);
  if (l.dst_bits && count % l.lanes != 0)
    fail("%s: count %" PRIu64 " is not a whole number of 256-byte repeats (a multiple of %u elements of %u bytes)",
         in.name, count, l.lanes, AscendC::ONE_REPEAT_BYTE_SIZE / l.lanes);
  // The count form addresses every operand contiguously.
  for (int role = kDst; role <= kSrc1; ++role) {
    VecOperand& o = role == kDst ? c.dst : role == kSrc0 ? c.src0 : c.src1;
    o.blk = 1;
    o.rep = l.es[role] * l.lanes / AscendC::ONE_BLK_SIZE;
  }
  RepeatPlan p;
  p.repeats = static_cast<std::uint32_t>((count + l.lanes - 1) / l.lanes);
  if ((count + l.lanes - 1) / l.lanes > 0xffffffffu) fail("%s: count %" PRIu64 " is too large", in.name, count);
  p.mask = RepeatMask::first(l.lanes);
  p.last = RepeatMask::first(count - std::uint64_t{p.repeats - 1} * l.lanes);
  execute(c, l, p, count);
}

void vec_repeats(const VecInstr& in, const RepeatPlan& plan) {
  if (plan.repeats == 0) return;
  const PipeSpan pipe("V", in.name, 0);
  const Layout l = layout_of(in);
  execute(in, l, plan, 0);
}

void vec_compare_register(const VecInstr& in, const RepeatMask& mask) {
  const PipeSpan pipe("V", in.name, 0);
  alignas(64) std::uint8_t bits[AscendC::ONE_BLK_SIZE] = {};
  VecInstr c = in;
  c.dst.addr = bits;
  c.dst.lo = bits;
  c.dst.hi = bits + sizeof bits;
  RepeatPlan p;
  p.repeats = 1;
  p.mask = p.last = mask;
  const Layout l = layout_of(c);
  execute(c, l, p, 0);
  BlockState& b = block();
  std::memcpy(b.cmp_mask, bits, sizeof b.cmp_mask);
}

}  // namespace vnpu::ascendc
