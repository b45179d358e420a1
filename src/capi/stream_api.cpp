// Streams and events.
#include <chrono>

#include "capi/callback.hpp"
#include "capi/capi.hpp"
#include "capi/state.hpp"

using namespace vnpu::capi;

namespace {

aclError not_in_callback() {
  if (in_callback())
    return fail(ACL_ERROR_RT_FEATURE_NOT_SUPPORT, "a wait from inside a callback could wait for the callback itself");
  return ACL_SUCCESS;
}

aclError sync_stream(aclrtStream stream, int32_t timeout_ms) {
  VNPU_ACL_TRY(require_init());
  VNPU_ACL_TRY(check_timeout(timeout_ms, "timeoutMs"));
  StreamPtr s;
  VNPU_ACL_TRY(resolve_stream(stream, &s));
  VNPU_ACL_TRY(not_in_callback());
  // Another stream's work may wait (through an event) for a blocking callback only this
  // thread can run, so any such callback refuses a wait without end.
  if (timeout_ms < 0 && would_deadlock_any())
    return fail(ACL_ERROR_RT_FEATURE_NOT_SUPPORT,
                "the calling thread must run pending blocking callbacks first; waiting for stream %p might never end",
                stream);
  const vnpu::Status st = s->stream.synchronize(std::chrono::milliseconds(timeout_ms));
  if (st == vnpu::Status::kTimeout)
    return fail(ACL_ERROR_RT_STREAM_SYNC_TIMEOUT, "stream %p did not finish within %d ms (it stays usable)", stream,
                timeout_ms);
  if (st != vnpu::Status::kSuccess) return fail_status(st, "synchronizing the stream");
  return take_callback_failure(*s->route, to_handle(s->id));
}

aclError sync_event(aclrtEvent event, int32_t timeout_ms) {
  VNPU_ACL_REQUIRE(event);
  VNPU_ACL_TRY(require_init());
  VNPU_ACL_TRY(check_timeout(timeout_ms, "timeout"));
  EventPtr e;
  VNPU_ACL_TRY(find_event(event, &e));
  VNPU_ACL_TRY(not_in_callback());
  if (timeout_ms < 0 && would_deadlock_any())
    return fail(ACL_ERROR_RT_FEATURE_NOT_SUPPORT,
                "the calling thread must run pending blocking callbacks first; the event may wait for them");
  const vnpu::Status st = e->get().synchronize(std::chrono::milliseconds(timeout_ms));
  if (st == vnpu::Status::kTimeout)
    return fail(ACL_ERROR_RT_EVENT_SYNC_TIMEOUT, "event %p did not complete within %d ms (it stays usable)", event,
                timeout_ms);
  if (st != vnpu::Status::kSuccess) return fail_status(st, "synchronizing the event", Site::kEvent);
  return ACL_SUCCESS;
}

aclError new_event(aclrtEvent* event, std::uint32_t vnpu_flags) {
  ContextPtr ctx;
  VNPU_ACL_TRY(current_context(&ctx));
  EventPtr e;
  VNPU_ACL_TRY(create_event(ctx, vnpu_flags, &e));
  *event = to_handle(e->id);
  return ACL_SUCCESS;
}

// The (event, stream) pair of record/wait/reset: the event must be live, the stream as
// resolve_stream() accepts it.
aclError event_and_stream(aclrtEvent event, aclrtStream stream, EventPtr* e, StreamPtr* s) {
  VNPU_ACL_REQUIRE(event);
  VNPU_ACL_TRY(require_init());
  VNPU_ACL_TRY(find_event(event, e));
  return resolve_stream(stream, s);
}

}  // namespace

extern "C" {

aclError aclrtCreateStream(aclrtStream* stream) {
  return guard("aclrtCreateStream", [&]() -> aclError {
    VNPU_ACL_REQUIRE(stream);
    VNPU_ACL_TRY(require_init());
    ContextPtr ctx;
    VNPU_ACL_TRY(current_context(&ctx));
    StreamPtr s;
    VNPU_ACL_TRY(create_stream(ctx, &s));
    *stream = to_handle(s->id);
    return ACL_SUCCESS;
  });
}

aclError aclrtDestroyStream(aclrtStream stream) {
  return guard("aclrtDestroyStream", [&]() -> aclError {
    VNPU_ACL_REQUIRE(stream);
    VNPU_ACL_TRY(require_init());
    StreamPtr s;
    VNPU_ACL_TRY(resolve_stream(stream, &s));
    if (!destroy_stream(s)) return destroyed_meanwhile(Kind::kStream, stream);
    return ACL_SUCCESS;
  });
}

aclError aclrtSynchronizeStream(aclrtStream stream) {
  return guard("aclrtSynchronizeStream", [&]() -> aclError { return sync_stream(stream, -1); });
}

aclError aclrtSynchronizeStreamWithTimeout(aclrtStream stream, int32_t timeoutMs) {
  return guard("aclrtSynchronizeStreamWithTimeout", [&]() -> aclError { return sync_stream(stream, timeoutMs); });
}

aclError aclrtStreamWaitEvent(aclrtStream stream, aclrtEvent event) {
  return guard("aclrtStreamWaitEvent", [&]() -> aclError {
    EventPtr e;
    StreamPtr s;
    VNPU_ACL_TRY(event_and_stream(event, stream, &e, &s));
    vnpu::Stream target = s->stream;
    const vnpu::Status st = target.wait(e->get());
    if (st != vnpu::Status::kSuccess) return fail_status(st, "queueing the wait");
    return ACL_SUCCESS;
  });
}

aclError aclrtCreateEvent(aclrtEvent* event) {
  return guard("aclrtCreateEvent", [&]() -> aclError {
    VNPU_ACL_REQUIRE(event);
    VNPU_ACL_TRY(require_init());
    return new_event(event, vnpu::kEventDefault);
  });
}

aclError aclrtCreateEventWithFlag(aclrtEvent* event, uint32_t flag) {
  return guard("aclrtCreateEventWithFlag", [&]() -> aclError {
    VNPU_ACL_REQUIRE(event);
    VNPU_ACL_TRY(require_init());
    const uint32_t known = ACL_EVENT_SYNC | ACL_EVENT_TIME_LINE;
    if ((flag & ~known) != 0)
      return fail(ACL_ERROR_INVALID_PARAM, "flag 0x%x has unknown bits (known: ACL_EVENT_SYNC, ACL_EVENT_TIME_LINE)",
                  flag);
    return new_event(event, (flag & ACL_EVENT_TIME_LINE) != 0 ? vnpu::kEventDefault : vnpu::kEventDisableTiming);
  });
}

aclError aclrtDestroyEvent(aclrtEvent event) {
  return guard("aclrtDestroyEvent", [&]() -> aclError {
    VNPU_ACL_REQUIRE(event);
    VNPU_ACL_TRY(require_init());
    EventPtr e;
    VNPU_ACL_TRY(find_event(event, &e));
    if (!destroy_event(e)) return destroyed_meanwhile(Kind::kEvent, event);
    return ACL_SUCCESS;
  });
}

aclError aclrtRecordEvent(aclrtEvent event, aclrtStream stream) {
  return guard("aclrtRecordEvent", [&]() -> aclError {
    EventPtr e;
    StreamPtr s;
    VNPU_ACL_TRY(event_and_stream(event, stream, &e, &s));
    vnpu::Stream target = s->stream;
    const vnpu::Status st = target.record(e->get());
    if (st != vnpu::Status::kSuccess) return fail_status(st, "recording the event");
    return ACL_SUCCESS;
  });
}

aclError aclrtResetEvent(aclrtEvent event, aclrtStream stream) {
  return guard("aclrtResetEvent", [&]() -> aclError {
    EventPtr e;
    StreamPtr s;
    VNPU_ACL_TRY(event_and_stream(event, stream, &e, &s));
    // A fresh, never-recorded event takes the place of the old one; waits already queued
    // hold the old one's points and are unaffected.
    auto fresh = vnpu::Event::create(e->flags);
    if (!fresh) return fail_status(fresh.status(), "resetting the event");
    e->set(std::move(*fresh));
    return ACL_SUCCESS;
  });
}

aclError aclrtQueryEvent(aclrtEvent event, aclrtEventStatus* status) {
  return guard("aclrtQueryEvent", [&]() -> aclError {
    VNPU_ACL_REQUIRE(event);
    VNPU_ACL_REQUIRE(status);
    VNPU_ACL_TRY(require_init());
    EventPtr e;
    VNPU_ACL_TRY(find_event(event, &e));
    const vnpu::Status st = e->get().query();
    if (st == vnpu::Status::kSuccess) {
      *status = ACL_EVENT_STATUS_COMPLETE;
    } else if (st == vnpu::Status::kNotReady) {
      *status = ACL_EVENT_STATUS_NOT_READY;
    } else {
      return fail_status(st, "querying the event", Site::kEvent);
    }
    return ACL_SUCCESS;
  });
}

aclError aclrtSynchronizeEvent(aclrtEvent event) {
  return guard("aclrtSynchronizeEvent", [&]() -> aclError { return sync_event(event, -1); });
}

aclError aclrtSynchronizeEventWithTimeout(aclrtEvent event, int32_t timeout) {
  return guard("aclrtSynchronizeEventWithTimeout", [&]() -> aclError { return sync_event(event, timeout); });
}

aclError aclrtEventElapsedTime(float* ms, aclrtEvent startEvent, aclrtEvent endEvent) {
  return guard("aclrtEventElapsedTime", [&]() -> aclError {
    VNPU_ACL_REQUIRE(ms);
    VNPU_ACL_REQUIRE(startEvent);
    VNPU_ACL_REQUIRE(endEvent);
    VNPU_ACL_TRY(require_init());
    EventPtr start;
    VNPU_ACL_TRY(find_event(startEvent, &start));
    EventPtr end;
    VNPU_ACL_TRY(find_event(endEvent, &end));
    auto elapsed = vnpu::Event::elapsed_ms(start->get(), end->get());
    if (!elapsed) return fail_status(elapsed.status(), "measuring the elapsed time", Site::kEvent);
    *ms = *elapsed;
    return ACL_SUCCESS;
  });
}

}  // extern "C"
