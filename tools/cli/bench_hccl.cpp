// tools/cli/bench_hccl.cpp — `vnpu bench hccl`: vnpu's all-reduce between processes against
// the plain MPI_Allreduce of the same Open MPI, in the same run, on the same buffers.
//
//   mpirun -np N vnpu bench hccl [--json] [--reps R] [--min-bytes B] [--max-bytes B]
//
// Per message size (4 KiB to 256 MiB by factors of 4 unless told otherwise), every rank
// sums N float32 vectors: vnpu::Communicator::all_reduce queued on a stream and waited for
// (synchronize), and MPI_Allreduce(MPI_SUM, MPI_FLOAT) from the same send buffer into the
// same receive buffer. After an untimed warm-up of each, the two alternate, each
// repetition starting after an MPI_Barrier, the first of the pair switching every
// repetition so a slow phase of the machine does not land on one side. A repetition's time
// is the slowest rank's (the collective ends when its last rank does); the median over
// repetitions is reported, with the algorithm bandwidth bytes / time and the bus bandwidth
// algbw * 2(n-1)/n (the nccl-tests convention: what each rank's link carries in a ring).
//
// vnpu's result is then checked on every rank, by kernels on the device: against a float64
// reference (the inputs are 24-bit fractions of a few magnitudes, so the float64 sum is
// exact and the float32 fold in rank order is off by at most gamma_{n-1} * sum |x|, with
// gamma_k = k u / (1 - k u) and u = 2^-24), bit for bit against the
// rank-order fold the communicator documents, and for equality across ranks (a digest
// per rank, gathered). Only rank 0 prints.
#include <mpi.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "bench.hpp"
#include "cli_common.hpp"
#include "device_buffer.hpp"
#include "digest.hpp"
#include "mpi_job.hpp"
#include "vnpu/communicator.hpp"
#include "vnpu/vnpu.hpp"

namespace vnpu::cli {

namespace {

constexpr std::uint64_t kSizeFactor = 4;
// Messages below this size get more repetitions (up to kMaxRepsFactor times --reps): they
// are cheap, and a median of few short samples is noisy.
constexpr std::uint64_t kFullRepsBytes = std::uint64_t{16} << 20;
constexpr std::uint64_t kMaxRepsFactor = 8;

std::uint64_t splitmix64(std::uint64_t z) {
  z += 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// Element i of rank r's input: +-m * 2^-(23 + e) with a 24-bit m and e in 0..7, so the
// magnitudes differ and float sums round, while a double holds any sum of up to 2^20 of
// them exactly (all are multiples of 2^-30 below 2 in magnitude: 31 + 20 bits < 53).
float input_value(std::uint32_t rank, std::uint64_t i) {
  static constexpr float kScale[8] = {0x1p-23f, 0x1p-24f, 0x1p-25f, 0x1p-26f,
                                      0x1p-27f, 0x1p-28f, 0x1p-29f, 0x1p-30f};
  const std::uint64_t h = splitmix64(i ^ (static_cast<std::uint64_t>(rank) << 48));
  const float v = static_cast<float>(h >> 40) * kScale[(h >> 8) & 7];  // exact: 24 bits times 2^-k
  return (h & 1) != 0 ? -v : v;
}

// What a rank finds in its result buffer.
struct Verdict {
  std::uint64_t digest = 0;        // of the whole result, to compare across ranks
  double worst = 0.0;              // max over elements of |got - exact| / (gamma_{n-1} sum |x|)
  std::uint64_t not_folded = 0;    // elements whose bits differ from the rank-order float fold
};

struct SizeResult {
  std::uint64_t bytes = 0;
  int reps = 0;
  Summary vnpu_ms, mpi_ms;  // per repetition: the slowest rank's time
  bool identical = false;   // the same bits on every rank
  double worst = 0.0;       // the largest Verdict::worst of any rank (<= 1: within the bound)
  bool rank_order = false;  // every rank's result is the rank-order float fold, bit for bit
  bool same_as_mpi = false; // MPI_Allreduce produced the same bits (informational)
};

class HcclBench {
 public:
  HcclBench(const MpiJob& job, std::uint64_t max_bytes)
      : job_(job),
        dev_(make_device()),
        stream_(dev_.create_stream().value()),
        src_(dev_, max_bytes),
        dst_(dev_, max_bytes),
        comm_(job.join(dev_)) {
    fill(max_bytes / sizeof(float));  // every size sums a prefix of the same inputs
  }
  ~HcclBench() { (void)dev_.synchronize(); }
  HcclBench(const HcclBench&) = delete;
  HcclBench& operator=(const HcclBench&) = delete;

  const char* transport() const noexcept { return comm_.transport(); }

  SizeResult run_size(std::uint64_t bytes, int reps) {
    const std::uint64_t count = bytes / sizeof(float);
    (void)time_vnpu(count);  // warm-up: first touch of the scratch space, connections
    (void)time_mpi(count);
    // samples[2r] vnpu, samples[2r + 1] MPI; then the slowest rank's, element-wise.
    std::vector<double> samples(2 * static_cast<std::size_t>(reps));
    for (int r = 0; r < reps; ++r) {
      const std::size_t i = 2 * static_cast<std::size_t>(r);
      if (r % 2 == 0) {
        samples[i] = time_vnpu(count);
        samples[i + 1] = time_mpi(count);
      } else {
        samples[i + 1] = time_mpi(count);
        samples[i] = time_vnpu(count);
      }
    }
    MPI_Allreduce(MPI_IN_PLACE, samples.data(), static_cast<int>(samples.size()), MPI_DOUBLE, MPI_MAX,
                  MPI_COMM_WORLD);
    std::vector<double> vnpu_ms, mpi_ms;
    for (int r = 0; r < reps; ++r) {
      vnpu_ms.push_back(samples[2 * static_cast<std::size_t>(r)]);
      mpi_ms.push_back(samples[2 * static_cast<std::size_t>(r) + 1]);
    }
    SizeResult s;
    s.bytes = bytes;
    s.reps = reps;
    s.vnpu_ms = summarize(std::move(vnpu_ms));
    s.mpi_ms = summarize(std::move(mpi_ms));

    // The result to check, in a buffer of NaNs: MPI's result, left from the last run, must
    // not pass for vnpu's.
    check_ok(stream_.memset_async(dst_.get(), dst_.bytes(), 0xff, bytes));
    (void)time_vnpu(count);
    const Verdict v = verify(count);
    (void)time_mpi(count);
    const std::uint64_t mpi_digest = digest(count);

    const std::vector<std::uint64_t> digests = job_.all_gather(v.digest);
    s.identical = std::all_of(digests.begin(), digests.end(), [&](std::uint64_t d) { return d == digests[0]; });
    double figures[2] = {v.worst, static_cast<double>(v.not_folded)};
    MPI_Allreduce(MPI_IN_PLACE, figures, 2, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
    s.worst = figures[0];
    s.rank_order = figures[1] == 0.0;
    int same = mpi_digest == v.digest ? 1 : 0;
    MPI_Allreduce(MPI_IN_PLACE, &same, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    s.same_as_mpi = same == 1;
    return s;
  }

 private:
  static Device make_device() {
    // The lane thread does the collective's work; one unpinned compute core runs the fill
    // and check kernels (pinning would put every process's core 0 on the same CPU).
    DeviceConfig config;
    config.name = "hccl-bench";
    config.compute_cores = 1;
    config.copy_engines = 0;
    config.pin_threads = 0;
    return Device::create(config).value();
  }

  double time_vnpu(std::uint64_t count) {
    job_.barrier();
    const auto t0 = Clock::now();
    check_ok(comm_.all_reduce(src_.get(), dst_.get(), count, CommType::kF32, ReduceOp::kSum, stream_));
    check_ok(stream_.synchronize());
    return ms_between(t0, Clock::now());
  }

  double time_mpi(std::uint64_t count) {
    job_.barrier();
    const auto t0 = Clock::now();
    const int rc =
        MPI_Allreduce(src_.get(), dst_.get(), static_cast<int>(count), MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
    const double ms = ms_between(t0, Clock::now());
    if (rc != MPI_SUCCESS) throw CliError(kExitUnexpected, fmt::format("MPI_Allreduce failed (error {})", rc));
    return ms;
  }

  void fill(std::uint64_t count) {
    auto* src = static_cast<float*>(src_.get());
    const auto rank = static_cast<std::uint32_t>(job_.rank());
    check_ok(stream_.launch("hccl_fill", 1, [=](const KernelContext&) {
      for (std::uint64_t i = 0; i < count; ++i) src[i] = input_value(rank, i);
    }));
    check_ok(stream_.synchronize());
  }

  Verdict verify(std::uint64_t count) {
    const auto* dst = static_cast<const float*>(dst_.get());
    const auto n = static_cast<std::uint32_t>(job_.size());
    Verdict v;
    Verdict* out = &v;
    check_ok(stream_.launch("hccl_verify", 1, [=](const KernelContext&) {
      // gamma_{n-1} = (n-1)u / (1 - (n-1)u), u = 2^-24: the bound of a recursive sum of n terms.
      const double unit = static_cast<double>(n - 1) * 0x1p-24 / (1.0 - static_cast<double>(n - 1) * 0x1p-24);
      for (std::uint64_t i = 0; i < count; ++i) {
        float fold = input_value(0, i);
        double exact = fold, magnitude = std::fabs(exact);
        for (std::uint32_t r = 1; r < n; ++r) {
          const float x = input_value(r, i);
          fold += x;
          exact += x;
          magnitude += std::fabs(static_cast<double>(x));
        }
        const double err = std::fabs(static_cast<double>(dst[i]) - exact);
        // A zero bound (every input zero) admits only the exact result.
        const double ratio = err == 0.0 ? 0.0 : magnitude > 0.0 ? err / (unit * magnitude)
                                                        : std::numeric_limits<double>::infinity();
        out->worst = std::isnan(ratio) ? std::numeric_limits<double>::infinity() : std::max(out->worst, ratio);
        if (std::bit_cast<std::uint32_t>(fold) != std::bit_cast<std::uint32_t>(dst[i])) ++out->not_folded;
      }
      out->digest = digest_bytes(dst, count * sizeof(float));
    }));
    check_ok(stream_.synchronize());
    return v;
  }

  std::uint64_t digest(std::uint64_t count) {
    const void* dst = dst_.get();
    std::uint64_t d = 0;
    std::uint64_t* out = &d;
    check_ok(stream_.launch("hccl_digest", 1,
                            [=](const KernelContext&) { *out = digest_bytes(dst, count * sizeof(float)); }));
    check_ok(stream_.synchronize());
    return d;
  }

  const MpiJob& job_;
  Device dev_;
  Stream stream_;
  DeviceBuffer src_;
  DeviceBuffer dst_;
  Communicator comm_;  // last: it leaves (waiting for its collectives) before the buffers go
};

double busbw_gbs(std::uint64_t bytes, double ms, int ranks) {
  if (ms <= 0.0) return 0.0;
  const double algbw = static_cast<double>(bytes) / (ms * 1e6);
  return algbw * 2.0 * (ranks - 1) / ranks;
}
double algbw_gbs(std::uint64_t bytes, double ms) { return ms > 0.0 ? static_cast<double>(bytes) / (ms * 1e6) : 0.0; }

double round_to(double v, int decimals) {
  const double scale = std::pow(10.0, decimals);
  return std::round(v * scale) / scale;
}

// Times to the nanosecond: a 4 KiB all-reduce takes a few microseconds, and a coarser
// rounding would leave the printed times too few digits to give back the printed ratio.
nlohmann::json size_json(const SizeResult& s, int ranks) {
  return {{"bytes", s.bytes},
          {"count", s.bytes / sizeof(float)},
          {"reps", s.reps},
          {"vnpu_ms", round_to(s.vnpu_ms.median, 6)},
          {"mpi_ms", round_to(s.mpi_ms.median, 6)},
          {"vnpu_p10_ms", round_to(s.vnpu_ms.p10, 6)},
          {"vnpu_p90_ms", round_to(s.vnpu_ms.p90, 6)},
          {"mpi_p10_ms", round_to(s.mpi_ms.p10, 6)},
          {"mpi_p90_ms", round_to(s.mpi_ms.p90, 6)},
          {"vnpu_algbw_gbs", round_to(algbw_gbs(s.bytes, s.vnpu_ms.median), 3)},
          {"mpi_algbw_gbs", round_to(algbw_gbs(s.bytes, s.mpi_ms.median), 3)},
          {"vnpu_busbw_gbs", round_to(busbw_gbs(s.bytes, s.vnpu_ms.median, ranks), 3)},
          {"mpi_busbw_gbs", round_to(busbw_gbs(s.bytes, s.mpi_ms.median, ranks), 3)},
          {"ratio", round_to(s.mpi_ms.median > 0.0 ? s.vnpu_ms.median / s.mpi_ms.median : 0.0, 3)},
          {"bitwise_identical", s.identical},
          {"within_tolerance", s.worst <= 1.0},
          {"error_vs_bound", s.worst},
          {"rank_order_fold", s.rank_order},
          {"same_as_mpi", s.same_as_mpi}};
}

void print_table(const std::vector<SizeResult>& results, int ranks, const char* transport) {
  fmt::print("vnpu bench hccl: float32 sum all-reduce over {} ranks (vnpu over its {} transport; baseline "
             "MPI_Allreduce)\n",
             ranks, transport);
  fmt::print("time: median over repetitions of the slowest rank; busbw = bytes / time * 2(n-1)/n\n\n");
  Table table({"size", "reps", "vnpu ms", "MPI ms", "vnpu busbw GB/s", "MPI busbw GB/s", "vnpu/MPI", "identical",
               "err/bound"});
  for (const SizeResult& s : results) {
    table.add_row({format_bytes(s.bytes), fmt::format("{}", s.reps), fmt::format("{:.3f}", s.vnpu_ms.median),
                   fmt::format("{:.3f}", s.mpi_ms.median), fmt::format("{:.2f}", busbw_gbs(s.bytes, s.vnpu_ms.median, ranks)),
                   fmt::format("{:.2f}", busbw_gbs(s.bytes, s.mpi_ms.median, ranks)),
                   fmt::format("{:.2f}", s.vnpu_ms.median / s.mpi_ms.median),
                   s.identical && s.rank_order ? "yes" : "NO", fmt::format("{:.3f}", s.worst)});
  }
  table.print();
  fmt::print("\nvnpu/MPI is the ratio of times (above 1: vnpu slower). identical: the same bits on every rank, "
             "equal to the float32 fold in rank order;\nerr/bound: the largest |result - float64 sum| as a "
             "fraction of the float32 bound (n-1)u/(1-(n-1)u) * sum |x|, u = 2^-24 (at most 1 passes)\n");
}

}  // namespace

int run_hccl_suite(const BenchOptions& o) {
  if (o.min_bytes < sizeof(float) || o.min_bytes % sizeof(float) != 0 || o.max_bytes < o.min_bytes) {
    throw CliError(static_cast<int>(Status::kInvalidArgument),
                   fmt::format("--min-bytes {} and --max-bytes {}: both must be multiples of 4, the first at least 4 "
                               "and at most the second",
                               o.min_bytes, o.max_bytes));
  }
  std::unique_ptr<MpiJob> job = MpiJob::start();
  const int ranks = job ? job->size() : 1;
  if (ranks < 2) {
    job.reset();  // finalizes MPI if mpirun started a single process
    throw CliError(kExitNeedsRanks, fmt::format("vnpu bench hccl measures collectives between processes, and this "
                                                "job has {} rank: run it as `mpirun -np N vnpu bench hccl` with N >= 2",
                                                ranks));
  }
  std::vector<std::uint64_t> sizes;
  for (std::uint64_t b = o.min_bytes; b <= o.max_bytes; b *= kSizeFactor) sizes.push_back(b);
  std::vector<SizeResult> results;
  std::string transport;
  {
    HcclBench bench(*job, sizes.back());
    transport = bench.transport();
    for (std::uint64_t b : sizes) {
      const auto factor = std::clamp<std::uint64_t>(kFullRepsBytes / b, 1, kMaxRepsFactor);
      const int reps = o.reps * static_cast<int>(factor);
      if (job->rank() == 0 && !o.json) note("all-reduce of {} ({} repetitions) ...", format_bytes(b), reps);
      results.push_back(bench.run_size(b, reps));
    }
  }
  const bool all_good = std::all_of(results.begin(), results.end(), [](const SizeResult& s) {
    return s.identical && s.rank_order && s.worst <= 1.0;
  });
  if (job->rank() == 0) {
    if (o.json) {
      nlohmann::json doc = {{"suite", "hccl"}, {"ranks", ranks}, {"transport", transport}, {"dtype", "f32"},
                            {"op", "sum"},     {"reps", o.reps}, {"sizes", nlohmann::json::array()}};
      for (const SizeResult& s : results) doc["sizes"].push_back(size_json(s, ranks));
      print_json(doc);
    } else {
      print_table(results, ranks, transport.c_str());
    }
  }
  if (!all_good) {
    if (job->rank() == 0) note("vnpu: error: an all-reduce result did not verify (see the table)");
    return kExitWrongResult;
  }
  return 0;
}

}  // namespace vnpu::cli
