#include "kernel/launch_sync.hpp"

#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "check/kernel_deadlock.hpp"
#include "common/error.hpp"
#include "platform/fiber.hpp"
#include "platform/clock.hpp"
#include "profiler/capture.hpp"
#include "vnpu/kernel.hpp"

namespace vnpu::detail {

LaunchSync::LaunchSync(std::uint32_t nblocks, std::uint32_t gsize, std::int64_t spin, std::uint32_t nlanes)
    : blocks(nblocks), group_size(gsize == 0 || gsize > nblocks ? nblocks : gsize), spin_ns(spin), lanes(nlanes) {
  all.participants = blocks;
  const std::uint32_t ngroups = (blocks + group_size - 1) / group_size;
  groups = std::make_unique<Barrier[]>(ngroups);
  track = std::make_unique<BlockTrack[]>(blocks);
  for (std::uint32_t g = 0; g < ngroups; ++g) {
    const std::uint32_t first = g * group_size;
    groups[g].participants = blocks - first < group_size ? blocks - first : group_size;
  }
}

void LaunchSync::begin_barrier_span(prof::ScopedSpan& span, const char* what, std::uint32_t block) const noexcept {
  if (!prof::on() || !prof::begin_block_span(span, prof::SpanKind::kBarrier, what)) return;
  span.record().block = block;
  span.record().blocks = blocks;
}

namespace {

// True when the barrier can no longer complete in generation `gen`.
bool stuck(const Barrier& b) noexcept {
  const std::uint32_t a = b.arrived.load(std::memory_order_acquire);
  const std::uint32_t e = b.exited.load(std::memory_order_acquire);
  return e != 0 && a < b.participants && a + e >= b.participants;
}

}  // namespace

void LaunchSync::wait(Barrier& b, std::uint32_t block, const char* what) {
  // The wait, nested in the block's kernel span; not recorded when the block itself was
  // not (the profiler started while it ran): its lane would not be known. A resident
  // block (a fiber) records nothing: the blocks sharing its core wait in turns that
  // interleave, so its core records instead the time when all of them wait
  // (run_fiber_lane).
  prof::ScopedSpan span;
  const bool fiber = lanes != 0 && Fiber::current() != nullptr;
  if (!fiber) begin_barrier_span(span, what, block);
  const bool all_barrier = &b == &all;
  BlockTrack& me = track[block];
  // This block's count of calls at this barrier, for the messages of a broken one.
  (all_barrier ? me.all_calls : me.group_calls).fetch_add(1, std::memory_order_relaxed);
  auto broken_error = [&] {
    // Blocks returned without reaching this barrier (none failed): a deadlock of the
    // launch's own making. Each waiter says who waits and who left; the first reports it
    // (checked mode: a finding).
    const bool deadlock = stuck(b) && !block_failed.load(std::memory_order_acquire);
    std::string why;
    if (deadlock) why = describe_stuck(b, all_barrier, group_of(block));
    broken.store(true, std::memory_order_release);
    all.ec.notify_all();
    advance();
    if (deadlock) {
      if (!deadlock_reported.exchange(true, std::memory_order_acq_rel)) check::report_kernel_deadlock(why);
      fail(Status::kTaskFailed, "%s in block %u: the barrier cannot complete: %s", what, block, why.c_str());
      vnpu::check(Status::kTaskFailed);
    }
    fail(Status::kTaskFailed,
         "%s in block %u: the barrier cannot complete because another block of the launch failed or returned "
         "without reaching it",
         what, block);
    vnpu::check(Status::kTaskFailed);
  };
  if (broken.load(std::memory_order_acquire)) broken_error();
  me.state.store(all_barrier ? BlockTrack::kAtAll : BlockTrack::kAtGroup, std::memory_order_relaxed);
  at_barrier.fetch_add(1, std::memory_order_acq_rel);
  const std::uint32_t gen = b.generation.load(std::memory_order_acquire);
  if (b.arrived.fetch_add(1, std::memory_order_acq_rel) + 1 == b.participants) {
    me.state.store(BlockTrack::kRunning, std::memory_order_relaxed);
    at_barrier.fetch_sub(1, std::memory_order_acq_rel);
    b.arrived.store(0, std::memory_order_relaxed);
    b.generation.store(gen + 1, std::memory_order_release);
    b.ec.notify_all();
    if (lanes != 0) advance();
    return;
  }
  // Released or broken: no longer waiting.
  struct Leave {
    BlockTrack& me;
    std::atomic<std::uint32_t>& at_barrier;
    ~Leave() {
      me.state.store(BlockTrack::kRunning, std::memory_order_relaxed);
      at_barrier.fetch_sub(1, std::memory_order_acq_rel);
    }
  } leave{me, at_barrier};
  auto released = [&] { return b.generation.load(std::memory_order_acquire) != gen; };
  auto give_up = [&] { return broken.load(std::memory_order_acquire) || stuck(b); };
  if (lanes != 0 && Fiber::current() != nullptr) {
    // A fiber: let the lane's other blocks run until this barrier completes.
    for (;;) {
      if (released()) return;
      if (give_up()) {
        if (released()) return;
        break;
      }
      Fiber::suspend();
    }
    broken_error();
  }
  const std::int64_t start = now_ns();
  for (int i = 0;; ++i) {
    if (released()) return;
    // The last block may complete the barrier and exit between our two loads in stuck():
    // it publishes the new generation before counting itself exited, so look again.
    if (give_up()) {
      if (released()) return;
      break;
    }
    cpu_relax();
    if ((i & 63) == 63 && now_ns() - start > spin_ns) {
      const std::uint32_t key = b.ec.prepare_wait();
      if (released() || give_up()) {
        b.ec.cancel_wait();
        continue;
      }
      b.ec.wait(key, -1);
    }
  }
  broken_error();
}

namespace {

// "0-3, 5, 7" (at most 24 runs, then "...").
std::string block_list(const std::vector<std::uint32_t>& blocks) {
  std::string out;
  int runs = 0;
  for (std::size_t i = 0; i < blocks.size();) {
    std::size_t j = i;
    while (j + 1 < blocks.size() && blocks[j + 1] == blocks[j] + 1) ++j;
    if (!out.empty()) out += ", ";
    if (++runs > 24) {
      out += "...";
      break;
    }
    out += std::to_string(blocks[i]);
    if (j > i) out += (j == i + 1 ? ", " : "-") + std::to_string(blocks[j]);
    i = j + 1;
  }
  return out;
}

std::string times(std::uint32_t n) { return n == 1 ? "once" : std::to_string(n) + " times"; }

}  // namespace

std::string LaunchSync::describe_stuck(const Barrier& b, bool all_barrier, std::uint32_t group) const {
  const char* name = all_barrier ? "sync_all" : "sync_group";
  const std::uint32_t first = all_barrier ? 0 : group * group_size;
  const std::uint32_t end = all_barrier ? blocks : first + b.participants;
  // Waiting blocks by the call they wait at; returned blocks by how often they called.
  std::vector<std::pair<std::uint32_t, std::vector<std::uint32_t>>> waiting, returned;
  auto add = [](auto& by_calls, std::uint32_t calls, std::uint32_t block) {
    for (auto& [n, list] : by_calls)
      if (n == calls) {
        list.push_back(block);
        return;
      }
    by_calls.push_back({calls, {block}});
  };
  for (std::uint32_t i = first; i < end; ++i) {
    const BlockTrack& t = track[i];
    const auto state = t.state.load(std::memory_order_acquire);
    const std::uint32_t calls = (all_barrier ? t.all_calls : t.group_calls).load(std::memory_order_relaxed);
    if (state == (all_barrier ? BlockTrack::kAtAll : BlockTrack::kAtGroup)) add(waiting, calls, i);
    else if (state == BlockTrack::kReturned || state == BlockTrack::kFailed) add(returned, calls, i);
  }
  std::string out;
  for (const auto& [n, list] : waiting) {
    if (!out.empty()) out += "; ";
    out += (list.size() == 1 ? "block " : "blocks ") + block_list(list) + (list.size() == 1 ? " waits" : " wait") +
           " at " + name + " call #" + std::to_string(n);
  }
  for (const auto& [n, list] : returned) {
    out += "; ";
    out += (list.size() == 1 ? "block " : "blocks ") + block_list(list) + " returned " +
           (n == 0 ? std::string("without calling ") + name : "after calling " + std::string(name) + " " + times(n)) +
           ", so it can never complete";
  }
  if (!all_barrier) out += " (group " + std::to_string(group) + ")";
  return out + ": every block must call " + name + " the same number of times";
}

void LaunchSync::block_exited(std::uint32_t block, bool failed) noexcept {
  track[block].state.store(failed ? BlockTrack::kFailed : BlockTrack::kReturned, std::memory_order_release);
  if (failed) {
    block_failed.store(true, std::memory_order_release);
    broken.store(true, std::memory_order_release);
  }
  all.exited.fetch_add(1, std::memory_order_acq_rel);
  Barrier& g = groups[group_of(block)];
  g.exited.fetch_add(1, std::memory_order_acq_rel);
  // Waiters park on their own barrier: wake both, and on failure every group.
  all.ec.notify_all();
  g.ec.notify_all();
  if (lanes != 0) advance();
  if (failed) {
    const std::uint32_t ngroups = (blocks + group_size - 1) / group_size;
    for (std::uint32_t i = 0; i < ngroups; ++i) groups[i].ec.notify_all();
  }
}

}  // namespace vnpu::detail

namespace vnpu {

namespace {

// Barriers exist only in cooperative launches (whose blocks all run at once).
[[noreturn]] void not_cooperative(const char* what, std::uint32_t block) {
  detail::fail(Status::kNotSupported,
               "%s in block %u: the launch is not cooperative (launch with LaunchOptions{.cooperative = true})", what,
               block);
  check(Status::kNotSupported);
  throw Error(Status::kNotSupported, last_error_message());  // not reached: check() throws
}

}  // namespace

void KernelContext::sync_all() const {
  if (sync_ == nullptr) not_cooperative("sync_all", block_idx_);
  sync_->wait(sync_->all, block_idx_, "sync_all");
}

void KernelContext::sync_group() const {
  if (sync_ == nullptr) not_cooperative("sync_group", block_idx_);
  sync_->wait(sync_->groups[sync_->group_of(block_idx_)], block_idx_, "sync_group");
}

void KernelContext::yield() const noexcept {
  if (sync_ != nullptr && sync_->lanes != 0 && detail::Fiber::current() != nullptr) {
    detail::Fiber::current()->set_polling();  // its lane must not park: it waits on memory
    detail::Fiber::suspend();
    return;
  }
  std::this_thread::yield();
}

bool KernelContext::launch_failed() const noexcept {
  return sync_ != nullptr && sync_->broken.load(std::memory_order_acquire);
}

std::uint32_t KernelContext::blocks_running() const noexcept {
  return sync_ == nullptr ? block_dim_ : sync_->blocks - sync_->all.exited.load(std::memory_order_acquire);
}

std::uint32_t KernelContext::blocks_at_barrier() const noexcept {
  return sync_ == nullptr ? 0 : sync_->at_barrier.load(std::memory_order_acquire);
}

std::uint32_t KernelContext::group_idx() const noexcept { return sync_ == nullptr ? 0 : sync_->group_of(block_idx_); }

std::uint32_t KernelContext::group_dim() const noexcept {
  return sync_ == nullptr ? block_dim_ : sync_->groups[sync_->group_of(block_idx_)].participants;
}

}  // namespace vnpu
