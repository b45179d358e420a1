// vnpu::Communicator: a CommCore run on a Lane of the rank's device.
#include "vnpu/communicator.hpp"

#include "comm/collective.hpp"
#include "comm/mpi_transport.hpp"
#include "comm/root_info.hpp"
#include "common/error.hpp"
#include "vnpu/lane.hpp"

namespace vnpu {

using detail::fail;

struct Communicator::Impl {
  Device device;
  Lane lane;  // declared after device, destroyed first: drains the queued collectives
  std::shared_ptr<comm::CommCore> core;
};

namespace {

Status to_status(comm::Code c) noexcept {
  switch (c) {
    case comm::Code::kOk: return Status::kSuccess;
    case comm::Code::kInvalid:
    case comm::Code::kNullPointer: return Status::kInvalidArgument;
    case comm::Code::kNoMemory: return Status::kOutOfMemory;
    case comm::Code::kNotSupported:
    case comm::Code::kUnavailable: return Status::kNotSupported;
    case comm::Code::kTimeout: return Status::kTimeout;
    default: return Status::kInternal;
  }
}

Status failed(const comm::Outcome& o) { return fail(to_status(o.code), "%s", o.message.c_str()); }

}  // namespace

Expected<Communicator> Communicator::make(const Device& device, std::unique_ptr<comm::Transport> t,
                                          const char* prefix) {
  auto lane = Lane::create(device, "vnpu-comm");
  if (!lane) return lane.status();
  std::string name = std::string(prefix) + "-" + std::to_string(t->size()) + "r";
  Communicator c;
  c.impl_ = std::make_shared<Impl>(
      Impl{device, std::move(lane).value(), std::make_shared<comm::CommCore>(std::move(t), std::move(name))});
  return c;
}

std::size_t comm_type_size(CommType t) noexcept {
  const auto ct = static_cast<comm::Type>(t);
  return comm::valid(ct) ? comm::type_size(ct) : 0;
}

Status Communicator::root_info(RootInfo* info) {
  detail::clear_error();
  if (info == nullptr) return fail(Status::kInvalidArgument, "Communicator::root_info: info is null");
  const comm::Outcome o = comm::make_root_info(info->bytes.data());
  return o ? Status::kSuccess : failed(o);
}

Expected<Communicator> Communicator::join(std::uint32_t nranks, const RootInfo& info, std::uint32_t rank,
                                          const Device& device) {
  detail::clear_error();
  if (!device) return fail(Status::kInvalidHandle, "Communicator::join: empty device handle");
  if (nranks == 0 || rank >= nranks)
    return fail(Status::kInvalidArgument, "Communicator::join: rank %u outside 0..%u", rank, nranks == 0 ? 0 : nranks - 1);
  std::unique_ptr<comm::Transport> t;
  if (const comm::Outcome o = comm::join(nranks, info.bytes.data(), rank, &t); !o) return failed(o);
  return make(device, std::move(t), "mpi");
}

Expected<std::vector<Communicator>> Communicator::local(std::span<const Device> devices) {
  detail::clear_error();
  if (devices.empty()) return fail(Status::kInvalidArgument, "Communicator::local: no devices");
  for (const Device& d : devices)
    if (!d) return fail(Status::kInvalidHandle, "Communicator::local: empty device handle");
  auto transports = comm::make_memory_group(static_cast<int>(devices.size()));
  std::vector<Communicator> out;
  for (std::size_t i = 0; i < devices.size(); ++i) {
    auto c = make(devices[i], std::move(transports[i]), "local");
    if (!c) return c.status();
    out.push_back(std::move(c).value());
  }
  return out;
}

std::uint32_t Communicator::rank() const noexcept { return impl_ ? static_cast<std::uint32_t>(impl_->core->rank()) : 0; }
std::uint32_t Communicator::size() const noexcept { return impl_ ? static_cast<std::uint32_t>(impl_->core->size()) : 0; }
const Device& Communicator::device() const noexcept {
  static const Device kNone;
  return impl_ ? impl_->device : kNone;
}
const char* Communicator::transport() const noexcept { return impl_ ? impl_->core->transport_kind() : ""; }

Status Communicator::first_failure(std::string* message) const {
  if (!impl_) return Status::kInvalidHandle;
  const comm::Outcome o = impl_->core->first_failure();
  if (message != nullptr) *message = o.message;
  return to_status(o.code);
}

Status Communicator::drain() const {
  detail::clear_error();
  if (!impl_) return fail(Status::kInvalidHandle, "Communicator::drain: empty handle");
  return impl_->lane.drain();
}

Status Communicator::submit(comm::Request&& r, Stream& stream) {
  if (!impl_) return fail(Status::kInvalidHandle, "Communicator::%s: empty handle", comm::kind_name(r.kind));
  if (const comm::Outcome o = impl_->core->check(r); !o) return failed(o);
  std::vector<Access> accesses;
  for (const comm::Touch& t : impl_->core->touched(r))
    accesses.push_back(Access{t.ptr, t.bytes, t.write ? AccessMode::kWrite : AccessMode::kRead});
  const std::uint64_t bytes = impl_->core->bytes_moved(r);
  const char* name = comm::kind_name(r.kind);
  return impl_->lane.submit(
      stream, name, bytes,
      [core = impl_->core, req = std::move(r)]() -> Status {
        const comm::Outcome o = core->run(req);
        return o ? Status::kSuccess : fail(Status::kTaskFailed, "%s", o.message.c_str());
      },
      accesses);
}

namespace {
comm::Request request(comm::Kind k, const void* send, void* recv, std::uint64_t count, CommType type) {
  comm::Request r;
  r.kind = k;
  r.send = send;
  r.recv = recv;
  r.count = count;
  r.type = static_cast<comm::Type>(type);
  return r;
}
}  // namespace

Status Communicator::all_reduce(const void* send, void* recv, std::uint64_t count, CommType type, ReduceOp op,
                                Stream& stream) {
  detail::clear_error();
  comm::Request r = request(comm::Kind::kAllReduce, send, recv, count, type);
  r.op = static_cast<comm::Op>(op);
  return submit(std::move(r), stream);
}

Status Communicator::broadcast(void* buf, std::uint64_t count, CommType type, std::uint32_t root, Stream& stream) {
  detail::clear_error();
  comm::Request r = request(comm::Kind::kBroadcast, nullptr, buf, count, type);
  r.root = root;
  return submit(std::move(r), stream);
}

Status Communicator::reduce(const void* send, void* recv, std::uint64_t count, CommType type, ReduceOp op,
                            std::uint32_t root, Stream& stream) {
  detail::clear_error();
  comm::Request r = request(comm::Kind::kReduce, send, recv, count, type);
  r.op = static_cast<comm::Op>(op);
  r.root = root;
  return submit(std::move(r), stream);
}

Status Communicator::all_gather(const void* send, void* recv, std::uint64_t count, CommType type, Stream& stream) {
  detail::clear_error();
  return submit(request(comm::Kind::kAllGather, send, recv, count, type), stream);
}

Status Communicator::reduce_scatter(const void* send, void* recv, std::uint64_t recv_count, CommType type,
                                    ReduceOp op, Stream& stream) {
  detail::clear_error();
  comm::Request r = request(comm::Kind::kReduceScatter, send, recv, recv_count, type);
  r.op = static_cast<comm::Op>(op);
  return submit(std::move(r), stream);
}

Status Communicator::scatter(const void* send, void* recv, std::uint64_t recv_count, CommType type,
                             std::uint32_t root, Stream& stream) {
  detail::clear_error();
  comm::Request r = request(comm::Kind::kScatter, send, recv, recv_count, type);
  r.root = root;
  return submit(std::move(r), stream);
}

Status Communicator::all_to_all(const void* send, void* recv, std::uint64_t count, CommType type, Stream& stream) {
  detail::clear_error();
  comm::Request r = request(comm::Kind::kAllToAll, send, recv, count, type);
  r.recv_count = count;
  r.recv_type = r.type;
  return submit(std::move(r), stream);
}

Status Communicator::all_to_all_v(const void* send, std::span<const std::uint64_t> send_counts,
                                  std::span<const std::uint64_t> send_displs, CommType send_type, void* recv,
                                  std::span<const std::uint64_t> recv_counts,
                                  std::span<const std::uint64_t> recv_displs, CommType recv_type, Stream& stream) {
  detail::clear_error();
  comm::Request r = request(comm::Kind::kAllToAllV, send, recv, 0, send_type);
  r.recv_type = static_cast<comm::Type>(recv_type);
  r.send_counts.assign(send_counts.begin(), send_counts.end());
  r.send_displs.assign(send_displs.begin(), send_displs.end());
  r.recv_counts.assign(recv_counts.begin(), recv_counts.end());
  r.recv_displs.assign(recv_displs.begin(), recv_displs.end());
  return submit(std::move(r), stream);
}

Status Communicator::send(const void* buf, std::uint64_t count, CommType type, std::uint32_t peer, Stream& stream) {
  detail::clear_error();
  comm::Request r = request(comm::Kind::kSend, buf, nullptr, count, type);
  r.root = peer;
  return submit(std::move(r), stream);
}

Status Communicator::recv(void* buf, std::uint64_t count, CommType type, std::uint32_t peer, Stream& stream) {
  detail::clear_error();
  comm::Request r = request(comm::Kind::kRecv, nullptr, buf, count, type);
  r.root = peer;
  return submit(std::move(r), stream);
}

Status Communicator::barrier(Stream& stream) {
  detail::clear_error();
  return submit(request(comm::Kind::kBarrier, nullptr, nullptr, 0, CommType::kU8), stream);
}

}  // namespace vnpu
