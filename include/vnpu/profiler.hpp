// vnpu/profiler.hpp — a timeline of every engine: spans, metrics and trace files.
//
// While the profiler runs, every task a device executes becomes a *span* on the *lane*
// that ran it:
//
//   lane                          spans on it
//   compute core k of device d    kernel blocks (one span per block), barrier waits inside them
//   copy engine j of device d     copies and memsets (one span per part of a split copy)
//   host callbacks of device d    host functions (Stream::host_func)
//   comm lane n of device d       collectives and other tasks of a vnpu::Lane (bytes moved)
//   stream s of device d          event records (instants) and event waits (from the moment
//                                 the stream reached the wait until the event completed)
//   host thread t                 the application's blocking waits (Stream/Device/Event
//                                 synchronize); what the thread itself runs: the block a
//                                 synchronous operator runs on the caller, and the
//                                 synchronous vnpu::memcpy / vnpu::memset
//
// Spans on one lane never partially overlap: they are disjoint or nested (a barrier wait
// lies inside the kernel block that waited; a vnpu::memcpy called inside a kernel lies
// inside its block, on the core's lane). Each span carries its stream, the task's
// sequence number in that stream, its name, the bytes it moved and, for kernels launched
// by an operator, the operator's name, shape and bytes (see ScopedOpTag).
//
// Switching it on:
//   - the environment: `VNPU_PROFILE=trace.json ./app` starts the profiler when the first
//     device is created and writes a Chrome trace to that path at exit (or at stop()),
//     or, if the program dies of SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT or
//     std::terminate, just before it dies, which then happens as it would have
//     (docs/profiler.md, "When the program crashes");
//   - the API: profiler::start(), run the work, profiler::stop(), then collect() the spans,
//     compute_metrics() or write_chrome_trace().
//
//     vnpu::check(vnpu::profiler::start());
//     ... launches, copies, synchronize ...
//     vnpu::check(vnpu::profiler::stop());
//     const vnpu::profiler::Trace trace = vnpu::profiler::collect();
//     const vnpu::profiler::Metrics m = vnpu::profiler::compute_metrics(trace, 40.0);
//     vnpu::check(vnpu::profiler::write_chrome_trace(trace, "trace.json"));
//
// Cost: when the profiler is off, each task pays one relaxed load of a flag. When on,
// each span costs two time stamps (the CPU's counter) and one append to the recording
// thread's own buffer (no locks; docs/benchmarks.md has measured figures). A build with the CMake option
// VNPU_PROFILER=OFF compiles capture out entirely; start() then returns kNotSupported.
//
// Each recording thread keeps at most VNPU_PROFILE_MAX_SPANS spans per session (default
// 1,000,000; about 128 bytes each); further spans are counted in Trace::dropped.
//
// The Chrome trace (loads in https://ui.perfetto.dev and chrome://tracing) holds one "X"
// event per span (ts and dur in microseconds, pid = device id + 1, tid = lane, cat = the
// span kind) and "M" metadata naming every device and lane; docs/profiler.md lists every
// field. Thread safety: every function here may be called from any thread, but not from
// inside a kernel or host callback (start/stop there return kNotPermitted).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "vnpu/status.hpp"

namespace vnpu::profiler {

/// What a span is; the Chrome trace's "cat" is span_kind_name() of it.
enum class SpanKind : std::uint8_t {
  kKernel = 0,    ///< one block of a kernel launch ("kernel")
  kCopy = 1,      ///< a copy, or one part of a copy split across engines ("copy")
  kMemset = 2,    ///< a memset or one part of it ("memset")
  kCallback = 3,  ///< a host function ("callback")
  kEvent = 4,     ///< an event record (zero length) or a stream's wait on an event ("event")
  kBarrier = 5,   ///< a block waiting at sync_all()/sync_group() ("barrier")
  kHostWait = 6,  ///< an application thread blocked in synchronize() ("wait")
  kPipe = 7,      ///< inside an Ascend C block: a data movement or vector instruction, named
                  ///< by its pipe — "MTE2 DataCopy" (GM->UB), "MTE3 DataCopy" (UB->GM),
                  ///< "V Add" ... ("pipe")
  kCollective = 8,  ///< a collective or point-to-point transfer between ranks (vnpu::Communicator,
                    ///< HCCL), on its communicator's lane; bytes = what this rank sent and
                    ///< received ("collective")
};

/// Which kind of lane a span belongs to.
enum class LaneKind : std::uint8_t {
  kComputeCore = 0,   ///< index = core number within the device
  kCopyEngine = 1,    ///< index = copy engine number within the device
  kHostCallback = 2,  ///< the device's host-callback thread; index 0
  kStream = 3,        ///< index = stream id (the default stream is 0)
  kHostThread = 4,    ///< an application thread; device -1, index = order of its first wait
  kCommLane = 5,      ///< a communicator's lane (vnpu::Lane); index = lane number within the device
};

/// "kernel", "copy", "memset", "callback", "event", "barrier", "wait", "pipe", "collective".
const char* span_kind_name(SpanKind kind) noexcept;
/// "compute core", "copy engine", "host callbacks", "stream", "host thread", "comm lane".
const char* lane_kind_name(LaneKind kind) noexcept;
/// Where lanes of `kind` sit among a device's lanes, in display order: compute cores (0),
/// copy engines, host callbacks, comm lanes, streams; host threads (which have no device) last.
int lane_order(LaneKind kind) noexcept;

struct Span {
  SpanKind kind = SpanKind::kKernel;
  LaneKind lane_kind = LaneKind::kComputeCore;
  int device = -1;          ///< device id; -1 for host-thread lanes
  std::uint32_t lane = 0;   ///< index within the lane kind (see LaneKind)
  std::string name;         ///< task name (kernel name, "memcpy_h2d", "sync_all", ...)
  std::uint64_t stream = 0; ///< stream id of the task (host waits: the stream waited for, or 0)
  std::uint64_t seq = 0;    ///< the task's 1-based sequence number in its stream; 0 if none
  std::uint64_t bytes = 0;  ///< bytes this span moved (copies, memsets); 0 for kernels
  std::uint32_t block = 0;  ///< kernels and barriers: block index; copies: part index
  std::uint32_t blocks = 0; ///< kernels and barriers: block_dim; copies: number of parts
  std::string op;           ///< operator tag (ScopedOpTag), empty if untagged
  std::string shape;        ///< operator shape description, empty if untagged
  std::uint64_t op_bytes = 0;  ///< bytes the whole operator moves (tag), 0 if untagged
  std::uint64_t op_id = 0;     ///< one id per tagged operator call; 0 if untagged
  std::int64_t start_ns = 0;   ///< from the session's start
  std::int64_t end_ns = 0;     ///< >= start_ns
};

struct DeviceEntry {
  int id = 0;
  std::string name;
  int compute_cores = 0;
  int copy_engines = 0;
};

struct Lane {
  int device = -1;
  LaneKind kind = LaneKind::kComputeCore;
  std::uint32_t index = 0;
  std::string name;  ///< "compute core 0", "copy engine 0", "host callbacks", "comm lane 0", "stream 3", "host thread 1"
};

struct Trace {
  std::vector<DeviceEntry> devices;  ///< devices alive during the session or named by a span
  std::vector<Lane> lanes;           ///< every lane of those devices plus every lane a span uses
  std::vector<Span> spans;           ///< sorted by start time
  std::uint64_t dropped = 0;         ///< spans not recorded (a thread's buffer was full)
};

/// Starts a session: spans recorded before are discarded. Already running: kSuccess.
/// kNotSupported when capture is compiled out; kNotPermitted inside a kernel or callback.
Status start();
/// Stops recording (spans of tasks still running may still land). If the session was
/// started by VNPU_PROFILE, also writes the trace to that path (kInvalidArgument if it
/// cannot be written). Not running: kSuccess.
Status stop();
/// True while a session records.
bool active() noexcept;
/// False in a build with capture compiled out (CMake option VNPU_PROFILER=OFF), where
/// start() returns kNotSupported and VNPU_PROFILE records nothing.
bool available() noexcept;
/// The spans of the current (or last) session so far. Empty if none ever ran.
Trace collect();

/// The Chrome trace JSON of `trace` (valid JSON even for an empty trace).
std::string chrome_trace_json(const Trace& trace);
/// Writes chrome_trace_json(trace) to `path`; kInvalidArgument if the file cannot be written.
Status write_chrome_trace(const Trace& trace, const std::string& path);

/// One row of the per-op table: every call of one operator (or task name) with one shape.
struct OpMetrics {
  SpanKind kind = SpanKind::kKernel;
  std::string name;    ///< the operator tag if present, else the task name
  std::string shape;   ///< empty if untagged
  std::uint64_t calls = 0;     ///< operator calls (tagged), or tasks
  double total_ms = 0.0;       ///< sum over calls of first span start .. last span end
  double mean_us = 0.0;        ///< total_ms / calls
  std::uint64_t bytes = 0;     ///< bytes moved by all calls
  double gbps = 0.0;           ///< bytes / total time (1 GB = 1e9 bytes); 0 when bytes is 0
  double peak_pct = -1.0;      ///< gbps as % of the peak bandwidth; -1 when unknown or no bytes
  double share_pct = 0.0;      ///< % of the run's wall time in which a call ran (calls that
                               ///< overlap count once, so at most 100)
};

/// The pipe view of one Ascend C kernel, from its pipe spans: where its blocks' time went
/// (the chip's MTE2, V and MTE3 pipes) and the global memory it moved.
struct PipeMetrics {
  std::string name;            ///< the kernel (task) name
  std::uint64_t calls = 0;     ///< launches with pipe spans
  double block_ms = 0.0;       ///< sum of its blocks' (kernel spans') times
  double mte2_ms = 0.0;        ///< in GM->UB copies
  double v_ms = 0.0;           ///< in vector instructions (and UB->UB copies)
  double mte3_ms = 0.0;        ///< in UB->GM copies
  std::uint64_t gm_bytes = 0;  ///< global memory read and written by its copies
  double gbps = 0.0;           ///< gm_bytes over the launches' times (first block start .. last end)
  double peak_pct = -1.0;      ///< gbps as % of the peak bandwidth; -1 when unknown or no bytes
  double vector_pct = 0.0;     ///< v_ms as % of block_ms (the vector unit's utilization)
  double dma_pct = 0.0;        ///< (mte2_ms + mte3_ms) as % of block_ms
};

/// Busy time of one lane.
struct LaneMetrics {
  Lane lane;
  std::uint64_t spans = 0;
  double busy_ms = 0.0;   ///< union of the lane's spans
  double busy_pct = 0.0;  ///< busy_ms as % of the run's wall time
};

struct Metrics {
  double wall_ms = 0.0;             ///< first span start .. last span end (0 if no spans)
  double compute_busy_pct = 0.0;    ///< mean over compute-core lanes of their kernel busy %
  double copy_busy_pct = 0.0;       ///< mean over copy-engine lanes of their busy % (DMA time share)
  double overlap_pct = 0.0;         ///< % of the wall time in which a copy and a kernel both run
  double barrier_ms = 0.0;          ///< total time blocks spent waiting in barriers
  std::uint64_t barrier_waits = 0;  ///< barrier waits recorded
  double barrier_mean_us = 0.0;     ///< barrier_ms / barrier_waits
  double host_wait_ms = 0.0;        ///< total time application threads blocked in synchronize()
  double event_wait_ms = 0.0;       ///< total time streams waited on events
  double peak_gbps = 0.0;           ///< the peak bandwidth the percentages refer to (0: unknown)
  std::uint64_t dropped = 0;        ///< Trace::dropped
  std::vector<OpMetrics> ops;       ///< by total time, longest first
  std::vector<LaneMetrics> lanes;   ///< in Trace::lanes order
  std::vector<PipeMetrics> pipes;   ///< Ascend C kernels with pipe spans, by block time, longest first
};

/// Computes the metrics of `trace`. `peak_gbps` is the machine's peak memory bandwidth in
/// GB/s (e.g. `vnpu info`'s measurement); 0 leaves the % of peak unknown (-1).
/// Any span times are accepted: a span that ends before it starts counts as an instant at
/// its start, lengths never overflow (the run may span all of int64), byte totals beyond
/// 2^64 - 1 stay at 2^64 - 1, every figure is finite and every % of the run (busy,
/// overlap, share) lies in [0, 100]; peak_pct may exceed 100 (cache-resident data).
Metrics compute_metrics(const Trace& trace, double peak_gbps = 0.0);

/// Tags the kernels the calling thread launches while the tag lives with an operator's
/// name, shape and the bytes the operator moves in total (read + written), so the per-op
/// table can give its bandwidth. All kernels launched under one tag count as one call.
/// When the profiler is off the tag costs one flag load. The strings must outlive the tag.
///
///     profiler::ScopedOpTag tag("reduce_sum", "f32[8192,8192] axes=0", in_bytes + out_bytes);
///     s.launch(...);
class ScopedOpTag {
 public:
  ScopedOpTag(std::string_view op, std::string_view shape, std::uint64_t bytes) noexcept;
  ~ScopedOpTag();
  ScopedOpTag(const ScopedOpTag&) = delete;
  ScopedOpTag& operator=(const ScopedOpTag&) = delete;

  std::string_view op() const noexcept { return op_; }
  std::string_view shape() const noexcept { return shape_; }
  std::uint64_t bytes() const noexcept { return bytes_; }

 private:
  std::string_view op_;
  std::string_view shape_;
  std::uint64_t bytes_;
  std::uint32_t interned_ = 0;  // index in the session's tag table, assigned at first launch
  std::uint64_t session_ = 0;   // session of interned_
  ScopedOpTag* outer_ = nullptr;
  friend struct TagAccess;
};

}  // namespace vnpu::profiler
