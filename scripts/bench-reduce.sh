#!/usr/bin/env bash
# bench-reduce.sh — vnpu's reductions beside the libraries a user could pick instead, in
# one run, as one markdown table.
#
#   ./scripts/bench-reduce.sh              # build (release preset + bench/), run, print the table
#   BUILD=0 ./scripts/bench-reduce.sh      # use the existing build
#
# It runs `vnpu bench reduce --json` (which measures the read bandwidth first) and then
# bench/vnpu_reduce_peers (Google Benchmark: vnpu, oneDNN, Eigen, OpenMP, AVX-512, oneTBB)
# on the same cases, threads and data, and prints per case: vnpu's GB/s, its share of the
# measured bandwidth, each peer's GB/s and vnpu / the best peer. All figures are medians.
#
# Environment:
#   BUILD=0          skip configuring and building
#   BUILD_DIR=dir    where the binaries are (default build/release)
#   THREADS=N        threads for vnpu and every peer (sets VNPU_CORES; default: all usable CPUs)
#   REPS=N           Google Benchmark repetitions per peer case, median reported (default 9)
#   MIN_TIME=S       Google Benchmark seconds per repetition (default 0.05: many short
#                    repetitions make the median robust to a noisy machine)
#   KEEP=dir         also keep vnpu.json and peers.json there
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD_DIR=${BUILD_DIR:-build/release}
REPS=${REPS:-9}
MIN_TIME=${MIN_TIME:-0.05}
if [[ -n "${THREADS:-}" ]]; then export VNPU_CORES="$THREADS"; fi
# OpenMP's threads run unpinned, as users get them. OMP_PROC_BIND would also pin the main
# thread, onto the CPU of vnpu's compute core 0 (the peers share one process), and halve
# vnpu's figures there; set it yourself to see the OpenMP peers pinned.

log() { printf 'bench-reduce: %s\n' "$*" >&2; }

if [[ "${BUILD:-1}" != 0 ]]; then
  log "building the release preset with bench/ ..."
  cmake --preset release -DVNPU_BUILD_BENCHMARKS=ON >/dev/null
  cmake --build --preset release -j"$(nproc)" --target vnpu_cli vnpu_reduce_peers >/dev/null
fi
CLI="$BUILD_DIR/tools/cli/vnpu"
PEERS="$BUILD_DIR/bench/vnpu_reduce_peers"
for bin in "$CLI" "$PEERS"; do
  if [[ ! -x "$bin" ]]; then
    log "missing $bin (Google Benchmark not found? build with -DVNPU_BUILD_BENCHMARKS=ON)"
    exit 1
  fi
done

out=${KEEP:-$(mktemp -d)}
mkdir -p "$out"
if [[ -z "${KEEP:-}" ]]; then trap 'rm -rf "$out"' EXIT; fi

log "vnpu bench reduce ..."
"$CLI" bench reduce --json >"$out/vnpu.json"
log "vnpu_reduce_peers (${REPS} x ${MIN_TIME} s per case and peer) ..."
"$PEERS" --benchmark_format=json --benchmark_repetitions="$REPS" --benchmark_report_aggregates_only=true \
  --benchmark_min_time="$MIN_TIME" >"$out/peers.json"

python3 - "$out/vnpu.json" "$out/peers.json" <<'PY'
import datetime, json, platform, sys

vnpu = json.load(open(sys.argv[1]))
peers = json.load(open(sys.argv[2]))

bw = next(r for r in vnpu if r["op"] == "bandwidth")
def case_name(r):
    shape = ",".join(str(d) for d in r["shape"])
    return f'{r["op"]}/{r["dtype"]}/[{shape}]/axis{r["axes"][0]}'
cases = [(case_name(r), r) for r in vnpu if r["op"] != "bandwidth"]

# name -> peer -> (GB/s or None, note). Medians of the repetitions; failed runs carry
# their error message; oneDNN's label names its implementation (ref:any = reference code).
results, order, notes = {}, [], {}
for b in peers["benchmarks"]:
    name = b.get("run_name", b["name"]).removesuffix("/real_time")
    case, peer = name.rsplit("/", 1)
    if peer not in order:
        order.append(peer)
    if b.get("error_occurred"):
        results.setdefault(case, {})[peer] = (None, b.get("error_message", "error"))
    elif b.get("aggregate_name", "median") == "median":
        note = "ref" if b.get("label", "").startswith("ref") else ""
        results.setdefault(case, {})[peer] = (b["bytes_per_second"] / 1e9, note)
others = [p for p in order if p != "vnpu"]

def cell(v):
    if v is None:
        return "—"
    gbps, note = v
    if gbps is None:
        notes.setdefault(note, len(notes) + 1)
        return f"— [{notes[note]}]"
    return f"{gbps:.2f}" + (" (ref)" if note else "")

cols = ["case", "vnpu GB/s", "% of bw"] + [f"{p} GB/s" for p in others]
if "vnpu" in order:
    cols.append("vnpu (gbench) GB/s")
cols.append("vnpu / best peer")
print(f"Reduce benchmark, {datetime.date.today()}, {platform.node()}: {peers['context'].get('num_cpus')} CPUs, "
      f"{bw['threads']} threads for vnpu and every peer; read bandwidth {bw['gbps']:.1f} GB/s "
      f"(median of the passes over {bw['shape'][0] * 4 // 2**20} MiB). Medians; GB = 1e9 bytes read.\n")
print("| " + " | ".join(cols) + " |")
print("|" + "|".join(["---"] + ["---:"] * (len(cols) - 1)) + "|")
for name, r in cases:
    row = results.get(name, {})
    best = max((v[0] for p, v in row.items() if p != "vnpu" and v[0] is not None), default=None)
    line = [name, f'{r["gbps"]:.2f}', f'{r["pct_peak_bw"]:.0f}%'] + [cell(row.get(p)) for p in others]
    if "vnpu" in order:
        line.append(cell(row.get("vnpu")))
    line.append(f'{r["gbps"] / best:.2f}x' if best else "—")
    print("| " + " | ".join(line) + " |")
if notes or any(v[1] == "ref" for row in results.values() for v in row.values() if v[0] is not None):
    print()
    print("(ref): oneDNN ran its reference (non-JIT) implementation.")
    for text, n in notes.items():
        print(f"[{n}] {text}")
PY
