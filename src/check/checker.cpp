#include "check/checker.hpp"

#include <algorithm>
#include <string>
#include <utility>

#include "runtime/memory_registry.hpp"

namespace vnpu::detail::check {

struct HostContext {
  std::uint32_t actor = ~0u;  // assigned on first use
  VClock clock;
  bool in_task = false;       // a host function's place in its stream
  std::uint64_t time = 0;     // in_task: the task's clock value
};

namespace {

std::atomic<bool> g_on{check_from_env()};
thread_local HostContext t_host;
thread_local HostContext* t_ctx = nullptr;  // non-null inside a host function
thread_local void* t_api_site = nullptr;    // the outermost API entry's caller (ApiSite)
thread_local const char* t_api_name = nullptr;  // and its name, if it gave one

HostContext& current_context() { return t_ctx != nullptr ? *t_ctx : t_host; }

// Whether an access with clock `c` by `actor` follows record `r` (or is the same actor's).
bool follows(const Record& r, std::uint32_t actor, const VClock& c) {
  return r.actor == actor || c.at(r.actor) >= r.time;
}

// Whether record `r` is ordered after the access made by (actor, time): only an access
// noted as its task ran (RunLog) can meet records submitted after it.
bool precedes(std::uint32_t actor, std::uint64_t time, const Record& r) {
  return r.site->clock != nullptr && r.site->clock->at(actor) >= time;
}

thread_local const std::shared_ptr<const Site>* t_run_site = nullptr;  // the running block's launch
thread_local int t_run_depth = 0;
thread_local std::vector<Access> t_noted;  // what its blocks on this thread noted

}  // namespace

bool on() noexcept { return g_on.load(std::memory_order_relaxed); }

bool current_place(TaskPlace* out) {
  if (t_ctx == nullptr) return false;
  out->clock = std::make_shared<VClock>(t_ctx->clock);
  out->actor = t_ctx->actor;
  out->time = t_ctx->time;
  return true;
}

// For host_guard.cpp's fault handler: nothing here allocates.
int run_depth() noexcept { return t_run_depth; }
HostContext& current_host_context() noexcept { return current_context(); }
std::uint32_t host_actor(const HostContext& h) noexcept { return h.actor; }
std::uint64_t host_time(const HostContext& h) noexcept { return h.in_task ? h.time : h.clock.at(h.actor); }
bool host_follows(const HostContext& h, std::uint32_t actor, std::uint64_t time) noexcept {
  return h.actor != ~0u && (h.actor == actor || h.clock.at(actor) >= time);
}

Checker& Checker::instance() {
  static Checker* c = new Checker;  // leaked: host threads may report at exit
  return *c;
}

Checker::StreamState& Checker::stream_locked(const void* stream, std::uint64_t id, int device) {
  auto [it, fresh] = streams_.try_emplace(stream);
  if (fresh || it->second.id != id) {
    it->second = StreamState{};
    it->second.actor = next_actor_++;
    it->second.id = id;
    it->second.device = device;
    actor_names_.push_back("stream " + std::to_string(id) + " (device " + std::to_string(device) + ")");
  }
  return it->second;
}

Checker::StreamState& Checker::advance_locked(const void* stream, std::uint64_t id, int device) {
  StreamState& s = stream_locked(stream, id, device);
  if (s.clock.join(host_locked().clock)) s.others.reset();
  s.clock.tick(s.actor);
  return s;
}

HostContext& Checker::host_locked() {
  HostContext& h = current_context();
  if (h.actor == ~0u) {
    h.actor = next_actor_++;
    actor_names_.push_back("host thread " + std::to_string(++host_threads_));
  }
  return h;
}

std::string Checker::describe_actor_locked(std::uint32_t actor, std::uint64_t time) const {
  const std::string& name = actor < actor_names_.size() ? actor_names_[actor] : std::string("?");
  if (name.rfind("stream", 0) == 0) return name + " seq " + std::to_string(time);
  return name;
}

namespace {

void append_key(std::string& key, const Site& s) {
  key += '\n';
  key += s.what();
  key += '\n';
  key += s.origin.api;
  for (int i = 0; i < s.origin.frames; ++i) {
    key += ' ';
    key += std::to_string(reinterpret_cast<std::uintptr_t>(s.origin.pc[i]));
  }
}

}  // namespace

std::string Site::what() const {
  std::string w = label;
  if (!name.empty()) w += " '" + name + "'";
  if (bytes != 0) w += " of " + std::to_string(bytes) + " bytes";
  return w;
}

// Checking off: one load, nothing written.
ApiSite::ApiSite(void* caller, const char* api) noexcept : set_(on() && t_api_site == nullptr) {
  if (set_) {
    t_api_site = caller;
    t_api_name = api;
  }
}

ApiSite::~ApiSite() {
  if (set_) {
    t_api_site = nullptr;
    t_api_name = nullptr;
  }
}

const Origin& Checker::origin_locked(const char* api, void* caller) {
  void* site = t_api_site != nullptr ? t_api_site : caller;
  if (t_api_site != nullptr && t_api_name != nullptr) api = t_api_name;
  const std::uintptr_t key = reinterpret_cast<std::uintptr_t>(site) * 31 + reinterpret_cast<std::uintptr_t>(api);
  auto [it, fresh] = origins_.try_emplace(key);
  if (fresh) it->second = capture_origin(api);
  return it->second;
}

Party Checker::party_locked(const Site& s, bool write) const {
  Party p;
  p.what = s.what();
  if (s.actor != ~0u) p.where = describe_actor_locked(s.actor, s.time);
  p.submitted_by = describe_origin(s.origin);
  p.mode = write ? AccessMode::kWrite : AccessMode::kRead;
  return p;
}

void Checker::report_locked(Kind kind, std::uintptr_t lo, std::uintptr_t hi, std::uintptr_t base, std::size_t bytes,
                            const Record& earlier, bool later_write, const Site& later, std::string missing) {
  std::string key = vnpu::checker::kind_name(kind);
  append_key(key, *earlier.site);
  append_key(key, later);
  auto [it, fresh] = findings_.try_emplace(key);
  if (!fresh) {
    ++it->second.count;
    return;
  }
  Finding& f = it->second;
  Party first = party_locked(*earlier.site, earlier.write);
  Party second = party_locked(later, later_write);
  f.kind = kind;
  f.lo = lo;
  f.hi = hi;
  f.alloc_base = base;
  f.alloc_bytes = bytes;
  f.first = std::move(first);
  f.second = std::move(second);
  f.missing = std::move(missing);
}

void Checker::access_locked(const Access& a, std::uint32_t actor, std::uint64_t time, const VClock& c,
                            const std::shared_ptr<const Site>& site) {
  // A read-write access conflicts as a write does.
  const auto lo = reinterpret_cast<std::uintptr_t>(a.ptr);
  const bool write = (static_cast<unsigned>(a.mode) & static_cast<unsigned>(AccessMode::kWrite)) != 0;
  check_locked(lo, lo + a.bytes, write, actor, time, c, site, false);
}

void Checker::check_locked(std::uintptr_t lo, std::uintptr_t hi, bool write, std::uint32_t actor, std::uint64_t time,
                           const VClock& c, const std::shared_ptr<const Site>& site, bool is_free,
                           std::uintptr_t known_base) {
  if (hi <= lo) return;
  std::uintptr_t base = known_base;
  std::size_t bytes = known_base != 0 ? hi - lo : 0;
  if (known_base == 0) {
    if (auto a = MemoryRegistry::instance().find(reinterpret_cast<const void*>(lo))) {
      base = a->base;
      bytes = a->size;
    }
  }
  std::vector<Record>& recs = shadows_[base];
  for (const Record& r : recs) {
    if (r.hi <= lo || hi <= r.lo) continue;  // no common byte
    if (!r.write && !write) continue;        // two reads
    if (follows(r, actor, c) || precedes(actor, time, r)) continue;
    // The earlier submission is the first party, whichever was checked first: a kernel's
    // access noted as it ran meets records submitted after the kernel.
    const bool swapped = !is_free && r.site->order > site->order;
    const Record mine{lo, hi, write, actor, time, site};
    const Record& first = swapped ? mine : r;
    const Site& second = swapped ? *r.site : *site;
    const bool second_writes = swapped ? r.write : write;
    const Kind kind = is_free ? Kind::kUseAfterFree
                      : first.write ? (second_writes ? Kind::kWriteAfterWrite : Kind::kReadAfterWrite)
                                    : Kind::kWriteAfterRead;
    std::string missing = "nothing orders " + describe_actor_locked(second.actor, second.time) + " after " +
                          describe_actor_locked(first.actor, first.time) +
                          " (an event recorded after the first and waited for before the second, or a "
                          "synchronize between them)";
    report_locked(kind, std::max(lo, r.lo), std::min(hi, r.hi), base, bytes, first, second_writes, second,
                  std::move(missing));
  }
  if (is_free) {
    shadows_.erase(base);
    return;
  }
  // Drop what this access covers and follows: an access racing with it races with this one.
  recs.erase(std::remove_if(recs.begin(), recs.end(),
                            [&](const Record& r) {
                              return lo <= r.lo && r.hi <= hi && (write || !r.write) && follows(r, actor, c);
                            }),
             recs.end());
  recs.push_back(Record{lo, hi, write, actor, time, site});
}

void Checker::on_task(const void* stream, std::uint64_t stream_id, int device, const char* api, void* caller,
                      const char* label, std::string_view name, std::size_t bytes,
                      std::span<const Access> accesses, TaskPlace* place) {
  auto site = std::make_shared<Site>();
  site->label = label;
  site->name = name;
  site->bytes = bytes;
  std::lock_guard lock(mu_);
  site->order = ++submissions_;
  site->origin = origin_locked(api, caller);
  StreamState& s = advance_locked(stream, stream_id, device);
  const std::uint64_t t = s.clock.at(s.actor);
  site->actor = s.actor;
  site->time = t;
  if (!s.others) s.others = std::make_shared<VClock>(s.clock);
  site->clock = s.others;
  if (fault_count_ != 0) drain_faults_locked();
  if (place != nullptr) {
    place->clock = std::make_shared<VClock>(s.clock);  // exact: the host function runs with it
    place->actor = s.actor;
    place->time = t;
    place->site = site;
  }
  for (const Access& a : accesses) {
    access_locked(a, s.actor, t, s.clock, site);
    guard_locked(a, s.actor, t, site);
  }
}

void Checker::on_run_accesses(const std::shared_ptr<const Site>& site, std::span<const Access> accesses) {
  if (!site || !site->clock) return;
  std::lock_guard lock(mu_);
  for (const Access& a : accesses) access_locked(a, site->actor, site->time, *site->clock, site);
}

RunScope::RunScope(const std::shared_ptr<const Site>& site) noexcept : site_(site) {
  if (t_run_depth++ == 0) t_run_site = &site_;
}

RunScope::~RunScope() {
  if (!t_noted.empty()) {
    try {
      Checker::instance().on_run_accesses(site_, t_noted);
    } catch (const std::bad_alloc&) {
      // Checking is best effort under memory pressure.
    }
    t_noted.clear();
  }
  if (--t_run_depth == 0) t_run_site = nullptr;
}

const std::shared_ptr<const Site>* RunScope::current() noexcept { return t_run_site; }

void Checker::on_event_created(const void* event) {
  std::lock_guard lock(mu_);
  events_[event] = EventState{};
  std::erase_if(open_waits_, [event](const OpenWait& w) { return w.event == event; });  // an earlier event's
}

void Checker::on_record(const void* stream, std::uint64_t stream_id, int device, const void* event, const char* api,
                        void* caller) {
  std::lock_guard lock(mu_);
  const StreamState& s = advance_locked(stream, stream_id, device);
  EventState& e = events_[event];
  e.recorded = true;
  e.clock = s.clock;
  if (open_waits_.empty()) return;
  auto site = std::make_shared<Site>();
  site->label = "the event's record";
  site->origin = origin_locked(api, caller);
  site->actor = s.actor;
  site->time = s.clock.at(s.actor);
  site->clock = std::make_shared<VClock>(s.clock);
  release_waits_locked(event, site, s.clock);
}

void Checker::on_wait(const void* stream, std::uint64_t stream_id, int device, const void* event, const char* api,
                      void* caller) {
  std::lock_guard lock(mu_);
  StreamState& s = advance_locked(stream, stream_id, device);
  auto it = events_.find(event);
  if (it != events_.end() && it->second.recorded) {
    if (s.clock.join(it->second.clock)) s.others.reset();
    return;
  }
  auto wait_site = std::make_shared<Site>();
  wait_site->label = "wait on an event that has not been recorded";
  wait_site->origin = origin_locked(api, caller);
  wait_site->actor = s.actor;
  wait_site->time = s.clock.at(s.actor);
  OpenWait open;
  open.event = event;
  open.actor = s.actor;
  open.time = wait_site->time;
  open.site = wait_site;
  open_waits_.push_back(std::move(open));
  const Site& later = *wait_site;
  Record none;
  auto empty = std::make_shared<Site>();
  empty->label = "(no record of the event before the wait)";
  none.site = empty;
  report_locked(Kind::kUnorderedWait, 0, 0, 0, 0, none, false, later,
                "the event is recorded nowhere before this wait, so the wait orders nothing here; on an NPU it "
                "would block until a later record (and deadlock if that record is queued behind the wait)");
}

VClock Checker::stream_clock(const void* stream) {
  std::lock_guard lock(mu_);
  auto it = streams_.find(stream);
  return it != streams_.end() ? it->second.clock : VClock{};
}

void Checker::on_host_waited(const VClock& c) {
  std::lock_guard lock(mu_);
  host_locked().clock.join(c);
  settle_ordered_locked();
}

void Checker::on_event_waited(const void* event, const char* api, void* caller) {
  std::lock_guard lock(mu_);
  auto it = events_.find(event);
  if (it != events_.end() && it->second.recorded) {
    host_locked().clock.join(it->second.clock);
    settle_ordered_locked();
    return;
  }
  if (api == nullptr) return;  // a query: nothing to wait for is an answer, not a mistake
  const std::shared_ptr<Site> site = host_site_locked(api, caller, 0);
  site->label = "a host wait on an event that has not been recorded";
  Record none;
  auto empty = std::make_shared<Site>();
  empty->label = "(no record of the event before the wait)";
  none.site = empty;
  report_locked(Kind::kUnorderedWait, 0, 0, 0, 0, none, false, *site,
                "the event is recorded nowhere before this synchronize, so it returns at once and orders nothing; "
                "record the event on the stream whose work it should wait for first");
}

VClock Checker::device_clock(int device) {
  std::lock_guard lock(mu_);
  VClock c;
  for (const auto& [p, s] : streams_)
    if (s.device == device) c.join(s.clock);
  return c;
}

std::shared_ptr<Site> Checker::host_site_locked(const char* api, void* caller, std::size_t bytes) {
  auto site = std::make_shared<Site>();
  site->label = api;
  site->bytes = bytes;
  site->origin = origin_locked(api, caller);
  HostContext& h = host_locked();
  site->actor = h.actor;
  site->order = ++submissions_;
  site->time = h.in_task ? h.time : h.clock.tick(h.actor);  // in a host function: its task's place
  site->clock = std::make_shared<VClock>(h.clock);
  return site;
}

void Checker::on_host_access(const char* api, void* caller, std::size_t bytes, std::span<const Access> accesses) {
  std::lock_guard lock(mu_);
  if (fault_count_ != 0) drain_faults_locked();
  const std::shared_ptr<Site> site = host_site_locked(api, caller, bytes);
  for (const Access& a : accesses) {
    // Checked here as the call it is: the guarded pages open for it.
    const auto lo = reinterpret_cast<std::uintptr_t>(a.ptr);
    settle_guards_locked(lo, lo + a.bytes);
    access_locked(a, site->actor, site->time, current_context().clock, site);
  }
}

void Checker::on_refused_wait(const char* api, void* caller) {
  std::lock_guard lock(mu_);
  const std::shared_ptr<Site> site = host_site_locked(api, caller, 0);
  Record inside;
  auto self = std::make_shared<Site>();
  const HostContext& h = current_context();
  self->label = h.in_task ? "the host function this wait runs in" : "the kernel or host callback this wait runs in";
  if (h.in_task) {
    self->actor = h.actor;
    self->time = h.time;
  }
  inside.site = self;
  report_locked(Kind::kDeadlock, 0, 0, 0, 0, inside, false, *site,
                "a kernel or host function that waits for its own stream or device waits for itself: the runtime "
                "refused the call (kNotPermitted); on an NPU it would hang. Record an event and wait on the host "
                "instead, or move the wait out of the callback");
}

void Checker::on_free(std::uintptr_t base, std::size_t bytes, const char* api, void* caller) {
  std::lock_guard lock(mu_);
  if (fault_count_ != 0) drain_faults_locked();
  settle_guards_locked(base, base + std::max<std::size_t>(bytes, 1));
  const std::shared_ptr<Site> site = host_site_locked(api, caller, bytes);
  check_locked(base, base + std::max<std::size_t>(bytes, 1), true, site->actor, site->time, current_context().clock,
               site, true, base);
}

Checker::ScopedContext::ScopedContext(const TaskPlace& place) : previous(t_ctx) {
  auto* ctx = new HostContext;
  ctx->actor = place.actor;
  if (place.clock) ctx->clock = *place.clock;
  ctx->in_task = true;
  ctx->time = place.time;
  t_ctx = ctx;
  Checker::instance().settle_ordered();  // what the function follows is open to it
}

Checker::ScopedContext::~ScopedContext() {
  delete t_ctx;
  t_ctx = previous;
}

std::vector<Finding> Checker::findings() {
  std::lock_guard lock(mu_);
  drain_faults_locked();
  std::vector<Finding> out;
  out.reserve(findings_.size());
  for (const auto& [k, f] : findings_) out.push_back(f);
  return out;
}

void Checker::clear_findings() {
  std::lock_guard lock(mu_);
  findings_.clear();
}

void set_on(bool on) noexcept { g_on.store(on, std::memory_order_relaxed); }

}  // namespace vnpu::detail::check

namespace vnpu::checker {

namespace dc = vnpu::detail::check;

const char* kind_name(Kind k) noexcept {
  switch (k) {
    case Kind::kReadAfterWrite: return "read-after-write";
    case Kind::kWriteAfterRead: return "write-after-read";
    case Kind::kWriteAfterWrite: return "write-after-write";
    case Kind::kUseAfterFree: return "use-after-free";
    case Kind::kUnorderedWait: return "unordered-wait";
    case Kind::kDeadlock: return "deadlock";
  }
  return "unknown";
}

void note_access(const void* ptr, std::size_t bytes, AccessMode mode) noexcept {
  if (!dc::on() || dc::t_run_site == nullptr || bytes == 0) return;
  std::vector<Access>& noted = dc::t_noted;
  // A block's accesses come in order: one that continues the last of the same mode merges.
  if (!noted.empty()) {
    Access& last = noted.back();
    if (last.mode == mode && static_cast<const unsigned char*>(last.ptr) + last.bytes == ptr) {
      last.bytes += bytes;
      return;
    }
  }
  try {
    noted.push_back(Access{ptr, bytes, mode});
  } catch (const std::bad_alloc&) {
    // Checking is best effort under memory pressure: the access goes unchecked.
  }
}

void enable() { dc::set_on(true); }
void disable() { dc::set_on(false); }
bool enabled() noexcept { return dc::on(); }
std::vector<Finding> findings() { return dc::Checker::instance().findings(); }
void clear_findings() { dc::Checker::instance().clear_findings(); }

}  // namespace vnpu::checker
