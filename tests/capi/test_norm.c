/* The normalizations through the C API (built when the library has them). */
#define _POSIX_C_SOURCE 200809L
#include <math.h>

#include "harness.h"
#include "tests.h"

enum { N = 4, C = 6, HW = 10 };

/* Device copies of x (N*C*HW floats) and room for y; per-channel parameters. */
typedef struct bufs {
  void *x, *y, *gamma, *beta, *mean, *rstd;
} bufs;

static float g_x[N * C * HW], g_y[N * C * HW];

static int setup(bufs *b) {
  for (int i = 0; i < N * C * HW; ++i) g_x[i] = (float)((i * 29) % 53) / 7.0f - 3.0f;
  float gamma[C * HW], beta[C * HW];
  for (int i = 0; i < C * HW; ++i) {
    gamma[i] = 0.5f + (float)(i % 5) * 0.25f;
    beta[i] = (float)(i % 3) - 1.0f;
  }
  return aclrtMalloc(&b->x, sizeof g_x, ACL_MEM_MALLOC_HUGE_FIRST) == ACL_SUCCESS &&
         aclrtMalloc(&b->y, sizeof g_x, ACL_MEM_MALLOC_HUGE_FIRST) == ACL_SUCCESS &&
         aclrtMalloc(&b->gamma, sizeof gamma, ACL_MEM_MALLOC_HUGE_FIRST) == ACL_SUCCESS &&
         aclrtMalloc(&b->beta, sizeof beta, ACL_MEM_MALLOC_HUGE_FIRST) == ACL_SUCCESS &&
         aclrtMalloc(&b->mean, N * C * sizeof(float), ACL_MEM_MALLOC_HUGE_FIRST) == ACL_SUCCESS &&
         aclrtMalloc(&b->rstd, N * C * sizeof(float), ACL_MEM_MALLOC_HUGE_FIRST) == ACL_SUCCESS &&
         aclrtMemcpy(b->x, sizeof g_x, g_x, sizeof g_x, ACL_MEMCPY_HOST_TO_DEVICE) == ACL_SUCCESS &&
         aclrtMemcpy(b->gamma, sizeof gamma, gamma, sizeof gamma, ACL_MEMCPY_HOST_TO_DEVICE) == ACL_SUCCESS &&
         aclrtMemcpy(b->beta, sizeof beta, beta, sizeof beta, ACL_MEMCPY_HOST_TO_DEVICE) == ACL_SUCCESS;
}

/* y over groups of `len` consecutive elements: (x - mean) / sqrt(var + eps) (* gamma + beta
 * when given, indexed by the position in the group modulo `plen`). */
static int check_groups(int len, double eps, const float *gamma, const float *beta, int plen, int rms) {
  for (int g = 0; g < N * C * HW / len; ++g) {
    const float *x = g_x + g * len;
    double mean = 0.0, var = 0.0;
    for (int i = 0; i < len; ++i) mean += x[i];
    mean /= len;
    for (int i = 0; i < len; ++i) var += rms ? (double)x[i] * x[i] : (x[i] - mean) * (x[i] - mean);
    var /= len;
    for (int i = 0; i < len; ++i) {
      double want = (rms ? x[i] : x[i] - mean) / sqrt(var + eps);
      if (gamma != NULL) want *= gamma[i % plen];
      if (beta != NULL) want += beta[i % plen];
      if (fabs(g_y[g * len + i] - want) > 1e-4 * (1.0 + fabs(want))) return 0;
    }
  }
  return 1;
}

void test_ops_norm(void) {
  bufs b;
  CHECK(setup(&b));
  float gamma[C * HW], beta[C * HW];
  CHECK_OK(aclrtMemcpy(gamma, sizeof gamma, b.gamma, sizeof gamma, ACL_MEMCPY_DEVICE_TO_HOST));
  CHECK_OK(aclrtMemcpy(beta, sizeof beta, b.beta, sizeof beta, ACL_MEMCPY_DEVICE_TO_HOST));
  aclrtStream s;
  CHECK_OK(aclrtCreateStream(&s));
  vnpuTensor x, y, g2, b2, mean, rstd, gc, bc, stat_nc;
  int64_t dims3[3] = {N, C, HW}, dims_chw[2] = {C, HW}, dims_c[1] = {C}, dims_n[1] = {N}, dims_nc[2] = {N, C};
  CHECK_OK(vnpuTensorInit(&x, b.x, ACL_FLOAT, 3, dims3));
  CHECK_OK(vnpuTensorInit(&y, b.y, ACL_FLOAT, 3, dims3));
  CHECK_OK(vnpuTensorInit(&g2, b.gamma, ACL_FLOAT, 2, dims_chw));
  CHECK_OK(vnpuTensorInit(&b2, b.beta, ACL_FLOAT, 2, dims_chw));
  CHECK_OK(vnpuTensorInit(&mean, b.mean, ACL_FLOAT, 1, dims_n));
  CHECK_OK(vnpuTensorInit(&rstd, b.rstd, ACL_FLOAT, 1, dims_n));
  CHECK_OK(vnpuTensorInit(&gc, b.gamma, ACL_FLOAT, 1, dims_c));
  CHECK_OK(vnpuTensorInit(&bc, b.beta, ACL_FLOAT, 1, dims_c));
  CHECK_OK(vnpuTensorInit(&stat_nc, b.mean, ACL_FLOAT, 2, dims_nc));

  /* layer_norm over the trailing 2 axes, with gamma/beta and the statistics */
  CHECK_OK(vnpuLayerNorm(&x, &y, 2, 1e-5, &g2, &b2, &mean, &rstd, s));
  CHECK_OK(aclrtSynchronizeStream(s));
  CHECK_OK(aclrtMemcpy(g_y, sizeof g_y, b.y, sizeof g_y, ACL_MEMCPY_DEVICE_TO_HOST));
  CHECK(check_groups(C * HW, 1e-5, gamma, beta, C * HW, 0));
  float m[N];
  CHECK_OK(aclrtMemcpy(m, sizeof m, b.mean, sizeof m, ACL_MEMCPY_DEVICE_TO_HOST));
  double m0 = 0.0;
  for (int i = 0; i < C * HW; ++i) m0 += g_x[i];
  CHECK(fabs(m[0] - m0 / (C * HW)) < 1e-5);

  /* rms_norm over the last axis, no gamma */
  CHECK_OK(vnpuRmsNorm(&x, &y, 1, 1e-6, NULL, NULL, s));
  CHECK_OK(aclrtSynchronizeStream(s));
  CHECK_OK(aclrtMemcpy(g_y, sizeof g_y, b.y, sizeof g_y, ACL_MEMCPY_DEVICE_TO_HOST));
  CHECK(check_groups(HW, 1e-6, NULL, NULL, 1, 1));

  /* group_norm with C/2 channels per group (groups of 3*HW consecutive elements) */
  CHECK_OK(vnpuGroupNorm(&x, &y, 2, 1e-5, NULL, NULL, NULL, NULL, NULL));
  CHECK_OK(aclrtSynchronizeStream(NULL));
  CHECK_OK(aclrtMemcpy(g_y, sizeof g_y, b.y, sizeof g_y, ACL_MEMCPY_DEVICE_TO_HOST));
  CHECK(check_groups(3 * HW, 1e-5, NULL, NULL, 1, 0));

  /* batch_norm, training with batch statistics, then inference with running statistics */
  CHECK_OK(vnpuBatchNorm(&x, &y, 1, 1e-5, 0.1, &gc, &bc, NULL, NULL, NULL, NULL, s));
  CHECK_OK(aclrtSynchronizeStream(s));
  CHECK_OK(aclrtMemcpy(g_y, sizeof g_y, b.y, sizeof g_y, ACL_MEMCPY_DEVICE_TO_HOST));
  for (int c = 0; c < C; ++c) { /* every channel of y has mean beta[c] */
    double sum = 0.0;
    for (int n = 0; n < N; ++n)
      for (int i = 0; i < HW; ++i) sum += g_y[(n * C + c) * HW + i];
    CHECK(fabs(sum / (N * HW) - beta[c]) < 1e-4);
  }
  CHECK_CODE(vnpuBatchNorm(&x, &y, 0, 1e-5, 0.1, NULL, NULL, NULL, NULL, NULL, NULL, s), ACL_ERROR_INVALID_PARAM);

  /* errors: found before anything is queued */
  CHECK_CODE(vnpuLayerNorm(&x, &y, 4, 1e-5, NULL, NULL, NULL, NULL, s), ACL_ERROR_INVALID_PARAM);
  CHECK_CODE(vnpuLayerNorm(&x, &y, 1, -1.0, NULL, NULL, NULL, NULL, s), ACL_ERROR_INVALID_PARAM);
  CHECK_CODE(vnpuRmsNorm(&x, &y, 1, 1e-6, &gc, NULL, s), ACL_ERROR_INVALID_PARAM); /* gamma shape */
  CHECK_CODE(vnpuGroupNorm(&x, &y, 4, 1e-5, NULL, NULL, NULL, NULL, s), ACL_ERROR_INVALID_PARAM); /* 4 does not divide 6 */
  CHECK_CODE(vnpuGroupNorm(&x, &y, 2, 1e-5, NULL, NULL, &stat_nc, NULL, s), ACL_ERROR_INVALID_PARAM);
  CHECK_CODE(vnpuBatchNorm(NULL, &y, 1, 1e-5, 0.1, NULL, NULL, NULL, NULL, NULL, NULL, s), ACL_ERROR_INVALID_PARAM);
  CHECK_CODE(vnpuBatchNorm(&x, &y, 1, 1e-5, 1.5, NULL, NULL, NULL, NULL, NULL, NULL, s), ACL_ERROR_INVALID_PARAM);
  CHECK_OK(aclrtDestroyStream(s));
  void *all[] = {b.x, b.y, b.gamma, b.beta, b.mean, b.rstd};
  for (int i = 0; i < 6; ++i) CHECK_OK(aclrtFree(all[i]));
}
