// The checked mode's engine (vnpu/check.hpp): vector clocks over streams and host threads,
// the byte ranges each submission touches, and the findings.
//
// Happens-before comes from the API only, at the moment of each call:
//  - a task submitted to stream S happens after S's earlier tasks and after everything
//    the submitting thread did before the call (host program order);
//  - a record of event E on S gives E S's clock; a wait on E by stream T joins E's clock
//    into T's; an event synchronize joins it into the host thread's;
//  - a stream synchronize joins the stream's clock as of the call into the host thread's,
//    a device synchronize every stream of the device;
//  - a host function runs as the task it is: what it does (frees, submissions) happens at
//    its place in its stream.
// Every access is checked, at its submission, against the earlier accesses to the same
// allocation: an earlier access B is ordered before the new one A when B's epoch (its
// stream or thread, and the clock value it had) is covered by A's clock. Submissions come
// in real-time order, so checking each new access against the earlier ones covers every
// pair. An access covered by a later write that is ordered after it is dropped: any
// access racing with it races with that write too.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <span>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "vnpu/check.hpp"
#include "vnpu/status.hpp"

namespace vnpu::detail::check {

using vnpu::checker::Finding;
using vnpu::checker::Kind;
using vnpu::checker::Party;

/// A vector clock, indexed by actor (stream or host thread).
class VClock {
 public:
  std::uint64_t at(std::uint32_t actor) const noexcept { return actor < t_.size() ? t_[actor] : 0; }
  std::uint64_t tick(std::uint32_t actor) {
    if (actor >= t_.size()) t_.resize(actor + 1, 0);
    return ++t_[actor];
  }
  /// Whether anything changed.
  bool join(const VClock& o) {
    if (o.t_.size() > t_.size()) t_.resize(o.t_.size(), 0);
    bool changed = false;
    for (std::size_t i = 0; i < o.t_.size(); ++i) {
      if (o.t_[i] > t_[i]) {
        t_[i] = o.t_[i];
        changed = true;
      }
    }
    return changed;
  }

 private:
  std::vector<std::uint64_t> t_;
};

/// Where a submission came from: the API call and the host return addresses, symbolized
/// only when a finding is reported.
struct Origin {
  const char* api = "";
  void* pc[10] = {};
  int frames = 0;
};

/// Who did something, and what: shared by every access record of one submission. Its
/// text is put together only for a finding.
struct Site {
  const char* label = "";  // "kernel", "memcpy_h2d", "memset", "host function", "vnpu::free"
  std::string name;        // the task's name, if it has one ("scale")
  std::size_t bytes = 0;   // bytes moved or freed, if that describes it
  std::uint32_t actor = ~0u;  // its stream or host thread (~0u: none)
  std::uint64_t time = 0;     // that actor's clock at it
  std::uint64_t order = 0;    // submissions before it, +1 (which of two came first)
  /// Everything ordered before it, as other actors' entries (its own may lag: `time` is
  /// its own position).
  std::shared_ptr<const VClock> clock;
  Origin origin;
  /// "kernel 'scale'", "memcpy_h2d of 4096 bytes", ...
  std::string what() const;
};

/// A task's place in its stream, for a host function to run at, and for the accesses a
/// kernel notes as it runs.
struct TaskPlace {
  std::shared_ptr<const VClock> clock;
  std::uint32_t actor = 0;
  std::uint64_t time = 0;
  std::shared_ptr<const Site> site;
};

/// One declared access.
struct Record {
  std::uintptr_t lo = 0, hi = 0;
  bool write = false;
  std::uint32_t actor = 0;   // stream or thread whose clock orders it
  std::uint64_t time = 0;    // that actor's clock value at the access
  std::shared_ptr<const Site> site;
};

/// The thread-side state: a host thread's actor, or (inside a host function) the
/// function's place in its stream.
struct HostContext;

class Checker {
 public:
  static Checker& instance();

  /// A task of stream `stream` (id `stream_id`, device `device`) — a `label` ("kernel")
  /// with a `name` and/or a byte count (see Site) — making `accesses`; submitted by API
  /// call `api`. `place`, if given, receives the task's place (host functions).
  void on_task(const void* stream, std::uint64_t stream_id, int device, const char* api, void* caller, const char* label,
               std::string_view name, std::size_t bytes, std::span<const Access> accesses,
               TaskPlace* place = nullptr);
  /// Accesses the task at `site` made as it ran (noted by its kernel, see RunScope):
  /// checked against the work submitted before the task and after it.
  void on_run_accesses(const std::shared_ptr<const Site>& site, std::span<const Access> accesses);
  /// A block of the launch at `site` found the launch deadlocked (`what`: who waits for
  /// what, who finished without providing it; check/kernel_deadlock.cpp).
  void on_kernel_deadlock(const std::shared_ptr<const Site>& site, std::string what);
  /// A new event (at an address an earlier, destroyed one may have had).
  void on_event_created(const void* event);
  /// Event record / stream wait (submitted as tasks of the stream too).
  void on_record(const void* stream, std::uint64_t stream_id, int device, const void* event, const char* api = "",
                 void* caller = nullptr);
  void on_wait(const void* stream, std::uint64_t stream_id, int device, const void* event, const char* api,
               void* caller);
  /// The clock of everything submitted to `stream` so far (taken when a host wait starts).
  VClock stream_clock(const void* stream);
  /// The calling thread now follows `c` (a wait for it succeeded).
  void on_host_waited(const VClock& c);
  /// A host wait for `before` (a stream_clock or device_clock taken at its start): runs
  /// `wait` and, if it succeeds, orders the calling thread after `before`.
  template <class Wait>
  Status waited(const VClock& before, Wait&& wait) {
    const Status st = wait();
    if (st == Status::kSuccess) on_host_waited(before);
    return st;
  }
  /// The calling thread waited for the latest record of `event` (a synchronize by API
  /// call `api` from `caller`, or a successful query when `api` is null). Synchronizing
  /// on an event that was never recorded is an unordered wait.
  void on_event_waited(const void* event, const char* api = nullptr, void* caller = nullptr);
  /// Every stream of `device` (for a device synchronize): their clocks joined.
  VClock device_clock(int device);
  /// The calling thread itself makes `accesses` now (a synchronous copy or memset).
  void on_host_access(const char* api, void* caller, std::size_t bytes, std::span<const Access> accesses);
  /// A synchronize called from inside a kernel or host function (`api` at `caller`) that
  /// the runtime refuses: waiting there could never end.
  void on_refused_wait(const char* api, void* caller);
  /// The calling thread frees the allocation at [base, base + bytes).
  void on_free(std::uintptr_t base, std::size_t bytes, const char* api, void* caller);

  /// Runs the calling thread at `place` (a host function's place in its stream) while
  /// this object lives.
  struct ScopedContext {
    explicit ScopedContext(const TaskPlace& place);
    ~ScopedContext();
    ScopedContext(const ScopedContext&) = delete;
    ScopedContext& operator=(const ScopedContext&) = delete;
    HostContext* previous;
  };

  std::vector<Finding> findings();
  void clear_findings();

  // ---- pinned host memory that queued work uses (host_guard.cpp) --------------------
  // A stream task that writes pinned host memory (a device-to-host copy) protects the
  // pages from every host access, one that reads it (a host-to-device copy) from host
  // writes, until a host thread ordered after the task touches them: a host load or store
  // the API never sees, made before that, is a finding. The copy engines open the pages
  // for their own copy.

  /// The calling thread starts a host function (ScopedContext): guards of the work it
  /// follows open.
  void settle_ordered();
  /// Lets go of the guards on [lo, hi) (memory being freed) and unprotects their pages.
  void forget_guards(std::uintptr_t lo, std::uintptr_t hi);
  /// A copy engine starts (`begin`) or ends a copy or memset part that reads or (`write`)
  /// writes [p, p + n).
  void device_touch(const void* p, std::size_t n, bool write, bool begin);
  /// The calling thread faulted at `addr` (a store if `store`) at instruction `pc`: true
  /// if a guard's page (the access may go on), false if not vnpu's fault. Called from the
  /// SIGSEGV handler: allocates nothing.
  bool on_guard_fault(std::uintptr_t addr, bool store, void* pc);

 private:
  struct StreamState {
    std::uint32_t actor = 0;
    std::uint64_t id = 0;
    int device = -1;
    VClock clock;
    /// The clock as of the last join that changed another actor's entry (its own entry
    /// lags): what a site needs to tell whether it follows another actor's access, shared
    /// by the stream's tasks until the next such join.
    std::shared_ptr<const VClock> others;
  };
  struct EventState {
    bool recorded = false;
    VClock clock;
  };
  StreamState& stream_locked(const void* stream, std::uint64_t id, int device);
  /// A new task of the stream: after the calling thread's work so far, one tick on.
  StreamState& advance_locked(const void* stream, std::uint64_t id, int device);
  HostContext& host_locked();
  /// Checks `a`, made by (actor, time) with clock `c`, against its allocation's records,
  /// then records it.
  void access_locked(const Access& a, std::uint32_t actor, std::uint64_t time, const VClock& c,
                     const std::shared_ptr<const Site>& site);
  /// As access_locked for [lo, hi); a free (`is_free`, of the allocation at `known_base`)
  /// is checked as a write and then forgets the allocation's records.
  void check_locked(std::uintptr_t lo, std::uintptr_t hi, bool write, std::uint32_t actor, std::uint64_t time,
                    const VClock& c, const std::shared_ptr<const Site>& site, bool is_free,
                    std::uintptr_t known_base = 0);
  void report_locked(Kind kind, std::uintptr_t lo, std::uintptr_t hi, std::uintptr_t base, std::size_t bytes,
                     const Record& earlier, bool later_write, const Site& later, std::string missing);
  std::string describe_actor_locked(std::uint32_t actor, std::uint64_t time) const;
  Party party_locked(const Site& s, bool write) const;
  /// The site of something the calling thread does itself now (or, inside a host
  /// function, at the function's place in its stream).
  std::shared_ptr<Site> host_site_locked(const char* api, void* caller, std::size_t bytes);
  /// Where a call to `api` made at return address `caller` came from: the stack is walked
  /// once per call site (the outermost API entry's, see ApiSite) and reused after — the
  /// walk is most of the cost of a checked submission.
  const Origin& origin_locked(const char* api, void* caller);

  /// A stream wait submitted while its event had no record (wait_cycles.cpp). On an NPU it
  /// blocks until the event's next record, which `released_by` names once it is submitted:
  /// a record ordered after such waits depends on them, and a cycle of these dependencies
  /// never ends.
  struct OpenWait {
    const void* event = nullptr;
    std::uint32_t actor = 0;
    std::uint64_t time = 0;
    std::shared_ptr<const Site> site;
    std::shared_ptr<const Site> released_by;  // the record; null while none
    std::shared_ptr<const VClock> release_clock;  // exact: the record's stream clock
  };
  /// The record of `event` at `site` (clock `c`) releases its open waits: reports those
  /// that can never be released (a cycle through the record).
  void release_waits_locked(const void* event, const std::shared_ptr<const Site>& site, const VClock& c);
  std::vector<OpenWait> open_waits_;

  struct Guard {
    std::uintptr_t lo = 0, hi = 0;            // the bytes the task touches
    std::uintptr_t page_lo = 0, page_hi = 0;  // the pages protected for them
    bool device_writes = false;               // no host access at all, else no host store
    std::uint32_t actor = 0;
    std::uint64_t time = 0;
    std::shared_ptr<const Site> site;
  };
  /// A host load or store caught by a guard before the host was ordered after its task.
  struct Fault {
    Guard guard;
    bool store = false;
    std::uint32_t actor = ~0u;
    std::uint64_t time = 0;
    void* pc = nullptr;
  };
  static constexpr std::size_t kMaxFaults = 64;
  /// Guards `a`'s bytes when it is pinned host memory touched by the task at (actor, time).
  void guard_locked(const Access& a, std::uint32_t actor, std::uint64_t time, const std::shared_ptr<const Site>& site);
  /// Drops the guards `pick` chooses (it may move from them) and reopens their pages.
  /// Allocates nothing: the fault handler uses it.
  void drop_guards_locked(bool (*pick)(Guard& g, void* ctx), void* ctx);
  /// Drops the guards on [lo, hi) (the host's own API call touches them: checked as such).
  void settle_guards_locked(std::uintptr_t lo, std::uintptr_t hi);
  /// Drops the guards of tasks the calling thread is now ordered after (it waited for
  /// them): their pages open at once, so even a system call (read(2) into the buffer)
  /// finds them open.
  void settle_ordered_locked();
  /// Sets the protection of the pages [lo, hi) from the guards and the engines' copies.
  void protect_locked(std::uintptr_t lo, std::uintptr_t hi);
  /// Reports the faults the handler recorded.
  void drain_faults_locked();

  mutable std::mutex mu_;
  std::uint64_t submissions_ = 0;  // Site::order
  std::vector<Guard> guards_;
  std::vector<std::pair<std::uintptr_t, std::uintptr_t>> busy_;  // pages an engine copies now
  std::array<Fault, kMaxFaults> faults_{};
  std::size_t fault_count_ = 0;
  std::uint32_t next_actor_ = 0;
  std::unordered_map<const void*, StreamState> streams_;
  std::unordered_map<const void*, EventState> events_;
  std::map<std::uintptr_t, std::vector<Record>> shadows_;  // by allocation base (0: unknown memory)
  std::vector<std::string> actor_names_;       // "stream 3 (device 0)", "host thread 1"
  std::map<std::string, Finding> findings_;    // folded by kind and both sites
  std::uint32_t host_threads_ = 0;
  std::unordered_map<std::uintptr_t, Origin> origins_;  // by call site and API
};

/// While a block of a checked launch (the task at `site`) runs on this thread: what the
/// block notes (vnpu::checker::note_access, the Ascend C layer's global-memory accesses) is
/// checked at the block's end, before the task completes. Blocks of one launch sharing the
/// thread as fibers share the notes.
class RunScope {
 public:
  explicit RunScope(const std::shared_ptr<const Site>& site) noexcept;
  ~RunScope();
  RunScope(const RunScope&) = delete;
  RunScope& operator=(const RunScope&) = delete;
  /// The site of the launch whose block runs on this thread (null: none).
  static const std::shared_ptr<const Site>* current() noexcept;

 private:
  const std::shared_ptr<const Site>& site_;
};

/// Marks the calling thread as inside an API entry point called from `caller` (a return
/// address in the program): submissions it makes are attributed to that call site. The
/// outermost entry wins (the C API's entry points run the C++ API inside).
/// `api`, if given, names the call in reports instead of the inner call that submits.
class ApiSite {
 public:
  explicit ApiSite(void* caller, const char* api = nullptr) noexcept;
  ~ApiSite();
  ApiSite(const ApiSite&) = delete;
  ApiSite& operator=(const ApiSite&) = delete;

 private:
  bool set_;
};

/// Whether checking is on (one relaxed load).
bool on() noexcept;
/// Inside a host function (Checker::ScopedContext): its place, for work it hands to
/// another thread (a C API callback run by aclrtProcessReport). False elsewhere.
bool current_place(TaskPlace* out);
/// Whether any pinned memory is guarded now (host_guard.cpp; one relaxed load).
bool guards_active() noexcept;
void set_on(bool on) noexcept;
/// VNPU_CHECK from the environment: whether checking starts on (and if so, the findings
/// are printed at exit).
bool check_from_env();

/// The calling thread's origin of a call to `api`: its return addresses.
Origin capture_origin(const char* api) noexcept;
/// "api, called from f (file) <- g ..." with the frames inside vnpu left out.
std::string describe_origin(const Origin& o);

}  // namespace vnpu::detail::check
