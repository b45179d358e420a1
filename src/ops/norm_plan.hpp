// The plan of one normalization (layer_norm, rms_norm, batch_norm, group_norm): which
// elements form a statistics group, how the work is cut, and the arithmetic of the
// statistics.
//
// Geometry. Every op sees x (and y) in row-major order. A *group* is the set of elements
// that share one mean and variance; it is `segs` *segments* of `len` consecutive
// row-major elements each. Segment s of group g starts at flat index
//   g * group_step + s * seg_step:
//   layer/rms/group norm: one segment per group, len = the group's size, group_step = len;
//   batch norm: group = channel c, segment = batch index n, len = S (the spatial size),
//               group_step = S, seg_step = C * S.
// Segments are cut into *chunks* of kNormChunk elements (the last one shorter). A chunk is
// the unit of statistics and of parallel work.
//
// Statistics (the same arithmetic on every path, core count and ISA):
//   chunk:  m0 = (Σx) / n in f32; then d = Σ(x - m0) and q = Σ(x - m0)² in f32, while the
//           chunk is in cache. Partial: count n, mean m0 + d/n, M2 = q - d²/n (f64) — the
//           corrected two-pass formula, exact up to rounding even for a large mean and a
//           small variance. Every f32 sum goes to 32 lanes (element e to lane e % 32) and
//           the lanes fold by halves (l += l + 16, then + 8, ...), written as plain loops.
//           rms_norm: the partial is Σx² (same lanes).
//   group:  the partials of its chunks folded in chunk order (Chan's formula in f64;
//           rms: a plain f64 sum), so the result does not depend on who computed them.
//   then    var = M2 / count, rstd = 1 / sqrt(var + eps) (f64, rounded to f32 once);
//           the mean is kept as two floats hi + lo so that x - mean is exact to f32.
//
// Normalization of an element: t = ((x - mean_hi) - mean_lo) * rstd; layer norm then
// y = t * gamma[j] + beta[j]; per-channel ops (batch, group) use a = rstd * gamma[c] and
// y = ((x - mean_hi) - mean_lo) * a + beta[c]; rms: y = (x * rstd) * gamma[j]. No fused
// multiply-adds (the kernel files are built with -ffp-contract=off).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "ops/split.hpp"
#include "vnpu/kernel.hpp"
#include "vnpu/tensor.hpp"

namespace vnpu::ops::detail {

inline constexpr std::int64_t kNormChunk = 4096;          // elements per statistics chunk
inline constexpr std::int64_t kNormMinBlockElems = 65536;  // below this, one block does all
inline constexpr std::int64_t kNormStreamBytes = std::int64_t{8} << 20;  // y at least this: streaming stores

enum class NormKind : std::uint8_t { kLayer, kRms, kBatchInfer, kBatchTrain, kGroup };

/// A tensor the kernels read or write by row-major flat index (absent: data == nullptr).
struct NormView {
  unsigned char* data = nullptr;
  DType dtype = DType::kF32;
  int rank = 0;
  std::int64_t size[kMaxRank] = {};
  std::int64_t stride[kMaxRank] = {};
  bool dense = false;  ///< row-major contiguous: flat index i is element i

  NormView() = default;
  explicit NormView(const Tensor& t);
  bool present() const noexcept { return data != nullptr; }
  /// Element offset (in elements) of flat index i.
  std::int64_t offset(std::int64_t i) const noexcept;
  /// Element i as f32 / f64, and stores of a value rounded once to the view's dtype.
  float load(std::int64_t i) const noexcept;
  void store(std::int64_t i, double v) const noexcept;
};

/// A chunk's (or a group's) statistics: count, mean and sum of squared deviations
/// (rms_norm: m2 holds Σx² and mean is unused).
struct NormPartial {
  double count = 0;
  double mean = 0;
  double m2 = 0;
};

/// What the normalization pass needs per group.
struct NormStats {
  float mean_hi = 0, mean_lo = 0, rstd = 0;
};

struct NormPlan {
  NormKind kind = NormKind::kLayer;
  const char* name = "";
  NormView x, y;
  NormView gamma, beta;                  // absent when not given
  NormView running_mean, running_var;    // batch norm
  NormView mean_out, rstd_out;           // layer/group mean, rstd; batch save_mean, save_invstd
  NormView var_out;                      // batch save_var (biased)
  double eps = 0, momentum = 0;

  std::int64_t groups = 0;      // statistics groups
  std::int64_t segs = 1;        // segments per group
  std::int64_t len = 0;         // elements per segment
  std::int64_t group_step = 0;  // flat index distance between groups
  std::int64_t seg_step = 0;    // ... and between the segments of a group
  std::int64_t chunks = 0;      // chunks per segment: ceil(len / kNormChunk)
  /// Group norm: channels per group and the spatial size, for the channel of an element
  /// (g % group_count) * group_channels + j / spatial.
  std::int64_t group_count = 1, group_channels = 1, spatial = 1;

  /// y is dense and much larger than the caches: written with non-temporal stores.
  bool stream_y = false;
  /// x and y together exceed the last-level cache: dense groups are prefetched a fixed
  /// distance ahead (from cache, the hardware prefetchers do better alone).
  bool prefetch_ahead = false;
  std::uint32_t blocks = 1;
  /// True: each block owns whole groups (statistics and normalization in one visit).
  /// False: blocks share the chunks of every group; partial statistics meet in `partials`
  /// behind a barrier.
  bool by_group = true;
  /// by_group plans: each block claims runs of `claim` groups of its share from
  /// next_group, then helps the others (run_owned of split.hpp); a group's bits do not
  /// depend on who claims it.
  ShareCounters next_group;
  std::int64_t claim = 1;
  std::vector<NormPartial> partials;  // one per unit, when !by_group and statistics needed
  std::vector<NormStats> stats;       // one per group, when !by_group

  std::int64_t units() const noexcept { return groups * segs * chunks; }
  bool per_channel() const noexcept { return kind == NormKind::kBatchInfer || kind == NormKind::kBatchTrain || kind == NormKind::kGroup; }
  bool batch_stats() const noexcept { return kind != NormKind::kBatchInfer; }
  /// Flat index of the first element of unit u, its group and its length.
  void unit(std::int64_t u, std::int64_t* first, std::int64_t* group, std::int64_t* n) const noexcept {
    if (chunks == 1 && segs == 1) {  // one unit per group (rows up to kNormChunk): no divisions
      *group = u;
      *first = u * group_step;
      *n = len;
      return;
    }
    unit_divided(u, first, group, n);
  }
  void unit_divided(std::int64_t u, std::int64_t* first, std::int64_t* group, std::int64_t* n) const noexcept;
};

/// Chooses blocks and the work split for a device with `cores` compute cores (fills
/// blocks, by_group, chunks and the shared buffers).
void plan_work(NormPlan* p, int cores);


// ---- statistics arithmetic (norm_stats.cpp) ----------------------------------------------

/// Appends `q` (later elements) to `acc` (Chan's merge; rms: sums). `acc.count == 0` means
/// empty: the result is q itself.
void norm_merge(NormKind kind, NormPartial* acc, const NormPartial& q) noexcept;
/// The group's statistics for normalization, and writes the stat outputs of group g
/// (mean/rstd, save_mean/save_invstd/save_var, running stats) when present.
NormStats norm_finish_group(const NormPlan& p, std::int64_t g, const NormPartial& total) noexcept;
/// Batch norm inference: statistics of channel c from the running mean and variance.
NormStats norm_running_stats(const NormPlan& p, std::int64_t c) noexcept;
/// Folds the partials of group g's units (in order) and finishes the group into p.stats.
void norm_finish_groups(NormPlan& p, std::int64_t g0, std::int64_t g1) noexcept;

// ---- kernels (norm_kernels.cpp, one copy per SIMD target) ---------------------------------

/// Statistics and normalization of groups [g0, g1).
void norm_run_groups(const NormPlan& p, std::int64_t g0, std::int64_t g1);
/// Partial statistics of units [u0, u1) into p.partials.
void norm_run_stat_units(NormPlan& p, std::int64_t u0, std::int64_t u1);
/// Normalization of units [u0, u1) with p.stats (batch inference: the running stats).
void norm_run_norm_units(const NormPlan& p, std::int64_t u0, std::int64_t u1);

/// The whole kernel for block `ctx.block_idx()` of the plan's launch.
void norm_run_block(NormPlan& p, const KernelContext& ctx);

}  // namespace vnpu::ops::detail
