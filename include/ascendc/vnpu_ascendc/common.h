// vnpu_ascendc/common.h — the kernel language of Ascend C on vnpu: qualifiers, core
// identity, the enums and constants the API uses, and the block's state.
//
// A kernel runs on vnpu's compute cores, one call per block; everything a block of an AI
// Core owns — its unified buffer (UB), vector mask, atomic mode, event flags — lives in
// its BlockState, found through vnpu::current_kernel_context() (so blocks that a core runs
// as fibers never share it).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace vnpu {
class KernelContext;
struct SocProfile;
}  // namespace vnpu

/// The Ascend C layer's out-of-line functions live in libascendcl.so (with the runtime the
/// kernels run on), exported from it.
#define VNPU_ASCENDC_API __attribute__((visibility("default")))

// ---- qualifiers: the CPU has one address space and one kind of function ------------------
#ifndef __global__
#define __global__
#endif
#ifndef __aicore__
#define __aicore__
#endif
#ifndef __gm__
#define __gm__
#endif
#ifndef __ubuf__
#define __ubuf__
#endif
#ifndef __vector__
#define __vector__
#endif
#ifndef __cube__
#define __cube__
#endif
#ifndef __mix__
#define __mix__
#endif
/// A pointer to global memory (a kernel argument).
#define GM_ADDR __gm__ uint8_t*

/// The pipes of an AI Core (scalar, vector, cube and the memory engines). On a CPU they are
/// the program order of the block: barriers and flags are checked, and with the profiler
/// on each copy and vector instruction is a span named by its pipe.
enum pipe_t : std::int32_t {
  PIPE_S = 0,
  PIPE_V = 1,
  PIPE_M = 2,
  PIPE_MTE1 = 3,
  PIPE_MTE2 = 4,
  PIPE_MTE3 = 5,
  PIPE_ALL = 6,
  PIPE_MTE4 = 7,
  PIPE_MTE5 = 8,
  PIPE_V2 = 9,
  PIPE_FIX = 10,
};

/// The core type a block runs on (g_coreType, ASCEND_IS_AIV / ASCEND_IS_AIC).
extern VNPU_ASCENDC_API std::int32_t g_coreType;

namespace AscendC {

constexpr std::int32_t MIX = 0;
constexpr std::int32_t AIC = 1;
constexpr std::int32_t AIV = 2;

/// CPU-debug core emulation (SetKernelMode). vnpu runs vector kernels; the mode sets
/// g_coreType for the kernel.
enum class KernelMode { MIX_MODE = 0, AIC_MODE, AIV_MODE };
VNPU_ASCENDC_API void SetKernelMode(KernelMode mode);

enum KernelMetaType : std::uint8_t {
  KERNEL_TYPE_AIV_ONLY = 0,
  KERNEL_TYPE_AIC_ONLY = 1,
  KERNEL_TYPE_MIX_AIV_1_0 = 2,
  KERNEL_TYPE_MIX_AIC_1_0 = 3,
  KERNEL_TYPE_MIX_AIC_1_1 = 4,
  KERNEL_TYPE_MIX_AIC_1_2 = 5,
  KERNEL_TYPE_AICORE = 6,
  KERNEL_TYPE_VECTORCORE = 7,
  KERNEL_TYPE_MIX_AICORE = 8,
  KERNEL_TYPE_MIX_VECTOR_CORE = 9,
  KERNEL_TYPE_MAX = 10,
};

/// Where a buffer lives. VECIN, VECOUT and VECCALC are the unified buffer.
enum class TPosition : std::uint8_t {
  GM = 0,
  A1 = 1,
  A2 = 2,
  B1 = 3,
  B2 = 4,
  C1 = 5,
  C2 = 6,
  CO1 = 7,
  CO2 = 8,
  VECIN = 9,
  VECOUT = 10,
  VECCALC = 11,
  LCM = 11,
  SPM = 12,
  SHM = 12,
  TSCM = 13,
  C2PIPE2GM = 14,
  C2PIPE2LOCAL = 15,
  MAX = 16,
};
using QuePosition = TPosition;

/// Producer_consumer pairs of pipes for SetFlag / WaitFlag.
enum class HardEvent : std::uint8_t {
  MTE2_MTE1 = 0, MTE1_MTE2, MTE1_M, M_MTE1, MTE2_V, V_MTE2, MTE3_V, V_MTE3, M_V, V_M, V_V, MTE3_MTE1, MTE1_MTE3,
  MTE1_V, MTE2_M, M_MTE2, V_MTE1, M_FIX, FIX_M, MTE3_MTE2, MTE2_MTE3, S_V, V_S, S_MTE2, MTE2_S, S_MTE3, MTE3_S,
  MTE2_FIX, FIX_MTE2, FIX_S, M_S, FIX_MTE3, MTE1_FIX, FIX_MTE1, FIX_FIX, MAX,
};

using TEventID = std::int8_t;
using TTagType = std::int32_t;

enum class RoundMode : std::uint8_t {
  CAST_NONE = 0, CAST_RINT, CAST_FLOOR, CAST_CEIL, CAST_ROUND, CAST_TRUNC, CAST_ODD,
};
enum class CMPMODE : std::uint8_t { LT = 0, GT, EQ, LE, GE, NE };
enum class SELMODE : std::uint8_t { VSEL_CMPMASK_SPR = 0, VSEL_TENSOR_SCALAR_MODE, VSEL_TENSOR_TENSOR_MODE };
enum class ReduceOrder : std::uint8_t { ORDER_VALUE_INDEX = 0, ORDER_INDEX_VALUE, ORDER_ONLY_VALUE, ORDER_ONLY_INDEX };
enum class MaskMode : std::uint8_t { NORMAL = 0, COUNTER };
enum class CacheLine : std::uint64_t { SINGLE_CACHE_LINE = 0, ENTIRE_DATA_CACHE };
enum class DcciDst : std::uint64_t { CACHELINE_ALL = 0, CACHELINE_UB, CACHELINE_OUT, CACHELINE_ATOMIC };
enum class CacheMode : std::uint8_t { CACHE_MODE_DISABLE = 0, CACHE_MODE_NORMAL = 1 };
enum CacheRwMode { READ = 1, WRITE = 2, RW = 3 };

// Sizes of the vector unit's operands.
constexpr std::uint32_t ONE_BLK_SIZE = 32;          ///< a DataBlock, the unit of alignment and strides
constexpr std::uint32_t DEFAULT_BLK_NUM = 8;        ///< DataBlocks per repeat
constexpr std::uint32_t DEFAULT_BLOCK_SIZE = 256;   ///< bytes per repeat
constexpr std::uint32_t ONE_REPEAT_BYTE_SIZE = 256;
constexpr std::uint8_t DEFAULT_BLK_STRIDE = 1;
constexpr std::uint8_t DEFAULT_REPEAT_STRIDE = 8;
constexpr std::uint8_t HALF_DEFAULT_REPEAT_STRIDE = 4;
constexpr std::uint8_t DEFAULT_DATA_COPY_NBURST = 1;
constexpr std::uint8_t DEFAULT_DATA_COPY_STRIDE = 0;
constexpr std::int32_t MAX_REPEAT_TIMES = 255;
constexpr std::uint64_t FULL_MASK = 0xffffffffffffffffULL;
constexpr std::uint64_t MASK_PLACEHOLDER = 0;
constexpr std::uint64_t MASK_PLACEHOLDER_LIST[2] = {0, 0};

/// This block's index, 0 .. GetBlockNum() - 1.
VNPU_ASCENDC_API std::int64_t GetBlockIdx();
/// The number of blocks of the launch.
VNPU_ASCENDC_API std::int64_t GetBlockNum();
/// The vector sub-core within an AI Core (vnpu runs vector kernels: 0), and their count (1).
VNPU_ASCENDC_API std::int64_t GetSubBlockIdx();
VNPU_ASCENDC_API std::int64_t GetSubBlockNum();
/// AIV (or AIC) per AI Core for this kernel type: 1 for vector kernels.
VNPU_ASCENDC_API std::int64_t GetTaskRatio();
/// GetTaskRatio under the spelling some texts use.
inline std::int64_t GetTaskRation() { return GetTaskRatio(); }

}  // namespace AscendC

#define ASCEND_IS_AIV (g_coreType == AscendC::AIV)
#define ASCEND_IS_AIC (g_coreType == AscendC::AIC)
#define ASCEND_IS_NOT_AIV (g_coreType != AscendC::AIV)
#define ASCEND_IS_NOT_AIC (g_coreType != AscendC::AIC)
#define KERNEL_TASK_TYPE_DEFAULT(value) (void)(value)
#define KERNEL_TASK_TYPE(key, value) (void)(key), (void)(value)

using AscendC::KernelMode;  // samples write SetKernelMode(KernelMode::AIV_MODE)

namespace vnpu::ascendc {

struct Polling;  // the launch's flag-polling state (src/ascendc/launch.hpp)

/// What the block of an AI Core owns, for the kernel running in it.
struct BlockState {
  const char* kernel = "";        ///< the kernel's name, for messages
  std::uint32_t block_idx = 0;
  std::uint32_t block_num = 1;
  const vnpu::KernelContext* ctx = nullptr;
  const vnpu::SocProfile* soc = nullptr;
  // The unified buffer: `ub_size` bytes at `ub`, handed out by the block's TPipe.
  unsigned char* ub = nullptr;
  std::size_t ub_size = 0;
  std::size_t ub_used = 0;
  std::uint32_t buffers = 0;       ///< InitBuffer blocks so far (at most 64)
  std::uint8_t queued[16] = {};    ///< tensors allocated per TPosition (at most 8)
  void* pipe = nullptr;            ///< the live TPipe, if any
  // The vector mask register and its mode.
  std::uint64_t mask[2] = {AscendC::FULL_MASK, AscendC::FULL_MASK};
  bool counter_mode = false;
  // The 128-bit CMPMASK register: Compare's register form writes it, SetCmpMask loads it,
  // Select's forms without a mask read it (selection bits, a scalar or an address).
  std::uint64_t cmp_mask[2] = {0, 0};
  // Atomic accumulation of UB->GM copies (0 none, 1 add, 2 max, 3 min) and its element type.
  int atomic = 0;
  int atomic_type = 0;
  // SetFlag counts per (event, id), so a WaitFlag with nothing to wait for is caught.
  std::uint16_t flags[static_cast<int>(AscendC::HardEvent::MAX)][8] = {};
  std::int32_t tiling_key = 0;
  void* sys_workspace = nullptr;
  /// Shared by the blocks of the launch: how many poll a flag in global memory (IBWait,
  /// IBSet, the workspace form of SyncAll), and how many flag writes happened, so that a
  /// launch whose every running block waits on a flag nobody can set fails, not hangs.
  Polling* polling = nullptr;
};

/// The running block's state; throws (failing the kernel) outside an Ascend C kernel.
VNPU_ASCENDC_API BlockState& block();

/// Fails the running kernel: throws vnpu::Error(kTaskFailed) with "block b of n of kernel
/// 'k': <message>". printf-style.
[[noreturn, gnu::format(printf, 1, 2)]] VNPU_ASCENDC_API void fail(const char* fmt, ...);
/// A warning on stderr, at most once per call site and launch.
[[gnu::format(printf, 2, 3)]] VNPU_ASCENDC_API void warn_once(const void* site, const char* fmt, ...);
/// VNPU_ASCENDC_STRICT=1: what the chip accepts but is almost surely a mistake (a DataCopy
/// length that is not a multiple of 32 bytes, an unpaired SetFlag) fails the kernel instead
/// of warning.
VNPU_ASCENDC_API bool strict();

/// Checks [p, p + bytes) against the block's UB (for operands that are UB addresses).
VNPU_ASCENDC_API void check_ub_range(const void* p, std::size_t bytes, const char* what);

/// Checked mode (VNPU_CHECK, `vnpu check`): every global-memory access of a kernel is noted
/// with its bytes and direction, and checked against the other work of the program as the
/// launch's own access. `g_checked_blocks` counts the blocks of checked launches running
/// now; while it is 0 (checking off) an access costs one load and one branch.
extern VNPU_ASCENDC_API std::atomic<std::uint32_t> g_checked_blocks;
enum GmAccess : int { kGmRead = 1, kGmWrite = 2, kGmReadWrite = 3 };
/// Notes `bytes` bytes of global memory at `p`, accessed as `mode` by the running block.
VNPU_ASCENDC_API void note_gm(const void* p, std::uint64_t bytes, GmAccess mode) noexcept;
inline bool checking() noexcept { return g_checked_blocks.load(std::memory_order_relaxed) != 0; }

}  // namespace vnpu::ascendc
