// vnpu_ascendc/sync.h — ordering inside a block (pipe barriers, event flags) and between
// blocks (SyncAll, IBSet/IBWait), caches, workspaces.
//
// A block's pipes are its program order on a CPU core, so barriers and flags order nothing
// more; they are checked instead: a WaitFlag with no SetFlag before it would wait forever
// on the chip and fails the kernel, a SetFlag never waited for is reported when the block
// ends. SyncAll needs every block of the launch resident at once: launches of up to the SoC
// profile's vector-core count are, whatever the CPU's core count (vnpu runs the blocks
// beyond the cores as fibers); beyond that SyncAll fails the kernel with the reason.
#pragma once

#include <cstdint>

#include "vnpu_ascendc/tensor.h"

namespace vnpu::ascendc {
VNPU_ASCENDC_API void set_flag(int event, std::int32_t id);
VNPU_ASCENDC_API void wait_flag(int event, std::int32_t id);
VNPU_ASCENDC_API void pipe_barrier(int pipe);
VNPU_ASCENDC_API void sync_all();
VNPU_ASCENDC_API void sync_all_gm(std::int32_t* gm, std::uint64_t gm_elems, std::int32_t used_cores);
VNPU_ASCENDC_API void ib_set(std::int32_t* gm, std::uint64_t gm_elems, std::int32_t block, std::int32_t event);
VNPU_ASCENDC_API void ib_wait(std::int32_t* gm, std::uint64_t gm_elems, std::int32_t block, std::int32_t event);
VNPU_ASCENDC_API void fill_gm(void* gm, std::uint64_t bytes_avail, std::uint64_t count, const void* value,
                              std::uint32_t elem_size);
VNPU_ASCENDC_API void set_sys_workspace(std::uint8_t* workspace);
VNPU_ASCENDC_API std::uint8_t* sys_workspace();
}  // namespace vnpu::ascendc

namespace AscendC {

/// Orders the block's work on `pipe` (program order on a CPU core).
template <pipe_t pipe>
void PipeBarrier() {
  vnpu::ascendc::pipe_barrier(pipe);
}
/// Marks event `eventID` (0..7) of the producer->consumer pair `event`.
template <HardEvent event>
void SetFlag(std::int32_t eventID) {
  vnpu::ascendc::set_flag(static_cast<int>(event), eventID);
}
/// Waits for (and clears) a SetFlag of the same pair and id.
template <HardEvent event>
void WaitFlag(std::int32_t eventID) {
  vnpu::ascendc::wait_flag(static_cast<int>(event), eventID);
}
namespace impl {
// The HardEvent of a (producer, consumer) pipe pair; HardEvent::MAX for pairs without one.
constexpr HardEvent pair_event(pipe_t src, pipe_t dst) {
  struct P {
    pipe_t s, d;
    HardEvent e;
  };
  constexpr P kPairs[] = {
      {PIPE_MTE2, PIPE_V, HardEvent::MTE2_V},     {PIPE_V, PIPE_MTE2, HardEvent::V_MTE2},
      {PIPE_MTE3, PIPE_V, HardEvent::MTE3_V},     {PIPE_V, PIPE_MTE3, HardEvent::V_MTE3},
      {PIPE_V, PIPE_V, HardEvent::V_V},           {PIPE_MTE3, PIPE_MTE2, HardEvent::MTE3_MTE2},
      {PIPE_MTE2, PIPE_MTE3, HardEvent::MTE2_MTE3}, {PIPE_S, PIPE_V, HardEvent::S_V},
      {PIPE_V, PIPE_S, HardEvent::V_S},           {PIPE_S, PIPE_MTE2, HardEvent::S_MTE2},
      {PIPE_MTE2, PIPE_S, HardEvent::MTE2_S},     {PIPE_S, PIPE_MTE3, HardEvent::S_MTE3},
      {PIPE_MTE3, PIPE_S, HardEvent::MTE3_S},     {PIPE_M, PIPE_V, HardEvent::M_V},
      {PIPE_V, PIPE_M, HardEvent::V_M},           {PIPE_MTE2, PIPE_MTE1, HardEvent::MTE2_MTE1},
      {PIPE_MTE1, PIPE_MTE2, HardEvent::MTE1_MTE2}, {PIPE_MTE1, PIPE_M, HardEvent::MTE1_M},
      {PIPE_M, PIPE_MTE1, HardEvent::M_MTE1},     {PIPE_M, PIPE_S, HardEvent::M_S},
  };
  for (const P& p : kPairs)
    if (p.s == src && p.d == dst) return p.e;
  return HardEvent::MAX;
}
}  // namespace impl

/// The flag pair of two pipes, as a type.
template <pipe_t src, pipe_t dst>
class TQueSync {
  static_assert(impl::pair_event(src, dst) != HardEvent::MAX, "TQueSync: no event connects these two pipes");

 public:
  void SetFlag(TEventID id) { vnpu::ascendc::set_flag(static_cast<int>(impl::pair_event(src, dst)), id); }
  void WaitFlag(TEventID id) { vnpu::ascendc::wait_flag(static_cast<int>(impl::pair_event(src, dst)), id); }
};

/// Waits until every block of the launch has called SyncAll as often as this one.
template <bool isAIVOnly = true>
void SyncAll() {
  vnpu::ascendc::sync_all();
}
/// The same through a global-memory workspace (at least 8 int32 per core, zeroed): blocks
/// 0 .. usedCores-1 (0: all) meet.
template <bool isAIVOnly = true>
void SyncAll(const GlobalTensor<std::int32_t>& gmWorkspace, const LocalTensor<std::int32_t>& ubWorkspace,
             const std::int32_t usedCores = 0) {
  (void)ubWorkspace;
  gmWorkspace.check(0, 0, "SyncAll");
  vnpu::ascendc::sync_all_gm(const_cast<std::int32_t*>(gmWorkspace.GetPhyAddr()),
                             gmWorkspace.sized() ? gmWorkspace.GetSize() : ~std::uint64_t{0}, usedCores);
}
/// Publishes flag (blockIdx, eventID) in the workspace; IBWait waits for it (a one-shot
/// handshake: IBSet waits until the last one was consumed).
template <bool isAIVOnly = true>
void IBSet(const GlobalTensor<std::int32_t>& gmWorkspace, const LocalTensor<std::int32_t>& ubWorkspace,
           std::int32_t blockIdx, std::int32_t eventID) {
  (void)ubWorkspace;
  gmWorkspace.check(0, 0, "IBSet");
  vnpu::ascendc::ib_set(const_cast<std::int32_t*>(gmWorkspace.GetPhyAddr()),
                        gmWorkspace.sized() ? gmWorkspace.GetSize() : ~std::uint64_t{0}, blockIdx, eventID);
}
template <bool isAIVOnly = true>
void IBWait(const GlobalTensor<std::int32_t>& gmWorkspace, const LocalTensor<std::int32_t>& ubWorkspace,
            std::int32_t blockIdx, std::int32_t eventID) {
  (void)ubWorkspace;
  gmWorkspace.check(0, 0, "IBWait");
  vnpu::ascendc::ib_wait(const_cast<std::int32_t*>(gmWorkspace.GetPhyAddr()),
                         gmWorkspace.sized() ? gmWorkspace.GetSize() : ~std::uint64_t{0}, blockIdx, eventID);
}

/// Writes back and invalidates the scalar data cache (a CPU's caches are coherent: a fence).
template <typename T, CacheLine entireType, DcciDst dcciDst = DcciDst::CACHELINE_OUT>
void DataCacheCleanAndInvalid(const GlobalTensor<T>&) {
  __atomic_thread_fence(__ATOMIC_SEQ_CST);
}
template <typename T, CacheLine entireType, DcciDst dcciDst>
void DataCacheCleanAndInvalid(const LocalTensor<T>&) {
  __atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/// Sets `size` elements of global memory to `value` (before any InitBuffer, as on the chip).
template <typename T>
void Fill(GlobalTensor<T>& gmWorkspaceAddr, const std::uint64_t size, const T value) {
  gmWorkspaceAddr.check(0, size, "Fill");
  vnpu::ascendc::fill_gm(const_cast<T*>(gmWorkspaceAddr.GetPhyAddr()), ~std::uint64_t{0}, size, &value, sizeof(T));
}
/// The older name of Fill.
template <typename T>
void InitGlobalMemory(GlobalTensor<T>& gmWorkspaceAddr, const std::uint64_t size, const T value) {
  Fill(gmWorkspaceAddr, size, value);
}

/// The user part of a workspace (the system part comes first, when one was set).
inline GM_ADDR GetUserWorkspace(GM_ADDR workspace) { return workspace; }
inline void SetSysWorkspace(GM_ADDR workspace) { vnpu::ascendc::set_sys_workspace(workspace); }
inline void SetSysWorkSpace(GM_ADDR workspace) { vnpu::ascendc::set_sys_workspace(workspace); }
inline __gm__ std::uint8_t* GetSysWorkSpacePtr() { return vnpu::ascendc::sys_workspace(); }

}  // namespace AscendC
