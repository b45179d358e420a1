// tools/cli/report_html.cpp — the self-contained HTML report of a profiler trace.
//
// Everything is inline: CSS, the timeline as SVG (drawn here, so the page renders without
// script) and a few lines of script for zooming. The timeline has one row per lane; its
// SVG stretches horizontally (preserveAspectRatio="none"), so zooming only widens the
// drawing and the tick labels, placed in percent, follow. Spans too close to tell apart
// at full width are drawn as one rectangle (its tooltip says how many), which keeps a
// trace of many thousands of spans light; spans nested in another (barrier waits inside a
// kernel block) are drawn as a band across the lower part of the row.
#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>
#include <vector>

#include <fmt/core.h>

#include "cli_common.hpp"
#include "report.hpp"

namespace vnpu::cli {

namespace {

using profiler::Lane;
using profiler::LaneKind;
using profiler::Metrics;
using profiler::Span;
using profiler::SpanKind;

constexpr double kViewWidth = 1000.0;  // SVG user units across the whole run
constexpr int kRowHeight = 22;
constexpr int kRowGap = 4;
constexpr double kMergeFraction = 1.0 / 4000.0;  // spans closer than this share a rectangle

std::string esc(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (const char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string ms(double ns) { return fmt::format("{:.3f} ms", ns / 1e6); }
std::string ms(std::int64_t ns) { return ms(static_cast<double>(ns)); }

// The span kinds of the legend, each with its colour in kStyle.
constexpr SpanKind kSpanKinds[] = {SpanKind::kKernel,   SpanKind::kCopy,  SpanKind::kMemset,
                                   SpanKind::kCallback, SpanKind::kEvent, SpanKind::kBarrier,
                                   SpanKind::kHostWait, SpanKind::kPipe,  SpanKind::kCollective};

// Lanes in display order: each device's compute cores, copy engines, host callbacks, comm
// lanes and streams, then the application's host threads.
std::vector<Lane> display_order(std::vector<Lane> lanes) {
  std::stable_sort(lanes.begin(), lanes.end(), [](const Lane& a, const Lane& b) {
    const auto key = [](const Lane& l) {
      return std::make_tuple(l.device < 0 ? 1 << 30 : l.device, vnpu::profiler::lane_order(l.kind), l.index);
    };
    return key(a) < key(b);
  });
  return lanes;
}

// A run of spans drawn as one rectangle.
struct Group {
  SpanKind kind;
  std::int64_t start, end;
  double busy;  // ns: a sum of spans, which may pass 2^63
  std::size_t count;
  const Span* first;
};

std::string span_title(const Span& s) {
  std::string t = fmt::format("{} ({}) {} at {}", s.name, profiler::span_kind_name(s.kind), ms(s.end_ns - s.start_ns),
                              ms(s.start_ns));
  if (s.seq != 0 || s.stream != 0) t += fmt::format(" | stream {} task #{}", s.stream, s.seq);
  if (s.blocks != 0) t += fmt::format(" | block {} of {}", s.block, s.blocks);
  if (s.bytes != 0) t += " | " + format_bytes(s.bytes);
  if (!s.op.empty()) t += fmt::format(" | op {} {} ({})", s.op, s.shape, format_bytes(s.op_bytes));
  return t;
}

std::string group_title(const Group& g) {
  if (g.count == 1) return span_title(*g.first);
  return fmt::format("{} {} spans ({}...) from {} to {}, busy {}", g.count, profiler::span_kind_name(g.kind),
                     g.first->name, ms(g.start), ms(g.end), ms(g.busy));
}

// Rectangles of one lane's spans at one nesting level.
void draw_groups(std::string& svg, const std::vector<const Span*>& spans, std::int64_t t0, double wall, int y,
                 int height, std::int64_t merge_ns) {
  std::vector<Group> groups;
  for (const Span* s : spans) {
    if (!groups.empty() && groups.back().kind == s->kind && s->start_ns - groups.back().end <= merge_ns) {
      Group& g = groups.back();
      g.end = std::max(g.end, s->end_ns);
      g.busy += static_cast<double>(s->end_ns - s->start_ns);
      ++g.count;
    } else {
      groups.push_back(Group{s->kind, s->start_ns, s->end_ns, static_cast<double>(s->end_ns - s->start_ns), 1, s});
    }
  }
  for (const Group& g : groups) {
    const double x = static_cast<double>(g.start - t0) / wall * kViewWidth;
    const double w = std::max(static_cast<double>(g.end - g.start) / wall * kViewWidth, 0.05);
    svg += fmt::format(R"(<rect class="span k-{0}" data-kind="{0}" data-count="{1}" x="{2:.4f}" y="{3}" width="{4:.4f}" height="{5}"><title>{6}</title></rect>)",
                       profiler::span_kind_name(g.kind), g.count, x, y, w, height, esc(group_title(g)));
    svg += '\n';
  }
}

std::string timeline(const profiler::Trace& trace, const std::vector<Lane>& lanes) {
  std::int64_t t0 = 0, t1 = 0;
  for (std::size_t i = 0; i < trace.spans.size(); ++i) {
    t0 = i == 0 ? trace.spans[i].start_ns : std::min(t0, trace.spans[i].start_ns);
    t1 = i == 0 ? trace.spans[i].end_ns : std::max(t1, trace.spans[i].end_ns);
  }
  const double wall = std::max<double>(static_cast<double>(t1 - t0), 1.0);
  const auto merge_ns = static_cast<std::int64_t>(wall * kMergeFraction);
  std::map<std::tuple<int, int, std::uint32_t>, std::vector<const Span*>> by_lane;
  for (const Span& s : trace.spans) by_lane[{s.device, static_cast<int>(s.lane_kind), s.lane}].push_back(&s);

  const int height = static_cast<int>(lanes.size()) * (kRowHeight + kRowGap) + kRowGap;
  std::string labels, svg;
  svg += fmt::format(R"(<svg id="timeline" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" preserveAspectRatio="none" width="100%" height="{}">)",
                     kViewWidth, height, height);
  svg += '\n';
  int y = kRowGap;
  for (const Lane& lane : lanes) {
    const std::string device = lane.device < 0 ? std::string("host") : fmt::format("device {}", lane.device);
    labels += fmt::format(R"(<div class="label" style="height:{}px;margin-top:{}px" title="{} / {}">{} <span class="dev">{}</span></div>)",
                          kRowHeight, kRowGap, esc(device), esc(lane.name), esc(lane.name), esc(device));
    labels += '\n';
    svg += fmt::format(R"(<g class="lane" data-lane="{}" data-device="{}"><rect class="row" x="0" y="{}" width="{}" height="{}"/>)",
                       esc(lane.name), lane.device, y, kViewWidth, kRowHeight);
    svg += '\n';
    auto it = by_lane.find({lane.device, static_cast<int>(lane.kind), lane.index});
    if (it != by_lane.end()) {
      // Split into top-level spans and spans nested inside another.
      std::vector<const Span*> spans = it->second;
      std::stable_sort(spans.begin(), spans.end(), [](const Span* a, const Span* b) {
        return a->start_ns != b->start_ns ? a->start_ns < b->start_ns : a->end_ns > b->end_ns;
      });
      std::vector<const Span*> top, nested;
      std::int64_t open_end = -1;
      for (const Span* s : spans) {
        if (s->start_ns < open_end && s->end_ns <= open_end) {
          nested.push_back(s);
        } else {
          top.push_back(s);
          open_end = s->end_ns;
        }
      }
      draw_groups(svg, top, t0, wall, y, kRowHeight, merge_ns);
      draw_groups(svg, nested, t0, wall, y + kRowHeight / 2, kRowHeight / 2, merge_ns);
    }
    svg += "</g>\n";
    y += kRowHeight + kRowGap;
  }
  svg += "</svg>\n";

  // Ticks at 1, 2 or 5 x 10^k ms, about ten across.
  const double wall_ms = wall / 1e6;
  const double raw = wall_ms / 10.0;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  const double step = raw / mag < 2.0 ? mag : raw / mag < 5.0 ? 2.0 * mag : 5.0 * mag;
  std::string axis;
  for (double t = 0.0; t <= wall_ms * 1.0001; t += step) {
    axis += fmt::format(R"(<div class="tick" style="left:{:.4f}%">{:.{}f} ms</div>)", 100.0 * t / wall_ms, t,
                        step >= 1.0 ? 0 : static_cast<int>(std::ceil(-std::log10(step))));
  }
  return fmt::format(R"(<div class="tl-wrap"><div class="tl-labels"><div class="axis-pad"></div>
{}</div><div class="tl-scroll" id="tl-scroll"><div class="tl-inner" id="tl-inner"><div class="axis">{}</div>
{}</div></div></div>
)",
                     labels, axis, svg);
}

std::string summary_table(const profiler::Trace& trace, const Metrics& m) {
  std::vector<std::pair<std::string, std::string>> rows = {
      {"wall time (first span to last)", fmt::format("{:.3f} ms", m.wall_ms)},
      {"compute cores busy (mean)", fmt::format("{:.1f} %", m.compute_busy_pct)},
      {"copy engines busy (DMA time share)", fmt::format("{:.1f} %", m.copy_busy_pct)},
      {"copy/compute overlap", fmt::format("{:.1f} % of the wall time", m.overlap_pct)},
      {"barrier waits", fmt::format("{} waits, {:.3f} ms in all, {:.2f} us mean", m.barrier_waits, m.barrier_ms,
                                    m.barrier_mean_us)},
      {"host waits (synchronize)", fmt::format("{:.3f} ms", m.host_wait_ms)},
      {"stream waits on events", fmt::format("{:.3f} ms", m.event_wait_ms)},
      {"peak memory bandwidth", m.peak_gbps > 0.0 ? fmt::format("{:.1f} GB/s (the reference of % peak)", m.peak_gbps)
                                                  : std::string("unknown")},
      {"spans", fmt::format("{} on {} lanes of {} device(s){}", trace.spans.size(), trace.lanes.size(),
                            trace.devices.size(), m.dropped != 0 ? fmt::format(", {} dropped", m.dropped) : "")},
  };
  std::string html = R"(<table class="summary" id="summary-table">)";
  for (const auto& [k, v] : rows) html += fmt::format("<tr><th>{}</th><td>{}</td></tr>\n", esc(k), esc(v));
  return html + "</table>\n";
}

std::string op_table(const Metrics& m) {
  std::string html = R"(<table class="data" id="op-table"><thead><tr><th>op</th><th>kind</th><th>shape</th><th>calls</th><th>total ms</th><th>mean us</th><th>bytes</th><th>GB/s</th><th>% of peak</th><th>% of wall</th></tr></thead><tbody>
)";
  for (const profiler::OpMetrics& op : m.ops) {
    html += fmt::format(
        R"(<tr><td>{}</td><td><span class="swatch k-{}"></span>{}</td><td>{}</td><td>{}</td><td>{:.3f}</td><td>{:.2f}</td><td>{}</td><td>{}</td><td>{}</td><td>{:.1f}</td></tr>)",
        esc(op.name), profiler::span_kind_name(op.kind), profiler::span_kind_name(op.kind),
        esc(op.shape.empty() ? "-" : op.shape), op.calls, op.total_ms, op.mean_us,
        op.bytes != 0 ? format_bytes(op.bytes) : "-", op.bytes != 0 ? fmt::format("{:.2f}", op.gbps) : "-",
        op.peak_pct >= 0.0 ? fmt::format("{:.1f}", op.peak_pct) : "-", op.share_pct);
    html += '\n';
  }
  return html + "</tbody></table>\n";
}

std::string pipe_table(const Metrics& m) {
  std::string html = R"(<table class="data" id="pipe-table"><thead><tr><th>kernel</th><th>calls</th><th>block ms</th><th>MTE2 ms</th><th>V ms</th><th>MTE3 ms</th><th>GM bytes</th><th>GB/s</th><th>% of peak</th><th>% vector</th><th>% DMA</th></tr></thead><tbody>
)";
  for (const profiler::PipeMetrics& p : m.pipes) {
    html += fmt::format(
        "<tr><td>{}</td><td>{}</td><td>{:.3f}</td><td>{:.3f}</td><td>{:.3f}</td><td>{:.3f}</td><td>{}</td><td>{}</td>"
        "<td>{}</td><td>{:.1f}</td><td>{:.1f}</td></tr>\n",
        esc(p.name), p.calls, p.block_ms, p.mte2_ms, p.v_ms, p.mte3_ms, p.gm_bytes != 0 ? format_bytes(p.gm_bytes) : "-",
        p.gm_bytes != 0 ? fmt::format("{:.2f}", p.gbps) : "-", p.peak_pct >= 0.0 ? fmt::format("{:.1f}", p.peak_pct) : "-",
        p.vector_pct, p.dma_pct);
  }
  return html + "</tbody></table>\n";
}

std::string lane_table(const Metrics& m) {
  std::string html = R"(<table class="data" id="lane-table"><thead><tr><th>device</th><th>lane</th><th>spans</th><th>busy ms</th><th>busy %</th></tr></thead><tbody>
)";
  for (const profiler::LaneMetrics& l : m.lanes) {
    html += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{:.3f}</td><td>{:.1f}</td></tr>\n",
                        l.lane.device < 0 ? std::string("host") : fmt::format("{}", l.lane.device), esc(l.lane.name),
                        l.spans, l.busy_ms, l.busy_pct);
  }
  return html + "</tbody></table>\n";
}

constexpr const char* kStyle = R"(
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:20px;color:#222;background:#fff}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 8px}.source{color:#666;margin:0}
table{border-collapse:collapse}th,td{padding:3px 10px;text-align:left;border-bottom:1px solid #e4e4e4}
table.data td:nth-child(n+4){text-align:right;font-variant-numeric:tabular-nums}
table.summary th{font-weight:normal;color:#555}
.controls{margin:6px 0}.controls button{min-width:32px;margin-right:4px}.legend{margin-left:16px}
.legend span{margin-right:12px;white-space:nowrap}.swatch{display:inline-block;width:11px;height:11px;margin-right:4px;vertical-align:-1px}
.tl-wrap{display:flex;border:1px solid #ccc}.tl-labels{flex:none;width:190px;border-right:1px solid #ccc;background:#fafafa}
.label{font-size:12px;line-height:22px;padding-left:6px;white-space:nowrap;overflow:hidden}.label .dev{color:#888}
.axis-pad,.axis{height:20px;border-bottom:1px solid #ddd}.tl-scroll{flex:1;overflow-x:auto;overflow-y:hidden}
.tl-inner{width:100%;position:relative}.axis{position:relative}
.tick{position:absolute;top:2px;font-size:11px;color:#555;border-left:1px solid #bbb;padding-left:3px;white-space:nowrap}
svg#timeline{display:block}.row{fill:#f4f4f4}rect.span{shape-rendering:crispEdges}rect.span:hover{stroke:#000;stroke-width:1px;vector-effect:non-scaling-stroke}
.k-kernel{fill:#4e79a7;background:#4e79a7}.k-copy{fill:#f28e2b;background:#f28e2b}.k-memset{fill:#d4a017;background:#d4a017}
.k-callback{fill:#59a14f;background:#59a14f}.k-event{fill:#b07aa1;background:#b07aa1}.k-barrier{fill:#e15759;background:#e15759}
.k-wait{fill:#9c9c9c;background:#9c9c9c}.k-pipe{fill:#76b7b2;background:#76b7b2}
.k-collective{fill:#9c755f;background:#9c755f}
)";

constexpr const char* kScript = R"(
(function () {
  var inner = document.getElementById('tl-inner'), scroll = document.getElementById('tl-scroll');
  var level = document.getElementById('zoom-level'), zoom = 1;
  function setZoom(z, anchor) {
    z = Math.max(1, Math.min(4096, z));
    var w = scroll.clientWidth, a = anchor === undefined ? 0.5 : anchor;
    var at = (scroll.scrollLeft + a * w) / (w * zoom);
    zoom = z;
    inner.style.width = (100 * z) + '%';
    scroll.scrollLeft = at * w * zoom - a * w;
    level.textContent = (Math.round(z * 10) / 10) + 'x';
  }
  document.getElementById('zoom-in').addEventListener('click', function () { setZoom(zoom * 2); });
  document.getElementById('zoom-out').addEventListener('click', function () { setZoom(zoom / 2); });
  document.getElementById('zoom-reset').addEventListener('click', function () { setZoom(1); });
  scroll.addEventListener('wheel', function (e) {
    if (!e.ctrlKey && !e.altKey) return;
    e.preventDefault();
    var r = scroll.getBoundingClientRect();
    setZoom(e.deltaY < 0 ? zoom * 1.5 : zoom / 1.5, (e.clientX - r.left) / r.width);
  }, {passive: false});
  // report.html#zoom=8 opens zoomed in.
  var m = /zoom=([0-9.]+)/.exec(location.hash);
  if (m) setZoom(parseFloat(m[1]), 0);
  document.body.setAttribute('data-ready', '1');
})();
)";

}  // namespace

std::string report_html(const profiler::Trace& trace, const Metrics& m, const std::string& title) {
  const std::vector<Lane> lanes = display_order(trace.lanes);
  std::string legend;
  for (SpanKind k : kSpanKinds) {
    legend += fmt::format(R"(<span><i class="swatch k-{0}"></i>{0}</span>)", profiler::span_kind_name(k));
  }
  std::string html = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n";
  html += "<title>vnpu profile: " + esc(title) + "</title>\n<style>" + kStyle + "</style></head>\n<body>\n";
  html += "<h1>vnpu profile</h1>\n<p class=\"source\">" + esc(title) + "</p>\n";
  html += "<h2>Summary</h2>\n" + summary_table(trace, m);
  html += "<h2>Timeline</h2>\n<div class=\"controls\"><button id=\"zoom-in\" title=\"zoom in\">+</button>"
          "<button id=\"zoom-out\" title=\"zoom out\">&minus;</button><button id=\"zoom-reset\">reset</button> "
          "<span id=\"zoom-level\">1x</span> <span class=\"legend\">" +
          legend +
          "</span> <span class=\"hint\">(Ctrl + wheel zooms; hover a span for details)</span></div>\n";
  html += timeline(trace, lanes);
  html += "<h2>Operations</h2>\n" + op_table(m);
  if (!m.pipes.empty()) {
    html += "<h2>Ascend C kernels by pipe</h2>\n<p class=\"hint\">MTE2: GM&rarr;UB copies, V: vector instructions, "
            "MTE3: UB&rarr;GM copies; % of the kernel's block time</p>\n" +
            pipe_table(m);
  }
  html += "<h2>Lanes</h2>\n" + lane_table(m);
  html += std::string("<script>") + kScript + "</script>\n</body></html>\n";
  return html;
}

}  // namespace vnpu::cli
