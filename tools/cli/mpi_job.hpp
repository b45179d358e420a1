// tools/cli/mpi_job.hpp — the MPI job a `vnpu` process runs in (`mpirun -np N vnpu ...`), for
// the subcommands whose ranks may be processes: `vnpu bench hccl` and `vnpu demo train`.
//
// mpi_job.cpp implements it over Open MPI; in a build without MPI, mpi_job_none.cpp makes
// start() answer "not launched by MPI", so callers need no #if of their own.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "vnpu/communicator.hpp"
#include "vnpu/device.hpp"

namespace vnpu::cli {

/// This process's place in its MPI job. Creating it initializes MPI with
/// MPI_THREAD_MULTIPLE (a communicator's lane thread calls MPI beside the main thread);
/// destroying it finalizes MPI — except while an exception unwinds: the other ranks may be
/// waiting in a collective this rank will never reach, and MPI_Finalize would wait for
/// them. The process then exits with a failure status without finalizing, and mpirun ends
/// the whole job. Communicators joined through it must be gone before it is destroyed.
class MpiJob {
 public:
  /// The job, or null when no MPI launcher (mpirun, mpiexec, srun with PMI or PMIx) started
  /// this process — told by the environment the launcher sets, so a plain `vnpu ...` never
  /// initializes MPI — or when this vnpu was built without MPI. Throws CliError if MPI
  /// cannot start.
  static std::unique_ptr<MpiJob> start();
  ~MpiJob();
  MpiJob(const MpiJob&) = delete;
  MpiJob& operator=(const MpiJob&) = delete;

  /// Rank and size in MPI_COMM_WORLD.
  int rank() const noexcept { return rank_; }
  int size() const noexcept { return size_; }
  /// Ranks of the job on this host (for sharing its CPUs), at least 1.
  int local_size() const noexcept { return local_size_; }

  /// MPI_Barrier over the job.
  void barrier() const;
  /// Every rank's `value`, in rank order, on every rank (MPI_Allgather).
  std::vector<std::uint64_t> all_gather(std::uint64_t value) const;
  /// Joins a vnpu communicator of every rank of the job (rank i = world rank i) for streams
  /// of `device`: rank 0 creates the root info and broadcasts it. Collective.
  Communicator join(const Device& device) const;

 private:
  MpiJob(int rank, int size, int local_size);
  int rank_;
  int size_;
  int local_size_;
  int uncaught_at_start_;
};

}  // namespace vnpu::cli
