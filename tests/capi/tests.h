/* The conformance tests: X(group, name, raw). raw = 1: the test calls aclInit itself. */
#ifndef VNPU_TESTS_CAPI_TESTS_H_
#define VNPU_TESTS_CAPI_TESTS_H_

#include "harness.h"

#define VNPU_CAPI_TESTS(X)                        \
  X(init, repeat_codes, 1)                        \
  X(init, uninitialized, 1)                       \
  X(init, config_path, 1)                         \
  X(init, finalize_waits_for_destroyed, 1)        \
  X(base, data_type_size, 0)                      \
  X(base, error_code_values, 0)                   \
  X(base, float16, 0)                             \
  X(base, data_buffer, 0)                         \
  X(base, error_message_per_thread, 0)            \
  X(device, set_get, 0)                           \
  X(device, no_context_in_new_thread, 0)          \
  X(device, reset_counts, 0)                      \
  X(device, synchronize, 0)                       \
  X(context, create_destroy, 0)                   \
  X(context, across_threads, 0)                   \
  X(handles, garbage_and_wrong_kind, 0)           \
  X(memory, malloc_free, 0)                       \
  X(memory, info, 0)                              \
  X(memcpy, sync, 0)                              \
  X(memcpy, async_pageable, 0)                    \
  X(memcpy, async_pinned, 0)                      \
  X(memset, all, 0)                               \
  X(stream, create_destroy, 0)                    \
  X(stream, sync_timeout, 0)                      \
  X(stream, default_is_independent, 0)           \
  X(stream, destroy_with_pending_work, 0)         \
  X(event, status, 0)                             \
  X(event, capture, 0)                            \
  X(event, elapsed_time, 0)                       \
  X(callback, errors, 0)                          \
  X(callback, order_and_thread, 0)                \
  X(callback, block_holds_stream, 0)              \
  X(callback, calls_inside, 0)                    \
  X(callback, self_wait_refused, 0)               \
  X(callback, unsubscribe_runs_pending, 0)        \
  X(callback, process_wakes_on_unsubscribe, 0)    \
  X(callback, many_streams_one_thread, 0)         \
  X(kernel, launch, 0)                            \
  X(kernel, failure_reported, 0)                  \
  X(kernel, async_pipeline, 0)                    \
  X(ops, tensor_init, 0)                          \
  X(ops, reduce, 0)                               \
  VNPU_CAPI_OPS_SOFTMAX_TESTS(X)                  \
  VNPU_CAPI_OPS_NORM_TESTS(X)                     \
  X(hostile, finalize_in_blocking_callback, 0)    \
  X(hostile, finalize_in_kernel, 0)               \
  X(hostile, self_subscribed_launches, 0)         \
  X(hostile, threads_launch_on_one_stream, 0)     \
  X(hostile, subscriber_exits, 0)                 \
  X(hostile, destroy_race, 0)                     \
  X(hostile, reduce_axis_count, 0)                \
  X(hostile, wrong_kind_message, 0)               \
  X(hostile, failures_counted, 0)                 \
  X(hostile, timed_forms, 0)                      \
  X(hostile, finalize_with_timeout, 1)            \
  X(porting, names_and_queries, 1)                \
  X(porting, data_buffers, 0)                     \
  X(porting, app_log, 0)                          \
  X(porting, reset_device_force, 0)               \
  X(porting, destroy_stream_force, 0)             \
  X(porting, stream_failure_mode, 0)              \
  X(porting, status_queries, 0)                   \
  X(porting, configured_streams_and_events, 0)    \
  X(porting, host_func, 0)                        \
  X(porting, peer_access, 0)                      \
  X(porting, exception_callback, 0)               \
  X(porting, launch_with_args, 0)                 \
  X(porting, memcpy_2d, 0)                        \
  X(porting, align32_and_media_memory, 0)         \
  X(stress, threads, 0)                           \
  X(stress, contexts_and_callbacks, 0)

/* Operator shims that exist only when the library was built with those operators. */
#ifdef VNPU_CAPI_TEST_SOFTMAX
#define VNPU_CAPI_OPS_SOFTMAX_TESTS(X) X(ops, softmax, 0)
#else
#define VNPU_CAPI_OPS_SOFTMAX_TESTS(X)
#endif
#ifdef VNPU_CAPI_TEST_NORM
#define VNPU_CAPI_OPS_NORM_TESTS(X) X(ops, norm, 0)
#else
#define VNPU_CAPI_OPS_NORM_TESTS(X)
#endif

#define VNPU_CAPI_DECLARE(group, name, raw) void test_##group##_##name(void);
VNPU_CAPI_TESTS(VNPU_CAPI_DECLARE)

extern const test_case k_tests[];

#endif
