/* hccl_local.c — HCCL communicators whose ranks are devices of one process (no MPI).
 *
 * A. HcclCommInitAll over 2 and 4 devices (rank i = devices[i], in a shuffled order), every
 *    rank's collectives issued from the main thread on a stream of the rank's device:
 *    AllReduce for every type x operator x count (0, 1, 1023, 4 KiB; 1 MiB and a count past
 *    the engine's segment for f32), in place and not; Reduce, ReduceScatter, Broadcast,
 *    AllGather, Scatter, AlltoAll, AlltoAllV, Send/Recv, BatchSendRecv, Barrier. Results
 *    against the host references of hccl_check.h, bit for bit the same on every rank and on a
 *    second run.
 * B. The same communicator driven by one thread per rank (each sets its device).
 * C. Three threads joining one root info (HcclGetRootInfo, HcclCommInitRootInfo per thread).
 * D. Errors: HcclCommInitAll's arguments; ranks that disagree fail every rank's stream and
 *    hang none; a Send/Recv of different sizes fails the receiver; the communicator works after.
 * VNPU_DEVICES must allow 4 devices (set here when unset).
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hccl_check.h"

#define MAXR 4

static long g_failures, g_cases;
static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;

static void fail_case(const char* label, long bad) {
  if (bad == 0) return;
  pthread_mutex_lock(&g_mu);
  fprintf(stderr, "FAILED: %s\n", label);
  ++g_failures;
  pthread_mutex_unlock(&g_mu);
}

static void count_case(void) {
  pthread_mutex_lock(&g_mu);
  ++g_cases;
  pthread_mutex_unlock(&g_mu);
}

static void* xmalloc(size_t bytes) {
  void* p = malloc(bytes == 0 ? 1 : bytes);
  if (p == NULL) tc_die("out of host memory");
  return p;
}

static long synced(aclrtStream s, const char* label, int rank) {
  const aclError e = aclrtSynchronizeStreamWithTimeout(s, 120000);
  if (e == ACL_ERROR_RT_STREAM_SYNC_TIMEOUT) tc_die("%s: rank %d's stream hangs (120 s)", label, rank);
  if (e == ACL_SUCCESS) return 0;
  fprintf(stderr, "[rank %d] %s: aclrtSynchronizeStream failed: %d (%s)\n", rank, label, (int)e, aclGetRecentErrMsg());
  return 1;
}

static long guards(long changed, const char* label, int rank) {
  if (changed == 0) return 0;
  fprintf(stderr, "[rank %d] %s: %ld guard bytes overwritten\n", rank, label, changed);
  return 1;
}

/* ---- A: one thread drives every rank ---- */

typedef struct {
  int n;
  int32_t devs[MAXR];
  HcclComm comms[MAXR];
  aclrtStream streams[MAXR][2];
} Group;

/* Makes rank r's device current: a stream takes tasks from its own device's context only
 * (as on CANN), so the main thread switches before each rank's calls. */
static void use(const Group* grp, int r) { TC_ACL(aclrtSetDevice(grp->devs[r])); }

static void group_init(Group* grp, int n, const int32_t* devs) {
  grp->n = n;
  memcpy(grp->devs, devs, sizeof(int32_t) * (size_t)n);
  TC_HCCL(HcclCommInitAll((uint32_t)n, grp->devs, grp->comms));
  for (int r = 0; r < n; ++r) {
    use(grp, r);
    uint32_t size = 0, id = 99;
    TC_HCCL(HcclGetRankSize(grp->comms[r], &size));
    TC_HCCL(HcclGetRankId(grp->comms[r], &id));
    if (size != (uint32_t)n || id != (uint32_t)r) tc_die("HcclCommInitAll: comm %d says rank %u of %u", r, id, size);
    TC_ACL(aclrtSetDevice(devs[r]));
    TC_ACL(aclrtCreateStream(&grp->streams[r][0]));
    TC_ACL(aclrtCreateStream(&grp->streams[r][1]));
  }
}

static void group_destroy(Group* grp) {
  for (int r = 0; r < grp->n; ++r) {
    TC_ACL(aclrtSetDevice(grp->devs[r]));
    TC_HCCL(HcclCommDestroy(grp->comms[r]));
    TC_ACL(aclrtDestroyStream(grp->streams[r][0]));
    TC_ACL(aclrtDestroyStream(grp->streams[r][1]));
  }
}

/* Device buffers of every rank, each on its rank's device. */
static void alloc_all(const Group* grp, void** bufs, size_t bytes) {
  for (int r = 0; r < grp->n; ++r) {
    use(grp, r);
    bufs[r] = tc_dev_alloc(bytes);
  }
}
static void free_all(const Group* grp, void** bufs) {
  for (int r = 0; r < grp->n; ++r) {
    use(grp, r);
    tc_dev_free(bufs[r]);
  }
}
static long sync_all(const Group* grp, int which, const char* label) {
  long bad = 0;
  for (int r = 0; r < grp->n; ++r) {
    use(grp, r);
    bad += synced(grp->streams[r][which], label, r);
  }
  return bad;
}

enum { kAR = 1, kRed, kRS, kBC, kAG, kSC, kA2A, kA2AV, kP2P, kBatch };

static void group_all_reduce(const Group* grp, HcclDataType t, HcclReduceOp op, uint64_t count, int inplace) {
  char label[160];
  snprintf(label, sizeof label, "%d devices: AllReduce %s %s count=%llu %s", grp->n, tc_type_name(t), tc_op_name(op),
           (unsigned long long)count, inplace ? "in-place" : "out-of-place");
  const int n = grp->n;
  const size_t bytes = (size_t)count * tc_size(t);
  const uint64_t salt = tc_salt(kAR, (int)t, (int)op, 0);
  void *send[MAXR], *recv[MAXR];
  unsigned char* in[MAXR];
  unsigned char* out[2][MAXR];
  alloc_all(grp, send, bytes);
  if (inplace) {
    memcpy(recv, send, sizeof send);
  } else {
    alloc_all(grp, recv, bytes);
  }
  for (int r = 0; r < n; ++r) {
    use(grp, r);
    in[r] = xmalloc(bytes);
    tc_fill(in[r], t, (int)op, r, salt, 0, count);
    out[0][r] = xmalloc(bytes + 2 * TC_GUARD);
    out[1][r] = xmalloc(bytes + 2 * TC_GUARD);
  }
  long bad = 0;
  for (int run = 0; run < 2; ++run) {
    for (int r = 0; r < n; ++r) {
      use(grp, r);
      tc_put(send[r], in[r], bytes);
      TC_HCCL(HcclAllReduce(send[r], recv[r], count, t, op, grp->comms[r], grp->streams[r][run]));
    }
    bad += sync_all(grp, run, label);
    for (int r = 0; r < n; ++r) {
      use(grp, r);
      bad += guards(tc_get_guarded(out[run][r], recv[r], bytes), label, r);
    }
  }
  /* Rank 0's result against the reference; every rank's and both runs' bits equal to it. */
  bad += tc_check_reduce(out[0][0] + TC_GUARD, t, op, n, salt, 0, count, label, 0) != 0;
  for (int run = 0; run < 2; ++run)
    for (int r = 0; r < n; ++r)
      if (memcmp(out[run][r] + TC_GUARD, out[0][0] + TC_GUARD, bytes) != 0) {
        fprintf(stderr, "%s: rank %d's result (run %d) differs from rank 0's (run 0)\n", label, r, run);
        ++bad;
      }
  for (int r = 0; r < n; ++r) {
    use(grp, r);
    free(in[r]);
    free(out[0][r]);
    free(out[1][r]);
  }
  if (!inplace) free_all(grp, recv);
  free_all(grp, send);
  fail_case(label, bad);
  count_case();
}

static void group_reduce_family(const Group* grp, HcclDataType t, HcclReduceOp op, uint64_t count) {
  char label[160];
  const int n = grp->n;
  const size_t bytes = (size_t)count * tc_size(t), total = bytes * (size_t)n;
  /* Reduce to each root, out of place. */
  for (int root = 0; root < n; ++root) {
    snprintf(label, sizeof label, "%d devices: Reduce %s %s count=%llu root=%d", n, tc_type_name(t), tc_op_name(op),
             (unsigned long long)count, root);
    const uint64_t salt = tc_salt(kRed, (int)t, (int)op, (uint64_t)root);
    void *send[MAXR], *recv[MAXR];
    alloc_all(grp, send, bytes);
    alloc_all(grp, recv, bytes);
    unsigned char* h = xmalloc(bytes + 2 * TC_GUARD);
    unsigned char* untouched = xmalloc(bytes);
    memset(untouched, TC_GUARD_BYTE, bytes);
    for (int r = 0; r < n; ++r) {
      use(grp, r);
      tc_fill(h, t, (int)op, r, salt, 0, count);
      tc_put(send[r], h, bytes);
      TC_HCCL(HcclReduce(send[r], recv[r], count, t, op, (uint32_t)root, grp->comms[r], grp->streams[r][0]));
    }
    long bad = sync_all(grp, 0, label);
    for (int r = 0; r < n; ++r) {
      use(grp, r);
      bad += guards(tc_get_guarded(h, recv[r], bytes), label, r);
      if (r == root) {
        bad += tc_check_reduce(h + TC_GUARD, t, op, n, salt, 0, count, label, r) != 0;
      } else {
        bad += tc_check_same(h + TC_GUARD, untouched, bytes, "Reduce: a non-root's recvBuf", r) != 0;
      }
    }
    free(h);
    free(untouched);
    free_all(grp, send);
    free_all(grp, recv);
    fail_case(label, bad);
    count_case();
  }
  /* ReduceScatter, in place (the rank's block of sendBuf). */
  snprintf(label, sizeof label, "%d devices: ReduceScatter %s %s recvCount=%llu in-place", n, tc_type_name(t),
           tc_op_name(op), (unsigned long long)count);
  const uint64_t salt = tc_salt(kRS, (int)t, (int)op, 0);
  void* send[MAXR];
  alloc_all(grp, send, total);
  unsigned char* h = xmalloc(total + 2 * TC_GUARD);
  for (int r = 0; r < n; ++r) {
    use(grp, r);
    tc_fill(h, t, (int)op, r, salt, 0, count * (uint64_t)n);
    tc_put(send[r], h, total);
    TC_HCCL(HcclReduceScatter(send[r], (unsigned char*)send[r] + (size_t)r * bytes, count, t, op, grp->comms[r],
                              grp->streams[r][1]));
  }
  long bad = sync_all(grp, 1, label);
  for (int r = 0; r < n; ++r) {
    use(grp, r);
    bad += guards(tc_get_guarded(h, send[r], total), label, r);
    bad += tc_check_reduce(h + TC_GUARD + (size_t)r * bytes, t, op, n, salt, (uint64_t)r * count, count, label, r) != 0;
  }
  free(h);
  free_all(grp, send);
  fail_case(label, bad);
  count_case();
}

/* Broadcast, AllGather, Scatter, AlltoAll, AlltoAllV, Send/Recv ring, BatchSendRecv ring. */
static void group_movement(const Group* grp, HcclDataType t, uint64_t count) {
  char label[160];
  const int n = grp->n;
  const size_t es = tc_size(t), bytes = (size_t)count * es, total = bytes * (size_t)n;
  unsigned char* h = xmalloc(total * 2 + 2 * TC_GUARD);
  void *a[MAXR], *b[MAXR];
  long bad;

  const int root = (int)(count % (uint64_t)n);
  snprintf(label, sizeof label, "%d devices: Broadcast %s count=%llu root=%d", n, tc_type_name(t),
           (unsigned long long)count, root);
  uint64_t salt = tc_salt(kBC, (int)t, 0, 0);
  alloc_all(grp, a, bytes);
  for (int r = 0; r < n; ++r) {
    use(grp, r);
    tc_fill(h, t, TC_RAW, r, r == root ? salt : ~salt, 0, count);
    tc_put(a[r], h, bytes);
    TC_HCCL(HcclBroadcast(a[r], count, t, (uint32_t)root, grp->comms[r], grp->streams[r][0]));
  }
  bad = sync_all(grp, 0, label);
  for (int r = 0; r < n; ++r) {
    use(grp, r);
    bad += guards(tc_get_guarded(h, a[r], bytes), label, r);
    bad += tc_check_raw(h + TC_GUARD, t, root, salt, 0, count, label, r) != 0;
  }
  free_all(grp, a);
  fail_case(label, bad);
  count_case();

  snprintf(label, sizeof label, "%d devices: AllGather %s sendCount=%llu", n, tc_type_name(t), (unsigned long long)count);
  salt = tc_salt(kAG, (int)t, 0, 0);
  alloc_all(grp, a, bytes);
  alloc_all(grp, b, total);
  for (int r = 0; r < n; ++r) {
    use(grp, r);
    tc_fill(h, t, TC_RAW, r, salt, 0, count);
    tc_put(a[r], h, bytes);
    TC_HCCL(HcclAllGather(a[r], b[r], count, t, grp->comms[r], grp->streams[r][1]));
  }
  bad = sync_all(grp, 1, label);
  for (int r = 0; r < n; ++r) {
    use(grp, r);
    bad += guards(tc_get_guarded(h, b[r], total), label, r);
    for (int q = 0; q < n; ++q) bad += tc_check_raw(h + TC_GUARD + (size_t)q * bytes, t, q, salt, 0, count, label, r) != 0;
  }
  free_all(grp, a);
  free_all(grp, b);
  fail_case(label, bad);
  count_case();

  snprintf(label, sizeof label, "%d devices: Scatter %s recvCount=%llu root=%d", n, tc_type_name(t),
           (unsigned long long)count, n - 1 - root);
  salt = tc_salt(kSC, (int)t, 0, 0);
  alloc_all(grp, a, total);
  alloc_all(grp, b, bytes);
  for (int r = 0; r < n; ++r) {
    use(grp, r);
    tc_fill(h, t, TC_RAW, r, salt, 0, count * (uint64_t)n);
    tc_put(a[r], h, total);
    TC_HCCL(HcclScatter(a[r], b[r], count, t, (uint32_t)(n - 1 - root), grp->comms[r], grp->streams[r][0]));
  }
  bad = sync_all(grp, 0, label);
  for (int r = 0; r < n; ++r) {
    use(grp, r);
    bad += guards(tc_get_guarded(h, b[r], bytes), label, r);
    bad += tc_check_raw(h + TC_GUARD, t, n - 1 - root, salt, (uint64_t)r * count, count, label, r) != 0;
  }
  free_all(grp, a);
  free_all(grp, b);
  fail_case(label, bad);
  count_case();

  snprintf(label, sizeof label, "%d devices: AlltoAll %s count=%llu", n, tc_type_name(t), (unsigned long long)count);
  salt = tc_salt(kA2A, (int)t, 0, 0);
  alloc_all(grp, a, total);
  alloc_all(grp, b, total);
  for (int r = 0; r < n; ++r) {
    use(grp, r);
    tc_fill(h, t, TC_RAW, r, salt, 0, count * (uint64_t)n);
    tc_put(a[r], h, total);
    TC_HCCL(HcclAlltoAll(a[r], count, t, b[r], count, t, grp->comms[r], grp->streams[r][1]));
  }
  bad = sync_all(grp, 1, label);
  for (int r = 0; r < n; ++r) {
    use(grp, r);
    bad += guards(tc_get_guarded(h, b[r], total), label, r);
    for (int q = 0; q < n; ++q)
      bad += tc_check_raw(h + TC_GUARD + (size_t)q * bytes, t, q, salt, (uint64_t)r * count, count, label, r) != 0;
  }
  free_all(grp, a);
  free_all(grp, b);
  fail_case(label, bad);
  count_case();

  /* AlltoAllV: rank i sends rank j (i + j) % 3 * count / 2 elements; blocks packed in send
   * order, received in reverse rank order. */
  snprintf(label, sizeof label, "%d devices: AlltoAllV %s base=%llu", n, tc_type_name(t), (unsigned long long)count);
  salt = tc_salt(kA2AV, (int)t, 0, 0);
  uint64_t sc[MAXR][MAXR], sd[MAXR][MAXR], rc[MAXR][MAXR], rd[MAXR][MAXR], stot[MAXR], rtot[MAXR];
  for (int i = 0; i < n; ++i) {
    stot[i] = 0;
    for (int j = 0; j < n; ++j) {
      sc[i][j] = (uint64_t)((i + j) % 3) * count / 2;
      sd[i][j] = stot[i];
      stot[i] += sc[i][j];
    }
  }
  for (int j = 0; j < n; ++j) {
    rtot[j] = 0;
    for (int i = n - 1; i >= 0; --i) {
      rc[j][i] = sc[i][j];
      rd[j][i] = rtot[j];
      rtot[j] += rc[j][i];
    }
  }
  for (int r = 0; r < n; ++r) {
    use(grp, r);
    TC_ACL(aclrtSetDevice(grp->devs[r]));
    a[r] = tc_dev_alloc((size_t)stot[r] * es);
    b[r] = tc_dev_alloc((size_t)rtot[r] * es);
    tc_fill(h, t, TC_RAW, r, salt, 0, stot[r]);
    tc_put(a[r], h, (size_t)stot[r] * es);
  }
  for (int r = 0; r < n; ++r) {
    use(grp, r);
    TC_HCCL(HcclAlltoAllV(a[r], sc[r], sd[r], t, b[r], rc[r], rd[r], t, grp->comms[r], grp->streams[r][0]));
  }
  bad = sync_all(grp, 0, label);
  for (int r = 0; r < n; ++r) {
    use(grp, r);
    bad += guards(tc_get_guarded(h, b[r], (size_t)rtot[r] * es), label, r);
    for (int i = 0; i < n; ++i)
      bad += tc_check_raw(h + TC_GUARD + (size_t)rd[r][i] * es, t, i, salt, sd[i][r], rc[r][i], label, r) != 0;
  }
  free_all(grp, a);
  free_all(grp, b);
  fail_case(label, bad);
  count_case();

  /* Send/Recv around the ring (every rank sends to the next, receives from the previous), then
   * the same as one BatchSendRecv per rank. */
  for (int batch = 0; batch < 2; ++batch) {
    snprintf(label, sizeof label, "%d devices: %s ring %s count=%llu", n, batch ? "BatchSendRecv" : "Send/Recv",
             tc_type_name(t), (unsigned long long)count);
    salt = tc_salt(batch ? kBatch : kP2P, (int)t, 0, 0);
    alloc_all(grp, a, bytes);
    alloc_all(grp, b, bytes);
    for (int r = 0; r < n; ++r) {
      use(grp, r);
      tc_fill(h, t, TC_RAW, r, salt, 0, count);
      tc_put(a[r], h, bytes);
    }
    for (int r = 0; r < n; ++r) {
      use(grp, r);
      const uint32_t next = (uint32_t)((r + 1) % n), prev = (uint32_t)((r + n - 1) % n);
      if (batch) {
        HcclSendRecvItem items[2] = {{HCCL_RECV, b[r], count, t, prev}, {HCCL_SEND, a[r], count, t, next}};
        TC_HCCL(HcclBatchSendRecv(items, 2, grp->comms[r], grp->streams[r][1]));
      } else if (r % 2 == 0) {
        /* Issued from one thread, Send before Recv on every rank: each is queued, none waits. */
        TC_HCCL(HcclSend(a[r], count, t, next, grp->comms[r], grp->streams[r][1]));
        TC_HCCL(HcclRecv(b[r], count, t, prev, grp->comms[r], grp->streams[r][1]));
      } else {
        TC_HCCL(HcclRecv(b[r], count, t, prev, grp->comms[r], grp->streams[r][1]));
        TC_HCCL(HcclSend(a[r], count, t, next, grp->comms[r], grp->streams[r][1]));
      }
    }
    bad = sync_all(grp, 1, label);
    for (int r = 0; r < n; ++r) {
      use(grp, r);
      bad += guards(tc_get_guarded(h, b[r], bytes), label, r);
      bad += tc_check_raw(h + TC_GUARD, t, (r + n - 1) % n, salt, 0, count, label, r) != 0;
    }
    free_all(grp, a);
    free_all(grp, b);
    fail_case(label, bad);
    count_case();
  }
  free(h);
}

static void group_suite(int n, const int32_t* devs) {
  Group grp;
  group_init(&grp, n, devs);
  const double t0 = tc_now();
  const long c0 = g_cases, f0 = g_failures;
  for (int ti = 0; ti < TC_NTYPES; ++ti) {
    const HcclDataType t = tc_types[ti];
    const uint64_t counts[] = {0, 1, 1023, 4096 / tc_size(t)};
    for (int oi = 0; oi < TC_NOPS; ++oi)
      for (size_t s = 0; s < sizeof counts / sizeof counts[0]; ++s) {
        group_all_reduce(&grp, t, tc_ops[oi], counts[s], 0);
        group_all_reduce(&grp, t, tc_ops[oi], counts[s], 1);
      }
    for (int oi = 0; oi < TC_NOPS; ++oi) group_reduce_family(&grp, t, tc_ops[oi], 1023);
    group_reduce_family(&grp, t, HCCL_REDUCE_SUM, 0);
    for (size_t s = 0; s < sizeof counts / sizeof counts[0]; ++s) group_movement(&grp, t, counts[s]);
  }
  group_all_reduce(&grp, HCCL_DATA_TYPE_FP32, HCCL_REDUCE_SUM, (1u << 20) / 4, 0);
  group_all_reduce(&grp, HCCL_DATA_TYPE_BFP16, HCCL_REDUCE_SUM, (1u << 20) / 2, 1);
  /* Past one segment of n pieces of 4 MiB: a second segment of fewer elements than ranks. */
  group_all_reduce(&grp, HCCL_DATA_TYPE_FP32, HCCL_REDUCE_PROD, ((uint64_t)4 << 20) / 4 * (uint64_t)n + 1, 1);
  group_reduce_family(&grp, HCCL_DATA_TYPE_FP16, HCCL_REDUCE_SUM, (1u << 20) / 2);
  /* Barriers. */
  for (int i = 0; i < 3; ++i) {
    for (int r = 0; r < n; ++r) {
      use(&grp, r);
      TC_HCCL(HcclBarrier(grp.comms[r], grp.streams[r][i % 2]));
    }
    fail_case("Barrier", sync_all(&grp, i % 2, "Barrier"));
  }
  for (int r = 0; r < n; ++r) {
    HcclResult async = HCCL_E_INTERNAL;
    TC_HCCL(HcclGetCommAsyncError(grp.comms[r], &async));
    if (async != HCCL_SUCCESS) fail_case("HcclGetCommAsyncError after collectives that succeeded", 1);
  }
  group_destroy(&grp);
  printf("  A. HcclCommInitAll, %d devices, one thread: %ld cases, %ld failed, %.2f s\n", n, g_cases - c0,
         g_failures - f0, tc_now() - t0);
}

/* ---- B and C: a thread per rank ---- */

typedef struct {
  int rank, n;
  int32_t dev;
  HcclComm comm;          /* B: from HcclCommInitAll; C: joined in the thread */
  const HcclRootInfo* root; /* C */
  uint64_t hashes[128];   /* results every rank holds, in order */
  int nhashes;
  long bad;
} RankArgs;

static void rank_all_reduce(RankArgs* a, aclrtStream s, HcclDataType t, HcclReduceOp op, uint64_t count) {
  char label[160];
  snprintf(label, sizeof label, "thread rank %d of %d: AllReduce %s %s count=%llu", a->rank, a->n, tc_type_name(t),
           tc_op_name(op), (unsigned long long)count);
  const size_t bytes = (size_t)count * tc_size(t);
  const uint64_t salt = tc_salt(kAR, (int)t, (int)op, 7);
  unsigned char* h = xmalloc(bytes + 2 * TC_GUARD);
  void* send = tc_dev_alloc(bytes);
  void* recv = tc_dev_alloc(bytes);
  tc_fill(h, t, (int)op, a->rank, salt, 0, count);
  tc_put(send, h, bytes);
  TC_HCCL(HcclAllReduce(send, recv, count, t, op, a->comm, s));
  long bad = synced(s, label, a->rank);
  bad += guards(tc_get_guarded(h, recv, bytes), label, a->rank);
  bad += tc_check_reduce(h + TC_GUARD, t, op, a->n, salt, 0, count, label, a->rank) != 0;
  a->hashes[a->nhashes++] = tc_hash(TC_HASH_INIT, h + TC_GUARD, bytes);
  tc_dev_free(send);
  tc_dev_free(recv);
  free(h);
  a->bad += bad;
  fail_case(label, bad);
  count_case();
}

static void* rank_main(void* p) {
  RankArgs* a = (RankArgs*)p;
  TC_ACL(aclrtSetDevice(a->dev));
  if (a->root != NULL) TC_HCCL(HcclCommInitRootInfo((uint32_t)a->n, a->root, (uint32_t)a->rank, &a->comm));
  uint32_t size = 0, id = 99;
  TC_HCCL(HcclGetRankSize(a->comm, &size));
  TC_HCCL(HcclGetRankId(a->comm, &id));
  if (size != (uint32_t)a->n || id != (uint32_t)a->rank) {
    fprintf(stderr, "thread rank %d of %d: the communicator says rank %u of %u\n", a->rank, a->n, id, size);
    ++a->bad;
  }
  aclrtStream s;
  TC_ACL(aclrtCreateStream(&s));
  for (int ti = 0; ti < TC_NTYPES; ++ti)
    for (int oi = 0; oi < TC_NOPS; ++oi) {
      rank_all_reduce(a, s, tc_types[ti], tc_ops[oi], 1);
      rank_all_reduce(a, s, tc_types[ti], tc_ops[oi], 1023);
    }
  rank_all_reduce(a, s, HCCL_DATA_TYPE_FP32, HCCL_REDUCE_SUM, 300001);
  /* An AllGather and a Broadcast; a ReduceScatter, each rank its block. */
  {
    const char* label = "thread ranks: AllGather, Broadcast, ReduceScatter";
    const uint64_t c = 999;
    const uint64_t s_ag = tc_salt(kAG, HCCL_DATA_TYPE_INT16, 0, 7), s_bc = tc_salt(kBC, HCCL_DATA_TYPE_FP16, 0, 7),
                   s_rs = tc_salt(kRS, HCCL_DATA_TYPE_BFP16, HCCL_REDUCE_SUM, 7);
    const size_t n = (size_t)a->n;
    unsigned char* h = xmalloc(n * c * 2 + 2 * TC_GUARD);
    void* ag_in = tc_dev_alloc(c * 2);
    void* ag_out = tc_dev_alloc(n * c * 2);
    void* bc = tc_dev_alloc(c * 2);
    void* rs = tc_dev_alloc(n * c * 2);
    tc_fill(h, HCCL_DATA_TYPE_INT16, TC_RAW, a->rank, s_ag, 0, c);
    tc_put(ag_in, h, c * 2);
    tc_fill(h, HCCL_DATA_TYPE_FP16, TC_RAW, a->rank, a->rank == 1 ? s_bc : ~s_bc, 0, c);
    tc_put(bc, h, c * 2);
    tc_fill(h, HCCL_DATA_TYPE_BFP16, HCCL_REDUCE_SUM, a->rank, s_rs, 0, n * c);
    tc_put(rs, h, n * c * 2);
    TC_HCCL(HcclAllGather(ag_in, ag_out, c, HCCL_DATA_TYPE_INT16, a->comm, s));
    TC_HCCL(HcclBroadcast(bc, c, HCCL_DATA_TYPE_FP16, 1, a->comm, s));
    TC_HCCL(HcclReduceScatter(rs, (unsigned char*)rs + (size_t)a->rank * c * 2, c, HCCL_DATA_TYPE_BFP16,
                              HCCL_REDUCE_SUM, a->comm, s));
    TC_HCCL(HcclBarrier(a->comm, s));
    long bad = synced(s, label, a->rank);
    bad += guards(tc_get_guarded(h, ag_out, n * c * 2), label, a->rank);
    for (int q = 0; q < a->n; ++q)
      bad += tc_check_raw(h + TC_GUARD + (size_t)q * c * 2, HCCL_DATA_TYPE_INT16, q, s_ag, 0, c, label, a->rank) != 0;
    a->hashes[a->nhashes++] = tc_hash(TC_HASH_INIT, h + TC_GUARD, n * c * 2);
    bad += guards(tc_get_guarded(h, bc, c * 2), label, a->rank);
    bad += tc_check_raw(h + TC_GUARD, HCCL_DATA_TYPE_FP16, 1, s_bc, 0, c, label, a->rank) != 0;
    a->hashes[a->nhashes++] = tc_hash(TC_HASH_INIT, h + TC_GUARD, c * 2);
    bad += guards(tc_get_guarded(h, rs, n * c * 2), label, a->rank);
    bad += tc_check_reduce(h + TC_GUARD + (size_t)a->rank * c * 2, HCCL_DATA_TYPE_BFP16, HCCL_REDUCE_SUM, a->n, s_rs,
                           (uint64_t)a->rank * c, c, label, a->rank) != 0;
    tc_dev_free(ag_in);
    tc_dev_free(ag_out);
    tc_dev_free(bc);
    tc_dev_free(rs);
    free(h);
    a->bad += bad;
    fail_case(label, bad);
    count_case();
  }
  TC_ACL(aclrtDestroyStream(s));
  if (a->root != NULL) TC_HCCL(HcclCommDestroy(a->comm));
  return NULL;
}

/* Runs rank_main on n threads; the results every rank holds must hash the same. */
static void threads_suite(const char* what, int n, const int32_t* devs, const HcclComm* comms,
                          const HcclRootInfo* root) {
  const double t0 = tc_now();
  const long c0 = g_cases, f0 = g_failures;
  RankArgs args[MAXR];
  pthread_t th[MAXR];
  for (int r = 0; r < n; ++r) {
    memset(&args[r], 0, sizeof args[r]);
    args[r].rank = r;
    args[r].n = n;
    args[r].dev = devs[r];
    args[r].comm = comms != NULL ? comms[r] : NULL;
    args[r].root = root;
    if (pthread_create(&th[r], NULL, rank_main, &args[r]) != 0) tc_die("pthread_create failed");
  }
  for (int r = 0; r < n; ++r) pthread_join(th[r], NULL);
  for (int r = 1; r < n; ++r) {
    if (args[r].nhashes != args[0].nhashes) {
      fail_case("thread ranks ran different numbers of cases", 1);
      continue;
    }
    for (int k = 0; k < args[0].nhashes; ++k)
      if (args[r].hashes[k] != args[0].hashes[k]) {
        fprintf(stderr, "%s: case %d: rank %d's result differs from rank 0's\n", what, k, r);
        fail_case("thread ranks: results that differ between ranks", 1);
      }
  }
  printf("  %s: %ld cases, %ld failed, %.2f s\n", what, g_cases - c0, g_failures - f0, tc_now() - t0);
}

/* ---- D: errors ---- */

static void expect_rc(HcclResult got, HcclResult want, const char* what) {
  count_case();
  if (got == want) return;
  fprintf(stderr, "%s returned %d (%s), want %d (%s)\n", what, (int)got, HcclGetErrorString(got), (int)want,
          HcclGetErrorString(want));
  fail_case(what, 1);
}

static void errors_suite(void) {
  const double t0 = tc_now();
  const long c0 = g_cases, f0 = g_failures;
  HcclComm comms[MAXR];
  int32_t dup[2] = {1, 1}, two[2] = {0, 2}, bad_dev[2] = {0, 999};
  expect_rc(HcclCommInitAll(2, dup, comms), HCCL_E_PARA, "HcclCommInitAll with a device twice");
  expect_rc(HcclCommInitAll(0, two, comms), HCCL_E_PARA, "HcclCommInitAll of 0 devices");
  expect_rc(HcclCommInitAll(2, NULL, comms), HCCL_E_PTR, "HcclCommInitAll with devices NULL");
  expect_rc(HcclCommInitAll(2, two, NULL), HCCL_E_PTR, "HcclCommInitAll with comms NULL");
  count_case();
  if (HcclCommInitAll(2, bad_dev, comms) == HCCL_SUCCESS) fail_case("HcclCommInitAll with device 999 succeeded", 1);

  Group grp;
  group_init(&grp, 2, two);
  const uint64_t c = 64;
  void *a[MAXR], *b[MAXR];
  alloc_all(&grp, a, c * 8);
  alloc_all(&grp, b, c * 8);
  /* Ranks that disagree: counts, then element types, then roots. Every stream fails. */
  for (int k = 0; k < 3; ++k) {
    const char* what = k == 0 ? "AllReduce counts" : k == 1 ? "AllReduce element types" : "Broadcast roots";
    for (int r = 0; r < 2; ++r) {
      use(&grp, r);
      HcclResult rc;
      if (k == 0) {
        rc = HcclAllReduce(a[r], b[r], c + (uint64_t)r, HCCL_DATA_TYPE_FP32, HCCL_REDUCE_SUM, grp.comms[r],
                           grp.streams[r][0]);
      } else if (k == 1) {
        rc = HcclAllReduce(a[r], b[r], c, r ? HCCL_DATA_TYPE_UINT32 : HCCL_DATA_TYPE_FP32, HCCL_REDUCE_SUM,
                           grp.comms[r], grp.streams[r][0]);
      } else {
        rc = HcclBroadcast(a[r], c, HCCL_DATA_TYPE_FP32, (uint32_t)r, grp.comms[r], grp.streams[r][0]);
      }
      expect_rc(rc, HCCL_SUCCESS, "queueing a collective the ranks disagree on");
    }
    for (int r = 0; r < 2; ++r) {
      use(&grp, r);
      count_case();
      if (synced(grp.streams[r][0], "(expected failure)", r) == 0) {
        fprintf(stderr, "ranks disagree on the %s, yet rank %d's stream synchronizes without error\n", what, r);
        fail_case(what, 1);
      }
      HcclResult async = HCCL_SUCCESS;
      TC_HCCL(HcclGetCommAsyncError(grp.comms[r], &async));
      count_case();
      if (async == HCCL_SUCCESS) fail_case("HcclGetCommAsyncError reports success after ranks disagreed", 1);
    }
  }
  /* A receive of other size than the send fails the receiver; the sender goes on, and
   * nothing hangs (docs/hccl.md). */
  use(&grp, 0);
  TC_HCCL(HcclSend(a[0], c, HCCL_DATA_TYPE_INT8, 1, grp.comms[0], grp.streams[0][1]));
  use(&grp, 1);
  TC_HCCL(HcclRecv(b[1], c + 1, HCCL_DATA_TYPE_INT8, 0, grp.comms[1], grp.streams[1][1]));
  use(&grp, 1);
  count_case();
  if (synced(grp.streams[1][1], "(expected failure)", 1) == 0) {
    fprintf(stderr, "Send of %llu bytes met a Recv of %llu, yet the receiver's stream has no error\n",
            (unsigned long long)c, (unsigned long long)(c + 1));
    fail_case("Send/Recv of different sizes", 1);
  }
  use(&grp, 0);
  count_case();
  if (synced(grp.streams[0][1], "(sender)", 0) != 0) fail_case("the sender of a mismatched Send/Recv failed", 1);
  /* Errors at the call; then the communicator still works. */
  use(&grp, 0);
  expect_rc(HcclSend(a[0], c, HCCL_DATA_TYPE_INT8, 0, grp.comms[0], grp.streams[0][0]), HCCL_E_PARA, "Send to self");
  expect_rc(HcclAllReduce(a[0], NULL, c, HCCL_DATA_TYPE_INT8, HCCL_REDUCE_SUM, grp.comms[0], grp.streams[0][0]),
            HCCL_E_PTR, "AllReduce into NULL");
  use(&grp, 1);
  expect_rc(HcclBroadcast(a[1], c, HCCL_DATA_TYPE_INT8, 2, grp.comms[1], grp.streams[1][0]), HCCL_E_PARA,
            "Broadcast from root 2 of 2");
  free_all(&grp, a);
  free_all(&grp, b);
  group_all_reduce(&grp, HCCL_DATA_TYPE_INT64, HCCL_REDUCE_SUM, 1023, 0);
  group_destroy(&grp);
  uint32_t v = 0;
  expect_rc(HcclGetRankSize(grp.comms[0], &v), HCCL_E_PARA, "HcclGetRankSize of a destroyed communicator");
  expect_rc(HcclCommDestroy(grp.comms[1]), HCCL_E_PARA, "HcclCommDestroy of a destroyed communicator");
  printf("  D. errors: %ld checks, %ld failed, %.2f s\n", g_cases - c0, g_failures - f0, tc_now() - t0);
}

int main(void) {
  setenv("VNPU_DEVICES", "4", 0);
  tc_init();
  const double start = tc_now();
  TC_ACL(aclInit(NULL));
  uint32_t ndev = 0;
  TC_ACL(aclrtGetDeviceCount(&ndev));
  if (ndev < 4) tc_die("4 devices needed, VNPU_DEVICES gives %u", ndev);
  printf("hccl_local\n");
  const int32_t two[2] = {1, 0}, four[4] = {2, 0, 3, 1};
  group_suite(2, two);
  group_suite(4, four);
  {
    HcclComm comms[MAXR];
    int32_t devs[MAXR] = {3, 2, 1, 0};
    TC_HCCL(HcclCommInitAll(4, devs, comms));
    threads_suite("B. HcclCommInitAll, 4 devices, a thread per rank", 4, devs, comms, NULL);
    for (int r = 0; r < 4; ++r) TC_HCCL(HcclCommDestroy(comms[r]));
  }
  {
    HcclRootInfo root;
    TC_HCCL(HcclGetRootInfo(&root));
    const int32_t devs[3] = {0, 1, 2};
    threads_suite("C. HcclCommInitRootInfo, 3 threads", 3, devs, NULL, &root);
  }
  errors_suite();
  for (int d = 0; d < 4; ++d) TC_ACL(aclrtResetDevice(d));
  TC_ACL(aclFinalize());
  printf("hccl_local: %ld cases, %ld failed, %.1f s\n%s\n", g_cases, g_failures, tc_now() - start,
         g_failures == 0 ? "PASSED" : "FAILED");
  return g_failures == 0 ? 0 : 1;
}
