// vnpu/kernel.hpp — what a kernel sees when it runs: its block, its core's scratch arena,
// its DMA queue and the barriers of its launch.
//
// A launch with `block_dim = B` runs the kernel once per block index 0..B-1, spread over
// the device's compute cores; blocks of one launch run concurrently on different cores
// where cores are free. The serial loop it replaces:
//
//     for (uint32_t b = 0; b < B; ++b) kernel(KernelContext{block_idx = b, block_dim = B});
//
// The kernel object is shared by all blocks (it is called through a const reference),
// so a kernel must not mutate its captures without synchronization.
//
// The accelerator's core-private buffer (UB) is the core's *scratch arena*: a fixed
// capacity (DeviceInfo::scratch_bytes, by default the core's L2 size) that a block
// carves with allocate() and that is emptied when the block ends. Data moves between
// device memory and scratch through the block's *DMA queue*: copy_in()/copy_out() return
// at once, wait() completes a transfer, and up to DmaQueue::kDepth transfers may be in
// flight, so a kernel can compute on one buffer while the next one loads (double
// buffering):
//
//     float* buf[2] = {ctx.scratch().allocate<float>(n), ctx.scratch().allocate<float>(n)};
//     auto t = ctx.dma().copy_in(buf[0], src, n * sizeof(float));
//     for (int i = 0; i < tiles; ++i) {
//       ctx.dma().wait(t);
//       if (i + 1 < tiles) t = ctx.dma().copy_in(buf[(i + 1) % 2], src + (i + 1) * n, n * 4);
//       compute(buf[i % 2], n);
//     }
//
// On a CPU, a "DMA" is done by the core itself: copy_in() starts the transfer by
// prefetching the source (the memory system fetches it while the kernel computes) and
// wait() copies the then cache-resident bytes; copy_out() writes at once. Kernels may
// equally read device memory directly — the operators do whichever measures faster.
//
// Barriers: a launch made with LaunchOptions::cooperative may call sync_all() (every
// block of the launch waits for all others) and sync_group() (blocks of one group wait
// for each other). Its blocks are all resident at once: beyond the compute cores, the
// cores run them as fibers that switch at barriers (LaunchOptions::cooperative), so any
// block_dim up to kMaxResidentBlocks works, also on a 1-core device. If a block fails or
// returns while others wait at a barrier it can no longer reach, the waiting blocks' sync
// call throws instead of hanging: the launch fails, and once a block has failed every
// barrier of the launch throws.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "vnpu/check.hpp"

namespace vnpu {

namespace detail {
struct LaunchSync;
}

/// Per-launch options.
struct LaunchOptions {
  /// The kernel uses sync_all() / sync_group(): all blocks are resident at the same time.
  /// Up to the device's compute cores, each block runs on its own core; beyond that (up to
  /// kMaxResidentBlocks) the cores run the blocks as fibers — block b on core b % cores,
  /// each with its own stack, scratch arena and DMA queue — switching to another block of
  /// the core whenever one waits at a barrier, as an accelerator with more cores would run
  /// them side by side.
  bool cooperative = false;
  /// The most blocks a cooperative launch may have (kNotSupported beyond).
  static constexpr std::uint32_t kMaxResidentBlocks = 1024;
  /// Blocks per group for sync_group(): group k is blocks [k*g, min((k+1)*g, B)).
  /// 0 means one group holding every block. Ignored unless cooperative.
  std::uint32_t group_size = 0;
  /// Placement hint: prefer compute cores that are not pinned to this CPU (-1: no hint).
  /// For a thread that works beside the launch on CPU `avoid_cpu` (sched_getcpu()), so that
  /// a block does not time-share that CPU with it while another core is free. A core pinned
  /// there still takes the blocks that no other core has taken within the device's spin
  /// time (DeviceInfo::spin_us), so the hint never stalls a launch. No effect on
  /// unpinned devices.
  int avoid_cpu = -1;
  /// The memory the kernel reads and writes, for checked mode (vnpu/check.hpp): each
  /// launch's accesses are checked against the other work's. Copied at the launch; ignored
  /// when checking is off. A kernel launched without them touches nothing the checker sees.
  std::span<const Access> accesses{};
};

/// A compute core's scratch arena (the accelerator's unified buffer). Bump allocation;
/// everything a block allocates is released when the block ends.
class Scratch {
 public:
  /// Capacity in bytes (the device's scratch_bytes).
  std::size_t capacity() const noexcept { return capacity_; }
  /// Bytes allocated by the current block, including alignment padding.
  std::size_t used() const noexcept { return used_; }
  /// Bytes still available for an allocation aligned to 64 bytes.
  std::size_t available() const noexcept;

  /// `bytes` bytes aligned to `align` (a power of two, at most 4096), or null if the arena
  /// cannot hold them (the arena is unchanged then).
  void* try_allocate(std::size_t bytes, std::size_t align = 64) noexcept;
  /// As try_allocate(), but throws vnpu::Error(kScratchOverflow) with the sizes involved,
  /// which fails the kernel with that message.
  void* allocate(std::size_t bytes, std::size_t align = 64);
  /// `n` objects of trivially constructible T (uninitialized), 64-byte aligned. A count
  /// whose byte size does not fit in size_t fails like an overflow of the arena.
  template <class T>
  T* allocate(std::size_t n) {
    static_assert(alignof(T) <= 64, "over-aligned type");
    if (n > static_cast<std::size_t>(-1) / sizeof(T)) count_overflow(n, sizeof(T));
    return static_cast<T*>(allocate(n * sizeof(T), 64));
  }
  /// True if the `bytes` bytes at `p` lie inside the arena (allocated or not).
  bool contains(const void* p, std::size_t bytes) const noexcept {
    const auto a = reinterpret_cast<std::uintptr_t>(p);
    const auto b = reinterpret_cast<std::uintptr_t>(base_);
    return a >= b && a - b <= capacity_ && bytes <= capacity_ - (a - b);
  }
  /// Offset of `p` from the start of the arena (for messages).
  std::size_t offset_of(const void* p) const noexcept {
    return reinterpret_cast<std::uintptr_t>(p) - reinterpret_cast<std::uintptr_t>(base_);
  }
  /// Releases everything allocated so far (blocks get an empty arena anyway).
  void reset() noexcept { used_ = 0; }

  Scratch(void* base, std::size_t capacity) noexcept : base_(static_cast<unsigned char*>(base)), capacity_(capacity) {}

 private:
  [[noreturn]] void count_overflow(std::size_t n, std::size_t size) const;
  unsigned char* base_;
  std::size_t capacity_;
  std::size_t used_ = 0;
};

/// Identifies one DMA transfer of a queue.
struct DmaTicket {
  std::uint64_t id = 0;
};

/// A block's DMA queue between device memory and its core's scratch.
///
/// The scratch side of every transfer is checked against the core's arena: a transfer
/// that does not lie inside it throws vnpu::Error(kScratchOverflow) naming the offsets,
/// which fails the kernel, before any byte moves.
class DmaQueue {
 public:
  /// Transfers that may be in flight; issuing one more completes the oldest first.
  static constexpr int kDepth = 4;

  /// Starts copying `bytes` from `src` (device or pinned host memory) to `dst` (scratch).
  DmaTicket copy_in(void* dst, const void* src, std::size_t bytes);
  /// Starts a 2-D copy: `rows` rows of `row_bytes`, read `src_pitch` bytes apart, written
  /// back to back into `dst` (a strided gather into scratch).
  DmaTicket copy_in_2d(void* dst, const void* src, std::size_t rows, std::size_t row_bytes,
                       std::size_t src_pitch);
  /// Copies `bytes` from `src` (scratch) to `dst` (device memory). Complete on return on a
  /// CPU; the ticket is still accepted by wait().
  DmaTicket copy_out(void* dst, const void* src, std::size_t bytes);
  /// Waits for one transfer (and every older one) to complete. A ticket that has already
  /// completed returns at once.
  void wait(DmaTicket ticket) noexcept;
  /// Waits for every transfer issued so far.
  void wait_all() noexcept;
  /// Number of transfers issued and not yet completed.
  int pending() const noexcept { return static_cast<int>(issued_ - completed_); }

  /// A queue whose scratch side is `arena` (null: unchecked).
  explicit DmaQueue(const Scratch* arena = nullptr) noexcept : arena_(arena) {}
  DmaQueue(const DmaQueue&) = delete;
  DmaQueue& operator=(const DmaQueue&) = delete;

 private:
  struct Transfer {
    void* dst;
    const unsigned char* src;
    std::size_t rows;
    std::size_t row_bytes;
    std::size_t src_pitch;
  };
  void check_scratch(const void* p, std::size_t bytes, const char* what) const;
  void complete_oldest() noexcept;
  const Scratch* arena_;
  Transfer ring_[kDepth] = {};
  std::uint64_t issued_ = 0;
  std::uint64_t completed_ = 0;
};

class KernelContext {
 public:
  /// Index of this block, 0 <= block_idx() < block_dim().
  std::uint32_t block_idx() const noexcept { return block_idx_; }
  /// Number of blocks in the launch.
  std::uint32_t block_dim() const noexcept { return block_dim_; }
  /// Index of the compute core running this block, 0 <= core() < compute_cores.
  std::uint32_t core() const noexcept { return core_; }
  /// Id of the device the kernel runs on.
  int device_id() const noexcept { return device_id_; }

  /// This core's scratch arena, empty at the start of the block.
  Scratch& scratch() const noexcept { return *scratch_; }
  /// This block's DMA queue; transfers still pending when the block returns are completed.
  DmaQueue& dma() const noexcept { return *dma_; }

  /// Waits until every block of the launch has called sync_all() as often as this one.
  /// Throws vnpu::Error: kNotSupported if the launch is not cooperative, kTaskFailed if
  /// another block failed or returned without reaching this barrier.
  void sync_all() const;
  /// As sync_all(), among the blocks of this block's group (LaunchOptions::group_size).
  void sync_group() const;
  /// Lets the other blocks of the launch run: for a block that polls memory another block
  /// writes (a flag in device memory). When the core runs several resident blocks as fibers,
  /// this switches to the next one; otherwise it yields the thread.
  void yield() const noexcept;
  /// For a block that polls memory another block writes: whether a block of this launch
  /// has failed (the write may never come), and how many of its blocks have not finished
  /// yet, this one included (1: nobody is left to write). Cooperative launches only;
  /// otherwise false and block_dim().
  bool launch_failed() const noexcept;
  std::uint32_t blocks_running() const noexcept;
  /// How many blocks of this launch wait at a barrier (sync_all, sync_group) now: a block
  /// polling memory, whose every other running block polls too or waits at a barrier,
  /// waits for a write nobody is left to make (0 if not cooperative).
  std::uint32_t blocks_at_barrier() const noexcept;
  /// This block's group and the blocks in it (one group of all blocks if not cooperative
  /// or group_size is 0).
  std::uint32_t group_idx() const noexcept;
  std::uint32_t group_dim() const noexcept;

  /// A pointer that layers built on vnpu attach to the running block (the C API keeps its
  /// per-block failure state there); null at the start of every block.
  void* layer_data() const noexcept { return layer_data_; }
  void set_layer_data(void* p) const noexcept { layer_data_ = p; }

  /// The arena and queue behind scratch() and dma() (null for a context without them).
  Scratch* scratch_ptr() const noexcept { return scratch_; }
  DmaQueue* dma_ptr() const noexcept { return dma_; }

  KernelContext(std::uint32_t block_idx, std::uint32_t block_dim, std::uint32_t core, int device_id,
                Scratch* scratch = nullptr, DmaQueue* dma = nullptr, detail::LaunchSync* sync = nullptr) noexcept
      : block_idx_(block_idx),
        block_dim_(block_dim),
        core_(core),
        device_id_(device_id),
        scratch_(scratch),
        dma_(dma),
        sync_(sync) {}

 private:
  std::uint32_t block_idx_;
  std::uint32_t block_dim_;
  std::uint32_t core_;
  int device_id_;
  Scratch* scratch_;
  DmaQueue* dma_;
  detail::LaunchSync* sync_;
  mutable void* layer_data_ = nullptr;
};

/// The context of the block running on the calling thread — also when a core runs several
/// resident blocks as fibers (LaunchOptions::cooperative with more blocks than cores), where
/// it follows the fiber being run — or null outside kernels. Layers built on vnpu use it to
/// find "their" block without thread-local state of their own, which fibers would share.
const KernelContext* current_kernel_context() noexcept;

}  // namespace vnpu
