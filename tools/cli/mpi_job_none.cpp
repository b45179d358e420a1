// tools/cli/mpi_job_none.cpp — MpiJob in a build without MPI: no process is ever part of a
// job, so only start() is ever called; the rest exists for the linker.
#include "mpi_job.hpp"

#include <cstdlib>

#include "cli_common.hpp"

namespace vnpu::cli {

std::unique_ptr<MpiJob> MpiJob::start() {
  if (std::getenv("OMPI_COMM_WORLD_SIZE") != nullptr || std::getenv("PMIX_RANK") != nullptr ||
      std::getenv("PMI_RANK") != nullptr) {
    note("warning: this vnpu was built without MPI: each process of the MPI job runs on its own");
  }
  return nullptr;
}

MpiJob::MpiJob(int rank, int size, int local_size)
    : rank_(rank), size_(size), local_size_(local_size), uncaught_at_start_(0) {}
MpiJob::~MpiJob() = default;

void MpiJob::barrier() const {}

std::vector<std::uint64_t> MpiJob::all_gather(std::uint64_t value) const { return {value}; }

Communicator MpiJob::join(const Device&) const {
  throw CliError(kExitUnexpected, "this vnpu was built without MPI: ranks cannot be processes");
}

}  // namespace vnpu::cli
