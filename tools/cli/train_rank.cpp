// tools/cli/train_rank.cpp — one rank of `vnpu demo train` (see train_rank.hpp).
#include "train_rank.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <condition_variable>
#include <limits>
#include <mutex>
#include <stdexcept>
#include <utility>

#include "cli_common.hpp"
#include "demo_kernel.hpp"
#include "digest.hpp"

namespace vnpu::cli::train {

namespace {

using demo::kAdd;
using demo::kLanes;
using demo::kMul;

// SGD step size (before dividing by the rank count). Small enough that the parameters
// stay in [-2, 2] over thousands of steps: each step moves them by at most ~lr.
constexpr float kLearningRate = 1e-3f;

inline void ok(Status s) {
  if (s != Status::kSuccess) check(s);
}

std::uint64_t splitmix64(std::uint64_t z) {
  z += 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}
// A multiple of 2^-23 in [-1, 1) from a hash.
float unit_value(std::uint64_t key) { return static_cast<float>(splitmix64(key) >> 40) * 0x1p-23f - 1.0f; }

// The initial parameters: the same on every rank.
float param_init(std::size_t layer, std::size_t i) {
  return unit_value(0x5eedull ^ (static_cast<std::uint64_t>(layer) << 40) ^ i);
}
// Rank r's activations of a layer: its shard of the batch, different on every rank.
float activation(int rank, std::size_t layer, std::size_t i) {
  return unit_value(0xac7ull ^ (static_cast<std::uint64_t>(rank) << 56) ^ (static_cast<std::uint64_t>(layer) << 40) ^
                    i);
}

struct DeviceFree {
  void operator()(float* p) const noexcept { (void)vnpu::free(p); }
};
using Buffer = std::unique_ptr<float, DeviceFree>;

Buffer device_alloc(const Device& dev, std::size_t elems) {
  return Buffer(static_cast<float*>(dev.malloc(std::max<std::size_t>(elems, 1) * sizeof(float)).value()));
}

float read_float(const float* device_ptr) {
  float v = 0.0f;
  ok(vnpu::memcpy(&v, sizeof v, device_ptr, sizeof v, CopyKind::kDeviceToHost));
  return v;
}

}  // namespace

// --- Peers ---------------------------------------------------------------------------

double Peers::max(double value) {
  double m = value;
  for (std::uint64_t bits : all_gather(std::bit_cast<std::uint64_t>(value))) m = std::max(m, std::bit_cast<double>(bits));
  return m;
}

bool Peers::all(bool value) {
  const std::vector<std::uint64_t> v = all_gather(value ? 1 : 0);
  return std::all_of(v.begin(), v.end(), [](std::uint64_t x) { return x == 1; });
}

bool Peers::same(std::uint64_t value) {
  const std::vector<std::uint64_t> v = all_gather(value);
  return std::all_of(v.begin(), v.end(), [&](std::uint64_t x) { return x == v[0]; });
}

struct ThreadGroup::State {
  explicit State(int ranks) : n(ranks), slots(static_cast<std::size_t>(ranks)) {}
  const int n;
  std::mutex mu;
  std::condition_variable cv;
  int arrived = 0;               // guarded by mu
  std::uint64_t generation = 0;  // guarded by mu
  bool broken = false;           // guarded by mu
  std::vector<std::uint64_t> slots;  // all_gather's values; written between two barriers

  void barrier() {
    std::unique_lock lock(mu);
    if (broken) throw std::runtime_error("another rank failed");
    const std::uint64_t gen = generation;
    if (++arrived == n) {
      arrived = 0;
      ++generation;
      cv.notify_all();
      return;
    }
    cv.wait(lock, [&] { return generation != gen || broken; });
    if (generation == gen) throw std::runtime_error("another rank failed");
  }
};

namespace {

class ThreadPeers final : public Peers {
 public:
  ThreadPeers(std::shared_ptr<ThreadGroup::State> state, int rank) : state_(std::move(state)), rank_(rank) {}
  int rank() const override { return rank_; }
  int size() const override { return state_->n; }
  void barrier() override { state_->barrier(); }
  std::vector<std::uint64_t> all_gather(std::uint64_t value) override {
    {
      std::lock_guard lock(state_->mu);
      state_->slots[static_cast<std::size_t>(rank_)] = value;
    }
    state_->barrier();
    std::vector<std::uint64_t> all;
    {
      std::lock_guard lock(state_->mu);
      all = state_->slots;
    }
    state_->barrier();  // nobody writes the next values before everyone has read these
    return all;
  }

 private:
  std::shared_ptr<ThreadGroup::State> state_;
  int rank_;
};

}  // namespace

ThreadGroup::ThreadGroup(int n) : state_(std::make_shared<State>(n)) {}
ThreadGroup::~ThreadGroup() = default;

std::unique_ptr<Peers> ThreadGroup::peers(int rank) { return std::make_unique<ThreadPeers>(state_, rank); }

void ThreadGroup::break_all() {
  std::lock_guard lock(state_->mu);
  state_->broken = true;
  state_->cv.notify_all();
}

const char* order_name(Order order) noexcept { return order == Order::kSerial ? "serial" : "overlapped"; }

// --- Rank ----------------------------------------------------------------------------

struct Rank::Layer {
  Buffer w, a, g, saved;
  Event ready;  // the layer's gradient is computed (overlapped order)
};

Rank::Rank(Communicator comm, int layers, std::size_t layer_elems)
    : comm_(std::move(comm)),
      dev_(comm_.device()),
      compute_(dev_.create_stream().value()),
      comm_stream_(dev_.create_stream(StreamOptions{kPriorityHighest}).value()),
      block_dim_(static_cast<std::uint32_t>(std::max(1, dev_.info().compute_cores))),
      elems_(layer_elems),
      lr_(kLearningRate / static_cast<float>(comm_.size())) {
  for (int l = 0; l < layers; ++l) {
    layers_.push_back(Layer{device_alloc(dev_, elems_), device_alloc(dev_, elems_), device_alloc(dev_, elems_),
                            device_alloc(dev_, elems_), Event::create(kEventDisableTiming).value()});
  }
  const int me = rank();
  const std::size_t n = elems_, run = block_run();
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    float* w = layers_[l].w.get();
    float* a = layers_[l].a.get();
    float* g = layers_[l].g.get();
    ok(compute_.launch("train_init", block_dim_, [=](const KernelContext& k) {
      const std::size_t begin = std::min(n, k.block_idx() * run), end = std::min(n, begin + run);
      for (std::size_t i = begin; i < end; ++i) {
        w[i] = param_init(l, i);
        a[i] = activation(me, l, i);
        g[i] = 0.0f;
      }
    }));
  }
  ok(compute_.synchronize());
}

Rank::~Rank() { (void)dev_.synchronize(); }

std::size_t Rank::block_run() const noexcept {
  // Equal runs of whole kLanes groups per block: only the last block has a scalar tail.
  const std::size_t groups = (elems_ + kLanes - 1) / kLanes;
  return (groups + block_dim_ - 1) / block_dim_ * kLanes;
}

void Rank::backward(Stream& s, Layer& layer, std::uint32_t iters) {
  const float* a = layer.a.get();
  const float* w = layer.w.get();
  float* g = layer.g.get();
  const std::size_t n = elems_, run = block_run();
  ok(s.launch("backward", block_dim_, [=](const KernelContext& k) {
    const std::size_t begin = std::min(n, k.block_idx() * run), end = std::min(n, begin + run);
    std::size_t i = begin;
    // kLanes independent multiply-add chains held in registers: compute-bound, one read of
    // a and w and one write of g per element whatever `iters` is (demo_kernel.hpp).
    for (; i + kLanes <= end; i += kLanes) {
      float v[kLanes];
      for (std::size_t j = 0; j < kLanes; ++j) v[j] = a[i + j] * w[i + j];
      for (std::uint32_t t = 0; t < iters; ++t) {
        for (std::size_t j = 0; j < kLanes; ++j) v[j] = v[j] * kMul + kAdd;
      }
      for (std::size_t j = 0; j < kLanes; ++j) g[i + j] = v[j];
    }
    for (; i < end; ++i) {
      float y = a[i] * w[i];
      for (std::uint32_t t = 0; t < iters; ++t) y = y * kMul + kAdd;
      g[i] = y;
    }
  }));
}

void Rank::update(Stream& s, Layer& layer) {
  float* w = layer.w.get();
  const float* g = layer.g.get();
  const std::size_t n = elems_, run = block_run();
  const float lr = lr_;
  ok(s.launch("sgd_update", block_dim_, [=](const KernelContext& k) {
    const std::size_t begin = std::min(n, k.block_idx() * run), end = std::min(n, begin + run);
    for (std::size_t i = begin; i < end; ++i) w[i] = w[i] - lr * g[i];
  }));
}

void Rank::all_reduce(Stream& s, Layer& layer) {
  ok(comm_.all_reduce(layer.g.get(), layer.g.get(), elems_, CommType::kF32, ReduceOp::kSum, s));
}

void Rank::step(Order order, std::uint32_t iters) {
  if (order == Order::kSerial) {
    for (auto l = layers_.rbegin(); l != layers_.rend(); ++l) backward(compute_, *l, iters);
    for (auto l = layers_.rbegin(); l != layers_.rend(); ++l) all_reduce(compute_, *l);
    for (auto l = layers_.rbegin(); l != layers_.rend(); ++l) update(compute_, *l);
    ok(compute_.synchronize());
    return;
  }
  for (auto l = layers_.rbegin(); l != layers_.rend(); ++l) {
    backward(compute_, *l, iters);
    ok(compute_.record(l->ready));
    ok(comm_stream_.wait(l->ready));
    all_reduce(comm_stream_, *l);
    update(comm_stream_, *l);
  }
  ok(compute_.synchronize());
  ok(comm_stream_.synchronize());
}

void Rank::backward_alone(std::uint32_t iters) {
  backward(compute_, layers_.front(), iters);
  ok(compute_.synchronize());
}

void Rank::all_reduce_alone() {
  all_reduce(compute_, layers_.front());
  ok(compute_.synchronize());
}

void Rank::snapshot() {
  const std::size_t bytes = elems_ * sizeof(float);
  for (Layer& l : layers_) ok(compute_.memcpy_async(l.saved.get(), bytes, l.w.get(), bytes, CopyKind::kDeviceToDevice));
  ok(compute_.synchronize());
}

void Rank::restore() {
  const std::size_t bytes = elems_ * sizeof(float);
  for (Layer& l : layers_) ok(compute_.memcpy_async(l.w.get(), bytes, l.saved.get(), bytes, CopyKind::kDeviceToDevice));
  ok(compute_.synchronize());
}

std::uint64_t Rank::digest(bool grads) {
  std::vector<std::uint64_t> parts(layers_.size() * (grads ? 2 : 1));
  std::uint64_t* out = parts.data();
  const std::size_t bytes = elems_ * sizeof(float);
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    const float* w = layers_[l].w.get();
    const float* g = grads ? layers_[l].g.get() : nullptr;
    ok(compute_.launch("train_digest", 1, [=](const KernelContext&) {
      out[l * (g != nullptr ? 2 : 1)] = digest_bytes(w, bytes);
      if (g != nullptr) out[l * 2 + 1] = digest_bytes(g, bytes);
    }));
  }
  ok(compute_.synchronize());
  std::uint64_t d = 0;
  for (std::uint64_t p : parts) d = digest_combine(d, p);
  return d;
}

std::vector<std::size_t> Rank::sample_positions() const {
  // Both ends, the middle, both sides of every block boundary (up to 8) and a few hashed
  // positions.
  std::vector<std::size_t> pos = {0, elems_ / 2, elems_ - 1};
  const std::size_t run = block_run();
  for (std::size_t edge = run, k = 0; edge < elems_ && k < 8; edge += run, ++k) {
    pos.push_back(edge - 1);
    pos.push_back(edge);
  }
  for (std::uint64_t k = 1; k <= 4; ++k) pos.push_back(static_cast<std::size_t>(splitmix64(k) % elems_));
  std::sort(pos.begin(), pos.end());
  pos.erase(std::unique(pos.begin(), pos.end()), pos.end());
  return pos;
}

std::vector<float> Rank::sample_params() {
  std::vector<float> out;
  for (const Layer& l : layers_)
    for (std::size_t i : sample_positions()) out.push_back(read_float(l.w.get() + i));
  return out;
}

Sampled Rank::check_samples(std::span<const float> before, std::uint32_t iters) {
  // Per element, with u = 2^-24: each rank's gradient is within demo::affine_chain_tolerance
  // of the float64 chain (times |value| + 1); the float fold of n gradients adds at most
  // (n-1) u sum |g|; the update w - lr g rounds at most twice, u (|w| + |lr g|) each.
  const double u = 0x1p-24;
  const double chain_tol = demo::affine_chain_tolerance(iters);
  const int n = ranks();
  const auto lr = static_cast<double>(lr_);
  const std::vector<std::size_t> positions = sample_positions();
  Sampled s;
  std::size_t k = 0;
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    for (std::size_t i : positions) {
      const float w0 = before[k++];
      double g_ref = 0.0, g_tol = 0.0, g_abs = 0.0;
      for (int r = 0; r < n; ++r) {
        const float x = activation(r, l, i) * w0;  // rounded to float, as the kernel does
        const double ref = demo::affine_chain_reference(x, iters);
        g_ref += ref;
        g_abs += std::fabs(ref);
        g_tol += chain_tol * (std::fabs(ref) + 1.0);
      }
      g_tol += (n - 1) * u * g_abs * 1.01;
      const double g_got = read_float(layers_[l].g.get() + i);
      const double w_ref = static_cast<double>(w0) - lr * g_ref;
      const double w_tol = lr * g_tol + 2.0 * u * (std::fabs(static_cast<double>(w0)) + std::fabs(lr * g_ref)) + 1e-30;
      const double w_got = read_float(layers_[l].w.get() + i);
      s.worst = std::max({s.worst, std::fabs(g_got - g_ref) / g_tol, std::fabs(w_got - w_ref) / w_tol});
      if (!std::isfinite(g_got) || !std::isfinite(w_got)) s.worst = std::numeric_limits<double>::infinity();
      s.checked += 2;
    }
  }
  return s;
}

}  // namespace vnpu::cli::train
