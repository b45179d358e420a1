#include "runtime/fiber_lane.hpp"

#include <memory>
#include <new>
#include <thread>
#include <vector>

#include "common/error.hpp"
#include "kernel/launch_sync.hpp"
#include "kernel/scratch_arena.hpp"
#include "platform/fiber.hpp"
#include "platform/clock.hpp"
#include "platform/park.hpp"
#include "profiler/capture.hpp"
#include "runtime/device_impl.hpp"
#include "runtime/stream_impl.hpp"

namespace vnpu {
namespace {
thread_local const KernelContext* t_kernel = nullptr;
}  // namespace

const KernelContext* current_kernel_context() noexcept { return t_kernel; }

namespace detail {

void set_current_kernel_context(const KernelContext* ctx) noexcept { t_kernel = ctx; }

namespace {

// What a resident block needs of its own: a scratch arena and a fiber stack. Mapping them
// costs page faults and system calls (a 48-block launch spent milliseconds on it), so
// each core keeps the slots of its last launches for the next ones.
struct Slot {
  explicit Slot(std::size_t scratch) : bytes(scratch), arena(scratch), fiber(nullptr, nullptr, Fiber::kDefaultStackBytes) {}
  std::size_t bytes;
  ScratchArena arena;
  Fiber fiber;
};

constexpr std::size_t kMaxSpareSlots = 64;
thread_local std::vector<std::unique_ptr<Slot>> t_spare;

std::unique_ptr<Slot> take_slot(std::size_t scratch_bytes) {
  while (!t_spare.empty()) {
    std::unique_ptr<Slot> s = std::move(t_spare.back());
    t_spare.pop_back();
    if (s->bytes == scratch_bytes) return s;  // another device's size: drop it
  }
  return std::make_unique<Slot>(scratch_bytes);
}

void give_back(std::unique_ptr<Slot> s) {
  if (s && s->fiber.finished() && t_spare.size() < kMaxSpareSlots) t_spare.push_back(std::move(s));
}

// One resident block on its slot.
struct BlockRun {
  BlockRun(StreamImpl& s, Task& t, std::uint32_t block, std::uint32_t core, std::unique_ptr<Slot> sl)
      : stream(s),
        task(t),
        slot(std::move(sl)),
        scratch(slot->arena.data(), slot->arena.data() != nullptr ? slot->bytes : 0),
        dma(&scratch),
        ctx(block, t.sync->blocks, core, s.device()->id(), &scratch, &dma, t.sync.get()) {
    slot->fiber.reset(&BlockRun::entry, this);
  }
  ~BlockRun() { give_back(std::move(slot)); }

  static void entry(void* p) noexcept {
    auto* self = static_cast<BlockRun*>(p);
    self->stream.run_block(self->task, self->ctx);
  }
  Fiber& fiber() { return slot->fiber; }

  StreamImpl& stream;
  Task& task;
  std::unique_ptr<Slot> slot;
  Scratch scratch;
  DmaQueue dma;
  const KernelContext ctx;
};

}  // namespace

void run_fiber_lane(StreamImpl& stream, Task& task, std::uint32_t lane, const Worker& self) noexcept {
  LaunchSync& sync = *task.sync;
  const std::size_t scratch_bytes = stream.device()->info().scratch_bytes;
  std::vector<std::unique_ptr<BlockRun>> runs;
  for (std::uint32_t b = lane; b < sync.blocks; b += sync.lanes) {
    std::unique_ptr<BlockRun> run;
    try {
      run = std::make_unique<BlockRun>(stream, task, b, self.index, take_slot(scratch_bytes));
    } catch (const std::bad_alloc&) {
    }
    if (!run || !run->fiber().valid() || run->scratch.capacity() != scratch_bytes) {
      // Without its block, the launch's barriers can never complete: fail it cleanly.
      stream.record_failure(task, Status::kOutOfMemory, "no memory for a resident block's stack or scratch arena");
      sync.block_exited(b, /*failed=*/true);
      continue;
    }
    runs.push_back(std::move(run));
  }
  std::size_t left = runs.size();
  while (left > 0) {
    const std::uint64_t before = sync.progress.load(std::memory_order_acquire);
    const auto moved = [&] { return sync.progress.load(std::memory_order_acquire) != before; };
    bool finished_any = false;
    bool polling = false;
    for (auto& r : runs) {
      if (r->fiber().finished()) continue;
      set_current_kernel_context(&r->ctx);
      if (r->fiber().resume()) {
        --left;
        finished_any = true;
      }
      polling = polling || r->fiber().polling();
    }
    set_current_kernel_context(nullptr);
    if (left == 0 || finished_any) continue;
    if (polling) {
      // A block polls memory that a block of another lane (or this one) writes: keep
      // running them, letting other threads have the CPU between rounds.
      if (!moved()) std::this_thread::yield();
      continue;
    }
    // Every block here waits for blocks of other lanes. Spin (this core is one of the
    // launch's, which all hold their cores, as threads waiting at a barrier do), then park.
    // The profiler sees the core at a barrier (its blocks' own waits interleave).
    prof::ScopedSpan span;
    sync.begin_barrier_span(span, "resident blocks wait", lane);
    const std::int64_t start = now_ns();
    bool spun = false;
    for (int i = 0; !(spun = moved()); ++i) {
      cpu_relax();
      if ((i & 63) == 63 && now_ns() - start > sync.spin_ns) break;
    }
    if (spun) continue;
    const std::uint32_t key = sync.progress_ec.prepare_wait();
    if (moved()) {
      sync.progress_ec.cancel_wait();
      continue;
    }
    sync.progress_ec.wait(key, -1);
  }
}

}  // namespace detail
}  // namespace vnpu
