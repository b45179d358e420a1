// vnpuLane*: vnpu::Lane for C callers (libhccl).
#include <string>
#include <utility>

#include "common/error.hpp"

#include "capi/capi.hpp"
#include "capi/state.hpp"
#include "vnpu/lane.hpp"

struct vnpuLaneImpl {
  vnpu::Lane lane;
};

namespace vnpu::capi {
namespace {

// Owns a task's user data: releases it when the task has run or was dropped.
struct LaneCall {
  vnpuLaneFunc fn;
  void* user;
  void (*release)(void*);
  LaneCall(vnpuLaneFunc f, void* u, void (*r)(void*)) : fn(f), user(u), release(r) {}
  LaneCall(LaneCall&& o) noexcept : fn(o.fn), user(o.user), release(std::exchange(o.release, nullptr)) {}
  LaneCall& operator=(LaneCall&&) = delete;
  ~LaneCall() {
    if (release != nullptr) release(user);
  }
  vnpu::Status operator()() const {
    char message[512] = {0};
    if (fn(user, message, sizeof message) == 0) return vnpu::Status::kSuccess;
    return vnpu::detail::fail(vnpu::Status::kTaskFailed, "%s",
                              message[0] != '\0' ? message : "the lane task reported a failure");
  }
};

}  // namespace
}  // namespace vnpu::capi

using namespace vnpu::capi;

extern "C" {

aclError vnpuLaneCreate(int32_t deviceId, const char* name, vnpuLane* lane) {
  return guard("vnpuLaneCreate", [&]() -> aclError {
    VNPU_ACL_TRY(require_init());
    VNPU_ACL_REQUIRE(lane);
    auto dev = vnpu::Device::get(deviceId);
    if (!dev) return fail_status(dev.status(), "vnpuLaneCreate");
    auto l = vnpu::Lane::create(dev.value(), name != nullptr ? name : "vnpu-lane");
    if (!l) return fail_status(l.status(), "vnpuLaneCreate");
    *lane = new vnpuLaneImpl{std::move(l).value()};
    return ACL_SUCCESS;
  });
}

aclError vnpuLaneDestroy(vnpuLane lane) {
  return guard("vnpuLaneDestroy", [&]() -> aclError {
    VNPU_ACL_REQUIRE(lane);
    if (const vnpu::Status st = lane->lane.drain(); st != vnpu::Status::kSuccess)
      return fail_status(st, "vnpuLaneDestroy");
    delete lane;
    return ACL_SUCCESS;
  });
}

aclError vnpuLaneSubmit(vnpuLane lane, aclrtStream stream, const char* name, uint64_t bytes, vnpuLaneFunc fn,
                        void* userData, void (*release)(void*), const vnpuAccess* accesses, size_t accessCount) {
  LaneCall call(fn, userData, release);  // releases on every failure below
  return guard("vnpuLaneSubmit", [&]() -> aclError {
    VNPU_ACL_TRY(require_init());
    VNPU_ACL_REQUIRE(lane);
    VNPU_ACL_REQUIRE(fn);
    std::vector<vnpu::Access> acc;
    VNPU_ACL_TRY(to_accesses(accesses, accessCount, &acc));
    StreamPtr s;
    VNPU_ACL_TRY(resolve_stream(stream, &s));
    const vnpu::Status st =
        lane->lane.submit(s->stream, name != nullptr ? name : "lane task", bytes, std::move(call), acc);
    if (st != vnpu::Status::kSuccess) return fail_status(st, "vnpuLaneSubmit");
    return ACL_SUCCESS;
  });
}

}  // extern "C"
