// CommCore: one rank of a communicator — its transport and the collectives, written once
// over Transport::exchange/agree for both front ends (vnpu::Communicator and libhccl).
// A front end checks a Request when it is submitted (check), declares its bytes and memory
// (bytes_moved, touched) and runs it on the communicator's lane (run).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "comm/outcome.hpp"
#include "comm/transport.hpp"

namespace vnpu::comm {

enum class Kind : std::uint8_t {
  kAllReduce, kBroadcast, kReduce, kAllGather, kReduceScatter, kScatter, kAllToAll, kAllToAllV, kSend, kRecv,
  kBatch, kBarrier,
};
/// "AllReduce", "Broadcast", ... (the task's name in traces).
const char* kind_name(Kind k) noexcept;

/// One send or receive of a batch (kBatch).
struct BatchItem {
  bool send = true;
  void* buf = nullptr;
  std::uint64_t count = 0;
  Type type = Type::kF32;
  std::uint32_t peer = 0;
};

/// A collective's arguments. Counts are in elements of `type` (`recv_type` for what the
/// all-to-alls receive).
struct Request {
  Kind kind = Kind::kAllReduce;
  const void* send = nullptr;
  void* recv = nullptr;          // Broadcast: the buffer; Send: unused
  std::uint64_t count = 0;       // AllReduce, Broadcast, Reduce, Send, Recv; AllGather: sent;
                                 // ReduceScatter, Scatter: received; AllToAll: sent to each rank
  std::uint64_t recv_count = 0;  // AllToAll: received from each rank
  Type type = Type::kF32;
  Type recv_type = Type::kF32;   // AllToAll(V)
  Op op = Op::kSum;              // AllReduce, Reduce, ReduceScatter
  std::uint32_t root = 0;        // Broadcast, Reduce, Scatter; Send/Recv: the peer
  std::vector<std::uint64_t> send_counts, send_displs, recv_counts, recv_displs;  // AllToAllV
  std::vector<BatchItem> items;  // Batch
};

/// A byte range a request reads or writes on this rank (for checked mode).
struct Touch {
  const void* ptr;
  std::size_t bytes;
  bool write;
};

class CommCore {
 public:
  CommCore(std::unique_ptr<Transport> transport, std::string name);
  int rank() const noexcept { return rank_; }
  int size() const noexcept { return size_; }
  const std::string& name() const noexcept { return name_; }
  const char* transport_kind() const noexcept { return transport_->kind(); }

  /// What can be checked on this rank alone, at submission: handles, types, operators,
  /// roots and peers in range, buffers present, sizes that fit.
  Outcome check(const Request& r) const;
  /// Bytes this rank sends plus receives (the profiler's figure).
  std::uint64_t bytes_moved(const Request& r) const noexcept;
  /// The memory the request reads and writes on this rank.
  std::vector<Touch> touched(const Request& r) const;
  /// Runs the request; on the communicator's lane. Every rank of a collective checks first
  /// that the others run the same kind with the same type, operator, root and counts.
  Outcome run(const Request& r);

  /// The first failure of run() (code kOk if none), and its message.
  Outcome first_failure() const;

 private:
  Outcome agree(const Request& r);
  Outcome all_reduce(const Request& r);
  Outcome reduce_scatter(const Request& r);
  Outcome reduce(const Request& r);
  Outcome all_gather(const Request& r);
  Outcome from_root(const Request& r);
  Outcome all_to_all(const Request& r);
  Outcome batch(const Request& r);
  // exchange() of sends_/recvs_ whose sizes were not agreed: each message is preceded by its
  // size, and one of a size its receive does not expect is drained (received into scratch)
  // and fails the receiving rank — never truncated, which could leave the sender waiting.
  Outcome sized_exchange();
  unsigned char* scratch(std::size_t bytes);

  std::unique_ptr<Transport> transport_;
  const std::string name_;
  const int rank_;
  const int size_;
  std::vector<unsigned char> scratch_;
  std::vector<Msg> sends_, recvs_;
  std::vector<std::uint64_t> head_out_, head_in_;
  std::vector<unsigned char> drain_;
  mutable std::mutex failure_mu_;
  Outcome failure_;  // guarded by failure_mu_
};

}  // namespace vnpu::comm
