/* hccl_collectives.c — acceptance test of the HCCL collectives between MPI processes.
 *
 *   mpirun -np 2 ./hccl_collectives        (and -np 4)
 *
 * Every collective of hccl.h, for every HcclDataType, every HcclReduceOp where it reduces,
 * counts 0, 1, 1023, 4 KiB and 1 MiB (plus a few large messages that cross the engine's
 * segments), in place and out of place where the signature allows it. Inputs come from a
 * generator of (case, rank, index) (hccl_check.h); results are compared on the host with
 * the exact bits of the documented fold (rank order, f16/bf16 rounded once) and a long
 * double reference, guard bytes around every buffer must stay untouched, a second run of
 * each reducing case (on the other stream) must give the same bits, and results every rank
 * holds must hash the same on every rank. Buffers are aclrtMalloc'd; data moves with
 * aclrtMemcpy. Rank 0 prints a summary and a digest of all results (the same on any host
 * placement; `--digest` is accepted for scripts, the line "digest <hex>" is always printed);
 * the exit status is nonzero on any mismatch.
 */
#define _POSIX_C_SOURCE 200809L
#include <mpi.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hccl_check.h"

enum {
  kAllReduce = 1, kBroadcast, kReduce, kAllGather, kReduceScatter, kScatter, kAlltoAll, kAlltoAllV, kSendRecv,
  kBatch, kQueued, kLarge,
};

static struct {
  int rank, n;
  HcclComm comm;
  aclrtStream streams[2];
  long failures; /* this rank's */
  long cases;
  uint64_t digest; /* every case's result hash of every rank, in order: equal on every rank */
} g;

static void mpi_abort(void) { MPI_Abort(MPI_COMM_WORLD, 2); }

static void* xmalloc(size_t bytes) {
  void* p = malloc(bytes == 0 ? 1 : bytes);
  if (p == NULL) tc_die("out of host memory (%zu bytes)", bytes);
  return p;
}

/* The counts of a type: 0, 1, 1023, 4 KiB and 1 MiB worth of elements. */
#define NSIZES 5
static uint64_t count_of(HcclDataType t, int s) {
  const uint64_t es = tc_size(t);
  const uint64_t counts[NSIZES] = {0, 1, 1023, 4096 / es, (1u << 20) / es};
  return counts[s];
}

static long synced(aclrtStream s, const char* label) {
  const aclError e = aclrtSynchronizeStream(s);
  if (e == ACL_SUCCESS) return 0;
  fprintf(stderr, "[rank %d] %s: aclrtSynchronizeStream failed: %d (%s)\n", g.rank, label, (int)e,
          aclGetRecentErrMsg());
  return 1;
}

static long guards(long changed, const char* label) {
  if (changed == 0) return 0;
  fprintf(stderr, "[rank %d] %s: %ld guard bytes around the result were overwritten\n", g.rank, label, changed);
  return 1;
}

/* Ends a case: counts its failures; gathers every rank's result hash into the digest and,
 * when every rank must hold the same result (`replicated`), checks that the hashes agree. */
static void finish(const char* label, long bad, uint64_t hash, int replicated) {
  uint64_t* all = xmalloc(sizeof(uint64_t) * (size_t)g.n);
  MPI_Allgather(&hash, 1, MPI_UINT64_T, all, 1, MPI_UINT64_T, MPI_COMM_WORLD);
  if (replicated) {
    for (int r = 1; r < g.n; ++r)
      if (all[r] != all[0]) {
        if (g.rank == 0)
          fprintf(stderr, "%s: rank %d's result hashes to %016llx, rank 0's to %016llx: not the same bits\n", label, r,
                  (unsigned long long)all[r], (unsigned long long)all[0]);
        ++bad;
        break;
      }
  }
  g.digest = tc_hash(g.digest, all, sizeof(uint64_t) * (size_t)g.n);
  free(all);
  if (bad != 0) {
    fprintf(stderr, "[rank %d] FAILED: %s\n", g.rank, label);
    ++g.failures;
  }
  ++g.cases;
}

static long compare_runs(uint64_t h0, uint64_t h1, const char* label) {
  if (h0 == h1) return 0;
  fprintf(stderr, "[rank %d] %s: the second run gave other bits (hash %016llx, first %016llx)\n", g.rank, label,
          (unsigned long long)h1, (unsigned long long)h0);
  return 1;
}

/* Whether this rank checks a result every rank holds against the reference: all of them for
 * small counts; for large ones, one rank in turn — the others' results must hash the same
 * (finish), so they are checked too. */
static int checker(uint64_t count) { return count <= 4096 || g.cases % g.n == g.rank; }

/* ---- reductions ---- */

static void all_reduce(HcclDataType t, HcclReduceOp op, uint64_t count, int inplace) {
  char label[160];
  snprintf(label, sizeof label, "AllReduce %s %s count=%llu %s", tc_type_name(t), tc_op_name(op),
           (unsigned long long)count, inplace ? "in-place" : "out-of-place");
  const size_t es = tc_size(t), bytes = (size_t)count * es;
  const uint64_t salt = tc_salt(kAllReduce, (int)t, (int)op, 0);
  unsigned char* in = xmalloc(bytes);
  unsigned char* out = xmalloc(bytes + 2 * TC_GUARD);
  unsigned char* back = xmalloc(bytes);
  tc_fill(in, t, (int)op, g.rank, salt, 0, count);
  void* send = tc_dev_alloc(bytes);
  void* recv = inplace ? send : tc_dev_alloc(bytes);
  long bad = 0;
  uint64_t h[2] = {0, 0};
  for (int run = 0; run < 2; ++run) {
    tc_put(send, in, bytes);
    if (!inplace) tc_dev_poison(recv, bytes);
    TC_HCCL(HcclAllReduce(send, recv, count, t, op, g.comm, g.streams[run]));
    bad += synced(g.streams[run], label);
    bad += guards(tc_get_guarded(out, recv, bytes), label);
    h[run] = tc_hash(TC_HASH_INIT, out + TC_GUARD, bytes);
    if (run == 0) {
      if (checker(count)) bad += tc_check_reduce(out + TC_GUARD, t, op, g.n, salt, 0, count, label, g.rank) != 0;
      if (!inplace) {
        tc_get(back, send, bytes);
        bad += tc_check_same(back, in, bytes, "AllReduce's sendBuf", g.rank) != 0;
      }
    }
  }
  bad += compare_runs(h[0], h[1], label);
  if (!inplace) tc_dev_free(recv);
  tc_dev_free(send);
  free(in);
  free(out);
  free(back);
  finish(label, bad, h[0], 1);
}

static void reduce(HcclDataType t, HcclReduceOp op, uint64_t count, uint32_t root, int inplace) {
  char label[160];
  snprintf(label, sizeof label, "Reduce %s %s count=%llu root=%u %s", tc_type_name(t), tc_op_name(op),
           (unsigned long long)count, root, inplace ? "in-place" : "out-of-place");
  const size_t es = tc_size(t), bytes = (size_t)count * es;
  const uint64_t salt = tc_salt(kReduce, (int)t, (int)op, root);
  const int is_root = (uint32_t)g.rank == root;
  unsigned char* in = xmalloc(bytes);
  unsigned char* out = xmalloc(bytes + 2 * TC_GUARD);
  unsigned char* untouched = xmalloc(bytes);
  memset(untouched, TC_GUARD_BYTE, bytes);
  tc_fill(in, t, (int)op, g.rank, salt, 0, count);
  void* send = tc_dev_alloc(bytes);
  void* recv = inplace ? send : tc_dev_alloc(bytes);
  long bad = 0;
  uint64_t h[2] = {0, 0};
  for (int run = 0; run < 2; ++run) {
    tc_put(send, in, bytes);
    if (!inplace) tc_dev_poison(recv, bytes);
    TC_HCCL(HcclReduce(send, recv, count, t, op, root, g.comm, g.streams[run]));
    bad += synced(g.streams[run], label);
    bad += guards(tc_get_guarded(out, recv, bytes), label);
    if (is_root) {
      h[run] = tc_hash(TC_HASH_INIT, out + TC_GUARD, bytes);
      if (run == 0) bad += tc_check_reduce(out + TC_GUARD, t, op, g.n, salt, 0, count, label, g.rank) != 0;
    } else {
      /* "other ranks' recvBuf is not written" (in place: it still holds the input) */
      bad += tc_check_same(out + TC_GUARD, inplace ? in : untouched, bytes, "Reduce: a non-root's recvBuf", g.rank) != 0;
    }
  }
  bad += compare_runs(h[0], h[1], label);
  if (!inplace) tc_dev_free(recv);
  tc_dev_free(send);
  free(in);
  free(out);
  free(untouched);
  finish(label, bad, h[0], 0);
}

static void reduce_scatter(HcclDataType t, HcclReduceOp op, uint64_t count, int inplace) {
  char label[160];
  snprintf(label, sizeof label, "ReduceScatter %s %s recvCount=%llu %s", tc_type_name(t), tc_op_name(op),
           (unsigned long long)count, inplace ? "in-place" : "out-of-place");
  const size_t es = tc_size(t), bytes = (size_t)count * es, total = bytes * (size_t)g.n;
  const uint64_t salt = tc_salt(kReduceScatter, (int)t, (int)op, 0);
  unsigned char* in = xmalloc(total);
  unsigned char* out = xmalloc(bytes + 2 * TC_GUARD);
  unsigned char* back = xmalloc(total + 2 * TC_GUARD);
  tc_fill(in, t, (int)op, g.rank, salt, 0, count * (uint64_t)g.n);
  void* send = tc_dev_alloc(total);
  /* In place: the rank's own block of sendBuf, as MPI and NCCL define it. */
  void* recv = inplace ? (unsigned char*)send + (size_t)g.rank * bytes : tc_dev_alloc(bytes);
  long bad = 0;
  uint64_t h[2] = {0, 0};
  for (int run = 0; run < 2; ++run) {
    tc_put(send, in, total);
    if (!inplace) tc_dev_poison(recv, bytes);
    TC_HCCL(HcclReduceScatter(send, recv, count, t, op, g.comm, g.streams[run]));
    bad += synced(g.streams[run], label);
    if (inplace) {
      bad += guards(tc_get_guarded(back, send, total), label);
      memcpy(out + TC_GUARD, back + TC_GUARD + (size_t)g.rank * bytes, bytes);
    } else {
      bad += guards(tc_get_guarded(out, recv, bytes), label);
    }
    h[run] = tc_hash(TC_HASH_INIT, out + TC_GUARD, bytes);
    if (run == 0)
      bad += tc_check_reduce(out + TC_GUARD, t, op, g.n, salt, (uint64_t)g.rank * count, count, label, g.rank) != 0;
  }
  bad += compare_runs(h[0], h[1], label);
  if (!inplace) tc_dev_free(recv);
  tc_dev_free(send);
  free(in);
  free(out);
  free(back);
  finish(label, bad, h[0], 0);
}

/* ---- data movement ---- */

static void broadcast(HcclDataType t, uint64_t count, uint32_t root) {
  char label[160];
  snprintf(label, sizeof label, "Broadcast %s count=%llu root=%u", tc_type_name(t), (unsigned long long)count, root);
  const size_t bytes = (size_t)count * tc_size(t);
  const uint64_t salt = tc_salt(kBroadcast, (int)t, 0, root);
  unsigned char* in = xmalloc(bytes);
  unsigned char* out = xmalloc(bytes + 2 * TC_GUARD);
  /* Non-roots start with other data, which must be replaced. */
  tc_fill(in, t, TC_RAW, g.rank, (uint32_t)g.rank == root ? salt : ~salt, 0, count);
  void* buf = tc_dev_alloc(bytes);
  long bad = 0;
  uint64_t h[2] = {0, 0};
  for (int run = 0; run < 2; ++run) {
    tc_put(buf, in, bytes);
    TC_HCCL(HcclBroadcast(buf, count, t, root, g.comm, g.streams[run]));
    bad += synced(g.streams[run], label);
    bad += guards(tc_get_guarded(out, buf, bytes), label);
    h[run] = tc_hash(TC_HASH_INIT, out + TC_GUARD, bytes);
    if (run == 0 && checker(count)) bad += tc_check_raw(out + TC_GUARD, t, (int)root, salt, 0, count, label, g.rank) != 0;
  }
  bad += compare_runs(h[0], h[1], label);
  tc_dev_free(buf);
  free(in);
  free(out);
  finish(label, bad, h[0], 1);
}

static void all_gather(HcclDataType t, uint64_t count, int inplace) {
  char label[160];
  snprintf(label, sizeof label, "AllGather %s sendCount=%llu %s", tc_type_name(t), (unsigned long long)count,
           inplace ? "in-place" : "out-of-place");
  const size_t bytes = (size_t)count * tc_size(t), total = bytes * (size_t)g.n;
  const uint64_t salt = tc_salt(kAllGather, (int)t, 0, 0);
  unsigned char* in = xmalloc(bytes);
  unsigned char* out = xmalloc(total + 2 * TC_GUARD);
  tc_fill(in, t, TC_RAW, g.rank, salt, 0, count);
  void* recv = tc_dev_alloc(total);
  /* In place: sendBuf is the rank's own block of recvBuf. */
  void* send = inplace ? (unsigned char*)recv + (size_t)g.rank * bytes : tc_dev_alloc(bytes);
  long bad = 0;
  uint64_t h = 0;
  tc_dev_poison(recv, total);
  tc_put(send, in, bytes);
  TC_HCCL(HcclAllGather(send, recv, count, t, g.comm, g.streams[0]));
  bad += synced(g.streams[0], label);
  bad += guards(tc_get_guarded(out, recv, total), label);
  for (int r = 0; r < g.n; ++r) {
    char what[200];
    snprintf(what, sizeof what, "%s, block %d", label, r);
    bad += tc_check_raw(out + TC_GUARD + (size_t)r * bytes, t, r, salt, 0, count, what, g.rank) != 0;
  }
  h = tc_hash(TC_HASH_INIT, out + TC_GUARD, total);
  if (!inplace) tc_dev_free(send);
  tc_dev_free(recv);
  free(in);
  free(out);
  finish(label, bad, h, 1);
}

static void scatter(HcclDataType t, uint64_t count, uint32_t root, int inplace) {
  char label[160];
  snprintf(label, sizeof label, "Scatter %s recvCount=%llu root=%u %s", tc_type_name(t), (unsigned long long)count,
           root, inplace ? "in-place" : "out-of-place");
  const size_t bytes = (size_t)count * tc_size(t), total = bytes * (size_t)g.n;
  const uint64_t salt = tc_salt(kScatter, (int)t, 0, root);
  const int is_root = (uint32_t)g.rank == root;
  unsigned char* out = xmalloc(bytes + 2 * TC_GUARD);
  unsigned char* in = xmalloc(total);
  tc_fill(in, t, TC_RAW, g.rank, salt, 0, count * (uint64_t)g.n);
  void* send = NULL;
  void* recv = NULL;
  if (inplace) {
    /* In place: the root's recvBuf is its own block of sendBuf; the others pass no sendBuf. */
    if (is_root) {
      send = tc_dev_alloc(total);
      recv = (unsigned char*)send + (size_t)g.rank * bytes;
    } else {
      recv = tc_dev_alloc(bytes);
    }
  } else {
    send = tc_dev_alloc(total);
    recv = tc_dev_alloc(bytes);
  }
  if (send != NULL) tc_put(send, in, total);
  long bad = 0;
  TC_HCCL(HcclScatter(send, recv, count, t, root, g.comm, g.streams[1]));
  bad += synced(g.streams[1], label);
  if (inplace && is_root) {
    unsigned char* all = xmalloc(total + 2 * TC_GUARD);
    bad += guards(tc_get_guarded(all, send, total), label);
    memcpy(out + TC_GUARD, all + TC_GUARD + (size_t)g.rank * bytes, bytes);
    bad += tc_check_same(all + TC_GUARD, in, total, "Scatter: the root's sendBuf", g.rank) != 0;
    free(all);
  } else {
    bad += guards(tc_get_guarded(out, recv, bytes), label);
  }
  bad += tc_check_raw(out + TC_GUARD, t, (int)root, salt, (uint64_t)g.rank * count, count, label, g.rank) != 0;
  const uint64_t h = tc_hash(TC_HASH_INIT, out + TC_GUARD, bytes);
  if (send != NULL) tc_dev_free(send);
  if (!(inplace && is_root)) tc_dev_free(recv);
  free(in);
  free(out);
  finish(label, bad, h, 0);
}

/* AlltoAll with sendCount elements of `t` to each rank, received as `rt` (same bytes). */
static void all_to_all(HcclDataType t, uint64_t count, HcclDataType rt) {
  char label[160];
  const uint64_t rcount = count * tc_size(t) / tc_size(rt);
  snprintf(label, sizeof label, "AlltoAll %s sendCount=%llu as %s recvCount=%llu", tc_type_name(t),
           (unsigned long long)count, tc_type_name(rt), (unsigned long long)rcount);
  const size_t bytes = (size_t)count * tc_size(t), total = bytes * (size_t)g.n;
  const uint64_t salt = tc_salt(kAlltoAll, (int)t, 0, 0);
  unsigned char* in = xmalloc(total);
  unsigned char* out = xmalloc(total + 2 * TC_GUARD);
  tc_fill(in, t, TC_RAW, g.rank, salt, 0, count * (uint64_t)g.n);
  void* send = tc_dev_alloc(total);
  void* recv = tc_dev_alloc(total);
  tc_put(send, in, total);
  long bad = 0;
  TC_HCCL(HcclAlltoAll(send, count, t, recv, rcount, rt, g.comm, g.streams[0]));
  bad += synced(g.streams[0], label);
  bad += guards(tc_get_guarded(out, recv, total), label);
  for (int r = 0; r < g.n; ++r) {
    char what[200];
    snprintf(what, sizeof what, "%s, block from rank %d", label, r);
    bad += tc_check_raw(out + TC_GUARD + (size_t)r * bytes, t, r, salt, (uint64_t)g.rank * count, count, what,
                        g.rank) != 0;
  }
  const uint64_t h = tc_hash(TC_HASH_INIT, out + TC_GUARD, total);
  tc_dev_free(send);
  tc_dev_free(recv);
  free(in);
  free(out);
  finish(label, bad, h, 0);
}

/* What rank i sends rank j in the AlltoAllV cases: some pairs nothing. */
static uint64_t v_count(uint64_t base, int i, int j) {
  if (base == 0 || (i + 2 * j) % 4 == 3) return 0;
  return base + (uint64_t)((i * 7 + j * 3) % 5);
}

/* Rank i's send displacements: blocks in reverse rank order with 3-element gaps. */
static uint64_t v_send_displs(uint64_t base, int i, int n, uint64_t* displs) {
  uint64_t off = 0;
  for (int j = n - 1; j >= 0; --j) {
    displs[j] = off;
    off += v_count(base, i, j) + 3;
  }
  return off;
}

static void all_to_all_v(HcclDataType t, uint64_t base) {
  char label[160];
  snprintf(label, sizeof label, "AlltoAllV %s base count=%llu", tc_type_name(t), (unsigned long long)base);
  const int n = g.n, me = g.rank;
  const size_t es = tc_size(t);
  const uint64_t salt = tc_salt(kAlltoAllV, (int)t, 0, base);
  uint64_t* scounts = xmalloc(sizeof(uint64_t) * (size_t)n);
  uint64_t* sdispls = xmalloc(sizeof(uint64_t) * (size_t)n);
  uint64_t* rcounts = xmalloc(sizeof(uint64_t) * (size_t)n);
  uint64_t* rdispls = xmalloc(sizeof(uint64_t) * (size_t)n);
  uint64_t* peer_displs = xmalloc(sizeof(uint64_t) * (size_t)n);
  for (int j = 0; j < n; ++j) scounts[j] = v_count(base, me, j);
  const uint64_t sent = v_send_displs(base, me, n, sdispls);
  /* Received blocks in rank order with 5-element gaps, which must stay untouched. */
  uint64_t received = 0;
  for (int i = 0; i < n; ++i) {
    rcounts[i] = v_count(base, i, me);
    rdispls[i] = received;
    received += rcounts[i] + 5;
  }
  unsigned char* in = xmalloc((size_t)sent * es);
  unsigned char* out = xmalloc((size_t)received * es + 2 * TC_GUARD);
  tc_fill(in, t, TC_RAW, me, salt, 0, sent);
  void* send = tc_dev_alloc((size_t)sent * es);
  void* recv = tc_dev_alloc((size_t)received * es);
  tc_put(send, in, (size_t)sent * es);
  long bad = 0;
  TC_HCCL(HcclAlltoAllV(send, scounts, sdispls, t, recv, rcounts, rdispls, t, g.comm, g.streams[1]));
  bad += synced(g.streams[1], label);
  bad += guards(tc_get_guarded(out, recv, (size_t)received * es), label);
  uint64_t off = 0;
  for (int i = 0; i < n; ++i) {
    char what[200];
    snprintf(what, sizeof what, "%s, block from rank %d", label, i);
    (void)v_send_displs(base, i, n, peer_displs);
    const uint64_t c = v_count(base, i, me);
    bad += tc_check_raw(out + TC_GUARD + (size_t)off * es, t, i, salt, peer_displs[me], c, what, me) != 0;
    unsigned char gap[5 * 8];
    memset(gap, TC_GUARD_BYTE, sizeof gap);
    bad += tc_check_same(out + TC_GUARD + (size_t)(off + c) * es, gap, 5 * es, "AlltoAllV: a gap of recvBuf", me) != 0;
    off += c + 5;
  }
  const uint64_t h = tc_hash(TC_HASH_INIT, out + TC_GUARD, (size_t)received * es);
  tc_dev_free(send);
  tc_dev_free(recv);
  free(in);
  free(out);
  free(scounts);
  free(sdispls);
  free(rcounts);
  free(rdispls);
  free(peer_displs);
  finish(label, bad, h, 0);
}

/* Every ordered pair (s, d) in one global order: s sends, d receives, all queued on one
 * stream before one synchronize. */
static void send_recv(HcclDataType t, uint64_t count) {
  char label[160];
  snprintf(label, sizeof label, "Send/Recv %s count=%llu, every ordered pair", tc_type_name(t), (unsigned long long)count);
  const int n = g.n, me = g.rank;
  const size_t bytes = (size_t)count * tc_size(t);
  void** sbufs = xmalloc(sizeof(void*) * (size_t)n);
  void** rbufs = xmalloc(sizeof(void*) * (size_t)n);
  unsigned char* host = xmalloc(bytes + 2 * TC_GUARD);
  long bad = 0;
  for (int s = 0; s < n; ++s)
    for (int d = 0; d < n; ++d) {
      if (s == d) continue;
      const uint64_t salt = tc_salt(kSendRecv, (int)t, s, (uint64_t)d);
      if (me == s) {
        sbufs[d] = tc_dev_alloc(bytes);
        tc_fill(host, t, TC_RAW, s, salt, 0, count);
        tc_put(sbufs[d], host, bytes);
        TC_HCCL(HcclSend(sbufs[d], count, t, (uint32_t)d, g.comm, g.streams[0]));
      } else if (me == d) {
        rbufs[s] = tc_dev_alloc(bytes);
        TC_HCCL(HcclRecv(rbufs[s], count, t, (uint32_t)s, g.comm, g.streams[0]));
      }
    }
  bad += synced(g.streams[0], label);
  uint64_t h = TC_HASH_INIT;
  for (int p = 0; p < n; ++p) {
    if (p == me) continue;
    char what[200];
    snprintf(what, sizeof what, "%s, from rank %d", label, p);
    bad += guards(tc_get_guarded(host, rbufs[p], bytes), what);
    bad += tc_check_raw(host + TC_GUARD, t, p, tc_salt(kSendRecv, (int)t, p, (uint64_t)me), 0, count, what, me) != 0;
    h = tc_hash(h, host + TC_GUARD, bytes);
    tc_dev_free(sbufs[p]);
    tc_dev_free(rbufs[p]);
  }
  free(sbufs);
  free(rbufs);
  free(host);
  finish(label, bad, h, 0);
}

static void batch_ring(HcclDataType t, uint64_t count) {
  char label[160];
  snprintf(label, sizeof label, "BatchSendRecv ring %s count=%llu", tc_type_name(t), (unsigned long long)count);
  const int n = g.n, me = g.rank, next = (me + 1) % n, prev = (me + n - 1) % n;
  const size_t bytes = (size_t)count * tc_size(t);
  const uint64_t salt = tc_salt(kBatch, (int)t, 0, 0);
  unsigned char* host = xmalloc(bytes + 2 * TC_GUARD);
  void* sb = tc_dev_alloc(bytes);
  void* rb = tc_dev_alloc(bytes);
  tc_fill(host, t, TC_RAW, me, salt, 0, count);
  tc_put(sb, host, bytes);
  HcclSendRecvItem items[2];
  const int first = me % 2; /* odd ranks list the receive first */
  items[first].sendRecvType = HCCL_SEND;
  items[first].buf = sb;
  items[first].count = count;
  items[first].dataType = t;
  items[first].remoteRank = (uint32_t)next;
  items[1 - first].sendRecvType = HCCL_RECV;
  items[1 - first].buf = rb;
  items[1 - first].count = count;
  items[1 - first].dataType = t;
  items[1 - first].remoteRank = (uint32_t)prev;
  long bad = 0;
  TC_HCCL(HcclBatchSendRecv(items, 2, g.comm, g.streams[1]));
  bad += synced(g.streams[1], label);
  bad += guards(tc_get_guarded(host, rb, bytes), label);
  bad += tc_check_raw(host + TC_GUARD, t, prev, salt, 0, count, label, me) != 0;
  const uint64_t h = tc_hash(TC_HASH_INIT, host + TC_GUARD, bytes);
  tc_dev_free(sb);
  tc_dev_free(rb);
  free(host);
  finish(label, bad, h, 0);
}

/* One batch in which every rank sends to and receives from every other rank. */
static void batch_all_pairs(HcclDataType t, uint64_t count) {
  char label[160];
  snprintf(label, sizeof label, "BatchSendRecv all pairs %s count=%llu", tc_type_name(t), (unsigned long long)count);
  const int n = g.n, me = g.rank;
  const size_t bytes = (size_t)count * tc_size(t);
  HcclSendRecvItem* items = xmalloc(sizeof(HcclSendRecvItem) * 2 * (size_t)n);
  void** sb = xmalloc(sizeof(void*) * (size_t)n);
  void** rb = xmalloc(sizeof(void*) * (size_t)n);
  unsigned char* host = xmalloc(bytes + 2 * TC_GUARD);
  uint32_t k = 0;
  for (int q = 0; q < n; ++q) {
    const int p = (me + 1 + q) % n;
    if (p == me) continue;
    sb[p] = tc_dev_alloc(bytes);
    rb[p] = tc_dev_alloc(bytes);
    tc_fill(host, t, TC_RAW, me, tc_salt(kBatch, (int)t, 1, (uint64_t)p), 0, count);
    tc_put(sb[p], host, bytes);
    HcclSendRecvItem s = {HCCL_SEND, sb[p], count, t, (uint32_t)p};
    HcclSendRecvItem r = {HCCL_RECV, rb[p], count, t, (uint32_t)p};
    items[k++] = me % 2 ? r : s;
    items[k++] = me % 2 ? s : r;
  }
  long bad = 0;
  TC_HCCL(HcclBatchSendRecv(items, k, g.comm, g.streams[0]));
  bad += synced(g.streams[0], label);
  uint64_t h = TC_HASH_INIT;
  for (int p = 0; p < n; ++p) {
    if (p == me) continue;
    char what[200];
    snprintf(what, sizeof what, "%s, from rank %d", label, p);
    bad += guards(tc_get_guarded(host, rb[p], bytes), what);
    bad += tc_check_raw(host + TC_GUARD, t, p, tc_salt(kBatch, (int)t, 1, (uint64_t)me), 0, count, what, me) != 0;
    h = tc_hash(h, host + TC_GUARD, bytes);
    tc_dev_free(sb[p]);
    tc_dev_free(rb[p]);
  }
  free(items);
  free(sb);
  free(rb);
  free(host);
  finish(label, bad, h, 0);
}

/* The barrier completes on no rank before every rank reached it: the last rank arrives
 * 300 ms late, so rank 0's barrier cannot take much less. */
static void barrier(void) {
  const char* label = "Barrier";
  long bad = 0;
  for (int i = 0; i < 3; ++i) {
    TC_HCCL(HcclBarrier(g.comm, g.streams[i % 2]));
    bad += synced(g.streams[i % 2], label);
  }
  MPI_Barrier(MPI_COMM_WORLD);
  const double t0 = tc_now();
  if (g.rank == g.n - 1) {
    const struct timespec late = {0, 300 * 1000 * 1000};
    nanosleep(&late, NULL);
  }
  TC_HCCL(HcclBarrier(g.comm, g.streams[0]));
  bad += synced(g.streams[0], label);
  const double waited = tc_now() - t0;
  if (g.rank == 0 && waited < 0.15) {
    fprintf(stderr, "Barrier: rank 0's barrier completed after %.3f s, before rank %d (300 ms late) had reached it\n",
            waited, g.n - 1);
    ++bad;
  }
  finish(label, bad, 0, 1);
}

/* Several collectives queued on one stream before one synchronize, and a second stream
 * ordered after the first by an event: an all-reduce of the first all-reduce's result. */
static void queued(void) {
  const char* label = "queued: AllReduce, Broadcast, AllGather, ReduceScatter, AlltoAll, Reduce, Barrier; "
                      "AllReduce of the result on a stream waiting on an event";
  const int n = g.n, me = g.rank;
  const uint64_t c = 1000;
  const HcclDataType ti = HCCL_DATA_TYPE_INT32, tb = HCCL_DATA_TYPE_BFP16, tf = HCCL_DATA_TYPE_FP32;
  const uint64_t s_ar = tc_salt(kQueued, ti, HCCL_REDUCE_SUM, 1), s_bc = tc_salt(kQueued, tf, 0, 2),
                 s_ag = tc_salt(kQueued, tf, 0, 3), s_rs = tc_salt(kQueued, tb, HCCL_REDUCE_SUM, 4),
                 s_aa = tc_salt(kQueued, tf, 0, 5), s_rd = tc_salt(kQueued, tb, HCCL_REDUCE_MAX, 6);
  const size_t nn = (size_t)n;
  unsigned char* h = xmalloc(nn * c * 8 + 2 * TC_GUARD);
  void* ar_in = tc_dev_alloc(c * 4);
  void* ar_out = tc_dev_alloc(c * 4);
  void* ar2 = tc_dev_alloc(c * 4);
  void* bc = tc_dev_alloc(c * 4);
  void* ag_out = tc_dev_alloc(nn * c * 4);
  void* ag_in = tc_dev_alloc(c * 4);
  void* rs_in = tc_dev_alloc(nn * c * 2);
  void* rs_out = tc_dev_alloc(c * 2);
  void* aa_in = tc_dev_alloc(nn * c * 4);
  void* aa_out = tc_dev_alloc(nn * c * 4);
  void* rd_in = tc_dev_alloc(c * 2);
  void* rd_out = tc_dev_alloc(c * 2);
  tc_fill(h, ti, HCCL_REDUCE_SUM, me, s_ar, 0, c);
  tc_put(ar_in, h, c * 4);
  tc_fill(h, tf, TC_RAW, me, me == 0 ? s_bc : ~s_bc, 0, c);
  tc_put(bc, h, c * 4);
  tc_fill(h, tf, TC_RAW, me, s_ag, 0, c);
  tc_put(ag_in, h, c * 4);
  tc_fill(h, tb, HCCL_REDUCE_SUM, me, s_rs, 0, nn * c);
  tc_put(rs_in, h, nn * c * 2);
  tc_fill(h, tf, TC_RAW, me, s_aa, 0, nn * c);
  tc_put(aa_in, h, nn * c * 4);
  tc_fill(h, tb, HCCL_REDUCE_MAX, me, s_rd, 0, c);
  tc_put(rd_in, h, c * 2);
  aclrtStream s0 = g.streams[0], s1 = g.streams[1];
  TC_HCCL(HcclAllReduce(ar_in, ar_out, c, ti, HCCL_REDUCE_SUM, g.comm, s0));
  TC_HCCL(HcclBroadcast(bc, c, tf, 0, g.comm, s0));
  TC_HCCL(HcclAllGather(ag_in, ag_out, c, tf, g.comm, s0));
  TC_HCCL(HcclReduceScatter(rs_in, rs_out, c, tb, HCCL_REDUCE_SUM, g.comm, s0));
  TC_HCCL(HcclAlltoAll(aa_in, c, tf, aa_out, c, tf, g.comm, s0));
  TC_HCCL(HcclReduce(rd_in, rd_out, c, tb, HCCL_REDUCE_MAX, (uint32_t)(n - 1), g.comm, s0));
  TC_HCCL(HcclBarrier(g.comm, s0));
  aclrtEvent ev;
  TC_ACL(aclrtCreateEvent(&ev));
  TC_ACL(aclrtRecordEvent(ev, s0));
  TC_ACL(aclrtStreamWaitEvent(s1, ev));
  TC_HCCL(HcclAllReduce(ar_out, ar2, c, ti, HCCL_REDUCE_SUM, g.comm, s1));
  long bad = 0;
  bad += synced(s1, label);
  bad += synced(s0, label);
  TC_ACL(aclrtDestroyEvent(ev));
  uint64_t hash = TC_HASH_INIT;
  bad += guards(tc_get_guarded(h, ar_out, c * 4), "queued AllReduce");
  bad += tc_check_reduce(h + TC_GUARD, ti, HCCL_REDUCE_SUM, n, s_ar, 0, c, "queued AllReduce", me) != 0;
  /* The second all-reduce sums n copies of the first one's result: n * x, wrapping. */
  unsigned char* twice = xmalloc(c * 4);
  for (uint64_t k = 0; k < c; ++k) {
    uint32_t x;
    memcpy(&x, h + TC_GUARD + k * 4, 4);
    x = (uint32_t)((uint64_t)x * (uint64_t)n);
    memcpy(twice + k * 4, &x, 4);
  }
  bad += guards(tc_get_guarded(h, ar2, c * 4), "AllReduce after the event");
  bad += tc_check_same(h + TC_GUARD, twice, c * 4, "AllReduce after the event (n times the first one's result)", me) != 0;
  free(twice);
  hash = tc_hash(hash, h + TC_GUARD, c * 4);
  bad += guards(tc_get_guarded(h, bc, c * 4), "queued Broadcast");
  bad += tc_check_raw(h + TC_GUARD, tf, 0, s_bc, 0, c, "queued Broadcast", me) != 0;
  bad += guards(tc_get_guarded(h, ag_out, nn * c * 4), "queued AllGather");
  for (int r = 0; r < n; ++r)
    bad += tc_check_raw(h + TC_GUARD + (size_t)r * c * 4, tf, r, s_ag, 0, c, "queued AllGather", me) != 0;
  bad += guards(tc_get_guarded(h, rs_out, c * 2), "queued ReduceScatter");
  bad += tc_check_reduce(h + TC_GUARD, tb, HCCL_REDUCE_SUM, n, s_rs, (uint64_t)me * c, c, "queued ReduceScatter", me) != 0;
  bad += guards(tc_get_guarded(h, aa_out, nn * c * 4), "queued AlltoAll");
  for (int r = 0; r < n; ++r)
    bad += tc_check_raw(h + TC_GUARD + (size_t)r * c * 4, tf, r, s_aa, (uint64_t)me * c, c, "queued AlltoAll", me) != 0;
  if (me == n - 1) {
    bad += guards(tc_get_guarded(h, rd_out, c * 2), "queued Reduce");
    bad += tc_check_reduce(h + TC_GUARD, tb, HCCL_REDUCE_MAX, n, s_rd, 0, c, "queued Reduce", me) != 0;
  }
  void* all[] = {ar_in, ar_out, ar2, bc, ag_out, ag_in, rs_in, rs_out, aa_in, aa_out, rd_in, rd_out};
  for (size_t k = 0; k < sizeof all / sizeof all[0]; ++k) tc_dev_free(all[k]);
  free(h);
  finish(label, bad, hash, 0);
}

/* ---- driver ---- */

static int small(uint64_t count) { return count <= 1023; }

static void section(const char* name, double t0, long cases0, long failures0) {
  long f = g.failures - failures0, all = 0;
  MPI_Reduce(&f, &all, 1, MPI_LONG, MPI_SUM, 0, MPI_COMM_WORLD);
  if (g.rank == 0)
    printf("  %-16s %5ld cases  %s  %6.2f s\n", name, g.cases - cases0, all == 0 ? "ok    " : "FAILED",
           tc_now() - t0);
  fflush(stdout);
}

#define SECTION(name, body)                               \
  do {                                                    \
    const double t0_ = tc_now();                          \
    const long c0_ = g.cases, f0_ = g.failures;           \
    body;                                                 \
    section(name, t0_, c0_, f0_);                         \
  } while (0)

int main(int argc, char** argv) {
  int provided = 0;
  MPI_Init_thread(&argc, &argv, MPI_THREAD_MULTIPLE, &provided);
  MPI_Comm_rank(MPI_COMM_WORLD, &g.rank);
  MPI_Comm_size(MPI_COMM_WORLD, &g.n);
  tc_abort_hook = mpi_abort;
  tc_init();
  if (provided < MPI_THREAD_MULTIPLE && g.rank == 0)
    printf("note: MPI provides thread level %d, not MPI_THREAD_MULTIPLE\n", provided);
  const double start = tc_now();
  g.digest = TC_HASH_INIT;

  TC_ACL(aclInit(NULL));
  TC_ACL(aclrtSetDevice(0));
  TC_ACL(aclrtCreateStream(&g.streams[0]));
  TC_ACL(aclrtCreateStream(&g.streams[1]));
  HcclRootInfo root;
  memset(&root, 0, sizeof root);
  if (g.rank == 0) TC_HCCL(HcclGetRootInfo(&root));
  MPI_Bcast(&root, (int)sizeof root, MPI_BYTE, 0, MPI_COMM_WORLD);
  TC_HCCL(HcclCommInitRootInfo((uint32_t)g.n, &root, (uint32_t)g.rank, &g.comm));
  uint32_t size = 0, id = 0;
  TC_HCCL(HcclGetRankSize(g.comm, &size));
  TC_HCCL(HcclGetRankId(g.comm, &id));
  if (size != (uint32_t)g.n || id != (uint32_t)g.rank)
    tc_die("HcclGetRankSize/HcclGetRankId say %u/%u, MPI says %d/%d", size, id, g.n, g.rank);
  if (g.rank == 0) printf("hccl_collectives: %d ranks\n", g.n);
  const uint32_t last = (uint32_t)(g.n - 1);

  SECTION("AllReduce", {
    for (int ti = 0; ti < TC_NTYPES; ++ti)
      for (int oi = 0; oi < TC_NOPS; ++oi)
        for (int s = 0; s < NSIZES; ++s)
          for (int inplace = 0; inplace < 2; ++inplace) {
            const HcclDataType t = tc_types[ti];
            /* 1 MiB: out of place for every type and operator, in place for sums. */
            if (s == NSIZES - 1 && inplace && tc_ops[oi] != HCCL_REDUCE_SUM) continue;
            all_reduce(t, tc_ops[oi], count_of(t, s), inplace);
          }
  });
  SECTION("Reduce", {
    for (int ti = 0; ti < TC_NTYPES; ++ti)
      for (int oi = 0; oi < TC_NOPS; ++oi)
        for (int s = 0; s < NSIZES; ++s)
          for (int inplace = 0; inplace < 2; ++inplace) {
            const HcclDataType t = tc_types[ti];
            const uint64_t c = count_of(t, s);
            if (s == NSIZES - 1 && (inplace || tc_ops[oi] != HCCL_REDUCE_SUM)) continue;
            if (small(c)) {
              for (uint32_t r = 0; r < (uint32_t)g.n; ++r) reduce(t, tc_ops[oi], c, r, inplace);
            } else {
              reduce(t, tc_ops[oi], c, (uint32_t)(ti + oi) % (uint32_t)g.n, inplace);
            }
          }
  });
  SECTION("ReduceScatter", {
    for (int ti = 0; ti < TC_NTYPES; ++ti)
      for (int oi = 0; oi < TC_NOPS; ++oi)
        for (int s = 0; s < NSIZES; ++s)
          for (int inplace = 0; inplace < 2; ++inplace) {
            const HcclDataType t = tc_types[ti];
            if (s == NSIZES - 1 && (inplace != (ti % 2) || tc_ops[oi] != HCCL_REDUCE_SUM)) continue;
            reduce_scatter(t, tc_ops[oi], count_of(t, s), inplace);
          }
  });
  SECTION("Broadcast", {
    for (int ti = 0; ti < TC_NTYPES; ++ti)
      for (int s = 0; s < NSIZES; ++s) {
        const uint64_t c = count_of(tc_types[ti], s);
        if (small(c)) {
          for (uint32_t r = 0; r < (uint32_t)g.n; ++r) broadcast(tc_types[ti], c, r);
        } else {
          broadcast(tc_types[ti], c, (uint32_t)ti % (uint32_t)g.n);
        }
      }
  });
  SECTION("AllGather", {
    for (int ti = 0; ti < TC_NTYPES; ++ti)
      for (int s = 0; s < NSIZES; ++s)
        for (int inplace = 0; inplace < 2; ++inplace) all_gather(tc_types[ti], count_of(tc_types[ti], s), inplace);
  });
  SECTION("Scatter", {
    for (int ti = 0; ti < TC_NTYPES; ++ti)
      for (int s = 0; s < NSIZES; ++s)
        for (int inplace = 0; inplace < 2; ++inplace) {
          const uint64_t c = count_of(tc_types[ti], s);
          if (small(c)) {
            for (uint32_t r = 0; r < (uint32_t)g.n; ++r) scatter(tc_types[ti], c, r, inplace);
          } else {
            scatter(tc_types[ti], c, last - (uint32_t)ti % (uint32_t)g.n, inplace);
          }
        }
  });
  SECTION("AlltoAll", {
    for (int ti = 0; ti < TC_NTYPES; ++ti)
      for (int s = 0; s < NSIZES; ++s) all_to_all(tc_types[ti], count_of(tc_types[ti], s), tc_types[ti]);
    /* Other receive types of the same bytes. */
    all_to_all(HCCL_DATA_TYPE_FP32, 1023, HCCL_DATA_TYPE_UINT8);
    all_to_all(HCCL_DATA_TYPE_INT8, 4096, HCCL_DATA_TYPE_FP64);
    all_to_all(HCCL_DATA_TYPE_BFP16, 2, HCCL_DATA_TYPE_INT32);
  });
  SECTION("AlltoAllV", {
    for (int ti = 0; ti < TC_NTYPES; ++ti)
      for (int s = 0; s < NSIZES; ++s) all_to_all_v(tc_types[ti], count_of(tc_types[ti], s));
  });
  SECTION("Send/Recv", {
    for (int ti = 0; ti < TC_NTYPES; ++ti)
      for (int s = 0; s < NSIZES; ++s) send_recv(tc_types[ti], count_of(tc_types[ti], s));
  });
  SECTION("BatchSendRecv", {
    for (int ti = 0; ti < TC_NTYPES; ++ti)
      for (int s = 0; s < NSIZES; ++s) {
        batch_ring(tc_types[ti], count_of(tc_types[ti], s));
        if (s % 2 == 0 || s == NSIZES - 1) batch_all_pairs(tc_types[ti], count_of(tc_types[ti], s));
      }
  });
  SECTION("Barrier", barrier());
  SECTION("queued", queued());
  SECTION("large", {
    /* 64 MiB of f32 summed in place: 16 segments of the engine's 4 MiB pieces at 4 ranks. */
    all_reduce(HCCL_DATA_TYPE_FP32, HCCL_REDUCE_SUM, (uint64_t)16 << 20, 1);
    /* One element more than a segment of the all-reduce (n pieces of 4 MiB): the last segment
     * has fewer elements than ranks. */
    all_reduce(HCCL_DATA_TYPE_FP64, HCCL_REDUCE_PROD, ((uint64_t)4 << 20) / 8 * (uint64_t)g.n + 1, 0);
    all_reduce(HCCL_DATA_TYPE_BFP16, HCCL_REDUCE_MAX, ((uint64_t)4 << 20) / 2 * (uint64_t)g.n + (uint64_t)g.n - 1, 1);
    /* Blocks just over one 4 MiB piece. */
    reduce_scatter(HCCL_DATA_TYPE_FP16, HCCL_REDUCE_SUM, ((uint64_t)4 << 20) / 2 + 3, 0);
    reduce(HCCL_DATA_TYPE_INT8, HCCL_REDUCE_PROD, ((uint64_t)4 << 20) + 1, last, 0);
  });

  HcclResult async = HCCL_E_INTERNAL;
  TC_HCCL(HcclGetCommAsyncError(g.comm, &async));
  if (async != HCCL_SUCCESS) {
    fprintf(stderr, "[rank %d] HcclGetCommAsyncError reports %d after collectives that all succeeded\n", g.rank,
            (int)async);
    ++g.failures;
  }
  TC_HCCL(HcclCommDestroy(g.comm));
  TC_ACL(aclrtDestroyStream(g.streams[0]));
  TC_ACL(aclrtDestroyStream(g.streams[1]));
  TC_ACL(aclrtResetDevice(0));
  TC_ACL(aclFinalize());

  long failures = 0;
  MPI_Allreduce(&g.failures, &failures, 1, MPI_LONG, MPI_SUM, MPI_COMM_WORLD);
  if (g.rank == 0) {
    printf("hccl_collectives: %d ranks, %ld cases, %ld failed, %.1f s; result digest %016llx\n", g.n, g.cases,
           failures, tc_now() - start, (unsigned long long)g.digest);
    printf("digest %016llx\n", (unsigned long long)g.digest);
    printf("%s\n", failures == 0 ? "PASSED" : "FAILED");
  }
  MPI_Finalize();
  return failures == 0 ? 0 : 1;
}
