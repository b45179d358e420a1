// tests/profiler/profiler_support.hpp — helpers of the profiler suite: span filters and
// the lane invariants every trace must satisfy.
#pragma once

#include <algorithm>
#include <functional>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "support/test_support.hpp"
#include "vnpu/profiler.hpp"

namespace vnpu::test {

using profiler::LaneKind;
using profiler::Span;
using profiler::SpanKind;
using profiler::Trace;

inline std::vector<Span> spans_where(const Trace& t, const std::function<bool(const Span&)>& pred) {
  std::vector<Span> out;
  std::copy_if(t.spans.begin(), t.spans.end(), std::back_inserter(out), pred);
  return out;
}

inline std::vector<Span> spans_named(const Trace& t, const std::string& name) {
  return spans_where(t, [&](const Span& s) { return s.name == name; });
}

/// The one span named `name` (a test failure, and an empty span, if there are not exactly one).
inline Span only_span(const Trace& t, const std::string& name) {
  const std::vector<Span> v = spans_named(t, name);
  if (v.size() != 1) {
    ADD_FAILURE() << v.size() << " spans named " << name << ", expected 1";
    return Span{};
  }
  return v[0];
}

/// Empty if the spans of every lane are disjoint or nested; otherwise the first violation.
inline std::string lane_nesting_error(const Trace& t) {
  std::map<std::tuple<int, int, std::uint32_t>, std::vector<const Span*>> lanes;
  for (const Span& s : t.spans) lanes[{s.device, static_cast<int>(s.lane_kind), s.lane}].push_back(&s);
  for (auto& [key, spans] : lanes) {
    std::stable_sort(spans.begin(), spans.end(), [](const Span* a, const Span* b) {
      return a->start_ns != b->start_ns ? a->start_ns < b->start_ns : a->end_ns > b->end_ns;
    });
    std::vector<const Span*> open;  // enclosing spans, innermost last
    for (const Span* s : spans) {
      if (s->end_ns < s->start_ns) return "span '" + s->name + "' ends before it starts";
      while (!open.empty() && open.back()->end_ns <= s->start_ns) open.pop_back();
      if (!open.empty() && s->end_ns > open.back()->end_ns)
        return "span '" + s->name + "' partially overlaps '" + open.back()->name + "' on lane " +
               std::to_string(std::get<2>(key)) + " of kind " + std::to_string(std::get<1>(key));
      open.push_back(s);
    }
  }
  return {};
}

/// True if `lanes` names (device, kind, index).
inline bool has_lane(const Trace& t, int device, LaneKind kind, std::uint32_t index) {
  return std::any_of(t.lanes.begin(), t.lanes.end(),
                     [&](const profiler::Lane& l) { return l.device == device && l.kind == kind && l.index == index; });
}

}  // namespace vnpu::test
