// Metrics of a trace: per-op bandwidth, lane busy time, copy/compute overlap, barriers
// and waits. Everything is computed from span intervals; busy time is the length of the
// union of a lane's spans, so nested spans (a barrier inside a kernel block) count once.
#include <algorithm>
#include <map>
#include <tuple>
#include <utility>
#include <vector>

#include "vnpu/profiler.hpp"

namespace vnpu::profiler {

namespace {

using Interval = std::pair<std::int64_t, std::int64_t>;

// Sorts and merges `v` into disjoint intervals; returns their total length.
std::int64_t merge(std::vector<Interval>& v) {
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
  std::int64_t total = 0;
  for (const Interval& iv : v) total += iv.second - iv.first;
  return total;
}

// Length of the intersection of two merged interval lists.
std::int64_t intersection(const std::vector<Interval>& a, const std::vector<Interval>& b) {
  std::int64_t total = 0;
  std::size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    const std::int64_t lo = std::max(a[i].first, b[j].first);
    const std::int64_t hi = std::min(a[i].second, b[j].second);
    if (hi > lo) total += hi - lo;
    if (a[i].second < b[j].second) ++i;
    else ++j;
  }
  return total;
}

bool is_task(SpanKind k) {
  return k == SpanKind::kKernel || k == SpanKind::kCopy || k == SpanKind::kMemset || k == SpanKind::kCallback;
}

struct Instance {
  std::int64_t start = 0;
  std::int64_t end = 0;
  std::uint64_t bytes = 0;
};

double pct(double part, double whole) { return whole > 0.0 ? 100.0 * part / whole : 0.0; }

}  // namespace

Metrics compute_metrics(const Trace& trace, double peak_gbps) {
  Metrics m;
  m.peak_gbps = peak_gbps > 0.0 ? peak_gbps : 0.0;
  m.dropped = trace.dropped;
  std::int64_t t0 = 0, t1 = 0;
  bool any = false;
  for (const Span& s : trace.spans) {
    t0 = any ? std::min(t0, s.start_ns) : s.start_ns;
    t1 = any ? std::max(t1, s.end_ns) : s.end_ns;
    any = true;
  }
  const double wall_ns = any ? static_cast<double>(t1 - t0) : 0.0;
  m.wall_ms = wall_ns / 1e6;

  // Per lane busy time, and the unions of all copies and all kernels.
  using LaneKey = std::tuple<int, int, std::uint32_t>;
  std::map<LaneKey, std::vector<Interval>> per_lane;
  std::map<LaneKey, std::uint64_t> per_lane_count;
  std::vector<Interval> copies, kernels;
  std::int64_t barrier_ns = 0, host_wait_ns = 0, event_wait_ns = 0;
  for (const Span& s : trace.spans) {
    const LaneKey key{s.device, static_cast<int>(s.lane_kind), s.lane};
    per_lane[key].emplace_back(s.start_ns, s.end_ns);
    ++per_lane_count[key];
    if (s.kind == SpanKind::kCopy || s.kind == SpanKind::kMemset) copies.emplace_back(s.start_ns, s.end_ns);
    if (s.kind == SpanKind::kKernel) kernels.emplace_back(s.start_ns, s.end_ns);
    if (s.kind == SpanKind::kBarrier) {
      barrier_ns += s.end_ns - s.start_ns;
      ++m.barrier_waits;
    }
    if (s.kind == SpanKind::kHostWait) host_wait_ns += s.end_ns - s.start_ns;
    if (s.kind == SpanKind::kEvent) event_wait_ns += s.end_ns - s.start_ns;
  }
  merge(copies);
  merge(kernels);
  m.overlap_pct = pct(static_cast<double>(intersection(copies, kernels)), wall_ns);
  m.barrier_ms = static_cast<double>(barrier_ns) / 1e6;
  m.barrier_mean_us = m.barrier_waits != 0 ? static_cast<double>(barrier_ns) / 1e3 / static_cast<double>(m.barrier_waits) : 0.0;
  m.host_wait_ms = static_cast<double>(host_wait_ns) / 1e6;
  m.event_wait_ms = static_cast<double>(event_wait_ns) / 1e6;

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
  std::map<RowKey, std::map<CallKey, Instance>> rows;
  for (const Span& s : trace.spans) {
    if (!is_task(s.kind)) continue;
    const bool tagged = s.op_id != 0;
    const RowKey row{static_cast<int>(s.kind), tagged ? s.op : s.name, tagged ? s.shape : std::string()};
    const CallKey call = tagged ? CallKey{s.op_id, 0, 0, 0} : CallKey{0, s.device, s.stream, s.seq};
    auto [it, fresh] = rows[row].try_emplace(call, Instance{s.start_ns, s.end_ns, tagged ? s.op_bytes : 0});
    Instance& inst = it->second;
    if (!fresh) {
      inst.start = std::min(inst.start, s.start_ns);
      inst.end = std::max(inst.end, s.end_ns);
    }
    if (!tagged) inst.bytes += s.bytes;
  }
  for (const auto& [key, calls] : rows) {
    OpMetrics op;
    op.kind = static_cast<SpanKind>(std::get<0>(key));
    op.name = std::get<1>(key);
    op.shape = std::get<2>(key);
    std::int64_t ns = 0;
    for (const auto& [call, inst] : calls) {
      ++op.calls;
      ns += inst.end - inst.start;
      op.bytes += inst.bytes;
    }
    op.total_ms = static_cast<double>(ns) / 1e6;
    op.mean_us = op.calls != 0 ? static_cast<double>(ns) / 1e3 / static_cast<double>(op.calls) : 0.0;
    op.gbps = ns > 0 && op.bytes != 0 ? static_cast<double>(op.bytes) / static_cast<double>(ns) : 0.0;
    op.peak_pct = m.peak_gbps > 0.0 && op.bytes != 0 ? 100.0 * op.gbps / m.peak_gbps : -1.0;
    op.share_pct = pct(static_cast<double>(ns), wall_ns);
    m.ops.push_back(std::move(op));
  }
  std::stable_sort(m.ops.begin(), m.ops.end(),
                   [](const OpMetrics& a, const OpMetrics& b) { return a.total_ms > b.total_ms; });
  return m;
}

}  // namespace vnpu::profiler
