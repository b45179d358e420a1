// The operator driver: how every operator call runs once it has been validated and
// planned. One place declares what a call touches and how it runs:
//  - its operands (the tensors it reads and writes), from which the checked mode's accesses
//    (vnpu/check.hpp) are derived — strided views as the byte ranges they cover — and the
//    profiler's per-op tag (name, shapes, bytes moved);
//  - the call site the checker attributes its work to (the public entry's caller);
//  - the asynchronous form (queue_op: the kernel queued on a stream) and the synchronous
//    forms (run_op: the calling thread joins in, see joined.hpp; run_op_queued: queued and
//    waited for, for plans whose blocks meet at barriers).
// Each op's *_api.cpp keeps only what is its own: checks, the plan, the block bodies.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

#include "check/checker.hpp"
#include "ops/joined.hpp"
#include "vnpu/check.hpp"
#include "vnpu/kernel.hpp"
#include "vnpu/status.hpp"
#include "vnpu/stream.hpp"
#include "vnpu/tensor.hpp"

namespace vnpu::ops::detail {

/// A strided view of memory an operator touches: element i has address
/// data + sum(i[k] * strides[k]) * elem_bytes (strides in elements, any sign).
struct OperandView {
  const void* data = nullptr;
  std::size_t elem_bytes = 0;
  int rank = 0;
  const std::int64_t* dims = nullptr;
  const std::int64_t* strides = nullptr;
  AccessMode mode = AccessMode::kRead;
};

/// Up to this many contiguous runs, a strided view is declared run by run; a view with
/// more is declared by its extent (the bytes from its lowest to its highest element).
inline constexpr std::size_t kMaxDeclaredRuns = 4096;

/// Appends the byte ranges `v` covers to `out`, sorted and merged.
void append_accesses(const OperandView& v, std::vector<Access>* out);

/// What one operator call is: its name, the public entry's caller and its operands.
class OpCall {
 public:
  /// `in` is read and `out` written; the profiler's tag shows their shapes and, unless
  /// tag_bytes() says otherwise, one read of `in` and one write of `out`.
  OpCall(const char* name, void* caller, const Tensor& in, const Tensor& out);

  OpCall& read(const Tensor& t) { return add(t, AccessMode::kRead); }
  OpCall& write(const Tensor& t) { return add(t, AccessMode::kWrite); }
  OpCall& add(const Tensor& t, AccessMode mode);
  OpCall& add(const OperandView& v);
  OpCall& tag_bytes(std::uint64_t bytes) {
    tag_bytes_ = bytes;
    return *this;
  }

  const char* name() const noexcept { return name_; }
  void* caller() const noexcept { return caller_; }
  const Tensor& in() const noexcept { return in_; }
  const Tensor& out() const noexcept { return out_; }
  std::uint64_t tag_bytes() const noexcept { return tag_bytes_; }
  /// The byte ranges of every operand (checked mode only: computed on demand).
  std::vector<Access> accesses() const;

 private:
  static constexpr std::size_t kMaxOperands = 12;
  const char* name_;
  void* caller_;
  const Tensor& in_;
  const Tensor& out_;
  std::uint64_t tag_bytes_ = 0;
  std::array<OperandView, kMaxOperands> operands_{};
  std::size_t count_ = 0;
};

/// What surrounds the submission of an op's work: the checker's call site and accesses,
/// and the profiler's tag. Lives for the call.
class OpScope {
 public:
  explicit OpScope(const OpCall& op);
  /// The op's accesses (empty when checking is off).
  std::span<const Access> accesses() const noexcept { return accesses_; }

 private:
  vnpu::detail::check::ApiSite site_;
  OpTag tag_;
  std::vector<Access> accesses_;
};

/// The asynchronous form: queues `blocks` blocks of `kernel` (called with each block's
/// KernelContext) on `stream`. `cooperative`: the blocks meet at barriers (sync_all), so
/// all are resident at once.
template <class Kernel>
Status queue_op(const Stream& stream, const OpCall& op, std::uint32_t blocks, bool cooperative, Kernel&& kernel) {
  const OpScope scope(op);
  LaunchOptions lo;
  lo.cooperative = cooperative;
  lo.accesses = scope.accesses();
  Stream s = stream;
  return s.launch(op.name(), blocks, lo, std::forward<Kernel>(kernel));
}

/// The synchronous form of a plan whose blocks meet at barriers: queued on `stream` (the
/// default stream) and waited for.
template <class Kernel>
Status run_op_queued(const Stream& stream, const OpCall& op, std::uint32_t blocks, Kernel&& kernel) {
  VNPU_TRY(queue_op(stream, op, blocks, true, std::forward<Kernel>(kernel)));
  return stream.synchronize();
}

/// The synchronous form (run_joined): after `stream`'s earlier work, the calling thread
/// runs block 0 while the cores run the others, then `finish`. `blocks` 0: nothing to
/// compute (earlier failures are still reported). In checked mode the op's accesses are
/// the calling thread's own, made once the stream's earlier work is done.
Status run_op(const Stream& stream, const OpCall& op, std::uint32_t blocks, const JoinedBlock& block,
              const std::function<void()>& finish = {});

}  // namespace vnpu::ops::detail
