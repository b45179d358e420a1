/* Streams (default stream, timeouts, destroy with pending work) and events. */
#define _POSIX_C_SOURCE 200809L
#include <string.h>

#include "harness.h"
#include "tests.h"

void test_stream_create_destroy(void) {
  aclrtStream s;
  CHECK_CODE(aclrtCreateStream(NULL), ACL_ERROR_INVALID_PARAM);
  CHECK_OK(aclrtCreateStream(&s));
  CHECK(s != NULL);
  CHECK_OK(aclrtSynchronizeStream(s));
  CHECK_OK(aclrtDestroyStream(s));
  CHECK_CODE(aclrtDestroyStream(s), ACL_ERROR_RT_INVALID_HANDLE);
  CHECK_CODE(aclrtSynchronizeStream(s), ACL_ERROR_RT_INVALID_HANDLE);
  CHECK_CODE(aclrtDestroyStream(NULL), ACL_ERROR_INVALID_PARAM);
  CHECK_OK(aclrtSynchronizeStream(NULL));
  CHECK_OK(aclrtSynchronizeStreamWithTimeout(NULL, 0));
}

void test_stream_sync_timeout(void) {
  static gate g;
  static atomic_int after;
  atomic_store(&g.open, 0);
  atomic_store(&after, 0);
  aclrtStream s;
  CHECK_OK(aclrtCreateStream(&s));
  CHECK_OK(gate_block(&g, s));
  CHECK_OK(vnpuLaunchKernel(count_kernel, 1, &after, s));
  CHECK_CODE(aclrtSynchronizeStreamWithTimeout(s, 30), ACL_ERROR_RT_STREAM_SYNC_TIMEOUT);
  CHECK_CODE(aclrtSynchronizeStreamWithTimeout(s, 0), ACL_ERROR_RT_STREAM_SYNC_TIMEOUT);
  CHECK(atomic_load(&after) == 0);
  /* the stream stays usable: more work, then a wait that succeeds */
  CHECK_OK(vnpuLaunchKernel(count_kernel, 2, &after, s));
  atomic_store(&g.open, 1);
  CHECK_OK(aclrtSynchronizeStreamWithTimeout(s, -1));
  CHECK(atomic_load(&after) == 3);
  CHECK_OK(aclrtSynchronizeStreamWithTimeout(s, 1000));
  CHECK_CODE(aclrtSynchronizeStreamWithTimeout(s, -2), ACL_ERROR_INVALID_PARAM);
  CHECK_OK(aclrtDestroyStream(s));
}

/* The default stream (NULL) does not synchronize with other streams. */
void test_stream_default_is_independent(void) {
  static gate g;
  static atomic_int other_done, default_done;
  atomic_store(&g.open, 0);
  atomic_store(&other_done, 0);
  atomic_store(&default_done, 0);
  aclrtStream s;
  CHECK_OK(aclrtCreateStream(&s));
  CHECK_OK(gate_block(&g, NULL));
  CHECK_OK(vnpuLaunchKernel(count_kernel, 1, &default_done, NULL));
  CHECK_OK(vnpuLaunchKernel(count_kernel, 1, &other_done, s));
  CHECK_OK(aclrtSynchronizeStreamWithTimeout(s, 10000)); /* runs although the default stream is blocked */
  CHECK(atomic_load(&other_done) == 1);
  CHECK_CODE(aclrtSynchronizeStreamWithTimeout(NULL, 20), ACL_ERROR_RT_STREAM_SYNC_TIMEOUT);
  CHECK(atomic_load(&default_done) == 0);
  /* and the other way round */
  static gate g2;
  atomic_store(&g2.open, 0);
  CHECK_OK(gate_block(&g2, s));
  atomic_store(&g.open, 1);
  CHECK_OK(aclrtSynchronizeStreamWithTimeout(NULL, 10000));
  CHECK(atomic_load(&default_done) == 1);
  atomic_store(&g2.open, 1);
  CHECK_OK(aclrtSynchronizeStream(s));
  CHECK_OK(aclrtDestroyStream(s));
}

/* Destroying a stream with pending work lets the work finish. */
void test_stream_destroy_with_pending_work(void) {
  static gate g;
  static atomic_int done;
  atomic_store(&g.open, 0);
  atomic_store(&done, 0);
  enum { N = 1 << 16 };
  /* Pinned: with pageable memory aclrtMemcpyAsync would wait for the closed gate. */
  unsigned char *src = NULL, *dst = NULL;
  CHECK_OK(aclrtMallocHost((void **)&src, N));
  CHECK_OK(aclrtMallocHost((void **)&dst, N));
  memset(src, 0x3C, N);
  memset(dst, 0, N);
  void *d = NULL;
  CHECK_OK(aclrtMalloc(&d, N, ACL_MEM_MALLOC_HUGE_FIRST));
  aclrtStream s;
  aclrtEvent e;
  CHECK_OK(aclrtCreateStream(&s));
  CHECK_OK(aclrtCreateEvent(&e));
  CHECK_OK(gate_block(&g, s));
  CHECK_OK(aclrtMemcpyAsync(d, N, src, N, ACL_MEMCPY_HOST_TO_DEVICE, s));
  CHECK_OK(aclrtMemcpyAsync(dst, N, d, N, ACL_MEMCPY_DEVICE_TO_HOST, s));
  CHECK_OK(aclrtRecordEvent(e, s));
  CHECK_OK(vnpuLaunchKernel(count_kernel, 4, &done, s));
  CHECK_OK(aclrtDestroyStream(s)); /* returns at once, the gate is still closed */
  CHECK(atomic_load(&done) == 0);
  atomic_store(&g.open, 1);
  CHECK_OK(aclrtSynchronizeEvent(e)); /* the event recorded before the destroy still completes */
  CHECK(wait_flag(&done, 4, 10000) == 4);
  CHECK(dst[0] == 0x3C && dst[N - 1] == 0x3C);
  CHECK_OK(aclrtDestroyEvent(e));
  CHECK_OK(aclrtFree(d));
  CHECK_OK(aclrtFreeHost(src));
  CHECK_OK(aclrtFreeHost(dst));
}

void test_event_status(void) {
  static gate g;
  atomic_store(&g.open, 0);
  aclrtEvent e;
  aclrtEventStatus st = ACL_EVENT_STATUS_RESERVED;
  CHECK(ACL_EVENT_STATUS_COMPLETE == 0 && ACL_EVENT_STATUS_NOT_READY == 1 && ACL_EVENT_STATUS_RESERVED == 2);
  CHECK_CODE(aclrtCreateEvent(NULL), ACL_ERROR_INVALID_PARAM);
  CHECK_OK(aclrtCreateEvent(&e));
  CHECK_OK(aclrtQueryEvent(e, &st));
  CHECK(st == ACL_EVENT_STATUS_COMPLETE); /* never recorded */
  CHECK_CODE(aclrtQueryEvent(e, NULL), ACL_ERROR_INVALID_PARAM);
  aclrtStream s;
  CHECK_OK(aclrtCreateStream(&s));
  CHECK_OK(gate_block(&g, s));
  CHECK_OK(aclrtRecordEvent(e, s));
  CHECK_OK(aclrtQueryEvent(e, &st));
  CHECK(st == ACL_EVENT_STATUS_NOT_READY);
  atomic_store(&g.open, 1);
  CHECK_OK(aclrtSynchronizeEvent(e));
  CHECK_OK(aclrtQueryEvent(e, &st));
  CHECK(st == ACL_EVENT_STATUS_COMPLETE);
  /* reset: back to never recorded */
  atomic_store(&g.open, 0);
  CHECK_OK(gate_block(&g, s));
  CHECK_OK(aclrtRecordEvent(e, s));
  CHECK_OK(aclrtQueryEvent(e, &st));
  CHECK(st == ACL_EVENT_STATUS_NOT_READY);
  CHECK_OK(aclrtResetEvent(e, s));
  CHECK_OK(aclrtQueryEvent(e, &st));
  CHECK(st == ACL_EVENT_STATUS_COMPLETE);
  CHECK_CODE(aclrtResetEvent(NULL, s), ACL_ERROR_INVALID_PARAM);
  CHECK_CODE(aclrtRecordEvent(NULL, s), ACL_ERROR_INVALID_PARAM);
  atomic_store(&g.open, 1);
  CHECK_OK(aclrtSynchronizeStream(s));
  CHECK_OK(aclrtDestroyEvent(e));
  CHECK_CODE(aclrtDestroyEvent(e), ACL_ERROR_RT_INVALID_HANDLE);
  CHECK_CODE(aclrtDestroyEvent(NULL), ACL_ERROR_INVALID_PARAM);
  CHECK_CODE(aclrtSynchronizeEvent(NULL), ACL_ERROR_INVALID_PARAM);
  CHECK_OK(aclrtDestroyStream(s));
}

/* A wait captures the event's record as of the wait; a later re-record does not move it. */
void test_event_capture(void) {
  static gate g;
  static atomic_int waited;
  atomic_store(&g.open, 0);
  atomic_store(&waited, 0);
  aclrtStream s1, s2, s3;
  aclrtEvent e;
  CHECK_OK(aclrtCreateStream(&s1));
  CHECK_OK(aclrtCreateStream(&s2));
  CHECK_OK(aclrtCreateStream(&s3));
  CHECK_OK(aclrtCreateEventWithFlag(&e, ACL_EVENT_SYNC));
  CHECK_OK(gate_block(&g, s1));
  CHECK_OK(aclrtRecordEvent(e, s1));
  CHECK_OK(aclrtStreamWaitEvent(s2, e));
  CHECK_OK(vnpuLaunchKernel(count_kernel, 1, &waited, s2));
  CHECK_OK(aclrtRecordEvent(e, s3)); /* s3 is idle: this record completes at once */
  CHECK_OK(aclrtSynchronizeEvent(e)); /* sync sees the latest record */
  CHECK_CODE(aclrtSynchronizeStreamWithTimeout(s2, 30), ACL_ERROR_RT_STREAM_SYNC_TIMEOUT);
  CHECK(atomic_load(&waited) == 0); /* s2 still waits for s1's point */
  atomic_store(&g.open, 1);
  CHECK_OK(aclrtSynchronizeStream(s2));
  CHECK(atomic_load(&waited) == 1);
  CHECK_CODE(aclrtStreamWaitEvent(s2, NULL), ACL_ERROR_INVALID_PARAM);
  CHECK_CODE(aclrtStreamWaitEvent(s2, s1), ACL_ERROR_RT_INVALID_HANDLE);
  CHECK_OK(aclrtStreamWaitEvent(NULL, e));
  CHECK_OK(aclrtSynchronizeStream(NULL));
  CHECK_OK(aclrtDestroyEvent(e));
  CHECK_OK(aclrtDestroyStream(s1));
  CHECK_OK(aclrtDestroyStream(s2));
  CHECK_OK(aclrtDestroyStream(s3));
}

void test_event_elapsed_time(void) {
  static gate g;
  atomic_store(&g.open, 0);
  aclrtEvent a, b, notime, timeline;
  CHECK_OK(aclrtCreateEvent(&a)); /* plain events record timestamps */
  CHECK_OK(aclrtCreateEvent(&b));
  CHECK_OK(aclrtCreateEventWithFlag(&notime, ACL_EVENT_SYNC));
  CHECK_OK(aclrtCreateEventWithFlag(&timeline, ACL_EVENT_TIME_LINE | ACL_EVENT_SYNC));
  CHECK(ACL_EVENT_SYNC == 0x1u && ACL_EVENT_TIME_LINE == 0x8u);
  aclrtEvent bad;
  CHECK_CODE(aclrtCreateEventWithFlag(&bad, 0x2), ACL_ERROR_INVALID_PARAM);
  CHECK_CODE(aclrtCreateEventWithFlag(NULL, ACL_EVENT_SYNC), ACL_ERROR_INVALID_PARAM);
  aclrtStream s;
  CHECK_OK(aclrtCreateStream(&s));
  float ms = -1.0f;
  CHECK_CODE(aclrtEventElapsedTime(&ms, a, b), ACL_ERROR_RT_PARAM_INVALID); /* never recorded */
  int sleep_for = 25;
  CHECK_OK(aclrtRecordEvent(a, s));
  CHECK_OK(vnpuLaunchKernel(sleep_kernel, 1, &sleep_for, s));
  CHECK_OK(aclrtRecordEvent(b, s));
  CHECK_OK(aclrtRecordEvent(timeline, s));
  CHECK_OK(aclrtRecordEvent(notime, s));
  CHECK_OK(aclrtSynchronizeEvent(b));
  CHECK_OK(aclrtSynchronizeStream(s));
  CHECK_OK(aclrtEventElapsedTime(&ms, a, b));
  CHECK(ms >= 20.0f && ms < 10000.0f);
  CHECK_OK(aclrtEventElapsedTime(&ms, a, timeline));
  CHECK(ms >= 20.0f);
  CHECK_CODE(aclrtEventElapsedTime(&ms, a, notime), ACL_ERROR_RT_PARAM_INVALID); /* no timestamps */
  CHECK_CODE(aclrtEventElapsedTime(NULL, a, b), ACL_ERROR_INVALID_PARAM);
  CHECK_CODE(aclrtEventElapsedTime(&ms, NULL, b), ACL_ERROR_INVALID_PARAM);
  CHECK_CODE(aclrtEventElapsedTime(&ms, a, s), ACL_ERROR_RT_INVALID_HANDLE);
  /* a record not complete yet */
  CHECK_OK(gate_block(&g, s));
  CHECK_OK(aclrtRecordEvent(b, s));
  CHECK_CODE(aclrtEventElapsedTime(&ms, a, b), ACL_ERROR_RT_EVENT_NOT_COMPLETE);
  atomic_store(&g.open, 1);
  CHECK_OK(aclrtSynchronizeStream(s));
  CHECK_OK(aclrtEventElapsedTime(&ms, a, b));
  /* a reset event counts as never recorded */
  CHECK_OK(aclrtResetEvent(b, s));
  CHECK_CODE(aclrtEventElapsedTime(&ms, a, b), ACL_ERROR_RT_PARAM_INVALID);
  CHECK_OK(aclrtDestroyEvent(a));
  CHECK_OK(aclrtDestroyEvent(b));
  CHECK_OK(aclrtDestroyEvent(notime));
  CHECK_OK(aclrtDestroyEvent(timeline));
  CHECK_OK(aclrtDestroyStream(s));
}
