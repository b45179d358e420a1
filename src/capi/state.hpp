// The C API's process state: the init flag, the registry of live handles, the devices'
// default contexts and the calling thread's current context.
//
// Handles are opaque numbers, never pointers and never reused: a destroyed or made-up
// handle is simply absent from the registry, so it is detected instead of dereferenced,
// and a handle of the wrong kind is told apart. Lookups return shared_ptrs, so an object
// stays alive for the call that found it even if another thread destroys it meanwhile.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "acl/acl.h"
#include "vnpu/device.hpp"
#include "vnpu/event.hpp"
#include "vnpu/stream.hpp"

namespace vnpu::capi {

enum class Kind { kContext, kStream, kEvent };
const char* kind_name(Kind k) noexcept;
/// "a context", "a stream", "an event".
const char* with_article(Kind k) noexcept;

struct Object {
  Object(Kind k, std::uint64_t i) : kind(k), id(i) {}
  virtual ~Object() = default;
  const Kind kind;
  const std::uint64_t id;
};

struct Reporter;  // callback.hpp

/// The callback side of a stream: who runs its callbacks. Shared with queued callback
/// tasks, which outlive the stream's handle.
struct CallbackRoute {
  std::mutex mu;
  std::shared_ptr<Reporter> subscriber;  // guarded by mu
  /// ACL_CALLBACK_BLOCK callbacks launched and not yet run.
  std::atomic<int> blocking_pending{0};
  /// A callback that threw, kept until the stream's next synchronize or query reports it
  /// (as a kernel failure is); later ones are counted.
  std::string failure;            // guarded by mu
  std::uint64_t more_failures = 0;  // guarded by mu
  std::atomic<bool> has_failure{false};
};

struct StreamObj final : Object {
  StreamObj(std::uint64_t i, std::uint64_t c, vnpu::Stream s, bool d)
      : Object(Kind::kStream, i), context(c), stream(std::move(s)), is_default(d) {}
  const std::uint64_t context;
  /// Never reassigned; not const only because queueing work is a non-const call.
  vnpu::Stream stream;
  const bool is_default;
  const std::shared_ptr<CallbackRoute> route = std::make_shared<CallbackRoute>();
  /// aclrtSetStreamFailureMode was called (it may be, once).
  std::atomic<bool> failure_mode_set{false};
};

struct EventObj final : Object {
  EventObj(std::uint64_t i, std::uint64_t c, vnpu::Event e, std::uint32_t f)
      : Object(Kind::kEvent, i), context(c), flags(f), event_(std::move(e)) {}
  const std::uint64_t context;
  const std::uint32_t flags;  // vnpu::EventFlags
  /// Recorded since its creation or last reset (aclrtQueryEventStatus).
  std::atomic<bool> recorded{false};
  vnpu::Event get() const {
    std::lock_guard lock(mu_);
    return event_;
  }
  void set(vnpu::Event e) {
    std::lock_guard lock(mu_);
    event_ = std::move(e);
  }

 private:
  mutable std::mutex mu_;
  vnpu::Event event_;  // replaced by aclrtResetEvent
};

struct ContextObj final : Object {
  ContextObj(std::uint64_t i, int dev_id, vnpu::Device d, bool def)
      : Object(Kind::kContext, i), device_id(dev_id), device(std::move(d)), is_default(def) {}
  const int device_id;
  const vnpu::Device device;
  const bool is_default;
  std::shared_ptr<StreamObj> default_stream;  // set once at creation
  std::vector<std::uint64_t> children;        // streams and events; guarded by the registry lock
};

using ContextPtr = std::shared_ptr<ContextObj>;
using StreamPtr = std::shared_ptr<StreamObj>;
using EventPtr = std::shared_ptr<EventObj>;

/// The handle value of an object (never null) and back.
void* to_handle(std::uint64_t id) noexcept;
std::uint64_t from_handle(const void* h) noexcept;

/// ACL_SUCCESS when aclInit is in effect, else ACL_ERROR_UNINITIALIZE (recorded).
aclError require_init() noexcept;

/// The calling thread's current context; ACL_ERROR_RT_CONTEXT_NULL if it has none or it
/// was destroyed.
aclError current_context(ContextPtr* out);
/// The calling thread's current context id (0: none); no validation.
std::uint64_t current_context_id() noexcept;
void set_current_context(std::uint64_t id) noexcept;

/// Looks up a handle of the given kind; ACL_ERROR_RT_INVALID_HANDLE if it is absent or
/// of another kind.
aclError find_context(aclrtContext h, ContextPtr* out);
aclError find_event(aclrtEvent h, EventPtr* out);
/// Resolves a stream argument: NULL is the current context's default stream. A stream of
/// a context other than the calling thread's current one is ACL_ERROR_RT_STREAM_CONTEXT
/// (a thread without a current context may use any stream).
aclError resolve_stream(aclrtStream h, StreamPtr* out);

/// Creates and registers a context on `device_id` with its default stream.
aclError create_context(int device_id, bool is_default, ContextPtr* out);
/// Creates and registers a stream (of vnpu priority `priority`) / an event in `ctx`.
aclError create_stream(const ContextPtr& ctx, StreamPtr* out, int priority = vnpu::kPriorityNormal);
aclError create_event(const ContextPtr& ctx, std::uint32_t vnpu_flags, EventPtr* out);

/// Unregisters `ctx` with its streams and events. Their subscriptions end (callbacks left
/// run on this thread) and queued work finishes in the background. False if another
/// thread destroyed it first (the caller found it, then lost the race).
bool destroy_context(const ContextPtr& ctx);
/// Unregisters one stream (its subscription ends) / one event; false as above.
bool destroy_stream(const StreamPtr& s);
bool destroy_event(const EventPtr& e);

/// ACL_ERROR_RT_INVALID_HANDLE (recorded) for a handle another thread destroyed between
/// this thread's lookup and its removal.
aclError destroyed_meanwhile(Kind kind, const void* handle);

/// aclrtSetDevice / aclrtResetDevice bookkeeping.
aclError set_device(int device_id);
aclError reset_device(int device_id);
/// aclrtDeviceEnable/DisablePeerAccess from `device_id` to `peer`.
aclError set_peer_access(int device_id, int peer, bool enable);
/// True if `device_id` may copy to and from `peer` (the same device always may).
bool peer_access(int device_id, int peer);

/// aclrtResetDeviceForce: drops every reference at once and waits for the default
/// context's streams.
aclError reset_device_force(int device_id);

/// Device and pinned allocations made through the API, freed by aclFinalize.
void track_allocation(void* p, bool pinned);
void untrack_allocation(void* p) noexcept;

/// Forgets every acldvppMalloc buffer (aclFinalize frees their allocations).
void forget_media_buffers();

/// aclInit / aclFinalize (timeout_ms: -1 forever; see vnpuFinalizeWithTimeout).
aclError initialize();
aclError finalize(std::int32_t timeout_ms);

/// The first callback failure kept on any stream of `ctx` (take_callback_failure), or
/// ACL_SUCCESS.
aclError take_context_callback_failures(const ContextPtr& ctx);

}  // namespace vnpu::capi
