// The HCCL C API: communicators (root info, a process's devices, rank tables) and the
// collectives, each checked on the calling thread and queued on its stream as a task of
// the communicator's lane (vnpuLaneSubmit), where CommCore runs it.
#include <atomic>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <type_traits>

#include <nlohmann/json.hpp>

#include "comm/mpi_transport.hpp"
#include "comm/root_info.hpp"
#include "hccl/comm_registry.hpp"
#include "hccl/hccl.h"

namespace vnpu::hccl {
namespace {

// Failures are explained on stderr (HCCL's own messages go to its log), one line each.
[[gnu::format(printf, 3, 4)]] HcclResult report(HcclResult code, const char* api, const char* fmt, ...) {
  char msg[600];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  std::fprintf(stderr, "[vnpu hccl] %s failed (%s): %s\n", api, HcclGetErrorString(code), msg);
  return code;
}

HcclResult report(const comm::Outcome& o, const char* api) {
  return report(static_cast<HcclResult>(o.code), api, "%s", o.message.c_str());
}

int current_device() {
  int32_t dev = 0;
  if (aclrtGetDevice(&dev) != ACL_SUCCESS) dev = 0;
  return dev;
}

std::atomic<int32_t> g_deterministic{0};

// A comm with its lane, registered; `name` may be empty.
HcclResult finish_comm(std::unique_ptr<comm::Transport> t, int device, std::string name, const char* api,
                       HcclComm* comm) {
  if (name.empty()) name = std::string(t->kind()) + "-" + std::to_string(t->size()) + "r-rank" + std::to_string(t->rank());
  auto obj = std::make_unique<CommObj>();
  obj->device = device;
  obj->name = name;
  if (aclrtSetDevice(device) != ACL_SUCCESS)
    return report(HCCL_E_RUNTIME, api, "device %d cannot be set: %s", device, aclGetRecentErrMsg());
  if (vnpuLaneCreate(device, "vnpu-hccl", &obj->lane) != ACL_SUCCESS)
    return report(HCCL_E_RUNTIME, api, "the communicator's lane cannot start: %s", aclGetRecentErrMsg());
  obj->core = std::make_shared<comm::CommCore>(std::move(t), std::move(name));
  *comm = add_comm(std::move(obj));
  return HCCL_SUCCESS;
}

void drop(const std::shared_ptr<CommObj>& c) {
  if (c->lane != nullptr) vnpuLaneDestroy(c->lane);
}

// What one queued collective owns until it has run.
struct Job {
  std::shared_ptr<comm::CommCore> core;
  comm::Request request;
};

int run_job(void* user, char* message, size_t bytes) {
  auto* job = static_cast<Job*>(user);
  const comm::Outcome o = job->core->run(job->request);
  if (o) return 0;
  std::snprintf(message, bytes, "%s", o.message.c_str());
  return 1;
}

void release_job(void* user) { delete static_cast<Job*>(user); }

HcclResult submit(HcclComm handle, comm::Request&& r, aclrtStream stream, const char* api) {
  const std::shared_ptr<CommObj> c = find_comm(handle);
  if (c == nullptr) return report(HCCL_E_PARA, api, "comm %p is not a live communicator (destroyed, or never created)", handle);
  if (const comm::Outcome o = c->core->check(r); !o) return report(o, api);
  std::vector<vnpuAccess> accesses;
  for (const comm::Touch& t : c->core->touched(r))
    accesses.push_back(vnpuAccess{t.ptr, t.bytes, t.write ? VNPU_ACCESS_WRITE : VNPU_ACCESS_READ});
  const std::uint64_t bytes = c->core->bytes_moved(r);
  auto* job = new Job{c->core, std::move(r)};
  const aclError e = vnpuLaneSubmit(c->lane, stream, comm::kind_name(job->request.kind), bytes, run_job, job,
                                    release_job, accesses.data(), accesses.size());
  if (e != ACL_SUCCESS) return report(HCCL_E_RUNTIME, api, "the stream refused the task: %s", aclGetRecentErrMsg());
  return HCCL_SUCCESS;
}

// An enum argument's value as the caller stored it: C may pass any int, and reading a value
// outside a C++ enum's range through the enum type is undefined, so the bytes are read.
template <class E>
int raw(const E& e) noexcept {
  static_assert(std::is_enum_v<E> && sizeof(E) == sizeof(int));
  int v;
  std::memcpy(&v, &e, sizeof v);
  return v;
}

// Out-of-range values become 255, which CommCore::check rejects with the value's name.
comm::Type to_type(int v) { return static_cast<comm::Type>(v >= 0 && v < 255 ? v : 255); }

comm::Request request(comm::Kind k, const void* send, void* recv, std::uint64_t count, const HcclDataType& type) {
  vnpu::comm::Request r;
  r.kind = k;
  r.send = send;
  r.recv = recv;
  r.count = count;
  r.type = to_type(raw(type));
  return r;
}

comm::Op to_op(const HcclReduceOp& op) {
  const int v = raw(op);
  return static_cast<comm::Op>(v >= 0 && v < 255 ? v : 255);
}

// The rank table's ranks: "server_list"[]."device"[]."rank_id".
HcclResult read_rank_table(const char* path, std::uint32_t* nranks, const char* api) {
  std::ifstream in(path);
  if (!in) return report(HCCL_E_OPEN_FILE_FAILURE, api, "cannot open rank table '%s'", path);
  try {
    const nlohmann::json j = nlohmann::json::parse(in);
    std::vector<bool> seen;
    std::uint32_t n = 0;
    for (const auto& server : j.at("server_list"))
      for (const auto& dev : server.at("device")) {
        const auto& id = dev.at("rank_id");
        const std::uint64_t r = id.is_string() ? std::stoull(id.get<std::string>()) : id.get<std::uint64_t>();
        if (r >= 65536) return report(HCCL_E_PARA, api, "rank table '%s': rank_id %llu is too large", path,
                                      static_cast<unsigned long long>(r));
        if (seen.size() <= r) seen.resize(r + 1);
        if (seen[r]) return report(HCCL_E_PARA, api, "rank table '%s': rank_id %llu appears twice", path,
                                   static_cast<unsigned long long>(r));
        seen[r] = true;
        ++n;
      }
    if (n == 0 || n != seen.size())
      return report(HCCL_E_PARA, api, "rank table '%s': the rank_ids must be 0..n-1 (found %u ranks)", path, n);
    *nranks = n;
  } catch (const std::exception& e) {
    return report(HCCL_E_PARA, api, "rank table '%s' is not a valid rank table: %s", path, e.what());
  }
  return HCCL_SUCCESS;
}

}  // namespace
}  // namespace vnpu::hccl

using namespace vnpu::hccl;
using vnpu::comm::Kind;

extern "C" {

const char* HcclGetErrorString(HcclResult code) {
  switch (raw(code)) {
    case HCCL_SUCCESS: return "success";
    case HCCL_E_PARA: return "invalid parameter";
    case HCCL_E_PTR: return "null pointer";
    case HCCL_E_MEMORY: return "out of memory";
    case HCCL_E_INTERNAL: return "internal error";
    case HCCL_E_NOT_SUPPORT: return "not supported";
    case HCCL_E_NOT_FOUND: return "not found";
    case HCCL_E_UNAVAIL: return "resource unavailable";
    case HCCL_E_SYSCALL: return "system call failed";
    case HCCL_E_TIMEOUT: return "timed out";
    case HCCL_E_OPEN_FILE_FAILURE: return "cannot open file";
    case HCCL_E_TCP_CONNECT: return "TCP connection failed";
    case HCCL_E_ROCE_CONNECT: return "RoCE connection failed";
    case HCCL_E_TCP_TRANSFER: return "TCP transfer failed";
    case HCCL_E_ROCE_TRANSFER: return "RoCE transfer failed";
    case HCCL_E_RUNTIME: return "runtime call failed";
    case HCCL_E_DRV: return "driver call failed";
    case HCCL_E_PROFILING: return "profiling call failed";
    case HCCL_E_CCE: return "CCE call failed";
    case HCCL_E_NETWORK: return "network call failed";
    case HCCL_E_AGAIN: return "try again";
    case HCCL_E_REMOTE: return "remote error";
    case HCCL_E_SUSPENDING: return "communicator suspending";
    default: return "unknown HCCL result";
  }
}

HcclResult HcclGetRootInfo(HcclRootInfo* rootInfo) {
  if (rootInfo == nullptr) return report(HCCL_E_PTR, "HcclGetRootInfo", "rootInfo is null");
  if (const vnpu::comm::Outcome o = vnpu::comm::make_root_info(rootInfo->internal); !o) return report(o, "HcclGetRootInfo");
  return HCCL_SUCCESS;
}

HcclResult HcclCommInitRootInfoConfig(uint32_t nRanks, const HcclRootInfo* rootInfo, uint32_t rank,
                                      const HcclCommConfig* config, HcclComm* comm) {
  const char* api = "HcclCommInitRootInfo";
  if (rootInfo == nullptr || comm == nullptr) return report(HCCL_E_PTR, api, "%s is null", rootInfo == nullptr ? "rootInfo" : "comm");
  if (nRanks == 0 || rank >= nRanks) return report(HCCL_E_PARA, api, "rank %u outside 0..%u", rank, nRanks == 0 ? 0 : nRanks - 1);
  std::string name;
  if (config != nullptr) {
    std::uint64_t size = 0;
    std::uint32_t magic = 0;
    std::memcpy(&size, config->reserved, sizeof size);
    std::memcpy(&magic, config->reserved + 8, sizeof magic);
    if (magic != HCCL_COMM_CONFIG_MAGIC_WORD)
      return report(HCCL_E_PARA, api, "the config was not initialized with HcclCommConfigInit");
    if (size >= offsetof(HcclCommConfig, hcclUdi)) {
      if (config->hcclDeterministic != HCCL_COMM_DETERMINISTIC_CONFIG_NOT_SET && config->hcclDeterministic > 1)
        return report(HCCL_E_PARA, api, "hcclDeterministic %u is not 0 or 1", config->hcclDeterministic);
      name.assign(config->hcclCommName, strnlen(config->hcclCommName, COMM_NAME_MAX_LENGTH));
    }
  }
  std::unique_ptr<vnpu::comm::Transport> t;
  if (const vnpu::comm::Outcome o = vnpu::comm::join(nRanks, rootInfo->internal, rank, &t); !o) return report(o, api);
  return finish_comm(std::move(t), current_device(), std::move(name), api, comm);
}

HcclResult HcclCommInitRootInfo(uint32_t nRanks, const HcclRootInfo* rootInfo, uint32_t rank, HcclComm* comm) {
  return HcclCommInitRootInfoConfig(nRanks, rootInfo, rank, nullptr, comm);
}

HcclResult HcclCommInitAll(uint32_t ndev, int32_t* devices, HcclComm* comms) {
  const char* api = "HcclCommInitAll";
  if (devices == nullptr || comms == nullptr) return report(HCCL_E_PTR, api, "%s is null", devices == nullptr ? "devices" : "comms");
  if (ndev == 0 || ndev > 4096) return report(HCCL_E_PARA, api, "ndev %u outside 1..4096", ndev);
  for (uint32_t i = 0; i < ndev; ++i)
    for (uint32_t j = 0; j < i; ++j)
      if (devices[i] == devices[j]) return report(HCCL_E_PARA, api, "device %d appears twice", devices[i]);
  int32_t previous = 0;
  const bool had_device = aclrtGetDevice(&previous) == ACL_SUCCESS;
  auto transports = vnpu::comm::make_memory_group(static_cast<int>(ndev));
  for (uint32_t i = 0; i < ndev; ++i) {
    const HcclResult r = finish_comm(std::move(transports[i]), devices[i], "", api, &comms[i]);
    if (r != HCCL_SUCCESS) {
      for (uint32_t j = 0; j < i; ++j) drop(remove_comm(comms[j]));
      if (had_device) aclrtSetDevice(previous);
      return r;
    }
  }
  if (had_device) aclrtSetDevice(previous);
  return HCCL_SUCCESS;
}

HcclResult HcclCommInitClusterInfo(const char* clusterInfo, uint32_t rank, HcclComm* comm) {
  const char* api = "HcclCommInitClusterInfo";
  if (clusterInfo == nullptr || comm == nullptr) return report(HCCL_E_PTR, api, "%s is null", clusterInfo == nullptr ? "clusterInfo" : "comm");
  uint32_t nranks = 0;
  if (const HcclResult r = read_rank_table(clusterInfo, &nranks, api); r != HCCL_SUCCESS) return r;
  if (rank >= nranks) return report(HCCL_E_PARA, api, "rank %u outside 0..%u of the rank table", rank, nranks - 1);
  std::unique_ptr<vnpu::comm::Transport> t;
  if (const vnpu::comm::Outcome o = vnpu::comm::mpi_join_world(nranks, rank, &t); !o) return report(o, api);
  return finish_comm(std::move(t), current_device(), "", api, comm);
}

HcclResult HcclCommDestroy(HcclComm comm) {
  const std::shared_ptr<CommObj> c = remove_comm(comm);
  if (c == nullptr) return report(HCCL_E_PARA, "HcclCommDestroy", "comm %p is not a live communicator", comm);
  drop(c);
  return HCCL_SUCCESS;
}

HcclResult HcclGetRankSize(HcclComm comm, uint32_t* rankSize) {
  const std::shared_ptr<CommObj> c = find_comm(comm);
  if (c == nullptr) return report(HCCL_E_PARA, "HcclGetRankSize", "comm %p is not a live communicator", comm);
  if (rankSize == nullptr) return report(HCCL_E_PTR, "HcclGetRankSize", "rankSize is null");
  *rankSize = static_cast<uint32_t>(c->core->size());
  return HCCL_SUCCESS;
}

HcclResult HcclGetRankId(HcclComm comm, uint32_t* rank) {
  const std::shared_ptr<CommObj> c = find_comm(comm);
  if (c == nullptr) return report(HCCL_E_PARA, "HcclGetRankId", "comm %p is not a live communicator", comm);
  if (rank == nullptr) return report(HCCL_E_PTR, "HcclGetRankId", "rank is null");
  *rank = static_cast<uint32_t>(c->core->rank());
  return HCCL_SUCCESS;
}

HcclResult HcclGetCommName(HcclComm comm, char* commName) {
  const std::shared_ptr<CommObj> c = find_comm(comm);
  if (c == nullptr) return report(HCCL_E_PARA, "HcclGetCommName", "comm %p is not a live communicator", comm);
  if (commName == nullptr) return report(HCCL_E_PTR, "HcclGetCommName", "commName is null");
  std::snprintf(commName, COMM_NAME_MAX_LENGTH, "%s", c->name.c_str());
  return HCCL_SUCCESS;
}

HcclResult HcclGetCommAsyncError(HcclComm comm, HcclResult* asyncError) {
  const std::shared_ptr<CommObj> c = find_comm(comm);
  if (c == nullptr) return report(HCCL_E_PARA, "HcclGetCommAsyncError", "comm %p is not a live communicator", comm);
  if (asyncError == nullptr) return report(HCCL_E_PTR, "HcclGetCommAsyncError", "asyncError is null");
  *asyncError = static_cast<HcclResult>(c->core->first_failure().code);
  return HCCL_SUCCESS;
}

HcclResult HcclSetConfig(HcclConfig config, HcclConfigValue configValue) {
  if (raw(config) != HCCL_DETERMINISTIC) return report(HCCL_E_PARA, "HcclSetConfig", "unknown setting %d", raw(config));
  if (configValue.value != 0 && configValue.value != 1)
    return report(HCCL_E_PARA, "HcclSetConfig", "HCCL_DETERMINISTIC takes 0 or 1, not %d", configValue.value);
  g_deterministic.store(configValue.value);
  return HCCL_SUCCESS;
}

HcclResult HcclGetConfig(HcclConfig config, HcclConfigValue* configValue) {
  if (raw(config) != HCCL_DETERMINISTIC) return report(HCCL_E_PARA, "HcclGetConfig", "unknown setting %d", raw(config));
  if (configValue == nullptr) return report(HCCL_E_PTR, "HcclGetConfig", "configValue is null");
  configValue->value = g_deterministic.load();
  return HCCL_SUCCESS;
}

uint32_t HcclGetCommConfigCapability(void) { return HCCL_COMM_CONFIG_RESERVED; }

HcclResult HcclAllReduce(void* sendBuf, void* recvBuf, uint64_t count, HcclDataType dataType, HcclReduceOp op,
                         HcclComm comm, aclrtStream stream) {
  auto r = request(Kind::kAllReduce, sendBuf, recvBuf, count, dataType);
  r.op = to_op(op);
  return submit(comm, std::move(r), stream, "HcclAllReduce");
}

HcclResult HcclBroadcast(void* buf, uint64_t count, HcclDataType dataType, uint32_t root, HcclComm comm,
                         aclrtStream stream) {
  auto r = request(Kind::kBroadcast, nullptr, buf, count, dataType);
  r.root = root;
  return submit(comm, std::move(r), stream, "HcclBroadcast");
}

HcclResult HcclReduce(void* sendBuf, void* recvBuf, uint64_t count, HcclDataType dataType, HcclReduceOp op,
                      uint32_t root, HcclComm comm, aclrtStream stream) {
  auto r = request(Kind::kReduce, sendBuf, recvBuf, count, dataType);
  r.op = to_op(op);
  r.root = root;
  return submit(comm, std::move(r), stream, "HcclReduce");
}

HcclResult HcclAllGather(void* sendBuf, void* recvBuf, uint64_t sendCount, HcclDataType dataType, HcclComm comm,
                         aclrtStream stream) {
  return submit(comm, request(Kind::kAllGather, sendBuf, recvBuf, sendCount, dataType), stream, "HcclAllGather");
}

HcclResult HcclReduceScatter(void* sendBuf, void* recvBuf, uint64_t recvCount, HcclDataType dataType,
                             HcclReduceOp op, HcclComm comm, aclrtStream stream) {
  auto r = request(Kind::kReduceScatter, sendBuf, recvBuf, recvCount, dataType);
  r.op = to_op(op);
  return submit(comm, std::move(r), stream, "HcclReduceScatter");
}

HcclResult HcclScatter(void* sendBuf, void* recvBuf, uint64_t recvCount, HcclDataType dataType, uint32_t root,
                       HcclComm comm, aclrtStream stream) {
  auto r = request(Kind::kScatter, sendBuf, recvBuf, recvCount, dataType);
  r.root = root;
  return submit(comm, std::move(r), stream, "HcclScatter");
}

HcclResult HcclAlltoAll(const void* sendBuf, uint64_t sendCount, HcclDataType sendType, const void* recvBuf,
                        uint64_t recvCount, HcclDataType recvType, HcclComm comm, aclrtStream stream) {
  auto r = request(Kind::kAllToAll, sendBuf, const_cast<void*>(recvBuf), sendCount, sendType);
  r.recv_count = recvCount;
  r.recv_type = to_type(raw(recvType));
  return submit(comm, std::move(r), stream, "HcclAlltoAll");
}

HcclResult HcclAlltoAllV(const void* sendBuf, const void* sendCounts, const void* sdispls, HcclDataType sendType,
                         const void* recvBuf, const void* recvCounts, const void* rdispls, HcclDataType recvType,
                         HcclComm comm, aclrtStream stream) {
  const char* api = "HcclAlltoAllV";
  const std::shared_ptr<CommObj> c = find_comm(comm);
  if (c == nullptr) return report(HCCL_E_PARA, api, "comm %p is not a live communicator", comm);
  if (sendCounts == nullptr || sdispls == nullptr || recvCounts == nullptr || rdispls == nullptr)
    return report(HCCL_E_PTR, api, "a count or displacement array is null");
  auto r = request(Kind::kAllToAllV, sendBuf, const_cast<void*>(recvBuf), 0, sendType);
  r.recv_type = to_type(raw(recvType));
  const auto n = static_cast<std::size_t>(c->core->size());
  auto copy = [n](const void* p, std::vector<std::uint64_t>* v) {
    const auto* a = static_cast<const std::uint64_t*>(p);
    v->assign(a, a + n);
  };
  copy(sendCounts, &r.send_counts);
  copy(sdispls, &r.send_displs);
  copy(recvCounts, &r.recv_counts);
  copy(rdispls, &r.recv_displs);
  return submit(comm, std::move(r), stream, api);
}

HcclResult HcclSend(void* sendBuf, uint64_t count, HcclDataType dataType, uint32_t destRank, HcclComm comm,
                    aclrtStream stream) {
  auto r = request(Kind::kSend, sendBuf, nullptr, count, dataType);
  r.root = destRank;
  return submit(comm, std::move(r), stream, "HcclSend");
}

HcclResult HcclRecv(void* recvBuf, uint64_t count, HcclDataType dataType, uint32_t srcRank, HcclComm comm,
                    aclrtStream stream) {
  auto r = request(Kind::kRecv, nullptr, recvBuf, count, dataType);
  r.root = srcRank;
  return submit(comm, std::move(r), stream, "HcclRecv");
}

HcclResult HcclBatchSendRecv(HcclSendRecvItem* sendRecvInfo, uint32_t itemNum, HcclComm comm, aclrtStream stream) {
  const char* api = "HcclBatchSendRecv";
  if (sendRecvInfo == nullptr && itemNum != 0) return report(HCCL_E_PTR, api, "sendRecvInfo is null");
  vnpu::comm::Request r;
  r.kind = Kind::kBatch;
  for (uint32_t i = 0; i < itemNum; ++i) {
    const HcclSendRecvItem& it = sendRecvInfo[i];
    const int kind = raw(it.sendRecvType);
    if (kind != HCCL_SEND && kind != HCCL_RECV)
      return report(HCCL_E_PARA, api, "item %u: sendRecvType %d is neither HCCL_SEND nor HCCL_RECV", i, kind);
    r.items.push_back(vnpu::comm::BatchItem{kind == HCCL_SEND, it.buf, it.count, to_type(raw(it.dataType)),
                                            it.remoteRank});
  }
  return submit(comm, std::move(r), stream, api);
}

HcclResult HcclBarrier(HcclComm comm, aclrtStream stream) {
  return submit(comm, request(Kind::kBarrier, nullptr, nullptr, 0, HCCL_DATA_TYPE_UINT8), stream, "HcclBarrier");
}

}  // extern "C"
