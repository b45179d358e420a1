// libhccl's communicators: the object behind an HcclComm and the set of live ones, so that
// a destroyed or made-up handle is an error, never a crash.
#pragma once

#include <memory>
#include <string>

#include "acl/acl.h"
#include "comm/collective.hpp"
#include "vnpu/acl_ext.h"

namespace vnpu::hccl {

struct CommObj {
  std::shared_ptr<comm::CommCore> core;
  vnpuLane lane = nullptr;
  int device = 0;
  std::string name;
};

/// Registers `c` (owned from now on) and returns its handle.
void* add_comm(std::unique_ptr<CommObj> c);
/// The live communicator of `handle`, or null.
std::shared_ptr<CommObj> find_comm(const void* handle);
/// Unregisters `handle`; null if it is not live.
std::shared_ptr<CommObj> remove_comm(const void* handle);

}  // namespace vnpu::hccl
