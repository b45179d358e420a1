// The in-process transport: a mailbox per ordered pair of ranks. A send posts its buffer
// and waits until the receiver has copied it out; copies run on the receivers' threads,
// in parallel, outside the lock.
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>

#include "comm/transport.hpp"

namespace vnpu::comm {

namespace {

struct Posted {
  const void* buf;
  std::size_t bytes;
  bool done = false;
  bool mismatch = false;
  std::size_t wanted = 0;  // the receive's size, when it differed
};

struct Group {
  explicit Group(int ranks) : n(ranks), boxes(static_cast<std::size_t>(ranks) * ranks) {}
  const int n;
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::deque<Posted*>> boxes;  // [src * n + dst], guarded by mu
  // agree(): a generation barrier that also compares the signatures.
  std::uint64_t generation = 0;
  int arrived = 0;
  std::uint64_t first = 0;
  bool all_same = true;
  bool verdict = true;  // of the last completed generation
};

class MemoryTransport final : public Transport {
 public:
  MemoryTransport(std::shared_ptr<Group> g, int rank) : g_(std::move(g)), rank_(rank) {}
  int rank() const noexcept override { return rank_; }
  int size() const noexcept override { return g_->n; }
  const char* kind() const noexcept override { return "memory"; }

  Outcome exchange(std::span<const Msg> sends, std::span<const Msg> recvs) override {
    Group& g = *g_;
    std::vector<Posted> posted(sends.size());
    std::unique_lock lock(g.mu);
    for (std::size_t i = 0; i < sends.size(); ++i) {
      posted[i] = Posted{sends[i].buf, sends[i].bytes};
      g.boxes[box(rank_, sends[i].peer)].push_back(&posted[i]);
    }
    if (!sends.empty()) g.cv.notify_all();
    Outcome result;
    for (const Msg& r : recvs) {
      auto& q = g.boxes[box(r.peer, rank_)];
      g.cv.wait(lock, [&] { return !q.empty(); });
      Posted* p = q.front();
      q.pop_front();
      if (p->bytes != r.bytes) {
        p->mismatch = true;
        p->wanted = r.bytes;
        if (result)
          result = failure(Code::kInvalid, "rank %d expected %zu bytes from rank %d, which sent %zu", rank_, r.bytes,
                           r.peer, p->bytes);
      } else {
        lock.unlock();
        if (r.bytes != 0) std::memcpy(r.buf, p->buf, r.bytes);
        lock.lock();
      }
      p->done = true;
      g.cv.notify_all();
    }
    for (std::size_t i = 0; i < posted.size(); ++i) {
      g.cv.wait(lock, [&] { return posted[i].done; });
      if (posted[i].mismatch && result)
        result = failure(Code::kInvalid, "rank %d sent %zu bytes to rank %d, which expected %zu", rank_,
                         posted[i].bytes, sends[i].peer, posted[i].wanted);
    }
    return result;
  }

  Outcome agree(std::uint64_t signature, bool* same) override {
    Group& g = *g_;
    std::unique_lock lock(g.mu);
    const std::uint64_t gen = g.generation;
    if (g.arrived == 0) {
      g.first = signature;
      g.all_same = true;
    } else if (signature != g.first) {
      g.all_same = false;
    }
    if (++g.arrived == g.n) {
      g.arrived = 0;
      g.verdict = g.all_same;
      ++g.generation;
      g.cv.notify_all();
    } else {
      g.cv.wait(lock, [&] { return g.generation != gen; });
    }
    // The verdict stays valid until the next generation completes, which needs this rank.
    *same = g.verdict;
    return {};
  }

 private:
  std::size_t box(int src, int dst) const noexcept { return static_cast<std::size_t>(src) * g_->n + dst; }
  std::shared_ptr<Group> g_;
  const int rank_;
};

}  // namespace

std::vector<std::unique_ptr<Transport>> make_memory_group(int n) {
  auto g = std::make_shared<Group>(n);
  std::vector<std::unique_ptr<Transport>> out;
  out.reserve(static_cast<std::size_t>(n));
  for (int r = 0; r < n; ++r) out.push_back(std::make_unique<MemoryTransport>(g, r));
  return out;
}

}  // namespace vnpu::comm
