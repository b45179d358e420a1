/* The runner of the C API conformance suite.
 *
 *   acl_conformance            # every test
 *   acl_conformance GROUP...   # the tests of these groups (or single tests: GROUP.NAME)
 *   acl_conformance --list
 */
#define _POSIX_C_SOURCE 200809L
#include "harness.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tests.h"

static int g_failed;

void harness_fail(const char *file, int line, const char *what) {
  const char *msg = aclGetRecentErrMsg();
  fprintf(stderr, "  %s:%d: CHECK(%s) failed (recent error: %s)\n", file, line, what, msg ? msg : "none");
  g_failed = 1;
}

void harness_fail_code(const char *file, int line, const char *expr, aclError got, aclError want) {
  const char *msg = aclGetRecentErrMsg();
  fprintf(stderr, "  %s:%d: %s returned %d, expected %d (recent error: %s)\n", file, line, expr, got, want,
          msg ? msg : "none");
  g_failed = 1;
}

int harness_failed(void) { return g_failed; }

int harness_message_mentions(aclError code) {
  if (code == ACL_SUCCESS) return 1;
  const char *msg = aclGetRecentErrMsg();
  char num[32];
  snprintf(num, sizeof num, "%d", code);
  return msg != NULL && strstr(msg, num) != NULL;
}

void sleep_ms(int ms) {
  struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

static void sleep_us(long us) {
  struct timespec ts = {0, us * 1000L};
  nanosleep(&ts, NULL);
}

void gate_kernel(uint32_t blockIdx, uint32_t blockDim, void *args) {
  (void)blockIdx;
  (void)blockDim;
  gate *g = (gate *)args;
  while (!atomic_load(&g->open)) sleep_us(100);
}

/* Gates queued by the running test; the runner opens them all after it, so that a test
 * that failed with a gate closed does not leave aclFinalize waiting. */
static gate *g_gates[256];
static atomic_int g_gate_count;

static void gate_register(gate *g) {
  int i = atomic_fetch_add(&g_gate_count, 1);
  if (i < 256) g_gates[i] = g;
}

void gate_close(gate *g) {
  atomic_store(&g->open, 0);
  gate_register(g);
}

aclError gate_block(gate *g, aclrtStream stream) {
  gate_register(g);
  return vnpuLaunchKernel(gate_kernel, 1, g, stream);
}

static void open_all_gates(void) {
  int n = atomic_exchange(&g_gate_count, 0);
  for (int i = 0; i < n && i < 256; ++i) atomic_store(&g_gates[i]->open, 1);
}

void count_kernel(uint32_t blockIdx, uint32_t blockDim, void *args) {
  (void)blockIdx;
  (void)blockDim;
  atomic_fetch_add((atomic_int *)args, 1);
}

void sleep_kernel(uint32_t blockIdx, uint32_t blockDim, void *args) {
  (void)blockDim;
  if (blockIdx == 0) sleep_ms(*(int *)args);
}

int wait_flag(atomic_int *flag, int want, int timeout_ms) {
  for (int waited = 0; waited < timeout_ms * 10; ++waited) {
    if (atomic_load(flag) >= want) break;
    sleep_us(100);
  }
  return atomic_load(flag);
}

static int selected(const test_case *t, int argc, char **argv) {
  if (argc <= 1) return 1;
  char full[256];
  snprintf(full, sizeof full, "%s.%s", t->group, t->name);
  for (int i = 1; i < argc; ++i)
    if (strcmp(argv[i], t->group) == 0 || strcmp(argv[i], full) == 0) return 1;
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 2 && strcmp(argv[1], "--list") == 0) {
    for (const test_case *t = k_tests; t->fn != NULL; ++t) printf("%s.%s\n", t->group, t->name);
    return 0;
  }
  int run = 0, failed = 0;
  for (const test_case *t = k_tests; t->fn != NULL; ++t) {
    if (!selected(t, argc, argv)) continue;
    printf("[ RUN  ] %s.%s\n", t->group, t->name);
    fflush(stdout);
    g_failed = 0;
    if (!t->raw) {
      aclError e = aclInit(NULL);
      if (e == ACL_SUCCESS) e = aclrtSetDevice(0);
      if (e != ACL_SUCCESS) {
        fprintf(stderr, "  setup failed: %d %s\n", e, aclGetRecentErrMsg() ? aclGetRecentErrMsg() : "");
        g_failed = 1;
      }
    }
    if (!g_failed) t->fn();
    open_all_gates();
    if (!t->raw) {
      aclError e = aclFinalize();
      if (e != ACL_SUCCESS) {
        fprintf(stderr, "  aclFinalize after the test returned %d\n", e);
        g_failed = 1;
      }
    }
    ++run;
    failed += g_failed;
    printf("[ %s ] %s.%s\n", g_failed ? "FAIL" : " OK ", t->group, t->name);
    fflush(stdout);
  }
  printf("%d tests, %d failed\n", run, failed);
  if (run == 0) {
    fprintf(stderr, "no test matched\n");
    return 2;
  }
  return failed == 0 ? 0 : 1;
}

#define VNPU_CAPI_ENTRY(group, name, raw) {#group, #name, test_##group##_##name, raw},
const test_case k_tests[] = {VNPU_CAPI_TESTS(VNPU_CAPI_ENTRY){NULL, NULL, NULL, 0}};
