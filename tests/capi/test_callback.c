/* The subscribe / launch / process-report callback model. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <string.h>

#include "harness.h"
#include "tests.h"

/* A thread that calls aclrtProcessReport in a loop until told to stop. */
typedef struct processor {
  pthread_t thread;
  atomic_int stop;
  atomic_int timeouts;
  atomic_int unsubscribed_returns;
} processor;

static void *process_loop(void *p) {
  processor *pr = (processor *)p;
  while (!atomic_load(&pr->stop)) {
    aclError e = aclrtProcessReport(10);
    if (e == ACL_ERROR_RT_REPORT_TIMEOUT) atomic_fetch_add(&pr->timeouts, 1);
    if (e == ACL_ERROR_RT_THREAD_SUBSCRIBE) atomic_fetch_add(&pr->unsubscribed_returns, 1);
    if (e != ACL_SUCCESS && e != ACL_ERROR_RT_REPORT_TIMEOUT) sleep_ms(1);
  }
  return NULL;
}

static int processor_start(processor *pr) {
  atomic_store(&pr->stop, 0);
  atomic_store(&pr->timeouts, 0);
  atomic_store(&pr->unsubscribed_returns, 0);
  return pthread_create(&pr->thread, NULL, process_loop, pr) == 0;
}

static void processor_stop(processor *pr) {
  atomic_store(&pr->stop, 1);
  pthread_join(pr->thread, NULL);
}

/* What a callback records. */
typedef struct record {
  atomic_int count;
  int order[256];
  pthread_t ran_on[256];
} record;

typedef struct cb_arg {
  record *rec;
  int index;
} cb_arg;

static void record_callback(void *user) {
  cb_arg *a = (cb_arg *)user;
  int n = atomic_fetch_add(&a->rec->count, 1);
  if (n < 256) {
    a->rec->order[n] = a->index;
    a->rec->ran_on[n] = pthread_self();
  }
}

void test_callback_errors(void) {
  aclrtStream s;
  CHECK_OK(aclrtCreateStream(&s));
  static record rec;
  cb_arg arg = {&rec, 0};
  CHECK(ACL_CALLBACK_NO_BLOCK == 0 && ACL_CALLBACK_BLOCK == 1);
  CHECK_CODE(aclrtLaunchCallback(record_callback, &arg, ACL_CALLBACK_BLOCK, s), ACL_ERROR_RT_STREAM_NO_CB_REG);
  CHECK_CODE(aclrtLaunchCallback(record_callback, &arg, ACL_CALLBACK_NO_BLOCK, NULL), ACL_ERROR_RT_STREAM_NO_CB_REG);
  CHECK_CODE(aclrtLaunchCallback(NULL, &arg, ACL_CALLBACK_BLOCK, s), ACL_ERROR_INVALID_PARAM);
  CHECK_CODE(aclrtLaunchCallback(record_callback, &arg, (aclrtCallbackBlockType)2, s), ACL_ERROR_INVALID_PARAM);
  CHECK_CODE(aclrtProcessReport(10), ACL_ERROR_RT_THREAD_SUBSCRIBE); /* this thread: no subscription */
  CHECK_CODE(aclrtProcessReport(-2), ACL_ERROR_INVALID_PARAM);
  uint64_t self = (uint64_t)pthread_self();
  CHECK_CODE(aclrtSubscribeReport(0, s), ACL_ERROR_INVALID_PARAM);
  CHECK_CODE(aclrtSubscribeReport(self, (aclrtStream)(intptr_t)0x77770), ACL_ERROR_RT_INVALID_HANDLE);
  CHECK_CODE(aclrtUnSubscribeReport(self, s), ACL_ERROR_RT_THREAD_SUBSCRIBE);
  CHECK_OK(aclrtSubscribeReport(self, s));
  CHECK_CODE(aclrtSubscribeReport(self, s), ACL_ERROR_RT_PARAM_INVALID);       /* twice */
  CHECK_CODE(aclrtSubscribeReport(self + 1, s), ACL_ERROR_RT_PARAM_INVALID);   /* a second thread */
  CHECK_CODE(aclrtProcessReport(20), ACL_ERROR_RT_REPORT_TIMEOUT);             /* nothing became due */
  CHECK_CODE(aclrtProcessReport(0), ACL_ERROR_RT_REPORT_TIMEOUT);
  CHECK_CODE(aclrtUnSubscribeReport(self + 1, s), ACL_ERROR_RT_THREAD_SUBSCRIBE); /* not that thread */
  CHECK_OK(aclrtUnSubscribeReport(self, s));
  CHECK_CODE(aclrtUnSubscribeReport(self, s), ACL_ERROR_RT_THREAD_SUBSCRIBE);
  CHECK_CODE(aclrtProcessReport(10), ACL_ERROR_RT_THREAD_SUBSCRIBE);
  CHECK_OK(aclrtDestroyStream(s));
}

/* Callbacks run once each, in stream order, on the subscribed thread. */
void test_callback_order_and_thread(void) {
  static record rec;
  static cb_arg args[200];
  atomic_store(&rec.count, 0);
  processor pr;
  CHECK(processor_start(&pr));
  aclrtStream s;
  CHECK_OK(aclrtCreateStream(&s));
  /* subscribing may happen from any thread, naming the processing thread */
  CHECK_OK(aclrtSubscribeReport((uint64_t)pr.thread, s));
  for (int i = 0; i < 200; ++i) {
    args[i].rec = &rec;
    args[i].index = i;
    CHECK_OK(aclrtLaunchCallback(record_callback, &args[i], i % 2 ? ACL_CALLBACK_BLOCK : ACL_CALLBACK_NO_BLOCK, s));
  }
  CHECK_OK(aclrtSynchronizeStream(s));
  CHECK(wait_flag(&rec.count, 200, 10000) == 200);
  sleep_ms(5);
  CHECK(atomic_load(&rec.count) == 200); /* once each */
  for (int i = 0; i < 200; ++i) {
    CHECK(rec.order[i] == i);
    CHECK(pthread_equal(rec.ran_on[i], pr.thread));
  }
  CHECK_OK(aclrtUnSubscribeReport((uint64_t)pr.thread, s));
  processor_stop(&pr);
  CHECK(atomic_load(&pr.unsubscribed_returns) >= 0);
  CHECK_OK(aclrtDestroyStream(s));
}

/* ACL_CALLBACK_BLOCK holds later work on the stream until the callback returns. */
typedef struct hold_arg {
  atomic_int entered;
  gate release; /* a gate, so that the runner releases it if the test fails */
} hold_arg;

static void hold_callback(void *user) {
  hold_arg *h = (hold_arg *)user;
  atomic_store(&h->entered, 1);
  while (!atomic_load(&h->release.open)) sleep_ms(1);
}

void test_callback_block_holds_stream(void) {
  static hold_arg h;
  static atomic_int after;
  atomic_store(&h.entered, 0);
  gate_close(&h.release);
  atomic_store(&after, 0);
  processor pr;
  CHECK(processor_start(&pr));
  aclrtStream s;
  CHECK_OK(aclrtCreateStream(&s));
  CHECK_OK(aclrtSubscribeReport((uint64_t)pr.thread, s));
  CHECK_OK(aclrtLaunchCallback(hold_callback, &h, ACL_CALLBACK_BLOCK, s));
  CHECK_OK(vnpuLaunchKernel(count_kernel, 1, &after, s));
  CHECK(wait_flag(&h.entered, 1, 10000) == 1);
  CHECK_CODE(aclrtSynchronizeStreamWithTimeout(s, 30), ACL_ERROR_RT_STREAM_SYNC_TIMEOUT);
  CHECK(atomic_load(&after) == 0);
  atomic_store(&h.release.open, 1);
  CHECK_OK(aclrtSynchronizeStream(s));
  CHECK(atomic_load(&after) == 1);
  /* a non-blocking callback does not hold the stream */
  atomic_store(&h.entered, 0);
  gate_close(&h.release);
  CHECK_OK(aclrtLaunchCallback(hold_callback, &h, ACL_CALLBACK_NO_BLOCK, s));
  CHECK_OK(vnpuLaunchKernel(count_kernel, 1, &after, s));
  CHECK(wait_flag(&after, 2, 10000) == 2);
  CHECK(wait_flag(&h.entered, 1, 10000) == 1);
  atomic_store(&h.release.open, 1);
  CHECK_OK(aclrtSynchronizeStream(s));
  CHECK_OK(aclrtUnSubscribeReport((uint64_t)pr.thread, s));
  processor_stop(&pr);
  CHECK_OK(aclrtDestroyStream(s));
}

/* Inside a callback: queueing works, waits are refused instead of deadlocking. */
typedef struct inside_arg {
  aclrtStream own;
  aclrtStream other;
  aclError sync_own, sync_other, sync_device, process, sync_event, query, launch;
  atomic_int done;
  atomic_int counter;
  aclrtEvent event;
} inside_arg;

static void inside_callback(void *user) {
  inside_arg *a = (inside_arg *)user;
  aclrtEventStatus st;
  a->sync_own = aclrtSynchronizeStream(a->own);
  a->sync_other = aclrtSynchronizeStreamWithTimeout(a->other, 10);
  a->sync_device = aclrtSynchronizeDevice();
  a->process = aclrtProcessReport(0);
  a->sync_event = aclrtSynchronizeEvent(a->event);
  a->query = aclrtQueryEvent(a->event, &st);
  a->launch = vnpuLaunchKernel(count_kernel, 1, &a->counter, a->other);
  atomic_store(&a->done, 1);
}

void test_callback_calls_inside(void) {
  static inside_arg a;
  memset(&a, 0, sizeof a);
  processor pr;
  CHECK(processor_start(&pr));
  CHECK_OK(aclrtCreateStream(&a.own));
  CHECK_OK(aclrtCreateStream(&a.other));
  CHECK_OK(aclrtCreateEvent(&a.event));
  CHECK_OK(aclrtSubscribeReport((uint64_t)pr.thread, a.own));
  CHECK_OK(aclrtLaunchCallback(inside_callback, &a, ACL_CALLBACK_BLOCK, a.own));
  CHECK_OK(aclrtSynchronizeStream(a.own));
  CHECK(atomic_load(&a.done) == 1);
  CHECK(a.sync_own == ACL_ERROR_RT_FEATURE_NOT_SUPPORT);
  CHECK(a.sync_other == ACL_ERROR_RT_FEATURE_NOT_SUPPORT);
  CHECK(a.sync_device == ACL_ERROR_RT_FEATURE_NOT_SUPPORT || a.sync_device == ACL_ERROR_RT_CONTEXT_NULL);
  CHECK(a.process == ACL_ERROR_RT_FEATURE_NOT_SUPPORT);
  CHECK(a.sync_event == ACL_ERROR_RT_FEATURE_NOT_SUPPORT);
  CHECK(a.query == ACL_SUCCESS);
  CHECK(a.launch == ACL_SUCCESS); /* the processing thread needs no current context */
  CHECK_OK(aclrtSynchronizeStream(a.other));
  CHECK(atomic_load(&a.counter) == 1);
  CHECK_OK(aclrtUnSubscribeReport((uint64_t)pr.thread, a.own));
  processor_stop(&pr);
  CHECK_OK(aclrtDestroyStream(a.own));
  CHECK_OK(aclrtDestroyStream(a.other));
  CHECK_OK(aclrtDestroyEvent(a.event));
}

/* A thread that alone runs a stream's blocking callbacks cannot wait for that stream. */
void test_callback_self_wait_refused(void) {
  static record rec;
  static cb_arg arg;
  atomic_store(&rec.count, 0);
  arg.rec = &rec;
  arg.index = 7;
  aclrtStream s;
  CHECK_OK(aclrtCreateStream(&s));
  uint64_t self = (uint64_t)pthread_self();
  CHECK_OK(aclrtSubscribeReport(self, s));
  CHECK_OK(aclrtLaunchCallback(record_callback, &arg, ACL_CALLBACK_BLOCK, s));
  CHECK_CODE(aclrtSynchronizeStream(s), ACL_ERROR_RT_FEATURE_NOT_SUPPORT);
  CHECK_CODE(aclrtSynchronizeDevice(), ACL_ERROR_RT_FEATURE_NOT_SUPPORT);
  aclrtEvent e;
  CHECK_OK(aclrtCreateEvent(&e));
  CHECK_OK(aclrtRecordEvent(e, s)); /* completes only after the callback */
  CHECK_CODE(aclrtSynchronizeEvent(e), ACL_ERROR_RT_FEATURE_NOT_SUPPORT);
  /* a timed wait is allowed: it ends */
  CHECK_CODE(aclrtSynchronizeStreamWithTimeout(s, 10), ACL_ERROR_RT_STREAM_SYNC_TIMEOUT);
  CHECK_OK(aclrtProcessReport(10000)); /* runs it here */
  CHECK_OK(aclrtSynchronizeEvent(e));
  CHECK_OK(aclrtDestroyEvent(e));
  CHECK(atomic_load(&rec.count) == 1 && pthread_equal(rec.ran_on[0], pthread_self()));
  CHECK_OK(aclrtSynchronizeStream(s));
  CHECK_OK(aclrtUnSubscribeReport(self, s));
  CHECK_OK(aclrtDestroyStream(s));
}

/* Unsubscribing, destroying or finalizing never leaves a blocking callback holding its
 * stream: callbacks no thread will process run anyway. */
void test_callback_unsubscribe_runs_pending(void) {
  static record rec;
  static cb_arg args[4];
  atomic_store(&rec.count, 0);
  aclrtStream s;
  CHECK_OK(aclrtCreateStream(&s));
  uint64_t self = (uint64_t)pthread_self();
  CHECK_OK(aclrtSubscribeReport(self, s)); /* this thread never calls aclrtProcessReport */
  for (int i = 0; i < 4; ++i) {
    args[i].rec = &rec;
    args[i].index = i;
    CHECK_OK(aclrtLaunchCallback(record_callback, &args[i], ACL_CALLBACK_BLOCK, s));
  }
  CHECK_CODE(aclrtSynchronizeStreamWithTimeout(s, 20), ACL_ERROR_RT_STREAM_SYNC_TIMEOUT);
  CHECK_OK(aclrtUnSubscribeReport(self, s));
  CHECK_OK(aclrtSynchronizeStream(s));
  CHECK(atomic_load(&rec.count) == 4);
  for (int i = 0; i < 4; ++i) CHECK(rec.order[i] == i);
  /* the same through destroying the stream */
  aclrtStream s2;
  CHECK_OK(aclrtCreateStream(&s2));
  CHECK_OK(aclrtSubscribeReport(self, s2));
  for (int i = 0; i < 4; ++i) CHECK_OK(aclrtLaunchCallback(record_callback, &args[i], ACL_CALLBACK_BLOCK, s2));
  CHECK_OK(aclrtDestroyStream(s2));
  CHECK(wait_flag(&rec.count, 8, 10000) == 8);
  CHECK_OK(aclrtDestroyStream(s));
}

/* A thread waiting in aclrtProcessReport(-1) returns when its last subscription ends. */
typedef struct forever_arg {
  atomic_int start;
  aclError result;
} forever_arg;

static void *process_forever(void *p) {
  forever_arg *a = (forever_arg *)p;
  while (!atomic_load(&a->start)) sleep_ms(1);
  a->result = aclrtProcessReport(-1);
  return NULL;
}

void test_callback_process_wakes_on_unsubscribe(void) {
  aclrtStream s;
  CHECK_OK(aclrtCreateStream(&s));
  static forever_arg arg;
  atomic_store(&arg.start, 0);
  arg.result = ACL_SUCCESS;
  pthread_t t;
  CHECK(pthread_create(&t, NULL, process_forever, &arg) == 0);
  CHECK_OK(aclrtSubscribeReport((uint64_t)t, s));
  atomic_store(&arg.start, 1);
  sleep_ms(30); /* now it waits */
  CHECK_OK(aclrtUnSubscribeReport((uint64_t)t, s));
  pthread_join(t, NULL);
  CHECK(arg.result == ACL_ERROR_RT_THREAD_SUBSCRIBE);
  CHECK_OK(aclrtDestroyStream(s));
}

/* Several streams may report to one thread; one thread per stream. */
void test_callback_many_streams_one_thread(void) {
  static record rec;
  static cb_arg args[64];
  atomic_store(&rec.count, 0);
  processor pr;
  CHECK(processor_start(&pr));
  aclrtStream s[4];
  for (int i = 0; i < 4; ++i) {
    CHECK_OK(aclrtCreateStream(&s[i]));
    CHECK_OK(aclrtSubscribeReport((uint64_t)pr.thread, s[i]));
  }
  for (int i = 0; i < 64; ++i) {
    args[i].rec = &rec;
    args[i].index = i;
    CHECK_OK(aclrtLaunchCallback(record_callback, &args[i], i % 3 ? ACL_CALLBACK_NO_BLOCK : ACL_CALLBACK_BLOCK, s[i % 4]));
  }
  for (int i = 0; i < 4; ++i) CHECK_OK(aclrtSynchronizeStream(s[i]));
  CHECK(wait_flag(&rec.count, 64, 10000) == 64);
  for (int i = 0; i < 4; ++i) CHECK_OK(aclrtUnSubscribeReport((uint64_t)pr.thread, s[i]));
  processor_stop(&pr);
  for (int i = 0; i < 4; ++i) CHECK_OK(aclrtDestroyStream(s[i]));
}
