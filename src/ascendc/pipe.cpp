// TPipe: the block's unified buffer handed out to queues and TBufs, and event IDs.
#include "kernel_operator.h"
#include "vnpu/kernel.hpp"
#include "vnpu/soc.hpp"

namespace AscendC {

namespace {
constexpr std::uint32_t kMaxBuffers = 64;  // InitBuffer blocks per kernel on the chip
}  // namespace

TPipe::TPipe() { Init(); }

TPipe::~TPipe() {
  // A TPipe that dies with its kernel (an exception on the way out) must not throw again.
  const vnpu::KernelContext* ctx = vnpu::current_kernel_context();
  if (live_ && ctx != nullptr && ctx->layer_data() != nullptr) {
    vnpu::ascendc::BlockState& b = vnpu::ascendc::block();
    if (b.pipe == this) b.pipe = nullptr;
  }
}

void TPipe::Init() {
  vnpu::ascendc::BlockState& b = vnpu::ascendc::block();
  if (b.pipe != nullptr && b.pipe != this)
    vnpu::ascendc::fail("a second TPipe while another is alive: only one may exist at a time (Destroy the first)");
  b.pipe = this;
  b.ub_used = 0;
  b.buffers = 0;
  for (auto& n : b.queued) n = 0;
  for (auto& e : events_) e = 0;
  live_ = true;
}

void TPipe::Destroy() {
  if (!live_) return;
  vnpu::ascendc::BlockState& b = vnpu::ascendc::block();
  if (b.pipe == this) b.pipe = nullptr;
  b.ub_used = 0;
  b.buffers = 0;
  live_ = false;
}

void TPipe::Reset() {
  vnpu::ascendc::BlockState& b = vnpu::ascendc::block();
  b.ub_used = 0;
  b.buffers = 0;
  for (auto& n : b.queued) n = 0;
  for (auto& e : events_) e = 0;
}

unsigned char* TPipe::take(std::uint32_t num, std::uint32_t len, const char* what) {
  vnpu::ascendc::BlockState& b = vnpu::ascendc::block();
  if (!live_) vnpu::ascendc::fail("InitBuffer on a TPipe that was destroyed");
  if (b.buffers + num > kMaxBuffers)
    vnpu::ascendc::fail("InitBuffer: %u more buffers for %s would make %u; a kernel may have at most %u", num, what,
                        b.buffers + num, kMaxBuffers);
  const std::uint64_t bytes = std::uint64_t{num} * len;
  if (bytes > b.ub_size - b.ub_used)
    vnpu::ascendc::fail(
        "unified buffer overflow: InitBuffer of %u x %u bytes for %s needs %llu bytes, but %zu of the %s's %zu-byte UB "
        "are in use (%zu free)",
        num, len, what, static_cast<unsigned long long>(bytes), b.ub_used, b.soc->name.data(), b.ub_size,
        b.ub_size - b.ub_used);
  unsigned char* p = b.ub + b.ub_used;
  b.ub_used += bytes;
  b.buffers += num;
  return p;
}

TEventID TPipe::alloc_event(int evt) {
  for (int id = 0; id < 8; ++id) {
    if ((events_[evt] & (1u << id)) == 0) {
      events_[evt] = static_cast<std::uint8_t>(events_[evt] | (1u << id));
      return static_cast<TEventID>(id);
    }
  }
  vnpu::ascendc::fail("AllocEventID: all 8 event IDs of event %d are in use (ReleaseEventID the ones you are done with)",
                      evt);
}

void TPipe::release_event(int evt, TEventID id) {
  if (id < 0 || id > 7 || (events_[evt] & (1u << id)) == 0)
    vnpu::ascendc::fail("ReleaseEventID(%d) of event %d: that ID was not allocated", id, evt);
  events_[evt] = static_cast<std::uint8_t>(events_[evt] & ~(1u << id));
}

TEventID TPipe::fetch_event(int evt) {
  for (int id = 0; id < 8; ++id)
    if ((events_[evt] & (1u << id)) == 0) return static_cast<TEventID>(id);
  vnpu::ascendc::fail("FetchEventID: all 8 event IDs of event %d are allocated", evt);
}

std::uint8_t* TPipe::GetBaseAddr(std::int8_t) { return vnpu::ascendc::block().ub; }

TPipe* GetTPipePtr() {
  return static_cast<TPipe*>(vnpu::ascendc::block().pipe);
}

}  // namespace AscendC
