// The handle registry, contexts and init state of the C API.
#include "capi/state.hpp"

#include <algorithm>
#include <chrono>
#include <optional>
#include <set>
#include <utility>

#include "capi/callback.hpp"
#include "capi/capi.hpp"
#include "vnpu/device.hpp"
#include "vnpu/memory.hpp"

namespace vnpu::capi {

namespace {

// Handle values: multiples of 16 from 0x10000 up, so they look like (and are never
// confused with) small integers or null; a 64-bit counter never wraps in practice.
constexpr std::uint64_t kHandleBase = 0x10000;
constexpr std::uint64_t kHandleStep = 16;

struct DeviceSlot {
  ContextPtr default_context;
  long refs = 0;
};

struct State {
  std::shared_mutex mu;
  bool initialized = false;  // guarded by mu
  bool ever_initialized = false;
  std::uint64_t next_serial = 0;
  std::unordered_map<std::uint64_t, std::shared_ptr<Object>> objects;
  std::vector<DeviceSlot> devices;
  // Every device a context was made on since aclInit: aclFinalize waits for all their work,
  // including that of streams and contexts destroyed before it.
  std::vector<int> used;  // device ids; guarded by mu
  std::set<std::pair<int, int>> peers;  // (device, peer) with access enabled; guarded by mu
  std::mutex alloc_mu;
  std::unordered_map<void*, bool> allocations;  // pointer -> pinned; guarded by alloc_mu
};

State& state() {
  // Leaked on purpose (as vnpu's device table is): a program may exit without aclFinalize,
  // with streams still holding work, and static destruction must not wait for them.
  static State* s = new State();
  return *s;
}

thread_local std::uint64_t t_current = 0;

std::uint64_t new_id(State& st) { return kHandleBase + kHandleStep * st.next_serial++; }

template <class T>
aclError find_kind(const void* h, Kind kind, std::shared_ptr<T>* out) {
  if (h == nullptr) return fail(ACL_ERROR_INVALID_PARAM, "the %s handle is null", kind_name(kind));
  State& st = state();
  std::shared_lock lock(st.mu);
  auto it = st.objects.find(from_handle(h));
  if (it == st.objects.end())
    return fail(ACL_ERROR_RT_INVALID_HANDLE, "%p is not a live %s (destroyed, or never created)", h, kind_name(kind));
  if (it->second->kind != kind)
    return fail(ACL_ERROR_RT_INVALID_HANDLE, "%p is %s, not %s", h, with_article(it->second->kind),
                with_article(kind));
  *out = std::static_pointer_cast<T>(it->second);
  return ACL_SUCCESS;
}

// Removes `ctx` and its children from the registry (caller holds the lock); returns the
// streams whose subscriptions must end, or false if another thread removed `ctx` first.
bool unregister_context(State& st, const ContextObj& ctx, std::vector<StreamPtr>* streams) {
  if (st.objects.erase(ctx.id) == 0) return false;
  st.objects.erase(ctx.default_stream->id);
  for (std::uint64_t child : ctx.children) {
    auto it = st.objects.find(child);
    if (it == st.objects.end()) continue;
    if (it->second->kind == Kind::kStream) streams->push_back(std::static_pointer_cast<StreamObj>(it->second));
    st.objects.erase(it);
  }
  streams->push_back(ctx.default_stream);
  return true;
}

void end_subscriptions(const std::vector<StreamPtr>& streams) {
  for (const StreamPtr& s : streams) end_subscription(s->route);
}

}  // namespace

const char* kind_name(Kind k) noexcept {
  switch (k) {
    case Kind::kContext: return "context";
    case Kind::kStream: return "stream";
    case Kind::kEvent: return "event";
  }
  return "object";
}

const char* with_article(Kind k) noexcept {
  switch (k) {
    case Kind::kContext: return "a context";
    case Kind::kStream: return "a stream";
    case Kind::kEvent: return "an event";
  }
  return "an object";
}

void* to_handle(std::uint64_t id) noexcept { return reinterpret_cast<void*>(static_cast<std::uintptr_t>(id)); }
std::uint64_t from_handle(const void* h) noexcept { return reinterpret_cast<std::uintptr_t>(h); }

aclError require_init() noexcept {
  State& st = state();
  std::shared_lock lock(st.mu);
  if (!st.initialized) return fail(ACL_ERROR_UNINITIALIZE, "aclInit has not been called (or aclFinalize has)");
  return ACL_SUCCESS;
}

std::uint64_t current_context_id() noexcept { return t_current; }
void set_current_context(std::uint64_t id) noexcept { t_current = id; }

aclError current_context(ContextPtr* out) {
  if (t_current == 0)
    return fail(ACL_ERROR_RT_CONTEXT_NULL,
                "the calling thread has no current context (call aclrtSetDevice or aclrtSetCurrentContext)");
  State& st = state();
  std::shared_lock lock(st.mu);
  auto it = st.objects.find(t_current);
  if (it == st.objects.end() || it->second->kind != Kind::kContext)
    return fail(ACL_ERROR_RT_CONTEXT_NULL, "the calling thread's current context was destroyed");
  *out = std::static_pointer_cast<ContextObj>(it->second);
  return ACL_SUCCESS;
}

aclError find_context(aclrtContext h, ContextPtr* out) { return find_kind(h, Kind::kContext, out); }
aclError find_event(aclrtEvent h, EventPtr* out) { return find_kind(h, Kind::kEvent, out); }

aclError resolve_stream(aclrtStream h, StreamPtr* out) {
  if (h == nullptr) {
    ContextPtr ctx;
    VNPU_ACL_TRY(current_context(&ctx));
    *out = ctx->default_stream;
    return ACL_SUCCESS;
  }
  VNPU_ACL_TRY(find_kind(h, Kind::kStream, out));
  if (t_current != 0 && (*out)->context != t_current)
    return fail(ACL_ERROR_RT_STREAM_CONTEXT, "stream %p belongs to context %p, not to the current context %p", h,
                to_handle((*out)->context), to_handle(t_current));
  return ACL_SUCCESS;
}

aclError create_context(int device_id, bool is_default, ContextPtr* out) {
  if (device_id < 0 || device_id >= vnpu::Device::count())
    return fail(ACL_ERROR_RT_INVALID_DEVICEID, "device %d does not exist (valid ids: 0..%d; VNPU_DEVICES sets the count)",
                device_id, vnpu::Device::count() - 1);
  auto dev = vnpu::Device::get(device_id);
  if (!dev) return fail_status(dev.status(), "opening the device");
  auto stream = dev->create_stream();
  if (!stream) return fail_status(stream.status(), "creating the default stream");
  State& st = state();
  std::unique_lock lock(st.mu);
  if (std::find(st.used.begin(), st.used.end(), device_id) == st.used.end()) st.used.push_back(device_id);
  auto ctx = std::make_shared<ContextObj>(new_id(st), device_id, *dev, is_default);
  ctx->default_stream = std::make_shared<StreamObj>(new_id(st), ctx->id, std::move(*stream), true);
  st.objects.emplace(ctx->id, ctx);
  // Registered so that aclrtCtxGetCurrentDefaultStream's handle works like any stream's;
  // not a child: it goes with the context (unregister_context).
  st.objects.emplace(ctx->default_stream->id, ctx->default_stream);
  *out = std::move(ctx);
  return ACL_SUCCESS;
}

aclError create_stream(const ContextPtr& ctx, StreamPtr* out, int priority) {
  vnpu::StreamOptions options;
  options.priority = priority;
  auto stream = ctx->device.create_stream(options);
  if (!stream) return fail_status(stream.status(), "creating the stream");
  State& st = state();
  std::unique_lock lock(st.mu);
  if (!st.objects.contains(ctx->id)) return fail(ACL_ERROR_RT_CONTEXT_NULL, "the context was destroyed meanwhile");
  auto s = std::make_shared<StreamObj>(new_id(st), ctx->id, std::move(*stream), false);
  st.objects.emplace(s->id, s);
  ctx->children.push_back(s->id);
  *out = std::move(s);
  return ACL_SUCCESS;
}

aclError create_event(const ContextPtr& ctx, std::uint32_t vnpu_flags, EventPtr* out) {
  auto event = vnpu::Event::create(vnpu_flags);
  if (!event) return fail_status(event.status(), "creating the event");
  State& st = state();
  std::unique_lock lock(st.mu);
  if (!st.objects.contains(ctx->id)) return fail(ACL_ERROR_RT_CONTEXT_NULL, "the context was destroyed meanwhile");
  auto e = std::make_shared<EventObj>(new_id(st), ctx->id, std::move(*event), vnpu_flags);
  st.objects.emplace(e->id, e);
  ctx->children.push_back(e->id);
  *out = std::move(e);
  return ACL_SUCCESS;
}

bool destroy_context(const ContextPtr& ctx) {
  std::vector<StreamPtr> streams;
  {
    State& st = state();
    std::unique_lock lock(st.mu);
    if (!unregister_context(st, *ctx, &streams)) return false;
    for (DeviceSlot& slot : st.devices)
      if (slot.default_context == ctx) slot = DeviceSlot{};
  }
  if (t_current == ctx->id) t_current = 0;
  end_subscriptions(streams);
  return true;
}

namespace {
// Removes `obj` from the registry and from its context's children; false if another
// thread removed it first (lookup and removal are separate steps for the caller).
template <class Ptr>
bool unregister_child(const Ptr& obj) {
  State& st = state();
  std::unique_lock lock(st.mu);
  if (st.objects.erase(obj->id) == 0) return false;
  auto it = st.objects.find(obj->context);
  if (it == st.objects.end()) return true;
  auto& children = static_cast<ContextObj&>(*it->second).children;
  children.erase(std::remove(children.begin(), children.end(), obj->id), children.end());
  return true;
}
}  // namespace

bool destroy_stream(const StreamPtr& s) {
  if (!unregister_child(s)) return false;
  end_subscription(s->route);
  return true;
}

bool destroy_event(const EventPtr& e) { return unregister_child(e); }

aclError destroyed_meanwhile(Kind kind, const void* handle) {
  return fail(ACL_ERROR_RT_INVALID_HANDLE, "%p is not a live %s (another thread destroyed it meanwhile)", handle,
              kind_name(kind));
}

aclError set_device(int device_id) {
  if (device_id < 0 || device_id >= vnpu::Device::count())
    return fail(ACL_ERROR_RT_INVALID_DEVICEID, "device %d does not exist (valid ids: 0..%d; VNPU_DEVICES sets the count)",
                device_id, vnpu::Device::count() - 1);
  State& st = state();
  const auto slot_index = static_cast<std::size_t>(device_id);
  {
    std::unique_lock lock(st.mu);
    if (st.devices.size() <= slot_index) st.devices.resize(slot_index + 1);
    DeviceSlot& slot = st.devices[slot_index];
    if (slot.default_context) {
      ++slot.refs;
      t_current = slot.default_context->id;
      return ACL_SUCCESS;
    }
  }
  ContextPtr ctx;
  VNPU_ACL_TRY(create_context(device_id, true, &ctx));
  ContextPtr loser;  // another thread may have created the default context meanwhile
  {
    std::unique_lock lock(st.mu);
    DeviceSlot& slot = st.devices[slot_index];
    if (slot.default_context) {
      loser = ctx;
      st.objects.erase(ctx->id);
    } else {
      slot.default_context = ctx;
    }
    ++slot.refs;
    t_current = slot.default_context->id;
  }
  return ACL_SUCCESS;
}

aclError set_peer_access(int device_id, int peer, bool enable) {
  if (peer < 0 || peer >= vnpu::Device::count())
    return fail(ACL_ERROR_RT_INVALID_DEVICEID, "peer device %d does not exist (valid ids: 0..%d)", peer,
                vnpu::Device::count() - 1);
  if (peer == device_id)
    return fail(ACL_ERROR_INVALID_PARAM, "device %d is the current device; peer access is between two devices", peer);
  State& st = state();
  std::unique_lock lock(st.mu);
  const auto key = std::make_pair(device_id, peer);
  if (enable) {
    if (!st.peers.insert(key).second)
      return fail(ACL_ERROR_RT_PARAM_INVALID, "access from device %d to device %d is already enabled", device_id, peer);
  } else if (st.peers.erase(key) == 0) {
    return fail(ACL_ERROR_RT_PARAM_INVALID, "access from device %d to device %d is not enabled", device_id, peer);
  }
  return ACL_SUCCESS;
}

bool peer_access(int device_id, int peer) {
  if (device_id == peer) return true;
  State& st = state();
  std::shared_lock lock(st.mu);
  return st.peers.contains(std::make_pair(device_id, peer));
}

aclError reset_device_force(int device_id) {
  if (device_id < 0 || device_id >= vnpu::Device::count())
    return fail(ACL_ERROR_RT_INVALID_DEVICEID, "device %d does not exist (valid ids: 0..%d)", device_id,
                vnpu::Device::count() - 1);
  if (in_callback() || vnpu::on_runtime_thread())
    return fail(ACL_ERROR_RT_FEATURE_NOT_SUPPORT,
                "called from inside a callback, kernel or host function; it waits for the device's work");
  State& st = state();
  ContextPtr dying;
  std::vector<StreamPtr> streams;
  {
    std::unique_lock lock(st.mu);
    const auto slot_index = static_cast<std::size_t>(device_id);
    if (st.devices.size() <= slot_index || !st.devices[slot_index].default_context)
      return fail(ACL_ERROR_RT_PARAM_INVALID, "device %d is not set (never, or already reset)", device_id);
    dying = st.devices[slot_index].default_context;
    st.devices[slot_index] = DeviceSlot{};
    streams.push_back(dying->default_stream);
    for (std::uint64_t child : dying->children) {
      auto it = st.objects.find(child);
      if (it != st.objects.end() && it->second->kind == Kind::kStream)
        streams.push_back(std::static_pointer_cast<StreamObj>(it->second));
    }
  }
  destroy_context(dying);  // subscriptions end first, so no blocking callback holds a stream
  for (const StreamPtr& s : streams) (void)s->stream.synchronize();  // failures go with the context
  return ACL_SUCCESS;
}

aclError reset_device(int device_id) {
  if (device_id < 0 || device_id >= vnpu::Device::count())
    return fail(ACL_ERROR_RT_INVALID_DEVICEID, "device %d does not exist (valid ids: 0..%d)", device_id,
                vnpu::Device::count() - 1);
  State& st = state();
  ContextPtr dying;
  {
    std::unique_lock lock(st.mu);
    const auto slot_index = static_cast<std::size_t>(device_id);
    if (st.devices.size() <= slot_index || !st.devices[slot_index].default_context) return ACL_SUCCESS;
    DeviceSlot& slot = st.devices[slot_index];
    if (--slot.refs > 0) return ACL_SUCCESS;
    dying = slot.default_context;
  }
  destroy_context(dying);
  return ACL_SUCCESS;
}

void track_allocation(void* p, bool pinned) {
  State& st = state();
  std::lock_guard lock(st.alloc_mu);
  st.allocations[p] = pinned;
}

void untrack_allocation(void* p) noexcept {
  State& st = state();
  std::lock_guard lock(st.alloc_mu);
  st.allocations.erase(p);
}

aclError initialize() {
  State& st = state();
  std::unique_lock lock(st.mu);
  if (st.initialized) return fail(ACL_ERROR_REPEAT_INITIALIZE, "aclInit was already called");
  st.initialized = true;
  st.ever_initialized = true;
  vnpu::set_host_wait_hook(run_due_reports);
  return ACL_SUCCESS;
}

namespace {

using Deadline = std::optional<std::chrono::steady_clock::time_point>;

// Waits for the work queued so far on every device in `used`, until `deadline` (none:
// forever). False on timeout. Failures are not reported: finalization drops them.
bool wait_devices(const std::vector<int>& used, const Deadline& deadline) {
  for (int id : used) {
    auto dev = vnpu::Device::get(id);
    if (!dev) continue;
    if (!deadline) {
      (void)dev->synchronize();
      continue;
    }
    const auto left = std::max(*deadline - std::chrono::steady_clock::now(), std::chrono::steady_clock::duration{0});
    if (dev->synchronize(std::chrono::duration_cast<std::chrono::nanoseconds>(left)) == vnpu::Status::kTimeout)
      return false;
  }
  return true;
}

Deadline deadline_after_ms(std::int32_t timeout_ms) {
  if (timeout_ms < 0) return std::nullopt;
  return std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
}

}  // namespace

aclError finalize(std::int32_t timeout_ms) {
  State& st = state();
  {
    std::shared_lock lock(st.mu);
    if (!st.initialized)
      return st.ever_initialized ? fail(ACL_ERROR_REPEAT_FINALIZE, "aclFinalize was already called")
                                 : fail(ACL_ERROR_UNINITIALIZE, "aclInit was never called");
  }
  VNPU_ACL_TRY(check_timeout(timeout_ms, "timeoutMs"));
  // Finalizing waits for all queued work: from inside that work it would wait for itself
  // (and, not waiting, it would free memory that later queued work still writes).
  if (in_callback() || vnpu::on_runtime_thread())
    return fail(ACL_ERROR_RT_FEATURE_NOT_SUPPORT,
                "called from inside a %s; finalizing waits for all queued work, which includes the caller",
                in_callback() ? "callback" : "kernel or host function");
  const Deadline deadline = deadline_after_ms(timeout_ms);
  if (timeout_ms >= 0 && !would_deadlock_any()) {
    // Bounded: wait before changing anything, so that a timeout leaves the API as it was.
    std::vector<int> used;
    {
      std::shared_lock lock(st.mu);
      used = st.used;
    }
    if (!wait_devices(used, deadline))
      return fail(ACL_ERROR_RT_STREAM_SYNC_TIMEOUT,
                  "queued work did not finish within %d ms; nothing was finalized", timeout_ms);
  }
  std::vector<StreamPtr> streams;
  std::vector<ContextPtr> contexts;
  std::vector<int> used;
  {
    std::unique_lock lock(st.mu);
    if (!st.initialized) return fail(ACL_ERROR_REPEAT_FINALIZE, "aclFinalize was already called");
    st.initialized = false;
    for (auto& [id, obj] : st.objects) {
      if (obj->kind == Kind::kStream) streams.push_back(std::static_pointer_cast<StreamObj>(obj));
      if (obj->kind == Kind::kContext) {
        auto ctx = std::static_pointer_cast<ContextObj>(obj);
        streams.push_back(ctx->default_stream);
        contexts.push_back(std::move(ctx));
      }
    }
    st.objects.clear();
    st.devices.clear();
    st.peers.clear();
    used.swap(st.used);
  }
  t_current = 0;
  end_subscriptions(streams);
  clear_reporters();
  // Let queued work finish before its memory goes and before the program may free what its
  // callbacks and kernels point at: every device used, so the work of streams and contexts
  // destroyed earlier (which still runs) is waited for too.
  const bool finished = wait_devices(used, deadline);
  streams.clear();
  contexts.clear();
  std::unordered_map<void*, bool> allocations;
  {
    std::lock_guard lock(st.alloc_mu);
    allocations.swap(st.allocations);
  }
  if (!finished)
    return fail(ACL_ERROR_RT_STREAM_SYNC_TIMEOUT,
                "queued work did not finish within %d ms; the API is finalized, but the %zu allocations "
                "it may still use were left allocated",
                timeout_ms, allocations.size());
  forget_media_buffers();
  for (auto& [p, pinned] : allocations) (void)(pinned ? vnpu::free_host(p) : vnpu::free(p));
  return ACL_SUCCESS;
}

aclError take_context_callback_failures(const ContextPtr& ctx) {
  std::vector<StreamPtr> streams{ctx->default_stream};
  {
    State& st = state();
    std::shared_lock lock(st.mu);
    for (std::uint64_t child : ctx->children) {
      auto it = st.objects.find(child);
      if (it != st.objects.end() && it->second->kind == Kind::kStream)
        streams.push_back(std::static_pointer_cast<StreamObj>(it->second));
    }
  }
  for (const StreamPtr& s : streams) VNPU_ACL_TRY(take_callback_failure(*s->route, to_handle(s->id)));
  return ACL_SUCCESS;
}

}  // namespace vnpu::capi
