// tools/cli/mpi_job.cpp — MpiJob over Open MPI (the C API only: OMPI_SKIP_MPICXX).
#include "mpi_job.hpp"

#include <mpi.h>

#include <cstdlib>
#include <exception>

#include <fmt/core.h>

#include "cli_common.hpp"

namespace vnpu::cli {

namespace {

// Variables every common launcher sets in the processes it starts: Open MPI's mpirun, PMIx
// (Open MPI 4+, srun --mpi=pmix) and PMI-1/2 (MPICH's hydra, srun --mpi=pmi2).
bool launched_by_mpi() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE"}) {
    if (std::getenv(name) != nullptr) return true;
  }
  return false;
}

void mpi_ok(int rc, const char* what) {
  if (rc == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int len = 0;
  if (MPI_Error_string(rc, text, &len) != MPI_SUCCESS) len = 0;
  throw CliError(kExitUnexpected, fmt::format("{} failed: {}", what, std::string(text, static_cast<std::size_t>(len))));
}

}  // namespace

std::unique_ptr<MpiJob> MpiJob::start() {
  if (!launched_by_mpi()) return nullptr;
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (!initialized) {
    int provided = 0;
    mpi_ok(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_MULTIPLE, &provided), "MPI_Init_thread");
    if (provided < MPI_THREAD_MULTIPLE) {
      MPI_Finalize();
      throw CliError(kExitUnexpected, "this MPI library does not support MPI_THREAD_MULTIPLE, which vnpu's "
                                      "communicators need");
    }
  }
  int rank = 0, size = 0, local = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  MPI_Comm node = MPI_COMM_NULL;
  if (MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank, MPI_INFO_NULL, &node) == MPI_SUCCESS) {
    MPI_Comm_size(node, &local);
    MPI_Comm_free(&node);
  }
  return std::unique_ptr<MpiJob>(new MpiJob(rank, size, local));
}

MpiJob::MpiJob(int rank, int size, int local_size)
    : rank_(rank), size_(size), local_size_(local_size > 0 ? local_size : 1),
      uncaught_at_start_(std::uncaught_exceptions()) {}

MpiJob::~MpiJob() {
  if (std::uncaught_exceptions() > uncaught_at_start_) return;  // see the class comment
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized) MPI_Finalize();
}

void MpiJob::barrier() const { mpi_ok(MPI_Barrier(MPI_COMM_WORLD), "MPI_Barrier"); }

std::vector<std::uint64_t> MpiJob::all_gather(std::uint64_t value) const {
  std::vector<std::uint64_t> all(static_cast<std::size_t>(size_));
  mpi_ok(MPI_Allgather(&value, 1, MPI_UINT64_T, all.data(), 1, MPI_UINT64_T, MPI_COMM_WORLD), "MPI_Allgather");
  return all;
}

Communicator MpiJob::join(const Device& device) const {
  RootInfo info;
  if (rank_ == 0) check(Communicator::root_info(&info));
  mpi_ok(MPI_Bcast(info.bytes.data(), static_cast<int>(info.bytes.size()), MPI_BYTE, 0, MPI_COMM_WORLD),
         "MPI_Bcast of the root info");
  return Communicator::join(static_cast<std::uint32_t>(size_), info, static_cast<std::uint32_t>(rank_), device)
      .value();
}

}  // namespace vnpu::cli
