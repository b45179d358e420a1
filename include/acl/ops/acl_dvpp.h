/* acl/ops/acl_dvpp.h — the part of AscendCL's media-processing (DVPP) interface that vnpu
 * offers: memory for media buffers. Link with -lacl_dvpp (or -lascendcl: it is the same
 * library).
 *
 * Written for vnpu from the public interface facts of AscendCL. The rest of DVPP (image and
 * video processing) is not provided: a program that uses it fails to compile on the missing
 * name, never at run time.
 */
#ifndef VNPU_ACL_OPS_ACL_DVPP_H_
#define VNPU_ACL_OPS_ACL_DVPP_H_

#include <stddef.h>

#include "../acl.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Allocates `size` bytes of device memory for media buffers, 128-byte aligned; the size is
 * rounded up to a multiple of 32 bytes, plus 32, as the accelerator does. Counted against
 * the device's capacity like aclrtMalloc. Free it with acldvppFree only.
 * ACL_ERROR_INVALID_PARAM for a NULL devPtr or size 0; ACL_ERROR_RT_MEMORY_ALLOCATION beyond
 * the free memory. Needs aclInit and a current context.
 */
ACL_FUNC_VISIBILITY aclError acldvppMalloc(void **devPtr, size_t size);

/** Frees memory from acldvppMalloc. Errors as for aclrtFree (ACL_ERROR_RT_MEMORY_FREE for a
 *  pointer that acldvppMalloc did not return, or already freed). */
ACL_FUNC_VISIBILITY aclError acldvppFree(void *devPtr);

#ifdef __cplusplus
}
#endif

#endif /* VNPU_ACL_OPS_ACL_DVPP_H_ */
