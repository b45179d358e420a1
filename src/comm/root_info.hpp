// The root info: how the ranks of a communicator find each other. Two kinds, chosen by
// HcclGetRootInfo: under an MPI launcher (or with MPI initialized) the ranks are processes
// of the MPI job, one rank each; otherwise they are threads of the root's process, one rank
// each (the pattern of one process driving several devices with a thread per device).
#pragma once

#include <cstdint>
#include <memory>

#include "comm/transport.hpp"

namespace vnpu::comm {

/// Bytes of a root info (HCCL_ROOT_INFO_BYTES).
constexpr std::size_t kRootInfoBytes = 4108;

/// Writes a new root info (kRootInfoBytes) naming this process as the root.
Outcome make_root_info(void* blob);

/// Joins the communicator of `blob` as `rank` of `nranks`. Collective: it returns once all
/// nranks have joined, or fails after HCCL_CONNECT_TIMEOUT seconds (default 120).
Outcome join(std::uint32_t nranks, const void* blob, std::uint32_t rank, std::unique_ptr<Transport>* out);

/// HCCL_CONNECT_TIMEOUT, or 120 s.
double connect_timeout_s();

}  // namespace vnpu::comm
