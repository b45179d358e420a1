#!/usr/bin/env bash
# bench-softmax-norm.sh — vnpu's softmax and normalizations beside the libraries a user
# could pick instead, in one run, as one markdown table.
#
#   ./scripts/bench-softmax-norm.sh              # build (release preset + bench/), run, print the table
#   BUILD=0 ./scripts/bench-softmax-norm.sh      # use the existing build
#
# It runs `vnpu bench softmax --json` and `vnpu bench norm --json` (each measures the read
# and copy bandwidth first), then bench/vnpu_norm_peers (Google Benchmark: vnpu in both
# modes, oneDNN, Eigen, AVX-512) and scripts/bench_torch.py (PyTorch on the CPU: softmax and
# layer_norm) on the same cases, threads and data, with the peers' repetitions randomly
# interleaved (PyTorch's run after them), so that a drift of the host's speed during the run
# falls on every peer alike. It prints per case and mode: vnpu's GB/s from `vnpu bench`
# (one read and one write of the tensor), each peer's GB/s, vnpu's GB/s in the same mode
# measured interleaved with the peers, and the ratios: vnpu (interleaved) / the best peer,
# vnpu (`vnpu bench`) / the best peer, vnpu / oneDNN, and vnpu's share of the read and of
# the copy bandwidth. All figures are medians.
#
# Environment:
#   BUILD=0          skip configuring and building
#   BUILD_DIR=dir    where the binaries are (default build/release)
#   THREADS=N        threads for vnpu and every peer (sets VNPU_CORES; default: all usable CPUs)
#   REPS=N           Google Benchmark repetitions per peer case, median reported (default 15)
#   WARMUP=S         untimed seconds of each peer benchmark before its repetitions (default 0.05)
#   MIN_TIME=S       Google Benchmark seconds per repetition (default 0.03)
#   TORCH=0          leave PyTorch out (by default python3-torch is installed when missing)
#   KEEP=dir         also keep softmax.json, norm.json, peers.json and torch.json there
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=scripts/bench_common.sh
source scripts/bench_common.sh
bench_setup vnpu_norm_peers

log "vnpu bench softmax ..."
"$CLI" bench softmax --json >"$out/softmax.json"
log "vnpu bench norm ..."
"$CLI" bench norm --json >"$out/norm.json"
log "vnpu_norm_peers (${REPS} x ${MIN_TIME} s per case and peer) ..."
"$PEERS" --benchmark_format=json --benchmark_repetitions="$REPS" --benchmark_report_aggregates_only=true \
  --benchmark_min_time="$MIN_TIME" --benchmark_min_warmup_time="$WARMUP" --benchmark_enable_random_interleaving=true >"$out/peers.json"
bench_torch "$out/softmax.json" "$out/norm.json"

PYTHONPATH=scripts python3 - "$out/softmax.json" "$out/norm.json" "$out/peers.json" "$out/torch.json" <<'PY'
import datetime, json, os, platform, sys

from bench_peers import PeerResults, case_name, ratio

suites = [json.load(open(p)) for p in sys.argv[1:3]]
peers = PeerResults(*[p for p in sys.argv[3:] if os.path.exists(p)])

# Each suite measures the bandwidths at its start; its records' percentages refer to them.
bws = [{r["op"]: r for r in s if r["op"] in ("bandwidth", "copy_bandwidth")} for s in suites]
cases = [(case_name(r), r) for s, bw in zip(suites, bws) for r in s if r["op"] not in bw]
measured = "; ".join(f'{name} run: read {bw["bandwidth"]["gbps"]:.1f}, copy {bw["copy_bandwidth"]["gbps"]:.1f}'
                     for name, bw in zip(("softmax", "norm"), bws))

cols = ["case", "mode", "vnpu GB/s"] + [f"{p} GB/s" for p in peers.others]
cols += ["vnpu interleaved GB/s", "vnpu interleaved / best peer", "vnpu / best peer", "vnpu / oneDNN",
         "% of read bw", "% of copy bw"]
print(f"Softmax and normalization benchmark, {datetime.date.today()}, {platform.node()}: "
      f"{peers.context.get('num_cpus')} CPUs, {suites[0][0]['threads']} threads for vnpu and every peer; "
      f"bandwidth in GB/s ({measured}; copy counts bytes read + written). Medians; GB = 1e9 bytes, one read "
      f"and one write of the tensor per call.\n")
print("| " + " | ".join(cols) + " |")
print("|" + "|".join(["---", "---"] + ["---:"] * (len(cols) - 2)) + "|")
for name, r in cases:
    onednn = peers.get(name, "onednn")
    mine = peers.get(name, "vnpu-direct" if r.get("mode") == "direct" else "vnpu")
    inter = mine[0] if mine else None
    line = [name, r.get("mode", ""), f'{r["gbps"]:.2f}'] + [peers.cell(name, p) for p in peers.others]
    line += [peers.cell(name, "vnpu-direct" if r.get("mode") == "direct" else "vnpu"),
             ratio(inter, peers.best(name)) if inter else "—", ratio(r["gbps"], peers.best(name)),
             ratio(r["gbps"], onednn[0] if onednn else None), f'{r["pct_peak_bw"]:.0f}%', f'{r["pct_copy_bw"]:.0f}%']
    print("| " + " | ".join(line) + " |")
print()
print("vnpu GB/s: `vnpu bench softmax|norm` (stream: launch + synchronize; direct: the synchronous "
      "form on the calling thread). vnpu interleaved: the same mode timed by vnpu_norm_peers between the "
      "peers' repetitions. Peers: vnpu_norm_peers; pytorch: scripts/bench_torch.py (softmax and layer_norm; "
      "run after the others). batch_norm has no peer here.")
for text, n in peers.notes.items():
    print(f"[{n}] {text}")
PY

# PLOT=1: also draw the run as an SVG bar chart (scripts/plot_bench.py) into KEEP, or the build directory.
if [[ "${PLOT:-0}" == 1 ]]; then
  python3 scripts/plot_bench.py "$out/softmax.json" "$out/norm.json" "$out/peers.json" \
    -o "${KEEP:-$BUILD_DIR}/bench-softmax-norm.svg"
  log "chart: ${KEEP:-$BUILD_DIR}/bench-softmax-norm.svg"
fi
