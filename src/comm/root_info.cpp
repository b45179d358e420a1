// Root infos and joining: the blob's layout, the in-process rendezvous of thread ranks,
// and the hand-over to MPI for process ranks.
#include "comm/root_info.hpp"

#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <random>

#include "comm/mpi_transport.hpp"

namespace vnpu::comm {

namespace {

enum : std::uint32_t { kThreads = 0, kProcesses = 1 };

struct Blob {
  char magic[8];
  std::uint32_t version;
  std::uint32_t mode;  // kThreads or kProcesses
  std::int32_t root_world_rank;
  std::int32_t world_size;
  std::int64_t pid;
  std::uint64_t id;
  char host[64];
};
constexpr char kMagic[8] = {'v', 'n', 'p', 'u', 'H', 'C', 'C', 'L'};
static_assert(sizeof(Blob) <= kRootInfoBytes);

// Threads of one process joining one root info.
struct Rendezvous {
  std::uint32_t nranks = 0;
  std::vector<std::unique_ptr<Transport>> transports;
  std::uint32_t joined = 0;
  bool failed = false;
};

std::mutex g_mu;
std::condition_variable g_cv;
std::map<std::uint64_t, std::shared_ptr<Rendezvous>> g_open;  // guarded by g_mu

Outcome join_threads(const Blob& b, std::uint32_t nranks, std::uint32_t rank, std::unique_ptr<Transport>* out) {
  if (b.pid != static_cast<std::int64_t>(getpid()))
    return failure(Code::kInvalid,
                   "the root info was made in another process that was not started by mpirun: ranks in different "
                   "processes must be processes of one mpirun job (HcclGetRootInfo under mpirun)");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                                               std::chrono::duration<double>(connect_timeout_s()));
  std::unique_lock lock(g_mu);
  std::shared_ptr<Rendezvous>& slot = g_open[b.id];
  if (slot == nullptr) {
    slot = std::make_shared<Rendezvous>();
    slot->nranks = nranks;
    slot->transports = make_memory_group(static_cast<int>(nranks));
  }
  std::shared_ptr<Rendezvous> r = slot;
  auto fail_all = [&] {
    r->failed = true;
    if (g_open.count(b.id) != 0 && g_open[b.id] == r) g_open.erase(b.id);
    g_cv.notify_all();
  };
  if (r->nranks != nranks) {
    fail_all();
    g_cv.notify_all();
    return failure(Code::kInvalid, "the ranks joining one root info passed different nRanks (%u and %u)", r->nranks,
                   nranks);
  }
  if (r->transports[rank] == nullptr) {
    fail_all();
    return failure(Code::kInvalid, "rank %u of the root info was joined twice", rank);
  }
  *out = std::move(r->transports[rank]);
  if (++r->joined == nranks) {
    g_open.erase(b.id);
    g_cv.notify_all();
    return {};
  }
  if (!g_cv.wait_until(lock, deadline, [&] { return r->joined == nranks || r->failed; })) {
    fail_all();
    out->reset();
    return failure(Code::kTimeout, "rank %u waited %.0f s for the other ranks; %u of %u joined (HCCL_CONNECT_TIMEOUT)",
                   rank, connect_timeout_s(), r->joined, nranks);
  }
  if (r->failed) {
    out->reset();
    return failure(Code::kInvalid, "another rank of the root info failed to join (different nRanks or a rank joined twice)");
  }
  return {};
}

}  // namespace

double connect_timeout_s() {
  const char* v = std::getenv("HCCL_CONNECT_TIMEOUT");
  if (v != nullptr) {
    char* end = nullptr;
    const double s = std::strtod(v, &end);
    if (end != v && s > 0) return s;
  }
  return 120.0;
}

Outcome make_root_info(void* blob) {
  Blob b{};
  std::memcpy(b.magic, kMagic, sizeof kMagic);
  b.version = 2;
  b.pid = getpid();
  std::random_device rd;
  b.id = (static_cast<std::uint64_t>(rd()) << 32) ^ rd() ^
         static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
  gethostname(b.host, sizeof b.host - 1);
  if (mpi_present()) {
    if (Outcome o = mpi_world(&b.root_world_rank, &b.world_size); !o) return o;
    b.mode = b.world_size > 1 ? kProcesses : kThreads;
  } else {
    b.mode = kThreads;
    b.world_size = 1;
  }
  std::memset(blob, 0, kRootInfoBytes);
  std::memcpy(blob, &b, sizeof b);
  return {};
}

Outcome join(std::uint32_t nranks, const void* blob, std::uint32_t rank, std::unique_ptr<Transport>* out) {
  Blob b;
  std::memcpy(&b, blob, sizeof b);
  if (std::memcmp(b.magic, kMagic, sizeof kMagic) != 0 || b.version != 2 || b.mode > kProcesses)
    return failure(Code::kInvalid, "the root info was not written by HcclGetRootInfo (or is damaged)");
  if (nranks == 0 || rank >= nranks)
    return failure(Code::kInvalid, "rank %u outside 0..%u", rank, nranks == 0 ? 0 : nranks - 1);
  if (nranks > 65536) return failure(Code::kInvalid, "%u ranks: at most 65536", nranks);
  if (b.mode == kThreads) return join_threads(b, nranks, rank, out);
  int me = 0, world = 0;
  if (Outcome o = mpi_world(&me, &world); !o) return o;
  if (world != b.world_size || b.root_world_rank >= world)
    return failure(Code::kInvalid,
                   "the root info comes from another MPI job (its job had %d processes, this one has %d): the ranks "
                   "of a communicator must be started by one mpirun",
                   b.world_size, world);
  if (nranks > static_cast<std::uint32_t>(world))
    return failure(Code::kInvalid, "%u ranks asked for, but the MPI job has only %d processes (one rank each)", nranks,
                   world);
  return mpi_join(nranks, b.root_world_rank, b.id, rank, connect_timeout_s(), out);
}

}  // namespace vnpu::comm
