/* vnpuSoftmax and vnpuLogSoftmax through the C API (built when the library has them). */
#define _POSIX_C_SOURCE 200809L
#include <math.h>

#include "harness.h"
#include "tests.h"

void test_ops_softmax(void) {
  enum { R = 7, C = 129 };
  static float host[R * C], out[R * C];
  for (int i = 0; i < R * C; ++i) host[i] = (float)((i * 37) % 101) / 10.0f - 5.0f;
  host[3 * C + 5] = 80.0f; /* exp(80) overflows f32 unless the maximum is subtracted */
  void *x = NULL, *y = NULL;
  CHECK_OK(aclrtMalloc(&x, sizeof host, ACL_MEM_MALLOC_HUGE_FIRST));
  CHECK_OK(aclrtMalloc(&y, sizeof host, ACL_MEM_MALLOC_HUGE_FIRST));
  CHECK_OK(aclrtMemcpy(x, sizeof host, host, sizeof host, ACL_MEMCPY_HOST_TO_DEVICE));
  vnpuTensor in, o;
  int64_t dims[2] = {R, C};
  CHECK_OK(vnpuTensorInit(&in, x, ACL_FLOAT, 2, dims));
  CHECK_OK(vnpuTensorInit(&o, y, ACL_FLOAT, 2, dims));
  aclrtStream s;
  CHECK_OK(aclrtCreateStream(&s));
  CHECK_OK(vnpuSoftmax(&in, &o, -1, s));
  CHECK_OK(aclrtSynchronizeStream(s));
  CHECK_OK(aclrtMemcpy(out, sizeof out, y, sizeof out, ACL_MEMCPY_DEVICE_TO_HOST));
  for (int r = 0; r < R; ++r) {
    double m = -INFINITY, sum = 0.0, total = 0.0;
    for (int c = 0; c < C; ++c) m = fmax(m, host[r * C + c]);
    for (int c = 0; c < C; ++c) sum += exp((double)host[r * C + c] - m);
    for (int c = 0; c < C; ++c) {
      double want = exp((double)host[r * C + c] - m) / sum;
      CHECK(fabs(out[r * C + c] - want) <= 1e-5 * want + 1e-30);
      total += out[r * C + c];
    }
    CHECK(fabs(total - 1.0) < 1e-4);
  }
  /* log_softmax along axis 0, in place, on the default stream */
  CHECK_OK(vnpuLogSoftmax(&in, &in, 0, NULL));
  CHECK_OK(aclrtSynchronizeStream(NULL));
  CHECK_OK(aclrtMemcpy(out, sizeof out, x, sizeof out, ACL_MEMCPY_DEVICE_TO_HOST));
  for (int c = 0; c < C; ++c) {
    double m = -INFINITY, sum = 0.0;
    for (int r = 0; r < R; ++r) m = fmax(m, host[r * C + c]);
    for (int r = 0; r < R; ++r) sum += exp((double)host[r * C + c] - m);
    for (int r = 0; r < R; ++r) CHECK(fabs(out[r * C + c] - ((host[r * C + c] - m) - log(sum))) < 1e-4);
  }
  /* errors, found before anything is queued */
  vnpuTensor bad = o;
  bad.dataType = ACL_INT32;
  CHECK_CODE(vnpuSoftmax(&in, &bad, -1, s), ACL_ERROR_INVALID_PARAM); /* types differ */
  CHECK_CODE(vnpuSoftmax(&in, &o, 2, s), ACL_ERROR_INVALID_PARAM);    /* no axis 2 */
  CHECK_CODE(vnpuSoftmax(NULL, &o, -1, s), ACL_ERROR_INVALID_PARAM);
  CHECK_CODE(vnpuLogSoftmax(&in, NULL, -1, s), ACL_ERROR_INVALID_PARAM);
  vnpuTensor shifted = o;
  shifted.data = (float *)x + 1; /* partial overlap with the input */
  shifted.dims[1] = C - 1;
  vnpuTensor in_short = in;
  in_short.dims[1] = C - 1;
  CHECK_CODE(vnpuSoftmax(&in_short, &shifted, -1, s), ACL_ERROR_INVALID_PARAM);
  CHECK_CODE(vnpuSoftmax(&in, &o, -1, (aclrtStream)(intptr_t)0x9990), ACL_ERROR_RT_INVALID_HANDLE);
  CHECK_OK(aclrtDestroyStream(s));
  CHECK_OK(aclrtFree(x));
  CHECK_OK(aclrtFree(y));
}
