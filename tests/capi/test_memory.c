/* Device and pinned memory, memory info, synchronous and asynchronous copies and memsets. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"
#include "tests.h"

void test_memory_malloc_free(void) {
  void *p = NULL;
  CHECK_CODE(aclrtMalloc(NULL, 64, ACL_MEM_MALLOC_HUGE_FIRST), ACL_ERROR_INVALID_PARAM);
  CHECK_CODE(aclrtMalloc(&p, 0, ACL_MEM_MALLOC_HUGE_FIRST), ACL_ERROR_INVALID_PARAM);
  CHECK_CODE(aclrtMalloc(&p, 64, (aclrtMemMallocPolicy)6), ACL_ERROR_INVALID_PARAM);
  CHECK_CODE(aclrtMalloc(&p, 64, (aclrtMemMallocPolicy)-1), ACL_ERROR_INVALID_PARAM);
  const aclrtMemMallocPolicy policies[] = {ACL_MEM_MALLOC_HUGE_FIRST,     ACL_MEM_MALLOC_HUGE_ONLY,
                                           ACL_MEM_MALLOC_NORMAL_ONLY,    ACL_MEM_MALLOC_HUGE_FIRST_P2P,
                                           ACL_MEM_MALLOC_HUGE_ONLY_P2P, ACL_MEM_MALLOC_NORMAL_ONLY_P2P};
  for (int i = 0; i < 6; ++i) {
    CHECK((int)policies[i] == i);
    CHECK_OK(aclrtMalloc(&p, 100 + (size_t)i, policies[i]));
    CHECK(p != NULL && ((uintptr_t)p % 64) == 0);
    memset(p, 0xAB, 100); /* device memory is host-addressable in vnpu */
    CHECK_OK(aclrtFree(p));
    CHECK_CODE(aclrtFree(p), ACL_ERROR_RT_MEMORY_FREE); /* double free */
  }
  CHECK_OK(aclrtMallocCached(&p, 4096, ACL_MEM_MALLOC_HUGE_FIRST));
  CHECK_CODE(aclrtFree((char *)p + 64), ACL_ERROR_RT_MEMORY_FREE); /* interior pointer */
  CHECK_CODE(aclrtFreeHost(p), ACL_ERROR_RT_MEMORY_FREE);          /* device memory to FreeHost */
  CHECK_OK(aclrtFree(p));
  CHECK_CODE(aclrtMallocCached(&p, 0, ACL_MEM_MALLOC_HUGE_FIRST), ACL_ERROR_INVALID_PARAM);
  int local = 0;
  void *heap = malloc(64);
  CHECK_CODE(aclrtFree(&local), ACL_ERROR_RT_MEMORY_FREE); /* foreign pointers */
  CHECK_CODE(aclrtFree(heap), ACL_ERROR_RT_MEMORY_FREE);
  CHECK_CODE(aclrtFreeHost(heap), ACL_ERROR_RT_MEMORY_FREE);
  free(heap);
  CHECK_CODE(aclrtFree(NULL), ACL_ERROR_INVALID_PARAM);
  CHECK_CODE(aclrtFreeHost(NULL), ACL_ERROR_INVALID_PARAM);
  void *h = NULL;
  CHECK_CODE(aclrtMallocHost(NULL, 64), ACL_ERROR_INVALID_PARAM);
  CHECK_CODE(aclrtMallocHost(&h, 0), ACL_ERROR_INVALID_PARAM);
  CHECK_OK(aclrtMallocHost(&h, 1000));
  CHECK(h != NULL && ((uintptr_t)h % 64) == 0);
  CHECK_CODE(aclrtFree(h), ACL_ERROR_RT_MEMORY_FREE); /* pinned memory to aclrtFree */
  CHECK_OK(aclrtFreeHost(h));
  CHECK_CODE(aclrtFreeHost(h), ACL_ERROR_RT_MEMORY_FREE);
  /* memory left allocated is freed by aclFinalize (the runner's) */
  CHECK_OK(aclrtMalloc(&p, 1 << 20, ACL_MEM_MALLOC_HUGE_FIRST));
  CHECK_OK(aclrtMallocHost(&h, 1 << 20));
}

void test_memory_info(void) {
  size_t free0 = 0, total0 = 0;
  CHECK_OK(aclrtGetMemInfo(ACL_HBM_MEM, &free0, &total0));
  CHECK(total0 > 0 && free0 <= total0);
  for (int attr = ACL_DDR_MEM; attr <= ACL_HBM_MEM_P2P_NORMAL; ++attr) {
    size_t f = 0, t = 0;
    CHECK_OK(aclrtGetMemInfo((aclrtMemAttr)attr, &f, &t));
    CHECK(t == total0);
  }
  CHECK(ACL_DDR_MEM == 0 && ACL_HBM_MEM == 1 && ACL_DDR_MEM_HUGE == 2 && ACL_DDR_MEM_NORMAL == 3);
  CHECK(ACL_HBM_MEM_HUGE == 4 && ACL_HBM_MEM_NORMAL == 5 && ACL_DDR_MEM_P2P_HUGE == 6);
  CHECK(ACL_DDR_MEM_P2P_NORMAL == 7 && ACL_HBM_MEM_P2P_HUGE == 8 && ACL_HBM_MEM_P2P_NORMAL == 9);
  size_t f = 0, t = 0;
  CHECK_CODE(aclrtGetMemInfo((aclrtMemAttr)10, &f, &t), ACL_ERROR_INVALID_PARAM);
  CHECK_CODE(aclrtGetMemInfo(ACL_DDR_MEM, NULL, &t), ACL_ERROR_INVALID_PARAM);
  CHECK_CODE(aclrtGetMemInfo(ACL_DDR_MEM, &f, NULL), ACL_ERROR_INVALID_PARAM);
  /* an allocation shows in the free bytes, and comes back when freed */
  void *p = NULL;
  CHECK_OK(aclrtMalloc(&p, 8 << 20, ACL_MEM_MALLOC_HUGE_FIRST));
  CHECK_OK(aclrtGetMemInfo(ACL_DDR_MEM, &f, &t));
  CHECK(f + (8 << 20) <= free0);
  CHECK_OK(aclrtFree(p));
  CHECK_OK(aclrtGetMemInfo(ACL_DDR_MEM, &f, &t));
  CHECK(f == free0);
  /* beyond the free memory, an allocation fails */
  CHECK_CODE(aclrtMalloc(&p, free0 + 1, ACL_MEM_MALLOC_HUGE_FIRST), ACL_ERROR_RT_MEMORY_ALLOCATION);
}

void test_memcpy_sync(void) {
  enum { N = 1000 };
  int host[N], back[N];
  for (int i = 0; i < N; ++i) host[i] = i * 7 - 3;
  void *a = NULL, *b = NULL;
  CHECK_OK(aclrtMalloc(&a, sizeof host, ACL_MEM_MALLOC_HUGE_FIRST));
  CHECK_OK(aclrtMalloc(&b, sizeof host, ACL_MEM_MALLOC_HUGE_FIRST));
  CHECK_OK(aclrtMemcpy(a, sizeof host, host, sizeof host, ACL_MEMCPY_HOST_TO_DEVICE));
  CHECK_OK(aclrtMemcpy(b, sizeof host, a, sizeof host, ACL_MEMCPY_DEVICE_TO_DEVICE));
  memset(back, 0, sizeof back);
  CHECK_OK(aclrtMemcpy(back, sizeof back, b, sizeof host, ACL_MEMCPY_DEVICE_TO_HOST));
  CHECK(memcmp(host, back, sizeof host) == 0);
  int hh[N];
  CHECK_OK(aclrtMemcpy(hh, sizeof hh, host, sizeof host, ACL_MEMCPY_HOST_TO_HOST));
  CHECK(memcmp(host, hh, sizeof host) == 0);
  CHECK(ACL_MEMCPY_HOST_TO_HOST == 0 && ACL_MEMCPY_HOST_TO_DEVICE == 1 && ACL_MEMCPY_DEVICE_TO_HOST == 2 &&
        ACL_MEMCPY_DEVICE_TO_DEVICE == 3);
  /* bounds, zero counts and null pointers */
  CHECK_CODE(aclrtMemcpy(a, 16, host, 17, ACL_MEMCPY_HOST_TO_DEVICE), ACL_ERROR_INVALID_PARAM);
  CHECK(strstr(aclGetRecentErrMsg(), "destMax") != NULL);
  CHECK_OK(aclrtMemcpy(NULL, 0, NULL, 0, ACL_MEMCPY_HOST_TO_DEVICE));
  CHECK_OK(aclrtMemcpy(a, sizeof host, host, 0, ACL_MEMCPY_DEVICE_TO_HOST)); /* zero: nothing is checked */
  CHECK_CODE(aclrtMemcpy(NULL, 16, host, 16, ACL_MEMCPY_HOST_TO_DEVICE), ACL_ERROR_INVALID_PARAM);
  CHECK_CODE(aclrtMemcpy(a, 16, NULL, 16, ACL_MEMCPY_HOST_TO_DEVICE), ACL_ERROR_INVALID_PARAM);
  CHECK_OK(aclrtMemcpy(a, 16, host, 16, ACL_MEMCPY_DEFAULT)); /* 4: the direction follows from the pointers */
  CHECK_CODE(aclrtMemcpy(a, 16, host, 16, (aclrtMemcpyKind)5), ACL_ERROR_INVALID_PARAM);
  CHECK_CODE(aclrtMemcpy(a, 16, host, 16, (aclrtMemcpyKind)-1), ACL_ERROR_INVALID_PARAM);
  /* a kind that contradicts the pointers */
  CHECK_CODE(aclrtMemcpy(a, 16, b, 16, ACL_MEMCPY_HOST_TO_DEVICE), ACL_ERROR_RT_PARAM_INVALID);
  CHECK_CODE(aclrtMemcpy(back, 16, host, 16, ACL_MEMCPY_DEVICE_TO_HOST), ACL_ERROR_RT_PARAM_INVALID);
  CHECK_CODE(aclrtMemcpy(a, 16, host, 16, ACL_MEMCPY_HOST_TO_HOST), ACL_ERROR_RT_PARAM_INVALID);
  /* a range running past its device allocation */
  CHECK_CODE(aclrtMemcpy((char *)a + sizeof host - 8, 64, host, 64, ACL_MEMCPY_HOST_TO_DEVICE),
             ACL_ERROR_RT_PARAM_INVALID);
  CHECK_OK(aclrtFree(a));
  CHECK_OK(aclrtFree(b));
  /* freed memory is refused (use after free) in any direction, host-to-host included */
  CHECK_CODE(aclrtMemcpy(back, 16, a, 16, ACL_MEMCPY_DEVICE_TO_HOST), ACL_ERROR_RT_PARAM_INVALID);
  CHECK(strstr(aclGetRecentErrMsg(), "use after free") != NULL);
  CHECK_CODE(aclrtMemcpy(back, 16, (char *)a + 8, 16, ACL_MEMCPY_HOST_TO_HOST), ACL_ERROR_RT_PARAM_INVALID);
  CHECK_CODE(aclrtMemcpy(b, 16, host, 16, ACL_MEMCPY_HOST_TO_DEVICE), ACL_ERROR_RT_PARAM_INVALID);
  CHECK_CODE(aclrtMemset(b, 16, 0, 16), ACL_ERROR_RT_PARAM_INVALID);
  CHECK(strstr(aclGetRecentErrMsg(), "use after free") != NULL);
}

void test_memset_all(void) {
  unsigned char back[256];
  void *d = NULL, *h = NULL;
  CHECK_OK(aclrtMalloc(&d, sizeof back, ACL_MEM_MALLOC_HUGE_FIRST));
  CHECK_OK(aclrtMallocHost(&h, sizeof back));
  CHECK_OK(aclrtMemset(d, sizeof back, 0x5A, sizeof back));
  CHECK_OK(aclrtMemcpy(back, sizeof back, d, sizeof back, ACL_MEMCPY_DEVICE_TO_HOST));
  for (size_t i = 0; i < sizeof back; ++i) CHECK(back[i] == 0x5A);
  CHECK_OK(aclrtMemset(h, sizeof back, 0x1FF, 10)); /* (unsigned char)value */
  CHECK(((unsigned char *)h)[9] == 0xFF);
  CHECK_CODE(aclrtMemset(d, 8, 0, 9), ACL_ERROR_INVALID_PARAM);
  CHECK(strstr(aclGetRecentErrMsg(), "maxCount") != NULL);
  CHECK_OK(aclrtMemset(NULL, 0, 0, 0));
  CHECK_CODE(aclrtMemset(NULL, 8, 0, 8), ACL_ERROR_INVALID_PARAM);
  CHECK_CODE(aclrtMemset(back, sizeof back, 0, 8), ACL_ERROR_RT_PARAM_INVALID); /* pageable */
  aclrtStream s;
  CHECK_OK(aclrtCreateStream(&s));
  CHECK_OK(aclrtMemsetAsync(d, sizeof back, 7, 100, s));
  CHECK_OK(aclrtMemsetAsync(NULL, 0, 7, 0, s));
  CHECK_CODE(aclrtMemsetAsync(d, 10, 7, 100, s), ACL_ERROR_INVALID_PARAM);
  CHECK_CODE(aclrtMemsetAsync(back, sizeof back, 7, 10, s), ACL_ERROR_RT_PARAM_INVALID);
  CHECK_OK(aclrtSynchronizeStream(s));
  CHECK_OK(aclrtMemcpy(back, sizeof back, d, sizeof back, ACL_MEMCPY_DEVICE_TO_HOST));
  CHECK(back[0] == 7 && back[99] == 7 && back[100] == 0x5A);
  CHECK_OK(aclrtDestroyStream(s));
}

/* Opens the gate after 50 ms, from another thread. */
static void *open_later(void *arg) {
  struct timespec ts = {0, 50 * 1000 * 1000};
  nanosleep(&ts, NULL);
  atomic_store(&((gate *)arg)->open, 1);
  return NULL;
}

/* With pageable (non-page-locked) host memory aclrtMemcpyAsync returns only once the copy
 * is done, as documented: queued behind a closed gate it returns after the gate opened;
 * the source may then be reused, and a pageable destination holds the data at once,
 * without a synchronize. */
void test_memcpy_async_pageable(void) {
  static gate g;
  atomic_store(&g.open, 0);
  enum { N = 4096 };
  static int src[N], back[N];
  for (int i = 0; i < N; ++i) src[i] = i;
  void *d = NULL;
  CHECK_OK(aclrtMalloc(&d, sizeof src, ACL_MEM_MALLOC_HUGE_FIRST));
  aclrtStream s;
  CHECK_OK(aclrtCreateStream(&s));
  CHECK_OK(gate_block(&g, s));
  pthread_t opener;
  CHECK(pthread_create(&opener, NULL, open_later, &g) == 0);
  CHECK_OK(aclrtMemcpyAsync(d, sizeof src, src, sizeof src, ACL_MEMCPY_HOST_TO_DEVICE, s));
  CHECK(atomic_load(&g.open) == 1); /* it waited for the gate */
  for (int i = 0; i < N; ++i) src[i] = -1;
  CHECK_OK(aclrtMemcpyAsync(back, sizeof back, d, sizeof src, ACL_MEMCPY_DEVICE_TO_HOST, s));
  for (int i = 0; i < N; ++i) CHECK(back[i] == i); /* no synchronize needed */
  CHECK(pthread_join(opener, NULL) == 0);
  CHECK_OK(aclrtSynchronizeStream(s));
  CHECK_OK(aclrtDestroyStream(s));
  CHECK_OK(aclrtFree(d));
}

/* From pinned memory the copy reads the source when it runs: aclrtMemcpyAsync returns at
 * once (here: while the stream is blocked) and sees later changes. */
void test_memcpy_async_pinned(void) {
  static gate g;
  atomic_store(&g.open, 0);
  enum { N = 4096 };
  int *pinned = NULL, *back = NULL;
  void *d = NULL;
  CHECK_OK(aclrtMallocHost((void **)&pinned, N * sizeof(int)));
  CHECK_OK(aclrtMallocHost((void **)&back, N * sizeof(int)));
  CHECK_OK(aclrtMalloc(&d, N * sizeof(int), ACL_MEM_MALLOC_HUGE_FIRST));
  for (int i = 0; i < N; ++i) pinned[i] = -1;
  aclrtStream s;
  CHECK_OK(aclrtCreateStream(&s));
  CHECK_OK(gate_block(&g, s));
  CHECK_OK(aclrtMemcpyAsync(d, N * sizeof(int), pinned, N * sizeof(int), ACL_MEMCPY_HOST_TO_DEVICE, s));
  CHECK_OK(aclrtMemcpyAsync(back, N * sizeof(int), d, N * sizeof(int), ACL_MEMCPY_DEVICE_TO_HOST, s));
  for (int i = 0; i < N; ++i) pinned[i] = 2 * i; /* before the copy runs */
  atomic_store(&g.open, 1);
  CHECK_OK(aclrtSynchronizeStream(s));
  for (int i = 0; i < N; ++i) CHECK(back[i] == 2 * i);
  /* errors are found at submission */
  CHECK_CODE(aclrtMemcpyAsync(d, 8, pinned, 16, ACL_MEMCPY_HOST_TO_DEVICE, s), ACL_ERROR_INVALID_PARAM);
  CHECK_CODE(aclrtMemcpyAsync(NULL, 16, pinned, 16, ACL_MEMCPY_HOST_TO_DEVICE, s), ACL_ERROR_INVALID_PARAM);
  CHECK_CODE(aclrtMemcpyAsync(d, 16, pinned, 16, (aclrtMemcpyKind)9, s), ACL_ERROR_INVALID_PARAM);
  CHECK_CODE(aclrtMemcpyAsync(d, 16, d, 16, ACL_MEMCPY_HOST_TO_DEVICE, s), ACL_ERROR_RT_PARAM_INVALID);
  CHECK_OK(aclrtMemcpyAsync(NULL, 0, NULL, 0, ACL_MEMCPY_HOST_TO_DEVICE, s));
  CHECK_OK(aclrtMemcpyAsync(d, 16, pinned, 16, ACL_MEMCPY_HOST_TO_DEVICE, NULL)); /* default stream */
  CHECK_OK(aclrtSynchronizeStream(NULL));
  CHECK_OK(aclrtDestroyStream(s));
  CHECK_CODE(aclrtMemcpyAsync(d, 16, pinned, 16, ACL_MEMCPY_HOST_TO_DEVICE, s), ACL_ERROR_RT_INVALID_HANDLE);
  CHECK_OK(aclrtFreeHost(pinned));
  CHECK_OK(aclrtFreeHost(back));
  CHECK_OK(aclrtFree(d));
}
