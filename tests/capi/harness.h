/* A small test harness for the C API conformance suite (C11 + pthreads).
 *
 * A test is a `void fn(void)`; CHECK* macros record a failure and return from it. Unless a
 * test is marked `raw`, the runner calls aclInit(NULL) and aclrtSetDevice(0) before it and
 * aclFinalize() after it, so every test starts from a fresh API state.
 */
#ifndef VNPU_TESTS_CAPI_HARNESS_H_
#define VNPU_TESTS_CAPI_HARNESS_H_

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>

#include "acl/acl.h"
#include "vnpu/acl_ext.h"

typedef void (*test_fn)(void);

typedef struct test_case {
  const char *group;
  const char *name;
  test_fn fn;
  int raw; /* 1: the test calls aclInit/aclFinalize itself */
} test_case;

void harness_fail(const char *file, int line, const char *what);
void harness_fail_code(const char *file, int line, const char *expr, aclError got, aclError want);
int harness_failed(void);

#define CHECK(cond)                                     \
  do {                                                  \
    if (!(cond)) {                                      \
      harness_fail(__FILE__, __LINE__, #cond);          \
      return;                                           \
    }                                                   \
  } while (0)

/* `expr` must return `want`; for an error code, the thread's recent message must exist and
 * mention the code. */
#define CHECK_CODE(expr, want)                                          \
  do {                                                                  \
    aclError got_ = (expr);                                             \
    if (got_ != (want) || !harness_message_mentions(got_)) {            \
      harness_fail_code(__FILE__, __LINE__, #expr, got_, (want));       \
      return;                                                           \
    }                                                                   \
  } while (0)

#define CHECK_OK(expr) CHECK_CODE(expr, ACL_SUCCESS)

/* True for ACL_SUCCESS, else when aclGetRecentErrMsg() names the code. */
int harness_message_mentions(aclError code);

/* ---- helpers shared by the tests ---- */

/* A gate kernel blocks its stream until the gate opens (polls every 100 us). Gates must be
 * static: the runner opens every gate of a test after it, even one that failed. */
typedef struct gate {
  atomic_int open;
} gate;
void gate_kernel(uint32_t blockIdx, uint32_t blockDim, void *args);
/* Queues a one-block gate kernel on `stream`. */
aclError gate_block(gate *g, aclrtStream stream);
/* Closes `g` and registers it to be opened after the test (for gates waited on elsewhere,
 * e.g. in a callback). */
void gate_close(gate *g);

/* A kernel that adds 1 to the atomic_int at args (once per block). */
void count_kernel(uint32_t blockIdx, uint32_t blockDim, void *args);
/* A kernel that sleeps for *(int *)args milliseconds (block 0 only). */
void sleep_kernel(uint32_t blockIdx, uint32_t blockDim, void *args);

void sleep_ms(int ms);
/* Polls `flag` until it is nonzero or `timeout_ms` passes; returns its last value. */
int wait_flag(atomic_int *flag, int want, int timeout_ms);

#endif
