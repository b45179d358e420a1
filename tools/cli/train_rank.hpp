// tools/cli/train_rank.hpp — one rank of `vnpu demo train`: a model's layers on a device, the
// backward and update kernels, and the two orders of a data-parallel training step.
//
// Every rank holds the same parameters w_l and its own activations a_l (its shard of the
// batch). A step, for layers l = L-1 down to 0 (backward runs from the last layer):
//
//   backward_l:  g_l[i] = f^K(a_l[i] * w_l[i]), f(y) = y*kMul + kAdd  (K multiply-adds,
//                                                                      demo_kernel.hpp)
//   all-reduce:  g_l = sum over ranks of g_l                           (Communicator, in place)
//   update_l:    w_l[i] -= (lr / ranks) * g_l[i]                       (SGD on the mean gradient)
//
// Serial order: every backward kernel, then every all-reduce, then every update, all on one
// stream. Overlapped order: the backward kernels on a compute stream, each followed by an
// event record; a second stream waits for layer l's event, all-reduces g_l and updates w_l,
// so layer l's all-reduce runs on the communicator's lane while layers l-1, l-2, ... compute.
// That stream has the highest priority: its update kernels take the compute cores before
// the backward kernels queued behind the running one, or every later all-reduce, queued
// behind an update, would wait for the whole backward pass.
// Both orders do the same arithmetic on the same data, so they give the same bits, and
// since the all-reduce is deterministic every rank gets the same parameters.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "vnpu/communicator.hpp"
#include "vnpu/vnpu.hpp"

namespace vnpu::cli::train {

/// How the host threads that drive the ranks meet outside the communicator: barriers and
/// small all-gathers (times, digests, verdicts). Ranks are threads of this process
/// (ThreadPeers) or processes of an MPI job.
class Peers {
 public:
  virtual ~Peers() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  virtual void barrier() = 0;
  /// Every rank's `value`, in rank order, on every rank.
  virtual std::vector<std::uint64_t> all_gather(std::uint64_t value) = 0;

  /// The largest of every rank's `value`.
  double max(double value);
  /// Whether every rank passed true.
  bool all(bool value);
  /// Whether every rank passed the same value.
  bool same(std::uint64_t value);
};

/// The meeting point of `n` ranks that are threads of this process. If a rank fails,
/// break_all() makes every waiting and later call throw, so the other threads do not wait
/// for it forever (a rank already inside a collective still waits for the communicator).
class ThreadGroup {
 public:
  explicit ThreadGroup(int n);
  ~ThreadGroup();
  ThreadGroup(const ThreadGroup&) = delete;
  ThreadGroup& operator=(const ThreadGroup&) = delete;
  /// The Peers of rank `rank`, for its thread.
  std::unique_ptr<Peers> peers(int rank);
  void break_all();

  struct State;  ///< shared by the group's Peers (train_rank.cpp)

 private:
  std::shared_ptr<State> state_;
};

enum class Order { kSerial, kOverlapped };
const char* order_name(Order order) noexcept;

/// A layer element sampled by the reference check: the gradient sum and the updated
/// parameter against float64.
struct Sampled {
  std::size_t checked = 0;
  double worst = 0.0;  ///< the largest |error| / tolerance (<= 1 passes)
};

class Rank {
 public:
  /// Allocates and fills the layers (`layers` x `layer_elems` floats each of parameters,
  /// activations, gradients and a snapshot of the parameters) on the communicator's device.
  Rank(Communicator comm, int layers, std::size_t layer_elems);
  /// Waits for the device before the buffers go, even when leaving by an exception.
  ~Rank();
  Rank(const Rank&) = delete;
  Rank& operator=(const Rank&) = delete;

  int rank() const noexcept { return static_cast<int>(comm_.rank()); }
  int ranks() const noexcept { return static_cast<int>(comm_.size()); }
  const Communicator& communicator() const noexcept { return comm_; }
  int device_id() const noexcept { return compute_.device_id(); }
  /// The overlapped order's second stream: its collectives are the ones that can overlap.
  std::uint64_t comm_stream_id() const noexcept { return comm_stream_.id(); }

  /// Submits one step in `order` with `iters` multiply-adds per element and waits for it.
  void step(Order order, std::uint32_t iters);
  /// One backward kernel of layer 0, waited for.
  void backward_alone(std::uint32_t iters);
  /// One all-reduce of layer 0's gradient, waited for (collective: every rank calls it).
  void all_reduce_alone();

  /// Saves / restores the parameters (to run two orders from the same state).
  void snapshot();
  void restore();
  /// Digest of the parameters of every layer (and, with `grads`, of the gradients).
  std::uint64_t digest(bool grads);

  /// Reads the parameters at the sample positions: call before a step...
  std::vector<float> sample_params();
  /// ...then compares the gradient sums and parameters after it with float64, given the
  /// parameters before. The rank's inputs follow from its index, so each rank checks all.
  Sampled check_samples(std::span<const float> before, std::uint32_t iters);

 private:
  struct Layer;
  std::size_t block_run() const noexcept;
  void backward(Stream& s, Layer& layer, std::uint32_t iters);
  void update(Stream& s, Layer& layer);
  void all_reduce(Stream& s, Layer& layer);
  std::vector<std::size_t> sample_positions() const;

  Communicator comm_;
  Device dev_;
  Stream compute_;
  Stream comm_stream_;
  std::uint32_t block_dim_;
  std::size_t elems_;
  float lr_;  // the learning rate over the rank count: the update uses the mean gradient
  std::vector<Layer> layers_;
};

}  // namespace vnpu::cli::train
