// The collectives over Transport::exchange. Every reduction is a reduce-scatter by owner:
// the element range is cut into one piece per rank, rank j receives piece j of every rank
// and folds them in rank order (fold.hpp) — so an element's bits never depend on the
// message size, the segment it falls in or the transport — and an all-reduce then gathers
// the reduced pieces. Each rank sends and receives 2(n-1)/n of the data per phase, as a
// ring does, in pieces of at most kPieceBytes (the scratch space a rank needs).
#include "comm/collective.hpp"

#include <algorithm>
#include <cstring>
#include <limits>

#include "comm/fold.hpp"

namespace vnpu::comm {

namespace {

constexpr std::size_t kPieceBytes = std::size_t{4} << 20;

// First element of piece j when m elements are cut into n pieces.
std::uint64_t piece_start(std::uint64_t m, int n, int j) noexcept {
  return m / static_cast<std::uint64_t>(n) * static_cast<std::uint64_t>(j) +
         std::min<std::uint64_t>(m % static_cast<std::uint64_t>(n), static_cast<std::uint64_t>(j));
}

bool is_reduction(Kind k) noexcept {
  return k == Kind::kAllReduce || k == Kind::kReduce || k == Kind::kReduceScatter;
}

char* at(const void* base, std::uint64_t elems, std::size_t es) noexcept {
  return static_cast<char*>(const_cast<void*>(base)) + elems * es;
}

std::uint64_t mix(std::uint64_t h, std::uint64_t v) noexcept {
  h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  return h * 0xff51afd7ed558ccdULL;
}

}  // namespace

const char* kind_name(Kind k) noexcept {
  switch (k) {
    case Kind::kAllReduce: return "AllReduce";
    case Kind::kBroadcast: return "Broadcast";
    case Kind::kReduce: return "Reduce";
    case Kind::kAllGather: return "AllGather";
    case Kind::kReduceScatter: return "ReduceScatter";
    case Kind::kScatter: return "Scatter";
    case Kind::kAllToAll: return "AlltoAll";
    case Kind::kAllToAllV: return "AlltoAllV";
    case Kind::kSend: return "Send";
    case Kind::kRecv: return "Recv";
    case Kind::kBatch: return "BatchSendRecv";
    case Kind::kBarrier: return "Barrier";
  }
  return "?";
}

CommCore::CommCore(std::unique_ptr<Transport> transport, std::string name)
    : transport_(std::move(transport)), name_(std::move(name)), rank_(transport_->rank()), size_(transport_->size()) {}

Outcome CommCore::first_failure() const {
  std::lock_guard lock(failure_mu_);
  return failure_;
}

unsigned char* CommCore::scratch(std::size_t bytes) {
  if (scratch_.size() < bytes) scratch_.resize(bytes);
  return scratch_.data();
}

Outcome CommCore::check(const Request& r) const {
  const char* what = kind_name(r.kind);
  auto need_type = [&](Type t) -> Outcome {
    if (!valid(t)) return failure(Code::kInvalid, "%s: unknown element type %d", what, static_cast<int>(t));
    return {};
  };
  auto need_buffer = [&](const void* p, std::uint64_t count, const char* name) -> Outcome {
    if (p == nullptr && count != 0) return failure(Code::kNullPointer, "%s: %s is null", what, name);
    return {};
  };
  auto need_fit = [&](std::uint64_t count, std::uint64_t times, Type t) -> Outcome {
    const std::uint64_t limit = std::numeric_limits<std::uint64_t>::max() / 8 / std::max<std::uint64_t>(times, 1);
    if (count > limit / type_size(t))
      return failure(Code::kInvalid, "%s: %llu elements of %s are more than memory can hold", what,
                     static_cast<unsigned long long>(count), type_name(t));
    return {};
  };
  auto need_rank = [&](std::uint32_t q, const char* name) -> Outcome {
    if (q >= static_cast<std::uint32_t>(size_))
      return failure(Code::kInvalid, "%s: %s %u outside 0..%d of communicator %s", what, name, q, size_ - 1,
                     name_.c_str());
    return {};
  };
#define VNPU_COMM_TRY(e)        \
  do {                          \
    if (Outcome o_ = (e); !o_) \
      return o_;                \
  } while (0)
  if (r.kind != Kind::kBarrier && r.kind != Kind::kBatch && r.kind != Kind::kAllToAllV) {
    VNPU_COMM_TRY(need_type(r.type));
  }
  if (is_reduction(r.kind) && !valid(r.op))
    return failure(Code::kInvalid, "%s: unknown reduction operator %d", what, static_cast<int>(r.op));
  const auto n = static_cast<std::uint64_t>(size_);
  switch (r.kind) {
    case Kind::kAllReduce:
      VNPU_COMM_TRY(need_fit(r.count, 1, r.type));
      VNPU_COMM_TRY(need_buffer(r.send, r.count, "sendBuf"));
      VNPU_COMM_TRY(need_buffer(r.recv, r.count, "recvBuf"));
      if (r.send != r.recv && r.count != 0) {
        const std::size_t bytes = r.count * type_size(r.type);
        const auto s = reinterpret_cast<std::uintptr_t>(r.send), d = reinterpret_cast<std::uintptr_t>(r.recv);
        if (s < d + bytes && d < s + bytes)
          return failure(Code::kInvalid, "%s: sendBuf and recvBuf overlap without being equal", what);
      }
      return {};
    case Kind::kReduce:
      VNPU_COMM_TRY(need_rank(r.root, "root"));
      VNPU_COMM_TRY(need_fit(r.count, 1, r.type));
      VNPU_COMM_TRY(need_buffer(r.send, r.count, "sendBuf"));
      if (r.root == static_cast<std::uint32_t>(rank_)) VNPU_COMM_TRY(need_buffer(r.recv, r.count, "recvBuf (on the root)"));
      return {};
    case Kind::kBroadcast:
      VNPU_COMM_TRY(need_rank(r.root, "root"));
      VNPU_COMM_TRY(need_fit(r.count, 1, r.type));
      return need_buffer(r.recv, r.count, "buf");
    case Kind::kAllGather:
      VNPU_COMM_TRY(need_fit(r.count, n, r.type));
      VNPU_COMM_TRY(need_buffer(r.send, r.count, "sendBuf"));
      return need_buffer(r.recv, r.count, "recvBuf");
    case Kind::kReduceScatter:
      VNPU_COMM_TRY(need_fit(r.count, n, r.type));
      VNPU_COMM_TRY(need_buffer(r.send, r.count, "sendBuf"));
      return need_buffer(r.recv, r.count, "recvBuf");
    case Kind::kScatter:
      VNPU_COMM_TRY(need_rank(r.root, "root"));
      VNPU_COMM_TRY(need_fit(r.count, n, r.type));
      if (r.root == static_cast<std::uint32_t>(rank_)) VNPU_COMM_TRY(need_buffer(r.send, r.count, "sendBuf (on the root)"));
      return need_buffer(r.recv, r.count, "recvBuf");
    case Kind::kAllToAll:
      VNPU_COMM_TRY(need_type(r.recv_type));
      VNPU_COMM_TRY(need_fit(r.count, n, r.type));
      VNPU_COMM_TRY(need_fit(r.recv_count, n, r.recv_type));
      if (r.count * type_size(r.type) != r.recv_count * type_size(r.recv_type))
        return failure(Code::kInvalid, "%s: sends %llu x %s but receives %llu x %s per rank: the bytes differ", what,
                       static_cast<unsigned long long>(r.count), type_name(r.type),
                       static_cast<unsigned long long>(r.recv_count), type_name(r.recv_type));
      VNPU_COMM_TRY(need_buffer(r.send, r.count, "sendBuf"));
      return need_buffer(r.recv, r.recv_count, "recvBuf");
    case Kind::kAllToAllV: {
      VNPU_COMM_TRY(need_type(r.type));
      VNPU_COMM_TRY(need_type(r.recv_type));
      if (r.send_counts.size() != n || r.send_displs.size() != n || r.recv_counts.size() != n ||
          r.recv_displs.size() != n)
        return failure(Code::kNullPointer, "%s: the count and displacement arrays must have %d entries", what, size_);
      for (std::uint64_t j = 0; j < n; ++j) {
        VNPU_COMM_TRY(need_fit(r.send_counts[j] + r.send_displs[j], 1, r.type));
        VNPU_COMM_TRY(need_fit(r.recv_counts[j] + r.recv_displs[j], 1, r.recv_type));
        VNPU_COMM_TRY(need_buffer(r.send, r.send_counts[j], "sendBuf"));
        VNPU_COMM_TRY(need_buffer(r.recv, r.recv_counts[j], "recvBuf"));
      }
      const std::uint64_t self_send = r.send_counts[rank_] * type_size(r.type);
      const std::uint64_t self_recv = r.recv_counts[rank_] * type_size(r.recv_type);
      if (self_send != self_recv)
        return failure(Code::kInvalid, "%s: rank %d sends itself %llu bytes but expects %llu", what, rank_,
                       static_cast<unsigned long long>(self_send), static_cast<unsigned long long>(self_recv));
      return {};
    }
    case Kind::kSend:
    case Kind::kRecv:
      VNPU_COMM_TRY(need_rank(r.root, r.kind == Kind::kSend ? "destRank" : "srcRank"));
      if (r.root == static_cast<std::uint32_t>(rank_))
        return failure(Code::kInvalid, "%s: rank %d cannot %s itself", what, rank_,
                       r.kind == Kind::kSend ? "send to" : "receive from");
      VNPU_COMM_TRY(need_fit(r.count, 1, r.type));
      return need_buffer(r.kind == Kind::kSend ? r.send : r.recv, r.count, r.kind == Kind::kSend ? "sendBuf" : "recvBuf");
    case Kind::kBatch:
      for (const BatchItem& it : r.items) {
        VNPU_COMM_TRY(need_type(it.type));
        VNPU_COMM_TRY(need_rank(it.peer, "remoteRank"));
        if (it.peer == static_cast<std::uint32_t>(rank_))
          return failure(Code::kInvalid, "%s: rank %d cannot exchange with itself", what, rank_);
        VNPU_COMM_TRY(need_fit(it.count, 1, it.type));
        VNPU_COMM_TRY(need_buffer(it.buf, it.count, "an item's buf"));
      }
      return {};
    case Kind::kBarrier:
      return {};
  }
#undef VNPU_COMM_TRY
  return failure(Code::kInvalid, "unknown collective %d", static_cast<int>(r.kind));
}

std::uint64_t CommCore::bytes_moved(const Request& r) const noexcept {
  const auto n = static_cast<std::uint64_t>(size_);
  const std::uint64_t es = valid(r.type) ? type_size(r.type) : 0;
  const std::uint64_t bytes = r.count * es;
  switch (r.kind) {
    case Kind::kAllReduce: return 4 * bytes * (n - 1) / n;
    case Kind::kReduceScatter: return 2 * bytes * (n - 1);
    case Kind::kAllGather: return 2 * bytes * (n - 1);
    case Kind::kReduce:
    case Kind::kBroadcast: return r.root == static_cast<std::uint32_t>(rank_) ? bytes * (n - 1) : bytes;
    case Kind::kScatter: return r.root == static_cast<std::uint32_t>(rank_) ? bytes * n : bytes;
    case Kind::kAllToAll: return 2 * bytes * (n - 1);
    case Kind::kAllToAllV: {
      std::uint64_t total = 0;
      for (std::uint64_t j = 0; j < n && j < r.send_counts.size(); ++j)
        if (j != static_cast<std::uint64_t>(rank_))
          total += r.send_counts[j] * es + r.recv_counts[j] * (valid(r.recv_type) ? type_size(r.recv_type) : 0);
      return total;
    }
    case Kind::kSend:
    case Kind::kRecv: return bytes;
    case Kind::kBatch: {
      std::uint64_t total = 0;
      for (const BatchItem& it : r.items) total += it.count * (valid(it.type) ? type_size(it.type) : 0);
      return total;
    }
    case Kind::kBarrier: return 0;
  }
  return 0;
}

std::vector<Touch> CommCore::touched(const Request& r) const {
  std::vector<Touch> t;
  const std::size_t es = type_size(r.type);
  const auto n = static_cast<std::size_t>(size_);
  const bool root = r.root == static_cast<std::uint32_t>(rank_);
  auto add = [&](const void* p, std::size_t bytes, bool write) {
    if (p != nullptr && bytes != 0) t.push_back(Touch{p, bytes, write});
  };
  switch (r.kind) {
    case Kind::kAllReduce:
      add(r.send, r.count * es, false);
      add(r.recv, r.count * es, true);
      break;
    case Kind::kReduce:
      add(r.send, r.count * es, false);
      if (root) add(r.recv, r.count * es, true);
      break;
    case Kind::kBroadcast: add(r.recv, r.count * es, !root); break;
    case Kind::kAllGather:
      add(r.send, r.count * es, false);
      add(r.recv, r.count * es * n, true);
      break;
    case Kind::kReduceScatter:
      add(r.send, r.count * es * n, false);
      add(r.recv, r.count * es, true);
      break;
    case Kind::kScatter:
      if (root) add(r.send, r.count * es * n, false);
      add(r.recv, r.count * es, true);
      break;
    case Kind::kAllToAll:
      add(r.send, r.count * es * n, false);
      add(r.recv, r.recv_count * type_size(r.recv_type) * n, true);
      break;
    case Kind::kAllToAllV:
      for (std::size_t j = 0; j < n; ++j) {
        add(at(r.send, r.send_displs[j], es), r.send_counts[j] * es, false);
        add(at(r.recv, r.recv_displs[j], type_size(r.recv_type)), r.recv_counts[j] * type_size(r.recv_type), true);
      }
      break;
    case Kind::kSend: add(r.send, r.count * es, false); break;
    case Kind::kRecv: add(r.recv, r.count * es, true); break;
    case Kind::kBatch:
      for (const BatchItem& it : r.items) add(it.buf, it.count * type_size(it.type), !it.send);
      break;
    case Kind::kBarrier: break;
  }
  return t;
}

Outcome CommCore::agree(const Request& r) {
  std::uint64_t sig = mix(0x76e7u, static_cast<std::uint64_t>(r.kind));
  switch (r.kind) {
    case Kind::kAllReduce:
    case Kind::kReduceScatter:
    case Kind::kReduce:
    case Kind::kAllGather:
    case Kind::kBroadcast:
    case Kind::kScatter:
    case Kind::kAllToAll:
      sig = mix(mix(mix(mix(sig, static_cast<std::uint64_t>(r.type)), r.count), r.root), r.recv_count);
      if (is_reduction(r.kind)) sig = mix(sig, static_cast<std::uint64_t>(r.op));
      if (r.kind == Kind::kAllToAll) sig = mix(sig, static_cast<std::uint64_t>(r.recv_type));
      break;
    default:
      break;
  }
  bool same = false;
  if (Outcome o = transport_->agree(sig, &same); !o) return o;
  if (!same)
    return failure(Code::kInvalid,
                   "%s on communicator %s (rank %d, %llu x %s, root %u): the ranks disagree on the operation, element "
                   "type, operator, root or count",
                   kind_name(r.kind), name_.c_str(), rank_, static_cast<unsigned long long>(r.count),
                   type_name(r.type), r.root);
  return {};
}

Outcome CommCore::run(const Request& r) {
  Outcome o;
  if (r.kind != Kind::kSend && r.kind != Kind::kRecv && r.kind != Kind::kBatch) o = agree(r);
  if (o) {
    switch (r.kind) {
      case Kind::kAllReduce: o = all_reduce(r); break;
      case Kind::kReduceScatter: o = reduce_scatter(r); break;
      case Kind::kReduce: o = reduce(r); break;
      case Kind::kAllGather: o = all_gather(r); break;
      case Kind::kBroadcast:
      case Kind::kScatter: o = from_root(r); break;
      case Kind::kAllToAll:
      case Kind::kAllToAllV: o = all_to_all(r); break;
      case Kind::kSend:
      case Kind::kRecv:
      case Kind::kBatch: o = batch(r); break;
      case Kind::kBarrier: break;  // agree() was the barrier
    }
  }
  if (!o) {
    std::lock_guard lock(failure_mu_);
    if (failure_) failure_ = o;
  }
  return o;
}

Outcome CommCore::all_reduce(const Request& r) {
  const std::size_t es = type_size(r.type);
  const int n = size_;
  if (n == 1) {
    if (r.send != r.recv && r.count != 0) std::memmove(r.recv, r.send, r.count * es);
    return {};
  }
  const std::uint64_t piece = std::max<std::uint64_t>(1, kPieceBytes / es);
  const std::uint64_t seg = piece * static_cast<std::uint64_t>(n);
  unsigned char* tmp = scratch(static_cast<std::size_t>(piece) * es * static_cast<std::size_t>(n));
  std::vector<const void*> parts(static_cast<std::size_t>(n));
  for (std::uint64_t off = 0; off < r.count; off += seg) {
    const std::uint64_t m = std::min(seg, r.count - off);
    auto start = [&](int j) { return off + piece_start(m, n, j); };
    const std::uint64_t mine = start(rank_ + 1) - start(rank_);
    // Phase 1: piece j of this segment to rank j; every rank's piece `rank_` to scratch.
    sends_.clear();
    recvs_.clear();
    for (int j = 0; j < n; ++j) {
      if (j == rank_) continue;
      sends_.push_back(Msg{at(r.send, start(j), es), (start(j + 1) - start(j)) * es, j});
      recvs_.push_back(Msg{tmp + static_cast<std::size_t>(j) * piece * es, mine * es, j});
    }
    if (Outcome o = transport_->exchange(sends_, recvs_); !o) return o;
    for (int j = 0; j < n; ++j)
      parts[j] = j == rank_ ? static_cast<const void*>(at(r.send, start(j), es))
                            : static_cast<const void*>(tmp + static_cast<std::size_t>(j) * piece * es);
    fold(r.type, r.op, at(r.recv, start(rank_), es), parts.data(), n, mine);
    // Phase 2: the reduced piece to every rank.
    sends_.clear();
    recvs_.clear();
    for (int j = 0; j < n; ++j) {
      if (j == rank_) continue;
      sends_.push_back(Msg{at(r.recv, start(rank_), es), mine * es, j});
      recvs_.push_back(Msg{at(r.recv, start(j), es), (start(j + 1) - start(j)) * es, j});
    }
    if (Outcome o = transport_->exchange(sends_, recvs_); !o) return o;
  }
  return {};
}

Outcome CommCore::reduce_scatter(const Request& r) {
  const std::size_t es = type_size(r.type);
  const int n = size_;
  const std::uint64_t seg = std::max<std::uint64_t>(1, kPieceBytes / es);
  unsigned char* tmp = scratch(static_cast<std::size_t>(seg) * es * static_cast<std::size_t>(n));
  std::vector<const void*> parts(static_cast<std::size_t>(n));
  for (std::uint64_t off = 0; off < r.count; off += seg) {
    const std::uint64_t m = std::min(seg, r.count - off);
    sends_.clear();
    recvs_.clear();
    for (int j = 0; j < n; ++j) {
      if (j == rank_) continue;
      sends_.push_back(Msg{at(r.send, static_cast<std::uint64_t>(j) * r.count + off, es), m * es, j});
      recvs_.push_back(Msg{tmp + static_cast<std::size_t>(j) * seg * es, m * es, j});
    }
    if (Outcome o = transport_->exchange(sends_, recvs_); !o) return o;
    for (int j = 0; j < n; ++j)
      parts[j] = j == rank_ ? static_cast<const void*>(at(r.send, static_cast<std::uint64_t>(j) * r.count + off, es))
                            : static_cast<const void*>(tmp + static_cast<std::size_t>(j) * seg * es);
    fold(r.type, r.op, at(r.recv, off, es), parts.data(), n, m);
  }
  return {};
}

Outcome CommCore::reduce(const Request& r) {
  const std::size_t es = type_size(r.type);
  const int n = size_;
  const int root = static_cast<int>(r.root);
  const std::uint64_t seg = std::max<std::uint64_t>(1, kPieceBytes / es);
  unsigned char* tmp = rank_ == root ? scratch(static_cast<std::size_t>(seg) * es * static_cast<std::size_t>(n)) : nullptr;
  std::vector<const void*> parts(static_cast<std::size_t>(n));
  for (std::uint64_t off = 0; off < r.count; off += seg) {
    const std::uint64_t m = std::min(seg, r.count - off);
    sends_.clear();
    recvs_.clear();
    if (rank_ != root) {
      sends_.push_back(Msg{at(r.send, off, es), m * es, root});
    } else {
      for (int j = 0; j < n; ++j)
        if (j != root) recvs_.push_back(Msg{tmp + static_cast<std::size_t>(j) * seg * es, m * es, j});
    }
    if (Outcome o = transport_->exchange(sends_, recvs_); !o) return o;
    if (rank_ == root) {
      for (int j = 0; j < n; ++j)
        parts[j] = j == root ? static_cast<const void*>(at(r.send, off, es))
                             : static_cast<const void*>(tmp + static_cast<std::size_t>(j) * seg * es);
      fold(r.type, r.op, at(r.recv, off, es), parts.data(), n, m);
    }
  }
  return {};
}

Outcome CommCore::all_gather(const Request& r) {
  const std::size_t bytes = r.count * type_size(r.type);
  sends_.clear();
  recvs_.clear();
  for (int j = 0; j < size_; ++j) {
    if (j == rank_) continue;
    sends_.push_back(Msg{const_cast<void*>(r.send), bytes, j});
    recvs_.push_back(Msg{static_cast<char*>(r.recv) + static_cast<std::size_t>(j) * bytes, bytes, j});
  }
  char* self = static_cast<char*>(r.recv) + static_cast<std::size_t>(rank_) * bytes;
  if (self != r.send && bytes != 0) std::memmove(self, r.send, bytes);
  return transport_->exchange(sends_, recvs_);
}

// Broadcast (every rank gets the root's buffer) and scatter (rank j gets block j of it):
// the root sends, the others receive.
Outcome CommCore::from_root(const Request& r) {
  const std::size_t bytes = r.count * type_size(r.type);
  const int root = static_cast<int>(r.root);
  const bool scatter = r.kind == Kind::kScatter;
  auto block = [&](int j) -> char* {
    return scatter ? static_cast<char*>(const_cast<void*>(r.send)) + static_cast<std::size_t>(j) * bytes
                   : static_cast<char*>(r.recv);
  };
  sends_.clear();
  recvs_.clear();
  if (rank_ == root) {
    for (int j = 0; j < size_; ++j)
      if (j != root) sends_.push_back(Msg{block(j), bytes, j});
    if (block(root) != r.recv && bytes != 0) std::memmove(r.recv, block(root), bytes);
  } else {
    recvs_.push_back(Msg{r.recv, bytes, root});
  }
  return transport_->exchange(sends_, recvs_);
}

Outcome CommCore::all_to_all(const Request& r) {
  const std::size_t ses = type_size(r.type), res = type_size(r.recv_type);
  const auto n = static_cast<std::size_t>(size_);
  auto scount = [&](std::size_t j) { return r.kind == Kind::kAllToAll ? r.count : r.send_counts[j]; };
  auto sdispl = [&](std::size_t j) { return r.kind == Kind::kAllToAll ? r.count * j : r.send_displs[j]; };
  auto rcount = [&](std::size_t j) { return r.kind == Kind::kAllToAll ? r.recv_count : r.recv_counts[j]; };
  auto rdispl = [&](std::size_t j) { return r.kind == Kind::kAllToAll ? r.recv_count * j : r.recv_displs[j]; };
  sends_.clear();
  recvs_.clear();
  for (std::size_t j = 0; j < n; ++j) {
    if (j == static_cast<std::size_t>(rank_)) continue;
    sends_.push_back(Msg{at(r.send, sdispl(j), ses), scount(j) * ses, static_cast<int>(j)});
    recvs_.push_back(Msg{at(r.recv, rdispl(j), res), rcount(j) * res, static_cast<int>(j)});
  }
  const auto me = static_cast<std::size_t>(rank_);
  char* self_dst = at(r.recv, rdispl(me), res);
  const char* self_src = at(r.send, sdispl(me), ses);
  if (self_dst != self_src && scount(me) != 0) std::memmove(self_dst, self_src, scount(me) * ses);
  if (r.kind == Kind::kAllToAll) return transport_->exchange(sends_, recvs_);  // sizes agreed
  // Per-peer counts are not agreed beforehand: a wrong count is found as the data arrives,
  // and then every rank fails, not only the one that received it.
  Outcome o = sized_exchange();
  if (o.code != Code::kOk && o.code != Code::kInvalid) return o;
  bool same = false;
  if (Outcome a = transport_->agree(o ? 0 : 1, &same); !a) return a;
  if (!o) return o;
  if (!same)
    return failure(Code::kInvalid, "AlltoAllV on communicator %s: another rank received a block whose size differs "
                   "from its recvCounts", name_.c_str());
  return {};
}

Outcome CommCore::sized_exchange() {
  head_out_.resize(sends_.size());
  head_in_.resize(recvs_.size());
  std::vector<Msg> hs, hr;
  for (std::size_t i = 0; i < sends_.size(); ++i) {
    head_out_[i] = sends_[i].bytes;
    hs.push_back(Msg{&head_out_[i], sizeof(std::uint64_t), sends_[i].peer});
  }
  for (std::size_t i = 0; i < recvs_.size(); ++i) hr.push_back(Msg{&head_in_[i], sizeof(std::uint64_t), recvs_[i].peer});
  if (Outcome o = transport_->exchange(hs, hr); !o) return o;
  Outcome wrong;
  std::size_t drain = 0;
  for (std::size_t i = 0; i < recvs_.size(); ++i)
    if (head_in_[i] != recvs_[i].bytes) drain += head_in_[i];
  if (drain_.size() < drain) drain_.resize(drain);
  drain = 0;
  for (std::size_t i = 0; i < recvs_.size(); ++i) {
    if (head_in_[i] == recvs_[i].bytes) continue;
    if (wrong)
      wrong = failure(Code::kInvalid, "rank %d expected %zu bytes from rank %d, which sent %llu", rank_,
                      recvs_[i].bytes, recvs_[i].peer, static_cast<unsigned long long>(head_in_[i]));
    recvs_[i].buf = drain_.data() + drain;
    recvs_[i].bytes = static_cast<std::size_t>(head_in_[i]);
    drain += recvs_[i].bytes;
  }
  if (Outcome o = transport_->exchange(sends_, recvs_); !o) return o;
  return wrong;
}

Outcome CommCore::batch(const Request& r) {
  sends_.clear();
  recvs_.clear();
  if (r.kind == Kind::kSend) {
    sends_.push_back(Msg{const_cast<void*>(r.send), r.count * type_size(r.type), static_cast<int>(r.root)});
  } else if (r.kind == Kind::kRecv) {
    recvs_.push_back(Msg{r.recv, r.count * type_size(r.type), static_cast<int>(r.root)});
  } else {
    for (const BatchItem& it : r.items)
      (it.send ? sends_ : recvs_).push_back(Msg{it.buf, it.count * type_size(it.type), static_cast<int>(it.peer)});
  }
  return sized_exchange();
}

}  // namespace vnpu::comm
