// Device and pinned memory, copies and memsets.
#include "capi/capi.hpp"
#include "capi/state.hpp"
#include "check/checker.hpp"
#include "runtime/stream_impl.hpp"
#include "vnpu/memory.hpp"

using namespace vnpu::capi;

namespace {

aclError check_policy(int policy) {
  if (policy < ACL_MEM_MALLOC_HUGE_FIRST || policy > ACL_MEM_MALLOC_NORMAL_ONLY_P2P)
    return fail(ACL_ERROR_INVALID_PARAM, "unknown aclrtMemMallocPolicy %d", policy);
  return ACL_SUCCESS;
}

aclError allocate_device(void** devPtr, size_t size) {
  ContextPtr ctx;
  VNPU_ACL_TRY(current_context(&ctx));
  auto p = ctx->device.malloc(size);
  if (!p) return fail_status(p.status(), "allocating device memory");
  track_allocation(*p, false);
  *devPtr = *p;
  return ACL_SUCCESS;
}

aclError device_malloc(void** devPtr, size_t size, int policy) {
  VNPU_ACL_REQUIRE(devPtr);
  VNPU_ACL_TRY(require_init());
  if (size == 0) return fail(ACL_ERROR_INVALID_PARAM, "size 0");
  VNPU_ACL_TRY(check_policy(policy));
  return allocate_device(devPtr, size);
}

aclError free_memory(void* ptr, bool pinned) {
  VNPU_ACL_REQUIRE(ptr);
  VNPU_ACL_TRY(require_init());
  const vnpu::Status st = pinned ? vnpu::free_host(ptr) : vnpu::free(ptr);
  if (st != vnpu::Status::kSuccess) return fail_status(st, pinned ? "freeing pinned memory" : "freeing device memory", Site::kFree);
  untrack_allocation(ptr);
  return ACL_SUCCESS;
}

aclError check_kind(int kind) {
  if (kind < ACL_MEMCPY_HOST_TO_HOST || kind > ACL_MEMCPY_DEFAULT)
    return fail(ACL_ERROR_INVALID_PARAM, "unknown aclrtMemcpyKind %d", kind);
  return ACL_SUCCESS;
}

// Device memory of two different devices: a copy between them needs peer access enabled
// between the two (either way), as on the accelerator.
aclError check_peer(const void* dst, const void* src) {
  const vnpu::PointerInfo d = vnpu::pointer_info(dst);
  const vnpu::PointerInfo s = vnpu::pointer_info(src);
  if (d.type != vnpu::MemoryType::kDevice || s.type != vnpu::MemoryType::kDevice || d.device == s.device)
    return ACL_SUCCESS;
  if (peer_access(d.device, s.device) || peer_access(s.device, d.device)) return ACL_SUCCESS;
  return fail(ACL_ERROR_RT_PARAM_INVALID,
              "a copy from device %d's memory to device %d's needs peer access between them "
              "(aclrtDeviceEnablePeerAccess)",
              s.device, d.device);
}

// The checks of aclrtMemcpy2d(Async) before vnpu's own: *done for an empty matrix.
aclError check_copy_2d(void* dst, size_t dpitch, const void* src, size_t spitch, size_t width, size_t height,
                       int kind, bool* done) {
  VNPU_ACL_TRY(check_kind(kind));
  *done = width == 0 || height == 0;
  if (*done) return ACL_SUCCESS;
  VNPU_ACL_REQUIRE(dst);
  VNPU_ACL_REQUIRE(src);
  if (width > dpitch || width > spitch)
    return fail(ACL_ERROR_INVALID_PARAM, "width %zu exceeds the %s pitch %zu", width, width > dpitch ? "dst" : "src",
                width > dpitch ? dpitch : spitch);
  // The accelerator's limits, so that what runs here runs there.
  constexpr size_t kMaxWidth = 5000000, kMaxHeight = 5 * 1024 * 1024;
  if (width > kMaxWidth) return fail(ACL_ERROR_INVALID_PARAM, "width %zu exceeds %zu", width, kMaxWidth);
  if (height > kMaxHeight) return fail(ACL_ERROR_INVALID_PARAM, "height %zu exceeds %zu", height, kMaxHeight);
  return check_peer(dst, src);
}

// The checks every copy makes before any pointer is looked at: a zero count succeeds at
// once (*done = true); otherwise the bound and the pointers.
aclError check_copy(void* dst, size_t destMax, const void* src, size_t count, bool* done) {
  *done = count == 0;
  if (*done) return ACL_SUCCESS;
  if (count > destMax) return fail(ACL_ERROR_INVALID_PARAM, "count %zu > destMax %zu", count, destMax);
  VNPU_ACL_REQUIRE(dst);
  VNPU_ACL_REQUIRE(src);
  return ACL_SUCCESS;
}

aclError check_memset(void* devPtr, size_t maxCount, size_t count, bool* done) {
  *done = count == 0;
  if (*done) return ACL_SUCCESS;
  if (count > maxCount) return fail(ACL_ERROR_INVALID_PARAM, "count %zu > maxCount %zu", count, maxCount);
  VNPU_ACL_REQUIRE(devPtr);
  return ACL_SUCCESS;
}

}  // namespace

extern "C" {

aclError aclrtMalloc(void** devPtr, size_t size, aclrtMemMallocPolicy policy) {
  return guard("aclrtMalloc", [&]() -> aclError { return device_malloc(devPtr, size, enum_value(policy)); });
}

aclError aclrtMallocCached(void** devPtr, size_t size, aclrtMemMallocPolicy policy) {
  return guard("aclrtMallocCached", [&]() -> aclError { return device_malloc(devPtr, size, enum_value(policy)); });
}

aclError aclrtMallocAlign32(void** devPtr, size_t size, aclrtMemMallocPolicy policy) {
  return guard("aclrtMallocAlign32", [&]() -> aclError {
    if (size > SIZE_MAX - 31) return fail(ACL_ERROR_INVALID_PARAM, "size %zu cannot be rounded up to 32 bytes", size);
    return device_malloc(devPtr, (size + 31) / 32 * 32, enum_value(policy));
  });
}

aclError aclrtFree(void* devPtr) {
  return guard("aclrtFree", [&]() -> aclError { return free_memory(devPtr, false); });
}

aclError aclrtMallocHost(void** hostPtr, size_t size) {
  return guard("aclrtMallocHost", [&]() -> aclError {
    VNPU_ACL_REQUIRE(hostPtr);
    VNPU_ACL_TRY(require_init());
    if (size == 0) return fail(ACL_ERROR_INVALID_PARAM, "size 0");
    ContextPtr ctx;
    VNPU_ACL_TRY(current_context(&ctx));
    auto p = ctx->device.malloc_host(size);
    if (!p) return fail_status(p.status(), "allocating pinned host memory");
    track_allocation(*p, true);
    *hostPtr = *p;
    return ACL_SUCCESS;
  });
}

aclError aclrtFreeHost(void* hostPtr) {
  return guard("aclrtFreeHost", [&]() -> aclError { return free_memory(hostPtr, true); });
}

aclError aclrtMemcpy(void* dst, size_t destMax, const void* src, size_t count, aclrtMemcpyKind kind) {
  return guard("aclrtMemcpy", [&]() -> aclError {
    VNPU_ACL_TRY(require_init());
    VNPU_ACL_TRY(check_kind(enum_value(kind)));
    bool done = false;
    VNPU_ACL_TRY(check_copy(dst, destMax, src, count, &done));
    if (done) return ACL_SUCCESS;
    VNPU_ACL_TRY(check_peer(dst, src));
    const vnpu::Status st = vnpu::memcpy(dst, destMax, src, count, static_cast<vnpu::CopyKind>(enum_value(kind)));
    if (st != vnpu::Status::kSuccess) return fail_status(st, "copying");
    return ACL_SUCCESS;
  });
}

namespace {

// aclrtMemcpyAsync with non-page-locked host memory returns only once the copy is done (its
// documented behaviour): the program may read a pageable destination, or count on the device
// side, at once. The copy was just queued on `s`; this waits until the stream has run it —
// without taking an earlier task's failure, which its next synchronize reports — running
// the calling thread's due callbacks meanwhile (a callback queued ahead of the copy that only
// this thread runs). In checked mode the calling thread is then ordered after the copy.
aclError finish_if_pageable(const StreamPtr& s, const void* dst, const void* src) {
  if (vnpu::pointer_info(dst).type != vnpu::MemoryType::kPageable &&
      vnpu::pointer_info(src).type != vnpu::MemoryType::kPageable)
    return ACL_SUCCESS;
  vnpu::detail::StreamImpl* impl = s->stream.impl();
  const std::uint64_t copy = impl->submitted();
  namespace check = vnpu::detail::check;
  const check::VClock before = check::on() ? check::Checker::instance().stream_clock(impl) : check::VClock{};
  impl->wait_reached(copy, -1, /*assist=*/true);
  if (check::on()) check::Checker::instance().on_host_waited(before);
  return ACL_SUCCESS;
}

}  // namespace

aclError aclrtMemcpyAsync(void* dst, size_t destMax, const void* src, size_t count, aclrtMemcpyKind kind,
                          aclrtStream stream) {
  return guard("aclrtMemcpyAsync", [&]() -> aclError {
    VNPU_ACL_TRY(require_init());
    VNPU_ACL_TRY(check_kind(enum_value(kind)));
    StreamPtr s;
    VNPU_ACL_TRY(resolve_stream(stream, &s));
    bool done = false;
    VNPU_ACL_TRY(check_copy(dst, destMax, src, count, &done));
    if (done) return ACL_SUCCESS;
    VNPU_ACL_TRY(check_peer(dst, src));
    vnpu::Stream target = s->stream;
    const vnpu::Status st = target.memcpy_async(dst, destMax, src, count, static_cast<vnpu::CopyKind>(enum_value(kind)));
    if (st != vnpu::Status::kSuccess) return fail_status(st, "queueing the copy");
    return finish_if_pageable(s, dst, src);
  });
}

aclError aclrtMemcpy2d(void* dst, size_t dpitch, const void* src, size_t spitch, size_t width, size_t height,
                       aclrtMemcpyKind kind) {
  return guard("aclrtMemcpy2d", [&]() -> aclError {
    VNPU_ACL_TRY(require_init());
    bool done = false;
    VNPU_ACL_TRY(check_copy_2d(dst, dpitch, src, spitch, width, height, enum_value(kind), &done));
    if (done) return ACL_SUCCESS;
    const vnpu::Status st =
        vnpu::memcpy_2d(dst, dpitch, src, spitch, width, height, static_cast<vnpu::CopyKind>(enum_value(kind)));
    if (st != vnpu::Status::kSuccess) return fail_status(st, "copying the matrix");
    return ACL_SUCCESS;
  });
}

aclError aclrtMemcpy2dAsync(void* dst, size_t dpitch, const void* src, size_t spitch, size_t width, size_t height,
                            aclrtMemcpyKind kind, aclrtStream stream) {
  return guard("aclrtMemcpy2dAsync", [&]() -> aclError {
    VNPU_ACL_TRY(require_init());
    StreamPtr s;
    VNPU_ACL_TRY(resolve_stream(stream, &s));
    bool done = false;
    VNPU_ACL_TRY(check_copy_2d(dst, dpitch, src, spitch, width, height, enum_value(kind), &done));
    if (done) return ACL_SUCCESS;
    vnpu::Stream target = s->stream;
    const vnpu::Status st = target.memcpy_2d_async(dst, dpitch, src, spitch, width, height,
                                                   static_cast<vnpu::CopyKind>(enum_value(kind)));
    if (st != vnpu::Status::kSuccess) return fail_status(st, "queueing the matrix copy");
    return finish_if_pageable(s, dst, src);
  });
}

aclError aclrtMemset(void* devPtr, size_t maxCount, int32_t value, size_t count) {
  return guard("aclrtMemset", [&]() -> aclError {
    VNPU_ACL_TRY(require_init());
    bool done = false;
    VNPU_ACL_TRY(check_memset(devPtr, maxCount, count, &done));
    if (done) return ACL_SUCCESS;
    const vnpu::Status st = vnpu::memset(devPtr, maxCount, value, count);
    if (st != vnpu::Status::kSuccess) return fail_status(st, "setting memory");
    return ACL_SUCCESS;
  });
}

aclError aclrtMemsetAsync(void* devPtr, size_t maxCount, int32_t value, size_t count, aclrtStream stream) {
  return guard("aclrtMemsetAsync", [&]() -> aclError {
    VNPU_ACL_TRY(require_init());
    StreamPtr s;
    VNPU_ACL_TRY(resolve_stream(stream, &s));
    bool done = false;
    VNPU_ACL_TRY(check_memset(devPtr, maxCount, count, &done));
    if (done) return ACL_SUCCESS;
    vnpu::Stream target = s->stream;
    const vnpu::Status st = target.memset_async(devPtr, maxCount, value, count);
    if (st != vnpu::Status::kSuccess) return fail_status(st, "queueing the memset");
    return ACL_SUCCESS;
  });
}

aclError aclrtGetMemInfo(aclrtMemAttr attr, size_t* free, size_t* total) {
  return guard("aclrtGetMemInfo", [&]() -> aclError {
    VNPU_ACL_REQUIRE(free);
    VNPU_ACL_REQUIRE(total);
    VNPU_ACL_TRY(require_init());
    const int a = enum_value(attr);
    if (a < ACL_DDR_MEM || a > ACL_HBM_MEM_P2P_NORMAL) return fail(ACL_ERROR_INVALID_PARAM, "unknown aclrtMemAttr %d", a);
    ContextPtr ctx;
    VNPU_ACL_TRY(current_context(&ctx));
    const vnpu::MemInfo info = ctx->device.mem_info();
    *free = info.free;
    *total = info.total;
    return ACL_SUCCESS;
  });
}

}  // extern "C"
