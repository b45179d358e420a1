/* allreduce.c — data-parallel gradient averaging with the HCCL API on vnpu.
 *
 *   mpicc allreduce.c $(pkg-config --cflags --libs hccl) -o allreduce
 *   mpirun -np 4 ./allreduce
 *
 * Rank 0 creates the root info and broadcasts it with MPI; every rank joins the
 * communicator, fills a "gradient" on its device, all-reduces it on a stream (in place),
 * scales it to the mean, and checks the result and that every rank holds the same bits.
 */
#include <mpi.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "acl/acl.h"
#include "hccl/hccl.h"

#define ACL_OK(call)                                                                    \
  do {                                                                                  \
    aclError e_ = (call);                                                               \
    if (e_ != ACL_SUCCESS) {                                                            \
      fprintf(stderr, "%s failed: %d (%s)\n", #call, (int)e_, aclGetRecentErrMsg());    \
      MPI_Abort(MPI_COMM_WORLD, 1);                                                     \
    }                                                                                   \
  } while (0)
#define HCCL_OK(call)                                                                          \
  do {                                                                                         \
    HcclResult r_ = (call);                                                                    \
    if (r_ != HCCL_SUCCESS) {                                                                  \
      fprintf(stderr, "%s failed: %d (%s)\n", #call, (int)r_, HcclGetErrorString(r_));         \
      MPI_Abort(MPI_COMM_WORLD, 1);                                                            \
    }                                                                                          \
  } while (0)

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  const uint64_t count = argc > 1 ? strtoull(argv[1], NULL, 10) : (1u << 20);

  ACL_OK(aclInit(NULL));
  ACL_OK(aclrtSetDevice(0));
  aclrtStream stream;
  ACL_OK(aclrtCreateStream(&stream));

  HcclRootInfo root;
  if (rank == 0) HCCL_OK(HcclGetRootInfo(&root));
  MPI_Bcast(&root, sizeof root, MPI_BYTE, 0, MPI_COMM_WORLD);
  HcclComm comm;
  HCCL_OK(HcclCommInitRootInfo((uint32_t)size, &root, (uint32_t)rank, &comm));

  float* host = malloc(count * sizeof(float));
  void* grad = NULL;
  ACL_OK(aclrtMalloc(&grad, count * sizeof(float), ACL_MEM_MALLOC_HUGE_FIRST));
  for (uint64_t i = 0; i < count; ++i) host[i] = (float)(rank + 1) * 0.25f + (float)(i % 13);
  ACL_OK(aclrtMemcpy(grad, count * sizeof(float), host, count * sizeof(float), ACL_MEMCPY_HOST_TO_DEVICE));

  const double t0 = MPI_Wtime();
  HCCL_OK(HcclAllReduce(grad, grad, count, HCCL_DATA_TYPE_FP32, HCCL_REDUCE_SUM, comm, stream));
  ACL_OK(aclrtSynchronizeStream(stream));
  const double t1 = MPI_Wtime();
  ACL_OK(aclrtMemcpy(host, count * sizeof(float), grad, count * sizeof(float), ACL_MEMCPY_DEVICE_TO_HOST));

  /* Expected: sum over ranks of (r + 1) * 0.25 + i % 13, exact in binary32 here. */
  uint64_t wrong = 0, hash = 1469598103934665603ull;
  for (uint64_t i = 0; i < count; ++i) {
    const float want = 0.25f * (float)(size * (size + 1) / 2) + (float)size * (float)(i % 13);
    if (host[i] != want) ++wrong;
    const unsigned char* b = (const unsigned char*)&host[i];
    for (int k = 0; k < 4; ++k) hash = (hash ^ b[k]) * 1099511628211ull;
  }
  uint64_t* hashes = malloc((size_t)size * sizeof(uint64_t));
  MPI_Allgather(&hash, 1, MPI_UINT64_T, hashes, 1, MPI_UINT64_T, MPI_COMM_WORLD);
  int same = 1;
  for (int r = 0; r < size; ++r) same &= hashes[r] == hashes[0];
  if (rank == 0)
    printf("all-reduce of %llu floats over %d ranks: %.3f ms, %s, %s on every rank\n", (unsigned long long)count,
           size, (t1 - t0) * 1e3, wrong == 0 ? "correct" : "WRONG", same ? "the same bits" : "DIFFERENT bits");

  HCCL_OK(HcclCommDestroy(comm));
  ACL_OK(aclrtFree(grad));
  ACL_OK(aclrtDestroyStream(stream));
  ACL_OK(aclrtResetDevice(0));
  ACL_OK(aclFinalize());
  free(hashes);
  free(host);
  MPI_Finalize();
  return wrong == 0 && same ? 0 : 1;
}
