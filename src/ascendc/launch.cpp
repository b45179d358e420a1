// Running Ascend C kernels on vnpu streams, and the CPU-debug entry points (ICPU_RUN_KF,
// GmAlloc, GmFree).
#include "ascendc/launch.hpp"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>

#include "tikicpulib.h"
#include "vnpu/check.hpp"
#include "vnpu/device.hpp"
#include "vnpu/memory.hpp"
#include "vnpu/platform.hpp"
#include "vnpu/soc.hpp"

namespace vnpu::ascendc {
namespace {

std::atomic<std::int32_t> g_tiling_key{0};
std::atomic<std::uint64_t> g_next_launch{1};

// The cores a kernel may count on being resident: the SoC's vector cores (its AI cores on
// chips without separate vector cores).
std::uint32_t resident_cores(const vnpu::SocProfile& soc) {
  return soc.vector_cores != 0 ? soc.vector_cores : soc.cube_cores;
}

thread_local std::uint64_t t_launch_id = 0;

// One launch, as the stream task holds it (inline in its queue cell: see
// vnpu/detail/function.hpp): the kernel and its argument bytes, and what its blocks share.
class LaunchTask {
 public:
  static constexpr std::size_t kInlineArgs = 80;

  LaunchTask(const char* name, const KernelCall& call, std::int32_t tiling_key, std::uint64_t id)
      : invoke_(call.invoke), kernel_(call.kernel), name_(name), id_(id), tiling_key_(tiling_key) {
    if (call.args_bytes > kInlineArgs) {
      heap_ = new unsigned char[call.args_bytes];
      std::memcpy(heap_, call.args, call.args_bytes);
      on_heap_ = true;
    } else if (call.args_bytes != 0) {
      std::memcpy(inline_, call.args, call.args_bytes);
    }
  }
  // Moved only while queued, before any block runs: the polling counters start afresh.
  LaunchTask(LaunchTask&& o) noexcept
      : invoke_(o.invoke_), kernel_(o.kernel_), name_(o.name_), id_(o.id_), tiling_key_(o.tiling_key_),
        on_heap_(o.on_heap_) {
    std::memcpy(inline_, o.inline_, kInlineArgs);  // or the heap pointer it holds
    o.on_heap_ = false;
  }
  LaunchTask(const LaunchTask&) = delete;
  LaunchTask& operator=(const LaunchTask&) = delete;
  LaunchTask& operator=(LaunchTask&&) = delete;
  ~LaunchTask() {
    if (on_heap_) delete[] heap_;
  }

  void operator()(const vnpu::KernelContext& k) const {
    t_launch_id = id_;
    // Checked mode: the block's global-memory accesses are noted while it runs (the
    // launch checks them at its place in the stream).
    const bool checked = vnpu::checker::enabled();
    if (checked) g_checked_blocks.fetch_add(1, std::memory_order_relaxed);
    struct Reset {
      bool checked;
      ~Reset() {
        t_launch_id = 0;
        if (checked) g_checked_blocks.fetch_sub(1, std::memory_order_relaxed);
      }
    } reset{checked};
    run_block(k);
  }

 private:
  // One block: its state and unified buffer, then the kernel, then the checks of what it
  // left behind.
  void run_block(const vnpu::KernelContext& k) const {
    const vnpu::SocProfile& soc = vnpu::soc_profile();
    LaunchBlock lb;
    BlockState& b = lb.state;
    b.kernel = name_;
    b.block_idx = k.block_idx();
    b.block_num = k.block_dim();
    b.ctx = &k;
    b.soc = &soc;
    b.tiling_key = tiling_key_;
    b.polling = &polling_;
    // The unified buffer: from the core's scratch arena when it is large enough (it stays
    // in the core's caches), else memory of its own.
    std::unique_ptr<unsigned char, decltype(&std::free)> own(nullptr, &std::free);
    if (void* p = k.scratch().try_allocate(soc.ub_bytes, 64)) {
      b.ub = static_cast<unsigned char*>(p);
    } else {
      own.reset(static_cast<unsigned char*>(std::aligned_alloc(64, (soc.ub_bytes + 63) / 64 * 64)));
      if (!own) throw vnpu::Error(vnpu::Status::kOutOfMemory, "no memory for the block's unified buffer");
      b.ub = own.get();
    }
    b.ub_size = soc.ub_bytes;
    k.set_layer_data(&lb);
    struct Detach {
      const vnpu::KernelContext& k;
      ~Detach() { k.set_layer_data(nullptr); }
    } detach{k};
    invoke_(kernel_, on_heap_ ? heap_ : inline_);
    // A SetFlag nobody waited for: harmless here, a sign of a missing WaitFlag on the chip.
    for (int e = 0; e < static_cast<int>(AscendC::HardEvent::MAX); ++e)
      for (int id = 0; id < 8; ++id)
        if (b.flags[e][id] != 0) {
          if (strict()) fail("SetFlag of event %d, id %d was never waited for", e, id);
          warn_once(&b.flags[e][id], "SetFlag of event %d, id %d was never waited for (WaitFlag missing?)", e, id);
        }
  }

  KernelCall::Invoke invoke_;
  void (*kernel_)();
  const char* name_;
  std::uint64_t id_;
  std::int32_t tiling_key_;
  bool on_heap_ = false;
  mutable Polling polling_;
  union {
    unsigned char inline_[kInlineArgs];
    unsigned char* heap_;
  };
};
static_assert(sizeof(LaunchTask) <= vnpu::detail::KernelFn::kInlineBytes,
              "a launch must fit its stream task's inline storage (queueing it allocates nothing)");

// run_kernel's callable body (run_kernel waits, so the callable outlives the launch).
void invoke_function(void (*)(), const unsigned char* args) {
  const std::function<void()>* body = nullptr;
  std::memcpy(static_cast<void*>(&body), args, sizeof body);
  (*body)();
}

vnpu::Stream& debug_stream() {
  static vnpu::Stream* s = [] {
    auto dev = vnpu::Device::get(0);
    if (!dev) return static_cast<vnpu::Stream*>(nullptr);
    auto st = dev->create_stream();
    return st ? new vnpu::Stream(*st) : nullptr;  // leaked: kernels may run at exit
  }();
  if (s == nullptr) throw vnpu::Error(vnpu::Status::kInternal, "cannot create the device's stream for Ascend C kernels");
  return *s;
}

}  // namespace

std::uint64_t current_launch_id() noexcept { return t_launch_id; }

std::atomic<std::uint32_t> g_checked_blocks{0};

static_assert(static_cast<int>(vnpu::AccessMode::kRead) == kGmRead &&
              static_cast<int>(vnpu::AccessMode::kWrite) == kGmWrite &&
              static_cast<int>(vnpu::AccessMode::kReadWrite) == kGmReadWrite);

void note_gm(const void* p, std::uint64_t bytes, GmAccess mode) noexcept {
  vnpu::checker::note_access(p, static_cast<std::size_t>(bytes), static_cast<vnpu::AccessMode>(mode));
}

vnpu::Status launch_on(vnpu::Stream& stream, const char* name, const KernelCall& call, std::uint32_t block_dim) {
  const vnpu::SocProfile& soc = vnpu::soc_profile();
  vnpu::LaunchOptions lo;
  // Every block resident (SyncAll) up to the chip's cores; a single block needs no barrier
  // and takes the cheaper plain launch.
  lo.cooperative = block_dim > 1 && block_dim <= resident_cores(soc);
  return stream.launch(name, block_dim, lo,
                       LaunchTask(name, call, g_tiling_key.load(std::memory_order_relaxed),
                                  g_next_launch.fetch_add(1, std::memory_order_relaxed)));
}

vnpu::Status run_kernel(const char* name, std::uint32_t block_dim, const KernelCall& call) {
  if (block_dim == 0) {
    std::fprintf(stderr, "vnpu: kernel '%s' launched with blockDim 0\n", name);
    return vnpu::Status::kInvalidArgument;
  }
  vnpu::Stream& s = debug_stream();
  const vnpu::Status st = launch_on(s, name, call, block_dim);
  if (st != vnpu::Status::kSuccess) return st;
  return s.synchronize();
}

vnpu::Status run_kernel(const char* name, std::uint32_t block_dim, const std::function<void()>& body) {
  const std::function<void()>* p = &body;
  unsigned char args[sizeof p];
  std::memcpy(args, static_cast<const void*>(&p), sizeof p);
  return run_kernel(name, block_dim, KernelCall{&invoke_function, nullptr, args, sizeof args});
}

bool select_soc(const char* name) { return name != nullptr && vnpu::set_build_soc(name); }

const char* last_error_message() { return vnpu::last_error_message(); }

void cpu_run_kernel(const char* name, std::uint32_t block_dim, const KernelCall& call) {
  const vnpu::Status st = run_kernel(name, block_dim, call);
  if (st == vnpu::Status::kSuccess) return;
  std::fprintf(stderr, "[ERROR] vnpu: ICPU_RUN_KF(%s, %u) failed: %s\n", name, block_dim, vnpu::last_error_message());
  std::fflush(stderr);
  std::exit(1);
}

std::vector<std::string> simd_isas() { return vnpu::available_isas(); }

vnpu::Status set_simd_isa(const char* isa) { return vnpu::set_isa(isa == nullptr ? "" : isa); }

void set_tiling_key(std::int32_t key) {
  if (key <= 0) std::fprintf(stderr, "[WARNING] vnpu: ICPU_SET_TILING_KEY(%d): tiling keys are positive\n", key);
  g_tiling_key.store(key, std::memory_order_relaxed);
}

}  // namespace vnpu::ascendc

namespace AscendC {

void* GmAlloc(std::size_t size) {
  auto dev = vnpu::Device::get(0);
  if (!dev) return nullptr;
  auto p = dev->malloc(size == 0 ? 1 : size);
  if (!p) {
    std::fprintf(stderr, "[ERROR] vnpu: GmAlloc(%zu): %s\n", size, vnpu::last_error_message());
    return nullptr;
  }
  std::memset(*p, 0, size);
  return *p;
}

void GmFree(void* ptr) {
  if (ptr == nullptr) return;
  if (vnpu::free(ptr) != vnpu::Status::kSuccess)
    std::fprintf(stderr, "[ERROR] vnpu: GmFree(%p): %s\n", ptr, vnpu::last_error_message());
}

}  // namespace AscendC
