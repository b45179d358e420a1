// MpiTransport: point-to-point messages of bytes on a communicator of its own, with
// MPI_ERRORS_RETURN so that a failure is a result, never an abort.
#include "comm/mpi_transport.hpp"

#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <random>
#include <thread>
#include <unistd.h>

namespace vnpu::comm {

namespace {

constexpr int kDataTag = 0x7e11;
// Large messages go as pieces of at most this size (MPI counts are ints).
constexpr std::size_t kMaxPiece = std::size_t{1} << 30;

std::string mpi_error(int rc) {
  char text[MPI_MAX_ERROR_STRING];
  int len = 0;
  if (MPI_Error_string(rc, text, &len) != MPI_SUCCESS) return "MPI error " + std::to_string(rc);
  return std::string(text, static_cast<std::size_t>(len));
}

void finalize_at_exit() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized) MPI_Finalize();
}

Outcome ensure_mpi() {
  static std::mutex mu;
  std::lock_guard lock(mu);
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (finalized) return failure(Code::kUnavailable, "MPI was already finalized; communicators need it running");
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (initialized) return {};
  int provided = 0;
  const int rc = MPI_Init_thread(nullptr, nullptr, MPI_THREAD_MULTIPLE, &provided);
  if (rc != MPI_SUCCESS) return failure(Code::kUnavailable, "MPI_Init_thread failed: %s", mpi_error(rc).c_str());
  std::atexit(finalize_at_exit);
  return {};
}

// Bootstrap messages of one communicator use a tag of their own, drawn from the id over
// the whole tag range MPI offers (MPI_TAG_UB, at least 32767; 2^31 - 1 in Open MPI), so
// that communicators formed at once practically never share one; a hello that still
// carries another id is ignored.
int boot_tag(std::uint64_t id) {
  void* attr = nullptr;
  int flag = 0;
  MPI_Comm_get_attr(MPI_COMM_WORLD, MPI_TAG_UB, &attr, &flag);
  const long ub = flag != 0 ? *static_cast<int*>(attr) : 32767;
  const long base = kDataTag + 1;
  return static_cast<int>(base + static_cast<long>(id % static_cast<std::uint64_t>(ub - base)));
}

class MpiTransport final : public Transport {
 public:
  MpiTransport(MPI_Comm comm, int rank, int size) : comm_(comm), rank_(rank), size_(size) {}
  ~MpiTransport() override {
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (!finalized) MPI_Comm_free(&comm_);
  }
  int rank() const noexcept override { return rank_; }
  int size() const noexcept override { return size_; }
  const char* kind() const noexcept override { return "mpi"; }

  Outcome exchange(std::span<const Msg> sends, std::span<const Msg> recvs) override {
    reqs_.clear();
    expected_.clear();
    post(recvs, true);
    post(sends, false);
    statuses_.resize(reqs_.size());
    const int rc = MPI_Waitall(static_cast<int>(reqs_.size()), reqs_.data(), statuses_.data());
    std::size_t nrecv = expected_.size();
    for (std::size_t i = 0; i < reqs_.size(); ++i) {
      const int err = rc == MPI_ERR_IN_STATUS ? statuses_[i].MPI_ERROR : rc;
      if (err != MPI_SUCCESS && err != MPI_ERR_PENDING) {
        if (err == MPI_ERR_TRUNCATE)
          return failure(Code::kInvalid, "rank %d received more bytes than it expected from rank %d", rank_,
                         i < nrecv ? statuses_[i].MPI_SOURCE : -1);
        return failure(Code::kNetwork, "rank %d: MPI transfer failed: %s", rank_, mpi_error(err).c_str());
      }
      if (i < nrecv) {
        int got = 0;
        MPI_Get_count(&statuses_[i], MPI_BYTE, &got);
        if (static_cast<std::size_t>(got) != expected_[i])
          return failure(Code::kInvalid, "rank %d expected %zu bytes from rank %d, which sent %d", rank_,
                         expected_[i], statuses_[i].MPI_SOURCE, got);
      }
    }
    return {};
  }

  Outcome agree(std::uint64_t signature, bool* same) override {
    std::uint64_t in[2] = {signature, ~signature};
    std::uint64_t out[2] = {0, 0};
    const int rc = MPI_Allreduce(in, out, 2, MPI_UINT64_T, MPI_MAX, comm_);
    if (rc != MPI_SUCCESS) return failure(Code::kNetwork, "rank %d: MPI_Allreduce failed: %s", rank_, mpi_error(rc).c_str());
    *same = out[1] == ~out[0];
    return {};
  }

 private:
  void post(std::span<const Msg> msgs, bool receive) {
    for (const Msg& m : msgs) {
      std::size_t off = 0;
      do {
        const std::size_t len = std::min(kMaxPiece, m.bytes - off);
        MPI_Request req;
        char* p = static_cast<char*>(m.buf) + off;
        if (receive) {
          MPI_Irecv(p, static_cast<int>(len), MPI_BYTE, m.peer, kDataTag, comm_, &req);
          expected_.push_back(len);
        } else {
          MPI_Isend(p, static_cast<int>(len), MPI_BYTE, m.peer, kDataTag, comm_, &req);
        }
        reqs_.push_back(req);
        off += len;
      } while (off < m.bytes);
    }
  }

  MPI_Comm comm_;
  const int rank_;
  const int size_;
  std::vector<MPI_Request> reqs_;
  std::vector<MPI_Status> statuses_;
  std::vector<std::size_t> expected_;
};

Outcome make_transport(MPI_Comm comm, std::uint32_t rank, std::unique_ptr<Transport>* out) {
  MPI_Comm_set_errhandler(comm, MPI_ERRORS_RETURN);
  int r = 0, n = 0;
  MPI_Comm_rank(comm, &r);
  MPI_Comm_size(comm, &n);
  if (r != static_cast<int>(rank)) {
    MPI_Comm_free(&comm);
    return failure(Code::kInternal, "the MPI communicator placed rank %u at %d", rank, r);
  }
  *out = std::make_unique<MpiTransport>(comm, r, n);
  return {};
}

// Waits for `req` until the deadline; false on timeout (the request is cancelled).
bool wait_until(MPI_Request* req, std::chrono::steady_clock::time_point deadline, MPI_Status* st) {
  for (int spins = 0;; ++spins) {
    int done = 0;
    MPI_Test(req, &done, st);
    if (done) return true;
    if (std::chrono::steady_clock::now() > deadline) {
      MPI_Cancel(req);
      MPI_Request_free(req);
      return false;
    }
    if (spins > 1000) std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
}

}  // namespace

bool mpi_present() {
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (initialized) return true;
  for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE", "PMI_RANK"})
    if (std::getenv(v) != nullptr) return true;
  return false;
}

Outcome mpi_world(int* world_rank, int* world_size) {
  if (Outcome o = ensure_mpi(); !o) return o;
  MPI_Comm_rank(MPI_COMM_WORLD, world_rank);
  MPI_Comm_size(MPI_COMM_WORLD, world_size);
  return {};
}

Outcome mpi_join(std::uint32_t nranks, int root_world_rank, std::uint64_t id, std::uint32_t rank, double timeout_s,
                 std::unique_ptr<Transport>* out) {
  if (Outcome o = ensure_mpi(); !o) return o;
  int me = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &me);
  const int tag = boot_tag(id);
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                            std::chrono::duration<double>(timeout_s));
  // Hello: {id, rank, nranks}. Answer: the world rank of every member, or -1 entries and
  // an error code when the members disagree.
  std::vector<std::int32_t> table(nranks, -1);
  std::int32_t verdict = 0;  // 0 ok; 1 nranks differ; 2 a rank taken twice
  if (me == root_world_rank) {
    table[rank] = me;
    std::vector<int> sources;
    for (std::uint32_t got = 1; got < nranks; ++got) {
      std::uint64_t hello[3];
      MPI_Request req;
      MPI_Irecv(hello, 3, MPI_UINT64_T, MPI_ANY_SOURCE, tag, MPI_COMM_WORLD, &req);
      MPI_Status st;
      if (!wait_until(&req, deadline, &st))
        return failure(Code::kTimeout,
                       "rank %u (the root) waited %.0f s for the other ranks; %u of %u joined (HCCL_CONNECT_TIMEOUT)",
                       rank, timeout_s, got, nranks);
      if (hello[0] != id) {  // another communicator's hello on the same tag
        --got;
        continue;
      }
      sources.push_back(st.MPI_SOURCE);
      if (hello[2] != nranks) {
        verdict = 1;
      } else if (hello[1] >= nranks || table[hello[1]] != -1) {
        verdict = 2;
      } else {
        table[hello[1]] = st.MPI_SOURCE;
      }
    }
    for (int src : sources) {
      MPI_Send(&verdict, 1, MPI_INT32_T, src, tag, MPI_COMM_WORLD);
      MPI_Send(table.data(), static_cast<int>(nranks), MPI_INT32_T, src, tag, MPI_COMM_WORLD);
    }
  } else {
    const std::uint64_t hello[3] = {id, rank, nranks};
    MPI_Request req;
    MPI_Isend(hello, 3, MPI_UINT64_T, root_world_rank, tag, MPI_COMM_WORLD, &req);
    MPI_Status st;
    if (!wait_until(&req, deadline, &st))
      return failure(Code::kTimeout, "rank %u could not reach the root process within %.0f s (HCCL_CONNECT_TIMEOUT)",
                     rank, timeout_s);
    MPI_Irecv(&verdict, 1, MPI_INT32_T, root_world_rank, tag, MPI_COMM_WORLD, &req);
    if (!wait_until(&req, deadline, &st))
      return failure(Code::kTimeout,
                     "rank %u waited %.0f s for the root to gather every rank (HCCL_CONNECT_TIMEOUT)", rank,
                     timeout_s);
    MPI_Recv(table.data(), static_cast<int>(nranks), MPI_INT32_T, root_world_rank, tag, MPI_COMM_WORLD,
             MPI_STATUS_IGNORE);
  }
  if (verdict == 1) return failure(Code::kInvalid, "the ranks passed different nRanks for one root info");
  if (verdict == 2) return failure(Code::kInvalid, "two processes asked for the same rank (or one out of range)");
  MPI_Group world_group, group;
  MPI_Comm_group(MPI_COMM_WORLD, &world_group);
  MPI_Group_incl(world_group, static_cast<int>(nranks), table.data(), &group);
  MPI_Comm comm = MPI_COMM_NULL;
  const int rc = MPI_Comm_create_group(MPI_COMM_WORLD, group, tag, &comm);
  MPI_Group_free(&group);
  MPI_Group_free(&world_group);
  if (rc != MPI_SUCCESS || comm == MPI_COMM_NULL)
    return failure(Code::kNetwork, "MPI_Comm_create_group failed: %s", mpi_error(rc).c_str());
  return make_transport(comm, rank, out);
}

Outcome mpi_join_world(std::uint32_t nranks, std::uint32_t rank, std::unique_ptr<Transport>* out) {
  if (Outcome o = ensure_mpi(); !o) return o;
  int world = 0;
  MPI_Comm_size(MPI_COMM_WORLD, &world);
  if (static_cast<int>(nranks) != world)
    return failure(Code::kInvalid, "the rank table lists %u ranks but the MPI job has %d processes", nranks, world);
  if (rank >= nranks) return failure(Code::kInvalid, "rank %u outside 0..%u", rank, nranks - 1);
  MPI_Comm comm = MPI_COMM_NULL;
  const int rc = MPI_Comm_split(MPI_COMM_WORLD, 0, static_cast<int>(rank), &comm);
  if (rc != MPI_SUCCESS) return failure(Code::kNetwork, "MPI_Comm_split failed: %s", mpi_error(rc).c_str());
  return make_transport(comm, rank, out);
}

}  // namespace vnpu::comm
