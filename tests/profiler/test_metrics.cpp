// Metrics on synthetic traces with known bytes and times, and on a real run with lower
// bounds only (sleeps guarantee a minimum, never a maximum).
#include <algorithm>
#include <cmath>
#include <limits>
#include <thread>

#include "profiler/profiler_support.hpp"

namespace vnpu::test {
namespace {

using profiler::Metrics;
using profiler::OpMetrics;

constexpr std::int64_t kMs = 1'000'000;

Span make_span(SpanKind kind, LaneKind lane_kind, std::uint32_t lane, std::string name, std::int64_t start_ms,
               std::int64_t end_ms, std::uint64_t bytes = 0) {
  Span s;
  s.kind = kind;
  s.lane_kind = lane_kind;
  s.lane = lane;
  s.device = lane_kind == LaneKind::kHostThread ? -1 : 0;
  s.name = std::move(name);
  s.start_ns = start_ms * kMs;
  s.end_ns = end_ms * kMs;
  s.bytes = bytes;
  return s;
}

Trace two_core_trace() {
  Trace t;
  t.devices.push_back({0, "d", 2, 1});
  t.lanes = {{0, LaneKind::kComputeCore, 0, "compute core 0"},
             {0, LaneKind::kComputeCore, 1, "compute core 1"},
             {0, LaneKind::kCopyEngine, 0, "copy engine 0"}};
  return t;
}

const OpMetrics* find_op(const Metrics& m, const std::string& name) {
  for (const OpMetrics& op : m.ops)
    if (op.name == name) return &op;
  return nullptr;
}

TEST(Metrics, EmptyTraceGivesZeros) {
  const Metrics m = profiler::compute_metrics(Trace{}, 10.0);
  EXPECT_EQ(m.wall_ms, 0.0);
  EXPECT_EQ(m.overlap_pct, 0.0);
  EXPECT_EQ(m.compute_busy_pct, 0.0);
  EXPECT_TRUE(m.ops.empty());
}

TEST(Metrics, BusyOverlapAndBandwidthOfAKnownSchedule) {
  // copy engine: 0..10 ms, 100 MB. core 0: kernel 5..15 ms. core 1: kernel 0..5 ms.
  Trace t = two_core_trace();
  Span copy = make_span(SpanKind::kCopy, LaneKind::kCopyEngine, 0, "memcpy_h2d", 0, 10, 100'000'000);
  copy.seq = 1;
  Span k0 = make_span(SpanKind::kKernel, LaneKind::kComputeCore, 0, "kern", 5, 15);
  k0.seq = 2;
  Span k1 = make_span(SpanKind::kKernel, LaneKind::kComputeCore, 1, "kern", 0, 5);
  k1.seq = 3;
  t.spans = {copy, k0, k1};
  const Metrics m = profiler::compute_metrics(t, 20.0);
  EXPECT_DOUBLE_EQ(m.wall_ms, 15.0);
  EXPECT_NEAR(m.overlap_pct, 100.0 * 10.0 / 15.0, 1e-9) << "a kernel runs during all 10 ms of the copy";
  EXPECT_NEAR(m.compute_busy_pct, 100.0 * (10.0 + 5.0) / 2.0 / 15.0, 1e-9);
  EXPECT_NEAR(m.copy_busy_pct, 100.0 * 10.0 / 15.0, 1e-9);
  const OpMetrics* c = find_op(m, "memcpy_h2d");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->calls, 1u);
  EXPECT_EQ(c->bytes, 100'000'000u);
  EXPECT_NEAR(c->gbps, 10.0, 1e-9);  // 1e8 B in 1e7 ns
  EXPECT_NEAR(c->peak_pct, 50.0, 1e-9);
  const OpMetrics* k = find_op(m, "kern");
  ASSERT_NE(k, nullptr);
  EXPECT_EQ(k->calls, 2u);
  EXPECT_NEAR(k->total_ms, 15.0, 1e-9);
  EXPECT_NEAR(k->mean_us, 7500.0, 1e-6);
  EXPECT_EQ(k->peak_pct, -1.0) << "no bytes: no bandwidth";
  ASSERT_EQ(m.lanes.size(), 3u);
  EXPECT_NEAR(m.lanes[0].busy_ms, 10.0, 1e-9);
  EXPECT_NEAR(m.lanes[1].busy_ms, 5.0, 1e-9);
  EXPECT_EQ(m.ops.front().name, "kern") << "longest first";
}

TEST(Metrics, NoOverlapWhenCopiesAndKernelsAlternate) {
  Trace t = two_core_trace();
  t.spans = {make_span(SpanKind::kCopy, LaneKind::kCopyEngine, 0, "c", 0, 4, 4),
             make_span(SpanKind::kKernel, LaneKind::kComputeCore, 0, "k", 4, 8),
             make_span(SpanKind::kMemset, LaneKind::kCopyEngine, 0, "m", 8, 10, 4)};
  t.spans[1].seq = 2;
  t.spans[2].seq = 3;
  const Metrics m = profiler::compute_metrics(t);
  EXPECT_EQ(m.overlap_pct, 0.0);
  EXPECT_EQ(m.peak_gbps, 0.0);
  EXPECT_EQ(find_op(m, "c")->peak_pct, -1.0) << "peak unknown";
}

TEST(Metrics, ATaggedOperatorCountsItsBytesOncePerCall) {
  // One call = two kernels (4 blocks in all) between 0 and 8 ms, moving 80 MB; a second
  // call 10..14 ms moving 80 MB.
  Trace t = two_core_trace();
  auto tagged = [](Span s, std::uint64_t id) {
    s.op = "reduce_sum";
    s.shape = "f32[100]";
    s.op_bytes = 80'000'000;
    s.op_id = id;
    return s;
  };
  t.spans = {tagged(make_span(SpanKind::kKernel, LaneKind::kComputeCore, 0, "reduce_sum", 0, 4), 1),
             tagged(make_span(SpanKind::kKernel, LaneKind::kComputeCore, 1, "reduce_sum", 0, 3), 1),
             tagged(make_span(SpanKind::kKernel, LaneKind::kComputeCore, 0, "reduce_sum_finish", 4, 8), 1),
             tagged(make_span(SpanKind::kKernel, LaneKind::kComputeCore, 1, "reduce_sum_finish", 4, 6), 1),
             tagged(make_span(SpanKind::kKernel, LaneKind::kComputeCore, 0, "reduce_sum", 10, 14), 2)};
  const Metrics m = profiler::compute_metrics(t, 40.0);
  ASSERT_EQ(m.ops.size(), 1u);
  const OpMetrics& op = m.ops[0];
  EXPECT_EQ(op.name, "reduce_sum");
  EXPECT_EQ(op.shape, "f32[100]");
  EXPECT_EQ(op.calls, 2u);
  EXPECT_NEAR(op.total_ms, 12.0, 1e-9);
  EXPECT_EQ(op.bytes, 160'000'000u);
  EXPECT_NEAR(op.gbps, 160e6 / 12e6, 1e-9);
  EXPECT_NEAR(op.peak_pct, 100.0 * (160e6 / 12e6) / 40.0, 1e-9);
  EXPECT_NEAR(op.share_pct, 100.0 * 12.0 / 14.0, 1e-9);
}

TEST(Metrics, BarriersAndWaitsAreSummedAndNestedSpansCountOnce) {
  Trace t = two_core_trace();
  t.lanes.push_back({-1, LaneKind::kHostThread, 0, "host thread 0"});
  t.spans = {make_span(SpanKind::kKernel, LaneKind::kComputeCore, 0, "k", 0, 10),
             make_span(SpanKind::kBarrier, LaneKind::kComputeCore, 0, "sync_all", 2, 5),
             make_span(SpanKind::kBarrier, LaneKind::kComputeCore, 0, "sync_all", 6, 7),
             make_span(SpanKind::kHostWait, LaneKind::kHostThread, 0, "stream_synchronize", 0, 10),
             make_span(SpanKind::kEvent, LaneKind::kStream, 1, "event_wait", 1, 3)};
  const Metrics m = profiler::compute_metrics(t);
  EXPECT_EQ(m.barrier_waits, 2u);
  EXPECT_NEAR(m.barrier_ms, 4.0, 1e-9);
  EXPECT_NEAR(m.barrier_mean_us, 2000.0, 1e-6);
  EXPECT_NEAR(m.host_wait_ms, 10.0, 1e-9);
  EXPECT_NEAR(m.event_wait_ms, 2.0, 1e-9);
  EXPECT_NEAR(m.lanes[0].busy_ms, 10.0, 1e-9) << "barriers inside the kernel add no busy time";
  EXPECT_EQ(m.lanes[0].spans, 3u);
  EXPECT_NEAR(m.compute_busy_pct, 50.0, 1e-9);  // core 0 busy all the time, core 1 idle
  EXPECT_EQ(find_op(m, "sync_all"), nullptr) << "barriers are not ops";
}

// Every figure finite and non-negative, every share of the run within [0, 100] %.
void expect_sane(const Metrics& m) {
  for (double v : {m.wall_ms, m.barrier_ms, m.barrier_mean_us, m.host_wait_ms, m.event_wait_ms})
    EXPECT_TRUE(std::isfinite(v) && v >= 0.0) << v;
  for (double pct : {m.compute_busy_pct, m.copy_busy_pct, m.overlap_pct}) {
    EXPECT_GE(pct, 0.0);
    EXPECT_LE(pct, 100.0);
  }
  for (const profiler::LaneMetrics& l : m.lanes) {
    EXPECT_TRUE(std::isfinite(l.busy_ms) && l.busy_ms >= 0.0) << l.lane.name << " busy " << l.busy_ms;
    EXPECT_GE(l.busy_pct, 0.0) << l.lane.name;
    EXPECT_LE(l.busy_pct, 100.0) << l.lane.name;
  }
  for (const OpMetrics& op : m.ops) {
    for (double v : {op.total_ms, op.mean_us, op.gbps})
      EXPECT_TRUE(std::isfinite(v) && v >= 0.0) << op.name << ": " << v;
    EXPECT_TRUE(std::isfinite(op.peak_pct)) << op.name;
    EXPECT_GE(op.share_pct, 0.0) << op.name;
    EXPECT_LE(op.share_pct, 100.0) << op.name;
  }
}

TEST(Metrics, CollectivesAreBusyWorkOfTheirCommLaneAndGetBandwidth) {
  // comm lane 0: an all-reduce 0..10 ms moving 100 MB (sent plus received), then 20..25 ms
  // another moving 50 MB; comm lane 1 idle; core 0 runs a kernel 0..25 ms.
  Trace t = two_core_trace();
  t.lanes.push_back({0, LaneKind::kCommLane, 0, "comm lane 0"});
  t.lanes.push_back({0, LaneKind::kCommLane, 1, "comm lane 1"});
  Span a = make_span(SpanKind::kCollective, LaneKind::kCommLane, 0, "all_reduce", 0, 10, 100'000'000);
  a.seq = 1;
  Span b = make_span(SpanKind::kCollective, LaneKind::kCommLane, 0, "all_reduce", 20, 25, 50'000'000);
  b.seq = 2;
  Span k = make_span(SpanKind::kKernel, LaneKind::kComputeCore, 0, "k", 0, 25);
  k.stream = 2;
  t.spans = {a, b, k};
  const Metrics m = profiler::compute_metrics(t, 20.0);
  expect_sane(m);
  ASSERT_EQ(m.lanes.size(), 5u);
  EXPECT_EQ(m.lanes[3].lane.name, "comm lane 0");
  EXPECT_EQ(m.lanes[3].spans, 2u);
  EXPECT_NEAR(m.lanes[3].busy_ms, 15.0, 1e-9);
  EXPECT_NEAR(m.lanes[3].busy_pct, 60.0, 1e-9);
  EXPECT_EQ(m.lanes[4].busy_ms, 0.0);
  EXPECT_EQ(m.copy_busy_pct, 0.0) << "collectives are not copy-engine work";
  const OpMetrics* op = find_op(m, "all_reduce");
  ASSERT_NE(op, nullptr);
  EXPECT_EQ(op->kind, SpanKind::kCollective);
  EXPECT_EQ(op->calls, 2u);
  EXPECT_NEAR(op->total_ms, 15.0, 1e-9);
  EXPECT_EQ(op->bytes, 150'000'000u);
  EXPECT_NEAR(op->gbps, 10.0, 1e-9);  // 1.5e8 B in 1.5e7 ns
  EXPECT_NEAR(op->peak_pct, 50.0, 1e-9);
  EXPECT_NEAR(op->share_pct, 60.0, 1e-9);
}

TEST(Metrics, ConcurrentCallsOfOneOpShareAtMostTheWholeRun) {
  // Two calls of "k" on two streams at once, 0..10 ms each: 20 ms of calls in 10 ms.
  Trace t = two_core_trace();
  Span a = make_span(SpanKind::kKernel, LaneKind::kComputeCore, 0, "k", 0, 10);
  Span b = make_span(SpanKind::kKernel, LaneKind::kComputeCore, 1, "k", 0, 10);
  a.stream = 1;
  b.stream = 2;
  t.spans = {a, b};
  const Metrics m = profiler::compute_metrics(t);
  expect_sane(m);
  ASSERT_EQ(m.ops.size(), 1u);
  EXPECT_NEAR(m.ops[0].total_ms, 20.0, 1e-9);
  EXPECT_NEAR(m.ops[0].share_pct, 100.0, 1e-9) << "the share of the run during which a call ran";
}

TEST(Metrics, ASpanEndingBeforeItStartsCountsAsAnInstant) {
  Trace t = two_core_trace();
  t.spans = {make_span(SpanKind::kKernel, LaneKind::kComputeCore, 0, "k", 0, 10),
             make_span(SpanKind::kKernel, LaneKind::kComputeCore, 1, "backwards", 8, 2),
             make_span(SpanKind::kBarrier, LaneKind::kComputeCore, 0, "sync_all", 6, 1)};
  const Metrics m = profiler::compute_metrics(t);
  expect_sane(m);
  EXPECT_NEAR(m.wall_ms, 10.0, 1e-9);
  EXPECT_EQ(m.lanes[1].busy_ms, 0.0);
  EXPECT_EQ(m.barrier_ms, 0.0);
  EXPECT_EQ(find_op(m, "backwards")->total_ms, 0.0);
}

TEST(Metrics, ExtremeTimesAndCountsDoNotOverflow) {
  constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  constexpr std::uint64_t kAllBytes = std::numeric_limits<std::uint64_t>::max();
  Trace t = two_core_trace();
  t.lanes.push_back({-1, LaneKind::kHostThread, 0, "host thread 0"});
  auto at = [](Span s, std::int64_t start, std::int64_t end) {
    s.start_ns = start;
    s.end_ns = end;
    return s;
  };
  Span c1 = at(make_span(SpanKind::kCopy, LaneKind::kCopyEngine, 0, "c", 0, 0, kAllBytes), kMin, kMin + 10);
  Span c2 = at(make_span(SpanKind::kCopy, LaneKind::kCopyEngine, 0, "c", 0, 0, kAllBytes), kMax - 10, kMax);
  c2.seq = 2;
  t.spans = {c1, c2,
             at(make_span(SpanKind::kKernel, LaneKind::kComputeCore, 0, "k", 0, 0), kMin, kMax),
             at(make_span(SpanKind::kKernel, LaneKind::kComputeCore, 1, "k", 0, 0), kMin, kMax),
             at(make_span(SpanKind::kBarrier, LaneKind::kComputeCore, 0, "sync_all", 0, 0), kMin, kMax),
             at(make_span(SpanKind::kBarrier, LaneKind::kComputeCore, 1, "sync_all", 0, 0), kMin, kMax),
             at(make_span(SpanKind::kHostWait, LaneKind::kHostThread, 0, "w", 0, 0), kMin, kMax),
             at(make_span(SpanKind::kHostWait, LaneKind::kHostThread, 0, "w", 0, 0), kMin, kMax)};
  const Metrics m = profiler::compute_metrics(t, 10.0);
  expect_sane(m);
  const double all_ms = 18446744073709551615.0 / 1e6;  // 2^64 - 1 ns
  EXPECT_NEAR(m.wall_ms, all_ms, all_ms * 1e-12);
  EXPECT_NEAR(m.compute_busy_pct, 100.0, 1e-9);
  EXPECT_NEAR(m.barrier_ms, 2 * all_ms, all_ms * 1e-12);
  EXPECT_NEAR(m.host_wait_ms, 2 * all_ms, all_ms * 1e-12);
  const OpMetrics* c = find_op(m, "c");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->bytes, kAllBytes) << "a byte total that does not fit saturates";
  EXPECT_NEAR(c->total_ms, 20e-6, 1e-12);
}

TEST(Metrics, ARealRunHasAtLeastTheSleptTimes) {
  Device dev = make_device(1).value();
  Stream s = dev.create_stream().value();
  ASSERT_OK(profiler::start());
  ASSERT_OK(s.launch("sleep_20ms", 1, [](const KernelContext&) { std::this_thread::sleep_for(std::chrono::milliseconds(20)); }));
  ASSERT_OK(s.synchronize());
  ASSERT_OK(profiler::stop());
  const Trace t = profiler::collect();
  const Metrics m = profiler::compute_metrics(t, 10.0);
  EXPECT_GE(m.wall_ms, 20.0);
  const OpMetrics* k = find_op(m, "sleep_20ms");
  ASSERT_NE(k, nullptr);
  EXPECT_GE(k->total_ms, 20.0);
  EXPECT_GT(m.compute_busy_pct, 0.0);
  // The host's wait ends after the kernel (how long it lasted depends on when it began).
  const auto kernel = spans_named(t, "sleep_20ms");
  const auto wait = spans_named(t, "stream_synchronize");
  ASSERT_EQ(kernel.size(), 1u);
  ASSERT_EQ(wait.size(), 1u);
  EXPECT_GE(wait[0].end_ns, kernel[0].end_ns);
  EXPECT_NEAR(m.host_wait_ms, static_cast<double>(wait[0].end_ns - wait[0].start_ns) / 1e6, 1e-9);
}

}  // namespace
TEST(Metrics, AscendCKernelsByPipe) {
  // Kernel "k" (stream 1, seq 1) on two cores, 10 ms each, with pipe spans inside; another
  // kernel without pipe spans gets no row.
  auto on = [](Span s, std::uint64_t seq) {
    s.stream = 1;
    s.seq = seq;
    return s;
  };
  Trace t;
  t.lanes = {{0, LaneKind::kComputeCore, 0, "compute core 0"}, {0, LaneKind::kComputeCore, 1, "compute core 1"}};
  t.spans = {on(make_span(SpanKind::kKernel, LaneKind::kComputeCore, 0, "k", 0, 10), 1),
             on(make_span(SpanKind::kKernel, LaneKind::kComputeCore, 1, "k", 0, 10), 1),
             on(make_span(SpanKind::kPipe, LaneKind::kComputeCore, 0, "MTE2 DataCopy", 0, 2, 1000), 1),
             on(make_span(SpanKind::kPipe, LaneKind::kComputeCore, 0, "V Add", 2, 7), 1),
             on(make_span(SpanKind::kPipe, LaneKind::kComputeCore, 0, "MTE3 DataCopy", 7, 8, 500), 1),
             on(make_span(SpanKind::kPipe, LaneKind::kComputeCore, 1, "MTE2 DataCopy", 0, 4, 1000), 1),
             on(make_span(SpanKind::kPipe, LaneKind::kComputeCore, 1, "V Exp", 4, 5), 1),
             on(make_span(SpanKind::kKernel, LaneKind::kComputeCore, 0, "plain", 20, 30), 2)};
  const Metrics m = compute_metrics(t, 1.0);
  ASSERT_EQ(m.pipes.size(), 1u);
  const auto& p = m.pipes[0];
  EXPECT_EQ(p.name, "k");
  EXPECT_EQ(p.calls, 1u);
  EXPECT_DOUBLE_EQ(p.block_ms, 20.0);
  EXPECT_DOUBLE_EQ(p.mte2_ms, 6.0);
  EXPECT_DOUBLE_EQ(p.v_ms, 6.0);
  EXPECT_DOUBLE_EQ(p.mte3_ms, 1.0);
  EXPECT_EQ(p.gm_bytes, 2500u);
  EXPECT_DOUBLE_EQ(p.gbps, 2500.0 / 10e6);  // over the launch's 10 ms
  EXPECT_DOUBLE_EQ(p.peak_pct, 100.0 * 2500.0 / 10e6);
  EXPECT_DOUBLE_EQ(p.vector_pct, 30.0);
  EXPECT_DOUBLE_EQ(p.dma_pct, 35.0);
  // The op table counts the kernel's GM bytes too.
  const auto row = std::find_if(m.ops.begin(), m.ops.end(), [](const auto& op) { return op.name == "k"; });
  ASSERT_NE(row, m.ops.end());
  EXPECT_EQ(row->bytes, 2500u);
}

}  // namespace vnpu::test
