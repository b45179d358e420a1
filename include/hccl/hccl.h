/* hccl/hccl.h — vnpu's HCCL-compatible collective communication: communicators over
 * ranks that are devices of one process or processes on one or many hosts, and the
 * collectives between them, each a task on an aclrtStream.
 *
 * Written for vnpu from the public interface facts of HCCL (names, values and
 * signatures). Link with -lhccl -lascendcl. Usable from C99 and C++.
 *
 * Ranks are one of three kinds, by how the communicator is made:
 * - processes of one `mpirun` job (on one host or several), one rank each: HcclGetRootInfo
 *   in one of them, the root info sent to the others (MPI_Bcast), HcclCommInitRootInfo in
 *   each. They talk through Open MPI, as the transport only. The process that made the
 *   root info must itself be a rank. If the program has not called MPI_Init, vnpu does
 *   (with MPI_THREAD_MULTIPLE) and calls MPI_Finalize at exit; a program that calls MPI
 *   itself should call MPI_Init_thread with MPI_THREAD_MULTIPLE, or at least not call MPI
 *   from other threads while collectives are queued (vnpu moves data from a thread of its
 *   own);
 * - threads of one process not started by mpirun, one rank each: HcclGetRootInfo once,
 *   then HcclCommInitRootInfo in each thread (each on its device);
 * - devices of one process, made at once: HcclCommInitAll.
 * Ranks of one process exchange through memory and need no MPI.
 *
 * Semantics kept everywhere:
 * - Each collective is queued on `stream` like a kernel: it starts when the stream's
 *   earlier work is done and later work waits for it. It runs on the communicator's own
 *   lane (a thread beside the compute cores), so kernels on other streams overlap it. The
 *   call returns once the task is queued; its failures (a peer's mismatched count, a
 *   transport error) surface at the stream's synchronize, with a message.
 * - Every rank must issue a communicator's collectives in the same order (from one
 *   stream, or from streams ordered by events); vnpu checks that the ranks agree on the
 *   operation, element type, operator, root and counts and fails the task instead of
 *   hanging when they do not.
 * - Reductions are computed by vnpu in rank order 0, 1, ... n-1 for every element: every
 *   rank gets the same bits, on every run, whatever the message size, the transport and
 *   where the ranks run. FP16/BFP16 accumulate in binary32; MAX/MIN return NaN when any
 *   rank's element is NaN.
 * - Buffers are device memory (aclrtMalloc) or any host memory the process can read;
 *   send and receive buffers may be the same (in place) where a signature allows it.
 */
#ifndef VNPU_HCCL_HCCL_H_
#define VNPU_HCCL_HCCL_H_

#include <stdint.h>

#include "acl/acl_rt.h"
#include "hccl_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- communicators ---- */

/* Writes the root info of a new communicator. Called once, by the root (itself a rank of the
 * communicator); the blob is then given to the other ranks (sent to their processes under
 * mpirun, shared with their threads otherwise). */
HcclResult HcclGetRootInfo(HcclRootInfo* rootInfo);

/* Joins communicator `rootInfo` as rank `rank` of `nRanks`, on the calling thread's current
 * device. Collective over the nRanks processes (or threads): each calls it once with the
 * same nRanks and root info and a distinct rank. Waits up to HCCL_CONNECT_TIMEOUT seconds (default
 * 120) for the others, then fails with HCCL_E_TIMEOUT. */
HcclResult HcclCommInitRootInfo(uint32_t nRanks, const HcclRootInfo* rootInfo, uint32_t rank, HcclComm* comm);

/* HcclCommInitRootInfo with a configuration filled by HcclCommConfigInit. */
HcclResult HcclCommInitRootInfoConfig(uint32_t nRanks, const HcclRootInfo* rootInfo, uint32_t rank,
                                      const HcclCommConfig* config, HcclComm* comm);

/* Makes a communicator of `ndev` devices of this process (rank i is devices[i]) and writes
 * the ndev handles to comms. No MPI is involved: the ranks exchange through memory. */
HcclResult HcclCommInitAll(uint32_t ndev, int32_t* devices, HcclComm* comms);

/* Joins the communicator a rank-table file describes, as rank `rank` (the file's
 * "rank_id"). The file is the JSON rank table (version "1.0": "server_count",
 * "server_list"[...]."device"[...] with "device_id" and "rank_id"). The processes must be
 * exactly those of one `mpirun` job, one per rank. */
HcclResult HcclCommInitClusterInfo(const char* clusterInfo, uint32_t rank, HcclComm* comm);

/* Waits for the communicator's queued collectives, then frees it. */
HcclResult HcclCommDestroy(HcclComm comm);

HcclResult HcclGetRankSize(HcclComm comm, uint32_t* rankSize);
HcclResult HcclGetRankId(HcclComm comm, uint32_t* rank);
/* Writes the communicator's name (at most COMM_NAME_MAX_LENGTH bytes with its NUL). */
HcclResult HcclGetCommName(HcclComm comm, char* commName);
/* The first failure of the communicator's collectives (HCCL_SUCCESS if none). */
HcclResult HcclGetCommAsyncError(HcclComm comm, HcclResult* asyncError);

/* A short English description of `code`; never NULL. */
const char* HcclGetErrorString(HcclResult code);

/* Process-wide settings. HCCL_DETERMINISTIC is accepted (0 or 1) and reported back; vnpu's
 * reductions are deterministic either way. */
HcclResult HcclSetConfig(HcclConfig config, HcclConfigValue configValue);
HcclResult HcclGetConfig(HcclConfig config, HcclConfigValue* configValue);
/* Configuration fields up to (not including) this HcclCommConfigCapability value are read. */
uint32_t HcclGetCommConfigCapability(void);

/* Fills `config` with the defaults and stamps its header. */
static inline void HcclCommConfigInit(HcclCommConfig* config) {
  if (config == 0) return;
  char* base = (char*)config;
  for (size_t i = 0; i < sizeof(HcclCommConfig); ++i) base[i] = 0;
  {
    const uint64_t size = sizeof(HcclCommConfig);
    const uint32_t magic = HCCL_COMM_CONFIG_MAGIC_WORD;
    const uint32_t version = HCCL_COMM_CONFIG_VERSION;
    char* p = config->reserved;
    for (size_t i = 0; i < sizeof size; ++i) p[i] = ((const char*)&size)[i];
    for (size_t i = 0; i < sizeof magic; ++i) p[8 + i] = ((const char*)&magic)[i];
    for (size_t i = 0; i < sizeof version; ++i) p[12 + i] = ((const char*)&version)[i];
  }
  config->hcclBufferSize = HCCL_COMM_BUFFSIZE_CONFIG_NOT_SET;
  config->hcclDeterministic = HCCL_COMM_DETERMINISTIC_CONFIG_NOT_SET;
  config->hcclOpExpansionMode = HCCL_COMM_DEFAULT_OP_EXPANSION_MODE;
  config->hcclRdmaTrafficClass = HCCL_COMM_TRAFFIC_CLASS_CONFIG_NOT_SET;
  config->hcclRdmaServiceLevel = HCCL_COMM_SERVICE_LEVEL_CONFIG_NOT_SET;
  config->hcclExecTimeOut = HCCL_COMM_EXECTIMEOUT_CONFIG_NOT_SET;
  config->hcclQos = HCCL_COMM_HCCL_QOS_CONFIG_NOT_SET;
}

/* ---- collectives: each queued on `stream` ---- */

/* recvBuf[i] = sendBuf_0[i] op sendBuf_1[i] op ... on every rank (count elements each). */
HcclResult HcclAllReduce(void* sendBuf, void* recvBuf, uint64_t count, HcclDataType dataType, HcclReduceOp op,
                         HcclComm comm, aclrtStream stream);

/* The root's buf (count elements) copied to every rank's buf. */
HcclResult HcclBroadcast(void* buf, uint64_t count, HcclDataType dataType, uint32_t root, HcclComm comm,
                         aclrtStream stream);

/* The reduction of every rank's sendBuf written to the root's recvBuf (other ranks' recvBuf
 * is not written). */
HcclResult HcclReduce(void* sendBuf, void* recvBuf, uint64_t count, HcclDataType dataType, HcclReduceOp op,
                      uint32_t root, HcclComm comm, aclrtStream stream);

/* recvBuf = the ranks' sendBuf (sendCount elements each) one after the other, in rank order. */
HcclResult HcclAllGather(void* sendBuf, void* recvBuf, uint64_t sendCount, HcclDataType dataType, HcclComm comm,
                         aclrtStream stream);

/* Reduces every rank's sendBuf (recvCount * rank size elements) and gives rank r block r
 * (recvCount elements) of the result. */
HcclResult HcclReduceScatter(void* sendBuf, void* recvBuf, uint64_t recvCount, HcclDataType dataType,
                             HcclReduceOp op, HcclComm comm, aclrtStream stream);

/* The root's sendBuf cut in rank size blocks of recvCount elements; rank r receives block r. */
HcclResult HcclScatter(void* sendBuf, void* recvBuf, uint64_t recvCount, HcclDataType dataType, uint32_t root,
                       HcclComm comm, aclrtStream stream);

/* Block j of sendBuf (sendCount elements) goes to rank j, which stores it as block i of its
 * recvBuf (i = the sender). sendCount * size(sendType) must equal
 * recvCount * size(recvType). */
HcclResult HcclAlltoAll(const void* sendBuf, uint64_t sendCount, HcclDataType sendType, const void* recvBuf,
                        uint64_t recvCount, HcclDataType recvType, HcclComm comm, aclrtStream stream);

/* As HcclAlltoAll with per-peer counts and offsets (uint64_t arrays of rank size entries,
 * in elements): sendCounts[j] elements at sendBuf + sdispls[j] go to rank j;
 * recvCounts[i] elements from rank i land at recvBuf + rdispls[i]. */
HcclResult HcclAlltoAllV(const void* sendBuf, const void* sendCounts, const void* sdispls, HcclDataType sendType,
                         const void* recvBuf, const void* recvCounts, const void* rdispls, HcclDataType recvType,
                         HcclComm comm, aclrtStream stream);

/* Point to point: a send on one rank's stream meets the receive of the same count and type
 * on the other's; between two ranks they meet in the order issued. */
HcclResult HcclSend(void* sendBuf, uint64_t count, HcclDataType dataType, uint32_t destRank, HcclComm comm,
                    aclrtStream stream);
HcclResult HcclRecv(void* recvBuf, uint64_t count, HcclDataType dataType, uint32_t srcRank, HcclComm comm,
                    aclrtStream stream);
/* Every item's send or receive, all in flight at once (so a ring of exchanges never waits on
 * itself). */
HcclResult HcclBatchSendRecv(HcclSendRecvItem* sendRecvInfo, uint32_t itemNum, HcclComm comm,
                             aclrtStream stream);

/* Completes on each rank's stream once every rank's stream has reached it. */
HcclResult HcclBarrier(HcclComm comm, aclrtStream stream);

#ifdef __cplusplus
}
#endif

#endif /* VNPU_HCCL_HCCL_H_ */
