#!/usr/bin/env bash
# bench-reduce.sh — vnpu's reductions beside the libraries a user could pick instead, in
# one run, as one markdown table.
#
#   ./scripts/bench-reduce.sh              # build (release preset + bench/), run, print the table
#   BUILD=0 ./scripts/bench-reduce.sh      # use the existing build
#
# It runs `vnpu bench reduce --json` (which measures the read bandwidth first), then
# bench/vnpu_reduce_peers (Google Benchmark: vnpu, oneDNN, Eigen, OpenMP, AVX-512, oneTBB)
# and scripts/bench_torch.py (PyTorch on the CPU) on the same cases, threads and data,
# and prints per case: vnpu's GB/s, its share of the
# measured bandwidth, each peer's GB/s and vnpu / the best peer -- with vnpu timed by
# `vnpu bench`, and with vnpu timed in the peer binary (same process, buffer and warm-up
# as the peers, its repetitions randomly interleaved with theirs, so that a drift of the
# host's speed during the run touches every column alike). All figures are medians.
#
# Environment:
#   BUILD=0          skip configuring and building
#   BUILD_DIR=dir    where the binaries are (default build/release)
#   THREADS=N        threads for vnpu and every peer (sets VNPU_CORES; default: all usable CPUs)
#   REPS=N           Google Benchmark repetitions per peer case, median reported (default 15)
#   WARMUP=S         untimed seconds of each peer benchmark before its repetitions (default 0.05)
#   MIN_TIME=S       Google Benchmark seconds per repetition (default 0.03: many short
#                    repetitions make the median robust to a noisy machine)
#   TORCH=0          leave PyTorch out (by default python3-torch is installed when missing)
#   KEEP=dir         also keep vnpu.json, peers.json and torch.json there
set -euo pipefail
cd "$(dirname "$0")/.."

# OpenMP's threads run unpinned, as users get them. OMP_PROC_BIND would also pin the main
# thread, onto the CPU of vnpu's compute core 0 (the peers share one process), and halve
# vnpu's figures there; set it yourself to see the OpenMP peers pinned.

# shellcheck source=scripts/bench_common.sh
source scripts/bench_common.sh
bench_setup vnpu_reduce_peers

log "vnpu bench reduce ..."
"$CLI" bench reduce --json >"$out/vnpu.json"
log "vnpu_reduce_peers (${REPS} x ${MIN_TIME} s per case and peer) ..."
"$PEERS" --benchmark_format=json --benchmark_repetitions="$REPS" --benchmark_report_aggregates_only=true \
  --benchmark_min_time="$MIN_TIME" --benchmark_min_warmup_time="$WARMUP" --benchmark_enable_random_interleaving=true \
  >"$out/peers.json"
bench_torch "$out/vnpu.json"

PYTHONPATH=scripts python3 - "$out/vnpu.json" "$out/peers.json" "$out/torch.json" <<'PY'
import datetime, json, os, platform, sys

from bench_peers import PeerResults, case_name

vnpu = json.load(open(sys.argv[1]))
# (ref): oneDNN ran its reference code
peers = PeerResults(*[p for p in sys.argv[2:] if os.path.exists(p)], ref_note=True)

bw = next(r for r in vnpu if r["op"] == "bandwidth")
cases = [(case_name(r), r) for r in vnpu if r["op"] != "bandwidth"]

cols = ["case", "vnpu GB/s", "% of bw"] + [f"{p} GB/s" for p in peers.others]
if "vnpu" in peers.order:
    cols.append("vnpu (gbench) GB/s")
cols.append("vnpu / best peer")
if "vnpu" in peers.order:
    cols.append("vnpu (gbench) / best peer")
print(f"Reduce benchmark, {datetime.date.today()}, {platform.node()}: {peers.context.get('num_cpus')} CPUs, "
      f"{bw['threads']} threads for vnpu and every peer; read bandwidth {bw['gbps']:.1f} GB/s "
      f"(median of the passes over {bw['shape'][0] * 4 // 2**20} MiB). Medians; GB = 1e9 bytes read.\n")
print("| " + " | ".join(cols) + " |")
print("|" + "|".join(["---"] + ["---:"] * (len(cols) - 1)) + "|")
for name, r in cases:
    best = peers.best(name)
    line = [name, f'{r["gbps"]:.2f}', f'{r["pct_peak_bw"]:.0f}%'] + [peers.cell(name, p) for p in peers.others]
    if "vnpu" in peers.order:
        line.append(peers.cell(name, "vnpu"))
    line.append(f'{r["gbps"] / best:.2f}x' if best else "—")
    if "vnpu" in peers.order:
        same = peers.get(name, "vnpu")
        line.append(f"{same[0] / best:.2f}x" if best and same and same[0] else "—")
    print("| " + " | ".join(line) + " |")
if peers.notes or peers.any_ref():
    print()
    print("(ref): oneDNN ran its reference (non-JIT) implementation.")
    for text, n in peers.notes.items():
        print(f"[{n}] {text}")
PY

# PLOT=1: also draw the run as an SVG bar chart (scripts/plot_bench.py) into KEEP, or the build directory.
if [[ "${PLOT:-0}" == 1 ]]; then
  python3 scripts/plot_bench.py "$out/vnpu.json" "$out/peers.json" -o "${KEEP:-$BUILD_DIR}/bench-reduce.svg"
  log "chart: ${KEEP:-$BUILD_DIR}/bench-reduce.svg"
fi
