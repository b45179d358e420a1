// Profiler capture of stream tasks: kernel blocks and copy parts on the engine lane that
// runs them, event records and waits on the stream's own lane. Called only while the
// profiler is on (StreamImpl::run_part and run check prof::on() first).
#include <cstring>

#include "profiler/capture.hpp"
#include "runtime/device_impl.hpp"
#include "runtime/stream_impl.hpp"

namespace vnpu::detail {

namespace {

// Bytes part `part` of a copy or memset covers (execute_part's split).
std::uint64_t part_bytes(const Task& t, std::uint32_t part) noexcept {
  const std::size_t chunk = (t.bytes + t.parts - 1) / t.parts;
  const std::size_t off = static_cast<std::size_t>(part) * chunk;
  if (off >= t.bytes) return 0;
  return t.bytes - off < chunk ? t.bytes - off : chunk;
}

}  // namespace

void StreamImpl::profile_part(Task& t, std::uint32_t part, const Worker& self) noexcept {
  prof::Record r;  // every field is set below (no zeroing of the whole record per span)
  r.op = t.op_tag;
  r.bytes = 0;
  r.device = device_->id();
  r.lane_kind = self.pool->role() == ThreadRole::kComputeCore ? prof::LaneKind::kComputeCore
                                                               : prof::LaneKind::kCopyEngine;
  r.lane = self.index;
  r.stream = id_;
  r.seq = t.seq;
  r.block = part;
  r.blocks = t.parts;
  static_assert(sizeof r.name >= sizeof t.name);
  std::memcpy(r.name, t.name.data(), sizeof t.name);  // fixed size: cheaper than measuring it
  switch (t.kind) {
    case TaskKind::kKernel: r.kind = prof::SpanKind::kKernel; break;
    case TaskKind::kMemset:
      r.kind = prof::SpanKind::kMemset;
      r.bytes = part_bytes(t, part);
      break;
    default:
      r.kind = prof::SpanKind::kCopy;
      r.bytes = part_bytes(t, part);
      break;
  }
  // Barrier waits inside the block find their kernel here.
  prof::BlockContext& ctx = prof::t_block;
  ctx = prof::BlockContext{id_, t.seq, t.op_tag, r.device, r.lane, part, t.parts, true};
  r.start = prof::now();
  execute_part(t, part, self);
  r.end = prof::now();
  ctx.valid = false;
  prof::emit(r);
}

void StreamImpl::profile_event(const Task& t) noexcept {
  prof::Record r{};
  r.kind = prof::SpanKind::kEvent;
  r.lane_kind = prof::LaneKind::kStream;
  r.device = device_->id();
  r.lane = static_cast<std::uint32_t>(id_);
  r.stream = id_;
  r.seq = t.seq;
  r.set_name(t.name.data());
  r.end = prof::now();
  r.start = t.wait_since != 0 ? t.wait_since : r.end;  // a record is an instant
  prof::emit(r);
}

}  // namespace vnpu::detail
