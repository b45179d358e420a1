// Metrics of a trace: per-op bandwidth, lane busy time, copy/compute overlap, barriers
// and waits. Everything is computed from span intervals; busy time is the length of the
// union of a lane's spans, so nested spans (a barrier inside a kernel block) count once;
// a comm lane is busy while its collectives run, as a copy engine while its copies do.
//
// Any int64 times work: a length b - a (a <= b) is exact in 64 unsigned bits, a union of
// intervals is no longer than the run, sums of lengths that may exceed it (waits, an op's
// calls) are kept in double, and byte totals saturate at 2^64 - 1. So every figure is
// finite and every share of the run lies in [0, 100].
#include <algorithm>
#include <cstdint>
#include <limits>
#include <map>
#include <tuple>
#include <utility>
#include <vector>

#include "vnpu/profiler.hpp"

namespace vnpu::profiler {

namespace {

using Interval = std::pair<std::int64_t, std::int64_t>;

// b - a for a <= b, wherever they lie in int64.
std::uint64_t length(std::int64_t a, std::int64_t b) {
  return static_cast<std::uint64_t>(b) - static_cast<std::uint64_t>(a);
}

// A span's interval; one that ends before it starts is an instant at its start.
Interval interval(const Span& s) { return {s.start_ns, std::max(s.start_ns, s.end_ns)}; }

std::uint64_t saturating_add(std::uint64_t a, std::uint64_t b) {
  return b > std::numeric_limits<std::uint64_t>::max() - a ? std::numeric_limits<std::uint64_t>::max() : a + b;
}

// Sorts and merges `v` into disjoint intervals; returns their total length (no more than
// from the first start to the last end, so it fits).
std::uint64_t merge(std::vector<Interval>& v) {
  std::sort(v.begin(), v.end());
  std::size_t out = 0;
  for (const Interval& iv : v) {
    if (out > 0 && iv.first <= v[out - 1].second) {
      v[out - 1].second = std::max(v[out - 1].second, iv.second);
    } else {
      v[out++] = iv;
    }
  }
  v.resize(out);
  std::uint64_t total = 0;
  for (const Interval& iv : v) total += length(iv.first, iv.second);
  return total;
}

// Length of the intersection of two merged interval lists.
std::uint64_t intersection(const std::vector<Interval>& a, const std::vector<Interval>& b) {
  std::uint64_t total = 0;
  std::size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    const std::int64_t lo = std::max(a[i].first, b[j].first);
    const std::int64_t hi = std::min(a[i].second, b[j].second);
    if (hi > lo) total += length(lo, hi);
    if (a[i].second < b[j].second) ++i;
    else ++j;
  }
  return total;
}

// The kinds that are stream tasks, the rows of the per-op table. Collectives, like copies,
// carry the bytes they moved (sent plus received), so their rows get GB/s.
bool is_task(SpanKind k) {
  return k == SpanKind::kKernel || k == SpanKind::kCopy || k == SpanKind::kMemset || k == SpanKind::kCallback ||
         k == SpanKind::kCollective;
}

struct Instance {
  std::int64_t start = 0;
  std::int64_t end = 0;
  std::uint64_t bytes = 0;
};

// part as a share of whole, in [0, 100] (part <= whole up to rounding).
double pct(double part, double whole) { return whole > 0.0 ? std::clamp(100.0 * part / whole, 0.0, 100.0) : 0.0; }

}  // namespace

Metrics compute_metrics(const Trace& trace, double peak_gbps) {
  Metrics m;
  m.peak_gbps = peak_gbps > 0.0 ? peak_gbps : 0.0;
  m.dropped = trace.dropped;
  std::int64_t t0 = 0, t1 = 0;
  bool any = false;
  for (const Span& s : trace.spans) {
    const auto [start, end] = interval(s);
    t0 = any ? std::min(t0, start) : start;
    t1 = any ? std::max(t1, end) : end;
    any = true;
  }
  const double wall_ns = any ? static_cast<double>(length(t0, t1)) : 0.0;
  m.wall_ms = wall_ns / 1e6;

  // Per lane busy time, and the unions of all copies and all kernels.
  using LaneKey = std::tuple<int, int, std::uint32_t>;
  std::map<LaneKey, std::vector<Interval>> per_lane;
  std::map<LaneKey, std::uint64_t> per_lane_count;
  std::vector<Interval> copies, kernels;
  double barrier_ns = 0.0, host_wait_ns = 0.0, event_wait_ns = 0.0;
  for (const Span& s : trace.spans) {
    const LaneKey key{s.device, static_cast<int>(s.lane_kind), s.lane};
    const Interval iv = interval(s);
    const auto ns = static_cast<double>(length(iv.first, iv.second));
    per_lane[key].push_back(iv);
    ++per_lane_count[key];
    if (s.kind == SpanKind::kCopy || s.kind == SpanKind::kMemset) copies.push_back(iv);
    if (s.kind == SpanKind::kKernel) kernels.push_back(iv);
    if (s.kind == SpanKind::kBarrier) {
      barrier_ns += ns;
      ++m.barrier_waits;
    }
    if (s.kind == SpanKind::kHostWait) host_wait_ns += ns;
    if (s.kind == SpanKind::kEvent) event_wait_ns += ns;
  }
  merge(copies);
  merge(kernels);
  m.overlap_pct = pct(static_cast<double>(intersection(copies, kernels)), wall_ns);
  m.barrier_ms = barrier_ns / 1e6;
  m.barrier_mean_us = m.barrier_waits != 0 ? barrier_ns / 1e3 / static_cast<double>(m.barrier_waits) : 0.0;
  m.host_wait_ms = host_wait_ns / 1e6;
  m.event_wait_ms = event_wait_ns / 1e6;

  double compute_sum = 0.0, copy_sum = 0.0;
  int compute_lanes = 0, copy_lanes = 0;
  for (const Lane& l : trace.lanes) {
    LaneMetrics lm;
    lm.lane = l;
    const LaneKey key{l.device, static_cast<int>(l.kind), l.index};
    auto it = per_lane.find(key);
    if (it != per_lane.end()) {
      lm.busy_ms = static_cast<double>(merge(it->second)) / 1e6;
      lm.spans = per_lane_count[key];
    }
    lm.busy_pct = pct(lm.busy_ms * 1e6, wall_ns);
    if (l.kind == LaneKind::kComputeCore) {
      compute_sum += lm.busy_pct;
      ++compute_lanes;
    } else if (l.kind == LaneKind::kCopyEngine) {
      copy_sum += lm.busy_pct;
      ++copy_lanes;
    }
    m.lanes.push_back(std::move(lm));
  }
  m.compute_busy_pct = compute_lanes != 0 ? compute_sum / compute_lanes : 0.0;
  m.copy_busy_pct = copy_lanes != 0 ? copy_sum / copy_lanes : 0.0;

  // Ops: spans grouped into calls (a tagged operator call, or one task), calls into rows.
  using RowKey = std::tuple<int, std::string, std::string>;  // kind, name, shape
  using CallKey = std::tuple<std::uint64_t, int, std::uint64_t, std::uint64_t>;  // op id | device, stream, seq
  // The pipe spans of each kernel task: time per pipe and the global memory moved.
  struct PipeTimes {
    double mte2 = 0.0, v = 0.0, mte3 = 0.0;
    std::uint64_t bytes = 0;
  };
  std::map<CallKey, PipeTimes> pipe_times;
  for (const Span& s : trace.spans) {
    if (s.kind != SpanKind::kPipe) continue;
    PipeTimes& p = pipe_times[CallKey{0, s.device, s.stream, s.seq}];
    const auto ns = static_cast<double>(length(interval(s).first, interval(s).second));
    if (s.name.rfind("MTE2 ", 0) == 0) p.mte2 += ns;
    else if (s.name.rfind("MTE3 ", 0) == 0) p.mte3 += ns;
    else p.v += ns;
    p.bytes = saturating_add(p.bytes, s.bytes);
  }
  std::map<RowKey, std::map<CallKey, Instance>> rows;
  for (const Span& s : trace.spans) {
    if (!is_task(s.kind)) continue;
    const bool tagged = s.op_id != 0;
    const RowKey row{static_cast<int>(s.kind), tagged ? s.op : s.name, tagged ? s.shape : std::string()};
    const CallKey call = tagged ? CallKey{s.op_id, 0, 0, 0} : CallKey{0, s.device, s.stream, s.seq};
    const Interval iv = interval(s);
    auto [it, fresh] = rows[row].try_emplace(call, Instance{iv.first, iv.second, tagged ? s.op_bytes : 0});
    Instance& inst = it->second;
    if (!fresh) {
      inst.start = std::min(inst.start, iv.first);
      inst.end = std::max(inst.end, iv.second);
    }
    if (!tagged) inst.bytes = saturating_add(inst.bytes, s.bytes);
  }
  // Untagged kernels moved what their pipe spans say.
  for (auto& [row, calls] : rows) {
    if (std::get<0>(row) != static_cast<int>(SpanKind::kKernel)) continue;
    for (auto& [call, inst] : calls)
      if (const auto p = pipe_times.find(call); p != pipe_times.end() && std::get<0>(call) == 0)
        inst.bytes = saturating_add(inst.bytes, p->second.bytes);
  }
  // The pipe view of each kernel with pipe spans: its launches' blocks, then per launch
  // its pipe times and extent (first block start .. last block end).
  struct PipeCall {
    std::string name;
    Instance extent;
  };
  std::map<std::string, PipeMetrics> pipes;
  std::map<CallKey, PipeCall> pipe_calls;
  for (const Span& s : trace.spans) {
    if (s.kind != SpanKind::kKernel) continue;
    const CallKey call{0, s.device, s.stream, s.seq};
    if (pipe_times.count(call) == 0) continue;
    const Interval iv = interval(s);
    pipes[s.name].block_ms += static_cast<double>(length(iv.first, iv.second)) / 1e6;
    auto [it, fresh] = pipe_calls.try_emplace(call, PipeCall{s.name, Instance{iv.first, iv.second, 0}});
    if (!fresh) {
      it->second.extent.start = std::min(it->second.extent.start, iv.first);
      it->second.extent.end = std::max(it->second.extent.end, iv.second);
    }
  }
  std::map<std::string, double> pipe_wall_ns;
  for (const auto& [call, pc] : pipe_calls) {
    const PipeTimes& p = pipe_times[call];
    PipeMetrics& pm = pipes[pc.name];
    pm.name = pc.name;
    ++pm.calls;
    pm.mte2_ms += p.mte2 / 1e6;
    pm.v_ms += p.v / 1e6;
    pm.mte3_ms += p.mte3 / 1e6;
    pm.gm_bytes = saturating_add(pm.gm_bytes, p.bytes);
    pipe_wall_ns[pc.name] += static_cast<double>(length(pc.extent.start, pc.extent.end));
  }
  for (auto& [name, pm] : pipes) {
    const double wall = pipe_wall_ns[name];
    pm.gbps = wall > 0.0 && pm.gm_bytes != 0 ? static_cast<double>(pm.gm_bytes) / wall : 0.0;
    pm.peak_pct = m.peak_gbps > 0.0 && pm.gm_bytes != 0 ? 100.0 * pm.gbps / m.peak_gbps : -1.0;
    pm.vector_pct = pct(pm.v_ms, pm.block_ms);
    pm.dma_pct = pct(pm.mte2_ms + pm.mte3_ms, pm.block_ms);
    m.pipes.push_back(std::move(pm));
  }
  std::stable_sort(m.pipes.begin(), m.pipes.end(),
                   [](const PipeMetrics& a, const PipeMetrics& b) { return a.block_ms > b.block_ms; });
  for (const auto& [key, calls] : rows) {
    OpMetrics op;
    op.kind = static_cast<SpanKind>(std::get<0>(key));
    op.name = std::get<1>(key);
    op.shape = std::get<2>(key);
    double ns = 0.0;
    std::vector<Interval> spans;  // of the calls, for the share of the run they cover
    for (const auto& [call, inst] : calls) {
      ++op.calls;
      ns += static_cast<double>(length(inst.start, inst.end));
      op.bytes = saturating_add(op.bytes, inst.bytes);
      spans.emplace_back(inst.start, inst.end);
    }
    op.total_ms = ns / 1e6;
    op.mean_us = op.calls != 0 ? ns / 1e3 / static_cast<double>(op.calls) : 0.0;
    op.gbps = ns > 0.0 && op.bytes != 0 ? static_cast<double>(op.bytes) / ns : 0.0;
    op.peak_pct = m.peak_gbps > 0.0 && op.bytes != 0 ? 100.0 * op.gbps / m.peak_gbps : -1.0;
    op.share_pct = pct(static_cast<double>(merge(spans)), wall_ns);
    m.ops.push_back(std::move(op));
  }
  std::stable_sort(m.ops.begin(), m.ops.end(),
                   [](const OpMetrics& a, const OpMetrics& b) { return a.total_ms > b.total_ms; });
  return m;
}

}  // namespace vnpu::profiler
