// Built without Open MPI: communicators across processes report that they cannot start.
#include "comm/mpi_transport.hpp"

namespace vnpu::comm {

namespace {
Outcome unavailable() {
  return failure(Code::kUnavailable, "vnpu was built without Open MPI (libopenmpi-dev): ranks in different "
                                     "processes cannot communicate; ranks that are threads or devices of one "
                                     "process can");
}
}  // namespace

bool mpi_present() { return false; }
Outcome mpi_world(int*, int*) { return unavailable(); }
Outcome mpi_join(std::uint32_t, int, std::uint64_t, std::uint32_t, double, std::unique_ptr<Transport>*) {
  return unavailable();
}
Outcome mpi_join_world(std::uint32_t, std::uint32_t, std::unique_ptr<Transport>*) { return unavailable(); }

}  // namespace vnpu::comm
