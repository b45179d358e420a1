/* vnpuLaunchKernel, kernel failures, the article's async pipeline, and the operators. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <string.h>

#include "harness.h"
#include "tests.h"

typedef struct blocks_arg {
  atomic_int hits[64];
  atomic_int bad_dim;
  uint32_t expect_dim;
} blocks_arg;

static void blocks_kernel(uint32_t blockIdx, uint32_t blockDim, void *args) {
  blocks_arg *a = (blocks_arg *)args;
  if (blockDim != a->expect_dim || blockIdx >= blockDim) atomic_fetch_add(&a->bad_dim, 1);
  if (blockIdx < 64) atomic_fetch_add(&a->hits[blockIdx], 1);
}

void test_kernel_launch(void) {
  static blocks_arg a;
  memset(&a, 0, sizeof a);
  a.expect_dim = 37;
  aclrtStream s;
  CHECK_OK(aclrtCreateStream(&s));
  CHECK_OK(vnpuLaunchKernel(blocks_kernel, 37, &a, s));
  CHECK_OK(aclrtSynchronizeStream(s));
  for (int i = 0; i < 37; ++i) CHECK(atomic_load(&a.hits[i]) == 1); /* every block exactly once */
  CHECK(atomic_load(&a.hits[37]) == 0 && atomic_load(&a.bad_dim) == 0);
  CHECK_CODE(vnpuLaunchKernel(blocks_kernel, 0, &a, s), ACL_ERROR_INVALID_PARAM);
  CHECK_CODE(vnpuLaunchKernel(NULL, 4, &a, s), ACL_ERROR_INVALID_PARAM);
  CHECK_CODE(vnpuLaunchKernel(blocks_kernel, 4, &a, (aclrtStream)(intptr_t)0x5550), ACL_ERROR_RT_INVALID_HANDLE);
  CHECK_OK(aclrtDestroyStream(s));
  CHECK_CODE(vnpuLaunchKernel(blocks_kernel, 4, &a, s), ACL_ERROR_RT_INVALID_HANDLE);
}

static void failing_kernel(uint32_t blockIdx, uint32_t blockDim, void *args) {
  (void)blockDim;
  (void)args;
  if (blockIdx == 2) vnpuKernelFail("block two found a bad value");
}

void test_kernel_failure_reported(void) {
  static atomic_int after;
  atomic_store(&after, 0);
  vnpuKernelFail("outside any kernel: ignored");
  aclrtStream s;
  CHECK_OK(aclrtCreateStream(&s));
  CHECK_OK(vnpuLaunchKernel(failing_kernel, 4, NULL, s));
  CHECK_OK(vnpuLaunchKernel(count_kernel, 1, &after, s)); /* later work still runs */
  CHECK_CODE(aclrtSynchronizeStream(s), ACL_ERROR_RT_AICORE_EXCEPTION);
  CHECK(strstr(aclGetRecentErrMsg(), "block two found a bad value") != NULL);
  CHECK(atomic_load(&after) == 1);
  CHECK_OK(aclrtSynchronizeStream(s)); /* reported once */
  CHECK_OK(vnpuLaunchKernel(failing_kernel, 3, NULL, s));
  CHECK_CODE(aclrtSynchronizeDevice(), ACL_ERROR_RT_AICORE_EXCEPTION);
  CHECK_OK(vnpuLaunchKernel(failing_kernel, 4, NULL, NULL));
  CHECK_CODE(aclrtSynchronizeStreamWithTimeout(NULL, 10000), ACL_ERROR_RT_AICORE_EXCEPTION);
  CHECK_OK(aclrtDestroyStream(s));
}

typedef struct saxpy_arg {
  float *x;
  size_t n;
  float a;
} saxpy_arg;

static void scale_kernel(uint32_t blockIdx, uint32_t blockDim, void *args) {
  saxpy_arg *p = (saxpy_arg *)args;
  size_t chunk = (p->n + blockDim - 1) / blockDim;
  size_t begin = blockIdx * chunk, end = begin + chunk < p->n ? begin + chunk : p->n;
  for (size_t i = begin; i < end; ++i) p->x[i] = p->x[i] * p->a + 1.0f;
}

void test_kernel_async_pipeline(void) {
  enum { N = 1 << 18 };
  float *host = NULL, *out = NULL;
  void *dev = NULL;
  CHECK_OK(aclrtMallocHost((void **)&host, N * sizeof(float)));
  CHECK_OK(aclrtMallocHost((void **)&out, N * sizeof(float)));
  CHECK_OK(aclrtMalloc(&dev, N * sizeof(float), ACL_MEM_MALLOC_HUGE_FIRST));
  for (int i = 0; i < N; ++i) host[i] = (float)i;
  aclrtStream s;
  aclrtEvent start, end;
  CHECK_OK(aclrtCreateStream(&s));
  CHECK_OK(aclrtCreateEvent(&start));
  CHECK_OK(aclrtCreateEvent(&end));
  static saxpy_arg arg;
  arg.x = (float *)dev;
  arg.n = N;
  arg.a = 2.0f;
  CHECK_OK(aclrtRecordEvent(start, s));
  CHECK_OK(aclrtMemcpyAsync(dev, N * sizeof(float), host, N * sizeof(float), ACL_MEMCPY_HOST_TO_DEVICE, s));
  CHECK_OK(vnpuLaunchKernel(scale_kernel, 8, &arg, s));
  CHECK_OK(aclrtMemcpyAsync(out, N * sizeof(float), dev, N * sizeof(float), ACL_MEMCPY_DEVICE_TO_HOST, s));
  CHECK_OK(aclrtRecordEvent(end, s));
  CHECK_OK(aclrtSynchronizeStream(s));
  for (int i = 0; i < N; ++i) CHECK(out[i] == 2.0f * (float)i + 1.0f);
  float ms = -1.0f;
  CHECK_OK(aclrtEventElapsedTime(&ms, start, end));
  CHECK(ms >= 0.0f);
  CHECK_OK(aclrtDestroyEvent(start));
  CHECK_OK(aclrtDestroyEvent(end));
  CHECK_OK(aclrtDestroyStream(s));
  CHECK_OK(aclrtFree(dev));
  CHECK_OK(aclrtFreeHost(host));
  CHECK_OK(aclrtFreeHost(out));
}

void test_ops_tensor_init(void) {
  vnpuTensor t;
  int64_t dims[3] = {2, 3, 4};
  CHECK_OK(vnpuTensorInit(&t, NULL, ACL_FLOAT, 3, dims));
  CHECK(t.rank == 3 && t.strides[0] == 12 && t.strides[1] == 4 && t.strides[2] == 1 && t.dims[1] == 3);
  CHECK_OK(vnpuTensorInit(&t, NULL, ACL_FLOAT, 0, NULL));
  CHECK_CODE(vnpuTensorInit(NULL, NULL, ACL_FLOAT, 1, dims), ACL_ERROR_INVALID_PARAM);
  CHECK_CODE(vnpuTensorInit(&t, NULL, ACL_FLOAT, 9, dims), ACL_ERROR_INVALID_PARAM);
  CHECK_CODE(vnpuTensorInit(&t, NULL, ACL_FLOAT, -1, dims), ACL_ERROR_INVALID_PARAM);
  CHECK_CODE(vnpuTensorInit(&t, NULL, ACL_FLOAT, 2, NULL), ACL_ERROR_INVALID_PARAM);
}

void test_ops_reduce(void) {
  enum { R = 64, C = 33 };
  float host[R * C];
  double col[C] = {0};
  for (int r = 0; r < R; ++r)
    for (int c = 0; c < C; ++c) {
      host[r * C + c] = (float)((r * 31 + c * 17) % 23) - 11.0f;
      col[c] += host[r * C + c];
    }
  host[5 * C + 7] = 100.0f; /* the argmax of column 7 */
  col[7] += 100.0f - ((5 * 31 + 7 * 17) % 23 - 11.0);
  void *x = NULL, *y = NULL, *idx = NULL;
  CHECK_OK(aclrtMalloc(&x, sizeof host, ACL_MEM_MALLOC_HUGE_FIRST));
  CHECK_OK(aclrtMalloc(&y, C * sizeof(float), ACL_MEM_MALLOC_HUGE_FIRST));
  CHECK_OK(aclrtMalloc(&idx, C * sizeof(int64_t), ACL_MEM_MALLOC_HUGE_FIRST));
  CHECK_OK(aclrtMemcpy(x, sizeof host, host, sizeof host, ACL_MEMCPY_HOST_TO_DEVICE));
  aclrtStream s;
  CHECK_OK(aclrtCreateStream(&s));
  vnpuTensor in, out, out_idx;
  int64_t in_dims[2] = {R, C}, out_dims[1] = {C};
  CHECK_OK(vnpuTensorInit(&in, x, ACL_FLOAT, 2, in_dims));
  CHECK_OK(vnpuTensorInit(&out, y, ACL_FLOAT, 1, out_dims));
  CHECK_OK(vnpuTensorInit(&out_idx, idx, ACL_INT64, 1, out_dims));
  int32_t axis0 = 0, axis_neg = -2;
  CHECK_OK(vnpuReduce(VNPU_REDUCE_SUM, &in, &out, &axis0, 1, 0, 0.0, s));
  CHECK_OK(vnpuReduce(VNPU_REDUCE_ARGMAX, &in, &out_idx, &axis_neg, 1, 0, 0.0, s));
  CHECK_OK(aclrtSynchronizeStream(s));
  float sums[C];
  int64_t arg[C];
  CHECK_OK(aclrtMemcpy(sums, sizeof sums, y, sizeof sums, ACL_MEMCPY_DEVICE_TO_HOST));
  CHECK_OK(aclrtMemcpy(arg, sizeof arg, idx, sizeof arg, ACL_MEMCPY_DEVICE_TO_HOST));
  for (int c = 0; c < C; ++c) CHECK(fabs(sums[c] - col[c]) < 1e-3);
  CHECK(arg[7] == 5);
  /* the output shape */
  int32_t rank = -1;
  int64_t dims[VNPU_TENSOR_MAX_RANK];
  aclDataType type = ACL_DT_UNDEFINED;
  CHECK_OK(vnpuReduceOutputShape(VNPU_REDUCE_MEAN, &in, &axis0, 1, 1, &rank, dims, &type));
  CHECK(rank == 2 && dims[0] == 1 && dims[1] == C && type == ACL_FLOAT);
  CHECK_OK(vnpuReduceOutputShape(VNPU_REDUCE_ALL, &in, NULL, VNPU_REDUCE_ALL_AXES, 0, &rank, dims, &type));
  CHECK(rank == 0 && type == ACL_BOOL);
  CHECK_OK(vnpuReduceOutputShape(VNPU_REDUCE_ARGMIN, &in, &axis0, 1, 0, &rank, dims, &type));
  CHECK(rank == 1 && type == ACL_INT64);
  /* a full reduction with VNPU_REDUCE_ALL_AXES, on the default stream */
  vnpuTensor scalar;
  CHECK_OK(vnpuTensorInit(&scalar, y, ACL_FLOAT, 0, NULL));
  CHECK_OK(vnpuReduce(VNPU_REDUCE_MAX, &in, &scalar, NULL, VNPU_REDUCE_ALL_AXES, 0, 0.0, NULL));
  CHECK_OK(aclrtSynchronizeStream(NULL));
  float mx = 0;
  CHECK_OK(aclrtMemcpy(&mx, sizeof mx, y, sizeof mx, ACL_MEMCPY_DEVICE_TO_HOST));
  CHECK(mx == 100.0f);
  /* log_sum: the log of each column sum (NaN below zero, -inf at zero) */
  CHECK_OK(vnpuReduce(VNPU_REDUCE_LOG_SUM, &in, &out, &axis0, 1, 0, 0.0, s));
  CHECK_OK(aclrtSynchronizeStream(s));
  CHECK_OK(aclrtMemcpy(sums, sizeof sums, y, sizeof sums, ACL_MEMCPY_DEVICE_TO_HOST));
  for (int c = 0; c < C; ++c) {
    if (col[c] > 0) CHECK(fabs(sums[c] - log(col[c])) <= 1e-6 * (fabs(log(col[c])) + 1.0));
    else if (col[c] < 0) CHECK(isnan(sums[c]));
    else CHECK(isinf(sums[c]) && sums[c] < 0);
  }
  /* errors: found before anything is queued */
  int32_t twice[2] = {0, 0};
  CHECK_CODE(vnpuReduce(VNPU_REDUCE_SUM, &in, &out, twice, 2, 0, 0.0, s), ACL_ERROR_INVALID_PARAM);
  CHECK_CODE(vnpuReduce(VNPU_REDUCE_SUM, &in, &out, NULL, 1, 0, 0.0, s), ACL_ERROR_INVALID_PARAM);
  CHECK_CODE(vnpuReduce(VNPU_REDUCE_SUM, &in, &out, &axis0, -2, 0, 0.0, s), ACL_ERROR_INVALID_PARAM);
  CHECK_CODE(vnpuReduce((vnpuReduceOp)99, &in, &out, &axis0, 1, 0, 0.0, s), ACL_ERROR_INVALID_PARAM);
  CHECK_CODE(vnpuReduce((vnpuReduceOp)(VNPU_REDUCE_LOG_SUM + 1), &in, &out, &axis0, 1, 0, 0.0, s),
             ACL_ERROR_INVALID_PARAM);
  CHECK_CODE(vnpuReduce(VNPU_REDUCE_SUM, NULL, &out, &axis0, 1, 0, 0.0, s), ACL_ERROR_INVALID_PARAM);
  CHECK_CODE(vnpuReduce(VNPU_REDUCE_SUM, &in, &scalar, &axis0, 1, 0, 0.0, s), ACL_ERROR_INVALID_PARAM); /* shape */
  int32_t axis5 = 5;
  CHECK_CODE(vnpuReduce(VNPU_REDUCE_SUM, &in, &out, &axis5, 1, 0, 0.0, s), ACL_ERROR_INVALID_PARAM);
  vnpuTensor i8 = in;
  i8.dataType = ACL_INT8;
  CHECK_CODE(vnpuReduce(VNPU_REDUCE_SUM, &i8, &out, &axis0, 1, 0, 0.0, s), ACL_ERROR_INVALID_PARAM);
  /* ACL_DOUBLE: computed in f64 (the rows of `host` as doubles, summed over axis 1) */
  {
    double dh[R * C], want[R];
    for (int r = 0; r < R; ++r) {
      want[r] = 0;
      for (int c = 0; c < C; ++c) {
        dh[r * C + c] = host[r * C + c] + 1e-9 * c; /* below an f32's resolution */
        want[r] += dh[r * C + c];
      }
    }
    void *dx = NULL, *dy = NULL;
    CHECK_OK(aclrtMalloc(&dx, sizeof dh, ACL_MEM_MALLOC_HUGE_FIRST));
    CHECK_OK(aclrtMalloc(&dy, sizeof want, ACL_MEM_MALLOC_HUGE_FIRST));
    CHECK_OK(aclrtMemcpy(dx, sizeof dh, dh, sizeof dh, ACL_MEMCPY_HOST_TO_DEVICE));
    vnpuTensor din, dout;
    int64_t drows[1] = {R};
    CHECK_OK(vnpuTensorInit(&din, dx, ACL_DOUBLE, 2, in_dims));
    CHECK_OK(vnpuTensorInit(&dout, dy, ACL_DOUBLE, 1, drows));
    int32_t axis1 = 1;
    CHECK_OK(vnpuReduceOutputShape(VNPU_REDUCE_SUM, &din, &axis1, 1, 0, &rank, dims, &type));
    CHECK(rank == 1 && dims[0] == R && type == ACL_DOUBLE);
    CHECK_OK(vnpuReduce(VNPU_REDUCE_SUM, &din, &dout, &axis1, 1, 0, 0.0, s));
    CHECK_OK(aclrtSynchronizeStream(s));
    double got[R];
    CHECK_OK(aclrtMemcpy(got, sizeof got, dy, sizeof got, ACL_MEMCPY_DEVICE_TO_HOST));
    for (int r = 0; r < R; ++r) CHECK(fabs(got[r] - want[r]) <= 1e-12 * (fabs(want[r]) + 1.0));
    CHECK_OK(aclrtFree(dx));
    CHECK_OK(aclrtFree(dy));
  }
  vnpuTensor big = in;
  big.rank = 9;
  CHECK_CODE(vnpuReduce(VNPU_REDUCE_SUM, &big, &out, &axis0, 1, 0, 0.0, s), ACL_ERROR_INVALID_PARAM);
  CHECK_CODE(vnpuReduceOutputShape(VNPU_REDUCE_SUM, &in, &axis0, 1, 0, NULL, dims, &type), ACL_ERROR_INVALID_PARAM);
  CHECK_CODE(vnpuReduce(VNPU_REDUCE_SUM, &in, &out, &axis0, 1, 0, 0.0, (aclrtStream)(intptr_t)0x4440),
             ACL_ERROR_RT_INVALID_HANDLE);
  CHECK_OK(aclrtDestroyStream(s));
  CHECK_OK(aclrtFree(x));
  CHECK_OK(aclrtFree(y));
  CHECK_OK(aclrtFree(idx));
}
