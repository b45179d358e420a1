/* A program that uses the C API and exits without aclFinalize, with work still queued on
 * several streams, a subscribed callback thread and memory still allocated. Run by CTest:
 * it must exit with status 0, without hanging or crashing.
 *
 *   acl_exit_without_finalize return   # return from main
 *   acl_exit_without_finalize exit     # exit(0) from main
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "acl/acl.h"
#include "vnpu/acl_ext.h"

static void sleepy(uint32_t blockIdx, uint32_t blockDim, void *args) {
  (void)blockIdx;
  (void)blockDim;
  (void)args;
  struct timespec ts = {0, 2000000L};
  nanosleep(&ts, NULL);
}

static void noop_callback(void *user) { (void)user; }

static void *processor(void *arg) {
  (void)arg;
  for (;;) (void)aclrtProcessReport(-1);
  return NULL;
}

static int fail(const char *what, aclError e) {
  fprintf(stderr, "exit_without_finalize: %s returned %d: %s\n", what, e,
          aclGetRecentErrMsg() ? aclGetRecentErrMsg() : "");
  return 1;
}

int main(int argc, char **argv) {
  if (argc != 2 || (strcmp(argv[1], "return") != 0 && strcmp(argv[1], "exit") != 0)) {
    fprintf(stderr, "usage: %s return|exit\n", argv[0]);
    return 2;
  }
  aclError e = aclFinalize();
  if (e != ACL_ERROR_UNINITIALIZE) return fail("aclFinalize before aclInit", e);
  if ((e = aclInit(NULL)) != ACL_SUCCESS) return fail("aclInit", e);
  if ((e = aclrtSetDevice(0)) != ACL_SUCCESS) return fail("aclrtSetDevice", e);
  static unsigned char host[1 << 20];
  memset(host, 1, sizeof host);
  void *dev = NULL, *pinned = NULL;
  if ((e = aclrtMalloc(&dev, sizeof host, ACL_MEM_MALLOC_HUGE_FIRST)) != ACL_SUCCESS) return fail("aclrtMalloc", e);
  if ((e = aclrtMallocHost(&pinned, sizeof host)) != ACL_SUCCESS) return fail("aclrtMallocHost", e);
  pthread_t t;
  if (pthread_create(&t, NULL, processor, NULL) != 0) return 1;
  aclrtStream streams[3];
  for (int i = 0; i < 3; ++i)
    if ((e = aclrtCreateStream(&streams[i])) != ACL_SUCCESS) return fail("aclrtCreateStream", e);
  if ((e = aclrtSubscribeReport((uint64_t)t, streams[0])) != ACL_SUCCESS) return fail("aclrtSubscribeReport", e);
  for (int round = 0; round < 30; ++round) {
    for (int i = 0; i < 3; ++i) {
      if ((e = vnpuLaunchKernel(sleepy, 2, NULL, streams[i])) != ACL_SUCCESS) return fail("vnpuLaunchKernel", e);
      if ((e = aclrtMemcpyAsync(dev, sizeof host, host, sizeof host, ACL_MEMCPY_HOST_TO_DEVICE, streams[i])) !=
          ACL_SUCCESS)
        return fail("aclrtMemcpyAsync", e);
      if ((e = aclrtMemcpyAsync(pinned, sizeof host, dev, sizeof host, ACL_MEMCPY_DEVICE_TO_HOST, streams[i])) !=
          ACL_SUCCESS)
        return fail("aclrtMemcpyAsync", e);
    }
    if ((e = aclrtLaunchCallback(noop_callback, NULL, ACL_CALLBACK_BLOCK, streams[0])) != ACL_SUCCESS)
      return fail("aclrtLaunchCallback", e);
  }
  if (strcmp(argv[1], "exit") == 0) exit(0);
  return 0;
}
