// Transport: how the ranks of a communicator move bytes. Only data moves here; what the
// bytes mean and every reduction are the collectives' (collectives.cpp), so results never
// depend on the transport.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "comm/outcome.hpp"

namespace vnpu::comm {

/// One message of an exchange: a send reads `bytes` at `buf` for rank `peer`; a receive
/// writes them.
struct Msg {
  void* buf = nullptr;
  std::size_t bytes = 0;
  int peer = 0;
};

class Transport {
 public:
  virtual ~Transport() = default;
  virtual int rank() const noexcept = 0;
  virtual int size() const noexcept = 0;
  /// "mpi" or "memory".
  virtual const char* kind() const noexcept = 0;

  /// Starts every send and receive, then waits for all of them. Messages between two ranks
  /// are matched in the order they are posted; a receive whose size differs from its
  /// matching send fails (on both sides where the transport can tell). No message is to
  /// the rank itself.
  virtual Outcome exchange(std::span<const Msg> sends, std::span<const Msg> recvs) = 0;

  /// Every rank passes its `signature`; returns (in *same, on every rank) whether they were
  /// all equal. No rank returns before every rank has called it: also a barrier.
  virtual Outcome agree(std::uint64_t signature, bool* same) = 0;
};

/// Ranks that are threads of this process: `n` transports of one group, exchanging through
/// memory (the receiver copies from the sender's buffer).
std::vector<std::unique_ptr<Transport>> make_memory_group(int n);

}  // namespace vnpu::comm
