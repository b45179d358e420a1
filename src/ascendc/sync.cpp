// Synchronisation of Ascend C kernels: flags and barriers inside a block (checked), SyncAll
// and the IBSet/IBWait handshake across blocks, workspaces.
#include <atomic>
#include <chrono>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <string>

#include "ascendc/launch.hpp"
#include "check/kernel_deadlock.hpp"
#include "kernel_operator.h"
#include "vnpu/kernel.hpp"
#include "vnpu/soc.hpp"
#include "vnpu/status.hpp"

namespace vnpu::ascendc {
namespace {

constexpr int kEvents = static_cast<int>(AscendC::HardEvent::MAX);

int event_slot(int event) {
  if (event < 0 || event >= kEvents) fail("SetFlag/WaitFlag: unknown event %d", event);
  return event;
}

void check_id(std::int32_t id, const char* what) {
  if (id < 0 || id > 7) fail("%s: event id %d (0..7)", what, id);
}

// The blocks that may synchronize: the profile's vector cores (AI cores on coupled chips).
std::uint32_t resident_limit(const BlockState& b) {
  return b.soc->vector_cores != 0 ? b.soc->vector_cores : b.soc->cube_cores;
}

// Blocks that wait for each other must all be resident, as on the chip.
void require_resident(const BlockState& b, const char* what) {
  const std::uint32_t cores = resident_limit(b);
  if (b.block_num > cores)
    fail("%s in a launch of %u blocks: %.*s has %u vector cores, and blocks that synchronize must all be resident "
         "(launch at most %u)",
         what, b.block_num, static_cast<int>(b.soc->name.size()), b.soc->name.data(), cores, cores);
}

// Polls `ready` until it holds, letting the launch's other blocks run meanwhile (they are
// the ones that make it hold). Fails instead of waiting forever: when a block of the launch
// failed, when every other block has finished, or when every block still running has
// been polling or waiting at SyncAll's barrier for kDeadlockNs with no flag written
// meanwhile (a deadlock: nobody is left to write). A deadlock is also a finding in checked
// mode (check/kernel_deadlock.hpp).
constexpr std::int64_t kDeadlockNs = 500'000'000;

// A deadlock among the launch's blocks: fails the block (kernel, block, `fmt`), and in
// checked mode reports it as a finding.
[[noreturn, gnu::format(printf, 2, 3)]] void deadlock(const BlockState& b, const char* fmt, ...) {
  Polling& p = *b.polling;
  char text[512];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(text, sizeof text, fmt, ap);
  va_end(ap);
  char where[64];
  std::snprintf(where, sizeof where, "block %u of %u: ", b.block_idx, b.block_num);
  if (!p.deadlock_reported.exchange(true, std::memory_order_acq_rel))  // once per launch
    vnpu::detail::check::report_kernel_deadlock(where + std::string(text));
  fail("%s (on the chip the launch would hang)", text);
}

// `waited_for`: what the block waits for, for the messages ("the flag of block 1, event 0").
template <class Ready>
void poll(const Ready& ready, const char* what, const char* waited_for) {
  const BlockState& b = block();
  const vnpu::KernelContext* ctx = b.ctx;
  if (ready()) return;
  Polling& p = *b.polling;
  p.waiting.fetch_add(1, std::memory_order_acq_rel);
  struct Leave {
    Polling& p;
    ~Leave() { p.waiting.fetch_sub(1, std::memory_order_acq_rel); }
  } leave{p};
  std::uint64_t writes = p.writes.load(std::memory_order_acquire);
  auto since = std::chrono::steady_clock::now();
  while (!ready()) {
    if (ctx->launch_failed()) fail("%s: another block of the launch failed; what this block waits for will not come", what);
    const std::uint32_t running = ctx->blocks_running();
    if (running <= 1)
      deadlock(b, "%s: every other block of the launch has finished without setting %s", what, waited_for);
    const std::uint64_t now_writes = p.writes.load(std::memory_order_acquire);
    const auto now = std::chrono::steady_clock::now();
    // Blocks waiting at SyncAll's barrier cannot write a flag either.
    const std::uint32_t polling = p.waiting.load(std::memory_order_acquire);
    const std::uint32_t at_barrier = ctx->blocks_at_barrier();
    if (now_writes != writes || polling + at_barrier < running) {
      writes = now_writes;
      since = now;
    } else if (now - since > std::chrono::nanoseconds(kDeadlockNs)) {
      deadlock(b, "%s: all %u running blocks of the launch wait (%u for flags in global memory, %u at SyncAll) and "
               "no flag was set for %lld ms: a deadlock, nobody is left to set %s",
               what, running, polling, at_barrier, static_cast<long long>(kDeadlockNs / 1'000'000), waited_for);
    }
    ctx->yield();
  }
}

// A flag write another block may be polling for.
void wrote_flag() { block().polling->writes.fetch_add(1, std::memory_order_acq_rel); }

}  // namespace

void set_flag(int event, std::int32_t id) {
  check_id(id, "SetFlag");
  std::uint16_t& n = block().flags[event_slot(event)][id];
  ++n;
}

void wait_flag(int event, std::int32_t id) {
  check_id(id, "WaitFlag");
  std::uint16_t& n = block().flags[event_slot(event)][id];
  if (n == 0)
    fail("WaitFlag of event %d, id %d with no SetFlag before it: on the chip the pipe would wait forever", event, id);
  --n;
}

void pipe_barrier(int pipe) {
  if (pipe == PIPE_S) fail("PipeBarrier<PIPE_S>: the scalar pipe has no barrier (the chip reports an error)");
}

void sync_all() {
  BlockState& b = block();
  require_resident(b, "SyncAll");
  if (b.block_num == 1) return;  // a barrier of one block: launched without barriers (launch_on)
  try {
    b.ctx->sync_all();
  } catch (const vnpu::Error& e) {
    fail("SyncAll: %s", e.what());
  }
}

void sync_all_gm(std::int32_t* gm, std::uint64_t gm_elems, std::int32_t used_cores) {
  BlockState& b = block();
  const std::uint32_t n = used_cores <= 0 ? b.block_num : static_cast<std::uint32_t>(used_cores);
  if (n > b.block_num) fail("SyncAll: usedCores %d exceeds the launch's %u blocks", used_cores, b.block_num);
  if (gm_elems < std::uint64_t{n} * 8)
    fail("SyncAll: the workspace holds %llu int32, it needs 8 per core (%u)", static_cast<unsigned long long>(gm_elems),
         n * 8);
  if (b.block_idx >= n) return;  // not among the synchronizing blocks
  require_resident(b, "SyncAll");
  // Each block counts its calls in its own 32-byte slot, then waits until every slot has
  // counted as many: repeated calls need no zeroing in between.
  if (checking()) {
    // The flags of the workspace: its own counted, every block's read.
    note_gm(gm + std::size_t{b.block_idx} * 8, sizeof(std::int32_t), kGmReadWrite);
    note_gm(gm, (std::size_t{n - 1} * 8 + 1) * sizeof(std::int32_t), kGmRead);
  }
  const std::int32_t mine = __atomic_add_fetch(gm + std::size_t{b.block_idx} * 8, 1, __ATOMIC_ACQ_REL);
  wrote_flag();
  char waited_for[96];
  std::snprintf(waited_for, sizeof waited_for, "the workspace flags of all %u blocks (SyncAll call #%d)", n, mine);
  poll([&] {
    for (std::uint32_t i = 0; i < n; ++i)
      if (__atomic_load_n(gm + std::size_t{i} * 8, __ATOMIC_ACQUIRE) < mine) return false;
    return true;
  }, "SyncAll", waited_for);
}

namespace {
std::int32_t* ib_flag(std::int32_t* gm, std::uint64_t gm_elems, std::int32_t block_idx, std::int32_t event,
                      const char* what) {
  BlockState& b = block();
  require_resident(b, what);
  if (block_idx < 0 || static_cast<std::uint32_t>(block_idx) >= b.block_num)
    fail("%s: blockIdx %d outside the launch's %u blocks", what, block_idx, b.block_num);
  if (event < 0) fail("%s: eventID %d", what, event);
  const std::uint64_t index = std::uint64_t{b.block_num} * 8 * static_cast<std::uint64_t>(event) +
                              static_cast<std::uint64_t>(block_idx) * 8;
  if (index >= gm_elems)
    fail("%s: flag (block %d, event %d) is int32 %llu of a workspace of %llu", what, block_idx, event,
         static_cast<unsigned long long>(index), static_cast<unsigned long long>(gm_elems));
  return gm + index;
}
}  // namespace

void ib_set(std::int32_t* gm, std::uint64_t gm_elems, std::int32_t block_idx, std::int32_t event) {
  std::int32_t* f = ib_flag(gm, gm_elems, block_idx, event, "IBSet");
  if (checking()) note_gm(f, sizeof *f, kGmReadWrite);
  char waited_for[96];
  std::snprintf(waited_for, sizeof waited_for, "an IBWait consuming the flag of block %d, event %d", block_idx, event);
  poll([&] { return __atomic_load_n(f, __ATOMIC_ACQUIRE) == 0; }, "IBSet", waited_for);  // the last one was consumed
  __atomic_store_n(f, 1, __ATOMIC_RELEASE);
  wrote_flag();
}

void ib_wait(std::int32_t* gm, std::uint64_t gm_elems, std::int32_t block_idx, std::int32_t event) {
  if (static_cast<std::uint32_t>(block_idx) == block().block_idx)
    fail("IBWait on the block's own flag (block %d) would wait forever", block_idx);
  std::int32_t* f = ib_flag(gm, gm_elems, block_idx, event, "IBWait");
  if (checking()) note_gm(f, sizeof *f, kGmReadWrite);
  char waited_for[96];
  std::snprintf(waited_for, sizeof waited_for, "the flag of block %d, event %d (an IBSet)", block_idx, event);
  poll([&] { return __atomic_load_n(f, __ATOMIC_ACQUIRE) == 1; }, "IBWait", waited_for);
  __atomic_store_n(f, 0, __ATOMIC_RELEASE);
  wrote_flag();  // IBSet may wait for the flag to be consumed
}

void fill_gm(void* gm, std::uint64_t, std::uint64_t count, const void* value, std::uint32_t elem_size) {
  auto* p = static_cast<unsigned char*>(gm);
  if (checking()) note_gm(p, count * elem_size, kGmWrite);
  for (std::uint64_t i = 0; i < count; ++i) std::memcpy(p + i * elem_size, value, elem_size);
}

void set_sys_workspace(std::uint8_t* workspace) { block().sys_workspace = workspace; }
std::uint8_t* sys_workspace() { return static_cast<std::uint8_t*>(block().sys_workspace); }

}  // namespace vnpu::ascendc
