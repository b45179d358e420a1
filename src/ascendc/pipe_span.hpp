// Pipe spans: with the profiler on, each data movement and vector instruction of an Ascend
// C block is a span inside its block on the core's lane, named by the pipe that would run
// it on the chip — "MTE2 DataCopy" (GM -> UB), "MTE3 DataCopy" (UB -> GM), "V Add" — with
// the global-memory bytes it moved (docs/profiler.md). Off, a span costs one flag load.
#pragma once

#include <cstdint>
#include <cstdio>

#include "profiler/capture.hpp"
#include "vnpu_ascendc/common.h"

namespace vnpu::ascendc {

class PipeSpan {
 public:
  PipeSpan(const char* pipe, const char* api, std::uint64_t gm_bytes) noexcept {
    if (!vnpu::detail::prof::on()) return;
    char name[64];
    std::snprintf(name, sizeof name, "%s %s", pipe, api);
    if (!vnpu::detail::prof::begin_block_span(span_, vnpu::detail::prof::SpanKind::kPipe, name)) return;
    span_.record().bytes = gm_bytes;
    span_.record().block = block().block_idx;
  }
  PipeSpan(const PipeSpan&) = delete;
  PipeSpan& operator=(const PipeSpan&) = delete;

 private:
  vnpu::detail::prof::ScopedSpan span_;
};

/// The pipe of a copy between `src` and `dst`: MTE2 from global memory, MTE3 to it, V
/// between two unified-buffer tensors.
inline const char* copy_pipe(bool src_gm, bool dst_gm) noexcept { return src_gm ? "MTE2" : dst_gm ? "MTE3" : "V"; }

}  // namespace vnpu::ascendc
