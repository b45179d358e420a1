/* acl/acl.h — vnpu's AscendCL-compatible C API: include this one header.
 *
 *   aclInit(NULL);
 *   aclrtSetDevice(0);
 *   aclrtStream stream;
 *   aclrtCreateStream(&stream);
 *   void *dev;
 *   aclrtMalloc(&dev, bytes, ACL_MEM_MALLOC_HUGE_FIRST);
 *   aclrtMemcpyAsync(dev, bytes, host, bytes, ACL_MEMCPY_HOST_TO_DEVICE, stream);
 *   aclrtSynchronizeStream(stream);
 *   ...
 *   aclFinalize();
 *
 * Build: cc app.c -I$PREFIX/include -L$PREFIX/lib -lascendcl  (or pkg-config ascendcl).
 * Written for vnpu from the public interface facts of AscendCL; see docs/c-api.md.
 */
#ifndef VNPU_ACL_ACL_H_
#define VNPU_ACL_ACL_H_

/* Relative to this file, so that both -I<prefix>/include ("acl/acl.h") and
 * -I<prefix>/include/acl ("acl.h") find them. */
#include "acl_base.h"
#include "acl_rt.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Initializes the library for this process. `configPath` may be NULL or "" (no
 * configuration); otherwise it must name a readable file (its contents are not
 * interpreted by vnpu), else ACL_ERROR_INVALID_PARAM. A second call without aclFinalize
 * is ACL_ERROR_REPEAT_INITIALIZE and changes nothing. After aclFinalize, aclInit may be
 * called again.
 */
ACL_FUNC_VISIBILITY aclError aclInit(const char *configPath);

/**
 * Releases everything made through this API: callback subscriptions end (pending
 * callbacks run as after aclrtUnSubscribeReport), every context, stream and event is
 * destroyed after its queued work completes, and device and pinned memory still allocated
 * is freed. It returns after all work queued through the API has run, also that of
 * streams and contexts destroyed earlier, so kernels and callbacks never outlive it. A
 * second call is ACL_ERROR_REPEAT_FINALIZE; a call before any aclInit is
 * ACL_ERROR_UNINITIALIZE. From inside a callback, a kernel or a host function it would
 * wait for its caller: ACL_ERROR_RT_FEATURE_NOT_SUPPORT, and nothing changes. A process may
 * also exit without calling it. vnpuFinalizeWithTimeout (vnpu/acl_ext.h) bounds the wait.
 */
ACL_FUNC_VISIBILITY aclError aclFinalize(void);

#ifdef __cplusplus
}
#endif

#endif /* VNPU_ACL_ACL_H_ */
