#include "ops/driver.hpp"

#include <algorithm>
#include <cstdlib>
#include <new>

namespace vnpu::ops::detail {

namespace {

// The lowest and highest byte (exclusive) of a non-empty view.
void view_extent(const OperandView& v, std::int64_t* lo, std::int64_t* hi) {
  std::int64_t first = 0, last = 0;
  for (int k = 0; k < v.rank; ++k) {
    const std::int64_t reach = (v.dims[k] - 1) * v.strides[k];
    (reach < 0 ? first : last) += reach;
  }
  const auto e = static_cast<std::int64_t>(v.elem_bytes);
  *lo = first * e;
  *hi = (last + 1) * e;
}

}  // namespace

void append_accesses(const OperandView& v, std::vector<Access>* out) {
  if (v.data == nullptr || v.elem_bytes == 0) return;
  std::int64_t numel = 1;
  for (int k = 0; k < v.rank; ++k) numel *= v.dims[k];
  if (numel == 0) return;
  const auto* base = static_cast<const unsigned char*>(v.data);
  std::int64_t lo = 0, hi = 0;
  view_extent(v, &lo, &hi);
  // Dims by |stride|, innermost first (size-1 dims change nothing); the longest dense run
  // of elements starts from the innermost dim of stride 1.
  std::array<int, kMaxRank> order{};
  int n = 0;
  for (int k = 0; k < v.rank; ++k)
    if (v.dims[k] > 1) order[static_cast<std::size_t>(n++)] = k;
  for (int i = 1; i < n; ++i) {  // insertion sort: at most kMaxRank dims
    const int k = order[static_cast<std::size_t>(i)];
    int j = i;
    for (; j > 0 && std::llabs(v.strides[order[static_cast<std::size_t>(j - 1)]]) > std::llabs(v.strides[k]); --j)
      order[static_cast<std::size_t>(j)] = order[static_cast<std::size_t>(j - 1)];
    order[static_cast<std::size_t>(j)] = k;
  }
  std::int64_t run = 1;
  int dense = 0;
  while (dense < n && std::llabs(v.strides[order[static_cast<std::size_t>(dense)]]) == run) {
    run *= v.dims[order[static_cast<std::size_t>(dense)]];
    ++dense;
  }
  const std::int64_t runs = numel / run;
  const std::size_t first_new = out->size();
  if (runs == 1 || static_cast<std::uint64_t>(runs) > kMaxDeclaredRuns) {
    out->push_back({base + lo, static_cast<std::size_t>(hi - lo), v.mode});
    return;
  }
  // The dense run's own lowest byte (its dims may have negative strides).
  std::int64_t run_lo = 0;
  for (int i = 0; i < dense; ++i) {
    const int k = order[static_cast<std::size_t>(i)];
    if (v.strides[k] < 0) run_lo += (v.dims[k] - 1) * v.strides[k];
  }
  const auto e = static_cast<std::int64_t>(v.elem_bytes);
  std::array<std::int64_t, kMaxRank> idx{};
  for (std::int64_t r = 0; r < runs; ++r) {
    std::int64_t off = run_lo;
    for (int i = dense; i < n; ++i) {
      const int k = order[static_cast<std::size_t>(i)];
      off += idx[static_cast<std::size_t>(k)] * v.strides[k];
    }
    out->push_back({base + off * e, static_cast<std::size_t>(run * e), v.mode});
    for (int i = dense; i < n; ++i) {  // next index, innermost of the outer dims first
      const int k = order[static_cast<std::size_t>(i)];
      if (++idx[static_cast<std::size_t>(k)] < v.dims[k]) break;
      idx[static_cast<std::size_t>(k)] = 0;
    }
  }
  // Sorted and merged: broadcast (stride 0) and overlapping views repeat bytes.
  const auto begin = out->begin() + static_cast<std::ptrdiff_t>(first_new);
  std::sort(begin, out->end(), [](const Access& a, const Access& b) { return a.ptr < b.ptr; });
  auto w = begin;
  for (auto it = begin + 1; it != out->end(); ++it) {
    const auto* w_end = static_cast<const unsigned char*>(w->ptr) + w->bytes;
    const auto* it_ptr = static_cast<const unsigned char*>(it->ptr);
    if (it_ptr <= w_end) {
      const auto* it_end = it_ptr + it->bytes;
      if (it_end > w_end) w->bytes = static_cast<std::size_t>(it_end - static_cast<const unsigned char*>(w->ptr));
    } else {
      *++w = *it;
    }
  }
  out->erase(w + 1, out->end());
}

OpCall::OpCall(const char* name, void* caller, const Tensor& in, const Tensor& out)
    : name_(name), caller_(caller), in_(in), out_(out) {
  read(in);
  write(out);
}

OpCall& OpCall::add(const Tensor& t, AccessMode mode) {
  return add(OperandView{t.data(), dtype_size(t.dtype()), t.rank(), t.shape().data(), t.strides().data(), mode});
}

OpCall& OpCall::add(const OperandView& v) {
  if (count_ < kMaxOperands) operands_[count_++] = v;
  return *this;
}

std::vector<Access> OpCall::accesses() const {
  std::vector<Access> acc;
  for (std::size_t i = 0; i < count_; ++i) append_accesses(operands_[i], &acc);
  return acc;
}

OpScope::OpScope(const OpCall& op) : site_(op.caller(), op.name()), tag_(op.name(), op.in(), op.out(), op.tag_bytes()) {
  if (vnpu::detail::check::on()) {
    try {
      accesses_ = op.accesses();
    } catch (const std::bad_alloc&) {
      accesses_.clear();  // checking is best effort under memory pressure
    }
  }
}

Status run_op(const Stream& stream, const OpCall& op, std::uint32_t blocks, const JoinedBlock& block,
              const std::function<void()>& finish) {
  const OpScope scope(op);
  return run_joined(stream, op.name(), blocks, block, finish, scope.accesses());
}

}  // namespace vnpu::ops::detail
