// Ranks in different processes or hosts: Open MPI as the transport, and the root-info
// handshake that lets the processes of one `mpirun` job form a communicator.
#pragma once

#include <cstdint>
#include <memory>

#include "comm/transport.hpp"

namespace vnpu::comm {

/// True when this process runs under an MPI launcher (mpirun) or has initialized MPI.
bool mpi_present();

/// Starts MPI if the program has not (MPI_THREAD_MULTIPLE; finalized at exit) and gives this
/// process's rank and the size of MPI_COMM_WORLD.
Outcome mpi_world(int* world_rank, int* world_size);

/// Joins, as `rank` of `nranks`, the communicator whose root is process `root_world_rank`:
/// every member sends its rank to the root's process (tag from `id`), which answers with the
/// table of members; then an MPI communicator of the members, in rank order, is created.
/// Gives up after `timeout_s` seconds.
Outcome mpi_join(std::uint32_t nranks, int root_world_rank, std::uint64_t id, std::uint32_t rank, double timeout_s,
                 std::unique_ptr<Transport>* out);

/// Every process of the MPI job is a rank (nranks must equal the job's size): `rank` is this
/// process's rank in the communicator (as a rank table gives it).
Outcome mpi_join_world(std::uint32_t nranks, std::uint32_t rank, std::unique_ptr<Transport>* out);

}  // namespace vnpu::comm
