// Capture: every task becomes spans on the right lanes, in stream order, with its stream,
// sequence number and bytes; spans on one lane nest or are disjoint.
#include <cstring>
#include <set>
#include <string>
#include <span>
#include <thread>
#include <vector>

#include "profiler/profiler_support.hpp"
#include "vnpu/ops/reduce.hpp"

namespace vnpu::test {
namespace {

using namespace std::chrono_literals;

// Every test starts a fresh session and stops it at the end, even on failure.
class ProfilerTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_OK(profiler::start()); }
  void TearDown() override { (void)profiler::stop(); }
  static Trace stop_and_collect() {
    EXPECT_OK(profiler::stop());
    return profiler::collect();
  }
};

TEST_F(ProfilerTest, KernelBlocksBecomeSpansOnComputeCores) {
  Device dev = make_device(2).value();
  Stream s = dev.create_stream().value();
  constexpr int kLaunches = 10;
  constexpr std::uint32_t kBlocks = 4;
  for (int i = 0; i < kLaunches; ++i) ASSERT_OK(s.launch("blocks", kBlocks, [](const KernelContext&) {}));
  ASSERT_OK(s.synchronize());
  const Trace t = stop_and_collect();
  const auto spans = spans_named(t, "blocks");
  ASSERT_EQ(spans.size(), static_cast<std::size_t>(kLaunches * kBlocks));
  std::map<std::uint64_t, std::set<std::uint32_t>> blocks_of_seq;
  for (const Span& sp : spans) {
    EXPECT_EQ(sp.kind, SpanKind::kKernel);
    EXPECT_EQ(sp.lane_kind, LaneKind::kComputeCore);
    EXPECT_LT(sp.lane, 2u);
    EXPECT_EQ(sp.device, dev.info().id);
    EXPECT_EQ(sp.stream, s.id());
    EXPECT_EQ(sp.blocks, kBlocks);
    EXPECT_LE(sp.start_ns, sp.end_ns);
    EXPECT_EQ(sp.bytes, 0u);
    blocks_of_seq[sp.seq].insert(sp.block);
  }
  ASSERT_EQ(blocks_of_seq.size(), static_cast<std::size_t>(kLaunches));
  std::uint64_t expect_seq = 1;
  for (const auto& [seq, blocks] : blocks_of_seq) {
    EXPECT_EQ(seq, expect_seq++);
    EXPECT_EQ(blocks.size(), kBlocks) << "every block of launch " << seq << " has its own span";
  }
  EXPECT_TRUE(has_lane(t, dev.info().id, LaneKind::kComputeCore, 0));
  EXPECT_TRUE(has_lane(t, dev.info().id, LaneKind::kComputeCore, 1));
  EXPECT_TRUE(has_lane(t, dev.info().id, LaneKind::kCopyEngine, 0));
  EXPECT_EQ(lane_nesting_error(t), "");
}

TEST_F(ProfilerTest, LongRunsKeepEverySpanInOrderAcrossBufferChunks) {
  // One core records every span in one buffer, whose chunks grow from 512 to 16384 spans.
  Device dev = make_device(1).value();
  Stream s = dev.create_stream().value();
  const int n = scaled(40000, 20000);
  for (int i = 0; i < n; ++i) ASSERT_OK(s.launch("tiny", 1, [](const KernelContext&) {}));
  ASSERT_OK(s.synchronize());
  const Trace t = stop_and_collect();
  const auto spans = spans_named(t, "tiny");
  ASSERT_EQ(spans.size(), static_cast<std::size_t>(n));
  for (std::size_t i = 0; i < spans.size(); ++i) {
    ASSERT_EQ(spans[i].seq, i + 1) << "spans sorted by start follow the stream order";
    if (i > 0) {
      ASSERT_GE(spans[i].start_ns, spans[i - 1].end_ns);
    }
  }
  EXPECT_EQ(t.dropped, 0u);
}

TEST_F(ProfilerTest, StreamOrderHoldsInTheSpans) {
  Device dev = make_device(2).value();
  Stream s = dev.create_stream().value();
  const std::size_t bytes = std::size_t{1} << 20;
  void* a = dev.malloc(bytes).value();
  void* b = dev.malloc(bytes).value();
  for (int i = 0; i < 20; ++i) {
    ASSERT_OK(s.memset_async(a, bytes, i, bytes));
    ASSERT_OK(s.launch("step", 2, [](const KernelContext&) {}));
    ASSERT_OK(s.memcpy_async(b, bytes, a, bytes, CopyKind::kDeviceToDevice));
  }
  ASSERT_OK(s.synchronize());
  const Trace t = stop_and_collect();
  // All spans of task k end before any span of task k + 1 starts.
  std::map<std::uint64_t, std::pair<std::int64_t, std::int64_t>> task_range;
  for (const Span& sp : spans_where(t, [&](const Span& x) { return x.stream == s.id() && x.device == dev.info().id &&
                                                                    x.kind != SpanKind::kHostWait; })) {
    auto [it, fresh] = task_range.try_emplace(sp.seq, sp.start_ns, sp.end_ns);
    if (!fresh) {
      it->second.first = std::min(it->second.first, sp.start_ns);
      it->second.second = std::max(it->second.second, sp.end_ns);
    }
  }
  ASSERT_EQ(task_range.size(), 60u);
  std::int64_t prev_end = -1;
  for (const auto& [seq, range] : task_range) {
    EXPECT_GE(range.first, prev_end) << "task " << seq << " started before task " << seq - 1 << " ended";
    prev_end = range.second;
  }
  EXPECT_EQ(lane_nesting_error(t), "");
  (void)vnpu::free(a);
  (void)vnpu::free(b);
}

TEST_F(ProfilerTest, CopiesAndMemsetsRunOnCopyEngineLanesWithTheirBytes) {
  Device dev = make_device(1, 2).value();
  Stream s = dev.create_stream().value();
  const std::size_t big = std::size_t{6} << 20;  // split across both engines
  const std::size_t small = 4096 + 7;
  void* d = dev.malloc(big).value();
  void* h = dev.malloc_host(big).value();
  std::vector<unsigned char> pageable(small, 3);
  ASSERT_OK(s.memcpy_async(d, big, h, big, CopyKind::kHostToDevice));
  ASSERT_OK(s.memcpy_async(d, big, pageable.data(), small, CopyKind::kHostToDevice));
  ASSERT_OK(s.memset_async(d, big, 0, big));
  ASSERT_OK(s.memcpy_async(h, big, d, small, CopyKind::kDeviceToHost));
  ASSERT_OK(s.synchronize());
  const Trace t = stop_and_collect();
  std::map<std::uint64_t, std::uint64_t> bytes_of_seq;
  std::map<std::uint64_t, SpanKind> kind_of_seq;
  for (const Span& sp : spans_where(t, [&](const Span& x) {
         return x.kind == SpanKind::kCopy || x.kind == SpanKind::kMemset;
       })) {
    EXPECT_EQ(sp.lane_kind, LaneKind::kCopyEngine) << sp.name;
    EXPECT_LT(sp.lane, 2u);
    bytes_of_seq[sp.seq] += sp.bytes;
    kind_of_seq[sp.seq] = sp.kind;
  }
  ASSERT_EQ(bytes_of_seq.size(), 4u);
  EXPECT_EQ(bytes_of_seq[1], big);
  EXPECT_EQ(bytes_of_seq[2], small);
  EXPECT_EQ(bytes_of_seq[3], big);
  EXPECT_EQ(bytes_of_seq[4], small);
  EXPECT_EQ(kind_of_seq[3], SpanKind::kMemset);
  EXPECT_EQ(spans_where(t, [](const Span& x) { return x.seq == 1 && x.kind == SpanKind::kCopy; }).size(), 2u)
      << "a copy split across two engines has one span per part";
  EXPECT_EQ(spans_named(t, "memcpy_h2d").size(), 3u);
  EXPECT_EQ(spans_named(t, "memcpy_d2h").size(), 1u);
  EXPECT_EQ(lane_nesting_error(t), "");
  (void)vnpu::free(d);
  (void)vnpu::free_host(h);
}

TEST_F(ProfilerTest, SynchronousCopiesAndMemsetsAreSpansOnTheCallingThread) {
  Device dev = make_device(1, 2).value();
  const std::size_t n = std::size_t{1} << 20;
  void* d = dev.malloc(n).value();
  std::vector<unsigned char> host(n, 5);
  ASSERT_OK(vnpu::memcpy(d, n, host.data(), n, CopyKind::kHostToDevice));
  ASSERT_OK(vnpu::memset(d, n, 0, n / 2));
  ASSERT_OK(vnpu::memcpy(host.data(), n, d, 100, CopyKind::kDeviceToHost));
  const Trace t = stop_and_collect();
  const Span h2d = only_span(t, "memcpy_h2d"), set = only_span(t, "memset"), d2h = only_span(t, "memcpy_d2h");
  EXPECT_EQ(h2d.kind, SpanKind::kCopy);
  EXPECT_EQ(set.kind, SpanKind::kMemset);
  EXPECT_EQ(d2h.kind, SpanKind::kCopy);
  EXPECT_EQ(h2d.bytes, n);
  EXPECT_EQ(set.bytes, n / 2);
  EXPECT_EQ(d2h.bytes, 100u);
  for (const Span* sp : {&h2d, &set, &d2h}) {
    EXPECT_EQ(sp->lane_kind, LaneKind::kHostThread) << sp->name;
    EXPECT_EQ(sp->device, -1) << sp->name;
    EXPECT_EQ(sp->lane, h2d.lane) << "one calling thread, one lane";
  }
  EXPECT_LE(h2d.end_ns, set.start_ns);
  EXPECT_LE(set.end_ns, d2h.start_ns);
  EXPECT_EQ(lane_nesting_error(t), "");
  EXPECT_OK(vnpu::free(d));
}

TEST_F(ProfilerTest, ACopyInsideAKernelNestsInItsBlock) {
  Device dev = make_device(1).value();
  Stream s = dev.create_stream().value();
  void* a = dev.malloc(4096).value();
  void* b = dev.malloc(4096).value();
  ASSERT_OK(s.launch("copier", 1, [a, b](const KernelContext&) { (void)vnpu::memcpy(b, 4096, a, 4096); }));
  ASSERT_OK(s.synchronize());
  const Trace t = stop_and_collect();
  const Span k = only_span(t, "copier"), c = only_span(t, "memcpy_d2d");
  EXPECT_EQ(c.lane_kind, LaneKind::kComputeCore);
  EXPECT_EQ(c.lane, k.lane);
  EXPECT_EQ(c.device, k.device);
  EXPECT_EQ(c.seq, k.seq);
  EXPECT_EQ(c.bytes, 4096u);
  EXPECT_GE(c.start_ns, k.start_ns);
  EXPECT_LE(c.end_ns, k.end_ns);
  EXPECT_EQ(lane_nesting_error(t), "");
  EXPECT_OK(vnpu::free(a));
  EXPECT_OK(vnpu::free(b));
}

TEST_F(ProfilerTest, BarriersOfBlocksStartedBeforeTheSessionAreNotRecorded) {
  ASSERT_OK(profiler::stop());
  Device dev = make_device(2).value();
  Stream s = dev.create_stream().value();
  LaunchOptions lo;
  lo.cooperative = true;
  Flag running0, running1, go;
  ScopedRelease release(go);
  ASSERT_OK(s.launch("early", 2, lo, [running0, running1, go](const KernelContext& k) {
    (k.block_idx() == 0 ? running0 : running1).set();
    (void)go.wait();
    k.sync_all();
  }));
  ASSERT_TRUE(running0.wait());
  ASSERT_TRUE(running1.wait());
  ASSERT_OK(profiler::start());  // the blocks run, unrecorded, and reach the barrier now
  go.set();
  ASSERT_OK(s.synchronize());
  const Trace t = stop_and_collect();
  EXPECT_TRUE(spans_named(t, "sync_all").empty()) << "a barrier span needs its block's lane";
  EXPECT_EQ(lane_nesting_error(t), "");
}

TEST_F(ProfilerTest, LongNamesAreCutOnCharacterBoundaries) {
  Device dev = make_device(1).value();
  Stream s = dev.create_stream().value();
  std::string name = "k";
  while (name.size() < 80) name += "\xc3\xa4";  // "ä": two bytes, so some cut lands inside one
  std::string odd = "kk" + name.substr(1);        // the other parity
  ASSERT_OK(s.launch(name.c_str(), 1, [](const KernelContext&) {}));
  ASSERT_OK(s.launch(odd.c_str(), 1, [](const KernelContext&) {}));
  ASSERT_OK(s.synchronize());
  const Trace t = stop_and_collect();
  int seen = 0;
  for (const Span& sp : t.spans) {
    const std::string& full = sp.seq == 1 ? name : odd;
    if (sp.seq == 0 || sp.stream != s.id()) continue;
    ++seen;
    EXPECT_GE(sp.name.size(), 40u);
    EXPECT_EQ(full.compare(0, sp.name.size(), sp.name), 0) << "a prefix of the name";
    EXPECT_NE(static_cast<unsigned char>(sp.name.back()), 0xc3u) << "no lead byte without its continuation";
  }
  EXPECT_EQ(seen, 2);
}

TEST_F(ProfilerTest, CopiesWithoutCopyEnginesRunOnComputeCores) {
  Device dev = make_device(1, 0).value();
  Stream s = dev.create_stream().value();
  void* d = dev.malloc(4096).value();
  ASSERT_OK(s.memset_async(d, 4096, 1, 4096));
  ASSERT_OK(s.synchronize());
  const auto spans = spans_named(stop_and_collect(), "memset");
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(spans[0].lane_kind, LaneKind::kComputeCore);
  (void)vnpu::free(d);
}

TEST_F(ProfilerTest, CallbacksRunOnTheHostCallbackLane) {
  Device dev = make_device(1).value();
  Stream s = dev.create_stream().value();
  ASSERT_OK(s.host_func("cb_blocking", [] { std::this_thread::sleep_for(2ms); }));
  ASSERT_OK(s.host_func("cb_detached", [] {}, CallbackMode::kNonBlocking));
  ASSERT_OK(s.synchronize());
  const Trace t = stop_and_collect();
  const auto blocking = spans_named(t, "cb_blocking");
  ASSERT_EQ(blocking.size(), 1u);
  EXPECT_EQ(blocking[0].kind, SpanKind::kCallback);
  EXPECT_EQ(blocking[0].lane_kind, LaneKind::kHostCallback);
  EXPECT_EQ(blocking[0].device, dev.info().id);
  EXPECT_EQ(blocking[0].seq, 1u);
  EXPECT_GE(blocking[0].end_ns - blocking[0].start_ns, 2'000'000) << "the span covers the callback's sleep";
  ASSERT_EQ(spans_named(t, "cb_detached").size(), 1u);
  EXPECT_EQ(spans_named(t, "cb_detached")[0].seq, 2u);
}

TEST_F(ProfilerTest, EventWaitSpansCoverTheWaitOnTheStreamLane) {
  Device dev = make_device(2).value();
  Stream a = dev.create_stream().value();
  Stream b = dev.create_stream().value();
  Event e = Event::create().value();
  Flag started, release;
  ScopedRelease guard(release);
  ASSERT_OK(launch_blocker(a, started, release));
  ASSERT_OK(a.record(e));
  ASSERT_OK(b.wait(e));
  ASSERT_OK(b.launch("after_wait", 1, [](const KernelContext&) {}));
  ASSERT_TRUE(started.wait());
  std::this_thread::sleep_for(5ms);
  release.set();
  ASSERT_OK(b.synchronize());
  ASSERT_OK(a.synchronize());
  const Trace t = stop_and_collect();
  const auto records = spans_named(t, "event_record");
  const auto waits = spans_named(t, "event_wait");
  const auto blocker = spans_named(t, "blocker");
  ASSERT_EQ(records.size(), 1u);
  ASSERT_EQ(waits.size(), 1u);
  ASSERT_EQ(blocker.size(), 1u);
  EXPECT_EQ(records[0].kind, SpanKind::kEvent);
  EXPECT_EQ(records[0].lane_kind, LaneKind::kStream);
  EXPECT_EQ(records[0].lane, a.id());
  EXPECT_EQ(records[0].start_ns, records[0].end_ns) << "a record is an instant";
  EXPECT_EQ(waits[0].lane_kind, LaneKind::kStream);
  EXPECT_EQ(waits[0].lane, b.id());
  EXPECT_EQ(waits[0].seq, 1u);
  EXPECT_GE(waits[0].end_ns, blocker[0].end_ns) << "the wait ends after the event's work";
  EXPECT_GE(waits[0].end_ns - waits[0].start_ns, 5'000'000);
  const auto after = spans_named(t, "after_wait");
  ASSERT_EQ(after.size(), 1u);
  EXPECT_GE(after[0].start_ns, waits[0].end_ns);
  EXPECT_TRUE(has_lane(t, dev.info().id, LaneKind::kStream, static_cast<std::uint32_t>(b.id())));
}

TEST_F(ProfilerTest, BarrierWaitsNestInsideTheirKernelBlocks) {
  Device dev = make_device(2).value();
  Stream s = dev.create_stream().value();
  LaunchOptions lo;
  lo.cooperative = true;
  Flag arriving;
  ASSERT_OK(s.launch("coop", 2, lo, [arriving](const KernelContext& k) {
    // Block 0 arrives 20 ms after block 1 is about to, so block 1 waits at the barrier.
    if (k.block_idx() == 1) arriving.set();
    if (k.block_idx() == 0 && arriving.wait()) std::this_thread::sleep_for(20ms);
    k.sync_all();
    k.sync_group();
  }));
  ASSERT_OK(s.synchronize());
  const Trace t = stop_and_collect();
  const auto kernels = spans_named(t, "coop");
  const auto all = spans_named(t, "sync_all");
  const auto group = spans_named(t, "sync_group");
  ASSERT_EQ(kernels.size(), 2u);
  ASSERT_EQ(all.size(), 2u);
  ASSERT_EQ(group.size(), 2u);
  for (const Span& b : all) {
    EXPECT_EQ(b.kind, SpanKind::kBarrier);
    EXPECT_EQ(b.seq, 1u);
    EXPECT_EQ(b.stream, s.id());
    const auto& k = kernels[kernels[0].block == b.block ? 0 : 1];
    ASSERT_EQ(k.block, b.block);
    EXPECT_EQ(k.lane, b.lane) << "a barrier span is on its block's core";
    EXPECT_GE(b.start_ns, k.start_ns);
    EXPECT_LE(b.end_ns, k.end_ns);
  }
  const auto& waiter = all[all[0].block == 1 ? 0 : 1];
  EXPECT_GE(waiter.end_ns - waiter.start_ns, 1'000'000) << "block 1 waited for block 0's sleep";
  EXPECT_GE(waiter.end_ns, spans_where(t, [](const Span& sp) { return sp.name == "sync_all" && sp.block == 0; })
                               .at(0).start_ns) << "a barrier opens when the last block arrives";
  EXPECT_EQ(lane_nesting_error(t), "");
}

TEST_F(ProfilerTest, ResidentBlocksSharingACoreKeepItsSpansNested) {
  // 24 blocks on 2 cores: 12 fibers per core whose barrier waits interleave. The core's
  // lane shows its kernel span and, inside it, the times when all its blocks wait.
  Device dev = make_device(2).value();
  Stream s = dev.create_stream().value();
  LaunchOptions lo;
  lo.cooperative = true;
  lo.group_size = 4;
  for (int rep = 0; rep < 3; ++rep) {
    ASSERT_OK(s.launch("resident", 24, lo, [](const KernelContext& k) {
      for (int i = 0; i < 20; ++i) {
        if (k.block_idx() % 7 == 0) std::this_thread::sleep_for(50us);
        k.sync_group();
        k.sync_all();
      }
    }));
  }
  ASSERT_OK(s.synchronize());
  const Trace t = stop_and_collect();
  EXPECT_EQ(lane_nesting_error(t), "");
  const auto kernels = spans_named(t, "resident");
  ASSERT_EQ(kernels.size(), 6u) << "one span per core and launch";
  const auto waits = spans_named(t, "resident blocks wait");
  EXPECT_FALSE(waits.empty()) << "the cores waited for each other's blocks";
  for (const Span& w : waits) {
    EXPECT_EQ(w.kind, SpanKind::kBarrier);
    EXPECT_EQ(w.lane_kind, LaneKind::kComputeCore);
  }
  EXPECT_TRUE(spans_named(t, "sync_group").empty()) << "a resident block's own waits interleave: not recorded";
}

TEST_F(ProfilerTest, HostWaitsAreSpansOnHostThreadLanes) {
  Device dev = make_device(1).value();
  Stream s = dev.create_stream().value();
  ASSERT_OK(s.launch("sleepy", 1, [](const KernelContext&) { std::this_thread::sleep_for(3ms); }));
  ASSERT_OK(s.synchronize());
  std::thread other([&] {
    (void)s.launch("sleepy", 1, [](const KernelContext&) { std::this_thread::sleep_for(1ms); });
    (void)dev.synchronize();
  });
  other.join();  // its spans outlive the thread
  const Trace t = stop_and_collect();
  const auto stream_waits = spans_named(t, "stream_synchronize");
  const auto device_waits = spans_named(t, "device_synchronize");
  ASSERT_GE(stream_waits.size(), 1u);
  ASSERT_EQ(device_waits.size(), 1u);
  EXPECT_EQ(stream_waits[0].kind, SpanKind::kHostWait);
  EXPECT_EQ(stream_waits[0].lane_kind, LaneKind::kHostThread);
  EXPECT_EQ(stream_waits[0].device, -1);
  EXPECT_EQ(stream_waits[0].stream, s.id());
  const auto sleepy = spans_named(t, "sleepy");
  ASSERT_EQ(sleepy.size(), 2u);
  EXPECT_GE(stream_waits[0].end_ns, sleepy[0].end_ns) << "the wait ends after the kernel it waited for";
  EXPECT_NE(device_waits[0].lane, stream_waits[0].lane) << "each application thread has its own lane";
}

TEST_F(ProfilerTest, OperatorsTagTheirKernels) {
  Device dev = make_device(2).value();
  Stream s = dev.create_stream().value();
  const std::int64_t rows = 512, cols = 256;
  float* x = static_cast<float*>(dev.malloc(rows * cols * sizeof(float)).value());
  float* y = static_cast<float*>(dev.malloc(rows * sizeof(float)).value());
  for (std::int64_t i = 0; i < rows * cols; ++i) x[i] = 1.0f;
  const Tensor in(x, DType::kF32, {rows, cols});
  const Tensor out(y, DType::kF32, {rows});
  ASSERT_OK(ops::reduce(s, ops::ReduceOp::kSum, in, out, {.axes = {1}}));
  ASSERT_OK(ops::reduce(s, ops::ReduceOp::kSum, in, out, {.axes = {1}}));
  ASSERT_OK(s.synchronize());
  const Trace t = stop_and_collect();
  const auto spans = spans_where(t, [](const Span& sp) { return sp.kind == SpanKind::kKernel; });
  ASSERT_FALSE(spans.empty());
  std::set<std::uint64_t> calls;
  for (const Span& sp : spans) {
    EXPECT_EQ(sp.op, "reduce_sum");
    EXPECT_EQ(sp.op_bytes, static_cast<std::uint64_t>((rows * cols + rows) * 4));
    EXPECT_NE(sp.shape.find("f32[512, 256]"), std::string::npos) << sp.shape;
    calls.insert(sp.op_id);
  }
  EXPECT_EQ(calls.size(), 2u) << "each operator call has its own id";
  EXPECT_EQ(y[0], static_cast<float>(cols));
  (void)vnpu::free(x);
  (void)vnpu::free(y);
}

TEST_F(ProfilerTest, ScopedOpTagsNestAndEndWithTheirScope) {
  Device dev = make_device(1).value();
  Stream s = dev.create_stream().value();
  {
    const profiler::ScopedOpTag outer("outer_op", "[4]", 400);
    {
      const profiler::ScopedOpTag inner("inner_op", "[2]", 200);
      ASSERT_OK(s.launch("k_inner", 1, [](const KernelContext&) {}));
    }
    ASSERT_OK(s.launch("k_outer", 1, [](const KernelContext&) {}));
  }
  ASSERT_OK(s.launch("k_plain", 1, [](const KernelContext&) {}));
  ASSERT_OK(s.synchronize());
  const Trace t = stop_and_collect();
  ASSERT_EQ(spans_named(t, "k_inner").size(), 1u);
  EXPECT_EQ(spans_named(t, "k_inner")[0].op, "inner_op");
  EXPECT_EQ(spans_named(t, "k_inner")[0].op_bytes, 200u);
  EXPECT_EQ(spans_named(t, "k_outer")[0].op, "outer_op");
  EXPECT_EQ(spans_named(t, "k_plain")[0].op, "");
  EXPECT_EQ(spans_named(t, "k_plain")[0].op_id, 0u);
}

TEST_F(ProfilerTest, NothingIsRecordedWhileStopped) {
  Device dev = make_device(1).value();
  Stream s = dev.create_stream().value();
  ASSERT_OK(s.launch("during", 1, [](const KernelContext&) {}));
  ASSERT_OK(s.synchronize());
  ASSERT_OK(profiler::stop());
  EXPECT_FALSE(profiler::active());
  ASSERT_OK(s.launch("after", 1, [](const KernelContext&) {}));
  ASSERT_OK(s.synchronize());
  const Trace t = profiler::collect();
  EXPECT_EQ(spans_named(t, "during").size(), 1u);
  EXPECT_TRUE(spans_named(t, "after").empty());
  ASSERT_OK(profiler::stop());  // stopping twice is fine
}

TEST_F(ProfilerTest, ANewSessionDiscardsTheOldSpans) {
  Device dev = make_device(1).value();
  Stream s = dev.create_stream().value();
  ASSERT_OK(s.launch("first", 1, [](const KernelContext&) {}));
  ASSERT_OK(s.synchronize());
  ASSERT_OK(profiler::start());  // already running: no effect
  ASSERT_OK(profiler::stop());
  ASSERT_OK(profiler::start());
  ASSERT_TRUE(profiler::active());
  ASSERT_OK(s.launch("second", 1, [](const KernelContext&) {}));
  ASSERT_OK(s.synchronize());
  const Trace t = stop_and_collect();
  EXPECT_TRUE(spans_named(t, "first").empty());
  EXPECT_EQ(spans_named(t, "second").size(), 1u);
  for (const Span& sp : t.spans) EXPECT_GE(sp.start_ns, 0);
}

TEST_F(ProfilerTest, StartAndStopAreRefusedInsideCallbacksAndKernels) {
  Device dev = make_device(1).value();
  Stream s = dev.create_stream().value();
  std::atomic<int> start_status{-1}, stop_status{-1};
  std::string message;
  ASSERT_OK(s.host_func("cb", [&] {
    start_status = static_cast<int>(profiler::start());
    message = last_error_message();
  }));
  ASSERT_OK(s.launch("k", 1, [&](const KernelContext&) { stop_status = static_cast<int>(profiler::stop()); }));
  ASSERT_OK(s.synchronize());
  EXPECT_EQ(start_status.load(), static_cast<int>(Status::kNotPermitted));
  EXPECT_EQ(stop_status.load(), static_cast<int>(Status::kNotPermitted));
  EXPECT_NE(message.find("profiler::start"), std::string::npos) << message;
  EXPECT_TRUE(profiler::active()) << "the refused stop changed nothing";
}

TEST_F(ProfilerTest, ManyThreadsRecordConcurrently) {
  Device dev = make_device(2).value();
  constexpr int kThreads = 4;
  const int per_thread = scaled(2000, 100);
  std::vector<std::thread> threads;
  std::vector<Stream> streams;
  for (int i = 0; i < kThreads; ++i) streams.push_back(dev.create_stream().value());
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      Stream& s = streams[static_cast<std::size_t>(i)];
      for (int k = 0; k < per_thread; ++k) (void)s.launch("many", 1 + k % 3, [](const KernelContext&) {});
      (void)s.synchronize();
    });
  }
  // Collecting while they record is allowed.
  for (int i = 0; i < 5; ++i) (void)profiler::collect();
  for (auto& th : threads) th.join();
  const Trace t = stop_and_collect();
  std::size_t expected = 0;
  for (int k = 0; k < per_thread; ++k) expected += static_cast<std::size_t>(1 + k % 3);
  EXPECT_EQ(spans_named(t, "many").size(), expected * kThreads);
  EXPECT_EQ(t.dropped, 0u);
  EXPECT_EQ(lane_nesting_error(t), "");
}


// A synchronous reduction: the calling thread's block is a kernel span on its host-thread
// lane, the other block one on a compute core, both tagged with the op.
TEST_F(ProfilerTest, SynchronousOpsShowTheCallingThreadsBlock) {
  Device dev = make_device(2).value();
  constexpr std::int64_t kN = 1 << 22;
  auto* x = static_cast<float*>(dev.malloc(kN * sizeof(float)).value());
  auto* y = static_cast<float*>(dev.malloc(64).value());
  for (std::int64_t i = 0; i < kN; ++i) x[i] = 1.0f;
  ASSERT_OK(ops::reduce(ops::ReduceOp::kSum, Tensor(x, DType::kF32, {kN}),
                        Tensor(y, DType::kF32, std::span<const std::int64_t>{})));
  EXPECT_EQ(*y, static_cast<float>(kN));
  const auto spans = spans_named(stop_and_collect(), "reduce_sum");
  int on_host = 0, on_cores = 0;
  for (const Span& sp : spans) {
    EXPECT_EQ(sp.kind, SpanKind::kKernel);
    EXPECT_EQ(sp.op, "reduce_sum");
    if (sp.lane_kind == LaneKind::kHostThread) ++on_host;
    if (sp.lane_kind == LaneKind::kComputeCore) ++on_cores;
  }
  EXPECT_EQ(on_host, 1);
  EXPECT_EQ(on_cores, 1);
  EXPECT_OK(vnpu::free(x));
  EXPECT_OK(vnpu::free(y));
}

}  // namespace
}  // namespace vnpu::test
