// Checked mode: pinned host memory that queued work still uses, guarded by page
// protection (see Checker in checker.hpp). A program that reads the pinned result of a
// device-to-host copy, or refills the pinned source of a host-to-device copy, with plain
// loads and stores before it has synchronized makes no API call the checker could see;
// the protected pages turn that access into a fault, which the handler below judges by
// the faulting thread's clock and then lets go on.
#include <signal.h>
#include <sys/mman.h>
#include <ucontext.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>

#include "check/checker.hpp"
#include "runtime/memory_registry.hpp"

namespace vnpu::detail::check {

// The running kernel's log depth and the host context, from checker.cpp.
int run_depth() noexcept;
HostContext& current_host_context() noexcept;
std::uint32_t host_actor(const HostContext& h) noexcept;
std::uint64_t host_time(const HostContext& h) noexcept;
bool host_follows(const HostContext& h, std::uint32_t actor, std::uint64_t time) noexcept;

namespace {

std::atomic<std::size_t> g_guards{0};
struct sigaction g_previous {};
std::once_flag g_installed;
thread_local bool t_engine_copy = false;  // a copy engine's part runs on this thread

std::uintptr_t page_floor(std::uintptr_t a) { return a / page_bytes() * page_bytes(); }
std::uintptr_t page_ceil(std::uintptr_t a) { return (a + page_bytes() - 1) / page_bytes() * page_bytes(); }

void on_segv(int sig, siginfo_t* info, void* context) {
  const int saved = errno;
  const auto addr = reinterpret_cast<std::uintptr_t>(info->si_addr);
  bool store = false;
  void* pc = nullptr;
#if defined(__x86_64__)
  const auto* uc = static_cast<const ucontext_t*>(context);
  store = (uc->uc_mcontext.gregs[REG_ERR] & 2) != 0;
  pc = reinterpret_cast<void*>(uc->uc_mcontext.gregs[REG_RIP]);
#elif defined(__aarch64__)
  pc = reinterpret_cast<void*>(static_cast<const ucontext_t*>(context)->uc_mcontext.pc);
#else
  (void)context;
#endif
  if (info->si_code == SEGV_ACCERR && g_guards.load(std::memory_order_relaxed) != 0 &&
      Checker::instance().on_guard_fault(addr, store, pc)) {
    errno = saved;
    return;  // the page is open now: the access runs again and succeeds
  }
  // Not ours: the handler before us (or the default action) takes the fault as it recurs.
  (void)sig;
  sigaction(SIGSEGV, &g_previous, nullptr);
  errno = saved;
}

void install_handler() {
  std::call_once(g_installed, [] {
    struct sigaction sa {};
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, &g_previous);
  });
}

}  // namespace

bool guards_active() noexcept { return g_guards.load(std::memory_order_relaxed) != 0; }

void Checker::guard_locked(const Access& a, std::uint32_t actor, std::uint64_t time,
                           const std::shared_ptr<const Site>& site) {
  if (a.bytes == 0) return;
  const auto lo = reinterpret_cast<std::uintptr_t>(a.ptr);
  const auto alloc = MemoryRegistry::instance().find(a.ptr);
  if (!alloc || alloc->type != MemoryType::kPinnedHost || alloc->base % page_bytes() != 0) return;
  Guard g;
  g.lo = lo;
  g.hi = lo + a.bytes;
  g.page_lo = page_floor(g.lo);
  g.page_hi = std::min(page_ceil(g.hi), alloc->base + round_block(MemoryType::kPinnedHost, alloc->size));
  g.device_writes = (static_cast<unsigned>(a.mode) & static_cast<unsigned>(AccessMode::kWrite)) != 0;
  g.actor = actor;
  g.time = time;
  g.site = site;
  install_handler();
  guards_.push_back(std::move(g));
  g_guards.store(guards_.size(), std::memory_order_relaxed);
  protect_locked(guards_.back().page_lo, guards_.back().page_hi);
}

void Checker::protect_locked(std::uintptr_t lo, std::uintptr_t hi) {
  // Elementary segments between the boundaries of the guards and copies in [lo, hi), each
  // protected by its strictest guard (none while an engine copies it). No allocation: the
  // fault handler runs this.
  constexpr std::size_t kMaxCuts = 2 * kMaxFaults + 2;
  std::uintptr_t cuts[kMaxCuts];
  std::size_t n = 0;
  cuts[n++] = lo;
  cuts[n++] = hi;
  const auto cut = [&](std::uintptr_t a) {
    if (a > lo && a < hi && n < kMaxCuts) cuts[n++] = a;
  };
  for (const Guard& g : guards_) {
    cut(g.page_lo);
    cut(g.page_hi);
  }
  for (const auto& [b0, b1] : busy_) {
    cut(b0);
    cut(b1);
  }
  std::sort(cuts, cuts + n);
  for (std::size_t i = 0; i + 1 < n; ++i) {
    const std::uintptr_t s0 = cuts[i], s1 = cuts[i + 1];
    if (s0 == s1) continue;
    int prot = PROT_READ | PROT_WRITE;
    bool busy = false;
    for (const auto& [b0, b1] : busy_) busy = busy || (b0 < s1 && s0 < b1);
    if (!busy) {
      for (const Guard& g : guards_) {
        if (g.page_lo < s1 && s0 < g.page_hi) prot = g.device_writes ? PROT_NONE : (prot & PROT_READ);
        if (prot == PROT_NONE) break;
      }
    }
    (void)mprotect(reinterpret_cast<void*>(s0), s1 - s0, prot);
  }
}

void Checker::drop_guards_locked(bool (*pick)(Guard& g, void* ctx), void* ctx) {
  std::uintptr_t open_lo = ~std::uintptr_t{0}, open_hi = 0;
  for (std::size_t i = 0; i < guards_.size();) {
    const std::uintptr_t page_lo = guards_[i].page_lo, page_hi = guards_[i].page_hi;
    if (pick(guards_[i], ctx)) {
      open_lo = std::min(open_lo, page_lo);
      open_hi = std::max(open_hi, page_hi);
      guards_[i] = std::move(guards_.back());
      guards_.pop_back();
    } else {
      ++i;
    }
  }
  g_guards.store(guards_.size(), std::memory_order_relaxed);
  if (open_lo < open_hi) protect_locked(open_lo, open_hi);
}

void Checker::settle_guards_locked(std::uintptr_t lo, std::uintptr_t hi) {
  if (guards_.empty()) return;
  std::pair<std::uintptr_t, std::uintptr_t> pages{page_floor(lo), page_ceil(hi)};
  drop_guards_locked(
      [](Guard& g, void* ctx) {
        const auto* r = static_cast<const std::pair<std::uintptr_t, std::uintptr_t>*>(ctx);
        return g.page_lo < r->second && r->first < g.page_hi;
      },
      &pages);
}

void Checker::settle_ordered_locked() {
  if (guards_.empty()) return;
  drop_guards_locked(
      [](Guard& g, void* ctx) { return host_follows(*static_cast<const HostContext*>(ctx), g.actor, g.time); },
      const_cast<HostContext*>(&current_host_context()));
}

void Checker::settle_ordered() {
  if (!guards_active()) return;
  std::lock_guard lock(mu_);
  settle_ordered_locked();
}

void Checker::forget_guards(std::uintptr_t lo, std::uintptr_t hi) {
  std::lock_guard lock(mu_);
  settle_guards_locked(lo, hi);
}

void Checker::device_touch(const void* p, std::size_t n, bool write, bool begin) {
  const auto lo = page_floor(reinterpret_cast<std::uintptr_t>(p));
  const auto hi = page_ceil(reinterpret_cast<std::uintptr_t>(p) + n);
  std::lock_guard lock(mu_);
  if (begin) {
    // Pages a guard leaves readable need no opening for the engine to read them.
    bool closed = false;
    for (const Guard& g : guards_) closed = closed || (g.page_lo < hi && lo < g.page_hi && (write || g.device_writes));
    if (!closed) return;
    busy_.emplace_back(lo, hi);
    t_engine_copy = true;
  } else {
    const auto it = std::find(busy_.begin(), busy_.end(), std::make_pair(lo, hi));
    if (it == busy_.end()) return;  // nothing was opened for it
    busy_.erase(it);
    t_engine_copy = false;
  }
  protect_locked(lo, hi);
}

bool Checker::on_guard_fault(std::uintptr_t addr, bool store, void* pc) {
  std::lock_guard lock(mu_);
  struct Touch {
    Checker* self;
    std::uintptr_t addr, page;
    bool store;
    void* pc;
    bool device;  // a kernel or an engine touching guarded pages: the device's own access
    const HostContext* host;
    bool ours = false;
  } touch{this, addr, page_floor(addr), store, pc, run_depth() > 0 || t_engine_copy, &current_host_context()};
  // Every guard on the faulting page goes: ordered, reported, or bytes beside the guarded
  // ones — the page opens either way.
  drop_guards_locked(
      [](Guard& g, void* ctx) {
        auto& f = *static_cast<Touch*>(ctx);
        if (!(g.page_lo <= f.page && f.page < g.page_hi)) return false;
        f.ours = true;
        const bool touched = g.lo <= f.addr && f.addr < g.hi;
        const bool conflict = g.device_writes || f.store;
        Checker& c = *f.self;
        if (!f.device && touched && conflict && !host_follows(*f.host, g.actor, g.time) &&
            c.fault_count_ < kMaxFaults) {
          Checker::Fault& r = c.faults_[c.fault_count_++];
          r.guard = std::move(g);
          r.store = f.store;
          r.actor = host_actor(*f.host);
          r.time = host_time(*f.host);
          r.pc = f.pc;
        }
        return true;
      },
      &touch);
  return touch.ours;
}

void Checker::drain_faults_locked() {
  for (std::size_t i = 0; i < fault_count_; ++i) {
    Fault& f = faults_[i];
    Site later;
    later.label = f.store ? "a host store into pinned memory" : "a host load from pinned memory";
    later.actor = f.actor;
    later.time = f.time;
    later.origin.api = "the program's own load or store";
    later.origin.pc[0] = f.pc;
    later.origin.frames = f.pc != nullptr ? 1 : 0;
    Record earlier;
    earlier.lo = f.guard.lo;
    earlier.hi = f.guard.hi;
    earlier.write = f.guard.device_writes;
    earlier.actor = f.guard.actor;
    earlier.time = f.guard.time;
    earlier.site = f.guard.site;
    const Kind kind = !f.guard.device_writes ? Kind::kWriteAfterRead
                      : f.store              ? Kind::kWriteAfterWrite
                                             : Kind::kReadAfterWrite;
    std::uintptr_t base = 0;
    std::size_t bytes = 0;
    if (const auto a = MemoryRegistry::instance().find(reinterpret_cast<const void*>(f.guard.lo))) {
      base = a->base;
      bytes = a->size;
    }
    std::string who = f.actor != ~0u ? describe_actor_locked(f.actor, f.time) : std::string("a host thread");
    std::string missing = "nothing orders " + who + " after " + describe_actor_locked(f.guard.actor, f.guard.time) +
                          " (synchronize the stream, or wait for an event recorded after the copy, before the "
                          "host touches the buffer)";
    report_locked(kind, f.guard.lo, f.guard.hi, base, bytes, earlier, f.store, later, std::move(missing));
    f = Fault{};
  }
  fault_count_ = 0;
}

}  // namespace vnpu::detail::check
