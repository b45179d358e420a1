// fuzz/acl_fuzz.cpp — libFuzzer target of the AscendCL-compatible C API (libascendcl).
//
// Each input is a program: every byte pair picks an API call and its arguments from pools
// of live, destroyed and made-up handles, device, pinned, pageable, interior, freed and
// foreign pointers, sizes around the buffers' capacities and out-of-range enum values.
// Every call must return ACL_SUCCESS or a documented code, with a recent error message
// that names the code; nothing may crash, hang, leak (LeakSanitizer) or touch memory it
// must not (AddressSanitizer). aclFinalize at the end of each input must succeed and
// release everything. Built and run by `scripts/test.sh fuzz`.
//
// The one rule the fuzzer keeps, because the API cannot check it: a pageable host buffer
// is never described as larger than it is (destMax and the source of a copy).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <pthread.h>
#include <vector>

#include "acl/acl.h"
#include "acl/ops/acl_dvpp.h"
#include "vnpu/acl_ext.h"

// acl_enum_calls.c: enum arguments with any int value.
extern "C" {
aclError fuzz_malloc(void** p, size_t size, int policy);
aclError fuzz_memcpy(void* dst, size_t dest_max, const void* src, size_t count, int kind);
aclError fuzz_memcpy_async(void* dst, size_t dest_max, const void* src, size_t count, int kind, aclrtStream s);
aclError fuzz_mem_info(int attr, size_t* free_bytes, size_t* total);
aclError fuzz_launch_callback(aclrtCallback fn, void* user, int type, aclrtStream s);
aclError fuzz_memcpy_2d(void* dst, size_t dpitch, const void* src, size_t spitch, size_t width, size_t height,
                        int kind, aclrtStream s, int async);
aclError fuzz_malloc_align32(void** p, size_t size, int policy);
}

namespace {

[[noreturn]] void broken(const char* what, aclError code) {
  const char* msg = aclGetRecentErrMsg();
  std::fprintf(stderr, "acl_fuzz: %s returned %d (%s)\n", what, code, msg != nullptr ? msg : "no message");
  std::abort();
}

constexpr aclError kKnown[] = {
    ACL_SUCCESS, ACL_ERROR_INVALID_PARAM, ACL_ERROR_UNINITIALIZE, ACL_ERROR_REPEAT_INITIALIZE,
    ACL_ERROR_REPEAT_FINALIZE, ACL_ERROR_BAD_ALLOC, ACL_ERROR_INVALID_RESOURCE_HANDLE,
    ACL_ERROR_RT_PARAM_INVALID, ACL_ERROR_RT_INVALID_DEVICEID, ACL_ERROR_RT_CONTEXT_NULL,
    ACL_ERROR_RT_STREAM_CONTEXT, ACL_ERROR_RT_THREAD_SUBSCRIBE, ACL_ERROR_RT_STREAM_NO_CB_REG,
    ACL_ERROR_RT_INVALID_HANDLE, ACL_ERROR_RT_FEATURE_NOT_SUPPORT, ACL_ERROR_RT_MEMORY_ALLOCATION,
    ACL_ERROR_RT_MEMORY_FREE, ACL_ERROR_RT_EVENT_NOT_COMPLETE, ACL_ERROR_RT_REPORT_TIMEOUT,
    ACL_ERROR_RT_AICORE_EXCEPTION, ACL_ERROR_RT_STREAM_SYNC_TIMEOUT, ACL_ERROR_RT_EVENT_SYNC_TIMEOUT,
    ACL_ERROR_FEATURE_UNSUPPORTED};

// Checks a returned code: documented, and explained by the thread's recent message.
void check(const char* what, aclError code) {
  bool known = false;
  for (aclError k : kKnown) known = known || k == code;
  if (!known) broken(what, code);
  if (code == ACL_SUCCESS) return;
  const char* msg = aclGetRecentErrMsg();
  char num[16];
  std::snprintf(num, sizeof num, "%d", code);
  if (msg == nullptr || std::strstr(msg, num) == nullptr) broken(what, code);
}

struct Input {
  const std::uint8_t* p;
  std::size_t n;
  std::uint8_t byte() {
    if (n == 0) return 0;
    --n;
    return *p++;
  }
  std::uint32_t u16() { return static_cast<std::uint32_t>(byte()) | (static_cast<std::uint32_t>(byte()) << 8); }
  template <class T>
  T pick(const std::vector<T>& v) {
    return v.empty() ? T{} : v[byte() % v.size()];
  }
};

constexpr std::size_t kHostBytes = 1 << 16;
alignas(64) unsigned char g_host[kHostBytes];  // pageable memory, described truthfully
unsigned char g_not_vnpu[64];                  // a foreign pointer for frees

struct Buffer {
  void* p;
  std::size_t cap;  // bytes the API may be told about (pageable: the truth)
  bool pageable;
};

void noop_kernel(std::uint32_t, std::uint32_t, void*) {}
void failing_kernel(std::uint32_t block, std::uint32_t, void*) {
  if (block == 0) vnpuKernelFail("fuzz kernel failure");
}
void count_callback(void* user) { ++*static_cast<int*>(user); }
void count_host_func(void* user) { __atomic_add_fetch(static_cast<int*>(user), 1, __ATOMIC_RELAXED); }

struct World {
  std::vector<aclrtStream> streams{nullptr, reinterpret_cast<aclrtStream>(0x1234), g_not_vnpu};
  std::vector<aclrtEvent> events{nullptr, reinterpret_cast<aclrtEvent>(0x10000)};
  std::vector<aclrtContext> contexts{nullptr, reinterpret_cast<aclrtContext>(0x20010)};
  std::vector<Buffer> buffers{{g_host, kHostBytes, true}, {g_host + 100, kHostBytes - 100, true}};
  std::vector<void*> frees{nullptr, g_not_vnpu, g_host};
  int callbacks_run = 0;
  int host_funcs_run = 0;
  std::vector<void*> media{nullptr, g_host};  // acldvppMalloc buffers, and pointers that are not
};

std::size_t size_near(Input& in, std::size_t cap) {
  switch (in.byte() % 4) {
    case 0: return 0;
    case 1: return cap;
    case 2: return cap + 1 + in.byte();
    default: return cap == 0 ? 0 : in.u16() % (cap + 1);
  }
}

void step(World& w, Input& in) {
  const std::uint64_t self = static_cast<std::uint64_t>(pthread_self());
  switch (in.byte() % 32) {
    case 0: {
      aclrtStream s = nullptr;
      const aclError e = aclrtCreateStream(&s);
      check("aclrtCreateStream", e);
      if (e == ACL_SUCCESS) w.streams.push_back(s);
      break;
    }
    case 1: check("aclrtDestroyStream", aclrtDestroyStream(in.pick(w.streams))); break;
    case 2: {
      static const std::int32_t timeouts[] = {0, 1, -1, -2};
      check("aclrtSynchronizeStreamWithTimeout",
            aclrtSynchronizeStreamWithTimeout(in.pick(w.streams), timeouts[in.byte() % 4]));
      break;
    }
    case 3: {
      aclrtEvent e = nullptr;
      const std::uint32_t flags = in.byte() % 3 == 0 ? in.byte() : ACL_EVENT_TIME_LINE;
      const aclError r = in.byte() % 2 ? aclrtCreateEvent(&e) : aclrtCreateEventWithFlag(&e, flags);
      check("aclrtCreateEvent", r);
      if (r == ACL_SUCCESS) w.events.push_back(e);
      break;
    }
    case 4: check("aclrtRecordEvent", aclrtRecordEvent(in.pick(w.events), in.pick(w.streams))); break;
    case 5: check("aclrtStreamWaitEvent", aclrtStreamWaitEvent(in.pick(w.streams), in.pick(w.events))); break;
    case 6: {
      aclrtEventStatus st;
      float ms;
      check("aclrtQueryEvent", aclrtQueryEvent(in.pick(w.events), &st));
      check("aclrtEventElapsedTime", aclrtEventElapsedTime(&ms, in.pick(w.events), in.pick(w.events)));
      check("aclrtResetEvent", aclrtResetEvent(in.pick(w.events), in.pick(w.streams)));
      break;
    }
    case 7: check("aclrtSynchronizeEvent", aclrtSynchronizeEvent(in.pick(w.events))); break;
    case 8: check("aclrtDestroyEvent", aclrtDestroyEvent(in.pick(w.events))); break;
    case 9: {
      void* p = nullptr;
      const std::size_t bytes = in.u16() % 8192;
      const bool pinned = in.byte() % 2;
      const aclError e = pinned ? aclrtMallocHost(&p, bytes)
                                : fuzz_malloc(&p, bytes, static_cast<int>(in.byte() % 8) - 1);
      check("aclrtMalloc", e);
      if (e == ACL_SUCCESS) {
        w.buffers.push_back({p, bytes, false});
        if (bytes > 16) w.buffers.push_back({static_cast<unsigned char*>(p) + 16, bytes - 16, false});
        w.frees.push_back(p);
        w.frees.push_back(static_cast<unsigned char*>(p) + 1);
      }
      break;
    }
    case 10: {
      void* p = in.pick(w.frees);
      const aclError e = in.byte() % 2 ? aclrtFree(p) : aclrtFreeHost(p);
      check("aclrtFree", e);
      if (e == ACL_SUCCESS)  // freed memory must not be described as a live buffer any more
        std::erase_if(w.buffers, [p](const Buffer& b) {
          return !b.pageable && static_cast<unsigned char*>(b.p) - static_cast<unsigned char*>(p) >= 0 &&
                 static_cast<unsigned char*>(b.p) - static_cast<unsigned char*>(p) <= 16;
        });
      break;
    }
    case 11:
    case 12: {
      const Buffer dst = in.pick(w.buffers);
      const Buffer src = in.pick(w.buffers);
      const std::size_t dest_max = dst.pageable ? size_near(in, dst.cap) % (dst.cap + 1) : size_near(in, dst.cap);
      std::size_t count = size_near(in, dest_max);
      if (src.pageable && count > src.cap) count = src.cap;
      const int kind = static_cast<int>(in.byte() % 6) - 1;
      const aclError e = in.byte() % 2 ? fuzz_memcpy(dst.p, dest_max, src.p, count, kind)
                                       : fuzz_memcpy_async(dst.p, dest_max, src.p, count, kind, in.pick(w.streams));
      check("aclrtMemcpy", e);
      break;
    }
    case 13: {
      const Buffer dst = in.pick(w.buffers);
      const std::size_t max = dst.pageable ? dst.cap : size_near(in, dst.cap);
      const std::size_t count = size_near(in, max);
      const aclError e = in.byte() % 2 ? aclrtMemset(dst.p, max, in.byte(), count)
                                       : aclrtMemsetAsync(dst.p, max, in.byte(), count, in.pick(w.streams));
      check("aclrtMemset", e);
      break;
    }
    case 14: {
      const std::uint32_t blocks = in.byte() % 5;
      check("vnpuLaunchKernel",
            vnpuLaunchKernel(in.byte() % 4 == 0 ? failing_kernel : noop_kernel, blocks, nullptr, in.pick(w.streams)));
      break;
    }
    case 15: {
      aclrtContext c = nullptr;
      const aclError e = aclrtCreateContext(&c, static_cast<std::int32_t>(in.byte() % 3) - 1);
      check("aclrtCreateContext", e);
      if (e == ACL_SUCCESS) w.contexts.push_back(c);
      break;
    }
    case 16: check("aclrtSetCurrentContext", aclrtSetCurrentContext(in.pick(w.contexts))); break;
    case 17: check("aclrtDestroyContext", aclrtDestroyContext(in.pick(w.contexts))); break;
    case 18: {
      const std::int32_t dev = static_cast<std::int32_t>(in.byte() % 3) - 1;
      check("aclrtSetDevice", in.byte() % 3 ? aclrtSetDevice(dev) : aclrtResetDevice(dev));
      break;
    }
    case 19: {
      // Only this thread is ever subscribed: a thread that never processes its reports would
      // hold blocking callbacks forever, a program bug the API cannot see.
      const std::uint64_t tid = in.byte() % 4 ? self : in.byte();
      check("aclrtSubscribeReport", in.byte() % 2 ? aclrtSubscribeReport(self, in.pick(w.streams))
                                                   : aclrtUnSubscribeReport(tid, in.pick(w.streams)));
      break;
    }
    case 20: {
      const int type = static_cast<int>(in.byte() % 4) - 1;
      check("aclrtLaunchCallback",
            fuzz_launch_callback(in.byte() % 8 ? count_callback : nullptr, &w.callbacks_run, type, in.pick(w.streams)));
      break;
    }
    case 21: check("aclrtProcessReport", aclrtProcessReport(in.byte() % 2)); break;
    case 22: check("aclrtSynchronizeDevice", aclrtSynchronizeDevice()); break;
    case 23: {
      aclrtStreamStatus ss;
      aclrtEventRecordedStatus es;
      check("aclrtStreamQuery", aclrtStreamQuery(in.pick(w.streams), in.byte() % 8 ? &ss : nullptr));
      check("aclrtQueryEventStatus", aclrtQueryEventStatus(in.pick(w.events), &es));
      check("aclrtSynchronizeEventWithTimeout", aclrtSynchronizeEventWithTimeout(in.pick(w.events), in.byte() % 3));
      check("aclrtSynchronizeDeviceWithTimeout", aclrtSynchronizeDeviceWithTimeout(in.byte() % 3));
      break;
    }
    case 24: {
      aclrtStream s = nullptr;
      const aclError e = aclrtCreateStreamWithConfig(&s, in.byte() % 10, in.byte() % 64);
      check("aclrtCreateStreamWithConfig", e);
      if (e == ACL_SUCCESS) w.streams.push_back(s);
      aclrtEvent ev = nullptr;
      const aclError r = aclrtCreateEventExWithFlag(&ev, in.byte() % 128);
      check("aclrtCreateEventExWithFlag", r);
      if (r == ACL_SUCCESS) w.events.push_back(ev);
      break;
    }
    case 25:
      check("aclrtDestroyStreamForce", aclrtDestroyStreamForce(in.pick(w.streams)));
      break;
    case 26:
      check("aclrtSetStreamFailureMode", aclrtSetStreamFailureMode(in.pick(w.streams), in.byte() % 3));
      check("aclrtLaunchHostFunc",
            aclrtLaunchHostFunc(in.pick(w.streams), in.byte() % 8 ? count_host_func : nullptr, &w.host_funcs_run));
      break;
    case 27: {
      // Matrix copies; a pageable buffer is never described past its end.
      const Buffer dst = in.pick(w.buffers);
      const Buffer src = in.pick(w.buffers);
      std::size_t width = in.byte() % 64, height = in.byte() % 16;
      const std::size_t dpitch = width + in.byte() % 32 - (in.byte() % 4 == 0 ? 1 : 0);
      const std::size_t spitch = width + in.byte() % 32;
      const auto extent = [&](std::size_t pitch) { return height == 0 ? 0 : (height - 1) * pitch + width; };
      while (height > 0 && ((dst.pageable && extent(dpitch) > dst.cap) || (src.pageable && extent(spitch) > src.cap)))
        --height;
      check("aclrtMemcpy2d", fuzz_memcpy_2d(dst.p, dpitch, src.p, spitch, width, height,
                                            static_cast<int>(in.byte() % 7) - 1, in.pick(w.streams), in.byte() % 2));
      break;
    }
    case 28: {
      void* p = nullptr;
      const bool media = in.byte() % 2;
      const std::size_t bytes = in.u16() % 4096;
      const aclError e = media ? acldvppMalloc(&p, bytes)
                               : fuzz_malloc_align32(&p, bytes, static_cast<int>(in.byte() % 8) - 1);
      check(media ? "acldvppMalloc" : "aclrtMallocAlign32", e);
      if (e == ACL_SUCCESS && media) w.media.push_back(p);
      if (e == ACL_SUCCESS && !media) w.frees.push_back(p);
      if (e == ACL_SUCCESS) w.buffers.push_back({p, bytes, false});
      break;
    }
    case 29: {
      void* p = in.pick(w.media);
      const aclError e = acldvppFree(p);
      check("acldvppFree", e);
      if (e == ACL_SUCCESS) std::erase_if(w.buffers, [p](const Buffer& b) { return b.p == p; });
      break;
    }
    case 30: {
      unsigned char args[24] = {};
      check("vnpuLaunchKernelWithArgs",
            vnpuLaunchKernelWithArgs(noop_kernel, in.byte() % 4, in.byte() % 8 ? args : nullptr, in.byte() % 25,
                                     in.pick(w.streams)));
      aclrtStream def = nullptr;
      check("aclrtCtxGetCurrentDefaultStream", aclrtCtxGetCurrentDefaultStream(&def));
      if (def != nullptr) w.streams.push_back(def);
      break;
    }
    case 31: {
      const std::int32_t dev = static_cast<std::int32_t>(in.byte() % 3) - 1;
      switch (in.byte() % 3) {
        case 0: check("aclrtDeviceEnablePeerAccess", aclrtDeviceEnablePeerAccess(dev, in.byte() % 2)); break;
        case 1: check("aclrtDeviceDisablePeerAccess", aclrtDeviceDisablePeerAccess(dev)); break;
        default: check("aclrtResetDeviceForce", aclrtResetDeviceForce(dev)); break;
      }
      break;
    }
    default: {
      size_t free_b, total_b;
      std::int32_t dev;
      aclrtContext c;
      check("aclrtGetMemInfo", fuzz_mem_info(static_cast<int>(in.byte() % 12) - 1, &free_b, &total_b));
      check("aclrtGetDevice", aclrtGetDevice(&dev));
      check("aclrtGetCurrentContext", aclrtGetCurrentContext(&c));
      break;
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Input in{data, size};
  check("aclInit", aclInit(nullptr));
  if (in.byte() % 4 != 0) check("aclrtSetDevice", aclrtSetDevice(0));
  World w;
  for (int steps = 0; in.n > 0 && steps < 48; ++steps) step(w, in);
  const aclError e = aclFinalize();
  if (e != ACL_SUCCESS) broken("aclFinalize", e);
  return 0;
}
