// Sessions and per-thread span buffers.
//
// Each recording thread owns one LaneBuffer: a list of chunks and a published count. The
// owner appends without locks — it writes the slot at `count`, then publishes count + 1
// with a release store — and takes the buffer's mutex only for the rare structural
// changes: adding a chunk and rewinding for a new session. Chunks double from 512 records
// to 16384 (2 MiB, on a transparent huge page where the OS offers them: first touches of
// 4 KiB pages, one per 32 spans, cost more than the spans themselves in a VM); a new
// session reuses the chunks of the last one. A reader (collect) holds the mutex, loads the count with acquire and copies
// the slots below it, which the owner never writes again in that session.
//
// Buffers belong to a leaked registry, so a thread that exits leaves its spans readable;
// its buffer is freed at the next start(). Sessions are numbered: an owner that finds its
// buffer tagged with an older session rewinds it before appending.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <limits>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "common/env.hpp"
#include "common/error.hpp"
#include "profiler/capture.hpp"
#include "profiler/crash.hpp"
#include "profiler/session.hpp"
#include "runtime/thread_role.hpp"

namespace vnpu {
namespace detail::prof {

#if !defined(VNPU_PROFILER_DISABLED)
std::atomic<bool> g_on{false};
#endif

namespace {

constexpr std::size_t kFirstChunk = 512;        // records
constexpr std::size_t kLargestChunk = 16384;    // records: 2 MiB
constexpr std::size_t kHugePage = std::size_t{2} << 20;
constexpr std::size_t kDefaultMaxSpans = 1'000'000;

std::size_t chunk_capacity(std::size_t index) {
  return index >= 5 ? kLargestChunk : kFirstChunk << index;
}

struct FreeRecords {
  void operator()(Record* p) const noexcept { std::free(p); }
};
using Chunk = std::unique_ptr<Record[], FreeRecords>;

Chunk allocate_chunk(std::size_t records) {
  const std::size_t bytes = records * sizeof(Record);
  void* p = std::aligned_alloc(bytes >= kHugePage ? kHugePage : 64, bytes);
  if (p == nullptr) throw std::bad_alloc();
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  if (bytes >= kHugePage) (void)madvise(p, bytes, MADV_HUGEPAGE);
#endif
  return Chunk(static_cast<Record*>(p));
}

struct LaneBuffer {
  std::mutex mu;
  std::vector<Chunk> chunks;  // chunk k holds chunk_capacity(k) records; grown by the owner under mu
  std::atomic<std::size_t> count{0};           // records published in `session`
  std::atomic<std::uint64_t> session{0};       // written by the owner under mu
  std::atomic<std::uint64_t> dropped{0};
  std::atomic<bool> alive{true};               // false once the owner thread exited
};

struct TagEntry {
  std::string op;
  std::string shape;
  std::uint64_t bytes;
  std::uint64_t id;
};

struct DeviceSlot {
  profiler::DeviceEntry entry;
  bool alive = true;
};

struct Registry {
  Registry() {
    const auto m = env_int_in("VNPU_PROFILE_MAX_SPANS", 1, std::numeric_limits<std::int64_t>::max());
    max_spans = m ? static_cast<std::size_t>(*m) : kDefaultMaxSpans;
  }
  std::mutex control_mu;  // serializes start/stop
  std::mutex mu;          // buffers, devices, origin_stamp, origin_ns
  std::vector<std::unique_ptr<LaneBuffer>> buffers;
  std::vector<DeviceSlot> devices;
  std::int64_t origin_stamp = 0;  // the session's start (stamp and now_ns)
  std::int64_t origin_ns = 0;
  std::atomic<std::uint64_t> session{0};  // 0: never started
  std::mutex tags_mu;
  std::deque<TagEntry> tags;  // never shrinks: tasks queued earlier may still name an entry
  std::atomic<std::uint64_t> next_op_id{1};
  std::atomic<std::uint32_t> host_threads{0};
  std::size_t max_spans = kDefaultMaxSpans;
  std::string env_path;                   // VNPU_PROFILE
  std::atomic<bool> env_session{false};   // the running session was started by VNPU_PROFILE (set under control_mu)
};

Registry& registry() {
  static Registry* r = new Registry();  // leaked: threads may record during static destruction
  return *r;
}

// The calling thread's buffer; marks it orphaned when the thread exits.
struct ThreadSlot {
  LaneBuffer* buf = nullptr;
  std::uint64_t session = 0;
  Record* chunk = nullptr;  // the chunk holding slot `count`
  std::size_t index = 0;    // its index in buf->chunks
  std::size_t left = 0;     // free slots in it
  std::size_t nchunks = 0;  // chunks in buf (only the owner adds them)
  ThreadSlot() = default;
  ThreadSlot(const ThreadSlot&) = delete;
  ThreadSlot& operator=(const ThreadSlot&) = delete;
  ~ThreadSlot() {
    if (buf != nullptr) buf->alive.store(false, std::memory_order_release);
  }
};
thread_local ThreadSlot t_slot;

LaneBuffer* new_buffer(Registry& reg) noexcept {
  try {
    auto b = std::make_unique<LaneBuffer>();
    LaneBuffer* p = b.get();
    std::lock_guard lock(reg.mu);
    reg.buffers.push_back(std::move(b));
    return p;
  } catch (...) {
    return nullptr;
  }
}

thread_local profiler::ScopedOpTag* t_tag = nullptr;
thread_local std::uint32_t t_host_lane = ~std::uint32_t{0};

}  // namespace

void emit(const Record& r) noexcept {
  Registry& reg = registry();
  const std::uint64_t sid = reg.session.load(std::memory_order_acquire);
  if (sid == 0) return;
  ThreadSlot& ts = t_slot;
  if (ts.buf == nullptr && (ts.buf = new_buffer(reg)) == nullptr) return;
  LaneBuffer& b = *ts.buf;
  if (ts.session != sid) {  // first span of this thread in a new session: rewind
    std::lock_guard lock(b.mu);
    b.count.store(0, std::memory_order_relaxed);
    b.dropped.store(0, std::memory_order_relaxed);
    b.session.store(sid, std::memory_order_relaxed);
    ts.session = sid;
    ts.nchunks = b.chunks.size();
    ts.chunk = nullptr;
    ts.index = 0;
    ts.left = 0;
  }
  const std::size_t n = b.count.load(std::memory_order_relaxed);
  if (n >= reg.max_spans) {
    b.dropped.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  if (ts.left == 0) {  // the current chunk is full (or there is none yet)
    const std::size_t next = ts.chunk == nullptr ? 0 : ts.index + 1;
    if (next >= ts.nchunks) {
      try {
        Chunk chunk = allocate_chunk(chunk_capacity(next));
        std::lock_guard lock(b.mu);
        b.chunks.push_back(std::move(chunk));
        ts.nchunks = b.chunks.size();
      } catch (...) {
        b.dropped.fetch_add(1, std::memory_order_relaxed);
        return;
      }
    }
    ts.index = next;
    ts.chunk = b.chunks[next].get();  // only the owner changes the list: no lock to read it
    ts.left = chunk_capacity(next);
  }
  ts.chunk[chunk_capacity(ts.index) - ts.left] = r;
  --ts.left;
  b.count.store(n + 1, std::memory_order_release);
}

std::uint32_t host_thread_lane() noexcept {
  if (t_host_lane == ~std::uint32_t{0})
    t_host_lane = registry().host_threads.fetch_add(1, std::memory_order_relaxed);
  return t_host_lane;
}

}  // namespace detail::prof

namespace profiler {

// Interns the calling thread's innermost tag for the current session.
struct TagAccess {
  static std::uint32_t intern(ScopedOpTag& tag) noexcept {
    auto& reg = detail::prof::registry();
    const std::uint64_t sid = reg.session.load(std::memory_order_acquire);
    if (tag.session_ == sid && tag.interned_ != 0) return tag.interned_;
    try {
      std::lock_guard lock(reg.tags_mu);
      reg.tags.push_back(detail::prof::TagEntry{std::string(tag.op_), std::string(tag.shape_), tag.bytes_,
                                                reg.next_op_id.fetch_add(1, std::memory_order_relaxed)});
      tag.interned_ = static_cast<std::uint32_t>(reg.tags.size());
      tag.session_ = sid;
    } catch (...) {
      return 0;
    }
    return tag.interned_;
  }
  static ScopedOpTag*& outer(ScopedOpTag& tag) noexcept { return tag.outer_; }
};

ScopedOpTag::ScopedOpTag(std::string_view op, std::string_view shape, std::uint64_t bytes) noexcept
    : op_(op), shape_(shape), bytes_(bytes) {
  outer_ = detail::prof::t_tag;
  detail::prof::t_tag = this;
}

ScopedOpTag::~ScopedOpTag() { detail::prof::t_tag = outer_; }

}  // namespace profiler

namespace detail::prof {

std::uint32_t current_op_tag() noexcept {
  profiler::ScopedOpTag* tag = t_tag;
  return tag == nullptr ? 0 : profiler::TagAccess::intern(*tag);
}

namespace {

// Writes the current session to VNPU_PROFILE's path; *spans: how many it held.
Status write_env_trace(std::size_t* spans) {
  const profiler::Trace trace = collect_session();
  *spans = trace.spans.size();
  return profiler::write_chrome_trace(trace, registry().env_path);
}

}  // namespace

Status start_session(bool from_env) {
  if (!kCompiledIn)
    return fail(Status::kNotSupported, "profiler: capture was compiled out (built with VNPU_PROFILER=OFF)");
  if (on_runtime_thread())
    return fail(Status::kNotPermitted, "profiler::start: not allowed inside a kernel or host callback");
  Registry& reg = registry();
  std::lock_guard control(reg.control_mu);
#if !defined(VNPU_PROFILER_DISABLED)
  if (g_on.load(std::memory_order_relaxed)) return Status::kSuccess;
  {
    std::lock_guard lock(reg.mu);
    // Buffers of threads that exited: nobody refers to them any more.
    std::erase_if(reg.buffers, [](const auto& b) { return !b->alive.load(std::memory_order_acquire); });
    std::erase_if(reg.devices, [](const DeviceSlot& d) { return !d.alive; });
    reg.origin_stamp = now();
    reg.origin_ns = now_ns();
    reg.session.fetch_add(1, std::memory_order_acq_rel);
  }
  reg.env_session = from_env;
  g_on.store(true, std::memory_order_release);
#else
  (void)from_env;
#endif
  return Status::kSuccess;
}

Status stop_session() {
  if (on_runtime_thread())
    return fail(Status::kNotPermitted, "profiler::stop: not allowed inside a kernel or host callback");
  Registry& reg = registry();
  std::lock_guard control(reg.control_mu);
#if !defined(VNPU_PROFILER_DISABLED)
  if (!g_on.load(std::memory_order_relaxed)) return Status::kSuccess;
  g_on.store(false, std::memory_order_release);
  if (reg.env_session) {
    reg.env_session = false;
    std::size_t spans = 0;
    VNPU_TRY(write_env_trace(&spans));
    std::fprintf(stderr, "vnpu: profile of %zu spans written to %s\n", spans, reg.env_path.c_str());
  }
#endif
  return Status::kSuccess;
}

bool env_session_recording() noexcept { return registry().env_session.load(std::memory_order_acquire); }

bool write_env_trace_in_crash_child(const char* cause) noexcept {
  Registry& reg = registry();
  // Locks are plain pthread mutexes; their holders did not come along into this process.
  for (std::mutex* m : {&reg.control_mu, &reg.mu, &reg.tags_mu}) new (m) std::mutex();
  for (const auto& b : reg.buffers) new (&b->mu) std::mutex();
  std::size_t spans = 0;
  bool written = false;
  char line[512];
  try {
    written = write_env_trace(&spans) == Status::kSuccess;
    if (written) {
      std::snprintf(line, sizeof line, "vnpu: profile of %zu spans written to %s (the process dies of %s)\n", spans,
                    reg.env_path.c_str(), cause);
    } else {
      std::snprintf(line, sizeof line, "vnpu: cannot write the profile: %s\n", last_error_message());
    }
  } catch (...) {  // out of memory
    std::snprintf(line, sizeof line, "vnpu: cannot write the profile of the dying process: out of memory\n");
  }
  (void)!write(STDERR_FILENO, line, std::strlen(line));  // not stdio: a thread that is gone may hold its lock
  return written;
}

namespace {

void write_at_exit() {
  if (stop_session() != Status::kSuccess)
    std::fprintf(stderr, "vnpu: cannot write the profile: %s\n", last_error_message());
}

void read_environment() {
  const char* path = std::getenv("VNPU_PROFILE");
  if (path == nullptr || *path == '\0') return;
  Registry& reg = registry();
  reg.env_path = path;
  if (start_session(/*from_env=*/true) != Status::kSuccess) {
    std::fprintf(stderr, "vnpu: VNPU_PROFILE is set but the profiler cannot start: %s\n", last_error_message());
    return;
  }
  std::atexit(write_at_exit);
  install_crash_handlers();
}

}  // namespace

void device_created(int id, std::string_view name, int compute_cores, int copy_engines) {
  static std::once_flag env_once;
  std::call_once(env_once, read_environment);
  Registry& reg = registry();
  std::lock_guard lock(reg.mu);
  reg.devices.push_back(DeviceSlot{profiler::DeviceEntry{id, std::string(name), compute_cores, copy_engines}, true});
}

void device_destroyed(int id) {
  Registry& reg = registry();
  std::lock_guard lock(reg.mu);
  for (DeviceSlot& d : reg.devices)
    if (d.entry.id == id) d.alive = false;
}

RawSession snapshot() {
  RawSession out;
  Registry& reg = registry();
  {
    std::lock_guard lock(reg.mu);
    const std::uint64_t sid = reg.session.load(std::memory_order_acquire);
    if (sid == 0) return out;
    out.origin_stamp = reg.origin_stamp;
    out.origin_ns = reg.origin_ns;
    for (const DeviceSlot& d : reg.devices) out.devices.push_back(DeviceState{d.entry, d.alive});
    for (const auto& bp : reg.buffers) {
      LaneBuffer& b = *bp;
      std::lock_guard block(b.mu);
      if (b.session.load(std::memory_order_relaxed) != sid) continue;
      const std::size_t n = b.count.load(std::memory_order_acquire);
      out.dropped += b.dropped.load(std::memory_order_relaxed);
      for (std::size_t c = 0, copied = 0; copied < n; ++c) {
        const std::size_t take = std::min(n - copied, chunk_capacity(c));
        out.records.insert(out.records.end(), b.chunks[c].get(), b.chunks[c].get() + take);
        copied += take;
      }
    }
  }
  {
    std::lock_guard lock(reg.tags_mu);
    for (const TagEntry& t : reg.tags) out.tags.push_back(RawTag{t.op, t.shape, t.bytes, t.id});
  }
  // The second point of the stamps' rate. At least 2 ms after the first, so that the two
  // clocks' read jitter (tens of ns) stays below 1e-4 of the interval.
  constexpr std::int64_t kMinRateNs = 2'000'000;
  if (stamp_is_counter() && now_ns() - out.origin_ns < kMinRateNs)
    std::this_thread::sleep_for(std::chrono::nanoseconds(kMinRateNs - (now_ns() - out.origin_ns)));
  out.until_stamp = now();
  out.until_ns = now_ns();
  return out;
}

}  // namespace detail::prof

namespace profiler {

Status start() {
  detail::clear_error();
  return detail::prof::start_session(/*from_env=*/false);
}

Status stop() {
  detail::clear_error();
  return detail::prof::stop_session();
}

bool active() noexcept { return detail::prof::on(); }

bool available() noexcept { return detail::prof::kCompiledIn; }

}  // namespace profiler
}  // namespace vnpu
