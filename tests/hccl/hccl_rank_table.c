/* hccl_rank_table.c — HcclCommInitClusterInfo: every process of the mpirun job joins the
 * communicator a JSON rank table describes, with its rank taken from the table's rank_id
 * (here the table lists the ranks in reverse order of the MPI ranks, so the communicator's
 * rank order is not MPI's), then an all-reduce and a gather check that rank ids, sizes and
 * data agree. Also: a table that does not exist, one with a rank_id twice, one that is not
 * JSON, and one whose rank count differs from the job's size fail with their codes.
 * Run as `mpirun -np N hccl_rank_table DIR` (DIR: where the tables are written). */
#include <mpi.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acl/acl.h"
#include "hccl/hccl.h"

static int g_failures = 0;
#define EXPECT(cond, ...)                                   \
  do {                                                      \
    if (!(cond)) {                                          \
      fprintf(stderr, "[rank %d] ", g_rank);                \
      fprintf(stderr, __VA_ARGS__);                         \
      fprintf(stderr, "\n");                                \
      ++g_failures;                                         \
    }                                                       \
  } while (0)
static int g_rank = 0, g_n = 1;

/* Writes a rank table of `n` ranks in `servers` servers; entry k (in file order) has rank_id
 * ids[k]. */
static void write_table(const char* path, int n, const int* ids, int servers) {
  FILE* f = fopen(path, "w");
  if (f == NULL) {
    perror(path);
    MPI_Abort(MPI_COMM_WORLD, 2);
  }
  fprintf(f, "{\n  \"version\": \"1.0\",\n  \"server_count\": \"%d\",\n  \"server_list\": [\n", servers);
  int k = 0;
  for (int s = 0; s < servers; ++s) {
    fprintf(f, "    {\"server_id\": \"10.0.0.%d\", \"device\": [\n", s + 1);
    const int per = n / servers + (s < n % servers ? 1 : 0);
    for (int d = 0; d < per; ++d, ++k)
      fprintf(f, "      {\"device_id\": \"%d\", \"device_ip\": \"192.168.%d.%d\", \"rank_id\": \"%d\"}%s\n", d, s, d,
              ids[k], d + 1 < per ? "," : "");
    fprintf(f, "    ]}%s\n", s + 1 < servers ? "," : "");
  }
  fprintf(f, "  ],\n  \"status\": \"completed\"\n}\n");
  fclose(f);
}

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  MPI_Comm_rank(MPI_COMM_WORLD, &g_rank);
  MPI_Comm_size(MPI_COMM_WORLD, &g_n);
  const char* dir = argc > 1 ? argv[1] : ".";
  char good[512], twice[512], broken[512], small[512];
  snprintf(good, sizeof good, "%s/rank_table_%d.json", dir, g_n);
  snprintf(twice, sizeof twice, "%s/rank_table_twice_%d.json", dir, g_n);
  snprintf(broken, sizeof broken, "%s/rank_table_broken_%d.json", dir, g_n);
  snprintf(small, sizeof small, "%s/rank_table_small_%d.json", dir, g_n);
  if (g_rank == 0) {
    int ids[64];
    for (int k = 0; k < g_n; ++k) ids[k] = g_n - 1 - k;
    write_table(good, g_n, ids, g_n > 1 ? 2 : 1);
    ids[g_n > 1 ? 1 : 0] = ids[0];
    write_table(twice, g_n, ids, 1);
    FILE* f = fopen(broken, "w");
    fputs("{\"server_list\": [ {\"device\": [ {\"rank_id\": ", f);
    fclose(f);
    for (int k = 0; k < g_n + 1; ++k) ids[k] = k;
    write_table(small, g_n + 1, ids, 1);
  }
  MPI_Barrier(MPI_COMM_WORLD);
  if (aclInit(NULL) != ACL_SUCCESS || aclrtSetDevice(0) != ACL_SUCCESS) MPI_Abort(MPI_COMM_WORLD, 2);
  aclrtStream stream;
  aclrtCreateStream(&stream);

  HcclComm comm = NULL;
  /* Rank ids are the table's: this process is rank g_n - 1 - g_rank of the communicator. */
  const uint32_t me = (uint32_t)(g_n - 1 - g_rank);
  EXPECT(HcclCommInitClusterInfo(good, me, &comm) == HCCL_SUCCESS, "HcclCommInitClusterInfo(%s) failed", good);
  uint32_t size = 0, id = 99;
  EXPECT(HcclGetRankSize(comm, &size) == HCCL_SUCCESS && size == (uint32_t)g_n, "rank size %u, not %d", size, g_n);
  EXPECT(HcclGetRankId(comm, &id) == HCCL_SUCCESS && id == me, "rank id %u, not %u", id, me);

  /* AllGather of each rank's id: block r holds r. Then an all-reduce of (id + 1). */
  int32_t* host = malloc(sizeof(int32_t) * (size_t)g_n);
  void *send = NULL, *recv = NULL;
  aclrtMalloc(&send, 64, ACL_MEM_MALLOC_HUGE_FIRST);
  aclrtMalloc(&recv, 64 * (size_t)g_n, ACL_MEM_MALLOC_HUGE_FIRST);
  int32_t mine = (int32_t)me;
  aclrtMemcpy(send, 4, &mine, 4, ACL_MEMCPY_HOST_TO_DEVICE);
  EXPECT(HcclAllGather(send, recv, 1, HCCL_DATA_TYPE_INT32, comm, stream) == HCCL_SUCCESS, "HcclAllGather");
  EXPECT(aclrtSynchronizeStream(stream) == ACL_SUCCESS, "synchronize after AllGather: %s", aclGetRecentErrMsg());
  aclrtMemcpy(host, 4 * (size_t)g_n, recv, 4 * (size_t)g_n, ACL_MEMCPY_DEVICE_TO_HOST);
  for (int r = 0; r < g_n; ++r) EXPECT(host[r] == r, "AllGather block %d holds %d", r, host[r]);
  mine = (int32_t)me + 1;
  aclrtMemcpy(send, 4, &mine, 4, ACL_MEMCPY_HOST_TO_DEVICE);
  EXPECT(HcclAllReduce(send, send, 1, HCCL_DATA_TYPE_INT32, HCCL_REDUCE_SUM, comm, stream) == HCCL_SUCCESS,
         "HcclAllReduce");
  EXPECT(aclrtSynchronizeStream(stream) == ACL_SUCCESS, "synchronize after AllReduce: %s", aclGetRecentErrMsg());
  aclrtMemcpy(&mine, 4, send, 4, ACL_MEMCPY_DEVICE_TO_HOST);
  EXPECT(mine == g_n * (g_n + 1) / 2, "AllReduce gave %d, not %d", mine, g_n * (g_n + 1) / 2);
  EXPECT(HcclCommDestroy(comm) == HCCL_SUCCESS, "HcclCommDestroy");

  /* Tables that cannot be used: each process fails on its own, before any MPI call. */
  HcclComm bad = NULL;
  EXPECT(HcclCommInitClusterInfo("/nonexistent/rank_table.json", me, &bad) == HCCL_E_OPEN_FILE_FAILURE,
         "a missing table is not HCCL_E_OPEN_FILE_FAILURE");
  EXPECT(HcclCommInitClusterInfo(twice, me, &bad) == HCCL_E_PARA, "a rank_id twice is not HCCL_E_PARA");
  EXPECT(HcclCommInitClusterInfo(broken, me, &bad) == HCCL_E_PARA, "a broken table is not HCCL_E_PARA");
  EXPECT(HcclCommInitClusterInfo(good, (uint32_t)g_n, &bad) == HCCL_E_PARA, "rank %d of %d is not HCCL_E_PARA", g_n,
         g_n);
  EXPECT(HcclCommInitClusterInfo(small, me, &bad) == HCCL_E_PARA,
         "a table of %d ranks in a job of %d processes is not HCCL_E_PARA", g_n + 1, g_n);
  EXPECT(HcclCommInitClusterInfo(NULL, me, &bad) == HCCL_E_PTR, "a null path is not HCCL_E_PTR");

  aclrtFree(send);
  aclrtFree(recv);
  free(host);
  aclrtDestroyStream(stream);
  aclrtResetDevice(0);
  aclFinalize();
  int total = 0;
  MPI_Allreduce(&g_failures, &total, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
  if (g_rank == 0) printf("hccl_rank_table: %d ranks, %d failures\n", g_n, total);
  MPI_Finalize();
  return total == 0 ? 0 : 1;
}
