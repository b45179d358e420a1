/* hccl_errors.c — the HCCL API's error paths between MPI processes (mpirun -np 2).
 *
 * - Arguments: null pointers are HCCL_E_PTR; unknown element types and operators, roots and
 *   peers outside the communicator, a send to oneself, an all-to-all whose send and receive
 *   bytes differ, dead or made-up communicator handles are HCCL_E_PARA — returned at the
 *   call, never a crash, and the communicator still works afterwards (no asynchronous error
 *   either: nothing was queued).
 * - Ranks that disagree (counts, element type, operator, root, kind) queue fine, then fail
 *   the task on every rank: each rank's aclrtSynchronizeStream fails, none hangs, and
 *   HcclGetCommAsyncError reports it. A Recv or an AlltoAllV block of another size than
 *   its sender's fails the receiving rank, and hangs none.
 * - Communicators: HcclCommInitRootInfo with bad ranks and root infos (and one rank that
 *   never arrives: HCCL_E_TIMEOUT after HCCL_CONNECT_TIMEOUT), HcclCommConfigInit and
 *   HcclCommInitRootInfoConfig (hcclCommName is what HcclGetCommName reports), rank size and
 *   id, HcclCommDestroy with work still queued; HcclGetErrorString for every code;
 *   HcclSetConfig/HcclGetConfig.
 */
#define _POSIX_C_SOURCE 200809L
#include <mpi.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hccl_check.h"

static int g_rank, g_n;
static long g_failures, g_checks;
static aclrtStream g_stream;

static void mpi_abort(void) { MPI_Abort(MPI_COMM_WORLD, 2); }

/* Checks that `call` returns `want`. */
#define EXPECT_RC(call, want)                                                                                   \
  do {                                                                                                          \
    const HcclResult got_ = (call);                                                                             \
    ++g_checks;                                                                                                 \
    if (got_ != (want)) {                                                                                       \
      fprintf(stderr, "[rank %d] line %d: %s returned %d (%s), want %d (%s)\n", g_rank, __LINE__, #call,        \
              (int)got_, HcclGetErrorString(got_), (int)(want), HcclGetErrorString(want));                      \
      ++g_failures;                                                                                             \
    }                                                                                                           \
  } while (0)
/* Checks that `call` fails (any code but HCCL_SUCCESS). */
#define EXPECT_FAIL(call)                                                                                       \
  do {                                                                                                          \
    const HcclResult got_ = (call);                                                                             \
    ++g_checks;                                                                                                 \
    if (got_ == HCCL_SUCCESS) {                                                                                 \
      fprintf(stderr, "[rank %d] line %d: %s succeeded; it must fail\n", g_rank, __LINE__, #call);              \
      ++g_failures;                                                                                             \
    }                                                                                                           \
  } while (0)
#define EXPECT_TRUE(cond, ...)                                                                                  \
  do {                                                                                                          \
    ++g_checks;                                                                                                 \
    if (!(cond)) {                                                                                              \
      fprintf(stderr, "[rank %d] line %d: %s is false: ", g_rank, __LINE__, #cond);                             \
      fprintf(stderr, __VA_ARGS__);                                                                             \
      fputc('\n', stderr);                                                                                      \
      ++g_failures;                                                                                             \
    }                                                                                                           \
  } while (0)

static HcclComm join(const HcclCommConfig* config) {
  HcclRootInfo root;
  memset(&root, 0, sizeof root);
  if (g_rank == 0) TC_HCCL(HcclGetRootInfo(&root));
  MPI_Bcast(&root, (int)sizeof root, MPI_BYTE, 0, MPI_COMM_WORLD);
  HcclComm comm = NULL;
  if (config != NULL) {
    TC_HCCL(HcclCommInitRootInfoConfig((uint32_t)g_n, &root, (uint32_t)g_rank, config, &comm));
  } else {
    TC_HCCL(HcclCommInitRootInfo((uint32_t)g_n, &root, (uint32_t)g_rank, &comm));
  }
  return comm;
}

/* A correct f32 sum all-reduce of `count` elements must give the right result. */
static void correct_all_reduce(HcclComm comm, const char* when) {
  const uint64_t count = 777;
  const uint64_t salt = tc_salt(99, HCCL_DATA_TYPE_FP32, HCCL_REDUCE_SUM, 0);
  float* host = malloc(count * sizeof(float));
  void* dev = tc_dev_alloc(count * sizeof(float));
  tc_fill(host, HCCL_DATA_TYPE_FP32, HCCL_REDUCE_SUM, g_rank, salt, 0, count);
  tc_put(dev, host, count * sizeof(float));
  EXPECT_RC(HcclAllReduce(dev, dev, count, HCCL_DATA_TYPE_FP32, HCCL_REDUCE_SUM, comm, g_stream), HCCL_SUCCESS);
  const aclError e = aclrtSynchronizeStreamWithTimeout(g_stream, 60000);
  EXPECT_TRUE(e == ACL_SUCCESS, "%s: a correct AllReduce failed at synchronize: %d (%s)", when, (int)e,
              aclGetRecentErrMsg());
  tc_get(host, dev, count * sizeof(float));
  char label[200];
  snprintf(label, sizeof label, "AllReduce %s", when);
  EXPECT_TRUE(tc_check_reduce(host, HCCL_DATA_TYPE_FP32, HCCL_REDUCE_SUM, g_n, salt, 0, count, label, g_rank) == 0,
              "%s: wrong result", label);
  tc_dev_free(dev);
  free(host);
}

/* ---- the parts ---- */

static void error_strings(void) {
  for (int c = 0; c <= (int)HCCL_E_RESERVED + 1; ++c) {
    const char* s = HcclGetErrorString((HcclResult)c);
    EXPECT_TRUE(s != NULL && s[0] != '\0', "HcclGetErrorString(%d) is %s", c, s == NULL ? "NULL" : "empty");
  }
  EXPECT_TRUE(HcclGetErrorString((HcclResult)-1) != NULL, "HcclGetErrorString(-1) is NULL");
  EXPECT_TRUE(HcclGetErrorString((HcclResult)123456) != NULL, "HcclGetErrorString(123456) is NULL");
  EXPECT_TRUE(strcmp(HcclGetErrorString(HCCL_SUCCESS), HcclGetErrorString(HCCL_E_PARA)) != 0,
              "success and HCCL_E_PARA have the same description");
}

static void settings(void) {
  HcclConfigValue v = {1};
  EXPECT_RC(HcclSetConfig(HCCL_DETERMINISTIC, v), HCCL_SUCCESS);
  HcclConfigValue got = {-1};
  EXPECT_RC(HcclGetConfig(HCCL_DETERMINISTIC, &got), HCCL_SUCCESS);
  EXPECT_TRUE(got.value == 1, "HCCL_DETERMINISTIC reads back %d after setting 1", got.value);
  v.value = 2;
  EXPECT_RC(HcclSetConfig(HCCL_DETERMINISTIC, v), HCCL_E_PARA);
  v.value = 0;
  EXPECT_RC(HcclSetConfig(HCCL_CONFIG_RESERVED, v), HCCL_E_PARA);
  EXPECT_RC(HcclGetConfig(HCCL_DETERMINISTIC, NULL), HCCL_E_PTR);
  EXPECT_RC(HcclSetConfig(HCCL_DETERMINISTIC, v), HCCL_SUCCESS);
  EXPECT_TRUE(HcclGetCommConfigCapability() > HCCL_COMM_CONFIG_COMM_NAME,
              "HcclGetCommConfigCapability() = %u: hcclCommName is not read", HcclGetCommConfigCapability());
}

static void comm_info(HcclComm comm, const char* name) {
  uint32_t size = 0, id = 99;
  EXPECT_RC(HcclGetRankSize(comm, &size), HCCL_SUCCESS);
  EXPECT_RC(HcclGetRankId(comm, &id), HCCL_SUCCESS);
  EXPECT_TRUE(size == (uint32_t)g_n && id == (uint32_t)g_rank, "rank size/id %u/%u, MPI says %d/%d", size, id, g_n,
              g_rank);
  EXPECT_RC(HcclGetRankSize(comm, NULL), HCCL_E_PTR);
  EXPECT_RC(HcclGetRankId(comm, NULL), HCCL_E_PTR);
  char got[COMM_NAME_MAX_LENGTH + 16];
  memset(got, 'x', sizeof got);
  EXPECT_RC(HcclGetCommName(comm, got), HCCL_SUCCESS);
  EXPECT_TRUE(memchr(got, '\0', COMM_NAME_MAX_LENGTH) != NULL, "the comm name is not terminated within %d bytes",
              COMM_NAME_MAX_LENGTH);
  if (name != NULL) {
    EXPECT_TRUE(strcmp(got, name) == 0, "HcclGetCommName gives \"%.*s\", the config said \"%s\"", COMM_NAME_MAX_LENGTH,
                got, name);
  } else {
    EXPECT_TRUE(got[0] != '\0', "an unnamed communicator has an empty name");
  }
  EXPECT_RC(HcclGetCommName(comm, NULL), HCCL_E_PTR);
  HcclResult async = HCCL_E_INTERNAL;
  EXPECT_RC(HcclGetCommAsyncError(comm, &async), HCCL_SUCCESS);
  EXPECT_TRUE(async == HCCL_SUCCESS, "a new communicator reports asynchronous error %d", (int)async);
  EXPECT_RC(HcclGetCommAsyncError(comm, NULL), HCCL_E_PTR);
}

/* Every argument error, returned at the call on this rank alone (so ranks need not agree). */
static void argument_errors(HcclComm comm) {
  const uint32_t n = (uint32_t)g_n, me = (uint32_t)g_rank, other = (me + 1) % n;
  const uint64_t c = 16;
  void* a = tc_dev_alloc(c * 8 * n);
  void* b = tc_dev_alloc(c * 8 * n);
  const HcclDataType f32 = HCCL_DATA_TYPE_FP32;
  const HcclDataType bad_types[] = {HCCL_DATA_TYPE_RESERVED, (HcclDataType)-1, (HcclDataType)200};
  const HcclReduceOp bad_ops[] = {HCCL_REDUCE_RESERVED, (HcclReduceOp)-1, (HcclReduceOp)77};
  aclrtStream s = g_stream;

  /* null buffers */
  EXPECT_RC(HcclAllReduce(NULL, b, c, f32, HCCL_REDUCE_SUM, comm, s), HCCL_E_PTR);
  EXPECT_RC(HcclAllReduce(a, NULL, c, f32, HCCL_REDUCE_SUM, comm, s), HCCL_E_PTR);
  EXPECT_RC(HcclBroadcast(NULL, c, f32, 0, comm, s), HCCL_E_PTR);
  EXPECT_RC(HcclReduce(NULL, b, c, f32, HCCL_REDUCE_SUM, 0, comm, s), HCCL_E_PTR);
  EXPECT_RC(HcclReduce(a, NULL, c, f32, HCCL_REDUCE_SUM, me, comm, s), HCCL_E_PTR); /* this rank is the root */
  EXPECT_RC(HcclAllGather(NULL, b, c, f32, comm, s), HCCL_E_PTR);
  EXPECT_RC(HcclAllGather(a, NULL, c, f32, comm, s), HCCL_E_PTR);
  EXPECT_RC(HcclReduceScatter(NULL, b, c, f32, HCCL_REDUCE_SUM, comm, s), HCCL_E_PTR);
  EXPECT_RC(HcclReduceScatter(a, NULL, c, f32, HCCL_REDUCE_SUM, comm, s), HCCL_E_PTR);
  EXPECT_RC(HcclScatter(NULL, b, c, f32, me, comm, s), HCCL_E_PTR); /* this rank is the root */
  EXPECT_RC(HcclScatter(a, NULL, c, f32, 0, comm, s), HCCL_E_PTR);
  EXPECT_RC(HcclAlltoAll(NULL, c, f32, b, c, f32, comm, s), HCCL_E_PTR);
  EXPECT_RC(HcclAlltoAll(a, c, f32, NULL, c, f32, comm, s), HCCL_E_PTR);
  EXPECT_RC(HcclSend(NULL, c, f32, other, comm, s), HCCL_E_PTR);
  EXPECT_RC(HcclRecv(NULL, c, f32, other, comm, s), HCCL_E_PTR);
  uint64_t counts[8], displs[8];
  for (uint32_t j = 0; j < n; ++j) {
    counts[j] = c;
    displs[j] = c * j;
  }
  EXPECT_RC(HcclAlltoAllV(a, NULL, displs, f32, b, counts, displs, f32, comm, s), HCCL_E_PTR);
  EXPECT_RC(HcclAlltoAllV(a, counts, NULL, f32, b, counts, displs, f32, comm, s), HCCL_E_PTR);
  EXPECT_RC(HcclAlltoAllV(a, counts, displs, f32, b, NULL, displs, f32, comm, s), HCCL_E_PTR);
  EXPECT_RC(HcclAlltoAllV(a, counts, displs, f32, b, counts, NULL, f32, comm, s), HCCL_E_PTR);
  EXPECT_RC(HcclAlltoAllV(NULL, counts, displs, f32, b, counts, displs, f32, comm, s), HCCL_E_PTR);
  EXPECT_RC(HcclAlltoAllV(a, counts, displs, f32, NULL, counts, displs, f32, comm, s), HCCL_E_PTR);
  EXPECT_RC(HcclBatchSendRecv(NULL, 1, comm, s), HCCL_E_PTR);
  HcclSendRecvItem item = {HCCL_SEND, NULL, c, f32, other};
  EXPECT_RC(HcclBatchSendRecv(&item, 1, comm, s), HCCL_E_PTR);

  /* unknown element types and operators */
  for (size_t k = 0; k < sizeof bad_types / sizeof bad_types[0]; ++k) {
    const HcclDataType t = bad_types[k];
    EXPECT_RC(HcclAllReduce(a, b, c, t, HCCL_REDUCE_SUM, comm, s), HCCL_E_PARA);
    EXPECT_RC(HcclBroadcast(a, c, t, 0, comm, s), HCCL_E_PARA);
    EXPECT_RC(HcclReduce(a, b, c, t, HCCL_REDUCE_SUM, 0, comm, s), HCCL_E_PARA);
    EXPECT_RC(HcclAllGather(a, b, c, t, comm, s), HCCL_E_PARA);
    EXPECT_RC(HcclReduceScatter(a, b, c, t, HCCL_REDUCE_SUM, comm, s), HCCL_E_PARA);
    EXPECT_RC(HcclScatter(a, b, c, t, 0, comm, s), HCCL_E_PARA);
    EXPECT_RC(HcclAlltoAll(a, c, t, b, c, f32, comm, s), HCCL_E_PARA);
    EXPECT_RC(HcclAlltoAll(a, c, f32, b, c, t, comm, s), HCCL_E_PARA);
    EXPECT_RC(HcclAlltoAllV(a, counts, displs, t, b, counts, displs, f32, comm, s), HCCL_E_PARA);
    EXPECT_RC(HcclAlltoAllV(a, counts, displs, f32, b, counts, displs, t, comm, s), HCCL_E_PARA);
    EXPECT_RC(HcclSend(a, c, t, other, comm, s), HCCL_E_PARA);
    EXPECT_RC(HcclRecv(b, c, t, other, comm, s), HCCL_E_PARA);
    HcclSendRecvItem bad_item = {HCCL_SEND, a, c, t, other};
    EXPECT_RC(HcclBatchSendRecv(&bad_item, 1, comm, s), HCCL_E_PARA);
  }
  for (size_t k = 0; k < sizeof bad_ops / sizeof bad_ops[0]; ++k) {
    const HcclReduceOp op = bad_ops[k];
    EXPECT_RC(HcclAllReduce(a, b, c, f32, op, comm, s), HCCL_E_PARA);
    EXPECT_RC(HcclReduce(a, b, c, f32, op, 0, comm, s), HCCL_E_PARA);
    EXPECT_RC(HcclReduceScatter(a, b, c, f32, op, comm, s), HCCL_E_PARA);
  }
  HcclSendRecvItem bad_kind = {HCCL_SEND_RECV_RESERVED, a, c, f32, other};
  EXPECT_RC(HcclBatchSendRecv(&bad_kind, 1, comm, s), HCCL_E_PARA);

  /* roots and peers outside the communicator, and oneself */
  const uint32_t outside[] = {n, n + 1, UINT32_MAX};
  for (size_t k = 0; k < sizeof outside / sizeof outside[0]; ++k) {
    const uint32_t r = outside[k];
    EXPECT_RC(HcclBroadcast(a, c, f32, r, comm, s), HCCL_E_PARA);
    EXPECT_RC(HcclReduce(a, b, c, f32, HCCL_REDUCE_SUM, r, comm, s), HCCL_E_PARA);
    EXPECT_RC(HcclScatter(a, b, c, f32, r, comm, s), HCCL_E_PARA);
    EXPECT_RC(HcclSend(a, c, f32, r, comm, s), HCCL_E_PARA);
    EXPECT_RC(HcclRecv(b, c, f32, r, comm, s), HCCL_E_PARA);
    HcclSendRecvItem far = {HCCL_RECV, b, c, f32, r};
    EXPECT_RC(HcclBatchSendRecv(&far, 1, comm, s), HCCL_E_PARA);
  }
  EXPECT_RC(HcclSend(a, c, f32, me, comm, s), HCCL_E_PARA);
  EXPECT_RC(HcclRecv(b, c, f32, me, comm, s), HCCL_E_PARA);
  HcclSendRecvItem self = {HCCL_SEND, a, c, f32, me};
  EXPECT_RC(HcclBatchSendRecv(&self, 1, comm, s), HCCL_E_PARA);

  /* all-to-all bytes that differ */
  EXPECT_RC(HcclAlltoAll(a, c, f32, b, c + 1, f32, comm, s), HCCL_E_PARA);
  EXPECT_RC(HcclAlltoAll(a, c, f32, b, c, HCCL_DATA_TYPE_FP16, comm, s), HCCL_E_PARA);
  EXPECT_RC(HcclAlltoAll(a, c, HCCL_DATA_TYPE_INT8, b, c, HCCL_DATA_TYPE_INT16, comm, s), HCCL_E_PARA);
  /* Equal bytes in other types are fine: not an error (run as a real collective below). */
  uint64_t rcounts[8];
  for (uint32_t j = 0; j < n; ++j) rcounts[j] = c;
  rcounts[me] = c + 1; /* what this rank sends itself differs from what it expects from itself */
  EXPECT_RC(HcclAlltoAllV(a, counts, displs, f32, b, rcounts, displs, f32, comm, s), HCCL_E_PARA);

  /* communicator handles that are not live */
  EXPECT_RC(HcclAllReduce(a, b, c, f32, HCCL_REDUCE_SUM, NULL, s), HCCL_E_PARA);
  EXPECT_RC(HcclAllReduce(a, b, c, f32, HCCL_REDUCE_SUM, (HcclComm)(uintptr_t)0x1234, s), HCCL_E_PARA);
  EXPECT_RC(HcclBarrier((HcclComm)&item, s), HCCL_E_PARA);
  uint32_t size = 0;
  EXPECT_RC(HcclGetRankSize(NULL, &size), HCCL_E_PARA);
  EXPECT_RC(HcclCommDestroy(NULL), HCCL_E_PARA);
  EXPECT_RC(HcclCommDestroy((HcclComm)&item), HCCL_E_PARA);

  /* Nothing was queued: the stream has nothing to report, the communicator no failure. */
  const aclError e = aclrtSynchronizeStreamWithTimeout(s, 60000);
  EXPECT_TRUE(e == ACL_SUCCESS, "the stream reports %d (%s) after calls that all failed at submission", (int)e,
              aclGetRecentErrMsg());
  HcclResult async = HCCL_E_INTERNAL;
  EXPECT_RC(HcclGetCommAsyncError(comm, &async), HCCL_SUCCESS);
  EXPECT_TRUE(async == HCCL_SUCCESS, "HcclGetCommAsyncError reports %d after errors caught at submission", (int)async);
  tc_dev_free(a);
  tc_dev_free(b);
}

/* Rank 0 and the others queue collectives that disagree: every rank's synchronize must fail
 * (not time out), and the communicator then reports an asynchronous error. */
typedef enum { kCount, kType, kOp, kRoot, kKind, kAlltoAllCount, kScatterRoot } Mismatch;

static const char* mismatch_name(Mismatch m) {
  switch (m) {
    case kCount: return "AllReduce counts";
    case kType: return "AllReduce element types (fp32 and int32: the same bytes)";
    case kOp: return "AllReduce operators";
    case kRoot: return "Broadcast roots";
    case kKind: return "AllReduce against AllGather";
    case kAlltoAllCount: return "AlltoAll counts";
    default: return "Scatter roots";
  }
}

static void disagreement(HcclComm comm, Mismatch m) {
  const int odd = g_rank != 0; /* rank 0 does one thing, the others another */
  const uint64_t c = 64;
  void* a = tc_dev_alloc(c * 8 * (size_t)g_n);
  void* b = tc_dev_alloc(c * 8 * (size_t)g_n);
  HcclResult rc = HCCL_SUCCESS;
  switch (m) {
    case kCount: rc = HcclAllReduce(a, b, odd ? c + 1 : c, HCCL_DATA_TYPE_FP32, HCCL_REDUCE_SUM, comm, g_stream); break;
    case kType:
      rc = HcclAllReduce(a, b, c, odd ? HCCL_DATA_TYPE_INT32 : HCCL_DATA_TYPE_FP32, HCCL_REDUCE_SUM, comm, g_stream);
      break;
    case kOp:
      rc = HcclAllReduce(a, b, c, HCCL_DATA_TYPE_FP32, odd ? HCCL_REDUCE_MAX : HCCL_REDUCE_SUM, comm, g_stream);
      break;
    case kRoot: rc = HcclBroadcast(a, c, HCCL_DATA_TYPE_FP32, odd ? 1 : 0, comm, g_stream); break;
    case kKind:
      rc = odd ? HcclAllGather(a, b, c, HCCL_DATA_TYPE_FP32, comm, g_stream)
               : HcclAllReduce(a, b, c, HCCL_DATA_TYPE_FP32, HCCL_REDUCE_SUM, comm, g_stream);
      break;
    case kAlltoAllCount:
      rc = HcclAlltoAll(a, odd ? c - 1 : c, HCCL_DATA_TYPE_FP32, b, odd ? c - 1 : c, HCCL_DATA_TYPE_FP32, comm, g_stream);
      break;
    default: rc = HcclScatter(a, b, c, HCCL_DATA_TYPE_INT8, odd ? 1 : 0, comm, g_stream); break;
  }
  EXPECT_TRUE(rc == HCCL_SUCCESS, "%s: the call (which this rank alone cannot fault) returned %d", mismatch_name(m),
              (int)rc);
  if (rc == HCCL_SUCCESS) {
    const aclError e = aclrtSynchronizeStreamWithTimeout(g_stream, 60000);
    if (e == ACL_ERROR_RT_STREAM_SYNC_TIMEOUT) {
      fprintf(stderr, "[rank %d] ranks that disagree on the %s hang (60 s)\n", g_rank, mismatch_name(m));
      mpi_abort();
    }
    EXPECT_TRUE(e != ACL_SUCCESS, "ranks disagree on the %s, yet the stream synchronizes without error",
                mismatch_name(m));
    const char* msg = aclGetRecentErrMsg();
    EXPECT_TRUE(e == ACL_SUCCESS || (msg != NULL && msg[0] != '\0'), "the failure of the %s has no message",
                mismatch_name(m));
    HcclResult async = HCCL_SUCCESS;
    EXPECT_RC(HcclGetCommAsyncError(comm, &async), HCCL_SUCCESS);
    EXPECT_TRUE(async != HCCL_SUCCESS, "HcclGetCommAsyncError reports success after ranks disagreed on the %s",
                mismatch_name(m));
  }
  /* Every rank has seen the failure before the next case starts. */
  MPI_Barrier(MPI_COMM_WORLD);
  tc_dev_free(a);
  tc_dev_free(b);
}

/* A receive larger than the matching send fails the receiving rank's stream. */
static void p2p_size_mismatch(HcclComm comm) {
  const uint64_t c = 100;
  void* a = tc_dev_alloc(c * 4 + 16);
  if (g_rank == 0) {
    EXPECT_RC(HcclSend(a, c, HCCL_DATA_TYPE_FP32, 1, comm, g_stream), HCCL_SUCCESS);
  } else if (g_rank == 1) {
    EXPECT_RC(HcclRecv(a, c + 4, HCCL_DATA_TYPE_FP32, 0, comm, g_stream), HCCL_SUCCESS);
  }
  const aclError e = aclrtSynchronizeStreamWithTimeout(g_stream, 60000);
  if (e == ACL_ERROR_RT_STREAM_SYNC_TIMEOUT) {
    fprintf(stderr, "[rank %d] a Send/Recv pair of different sizes hangs (60 s)\n", g_rank);
    mpi_abort();
  }
  if (g_rank == 1)
    EXPECT_TRUE(e != ACL_SUCCESS, "a Recv of %llu floats matched a Send of %llu without error",
                (unsigned long long)(c + 4), (unsigned long long)c);
  if (g_rank == 0) EXPECT_TRUE(e == ACL_SUCCESS, "the sender of a Send/Recv of different sizes failed (%d)", (int)e);
  MPI_Barrier(MPI_COMM_WORLD);
  tc_dev_free(a);
}

/* AlltoAllV where rank 1 expects from rank 0 more (then fewer) elements than rank 0 sends to
 * it. Per-peer counts are not part of what the ranks compare before a collective; the
 * receiving rank finds it as the data arrives, then every rank fails, and no rank hangs. */
static void all_to_all_v_count_mismatch(HcclComm comm) {
  void* a = tc_dev_alloc(64 * 4 * (size_t)g_n);
  void* b = tc_dev_alloc(64 * 4 * (size_t)g_n);
  for (int variant = 0; variant < 2; ++variant) {
    uint64_t sc[8], sd[8], rc[8], rd[8];
    for (int j = 0; j < g_n; ++j) {
      sc[j] = rc[j] = 10;
      sd[j] = rd[j] = 32 * (uint64_t)j;
    }
    if (g_rank == 1) rc[0] = variant == 0 ? 12 : 8;
    EXPECT_RC(HcclAlltoAllV(a, sc, sd, HCCL_DATA_TYPE_FP32, b, rc, rd, HCCL_DATA_TYPE_FP32, comm, g_stream),
              HCCL_SUCCESS);
    const aclError e = aclrtSynchronizeStreamWithTimeout(g_stream, 60000);
    if (e == ACL_ERROR_RT_STREAM_SYNC_TIMEOUT) {
      fprintf(stderr, "[rank %d] an AlltoAllV whose counts disagree hangs (60 s)\n", g_rank);
      mpi_abort();
    }
    EXPECT_TRUE(e != ACL_SUCCESS, "AlltoAllV: rank 1 expected %s elements than rank 0 sent, yet rank %d's stream "
                "has no error (every rank must fail)", variant == 0 ? "more" : "fewer", g_rank);
    MPI_Barrier(MPI_COMM_WORLD);
  }
  tc_dev_free(a);
  tc_dev_free(b);
}

/* A destroyed communicator's handle is an error (HCCL_E_PARA), never a crash; destroying a
 * communicator waits for its queued collectives. */
static void destroyed_handle(void) {
  HcclComm c2 = join(NULL);
  comm_info(c2, NULL);
  const uint64_t count = 1 << 16;
  const uint64_t salt = tc_salt(98, HCCL_DATA_TYPE_INT32, HCCL_REDUCE_SUM, 0);
  int32_t* host = malloc(count * 4);
  void* dev = tc_dev_alloc(count * 4);
  tc_fill(host, HCCL_DATA_TYPE_INT32, HCCL_REDUCE_SUM, g_rank, salt, 0, count);
  tc_put(dev, host, count * 4);
  EXPECT_RC(HcclAllReduce(dev, dev, count, HCCL_DATA_TYPE_INT32, HCCL_REDUCE_SUM, c2, g_stream), HCCL_SUCCESS);
  EXPECT_RC(HcclCommDestroy(c2), HCCL_SUCCESS); /* with the all-reduce possibly still queued */
  const aclError e = aclrtSynchronizeStreamWithTimeout(g_stream, 60000);
  EXPECT_TRUE(e == ACL_SUCCESS, "an AllReduce queued before HcclCommDestroy failed: %d (%s)", (int)e,
              aclGetRecentErrMsg());
  tc_get(host, dev, count * 4);
  EXPECT_TRUE(tc_check_reduce(host, HCCL_DATA_TYPE_INT32, HCCL_REDUCE_SUM, g_n, salt, 0, count,
                              "AllReduce queued before HcclCommDestroy", g_rank) == 0,
              "an AllReduce queued before HcclCommDestroy gave a wrong result");
  uint32_t v = 0;
  char name[COMM_NAME_MAX_LENGTH];
  HcclResult async;
  EXPECT_RC(HcclAllReduce(dev, dev, count, HCCL_DATA_TYPE_INT32, HCCL_REDUCE_SUM, c2, g_stream), HCCL_E_PARA);
  EXPECT_RC(HcclBroadcast(dev, count, HCCL_DATA_TYPE_INT32, 0, c2, g_stream), HCCL_E_PARA);
  EXPECT_RC(HcclSend(dev, count, HCCL_DATA_TYPE_INT32, 0, c2, g_stream), HCCL_E_PARA);
  EXPECT_RC(HcclBarrier(c2, g_stream), HCCL_E_PARA);
  EXPECT_RC(HcclGetRankSize(c2, &v), HCCL_E_PARA);
  EXPECT_RC(HcclGetRankId(c2, &v), HCCL_E_PARA);
  EXPECT_RC(HcclGetCommName(c2, name), HCCL_E_PARA);
  EXPECT_RC(HcclGetCommAsyncError(c2, &async), HCCL_E_PARA);
  EXPECT_RC(HcclCommDestroy(c2), HCCL_E_PARA);
  /* A new communicator never answers to the old handle. */
  HcclComm c3 = join(NULL);
  if (c3 != c2) EXPECT_RC(HcclGetRankSize(c2, &v), HCCL_E_PARA);
  EXPECT_RC(HcclCommDestroy(c3), HCCL_SUCCESS);
  tc_dev_free(dev);
  free(host);
}

/* HcclCommInitRootInfo(Config) with bad arguments. Each case fails on every rank without
 * hanging. */
static void init_errors(void) {
  HcclRootInfo root;
  memset(&root, 0, sizeof root);
  if (g_rank == 0) TC_HCCL(HcclGetRootInfo(&root));
  MPI_Bcast(&root, (int)sizeof root, MPI_BYTE, 0, MPI_COMM_WORLD);
  const uint32_t n = (uint32_t)g_n, me = (uint32_t)g_rank;
  HcclComm c = NULL;
  EXPECT_RC(HcclGetRootInfo(NULL), HCCL_E_PTR);
  EXPECT_RC(HcclCommInitRootInfo(n, NULL, me, &c), HCCL_E_PTR);
  EXPECT_RC(HcclCommInitRootInfo(n, &root, me, NULL), HCCL_E_PTR);
  EXPECT_RC(HcclCommInitRootInfo(n, &root, n, &c), HCCL_E_PARA);
  EXPECT_RC(HcclCommInitRootInfo(n, &root, UINT32_MAX, &c), HCCL_E_PARA);
  EXPECT_RC(HcclCommInitRootInfo(0, &root, 0, &c), HCCL_E_PARA);
  /* A root info HcclGetRootInfo never wrote. */
  HcclRootInfo junk;
  memset(&junk, 0x5a, sizeof junk);
  EXPECT_FAIL(HcclCommInitRootInfo(n, &junk, me, &c));
  /* Configurations: not stamped by HcclCommConfigInit; hcclDeterministic not 0 or 1. */
  HcclCommConfig config;
  memset(&config, 0, sizeof config);
  EXPECT_RC(HcclCommInitRootInfoConfig(n, &root, me, &config, &c), HCCL_E_PARA);
  HcclCommConfigInit(&config);
  config.hcclDeterministic = 7;
  EXPECT_RC(HcclCommInitRootInfoConfig(n, &root, me, &config, &c), HCCL_E_PARA);
  HcclCommConfigInit(NULL); /* no crash */
  MPI_Barrier(MPI_COMM_WORLD);

  /* Two processes asking for the same rank: both fail. */
  if (g_n == 2) {
    memset(&root, 0, sizeof root);
    if (g_rank == 0) TC_HCCL(HcclGetRootInfo(&root));
    MPI_Bcast(&root, (int)sizeof root, MPI_BYTE, 0, MPI_COMM_WORLD);
    EXPECT_RC(HcclCommInitRootInfo(n, &root, 0, &c), HCCL_E_PARA);
    MPI_Barrier(MPI_COMM_WORLD);
  }

  /* One rank gives up (a bad rank): the others must not wait past HCCL_CONNECT_TIMEOUT. */
  setenv("HCCL_CONNECT_TIMEOUT", "3", 1);
  memset(&root, 0, sizeof root);
  if (g_rank == 0) TC_HCCL(HcclGetRootInfo(&root));
  MPI_Bcast(&root, (int)sizeof root, MPI_BYTE, 0, MPI_COMM_WORLD);
  const double t0 = tc_now();
  if (g_rank == g_n - 1) {
    EXPECT_RC(HcclCommInitRootInfo(n, &root, n + 5, &c), HCCL_E_PARA);
  } else {
    EXPECT_RC(HcclCommInitRootInfo(n, &root, me, &c), HCCL_E_TIMEOUT);
    EXPECT_TRUE(tc_now() - t0 < 60, "HcclCommInitRootInfo gave up after %.1f s, HCCL_CONNECT_TIMEOUT is 3 s",
                tc_now() - t0);
  }
  unsetenv("HCCL_CONNECT_TIMEOUT");
  MPI_Barrier(MPI_COMM_WORLD);
}

int main(int argc, char** argv) {
  int provided = 0;
  MPI_Init_thread(&argc, &argv, MPI_THREAD_MULTIPLE, &provided);
  MPI_Comm_rank(MPI_COMM_WORLD, &g_rank);
  MPI_Comm_size(MPI_COMM_WORLD, &g_n);
  tc_abort_hook = mpi_abort;
  tc_init();
  if (g_n < 2 || g_n > 8) tc_die("run with mpirun -np 2 (2..8 ranks), not %d", g_n);
  const double start = tc_now();
  TC_ACL(aclInit(NULL));
  TC_ACL(aclrtSetDevice(0));
  TC_ACL(aclrtCreateStream(&g_stream));

  error_strings();
  settings();

  /* A named communicator. */
  HcclCommConfig config;
  HcclCommConfigInit(&config);
  const char* name = "vnpu-hccl-errors: a communicator with a name";
  snprintf(config.hcclCommName, sizeof config.hcclCommName, "%s", name);
  config.hcclDeterministic = 1;
  HcclComm comm = join(&config);
  comm_info(comm, name);

  argument_errors(comm);
  correct_all_reduce(comm, "after argument errors");

  for (int m = kCount; m <= kScatterRoot; ++m) {
    disagreement(comm, (Mismatch)m);
    correct_all_reduce(comm, "after ranks disagreed");
  }
  p2p_size_mismatch(comm);
  correct_all_reduce(comm, "after a Send/Recv size mismatch");
  all_to_all_v_count_mismatch(comm);
  correct_all_reduce(comm, "after an AlltoAllV whose counts disagree");

  destroyed_handle();
  init_errors();
  correct_all_reduce(comm, "after failed HcclCommInitRootInfo calls");
  /* A new communicator still forms. */
  HcclComm again = join(NULL);
  correct_all_reduce(again, "on a communicator made after failed ones");
  EXPECT_RC(HcclCommDestroy(again), HCCL_SUCCESS);

  EXPECT_RC(HcclCommDestroy(comm), HCCL_SUCCESS);
  EXPECT_RC(HcclCommDestroy(comm), HCCL_E_PARA);
  TC_ACL(aclrtDestroyStream(g_stream));
  TC_ACL(aclrtResetDevice(0));
  TC_ACL(aclFinalize());

  long failures = 0, checks = 0;
  MPI_Allreduce(&g_failures, &failures, 1, MPI_LONG, MPI_SUM, MPI_COMM_WORLD);
  MPI_Allreduce(&g_checks, &checks, 1, MPI_LONG, MPI_SUM, MPI_COMM_WORLD);
  if (g_rank == 0) {
    printf("hccl_errors: %d ranks, %ld checks, %ld failed, %.1f s\n", g_n, checks, failures, tc_now() - start);
    printf("%s\n", failures == 0 ? "PASSED" : "FAILED");
  }
  MPI_Finalize();
  return failures == 0 ? 0 : 1;
}
