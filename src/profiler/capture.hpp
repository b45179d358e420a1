// Capture: what the runtime calls to record spans.
//
// The hot-path contract: when the profiler is off, a capture point costs one relaxed
// load (on()); compiled with VNPU_PROFILER_DISABLED, on() is a constant false and the
// capture code disappears. When on, emit() appends one Record to the calling thread's
// own buffer (session.cpp) without locks.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "common/utf8.hpp"
#include "platform/clock.hpp"
#include "vnpu/profiler.hpp"

namespace vnpu::detail::prof {

using profiler::LaneKind;
using profiler::SpanKind;

#if defined(VNPU_PROFILER_DISABLED)
inline constexpr bool kCompiledIn = false;
constexpr bool on() noexcept { return false; }
#else
inline constexpr bool kCompiledIn = true;
extern std::atomic<bool> g_on;
/// True while a session records.
inline bool on() noexcept { return g_on.load(std::memory_order_relaxed); }
#endif

/// A span's time stamp (platform stamp(): the CPU's counter where it has a usable one).
inline std::int64_t now() noexcept { return stamp(); }

/// One span as recorded (fixed size, no allocation).
struct Record {
  std::int64_t start;  // stamps (now()); the trace turns them into ns from the session's start
  std::int64_t end;
  std::uint64_t stream;
  std::uint64_t seq;
  std::uint64_t bytes;
  std::uint32_t op;  // index + 1 in the tag table, 0 = untagged
  std::uint32_t block;
  std::uint32_t blocks;
  std::int32_t device;
  std::uint32_t lane;
  SpanKind kind;
  LaneKind lane_kind;
  char name[64];  // Task::name (48) and more; makes the record 128 bytes

  void set_name(const char* n) noexcept {
    const std::size_t len = utf8_prefix(n, std::strlen(n), sizeof name - 1);
    std::memcpy(name, n, len);
    name[len] = '\0';
  }
};
static_assert(sizeof(Record) == 128);

/// Appends `r` to the calling thread's buffer for the current session.
void emit(const Record& r) noexcept;

/// The tag of the innermost ScopedOpTag of the calling thread, interned for the current
/// session: index + 1 in the tag table, 0 if none.
std::uint32_t current_op_tag() noexcept;

/// Lane index of the calling application thread (assigned at its first host wait).
std::uint32_t host_thread_lane() noexcept;

/// The kernel block the calling compute core is running (for barrier spans).
struct BlockContext {
  std::uint64_t stream = 0;
  std::uint64_t seq = 0;
  std::uint32_t op = 0;
  std::int32_t device = 0;
  std::uint32_t lane = 0;
  std::uint32_t block = 0;
  std::uint32_t blocks = 0;
  bool valid = false;
};
inline thread_local BlockContext t_block;

/// Device bookkeeping: named in the trace's metadata, and the first creation reads
/// VNPU_PROFILE (starting a session and arranging the write at exit).
void device_created(int id, std::string_view name, int compute_cores, int copy_engines);
void device_destroyed(int id);

/// Times a scope and records it as a span when the profiler was on at its start.
class ScopedSpan {
 public:
  ScopedSpan() noexcept = default;
  /// Starts timing if the profiler is on; the caller fills record() in the meantime.
  bool begin() noexcept {
    if (!on()) return false;
    r_ = Record{};
    r_.start = now();
    armed_ = true;
    return true;
  }
  Record& record() noexcept { return r_; }
  ~ScopedSpan() {
    if (!armed_) return;
    r_.end = now();
    emit(r_);
  }
  ScopedSpan(const ScopedSpan&) = delete;
  ScopedSpan& operator=(const ScopedSpan&) = delete;

 private:
  Record r_;  // filled only when armed: an idle span costs nothing but the flag load
  bool armed_ = false;
};

/// Starts `span` for work the calling thread runs itself (a synchronous operator's own
/// block, the synchronous vnpu::memcpy / vnpu::memset): on the core's lane, inside its
/// block, when a kernel calls it; else on the thread's host-thread lane. The operator tag
/// in force is recorded. False (nothing recorded) while the profiler is off.
inline bool begin_caller_span(ScopedSpan& span, SpanKind kind, const char* name) noexcept {
  if (!span.begin()) return false;
  Record& r = span.record();
  r.kind = kind;
  if (const BlockContext& b = t_block; b.valid) {
    r.lane_kind = LaneKind::kComputeCore;
    r.device = b.device;
    r.lane = b.lane;
    r.stream = b.stream;
    r.seq = b.seq;
  } else {
    r.lane_kind = LaneKind::kHostThread;
    r.device = -1;  // application threads belong to no device
    r.lane = host_thread_lane();
  }
  r.op = current_op_tag();
  r.set_name(name);
  return true;
}

/// Starts `span` as a span of `kind` named `name` inside the kernel block the calling core
/// runs (a barrier wait, an Ascend C pipe span), on the core's lane. False (nothing
/// recorded) while the profiler is off, or when the block itself is not recorded (the
/// profiler started while it ran: its lane would not be known).
inline bool begin_block_span(ScopedSpan& span, SpanKind kind, const char* name) noexcept {
  const BlockContext& b = t_block;
  if (!b.valid || !span.begin()) return false;
  Record& r = span.record();
  r.kind = kind;
  r.lane_kind = LaneKind::kComputeCore;
  r.device = b.device;
  r.lane = b.lane;
  r.stream = b.stream;
  r.seq = b.seq;
  r.op = b.op;
  r.block = b.block;
  r.blocks = b.blocks;
  r.bytes = 0;
  r.set_name(name);
  return true;
}

/// Records an application thread's blocking wait (synchronize) as a host-wait span.
class HostWaitSpan {
 public:
  HostWaitSpan(const char* name, std::uint64_t stream) noexcept {
    if (!span_.begin()) return;
    Record& r = span_.record();
    r.kind = SpanKind::kHostWait;
    r.lane_kind = LaneKind::kHostThread;
    r.device = -1;
    r.lane = host_thread_lane();
    r.stream = stream;
    r.set_name(name);
  }

 private:
  ScopedSpan span_;
};

}  // namespace vnpu::detail::prof
