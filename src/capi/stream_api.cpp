// Streams: creation, destruction, synchronization, queries, failure modes, host functions.
#include <chrono>

#include "capi/callback.hpp"
#include "capi/capi.hpp"
#include "capi/state.hpp"

using namespace vnpu::capi;

namespace {

aclError sync_stream(aclrtStream stream, int32_t timeout_ms) {
  VNPU_ACL_TRY(require_init());
  VNPU_ACL_TRY(check_timeout(timeout_ms, "timeoutMs"));
  VNPU_ACL_TRY(not_in_callback());
  StreamPtr s;
  VNPU_ACL_TRY(resolve_stream(stream, &s));
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
    if (s->is_default) return fail(ACL_ERROR_INVALID_PARAM, "%p is a default stream, which cannot be destroyed", stream);
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

aclError aclrtCreateStreamWithConfig(aclrtStream* stream, uint32_t priority, uint32_t flag) {
  return guard("aclrtCreateStreamWithConfig", [&]() -> aclError {
    VNPU_ACL_REQUIRE(stream);
    VNPU_ACL_TRY(require_init());
    const uint32_t unsupported = ACL_STREAM_PERSISTENT | ACL_STREAM_CPU_SCHEDULE | ACL_STREAM_DEVICE_USE_ONLY;
    if ((flag & unsupported) != 0)
      return fail(ACL_ERROR_RT_FEATURE_NOT_SUPPORT,
                  "flag 0x%x: persistent, CPU-scheduled and device-only streams are not offered by vnpu", flag);
    ContextPtr ctx;
    VNPU_ACL_TRY(current_context(&ctx));
    // AscendCL's priorities run 0 (most urgent) .. 7, as vnpu's do; larger values are clamped.
    const int vnpu_priority = priority > static_cast<uint32_t>(vnpu::kPriorityLowest) ? vnpu::kPriorityLowest
                                                                                       : static_cast<int>(priority);
    StreamPtr s;
    VNPU_ACL_TRY(create_stream(ctx, &s, vnpu_priority));
    *stream = to_handle(s->id);
    return ACL_SUCCESS;
  });
}

aclError aclrtCtxGetCurrentDefaultStream(aclrtStream* stream) {
  return guard("aclrtCtxGetCurrentDefaultStream", [&]() -> aclError {
    VNPU_ACL_REQUIRE(stream);
    VNPU_ACL_TRY(require_init());
    ContextPtr ctx;
    VNPU_ACL_TRY(current_context(&ctx));
    *stream = to_handle(ctx->default_stream->id);
    return ACL_SUCCESS;
  });
}

aclError aclrtStreamQuery(aclrtStream stream, aclrtStreamStatus* status) {
  return guard("aclrtStreamQuery", [&]() -> aclError {
    VNPU_ACL_REQUIRE(status);
    VNPU_ACL_TRY(require_init());
    StreamPtr s;
    VNPU_ACL_TRY(resolve_stream(stream, &s));
    const vnpu::Status st = s->stream.query();
    if (st != vnpu::Status::kSuccess && st != vnpu::Status::kNotReady) return fail_status(st, "querying the stream");
    VNPU_ACL_TRY(take_callback_failure(*s->route, to_handle(s->id)));
    *status = st == vnpu::Status::kSuccess ? ACL_STREAM_STATUS_COMPLETE : ACL_STREAM_STATUS_NOT_READY;
    return ACL_SUCCESS;
  });
}

aclError aclrtLaunchHostFunc(aclrtStream stream, aclrtHostFunc fn, void* args) {
  return guard("aclrtLaunchHostFunc", [&]() -> aclError {
    VNPU_ACL_REQUIRE(fn);
    VNPU_ACL_TRY(require_init());
    StreamPtr s;
    VNPU_ACL_TRY(resolve_stream(stream, &s));
    vnpu::Stream target = s->stream;
    // On vnpu's host thread, in stream order, holding later work; an exception it throws is
    // the task's failure.
    const vnpu::Status st = target.host_func("aclrtHostFunc", [fn, args] { fn(args); }, vnpu::CallbackMode::kBlocking);
    if (st != vnpu::Status::kSuccess) return fail_status(st, "queueing the host function");
    return ACL_SUCCESS;
  });
}

aclError aclrtDestroyStreamForce(aclrtStream stream) {
  return guard("aclrtDestroyStreamForce", [&]() -> aclError {
    VNPU_ACL_REQUIRE(stream);
    VNPU_ACL_TRY(require_init());
    StreamPtr s;
    VNPU_ACL_TRY(resolve_stream(stream, &s));
    if (s->is_default) return fail(ACL_ERROR_INVALID_PARAM, "%p is a default stream, which cannot be destroyed", stream);
    vnpu::Stream target = s->stream;
    (void)target.discard_pending();  // before the handle goes: nothing queued starts any more
    if (!destroy_stream(s)) return destroyed_meanwhile(Kind::kStream, stream);
    return ACL_SUCCESS;
  });
}

aclError aclrtSetStreamFailureMode(aclrtStream stream, uint64_t mode) {
  return guard("aclrtSetStreamFailureMode", [&]() -> aclError {
    VNPU_ACL_TRY(require_init());
    if (mode != ACL_CONTINUE_ON_FAILURE && mode != ACL_STOP_ON_FAILURE)
      return fail(ACL_ERROR_INVALID_PARAM, "mode %llu (ACL_CONTINUE_ON_FAILURE or ACL_STOP_ON_FAILURE)",
                  static_cast<unsigned long long>(mode));
    StreamPtr s;
    VNPU_ACL_TRY(resolve_stream(stream, &s));
    if (s->failure_mode_set.exchange(true, std::memory_order_acq_rel))
      return fail(ACL_ERROR_RT_PARAM_INVALID, "the failure mode of stream %p was already set (it may be set once)",
                  stream);
    vnpu::Stream target = s->stream;
    const vnpu::Status st = target.set_failure_mode(mode == ACL_STOP_ON_FAILURE ? vnpu::FailureMode::kStop
                                                                               : vnpu::FailureMode::kContinue);
    if (st != vnpu::Status::kSuccess) return fail_status(st, "setting the failure mode");
    return ACL_SUCCESS;
  });
}

}  // extern "C"
