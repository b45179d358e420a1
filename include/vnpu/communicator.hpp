// vnpu/communicator.hpp — collectives between ranks: devices of one process, or processes
// on one or many hosts (over Open MPI), each collective a task on a stream.
//
//   // Every process of `mpirun -np N prog`:
//   vnpu::RootInfo info;
//   if (rank == 0) vnpu::Communicator::root_info(&info);
//   MPI_Bcast(info.bytes.data(), info.bytes.size(), MPI_BYTE, 0, MPI_COMM_WORLD);
//   auto comm = vnpu::Communicator::join(N, info, rank, device).value();
//   comm.all_reduce(grad, grad, n, vnpu::CommType::kF32, vnpu::ReduceOp::kSum, stream);
//
// Semantics, the same as the HCCL C API's (hccl/hccl.h), which runs the same engine:
// - A collective is queued on `stream`, ordered with the stream's kernels and copies, and
//   runs on the communicator's lane (vnpu/lane.hpp): kernels of other streams overlap it.
//   Errors found when it runs (ranks that disagree, a transport failure) fail the task,
//   reported at the stream's synchronize with a message.
// - Every rank issues a communicator's collectives in the same order. Before each
//   collective the ranks check that they agree on the operation, element type, operator,
//   root and counts; if not, every rank's task fails instead of hanging.
// - Reductions are deterministic: every element is folded in rank order 0, 1, ... n-1
//   (f16/bf16 in f32, rounded once), so every rank gets the same bits on every run, for any
//   message size, transport and placement of the ranks.
// - root_info/join: under `mpirun` the ranks are the job's processes, one rank each; they use
//   MPI_COMM_WORLD to find each other, then a communicator of their own. If the program has
//   not initialized MPI, root_info/join do (MPI_THREAD_MULTIPLE) and finalize it at exit; a
//   program that calls MPI itself should initialize it with MPI_THREAD_MULTIPLE. Without
//   mpirun, the ranks are threads of the root's process (one join per thread).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "vnpu/device.hpp"
#include "vnpu/status.hpp"
#include "vnpu/stream.hpp"

namespace vnpu {

namespace comm {
class CommCore;
class Transport;
struct Request;
}  // namespace comm

/// Element types of collectives (the values of HcclDataType).
enum class CommType : std::uint8_t {
  kI8 = 0, kI16 = 1, kI32 = 2, kF16 = 3, kF32 = 4, kI64 = 5, kU64 = 6, kU8 = 7, kU16 = 8, kU32 = 9, kF64 = 10,
  kBF16 = 11,
};
/// Bytes per element; 0 for a value outside the enum.
std::size_t comm_type_size(CommType t) noexcept;

/// Element-wise reductions (the values of HcclReduceOp). kMax/kMin give NaN if any rank's
/// element is NaN; integers wrap around.
enum class ReduceOp : std::uint8_t { kSum = 0, kProd = 1, kMax = 2, kMin = 3 };

/// What one process creates (Communicator::root_info) and every rank passes to join().
struct RootInfo {
  std::array<char, 4108> bytes{};
};

/// One rank of a communicator. A handle: copies share the rank; the last one waits for the
/// rank's queued collectives, then leaves.
class Communicator {
 public:
  Communicator() noexcept = default;

  /// Writes a new communicator's root info, naming this process as its root (which must
  /// itself join). Under mpirun it starts MPI if needed (kNotSupported if MPI cannot start).
  static Status root_info(RootInfo* info);
  /// Joins as `rank` of `nranks` the communicator of `info`, for streams of `device`.
  /// Collective over the nranks processes or threads (distinct ranks, the same nranks and
  /// info); waits
  /// up to HCCL_CONNECT_TIMEOUT seconds (default 120): kTimeout. kInvalidArgument for a bad
  /// rank, an info from another job, or ranks that disagree.
  static Expected<Communicator> join(std::uint32_t nranks, const RootInfo& info, std::uint32_t rank,
                                     const Device& device);
  /// A communicator whose ranks are `devices` of this process (rank i = devices[i]); they
  /// exchange through memory, without MPI. Each rank's collectives are queued on streams
  /// of its device.
  static Expected<std::vector<Communicator>> local(std::span<const Device> devices);

  explicit operator bool() const noexcept { return impl_ != nullptr; }
  std::uint32_t rank() const noexcept;
  std::uint32_t size() const noexcept;
  const Device& device() const noexcept;
  /// "mpi" or "memory".
  const char* transport() const noexcept;
  /// kSuccess, or the first failure of a collective of this rank so far.
  Status first_failure(std::string* message = nullptr) const;
  /// Waits until this rank's queued collectives have run.
  Status drain() const;

  /// recv[i] = send_0[i] op send_1[i] op ... (count elements); send == recv is in place.
  Status all_reduce(const void* send, void* recv, std::uint64_t count, CommType type, ReduceOp op, Stream& stream);
  /// The root's buf (count elements) to every rank's buf.
  Status broadcast(void* buf, std::uint64_t count, CommType type, std::uint32_t root, Stream& stream);
  /// The reduction of every rank's send into the root's recv (others' recv untouched, may be null).
  Status reduce(const void* send, void* recv, std::uint64_t count, CommType type, ReduceOp op, std::uint32_t root,
                Stream& stream);
  /// recv = every rank's send (count elements each), in rank order.
  Status all_gather(const void* send, void* recv, std::uint64_t count, CommType type, Stream& stream);
  /// Rank r gets block r (recv_count elements) of the reduction of every rank's send
  /// (recv_count * size elements).
  Status reduce_scatter(const void* send, void* recv, std::uint64_t recv_count, CommType type, ReduceOp op,
                        Stream& stream);
  /// Rank r gets block r (recv_count elements) of the root's send.
  Status scatter(const void* send, void* recv, std::uint64_t recv_count, CommType type, std::uint32_t root,
                 Stream& stream);
  /// Block j of send (count elements) to rank j, which stores it as block `rank()` of recv.
  Status all_to_all(const void* send, void* recv, std::uint64_t count, CommType type, Stream& stream);
  /// Per-peer counts and offsets (elements; size() entries each), copied at the call.
  Status all_to_all_v(const void* send, std::span<const std::uint64_t> send_counts,
                      std::span<const std::uint64_t> send_displs, CommType send_type, void* recv,
                      std::span<const std::uint64_t> recv_counts, std::span<const std::uint64_t> recv_displs,
                      CommType recv_type, Stream& stream);
  /// Point to point; a send meets the receive of the same size on the peer, in issue order.
  Status send(const void* buf, std::uint64_t count, CommType type, std::uint32_t peer, Stream& stream);
  Status recv(void* buf, std::uint64_t count, CommType type, std::uint32_t peer, Stream& stream);
  /// Completes on every rank once every rank's stream reached it.
  Status barrier(Stream& stream);

 private:
  struct Impl;
  static Expected<Communicator> make(const Device& device, std::unique_ptr<comm::Transport> transport,
                                     const char* prefix);
  Status submit(comm::Request&& r, Stream& stream);
  std::shared_ptr<Impl> impl_;
};

}  // namespace vnpu
