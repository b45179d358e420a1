/* hccl/hccl_types.h — vnpu's HCCL-compatible types: result codes, element types, reduction
 * operators, the root-info blob and the communicator configuration.
 *
 * Written for vnpu from the public interface facts of HCCL (names, values, sizes and
 * layouts). Include <hccl/hccl.h> for the functions. Usable from C99 and C++.
 */
#ifndef VNPU_HCCL_HCCL_TYPES_H_
#define VNPU_HCCL_HCCL_TYPES_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What every HCCL function returns. vnpu uses: HCCL_SUCCESS; HCCL_E_PARA for a bad
 * argument (a null handle, an unknown type or operator, a rank out of range, counts that
 * disagree between ranks); HCCL_E_PTR for a null buffer that must not be; HCCL_E_MEMORY
 * when memory runs out; HCCL_E_INTERNAL for a broken invariant; HCCL_E_NOT_SUPPORT for a
 * combination vnpu does not run; HCCL_E_UNAVAIL when the transport cannot start (no MPI
 * launcher, MPI already finalized); HCCL_E_TIMEOUT when ranks do not all arrive in time;
 * HCCL_E_RUNTIME when the stream rejects the task; HCCL_E_NETWORK when the transport
 * fails while moving data. */
typedef enum {
  HCCL_SUCCESS = 0,
  HCCL_E_PARA = 1,
  HCCL_E_PTR = 2,
  HCCL_E_MEMORY = 3,
  HCCL_E_INTERNAL = 4,
  HCCL_E_NOT_SUPPORT = 5,
  HCCL_E_NOT_FOUND = 6,
  HCCL_E_UNAVAIL = 7,
  HCCL_E_SYSCALL = 8,
  HCCL_E_TIMEOUT = 9,
  HCCL_E_OPEN_FILE_FAILURE = 10,
  HCCL_E_TCP_CONNECT = 11,
  HCCL_E_ROCE_CONNECT = 12,
  HCCL_E_TCP_TRANSFER = 13,
  HCCL_E_ROCE_TRANSFER = 14,
  HCCL_E_RUNTIME = 15,
  HCCL_E_DRV = 16,
  HCCL_E_PROFILING = 17,
  HCCL_E_CCE = 18,
  HCCL_E_NETWORK = 19,
  HCCL_E_AGAIN = 20,
  HCCL_E_REMOTE = 21,
  HCCL_E_SUSPENDING = 22,
  HCCL_E_RESERVED
} HcclResult;

/* A communicator: one rank's membership of a group of ranks. */
typedef void* HcclComm;

/* Element-wise reduction of the reducing collectives. Every one is computed by vnpu in a
 * fixed order (rank 0, 1, ... n-1), so every rank gets the same bits on every run. */
typedef enum {
  HCCL_REDUCE_SUM = 0,
  HCCL_REDUCE_PROD = 1,
  HCCL_REDUCE_MAX = 2,
  HCCL_REDUCE_MIN = 3,
  HCCL_REDUCE_RESERVED
} HcclReduceOp;

/* Element types. FP16 and BFP16 are reduced in binary32 and rounded once (to nearest,
 * ties to even); integers wrap around on overflow. */
typedef enum {
  HCCL_DATA_TYPE_INT8 = 0,
  HCCL_DATA_TYPE_INT16 = 1,
  HCCL_DATA_TYPE_INT32 = 2,
  HCCL_DATA_TYPE_FP16 = 3,
  HCCL_DATA_TYPE_FP32 = 4,
  HCCL_DATA_TYPE_INT64 = 5,
  HCCL_DATA_TYPE_UINT64 = 6,
  HCCL_DATA_TYPE_UINT8 = 7,
  HCCL_DATA_TYPE_UINT16 = 8,
  HCCL_DATA_TYPE_UINT32 = 9,
  HCCL_DATA_TYPE_FP64 = 10,
  HCCL_DATA_TYPE_BFP16 = 11,
  HCCL_DATA_TYPE_RESERVED
} HcclDataType;

/* Global settings of HcclSetConfig/HcclGetConfig. */
typedef enum { HCCL_DETERMINISTIC = 0, HCCL_CONFIG_RESERVED } HcclConfig;

typedef union HcclConfigValue {
  int32_t value;
} HcclConfigValue;

/* The root info: what the root rank's HcclGetRootInfo writes and every rank passes to
 * HcclCommInitRootInfo (usually sent with MPI_Bcast). Opaque; its size is fixed. */
#define HCCL_ROOT_INFO_BYTES 4108
typedef struct HcclRootInfoDef {
  char internal[HCCL_ROOT_INFO_BYTES];
} HcclRootInfo;

/* One entry of HcclBatchSendRecv. */
typedef enum { HCCL_SEND = 0, HCCL_RECV = 1, HCCL_SEND_RECV_RESERVED } HcclSendRecvType;

typedef struct HcclSendRecvItemDef {
  HcclSendRecvType sendRecvType;
  void* buf;
  uint64_t count;
  HcclDataType dataType;
  uint32_t remoteRank;
} HcclSendRecvItem;

/* Communicator configuration for HcclCommInitRootInfoConfig. Fill it with
 * HcclCommConfigInit() first, then change what you need. vnpu reads hcclDeterministic
 * (accepted for compatibility: vnpu's reductions are always deterministic) and
 * hcclCommName (the name HcclGetCommName reports); the other fields are accepted and
 * ignored. The first HCCL_COMM_CONFIG_INFO_BYTES bytes are a header that
 * HcclCommConfigInit stamps (size, magic word, version): do not write them. */
#define HCCL_COMM_CONFIG_INFO_BYTES 24
#define HCCL_COMM_CONFIG_MAGIC_WORD 0xf0f0f0f0u
#define HCCL_COMM_CONFIG_VERSION 10u
#define HCCL_COMM_DEFAULT_BUFFSIZE 200u
#define HCCL_COMM_BUFFSIZE_CONFIG_NOT_SET 0xffffffffu
#define HCCL_COMM_DEFAULT_DETERMINISTIC 0u
#define HCCL_COMM_DETERMINISTIC_CONFIG_NOT_SET 0xffffffffu
#define HCCL_COMM_DEFAULT_OP_EXPANSION_MODE 0u
#define HCCL_COMM_TRAFFIC_CLASS_CONFIG_NOT_SET 0xffffffffu
#define HCCL_COMM_SERVICE_LEVEL_CONFIG_NOT_SET 0xffffffffu
#define HCCL_COMM_EXECTIMEOUT_CONFIG_NOT_SET (-1)
#define HCCL_COMM_HCCL_QOS_CONFIG_NOT_SET 0xffffffffu
#define COMM_NAME_MAX_LENGTH 128
#define UDI_MAX_LENGTH 128
#define BUFFER_NAME_MAX_LENGTH 128
#define HCCL_COMM_ALGO_MAX_LENGTH 1600
#define HCCL_COMM_RETRY_ENABLE_MAX_LENGTH 50
#define HCCL_COMM_RETRY_PARAMS_MAX_LENGTH 128

typedef struct HcclCommConfigDef {
  char reserved[HCCL_COMM_CONFIG_INFO_BYTES];
  uint32_t hcclBufferSize;
  uint32_t hcclDeterministic;
  char hcclCommName[COMM_NAME_MAX_LENGTH];
  char hcclUdi[UDI_MAX_LENGTH];
  uint32_t hcclOpExpansionMode;
  uint32_t hcclRdmaTrafficClass;
  uint32_t hcclRdmaServiceLevel;
  uint32_t hcclWorldRankID;
  uint64_t hcclJobID;
  uint8_t aclGraphZeroCopyEnable;
  int32_t hcclExecTimeOut;
  char hcclAlgo[HCCL_COMM_ALGO_MAX_LENGTH];
  char hcclRetryEnable[HCCL_COMM_RETRY_ENABLE_MAX_LENGTH];
  char hcclRetryParams[HCCL_COMM_RETRY_PARAMS_MAX_LENGTH];
  char hcclBufferName[BUFFER_NAME_MAX_LENGTH];
  uint32_t hcclQos;
} HcclCommConfig;

/* What HcclGetCommConfigCapability reports support for: every value below it. */
typedef enum {
  HCCL_COMM_CONFIG_BUFFER_SIZE = 0,
  HCCL_COMM_CONFIG_DETERMINISTIC = 1,
  HCCL_COMM_CONFIG_COMM_NAME = 2,
  HCCL_COMM_CONFIG_OP_EXPANSION_MODE = 3,
  HCCL_COMM_CONFIG_RESERVED
} HcclCommConfigCapability;

#ifdef __cplusplus
}
#endif

#endif /* VNPU_HCCL_HCCL_TYPES_H_ */
