// Events: creation, record, wait, reset, query, synchronize, elapsed time.
#include <chrono>

#include "capi/callback.hpp"
#include "capi/capi.hpp"
#include "capi/state.hpp"

using namespace vnpu::capi;

namespace {

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

aclError aclrtCreateEventExWithFlag(aclrtEvent* event, uint32_t flag) {
  return guard("aclrtCreateEventExWithFlag", [&]() -> aclError {
    VNPU_ACL_REQUIRE(event);
    VNPU_ACL_TRY(require_init());
    const uint32_t accepted = ACL_EVENT_SYNC | ACL_EVENT_TIME_LINE | ACL_EVENT_CAPTURE_STREAM_PROGRESS;
    const uint32_t unsupported = ACL_EVENT_IPC | ACL_EVENT_EXTERNAL | ACL_EVENT_DEVICE_USE_ONLY;
    if ((flag & unsupported) != 0)
      return fail(ACL_ERROR_RT_FEATURE_NOT_SUPPORT,
                  "flag 0x%x: inter-process, external and device-only events are not offered by vnpu", flag);
    if ((flag & ~accepted) != 0)
      return fail(ACL_ERROR_INVALID_PARAM,
                  "flag 0x%x has unknown bits (known: ACL_EVENT_SYNC, ACL_EVENT_TIME_LINE, "
                  "ACL_EVENT_CAPTURE_STREAM_PROGRESS)",
                  flag);
    return new_event(event, (flag & ACL_EVENT_TIME_LINE) != 0 ? vnpu::kEventDefault : vnpu::kEventDisableTiming);
  });
}

aclError aclrtQueryEventStatus(aclrtEvent event, aclrtEventRecordedStatus* status) {
  return guard("aclrtQueryEventStatus", [&]() -> aclError {
    VNPU_ACL_REQUIRE(event);
    VNPU_ACL_REQUIRE(status);
    VNPU_ACL_TRY(require_init());
    EventPtr e;
    VNPU_ACL_TRY(find_event(event, &e));
    if (!e->recorded.load(std::memory_order_acquire)) {
      *status = ACL_EVENT_RECORDED_STATUS_NOT_READY;
      return ACL_SUCCESS;
    }
    const vnpu::Status st = e->get().query();
    if (st != vnpu::Status::kSuccess && st != vnpu::Status::kNotReady)
      return fail_status(st, "querying the event", Site::kEvent);
    *status = st == vnpu::Status::kSuccess ? ACL_EVENT_RECORDED_STATUS_COMPLETE : ACL_EVENT_RECORDED_STATUS_NOT_READY;
    return ACL_SUCCESS;
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
    e->recorded.store(true, std::memory_order_release);
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
    e->recorded.store(false, std::memory_order_release);
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
